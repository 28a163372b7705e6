/* What the qvirt domain commands print: the domain table of `list`, the
 * fields of `info`, event lines and JSON, in one place so that the
 * commands look alike.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <qvirt/qvirt.h>

G_BEGIN_DECLS

/**
 * qvirt_cli_state_label:
 * @state: a state of the protocol ("shutoff", "running", ...)
 *
 * Returns: (transfer none): the state as virsh shows it ("shut off"), or
 *   @state itself when it needs no translation.
 */
const char *qvirt_cli_state_label (const char *state);

/**
 * qvirt_cli_print_domain_table:
 * @domains: (element-type QvirtDomainInfo): the domains, in order
 *
 * Prints the virsh-like table of `list` on stdout: a header, a rule,
 * then one line per domain with its QEMU pid ("-" when shut off), name
 * and state.
 */
void qvirt_cli_print_domain_table (GPtrArray *domains);

/**
 * qvirt_cli_print_domain_info:
 *
 * Prints `info`'s "Field:   value" lines on stdout, as virsh dominfo.
 */
void qvirt_cli_print_domain_info (const QvirtDomainInfo *info);

/**
 * qvirt_cli_print_json:
 * @value: (transfer none): any JSON value
 *
 * Prints @value on stdout, indented, keys in their order, and a newline.
 */
void qvirt_cli_print_json (json_t *value);

/**
 * qvirt_cli_format_event:
 * @json: one JSON object (the protocol's event fields) instead of text
 *
 * Returns: (transfer full): the line `events` prints for @event, without
 *   a newline: `TIME DOMAIN EVENT [DETAIL]` where TIME is ISO 8601 local
 *   time with milliseconds, EVENT a lifecycle event ("stopped") or QEMU's
 *   own (uppercase, "STOP") and DETAIL the lifecycle detail or the QMP
 *   event's data as compact JSON.
 */
char *qvirt_cli_format_event (const QvirtEvent *event, gboolean json);

G_END_DECLS
