/* Disks: block nodes (-blockdev) and the frontend device (-device).
 *
 * A disk is a chain: the protocol node reads and writes the bytes of a
 * file or block device; the format node above it interprets them (raw,
 * qcow2); the frontend names the format node as its "drive". */
#include "qdev/qdev-private.h"

static const char *const protocol_drivers[] = {
  [QDEV_BLOCK_PROTOCOL_FILE] = "file",
  [QDEV_BLOCK_PROTOCOL_HOST_DEVICE] = "host_device",
};

static const char *const format_drivers[] = {
  [QDEV_BLOCK_FORMAT_RAW] = "raw",
  [QDEV_BLOCK_FORMAT_QCOW2] = "qcow2",
};

static const char *const disk_drivers[] = {
  [QDEV_DISK_VIRTIO_BLK] = "virtio-blk-pci",
  [QDEV_DISK_IDE_HD] = "ide-hd",
  [QDEV_DISK_IDE_CD] = "ide-cd",
  [QDEV_DISK_SCSI_HD] = "scsi-hd",
  [QDEV_DISK_SCSI_CD] = "scsi-cd",
};

static json_t *
node_new (const char *driver, const char *node_name, GError **error)
{
  g_autoptr(json_t) node = json_object ();

  if (!qdev_check_node_name ("node-name", node_name, error))
    return NULL;
  json_object_set_new (node, "driver", json_string (driver));
  json_object_set_new (node, "node-name", json_string (node_name));
  return g_steal_pointer (&node);
}

/* Written explicitly on every node, defaults included, so the command
 * line says what the disk does rather than leaving it to QEMU. */
static void
add_node_options (json_t *node, const QdevBlockNodeOptions *options)
{
  json_t *cache = json_object ();

  qdev_set_bool (node, "read-only", options->read_only);
  qdev_set_bool (cache, "direct", options->cache_direct);
  qdev_set_bool (cache, "no-flush", options->cache_no_flush);
  json_object_set_new (node, "cache", cache);
  json_object_set_new (node, "discard",
                       json_string (options->discard ? "unmap" : "ignore"));
}

json_t *
qdev_blockdev_protocol_new (QdevBlockProtocol protocol,
                            const char *node_name, const char *filename,
                            const QdevBlockNodeOptions *options,
                            GError **error)
{
  static const QdevBlockNodeOptions defaults = { 0 };
  g_autoptr(json_t) node = NULL;

  g_return_val_if_fail ((guint) protocol < G_N_ELEMENTS (protocol_drivers),
                        NULL);
  g_return_val_if_fail (node_name != NULL, NULL);
  g_return_val_if_fail (filename != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  if (options->backing != NULL)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "protocol node \"%s\" cannot have a backing node",
                   node_name);
      return NULL;
    }
  node = node_new (protocol_drivers[protocol], node_name, error);
  if (node == NULL ||
      !qdev_check_nonempty_string ("filename", filename, error))
    return NULL;
  json_object_set_new (node, "filename", json_string (filename));
  add_node_options (node, options);
  return g_steal_pointer (&node);
}

json_t *
qdev_blockdev_format_new (QdevBlockFormat format, const char *node_name,
                          const char *file_node_name,
                          const QdevBlockNodeOptions *options,
                          GError **error)
{
  static const QdevBlockNodeOptions defaults = { 0 };
  g_autoptr(json_t) node = NULL;

  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_drivers), NULL);
  g_return_val_if_fail (node_name != NULL, NULL);
  g_return_val_if_fail (file_node_name != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  node = node_new (format_drivers[format], node_name, error);
  if (node == NULL ||
      !qdev_check_node_name ("file node-name", file_node_name, error))
    return NULL;
  json_object_set_new (node, "file", json_string (file_node_name));
  add_node_options (node, options);

  if (format == QDEV_BLOCK_FORMAT_QCOW2)
    {
      /* Without "backing": null QEMU would open whatever backing file
       * the image's header names: a guest-writable image could point
       * it at any host file. */
      if (options->backing == NULL)
        json_object_set_new (node, "backing", json_null ());
      else if (!qdev_check_node_name ("backing node-name", options->backing,
                                      error))
        return NULL;
      else
        json_object_set_new (node, "backing", json_string (options->backing));
    }
  else if (options->backing != NULL)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "%s node \"%s\" cannot have a backing node",
                   format_drivers[format], node_name);
      return NULL;
    }
  return g_steal_pointer (&node);
}

json_t *
qdev_device_disk_new (QdevDiskModel model, const char *id, const char *drive,
                      guint bootindex, const char *serial, GError **error)
{
  g_autoptr(json_t) device = NULL;
  gboolean is_cdrom = model == QDEV_DISK_IDE_CD || model == QDEV_DISK_SCSI_CD;

  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (disk_drivers), NULL);

  device = qdev_device_new (disk_drivers[model], id, error);
  if (device == NULL)
    return NULL;
  if (drive != NULL)
    {
      if (!qdev_check_node_name ("drive", drive, error))
        return NULL;
      json_object_set_new (device, "drive", json_string (drive));
    }
  else if (!is_cdrom)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "a %s needs a drive; only CD-ROMs can be empty",
                   disk_drivers[model]);
      return NULL;
    }
  if (!qdev_set_bootindex (device, bootindex, error) ||
      !qdev_set_optional_string (device, "serial", serial, error))
    return NULL;
  return g_steal_pointer (&device);
}
