/* A read-only XML tree for the domain XML parser, built with GLib's
 * GMarkup: elements with their namespaces resolved, attributes, text
 * (CDATA included), comments and processing instructions, each with its
 * line.
 *
 * What GMarkup reads is XML without a DTD: the five predefined entities
 * and character references, no other entity, nothing fetched. UTF-8
 * only; an XML declaration naming another encoding is refused, and so
 * is one anywhere but at the start. A <!DOCTYPE> in the prolog is
 * reported as such (MARKUP_TREE_ERROR_DTD). Characters XML 1.0 forbids
 * (C0 controls but tab, LF and CR; U+FFFE, U+FFFF), which GMarkup lets
 * through, are refused, raw or as character references. Elements nest
 * at most MARKUP_TREE_MAX_DEPTH deep, so hostile input cannot exhaust
 * the stack of code that recurses over the tree.
 *
 * Not checked (GMarkup accepts them, XML 1.0 does not): "]]>" in text,
 * "--" inside a comment.
 *
 * The field names follow the usual DOM ones (type, name, ns, children,
 * next, prev, parent, properties, content, line).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MARKUP_TREE_MAX_DEPTH 256

typedef enum {
  MARKUP_NODE_ELEMENT,
  MARKUP_NODE_TEXT,       /* character data, CDATA sections included */
  MARKUP_NODE_COMMENT,    /* content: what is between <!-- and --> */
  MARKUP_NODE_PI,         /* content: what is between <? and ?> */
} MarkupNodeType;

/* A namespace declaration (xmlns or xmlns:prefix) in the document. The
 * elements and attributes in it point to this one struct. */
typedef struct _MarkupNs {
  char *prefix;                  /* NULL for a default namespace */
  char *href;
  struct _MarkupNode *owner;     /* the element that declares it; NULL
                                    for the predefined xml: prefix */
  struct _MarkupNs *next;        /* the next declaration of owner */
} MarkupNs;

typedef struct _MarkupAttr {
  char *name;                    /* local name */
  char *value;
  const MarkupNs *ns;            /* NULL: no namespace */
  struct _MarkupAttr *next;
} MarkupAttr;

typedef struct _MarkupNode {
  MarkupNodeType type;
  char *name;                    /* elements: local name */
  const MarkupNs *ns;            /* elements: NULL when in no namespace */
  MarkupNs *ns_defs;             /* elements: the declarations on it */
  MarkupAttr *properties;        /* elements: attributes, xmlns* excluded */
  char *content;                 /* text, comments, processing instructions */
  guint line;                    /* where the node (an element's start tag) ends */
  struct _MarkupNode *parent;
  struct _MarkupNode *children;
  struct _MarkupNode *last;      /* last child */
  struct _MarkupNode *next;
  struct _MarkupNode *prev;
} MarkupNode;

#define MARKUP_TREE_ERROR (markup_tree_error_quark ())
GQuark markup_tree_error_quark (void);

typedef enum {
  MARKUP_TREE_ERROR_MALFORMED,   /* not well-formed; line and column set */
  MARKUP_TREE_ERROR_DTD,         /* a <!DOCTYPE>; line set */
  MARKUP_TREE_ERROR_ENCODING,    /* a declared encoding other than UTF-8 */
} MarkupTreeError;

/**
 * markup_tree_parse:
 * @data: the document; need not be NUL-terminated
 * @len: its length in bytes
 * @line: (out): where the error is, when there is one (0 if unknown)
 * @column: (out): idem, 1-based (in bytes; GMarkup's own errors count
 *   a line's line break as its column 1)
 * @error: return location; the message does not repeat line and column
 *
 * Returns: (transfer full) (nullable): the root element, or NULL with
 *   @error set. Free it with markup_tree_free().
 */
MarkupNode *markup_tree_parse (const char *data, gsize len, guint *line, guint *column,
                               GError **error);

/** Frees a tree returned by markup_tree_parse() (its root). */
void markup_tree_free (MarkupNode *root);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MarkupNode, markup_tree_free)

/**
 * markup_node_get_attr:
 *
 * Returns: (transfer none) (nullable): the value of the attribute @name
 *   in no namespace, or NULL if @node has none.
 */
const char *markup_node_get_attr (const MarkupNode *node, const char *name);

/**
 * markup_node_serialize:
 * @node: an element
 *
 * Writes @node and what it contains as a document fragment that stands
 * alone: the namespaces it and its descendants use that are declared on
 * an ancestor are declared on it, after its own declarations. Attribute
 * values are double-quoted. Serializing what this returns, parsed again,
 * gives the same string.
 *
 * Returns: (transfer full): the fragment
 */
char *markup_node_serialize (const MarkupNode *node);

/** TRUE if @node is text made of XML white space only. */
gboolean markup_node_is_blank (const MarkupNode *node);

G_END_DECLS
