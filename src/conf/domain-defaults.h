/* Defaults and addresses, filled once after parsing.
 *
 * domain_def_fill_defaults() turns what the XML said into what QEMU will
 * be given, deterministically and as libvirt documents it:
 *  - os: arch x86_64, machine "pc"; uuid generated when absent;
 *    currentMemory = memory; vcpu 1; clock utc; lifecycle
 *    destroy/restart/destroy;
 *  - implicit controllers: the root PCI controller (pci-root on pc,
 *    pcie-root on q35), the chipset's IDE (pc) or SATA (q35) controller,
 *    a USB controller (piix3-uhci on pc, qemu-xhci on q35), a
 *    virtio-serial controller when a channel or virtio console needs one,
 *    and the sata/scsi controllers disks refer to;
 *  - implicit devices: PS/2 mouse and keyboard and a VGA video when there
 *    is graphics, a virtio memballoon unless <memballoon model='none'>,
 *    the <serial> a serial console stands for;
 *  - device defaults: disk bus from the target name and format raw, NIC
 *    model rtl8139 and a MAC derived from the UUID, serial ports, ...;
 *  - addresses (domain-addresses.h): PCI slots, pcie-root-ports on q35,
 *    drive, virtio-serial and USB addresses.
 *
 * It is idempotent: filling a definition that was filled already (or
 * that was formatted and parsed back after filling) changes nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "conf/conf-error.h"
#include "conf/domain.h"

G_BEGIN_DECLS

/**
 * domain_def_fill_defaults:
 * @def: a parsed definition
 * @error: return location for a QVIRT_CONF_ERROR
 *
 * Fills defaults and addresses in @def.
 *
 * Returns: FALSE with @error set when an explicit address conflicts with
 *   another one or no address is left; @def is then partly filled.
 */
gboolean domain_def_fill_defaults (DomainDef *def, GError **error);

/**
 * domain_def_fill_defaults_report:
 * @def: a parsed definition
 * @problems: a GPtrArray from domain_problems_new(), appended to
 *
 * Like domain_def_fill_defaults(), but reports every problem.
 */
void domain_def_fill_defaults_report (DomainDef *def, GPtrArray *problems);

G_END_DECLS
