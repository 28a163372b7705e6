/* Serial consoles of the test guest (suite "guest", docs/test-guest.md):
 * through qvirtd with libqvirt over qemu+unix, through `qvirt console`
 * as a subprocess, across a daemon restart, and in an embedded driver.
 * The guest prints QVIRT-GUEST-READY once up and answers `ping` with
 * `pong`. Every wait is for bytes or an exit, with a timeout; nothing
 * sleeps. */
#include <errno.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qvirt/qvirt.h>

#include "daemon-test-util.h"

/* @call returns TRUE, or FALSE with @error set: asserts success, showing
 * the error's message when it failed. */
#define assert_ok(call, error) \
  G_STMT_START { \
    gboolean ok_ = (call); \
    g_assert_no_error (error); \
    g_assert_true (ok_); \
  } G_STMT_END

#define READY_MARKER "QVIRT-GUEST-READY"
/* How long a ping waits for its pong before it is sent again: the guest
 * loses input that comes before it reads its console. */
#define PING_INTERVAL_MS 500

typedef struct {
  char *root;
  TestDaemon *daemon;
  char *uri;        /* qemu+unix to the read-write socket */
} Fixture;

static char *
unix_uri (const char *socket_path)
{
  return g_strdup_printf ("qemu+unix:///?socket=%s", socket_path);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->root = test_root_new ();
  f->daemon = test_daemon_start (f->root);
  f->uri = unix_uri (f->daemon->socket_path);
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
  g_free (f->uri);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* ------------------------------------------------------------------ */
/* Domains                                                              */

/* The test guest with its console on a pty serial port, which qvirt
 * serves. Fails the test when there is no guest. */
static char *
guest_xml (const char *name)
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

  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
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
                          "    <serial type='pty'/>\n"
                          "    <memballoon model='none'/>\n"
                          "  </devices>\n"
                          "</domain>\n", name, kernel, initrd);
}

static QvirtConnection *
open_ok (const char *uri, QvirtConnectionFlags flags)
{
  g_autoptr(GError) error = NULL;
  QvirtConnection *conn = qvirt_connection_open (uri, flags, &error);

  g_assert_no_error (error);
  return conn;
}

static QvirtDomain *
define_xml_ok (QvirtConnection *conn, const char *xml)
{
  g_autoptr(GError) error = NULL;
  QvirtDomain *domain = qvirt_connection_define_domain (conn, xml, &error);

  g_assert_no_error (error);
  return domain;
}

static QvirtDomain *
define_guest_ok (QvirtConnection *conn, const char *name)
{
  g_autofree char *xml = guest_xml (name);

  return define_xml_ok (conn, xml);
}

static void
start_ok (QvirtDomain *domain, QvirtStartFlags flags)
{
  g_autoptr(GError) error = NULL;

  assert_ok (qvirt_domain_start (domain, flags, NULL, &error), error);
}

static GPid
qemu_pid_of (QvirtDomain *domain)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = qvirt_domain_get_info (domain, &error);

  g_assert_no_error (error);
  g_assert_cmpint (info->pid, >, 0);
  return (GPid) info->pid;
}

static int
open_console_ok (QvirtDomain *domain)
{
  g_autoptr(GError) error = NULL;
  int fd = qvirt_domain_open_console (domain, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* ------------------------------------------------------------------ */
/* Reading a console (or the CLI's stdout) on the default context       */

typedef struct {
  const char *name;       /* for messages */
  int fd;
  gboolean owns_fd;
  GSource *source;        /* NULL once at end-of-file */
  GString *text;          /* everything read, '\r' removed */
  gsize scanned;          /* lines before this offset were looked at */
  gboolean eof;
} ConsoleReader;

static gboolean
on_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  ConsoleReader *reader = user_data;
  char buffer[4096];
  gssize n;

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      reader->eof = TRUE;
      g_clear_pointer (&reader->source, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  for (gssize i = 0; i < n; i++)
    if (buffer[i] != '\r')
      g_string_append_c (reader->text, buffer[i]);
  return G_SOURCE_CONTINUE;
}

/* Reads @fd whenever the default context is iterated. */
static ConsoleReader *
console_reader_new (const char *name, int fd, gboolean owns_fd)
{
  ConsoleReader *reader = g_new0 (ConsoleReader, 1);

  reader->name = name;
  reader->fd = fd;
  reader->owns_fd = owns_fd;
  reader->text = g_string_new (NULL);
  reader->source = g_unix_fd_source_new (fd, G_IO_IN);
  g_source_set_callback (reader->source, G_SOURCE_FUNC (on_readable), reader, NULL);
  g_source_attach (reader->source, NULL);
  return reader;
}

static void
console_reader_free (ConsoleReader *reader)
{
  if (reader->source)
    {
      g_source_destroy (reader->source);
      g_source_unref (reader->source);
    }
  if (reader->owns_fd)
    close (reader->fd);
  g_string_free (reader->text, TRUE);
  g_free (reader);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConsoleReader, console_reader_free)

/* Whether a whole line equal to @line arrived after what was scanned;
 * scanning moves past it (or to the last whole line). */
static gboolean
console_reader_find_line (ConsoleReader *reader, const char *line)
{
  gsize len = strlen (line);

  for (;;)
    {
      const char *start = reader->text->str + reader->scanned;
      const char *newline = strchr (start, '\n');
      gboolean match;

      if (newline == NULL)
        return FALSE;
      match = (gsize) (newline - start) == len && memcmp (start, line, len) == 0;
      reader->scanned = (gsize) (newline - reader->text->str) + 1;
      if (match)
        return TRUE;
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context (which may also be the driver's) until
 * the line @line arrives, end-of-file, or @timeout_ms. */
static gboolean
console_reader_wait_line (ConsoleReader *reader, const char *line, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, on_timeout, &timed_out);
  gboolean found;

  while (!(found = console_reader_find_line (reader, line)) && !reader->eof && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  return found;
}

static gboolean
console_reader_wait_eof (ConsoleReader *reader, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!reader->eof && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  return reader->eof;
}

static void
write_all (int fd, const char *data)
{
  gsize len = strlen (data);

  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("cannot write to the console: %s", g_strerror (errno));
      data += n;
      len -= (gsize) n;
    }
}

/* Fails the test with what @reader has read. */
#define assert_line(reader, line, timeout_ms) \
  G_STMT_START { \
    if (!console_reader_wait_line ((reader), (line), (timeout_ms))) \
      g_error ("%s: no line '%s' within %u ms%s; it read:\n%s", (reader)->name, (line), \
               (guint) (timeout_ms), (reader)->eof ? " (end-of-file)" : "", \
               (reader)->text->str); \
  } G_STMT_END

/* Sends `ping` to @write_fd every PING_INTERVAL_MS until @reader reads
 * `pong`: the guest may not read its console yet. */
static void
assert_ping_pong (ConsoleReader *reader, int write_fd, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!reader->eof && g_get_monotonic_time () < deadline)
    {
      write_all (write_fd, "ping\n");
      if (console_reader_wait_line (reader, "pong", PING_INTERVAL_MS))
        return;
    }
  g_error ("%s: no pong within %u ms%s; it read:\n%s", reader->name, timeout_ms,
           reader->eof ? " (end-of-file)" : "", reader->text->str);
}

/* ------------------------------------------------------------------ */
/* Through the daemon                                                   */

/* Two consoles opened before the guest runs (it starts paused): both see
 * the whole boot, and both read the answer to what one of them sent. */
static void
test_two_consoles (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) domain = define_guest_ok (conn, "g1");
  g_autoptr(ConsoleReader) first = NULL;
  g_autoptr(ConsoleReader) second = NULL;
  g_autoptr(GError) error = NULL;
  GPid qemu_pid;

  start_ok (domain, QVIRT_START_PAUSED);
  qemu_pid = qemu_pid_of (domain);
  first = console_reader_new ("first console", open_console_ok (domain), TRUE);
  second = console_reader_new ("second console", open_console_ok (domain), TRUE);
  assert_ok (qvirt_domain_resume (domain, NULL, &error), error);

  assert_line (first, READY_MARKER, TEST_QEMU_TIMEOUT_MS);
  assert_line (second, READY_MARKER, TEST_QEMU_TIMEOUT_MS);
  write_all (first->fd, "ping\n");
  assert_line (first, "pong", TEST_TIMEOUT_MS);
  assert_line (second, "pong", TEST_TIMEOUT_MS);
  write_all (second->fd, "echo from the second\n");
  assert_line (first, "from the second", TEST_TIMEOUT_MS);
  assert_line (second, "from the second", TEST_TIMEOUT_MS);

  /* A domain that stops ends its consoles. */
  assert_ok (qvirt_domain_destroy (domain, NULL, &error), error);
  g_assert_true (console_reader_wait_eof (first, TEST_TIMEOUT_MS));
  g_assert_true (console_reader_wait_eof (second, TEST_TIMEOUT_MS));
  g_assert_true (test_wait_pid_gone (qemu_pid, TEST_TIMEOUT_MS));
}

/* ------------------------------------------------------------------ */
/* qvirt console                                                        */

typedef struct {
  GSubprocess *process;
  int stdin_fd;
  ConsoleReader *out;
  ConsoleReader *err;
} ConsoleCli;

static ConsoleCli *
console_cli_start (const char *uri, const char *name)
{
  const char *argv[] = { QVIRT_TEST_QVIRT_BINARY, "-c", uri, "console", name, NULL };
  g_autoptr(GError) error = NULL;
  ConsoleCli *cli = g_new0 (ConsoleCli, 1);

  g_test_message ("$ %s -c %s console %s", QVIRT_TEST_QVIRT_BINARY, uri, name);
  cli->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  cli->stdin_fd = g_unix_output_stream_get_fd (
    G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (cli->process)));
  cli->out = console_reader_new ("qvirt console's stdout", g_unix_input_stream_get_fd (
    G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (cli->process))), FALSE);
  cli->err = console_reader_new ("qvirt console's stderr", g_unix_input_stream_get_fd (
    G_UNIX_INPUT_STREAM (g_subprocess_get_stderr_pipe (cli->process))), FALSE);
  return cli;
}

static void
on_cli_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Waits for the CLI to exit and for the ends of its output; returns its
 * exit status. */
static int
console_cli_wait_exit (ConsoleCli *cli, guint timeout_ms)
{
  gboolean exited = FALSE;
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  g_subprocess_wait_async (cli->process, NULL, on_cli_exited, &exited);
  while (!(exited && cli->out->eof && cli->err->eof) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("qvirt console did not exit within %u ms; its stderr:\n%s", timeout_ms,
             cli->err->text->str);
  g_source_remove (timeout_id);
  g_test_message ("qvirt console's stderr:\n%s", cli->err->text->str);
  g_assert_true (g_subprocess_get_if_exited (cli->process));
  return g_subprocess_get_exit_status (cli->process);
}

static void
console_cli_free (ConsoleCli *cli)
{
  if (g_subprocess_get_identifier (cli->process) != NULL)
    g_subprocess_force_exit (cli->process);
  console_reader_free (cli->out);
  console_reader_free (cli->err);
  g_object_unref (cli->process);
  g_free (cli);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConsoleCli, console_cli_free)

/* `qvirt console NAME` with pipes: what it reads goes to the guest, the
 * guest's output comes out, Ctrl-] (0x1d) leaves with status 0; a second
 * one ends with status 0 when the domain stops. */
static void
test_cli_console (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) domain = define_guest_ok (conn, "g1");
  g_autoptr(ConsoleCli) cli = NULL;
  g_autoptr(GError) error = NULL;

  start_ok (domain, QVIRT_START_NONE);

  cli = console_cli_start (f->uri, "g1");
  assert_line (cli->err, "Connected to domain 'g1' (Ctrl-] to leave)", TEST_TIMEOUT_MS);
  assert_ping_pong (cli->out, cli->stdin_fd, TEST_QEMU_TIMEOUT_MS);
  write_all (cli->stdin_fd, "echo before leaving\n\x1d");
  g_assert_cmpint (console_cli_wait_exit (cli, TEST_TIMEOUT_MS), ==, 0);
  /* Bytes before the escape still went to the guest; what the guest
   * answered may or may not have come out before qvirt left. */
  g_assert_null (strstr (cli->err->text->str, "closed"));
  g_clear_pointer (&cli, console_cli_free);

  /* The guest runs on after Ctrl-]. */
  cli = console_cli_start (f->uri, "g1");
  assert_line (cli->err, "Connected to domain 'g1' (Ctrl-] to leave)", TEST_TIMEOUT_MS);
  assert_ping_pong (cli->out, cli->stdin_fd, TEST_TIMEOUT_MS);
  assert_ok (qvirt_domain_destroy (domain, NULL, &error), error);
  g_assert_cmpint (console_cli_wait_exit (cli, TEST_TIMEOUT_MS), ==, 0);
  g_assert_nonnull (strstr (cli->err->text->str,
                            "the console of domain 'g1' closed (the domain stopped)"));
}

/* ------------------------------------------------------------------ */
/* A daemon restart under a running guest                               */

static void
on_closed (QvirtConnection *conn, const GError *reason, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* qvirtd goes (SIGTERM) while its guest runs in its qvirt-run: the guest
 * runs on, a console open through the old daemon ends, and the next
 * daemon on the root opens the console again. */
static void
test_daemon_restart (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) domain = define_guest_ok (conn, "g1");
  g_autoptr(ConsoleReader) before = NULL;
  g_autoptr(ConsoleReader) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  guint closed = 0;
  GPid qemu_pid;
  int status;

  start_ok (domain, QVIRT_START_NONE);
  qemu_pid = qemu_pid_of (domain);
  before = console_reader_new ("console before the restart", open_console_ok (domain), TRUE);
  assert_ping_pong (before, before->fd, TEST_QEMU_TIMEOUT_MS);

  qvirt_connection_set_closed_func (conn, on_closed, &closed, NULL);
  status = test_daemon_stop (f->daemon, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (console_reader_wait_eof (before, TEST_TIMEOUT_MS));
  g_assert_true (test_pid_is_running (qemu_pid));
  g_clear_pointer (&domain, qvirt_domain_unref);
  g_clear_pointer (&conn, qvirt_connection_close);
  g_assert_cmpuint (closed, ==, 1);

  test_daemon_free (f->daemon);
  f->daemon = test_daemon_start (f->root);
  conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  domain = qvirt_connection_lookup_domain (conn, "g1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (qemu_pid_of (domain), ==, qemu_pid);
  after = console_reader_new ("console after the restart", open_console_ok (domain), TRUE);
  assert_ping_pong (after, after->fd, TEST_TIMEOUT_MS);

  assert_ok (qvirt_domain_destroy (domain, NULL, &error), error);
  g_assert_true (console_reader_wait_eof (after, TEST_TIMEOUT_MS));
  g_assert_true (test_wait_pid_gone (qemu_pid, TEST_TIMEOUT_MS));
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */

static void
assert_console_error (QvirtDomain *domain, gint code)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (qvirt_domain_open_console (domain, &error), ==, -1);
  g_assert_error (error, QVIRT_ERROR, code);
  g_test_message ("%s", error->message);
}

static json_t *
name_params (const char *name)
{
  return json_pack ("{s:s}", "name", name);
}

/* No pty serial port, not running, no such domain, read-only (the socket,
 * the flag, or a session demoted by server.hello). */
static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autofree char *plain_xml = test_xml_no_guest ("plain");
  g_autoptr(QvirtDomain) plain = define_xml_ok (conn, plain_xml);
  g_autoptr(QvirtDomain) guest = define_guest_ok (conn, "g1");
  g_autofree char *ro_uri = unix_uri (f->daemon->ro_socket_path);
  g_autoptr(QvirtConnection) ro_socket = open_ok (ro_uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtConnection) ro_flag = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_READ_ONLY);
  g_autoptr(QvirtDomain) plain_ro = NULL;
  g_autoptr(QvirtDomain) plain_ro_flag = NULL;
  g_autoptr(RpcClient) raw = NULL;
  g_autoptr(json_t) reply = NULL;
  g_autoptr(GError) error = NULL;

  assert_console_error (guest, QVIRT_ERROR_INVALID_STATE);
  start_ok (plain, QVIRT_START_NONE);
  assert_console_error (plain, QVIRT_ERROR_UNSUPPORTED);

  plain_ro = qvirt_connection_lookup_domain (ro_socket, "plain", &error);
  g_assert_no_error (error);
  assert_console_error (plain_ro, QVIRT_ERROR_ACCESS_DENIED);
  plain_ro_flag = qvirt_connection_lookup_domain (ro_flag, "plain", &error);
  g_assert_no_error (error);
  assert_console_error (plain_ro_flag, QVIRT_ERROR_ACCESS_DENIED);

  /* The protocol itself: a session that said hello read-only, and an
   * unknown domain. */
  raw = rpc_client_connect (f->daemon->socket_path);
  reply = rpc_client_call (raw, "domain.openConsole", name_params ("nosuch"));
  rpc_assert_error (reply, -32000, "no-domain", "nosuch");
  g_clear_pointer (&reply, json_decref);
  rpc_client_call_expect_ok (raw, "server.hello", json_pack ("{s:b}", "read-only", TRUE));
  reply = rpc_client_call (raw, "domain.openConsole", name_params ("plain"));
  rpc_assert_error (reply, -32000, "access-denied", NULL);
  g_clear_pointer (&reply, json_decref);

  assert_ok (qvirt_domain_destroy (plain, NULL, &error), error);
}

/* ------------------------------------------------------------------ */
/* Embedded                                                             */

/* An embedded driver in same-thread mode moves the console's bytes only
 * while its context is iterated: the readers here wait by iterating it. */
static void
test_embed (void)
{
  g_autofree char *dir = test_root_new ();
  g_autofree char *uri = g_strdup_printf ("qemu:///embed?root=%s", dir);
  g_autoptr(QvirtConnection) conn = open_ok (uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) domain = define_guest_ok (conn, "g1");
  g_autoptr(ConsoleReader) first = NULL;
  g_autoptr(ConsoleReader) second = NULL;
  g_autoptr(GError) error = NULL;
  GPid qemu_pid;

  /* Autodestroy: a failed test leaves no QEMU behind. */
  start_ok (domain, QVIRT_START_PAUSED | QVIRT_START_AUTODESTROY);
  qemu_pid = qemu_pid_of (domain);
  first = console_reader_new ("embedded console", open_console_ok (domain), TRUE);
  assert_ok (qvirt_domain_resume (domain, NULL, &error), error);
  assert_line (first, READY_MARKER, TEST_QEMU_TIMEOUT_MS);
  write_all (first->fd, "ping\n");
  assert_line (first, "pong", TEST_TIMEOUT_MS);

  /* A second reader joins a running console. */
  second = console_reader_new ("second embedded console", open_console_ok (domain), TRUE);
  write_all (second->fd, "echo two readers\n");
  assert_line (second, "two readers", TEST_TIMEOUT_MS);
  assert_line (first, "two readers", TEST_TIMEOUT_MS);

  assert_ok (qvirt_domain_destroy (domain, NULL, &error), error);
  g_assert_true (console_reader_wait_eof (first, TEST_TIMEOUT_MS));
  g_assert_true (console_reader_wait_eof (second, TEST_TIMEOUT_MS));
  g_assert_true (test_wait_pid_gone (qemu_pid, TEST_TIMEOUT_MS));

  g_clear_pointer (&first, console_reader_free);
  g_clear_pointer (&second, console_reader_free);
  g_clear_pointer (&domain, qvirt_domain_unref);
  g_clear_pointer (&conn, qvirt_connection_close);
  test_root_remove (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A console that went away fails a write, not the test process. */
  signal (SIGPIPE, SIG_IGN);
  g_test_message ("the guest runs under TCG (domain type 'qemu')");

  ADD ("/console/daemon/two-readers", test_two_consoles);
  ADD ("/console/daemon/cli", test_cli_console);
  ADD ("/console/daemon/restart", test_daemon_restart);
  ADD ("/console/daemon/errors", test_errors);
  g_test_add_func ("/console/embed", test_embed);
  return g_test_run ();
}
