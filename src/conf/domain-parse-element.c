/* Reading one element of the domain XML strictly: its path and line for
 * messages, its attributes checked against the list an element supports,
 * and its content. Problems are added to the parse context, never
 * returned at once, so that all of them can be listed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-parse-private.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Nodes, paths and messages
 */

gboolean
domain_parse_node_is (const MarkupNode *node, const char *name)
{
  return node->type == MARKUP_NODE_ELEMENT && node->ns == NULL
         && strcmp ((const char *) node->name, name) == 0;
}

gboolean
domain_parse_node_is_qemu (const MarkupNode *node, const char *name)
{
  return node->type == MARKUP_NODE_ELEMENT && node->ns != NULL
         && strcmp ((const char *) node->ns->href,
                    DOMAIN_XML_QEMU_NAMESPACE) == 0
         && strcmp ((const char *) node->name, name) == 0;
}

guint
domain_parse_node_line (const MarkupNode *node)
{
  return node->line;
}

static void
append_node_name (GString *path, const MarkupNode *node)
{
  if (node->ns != NULL && node->ns->prefix != NULL)
    g_string_append_printf (path, "%s:", (const char *) node->ns->prefix);
  g_string_append (path, (const char *) node->name);
}

/* The path of @node below the root <domain>: "devices/disk/driver"; the
 * root itself is "domain". */
char *
domain_parse_node_path (const MarkupNode *node)
{
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  GString *path = g_string_new (NULL);

  for (const MarkupNode *n = node;
       n != NULL && n->type == MARKUP_NODE_ELEMENT && n->parent != NULL
       && n->parent->type == MARKUP_NODE_ELEMENT;
       n = n->parent)
    g_ptr_array_add (chain, (gpointer) n);

  if (chain->len == 0)
    append_node_name (path, node);
  for (guint i = chain->len; i > 0; i--)
    {
      if (i != chain->len)
        g_string_append_c (path, '/');
      append_node_name (path, g_ptr_array_index (chain, i - 1));
    }
  return g_string_free (path, FALSE);
}

/* A value quoted for a one-line message: control characters escaped and
 * long values cut. */
static char *
quote_value (const char *value)
{
  /* Bytes of UTF-8 sequences stay as they are (the parsed document is
   * valid UTF-8); only control characters and quotes are escaped. */
  static const char non_ascii[] =
    "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
    "\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
    "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf"
    "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf"
    "\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf"
    "\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf"
    "\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef"
    "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff";
  g_autofree char *escaped = NULL;

  escaped = g_strescape (value != NULL ? value : "", non_ascii);

  if (g_utf8_strlen (escaped, -1) > 64)
    {
      g_autofree char *head = g_utf8_substring (escaped, 0, 60);
      return g_strdup_printf ("'%s...'", head);
    }
  return g_strdup_printf ("'%s'", escaped);
}

/* Adds a problem about @node: "<path> at line N: <message>". */
void G_GNUC_PRINTF (4, 5)
domain_parse_problem_at (ParseCtx *ctx, QvirtConfError code,
                         const MarkupNode *node, const char *format, ...)
{
  g_autofree char *path = domain_parse_node_path (node);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  domain_problems_add (ctx->problems, code, domain_parse_node_line (node),
                       "<%s> at line %u: %s", path,
                       domain_parse_node_line (node), message);
}

void
domain_parse_unsupported_element (ParseCtx *ctx, const MarkupNode *node)
{
  g_autofree char *path = domain_parse_node_path (node);

  domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_UNSUPPORTED,
                       domain_parse_node_line (node),
                       "unsupported element <%s> at line %u", path,
                       domain_parse_node_line (node));
}

void
domain_parse_missing_element (ParseCtx *ctx, const MarkupNode *parent,
                              const char *name)
{
  g_autofree char *path = domain_parse_node_path (parent);

  domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                       domain_parse_node_line (parent),
                       "missing element <%s> in <%s> at line %u",
                       name, path, domain_parse_node_line (parent));
}

void
domain_parse_missing_attribute (ParseCtx *ctx, const MarkupNode *node,
                                const char *name)
{
  g_autofree char *path = domain_parse_node_path (node);

  domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                       domain_parse_node_line (node),
                       "missing attribute '%s' of <%s> at line %u",
                       name, path, domain_parse_node_line (node));
}

/* @attribute NULL: the value is the element's text. */
void
domain_parse_invalid_value (ParseCtx *ctx, QvirtConfError code,
                            const MarkupNode *node, const char *attribute,
                            const char *value, const char *reason)
{
  g_autofree char *path = domain_parse_node_path (node);
  g_autofree char *quoted = quote_value (value);
  const char *adjective =
    code == QVIRT_CONF_ERROR_UNSUPPORTED ? "unsupported" : "invalid";

  if (attribute != NULL)
    domain_problems_add (ctx->problems, code, domain_parse_node_line (node),
                         "%s value %s of attribute '%s' of <%s> at line %u: "
                         "%s",
                         adjective, quoted, attribute, path,
                         domain_parse_node_line (node), reason);
  else
    domain_problems_add (ctx->problems, code, domain_parse_node_line (node),
                         "%s value %s of <%s> at line %u: %s",
                         adjective, quoted, path,
                         domain_parse_node_line (node), reason);
}

/* Two elements are "the same" for duplicates when they are siblings with
 * one expanded name (namespace URI and local name). */
static guint
sibling_name_hash (gconstpointer key)
{
  const MarkupNode *node = key;

  return g_direct_hash (node->parent) ^ g_str_hash (node->name)
         ^ (node->ns != NULL ? g_str_hash (node->ns->href) : 0);
}

static gboolean
sibling_name_equal (gconstpointer a, gconstpointer b)
{
  const MarkupNode *x = a, *y = b;

  return x->parent == y->parent && strcmp (x->name, y->name) == 0
         && g_strcmp0 (x->ns != NULL ? x->ns->href : NULL,
                       y->ns != NULL ? y->ns->href : NULL) == 0;
}

void
domain_parse_ctx_init (ParseCtx *ctx, GPtrArray *problems)
{
  ctx->problems = problems;
  ctx->first_of_name = g_hash_table_new (sibling_name_hash,
                                         sibling_name_equal);
}

void
domain_parse_ctx_clear (ParseCtx *ctx)
{
  g_clear_pointer (&ctx->first_of_name, g_hash_table_unref);
}

/* Reports @child when an earlier sibling has the same name. The element
 * parsers ask in document order, so the first one asked about is the
 * first of its name. A table rather than a walk over the earlier
 * siblings: thousands of differently named children (each of them an
 * error) must not cost thousands of walks. */
gboolean
domain_parse_is_duplicate (ParseCtx *ctx, const MarkupNode *child)
{
  const MarkupNode *first = g_hash_table_lookup (ctx->first_of_name, child);
  g_autofree char *path = NULL;

  if (first == NULL)
    {
      g_hash_table_add (ctx->first_of_name, (gpointer) child);
      return FALSE;
    }
  if (first == child)
    return FALSE;
  path = domain_parse_node_path (child);
  domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                       domain_parse_node_line (child),
                       "duplicate element <%s> at line %u (first at "
                       "line %u)",
                       path, domain_parse_node_line (child),
                       domain_parse_node_line (first));
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Attributes
 */

/* Reports every attribute of @node that is not in the NULL-terminated
 * @allowed list. */
void
domain_parse_check_attributes (ParseCtx *ctx, const MarkupNode *node,
                               const char *const *allowed)
{
  for (const MarkupAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      gboolean known = FALSE;

      if (attr->ns == NULL)
        for (guint i = 0; allowed != NULL && allowed[i] != NULL; i++)
          known |= strcmp ((const char *) attr->name, allowed[i]) == 0;
      if (!known)
        {
          g_autofree char *path = domain_parse_node_path (node);
          g_autofree char *name =
            attr->ns != NULL && attr->ns->prefix != NULL
              ? g_strdup_printf ("%s:%s", attr->ns->prefix, attr->name)
              : g_strdup ((const char *) attr->name);

          domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_UNSUPPORTED,
                               domain_parse_node_line (node),
                               "unsupported attribute '%s' of <%s> at line %u",
                               name, path, domain_parse_node_line (node));
        }
    }
}

/* Returns: (transfer full) (nullable): the attribute's value. */
char *
domain_parse_attr_dup (const MarkupNode *node, const char *name)
{
  return g_strdup (markup_node_get_attr (node, name));
}

/* Returns TRUE when present (whatever its value); reports it missing
 * when @required. */
gboolean
domain_parse_attr_present (ParseCtx *ctx, const MarkupNode *node,
                           const char *name, gboolean required)
{
  if (markup_node_get_attr (node, name) != NULL)
    return TRUE;
  if (required)
    domain_parse_missing_attribute (ctx, node, name);
  return FALSE;
}

/* Values libvirt knows but qvirt does not support, so that a problem
 * with them is reported as "unsupported" rather than "invalid". */
static const char *const libvirt_only_values[] = {
  /* domain, os */
  "xen", "lxc", "hvf", "vmware", "linux", "exe", "auto", "maximum",
  "variable", "timezone", "rename-restart", "coredump-destroy",
  "coredump-restart",
  /* devices */
  "network", "dir", "nvme", "vhostuser", "floppy", "lun", "usb", "fdc",
  "sd", "ccid", "xenbus", "isa", "direct", "hostdev", "mcast", "server",
  "client", "udp", "vdpa", "null", "vds", "ne2k_pci", "pcnet", "i82559er",
  "vmxnet3", "dev", "pipe", "tcp", "vc", "spicevmc", "spiceport", "nmdm",
  "qemu-vdagent", "dbus", "spice", "sdl", "rdp", "desktop", "egl-headless",
  "vmvga", "vbox", "virtio-transitional", "virtio-non-transitional",
  "diag288", "egd", "pulseaudio", "alsa", "coreaudio", "jack", "oss",
  "sdl", "file", "pci-bridge", "pcie-to-pci-bridge", "dmi-to-pci-bridge",
  "pcie-switch-upstream-port", "pcie-switch-downstream-port",
  "pci-expander-bus", "pcie-expander-bus", "ich9-uhci1", "ich9-uhci2",
  "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "qusb1", "qusb2",
  "buslogic", "lsisas1068", "lsisas1078", "vmpvscsi", "ibmvscsi",
  "ccw", "spapr-vio", "virtio-s390", "unassigned", "dimm", "ioh3420",
  "ehci1", "ich6", "piix3", "piix4", "i82801b11-bridge", "cpu-hotplug",
  "gic", "hyperv", "kvm", "pvspinlock", "vmcoreinfo", "htm",
  NULL
};

QvirtConfError
domain_parse_enum_problem_code (const char *value)
{
  return g_strv_contains (libvirt_only_values, value)
           ? QVIRT_CONF_ERROR_UNSUPPORTED
           : QVIRT_CONF_ERROR_INVALID_VALUE;
}

static gboolean
value_enum (ParseCtx *ctx, const MarkupNode *node, const char *attribute,
            const char *value, const DomainEnumTable *table, int *out)
{
  int parsed = domain_enum_from_string (table, value);

  if (parsed < 0)
    {
      g_autofree char *expected = domain_enum_expected (table);
      g_autofree char *reason = g_strdup_printf ("expected %s", expected);

      domain_parse_invalid_value (ctx, domain_parse_enum_problem_code (value),
                                  node, attribute, value, reason);
      return FALSE;
    }
  *out = parsed;
  return TRUE;
}

/* Returns TRUE when the attribute is present and one of @table's values. */
gboolean
domain_parse_attr_enum (ParseCtx *ctx, const MarkupNode *node, const char *name,
                        const DomainEnumTable *table, gboolean required,
                        int *out)
{
  g_autofree char *value = domain_parse_attr_dup (node, name);

  if (value == NULL)
    {
      if (required)
        domain_parse_missing_attribute (ctx, node, name);
      return FALSE;
    }
  return value_enum (ctx, node, name, value, table, out);
}

/* Returns TRUE when the attribute is present and an integer in
 * [@min, @max] (decimal, or hex after 0x). */
gboolean
domain_parse_attr_uint (ParseCtx *ctx, const MarkupNode *node, const char *name,
                        guint64 min, guint64 max, gboolean required,
                        guint64 *out)
{
  g_autofree char *value = domain_parse_attr_dup (node, name);
  guint64 parsed;

  if (value == NULL)
    {
      if (required)
        domain_parse_missing_attribute (ctx, node, name);
      return FALSE;
    }
  if (!domain_uint_parse (value, max, &parsed) || parsed < min)
    {
      g_autofree char *reason =
        g_strdup_printf ("expected an integer from %" G_GUINT64_FORMAT
                         " to %" G_GUINT64_FORMAT, min, max);

      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  name, value, reason);
      return FALSE;
    }
  *out = parsed;
  return TRUE;
}

/* A non-empty string attribute, stored in *@out (replacing it). */
gboolean
domain_parse_attr_string (ParseCtx *ctx, const MarkupNode *node, const char *name,
                          gboolean required, char **out)
{
  g_autofree char *value = domain_parse_attr_dup (node, name);

  if (value == NULL)
    {
      if (required)
        domain_parse_missing_attribute (ctx, node, name);
      return FALSE;
    }
  if (value[0] == '\0')
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  name, value, "expected a non-empty value");
      return FALSE;
    }
  g_free (*out);
  *out = g_steal_pointer (&value);
  return TRUE;
}

gboolean
domain_parse_check_absolute_path (ParseCtx *ctx, const MarkupNode *node,
                                  const char *attribute, const char *path)
{
  if (path[0] != '/')
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  attribute, path,
                                  "expected an absolute path");
      return FALSE;
    }
  return TRUE;
}

/* An absolute path attribute, stored in *@out. */
gboolean
domain_parse_attr_path (ParseCtx *ctx, const MarkupNode *node, const char *name,
                        gboolean required, char **out)
{
  g_autofree char *value = NULL;

  if (!domain_parse_attr_string (ctx, node, name, required, &value))
    return FALSE;
  if (!domain_parse_check_absolute_path (ctx, node, name, value))
    return FALSE;
  g_free (*out);
  *out = g_steal_pointer (&value);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Content
 */

/* For children that are not elements: text is an error in an element
 * that holds only elements; comments and processing instructions are
 * ignored. Returns TRUE when @child is an element to dispatch on. */
gboolean
domain_parse_is_child_element (ParseCtx *ctx, const MarkupNode *parent,
                               const MarkupNode *child)
{
  switch (child->type)
    {
    case MARKUP_NODE_ELEMENT:
      return TRUE;
    case MARKUP_NODE_TEXT:
      if (!markup_node_is_blank (child))
        {
          g_autofree char *text = g_strstrip (g_strdup ((const char *)
                                                        child->content));
          g_autofree char *quoted = quote_value (text);

          domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, parent,
                                   "unexpected text %s", quoted);
        }
      return FALSE;
    case MARKUP_NODE_COMMENT:
    case MARKUP_NODE_PI:
    default:
      return FALSE;
    }
}

/* An element that must be empty: <acpi/>, <readonly/>... */
void
domain_parse_check_empty (ParseCtx *ctx, const MarkupNode *node)
{
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (domain_parse_is_child_element (ctx, node, child))
        domain_parse_unsupported_element (ctx, child);
    }
}

/* The text of an element that holds only text. When @trim, leading and
 * trailing whitespace is removed. Returns NULL (with a problem) when the
 * element has element children or, with @trim, no text at all. */
char *
domain_parse_text_content (ParseCtx *ctx, const MarkupNode *node, gboolean trim)
{
  GString *text = g_string_new (NULL);
  gboolean ok = TRUE;

  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      switch (child->type)
        {
        case MARKUP_NODE_TEXT:
          g_string_append (text, (const char *) child->content);
          break;
        case MARKUP_NODE_ELEMENT:
          domain_parse_unsupported_element (ctx, child);
          ok = FALSE;
          break;
        case MARKUP_NODE_COMMENT:
        case MARKUP_NODE_PI:
        default:
          break;
        }
    }
  if (!ok)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  if (trim)
    {
      g_strstrip (text->str);
      if (text->str[0] == '\0')
        {
          domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE,
                                      node, NULL, "",
                                      "expected a non-empty value");
          g_string_free (text, TRUE);
          return NULL;
        }
    }
  return g_string_free (text, FALSE);
}

/* An element whose text is an absolute path. */
gboolean
domain_parse_text_path (ParseCtx *ctx, const MarkupNode *node, char **out)
{
  g_autofree char *path = domain_parse_text_content (ctx, node, TRUE);

  if (path == NULL
      || !domain_parse_check_absolute_path (ctx, node, NULL, path))
    return FALSE;
  g_free (*out);
  *out = g_steal_pointer (&path);
  return TRUE;
}

gboolean
domain_parse_text_enum (ParseCtx *ctx, const MarkupNode *node,
                        const DomainEnumTable *table, int *out)
{
  g_autofree char *value = domain_parse_text_content (ctx, node, TRUE);

  return value != NULL && value_enum (ctx, node, NULL, value, table, out);
}

/* A size element (<memory>, <currentMemory>) in KiB. */
gboolean
domain_parse_text_size (ParseCtx *ctx, const MarkupNode *node, guint64 *kib)
{
  g_autofree char *unit = domain_parse_attr_dup (node, "unit");
  g_autofree char *value = NULL;
  const char *reason = NULL;
  guint64 parsed;

  domain_parse_check_attributes (ctx, node, ATTRS ("unit"));
  value = domain_parse_text_content (ctx, node, TRUE);
  if (value == NULL)
    return FALSE;
  if (unit != NULL && !domain_size_to_kib ("0", unit, &parsed, &reason))
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  "unit", unit, reason);
      return FALSE;
    }
  if (!domain_size_to_kib (value, unit, &parsed, &reason))
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  NULL, value, reason);
      return FALSE;
    }
  if (parsed == 0)
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  NULL, value,
                                  "the size must be greater than zero");
      return FALSE;
    }
  *kib = parsed;
  return TRUE;
}

/* Checks @value is made of letters, digits and the characters of
 * @extra: for CPU models and features, channel names and the like. */
gboolean
domain_parse_check_word (ParseCtx *ctx, const MarkupNode *node,
                         const char *attribute, const char *value,
                         const char *extra, gsize max_len)
{
  gboolean ok = value[0] != '\0' && strlen (value) <= max_len;

  for (const char *p = value; ok && *p != '\0'; p++)
    ok = g_ascii_isalnum (*p) || strchr (extra, *p) != NULL;
  if (!ok)
    {
      g_autofree char *reason =
        g_strdup_printf ("expected 1 to %" G_GSIZE_FORMAT " letters, digits "
                         "or '%s'", max_len, extra);

      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  attribute, value, reason);
    }
  return ok;
}
