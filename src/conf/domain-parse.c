/* Domain XML parsing: libvirt's domain XML into a DomainDef.
 *
 * The parser walks the document's tree (markup-tree.h) once. Every element parser checks
 * its attributes against the list it supports, then dispatches on its
 * children; anything else is reported. Problems are collected rather
 * than returned at once so that `qvirt validate` can list all of them;
 * domain_def_parse_xml() turns the first into a GError. An element with
 * a problem is left out (or left partly filled), never half-linked.
 *
 * The parser's parts, one file each, are listed in
 * domain-parse-private.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-xml.h"

#include <string.h>

#include "conf/domain-parse-private.h"

/* ------------------------------------------------------------------------
 * Who the domain is: <name>, <uuid>, <title>, <description>, <metadata>
 */

static void
parse_name (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autofree char *name = NULL;
  const char *reason = NULL;

  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  name = domain_parse_text_content (ctx, node, FALSE);
  if (name == NULL)
    return;
  if (!domain_name_is_valid (name, &reason))
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  NULL, name, reason);
      return;
    }
  def->name = g_steal_pointer (&name);
}

static void
parse_uuid (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autofree char *text = NULL;
  char *uuid;

  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  text = domain_parse_text_content (ctx, node, TRUE);
  if (text == NULL)
    return;
  uuid = domain_uuid_normalize (text);
  if (uuid == NULL)
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  NULL, text,
                                  "expected a UUID (32 hex digits, "
                                  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
      return;
    }
  def->uuid = uuid;
}

static void
parse_title (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autofree char *title = NULL;

  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  title = domain_parse_text_content (ctx, node, FALSE);
  if (title == NULL)
    return;
  if (strpbrk (title, "\r\n") != NULL)
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  NULL, title, "a title is a single line");
      return;
    }
  def->title = g_steal_pointer (&title);
}

static void
parse_description (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  def->description = domain_parse_text_content (ctx, node, FALSE);
}

static void
parse_metadata (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child))
        continue;
      if (child->ns == NULL)
        {
          domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                                   "metadata elements must be in a namespace "
                                   "of their own "
                                   "(xmlns:app='https://example.org/app')");
          continue;
        }
      /* On its own, with the declarations of the namespaces it uses. */
      g_ptr_array_add (parts, markup_node_serialize (child));
    }
  if (parts->len == 0)
    return;
  g_ptr_array_add (parts, NULL);
  /* Joined the way domain_def_format_xml() indents them, so that
   * formatting and parsing again gives the same string. */
  def->metadata = g_strjoinv ("\n    ", (char **) parts->pdata);
}

/* ------------------------------------------------------------------------
 * <qemu:commandline>, and <domain> itself
 */

static void
parse_qemu_commandline (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child))
        continue;
      domain_parse_check_empty (ctx, child);
      if (domain_parse_node_is_qemu (child, "arg"))
        {
          g_autofree char *value = domain_parse_attr_dup (child, "value");

          domain_parse_check_attributes (ctx, child, ATTRS ("value"));
          if (value == NULL)
            domain_parse_missing_attribute (ctx, child, "value");
          else
            g_ptr_array_add (def->qemu_args, g_steal_pointer (&value));
        }
      else if (domain_parse_node_is_qemu (child, "env"))
        {
          g_autofree char *name = domain_parse_attr_dup (child, "name");
          DomainQemuEnv *env;

          domain_parse_check_attributes (ctx, child, ATTRS ("name", "value"));
          if (name == NULL)
            {
              domain_parse_missing_attribute (ctx, child, "name");
              continue;
            }
          if (!domain_parse_check_word (ctx, child, "name", name, "_", 256)
              || g_ascii_isdigit (name[0]))
            {
              if (g_ascii_isdigit (name[0]))
                domain_parse_invalid_value (ctx,
                                            QVIRT_CONF_ERROR_INVALID_VALUE,
                                            child, "name", name,
                                            "an environment variable name "
                                            "cannot start with a digit");
              continue;
            }
          env = g_new0 (DomainQemuEnv, 1);
          env->name = g_steal_pointer (&name);
          env->value = domain_parse_attr_dup (child, "value");
          g_ptr_array_add (def->qemu_env, env);
        }
      else
        domain_parse_unsupported_element (ctx, child);
    }
}

static void
parse_domain (ParseCtx *ctx, const MarkupNode *root, DomainDef *def)
{
  gboolean has_name = FALSE, has_memory = FALSE, has_os = FALSE;

  domain_parse_check_attributes (ctx, root, ATTRS ("type"));
  PARSE_ENUM (ctx, root, "type", domain_virt_type, TRUE, def->virt_type);

  for (const MarkupNode *child = root->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, root, child))
        continue;
      if (domain_parse_node_is_qemu (child, "commandline"))
        {
          if (!domain_parse_is_duplicate (ctx, child))
            parse_qemu_commandline (ctx, child, def);
          continue;
        }
      if (child->ns != NULL)
        {
          domain_parse_unsupported_element (ctx, child);
          continue;
        }
      if (domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "name"))
        {
          has_name = TRUE;
          parse_name (ctx, child, def);
        }
      else if (domain_parse_node_is (child, "uuid"))
        parse_uuid (ctx, child, def);
      else if (domain_parse_node_is (child, "title"))
        parse_title (ctx, child, def);
      else if (domain_parse_node_is (child, "description"))
        parse_description (ctx, child, def);
      else if (domain_parse_node_is (child, "metadata"))
        parse_metadata (ctx, child, def);
      else if (domain_parse_node_is (child, "memory"))
        {
          has_memory = TRUE;
          domain_parse_text_size (ctx, child, &def->memory_kib);
        }
      else if (domain_parse_node_is (child, "currentMemory"))
        domain_parse_text_size (ctx, child, &def->current_memory_kib);
      else if (domain_parse_node_is (child, "vcpu"))
        domain_parse_vcpu (ctx, child, def);
      else if (domain_parse_node_is (child, "os"))
        {
          has_os = TRUE;
          domain_parse_os (ctx, child, &def->os);
        }
      else if (domain_parse_node_is (child, "features"))
        domain_parse_features (ctx, child, &def->features);
      else if (domain_parse_node_is (child, "cpu"))
        domain_parse_cpu (ctx, child, def);
      else if (domain_parse_node_is (child, "clock"))
        domain_parse_clock (ctx, child, &def->clock);
      else if (domain_parse_node_is (child, "on_poweroff"))
        domain_parse_lifecycle (ctx, child, &def->on_poweroff);
      else if (domain_parse_node_is (child, "on_reboot"))
        domain_parse_lifecycle (ctx, child, &def->on_reboot);
      else if (domain_parse_node_is (child, "on_crash"))
        domain_parse_lifecycle (ctx, child, &def->on_crash);
      else if (domain_parse_node_is (child, "pm"))
        domain_parse_pm (ctx, child, &def->pm);
      else if (domain_parse_node_is (child, "devices"))
        domain_parse_devices (ctx, child, def);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (!has_name)
    domain_parse_missing_element (ctx, root, "name");
  if (!has_memory)
    domain_parse_missing_element (ctx, root, "memory");
  if (!has_os)
    domain_parse_missing_element (ctx, root, "os");
}

/* ------------------------------------------------------------------------
 * The document
 */

/* The document's tree, or NULL with the reason in @problems. */
static MarkupNode *
read_document (const char *xml, gsize len, GPtrArray *problems)
{
  g_autoptr (GError) error = NULL;
  MarkupNode *root;
  guint line, column;

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

  root = markup_tree_parse (xml, len, &line, &column, &error);
  if (root != NULL)
    return root;
  if (g_error_matches (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_DTD))
    domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML, line,
                         "DTDs are not allowed in domain XML (<!DOCTYPE> at "
                         "line %u)", line);
  else if (g_error_matches (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_ENCODING))
    domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML, line,
                         "%s (line %u)", error->message, line);
  else
    domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML, line,
                         "malformed XML at line %u, column %u: %s",
                         line, column, error->message);
  return NULL;
}

DomainDef *
domain_def_parse_xml_report (const char *xml, gsize len, GPtrArray *problems)
{
  ParseCtx ctx;
  g_autoptr (GPtrArray) own = domain_problems_new ();
  g_autoptr (MarkupNode) root = NULL;
  DomainDef *def;

  g_return_val_if_fail (xml != NULL || len == 0, NULL);
  g_return_val_if_fail (problems != NULL, NULL);

  root = read_document (xml, len, own);
  if (root == NULL)
    {
      for (guint i = 0; i < own->len; i++)
        g_ptr_array_add (problems, g_ptr_array_steal_index (own, i--));
      return NULL;
    }
  if (!domain_parse_node_is (root, "domain"))
    {
      g_autofree char *name = domain_parse_node_path (root);

      domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML,
                           domain_parse_node_line (root),
                           "the root element is <%s>, expected <domain>",
                           name);
      return NULL;
    }

  def = domain_def_new ();
  domain_parse_ctx_init (&ctx, problems);
  parse_domain (&ctx, root, def);
  domain_parse_ctx_clear (&ctx);
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
