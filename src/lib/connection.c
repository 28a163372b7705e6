/* QvirtConnection: libqvirt's two transports to the method table.
 *
 * Embed (`qemu:///embed?root=DIR`): the driver runs in this process and
 * the connection keeps one RPC session on it; a call is handed to that
 * session as JSON, exactly as the socket transport hands it, so embedded
 * and remote use behave the same. With `&socket=PATH` (or
 * qvirt_connection_serve()) the same driver is also served on a socket,
 * for `qvirt -c qemu+unix:///?socket=PATH` and friends.
 *
 * Remote (`qemu+unix:///?socket=PATH`, `qemu:///session`,
 * `qemu:///system`): a QvirtRpcClient on the server's socket; calls are
 * pipelined and answered in any order.
 *
 * Either runs on one GMainContext: the caller's (same-thread mode) or a
 * private one run by a thread the library owns (own-thread mode). In
 * own-thread mode every call crosses to that thread with
 * g_main_context_invoke() and its result comes back through a GTask
 * (async, to the caller's context) or a mutex and condition (sync).
 */
#include "lib/connection-private.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu/driver.h"
#include "qemu/paths.h"
#include "rpc/client.h"
#include "rpc/dispatcher.h"
#include "rpc/server.h"

/* How long opening a raw stream (the console) may wait for its answer. */
#define UPGRADE_TIMEOUT_MS 30000

struct _QvirtConnection {
  grefcount ref_count;
  QvirtConnectionFlags flags;
  char *uri;

  /* Where the transport runs. */
  GMainContext *context;
  GThread *thread;              /* own-thread mode only */
  GMainLoop *loop;              /* own-thread mode only */

  /* Embed; touched only on the transport's context. */
  char *driver_uri;             /* uri without its socket= param */
  char *serve_path;             /* socket= of the URI, or NULL */
  QvirtDriver *driver;
  QvirtDispatcher *dispatcher;
  QvirtRpcSession *session;
  QvirtRpcServer *server;       /* while serving the instance on a socket */

  /* Remote; touched only on the transport's context. */
  char *socket_path;
  QvirtRpcClient *remote;
  char *server_uri;             /* the driver URI the server reported */

  GPtrArray *in_flight;         /* Call*: answered with CLOSED on close */
  gboolean closed;

  GMutex lock;                  /* guards subscribers and the closed handler */
  GHashTable *subscribers;      /* server subscription id -> Subscriber */
  QvirtConnectionClosedFunc closed_func;
  gpointer closed_data;
  GDestroyNotify closed_destroy;
};

/* One call on its way to the session and back. Exactly one of task
 * (async) and the sync fields is used. */
typedef struct {
  QvirtConnection *conn;
  char *method;
  json_t *params;
  GTask *task;

  GMutex mutex;
  GCond cond;
  gboolean done;
  json_t *result;
  GError *error;

  /* Embed only: a call that turns its connection into a byte stream
   * (domain.openConsole) hands over this end of a socketpair. */
  int upgrade_fd;
} Call;

static void on_call_reply (json_t *result, const GError *error, gpointer user_data);

typedef struct {
  QvirtEventFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} Subscriber;

static void
subscriber_free (Subscriber *sub)
{
  if (sub->destroy)
    sub->destroy (sub->user_data);
  g_free (sub);
}

/* ------------------------------------------------------------------ */
/* Events: notifications of the session                                 */

static void
on_notification (const char *method, json_t *params, gpointer user_data)
{
  QvirtConnection *conn = user_data;
  guint id = (guint) json_integer_value (json_object_get (params, "subscription"));
  QvirtEvent event = {
    .domain = json_string_value (json_object_get (params, "domain")),
    .uuid = json_string_value (json_object_get (params, "uuid")),
    .kind = json_string_value (json_object_get (params, "kind")),
    .event = json_string_value (json_object_get (params, "event")),
    .detail = json_string_value (json_object_get (params, "detail")),
    .data = json_object_get (params, "data"),
    .timestamp_us = json_integer_value (json_object_get (params, "timestamp")),
  };
  Subscriber *sub;

  if (!g_str_equal (method, "event"))
    return;
  g_mutex_lock (&conn->lock);
  sub = g_hash_table_lookup (conn->subscribers, GUINT_TO_POINTER (id));
  g_mutex_unlock (&conn->lock);
  /* Subscribers are removed only on this context (see
   * qvirt_connection_unsubscribe_events()), so sub stays valid here. */
  if (sub)
    sub->func (conn, &event, sub->user_data);
}

/* ------------------------------------------------------------------ */
/* Opening and closing, on the transport's context                      */

/* Works out the transport from the URI: fills either the embed fields
 * (driver_uri, serve_path) or the remote one (socket_path). */
static gboolean
parse_uri (QvirtConnection *conn, GError **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (conn->uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  const char *scheme = parsed ? g_uri_get_scheme (parsed) : NULL;
  const char *path = parsed ? g_uri_get_path (parsed) : NULL;
  const char *query = parsed ? g_uri_get_query (parsed) : NULL;
  g_autoptr(GHashTable) params = NULL;
  gboolean read_only = (conn->flags & QVIRT_CONNECTION_FLAGS_READ_ONLY) != 0;

  if (parsed == NULL || scheme == NULL ||
      (g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0'))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                   "invalid URI '%s': use qemu:///embed?root=DIR, qemu:///session, "
                   "qemu:///system or qemu+unix:///?socket=PATH", conn->uri);
      return FALSE;
    }
  if (query != NULL)
    {
      g_autoptr(GError) local = NULL;

      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &local);
      if (params == NULL)
        {
          /* GLib's error is in its own domain: callers look for ours. */
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                       "invalid URI '%s': %s", conn->uri, local->message);
          return FALSE;
        }
    }

  if (g_str_equal (scheme, "qemu+unix"))
    {
      const char *socket_path = params ? g_hash_table_lookup (params, "socket") : NULL;

      /* One '&' is one parameter too many, even when it repeats socket=
       * (the table keeps only the last). */
      if (socket_path == NULL || !g_path_is_absolute (socket_path) ||
          g_hash_table_size (params) != 1 || strchr (query, '&') != NULL)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                       "invalid URI '%s': qemu+unix takes exactly one parameter, "
                       "socket=/ABSOLUTE/PATH", conn->uri);
          return FALSE;
        }
      conn->socket_path = g_strdup (socket_path);
      return TRUE;
    }

  if (g_str_equal (scheme, "qemu") &&
      (g_strcmp0 (path, "/session") == 0 || g_strcmp0 (path, "/system") == 0))
    {
      /* The host's world view is the daemon's: reach it on its socket. */
      g_autoptr(QvirtPaths) paths = qvirt_paths_new_for_uri (conn->uri, NULL);

      if (paths == NULL || params != NULL)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                       "invalid URI '%s': %s takes no parameters", conn->uri, path);
          return FALSE;
        }
      conn->socket_path = qvirt_paths_daemon_socket (paths, read_only);
      return TRUE;
    }

  if (g_str_equal (scheme, "qemu") && params && g_hash_table_contains (params, "socket"))
    {
      /* Every other parameter is the driver's to check. */
      g_autoptr(GString) rest = g_string_new (NULL);
      GHashTableIter iter;
      gpointer key, value;

      conn->serve_path = g_strdup (g_hash_table_lookup (params, "socket"));
      if (!g_path_is_absolute (conn->serve_path))
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                       "invalid URI '%s': socket= must be an absolute path", conn->uri);
          return FALSE;
        }
      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_autofree char *escaped = NULL;

          if (g_str_equal (key, "socket"))
            continue;
          escaped = g_uri_escape_string (value, "/", FALSE);
          g_string_append_printf (rest, "%s%s=%s", rest->len ? "&" : "", (char *) key,
                                  escaped);
        }
      conn->driver_uri = g_strdup_printf ("qemu://%s%s%s", path, rest->len ? "?" : "",
                                          rest->str);
      return TRUE;
    }

  conn->driver_uri = g_strdup (conn->uri);
  return TRUE;
}

static void
on_remote_closed (const GError *reason, gpointer user_data)
{
  QvirtConnection *conn = user_data;
  QvirtConnectionClosedFunc func;
  gpointer data;

  g_mutex_lock (&conn->lock);
  func = conn->closed_func;
  data = conn->closed_data;
  g_mutex_unlock (&conn->lock);
  if (func)
    func (conn, reason, data);
}

typedef struct {
  gboolean done;
  json_t *result;
  GError *error;
} HelloReply;

static void
on_hello (json_t *result, const GError *error, gpointer user_data)
{
  HelloReply *hello = user_data;

  hello->result = result ? json_incref (result) : NULL;
  hello->error = error ? g_error_copy (error) : NULL;
  hello->done = TRUE;
}

/* Connects and says hello, waiting on this (the transport's) context. */
static gboolean
open_remote (QvirtConnection *conn, GError **error)
{
  g_autoptr(json_t) params = json_object ();
  HelloReply hello = { 0 };

  conn->remote = qvirt_rpc_client_connect (conn->socket_path, on_notification,
                                           on_remote_closed, conn, error);
  if (conn->remote == NULL)
    return FALSE;
  if (conn->flags & QVIRT_CONNECTION_FLAGS_READ_ONLY)
    json_object_set_new (params, "read-only", json_true ());
  qvirt_rpc_client_call (conn->remote, "server.hello", params, on_hello, &hello);
  while (!hello.done)
    g_main_context_iteration (conn->context, TRUE);
  if (hello.error)
    {
      g_propagate_error (error, hello.error);
      g_clear_pointer (&conn->remote, qvirt_rpc_client_free);
      return FALSE;
    }
  conn->server_uri = g_strdup (json_string_value (json_object_get (hello.result, "uri")));
  json_decref (hello.result);
  return TRUE;
}

static gboolean
serve_on_socket (QvirtConnection *conn, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (conn->server == NULL)
    {
      conn->server = qvirt_rpc_server_new (conn->dispatcher, error);
      if (conn->server == NULL)
        return FALSE;
    }
  if (!qvirt_rpc_server_listen (conn->server, path, 0600, FALSE, &local))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_transport (QvirtConnection *conn, GError **error)
{
  if (conn->socket_path)
    return open_remote (conn, error);

  conn->driver = qvirt_driver_open (conn->driver_uri, NULL, error);
  if (conn->driver == NULL)
    return FALSE;
  conn->dispatcher = qvirt_dispatcher_new (conn->driver);
  conn->session = qvirt_rpc_session_new (conn->dispatcher,
                                         (conn->flags & QVIRT_CONNECTION_FLAGS_READ_ONLY) != 0,
                                         on_notification, conn);
  if (conn->serve_path && !serve_on_socket (conn, conn->serve_path, error))
    {
      g_clear_pointer (&conn->session, qvirt_rpc_session_close);
      g_clear_pointer (&conn->dispatcher, qvirt_dispatcher_free);
      g_clear_pointer (&conn->driver, qvirt_driver_close);
      return FALSE;
    }
  return TRUE;
}

static void
close_transport (QvirtConnection *conn)
{
  g_autoptr(GError) closed = g_error_new_literal (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                                                  "the connection was closed");

  conn->closed = TRUE;
  /* Both transports drop replies from now on: answer what is in flight. */
  g_clear_pointer (&conn->remote, qvirt_rpc_client_free);
  g_clear_pointer (&conn->server, qvirt_rpc_server_free);
  g_clear_pointer (&conn->session, qvirt_rpc_session_close);
  while (conn->in_flight->len > 0)
    on_call_reply (NULL, closed, conn->in_flight->pdata[conn->in_flight->len - 1]);
  g_clear_pointer (&conn->dispatcher, qvirt_dispatcher_free);
  g_clear_pointer (&conn->driver, qvirt_driver_close);
}

typedef struct {
  QvirtConnection *conn;
  GError *error;
  gboolean done;
  GMutex mutex;
  GCond cond;
} OpenRequest;

/* The library's thread: open the transport on a private context, report,
 * then serve until the connection closes. QEMUs an embedded driver
 * spawns with autodestroy are tied to this thread's life
 * (PR_SET_PDEATHSIG). */
static gpointer
transport_thread (gpointer data)
{
  OpenRequest *request = data;
  QvirtConnection *conn = request->conn;
  gboolean ok;

  g_main_context_push_thread_default (conn->context);
  ok = open_transport (conn, &request->error);

  g_mutex_lock (&request->mutex);
  request->done = TRUE;
  g_cond_signal (&request->cond);
  g_mutex_unlock (&request->mutex);

  if (ok)
    g_main_loop_run (conn->loop);
  g_main_context_pop_thread_default (conn->context);
  return NULL;
}

QvirtConnection *
qvirt_connection_open (const char *uri, QvirtConnectionFlags flags, GError **error)
{
  g_autoptr(QvirtConnection) conn = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  conn = g_new0 (QvirtConnection, 1);
  g_ref_count_init (&conn->ref_count);
  conn->flags = flags;
  conn->uri = g_strdup (uri);
  g_mutex_init (&conn->lock);
  conn->subscribers = g_hash_table_new_full (NULL, NULL, NULL,
                                             (GDestroyNotify) subscriber_free);
  conn->in_flight = g_ptr_array_new ();

  if (!parse_uri (conn, error))
    {
      conn->closed = TRUE;
      conn->context = g_main_context_ref_thread_default ();
      return NULL;
    }

  if (!(flags & QVIRT_CONNECTION_FLAGS_OWN_THREAD))
    {
      conn->context = g_main_context_ref_thread_default ();
      if (!open_transport (conn, error))
        {
          conn->closed = TRUE;
          return NULL;
        }
      return g_steal_pointer (&conn);
    }

  {
    OpenRequest request = { .conn = conn };

    conn->context = g_main_context_new ();
    conn->loop = g_main_loop_new (conn->context, FALSE);
    g_mutex_init (&request.mutex);
    g_cond_init (&request.cond);
    conn->thread = g_thread_new ("qvirt-transport", transport_thread, &request);

    g_mutex_lock (&request.mutex);
    while (!request.done)
      g_cond_wait (&request.cond, &request.mutex);
    g_mutex_unlock (&request.mutex);
    g_mutex_clear (&request.mutex);
    g_cond_clear (&request.cond);

    if (request.error)
      {
        g_thread_join (g_steal_pointer (&conn->thread));
        conn->closed = TRUE;
        g_propagate_error (error, request.error);
        return NULL;
      }
  }
  return g_steal_pointer (&conn);
}

static gboolean
close_in_thread (gpointer data)
{
  QvirtConnection *conn = data;

  close_transport (conn);
  /* Let deferred completions of the teardown run before the thread ends. */
  while (g_main_context_pending (conn->context))
    g_main_context_iteration (conn->context, FALSE);
  g_main_loop_quit (conn->loop);
  return G_SOURCE_REMOVE;
}

void
qvirt_connection_close (QvirtConnection *conn)
{
  if (conn == NULL)
    return;
  if (!conn->closed)
    {
      if (conn->thread)
        {
          g_main_context_invoke (conn->context, close_in_thread, conn);
          g_thread_join (g_steal_pointer (&conn->thread));
        }
      else
        close_transport (conn);
    }
  qvirt_connection_unref (conn);
}

QvirtConnection *
qvirt_connection_ref (QvirtConnection *conn)
{
  g_ref_count_inc (&conn->ref_count);
  return conn;
}

void
qvirt_connection_unref (QvirtConnection *conn)
{
  if (conn == NULL || !g_ref_count_dec (&conn->ref_count))
    return;
  /* The last reference without a close: close now. */
  if (!conn->closed)
    {
      g_ref_count_init (&conn->ref_count);
      qvirt_connection_close (conn);
      return;
    }
  if (conn->closed_destroy)
    conn->closed_destroy (conn->closed_data);
  g_hash_table_destroy (conn->subscribers);
  g_ptr_array_free (conn->in_flight, TRUE);
  g_mutex_clear (&conn->lock);
  g_clear_pointer (&conn->loop, g_main_loop_unref);
  g_main_context_unref (conn->context);
  g_free (conn->uri);
  g_free (conn->driver_uri);
  g_free (conn->serve_path);
  g_free (conn->socket_path);
  g_free (conn->server_uri);
  g_free (conn);
}

const char *
qvirt_connection_get_uri (QvirtConnection *conn)
{
  if (conn->driver)
    return qvirt_driver_get_uri (conn->driver);
  return conn->uri;
}

const char *
qvirt_connection_get_server_uri (QvirtConnection *conn)
{
  if (conn->driver)
    return qvirt_driver_get_uri (conn->driver);
  return conn->server_uri ? conn->server_uri : conn->uri;
}

gboolean
qvirt_connection_is_remote (QvirtConnection *conn)
{
  return conn->socket_path != NULL;
}

void
qvirt_connection_set_closed_func (QvirtConnection *conn, QvirtConnectionClosedFunc func,
                                  gpointer user_data, GDestroyNotify destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (conn != NULL);

  g_mutex_lock (&conn->lock);
  old_destroy = conn->closed_destroy;
  old_data = conn->closed_data;
  conn->closed_func = func;
  conn->closed_data = user_data;
  conn->closed_destroy = destroy;
  g_mutex_unlock (&conn->lock);
  if (old_destroy)
    old_destroy (old_data);
}

/* ------------------------------------------------------------------ */
/* Running something on the transport's context and waiting for it      */

typedef struct {
  QvirtConnection *conn;
  gboolean (*func) (QvirtConnection *conn, gpointer data, GError **error);
  gpointer data;
  gboolean ok;
  GError *error;
  gboolean done;
  GMutex mutex;
  GCond cond;
} ContextJob;

static gboolean
run_job (gpointer user_data)
{
  ContextJob *job = user_data;
  gboolean ok = job->func (job->conn, job->data, &job->error);

  g_mutex_lock (&job->mutex);
  job->ok = ok;
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
  return G_SOURCE_REMOVE;
}

static gboolean
run_on_transport_context (QvirtConnection *conn,
                          gboolean (*func) (QvirtConnection *conn, gpointer data, GError **error),
                          gpointer data, GError **error)
{
  ContextJob job = { .conn = conn, .func = func, .data = data };

  if (conn->thread == NULL)
    return func (conn, data, error);
  g_mutex_init (&job.mutex);
  g_cond_init (&job.cond);
  g_main_context_invoke (conn->context, run_job, &job);
  g_mutex_lock (&job.mutex);
  while (!job.done)
    g_cond_wait (&job.cond, &job.mutex);
  g_mutex_unlock (&job.mutex);
  g_mutex_clear (&job.mutex);
  g_cond_clear (&job.cond);
  if (job.error)
    g_propagate_error (error, job.error);
  return job.ok;
}

static gboolean
serve_job (QvirtConnection *conn, gpointer data, GError **error)
{
  if (conn->closed)
    {
      g_set_error_literal (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED, "the connection is closed");
      return FALSE;
    }
  return serve_on_socket (conn, data, error);
}

gboolean
qvirt_connection_serve (QvirtConnection *conn, const char *socket_path, GError **error)
{
  g_return_val_if_fail (conn != NULL && socket_path != NULL, FALSE);

  if (conn->socket_path != NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_UNSUPPORTED,
                   "only an embedded driver can be served on a socket; %s is remote",
                   conn->uri);
      return FALSE;
    }
  return run_on_transport_context (conn, serve_job, (gpointer) socket_path, error);
}

/* ------------------------------------------------------------------ */
/* Calls                                                                */

static void
call_free (Call *call)
{
  qvirt_connection_unref (call->conn);
  g_free (call->method);
  if (call->params)
    json_decref (call->params);
  g_clear_object (&call->task);
  g_free (call);
}

/* Embed: a successful domain.openConsole left its upgrade on the
 * session; our end of the socketpair goes to it. */
static gboolean
complete_upgrade (Call *call, GError **error)
{
  int fd = call->upgrade_fd;
  QvirtRpcUpgrade *upgrade = call->conn->session
                               ? qvirt_rpc_session_take_upgrade (call->conn->session)
                               : NULL;

  call->upgrade_fd = -1;
  if (upgrade == NULL)
    {
      close (fd);
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                   "%s does not open a stream", call->method);
      return FALSE;
    }
  return qvirt_rpc_upgrade_run (upgrade, fd, error);
}

static void
on_call_reply (json_t *result, const GError *error, gpointer user_data)
{
  Call *call = user_data;
  g_autoptr(GError) upgrade_error = NULL;

  g_ptr_array_remove_fast (call->conn->in_flight, call);
  if (call->upgrade_fd >= 0)
    {
      if (result != NULL && !complete_upgrade (call, &upgrade_error))
        {
          result = NULL;
          error = upgrade_error;
        }
      else if (result == NULL)
        {
          close (call->upgrade_fd);
          call->upgrade_fd = -1;
        }
    }
  if (call->task)
    {
      if (result)
        g_task_return_pointer (call->task, json_incref (result), (GDestroyNotify) json_decref);
      else
        g_task_return_error (call->task, g_error_copy (error));
      call_free (call);
      return;
    }
  g_mutex_lock (&call->mutex);
  call->result = result ? json_incref (result) : NULL;
  call->error = error ? g_error_copy (error) : NULL;
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
}

/* On the driver's context. */
static gboolean
dispatch_call (gpointer data)
{
  Call *call = data;
  QvirtConnection *conn = call->conn;

  if (conn->closed)
    {
      g_autoptr(GError) error = g_error_new (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                                             "%s: the connection is closed", call->method);

      on_call_reply (NULL, error, call);
      return G_SOURCE_REMOVE;
    }
  g_ptr_array_add (conn->in_flight, call);
  if (conn->remote)
    qvirt_rpc_client_call (conn->remote, call->method, call->params, on_call_reply, call);
  else
    qvirt_rpc_session_call (conn->session, call->method, call->params, on_call_reply, call);
  return G_SOURCE_REMOVE;
}

static Call *
call_new (QvirtConnection *conn, const char *method, json_t *params)
{
  Call *call = g_new0 (Call, 1);

  call->conn = qvirt_connection_ref (conn);
  call->method = g_strdup (method);
  call->params = params ? json_incref (params) : NULL;
  call->upgrade_fd = -1;
  return call;
}

void
qvirt_connection_call_async (QvirtConnection *conn, const char *method, json_t *params,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  Call *call;

  g_return_if_fail (conn != NULL && method != NULL);

  call = call_new (conn, method, params);
  call->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (call->task, qvirt_connection_call_async);
  if (conn->thread)
    g_main_context_invoke (conn->context, dispatch_call, call);
  else
    dispatch_call (call);
}

json_t *
qvirt_connection_call_finish (QvirtConnection *conn, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static json_t *
call_and_wait (QvirtConnection *conn, const char *method, json_t *params, int upgrade_fd,
               GError **error)
{
  Call *call;
  json_t *result;

  /* From a callback on the library's own thread, waiting for that thread
   * would wait forever. */
  if (conn->thread != NULL && g_thread_self () == conn->thread)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                   "%s: a blocking call from a callback of an own-thread connection "
                   "would wait on itself; use the _async form there", method);
      if (upgrade_fd >= 0)
        close (upgrade_fd);
      return NULL;
    }
  call = call_new (conn, method, params);
  call->upgrade_fd = upgrade_fd;
  g_mutex_init (&call->mutex);
  g_cond_init (&call->cond);
  if (conn->thread)
    {
      g_main_context_invoke (conn->context, dispatch_call, call);
      g_mutex_lock (&call->mutex);
      while (!call->done)
        g_cond_wait (&call->cond, &call->mutex);
      g_mutex_unlock (&call->mutex);
    }
  else
    {
      dispatch_call (call);
      while (!call->done)
        g_main_context_iteration (conn->context, TRUE);
    }

  result = g_steal_pointer (&call->result);
  if (call->error)
    g_propagate_error (error, g_steal_pointer (&call->error));
  g_mutex_clear (&call->mutex);
  g_cond_clear (&call->cond);
  call_free (call);
  return result;
}

json_t *
qvirt_connection_call_sync (QvirtConnection *conn, const char *method, json_t *params,
                            GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (conn != NULL && method != NULL, NULL);

  return call_and_wait (conn, method, params, -1, error);
}

int
qvirt_connection_open_stream (QvirtConnection *conn, const char *method, json_t *params,
                              GError **error)
{
  g_autoptr(json_t) result = NULL;
  int pair[2];

  if (conn->flags & QVIRT_CONNECTION_FLAGS_READ_ONLY)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED,
                   "%s: not allowed on a read-only connection", method);
      return -1;
    }
  /* Remote: a connection of its own, which becomes the stream. */
  if (conn->socket_path)
    return qvirt_rpc_upgrade_to_raw (conn->socket_path, method, params,
                                     UPGRADE_TIMEOUT_MS, error);

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "socketpair: %s",
                   g_strerror (errno));
      return -1;
    }
  result = call_and_wait (conn, method, params, pair[1], error);
  if (result == NULL)
    {
      close (pair[0]);
      return -1;
    }
  return pair[0];
}

/* ------------------------------------------------------------------ */
/* Event subscriptions                                                  */

guint
qvirt_connection_subscribe_events (QvirtConnection *conn, const char *domain,
                                   QvirtEventFunc func, gpointer user_data,
                                   GDestroyNotify destroy, GError **error)
{
  g_autoptr(json_t) params = json_object ();
  g_autoptr(json_t) result = NULL;
  Subscriber *sub;
  guint id;

  g_return_val_if_fail (conn != NULL && func != NULL, 0);

  if (domain)
    json_object_set_new (params, "domain", json_string (domain));
  result = qvirt_connection_call_sync (conn, "events.subscribe", params, NULL, error);
  if (result == NULL)
    return 0;
  id = (guint) json_integer_value (json_object_get (result, "subscription"));

  sub = g_new0 (Subscriber, 1);
  sub->func = func;
  sub->user_data = user_data;
  sub->destroy = destroy;
  g_mutex_lock (&conn->lock);
  g_hash_table_insert (conn->subscribers, GUINT_TO_POINTER (id), sub);
  g_mutex_unlock (&conn->lock);
  return id;
}

typedef struct {
  QvirtConnection *conn;
  guint id;
} RemoveSubscriber;

/* On the driver's context, where notifications are delivered: a
 * subscriber is never freed while its callback runs. */
static gboolean
remove_subscriber (gpointer data)
{
  RemoveSubscriber *remove = data;
  gpointer sub = NULL;

  g_mutex_lock (&remove->conn->lock);
  if (!g_hash_table_steal_extended (remove->conn->subscribers,
                                    GUINT_TO_POINTER (remove->id), NULL, &sub))
    sub = NULL;
  g_mutex_unlock (&remove->conn->lock);
  if (sub)
    subscriber_free (sub);
  qvirt_connection_unref (remove->conn);
  g_free (remove);
  return G_SOURCE_REMOVE;
}

void
qvirt_connection_unsubscribe_events (QvirtConnection *conn, guint subscription)
{
  g_autoptr(json_t) params = json_pack ("{s:I}", "subscription", (json_int_t) subscription);
  g_autoptr(json_t) result = NULL;

  g_return_if_fail (conn != NULL);

  result = qvirt_connection_call_sync (conn, "events.unsubscribe", params, NULL, NULL);
  {
    RemoveSubscriber *remove = g_new0 (RemoveSubscriber, 1);

    remove->conn = qvirt_connection_ref (conn);
    remove->id = subscription;
    if (conn->thread)
      g_main_context_invoke (conn->context, remove_subscriber, remove);
    else
      remove_subscriber (remove);
  }
}
