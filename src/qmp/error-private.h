/* Internal to libqmp. */
#pragma once

#include "qvirt/qmp.h"

/**
 * qmp_error_new_command:
 * @qemu_class: (nullable): QEMU's error class; NULL means "GenericError"
 * @description: (nullable): QEMU's description
 *
 * Returns: (transfer full): a QMP_ERROR_COMMAND error carrying @qemu_class.
 */
GError *qmp_error_new_command (const char *qemu_class, const char *description);
