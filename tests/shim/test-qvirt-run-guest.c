/* qvirt-run with the test guest (docs/test-guest.md), TCG: the console on
 * stdin/stdout answers ping, the guest's poweroff ends the shim with
 * status 0 and takes its temporary root along, and SIGTERM powers the
 * guest off through ACPI (status 0 again). Without --console the console
 * goes to ROOT/log/NAME.console.log; with --console and stdin at its end
 * (a container run without -i) it still shows. */
#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "shim-process.h"

#define TIMEOUT_MS 60000
#define READY_MARKER "QVIRT-GUEST-READY"
/* How often ping is sent until pong comes back: the guest's reader may
 * start a moment after the marker. */
#define PING_INTERVAL_MS 500

static char *
guest_xml_file (void)
{
  const char *guest_dir = g_getenv ("QVIRT_GUEST_DIR");
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *dir = NULL;
  char *path;

  if (guest_dir == NULL)
    g_error ("no test guest: set QVIRT_GUEST_DIR and run scripts/guest.sh DIR");
  kernel = g_build_filename (guest_dir, "vmlinuz", NULL);
  initrd = g_build_filename (guest_dir, "initrd.img", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS))
    g_error ("no test guest in %s: run scripts/guest.sh %s", guest_dir, guest_dir);
  xml = g_strdup_printf ("<domain type='qemu'><name>guest</name>"
                         "<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                         "<os><type arch='x86_64' machine='pc'>hvm</type>"
                         "<kernel>%s</kernel><initrd>%s</initrd>"
                         "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os>"
                         "<features><acpi/></features>"
                         "<devices><serial type='pty'/><memballoon model='none'/></devices>"
                         "</domain>\n", kernel, initrd);
  dir = g_dir_make_tmp ("qvirt-run-guest-XXXXXX", NULL);
  path = g_build_filename (dir, "guest.xml", NULL);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  return path;
}

static void
remove_xml_file (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
}

static void
send_line (TestShim *shim, const char *line)
{
  g_assert_cmpint (write (shim->stdin_fd, line, strlen (line)), ==, (gssize) strlen (line));
}

/* Sends ping until pong, both through the shim's stdin/stdout. */
static void
ping (TestShim *shim, GString *console)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      send_line (shim, "ping\n");
      if (test_read_until (shim->stdout_fd, console, "pong", PING_INTERVAL_MS))
        return;
    }
  g_error ("the guest did not answer ping; console:\n%s", console->str);
}

static TestShim *
start_with_console (const char *xml_path, GString *console)
{
  const char *argv[] = { NULL, "--console", "--shutdown-timeout", "60", xml_path, NULL };
  TestShim *shim = test_shim_spawn (argv, NULL, TRUE);

  test_shim_wait_running (shim, TIMEOUT_MS);
  if (!test_read_until (shim->stdout_fd, console, READY_MARKER, TIMEOUT_MS))
    g_error ("no ready marker on the console; it showed:\n%s", console->str);
  return shim;
}

static void
test_console_and_poweroff (void)
{
  g_autofree char *xml_path = guest_xml_file ();
  g_autoptr(GString) console = g_string_new (NULL);
  g_autoptr(TestShim) shim = start_with_console (xml_path, console);
  /* The socket is ROOT/run/qvirt.sock. */
  g_autofree char *run_dir = g_path_get_dirname (shim->socket_path);
  g_autofree char *root = g_path_get_dirname (run_dir);

  ping (shim, console);
  send_line (shim, "poweroff\n");
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 0);
  g_test_message ("console:\n%s", console->str);
  /* The temporary root went with it. */
  g_assert_false (g_file_test (root, G_FILE_TEST_EXISTS));
  remove_xml_file (xml_path);
}

static void
test_sigterm_powers_off (void)
{
  g_autofree char *xml_path = guest_xml_file ();
  g_autoptr(GString) console = g_string_new (NULL);
  g_autoptr(TestShim) shim = start_with_console (xml_path, console);

  ping (shim, console);
  kill (shim->pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 0);
  g_assert_nonnull (strstr (shim->err->str, "asking domain 'guest' to power off"));
  remove_xml_file (xml_path);
}

/* Stdin ends at once: the console keeps showing the guest's output. */
static void
test_console_without_input (void)
{
  g_autofree char *xml_path = guest_xml_file ();
  g_autoptr(GString) console = g_string_new (NULL);
  const char *argv[] = { NULL, "--console", xml_path, NULL };
  g_autoptr(TestShim) shim = test_shim_spawn (argv, NULL, TRUE);

  close (shim->stdin_fd);
  shim->stdin_fd = -1;
  test_shim_wait_running (shim, TIMEOUT_MS);
  if (!test_read_until (shim->stdout_fd, console, READY_MARKER, TIMEOUT_MS))
    g_error ("no ready marker on the console after stdin ended; it showed:\n%s",
             console->str);
  kill (shim->pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 0);
  remove_xml_file (xml_path);
}

/* Waits (inotify on @dir, no polling the file) until @dir/@file holds
 * @needle; returns what it holds. */
static char *
wait_file_holds (const char *dir, const char *file, const char *needle, guint timeout_ms)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int watch_fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);

  g_assert_cmpint (watch_fd, >=, 0);
  g_assert_cmpint (inotify_add_watch (watch_fd, dir, IN_CREATE | IN_MODIFY), >=, 0);
  for (;;)
    {
      /* Read after the watch is set: no write falls between the two. */
      char *contents = NULL;
      struct pollfd pfd = { .fd = watch_fd, .events = POLLIN };
      char events[4096];
      gint64 left;
      int ready;

      if (g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, needle))
        {
          close (watch_fd);
          return contents;
        }
      left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        g_error ("%s does not hold %s; it holds:\n%s", path, needle,
                 contents ? contents : "(nothing)");
      g_free (contents);
      ready = poll (&pfd, 1, (int) left);
      g_assert_true (ready >= 0 || errno == EINTR);
      while (read (watch_fd, events, sizeof events) > 0)
        ;
    }
}

/* -q, no --console: the console goes to ROOT/log/guest.console.log, to
 * its last words (the kernel's "Power down"), nothing to stderr, and
 * --root stays. */
static void
test_console_log_quiet (void)
{
  g_autofree char *xml_path = guest_xml_file ();
  g_autofree char *root = g_dir_make_tmp ("qvirt-run-root-XXXXXX", NULL);
  g_autofree char *log_dir = g_build_filename (root, "log", NULL);
  const char *argv[] = { NULL, "-q", "--root", root, xml_path, NULL };
  g_autoptr(TestShim) shim = NULL;
  g_autofree char *log = NULL;
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", root);

  /* Made here so that it can be watched before the shim writes to it. */
  g_assert_cmpint (g_mkdir (log_dir, 0700), ==, 0);
  shim = test_shim_spawn (argv, NULL, FALSE);
  g_free (wait_file_holds (log_dir, "guest.console.log", READY_MARKER, TIMEOUT_MS));
  kill (shim->pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 0);
  g_assert_cmpstr (shim->err->str, ==, "");
  log = wait_file_holds (log_dir, "guest.console.log", "Power down", 0);
  g_test_message ("console log:\n%s", log);
  g_assert_true (g_file_test (log_dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (system (rm), ==, 0);
  remove_xml_file (xml_path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_message ("guest under TCG (<domain type='qemu'>)");
  g_test_add_func ("/qvirt-run/guest/console-and-poweroff", test_console_and_poweroff);
  g_test_add_func ("/qvirt-run/guest/sigterm-powers-off", test_sigterm_powers_off);
  g_test_add_func ("/qvirt-run/guest/console-without-input", test_console_without_input);
  g_test_add_func ("/qvirt-run/guest/console-log-quiet", test_console_log_quiet);
  return g_test_run ();
}
