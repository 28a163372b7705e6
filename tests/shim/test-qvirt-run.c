/* qvirt-run as a real process: bad input refused before anything starts,
 * every exit status but 7 (--register: tests/daemon/test-qvirtd-shims.c),
 * the socket it serves (also where --socket says), the XML on stdin, and
 * QEMU inheriting the shim's process context (namespaces, affinity,
 * environment, cgroup).
 * Guestless domains (machine pc, no OS: the ACPI button goes unheard),
 * TCG. The guest suite has the console and ACPI power-off cases
 * (test-qvirt-run-guest.c). */
#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim-process.h"

#define TIMEOUT_MS 60000

/* Exit statuses (docs/qvirt-run.md). */
enum {
  EXIT_BAD_INPUT = 2,
  EXIT_START_FAILED = 3,
  EXIT_CRASHED = 4,
  EXIT_SHUTDOWN_TIMEOUT = 5,
  EXIT_DESTROYED = 6,
};

typedef struct {
  char *dir;                    /* a temp dir for files and roots */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("qvirt-run-test-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

static char *
write_file (Fixture *f, const char *name, const char *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static char *
guestless_xml (const char *name, const char *devices)
{
  return g_strdup_printf ("<domain type='qemu'><name>%s</name>"
                          "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                          "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                          "<devices><memballoon model='none'/>%s</devices></domain>\n",
                          name, devices ? devices : "");
}

/* Runs qvirt (the CLI of this build) and returns its stdout; asserts
 * its exit status. */
static char *
run_qvirt (const char *socket_path, const char *a, const char *b, const char *c,
           int expected_status)
{
  g_autofree char *qvirt = g_build_filename (g_getenv ("QVIRT_BUILD_DIR"), "src", "tools",
                                             "qvirt", NULL);
  g_autofree char *uri = g_strdup_printf ("qemu+unix:///?socket=%s", socket_path);
  const char *argv[] = { qvirt, "-c", uri, a, b, c, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("qvirt %s %s %s -> %d\n%s%s", a, b, c ? c : "", status, out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL) == (expected_status == 0));
  return out;
}

/* ------------------------------------------------------------------ */
/* Bad input                                                            */

/* Exit 2, one line naming the problem, and nothing created in the root. */
static void
assert_bad_input (Fixture *f, const char *const *args, const char *needle)
{
  g_autofree char *root = g_build_filename (f->dir, "root", NULL);
  const char *argv[16] = { NULL, "--root", root };
  g_autoptr(TestShim) shim = NULL;
  guint n = 3;

  for (guint i = 0; args[i] != NULL; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  shim = test_shim_spawn (argv, NULL, FALSE);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, EXIT_BAD_INPUT);
  g_assert_nonnull (strstr (shim->err->str, needle));
  /* One line. */
  g_assert_cmpuint (shim->err->len, >, 0);
  g_assert_true (strchr (shim->err->str, '\n') == shim->err->str + shim->err->len - 1);
  g_assert_false (g_file_test (root, G_FILE_TEST_EXISTS));
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  g_autofree char *missing_disk = guestless_xml ("vm1",
    "<disk type='file' device='disk'><source file='/nonexistent/disk.img'/>"
    "<target dev='vda' bus='virtio'/></disk>");
  g_autofree char *no_console = guestless_xml ("vm1", NULL);
  g_autofree char *missing_kernel_path = NULL;
  g_autofree char *path = NULL;

  assert_bad_input (f, (const char *[]) { "/nonexistent/vm.xml", NULL }, "/nonexistent/vm.xml");
  path = write_file (f, "malformed.xml", "<domain type='qemu'>\n<name>x</name>\n<oops>\n");
  assert_bad_input (f, (const char *[]) { path, NULL }, "line");
  g_free (path);
  path = write_file (f, "unsupported.xml",
                     "<domain type='qemu'><name>x</name><memory>65536</memory>"
                     "<os><type>hvm</type></os><bogus/></domain>");
  assert_bad_input (f, (const char *[]) { path, NULL }, "bogus");
  g_free (path);
  missing_kernel_path = write_file (f, "kernel.xml",
                                    "<domain type='qemu'><name>x</name><memory>65536</memory>"
                                    "<os><type>hvm</type><kernel>/nonexistent/vmlinuz</kernel>"
                                    "</os></domain>");
  assert_bad_input (f, (const char *[]) { missing_kernel_path, NULL }, "/nonexistent/vmlinuz");
  path = write_file (f, "disk.xml", missing_disk);
  assert_bad_input (f, (const char *[]) { path, NULL }, "/nonexistent/disk.img");
  g_free (path);
  path = write_file (f, "plain.xml", no_console);
  assert_bad_input (f, (const char *[]) { "--console", path, NULL }, "<serial type='pty'/>");
  assert_bad_input (f, (const char *[]) { "--bogus", path, NULL }, "--bogus");
  assert_bad_input (f, (const char *[]) { "--shutdown-timeout", "soon", path, NULL }, "soon");
}

/* ------------------------------------------------------------------ */
/* How it ends                                                          */

static TestShim *
start_guestless (Fixture *f, const char *extra_option, const char *extra_value)
{
  g_autofree char *xml = guestless_xml ("vm1", NULL);
  g_autofree char *path = write_file (f, "vm1.xml", xml);
  const char *argv[] = { NULL, "--shutdown-timeout", "1", path, NULL, NULL, NULL };
  TestShim *shim;

  if (extra_option != NULL)
    {
      argv[3] = extra_option;
      argv[4] = extra_value;
      argv[5] = path;
    }
  shim = test_shim_spawn (argv, NULL, FALSE);
  test_shim_wait_running (shim, TIMEOUT_MS);
  return shim;
}

/* The OS-less guest ignores the power button: destroyed after the
 * timeout, and the temp root is gone. */
static void
test_shutdown_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr(TestShim) shim = start_guestless (f, NULL, NULL);
  g_autofree char *root = g_path_get_dirname (shim->socket_path);

  kill (shim->pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, EXIT_SHUTDOWN_TIMEOUT);
  g_assert_nonnull (strstr (shim->err->str, "did not power off"));
  g_assert_false (g_file_test (root, G_FILE_TEST_EXISTS));
}

static void
test_second_signal (Fixture *f, gconstpointer data)
{
  g_autoptr(TestShim) shim = start_guestless (f, NULL, NULL);

  kill (shim->pid, SIGTERM);
  g_assert_true (test_shim_wait_stderr (shim, "asking domain", TIMEOUT_MS));
  kill (shim->pid, SIGINT);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 128 + SIGINT);
}

/* A signal while QEMU starts (it is spawned, the vCPUs do not run yet):
 * there is no guest to power off; the shim destroys the domain once the
 * start is over and says which signal ended it. */
static void
test_signal_while_starting (Fixture *f, gconstpointer data)
{
  g_autofree char *xml = guestless_xml ("vm1", NULL);
  g_autofree char *path = write_file (f, "vm1.xml", xml);
  g_autofree char *root = g_build_filename (f->dir, "root", NULL);
  g_autofree char *log_dir = g_build_filename (root, "log", NULL);
  g_autofree char *status = g_build_filename (root, "run", "vm1.status", NULL);
  const char *argv[] = { NULL, "--shutdown-timeout", "30", "--root", root, path, NULL };
  g_autoptr(TestShim) shim = NULL;
  int watch = inotify_init1 (IN_CLOEXEC);
  gboolean log_created = FALSE;

  /* The driver creates the domain's log right before it spawns QEMU,
   * tens of milliseconds before the vCPUs could run. */
  g_assert_cmpint (g_mkdir_with_parents (log_dir, 0700), ==, 0);
  g_assert_cmpint (inotify_add_watch (watch, log_dir, IN_CREATE), >=, 0);
  shim = test_shim_spawn (argv, NULL, FALSE);
  while (!log_created)
    {
      char buffer[4096] __attribute__((aligned (__alignof__ (struct inotify_event))));
      struct pollfd pfd = { .fd = watch, .events = POLLIN };
      gssize n;

      g_assert_cmpint (poll (&pfd, 1, TIMEOUT_MS), ==, 1);
      n = read (watch, buffer, sizeof buffer);
      g_assert_cmpint (n, >, 0);
      for (char *at = buffer; at < buffer + n;)
        {
          const struct inotify_event *event = (const struct inotify_event *) at;

          log_created |= event->len > 0 && g_str_equal (event->name, "vm1.log");
          at += sizeof *event + event->len;
        }
    }
  close (watch);
  kill (shim->pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 128 + SIGTERM);
  g_test_message ("%s", shim->err->str);
  g_assert_null (strstr (shim->err->str, "CRITICAL"));
  g_assert_null (strstr (shim->err->str, "is running"));
  g_assert_nonnull (strstr (shim->err->str, "while domain 'vm1' was starting"));
  /* Destroyed: its QEMU gone, the driver cleaned up after it. */
  g_assert_null (strstr (shim->err->str, "domain 'vm1': "));
  g_assert_false (g_file_test (status, G_FILE_TEST_EXISTS));
}

static void
test_qemu_killed (Fixture *f, gconstpointer data)
{
  g_autoptr(TestShim) shim = start_guestless (f, NULL, NULL);

  kill (shim->qemu_pid, SIGKILL);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, EXIT_CRASHED);
}

/* The socket serves the instance: info and qmp work, and a destroy from
 * there ends the shim with its own status. --root stays afterwards. */
static void
test_socket (Fixture *f, gconstpointer data)
{
  g_autofree char *root = g_build_filename (f->dir, "kept-root", NULL);
  g_autoptr(TestShim) shim = start_guestless (f, "--root", root);
  g_autofree char *info = NULL;
  g_autofree char *status = NULL;
  g_autofree char *destroyed = NULL;

  g_assert_true (g_str_has_prefix (shim->socket_path, root));
  info = run_qvirt (shim->socket_path, "info", "vm1", NULL, 0);
  g_assert_nonnull (strstr (info, "running"));
  status = run_qvirt (shim->socket_path, "qmp", "vm1", "query-status", 0);
  g_assert_nonnull (strstr (status, "\"running\""));
  destroyed = run_qvirt (shim->socket_path, "destroy", "vm1", NULL, 0);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, EXIT_DESTROYED);
  g_assert_true (g_file_test (root, G_FILE_TEST_IS_DIR));
}

/* The XML on stdin (-), the socket where --socket says, and
 * --shutdown-timeout 0: the first signal destroys at once. The socket
 * goes with the shim. */
static void
test_stdin_and_socket_option (Fixture *f, gconstpointer data)
{
  g_autofree char *xml = guestless_xml ("vm2", NULL);
  g_autofree char *socket_path = g_build_filename (f->dir, "vm2.sock", NULL);
  const char *argv[] = { NULL, "--socket", socket_path, "--shutdown-timeout", "0", "-",
                         NULL };
  g_autoptr(TestShim) shim = test_shim_spawn (argv, NULL, TRUE);
  g_autofree char *info = NULL;

  g_assert_cmpint (write (shim->stdin_fd, xml, strlen (xml)), ==, (gssize) strlen (xml));
  close (shim->stdin_fd);
  shim->stdin_fd = -1;
  test_shim_wait_running (shim, TIMEOUT_MS);
  g_assert_cmpstr (shim->socket_path, ==, socket_path);
  info = run_qvirt (socket_path, "info", "vm2", NULL, 0);
  g_assert_nonnull (strstr (info, "running"));
  kill (shim->pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 128 + SIGTERM);
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
}

/* XML the shim accepts but QEMU refuses (a machine version it does not
 * have): exit 3, with QEMU's own words. */
static void
test_start_failed (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "vm3.xml",
                                      "<domain type='qemu'><name>vm3</name>"
                                      "<memory unit='MiB'>64</memory>"
                                      "<os><type arch='x86_64' machine='pc-i440fx-99.9'>hvm"
                                      "</type></os></domain>\n");
  const char *argv[] = { NULL, path, NULL };
  g_autoptr(TestShim) shim = test_shim_spawn (argv, NULL, FALSE);

  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, EXIT_START_FAILED);
  g_assert_nonnull (strstr (shim->err->str, "unsupported machine type"));
}

/* Waits until @pid (not our child) is gone: its pidfd becomes readable. */
static gboolean
wait_gone (GPid pid, guint timeout_ms)
{
  int fd = (int) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int ready;

  if (fd < 0)
    return errno == ESRCH;
  do
    ready = poll (&pfd, 1, (int) timeout_ms);
  while (ready < 0 && errno == EINTR);
  close (fd);
  return ready == 1;
}

/* SIGKILL of the shim takes QEMU along (autodestroy), and the root it
 * leaves behind (stale socket, status, lock) serves the next run: what a
 * unit or a container restarted after a crash does. */
static void
test_root_after_sigkill (Fixture *f, gconstpointer data)
{
  g_autofree char *root = g_build_filename (f->dir, "state", "vm1", NULL);
  g_autoptr(TestShim) first = start_guestless (f, "--root", root);
  g_autoptr(TestShim) second = NULL;

  kill (first->pid, SIGKILL);
  g_assert_cmpint (test_shim_wait_exit (first, TIMEOUT_MS), ==, 128 + SIGKILL);
  g_assert_true (wait_gone (first->qemu_pid, TIMEOUT_MS));
  g_assert_true (g_file_test (first->socket_path, G_FILE_TEST_EXISTS));

  second = start_guestless (f, "--root", root);
  g_assert_cmpstr (second->socket_path, ==, first->socket_path);
  kill (second->pid, SIGTERM);
  g_assert_true (test_shim_wait_stderr (second, "asking domain", TIMEOUT_MS));
  kill (second->pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (second, TIMEOUT_MS), ==, 128 + SIGTERM);
}

/* ------------------------------------------------------------------ */
/* Inheritance                                                          */

static char *
proc_read (GPid pid, const char *file)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, file);
  char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  /* environ is NUL-separated: make it one string. */
  for (gsize i = 0; i + 1 < len; i++)
    if (contents[i] == '\0')
      contents[i] = '\n';
  return contents;
}

static char *
status_field (GPid pid, const char *field)
{
  g_autofree char *status = proc_read (pid, "status");
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *at = strstr (status, key);
  const char *end;

  g_assert_nonnull (at);
  at += strlen (key);
  end = strchr (at, '\n');
  return g_strstrip (g_strndup (at, (gsize) (end - at)));
}

static char *
namespace_of (GPid pid, const char *ns)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/ns/%s", (int) pid, ns);
  char *target = g_file_read_link (path, NULL);

  g_assert_nonnull (target);
  return target;
}

/* A cgroup to put the shim in: a new child of the first hierarchy we
 * may write (cgroup v2's root, or v1's cpu controller). NULL if none. */
static char *
make_cgroup (void)
{
  const char *parents[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/cpu" };

  for (guint i = 0; i < G_N_ELEMENTS (parents); i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/qvirt-run-test-%d", parents[i],
                                              (int) getpid ());
      g_autofree char *procs = g_build_filename (dir, "cgroup.procs", NULL);

      if (g_mkdir (dir, 0755) != 0)
        continue;
      /* A real cgroup has the kernel's files; a tmpfs directory does not. */
      if (g_file_test (procs, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&dir);
      g_rmdir (dir);
    }
  return NULL;
}

/* The shim under unshare (its own mount, pid, net, uts and ipc
 * namespaces, its own /proc, as in a container), taskset -c 0, an extra
 * variable and, when one can be made here, a child cgroup: QEMU shares
 * each with it. */
static void
test_inheritance (Fixture *f, gconstpointer data)
{
  g_autofree char *xml = guestless_xml ("vm1", NULL);
  g_autofree char *path = write_file (f, "vm1.xml", xml);
  g_autofree char *cgroup = make_cgroup ();
  g_autofree char *enter_cgroup = cgroup ? g_strdup_printf ("echo $$ > %s/cgroup.procs && ",
                                                            cgroup)
                                         : g_strdup ("");
  g_autofree char *script = g_strdup_printf (
    "%sexec taskset -c 0 unshare --mount --pid --net --uts --ipc --fork --mount-proc "
    "env QVIRT_TEST_MARKER=inherited %s --shutdown-timeout 0 %s",
    enter_cgroup, test_shim_binary (), path);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  const char *namespaces[] = { "mnt", "pid", "net", "uts", "ipc", "cgroup" };
  g_autoptr(TestShim) shim = NULL;
  GPid shim_pid, qemu_pid;

  if (cgroup == NULL)
    g_test_message ("no writable cgroup hierarchy here: comparing the inherited cgroup only");
  shim = test_shim_spawn (argv, NULL, FALSE);
  test_shim_wait_running (shim, TIMEOUT_MS);
  /* shim->pid is unshare (sh and taskset exec'd into it); its child runs
   * qvirt-run, whose child is QEMU. The pid the shim printed is the one
   * of its own namespace. */
  shim_pid = test_only_child (shim->pid);
  qemu_pid = test_only_child (shim_pid);
  {
    g_autofree char *comm = proc_read (shim_pid, "comm");
    g_autofree char *qemu_comm = proc_read (qemu_pid, "comm");

    g_assert_cmpstr (g_strchomp (comm), ==, "qvirt-run");
    g_assert_true (g_str_has_prefix (qemu_comm, "qemu-system"));
  }
  for (guint i = 0; i < G_N_ELEMENTS (namespaces); i++)
    {
      g_autofree char *ours = namespace_of (getpid (), namespaces[i]);
      g_autofree char *shims = namespace_of (shim_pid, namespaces[i]);
      g_autofree char *qemus = namespace_of (qemu_pid, namespaces[i]);

      g_test_message ("%s: test %s, shim %s, QEMU %s", namespaces[i], ours, shims, qemus);
      g_assert_cmpstr (qemus, ==, shims);
      if (!g_str_equal (namespaces[i], "cgroup"))
        g_assert_cmpstr (shims, !=, ours);    /* unshare really made new ones */
    }
  {
    g_autofree char *shim_cpus = status_field (shim_pid, "Cpus_allowed_list");
    g_autofree char *qemu_cpus = status_field (qemu_pid, "Cpus_allowed_list");
    g_autofree char *shim_uid = status_field (shim_pid, "Uid");
    g_autofree char *qemu_uid = status_field (qemu_pid, "Uid");
    g_autofree char *shim_gid = status_field (shim_pid, "Gid");
    g_autofree char *qemu_gid = status_field (qemu_pid, "Gid");
    g_autofree char *environ_ = proc_read (qemu_pid, "environ");
    g_autofree char *shim_cgroup = proc_read (shim_pid, "cgroup");
    g_autofree char *qemu_cgroup = proc_read (qemu_pid, "cgroup");

    g_assert_cmpstr (shim_cpus, ==, "0");
    g_assert_cmpstr (qemu_cpus, ==, shim_cpus);
    g_assert_cmpstr (qemu_uid, ==, shim_uid);
    g_assert_cmpstr (qemu_gid, ==, shim_gid);
    g_assert_nonnull (strstr (environ_, "QVIRT_TEST_MARKER=inherited"));
    g_assert_cmpstr (qemu_cgroup, ==, shim_cgroup);
    if (cgroup != NULL)
      g_assert_nonnull (strstr (qemu_cgroup, strrchr (cgroup, '/')));
  }

  /* --shutdown-timeout 0: the first signal destroys. */
  kill (shim_pid, SIGTERM);
  g_assert_cmpint (test_shim_wait_exit (shim, TIMEOUT_MS), ==, 128 + SIGTERM);
  if (cgroup != NULL)
    g_rmdir (cgroup);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/qvirt-run/bad-input", test_bad_input);
  ADD ("/qvirt-run/shutdown-timeout", test_shutdown_timeout);
  ADD ("/qvirt-run/second-signal", test_second_signal);
  ADD ("/qvirt-run/signal-while-starting", test_signal_while_starting);
  ADD ("/qvirt-run/qemu-killed", test_qemu_killed);
  ADD ("/qvirt-run/socket", test_socket);
  ADD ("/qvirt-run/stdin-and-socket-option", test_stdin_and_socket_option);
  ADD ("/qvirt-run/start-failed", test_start_failed);
  ADD ("/qvirt-run/root-after-sigkill", test_root_after_sigkill);
  ADD ("/qvirt-run/inheritance", test_inheritance);
  return g_test_run ();
}
