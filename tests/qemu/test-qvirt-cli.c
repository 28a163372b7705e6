/* The qvirt binary's offline commands, run as a user would: `--help`,
 * `validate` on good and bad files, and `domxml-to-argv` whose output,
 * pasted into `sh -c`, starts a QEMU that answers on DIR/NAME.qmp. */
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-harness.h"
#include "qvirt/qmp.h"

#define START_TIMEOUT_S 30
#define EXIT_TIMEOUT_MS 30000

typedef struct {
  int status;           /* the exit code */
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static char *
qvirt_binary (void)
{
  const char *build_dir = g_getenv ("QVIRT_BUILD_DIR");

  g_assert_nonnull (build_dir);
  return g_build_filename (build_dir, "src", "tools", "qvirt", NULL);
}

/* Runs qvirt with @args (NULL-terminated) and returns what it did. */
static Result
run_qvirt (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Result result = { 0 };
  int wait_status;
  va_list args;

  g_ptr_array_add (argv, qvirt_binary ());
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                     NULL, &result.out, &result.err, &wait_status, &error))
    g_error ("cannot run qvirt: %s", error->message);
  g_assert_true (WIFEXITED (wait_status));
  result.status = WEXITSTATUS (wait_status);
  return result;
}

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("qvirt-cli-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static char *
write_file (const char *dir, const char *name, const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_dir (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir == NULL)
    return;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_dir (child);
      else
        g_unlink (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static guint
count_lines (const char *text)
{
  guint lines = 0;

  for (const char *c = text; *c; c++)
    lines += *c == '\n';
  return lines;
}

/* ------------------------------------------------------------------------
 * --help, --version, usage errors
 */

static void
test_help (void)
{
  g_auto(Result) help = run_qvirt ("--help", NULL);
  g_auto(Result) version = run_qvirt ("--version", NULL);
  g_auto(Result) validate_help = run_qvirt ("validate", "--help", NULL);
  g_auto(Result) argv_help = run_qvirt ("domxml-to-argv", "--help", NULL);
  g_auto(Result) unknown = run_qvirt ("no-such-command", NULL);
  g_auto(Result) missing = run_qvirt ("validate", NULL);
  g_auto(Result) none = run_qvirt (NULL, NULL);

  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "Usage: qvirt [OPTIONS] COMMAND"));
  g_assert_nonnull (strstr (help.out, "  validate "));
  g_assert_nonnull (strstr (help.out, "  domxml-to-argv "));
  g_assert_nonnull (strstr (help.out, "--connect URI"));

  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "qvirt "));

  g_assert_cmpint (validate_help.status, ==, 0);
  g_assert_true (g_str_has_prefix (validate_help.out,
                                   "Usage: qvirt validate FILE\n"));
  g_assert_nonnull (strstr (validate_help.out, "Example:"));
  g_assert_cmpint (argv_help.status, ==, 0);
  g_assert_true (g_str_has_prefix (argv_help.out, "Usage: qvirt "
                                   "domxml-to-argv FILE [--run-dir DIR]\n"));
  g_assert_nonnull (strstr (argv_help.out, "Example:"));

  g_assert_cmpint (unknown.status, ==, 64);
  g_assert_cmpstr (unknown.err, ==, "qvirt: unknown command "
                   "'no-such-command' (see 'qvirt --help')\n");
  g_assert_cmpint (missing.status, ==, 64);
  g_assert_cmpstr (missing.err, ==, "qvirt validate: missing FILE (see "
                   "'qvirt validate --help')\n");
  g_assert_cmpint (none.status, ==, 64);
}

/* ------------------------------------------------------------------------
 * validate
 */

static const char good_xml[] =
  "<domain type='qemu'>\n"
  "  <name>good</name>\n"
  "  <memory unit='MiB'>128</memory>\n"
  "  <os><type machine='pc'>hvm</type></os>\n"
  "</domain>\n";

/* Three problems on three lines: an unsupported element, a bad value,
 * and an interface that needs libvirt's network driver. */
static const char bad_xml[] =
  "<domain type='qemu'>\n"
  "  <name>bad</name>\n"
  "  <memory unit='MiB'>128</memory>\n"
  "  <os><type machine='pc'>hvm</type></os>\n"
  "  <devices>\n"
  "    <hostdev mode='subsystem' type='pci'/>\n"
  "    <interface type='user'><mac address='not-a-mac'/></interface>\n"
  "    <interface type='network'><source network='default'/></interface>\n"
  "  </devices>\n"
  "</domain>\n";

static const char malformed_xml[] =
  "<domain type='qemu'>\n"
  "  <name>broken</name>\n"
  "  <memory unit='MiB'>128</memory\n"
  "</domain>\n";

/* Valid for the domain model, but QEMU has no such RTC policy. */
static const char unbuildable_xml[] =
  "<domain type='qemu'>\n"
  "  <name>unbuildable</name>\n"
  "  <memory unit='MiB'>128</memory>\n"
  "  <os><type machine='pc'>hvm</type></os>\n"
  "  <clock><timer name='rtc' tickpolicy='merge'/></clock>\n"
  "</domain>\n";

static void
test_validate (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *good = write_file (dir, "good.xml", good_xml);
  g_autofree char *bad = write_file (dir, "bad.xml", bad_xml);
  g_autofree char *malformed = write_file (dir, "malformed.xml",
                                           malformed_xml);
  g_autofree char *unbuildable = write_file (dir, "unbuildable.xml",
                                             unbuildable_xml);
  g_autofree char *missing = g_build_filename (dir, "missing.xml", NULL);
  g_autofree char *expected = NULL;
  g_auto(Result) good_result = run_qvirt ("validate", good, NULL);
  g_auto(Result) bad_result = run_qvirt ("validate", bad, NULL);
  g_auto(Result) malformed_result = run_qvirt ("validate", malformed, NULL);
  g_auto(Result) unbuildable_result = run_qvirt ("validate", unbuildable,
                                                 NULL);
  g_auto(Result) missing_result = run_qvirt ("validate", missing, NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (good_result.status, ==, 0);
  expected = g_strdup_printf ("%s: valid\n", good);
  g_assert_cmpstr (good_result.out, ==, expected);
  g_clear_pointer (&expected, g_free);

  /* Every problem, one per line, FILE:LINE: first. */
  g_test_message ("validate on a bad file:\n%s", bad_result.out);
  g_assert_cmpint (bad_result.status, ==, 1);
  lines = g_strsplit (bad_result.out, "\n", -1);
  g_assert_cmpuint (count_lines (bad_result.out), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("%s:%u: ", bad, 6 + i);
      g_assert_true (g_str_has_prefix (lines[i], prefix));
    }
  expected = g_strdup_printf ("%s:6: unsupported element <devices/hostdev> "
                              "at line 6", bad);
  g_assert_cmpstr (lines[0], ==, expected);
  g_clear_pointer (&expected, g_free);
  g_assert_nonnull (strstr (lines[1], "not-a-mac"));
  g_assert_nonnull (strstr (lines[2], "network"));

  /* Malformed XML: one line, with its position. */
  g_test_message ("validate on malformed XML: %s", malformed_result.out);
  g_assert_cmpint (malformed_result.status, ==, 1);
  g_assert_cmpuint (count_lines (malformed_result.out), ==, 1);
  expected = g_strdup_printf ("%s:", malformed);
  g_assert_true (g_str_has_prefix (malformed_result.out, expected));
  g_clear_pointer (&expected, g_free);

  /* What QEMU's command line cannot express is a problem too. */
  g_assert_cmpint (unbuildable_result.status, ==, 1);
  expected = g_strdup_printf ("%s: <clock/timer>: timer 'rtc' tickpolicy "
                              "'merge' is not supported by QEMU (use delay "
                              "or catchup)\n", unbuildable);
  g_assert_cmpstr (unbuildable_result.out, ==, expected);
  g_clear_pointer (&expected, g_free);

  /* An unreadable file: one clear line on stderr. */
  g_assert_cmpint (missing_result.status, ==, 1);
  g_assert_cmpstr (missing_result.out, ==, "");
  g_assert_cmpuint (count_lines (missing_result.err), ==, 1);
  g_assert_true (g_str_has_prefix (missing_result.err, "qvirt: "));
  g_assert_nonnull (strstr (missing_result.err, missing));

  remove_dir (dir);
}

/* ------------------------------------------------------------------------
 * domxml-to-argv, pasted into a shell
 */

typedef struct {
  GMainLoop *loop;
  const char *name;
  gboolean seen;
} WaitFile;

static void
on_dir_changed (GFileMonitor *monitor, GFile *file, GFile *other,
                GFileMonitorEvent event, gpointer user_data)
{
  WaitFile *wait = user_data;
  g_autofree char *basename = g_file_get_basename (file);

  if (event == G_FILE_MONITOR_EVENT_CREATED &&
      g_str_equal (basename, wait->name))
    {
      wait->seen = TRUE;
      g_main_loop_quit (wait->loop);
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Waits until @name appears in @dir (inotify), at most @timeout_s. */
static gboolean
wait_for_file (GFileMonitor *monitor, const char *dir, const char *name,
               guint timeout_s)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  WaitFile wait = { loop, name, FALSE };
  gulong handler;
  guint timeout;

  handler = g_signal_connect (monitor, "changed", G_CALLBACK (on_dir_changed),
                              &wait);
  timeout = g_timeout_add_seconds (timeout_s, on_timeout, loop);
  /* It may have appeared before the monitor was set up. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_main_loop_run (loop);
  else
    wait.seen = TRUE;
  if (!wait.seen)
    wait.seen = g_file_test (path, G_FILE_TEST_EXISTS);
  else
    g_source_remove (timeout);
  g_signal_handler_disconnect (monitor, handler);
  return wait.seen;
}

static void
test_domxml_to_argv_runs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_dir ();
  /* A run directory whose name needs quoting in the shell and escaping
   * in QEMU's options. */
  g_autofree char *run_dir = g_build_filename (dir, "run, 'dir'=x", NULL);
  g_autofree char *ready = g_build_filename (run_dir, "console.log", NULL);
  g_autofree char *escaped_ready = g_markup_escape_text (ready, -1);
  g_autofree char *xml = g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>cli-run</name>\n"
    "  <memory unit='MiB'>128</memory>\n"
    "  <os><type machine='q35'>hvm</type></os>\n"
    "  <devices>\n"
    "    <serial type='file'><source path=\"%s\"/></serial>\n"
    "    <channel type='unix'>\n"
    "      <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
    "    </channel>\n"
    "  </devices>\n"
    "</domain>\n", escaped_ready);
  g_autofree char *file = write_file (dir, "cli-run.xml", xml);
  g_autofree char *monitor = g_build_filename (run_dir, "cli-run.qmp", NULL);
  g_autofree char *agent = g_build_filename (run_dir,
                                             "cli-run.org.qemu.guest_agent.0",
                                             NULL);
  g_autofree char *log_path = g_build_filename (dir, "sh.log", NULL);
  g_auto(Result) result = { 0 };
  g_autoptr(GFile) run_dir_file = NULL;
  g_autoptr(GFileMonitor) dir_monitor = NULL;
  g_autoptr(QmpClient) client = NULL;
  g_autoptr(json_t) status = NULL;
  g_autoptr(json_t) reply = NULL;
  const char *sh_argv[] = { "sh", "-c", NULL, NULL };
  TestQemu *qemu = g_new0 (TestQemu, 1);
  int log_fd;

  g_assert_cmpint (g_mkdir (run_dir, 0700), ==, 0);
  result = run_qvirt ("domxml-to-argv", file, "--run-dir", run_dir, NULL);
  g_test_message ("qvirt domxml-to-argv printed:\n%s", result.out);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (count_lines (result.out), ==, 1);

  run_dir_file = g_file_new_for_path (run_dir);
  dir_monitor = g_file_monitor_directory (run_dir_file, G_FILE_MONITOR_NONE,
                                          NULL, &error);
  g_assert_no_error (error);

  sh_argv[2] = result.out;
  log_fd = open (log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  qemu->dir = g_strdup (dir);
  qemu->log_path = g_strdup (log_path);
  qemu->qmp_path = g_strdup (monitor);
  if (!g_spawn_async_with_pipes_and_fds (dir, sh_argv, NULL,
                                         G_SPAWN_SEARCH_PATH |
                                         G_SPAWN_DO_NOT_REAP_CHILD |
                                         G_SPAWN_STDIN_FROM_DEV_NULL,
                                         NULL, NULL, -1, log_fd, log_fd,
                                         NULL, NULL, 0, &qemu->pid, NULL,
                                         NULL, NULL, &error))
    g_error ("cannot run sh: %s", error->message);
  close (log_fd);

  /* QEMU creates its chardevs in command line order: once the serial's
   * file exists, the monitor socket before it is listening. */
  if (!wait_for_file (dir_monitor, run_dir, "console.log", START_TIMEOUT_S))
    {
      g_autofree char *log = test_qemu_log_contents (qemu);
      g_error ("QEMU started from the shell line did not create its files "
               "in %d s; its output:\n%s", START_TIMEOUT_S, log);
    }

  client = qmp_client_connect_sync (monitor, QMP_CLIENT_FLAGS_NONE, NULL,
                                    &error);
  g_assert_no_error (error);
  qmp_client_set_default_timeout (client, EXIT_TIMEOUT_MS);
  status = qmp_client_execute_sync (client, "query-status", NULL, NULL,
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_string_value (json_object_get (status, "status")), ==,
                   "prelaunch");
  /* QEMU answers only once it created every chardev: the agent's socket
   * went to the run directory too. */
  g_assert_true (g_file_test (agent, G_FILE_TEST_EXISTS));
  reply = qmp_client_execute_sync (client, "quit", NULL, NULL, &error);
  if (reply == NULL)
    g_assert_error (error, QMP_ERROR, QMP_ERROR_CLOSED);
  g_assert_true (test_qemu_wait_exit (qemu, EXIT_TIMEOUT_MS));

  test_qemu_free (qemu);
  remove_dir (dir);
}

static void
test_domxml_to_argv_refuses (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *bad = write_file (dir, "bad.xml", bad_xml);
  g_autofree char *unbuildable = write_file (dir, "unbuildable.xml",
                                             unbuildable_xml);
  g_autofree char *expected = NULL;
  g_auto(Result) bad_result = run_qvirt ("domxml-to-argv", bad, NULL);
  g_auto(Result) unbuildable_result = run_qvirt ("domxml-to-argv",
                                                 unbuildable, NULL);

  g_assert_cmpint (bad_result.status, ==, 1);
  g_assert_cmpstr (bad_result.out, ==, "");
  expected = g_strdup_printf ("qvirt: %s: unsupported element "
                              "<devices/hostdev> at line 6\n", bad);
  g_assert_cmpstr (bad_result.err, ==, expected);
  g_clear_pointer (&expected, g_free);

  g_assert_cmpint (unbuildable_result.status, ==, 1);
  expected = g_strdup_printf ("qvirt: %s: <clock/timer>: timer 'rtc' "
                              "tickpolicy 'merge' is not supported by QEMU "
                              "(use delay or catchup)\n", unbuildable);
  g_assert_cmpstr (unbuildable_result.err, ==, expected);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qvirt/help", test_help);
  g_test_add_func ("/qvirt/validate", test_validate);
  g_test_add_func ("/qvirt/domxml-to-argv/runs", test_domxml_to_argv_runs);
  g_test_add_func ("/qvirt/domxml-to-argv/refuses",
                   test_domxml_to_argv_refuses);
  return g_test_run ();
}
