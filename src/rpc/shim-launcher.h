/* How qvirtd runs its domains: each in a qvirt-run shim of its own.
 *
 * A launch spawns `qvirt-run --register URI --root RUNTIME/vms/NAME
 * --ready-fd 3 -` in a session of its own (no signal of the daemon's
 * reaches it, and it outlives the daemon), writes the definition to its
 * stdin and waits until the shim says its vCPUs run, or exits. The shim
 * registers with the daemon before it starts QEMU (shim-registry.h), so
 * from then on the domain is the shim's: a daemon restart never touches
 * it. The shim's messages go to RUNTIME/vms/NAME/qvirt-run.log.
 *
 * Runs on the driver's context.
 */
#pragma once

#include "rpc/shim-registry.h"

G_BEGIN_DECLS

typedef struct _QvirtShimLauncher QvirtShimLauncher;

/**
 * qvirt_shim_launcher_new:
 * @shim_binary: the qvirt-run executable
 * @register_uri: the URI the shims register with (this server's socket)
 *
 * Returns: (transfer full): a launcher for @driver's root.
 */
QvirtShimLauncher *qvirt_shim_launcher_new (QvirtDriver *driver, const char *shim_binary,
                                            const char *register_uri);

/** Stops reaping the shims it started (they run on, reparented). */
void qvirt_shim_launcher_free (QvirtShimLauncher *launcher);

/**
 * qvirt_shim_launcher_launch_async:
 * @name: the domain's (validated) name
 * @xml: its definition, checked already (qvirt_driver_check_new_domain())
 * @paused: start with the vCPUs stopped
 *
 * Completes once the domain runs, or with the shim's error:
 * QVIRT_ERROR_QEMU_FAILED (QEMU's last words in the message),
 * QVIRT_ERROR_ALREADY_EXISTS, QVIRT_ERROR_INVALID_ARGUMENT (a file it
 * names is missing), or
 * QVIRT_ERROR_INTERNAL.
 */
void qvirt_shim_launcher_launch_async (QvirtShimLauncher *launcher, const char *name,
                                       const char *xml, gboolean paused,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean qvirt_shim_launcher_launch_finish (QvirtShimLauncher *launcher, GAsyncResult *result,
                                            GError **error);

G_END_DECLS
