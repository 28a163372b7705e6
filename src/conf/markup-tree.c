/* The domain XML's tree, built by GMarkup (see markup-tree.h).
 *
 * GMarkup checks well-formedness, UTF-8, entities and character
 * references; this file adds what GMarkup leaves to its callers:
 * namespaces (declarations, prefixes resolved, duplicate expanded
 * attribute names), a DTD refused, the encoding and place of an XML
 * declaration, the characters XML 1.0 forbids, the depth limit, line
 * numbers that count a leading line break, and the tree itself.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/markup-tree.h"

#include <string.h>

G_DEFINE_QUARK (markup-tree-error-quark, markup_tree_error)

/* The xml: prefix is bound without a declaration (Namespaces in XML). */
static const MarkupNs xml_namespace = {
  .prefix = (char *) "xml",
  .href = (char *) "http://www.w3.org/XML/1998/namespace",
};

typedef struct {
  GMarkupParseContext *context;
  const char *data;              /* the document */
  gsize len;
  /* GMarkup never looks at the document's first byte for a line break:
   * 1 when that byte is one, to add to every line GMarkup reports. */
  guint line_offset;
  MarkupNode *root;
  MarkupNode *current;           /* the innermost open element */
  guint depth;
  guint passthrough_count;       /* comments, PIs... seen so far */
  /* The text node that the next text may extend, and the room in its
   * content, so that text cut by many CDATA sections stays linear. */
  MarkupNode *open_text;
  gsize open_text_len;
  gsize open_text_size;
  /* Set when a callback fails, for the position of the error. */
  guint error_line;
  guint error_column;
} Builder;

/* ------------------------------------------------------------------------
 * Nodes
 */

static MarkupNode *
node_new (Builder *builder, MarkupNodeType type)
{
  MarkupNode *node = g_new0 (MarkupNode, 1);
  int line = 0, column = 0;

  g_markup_parse_context_get_position (builder->context, &line, &column);
  /* GMarkup announces a start tag once it has read the character after
   * its '>': at the start of a line, that was the line break. The line
   * of the '>' is the element's (as other XML parsers count it). */
  if (type == MARKUP_NODE_ELEMENT && column == 1 && line > 1)
    line--;
  node->type = type;
  node->line = line > 0 ? (guint) line + builder->line_offset : 0;
  return node;
}

static void
append_child (MarkupNode *parent, MarkupNode *child)
{
  child->parent = parent;
  child->prev = parent->last;
  if (parent->last != NULL)
    parent->last->next = child;
  else
    parent->children = child;
  parent->last = child;
}

static void
node_free_one (MarkupNode *node)
{
  for (MarkupAttr *attr = node->properties, *next; attr != NULL; attr = next)
    {
      next = attr->next;
      g_free (attr->name);
      g_free (attr->value);
      g_free (attr);
    }
  for (MarkupNs *ns = node->ns_defs, *next; ns != NULL; ns = next)
    {
      next = ns->next;
      g_free (ns->prefix);
      g_free (ns->href);
      g_free (ns);
    }
  g_free (node->name);
  g_free (node->content);
  g_free (node);
}

/* Iterative: a deep tree does not deepen the stack. Leaves go first,
 * each the first child of its parent when it goes. */
void
markup_tree_free (MarkupNode *root)
{
  MarkupNode *node = root;

  while (node != NULL)
    {
      MarkupNode *parent = node->parent;
      MarkupNode *next = node->next;
      gboolean was_root = node == root;

      if (node->children != NULL)
        {
          node = node->children;
          continue;
        }
      if (!was_root && parent != NULL)
        parent->children = next;
      node_free_one (node);
      if (was_root)
        break;
      node = next != NULL ? next : parent;
    }
}

/* Raw control characters are refused before parsing (check_characters);
 * these came out of character references such as &#1;, which GMarkup
 * decodes as XML 1.1 would. */
static gboolean
check_decoded_chars (const char *text, gsize len, GError **error)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        {
          g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                       "a character reference to U+%04X, which XML 1.0 does not allow", c);
          return FALSE;
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Namespaces
 */

static const MarkupNs *
lookup_prefix (const MarkupNode *element, const char *prefix)
{
  if (prefix != NULL && strcmp (prefix, "xml") == 0)
    return &xml_namespace;
  for (const MarkupNode *e = element; e != NULL; e = e->parent)
    for (const MarkupNs *ns = e->ns_defs; ns != NULL; ns = ns->next)
      if (g_strcmp0 (ns->prefix, prefix) == 0)
        /* xmlns="" puts unprefixed names back in no namespace. */
        return *ns->href != '\0' ? ns : NULL;
  return NULL;
}

/* Splits "p:local" into prefix and local name (prefix NULL without a
 * colon). FALSE for a name with an empty part or two colons. */
static gboolean
split_qname (const char *qname, char **prefix, const char **local)
{
  const char *colon = strchr (qname, ':');

  if (colon == NULL)
    {
      *prefix = NULL;
      *local = qname;
      return TRUE;
    }
  if (colon == qname || colon[1] == '\0' || strchr (colon + 1, ':') != NULL)
    return FALSE;
  *prefix = g_strndup (qname, (gsize) (colon - qname));
  *local = colon + 1;
  return TRUE;
}

/* The declarations among @names go to @element->ns_defs, in order. */
static gboolean
declare_namespaces (MarkupNode *element, const char **names, const char **values,
                    GError **error)
{
  MarkupNs **tail = &element->ns_defs;

  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *prefix;
      MarkupNs *ns;

      if (strcmp (names[i], "xmlns") == 0)
        prefix = NULL;
      else if (g_str_has_prefix (names[i], "xmlns:"))
        prefix = names[i] + strlen ("xmlns:");
      else
        continue;
      if (prefix != NULL && (*prefix == '\0' || *values[i] == '\0' ||
                             strcmp (prefix, "xml") == 0 || strcmp (prefix, "xmlns") == 0))
        {
          g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                       "invalid namespace declaration %s='%s'", names[i], values[i]);
          return FALSE;
        }
      ns = g_new0 (MarkupNs, 1);
      ns->prefix = g_strdup (prefix);
      ns->href = g_strdup (values[i]);
      ns->owner = element;
      *tail = ns;
      tail = &ns->next;
    }
  return TRUE;
}

static gboolean
resolve (const MarkupNode *element, const char *qname, gboolean is_attribute,
         const MarkupNs **ns, const char **local, GError **error)
{
  g_autofree char *prefix = NULL;

  if (!split_qname (qname, &prefix, local))
    {
      g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                   "invalid name '%s'", qname);
      return FALSE;
    }
  /* An unprefixed attribute is in no namespace, whatever the default. */
  if (prefix == NULL && is_attribute)
    {
      *ns = NULL;
      return TRUE;
    }
  *ns = lookup_prefix (element, prefix);
  if (prefix != NULL && *ns == NULL)
    {
      g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                   "namespace prefix '%s' of '%s' is not declared", prefix, qname);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_attributes (MarkupNode *element, const char **names, const char **values,
                GError **error)
{
  MarkupAttr **tail = &element->properties;

  for (guint i = 0; names[i] != NULL; i++)
    {
      const MarkupNs *ns;
      const char *local;
      MarkupAttr *attr;

      if (strcmp (names[i], "xmlns") == 0 || g_str_has_prefix (names[i], "xmlns:"))
        continue;
      if (!resolve (element, names[i], TRUE, &ns, &local, error) ||
          !check_decoded_chars (values[i], strlen (values[i]), error))
        return FALSE;
      /* GMarkup refuses a repeated name; a repeated expanded name
       * (a:x and b:x, both prefixes bound to one URI) is ours to find. */
      for (const MarkupAttr *other = element->properties; other != NULL; other = other->next)
        if (strcmp (other->name, local) == 0 && other->ns != NULL && ns != NULL &&
            strcmp (other->ns->href, ns->href) == 0)
          {
            g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                         "attribute '%s' is repeated", names[i]);
            return FALSE;
          }
      attr = g_new0 (MarkupAttr, 1);
      attr->name = g_strdup (local);
      attr->value = g_strdup (values[i]);
      attr->ns = ns;
      *tail = attr;
      tail = &attr->next;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * GMarkup callbacks
 */

static void
on_start_element (GMarkupParseContext *context, const char *qname, const char **names,
                  const char **values, gpointer user_data, GError **error)
{
  Builder *builder = user_data;
  MarkupNode *element;
  const char *local;

  if (builder->depth >= MARKUP_TREE_MAX_DEPTH)
    {
      g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                   "elements nest more than %u deep", MARKUP_TREE_MAX_DEPTH);
      return;
    }
  if (builder->current == NULL && builder->root != NULL)
    {
      g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                   "element '%s' follows the root element", qname);
      return;
    }
  element = node_new (builder, MARKUP_NODE_ELEMENT);
  if (builder->current != NULL)
    append_child (builder->current, element);
  else
    builder->root = element;
  /* Linked first: the lookups below walk up from it, and a failure frees
   * it with the tree. */
  if (!declare_namespaces (element, names, values, error) ||
      !resolve (element, qname, FALSE, &element->ns, &local, error) ||
      !add_attributes (element, names, values, error))
    return;
  element->name = g_strdup (local);
  builder->current = element;
  builder->depth++;
}

static void
on_end_element (GMarkupParseContext *context, const char *qname, gpointer user_data,
                GError **error)
{
  Builder *builder = user_data;

  builder->current = builder->current->parent;
  builder->depth--;
}

static void
on_text (GMarkupParseContext *context, const char *text, gsize len, gpointer user_data,
         GError **error)
{
  Builder *builder = user_data;
  MarkupNode *parent = builder->current;
  MarkupNode *node;

  /* Outside the root GMarkup lets only white space through. */
  if (parent == NULL || len == 0)
    return;
  if (!check_decoded_chars (text, len, error))
    return;
  /* Text, a CDATA section, text: one text node, as a DOM has it. The
   * content grows by doubling: thousands of CDATA sections in a row must
   * not copy the text thousands of times. */
  if (parent->last != NULL && parent->last == builder->open_text)
    {
      MarkupNode *open = builder->open_text;

      if (builder->open_text_len + len + 1 > builder->open_text_size)
        {
          builder->open_text_size = MAX (builder->open_text_size * 2,
                                         builder->open_text_len + len + 1);
          open->content = g_realloc (open->content, builder->open_text_size);
        }
      memcpy (open->content + builder->open_text_len, text, len);
      builder->open_text_len += len;
      open->content[builder->open_text_len] = '\0';
      return;
    }
  node = node_new (builder, MARKUP_NODE_TEXT);
  node->content = g_strndup (text, len);
  append_child (parent, node);
  builder->open_text = node;
  builder->open_text_len = len;
  builder->open_text_size = len + 1;
}

/* The encoding named by an XML declaration, if any. */
static char *
declared_encoding (const char *declaration)
{
  const char *at = strstr (declaration, "encoding");
  char quote;
  const char *end;

  if (at == NULL)
    return NULL;
  at += strlen ("encoding");
  while (g_ascii_isspace (*at))
    at++;
  if (*at++ != '=')
    return NULL;
  while (g_ascii_isspace (*at))
    at++;
  quote = *at++;
  if (quote != '"' && quote != '\'')
    return NULL;
  end = strchr (at, quote);
  return end != NULL ? g_strndup (at, (gsize) (end - at)) : NULL;
}

/* Counts the line breaks in @data[*at, end) into *line and moves *at. */
static void
count_lines (const char *data, gsize *at, gsize end, guint *line)
{
  for (; *at < end; (*at)++)
    *line += data[*at] == '\n';
}

/* The line of the <!DOCTYPE in the document's prolog: GMarkup passes the
 * chunk as a copy, with a position that is not its start. The prolog is
 * white space, processing instructions and comments before it. */
static guint
doctype_line (const char *data, gsize len)
{
  gsize at = 0;
  guint line = 1;

  for (;;)
    {
      const char *end = NULL;
      gsize close_len = 0;

      while (at < len && g_ascii_isspace (data[at]))
        count_lines (data, &at, at + 1, &line);
      if (at + 2 <= len && memcmp (data + at, "<?", 2) == 0)
        {
          end = g_strstr_len (data + at, (gssize) (len - at), "?>");
          close_len = 2;
        }
      else if (at + 4 <= len && memcmp (data + at, "<!--", 4) == 0)
        {
          end = g_strstr_len (data + at, (gssize) (len - at), "-->");
          close_len = 3;
        }
      if (end == NULL)
        return line;
      count_lines (data, &at, (gsize) (end - data) + close_len, &line);
    }
}

/* "<?xml" followed by white space or "?>": the XML declaration, not a
 * processing instruction whose target merely starts with "xml". */
static gboolean
is_xml_declaration (const char *text, gsize len)
{
  return len > 5 && memcmp (text, "<?xml", 5) == 0 &&
         (g_ascii_isspace (text[5]) || text[5] == '?');
}

static void
on_passthrough (GMarkupParseContext *context, const char *text, gsize len,
                gpointer user_data, GError **error)
{
  Builder *builder = user_data;
  g_autofree char *chunk = g_strndup (text, len);
  gboolean first = builder->passthrough_count++ == 0;
  MarkupNode *node;

  if (g_str_has_prefix (chunk, "<!DOCTYPE"))
    {
      /* In the prolog, a DTD; anywhere else, not even that. */
      if (builder->root != NULL)
        {
          g_set_error_literal (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                               "a <!DOCTYPE> is allowed only before the root element");
          return;
        }
      builder->error_line = doctype_line (builder->data, builder->len);
      builder->error_column = 1;
      g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_DTD, "a <!DOCTYPE>");
      return;
    }
  if (is_xml_declaration (chunk, len))
    {
      /* Its encoding was checked before parsing (check_xml_declaration). */
      if (!first || !is_xml_declaration (builder->data, builder->len))
        g_set_error_literal (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                             "an XML declaration is allowed only at the start of the "
                             "document");
      return;
    }
  /* Comments and processing instructions outside the root are dropped. */
  if (builder->current == NULL)
    return;
  if (g_str_has_prefix (chunk, "<!--") && g_str_has_suffix (chunk, "-->") && len >= 7)
    {
      node = node_new (builder, MARKUP_NODE_COMMENT);
      node->content = g_strndup (chunk + 4, len - 7);
    }
  else if (g_str_has_prefix (chunk, "<?") && g_str_has_suffix (chunk, "?>") && len >= 4)
    {
      node = node_new (builder, MARKUP_NODE_PI);
      node->content = g_strndup (chunk + 2, len - 4);
    }
  else
    {
      g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                   "unsupported markup %.20s", chunk);
      return;
    }
  append_child (builder->current, node);
}

/* An XML declaration at the start of @data naming an encoding other
 * than UTF-8 (or its subset ASCII): domain XML is read as UTF-8 only.
 * Checked before parsing, since such a document has bytes that are no
 * use reporting one by one. */
static gboolean
check_xml_declaration (const char *data, gsize len, GError **error)
{
  const char *end;
  g_autofree char *declaration = NULL;
  g_autofree char *encoding = NULL;

  if (!is_xml_declaration (data, len))
    return TRUE;
  end = g_strstr_len (data, (gssize) len, "?>");
  if (end == NULL)
    return TRUE;                /* GMarkup will say what is wrong */
  declaration = g_strndup (data, (gsize) (end - data));
  encoding = declared_encoding (declaration);
  if (encoding == NULL || g_ascii_strcasecmp (encoding, "UTF-8") == 0 ||
      g_ascii_strcasecmp (encoding, "UTF8") == 0 ||
      g_ascii_strcasecmp (encoding, "US-ASCII") == 0 ||
      g_ascii_strcasecmp (encoding, "ASCII") == 0)
    return TRUE;
  g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_ENCODING,
               "the XML declaration names encoding '%s': domain XML must be UTF-8",
               encoding);
  return FALSE;
}

/* XML 1.0 allows no C0 control character but tab, line feed and carriage
 * return, nor U+FFFE or U+FFFF, anywhere in a document; GMarkup lets them
 * through. Refused here once for the whole document, where the position
 * of the offending byte is known. */
static gboolean
check_characters (const char *data, gsize len, guint *line, guint *column, GError **error)
{
  gsize line_start = 0;

  *line = 1;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];
      gunichar forbidden;

      if (c == '\n')
        {
          (*line)++;
          line_start = i + 1;
          continue;
        }
      if (c < 0x20 && c != '\t' && c != '\r')
        forbidden = c;
      else if (c == 0xef && i + 2 < len && (guchar) data[i + 1] == 0xbf &&
               ((guchar) data[i + 2] == 0xbe || (guchar) data[i + 2] == 0xbf))
        forbidden = (guchar) data[i + 2] == 0xbe ? 0xfffe : 0xffff;
      else
        continue;
      *column = (guint) (i - line_start) + 1;
      g_set_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                   "character U+%04X is not allowed in XML", forbidden);
      return FALSE;
    }
  *line = 0;
  return TRUE;
}

static const GMarkupParser parser_callbacks = {
  .start_element = on_start_element,
  .end_element = on_end_element,
  .text = on_text,
  .passthrough = on_passthrough,
};

/* "Error on line 3 char 5: Odd character “q”" -> "Odd character 'q'":
 * the position is given apart, and quotes are the ones of our other
 * messages. */
static char *
plain_message (const char *message)
{
  const char *colon = strstr (message, ": ");
  GString *plain;

  g_autofree char *valid = NULL;

  if (g_str_has_prefix (message, "Error on line ") && colon != NULL)
    message = colon + 2;
  /* GMarkup quotes the offending bytes, valid UTF-8 or not. */
  valid = g_utf8_make_valid (message, -1);
  plain = g_string_new (valid);
  g_string_replace (plain, "\u201c", "'", 0);
  g_string_replace (plain, "\u201d", "'", 0);
  return g_string_free (plain, FALSE);
}

MarkupNode *
markup_tree_parse (const char *data, gsize len, guint *line, guint *column, GError **error)
{
  Builder builder = { 0 };
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  *line = 0;
  *column = 0;
  /* A UTF-8 byte order mark says nothing GMarkup needs to read. */
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      len -= 3;
    }
  if (!check_xml_declaration (data, len, error))
    {
      /* The XML declaration comes first or not at all. */
      *line = 1;
      *column = 1;
      return NULL;
    }
  if (!check_characters (data, len, line, column, error))
    return NULL;
  builder.data = data;
  builder.len = len;
  builder.line_offset = len > 0 && data[0] == '\n';
  builder.context = g_markup_parse_context_new (&parser_callbacks,
                                                G_MARKUP_TREAT_CDATA_AS_TEXT, &builder, NULL);
  ok = g_markup_parse_context_parse (builder.context, data, (gssize) len, &local_error) &&
       g_markup_parse_context_end_parse (builder.context, &local_error);
  if (ok && builder.root == NULL)
    {
      ok = FALSE;
      g_set_error_literal (&local_error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED,
                           "the document has no element");
    }
  if (!ok)
    {
      int error_line = 0, error_column = 0;

      if (builder.error_line != 0)
        {
          *line = builder.error_line;
          *column = builder.error_column;
        }
      else
        {
          g_markup_parse_context_get_position (builder.context, &error_line, &error_column);
          *line = (guint) MAX (error_line, 0) + builder.line_offset;
          *column = (guint) MAX (error_column, 0);
        }
      if (local_error->domain == MARKUP_TREE_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        {
          g_autofree char *message = plain_message (local_error->message);

          g_set_error_literal (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED, message);
        }
      g_markup_parse_context_free (builder.context);
      markup_tree_free (builder.root);
      return NULL;
    }
  g_markup_parse_context_free (builder.context);
  return builder.root;
}

/* ------------------------------------------------------------------------
 * Reading
 */

const char *
markup_node_get_attr (const MarkupNode *node, const char *name)
{
  for (const MarkupAttr *attr = node->properties; attr != NULL; attr = attr->next)
    if (attr->ns == NULL && strcmp (attr->name, name) == 0)
      return attr->value;
  return NULL;
}

gboolean
markup_node_is_blank (const MarkupNode *node)
{
  if (node->type != MARKUP_NODE_TEXT)
    return FALSE;
  for (const char *c = node->content; *c != '\0'; c++)
    if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Writing
 */

static void
append_escaped (GString *out, const char *text, gboolean in_attribute)
{
  for (const char *c = text; *c != '\0'; c++)
    switch (*c)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '\r': g_string_append (out, "&#13;"); break;
      case '"':
        g_string_append (out, in_attribute ? "&quot;" : "\"");
        break;
      case '\n':
        g_string_append (out, in_attribute ? "&#10;" : "\n");
        break;
      case '\t':
        g_string_append (out, in_attribute ? "&#9;" : "\t");
        break;
      default: g_string_append_c (out, *c); break;
      }
}

static void
append_qname (GString *out, const MarkupNs *ns, const char *name)
{
  if (ns != NULL && ns->prefix != NULL)
    g_string_append_printf (out, "%s:", ns->prefix);
  g_string_append (out, name);
}

static void
append_declaration (GString *out, const MarkupNs *ns)
{
  g_string_append (out, ns->prefix != NULL ? " xmlns:" : " xmlns");
  if (ns->prefix != NULL)
    g_string_append (out, ns->prefix);
  g_string_append (out, "=\"");
  append_escaped (out, ns->href, TRUE);
  g_string_append_c (out, '"');
}

static gboolean
is_within (const MarkupNode *node, const MarkupNode *top)
{
  for (; node != NULL; node = node->parent)
    if (node == top)
      return TRUE;
  return FALSE;
}

static void
need_namespace (GPtrArray *needed, const MarkupNs *ns, const MarkupNode *top)
{
  if (ns == NULL || ns == &xml_namespace || is_within (ns->owner, top))
    return;
  if (!g_ptr_array_find (needed, ns, NULL))
    g_ptr_array_add (needed, (gpointer) ns);
}

/* The namespaces @top's subtree uses that are declared above it. */
static void
collect_outside_namespaces (const MarkupNode *node, const MarkupNode *top, GPtrArray *needed)
{
  if (node->type != MARKUP_NODE_ELEMENT)
    return;
  need_namespace (needed, node->ns, top);
  for (const MarkupAttr *attr = node->properties; attr != NULL; attr = attr->next)
    need_namespace (needed, attr->ns, top);
  for (const MarkupNode *child = node->children; child != NULL; child = child->next)
    collect_outside_namespaces (child, top, needed);
}

static void
serialize (GString *out, const MarkupNode *node, const MarkupNode *top)
{
  switch (node->type)
    {
    case MARKUP_NODE_TEXT:
      append_escaped (out, node->content, FALSE);
      return;
    case MARKUP_NODE_COMMENT:
      g_string_append_printf (out, "<!--%s-->", node->content);
      return;
    case MARKUP_NODE_PI:
      g_string_append_printf (out, "<?%s?>", node->content);
      return;
    case MARKUP_NODE_ELEMENT:
    default:
      break;
    }

  g_string_append_c (out, '<');
  append_qname (out, node->ns, node->name);
  for (const MarkupNs *ns = node->ns_defs; ns != NULL; ns = ns->next)
    append_declaration (out, ns);
  if (node == top)
    {
      g_autoptr(GPtrArray) needed = g_ptr_array_new ();

      collect_outside_namespaces (node, top, needed);
      for (guint i = 0; i < needed->len; i++)
        append_declaration (out, needed->pdata[i]);
    }
  for (const MarkupAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      g_string_append_c (out, ' ');
      append_qname (out, attr->ns, attr->name);
      g_string_append (out, "=\"");
      append_escaped (out, attr->value, TRUE);
      g_string_append_c (out, '"');
    }
  if (node->children == NULL)
    {
      g_string_append (out, "/>");
      return;
    }
  g_string_append_c (out, '>');
  for (const MarkupNode *child = node->children; child != NULL; child = child->next)
    serialize (out, child, top);
  g_string_append (out, "</");
  append_qname (out, node->ns, node->name);
  g_string_append_c (out, '>');
}

char *
markup_node_serialize (const MarkupNode *node)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node->type == MARKUP_NODE_ELEMENT, g_string_free (out, FALSE));
  serialize (out, node, node);
  return g_string_free (out, FALSE);
}
