/* Device addresses: the rules are in domain-addresses.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-addresses.h"

#include <string.h>

#include "conf/conf-error.h"

/* How a device plugs into PCI. */
typedef enum {
  PCI_NONE,           /* no PCI address (PS/2, ISA, ramfb, root bus) */
  PCI_CONVENTIONAL,   /* plain PCI: bus 0 on q35 as well */
  PCI_EXPRESS,        /* PCIe capable: a pcie-root-port of its own on q35 */
  PCI_ROOT_PORT,      /* a pcie-root-port: bus 0, packed by function */
} PciKind;

/* A device that needs a PCI address. */
typedef struct {
  DomainDeviceAddress *address;
  const char *path;            /* "devices/disk" */
  guint line;
  PciKind kind;
  gboolean virtio;             /* can be virtio-mmio on microvm */
  DomainController *root_port; /* for PCI_ROOT_PORT */
} PciDevice;

/* Who uses a PCI function. */
typedef struct {
  const char *path;            /* NULL for the chipset */
  guint line;
  DomainDeviceAddress *address;
  PciKind kind;
} PciOwner;

typedef struct {
  DomainDef *def;
  DomainMachineFamily family;
  GPtrArray *problems;
  GArray *devices;             /* PciDevice */
  GHashTable *used;            /* pci_key() -> PciOwner* */
  GPtrArray *owners;           /* owns the PciOwners */
} Assigner;

#define PCI_FUNCTIONS 8
#define PCI_SLOTS 32
#define Q35_ICH9_SLOT 0x1f
#define PC_PIIX3_SLOT 0x01

static gpointer
pci_key (guint bus, guint slot, guint function)
{
  return GUINT_TO_POINTER ((bus << 8) | (slot << 3) | function);
}

static PciOwner *
pci_owner (Assigner *a, guint bus, guint slot, guint function)
{
  return g_hash_table_lookup (a->used, pci_key (bus, slot, function));
}

static void
pci_take (Assigner *a, guint bus, guint slot, guint function,
          const char *path, guint line, DomainDeviceAddress *address,
          PciKind kind)
{
  PciOwner *owner = g_new0 (PciOwner, 1);

  owner->path = path;
  owner->line = line;
  owner->address = address;
  owner->kind = kind;
  g_ptr_array_add (a->owners, owner);
  g_hash_table_insert (a->used, pci_key (bus, slot, function), owner);
}

static char *
pci_address_string (guint bus, guint slot, guint function)
{
  return g_strdup_printf ("0000:%02x:%02x.%x", bus, slot, function);
}

static char *
owner_description (const PciOwner *owner)
{
  if (owner->path == NULL)
    return g_strdup ("the chipset (reserved)");
  if (owner->line == 0)
    return g_strdup_printf ("<%s> (added by defaults)", owner->path);
  return g_strdup_printf ("<%s> at line %u", owner->path, owner->line);
}

static void
set_pci (DomainDeviceAddress *address, guint bus, guint slot, guint function)
{
  memset (address, 0, sizeof (*address));
  address->type = DOMAIN_ADDRESS_PCI;
  address->pci.bus = bus;
  address->pci.slot = slot;
  address->pci.function = function;
}

/* ------------------------------------------------------------------------
 * Which devices need PCI
 */

static void
add_device (Assigner *a, DomainDeviceAddress *address, const char *path,
            guint line, PciKind kind, gboolean virtio)
{
  PciDevice device = { address, path, line, kind, virtio, NULL };

  if (kind != PCI_NONE)
    g_array_append_val (a->devices, device);
}

static PciKind
controller_pci_kind (const DomainController *controller)
{
  switch (controller->type)
    {
    case DOMAIN_CONTROLLER_USB:
      switch (controller->model)
        {
        case DOMAIN_CONTROLLER_MODEL_USB_NONE:
          return PCI_NONE;
        case DOMAIN_CONTROLLER_MODEL_QEMU_XHCI:
        case DOMAIN_CONTROLLER_MODEL_NEC_XHCI:
          return PCI_EXPRESS;
        default:
          return PCI_CONVENTIONAL;
        }
    case DOMAIN_CONTROLLER_PCI:
      return controller->model == DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT
               ? PCI_ROOT_PORT : PCI_NONE;
    case DOMAIN_CONTROLLER_SCSI:
      return controller->model == DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI
               ? PCI_EXPRESS : PCI_CONVENTIONAL;
    case DOMAIN_CONTROLLER_SATA:
    case DOMAIN_CONTROLLER_VIRTIO_SERIAL:
      return PCI_EXPRESS;
    case DOMAIN_CONTROLLER_IDE:
      return PCI_CONVENTIONAL;
    case DOMAIN_CONTROLLER_LAST:
    default:
      return PCI_NONE;
    }
}

static PciKind
video_pci_kind (const DomainVideo *video)
{
  switch (video->model)
    {
    case DOMAIN_VIDEO_VIRTIO:
      return PCI_EXPRESS;
    case DOMAIN_VIDEO_RAMFB:
    case DOMAIN_VIDEO_NONE:
      return PCI_NONE;
    default:
      return PCI_CONVENTIONAL;
    }
}

/* Lists the devices that need PCI in assignment order. */
static void
collect_pci_devices (Assigner *a)
{
  DomainDef *def = a->def;

  for (guint i = 0; i < def->controllers->len; i++)
    {
      DomainController *controller = g_ptr_array_index (def->controllers, i);

      if (controller_pci_kind (controller) == PCI_ROOT_PORT)
        {
          PciDevice device = { &controller->address, "devices/controller",
                               controller->line, PCI_ROOT_PORT, FALSE,
                               controller };
          g_array_append_val (a->devices, device);
        }
    }
  for (guint i = 0; i < def->interfaces->len; i++)
    {
      DomainInterface *iface = g_ptr_array_index (def->interfaces, i);
      gboolean express = iface->model == DOMAIN_NET_MODEL_VIRTIO
                         || iface->model == DOMAIN_NET_MODEL_E1000E;

      add_device (a, &iface->address, "devices/interface", iface->line,
                  express ? PCI_EXPRESS : PCI_CONVENTIONAL,
                  iface->model == DOMAIN_NET_MODEL_VIRTIO);
    }
  for (guint i = 0; i < def->controllers->len; i++)
    {
      DomainController *controller = g_ptr_array_index (def->controllers, i);
      PciKind kind = controller_pci_kind (controller);

      if (kind != PCI_ROOT_PORT)
        add_device (a, &controller->address, "devices/controller",
                    controller->line, kind,
                    controller->type == DOMAIN_CONTROLLER_VIRTIO_SERIAL
                    || controller->model
                       == DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI);
    }
  for (guint i = 0; i < def->disks->len; i++)
    {
      DomainDisk *disk = g_ptr_array_index (def->disks, i);

      if (disk->bus == DOMAIN_DISK_BUS_VIRTIO)
        add_device (a, &disk->address, "devices/disk", disk->line,
                    PCI_EXPRESS, TRUE);
    }
  for (guint i = 0; i < def->inputs->len; i++)
    {
      DomainInput *input = g_ptr_array_index (def->inputs, i);

      if (input->bus == DOMAIN_INPUT_BUS_VIRTIO)
        add_device (a, &input->address, "devices/input", input->line,
                    PCI_EXPRESS, TRUE);
    }
  for (guint i = 0; i < def->videos->len; i++)
    {
      DomainVideo *video = g_ptr_array_index (def->videos, i);

      add_device (a, &video->address, "devices/video", video->line,
                  video_pci_kind (video), video->model == DOMAIN_VIDEO_VIRTIO);
    }
  for (guint i = 0; i < def->watchdogs->len; i++)
    {
      DomainWatchdog *watchdog = g_ptr_array_index (def->watchdogs, i);

      if (watchdog->model == DOMAIN_WATCHDOG_I6300ESB)
        add_device (a, &watchdog->address, "devices/watchdog", watchdog->line,
                    PCI_CONVENTIONAL, FALSE);
    }
  if (def->memballoon != NULL
      && def->memballoon->model == DOMAIN_MEMBALLOON_VIRTIO)
    add_device (a, &def->memballoon->address, "devices/memballoon",
                def->memballoon->line, PCI_EXPRESS, TRUE);
  for (guint i = 0; i < def->rngs->len; i++)
    {
      DomainRng *rng = g_ptr_array_index (def->rngs, i);

      add_device (a, &rng->address, "devices/rng", rng->line, PCI_EXPRESS,
                  TRUE);
    }
}

/* ------------------------------------------------------------------------
 * PCI
 */

static gboolean
is_root_port_bus (const DomainDef *def, guint bus)
{
  const DomainController *controller =
    domain_def_find_controller (def, DOMAIN_CONTROLLER_PCI, bus);

  return bus != 0 && controller != NULL
         && controller->model == DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT;
}

static void
reserve_chipset (Assigner *a)
{
  guint chipset_slot = a->family == DOMAIN_MACHINE_PC ? PC_PIIX3_SLOT
                                                      : Q35_ICH9_SLOT;

  for (guint function = 0; function < PCI_FUNCTIONS; function++)
    pci_take (a, 0, 0, function, NULL, 0, NULL, PCI_NONE);
  for (guint function = 0; function < PCI_FUNCTIONS; function++)
    {
      /* Left free for the built-in IDE and USB controllers of the PIIX3
       * (01.1, 01.2) and the AHCI of the ICH9 (1f.2). */
      if (a->family == DOMAIN_MACHINE_PC && (function == 1 || function == 2))
        continue;
      if (a->family == DOMAIN_MACHINE_Q35 && function == 2)
        continue;
      pci_take (a, 0, chipset_slot, function, NULL, 0, NULL, PCI_NONE);
    }
}

/* Records the explicit address of @device, reporting what is wrong with
 * it. */
static void
take_explicit (Assigner *a, const PciDevice *device)
{
  const DomainPciAddress *pci = &device->address->pci;
  g_autofree char *where = pci_address_string (pci->bus, pci->slot,
                                               pci->function);
  PciOwner *owner;

  if (pci->domain != 0)
    {
      domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                              device->path, device->line,
                              "PCI domain %u does not exist (only 0)",
                              pci->domain);
      return;
    }
  if (pci->bus != 0 && (device->kind == PCI_ROOT_PORT
                        || !is_root_port_bus (a->def, pci->bus)))
    {
      domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                              device->path, device->line,
                              "PCI address %s is on bus %u, which is not a "
                              "pcie-root-port controller%s",
                              where, pci->bus,
                              device->kind == PCI_ROOT_PORT
                                ? " (root ports go on bus 0)" : "");
      return;
    }
  if (pci->bus != 0 && pci->slot != 0)
    {
      domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                              device->path, device->line,
                              "PCI address %s: a pcie-root-port has only "
                              "slot 0", where);
      return;
    }
  owner = pci_owner (a, pci->bus, pci->slot, pci->function);
  if (owner != NULL)
    {
      g_autofree char *other = owner_description (owner);

      domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                              device->path, device->line,
                              "PCI address %s is already used by %s",
                              where, other);
      return;
    }
  pci_take (a, pci->bus, pci->slot, pci->function, device->path, device->line,
            device->address, device->kind);
}

/* Gives @device a fixed chipset address, or reports who took it. */
static void
take_fixed (Assigner *a, const PciDevice *device, guint slot, guint function)
{
  PciOwner *owner = pci_owner (a, 0, slot, function);

  if (owner != NULL)
    {
      g_autofree char *where = pci_address_string (0, slot, function);
      g_autofree char *other = owner_description (owner);

      domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                              device->path, device->line,
                              "PCI address %s belongs to this controller "
                              "but is used by %s", where, other);
      return;
    }
  set_pci (device->address, 0, slot, function);
  pci_take (a, 0, slot, function, device->path, device->line, device->address,
            device->kind);
}

static gboolean
slot_is_free (Assigner *a, guint slot)
{
  for (guint function = 0; function < PCI_FUNCTIONS; function++)
    if (pci_owner (a, 0, slot, function) != NULL)
      return FALSE;
  return TRUE;
}

/* The lowest whole free slot of bus 0 from @first, or 0 when none. */
static guint
free_slot (Assigner *a, guint first)
{
  for (guint slot = first; slot < PCI_SLOTS; slot++)
    if (slot_is_free (a, slot))
      return slot;
  return 0;
}

static guint
first_auto_slot (const Assigner *a)
{
  /* pc: slot 2 is the primary video's; q35: slot 1 is. */
  return a->family == DOMAIN_MACHINE_PC ? 3 : 2;
}

static void
no_slot_left (Assigner *a, const PciDevice *device)
{
  domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                          device->path, device->line,
                          "no free PCI slot left on bus 0 (PCI bridges are "
                          "not supported)");
}

/* A root port goes next to other root ports: the lowest free function of
 * a slot that holds only root ports, else function 0 of a free slot. */
static gboolean
take_root_port_slot (Assigner *a, const PciDevice *device)
{
  guint slot;

  for (slot = 1; slot < PCI_SLOTS; slot++)
    {
      gboolean only_root_ports = TRUE, any = FALSE;
      int free_function = -1;

      for (guint function = 0; function < PCI_FUNCTIONS; function++)
        {
          PciOwner *owner = pci_owner (a, 0, slot, function);

          if (owner == NULL)
            {
              if (free_function < 0)
                free_function = (int) function;
              continue;
            }
          any = TRUE;
          only_root_ports &= owner->kind == PCI_ROOT_PORT;
        }
      if (any && only_root_ports && free_function > 0)
        {
          PciOwner *first = pci_owner (a, 0, slot, 0);

          /* QEMU needs function 0 flagged before it accepts others. */
          if (first != NULL && first->address != NULL
              && first->address->pci.multifunction == DOMAIN_TRISTATE_UNSET)
            first->address->pci.multifunction = DOMAIN_TRISTATE_ON;
          set_pci (device->address, 0, slot, (guint) free_function);
          pci_take (a, 0, slot, (guint) free_function, device->path,
                    device->line, device->address, PCI_ROOT_PORT);
          return TRUE;
        }
    }
  slot = free_slot (a, first_auto_slot (a));
  if (slot == 0)
    {
      no_slot_left (a, device);
      return FALSE;
    }
  set_pci (device->address, 0, slot, 0);
  pci_take (a, 0, slot, 0, device->path, device->line, device->address,
            PCI_ROOT_PORT);
  return TRUE;
}

static void
fill_root_port_target (DomainController *root_port)
{
  if (root_port->chassis < 0)
    root_port->chassis = (int) root_port->index;
  if (root_port->port < 0 && root_port->address.type == DOMAIN_ADDRESS_PCI)
    root_port->port = (int) (root_port->address.pci.slot * PCI_FUNCTIONS
                             + root_port->address.pci.function);
}

/* A root port with nothing plugged in, or a new one. */
static DomainController *
free_root_port (Assigner *a, const PciDevice *device)
{
  DomainController *best = NULL;
  DomainController *root_port;
  PciDevice port_device;
  guint max_index = 0;

  for (guint i = 0; i < a->def->controllers->len; i++)
    {
      DomainController *controller = g_ptr_array_index (a->def->controllers, i);

      if (controller->type != DOMAIN_CONTROLLER_PCI)
        continue;
      max_index = MAX (max_index, controller->index);
      if (controller->model != DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT
          || controller->address.type != DOMAIN_ADDRESS_PCI
          || pci_owner (a, controller->index, 0, 0) != NULL)
        continue;
      if (best == NULL || controller->index < best->index)
        best = controller;
    }
  if (best != NULL)
    return best;

  if (max_index >= 255)
    {
      no_slot_left (a, device);
      return NULL;
    }
  root_port = domain_controller_new (DOMAIN_CONTROLLER_PCI, max_index + 1);
  root_port->model = DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT;
  port_device = (PciDevice) { &root_port->address, "devices/controller", 0,
                              PCI_ROOT_PORT, FALSE, root_port };
  if (!take_root_port_slot (a, &port_device))
    {
      domain_controller_free (root_port);
      return NULL;
    }
  /* The owner recorded for the slot points at root_port->address, which
   * stays valid: the controller is moved into the definition, not
   * copied. */
  fill_root_port_target (root_port);
  domain_controller_insert (a->def, root_port);
  return root_port;
}

static void
assign_one (Assigner *a, const PciDevice *device)
{
  if (device->kind == PCI_ROOT_PORT)
    {
      take_root_port_slot (a, device);
      return;
    }
  if (a->family == DOMAIN_MACHINE_Q35 && device->kind == PCI_EXPRESS)
    {
      DomainController *root_port = free_root_port (a, device);

      if (root_port == NULL)
        return;
      set_pci (device->address, root_port->index, 0, 0);
      pci_take (a, root_port->index, 0, 0, device->path, device->line,
                device->address, device->kind);
      return;
    }
  {
    guint slot = free_slot (a, first_auto_slot (a));

    if (slot == 0)
      {
        no_slot_left (a, device);
        return;
      }
    set_pci (device->address, 0, slot, 0);
    pci_take (a, 0, slot, 0, device->path, device->line, device->address,
              device->kind);
  }
}

/* Explicit multi-function slots need multifunction='on' on function 0
 * (the chipset's own slots excepted). */
static void
check_multifunction (Assigner *a)
{
  g_autoptr (GHashTable) reported = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < a->owners->len; i++)
    {
      const PciOwner *owner = g_ptr_array_index (a->owners, i);
      const DomainPciAddress *pci;
      PciOwner *first;
      gpointer slot_key;

      if (owner->address == NULL || owner->address->pci.function == 0)
        continue;
      pci = &owner->address->pci;
      first = pci_owner (a, pci->bus, pci->slot, 0);
      slot_key = pci_key (pci->bus, pci->slot, 0);
      if (first == NULL || first->address == NULL
          || first->address->pci.multifunction == DOMAIN_TRISTATE_ON
          || g_hash_table_contains (reported, slot_key))
        continue;
      g_hash_table_add (reported, slot_key);
      {
        g_autofree char *where = pci_address_string (pci->bus, pci->slot, 0);

        domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                first->path, first->line,
                                "PCI address %s is function 0 of a slot with "
                                "other functions in use, so it needs "
                                "multifunction='on'", where);
      }
    }
}

/* For g_ptr_array_sort() of PciDevice pointers (a stable sort). */
static int
compare_device_lines (gconstpointer a, gconstpointer b)
{
  const PciDevice *first = *(const PciDevice *const *) a;
  const PciDevice *second = *(const PciDevice *const *) b;

  return (first->line > second->line) - (first->line < second->line);
}

static void
assign_pci (Assigner *a)
{
  DomainDef *def = a->def;
  PciDevice *devices = (PciDevice *) (gpointer) a->devices->data;
  guint n = a->devices->len;
  DomainController *ide, *usb, *sata;
  g_autoptr (GPtrArray) explicit = NULL;

  reserve_chipset (a);

  /* Explicit addresses in document order, so that a conflict is
   * reported on the later element. */
  explicit = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    if (devices[i].address->type == DOMAIN_ADDRESS_PCI)
      g_ptr_array_add (explicit, &devices[i]);
  g_ptr_array_sort (explicit, compare_device_lines);
  for (guint i = 0; i < explicit->len; i++)
    take_explicit (a, g_ptr_array_index (explicit, i));

  /* The chipset's own controllers and the primary video. */
  ide = domain_def_find_controller (def, DOMAIN_CONTROLLER_IDE, 0);
  usb = domain_def_find_controller (def, DOMAIN_CONTROLLER_USB, 0);
  sata = domain_def_find_controller (def, DOMAIN_CONTROLLER_SATA, 0);
  for (guint i = 0; i < n; i++)
    {
      PciDevice *device = &devices[i];

      if (device->address->type != DOMAIN_ADDRESS_NONE)
        continue;
      if (a->family == DOMAIN_MACHINE_PC && ide != NULL
          && device->address == &ide->address)
        take_fixed (a, device, PC_PIIX3_SLOT, 1);
      else if (a->family == DOMAIN_MACHINE_PC && usb != NULL
               && device->address == &usb->address
               && usb->model == DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI)
        take_fixed (a, device, PC_PIIX3_SLOT, 2);
      else if (a->family == DOMAIN_MACHINE_Q35 && sata != NULL
               && device->address == &sata->address)
        take_fixed (a, device, Q35_ICH9_SLOT, 2);
    }
  if (def->videos->len > 0)
    {
      DomainVideo *primary = g_ptr_array_index (def->videos, 0);
      guint slot = a->family == DOMAIN_MACHINE_PC ? 2 : 1;

      if (primary->address.type == DOMAIN_ADDRESS_NONE
          && video_pci_kind (primary) != PCI_NONE && slot_is_free (a, slot))
        {
          set_pci (&primary->address, 0, slot, 0);
          pci_take (a, 0, slot, 0, "devices/video", primary->line,
                    &primary->address, video_pci_kind (primary));
        }
    }

  /* Everything else, in order. Root ports added on the way go into
   * def->controllers only, so @devices stays valid. */
  for (guint i = 0; i < n; i++)
    if (devices[i].address->type == DOMAIN_ADDRESS_NONE)
      assign_one (a, &devices[i]);

  for (guint i = 0; i < def->controllers->len; i++)
    {
      DomainController *controller = g_ptr_array_index (def->controllers, i);

      if (controller->model == DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT)
        fill_root_port_target (controller);
    }
  check_multifunction (a);
}

static void
assign_virtio_mmio (Assigner *a)
{
  for (guint i = 0; i < a->devices->len; i++)
    {
      PciDevice *device = &g_array_index (a->devices, PciDevice, i);

      if (device->virtio && device->address->type == DOMAIN_ADDRESS_NONE)
        device->address->type = DOMAIN_ADDRESS_VIRTIO_MMIO;
    }
}

/* ------------------------------------------------------------------------
 * Drive addresses
 */

int
domain_disk_name_to_index (const char *name)
{
  int index = 0;
  gsize len;

  if (name == NULL)
    return -1;
  len = strlen (name);
  if (len < 3 || len > 5)
    return -1;
  for (const char *p = name + 2; *p != '\0'; p++)
    {
      if (!g_ascii_islower (*p))
        return -1;
      index = index * 26 + (*p - 'a' + 1);
    }
  return index - 1;
}

static const char *
drive_bus_name (DomainDiskBus bus)
{
  switch (bus)
    {
    case DOMAIN_DISK_BUS_IDE:
      return "IDE";
    case DOMAIN_DISK_BUS_SATA:
      return "SATA";
    case DOMAIN_DISK_BUS_SCSI:
      return "SCSI";
    default:
      return "?";
    }
}

static DomainControllerType
drive_controller_type (DomainDiskBus bus)
{
  switch (bus)
    {
    case DOMAIN_DISK_BUS_IDE:
      return DOMAIN_CONTROLLER_IDE;
    case DOMAIN_DISK_BUS_SATA:
      return DOMAIN_CONTROLLER_SATA;
    case DOMAIN_DISK_BUS_SCSI:
    default:
      return DOMAIN_CONTROLLER_SCSI;
    }
}

static gboolean
is_drive_bus (DomainDiskBus bus)
{
  return bus == DOMAIN_DISK_BUS_IDE || bus == DOMAIN_DISK_BUS_SATA
         || bus == DOMAIN_DISK_BUS_SCSI;
}

/* Checks the ranges of an explicit drive address; NULL when fine. */
static const char *
drive_address_problem (DomainDiskBus bus, const DomainDriveAddress *drive)
{
  switch (bus)
    {
    case DOMAIN_DISK_BUS_IDE:
      if (drive->bus > 1 || drive->target != 0 || drive->unit > 1)
        return "an IDE drive address has bus 0-1, target 0 and unit 0-1";
      return NULL;
    case DOMAIN_DISK_BUS_SATA:
      if (drive->bus != 0 || drive->target != 0 || drive->unit > 5)
        return "a SATA drive address has bus 0, target 0 and unit 0-5";
      return NULL;
    case DOMAIN_DISK_BUS_SCSI:
      if (drive->bus != 0)
        return "a SCSI drive address has bus 0";
      return NULL;
    default:
      return NULL;
    }
}

static void
assign_drives (Assigner *a)
{
  DomainDef *def = a->def;

  for (guint i = 0; i < def->disks->len; i++)
    {
      DomainDisk *disk = g_ptr_array_index (def->disks, i);
      DomainDriveAddress *drive = &disk->address.drive;
      int index;

      if (!is_drive_bus (disk->bus))
        continue;
      if (disk->address.type == DOMAIN_ADDRESS_NONE)
        {
          index = domain_disk_name_to_index (disk->target_dev);
          if (index < 0)
            continue;
          disk->address.type = DOMAIN_ADDRESS_DRIVE;
          memset (drive, 0, sizeof (*drive));
          switch (disk->bus)
            {
            case DOMAIN_DISK_BUS_IDE:
              drive->controller = index / 4;
              drive->bus = (index % 4) / 2;
              drive->unit = index % 2;
              break;
            case DOMAIN_DISK_BUS_SATA:
              drive->controller = index / 6;
              drive->unit = index % 6;
              break;
            case DOMAIN_DISK_BUS_SCSI:
            default:
              drive->controller = index / 7;
              drive->unit = index % 7;
              break;
            }
          if (drive->controller > 255)
            {
              domain_problems_add_at (a->problems,
                                      QVIRT_CONF_ERROR_INVALID_VALUE,
                                      "devices/disk", disk->line,
                                      "target dev '%s' would be on %s "
                                      "controller %u, past the last one (255)",
                                      disk->target_dev,
                                      drive_bus_name (disk->bus),
                                      drive->controller);
              memset (&disk->address, 0, sizeof (disk->address));
              continue;
            }
        }
      if (disk->address.type != DOMAIN_ADDRESS_DRIVE)
        continue;

      if (drive_address_problem (disk->bus, drive) != NULL)
        {
          domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                  "devices/disk", disk->line, "%s",
                                  drive_address_problem (disk->bus, drive));
          continue;
        }
      for (guint j = 0; j < i; j++)
        {
          const DomainDisk *other = g_ptr_array_index (def->disks, j);
          const DomainDriveAddress *o = &other->address.drive;

          if (other->bus == disk->bus
              && other->address.type == DOMAIN_ADDRESS_DRIVE
              && o->controller == drive->controller && o->bus == drive->bus
              && o->target == drive->target && o->unit == drive->unit)
            {
              domain_problems_add_at (a->problems,
                                      QVIRT_CONF_ERROR_INVALID_VALUE,
                                      "devices/disk", disk->line,
                                      "%s drive address %u:%u:%u:%u is "
                                      "already used by the disk at line %u",
                                      drive_bus_name (disk->bus),
                                      drive->controller, drive->bus,
                                      drive->target, drive->unit,
                                      other->line);
              break;
            }
        }

      /* The controller the address names, added when missing; the pc
       * machine has exactly one IDE controller and q35 none. */
      if (domain_def_find_controller (def, drive_controller_type (disk->bus),
                                      drive->controller) != NULL)
        continue;
      if (disk->bus == DOMAIN_DISK_BUS_IDE)
        {
          if (a->family == DOMAIN_MACHINE_PC)
            domain_problems_add_at (a->problems,
                                    QVIRT_CONF_ERROR_INVALID_VALUE,
                                    "devices/disk", disk->line,
                                    "IDE controller %u does not exist: the pc "
                                    "machine has one IDE controller (hda to "
                                    "hdd)", drive->controller);
          continue;
        }
      {
        DomainController *controller =
          domain_controller_new (drive_controller_type (disk->bus),
                                 drive->controller);

        if (disk->bus == DOMAIN_DISK_BUS_SCSI)
          controller->model = DOMAIN_CONTROLLER_MODEL_LSILOGIC;
        domain_controller_insert (def, controller);
      }
    }
}

/* ------------------------------------------------------------------------
 * virtio-serial and USB ports
 */

static guint
virtio_serial_ports (const DomainDef *def, guint index)
{
  const DomainController *controller =
    domain_def_find_controller (def, DOMAIN_CONTROLLER_VIRTIO_SERIAL, index);

  return controller != NULL && controller->ports != 0 ? controller->ports : 31;
}

static void
assign_virtio_serial (Assigner *a)
{
  DomainDef *def = a->def;
  g_autoptr (GHashTable) used = g_hash_table_new (NULL, NULL);

  /* Virtio consoles sit on controller 0 at their target port. */
  for (guint i = 0; i < def->consoles->len; i++)
    {
      const DomainConsole *console = g_ptr_array_index (def->consoles, i);

      if (console->target_type == DOMAIN_CONSOLE_TARGET_VIRTIO
          && console->target_port >= 0)
        g_hash_table_add (used, GUINT_TO_POINTER ((guint) console->target_port));
    }
  for (guint i = 0; i < def->channels->len; i++)
    {
      DomainChannel *channel = g_ptr_array_index (def->channels, i);
      DomainVirtioSerialAddress *vs = &channel->address.virtio_serial;
      gpointer key;

      if (channel->address.type != DOMAIN_ADDRESS_VIRTIO_SERIAL
          || vs->port == 0)
        continue;
      key = GUINT_TO_POINTER ((vs->controller << 8) | vs->port);
      if (g_hash_table_contains (used, key))
        domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                "devices/channel", channel->line,
                                "virtio-serial port %u of controller %u is "
                                "already used", vs->port, vs->controller);
      g_hash_table_add (used, key);
    }
  for (guint i = 0; i < def->channels->len; i++)
    {
      DomainChannel *channel = g_ptr_array_index (def->channels, i);
      DomainVirtioSerialAddress *vs = &channel->address.virtio_serial;
      guint controller, port;

      if (channel->address.type == DOMAIN_ADDRESS_VIRTIO_SERIAL
          && vs->port != 0)
        continue;
      if (channel->address.type != DOMAIN_ADDRESS_NONE
          && channel->address.type != DOMAIN_ADDRESS_VIRTIO_SERIAL)
        continue;
      controller = channel->address.type == DOMAIN_ADDRESS_VIRTIO_SERIAL
                     ? vs->controller : 0;
      for (port = 1; port <= virtio_serial_ports (def, controller); port++)
        if (!g_hash_table_contains (used,
                                    GUINT_TO_POINTER ((controller << 8)
                                                      | port)))
          break;
      if (port > virtio_serial_ports (def, controller))
        {
          domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                  "devices/channel", channel->line,
                                  "no free port left on virtio-serial "
                                  "controller %u", controller);
          continue;
        }
      channel->address.type = DOMAIN_ADDRESS_VIRTIO_SERIAL;
      vs->controller = controller;
      vs->bus = 0;
      vs->port = port;
      g_hash_table_add (used, GUINT_TO_POINTER ((controller << 8) | port));
    }
}

/* Ports of a USB controller: as configured, else QEMU's default. */
static guint
usb_ports (const DomainDef *def, guint bus)
{
  const DomainController *controller =
    domain_def_find_controller (def, DOMAIN_CONTROLLER_USB, bus);

  if (controller == NULL)
    return 0;
  if (controller->ports != 0)
    return controller->ports;
  switch (controller->model)
    {
    case DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI:
    case DOMAIN_CONTROLLER_MODEL_PIIX4_UHCI:
      return 2;
    case DOMAIN_CONTROLLER_MODEL_EHCI:
    case DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1:
      return 6;
    case DOMAIN_CONTROLLER_MODEL_QEMU_XHCI:
    case DOMAIN_CONTROLLER_MODEL_NEC_XHCI:
      return 4;
    default:
      return 0;
    }
}

static void
assign_usb (Assigner *a)
{
  DomainDef *def = a->def;
  g_autoptr (GHashTable) used = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < def->inputs->len; i++)
    {
      DomainInput *input = g_ptr_array_index (def->inputs, i);
      gpointer key;

      if (input->address.type != DOMAIN_ADDRESS_USB)
        continue;
      key = GUINT_TO_POINTER ((input->address.usb.bus << 8)
                              | input->address.usb.port);
      if (g_hash_table_contains (used, key))
        domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                "devices/input", input->line,
                                "USB port %u of controller %u is already "
                                "used", input->address.usb.port,
                                input->address.usb.bus);
      g_hash_table_add (used, key);
    }
  for (guint i = 0; i < def->inputs->len; i++)
    {
      DomainInput *input = g_ptr_array_index (def->inputs, i);
      guint port, n_ports = usb_ports (def, 0);

      if (input->bus != DOMAIN_INPUT_BUS_USB
          || input->address.type != DOMAIN_ADDRESS_NONE || n_ports == 0)
        continue;
      for (port = 1; port <= n_ports; port++)
        if (!g_hash_table_contains (used, GUINT_TO_POINTER (port)))
          break;
      if (port > n_ports)
        {
          domain_problems_add_at (a->problems, QVIRT_CONF_ERROR_INVALID_VALUE,
                                  "devices/input", input->line,
                                  "no free port left on USB controller 0 "
                                  "(%u ports; set <controller type='usb' "
                                  "ports='N'>)", n_ports);
          continue;
        }
      input->address.type = DOMAIN_ADDRESS_USB;
      input->address.usb.bus = 0;
      input->address.usb.port = port;
      g_hash_table_add (used, GUINT_TO_POINTER (port));
    }
}

/* ------------------------------------------------------------------------
 * Entry points
 */

void
domain_controller_insert (DomainDef *def, DomainController *controller)
{
  int last_lower = -1, first_higher = -1;

  g_return_if_fail (def != NULL);
  g_return_if_fail (controller != NULL);

  for (guint i = 0; i < def->controllers->len; i++)
    {
      const DomainController *other = g_ptr_array_index (def->controllers, i);

      if (other->type != controller->type)
        continue;
      if (other->index < controller->index)
        last_lower = (int) i;
      else if (first_higher < 0)
        first_higher = (int) i;
    }
  if (last_lower >= 0)
    g_ptr_array_insert (def->controllers, last_lower + 1, controller);
  else if (first_higher >= 0)
    g_ptr_array_insert (def->controllers, first_higher, controller);
  else
    g_ptr_array_add (def->controllers, controller);
}

void
domain_def_assign_addresses (DomainDef *def, GPtrArray *problems)
{
  Assigner a = { 0 };

  g_return_if_fail (def != NULL);
  g_return_if_fail (problems != NULL);

  a.def = def;
  a.family = domain_machine_family (def->os.machine);
  a.problems = problems;

  assign_drives (&a);
  assign_virtio_serial (&a);
  assign_usb (&a);

  a.devices = g_array_new (FALSE, FALSE, sizeof (PciDevice));
  a.used = g_hash_table_new (NULL, NULL);
  a.owners = g_ptr_array_new_with_free_func (g_free);
  collect_pci_devices (&a);
  if (a.family == DOMAIN_MACHINE_MICROVM)
    assign_virtio_mmio (&a);
  else if (a.family == DOMAIN_MACHINE_PC || a.family == DOMAIN_MACHINE_Q35)
    assign_pci (&a);
  g_array_unref (a.devices);
  g_hash_table_unref (a.used);
  g_ptr_array_unref (a.owners);
}
