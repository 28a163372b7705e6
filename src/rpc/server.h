/* The protocol on UNIX stream sockets: JSON-RPC 2.0, one object per line
 * (docs/protocol.md).
 *
 * A server listens on any number of sockets, each read-write or
 * read-only. Every accepted client gets its own dispatcher session
 * (read-only on a read-only socket) and non-blocking I/O on the
 * GMainContext that was thread-default when the server was created,
 * which must be the driver's: requests are started in the order they are
 * read, replies are written as each call finishes (so they may come out
 * of order), and event notifications as they happen.
 *
 * Nothing a client does can block the server: output waiting for a
 * client is queued up to a bound, and a client that lets it grow past
 * that (it does not read) is disconnected, as is one that breaks the
 * framing beyond repair. A client that disconnects has its session
 * closed: its subscriptions end, its autodestroy domains are destroyed,
 * and replies of its calls still running are dropped.
 */
#pragma once

#include <gio/gio.h>

#include "rpc/dispatcher.h"

G_BEGIN_DECLS

typedef struct _QvirtRpcServer QvirtRpcServer;

/* Output that may wait for one client, by default, before it is
 * disconnected (one message more is always accepted, however large). */
#define QVIRT_RPC_SERVER_MAX_OUTPUT_DEFAULT ((gsize) 16 * 1024 * 1024)

/**
 * qvirt_rpc_server_new:
 * @dispatcher: the method table; must outlive the server
 * @error: return location
 *
 * Returns: (transfer full) (nullable): a server that listens nowhere yet.
 */
QvirtRpcServer *qvirt_rpc_server_new (QvirtDispatcher *dispatcher, GError **error);

/**
 * qvirt_rpc_server_listen:
 * @path: where to create the socket (any length; an existing socket file
 *   there is replaced)
 * @mode: the socket file's permissions, e.g. 0600
 * @read_only: clients of this socket get read-only sessions
 * @error: return location (G_IO_ERROR)
 *
 * Starts accepting clients on a new socket. The socket file is removed
 * by qvirt_rpc_server_free().
 *
 * Returns: TRUE on success.
 */
gboolean qvirt_rpc_server_listen (QvirtRpcServer *server, const char *path, guint mode,
                                  gboolean read_only, GError **error);

/**
 * qvirt_rpc_server_listen_fd:
 * @fd: a listening UNIX stream socket (e.g. from systemd socket
 *   activation); the server takes it over and closes it when freed (the
 *   socket file, which it did not create, is left alone)
 * @read_only: clients of this socket get read-only sessions
 * @error: return location (G_IO_ERROR_INVALID_ARGUMENT if @fd is not a
 *   listening stream socket; @fd is closed then too)
 *
 * Returns: TRUE on success.
 */
gboolean qvirt_rpc_server_listen_fd (QvirtRpcServer *server, int fd, gboolean read_only,
                                     GError **error);

/**
 * qvirt_rpc_server_set_limits:
 * @max_frame: the longest request line accepted, bytes; 0 for the
 *   default (QVIRT_RPC_MAX_FRAME_DEFAULT)
 * @max_output: how much output may wait for one client: a client with
 *   more than this waiting when another message is due is disconnected;
 *   0 for the default (QVIRT_RPC_SERVER_MAX_OUTPUT_DEFAULT)
 *
 * Applies to clients accepted afterwards.
 */
void qvirt_rpc_server_set_limits (QvirtRpcServer *server, gsize max_frame, gsize max_output);

/** Returns: how many clients are connected. */
guint qvirt_rpc_server_get_n_clients (QvirtRpcServer *server);

/**
 * qvirt_rpc_server_free:
 *
 * Disconnects every client (closing its session), stops listening and
 * removes the socket files the server created.
 */
void qvirt_rpc_server_free (QvirtRpcServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtRpcServer, qvirt_rpc_server_free)

G_END_DECLS
