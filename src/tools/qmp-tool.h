/* qvirt-qmp: the pieces shared by the tool's three modes (run one
 * command, interactive shell, follow events).
 *
 * Everything the tool knows at run time lives in one QmpTool that main()
 * owns and hands down: there is no global mutable state.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <qvirt/qmp.h>

G_BEGIN_DECLS

/* Exit statuses, documented in --help and in docs/libqmp.md. */
enum {
  QMP_TOOL_EXIT_OK = 0,
  /* QEMU answered with an error, or --check rejected the command. */
  QMP_TOOL_EXIT_COMMAND_FAILED = 1,
  /* QEMU could not be reached or stopped answering: no socket, not a
   * QEMU monitor, handshake or command timeout, connection lost. */
  QMP_TOOL_EXIT_CONNECTION = 2,
  /* sysexits.h's EX_USAGE: bad options, bad JSON arguments. */
  QMP_TOOL_EXIT_USAGE = 64,
};

typedef struct {
  gint timeout_ms;   /* QMP_TIMEOUT_NONE: wait forever */
  gboolean pretty;
  gboolean oob;
  gboolean check;
  gboolean verbose;
} QmpToolOptions;

typedef struct {
  QmpToolOptions options;
  QmpClient *client;
  /* The QEMU's schema: fetched at start-up with --check (and for
   * --events NAME...), NULL otherwise. */
  QmpSchema *schema;
} QmpTool;

/* ------------------------------------------------------------------------
 * qmp-connection.c
 */

/**
 * qmp_tool_connect:
 * @tool: the tool; on success ->client is set
 * @socket_path: the monitor socket
 * @error: return location
 *
 * Connects, negotiates capabilities (OOB with --oob) within --timeout
 * (the library's 30 s when there is none) and, with --check, fetches the
 * schema. With --verbose, says which QEMU answered on stderr.
 *
 * Returns: FALSE with @error set on failure.
 */
gboolean qmp_tool_connect (QmpTool *tool, const char *socket_path, GError **error);

/* ------------------------------------------------------------------------
 * qmp-output.c: everything the tool prints goes through here.
 */

/** Prints @value (any JSON value) on one line, or indented with --pretty. */
void qmp_tool_print_json (QmpTool *tool, json_t *value);

/** Prints an event as {"event": ..., "data": ..., "timestamp": ...}. */
void qmp_tool_print_event (QmpTool *tool,
                           const char *name,
                           json_t *data,
                           gint64 timestamp_us);

/**
 * qmp_tool_print_error:
 * @prefix: (nullable): put before the message (for example "line 3")
 *
 * Prints "qvirt-qmp: CLASS: DESCRIPTION" for an error QEMU answered, or
 * "qvirt-qmp: MESSAGE" for any other, on stderr.
 */
void qmp_tool_print_error (const char *prefix, const GError *error);

/** Returns: the exit status @error calls for (QMP_TOOL_EXIT_*). */
int qmp_tool_exit_status_for_error (const GError *error);

/* ------------------------------------------------------------------------
 * qmp-request.c: what the user asked QEMU to do.
 */

typedef struct {
  char *command;       /* the command name, also for a raw command */
  json_t *arguments;   /* (nullable) its arguments, a JSON object */
  char *raw_text;      /* (nullable) a whole QMP command written as JSON:
                        * sent as is and answered with QEMU's reply */
  gboolean out_of_band; /* a raw "exec-oob" command */
} QmpRequest;

/**
 * qmp_request_new:
 * @command: a command name, or a whole QMP command as a JSON object
 * @json_arguments: (nullable): the arguments, a JSON object (not allowed
 *   with a raw command)
 * @error: return location: G_OPTION_ERROR_BAD_VALUE, a usage error
 *
 * Returns: (transfer full) (nullable): the request, or NULL with @error.
 */
QmpRequest *qmp_request_new (const char *command,
                             const char *json_arguments,
                             GError **error);

/**
 * qmp_request_new_from_line:
 * @line: a shell line: `COMMAND`, `COMMAND {JSON-ARGS}` or a raw JSON
 *   command
 *
 * Returns: (transfer full) (nullable): the request, or NULL with @error
 *   (G_OPTION_ERROR_BAD_VALUE).
 */
QmpRequest *qmp_request_new_from_line (const char *line, GError **error);

void qmp_request_free (QmpRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpRequest, qmp_request_free)

/**
 * QmpRequestDone:
 * @status: QMP_TOOL_EXIT_OK, or the exit status the failure calls for
 */
typedef void (*QmpRequestDone) (QmpTool *tool, int status, gpointer user_data);

/**
 * qmp_tool_run_request:
 * @tool: a connected tool
 * @request: (transfer full): what to run
 * @error_prefix: (nullable): put before an error message
 * @done: called from the main context once the outcome was printed
 * @user_data: passed to @done
 *
 * Checks @request against the schema (with --check), sends it and
 * prints the outcome: the "return" value, QEMU's whole reply for a raw
 * command, or the error on stderr. When the check fails, @done runs
 * before this returns.
 */
void qmp_tool_run_request (QmpTool *tool,
                           QmpRequest *request,
                           const char *error_prefix,
                           QmpRequestDone done,
                           gpointer user_data);

/* ------------------------------------------------------------------------
 * The modes. Each returns the process's exit status.
 */

/** qmp-shell.c: reads commands from stdin until its end. */
int qmp_tool_run_shell (QmpTool *tool);

/**
 * qmp_tool_follow_events:
 * @names: (nullable): the events to print, NULL or empty for all
 *
 * qmp-events.c: prints events until SIGINT, SIGTERM or QEMU closes the
 * connection.
 */
int qmp_tool_follow_events (QmpTool *tool, const char * const *names);

G_END_DECLS
