/* The client side of the protocol (see client.h).
 *
 * One GSource watches the socket: readable always, writable while output
 * waits. Requests get integer ids from a counter; a table maps each id to
 * the callback of its call. Callbacks may free the client (an application
 * closing its connection from an event handler, say), so the client is
 * reference-counted internally and every loop that runs callbacks checks
 * whether it was freed in the meantime.
 */
#define G_LOG_DOMAIN "qvirt-rpc"

#include "rpc/client.h"

#include <errno.h>
#include <glib-unix.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc/framing.h"
#include "rpc/output-queue.h"
#include "util/json-autoptr.h"
#include "util/unix-socket.h"

#define READ_CHUNK (64 * 1024)

struct _QvirtRpcClient {
  grefcount ref_count;
  gboolean freed;                /* qvirt_rpc_client_free() was called */
  gboolean closed;               /* the server went away */
  int fd;
  GMainContext *context;
  GSource *source;
  gpointer fd_tag;
  GIOCondition events;
  QvirtLineSplitter *input;
  QvirtOutputQueue output;
  gboolean write_failed;         /* the server no longer reads */
  GHashTable *pending;           /* request id (guint) -> PendingReply* */
  guint next_id;
  QvirtRpcNotifyFunc notify;
  QvirtRpcClosedFunc closed_func;
  gpointer user_data;
  char *path;                    /* for messages */
  char read_buffer[READ_CHUNK];
};

typedef struct {
  QvirtRpcReplyFunc reply;
  gpointer user_data;
} PendingReply;

static QvirtRpcClient *
client_ref (QvirtRpcClient *client)
{
  g_ref_count_inc (&client->ref_count);
  return client;
}

static void
client_unref (QvirtRpcClient *client)
{
  if (!g_ref_count_dec (&client->ref_count))
    return;
  g_hash_table_destroy (client->pending);
  qvirt_output_queue_clear (&client->output);
  qvirt_line_splitter_free (client->input);
  g_main_context_unref (client->context);
  g_free (client->path);
  g_free (client);
}

/* ------------------------------------------------------------------ */
/* Going away                                                           */

static void
stop_watching (QvirtRpcClient *client)
{
  if (client->source == NULL)
    return;
  g_source_destroy (client->source);
  g_clear_pointer (&client->source, g_source_unref);
}

/* The server is gone (or broke the protocol): fail what is in flight,
 * then say so once. */
static void
client_lost (QvirtRpcClient *client, GError *reason)
{
  g_autoptr(GError) owned_reason = reason;
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func (g_free);

  if (client->closed)
    return;
  client->closed = TRUE;
  stop_watching (client);

  /* Take the table's entries first: a callback may free the client. */
  g_hash_table_iter_init (&iter, client->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (replies, value);
      g_hash_table_iter_steal (&iter);
    }

  client_ref (client);
  for (guint i = 0; i < replies->len && !client->freed; i++)
    {
      PendingReply *pending = replies->pdata[i];

      pending->reply (NULL, reason, pending->user_data);
    }
  if (!client->freed && client->closed_func)
    client->closed_func (reason, client->user_data);
  client_unref (client);
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

static void
client_update_watch (QvirtRpcClient *client)
{
  GIOCondition events = G_IO_IN | (client->output.size > 0 ? G_IO_OUT : 0);

  if (client->source == NULL || client->events == events)
    return;
  client->events = events;
  g_source_modify_unix_fd (client->source, client->fd_tag, events);
}

static void
client_flush (QvirtRpcClient *client)
{
  int saved_errno;

  if (client->closed)
    return;
  if (!qvirt_output_queue_flush (&client->output, client->fd, &saved_errno))
    {
      /* The server stopped reading (it is exiting, say): what it sent
       * before is still to be read, replies included. The end of input
       * fails whatever is left. */
      g_debug ("%s: cannot write: %s", client->path, g_strerror (saved_errno));
      qvirt_output_queue_clear (&client->output);
      client->write_failed = TRUE;
    }
  client_update_watch (client);
}

/* ------------------------------------------------------------------ */
/* Input                                                                */

static void
client_handle_reply (QvirtRpcClient *client, json_t *message)
{
  json_t *id = json_object_get (message, "id");
  json_t *error_object = json_object_get (message, "error");
  PendingReply *pending = NULL;

  if (json_is_integer (id) &&
      !g_hash_table_steal_extended (client->pending,
                                    GUINT_TO_POINTER ((guint) json_integer_value (id)),
                                    NULL, (gpointer *) &pending))
    pending = NULL;
  if (pending == NULL)
    {
      /* Replies to nothing we sent, e.g. the server's answer to a frame
       * it could not parse: there is no call to fail. */
      if (error_object)
        g_debug ("%s: an error reply to no call: %s", client->path,
                 json_string_value (json_object_get (error_object, "message")));
      return;
    }
  if (json_is_object (error_object))
    {
      g_autoptr(GError) error = qvirt_rpc_reply_to_error (error_object);

      pending->reply (NULL, error, pending->user_data);
    }
  else
    {
      json_t *result = json_object_get (message, "result");
      g_autoptr(json_t) null_result = NULL;

      if (result == NULL)
        result = null_result = json_null ();
      pending->reply (result, NULL, pending->user_data);
    }
  g_free (pending);
}

static void
client_handle_line (QvirtRpcClient *client, const char *line, gsize len)
{
  json_error_t json_error;
  g_autoptr(json_t) message = json_loadb (line, len, 0, &json_error);
  const char *method;

  if (!json_is_object (message))
    {
      client_lost (client, g_error_new (QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                                        "%s sent something that is not a JSON object",
                                        client->path));
      return;
    }
  method = json_string_value (json_object_get (message, "method"));
  if (method != NULL)
    {
      if (client->notify)
        client->notify (method, json_object_get (message, "params"), client->user_data);
      return;
    }
  client_handle_reply (client, message);
}

/* Reads one chunk and handles the lines it completes. Returns FALSE when
 * there was nothing to read, or the connection ended. */
static gboolean
client_read (QvirtRpcClient *client)
{
  gssize n;

  do
    n = recv (client->fd, client->read_buffer, sizeof client->read_buffer, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return FALSE;
  if (n <= 0)
    {
      int saved_errno = n < 0 ? errno : 0;

      client_lost (client, g_error_new (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                                        "the server at %s closed the connection%s%s",
                                        client->path, saved_errno ? ": " : "",
                                        saved_errno ? g_strerror (saved_errno) : ""));
      return FALSE;
    }

  qvirt_line_splitter_feed (client->input, client->read_buffer, (gsize) n);
  while (!client->freed && !client->closed)
    {
      const char *line;
      gsize len;
      QvirtLineResult result = qvirt_line_splitter_next (client->input, &line, &len);

      if (result == QVIRT_LINE_NONE)
        break;
      if (result == QVIRT_LINE_OVERSIZED)
        {
          client_lost (client, g_error_new (QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                                            "%s sent a message over %" G_GSIZE_FORMAT
                                            " bytes", client->path,
                                            (gsize) QVIRT_RPC_MAX_FRAME_DEFAULT));
          break;
        }
      client_handle_line (client, line, len);
    }
  return TRUE;
}

typedef struct {
  GSource source;
  QvirtRpcClient *client;
} ClientSource;

static gboolean
client_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  QvirtRpcClient *client = ((ClientSource *) source)->client;
  GIOCondition revents = g_source_query_unix_fd (source, client->fd_tag);

  client_ref (client);
  if (revents & G_IO_OUT)
    client_flush (client);
  /* Read before acting on HUP: the server's last replies are there. */
  if (!client->freed && !client->closed && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    client_read (client);
  client_unref (client);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs client_source_funcs = {
  .dispatch = client_source_dispatch,
};

/* ------------------------------------------------------------------ */
/* Public                                                               */

static int
connect_socket (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  int fd = qvirt_unix_socket_connect (path, &local);

  if (fd >= 0)
    return fd;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED,
                 "cannot connect to %s: permission denied", path);
  else if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
           g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                 "cannot connect to %s: no server is listening there", path);
  else
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED, "%s", local->message);
  return -1;
}

QvirtRpcClient *
qvirt_rpc_client_connect (const char *path, QvirtRpcNotifyFunc notify,
                          QvirtRpcClosedFunc closed, gpointer user_data, GError **error)
{
  QvirtRpcClient *client;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = connect_socket (path, error);
  if (fd < 0)
    return NULL;
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);

  client = g_new0 (QvirtRpcClient, 1);
  g_ref_count_init (&client->ref_count);
  client->fd = fd;
  client->path = g_strdup (path);
  client->context = g_main_context_ref_thread_default ();
  client->input = qvirt_line_splitter_new (QVIRT_RPC_MAX_FRAME_DEFAULT);
  qvirt_output_queue_init (&client->output);
  client->pending = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  client->next_id = 1;
  client->notify = notify;
  client->closed_func = closed;
  client->user_data = user_data;

  client->source = g_source_new (&client_source_funcs, sizeof (ClientSource));
  ((ClientSource *) client->source)->client = client;
  g_source_set_static_name (client->source, "qvirt-rpc-client");
  /* A reply callback may make a blocking call on this client (libqvirt's
   * *_sync functions iterate the context until their reply is read); that
   * reply comes through this very source, so it must be dispatched again
   * while it is dispatching. The reading is re-entrant: a chunk is in the
   * line splitter before any of its lines is handled. */
  g_source_set_can_recurse (client->source, TRUE);
  client->events = G_IO_IN;
  client->fd_tag = g_source_add_unix_fd (client->source, fd, client->events);
  g_source_attach (client->source, client->context);
  return client;
}

void
qvirt_rpc_client_call (QvirtRpcClient *client, const char *method, json_t *params,
                       QvirtRpcReplyFunc reply, gpointer user_data)
{
  g_autoptr(json_t) request = NULL;
  PendingReply *pending;
  GBytes *line;

  g_return_if_fail (client != NULL && method != NULL && reply != NULL);

  if (client->closed)
    {
      g_autoptr(GError) error = g_error_new (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                                             "%s: the connection to %s is closed",
                                             method, client->path);

      reply (NULL, error, user_data);
      return;
    }

  request = json_pack ("{s:s, s:I, s:s}", "jsonrpc", "2.0",
                       "id", (json_int_t) client->next_id, "method", method);
  if (params != NULL)
    json_object_set (request, "params", params);
  line = qvirt_rpc_encode_line (request);
  if (line == NULL)
    {
      g_autoptr(GError) error = g_error_new (QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                                             "%s: the params cannot be encoded as JSON",
                                             method);

      reply (NULL, error, user_data);
      return;
    }

  pending = g_new0 (PendingReply, 1);
  pending->reply = reply;
  pending->user_data = user_data;
  g_hash_table_insert (client->pending, GUINT_TO_POINTER (client->next_id), pending);
  /* 0 is never an id: ids wrap only after 4 billion calls. */
  if (++client->next_id == 0)
    client->next_id = 1;

  if (client->write_failed)
    g_bytes_unref (line);
  else
    qvirt_output_queue_push (&client->output, line);
  client_flush (client);
}

gboolean
qvirt_rpc_client_is_closed (QvirtRpcClient *client)
{
  return client->closed;
}

void
qvirt_rpc_client_drain (QvirtRpcClient *client)
{
  g_return_if_fail (client != NULL);

  client_ref (client);
  while (!client->freed && !client->closed && client_read (client))
    ;
  client_unref (client);
}

void
qvirt_rpc_client_free (QvirtRpcClient *client)
{
  if (client == NULL)
    return;
  client->freed = TRUE;
  stop_watching (client);
  g_hash_table_remove_all (client->pending);
  if (client->fd >= 0)
    {
      close (client->fd);
      client->fd = -1;
    }
  client_unref (client);
}

/* ------------------------------------------------------------------ */
/* A dedicated connection that becomes a byte stream                    */

/* Waits up to the deadline for @fd to be readable. */
static gboolean
wait_readable (int fd, gint64 deadline_us, GError **error)
{
  for (;;)
    {
      gint64 left_ms = (deadline_us - g_get_monotonic_time ()) / 1000;
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int ready;

      if (left_ms <= 0)
        {
          g_set_error_literal (error, QVIRT_ERROR, QVIRT_ERROR_TIMEOUT,
                               "the server did not answer in time");
          return FALSE;
        }
      ready = poll (&pfd, 1, (int) MIN (left_ms, G_MAXINT));
      if (ready > 0)
        return TRUE;
      if (ready < 0 && errno != EINTR)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED, "poll: %s",
                       g_strerror (errno));
          return FALSE;
        }
    }
}

/* Connects to @path and sends @method as request 1; the socket, or -1. */
static int
upgrade_connect_and_send (const char *path, const char *method, json_t *params,
                          GError **error)
{
  g_autoptr(json_t) request = json_pack ("{s:s, s:i, s:s, s:O}", "jsonrpc", "2.0", "id", 1,
                                         "method", method, "params", params);
  g_autoptr(GBytes) line = qvirt_rpc_encode_line (request);
  gsize size;
  const char *data = g_bytes_get_data (line, &size);
  int fd = connect_socket (path, error);

  if (fd < 0)
    return -1;
  /* One short line into a fresh socket's buffer: it does not block. */
  while (size > 0)
    {
      gssize written = send (fd, data, size, MSG_NOSIGNAL);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                       "cannot send to %s: %s", path, g_strerror (errno));
          close (fd);
          return -1;
        }
      data += written;
      size -= (gsize) written;
    }
  return fd;
}

/* Reads what there is of the reply line, one byte at a time: the raw
 * stream may follow the reply at once, and none of it may be swallowed.
 * Returns 1 when the line is complete, 0 when more is to come (the socket
 * would block), -1 with @error set. */
static int
upgrade_read_reply (int fd, GString *reply_line, const char *path, const char *method,
                    GError **error)
{
  for (;;)
    {
      char c;
      gssize n = recv (fd, &c, 1, MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
      if (n <= 0)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                       "the server at %s closed the connection before answering %s",
                       path, method);
          return -1;
        }
      if (c == '\n')
        return 1;
      if (reply_line->len > 64 * 1024)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                       "the server at %s answered %s with an oversized line", path, method);
          return -1;
        }
      g_string_append_c (reply_line, c);
    }
}

/* TRUE if @reply_line is a successful reply; FALSE with the server's
 * error, or a protocol error. */
static gboolean
upgrade_check_reply (const GString *reply_line, const char *path, const char *method,
                     GError **error)
{
  g_autoptr(json_t) reply = json_loadb (reply_line->str, reply_line->len, 0, NULL);

  if (json_is_object (json_object_get (reply, "error")))
    {
      g_propagate_error (error, qvirt_rpc_reply_to_error (json_object_get (reply, "error")));
      return FALSE;
    }
  if (json_object_get (reply, "result") == NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                   "the server at %s answered %s with something that is not a reply",
                   path, method);
      return FALSE;
    }
  return TRUE;
}

int
qvirt_rpc_upgrade_to_raw (const char *path, const char *method, json_t *params,
                          guint timeout_ms, GError **error)
{
  g_autoptr(GString) reply_line = g_string_new (NULL);
  gint64 deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int fd = upgrade_connect_and_send (path, method, params, error);
  int complete = 0;

  if (fd < 0)
    return -1;
  while (complete == 0)
    {
      if (!wait_readable (fd, deadline_us, error))
        {
          close (fd);
          return -1;
        }
      complete = upgrade_read_reply (fd, reply_line, path, method, error);
    }
  if (complete < 0 || !upgrade_check_reply (reply_line, path, method, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}

struct _QvirtRpcPendingUpgrade {
  int fd;
  char *path;
  char *method;
  GString *reply_line;
  GSource *readable;
  GSource *timeout;
  QvirtRpcUpgradeFunc func;
  gpointer user_data;
};

static void
pending_upgrade_free (QvirtRpcPendingUpgrade *pending)
{
  if (pending->readable != NULL)
    {
      g_source_destroy (pending->readable);
      g_source_unref (pending->readable);
    }
  if (pending->timeout != NULL)
    {
      g_source_destroy (pending->timeout);
      g_source_unref (pending->timeout);
    }
  if (pending->fd >= 0)
    close (pending->fd);
  g_string_free (pending->reply_line, TRUE);
  g_free (pending->path);
  g_free (pending->method);
  g_free (pending);
}

/* Calls back once, with the socket (handed over) or the error. */
static void
pending_upgrade_finish (QvirtRpcPendingUpgrade *pending, GError *error)
{
  int fd = -1;

  if (error == NULL)
    {
      fd = pending->fd;
      pending->fd = -1;
    }
  pending->func (fd, error, pending->user_data);
  g_clear_error (&error);
  pending_upgrade_free (pending);
}

static gboolean
on_upgrade_readable (int fd, GIOCondition condition, gpointer user_data)
{
  QvirtRpcPendingUpgrade *pending = user_data;
  GError *error = NULL;
  int complete = upgrade_read_reply (fd, pending->reply_line, pending->path,
                                     pending->method, &error);

  if (complete == 0)
    return G_SOURCE_CONTINUE;
  if (complete > 0)
    upgrade_check_reply (pending->reply_line, pending->path, pending->method, &error);
  pending_upgrade_finish (pending, error);
  return G_SOURCE_REMOVE;
}

static gboolean
on_upgrade_timeout (gpointer user_data)
{
  QvirtRpcPendingUpgrade *pending = user_data;

  pending_upgrade_finish (pending, g_error_new (QVIRT_ERROR, QVIRT_ERROR_TIMEOUT,
                                                "the server at %s did not answer %s in time",
                                                pending->path, pending->method));
  return G_SOURCE_REMOVE;
}

QvirtRpcPendingUpgrade *
qvirt_rpc_upgrade_to_raw_async (const char *path, const char *method, json_t *params,
                                guint timeout_ms, GMainContext *context,
                                QvirtRpcUpgradeFunc func, gpointer user_data,
                                GError **error)
{
  QvirtRpcPendingUpgrade *pending;
  int fd = upgrade_connect_and_send (path, method, params, error);

  if (fd < 0)
    return NULL;
  pending = g_new0 (QvirtRpcPendingUpgrade, 1);
  pending->fd = fd;
  pending->path = g_strdup (path);
  pending->method = g_strdup (method);
  pending->reply_line = g_string_new (NULL);
  pending->func = func;
  pending->user_data = user_data;
  pending->readable = g_unix_fd_source_new (fd, G_IO_IN);
  g_source_set_callback (pending->readable, G_SOURCE_FUNC (on_upgrade_readable), pending,
                         NULL);
  g_source_attach (pending->readable, context);
  pending->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (pending->timeout, on_upgrade_timeout, pending, NULL);
  g_source_attach (pending->timeout, context);
  return pending;
}

void
qvirt_rpc_pending_upgrade_cancel (QvirtRpcPendingUpgrade *pending)
{
  if (pending != NULL)
    pending_upgrade_free (pending);
}
