/* bench-qmp: what libqmp costs on top of QEMU's own monitor.
 *
 * One QEMU (`-machine none`, paused) with two QMP monitors: libqmp talks
 * to one, a minimal raw-socket client to the other. Both run the same
 * `query-status` round trips in interleaved batches (raw, lib, raw,
 * lib, ...) so that drift of the machine affects both alike, and the
 * result is reported as the ratio libqmp / raw.
 *
 * The raw client is the floor: a blocking write of the command line and
 * a read until the reply's newline, no JSON parsing at all.
 *
 * Usage: bench-qmp [OPS [BATCHES]]   (default 10000 round trips per
 * client, in 10 batches). A benchmark prints numbers; it asserts nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qvirt/qmp.h"

#include "qemu-harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_OPS 10000
#define DEFAULT_BATCHES 10
#define PIPELINE_WINDOW 100
#define PIPELINE_REPEATS 3

/* The target of the project for the sequential ratio. */
#define TARGET_RATIO 1.10

/* ------------------------------------------------------------------ */
/* The raw client                                                      */

typedef struct {
  int fd;
  char buffer[65536];
  gsize buffered;        /* bytes in buffer */
  guint64 next_id;
} RawClient;

static void
raw_write_all (RawClient *raw, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (raw->fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("raw client: write failed: %s", g_strerror (errno));
      data += n;
      len -= (gsize) n;
    }
}

/* Reads until a whole line is buffered and drops it. The only parsing:
 * Returns: whether the line is a "return" (not an error or event). */
static gboolean
raw_read_line (RawClient *raw)
{
  for (;;)
    {
      char *newline = memchr (raw->buffer, '\n', raw->buffered);
      gssize n;

      if (newline)
        {
          gsize line_len = (gsize) (newline - raw->buffer) + 1;
          gboolean is_return = strncmp (raw->buffer, "{\"return\"", 9) == 0;

          raw->buffered -= line_len;
          memmove (raw->buffer, newline + 1, raw->buffered);
          return is_return;
        }
      if (raw->buffered == sizeof raw->buffer)
        g_error ("raw client: a line longer than %zu bytes", sizeof raw->buffer);
      n = recv (raw->fd, raw->buffer + raw->buffered,
                sizeof raw->buffer - raw->buffered, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("raw client: QEMU closed the monitor");
      raw->buffered += (gsize) n;
    }
}

static void
raw_send_query_status (RawClient *raw)
{
  char line[64];
  int len = snprintf (line, sizeof line,
                      "{\"execute\":\"query-status\",\"id\":%" G_GUINT64_FORMAT "}\n",
                      raw->next_id++);

  raw_write_all (raw, line, (gsize) len);
}

static void
raw_connect (RawClient *raw, const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  static const char capabilities[] = "{\"execute\":\"qmp_capabilities\"}\n";

  raw->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (raw->fd < 0 || strlen (path) >= sizeof addr.sun_path)
    g_error ("raw client: cannot create a socket for %s", path);
  strcpy (addr.sun_path, path);
  if (connect (raw->fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    g_error ("raw client: cannot connect to %s: %s", path, g_strerror (errno));
  raw->next_id = 1;
  raw_read_line (raw);   /* the greeting */
  raw_write_all (raw, capabilities, sizeof capabilities - 1);
  if (!raw_read_line (raw))
    g_error ("raw client: qmp_capabilities failed");
}

static void
raw_sequential (RawClient *raw, guint ops)
{
  for (guint i = 0; i < ops; i++)
    {
      raw_send_query_status (raw);
      if (!raw_read_line (raw))
        g_error ("raw client: query-status failed");
    }
}

/* Keeps @window commands in flight: one more is sent per reply. */
static void
raw_pipelined (RawClient *raw, guint ops, guint window)
{
  guint sent = 0;

  while (sent < MIN (window, ops))
    {
      raw_send_query_status (raw);
      sent++;
    }
  for (guint received = 0; received < ops; received++)
    {
      if (!raw_read_line (raw))
        g_error ("raw client: query-status failed");
      if (sent < ops)
        {
          raw_send_query_status (raw);
          sent++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* The libqmp client                                                   */

static void
lib_sequential (QmpClient *client, guint ops)
{
  for (guint i = 0; i < ops; i++)
    {
      g_autoptr(GError) error = NULL;
      json_t *status = qmp_client_execute_sync (client, "query-status", NULL,
                                                NULL, &error);

      if (status == NULL)
        g_error ("libqmp: query-status failed: %s", error->message);
      json_decref (status);
    }
}

typedef struct {
  QmpClient *client;
  guint ops;
  guint sent;
  guint received;
} Pipeline;

static void on_pipelined_reply (GObject *source, GAsyncResult *result,
                                gpointer user_data);

static void
pipeline_send_one (Pipeline *pipeline)
{
  pipeline->sent++;
  qmp_client_execute_async (pipeline->client, "query-status", NULL, NULL,
                            on_pipelined_reply, pipeline);
}

static void
on_pipelined_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipeline *pipeline = user_data;
  g_autoptr(GError) error = NULL;
  json_t *status = qmp_client_execute_finish (pipeline->client, result, &error);

  if (status == NULL)
    g_error ("libqmp: query-status failed: %s", error->message);
  json_decref (status);
  pipeline->received++;
  if (pipeline->sent < pipeline->ops)
    pipeline_send_one (pipeline);
}

/* Keeps @window commands in flight (all of them when @window >= @ops). */
static void
lib_pipelined (QmpClient *client, guint ops, guint window)
{
  Pipeline pipeline = { .client = client, .ops = ops };

  while (pipeline.sent < MIN (window, ops))
    pipeline_send_one (&pipeline);
  while (pipeline.received < ops)
    g_main_context_iteration (NULL, TRUE);
}

/* ------------------------------------------------------------------ */
/* Measuring                                                           */

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct {
  const char *name;
  GArray *samples;   /* of double */
  const char *unit;  /* "us/op" or "ops/s" */
} Series;

static void
series_init (Series *series, const char *name, const char *unit)
{
  *series = (Series) { name, g_array_new (FALSE, FALSE, sizeof (double)), unit };
}

static double
series_median (const Series *series)
{
  g_autoptr(GArray) sorted = g_array_copy (series->samples);
  guint n = sorted->len;

  g_array_sort (sorted, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) +
          g_array_index (sorted, double, n / 2)) / 2;
}

static double
series_min (const Series *series)
{
  double min = g_array_index (series->samples, double, 0);

  for (guint i = 1; i < series->samples->len; i++)
    min = MIN (min, g_array_index (series->samples, double, i));
  return min;
}

static double
series_max (const Series *series)
{
  double max = g_array_index (series->samples, double, 0);

  for (guint i = 1; i < series->samples->len; i++)
    max = MAX (max, g_array_index (series->samples, double, i));
  return max;
}

static void
series_print (const Series *series)
{
  printf ("  %-46s %10.2f %10.2f %10.2f  %s\n", series->name,
          series_median (series), series_min (series), series_max (series),
          series->unit);
}

static void
series_clear (Series *series)
{
  g_array_unref (series->samples);
}

/* Microseconds per operation of @ops operations that took @elapsed_us. */
static double
us_per_op (gint64 elapsed_us, guint ops)
{
  return (double) elapsed_us / ops;
}

static double
ops_per_second (gint64 elapsed_us, guint ops)
{
  return ops * (double) G_USEC_PER_SEC / (double) MAX (elapsed_us, 1);
}

/* CPU time this thread used, in microseconds: the client's own cost,
 * which unlike wall time does not depend on QEMU or on other load. */
static gint64
thread_cpu_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static guint
parse_count (const char *text, const char *what)
{
  char *end = NULL;
  guint64 value = g_ascii_strtoull (text, &end, 10);

  if (end == text || *end != '\0' || value == 0 || value > G_MAXUINT32)
    {
      fprintf (stderr, "bench-qmp: %s must be a positive number, not '%s'\n", what, text);
      exit (2);
    }
  return (guint) value;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *raw_dir = NULL;
  g_autofree char *raw_path = NULL;
  g_autofree char *raw_chardev = NULL;
  g_autoptr(TestQemu) qemu = NULL;
  g_autoptr(QmpClient) client = NULL;
  RawClient raw = { 0 };
  Series raw_seq, lib_seq, raw_pipe, lib_window, lib_all;
  Series raw_cpu, lib_cpu;
  guint ops = argc > 1 ? parse_count (argv[1], "OPS") : DEFAULT_OPS;
  guint batches = argc > 2 ? parse_count (argv[2], "BATCHES") : DEFAULT_BATCHES;
  guint batch_ops;
  const char *package;
  int major = 0, minor = 0, micro = 0;
  double ratio;

  if (argc > 3 || batches > ops)
    {
      fprintf (stderr, "usage: bench-qmp [OPS [BATCHES]] (BATCHES <= OPS)\n");
      return 2;
    }
  batch_ops = ops / batches;

  /* The second monitor, for the raw client, on a path QEMU binds while
   * it starts: it exists once the first monitor has greeted. */
  raw_dir = g_dir_make_tmp ("qvirt-bench-XXXXXX", &error);
  if (raw_dir == NULL)
    g_error ("%s", error->message);
  raw_path = g_build_filename (raw_dir, "raw.sock", NULL);
  raw_chardev = g_strdup_printf ("socket,id=raw,path=%s,server=on,wait=off", raw_path);
  {
    const char *qemu_args[] = {
      "-machine", "none",
      "-chardev", raw_chardev,
      "-mon", "chardev=raw,mode=control",
      NULL
    };

    qemu = test_qemu_start (qemu_args);
  }
  client = qmp_client_connect_sync (qemu->qmp_path, QMP_CLIENT_FLAGS_NONE, NULL, &error);
  if (client == NULL)
    g_error ("libqmp: cannot connect: %s", error->message);
  qmp_client_set_default_timeout (client, 60000);
  raw_connect (&raw, raw_path);
  package = qmp_client_get_version (client, &major, &minor, &micro);

  printf ("bench-qmp: query-status round trips against one QEMU %d.%d.%d%s%s "
          "(-machine none, paused)\n", major, minor, micro,
          package ? " " : "", package ? package : "");
  printf ("  sequential: %u round trips per client in %u interleaved batches of %u\n",
          batch_ops * batches, batches, batch_ops);
  printf ("  pipelined: %u round trips per run, %u runs each, interleaved\n\n",
          ops, PIPELINE_REPEATS);

  series_init (&raw_seq, "raw socket, sequential", "us/op");
  series_init (&lib_seq, "libqmp execute_sync, sequential", "us/op");
  series_init (&raw_cpu, "raw socket, sequential: client CPU", "us/op");
  series_init (&lib_cpu, "libqmp execute_sync, sequential: client CPU", "us/op");
  series_init (&raw_pipe, "raw socket, window of 100", "ops/s");
  series_init (&lib_window, "libqmp async, window of 100", "ops/s");
  series_init (&lib_all, "libqmp async, all at once", "ops/s");

  /* Warm both paths (page faults, caches, QEMU's first allocations). */
  raw_sequential (&raw, MIN (batch_ops, 500u));
  lib_sequential (client, MIN (batch_ops, 500u));

  for (guint b = 0; b < batches; b++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 cpu_start = thread_cpu_us ();
      double sample;

      raw_sequential (&raw, batch_ops);
      sample = us_per_op (g_get_monotonic_time () - start, batch_ops);
      g_array_append_val (raw_seq.samples, sample);
      sample = us_per_op (thread_cpu_us () - cpu_start, batch_ops);
      g_array_append_val (raw_cpu.samples, sample);

      start = g_get_monotonic_time ();
      cpu_start = thread_cpu_us ();
      lib_sequential (client, batch_ops);
      sample = us_per_op (g_get_monotonic_time () - start, batch_ops);
      g_array_append_val (lib_seq.samples, sample);
      sample = us_per_op (thread_cpu_us () - cpu_start, batch_ops);
      g_array_append_val (lib_cpu.samples, sample);
    }

  for (guint r = 0; r < PIPELINE_REPEATS; r++)
    {
      gint64 start = g_get_monotonic_time ();
      double sample;

      raw_pipelined (&raw, ops, PIPELINE_WINDOW);
      sample = ops_per_second (g_get_monotonic_time () - start, ops);
      g_array_append_val (raw_pipe.samples, sample);

      start = g_get_monotonic_time ();
      lib_pipelined (client, ops, PIPELINE_WINDOW);
      sample = ops_per_second (g_get_monotonic_time () - start, ops);
      g_array_append_val (lib_window.samples, sample);

      start = g_get_monotonic_time ();
      lib_pipelined (client, ops, ops);
      sample = ops_per_second (g_get_monotonic_time () - start, ops);
      g_array_append_val (lib_all.samples, sample);
    }

  printf ("  %-46s %10s %10s %10s\n", "client", "median", "min", "max");
  series_print (&raw_seq);
  series_print (&lib_seq);
  series_print (&raw_cpu);
  series_print (&lib_cpu);
  series_print (&raw_pipe);
  series_print (&lib_window);
  series_print (&lib_all);

  ratio = series_median (&lib_seq) / series_median (&raw_seq);
  printf ("\n  sequential ratio libqmp/raw (medians): %.3f  (target <= %.2f: %s)\n",
          ratio, TARGET_RATIO, ratio <= TARGET_RATIO ? "met" : "NOT met");
  printf ("  sequential overhead of libqmp: %+.2f us/op\n",
          series_median (&lib_seq) - series_median (&raw_seq));
  printf ("  client CPU of libqmp per op: %+.2f us over the raw client\n",
          series_median (&lib_cpu) - series_median (&raw_cpu));
  printf ("  pipelined ratio raw/libqmp (window of 100, medians): %.3f\n",
          series_median (&raw_pipe) / series_median (&lib_window));

  series_clear (&raw_seq);
  series_clear (&lib_seq);
  series_clear (&raw_cpu);
  series_clear (&lib_cpu);
  series_clear (&raw_pipe);
  series_clear (&lib_window);
  series_clear (&lib_all);
  close (raw.fd);
  g_clear_pointer (&client, qmp_client_unref);
  g_clear_pointer (&qemu, test_qemu_free);
  unlink (raw_path);
  rmdir (raw_dir);
  return 0;
}
