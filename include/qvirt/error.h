/* The qvirt error domain: one set of stable codes for the driver, the
 * protocol and the public API.
 *
 * Codes never change meaning; new ones may be added. Over the protocol
 * each code travels as a string "kind" (error.data.kind), see
 * qvirt_error_kind_to_string().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define QVIRT_ERROR (qvirt_error_quark ())
GQuark qvirt_error_quark (void);

/**
 * QvirtErrorCode:
 * @QVIRT_ERROR_INTERNAL: a bug or an unexpected system failure ("internal")
 * @QVIRT_ERROR_NO_DOMAIN: no domain by that name or UUID ("no-domain")
 * @QVIRT_ERROR_ALREADY_EXISTS: a domain with that name or UUID exists
 *   ("already-exists")
 * @QVIRT_ERROR_INVALID_XML: malformed domain XML or a bad value in it
 *   ("invalid-xml")
 * @QVIRT_ERROR_UNSUPPORTED: valid but outside what qvirt supports
 *   ("unsupported")
 * @QVIRT_ERROR_INVALID_STATE: the operation is invalid in the domain's
 *   current state, e.g. starting a running domain ("invalid-state")
 * @QVIRT_ERROR_QEMU_FAILED: QEMU failed; the message ends with the tail
 *   of the domain's log ("qemu-failed")
 * @QVIRT_ERROR_TIMEOUT: an operation did not finish in time ("timeout")
 * @QVIRT_ERROR_ACCESS_DENIED: not allowed on this connection, e.g. a
 *   change on a read-only connection ("access-denied")
 * @QVIRT_ERROR_PROTOCOL: a malformed request or reply ("protocol")
 * @QVIRT_ERROR_INVALID_ARGUMENT: a bad parameter; the message names it
 *   ("invalid-argument")
 * @QVIRT_ERROR_CLOSED: the connection or driver is closed ("closed")
 * @QVIRT_ERROR_BUSY: the resource is held by someone else, e.g. a root
 *   locked by another process ("busy")
 * @QVIRT_ERROR_NEEDS_OTHER_DRIVER: the definition needs a driver qvirt
 *   does not have (a libvirt network, a storage volume)
 *   ("needs-other-driver")
 */
typedef enum {
  QVIRT_ERROR_INTERNAL,
  QVIRT_ERROR_NO_DOMAIN,
  QVIRT_ERROR_ALREADY_EXISTS,
  QVIRT_ERROR_INVALID_XML,
  QVIRT_ERROR_UNSUPPORTED,
  QVIRT_ERROR_INVALID_STATE,
  QVIRT_ERROR_QEMU_FAILED,
  QVIRT_ERROR_TIMEOUT,
  QVIRT_ERROR_ACCESS_DENIED,
  QVIRT_ERROR_PROTOCOL,
  QVIRT_ERROR_INVALID_ARGUMENT,
  QVIRT_ERROR_CLOSED,
  QVIRT_ERROR_BUSY,
  QVIRT_ERROR_NEEDS_OTHER_DRIVER,
} QvirtErrorCode;

/**
 * qvirt_error_kind_to_string:
 * Returns: (transfer none): the protocol spelling of @code ("no-domain"),
 *   "internal" for an unknown code.
 */
const char *qvirt_error_kind_to_string (QvirtErrorCode code);

/**
 * qvirt_error_kind_from_string:
 * Returns: the code spelled @kind, QVIRT_ERROR_INTERNAL if unknown.
 */
QvirtErrorCode qvirt_error_kind_from_string (const char *kind);

G_END_DECLS
