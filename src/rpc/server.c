/* The protocol on UNIX stream sockets (see server.h).
 *
 * One listener per socket; one Client per connection, with one GSource
 * watching its descriptor: readable while the client may still send,
 * writable while output waits for it. Everything runs on one
 * GMainContext, so there are no locks.
 *
 * A client's life: accepted → lines are read and dispatched as they
 * arrive → its peer goes away (or breaks a rule) → "doomed": its source
 * is removed and an idle callback frees it, closing its session. Freeing
 * is always deferred like this because the decision to drop a client is
 * often taken inside a callback of the dispatcher (a reply, an event)
 * that still runs on its behalf.
 */
#define G_LOG_DOMAIN "qvirt-rpc"

#include "rpc/server.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc/framing.h"
#include "rpc/output-queue.h"
#include "rpc/method.h"
#include "util/unix-socket.h"

/* Bytes read from a client per wakeup: a client that floods the server
 * gets its turn like the others. */
#define READ_CHUNK (64 * 1024)
/* While a batch of requests is being read, replies collect and go out
 * together; above this much they go out at once. */
#define FLUSH_ABOVE ((gsize) 1024 * 1024)
/* Clients accepted per wakeup of a listener. */
#define ACCEPT_BATCH 32
/* After accept() fails for want of descriptors or memory, a listener
 * rests this long rather than spin. */
#define ACCEPT_PAUSE_MS 100

typedef struct _Listener Listener;
typedef struct _Client Client;

struct _QvirtRpcServer {
  QvirtDispatcher *dispatcher;
  GMainContext *context;
  GPtrArray *listeners;          /* Listener* */
  GHashTable *clients;           /* Client* (a set) */
  gsize max_frame;
  gsize max_output;
  guint64 next_client_number;    /* names clients in logs */
  char read_buffer[READ_CHUNK];  /* one thread reads at a time */
};

struct _Listener {
  QvirtRpcServer *server;
  int fd;
  char *name;                    /* for logs: the path, or "fd N" */
  char *created_path;            /* the socket file we made; NULL if inherited */
  dev_t created_dev;
  ino_t created_ino;
  gboolean read_only;
  GSource *source;               /* NULL while paused */
  GSource *resume_source;        /* set while paused */
};

struct _Client {
  QvirtRpcServer *server;
  guint64 number;
  int fd;
  pid_t peer_pid;                /* 0 if unknown */
  QvirtRpcSession *session;
  QvirtLineSplitter *input;
  GSource *source;               /* watches fd */
  gpointer fd_tag;
  GIOCondition events;           /* what source watches for now */
  QvirtOutputQueue output;
  gsize max_output;
  GHashTable *pending;           /* PendingCall* (a set): calls not answered yet */
  gboolean input_closed;         /* the peer shut down its sending side */
  gboolean reading;              /* inside a batch of requests: hold output */
  QvirtRpcUpgrade *upgrade;      /* set: read nothing more, hand the socket
                                    over once the output is written */
  GSource *close_source;         /* set once the client is doomed */
};

/* A call in flight. Owned by its client's pending set: if the client goes
 * first, the session is closed, which guarantees the reply callback never
 * runs, and the set frees this. */
typedef struct {
  Client *client;
  json_t *id;                    /* NULL for a notification: no reply */
} PendingCall;

static void client_free (Client *client);

static void
pending_call_free (PendingCall *call)
{
  json_decref (call->id);
  g_free (call);
}

/* ------------------------------------------------------------------ */
/* Clients: closing                                                     */

static gboolean
on_client_close (gpointer user_data)
{
  client_free (user_data);
  return G_SOURCE_REMOVE;
}

/* Dooms @client: nothing more is read or written, and it is freed from an
 * idle callback (never here: we may be inside a callback on its behalf). */
static void
client_close_later (Client *client)
{
  if (client->close_source != NULL)
    return;
  g_source_destroy (client->source);
  client->close_source = g_idle_source_new ();
  g_source_set_callback (client->close_source, on_client_close, client, NULL);
  g_source_attach (client->close_source, client->server->context);
}

/* A client that shut down its sending side (socat, `printf ... | nc`)
 * still gets the replies of what it sent; it is done once they are out. */
static void
client_close_if_done (Client *client)
{
  if (client->input_closed && client->output.size == 0 &&
      g_hash_table_size (client->pending) == 0)
    {
      g_debug ("client %" G_GUINT64_FORMAT ": all answered after it stopped sending; closing",
               client->number);
      client_close_later (client);
    }
}

static void
client_free (Client *client)
{
  guint64 number = client->number;

  g_hash_table_remove (client->server->clients, client);
  if (!g_source_is_destroyed (client->source))
    g_source_destroy (client->source);
  g_source_unref (client->source);
  if (client->close_source)
    {
      if (!g_source_is_destroyed (client->close_source))
        g_source_destroy (client->close_source);
      g_source_unref (client->close_source);
    }
  /* First the session: once closed, it never calls a reply callback, so
   * the pending calls can go. */
  qvirt_rpc_session_close (client->session);
  g_hash_table_destroy (client->pending);
  g_clear_pointer (&client->upgrade, qvirt_rpc_upgrade_free);
  if (client->fd >= 0)
    close (client->fd);
  qvirt_output_queue_clear (&client->output);
  qvirt_line_splitter_free (client->input);
  g_free (client);
  /* Last: tests take this line as the sign that the descriptor is closed. */
  g_debug ("client %" G_GUINT64_FORMAT ": gone", number);
}

/* ------------------------------------------------------------------ */
/* Clients: output                                                      */

static void
client_watch (Client *client, GIOCondition events)
{
  if (client->close_source != NULL || client->events == events)
    return;
  client->events = events;
  g_source_modify_unix_fd (client->source, client->fd_tag, events);
}

static void
client_update_watch (Client *client)
{
  gboolean want_input = !client->input_closed && client->upgrade == NULL;

  client_watch (client, (want_input ? G_IO_IN : 0) |
                        (client->output.size > 0 ? G_IO_OUT : 0));
}

/* The reply that switched the connection to raw bytes is out: the socket
 * now belongs to whoever the method named (the domain's console). */
static void
client_hand_over (Client *client)
{
  g_autoptr(GError) error = NULL;
  int fd = client->fd;

  client->fd = -1;
  client_close_later (client);
  g_debug ("client %" G_GUINT64_FORMAT ": now a raw stream", client->number);
  if (!qvirt_rpc_upgrade_run (g_steal_pointer (&client->upgrade), fd, &error))
    g_info ("client %" G_GUINT64_FORMAT ": %s", client->number, error->message);
}

/* Writes what the socket takes without blocking; the rest waits for the
 * source to report the socket writable. */
static void
client_flush (Client *client)
{
  int saved_errno;

  if (client->close_source != NULL)
    return;
  if (!qvirt_output_queue_flush (&client->output, client->fd, &saved_errno))
    {
      g_debug ("client %" G_GUINT64_FORMAT ": cannot write: %s", client->number,
               g_strerror (saved_errno));
      client_close_later (client);
      return;
    }
  if (client->upgrade != NULL && client->output.size == 0 && client->close_source == NULL)
    {
      client_hand_over (client);
      return;
    }
  client_update_watch (client);
  client_close_if_done (client);
}

/* Queues @message (transfer full) for @client. */
static void
client_send (Client *client, json_t *message)
{
  GBytes *line;

  if (client->close_source != NULL)
    {
      json_decref (message);
      return;
    }
  line = qvirt_rpc_encode_line (message);
  json_decref (message);
  if (line == NULL)
    {
      g_warning ("client %" G_GUINT64_FORMAT ": a message could not be encoded; dropped",
                 client->number);
      return;
    }
  /* The bound is on what already waits, so that one reply larger than it
   * (a big definition from domain.getXml) still goes out. */
  if (client->output.size > client->max_output)
    {
      g_warning ("client %" G_GUINT64_FORMAT " (pid %d) does not read what it is sent: "
                 "%" G_GSIZE_FORMAT " bytes waiting, the limit is %" G_GSIZE_FORMAT
                 "; disconnecting it",
                 client->number, (int) client->peer_pid, client->output.size,
                 client->max_output);
      g_bytes_unref (line);
      client_close_later (client);
      return;
    }
  qvirt_output_queue_push (&client->output, line);
  if (!client->reading)
    client_flush (client);
}

/* ------------------------------------------------------------------ */
/* Clients: requests                                                    */

static void
on_call_reply (json_t *result, const GError *error, gpointer user_data)
{
  PendingCall *call = user_data;
  Client *client = call->client;

  if (call->id != NULL && error != NULL)
    client_send (client, qvirt_rpc_error_new (call->id, QVIRT_RPC_SERVER_ERROR,
                                              error->domain == QVIRT_ERROR
                                                ? (QvirtErrorCode) error->code
                                                : QVIRT_ERROR_INTERNAL,
                                              error->message));
  else if (call->id != NULL)
    {
      /* Taken first: writing the reply completes the upgrade. */
      client->upgrade = qvirt_rpc_session_take_upgrade (client->session);
      client_send (client, qvirt_rpc_result_new (call->id, json_incref (result)));
    }
  g_hash_table_remove (client->pending, call);
  client_close_if_done (client);
}

static void
on_session_notify (const char *method, json_t *params, gpointer user_data)
{
  client_send (user_data, qvirt_rpc_notification_new (method, params));
}

static void
client_dispatch (Client *client, const QvirtRpcMessage *message)
{
  QvirtDispatcher *dispatcher = client->server->dispatcher;
  g_autoptr(GError) error = NULL;
  PendingCall *call;

  /* The dispatcher's own check first, so that a request that cannot be
   * dispatched gets its JSON-RPC code rather than -32000. */
  if (!qvirt_dispatcher_check_params (dispatcher, message->method, message->params, &error))
    {
      gboolean unknown_method = g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_PROTOCOL);

      if (message->id != NULL)
        client_send (client, qvirt_rpc_error_new (message->id,
                                                  unknown_method ? QVIRT_RPC_METHOD_NOT_FOUND
                                                                 : QVIRT_RPC_INVALID_PARAMS,
                                                  unknown_method ? QVIRT_ERROR_PROTOCOL
                                                                 : QVIRT_ERROR_INVALID_ARGUMENT,
                                                  error->message));
      return;
    }

  call = g_new0 (PendingCall, 1);
  call->client = client;
  call->id = message->id ? json_incref (message->id) : NULL;
  g_hash_table_add (client->pending, call);
  /* May answer before it returns. */
  qvirt_rpc_session_call (client->session, message->method, message->params,
                          on_call_reply, call);
}

static void
client_handle_line (Client *client, const char *line, gsize len)
{
  QvirtRpcMessage message;

  qvirt_rpc_message_parse (line, len, &message);
  switch (message.kind)
    {
    case QVIRT_RPC_MESSAGE_EMPTY:
      break;
    case QVIRT_RPC_MESSAGE_INVALID:
      client_send (client, json_incref (message.error_reply));
      break;
    case QVIRT_RPC_MESSAGE_REQUEST:
    case QVIRT_RPC_MESSAGE_NOTIFICATION:
      client_dispatch (client, &message);
      break;
    default:
      g_assert_not_reached ();
    }
  qvirt_rpc_message_clear (&message);
}

/* Reads one chunk and runs the requests it completes. */
static void
client_read (Client *client, GIOCondition revents)
{
  QvirtRpcServer *server = client->server;
  gssize n;

  do
    n = recv (client->fd, server->read_buffer, sizeof server->read_buffer, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
        return;
      g_debug ("client %" G_GUINT64_FORMAT ": cannot read: %s", client->number,
               g_strerror (saved_errno));
      client_close_later (client);
      return;
    }
  if (n == 0)
    {
      /* HUP: both directions are shut, nobody is there to answer. */
      if (revents & (G_IO_HUP | G_IO_ERR))
        {
          g_debug ("client %" G_GUINT64_FORMAT ": disconnected", client->number);
          client_close_later (client);
          return;
        }
      client->input_closed = TRUE;
      client_update_watch (client);
      client_close_if_done (client);
      return;
    }

  qvirt_line_splitter_feed (client->input, server->read_buffer, (gsize) n);
  client->reading = TRUE;
  /* After an upgrade the rest of what was read is not requests; the
   * protocol asks clients to send nothing until its reply. */
  while (client->close_source == NULL && client->upgrade == NULL)
    {
      const char *line;
      gsize len;
      QvirtLineResult result = qvirt_line_splitter_next (client->input, &line, &len);

      if (result == QVIRT_LINE_NONE)
        break;
      if (result == QVIRT_LINE_OVERSIZED)
        {
          g_autofree char *text =
            g_strdup_printf ("invalid request: the frame exceeds the size limit of %"
                             G_GSIZE_FORMAT " bytes; it was skipped", server->max_frame);

          g_info ("client %" G_GUINT64_FORMAT ": a frame over %" G_GSIZE_FORMAT
                  " bytes was skipped", client->number, server->max_frame);
          client_send (client, qvirt_rpc_error_new (NULL, QVIRT_RPC_INVALID_REQUEST,
                                                    QVIRT_ERROR_PROTOCOL, text));
        }
      else
        client_handle_line (client, line, len);
      if (client->output.size > FLUSH_ABOVE)
        client_flush (client);
    }
  client->reading = FALSE;
  client_flush (client);
}

/* ------------------------------------------------------------------ */
/* Clients: the source                                                  */

typedef struct {
  GSource source;
  Client *client;
} ClientSource;

static gboolean
client_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  Client *client = ((ClientSource *) source)->client;
  GIOCondition revents = g_source_query_unix_fd (source, client->fd_tag);

  if (revents & G_IO_OUT)
    client_flush (client);
  if (client->close_source != NULL)
    return G_SOURCE_CONTINUE;
  if (!client->input_closed && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    client_read (client, revents);
  else if (revents & (G_IO_HUP | G_IO_ERR))
    {
      g_debug ("client %" G_GUINT64_FORMAT ": disconnected", client->number);
      client_close_later (client);
    }
  return G_SOURCE_CONTINUE;
}

/* No prepare or check: GLib dispatches a source whose descriptor is
 * ready. */
static GSourceFuncs client_source_funcs = {
  .dispatch = client_source_dispatch,
};

static void
client_new (Listener *listener, int fd)
{
  QvirtRpcServer *server = listener->server;
  Client *client = g_new0 (Client, 1);
  struct ucred peer = { 0 };
  socklen_t peer_len = sizeof peer;

  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) == 0)
    client->peer_pid = peer.pid;

  client->server = server;
  client->number = ++server->next_client_number;
  client->fd = fd;
  client->max_output = server->max_output;
  client->input = qvirt_line_splitter_new (server->max_frame);
  client->pending = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) pending_call_free, NULL);
  qvirt_output_queue_init (&client->output);
  client->session = qvirt_rpc_session_new (server->dispatcher, listener->read_only,
                                           on_session_notify, client);
  qvirt_rpc_session_set_peer_pid (client->session, client->peer_pid);

  client->source = g_source_new (&client_source_funcs, sizeof (ClientSource));
  ((ClientSource *) client->source)->client = client;
  g_source_set_static_name (client->source, "qvirt-rpc client");
  /* Nothing a client's dispatch runs iterates the context again, and a
   * source that may not recurse is blocked and unblocked around every
   * dispatch: three system calls per request (measured: 34 → 26 µs of
   * daemon CPU per sequential call). */
  g_source_set_can_recurse (client->source, TRUE);
  client->events = G_IO_IN;
  client->fd_tag = g_source_add_unix_fd (client->source, fd, client->events);
  g_source_attach (client->source, server->context);
  g_hash_table_add (server->clients, client);

  g_debug ("client %" G_GUINT64_FORMAT " (pid %d, uid %u) connected on %s%s",
           client->number, (int) peer.pid, (unsigned) peer.uid, listener->name,
           listener->read_only ? " (read-only)" : "");
}

/* ------------------------------------------------------------------ */
/* Listeners                                                            */

static gboolean on_listener_ready (int fd, GIOCondition condition, gpointer user_data);

static void
listener_start (Listener *listener)
{
  listener->source = g_unix_fd_source_new (listener->fd, G_IO_IN);
  g_source_set_callback (listener->source, G_SOURCE_FUNC (on_listener_ready), listener, NULL);
  g_source_attach (listener->source, listener->server->context);
}

static gboolean
on_listener_resume (gpointer user_data)
{
  Listener *listener = user_data;

  g_source_unref (g_steal_pointer (&listener->resume_source));
  listener_start (listener);
  return G_SOURCE_REMOVE;
}

static void
listener_pause (Listener *listener)
{
  g_source_destroy (listener->source);
  g_clear_pointer (&listener->source, g_source_unref);
  listener->resume_source = g_timeout_source_new (ACCEPT_PAUSE_MS);
  g_source_set_callback (listener->resume_source, on_listener_resume, listener, NULL);
  g_source_attach (listener->resume_source, listener->server->context);
}

static gboolean
on_listener_ready (int fd, GIOCondition condition, gpointer user_data)
{
  Listener *listener = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      int client_fd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (client_fd < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR || saved_errno == ECONNABORTED)
            continue;
          if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
            break;
          /* Out of descriptors or memory: the pending connection stays
           * in the backlog and the listener would wake us at once. */
          g_warning ("cannot accept a client on %s: %s; trying again in %d ms",
                     listener->name, g_strerror (saved_errno), ACCEPT_PAUSE_MS);
          listener_pause (listener);
          return G_SOURCE_REMOVE;
        }
      client_new (listener, client_fd);
    }
  return G_SOURCE_CONTINUE;
}

static void
listener_free (Listener *listener)
{
  struct stat st;

  if (listener->source)
    {
      g_source_destroy (listener->source);
      g_source_unref (listener->source);
    }
  if (listener->resume_source)
    {
      g_source_destroy (listener->resume_source);
      g_source_unref (listener->resume_source);
    }
  close (listener->fd);
  /* Only our own socket file: someone may have replaced it since. */
  if (listener->created_path && stat (listener->created_path, &st) == 0 &&
      st.st_dev == listener->created_dev && st.st_ino == listener->created_ino)
    unlink (listener->created_path);
  g_free (listener->created_path);
  g_free (listener->name);
  g_free (listener);
}

static Listener *
listener_add (QvirtRpcServer *server, int fd, const char *name, gboolean read_only)
{
  Listener *listener = g_new0 (Listener, 1);

  listener->server = server;
  listener->fd = fd;
  listener->name = g_strdup (name);
  listener->read_only = read_only;
  g_ptr_array_add (server->listeners, listener);
  listener_start (listener);
  return listener;
}

/* ------------------------------------------------------------------ */
/* The server                                                           */

QvirtRpcServer *
qvirt_rpc_server_new (QvirtDispatcher *dispatcher, GError **error)
{
  QvirtRpcServer *server;

  g_return_val_if_fail (dispatcher != NULL, NULL);

  server = g_new0 (QvirtRpcServer, 1);
  server->dispatcher = dispatcher;
  server->context = g_main_context_ref_thread_default ();
  server->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  server->clients = g_hash_table_new (NULL, NULL);
  server->max_frame = QVIRT_RPC_MAX_FRAME_DEFAULT;
  server->max_output = QVIRT_RPC_SERVER_MAX_OUTPUT_DEFAULT;
  return server;
}

void
qvirt_rpc_server_set_limits (QvirtRpcServer *server, gsize max_frame, gsize max_output)
{
  g_return_if_fail (server != NULL);

  server->max_frame = max_frame ? max_frame : QVIRT_RPC_MAX_FRAME_DEFAULT;
  server->max_output = max_output ? max_output : QVIRT_RPC_SERVER_MAX_OUTPUT_DEFAULT;
}

gboolean
qvirt_rpc_server_listen (QvirtRpcServer *server, const char *path, guint mode,
                         gboolean read_only, GError **error)
{
  Listener *listener;
  struct stat st;
  int fd;

  g_return_val_if_fail (server != NULL && path != NULL, FALSE);

  fd = qvirt_unix_socket_listen (path, mode, TRUE, error);
  if (fd < 0)
    return FALSE;
  if (!g_unix_set_fd_nonblocking (fd, TRUE, error))
    {
      close (fd);
      return FALSE;
    }
  listener = listener_add (server, fd, path, read_only);
  if (stat (path, &st) == 0)
    {
      listener->created_path = g_strdup (path);
      listener->created_dev = st.st_dev;
      listener->created_ino = st.st_ino;
    }
  return TRUE;
}

gboolean
qvirt_rpc_server_listen_fd (QvirtRpcServer *server, int fd, gboolean read_only, GError **error)
{
  g_autofree char *name = NULL;
  int accepting = 0;
  int type = 0;
  socklen_t len = sizeof accepting;
  socklen_t type_len = sizeof type;

  g_return_val_if_fail (server != NULL && fd >= 0, FALSE);

  if (getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) < 0 || !accepting ||
      getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &type_len) < 0 || type != SOCK_STREAM)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "descriptor %d is not a listening stream socket", fd);
      close (fd);
      return FALSE;
    }
  if (!g_unix_set_fd_nonblocking (fd, TRUE, error) || fcntl (fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      if (error && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                     "cannot set up descriptor %d: %s", fd, g_strerror (errno));
      close (fd);
      return FALSE;
    }
  name = g_strdup_printf ("inherited descriptor %d", fd);
  listener_add (server, fd, name, read_only);
  return TRUE;
}

guint
qvirt_rpc_server_get_n_clients (QvirtRpcServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return g_hash_table_size (server->clients);
}

void
qvirt_rpc_server_free (QvirtRpcServer *server)
{
  GList *clients;

  if (server == NULL)
    return;
  clients = g_hash_table_get_keys (server->clients);
  g_list_free_full (clients, (GDestroyNotify) client_free);
  g_hash_table_destroy (server->clients);
  g_ptr_array_free (server->listeners, TRUE);
  g_main_context_unref (server->context);
  g_free (server);
}
