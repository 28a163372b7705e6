/* The schema side of the client: one query-qmp-schema shared by everyone
 * who asks while it runs, cached afterwards, and the optional check of
 * commands against it before they are sent. */
#include "qmp/client-private.h"

static void
schema_waiter_answer (QmpClient *client, SchemaWaiter *waiter, const GError *error)
{
  if (waiter->deferred)
    {
      DeferredCommand *deferred = waiter->deferred;

      if (client->schema)
        qmp_client_execute_checked (client, client->schema, deferred->task, deferred->command,
                         deferred->arguments, deferred->fds, deferred->n_fds,
                         deferred->flags, deferred->timeout_ms, deferred->cancellable);
      else
        g_task_return_error (deferred->task, g_error_copy (error));
      qmp_client_deferred_command_free (deferred);
    }
  else if (client->schema)
    g_task_return_pointer (waiter->task, qmp_schema_ref (client->schema),
                           (GDestroyNotify) qmp_schema_unref);
  else
    g_task_return_error (waiter->task, g_error_copy (error));
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
on_schema_fetched (QmpClient *client, json_t *reply, const GError *error)
{
  g_autoptr(GPtrArray) waiters = client->schema_waiters;
  g_autoptr(GError) schema_error = NULL;

  client->schema_waiters = g_ptr_array_new ();
  if (reply && client->schema == NULL)
    client->schema = qmp_schema_new (reply, &schema_error);
  for (guint i = 0; i < waiters->len; i++)
    schema_waiter_answer (client, waiters->pdata[i], schema_error ? schema_error : error);
}

/* Queues @waiter; the first waiter starts the one query-qmp-schema that
 * everyone who asks meanwhile shares. */
void
qmp_client_fetch_schema (QmpClient *client, SchemaWaiter *waiter)
{
  g_autoptr(json_t) message = NULL;

  g_ptr_array_add (client->schema_waiters, waiter);
  if (client->schema_waiters->len > 1)
    return;
  message = qmp_client_build_command ("query-qmp-schema", NULL, QMP_EXECUTE_NONE);
  qmp_client_send_command (client, NULL, on_schema_fetched, "query-qmp-schema", message, NULL, FALSE,
                NULL, 0, qmp_client_effective_timeout (client, QMP_TIMEOUT_DEFAULT), NULL);
}

void
qmp_client_get_schema_async (QmpClient *client,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  SchemaWaiter *waiter;

  g_return_if_fail (client != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qmp_client_get_schema_async);
  if (client->schema)
    {
      g_task_return_pointer (task, qmp_schema_ref (client->schema),
                             (GDestroyNotify) qmp_schema_unref);
      return;
    }
  if (client->state == STATE_AWAITING_GREETING && client->handshake_task == NULL)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_FAILED,
                               "query-qmp-schema: the QMP handshake has not started");
      return;
    }
  waiter = g_new0 (SchemaWaiter, 1);
  waiter->task = g_steal_pointer (&task);
  qmp_client_fetch_schema (client, waiter);
}

QmpSchema *
qmp_client_get_schema_finish (QmpClient *client, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

QmpSchema *
qmp_client_get_schema_sync (QmpClient *client, GCancellable *cancellable, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qmp_client_get_schema_async (client, cancellable, qmp_client_store_result, &result);
  return qmp_client_get_schema_finish (client, qmp_client_wait_for_result (client, &result), error);
}

void
qmp_client_set_check_commands (QmpClient *client, gboolean check)
{
  g_return_if_fail (client != NULL);
  client->check_commands = check;
}
