/* bench-shim: qvirt-run against raw QEMU (bench/README.md).
 *
 *   start    exec of qvirt-run (fresh temp root) until it says the vCPUs
 *            run, against raw QEMU with the same argv: spawn -S on a
 *            monitor socket, greeting, qmp_capabilities, cont, its reply;
 *            interleaved (which goes first alternates), RUNS each; the
 *            difference of the medians and the median of the run-by-run
 *            differences
 *   memory   the shim's Rss, Pss and Private_Dirty (smaps_rollup) while
 *            its VM runs
 *   stop     with the test guest (if built): SIGTERM → the guest powers
 *            off on ACPI → QEMU gone → the shim exits
 *
 * Usage: bench-shim [RUNS]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/domain-xml.h"
#include "qemu/command.h"

#define RAW_MONITOR_FD 3
#define TIMEOUT_MS 60000

static double
now_ms (void)
{
  return (double) g_get_monotonic_time () / 1000.0;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  if (values->len == 0)
    return 0;
  if (values->len % 2)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1) +
          g_array_index (values, double, values->len / 2)) / 2;
}

static void G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("bench-shim: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

static const char *
domain_type (void)
{
  int fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return "qemu";
  close (fd);
  return "kvm";
}

static char *
guestless_xml (void)
{
  return g_strdup_printf ("<domain type='%s'><name>bench</name>"
                          "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                          "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                          "<devices><memballoon model='none'/></devices></domain>\n",
                          domain_type ());
}

/* Reads @fd until a line holding @needle; FALSE on end or timeout. */
static gboolean
read_until (int fd, const char *needle, GString *seen)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;

  while (strstr (seen->str, needle) == NULL)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      char buffer[4096];
      gssize n;
      int left = (int) ((deadline - g_get_monotonic_time ()) / 1000);

      if (left <= 0 || poll (&pfd, 1, left) <= 0)
        return FALSE;
      n = read (fd, buffer, sizeof buffer);
      if (n <= 0)
        return FALSE;
      g_string_append_len (seen, buffer, n);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Raw QEMU                                                             */

static void
die_with_bench (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static guint
count_returns (const char *text)
{
  guint count = 0;

  for (const char *at = strstr (text, "{\"return\""); at; at = strstr (at + 1, "{\"return\""))
    count++;
  return count;
}

static double
raw_start (QemuCommand *command, const char *socket_path, GPid *pid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int target = RAW_MONITOR_FD;
  int listen_fd, fd;
  double start = now_ms ();
  static const char handshake[] =
    "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"cont\"}\n";

  g_strlcpy (addr.sun_path, socket_path, sizeof addr.sun_path);
  unlink (socket_path);
  listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (bind (listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (listen_fd, 1) < 0)
    fail ("cannot listen on %s: %s", socket_path, g_strerror (errno));
  if (!g_spawn_async_with_pipes_and_fds (NULL, qemu_command_get_argv (command), NULL,
                                         G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                         G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                         die_with_bench, NULL, -1, -1, -1,
                                         &listen_fd, &target, 1, pid, NULL, NULL, NULL, &error))
    fail ("cannot spawn QEMU: %s", error->message);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    fail ("cannot connect to %s: %s", socket_path, g_strerror (errno));
  close (listen_fd);
  if (!read_until (fd, "\"QMP\"", seen))
    fail ("raw QEMU sent no greeting");
  if (send (fd, handshake, strlen (handshake), MSG_NOSIGNAL) < 0)
    fail ("cannot write to the raw monitor");
  /* Two returns: capabilities, then cont (events pass by). */
  g_string_truncate (seen, 0);
  while (count_returns (seen->str) < 2)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      char buffer[4096];
      gssize n;

      if (poll (&pfd, 1, TIMEOUT_MS) <= 0 || (n = read (fd, buffer, sizeof buffer)) <= 0)
        fail ("raw QEMU did not answer cont");
      g_string_append_len (seen, buffer, n);
      if (strstr (seen->str, "{\"error\""))
        fail ("raw QEMU refused: %s", seen->str);
    }
  close (fd);
  return now_ms () - start;
}

static void
kill_and_reap (GPid pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* The shim                                                             */

typedef struct {
  GPid pid;
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
  GString *err;
  GPid qemu_pid;
} Shim;

static void
shim_spawn (Shim *shim, const char *xml_path, gboolean console)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { QVIRT_BENCH_QVIRT_RUN, "--shutdown-timeout", "60",
                         console ? "--console" : xml_path, console ? xml_path : NULL, NULL };

  shim->err = g_string_new (NULL);
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                 die_with_bench, NULL, &shim->pid, &shim->stdin_fd,
                                 &shim->stdout_fd, &shim->stderr_fd, &error))
    fail ("cannot run qvirt-run: %s", error->message);
}

static void
shim_wait_running (Shim *shim)
{
  const char *at;

  if (!read_until (shim->stderr_fd, "is running", shim->err) ||
      !read_until (shim->stderr_fd, "socket", shim->err))
    fail ("qvirt-run did not start its domain: %s", shim->err->str);
  at = strstr (shim->err->str, "QEMU pid ");
  shim->qemu_pid = at ? atoi (at + strlen ("QEMU pid ")) : 0;
}

static int
shim_wait_exit (Shim *shim)
{
  int status = 0;

  waitpid (shim->pid, &status, 0);
  close (shim->stdin_fd);
  close (shim->stdout_fd);
  close (shim->stderr_fd);
  g_string_free (shim->err, TRUE);
  return status;
}

static void
read_smaps (GPid pid, double *rss, double *pss, double *private_dirty)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/smaps_rollup", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    fail ("cannot read %s", path);
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      if (g_str_has_prefix (*l, "Rss:"))
        *rss = g_ascii_strtod (*l + 4, NULL) / 1024;
      else if (g_str_has_prefix (*l, "Pss:"))
        *pss = g_ascii_strtod (*l + 4, NULL) / 1024;
      else if (g_str_has_prefix (*l, "Private_Dirty:"))
        *private_dirty = g_ascii_strtod (*l + 14, NULL) / 1024;
    }
}

static int
pidfd_for (GPid pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

/* ------------------------------------------------------------------ */

static void
bench_start_and_memory (guint runs, const char *dir)
{
  g_autofree char *xml = guestless_xml ();
  g_autofree char *xml_path = g_build_filename (dir, "bench.xml", NULL);
  g_autofree char *socket_path = g_build_filename (dir, "raw.qmp", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DomainDef) def = domain_def_new_from_xml (xml, strlen (xml), &error);
  QemuCommandConfig config = { 0 };
  g_autoptr(QemuCommand) command = NULL;
  g_autoptr(GArray) shim_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) raw_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) paired_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) pss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) dirty = g_array_new (FALSE, FALSE, sizeof (double));

  if (def == NULL)
    fail ("the bench XML is refused: %s", error->message);
  if (!g_file_set_contents (xml_path, xml, -1, &error))
    fail ("%s", error->message);
  config.default_emulator = "qemu-system-x86_64";
  config.monitor_fd = RAW_MONITOR_FD;
  config.runtime_dir = dir;
  command = qemu_command_build (def, &config, &error);
  if (command == NULL)
    fail ("cannot build argv: %s", error->message);

  for (guint i = 0; i < runs; i++)
    {
      Shim shim = { 0 };
      GPid raw_pid;
      double t, raw, r, p, d;

      /* Which goes first alternates: neither always finds the page cache
       * and the CPUs as the other left them. */
      if (i % 2 == 1)
        {
          raw = raw_start (command, socket_path, &raw_pid);
          kill_and_reap (raw_pid);
        }
      t = now_ms ();
      shim_spawn (&shim, xml_path, FALSE);
      shim_wait_running (&shim);
      t = now_ms () - t;
      g_array_append_val (shim_ms, t);
      read_smaps (shim.pid, &r, &p, &d);
      g_array_append_val (rss, r);
      g_array_append_val (pss, p);
      g_array_append_val (dirty, d);
      kill (shim.pid, SIGTERM);
      kill (shim.pid, SIGINT);   /* second signal: destroy now */
      shim_wait_exit (&shim);

      if (i % 2 == 0)
        {
          raw = raw_start (command, socket_path, &raw_pid);
          kill_and_reap (raw_pid);
        }
      g_array_append_val (raw_ms, raw);
      raw = t - raw;
      g_array_append_val (paired_ms, raw);
    }
  printf ("start (exec to vCPUs running), %u runs, medians:\n", runs);
  printf ("  qvirt-run (fresh temp root)  %8.1f ms\n", median (shim_ms));
  printf ("  raw QEMU (same argv)         %8.1f ms\n", median (raw_ms));
  printf ("  difference                   %+8.1f ms   (target: <= +5 ms)\n",
          median (shim_ms) - median (raw_ms));
  printf ("  paired difference            %+8.1f ms   (median of run-by-run differences, steadier)\n",
          median (paired_ms));
  printf ("  ratio                        %8.2f\n", median (shim_ms) / median (raw_ms));
  printf ("shim memory while its VM runs, medians:\n");
  printf ("  Rss %.2f MiB, Pss %.2f MiB, Private_Dirty %.2f MiB   (target: <= 2 MiB private)\n",
          median (rss), median (pss), median (dirty));
}

static void
bench_stop (guint runs, const char *dir)
{
  const char *guest_dir = g_getenv ("QVIRT_GUEST_DIR");
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *xml_path = g_build_filename (dir, "guest.xml", NULL);
  g_autoptr(GArray) total = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) after_qemu = g_array_new (FALSE, FALSE, sizeof (double));

  if (guest_dir == NULL)
    guest_dir = QVIRT_BENCH_GUEST_DIR;
  kernel = g_build_filename (guest_dir, "vmlinuz", NULL);
  initrd = g_build_filename (guest_dir, "initrd.img", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS))
    {
      printf ("stop: no test guest in %s (make guest builds it); skipped\n", guest_dir);
      return;
    }
  xml = g_strdup_printf ("<domain type='qemu'><name>guest</name>"
                         "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                         "<os><type arch='x86_64' machine='pc'>hvm</type>"
                         "<kernel>%s</kernel><initrd>%s</initrd>"
                         "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os>"
                         "<features><acpi/></features>"
                         "<devices><serial type='pty'/><memballoon model='none'/></devices>"
                         "</domain>\n", kernel, initrd);
  g_file_set_contents (xml_path, xml, -1, NULL);

  for (guint i = 0; i < runs; i++)
    {
      Shim shim = { 0 };
      g_autoptr(GString) console = g_string_new (NULL);
      int qemu_fd;
      double t0, t_qemu = 0, t_exit;
      int status;

      shim_spawn (&shim, xml_path, TRUE);
      shim_wait_running (&shim);
      if (!read_until (shim.stdout_fd, "QVIRT-GUEST-READY", console))
        fail ("the guest did not come up: %s", console->str);
      qemu_fd = pidfd_for (shim.qemu_pid);
      t0 = now_ms ();
      kill (shim.pid, SIGTERM);
      {
        struct pollfd pfd = { .fd = qemu_fd, .events = POLLIN };

        if (poll (&pfd, 1, TIMEOUT_MS) > 0)
          t_qemu = now_ms ();
      }
      status = shim_wait_exit (&shim);
      t_exit = now_ms ();
      close (qemu_fd);
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        fail ("qvirt-run did not exit 0 after the guest powered off (status %d)", status);
      t0 = t_exit - t0;
      g_array_append_val (total, t0);
      t_qemu = t_exit - t_qemu;
      g_array_append_val (after_qemu, t_qemu);
    }
  printf ("stop (test guest, TCG), %u runs, medians:\n", runs);
  printf ("  SIGTERM to qvirt-run exit (exit status 0)  %8.1f ms\n", median (total));
  printf ("  of which after QEMU was gone               %8.1f ms\n", median (after_qemu));
}

int
main (int argc, char **argv)
{
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 20;
  g_autofree char *dir = g_dir_make_tmp ("bench-shim-XXXXXX", NULL);

  /* A binary just built sits in dirty page-cache pages, which smaps
   * counts as the shim's Private_Dirty until they are written back. */
  sync ();
  printf ("bench-shim: domain type %s%s\n", domain_type (),
          g_str_equal (domain_type (), "qemu") ? " (TCG: no usable /dev/kvm)" : "");
  bench_start_and_memory (runs, dir);
  bench_stop (MAX (runs / 4, 3), dir);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (command) != 0)
      fprintf (stderr, "bench-shim: cannot remove %s\n", dir);
  }
  return 0;
}
