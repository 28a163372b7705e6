/* qvirt-qmp: what the tool prints.
 *
 * Every line is flushed at once: the output is often a pipe read line by
 * line by another program (a test, `jq`, a log follower) that must see an
 * event when it happens, not when a buffer fills.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tools/qmp-tool.h"

#include <stdio.h>
#include <stdlib.h>

void
qmp_tool_print_json (QmpTool *tool, json_t *value)
{
  /* ENCODE_ANY: a "return" value may be an array, a string, a number. */
  size_t flags = JSON_ENCODE_ANY |
                 (tool->options.pretty ? JSON_INDENT (2) : JSON_COMPACT);
  char *text = json_dumps (value, flags);

  /* json_dumps() fails only when out of memory. */
  if (text == NULL)
    g_error ("cannot format a JSON value: out of memory");
  puts (text);
  fflush (stdout);
  free (text);
}

void
qmp_tool_print_event (QmpTool *tool,
                      const char *name,
                      json_t *data,
                      gint64 timestamp_us)
{
  /* The timestamp as QEMU sent it, split back into its two members. */
  g_autoptr(json_t) event =
    json_pack ("{s:s, s:O, s:{s:I, s:I}}",
               "event", name,
               "data", data,
               "timestamp",
                 "seconds", (json_int_t) (timestamp_us / G_USEC_PER_SEC),
                 "microseconds", (json_int_t) (timestamp_us % G_USEC_PER_SEC));

  qmp_tool_print_json (tool, event);
}

void
qmp_tool_print_error (const char *prefix, const GError *error)
{
  const char *qemu_class = qmp_error_get_class (error);
  g_autoptr(GString) line = g_string_new ("qvirt-qmp: ");

  if (prefix)
    g_string_append_printf (line, "%s: ", prefix);
  if (qemu_class)
    g_string_append_printf (line, "%s: ", qemu_class);
  g_string_append (line, error->message);
  fprintf (stderr, "%s\n", line->str);
  fflush (stderr);
}

int
qmp_tool_exit_status_for_error (const GError *error)
{
  if (error->domain == G_OPTION_ERROR)
    return QMP_TOOL_EXIT_USAGE;
  if (error->domain == QMP_ERROR)
    {
      switch ((QmpErrorCode) error->code)
        {
        case QMP_ERROR_COMMAND:
        case QMP_ERROR_UNKNOWN_COMMAND:
        case QMP_ERROR_INVALID_ARGUMENT:
          return QMP_TOOL_EXIT_COMMAND_FAILED;
        case QMP_ERROR_FAILED:
        case QMP_ERROR_CLOSED:
        case QMP_ERROR_PROTOCOL:
        case QMP_ERROR_TIMEOUT:
          break;
        }
    }
  return QMP_TOOL_EXIT_CONNECTION;
}
