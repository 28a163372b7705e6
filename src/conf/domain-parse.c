/* Domain XML parsing: libvirt's domain XML into a DomainDef.
 *
 * The parser walks the libxml2 tree once. Every element parser checks
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

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "conf/domain-parse-private.h"

/* ------------------------------------------------------------------------
 * Who the domain is: <name>, <uuid>, <title>, <description>, <metadata>
 */

static void
parse_name (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
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
parse_uuid (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
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
parse_title (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
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
parse_description (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  def->description = domain_parse_text_content (ctx, node, FALSE);
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

  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child))
        continue;
      if (child->ns == NULL || child->ns->href == NULL)
        {
          domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, child,
                                   "metadata elements must be in a namespace "
                                   "of their own "
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

/* ------------------------------------------------------------------------
 * <qemu:commandline>, and <domain> itself
 */

static void
parse_qemu_commandline (ParseCtx *ctx, const xmlNode *node, DomainDef *def)
{
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const xmlNode *child = node->children; child != NULL;
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
parse_domain (ParseCtx *ctx, const xmlNode *root, DomainDef *def)
{
  gboolean has_name = FALSE, has_memory = FALSE, has_os = FALSE;

  domain_parse_check_attributes (ctx, root, ATTRS ("type"));
  PARSE_ENUM (ctx, root, "type", domain_virt_type, TRUE, def->virt_type);

  for (const xmlNode *child = root->children; child != NULL;
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
  if (root == NULL || !domain_parse_node_is (root, "domain"))
    {
      g_autofree char *name = root != NULL ? domain_parse_node_path (root)
                                           : g_strdup ("");

      domain_problems_add (problems, QVIRT_CONF_ERROR_INVALID_XML,
                           root != NULL ? domain_parse_node_line (root) : 0,
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
