/* The tools every part of the QEMU command line builder writes with:
 * errors that name the element being built, adding words to the argv
 * (through libqdev), placing a device on its bus, and the paths of UNIX
 * sockets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command-private.h"

#include <string.h>
#include <sys/un.h>

#include "conf/conf-error.h"

/* The longest path a UNIX socket address holds (sun_path minus the NUL). */
#define UNIX_PATH_MAX_LENGTH (sizeof (((struct sockaddr_un *) NULL)->sun_path) - 1)

/* ------------------------------------------------------------------------
 * Errors: every message names the element it is about, the way src/conf
 * does ("<devices/disk> at line 12: ...").
 */

void
command_at (Builder *b, const char *path, guint line)
{
  b->path = path;
  b->line = line;
}

static char *
location (const Builder *b)
{
  if (b->path == NULL)
    return g_strdup ("");
  if (b->line == LINE_UNKNOWN)
    return g_strdup_printf ("<%s>: ", b->path);
  if (b->line == 0)
    return g_strdup_printf ("<%s> (added by defaults): ", b->path);
  return g_strdup_printf ("<%s> at line %u: ", b->path, b->line);
}

/* Something valid that the builder cannot express on QEMU's command line. */
gboolean
command_unsupported (Builder *b, GError **error, const char *format, ...)
{
  g_autofree char *where = location (b);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_UNSUPPORTED,
               "%s%s", where, message);
  return FALSE;
}

/* A libqdev builder refused a value (a string QEMU cannot receive, a
 * number out of range): report it against the element. */
gboolean
command_refused (Builder *b, GError **error, GError *cause)
{
  g_autofree char *where = location (b);

  g_set_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_INVALID_VALUE,
               "%s%s", where,
               cause != NULL ? cause->message : "invalid value");
  g_clear_error (&cause);
  return FALSE;
}

/* ------------------------------------------------------------------------
 * Adding words
 */

void
command_add_arg (Builder *b, const char *arg)
{
  g_ptr_array_add (b->argv, g_strdup (arg));
}

void
command_add_arg_take (Builder *b, char *arg)
{
  g_ptr_array_add (b->argv, arg);
}

/* Appends @option and @props (taken, not NULL) through libqdev. */
gboolean
command_add_option (Builder *b, QdevOption option, json_t *props,
                    GError **error)
{
  g_autoptr(json_t) owned = props;
  GError *local = NULL;

  if (!qdev_argv_add (b->argv, option, owned, &local))
    return command_refused (b, error, local);
  return TRUE;
}

/* Appends ",key=value" (no comma first) to @text, the value escaped by
 * libqdev's one escaping function. For the options libqdev has no
 * builder for. */
gboolean
command_append_keyval (Builder *b, GString *text, const char *key,
                       const char *value, GError **error)
{
  GError *local = NULL;
  g_autofree char *escaped = qdev_escape_option_value (value, -1, &local);

  if (escaped == NULL)
    return command_refused (b, error, local);
  if (text->len > 0)
    g_string_append_c (text, ',');
  g_string_append (text, key);
  g_string_append_c (text, '=');
  g_string_append (text, escaped);
  return TRUE;
}

/* -global driver=D,property=P,value=V */
gboolean
command_add_global (Builder *b, const char *driver, const char *property,
                    const char *value, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!command_append_keyval (b, text, "driver", driver, error) ||
      !command_append_keyval (b, text, "property", property, error) ||
      !command_append_keyval (b, text, "value", value, error))
    return FALSE;
  command_add_arg (b, "-global");
  command_add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Buses and sockets
 */

static const char *
root_pci_bus (const Builder *b)
{
  return b->family == DOMAIN_MACHINE_Q35 ? "pcie.0" : "pci.0";
}

/* The id of PCI controller @index: the bus name devices behind it use. */
static char *
pci_bus_name (const Builder *b, guint index)
{
  if (index == 0)
    return g_strdup (root_pci_bus (b));
  return g_strdup_printf ("pci.%u", index);
}

/* Virtio devices are PCI devices ("virtio-blk-pci") everywhere but on
 * microvm, which has virtio-mmio transports instead ("virtio-blk-device").
 * libqdev builds the PCI ones; this renames the driver for microvm. */
static void
use_virtio_transport (const Builder *b, json_t *device)
{
  const char *driver = json_string_value (json_object_get (device, "driver"));
  g_autofree char *mmio = NULL;

  if (b->family != DOMAIN_MACHINE_MICROVM || driver == NULL ||
      !g_str_has_suffix (driver, "-pci"))
    return;
  mmio = g_strdup_printf ("%.*s-device", (int) (strlen (driver) - 4), driver);
  qdev_set_string (device, "driver", mmio, NULL);
}

/* Places @device at its PCI address; a virtio-mmio or absent address
 * leaves the choice to QEMU (microvm assigns mmio slots in order). */
gboolean
command_place_device (Builder *b, json_t *device,
                      const DomainDeviceAddress *address, GError **error)
{
  GError *local = NULL;

  use_virtio_transport (b, device);
  switch (address->type)
    {
    case DOMAIN_ADDRESS_PCI:
      {
        g_autofree char *bus = NULL;
        QdevPciAddress pci;

        if (address->pci.bus != 0 &&
            domain_def_find_controller (b->def, DOMAIN_CONTROLLER_PCI,
                                        address->pci.bus) == NULL)
          return command_unsupported (b, error,
                                      "there is no PCI controller %u for this "
                                      "device's address",
                                      address->pci.bus);
        bus = pci_bus_name (b, address->pci.bus);
        pci = (QdevPciAddress) {
          .bus = bus,
          .slot = address->pci.slot,
          .function = address->pci.function,
          .multifunction =
            address->pci.multifunction == DOMAIN_TRISTATE_ON,
        };
        CHECK_QDEV (b, error,
                    qdev_device_set_pci_address (device, &pci, &local),
                    local);
        return TRUE;
      }
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
      return TRUE;
    case DOMAIN_ADDRESS_DRIVE:
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
    case DOMAIN_ADDRESS_USB:
    case DOMAIN_ADDRESS_LAST:
    default:
      return command_unsupported (b, error,
                                  "address type '%s' does not apply to this "
                                  "device",
                                  domain_address_type_to_string (address->type));
    }
}

gboolean
command_check_socket_path (Builder *b, const char *what, const char *path,
                           GError **error)
{
  if (strlen (path) > UNIX_PATH_MAX_LENGTH)
    return command_unsupported (b, error,
                                "%s '%s' is longer than %u bytes, the limit "
                                "of a UNIX socket address", what, path,
                                (guint) UNIX_PATH_MAX_LENGTH);
  return TRUE;
}

char *
command_runtime_socket (const Builder *b, const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", b->def->name, suffix);

  return g_build_filename (b->config->runtime_dir, name, NULL);
}
