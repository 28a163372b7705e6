/* Raw passthrough: a command the caller wrote as JSON text, and QEMU's
 * reply handed back as text. The caller's own "id" is swapped for ours
 * on the way out and restored on the way back. */
#include "qmp/client-private.h"

#include <stdlib.h>

void
qmp_client_execute_raw_async (QmpClient *client,
                              const char *json_text,
                              gint timeout_ms,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(json_t) message = NULL;
  json_error_t json_error;
  json_t *command;
  json_t *caller_id;

  g_return_if_fail (client != NULL);
  g_return_if_fail (json_text != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qmp_client_execute_raw_async);
  g_task_set_check_cancellable (task, FALSE);

  message = json_loads (json_text, JSON_REJECT_DUPLICATES, &json_error);
  if (message == NULL)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                               "invalid JSON at column %d: %s",
                               json_error.column, json_error.text);
      return;
    }
  command = json_object_get (message, "execute");
  if (command == NULL)
    command = json_object_get (message, "exec-oob");
  if (!json_is_object (message) || !json_is_string (command))
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                               "a QMP command is a JSON object with a string "
                               "member \"execute\" or \"exec-oob\"");
      return;
    }
  if (client->state == STATE_AWAITING_GREETING && client->handshake_task == NULL)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_FAILED,
                               "%s: the QMP handshake has not started",
                               json_string_value (command));
      return;
    }
  if (json_object_get (message, "exec-oob") && !client->oob_enabled)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_FAILED,
                               "%s: out-of-band execution was not negotiated",
                               json_string_value (command));
      return;
    }

  caller_id = json_object_get (message, "id");
  qmp_client_send_command (client, task, NULL, json_string_value (command), message, caller_id,
                TRUE, NULL, 0, qmp_client_effective_timeout (client, timeout_ms), cancellable);
}

char *
qmp_client_execute_raw_finish (QmpClient *client, GAsyncResult *result, GError **error)
{
  char *text;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  /* jansson allocates with malloc; hand out g_malloc'd memory. */
  text = g_task_propagate_pointer (G_TASK (result), error);
  if (text)
    {
      char *copy = g_strdup (text);

      free (text);
      return copy;
    }
  return NULL;
}

char *
qmp_client_execute_raw_sync (QmpClient *client,
                             const char *json_text,
                             gint timeout_ms,
                             GCancellable *cancellable,
                             GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qmp_client_execute_raw_async (client, json_text, timeout_ms, cancellable,
                                qmp_client_store_result, &result);
  return qmp_client_execute_raw_finish (client, qmp_client_wait_for_result (client, &result),
                                        error);
}

