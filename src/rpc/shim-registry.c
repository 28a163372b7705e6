/* Domains that qvirt-run shims run (see shim-registry.h).
 *
 * One Claim per registered domain: the name and UUID are reserved in the
 * driver (so define and create refuse them), a file under run/shims/
 * keeps the claim across server restarts, a pidfd watch ends it when the
 * shim exits, and a QvirtRpcClient on the shim's socket carries forwarded
 * calls and brings the shim's events back.
 */
#define G_LOG_DOMAIN "qvirt-rpc"

#include "rpc/shim-registry.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu/console.h"
#include "qemu/process.h"
#include "rpc/client.h"
#include "util/atomic-file.h"
#include "util/json-autoptr.h"
#include "util/proc.h"

/* How long the server waits for a shim to open its console; it goes on
 * serving everyone else meanwhile. The shim is local and answers at once,
 * unless it is stuck. */
#define SHIM_CONSOLE_TIMEOUT_MS 5000

typedef struct _Claim Claim;

struct _QvirtShimRegistry {
  QvirtDriver *driver;
  char *dir;                     /* RUNTIME/shims */
  GHashTable *claims;            /* name -> Claim* */
};

struct _Claim {
  QvirtShimRegistry *registry;
  char *name;
  char *uuid;
  char *socket_path;
  char *file_path;
  GPid pid;
  guint64 start_time;
  QvirtRpcSession *session;      /* not a reference; NULL while the shim is away */
  QvirtRpcClient *client;        /* to the shim; NULL until needed, or after it broke */
  QvirtProcessWatch *watch;
  GPtrArray *forwards;           /* Forward*: calls the shim has not answered */
  gboolean saw_stopped;          /* the shim reported its domain's end */
  gboolean ended;                /* the name is free again; the claim only
                                    lives on for calls still in flight */

  /* What domain.info answers without asking the shim: its last answer,
   * refreshed after every lifecycle event and every call that may change
   * the domain. Events wait (held_events) until the refresh that follows
   * them is back, so that whoever reacts to an event reads a state at
   * least as new; replies of such calls wait the same way. */
  json_t *info;
  GQueue held_events;            /* json_t*: event params, in order */
  guint refreshing;              /* domain.info requests in flight */
  GPtrArray *refreshes;          /* Refresh*: those requests */
  gboolean foreign_pids;         /* the shim's pids are of another namespace */
  json_int_t inner_qemu_pid;     /* with foreign_pids: the last QEMU pid */
  json_int_t outer_qemu_pid;     /* translated (0: not found) */
};

typedef struct {
  Claim *claim;
  QvirtRpcCall *call;
  QvirtRpcPendingUpgrade *console;  /* domain.openConsole: the shim's answer */
} Forward;

typedef struct {
  Claim *claim;
  Forward *forward;              /* a call to answer once refreshed, or NULL */
  json_t *result;                /* its result, or NULL with error */
  GError *error;
  void (*done) (gpointer user_data);   /* or this to call, or NULL */
  gpointer done_data;
} Refresh;

static char *
holder_text (GPid pid)
{
  return g_strdup_printf ("qvirt-run (pid %d)", (int) pid);
}

/* ------------------------------------------------------------------ */
/* Claims                                                               */

static void
forward_answer_closed (Forward *forward)
{
  qvirt_rpc_pending_upgrade_cancel (forward->console);
  qvirt_rpc_call_return_error (forward->call,
                               g_error_new (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                                            "domain '%s': its qvirt-run (pid %d) is gone",
                                            forward->claim->name, (int) forward->claim->pid));
  g_free (forward);
}

static void refresh_free (Refresh *refresh);

static void
claim_free (Claim *claim)
{
  /* Refreshes first: their forwards are answered just below. */
  while (claim->refreshes->len > 0)
    {
      Refresh *refresh = g_ptr_array_steal_index_fast (claim->refreshes, 0);

      if (refresh->done != NULL)
        refresh->done (refresh->done_data);
      refresh_free (refresh);
    }
  g_ptr_array_unref (claim->refreshes);
  /* Calls in flight to a shim that is gone still get an answer. */
  while (claim->forwards->len > 0)
    forward_answer_closed (g_ptr_array_steal_index_fast (claim->forwards, 0));
  g_ptr_array_unref (claim->forwards);
  g_clear_pointer (&claim->client, qvirt_rpc_client_free);
  g_clear_pointer (&claim->info, json_decref);
  g_queue_clear_full (&claim->held_events, (GDestroyNotify) json_decref);
  g_clear_pointer (&claim->watch, qvirt_process_watch_free);
  g_free (claim->name);
  g_free (claim->uuid);
  g_free (claim->socket_path);
  g_free (claim->file_path);
  g_free (claim);
}

static gboolean
claim_save (Claim *claim, GError **error)
{
  g_autoptr(json_t) json = json_pack ("{s:s, s:s, s:s, s:I, s:I}",
                                      "name", claim->name, "uuid", claim->uuid,
                                      "socket", claim->socket_path,
                                      "pid", (json_int_t) claim->pid,
                                      "start-time", (json_int_t) claim->start_time);
  g_autofree char *text = json_dumps (json, JSON_COMPACT);

  if (g_mkdir_with_parents (claim->registry->dir, 0700) < 0)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "cannot create %s: %s",
                   claim->registry->dir, g_strerror (errno));
      return FALSE;
    }
  return qvirt_file_replace_atomic (claim->file_path, text, -1, 0600, error);
}

/* The domain is over (the shim said so, or exited): the name and UUID
 * are free at once, though calls in flight may still be answered. */
static void
claim_end (Claim *claim)
{
  if (claim->ended)
    return;
  claim->ended = TRUE;
  g_unlink (claim->file_path);
  qvirt_driver_release (claim->registry->driver, claim->name);
}

/* The shim exited: the claim goes. */
static void
claim_release (Claim *claim)
{
  QvirtShimRegistry *registry = claim->registry;

  /* What the shim sent just before it exited may still wait in the
   * socket: the replies to calls (domain.destroy: the shim exits right
   * after answering it) and the end of its domain. Read it first, or
   * those calls would fail and the domain would read as crashed. */
  if (claim->client != NULL)
    qvirt_rpc_client_drain (claim->client);
  if (!claim->saw_stopped && !claim->ended)
    {
      /* A shim killed before it could say so: its QEMU died with it. */
      QvirtDriverEvent event = {
        .domain = claim->name,
        .event = "stopped",
        .detail = "crashed",
        .timestamp_us = g_get_real_time (),
      };

      qvirt_driver_emit_external (registry->driver, &event);
    }
  g_info ("domain '%s': its qvirt-run (pid %d) exited", claim->name, (int) claim->pid);
  claim_end (claim);
  g_hash_table_remove (registry->claims, claim->name);
}

static void
on_shim_exit (GPid pid, int wait_status, gpointer user_data)
{
  claim_release (user_data);
}

static Claim *
claim_new (QvirtShimRegistry *registry, const char *name, const char *uuid,
           const char *socket_path, GPid pid, guint64 start_time, GError **error)
{
  g_autofree char *holder = holder_text (pid);
  g_autofree char *file_name = g_strconcat (name, ".json", NULL);
  Claim *claim;

  if (!qvirt_driver_reserve (registry->driver, name, uuid, holder, error))
    return NULL;
  claim = g_new0 (Claim, 1);
  claim->registry = registry;
  claim->name = g_strdup (name);
  claim->uuid = g_strdup (uuid);
  claim->socket_path = g_strdup (socket_path);
  claim->file_path = g_build_filename (registry->dir, file_name, NULL);
  claim->pid = pid;
  claim->start_time = start_time;
  claim->forwards = g_ptr_array_new ();
  claim->refreshes = g_ptr_array_new ();
  claim->watch = qvirt_process_watch_new (pid, FALSE,
                                          qvirt_driver_get_context (registry->driver),
                                          on_shim_exit, claim, error);
  if (claim->watch == NULL)
    {
      qvirt_driver_release (registry->driver, name);
      claim_free (claim);
      return NULL;
    }
  g_hash_table_insert (registry->claims, claim->name, claim);
  return claim;
}

/* ------------------------------------------------------------------ */
/* The connection to a shim                                             */

/* The shim's events, as the server's own. */
static void
claim_emit (Claim *claim, json_t *params)
{
  const char *kind = json_string_value (json_object_get (params, "kind"));
  QvirtDriverEvent event = {
    .domain = claim->name,
    .uuid = claim->uuid,
    .event = json_string_value (json_object_get (params, "event")),
    .detail = json_string_value (json_object_get (params, "detail")),
    .timestamp_us = json_integer_value (json_object_get (params, "timestamp")),
  };

  if (event.event == NULL)
    return;
  if (g_strcmp0 (kind, "qmp") == 0)
    event.qmp_data = json_object_get (params, "data");
  else if (g_str_equal (event.event, "stopped"))
    claim->saw_stopped = TRUE;
  qvirt_driver_emit_external (claim->registry->driver, &event);
  /* Its QEMU is gone and the shim is on its way out: from now on the
   * name is the server's again (a persistent domain reads shut off). */
  if (claim->saw_stopped)
    claim_end (claim);
}

static void
claim_flush_events (Claim *claim)
{
  json_t *params;

  while ((params = g_queue_pop_head (&claim->held_events)) != NULL)
    {
      claim_emit (claim, params);
      json_decref (params);
    }
}

static json_t *owner_json (Claim *claim);
static void forward_answer (Forward *forward, json_t *result, const GError *error);

static void
refresh_free (Refresh *refresh)
{
  g_clear_pointer (&refresh->result, json_decref);
  g_clear_error (&refresh->error);
  g_free (refresh);
}

/* A shim in a pid namespace of its own names its QEMU by that
 * namespace's number: @info gets ours, its child of that number, or no
 * pid when there is none. */
static void
translate_qemu_pid (Claim *claim, json_t *info)
{
  json_int_t pid = json_integer_value (json_object_get (info, "pid"));

  if (!claim->foreign_pids || pid <= 0)
    return;
  if (pid != claim->inner_qemu_pid)
    {
      claim->inner_qemu_pid = pid;
      claim->outer_qemu_pid = qvirt_proc_find_child_by_inner_pid (claim->pid, (pid_t) pid);
    }
  if (claim->outer_qemu_pid > 0)
    json_object_set_new (info, "pid", json_integer (claim->outer_qemu_pid));
  else
    json_object_del (info, "pid");
}

static void
on_refreshed (json_t *result, const GError *error, gpointer user_data)
{
  Refresh *refresh = user_data;
  Claim *claim = refresh->claim;

  g_ptr_array_remove_fast (claim->refreshes, refresh);
  claim->refreshing--;
  if (result != NULL && json_is_object (result))
    {
      g_autoptr(QvirtDriverDomainInfo) ours =
        qvirt_driver_get_info (claim->registry->driver, claim->name, NULL);

      g_clear_pointer (&claim->info, json_decref);
      claim->info = json_deep_copy (result);
      translate_qemu_pid (claim, claim->info);
      json_object_set_new (claim->info, "owner", owner_json (claim));
      /* Our definition, run by the shim: persistent here. */
      if (ours != NULL && ours->persistent)
        json_object_set_new (claim->info, "persistent", json_true ());
    }
  /* Everything the shim sent before this answer is reflected in it. */
  claim_flush_events (claim);
  if (refresh->forward != NULL)
    forward_answer (refresh->forward, refresh->result, refresh->error);
  if (refresh->done != NULL)
    refresh->done (refresh->done_data);
  refresh_free (refresh);
}

/* Asks the shim for its domain's state; then releases held events and
 * answers @forward (if set) with @result or @error. */
static void
claim_refresh_full (Claim *claim, Forward *forward, json_t *result, const GError *error,
                    void (*done) (gpointer user_data), gpointer done_data)
{
  Refresh *refresh = g_new0 (Refresh, 1);
  g_autoptr(json_t) params = json_pack ("{s:s}", "name", claim->name);

  refresh->claim = claim;
  refresh->forward = forward;
  refresh->result = result ? json_incref (result) : NULL;
  refresh->error = error ? g_error_copy (error) : NULL;
  refresh->done = done;
  refresh->done_data = done_data;
  g_ptr_array_add (claim->refreshes, refresh);
  if (claim->client == NULL)
    {
      claim->refreshing++;
      on_refreshed (NULL, NULL, refresh);
      return;
    }
  claim->refreshing++;
  qvirt_rpc_client_call (claim->client, "domain.info", params, on_refreshed, refresh);
}

static void
claim_refresh (Claim *claim, Forward *forward, json_t *result, const GError *error)
{
  claim_refresh_full (claim, forward, result, error, NULL, NULL);
}

static void
on_shim_notification (const char *method, json_t *params, gpointer user_data)
{
  Claim *claim = user_data;
  gboolean lifecycle = g_strcmp0 (json_string_value (json_object_get (params, "kind")),
                                  "lifecycle") == 0;

  if (!g_str_equal (method, "event"))
    return;
  if (!lifecycle && claim->refreshing == 0 && g_queue_is_empty (&claim->held_events))
    {
      claim_emit (claim, params);
      return;
    }
  g_queue_push_tail (&claim->held_events, json_incref (params));
  if (lifecycle)
    claim_refresh (claim, NULL, NULL, NULL);
}

static void
on_subscribed (json_t *result, const GError *error, gpointer user_data)
{
  if (error)
    g_info ("cannot follow the events of a qvirt-run: %s", error->message);
}

static void
on_shim_closed (const GError *reason, gpointer user_data)
{
  Claim *claim = user_data;

  /* The next forwarded call reconnects; the pidfd says when it is gone. */
  g_debug ("domain '%s': connection to its qvirt-run lost: %s", claim->name,
           reason->message);
  g_clear_pointer (&claim->client, qvirt_rpc_client_free);
}

static gboolean
claim_connect (Claim *claim, GError **error)
{
  g_autoptr(json_t) params = NULL;

  if (claim->client != NULL)
    return TRUE;
  claim->client = qvirt_rpc_client_connect (claim->socket_path, on_shim_notification,
                                            on_shim_closed, claim, error);
  if (claim->client == NULL)
    return FALSE;
  params = json_pack ("{s:s}", "domain", claim->name);
  qvirt_rpc_client_call (claim->client, "events.subscribe", params, on_subscribed, NULL);
  claim_refresh (claim, NULL, NULL, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Forwarding                                                           */

static json_t *
owner_json (Claim *claim)
{
  return json_pack ("{s:s, s:I, s:s}", "kind", "qvirt-run", "pid", (json_int_t) claim->pid,
                    "socket", claim->socket_path);
}

static void
forward_answer (Forward *forward, json_t *result, const GError *error)
{
  Claim *claim = forward->claim;

  g_ptr_array_remove_fast (claim->forwards, forward);
  if (error != NULL)
    qvirt_rpc_call_return_error (forward->call, g_error_copy (error));
  else
    {
      json_t *answer = json_incref (result);

      if (g_str_equal (forward->call->method->name, "domain.info") && json_is_object (answer))
        {
          translate_qemu_pid (claim, answer);
          json_object_set_new (answer, "owner", owner_json (claim));
        }
      qvirt_rpc_call_return (forward->call, answer);
    }
  g_free (forward);
}

static void
on_forward_reply (json_t *result, const GError *error, gpointer user_data)
{
  Forward *forward = user_data;
  const char *method = forward->call->method->name;

  /* A call that may have changed the domain is answered once the cache
   * (and the events before it) caught up. */
  if (g_str_equal (method, "domain.info") || g_str_equal (method, "domain.getXml") ||
      forward->claim->client == NULL)
    forward_answer (forward, result, error);
  else
    claim_refresh (forward->claim, forward, result, error);
}

/* domain.info from the cache, with a fresh CPU time (readable here for
 * any process; the cached pid is already ours). */
static json_t *
cached_info (Claim *claim)
{
  /* A shallow copy: only a top-level field changes; the rest is shared
   * read-only with the cache. */
  json_t *info = json_copy (claim->info);
  json_int_t pid = json_integer_value (json_object_get (info, "pid"));
  guint64 cpu_time_ns;

  if (pid > 0 && qvirt_proc_get_cpu_time_ns ((pid_t) pid, &cpu_time_ns, NULL))
    json_object_set_new (info, "cpu-time-ns", json_integer ((json_int_t) cpu_time_ns));
  return info;
}

static Claim *
find_claim (QvirtShimRegistry *registry, const char *name_or_uuid)
{
  GHashTableIter iter;
  Claim *claim;

  if (name_or_uuid == NULL)
    return NULL;
  claim = g_hash_table_lookup (registry->claims, name_or_uuid);
  if (claim != NULL)
    return claim->ended ? NULL : claim;
  g_hash_table_iter_init (&iter, registry->claims);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &claim))
    if (!claim->ended && qvirt_uuid_equal (claim->uuid, name_or_uuid))
      return claim;
  return NULL;
}

typedef struct {
  int stream_fd;
  GMainContext *context;
} ConsoleRelay;

static gboolean
attach_relay (gpointer data, int fd, GError **error)
{
  ConsoleRelay *relay = data;

  qvirt_console_relay (relay->stream_fd, fd, relay->context);
  relay->stream_fd = -1;
  return TRUE;
}

static void
console_relay_free (gpointer data)
{
  ConsoleRelay *relay = data;

  if (relay->stream_fd >= 0)
    close (relay->stream_fd);
  g_free (relay);
}

static void
on_console_opened (int fd, const GError *error, gpointer user_data)
{
  Forward *forward = user_data;
  Claim *claim = forward->claim;
  ConsoleRelay *relay;

  forward->console = NULL;
  g_ptr_array_remove_fast (claim->forwards, forward);
  if (fd < 0)
    {
      /* The transport's timeout names a socket; ours names the domain. */
      if (g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_TIMEOUT))
        qvirt_rpc_call_return_error (forward->call,
                                     g_error_new (QVIRT_ERROR, QVIRT_ERROR_TIMEOUT,
                                                  "domain '%s': its qvirt-run (pid %d) did "
                                                  "not open the console within %d ms",
                                                  claim->name, (int) claim->pid,
                                                  SHIM_CONSOLE_TIMEOUT_MS));
      else
        qvirt_rpc_call_return_error (forward->call, g_error_copy (error));
      g_free (forward);
      return;
    }
  relay = g_new0 (ConsoleRelay, 1);
  relay->stream_fd = fd;
  relay->context = qvirt_driver_get_context (claim->registry->driver);
  qvirt_rpc_session_set_upgrade (forward->call->session,
                                 qvirt_rpc_upgrade_new (attach_relay, relay,
                                                        console_relay_free));
  qvirt_rpc_call_return (forward->call, json_pack ("{s:s}", "stream", "console"));
  g_free (forward);
}

/* A console through the shim: our client's connection and one of ours to
 * the shim become raw streams, relayed both ways. The call is answered
 * once the shim has answered; the server serves on meanwhile. */
static void
forward_open_console (Claim *claim, QvirtRpcCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) params = json_pack ("{s:s}", "name", claim->name);
  Forward *forward = g_new0 (Forward, 1);

  forward->claim = claim;
  forward->call = call;
  forward->console = qvirt_rpc_upgrade_to_raw_async (
    claim->socket_path, "domain.openConsole", params, SHIM_CONSOLE_TIMEOUT_MS,
    qvirt_driver_get_context (claim->registry->driver), on_console_opened, forward, &error);
  if (forward->console == NULL)
    {
      qvirt_rpc_call_return_error (call, g_error_new (error->domain, error->code,
                                                      "domain '%s': its qvirt-run (pid %d) "
                                                      "does not answer: %s", claim->name,
                                                      (int) claim->pid, error->message));
      g_free (forward);
      return;
    }
  /* Tests wait for this line to know the open is in flight. */
  g_debug ("domain '%s': waiting for its qvirt-run (pid %d) to open the console",
           claim->name, (int) claim->pid);
  g_ptr_array_add (claim->forwards, forward);
}

gboolean
qvirt_shim_registry_forward (QvirtShimRegistry *registry, QvirtRpcCall *call)
{
  Claim *claim;
  GError *error = NULL;
  g_autoptr(json_t) params = NULL;
  Forward *forward;

  if (!g_str_has_prefix (call->method->name, "domain."))
    return FALSE;
  claim = find_claim (registry, qvirt_rpc_call_get_string (call, "name"));
  if (claim == NULL)
    return FALSE;

  if (g_str_equal (call->method->name, "domain.openConsole"))
    {
      forward_open_console (claim, call);
      return TRUE;
    }
  if (g_str_equal (call->method->name, "domain.info") && claim->info != NULL)
    {
      qvirt_rpc_call_return (call, cached_info (claim));
      return TRUE;
    }
  if (g_str_equal (call->method->name, "domain.undefine"))
    {
      g_autoptr(QvirtDriverDomainInfo) ours =
        qvirt_driver_get_info (registry->driver, claim->name, NULL);

      /* Our definition, which the shim runs: ours to remove (the method
       * does), and the domain runs on as a transient one. */
      if (ours != NULL && ours->persistent)
        {
          if (claim->info != NULL)
            json_object_set_new (claim->info, "persistent", json_false ());
          return FALSE;
        }
    }
  if (!claim_connect (claim, &error))
    {
      qvirt_rpc_call_return_error (call, g_error_new (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                                                      "domain '%s': its qvirt-run (pid %d) "
                                                      "does not answer: %s", claim->name,
                                                      (int) claim->pid, error->message));
      g_error_free (error);
      return TRUE;
    }
  /* The shim knows its domain by name: a UUID is translated. */
  params = json_deep_copy (call->params);
  json_object_set_new (params, "name", json_string (claim->name));
  forward = g_new0 (Forward, 1);
  forward->claim = claim;
  forward->call = call;
  g_ptr_array_add (claim->forwards, forward);
  qvirt_rpc_client_call (claim->client, call->method->name, params, on_forward_reply, forward);
  return TRUE;
}

static void
on_destroy_sent (json_t *result, const GError *error, gpointer user_data)
{
  if (error != NULL)
    g_info ("autodestroy through a qvirt-run: %s", error->message);
}

void
qvirt_shim_registry_sync (QvirtShimRegistry *registry, const char *name,
                          void (*done) (gpointer user_data), gpointer user_data)
{
  Claim *claim = find_claim (registry, name);

  if (claim == NULL || !claim_connect (claim, NULL))
    {
      done (user_data);
      return;
    }
  claim_refresh_full (claim, NULL, NULL, NULL, done, user_data);
}

guint
qvirt_shim_registry_count (QvirtShimRegistry *registry)
{
  GHashTableIter iter;
  Claim *claim;
  guint count = 0;

  g_hash_table_iter_init (&iter, registry->claims);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &claim))
    count += !claim->ended;
  return count;
}

GPid
qvirt_shim_registry_get_pid (QvirtShimRegistry *registry, const char *name)
{
  Claim *claim = find_claim (registry, name);

  return claim ? claim->pid : 0;
}

void
qvirt_shim_registry_destroy (QvirtShimRegistry *registry, const char *name, GPid pid)
{
  Claim *claim = g_hash_table_lookup (registry->claims, name);
  g_autoptr(json_t) params = json_pack ("{s:s}", "name", name);

  if (claim == NULL || claim->ended || claim->pid != pid || !claim_connect (claim, NULL))
    return;
  qvirt_rpc_client_call (claim->client, "domain.destroy", params, on_destroy_sent, NULL);
}

/* ------------------------------------------------------------------ */
/* Listing                                                              */

typedef struct {
  json_t *domains;
  guint waiting;
  void (*done) (json_t *domains, gpointer user_data);
  gpointer user_data;
} ListRequest;

typedef struct {
  ListRequest *request;
  json_t *placeholder;           /* the entry to fill in */
} ListItem;

static void
list_item_done (ListRequest *request)
{
  if (--request->waiting > 0)
    return;
  request->done (request->domains, request->user_data);
  json_decref (request->domains);
  g_free (request);
}

static void
on_list_info (json_t *result, const GError *error, gpointer user_data)
{
  ListItem *item = user_data;

  /* The shim's answer replaces the placeholder's "unknown"; the owner stays. */
  if (result != NULL && json_is_object (result))
    json_object_update (item->placeholder, result);
  json_decref (item->placeholder);
  list_item_done (item->request);
  g_free (item);
}

void
qvirt_shim_registry_list_async (QvirtShimRegistry *registry,
                                void (*done) (json_t *domains, gpointer user_data),
                                gpointer user_data)
{
  ListRequest *request = g_new0 (ListRequest, 1);
  GHashTableIter iter;
  Claim *claim;

  request->domains = json_array ();
  request->done = done;
  request->user_data = user_data;
  request->waiting = 1;          /* held until every query is sent */
  g_hash_table_iter_init (&iter, registry->claims);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &claim))
    {
      json_t *entry;
      g_autoptr(json_t) params = NULL;
      ListItem *item;

      if (claim->ended)
        continue;
      entry = json_pack ("{s:s, s:s, s:s, s:o}", "name", claim->name,
                                 "uuid", claim->uuid, "state", "unknown",
                                 "owner", owner_json (claim));
      params = json_pack ("{s:s}", "name", claim->name);

      json_array_append_new (request->domains, entry);
      if (claim->info != NULL)
        {
          g_autoptr(json_t) info = cached_info (claim);

          json_object_update (entry, info);
          continue;
        }
      if (!claim_connect (claim, NULL))
        continue;
      item = g_new0 (ListItem, 1);
      item->request = request;
      item->placeholder = json_incref (entry);
      request->waiting++;
      qvirt_rpc_client_call (claim->client, "domain.info", params, on_list_info, item);
    }
  list_item_done (request);
}

/* ------------------------------------------------------------------ */
/* Registering                                                          */

gboolean
qvirt_shim_registry_register (QvirtShimRegistry *registry, QvirtRpcSession *session,
                              const char *name, const char *uuid, const char *socket_path,
                              GPid pid, gboolean same_pid_namespace, GError **error)
{
  Claim *claim = g_hash_table_lookup (registry->claims, name);
  guint64 start_time = 0;

  if (!g_path_is_absolute (socket_path))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                   "shim.register: socket '%s' is not an absolute path", socket_path);
      return FALSE;
    }
  if (pid <= 0 || !qvirt_proc_get_start_time (pid, &start_time, NULL))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                   "shim.register: no process %d", (int) pid);
      return FALSE;
    }

  /* A shim on its way out: its claim makes room. */
  if (claim != NULL && claim->ended)
    {
      g_hash_table_remove (registry->claims, name);
      claim = NULL;
    }
  /* The same shim again (it lost its connection, or the server restarted). */
  if (claim != NULL && claim->pid == pid && claim->start_time == start_time &&
      qvirt_uuid_equal (claim->uuid, uuid))
    {
      claim->session = session;
      if (!g_str_equal (claim->socket_path, socket_path))
        {
          g_free (claim->socket_path);
          claim->socket_path = g_strdup (socket_path);
          g_clear_pointer (&claim->client, qvirt_rpc_client_free);
          claim_save (claim, NULL);
        }
      claim_connect (claim, NULL);
      return TRUE;
    }

  claim = claim_new (registry, name, uuid, socket_path, pid, start_time, error);
  if (claim == NULL)
    return FALSE;
  if (!claim_save (claim, error))
    {
      qvirt_driver_release (registry->driver, name);
      g_hash_table_remove (registry->claims, name);
      return FALSE;
    }
  claim->session = session;
  claim->foreign_pids = !same_pid_namespace;
  claim_connect (claim, NULL);
  g_info ("domain '%s' is run by qvirt-run (pid %d), socket %s", name, (int) pid,
          socket_path);
  return TRUE;
}

void
qvirt_shim_registry_session_closed (QvirtShimRegistry *registry, QvirtRpcSession *session)
{
  GHashTableIter iter;
  Claim *claim;

  g_hash_table_iter_init (&iter, registry->claims);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &claim))
    if (claim->session == session)
      claim->session = NULL;
}

/* ------------------------------------------------------------------ */
/* Life                                                                 */

/* A claim an earlier server wrote: kept if its shim still runs. */
static void
load_claim (QvirtShimRegistry *registry, const char *path)
{
  g_autoptr(json_t) json = json_load_file (path, 0, NULL);
  const char *name = NULL, *uuid = NULL, *socket_path = NULL;
  json_int_t pid = 0, start_time = 0;
  g_autoptr(GError) error = NULL;

  if (json == NULL ||
      json_unpack (json, "{s:s, s:s, s:s, s:I, s:I}", "name", &name, "uuid", &uuid,
                   "socket", &socket_path, "pid", &pid, "start-time", &start_time) < 0 ||
      !qvirt_proc_is_same_process ((pid_t) pid, (guint64) start_time))
    {
      g_unlink (path);
      return;
    }
  if (claim_new (registry, name, uuid, socket_path, (GPid) pid, (guint64) start_time,
                 &error) == NULL)
    {
      g_warning ("cannot keep the claim of qvirt-run (pid %d) on '%s': %s", (int) pid, name,
                 error->message);
      return;
    }
  g_info ("domain '%s' is run by qvirt-run (pid %d): waiting for it to register again",
          name, (int) pid);
}

QvirtShimRegistry *
qvirt_shim_registry_new (QvirtDriver *driver)
{
  QvirtShimRegistry *registry = g_new0 (QvirtShimRegistry, 1);
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  registry->driver = driver;
  registry->dir = g_build_filename (qvirt_driver_get_runtime_dir (driver), "shims", NULL);
  registry->claims = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) claim_free);
  dir = g_dir_open (registry->dir, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (registry->dir, entry, NULL);

      if (g_str_has_suffix (entry, ".json"))
        load_claim (registry, path);
    }
  return registry;
}

void
qvirt_shim_registry_free (QvirtShimRegistry *registry)
{
  if (registry == NULL)
    return;
  /* The reservations go with the driver, which may be closed already. */
  g_hash_table_destroy (registry->claims);
  g_free (registry->dir);
  g_free (registry);
}
