/* qvirt_process_spawn (src/qemu/process.c): what the spawned process
 * gets. QEMU is spawned with vfork semantics and a hand-written child, so
 * every promise of process.h is checked on a real child: a shell that
 * reports its own /proc/self state into the log descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/process.h"

typedef struct {
  char *dir;
  char *log_path;
  int log_fd;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("qvirt-process-XXXXXX", &error);
  g_assert_no_error (error);
  f->log_path = g_build_filename (f->dir, "log", NULL);
  f->log_fd = open (f->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (f->log_fd, >=, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->log_fd >= 0)
    close (f->log_fd);
  g_unlink (f->log_path);
  g_rmdir (f->dir);
  g_free (f->log_path);
  g_free (f->dir);
}

/* Runs `sh -c SCRIPT` with @options' other fields, waits for it and
 * returns what it wrote to the log. */
static char *
run_shell (Fixture *f, QvirtSpawnOptions *options, const char *script)
{
  const char *argv[] = { "sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  char *output = NULL;
  GPid pid;
  int status;

  options->argv = argv;
  options->log_fd = f->log_fd;
  g_assert_true (qvirt_process_spawn (options, &pid, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (g_file_get_contents (f->log_path, &output, NULL, NULL));
  return output;
}

/* Only stdin, stdout, stderr and the listed descriptors cross the exec,
 * however many others we hold open, close-on-exec or not. */
static void
test_descriptors (Fixture *f, gconstpointer data)
{
  int leaky = open ("/dev/null", O_RDONLY);          /* no O_CLOEXEC */
  int wanted = open ("/dev/zero", O_RDONLY | O_CLOEXEC);
  QvirtSpawnOptions options = { .inherit_fds = &wanted, .n_inherit_fds = 1 };
  /* ls lists the shell's descriptors, not its own. */
  static const char script[] = "ls -l /proc/$$/fd | sed -n 's/.* \\([0-9]*\\) -> /\\1 /p'; "
                               "read line; echo \"stdin-status $?\"";
  g_autofree char *output = NULL;
  g_autofree char *expected_wanted = g_strdup_printf ("%d /dev/zero\n", wanted);
  g_autofree char *leaked = g_strdup_printf ("\n%d ", leaky);
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (leaky, >, 2);
  g_assert_cmpint (wanted, >, 2);
  output = run_shell (f, &options, script);
  close (leaky);
  close (wanted);

  g_assert_true (g_str_has_prefix (output, "0 /dev/null\n"));
  g_assert_nonnull (strstr (output, "\n1 "));
  g_assert_nonnull (strstr (output, "\n2 "));
  g_assert_nonnull (strstr (output, expected_wanted));
  g_assert_null (strstr (output, leaked));
  /* stdin is /dev/null: read sees end of file at once. */
  g_assert_nonnull (strstr (output, "stdin-status 1\n"));
  lines = g_strsplit (output, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      int fd = atoi (*l);

      if (fd > 2 && fd != wanted)
        g_error ("descriptor leaked into the child: %s", *l);
    }
}

static guint64
signal_mask (const char *status, const char *field)
{
  const char *at = strstr (status, field);

  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (field), NULL, 16);
}

/* Our handlers and ignored SIGPIPE do not reach the child; our signal
 * mask is its, as after fork. */
static void
test_signals (Fixture *f, gconstpointer data)
{
  QvirtSpawnOptions options = { 0 };
  g_autofree char *output = NULL;
  void (*old_pipe) (int) = signal (SIGPIPE, SIG_IGN);

  output = run_shell (f, &options, "grep -E '^Sig(Ign|Blk):' /proc/self/status");
  signal (SIGPIPE, old_pipe);

  g_assert_nonnull (strstr (output, "SigBlk:\t0000000000000000\n"));
  g_assert_cmphex (signal_mask (output, "SigIgn:") & (1u << (SIGPIPE - 1)), ==, 0);
}

static void
test_environment (Fixture *f, gconstpointer data)
{
  const char *extra[] = { "QVIRT_TEST_EXTRA=added value", NULL };
  QvirtSpawnOptions options = { .extra_env = extra };
  g_autofree char *output = NULL;

  g_setenv ("QVIRT_TEST_INHERITED", "ours", TRUE);
  output = run_shell (f, &options, "echo \"$QVIRT_TEST_EXTRA|$QVIRT_TEST_INHERITED\"");
  g_unsetenv ("QVIRT_TEST_INHERITED");
  g_assert_cmpstr (output, ==, "added value|ours\n");
}

/* die_with_owner FALSE: a session of its own, away from our terminal's
 * signals. TRUE: our session (and the parent-death signal, next test). */
static void
test_session (Fixture *f, gconstpointer data)
{
  static const char script[] = "awk '{ print $6 }' /proc/$$/stat";
  QvirtSpawnOptions options = { 0 };
  g_autofree char *own = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *our_session = g_strdup_printf ("%d\n", (int) getsid (0));

  own = run_shell (f, &options, script);
  g_assert_cmpstr (own, !=, our_session);
  g_assert_cmpint (ftruncate (f->log_fd, 0), ==, 0);

  options.die_with_owner = TRUE;
  ours = run_shell (f, &options, script);
  g_assert_cmpstr (ours, ==, our_session);
}

/* The parent-death signal itself: it reaches a grandchild spawned by a
 * process that then dies. Done through a forked helper owner. */
static void
test_death_signal_kills (Fixture *f, gconstpointer data)
{
  int pipe_fds[2];
  pid_t owner;
  GPid child = 0;
  int status;
  int pidfd;

  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  owner = fork ();
  g_assert_cmpint (owner, >=, 0);
  if (owner == 0)
    {
      const char *argv[] = { "sleep", "60", NULL };
      QvirtSpawnOptions options = { .argv = argv, .log_fd = -1, .die_with_owner = TRUE };
      GPid pid;

      close (pipe_fds[0]);
      if (!qvirt_process_spawn (&options, &pid, NULL))
        _exit (1);
      if (write (pipe_fds[1], &pid, sizeof pid) != sizeof pid)
        _exit (1);
      _exit (0);
    }
  close (pipe_fds[1]);
  g_assert_cmpint (read (pipe_fds[0], &child, sizeof child), ==, sizeof child);
  close (pipe_fds[0]);
  g_assert_cmpint (waitpid (owner, &status, 0), ==, owner);
  g_assert_cmpint (child, >, 0);

  /* The orphan is reparented and killed: its pidfd turns readable when
   * it exits (a zombie nobody reaps counts); no pidfd, it is gone. */
  pidfd = (int) syscall (SYS_pidfd_open, child, 0);
  if (pidfd >= 0)
    {
      struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

      g_assert_cmpint (poll (&pfd, 1, 10000), ==, 1);
      close (pidfd);
    }
  else
    g_assert_cmpint (errno, ==, ESRCH);
}

static void
test_exec_failures (Fixture *f, gconstpointer data)
{
  const char *missing[] = { "qvirt-no-such-binary-anywhere", NULL };
  g_autofree char *path = g_build_filename (f->dir, "not-executable", NULL);
  const char *not_executable[] = { path, NULL };
  g_autofree char *expected = g_strdup_printf ("cannot execute '%s': Permission denied", path);
  QvirtSpawnOptions options = { .argv = missing, .log_fd = -1 };
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  /* Even root cannot execute a file without any execute bit. */
  g_assert_true (g_file_set_contents_full (path, "#!/bin/sh\n", -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, NULL));

  g_assert_false (qvirt_process_spawn (&options, &pid, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_assert_cmpstr (error->message, ==,
                   "cannot execute 'qvirt-no-such-binary-anywhere': not found in PATH");
  g_clear_error (&error);

  options.argv = not_executable;
  g_assert_false (qvirt_process_spawn (&options, &pid, &error));
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
  g_unlink (path);
  g_assert_cmpint (pid, ==, 0);
  /* The failed child was reaped. */
  g_assert_cmpint (waitpid (-1, NULL, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/process/descriptors", Fixture, NULL, fixture_set_up, test_descriptors,
              fixture_tear_down);
  g_test_add ("/process/signals", Fixture, NULL, fixture_set_up, test_signals,
              fixture_tear_down);
  g_test_add ("/process/environment", Fixture, NULL, fixture_set_up, test_environment,
              fixture_tear_down);
  g_test_add ("/process/session", Fixture, NULL, fixture_set_up,
              test_session, fixture_tear_down);
  g_test_add ("/process/death-signal", Fixture, NULL, fixture_set_up, test_death_signal_kills,
              fixture_tear_down);
  g_test_add ("/process/exec-failures", Fixture, NULL, fixture_set_up, test_exec_failures,
              fixture_tear_down);
  return g_test_run ();
}
