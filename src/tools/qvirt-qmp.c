/* qvirt-qmp: a command-line client for QEMU's monitor protocol (QMP),
 * built on libqmp.
 *
 *   qvirt-qmp SOCKET COMMAND [JSON-ARGS]   run one command
 *   qvirt-qmp SOCKET                       interactive shell (qmp-shell.c)
 *   qvirt-qmp SOCKET --events [EVENT...]   follow events (qmp-events.c)
 *
 * This file reads the command line, connects and picks the mode.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tools/qmp-tool.h"

#include <locale.h>
#include <stdio.h>

#ifndef QVIRT_VERSION
#define QVIRT_VERSION "unknown"
#endif

#define SUMMARY \
  "Talk to a QEMU monitor (QMP) listening on the UNIX socket SOCKET,\n" \
  "in one of three modes:\n" \
  "\n" \
  "  qvirt-qmp [OPTION…] SOCKET COMMAND [JSON-ARGS]   run one command\n" \
  "  qvirt-qmp [OPTION…] SOCKET                       interactive shell\n" \
  "  qvirt-qmp [OPTION…] SOCKET --events [EVENT…]     print events"

#define DESCRIPTION \
  "Running one command:\n" \
  "  COMMAND is a QMP command name and JSON-ARGS its arguments, one JSON\n" \
  "  object. The \"return\" value of the reply is printed as JSON. COMMAND\n" \
  "  may also be a whole QMP command written as JSON ({\"execute\": ...});\n" \
  "  QEMU's reply to it is then printed whole, \"error\" included.\n" \
  "\n" \
  "Interactive shell:\n" \
  "  Each input line is COMMAND, COMMAND JSON-ARGS or a JSON command;\n" \
  "  blank lines and lines starting with # are skipped. A command is sent\n" \
  "  as soon as its line is read; replies and events are printed as they\n" \
  "  arrive. The prompt (on stderr) shows only when the input is a\n" \
  "  terminal. Leave with Ctrl-D (end of input): \"quit\" is QEMU's command\n" \
  "  and stops QEMU.\n" \
  "\n" \
  "Following events:\n" \
  "  With --events, every event, or only the EVENTs named, is printed as\n" \
  "  one line {\"event\": NAME, \"data\": {...}, \"timestamp\": {\"seconds\": S,\n" \
  "  \"microseconds\": US}} until SIGINT or SIGTERM, or until QEMU closes\n" \
  "  the connection.\n" \
  "\n" \
  "Errors go to stderr as one line: \"qvirt-qmp: CLASS: DESCRIPTION\" when\n" \
  "QEMU refused a command (CLASS is QEMU's error class, like\n" \
  "CommandNotFound), \"qvirt-qmp: MESSAGE\" otherwise.\n" \
  "\n" \
  "Exit status:\n" \
  "  0   success\n" \
  "  1   QEMU answered with an error, or --check rejected the command\n" \
  "      (shell: some command failed)\n" \
  "  2   no usable connection: no such socket, not a QEMU monitor,\n" \
  "      handshake or command timeout, connection lost\n" \
  "  64  bad usage: unknown option, missing SOCKET, invalid JSON-ARGS\n" \
  "\n" \
  "Examples:\n" \
  "  qvirt-qmp /run/vm/qmp.sock query-status\n" \
  "  qvirt-qmp --pretty /run/vm/qmp.sock query-cpus-fast\n" \
  "  qvirt-qmp /run/vm/qmp.sock device_del '{\"id\": \"nic1\"}'\n" \
  "  qvirt-qmp --check /run/vm/qmp.sock stop '{\"now\": true}'\n" \
  "      fails before sending: command 'stop' has no argument 'now'\n" \
  "  qvirt-qmp --timeout 2000 /run/vm/qmp.sock system_powerdown\n" \
  "  qvirt-qmp /run/vm/qmp.sock '{\"execute\": \"query-status\", \"id\": 7}'\n" \
  "  qvirt-qmp --oob /run/vm/qmp.sock '{\"exec-oob\": \"migrate-pause\"}'\n" \
  "  qvirt-qmp /run/vm/qmp.sock --events STOP RESUME SHUTDOWN\n" \
  "  printf 'stop\\nquery-status\\n' | qvirt-qmp /run/vm/qmp.sock"

typedef struct {
  QmpToolOptions options;
  gboolean events;
  gboolean version;
  char **positional;   /* SOCKET and what follows it */
} CommandLine;

static void
command_line_clear (CommandLine *command_line)
{
  g_clear_pointer (&command_line->positional, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommandLine, command_line_clear)

static gboolean
parse_command_line (int *argc, char ***argv, CommandLine *command_line, GError **error)
{
  const GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &command_line->options.timeout_ms,
      "Give up on a command or the handshake after MS milliseconds "
      "(default: commands wait forever, the handshake 30 s)", "MS" },
    { "pretty", 'p', 0, G_OPTION_ARG_NONE, &command_line->options.pretty,
      "Print JSON indented over several lines", NULL },
    { "oob", 0, 0, G_OPTION_ARG_NONE, &command_line->options.oob,
      "Negotiate out-of-band execution, needed by {\"exec-oob\": ...} commands", NULL },
    { "check", 'c', 0, G_OPTION_ARG_NONE, &command_line->options.check,
      "Check commands and their arguments against QEMU's schema before "
      "sending them", NULL },
    { "events", 'e', 0, G_OPTION_ARG_NONE, &command_line->events,
      "Print events (all, or the EVENTs named) until interrupted", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &command_line->options.verbose,
      "Report on stderr which QEMU answered and, with --events, when "
      "watching starts", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &command_line->version,
      "Print the version and exit", NULL },
    /* FILENAME: arguments pass as they are, not through the locale. */
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &command_line->positional,
      NULL, NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("SOCKET [COMMAND [JSON-ARGS]]");

  g_option_context_set_summary (context, SUMMARY);
  g_option_context_set_description (context, DESCRIPTION);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (command_line->options.timeout_ms < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--timeout must be a number of milliseconds, 0 or more");
      return FALSE;
    }
  if (command_line->version)
    return TRUE;
  if (command_line->positional == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "missing SOCKET, the path of QEMU's QMP socket");
      return FALSE;
    }
  if (!command_line->events && g_strv_length (command_line->positional) > 3)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "unexpected argument '%s' (JSON-ARGS must be a single "
                   "argument: quote it)", command_line->positional[3]);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  GMainLoop *loop;
  gboolean finished;
  int status;
} OneCommand;

static void
on_one_command_done (QmpTool *tool, int status, gpointer user_data)
{
  OneCommand *one = user_data;

  one->finished = TRUE;
  one->status = status;
  g_main_loop_quit (one->loop);
}

static int
run_one_command (QmpTool *tool, QmpRequest *request)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  OneCommand one = { .loop = loop };

  qmp_tool_run_request (tool, request, NULL, on_one_command_done, &one);
  if (!one.finished)
    g_main_loop_run (loop);
  return one.status;
}

static void
tool_clear (QmpTool *tool)
{
  g_clear_pointer (&tool->schema, qmp_schema_unref);
  g_clear_pointer (&tool->client, qmp_client_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QmpTool, tool_clear)

int
main (int argc, char **argv)
{
  g_auto(CommandLine) command_line = { .options.timeout_ms = QMP_TIMEOUT_NONE };
  g_auto(QmpTool) tool = { 0 };
  g_autoptr(QmpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  const char *socket_path;

  setlocale (LC_ALL, "");

  if (!parse_command_line (&argc, &argv, &command_line, &error))
    {
      fprintf (stderr, "qvirt-qmp: %s (see qvirt-qmp --help)\n", error->message);
      return QMP_TOOL_EXIT_USAGE;
    }
  if (command_line.version)
    {
      printf ("qvirt-qmp %s\n", QVIRT_VERSION);
      return QMP_TOOL_EXIT_OK;
    }
  tool.options = command_line.options;
  socket_path = command_line.positional[0];

  /* Bad input is reported before connecting, whether or not QEMU is
   * there to answer. */
  if (!command_line.events && command_line.positional[1])
    {
      request = qmp_request_new (command_line.positional[1],
                                 command_line.positional[2], &error);
      if (request == NULL)
        {
          qmp_tool_print_error (NULL, error);
          return QMP_TOOL_EXIT_USAGE;
        }
    }

  if (!qmp_tool_connect (&tool, socket_path, &error))
    {
      qmp_tool_print_error (NULL, error);
      return QMP_TOOL_EXIT_CONNECTION;
    }

  if (command_line.events)
    return qmp_tool_follow_events (&tool,
                                   (const char * const *) &command_line.positional[1]);
  if (request)
    return run_one_command (&tool, g_steal_pointer (&request));
  return qmp_tool_run_shell (&tool);
}
