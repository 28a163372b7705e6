/* The client side of the protocol on UNIX stream sockets.
 *
 * One QvirtRpcClient is one connection to a server (qvirtd, an embedding
 * application serving its instance, a qvirt-run shim). Calls are sent as
 * they are made and may be answered in any order; each reply is matched
 * to its call by id. Notifications (events) go to one callback. When the
 * server goes away, every call in flight fails with QVIRT_ERROR_CLOSED and
 * then the closed callback runs, once.
 *
 * Everything runs on the GMainContext that is thread-default when the
 * client is created; the client must be used from that context's thread.
 */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "rpc/dispatcher.h"
#include "rpc/framing.h"

G_BEGIN_DECLS

typedef struct _QvirtRpcClient QvirtRpcClient;

/**
 * QvirtRpcClosedFunc:
 * @reason: why the connection ended (QVIRT_ERROR_CLOSED or
 *   QVIRT_ERROR_PROTOCOL for a server that broke the framing)
 * @user_data: as given to qvirt_rpc_client_connect()
 */
typedef void (*QvirtRpcClosedFunc) (const GError *reason, gpointer user_data);

/**
 * qvirt_rpc_client_connect:
 * @path: the server's socket (any length)
 * @notify: (nullable): receives the server's notifications
 * @closed: (nullable): called once when the server goes away (not when
 *   the client is freed)
 * @user_data: for @notify and @closed
 * @error: return location: QVIRT_ERROR_CLOSED when nothing listens at
 *   @path (the message names it), QVIRT_ERROR_ACCESS_DENIED when its
 *   permissions keep us out
 *
 * Connects; the connect itself does not block on a live server.
 *
 * Returns: (transfer full) (nullable): the client.
 */
QvirtRpcClient *qvirt_rpc_client_connect (const char *path,
                                          QvirtRpcNotifyFunc notify,
                                          QvirtRpcClosedFunc closed,
                                          gpointer user_data,
                                          GError **error);

/**
 * qvirt_rpc_client_call:
 * @method: the method name
 * @params: (nullable) (transfer none): a JSON object, NULL for none
 * @reply: called exactly once on the client's context, with the result
 *   or with the server's error (its error.data.kind mapped back to a
 *   QVIRT_ERROR code); possibly before this function returns when the
 *   connection is already gone; never after qvirt_rpc_client_free()
 *
 * Sends a request without waiting for earlier ones to be answered.
 */
void qvirt_rpc_client_call (QvirtRpcClient *client,
                            const char *method,
                            json_t *params,
                            QvirtRpcReplyFunc reply,
                            gpointer user_data);

/** Returns: whether the server has gone away. */
gboolean qvirt_rpc_client_is_closed (QvirtRpcClient *client);

/**
 * qvirt_rpc_client_drain:
 *
 * Handles at once everything the server has sent so far (replies,
 * notifications, its end), without waiting for more: for when the
 * server's process is known to have exited before the socket was read.
 * Callbacks run from here and may free the client.
 */
void qvirt_rpc_client_drain (QvirtRpcClient *client);

/**
 * qvirt_rpc_client_free:
 *
 * Disconnects. Replies of calls still in flight are dropped: their
 * callbacks never run (the caller answers them itself if it must).
 */
void qvirt_rpc_client_free (QvirtRpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtRpcClient, qvirt_rpc_client_free)

/* ------------------------------------------------------------------ */
/* A dedicated connection that becomes a byte stream                    */

/**
 * qvirt_rpc_upgrade_to_raw:
 * @path: the server's socket (any length)
 * @method: a method that turns the connection into a raw byte stream
 *   once it answers (domain.openConsole)
 * @params: (nullable) (transfer none): its params
 * @timeout_ms: how long to wait for the answer
 * @error: return location: the server's error; QVIRT_ERROR_CLOSED (no
 *   server, it closed the connection, or it accepts no more
 *   connections), QVIRT_ERROR_ACCESS_DENIED, QVIRT_ERROR_TIMEOUT, or
 *   QVIRT_ERROR_PROTOCOL for an answer that is not a reply
 *
 * Opens a new connection dedicated to @method, sends it and blocks until
 * its reply line, reading no byte past it: everything after belongs to
 * the raw stream. Runs qvirt_rpc_upgrade_to_raw_async() on a private
 * context of its own, so nothing else runs in this thread meanwhile: for
 * clients that may block (libqvirt's sync API), never for a server.
 *
 * Returns: the connected socket (the caller owns it), blocking mode,
 *   close-on-exec; -1 on error.
 */
int qvirt_rpc_upgrade_to_raw (const char *path, const char *method, json_t *params,
                              guint timeout_ms, GError **error);

/**
 * QvirtRpcUpgradeFunc:
 * @fd: the upgraded socket (transfer full: the callee closes it),
 *   blocking mode, close-on-exec, positioned right after the reply line
 *   (whatever the server sent next is still to be read); -1 on error
 * @error: (nullable): why there is none, as qvirt_rpc_upgrade_to_raw()'s
 *   @error; NULL on success
 * @user_data: as given to qvirt_rpc_upgrade_to_raw_async()
 */
typedef void (*QvirtRpcUpgradeFunc) (int fd, const GError *error, gpointer user_data);

/* A raw upgrade in flight (see qvirt_rpc_upgrade_to_raw_async()). */
typedef struct _QvirtRpcPendingUpgrade QvirtRpcPendingUpgrade;

/**
 * qvirt_rpc_upgrade_to_raw_async:
 * @path: the server's socket (any length)
 * @method: as for qvirt_rpc_upgrade_to_raw()
 * @params: (nullable) (transfer none): its params
 * @timeout_ms: how long to wait for the answer, from now
 * @context: (nullable): where the I/O and @func run (NULL: the global
 *   default context)
 * @func: called exactly once on @context with the socket or the error,
 *   never before this function returns, unless cancelled first
 * @user_data: for @func
 * @error: return location for what fails at once (then @func never
 *   runs): QVIRT_ERROR_CLOSED when no server listens at @path, its
 *   backlog is full (a server that stopped accepting: stuck) or it is
 *   gone before the request is sent; QVIRT_ERROR_ACCESS_DENIED;
 *   QVIRT_ERROR_INVALID_ARGUMENT for @params that cannot be encoded
 *
 * qvirt_rpc_upgrade_to_raw() without ever blocking: the connect does not
 * wait, the request is sent at once (what the socket does not take yet
 * waits on @context), and the reading of the reply line and the timeout
 * wait on @context.
 *
 * Returns: (transfer none) (nullable): the pending upgrade, valid until
 *   @func has run or qvirt_rpc_pending_upgrade_cancel(); NULL with @error
 *   set.
 */
QvirtRpcPendingUpgrade *qvirt_rpc_upgrade_to_raw_async (const char *path, const char *method,
                                                        json_t *params, guint timeout_ms,
                                                        GMainContext *context,
                                                        QvirtRpcUpgradeFunc func,
                                                        gpointer user_data, GError **error);

/**
 * qvirt_rpc_pending_upgrade_cancel:
 * @pending: (nullable): an upgrade whose callback has not run yet
 *
 * Gives up a pending upgrade for a caller that goes away first: its
 * socket is closed (the server sees the client leave) and its callback
 * never runs. Not from inside that callback, nor after it.
 */
void qvirt_rpc_pending_upgrade_cancel (QvirtRpcPendingUpgrade *pending);

G_END_DECLS
