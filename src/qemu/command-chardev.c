/* Character devices on the QEMU command line: serial ports, consoles
 * and channels, each a -chardev backend and a device.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command-private.h"

/* Adds the -chardev of a serial port, console or channel.
 * @default_socket: where a unix source with no path goes, or NULL. */
static gboolean
add_chardev (Builder *b, const char *id, const DomainChardevSource *source,
             const char *default_socket, GError **error)
{
  QdevChardev chardev = { .id = id };
  GError *local = NULL;
  json_t *props;

  switch (source->type)
    {
    case DOMAIN_CHARDEV_PTY:
      chardev.backend = QDEV_CHARDEV_PTY;
      break;
    case DOMAIN_CHARDEV_FILE:
      chardev.backend = QDEV_CHARDEV_FILE;
      chardev.path = source->path;
      chardev.append = source->append == DOMAIN_TRISTATE_ON;
      if (chardev.path == NULL)
        return command_unsupported (b, error,
                                    "a file character device needs a path");
      break;
    case DOMAIN_CHARDEV_UNIX:
      chardev.backend = QDEV_CHARDEV_SOCKET;
      chardev.path = source->path != NULL ? source->path : default_socket;
      if (chardev.path == NULL)
        return command_unsupported (b, error,
                                    "a unix character device without a path "
                                    "needs a runtime directory to put it in");
      if (!command_check_socket_path (b, "socket path", chardev.path, error))
        return FALSE;
      /* A listening socket must not hold QEMU back until someone
       * connects. */
      chardev.server = source->mode != DOMAIN_CHARDEV_MODE_CONNECT;
      chardev.wait = FALSE;
      break;
    case DOMAIN_CHARDEV_NULL:
      chardev.backend = QDEV_CHARDEV_NULL;
      break;
    case DOMAIN_CHARDEV_STDIO:
      chardev.backend = QDEV_CHARDEV_STDIO;
      break;
    case DOMAIN_CHARDEV_LAST:
    default:
      return command_unsupported (b, error, "character device type is not "
                                  "supported");
    }
  props = qdev_chardev_option_new (&chardev, &local);
  if (props == NULL)
    return command_refused (b, error, local);
  return command_add_option (b, QDEV_OPTION_CHARDEV, props, error);
}

const DomainSerial *
qemu_command_console_serial (const DomainDef *def)
{
  for (guint i = 0; i < def->serials->len; i++)
    {
      const DomainSerial *serial = g_ptr_array_index (def->serials, i);

      if (serial->source.type == DOMAIN_CHARDEV_PTY)
        return serial;
    }
  return NULL;
}

/* The console socket QEMU inherits: a listening socket, so that readers
 * can come and go; wait=off so the guest never waits for one. */
static gboolean
add_console_chardev (Builder *b, const char *id, GError **error)
{
  g_autofree char *fd = g_strdup_printf ("%d", b->config->console_fd);
  QdevChardev chardev = {
    .backend = QDEV_CHARDEV_SOCKET,
    .id = id,
    .fd = fd,
    .server = TRUE,
    .wait = FALSE,
  };
  GError *local = NULL;
  json_t *props = qdev_chardev_option_new (&chardev, &local);

  if (props == NULL)
    return command_refused (b, error, local);
  return command_add_option (b, QDEV_OPTION_CHARDEV, props, error);
}

gboolean
command_add_serial (Builder *b, const DomainSerial *serial, GError **error)
{
  guint port = serial->target_port >= 0 ? (guint) serial->target_port : 0;
  g_autofree char *chardev = g_strdup_printf ("charserial%u", port);
  g_autofree char *id = g_strdup_printf ("serial%u", port);
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;
  gboolean ok;

  command_at (b, "devices/serial", serial->line);
  if (b->config->console_fd > 0 && serial == qemu_command_console_serial (b->def))
    ok = add_console_chardev (b, chardev, error);
  else
    ok = add_chardev (b, chardev, &serial->source, NULL, error);
  if (!ok)
    return FALSE;
  device = qdev_device_serial_new (id, chardev, &local);
  if (device == NULL)
    return command_refused (b, error, local);
  /* The COM port (I/O address and IRQ) is the target port. */
  qdev_set_int (device, "index", port);
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}

static gboolean
add_virtio_port (Builder *b, QdevVirtioPortModel model, const char *id,
                 const char *chardev, const char *name, guint controller,
                 int port, GError **error)
{
  g_autofree char *bus = NULL;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  bus = command_child_bus_name (b, DOMAIN_CONTROLLER_VIRTIO_SERIAL, controller,
                                0, error);
  if (bus == NULL)
    return FALSE;
  device = qdev_device_virtio_port_new (model, id, chardev, name, &local);
  if (device == NULL)
    return command_refused (b, error, local);
  CHECK_QDEV (b, error, qdev_device_set_bus (device, bus, &local), local);
  if (port >= 0)
    qdev_set_int (device, "nr", port);
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}

gboolean
command_add_console (Builder *b, const DomainConsole *console, guint position,
                     GError **error)
{
  g_autofree char *chardev = NULL;
  g_autofree char *id = NULL;

  command_at (b, "devices/console", console->line);
  if (console->target_type == DOMAIN_CONSOLE_TARGET_SERIAL)
    return TRUE;                /* it is its <serial>, added already */
  if (console->target_type != DOMAIN_CONSOLE_TARGET_VIRTIO)
    return command_unsupported (b, error,
                                "console target type is not supported");

  chardev = g_strdup_printf ("charconsole%u", position);
  id = g_strdup_printf ("console%u", position);
  if (!add_chardev (b, chardev, &console->source, NULL, error))
    return FALSE;
  /* Port 0 of a virtio-serial controller is reserved for a console;
   * the others take the first free port, which the defaults left free
   * of channels. */
  return add_virtio_port (b, QDEV_VIRTIO_PORT_CONSOLE, id, chardev, NULL, 0,
                          -1, error);
}

gboolean
command_add_channel (Builder *b, const DomainChannel *channel, guint position,
                     GError **error)
{
  g_autofree char *chardev = g_strdup_printf ("charchannel%u", position);
  g_autofree char *id = g_strdup_printf ("channel%u", position);
  g_autofree char *default_socket = NULL;
  const DomainVirtioSerialAddress *address = &channel->address.virtio_serial;

  command_at (b, "devices/channel", channel->line);
  if (channel->address.type != DOMAIN_ADDRESS_VIRTIO_SERIAL)
    return command_unsupported (b, error, "a channel needs a virtio-serial "
                                "address");
  if (b->config->runtime_dir != NULL && channel->target_name != NULL)
    default_socket = command_runtime_socket (b, channel->target_name);
  if (!add_chardev (b, chardev, &channel->source, default_socket, error))
    return FALSE;
  return add_virtio_port (b, QDEV_VIRTIO_PORT_SERIAL, id, chardev,
                          channel->target_name, address->controller,
                          (int) address->port, error);
}
