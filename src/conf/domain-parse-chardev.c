/* The domain XML of character devices: <serial>, <console> and
 * <channel>, with their <source> and <target>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-parse-private.h"

#include <string.h>

/* <source> of a character device, by the device's type. */
static void
parse_chardev_source (ParseCtx *ctx, const MarkupNode *node,
                      DomainChardevSource *source)
{
  domain_parse_check_empty (ctx, node);
  switch (source->type)
    {
    case DOMAIN_CHARDEV_FILE:
      domain_parse_check_attributes (ctx, node, ATTRS ("path", "append"));
      domain_parse_attr_path (ctx, node, "path", TRUE, &source->path);
      PARSE_ENUM (ctx, node, "append", domain_on_off, FALSE, source->append);
      break;
    case DOMAIN_CHARDEV_UNIX:
      domain_parse_check_attributes (ctx, node, ATTRS ("mode", "path"));
      PARSE_ENUM (ctx, node, "mode", domain_chardev_mode, FALSE, source->mode);
      domain_parse_attr_path (ctx, node, "path", FALSE, &source->path);
      break;
    case DOMAIN_CHARDEV_PTY:
    case DOMAIN_CHARDEV_NULL:
    case DOMAIN_CHARDEV_STDIO:
      domain_parse_check_attributes (ctx, node, NO_ATTRS);
      break;
    case DOMAIN_CHARDEV_LAST:
    default:
      g_assert_not_reached ();
    }
}

/* Files and sockets need a path, except the socket of a channel, which
 * the driver may choose. */
static void
check_chardev_source_path (ParseCtx *ctx, const MarkupNode *node,
                           const DomainChardevSource *source)
{
  if ((source->type == DOMAIN_CHARDEV_FILE
       || source->type == DOMAIN_CHARDEV_UNIX)
      && source->path == NULL)
    domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                             "type '%s' needs <source path='...'>",
                             domain_chardev_type_to_string (source->type));
}

/* The type attribute of <serial>, <console>, <channel>. */
static gboolean
parse_chardev_type (ParseCtx *ctx, const MarkupNode *node,
                    DomainChardevSource *source)
{
  int type;

  if (!domain_parse_attr_enum (ctx, node, "type", &domain_chardev_type_table,
                               TRUE, &type))
    return FALSE;
  source->type = type;
  return TRUE;
}

void
domain_parse_serial (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainSerial) serial = domain_serial_new ();
  guint problems_before = ctx->problems->len;

  serial->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("type"));
  if (!parse_chardev_type (ctx, node, &serial->source))
    return;
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "source"))
        parse_chardev_source (ctx, child, &serial->source);
      else if (domain_parse_node_is (child, "target"))
        {
          g_autofree char *type = domain_parse_attr_dup (child, "type");

          domain_parse_check_attributes (ctx, child, ATTRS ("type", "port"));
          if (type != NULL)
            {
              if (strcmp (type, "isa-serial") == 0)
                serial->target_isa = TRUE;
              else
                domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED,
                                            child, "type", type,
                                            "expected isa-serial");
            }
          PARSE_UINT (ctx, child, "port", 0, 3, FALSE, serial->target_port);
          for (const MarkupNode *sub = child->children; sub != NULL;
               sub = sub->next)
            {
              g_autofree char *name = NULL;

              if (!domain_parse_is_child_element (ctx, child, sub)
                  || domain_parse_is_duplicate (ctx, sub))
                continue;
              if (!domain_parse_node_is (sub, "model"))
                {
                  domain_parse_unsupported_element (ctx, sub);
                  continue;
                }
              domain_parse_check_attributes (ctx, sub, ATTRS ("name"));
              domain_parse_check_empty (ctx, sub);
              if (!domain_parse_attr_string (ctx, sub, "name", TRUE, &name))
                continue;
              if (strcmp (name, "isa-serial") == 0)
                serial->target_model_isa = TRUE;
              else
                domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED,
                                            sub, "name", name,
                                            "expected isa-serial");
            }
        }
      else
        domain_parse_unsupported_element (ctx, child);
    }
  check_chardev_source_path (ctx, node, &serial->source);
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->serials, g_steal_pointer (&serial));
}

void
domain_parse_console (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainConsole) console = domain_console_new ();
  guint problems_before = ctx->problems->len;

  console->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("type"));
  if (!parse_chardev_type (ctx, node, &console->source))
    return;
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "source"))
        parse_chardev_source (ctx, child, &console->source);
      else if (domain_parse_node_is (child, "target"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("type", "port"));
          domain_parse_check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "type", domain_console_target_type, FALSE,
                      console->target_type);
          PARSE_UINT (ctx, child, "port", 0, 30, FALSE, console->target_port);
        }
      else
        domain_parse_unsupported_element (ctx, child);
    }
  check_chardev_source_path (ctx, node, &console->source);
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->consoles, g_steal_pointer (&console));
}

void
domain_parse_channel (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainChannel) channel = domain_channel_new ();
  guint problems_before = ctx->problems->len;
  gboolean has_target = FALSE;

  channel->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("type"));
  if (!parse_chardev_type (ctx, node, &channel->source))
    return;
  if (channel->source.type == DOMAIN_CHARDEV_STDIO)
    domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, node,
                                "type", "stdio",
                                "a channel cannot use QEMU's stdio");
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "source"))
        parse_chardev_source (ctx, child, &channel->source);
      else if (domain_parse_node_is (child, "target"))
        {
          g_autofree char *type = domain_parse_attr_dup (child, "type");

          has_target = TRUE;
          domain_parse_check_attributes (ctx, child, ATTRS ("type", "name"));
          domain_parse_check_empty (ctx, child);
          if (type == NULL)
            domain_parse_missing_attribute (ctx, child, "type");
          else if (strcmp (type, "virtio") != 0)
            domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED,
                                        child, "type", type,
                                        "expected virtio");
          if (domain_parse_attr_string (ctx, child, "name", TRUE,
                                        &channel->target_name))
            domain_parse_check_word (ctx, child, "name", channel->target_name,
                                     "_.-", 128);
        }
      else if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &channel->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (!has_target)
    domain_parse_missing_element (ctx, node, "target");
  if (channel->source.type == DOMAIN_CHARDEV_FILE)
    check_chardev_source_path (ctx, node, &channel->source);
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->channels, g_steal_pointer (&channel));
}
