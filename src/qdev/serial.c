/* Serial ports and consoles: the ISA UART and the ports of a
 * virtio-serial controller. Each is a frontend of a chardev. */
#include "qdev/qdev-private.h"

static const char *const virtio_port_drivers[] = {
  [QDEV_VIRTIO_PORT_SERIAL] = "virtserialport",
  [QDEV_VIRTIO_PORT_CONSOLE] = "virtconsole",
};

static json_t *
chardev_frontend_new (const char *driver, const char *id, const char *chardev,
                      GError **error)
{
  g_autoptr(json_t) device = NULL;

  g_return_val_if_fail (chardev != NULL, NULL);

  device = qdev_device_new (driver, id, error);
  if (device == NULL ||
      !qdev_set_id (device, "chardev", "chardev id", chardev, error))
    return NULL;
  return g_steal_pointer (&device);
}

json_t *
qdev_device_serial_new (const char *id, const char *chardev, GError **error)
{
  return chardev_frontend_new ("isa-serial", id, chardev, error);
}

json_t *
qdev_device_virtio_port_new (QdevVirtioPortModel model, const char *id,
                             const char *chardev, const char *name,
                             GError **error)
{
  g_autoptr(json_t) device = NULL;

  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (virtio_port_drivers),
                        NULL);

  device = chardev_frontend_new (virtio_port_drivers[model], id, chardev,
                                 error);
  if (device == NULL ||
      !qdev_set_optional_string (device, "name", name, error))
    return NULL;
  return g_steal_pointer (&device);
}
