/* Defaults filled once after parsing; see domain-defaults.h.
 *
 * Every step only fills what is unset, which is what makes the whole
 * idempotent: a second pass finds nothing left to fill.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-defaults.h"

#include <string.h>

#include "conf/domain-addresses.h"

static void
fill_general (DomainDef *def)
{
  if (def->uuid == NULL)
    def->uuid = g_uuid_string_random ();
  if (def->os.arch == DOMAIN_ARCH_UNSET)
    def->os.arch = DOMAIN_ARCH_X86_64;
  if (def->os.machine == NULL)
    def->os.machine = g_strdup ("pc");
  if (def->vcpus == 0)
    def->vcpus = 1;
  if (def->current_memory_kib == 0)
    def->current_memory_kib = def->memory_kib;
  if (def->clock.offset == DOMAIN_CLOCK_UNSET)
    def->clock.offset = DOMAIN_CLOCK_UTC;
  if (def->on_poweroff == DOMAIN_LIFECYCLE_UNSET)
    def->on_poweroff = DOMAIN_LIFECYCLE_DESTROY;
  if (def->on_reboot == DOMAIN_LIFECYCLE_UNSET)
    def->on_reboot = DOMAIN_LIFECYCLE_RESTART;
  if (def->on_crash == DOMAIN_LIFECYCLE_UNSET)
    def->on_crash = DOMAIN_LIFECYCLE_DESTROY;
  if (def->cpu != NULL && def->cpu->sockets != 0 && def->cpu->dies == 0)
    def->cpu->dies = 1;
}

static void
fill_disks (DomainDef *def)
{
  for (guint i = 0; i < def->disks->len; i++)
    {
      DomainDisk *disk = g_ptr_array_index (def->disks, i);

      /* The bus follows the name, as in libvirt: vdX virtio, sdX scsi,
       * hdX ide. */
      if (disk->bus == DOMAIN_DISK_BUS_UNSET && disk->target_dev != NULL)
        {
          if (g_str_has_prefix (disk->target_dev, "vd"))
            disk->bus = DOMAIN_DISK_BUS_VIRTIO;
          else if (g_str_has_prefix (disk->target_dev, "sd"))
            disk->bus = DOMAIN_DISK_BUS_SCSI;
          else if (g_str_has_prefix (disk->target_dev, "hd"))
            disk->bus = DOMAIN_DISK_BUS_IDE;
        }
      /* Never let QEMU probe the format: a guest could write a qcow2
       * header into a raw image and gain access to host files. */
      if (disk->format == DOMAIN_DISK_FORMAT_UNSET)
        disk->format = DOMAIN_DISK_FORMAT_RAW;
    }
}

static gboolean
mac_in_use (const DomainDef *def, const char *mac)
{
  for (guint i = 0; i < def->interfaces->len; i++)
    {
      const DomainInterface *iface = g_ptr_array_index (def->interfaces, i);

      if (g_strcmp0 (iface->mac, mac) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A MAC in QEMU's 52:54:00 range derived from the domain UUID and a
 * counter, so that the same definition always gets the same MACs. */
static char *
derive_mac (const DomainDef *def, guint *counter)
{
  for (;; (*counter)++)
    {
      g_autofree char *seed = g_strdup_printf ("%s/net%u", def->uuid, *counter);
      g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize digest_len = sizeof (digest);
      g_autofree char *mac = NULL;

      g_checksum_update (checksum, (const guchar *) seed, -1);
      g_checksum_get_digest (checksum, digest, &digest_len);
      mac = g_strdup_printf ("52:54:00:%02x:%02x:%02x",
                             digest[0], digest[1], digest[2]);
      if (!mac_in_use (def, mac))
        return g_steal_pointer (&mac);
    }
}

static void
fill_interfaces (DomainDef *def)
{
  guint counter = 0;

  for (guint i = 0; i < def->interfaces->len; i++)
    {
      DomainInterface *iface = g_ptr_array_index (def->interfaces, i);

      if (iface->model == DOMAIN_NET_MODEL_UNSET)
        iface->model = DOMAIN_NET_MODEL_RTL8139;
      if (iface->mac == NULL)
        iface->mac = derive_mac (def, &counter);
    }
}

static void
fill_chardev_source (DomainChardevSource *source)
{
  if (source->type == DOMAIN_CHARDEV_UNIX
      && source->mode == DOMAIN_CHARDEV_MODE_UNSET)
    source->mode = DOMAIN_CHARDEV_MODE_BIND;
}

static void
copy_chardev_source (DomainChardevSource *to, const DomainChardevSource *from)
{
  domain_chardev_source_clear (to);
  *to = *from;
  to->path = g_strdup (from->path);
}

static DomainSerial *
find_serial (const DomainDef *def, int port)
{
  for (guint i = 0; i < def->serials->len; i++)
    {
      DomainSerial *serial = g_ptr_array_index (def->serials, i);

      if (serial->target_port == port)
        return serial;
    }
  return NULL;
}

static void
fill_serials (DomainDef *def, GPtrArray *problems)
{
  for (guint i = 0; i < def->serials->len; i++)
    {
      DomainSerial *serial = g_ptr_array_index (def->serials, i);

      fill_chardev_source (&serial->source);
      serial->target_isa = TRUE;
      serial->target_model_isa = TRUE;
    }
  /* Free ports go to the serials without one, in order. */
  for (guint i = 0; i < def->serials->len; i++)
    {
      DomainSerial *serial = g_ptr_array_index (def->serials, i);
      int port = 0;

      if (serial->target_port >= 0)
        continue;
      while (port < 4 && find_serial (def, port) != NULL)
        port++;
      if (port == 4)
        domain_problems_add_at (problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                "devices/serial", serial->line,
                                "no ISA serial port left (there are 4)");
      else
        serial->target_port = port;
    }
}

/* A console of target type serial is another name for the <serial> with
 * its port; as libvirt does, the first one creates that serial when the
 * domain has none, and otherwise takes the serial's source. */
static void
fill_consoles (DomainDef *def, GPtrArray *problems)
{
  int virtio_port = 0;

  for (guint i = 0; i < def->consoles->len; i++)
    {
      DomainConsole *console = g_ptr_array_index (def->consoles, i);
      DomainSerial *serial;

      fill_chardev_source (&console->source);
      if (console->target_type == DOMAIN_CONSOLE_TARGET_UNSET)
        console->target_type = DOMAIN_CONSOLE_TARGET_SERIAL;
      if (console->target_type == DOMAIN_CONSOLE_TARGET_VIRTIO)
        {
          if (console->target_port < 0 && virtio_port > 30)
            domain_problems_add_at (problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                    "devices/console", console->line,
                                    "no virtio console port left (0 to 30)");
          else if (console->target_port < 0)
            console->target_port = virtio_port;
          virtio_port = MAX (virtio_port, console->target_port + 1);
          continue;
        }
      if (console->target_port < 0)
        console->target_port = 0;
      serial = find_serial (def, console->target_port);
      if (serial == NULL && i == 0 && def->serials->len == 0)
        {
          serial = domain_serial_new ();
          copy_chardev_source (&serial->source, &console->source);
          serial->target_isa = TRUE;
          serial->target_model_isa = TRUE;
          serial->target_port = console->target_port;
          g_ptr_array_add (def->serials, serial);
        }
      if (serial != NULL)
        copy_chardev_source (&console->source, &serial->source);
    }
}

static gboolean
has_input (const DomainDef *def, DomainInputType type, DomainInputBus bus)
{
  for (guint i = 0; i < def->inputs->len; i++)
    {
      const DomainInput *input = g_ptr_array_index (def->inputs, i);

      if (input->type == type && input->bus == bus)
        return TRUE;
    }
  return FALSE;
}

static void
fill_inputs (DomainDef *def)
{
  for (guint i = 0; i < def->inputs->len; i++)
    {
      DomainInput *input = g_ptr_array_index (def->inputs, i);

      if (input->bus == DOMAIN_INPUT_BUS_UNSET)
        input->bus = input->type == DOMAIN_INPUT_TABLET ? DOMAIN_INPUT_BUS_USB
                                                        : DOMAIN_INPUT_BUS_PS2;
    }
  /* The PC's i8042 always has a mouse and keyboard; libvirt lists them
   * when the domain has a display. */
  if (def->graphics->len > 0
      && domain_machine_family (def->os.machine) != DOMAIN_MACHINE_MICROVM)
    {
      if (!has_input (def, DOMAIN_INPUT_MOUSE, DOMAIN_INPUT_BUS_PS2))
        g_ptr_array_add (def->inputs,
                         domain_input_new (DOMAIN_INPUT_MOUSE,
                                           DOMAIN_INPUT_BUS_PS2));
      if (!has_input (def, DOMAIN_INPUT_KEYBOARD, DOMAIN_INPUT_BUS_PS2))
        g_ptr_array_add (def->inputs,
                         domain_input_new (DOMAIN_INPUT_KEYBOARD,
                                           DOMAIN_INPUT_BUS_PS2));
    }
}

static void
fill_graphics_and_video (DomainDef *def)
{
  for (guint i = 0; i < def->graphics->len; i++)
    {
      DomainGraphics *graphics = g_ptr_array_index (def->graphics, i);

      if (graphics->listen_type == DOMAIN_LISTEN_UNSET)
        graphics->listen_type = DOMAIN_LISTEN_ADDRESS;
    }

  if (def->graphics->len > 0 && def->videos->len == 0)
    {
      DomainVideo *video = domain_video_new ();

      video->model = DOMAIN_VIDEO_VGA;
      g_ptr_array_add (def->videos, video);
    }

  for (guint i = 0; i < def->videos->len; i++)
    {
      DomainVideo *video = g_ptr_array_index (def->videos, i);

      if (video->model == DOMAIN_VIDEO_NONE)
        continue;
      if (i == 0)
        video->primary = TRUE;
      if (video->heads == 0)
        video->heads = 1;
      if (video->vram == 0)
        {
          switch (video->model)
            {
            case DOMAIN_VIDEO_VGA:
            case DOMAIN_VIDEO_CIRRUS:
            case DOMAIN_VIDEO_BOCHS:
              video->vram = 16384;
              break;
            case DOMAIN_VIDEO_QXL:
              video->vram = 65536;
              break;
            case DOMAIN_VIDEO_VIRTIO:
            case DOMAIN_VIDEO_RAMFB:
            case DOMAIN_VIDEO_NONE:
            case DOMAIN_VIDEO_LAST:
            default:
              break;
            }
        }
    }
}

static void
fill_other_devices (DomainDef *def)
{
  for (guint i = 0; i < def->channels->len; i++)
    {
      DomainChannel *channel = g_ptr_array_index (def->channels, i);

      fill_chardev_source (&channel->source);
    }
  for (guint i = 0; i < def->watchdogs->len; i++)
    {
      DomainWatchdog *watchdog = g_ptr_array_index (def->watchdogs, i);

      if (watchdog->action == DOMAIN_WATCHDOG_ACTION_UNSET)
        watchdog->action = DOMAIN_WATCHDOG_ACTION_RESET;
    }
  for (guint i = 0; i < def->rngs->len; i++)
    {
      DomainRng *rng = g_ptr_array_index (def->rngs, i);

      if (rng->backend == DOMAIN_RNG_BACKEND_RANDOM
          && rng->backend_path == NULL)
        rng->backend_path = g_strdup ("/dev/urandom");
    }
  if (def->memballoon == NULL)
    def->memballoon = domain_memballoon_new (DOMAIN_MEMBALLOON_VIRTIO);
}

static gboolean
has_controller_of_type (const DomainDef *def, DomainControllerType type)
{
  for (guint i = 0; i < def->controllers->len; i++)
    {
      const DomainController *controller =
        g_ptr_array_index (def->controllers, i);

      if (controller->type == type)
        return TRUE;
    }
  return FALSE;
}

static void
add_controller_if_missing (DomainDef *def, DomainControllerType type,
                           guint index, DomainControllerModel model)
{
  DomainController *controller;

  if (domain_def_find_controller (def, type, index) != NULL)
    return;
  controller = domain_controller_new (type, index);
  controller->model = model;
  domain_controller_insert (def, controller);
}

static gboolean
needs_virtio_serial (const DomainDef *def)
{
  if (def->channels->len > 0)
    return TRUE;
  for (guint i = 0; i < def->consoles->len; i++)
    {
      const DomainConsole *console = g_ptr_array_index (def->consoles, i);

      if (console->target_type == DOMAIN_CONSOLE_TARGET_VIRTIO)
        return TRUE;
    }
  return FALSE;
}

static void
fill_controllers (DomainDef *def)
{
  DomainMachineFamily family = domain_machine_family (def->os.machine);
  DomainControllerModel usb_model = family == DOMAIN_MACHINE_Q35
                                      ? DOMAIN_CONTROLLER_MODEL_QEMU_XHCI
                                      : DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI;

  /* Implicit controllers: what the chipset has built in, and USB. */
  if (family == DOMAIN_MACHINE_PC || family == DOMAIN_MACHINE_Q35)
    {
      if (!has_controller_of_type (def, DOMAIN_CONTROLLER_USB))
        add_controller_if_missing (def, DOMAIN_CONTROLLER_USB, 0, usb_model);
      add_controller_if_missing (def, DOMAIN_CONTROLLER_PCI, 0,
                                 family == DOMAIN_MACHINE_PC
                                   ? DOMAIN_CONTROLLER_MODEL_PCI_ROOT
                                   : DOMAIN_CONTROLLER_MODEL_PCIE_ROOT);
      if (family == DOMAIN_MACHINE_PC)
        add_controller_if_missing (def, DOMAIN_CONTROLLER_IDE, 0,
                                   DOMAIN_CONTROLLER_MODEL_UNSET);
      else
        add_controller_if_missing (def, DOMAIN_CONTROLLER_SATA, 0,
                                   DOMAIN_CONTROLLER_MODEL_UNSET);
    }
  if (needs_virtio_serial (def))
    {
      if (!has_controller_of_type (def, DOMAIN_CONTROLLER_VIRTIO_SERIAL))
        add_controller_if_missing (def, DOMAIN_CONTROLLER_VIRTIO_SERIAL, 0,
                                   DOMAIN_CONTROLLER_MODEL_UNSET);
    }

  for (guint i = 0; i < def->controllers->len; i++)
    {
      DomainController *controller = g_ptr_array_index (def->controllers, i);

      if (controller->model != DOMAIN_CONTROLLER_MODEL_UNSET)
        continue;
      switch (controller->type)
        {
        case DOMAIN_CONTROLLER_USB:
          controller->model = usb_model;
          break;
        case DOMAIN_CONTROLLER_PCI:
          if (controller->index == 0)
            controller->model = family == DOMAIN_MACHINE_Q35
                                  ? DOMAIN_CONTROLLER_MODEL_PCIE_ROOT
                                  : DOMAIN_CONTROLLER_MODEL_PCI_ROOT;
          else if (family == DOMAIN_MACHINE_Q35)
            controller->model = DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT;
          break;
        case DOMAIN_CONTROLLER_SCSI:
          controller->model = DOMAIN_CONTROLLER_MODEL_LSILOGIC;
          break;
        case DOMAIN_CONTROLLER_IDE:
        case DOMAIN_CONTROLLER_SATA:
        case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
        case DOMAIN_CONTROLLER_LAST:
        default:
          break;
        }
    }
}

void
domain_def_fill_defaults_report (DomainDef *def, GPtrArray *problems)
{
  g_return_if_fail (def != NULL);
  g_return_if_fail (problems != NULL);

  fill_general (def);
  fill_disks (def);
  fill_interfaces (def);
  fill_serials (def, problems);
  fill_consoles (def, problems);
  fill_inputs (def);
  fill_graphics_and_video (def);
  fill_other_devices (def);
  fill_controllers (def);
  if (domain_machine_family (def->os.machine) == DOMAIN_MACHINE_UNKNOWN)
    {
      domain_problems_add (problems, QVIRT_CONF_ERROR_UNSUPPORTED, 0,
                           "unsupported machine type '%s': no addresses can "
                           "be assigned", def->os.machine);
      return;
    }
  domain_def_assign_addresses (def, problems);
}

gboolean
domain_def_fill_defaults (DomainDef *def, GError **error)
{
  g_autoptr (GPtrArray) problems = domain_problems_new ();

  g_return_val_if_fail (def != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  domain_def_fill_defaults_report (def, problems);
  return domain_problems_propagate (problems, error);
}
