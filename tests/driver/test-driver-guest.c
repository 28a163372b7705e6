/* The embedded driver with the real test guest (suite "guest"): boot to
 * the ready marker, graceful ACPI shutdown, reboot, lifecycle actions,
 * and a VM that survives its host and still answers after reattach. */
#include "driver-test-util.h"
#include "guest-console.h"

#include <gio/gio.h>
#include <qvirt/qmp.h>
#include <signal.h>
#include <string.h>

#define BOOT_TIMEOUT_MS 60000
#define TIMEOUT_MS 30000

typedef struct {
  TestRoot *root;
  QvirtConnection *conn;
  GuestConsole *console;
  EventLog log;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *console_path = NULL;

  f->root = test_root_new ();
  console_path = g_build_filename (f->root->dir, "console.sock", NULL);
  f->console = guest_console_listen (console_path);
  /* The console helpers block: the driver runs in the library's thread
   * so it keeps acting on the guest's events meanwhile. */
  f->log.threaded = TRUE;
  f->conn = qvirt_connection_open (f->root->uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD, &error);
  g_assert_no_error (error);
  qvirt_connection_subscribe_events (f->conn, NULL, event_log_record, &f->log, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (g_test_failed ())
    g_test_message ("guest console:\n%s", guest_console_transcript (f->console));
  qvirt_connection_close (f->conn);
  guest_console_free (f->console);
  /* The subscription died with the connection: no more writers. */
  event_log_clear (&f->log);
  test_root_free (f->root);
}

static char *
console_path (Fixture *f)
{
  return g_build_filename (f->root->dir, "console.sock", NULL);
}

/* Starts the guest paused, takes its console, resumes it and waits for
 * the ready marker. */
static QvirtDomain *
boot_guest (Fixture *f, const char *name, const char *on_poweroff)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = console_path (f);
  g_autofree char *xml = test_xml_guest (name, path, on_poweroff);
  g_autoptr(QvirtDomain) domain = qvirt_connection_define_domain (f->conn, xml, &error);
  gint64 start;

  g_assert_no_error (error);
  g_assert_true (qvirt_domain_start (domain, QVIRT_START_PAUSED, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (guest_console_accept (f->console, TIMEOUT_MS, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  g_assert_true (qvirt_domain_resume (domain, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (guest_console_wait_line (f->console, GUEST_CONSOLE_READY_MARKER,
                                          BOOT_TIMEOUT_MS, &error));
  g_assert_no_error (error);
  g_test_message ("guest booted in %.2f s", (g_get_monotonic_time () - start) / 1e6);
  return g_steal_pointer (&domain);
}

static void
assert_state (QvirtDomain *domain, const char *state, const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = qvirt_domain_get_info (domain, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (info->state, ==, state);
  if (reason)
    g_assert_cmpstr (info->reason, ==, reason);
}

static void
test_boot_and_shutdown (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtDomain) domain = boot_guest (f, "guest1", "destroy");
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_assert_true (guest_console_send_line (f->console, "ping", &error));
  g_assert_true (guest_console_wait_line (f->console, "pong", TIMEOUT_MS, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_true (qvirt_domain_shutdown (domain, 60, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("ACPI shutdown took %.2f s", (g_get_monotonic_time () - start) / 1e6);
  assert_state (domain, "shutoff", "shutdown");
  g_assert_true (event_log_wait (&f->log, "guest1 qmp SHUTDOWN", TIMEOUT_MS));
  g_assert_true (event_log_wait (&f->log, "guest1 stopped shutdown", TIMEOUT_MS));
}

static void
test_reboot (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtDomain) domain = boot_guest (f, "guest1", "destroy");
  g_autoptr(GError) error = NULL;

  g_assert_true (qvirt_domain_reboot (domain, NULL, &error));
  g_assert_no_error (error);
  /* The guest powers off, is reset and boots again: a second marker. */
  g_assert_true (guest_console_wait_line (f->console, GUEST_CONSOLE_READY_MARKER,
                                          BOOT_TIMEOUT_MS, &error));
  g_assert_no_error (error);
  g_assert_true (event_log_wait (&f->log, "guest1 rebooted guest", TIMEOUT_MS));
  assert_state (domain, "running", NULL);
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
}

static void
test_poweroff_preserve (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtDomain) domain = boot_guest (f, "guest1", "preserve");
  g_autoptr(GError) error = NULL;

  /* The guest powers itself off: QEMU stays, paused, for inspection. */
  g_assert_true (guest_console_send_line (f->console, "poweroff", &error));
  g_assert_true (event_log_wait (&f->log, "guest1 suspended shutdown", TIMEOUT_MS));
  assert_state (domain, "paused", "shutdown");
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
  assert_state (domain, "shutoff", "destroyed");
}

static void
test_destroy_running_guest (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtDomain) domain = boot_guest (f, "guest1", "destroy");
  g_autoptr(GError) error = NULL;

  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
  assert_state (domain, "shutoff", "destroyed");
}

/* Boots @name (on_poweroff destroy) in a driver-host process, waits for
 * the ready marker, kills the host with SIGKILL and returns QEMU's pid:
 * the guest runs on with no driver holding the root. */
static GPid
boot_in_killed_host (Fixture *f, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = console_path (f);
  g_autofree char *xml = test_xml_guest (name, path, "destroy");
  g_autofree char *file_name = g_strconcat (name, ".xml", NULL);
  g_autofree char *xml_path = g_build_filename (f->root->dir, file_name, NULL);
  g_autofree char *line = NULL;
  g_autoptr(GSubprocess) host = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  GPid qemu_pid;

  /* The fixture's connection holds the root: this test hosts elsewhere. */
  qvirt_connection_close (g_steal_pointer (&f->conn));
  g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));
  host = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           &error, QVIRT_TEST_DRIVER_HOST, f->root->uri, xml_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (host));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "STARTED "));
  qemu_pid = (GPid) g_ascii_strtoll (line + 8, NULL, 10);
  g_assert_true (guest_console_accept (f->console, TIMEOUT_MS, &error));
  g_assert_no_error (error);
  g_assert_true (guest_console_wait_line (f->console, GUEST_CONSOLE_READY_MARKER,
                                          BOOT_TIMEOUT_MS, &error));
  g_assert_no_error (error);

  g_subprocess_send_signal (host, SIGKILL);
  g_assert_true (g_subprocess_wait (host, NULL, NULL));
  return qemu_pid;
}

/* The host of a running guest is killed with SIGKILL; a new connection
 * to the root reattaches, and the guest still answers on its console. */
static void
test_reattach_guest (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  GPid qemu_pid;

  qemu_pid = boot_in_killed_host (f, "survivor");
  f->conn = qvirt_connection_open (f->root->uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD, &error);
  g_assert_no_error (error);
  domain = qvirt_connection_lookup_domain (f->conn, "survivor", &error);
  g_assert_no_error (error);
  info = qvirt_domain_get_info (domain, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->state, ==, "running");
  g_assert_cmpint (info->pid, ==, qemu_pid);

  g_assert_true (guest_console_send_line (f->console, "ping", &error));
  g_assert_true (guest_console_wait_line (f->console, "pong", TIMEOUT_MS, &error));
  g_assert_no_error (error);

  /* And the reattached driver still shuts it down gracefully. */
  g_assert_true (qvirt_domain_shutdown (domain, 60, NULL, &error));
  g_assert_no_error (error);
  assert_state (domain, "shutoff", "shutdown");
}

static void
on_shutdown_event (QmpClient *client, const char *name, json_t *data, gint64 timestamp_us,
                   gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The guest powers off while no driver holds the root: QEMU
 * (-no-shutdown) waits in its "shutdown" state, its SHUTDOWN event heard
 * by nobody. The next driver to open the root applies <on_poweroff>
 * (destroy): the domain ends as shut off by the guest. */
static void
test_poweroff_while_unwatched (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  GPid qemu_pid = boot_in_killed_host (f, "orphan");
  g_autofree char *monitor_path = g_build_filename (f->root->dir, "run", "orphan.qmp", NULL);
  QmpClient *monitor;
  gboolean powered_off = FALSE;
  EventLog log = { 0 };

  /* Nobody listens to QEMU's monitor now: the test does, long enough to
   * see the guest power off. */
  monitor = qmp_client_connect_sync (monitor_path, QMP_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  qmp_client_subscribe (monitor, "SHUTDOWN", on_shutdown_event, &powered_off, NULL);
  g_assert_true (guest_console_send_line (f->console, "poweroff", &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_until (&powered_off, TIMEOUT_MS));
  qmp_client_close (monitor);
  g_clear_pointer (&monitor, qmp_client_unref);
  g_assert_cmpint (kill (qemu_pid, 0), ==, 0);

  /* On this thread's context: nothing happens before we subscribe, and
   * the stop is an event we wait for. */
  f->conn = qvirt_connection_open (f->root->uri, QVIRT_CONNECTION_FLAGS_NONE, &error);
  g_assert_no_error (error);
  qvirt_connection_subscribe_events (f->conn, "orphan", event_log_record, &log, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (event_log_wait (&log, "orphan stopped shutdown", TIMEOUT_MS));
  g_assert_true (test_wait_pid_gone (qemu_pid, TIMEOUT_MS));
  domain = qvirt_connection_lookup_domain (f->conn, "orphan", &error);
  g_assert_no_error (error);
  assert_state (domain, "shutoff", "shutdown");
  g_clear_pointer (&domain, qvirt_domain_unref);
  qvirt_connection_close (g_steal_pointer (&f->conn));
  event_log_clear (&log);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_domain_type ();

  g_test_add ("/driver/guest/boot-shutdown", Fixture, NULL, fixture_set_up,
              test_boot_and_shutdown, fixture_tear_down);
  g_test_add ("/driver/guest/reboot", Fixture, NULL, fixture_set_up, test_reboot,
              fixture_tear_down);
  g_test_add ("/driver/guest/poweroff-preserve", Fixture, NULL, fixture_set_up,
              test_poweroff_preserve, fixture_tear_down);
  g_test_add ("/driver/guest/destroy", Fixture, NULL, fixture_set_up,
              test_destroy_running_guest, fixture_tear_down);
  g_test_add ("/driver/guest/reattach", Fixture, NULL, fixture_set_up,
              test_reattach_guest, fixture_tear_down);
  g_test_add ("/driver/guest/poweroff-while-unwatched", Fixture, NULL, fixture_set_up,
              test_poweroff_while_unwatched, fixture_tear_down);
  return g_test_run ();
}
