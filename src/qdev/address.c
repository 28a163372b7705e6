/* Where a device sits: the bus it is plugged into and its position on
 * that bus. */
#include "qdev/qdev-private.h"

#define PCI_SLOT_MAX 31
#define PCI_FUNCTION_MAX 7
#define IDE_UNIT_MAX 1
#define USB_PORT_MAX 15

gboolean
qdev_device_set_pci_address (json_t *device, const QdevPciAddress *address,
                             GError **error)
{
  g_return_val_if_fail (json_is_object (device), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (address->slot > PCI_SLOT_MAX || address->function > PCI_FUNCTION_MAX)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "PCI address %u.%u is out of range (slot 0-%d, "
                   "function 0-%d)", address->slot, address->function,
                   PCI_SLOT_MAX, PCI_FUNCTION_MAX);
      return FALSE;
    }
  if (address->bus != NULL && !qdev_set_string (device, "bus", address->bus,
                                                 error))
    return FALSE;
  json_object_set_new (device, "addr",
                       json_sprintf ("0x%x.0x%x", address->slot,
                                     address->function));
  if (address->multifunction)
    qdev_set_bool (device, "multifunction", TRUE);
  return TRUE;
}

gboolean
qdev_device_set_bus (json_t *device, const char *bus, GError **error)
{
  g_return_val_if_fail (json_is_object (device), FALSE);
  g_return_val_if_fail (bus != NULL, FALSE);

  return qdev_set_string (device, "bus", bus, error);
}

gboolean
qdev_device_set_drive_unit (json_t *device, const char *bus, guint unit,
                            GError **error)
{
  g_return_val_if_fail (json_is_object (device), FALSE);
  g_return_val_if_fail (bus != NULL, FALSE);

  if (unit > IDE_UNIT_MAX)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "IDE unit %u is out of range (0 or 1)", unit);
      return FALSE;
    }
  if (!qdev_set_string (device, "bus", bus, error))
    return FALSE;
  qdev_set_int (device, "unit", unit);
  return TRUE;
}

gboolean
qdev_device_set_scsi_address (json_t *device, const char *bus, guint scsi_id,
                              guint lun, GError **error)
{
  g_return_val_if_fail (json_is_object (device), FALSE);
  g_return_val_if_fail (bus != NULL, FALSE);

  if (!qdev_set_string (device, "bus", bus, error))
    return FALSE;
  qdev_set_int (device, "scsi-id", scsi_id);
  qdev_set_int (device, "lun", lun);
  return TRUE;
}

/* A USB port path: port numbers 1-15 joined by dots, one per hub level. */
static gboolean
is_valid_usb_port (const char *port)
{
  g_auto(GStrv) parts = g_strsplit (port, ".", -1);

  if (parts[0] == NULL)
    return FALSE;
  for (char **part = parts; *part; part++)
    {
      guint64 number;

      if (!g_ascii_string_to_unsigned (*part, 10, 1, USB_PORT_MAX, &number,
                                       NULL))
        return FALSE;
    }
  return TRUE;
}

gboolean
qdev_device_set_usb_port (json_t *device, const char *bus, const char *port,
                          GError **error)
{
  g_return_val_if_fail (json_is_object (device), FALSE);
  g_return_val_if_fail (bus != NULL, FALSE);
  g_return_val_if_fail (port != NULL, FALSE);

  if (!is_valid_usb_port (port))
    {
      g_autofree char *shown = g_strescape (port, NULL);
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "USB port \"%s\" is not a port path such as \"1\" or "
                   "\"1.2\" (ports 1-%d)", shown, USB_PORT_MAX);
      return FALSE;
    }
  if (!qdev_set_string (device, "bus", bus, error))
    return FALSE;
  return qdev_set_string (device, "port", port, error);
}
