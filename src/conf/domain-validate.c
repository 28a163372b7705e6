/* Semantic validation of a definition; see domain-validate.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-validate.h"

#include <string.h>

typedef struct {
  const DomainDef *def;
  DomainMachineFamily family;
  GPtrArray *problems;
} Validator;

#define INVALID QVIRT_CONF_ERROR_INVALID_VALUE
#define UNSUPPORTED QVIRT_CONF_ERROR_UNSUPPORTED

/* A problem about a device element: "<path> at line N: ...". */
#define DEVICE_PROBLEM(v, code, path, line, ...) \
  domain_problems_add_at ((v)->problems, (code), (path), (line), __VA_ARGS__)

/* A problem about an element outside <devices>, whose line is not kept. */
#define PROBLEM(v, code, ...) \
  domain_problems_add ((v)->problems, (code), 0, __VA_ARGS__)

static const char *
machine_name (const Validator *v)
{
  return v->def->os.machine != NULL ? v->def->os.machine : "pc";
}

/* Reports an address whose type does not fit the device. @allowed is a
 * bit set of DomainAddressType values (NONE always fits). */
static void
check_address_type (Validator *v, const char *path, guint line,
                    const DomainDeviceAddress *address, guint allowed)
{
  g_autoptr (GString) expected = g_string_new (NULL);

  if (address->type == DOMAIN_ADDRESS_NONE
      || (allowed & (1u << address->type)) != 0)
    return;
  for (guint type = 1; type < DOMAIN_ADDRESS_LAST; type++)
    if ((allowed & (1u << type)) != 0)
      g_string_append_printf (expected, "%s%s", expected->len > 0 ? ", " : "",
                              domain_address_type_to_string (type));
  if (expected->len > 0)
    DEVICE_PROBLEM (v, INVALID, path, line,
                    "an <address type='%s'> does not fit this device "
                    "(expected %s)",
                    domain_address_type_to_string (address->type),
                    expected->str);
  else
    DEVICE_PROBLEM (v, INVALID, path, line,
                    "an <address type='%s'> does not fit this device (it "
                    "takes no address)",
                    domain_address_type_to_string (address->type));
}

#define ADDR(type) (1u << (DOMAIN_ADDRESS_##type))

/* PCI, or virtio-mmio on microvm. */
static guint
bus_address (const Validator *v)
{
  return v->family == DOMAIN_MACHINE_MICROVM ? ADDR (VIRTIO_MMIO) : ADDR (PCI);
}

/* ------------------------------------------------------------------------
 * Outside <devices>
 */

static void
validate_general (Validator *v)
{
  const DomainDef *def = v->def;
  const DomainCpu *cpu = def->cpu;

  if (v->family == DOMAIN_MACHINE_UNKNOWN)
    PROBLEM (v, UNSUPPORTED, "unsupported machine type '%s'",
             machine_name (v));
  if (def->current_memory_kib > def->memory_kib)
    PROBLEM (v, INVALID, "<currentMemory> (%" G_GUINT64_FORMAT " KiB) is "
             "larger than <memory> (%" G_GUINT64_FORMAT " KiB)",
             def->current_memory_kib, def->memory_kib);
  if (def->current_vcpus > def->vcpus)
    PROBLEM (v, INVALID, "<vcpu current='%u'> is larger than the %u vCPUs",
             def->current_vcpus, def->vcpus);

  if (cpu != NULL)
    {
      guint64 product = (guint64) cpu->sockets * cpu->dies * cpu->cores
                        * cpu->threads;

      if (cpu->sockets != 0 && product != def->vcpus)
        PROBLEM (v, INVALID, "<cpu><topology> gives %u sockets x %u dies x "
                 "%u cores x %u threads = %" G_GUINT64_FORMAT " vCPUs, but "
                 "<vcpu> is %u",
                 cpu->sockets, cpu->dies, cpu->cores, cpu->threads, product,
                 def->vcpus);
      if (cpu->mode != DOMAIN_CPU_MODE_CUSTOM
          && def->virt_type != DOMAIN_VIRT_KVM)
        PROBLEM (v, INVALID, "<cpu mode='%s'> needs <domain type='kvm'>: "
                 "TCG cannot use the host's CPU model",
                 domain_cpu_mode_to_string (cpu->mode));
      if (cpu->mode == DOMAIN_CPU_MODE_HOST_PASSTHROUGH && cpu->model != NULL)
        PROBLEM (v, INVALID, "<cpu mode='host-passthrough'> takes no <model>");
      if (cpu->migratable != DOMAIN_TRISTATE_UNSET
          && cpu->mode != DOMAIN_CPU_MODE_HOST_PASSTHROUGH)
        PROBLEM (v, INVALID, "<cpu migratable> is only for "
                 "mode='host-passthrough'");
      if (cpu->mode == DOMAIN_CPU_MODE_CUSTOM && cpu->model == NULL
          && cpu->features->len > 0)
        PROBLEM (v, INVALID, "<cpu> features need a <model> in mode "
                 "'custom'");
    }

  if (def->os.loader_secure == DOMAIN_TRISTATE_ON)
    {
      if (def->features.smm != DOMAIN_TRISTATE_ON)
        PROBLEM (v, INVALID, "<os><loader secure='yes'> needs "
                 "<features><smm state='on'/></features>");
      if (v->family != DOMAIN_MACHINE_Q35)
        PROBLEM (v, INVALID, "<os><loader secure='yes'> needs a q35 machine, "
                 "not '%s'", machine_name (v));
    }
  if (def->os.loader_secure == DOMAIN_TRISTATE_ON
      && def->os.loader_type != DOMAIN_LOADER_PFLASH)
    PROBLEM (v, INVALID, "<os><loader secure='yes'> needs type='pflash'");
  if ((def->os.nvram != NULL || def->os.nvram_template != NULL)
      && def->os.loader_type != DOMAIN_LOADER_PFLASH)
    PROBLEM (v, INVALID, "<os><nvram> needs a <loader type='pflash'>");
  if (def->os.kernel == NULL
      && (def->os.initrd != NULL || def->os.cmdline != NULL))
    PROBLEM (v, INVALID, "<os><initrd> and <os><cmdline> need <os><kernel>");
  if (def->features.smm == DOMAIN_TRISTATE_ON
      && v->family == DOMAIN_MACHINE_MICROVM)
    PROBLEM (v, INVALID, "<features><smm> is not available on microvm");
}

/* Per-device <boot order> values are unique and exclude <os><boot>. */
static void
check_boot_order (Validator *v, const char *path, guint line, guint order,
                  GHashTable *seen)
{
  gpointer key = GUINT_TO_POINTER (order);

  if (order == 0)
    return;
  if (v->def->os.n_boot_devices > 0)
    DEVICE_PROBLEM (v, INVALID, path, line,
                    "<boot order> cannot be combined with <os><boot dev>");
  else if (g_hash_table_contains (seen, key))
    DEVICE_PROBLEM (v, INVALID, path, line,
                    "boot order %u is used by another device", order);
  g_hash_table_add (seen, key);
}

/* ------------------------------------------------------------------------
 * Devices
 */

static void
validate_disks (Validator *v, GHashTable *boot_orders)
{
  const DomainDef *def = v->def;

  for (guint i = 0; i < def->disks->len; i++)
    {
      const DomainDisk *disk = g_ptr_array_index (def->disks, i);
      const char *path = "devices/disk";

      if (disk->type == DOMAIN_DISK_TYPE_VOLUME)
        DEVICE_PROBLEM (v, QVIRT_CONF_ERROR_NEEDS_OTHER_DRIVER, path,
                        disk->line,
                        "type 'volume' (pool '%s') needs libvirt's storage "
                        "driver, which qvirt does not have: use type='file' "
                        "or type='block' with the volume's path",
                        disk->source_pool != NULL ? disk->source_pool : "?");
      else if (disk->source_path == NULL
               && disk->device == DOMAIN_DISK_DEVICE_DISK)
        DEVICE_PROBLEM (v, INVALID, path, disk->line,
                        "a disk needs a <source> (only a cdrom may be empty)");

      for (guint j = 0; j < i; j++)
        {
          const DomainDisk *other = g_ptr_array_index (def->disks, j);

          if (disk->target_dev != NULL
              && g_strcmp0 (disk->target_dev, other->target_dev) == 0)
            DEVICE_PROBLEM (v, INVALID, path, disk->line,
                            "target dev '%s' is already used by the disk at "
                            "line %u", disk->target_dev, other->line);
        }

      switch (disk->bus)
        {
        case DOMAIN_DISK_BUS_VIRTIO:
          if (disk->device == DOMAIN_DISK_DEVICE_CDROM)
            DEVICE_PROBLEM (v, INVALID, path, disk->line,
                            "a cdrom cannot be on the virtio bus (use sata, "
                            "ide or scsi)");
          check_address_type (v, path, disk->line, &disk->address,
                              bus_address (v));
          break;
        case DOMAIN_DISK_BUS_IDE:
          if (v->family == DOMAIN_MACHINE_Q35)
            DEVICE_PROBLEM (v, INVALID, path, disk->line,
                            "the q35 machine has no IDE bus: use "
                            "bus='sata'");
          if (disk->readonly && disk->device == DOMAIN_DISK_DEVICE_DISK)
            DEVICE_PROBLEM (v, INVALID, path, disk->line,
                            "an IDE disk cannot be read-only (use a cdrom or "
                            "another bus)");
          G_GNUC_FALLTHROUGH;
        case DOMAIN_DISK_BUS_SATA:
        case DOMAIN_DISK_BUS_SCSI:
          if (v->family == DOMAIN_MACHINE_MICROVM
              && disk->bus != DOMAIN_DISK_BUS_SCSI)
            DEVICE_PROBLEM (v, INVALID, path, disk->line,
                            "the microvm machine has no %s bus (use virtio)",
                            domain_disk_bus_to_string (disk->bus));
          check_address_type (v, path, disk->line, &disk->address,
                              ADDR (DRIVE));
          break;
        case DOMAIN_DISK_BUS_UNSET:
        case DOMAIN_DISK_BUS_LAST:
        default:
          DEVICE_PROBLEM (v, INVALID, path, disk->line,
                          "no <target bus> and none follows from the name");
          break;
        }

      if (disk->bus == DOMAIN_DISK_BUS_SCSI
          && disk->address.type == DOMAIN_ADDRESS_DRIVE)
        {
          const DomainController *controller =
            domain_def_find_controller (def, DOMAIN_CONTROLLER_SCSI,
                                        disk->address.drive.controller);

          if (controller != NULL
              && controller->model == DOMAIN_CONTROLLER_MODEL_LSILOGIC
              && (disk->address.drive.target != 0
                  || disk->address.drive.unit > 6))
            DEVICE_PROBLEM (v, INVALID, path, disk->line,
                            "an lsilogic controller takes target 0 and units "
                            "0-6");
        }
      check_boot_order (v, path, disk->line, disk->boot_order, boot_orders);
    }
}

static gboolean
pci_address_is (const DomainDeviceAddress *address, guint slot,
                guint function)
{
  return address->pci.domain == 0 && address->pci.bus == 0
         && address->pci.slot == slot && address->pci.function == function;
}

static gboolean
is_xhci (DomainControllerModel model)
{
  return model == DOMAIN_CONTROLLER_MODEL_QEMU_XHCI
         || model == DOMAIN_CONTROLLER_MODEL_NEC_XHCI;
}

static void
validate_controllers (Validator *v)
{
  const DomainDef *def = v->def;
  const char *path = "devices/controller";

  for (guint i = 0; i < def->controllers->len; i++)
    {
      const DomainController *c = g_ptr_array_index (def->controllers, i);
      const char *type = domain_controller_type_to_string (c->type);
      gboolean is_root = c->model == DOMAIN_CONTROLLER_MODEL_PCI_ROOT
                         || c->model == DOMAIN_CONTROLLER_MODEL_PCIE_ROOT;

      for (guint j = 0; j < i; j++)
        {
          const DomainController *other =
            g_ptr_array_index (def->controllers, j);

          if (other->type == c->type && other->index == c->index)
            DEVICE_PROBLEM (v, INVALID, path, c->line,
                            "there is already a %s controller with index %u",
                            type, c->index);
        }
      if (c->model != DOMAIN_CONTROLLER_MODEL_UNSET
          && domain_controller_model_type (c->model) != c->type)
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "model '%s' is not a model of %s controller",
                        domain_controller_model_to_string (c->model), type);
      if (c->ports != 0 && c->type != DOMAIN_CONTROLLER_VIRTIO_SERIAL
          && !(c->type == DOMAIN_CONTROLLER_USB && is_xhci (c->model)))
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "attribute 'ports' is only for virtio-serial and "
                        "xhci USB controllers");
      if (c->vectors != 0 && c->type != DOMAIN_CONTROLLER_VIRTIO_SERIAL)
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "attribute 'vectors' is only for virtio-serial "
                        "controllers");
      if ((c->chassis >= 0 || c->port >= 0)
          && c->model != DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT)
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "<target chassis port> is only for pcie-root-port "
                        "controllers");

      if (v->family == DOMAIN_MACHINE_MICROVM
          && c->type != DOMAIN_CONTROLLER_VIRTIO_SERIAL
          && c->model != DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI)
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "the microvm machine has no %s controller (only "
                        "virtio-serial and virtio-scsi)", type);
      else if (c->type == DOMAIN_CONTROLLER_PCI)
        {
          DomainControllerModel root =
            v->family == DOMAIN_MACHINE_Q35 ? DOMAIN_CONTROLLER_MODEL_PCIE_ROOT
                                            : DOMAIN_CONTROLLER_MODEL_PCI_ROOT;

          if (c->index == 0 && c->model != root)
            DEVICE_PROBLEM (v, INVALID, path, c->line,
                            "PCI controller 0 of a %s machine is %s",
                            machine_name (v),
                            domain_controller_model_to_string (root));
          else if (c->index != 0
                   && (v->family != DOMAIN_MACHINE_Q35
                       || c->model != DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT))
            DEVICE_PROBLEM (v, UNSUPPORTED, path, c->line,
                            "PCI controller %u: only pcie-root-port "
                            "controllers (on q35) can be added; PCI bridges "
                            "are not supported", c->index);
        }
      else if (c->type == DOMAIN_CONTROLLER_IDE
               && (v->family != DOMAIN_MACHINE_PC || c->index != 0))
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "only the pc machine has an IDE controller, with "
                        "index 0");

      if (c->index == 0 && c->address.type == DOMAIN_ADDRESS_PCI
          && ((v->family == DOMAIN_MACHINE_PC
               && c->type == DOMAIN_CONTROLLER_IDE
               && !pci_address_is (&c->address, 0x01, 1))
              || (v->family == DOMAIN_MACHINE_Q35
                  && c->type == DOMAIN_CONTROLLER_SATA
                  && !pci_address_is (&c->address, 0x1f, 2))))
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "%s controller 0 is built into the chipset at "
                        "0000:00:%s and cannot move",
                        type, c->type == DOMAIN_CONTROLLER_IDE ? "01.1"
                                                               : "1f.2");
      if (is_root && c->address.type != DOMAIN_ADDRESS_NONE)
        DEVICE_PROBLEM (v, INVALID, path, c->line,
                        "the root PCI controller has no address");
      check_address_type (v, path, c->line, &c->address,
                          is_root ? 0 : bus_address (v));
    }
}

static void
validate_interfaces (Validator *v, GHashTable *boot_orders)
{
  const DomainDef *def = v->def;
  const char *path = "devices/interface";

  for (guint i = 0; i < def->interfaces->len; i++)
    {
      const DomainInterface *iface = g_ptr_array_index (def->interfaces, i);
      const char *type = domain_net_type_to_string (iface->type);

      switch (iface->type)
        {
        case DOMAIN_NET_NETWORK:
          DEVICE_PROBLEM (v, QVIRT_CONF_ERROR_NEEDS_OTHER_DRIVER, path,
                          iface->line,
                          "type 'network' (network '%s') needs libvirt's "
                          "network driver, which qvirt does not have: use "
                          "type='bridge' with the network's bridge (e.g. "
                          "virbr0)",
                          iface->source_network != NULL
                            ? iface->source_network : "?");
          break;
        case DOMAIN_NET_BRIDGE:
          if (iface->source_bridge == NULL)
            DEVICE_PROBLEM (v, INVALID, path, iface->line,
                            "type 'bridge' needs <source bridge='...'>");
          break;
        case DOMAIN_NET_ETHERNET:
          if (iface->target_managed == DOMAIN_TRISTATE_OFF
              && iface->target_dev == NULL)
            DEVICE_PROBLEM (v, INVALID, path, iface->line,
                            "<target managed='no'> needs the name of the "
                            "existing tap device in dev");
          break;
        case DOMAIN_NET_USER:
          if (iface->target_dev != NULL)
            DEVICE_PROBLEM (v, INVALID, path, iface->line,
                            "type 'user' has no host device, so no <target>");
          break;
        case DOMAIN_NET_LAST:
        default:
          break;
        }
      if (iface->script != NULL && iface->type != DOMAIN_NET_ETHERNET)
        DEVICE_PROBLEM (v, INVALID, path, iface->line,
                        "<script> is only for type 'ethernet', not '%s'",
                        type);
      if (iface->target_managed != DOMAIN_TRISTATE_UNSET
          && iface->type != DOMAIN_NET_ETHERNET)
        DEVICE_PROBLEM (v, INVALID, path, iface->line,
                        "<target managed> is only for type 'ethernet'");
      if (v->family == DOMAIN_MACHINE_MICROVM
          && iface->model != DOMAIN_NET_MODEL_VIRTIO)
        DEVICE_PROBLEM (v, INVALID, path, iface->line,
                        "the microvm machine only has virtio network cards");
      for (guint j = 0; j < i; j++)
        {
          const DomainInterface *other =
            g_ptr_array_index (def->interfaces, j);

          if (iface->mac != NULL && g_strcmp0 (iface->mac, other->mac) == 0)
            DEVICE_PROBLEM (v, INVALID, path, iface->line,
                            "MAC address %s is already used by the interface "
                            "at line %u", iface->mac, other->line);
        }
      check_address_type (v, path, iface->line, &iface->address,
                          bus_address (v));
      check_boot_order (v, path, iface->line, iface->boot_order, boot_orders);
    }
}

static void
validate_chardevs (Validator *v)
{
  const DomainDef *def = v->def;

  for (guint i = 0; i < def->serials->len; i++)
    {
      const DomainSerial *serial = g_ptr_array_index (def->serials, i);

      for (guint j = 0; j < i; j++)
        {
          const DomainSerial *other = g_ptr_array_index (def->serials, j);

          if (serial->target_port >= 0
              && serial->target_port == other->target_port)
            DEVICE_PROBLEM (v, INVALID, "devices/serial", serial->line,
                            "serial port %d is already used by the serial at "
                            "line %u", serial->target_port, other->line);
        }
    }
  for (guint i = 0; i < def->consoles->len; i++)
    {
      const DomainConsole *console = g_ptr_array_index (def->consoles, i);
      const char *path = "devices/console";

      if (console->target_type == DOMAIN_CONSOLE_TARGET_SERIAL)
        {
          gboolean found = FALSE;

          if (i > 0)
            DEVICE_PROBLEM (v, INVALID, path, console->line,
                            "only the first console can be a serial port");
          for (guint j = 0; j < def->serials->len; j++)
            {
              const DomainSerial *serial = g_ptr_array_index (def->serials, j);

              found |= serial->target_port == console->target_port;
            }
          if (!found)
            DEVICE_PROBLEM (v, INVALID, path, console->line,
                            "there is no <serial> with port %d for this "
                            "console", console->target_port);
        }
      else if (console->target_type == DOMAIN_CONSOLE_TARGET_VIRTIO)
        {
          for (guint j = 0; j < i; j++)
            {
              const DomainConsole *other = g_ptr_array_index (def->consoles, j);

              if (other->target_type == DOMAIN_CONSOLE_TARGET_VIRTIO
                  && other->target_port == console->target_port)
                DEVICE_PROBLEM (v, INVALID, path, console->line,
                                "virtio console port %d is already used",
                                console->target_port);
            }
        }
    }
  for (guint i = 0; i < def->channels->len; i++)
    {
      const DomainChannel *channel = g_ptr_array_index (def->channels, i);
      const char *path = "devices/channel";

      for (guint j = 0; j < i; j++)
        {
          const DomainChannel *other = g_ptr_array_index (def->channels, j);

          if (g_strcmp0 (channel->target_name, other->target_name) == 0)
            DEVICE_PROBLEM (v, INVALID, path, channel->line,
                            "channel name '%s' is already used by the channel "
                            "at line %u", channel->target_name, other->line);
        }
      check_address_type (v, path, channel->line, &channel->address,
                          ADDR (VIRTIO_SERIAL));
      if (channel->address.type == DOMAIN_ADDRESS_VIRTIO_SERIAL
          && domain_def_find_controller (def, DOMAIN_CONTROLLER_VIRTIO_SERIAL,
                                         channel->address.virtio_serial
                                           .controller) == NULL)
        DEVICE_PROBLEM (v, INVALID, path, channel->line,
                        "there is no virtio-serial controller %u",
                        channel->address.virtio_serial.controller);
    }
}

static gboolean
has_usb (const DomainDef *def)
{
  const DomainController *usb =
    domain_def_find_controller (def, DOMAIN_CONTROLLER_USB, 0);

  return usb != NULL && usb->model != DOMAIN_CONTROLLER_MODEL_USB_NONE;
}

static void
validate_inputs_and_display (Validator *v)
{
  const DomainDef *def = v->def;

  for (guint i = 0; i < def->inputs->len; i++)
    {
      const DomainInput *input = g_ptr_array_index (def->inputs, i);
      const char *path = "devices/input";
      const char *type = domain_input_type_to_string (input->type);

      switch (input->bus)
        {
        case DOMAIN_INPUT_BUS_PS2:
          if (input->type == DOMAIN_INPUT_TABLET)
            DEVICE_PROBLEM (v, INVALID, path, input->line,
                            "a tablet cannot be on the ps2 bus (use usb or "
                            "virtio)");
          check_address_type (v, path, input->line, &input->address, 0);
          break;
        case DOMAIN_INPUT_BUS_USB:
          if (!has_usb (def))
            DEVICE_PROBLEM (v, INVALID, path, input->line,
                            "a USB %s needs a USB controller", type);
          check_address_type (v, path, input->line, &input->address,
                              ADDR (USB));
          if (input->address.type == DOMAIN_ADDRESS_USB
              && domain_def_find_controller (def, DOMAIN_CONTROLLER_USB,
                                             input->address.usb.bus) == NULL)
            DEVICE_PROBLEM (v, INVALID, path, input->line,
                            "there is no USB controller %u",
                            input->address.usb.bus);
          break;
        case DOMAIN_INPUT_BUS_VIRTIO:
          check_address_type (v, path, input->line, &input->address,
                              bus_address (v));
          break;
        case DOMAIN_INPUT_BUS_UNSET:
        case DOMAIN_INPUT_BUS_LAST:
        default:
          break;
        }
    }

  if (def->graphics->len > 1)
    {
      const DomainGraphics *second = g_ptr_array_index (def->graphics, 1);

      DEVICE_PROBLEM (v, UNSUPPORTED, "devices/graphics", second->line,
                      "only one <graphics> is supported");
    }

  for (guint i = 0; i < def->videos->len; i++)
    {
      const DomainVideo *video = g_ptr_array_index (def->videos, i);
      const char *path = "devices/video";

      if (video->primary && i > 0)
        DEVICE_PROBLEM (v, INVALID, path, video->line,
                        "only the first video can be primary");
      if (video->model == DOMAIN_VIDEO_NONE && def->videos->len > 1)
        DEVICE_PROBLEM (v, INVALID, path, video->line,
                        "video model 'none' cannot be combined with other "
                        "videos");
      if (v->family == DOMAIN_MACHINE_MICROVM
          && video->model != DOMAIN_VIDEO_VIRTIO
          && video->model != DOMAIN_VIDEO_NONE
          && video->model != DOMAIN_VIDEO_RAMFB)
        DEVICE_PROBLEM (v, INVALID, path, video->line,
                        "the microvm machine has no PCI for a %s video",
                        domain_video_model_to_string (video->model));
      check_address_type (v, path, video->line, &video->address,
                          video->model == DOMAIN_VIDEO_NONE
                            || video->model == DOMAIN_VIDEO_RAMFB
                            ? 0 : bus_address (v));
    }
}

static void
validate_other_devices (Validator *v)
{
  const DomainDef *def = v->def;
  const DomainMemballoon *memballoon = def->memballoon;

  if (def->watchdogs->len > 1)
    {
      const DomainWatchdog *second = g_ptr_array_index (def->watchdogs, 1);

      DEVICE_PROBLEM (v, UNSUPPORTED, "devices/watchdog", second->line,
                      "only one <watchdog> is supported");
    }
  for (guint i = 0; i < def->watchdogs->len; i++)
    {
      const DomainWatchdog *watchdog = g_ptr_array_index (def->watchdogs, i);
      const char *path = "devices/watchdog";

      if (watchdog->model == DOMAIN_WATCHDOG_ITCO
          && v->family != DOMAIN_MACHINE_Q35)
        DEVICE_PROBLEM (v, INVALID, path, watchdog->line,
                        "the itco watchdog is part of q35's ICH9, not of "
                        "machine '%s'", machine_name (v));
      if (watchdog->model == DOMAIN_WATCHDOG_I6300ESB
          && v->family == DOMAIN_MACHINE_MICROVM)
        DEVICE_PROBLEM (v, INVALID, path, watchdog->line,
                        "the microvm machine has no PCI for an i6300esb");
      check_address_type (v, path, watchdog->line, &watchdog->address,
                          watchdog->model == DOMAIN_WATCHDOG_I6300ESB
                            ? ADDR (PCI) : 0);
    }

  if (memballoon != NULL)
    {
      const char *path = "devices/memballoon";

      if (memballoon->model == DOMAIN_MEMBALLOON_NONE
          && (memballoon->stats_period != 0
              || memballoon->autodeflate != DOMAIN_TRISTATE_UNSET))
        DEVICE_PROBLEM (v, INVALID, path, memballoon->line,
                        "model 'none' takes no <stats> or autodeflate");
      check_address_type (v, path, memballoon->line, &memballoon->address,
                          memballoon->model == DOMAIN_MEMBALLOON_NONE
                            ? 0 : bus_address (v));
    }

  for (guint i = 0; i < def->rngs->len; i++)
    {
      const DomainRng *rng = g_ptr_array_index (def->rngs, i);

      if (rng->backend == DOMAIN_RNG_BACKEND_BUILTIN
          && rng->backend_path != NULL)
        DEVICE_PROBLEM (v, INVALID, "devices/rng", rng->line,
                        "the builtin backend takes no device path");
      if (rng->rate_period != 0 && rng->rate_bytes == 0)
        DEVICE_PROBLEM (v, INVALID, "devices/rng", rng->line,
                        "<rate period> needs bytes");
      check_address_type (v, "devices/rng", rng->line, &rng->address,
                          bus_address (v));
    }

  for (guint i = 0; i < def->audios->len; i++)
    {
      const DomainAudio *audio = g_ptr_array_index (def->audios, i);

      for (guint j = 0; j < i; j++)
        {
          const DomainAudio *other = g_ptr_array_index (def->audios, j);

          if (other->id == audio->id)
            DEVICE_PROBLEM (v, INVALID, "devices/audio", audio->line,
                            "audio id %u is already used", audio->id);
        }
    }
}

void
domain_def_validate_report (const DomainDef *def, GPtrArray *problems)
{
  Validator v = { def, DOMAIN_MACHINE_UNKNOWN, problems };
  g_autoptr (GHashTable) boot_orders = NULL;

  g_return_if_fail (def != NULL);
  g_return_if_fail (problems != NULL);

  v.family = domain_machine_family (def->os.machine);
  boot_orders = g_hash_table_new (NULL, NULL);
  validate_general (&v);
  validate_disks (&v, boot_orders);
  validate_controllers (&v);
  validate_interfaces (&v, boot_orders);
  validate_chardevs (&v);
  validate_inputs_and_display (&v);
  validate_other_devices (&v);
}

gboolean
domain_def_validate (const DomainDef *def, GError **error)
{
  g_autoptr (GPtrArray) problems = domain_problems_new ();

  g_return_val_if_fail (def != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  domain_def_validate_report (def, problems);
  return domain_problems_propagate (problems, error);
}
