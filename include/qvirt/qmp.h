/* libqmp: a client for QEMU's machine protocol (QMP).
 *
 * A QmpClient is one connection to one QEMU monitor. It is bound to the
 * GMainContext that was the thread-default context when it was created:
 * every callback (command completion, events, "closed") is invoked from
 * that context, and the client must only be used from the thread that
 * runs it. Use one client per context; a client is not thread-safe.
 *
 * Commands are asynchronous: any number may be in flight at once, ids are
 * assigned by the library and replies are matched by id. The *_sync
 * variants iterate the client's context until their own reply arrives,
 * so other sources on that context may be dispatched meanwhile; they
 * must be called from the thread that owns the context.
 *
 * JSON values are jansson's json_t. Arguments passed in are borrowed
 * (the library takes its own reference); values returned are new
 * references the caller releases with json_decref().
 *
 * Errors are GErrors in the QMP_ERROR domain, except cancellation, which
 * is G_IO_ERROR_CANCELLED. A command that QEMU answered with an error
 * yields QMP_ERROR_COMMAND whose message is QEMU's description and whose
 * QEMU error class is available from qmp_error_get_class().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

/* jansson has no g_autoptr support of its own. */
#ifndef QVIRT_JSON_AUTOPTR_DEFINED
#define QVIRT_JSON_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)
#endif

#define QMP_ERROR (qmp_error_quark ())
GQuark qmp_error_quark (void);

/**
 * QmpErrorCode:
 * @QMP_ERROR_FAILED: an unexpected failure (I/O error on the socket...).
 * @QMP_ERROR_COMMAND: QEMU answered the command with an error; see
 *   qmp_error_get_class() for its class ("GenericError", ...).
 * @QMP_ERROR_CLOSED: the connection is closed, or closed while the
 *   command was in flight.
 * @QMP_ERROR_PROTOCOL: the peer broke the protocol: no or bad greeting,
 *   invalid JSON, a message over the size limit, an unexpected message.
 *   The connection is closed when this happens.
 * @QMP_ERROR_TIMEOUT: no reply within the command's timeout.
 * @QMP_ERROR_UNKNOWN_COMMAND: the schema says QEMU has no such command
 *   (only from client-side checks; see qmp_client_set_check_commands()).
 * @QMP_ERROR_INVALID_ARGUMENT: the schema says the arguments are wrong;
 *   the message names the argument (client-side checks only).
 */
typedef enum {
  QMP_ERROR_FAILED,
  QMP_ERROR_COMMAND,
  QMP_ERROR_CLOSED,
  QMP_ERROR_PROTOCOL,
  QMP_ERROR_TIMEOUT,
  QMP_ERROR_UNKNOWN_COMMAND,
  QMP_ERROR_INVALID_ARGUMENT,
} QmpErrorCode;

/**
 * qmp_error_get_class:
 * @error: an error
 *
 * Returns: (nullable) (transfer none): the QEMU error class of a
 *   QMP_ERROR_COMMAND error (for example "GenericError",
 *   "CommandNotFound", "DeviceNotFound"), or NULL for any other error.
 *   Valid as long as @error is.
 */
const char *qmp_error_get_class (const GError *error);

/** Default limit on the size of one message from QEMU: 16 MiB. */
#define QMP_DEFAULT_MAX_MESSAGE_SIZE (16u * 1024u * 1024u)

/* ------------------------------------------------------------------------
 * The stream parser. It turns the bytes QEMU sends into JSON objects. It
 * is exposed because it is useful on its own (and fuzzed): QmpClient uses
 * it internally and most users never need it.
 */

typedef struct _QmpStream QmpStream;

/**
 * QmpStreamMessageFunc:
 * @message: (transfer none): one complete JSON object
 * @user_data: as given to qmp_stream_feed()
 *
 * Must not feed or free the stream; return FALSE instead.
 *
 * Returns: TRUE to go on parsing, FALSE to stop at once (the rest of the
 *   fed data stays buffered for the next qmp_stream_feed(); feed
 *   NULL, 0 to go on without new data).
 */
typedef gboolean (*QmpStreamMessageFunc) (json_t *message, gpointer user_data);

/**
 * qmp_stream_new:
 * @max_message_size: the largest message accepted, in bytes (0 for
 *   QMP_DEFAULT_MAX_MESSAGE_SIZE)
 *
 * Returns: (transfer full): a new parser; free with qmp_stream_free().
 */
QmpStream *qmp_stream_new (gsize max_message_size);

void qmp_stream_free (QmpStream *stream);

/**
 * qmp_stream_feed:
 * @stream: a parser
 * @data: (nullable): bytes received (they may split or merge messages
 *   anywhere); NULL when @len is 0
 * @len: length of @data
 * @func: called once per complete message, in order
 * @user_data: passed to @func
 * @error: return location for a QMP_ERROR_PROTOCOL error
 *
 * Appends @data and calls @func for every message it completes. A
 * message is a JSON object; whitespace between messages is skipped.
 * Framing does not depend on newlines. Keys must be unique in an object.
 * A message over the limit fails as soon as its buffered part exceeds
 * the limit, not when it ends.
 *
 * Returns: FALSE with @error set when the stream is invalid (not a JSON
 *   object, invalid JSON, invalid UTF-8, or a message larger than the
 *   limit); the parser is then unusable. TRUE otherwise.
 */
gboolean qmp_stream_feed (QmpStream *stream,
                          const char *data,
                          gsize len,
                          QmpStreamMessageFunc func,
                          gpointer user_data,
                          GError **error);

/**
 * qmp_stream_set_max_message_size:
 * @stream: a parser
 * @max_message_size: the new limit (0 for QMP_DEFAULT_MAX_MESSAGE_SIZE)
 *
 * Changes the limit from now on, for the message in progress too.
 */
void qmp_stream_set_max_message_size (QmpStream *stream, gsize max_message_size);

/**
 * qmp_stream_is_idle:
 * @stream: a parser
 *
 * Returns: TRUE when nothing but whitespace is buffered (so an EOF now
 *   is a clean end of stream, not one in the middle of a message).
 *   FALSE after a callback stopped with more messages buffered, and
 *   after an error.
 */
gboolean qmp_stream_is_idle (QmpStream *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpStream, qmp_stream_free)

/* ------------------------------------------------------------------------
 * The schema: what a QEMU binary's QMP offers (query-qmp-schema).
 */

typedef struct _QmpSchema QmpSchema;

/**
 * qmp_schema_new:
 * @schema_info: (transfer none): the "return" value of query-qmp-schema,
 *   a JSON array of SchemaInfo objects
 * @error: return location for a QMP_ERROR_PROTOCOL error
 *
 * Returns: (transfer full) (nullable): an immutable, reference-counted
 *   schema, or NULL with @error set if @schema_info is malformed.
 */
QmpSchema *qmp_schema_new (json_t *schema_info, GError **error);
QmpSchema *qmp_schema_ref (QmpSchema *schema);
void qmp_schema_unref (QmpSchema *schema);

/** Returns: TRUE if @command is a command of this QEMU. */
gboolean qmp_schema_has_command (QmpSchema *schema, const char *command);

/** Returns: TRUE if @event is an event this QEMU may send. */
gboolean qmp_schema_has_event (QmpSchema *schema, const char *event);

/**
 * qmp_schema_command_has_argument:
 *
 * Returns: TRUE if @command exists and takes a top-level argument named
 *   @argument (for commands whose arguments are a union, the argument
 *   may exist in any branch).
 */
gboolean qmp_schema_command_has_argument (QmpSchema *schema,
                                          const char *command,
                                          const char *argument);

/**
 * qmp_schema_check_command:
 * @schema: a schema
 * @command: a command name
 * @arguments: (nullable): its arguments, a JSON object
 * @error: return location
 *
 * Checks @command and the names and JSON types of its top-level
 * @arguments against the schema: an unknown command
 * (QMP_ERROR_UNKNOWN_COMMAND), an unknown argument, a missing mandatory
 * argument or an argument of the wrong JSON type
 * (QMP_ERROR_INVALID_ARGUMENT, message naming the argument). For a
 * union, the variant its tag argument selects is checked; when the tag
 * names no variant, members of any variant are accepted (QEMU then
 * rejects the tag itself). device_add accepts arguments beyond its
 * schema (device properties, which introspection does not show).
 *
 * Returns: TRUE if the command is acceptable as far as the check goes.
 */
gboolean qmp_schema_check_command (QmpSchema *schema,
                                   const char *command,
                                   json_t *arguments,
                                   GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpSchema, qmp_schema_unref)

/* ------------------------------------------------------------------------
 * The client.
 */

typedef struct _QmpClient QmpClient;

/**
 * QmpClientFlags:
 * @QMP_CLIENT_FLAGS_NONE: no flags
 * @QMP_CLIENT_FLAGS_OOB: enable out-of-band execution if QEMU offers it
 *   (see qmp_client_is_oob_enabled() and QMP_EXECUTE_OOB)
 */
typedef enum {
  QMP_CLIENT_FLAGS_NONE = 0,
  QMP_CLIENT_FLAGS_OOB = 1 << 0,
} QmpClientFlags;

/**
 * QmpExecuteFlags:
 * @QMP_EXECUTE_NONE: no flags
 * @QMP_EXECUTE_OOB: send as "exec-oob" (needs OOB enabled on the client)
 * @QMP_EXECUTE_NO_CHECK: skip the client-side schema check even when
 *   checks are enabled on the client
 */
typedef enum {
  QMP_EXECUTE_NONE = 0,
  QMP_EXECUTE_OOB = 1 << 0,
  QMP_EXECUTE_NO_CHECK = 1 << 1,
} QmpExecuteFlags;

/** Timeout value meaning "use the client's default timeout". */
#define QMP_TIMEOUT_DEFAULT ((gint) -1)
/** Timeout value meaning "wait forever". */
#define QMP_TIMEOUT_NONE ((gint) 0)

/**
 * qmp_client_new_for_fd:
 * @fd: a connected stream socket to a QEMU monitor; ownership passes to
 *   the client in all cases, even on error
 * @flags: connection flags
 * @error: return location
 *
 * Wraps an already-connected socket (one QEMU was handed with
 * `-chardev socket,fd=N,server=on` and the caller connected to, or a
 * socketpair end). The client is bound to the thread-default main
 * context. No data is read yet: call qmp_client_handshake_async() (or
 * _sync) before executing commands.
 *
 * Returns: (transfer full) (nullable): a client, or NULL if @fd is not a
 *   usable socket.
 */
QmpClient *qmp_client_new_for_fd (int fd,
                                  QmpClientFlags flags,
                                  GError **error);

/**
 * qmp_client_connect_sync:
 * @path: path of a UNIX socket QEMU listens on
 * @flags: connection flags
 * @cancellable: (nullable): to give up
 * @error: return location
 *
 * Connects to @path, reads the greeting and negotiates capabilities.
 * Paths longer than sockaddr_un allows are reached through their
 * directory.
 *
 * Returns: (transfer full) (nullable): a ready client bound to the
 *   thread-default main context, or NULL with @error set.
 */
QmpClient *qmp_client_connect_sync (const char *path,
                                    QmpClientFlags flags,
                                    GCancellable *cancellable,
                                    GError **error);

/**
 * qmp_client_handshake_async:
 * @client: a client from qmp_client_new_for_fd()
 * @cancellable: (nullable): to give up
 * @callback: called in the client's context when done
 * @user_data: passed to @callback
 *
 * Waits for QEMU's greeting and negotiates capabilities
 * (`qmp_capabilities`, with `oob` when asked for and offered). Subject to
 * the client's default timeout, or 30 seconds when it has none, so a peer
 * that never greets cannot hang the caller. Commands may be executed as
 * soon as the handshake has started: those issued before the greeting
 * are held and sent right after `qmp_capabilities` (out-of-band ones
 * need the completed handshake). Before the handshake starts, commands
 * fail with QMP_ERROR_FAILED.
 */
void qmp_client_handshake_async (QmpClient *client,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);

/** Returns: TRUE if the handshake succeeded; FALSE with @error set. */
gboolean qmp_client_handshake_finish (QmpClient *client,
                                      GAsyncResult *result,
                                      GError **error);

/** Runs qmp_client_handshake_async() and waits for it. */
gboolean qmp_client_handshake_sync (QmpClient *client,
                                    GCancellable *cancellable,
                                    GError **error);

QmpClient *qmp_client_ref (QmpClient *client);

/**
 * qmp_client_unref:
 *
 * Drops a reference. The last one closes the connection (pending
 * commands complete with QMP_ERROR_CLOSED first).
 */
void qmp_client_unref (QmpClient *client);

/**
 * qmp_client_close:
 * @client: a client
 *
 * Closes the connection now. Every pending command completes with
 * QMP_ERROR_CLOSED and the closed handler runs (once, ever). Idempotent.
 */
void qmp_client_close (QmpClient *client);

/** Returns: TRUE until the connection is closed (by either side). */
gboolean qmp_client_is_connected (QmpClient *client);

/**
 * qmp_client_get_version:
 * @client: a client whose handshake completed
 * @major: (out) (optional), @minor: (out) (optional),
 * @micro: (out) (optional): QEMU's version from the greeting
 *
 * Returns: (transfer none) (nullable): the "package" string of the
 *   greeting (for example " (Debian 1:7.2+dfsg-7)"), or NULL before the
 *   greeting arrived.
 */
const char *qmp_client_get_version (QmpClient *client,
                                    int *major,
                                    int *minor,
                                    int *micro);

/** Returns: TRUE if the greeting advertised @capability (e.g. "oob"). */
gboolean qmp_client_has_capability (QmpClient *client, const char *capability);

/** Returns: TRUE if OOB was negotiated on this connection. */
gboolean qmp_client_is_oob_enabled (QmpClient *client);

/**
 * qmp_client_set_default_timeout:
 * @client: a client
 * @timeout_ms: milliseconds, or QMP_TIMEOUT_NONE (the initial value)
 *
 * The timeout of commands executed with QMP_TIMEOUT_DEFAULT and of the
 * handshake. A command that times out completes with QMP_ERROR_TIMEOUT;
 * its late reply, if any, is discarded.
 */
void qmp_client_set_default_timeout (QmpClient *client, gint timeout_ms);

/**
 * qmp_client_set_max_message_size:
 *
 * The largest message accepted from QEMU (default
 * QMP_DEFAULT_MAX_MESSAGE_SIZE). A larger one is a protocol error that
 * closes the connection. Takes effect at once, for a message being
 * received too.
 */
void qmp_client_set_max_message_size (QmpClient *client, gsize max_size);

/**
 * qmp_client_execute_full_async:
 * @client: a connected client
 * @command: the command name
 * @arguments: (nullable) (transfer none): a JSON object of arguments
 * @fds: (array length=n_fds) (nullable): file descriptors to send with
 *   the command over SCM_RIGHTS (for `getfd`, `add-fd`); they stay owned
 *   by the caller, the library dups them until sent
 * @n_fds: number of @fds
 * @flags: execution flags
 * @timeout_ms: QMP_TIMEOUT_DEFAULT, QMP_TIMEOUT_NONE or milliseconds
 * @cancellable: (nullable): cancelling completes the call with
 *   G_IO_ERROR_CANCELLED at once; QEMU may still run the command, and
 *   its reply is discarded
 * @callback: called in the client's context with the result
 * @user_data: passed to @callback
 *
 * Sends a command. Completion order follows QEMU's reply order, not the
 * order of calls.
 */
void qmp_client_execute_full_async (QmpClient *client,
                                    const char *command,
                                    json_t *arguments,
                                    const int *fds,
                                    guint n_fds,
                                    QmpExecuteFlags flags,
                                    gint timeout_ms,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);

/** qmp_client_execute_full_async() with no fds, no flags, default timeout. */
void qmp_client_execute_async (QmpClient *client,
                               const char *command,
                               json_t *arguments,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);

/**
 * qmp_client_execute_finish:
 *
 * Returns: (transfer full) (nullable): the command's "return" value
 *   (often an empty object), or NULL with @error set.
 */
json_t *qmp_client_execute_finish (QmpClient *client,
                                   GAsyncResult *result,
                                   GError **error);

/** Runs qmp_client_execute_async() and waits for its reply. */
json_t *qmp_client_execute_sync (QmpClient *client,
                                 const char *command,
                                 json_t *arguments,
                                 GCancellable *cancellable,
                                 GError **error);

/** Runs qmp_client_execute_full_async() and waits for its reply. */
json_t *qmp_client_execute_full_sync (QmpClient *client,
                                      const char *command,
                                      json_t *arguments,
                                      const int *fds,
                                      guint n_fds,
                                      QmpExecuteFlags flags,
                                      gint timeout_ms,
                                      GCancellable *cancellable,
                                      GError **error);

/**
 * qmp_client_execute_raw_async:
 * @client: a connected client
 * @json_text: one JSON object in QMP's command syntax ({"execute": ...}
 *   or {"exec-oob": ...}); an "id" of the caller's is kept in the reply
 * @timeout_ms: QMP_TIMEOUT_DEFAULT, QMP_TIMEOUT_NONE or milliseconds
 * @cancellable: (nullable): as for qmp_client_execute_full_async()
 * @callback: called in the client's context
 * @user_data: passed to @callback
 *
 * Passthrough: sends a caller-written command and hands back QEMU's
 * reply text unchanged but for the id. A QMP error reply is a successful
 * call here (the text holds the "error" member). @json_text that is not
 * a JSON object with "execute" or "exec-oob" fails with
 * QMP_ERROR_INVALID_ARGUMENT before anything is sent.
 */
void qmp_client_execute_raw_async (QmpClient *client,
                                   const char *json_text,
                                   gint timeout_ms,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);

/**
 * qmp_client_execute_raw_finish:
 *
 * Returns: (transfer full) (nullable): the reply as compact JSON text
 *   (free with g_free()), or NULL with @error set on transport failure.
 */
char *qmp_client_execute_raw_finish (QmpClient *client,
                                     GAsyncResult *result,
                                     GError **error);

/** Runs qmp_client_execute_raw_async() and waits for the reply. */
char *qmp_client_execute_raw_sync (QmpClient *client,
                                   const char *json_text,
                                   gint timeout_ms,
                                   GCancellable *cancellable,
                                   GError **error);

/**
 * QmpEventFunc:
 * @client: the client
 * @name: the event name ("STOP", "SHUTDOWN", ...)
 * @data: (transfer none): the event's "data" object (an empty object if
 *   the event has none)
 * @timestamp_us: QEMU's timestamp in microseconds since the epoch
 * @user_data: as given to qmp_client_subscribe()
 */
typedef void (*QmpEventFunc) (QmpClient *client,
                              const char *name,
                              json_t *data,
                              gint64 timestamp_us,
                              gpointer user_data);

/**
 * qmp_client_subscribe:
 * @client: a client
 * @event: (nullable): an event name, or NULL for every event
 * @func: called from the client's context for each matching event, in
 *   arrival order
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data on unsubscribe or on the last
 *   unref
 *
 * Returns: a subscription id (never 0) for qmp_client_unsubscribe().
 */
guint qmp_client_subscribe (QmpClient *client,
                            const char *event,
                            QmpEventFunc func,
                            gpointer user_data,
                            GDestroyNotify destroy);

/** Removes a subscription; safe to call from inside its own callback. */
void qmp_client_unsubscribe (QmpClient *client, guint subscription_id);

/**
 * QmpClosedFunc:
 * @client: the client
 * @reason: (transfer none): why: QMP_ERROR_CLOSED for an orderly EOF or
 *   qmp_client_close(), QMP_ERROR_TIMEOUT for a handshake that timed out,
 *   QMP_ERROR_PROTOCOL or QMP_ERROR_FAILED otherwise
 * @user_data: as given to qmp_client_set_closed_handler()
 */
typedef void (*QmpClosedFunc) (QmpClient *client,
                               const GError *reason,
                               gpointer user_data);

/**
 * qmp_client_set_closed_handler:
 *
 * Sets the function called once, from the client's context, when the
 * connection closes for any reason (after pending commands failed).
 * Replaces a previous handler (whose @destroy runs).
 */
void qmp_client_set_closed_handler (QmpClient *client,
                                    QmpClosedFunc func,
                                    gpointer user_data,
                                    GDestroyNotify destroy);

/**
 * qmp_client_get_schema_async:
 *
 * Fetches `query-qmp-schema` the first time and caches it; later calls
 * complete at once with the cached schema.
 */
void qmp_client_get_schema_async (QmpClient *client,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);

/** Returns: (transfer full) (nullable): the schema, or NULL with @error. */
QmpSchema *qmp_client_get_schema_finish (QmpClient *client,
                                         GAsyncResult *result,
                                         GError **error);

/** Runs qmp_client_get_schema_async() and waits for it. */
QmpSchema *qmp_client_get_schema_sync (QmpClient *client,
                                       GCancellable *cancellable,
                                       GError **error);

/**
 * qmp_client_set_check_commands:
 *
 * When enabled, every command (but raw ones and those with
 * QMP_EXECUTE_NO_CHECK) is checked against the schema with
 * qmp_schema_check_command() before it is sent; the schema is fetched on
 * first use. A failed check completes the call with that error and sends
 * nothing. Off by default.
 */
void qmp_client_set_check_commands (QmpClient *client, gboolean check);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpClient, qmp_client_unref)

G_END_DECLS
