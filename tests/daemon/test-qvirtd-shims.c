/* qvirtd and qvirt-run shims, as real processes: a shim registering with
 * --register (claim, clashes, listing with its owner, forwarded calls and
 * events, release on exit), the claim surviving a daemon restart while
 * the shim cannot re-register, qvirtd launching its own domains
 * through shims that a daemon restart leaves alone, and a console open
 * that waits for a stopped shim without stopping the daemon. Guestless
 * domains, TCG. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-test-util.h"
#include "shim-process.h"

/* Exit statuses of qvirt-run (docs/qvirt-run.md). */
#define SHIM_EXIT_DESTROYED 6
#define SHIM_EXIT_NAME_TAKEN 7

typedef struct {
  char *root;
  TestDaemon *daemon;
  char *register_uri;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->root = test_root_new ();
  f->daemon = test_daemon_start (f->root);
  f->register_uri = g_strdup_printf ("qemu+unix:///?socket=%s", f->daemon->socket_path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (!f->daemon->reaped)
    test_daemon_stop (f->daemon, SIGTERM);
  test_daemon_free (f->daemon);
  test_root_remove (f->root);
  g_free (f->root);
  g_free (f->register_uri);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* ------------------------------------------------------------------ */
/* A shim started by hand                                               */

typedef TestShim Shim;
#define shim_wait_stderr test_shim_wait_stderr

/* Spawns `qvirt-run --register URI --root ROOT/NAME.shimN FILE` for the
 * domain NAME of @xml. */
static Shim *
shim_spawn_xml (Fixture *f, const char *name, const char *xml)
{
  g_autofree char *file_name = g_strconcat (name, ".xml", NULL);
  g_autofree char *xml_path = g_build_filename (f->root, file_name, NULL);
  /* A root of its own each: two shims of one name must clash on the
   * claim, not on the root's lock. */
  g_autofree char *root_name = g_strdup_printf ("%s.shim%u", name, g_random_int ());
  g_autofree char *root = g_build_filename (f->root, root_name, NULL);
  const char *argv[] = { NULL, "--register", f->register_uri,
                         "--shutdown-timeout", "0", "--root", root, xml_path, NULL };

  g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));
  return test_shim_spawn (argv, NULL, FALSE);
}

/* The same for a guestless domain NAME. */
static Shim *
shim_spawn (Fixture *f, const char *name)
{
  g_autofree char *xml = test_xml_no_guest (name);

  return shim_spawn_xml (f, name, xml);
}

static void
shim_wait_running (Shim *shim)
{
  test_shim_wait_running (shim, TEST_QEMU_TIMEOUT_MS);
}

static int
shim_wait_exit (Shim *shim)
{
  return test_shim_wait_exit (shim, TEST_QEMU_TIMEOUT_MS);
}

static json_t *
name_params (const char *name)
{
  return json_pack ("{s:s}", "name", name);
}

static const char *
string_of (json_t *object, const char *key)
{
  return json_string_value (json_object_get (object, key));
}

/* ------------------------------------------------------------------ */

/* A registered shim: listed with its owner, its calls and events go
 * through the daemon, its name is protected, and it is all gone when the
 * shim exits. */
static void
test_register (Fixture *f, gconstpointer data)
{
  g_autoptr(TestShim) shim = shim_spawn (f, "vm1");
  g_autoptr(TestShim) rival = NULL;
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(RpcClient) watcher = rpc_client_connect (f->daemon->ro_socket_path);
  g_autoptr(json_t) list = NULL;
  g_autoptr(json_t) info = NULL;
  g_autoptr(json_t) reply = NULL;
  g_autoptr(json_t) event = NULL;
  g_autofree char *xml = test_xml_no_guest ("vm1");
  json_t *owner;

  shim_wait_running (shim);
  rpc_client_call_expect_ok (watcher, "events.subscribe", NULL);

  /* Listed like the daemon's own, with its owner. */
  list = rpc_client_call_ok (client, "domain.list", NULL);
  g_assert_cmpuint (json_array_size (list), ==, 1);
  g_assert_cmpstr (string_of (json_array_get (list, 0), "name"), ==, "vm1");
  g_assert_cmpstr (string_of (json_array_get (list, 0), "state"), ==, "running");
  owner = json_object_get (json_array_get (list, 0), "owner");
  g_assert_cmpstr (string_of (owner, "kind"), ==, "qvirt-run");
  g_assert_cmpint (json_integer_value (json_object_get (owner, "pid")), ==, shim->pid);

  /* The name and the UUID are taken: by define, by a second shim. */
  reply = rpc_client_call (client, "domain.define", json_pack ("{s:s}", "xml", xml));
  rpc_assert_error (reply, -32000, "already-exists", "qvirt-run");
  rival = shim_spawn (f, "vm1");
  g_assert_true (shim_wait_stderr (rival, "already run by qvirt-run", TEST_TIMEOUT_MS));
  g_assert_cmpint (shim_wait_exit (rival), ==, SHIM_EXIT_NAME_TAKEN);

  /* Calls are the shim's to answer; its events reach our subscribers. */
  info = rpc_client_call_ok (client, "domain.info", name_params ("vm1"));
  g_assert_cmpint (json_integer_value (json_object_get (info, "pid")), ==, shim->qemu_pid);
  rpc_client_call_expect_ok (client, "domain.suspend", name_params ("vm1"));
  event = rpc_client_wait_event (watcher, "vm1", "suspended", TEST_TIMEOUT_MS);
  g_assert_nonnull (event);
  g_clear_pointer (&info, json_decref);
  info = rpc_client_call_ok (client, "domain.info", name_params ("vm1"));
  g_assert_cmpstr (string_of (info, "state"), ==, "paused");
  rpc_client_call_expect_ok (client, "domain.resume", name_params ("vm1"));
  g_clear_pointer (&reply, json_decref);
  reply = rpc_client_call_ok (client, "domain.qmp",
                              json_pack ("{s:s, s:s}", "name", "vm1", "command", "query-status"));

  /* Destroyed through the daemon: the shim says so, the name is free. */
  rpc_client_call_expect_ok (client, "domain.destroy", name_params ("vm1"));
  g_assert_cmpint (shim_wait_exit (shim), ==, SHIM_EXIT_DESTROYED);
  g_assert_true (test_wait_pid_gone (shim->qemu_pid, TEST_TIMEOUT_MS));
  g_clear_pointer (&event, json_decref);
  event = rpc_client_wait_event (watcher, "vm1", "stopped", TEST_TIMEOUT_MS);
  g_assert_nonnull (event);
  g_assert_cmpstr (string_of (json_object_get (event, "params"), "detail"), ==, "destroyed");
  rpc_client_call_expect_ok (client, "domain.define", json_pack ("{s:s}", "xml", xml));
}

/* The innermost pid of @pid (the last number of NSpid). */
static GPid
innermost_pid (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  lines = g_strsplit (status, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "NSpid:"))
      {
        const char *last = strrchr (*l, '\t') ? strrchr (*l, '\t') : strrchr (*l, ' ');

        return (GPid) atoi (last + 1);
      }
  g_error ("no NSpid in %s", path);
}

/* A shim in a pid namespace of its own (a container's): the daemon knows
 * it and its QEMU by the numbers of the daemon's namespace, reads QEMU's
 * CPU time, and can still destroy it. */
static void
test_register_from_pid_namespace (Fixture *f, gconstpointer data)
{
  g_autofree char *xml = test_xml_no_guest ("vm1");
  g_autofree char *xml_path = g_build_filename (f->root, "vm1.xml", NULL);
  g_autofree char *root = g_build_filename (f->root, "vm1.shim", NULL);
  const char *argv[] = { "unshare", "--pid", "--fork", "--mount-proc", test_shim_binary (),
                         "--register", f->register_uri, "--shutdown-timeout", "0",
                         "--root", root, xml_path, NULL };
  g_autoptr(TestShim) shim = NULL;
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) info = NULL;
  GPid shim_pid, qemu_pid;

  g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));
  shim = test_shim_spawn (argv, NULL, FALSE);
  shim_wait_running (shim);
  /* shim->pid is unshare; its child is the shim (pid 1 inside), whose
   * child is QEMU; the shim printed QEMU's inner pid. */
  shim_pid = test_only_child (shim->pid);
  qemu_pid = test_only_child (shim_pid);
  g_assert_cmpint (innermost_pid (shim_pid), ==, 1);
  g_assert_cmpint (innermost_pid (qemu_pid), ==, shim->qemu_pid);
  g_assert_cmpint (qemu_pid, !=, shim->qemu_pid);

  info = rpc_client_call_ok (client, "domain.info", name_params ("vm1"));
  g_assert_cmpstr (string_of (info, "state"), ==, "running");
  g_assert_cmpint (json_integer_value (json_object_get (info, "pid")), ==, qemu_pid);
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (info, "owner"), "pid")),
                   ==, shim_pid);
  g_assert_cmpint (json_integer_value (json_object_get (info, "cpu-time-ns")), >, 0);

  rpc_client_call_expect_ok (client, "domain.destroy", name_params ("vm1"));
  g_assert_true (test_wait_pid_gone (qemu_pid, TEST_TIMEOUT_MS));
  /* unshare exits with its child's status. */
  g_assert_cmpint (shim_wait_exit (shim), ==, SHIM_EXIT_DESTROYED);
}

/* A shim killed outright: its QEMU dies with it, the daemon says
 * "stopped (crashed)" and frees the name. */
static void
test_shim_killed (Fixture *f, gconstpointer data)
{
  g_autoptr(TestShim) shim = shim_spawn (f, "vm1");
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) event = NULL;
  g_autoptr(json_t) list = NULL;

  shim_wait_running (shim);
  rpc_client_call_expect_ok (client, "events.subscribe", NULL);
  kill (shim->pid, SIGKILL);
  event = rpc_client_wait_event (client, "vm1", "stopped", TEST_QEMU_TIMEOUT_MS);
  g_assert_nonnull (event);
  g_assert_cmpstr (string_of (json_object_get (event, "params"), "detail"), ==, "crashed");
  g_assert_true (test_wait_pid_gone (shim->qemu_pid, TEST_TIMEOUT_MS));
  list = rpc_client_call_ok (client, "domain.list", NULL);
  g_assert_cmpuint (json_array_size (list), ==, 0);
}

/* The daemon restarts while the shim cannot register again (stopped):
 * the name stays protected; once the shim runs again it is listed. */
static void
test_daemon_restart (Fixture *f, gconstpointer data)
{
  g_autoptr(TestShim) shim = shim_spawn (f, "vm1");
  g_autoptr(TestDaemon) next = NULL;
  g_autoptr(RpcClient) client = NULL;
  g_autoptr(json_t) reply = NULL;
  g_autoptr(json_t) list = NULL;
  g_autofree char *xml = test_xml_no_guest ("vm1");
  int status;

  shim_wait_running (shim);
  kill (shim->pid, SIGSTOP);
  status = test_daemon_stop (f->daemon, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_true (test_pid_is_running (shim->qemu_pid));

  next = test_daemon_start (f->root);
  g_assert_true (test_daemon_wait_log (next, "waiting for it to register again", 0));
  client = rpc_client_connect (next->socket_path);
  reply = rpc_client_call (client, "domain.define", json_pack ("{s:s}", "xml", xml));
  rpc_assert_error (reply, -32000, "already-exists", "qvirt-run");

  kill (shim->pid, SIGCONT);
  g_assert_true (shim_wait_stderr (shim, "registered again", TEST_TIMEOUT_MS));
  list = rpc_client_call_ok (client, "domain.list", NULL);
  g_assert_cmpuint (json_array_size (list), ==, 1);
  g_assert_cmpstr (string_of (json_array_get (list, 0), "state"), ==, "running");

  rpc_client_call_expect_ok (client, "domain.destroy", name_params ("vm1"));
  g_assert_cmpint (shim_wait_exit (shim), ==, SHIM_EXIT_DESTROYED);
  g_clear_pointer (&client, rpc_client_free);
  test_daemon_stop (next, SIGTERM);
}

/* The parent of a process, from /proc/PID/status. */
static GPid
parent_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *at;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  at = strstr (status, "\nPPid:");
  g_assert_nonnull (at);
  return (GPid) atoi (at + strlen ("\nPPid:"));
}

static char *
command_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", (int) pid);
  char *comm = NULL;

  g_assert_true (g_file_get_contents (path, &comm, NULL, NULL));
  return g_strchomp (comm);
}

/* qvirtd runs its own domains in shims too: QEMU is a qvirt-run's child,
 * not the daemon's, and a daemon restart leaves it alone. */
static void
test_daemon_launches_shims (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) info = NULL;
  g_autoptr(json_t) created = NULL;
  g_autoptr(json_t) list = NULL;
  g_autoptr(TestDaemon) next = NULL;
  g_autoptr(RpcClient) again = NULL;
  g_autofree char *xml = test_xml_no_guest ("vm1");
  g_autofree char *temp_xml = test_xml_no_guest ("temp");
  g_autofree char *comm = NULL;
  GPid qemu_pid, shim_pid;

  rpc_client_call_expect_ok (client, "domain.define", json_pack ("{s:s}", "xml", xml));
  rpc_client_call_expect_ok (client, "domain.start", name_params ("vm1"));
  info = rpc_client_call_ok (client, "domain.info", name_params ("vm1"));
  g_assert_cmpstr (string_of (info, "state"), ==, "running");
  g_assert_true (json_is_true (json_object_get (info, "persistent")));
  qemu_pid = (GPid) json_integer_value (json_object_get (info, "pid"));
  shim_pid = (GPid) json_integer_value (json_object_get (json_object_get (info, "owner"), "pid"));
  g_assert_cmpint (parent_of (qemu_pid), ==, shim_pid);
  comm = command_of (shim_pid);
  g_assert_cmpstr (comm, ==, "qvirt-run");
  g_assert_cmpint (parent_of (shim_pid), ==, f->daemon->pid);

  /* A transient one, through domain.create. */
  created = rpc_client_call_ok (client, "domain.create", json_pack ("{s:s}", "xml", temp_xml));
  g_assert_cmpstr (string_of (created, "name"), ==, "temp");
  g_assert_cmpuint (strlen (string_of (created, "uuid")), ==, 36);

  test_daemon_stop (f->daemon, SIGTERM);
  g_assert_true (test_pid_is_running (qemu_pid));
  g_assert_true (test_pid_is_running (shim_pid));

  next = test_daemon_start (f->root);
  again = rpc_client_connect (next->socket_path);
  list = rpc_client_call_ok (again, "domain.list", NULL);
  g_assert_cmpuint (json_array_size (list), ==, 2);
  rpc_client_call_expect_ok (again, "domain.destroy", name_params ("vm1"));
  rpc_client_call_expect_ok (again, "domain.destroy", name_params ("temp"));
  g_assert_true (test_wait_pid_gone (qemu_pid, TEST_TIMEOUT_MS));
  g_clear_pointer (&info, json_decref);
  info = rpc_client_call_ok (again, "domain.info", name_params ("vm1"));
  g_assert_cmpstr (string_of (info, "state"), ==, "shutoff");
  g_assert_cmpstr (string_of (info, "reason"), ==, "destroyed");

  /* Undefined while its shim runs it: the daemon's definition goes, the
   * domain runs on as a transient one until it stops. */
  rpc_client_call_expect_ok (again, "domain.start", name_params ("vm1"));
  rpc_client_call_expect_ok (again, "domain.undefine", name_params ("vm1"));
  g_clear_pointer (&info, json_decref);
  info = rpc_client_call_ok (again, "domain.info", name_params ("vm1"));
  g_assert_cmpstr (string_of (info, "state"), ==, "running");
  g_assert_true (json_is_false (json_object_get (info, "persistent")));
  qemu_pid = (GPid) json_integer_value (json_object_get (info, "pid"));
  rpc_client_call_expect_ok (again, "domain.destroy", name_params ("vm1"));
  g_assert_true (test_wait_pid_gone (qemu_pid, TEST_TIMEOUT_MS));
  g_clear_pointer (&list, json_decref);
  list = rpc_client_call_ok (again, "domain.list", json_pack ("{s:b}", "inactive", TRUE));
  g_assert_cmpuint (json_array_size (list), ==, 0);
  g_clear_pointer (&again, rpc_client_free);
  test_daemon_stop (next, SIGTERM);
}

/* A start waits for the process still holding the domain's shim root (a
 * shim of an earlier daemon on its way out; here a stand-in that holds
 * the root's lock until its stdin closes), then runs. */
static void
test_start_waits_for_root_holder (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) reply = NULL;
  g_autoptr(json_t) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = test_xml_no_guest ("vm1");
  g_autofree char *run_dir = g_build_filename (f->root, "run", "vms", "vm1", "run", NULL);
  g_autofree char *lock_path = g_build_filename (run_dir, "driver.lock", NULL);
  /* It says "locked" once flock holds the lock, and holds it until its
   * stdin closes. */
  const char *argv[] = { "sh", "-c",
                         "echo $$ > \"$1\"; exec flock \"$1\" sh -c 'echo locked; exec cat'",
                         "sh", lock_path, NULL };
  g_autoptr(GString) said = g_string_new (NULL);
  GPid holder;
  int holder_stdin, holder_stdout;
  gint64 id;

  rpc_client_call_expect_ok (client, "domain.define", json_pack ("{s:s}", "xml", xml));
  g_assert_cmpint (g_mkdir_with_parents (run_dir, 0700), ==, 0);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                                           NULL, NULL, &holder, &holder_stdin, &holder_stdout,
                                           NULL, &error));
  g_assert_true (test_read_until (holder_stdout, said, "locked", TEST_TIMEOUT_MS));
  close (holder_stdout);

  id = rpc_client_send (client, "domain.start", name_params ("vm1"));
  g_assert_true (test_daemon_wait_log (f->daemon, "to release its root", TEST_TIMEOUT_MS));
  close (holder_stdin);
  reply = rpc_client_wait_reply (client, id, TEST_QEMU_TIMEOUT_MS);
  g_assert_nonnull (reply);
  g_assert_null (json_object_get (reply, "error"));
  info = rpc_client_call_ok (client, "domain.info", name_params ("vm1"));
  g_assert_cmpstr (string_of (info, "state"), ==, "running");
  rpc_client_call_expect_ok (client, "domain.destroy", name_params ("vm1"));
}

/* ------------------------------------------------------------------ */
/* Consoles of a shim that does not answer                              */

/* What qvirtd logs once a console open waits for the shim. */
#define CONSOLE_OPEN_WAITING "waiting for its qvirt-run"
/* How long qvirtd waits for it (SHIM_CONSOLE_TIMEOUT_MS in
 * src/rpc/shim-registry.c). */
#define SHIM_CONSOLE_TIMEOUT_MS 5000

/* A guestless domain with a console qvirt serves. */
static char *
xml_with_console (const char *name)
{
  g_autofree char *plain = test_xml_no_guest (name);
  g_autoptr(GString) xml = g_string_new (plain);

  g_assert_cmpuint (g_string_replace (xml, "<devices>", "<devices><serial type='pty'/>", 1),
                    ==, 1);
  return g_string_free (g_steal_pointer (&xml), FALSE);
}

/* SIGSTOPs the shim (our child) and waits until it is stopped. */
static void
shim_stop (Shim *shim)
{
  int status = 0;

  g_assert_cmpint (kill (shim->pid, SIGSTOP), ==, 0);
  g_assert_cmpint (waitpid (shim->pid, &status, WUNTRACED), ==, shim->pid);
  g_assert_true (WIFSTOPPED (status));
}

/* Starts a shim running vm1 with a console, stops it, and sends
 * domain.openConsole through the daemon on @console; returns once the
 * daemon waits for the shim, with the request's id. */
static gint64
open_console_of_stopped_shim (Fixture *f, Shim **shim, RpcClient *console)
{
  g_autofree char *xml = xml_with_console ("vm1");
  g_autoptr(json_t) list = NULL;
  gint64 id;

  *shim = shim_spawn_xml (f, "vm1", xml);
  shim_wait_running (*shim);
  /* Once the shim has answered this, the daemon knows its state and
   * answers domain.list without asking it. */
  list = rpc_client_call_ok (console, "domain.list", NULL);
  g_assert_cmpuint (json_array_size (list), ==, 1);

  shim_stop (*shim);
  id = rpc_client_send (console, "domain.openConsole", name_params ("vm1"));
  g_assert_true (test_daemon_wait_log (f->daemon, CONSOLE_OPEN_WAITING, TEST_TIMEOUT_MS));
  return id;
}

/* Sends @method on @client and asserts that it succeeds well before a
 * console open could time out. */
static void
assert_answered_quickly (RpcClient *client, const char *method)
{
  gint64 id = rpc_client_send (client, method, NULL);
  g_autoptr(json_t) reply = rpc_client_wait_reply (client, id, SHIM_CONSOLE_TIMEOUT_MS / 2);

  g_assert_nonnull (json_object_get (reply, "result"));
}

/* Reads and drops what comes on @fd until its end; FALSE on timeout. */
static gboolean
wait_stream_end (int fd, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      char buffer[4096];
      gssize n;

      if (left_ms <= 0 || poll (&pfd, 1, (int) left_ms) <= 0)
        return FALSE;
      n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return TRUE;
    }
}

/* A console open waits for a stopped shim while the daemon serves
 * everyone else; once the shim runs again, the connection becomes its
 * console, which ends with the domain. */
static void
test_console_open_waits_for_shim (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) console = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(RpcClient) other = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(TestShim) shim = NULL;
  g_autoptr(json_t) reply = NULL;
  gint64 id = open_console_of_stopped_shim (f, &shim, console);

  assert_answered_quickly (other, "server.hello");
  assert_answered_quickly (other, "domain.list");
  g_assert_null (rpc_client_next (console, 0));

  g_assert_cmpint (kill (shim->pid, SIGCONT), ==, 0);
  reply = rpc_client_wait_reply (console, id, TEST_TIMEOUT_MS);
  g_assert_cmpstr (string_of (json_object_get (reply, "result"), "stream"), ==, "console");
  /* Raw bytes from now on: they go to the guest's serial port. */
  rpc_client_send_raw (console, "typed on the console\n", strlen ("typed on the console\n"));

  rpc_client_call_expect_ok (other, "domain.destroy", name_params ("vm1"));
  g_assert_cmpint (shim_wait_exit (shim), ==, SHIM_EXIT_DESTROYED);
  g_assert_true (wait_stream_end (console->fd, TEST_TIMEOUT_MS));
}

/* A shim that stays stopped: the open fails with "timeout" after
 * SHIM_CONSOLE_TIMEOUT_MS, and the connection stays JSON-RPC. */
static void
test_console_open_times_out (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) console = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(RpcClient) other = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(TestShim) shim = NULL;
  g_autoptr(json_t) reply = NULL;
  g_autofree char *expected = NULL;
  gint64 id = open_console_of_stopped_shim (f, &shim, console);

  reply = rpc_client_wait_reply (console, id, SHIM_CONSOLE_TIMEOUT_MS + TEST_TIMEOUT_MS);
  expected = g_strdup_printf ("domain 'vm1': its qvirt-run (pid %d) did not open the console "
                              "within %d ms", (int) shim->pid, SHIM_CONSOLE_TIMEOUT_MS);
  rpc_assert_error (reply, -32000, "timeout", expected);
  assert_answered_quickly (console, "server.hello");

  /* The shim, running again, finds the daemon gone from that connection
   * and serves on. */
  g_assert_cmpint (kill (shim->pid, SIGCONT), ==, 0);
  rpc_client_call_expect_ok (other, "domain.destroy", name_params ("vm1"));
  g_assert_cmpint (shim_wait_exit (shim), ==, SHIM_EXIT_DESTROYED);
}

/* The shim dies while the daemon waits for its console: the open fails
 * at once with "closed" (the end of the claim or of the shim's socket,
 * whichever the daemon sees first). */
static void
test_console_open_shim_killed (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) console = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(TestShim) shim = NULL;
  g_autoptr(json_t) reply = NULL;
  gint64 id = open_console_of_stopped_shim (f, &shim, console);

  g_assert_cmpint (kill (shim->pid, SIGKILL), ==, 0);
  g_assert_cmpint (shim_wait_exit (shim), ==, 128 + SIGKILL);
  reply = rpc_client_wait_reply (console, id, SHIM_CONSOLE_TIMEOUT_MS / 2);
  rpc_assert_error (reply, -32000, "closed", NULL);
  assert_answered_quickly (console, "server.hello");
}

/* The daemon stops while it waits for a shim's console: it exits at
 * once and cleanly (the sanitizers would see a leak), closing the
 * client's connection. */
static void
test_console_open_daemon_stops (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) console = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(TestShim) shim = NULL;
  gint64 started;
  int status;

  open_console_of_stopped_shim (f, &shim, console);
  started = g_get_monotonic_time ();
  status = test_daemon_stop (f->daemon, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - started, <, SHIM_CONSOLE_TIMEOUT_MS * 1000);
  g_assert_true (rpc_client_wait_closed (console, TEST_TIMEOUT_MS));
  g_assert_null (rpc_client_next (console, 0));
}

/* A start that fails in the shim fails domain.start with the shim's
 * (QEMU's) words and leaves the definition shut off. */
static void
test_launch_failure (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) reply = NULL;
  g_autoptr(json_t) info = NULL;
  const char *xml = "<domain type='qemu'><name>bad</name><memory unit='MiB'>64</memory>"
                    "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                    "<devices><disk type='file' device='disk'>"
                    "<source file='/nonexistent/disk.img'/><target dev='vda' bus='virtio'/>"
                    "</disk></devices></domain>";

  rpc_client_call_expect_ok (client, "domain.define", json_pack ("{s:s}", "xml", xml));
  reply = rpc_client_call_slow (client, "domain.start", name_params ("bad"));
  rpc_assert_error (reply, -32000, "invalid-argument", "/nonexistent/disk.img");
  info = rpc_client_call_ok (client, "domain.info", name_params ("bad"));
  g_assert_cmpstr (string_of (info, "state"), ==, "shutoff");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/qvirtd/shims/register", test_register);
  ADD ("/qvirtd/shims/register-from-pid-namespace", test_register_from_pid_namespace);
  ADD ("/qvirtd/shims/shim-killed", test_shim_killed);
  ADD ("/qvirtd/shims/daemon-restart", test_daemon_restart);
  ADD ("/qvirtd/shims/daemon-launches", test_daemon_launches_shims);
  ADD ("/qvirtd/shims/launch-failure", test_launch_failure);
  ADD ("/qvirtd/shims/start-waits-for-root-holder", test_start_waits_for_root_holder);
  ADD ("/qvirtd/shims/console/waits-for-stopped-shim", test_console_open_waits_for_shim);
  ADD ("/qvirtd/shims/console/times-out", test_console_open_times_out);
  ADD ("/qvirtd/shims/console/shim-killed", test_console_open_shim_killed);
  ADD ("/qvirtd/shims/console/daemon-stops", test_console_open_daemon_stops);
  return g_test_run ();
}
