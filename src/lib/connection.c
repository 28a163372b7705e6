/* QvirtConnection: the in-process transport to the method table.
 *
 * An embed connection opens the driver in this process and keeps one RPC
 * session on it; a call is handed to that session as JSON, exactly as a
 * socket transport would hand it, so embedded and remote use behave the
 * same.
 *
 * The driver lives on one GMainContext: the caller's (same-thread mode)
 * or a private one run by a thread the library owns (own-thread mode).
 * In own-thread mode every call crosses to that thread with
 * g_main_context_invoke() and its result comes back through a GTask
 * (async, to the caller's context) or a mutex and condition (sync).
 */
#include "lib/connection-private.h"

#include <string.h>

#include "qemu/driver.h"
#include "rpc/dispatcher.h"

struct _QvirtConnection {
  grefcount ref_count;
  QvirtConnectionFlags flags;
  char *uri;

  /* Where the driver runs. */
  GMainContext *context;
  GThread *thread;              /* own-thread mode only */
  GMainLoop *loop;              /* own-thread mode only */

  /* Touched only on the driver's context. */
  QvirtDriver *driver;
  QvirtDispatcher *dispatcher;
  QvirtRpcSession *session;
  GPtrArray *in_flight;         /* Call*: answered with CLOSED on close */
  gboolean closed;

  GMutex lock;                  /* guards subscribers (own-thread mode) */
  GHashTable *subscribers;      /* server subscription id -> Subscriber */
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
/* Opening and closing, on the driver's context                         */

typedef struct {
  QvirtConnection *conn;
  GError *error;
  gboolean done;
  GMutex mutex;
  GCond cond;
} OpenRequest;

static gboolean
open_driver (QvirtConnection *conn, GError **error)
{
  conn->driver = qvirt_driver_open (conn->uri, NULL, error);
  if (conn->driver == NULL)
    return FALSE;
  conn->dispatcher = qvirt_dispatcher_new (conn->driver);
  conn->session = qvirt_rpc_session_new (conn->dispatcher,
                                         (conn->flags & QVIRT_CONNECTION_FLAGS_READ_ONLY) != 0,
                                         on_notification, conn);
  return TRUE;
}

static void
close_driver (QvirtConnection *conn)
{
  g_autoptr(GError) closed = g_error_new_literal (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                                                  "the connection was closed");

  conn->closed = TRUE;
  /* The session drops replies from now on: answer what is in flight. */
  g_clear_pointer (&conn->session, qvirt_rpc_session_close);
  while (conn->in_flight->len > 0)
    on_call_reply (NULL, closed, conn->in_flight->pdata[conn->in_flight->len - 1]);
  g_clear_pointer (&conn->dispatcher, qvirt_dispatcher_free);
  g_clear_pointer (&conn->driver, qvirt_driver_close);
}

/* The library's thread: open the driver on a private context, report,
 * then serve until the connection closes. QEMUs it spawns with
 * autodestroy are tied to this thread's life (PR_SET_PDEATHSIG). */
static gpointer
driver_thread (gpointer data)
{
  OpenRequest *request = data;
  QvirtConnection *conn = request->conn;
  gboolean ok;

  g_main_context_push_thread_default (conn->context);
  ok = open_driver (conn, &request->error);

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

  if (!(flags & QVIRT_CONNECTION_FLAGS_OWN_THREAD))
    {
      conn->context = g_main_context_ref_thread_default ();
      if (!open_driver (conn, error))
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
    conn->thread = g_thread_new ("qvirt-driver", driver_thread, &request);

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

  close_driver (conn);
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
        close_driver (conn);
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
  g_hash_table_destroy (conn->subscribers);
  g_ptr_array_free (conn->in_flight, TRUE);
  g_mutex_clear (&conn->lock);
  g_clear_pointer (&conn->loop, g_main_loop_unref);
  g_main_context_unref (conn->context);
  g_free (conn->uri);
  g_free (conn);
}

const char *
qvirt_connection_get_uri (QvirtConnection *conn)
{
  return conn->driver ? qvirt_driver_get_uri (conn->driver) : conn->uri;
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

static void
on_call_reply (json_t *result, const GError *error, gpointer user_data)
{
  Call *call = user_data;

  g_ptr_array_remove_fast (call->conn->in_flight, call);
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

json_t *
qvirt_connection_call_sync (QvirtConnection *conn, const char *method, json_t *params,
                            GCancellable *cancellable, GError **error)
{
  Call *call;
  json_t *result;

  g_return_val_if_fail (conn != NULL && method != NULL, NULL);

  call = call_new (conn, method, params);
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
