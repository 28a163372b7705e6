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
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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
client_lost (QvirtRpcClient *client, GError *lost_reason)
{
  g_autoptr(GError) reason = lost_reason;   /* ours to free */
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

/* Why a connect to @path failed (@cause: G_IO_ERROR), in QVIRT_ERROR
 * terms. */
static void
set_connect_error (const char *path, const GError *cause, GError **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED,
                 "cannot connect to %s: permission denied", path);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                 "cannot connect to %s: no server is listening there", path);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                 "cannot connect to %s: the server there accepts no more connections "
                 "(it is stuck)", path);
  else
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED, "%s", cause->message);
}

static int
connect_socket (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  int fd = qvirt_unix_socket_connect (path, &local);

  if (fd < 0)
    set_connect_error (path, local, error);
  return fd;
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

/* The reply to an upgrade is one short object; a longer line is not one. */
#define UPGRADE_REPLY_MAX (64 * 1024)

struct _QvirtRpcPendingUpgrade {
  int fd;                        /* -1 once handed over */
  char *path;                    /* for messages */
  char *method;
  guint timeout_ms;
  GBytes *request_line;
  gsize sent;                    /* how much of request_line is out */
  GString *reply_line;           /* what came of the reply, without '\n' */
  GSource *socket_source;        /* the socket: writable, then readable */
  gpointer fd_tag;
  GSource *timeout_source;
  QvirtRpcUpgradeFunc func;
  gpointer user_data;
};

/* Connects without ever waiting. A UNIX stream connect completes at once,
 * except when the server's backlog is full (a server that stopped
 * accepting: stuck, or SIGSTOPped): a blocking connect would then wait
 * for as long as the server does, a non-blocking one fails with EAGAIN
 * (G_IO_ERROR_WOULD_BLOCK). A path too long for sun_path is reached
 * through its directory, as util/unix-socket.c does for blocking
 * connects. */
static int
connect_socket_nonblocking (const char *path, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *via_dir = NULL;
  g_autoptr(GError) local = NULL;
  const char *target = path;
  int dir_fd = -1;
  int saved_errno = 0;
  int fd = -1;

  if (strlen (path) >= sizeof address.sun_path)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *base = g_path_get_basename (path);

      dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd < 0)
        saved_errno = errno;
      via_dir = g_strdup_printf ("/proc/self/fd/%d/%s", dir_fd, base);
      target = via_dir;
    }
  if (saved_errno == 0 && strlen (target) >= sizeof address.sun_path)
    saved_errno = ENAMETOOLONG;
  if (saved_errno == 0)
    {
      strcpy (address.sun_path, target);
      fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
        saved_errno = errno;
    }
  if (dir_fd >= 0)
    close (dir_fd);
  if (saved_errno == 0)
    return fd;

  if (fd >= 0)
    close (fd);
  local = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot connect to %s: %s", path, g_strerror (saved_errno));
  set_connect_error (path, local, error);
  return -1;
}

/* Whether the reply line of a raw upgrade is a success; otherwise @error
 * is the server's error, or a protocol one for something else. */
static gboolean
upgrade_check_reply (const GString *reply_line, const char *path, const char *method,
                     GError **error)
{
  g_autoptr(json_t) reply = json_loadb (reply_line->str, reply_line->len, 0, NULL);
  json_t *error_object = json_object_get (reply, "error");

  if (json_is_object (error_object))
    {
      g_propagate_error (error, qvirt_rpc_reply_to_error (error_object));
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

static void
pending_upgrade_free (QvirtRpcPendingUpgrade *pending)
{
  if (pending->socket_source != NULL)
    {
      g_source_destroy (pending->socket_source);
      g_source_unref (pending->socket_source);
    }
  if (pending->timeout_source != NULL)
    {
      g_source_destroy (pending->timeout_source);
      g_source_unref (pending->timeout_source);
    }
  if (pending->fd >= 0)
    close (pending->fd);
  g_bytes_unref (pending->request_line);
  g_string_free (pending->reply_line, TRUE);
  g_free (pending->path);
  g_free (pending->method);
  g_free (pending);
}

/* Calls back once, with @error (transfer full) or, when it is NULL, the
 * socket (handed over); then frees. */
static void
pending_upgrade_finish (QvirtRpcPendingUpgrade *pending, GError *error)
{
  int fd = -1;

  if (error == NULL)
    {
      fd = g_steal_fd (&pending->fd);
      g_unix_set_fd_nonblocking (fd, FALSE, NULL);
    }
  pending->func (fd, error, pending->user_data);
  g_clear_error (&error);
  pending_upgrade_free (pending);
}

/* Sends what the socket takes of the request. FALSE when it failed. */
static gboolean
pending_upgrade_send (QvirtRpcPendingUpgrade *pending, GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (pending->request_line, &size);

  while (pending->sent < size)
    {
      gssize written = send (pending->fd, data + pending->sent, size - pending->sent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (written < 0)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED, "cannot send to %s: %s",
                       pending->path, g_strerror (errno));
          return FALSE;
        }
      pending->sent += (gsize) written;
    }
  return TRUE;
}

typedef enum {
  REPLY_INCOMPLETE,              /* wait for more */
  REPLY_COMPLETE,                /* reply_line holds it all */
  REPLY_FAILED,
} ReplyProgress;

/* Takes what has come of the reply line, and not a byte past its '\n':
 * the raw stream may follow in the same segment, and none of it may be
 * swallowed here. So it peeks first, then takes only up to the '\n'. */
static ReplyProgress
pending_upgrade_read (QvirtRpcPendingUpgrade *pending, GError **error)
{
  char buffer[4096];
  const char *newline;
  gsize wanted;
  gssize n;

  do
    n = recv (pending->fd, buffer, sizeof buffer, MSG_PEEK | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return REPLY_INCOMPLETE;
  if (n <= 0)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                   "the server at %s closed the connection before answering %s",
                   pending->path, pending->method);
      return REPLY_FAILED;
    }

  newline = memchr (buffer, '\n', (gsize) n);
  wanted = newline != NULL ? (gsize) (newline - buffer) + 1 : (gsize) n;
  /* What was peeked is there to take: nobody else reads this socket. */
  do
    n = recv (pending->fd, buffer, wanted, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n != (gssize) wanted)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED, "cannot read from %s: %s",
                   pending->path, n < 0 ? g_strerror (errno) : "short read");
      return REPLY_FAILED;
    }

  g_string_append_len (pending->reply_line, buffer, newline != NULL ? n - 1 : n);
  if (pending->reply_line->len > UPGRADE_REPLY_MAX)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                   "the server at %s answered %s with an oversized line",
                   pending->path, pending->method);
      return REPLY_FAILED;
    }
  return newline != NULL ? REPLY_COMPLETE : REPLY_INCOMPLETE;
}

static gboolean
on_upgrade_socket (gpointer user_data)
{
  QvirtRpcPendingUpgrade *pending = user_data;
  gsize size = g_bytes_get_size (pending->request_line);
  GError *error = NULL;

  if (pending->sent < size)
    {
      if (!pending_upgrade_send (pending, &error))
        {
          pending_upgrade_finish (pending, error);
          return G_SOURCE_REMOVE;
        }
      /* The rest is out: from now on, wait for the answer. */
      if (pending->sent == size)
        g_source_modify_unix_fd (pending->socket_source, pending->fd_tag, G_IO_IN);
      return G_SOURCE_CONTINUE;
    }

  switch (pending_upgrade_read (pending, &error))
    {
    case REPLY_INCOMPLETE:
      return G_SOURCE_CONTINUE;
    case REPLY_COMPLETE:
      upgrade_check_reply (pending->reply_line, pending->path, pending->method, &error);
      break;
    case REPLY_FAILED:
      break;
    }
  pending_upgrade_finish (pending, error);
  return G_SOURCE_REMOVE;
}

static gboolean
on_upgrade_timeout (gpointer user_data)
{
  QvirtRpcPendingUpgrade *pending = user_data;

  pending_upgrade_finish (pending, g_error_new (QVIRT_ERROR, QVIRT_ERROR_TIMEOUT,
                                                "the server at %s did not answer %s "
                                                "within %u ms", pending->path,
                                                pending->method, pending->timeout_ms));
  return G_SOURCE_REMOVE;
}

/* A source on a descriptor whose events change (g_unix_fd_source_new()'s
 * cannot): it only runs its callback. */
static gboolean
socket_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs socket_source_funcs = {
  .dispatch = socket_source_dispatch,
};

QvirtRpcPendingUpgrade *
qvirt_rpc_upgrade_to_raw_async (const char *path, const char *method, json_t *params,
                                guint timeout_ms, GMainContext *context,
                                QvirtRpcUpgradeFunc func, gpointer user_data,
                                GError **error)
{
  g_autoptr(json_t) request = NULL;
  g_autoptr(GBytes) request_line = NULL;
  QvirtRpcPendingUpgrade *pending;
  gsize size;
  int fd;

  g_return_val_if_fail (path != NULL && method != NULL && func != NULL, NULL);

  /* Id 1: the connection carries this one request. */
  request = json_pack ("{s:s, s:i, s:s}", "jsonrpc", "2.0", "id", 1, "method", method);
  if (params != NULL)
    json_object_set (request, "params", params);
  request_line = qvirt_rpc_encode_line (request);
  if (request_line == NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                   "%s: the params cannot be encoded as JSON", method);
      return NULL;
    }
  fd = connect_socket_nonblocking (path, error);
  if (fd < 0)
    return NULL;

  pending = g_new0 (QvirtRpcPendingUpgrade, 1);
  pending->fd = fd;
  pending->path = g_strdup (path);
  pending->method = g_strdup (method);
  pending->timeout_ms = timeout_ms;
  size = g_bytes_get_size (request_line);
  pending->request_line = g_steal_pointer (&request_line);
  pending->reply_line = g_string_new (NULL);
  pending->func = func;
  pending->user_data = user_data;

  /* A short line into a fresh socket's buffer: it goes at once, but for
   * a server that is already gone. */
  if (!pending_upgrade_send (pending, error))
    {
      pending_upgrade_free (pending);
      return NULL;
    }
  pending->socket_source = g_source_new (&socket_source_funcs, sizeof (GSource));
  g_source_set_static_name (pending->socket_source, "qvirt-rpc-upgrade");
  pending->fd_tag = g_source_add_unix_fd (pending->socket_source, fd,
                                          pending->sent < size ? G_IO_OUT : G_IO_IN);
  g_source_set_callback (pending->socket_source, on_upgrade_socket, pending, NULL);
  g_source_attach (pending->socket_source, context);
  pending->timeout_source = g_timeout_source_new (timeout_ms);
  g_source_set_callback (pending->timeout_source, on_upgrade_timeout, pending, NULL);
  g_source_attach (pending->timeout_source, context);
  return pending;
}

void
qvirt_rpc_pending_upgrade_cancel (QvirtRpcPendingUpgrade *pending)
{
  if (pending != NULL)
    pending_upgrade_free (pending);
}

typedef struct {
  gboolean done;
  int fd;
  GError *error;
} UpgradeOutcome;

static void
on_sync_upgrade_done (int fd, const GError *error, gpointer user_data)
{
  UpgradeOutcome *outcome = user_data;

  outcome->done = TRUE;
  outcome->fd = fd;
  if (error != NULL)
    outcome->error = g_error_copy (error);
}

int
qvirt_rpc_upgrade_to_raw (const char *path, const char *method, json_t *params,
                          guint timeout_ms, GError **error)
{
  /* A context of its own: the caller asked to block, so nothing else of
   * its (other connections' callbacks) may run meanwhile. */
  g_autoptr(GMainContext) context = g_main_context_new ();
  UpgradeOutcome outcome = { .fd = -1 };

  if (qvirt_rpc_upgrade_to_raw_async (path, method, params, timeout_ms, context,
                                      on_sync_upgrade_done, &outcome, error) == NULL)
    return -1;
  while (!outcome.done)
    g_main_context_iteration (context, TRUE);
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
  return outcome.fd;
}
