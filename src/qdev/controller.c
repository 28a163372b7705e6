/* Controllers: devices that provide a bus other devices plug into. */
#include "qdev/qdev-private.h"

static const char *const controller_drivers[] = {
  [QDEV_CONTROLLER_PIIX3_USB_UHCI] = "piix3-usb-uhci",
  [QDEV_CONTROLLER_ICH9_USB_EHCI1] = "ich9-usb-ehci1",
  [QDEV_CONTROLLER_QEMU_XHCI] = "qemu-xhci",
  [QDEV_CONTROLLER_NEC_USB_XHCI] = "nec-usb-xhci",
  [QDEV_CONTROLLER_VIRTIO_SCSI] = "virtio-scsi-pci",
  [QDEV_CONTROLLER_LSI] = "lsi53c895a",
  [QDEV_CONTROLLER_AHCI] = "ich9-ahci",
  [QDEV_CONTROLLER_VIRTIO_SERIAL] = "virtio-serial-pci",
};

/* The id names the child bus, so unlike other devices a controller
 * must have one. */
static json_t *
controller_new (const char *driver, const char *id, GError **error)
{
  g_return_val_if_fail (id != NULL, NULL);
  return qdev_device_new (driver, id, error);
}

json_t *
qdev_device_controller_new (QdevControllerModel model, const char *id,
                            GError **error)
{
  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (controller_drivers),
                        NULL);
  return controller_new (controller_drivers[model], id, error);
}

json_t *
qdev_device_pcie_root_port_new (const char *id, guint chassis, guint port,
                                GError **error)
{
  g_autoptr(json_t) device = NULL;

  if (chassis > G_MAXUINT8 || port > G_MAXUINT8)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "pcie-root-port chassis %u / port %u out of range "
                   "(0-255)", chassis, port);
      return NULL;
    }
  device = controller_new ("pcie-root-port", id, error);
  if (device == NULL)
    return NULL;
  qdev_set_int (device, "chassis", chassis);
  qdev_set_int (device, "port", port);
  return g_steal_pointer (&device);
}

json_t *
qdev_device_pci_bridge_new (const char *id, guint chassis_nr, GError **error)
{
  g_autoptr(json_t) device = NULL;

  /* QEMU refuses chassis 0: it means "not assigned" to the firmware. */
  if (chassis_nr == 0 || chassis_nr > G_MAXUINT8)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "pci-bridge chassis_nr %u out of range (1-255)",
                   chassis_nr);
      return NULL;
    }
  device = controller_new ("pci-bridge", id, error);
  if (device == NULL)
    return NULL;
  qdev_set_int (device, "chassis_nr", chassis_nr);
  return g_steal_pointer (&device);
}
