/* Field-by-field comparison of two definitions (`line` fields ignored).
 *
 * It is what the round-trip property parse(format(x)) == x is checked
 * with, so it compares every field of the model: when a field is added
 * to domain.h it must be added here too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain.h"

#include <string.h>

#define SAME(field) ((a)->field == (b)->field)
#define SAME_STR(field) (g_strcmp0 ((a)->field, (b)->field) == 0)

static gboolean
address_equal (const DomainDeviceAddress *a, const DomainDeviceAddress *b)
{
  if (!SAME (type))
    return FALSE;
  switch (a->type)
    {
    case DOMAIN_ADDRESS_PCI:
      return SAME (pci.domain) && SAME (pci.bus) && SAME (pci.slot)
             && SAME (pci.function) && SAME (pci.multifunction);
    case DOMAIN_ADDRESS_DRIVE:
      return SAME (drive.controller) && SAME (drive.bus)
             && SAME (drive.target) && SAME (drive.unit);
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
      return SAME (virtio_serial.controller) && SAME (virtio_serial.bus)
             && SAME (virtio_serial.port);
    case DOMAIN_ADDRESS_USB:
      return SAME (usb.bus) && SAME (usb.port);
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
    case DOMAIN_ADDRESS_LAST:
    default:
      return TRUE;
    }
}

static gboolean
chardev_source_equal (const DomainChardevSource *a,
                      const DomainChardevSource *b)
{
  return SAME (type) && SAME_STR (path) && SAME (mode) && SAME (append);
}

static gboolean
disk_equal (const DomainDisk *a, const DomainDisk *b)
{
  return SAME (type) && SAME (device) && SAME (format) && SAME (cache)
         && SAME (discard) && SAME (io) && SAME_STR (source_path)
         && SAME_STR (source_pool) && SAME_STR (source_volume)
         && SAME_STR (target_dev) && SAME (bus) && SAME (readonly)
         && SAME (shareable) && SAME_STR (serial) && SAME (boot_order)
         && address_equal (&a->address, &b->address);
}

static gboolean
controller_equal (const DomainController *a, const DomainController *b)
{
  return SAME (type) && SAME (index) && SAME (model) && SAME (ports)
         && SAME (vectors) && SAME (chassis) && SAME (port)
         && address_equal (&a->address, &b->address);
}

static gboolean
interface_equal (const DomainInterface *a, const DomainInterface *b)
{
  return SAME (type) && SAME_STR (mac) && SAME (model)
         && SAME_STR (source_bridge) && SAME_STR (source_network)
         && SAME_STR (target_dev) && SAME (target_managed)
         && SAME_STR (script) && SAME (boot_order)
         && address_equal (&a->address, &b->address);
}

static gboolean
serial_equal (const DomainSerial *a, const DomainSerial *b)
{
  return chardev_source_equal (&a->source, &b->source) && SAME (target_isa)
         && SAME (target_port) && SAME (target_model_isa);
}

static gboolean
console_equal (const DomainConsole *a, const DomainConsole *b)
{
  return chardev_source_equal (&a->source, &b->source)
         && SAME (target_type) && SAME (target_port);
}

static gboolean
channel_equal (const DomainChannel *a, const DomainChannel *b)
{
  return chardev_source_equal (&a->source, &b->source)
         && SAME_STR (target_name)
         && address_equal (&a->address, &b->address);
}

static gboolean
graphics_equal (const DomainGraphics *a, const DomainGraphics *b)
{
  return SAME (port) && SAME (autoport) && SAME (websocket)
         && SAME (listen_type) && SAME_STR (listen_address)
         && SAME_STR (listen_socket) && SAME_STR (passwd) && SAME_STR (keymap);
}

static gboolean
video_equal (const DomainVideo *a, const DomainVideo *b)
{
  return SAME (model) && SAME (vram) && SAME (heads) && SAME (primary)
         && address_equal (&a->address, &b->address);
}

static gboolean
input_equal (const DomainInput *a, const DomainInput *b)
{
  return SAME (type) && SAME (bus)
         && address_equal (&a->address, &b->address);
}

static gboolean
rng_equal (const DomainRng *a, const DomainRng *b)
{
  return SAME (backend) && SAME_STR (backend_path) && SAME (rate_bytes)
         && SAME (rate_period) && address_equal (&a->address, &b->address);
}

static gboolean
watchdog_equal (const DomainWatchdog *a, const DomainWatchdog *b)
{
  return SAME (model) && SAME (action)
         && address_equal (&a->address, &b->address);
}

static gboolean
memballoon_equal (const DomainMemballoon *a, const DomainMemballoon *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return SAME (model) && SAME (stats_period) && SAME (autodeflate)
         && address_equal (&a->address, &b->address);
}

static gboolean
audio_equal (const DomainAudio *a, const DomainAudio *b)
{
  return SAME (id);
}

static gboolean
timer_equal (const DomainTimer *a, const DomainTimer *b)
{
  return SAME (name) && SAME (tickpolicy) && SAME (present);
}

static gboolean
cpu_feature_equal (const DomainCpuFeature *a, const DomainCpuFeature *b)
{
  return SAME_STR (name) && SAME (policy);
}

static gboolean
qemu_env_equal (const DomainQemuEnv *a, const DomainQemuEnv *b)
{
  return SAME_STR (name) && SAME_STR (value);
}

static gboolean
string_equal (const char *a, const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

typedef gboolean (*ElementEqualFunc) (gconstpointer a, gconstpointer b);

static gboolean
arrays_equal (const GPtrArray *a, const GPtrArray *b, ElementEqualFunc equal)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

#define SAME_ARRAY(field, func) \
  arrays_equal ((a)->field, (b)->field, (ElementEqualFunc) (func))

static gboolean
cpu_equal (const DomainCpu *a, const DomainCpu *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return SAME (mode) && SAME (match) && SAME (check) && SAME (migratable)
         && SAME_STR (model) && SAME (fallback) && SAME (sockets)
         && SAME (dies) && SAME (cores) && SAME (threads)
         && SAME_ARRAY (features, cpu_feature_equal);
}

static gboolean
os_equal (const DomainOs *a, const DomainOs *b)
{
  return SAME (arch) && SAME_STR (machine) && SAME (n_boot_devices)
         && memcmp (a->boot_devices, b->boot_devices,
                    a->n_boot_devices * sizeof (a->boot_devices[0])) == 0
         && SAME (bootmenu) && SAME (bootmenu_timeout) && SAME_STR (kernel)
         && SAME_STR (initrd) && SAME_STR (cmdline) && SAME_STR (loader)
         && SAME (loader_type) && SAME (loader_readonly)
         && SAME (loader_secure) && SAME_STR (nvram)
         && SAME_STR (nvram_template);
}

gboolean
domain_def_equal (const DomainDef *a, const DomainDef *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return SAME (virt_type) && SAME_STR (name) && SAME_STR (uuid)
         && SAME_STR (title) && SAME_STR (description) && SAME_STR (metadata)
         && SAME (memory_kib) && SAME (current_memory_kib) && SAME (vcpus)
         && SAME (current_vcpus) && SAME_STR (cpuset)
         && os_equal (&a->os, &b->os)
         && SAME (features.acpi) && SAME (features.apic)
         && SAME (features.pae) && SAME (features.smm)
         && SAME (features.vmport)
         && cpu_equal (a->cpu, b->cpu)
         && SAME (clock.offset) && SAME_ARRAY (clock.timers, timer_equal)
         && SAME (on_poweroff) && SAME (on_reboot) && SAME (on_crash)
         && SAME (pm.suspend_to_mem) && SAME (pm.suspend_to_disk)
         && SAME_STR (emulator)
         && SAME_ARRAY (disks, disk_equal)
         && SAME_ARRAY (controllers, controller_equal)
         && SAME_ARRAY (interfaces, interface_equal)
         && SAME_ARRAY (serials, serial_equal)
         && SAME_ARRAY (consoles, console_equal)
         && SAME_ARRAY (channels, channel_equal)
         && SAME_ARRAY (inputs, input_equal)
         && SAME_ARRAY (graphics, graphics_equal)
         && SAME_ARRAY (audios, audio_equal)
         && SAME_ARRAY (videos, video_equal)
         && SAME_ARRAY (watchdogs, watchdog_equal)
         && memballoon_equal (a->memballoon, b->memballoon)
         && SAME_ARRAY (rngs, rng_equal)
         && SAME_ARRAY (qemu_args, string_equal)
         && SAME_ARRAY (qemu_env, qemu_env_equal);
}
