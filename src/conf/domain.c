/* The domain model: enum string tables, constructors and destructors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain.h"

#include <string.h>

/* Defines prefix_table from the spellings of every value of an enum, in
 * value order (NULL for an *_UNSET value). The static assertion catches
 * a table that drifted from its enum. */
#define DOMAIN_DEFINE_ENUM(prefix, last, ...)                                \
  static const char *const prefix##_names[] = { __VA_ARGS__ };               \
  G_STATIC_ASSERT (G_N_ELEMENTS (prefix##_names) == (last));                 \
  const DomainEnumTable prefix##_table = { (last), prefix##_names }

DOMAIN_DEFINE_ENUM (domain_yes_no, DOMAIN_TRISTATE_LAST, NULL, "yes", "no");
DOMAIN_DEFINE_ENUM (domain_on_off, DOMAIN_TRISTATE_LAST, NULL, "on", "off");
DOMAIN_DEFINE_ENUM (domain_virt_type, DOMAIN_VIRT_LAST, "qemu", "kvm");
DOMAIN_DEFINE_ENUM (domain_arch, DOMAIN_ARCH_LAST, NULL, "x86_64", "i686");
DOMAIN_DEFINE_ENUM (domain_boot_device, DOMAIN_BOOT_LAST,
                    "hd", "cdrom", "network", "fd");
DOMAIN_DEFINE_ENUM (domain_loader_type, DOMAIN_LOADER_LAST,
                    NULL, "rom", "pflash");
DOMAIN_DEFINE_ENUM (domain_cpu_mode, DOMAIN_CPU_MODE_LAST,
                    "custom", "host-model", "host-passthrough");
DOMAIN_DEFINE_ENUM (domain_cpu_match, DOMAIN_CPU_MATCH_LAST,
                    NULL, "minimum", "exact", "strict");
DOMAIN_DEFINE_ENUM (domain_cpu_check, DOMAIN_CPU_CHECK_LAST,
                    NULL, "none", "partial", "full");
DOMAIN_DEFINE_ENUM (domain_cpu_fallback, DOMAIN_CPU_FALLBACK_LAST,
                    NULL, "allow", "forbid");
DOMAIN_DEFINE_ENUM (domain_cpu_feature_policy, DOMAIN_CPU_FEATURE_LAST,
                    "require", "force", "optional", "disable", "forbid");
DOMAIN_DEFINE_ENUM (domain_clock_offset, DOMAIN_CLOCK_LAST,
                    NULL, "utc", "localtime");
DOMAIN_DEFINE_ENUM (domain_timer_name, DOMAIN_TIMER_LAST,
                    "rtc", "pit", "hpet", "kvmclock", "tsc", "hypervclock");
DOMAIN_DEFINE_ENUM (domain_tick_policy, DOMAIN_TICK_POLICY_LAST,
                    NULL, "delay", "catchup", "merge", "discard");
DOMAIN_DEFINE_ENUM (domain_lifecycle_action, DOMAIN_LIFECYCLE_LAST,
                    NULL, "destroy", "restart", "preserve");
DOMAIN_DEFINE_ENUM (domain_disk_type, DOMAIN_DISK_TYPE_LAST,
                    "file", "block", "volume");
DOMAIN_DEFINE_ENUM (domain_disk_device, DOMAIN_DISK_DEVICE_LAST,
                    "disk", "cdrom");
DOMAIN_DEFINE_ENUM (domain_disk_bus, DOMAIN_DISK_BUS_LAST,
                    NULL, "virtio", "ide", "sata", "scsi");
DOMAIN_DEFINE_ENUM (domain_disk_format, DOMAIN_DISK_FORMAT_LAST,
                    NULL, "raw", "qcow2");
DOMAIN_DEFINE_ENUM (domain_disk_cache, DOMAIN_DISK_CACHE_LAST,
                    NULL, "default", "none", "writethrough", "writeback",
                    "directsync", "unsafe");
DOMAIN_DEFINE_ENUM (domain_disk_discard, DOMAIN_DISK_DISCARD_LAST,
                    NULL, "unmap", "ignore");
DOMAIN_DEFINE_ENUM (domain_disk_io, DOMAIN_DISK_IO_LAST,
                    NULL, "native", "threads", "io_uring");
DOMAIN_DEFINE_ENUM (domain_controller_type, DOMAIN_CONTROLLER_LAST,
                    "usb", "pci", "ide", "sata", "scsi", "virtio-serial");
DOMAIN_DEFINE_ENUM (domain_controller_model, DOMAIN_CONTROLLER_MODEL_LAST,
                    NULL,
                    "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1",
                    "qemu-xhci", "nec-xhci", "none",
                    "pci-root", "pcie-root", "pcie-root-port",
                    "virtio-scsi", "lsilogic");
DOMAIN_DEFINE_ENUM (domain_address_type, DOMAIN_ADDRESS_LAST,
                    NULL, "pci", "drive", "virtio-serial", "usb",
                    "virtio-mmio");
DOMAIN_DEFINE_ENUM (domain_net_type, DOMAIN_NET_LAST,
                    "user", "ethernet", "bridge", "network");
DOMAIN_DEFINE_ENUM (domain_net_model, DOMAIN_NET_MODEL_LAST,
                    NULL, "virtio", "e1000", "e1000e", "rtl8139");
DOMAIN_DEFINE_ENUM (domain_chardev_type, DOMAIN_CHARDEV_LAST,
                    "pty", "file", "unix", "null", "stdio");
DOMAIN_DEFINE_ENUM (domain_chardev_mode, DOMAIN_CHARDEV_MODE_LAST,
                    NULL, "bind", "connect");
DOMAIN_DEFINE_ENUM (domain_console_target_type, DOMAIN_CONSOLE_TARGET_LAST,
                    NULL, "serial", "virtio");
DOMAIN_DEFINE_ENUM (domain_listen_type, DOMAIN_LISTEN_LAST,
                    NULL, "address", "socket", "none");
DOMAIN_DEFINE_ENUM (domain_video_model, DOMAIN_VIDEO_LAST,
                    "vga", "cirrus", "virtio", "qxl", "bochs", "ramfb",
                    "none");
DOMAIN_DEFINE_ENUM (domain_input_type, DOMAIN_INPUT_LAST,
                    "mouse", "tablet", "keyboard");
DOMAIN_DEFINE_ENUM (domain_input_bus, DOMAIN_INPUT_BUS_LAST,
                    NULL, "ps2", "usb", "virtio");
DOMAIN_DEFINE_ENUM (domain_rng_backend, DOMAIN_RNG_BACKEND_LAST,
                    "random", "builtin");
DOMAIN_DEFINE_ENUM (domain_watchdog_model, DOMAIN_WATCHDOG_LAST,
                    "i6300esb", "ib700", "itco");
DOMAIN_DEFINE_ENUM (domain_watchdog_action, DOMAIN_WATCHDOG_ACTION_LAST,
                    NULL, "reset", "shutdown", "poweroff", "pause", "none",
                    "dump", "inject-nmi");
DOMAIN_DEFINE_ENUM (domain_memballoon_model, DOMAIN_MEMBALLOON_LAST,
                    "virtio", "none");

const char *
domain_enum_to_string (const DomainEnumTable *table, int value)
{
  g_return_val_if_fail (table != NULL, NULL);

  if (value < 0 || (guint) value >= table->n_values)
    return NULL;
  return table->names[value];
}

int
domain_enum_from_string (const DomainEnumTable *table, const char *str)
{
  g_return_val_if_fail (table != NULL, -1);

  if (str == NULL)
    return -1;
  for (guint i = 0; i < table->n_values; i++)
    {
      if (table->names[i] != NULL && strcmp (table->names[i], str) == 0)
        return (int) i;
    }
  return -1;
}

char *
domain_enum_expected (const DomainEnumTable *table)
{
  GString *list = g_string_new (NULL);
  guint n_named = 0, seen = 0;

  for (guint i = 0; i < table->n_values; i++)
    if (table->names[i] != NULL)
      n_named++;

  for (guint i = 0; i < table->n_values; i++)
    {
      if (table->names[i] == NULL)
        continue;
      if (seen > 0)
        g_string_append (list, seen + 1 == n_named ? " or " : ", ");
      g_string_append (list, table->names[i]);
      seen++;
    }
  return g_string_free (list, FALSE);
}

DomainMachineFamily
domain_machine_family (const char *machine)
{
  if (machine == NULL)
    return DOMAIN_MACHINE_UNKNOWN;
  if (strcmp (machine, "pc") == 0 || g_str_has_prefix (machine, "pc-i440fx-"))
    return DOMAIN_MACHINE_PC;
  if (strcmp (machine, "q35") == 0 || g_str_has_prefix (machine, "pc-q35-"))
    return DOMAIN_MACHINE_Q35;
  if (strcmp (machine, "microvm") == 0)
    return DOMAIN_MACHINE_MICROVM;
  return DOMAIN_MACHINE_UNKNOWN;
}

DomainControllerType
domain_controller_model_type (DomainControllerModel model)
{
  switch (model)
    {
    case DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI:
    case DOMAIN_CONTROLLER_MODEL_PIIX4_UHCI:
    case DOMAIN_CONTROLLER_MODEL_EHCI:
    case DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1:
    case DOMAIN_CONTROLLER_MODEL_QEMU_XHCI:
    case DOMAIN_CONTROLLER_MODEL_NEC_XHCI:
    case DOMAIN_CONTROLLER_MODEL_USB_NONE:
      return DOMAIN_CONTROLLER_USB;
    case DOMAIN_CONTROLLER_MODEL_PCI_ROOT:
    case DOMAIN_CONTROLLER_MODEL_PCIE_ROOT:
    case DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT:
      return DOMAIN_CONTROLLER_PCI;
    case DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI:
    case DOMAIN_CONTROLLER_MODEL_LSILOGIC:
      return DOMAIN_CONTROLLER_SCSI;
    case DOMAIN_CONTROLLER_MODEL_UNSET:
    case DOMAIN_CONTROLLER_MODEL_LAST:
    default:
      return DOMAIN_CONTROLLER_LAST;
    }
}

DomainController *
domain_def_find_controller (const DomainDef *def,
                            DomainControllerType type,
                            guint index)
{
  g_return_val_if_fail (def != NULL, NULL);

  for (guint i = 0; i < def->controllers->len; i++)
    {
      DomainController *controller = g_ptr_array_index (def->controllers, i);

      if (controller->type == type && controller->index == index)
        return controller;
    }
  return NULL;
}

/* ------------------------------------------------------------------------
 * Constructors and destructors
 */

DomainDisk *
domain_disk_new (void)
{
  return g_new0 (DomainDisk, 1);
}

void
domain_disk_free (DomainDisk *disk)
{
  if (disk == NULL)
    return;
  g_free (disk->source_path);
  g_free (disk->source_pool);
  g_free (disk->source_volume);
  g_free (disk->target_dev);
  g_free (disk->serial);
  g_free (disk);
}

DomainController *
domain_controller_new (DomainControllerType type, guint index)
{
  DomainController *controller = g_new0 (DomainController, 1);

  controller->type = type;
  controller->index = index;
  controller->chassis = -1;
  controller->port = -1;
  return controller;
}

void
domain_controller_free (DomainController *controller)
{
  g_free (controller);
}

DomainInterface *
domain_interface_new (void)
{
  return g_new0 (DomainInterface, 1);
}

void
domain_interface_free (DomainInterface *iface)
{
  if (iface == NULL)
    return;
  g_free (iface->mac);
  g_free (iface->source_bridge);
  g_free (iface->source_network);
  g_free (iface->target_dev);
  g_free (iface->script);
  g_free (iface);
}

void
domain_chardev_source_clear (DomainChardevSource *source)
{
  g_clear_pointer (&source->path, g_free);
}

DomainSerial *
domain_serial_new (void)
{
  DomainSerial *serial = g_new0 (DomainSerial, 1);

  serial->target_port = -1;
  return serial;
}

void
domain_serial_free (DomainSerial *serial)
{
  if (serial == NULL)
    return;
  domain_chardev_source_clear (&serial->source);
  g_free (serial);
}

DomainConsole *
domain_console_new (void)
{
  DomainConsole *console = g_new0 (DomainConsole, 1);

  console->target_port = -1;
  return console;
}

void
domain_console_free (DomainConsole *console)
{
  if (console == NULL)
    return;
  domain_chardev_source_clear (&console->source);
  g_free (console);
}

DomainChannel *
domain_channel_new (void)
{
  return g_new0 (DomainChannel, 1);
}

void
domain_channel_free (DomainChannel *channel)
{
  if (channel == NULL)
    return;
  domain_chardev_source_clear (&channel->source);
  g_free (channel->target_name);
  g_free (channel);
}

DomainGraphics *
domain_graphics_new (void)
{
  DomainGraphics *graphics = g_new0 (DomainGraphics, 1);

  graphics->port = -1;
  graphics->autoport = TRUE;
  return graphics;
}

void
domain_graphics_free (DomainGraphics *graphics)
{
  if (graphics == NULL)
    return;
  g_free (graphics->listen_address);
  g_free (graphics->listen_socket);
  g_free (graphics->passwd);
  g_free (graphics->keymap);
  g_free (graphics);
}

DomainVideo *
domain_video_new (void)
{
  return g_new0 (DomainVideo, 1);
}

void
domain_video_free (DomainVideo *video)
{
  g_free (video);
}

DomainInput *
domain_input_new (DomainInputType type, DomainInputBus bus)
{
  DomainInput *input = g_new0 (DomainInput, 1);

  input->type = type;
  input->bus = bus;
  return input;
}

void
domain_input_free (DomainInput *input)
{
  g_free (input);
}

DomainRng *
domain_rng_new (void)
{
  return g_new0 (DomainRng, 1);
}

void
domain_rng_free (DomainRng *rng)
{
  if (rng == NULL)
    return;
  g_free (rng->backend_path);
  g_free (rng);
}

DomainWatchdog *
domain_watchdog_new (void)
{
  return g_new0 (DomainWatchdog, 1);
}

void
domain_watchdog_free (DomainWatchdog *watchdog)
{
  g_free (watchdog);
}

DomainMemballoon *
domain_memballoon_new (DomainMemballoonModel model)
{
  DomainMemballoon *memballoon = g_new0 (DomainMemballoon, 1);

  memballoon->model = model;
  return memballoon;
}

void
domain_memballoon_free (DomainMemballoon *memballoon)
{
  g_free (memballoon);
}

DomainAudio *
domain_audio_new (void)
{
  return g_new0 (DomainAudio, 1);
}

void
domain_audio_free (DomainAudio *audio)
{
  g_free (audio);
}

void
domain_cpu_feature_free (DomainCpuFeature *feature)
{
  if (feature == NULL)
    return;
  g_free (feature->name);
  g_free (feature);
}

DomainCpu *
domain_cpu_new (void)
{
  DomainCpu *cpu = g_new0 (DomainCpu, 1);

  cpu->features =
    g_ptr_array_new_with_free_func ((GDestroyNotify) domain_cpu_feature_free);
  return cpu;
}

void
domain_cpu_free (DomainCpu *cpu)
{
  if (cpu == NULL)
    return;
  g_free (cpu->model);
  g_ptr_array_unref (cpu->features);
  g_free (cpu);
}

void
domain_timer_free (DomainTimer *timer)
{
  g_free (timer);
}

void
domain_qemu_env_free (DomainQemuEnv *env)
{
  if (env == NULL)
    return;
  g_free (env->name);
  g_free (env->value);
  g_free (env);
}

static GPtrArray *
device_array_new (gpointer free_func)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) free_func);
}

DomainDef *
domain_def_new (void)
{
  DomainDef *def = g_new0 (DomainDef, 1);

  def->os.bootmenu_timeout = -1;
  def->clock.timers = device_array_new (domain_timer_free);
  def->disks = device_array_new (domain_disk_free);
  def->controllers = device_array_new (domain_controller_free);
  def->interfaces = device_array_new (domain_interface_free);
  def->serials = device_array_new (domain_serial_free);
  def->consoles = device_array_new (domain_console_free);
  def->channels = device_array_new (domain_channel_free);
  def->inputs = device_array_new (domain_input_free);
  def->graphics = device_array_new (domain_graphics_free);
  def->audios = device_array_new (domain_audio_free);
  def->videos = device_array_new (domain_video_free);
  def->watchdogs = device_array_new (domain_watchdog_free);
  def->rngs = device_array_new (domain_rng_free);
  def->qemu_args = device_array_new (g_free);
  def->qemu_env = device_array_new (domain_qemu_env_free);
  return def;
}

void
domain_def_free (DomainDef *def)
{
  if (def == NULL)
    return;
  g_free (def->name);
  g_free (def->uuid);
  g_free (def->title);
  g_free (def->description);
  g_free (def->metadata);
  g_free (def->cpuset);
  g_free (def->os.machine);
  g_free (def->os.kernel);
  g_free (def->os.initrd);
  g_free (def->os.cmdline);
  g_free (def->os.loader);
  g_free (def->os.nvram);
  g_free (def->os.nvram_template);
  domain_cpu_free (def->cpu);
  g_ptr_array_unref (def->clock.timers);
  g_free (def->emulator);
  g_ptr_array_unref (def->disks);
  g_ptr_array_unref (def->controllers);
  g_ptr_array_unref (def->interfaces);
  g_ptr_array_unref (def->serials);
  g_ptr_array_unref (def->consoles);
  g_ptr_array_unref (def->channels);
  g_ptr_array_unref (def->inputs);
  g_ptr_array_unref (def->graphics);
  g_ptr_array_unref (def->audios);
  g_ptr_array_unref (def->videos);
  g_ptr_array_unref (def->watchdogs);
  domain_memballoon_free (def->memballoon);
  g_ptr_array_unref (def->rngs);
  g_ptr_array_unref (def->qemu_args);
  g_ptr_array_unref (def->qemu_env);
  g_free (def);
}
