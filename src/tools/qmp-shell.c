/* qvirt-qmp: the interactive shell.
 *
 * One main loop watches both standard input and the monitor, so events
 * are printed the moment they arrive, also while the shell waits for the
 * user, and a command is sent as soon as its line is read, whether or
 * not earlier ones were answered. The shell ends at the end of its input
 * (Ctrl-D) once every reply is in, or when QEMU closes the connection.
 * (`quit` is not a shell command: it is QEMU's, and stops QEMU.)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tools/qmp-tool.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <unistd.h>

/* On stderr, like Python's, so that stdout holds only JSON. */
#define PROMPT "qmp> "

typedef struct {
  QmpTool *tool;
  GMainLoop *loop;
  GDataInputStream *input;
  GCancellable *cancellable;   /* the read of stdin, when we stop early */
  gboolean interactive;        /* stdin is a terminal: show a prompt */
  gboolean prompt_visible;
  gboolean reading;            /* a read of stdin is in flight */
  gboolean stopping;           /* end of input, or the connection closed */
  guint line_number;
  guint pending;               /* commands whose outcome is not printed yet */
  int status;
} Shell;

/* The prompt invites input: only when nothing is left to print. */
static void
show_prompt (Shell *shell)
{
  if (!shell->interactive || shell->prompt_visible || !shell->reading ||
      shell->pending > 0)
    return;
  fputs (PROMPT, stderr);
  fflush (stderr);
  shell->prompt_visible = TRUE;
}

/* Output that arrives while the prompt waits goes on a line of its own. */
static void
leave_prompt (Shell *shell)
{
  if (!shell->prompt_visible)
    return;
  fputc ('\n', stderr);
  fflush (stderr);
  shell->prompt_visible = FALSE;
}

static void
quit_when_idle (Shell *shell)
{
  if (shell->stopping && shell->pending == 0 && !shell->reading)
    g_main_loop_quit (shell->loop);
}

/* A failed line makes the status 1, unless something worse happened. */
static void
note_failure (Shell *shell)
{
  if (shell->status == QMP_TOOL_EXIT_OK)
    shell->status = QMP_TOOL_EXIT_COMMAND_FAILED;
}

static void
on_command_done (QmpTool *tool, int status, gpointer user_data)
{
  Shell *shell = user_data;

  if (status != QMP_TOOL_EXIT_OK)
    note_failure (shell);
  shell->pending--;
  show_prompt (shell);
  quit_when_idle (shell);
}

static gboolean
is_blank_or_comment (const char *line)
{
  while (g_ascii_isspace (*line))
    line++;
  return *line == '\0' || *line == '#';
}

static void
handle_line (Shell *shell, const char *line)
{
  g_autoptr(GError) error = NULL;
  /* Line numbers help find a bad line in a script, not at a prompt. */
  g_autofree char *where =
    shell->interactive ? NULL : g_strdup_printf ("line %u", shell->line_number);
  QmpRequest *request;

  if (is_blank_or_comment (line))
    return;
  request = qmp_request_new_from_line (line, &error);
  if (request == NULL)
    {
      qmp_tool_print_error (where, error);
      note_failure (shell);
      return;
    }
  shell->pending++;
  qmp_tool_run_request (shell->tool, request, where, on_command_done, shell);
}

static void read_next_line (Shell *shell);

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Shell *shell = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line =
    g_data_input_stream_read_line_finish (shell->input, result, NULL, &error);

  shell->reading = FALSE;
  /* The user's Enter (or Ctrl-D) ended the prompt's line. */
  shell->prompt_visible = FALSE;

  if (line == NULL)
    {
      if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          qmp_tool_print_error ("cannot read standard input", error);
          note_failure (shell);
        }
      if (shell->interactive && error == NULL)
        fputc ('\n', stderr);   /* after Ctrl-D, leave the terminal tidy */
      shell->stopping = TRUE;
      quit_when_idle (shell);
      return;
    }

  shell->line_number++;
  handle_line (shell, line);
  if (!shell->stopping)
    read_next_line (shell);
}

static void
read_next_line (Shell *shell)
{
  shell->reading = TRUE;
  show_prompt (shell);
  g_data_input_stream_read_line_async (shell->input, G_PRIORITY_DEFAULT,
                                       shell->cancellable, on_line, shell);
}

static void
on_event (QmpClient *client,
          const char *name,
          json_t *data,
          gint64 timestamp_us,
          gpointer user_data)
{
  Shell *shell = user_data;

  leave_prompt (shell);
  qmp_tool_print_event (shell->tool, name, data, timestamp_us);
  show_prompt (shell);
}

/* Commands still in flight have failed by now; their outcome may still
 * be on its way to on_command_done(), so stop only once it is in. */
static void
on_closed (QmpClient *client, const GError *reason, gpointer user_data)
{
  Shell *shell = user_data;

  leave_prompt (shell);
  if (g_error_matches (reason, QMP_ERROR, QMP_ERROR_CLOSED))
    fprintf (stderr, "qvirt-qmp: QEMU closed the connection\n");
  else
    {
      qmp_tool_print_error (NULL, reason);
      shell->status = QMP_TOOL_EXIT_CONNECTION;
    }
  shell->stopping = TRUE;
  g_cancellable_cancel (shell->cancellable);
  quit_when_idle (shell);
}

int
qmp_tool_run_shell (QmpTool *tool)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GDataInputStream) input = g_data_input_stream_new (stdin_stream);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Shell shell = {
    .tool = tool,
    .loop = loop,
    .input = input,
    .cancellable = cancellable,
    .interactive = isatty (STDIN_FILENO),
    .status = QMP_TOOL_EXIT_OK,
  };
  guint subscription;

  g_data_input_stream_set_newline_type (input, G_DATA_STREAM_NEWLINE_TYPE_LF);
  subscription = qmp_client_subscribe (tool->client, NULL, on_event, &shell, NULL);
  qmp_client_set_closed_handler (tool->client, on_closed, &shell, NULL);

  read_next_line (&shell);
  g_main_loop_run (loop);

  /* From here on, closing the connection is ours to do, not news. */
  qmp_client_set_closed_handler (tool->client, NULL, NULL, NULL);
  qmp_client_unsubscribe (tool->client, subscription);
  return shell.status;
}
