#include "qemu/process.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  gboolean die_with_owner;
  pid_t owner;
} ChildSetup;

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
child_setup (gpointer user_data)
{
  const ChildSetup *setup = user_data;

  if (setup->die_with_owner)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* The owner may have died before prctl took effect. */
      if (getppid () != setup->owner)
        _exit (127);
    }
  else
    setsid ();
}

gboolean
qvirt_process_spawn (const QvirtSpawnOptions *options, GPid *pid, GError **error)
{
  g_auto(GStrv) env = g_get_environ ();
  ChildSetup setup = {
    .die_with_owner = options->die_with_owner,
    .owner = getpid (),
  };

  for (const char * const *e = options->extra_env; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      g_autofree char *name = eq ? g_strndup (*e, (gsize) (eq - *e)) : g_strdup (*e);

      env = g_environ_setenv (env, name, eq ? eq + 1 : "", TRUE);
    }

  return g_spawn_async_with_pipes_and_fds (NULL, options->argv,
                                           (const char * const *) env,
                                           G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                           child_setup, &setup,
                                           -1, options->log_fd, options->log_fd,
                                           options->inherit_fds, options->inherit_fds,
                                           options->n_inherit_fds,
                                           pid, NULL, NULL, NULL, error);
}

struct _QvirtProcessWatch {
  GPid pid;
  int pidfd;
  GSource *source;
  QvirtProcessExitFunc func;
  gpointer user_data;
};

static void
on_child_exited (GPid pid, gint wait_status, gpointer user_data)
{
  QvirtProcessWatch *watch = user_data;

  watch->func (pid, wait_status, watch->user_data);
}

static gboolean
on_pidfd_readable (int fd, GIOCondition condition, gpointer user_data)
{
  QvirtProcessWatch *watch = user_data;

  watch->func (watch->pid, -1, watch->user_data);
  return G_SOURCE_REMOVE;
}

QvirtProcessWatch *
qvirt_process_watch_new (GPid pid,
                         gboolean is_our_child,
                         GMainContext *context,
                         QvirtProcessExitFunc func,
                         gpointer user_data,
                         GError **error)
{
  g_autofree QvirtProcessWatch *watch = g_new0 (QvirtProcessWatch, 1);

  watch->pid = pid;
  watch->pidfd = -1;
  watch->func = func;
  watch->user_data = user_data;

  if (is_our_child)
    {
      watch->source = g_child_watch_source_new (pid);
      g_source_set_callback (watch->source, G_SOURCE_FUNC (on_child_exited), watch, NULL);
    }
  else
    {
      watch->pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
      if (watch->pidfd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot watch process %d: %s", (int) pid, g_strerror (saved_errno));
          return NULL;
        }
      watch->source = g_unix_fd_source_new (watch->pidfd, G_IO_IN);
      g_source_set_callback (watch->source, G_SOURCE_FUNC (on_pidfd_readable), watch, NULL);
    }
  g_source_attach (watch->source, context);
  return g_steal_pointer (&watch);
}

void
qvirt_process_watch_free (QvirtProcessWatch *watch)
{
  if (watch == NULL)
    return;
  g_source_destroy (watch->source);
  g_source_unref (watch->source);
  if (watch->pidfd >= 0)
    close (watch->pidfd);
  g_free (watch);
}

char *
qvirt_process_describe_exit (int wait_status)
{
  if (wait_status < 0)
    return g_strdup ("exited");
  if (WIFEXITED (wait_status))
    return g_strdup_printf ("exited with status %d", WEXITSTATUS (wait_status));
  if (WIFSIGNALED (wait_status))
    return g_strdup_printf ("killed by signal %d (%s)", WTERMSIG (wait_status),
                            g_strsignal (WTERMSIG (wait_status)));
  return g_strdup_printf ("ended with wait status %d", wait_status);
}
