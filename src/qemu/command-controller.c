/* Controllers on the QEMU command line (PCI root ports, USB, SATA,
 * SCSI, virtio-serial), and the names of the buses they give the devices
 * behind them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command-private.h"

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

  command_at (b, "devices/controller", c->line);
  if (is_builtin_controller (b, c))
    return TRUE;

  switch (c->type)
    {
    case DOMAIN_CONTROLLER_PCI:
      if (c->model == DOMAIN_CONTROLLER_MODEL_PCI_ROOT ||
          c->model == DOMAIN_CONTROLLER_MODEL_PCIE_ROOT)
        return TRUE;            /* the machine's host bridge */
      if (c->model != DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT)
        return command_unsupported (b, error,
                                    "PCI controller model '%s' is not "
                                    "supported",
                                    domain_controller_model_to_string (c->model));
      if (c->chassis < 0 || c->port < 0)
        return command_unsupported (b, error,
                                    "a pcie-root-port needs its chassis and "
                                    "port");
      device = qdev_device_pcie_root_port_new (id, (guint) c->chassis,
                                               (guint) c->port, &local);
      break;
    case DOMAIN_CONTROLLER_USB:
      if (c->model == DOMAIN_CONTROLLER_MODEL_USB_NONE ||
          c->model == DOMAIN_CONTROLLER_MODEL_UNSET)
        return TRUE;
      device = usb_controller_new (c, id, &local);
      if (device == NULL && local == NULL)
        return command_unsupported (b, error,
                                    "USB controller model '%s' is not "
                                    "supported",
                                    domain_controller_model_to_string (c->model));
      break;
    case DOMAIN_CONTROLLER_IDE:
      return command_unsupported (b, error, "only the pc machine's own IDE "
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
          return command_unsupported (b, error,
                                      "SCSI controller model '%s' is not "
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
      return command_unsupported (b, error,
                                  "controller type is not supported");
    }
  if (device == NULL)
    return command_refused (b, error, local);
  if (!command_place_device (b, device, &c->address, error))
    return FALSE;
  return command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}

/* PCI controllers first: every other device may sit behind one, and QEMU
 * needs a bus to exist before a device names it. */
gboolean
command_add_controllers (Builder *b, GError **error)
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
char *
command_child_bus_name (Builder *b, DomainControllerType type, guint index,
                        guint number, GError **error)
{
  const DomainController *c = domain_def_find_controller (b->def, type,
                                                          index);
  g_autofree char *id = NULL;

  if (c == NULL)
    {
      command_unsupported (b, error, "there is no %s controller %u",
                           domain_controller_type_to_string (type), index);
      return NULL;
    }
  if (is_builtin_controller (b, c))
    return g_strdup_printf ("ide.%u", number);
  id = controller_id (c);
  return g_strdup_printf ("%s.%u", id, number);
}
