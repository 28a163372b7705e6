/* Video devices. */
#include "qdev/qdev-private.h"

#define MIB (1024 * 1024)

typedef struct {
  const char *driver;
  /* The property holding the video memory size, and whether it counts
   * MiB or bytes; NULL when the model has none. */
  const char *vgamem_property;
  gboolean vgamem_in_bytes;
} VideoModel;

static const VideoModel video_models[] = {
  [QDEV_VIDEO_VGA] = { "VGA", "vgamem_mb", FALSE },
  [QDEV_VIDEO_CIRRUS] = { "cirrus-vga", "vgamem_mb", FALSE },
  [QDEV_VIDEO_QXL] = { "qxl-vga", "vgamem_mb", FALSE },
  [QDEV_VIDEO_VIRTIO_VGA] = { "virtio-vga", NULL, FALSE },
  [QDEV_VIDEO_BOCHS] = { "bochs-display", "vgamem", TRUE },
  [QDEV_VIDEO_VIRTIO_GPU] = { "virtio-gpu-pci", NULL, FALSE },
};

json_t *
qdev_device_video_new (QdevVideoModel model, const char *id,
                       guint vgamem_mib, GError **error)
{
  const VideoModel *info;
  g_autoptr(json_t) device = NULL;

  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (video_models), NULL);
  info = &video_models[model];

  device = qdev_device_new (info->driver, id, error);
  if (device == NULL || vgamem_mib == 0)
    return g_steal_pointer (&device);
  if (info->vgamem_property == NULL)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "%s has no video memory size to set", info->driver);
      return NULL;
    }
  qdev_set_int (device, info->vgamem_property,
                info->vgamem_in_bytes ? (gint64) vgamem_mib * MIB
                                      : (gint64) vgamem_mib);
  return g_steal_pointer (&device);
}
