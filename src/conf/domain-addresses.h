/* Device addresses: assigning PCI slots (and pcie-root-ports on q35),
 * drive, virtio-serial and USB addresses, and checking explicit ones.
 *
 * The rules, after libvirt's documented behaviour:
 *  - pc: bus 0 is pci-root. Slot 0 is the host bridge, slot 1 the PIIX3
 *    (IDE controller at 01.1, the piix3-uhci USB controller at 01.2), the
 *    primary video gets slot 2, other devices slots 3 and up;
 *  - q35: bus 0 is pcie-root. Slot 0 is the host bridge, slot 0x1f the
 *    ICH9 (SATA controller 0 at 1f.2), the primary video gets slot 1.
 *    Every PCI Express capable device (virtio, qemu-xhci, e1000e, AHCI)
 *    goes to slot 0 of a pcie-root-port of its own; root ports are added
 *    as needed and packed eight per slot on bus 0 from slot 2 (function
 *    0 marked multifunction), with chassis = index and port = slot * 8 +
 *    function. Conventional PCI devices (e1000, rtl8139, lsilogic, uhci,
 *    i6300esb, non-virtio secondary video) take a slot of bus 0 (libvirt
 *    would add a pcie-to-pci-bridge; qvirt does not support bridges);
 *  - microvm: virtio devices get a virtio-mmio address, nothing else;
 *  - devices are assigned in this order: pcie-root-ports, interfaces,
 *    controllers, disks, inputs, videos, watchdogs, memballoon, rngs,
 *    each in document order;
 *  - drive addresses follow the target name (hda..hdd, sda..): ide has
 *    two buses of two units, sata six units per controller, scsi seven
 *    units per controller;
 *  - channels take virtio-serial ports from 1, USB devices USB ports
 *    from 1.
 * Two devices with the same explicit address are an error naming both.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "conf/domain.h"

G_BEGIN_DECLS

/**
 * domain_def_assign_addresses:
 * @def: a definition whose controllers and device defaults are filled
 *   (domain_def_fill_defaults() calls this last)
 * @problems: a GPtrArray from domain_problems_new(), appended to
 *
 * Checks explicit addresses and assigns the missing ones; may add
 * pcie-root-port controllers on q35 and sata/scsi controllers.
 */
void domain_def_assign_addresses (DomainDef *def, GPtrArray *problems);

/**
 * domain_disk_name_to_index:
 * @name: a disk target name: "vda", "sdb", "hdaa"...
 *
 * Returns: the index its letters stand for ("a" 0, "z" 25, "aa" 26), or
 *   -1 when @name is not two letters then 1 to 3 lowercase letters.
 */
int domain_disk_name_to_index (const char *name);

/**
 * domain_controller_insert:
 * @def: a definition
 * @controller: (transfer full): a controller to add
 *
 * Adds @controller where libvirt keeps it: after the last controller of
 * the same type with a lower index (before the first with a higher one),
 * or at the end when there is none of its type.
 */
void domain_controller_insert (DomainDef *def, DomainController *controller);

G_END_DECLS
