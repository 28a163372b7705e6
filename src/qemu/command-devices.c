/* The devices of <devices> on the QEMU command line: the order they are
 * added in (command_add_devices), and the small devices that need no
 * file of their own: input, video, audio, rng, watchdog, memory balloon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command-private.h"

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

  command_at (b, "devices/input", input->line);
  if ((guint) input->type >= G_N_ELEMENTS (usb_models))
    return command_unsupported (b, error, "input type is not supported");
  switch (input->bus)
    {
    case DOMAIN_INPUT_BUS_PS2:
      if (b->family == DOMAIN_MACHINE_MICROVM)
        return command_unsupported (b, error,
                                    "the microvm machine has no PS/2 "
                                    "controller");
      return TRUE;              /* the chipset's i8042 */
    case DOMAIN_INPUT_BUS_USB:
      {
        g_autofree char *bus = NULL;
        g_autofree char *port = NULL;

        if (input->address.type != DOMAIN_ADDRESS_USB)
          return command_unsupported (b, error,
                                      "a USB input needs a USB address");
        bus = command_child_bus_name (b, DOMAIN_CONTROLLER_USB,
                                      input->address.usb.bus, 0, error);
        if (bus == NULL)
          return FALSE;
        port = g_strdup_printf ("%u", input->address.usb.port);
        device = qdev_device_input_new (usb_models[input->type], id, &local);
        if (device == NULL ||
            !qdev_device_set_usb_port (device, bus, port, &local))
          return command_refused (b, error, local);
        break;
      }
    case DOMAIN_INPUT_BUS_VIRTIO:
      device = qdev_device_input_new (virtio_models[input->type], id,
                                      &local);
      if (device == NULL)
        return command_refused (b, error, local);
      if (!command_place_device (b, device, &input->address, error))
        return FALSE;
      break;
    case DOMAIN_INPUT_BUS_UNSET:
    case DOMAIN_INPUT_BUS_LAST:
    default:
      return command_unsupported (b, error, "input bus is not supported");
    }
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
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

  command_at (b, "devices/video", video->line);
  if (video->vram % KIB_PER_MIB != 0)
    return command_unsupported (b, error, "video memory %u KiB is not a whole "
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
        return command_unsupported (b, error,
                                    "a virtio video has no video memory size "
                                    "(vram)");
      /* Only the primary one has legacy VGA; microvm has no VGA at all. */
      device = qdev_device_video_new (video->primary &&
                                        b->family != DOMAIN_MACHINE_MICROVM
                                        ? QDEV_VIDEO_VIRTIO_VGA
                                        : QDEV_VIDEO_VIRTIO_GPU,
                                      id, 0, &local);
      break;
    case DOMAIN_VIDEO_LAST:
    default:
      return command_unsupported (b, error, "video model is not supported");
    }
  if (device == NULL)
    return command_refused (b, error, local);
  if (video->heads > 1)
    {
      if (!has_heads)
        return command_unsupported (b, error,
                                    "video model '%s' has a single head",
                                    domain_video_model_to_string (video->model));
      qdev_set_int (device, "max_outputs", video->heads);
    }
  if (!command_place_device (b, device, &video->address, error))
    return FALSE;
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}

static gboolean
add_audio (Builder *b, const DomainAudio *audio, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *id = g_strdup_printf ("audio%u", audio->id);

  command_at (b, "devices/audio", audio->line);
  if (!command_append_keyval (b, text, "driver", "none", error) ||
      !command_append_keyval (b, text, "id", id, error))
    return FALSE;
  command_add_arg (b, "-audiodev");
  command_add_arg_take (b, g_string_free (g_steal_pointer (&text), FALSE));
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

  command_at (b, "devices/rng", rng->line);
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
      return command_unsupported (b, error, "rng backend is not supported");
    }
  if (backend == NULL)
    return command_refused (b, error, local);
  device = qdev_device_rng_new (id, backend_id, rng->rate_bytes,
                                rng->rate_period, &local);
  if (device == NULL)
    return command_refused (b, error, local);
  if (!command_place_device (b, device, &rng->address, error))
    return FALSE;
  return command_add_option (b, QDEV_OPTION_OBJECT, g_steal_pointer (&backend),
                             error) &&
         command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}

static gboolean
add_watchdog (Builder *b, const DomainWatchdog *watchdog, guint position,
              GError **error)
{
  g_autofree char *id = g_strdup_printf ("watchdog%u", position);
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  command_at (b, "devices/watchdog", watchdog->line);
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
      return command_unsupported (b, error, "watchdog model is not supported");
    }
  if (device == NULL)
    return command_refused (b, error, local);
  if (!command_place_device (b, device, &watchdog->address, error))
    return FALSE;
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
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
  command_at (b, "devices/memballoon", balloon->line);
  device = qdev_device_balloon_new ("balloon0",
                                    balloon->autodeflate == DOMAIN_TRISTATE_ON,
                                    FALSE, &local);
  if (device == NULL)
    return command_refused (b, error, local);
  if (!command_place_device (b, device, &balloon->address, error))
    return FALSE;
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}

/* ------------------------------------------------------------------------
 * All of <devices>, in the order QEMU needs them
 */

gboolean
command_add_devices (Builder *b, GError **error)
{
  const DomainDef *def = b->def;

  if (!command_add_controllers (b, error))
    return FALSE;
  for (guint i = 0; i < def->disks->len; i++)
    if (!command_add_disk (b, i, error))
      return FALSE;
  for (guint i = 0; i < def->interfaces->len; i++)
    if (!command_add_interface (b, i, error))
      return FALSE;
  for (guint i = 0; i < def->serials->len; i++)
    if (!command_add_serial (b, g_ptr_array_index (def->serials, i), error))
      return FALSE;
  for (guint i = 0; i < def->consoles->len; i++)
    if (!command_add_console (b, g_ptr_array_index (def->consoles, i), i,
                              error))
      return FALSE;
  for (guint i = 0; i < def->channels->len; i++)
    if (!command_add_channel (b, g_ptr_array_index (def->channels, i), i,
                              error))
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
