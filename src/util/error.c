#include "qvirt/error.h"

#include <string.h>

G_DEFINE_QUARK (qvirt-error-quark, qvirt_error)

/* Indexed by QvirtErrorCode; the protocol's stable spellings. */
static const char *const error_kinds[] = {
  [QVIRT_ERROR_INTERNAL] = "internal",
  [QVIRT_ERROR_NO_DOMAIN] = "no-domain",
  [QVIRT_ERROR_ALREADY_EXISTS] = "already-exists",
  [QVIRT_ERROR_INVALID_XML] = "invalid-xml",
  [QVIRT_ERROR_UNSUPPORTED] = "unsupported",
  [QVIRT_ERROR_INVALID_STATE] = "invalid-state",
  [QVIRT_ERROR_QEMU_FAILED] = "qemu-failed",
  [QVIRT_ERROR_TIMEOUT] = "timeout",
  [QVIRT_ERROR_ACCESS_DENIED] = "access-denied",
  [QVIRT_ERROR_PROTOCOL] = "protocol",
  [QVIRT_ERROR_INVALID_ARGUMENT] = "invalid-argument",
  [QVIRT_ERROR_CLOSED] = "closed",
  [QVIRT_ERROR_BUSY] = "busy",
  [QVIRT_ERROR_NEEDS_OTHER_DRIVER] = "needs-other-driver",
};

const char *
qvirt_error_kind_to_string (QvirtErrorCode code)
{
  if ((guint) code >= G_N_ELEMENTS (error_kinds) || error_kinds[code] == NULL)
    return "internal";
  return error_kinds[code];
}

QvirtErrorCode
qvirt_error_kind_from_string (const char *kind)
{
  for (guint i = 0; kind && i < G_N_ELEMENTS (error_kinds); i++)
    if (error_kinds[i] && strcmp (error_kinds[i], kind) == 0)
      return (QvirtErrorCode) i;
  return QVIRT_ERROR_INTERNAL;
}
