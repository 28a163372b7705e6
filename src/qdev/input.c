/* Input devices: pointers and keyboards. */
#include "qdev/qdev-private.h"

static const char *const input_drivers[] = {
  [QDEV_INPUT_USB_TABLET] = "usb-tablet",
  [QDEV_INPUT_USB_MOUSE] = "usb-mouse",
  [QDEV_INPUT_USB_KEYBOARD] = "usb-kbd",
  [QDEV_INPUT_VIRTIO_TABLET] = "virtio-tablet-pci",
  [QDEV_INPUT_VIRTIO_MOUSE] = "virtio-mouse-pci",
  [QDEV_INPUT_VIRTIO_KEYBOARD] = "virtio-keyboard-pci",
};

json_t *
qdev_device_input_new (QdevInputModel model, const char *id, GError **error)
{
  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (input_drivers), NULL);
  return qdev_device_new (input_drivers[model], id, error);
}
