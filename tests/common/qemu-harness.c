#include "qemu-harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef QVIRT_TEST_QEMU_BINARY
#define QVIRT_TEST_QEMU_BINARY "qemu-system-x86_64"
#endif

const char *
test_qemu_binary (void)
{
  const char *env = g_getenv ("QVIRT_TEST_QEMU");
  return env && *env ? env : QVIRT_TEST_QEMU_BINARY;
}

const char *
test_qemu_accel (void)
{
  int fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);
  const char *accel = fd >= 0 ? "kvm" : "tcg";

  if (fd >= 0)
    close (fd);
  /* A TAP comment: the run says which accelerator it used. */
  g_test_message ("QEMU accelerator: %s%s", accel,
                  fd >= 0 ? "" : " (/dev/kvm unusable)");
  return accel;
}

static int
bind_listening_socket (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, path);
  /* Not CLOEXEC: QEMU inherits it. */
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (fd, 8) < 0)
    g_error ("cannot listen on %s: %s", path, g_strerror (errno));
  return fd;
}

/* A test that aborts never runs test_qemu_free(): QEMU must die with it,
 * or the orphan keeps the test's output open and meson waits forever. */
static void
die_with_test (gpointer user_data)
{
  pid_t test_pid = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != test_pid)
    _exit (127);
}

TestQemu *
test_qemu_start (const char * const *extra_args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  TestQemu *qemu = g_new0 (TestQemu, 1);
  int listen_fd;
  int log_fd;

  qemu->dir = g_dir_make_tmp ("qvirt-test-XXXXXX", &error);
  g_assert_no_error (error);
  qemu->qmp_path = g_build_filename (qemu->dir, "qmp.sock", NULL);
  qemu->log_path = g_build_filename (qemu->dir, "qemu.log", NULL);

  listen_fd = bind_listening_socket (qemu->qmp_path);
  log_fd = open (qemu->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (log_fd, >=, 0);

  g_ptr_array_add (argv, g_strdup (test_qemu_binary ()));
  g_ptr_array_add (argv, g_strdup ("-S"));
  g_ptr_array_add (argv, g_strdup ("-nodefaults"));
  g_ptr_array_add (argv, g_strdup ("-no-user-config"));
  g_ptr_array_add (argv, g_strdup ("-display"));
  g_ptr_array_add (argv, g_strdup ("none"));
  g_ptr_array_add (argv, g_strdup ("-chardev"));
  g_ptr_array_add (argv, g_strdup_printf ("socket,id=qmp,fd=%d,server=on,wait=off", listen_fd));
  g_ptr_array_add (argv, g_strdup ("-mon"));
  g_ptr_array_add (argv, g_strdup ("chardev=qmp,mode=control"));
  if (extra_args == NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-machine"));
      g_ptr_array_add (argv, g_strdup ("none"));
    }
  else
    {
      for (const char * const *a = extra_args; *a; a++)
        g_ptr_array_add (argv, g_strdup (*a));
    }
  g_ptr_array_add (argv, NULL);

  /* We reap QEMU ourselves (test_qemu_wait_exit), so no GSubprocess,
   * whose own child watch would race us for the exit status. */
  {
    int source_fds[] = { listen_fd };
    int target_fds[] = { listen_fd };

    if (!g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv->pdata,
                                           NULL,
                                           G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                           die_with_test, GINT_TO_POINTER (getpid ()),
                                           -1, -1, log_fd,
                                           source_fds, target_fds, 1,
                                           &qemu->pid, NULL, NULL, NULL, &error))
      g_error ("cannot start %s: %s", test_qemu_binary (), error->message);
  }
  close (listen_fd);
  close (log_fd);
  return qemu;
}

gboolean
test_qemu_wait_exit (TestQemu *qemu, guint timeout_ms)
{
  int pidfd;
  struct pollfd pfd;
  int status;

  if (qemu->exited)
    return TRUE;
  /* A pidfd becomes readable when the process exits: wait on it rather
   * than polling waitpid in a loop. */
  pidfd = (int) syscall (SYS_pidfd_open, qemu->pid, 0);
  g_assert_cmpint (pidfd, >=, 0);
  pfd = (struct pollfd) { .fd = pidfd, .events = POLLIN };
  while (poll (&pfd, 1, (int) timeout_ms) < 0 && errno == EINTR)
    ;
  close (pidfd);
  if (!(pfd.revents & POLLIN))
    return FALSE;
  g_assert_cmpint (waitpid (qemu->pid, &status, 0), ==, qemu->pid);
  qemu->exited = TRUE;
  return TRUE;
}

char *
test_qemu_log_contents (TestQemu *qemu)
{
  char *contents = NULL;

  if (!g_file_get_contents (qemu->log_path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

void
test_qemu_free (TestQemu *qemu)
{
  if (qemu == NULL)
    return;
  if (!qemu->exited)
    {
      kill (qemu->pid, SIGKILL);
      test_qemu_wait_exit (qemu, 10000);
    }
  unlink (qemu->qmp_path);
  unlink (qemu->log_path);
  rmdir (qemu->dir);
  g_free (qemu->dir);
  g_free (qemu->qmp_path);
  g_free (qemu->log_path);
  g_free (qemu);
}
