/* Operations on a running domain that are one QMP command each: pause,
 * resume, ACPI reboot, hard reset, and raw passthrough.
 *
 * The domain's state follows QEMU's events (STOP, RESUME; see
 * domain-stop.c), which arrive before the command's reply, so by the
 * time one of these completes the state already says what happened. */
#include "qemu/driver-private.h"

typedef struct {
  QvirtDomainObj *dom;
  const char *command;
  gboolean reboot;
} ControlCall;

static void
control_call_free (ControlCall *call)
{
  qvirt_domain_obj_unref (call->dom);
  g_free (call);
}

static void
on_control_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ControlCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = qmp_client_execute_finish (NULL, result, &error);

  if (reply == NULL)
    {
      if (call->reboot && call->dom->driver)
        call->dom->reboot_requested = FALSE;
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED,
                               "%s of domain '%s' failed: %s", call->command,
                               call->dom->name, error->message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Finds a running domain for @task, or answers @task with the error. */
static QvirtDomainObj *
find_running (QvirtDriver *driver, const char *name, GTask *task)
{
  GError *error = NULL;
  QvirtDomainObj *dom = qvirt_driver_find_or_error (driver, name, &error);

  if (dom == NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }
  if (dom->pid <= 0 || dom->start_task != NULL || dom->monitor == NULL)
    {
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                               "domain '%s' is %s", dom->name,
                               dom->start_task ? "still starting" : "not running");
      return NULL;
    }
  return dom;
}

static void
run_control (QvirtDriver *driver, const char *name, const char *command,
             QvirtDomainState required_state, gboolean reboot,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  QvirtDomainObj *dom;
  ControlCall *call;

  g_task_set_source_tag (task, run_control);
  dom = find_running (driver, name, task);
  if (dom == NULL)
    return;
  if ((int) required_state >= 0 && dom->state != required_state)
    {
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                               "domain '%s' is %s, not %s", dom->name,
                               qvirt_domain_state_to_string (dom->state),
                               qvirt_domain_state_to_string (required_state));
      return;
    }

  call = g_new0 (ControlCall, 1);
  call->dom = qvirt_domain_obj_ref (dom);
  call->command = command;
  call->reboot = reboot;
  g_task_set_task_data (task, call, (GDestroyNotify) control_call_free);
  if (reboot)
    dom->reboot_requested = TRUE;
  qmp_client_execute_async (dom->monitor, command, NULL, cancellable, on_control_reply,
                            g_object_ref (task));
}

void
qvirt_driver_suspend_async (QvirtDriver *driver, const char *name,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  run_control (driver, name, "stop", QVIRT_DOMAIN_STATE_RUNNING, FALSE,
               cancellable, callback, user_data);
}

void
qvirt_driver_resume_async (QvirtDriver *driver, const char *name,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  run_control (driver, name, "cont", QVIRT_DOMAIN_STATE_PAUSED, FALSE,
               cancellable, callback, user_data);
}

/* An ACPI reboot: QEMU has no such command, so ask the guest to power
 * off and reset it when it does (see handle_guest_shutdown()). */
void
qvirt_driver_reboot_async (QvirtDriver *driver, const char *name,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  run_control (driver, name, "system_powerdown", QVIRT_DOMAIN_STATE_RUNNING, TRUE,
               cancellable, callback, user_data);
}

void
qvirt_driver_reset_async (QvirtDriver *driver, const char *name,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  run_control (driver, name, "system_reset", (QvirtDomainState) -1, FALSE,
               cancellable, callback, user_data);
}

static void
on_raw_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *reply = qmp_client_execute_raw_finish (NULL, result, &error);

  if (reply == NULL)
    g_task_return_new_error (task, QVIRT_ERROR,
                             g_error_matches (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT)
                               ? QVIRT_ERROR_INVALID_ARGUMENT
                             : g_error_matches (error, QMP_ERROR, QMP_ERROR_TIMEOUT)
                               ? QVIRT_ERROR_TIMEOUT : QVIRT_ERROR_QEMU_FAILED,
                             "%s", error->message);
  else
    g_task_return_pointer (task, reply, g_free);
}

void
qvirt_driver_qmp_async (QvirtDriver *driver, const char *name, const char *json_text,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  QvirtDomainObj *dom;

  g_task_set_source_tag (task, qvirt_driver_qmp_async);
  dom = find_running (driver, name, task);
  if (dom == NULL)
    return;
  qmp_client_execute_raw_async (dom->monitor, json_text, QMP_TIMEOUT_DEFAULT, cancellable,
                                on_raw_reply, g_object_ref (task));
}

char *
qvirt_driver_qmp_finish (QvirtDriver *driver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
