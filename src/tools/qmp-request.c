/* qvirt-qmp: a command the user asked for, from the command line or a
 * shell line, and running it.
 *
 * Input is checked here, before anything is sent: bad JSON is a usage
 * error (G_OPTION_ERROR_BAD_VALUE, exit status 64) whether or not QEMU
 * could be reached.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tools/qmp-tool.h"

#include <string.h>

static gboolean
is_raw_command (const char *text)
{
  while (g_ascii_isspace (*text))
    text++;
  return *text == '{';
}

/* QMP names are letters, digits, '-' and '_', with '.' in vendor
 * prefixes ("__com.redhat_..."). Rejecting anything else catches a
 * forgotten space before the arguments. */
static gboolean
is_command_name (const char *name)
{
  if (*name == '\0' || *name == '-')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      return FALSE;
  return TRUE;
}

static json_t *
parse_json_object (const char *text, const char *what, GError **error)
{
  g_autoptr(json_t) value = NULL;
  json_error_t json_error;

  value = json_loads (text, JSON_REJECT_DUPLICATES, &json_error);
  if (value == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s are not valid JSON (column %d: %s)",
                   what, json_error.column, json_error.text);
      return NULL;
    }
  if (!json_is_object (value))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s must be a JSON object, like {\"name\": \"value\"}", what);
      return NULL;
    }
  return g_steal_pointer (&value);
}

static QmpRequest *
request_new_raw (const char *text, GError **error)
{
  g_autoptr(QmpRequest) request = g_new0 (QmpRequest, 1);
  g_autoptr(json_t) message = parse_json_object (text, "raw QMP commands", error);
  json_t *command;
  json_t *arguments;

  if (message == NULL)
    return NULL;
  command = json_object_get (message, "execute");
  if (command == NULL)
    {
      command = json_object_get (message, "exec-oob");
      request->out_of_band = command != NULL;
    }
  if (!json_is_string (command))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "a raw QMP command needs a string member "
                           "\"execute\" (or \"exec-oob\")");
      return NULL;
    }
  request->command = g_strdup (json_string_value (command));
  arguments = json_object_get (message, "arguments");
  if (arguments)
    request->arguments = json_incref (arguments);
  request->raw_text = g_strdup (text);
  return g_steal_pointer (&request);
}

QmpRequest *
qmp_request_new (const char *command, const char *json_arguments, GError **error)
{
  g_autoptr(QmpRequest) request = NULL;

  g_return_val_if_fail (command != NULL, NULL);

  if (is_raw_command (command))
    {
      if (json_arguments)
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "a raw JSON command takes no separate JSON-ARGS: "
                               "put them in its \"arguments\" member");
          return NULL;
        }
      return request_new_raw (command, error);
    }
  if (!is_command_name (command))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "'%s' is not a command name", command);
      return NULL;
    }

  request = g_new0 (QmpRequest, 1);
  request->command = g_strdup (command);
  if (json_arguments)
    {
      request->arguments = parse_json_object (json_arguments, "the arguments", error);
      if (request->arguments == NULL)
        return NULL;
    }
  return g_steal_pointer (&request);
}

QmpRequest *
qmp_request_new_from_line (const char *line, GError **error)
{
  g_autofree char *text = g_strstrip (g_strdup (line));
  g_autofree char *command = NULL;
  const char *arguments;
  size_t name_length;

  if (is_raw_command (text))
    return qmp_request_new (text, NULL, error);

  name_length = strcspn (text, " \t");
  command = g_strndup (text, name_length);
  arguments = text + name_length;
  while (g_ascii_isspace (*arguments))
    arguments++;
  return qmp_request_new (command, *arguments ? arguments : NULL, error);
}

void
qmp_request_free (QmpRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->command);
  g_clear_pointer (&request->arguments, json_decref);
  g_free (request->raw_text);
  g_free (request);
}

/* ------------------------------------------------------------------------
 * Running a request.
 */

typedef struct {
  QmpTool *tool;
  QmpRequest *request;
  char *error_prefix;
  QmpRequestDone done;
  gpointer user_data;
} RequestRun;

static void
request_run_finish (RequestRun *run, int status)
{
  run->done (run->tool, status, run->user_data);
  qmp_request_free (run->request);
  g_free (run->error_prefix);
  g_free (run);
}

static void
request_run_fail (RequestRun *run, const GError *error)
{
  qmp_tool_print_error (run->error_prefix, error);
  request_run_finish (run, qmp_tool_exit_status_for_error (error));
}

static void
on_command_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RequestRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) value = qmp_client_execute_finish (run->tool->client, result, &error);

  if (value == NULL)
    {
      request_run_fail (run, error);
      return;
    }
  qmp_tool_print_json (run->tool, value);
  request_run_finish (run, QMP_TOOL_EXIT_OK);
}

/* QEMU's reply to a raw command is printed whole, error or not; an error
 * still sets the exit status so that scripts can tell. */
static void
on_raw_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RequestRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = qmp_client_execute_raw_finish (run->tool->client, result, &error);
  g_autoptr(json_t) reply = NULL;

  if (text == NULL)
    {
      request_run_fail (run, error);
      return;
    }
  /* The library hands back what QEMU sent, so this cannot fail. */
  reply = json_loads (text, 0, NULL);
  g_assert (reply != NULL);
  qmp_tool_print_json (run->tool, reply);
  request_run_finish (run, json_object_get (reply, "error")
                             ? QMP_TOOL_EXIT_COMMAND_FAILED
                             : QMP_TOOL_EXIT_OK);
}

/* The library checks named commands only (raw ones are the caller's
 * business), so the check is done here: --check then means the same for
 * both kinds. */
static gboolean
check_request (QmpTool *tool, QmpRequest *request, GError **error)
{
  if (request->out_of_band && !qmp_client_is_oob_enabled (tool->client))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: \"exec-oob\" needs out-of-band execution: add --oob",
                   request->command);
      return FALSE;
    }
  if (tool->schema == NULL)
    return TRUE;
  return qmp_schema_check_command (tool->schema, request->command,
                                   request->arguments, error);
}

void
qmp_tool_run_request (QmpTool *tool,
                      QmpRequest *request,
                      const char *error_prefix,
                      QmpRequestDone done,
                      gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  RequestRun *run = g_new0 (RequestRun, 1);

  run->tool = tool;
  run->request = request;
  run->error_prefix = g_strdup (error_prefix);
  run->done = done;
  run->user_data = user_data;

  if (!check_request (tool, request, &error))
    request_run_fail (run, error);
  else if (request->raw_text)
    qmp_client_execute_raw_async (tool->client, request->raw_text,
                                  QMP_TIMEOUT_DEFAULT, NULL, on_raw_reply, run);
  else
    qmp_client_execute_async (tool->client, request->command, request->arguments,
                              NULL, on_command_reply, run);
}
