/* The XML tree under the domain XML parser (src/conf/markup-tree.c):
 * namespaces, lines, text, refusals, limits, and the serializer that
 * keeps <metadata>. */
#include <string.h>

#include "conf/markup-tree.h"

static MarkupNode *
parse_ok (const char *xml)
{
  g_autoptr (GError) error = NULL;
  guint line, column;
  MarkupNode *root = markup_tree_parse (xml, strlen (xml), &line, &column, &error);

  g_assert_no_error (error);
  g_assert_nonnull (root);
  return root;
}

static void
assert_refused (const char *xml, MarkupTreeError code, guint expected_line,
                const char *message_part)
{
  g_autoptr (GError) error = NULL;
  guint line, column;
  MarkupNode *root = markup_tree_parse (xml, strlen (xml), &line, &column, &error);

  g_assert_null (root);
  g_assert_error (error, MARKUP_TREE_ERROR, (int) code);
  {
    g_autofree char *escaped = g_strescape (xml, NULL);

    g_test_message ("%s -> line %u column %u: %s", escaped, line, column, error->message);
  }
  g_assert_cmpuint (line, ==, expected_line);
  g_assert_nonnull (strstr (error->message, message_part));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static const MarkupNode *
first_element (const MarkupNode *parent)
{
  for (const MarkupNode *child = parent->children; child != NULL; child = child->next)
    if (child->type == MARKUP_NODE_ELEMENT)
      return child;
  return NULL;
}

static void
test_namespaces (void)
{
  g_autoptr (MarkupNode) root = parse_ok (
    "<domain xmlns:q='urn:q' a='1' q:b='2' xml:lang='en'>\n"
    "  <q:x xmlns='urn:default'><y/></q:x>\n"
    "</domain>\n");
  const MarkupNode *x = first_element (root);
  const MarkupNode *y = first_element (x);

  g_assert_null (root->ns);
  g_assert_cmpstr (markup_node_get_attr (root, "a"), ==, "1");
  /* In a namespace: not an attribute "b" of no namespace. */
  g_assert_null (markup_node_get_attr (root, "b"));
  g_assert_null (markup_node_get_attr (root, "xmlns:q"));
  g_assert_cmpstr (root->properties->next->ns->href, ==, "urn:q");
  g_assert_cmpstr (root->properties->next->next->ns->prefix, ==, "xml");
  g_assert_cmpstr (x->name, ==, "x");
  g_assert_cmpstr (x->ns->href, ==, "urn:q");
  g_assert_cmpuint (x->line, ==, 2);
  /* A default namespace applies to unprefixed elements below. */
  g_assert_cmpstr (y->ns->href, ==, "urn:default");
  g_assert_null (y->ns->prefix);
}

static void
test_text_and_comments (void)
{
  g_autoptr (MarkupNode) root = parse_ok (
    "<?xml version='1.0' encoding='utf-8'?>\n<!-- before -->\n"
    "<a>x &amp; <![CDATA[<y>]]> &#65;<!-- c --><?pi data?></a>");
  const MarkupNode *text = root->children;

  g_assert_cmpint (text->type, ==, MARKUP_NODE_TEXT);
  g_assert_cmpstr (text->content, ==, "x & <y> A");
  g_assert_cmpint (text->next->type, ==, MARKUP_NODE_COMMENT);
  g_assert_cmpstr (text->next->content, ==, " c ");
  g_assert_cmpint (text->next->next->type, ==, MARKUP_NODE_PI);
  g_assert_null (text->next->next->next);
}

static void
test_refusals (void)
{
  assert_refused ("<a>\n<b></a>", MARKUP_TREE_ERROR_MALFORMED, 2, "closed");
  assert_refused ("<a>&nope;</a>", MARKUP_TREE_ERROR_MALFORMED, 1, "nope");
  assert_refused ("<a>\n  <p:b/>\n</a>", MARKUP_TREE_ERROR_MALFORMED, 2,
                  "prefix 'p' of 'p:b' is not declared");
  assert_refused ("<a xmlns:p='urn:1' xmlns:q='urn:1' p:x='1' q:x='2'/>",
                  MARKUP_TREE_ERROR_MALFORMED, 1, "repeated");
  assert_refused ("<a xmlns:p=''/>", MARKUP_TREE_ERROR_MALFORMED, 1, "namespace declaration");
  assert_refused ("\n<!DOCTYPE a [\n<!ENTITY x 'y'>\n]>\n<a/>", MARKUP_TREE_ERROR_DTD, 2,
                  "DOCTYPE");
  assert_refused ("<?xml version='1.0' encoding='latin1'?><a/>", MARKUP_TREE_ERROR_ENCODING,
                  1, "latin1");
  assert_refused ("<a>\xff</a>", MARKUP_TREE_ERROR_MALFORMED, 1, "UTF-8");
  assert_refused ("  ", MARKUP_TREE_ERROR_MALFORMED, 1, "empty");
  assert_refused ("<a/>\n<b/>", MARKUP_TREE_ERROR_MALFORMED, 2, "follows the root");
  assert_refused ("<a>\n<!DOCTYPE a></a>", MARKUP_TREE_ERROR_MALFORMED, 2,
                  "only before the root element");
  assert_refused ("<!-- first -->\n<?xml version='1.0'?><a/>", MARKUP_TREE_ERROR_MALFORMED,
                  2, "only at the start");
}

/* XML 1.0 forbids most control characters; GMarkup alone would take
 * them, raw or as character references. */
static void
test_forbidden_characters (void)
{
  static const char with_nul[] = "<a>\n  x\0</a>";
  g_autoptr (GError) error = NULL;
  guint line, column;

  assert_refused ("<a>\x01</a>", MARKUP_TREE_ERROR_MALFORMED, 1, "U+0001");
  assert_refused ("<a>\n  <b x='\x1f'/></a>", MARKUP_TREE_ERROR_MALFORMED, 2, "U+001F");
  assert_refused ("<a>\xef\xbf\xbf</a>", MARKUP_TREE_ERROR_MALFORMED, 1, "U+FFFF");
  assert_refused ("<a>\n&#x1b;</a>", MARKUP_TREE_ERROR_MALFORMED, 2, "U+001B");
  assert_refused ("<a b='&#8;'/>", MARKUP_TREE_ERROR_MALFORMED, 1, "U+0008");

  g_assert_null (markup_tree_parse (with_nul, sizeof with_nul - 1, &line, &column, &error));
  g_assert_error (error, MARKUP_TREE_ERROR, MARKUP_TREE_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "character U+0000 is not allowed in XML");
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, 4);

  /* Tab, line feed and carriage return are characters like any other. */
  g_autoptr (MarkupNode) root = parse_ok ("<a b='&#9;&#10;&#13;'>\t\r\n&#13;</a>");
  g_assert_cmpstr (markup_node_get_attr (root, "b"), ==, "\t\n\r");
  g_assert_cmpstr (root->children->content, ==, "\t\n\r");
}

/* An element's line is the line of the '>' of its start tag, a leading
 * line break included (GMarkup alone does not count that one). */
static void
test_lines (void)
{
  g_autoptr (MarkupNode) root = parse_ok ("\n\n<a>\n  <b\n     x='1'/>\n  <c>t</c></a>");
  const MarkupNode *b = first_element (root);

  g_assert_cmpuint (root->line, ==, 3);
  g_assert_cmpuint (b->line, ==, 5);
  g_assert_cmpuint (b->next->next->line, ==, 6);
  assert_refused ("\n<a>\n<b></a>", MARKUP_TREE_ERROR_MALFORMED, 3, "closed");
}

/* Text cut by many CDATA sections is one text node (and building it
 * does not copy the text once per section). */
static void
test_cdata_sections (void)
{
  g_autoptr (GString) xml = g_string_new ("<a>");
  g_autoptr (MarkupNode) root = NULL;
  const guint sections = 100000;

  for (guint i = 0; i < sections; i++)
    g_string_append (xml, "<![CDATA[<x>]]>");
  g_string_append (xml, "</a>");
  root = parse_ok (xml->str);
  g_assert_nonnull (root->children);
  g_assert_null (root->children->next);
  g_assert_cmpuint (strlen (root->children->content), ==, sections * 3);
  g_assert_true (g_str_has_prefix (root->children->content, "<x><x>"));
}

/* Hostile nesting is refused before it is deep enough to matter; the
 * limit itself is fine, and freeing a deep tree does not recurse. */
static void
test_depth_limit (void)
{
  g_autoptr (GString) deep = g_string_new (NULL);
  g_autoptr (GString) too_deep = g_string_new (NULL);
  g_autoptr (MarkupNode) root = NULL;

  for (guint i = 0; i < MARKUP_TREE_MAX_DEPTH; i++)
    g_string_append (deep, "<a>");
  for (guint i = 0; i < MARKUP_TREE_MAX_DEPTH; i++)
    g_string_append (deep, "</a>");
  root = parse_ok (deep->str);

  for (guint i = 0; i <= MARKUP_TREE_MAX_DEPTH; i++)
    g_string_append (too_deep, "<a>");
  assert_refused (too_deep->str, MARKUP_TREE_ERROR_MALFORMED, 1, "nest more than");
}

static void
test_byte_order_mark (void)
{
  g_autoptr (MarkupNode) root = parse_ok ("\xef\xbb\xbf<a/>");

  g_assert_cmpstr (root->name, ==, "a");
}

/* An element on its own: the namespaces declared above it come along,
 * escaping is right, and the output reads back to itself. */
static void
test_serialize (void)
{
  g_autoptr (MarkupNode) root = parse_ok (
    "<domain xmlns:app='urn:app' xmlns:x='urn:x'><metadata>"
    "<app:e a='1 &lt; 2' x:b='&quot;&#10;' xmlns:own='urn:own'>"
    "t &amp; &lt;u&gt;<own:z/><!--c--><app:empty></app:empty></app:e>"
    "</metadata></domain>");
  const MarkupNode *e = first_element (first_element (root));
  g_autofree char *once = markup_node_serialize (e);
  g_autoptr (MarkupNode) again = parse_ok (once);
  g_autofree char *twice = markup_node_serialize (again);

  g_assert_cmpstr (once, ==,
                   "<app:e xmlns:own=\"urn:own\" xmlns:app=\"urn:app\" xmlns:x=\"urn:x\" "
                   "a=\"1 &lt; 2\" x:b=\"&quot;&#10;\">t &amp; &lt;u&gt;<own:z/><!--c-->"
                   "<app:empty/></app:e>");
  g_assert_cmpstr (twice, ==, once);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conf/markup-tree/namespaces", test_namespaces);
  g_test_add_func ("/conf/markup-tree/text-and-comments", test_text_and_comments);
  g_test_add_func ("/conf/markup-tree/refusals", test_refusals);
  g_test_add_func ("/conf/markup-tree/forbidden-characters", test_forbidden_characters);
  g_test_add_func ("/conf/markup-tree/lines", test_lines);
  g_test_add_func ("/conf/markup-tree/cdata-sections", test_cdata_sections);
  g_test_add_func ("/conf/markup-tree/depth-limit", test_depth_limit);
  g_test_add_func ("/conf/markup-tree/byte-order-mark", test_byte_order_mark);
  g_test_add_func ("/conf/markup-tree/serialize", test_serialize);
  return g_test_run ();
}
