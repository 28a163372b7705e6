#include "qemu/process.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Everything the child needs, prepared by the parent. The child shares
 * our memory until it execs (CLONE_VM | CLONE_VFORK), so it only reads
 * this, except for child_errno, and calls nothing but system calls. */
typedef struct {
  const char *path;
  char **argv;
  char **envp;
  int stdin_fd;
  int log_fd;
  const int *inherit_fds;
  guint n_inherit_fds;
  gboolean die_with_owner;
  pid_t owner;
  int max_fd;
  sigset_t parent_mask;
  int child_errno;
} SpawnPlan;

#define SPAWN_STACK_SIZE (64 * 1024)

/* Makes @fd appear as @target in the child with FD_CLOEXEC off. */
static int
child_place_fd (int fd, int target)
{
  if (fd != target)
    return dup2 (fd, target) < 0 ? -1 : 0;
  return fcntl (fd, F_SETFD, 0);
}

/* Marks every descriptor from 3 up close-on-exec: what QEMU must keep is
 * then listed explicitly. The child has its own copy of the table. */
static void
child_cloexec_from_3 (int max_fd)
{
  if (syscall (SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  for (int fd = 3; fd < max_fd; fd++)
    fcntl (fd, F_SETFD, FD_CLOEXEC);
}

/* Runs in the child, on its own stack, while the parent waits for the
 * exec. Uninstrumented: a sanitizer's bookkeeping would run on the
 * parent's memory from a stack it does not know. */
__attribute__((no_sanitize ("address", "undefined")))
static int
child_main (void *data)
{
  SpawnPlan *plan = data;
  /* These would run a handler of ours in the child, or stay ignored in
   * QEMU; everything else already resets at exec. */
  static const int reset_signals[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGPIPE };
  struct sigaction action = { .sa_handler = SIG_DFL };

  for (int sig = 1; sig < NSIG; sig++)
    {
      struct sigaction old;

      if (sig != SIGKILL && sig != SIGSTOP && sigaction (sig, NULL, &old) == 0 &&
          old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)
        sigaction (sig, &action, NULL);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (reset_signals); i++)
    sigaction (reset_signals[i], &action, NULL);

  if (plan->die_with_owner)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* The owner may have died before prctl took effect. */
      if (getppid () != plan->owner)
        _exit (127);
    }
  else
    setsid ();

  child_cloexec_from_3 (plan->max_fd);
  if (child_place_fd (plan->stdin_fd, 0) < 0 ||
      (plan->log_fd >= 0 &&
       (child_place_fd (plan->log_fd, 1) < 0 || child_place_fd (plan->log_fd, 2) < 0)))
    goto failed;
  for (guint i = 0; i < plan->n_inherit_fds; i++)
    if (fcntl (plan->inherit_fds[i], F_SETFD, 0) < 0)
      goto failed;

  sigprocmask (SIG_SETMASK, &plan->parent_mask, NULL);
  execve (plan->path, plan->argv, plan->envp);

failed:
  plan->child_errno = errno;
  _exit (127);
}

/* QEMU is spawned with vfork semantics: no copy of our page tables and no
 * copy-on-write faults afterwards, which fork would cost in a process
 * with threads and a few MiB touched (milliseconds where page faults are
 * expensive, as under nested virtualization). */
gboolean
qvirt_process_spawn (const QvirtSpawnOptions *options, GPid *pid, GError **error)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *path = NULL;
  g_autofree guint8 *stack = NULL;
  SpawnPlan plan = { 0 };
  sigset_t all;
  struct rlimit limit;
  pid_t child;
  int saved_errno;

  for (guint i = 0; i < options->n_inherit_fds; i++)
    g_return_val_if_fail (options->inherit_fds[i] > 2, FALSE);

  for (const char * const *e = options->extra_env; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      g_autofree char *name = eq ? g_strndup (*e, (gsize) (eq - *e)) : g_strdup (*e);

      env = g_environ_setenv (env, name, eq ? eq + 1 : "", TRUE);
    }

  path = strchr (options->argv[0], '/') != NULL ? g_strdup (options->argv[0])
                                                : g_find_program_in_path (options->argv[0]);
  if (path == NULL)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                   "cannot execute '%s': not found in PATH", options->argv[0]);
      return FALSE;
    }

  plan.path = path;
  plan.argv = (char **) options->argv;
  plan.envp = env;
  plan.log_fd = options->log_fd;
  plan.inherit_fds = options->inherit_fds;
  plan.n_inherit_fds = options->n_inherit_fds;
  plan.die_with_owner = options->die_with_owner;
  plan.owner = getpid ();
  plan.max_fd = getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536
                  ? (int) limit.rlim_cur : 65536;
  plan.stdin_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (plan.stdin_fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "cannot open /dev/null: %s", g_strerror (saved_errno));
      return FALSE;
    }

  /* No signal handler of ours may run in the child before it execs. */
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &plan.parent_mask);
  stack = g_malloc (SPAWN_STACK_SIZE);
  child = clone (child_main, stack + SPAWN_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
  saved_errno = errno;
  pthread_sigmask (SIG_SETMASK, &plan.parent_mask, NULL);
  close (plan.stdin_fd);

  if (child < 0)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FORK,
                   "cannot create a process: %s", g_strerror (saved_errno));
      return FALSE;
    }
  if (plan.child_errno != 0)
    {
      waitpid (child, NULL, 0);
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "cannot execute '%s': %s",
                   path, g_strerror (plan.child_errno));
      return FALSE;
    }
  *pid = child;
  return TRUE;
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
