/* qvirt-run as a child process of a test: spawn it, read its stderr
 * (where it says "domain 'NAME' is running (QEMU pid N); socket PATH"),
 * wait for its exit status. Waits poll with timeouts; nothing sleeps. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GPid pid;
  int stdin_fd;                  /* -1 unless asked for */
  int stdout_fd;                 /* -1 unless asked for */
  int stderr_fd;
  GString *err;                  /* all it wrote to stderr so far */
  GPid qemu_pid;                 /* after test_shim_wait_running() */
  char *socket_path;             /* idem */
} TestShim;

/* The qvirt-run of this build. */
const char *test_shim_binary (void);

/* Spawns @argv (argv[0] may be NULL: this build's qvirt-run) with @envp
 * (NULL: ours). With @pipes, stdin and stdout are pipes; otherwise
 * /dev/null. */
TestShim *test_shim_spawn (const char * const *argv, const char * const *envp,
                           gboolean pipes);

/* Reads stderr until it holds @needle; FALSE at its end or on timeout. */
gboolean test_shim_wait_stderr (TestShim *shim, const char *needle, guint timeout_ms);

/* Reads @fd into @seen until it holds @needle; FALSE at its end or on
 * timeout. */
gboolean test_read_until (int fd, GString *seen, const char *needle, guint timeout_ms);

/* Waits for the "is running" line and fills qemu_pid and socket_path;
 * fails the test (with what the shim wrote) if it does not come. */
void test_shim_wait_running (TestShim *shim, guint timeout_ms);

/* Waits for the shim to exit (fails the test on timeout) and returns its
 * exit status, or 128 + the signal that killed it. */
int test_shim_wait_exit (TestShim *shim, guint timeout_ms);

/* The only child of @pid (fails the test if it has none or several),
 * numbered in our pid namespace whatever namespace @pid made: how a test
 * finds the qvirt-run that `unshare --fork` runs. */
GPid test_only_child (GPid pid);

/* Kills it if it still runs, reaps it, frees. */
void test_shim_free (TestShim *shim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestShim, test_shim_free)

G_END_DECLS
