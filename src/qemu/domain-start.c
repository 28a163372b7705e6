/* Starting a domain.
 *
 *   bind the monitor socket  →  spawn QEMU -S (it inherits the socket)
 *   →  connect (the socket exists already: no polling)  →  QMP handshake
 *   →  status file  →  cont  →  running
 *
 * Any failure kills QEMU if it runs and completes the start only once
 * the process is gone (domain-stop.c, qvirt_domain_obj_on_process_exit), so
 * the error can carry the tail of QEMU's log and nothing is left behind.
 */
#include "qemu/driver-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/command.h"
#include "util/proc.h"
#include "util/unix-socket.h"

/* Fails the start: remembers why and makes sure QEMU goes away; the
 * process-exit handler answers the caller. */
static void
start_failed (QvirtDomainObj *dom, GError *error)
{
  if (dom->start_error == NULL)
    dom->start_error = error;
  else
    g_error_free (error);

  if (dom->pid > 0 && dom->watch)
    qvirt_domain_obj_kill_now (dom);
  else
    qvirt_domain_obj_on_process_exit (0, -1, dom);
}

static void
on_cont_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(QvirtDomainObj) dom = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = qmp_client_execute_finish (NULL, result, &error);
  GTask *task;

  if (dom->driver == NULL || dom->start_task == NULL)
    return;                     /* the start already failed */
  if (reply == NULL)
    {
      start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED,
                                      "cannot resume the vCPUs of domain '%s': %s",
                                      dom->name, error->message));
      return;
    }
  qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_RUNNING, "booted");
  task = g_steal_pointer (&dom->start_task);
  qvirt_driver_emit (dom->driver, dom, "started", "booted", NULL, 0);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  /* After the answer, off the path to it: a driver that dies in between
   * finds "paused", and reads the truth from QEMU when it reattaches. */
  if (dom->pid > 0)
    qvirt_domain_obj_save_status (dom, NULL);
}

static void
on_handshake_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(QvirtDomainObj) dom = user_data;
  g_autoptr(GError) error = NULL;
  gboolean paused;

  if (dom->driver == NULL || dom->start_task == NULL)
    return;
  paused = GPOINTER_TO_INT (g_task_get_task_data (dom->start_task));
  if (!qmp_client_handshake_finish (dom->monitor, result, &error))
    {
      start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED,
                                      "QEMU of domain '%s' did not answer on its monitor: %s",
                                      dom->name, error->message));
      return;
    }

  /* Not paused: cont went right behind the handshake (on_cont_done). */
  if (paused)
    {
      GTask *task = g_steal_pointer (&dom->start_task);

      qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_PAUSED, "user");
      qvirt_domain_obj_save_status (dom, NULL);
      qvirt_driver_emit (dom->driver, dom, "started", "paused", NULL, 0);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
on_monitor_closed (QmpClient *client, const GError *reason, gpointer user_data)
{
  QvirtDomainObj *dom = user_data;

  /* QEMU closing its monitor means it is exiting; the process watch
   * reports the exit. Only note it for the logs. */
  g_debug ("monitor of domain '%s' closed: %s", dom->name, reason->message);
}

void
qvirt_domain_obj_attach_monitor (QvirtDomainObj *dom, int fd)
{
  g_autoptr(GError) error = NULL;

  dom->monitor = qmp_client_new_for_fd (fd, QMP_CLIENT_FLAGS_NONE, &error);
  if (dom->monitor == NULL)
    {
      g_warning ("domain '%s': %s", dom->name, error->message);
      return;
    }
  qmp_client_set_default_timeout (dom->monitor, (gint) dom->driver->monitor_timeout_ms);
  qmp_client_subscribe (dom->monitor, NULL, qvirt_domain_obj_on_qmp_event, dom, NULL);
  qmp_client_set_closed_handler (dom->monitor, on_monitor_closed, dom, NULL);
}

/* Opens the domain's log for appending and writes the header of this
 * run; returns the fd QEMU writes to. */
static int
open_log (QvirtDomainObj *dom, QemuCommand *command, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_autofree char *shell = qemu_command_to_shell (command);
  g_autoptr(GString) header = g_string_new (NULL);
  struct stat st;
  int fd;

  fd = open (dom->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
                   "cannot open log %s: %s", dom->log_path, g_strerror (saved_errno));
      return -1;
    }
  g_string_append_printf (header, "%s: qvirt: starting domain '%s'\n%s\n",
                          stamp, dom->name, shell);
  if (command->n_passthrough > 0)
    g_string_append_printf (header,
                            "qvirt: the last %u arguments come verbatim from "
                            "<qemu:commandline>\n", command->n_passthrough);
  if (write (fd, header->str, header->len) < 0)
    g_debug ("cannot write to %s: %s", dom->log_path, g_strerror (errno));
  dom->log_offset = fstat (fd, &st) == 0 ? st.st_size : 0;
  return fd;
}

/* A start that fails before QEMU runs leaves no console socket behind. */
static void
close_console_fd (QvirtDomainObj *dom, int console_fd)
{
  if (console_fd < 0)
    return;
  close (console_fd);
  g_unlink (dom->console_path);
  dom->has_console = FALSE;
}

void
qvirt_domain_obj_start (QvirtDomainObj *dom, QvirtDriverStartFlags flags, GTask *task)
{
  QvirtDriver *driver = dom->driver;
  g_autoptr(GError) error = NULL;
  g_autoptr(QemuCommand) command = NULL;
  g_autofree char *live_xml = NULL;
  QvirtSpawnOptions spawn = { 0 };
  QemuCommandConfig config = { 0 };
  int monitor_fd;
  int console_fd = -1;
  int inherit_fds[2];
  int log_fd;
  int client_fd;

  g_task_set_task_data (task, GINT_TO_POINTER ((flags & QVIRT_DRIVER_START_PAUSED) != 0), NULL);
  dom->start_task = g_object_ref (task);
  dom->autodestroy = (flags & QVIRT_DRIVER_START_AUTODESTROY) != 0;
  dom->stop_reason = NULL;
  dom->reboot_requested = FALSE;
  /* No log tail until this run has written one. */
  dom->log_offset = G_MAXINT64;
  g_clear_error (&dom->start_error);

  monitor_fd = qvirt_unix_socket_listen (dom->monitor_path, 0600, TRUE, &error);
  if (monitor_fd < 0)
    {
      start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "%s",
                                      error->message));
      return;
    }

  /* The console readers reach through domain.openConsole: a socket QEMU
   * serves and we bind, so it works at any root path length. */
  dom->has_console = qemu_command_console_serial (dom->live_def) != NULL;
  if (dom->has_console)
    {
      console_fd = qvirt_unix_socket_listen (dom->console_path, 0600, TRUE, &error);
      if (console_fd < 0)
        {
          close (monitor_fd);
          dom->has_console = FALSE;
          start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "%s",
                                          error->message));
          return;
        }
    }

  config.default_emulator = driver->qemu_binary;
  config.monitor_fd = monitor_fd;
  config.monitor_path = dom->monitor_path;
  config.runtime_dir = driver->paths->runtime_dir;
  config.console_fd = console_fd > 0 ? console_fd : 0;
  command = qemu_command_build (dom->live_def, &config, &error);
  if (command == NULL)
    {
      close (monitor_fd);
      close_console_fd (dom, console_fd);
      start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_UNSUPPORTED, "%s",
                                      error->message));
      return;
    }

  log_fd = open_log (dom, command, &error);
  if (log_fd < 0)
    {
      close (monitor_fd);
      close_console_fd (dom, console_fd);
      start_failed (dom, g_steal_pointer (&error));
      return;
    }

  spawn.argv = qemu_command_get_argv (command);
  spawn.extra_env = (const char * const *) command->env->pdata;
  spawn.log_fd = log_fd;
  inherit_fds[0] = monitor_fd;
  inherit_fds[1] = console_fd;
  spawn.inherit_fds = inherit_fds;
  spawn.n_inherit_fds = console_fd >= 0 ? 2 : 1;
  spawn.die_with_owner = dom->autodestroy;
  if (!qvirt_process_spawn (&spawn, &dom->pid, &error))
    {
      close (monitor_fd);
      close_console_fd (dom, console_fd);
      close (log_fd);
      dom->pid = 0;
      start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED,
                                      "cannot run QEMU for domain '%s': %s",
                                      dom->name, error->message));
      return;
    }
  close (log_fd);
  /* QEMU holds the console socket now; ours would keep it alive after
   * QEMU's death. The file stays for readers. */
  if (console_fd >= 0)
    close (console_fd);

  live_xml = qvirt_driver_format_definition (dom->live_def);
  g_free (dom->live_xml);
  dom->live_xml = g_steal_pointer (&live_xml);
  dom->started_at = g_get_real_time ();
  qvirt_proc_get_start_time (dom->pid, &dom->start_time, NULL);
  qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_PAUSED, "starting");
  dom->watch = qvirt_process_watch_new (dom->pid, TRUE, driver->context,
                                        qvirt_domain_obj_on_process_exit, dom, &error);
  g_assert (dom->watch != NULL);  /* a child we have not reaped exists */

  /* QEMU holds the listening socket now; connecting succeeds at once
   * (the kernel queues us until QEMU accepts). Our copy must go, or a
   * QEMU that dies early would leave us waiting on a live socket. */
  client_fd = qvirt_unix_socket_connect (dom->monitor_path, &error);
  close (monitor_fd);
  if (client_fd < 0)
    {
      start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "%s",
                                      error->message));
      return;
    }
  qvirt_domain_obj_attach_monitor (dom, client_fd);
  if (dom->monitor == NULL)
    {
      start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
                                      "cannot use the monitor of domain '%s'", dom->name));
      return;
    }
  qmp_client_handshake_async (dom->monitor, NULL, on_handshake_done,
                              qvirt_domain_obj_ref (dom));
  /* Queued now, cont is sent right behind qmp_capabilities: one round
   * trip through QEMU's main loop less before the vCPUs run. */
  if ((flags & QVIRT_DRIVER_START_PAUSED) == 0)
    qmp_client_execute_async (dom->monitor, "cont", NULL, NULL, on_cont_done,
                              qvirt_domain_obj_ref (dom));
  /* Written while QEMU initializes, which takes far longer. */
  if (!qvirt_domain_obj_save_status (dom, &error))
    start_failed (dom, g_error_new (QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "%s", error->message));
}
