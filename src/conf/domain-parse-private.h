/* Internal to the domain XML parser (domain-xml.h): the parse context,
 * the strict element readers every element parser uses, and the parsers
 * of the parts of <domain>. The parts are
 *
 *   domain-parse.c          the document, <domain> and its simple
 *                           children (name, uuid, metadata...),
 *                           <qemu:commandline>
 *   domain-parse-element.c  reading one element strictly: paths and
 *                           lines for messages, attributes, content
 *   domain-parse-machine.c  <vcpu>, <os>, <features>, <cpu>, <clock>,
 *                           <pm> and the lifecycle actions
 *   domain-parse-devices.c  <devices>, addresses and <boot order>
 *   domain-parse-chardev.c  <serial>, <console>, <channel>
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "conf/markup-tree.h"

#include "conf/domain-values.h"
#include "conf/domain-xml.h"

G_BEGIN_DECLS

typedef struct {
  GPtrArray *problems;
  /* The first element of each name among its siblings, for
   * domain_parse_is_duplicate(): elements, keyed by parent, namespace
   * and name (see domain_parse_ctx_init()). */
  GHashTable *first_of_name;
} ParseCtx;

/* domain-parse-element.c: a context appending to @problems; clear it
 * with domain_parse_ctx_clear(). */
void domain_parse_ctx_init (ParseCtx *ctx, GPtrArray *problems);
void domain_parse_ctx_clear (ParseCtx *ctx);

/* domain-parse-element.c: nodes, paths and messages. Every message
 * names the element's path below <domain> and its line. */
gboolean domain_parse_node_is (const MarkupNode *node, const char *name);
gboolean domain_parse_node_is_qemu (const MarkupNode *node, const char *name);
guint domain_parse_node_line (const MarkupNode *node);
char *domain_parse_node_path (const MarkupNode *node);
void domain_parse_problem_at (ParseCtx *ctx, QvirtConfError code,
                              const MarkupNode *node, const char *format,
                              ...) G_GNUC_PRINTF (4, 5);
void domain_parse_unsupported_element (ParseCtx *ctx, const MarkupNode *node);
void domain_parse_missing_element (ParseCtx *ctx, const MarkupNode *parent,
                                   const char *name);
void domain_parse_missing_attribute (ParseCtx *ctx, const MarkupNode *node,
                                     const char *name);
void domain_parse_invalid_value (ParseCtx *ctx, QvirtConfError code,
                                 const MarkupNode *node, const char *attribute,
                                 const char *value, const char *reason);
gboolean domain_parse_is_duplicate (ParseCtx *ctx, const MarkupNode *child);

/* domain-parse-element.c: attributes. */
void domain_parse_check_attributes (ParseCtx *ctx, const MarkupNode *node,
                                    const char *const *allowed);

#define ATTRS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NO_ATTRS ((const char *const *) NULL)

char *domain_parse_attr_dup (const MarkupNode *node, const char *name);
gboolean domain_parse_attr_present (ParseCtx *ctx, const MarkupNode *node,
                                    const char *name, gboolean required);
QvirtConfError domain_parse_enum_problem_code (const char *value);
gboolean domain_parse_attr_enum (ParseCtx *ctx, const MarkupNode *node,
                                 const char *name,
                                 const DomainEnumTable *table,
                                 gboolean required, int *out);

/* Assigns an enum attribute to @lvalue when present and valid. */
#define PARSE_ENUM(ctx, node, name, prefix, required, lvalue)               \
  G_STMT_START                                                              \
  {                                                                         \
    int parsed_;                                                            \
    if (domain_parse_attr_enum ((ctx), (node), (name), &prefix##_table,     \
                                (required), &parsed_))                      \
      (lvalue) = parsed_;                                                   \
  }                                                                         \
  G_STMT_END

gboolean domain_parse_attr_uint (ParseCtx *ctx, const MarkupNode *node,
                                 const char *name, guint64 min, guint64 max,
                                 gboolean required, guint64 *out);

#define PARSE_UINT(ctx, node, name, min, max, required, lvalue)             \
  G_STMT_START                                                              \
  {                                                                         \
    guint64 parsed_;                                                        \
    if (domain_parse_attr_uint ((ctx), (node), (name), (min), (max),        \
                                (required), &parsed_))                      \
      (lvalue) = parsed_;                                                   \
  }                                                                         \
  G_STMT_END

gboolean domain_parse_attr_string (ParseCtx *ctx, const MarkupNode *node,
                                   const char *name, gboolean required,
                                   char **out);
gboolean domain_parse_check_absolute_path (ParseCtx *ctx, const MarkupNode *node,
                                           const char *attribute,
                                           const char *path);
gboolean domain_parse_attr_path (ParseCtx *ctx, const MarkupNode *node,
                                 const char *name, gboolean required,
                                 char **out);

/* domain-parse-element.c: content. */
gboolean domain_parse_is_child_element (ParseCtx *ctx, const MarkupNode *parent,
                                        const MarkupNode *child);
void domain_parse_check_empty (ParseCtx *ctx, const MarkupNode *node);
char *domain_parse_text_content (ParseCtx *ctx, const MarkupNode *node,
                                 gboolean trim);
gboolean domain_parse_text_path (ParseCtx *ctx, const MarkupNode *node,
                                 char **out);
gboolean domain_parse_text_enum (ParseCtx *ctx, const MarkupNode *node,
                                 const DomainEnumTable *table, int *out);
gboolean domain_parse_text_size (ParseCtx *ctx, const MarkupNode *node,
                                 guint64 *kib);
gboolean domain_parse_check_word (ParseCtx *ctx, const MarkupNode *node,
                                  const char *attribute, const char *value,
                                  const char *extra, gsize max_len);

/* domain-parse-machine.c */
void domain_parse_vcpu (ParseCtx *ctx, const MarkupNode *node, DomainDef *def);
void domain_parse_os (ParseCtx *ctx, const MarkupNode *node, DomainOs *os);
void domain_parse_features (ParseCtx *ctx, const MarkupNode *node,
                            DomainFeatures *features);
void domain_parse_cpu (ParseCtx *ctx, const MarkupNode *node, DomainDef *def);
void domain_parse_clock (ParseCtx *ctx, const MarkupNode *node,
                         DomainClock *clock);
void domain_parse_lifecycle (ParseCtx *ctx, const MarkupNode *node,
                             DomainLifecycleAction *action);
void domain_parse_pm (ParseCtx *ctx, const MarkupNode *node, DomainPm *pm);

/* domain-parse-devices.c */
void domain_parse_address (ParseCtx *ctx, const MarkupNode *node,
                           DomainDeviceAddress *address);
void domain_parse_devices (ParseCtx *ctx, const MarkupNode *node,
                           DomainDef *def);

/* domain-parse-chardev.c */
void domain_parse_serial (ParseCtx *ctx, const MarkupNode *node, DomainDef *def);
void domain_parse_console (ParseCtx *ctx, const MarkupNode *node,
                           DomainDef *def);
void domain_parse_channel (ParseCtx *ctx, const MarkupNode *node,
                           DomainDef *def);

G_END_DECLS
