/* qvirtd with real QEMU processes (guestless domains, TCG): lifecycle
 * through raw JSON-RPC lines, events, out-of-order replies, clients that
 * leave mid-call, a stop that leaves the VM running and the restart that
 * finds it again, and examples/client.py against a live daemon. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-test-util.h"

typedef struct {
  char *root;
  TestDaemon *daemon;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->root = test_root_new ();
  f->daemon = test_daemon_start (f->root);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (!f->daemon->reaped)
    {
      int status = test_daemon_stop (f->daemon, SIGTERM);

      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  test_daemon_free (f->daemon);
  test_root_remove (f->root);
  g_free (f->root);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

static json_t *
name_params (const char *name)
{
  return json_pack ("{s:s}", "name", name);
}

static void
define_domain (RpcClient *client, const char *name)
{
  g_autofree char *xml = test_xml_no_guest (name);
  g_autoptr(json_t) result = rpc_client_call_ok (client, "domain.define",
                                                 json_pack ("{s:s}", "xml", xml));

  g_assert_cmpstr (json_string_value (json_object_get (result, "name")), ==, name);
  g_assert_cmpuint (strlen (json_string_value (json_object_get (result, "uuid"))), ==, 36);
}

static json_t *
domain_info (RpcClient *client, const char *name)
{
  return rpc_client_call_ok (client, "domain.info", name_params (name));
}

static void
assert_state (json_t *info, const char *state, const char *reason)
{
  g_assert_cmpstr (json_string_value (json_object_get (info, "state")), ==, state);
  if (reason)
    g_assert_cmpstr (json_string_value (json_object_get (info, "reason")), ==, reason);
}

static GPid
info_pid (json_t *info)
{
  return (GPid) json_integer_value (json_object_get (info, "pid"));
}

/* ------------------------------------------------------------------ */

static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) started = NULL;
  g_autoptr(json_t) running = NULL;
  g_autoptr(json_t) again = NULL;
  g_autoptr(json_t) destroyed = NULL;
  g_autoptr(json_t) stopped = NULL;
  GPid pid;

  define_domain (client, "vm1");
  started = rpc_client_call_ok (client, "domain.start", name_params ("vm1"));
  g_assert_true (json_is_object (started) && json_object_size (started) == 0);

  running = domain_info (client, "vm1");
  assert_state (running, "running", "booted");
  g_assert_cmpint (json_integer_value (json_object_get (running, "memory-kib")), ==, 65536);
  pid = info_pid (running);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (test_pid_is_running (pid));

  again = rpc_client_call_slow (client, "domain.start", name_params ("vm1"));
  rpc_assert_error (again, -32000, "invalid-state", NULL);

  destroyed = rpc_client_call_ok (client, "domain.destroy", name_params ("vm1"));
  g_assert_true (json_is_object (destroyed));
  stopped = domain_info (client, "vm1");
  assert_state (stopped, "shutoff", "destroyed");
  g_assert_true (test_wait_pid_gone (pid, TEST_TIMEOUT_MS));
}

/* After events.subscribe, events arrive as notifications, only those
 * of the subscribed domain; "started" comes before the reply to
 * domain.start. */
static void
test_events (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(RpcClient) watcher = rpc_client_connect (f->daemon->ro_socket_path);
  g_autoptr(RpcClient) elsewhere = rpc_client_connect (f->daemon->ro_socket_path);
  g_autoptr(json_t) subscription = rpc_client_call_ok (watcher, "events.subscribe", NULL);
  g_autoptr(json_t) defined = NULL;
  g_autoptr(json_t) started = NULL;
  g_autoptr(json_t) stopped = NULL;
  gint64 sub_id = json_integer_value (json_object_get (subscription, "subscription"));
  gboolean started_seen = FALSE;
  json_t *params;
  gint64 id;

  g_assert_cmpint (sub_id, >, 0);
  rpc_client_call_expect_ok (client, "events.subscribe", json_pack ("{s:s}", "domain", "vm1"));
  rpc_client_call_expect_ok (elsewhere, "events.subscribe",
                             json_pack ("{s:s}", "domain", "other"));
  define_domain (client, "vm1");
  defined = rpc_client_wait_event (watcher, "vm1", "defined", TEST_TIMEOUT_MS);
  g_assert_nonnull (defined);
  params = json_object_get (defined, "params");
  g_assert_cmpstr (json_string_value (json_object_get (defined, "jsonrpc")), ==, "2.0");
  g_assert_null (json_object_get (defined, "id"));
  g_assert_cmpint (json_integer_value (json_object_get (params, "subscription")), ==, sub_id);
  g_assert_cmpstr (json_string_value (json_object_get (params, "kind")), ==, "lifecycle");
  g_assert_cmpuint (strlen (json_string_value (json_object_get (params, "uuid"))), ==, 36);
  g_assert_cmpint (json_integer_value (json_object_get (params, "timestamp")), >, 0);

  /* On the starting connection, "started"/"booted" comes before the
   * reply (QMP events may come around it). */
  id = rpc_client_send (client, "domain.start", name_params ("vm1"));
  for (;;)
    {
      g_autoptr(json_t) message = rpc_client_next (client, TEST_QEMU_TIMEOUT_MS);

      g_assert_nonnull (message);
      params = json_object_get (message, "params");
      if (json_object_get (message, "id") == NULL)
        {
          if (g_strcmp0 (json_string_value (json_object_get (params, "event")), "started") == 0)
            {
              g_assert_cmpstr (json_string_value (json_object_get (params, "detail")), ==,
                               "booted");
              started_seen = TRUE;
            }
          continue;
        }
      g_assert_cmpint (json_integer_value (json_object_get (message, "id")), ==, id);
      g_assert_nonnull (json_object_get (message, "result"));
      break;
    }
  g_assert_true (started_seen);
  started = rpc_client_wait_event (watcher, "vm1", "started", TEST_TIMEOUT_MS);
  g_assert_nonnull (started);

  rpc_client_call_expect_ok (client, "domain.destroy", name_params ("vm1"));
  stopped = rpc_client_wait_event (watcher, "vm1", "stopped", TEST_QEMU_TIMEOUT_MS);
  g_assert_nonnull (stopped);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (stopped, "params"),
                                                       "detail")), ==, "destroyed");
  /* Nothing reached the subscription to "other": the hello reply is the
   * only message there. */
  rpc_client_call_expect_ok (elsewhere, "server.hello", NULL);
  g_assert_null (rpc_client_next (elsewhere, 0));

  /* events.unsubscribe ends the notifications. */
  rpc_client_call_expect_ok (watcher, "events.unsubscribe",
                             json_pack ("{s:I}", "subscription", (json_int_t) sub_id));
  /* What came before the unsubscribe reply does not count. */
  g_queue_clear_full (&watcher->messages, (GDestroyNotify) json_decref);
  rpc_client_call_expect_ok (client, "domain.undefine", name_params ("vm1"));
  rpc_client_call_expect_ok (watcher, "server.hello", NULL);
  /* Only the reply came: no "undefined" notification before it. */
  g_assert_null (rpc_client_next (watcher, 0));
}

/* domain.start and domain.list in one write: the list is answered while
 * QEMU starts. */
static void
test_out_of_order (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  const char *lines = "{\"jsonrpc\":\"2.0\",\"id\":\"start\",\"method\":\"domain.start\","
                      "\"params\":{\"name\":\"vm1\"}}\n"
                      "{\"jsonrpc\":\"2.0\",\"id\":\"list\",\"method\":\"domain.list\","
                      "\"params\":{\"inactive\":true}}\n";
  g_autoptr(json_t) first = NULL;
  g_autoptr(json_t) second = NULL;
  json_t *listed;

  define_domain (client, "vm1");
  rpc_client_send_raw (client, lines, strlen (lines));
  first = rpc_client_next (client, TEST_QEMU_TIMEOUT_MS);
  second = rpc_client_next (client, TEST_QEMU_TIMEOUT_MS);
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpstr (json_string_value (json_object_get (first, "id")), ==, "list");
  g_assert_cmpstr (json_string_value (json_object_get (second, "id")), ==, "start");
  listed = json_array_get (json_object_get (first, "result"), 0);
  /* Listed while it starts. */
  assert_state (listed, "paused", "starting");
  g_assert_nonnull (json_object_get (second, "result"));

  rpc_client_call_expect_ok (client, "domain.destroy", name_params ("vm1"));
}

/* A client that leaves while its call runs: the call completes, its reply
 * is dropped, the daemon goes on; an autodestroy domain dies with the
 * connection that started it. */
static void
test_disconnect_mid_call (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) watcher = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) started = NULL;
  g_autoptr(json_t) stopped = NULL;
  g_autofree char *xml = test_xml_no_guest ("temp");

  rpc_client_call_expect_ok (watcher, "events.subscribe", NULL);
  define_domain (watcher, "vm1");
  {
    g_autoptr(RpcClient) leaver = rpc_client_connect (f->daemon->socket_path);

    rpc_client_send (leaver, "domain.start", name_params ("vm1"));
    rpc_client_call_expect_ok (leaver, "server.hello", NULL);
    /* Requests start in order, so the start is under way; it waits on
     * QEMU, so it cannot have been answered before the hello. */
    g_assert_null (rpc_client_next (leaver, 0));
  }
  started = rpc_client_wait_event (watcher, "vm1", "started", TEST_QEMU_TIMEOUT_MS);
  g_assert_nonnull (started);
  rpc_client_call_expect_ok (watcher, "domain.destroy", name_params ("vm1"));

  {
    g_autoptr(RpcClient) owner = rpc_client_connect (f->daemon->socket_path);
    g_autoptr(json_t) created = rpc_client_call_ok (owner, "domain.create",
                                                    json_pack ("{s:s, s:b}", "xml", xml,
                                                               "autodestroy", TRUE));

    g_assert_cmpstr (json_string_value (json_object_get (created, "name")), ==, "temp");
  }
  stopped = rpc_client_wait_event (watcher, "temp", "stopped", TEST_QEMU_TIMEOUT_MS);
  g_assert_nonnull (stopped);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (stopped, "params"),
                                                       "detail")), ==, "destroyed");
  rpc_client_call_expect_ok (watcher, "server.hello", NULL);
}

/* SIGTERM leaves the VM running; the next daemon on the root finds it. */
static void
test_stop_and_reattach (Fixture *f, gconstpointer data)
{
  g_autoptr(json_t) info = NULL;
  g_autoptr(json_t) list = NULL;
  g_autoptr(TestDaemon) next = NULL;
  g_autoptr(RpcClient) again = NULL;
  GPid pid;
  int status;

  {
    g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);

    define_domain (client, "vm1");
    rpc_client_call_expect_ok (client, "domain.start", name_params ("vm1"));
    info = domain_info (client, "vm1");
    pid = info_pid (info);
    g_assert_true (test_pid_is_running (pid));
  }

  status = test_daemon_stop (f->daemon, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (test_daemon_wait_log (f->daemon, "1 domain(s) keep running", 0));
  g_assert_true (test_pid_is_running (pid));

  next = test_daemon_start (f->root);
  again = rpc_client_connect (next->socket_path);
  list = rpc_client_call_ok (again, "domain.list", NULL);
  g_assert_cmpuint (json_array_size (list), ==, 1);
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (list, 0), "name")), ==,
                   "vm1");
  assert_state (json_array_get (list, 0), "running", NULL);
  g_assert_cmpint (info_pid (json_array_get (list, 0)), ==, pid);

  rpc_client_call_expect_ok (again, "domain.destroy", name_params ("vm1"));
  g_assert_true (test_wait_pid_gone (pid, TEST_TIMEOUT_MS));
  g_clear_pointer (&again, rpc_client_free);

  status = test_daemon_stop (next, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* examples/client.py, the Python standard library only, against a live
 * daemon. */
static void
run_example (const char *socket_path, const char *start, char **out)
{
  g_autofree char *script = g_build_filename (g_getenv ("QVIRT_SOURCE_DIR"), "examples",
                                              "client.py", NULL);
  const char *argv[] = { QVIRT_TEST_PYTHON, script, "--seconds", "1", socket_path,
                         start ? "--start" : NULL, start, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("client.py wrote:\n%s%s", *out, err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
test_example_client (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autofree char *out = NULL;
  g_autofree char *ro_out = NULL;

  define_domain (client, "example");
  run_example (f->daemon->socket_path, "example", &out);
  g_assert_nonnull (strstr (out, "qvirt "));
  g_assert_nonnull (strstr (out, "example"));
  g_assert_nonnull (strstr (out, "started"));

  run_example (f->daemon->ro_socket_path, NULL, &ro_out);
  g_assert_nonnull (strstr (ro_out, "read-only"));
  g_assert_nonnull (strstr (ro_out, "running"));

  rpc_client_call_expect_ok (client, "domain.destroy", name_params ("example"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/qvirtd/domain/lifecycle", test_lifecycle);
  ADD ("/qvirtd/domain/events", test_events);
  ADD ("/qvirtd/domain/out-of-order", test_out_of_order);
  ADD ("/qvirtd/domain/disconnect-mid-call", test_disconnect_mid_call);
  ADD ("/qvirtd/domain/stop-and-reattach", test_stop_and_reattach);
  ADD ("/qvirtd/example-client", test_example_client);
  return g_test_run ();
}
