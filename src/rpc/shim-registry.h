/* Domains that qvirt-run shims run, registered with this server.
 *
 * A shim claims its domain's name and UUID (shim.register) before it
 * starts QEMU; from then on the server lists the domain with its own,
 * marked with its owner, and forwards every call about it to the shim's
 * socket, events included. The shim stays the owner: nothing here
 * touches its QEMU.
 *
 * A claim lasts as long as the shim process lives, not as long as its
 * connection: a shim that lost its connection (the daemon restarted)
 * registers again, and the claim is written under the runtime directory
 * (run/shims/NAME.json) so that a restarted server protects the name
 * until it does. Runs on the driver's context.
 */
#pragma once

#include "rpc/method.h"

G_BEGIN_DECLS

/**
 * qvirt_shim_registry_new:
 *
 * Loads the claims an earlier server left whose shims still run (and
 * forgets the others).
 *
 * Returns: (transfer full): the registry of @driver's root.
 */
QvirtShimRegistry *qvirt_shim_registry_new (QvirtDriver *driver);

/** Forgets the claims in memory only (the files stay for the next
 * server); the driver's reservations go with the driver. */
void qvirt_shim_registry_free (QvirtShimRegistry *registry);

/**
 * qvirt_shim_registry_register:
 * @session: the shim's session: the claim is bound to it until it closes
 * @pid: the shim's process id, in our pid namespace
 * @same_pid_namespace: the shim sees pids as we do (then the QEMU pid it
 *   reports is ours too, and its CPU time can be read here)
 *
 * Claims @name and @uuid for a shim serving its instance on @socket_path.
 * The same shim (same pid) registering again takes its claim back.
 *
 * Returns: TRUE; FALSE with QVIRT_ERROR_ALREADY_EXISTS (a clash, the
 *   message says with whom) or QVIRT_ERROR_INVALID_ARGUMENT.
 */
gboolean qvirt_shim_registry_register (QvirtShimRegistry *registry, QvirtRpcSession *session,
                                       const char *name, const char *uuid,
                                       const char *socket_path, GPid pid,
                                       gboolean same_pid_namespace, GError **error);

/** The session of some shims closed: their claims wait for them again. */
void qvirt_shim_registry_session_closed (QvirtShimRegistry *registry,
                                         QvirtRpcSession *session);

/**
 * qvirt_shim_registry_forward:
 * @call: a validated call of a domain.* method
 *
 * If @call's "name" names (by name or UUID) a domain a shim runs, sends
 * the call to that shim and answers @call with the shim's answer.
 * domain.openConsole is answered once the shim's console is open, and
 * leaves a QvirtRpcUpgrade on the session that joins the caller to it.
 *
 * Returns: TRUE if the call was taken (and will be answered), FALSE if
 *   the domain is not a shim's.
 */
gboolean qvirt_shim_registry_forward (QvirtShimRegistry *registry, QvirtRpcCall *call);

/**
 * qvirt_shim_registry_list_async:
 * @done: called with the array of the shims' domains, each as
 *   domain.info returns it plus "owner": {"kind": "qvirt-run", "pid",
 *   "socket"} (a shim that does not answer is listed with state
 *   "unknown")
 */
void qvirt_shim_registry_list_async (QvirtShimRegistry *registry,
                                     void (*done) (json_t *domains, gpointer user_data),
                                     gpointer user_data);

/**
 * qvirt_shim_registry_sync:
 * @done: called once everything the shim running @name sent before now
 *   (its events) has been handled; at once if no shim runs it
 *
 * A round trip to the shim, so that a reply about its domain comes after
 * the events that led to it (domain.start: "started" first).
 */
void qvirt_shim_registry_sync (QvirtShimRegistry *registry, const char *name,
                               void (*done) (gpointer user_data), gpointer user_data);

/** Returns: how many domains shims run (claims not ended). */
guint qvirt_shim_registry_count (QvirtShimRegistry *registry);

/** Returns: the pid of the shim that runs @name, or 0. */
GPid qvirt_shim_registry_get_pid (QvirtShimRegistry *registry, const char *name);

/**
 * qvirt_shim_registry_destroy:
 * @pid: the shim that must still run it
 *
 * Asks the shim to destroy @name (autodestroy of the session that
 * created it), without waiting.
 */
void qvirt_shim_registry_destroy (QvirtShimRegistry *registry, const char *name, GPid pid);

G_END_DECLS
