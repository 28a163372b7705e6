/* bench-daemon: what a protocol round trip through qvirtd costs.
 *
 * Spawns qvirtd on a temporary root and, as the floor, an echo server on
 * the same kind of socket (a child process that writes back every byte
 * it reads: a UNIX stream round trip between two processes with no work
 * at all). Both get the same domain.info request line:
 *
 *   sequential  OPS round trips on one connection, one at a time:
 *               median and p99 latency;
 *   pipelined   PIPELINED_OPS requests written by one thread while
 *               another reads the replies: calls/s.
 *
 * For each run the server's own CPU time per call is printed too (its
 * process CPU clock before and after), which tells the work it does from
 * the time spent waking up processes.
 *
 * domain.info is measured on a defined domain that is shut off and then
 * on the same domain running (a guestless QEMU; skipped with a note if
 * it cannot start). The daemon's RSS is read idle (just started), with
 * RUNNING_VMS more guestless domains running (created through the daemon
 * before any round trip, then destroyed), once they are gone, and after
 * the round trips. The client side is the same minimal line reader for
 * both servers, with no JSON parsing.
 *
 * Targets (issue 5): median ≤ 25 µs sequential, ≥ 50,000 calls/s
 * pipelined, RSS ≤ 8 MiB idle.
 *
 * Usage: bench-daemon [OPS]   (default 10000). A benchmark prints
 * numbers; it asserts nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/unix-socket.h"

#define DEFAULT_OPS 10000
#define PIPELINED_OPS 100000
#define READY_TIMEOUT_MS 10000
#define RUNNING_VMS 20

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* A minimal line client                                                */

typedef struct {
  int fd;
  char buffer[1 << 16];
  gsize start;
  gsize end;
} LineClient;

static void
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("write failed: %s", g_strerror (errno));
      data += n;
      len -= (gsize) n;
    }
}

/* Reads up to and including the next '\n'; returns the line's length. */
static gsize
read_line (LineClient *client)
{
  for (;;)
    {
      char *newline = memchr (client->buffer + client->start, '\n', client->end - client->start);
      gssize n;

      if (newline != NULL)
        {
          gsize len = (gsize) (newline - (client->buffer + client->start));

          client->start += len + 1;
          return len;
        }
      if (client->start > 0)
        {
          memmove (client->buffer, client->buffer + client->start, client->end - client->start);
          client->end -= client->start;
          client->start = 0;
        }
      if (client->end == sizeof client->buffer)
        g_error ("a reply longer than %zu bytes", sizeof client->buffer);
      n = recv (client->fd, client->buffer + client->end, sizeof client->buffer - client->end, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("the server closed the connection");
      client->end += (gsize) n;
    }
}

static LineClient *
line_client_connect (const char *path)
{
  g_autoptr(GError) error = NULL;
  LineClient *client = g_new0 (LineClient, 1);

  client->fd = qvirt_unix_socket_connect (path, &error);
  g_assert_no_error (error);
  return client;
}

static void
line_client_free (LineClient *client)
{
  close (client->fd);
  g_free (client);
}

/* ------------------------------------------------------------------ */
/* The echo server                                                      */

/* A process of its own, as qvirtd is: a thread of this process would
 * make a cheaper floor than any real client and server can reach, since
 * switching between threads of one process keeps the address space. */
static G_NORETURN void
run_echo_server (int listen_fd)
{
  for (;;)
    {
      char buffer[1 << 16];
      int fd = accept (listen_fd, NULL, NULL);

      if (fd < 0 && errno == EINTR)
        continue;
      if (fd < 0)
        _exit (0);
      for (;;)
        {
          gssize n = recv (fd, buffer, sizeof buffer, 0);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          write_all (fd, buffer, (gsize) n);
        }
      close (fd);
    }
}

/* Forks the echo server; call it before any thread exists. It dies with
 * this process. */
static GPid
spawn_echo_server (int listen_fd)
{
  pid_t parent = getpid ();
  pid_t pid = fork ();

  if (pid < 0)
    g_error ("cannot fork the echo server: %s", g_strerror (errno));
  if (pid == 0)
    {
      if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent)
        _exit (1);
      run_echo_server (listen_fd);
    }
  return pid;
}

/* ------------------------------------------------------------------ */
/* The runs                                                             */

typedef struct {
  double median_us;
  double p99_us;
  double sequential_cpu_us;     /* the server's CPU time per call */
  double calls_per_s;
  double pipelined_cpu_us;
} Result;

/* CPU time (user + system) @pid has used so far, in µs. */
static double
cpu_time_us (GPid pid)
{
  guint64 ns = 0;

  qvirt_proc_get_cpu_time_ns (pid, &ns, NULL);
  return (double) ns / 1000.0;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

typedef struct {
  int fd;
  const char *request;
  gsize len;
  guint count;
} Writer;

static gpointer
write_requests (gpointer user_data)
{
  Writer *writer = user_data;
  /* Batches of requests per write, as a client that pipelines would. */
  g_autoptr(GString) batch = g_string_new (NULL);

  for (guint i = 0; i < 64; i++)
    g_string_append_len (batch, writer->request, (gssize) writer->len);
  for (guint sent = 0; sent < writer->count; sent += 64)
    write_all (writer->fd, batch->str, MIN (64u, writer->count - sent) * writer->len);
  return NULL;
}

/* Runs @request against the server at @path (process @server_pid). */
static Result
measure (const char *path, GPid server_pid, const char *request, guint ops)
{
  LineClient *client = line_client_connect (path);
  gsize len = strlen (request);
  gint64 *times = g_new (gint64, ops);
  Result result;
  Writer writer = { client->fd, request, len, PIPELINED_OPS };
  GThread *thread;
  gint64 start;
  double cpu_start;

  /* Warm up. */
  for (guint i = 0; i < ops / 10; i++)
    {
      write_all (client->fd, request, len);
      read_line (client);
    }
  cpu_start = cpu_time_us (server_pid);
  for (guint i = 0; i < ops; i++)
    {
      gint64 t0 = now_ns ();

      write_all (client->fd, request, len);
      read_line (client);
      times[i] = now_ns () - t0;
    }
  result.sequential_cpu_us = (cpu_time_us (server_pid) - cpu_start) / ops;
  qsort (times, ops, sizeof *times, compare_gint64);
  result.median_us = (double) times[ops / 2] / 1000.0;
  result.p99_us = (double) times[(gsize) ops * 99 / 100] / 1000.0;

  cpu_start = cpu_time_us (server_pid);
  start = now_ns ();
  thread = g_thread_new ("writer", write_requests, &writer);
  for (guint i = 0; i < PIPELINED_OPS; i++)
    read_line (client);
  result.calls_per_s = PIPELINED_OPS / ((double) (now_ns () - start) / 1e9);
  result.pipelined_cpu_us = (cpu_time_us (server_pid) - cpu_start) / PIPELINED_OPS;
  g_thread_join (thread);

  g_free (times);
  line_client_free (client);
  return result;
}

static void
print_result (const char *what, Result r, Result floor)
{
  printf ("  %-30s median %6.1f µs (%4.1fx echo)  p99 %6.1f µs  server CPU %5.1f µs/call\n"
          "  %-30s pipelined %9.0f calls/s (%4.2f of echo)  server CPU %5.1f µs/call\n",
          what, r.median_us, r.median_us / floor.median_us, r.p99_us, r.sequential_cpu_us,
          "", r.calls_per_s, r.calls_per_s / floor.calls_per_s, r.pipelined_cpu_us);
}

/* ------------------------------------------------------------------ */
/* The daemon                                                           */

static guint64
rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static GPid
spawn_daemon (const char *root, int *stderr_fd)
{
  const char *argv[] = { QVIRT_BENCH_QVIRTD, "--root", root, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_MS * 1000;
  GPid pid;

  g_spawn_async_with_pipes_and_fds (NULL, argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                    NULL, NULL, -1, -1, -1, NULL, NULL, 0, &pid, NULL, NULL,
                                    stderr_fd, &error);
  g_assert_no_error (error);
  while (strstr (log->str, "qvirtd: info: ready") == NULL)
    {
      struct pollfd pfd = { .fd = *stderr_fd, .events = POLLIN };
      char buffer[4096];
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      gssize n;

      if (left <= 0 || poll (&pfd, 1, (int) left) <= 0 ||
          (n = read (*stderr_fd, buffer, sizeof buffer)) <= 0)
        g_error ("qvirtd did not become ready; it wrote:\n%s", log->str);
      g_string_append_len (log, buffer, n);
    }
  return pid;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir)
    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, entry, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
            !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* One call with a raw line on @client; returns the reply line. */
static char *
call (LineClient *client, const char *line)
{
  gsize len;

  write_all (client->fd, line, strlen (line));
  len = read_line (client);
  return g_strndup (client->buffer + client->start - len - 1, len);
}

/* The same on a connection of its own. */
static char *
call_line (const char *path, const char *line)
{
  LineClient *client = line_client_connect (path);
  char *reply = call (client, line);

  line_client_free (client);
  return reply;
}

/* Creates @count transient guestless domains bench-vm-N on @client, one
 * after the other, with autodestroy so that they go with the connection
 * should this process die. Returns how many run; stops at the first that
 * fails and prints why. */
static guint
create_vms (LineClient *client, guint count)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *request =
        g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"domain.create\",\"params\":"
                         "{\"autodestroy\":true,\"xml\":\"<domain type='qemu'>"
                         "<name>bench-vm-%u</name><memory unit='MiB'>32</memory>"
                         "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                         "<devices><memballoon model='none'/></devices></domain>\"}}\n", i);
      g_autofree char *reply = call (client, request);

      if (strstr (reply, "\"result\"") == NULL)
        {
          printf ("  (domain bench-vm-%u did not start: %s)\n", i, reply);
          return i;
        }
    }
  return count;
}

static void
destroy_vms (LineClient *client, guint count)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *request =
        g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"domain.destroy\","
                         "\"params\":{\"name\":\"bench-vm-%u\"}}\n", i);

      g_free (call (client, request));
    }
}

int
main (int argc, char **argv)
{
  guint ops = argc > 1 ? (guint) atoi (argv[1]) : DEFAULT_OPS;
  const char *info = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"domain.info\","
                     "\"params\":{\"name\":\"bench\"}}\n";
  const char *define = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"domain.define\",\"params\":"
                       "{\"xml\":\"<domain type='qemu'><name>bench</name>"
                       "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                       "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                       "<devices><memballoon model='none'/></devices></domain>\"}}\n";
  const char *start = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"domain.start\","
                      "\"params\":{\"name\":\"bench\"}}\n";
  const char *destroy = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"domain.destroy\","
                        "\"params\":{\"name\":\"bench\"}}\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("qvirt-bench-daemon-XXXXXX", &error);
  g_autofree char *echo_path = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *reply = NULL;
  LineClient *vm_client;
  Result floor;
  Result shutoff;
  GPid echo_pid;
  GPid pid;
  int echo_fd;
  int stderr_fd;
  int status;
  guint64 idle_rss;
  guint64 vms_rss;
  guint64 vms_gone_rss;
  guint running_vms;

  g_assert_no_error (error);
  if (ops < 100)
    ops = 100;
  echo_path = g_build_filename (root, "echo.sock", NULL);
  socket_path = g_build_filename (root, "run", "qvirt.sock", NULL);

  echo_fd = qvirt_unix_socket_listen (echo_path, 0600, TRUE, &error);
  g_assert_no_error (error);
  echo_pid = spawn_echo_server (echo_fd);

  pid = spawn_daemon (root, &stderr_fd);
  idle_rss = rss_kib (pid);
  g_free (call_line (socket_path, define));

  /* Before the round trips, whose buffers would hide what the domains
   * take; and the domains are gone again before anything is timed. */
  vm_client = line_client_connect (socket_path);
  running_vms = create_vms (vm_client, RUNNING_VMS);
  vms_rss = rss_kib (pid);
  destroy_vms (vm_client, running_vms);
  line_client_free (vm_client);
  vms_gone_rss = rss_kib (pid);

  printf ("bench-daemon: %u sequential round trips, %u pipelined, one connection each\n",
          ops, PIPELINED_OPS);
  floor = measure (echo_path, echo_pid, info, ops);
  print_result ("echo server (the floor)", floor, floor);
  shutoff = measure (socket_path, pid, info, ops);
  print_result ("qvirtd domain.info, shut off", shutoff, floor);

  reply = call_line (socket_path, start);
  if (strstr (reply, "\"result\"") != NULL)
    {
      Result running = measure (socket_path, pid, info, ops);

      print_result ("qvirtd domain.info, running", running, floor);
      g_free (call_line (socket_path, destroy));
    }
  else
    printf ("  qvirtd domain.info, running: not measured, the domain did not start: %s\n",
            reply);

  printf ("  qvirtd RSS: %" G_GUINT64_FORMAT " KiB idle (just started); %" G_GUINT64_FORMAT
          " KiB with %u more domains running (%u wanted), %" G_GUINT64_FORMAT
          " KiB once they were destroyed; %" G_GUINT64_FORMAT " KiB after the round trips\n",
          idle_rss, vms_rss, running_vms, RUNNING_VMS, vms_gone_rss, rss_kib (pid));
  printf ("  targets: median ≤ 25 µs, ≥ 50000 calls/s pipelined, ≤ 8192 KiB idle\n");

  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  close (stderr_fd);
  kill (echo_pid, SIGTERM);
  waitpid (echo_pid, &status, 0);
  close (echo_fd);
  g_unlink (echo_path);

  remove_tree (root);
  return 0;
}
