/* The dispatcher: method lookup, params validation, sessions and their
 * event subscriptions. The methods themselves are in methods-*.c. */
#include "rpc/method.h"
#include "rpc/shim-launcher.h"
#include "rpc/shim-registry.h"

#include <string.h>

struct _QvirtDispatcher {
  QvirtDriver *driver;
  QvirtShimRegistry *shims;     /* domains qvirt-run shims run */
  QvirtShimLauncher *launcher;  /* NULL: the driver runs QEMU itself (embed) */
  GHashTable *methods;          /* name -> const QvirtMethod* */
};

/* An autodestroy domain this session started, as the process it was
 * then: a later run of the same domain by someone else is not ours. */
typedef struct {
  char *name;
  GPid pid;                     /* QEMU's, or the shim's when shim is set */
  gboolean shim;                /* run by a qvirt-run shim */
} OwnedDomain;

static void
owned_domain_free (OwnedDomain *owned)
{
  g_free (owned->name);
  g_free (owned);
}

typedef struct {
  QvirtRpcSession *session;     /* not a reference: the session owns us */
  guint id;                     /* the driver's subscription id */
  char *domain;                 /* NULL: every domain */
} EventSubscription;

struct _QvirtRpcSession {
  grefcount ref_count;
  QvirtDispatcher *dispatcher;
  gboolean read_only;
  gboolean closed;
  QvirtRpcNotifyFunc notify;
  gpointer notify_data;
  GPtrArray *subscriptions;     /* EventSubscription* */
  GPtrArray *owned_domains;     /* OwnedDomain*: autodestroy domains we started */
  QvirtRpcUpgrade *upgrade;     /* left by the last call, for the transport */
  GPid peer_pid;                /* the client's process, 0 if unknown */
};

static void
register_methods (QvirtDispatcher *dispatcher, const QvirtMethod *methods)
{
  for (const QvirtMethod *m = methods; m->name; m++)
    g_hash_table_insert (dispatcher->methods, (gpointer) m->name, (gpointer) m);
}

/* events.subscribe and events.unsubscribe live here: they are about the
 * session itself. */
static void handle_events_subscribe (QvirtRpcCall *call);
static void handle_events_unsubscribe (QvirtRpcCall *call);

static const QvirtParamSpec events_subscribe_params[] = {
  { "domain", QVIRT_PARAM_STRING, FALSE },
  { NULL }
};
static const QvirtParamSpec events_unsubscribe_params[] = {
  { "subscription", QVIRT_PARAM_INTEGER, TRUE },
  { NULL }
};
static const QvirtMethod event_methods[] = {
  { "events.subscribe", FALSE, events_subscribe_params, handle_events_subscribe },
  { "events.unsubscribe", FALSE, events_unsubscribe_params, handle_events_unsubscribe },
  { NULL }
};

QvirtDispatcher *
qvirt_dispatcher_new (QvirtDriver *driver)
{
  QvirtDispatcher *dispatcher = g_new0 (QvirtDispatcher, 1);

  dispatcher->driver = driver;
  dispatcher->methods = g_hash_table_new (g_str_hash, g_str_equal);
  register_methods (dispatcher, qvirt_server_methods);
  register_methods (dispatcher, event_methods);
  register_methods (dispatcher, qvirt_domain_methods);
  register_methods (dispatcher, qvirt_shim_methods);
  dispatcher->shims = qvirt_shim_registry_new (driver);
  return dispatcher;
}

void
qvirt_dispatcher_free (QvirtDispatcher *dispatcher)
{
  if (dispatcher == NULL)
    return;
  g_hash_table_destroy (dispatcher->methods);
  qvirt_shim_launcher_free (dispatcher->launcher);
  qvirt_shim_registry_free (dispatcher->shims);
  g_free (dispatcher);
}

QvirtDriver *
qvirt_dispatcher_get_driver (QvirtDispatcher *dispatcher)
{
  return dispatcher->driver;
}

static const char *
param_type_name (QvirtParamType type)
{
  switch (type)
    {
    case QVIRT_PARAM_STRING: return "string";
    case QVIRT_PARAM_BOOLEAN: return "boolean";
    case QVIRT_PARAM_INTEGER: return "integer";
    case QVIRT_PARAM_OBJECT: return "object";
    case QVIRT_PARAM_ANY: return "object or string";
    default: return "value";
    }
}

static gint
compare_method_names (gconstpointer a, gconstpointer b)
{
  const QvirtMethod *x = *(const QvirtMethod * const *) a;
  const QvirtMethod *y = *(const QvirtMethod * const *) b;

  return strcmp (x->name, y->name);
}

json_t *
qvirt_dispatcher_list_methods (QvirtDispatcher *dispatcher)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  json_t *list = json_array ();
  GHashTableIter iter;
  gpointer method;

  g_hash_table_iter_init (&iter, dispatcher->methods);
  while (g_hash_table_iter_next (&iter, NULL, &method))
    g_ptr_array_add (sorted, method);

  g_ptr_array_sort (sorted, compare_method_names);
  for (guint i = 0; i < sorted->len; i++)
    {
      const QvirtMethod *m = sorted->pdata[i];
      json_t *params = json_array ();

      for (const QvirtParamSpec *p = m->params; p && p->name; p++)
        json_array_append_new (params, json_pack ("{s:s, s:s, s:b}", "name", p->name,
                                                  "type", param_type_name (p->type),
                                                  "required", p->required));
      json_array_append_new (list, json_pack ("{s:s, s:b, s:o}", "name", m->name,
                                              "read-only", !m->changes_state,
                                              "params", params));
    }
  return list;
}

/* ------------------------------------------------------------------ */
/* Params                                                               */

static gboolean
param_has_type (json_t *value, QvirtParamType type)
{
  switch (type)
    {
    case QVIRT_PARAM_STRING:
      return json_is_string (value);
    case QVIRT_PARAM_BOOLEAN:
      return json_is_boolean (value);
    case QVIRT_PARAM_INTEGER:
      return json_is_integer (value) && json_integer_value (value) >= 0;
    case QVIRT_PARAM_OBJECT:
      return json_is_object (value);
    case QVIRT_PARAM_ANY:
      return json_is_object (value) || json_is_string (value);
    default:
      return FALSE;
    }
}

/* Checks @params against @method's declaration. */
static gboolean
validate_params (const QvirtMethod *method, json_t *params, GError **error)
{
  const char *key;
  json_t *value;

  if (!json_is_object (params))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                   "%s: params must be an object", method->name);
      return FALSE;
    }
  json_object_foreach (params, key, value)
    {
      const QvirtParamSpec *spec = NULL;

      for (const QvirtParamSpec *p = method->params; p && p->name; p++)
        if (strcmp (p->name, key) == 0)
          spec = p;
      if (spec == NULL)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                       "%s: unknown parameter '%s'", method->name, key);
          return FALSE;
        }
      if (!param_has_type (value, spec->type))
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                       "%s: parameter '%s' must be %s %s", method->name, key,
                       spec->type == QVIRT_PARAM_INTEGER ? "a non-negative"
                       : spec->type == QVIRT_PARAM_OBJECT || spec->type == QVIRT_PARAM_ANY
                         ? "an" : "a",
                       param_type_name (spec->type));
          return FALSE;
        }
    }
  for (const QvirtParamSpec *p = method->params; p && p->name; p++)
    if (p->required && json_object_get (params, p->name) == NULL)
      {
        g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                     "%s: missing parameter '%s'", method->name, p->name);
        return FALSE;
      }
  return TRUE;
}

gboolean
qvirt_dispatcher_check_params (QvirtDispatcher *dispatcher, const char *method_name,
                               json_t *params, GError **error)
{
  const QvirtMethod *method;
  g_autoptr(json_t) none = NULL;

  g_return_val_if_fail (dispatcher != NULL && method_name != NULL, FALSE);

  method = g_hash_table_lookup (dispatcher->methods, method_name);
  if (method == NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                   "unknown method '%s' (server.methods lists them)", method_name);
      return FALSE;
    }
  if (params == NULL)
    params = none = json_object ();
  return validate_params (method, params, error);
}

QvirtDriver *
qvirt_rpc_call_get_driver (QvirtRpcCall *call)
{
  return call->session->dispatcher->driver;
}

QvirtShimRegistry *
qvirt_rpc_call_get_shims (QvirtRpcCall *call)
{
  return call->session->dispatcher->shims;
}

QvirtShimLauncher *
qvirt_rpc_call_get_launcher (QvirtRpcCall *call)
{
  return call->session->dispatcher->launcher;
}

guint
qvirt_dispatcher_count_shim_domains (QvirtDispatcher *dispatcher)
{
  return qvirt_shim_registry_count (dispatcher->shims);
}

void
qvirt_dispatcher_launch_with_shims (QvirtDispatcher *dispatcher, const char *shim_binary,
                                    const char *register_uri)
{
  g_clear_pointer (&dispatcher->launcher, qvirt_shim_launcher_free);
  dispatcher->launcher = qvirt_shim_launcher_new (dispatcher->driver, shim_binary,
                                                  register_uri);
}

const char *
qvirt_rpc_call_get_string (QvirtRpcCall *call, const char *name)
{
  return json_string_value (json_object_get (call->params, name));
}

gboolean
qvirt_rpc_call_get_boolean (QvirtRpcCall *call, const char *name, gboolean fallback)
{
  json_t *value = json_object_get (call->params, name);

  return value ? json_is_true (value) : fallback;
}

guint64
qvirt_rpc_call_get_uint (QvirtRpcCall *call, const char *name, guint64 fallback)
{
  json_t *value = json_object_get (call->params, name);

  return value ? (guint64) json_integer_value (value) : fallback;
}

json_t *
qvirt_rpc_call_get_json (QvirtRpcCall *call, const char *name)
{
  return json_object_get (call->params, name);
}

/* ------------------------------------------------------------------ */
/* Sessions and calls                                                   */

static QvirtRpcSession *
session_ref (QvirtRpcSession *session)
{
  g_ref_count_inc (&session->ref_count);
  return session;
}

static void
session_unref (QvirtRpcSession *session)
{
  if (!g_ref_count_dec (&session->ref_count))
    return;
  g_ptr_array_free (session->subscriptions, TRUE);
  g_ptr_array_free (session->owned_domains, TRUE);
  g_clear_pointer (&session->upgrade, qvirt_rpc_upgrade_free);
  g_free (session);
}

static void
call_free (QvirtRpcCall *call)
{
  session_unref (call->session);
  json_decref (call->params);
  g_free (call);
}

void
qvirt_rpc_call_return (QvirtRpcCall *call, json_t *result)
{
  if (!call->session->closed)
    call->reply (result, NULL, call->user_data);
  json_decref (result);
  call_free (call);
}

void
qvirt_rpc_call_return_error (QvirtRpcCall *call, GError *error)
{
  if (!call->session->closed)
    call->reply (NULL, error, call->user_data);
  g_error_free (error);
  call_free (call);
}

QvirtRpcSession *
qvirt_rpc_session_new (QvirtDispatcher *dispatcher, gboolean read_only,
                       QvirtRpcNotifyFunc notify, gpointer user_data)
{
  QvirtRpcSession *session = g_new0 (QvirtRpcSession, 1);

  g_ref_count_init (&session->ref_count);
  session->dispatcher = dispatcher;
  session->read_only = read_only;
  session->notify = notify;
  session->notify_data = user_data;
  session->subscriptions = g_ptr_array_new ();
  session->owned_domains = g_ptr_array_new_with_free_func ((GDestroyNotify) owned_domain_free);
  return session;
}

json_t *
qvirt_rpc_session_list_methods (QvirtRpcSession *session)
{
  return qvirt_dispatcher_list_methods (session->dispatcher);
}

gboolean
qvirt_rpc_session_is_read_only (QvirtRpcSession *session)
{
  return session->read_only;
}

void
qvirt_rpc_session_set_peer_pid (QvirtRpcSession *session, GPid pid)
{
  session->peer_pid = pid;
}

GPid
qvirt_rpc_session_get_peer_pid (QvirtRpcSession *session)
{
  return session->peer_pid;
}

void
qvirt_rpc_session_set_read_only (QvirtRpcSession *session)
{
  session->read_only = TRUE;
}

QvirtRpcUpgrade *
qvirt_rpc_upgrade_new (gboolean (*attach) (gpointer data, int fd, GError **error),
                       gpointer data, GDestroyNotify destroy)
{
  QvirtRpcUpgrade *upgrade = g_new0 (QvirtRpcUpgrade, 1);

  upgrade->attach = attach;
  upgrade->data = data;
  upgrade->destroy = destroy;
  return upgrade;
}

void
qvirt_rpc_upgrade_free (QvirtRpcUpgrade *upgrade)
{
  if (upgrade == NULL)
    return;
  if (upgrade->destroy)
    upgrade->destroy (upgrade->data);
  g_free (upgrade);
}

gboolean
qvirt_rpc_upgrade_run (QvirtRpcUpgrade *upgrade, int fd, GError **error)
{
  gboolean ok = upgrade->attach (upgrade->data, fd, error);

  qvirt_rpc_upgrade_free (upgrade);
  return ok;
}

void
qvirt_rpc_session_set_upgrade (QvirtRpcSession *session, QvirtRpcUpgrade *upgrade)
{
  g_clear_pointer (&session->upgrade, qvirt_rpc_upgrade_free);
  session->upgrade = upgrade;
}

QvirtRpcUpgrade *
qvirt_rpc_session_take_upgrade (QvirtRpcSession *session)
{
  return g_steal_pointer (&session->upgrade);
}

void
qvirt_rpc_session_own_shim_domain (QvirtRpcSession *session, const char *name)
{
  GPid pid = qvirt_shim_registry_get_pid (session->dispatcher->shims, name);
  OwnedDomain *owned;

  if (pid <= 0)
    return;
  owned = g_new0 (OwnedDomain, 1);
  owned->name = g_strdup (name);
  owned->pid = pid;
  owned->shim = TRUE;
  g_ptr_array_add (session->owned_domains, owned);
}

void
qvirt_rpc_session_own_domain (QvirtRpcSession *session, const char *name)
{
  g_autoptr(QvirtDriverDomainInfo) info =
    qvirt_driver_get_info (session->dispatcher->driver, name, NULL);
  OwnedDomain *owned;

  if (info == NULL || info->pid <= 0)
    return;
  owned = g_new0 (OwnedDomain, 1);
  owned->name = g_strdup (name);
  owned->pid = info->pid;
  g_ptr_array_add (session->owned_domains, owned);
}

void
qvirt_rpc_session_call (QvirtRpcSession *session, const char *method_name, json_t *params,
                        QvirtRpcReplyFunc reply, gpointer user_data)
{
  const QvirtMethod *method;
  g_autoptr(GError) error = NULL;
  QvirtRpcCall *call;

  g_return_if_fail (session != NULL && !session->closed);
  g_return_if_fail (method_name != NULL && reply != NULL);

  method = g_hash_table_lookup (session->dispatcher->methods, method_name);
  if (method == NULL)
    {
      g_set_error (&error, QVIRT_ERROR, QVIRT_ERROR_PROTOCOL,
                   "unknown method '%s' (server.methods lists them)", method_name);
      reply (NULL, error, user_data);
      return;
    }
  if (method->changes_state && session->read_only)
    {
      g_set_error (&error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED,
                   "%s: not allowed on a read-only connection", method_name);
      reply (NULL, error, user_data);
      return;
    }
  if (params == NULL)
    params = json_object ();
  else
    json_incref (params);
  if (!validate_params (method, params, &error))
    {
      json_decref (params);
      reply (NULL, error, user_data);
      return;
    }

  call = g_new0 (QvirtRpcCall, 1);
  call->session = session_ref (session);
  call->method = method;
  call->params = params;
  call->reply = reply;
  call->user_data = user_data;
  /* A domain a qvirt-run shim runs is the shim's to answer for. */
  if (qvirt_shim_registry_forward (session->dispatcher->shims, call))
    return;
  method->handler (call);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

static void
on_driver_event (QvirtDriver *driver, const QvirtDriverEvent *event, gpointer user_data)
{
  EventSubscription *sub = user_data;
  QvirtRpcSession *session = sub->session;
  g_autoptr(json_t) params = NULL;

  if (session->closed || session->notify == NULL)
    return;
  if (sub->domain && strcmp (sub->domain, event->domain) != 0 &&
      !qvirt_uuid_equal (sub->domain, event->uuid))
    return;

  params = json_pack ("{s:I, s:s, s:s, s:s, s:I}",
                      "subscription", (json_int_t) sub->id,
                      "domain", event->domain,
                      "uuid", event->uuid,
                      "event", event->event,
                      "timestamp", (json_int_t) event->timestamp_us);
  if (event->detail)
    json_object_set_new (params, "detail", json_string (event->detail));
  if (event->qmp_data)
    {
      json_object_set_new (params, "kind", json_string ("qmp"));
      json_object_set (params, "data", event->qmp_data);
    }
  else
    json_object_set_new (params, "kind", json_string ("lifecycle"));
  session->notify ("event", params, session->notify_data);
}

static void
event_subscription_free (EventSubscription *sub)
{
  g_free (sub->domain);
  g_free (sub);
}

static void
handle_events_subscribe (QvirtRpcCall *call)
{
  QvirtRpcSession *session = call->session;
  const char *domain = qvirt_rpc_call_get_string (call, "domain");
  EventSubscription *sub = g_new0 (EventSubscription, 1);

  sub->session = session;
  sub->domain = g_strdup (domain);
  sub->id = qvirt_driver_subscribe (session->dispatcher->driver, on_driver_event, sub,
                                    (GDestroyNotify) event_subscription_free);
  g_ptr_array_add (session->subscriptions, sub);
  qvirt_rpc_call_return (call, json_pack ("{s:I}", "subscription", (json_int_t) sub->id));
}

static void
handle_events_unsubscribe (QvirtRpcCall *call)
{
  QvirtRpcSession *session = call->session;
  guint64 id = qvirt_rpc_call_get_uint (call, "subscription", 0);

  for (guint i = 0; i < session->subscriptions->len; i++)
    {
      EventSubscription *sub = session->subscriptions->pdata[i];

      if (sub->id == id)
        {
          g_ptr_array_remove_index (session->subscriptions, i);
          qvirt_driver_unsubscribe (session->dispatcher->driver, (guint) id);
          qvirt_rpc_call_return (call, json_object ());
          return;
        }
    }
  qvirt_rpc_call_return_error (call,
    g_error_new (QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                 "events.unsubscribe: no subscription %" G_GUINT64_FORMAT
                 " on this connection", id));
}

void
qvirt_rpc_session_close (QvirtRpcSession *session)
{
  QvirtDriver *driver;

  if (session == NULL)
    return;
  driver = session->dispatcher->driver;
  session->closed = TRUE;
  qvirt_shim_registry_session_closed (session->dispatcher->shims, session);
  for (guint i = 0; i < session->subscriptions->len; i++)
    {
      EventSubscription *sub = session->subscriptions->pdata[i];

      qvirt_driver_unsubscribe (driver, sub->id);
    }
  g_ptr_array_set_size (session->subscriptions, 0);
  /* Autodestroy domains die with the connection that started them. */
  for (guint i = 0; i < session->owned_domains->len; i++)
    {
      OwnedDomain *owned = session->owned_domains->pdata[i];
      g_autoptr(QvirtDriverDomainInfo) info = NULL;

      if (owned->shim)
        {
          qvirt_shim_registry_destroy (session->dispatcher->shims, owned->name, owned->pid);
          continue;
        }
      info = qvirt_driver_get_info (driver, owned->name, NULL);
      if (info && info->autodestroy && info->pid == owned->pid)
        qvirt_driver_destroy_async (driver, owned->name, NULL, NULL, NULL);
    }
  session_unref (session);
}
