/* Domain XML parsing: libvirt's domain XML into a DomainDef.
 *
 * The parser walks the libxml2 tree once. Every element parser checks
 * its attributes against the list it supports, then dispatches on its
 * children; anything else is reported. Problems are collected rather
 * than returned at once so that `qvirt validate` can list all of them;
 * domain_def_parse_xml() turns the first into a GError. An element with
 * a problem is left out (or left partly filled), never half-linked.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-xml.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "conf/domain-values.h"

typedef struct {
  GPtrArray *problems;
} ParseCtx;

/* ------------------------------------------------------------------------
 * Nodes, paths and messages
 */

static gboolean
node_is (const xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns == NULL
         && strcmp ((const char *) node->name, name) == 0;
}

static gboolean
node_is_qemu (const xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns != NULL
         && node->ns->href != NULL
         && strcmp ((const char *) node->ns->href,
                    DOMAIN_XML_QEMU_NAMESPACE) == 0
         && strcmp ((const char *) node->name, name) == 0;
}

static guint
node_line (const xmlNode *node)
{
  long line;

  /* Past 65534 libxml2 stores no line in elements; on_start_element()
   * keeps it in psvi (unused otherwise: no schema validation). */
  if (node->type == XML_ELEMENT_NODE && node->line == 65535
      && node->psvi != NULL)
    return GPOINTER_TO_UINT (node->psvi);
  line = xmlGetLineNo (node);

  return line > 0 && line <= G_MAXUINT ? (guint) line : 0;
}

static void
append_node_name (GString *path, const xmlNode *node)
{
  if (node->ns != NULL && node->ns->prefix != NULL)
    g_string_append_printf (path, "%s:", (const char *) node->ns->prefix);
  g_string_append (path, (const char *) node->name);
}

/* The path of @node below the root <domain>: "devices/disk/driver"; the
 * root itself is "domain". */
static char *
node_path (const xmlNode *node)
{
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  GString *path = g_string_new (NULL);

  for (const xmlNode *n = node;
       n != NULL && n->type == XML_ELEMENT_NODE && n->parent != NULL
       && n->parent->type == XML_ELEMENT_NODE;
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
static void G_GNUC_PRINTF (4, 5)
problem_at (ParseCtx *ctx, QvirtConfError code, const xmlNode *node,
            const char *format, ...)
{
  g_autofree char *path = node_path (node);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  domain_problems_add (ctx->problems, code, node_line (node),
                       "<%s> at line %u: %s", path, node_line (node), message);
}

static void
unsupported_element (ParseCtx *ctx, const xmlNode *node)
{
  g_autofree char *path = node_path (node);

  domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_UNSUPPORTED,
                       node_line (node), "unsupported element <%s> at line %u",
                       path, node_line (node));
}

static void
missing_element (ParseCtx *ctx, const xmlNode *parent, const char *name)
{
  g_autofree char *path = node_path (parent);

  domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                       node_line (parent),
                       "missing element <%s> in <%s> at line %u",
                       name, path, node_line (parent));
}

static void
missing_attribute (ParseCtx *ctx, const xmlNode *node, const char *name)
{
  g_autofree char *path = node_path (node);

  domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                       node_line (node),
                       "missing attribute '%s' of <%s> at line %u",
                       name, path, node_line (node));
}

/* @attribute NULL: the value is the element's text. */
static void
invalid_value (ParseCtx *ctx, QvirtConfError code, const xmlNode *node,
               const char *attribute, const char *value, const char *reason)
{
  g_autofree char *path = node_path (node);
  g_autofree char *quoted = quote_value (value);
  const char *adjective =
    code == QVIRT_CONF_ERROR_UNSUPPORTED ? "unsupported" : "invalid";

  if (attribute != NULL)
    domain_problems_add (ctx->problems, code, node_line (node),
                         "%s value %s of attribute '%s' of <%s> at line %u: "
                         "%s",
                         adjective, quoted, attribute, path, node_line (node),
                         reason);
  else
    domain_problems_add (ctx->problems, code, node_line (node),
                         "%s value %s of <%s> at line %u: %s",
                         adjective, quoted, path, node_line (node), reason);
}

/* Reports @child when an earlier sibling has the same name. */
static gboolean
is_duplicate (ParseCtx *ctx, const xmlNode *child)
{
  for (const xmlNode *prev = child->prev; prev != NULL; prev = prev->prev)
    {
      if (prev->type == XML_ELEMENT_NODE && prev->ns == child->ns
          && strcmp ((const char *) prev->name,
                     (const char *) child->name) == 0)
        {
          g_autofree char *path = node_path (child);

          domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                               node_line (child),
                               "duplicate element <%s> at line %u (first at "
                               "line %u)",
                               path, node_line (child), node_line (prev));
          return TRUE;
        }
    }
  return FALSE;
}

/* ------------------------------------------------------------------------
 * Attributes
 */

/* Reports every attribute of @node that is not in the NULL-terminated
 * @allowed list. */
static void
check_attributes (ParseCtx *ctx, const xmlNode *node,
                  const char *const *allowed)
{
  for (const xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      gboolean known = FALSE;

      if (attr->ns == NULL)
        for (guint i = 0; allowed != NULL && allowed[i] != NULL; i++)
          known |= strcmp ((const char *) attr->name, allowed[i]) == 0;
      if (!known)
        {
          g_autofree char *path = node_path (node);
          g_autofree char *name =
            attr->ns != NULL && attr->ns->prefix != NULL
              ? g_strdup_printf ("%s:%s", attr->ns->prefix, attr->name)
              : g_strdup ((const char *) attr->name);

          domain_problems_add (ctx->problems, QVIRT_CONF_ERROR_UNSUPPORTED,
                               node_line (node),
                               "unsupported attribute '%s' of <%s> at line %u",
                               name, path, node_line (node));
        }
    }
}

#define ATTRS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NO_ATTRS ((const char *const *) NULL)

/* Returns: (transfer full) (nullable): the attribute's value. */
static char *
attr_dup (const xmlNode *node, const char *name)
{
  xmlChar *value = xmlGetNoNsProp (node, (const xmlChar *) name);
  char *copy;

  if (value == NULL)
    return NULL;
  copy = g_strdup ((const char *) value);
  xmlFree (value);
  return copy;
}

/* Returns TRUE when present (whatever its value); reports it missing
 * when @required. */
static gboolean
attr_present (ParseCtx *ctx, const xmlNode *node, const char *name,
              gboolean required)
{
  if (xmlHasNsProp (node, (const xmlChar *) name, NULL) != NULL)
    return TRUE;
  if (required)
    missing_attribute (ctx, node, name);
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

static QvirtConfError
enum_problem_code (const char *value)
{
  return g_strv_contains (libvirt_only_values, value)
           ? QVIRT_CONF_ERROR_UNSUPPORTED
           : QVIRT_CONF_ERROR_INVALID_VALUE;
}

static gboolean
value_enum (ParseCtx *ctx, const xmlNode *node, const char *attribute,
            const char *value, const DomainEnumTable *table, int *out)
{
  int parsed = domain_enum_from_string (table, value);

  if (parsed < 0)
    {
      g_autofree char *expected = domain_enum_expected (table);
      g_autofree char *reason = g_strdup_printf ("expected %s", expected);

      invalid_value (ctx, enum_problem_code (value), node, attribute, value,
                     reason);
      return FALSE;
    }
  *out = parsed;
  return TRUE;
}

/* Returns TRUE when the attribute is present and one of @table's values. */
static gboolean
attr_enum (ParseCtx *ctx, const xmlNode *node, const char *name,
           const DomainEnumTable *table, gboolean required, int *out)
{
  g_autofree char *value = attr_dup (node, name);

  if (value == NULL)
    {
      if (required)
        missing_attribute (ctx, node, name);
      return FALSE;
    }
  return value_enum (ctx, node, name, value, table, out);
}

/* Assigns an enum attribute to @lvalue when present and valid. */
#define PARSE_ENUM(ctx, node, name, prefix, required, lvalue)               \
  G_STMT_START                                                              \
  {                                                                         \
    int parsed_;                                                            \
    if (attr_enum ((ctx), (node), (name), &prefix##_table, (required),      \
                   &parsed_))                                               \
      (lvalue) = parsed_;                                                   \
  }                                                                         \
  G_STMT_END

/* Returns TRUE when the attribute is present and an integer in
 * [@min, @max] (decimal, or hex after 0x). */
static gboolean
attr_uint (ParseCtx *ctx, const xmlNode *node, const char *name,
           guint64 min, guint64 max, gboolean required, guint64 *out)
{
  g_autofree char *value = attr_dup (node, name);
  guint64 parsed;

  if (value == NULL)
    {
      if (required)
        missing_attribute (ctx, node, name);
      return FALSE;
    }
  if (!domain_uint_parse (value, max, &parsed) || parsed < min)
    {
      g_autofree char *reason =
        g_strdup_printf ("expected an integer from %" G_GUINT64_FORMAT
                         " to %" G_GUINT64_FORMAT, min, max);

      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, name, value,
                     reason);
      return FALSE;
    }
  *out = parsed;
  return TRUE;
}

#define PARSE_UINT(ctx, node, name, min, max, required, lvalue)             \
  G_STMT_START                                                              \
  {                                                                         \
    guint64 parsed_;                                                        \
    if (attr_uint ((ctx), (node), (name), (min), (max), (required),         \
                   &parsed_))                                               \
      (lvalue) = parsed_;                                                   \
  }                                                                         \
  G_STMT_END

/* A non-empty string attribute, stored in *@out (replacing it). */
static gboolean
attr_string (ParseCtx *ctx, const xmlNode *node, const char *name,
             gboolean required, char **out)
{
  g_autofree char *value = attr_dup (node, name);

  if (value == NULL)
    {
      if (required)
        missing_attribute (ctx, node, name);
      return FALSE;
    }
  if (value[0] == '\0')
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, name, value,
                     "expected a non-empty value");
      return FALSE;
    }
  g_free (*out);
  *out = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
check_absolute_path (ParseCtx *ctx, const xmlNode *node,
                     const char *attribute, const char *path)
{
  if (path[0] != '/')
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, attribute,
                     path, "expected an absolute path");
      return FALSE;
    }
  return TRUE;
}

/* An absolute path attribute, stored in *@out. */
static gboolean
attr_path (ParseCtx *ctx, const xmlNode *node, const char *name,
           gboolean required, char **out)
{
  g_autofree char *value = NULL;

  if (!attr_string (ctx, node, name, required, &value))
    return FALSE;
  if (!check_absolute_path (ctx, node, name, value))
    return FALSE;
  g_free (*out);
  *out = g_steal_pointer (&value);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Content
 */

static gboolean
is_blank_text (const xmlNode *node)
{
  return (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
         && xmlIsBlankNode ((xmlNode *) node);
}

/* For children that are not elements: text is an error in an element
 * that holds only elements; comments and processing instructions are
 * ignored. Returns TRUE when @child is an element to dispatch on. */
static gboolean
is_child_element (ParseCtx *ctx, const xmlNode *parent, const xmlNode *child)
{
  switch (child->type)
    {
    case XML_ELEMENT_NODE:
      return TRUE;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
      if (!is_blank_text (child))
        {
          g_autofree char *text = g_strstrip (g_strdup ((const char *)
                                                        child->content));
          g_autofree char *quoted = quote_value (text);

          problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, parent,
                      "unexpected text %s", quoted);
        }
      return FALSE;
    case XML_COMMENT_NODE:
    case XML_PI_NODE:
      return FALSE;
    default:
      problem_at (ctx, QVIRT_CONF_ERROR_INVALID_XML, parent,
                  "unexpected XML node (entity references are not allowed)");
      return FALSE;
    }
}

/* An element that must be empty: <acpi/>, <readonly/>... */
static void
check_empty (ParseCtx *ctx, const xmlNode *node)
{
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (is_child_element (ctx, node, child))
        unsupported_element (ctx, child);
    }
}

/* The text of an element that holds only text. When @trim, leading and
 * trailing whitespace is removed. Returns NULL (with a problem) when the
 * element has element children or, with @trim, no text at all. */
static char *
text_content (ParseCtx *ctx, const xmlNode *node, gboolean trim)
{
  GString *text = g_string_new (NULL);
  gboolean ok = TRUE;

  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      switch (child->type)
        {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          g_string_append (text, (const char *) child->content);
          break;
        case XML_ELEMENT_NODE:
          unsupported_element (ctx, child);
          ok = FALSE;
          break;
        case XML_COMMENT_NODE:
        case XML_PI_NODE:
          break;
        default:
          problem_at (ctx, QVIRT_CONF_ERROR_INVALID_XML, node,
                      "unexpected XML node (entity references are not "
                      "allowed)");
          ok = FALSE;
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
          invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, NULL, "",
                         "expected a non-empty value");
          g_string_free (text, TRUE);
          return NULL;
        }
    }
  return g_string_free (text, FALSE);
}

/* An element whose text is an absolute path. */
static gboolean
text_path (ParseCtx *ctx, const xmlNode *node, char **out)
{
  g_autofree char *path = text_content (ctx, node, TRUE);

  if (path == NULL || !check_absolute_path (ctx, node, NULL, path))
    return FALSE;
  g_free (*out);
  *out = g_steal_pointer (&path);
  return TRUE;
}

static gboolean
text_enum (ParseCtx *ctx, const xmlNode *node, const DomainEnumTable *table,
           int *out)
{
  g_autofree char *value = text_content (ctx, node, TRUE);

  return value != NULL && value_enum (ctx, node, NULL, value, table, out);
}

/* A size element (<memory>, <currentMemory>) in KiB. */
static gboolean
text_size (ParseCtx *ctx, const xmlNode *node, guint64 *kib)
{
  g_autofree char *unit = attr_dup (node, "unit");
  g_autofree char *value = NULL;
  const char *reason = NULL;
  guint64 parsed;

  check_attributes (ctx, node, ATTRS ("unit"));
  value = text_content (ctx, node, TRUE);
  if (value == NULL)
    return FALSE;
  if (unit != NULL && !domain_size_to_kib ("0", unit, &parsed, &reason))
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, "unit", unit,
                     reason);
      return FALSE;
    }
  if (!domain_size_to_kib (value, unit, &parsed, &reason))
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, NULL, value,
                     reason);
      return FALSE;
    }
  if (parsed == 0)
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, NULL, value,
                     "the size must be greater than zero");
      return FALSE;
    }
  *kib = parsed;
  return TRUE;
}

/* Checks @value is made of letters, digits and the characters of
 * @extra: for CPU models and features, channel names and the like. */
static gboolean
check_word (ParseCtx *ctx, const xmlNode *node, const char *attribute,
            const char *value, const char *extra, gsize max_len)
{
  gboolean ok = value[0] != '\0' && strlen (value) <= max_len;

  for (const char *p = value; ok && *p != '\0'; p++)
    ok = g_ascii_isalnum (*p) || strchr (extra, *p) != NULL;
  if (!ok)
    {
      g_autofree char *reason =
        g_strdup_printf ("expected 1 to %" G_GSIZE_FORMAT " letters, digits "
                         "or '%s'", max_len, extra);

      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, attribute,
                     value, reason);
    }
  return ok;
}

/* ------------------------------------------------------------------------
 * Addresses and <boot order>
 */

static void
parse_address (ParseCtx *ctx, const xmlNode *node, DomainDeviceAddress *address)
{
  int type;

  if (!attr_enum (ctx, node, "type", &domain_address_type_table, TRUE, &type))
    {
      check_attributes (ctx, node, ATTRS ("type"));
      check_empty (ctx, node);
      return;
    }
  memset (address, 0, sizeof (*address));
  address->type = type;
  switch (address->type)
    {
    case DOMAIN_ADDRESS_PCI:
      check_attributes (ctx, node, ATTRS ("type", "domain", "bus", "slot",
                                          "function", "multifunction"));
      PARSE_UINT (ctx, node, "domain", 0, 0xffff, FALSE, address->pci.domain);
      PARSE_UINT (ctx, node, "bus", 0, 0xff, FALSE, address->pci.bus);
      PARSE_UINT (ctx, node, "slot", 0, 0x1f, FALSE, address->pci.slot);
      PARSE_UINT (ctx, node, "function", 0, 7, FALSE, address->pci.function);
      PARSE_ENUM (ctx, node, "multifunction", domain_on_off, FALSE,
                  address->pci.multifunction);
      break;
    case DOMAIN_ADDRESS_DRIVE:
      check_attributes (ctx, node, ATTRS ("type", "controller", "bus",
                                          "target", "unit"));
      PARSE_UINT (ctx, node, "controller", 0, 255, FALSE,
                  address->drive.controller);
      PARSE_UINT (ctx, node, "bus", 0, 255, FALSE, address->drive.bus);
      PARSE_UINT (ctx, node, "target", 0, 255, FALSE, address->drive.target);
      PARSE_UINT (ctx, node, "unit", 0, 16383, FALSE, address->drive.unit);
      break;
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
      check_attributes (ctx, node, ATTRS ("type", "controller", "bus",
                                          "port"));
      PARSE_UINT (ctx, node, "controller", 0, 255, FALSE,
                  address->virtio_serial.controller);
      PARSE_UINT (ctx, node, "bus", 0, 0, FALSE, address->virtio_serial.bus);
      /* Port 0 (or none) asks for one to be assigned. */
      PARSE_UINT (ctx, node, "port", 0, 31, FALSE,
                  address->virtio_serial.port);
      break;
    case DOMAIN_ADDRESS_USB:
      check_attributes (ctx, node, ATTRS ("type", "bus", "port"));
      PARSE_UINT (ctx, node, "bus", 0, 255, FALSE, address->usb.bus);
      /* No USB hubs, so a port is one number, never "1.2". */
      PARSE_UINT (ctx, node, "port", 1, 31, TRUE, address->usb.port);
      break;
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
      check_attributes (ctx, node, ATTRS ("type"));
      break;
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_LAST:
    default:
      g_assert_not_reached ();
    }
  check_empty (ctx, node);
}

static void
parse_boot_order (ParseCtx *ctx, const xmlNode *node, guint *order)
{
  check_attributes (ctx, node, ATTRS ("order"));
  PARSE_UINT (ctx, node, "order", 1, 65535, TRUE, *order);
  check_empty (ctx, node);
}

/* ------------------------------------------------------------------------
 * Outside <devices>
 */

static void
parse_name (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autofree char *name = NULL;
  const char *reason = NULL;

  check_attributes (ctx, node, NO_ATTRS);
  name = text_content (ctx, node, FALSE);
  if (name == NULL)
    return;
  if (!domain_name_is_valid (name, &reason))
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, NULL, name,
                     reason);
      return;
    }
  def->name = g_steal_pointer (&name);
}

static void
parse_uuid (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autofree char *text = NULL;
  char *uuid;

  check_attributes (ctx, node, NO_ATTRS);
  text = text_content (ctx, node, TRUE);
  if (text == NULL)
    return;
  uuid = domain_uuid_normalize (text);
  if (uuid == NULL)
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, NULL, text,
                     "expected a UUID (32 hex digits, "
                     "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
      return;
    }
  def->uuid = uuid;
}

static void
parse_title (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autofree char *title = NULL;

  check_attributes (ctx, node, NO_ATTRS);
  title = text_content (ctx, node, FALSE);
  if (title == NULL)
    return;
  if (strpbrk (title, "\r\n") != NULL)
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, NULL, title,
                     "a title is a single line");
      return;
    }
  def->title = g_steal_pointer (&title);
}

static void
parse_description (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  check_attributes (ctx, node, NO_ATTRS);
  def->description = text_content (ctx, node, FALSE);
}

/* Serializes one element child of <metadata> on its own, with the
 * declarations of the namespaces it uses (copying it into a document of
 * its own adds those that were declared on an ancestor). */
static char *
dump_metadata_element (const xmlNode *node)
{
  xmlDoc *scratch = xmlNewDoc ((const xmlChar *) "1.0");
  xmlNode *copy = xmlDocCopyNode ((xmlNode *) node, scratch, 1);
  xmlBuffer *buffer = xmlBufferCreate ();
  char *result;

  xmlDocSetRootElement (scratch, copy);
  xmlNodeDump (buffer, scratch, copy, 0, 0);
  result = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  xmlFreeDoc (scratch);
  return result;
}

static void
parse_metadata (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child))
        continue;
      if (child->ns == NULL || child->ns->href == NULL)
        {
          problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                      "metadata elements must be in a namespace of their own "
                      "(xmlns:app='https://example.org/app')");
          continue;
        }
      g_ptr_array_add (parts, dump_metadata_element (child));
    }
  if (parts->len == 0)
    return;
  g_ptr_array_add (parts, NULL);
  /* Joined the way domain_def_format_xml() indents them, so that
   * formatting and parsing again gives the same string. */
  def->metadata = g_strjoinv ("\n    ", (char **) parts->pdata);
}

static void
parse_vcpu (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autofree char *placement = attr_dup (node, "placement");
  g_autofree char *cpuset = attr_dup (node, "cpuset");
  g_autofree char *text = NULL;
  guint64 vcpus;
  const char *reason = NULL;

  check_attributes (ctx, node, ATTRS ("placement", "current", "cpuset"));
  if (placement != NULL && strcmp (placement, "static") != 0)
    invalid_value (ctx, enum_problem_code (placement), node, "placement",
                   placement, "expected static");
  PARSE_UINT (ctx, node, "current", 1, 4096, FALSE, def->current_vcpus);
  if (cpuset != NULL)
    {
      if (domain_cpuset_parse (cpuset, NULL, &reason))
        def->cpuset = g_steal_pointer (&cpuset);
      else
        invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, "cpuset",
                       cpuset, reason);
    }
  text = text_content (ctx, node, TRUE);
  if (text == NULL)
    return;
  if (!domain_uint_parse (text, 4096, &vcpus) || vcpus == 0)
    {
      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, NULL, text,
                     "expected an integer from 1 to 4096");
      return;
    }
  def->vcpus = vcpus;
}

static gboolean
machine_name_is_valid (const char *machine)
{
  for (const char *p = machine; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-", *p) == NULL)
      return FALSE;
  return domain_machine_family (machine) != DOMAIN_MACHINE_UNKNOWN;
}

static void
parse_os_type (ParseCtx *ctx, const xmlNode *node, DomainOs *os)
{
  g_autofree char *machine = attr_dup (node, "machine");
  g_autofree char *type = NULL;

  check_attributes (ctx, node, ATTRS ("arch", "machine"));
  PARSE_ENUM (ctx, node, "arch", domain_arch, FALSE, os->arch);
  if (machine != NULL)
    {
      if (machine_name_is_valid (machine))
        os->machine = g_steal_pointer (&machine);
      else
        invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, node, "machine",
                       machine,
                       "expected pc, q35, pc-i440fx-*, pc-q35-* or microvm");
    }
  type = text_content (ctx, node, TRUE);
  if (type != NULL && strcmp (type, "hvm") != 0)
    invalid_value (ctx, enum_problem_code (type), node, NULL, type,
                   "expected hvm");
}

static void
parse_os (ParseCtx *ctx, const xmlNode *node, DomainOs *os)
{
  gboolean has_type = FALSE;

  check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child))
        continue;
      if (node_is (child, "boot"))
        {
          int dev;

          check_attributes (ctx, child, ATTRS ("dev"));
          check_empty (ctx, child);
          if (!attr_enum (ctx, child, "dev", &domain_boot_device_table, TRUE,
                          &dev))
            continue;
          for (guint i = 0; i < os->n_boot_devices; i++)
            if (os->boot_devices[i] == (DomainBootDevice) dev)
              {
                problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                            "boot device '%s' is listed twice",
                            domain_boot_device_to_string (dev));
                dev = -1;
                break;
              }
          if (dev >= 0)
            os->boot_devices[os->n_boot_devices++] = dev;
          continue;
        }
      if (is_duplicate (ctx, child))
        continue;
      if (node_is (child, "type"))
        {
          has_type = TRUE;
          parse_os_type (ctx, child, os);
        }
      else if (node_is (child, "loader"))
        {
          check_attributes (ctx, child, ATTRS ("readonly", "secure", "type"));
          PARSE_ENUM (ctx, child, "readonly", domain_yes_no, FALSE,
                      os->loader_readonly);
          PARSE_ENUM (ctx, child, "secure", domain_yes_no, FALSE,
                      os->loader_secure);
          PARSE_ENUM (ctx, child, "type", domain_loader_type, FALSE,
                      os->loader_type);
          text_path (ctx, child, &os->loader);
        }
      else if (node_is (child, "nvram"))
        {
          g_autofree char *nvram = NULL;

          check_attributes (ctx, child, ATTRS ("template"));
          attr_path (ctx, child, "template", FALSE, &os->nvram_template);
          /* With a template, the path may be left to the driver. */
          nvram = text_content (ctx, child, FALSE);
          if (nvram != NULL && g_strstrip (nvram)[0] != '\0')
            {
              if (check_absolute_path (ctx, child, NULL, nvram))
                os->nvram = g_steal_pointer (&nvram);
            }
          else if (nvram != NULL && os->nvram_template == NULL)
            invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child, NULL,
                           "", "expected a path (or a template attribute)");
        }
      else if (node_is (child, "bootmenu"))
        {
          check_attributes (ctx, child, ATTRS ("enable", "timeout"));
          check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "enable", domain_yes_no, TRUE, os->bootmenu);
          PARSE_UINT (ctx, child, "timeout", 0, 65535, FALSE,
                      os->bootmenu_timeout);
        }
      else if (node_is (child, "kernel"))
        {
          check_attributes (ctx, child, NO_ATTRS);
          text_path (ctx, child, &os->kernel);
        }
      else if (node_is (child, "initrd"))
        {
          check_attributes (ctx, child, NO_ATTRS);
          text_path (ctx, child, &os->initrd);
        }
      else if (node_is (child, "cmdline"))
        {
          check_attributes (ctx, child, NO_ATTRS);
          g_free (os->cmdline);
          os->cmdline = text_content (ctx, child, FALSE);
        }
      else
        unsupported_element (ctx, child);
    }
  if (!has_type)
    missing_element (ctx, node, "type");
}

static void
parse_features (ParseCtx *ctx, const xmlNode *node, DomainFeatures *features)
{
  check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "acpi") || node_is (child, "apic")
          || node_is (child, "pae"))
        {
          check_attributes (ctx, child, NO_ATTRS);
          check_empty (ctx, child);
          if (node_is (child, "acpi"))
            features->acpi = TRUE;
          else if (node_is (child, "apic"))
            features->apic = TRUE;
          else
            features->pae = TRUE;
        }
      else if (node_is (child, "smm"))
        {
          check_attributes (ctx, child, ATTRS ("state"));
          check_empty (ctx, child);
          features->smm = DOMAIN_TRISTATE_ON;
          PARSE_ENUM (ctx, child, "state", domain_on_off, FALSE,
                      features->smm);
        }
      else if (node_is (child, "vmport"))
        {
          check_attributes (ctx, child, ATTRS ("state"));
          check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "state", domain_on_off, TRUE,
                      features->vmport);
        }
      else
        unsupported_element (ctx, child);
    }
}

static void
parse_cpu (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainCpu) cpu = domain_cpu_new ();

  check_attributes (ctx, node, ATTRS ("mode", "match", "check",
                                      "migratable"));
  PARSE_ENUM (ctx, node, "mode", domain_cpu_mode, FALSE, cpu->mode);
  PARSE_ENUM (ctx, node, "match", domain_cpu_match, FALSE, cpu->match);
  PARSE_ENUM (ctx, node, "check", domain_cpu_check, FALSE, cpu->check);
  PARSE_ENUM (ctx, node, "migratable", domain_on_off, FALSE, cpu->migratable);

  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child))
        continue;
      if (node_is (child, "feature"))
        {
          g_autofree char *name = attr_dup (child, "name");
          int policy = DOMAIN_CPU_FEATURE_REQUIRE;
          DomainCpuFeature *feature;
          gboolean ok = TRUE;

          check_attributes (ctx, child, ATTRS ("policy", "name"));
          check_empty (ctx, child);
          if (attr_present (ctx, child, "policy", FALSE))
            ok = attr_enum (ctx, child, "policy",
                            &domain_cpu_feature_policy_table, TRUE, &policy);
          if (name == NULL)
            {
              missing_attribute (ctx, child, "name");
              continue;
            }
          if (!check_word (ctx, child, "name", name, "_.-", 64) || !ok)
            continue;
          for (guint i = 0; i < cpu->features->len; i++)
            {
              DomainCpuFeature *other = g_ptr_array_index (cpu->features, i);

              if (strcmp (other->name, name) == 0)
                {
                  problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                              "CPU feature '%s' is listed twice", name);
                  ok = FALSE;
                  break;
                }
            }
          if (!ok)
            continue;
          feature = g_new0 (DomainCpuFeature, 1);
          feature->name = g_steal_pointer (&name);
          feature->policy = policy;
          g_ptr_array_add (cpu->features, feature);
          continue;
        }
      if (is_duplicate (ctx, child))
        continue;
      if (node_is (child, "model"))
        {
          g_autofree char *model = NULL;

          check_attributes (ctx, child, ATTRS ("fallback"));
          PARSE_ENUM (ctx, child, "fallback", domain_cpu_fallback, FALSE,
                      cpu->fallback);
          model = text_content (ctx, child, TRUE);
          if (model != NULL && check_word (ctx, child, NULL, model, "_.+-", 64))
            cpu->model = g_steal_pointer (&model);
        }
      else if (node_is (child, "topology"))
        {
          guint64 sockets = 0, dies = 1, cores = 0, threads = 0;
          gboolean ok;

          check_attributes (ctx, child, ATTRS ("sockets", "dies", "cores",
                                               "threads"));
          check_empty (ctx, child);
          ok = attr_uint (ctx, child, "sockets", 1, 4096, TRUE, &sockets);
          if (attr_present (ctx, child, "dies", FALSE))
            ok &= attr_uint (ctx, child, "dies", 1, 4096, TRUE, &dies);
          ok &= attr_uint (ctx, child, "cores", 1, 4096, TRUE, &cores);
          ok &= attr_uint (ctx, child, "threads", 1, 4096, TRUE, &threads);
          if (ok)
            {
              cpu->sockets = sockets;
              cpu->dies = dies;
              cpu->cores = cores;
              cpu->threads = threads;
            }
        }
      else
        unsupported_element (ctx, child);
    }
  def->cpu = g_steal_pointer (&cpu);
}

static void
parse_clock (ParseCtx *ctx, const xmlNode *node, DomainClock *clock)
{
  check_attributes (ctx, node, ATTRS ("offset"));
  PARSE_ENUM (ctx, node, "offset", domain_clock_offset, FALSE, clock->offset);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      DomainTimer *timer;
      int name;

      if (!is_child_element (ctx, node, child))
        continue;
      if (!node_is (child, "timer"))
        {
          unsupported_element (ctx, child);
          continue;
        }
      check_attributes (ctx, child, ATTRS ("name", "tickpolicy", "present"));
      check_empty (ctx, child);
      if (!attr_enum (ctx, child, "name", &domain_timer_name_table, TRUE,
                      &name))
        continue;
      for (guint i = 0; i < clock->timers->len; i++)
        {
          DomainTimer *other = g_ptr_array_index (clock->timers, i);

          if (other->name == (DomainTimerName) name)
            {
              problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                          "timer '%s' is listed twice",
                          domain_timer_name_to_string (name));
              name = -1;
              break;
            }
        }
      if (name < 0)
        continue;
      timer = g_new0 (DomainTimer, 1);
      timer->name = name;
      PARSE_ENUM (ctx, child, "tickpolicy", domain_tick_policy, FALSE,
                  timer->tickpolicy);
      PARSE_ENUM (ctx, child, "present", domain_yes_no, FALSE, timer->present);
      g_ptr_array_add (clock->timers, timer);
    }
}

static void
parse_lifecycle (ParseCtx *ctx, const xmlNode *node,
                 DomainLifecycleAction *action)
{
  int value = 0;

  check_attributes (ctx, node, NO_ATTRS);
  if (text_enum (ctx, node, &domain_lifecycle_action_table, &value))
    *action = value;
}

static void
parse_pm (ParseCtx *ctx, const xmlNode *node, DomainPm *pm)
{
  check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      DomainTristate *state;

      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "suspend-to-mem"))
        state = &pm->suspend_to_mem;
      else if (node_is (child, "suspend-to-disk"))
        state = &pm->suspend_to_disk;
      else
        {
          unsupported_element (ctx, child);
          continue;
        }
      check_attributes (ctx, child, ATTRS ("enabled"));
      check_empty (ctx, child);
      PARSE_ENUM (ctx, child, "enabled", domain_yes_no, TRUE, *state);
    }
}

/* ------------------------------------------------------------------------
 * Devices
 */

static void
parse_disk (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainDisk) disk = domain_disk_new ();
  guint problems_before = ctx->problems->len;
  gboolean has_target = FALSE;

  disk->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("type", "device"));
  PARSE_ENUM (ctx, node, "type", domain_disk_type, FALSE, disk->type);
  PARSE_ENUM (ctx, node, "device", domain_disk_device, FALSE, disk->device);

  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "driver"))
        {
          g_autofree char *name = attr_dup (child, "name");

          check_attributes (ctx, child, ATTRS ("name", "type", "cache",
                                               "discard", "io"));
          check_empty (ctx, child);
          if (name != NULL && strcmp (name, "qemu") != 0)
            invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, child, "name",
                           name, "expected qemu");
          PARSE_ENUM (ctx, child, "type", domain_disk_format, FALSE,
                      disk->format);
          PARSE_ENUM (ctx, child, "cache", domain_disk_cache, FALSE,
                      disk->cache);
          PARSE_ENUM (ctx, child, "discard", domain_disk_discard, FALSE,
                      disk->discard);
          PARSE_ENUM (ctx, child, "io", domain_disk_io, FALSE, disk->io);
        }
      else if (node_is (child, "source"))
        {
          check_empty (ctx, child);
          switch (disk->type)
            {
            case DOMAIN_DISK_TYPE_FILE:
              check_attributes (ctx, child, ATTRS ("file"));
              attr_path (ctx, child, "file", TRUE, &disk->source_path);
              break;
            case DOMAIN_DISK_TYPE_BLOCK:
              check_attributes (ctx, child, ATTRS ("dev"));
              attr_path (ctx, child, "dev", TRUE, &disk->source_path);
              break;
            case DOMAIN_DISK_TYPE_VOLUME:
              check_attributes (ctx, child, ATTRS ("pool", "volume"));
              attr_string (ctx, child, "pool", TRUE, &disk->source_pool);
              attr_string (ctx, child, "volume", TRUE, &disk->source_volume);
              break;
            case DOMAIN_DISK_TYPE_LAST:
            default:
              g_assert_not_reached ();
            }
        }
      else if (node_is (child, "target"))
        {
          has_target = TRUE;
          check_attributes (ctx, child, ATTRS ("dev", "bus"));
          check_empty (ctx, child);
          if (attr_string (ctx, child, "dev", TRUE, &disk->target_dev))
            {
              const char *dev = disk->target_dev;
              gboolean ok = (g_str_has_prefix (dev, "vd")
                             || g_str_has_prefix (dev, "sd")
                             || g_str_has_prefix (dev, "hd"))
                            && dev[2] != '\0' && strlen (dev) <= 5;

              for (const char *p = dev + 2; ok && *p != '\0'; p++)
                ok = g_ascii_islower (*p);
              if (!ok)
                {
                  invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                                 "dev", dev,
                                 "expected vd, sd or hd followed by 1 to 3 "
                                 "lowercase letters");
                  g_clear_pointer (&disk->target_dev, g_free);
                }
            }
          PARSE_ENUM (ctx, child, "bus", domain_disk_bus, FALSE, disk->bus);
        }
      else if (node_is (child, "readonly") || node_is (child, "shareable"))
        {
          check_attributes (ctx, child, NO_ATTRS);
          check_empty (ctx, child);
          if (node_is (child, "readonly"))
            disk->readonly = TRUE;
          else
            disk->shareable = TRUE;
        }
      else if (node_is (child, "serial"))
        {
          g_autofree char *serial = NULL;

          check_attributes (ctx, child, NO_ATTRS);
          serial = text_content (ctx, child, TRUE);
          if (serial != NULL && check_word (ctx, child, NULL, serial, "_.+- ",
                                            36))
            disk->serial = g_steal_pointer (&serial);
        }
      else if (node_is (child, "boot"))
        parse_boot_order (ctx, child, &disk->boot_order);
      else if (node_is (child, "address"))
        parse_address (ctx, child, &disk->address);
      else
        unsupported_element (ctx, child);
    }
  if (!has_target)
    missing_element (ctx, node, "target");
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->disks, g_steal_pointer (&disk));
}

/* The first index not used by a controller of @type parsed so far. */
static guint
next_controller_index (const DomainDef *def, DomainControllerType type)
{
  guint index = 0;

  while (domain_def_find_controller (def, type, index) != NULL)
    index++;
  return index;
}

static void
parse_controller (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainController) controller = NULL;
  guint problems_before = ctx->problems->len;
  int type;
  guint64 index;

  check_attributes (ctx, node, ATTRS ("type", "index", "model", "ports",
                                      "vectors"));
  if (!attr_enum (ctx, node, "type", &domain_controller_type_table, TRUE,
                  &type))
    return;
  if (!attr_uint (ctx, node, "index", 0, 255, FALSE, &index))
    index = next_controller_index (def, type);
  controller = domain_controller_new (type, index);
  controller->line = node_line (node);
  PARSE_ENUM (ctx, node, "model", domain_controller_model, FALSE,
              controller->model);
  PARSE_UINT (ctx, node, "ports", 1, 31, FALSE, controller->ports);
  PARSE_UINT (ctx, node, "vectors", 1, 1024, FALSE, controller->vectors);

  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "model") && controller->type == DOMAIN_CONTROLLER_PCI)
        {
          g_autofree char *name = NULL;

          check_attributes (ctx, child, ATTRS ("name"));
          check_empty (ctx, child);
          if (attr_string (ctx, child, "name", TRUE, &name)
              && strcmp (name, "pcie-root-port") != 0)
            invalid_value (ctx, enum_problem_code (name), child, "name", name,
                           "expected pcie-root-port");
        }
      else if (node_is (child, "target"))
        {
          check_attributes (ctx, child, ATTRS ("chassis", "port"));
          check_empty (ctx, child);
          PARSE_UINT (ctx, child, "chassis", 0, 255, FALSE,
                      controller->chassis);
          PARSE_UINT (ctx, child, "port", 0, 255, FALSE, controller->port);
        }
      else if (node_is (child, "address"))
        parse_address (ctx, child, &controller->address);
      else
        unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->controllers, g_steal_pointer (&controller));
}

static void
parse_interface (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainInterface) iface = domain_interface_new ();
  guint problems_before = ctx->problems->len;
  int type;

  iface->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("type"));
  if (!attr_enum (ctx, node, "type", &domain_net_type_table, TRUE, &type))
    return;
  iface->type = type;

  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "mac"))
        {
          g_autofree char *mac = NULL;
          const char *reason = NULL;

          check_attributes (ctx, child, ATTRS ("address"));
          check_empty (ctx, child);
          if (attr_string (ctx, child, "address", TRUE, &mac)
              && !domain_mac_normalize (mac, &iface->mac, &reason))
            invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                           "address", mac, reason);
        }
      else if (node_is (child, "source"))
        {
          check_empty (ctx, child);
          if (iface->type == DOMAIN_NET_BRIDGE)
            {
              check_attributes (ctx, child, ATTRS ("bridge"));
              if (attr_string (ctx, child, "bridge", TRUE,
                               &iface->source_bridge))
                {
                  const char *reason = NULL;

                  if (!domain_ifname_is_valid (iface->source_bridge, &reason))
                    invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                                   "bridge", iface->source_bridge, reason);
                }
            }
          else if (iface->type == DOMAIN_NET_NETWORK)
            {
              check_attributes (ctx, child, ATTRS ("network"));
              attr_string (ctx, child, "network", TRUE,
                           &iface->source_network);
            }
          else
            check_attributes (ctx, child, NO_ATTRS);
        }
      else if (node_is (child, "target"))
        {
          check_attributes (ctx, child, ATTRS ("dev", "managed"));
          check_empty (ctx, child);
          if (attr_string (ctx, child, "dev", TRUE, &iface->target_dev))
            {
              const char *reason = NULL;

              if (!domain_ifname_is_valid (iface->target_dev, &reason))
                invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                               "dev", iface->target_dev, reason);
            }
          PARSE_ENUM (ctx, child, "managed", domain_yes_no, FALSE,
                      iface->target_managed);
        }
      else if (node_is (child, "model"))
        {
          check_attributes (ctx, child, ATTRS ("type"));
          check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "type", domain_net_model, TRUE,
                      iface->model);
        }
      else if (node_is (child, "script"))
        {
          check_attributes (ctx, child, ATTRS ("path"));
          check_empty (ctx, child);
          attr_path (ctx, child, "path", TRUE, &iface->script);
        }
      else if (node_is (child, "boot"))
        parse_boot_order (ctx, child, &iface->boot_order);
      else if (node_is (child, "address"))
        parse_address (ctx, child, &iface->address);
      else
        unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->interfaces, g_steal_pointer (&iface));
}

/* <source> of a character device, by the device's type. */
static void
parse_chardev_source (ParseCtx *ctx, const xmlNode *node,
                      DomainChardevSource *source)
{
  check_empty (ctx, node);
  switch (source->type)
    {
    case DOMAIN_CHARDEV_FILE:
      check_attributes (ctx, node, ATTRS ("path", "append"));
      attr_path (ctx, node, "path", TRUE, &source->path);
      PARSE_ENUM (ctx, node, "append", domain_on_off, FALSE, source->append);
      break;
    case DOMAIN_CHARDEV_UNIX:
      check_attributes (ctx, node, ATTRS ("mode", "path"));
      PARSE_ENUM (ctx, node, "mode", domain_chardev_mode, FALSE, source->mode);
      attr_path (ctx, node, "path", FALSE, &source->path);
      break;
    case DOMAIN_CHARDEV_PTY:
    case DOMAIN_CHARDEV_NULL:
    case DOMAIN_CHARDEV_STDIO:
      check_attributes (ctx, node, NO_ATTRS);
      break;
    case DOMAIN_CHARDEV_LAST:
    default:
      g_assert_not_reached ();
    }
}

/* Files and sockets need a path, except the socket of a channel, which
 * the driver may choose. */
static void
check_chardev_source_path (ParseCtx *ctx, const xmlNode *node,
                           const DomainChardevSource *source)
{
  if ((source->type == DOMAIN_CHARDEV_FILE
       || source->type == DOMAIN_CHARDEV_UNIX)
      && source->path == NULL)
    problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                "type '%s' needs <source path='...'>",
                domain_chardev_type_to_string (source->type));
}

/* The type attribute of <serial>, <console>, <channel>. */
static gboolean
parse_chardev_type (ParseCtx *ctx, const xmlNode *node,
                    DomainChardevSource *source)
{
  int type;

  if (!attr_enum (ctx, node, "type", &domain_chardev_type_table, TRUE, &type))
    return FALSE;
  source->type = type;
  return TRUE;
}

static void
parse_serial (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainSerial) serial = domain_serial_new ();
  guint problems_before = ctx->problems->len;

  serial->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("type"));
  if (!parse_chardev_type (ctx, node, &serial->source))
    return;
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "source"))
        parse_chardev_source (ctx, child, &serial->source);
      else if (node_is (child, "target"))
        {
          g_autofree char *type = attr_dup (child, "type");

          check_attributes (ctx, child, ATTRS ("type", "port"));
          if (type != NULL)
            {
              if (strcmp (type, "isa-serial") == 0)
                serial->target_isa = TRUE;
              else
                invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, child,
                               "type", type, "expected isa-serial");
            }
          PARSE_UINT (ctx, child, "port", 0, 3, FALSE, serial->target_port);
          for (const xmlNode *sub = child->children; sub != NULL;
               sub = sub->next)
            {
              g_autofree char *name = NULL;

              if (!is_child_element (ctx, child, sub)
                  || is_duplicate (ctx, sub))
                continue;
              if (!node_is (sub, "model"))
                {
                  unsupported_element (ctx, sub);
                  continue;
                }
              check_attributes (ctx, sub, ATTRS ("name"));
              check_empty (ctx, sub);
              if (!attr_string (ctx, sub, "name", TRUE, &name))
                continue;
              if (strcmp (name, "isa-serial") == 0)
                serial->target_model_isa = TRUE;
              else
                invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, sub, "name",
                               name, "expected isa-serial");
            }
        }
      else
        unsupported_element (ctx, child);
    }
  check_chardev_source_path (ctx, node, &serial->source);
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->serials, g_steal_pointer (&serial));
}

static void
parse_console (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainConsole) console = domain_console_new ();
  guint problems_before = ctx->problems->len;

  console->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("type"));
  if (!parse_chardev_type (ctx, node, &console->source))
    return;
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "source"))
        parse_chardev_source (ctx, child, &console->source);
      else if (node_is (child, "target"))
        {
          check_attributes (ctx, child, ATTRS ("type", "port"));
          check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "type", domain_console_target_type, FALSE,
                      console->target_type);
          PARSE_UINT (ctx, child, "port", 0, 30, FALSE, console->target_port);
        }
      else
        unsupported_element (ctx, child);
    }
  check_chardev_source_path (ctx, node, &console->source);
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->consoles, g_steal_pointer (&console));
}

static void
parse_channel (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainChannel) channel = domain_channel_new ();
  guint problems_before = ctx->problems->len;
  gboolean has_target = FALSE;

  channel->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("type"));
  if (!parse_chardev_type (ctx, node, &channel->source))
    return;
  if (channel->source.type == DOMAIN_CHARDEV_STDIO)
    invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, node, "type", "stdio",
                   "a channel cannot use QEMU's stdio");
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "source"))
        parse_chardev_source (ctx, child, &channel->source);
      else if (node_is (child, "target"))
        {
          g_autofree char *type = attr_dup (child, "type");

          has_target = TRUE;
          check_attributes (ctx, child, ATTRS ("type", "name"));
          check_empty (ctx, child);
          if (type == NULL)
            missing_attribute (ctx, child, "type");
          else if (strcmp (type, "virtio") != 0)
            invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, child, "type",
                           type, "expected virtio");
          if (attr_string (ctx, child, "name", TRUE, &channel->target_name))
            check_word (ctx, child, "name", channel->target_name, "_.-", 128);
        }
      else if (node_is (child, "address"))
        parse_address (ctx, child, &channel->address);
      else
        unsupported_element (ctx, child);
    }
  if (!has_target)
    missing_element (ctx, node, "target");
  if (channel->source.type == DOMAIN_CHARDEV_FILE)
    check_chardev_source_path (ctx, node, &channel->source);
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->channels, g_steal_pointer (&channel));
}

static void
parse_input (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainInput) input = NULL;
  guint problems_before = ctx->problems->len;
  int type;

  check_attributes (ctx, node, ATTRS ("type", "bus"));
  if (!attr_enum (ctx, node, "type", &domain_input_type_table, TRUE, &type))
    return;
  input = domain_input_new (type, DOMAIN_INPUT_BUS_UNSET);
  input->line = node_line (node);
  PARSE_ENUM (ctx, node, "bus", domain_input_bus, FALSE, input->bus);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "address"))
        parse_address (ctx, child, &input->address);
      else
        unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->inputs, g_steal_pointer (&input));
}

/* A TCP port attribute of <graphics>: -1 or @min..65535. */
static gboolean
attr_port (ParseCtx *ctx, const xmlNode *node, const char *name, int min,
           int *out)
{
  g_autofree char *value = attr_dup (node, name);
  guint64 port;

  if (value == NULL)
    return FALSE;
  if (strcmp (value, "-1") == 0)
    {
      *out = -1;
      return TRUE;
    }
  if (!domain_uint_parse (value, 65535, &port) || port < (guint64) min)
    {
      g_autofree char *reason =
        g_strdup_printf ("expected -1 (automatic) or a port from %d to 65535",
                         min);

      invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node, name, value,
                     reason);
      return FALSE;
    }
  *out = (int) port;
  return TRUE;
}

static void
parse_graphics (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainGraphics) graphics = domain_graphics_new ();
  g_autofree char *type = attr_dup (node, "type");
  g_autofree char *listen = NULL;
  guint problems_before = ctx->problems->len;
  int port = -1, autoport = DOMAIN_TRISTATE_UNSET;

  graphics->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("type", "port", "autoport", "websocket",
                                      "listen", "passwd", "keymap"));
  if (type == NULL)
    {
      missing_attribute (ctx, node, "type");
      return;
    }
  if (strcmp (type, "vnc") != 0)
    {
      invalid_value (ctx, enum_problem_code (type), node, "type", type,
                     "expected vnc");
      return;
    }
  attr_port (ctx, node, "port", 5900, &port);
  PARSE_ENUM (ctx, node, "autoport", domain_yes_no, FALSE, autoport);
  attr_port (ctx, node, "websocket", 1, &graphics->websocket);
  attr_string (ctx, node, "passwd", FALSE, &graphics->passwd);
  if (attr_string (ctx, node, "keymap", FALSE, &graphics->keymap))
    check_word (ctx, node, "keymap", graphics->keymap, "_-", 16);
  attr_string (ctx, node, "listen", FALSE, &listen);

  /* As libvirt: autoport='yes' wins over a port, and a port of -1 or no
   * port at all means autoport. */
  if (autoport == DOMAIN_TRISTATE_ON || (autoport == DOMAIN_TRISTATE_UNSET
                                         && port == -1))
    {
      graphics->autoport = TRUE;
      graphics->port = -1;
    }
  else if (port == -1)
    problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                "autoport='no' needs a port");
  else
    {
      graphics->autoport = FALSE;
      graphics->port = port;
    }

  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      int listen_type;

      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (!node_is (child, "listen"))
        {
          unsupported_element (ctx, child);
          continue;
        }
      check_empty (ctx, child);
      if (!attr_enum (ctx, child, "type", &domain_listen_type_table, TRUE,
                      &listen_type))
        {
          check_attributes (ctx, child, ATTRS ("type"));
          continue;
        }
      graphics->listen_type = listen_type;
      switch (graphics->listen_type)
        {
        case DOMAIN_LISTEN_ADDRESS:
          check_attributes (ctx, child, ATTRS ("type", "address"));
          attr_string (ctx, child, "address", FALSE,
                       &graphics->listen_address);
          break;
        case DOMAIN_LISTEN_SOCKET:
          check_attributes (ctx, child, ATTRS ("type", "socket"));
          attr_path (ctx, child, "socket", FALSE, &graphics->listen_socket);
          break;
        case DOMAIN_LISTEN_NONE:
          check_attributes (ctx, child, ATTRS ("type"));
          break;
        case DOMAIN_LISTEN_UNSET:
        case DOMAIN_LISTEN_LAST:
        default:
          g_assert_not_reached ();
        }
    }

  /* listen='X' is libvirt's older spelling of <listen type='address'
   * address='X'/>; both may be present and must then agree. */
  if (listen != NULL)
    {
      if (graphics->listen_type == DOMAIN_LISTEN_UNSET)
        graphics->listen_type = DOMAIN_LISTEN_ADDRESS;
      if (graphics->listen_type != DOMAIN_LISTEN_ADDRESS)
        problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                    "attribute 'listen' needs a <listen type='address'>");
      else if (graphics->listen_address == NULL)
        graphics->listen_address = g_steal_pointer (&listen);
      else if (strcmp (graphics->listen_address, listen) != 0)
        problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                    "attribute listen='%s' does not match <listen "
                    "address='%s'>", listen, graphics->listen_address);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->graphics, g_steal_pointer (&graphics));
}

static void
parse_video (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainVideo) video = domain_video_new ();
  guint problems_before = ctx->problems->len;
  gboolean has_model = FALSE;

  video->line = node_line (node);
  check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "model"))
        {
          int primary = DOMAIN_TRISTATE_UNSET;

          has_model = TRUE;
          check_attributes (ctx, child, ATTRS ("type", "vram", "heads",
                                               "primary"));
          check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "type", domain_video_model, TRUE,
                      video->model);
          PARSE_UINT (ctx, child, "vram", 1024, 1024 * 1024, FALSE,
                      video->vram);
          PARSE_UINT (ctx, child, "heads", 1, 16, FALSE, video->heads);
          PARSE_ENUM (ctx, child, "primary", domain_yes_no, FALSE, primary);
          video->primary = primary == DOMAIN_TRISTATE_ON;
        }
      else if (node_is (child, "address"))
        parse_address (ctx, child, &video->address);
      else
        unsupported_element (ctx, child);
    }
  if (!has_model)
    missing_element (ctx, node, "model");
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->videos, g_steal_pointer (&video));
}

static void
parse_rng (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainRng) rng = domain_rng_new ();
  g_autofree char *model = attr_dup (node, "model");
  guint problems_before = ctx->problems->len;
  gboolean has_backend = FALSE;

  rng->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("model"));
  if (model == NULL)
    missing_attribute (ctx, node, "model");
  else if (strcmp (model, "virtio") != 0)
    invalid_value (ctx, enum_problem_code (model), node, "model", model,
                   "expected virtio");
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "backend"))
        {
          int backend;

          has_backend = TRUE;
          check_attributes (ctx, child, ATTRS ("model"));
          if (!attr_enum (ctx, child, "model", &domain_rng_backend_table, TRUE,
                          &backend))
            continue;
          rng->backend = backend;
          if (rng->backend == DOMAIN_RNG_BACKEND_BUILTIN)
            check_empty (ctx, child);
          else
            {
              g_autofree char *path = text_content (ctx, child, FALSE);

              if (path != NULL && g_strstrip (path)[0] != '\0'
                  && check_absolute_path (ctx, child, NULL, path))
                rng->backend_path = g_strdup (path);
            }
        }
      else if (node_is (child, "rate"))
        {
          check_attributes (ctx, child, ATTRS ("bytes", "period"));
          check_empty (ctx, child);
          PARSE_UINT (ctx, child, "bytes", 1, G_MAXUINT32, TRUE,
                      rng->rate_bytes);
          PARSE_UINT (ctx, child, "period", 1, G_MAXUINT32, FALSE,
                      rng->rate_period);
        }
      else if (node_is (child, "address"))
        parse_address (ctx, child, &rng->address);
      else
        unsupported_element (ctx, child);
    }
  if (!has_backend)
    missing_element (ctx, node, "backend");
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->rngs, g_steal_pointer (&rng));
}

static void
parse_watchdog (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainWatchdog) watchdog = domain_watchdog_new ();
  guint problems_before = ctx->problems->len;

  watchdog->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("model", "action"));
  PARSE_ENUM (ctx, node, "model", domain_watchdog_model, TRUE, watchdog->model);
  PARSE_ENUM (ctx, node, "action", domain_watchdog_action, FALSE,
              watchdog->action);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "address"))
        parse_address (ctx, child, &watchdog->address);
      else
        unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->watchdogs, g_steal_pointer (&watchdog));
}

static void
parse_memballoon (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainMemballoon) memballoon = NULL;
  guint problems_before = ctx->problems->len;
  int model;

  check_attributes (ctx, node, ATTRS ("model", "autodeflate"));
  if (!attr_enum (ctx, node, "model", &domain_memballoon_model_table, TRUE,
                  &model))
    return;
  memballoon = domain_memballoon_new (model);
  memballoon->line = node_line (node);
  PARSE_ENUM (ctx, node, "autodeflate", domain_on_off, FALSE,
              memballoon->autodeflate);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child) || is_duplicate (ctx, child))
        continue;
      if (node_is (child, "stats"))
        {
          check_attributes (ctx, child, ATTRS ("period"));
          check_empty (ctx, child);
          PARSE_UINT (ctx, child, "period", 1, 86400, TRUE,
                      memballoon->stats_period);
        }
      else if (node_is (child, "address"))
        parse_address (ctx, child, &memballoon->address);
      else
        unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    def->memballoon = g_steal_pointer (&memballoon);
}

static void
parse_audio (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  g_autoptr (DomainAudio) audio = domain_audio_new ();
  g_autofree char *type = attr_dup (node, "type");
  guint problems_before = ctx->problems->len;

  audio->line = node_line (node);
  check_attributes (ctx, node, ATTRS ("id", "type"));
  check_empty (ctx, node);
  PARSE_UINT (ctx, node, "id", 1, G_MAXINT32, TRUE, audio->id);
  if (type == NULL)
    missing_attribute (ctx, node, "type");
  else if (strcmp (type, "none") != 0)
    invalid_value (ctx, enum_problem_code (type), node, "type", type,
                   "expected none");
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->audios, g_steal_pointer (&audio));
}

static void
parse_devices (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child))
        continue;
      if (node_is (child, "disk"))
        parse_disk (ctx, child, def);
      else if (node_is (child, "controller"))
        parse_controller (ctx, child, def);
      else if (node_is (child, "interface"))
        parse_interface (ctx, child, def);
      else if (node_is (child, "serial"))
        parse_serial (ctx, child, def);
      else if (node_is (child, "console"))
        parse_console (ctx, child, def);
      else if (node_is (child, "channel"))
        parse_channel (ctx, child, def);
      else if (node_is (child, "input"))
        parse_input (ctx, child, def);
      else if (node_is (child, "graphics"))
        parse_graphics (ctx, child, def);
      else if (node_is (child, "video"))
        parse_video (ctx, child, def);
      else if (node_is (child, "rng"))
        parse_rng (ctx, child, def);
      else if (node_is (child, "watchdog"))
        parse_watchdog (ctx, child, def);
      else if (node_is (child, "audio"))
        parse_audio (ctx, child, def);
      else if (node_is (child, "emulator"))
        {
          if (is_duplicate (ctx, child))
            continue;
          check_attributes (ctx, child, NO_ATTRS);
          text_path (ctx, child, &def->emulator);
        }
      else if (node_is (child, "memballoon"))
        {
          if (!is_duplicate (ctx, child))
            parse_memballoon (ctx, child, def);
        }
      else
        unsupported_element (ctx, child);
    }
}

static void
parse_qemu_commandline (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, node, child))
        continue;
      check_empty (ctx, child);
      if (node_is_qemu (child, "arg"))
        {
          g_autofree char *value = attr_dup (child, "value");

          check_attributes (ctx, child, ATTRS ("value"));
          if (value == NULL)
            missing_attribute (ctx, child, "value");
          else
            g_ptr_array_add (def->qemu_args, g_steal_pointer (&value));
        }
      else if (node_is_qemu (child, "env"))
        {
          g_autofree char *name = attr_dup (child, "name");
          DomainQemuEnv *env;

          check_attributes (ctx, child, ATTRS ("name", "value"));
          if (name == NULL)
            {
              missing_attribute (ctx, child, "name");
              continue;
            }
          if (!check_word (ctx, child, "name", name, "_", 256)
              || g_ascii_isdigit (name[0]))
            {
              if (g_ascii_isdigit (name[0]))
                invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                               "name", name,
                               "an environment variable name cannot start "
                               "with a digit");
              continue;
            }
          env = g_new0 (DomainQemuEnv, 1);
          env->name = g_steal_pointer (&name);
          env->value = attr_dup (child, "value");
          g_ptr_array_add (def->qemu_env, env);
        }
      else
        unsupported_element (ctx, child);
    }
}

static void
parse_domain (ParseCtx *ctx, const xmlNode *root, DomainDef *def)
{
  gboolean has_name = FALSE, has_memory = FALSE, has_os = FALSE;

  check_attributes (ctx, root, ATTRS ("type"));
  PARSE_ENUM (ctx, root, "type", domain_virt_type, TRUE, def->virt_type);

  for (const xmlNode *child = root->children; child != NULL;
       child = child->next)
    {
      if (!is_child_element (ctx, root, child))
        continue;
      if (node_is_qemu (child, "commandline"))
        {
          if (!is_duplicate (ctx, child))
            parse_qemu_commandline (ctx, child, def);
          continue;
        }
      if (child->ns != NULL)
        {
          unsupported_element (ctx, child);
          continue;
        }
      if (is_duplicate (ctx, child))
        continue;
      if (node_is (child, "name"))
        {
          has_name = TRUE;
          parse_name (ctx, child, def);
        }
      else if (node_is (child, "uuid"))
        parse_uuid (ctx, child, def);
      else if (node_is (child, "title"))
        parse_title (ctx, child, def);
      else if (node_is (child, "description"))
        parse_description (ctx, child, def);
      else if (node_is (child, "metadata"))
        parse_metadata (ctx, child, def);
      else if (node_is (child, "memory"))
        {
          has_memory = TRUE;
          text_size (ctx, child, &def->memory_kib);
        }
      else if (node_is (child, "currentMemory"))
        text_size (ctx, child, &def->current_memory_kib);
      else if (node_is (child, "vcpu"))
        parse_vcpu (ctx, child, def);
      else if (node_is (child, "os"))
        {
          has_os = TRUE;
          parse_os (ctx, child, &def->os);
        }
      else if (node_is (child, "features"))
        parse_features (ctx, child, &def->features);
      else if (node_is (child, "cpu"))
        parse_cpu (ctx, child, def);
      else if (node_is (child, "clock"))
        parse_clock (ctx, child, &def->clock);
      else if (node_is (child, "on_poweroff"))
        parse_lifecycle (ctx, child, &def->on_poweroff);
      else if (node_is (child, "on_reboot"))
        parse_lifecycle (ctx, child, &def->on_reboot);
      else if (node_is (child, "on_crash"))
        parse_lifecycle (ctx, child, &def->on_crash);
      else if (node_is (child, "pm"))
        parse_pm (ctx, child, &def->pm);
      else if (node_is (child, "devices"))
        parse_devices (ctx, child, def);
      else
        unsupported_element (ctx, child);
    }
  if (!has_name)
    missing_element (ctx, root, "name");
  if (!has_memory)
    missing_element (ctx, root, "memory");
  if (!has_os)
    missing_element (ctx, root, "os");
}

/* ------------------------------------------------------------------------
 * The document
 */

typedef struct {
  xmlParserCtxt *parser;
  gboolean saw_dtd;
  guint dtd_line;
  gboolean has_error;
  int error_line;
  int error_column;
  char *error_message;
} ReadState;

/* SAX hook called at <!DOCTYPE ...>: a domain never needs a DTD, and
 * refusing it up front means no entity is ever declared, let alone
 * expanded. */
static void
on_internal_subset (void *user_data, const xmlChar *name,
                    const xmlChar *external_id, const xmlChar *system_id)
{
  xmlParserCtxt *parser = user_data;
  ReadState *state = parser->_private;

  state->saw_dtd = TRUE;
  state->dtd_line = parser->input != NULL ? (guint) parser->input->line : 0;
  xmlStopParser (parser);
}

/* Records the line of elements past line 65534, which libxml2 only
 * approximates from the text that follows them. */
static void
on_start_element (void *user_data, const xmlChar *localname,
                  const xmlChar *prefix, const xmlChar *uri,
                  int nb_namespaces, const xmlChar **namespaces,
                  int nb_attributes, int nb_defaulted,
                  const xmlChar **attributes)
{
  xmlParserCtxt *parser = user_data;

  xmlSAX2StartElementNs (user_data, localname, prefix, uri, nb_namespaces,
                         namespaces, nb_attributes, nb_defaulted, attributes);
  if (parser->node != NULL && parser->input != NULL
      && parser->input->line >= 65535)
    parser->node->psvi = GUINT_TO_POINTER ((guint) parser->input->line);
}

/* Keeps the first error libxml2 reports (the cause; later ones are
 * usually consequences) and keeps libxml2 from printing it. */
static void
on_structured_error (void *user_data, xmlError *error)
{
  xmlParserCtxt *parser = user_data;
  ReadState *state = parser->_private;

  if (state->has_error || error->level == XML_ERR_WARNING)
    return;
  state->has_error = TRUE;
  state->error_line = error->line;
  state->error_column = error->int2;
  state->error_message = g_strstrip (g_strdup (error->message != NULL
                                                 ? error->message
                                                 : "unknown error"));
}

/* libxml2 reports a few errors (character encoding conversion) through
 * its generic handler, which prints to stderr; a library must not. */
static void G_GNUC_PRINTF (2, 3)
on_generic_error (void *user_data, const char *format, ...)
{
  ReadState *state = user_data;
  va_list args;

  if (state->has_error)
    return;
  state->has_error = TRUE;
  if (state->parser != NULL && state->parser->input != NULL)
    {
      state->error_line = state->parser->input->line;
      state->error_column = state->parser->input->col;
    }
  va_start (args, format);
  state->error_message = g_strstrip (g_strdup_vprintf (format, args));
  va_end (args);
}

static xmlDoc *
read_document (const char *xml, gsize len, GPtrArray *problems)
{
  ReadState state = { 0 };
  xmlGenericErrorFunc saved_handler;
  void *saved_context;
  xmlParserCtxt *parser;
  xmlDoc *doc;

  if (len > DOMAIN_XML_MAX_SIZE)
    {
      domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML, 0,
                           "the document is %" G_GSIZE_FORMAT " bytes, more "
                           "than the limit of %u bytes",
                           len, DOMAIN_XML_MAX_SIZE);
      return NULL;
    }
  if (len == 0)
    {
      domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML, 0,
                           "the document is empty");
      return NULL;
    }

  xmlInitParser ();
  parser = xmlCreateMemoryParserCtxt (xml, (int) len);
  if (parser == NULL)
    g_error ("libxml2 could not allocate a parser");
  parser->_private = &state;
  state.parser = parser;
  parser->sax->internalSubset = on_internal_subset;
  parser->sax->serror = on_structured_error;
  parser->sax->startElementNs = on_start_element;
  /* Entities stay unexpanded (no XML_PARSE_NOENT), nothing is fetched
   * (XML_PARSE_NONET, and no DTD loading), and line numbers above 65535
   * are kept. */
  xmlCtxtUseOptions (parser, XML_PARSE_NONET | XML_PARSE_NOERROR
                             | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES
                             | XML_PARSE_NOCDATA);
  /* The generic handler is per thread in libxml2: set it for this parse
   * only, and put the caller's back. */
  saved_handler = xmlGenericError;
  saved_context = xmlGenericErrorContext;
  xmlSetGenericErrorFunc (&state, on_generic_error);
  xmlParseDocument (parser);
  xmlSetGenericErrorFunc (saved_context, saved_handler);
  doc = parser->myDoc;
  parser->myDoc = NULL;

  if (state.saw_dtd)
    domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML,
                         state.dtd_line,
                         "DTDs are not allowed in domain XML (<!DOCTYPE> at "
                         "line %u)", state.dtd_line);
  else if (state.has_error || !parser->wellFormed || doc == NULL)
    domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML,
                         (guint) MAX (state.error_line, 0),
                         "malformed XML at line %d, column %d: %s",
                         state.error_line, state.error_column,
                         state.error_message != NULL ? state.error_message
                                                     : "not well-formed");
  g_free (state.error_message);
  xmlFreeParserCtxt (parser);

  if (problems->len > 0)
    {
      xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

DomainDef *
domain_def_parse_xml_report (const char *xml, gsize len, GPtrArray *problems)
{
  ParseCtx ctx = { problems };
  g_autoptr (GPtrArray) own = domain_problems_new ();
  xmlDoc *doc;
  xmlNode *root;
  DomainDef *def;

  g_return_val_if_fail (xml != NULL || len == 0, NULL);
  g_return_val_if_fail (problems != NULL, NULL);

  doc = read_document (xml, len, own);
  if (doc == NULL)
    {
      for (guint i = 0; i < own->len; i++)
        g_ptr_array_add (problems, g_ptr_array_steal_index (own, i--));
      return NULL;
    }
  root = xmlDocGetRootElement (doc);
  if (root == NULL || !node_is (root, "domain"))
    {
      g_autofree char *name = root != NULL ? node_path (root) : g_strdup ("");

      domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML,
                           root != NULL ? node_line (root) : 0,
                           "the root element is <%s>, expected <domain>",
                           name);
      xmlFreeDoc (doc);
      return NULL;
    }

  def = domain_def_new ();
  parse_domain (&ctx, root, def);
  xmlFreeDoc (doc);
  return def;
}

DomainDef *
domain_def_parse_xml (const char *xml, gsize len, GError **error)
{
  g_autoptr (GPtrArray) problems = domain_problems_new ();
  g_autoptr (DomainDef) def = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  def = domain_def_parse_xml_report (xml, len, problems);
  if (!domain_problems_propagate (problems, error))
    return NULL;
  return g_steal_pointer (&def);
}
