/* QmpClient against a real qemu-system-x86_64 (suite "qemu").
 *
 * Each test starts its own QEMU through the shared harness (paused,
 * `-machine none` unless a CPU is needed) and talks to it through
 * libqmp only. Faults QEMU cannot be made to produce are tested against
 * a fake peer in test-client-faults.c.
 *
 * Every test waits for all the callbacks it started before returning,
 * so no callback outlives the test that owns its data.
 */
#include "qvirt/qmp.h"

#include "qemu-harness.h"
#include "test-wait.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Generous: the suite also runs under sanitizers on a loaded machine. */
#define WAIT_MS 30000

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static const char * const machine_pc_tcg[] = {
  "-machine", "pc", "-accel", "tcg", NULL
};

/* A ready client with a default timeout, so a QEMU that stops
 * answering fails the test instead of hanging it. */
static QmpClient *
connect_client (TestQemu *qemu, QmpClientFlags flags)
{
  g_autoptr(GError) error = NULL;
  QmpClient *client = qmp_client_connect_sync (qemu->qmp_path, flags, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  qmp_client_set_default_timeout (client, WAIT_MS);
  return client;
}

static int
connect_unix (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    g_error ("cannot connect to %s: %s", path, g_strerror (errno));
  return fd;
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static json_t *
execute_ok (QmpClient *client, const char *command, json_t *arguments)
{
  g_autoptr(GError) error = NULL;
  json_t *result = qmp_client_execute_sync (client, command, arguments, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static GError *
execute_error (QmpClient *client, const char *command, json_t *arguments)
{
  GError *error = NULL;
  json_t *result = qmp_client_execute_sync (client, command, arguments, NULL, &error);

  g_assert_null (result);
  g_assert_nonnull (error);
  return error;
}

static void
assert_status (json_t *status, const char *expected)
{
  g_assert_true (json_is_object (status));
  g_assert_cmpstr (json_string_value (json_object_get (status, "status")), ==, expected);
}

/* ------------------------------------------------------------------ */
/* Handshake                                                           */

/* The version `QEMU --version` prints, and its whole output. */
static void
binary_version (int *major, int *minor, int *micro, char **output)
{
  const char *argv[] = { test_qemu_binary (), "--version", NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, output, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sscanf (*output, "QEMU emulator version %d.%d.%d",
                           major, minor, micro), ==, 3);
}

static void
check_version (QmpClient *client)
{
  g_autofree char *output = NULL;
  g_autofree char *package = NULL;
  int major, minor, micro;
  int qmp_major = -1, qmp_minor = -1, qmp_micro = -1;
  const char *qmp_package;

  binary_version (&major, &minor, &micro, &output);
  qmp_package = qmp_client_get_version (client, &qmp_major, &qmp_minor, &qmp_micro);
  g_test_message ("QEMU %d.%d.%d, package '%s'", qmp_major, qmp_minor, qmp_micro,
                  qmp_package);
  g_assert_cmpint (qmp_major, ==, major);
  g_assert_cmpint (qmp_minor, ==, minor);
  g_assert_cmpint (qmp_micro, ==, micro);
  /* --version prints the package string too, in parentheses. */
  g_assert_nonnull (qmp_package);
  package = g_strstrip (g_strdup (qmp_package));
  g_assert_nonnull (strstr (output, package));
}

static void
test_connect_sync (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) status = NULL;

  g_assert_true (qmp_client_is_connected (client));
  check_version (client);
  g_assert_true (qmp_client_has_capability (client, "oob"));
  g_assert_false (qmp_client_has_capability (client, "no-such-capability"));
  /* Offered but not asked for. */
  g_assert_false (qmp_client_is_oob_enabled (client));
  status = qmp_client_execute_full_sync (client, "query-yank", NULL, NULL, 0,
                                         QMP_EXECUTE_OOB, QMP_TIMEOUT_DEFAULT,
                                         NULL, &error);
  g_assert_null (status);
  g_assert_error (error, QMP_ERROR, QMP_ERROR_FAILED);
}

/* Does @yank list the monitor's own chardev (id "qmp" in the harness)? */
static gboolean
yank_lists_monitor (json_t *yank)
{
  size_t i;
  json_t *instance;

  json_array_foreach (yank, i, instance)
    if (g_strcmp0 (json_string_value (json_object_get (instance, "type")), "chardev") == 0 &&
        g_strcmp0 (json_string_value (json_object_get (instance, "id")), "qmp") == 0)
      return TRUE;
  return FALSE;
}

static void
test_connect_oob (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_OOB);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) yank = NULL;
  g_autoptr(json_t) status = NULL;

  g_assert_true (qmp_client_is_oob_enabled (client));
  /* query-yank is one of QEMU 7.2's few "allow-oob" commands, and
   * harmless. */
  yank = qmp_client_execute_full_sync (client, "query-yank", NULL, NULL, 0,
                                       QMP_EXECUTE_OOB, QMP_TIMEOUT_DEFAULT,
                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_is_array (yank));
  g_assert_true (yank_lists_monitor (yank));

  /* In-band commands still work on an OOB connection. */
  status = execute_ok (client, "query-status", NULL);
  assert_status (status, "prelaunch");
}

static void
test_for_fd_handshake_async (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) status = NULL;

  client = qmp_client_new_for_fd (connect_unix (qemu->qmp_path),
                                  QMP_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client);
  g_assert_null (qmp_client_get_version (client, NULL, NULL, NULL));

  qmp_client_handshake_async (client, NULL, store_result, &result);
  g_assert_true (test_wait_for_pointer ((gpointer *) &result, WAIT_MS));
  g_assert_true (qmp_client_handshake_finish (client, result, &error));
  g_assert_no_error (error);

  check_version (client);
  g_assert_true (qmp_client_has_capability (client, "oob"));
  status = execute_ok (client, "query-status", NULL);
  assert_status (status, "prelaunch");
}

/* A socket path longer than sun_path allows is reached through its
 * directory. QEMU's socket is hard-linked into a deep directory. */
static void
test_connect_long_path (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(QmpClient) client = NULL;
  g_autoptr(json_t) status = NULL;
  g_autofree char *component = g_strnfill (60, 'd');
  g_autofree char *socket_path = NULL;
  char *dir = g_dir_make_tmp ("qvirt-long-XXXXXX", &error);

  g_assert_no_error (error);
  g_ptr_array_add (dirs, dir);
  for (int i = 0; i < 3; i++)
    {
      dir = g_build_filename (dir, component, NULL);
      g_assert_cmpint (mkdir (dir, 0700), ==, 0);
      g_ptr_array_add (dirs, dir);
    }
  socket_path = g_build_filename (dir, "qmp.sock", NULL);
  g_assert_cmpuint (strlen (socket_path), >, sizeof ((struct sockaddr_un *) 0)->sun_path);
  g_assert_cmpint (link (qemu->qmp_path, socket_path), ==, 0);

  client = qmp_client_connect_sync (socket_path, QMP_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client);
  status = execute_ok (client, "query-status", NULL);
  assert_status (status, "prelaunch");

  g_assert_cmpint (unlink (socket_path), ==, 0);
  for (guint i = dirs->len; i > 0; i--)
    g_assert_cmpint (rmdir (dirs->pdata[i - 1]), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static void
test_command_sync (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(json_t) status = execute_ok (client, "query-status", NULL);
  g_autoptr(json_t) arguments = json_pack ("{s:s}", "command-line", "print /d 4321");
  g_autoptr(json_t) printed = NULL;

  assert_status (status, "prelaunch");
  g_assert_true (json_is_false (json_object_get (status, "running")));
  printed = execute_ok (client, "human-monitor-command", arguments);
  g_assert_cmpstr (json_string_value (printed), ==, "4321\r\n");
}

static void
test_command_async (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) status = NULL;

  qmp_client_execute_async (client, "query-status", NULL, NULL, store_result, &result);
  g_assert_true (test_wait_for_pointer ((gpointer *) &result, WAIT_MS));
  status = qmp_client_execute_finish (client, result, &error);
  g_assert_no_error (error);
  assert_status (status, "prelaunch");
}

static void
test_command_errors (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(json_t) bad_arguments = json_pack ("{s:i}", "no-such-argument", 1);
  g_autoptr(json_t) unknown_fd = json_pack ("{s:s}", "fdname", "no-such-fd");
  g_autoptr(GError) not_found = NULL;
  g_autoptr(GError) bad_argument = NULL;
  g_autoptr(GError) generic = NULL;
  g_autoptr(GError) other = g_error_new_literal (QMP_ERROR, QMP_ERROR_TIMEOUT, "x");

  not_found = execute_error (client, "no-such-command", NULL);
  g_assert_error (not_found, QMP_ERROR, QMP_ERROR_COMMAND);
  g_assert_cmpstr (qmp_error_get_class (not_found), ==, "CommandNotFound");
  g_assert_nonnull (strstr (not_found->message, "no-such-command"));

  bad_argument = execute_error (client, "query-status", bad_arguments);
  g_assert_error (bad_argument, QMP_ERROR, QMP_ERROR_COMMAND);
  g_assert_cmpstr (qmp_error_get_class (bad_argument), ==, "GenericError");
  g_assert_nonnull (strstr (bad_argument->message, "no-such-argument"));

  generic = execute_error (client, "closefd", unknown_fd);
  g_assert_error (generic, QMP_ERROR, QMP_ERROR_COMMAND);
  g_assert_cmpstr (qmp_error_get_class (generic), ==, "GenericError");
  g_assert_nonnull (strstr (generic->message, "no-such-fd"));

  /* Only command errors have a class. */
  g_assert_null (qmp_error_get_class (other));
  g_assert_null (qmp_error_get_class (NULL));

  /* An error leaves the connection usable. */
  json_decref (execute_ok (client, "query-status", NULL));
}

/* ------------------------------------------------------------------ */
/* Many commands in flight                                             */

#define N_IN_FLIGHT 1000

/* Even calls run query-status; odd calls print their own index through
 * the human monitor, so each reply shows which call it answers. */
typedef struct {
  QmpClient *client;
  guint index;
  json_t *result;
  GError *error;
  guint completion_rank;
  guint *completed;
} InFlightCall;

static void
on_in_flight_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  InFlightCall *call = user_data;

  g_assert_cmpuint (call->completion_rank, ==, 0);
  call->result = qmp_client_execute_finish (call->client, result, &call->error);
  call->completion_rank = ++*call->completed;
}

static void
test_many_in_flight (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autofree InFlightCall *calls = g_new0 (InFlightCall, N_IN_FLIGHT);
  guint completed = 0;

  for (guint i = 0; i < N_IN_FLIGHT; i++)
    {
      calls[i] = (InFlightCall) { .client = client, .index = i, .completed = &completed };
      if (i % 2 == 0)
        qmp_client_execute_async (client, "query-status", NULL, NULL,
                                  on_in_flight_done, &calls[i]);
      else
        {
          g_autofree char *line = g_strdup_printf ("print /d %u", i);
          g_autoptr(json_t) arguments = json_pack ("{s:s}", "command-line", line);

          qmp_client_execute_async (client, "human-monitor-command", arguments,
                                    NULL, on_in_flight_done, &calls[i]);
        }
    }
  /* Nothing ran the context yet: every command is in flight at once. */
  g_assert_cmpuint (completed, ==, 0);

  g_assert_true (test_wait_for_count (&completed, N_IN_FLIGHT, WAIT_MS));
  for (guint i = 0; i < N_IN_FLIGHT; i++)
    {
      g_assert_no_error (calls[i].error);
      if (i % 2 == 0)
        assert_status (calls[i].result, "prelaunch");
      else
        {
          g_autofree char *expected = g_strdup_printf ("%u\r\n", i);

          g_assert_cmpstr (json_string_value (calls[i].result), ==, expected);
        }
      /* QEMU answers in-band commands in order. */
      g_assert_cmpuint (calls[i].completion_rank, ==, i + 1);
      json_decref (calls[i].result);
    }
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

typedef struct {
  char *name;
  gint64 timestamp_us;
  gint64 received_us;
} ReceivedEvent;

static void
received_event_free (gpointer data)
{
  ReceivedEvent *event = data;

  g_free (event->name);
  g_free (event);
}

typedef struct {
  GPtrArray *events;   /* of ReceivedEvent */
  guint destroyed;
  guint unsubscribe_after;   /* 0: never */
  guint subscription;
} EventLog;

static void
event_log_init (EventLog *log)
{
  *log = (EventLog) { .events = g_ptr_array_new_with_free_func (received_event_free) };
}

static void
event_log_clear (EventLog *log)
{
  g_clear_pointer (&log->events, g_ptr_array_unref);
}

static void
on_event (QmpClient *client, const char *name, json_t *data,
          gint64 timestamp_us, gpointer user_data)
{
  EventLog *log = user_data;
  ReceivedEvent *event = g_new0 (ReceivedEvent, 1);

  g_assert_true (json_is_object (data));
  event->name = g_strdup (name);
  event->timestamp_us = timestamp_us;
  event->received_us = g_get_real_time ();
  g_ptr_array_add (log->events, event);
  if (log->events->len == log->unsubscribe_after)
    qmp_client_unsubscribe (client, log->subscription);
}

static void
on_event_log_destroyed (gpointer user_data)
{
  EventLog *log = user_data;

  log->destroyed++;
}

static const char *
event_name (EventLog *log, guint i)
{
  return ((ReceivedEvent *) log->events->pdata[i])->name;
}

static void
assert_timestamp_recent (EventLog *log, guint i)
{
  ReceivedEvent *event = log->events->pdata[i];

  /* QEMU stamps events with its wall clock, as we read ours: the two
   * agree to well within a few seconds. */
  g_assert_cmpint (event->timestamp_us, >, event->received_us - 5 * G_USEC_PER_SEC);
  g_assert_cmpint (event->timestamp_us, <=, event->received_us + G_USEC_PER_SEC);
}

/* Index of the first event named @name in @log, or -1. Other events
 * (QEMU may emit some of its own) are allowed around the expected ones. */
static gint
find_event (EventLog *log, const char *name)
{
  for (guint i = 0; i < log->events->len; i++)
    if (strcmp (event_name (log, i), name) == 0)
      return (gint) i;
  return -1;
}

/* `cont` then `stop`, waiting for each one's event on the logs of
 * subscribers to RESUME and to STOP. */
static void
run_cont_then_stop (QmpClient *client, EventLog *resumes, EventLog *stops)
{
  g_autoptr(json_t) running = NULL;
  g_autoptr(json_t) paused = NULL;

  json_decref (execute_ok (client, "cont", NULL));
  g_assert_true (test_wait_for_count (&resumes->events->len, 1, WAIT_MS));
  running = execute_ok (client, "query-status", NULL);
  assert_status (running, "running");

  json_decref (execute_ok (client, "stop", NULL));
  g_assert_true (test_wait_for_count (&stops->events->len, 1, WAIT_MS));
  paused = execute_ok (client, "query-status", NULL);
  assert_status (paused, "paused");
}

static void
test_events (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (machine_pc_tcg);
  QmpClient *client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  EventLog all, stops, resumes;
  guint id_all, id_stops, id_resumes;
  gint resume_index, stop_index;

  test_qemu_accel ();   /* prints which accelerator, as a TAP comment */
  event_log_init (&all);
  event_log_init (&stops);
  event_log_init (&resumes);
  id_all = qmp_client_subscribe (client, NULL, on_event, &all, on_event_log_destroyed);
  id_stops = qmp_client_subscribe (client, "STOP", on_event, &stops,
                                   on_event_log_destroyed);
  id_resumes = qmp_client_subscribe (client, "RESUME", on_event, &resumes,
                                     on_event_log_destroyed);
  g_assert_cmpuint (id_all, !=, 0);
  g_assert_cmpuint (id_stops, !=, 0);
  g_assert_cmpuint (id_resumes, !=, 0);
  g_assert_cmpuint (id_all, !=, id_stops);
  g_assert_cmpuint (id_stops, !=, id_resumes);

  run_cont_then_stop (client, &resumes, &stops);

  /* By name: exactly the one event each. */
  g_assert_cmpuint (resumes.events->len, ==, 1);
  g_assert_cmpstr (event_name (&resumes, 0), ==, "RESUME");
  g_assert_cmpuint (stops.events->len, ==, 1);
  g_assert_cmpstr (event_name (&stops, 0), ==, "STOP");
  assert_timestamp_recent (&resumes, 0);
  assert_timestamp_recent (&stops, 0);

  /* All events: both, in order, with the same timestamps. */
  resume_index = find_event (&all, "RESUME");
  stop_index = find_event (&all, "STOP");
  g_assert_cmpint (resume_index, >=, 0);
  g_assert_cmpint (stop_index, >, resume_index);
  g_assert_cmpint (((ReceivedEvent *) all.events->pdata[resume_index])->timestamp_us, ==,
                   ((ReceivedEvent *) resumes.events->pdata[0])->timestamp_us);
  g_assert_cmpint (((ReceivedEvent *) all.events->pdata[stop_index])->timestamp_us, ==,
                   ((ReceivedEvent *) stops.events->pdata[0])->timestamp_us);
  g_assert_cmpint (((ReceivedEvent *) resumes.events->pdata[0])->timestamp_us, <=,
                   ((ReceivedEvent *) stops.events->pdata[0])->timestamp_us);

  qmp_client_unsubscribe (client, id_stops);
  g_assert_cmpuint (stops.destroyed, ==, 1);
  g_assert_cmpuint (all.destroyed, ==, 0);

  /* The last unref releases the remaining subscriptions' data. */
  qmp_client_unref (client);
  g_assert_cmpuint (all.destroyed, ==, 1);
  g_assert_cmpuint (resumes.destroyed, ==, 1);
  g_assert_cmpuint (stops.destroyed, ==, 1);

  event_log_clear (&all);
  event_log_clear (&stops);
  event_log_clear (&resumes);
}

static void
test_unsubscribe_in_callback (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (machine_pc_tcg);
  QmpClient *client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  EventLog before, once, after, resumes, stops;

  event_log_init (&before);
  event_log_init (&once);
  event_log_init (&after);
  event_log_init (&resumes);
  event_log_init (&stops);
  /* The self-removing subscriber sits between two others: they must
   * both still see the event during which it leaves, and all after. */
  qmp_client_subscribe (client, NULL, on_event, &before, on_event_log_destroyed);
  once.unsubscribe_after = 1;
  once.subscription = qmp_client_subscribe (client, NULL, on_event, &once,
                                            on_event_log_destroyed);
  qmp_client_subscribe (client, NULL, on_event, &after, on_event_log_destroyed);
  qmp_client_subscribe (client, "RESUME", on_event, &resumes, NULL);
  qmp_client_subscribe (client, "STOP", on_event, &stops, NULL);

  run_cont_then_stop (client, &resumes, &stops);

  g_assert_cmpuint (once.events->len, ==, 1);
  g_assert_cmpuint (once.destroyed, ==, 1);
  g_assert_cmpuint (before.events->len, >=, 2);
  g_assert_cmpuint (after.events->len, ==, before.events->len);
  g_assert_cmpstr (event_name (&once, 0), ==, event_name (&before, 0));
  g_assert_cmpstr (event_name (&after, 0), ==, event_name (&before, 0));
  g_assert_cmpint (find_event (&after, "STOP"), >, find_event (&after, "RESUME"));

  /* Unsubscribing again is harmless. */
  qmp_client_unsubscribe (client, once.subscription);
  qmp_client_unref (client);
  g_assert_cmpuint (once.destroyed, ==, 1);
  g_assert_cmpuint (before.destroyed, ==, 1);
  g_assert_cmpuint (after.destroyed, ==, 1);

  event_log_clear (&before);
  event_log_clear (&once);
  event_log_clear (&after);
  event_log_clear (&resumes);
  event_log_clear (&stops);
}

/* ------------------------------------------------------------------ */
/* File descriptor passing                                             */

static int
open_temp_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("qvirt-fd-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (unlink (path), ==, 0);
  return fd;
}

static void
test_fd_getfd_closefd (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(json_t) name = json_pack ("{s:s}", "fdname", "test-fd");
  g_autoptr(json_t) got = NULL;
  g_autoptr(json_t) closed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  int fd = open_temp_file ();

  got = qmp_client_execute_full_sync (client, "getfd", name, &fd, 1, QMP_EXECUTE_NONE,
                                      QMP_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_is_object (got));
  /* The caller's descriptor stays the caller's. */
  g_assert_cmpint (fcntl (fd, F_GETFD), >=, 0);
  close (fd);

  closed = execute_ok (client, "closefd", name);
  g_assert_true (json_is_object (closed));

  /* It is gone now. */
  again = execute_error (client, "closefd", name);
  g_assert_error (again, QMP_ERROR, QMP_ERROR_COMMAND);
  g_assert_cmpstr (qmp_error_get_class (again), ==, "GenericError");
}

static gboolean
fdsets_contain (json_t *fdsets, json_int_t fdset_id)
{
  size_t i;
  json_t *fdset;

  json_array_foreach (fdsets, i, fdset)
    if (json_integer_value (json_object_get (fdset, "fdset-id")) == fdset_id)
      return TRUE;
  return FALSE;
}

static void
test_fd_add_fd (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(json_t) added = NULL;
  g_autoptr(json_t) fdsets = NULL;
  g_autoptr(json_t) remove = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) no_fd = NULL;
  json_t *fdset_id;
  int fd = open_temp_file ();

  added = qmp_client_execute_full_sync (client, "add-fd", NULL, &fd, 1, QMP_EXECUTE_NONE,
                                        QMP_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  close (fd);
  fdset_id = json_object_get (added, "fdset-id");
  g_assert_true (json_is_integer (fdset_id));
  g_assert_cmpint (json_integer_value (fdset_id), >=, 0);
  g_assert_true (json_is_integer (json_object_get (added, "fd")));

  fdsets = execute_ok (client, "query-fdsets", NULL);
  g_assert_true (fdsets_contain (fdsets, json_integer_value (fdset_id)));
  remove = json_pack ("{s:I}", "fdset-id", json_integer_value (fdset_id));
  json_decref (execute_ok (client, "remove-fd", remove));

  /* Without a descriptor QEMU refuses: the fd really travelled above. */
  no_fd = execute_error (client, "add-fd", NULL);
  g_assert_error (no_fd, QMP_ERROR, QMP_ERROR_COMMAND);
}

/* ------------------------------------------------------------------ */
/* Schema                                                              */

static void
test_schema_cached (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(QmpSchema) first = NULL;
  g_autoptr(QmpSchema) second = NULL;
  g_autoptr(QmpSchema) third = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) check_error = NULL;
  g_autoptr(json_t) good = json_pack ("{s:s}", "command-line", "info version");
  g_autoptr(json_t) wrong_type = json_pack ("{s:i}", "command-line", 1);

  first = qmp_client_get_schema_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  second = qmp_client_get_schema_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (first == second);
  qmp_client_get_schema_async (client, NULL, store_result, &result);
  g_assert_true (test_wait_for_pointer ((gpointer *) &result, WAIT_MS));
  third = qmp_client_get_schema_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_true (third == first);

  g_assert_true (qmp_schema_has_command (first, "query-status"));
  g_assert_true (qmp_schema_has_command (first, "getfd"));
  g_assert_false (qmp_schema_has_command (first, "no-such-command"));
  g_assert_true (qmp_schema_has_event (first, "STOP"));
  g_assert_true (qmp_schema_has_event (first, "RESUME"));
  g_assert_false (qmp_schema_has_event (first, "query-status"));
  g_assert_true (qmp_schema_command_has_argument (first, "human-monitor-command",
                                                  "command-line"));
  g_assert_false (qmp_schema_command_has_argument (first, "query-status", "x"));
  g_assert_true (qmp_schema_check_command (first, "human-monitor-command", good,
                                           &check_error));
  g_assert_no_error (check_error);
  g_assert_false (qmp_schema_check_command (first, "human-monitor-command", wrong_type,
                                            &check_error));
  g_assert_error (check_error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (check_error->message, "command-line"));
}

/* Sits between the client and QEMU and records what the client sent,
 * to see what did (not) reach QEMU. A thread, because the client's
 * side runs the main context: the relay must not depend on it. */
typedef struct {
  int client_side;
  int qemu_side;
  GMutex lock;
  GString *sent;
  GThread *thread;
} WireTap;

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gpointer
wire_tap_run (gpointer user_data)
{
  WireTap *tap = user_data;
  struct pollfd fds[2] = {
    { .fd = tap->client_side, .events = POLLIN },
    { .fd = tap->qemu_side, .events = POLLIN },
  };
  char buffer[65536];

  for (;;)
    {
      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (int i = 0; i < 2; i++)
        {
          gssize n;

          if (fds[i].revents == 0)
            continue;
          n = recv (fds[i].fd, buffer, sizeof buffer, 0);
          if (n <= 0)
            goto out;
          if (i == 0)
            {
              g_mutex_lock (&tap->lock);
              g_string_append_len (tap->sent, buffer, n);
              g_mutex_unlock (&tap->lock);
            }
          if (!write_all (fds[1 - i].fd, buffer, (gsize) n))
            goto out;
        }
    }
out:
  /* Either side closing ends the other too. */
  shutdown (tap->client_side, SHUT_RDWR);
  shutdown (tap->qemu_side, SHUT_RDWR);
  return NULL;
}

/* Returns: a tap connected to @qemu; *@client_fd is the end for the client. */
static WireTap *
wire_tap_new (TestQemu *qemu, int *client_fd)
{
  WireTap *tap = g_new0 (WireTap, 1);
  int pair[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
  tap->client_side = pair[0];
  *client_fd = pair[1];
  tap->qemu_side = connect_unix (qemu->qmp_path);
  g_mutex_init (&tap->lock);
  tap->sent = g_string_new (NULL);
  tap->thread = g_thread_new ("wire-tap", wire_tap_run, tap);
  return tap;
}

static gboolean
wire_tap_saw (WireTap *tap, const char *needle)
{
  gboolean seen;

  g_mutex_lock (&tap->lock);
  seen = strstr (tap->sent->str, needle) != NULL;
  g_mutex_unlock (&tap->lock);
  return seen;
}

/* Call after the client closed its end: the relay then ends. */
static void
wire_tap_free (WireTap *tap)
{
  g_thread_join (tap->thread);
  close (tap->client_side);
  close (tap->qemu_side);
  g_string_free (tap->sent, TRUE);
  g_mutex_clear (&tap->lock);
  g_free (tap);
}

static void
test_schema_check_commands (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) unknown_argument = NULL;
  g_autoptr(GError) wrong_type = NULL;
  g_autoptr(GError) missing = NULL;
  g_autoptr(GError) unknown_command = NULL;
  g_autoptr(GError) unchecked = NULL;
  g_autoptr(json_t) bogus = json_pack ("{s:i}", "bogus-argument", 1);
  g_autoptr(json_t) number_line = json_pack ("{s:i}", "command-line", 7);
  g_autoptr(json_t) status = NULL;
  g_autoptr(json_t) unchecked_result = NULL;
  QmpClient *client;
  WireTap *tap;
  int client_fd;

  tap = wire_tap_new (qemu, &client_fd);
  client = qmp_client_new_for_fd (client_fd, QMP_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (qmp_client_handshake_sync (client, NULL, &error));
  g_assert_no_error (error);
  qmp_client_set_default_timeout (client, WAIT_MS);
  qmp_client_set_check_commands (client, TRUE);

  unknown_argument = execute_error (client, "query-status", bogus);
  g_assert_error (unknown_argument, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (unknown_argument->message, "bogus-argument"));

  wrong_type = execute_error (client, "human-monitor-command", number_line);
  g_assert_error (wrong_type, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (wrong_type->message, "command-line"));

  missing = execute_error (client, "human-monitor-command", NULL);
  g_assert_error (missing, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (missing->message, "command-line"));

  unknown_command = execute_error (client, "no-such-command", NULL);
  g_assert_error (unknown_command, QMP_ERROR, QMP_ERROR_UNKNOWN_COMMAND);
  g_assert_nonnull (strstr (unknown_command->message, "no-such-command"));

  /* A good command passes; once its reply is here, the tap has seen
   * everything sent before it. */
  status = execute_ok (client, "query-status", NULL);
  assert_status (status, "prelaunch");
  g_assert_true (wire_tap_saw (tap, "\"query-qmp-schema\""));
  g_assert_true (wire_tap_saw (tap, "\"query-status\""));
  g_assert_false (wire_tap_saw (tap, "bogus-argument"));
  g_assert_false (wire_tap_saw (tap, "human-monitor-command"));
  g_assert_false (wire_tap_saw (tap, "no-such-command"));

  /* QMP_EXECUTE_NO_CHECK skips the check: QEMU itself refuses. */
  unchecked_result = qmp_client_execute_full_sync (client, "query-status", bogus,
                                                   NULL, 0, QMP_EXECUTE_NO_CHECK,
                                                   QMP_TIMEOUT_DEFAULT, NULL,
                                                   &unchecked);
  g_assert_null (unchecked_result);
  g_assert_error (unchecked, QMP_ERROR, QMP_ERROR_COMMAND);
  g_assert_cmpstr (qmp_error_get_class (unchecked), ==, "GenericError");
  g_assert_true (wire_tap_saw (tap, "bogus-argument"));

  qmp_client_unref (client);
  wire_tap_free (tap);
}

/* ------------------------------------------------------------------ */
/* Raw passthrough                                                     */

static json_t *
execute_raw (QmpClient *client, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = qmp_client_execute_raw_sync (client, text,
                                                        QMP_TIMEOUT_DEFAULT,
                                                        NULL, &error);
  json_error_t json_error;
  json_t *parsed;

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_test_message ("%s -> %s", text, reply);
  /* One line of JSON, like what QEMU sent. */
  g_assert_null (strchr (reply, '\n'));
  parsed = json_loads (reply, 0, &json_error);
  g_assert_nonnull (parsed);
  return parsed;
}

static void
test_raw (void)
{
  static const char * const invalid[] = {
    "not json",
    "[\"execute\", \"query-status\"]",
    "{\"command\": \"query-status\"}",
    "{\"execute\": 42}",
    "{\"execute\": \"query-status\"} trailing",
  };
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  g_autoptr(json_t) with_id = NULL;
  g_autoptr(json_t) with_number_id = NULL;
  g_autoptr(json_t) without_id = NULL;
  g_autoptr(json_t) error_reply = NULL;

  with_id = execute_raw (client, "{\"execute\":\"query-status\",\"id\":\"mine\"}");
  g_assert_cmpstr (json_string_value (json_object_get (with_id, "id")), ==, "mine");
  assert_status (json_object_get (with_id, "return"), "prelaunch");

  with_number_id = execute_raw (client, "{\"execute\": \"query-status\", \"id\": 7}");
  g_assert_cmpint (json_integer_value (json_object_get (with_number_id, "id")), ==, 7);

  without_id = execute_raw (client, "{\"execute\":\"query-status\"}");
  g_assert_null (json_object_get (without_id, "id"));
  assert_status (json_object_get (without_id, "return"), "prelaunch");

  /* A QMP error is a reply like any other here. */
  error_reply = execute_raw (client, "{\"execute\":\"no-such-command\",\"id\":\"e\"}");
  g_assert_cmpstr (json_string_value (json_object_get (error_reply, "id")), ==, "e");
  g_assert_null (json_object_get (error_reply, "return"));
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (error_reply, "error"),
                                                       "class")), ==, "CommandNotFound");

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *reply = qmp_client_execute_raw_sync (client, invalid[i],
                                                            QMP_TIMEOUT_DEFAULT,
                                                            NULL, &error);

      g_test_message ("invalid: %s", invalid[i]);
      g_assert_null (reply);
      g_assert_error (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT);
    }

  /* Nothing went wrong on the connection. */
  json_decref (execute_ok (client, "query-status", NULL));
}

/* ------------------------------------------------------------------ */
/* QEMU goes away                                                      */

typedef struct {
  guint calls;
  GError *reason;
} ClosedRecord;

static void
on_closed (QmpClient *client, const GError *reason, gpointer user_data)
{
  ClosedRecord *record = user_data;

  if (record->calls++ == 0)
    record->reason = g_error_copy (reason);
}

typedef struct {
  QmpClient *client;
  json_t *result;
  GError *error;
  gboolean done;
  guint *completed;
} Call;

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  g_assert_false (call->done);
  call->result = qmp_client_execute_finish (call->client, result, &call->error);
  call->done = TRUE;
  ++*call->completed;
}

#define N_AFTER_QUIT 20

static void
test_qemu_quits (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(QmpClient) client = connect_client (qemu, QMP_CLIENT_FLAGS_NONE);
  ClosedRecord closed = { 0 };
  Call quit;
  Call after[N_AFTER_QUIT];
  Call late;
  guint completed = 0;
  guint answered = 0;

  qmp_client_set_closed_handler (client, on_closed, &closed, NULL);

  /* quit, and commands QEMU will not live to answer (or only some). */
  quit = (Call) { .client = client, .completed = &completed };
  qmp_client_execute_async (client, "quit", NULL, NULL, on_call_done, &quit);
  for (guint i = 0; i < N_AFTER_QUIT; i++)
    {
      after[i] = (Call) { .client = client, .completed = &completed };
      qmp_client_execute_async (client, "query-status", NULL, NULL,
                                on_call_done, &after[i]);
    }

  g_assert_true (test_wait_for_count (&completed, 1 + N_AFTER_QUIT, WAIT_MS));
  g_assert_true (test_wait_for_count (&closed.calls, 1, WAIT_MS));
  /* QEMU answers quit before it goes, but when it is gone before the
   * client wrote all the commands after quit, the write error closes
   * the client before it read that answer (see the fault test
   * /qmp/faults/edge/reply-before-write-error): either outcome here. */
  if (quit.error)
    {
      g_test_message ("quit: %s", quit.error->message);
      g_assert_error (quit.error, QMP_ERROR, QMP_ERROR_CLOSED);
      g_clear_error (&quit.error);
    }
  for (guint i = 0; i < N_AFTER_QUIT; i++)
    {
      if (after[i].error == NULL)
        {
          /* Answered before QEMU went: then so was everything before. */
          g_assert_cmpuint (answered, ==, i);
          answered++;
          json_decref (after[i].result);
          continue;
        }
      g_assert_error (after[i].error, QMP_ERROR, QMP_ERROR_CLOSED);
      g_clear_error (&after[i].error);
    }
  g_test_message ("%u of %u commands after quit were answered", answered, N_AFTER_QUIT);
  g_assert_cmpuint (answered, <, N_AFTER_QUIT);

  g_assert_cmpuint (closed.calls, ==, 1);
  g_assert_error (closed.reason, QMP_ERROR, QMP_ERROR_CLOSED);
  g_assert_false (qmp_client_is_connected (client));
  g_assert_true (test_qemu_wait_exit (qemu, WAIT_MS));

  /* Later commands fail at once, and closing again changes nothing. */
  late = (Call) { .client = client, .completed = &completed };
  qmp_client_execute_async (client, "query-status", NULL, NULL, on_call_done, &late);
  g_assert_true (test_wait_for_flag (&late.done, WAIT_MS));
  g_assert_error (late.error, QMP_ERROR, QMP_ERROR_CLOSED);
  qmp_client_close (client);
  g_assert_cmpuint (closed.calls, ==, 1);

  g_clear_pointer (&quit.result, json_decref);
  g_clear_error (&late.error);
  g_clear_error (&closed.reason);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qmp/client/handshake/connect-sync", test_connect_sync);
  g_test_add_func ("/qmp/client/handshake/oob", test_connect_oob);
  g_test_add_func ("/qmp/client/handshake/for-fd-async", test_for_fd_handshake_async);
  g_test_add_func ("/qmp/client/handshake/long-path", test_connect_long_path);
  g_test_add_func ("/qmp/client/command/sync", test_command_sync);
  g_test_add_func ("/qmp/client/command/async", test_command_async);
  g_test_add_func ("/qmp/client/command/errors", test_command_errors);
  g_test_add_func ("/qmp/client/command/1000-in-flight", test_many_in_flight);
  g_test_add_func ("/qmp/client/events/all-and-by-name", test_events);
  g_test_add_func ("/qmp/client/events/unsubscribe-in-callback",
                   test_unsubscribe_in_callback);
  g_test_add_func ("/qmp/client/fd/getfd-closefd", test_fd_getfd_closefd);
  g_test_add_func ("/qmp/client/fd/add-fd", test_fd_add_fd);
  g_test_add_func ("/qmp/client/schema/cached", test_schema_cached);
  g_test_add_func ("/qmp/client/schema/check-commands", test_schema_check_commands);
  g_test_add_func ("/qmp/client/lifecycle/qemu-quits", test_qemu_quits);
  g_test_add_func ("/qmp/client/raw/passthrough", test_raw);

  return g_test_run ();
}
