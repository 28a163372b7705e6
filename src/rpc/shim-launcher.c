/* Running qvirtd's domains in qvirt-run shims (see shim-launcher.h).
 *
 * One Launch per spawned shim: it waits for the shim's "ready" line (or
 * the end of its ready pipe), and reaps the shim when it exits, which may
 * be long after the launch completed. A shim that is not ours (spawned
 * before a restart) but still holds the root a launch needs gets a Launch
 * too, which only watches it exit (a pidfd) so that the launch can follow.
 */
#define G_LOG_DOMAIN "qvirt-rpc"

#include "rpc/shim-launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/paths.h"
#include "qemu/process.h"
#include "qemu/root-lock.h"
#include "util/write-all.h"

/* The shim's exit statuses (docs/qvirt-run.md). */
#define SHIM_EXIT_BAD_INPUT 2
#define SHIM_EXIT_START_FAILED 3
#define SHIM_EXIT_NAME_TAKEN 7
/* The descriptor the shim writes "ready" to. */
#define SHIM_READY_FD 3
/* How long a launch waits for the previous holder of its root to exit. */
#define HOLDER_WAIT_MS 10000

typedef struct _Launch Launch;

struct _QvirtShimLauncher {
  QvirtDriver *driver;
  char *shim_binary;
  char *register_uri;
  GPtrArray *launches;           /* Launch*: shims not reaped yet */
};

struct _Launch {
  QvirtShimLauncher *launcher;
  char *name;
  char *log_path;
  GPid pid;
  GTask *task;                   /* until the shim is ready or gone */
  int ready_fd;
  GSource *ready_source;
  GSource *child_source;
  QvirtProcessWatch *holder_watch;  /* not our child: only watched */
  GSource *holder_timeout;
  gboolean ready;
  Launch *next;                  /* a launch of the same name, waiting for this
                                    shim to be gone (it holds the root) */
  char *next_xml;
  gboolean next_paused;
};

static void launch_spawn (QvirtShimLauncher *launcher, const char *name, const char *xml,
                          gboolean paused, GTask *task);

static void
launch_free (Launch *launch)
{
  if (launch->ready_source)
    {
      g_source_destroy (launch->ready_source);
      g_source_unref (launch->ready_source);
    }
  if (launch->child_source)
    {
      g_source_destroy (launch->child_source);
      g_source_unref (launch->child_source);
    }
  if (launch->holder_timeout)
    {
      g_source_destroy (launch->holder_timeout);
      g_source_unref (launch->holder_timeout);
    }
  g_clear_pointer (&launch->holder_watch, qvirt_process_watch_free);
  if (launch->ready_fd >= 0)
    close (launch->ready_fd);
  if (launch->task)
    {
      g_task_return_new_error (launch->task, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                               "domain '%s': the daemon is stopping", launch->name);
      g_clear_object (&launch->task);
    }
  g_clear_pointer (&launch->next, launch_free);
  g_free (launch->next_xml);
  g_free (launch->name);
  g_free (launch->log_path);
  g_free (launch);
}

/* The shim's own account of what went wrong: its last "qvirt-run: " line,
 * with what follows it (QEMU's log for a failed start). */
static char *
read_shim_error (Launch *launch)
{
  g_autofree char *log = NULL;
  const char *last = NULL;

  if (!g_file_get_contents (launch->log_path, &log, NULL, NULL))
    return g_strdup ("(no log)");
  for (const char *at = strstr (log, "qvirt-run: "); at; at = strstr (at + 1, "qvirt-run: "))
    if (at == log || at[-1] == '\n')
      last = at;
  if (last == NULL)
    return g_strdup (g_strstrip (log));
  return g_strchomp (g_strdup (last + strlen ("qvirt-run: ")));
}

static void
launch_fail (Launch *launch, int wait_status)
{
  g_autofree char *message = read_shim_error (launch);
  QvirtErrorCode code = QVIRT_ERROR_INTERNAL;

  if (WIFEXITED (wait_status))
    switch (WEXITSTATUS (wait_status))
      {
      case SHIM_EXIT_BAD_INPUT: code = QVIRT_ERROR_INVALID_ARGUMENT; break;
      case SHIM_EXIT_START_FAILED: code = QVIRT_ERROR_QEMU_FAILED; break;
      case SHIM_EXIT_NAME_TAKEN: code = QVIRT_ERROR_ALREADY_EXISTS; break;
      default: break;
      }
  g_task_return_new_error (launch->task, QVIRT_ERROR, code, "%s", message);
  g_clear_object (&launch->task);
}

/* @launch's shim is gone: its root is free, the launch that waited for
 * it goes. */
static void
launch_ended (Launch *launch, int wait_status)
{
  QvirtShimLauncher *launcher = launch->launcher;
  Launch *next = g_steal_pointer (&launch->next);
  g_autofree char *next_xml = g_steal_pointer (&launch->next_xml);
  gboolean next_paused = launch->next_paused;

  if (launch->task)
    launch_fail (launch, wait_status);
  g_ptr_array_remove_fast (launcher->launches, launch);
  if (next != NULL)
    {
      launch_spawn (launcher, next->name, next_xml, next_paused,
                    g_steal_pointer (&next->task));
      launch_free (next);
    }
}

static void
on_shim_exit (GPid pid, gint wait_status, gpointer user_data)
{
  Launch *launch = user_data;

  g_spawn_close_pid (pid);
  g_clear_pointer (&launch->child_source, g_source_unref);
  launch_ended (launch, wait_status);
}

static void
on_holder_exit (GPid pid, int wait_status, gpointer user_data)
{
  launch_ended (user_data, wait_status);
}

static gboolean
on_holder_timeout (gpointer user_data)
{
  Launch *holder = user_data;
  Launch *next = g_steal_pointer (&holder->next);

  g_clear_pointer (&holder->holder_timeout, g_source_unref);
  g_task_return_new_error (next->task, QVIRT_ERROR, QVIRT_ERROR_BUSY,
                           "domain '%s': its root is still held by process %d",
                           next->name, (int) holder->pid);
  g_clear_object (&next->task);
  launch_free (next);
  g_ptr_array_remove_fast (holder->launcher->launches, holder);
  return G_SOURCE_REMOVE;
}

/* The process holding the lock of @name's shim root, if any: a shim of
 * an earlier daemon, still on its way out. */
static GPid
root_holder (QvirtShimLauncher *launcher, const char *name)
{
  g_autofree char *root = g_build_filename (qvirt_driver_get_runtime_dir (launcher->driver),
                                            "vms", name, NULL);
  g_autofree char *escaped = g_uri_escape_string (root, "/", FALSE);
  g_autofree char *uri = g_strconcat ("qemu:///embed?root=", escaped, NULL);
  g_autoptr(QvirtPaths) paths = qvirt_paths_new_for_uri (uri, NULL);

  return paths ? qvirt_root_lock_get_holder (paths->lock_path) : 0;
}

/* A Launch that only watches @pid exit; NULL if it is gone already. */
static Launch *
holder_launch_new (QvirtShimLauncher *launcher, const char *name, GPid pid)
{
  Launch *holder = g_new0 (Launch, 1);
  GMainContext *context = qvirt_driver_get_context (launcher->driver);

  holder->launcher = launcher;
  holder->name = g_strdup (name);
  holder->pid = pid;
  holder->ready_fd = -1;
  holder->holder_watch = qvirt_process_watch_new (pid, FALSE, context, on_holder_exit,
                                                  holder, NULL);
  if (holder->holder_watch == NULL)
    {
      launch_free (holder);
      return NULL;
    }
  g_info ("domain '%s': waiting for process %d to release its root", name, (int) pid);
  holder->holder_timeout = g_timeout_source_new (HOLDER_WAIT_MS);
  g_source_set_callback (holder->holder_timeout, on_holder_timeout, holder, NULL);
  g_source_attach (holder->holder_timeout, context);
  g_ptr_array_add (launcher->launches, holder);
  return holder;
}

static gboolean
on_ready (gint fd, GIOCondition condition, gpointer user_data)
{
  Launch *launch = user_data;
  char buffer[16];
  gssize n;

  do
    n = read (fd, buffer, sizeof buffer - 1);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    {
      buffer[n] = '\0';
      launch->ready = g_str_has_prefix (buffer, "ready");
    }
  g_clear_pointer (&launch->ready_source, g_source_unref);
  close (launch->ready_fd);
  launch->ready_fd = -1;
  if (launch->ready && launch->task)
    {
      g_task_return_boolean (launch->task, TRUE);
      g_clear_object (&launch->task);
    }
  /* Otherwise the shim is exiting: on_shim_exit() tells why. */
  return G_SOURCE_REMOVE;
}

/* Between fork and exec: a session of its own, so that the daemon's
 * terminal or process group signals never reach the VM. */
static void
shim_child_setup (gpointer user_data)
{
  setsid ();
}

void
qvirt_shim_launcher_launch_async (QvirtShimLauncher *launcher, const char *name,
                                  const char *xml, gboolean paused,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  Launch *previous = NULL;

  g_task_set_source_tag (task, qvirt_shim_launcher_launch_async);
  /* The shim of a run that just ended may still be exiting, holding the
   * root this launch needs: then this launch waits for it. It is ours, or
   * one an earlier daemon spawned: the root's lock says. */
  for (guint i = 0; i < launcher->launches->len && previous == NULL; i++)
    {
      Launch *launch = launcher->launches->pdata[i];

      if (g_str_equal (launch->name, name))
        previous = launch;
    }
  if (previous == NULL)
    {
      GPid holder = root_holder (launcher, name);

      if (holder > 0 && holder != getpid ())
        previous = holder_launch_new (launcher, name, holder);
    }
  if (previous == NULL)
    {
      launch_spawn (launcher, name, xml, paused, task);
      return;
    }
  if (previous->next != NULL)
    {
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                               "domain '%s' is being started already", name);
      g_object_unref (task);
      return;
    }
  previous->next = g_new0 (Launch, 1);
  previous->next->name = g_strdup (name);
  previous->next->ready_fd = -1;
  previous->next->task = task;
  previous->next_xml = g_strdup (xml);
  previous->next_paused = paused;
}

/* Spawns the shim of @name; completes @task (transfer full). */
static void
launch_spawn (QvirtShimLauncher *launcher, const char *name, const char *xml,
              gboolean paused, GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_build_filename (qvirt_driver_get_runtime_dir (launcher->driver),
                                            "vms", name, NULL);
  g_autofree char *log_path = g_build_filename (root, "qvirt-run.log", NULL);
  const char *argv[] = { launcher->shim_binary, "--register", launcher->register_uri,
                         "--root", root, "--ready-fd", G_STRINGIFY (SHIM_READY_FD),
                         paused ? "--paused" : "-", paused ? "-" : NULL, NULL };
  int ready_pipe[2] = { -1, -1 };
  int target_fd = SHIM_READY_FD;
  int stdin_fd = -1;
  int log_fd = -1;
  Launch *launch;
  GPid pid;
  gboolean wrote;

  if (g_mkdir_with_parents (root, 0700) < 0 ||
      (log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0 ||
      pipe2 (ready_pipe, O_CLOEXEC) < 0)
    {
      int saved_errno = errno;

      if (log_fd >= 0)
        close (log_fd);
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
                               "domain '%s': cannot prepare %s: %s", name, root,
                               g_strerror (saved_errno));
      return;
    }
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                         shim_child_setup, NULL, -1, log_fd, log_fd,
                                         &ready_pipe[1], &target_fd, 1, &pid, &stdin_fd,
                                         NULL, NULL, &error))
    {
      close (log_fd);
      close (ready_pipe[0]);
      close (ready_pipe[1]);
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
                               "domain '%s': cannot run %s: %s", name,
                               launcher->shim_binary, error->message);
      return;
    }
  close (log_fd);
  close (ready_pipe[1]);
  /* The shim reads all of stdin before anything else. */
  wrote = qvirt_write_all (stdin_fd, xml, strlen (xml));
  close (stdin_fd);
  if (!wrote)
    g_info ("domain '%s': qvirt-run did not take its definition", name);

  launch = g_new0 (Launch, 1);
  launch->launcher = launcher;
  launch->name = g_strdup (name);
  launch->log_path = g_steal_pointer (&log_path);
  launch->pid = pid;
  launch->task = g_steal_pointer (&task);
  launch->ready_fd = ready_pipe[0];
  launch->ready_source = g_unix_fd_source_new (launch->ready_fd, G_IO_IN);
  g_source_set_callback (launch->ready_source, (GSourceFunc) (void (*) (void)) on_ready,
                         launch, NULL);
  g_source_attach (launch->ready_source, qvirt_driver_get_context (launcher->driver));
  launch->child_source = g_child_watch_source_new (pid);
  g_source_set_callback (launch->child_source, (GSourceFunc) (void (*) (void)) on_shim_exit,
                         launch, NULL);
  g_source_attach (launch->child_source, qvirt_driver_get_context (launcher->driver));
  g_ptr_array_add (launcher->launches, launch);
}

gboolean
qvirt_shim_launcher_launch_finish (QvirtShimLauncher *launcher, GAsyncResult *result,
                                   GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

QvirtShimLauncher *
qvirt_shim_launcher_new (QvirtDriver *driver, const char *shim_binary,
                         const char *register_uri)
{
  QvirtShimLauncher *launcher = g_new0 (QvirtShimLauncher, 1);

  launcher->driver = driver;
  launcher->shim_binary = g_strdup (shim_binary);
  launcher->register_uri = g_strdup (register_uri);
  launcher->launches = g_ptr_array_new_with_free_func ((GDestroyNotify) launch_free);
  return launcher;
}

void
qvirt_shim_launcher_free (QvirtShimLauncher *launcher)
{
  if (launcher == NULL)
    return;
  g_ptr_array_unref (launcher->launches);
  g_free (launcher->shim_binary);
  g_free (launcher->register_uri);
  g_free (launcher);
}
