/* qvirt-qmp, the command-line tool, run as a program against a real QEMU.
 *
 * Every wait (for a line of output, for the tool to exit) is bounded by
 * WAIT_MS and fails the test when it runs out; nothing sleeps.
 */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <jansson.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <qvirt/qmp.h>   /* json_t's g_autoptr */

#include "qemu-harness.h"

#ifndef QVIRT_QMP_TOOL
#error "QVIRT_QMP_TOOL must be the path of the built qvirt-qmp"
#endif

/* A guard against hangs, not a speed check: under ASan, with the other
 * suites' QEMUs and guests on the same two CPUs, 20 s was seen to run out
 * (twice in a dozen CI runs) for a tool that normally takes 50 ms. */
#define WAIT_MS 60000

/* $QVIRT_QMP_TOOL runs the tests against another build (an installed one). */
static const char *
tool_path (void)
{
  const char *env = g_getenv ("QVIRT_QMP_TOOL");

  return env && *env ? env : QVIRT_QMP_TOOL;
}

/* ------------------------------------------------------------------------
 * Waiting with a deadline.
 */

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context until *done, failing after WAIT_MS. */
static void
iterate_until (const gboolean *done, const char *what)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add (WAIT_MS, on_deadline, &expired);

  while (!*done && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline);
  if (!*done)
    g_error ("no %s within %d ms", what, WAIT_MS);
}

/* ------------------------------------------------------------------------
 * Running qvirt-qmp to completion.
 */

typedef struct {
  int status;
  char *out;
  char *err;
} ToolResult;

static void
tool_result_free (ToolResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ToolResult, tool_result_free)

static GSubprocess *
spawn_tool (const char * const *args, GSubprocessLauncher *launcher)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (gpointer) tool_path ());
  for (const char * const *arg = args; *arg; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                          &error);
  g_assert_no_error (error);
  return process;
}

static GSubprocessLauncher *
pipes_launcher (void)
{
  return g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_PIPE);
}

static int
exit_status (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    g_error ("qvirt-qmp was killed by signal %d", g_subprocess_get_term_sig (process));
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

typedef struct {
  GSubprocess *process;
  ToolResult *result;
  gboolean done;
} Communication;

static void
on_communicated (GObject *source, GAsyncResult *async_result, gpointer user_data)
{
  Communication *communication = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (communication->process, async_result,
                                        &communication->result->out,
                                        &communication->result->err, &error);
  g_assert_no_error (error);
  communication->done = TRUE;
}

/* Runs qvirt-qmp ARGS... with an empty stdin; returns its exit status and
 * everything it printed. */
static ToolResult *
run_tool_argv (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = pipes_launcher ();
  g_autoptr(GSubprocess) process = spawn_tool (args, launcher);
  Communication communication = { .process = process, .result = g_new0 (ToolResult, 1) };
  g_autofree char *command_line = g_strjoinv (" ", (char **) args);

  /* Communicating also waits for the process to exit. */
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &communication);
  iterate_until (&communication.done, "exit of qvirt-qmp");
  communication.result->status = exit_status (process);
  g_test_message ("qvirt-qmp %s -> %d\nstdout: %sstderr: %s",
                  command_line, communication.result->status,
                  communication.result->out, communication.result->err);
  return communication.result;
}

#define run_tool(...) run_tool_argv ((const char * const []) { __VA_ARGS__, NULL })

/* ------------------------------------------------------------------------
 * A qvirt-qmp that keeps running (shell, --events): its output is read
 * line by line as it comes.
 */

typedef struct {
  GSubprocess *process;
  GOutputStream *in;
  GDataInputStream *out;
  GDataInputStream *err;
} RunningTool;

static RunningTool *
start_tool_with (GSubprocessLauncher *launcher, const char * const *args)
{
  RunningTool *tool = g_new0 (RunningTool, 1);

  tool->process = spawn_tool (args, launcher);
  tool->in = g_subprocess_get_stdin_pipe (tool->process);
  tool->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (tool->process));
  tool->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (tool->process));
  return tool;
}

static void
running_tool_free (RunningTool *tool)
{
  if (g_subprocess_get_identifier (tool->process))
    {
      g_subprocess_force_exit (tool->process);
      g_subprocess_wait (tool->process, NULL, NULL);
    }
  g_object_unref (tool->out);
  g_object_unref (tool->err);
  g_object_unref (tool->process);
  g_free (tool);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunningTool, running_tool_free)

typedef struct {
  GDataInputStream *stream;
  char *line;
  gboolean done;
} LineRead;

static void
on_line_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->line = g_data_input_stream_read_line_finish_utf8 (read->stream, result, NULL, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

/* Returns: (transfer full) (nullable): the next line, NULL at the end. */
static char *
read_line (GDataInputStream *stream)
{
  LineRead read = { .stream = stream };

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, on_line_read, &read);
  iterate_until (&read.done, "line of output from qvirt-qmp");
  g_test_message ("read: %s", read.line ? read.line : "(end of output)");
  return read.line;
}

/* Reads lines until one contains @needle and returns it. */
static char *
wait_for_line (GDataInputStream *stream, const char *needle)
{
  for (;;)
    {
      char *line = read_line (stream);

      if (line == NULL)
        g_error ("the output ended without a line containing '%s'", needle);
      if (strstr (line, needle))
        return line;
      g_free (line);
    }
}

static void
write_input (RunningTool *tool, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (tool->in, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static int
wait_for_exit (RunningTool *tool)
{
  gboolean exited = FALSE;

  g_subprocess_wait_async (tool->process, NULL, on_exited, &exited);
  iterate_until (&exited, "exit of qvirt-qmp");
  return exit_status (tool->process);
}

/* ------------------------------------------------------------------------
 * Checking output.
 */

static json_t *
parse_json (const char *text)
{
  json_error_t error;
  json_t *value = json_loads (text, JSON_DECODE_ANY, &error);

  if (value == NULL)
    g_error ("not JSON (%s): %s", error.text, text);
  return value;
}

static void
assert_one_line (const char *text)
{
  const char *newline = strchr (text, '\n');

  g_assert_nonnull (newline);
  g_assert_cmpstr (newline + 1, ==, "");
}

static void
assert_event_line (const char *line, const char *name)
{
  g_autoptr(json_t) event = parse_json (line);
  json_t *timestamp = json_object_get (event, "timestamp");

  g_assert_cmpstr (json_string_value (json_object_get (event, "event")), ==, name);
  g_assert_true (json_is_object (json_object_get (event, "data")));
  g_assert_cmpint (json_integer_value (json_object_get (timestamp, "seconds")), >, 0);
  g_assert_cmpint (json_integer_value (json_object_get (timestamp, "microseconds")), >=, 0);
  g_assert_cmpint (json_integer_value (json_object_get (timestamp, "microseconds")), <,
                   G_USEC_PER_SEC);
}

/* A QEMU with a second QMP monitor at *second_path, for a second client
 * while the first socket is busy. The second socket exists once the
 * first monitor answered (QEMU creates all chardevs before it serves
 * any), so connect to it only after a command on the first. */
static TestQemu *
start_qemu_with_second_monitor (char **second_path)
{
  g_autofree char *dir = NULL;
  g_autofree char *qmp_arg = NULL;
  g_autoptr(GError) error = NULL;

  dir = g_dir_make_tmp ("qvirt-qmp-test-XXXXXX", &error);
  g_assert_no_error (error);
  *second_path = g_build_filename (dir, "second.sock", NULL);
  qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", *second_path);
  return test_qemu_start ((const char * const []) {
    "-machine", "none", "-qmp", qmp_arg, NULL });
}

static void
remove_second_monitor (char *second_path)
{
  g_autofree char *dir = g_path_get_dirname (second_path);

  unlink (second_path);
  rmdir (dir);
  g_free (second_path);
}

/* ------------------------------------------------------------------------
 * One command.
 */

static void
test_command (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) result = run_tool (qemu->qmp_path, "query-status");
  g_autoptr(json_t) value = NULL;

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->err, ==, "");
  assert_one_line (result->out);
  value = parse_json (result->out);
  g_assert_cmpstr (json_string_value (json_object_get (value, "status")), ==, "prelaunch");
}

static void
test_command_with_arguments (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) result =
    run_tool (qemu->qmp_path, "qom-get", "{\"path\": \"/machine\", \"property\": \"type\"}");
  g_autoptr(json_t) value = NULL;

  g_assert_cmpint (result->status, ==, 0);
  value = parse_json (result->out);
  g_assert_cmpstr (json_string_value (value), ==, "none-machine");
}

static void
test_qmp_error (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) result = run_tool (qemu->qmp_path, "no-such-command");

  g_assert_cmpint (result->status, ==, 1);
  g_assert_cmpstr (result->out, ==, "");
  assert_one_line (result->err);
  g_assert_true (g_str_has_prefix (result->err, "qvirt-qmp: CommandNotFound: "));
  g_assert_nonnull (strstr (result->err, "no-such-command"));
}

static void
test_pretty (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) compact = run_tool (qemu->qmp_path, "query-version");
  g_autoptr(ToolResult) pretty = run_tool ("--pretty", qemu->qmp_path, "query-version");
  g_autoptr(json_t) compact_value = NULL;
  g_autoptr(json_t) pretty_value = NULL;

  g_assert_cmpint (pretty->status, ==, 0);
  assert_one_line (compact->out);
  g_assert_nonnull (strstr (pretty->out, "{\n  \"qemu\": {\n"));
  compact_value = parse_json (compact->out);
  pretty_value = parse_json (pretty->out);
  g_assert_true (json_equal (compact_value, pretty_value));
}

static void
test_check (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) named =
    run_tool ("--check", qemu->qmp_path, "stop", "{\"force\": true}");
  g_autoptr(ToolResult) raw =
    run_tool ("--check", qemu->qmp_path,
              "{\"execute\": \"stop\", \"arguments\": {\"force\": true}}");
  g_autoptr(ToolResult) good = run_tool ("--check", qemu->qmp_path, "query-status");

  g_assert_cmpint (named->status, ==, 1);
  assert_one_line (named->err);
  g_assert_nonnull (strstr (named->err, "'force'"));
  g_assert_cmpint (raw->status, ==, 1);
  g_assert_nonnull (strstr (raw->err, "'force'"));
  g_assert_cmpint (good->status, ==, 0);
}

/* ------------------------------------------------------------------------
 * Raw passthrough.
 */

static void
test_raw (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) ok = run_tool (qemu->qmp_path, "{\"execute\": \"query-status\"}");
  g_autoptr(ToolResult) failed = run_tool (qemu->qmp_path, "{\"execute\": \"no-such-command\"}");
  g_autoptr(json_t) reply = NULL;
  g_autoptr(json_t) error_reply = NULL;

  g_assert_cmpint (ok->status, ==, 0);
  reply = parse_json (ok->out);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (reply, "return"), "status")),
                   ==, "prelaunch");
  g_assert_null (json_object_get (reply, "id"));

  /* QEMU's error is the reply, printed on stdout; the status still says. */
  g_assert_cmpint (failed->status, ==, 1);
  error_reply = parse_json (failed->out);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (error_reply, "error"), "class")),
                   ==, "CommandNotFound");
}

static void
test_raw_keeps_id (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) result =
    run_tool (qemu->qmp_path, "{\"execute\": \"query-status\", \"id\": \"mine\"}");
  g_autoptr(json_t) reply = NULL;

  g_assert_cmpint (result->status, ==, 0);
  reply = parse_json (result->out);
  g_assert_cmpstr (json_string_value (json_object_get (reply, "id")), ==, "mine");
  g_assert_true (json_is_object (json_object_get (reply, "return")));
}

static void
test_oob (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  const char *exec_oob = "{\"exec-oob\": \"migrate-pause\"}";
  g_autoptr(ToolResult) without = run_tool (qemu->qmp_path, exec_oob);
  g_autoptr(ToolResult) with = run_tool ("--oob", qemu->qmp_path, exec_oob);
  g_autoptr(json_t) reply = NULL;
  const char *description;

  g_assert_cmpint (without->status, ==, 64);
  g_assert_nonnull (strstr (without->err, "--oob"));

  /* QEMU ran the command out of band: it refuses it only because no
   * postcopy migration is running (without OOB negotiated it would
   * reject "exec-oob" itself). */
  g_assert_cmpint (with->status, ==, 1);
  reply = parse_json (with->out);
  description = json_string_value (json_object_get (json_object_get (reply, "error"), "desc"));
  g_assert_nonnull (description);
  g_assert_null (strstr (description, "exec-oob"));
}

/* ------------------------------------------------------------------------
 * Usage and connection failures.
 */

static void
assert_usage_error (ToolResult *result, const char *mentioned)
{
  g_assert_cmpint (result->status, ==, 64);
  g_assert_cmpstr (result->out, ==, "");
  assert_one_line (result->err);
  g_assert_true (g_str_has_prefix (result->err, "qvirt-qmp: "));
  g_assert_nonnull (strstr (result->err, mentioned));
}

static void
test_usage_errors (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  const char *sock = qemu->qmp_path;
  g_autoptr(ToolResult) bad_json = run_tool (sock, "query-status", "{\"a\":");
  g_autoptr(ToolResult) not_object = run_tool (sock, "query-status", "[1]");
  g_autoptr(ToolResult) raw_and_args = run_tool (sock, "{\"execute\": \"stop\"}", "{}");
  g_autoptr(ToolResult) not_a_name = run_tool (sock, "query-status{}");
  g_autoptr(ToolResult) too_many = run_tool (sock, "stop", "{}", "{}");
  g_autoptr(ToolResult) no_socket = run_tool ("--pretty");
  g_autoptr(ToolResult) bad_option = run_tool ("--no-such-option", sock, "stop");
  g_autoptr(ToolResult) bad_timeout = run_tool ("--timeout", "-5", sock, "stop");
  /* Input is checked before connecting: still a usage error. */
  g_autoptr(ToolResult) bad_json_no_qemu = run_tool ("/nonexistent/qmp.sock", "stop", "{");
  g_autoptr(ToolResult) status = run_tool (sock, "query-status");

  assert_usage_error (bad_json, "JSON");
  assert_usage_error (not_object, "JSON object");
  assert_usage_error (raw_and_args, "arguments");
  assert_usage_error (not_a_name, "query-status{}");
  assert_usage_error (too_many, "quote");
  assert_usage_error (no_socket, "SOCKET");
  assert_usage_error (bad_option, "--no-such-option");
  assert_usage_error (bad_timeout, "--timeout");
  assert_usage_error (bad_json_no_qemu, "JSON");
  /* None of them reached QEMU. */
  g_assert_nonnull (strstr (status->out, "prelaunch"));
}

static void
test_no_such_socket (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("qvirt-qmp-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "missing.sock", NULL);
  g_autoptr(ToolResult) result = run_tool (path, "query-status");

  g_assert_no_error (error);
  g_assert_cmpint (result->status, ==, 2);
  g_assert_cmpstr (result->out, ==, "");
  assert_one_line (result->err);
  g_assert_nonnull (strstr (result->err, path));
  rmdir (dir);
}

/* A listening socket nobody serves: the connection succeeds, QEMU's
 * greeting never comes. A fault QEMU cannot produce on purpose. */
static void
test_handshake_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("qvirt-qmp-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "silent.sock", NULL);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(ToolResult) result = NULL;

  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);

  result = run_tool ("--timeout", "300", path, "query-status");
  g_assert_cmpint (result->status, ==, 2);
  assert_one_line (result->err);
  g_assert_nonnull (strstr (result->err, "greeting"));

  g_socket_close (socket, NULL);
  unlink (path);
  rmdir (dir);
}

/* A server that greets with something else than QMP's greeting. */
static gboolean
on_incoming (GSocketService *service,
             GSocketConnection *connection,
             GObject *source,
             gpointer user_data)
{
  GPtrArray *connections = user_data;
  const char greeting[] = "{\"hello\": \"I am not QEMU\"}\r\n";

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             greeting, sizeof greeting - 1, NULL, NULL, NULL);
  /* Held open: the tool must tell from the greeting alone. */
  g_ptr_array_add (connections, g_object_ref (connection));
  return TRUE;
}

static void
test_not_a_qemu (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("qvirt-qmp-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "impostor.sock", NULL);
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ToolResult) result = NULL;

  g_assert_no_error (error);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), connections);

  result = run_tool (path, "query-status");
  g_assert_cmpint (result->status, ==, 2);
  assert_one_line (result->err);
  g_assert_nonnull (strstr (result->err, "QEMU"));

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  unlink (path);
  rmdir (dir);
}

/* ------------------------------------------------------------------------
 * The interactive shell, fed through a pipe.
 */

static void
test_shell (void)
{
  g_autofree char *second = NULL;
  g_autoptr(TestQemu) qemu = start_qemu_with_second_monitor (&second);
  g_autoptr(GSubprocessLauncher) launcher = pipes_launcher ();
  g_autoptr(RunningTool) shell =
    start_tool_with (launcher, (const char * const []) { qemu->qmp_path, NULL });
  g_autoptr(ToolResult) other = NULL;
  g_autofree char *line = NULL;
  g_autofree char *rest = NULL;

  write_input (shell, "query-status\n");
  line = read_line (shell->out);
  /* No prompt: stdin is not a terminal. */
  g_assert_true (g_str_has_prefix (line, "{\"status\":\"prelaunch\""));
  g_clear_pointer (&line, g_free);

  write_input (shell, "cont\n");
  line = read_line (shell->out);
  assert_event_line (line, "RESUME");
  g_clear_pointer (&line, g_free);
  line = read_line (shell->out);
  g_assert_cmpstr (line, ==, "{}");
  g_clear_pointer (&line, g_free);

  write_input (shell, "stop\n");
  line = wait_for_line (shell->out, "\"event\":\"STOP\"");
  assert_event_line (line, "STOP");
  g_clear_pointer (&line, g_free);
  line = read_line (shell->out);
  g_assert_cmpstr (line, ==, "{}");
  g_clear_pointer (&line, g_free);

  /* An event caused by someone else shows while the shell waits for input. */
  other = run_tool (second, "cont");
  g_assert_cmpint (other->status, ==, 0);
  line = read_line (shell->out);
  assert_event_line (line, "RESUME");
  g_clear_pointer (&line, g_free);

  /* Several commands in one go, a bad line among them. */
  write_input (shell, "query-status\nnot json {\n{\"execute\": \"query-status\"}\n");
  line = read_line (shell->out);
  g_assert_true (g_str_has_prefix (line, "{\"status\":\"running\""));
  g_clear_pointer (&line, g_free);
  line = read_line (shell->out);
  g_assert_true (g_str_has_prefix (line, "{\"return\":{\"status\":\"running\""));
  g_clear_pointer (&line, g_free);

  g_output_stream_close (shell->in, NULL, NULL);
  line = read_line (shell->out);
  g_assert_null (line);
  /* The bad line failed: the shell says so in its status. */
  g_assert_cmpint (wait_for_exit (shell), ==, 1);
  rest = wait_for_line (shell->err, "line 5");
  g_assert_nonnull (strstr (rest, "JSON"));

  remove_second_monitor (g_steal_pointer (&second));
}

static void
test_shell_end_of_input (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = pipes_launcher ();
  g_autoptr(RunningTool) shell =
    start_tool_with (launcher, (const char * const []) { qemu->qmp_path, NULL });
  g_autofree char *line = NULL;
  g_autofree char *err_line = NULL;

  /* Input ends while both commands are in flight: the replies still come. */
  write_input (shell, "cont\nstop\n");
  g_output_stream_close (shell->in, NULL, NULL);

  line = wait_for_line (shell->out, "\"event\":\"STOP\"");
  g_clear_pointer (&line, g_free);
  line = read_line (shell->out);
  g_assert_cmpstr (line, ==, "{}");
  g_clear_pointer (&line, g_free);
  g_assert_null (read_line (shell->out));
  g_assert_cmpint (wait_for_exit (shell), ==, 0);
  err_line = read_line (shell->err);
  g_assert_null (err_line);
}

/* With a terminal on stdin the shell prompts (on stderr). */
static void
test_shell_prompt_on_terminal (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(RunningTool) shell = NULL;
  g_autofree char *line = NULL;
  g_autofree char *prompt = NULL;
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  int terminal;

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  terminal = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (terminal, >=, 0);
  g_subprocess_launcher_take_stdin_fd (launcher, terminal);
  shell = start_tool_with (launcher, (const char * const []) { qemu->qmp_path, NULL });

  /* The terminal's line discipline hands over whole lines; ^D at the
   * start of a line is the end of input. */
  g_assert_cmpint (write (master, "query-status\n", 13), ==, 13);
  line = read_line (shell->out);
  g_assert_true (g_str_has_prefix (line, "{\"status\":\"prelaunch\""));
  g_assert_cmpint (write (master, "\004", 1), ==, 1);
  g_assert_cmpint (wait_for_exit (shell), ==, 0);
  prompt = read_line (shell->err);
  g_assert_nonnull (prompt);
  g_assert_true (g_str_has_prefix (prompt, "qmp> "));
  close (master);
}

/* ------------------------------------------------------------------------
 * Following events.
 */

static void
test_events (void)
{
  g_autofree char *second = NULL;
  g_autoptr(TestQemu) qemu = start_qemu_with_second_monitor (&second);
  g_autoptr(GSubprocessLauncher) launcher = pipes_launcher ();
  g_autoptr(RunningTool) follower =
    start_tool_with (launcher, (const char * const []) {
      "--verbose", qemu->qmp_path, "--events", "STOP", "RESUME", NULL });
  g_autoptr(ToolResult) cont = NULL;
  g_autoptr(ToolResult) stop = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *resume = NULL;
  g_autofree char *stopped = NULL;

  /* Only once the follower listens may the events be caused. */
  ready = wait_for_line (follower->err, "waiting for events");

  cont = run_tool (second, "cont");
  g_assert_cmpint (cont->status, ==, 0);
  resume = read_line (follower->out);
  assert_event_line (resume, "RESUME");

  stop = run_tool (second, "stop");
  g_assert_cmpint (stop->status, ==, 0);
  stopped = read_line (follower->out);
  assert_event_line (stopped, "STOP");

  g_subprocess_send_signal (follower->process, SIGTERM);
  g_assert_cmpint (wait_for_exit (follower), ==, 0);
  g_assert_null (read_line (follower->out));

  remove_second_monitor (g_steal_pointer (&second));
}

/* Only the events named are printed, and QEMU quitting ends the follow. */
static void
test_events_filtered_until_qemu_quits (void)
{
  g_autofree char *second = NULL;
  g_autoptr(TestQemu) qemu = start_qemu_with_second_monitor (&second);
  g_autoptr(GSubprocessLauncher) launcher = pipes_launcher ();
  g_autoptr(RunningTool) follower =
    start_tool_with (launcher, (const char * const []) {
      "-v", qemu->qmp_path, "--events", "STOP", NULL });
  g_autoptr(ToolResult) cont = NULL;
  g_autoptr(ToolResult) stop = NULL;
  g_autoptr(ToolResult) quit = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *stopped = NULL;

  ready = wait_for_line (follower->err, "waiting for events");
  cont = run_tool (second, "cont");       /* RESUME: not followed */
  stop = run_tool (second, "stop");       /* STOP */
  quit = run_tool (second, "quit");       /* SHUTDOWN: not followed */
  g_assert_cmpint (cont->status + stop->status + quit->status, ==, 0);

  stopped = read_line (follower->out);
  assert_event_line (stopped, "STOP");
  g_assert_null (read_line (follower->out));
  g_assert_cmpint (wait_for_exit (follower), ==, 0);
  g_assert_true (test_qemu_wait_exit (qemu, WAIT_MS));

  remove_second_monitor (g_steal_pointer (&second));
}

static void
test_events_unknown_name (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(ToolResult) result = run_tool (qemu->qmp_path, "--events", "stop");

  assert_usage_error (result, "'stop'");
}

/* ------------------------------------------------------------------------
 * Help.
 */

static void
test_help (void)
{
  g_autoptr(ToolResult) help = run_tool ("--help");
  g_autoptr(ToolResult) version = run_tool ("--version");
  const char *options[] = { "--timeout", "--pretty", "--oob", "--check", "--events",
                            "--verbose", "--version", "--help" };

  g_assert_cmpint (help->status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (!strstr (help->out, options[i]))
      g_error ("--help does not mention %s", options[i]);
  g_assert_nonnull (strstr (help->out, "Examples"));
  g_assert_nonnull (strstr (help->out, "Exit status"));

  g_assert_cmpint (version->status, ==, 0);
  g_assert_true (g_str_has_prefix (version->out, "qvirt-qmp "));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qvirt-qmp/command", test_command);
  g_test_add_func ("/qvirt-qmp/command-with-arguments", test_command_with_arguments);
  g_test_add_func ("/qvirt-qmp/qmp-error", test_qmp_error);
  g_test_add_func ("/qvirt-qmp/pretty", test_pretty);
  g_test_add_func ("/qvirt-qmp/check", test_check);
  g_test_add_func ("/qvirt-qmp/raw", test_raw);
  g_test_add_func ("/qvirt-qmp/raw-keeps-id", test_raw_keeps_id);
  g_test_add_func ("/qvirt-qmp/oob", test_oob);
  g_test_add_func ("/qvirt-qmp/usage-errors", test_usage_errors);
  g_test_add_func ("/qvirt-qmp/no-such-socket", test_no_such_socket);
  g_test_add_func ("/qvirt-qmp/handshake-timeout", test_handshake_timeout);
  g_test_add_func ("/qvirt-qmp/not-a-qemu", test_not_a_qemu);
  g_test_add_func ("/qvirt-qmp/shell", test_shell);
  g_test_add_func ("/qvirt-qmp/shell-end-of-input", test_shell_end_of_input);
  g_test_add_func ("/qvirt-qmp/shell-prompt-on-terminal", test_shell_prompt_on_terminal);
  g_test_add_func ("/qvirt-qmp/events", test_events);
  g_test_add_func ("/qvirt-qmp/events-filtered-until-qemu-quits",
                   test_events_filtered_until_qemu_quits);
  g_test_add_func ("/qvirt-qmp/events-unknown-name", test_events_unknown_name);
  g_test_add_func ("/qvirt-qmp/help", test_help);

  return g_test_run ();
}
