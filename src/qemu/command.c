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
 * are written by command_append_keyval(), whose every value goes through
 * qdev_escape_option_value().
 *
 * Device ids follow libvirt's aliases where it has one (virtio-disk0,
 * sata0-0-1, net0, charserial0, pci.3...), so people and scripts used
 * to them find their way in `info qtree` and query-block.
 *
 * The builder's parts, one file each, are listed in command-private.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command.h"

#include <string.h>

#include "qemu/command-private.h"

/* VNC with autoport: QEMU takes the first free display from 0 up to this
 * (ports 5900 to 65535). */
#define VNC_AUTOPORT_LAST_DISPLAY (65535 - 5900)

#define VNC_BASE_PORT 5900

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

      command_at (b, "os/boot", LINE_UNKNOWN);
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
          return command_unsupported (b, error,
                                      "boot device 'fd': qvirt has no floppy "
                                      "drives");
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

  command_at (b, "name", LINE_UNKNOWN);
  if (!command_append_keyval (b, text, "guest", b->def->name, error) ||
      !command_append_keyval (b, text, "debug-threads", "on", error))
    return FALSE;
  command_add_arg (b, "-name");
  command_add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
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

static gboolean
add_machine (Builder *b, GError **error)
{
  const DomainDef *def = b->def;
  const DomainTimer *hpet = find_timer (def, DOMAIN_TIMER_HPET);
  g_autoptr(json_t) machine = NULL;
  GError *local = NULL;

  command_at (b, "os/type", LINE_UNKNOWN);
  machine = qdev_machine_new (def->os.machine, NULL, &local);
  if (machine == NULL)
    return command_refused (b, error, local);
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
          command_at (b, "features/vmport", LINE_UNKNOWN);
          return command_unsupported (b, error,
                                      "the microvm machine has no vmport");
        }
      qdev_set_bool (machine, "vmport",
                     def->features.vmport == DOMAIN_TRISTATE_ON);
    }
  if (hpet != NULL && hpet->present != DOMAIN_TRISTATE_UNSET)
    {
      if (b->family == DOMAIN_MACHINE_MICROVM)
        {
          command_at (b, "clock/timer", LINE_UNKNOWN);
          return command_unsupported (b, error,
                                      "the microvm machine has no HPET");
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
  return command_add_option (b, QDEV_OPTION_MACHINE,
                             g_steal_pointer (&machine), error);
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

  command_at (b, "cpu", LINE_UNKNOWN);
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
        return command_unsupported (b, error,
                                    "CPU model '%s' is not a QEMU CPU model "
                                    "name (letters, digits, '-', '_', '.')",
                                    cpu->model);
      g_string_append (text, cpu->model);
    }
  else
    {
      /* host-model has no TCG equivalent: QEMU's "host" needs KVM, and
       * so does the host CPU libvirt would copy. */
      if (def->virt_type != DOMAIN_VIRT_KVM)
        return command_unsupported (b, error, "<cpu mode='%s'> needs "
                                    "<domain type='kvm'>: TCG cannot use "
                                    "the host's CPU",
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
        return command_unsupported (b, error, "CPU feature '%s' is not a QEMU "
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

  command_add_arg (b, "-cpu");
  command_add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static gboolean
add_firmware (Builder *b, GError **error)
{
  const DomainOs *os = &b->def->os;

  /* Secure Boot: only code running in SMM may write the flash, so the
   * guest OS cannot tamper with the variables. */
  command_at (b, "os/loader", LINE_UNKNOWN);
  if (os->loader_type == DOMAIN_LOADER_PFLASH &&
      os->loader_secure == DOMAIN_TRISTATE_ON &&
      !command_add_global (b, "cfi.pflash01", "secure", "on", error))
    return FALSE;
  if (os->loader != NULL && os->loader_type != DOMAIN_LOADER_PFLASH)
    {
      /* -bios and -kernel take a file name as a whole word: no option
       * syntax to escape. */
      command_add_arg (b, "-bios");
      command_add_arg (b, os->loader);
    }
  return TRUE;
}

static gboolean
add_memory (Builder *b, GError **error)
{
  guint64 mib = (b->def->memory_kib + KIB_PER_MIB - 1) / KIB_PER_MIB;
  GError *local = NULL;
  json_t *memory;

  command_at (b, "memory", LINE_UNKNOWN);
  /* QEMU sizes x86 RAM in whole MiB in practice; like libvirt, round up. */
  memory = qdev_memory_new (mib, &local);
  if (memory == NULL)
    return command_refused (b, error, local);
  return command_add_option (b, QDEV_OPTION_MEMORY, memory, error);
}

static gboolean
add_smp (Builder *b, GError **error)
{
  const DomainDef *def = b->def;
  const DomainCpu *cpu = def->cpu;
  QdevSmp smp = { .cpus = def->vcpus };
  g_autoptr(json_t) props = NULL;
  GError *local = NULL;

  command_at (b, "vcpu", LINE_UNKNOWN);
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
    return command_refused (b, error, local);
  if (cpu != NULL && cpu->dies > 1)
    qdev_set_int (props, "dies", cpu->dies);
  return command_add_option (b, QDEV_OPTION_SMP, g_steal_pointer (&props),
                             error);
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

  command_at (b, "clock", LINE_UNKNOWN);
  if (!command_append_keyval (b, rtc, "base",
                              def->clock.offset == DOMAIN_CLOCK_LOCALTIME
                                ? "localtime" : "utc", error))
    return FALSE;

  for (guint i = 0; def->clock.timers != NULL && i < def->clock.timers->len;
       i++)
    {
      const DomainTimer *timer = g_ptr_array_index (def->clock.timers, i);
      const char *name = domain_timer_name_to_string (timer->name);
      const char *policy = domain_tick_policy_to_string (timer->tickpolicy);

      command_at (b, "clock/timer", LINE_UNKNOWN);
      switch (timer->name)
        {
        case DOMAIN_TIMER_RTC:
          if (timer->present == DOMAIN_TRISTATE_OFF)
            return command_unsupported (b, error,
                                        "timer 'rtc' cannot be removed "
                                        "(present='no')");
          if (timer->tickpolicy == DOMAIN_TICK_POLICY_CATCHUP)
            {
              /* Lost RTC ticks are re-injected faster until caught up. */
              if (!command_append_keyval (b, rtc, "driftfix", "slew", error))
                return FALSE;
            }
          else if (timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET &&
                   timer->tickpolicy != DOMAIN_TICK_POLICY_DELAY)
            return command_unsupported (b, error,
                                        "timer 'rtc' tickpolicy '%s' is not "
                                        "supported by QEMU (use delay or "
                                        "catchup)", policy);
          break;
        case DOMAIN_TIMER_PIT:
          if (timer->present == DOMAIN_TRISTATE_OFF)
            return command_unsupported (b, error,
                                        "timer 'pit' cannot be removed "
                                        "(present='no')");
          if (timer->tickpolicy == DOMAIN_TICK_POLICY_UNSET)
            break;
          if (!kvm)
            {
              /* The TCG PIT delays lost ticks; that is all it does. */
              if (timer->tickpolicy != DOMAIN_TICK_POLICY_DELAY)
                return command_unsupported (b, error,
                                            "timer 'pit' tickpolicy '%s' "
                                            "needs <domain type='kvm'> (TCG's "
                                            "PIT only delays)", policy);
              break;
            }
          if (timer->tickpolicy != DOMAIN_TICK_POLICY_DELAY &&
              timer->tickpolicy != DOMAIN_TICK_POLICY_DISCARD)
            return command_unsupported (b, error,
                                        "timer 'pit' tickpolicy '%s' is not "
                                        "supported by QEMU (use delay or "
                                        "discard)", policy);
          pit_policy = policy;
          break;
        case DOMAIN_TIMER_HPET:
          /* present is a -machine property (add_machine). */
          if (timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return command_unsupported (b, error, "timer 'hpet' takes no "
                                        "tickpolicy in QEMU");
          break;
        case DOMAIN_TIMER_KVMCLOCK:
          /* present='no' is a CPU feature (add_cpu). */
          if (timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return command_unsupported (b, error, "timer 'kvmclock' takes no "
                                        "tickpolicy in QEMU");
          break;
        case DOMAIN_TIMER_TSC:
          if (timer->present == DOMAIN_TRISTATE_OFF ||
              timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return command_unsupported (b, error,
                                        "timer 'tsc' can only be left as it "
                                        "is (no present='no', no tickpolicy)");
          break;
        case DOMAIN_TIMER_HYPERVCLOCK:
          if (timer->present == DOMAIN_TRISTATE_ON ||
              timer->tickpolicy != DOMAIN_TICK_POLICY_UNSET)
            return command_unsupported (b, error, "timer 'hypervclock' needs "
                                        "Hyper-V enlightenments, which qvirt "
                                        "does not support");
          break;
        case DOMAIN_TIMER_LAST:
        default:
          return command_unsupported (b, error, "timer '%s' is not supported",
                                      name != NULL ? name : "?");
        }
    }

  command_add_arg (b, "-rtc");
  command_add_arg_take (b, g_string_free (g_steal_pointer (&rtc), FALSE));
  if (pit_policy != NULL &&
      !command_add_global (b, "kvm-pit", "lost_tick_policy", pit_policy,
                           error))
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
  command_at (b, "pm", LINE_UNKNOWN);
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
      return command_unsupported (b, error,
                                  "the microvm machine has no ACPI sleep "
                                  "states to configure");
    }
  if (pm->suspend_to_mem != DOMAIN_TRISTATE_UNSET &&
      !command_add_global (b, device, "disable_s3",
                           pm->suspend_to_mem == DOMAIN_TRISTATE_ON
                             ? "0" : "1", error))
    return FALSE;
  if (pm->suspend_to_disk != DOMAIN_TRISTATE_UNSET &&
      !command_add_global (b, device, "disable_s4",
                           pm->suspend_to_disk == DOMAIN_TRISTATE_ON
                             ? "0" : "1", error))
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
  command_at (b, "devices/watchdog", watchdog->line);
  action = watchdog_action_name (watchdog->action);
  if (action == NULL)
    return command_unsupported (b, error,
                                "watchdog action '%s' is not supported (QEMU "
                                "does not write guest dumps itself)",
                                domain_watchdog_action_to_string (watchdog->action));
  if (watchdog->model == DOMAIN_WATCHDOG_ITCO &&
      !command_add_global (b, "ICH9-LPC", "noreboot", "off", error))
    return FALSE;
  if (!command_append_keyval (b, text, "watchdog", action, error))
    return FALSE;
  command_add_arg (b, "-action");
  command_add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static gboolean
add_boot (Builder *b, GError **error)
{
  const DomainOs *os = &b->def->os;
  g_autoptr(GString) text = g_string_new (NULL);

  command_at (b, "os/bootmenu", LINE_UNKNOWN);
  if (os->bootmenu != DOMAIN_TRISTATE_UNSET &&
      !command_append_keyval (b, text, "menu",
                              os->bootmenu == DOMAIN_TRISTATE_ON
                                ? "on" : "off", error))
    return FALSE;
  if (os->bootmenu_timeout >= 0)
    {
      g_autofree char *timeout = g_strdup_printf ("%d", os->bootmenu_timeout);

      if (!command_append_keyval (b, text, "splash-time", timeout, error))
        return FALSE;
    }
  /* Boot only from the devices given a bootindex, never fall back to
   * the firmware's own order. */
  if (b->any_bootindex &&
      !command_append_keyval (b, text, "strict", "on", error))
    return FALSE;
  if (text->len == 0)
    return TRUE;
  command_add_arg (b, "-boot");
  command_add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
  return TRUE;
}

static void
add_kernel (Builder *b)
{
  const DomainOs *os = &b->def->os;

  /* Whole words, not option strings: QEMU takes them verbatim. */
  if (os->kernel != NULL)
    {
      command_add_arg (b, "-kernel");
      command_add_arg (b, os->kernel);
    }
  if (os->initrd != NULL)
    {
      command_add_arg (b, "-initrd");
      command_add_arg (b, os->initrd);
    }
  if (os->cmdline != NULL)
    {
      command_add_arg (b, "-append");
      command_add_arg (b, os->cmdline);
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

  command_at (b, NULL, 0);
  if (config->monitor_fd >= 0)
    {
      fd = g_strdup_printf ("%d", config->monitor_fd);
      chardev.fd = fd;
    }
  else
    {
      if (config->monitor_path == NULL)
        return command_unsupported (b, error,
                                    "the monitor needs a socket: neither a "
                                    "file descriptor nor a path was given");
      if (!command_check_socket_path (b, "monitor socket path",
                                      config->monitor_path, error))
        return FALSE;
      chardev.path = config->monitor_path;
    }
  props = qdev_chardev_option_new (&chardev, &local);
  if (props == NULL)
    return command_refused (b, error, local);
  if (!command_add_option (b, QDEV_OPTION_CHARDEV, props, error))
    return FALSE;
  command_add_arg (b, "-mon");
  command_add_arg (b, "chardev=monitor,mode=control");
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Display
 */

static gboolean
add_graphics (Builder *b, GError **error)
{
  const DomainGraphics *graphics;
  g_autoptr(json_t) vnc = NULL;
  GError *local = NULL;

  if (b->def->graphics->len == 0)
    {
      command_add_arg (b, "-display");
      command_add_arg (b, "none");
      return TRUE;
    }

  graphics = g_ptr_array_index (b->def->graphics, 0);
  command_at (b, "devices/graphics", graphics->line);
  switch (graphics->listen_type)
    {
    case DOMAIN_LISTEN_SOCKET:
      {
        g_autofree char *path = NULL;

        if (graphics->listen_socket != NULL)
          path = g_strdup (graphics->listen_socket);
        else if (b->config->runtime_dir != NULL)
          path = command_runtime_socket (b, "vnc");
        else
          return command_unsupported (b, error,
                                      "a VNC socket without a path needs a "
                                      "runtime directory to put it in");
        if (!command_check_socket_path (b, "VNC socket path", path, error))
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
          return command_unsupported (b, error,
                                      "VNC port %d is below %d, the port of "
                                      "display 0", graphics->port,
                                      VNC_BASE_PORT);
        vnc = qdev_vnc_tcp_new (host, display, &local);
        /* QEMU's own autoport: the first free display from 0 on. */
        if (vnc != NULL && autoport)
          qdev_set_int (vnc, "to", VNC_AUTOPORT_LAST_DISPLAY);
        break;
      }
    }
  if (vnc == NULL)
    return command_refused (b, error, local);

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

  if (!command_add_option (b, QDEV_OPTION_VNC, g_steal_pointer (&vnc), error))
    return FALSE;
  if (graphics->keymap != NULL)
    {
      if (!is_plain_name (graphics->keymap))
        return command_unsupported (b, error,
                                    "keymap '%s' is not a keymap name",
                                    graphics->keymap);
      command_add_arg (b, "-k");
      command_add_arg (b, graphics->keymap);
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * The whole command
 */

static gboolean
build (Builder *b, GError **error)
{
  const DomainDef *def = b->def;

  command_add_arg (b, def->emulator != NULL ? def->emulator
                                            : b->config->default_emulator);
  if (!add_name (b, error))
    return FALSE;
  command_add_arg (b, "-S");
  command_add_arg (b, "-no-user-config");
  command_add_arg (b, "-nodefaults");
  /* The driver decides what a guest poweroff does (<on_poweroff>). */
  command_add_arg (b, "-no-shutdown");
  if (def->on_reboot == DOMAIN_LIFECYCLE_DESTROY)
    command_add_arg (b, "-no-reboot");

  if (!compute_boot_order (b, error) ||
      !command_add_pflash_nodes (b, error) ||
      !add_machine (b, error) ||
      !add_cpu (b, error) ||
      !add_firmware (b, error) ||
      !add_memory (b, error) ||
      !add_smp (b, error))
    return FALSE;
  command_add_arg (b, "-uuid");
  command_add_arg (b, def->uuid);
  if (!add_clock (b, error) ||
      !add_power_management (b, error) ||
      !add_watchdog_action (b, error) ||
      !add_boot (b, error))
    return FALSE;
  add_kernel (b);
  if (!add_monitor (b, error) ||
      !add_graphics (b, error) ||
      !command_add_devices (b, error))
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
