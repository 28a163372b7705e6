/* Domain XML formatting: a DomainDef as canonical XML.
 *
 * Canonical means: two-space indentation, single-quoted attributes,
 * elements and attributes in libvirt's order, sizes in KiB, PCI address
 * parts in hex. Everything the model holds is written, so parsing the
 * output gives back an equal definition.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-xml.h"

#include <string.h>

typedef struct {
  GString *out;
  guint depth;
} Writer;

static void
indent (Writer *w)
{
  for (guint i = 0; i < w->depth; i++)
    g_string_append (w->out, "  ");
}

/* Escapes @text for XML. In attribute values the whitespace that a
 * parser would normalize (tab, newline, carriage return) is written as a
 * character reference so that it survives; in text only the carriage
 * return needs that. */
static void
append_escaped (GString *out, const char *text, gboolean attribute)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      gsize plain = strcspn (p, "&<>'\r\n\t");

      if (plain > 0)
        {
          g_string_append_len (out, p, (gssize) plain);
          p += plain - 1;
          continue;
        }
      switch (*p)
        {
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        case '\'':
          g_string_append (out, attribute ? "&apos;" : "'");
          break;
        case '\r':
          g_string_append (out, "&#13;");
          break;
        case '\n':
          g_string_append (out, attribute ? "&#10;" : "\n");
          break;
        case '\t':
          g_string_append (out, attribute ? "&#9;" : "\t");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }
}

/* Starts "<name" at the current depth; attributes follow. */
static void
open_tag (Writer *w, const char *name)
{
  indent (w);
  g_string_append_c (w->out, '<');
  g_string_append (w->out, name);
}

/* Ends a start tag whose element has children: ">\n". */
static void
end_open_tag (Writer *w)
{
  g_string_append (w->out, ">\n");
  w->depth++;
}

/* Ends a start tag as an empty element: "/>\n". */
static void
end_empty_tag (Writer *w)
{
  g_string_append (w->out, "/>\n");
}

static void
close_tag (Writer *w, const char *name)
{
  w->depth--;
  indent (w);
  g_string_append (w->out, "</");
  g_string_append (w->out, name);
  g_string_append (w->out, ">\n");
}

/* Ends a start tag with @text as the only content and closes it. */
static void
end_with_text (Writer *w, const char *name, const char *text)
{
  g_string_append_c (w->out, '>');
  append_escaped (w->out, text, FALSE);
  g_string_append (w->out, "</");
  g_string_append (w->out, name);
  g_string_append (w->out, ">\n");
}

/* <name>text</name>, nothing when @text is NULL. */
static void
text_element (Writer *w, const char *name, const char *text)
{
  if (text == NULL)
    return;
  open_tag (w, name);
  end_with_text (w, name, text);
}

/* name='value', nothing when @value is NULL. */
static void
attr (Writer *w, const char *name, const char *value)
{
  if (value == NULL)
    return;
  g_string_append_c (w->out, ' ');
  g_string_append (w->out, name);
  g_string_append (w->out, "='");
  append_escaped (w->out, value, TRUE);
  g_string_append_c (w->out, '\'');
}

static void
attr_uint (Writer *w, const char *name, guint64 value)
{
  g_string_append_printf (w->out, " %s='%" G_GUINT64_FORMAT "'", name, value);
}

static void
attr_int (Writer *w, const char *name, int value)
{
  g_string_append_printf (w->out, " %s='%d'", name, value);
}

/* ------------------------------------------------------------------------
 * Shared pieces
 */

static void
format_address (Writer *w, const DomainDeviceAddress *address)
{
  if (address->type == DOMAIN_ADDRESS_NONE)
    return;
  open_tag (w, "address");
  attr (w, "type", domain_address_type_to_string (address->type));
  switch (address->type)
    {
    case DOMAIN_ADDRESS_PCI:
      g_string_append_printf (w->out, " domain='0x%04x' bus='0x%02x' "
                              "slot='0x%02x' function='0x%x'",
                              address->pci.domain, address->pci.bus,
                              address->pci.slot, address->pci.function);
      attr (w, "multifunction",
            domain_on_off_to_string (address->pci.multifunction));
      break;
    case DOMAIN_ADDRESS_DRIVE:
      attr_uint (w, "controller", address->drive.controller);
      attr_uint (w, "bus", address->drive.bus);
      attr_uint (w, "target", address->drive.target);
      attr_uint (w, "unit", address->drive.unit);
      break;
    case DOMAIN_ADDRESS_VIRTIO_SERIAL:
      attr_uint (w, "controller", address->virtio_serial.controller);
      attr_uint (w, "bus", address->virtio_serial.bus);
      attr_uint (w, "port", address->virtio_serial.port);
      break;
    case DOMAIN_ADDRESS_USB:
      attr_uint (w, "bus", address->usb.bus);
      attr_uint (w, "port", address->usb.port);
      break;
    case DOMAIN_ADDRESS_VIRTIO_MMIO:
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_LAST:
    default:
      break;
    }
  end_empty_tag (w);
}

static void
format_boot_order (Writer *w, guint order)
{
  if (order == 0)
    return;
  open_tag (w, "boot");
  attr_uint (w, "order", order);
  end_empty_tag (w);
}

/* <source> of a character device, when it has anything to say. */
static void
format_chardev_source (Writer *w, const DomainChardevSource *source)
{
  if (source->path == NULL && source->mode == DOMAIN_CHARDEV_MODE_UNSET
      && source->append == DOMAIN_TRISTATE_UNSET)
    return;
  open_tag (w, "source");
  attr (w, "mode", domain_chardev_mode_to_string (source->mode));
  attr (w, "path", source->path);
  attr (w, "append", domain_on_off_to_string (source->append));
  end_empty_tag (w);
}

/* ------------------------------------------------------------------------
 * Outside <devices>
 */

static void
format_memory (Writer *w, const char *name, guint64 kib)
{
  if (kib == 0)
    return;
  open_tag (w, name);
  attr (w, "unit", "KiB");
  g_string_append_printf (w->out, ">%" G_GUINT64_FORMAT "</%s>\n", kib, name);
}

static void
format_vcpu (Writer *w, const DomainDef *def)
{
  if (def->vcpus == 0)
    return;
  open_tag (w, "vcpu");
  attr (w, "placement", "static");
  if (def->current_vcpus != 0)
    attr_uint (w, "current", def->current_vcpus);
  attr (w, "cpuset", def->cpuset);
  g_string_append_printf (w->out, ">%u</vcpu>\n", def->vcpus);
}

static void
format_os (Writer *w, const DomainOs *os)
{
  open_tag (w, "os");
  end_open_tag (w);

  open_tag (w, "type");
  attr (w, "arch", domain_arch_to_string (os->arch));
  attr (w, "machine", os->machine);
  end_with_text (w, "type", "hvm");

  if (os->loader != NULL)
    {
      open_tag (w, "loader");
      attr (w, "readonly", domain_yes_no_to_string (os->loader_readonly));
      attr (w, "secure", domain_yes_no_to_string (os->loader_secure));
      attr (w, "type", domain_loader_type_to_string (os->loader_type));
      end_with_text (w, "loader", os->loader);
    }
  if (os->nvram != NULL || os->nvram_template != NULL)
    {
      open_tag (w, "nvram");
      attr (w, "template", os->nvram_template);
      if (os->nvram != NULL)
        end_with_text (w, "nvram", os->nvram);
      else
        end_empty_tag (w);
    }
  text_element (w, "kernel", os->kernel);
  text_element (w, "initrd", os->initrd);
  text_element (w, "cmdline", os->cmdline);
  for (guint i = 0; i < os->n_boot_devices; i++)
    {
      open_tag (w, "boot");
      attr (w, "dev", domain_boot_device_to_string (os->boot_devices[i]));
      end_empty_tag (w);
    }
  if (os->bootmenu != DOMAIN_TRISTATE_UNSET)
    {
      open_tag (w, "bootmenu");
      attr (w, "enable", domain_yes_no_to_string (os->bootmenu));
      if (os->bootmenu_timeout >= 0)
        attr_int (w, "timeout", os->bootmenu_timeout);
      end_empty_tag (w);
    }
  close_tag (w, "os");
}

static void
format_features (Writer *w, const DomainFeatures *features)
{
  if (!features->acpi && !features->apic && !features->pae
      && features->smm == DOMAIN_TRISTATE_UNSET
      && features->vmport == DOMAIN_TRISTATE_UNSET)
    return;
  open_tag (w, "features");
  end_open_tag (w);
  if (features->acpi)
    {
      open_tag (w, "acpi");
      end_empty_tag (w);
    }
  if (features->apic)
    {
      open_tag (w, "apic");
      end_empty_tag (w);
    }
  if (features->pae)
    {
      open_tag (w, "pae");
      end_empty_tag (w);
    }
  if (features->vmport != DOMAIN_TRISTATE_UNSET)
    {
      open_tag (w, "vmport");
      attr (w, "state", domain_on_off_to_string (features->vmport));
      end_empty_tag (w);
    }
  if (features->smm != DOMAIN_TRISTATE_UNSET)
    {
      open_tag (w, "smm");
      attr (w, "state", domain_on_off_to_string (features->smm));
      end_empty_tag (w);
    }
  close_tag (w, "features");
}

static void
format_cpu (Writer *w, const DomainCpu *cpu)
{
  if (cpu == NULL)
    return;
  open_tag (w, "cpu");
  attr (w, "mode", domain_cpu_mode_to_string (cpu->mode));
  attr (w, "match", domain_cpu_match_to_string (cpu->match));
  attr (w, "check", domain_cpu_check_to_string (cpu->check));
  attr (w, "migratable", domain_on_off_to_string (cpu->migratable));
  if (cpu->model == NULL && cpu->sockets == 0 && cpu->features->len == 0
      && cpu->fallback == DOMAIN_CPU_FALLBACK_UNSET)
    {
      end_empty_tag (w);
      return;
    }
  end_open_tag (w);
  if (cpu->model != NULL || cpu->fallback != DOMAIN_CPU_FALLBACK_UNSET)
    {
      open_tag (w, "model");
      attr (w, "fallback", domain_cpu_fallback_to_string (cpu->fallback));
      if (cpu->model != NULL)
        end_with_text (w, "model", cpu->model);
      else
        end_empty_tag (w);
    }
  if (cpu->sockets != 0)
    {
      open_tag (w, "topology");
      attr_uint (w, "sockets", cpu->sockets);
      attr_uint (w, "dies", cpu->dies);
      attr_uint (w, "cores", cpu->cores);
      attr_uint (w, "threads", cpu->threads);
      end_empty_tag (w);
    }
  for (guint i = 0; i < cpu->features->len; i++)
    {
      const DomainCpuFeature *feature = g_ptr_array_index (cpu->features, i);

      open_tag (w, "feature");
      attr (w, "policy", domain_cpu_feature_policy_to_string (feature->policy));
      attr (w, "name", feature->name);
      end_empty_tag (w);
    }
  close_tag (w, "cpu");
}

static void
format_clock (Writer *w, const DomainClock *clock)
{
  if (clock->offset == DOMAIN_CLOCK_UNSET && clock->timers->len == 0)
    return;
  open_tag (w, "clock");
  attr (w, "offset", domain_clock_offset_to_string (clock->offset));
  if (clock->timers->len == 0)
    {
      end_empty_tag (w);
      return;
    }
  end_open_tag (w);
  for (guint i = 0; i < clock->timers->len; i++)
    {
      const DomainTimer *timer = g_ptr_array_index (clock->timers, i);

      open_tag (w, "timer");
      attr (w, "name", domain_timer_name_to_string (timer->name));
      attr (w, "tickpolicy", domain_tick_policy_to_string (timer->tickpolicy));
      attr (w, "present", domain_yes_no_to_string (timer->present));
      end_empty_tag (w);
    }
  close_tag (w, "clock");
}

static void
format_pm (Writer *w, const DomainPm *pm)
{
  if (pm->suspend_to_mem == DOMAIN_TRISTATE_UNSET
      && pm->suspend_to_disk == DOMAIN_TRISTATE_UNSET)
    return;
  open_tag (w, "pm");
  end_open_tag (w);
  if (pm->suspend_to_mem != DOMAIN_TRISTATE_UNSET)
    {
      open_tag (w, "suspend-to-mem");
      attr (w, "enabled", domain_yes_no_to_string (pm->suspend_to_mem));
      end_empty_tag (w);
    }
  if (pm->suspend_to_disk != DOMAIN_TRISTATE_UNSET)
    {
      open_tag (w, "suspend-to-disk");
      attr (w, "enabled", domain_yes_no_to_string (pm->suspend_to_disk));
      end_empty_tag (w);
    }
  close_tag (w, "pm");
}

/* ------------------------------------------------------------------------
 * Devices
 */

static void
format_disk (Writer *w, const DomainDisk *disk)
{
  open_tag (w, "disk");
  attr (w, "type", domain_disk_type_to_string (disk->type));
  attr (w, "device", domain_disk_device_to_string (disk->device));
  end_open_tag (w);

  if (disk->format != DOMAIN_DISK_FORMAT_UNSET
      || disk->cache != DOMAIN_DISK_CACHE_UNSET
      || disk->discard != DOMAIN_DISK_DISCARD_UNSET
      || disk->io != DOMAIN_DISK_IO_UNSET)
    {
      open_tag (w, "driver");
      attr (w, "name", "qemu");
      attr (w, "type", domain_disk_format_to_string (disk->format));
      attr (w, "cache", domain_disk_cache_to_string (disk->cache));
      attr (w, "discard", domain_disk_discard_to_string (disk->discard));
      attr (w, "io", domain_disk_io_to_string (disk->io));
      end_empty_tag (w);
    }
  if (disk->source_path != NULL || disk->source_pool != NULL
      || disk->source_volume != NULL)
    {
      open_tag (w, "source");
      attr (w, disk->type == DOMAIN_DISK_TYPE_BLOCK ? "dev" : "file",
            disk->source_path);
      attr (w, "pool", disk->source_pool);
      attr (w, "volume", disk->source_volume);
      end_empty_tag (w);
    }
  open_tag (w, "target");
  attr (w, "dev", disk->target_dev);
  attr (w, "bus", domain_disk_bus_to_string (disk->bus));
  end_empty_tag (w);
  if (disk->readonly)
    {
      open_tag (w, "readonly");
      end_empty_tag (w);
    }
  if (disk->shareable)
    {
      open_tag (w, "shareable");
      end_empty_tag (w);
    }
  text_element (w, "serial", disk->serial);
  format_boot_order (w, disk->boot_order);
  format_address (w, &disk->address);
  close_tag (w, "disk");
}

static void
format_controller (Writer *w, const DomainController *controller)
{
  gboolean has_target = controller->chassis >= 0 || controller->port >= 0;
  gboolean has_model_name =
    controller->model == DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT;

  open_tag (w, "controller");
  attr (w, "type", domain_controller_type_to_string (controller->type));
  attr_uint (w, "index", controller->index);
  attr (w, "model", domain_controller_model_to_string (controller->model));
  if (controller->ports != 0)
    attr_uint (w, "ports", controller->ports);
  if (controller->vectors != 0)
    attr_uint (w, "vectors", controller->vectors);
  if (!has_target && !has_model_name
      && controller->address.type == DOMAIN_ADDRESS_NONE)
    {
      end_empty_tag (w);
      return;
    }
  end_open_tag (w);
  if (has_model_name)
    {
      open_tag (w, "model");
      attr (w, "name", "pcie-root-port");
      end_empty_tag (w);
    }
  if (has_target)
    {
      open_tag (w, "target");
      if (controller->chassis >= 0)
        attr_int (w, "chassis", controller->chassis);
      if (controller->port >= 0)
        g_string_append_printf (w->out, " port='0x%x'", controller->port);
      end_empty_tag (w);
    }
  format_address (w, &controller->address);
  close_tag (w, "controller");
}

static void
format_interface (Writer *w, const DomainInterface *iface)
{
  open_tag (w, "interface");
  attr (w, "type", domain_net_type_to_string (iface->type));
  end_open_tag (w);
  if (iface->mac != NULL)
    {
      open_tag (w, "mac");
      attr (w, "address", iface->mac);
      end_empty_tag (w);
    }
  if (iface->source_bridge != NULL || iface->source_network != NULL)
    {
      open_tag (w, "source");
      attr (w, "bridge", iface->source_bridge);
      attr (w, "network", iface->source_network);
      end_empty_tag (w);
    }
  if (iface->script != NULL)
    {
      open_tag (w, "script");
      attr (w, "path", iface->script);
      end_empty_tag (w);
    }
  if (iface->target_dev != NULL)
    {
      open_tag (w, "target");
      attr (w, "dev", iface->target_dev);
      attr (w, "managed", domain_yes_no_to_string (iface->target_managed));
      end_empty_tag (w);
    }
  if (iface->model != DOMAIN_NET_MODEL_UNSET)
    {
      open_tag (w, "model");
      attr (w, "type", domain_net_model_to_string (iface->model));
      end_empty_tag (w);
    }
  format_boot_order (w, iface->boot_order);
  format_address (w, &iface->address);
  close_tag (w, "interface");
}

static void
format_serial (Writer *w, const DomainSerial *serial)
{
  open_tag (w, "serial");
  attr (w, "type", domain_chardev_type_to_string (serial->source.type));
  end_open_tag (w);
  format_chardev_source (w, &serial->source);
  if (serial->target_isa || serial->target_port >= 0
      || serial->target_model_isa)
    {
      open_tag (w, "target");
      if (serial->target_isa)
        attr (w, "type", "isa-serial");
      if (serial->target_port >= 0)
        attr_int (w, "port", serial->target_port);
      if (serial->target_model_isa)
        {
          end_open_tag (w);
          open_tag (w, "model");
          attr (w, "name", "isa-serial");
          end_empty_tag (w);
          close_tag (w, "target");
        }
      else
        end_empty_tag (w);
    }
  close_tag (w, "serial");
}

static void
format_console (Writer *w, const DomainConsole *console)
{
  open_tag (w, "console");
  attr (w, "type", domain_chardev_type_to_string (console->source.type));
  end_open_tag (w);
  format_chardev_source (w, &console->source);
  if (console->target_type != DOMAIN_CONSOLE_TARGET_UNSET
      || console->target_port >= 0)
    {
      open_tag (w, "target");
      attr (w, "type",
            domain_console_target_type_to_string (console->target_type));
      if (console->target_port >= 0)
        attr_int (w, "port", console->target_port);
      end_empty_tag (w);
    }
  close_tag (w, "console");
}

static void
format_channel (Writer *w, const DomainChannel *channel)
{
  open_tag (w, "channel");
  attr (w, "type", domain_chardev_type_to_string (channel->source.type));
  end_open_tag (w);
  format_chardev_source (w, &channel->source);
  open_tag (w, "target");
  attr (w, "type", "virtio");
  attr (w, "name", channel->target_name);
  end_empty_tag (w);
  format_address (w, &channel->address);
  close_tag (w, "channel");
}

static void
format_input (Writer *w, const DomainInput *input)
{
  open_tag (w, "input");
  attr (w, "type", domain_input_type_to_string (input->type));
  attr (w, "bus", domain_input_bus_to_string (input->bus));
  if (input->address.type == DOMAIN_ADDRESS_NONE)
    {
      end_empty_tag (w);
      return;
    }
  end_open_tag (w);
  format_address (w, &input->address);
  close_tag (w, "input");
}

static void
format_graphics (Writer *w, const DomainGraphics *graphics)
{
  open_tag (w, "graphics");
  attr (w, "type", "vnc");
  attr_int (w, "port", graphics->autoport ? -1 : graphics->port);
  attr (w, "autoport", graphics->autoport ? "yes" : "no");
  if (graphics->websocket != 0)
    attr_int (w, "websocket", graphics->websocket);
  if (graphics->listen_type == DOMAIN_LISTEN_ADDRESS)
    attr (w, "listen", graphics->listen_address);
  attr (w, "passwd", graphics->passwd);
  attr (w, "keymap", graphics->keymap);
  if (graphics->listen_type == DOMAIN_LISTEN_UNSET)
    {
      end_empty_tag (w);
      return;
    }
  end_open_tag (w);
  open_tag (w, "listen");
  attr (w, "type", domain_listen_type_to_string (graphics->listen_type));
  if (graphics->listen_type == DOMAIN_LISTEN_ADDRESS)
    attr (w, "address", graphics->listen_address);
  if (graphics->listen_type == DOMAIN_LISTEN_SOCKET)
    attr (w, "socket", graphics->listen_socket);
  end_empty_tag (w);
  close_tag (w, "graphics");
}

static void
format_audio (Writer *w, const DomainAudio *audio)
{
  open_tag (w, "audio");
  attr_uint (w, "id", audio->id);
  attr (w, "type", "none");
  end_empty_tag (w);
}

static void
format_video (Writer *w, const DomainVideo *video)
{
  open_tag (w, "video");
  end_open_tag (w);
  open_tag (w, "model");
  attr (w, "type", domain_video_model_to_string (video->model));
  if (video->vram != 0)
    attr_uint (w, "vram", video->vram);
  if (video->heads != 0)
    attr_uint (w, "heads", video->heads);
  if (video->primary)
    attr (w, "primary", "yes");
  end_empty_tag (w);
  format_address (w, &video->address);
  close_tag (w, "video");
}

static void
format_watchdog (Writer *w, const DomainWatchdog *watchdog)
{
  open_tag (w, "watchdog");
  attr (w, "model", domain_watchdog_model_to_string (watchdog->model));
  attr (w, "action", domain_watchdog_action_to_string (watchdog->action));
  if (watchdog->address.type == DOMAIN_ADDRESS_NONE)
    {
      end_empty_tag (w);
      return;
    }
  end_open_tag (w);
  format_address (w, &watchdog->address);
  close_tag (w, "watchdog");
}

static void
format_memballoon (Writer *w, const DomainMemballoon *memballoon)
{
  if (memballoon == NULL)
    return;
  open_tag (w, "memballoon");
  attr (w, "model", domain_memballoon_model_to_string (memballoon->model));
  attr (w, "autodeflate", domain_on_off_to_string (memballoon->autodeflate));
  if (memballoon->stats_period == 0
      && memballoon->address.type == DOMAIN_ADDRESS_NONE)
    {
      end_empty_tag (w);
      return;
    }
  end_open_tag (w);
  if (memballoon->stats_period != 0)
    {
      open_tag (w, "stats");
      attr_uint (w, "period", memballoon->stats_period);
      end_empty_tag (w);
    }
  format_address (w, &memballoon->address);
  close_tag (w, "memballoon");
}

static void
format_rng (Writer *w, const DomainRng *rng)
{
  open_tag (w, "rng");
  attr (w, "model", "virtio");
  end_open_tag (w);
  if (rng->rate_bytes != 0)
    {
      open_tag (w, "rate");
      attr_uint (w, "bytes", rng->rate_bytes);
      if (rng->rate_period != 0)
        attr_uint (w, "period", rng->rate_period);
      end_empty_tag (w);
    }
  open_tag (w, "backend");
  attr (w, "model", domain_rng_backend_to_string (rng->backend));
  if (rng->backend_path != NULL)
    end_with_text (w, "backend", rng->backend_path);
  else
    end_empty_tag (w);
  format_address (w, &rng->address);
  close_tag (w, "rng");
}

typedef void (*FormatDeviceFunc) (Writer *w, gconstpointer device);

static void
format_devices_of (Writer *w, GPtrArray *devices, FormatDeviceFunc format)
{
  for (guint i = 0; i < devices->len; i++)
    format (w, g_ptr_array_index (devices, i));
}

static gboolean
has_devices (const DomainDef *def)
{
  return def->emulator != NULL || def->disks->len > 0
         || def->controllers->len > 0 || def->interfaces->len > 0
         || def->serials->len > 0 || def->consoles->len > 0
         || def->channels->len > 0 || def->inputs->len > 0
         || def->graphics->len > 0 || def->audios->len > 0
         || def->videos->len > 0 || def->watchdogs->len > 0
         || def->memballoon != NULL || def->rngs->len > 0;
}

static void
format_devices (Writer *w, const DomainDef *def)
{
  if (!has_devices (def))
    return;
  open_tag (w, "devices");
  end_open_tag (w);
  text_element (w, "emulator", def->emulator);
  format_devices_of (w, def->disks, (FormatDeviceFunc) format_disk);
  format_devices_of (w, def->controllers, (FormatDeviceFunc) format_controller);
  format_devices_of (w, def->interfaces, (FormatDeviceFunc) format_interface);
  format_devices_of (w, def->serials, (FormatDeviceFunc) format_serial);
  format_devices_of (w, def->consoles, (FormatDeviceFunc) format_console);
  format_devices_of (w, def->channels, (FormatDeviceFunc) format_channel);
  format_devices_of (w, def->inputs, (FormatDeviceFunc) format_input);
  format_devices_of (w, def->graphics, (FormatDeviceFunc) format_graphics);
  format_devices_of (w, def->audios, (FormatDeviceFunc) format_audio);
  format_devices_of (w, def->videos, (FormatDeviceFunc) format_video);
  format_devices_of (w, def->watchdogs, (FormatDeviceFunc) format_watchdog);
  format_memballoon (w, def->memballoon);
  format_devices_of (w, def->rngs, (FormatDeviceFunc) format_rng);
  close_tag (w, "devices");
}

static void
format_qemu_commandline (Writer *w, const DomainDef *def)
{
  if (def->qemu_args->len == 0 && def->qemu_env->len == 0)
    return;
  open_tag (w, "qemu:commandline");
  end_open_tag (w);
  for (guint i = 0; i < def->qemu_args->len; i++)
    {
      open_tag (w, "qemu:arg");
      attr (w, "value", g_ptr_array_index (def->qemu_args, i));
      end_empty_tag (w);
    }
  for (guint i = 0; i < def->qemu_env->len; i++)
    {
      const DomainQemuEnv *env = g_ptr_array_index (def->qemu_env, i);

      open_tag (w, "qemu:env");
      attr (w, "name", env->name);
      attr (w, "value", env->value);
      end_empty_tag (w);
    }
  close_tag (w, "qemu:commandline");
}

char *
domain_def_format_xml (const DomainDef *def)
{
  Writer w = { g_string_sized_new (4096), 0 };

  g_return_val_if_fail (def != NULL, NULL);

  open_tag (&w, "domain");
  attr (&w, "type", domain_virt_type_to_string (def->virt_type));
  if (def->qemu_args->len > 0 || def->qemu_env->len > 0)
    attr (&w, "xmlns:qemu", DOMAIN_XML_QEMU_NAMESPACE);
  end_open_tag (&w);

  text_element (&w, "name", def->name);
  text_element (&w, "uuid", def->uuid);
  text_element (&w, "title", def->title);
  text_element (&w, "description", def->description);
  if (def->metadata != NULL)
    {
      /* Written back exactly as it was read. */
      g_string_append_printf (w.out, "  <metadata>\n    %s\n  </metadata>\n",
                              def->metadata);
    }
  format_memory (&w, "memory", def->memory_kib);
  format_memory (&w, "currentMemory", def->current_memory_kib);
  format_vcpu (&w, def);
  format_os (&w, &def->os);
  format_features (&w, &def->features);
  format_cpu (&w, def->cpu);
  format_clock (&w, &def->clock);
  text_element (&w, "on_poweroff",
                domain_lifecycle_action_to_string (def->on_poweroff));
  text_element (&w, "on_reboot",
                domain_lifecycle_action_to_string (def->on_reboot));
  text_element (&w, "on_crash",
                domain_lifecycle_action_to_string (def->on_crash));
  format_pm (&w, &def->pm);
  format_devices (&w, def);
  format_qemu_commandline (&w, def);
  close_tag (&w, "domain");
  return g_string_free (w.out, FALSE);
}

DomainDef *
domain_def_copy (const DomainDef *def)
{
  g_autofree char *xml = NULL;
  g_autoptr (GError) error = NULL;
  DomainDef *copy;

  g_return_val_if_fail (def != NULL, NULL);

  xml = domain_def_format_xml (def);
  copy = domain_def_parse_xml (xml, strlen (xml), &error);
  if (copy == NULL)
    g_error ("domain_def_copy: the definition holds a value that does not "
             "parse back: %s", error->message);
  return copy;
}
