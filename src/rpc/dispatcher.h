/* The one method table.
 *
 * Every operation (domain.define, domain.start, ...) is implemented once,
 * as a handler that takes JSON params and answers with a JSON result or
 * an error with a stable kind. Transports only move messages: the
 * in-process connection of libqvirt calls a session directly, a socket
 * connection reaches the same table through its own session. So embed
 * and remote behave the same.
 *
 * A session is one client's view: whether it may change anything
 * (read-only sessions get QVIRT_ERROR_ACCESS_DENIED for every method
 * that changes something) and its event subscriptions, delivered as
 * notifications. Everything runs on the driver's context.
 */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "qemu/driver.h"

G_BEGIN_DECLS

/* The protocol version spoken by server.hello; compatible changes (new
 * methods, new optional fields) keep it. */
#define QVIRT_PROTOCOL_VERSION 1

typedef struct _QvirtDispatcher QvirtDispatcher;
typedef struct _QvirtRpcSession QvirtRpcSession;

/**
 * QvirtRpcReplyFunc:
 * @result: (nullable) (transfer none): the result on success
 * @error: (nullable): the error (QVIRT_ERROR domain) on failure
 * @user_data: as given
 */
typedef void (*QvirtRpcReplyFunc) (json_t *result, const GError *error, gpointer user_data);

/**
 * QvirtRpcNotifyFunc:
 * @method: the notification's method, "event"
 * @params: (transfer none): its params
 */
typedef void (*QvirtRpcNotifyFunc) (const char *method, json_t *params, gpointer user_data);

/** The table serves @driver, which must outlive the dispatcher. */
QvirtDispatcher *qvirt_dispatcher_new (QvirtDriver *driver);
void qvirt_dispatcher_free (QvirtDispatcher *dispatcher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtDispatcher, qvirt_dispatcher_free)

QvirtDriver *qvirt_dispatcher_get_driver (QvirtDispatcher *dispatcher);

/**
 * qvirt_dispatcher_launch_with_shims:
 * @shim_binary: the qvirt-run executable
 * @register_uri: where the shims register (the server's own socket)
 *
 * domain.start and domain.create run each domain in a qvirt-run shim of
 * its own instead of in the driver (qvirtd; see rpc/shim-launcher.h).
 */
/** Returns: how many domains qvirt-run shims registered here run. */
guint qvirt_dispatcher_count_shim_domains (QvirtDispatcher *dispatcher);

void qvirt_dispatcher_launch_with_shims (QvirtDispatcher *dispatcher, const char *shim_binary,
                                         const char *register_uri);

/**
 * qvirt_dispatcher_list_methods:
 *
 * Returns: (transfer full): what server.methods answers: an array of
 *   {name, read-only, params: [{name, type, required}]}.
 */
json_t *qvirt_dispatcher_list_methods (QvirtDispatcher *dispatcher);

/**
 * qvirt_rpc_session_new:
 * @dispatcher: the table
 * @read_only: refuse every method that changes something
 * @notify: (nullable): receives event notifications
 * @user_data: for @notify
 *
 * Returns: (transfer full): a session; end it with qvirt_rpc_session_close().
 */
QvirtRpcSession *qvirt_rpc_session_new (QvirtDispatcher *dispatcher,
                                        gboolean read_only,
                                        QvirtRpcNotifyFunc notify,
                                        gpointer user_data);

/**
 * qvirt_rpc_session_call:
 * @session: a session
 * @method: the method name
 * @params: (nullable) (transfer none): a JSON object, NULL for none
 * @reply: called exactly once from the driver's context, possibly before
 *   this function returns, unless the session is closed first (then
 *   never)
 * @user_data: for @reply
 *
 * Validates the params against the method's declaration (errors name the
 * field: QVIRT_ERROR_INVALID_ARGUMENT) and runs the handler. Unknown
 * methods fail with QVIRT_ERROR_PROTOCOL.
 */
void qvirt_rpc_session_call (QvirtRpcSession *session,
                             const char *method,
                             json_t *params,
                             QvirtRpcReplyFunc reply,
                             gpointer user_data);

/**
 * QvirtRpcUpgrade:
 * @attach: takes over the connection's descriptor (it owns @fd from then
 *   on, also on error); returns FALSE with @error when it cannot
 * @data: for @attach, freed with @destroy
 *
 * What a method that turns its connection into a raw byte stream
 * (domain.openConsole) leaves for the transport. The transport checks for
 * one after each successful reply (qvirt_rpc_session_take_upgrade()); when
 * there is one it writes that reply, stops reading requests, and hands
 * its descriptor to @attach. A transport without a descriptor of its own
 * (libqvirt's in-process one) hands over one end of a socketpair.
 */
typedef struct {
  gboolean (*attach) (gpointer data, int fd, GError **error);
  gpointer data;
  GDestroyNotify destroy;
} QvirtRpcUpgrade;

/** Returns: (transfer full): an upgrade of those three fields. */
QvirtRpcUpgrade *qvirt_rpc_upgrade_new (gboolean (*attach) (gpointer data, int fd,
                                                           GError **error),
                                        gpointer data, GDestroyNotify destroy);
void qvirt_rpc_upgrade_free (QvirtRpcUpgrade *upgrade);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtRpcUpgrade, qvirt_rpc_upgrade_free)

/**
 * qvirt_rpc_upgrade_run:
 * @fd: the connection's descriptor; owned by the upgrade from now on
 *
 * Runs and frees @upgrade.
 */
gboolean qvirt_rpc_upgrade_run (QvirtRpcUpgrade *upgrade, int fd, GError **error);

/**
 * qvirt_rpc_session_take_upgrade:
 *
 * Returns: (transfer full) (nullable): the upgrade the last successful
 *   call asked for, or NULL.
 */
QvirtRpcUpgrade *qvirt_rpc_session_take_upgrade (QvirtRpcSession *session);

/**
 * qvirt_rpc_session_set_peer_pid:
 * @pid: the client's process as the kernel reports it (SO_PEERCRED), in
 *   the server's pid namespace; 0 if unknown
 *
 * Methods that name the caller's process (shim.register) take this one
 * rather than what the caller says: a process in another pid namespace
 * knows itself by another number.
 */
void qvirt_rpc_session_set_peer_pid (QvirtRpcSession *session, GPid pid);

/**
 * qvirt_rpc_session_set_read_only:
 *
 * Makes the session read-only from now on (server.hello's "read-only"
 * param); a read-only session never becomes read-write again.
 */
void qvirt_rpc_session_set_read_only (QvirtRpcSession *session);

/**
 * qvirt_rpc_session_close:
 *
 * Ends the session: drops its event subscriptions, destroys the domains
 * it started with autodestroy, and discards replies of calls still in
 * flight. Frees the session.
 */
void qvirt_rpc_session_close (QvirtRpcSession *session);

G_END_DECLS
