/* The qvirt binary's domain commands against a real QEMU (TCG, no
 * guest), each step a separate invocation as from a shell: so every step
 * after `start` also checks that a new process reattaches to the QEMU an
 * earlier one started.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli-test-util.h"

/* Room for a loaded machine; the waits end as soon as things happen. */
#define EVENT_TIMEOUT_MS 30000
#define EXIT_TIMEOUT_MS 30000

static const char *const domain_commands[] = {
  "list", "define", "undefine", "create", "start", "shutdown", "destroy",
  "suspend", "resume", "reboot", "reset", "info", "dumpxml", "qmp", "events",
};

/* `qvirt info NAME --json`, parsed. */
static json_t *
info_json (CliRoot *root, const char *name)
{
  g_auto(CliResult) info = cli_run (root->uri, "info", name, "--json", NULL);

  g_assert_cmpint (info.status, ==, 0);
  return cli_json (&info);
}

static void
assert_state (CliRoot *root, const char *name, const char *state, const char *reason)
{
  g_autoptr(json_t) info = info_json (root, name);

  g_assert_cmpstr (json_string_value (json_object_get (info, "state")), ==, state);
  if (reason != NULL)
    g_assert_cmpstr (json_string_value (json_object_get (info, "reason")), ==, reason);
}

static GPid
running_pid (CliRoot *root, const char *name)
{
  g_autoptr(json_t) info = info_json (root, name);
  json_int_t pid = json_integer_value (json_object_get (info, "pid"));

  g_assert_cmpint (pid, >, 0);
  return (GPid) pid;
}

/* QEMU's own view, through `qvirt qmp`. */
static void
assert_qmp_status (CliRoot *root, const char *name, const char *status)
{
  g_auto(CliResult) reply = cli_run (root->uri, "qmp", name,
                                     "{\"execute\":\"query-status\"}", NULL);
  g_autoptr(json_t) json = NULL;

  g_assert_cmpint (reply.status, ==, 0);
  g_assert_cmpstr (reply.err, ==, "");
  json = cli_json (&reply);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (json, "return"),
                                                       "status")), ==, status);
}

/* ------------------------------------------------------------------------
 * The lifecycle, one invocation per step
 */

static void
define_and_list (CliRoot *root, const char *file)
{
  g_autofree char *expected = g_strdup_printf ("Domain 'vm' defined from %s\n", file);
  g_auto(CliResult) define = cli_run (root->uri, "define", file, NULL);
  g_auto(CliResult) list_all = cli_run (root->uri, "list", "--all", NULL);
  g_auto(CliResult) list_inactive = cli_run (root->uri, "list", "--inactive", NULL);
  g_auto(CliResult) list_active = cli_run (root->uri, "list", NULL);

  g_assert_cmpint (define.status, ==, 0);
  g_assert_cmpstr (define.out, ==, expected);

  g_assert_cmpint (list_all.status, ==, 0);
  g_assert_true (cli_has_line (list_all.out, " PID +Name +State", 0, NULL));
  g_assert_true (cli_has_line (list_all.out, "-+", 0, NULL));
  g_assert_true (cli_has_line (list_all.out, " - +vm +shut off", 0, NULL));
  g_assert_true (cli_has_line (list_inactive.out, " - +vm +shut off", 0, NULL));
  /* Without --all: only what runs. */
  g_assert_cmpint (list_active.status, ==, 0);
  g_assert_false (cli_has_line (list_active.out, ".* vm .*", 0, NULL));
}

static GPid
start_and_list (CliRoot *root)
{
  g_auto(CliResult) start = cli_run (root->uri, "start", "vm", NULL);
  g_auto(CliResult) list = cli_run (root->uri, "list", NULL);
  g_auto(CliResult) again = cli_run (root->uri, "start", "vm", NULL);
  g_autofree char *listed_pid = NULL;
  g_autoptr(json_t) info = NULL;
  GPid pid;

  g_assert_cmpint (start.status, ==, 0);
  g_assert_cmpstr (start.out, ==, "Domain 'vm' started\n");
  g_assert_cmpstr (start.err, ==, "");

  /* A separate process finds the QEMU the first one left running. */
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (cli_has_line (list.out, " ([0-9]+) +vm +running", 1, &listed_pid));

  info = info_json (root, "vm");
  g_assert_cmpstr (json_string_value (json_object_get (info, "name")), ==, "vm");
  g_assert_cmpstr (json_string_value (json_object_get (info, "state")), ==, "running");
  g_assert_true (json_is_true (json_object_get (info, "persistent")));
  g_assert_false (json_is_true (json_object_get (info, "autodestroy")));
  pid = (GPid) json_integer_value (json_object_get (info, "pid"));
  g_assert_cmpint (pid, ==, atoi (listed_pid));
  g_assert_cmpint (kill (pid, 0), ==, 0);

  /* Starting it again is an error that says why. */
  g_assert_cmpint (again.status, ==, 1);
  g_assert_cmpstr (again.out, ==, "");
  g_assert_cmpstr (again.err, ==, "qvirt: domain 'vm' is already running\n");
  return pid;
}

static void
check_info_text (CliRoot *root, GPid pid)
{
  g_auto(CliResult) info = cli_run (root->uri, "info", "vm", NULL);
  g_autofree char *pid_line = g_strdup_printf ("PID: +%d", (int) pid);

  g_assert_cmpint (info.status, ==, 0);
  g_assert_true (cli_has_line (info.out, "Name: +vm", 0, NULL));
  g_assert_true (cli_has_line (info.out, "UUID: +[0-9a-f-]{36}", 0, NULL));
  g_assert_true (cli_has_line (info.out, "State: +running \\(booted\\)", 0, NULL));
  g_assert_true (cli_has_line (info.out, pid_line, 0, NULL));
  g_assert_true (cli_has_line (info.out, "Persistent: +yes", 0, NULL));
  g_assert_true (cli_has_line (info.out, "Autodestroy: +no", 0, NULL));
  g_assert_true (cli_has_line (info.out, "Max memory: +65536 KiB", 0, NULL));
  g_assert_true (cli_has_line (info.out, "vCPUs: +1", 0, NULL));
  g_assert_true (cli_has_line (info.out, "CPU time: +[0-9]+\\.[0-9]s", 0, NULL));
}

static void
check_qmp (CliRoot *root)
{
  g_auto(CliResult) bare = cli_run (root->uri, "qmp", "vm", "query-status", NULL);
  g_auto(CliResult) refused = cli_run (root->uri, "qmp", "vm", "no-such-command", NULL);
  g_autoptr(json_t) refused_json = NULL;

  assert_qmp_status (root, "vm", "running");
  g_assert_cmpint (bare.status, ==, 0);
  g_assert_nonnull (strstr (bare.out, "\"status\":\"running\""));

  /* QEMU's error reply is printed, and is a failure. */
  g_assert_cmpint (refused.status, ==, 1);
  refused_json = cli_json (&refused);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (refused_json,
                                                                        "error"),
                                                       "class")), ==, "CommandNotFound");
  g_assert_true (g_str_has_prefix (refused.err, "qvirt: QEMU refused the command: "
                                   "CommandNotFound: "));
}

static void
suspend_and_resume (CliRoot *root)
{
  g_auto(CliResult) suspend = cli_run (root->uri, "suspend", "vm", NULL);
  g_auto(CliResult) suspend_again = { 0 };
  g_auto(CliResult) resume = { 0 };
  g_auto(CliResult) paused_info = { 0 };

  g_assert_cmpint (suspend.status, ==, 0);
  g_assert_cmpstr (suspend.out, ==, "Domain 'vm' suspended\n");
  assert_state (root, "vm", "paused", "user");
  assert_qmp_status (root, "vm", "paused");
  paused_info = cli_run (root->uri, "info", "vm", NULL);
  g_assert_true (cli_has_line (paused_info.out, "State: +paused \\(user\\)", 0, NULL));

  suspend_again = cli_run (root->uri, "suspend", "vm", NULL);
  g_assert_cmpint (suspend_again.status, ==, 1);
  g_assert_true (g_str_has_prefix (suspend_again.err, "qvirt: domain 'vm' is paused"));

  resume = cli_run (root->uri, "resume", "vm", NULL);
  g_assert_cmpint (resume.status, ==, 0);
  g_assert_cmpstr (resume.out, ==, "Domain 'vm' resumed\n");
  assert_state (root, "vm", "running", NULL);
  assert_qmp_status (root, "vm", "running");
}

static void
check_dumpxml (CliRoot *root)
{
  g_autoptr(json_t) info = info_json (root, "vm");
  g_autofree char *uuid_element =
    g_strdup_printf ("<uuid>%s</uuid>", json_string_value (json_object_get (info, "uuid")));
  g_auto(CliResult) live = cli_run (root->uri, "dumpxml", "vm", NULL);
  g_auto(CliResult) saved = cli_run (root->uri, "dumpxml", "vm", "--inactive", NULL);

  for (guint i = 0; i < 2; i++)
    {
      const CliResult *xml = i == 0 ? &live : &saved;

      g_assert_cmpint (xml->status, ==, 0);
      g_assert_true (g_str_has_prefix (xml->out, "<domain type='qemu'>\n"));
      g_assert_true (g_str_has_suffix (xml->out, "</domain>\n"));
      g_assert_nonnull (strstr (xml->out, "<name>vm</name>"));
      g_assert_nonnull (strstr (xml->out, uuid_element));
      g_assert_nonnull (strstr (xml->out, "<memballoon model='none'/>"));
    }
}

/* A guest without an OS ignores the power button: shutdown gives up
 * when told to and says so, and the domain still runs. */
static void
shutdown_times_out (CliRoot *root)
{
  g_auto(CliResult) shutdown = cli_run (root->uri, "shutdown", "vm", "--timeout", "1",
                                        NULL);

  g_assert_cmpint (shutdown.status, ==, 1);
  g_assert_cmpstr (shutdown.out, ==, "");
  g_assert_true (g_str_has_prefix (shutdown.err, "qvirt: domain 'vm' did not shut down "
                                   "within 1 s"));
  g_assert_nonnull (strstr (shutdown.err, "qvirt destroy vm"));
  assert_state (root, "vm", "running", NULL);
}

/* Likewise for reboot, which waits for the guest to power off; reset
 * needs no guest. */
static void
reboot_times_out_and_reset (CliRoot *root)
{
  g_auto(CliResult) reboot = cli_run (root->uri, "reboot", "vm", "--timeout", "1", NULL);
  g_auto(CliResult) reset = { 0 };

  g_assert_cmpint (reboot.status, ==, 1);
  g_assert_cmpstr (reboot.out, ==, "");
  g_assert_true (g_str_has_prefix (reboot.err, "qvirt: domain 'vm' did not reboot "
                                   "within 1 s"));
  g_assert_nonnull (strstr (reboot.err, "qvirt reset vm"));

  reset = cli_run (root->uri, "reset", "vm", NULL);
  g_assert_cmpint (reset.status, ==, 0);
  g_assert_cmpstr (reset.out, ==, "Domain 'vm' was reset\n");
  assert_state (root, "vm", "running", NULL);
}

/* `events` follows the domain from its own process. While it holds the
 * root, another qvirt cannot open it and says who holds it; QEMU killed
 * from outside shows up as a "stopped" line. */
static void
events_see_qemu_stop (CliRoot *root, GPid qemu_pid)
{
  g_autoptr(QvirtBackground) events = cli_background_start (root->uri, "events", "vm",
                                                            "--timeout", "60", NULL);
  g_autofree char *holder = g_strdup_printf ("is in use by process %d ",
                                             (int) cli_background_get_pid (events));
  g_auto(CliResult) destroy = { 0 };
  g_autofree char *line = NULL;
  /* Said once it is subscribed: from then on no event is missed. */
  g_autofree char *following = cli_background_wait_line (events, "Following events of "
                                                         "domain 'vm' \\(.*\\)",
                                                         EVENT_TIMEOUT_MS);

  g_assert_nonnull (following);
  destroy = cli_run (root->uri, "destroy", "vm", NULL);
  g_assert_cmpint (destroy.status, ==, 1);
  g_assert_true (g_str_has_prefix (destroy.err, "qvirt: root '"));
  g_assert_nonnull (strstr (destroy.err, holder));
  g_assert_cmpint (kill (qemu_pid, 0), ==, 0);

  /* QEMU killed by someone else. (SIGKILL: QEMU 7.2 may hang in its
   * monitor cleanup when SIGTERM finds a QMP command in flight, such as
   * the handshake of the driver that just reattached.) */
  g_assert_cmpint (kill (qemu_pid, SIGKILL), ==, 0);
  line = cli_background_wait_line (events,
                                   "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[-+][0-9:]+ vm stopped "
                                   "crashed", EVENT_TIMEOUT_MS);
  g_assert_nonnull (line);
  g_assert_true (cli_wait_pid_gone (qemu_pid, EXIT_TIMEOUT_MS));

  /* SIGTERM ends `events` normally. */
  g_assert_cmpint (kill (cli_background_get_pid (events), SIGTERM), ==, 0);
  g_assert_cmpint (cli_background_wait_exit (events, EXIT_TIMEOUT_MS), ==, 0);
  assert_state (root, "vm", "shutoff", NULL);
}

static void
start_and_destroy (CliRoot *root)
{
  g_auto(CliResult) start = cli_run (root->uri, "start", "vm", "--paused", NULL);
  g_auto(CliResult) destroy = { 0 };
  g_auto(CliResult) destroy_again = { 0 };
  GPid pid;

  g_assert_cmpint (start.status, ==, 0);
  g_assert_cmpstr (start.out, ==, "Domain 'vm' started (paused)\n");
  assert_state (root, "vm", "paused", "user");
  pid = running_pid (root, "vm");

  destroy = cli_run (root->uri, "destroy", "vm", NULL);
  g_assert_cmpint (destroy.status, ==, 0);
  g_assert_cmpstr (destroy.out, ==, "Domain 'vm' destroyed\n");
  g_assert_true (cli_wait_pid_gone (pid, EXIT_TIMEOUT_MS));
  /* Not the reason: the driver keeps why a domain stopped only in the
   * process that saw it stop, and this is a new one ("unknown"). */
  assert_state (root, "vm", "shutoff", NULL);

  destroy_again = cli_run (root->uri, "destroy", "vm", NULL);
  g_assert_cmpint (destroy_again.status, ==, 1);
  g_assert_true (g_str_has_prefix (destroy_again.err, "qvirt: "));
}

static void
undefine (CliRoot *root)
{
  g_auto(CliResult) undefine = cli_run (root->uri, "undefine", "vm", NULL);
  g_auto(CliResult) list = cli_run (root->uri, "list", "--all", NULL);
  g_auto(CliResult) info = cli_run (root->uri, "info", "vm", NULL);

  g_assert_cmpint (undefine.status, ==, 0);
  g_assert_cmpstr (undefine.out, ==, "Domain 'vm' has been undefined\n");
  g_assert_false (cli_has_line (list.out, ".* vm .*", 0, NULL));
  g_assert_cmpint (info.status, ==, 1);
}

static void
test_lifecycle (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *xml = cli_xml_no_guest ("vm");
  g_autofree char *file = cli_root_write_file (root, "vm.xml", xml);
  GPid pid;

  define_and_list (root, file);
  pid = start_and_list (root);
  check_info_text (root, pid);
  check_qmp (root);
  suspend_and_resume (root);
  check_dumpxml (root);
  shutdown_times_out (root);
  reboot_times_out_and_reset (root);
  events_see_qemu_stop (root, pid);
  start_and_destroy (root);
  undefine (root);
}

/* ------------------------------------------------------------------------
 * JSON output
 */

static void
test_list_json (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *xml_a = cli_xml_no_guest ("a");
  g_autofree char *xml_b = cli_xml_no_guest ("b");
  g_autofree char *file_a = cli_root_write_file (root, "a.xml", xml_a);
  g_autofree char *file_b = cli_root_write_file (root, "b.xml", xml_b);
  g_auto(CliResult) define_a = cli_run (root->uri, "define", file_a, NULL);
  g_auto(CliResult) define_b = cli_run (root->uri, "define", file_b, NULL);
  g_auto(CliResult) start_b = cli_run (root->uri, "start", "b", NULL);
  g_auto(CliResult) all = cli_run (root->uri, "list", "--all", "--json", NULL);
  g_auto(CliResult) active = cli_run (root->uri, "list", "--json", NULL);
  g_auto(CliResult) inactive = cli_run (root->uri, "list", "--inactive", "--json", NULL);
  g_autoptr(json_t) all_json = cli_json (&all);
  g_autoptr(json_t) active_json = cli_json (&active);
  g_autoptr(json_t) inactive_json = cli_json (&inactive);
  g_auto(CliResult) destroy = { 0 };

  g_assert_cmpint (start_b.status, ==, 0);
  /* docs/protocol.md's domain.list result, sorted by name. */
  g_assert_true (json_is_array (all_json));
  g_assert_cmpuint (json_array_size (all_json), ==, 2);
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (all_json, 0), "name")),
                   ==, "a");
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (all_json, 1),
                                                       "state")), ==, "running");
  g_assert_cmpint (json_integer_value (json_object_get (json_array_get (all_json, 1),
                                                        "memory-kib")), ==, 65536);
  g_assert_cmpuint (json_array_size (active_json), ==, 1);
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (active_json, 0),
                                                       "name")), ==, "b");
  g_assert_cmpuint (json_array_size (inactive_json), ==, 1);
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (inactive_json, 0),
                                                       "name")), ==, "a");

  destroy = cli_run (root->uri, "destroy", "b", NULL);
  g_assert_cmpint (destroy.status, ==, 0);
}

/* ------------------------------------------------------------------------
 * create: transient, and --autodestroy in the foreground
 */

static void
test_create_transient (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *xml = cli_xml_no_guest ("scratch");
  g_autofree char *file = cli_root_write_file (root, "scratch.xml", xml);
  g_autofree char *expected = g_strdup_printf ("Domain 'scratch' created from %s\n", file);
  g_auto(CliResult) create = cli_run (root->uri, "create", file, NULL);
  g_auto(CliResult) list = cli_run (root->uri, "list", NULL);
  g_auto(CliResult) destroy = { 0 };
  g_auto(CliResult) after = { 0 };
  g_autoptr(json_t) info = NULL;
  GPid pid;

  g_assert_cmpint (create.status, ==, 0);
  g_assert_cmpstr (create.out, ==, expected);
  g_assert_true (cli_has_line (list.out, " [0-9]+ +scratch +running", 0, NULL));
  info = info_json (root, "scratch");
  g_assert_false (json_is_true (json_object_get (info, "persistent")));
  pid = running_pid (root, "scratch");

  /* Gone once it stops. */
  destroy = cli_run (root->uri, "destroy", "scratch", NULL);
  g_assert_cmpint (destroy.status, ==, 0);
  g_assert_true (cli_wait_pid_gone (pid, EXIT_TIMEOUT_MS));
  after = cli_run (root->uri, "list", "--all", NULL);
  g_assert_false (cli_has_line (after.out, ".* scratch .*", 0, NULL));
}

/* `events --json`: one JSON object per line; SIGINT ends it normally.
 * (QEMU's own events, --qmp, need a guest: see test-qvirt-cli-guest.c.) */
static void
test_events_json (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *xml = cli_xml_no_guest ("scratch");
  g_autofree char *file = cli_root_write_file (root, "scratch.xml", xml);
  g_auto(CliResult) create = cli_run (root->uri, "create", file, NULL);
  GPid pid = running_pid (root, "scratch");
  g_autoptr(QvirtBackground) events = cli_background_start (root->uri, "events", "--json",
                                                            "--timeout", "60", NULL);
  g_autofree char *following = cli_background_wait_line (events, "Following events of "
                                                         "all domains \\(.*\\)",
                                                         EVENT_TIMEOUT_MS);
  g_autofree char *line = NULL;
  g_autoptr(json_t) stopped = NULL;
  gint64 now_us = g_get_real_time ();

  g_assert_cmpint (create.status, ==, 0);
  g_assert_nonnull (following);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);

  line = cli_background_wait_line (events, "\\{.*\\}", EVENT_TIMEOUT_MS);
  g_assert_nonnull (line);
  stopped = json_loads (line, 0, NULL);
  g_assert_nonnull (stopped);
  g_assert_cmpstr (json_string_value (json_object_get (stopped, "domain")), ==, "scratch");
  g_assert_cmpuint (strlen (json_string_value (json_object_get (stopped, "uuid"))), ==, 36);
  g_assert_cmpstr (json_string_value (json_object_get (stopped, "kind")), ==, "lifecycle");
  g_assert_cmpstr (json_string_value (json_object_get (stopped, "event")), ==, "stopped");
  g_assert_cmpstr (json_string_value (json_object_get (stopped, "detail")), ==, "crashed");
  g_assert_null (json_object_get (stopped, "data"));
  g_assert_cmpint (json_integer_value (json_object_get (stopped, "timestamp")), >=,
                   now_us - G_USEC_PER_SEC);

  g_assert_cmpint (kill (cli_background_get_pid (events), SIGINT), ==, 0);
  g_assert_cmpint (cli_background_wait_exit (events, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_true (cli_wait_pid_gone (pid, EXIT_TIMEOUT_MS));
}

/* Starts `create FILE --autodestroy` and returns QEMU's pid, which it
 * prints once the domain runs. */
static GPid
start_foreground (QvirtBackground *create)
{
  g_autofree char *line = cli_background_wait_line (create, "Domain 'scratch' is running as "
                                                    "process [0-9]+ with autodestroy:",
                                                    EVENT_TIMEOUT_MS);
  GPid pid;

  g_assert_nonnull (line);
  pid = (GPid) atoi (strstr (line, "process ") + strlen ("process "));
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  return pid;
}

static void
test_create_autodestroy (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *xml = cli_xml_no_guest ("scratch");
  g_autofree char *file = cli_root_write_file (root, "scratch.xml", xml);
  g_autoptr(QvirtBackground) create = cli_background_start (root->uri, "create", file,
                                                            "--autodestroy", NULL);
  g_autoptr(QvirtBackground) killed = NULL;
  g_autofree char *destroyed = NULL;
  g_auto(CliResult) list = { 0 };
  GPid pid = start_foreground (create);

  /* SIGTERM to qvirt: it destroys the domain and exits normally. */
  g_assert_cmpint (kill (cli_background_get_pid (create), SIGTERM), ==, 0);
  destroyed = cli_background_wait_line (create, "Domain 'scratch' destroyed",
                                        EXIT_TIMEOUT_MS);
  g_assert_nonnull (destroyed);
  g_assert_cmpint (cli_background_wait_exit (create, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_true (cli_wait_pid_gone (pid, EXIT_TIMEOUT_MS));
  list = cli_run (root->uri, "list", "--all", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_false (cli_has_line (list.out, ".* scratch .*", 0, NULL));

  /* QEMU dying on its own ends the command too, as a failure. */
  killed = cli_background_start (root->uri, "create", file, "--autodestroy", NULL);
  pid = start_foreground (killed);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (cli_background_wait_exit (killed, EXIT_TIMEOUT_MS), ==, 1);
}

/* ------------------------------------------------------------------------
 * Errors and help
 */

static void
test_errors (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *missing_file = g_build_filename (root->dir, "missing.xml", NULL);
  g_auto(CliResult) unknown = cli_run (root->uri, "info", "nope", NULL);
  g_auto(CliResult) unknown_start = cli_run (root->uri, "start", "nope", NULL);
  g_auto(CliResult) no_uri = cli_run (NULL, "list", NULL);
  g_auto(CliResult) relative = cli_run ("qemu:///embed?root=relative/dir", "list", NULL);
  g_auto(CliResult) bad_option = cli_run (root->uri, "list", "--bogus", NULL);
  g_auto(CliResult) missing_name = cli_run (root->uri, "start", NULL);
  g_auto(CliResult) extra = cli_run (root->uri, "destroy", "a", "b", NULL);
  g_auto(CliResult) bad_timeout = cli_run (root->uri, "shutdown", "vm", "--timeout",
                                           "soon", NULL);
  g_auto(CliResult) no_file = cli_run (root->uri, "define", missing_file, NULL);

  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_cmpstr (unknown.out, ==, "");
  g_assert_cmpstr (unknown.err, ==, "qvirt: no domain with matching name or uuid 'nope' "
                   "(see 'qvirt list --all')\n");
  g_assert_cmpint (unknown_start.status, ==, 1);
  g_assert_cmpstr (unknown_start.err, ==, unknown.err);

  g_assert_cmpint (no_uri.status, ==, 1);
  g_assert_cmpstr (no_uri.err, ==, "qvirt: no connection URI: use -c URI or set "
                   "QVIRT_DEFAULT_URI (e.g. qemu:///embed?root=/var/lib/myapp)\n");
  g_assert_cmpint (relative.status, ==, 1);
  g_assert_cmpstr (relative.err, ==, "qvirt: the embed root must be an absolute path, "
                   "not 'relative/dir'\n");

  g_assert_cmpint (bad_option.status, ==, 64);
  g_assert_cmpstr (bad_option.err, ==, "qvirt list: unknown option '--bogus' "
                   "(see 'qvirt list --help')\n");
  g_assert_cmpint (missing_name.status, ==, 64);
  g_assert_cmpstr (missing_name.err, ==, "qvirt start: missing NAME "
                   "(see 'qvirt start --help')\n");
  g_assert_cmpint (extra.status, ==, 64);
  g_assert_cmpstr (extra.err, ==, "qvirt destroy: unexpected argument 'b' "
                   "(see 'qvirt destroy --help')\n");
  g_assert_cmpint (bad_timeout.status, ==, 64);
  g_assert_cmpstr (bad_timeout.err, ==, "qvirt shutdown: --timeout needs a number of "
                   "seconds, not 'soon' (see 'qvirt shutdown --help')\n");

  g_assert_cmpint (no_file.status, ==, 1);
  g_assert_true (g_str_has_prefix (no_file.err, "qvirt: "));
  g_assert_nonnull (strstr (no_file.err, missing_file));
  g_assert_cmpstr (strchr (no_file.err, '\n'), ==, "\n");
}

static void
test_help (void)
{
  g_auto(CliResult) global = cli_run (NULL, "--help", NULL);

  g_assert_cmpint (global.status, ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (domain_commands); i++)
    {
      g_autofree char *listed = g_strdup_printf ("  %s +[a-z].*", domain_commands[i]);
      g_autofree char *synopsis = g_strdup_printf ("Usage: qvirt %s", domain_commands[i]);
      g_auto(CliResult) help = cli_run (NULL, domain_commands[i], "--help", NULL);

      g_assert_true (cli_has_line (global.out, listed, 0, NULL));
      g_assert_cmpint (help.status, ==, 0);
      g_assert_cmpstr (help.err, ==, "");
      g_assert_true (g_str_has_prefix (help.out, synopsis));
      g_assert_true (cli_has_line (help.out, "Exit status:", 0, NULL));
      g_assert_true (cli_has_line (help.out, "  64  bad command line", 0, NULL));
      g_assert_true (cli_has_line (help.out, "Example:", 0, NULL));
      g_assert_true (cli_has_line (help.out, "  \\$ qvirt .*", 0, NULL));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qvirt-cli/help", test_help);
  g_test_add_func ("/qvirt-cli/errors", test_errors);
  g_test_add_func ("/qvirt-cli/lifecycle", test_lifecycle);
  g_test_add_func ("/qvirt-cli/list-json", test_list_json);
  g_test_add_func ("/qvirt-cli/create/transient", test_create_transient);
  g_test_add_func ("/qvirt-cli/create/autodestroy", test_create_autodestroy);
  g_test_add_func ("/qvirt-cli/events/json", test_events_json);
  return g_test_run ();
}
