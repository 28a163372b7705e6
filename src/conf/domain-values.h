/* Syntax of the values found in domain XML: names, UUIDs, MAC addresses,
 * sizes with units, CPU sets, numbers.
 *
 * Each checker returns FALSE and points *reason at a static English
 * phrase ("a name cannot contain '/'") that callers append to a message
 * naming the element and line. @reason may be NULL.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest domain name accepted (libvirt has no limit; 64 keeps the
 * names usable in socket paths and QEMU's -name). */
#define DOMAIN_NAME_MAX_LENGTH 64

/**
 * domain_name_is_valid:
 * Returns: TRUE when @name is 1-64 characters of letters, digits and
 *   '_', '.', '+', '-' and does not start with '.'.
 */
gboolean domain_name_is_valid (const char *name, const char **reason);

/**
 * domain_uuid_normalize:
 * @str: a UUID: 32 hex digits, with or without the dashes of the
 *   8-4-4-4-12 form, in any case
 *
 * Returns: (transfer full) (nullable): the canonical lowercase dashed
 *   form, or NULL when @str is not a UUID.
 */
char *domain_uuid_normalize (const char *str);

/**
 * domain_mac_normalize:
 * @str: a MAC address "xx:xx:xx:xx:xx:xx" (hex, any case)
 * @out: (out) (transfer full): the lowercase form
 *
 * Returns: FALSE when @str is not a MAC address or is a multicast one.
 */
gboolean domain_mac_normalize (const char *str, char **out,
                               const char **reason);

/**
 * domain_size_to_kib:
 * @number: a decimal integer
 * @unit: (nullable): libvirt's units: NULL (KiB), "b"/"bytes", "k"/"KiB",
 *   "KB" (1000), "M"/"MiB", "MB", "G"/"GiB", "GB", "T"/"TiB", "TB",
 *   "P"/"PiB", "PB", "E"/"EiB", "EB"; the letter is case-insensitive
 * @kib: (out): the size in KiB, rounded up; at most G_MAXUINT64 / 1024 so
 *   that the size in bytes fits 64 bits
 */
gboolean domain_size_to_kib (const char *number, const char *unit,
                             guint64 *kib, const char **reason);

/**
 * domain_uint_parse:
 * @str: decimal digits, or hex digits after "0x"
 * @max: the largest value accepted
 * @value: (out): the value
 *
 * Returns: FALSE for anything else (signs, spaces, empty) or a value
 *   over @max.
 */
gboolean domain_uint_parse (const char *str, guint64 max, guint64 *value);

/** The largest host CPU number a cpuset may name. */
#define DOMAIN_CPUSET_MAX_CPU 8191

/**
 * domain_cpuset_parse:
 * @cpuset: a libvirt CPU list: comma-separated "N", "N-M" and "^N"
 *   (exclude N) items, e.g. "0-3,^2,8"
 * @cpus: (out) (optional) (transfer full): the selected CPU numbers,
 *   ascending, as a GArray of guint
 *
 * Returns: FALSE when the syntax is wrong, a number is over
 *   DOMAIN_CPUSET_MAX_CPU or no CPU is left.
 */
gboolean domain_cpuset_parse (const char *cpuset, GArray **cpus,
                              const char **reason);

/**
 * domain_ifname_is_valid:
 * Returns: TRUE when @name can be a Linux network interface name (1-15
 *   bytes, no '/', no whitespace, not "." or "..").
 */
gboolean domain_ifname_is_valid (const char *name, const char **reason);

G_END_DECLS
