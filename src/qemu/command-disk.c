/* Disks on the QEMU command line: the block nodes of their images and
 * their devices, and the pflash nodes of the UEFI firmware.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command-private.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Firmware
 */

/* The UEFI code and variable store as pflash block nodes; the machine
 * names them (pflash0, pflash1). */
gboolean
command_add_pflash_nodes (Builder *b, GError **error)
{
  const DomainOs *os = &b->def->os;
  struct {
    const char *path;
    const char *node;
    gboolean read_only;
  } flashes[] = {
    { os->loader, "pflash0-format",
      os->loader_readonly != DOMAIN_TRISTATE_OFF },
    { os->nvram, "pflash1-format", FALSE },
  };

  command_at (b, "os/loader", LINE_UNKNOWN);
  if (os->loader_type != DOMAIN_LOADER_PFLASH)
    return TRUE;
  if (os->loader == NULL)
    return command_unsupported (b, error,
                                "a pflash loader needs the path of the "
                                "firmware image");

  for (guint i = 0; i < G_N_ELEMENTS (flashes); i++)
    {
      QdevBlockNodeOptions options = { .read_only = flashes[i].read_only };
      g_autofree char *storage = NULL;
      g_autoptr(json_t) file_node = NULL;
      g_autoptr(json_t) format_node = NULL;
      GError *local = NULL;

      if (flashes[i].path == NULL)
        continue;
      command_at (b, i == 0 ? "os/loader" : "os/nvram", LINE_UNKNOWN);
      storage = g_strdup_printf ("pflash%u-storage", i);
      file_node = qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE,
                                              storage, flashes[i].path,
                                              &options, &local);
      if (file_node == NULL)
        return command_refused (b, error, local);
      format_node = qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_RAW,
                                              flashes[i].node, storage,
                                              &options, &local);
      if (format_node == NULL)
        return command_refused (b, error, local);
      if (!command_add_option (b, QDEV_OPTION_BLOCKDEV,
                               g_steal_pointer (&file_node), error) ||
          !command_add_option (b, QDEV_OPTION_BLOCKDEV,
                               g_steal_pointer (&format_node), error))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Disks
 */

/* libvirt's disk aliases: virtio-diskN (N from the target name: vda is
 * 0, vdb 1...), ideC-B-U, sataC-0-U, scsiC-0-T-U. */
static char *
disk_alias (const DomainDisk *disk, guint position)
{
  const DomainDriveAddress *drive = &disk->address.drive;

  switch (disk->bus)
    {
    case DOMAIN_DISK_BUS_IDE:
      return g_strdup_printf ("ide%u-%u-%u", drive->controller, drive->bus,
                              drive->unit);
    case DOMAIN_DISK_BUS_SATA:
      return g_strdup_printf ("sata%u-0-%u", drive->controller, drive->unit);
    case DOMAIN_DISK_BUS_SCSI:
      return g_strdup_printf ("scsi%u-0-%u-%u", drive->controller,
                              drive->target, drive->unit);
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_UNSET:
    case DOMAIN_DISK_BUS_LAST:
    default:
      {
        const char *letters = disk->target_dev != NULL
                                && strlen (disk->target_dev) > 2
                                ? disk->target_dev + 2 : "";
        guint index = 0;

        for (const char *c = letters; *c; c++)
          {
            if (*c < 'a' || *c > 'z' || index > G_MAXUINT / 27)
              return g_strdup_printf ("virtio-disk-at%u", position);
            index = index * 26 + (guint) (*c - 'a' + 1);
          }
        if (index == 0)
          return g_strdup_printf ("virtio-disk-at%u", position);
        return g_strdup_printf ("virtio-disk%u", index - 1);
      }
    }
}

static QdevDiskModel
disk_model (const DomainDisk *disk)
{
  gboolean cdrom = disk->device == DOMAIN_DISK_DEVICE_CDROM;

  switch (disk->bus)
    {
    case DOMAIN_DISK_BUS_IDE:
    case DOMAIN_DISK_BUS_SATA:
      return cdrom ? QDEV_DISK_IDE_CD : QDEV_DISK_IDE_HD;
    case DOMAIN_DISK_BUS_SCSI:
      return cdrom ? QDEV_DISK_SCSI_CD : QDEV_DISK_SCSI_HD;
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_UNSET:
    case DOMAIN_DISK_BUS_LAST:
    default:
      return QDEV_DISK_VIRTIO_BLK;
    }
}

/* The disk's place on its bus. */
static gboolean
place_disk (Builder *b, const DomainDisk *disk, json_t *device,
            GError **error)
{
  const DomainDriveAddress *drive = &disk->address.drive;
  g_autofree char *bus = NULL;
  GError *local = NULL;

  if (disk->bus == DOMAIN_DISK_BUS_VIRTIO)
    return command_place_device (b, device, &disk->address, error);
  if (disk->address.type != DOMAIN_ADDRESS_DRIVE)
    return command_unsupported (b, error, "an %s disk needs a drive address",
                                domain_disk_bus_to_string (disk->bus));

  switch (disk->bus)
    {
    case DOMAIN_DISK_BUS_IDE:
      bus = command_child_bus_name (b, DOMAIN_CONTROLLER_IDE,
                                    drive->controller, drive->bus, error);
      if (bus == NULL)
        return FALSE;
      CHECK_QDEV (b, error,
                  qdev_device_set_drive_unit (device, bus, drive->unit,
                                              &local), local);
      return TRUE;
    case DOMAIN_DISK_BUS_SATA:
      /* Each AHCI port is a bus of its own with one unit. */
      bus = command_child_bus_name (b, DOMAIN_CONTROLLER_SATA,
                                    drive->controller, drive->unit, error);
      if (bus == NULL)
        return FALSE;
      CHECK_QDEV (b, error,
                  qdev_device_set_drive_unit (device, bus, 0, &local), local);
      return TRUE;
    case DOMAIN_DISK_BUS_SCSI:
      {
        const DomainController *c =
          domain_def_find_controller (b->def, DOMAIN_CONTROLLER_SCSI,
                                      drive->controller);
        gboolean lsi = c != NULL &&
                       c->model != DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI;

        bus = command_child_bus_name (b, DOMAIN_CONTROLLER_SCSI,
                                      drive->controller, 0, error);
        if (bus == NULL)
          return FALSE;
        /* The LSI HBA has no LUNs but 7 targets: libvirt numbers its
         * disks by unit, which becomes the target. */
        CHECK_QDEV (b, error,
                    qdev_device_set_scsi_address (
                      device, bus, lsi ? drive->unit : drive->target,
                      lsi ? 0 : drive->unit, &local),
                    local);
        return TRUE;
      }
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_UNSET:
    case DOMAIN_DISK_BUS_LAST:
    default:
      return command_unsupported (b, error, "disk bus is not supported");
    }
}

/* <driver cache> in terms of the block layer (host page cache, flushes)
 * and of the device (the write cache the guest sees). */
static void
cache_mode (DomainDiskCache cache, QdevBlockNodeOptions *options,
            gboolean *write_cache_off)
{
  *write_cache_off = FALSE;
  switch (cache)
    {
    case DOMAIN_DISK_CACHE_NONE:
      options->cache_direct = TRUE;
      break;
    case DOMAIN_DISK_CACHE_WRITETHROUGH:
      *write_cache_off = TRUE;
      break;
    case DOMAIN_DISK_CACHE_DIRECTSYNC:
      options->cache_direct = TRUE;
      *write_cache_off = TRUE;
      break;
    case DOMAIN_DISK_CACHE_UNSAFE:
      options->cache_no_flush = TRUE;
      break;
    case DOMAIN_DISK_CACHE_UNSET:
    case DOMAIN_DISK_CACHE_DEFAULT:
    case DOMAIN_DISK_CACHE_WRITEBACK:
    case DOMAIN_DISK_CACHE_LAST:
    default:
      break;
    }
}

static const char *
aio_name (DomainDiskIo io)
{
  switch (io)
    {
    case DOMAIN_DISK_IO_NATIVE:
      return "native";
    case DOMAIN_DISK_IO_THREADS:
      return "threads";
    case DOMAIN_DISK_IO_URING:
      return "io_uring";
    case DOMAIN_DISK_IO_UNSET:
    case DOMAIN_DISK_IO_LAST:
    default:
      return NULL;
    }
}

gboolean
command_add_disk (Builder *b, guint position, GError **error)
{
  const DomainDisk *disk = g_ptr_array_index (b->def->disks, position);
  gboolean cdrom = disk->device == DOMAIN_DISK_DEVICE_CDROM;
  g_autofree char *alias = disk_alias (disk, position);
  g_autofree char *storage = g_strdup_printf ("%s-storage", alias);
  g_autofree char *format = g_strdup_printf ("%s-format", alias);
  QdevBlockNodeOptions options = {
    .read_only = disk->readonly || cdrom,
    .discard = disk->discard == DOMAIN_DISK_DISCARD_UNMAP,
  };
  gboolean write_cache_off;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  command_at (b, "devices/disk", disk->line);
  if (disk->type != DOMAIN_DISK_TYPE_FILE &&
      disk->type != DOMAIN_DISK_TYPE_BLOCK)
    return command_unsupported (b, error,
                                "disk type '%s' needs a storage driver",
                                domain_disk_type_to_string (disk->type));
  if (disk->source_path == NULL && !cdrom)
    return command_unsupported (b, error, "a disk needs a source");
  cache_mode (disk->cache, &options, &write_cache_off);

  if (disk->source_path != NULL)
    {
      g_autoptr(json_t) file_node = NULL;
      g_autoptr(json_t) format_node = NULL;
      const char *aio = aio_name (disk->io);

      file_node = qdev_blockdev_protocol_new (
        disk->type == DOMAIN_DISK_TYPE_BLOCK ? QDEV_BLOCK_PROTOCOL_HOST_DEVICE
                                             : QDEV_BLOCK_PROTOCOL_FILE,
        storage, disk->source_path, &options, &local);
      if (file_node == NULL)
        return command_refused (b, error, local);
      if (aio != NULL)
        qdev_set_string (file_node, "aio", aio, NULL);
      format_node = qdev_blockdev_format_new (
        disk->format == DOMAIN_DISK_FORMAT_QCOW2 ? QDEV_BLOCK_FORMAT_QCOW2
                                                 : QDEV_BLOCK_FORMAT_RAW,
        format, storage, &options, &local);
      if (format_node == NULL)
        return command_refused (b, error, local);
      if (!command_add_option (b, QDEV_OPTION_BLOCKDEV,
                               g_steal_pointer (&file_node), error) ||
          !command_add_option (b, QDEV_OPTION_BLOCKDEV,
                               g_steal_pointer (&format_node), error))
        return FALSE;
    }

  device = qdev_device_disk_new (disk_model (disk), alias,
                                 disk->source_path != NULL ? format : NULL,
                                 b->disk_bootindex[position], disk->serial,
                                 &local);
  if (device == NULL)
    return command_refused (b, error, local);
  if (write_cache_off)
    qdev_set_string (device, "write-cache", "off", NULL);
  if (disk->shareable)
    qdev_set_bool (device, "share-rw", TRUE);
  if (!place_disk (b, disk, device, error))
    return FALSE;
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}
