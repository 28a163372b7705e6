/* The qvirt binary with the test guest (scripts/guest.sh): `start`, then
 * `reboot` and `shutdown` from separate invocations, which the guest
 * obeys once it is up. The guest's serial console is a socket this test
 * listens on, so the test knows when the guest is ready without polling.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <string.h>

#include "cli-test-util.h"
#include "guest-console.h"

/* A TCG boot takes a few seconds; leave room for a loaded machine. */
#define CONNECT_TIMEOUT_MS 30000
#define BOOT_TIMEOUT_MS 120000

static char *
guest_xml (const char *console_path)
{
  const char *guest_dir = g_getenv ("QVIRT_GUEST_DIR");
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;

  if (guest_dir == NULL)
    g_error ("no test guest: set QVIRT_GUEST_DIR and run scripts/guest.sh DIR");
  kernel = g_build_filename (guest_dir, "vmlinuz", NULL);
  initrd = g_build_filename (guest_dir, "initrd.img", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS) || !g_file_test (initrd, G_FILE_TEST_EXISTS))
    g_error ("no test guest in %s: run scripts/guest.sh %s", guest_dir, guest_dir);
  g_test_message ("domain type: qemu (TCG)");

  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>guest</name>\n"
                          "  <memory unit='MiB'>256</memory>\n"
                          "  <vcpu>1</vcpu>\n"
                          "  <os>\n"
                          "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                          "    <kernel>%s</kernel>\n"
                          "    <initrd>%s</initrd>\n"
                          "    <cmdline>console=ttyS0 quiet panic=-1</cmdline>\n"
                          "  </os>\n"
                          "  <features><acpi/></features>\n"
                          "  <devices>\n"
                          "    <serial type='unix'>\n"
                          "      <source mode='connect' path='%s'/>\n"
                          "      <target port='0'/>\n"
                          "    </serial>\n"
                          "    <memballoon model='none'/>\n"
                          "  </devices>\n"
                          "</domain>\n", kernel, initrd, console_path);
}

static void
wait_ready (GuestConsole *console)
{
  g_autoptr(GError) error = NULL;

  if (!guest_console_wait_line (console, GUEST_CONSOLE_READY_MARKER, BOOT_TIMEOUT_MS,
                                &error))
    {
      guest_console_collect (console);
      g_error ("the guest did not get ready: %s; its console:\n%s", error->message,
               guest_console_transcript (console));
    }
}

static void
test_guest_reboot_and_shutdown (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *console_path = g_build_filename (root->dir, "console.sock", NULL);
  g_autoptr(GuestConsole) console = guest_console_listen (console_path);
  g_autofree char *xml = guest_xml (console_path);
  g_autofree char *file = cli_root_write_file (root, "guest.xml", xml);
  g_autoptr(GError) error = NULL;
  g_auto(CliResult) define = cli_run (root->uri, "define", file, NULL);
  g_auto(CliResult) start = cli_run (root->uri, "start", "guest", NULL);
  g_auto(CliResult) reboot = { 0 };
  g_auto(CliResult) shutdown = { 0 };
  g_auto(CliResult) info = { 0 };
  g_autoptr(json_t) info_json = NULL;

  g_assert_cmpint (define.status, ==, 0);
  g_assert_cmpint (start.status, ==, 0);
  if (!guest_console_accept (console, CONNECT_TIMEOUT_MS, &error))
    g_error ("QEMU did not connect the guest's console: %s", error->message);
  wait_ready (console);

  /* reboot: the guest powers off, qvirt resets it, it boots again. */
  reboot = cli_run (root->uri, "reboot", "guest", "--timeout", "90", NULL);
  g_assert_cmpstr (reboot.err, ==, "");
  g_assert_cmpint (reboot.status, ==, 0);
  g_assert_cmpstr (reboot.out, ==, "Domain 'guest' rebooted\n");
  wait_ready (console);

  shutdown = cli_run (root->uri, "shutdown", "guest", "--timeout", "90", NULL);
  g_assert_cmpstr (shutdown.err, ==, "");
  g_assert_cmpint (shutdown.status, ==, 0);
  g_assert_cmpstr (shutdown.out, ==, "Domain 'guest' shut down\n");

  info = cli_run (root->uri, "info", "guest", "--json", NULL);
  g_assert_cmpint (info.status, ==, 0);
  info_json = cli_json (&info);
  g_assert_cmpstr (json_string_value (json_object_get (info_json, "state")), ==, "shutoff");
  /* The reason ("shutdown") is known only to the process that saw the
   * guest stop; this `info` is a new one, where the driver says
   * "unknown". */
  g_test_message ("reason after shutdown, seen by a new process: %s",
                  json_string_value (json_object_get (info_json, "reason")));
  g_assert_cmpint (json_integer_value (json_object_get (info_json, "pid")), ==, 0);
}

/* `events --qmp` while the guest powers itself off: QEMU's SHUTDOWN,
 * then the driver (inside `events`) stops QEMU: "stopped shutdown". */
static void
test_guest_events (void)
{
  g_autoptr(CliRoot) root = cli_root_new ();
  g_autofree char *console_path = g_build_filename (root->dir, "console.sock", NULL);
  g_autoptr(GuestConsole) console = guest_console_listen (console_path);
  g_autofree char *xml = guest_xml (console_path);
  g_autofree char *file = cli_root_write_file (root, "guest.xml", xml);
  g_autoptr(GError) error = NULL;
  g_auto(CliResult) create = cli_run (root->uri, "create", file, NULL);
  g_autoptr(QvirtBackground) events = NULL;
  g_autofree char *following = NULL;
  g_autofree char *shutdown = NULL;
  g_autofree char *stopped = NULL;
  g_auto(CliResult) list = { 0 };

  g_assert_cmpint (create.status, ==, 0);
  if (!guest_console_accept (console, CONNECT_TIMEOUT_MS, &error))
    g_error ("QEMU did not connect the guest's console: %s", error->message);
  wait_ready (console);

  events = cli_background_start (root->uri, "events", "guest", "--qmp", NULL);
  following = cli_background_wait_line (events, "Following events of domain 'guest' "
                                        "\\(Ctrl-C to stop\\)", CONNECT_TIMEOUT_MS);
  g_assert_nonnull (following);

  guest_console_send_line (console, "poweroff", &error);
  g_assert_no_error (error);
  shutdown = cli_background_wait_line (events, "[^ ]+ guest SHUTDOWN \\{\"guest\":true,"
                                       "\"reason\":\"guest-shutdown\"\\}",
                                       BOOT_TIMEOUT_MS);
  g_assert_nonnull (shutdown);
  stopped = cli_background_wait_line (events, "[^ ]+ guest stopped shutdown",
                                      BOOT_TIMEOUT_MS);
  g_assert_nonnull (stopped);

  g_assert_cmpint (kill (cli_background_get_pid (events), SIGTERM), ==, 0);
  g_assert_cmpint (cli_background_wait_exit (events, CONNECT_TIMEOUT_MS), ==, 0);
  /* Transient: gone once stopped. */
  list = cli_run (root->uri, "list", "--all", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_null (strstr (list.out, "guest"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qvirt-cli/guest/reboot-and-shutdown", test_guest_reboot_and_shutdown);
  g_test_add_func ("/qvirt-cli/guest/events", test_guest_events);
  return g_test_run ();
}
