/* How domains stop: shutdown, destroy, the guest's own poweroff, and
 * QEMU's exit, expected or not.
 *
 * QEMU runs with -no-shutdown, so a guest poweroff pauses QEMU and sends
 * SHUTDOWN instead of exiting; the driver then does what <on_poweroff>
 * says. Whatever the cause, a domain is shut off only once its process is
 * gone: the process watch (a child watch, or a pidfd for a reattached
 * QEMU) is the single place that finishes a stop.
 */
#include "qemu/driver-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/domain-status.h"
#include "util/atomic-file.h"

#define LOG_TAIL_BYTES 2048
#define DEFAULT_SHUTDOWN_TIMEOUT_MS 60000

gboolean
qvirt_domain_obj_is_active (QvirtDomainObj *dom)
{
  return dom->pid > 0 || dom->start_task != NULL;
}

void
qvirt_domain_obj_set_state (QvirtDomainObj *dom, QvirtDomainState state, const char *reason)
{
  gboolean was_shutoff = dom->state == QVIRT_DOMAIN_STATE_SHUTOFF;

  dom->state = state;
  g_free (dom->reason);
  dom->reason = g_strdup (reason ? reason : "unknown");

  /* Why a persistent domain stopped outlives this process, for whoever
   * opens the root next; a run removes the record. */
  if (state == QVIRT_DOMAIN_STATE_SHUTOFF && dom->persistent_def != NULL)
    {
      g_autofree char *line = g_strconcat (dom->reason, "\n", NULL);
      g_autoptr(GError) error = NULL;

      if (!qvirt_file_replace_atomic (dom->stop_reason_path, line, -1, 0600, &error))
        g_debug ("domain '%s': cannot record why it stopped: %s", dom->name, error->message);
    }
  else if (state != QVIRT_DOMAIN_STATE_SHUTOFF && was_shutoff)
    g_unlink (dom->stop_reason_path);
}

gboolean
qvirt_domain_obj_save_status (QvirtDomainObj *dom, GError **error)
{
  QvirtDomainStatus status = {
    .name = dom->name,
    .uuid = dom->uuid,
    .pid = dom->pid,
    .start_time = dom->start_time,
    .monitor_path = dom->monitor_path,
    .console_path = dom->has_console ? dom->console_path : NULL,
    .live_xml = dom->live_xml,
    .autodestroy = dom->autodestroy,
    .paused = dom->state == QVIRT_DOMAIN_STATE_PAUSED,
    .paused_reason = dom->state == QVIRT_DOMAIN_STATE_PAUSED ? dom->reason : NULL,
    .started_at = dom->started_at,
  };
  g_autoptr(GError) local_error = NULL;

  if (qvirt_domain_status_save (&status, dom->status_path, &local_error))
    return TRUE;
  g_warning ("domain '%s': %s", dom->name, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

char *
qvirt_domain_obj_read_log_tail (QvirtDomainObj *dom)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *tail;

  if (!g_file_get_contents (dom->log_path, &contents, &len, NULL))
    return g_strdup ("");
  /* Only what this run wrote, and only its end. */
  tail = contents + MIN ((gsize) dom->log_offset, len);
  if (strlen (tail) > LOG_TAIL_BYTES)
    {
      tail += strlen (tail) - LOG_TAIL_BYTES;
      if (strchr (tail, '\n'))
        tail = strchr (tail, '\n') + 1;
    }
  return g_strstrip (g_strdup (tail));
}

static gboolean
on_kill_timer (gpointer user_data)
{
  QvirtDomainObj *dom = user_data;

  g_clear_pointer (&dom->kill_timer, g_source_unref);
  if (dom->pid > 0)
    kill (dom->pid, SIGKILL);
  return G_SOURCE_REMOVE;
}

/* SIGTERM now, SIGKILL after the grace period; the exit handler does the
 * rest. */
static void
terminate (QvirtDomainObj *dom)
{
  if (dom->pid <= 0 || dom->kill_timer)
    return;
  kill (dom->pid, SIGTERM);
  dom->kill_timer = g_timeout_source_new (dom->driver->shutdown_grace_ms);
  g_source_set_callback (dom->kill_timer, on_kill_timer, dom, NULL);
  g_source_attach (dom->kill_timer, dom->driver->context);
}

/* For driver teardown and failed starts: SIGKILL, and for our own child
 * reap it right here, since no main loop may run again. */
void
qvirt_domain_obj_kill_now (QvirtDomainObj *dom)
{
  if (dom->pid <= 0)
    return;
  kill (dom->pid, SIGKILL);
  if (dom->driver && dom->start_task == NULL && dom->monitor)
    {
      /* Teardown: nobody will see the exit event, reap synchronously. */
      waitpid (dom->pid, NULL, 0);
      qvirt_domain_obj_drop_runtime_files (dom);
    }
}

/* QEMU is gone: its sockets and status with it, and the console's
 * readers see end-of-file. */
void
qvirt_domain_obj_drop_runtime_files (QvirtDomainObj *dom)
{
  g_clear_pointer (&dom->console, qvirt_console_free);
  g_unlink (dom->status_path);
  g_unlink (dom->monitor_path);
  if (dom->has_console)
    g_unlink (dom->console_path);
  dom->has_console = FALSE;
}

/* Builds the error a failed start reports: why, plus QEMU's last words. */
static GError *
start_error_with_log (QvirtDomainObj *dom, int wait_status)
{
  g_autofree char *how = qvirt_process_describe_exit (wait_status);
  g_autofree char *tail = qvirt_domain_obj_read_log_tail (dom);
  GError *error = g_steal_pointer (&dom->start_error);
  GError *with_log;

  if (error == NULL)
    error = g_error_new (QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED,
                         "QEMU of domain '%s' %s while starting", dom->name, how);
  if (*tail == '\0')
    return error;
  with_log = g_error_new (error->domain, error->code, "%s\nQEMU log:\n%s",
                          error->message, tail);
  g_error_free (error);
  return with_log;
}

/* Runs once per QEMU process, however it ended, and for a start that
 * failed before QEMU ran. */
void
qvirt_domain_obj_on_process_exit (GPid pid, int wait_status, gpointer user_data)
{
  QvirtDomainObj *dom = qvirt_domain_obj_ref (user_data);
  QvirtDriver *driver = dom->driver;
  /* Taken first: closing the monitor below fails the start's pending
   * QMP calls, whose callbacks must find no start to fail again. */
  GTask *start_task = g_steal_pointer (&dom->start_task);
  g_autoptr(GPtrArray) waiters = NULL;
  const char *reason;
  GError *start_error = NULL;

  g_clear_pointer (&dom->watch, qvirt_process_watch_free);
  if (dom->kill_timer)
    {
      g_source_destroy (dom->kill_timer);
      g_clear_pointer (&dom->kill_timer, g_source_unref);
    }
  if (dom->monitor)
    {
      qmp_client_set_closed_handler (dom->monitor, NULL, NULL, NULL);
      qmp_client_close (dom->monitor);
      g_clear_pointer (&dom->monitor, qmp_client_unref);
    }
  qvirt_domain_obj_drop_runtime_files (dom);

  if (start_task)
    {
      start_error = start_error_with_log (dom, wait_status);
      reason = "failed";
    }
  else
    reason = dom->stop_reason ? dom->stop_reason : "crashed";  /* nobody asked */

  dom->pid = 0;
  dom->start_time = 0;
  dom->stop_reason = NULL;
  dom->autodestroy = FALSE;
  dom->guest_powered_off = FALSE;
  dom->reboot_requested = FALSE;
  g_clear_pointer (&dom->live_def, domain_def_free);
  g_clear_pointer (&dom->live_xml, g_free);
  qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_SHUTOFF, reason);

  waiters = g_ptr_array_copy (dom->exit_waiters, NULL, NULL);
  g_ptr_array_set_size (dom->exit_waiters, 0);

  if (driver && (start_task == NULL || pid > 0))
    qvirt_driver_emit (driver, dom, "stopped", reason, NULL, 0);
  if (start_task)
    {
      g_task_return_error (start_task, start_error);
      g_object_unref (start_task);
    }
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = waiters->pdata[i];

      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  if (driver && dom->persistent_def == NULL)
    qvirt_driver_remove_domain (driver, dom);
  qvirt_domain_obj_unref (dom);
}

/* ------------------------------------------------------------------ */
/* What the guest and QEMU report                                       */

static void
on_quit_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(QvirtDomainObj) dom = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = qmp_client_execute_finish (NULL, result, &error);

  /* QEMU may close the monitor before answering quit: only a real
   * refusal matters, and then a signal does the job. */
  if (reply == NULL && dom->driver && dom->pid > 0 &&
      g_error_matches (error, QMP_ERROR, QMP_ERROR_COMMAND))
    terminate (dom);
}

static void
on_restart_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(QvirtDomainObj) dom = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = qmp_client_execute_finish (NULL, result, &error);

  if (reply == NULL && dom->driver)
    g_warning ("domain '%s': cannot restart after reboot: %s", dom->name, error->message);
}

/* The guest powered off (or reset with -no-reboot): act per the
 * definition's lifecycle actions. */
static void
handle_guest_shutdown (QvirtDomainObj *dom, json_t *data)
{
  const char *qemu_reason = json_string_value (json_object_get (data, "reason"));
  gboolean guest = json_is_true (json_object_get (data, "guest"));
  DomainLifecycleAction action;

  if (!guest)
    {
      /* Host-side quit (e.g. through QMP passthrough) or signal: QEMU
       * exits by itself, as asked. */
      if (dom->stop_reason == NULL)
        dom->stop_reason = "destroyed";
      return;
    }
  dom->guest_powered_off = TRUE;

  if (dom->reboot_requested)
    {
      /* Our own ACPI reboot: the guest powered off, bring it back. */
      dom->reboot_requested = FALSE;
      qmp_client_execute_async (dom->monitor, "system_reset", NULL, NULL, NULL, NULL);
      qmp_client_execute_async (dom->monitor, "cont", NULL, NULL, on_restart_done,
                                qvirt_domain_obj_ref (dom));
      qvirt_driver_emit (dom->driver, dom, "rebooted", "guest", NULL, 0);
      return;
    }

  action = g_strcmp0 (qemu_reason, "guest-reset") == 0 ? dom->live_def->on_reboot
                                                        : dom->live_def->on_poweroff;
  switch (action)
    {
    case DOMAIN_LIFECYCLE_RESTART:
      qmp_client_execute_async (dom->monitor, "system_reset", NULL, NULL, NULL, NULL);
      qmp_client_execute_async (dom->monitor, "cont", NULL, NULL, on_restart_done,
                                qvirt_domain_obj_ref (dom));
      qvirt_driver_emit (dom->driver, dom, "rebooted", "guest", NULL, 0);
      break;
    case DOMAIN_LIFECYCLE_PRESERVE:
      qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_PAUSED, "shutdown");
      qvirt_domain_obj_save_status (dom, NULL);
      qvirt_driver_emit (dom->driver, dom, "suspended", "shutdown", NULL, 0);
      break;
    case DOMAIN_LIFECYCLE_DESTROY:
    case DOMAIN_LIFECYCLE_UNSET:
    default:
      if (dom->stop_reason == NULL)
        dom->stop_reason = "shutdown";
      qmp_client_execute_async (dom->monitor, "quit", NULL, NULL, on_quit_sent,
                                qvirt_domain_obj_ref (dom));
      break;
    }
}

static void
handle_guest_panic (QvirtDomainObj *dom)
{
  switch (dom->live_def->on_crash)
    {
    case DOMAIN_LIFECYCLE_PRESERVE:
      qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_CRASHED, "panicked");
      qvirt_domain_obj_save_status (dom, NULL);
      qvirt_driver_emit (dom->driver, dom, "crashed", "panicked", NULL, 0);
      break;
    case DOMAIN_LIFECYCLE_RESTART:
      qmp_client_execute_async (dom->monitor, "system_reset", NULL, NULL, NULL, NULL);
      qmp_client_execute_async (dom->monitor, "cont", NULL, NULL, on_restart_done,
                                qvirt_domain_obj_ref (dom));
      qvirt_driver_emit (dom->driver, dom, "rebooted", "crashed", NULL, 0);
      break;
    default:
      dom->stop_reason = "crashed";
      terminate (dom);
      break;
    }
}

void
qvirt_domain_obj_on_qmp_event (QmpClient *client, const char *name, json_t *data,
                           gint64 timestamp_us, gpointer user_data)
{
  QvirtDomainObj *dom = user_data;

  if (dom->driver == NULL)
    return;

  /* Every QMP event reaches subscribers as it is... */
  qvirt_driver_emit (dom->driver, dom, name, NULL, data, timestamp_us);

  /* ...and some change the domain's state. While starting, the driver
   * itself pauses and resumes: the start reports that. */
  if (dom->start_task)
    return;
  if (g_str_equal (name, "SHUTDOWN"))
    handle_guest_shutdown (dom, data);
  else if (g_str_equal (name, "GUEST_PANICKED"))
    handle_guest_panic (dom);
  else if (g_str_equal (name, "RESET"))
    {
      if (!json_is_false (json_object_get (data, "guest")))
        qvirt_driver_emit (dom->driver, dom, "rebooted", "guest", NULL, 0);
    }
  else if (g_str_equal (name, "STOP") && dom->state == QVIRT_DOMAIN_STATE_RUNNING &&
           !dom->guest_powered_off)
    {
      qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_PAUSED, "user");
      qvirt_domain_obj_save_status (dom, NULL);
      qvirt_driver_emit (dom->driver, dom, "suspended", "user", NULL, 0);
    }
  else if (g_str_equal (name, "RESUME"))
    {
      dom->guest_powered_off = FALSE;
      if (dom->state == QVIRT_DOMAIN_STATE_RUNNING)
        return;
      qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_RUNNING, "unpaused");
      qvirt_domain_obj_save_status (dom, NULL);
      qvirt_driver_emit (dom->driver, dom, "resumed", "unpaused", NULL, 0);
    }
}

/* After a reattach: what QEMU's run state (query-status) says happened
 * while no driver watched it. Its events then went to nobody: a guest
 * that powered off left QEMU (-no-shutdown) waiting in "shutdown" for a
 * driver to apply <on_poweroff>. */
void
qvirt_domain_obj_catch_up (QvirtDomainObj *dom, const char *run_state)
{
  if (dom->driver == NULL || dom->start_task != NULL || dom->stop_reason != NULL ||
      dom->live_def == NULL || run_state == NULL)
    return;
  if (g_str_equal (run_state, "shutdown"))
    {
      g_autoptr(json_t) data = json_pack ("{s:b, s:s}", "guest", TRUE,
                                          "reason", "guest-shutdown");

      /* <on_poweroff> preserve was applied already if the status says so. */
      if (dom->state == QVIRT_DOMAIN_STATE_PAUSED && g_strcmp0 (dom->reason, "shutdown") == 0)
        return;
      handle_guest_shutdown (dom, data);
    }
  else if (g_str_equal (run_state, "guest-panicked"))
    {
      if (dom->state != QVIRT_DOMAIN_STATE_CRASHED)
        handle_guest_panic (dom);
    }
  else if (g_str_equal (run_state, "paused") && dom->state == QVIRT_DOMAIN_STATE_RUNNING)
    {
      qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_PAUSED, "user");
      qvirt_domain_obj_save_status (dom, NULL);
      qvirt_driver_emit (dom->driver, dom, "suspended", "user", NULL, 0);
    }
  else if (g_str_equal (run_state, "running") && dom->state == QVIRT_DOMAIN_STATE_PAUSED)
    {
      qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_RUNNING, "unpaused");
      qvirt_domain_obj_save_status (dom, NULL);
      qvirt_driver_emit (dom->driver, dom, "resumed", "unpaused", NULL, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Shutdown and destroy                                                 */

static gboolean
require_active (QvirtDomainObj *dom, GTask *task)
{
  if (dom->pid > 0 && dom->start_task == NULL && dom->monitor != NULL)
    return TRUE;
  g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                           "domain '%s' is %s", dom->name,
                           dom->start_task ? "still starting" : "not running");
  return FALSE;
}

typedef struct {
  QvirtDomainObj *dom;
  GSource *timeout;
  guint timeout_ms;
} ShutdownWait;

static void
shutdown_wait_free (ShutdownWait *wait)
{
  if (wait->timeout)
    {
      g_source_destroy (wait->timeout);
      g_source_unref (wait->timeout);
    }
  qvirt_domain_obj_unref (wait->dom);
  g_free (wait);
}

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  GTask *task = user_data;
  ShutdownWait *wait = g_task_get_task_data (task);
  QvirtDomainObj *dom = wait->dom;

  g_clear_pointer (&wait->timeout, g_source_unref);
  if (g_ptr_array_remove (dom->exit_waiters, task))
    {
      if (g_strcmp0 (dom->stop_reason, "shutdown") == 0)
        dom->stop_reason = NULL;
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_TIMEOUT,
                               "domain '%s' did not shut down within %u s; it is still running",
                               dom->name, wait->timeout_ms / 1000);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
on_powerdown_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ShutdownWait *wait = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = qmp_client_execute_finish (NULL, result, &error);

  if (reply == NULL && wait->dom->driver &&
      g_error_matches (error, QMP_ERROR, QMP_ERROR_COMMAND) &&
      g_ptr_array_remove (wait->dom->exit_waiters, task))
    {
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED,
                               "cannot shut down domain '%s': %s", wait->dom->name,
                               error->message);
      g_object_unref (task);
    }
}

void
qvirt_driver_shutdown_async (QvirtDriver *driver, const char *name, guint timeout_ms,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  QvirtDomainObj *dom = qvirt_driver_find_or_error (driver, name, &error);
  ShutdownWait *wait;

  g_task_set_source_tag (task, qvirt_driver_shutdown_async);
  if (dom == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!require_active (dom, task))
    return;

  wait = g_new0 (ShutdownWait, 1);
  wait->dom = qvirt_domain_obj_ref (dom);
  wait->timeout_ms = timeout_ms ? timeout_ms : DEFAULT_SHUTDOWN_TIMEOUT_MS;
  g_task_set_task_data (task, wait, (GDestroyNotify) shutdown_wait_free);
  wait->timeout = g_timeout_source_new (wait->timeout_ms);
  g_source_set_callback (wait->timeout, on_shutdown_timeout, task, NULL);
  g_source_attach (wait->timeout, driver->context);

  if (dom->stop_reason == NULL)
    dom->stop_reason = "shutdown";
  g_ptr_array_add (dom->exit_waiters, g_object_ref (task));
  qmp_client_execute_async (dom->monitor, "system_powerdown", NULL, NULL,
                            on_powerdown_sent, g_object_ref (task));
}

void
qvirt_driver_destroy_async (QvirtDriver *driver, const char *name,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  QvirtDomainObj *dom = qvirt_driver_find_or_error (driver, name, &error);

  g_task_set_source_tag (task, qvirt_driver_destroy_async);
  if (dom == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (dom->pid <= 0)
    {
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                               "domain '%s' is not running", dom->name);
      return;
    }
  dom->stop_reason = "destroyed";
  g_ptr_array_add (dom->exit_waiters, g_object_ref (task));
  if (dom->start_task)
    {
      /* Destroying a starting domain fails its start. */
      if (dom->start_error == NULL)
        dom->start_error = g_error_new (QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                                        "domain '%s' was destroyed while starting",
                                        dom->name);
    }
  terminate (dom);
}

gboolean
qvirt_driver_operation_finish (QvirtDriver *driver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
