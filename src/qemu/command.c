/* The QEMU command line of a domain (see command.h).
 *
 * The argv is built in a fixed order, so the same definition always
 * gives the same words:
 *
 *   emulator -name -S -no-user-config -nodefaults -no-shutdown
 *   [-no-reboot] [-blockdev pflash...] -machine [-cpu] [-bios] -m -smp
 *   -uuid -rtc [-global...] [-action] [-boot] [-kernel -initrd -append]
 *   -chardev monitor -mon  -display none | -vnc [-k]
 *   devices: PCI controllers, other controllers, disks, NICs, serials,
 *            consoles, channels, inputs, videos, audio, rng, watchdog,
 *            balloon
 *   <qemu:commandline> arguments, verbatim
 *
 * Devices, block nodes, netdevs and objects are libqdev JSON objects.
 * The options with key=value syntax only go through libqdev too:
 * -machine, -smp, -m, -vnc and -chardev have libqdev builders, and the
 * few others (-name, -rtc, -boot, -global, -action, -audiodev, -cpu)
 * are written by append_keyval(), whose every value goes through
 * qdev_escape_option_value().
 *
 * Device ids follow libvirt's aliases where it has one (virtio-disk0,
 * sata0-0-1, net0, charserial0, pci.3...), so people and scripts used
 * to them find their way in `info qtree` and query-block.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command.h"

#include <string.h>
#include <sys/un.h>

#include "conf/conf-error.h"
#include "qvirt/qdev.h"

/* The longest path a UNIX socket address holds (sun_path minus the NUL). */
#define UNIX_PATH_MAX_LENGTH (sizeof (((struct sockaddr_un *) NULL)->sun_path) - 1)

/* VNC with autoport: QEMU takes the first free display from 0 up to this
 * (ports 5900 to 65535). */
#define VNC_AUTOPORT_LAST_DISPLAY (65535 - 5900)

#define VNC_BASE_PORT 5900
#define KIB_PER_MIB 1024

typedef struct {
  const DomainDef *def;
  const QemuCommandConfig *config;
  DomainMachineFamily family;
  GPtrArray *argv;
  /* The bootindex of each disk and interface (0: not bootable), from
   * <boot order> or from <os><boot dev>. */
  guint *disk_bootindex;
  guint *interface_bootindex;
  gboolean any_bootindex;
  /* The element being turned into argv, for error messages: its path
   * and line, or LINE_UNKNOWN for elements the model keeps no line for
   * (outside <devices>). */
  const char *path;
  guint line;
} Builder;

#define LINE_UNKNOWN G_MAXUINT

/* ------------------------------------------------------------------------
 * Errors: every message names the element it is about, the way src/conf
 * does ("<devices/disk> at line 12: ...").
 */

static void
at (Builder *b, const char *path, guint line)
{
  b->path = path;
  b->line = line;
}

static char *
location (const Builder *b)
{
  if (b->path == NULL)
    return g_strdup ("");
  if (b->line == LINE_UNKNOWN)
    return g_strdup_printf ("<%s>: ", b->path);
  if (b->line == 0)
    return g_strdup_printf ("<%s> (added by defaults): ", b->path);
  return g_strdup_printf ("<%s> at line %u: ", b->path, b->line);
}

static gboolean unsupported (Builder *b, GError **error, const char *format,
                             ...) G_GNUC_PRINTF (3, 4);

/* Something valid that the builder cannot express on QEMU's command line. */
static gboolean
unsupported (Builder *b, GError **error, const char *format, ...)
{
  g_autofree char *where = location (b);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_UNSUPPORTED,
               "%s%s", where, message);
  return FALSE;
}

/* A libqdev builder refused a value (a string QEMU cannot receive, a
 * number out of range): report it against the element. */
static gboolean
refused (Builder *b, GError **error, GError *cause)
{
  g_autofree char *where = location (b);

  g_set_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_INVALID_VALUE,
               "%s%s", where, cause != NULL ? cause->message : "invalid value");
  g_clear_error (&cause);
  return FALSE;
}

/* ------------------------------------------------------------------------
 * Adding words
 */

static void
add_arg (Builder *b, const char *arg)
{
  g_ptr_array_add (b->argv, g_strdup (arg));
}

static void
add_arg_take (Builder *b, char *arg)
{
  g_ptr_array_add (b->argv, arg);
}

/* Appends @option and @props (taken, not NULL) through libqdev. */
static gboolean
add_option (Builder *b, QdevOption option, json_t *props, GError **error)
{
  g_autoptr(json_t) owned = props;
  GError *local = NULL;

  if (!qdev_argv_add (b->argv, option, owned, &local))
    return refused (b, error, local);
  return TRUE;
}

/* Appends ",key=value" (no comma first) to @text, the value escaped by
 * libqdev's one escaping function. For the options libqdev has no
 * builder for. */
static gboolean
append_keyval (Builder *b, GString *text, const char *key, const char *value,
               GError **error)
{
  GError *local = NULL;
  g_autofree char *escaped = qdev_escape_option_value (value, -1, &local);

  if (escaped == NULL)
    return refused (b, error, local);
  if (text->len > 0)
    g_string_append_c (text, ',');
  g_string_append (text, key);
  g_string_append_c (text, '=');
  g_string_append (text, escaped);
  return TRUE;
}

/* -global driver=D,property=P,value=V */
static gboolean
add_global (Builder *b, const char *driver, const char *property,
            const char *value, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!append_keyval (b, text, "driver", driver, error) ||
      !append_keyval (b, text, "property", property, error) ||
      !append_keyval (b, text, "value", value, error))
    return FALSE;
  add_arg (b, "-global");
  add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

/* Returns from the calling function when a libqdev call that reports
 * into @local fails. */
#define CHECK_QDEV(b, error, expr, local)                                   \
  do {                                                                      \
    if (!(expr))                                                            \
      return refused ((b), (error), (local));                               \
  } while (0)

/* ------------------------------------------------------------------------
 * Buses
 */

static const char *
root_pci_bus (const Builder *b)
{
  return b->family == DOMAIN_MACHINE_Q35 ? "pcie.0" : "pci.0";
}

/* The id of PCI controller @index: the bus name devices behind it use. */
static char *
pci_bus_name (const Builder *b, guint index)
{
  if (index == 0)
    return g_strdup (root_pci_bus (b));
  return g_strdup_printf ("pci.%u", index);
}

/* Virtio devices are PCI devices ("virtio-blk-pci") everywhere but on
 * microvm, which has virtio-mmio transports instead ("virtio-blk-device").
 * libqdev builds the PCI ones; this renames the driver for microvm. */
static void
use_virtio_transport (const Builder *b, json_t *device)
{
  const char *driver = json_string_value (json_object_get (device, "driver"));
  g_autofree char *mmio = NULL;

  if (b->family != DOMAIN_MACHINE_MICROVM || driver == NULL ||
      !g_str_has_suffix (driver, "-pci"))
    return;
  mmio = g_strdup_printf ("%.*s-device", (int) (strlen (driver) - 4), driver);
  qdev_set_string (device, "driver", mmio, NULL);
}

/* Places @device at its PCI address; a virtio-mmio or absent address
 * leaves the choice to QEMU (microvm assigns mmio slots in order). */
static gboolean
place_device (Builder *b, json_t *device, const DomainDeviceAddress *address,
              GError **error)
{
  GError *local = NULL;

  use_virtio_transport (b, device);
  switch (address->type)
    {
    case DOMAIN_ADDRESS_PCI:
      {
        g_autofree char *bus = NULL;
        QdevPciAddress pci;

        if (address->pci.bus != 0 &&
            domain_def_find_controller (b->def, DOMAIN_CONTROLLER_PCI,
                                        address->pci.bus) == NULL)
          return unsupported (b, error, "there is no PCI controller %u for "
                              "this device's address", address->pci.bus);
        bus = pci_bus_name (b, address->pci.bus);
        pci = (QdevPciAddress) {
          .bus = bus,
          .slot = address->pci.slot,
          .function = address->pci.function,
          .multifunction =
            address->pci.multifunction == DOMAIN_TRISTATE_ON,
        };
        CHECK_QDEV (b, error,
                    qdev_device_set_pci_address (device, &pci, &local),
                    local);
        return TRUE;
      }
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
      return TRUE;
    case DOMAIN_ADDRESS_DRIVE:
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
    case DOMAIN_ADDRESS_USB:
    case DOMAIN_ADDRESS_LAST:
    default:
      return unsupported (b, error, "address type '%s' does not apply to "
                          "this device",
                          domain_address_type_to_string (address->type));
    }
}

static gboolean
check_socket_path (Builder *b, const char *what, const char *path,
                   GError **error)
{
  if (strlen (path) > UNIX_PATH_MAX_LENGTH)
    return unsupported (b, error, "%s '%s' is longer than %u bytes, the "
                        "limit of a UNIX socket address", what, path,
                        (guint) UNIX_PATH_MAX_LENGTH);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Boot order
 *
 * QEMU's bootindex on devices decides the order. It comes from each
 * device's <boot order>, or from <os><boot dev>, which names kinds of
 * devices: the first disk, the first cdrom, the first NIC, in the order
 * given (validation refuses both styles in one definition).
 */

static gboolean
compute_boot_order (Builder *b, GError **error)
{
  const DomainDef *def = b->def;

  b->disk_bootindex = g_new0 (guint, def->disks->len + 1);
  b->interface_bootindex = g_new0 (guint, def->interfaces->len + 1);

  for (guint i = 0; i < def->disks->len; i++)
    {
      const DomainDisk *disk = g_ptr_array_index (def->disks, i);
      b->disk_bootindex[i] = disk->boot_order;
    }
  for (guint i = 0; i < def->interfaces->len; i++)
    {
      const DomainInterface *iface = g_ptr_array_index (def->interfaces, i);
      b->interface_bootindex[i] = iface->boot_order;
    }

  for (guint n = 0; n < def->os.n_boot_devices; n++)
    {
      DomainBootDevice kind = def->os.boot_devices[n];
      guint bootindex = n + 1;

      at (b, "os/boot", LINE_UNKNOWN);
      switch (kind)
        {
        case DOMAIN_BOOT_HD:
        case DOMAIN_BOOT_CDROM:
          {
            DomainDiskDevice wanted = kind == DOMAIN_BOOT_HD
                                        ? DOMAIN_DISK_DEVICE_DISK
                                        : DOMAIN_DISK_DEVICE_CDROM;

            for (guint i = 0; i < def->disks->len; i++)
              {
                const DomainDisk *disk = g_ptr_array_index (def->disks, i);

                if (disk->device == wanted)
                  {
                    b->disk_bootindex[i] = bootindex;
                    break;
                  }
              }
            break;
          }
        case DOMAIN_BOOT_NETWORK:
          if (def->interfaces->len > 0)
            b->interface_bootindex[0] = bootindex;
          break;
        case DOMAIN_BOOT_FD:
        case DOMAIN_BOOT_LAST:
        default:
          return unsupported (b, error, "boot device 'fd': qvirt has no "
                              "floppy drives");
        }
    }

  for (guint i = 0; i < def->disks->len; i++)
    b->any_bootindex |= b->disk_bootindex[i] != 0;
  for (guint i = 0; i < def->interfaces->len; i++)
    b->any_bootindex |= b->interface_bootindex[i] != 0;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * The machine: -name, -machine, -cpu, -m, -smp, -uuid, firmware, clock
 */

static gboolean
add_name (Builder *b, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  at (b, "name", LINE_UNKNOWN);
  if (!append_keyval (b, text, "guest", b->def->name, error) ||
      !append_keyval (b, text, "debug-threads", "on", error))
    return FALSE;
  add_arg (b, "-name");
  add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static const DomainTimer *
find_timer (const DomainDef *def, DomainTimerName name)
{
  for (guint i = 0; def->clock.timers != NULL && i < def->clock.timers->len;
       i++)
    {
      const DomainTimer *timer = g_ptr_array_index (def->clock.timers, i);

      if (timer->name == name)
        return timer;
    }
  return NULL;
}

/* The UEFI code and variable store as pflash block nodes; the machine
 * names them (pflash0, pflash1). */
static gboolean
add_pflash_nodes (Builder *b, GError **error)
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

  at (b, "os/loader", LINE_UNKNOWN);
  if (os->loader_type != DOMAIN_LOADER_PFLASH)
    return TRUE;
  if (os->loader == NULL)
    return unsupported (b, error, "a pflash loader needs the path of the "
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
      at (b, i == 0 ? "os/loader" : "os/nvram", LINE_UNKNOWN);
      storage = g_strdup_printf ("pflash%u-storage", i);
      file_node = qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE,
                                              storage, flashes[i].path,
                                              &options, &local);
      if (file_node == NULL)
        return refused (b, error, local);
      format_node = qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_RAW,
                                              flashes[i].node, storage,
                                              &options, &local);
      if (format_node == NULL)
        return refused (b, error, local);
      if (!add_option (b, QDEV_OPTION_BLOCKDEV, g_steal_pointer (&file_node),
                       error) ||
          !add_option (b, QDEV_OPTION_BLOCKDEV,
                       g_steal_pointer (&format_node), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_machine (Builder *b, GError **error)
{
  const DomainDef *def = b->def;
  const DomainTimer *hpet = find_timer (def, DOMAIN_TIMER_HPET);
  g_autoptr(json_t) machine = NULL;
  GError *local = NULL;

  at (b, "os/type", LINE_UNKNOWN);
  machine = qdev_machine_new (def->os.machine, NULL, &local);
  if (machine == NULL)
    return refused (b, error, local);
  qdev_set_string (machine, "accel",
                   def->virt_type == DOMAIN_VIRT_KVM ? "kvm" : "tcg", NULL);
  /* USB comes from <controller type='usb'>, never from the machine. */
  qdev_set_bool (machine, "usb", FALSE);
  /* A core dump of QEMU must not carry the guest's memory. */
  qdev_set_bool (machine, "dump-guest-core", FALSE);
  /* libvirt's rule: no <acpi/> means no ACPI. */
  qdev_set_bool (machine, "acpi", def->features.acpi);
  if (def->features.smm != DOMAIN_TRISTATE_UNSET)
    qdev_set_bool (machine, "smm", def->features.smm == DOMAIN_TRISTATE_ON);
  if (def->features.vmport != DOMAIN_TRISTATE_UNSET)
    {
      if (b->family == DOMAIN_MACHINE_MICROVM)
        {
          at (b, "features/vmport", LINE_UNKNOWN);
          return unsupported (b, error, "the microvm machine has no vmport");
        }
      qdev_set_bool (machine, "vmport",
                     def->features.vmport == DOMAIN_TRISTATE_ON);
    }
  if (hpet != NULL && hpet->present != DOMAIN_TRISTATE_UNSET)
    {
      if (b->family == DOMAIN_MACHINE_MICROVM)
        {
          at (b, "clock/timer", LINE_UNKNOWN);
          return unsupported (b, error, "the microvm machine has no HPET");
        }
      qdev_set_bool (machine, "hpet", hpet->present == DOMAIN_TRISTATE_ON);
    }
  if (b->family == DOMAIN_MACHINE_MICROVM)
    /* microvm's built-in COM1 would collide with <serial> port 0; serial
     * ports are added as devices like on every other machine. */
    qdev_set_bool (machine, "isa-serial", FALSE);
  if (def->os.loader_type == DOMAIN_LOADER_PFLASH)
    {
      qdev_set_string (machine, "pflash0", "pflash0-format", NULL);
      if (def->os.nvram != NULL)
        qdev_set_string (machine, "pflash1", "pflash1-format", NULL);
    }
  return add_option (b, QDEV_OPTION_MACHINE, g_steal_pointer (&machine),
                     error);
}

/* A CPU model or feature name goes after -cpu, whose parser splits on
 * every comma and has no escape, and a keymap is a whole word of its own
 * (-k): only plain names are written. */
static gboolean
is_plain_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      return FALSE;
  return TRUE;
}

static void
append_cpu_flag (GString *text, const char *name, gboolean on)
{
  g_string_append_printf (text, ",%s=%s", name, on ? "on" : "off");
}

static gboolean
add_cpu (Builder *b, GError **error)
{
  const DomainDef *def = b->def;
  const DomainCpu *cpu = def->cpu;
  const DomainTimer *kvmclock = find_timer (def, DOMAIN_TIMER_KVMCLOCK);
  gboolean kvmclock_off =
    kvmclock != NULL && kvmclock->present == DOMAIN_TRISTATE_OFF;
  g_autoptr(GString) text = g_string_new (NULL);

  at (b, "cpu", LINE_UNKNOWN);
  if (cpu == NULL || (cpu->mode == DOMAIN_CPU_MODE_CUSTOM && cpu->model == NULL))
    {
      if (!kvmclock_off)
        return TRUE;            /* QEMU's default model */
      /* Turning a feature off needs a model to turn it off on: the
       * default one, named. */
      g_string_append (text, "qemu64");
    }
  else if (cpu->mode == DOMAIN_CPU_MODE_CUSTOM)
    {
      if (!is_plain_name (cpu->model))
        return unsupported (b, error, "CPU model '%s' is not a QEMU CPU "
                            "model name (letters, digits, '-', '_', '.')",
                            cpu->model);
      g_string_append (text, cpu->model);
    }
  else
    {
      /* host-model has no TCG equivalent: QEMU's "host" needs KVM, and
       * so does the host CPU libvirt would copy. */
      if (def->virt_type != DOMAIN_VIRT_KVM)
        return unsupported (b, error, "<cpu mode='%s'> needs <domain "
                            "type='kvm'>: TCG cannot use the host's CPU",
                            domain_cpu_mode_to_string (cpu->mode));
      g_string_append (text, "host");
      if (cpu->migratable != DOMAIN_TRISTATE_UNSET)
        append_cpu_flag (text, "migratable",
                         cpu->migratable == DOMAIN_TRISTATE_ON);
    }

  for (guint i = 0; cpu != NULL && i < cpu->features->len; i++)
    {
      const DomainCpuFeature *feature = g_ptr_array_index (cpu->features, i);

      if (!is_plain_name (feature->name))
        return unsupported (b, error, "CPU feature '%s' is not a QEMU "
                            "feature name", feature->name);
      switch (feature->policy)
        {
        case DOMAIN_CPU_FEATURE_REQUIRE:
        case DOMAIN_CPU_FEATURE_FORCE:
          append_cpu_flag (text, feature->name, TRUE);
          break;
        case DOMAIN_CPU_FEATURE_DISABLE:
        case DOMAIN_CPU_FEATURE_FORBID:
          append_cpu_flag (text, feature->name, FALSE);
          break;
        case DOMAIN_CPU_FEATURE_OPTIONAL:
        case DOMAIN_CPU_FEATURE_LAST:
        default:
          /* "Use it if the host has it": QEMU's model already enables
           * what it can, there is nothing to ask for. */
          break;
        }
    }
  if (kvmclock_off)
    append_cpu_flag (text, "kvmclock", FALSE);

  add_arg (b, "-cpu");
  add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static gboolean
add_firmware (Builder *b, GError **error)
{
  const DomainOs *os = &b->def->os;

  /* Secure Boot: only code running in SMM may write the flash, so the
   * guest OS cannot tamper with the variables. */
  at (b, "os/loader", LINE_UNKNOWN);
  if (os->loader_type == DOMAIN_LOADER_PFLASH &&
      os->loader_secure == DOMAIN_TRISTATE_ON &&
      !add_global (b, "cfi.pflash01", "secure", "on", error))
    return FALSE;
  if (os->loader != NULL && os->loader_type != DOMAIN_LOADER_PFLASH)
    {
      /* -bios and -kernel take a file name as a whole word: no option
       * syntax to escape. */
      add_arg (b, "-bios");
      add_arg (b, os->loader);
    }
  return TRUE;
}

static gboolean
add_memory (Builder *b, GError **error)
{
  guint64 mib = (b->def->memory_kib + KIB_PER_MIB - 1) / KIB_PER_MIB;
  GError *local = NULL;
  json_t *memory;

  at (b, "memory", LINE_UNKNOWN);
  /* QEMU sizes x86 RAM in whole MiB in practice; like libvirt, round up. */
  memory = qdev_memory_new (mib, &local);
  if (memory == NULL)
    return refused (b, error, local);
  return add_option (b, QDEV_OPTION_MEMORY, memory, error);
}

static gboolean
add_smp (Builder *b, GError **error)
{
  const DomainDef *def = b->def;
  const DomainCpu *cpu = def->cpu;
  QdevSmp smp = { .cpus = def->vcpus };
  g_autoptr(json_t) props = NULL;
  GError *local = NULL;

  at (b, "vcpu", LINE_UNKNOWN);
  if (def->current_vcpus != 0 && def->current_vcpus < def->vcpus)
    {
      smp.cpus = def->current_vcpus;
      smp.max_cpus = def->vcpus;
    }
  if (cpu != NULL && cpu->sockets != 0)
    {
      smp.sockets = cpu->sockets;
      smp.cores = cpu->cores;
      smp.threads = cpu->threads;
    }
  props = qdev_smp_new (&smp, &local);
  if (props == NULL)
    return refused (b, error, local);
  if (cpu != NULL && cpu->dies > 1)
    qdev_set_int (props, "dies", cpu->dies);
  return add_option (b, QDEV_OPTION_SMP, g_steal_pointer (&props), error);
}

/* -rtc, and what the <timer> elements ask of QEMU. Combinations QEMU
 * cannot do are refused here, by name. */
static gboolean
add_clock (Builder *b, GError **error)
{
  const DomainDef *def = b->def;
  gboolean kvm = def->virt_type == DOMAIN_VIRT_KVM;
  g_autoptr(GString) rtc = g_string_new (NULL);
  const char *pit_policy = NULL;

  at (b, "clock", LINE_UNKNOWN);
  if (!append_keyval (b, rtc, "base",
                      def->clock.offset == DOMAIN_CLOCK_LOCALTIME
                        ? "localtime" : "utc", error))
    return FALSE;

  for (guint i = 0; def->clock.timers != NULL && i < def->clock.timers->len;
       i++)
    {
      const DomainTimer *timer = g_ptr_array_index (def->clock.timers, i);
      const char *name = domain_timer_name_to_string (timer->name);
      const char *policy = domain_tick_policy_to_string (timer->tickpolicy);

      at (b, "clock/timer", LINE_UNKNOWN);
      switch (timer->name)
        {
        case DOMAIN_TIMER_RTC:
          if (timer->present == DOMAIN_TRISTATE_OFF)
            return unsupported (b, error, "timer 'rtc' cannot be removed "
                                "(present='no')");
          if (timer->tickpolicy == DOMAIN_TICK_POLICY_CATCHUP)
            {
              /* Lost RTC ticks are re-injected faster until caught up. */
              if (!append_keyval (b, rtc, "driftfix", "slew", error))
                return FALSE;
            }
          else if (timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET &&
                   timer->tickpolicy != DOMAIN_TICK_POLICY_DELAY)
            return unsupported (b, error, "timer 'rtc' tickpolicy '%s' is "
                                "not supported by QEMU (use delay or "
                                "catchup)", policy);
          break;
        case DOMAIN_TIMER_PIT:
          if (timer->present == DOMAIN_TRISTATE_OFF)
            return unsupported (b, error, "timer 'pit' cannot be removed "
                                "(present='no')");
          if (timer->tickpolicy == DOMAIN_TICK_POLICY_UNSET)
            break;
          if (!kvm)
            {
              /* The TCG PIT delays lost ticks; that is all it does. */
              if (timer->tickpolicy != DOMAIN_TICK_POLICY_DELAY)
                return unsupported (b, error, "timer 'pit' tickpolicy '%s' "
                                    "needs <domain type='kvm'> (TCG's PIT "
                                    "only delays)", policy);
              break;
            }
          if (timer->tickpolicy != DOMAIN_TICK_POLICY_DELAY &&
              timer->tickpolicy != DOMAIN_TICK_POLICY_DISCARD)
            return unsupported (b, error, "timer 'pit' tickpolicy '%s' is "
                                "not supported by QEMU (use delay or "
                                "discard)", policy);
          pit_policy = policy;
          break;
        case DOMAIN_TIMER_HPET:
          /* present is a -machine property (add_machine). */
          if (timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return unsupported (b, error, "timer 'hpet' takes no "
                                "tickpolicy in QEMU");
          break;
        case DOMAIN_TIMER_KVMCLOCK:
          /* present='no' is a CPU feature (add_cpu). */
          if (timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return unsupported (b, error, "timer 'kvmclock' takes no "
                                "tickpolicy in QEMU");
          break;
        case DOMAIN_TIMER_TSC:
          if (timer->present == DOMAIN_TRISTATE_OFF ||
              timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return unsupported (b, error, "timer 'tsc' can only be left as "
                                "it is (no present='no', no tickpolicy)");
          break;
        case DOMAIN_TIMER_HYPERVCLOCK:
          if (timer->present == DOMAIN_TRISTATE_ON ||
              timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return unsupported (b, error, "timer 'hypervclock' needs "
                                "Hyper-V enlightenments, which qvirt does "
                                "not support");
          break;
        case DOMAIN_TIMER_LAST:
        default:
          return unsupported (b, error, "timer '%s' is not supported",
                              name != NULL ? name : "?");
        }
    }

  add_arg (b, "-rtc");
  add_arg_take (b, g_string_free (g_steal_pointer (&rtc), FALSE));
  if (pit_policy != NULL &&
      !add_global (b, "kvm-pit", "lost_tick_policy", pit_policy, error))
    return FALSE;
  return TRUE;
}

/* <pm>: the chipset's power management device can hide S3 and S4. */
static gboolean
add_power_management (Builder *b, GError **error)
{
  const DomainPm *pm = &b->def->pm;
  const char *device;

  if (pm->suspend_to_mem == DOMAIN_TRISTATE_UNSET &&
      pm->suspend_to_disk == DOMAIN_TRISTATE_UNSET)
    return TRUE;
  at (b, "pm", LINE_UNKNOWN);
  switch (b->family)
    {
    case DOMAIN_MACHINE_PC:
      device = "PIIX4_PM";
      break;
    case DOMAIN_MACHINE_Q35:
      device = "ICH9-LPC";
      break;
    case DOMAIN_MACHINE_MICROVM:
    case DOMAIN_MACHINE_UNKNOWN:
    case DOMAIN_MACHINE_LAST:
    default:
      return unsupported (b, error, "the microvm machine has no ACPI sleep "
                          "states to configure");
    }
  if (pm->suspend_to_mem != DOMAIN_TRISTATE_UNSET &&
      !add_global (b, device, "disable_s3",
                   pm->suspend_to_mem == DOMAIN_TRISTATE_ON ? "0" : "1",
                   error))
    return FALSE;
  if (pm->suspend_to_disk != DOMAIN_TRISTATE_UNSET &&
      !add_global (b, device, "disable_s4",
                   pm->suspend_to_disk == DOMAIN_TRISTATE_ON ? "0" : "1",
                   error))
    return FALSE;
  return TRUE;
}

static const char *
watchdog_action_name (DomainWatchdogAction action)
{
  switch (action)
    {
    case DOMAIN_WATCHDOG_ACTION_UNSET:
    case DOMAIN_WATCHDOG_ACTION_RESET:
      return "reset";
    case DOMAIN_WATCHDOG_ACTION_SHUTDOWN:
      return "shutdown";
    case DOMAIN_WATCHDOG_ACTION_POWEROFF:
      return "poweroff";
    case DOMAIN_WATCHDOG_ACTION_PAUSE:
      return "pause";
    case DOMAIN_WATCHDOG_ACTION_NONE:
      return "none";
    case DOMAIN_WATCHDOG_ACTION_INJECT_NMI:
      return "inject-nmi";
    case DOMAIN_WATCHDOG_ACTION_DUMP:
    case DOMAIN_WATCHDOG_ACTION_LAST:
    default:
      return NULL;
    }
}

/* What a watchdog does when it fires is a machine-wide action; the
 * iTCO watchdog of q35 also has to be allowed to reset the machine. */
static gboolean
add_watchdog_action (Builder *b, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const DomainWatchdog *watchdog;
  const char *action;

  if (b->def->watchdogs->len == 0)
    return TRUE;
  watchdog = g_ptr_array_index (b->def->watchdogs, 0);
  at (b, "devices/watchdog", watchdog->line);
  action = watchdog_action_name (watchdog->action);
  if (action == NULL)
    return unsupported (b, error, "watchdog action '%s' is not supported "
                        "(QEMU does not write guest dumps itself)",
                        domain_watchdog_action_to_string (watchdog->action));
  if (watchdog->model == DOMAIN_WATCHDOG_ITCO &&
      !add_global (b, "ICH9-LPC", "noreboot", "off", error))
    return FALSE;
  if (!append_keyval (b, text, "watchdog", action, error))
    return FALSE;
  add_arg (b, "-action");
  add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static gboolean
add_boot (Builder *b, GError **error)
{
  const DomainOs *os = &b->def->os;
  g_autoptr(GString) text = g_string_new (NULL);

  at (b, "os/bootmenu", LINE_UNKNOWN);
  if (os->bootmenu != DOMAIN_TRISTATE_UNSET &&
      !append_keyval (b, text, "menu",
                      os->bootmenu == DOMAIN_TRISTATE_ON ? "on" : "off",
                      error))
    return FALSE;
  if (os->bootmenu_timeout >= 0)
    {
      g_autofree char *timeout = g_strdup_printf ("%d", os->bootmenu_timeout);

      if (!append_keyval (b, text, "splash-time", timeout, error))
        return FALSE;
    }
  /* Boot only from the devices given a bootindex, never fall back to
   * the firmware's own order. */
  if (b->any_bootindex && !append_keyval (b, text, "strict", "on", error))
    return FALSE;
  if (text->len == 0)
    return TRUE;
  add_arg (b, "-boot");
  add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static void
add_kernel (Builder *b)
{
  const DomainOs *os = &b->def->os;

  /* Whole words, not option strings: QEMU takes them verbatim. */
  if (os->kernel != NULL)
    {
      add_arg (b, "-kernel");
      add_arg (b, os->kernel);
    }
  if (os->initrd != NULL)
    {
      add_arg (b, "-initrd");
      add_arg (b, os->initrd);
    }
  if (os->cmdline != NULL)
    {
      add_arg (b, "-append");
      add_arg (b, os->cmdline);
    }
}

static gboolean
add_monitor (Builder *b, GError **error)
{
  const QemuCommandConfig *config = b->config;
  g_autofree char *fd = NULL;
  QdevChardev chardev = {
    .backend = QDEV_CHARDEV_SOCKET,
    .id = "monitor",
    .server = TRUE,
    .wait = FALSE,
  };
  GError *local = NULL;
  json_t *props;

  at (b, NULL, 0);
  if (config->monitor_fd >= 0)
    {
      fd = g_strdup_printf ("%d", config->monitor_fd);
      chardev.fd = fd;
    }
  else
    {
      if (config->monitor_path == NULL)
        return unsupported (b, error, "the monitor needs a socket: neither "
                            "a file descriptor nor a path was given");
      if (!check_socket_path (b, "monitor socket path", config->monitor_path,
                              error))
        return FALSE;
      chardev.path = config->monitor_path;
    }
  props = qdev_chardev_option_new (&chardev, &local);
  if (props == NULL)
    return refused (b, error, local);
  if (!add_option (b, QDEV_OPTION_CHARDEV, props, error))
    return FALSE;
  add_arg (b, "-mon");
  add_arg (b, "chardev=monitor,mode=control");
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Display
 */

static char *
runtime_socket (const Builder *b, const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", b->def->name, suffix);

  return g_build_filename (b->config->runtime_dir, name, NULL);
}

static gboolean
add_graphics (Builder *b, GError **error)
{
  const DomainGraphics *graphics;
  g_autoptr(json_t) vnc = NULL;
  GError *local = NULL;

  if (b->def->graphics->len == 0)
    {
      add_arg (b, "-display");
      add_arg (b, "none");
      return TRUE;
    }

  graphics = g_ptr_array_index (b->def->graphics, 0);
  at (b, "devices/graphics", graphics->line);
  switch (graphics->listen_type)
    {
    case DOMAIN_LISTEN_SOCKET:
      {
        g_autofree char *path = NULL;

        if (graphics->listen_socket != NULL)
          path = g_strdup (graphics->listen_socket);
        else if (b->config->runtime_dir != NULL)
          path = runtime_socket (b, "vnc");
        else
          return unsupported (b, error, "a VNC socket without a path needs "
                              "a runtime directory to put it in");
        if (!check_socket_path (b, "VNC socket path", path, error))
          return FALSE;
        vnc = qdev_vnc_unix_new (path, &local);
        break;
      }
    case DOMAIN_LISTEN_NONE:
      vnc = json_pack ("{s:s}", "vnc", "none");
      break;
    case DOMAIN_LISTEN_UNSET:
    case DOMAIN_LISTEN_ADDRESS:
    case DOMAIN_LISTEN_LAST:
    default:
      {
        const char *host = graphics->listen_address != NULL
                             ? graphics->listen_address : "127.0.0.1";
        gboolean autoport = graphics->autoport || graphics->port < 0;
        guint display = autoport ? 0 : (guint) graphics->port - VNC_BASE_PORT;

        if (!autoport && graphics->port < VNC_BASE_PORT)
          return unsupported (b, error, "VNC port %d is below %d, the port "
                              "of display 0", graphics->port, VNC_BASE_PORT);
        vnc = qdev_vnc_tcp_new (host, display, &local);
        /* QEMU's own autoport: the first free display from 0 on. */
        if (vnc != NULL && autoport)
          qdev_set_int (vnc, "to", VNC_AUTOPORT_LAST_DISPLAY);
        break;
      }
    }
  if (vnc == NULL)
    return refused (b, error, local);

  if (graphics->websocket > 0)
    qdev_set_int (vnc, "websocket", graphics->websocket);
  else if (graphics->websocket < 0)
    /* Automatic: QEMU listens on 5700 + the display. */
    qdev_set_bool (vnc, "websocket", TRUE);
  /* The password never goes on the command line (anyone can read it in
   * /proc): QEMU starts refusing every client, and the driver sets the
   * password over QMP (set_password) before the guest runs. */
  if (graphics->passwd != NULL)
    qdev_set_bool (vnc, "password", TRUE);

  if (!add_option (b, QDEV_OPTION_VNC, g_steal_pointer (&vnc), error))
    return FALSE;
  if (graphics->keymap != NULL)
    {
      if (!is_plain_name (graphics->keymap))
        return unsupported (b, error, "keymap '%s' is not a keymap name",
                            graphics->keymap);
      add_arg (b, "-k");
      add_arg (b, graphics->keymap);
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Controllers
 */

/* The q35 chipset's own AHCI (SATA controller 0 at 00:1f.2) is part of
 * the machine, and so is the IDE of the pc's PIIX3 (00:01.1): they get
 * no -device, and their buses are named "ide.N". */
static gboolean
is_builtin_controller (const Builder *b, const DomainController *c)
{
  if (c->index != 0)
    return FALSE;
  if (c->type == DOMAIN_CONTROLLER_SATA)
    return b->family == DOMAIN_MACHINE_Q35;
  if (c->type == DOMAIN_CONTROLLER_IDE)
    return b->family == DOMAIN_MACHINE_PC;
  return FALSE;
}

static char *
controller_id (const DomainController *c)
{
  switch (c->type)
    {
    case DOMAIN_CONTROLLER_PCI:
      return g_strdup_printf ("pci.%u", c->index);
    case DOMAIN_CONTROLLER_USB:
      return g_strdup_printf ("usb%u", c->index);
    case DOMAIN_CONTROLLER_IDE:
      return g_strdup_printf ("ide%u", c->index);
    case DOMAIN_CONTROLLER_SATA:
      return g_strdup_printf ("sata%u", c->index);
    case DOMAIN_CONTROLLER_SCSI:
      return g_strdup_printf ("scsi%u", c->index);
    case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
      return g_strdup_printf ("virtio-serial%u", c->index);
    case DOMAIN_CONTROLLER_LAST:
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Creates the -device of a USB controller model, or NULL with no error
 * for model none. */
static json_t *
usb_controller_new (const DomainController *c, const char *id, GError **error)
{
  json_t *device;

  switch (c->model)
    {
    case DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI:
      return qdev_device_controller_new (QDEV_CONTROLLER_PIIX3_USB_UHCI, id,
                                         error);
    case DOMAIN_CONTROLLER_MODEL_PIIX4_UHCI:
      return qdev_device_new ("piix4-usb-uhci", id, error);
    case DOMAIN_CONTROLLER_MODEL_EHCI:
      return qdev_device_new ("usb-ehci", id, error);
    case DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1:
      return qdev_device_controller_new (QDEV_CONTROLLER_ICH9_USB_EHCI1, id,
                                         error);
    case DOMAIN_CONTROLLER_MODEL_QEMU_XHCI:
    case DOMAIN_CONTROLLER_MODEL_NEC_XHCI:
      device = qdev_device_controller_new (
        c->model == DOMAIN_CONTROLLER_MODEL_QEMU_XHCI
          ? QDEV_CONTROLLER_QEMU_XHCI : QDEV_CONTROLLER_NEC_USB_XHCI,
        id, error);
      /* An xHCI has as many USB 2 ports (p2) as USB 3 ones (p3). */
      if (device != NULL && c->ports != 0)
        {
          qdev_set_int (device, "p2", c->ports);
          qdev_set_int (device, "p3", c->ports);
        }
      return device;
    default:
      return NULL;
    }
}

static gboolean
add_controller (Builder *b, const DomainController *c, GError **error)
{
  g_autofree char *id = controller_id (c);
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  at (b, "devices/controller", c->line);
  if (is_builtin_controller (b, c))
    return TRUE;

  switch (c->type)
    {
    case DOMAIN_CONTROLLER_PCI:
      if (c->model == DOMAIN_CONTROLLER_MODEL_PCI_ROOT ||
          c->model == DOMAIN_CONTROLLER_MODEL_PCIE_ROOT)
        return TRUE;            /* the machine's host bridge */
      if (c->model != DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT)
        return unsupported (b, error, "PCI controller model '%s' is not "
                            "supported",
                            domain_controller_model_to_string (c->model));
      if (c->chassis < 0 || c->port < 0)
        return unsupported (b, error, "a pcie-root-port needs its chassis "
                            "and port");
      device = qdev_device_pcie_root_port_new (id, (guint) c->chassis,
                                               (guint) c->port, &local);
      break;
    case DOMAIN_CONTROLLER_USB:
      if (c->model == DOMAIN_CONTROLLER_MODEL_USB_NONE ||
          c->model == DOMAIN_CONTROLLER_MODEL_UNSET)
        return TRUE;
      device = usb_controller_new (c, id, &local);
      if (device == NULL && local == NULL)
        return unsupported (b, error, "USB controller model '%s' is not "
                            "supported",
                            domain_controller_model_to_string (c->model));
      break;
    case DOMAIN_CONTROLLER_IDE:
      return unsupported (b, error, "only the pc machine's own IDE "
                          "controller (index 0) is supported");
    case DOMAIN_CONTROLLER_SATA:
      device = qdev_device_controller_new (QDEV_CONTROLLER_AHCI, id, &local);
      break;
    case DOMAIN_CONTROLLER_SCSI:
      switch (c->model)
        {
        case DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI:
          device = qdev_device_controller_new (QDEV_CONTROLLER_VIRTIO_SCSI,
                                               id, &local);
          break;
        case DOMAIN_CONTROLLER_MODEL_LSILOGIC:
        case DOMAIN_CONTROLLER_MODEL_UNSET:
          device = qdev_device_controller_new (QDEV_CONTROLLER_LSI, id,
                                               &local);
          break;
        default:
          return unsupported (b, error, "SCSI controller model '%s' is not "
                              "supported",
                              domain_controller_model_to_string (c->model));
        }
      break;
    case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
      device = qdev_device_controller_new (QDEV_CONTROLLER_VIRTIO_SERIAL, id,
                                           &local);
      if (device != NULL && c->ports != 0)
        qdev_set_int (device, "max_ports", c->ports);
      if (device != NULL && c->vectors != 0)
        qdev_set_int (device, "vectors", c->vectors);
      break;
    case DOMAIN_CONTROLLER_LAST:
    default:
      return unsupported (b, error, "controller type is not supported");
    }
  if (device == NULL)
    return refused (b, error, local);
  if (!place_device (b, device, &c->address, error))
    return FALSE;
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

/* PCI controllers first: every other device may sit behind one, and QEMU
 * needs a bus to exist before a device names it. */
static gboolean
add_controllers (Builder *b, GError **error)
{
  const GPtrArray *controllers = b->def->controllers;

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < controllers->len; i++)
      {
        const DomainController *c = g_ptr_array_index (controllers, i);
        gboolean is_pci = c->type == DOMAIN_CONTROLLER_PCI;

        if (is_pci == (pass == 0) && !add_controller (b, c, error))
          return FALSE;
      }
  return TRUE;
}

/* The bus name of the child bus of controller @type/@index: "ide.N" for
 * the chipset's own IDE/SATA, "ID.N" for added controllers. */
static char *
child_bus_name (Builder *b, DomainControllerType type, guint index,
                guint number, GError **error)
{
  const DomainController *c = domain_def_find_controller (b->def, type,
                                                          index);
  g_autofree char *id = NULL;

  if (c == NULL)
    {
      unsupported (b, error, "there is no %s controller %u",
                   domain_controller_type_to_string (type), index);
      return NULL;
    }
  if (is_builtin_controller (b, c))
    return g_strdup_printf ("ide.%u", number);
  id = controller_id (c);
  return g_strdup_printf ("%s.%u", id, number);
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
    return place_device (b, device, &disk->address, error);
  if (disk->address.type != DOMAIN_ADDRESS_DRIVE)
    return unsupported (b, error, "an %s disk needs a drive address",
                        domain_disk_bus_to_string (disk->bus));

  switch (disk->bus)
    {
    case DOMAIN_DISK_BUS_IDE:
      bus = child_bus_name (b, DOMAIN_CONTROLLER_IDE, drive->controller,
                            drive->bus, error);
      if (bus == NULL)
        return FALSE;
      CHECK_QDEV (b, error,
                  qdev_device_set_drive_unit (device, bus, drive->unit,
                                              &local), local);
      return TRUE;
    case DOMAIN_DISK_BUS_SATA:
      /* Each AHCI port is a bus of its own with one unit. */
      bus = child_bus_name (b, DOMAIN_CONTROLLER_SATA, drive->controller,
                            drive->unit, error);
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

        bus = child_bus_name (b, DOMAIN_CONTROLLER_SCSI, drive->controller,
                              0, error);
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
      return unsupported (b, error, "disk bus is not supported");
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

static gboolean
add_disk (Builder *b, guint position, GError **error)
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

  at (b, "devices/disk", disk->line);
  if (disk->type != DOMAIN_DISK_TYPE_FILE &&
      disk->type != DOMAIN_DISK_TYPE_BLOCK)
    return unsupported (b, error, "disk type '%s' needs a storage driver",
                        domain_disk_type_to_string (disk->type));
  if (disk->source_path == NULL && !cdrom)
    return unsupported (b, error, "a disk needs a source");
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
        return refused (b, error, local);
      if (aio != NULL)
        qdev_set_string (file_node, "aio", aio, NULL);
      format_node = qdev_blockdev_format_new (
        disk->format == DOMAIN_DISK_FORMAT_QCOW2 ? QDEV_BLOCK_FORMAT_QCOW2
                                                 : QDEV_BLOCK_FORMAT_RAW,
        format, storage, &options, &local);
      if (format_node == NULL)
        return refused (b, error, local);
      if (!add_option (b, QDEV_OPTION_BLOCKDEV, g_steal_pointer (&file_node),
                       error) ||
          !add_option (b, QDEV_OPTION_BLOCKDEV,
                       g_steal_pointer (&format_node), error))
        return FALSE;
    }

  device = qdev_device_disk_new (disk_model (disk), alias,
                                 disk->source_path != NULL ? format : NULL,
                                 b->disk_bootindex[position], disk->serial,
                                 &local);
  if (device == NULL)
    return refused (b, error, local);
  if (write_cache_off)
    qdev_set_string (device, "write-cache", "off", NULL);
  if (disk->shareable)
    qdev_set_bool (device, "share-rw", TRUE);
  if (!place_disk (b, disk, device, error))
    return FALSE;
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

/* ------------------------------------------------------------------------
 * Network interfaces
 */

static QdevNicModel
nic_model (DomainNetModel model)
{
  switch (model)
    {
    case DOMAIN_NET_MODEL_VIRTIO:
      return QDEV_NIC_VIRTIO;
    case DOMAIN_NET_MODEL_E1000:
      return QDEV_NIC_E1000;
    case DOMAIN_NET_MODEL_E1000E:
      return QDEV_NIC_E1000E;
    case DOMAIN_NET_MODEL_UNSET:
    case DOMAIN_NET_MODEL_RTL8139:
    case DOMAIN_NET_MODEL_LAST:
    default:
      return QDEV_NIC_RTL8139;
    }
}

static gboolean
add_interface (Builder *b, guint position, GError **error)
{
  const DomainInterface *iface = g_ptr_array_index (b->def->interfaces,
                                                    position);
  g_autofree char *netdev_id = g_strdup_printf ("hostnet%u", position);
  g_autofree char *id = g_strdup_printf ("net%u", position);
  g_autoptr(json_t) netdev = NULL;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  at (b, "devices/interface", iface->line);
  switch (iface->type)
    {
    case DOMAIN_NET_USER:
      netdev = qdev_netdev_user_new (netdev_id, &local);
      break;
    case DOMAIN_NET_ETHERNET:
      /* QEMU opens (or creates) the tap. Without a name the kernel picks
       * one from the template, as libvirt's vnetN. */
      netdev = qdev_netdev_tap_new (netdev_id,
                                    iface->target_dev != NULL
                                      ? iface->target_dev : "vnet%d",
                                    &local);
      /* The script sets the new tap up; QEMU runs it with the tap's name,
       * as libvirt does. */
      if (netdev != NULL && iface->script != NULL)
        qdev_set_string (netdev, "script", iface->script, NULL);
      break;
    case DOMAIN_NET_BRIDGE:
      /* QEMU's setuid bridge helper creates the tap and adds it to the
       * bridge; it cannot be told a tap name. */
      if (iface->target_dev != NULL)
        return unsupported (b, error, "<target dev='%s'> cannot be honoured "
                            "for type 'bridge': qemu-bridge-helper names "
                            "the tap itself (remove <target>)",
                            iface->target_dev);
      netdev = qdev_netdev_bridge_new (netdev_id, iface->source_bridge,
                                       NULL, &local);
      break;
    case DOMAIN_NET_NETWORK:
    case DOMAIN_NET_LAST:
    default:
      return unsupported (b, error, "interface type '%s' needs libvirt's "
                          "network driver",
                          domain_net_type_to_string (iface->type));
    }
  if (netdev == NULL)
    return refused (b, error, local);

  device = qdev_device_nic_new (nic_model (iface->model), id, netdev_id,
                                iface->mac, b->interface_bootindex[position],
                                &local);
  if (device == NULL)
    return refused (b, error, local);
  if (!place_device (b, device, &iface->address, error))
    return FALSE;
  return add_option (b, QDEV_OPTION_NETDEV, g_steal_pointer (&netdev),
                     error) &&
         add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

/* ------------------------------------------------------------------------
 * Character devices: serial ports, consoles, channels
 */

/* Adds the -chardev of a serial port, console or channel.
 * @default_socket: where a unix source with no path goes, or NULL. */
static gboolean
add_chardev (Builder *b, const char *id, const DomainChardevSource *source,
             const char *default_socket, GError **error)
{
  QdevChardev chardev = { .id = id };
  GError *local = NULL;
  json_t *props;

  switch (source->type)
    {
    case DOMAIN_CHARDEV_PTY:
      chardev.backend = QDEV_CHARDEV_PTY;
      break;
    case DOMAIN_CHARDEV_FILE:
      chardev.backend = QDEV_CHARDEV_FILE;
      chardev.path = source->path;
      chardev.append = source->append == DOMAIN_TRISTATE_ON;
      if (chardev.path == NULL)
        return unsupported (b, error, "a file character device needs a "
                            "path");
      break;
    case DOMAIN_CHARDEV_UNIX:
      chardev.backend = QDEV_CHARDEV_SOCKET;
      chardev.path = source->path != NULL ? source->path : default_socket;
      if (chardev.path == NULL)
        return unsupported (b, error, "a unix character device without a "
                            "path needs a runtime directory to put it in");
      if (!check_socket_path (b, "socket path", chardev.path, error))
        return FALSE;
      /* A listening socket must not hold QEMU back until someone
       * connects. */
      chardev.server = source->mode != DOMAIN_CHARDEV_MODE_CONNECT;
      chardev.wait = FALSE;
      break;
    case DOMAIN_CHARDEV_NULL:
      chardev.backend = QDEV_CHARDEV_NULL;
      break;
    case DOMAIN_CHARDEV_STDIO:
      chardev.backend = QDEV_CHARDEV_STDIO;
      break;
    case DOMAIN_CHARDEV_LAST:
    default:
      return unsupported (b, error, "character device type is not "
                          "supported");
    }
  props = qdev_chardev_option_new (&chardev, &local);
  if (props == NULL)
    return refused (b, error, local);
  return add_option (b, QDEV_OPTION_CHARDEV, props, error);
}

static gboolean
add_serial (Builder *b, const DomainSerial *serial, GError **error)
{
  guint port = serial->target_port >= 0 ? (guint) serial->target_port : 0;
  g_autofree char *chardev = g_strdup_printf ("charserial%u", port);
  g_autofree char *id = g_strdup_printf ("serial%u", port);
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  at (b, "devices/serial", serial->line);
  if (!add_chardev (b, chardev, &serial->source, NULL, error))
    return FALSE;
  device = qdev_device_serial_new (id, chardev, &local);
  if (device == NULL)
    return refused (b, error, local);
  /* The COM port (I/O address and IRQ) is the target port. */
  qdev_set_int (device, "index", port);
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

static gboolean
add_virtio_port (Builder *b, QdevVirtioPortModel model, const char *id,
                 const char *chardev, const char *name, guint controller,
                 int port, GError **error)
{
  g_autofree char *bus = NULL;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  bus = child_bus_name (b, DOMAIN_CONTROLLER_VIRTIO_SERIAL, controller, 0,
                        error);
  if (bus == NULL)
    return FALSE;
  device = qdev_device_virtio_port_new (model, id, chardev, name, &local);
  if (device == NULL)
    return refused (b, error, local);
  CHECK_QDEV (b, error, qdev_device_set_bus (device, bus, &local), local);
  if (port >= 0)
    qdev_set_int (device, "nr", port);
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

static gboolean
add_console (Builder *b, const DomainConsole *console, guint position,
             GError **error)
{
  g_autofree char *chardev = NULL;
  g_autofree char *id = NULL;

  at (b, "devices/console", console->line);
  if (console->target_type == DOMAIN_CONSOLE_TARGET_SERIAL)
    return TRUE;                /* it is its <serial>, added already */
  if (console->target_type != DOMAIN_CONSOLE_TARGET_VIRTIO)
    return unsupported (b, error, "console target type is not supported");

  chardev = g_strdup_printf ("charconsole%u", position);
  id = g_strdup_printf ("console%u", position);
  if (!add_chardev (b, chardev, &console->source, NULL, error))
    return FALSE;
  /* Port 0 of a virtio-serial controller is reserved for a console;
   * the others take the first free port, which the defaults left free
   * of channels. */
  return add_virtio_port (b, QDEV_VIRTIO_PORT_CONSOLE, id, chardev, NULL, 0,
                          -1, error);
}

static gboolean
add_channel (Builder *b, const DomainChannel *channel, guint position,
             GError **error)
{
  g_autofree char *chardev = g_strdup_printf ("charchannel%u", position);
  g_autofree char *id = g_strdup_printf ("channel%u", position);
  g_autofree char *default_socket = NULL;
  const DomainVirtioSerialAddress *address = &channel->address.virtio_serial;

  at (b, "devices/channel", channel->line);
  if (channel->address.type != DOMAIN_ADDRESS_VIRTIO_SERIAL)
    return unsupported (b, error, "a channel needs a virtio-serial "
                        "address");
  if (b->config->runtime_dir != NULL && channel->target_name != NULL)
    default_socket = runtime_socket (b, channel->target_name);
  if (!add_chardev (b, chardev, &channel->source, default_socket, error))
    return FALSE;
  return add_virtio_port (b, QDEV_VIRTIO_PORT_SERIAL, id, chardev,
                          channel->target_name, address->controller,
                          (int) address->port, error);
}

/* ------------------------------------------------------------------------
 * Input, video, audio, rng, watchdog, balloon
 */

static gboolean
add_input (Builder *b, const DomainInput *input, guint position,
           GError **error)
{
  static const QdevInputModel usb_models[] = {
    [DOMAIN_INPUT_MOUSE] = QDEV_INPUT_USB_MOUSE,
    [DOMAIN_INPUT_TABLET] = QDEV_INPUT_USB_TABLET,
    [DOMAIN_INPUT_KEYBOARD] = QDEV_INPUT_USB_KEYBOARD,
  };
  static const QdevInputModel virtio_models[] = {
    [DOMAIN_INPUT_MOUSE] = QDEV_INPUT_VIRTIO_MOUSE,
    [DOMAIN_INPUT_TABLET] = QDEV_INPUT_VIRTIO_TABLET,
    [DOMAIN_INPUT_KEYBOARD] = QDEV_INPUT_VIRTIO_KEYBOARD,
  };
  g_autofree char *id = g_strdup_printf ("input%u", position);
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  at (b, "devices/input", input->line);
  if ((guint) input->type >= G_N_ELEMENTS (usb_models))
    return unsupported (b, error, "input type is not supported");
  switch (input->bus)
    {
    case DOMAIN_INPUT_BUS_PS2:
      if (b->family == DOMAIN_MACHINE_MICROVM)
        return unsupported (b, error, "the microvm machine has no PS/2 "
                            "controller");
      return TRUE;              /* the chipset's i8042 */
    case DOMAIN_INPUT_BUS_USB:
      {
        g_autofree char *bus = NULL;
        g_autofree char *port = NULL;

        if (input->address.type != DOMAIN_ADDRESS_USB)
          return unsupported (b, error, "a USB input needs a USB address");
        bus = child_bus_name (b, DOMAIN_CONTROLLER_USB,
                              input->address.usb.bus, 0, error);
        if (bus == NULL)
          return FALSE;
        port = g_strdup_printf ("%u", input->address.usb.port);
        device = qdev_device_input_new (usb_models[input->type], id, &local);
        if (device == NULL ||
            !qdev_device_set_usb_port (device, bus, port, &local))
          return refused (b, error, local);
        break;
      }
    case DOMAIN_INPUT_BUS_VIRTIO:
      device = qdev_device_input_new (virtio_models[input->type], id,
                                      &local);
      if (device == NULL)
        return refused (b, error, local);
      if (!place_device (b, device, &input->address, error))
        return FALSE;
      break;
    case DOMAIN_INPUT_BUS_UNSET:
    case DOMAIN_INPUT_BUS_LAST:
    default:
      return unsupported (b, error, "input bus is not supported");
    }
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

static gboolean
add_video (Builder *b, const DomainVideo *video, guint position,
           GError **error)
{
  g_autofree char *id = g_strdup_printf ("video%u", position);
  guint vgamem_mib = video->vram / KIB_PER_MIB;
  gboolean has_heads = FALSE;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  at (b, "devices/video", video->line);
  if (video->vram % KIB_PER_MIB != 0)
    return unsupported (b, error, "video memory %u KiB is not a whole "
                        "number of MiB", video->vram);
  switch (video->model)
    {
    case DOMAIN_VIDEO_NONE:
      return TRUE;
    case DOMAIN_VIDEO_RAMFB:
      device = qdev_device_new ("ramfb", id, &local);
      break;
    case DOMAIN_VIDEO_VGA:
      device = qdev_device_video_new (QDEV_VIDEO_VGA, id, vgamem_mib, &local);
      break;
    case DOMAIN_VIDEO_CIRRUS:
      device = qdev_device_video_new (QDEV_VIDEO_CIRRUS, id, vgamem_mib,
                                      &local);
      break;
    case DOMAIN_VIDEO_BOCHS:
      device = qdev_device_video_new (QDEV_VIDEO_BOCHS, id, vgamem_mib,
                                      &local);
      break;
    case DOMAIN_VIDEO_QXL:
      has_heads = TRUE;
      if (video->primary)
        device = qdev_device_video_new (QDEV_VIDEO_QXL, id, vgamem_mib,
                                        &local);
      else
        {
          /* A secondary QXL has no VGA part: plain "qxl". */
          device = qdev_device_new ("qxl", id, &local);
          if (device != NULL && vgamem_mib != 0)
            qdev_set_int (device, "vgamem_mb", vgamem_mib);
        }
      break;
    case DOMAIN_VIDEO_VIRTIO:
      has_heads = TRUE;
      if (vgamem_mib != 0)
        return unsupported (b, error, "a virtio video has no video memory "
                            "size (vram)");
      /* Only the primary one has legacy VGA; microvm has no VGA at all. */
      device = qdev_device_video_new (video->primary &&
                                        b->family != DOMAIN_MACHINE_MICROVM
                                        ? QDEV_VIDEO_VIRTIO_VGA
                                        : QDEV_VIDEO_VIRTIO_GPU,
                                      id, 0, &local);
      break;
    case DOMAIN_VIDEO_LAST:
    default:
      return unsupported (b, error, "video model is not supported");
    }
  if (device == NULL)
    return refused (b, error, local);
  if (video->heads > 1)
    {
      if (!has_heads)
        return unsupported (b, error, "video model '%s' has a single head",
                            domain_video_model_to_string (video->model));
      qdev_set_int (device, "max_outputs", video->heads);
    }
  if (!place_device (b, device, &video->address, error))
    return FALSE;
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

static gboolean
add_audio (Builder *b, const DomainAudio *audio, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *id = g_strdup_printf ("audio%u", audio->id);

  at (b, "devices/audio", audio->line);
  if (!append_keyval (b, text, "driver", "none", error) ||
      !append_keyval (b, text, "id", id, error))
    return FALSE;
  add_arg (b, "-audiodev");
  add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static gboolean
add_rng (Builder *b, const DomainRng *rng, guint position, GError **error)
{
  g_autofree char *backend_id = g_strdup_printf ("objrng%u", position);
  g_autofree char *id = g_strdup_printf ("rng%u", position);
  g_autoptr(json_t) backend = NULL;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  at (b, "devices/rng", rng->line);
  switch (rng->backend)
    {
    case DOMAIN_RNG_BACKEND_RANDOM:
      backend = qdev_object_rng_random_new (backend_id, rng->backend_path,
                                            &local);
      break;
    case DOMAIN_RNG_BACKEND_BUILTIN:
      backend = qdev_object_rng_builtin_new (backend_id, &local);
      break;
    case DOMAIN_RNG_BACKEND_LAST:
    default:
      return unsupported (b, error, "rng backend is not supported");
    }
  if (backend == NULL)
    return refused (b, error, local);
  device = qdev_device_rng_new (id, backend_id, rng->rate_bytes,
                                rng->rate_period, &local);
  if (device == NULL)
    return refused (b, error, local);
  if (!place_device (b, device, &rng->address, error))
    return FALSE;
  return add_option (b, QDEV_OPTION_OBJECT, g_steal_pointer (&backend),
                     error) &&
         add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

static gboolean
add_watchdog (Builder *b, const DomainWatchdog *watchdog, guint position,
              GError **error)
{
  g_autofree char *id = g_strdup_printf ("watchdog%u", position);
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  at (b, "devices/watchdog", watchdog->line);
  switch (watchdog->model)
    {
    case DOMAIN_WATCHDOG_ITCO:
      return TRUE;              /* part of q35's ICH9 (see
                                   add_watchdog_action) */
    case DOMAIN_WATCHDOG_I6300ESB:
      device = qdev_device_watchdog_new (QDEV_WATCHDOG_I6300ESB, id, &local);
      break;
    case DOMAIN_WATCHDOG_IB700:
      device = qdev_device_watchdog_new (QDEV_WATCHDOG_IB700, id, &local);
      break;
    case DOMAIN_WATCHDOG_LAST:
    default:
      return unsupported (b, error, "watchdog model is not supported");
    }
  if (device == NULL)
    return refused (b, error, local);
  if (!place_device (b, device, &watchdog->address, error))
    return FALSE;
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

/* The balloon's statistics period is not a device property: the driver
 * sets it over QMP (qom-set guest-stats-polling-interval). */
static gboolean
add_memballoon (Builder *b, GError **error)
{
  const DomainMemballoon *balloon = b->def->memballoon;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  if (balloon == NULL || balloon->model == DOMAIN_MEMBALLOON_NONE)
    return TRUE;
  at (b, "devices/memballoon", balloon->line);
  device = qdev_device_balloon_new ("balloon0",
                                    balloon->autodeflate == DOMAIN_TRISTATE_ON,
                                    FALSE, &local);
  if (device == NULL)
    return refused (b, error, local);
  if (!place_device (b, device, &balloon->address, error))
    return FALSE;
  return add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device), error);
}

static gboolean
add_devices (Builder *b, GError **error)
{
  const DomainDef *def = b->def;

  if (!add_controllers (b, error))
    return FALSE;
  for (guint i = 0; i < def->disks->len; i++)
    if (!add_disk (b, i, error))
      return FALSE;
  for (guint i = 0; i < def->interfaces->len; i++)
    if (!add_interface (b, i, error))
      return FALSE;
  for (guint i = 0; i < def->serials->len; i++)
    if (!add_serial (b, g_ptr_array_index (def->serials, i), error))
      return FALSE;
  for (guint i = 0; i < def->consoles->len; i++)
    if (!add_console (b, g_ptr_array_index (def->consoles, i), i, error))
      return FALSE;
  for (guint i = 0; i < def->channels->len; i++)
    if (!add_channel (b, g_ptr_array_index (def->channels, i), i, error))
      return FALSE;
  for (guint i = 0; i < def->inputs->len; i++)
    if (!add_input (b, g_ptr_array_index (def->inputs, i), i, error))
      return FALSE;
  for (guint i = 0; i < def->videos->len; i++)
    if (!add_video (b, g_ptr_array_index (def->videos, i), i, error))
      return FALSE;
  for (guint i = 0; i < def->audios->len; i++)
    if (!add_audio (b, g_ptr_array_index (def->audios, i), error))
      return FALSE;
  for (guint i = 0; i < def->rngs->len; i++)
    if (!add_rng (b, g_ptr_array_index (def->rngs, i), i, error))
      return FALSE;
  for (guint i = 0; i < def->watchdogs->len; i++)
    if (!add_watchdog (b, g_ptr_array_index (def->watchdogs, i), i, error))
      return FALSE;
  return add_memballoon (b, error);
}

/* ------------------------------------------------------------------------
 * The whole command
 */

static gboolean
build (Builder *b, GError **error)
{
  const DomainDef *def = b->def;

  add_arg (b, def->emulator != NULL ? def->emulator
                                    : b->config->default_emulator);
  if (!add_name (b, error))
    return FALSE;
  add_arg (b, "-S");
  add_arg (b, "-no-user-config");
  add_arg (b, "-nodefaults");
  /* The driver decides what a guest poweroff does (<on_poweroff>). */
  add_arg (b, "-no-shutdown");
  if (def->on_reboot == DOMAIN_LIFECYCLE_DESTROY)
    add_arg (b, "-no-reboot");

  if (!compute_boot_order (b, error) ||
      !add_pflash_nodes (b, error) ||
      !add_machine (b, error) ||
      !add_cpu (b, error) ||
      !add_firmware (b, error) ||
      !add_memory (b, error) ||
      !add_smp (b, error))
    return FALSE;
  add_arg (b, "-uuid");
  add_arg (b, def->uuid);
  if (!add_clock (b, error) ||
      !add_power_management (b, error) ||
      !add_watchdog_action (b, error) ||
      !add_boot (b, error))
    return FALSE;
  add_kernel (b);
  if (!add_monitor (b, error) ||
      !add_graphics (b, error) ||
      !add_devices (b, error))
    return FALSE;
  return TRUE;
}

QemuCommand *
qemu_command_build (const DomainDef *def, const QemuCommandConfig *config,
                    GError **error)
{
  g_autoptr(QemuCommand) command = g_new0 (QemuCommand, 1);
  Builder b = { 0 };
  gboolean ok;

  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (def->emulator != NULL ||
                        config->default_emulator != NULL, NULL);
  g_return_val_if_fail (def->name != NULL && def->uuid != NULL &&
                        def->os.machine != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Both arrays keep a NULL after their last element, so pdata is
   * always an execve()-style vector. */
  command->argv = g_ptr_array_new_null_terminated (64, g_free, TRUE);
  command->env = g_ptr_array_new_null_terminated (4, g_free, TRUE);

  b.def = def;
  b.config = config;
  b.family = domain_machine_family (def->os.machine);
  b.argv = command->argv;
  ok = build (&b, error);
  g_free (b.disk_bootindex);
  g_free (b.interface_bootindex);
  if (!ok)
    return NULL;

  /* <qemu:commandline>: the user's own words, last so they can add to
   * (or fight with) everything above; the driver marks them in the log. */
  for (guint i = 0; def->qemu_args != NULL && i < def->qemu_args->len; i++)
    g_ptr_array_add (command->argv,
                     g_strdup (g_ptr_array_index (def->qemu_args, i)));
  command->n_passthrough = def->qemu_args != NULL ? def->qemu_args->len : 0;

  for (guint i = 0; def->qemu_env != NULL && i < def->qemu_env->len; i++)
    {
      const DomainQemuEnv *env = g_ptr_array_index (def->qemu_env, i);

      g_ptr_array_add (command->env,
                       g_strdup_printf ("%s=%s", env->name,
                                        env->value != NULL ? env->value : ""));
    }
  return g_steal_pointer (&command);
}

/* ------------------------------------------------------------------------
 * Shell form
 */

/* Words made only of these need no quoting, so the usual command line
 * stays readable. */
static gboolean
is_plain_shell_word (const char *word)
{
  if (*word == '\0')
    return FALSE;
  for (const char *c = word; *c; c++)
    if (!g_ascii_isalnum (*c) && strchr ("_-+=:,./@%", *c) == NULL)
      return FALSE;
  return TRUE;
}

static void
append_shell_word (GString *line, const char *word)
{
  if (line->len > 0)
    g_string_append_c (line, ' ');
  if (is_plain_shell_word (word))
    g_string_append (line, word);
  else
    {
      g_autofree char *quoted = g_shell_quote (word);
      g_string_append (line, quoted);
    }
}

char *
qemu_command_to_shell (const QemuCommand *command)
{
  GString *line = g_string_new (NULL);

  g_return_val_if_fail (command != NULL, NULL);

  for (guint i = 0; i < command->env->len; i++)
    {
      const char *assignment = g_ptr_array_index (command->env, i);
      const char *equals;

      if (assignment == NULL)
        continue;
      equals = strchr (assignment, '=');
      if (equals == NULL)
        {
          append_shell_word (line, assignment);
          continue;
        }
      /* NAME stays bare (it is an identifier), or the shell would take
       * the word for a command rather than an assignment. */
      if (line->len > 0)
        g_string_append_c (line, ' ');
      g_string_append_len (line, assignment, equals + 1 - assignment);
      if (equals[1] != '\0')
        {
          if (is_plain_shell_word (equals + 1))
            g_string_append (line, equals + 1);
          else
            {
              g_autofree char *quoted = g_shell_quote (equals + 1);
              g_string_append (line, quoted);
            }
        }
      else
        g_string_append (line, "''");
    }

  for (guint i = 0; i < command->argv->len; i++)
    {
      const char *word = g_ptr_array_index (command->argv, i);

      /* A first word with '=' would read as an assignment: quote it. */
      if (i == 0 && strchr (word, '=') != NULL)
        {
          g_autofree char *quoted = g_shell_quote (word);

          if (line->len > 0)
            g_string_append_c (line, ' ');
          g_string_append (line, quoted);
        }
      else
        append_shell_word (line, word);
    }
  return g_string_free (line, FALSE);
}

const char * const *
qemu_command_get_argv (QemuCommand *command)
{
  g_return_val_if_fail (command != NULL, NULL);

  return (const char * const *) command->argv->pdata;
}

void
qemu_command_free (QemuCommand *command)
{
  if (command == NULL)
    return;
  g_clear_pointer (&command->argv, g_ptr_array_unref);
  g_clear_pointer (&command->env, g_ptr_array_unref);
  g_free (command);
}
