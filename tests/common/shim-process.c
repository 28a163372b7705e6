/* qvirt-run as a child process of a test (see shim-process.h). */
#include "shim-process.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

const char *
test_shim_binary (void)
{
  return QVIRT_TEST_QVIRT_RUN;
}

/* Between fork and exec: the shim (and so its QEMU) dies with the test. */
static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

TestShim *
test_shim_spawn (const char * const *argv, const char * const *envp, gboolean pipes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  TestShim *shim = g_new0 (TestShim, 1);
  GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH;

  g_ptr_array_add (args, (gpointer) (argv[0] ? argv[0] : test_shim_binary ()));
  for (guint i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  shim->stdin_fd = -1;
  shim->stdout_fd = -1;
  shim->err = g_string_new (NULL);
  if (!pipes)
    flags |= G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL;
  g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) args->pdata, envp, flags,
                                    die_with_test, NULL, -1, -1, -1, NULL, NULL, 0,
                                    &shim->pid, pipes ? &shim->stdin_fd : NULL,
                                    pipes ? &shim->stdout_fd : NULL, &shim->stderr_fd, &error);
  g_assert_no_error (error);
  return shim;
}

gboolean
test_read_until (int fd, GString *seen, const char *needle, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (strstr (seen->str, needle) == NULL)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      char buffer[4096];
      gssize n;
      int ready;

      if (left <= 0)
        return FALSE;
      ready = poll (&pfd, 1, (int) left);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        return FALSE;
      n = read (fd, buffer, sizeof buffer);
      if (n <= 0)
        return FALSE;
      g_string_append_len (seen, buffer, n);
    }
  return TRUE;
}

gboolean
test_shim_wait_stderr (TestShim *shim, const char *needle, guint timeout_ms)
{
  return test_read_until (shim->stderr_fd, shim->err, needle, timeout_ms);
}

void
test_shim_wait_running (TestShim *shim, guint timeout_ms)
{
  const char *at;
  const char *end;

  if (!test_shim_wait_stderr (shim, "; socket ", timeout_ms) ||
      !test_shim_wait_stderr (shim, ".sock\n", timeout_ms))
    g_error ("qvirt-run did not start its domain; it wrote:\n%s", shim->err->str);
  at = strstr (shim->err->str, "QEMU pid ");
  g_assert_nonnull (at);
  shim->qemu_pid = atoi (at + strlen ("QEMU pid "));
  g_assert_cmpint (shim->qemu_pid, >, 0);
  at = strstr (shim->err->str, "; socket ") + strlen ("; socket ");
  end = strchr (at, '\n');
  shim->socket_path = g_strndup (at, (gsize) (end - at));
}

int
test_shim_wait_exit (TestShim *shim, guint timeout_ms)
{
  int fd = (int) syscall (SYS_pidfd_open, shim->pid, 0);
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int status = 0;
  int ready;

  g_assert_cmpint (fd, >=, 0);
  do
    ready = poll (&pfd, 1, (int) timeout_ms);
  while (ready < 0 && errno == EINTR);
  close (fd);
  if (ready <= 0)
    g_error ("qvirt-run did not exit within %u ms; it wrote:\n%s", timeout_ms, shim->err->str);
  g_assert_cmpint (waitpid (shim->pid, &status, 0), ==, shim->pid);
  shim->pid = 0;
  /* What it wrote last (its reason): the pipe holds it all by now. */
  for (;;)
    {
      char buffer[4096];
      gssize n = read (shim->stderr_fd, buffer, sizeof buffer);

      if (n <= 0)
        break;
      g_string_append_len (shim->err, buffer, n);
    }
  g_test_message ("qvirt-run wrote:\n%s", shim->err->str);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

void
test_shim_free (TestShim *shim)
{
  if (shim->pid > 0)
    {
      kill (shim->pid, SIGKILL);
      waitpid (shim->pid, NULL, 0);
    }
  if (shim->stdin_fd >= 0)
    close (shim->stdin_fd);
  if (shim->stdout_fd >= 0)
    close (shim->stdout_fd);
  close (shim->stderr_fd);
  g_string_free (shim->err, TRUE);
  g_free (shim->socket_path);
  g_free (shim);
}

GPid
test_only_child (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", (int) pid, (int) pid);
  g_autofree char *children = NULL;
  g_auto(GStrv) pids = NULL;

  g_assert_true (g_file_get_contents (path, &children, NULL, NULL));
  pids = g_strsplit (g_strstrip (children), " ", -1);
  g_assert_cmpuint (g_strv_length (pids), ==, 1);
  return (GPid) atoi (pids[0]);
}
