/* Running the qvirt binary from tests (cli-test-util.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cli-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* No single invocation should take longer, not even a guest's shutdown
 * with its own 90 s timeout. */
#define RUN_TIMEOUT_MS 150000

/* Every wait below iterates the default main context until what it waits
 * for happens or this timeout source sets its flag. */
static gboolean
on_timed_out (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------
 * Roots
 */

CliRoot *
cli_root_new (void)
{
  g_autoptr(GError) error = NULL;
  CliRoot *root = g_new0 (CliRoot, 1);

  root->dir = g_dir_make_tmp ("qvirt-tools-XXXXXX", &error);
  g_assert_no_error (error);
  root->uri = g_strdup_printf ("qemu:///embed?root=%s", root->dir);
  return root;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir != NULL)
    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, entry, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
            !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* Destroys every domain still running in @root, with qvirt itself. */
static void
destroy_leftovers (CliRoot *root)
{
  g_auto(CliResult) list = cli_run (root->uri, "list", "--json", NULL);
  g_autoptr(json_t) domains = NULL;
  json_t *domain;
  size_t i;

  if (list.status != 0)
    return;
  domains = json_loads (list.out, 0, NULL);
  json_array_foreach (domains, i, domain)
    {
      g_auto(CliResult) destroy =
        cli_run (root->uri, "destroy",
                 json_string_value (json_object_get (domain, "name")), NULL);
    }
}

void
cli_root_free (CliRoot *root)
{
  if (root == NULL)
    return;
  destroy_leftovers (root);
  remove_tree (root->dir);
  g_free (root->dir);
  g_free (root->uri);
  g_free (root);
}

char *
cli_root_write_file (CliRoot *root, const char *name, const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (root->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

char *
cli_xml_no_guest (const char *name)
{
  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <vcpu>1</vcpu>\n"
                          "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                          "  <devices><memballoon model='none'/></devices>\n"
                          "</domain>\n", name);
}

/* ------------------------------------------------------------------------
 * One invocation
 */

void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

/* qvirt [-c URI] ARGS..., as a NULL-terminated array. */
static GPtrArray *
build_argv (const char *uri, const char *first, va_list args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (QVIRT_TEST_QVIRT_BINARY));
  if (uri != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, g_strdup (uri));
    }
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return argv;
}

static GSubprocess *
spawn (GPtrArray *argv, GSubprocessFlags flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata);
  GSubprocess *process;

  /* The URI comes from -c or nowhere: the test's environment has no say. */
  g_subprocess_launcher_unsetenv (launcher, "QVIRT_DEFAULT_URI");
  g_test_message ("$ %s", line);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                          &error);
  g_assert_no_error (error);
  return process;
}

typedef struct {
  gboolean done;
  gboolean timed_out;
  char *out;
  char *err;
  GError *error;
} Communication;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Communication *communication = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &communication->out,
                                        &communication->err, &communication->error);
  communication->done = TRUE;
}

CliResult
cli_run (const char *uri, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  Communication communication = { 0 };
  CliResult result = { 0 };
  guint timeout;
  va_list args;

  va_start (args, first);
  argv = build_argv (uri, first, args);
  va_end (args);
  process = spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  timeout = g_timeout_add (RUN_TIMEOUT_MS, on_timed_out, &communication.timed_out);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &communication);
  while (!communication.done && !communication.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (communication.timed_out)
    {
      g_subprocess_force_exit (process);
      g_error ("qvirt did not exit within %d s", RUN_TIMEOUT_MS / 1000);
    }
  g_source_remove (timeout);
  g_assert_no_error (communication.error);
  g_subprocess_wait (process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (process));

  result.status = g_subprocess_get_exit_status (process);
  result.out = communication.out;
  result.err = communication.err;
  g_test_message ("exit %d\n--- stdout\n%s--- stderr\n%s---", result.status, result.out,
                  result.err);
  return result;
}

json_t *
cli_json (const CliResult *result)
{
  json_error_t json_error;
  json_t *json = json_loads (result->out, JSON_DECODE_ANY, &json_error);

  if (json == NULL)
    g_error ("qvirt printed no JSON (%s): %s", json_error.text, result->out);
  return json;
}

gboolean
cli_has_line (const char *text, const char *pattern, guint group, char **match)
{
  g_autofree char *anchored = g_strdup_printf ("^%s$", pattern);
  g_autoptr(GRegex) regex = g_regex_new (anchored, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) info = NULL;

  g_assert_nonnull (regex);
  if (!g_regex_match (regex, text, 0, &info))
    return FALSE;
  if (group > 0 && match != NULL)
    *match = g_match_info_fetch (info, (int) group);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * In the background
 */

struct QvirtBackground {
  GSubprocess *process;
  GDataInputStream *output;
  GCancellable *cancellable;
  GPtrArray *lines;             /* every line read so far */
  guint next_line;              /* the first one no wait has looked at */
  gboolean reading;             /* a read is pending */
  gboolean eof;
};

QvirtBackground *
cli_background_start (const char *uri, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  QvirtBackground *background = g_new0 (QvirtBackground, 1);
  va_list args;

  va_start (args, first);
  argv = build_argv (uri, first, args);
  va_end (args);
  background->process = spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_MERGE);
  background->output =
    g_data_input_stream_new (g_subprocess_get_stdout_pipe (background->process));
  background->cancellable = g_cancellable_new ();
  background->lines = g_ptr_array_new_with_free_func (g_free);
  return background;
}

GPid
cli_background_get_pid (QvirtBackground *background)
{
  const char *id = g_subprocess_get_identifier (background->process);

  g_assert_nonnull (id);
  return (GPid) atoi (id);
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QvirtBackground *background = user_data;
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                          result, NULL, &error);

  background->reading = FALSE;
  if (line == NULL)
    background->eof = TRUE;
  else
    {
      g_test_message ("qvirt (background): %s", line);
      g_ptr_array_add (background->lines, line);
    }
}

static void
log_lines (QvirtBackground *background)
{
  g_autoptr(GString) all = g_string_new (NULL);

  for (guint i = 0; i < background->lines->len; i++)
    g_string_append_printf (all, "%s\n", (char *) background->lines->pdata[i]);
  g_test_message ("qvirt printed, in the background:\n%s", all->str);
}

char *
cli_background_wait_line (QvirtBackground *background, const char *pattern,
                          guint timeout_ms)
{
  g_autofree char *anchored = g_strdup_printf ("^%s$", pattern);
  g_autoptr(GRegex) regex = g_regex_new (anchored, 0, 0, NULL);
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add (timeout_ms, on_timed_out, &timed_out);

  g_assert_nonnull (regex);
  for (;;)
    {
      while (background->next_line < background->lines->len)
        {
          const char *line = background->lines->pdata[background->next_line++];

          if (g_regex_match (regex, line, 0, NULL))
            {
              g_source_remove (timeout);
              return g_strdup (line);
            }
        }
      if (background->eof || timed_out)
        break;
      if (!background->reading)
        {
          background->reading = TRUE;
          g_data_input_stream_read_line_async (background->output, G_PRIORITY_DEFAULT,
                                               background->cancellable, on_line,
                                               background);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  if (!timed_out)
    g_source_remove (timeout);
  g_test_message ("no line matching '%s' within %u ms%s", pattern, timeout_ms,
                  background->eof ? " (qvirt's output ended)" : "");
  log_lines (background);
  return NULL;
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

int
cli_background_wait_exit (QvirtBackground *background, guint timeout_ms)
{
  gboolean exited = FALSE;
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add (timeout_ms, on_timed_out, &timed_out);

  g_subprocess_wait_async (background->process, NULL, on_exited, &exited);
  while (!exited && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    {
      /* Let the pending wait finish before returning. */
      g_subprocess_force_exit (background->process);
      while (!exited)
        g_main_context_iteration (NULL, TRUE);
      return -1;
    }
  g_source_remove (timeout);
  if (!g_subprocess_get_if_exited (background->process))
    return -1;
  return g_subprocess_get_exit_status (background->process);
}

void
cli_background_free (QvirtBackground *background)
{
  if (background == NULL)
    return;
  /* SIGTERM rather than SIGKILL: qvirt then ends as it would for a user. */
  g_subprocess_send_signal (background->process, SIGTERM);
  g_subprocess_wait (background->process, NULL, NULL);
  g_cancellable_cancel (background->cancellable);
  while (background->reading)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (background->cancellable);
  g_object_unref (background->output);
  g_object_unref (background->process);
  g_ptr_array_free (background->lines, TRUE);
  g_free (background);
}

gboolean
cli_wait_pid_gone (GPid pid, guint timeout_ms)
{
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd pfd;
  int r;

  if (pidfd < 0)
    return errno == ESRCH;
  pfd = (struct pollfd) { .fd = pidfd, .events = POLLIN };
  do
    r = poll (&pfd, 1, (int) timeout_ms);
  while (r < 0 && errno == EINTR);
  close (pidfd);
  return r > 0;
}
