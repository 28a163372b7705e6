/* The domain XML of <devices>: every device but the character devices
 * (domain-parse-chardev.c), their <address> and <boot order>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-parse-private.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Addresses and <boot order>
 */

void
domain_parse_address (ParseCtx *ctx, const MarkupNode *node,
                      DomainDeviceAddress *address)
{
  int type;

  if (!domain_parse_attr_enum (ctx, node, "type", &domain_address_type_table,
                               TRUE, &type))
    {
      domain_parse_check_attributes (ctx, node, ATTRS ("type"));
      domain_parse_check_empty (ctx, node);
      return;
    }
  memset (address, 0, sizeof (*address));
  address->type = type;
  switch (address->type)
    {
    case DOMAIN_ADDRESS_PCI:
      domain_parse_check_attributes (ctx, node, ATTRS ("type", "domain", "bus",
                                                       "slot", "function",
                                                       "multifunction"));
      PARSE_UINT (ctx, node, "domain", 0, 0xffff, FALSE, address->pci.domain);
      PARSE_UINT (ctx, node, "bus", 0, 0xff, FALSE, address->pci.bus);
      PARSE_UINT (ctx, node, "slot", 0, 0x1f, FALSE, address->pci.slot);
      PARSE_UINT (ctx, node, "function", 0, 7, FALSE, address->pci.function);
      PARSE_ENUM (ctx, node, "multifunction", domain_on_off, FALSE,
                  address->pci.multifunction);
      break;
    case DOMAIN_ADDRESS_DRIVE:
      domain_parse_check_attributes (ctx, node, ATTRS ("type", "controller",
                                                       "bus", "target",
                                                       "unit"));
      PARSE_UINT (ctx, node, "controller", 0, 255, FALSE,
                  address->drive.controller);
      PARSE_UINT (ctx, node, "bus", 0, 255, FALSE, address->drive.bus);
      PARSE_UINT (ctx, node, "target", 0, 255, FALSE, address->drive.target);
      PARSE_UINT (ctx, node, "unit", 0, 16383, FALSE, address->drive.unit);
      break;
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
      domain_parse_check_attributes (ctx, node, ATTRS ("type", "controller",
                                                       "bus", "port"));
      PARSE_UINT (ctx, node, "controller", 0, 255, FALSE,
                  address->virtio_serial.controller);
      PARSE_UINT (ctx, node, "bus", 0, 0, FALSE, address->virtio_serial.bus);
      /* Port 0 (or none) asks for one to be assigned. */
      PARSE_UINT (ctx, node, "port", 0, 31, FALSE,
                  address->virtio_serial.port);
      break;
    case DOMAIN_ADDRESS_USB:
      domain_parse_check_attributes (ctx, node, ATTRS ("type", "bus", "port"));
      PARSE_UINT (ctx, node, "bus", 0, 255, FALSE, address->usb.bus);
      /* No USB hubs, so a port is one number, never "1.2". */
      PARSE_UINT (ctx, node, "port", 1, 31, TRUE, address->usb.port);
      break;
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
      domain_parse_check_attributes (ctx, node, ATTRS ("type"));
      break;
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_LAST:
    default:
      g_assert_not_reached ();
    }
  domain_parse_check_empty (ctx, node);
}

static void
parse_boot_order (ParseCtx *ctx, const MarkupNode *node, guint *order)
{
  domain_parse_check_attributes (ctx, node, ATTRS ("order"));
  PARSE_UINT (ctx, node, "order", 1, 65535, TRUE, *order);
  domain_parse_check_empty (ctx, node);
}

/* ------------------------------------------------------------------------
 * Devices
 */

static void
parse_disk (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainDisk) disk = domain_disk_new ();
  guint problems_before = ctx->problems->len;
  gboolean has_target = FALSE;

  disk->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("type", "device"));
  PARSE_ENUM (ctx, node, "type", domain_disk_type, FALSE, disk->type);
  PARSE_ENUM (ctx, node, "device", domain_disk_device, FALSE, disk->device);

  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "driver"))
        {
          g_autofree char *name = domain_parse_attr_dup (child, "name");

          domain_parse_check_attributes (ctx, child, ATTRS ("name", "type",
                                                            "cache", "discard",
                                                            "io"));
          domain_parse_check_empty (ctx, child);
          if (name != NULL && strcmp (name, "qemu") != 0)
            domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED,
                                        child, "name", name, "expected qemu");
          PARSE_ENUM (ctx, child, "type", domain_disk_format, FALSE,
                      disk->format);
          PARSE_ENUM (ctx, child, "cache", domain_disk_cache, FALSE,
                      disk->cache);
          PARSE_ENUM (ctx, child, "discard", domain_disk_discard, FALSE,
                      disk->discard);
          PARSE_ENUM (ctx, child, "io", domain_disk_io, FALSE, disk->io);
        }
      else if (domain_parse_node_is (child, "source"))
        {
          domain_parse_check_empty (ctx, child);
          switch (disk->type)
            {
            case DOMAIN_DISK_TYPE_FILE:
              domain_parse_check_attributes (ctx, child, ATTRS ("file"));
              domain_parse_attr_path (ctx, child, "file", TRUE,
                                      &disk->source_path);
              break;
            case DOMAIN_DISK_TYPE_BLOCK:
              domain_parse_check_attributes (ctx, child, ATTRS ("dev"));
              domain_parse_attr_path (ctx, child, "dev", TRUE,
                                      &disk->source_path);
              break;
            case DOMAIN_DISK_TYPE_VOLUME:
              domain_parse_check_attributes (ctx, child, ATTRS ("pool",
                                                                "volume"));
              domain_parse_attr_string (ctx, child, "pool", TRUE,
                                        &disk->source_pool);
              domain_parse_attr_string (ctx, child, "volume", TRUE,
                                        &disk->source_volume);
              break;
            case DOMAIN_DISK_TYPE_LAST:
            default:
              g_assert_not_reached ();
            }
        }
      else if (domain_parse_node_is (child, "target"))
        {
          has_target = TRUE;
          domain_parse_check_attributes (ctx, child, ATTRS ("dev", "bus"));
          domain_parse_check_empty (ctx, child);
          if (domain_parse_attr_string (ctx, child, "dev", TRUE,
                                        &disk->target_dev))
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
                  domain_parse_invalid_value (ctx,
                                              QVIRT_CONF_ERROR_INVALID_VALUE,
                                              child, "dev", dev,
                                              "expected vd, sd or hd followed "
                                              "by 1 to 3 lowercase letters");
                  g_clear_pointer (&disk->target_dev, g_free);
                }
            }
          PARSE_ENUM (ctx, child, "bus", domain_disk_bus, FALSE, disk->bus);
        }
      else if (domain_parse_node_is (child, "readonly")
               || domain_parse_node_is (child, "shareable"))
        {
          domain_parse_check_attributes (ctx, child, NO_ATTRS);
          domain_parse_check_empty (ctx, child);
          if (domain_parse_node_is (child, "readonly"))
            disk->readonly = TRUE;
          else
            disk->shareable = TRUE;
        }
      else if (domain_parse_node_is (child, "serial"))
        {
          g_autofree char *serial = NULL;

          domain_parse_check_attributes (ctx, child, NO_ATTRS);
          serial = domain_parse_text_content (ctx, child, TRUE);
          if (serial != NULL
              && domain_parse_check_word (ctx, child, NULL, serial, "_.+- ",
                                          36))
            disk->serial = g_steal_pointer (&serial);
        }
      else if (domain_parse_node_is (child, "boot"))
        parse_boot_order (ctx, child, &disk->boot_order);
      else if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &disk->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (!has_target)
    domain_parse_missing_element (ctx, node, "target");
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
parse_controller (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainController) controller = NULL;
  guint problems_before = ctx->problems->len;
  int type;
  guint64 index;

  domain_parse_check_attributes (ctx, node, ATTRS ("type", "index", "model",
                                                   "ports", "vectors"));
  if (!domain_parse_attr_enum (ctx, node, "type",
                               &domain_controller_type_table, TRUE, &type))
    return;
  if (!domain_parse_attr_uint (ctx, node, "index", 0, 255, FALSE, &index))
    index = next_controller_index (def, type);
  controller = domain_controller_new (type, index);
  controller->line = domain_parse_node_line (node);
  PARSE_ENUM (ctx, node, "model", domain_controller_model, FALSE,
              controller->model);
  PARSE_UINT (ctx, node, "ports", 1, 31, FALSE, controller->ports);
  PARSE_UINT (ctx, node, "vectors", 1, 1024, FALSE, controller->vectors);

  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "model")
          && controller->type == DOMAIN_CONTROLLER_PCI)
        {
          g_autofree char *name = NULL;

          domain_parse_check_attributes (ctx, child, ATTRS ("name"));
          domain_parse_check_empty (ctx, child);
          if (domain_parse_attr_string (ctx, child, "name", TRUE, &name)
              && strcmp (name, "pcie-root-port") != 0)
            domain_parse_invalid_value (ctx,
                                        domain_parse_enum_problem_code (name),
                                        child, "name", name,
                                        "expected pcie-root-port");
        }
      else if (domain_parse_node_is (child, "target"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("chassis",
                                                            "port"));
          domain_parse_check_empty (ctx, child);
          PARSE_UINT (ctx, child, "chassis", 0, 255, FALSE,
                      controller->chassis);
          PARSE_UINT (ctx, child, "port", 0, 255, FALSE, controller->port);
        }
      else if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &controller->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->controllers, g_steal_pointer (&controller));
}

static void
parse_interface (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainInterface) iface = domain_interface_new ();
  guint problems_before = ctx->problems->len;
  int type;

  iface->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("type"));
  if (!domain_parse_attr_enum (ctx, node, "type", &domain_net_type_table, TRUE,
                               &type))
    return;
  iface->type = type;

  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "mac"))
        {
          g_autofree char *mac = NULL;
          const char *reason = NULL;

          domain_parse_check_attributes (ctx, child, ATTRS ("address"));
          domain_parse_check_empty (ctx, child);
          if (domain_parse_attr_string (ctx, child, "address", TRUE, &mac)
              && !domain_mac_normalize (mac, &iface->mac, &reason))
            domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE,
                                        child, "address", mac, reason);
        }
      else if (domain_parse_node_is (child, "source"))
        {
          domain_parse_check_empty (ctx, child);
          if (iface->type == DOMAIN_NET_BRIDGE)
            {
              domain_parse_check_attributes (ctx, child, ATTRS ("bridge"));
              if (domain_parse_attr_string (ctx, child, "bridge", TRUE,
                                            &iface->source_bridge))
                {
                  const char *reason = NULL;

                  if (!domain_ifname_is_valid (iface->source_bridge, &reason))
                    domain_parse_invalid_value (ctx,
                                                QVIRT_CONF_ERROR_INVALID_VALUE,
                                                child, "bridge",
                                                iface->source_bridge, reason);
                }
            }
          else if (iface->type == DOMAIN_NET_NETWORK)
            {
              domain_parse_check_attributes (ctx, child, ATTRS ("network"));
              domain_parse_attr_string (ctx, child, "network", TRUE,
                                        &iface->source_network);
            }
          else
            domain_parse_check_attributes (ctx, child, NO_ATTRS);
        }
      else if (domain_parse_node_is (child, "target"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("dev", "managed"));
          domain_parse_check_empty (ctx, child);
          if (domain_parse_attr_string (ctx, child, "dev", TRUE,
                                        &iface->target_dev))
            {
              const char *reason = NULL;

              if (!domain_ifname_is_valid (iface->target_dev, &reason))
                domain_parse_invalid_value (ctx,
                                            QVIRT_CONF_ERROR_INVALID_VALUE,
                                            child, "dev", iface->target_dev,
                                            reason);
            }
          PARSE_ENUM (ctx, child, "managed", domain_yes_no, FALSE,
                      iface->target_managed);
        }
      else if (domain_parse_node_is (child, "model"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("type"));
          domain_parse_check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "type", domain_net_model, TRUE,
                      iface->model);
        }
      else if (domain_parse_node_is (child, "script"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("path"));
          domain_parse_check_empty (ctx, child);
          domain_parse_attr_path (ctx, child, "path", TRUE, &iface->script);
        }
      else if (domain_parse_node_is (child, "boot"))
        parse_boot_order (ctx, child, &iface->boot_order);
      else if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &iface->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->interfaces, g_steal_pointer (&iface));
}

static void
parse_input (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainInput) input = NULL;
  guint problems_before = ctx->problems->len;
  int type;

  domain_parse_check_attributes (ctx, node, ATTRS ("type", "bus"));
  if (!domain_parse_attr_enum (ctx, node, "type", &domain_input_type_table,
                               TRUE, &type))
    return;
  input = domain_input_new (type, DOMAIN_INPUT_BUS_UNSET);
  input->line = domain_parse_node_line (node);
  PARSE_ENUM (ctx, node, "bus", domain_input_bus, FALSE, input->bus);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &input->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->inputs, g_steal_pointer (&input));
}

/* A TCP port attribute of <graphics>: -1 or @min..65535. */
static gboolean
attr_port (ParseCtx *ctx, const MarkupNode *node, const char *name, int min,
           int *out)
{
  g_autofree char *value = domain_parse_attr_dup (node, name);
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

      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  name, value, reason);
      return FALSE;
    }
  *out = (int) port;
  return TRUE;
}

static void
parse_graphics (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainGraphics) graphics = domain_graphics_new ();
  g_autofree char *type = domain_parse_attr_dup (node, "type");
  g_autofree char *listen = NULL;
  guint problems_before = ctx->problems->len;
  int port = -1, autoport = DOMAIN_TRISTATE_UNSET;

  graphics->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("type", "port", "autoport",
                                                   "websocket", "listen",
                                                   "passwd", "keymap"));
  if (type == NULL)
    {
      domain_parse_missing_attribute (ctx, node, "type");
      return;
    }
  if (strcmp (type, "vnc") != 0)
    {
      domain_parse_invalid_value (ctx, domain_parse_enum_problem_code (type),
                                  node, "type", type, "expected vnc");
      return;
    }
  attr_port (ctx, node, "port", 5900, &port);
  PARSE_ENUM (ctx, node, "autoport", domain_yes_no, FALSE, autoport);
  attr_port (ctx, node, "websocket", 1, &graphics->websocket);
  domain_parse_attr_string (ctx, node, "passwd", FALSE, &graphics->passwd);
  if (domain_parse_attr_string (ctx, node, "keymap", FALSE, &graphics->keymap))
    domain_parse_check_word (ctx, node, "keymap", graphics->keymap, "_-", 16);
  domain_parse_attr_string (ctx, node, "listen", FALSE, &listen);

  /* As libvirt: autoport='yes' wins over a port, and a port of -1 or no
   * port at all means autoport. */
  if (autoport == DOMAIN_TRISTATE_ON || (autoport == DOMAIN_TRISTATE_UNSET
                                         && port == -1))
    {
      graphics->autoport = TRUE;
      graphics->port = -1;
    }
  else if (port == -1)
    domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                             "autoport='no' needs a port");
  else
    {
      graphics->autoport = FALSE;
      graphics->port = port;
    }

  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      int listen_type;

      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (!domain_parse_node_is (child, "listen"))
        {
          domain_parse_unsupported_element (ctx, child);
          continue;
        }
      domain_parse_check_empty (ctx, child);
      if (!domain_parse_attr_enum (ctx, child, "type",
                                   &domain_listen_type_table, TRUE,
                                   &listen_type))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("type"));
          continue;
        }
      graphics->listen_type = listen_type;
      switch (graphics->listen_type)
        {
        case DOMAIN_LISTEN_ADDRESS:
          domain_parse_check_attributes (ctx, child, ATTRS ("type",
                                                            "address"));
          domain_parse_attr_string (ctx, child, "address", FALSE,
                                    &graphics->listen_address);
          break;
        case DOMAIN_LISTEN_SOCKET:
          domain_parse_check_attributes (ctx, child, ATTRS ("type", "socket"));
          domain_parse_attr_path (ctx, child, "socket", FALSE,
                                  &graphics->listen_socket);
          break;
        case DOMAIN_LISTEN_NONE:
          domain_parse_check_attributes (ctx, child, ATTRS ("type"));
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
        domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                 "attribute 'listen' needs a <listen "
                                 "type='address'>");
      else if (graphics->listen_address == NULL)
        graphics->listen_address = g_steal_pointer (&listen);
      else if (strcmp (graphics->listen_address, listen) != 0)
        domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                 "attribute listen='%s' does not match "
                                 "<listen address='%s'>", listen,
                                 graphics->listen_address);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->graphics, g_steal_pointer (&graphics));
}

static void
parse_video (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainVideo) video = domain_video_new ();
  guint problems_before = ctx->problems->len;
  gboolean has_model = FALSE;

  video->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "model"))
        {
          int primary = DOMAIN_TRISTATE_UNSET;

          has_model = TRUE;
          domain_parse_check_attributes (ctx, child, ATTRS ("type", "vram",
                                                            "heads",
                                                            "primary"));
          domain_parse_check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "type", domain_video_model, TRUE,
                      video->model);
          PARSE_UINT (ctx, child, "vram", 1024, 1024 * 1024, FALSE,
                      video->vram);
          PARSE_UINT (ctx, child, "heads", 1, 16, FALSE, video->heads);
          PARSE_ENUM (ctx, child, "primary", domain_yes_no, FALSE, primary);
          video->primary = primary == DOMAIN_TRISTATE_ON;
        }
      else if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &video->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (!has_model)
    domain_parse_missing_element (ctx, node, "model");
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->videos, g_steal_pointer (&video));
}

static void
parse_rng (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainRng) rng = domain_rng_new ();
  g_autofree char *model = domain_parse_attr_dup (node, "model");
  guint problems_before = ctx->problems->len;
  gboolean has_backend = FALSE;

  rng->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("model"));
  if (model == NULL)
    domain_parse_missing_attribute (ctx, node, "model");
  else if (strcmp (model, "virtio") != 0)
    domain_parse_invalid_value (ctx, domain_parse_enum_problem_code (model),
                                node, "model", model, "expected virtio");
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "backend"))
        {
          int backend;

          has_backend = TRUE;
          domain_parse_check_attributes (ctx, child, ATTRS ("model"));
          if (!domain_parse_attr_enum (ctx, child, "model",
                                       &domain_rng_backend_table, TRUE,
                                       &backend))
            continue;
          rng->backend = backend;
          if (rng->backend == DOMAIN_RNG_BACKEND_BUILTIN)
            domain_parse_check_empty (ctx, child);
          else
            {
              g_autofree char *path = domain_parse_text_content (ctx, child,
                                                                 FALSE);

              if (path != NULL && g_strstrip (path)[0] != '\0'
                  && domain_parse_check_absolute_path (ctx, child, NULL, path))
                rng->backend_path = g_strdup (path);
            }
        }
      else if (domain_parse_node_is (child, "rate"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("bytes",
                                                            "period"));
          domain_parse_check_empty (ctx, child);
          PARSE_UINT (ctx, child, "bytes", 1, G_MAXUINT32, TRUE,
                      rng->rate_bytes);
          PARSE_UINT (ctx, child, "period", 1, G_MAXUINT32, FALSE,
                      rng->rate_period);
        }
      else if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &rng->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (!has_backend)
    domain_parse_missing_element (ctx, node, "backend");
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->rngs, g_steal_pointer (&rng));
}

static void
parse_watchdog (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainWatchdog) watchdog = domain_watchdog_new ();
  guint problems_before = ctx->problems->len;

  watchdog->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("model", "action"));
  PARSE_ENUM (ctx, node, "model", domain_watchdog_model, TRUE,
              watchdog->model);
  PARSE_ENUM (ctx, node, "action", domain_watchdog_action, FALSE,
              watchdog->action);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &watchdog->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->watchdogs, g_steal_pointer (&watchdog));
}

static void
parse_memballoon (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainMemballoon) memballoon = NULL;
  guint problems_before = ctx->problems->len;
  int model;

  domain_parse_check_attributes (ctx, node, ATTRS ("model", "autodeflate"));
  if (!domain_parse_attr_enum (ctx, node, "model",
                               &domain_memballoon_model_table, TRUE, &model))
    return;
  memballoon = domain_memballoon_new (model);
  memballoon->line = domain_parse_node_line (node);
  PARSE_ENUM (ctx, node, "autodeflate", domain_on_off, FALSE,
              memballoon->autodeflate);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "stats"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("period"));
          domain_parse_check_empty (ctx, child);
          PARSE_UINT (ctx, child, "period", 1, 86400, TRUE,
                      memballoon->stats_period);
        }
      else if (domain_parse_node_is (child, "address"))
        domain_parse_address (ctx, child, &memballoon->address);
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (ctx->problems->len == problems_before)
    def->memballoon = g_steal_pointer (&memballoon);
}

static void
parse_audio (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainAudio) audio = domain_audio_new ();
  g_autofree char *type = domain_parse_attr_dup (node, "type");
  guint problems_before = ctx->problems->len;

  audio->line = domain_parse_node_line (node);
  domain_parse_check_attributes (ctx, node, ATTRS ("id", "type"));
  domain_parse_check_empty (ctx, node);
  PARSE_UINT (ctx, node, "id", 1, G_MAXINT32, TRUE, audio->id);
  if (type == NULL)
    domain_parse_missing_attribute (ctx, node, "type");
  else if (strcmp (type, "none") != 0)
    domain_parse_invalid_value (ctx, domain_parse_enum_problem_code (type),
                                node, "type", type, "expected none");
  if (ctx->problems->len == problems_before)
    g_ptr_array_add (def->audios, g_steal_pointer (&audio));
}

void
domain_parse_devices (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child))
        continue;
      if (domain_parse_node_is (child, "disk"))
        parse_disk (ctx, child, def);
      else if (domain_parse_node_is (child, "controller"))
        parse_controller (ctx, child, def);
      else if (domain_parse_node_is (child, "interface"))
        parse_interface (ctx, child, def);
      else if (domain_parse_node_is (child, "serial"))
        domain_parse_serial (ctx, child, def);
      else if (domain_parse_node_is (child, "console"))
        domain_parse_console (ctx, child, def);
      else if (domain_parse_node_is (child, "channel"))
        domain_parse_channel (ctx, child, def);
      else if (domain_parse_node_is (child, "input"))
        parse_input (ctx, child, def);
      else if (domain_parse_node_is (child, "graphics"))
        parse_graphics (ctx, child, def);
      else if (domain_parse_node_is (child, "video"))
        parse_video (ctx, child, def);
      else if (domain_parse_node_is (child, "rng"))
        parse_rng (ctx, child, def);
      else if (domain_parse_node_is (child, "watchdog"))
        parse_watchdog (ctx, child, def);
      else if (domain_parse_node_is (child, "audio"))
        parse_audio (ctx, child, def);
      else if (domain_parse_node_is (child, "emulator"))
        {
          if (domain_parse_is_duplicate (ctx, child))
            continue;
          domain_parse_check_attributes (ctx, child, NO_ATTRS);
          domain_parse_text_path (ctx, child, &def->emulator);
        }
      else if (domain_parse_node_is (child, "memballoon"))
        {
          if (!domain_parse_is_duplicate (ctx, child))
            parse_memballoon (ctx, child, def);
        }
      else
        domain_parse_unsupported_element (ctx, child);
    }
}
