/* Spawning QEMU and noticing when it exits.
 *
 * QEMU is always a direct child of the process hosting the driver, so it
 * inherits that process's cgroup, namespaces, credentials and affinity.
 * After a driver restart a still-running QEMU is no longer our child; it
 * is then watched through a pidfd, which reports its exit without
 * waitpid. */
#pragma once

#include <glib.h>

typedef struct {
  const char * const *argv;        /* argv[0] is the binary (PATH is searched) */
  const char * const *extra_env;   /* NULL or NAME=value pairs added to ours */
  int log_fd;                      /* QEMU's stdout and stderr */
  const int *inherit_fds;          /* passed to QEMU under the same numbers */
  guint n_inherit_fds;
  /* TRUE: QEMU gets SIGKILL when the spawning thread dies
   * (PR_SET_PDEATHSIG) and stays in our session. FALSE: QEMU outlives us
   * and starts its own session, away from our terminal's signals. */
  gboolean die_with_owner;
} QvirtSpawnOptions;

/**
 * qvirt_process_spawn:
 * @options: what to run
 * @pid: (out): the child's pid; the caller must reap it (see
 *   qvirt_process_watch_new())
 * @error: return location
 *
 * Returns: FALSE with @error set if QEMU could not be executed.
 */
gboolean qvirt_process_spawn (const QvirtSpawnOptions *options, GPid *pid, GError **error);

/**
 * QvirtProcessExitFunc:
 * @pid: the process that exited
 * @wait_status: its wait status, or -1 when it was not our child (a
 *   pidfd tells that a process exited, not how)
 * @user_data: as given
 */
typedef void (*QvirtProcessExitFunc) (GPid pid, int wait_status, gpointer user_data);

typedef struct _QvirtProcessWatch QvirtProcessWatch;

/**
 * qvirt_process_watch_new:
 * @pid: the process
 * @is_our_child: TRUE for a process we spawned (it is reaped), FALSE for
 *   a reattached one (watched through a pidfd)
 * @context: where @func runs
 * @func: called once when the process exits
 * @user_data: passed to @func
 * @error: return location (the process may already be gone)
 *
 * Returns: (transfer full) (nullable): the watch; freeing it stops
 *   watching.
 */
QvirtProcessWatch *qvirt_process_watch_new (GPid pid,
                                            gboolean is_our_child,
                                            GMainContext *context,
                                            QvirtProcessExitFunc func,
                                            gpointer user_data,
                                            GError **error);

void qvirt_process_watch_free (QvirtProcessWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtProcessWatch, qvirt_process_watch_free)

/**
 * qvirt_process_describe_exit:
 *
 * Returns: (transfer full): "exited with status 1", "killed by signal 9
 *   (Killed)" or "exited" for an unknown status.
 */
char *qvirt_process_describe_exit (int wait_status);
