/* libqvirt's remote transport against a real qvirtd (suite "qemu"), through
 * the public API only: qemu+unix:///?socket=PATH, qemu:///session through a
 * session daemon, and an embedding application serving its own instance
 * to the qvirt CLI. Domains have no guest (QEMU runs SeaBIOS, which finds
 * nothing to boot). The daemon runs every domain in a qvirt-run shim, so
 * most calls here cross two sockets. */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <qvirt/qvirt.h>

#include "daemon-test-util.h"

/* @call returns TRUE, or FALSE with @error set: asserts success, showing
 * the error's message when it failed. */
#define assert_ok(call, error) \
  G_STMT_START { \
    gboolean ok_ = (call); \
    g_assert_no_error (error); \
    g_assert_true (ok_); \
  } G_STMT_END

/* Clients and calls of the load tests. */
#define N_LOAD_CLIENTS 100
#define N_LOAD_CALLS 100
/* Calls in flight at once in the overlap test. */
#define N_OVERLAPPING 20

typedef struct {
  char *root;
  TestDaemon *daemon;
  char *uri;        /* qemu+unix to the read-write socket */
  char *ro_uri;     /* ... and to the read-only one */
} Fixture;

static char *
unix_uri (const char *socket_path)
{
  return g_strdup_printf ("qemu+unix:///?socket=%s", socket_path);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->root = test_root_new ();
  f->daemon = test_daemon_start (f->root);
  f->uri = unix_uri (f->daemon->socket_path);
  f->ro_uri = unix_uri (f->daemon->ro_socket_path);
}

/* A daemon still running ends with a clean stop: exit status 0 (under
 * ASan that includes "no leaks"). */
static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (!f->daemon->reaped)
    {
      int status = test_daemon_stop (f->daemon, SIGTERM);

      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  test_daemon_free (f->daemon);
  test_root_remove (f->root);
  g_free (f->root);
  g_free (f->uri);
  g_free (f->ro_uri);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static QvirtConnection *
open_ok (const char *uri, QvirtConnectionFlags flags)
{
  g_autoptr(GError) error = NULL;
  QvirtConnection *conn = qvirt_connection_open (uri, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conn);
  return conn;
}

static QvirtDomain *
define_ok (QvirtConnection *conn, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = test_xml_no_guest (name);
  QvirtDomain *domain = qvirt_connection_define_domain (conn, xml, &error);

  g_assert_no_error (error);
  g_assert_nonnull (domain);
  return domain;
}

static QvirtDomain *
lookup_ok (QvirtConnection *conn, const char *name)
{
  g_autoptr(GError) error = NULL;
  QvirtDomain *domain = qvirt_connection_lookup_domain (conn, name, &error);

  g_assert_no_error (error);
  return domain;
}

static QvirtDomainInfo *
info_ok (QvirtDomain *domain)
{
  g_autoptr(GError) error = NULL;
  QvirtDomainInfo *info = qvirt_domain_get_info (domain, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

static void
assert_state (QvirtDomain *domain, const char *state, const char *reason)
{
  g_autoptr(QvirtDomainInfo) info = info_ok (domain);

  g_assert_cmpstr (info->state, ==, state);
  if (reason)
    g_assert_cmpstr (info->reason, ==, reason);
}

static gboolean
on_flag_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until *@count reaches @wanted or
 * @timeout_ms pass. */
static gboolean
iterate_until_count (const guint *count, guint wanted, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, on_flag_timeout, &timed_out);

  while (*count < wanted && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  return *count >= wanted;
}

/* Runs what is ready on the default context, without waiting: whatever
 * a callback would do late, it has done by then. */
static void
iterate_pending (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ------------------------------------------------------------------ */
/* The qvirt CLI                                                        */

typedef struct {
  gboolean done;
  char *out;
  char *err;
  GError *error;
} CliRun;

static void
on_cli_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CliRun *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                        &run->error);
  run->done = TRUE;
}

/* Runs qvirt with the arguments in @argv and the environment @envp (NULL:
 * ours), iterating the default main context while it runs: a connection
 * of this process that serves a socket in same-thread mode answers the
 * CLI meanwhile. Returns the exit status; stdout and stderr in @out and
 * @err (both logged). */
static int
run_cli_envp (const char * const *envp, char **out, char **err, const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  CliRun run = { 0 };
  gboolean timed_out = FALSE;
  guint timeout_id;

  g_ptr_array_add (full, (gpointer) QVIRT_TEST_QVIRT_BINARY);
  for (guint i = 0; argv[i]; i++)
    g_ptr_array_add (full, (gpointer) argv[i]);
  g_ptr_array_add (full, NULL);
  line = g_strjoinv (" ", (char **) full->pdata);
  g_test_message ("$ %s", line);

  if (envp)
    g_subprocess_launcher_set_environ (launcher, (char **) envp);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_cli_done, &run);
  timeout_id = g_timeout_add (TEST_QEMU_TIMEOUT_MS, on_flag_timeout, &timed_out);
  while (!run.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    {
      g_subprocess_force_exit (process);
      g_error ("qvirt did not exit within %d ms: %s", TEST_QEMU_TIMEOUT_MS, line);
    }
  g_source_remove (timeout_id);
  g_assert_no_error (run.error);
  /* The pipes are at their end; the exit follows. */
  g_assert_true (g_subprocess_wait (process, NULL, NULL));
  g_test_message ("stdout:\n%sstderr:\n%s", run.out, run.err);
  *out = run.out;
  *err = run.err;
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

#define run_cli(out, err, ...) \
  run_cli_envp (NULL, out, err, (const char *[]) { __VA_ARGS__, NULL })

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */

/* Every domain operation over qemu+unix, each checked with the daemon's
 * own answer. */
static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) domain = NULL;
  g_autoptr(QvirtDomain) by_uuid = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *status = NULL;
  QvirtDomain *missing;
  GPid qemu_pid;

  g_assert_cmpstr (qvirt_connection_get_uri (conn), ==, f->uri);

  domain = define_ok (conn, "vm1");
  g_assert_cmpstr (qvirt_domain_get_name (domain), ==, "vm1");
  g_assert_cmpuint (strlen (qvirt_domain_get_uuid (domain)), ==, 36);
  by_uuid = lookup_ok (conn, qvirt_domain_get_uuid (domain));
  g_assert_cmpstr (qvirt_domain_get_name (by_uuid), ==, "vm1");
  assert_state (domain, "shutoff", NULL);

  assert_ok (qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error), error);
  info = info_ok (domain);
  g_assert_cmpstr (info->state, ==, "running");
  g_assert_cmpstr (info->reason, ==, "booted");
  g_assert_true (info->persistent);
  g_assert_cmpuint (info->memory_kib, ==, 64 * 1024);
  qemu_pid = (GPid) info->pid;
  g_assert_true (test_pid_is_running (qemu_pid));

  /* An error crosses the socket with its code. */
  g_assert_false (qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE);
  g_clear_error (&error);

  list = qvirt_connection_list_domains (conn, TRUE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((QvirtDomainInfo *) list->pdata[0])->name, ==, "vm1");
  g_assert_cmpint (((QvirtDomainInfo *) list->pdata[0])->pid, ==, qemu_pid);
  g_clear_pointer (&list, g_ptr_array_unref);

  assert_ok (qvirt_domain_suspend (domain, NULL, &error), error);
  assert_state (domain, "paused", "user");
  status = qvirt_domain_qmp (domain, "query-status", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (status, "\"paused\""));
  assert_ok (qvirt_domain_resume (domain, NULL, &error), error);
  assert_state (domain, "running", "unpaused");

  xml = qvirt_domain_get_xml (domain, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (xml, "<name>vm1</name>"));

  assert_ok (qvirt_domain_destroy (domain, NULL, &error), error);
  g_assert_true (test_wait_pid_gone (qemu_pid, TEST_TIMEOUT_MS));
  assert_state (domain, "shutoff", "destroyed");
  list = qvirt_connection_list_domains (conn, FALSE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((QvirtDomainInfo *) list->pdata[0])->state, ==, "shutoff");

  assert_ok (qvirt_domain_undefine (domain, &error), error);
  missing = qvirt_connection_lookup_domain (conn, "vm1", &error);
  g_assert_null (missing);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_NO_DOMAIN);
  g_clear_error (&error);
  g_assert_null (qvirt_domain_get_info (domain, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_NO_DOMAIN);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

/* Events as "domain event detail" lines, from any thread. */
typedef struct {
  GMutex mutex;
  GCond cond;
  GPtrArray *lines;
  GThread *last_thread;      /* the thread the last callback ran in */
} EventLog;

static void
event_log_init (EventLog *log)
{
  g_mutex_init (&log->mutex);
  g_cond_init (&log->cond);
  log->lines = g_ptr_array_new_with_free_func (g_free);
}

static void
event_log_clear (EventLog *log)
{
  g_ptr_array_unref (log->lines);
  g_mutex_clear (&log->mutex);
  g_cond_clear (&log->cond);
}

static void
on_event (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data)
{
  EventLog *log = user_data;
  char *line;

  if (g_str_equal (event->kind, "qmp"))
    line = g_strdup_printf ("%s qmp %s", event->domain, event->event);
  else
    line = g_strdup_printf ("%s %s %s", event->domain, event->event,
                            event->detail ? event->detail : "-");
  g_assert_cmpuint (strlen (event->uuid), ==, 36);
  g_assert_cmpint (event->timestamp_us, >, 0);
  g_mutex_lock (&log->mutex);
  g_ptr_array_add (log->lines, line);
  log->last_thread = g_thread_self ();
  g_cond_broadcast (&log->cond);
  g_mutex_unlock (&log->mutex);
}

/* Call with the mutex held. */
static gboolean
event_log_has (EventLog *log, const char *line)
{
  for (guint i = 0; i < log->lines->len; i++)
    if (g_str_equal (log->lines->pdata[i], line))
      return TRUE;
  return FALSE;
}

static gboolean
event_log_has_prefix (EventLog *log, const char *prefix)
{
  gboolean found = FALSE;

  g_mutex_lock (&log->mutex);
  for (guint i = 0; i < log->lines->len && !found; i++)
    found = g_str_has_prefix (log->lines->pdata[i], prefix);
  g_mutex_unlock (&log->mutex);
  return found;
}

/* Waits for @line: iterating the default context (@iterate, for a
 * same-thread connection) or on the condition (events come from the
 * library's thread). */
static gboolean
event_log_wait (EventLog *log, const char *line, gboolean iterate, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean timed_out = FALSE;
  guint timeout_id = iterate ? g_timeout_add (timeout_ms, on_flag_timeout, &timed_out) : 0;
  gboolean found;

  g_mutex_lock (&log->mutex);
  while (!event_log_has (log, line) && !timed_out)
    {
      if (iterate)
        {
          g_mutex_unlock (&log->mutex);
          g_main_context_iteration (NULL, TRUE);
          g_mutex_lock (&log->mutex);
        }
      else if (!g_cond_wait_until (&log->cond, &log->mutex, deadline))
        timed_out = TRUE;
    }
  found = event_log_has (log, line);
  if (!found)
    {
      g_autofree char *seen = NULL;

      g_ptr_array_add (log->lines, NULL);
      seen = g_strjoinv ("\n  ", (char **) log->lines->pdata);
      g_ptr_array_remove_index (log->lines, log->lines->len - 1);
      g_test_message ("event '%s' not seen in %u ms; events:\n  %s", line, timeout_ms, seen);
    }
  g_mutex_unlock (&log->mutex);
  if (iterate && !timed_out)
    g_source_remove (timeout_id);
  return found;
}

/* A round trip on @conn: whatever the server sent this connection before
 * has been delivered once it returns. */
static void
round_trip (QvirtConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) hello = qvirt_connection_call_sync (conn, "server.hello", NULL, NULL,
                                                        &error);

  g_assert_no_error (error);
}

/* Events reach subscribers of both threading modes, filtered by domain
 * when asked, and stop with the subscription. */
static void
test_events (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtConnection) threaded = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD);
  g_autoptr(QvirtDomain) vm1 = NULL;
  g_autoptr(QvirtDomain) vm2 = NULL;
  g_autoptr(GError) error = NULL;
  EventLog all, only_vm1, only_vm2;
  guint all_id, vm1_id, vm2_id;

  event_log_init (&all);
  event_log_init (&only_vm1);
  event_log_init (&only_vm2);
  all_id = qvirt_connection_subscribe_events (conn, NULL, on_event, &all, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all_id, >, 0);
  vm2_id = qvirt_connection_subscribe_events (conn, "vm2", on_event, &only_vm2, NULL, &error);
  g_assert_no_error (error);
  vm1_id = qvirt_connection_subscribe_events (threaded, "vm1", on_event, &only_vm1, NULL,
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vm1_id, >, 0);

  vm1 = define_ok (conn, "vm1");
  g_assert_true (event_log_wait (&all, "vm1 defined -", TRUE, TEST_TIMEOUT_MS));
  g_assert_true (event_log_wait (&only_vm1, "vm1 defined -", FALSE, TEST_TIMEOUT_MS));
  /* The threaded connection's callbacks run in the library's thread. */
  g_assert_true (only_vm1.last_thread != g_thread_self ());
  g_assert_true (all.last_thread == g_thread_self ());

  assert_ok (qvirt_domain_start (vm1, QVIRT_START_NONE, NULL, &error), error);
  g_assert_true (event_log_wait (&all, "vm1 started booted", TRUE, TEST_TIMEOUT_MS));
  g_assert_true (event_log_wait (&only_vm1, "vm1 started booted", FALSE, TEST_TIMEOUT_MS));
  assert_ok (qvirt_domain_suspend (vm1, NULL, &error), error);
  g_assert_true (event_log_wait (&all, "vm1 suspended user", TRUE, TEST_TIMEOUT_MS));

  /* vm2's events reach the vm2 subscription, not the vm1 one: the vm1
   * event that follows on the same connection proves it. */
  vm2 = define_ok (conn, "vm2");
  g_assert_true (event_log_wait (&only_vm2, "vm2 defined -", TRUE, TEST_TIMEOUT_MS));
  assert_ok (qvirt_domain_destroy (vm1, NULL, &error), error);
  g_assert_true (event_log_wait (&only_vm1, "vm1 stopped destroyed", FALSE, TEST_TIMEOUT_MS));
  g_assert_false (event_log_has_prefix (&only_vm1, "vm2 "));
  g_assert_true (event_log_wait (&all, "vm1 stopped destroyed", TRUE, TEST_TIMEOUT_MS));
  g_assert_false (event_log_has_prefix (&only_vm2, "vm1 "));

  /* After unsubscribing: the other subscription of the connection still
   * gets the event; once it has, and after a round trip, the ended one
   * has had its chance. */
  qvirt_connection_unsubscribe_events (conn, all_id);
  assert_ok (qvirt_domain_undefine (vm2, &error), error);
  g_assert_true (event_log_wait (&only_vm2, "vm2 undefined -", TRUE, TEST_TIMEOUT_MS));
  round_trip (conn);
  iterate_pending ();
  g_assert_false (event_log_has_prefix (&all, "vm2 undefined"));

  qvirt_connection_unsubscribe_events (conn, vm2_id);
  qvirt_connection_unsubscribe_events (threaded, vm1_id);
  g_clear_pointer (&threaded, qvirt_connection_close);
  g_clear_pointer (&conn, qvirt_connection_close);
  event_log_clear (&all);
  event_log_clear (&only_vm1);
  event_log_clear (&only_vm2);
}

/* ------------------------------------------------------------------ */
/* Overlapping calls                                                    */

typedef struct {
  QvirtDomain *domain;
  guint answered;
  guint failed;
  gboolean start_done;
  guint answered_before_start;
  GThread *callback_thread;
} Overlap;

static void
on_overlap_info (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Overlap *overlap = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = qvirt_domain_get_info_finish (overlap->domain, result,
                                                                  &error);

  if (info == NULL || !g_str_equal (info->name, "vm1"))
    {
      g_test_message ("domain.info failed: %s", error ? error->message : info->name);
      overlap->failed++;
    }
  overlap->callback_thread = g_thread_self ();
  overlap->answered++;
  if (!overlap->start_done)
    overlap->answered_before_start++;
}

typedef struct {
  QvirtDomain *domain;
  Overlap *overlap;
  guint done;
  GError *error;
} AsyncStart;

static void
on_overlap_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncStart *start = user_data;

  qvirt_domain_operation_finish (start->domain, result, &start->error);
  start->overlap->start_done = TRUE;
  start->done = 1;
}

/* Twenty domain.info in flight at once behind a slow domain.start on one
 * connection: all answered, and before the start, which they overtake;
 * callbacks on the caller's context in either threading mode. */
static void
test_overlapping_calls (Fixture *f, gconstpointer data)
{
  QvirtConnectionFlags flags = GPOINTER_TO_UINT (data);
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, flags);
  g_autoptr(QvirtDomain) vm1 = define_ok (conn, "vm1");
  g_autoptr(QvirtDomain) slow = define_ok (conn, "slow");
  g_autoptr(GError) error = NULL;
  Overlap overlap = { .domain = vm1 };
  AsyncStart start = { .domain = slow, .overlap = &overlap };

  qvirt_domain_start_async (slow, QVIRT_START_NONE, NULL, on_overlap_started, &start);
  for (guint i = 0; i < N_OVERLAPPING; i++)
    qvirt_domain_get_info_async (vm1, NULL, on_overlap_info, &overlap);
  /* Callbacks run on this context, never inside the call. */
  g_assert_cmpuint (overlap.answered, ==, 0);

  g_assert_true (iterate_until_count (&overlap.answered, N_OVERLAPPING, TEST_TIMEOUT_MS));
  g_assert_cmpuint (overlap.failed, ==, 0);
  g_assert_true (overlap.callback_thread == g_thread_self ());
  g_assert_true (iterate_until_count (&start.done, 1, TEST_QEMU_TIMEOUT_MS));
  g_assert_no_error (start.error);
  g_assert_cmpuint (overlap.answered_before_start, ==, N_OVERLAPPING);
  assert_state (slow, "running", "booted");

  assert_ok (qvirt_domain_destroy (slow, NULL, &error), error);
}

/* ------------------------------------------------------------------ */
/* Blocking calls from callbacks                                        */

typedef struct {
  QvirtConnection *conn;
  guint done;
  guint listed;              /* domains the blocking call saw */
  GError *error;
} NestedCall;

static void
nested_list (NestedCall *nested)
{
  g_autoptr(GPtrArray) list = qvirt_connection_list_domains (nested->conn, TRUE, TRUE,
                                                             &nested->error);

  nested->listed = list ? list->len : 0;
  nested->done++;
}

static void
on_list_then_block (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NestedCall *nested = user_data;
  g_autoptr(GPtrArray) list = qvirt_connection_list_domains_finish (nested->conn, result,
                                                                    &nested->error);

  g_assert_nonnull (list);
  nested_list (nested);
}

static void
on_event_then_block (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data)
{
  NestedCall *nested = user_data;

  if (g_str_equal (event->event, "defined"))
    nested_list (nested);
}

/* In same-thread mode a *_sync function may be called from an async
 * callback or an event callback of the same connection, as with an
 * embedded one: its reply comes in while the reply or event that called
 * it is being handled. Run in a child that fails on a timeout, since the
 * failure is a hang. */
static void
test_sync_call_in_callback (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = NULL;
  g_autoptr(QvirtDomain) vm1 = NULL;
  g_autoptr(GError) error = NULL;
  NestedCall in_reply = { 0 };
  NestedCall in_event = { 0 };
  guint subscription;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, (guint64) TEST_TIMEOUT_MS * 1000,
                              G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  in_reply.conn = in_event.conn = conn;
  subscription = qvirt_connection_subscribe_events (conn, NULL, on_event_then_block,
                                                    &in_event, NULL, &error);
  g_assert_no_error (error);
  vm1 = define_ok (conn, "vm1");
  g_assert_true (iterate_until_count (&in_event.done, 1, TEST_TIMEOUT_MS));
  g_assert_no_error (in_event.error);
  g_assert_cmpuint (in_event.listed, ==, 1);

  qvirt_connection_list_domains_async (conn, TRUE, TRUE, NULL, on_list_then_block, &in_reply);
  g_assert_true (iterate_until_count (&in_reply.done, 1, TEST_TIMEOUT_MS));
  g_assert_no_error (in_reply.error);
  g_assert_cmpuint (in_reply.listed, ==, 1);
  qvirt_connection_unsubscribe_events (conn, subscription);
}

/* ------------------------------------------------------------------ */
/* Start and destroy, over and over                                     */

#define N_CYCLING_DOMAINS 4
#define N_CYCLES 8

typedef struct {
  QvirtDomain *domain;
  guint cycles;              /* destroys done */
  gboolean running;          /* started, not destroyed yet */
  guint *finished;           /* domains done with their cycles */
  guint *failed;
} Cycler;

static void cycler_next (Cycler *cycler);

static void
on_cycle_step (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cycler *cycler = user_data;
  g_autoptr(GError) error = NULL;

  if (!qvirt_domain_operation_finish (cycler->domain, result, &error))
    {
      g_test_message ("%s: %s", qvirt_domain_get_name (cycler->domain), error->message);
      (*cycler->failed)++;
      (*cycler->finished)++;
      return;
    }
  cycler_next (cycler);
}

static void
on_cycle_destroyed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cycler *cycler = user_data;

  cycler->cycles++;
  on_cycle_step (source, result, user_data);
}

/* Runs inside callbacks of the connection: only async calls here (a sync
 * one would wait for the connection's source, which is dispatching). */
static void
cycler_next (Cycler *cycler)
{
  if (cycler->cycles == N_CYCLES)
    {
      (*cycler->finished)++;
      return;
    }
  cycler->running = !cycler->running;
  if (cycler->running)
    qvirt_domain_start_async (cycler->domain, QVIRT_START_NONE, NULL, on_cycle_step, cycler);
  else
    qvirt_domain_destroy_async (cycler->domain, NULL, on_cycle_destroyed, cycler);
}

/* Several domains started and destroyed at once, again and again: each
 * destroy is answered with success, although the domain's qvirt-run exits
 * right after answering it (the daemon may see the exit before it reads
 * the answer). */
static void
test_start_destroy_cycles (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  Cycler cyclers[N_CYCLING_DOMAINS];
  guint finished = 0, failed = 0;
  g_autoptr(GError) error = NULL;
  EventLog events;

  event_log_init (&events);
  qvirt_connection_subscribe_events (conn, NULL, on_event, &events, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_CYCLING_DOMAINS; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%u", i);

      cyclers[i] = (Cycler) { .domain = define_ok (conn, name), .finished = &finished,
                              .failed = &failed };
    }
  for (guint i = 0; i < N_CYCLING_DOMAINS; i++)
    cycler_next (&cyclers[i]);
  g_assert_true (iterate_until_count (&finished, N_CYCLING_DOMAINS, 4 * TEST_QEMU_TIMEOUT_MS));
  g_assert_cmpuint (failed, ==, 0);
  for (guint i = 0; i < N_CYCLING_DOMAINS; i++)
    {
      g_assert_cmpuint (cyclers[i].cycles, ==, N_CYCLES);
      assert_state (cyclers[i].domain, "shutoff", "destroyed");
      qvirt_domain_unref (cyclers[i].domain);
    }
  /* Each stop was a destroy, never taken for a crash. */
  round_trip (conn);
  iterate_pending ();
  g_mutex_lock (&events.mutex);
  for (guint i = 0; i < events.lines->len; i++)
    g_assert_null (strstr (events.lines->pdata[i], "crashed"));
  g_mutex_unlock (&events.mutex);
  g_clear_pointer (&conn, qvirt_connection_close);
  event_log_clear (&events);
}

/* ------------------------------------------------------------------ */
/* Read-only                                                            */

static void
assert_read_only (QvirtConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = test_xml_no_guest ("vm2");
  g_autoptr(QvirtDomain) vm1 = lookup_ok (conn, "vm1");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(json_t) hello = NULL;
  QvirtDomain *refused;

  /* What changes nothing works ... */
  list = qvirt_connection_list_domains (conn, TRUE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  assert_state (vm1, "shutoff", NULL);
  hello = qvirt_connection_call_sync (conn, "server.hello", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_is_true (json_object_get (hello, "read-only")));

  /* ... what changes something does not. */
  refused = qvirt_connection_define_domain (conn, xml, &error);
  g_assert_null (refused);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  g_assert_false (qvirt_domain_start (vm1, QVIRT_START_NONE, NULL, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  g_assert_false (qvirt_domain_undefine (vm1, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED);
}

/* The read-only socket, and QVIRT_CONNECTION_FLAGS_READ_ONLY on the
 * read-write one (which demotes the session with server.hello), refuse
 * every change. */
static void
test_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) vm1 = define_ok (conn, "vm1");
  g_autoptr(QvirtConnection) ro_socket = open_ok (f->ro_uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtConnection) ro_flag = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_READ_ONLY);
  g_autoptr(QvirtConnection) ro_threaded =
    open_ok (f->uri, QVIRT_CONNECTION_FLAGS_READ_ONLY | QVIRT_CONNECTION_FLAGS_OWN_THREAD);
  g_autoptr(GError) error = NULL;

  assert_read_only (ro_socket);
  assert_read_only (ro_flag);
  assert_read_only (ro_threaded);
  /* The read-write connection next to them is still read-write. */
  assert_ok (qvirt_domain_undefine (vm1, &error), error);
}

/* ------------------------------------------------------------------ */
/* The server goes away                                                 */

typedef struct {
  GMutex mutex;
  GCond cond;
  guint count;
  GError *reason;
  guint destroyed;
  guint replies_failed_before;   /* failed replies seen when it ran */
  guint replies_failed;
} ClosedState;

static void
closed_state_init (ClosedState *state)
{
  g_mutex_init (&state->mutex);
  g_cond_init (&state->cond);
}

static void
closed_state_clear (ClosedState *state)
{
  g_clear_error (&state->reason);
  g_mutex_clear (&state->mutex);
  g_cond_clear (&state->cond);
}

static void
on_closed (QvirtConnection *conn, const GError *reason, gpointer user_data)
{
  ClosedState *state = user_data;

  g_mutex_lock (&state->mutex);
  state->count++;
  g_clear_error (&state->reason);
  state->reason = g_error_copy (reason);
  state->replies_failed_before = state->replies_failed;
  g_cond_broadcast (&state->cond);
  g_mutex_unlock (&state->mutex);
}

static void
on_closed_destroy (gpointer user_data)
{
  ClosedState *state = user_data;

  g_mutex_lock (&state->mutex);
  state->destroyed++;
  g_mutex_unlock (&state->mutex);
}

static gboolean
closed_state_wait (ClosedState *state, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean ran;

  g_mutex_lock (&state->mutex);
  while (state->count == 0 && g_cond_wait_until (&state->cond, &state->mutex, deadline))
    ;
  ran = state->count > 0;
  g_mutex_unlock (&state->mutex);
  return ran;
}

static void
assert_calls_fail_closed (QvirtConnection *conn, QvirtDomain *domain)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *xml = test_xml_no_guest ("vm9");
  QvirtDomain *none;

  g_assert_null (qvirt_domain_get_info (domain, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_clear_error (&error);
  list = qvirt_connection_list_domains (conn, TRUE, TRUE, &error);
  g_assert_null (list);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_clear_error (&error);
  none = qvirt_connection_define_domain (conn, xml, &error);
  g_assert_null (none);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
}

/* SIGKILL while nothing is in flight, own-thread mode: the closed handler
 * runs once, in the library's thread; later calls fail with CLOSED; the
 * handler's data is freed with the connection. */
static void
test_closed_idle (Fixture *f, gconstpointer data)
{
  QvirtConnection *conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD);
  g_autoptr(QvirtDomain) vm1 = define_ok (conn, "vm1");
  ClosedState state = { 0 };
  g_autofree char *expected = NULL;

  closed_state_init (&state);
  qvirt_connection_set_closed_func (conn, on_closed, &state, on_closed_destroy);

  test_daemon_stop (f->daemon, SIGKILL);
  g_assert_true (closed_state_wait (&state, TEST_TIMEOUT_MS));
  g_assert_error (state.reason, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_test_message ("closed: %s", state.reason->message);
  g_assert_nonnull (strstr (state.reason->message, f->daemon->socket_path));

  assert_calls_fail_closed (conn, vm1);
  g_mutex_lock (&state.mutex);
  g_assert_cmpuint (state.count, ==, 1);
  g_assert_cmpuint (state.destroyed, ==, 0);
  g_mutex_unlock (&state.mutex);

  g_clear_pointer (&vm1, qvirt_domain_unref);
  qvirt_connection_close (conn);
  g_assert_cmpuint (state.count, ==, 1);
  g_assert_cmpuint (state.destroyed, ==, 1);
  closed_state_clear (&state);
}

typedef struct {
  QvirtDomain *domain;
  ClosedState *state;
  GError *error;
  guint done;
} PendingCall;

static void
on_pending_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PendingCall *call = user_data;

  if (!qvirt_domain_operation_finish (call->domain, result, &call->error))
    {
      g_mutex_lock (&call->state->mutex);
      call->state->replies_failed++;
      g_mutex_unlock (&call->state->mutex);
    }
  call->done = 1;
}

/* SIGKILL while calls are in flight (same-thread mode): each fails with
 * CLOSED before the closed handler runs, once. */
static void
test_closed_in_flight (Fixture *f, gconstpointer data)
{
  QvirtConnection *conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) vm1 = define_ok (conn, "vm1");
  g_autoptr(GError) error = NULL;
  ClosedState state = { 0 };
  PendingCall shutdown = { .domain = vm1, .state = &state };
  PendingCall suspend = { .domain = vm1, .state = &state };

  closed_state_init (&state);
  qvirt_connection_set_closed_func (conn, on_closed, &state, NULL);
  assert_ok (qvirt_domain_start (vm1, QVIRT_START_NONE, NULL, &error), error);

  /* A guest-less domain never reacts to the power button: this call waits
   * for the full minute unless something ends it. */
  qvirt_domain_shutdown_async (vm1, 60, NULL, on_pending_done, &shutdown);
  /* Requests are started in order: once this is answered, the shutdown
   * runs in the daemon. */
  round_trip (conn);
  g_assert_false (shutdown.done);
  qvirt_domain_suspend_async (vm1, NULL, on_pending_done, &suspend);
  test_daemon_stop (f->daemon, SIGKILL);

  g_assert_true (iterate_until_count (&state.count, 1, TEST_TIMEOUT_MS));
  g_assert_true (shutdown.done && suspend.done);
  g_assert_error (shutdown.error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_clear_error (&shutdown.error);
  /* The suspend may have been answered before the daemon died. */
  if (suspend.error)
    g_assert_error (suspend.error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_clear_error (&suspend.error);
  g_assert_cmpuint (state.replies_failed_before, ==, state.replies_failed);
  g_assert_error (state.reason, QVIRT_ERROR, QVIRT_ERROR_CLOSED);

  assert_calls_fail_closed (conn, vm1);
  iterate_pending ();
  g_assert_cmpuint (state.count, ==, 1);

  g_clear_pointer (&vm1, qvirt_domain_unref);
  qvirt_connection_close (conn);
  iterate_pending ();
  g_assert_cmpuint (state.count, ==, 1);
  closed_state_clear (&state);
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */

/* Nothing listening: no socket file, or a socket file nobody accepts on
 * (a server that died): QVIRT_ERROR_CLOSED naming the path. */
static void
test_nothing_listens (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->root, "nothing.sock", NULL);
  g_autofree char *stale = g_build_filename (f->root, "stale.sock", NULL);
  const char *paths[] = { missing, stale };
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  /* Bound, never listening. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (stale), <, sizeof address.sun_path);
  strcpy (address.sun_path, stale);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  close (fd);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    for (guint threaded = 0; threaded < 2; threaded++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *uri = unix_uri (paths[i]);
        g_autoptr(QvirtConnection) conn =
          qvirt_connection_open (uri, threaded ? QVIRT_CONNECTION_FLAGS_OWN_THREAD : 0, &error);

        g_assert_null (conn);
        g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
        g_test_message ("%s -> %s", uri, error->message);
        g_assert_nonnull (strstr (error->message, paths[i]));
      }
}

static void
test_bad_uris (void)
{
  const char *bad[] = {
    "qemu+unix:///",
    "qemu+unix:///?socket=",
    "qemu+unix:///?socket=relative/qvirt.sock",
    "qemu+unix:///?socket=/tmp/a.sock&extra=1",
    "qemu+unix:///?socket=/tmp/a&b.sock",
    "qemu+unix:///?socket=/tmp/a.sock&socket=/tmp/b.sock",
    "qemu+unix:///?path=/tmp/a.sock",
    "qemu+unix://somehost/?socket=/tmp/a.sock",
    "qemu:///session?socket=/tmp/a.sock",
    "qemu:///system?mode=x",
    "qemu:///embed?root=/tmp/qvirt-bad-uri&socket=relative.sock",
    "qemu:///nosuch",
    "qemu+tcp://host/system",
    "not a uri",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QvirtConnection) conn = qvirt_connection_open (bad[i], 0, &error);

      g_assert_null (conn);
      g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s -> %s", bad[i], error->message);
    }
  g_assert_false (g_file_test ("/tmp/qvirt-bad-uri", G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ */
/* qemu:///session through the daemon                                   */

#define SESSION_HOME_ENV "QVIRT_TEST_SESSION_HOME"

static char **
session_environ (const char *home)
{
  g_autofree char *runtime = g_build_filename (home, "runtime", NULL);
  char **envp = g_get_environ ();

  envp = g_environ_setenv (envp, "HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_RUNTIME_DIR", runtime, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", home, TRUE);
  return envp;
}

/* In a child process (GLib caches the XDG directories at first use, so
 * the parent's are not ours to change): libqvirt opens qemu:///session,
 * which is the session daemon, and sees what the parent defined there. */
static void
session_child (void)
{
  const char *home = g_getenv (SESSION_HOME_ENV);
  g_auto(GStrv) envp = NULL;
  g_autoptr(QvirtConnection) conn = NULL;
  g_autoptr(QvirtConnection) ro = NULL;
  g_autoptr(QvirtDomain) vm1 = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = test_xml_no_guest ("vm2");
  QvirtDomain *refused;

  g_assert_nonnull (home);
  envp = session_environ (home);
  for (guint i = 0; envp[i]; i++)
    if (g_str_has_prefix (envp[i], "XDG_") || g_str_has_prefix (envp[i], "HOME="))
      {
        g_auto(GStrv) pair = g_strsplit (envp[i], "=", 2);

        g_setenv (pair[0], pair[1], TRUE);
      }

  conn = open_ok ("qemu:///session", QVIRT_CONNECTION_FLAGS_NONE);
  list = qvirt_connection_list_domains (conn, TRUE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((QvirtDomainInfo *) list->pdata[0])->name, ==, "vm1");
  vm1 = lookup_ok (conn, "vm1");
  assert_state (vm1, "shutoff", NULL);

  /* Read-only: the daemon's read-only socket. */
  ro = open_ok ("qemu:///session", QVIRT_CONNECTION_FLAGS_READ_ONLY);
  refused = qvirt_connection_define_domain (ro, xml, &error);
  g_assert_null (refused);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED);
}

static void
test_session (void)
{
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *empty_home = NULL;
  g_auto(GStrv) envp = NULL;
  g_auto(GStrv) empty_envp = NULL;
  const char *argv[] = { QVIRT_TEST_QVIRTD, "--session", "--verbose", NULL };
  g_autoptr(TestDaemon) daemon = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected_socket = NULL;
  int status;

  if (g_test_subprocess ())
    {
      session_child ();
      return;
    }

  home = test_root_new ();
  runtime = g_build_filename (home, "runtime", NULL);
  g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);
  envp = session_environ (home);
  daemon = test_daemon_spawn_argv (home, argv, (const char * const *) envp);
  g_free (daemon->socket_path);
  g_free (daemon->ro_socket_path);
  daemon->socket_path = g_build_filename (runtime, "qvirt", "qvirt.sock", NULL);
  daemon->ro_socket_path = g_build_filename (runtime, "qvirt", "qvirt-ro.sock", NULL);
  g_assert_true (test_daemon_wait_log (daemon, "qvirtd: info: ready", TEST_TIMEOUT_MS));

  /* Something to find: defined by the parent over the socket itself. */
  uri = unix_uri (daemon->socket_path);
  {
    g_autoptr(QvirtConnection) conn = open_ok (uri, QVIRT_CONNECTION_FLAGS_NONE);
    g_autoptr(QvirtDomain) vm1 = define_ok (conn, "vm1");
  }

  g_setenv (SESSION_HOME_ENV, home, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv (SESSION_HOME_ENV);
  g_test_trap_assert_passed ();

  /* The CLI is a libqvirt client like any other. */
  status = run_cli_envp ((const char * const *) envp, &out, &err,
                         (const char *[]) { "-c", "qemu:///session", "list", "--all", NULL });
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_regex_match_simple ("^ -\\s+vm1\\s+shut off$", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Without a session daemon: one line naming the socket. */
  empty_home = test_root_new ();
  empty_envp = session_environ (empty_home);
  expected_socket = g_build_filename (empty_home, "runtime", "qvirt", "qvirt.sock", NULL);
  status = run_cli_envp ((const char * const *) empty_envp, &out, &err,
                         (const char *[]) { "-c", "qemu:///session", "list", NULL });
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, expected_socket));
  g_assert_true (g_str_has_prefix (err, "qvirt: "));

  status = test_daemon_stop (daemon, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  test_root_remove (home);
  test_root_remove (empty_home);
}

/* ------------------------------------------------------------------ */
/* An embedding application serving its instance                        */

typedef struct {
  char *dir;          /* temp dir: holds the root and the socket */
  char *root;
  char *socket_path;
  char *socket_uri;   /* qemu+unix to it */
  char *embed_uri;    /* qemu:///embed?root=ROOT */
} AppDirs;

static AppDirs *
app_dirs_new (void)
{
  AppDirs *dirs = g_new0 (AppDirs, 1);

  dirs->dir = test_root_new ();
  dirs->root = g_build_filename (dirs->dir, "root", NULL);
  dirs->socket_path = g_build_filename (dirs->dir, "app.sock", NULL);
  dirs->socket_uri = unix_uri (dirs->socket_path);
  dirs->embed_uri = g_strdup_printf ("qemu:///embed?root=%s", dirs->root);
  return dirs;
}

static void
app_dirs_free (AppDirs *dirs)
{
  test_root_remove (dirs->dir);
  g_free (dirs->dir);
  g_free (dirs->root);
  g_free (dirs->socket_path);
  g_free (dirs->socket_uri);
  g_free (dirs->embed_uri);
  g_free (dirs);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AppDirs, app_dirs_free)

/* The CLI on the application's socket sees and acts on the application's
 * own driver, while the root itself stays locked to the application. */
static void
check_served (AppDirs *dirs, QvirtConnection *app)
{
  g_autoptr(QvirtDomain) vm1 = define_ok (app, "vm1");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *holder = g_strdup_printf ("in use by process %d", (int) getpid ());
  struct stat st;

  g_assert_cmpint (stat (dirs->socket_path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_cmpint (run_cli (&out, &err, "-c", dirs->socket_uri, "list", "--all"), ==, 0);
  g_assert_true (g_regex_match_simple ("^ -\\s+vm1\\s+shut off$", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (&out, &err, "-c", dirs->socket_uri, "dumpxml", "vm1"), ==, 0);
  g_assert_true (g_str_has_prefix (out, "<domain type='qemu'>"));
  g_assert_nonnull (strstr (out, "<name>vm1</name>"));
  g_assert_nonnull (strstr (out, qvirt_domain_get_uuid (vm1)));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A start through the socket is the application's QEMU. */
  g_assert_cmpint (run_cli (&out, &err, "-c", dirs->socket_uri, "start", "vm1"), ==, 0);
  g_assert_cmpstr (out, ==, "Domain 'vm1' started\n");
  assert_state (vm1, "running", "booted");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The root itself is the application's. */
  g_assert_cmpint (run_cli (&out, &err, "-c", dirs->embed_uri, "list"), ==, 1);
  g_assert_nonnull (strstr (err, holder));
  g_assert_nonnull (strstr (err, "qemu+unix:///?socket="));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  assert_ok (qvirt_domain_destroy (vm1, NULL, &error), error);
  g_assert_cmpint (run_cli (&out, &err, "-c", dirs->socket_uri, "info", "vm1"), ==, 0);
  g_assert_true (g_regex_match_simple ("^State:\\s+shut off \\(destroyed\\)$", out,
                                       G_REGEX_MULTILINE, 0));
}

/* `qemu:///embed?root=DIR&socket=PATH`, own-thread: the library's thread
 * serves the CLI while this one waits for it. */
static void
test_serve_uri (void)
{
  g_autoptr(AppDirs) dirs = app_dirs_new ();
  g_autofree char *uri = g_strdup_printf ("%s&socket=%s", dirs->embed_uri, dirs->socket_path);
  QvirtConnection *app = open_ok (uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD);

  /* The connection names its root, not its socket. */
  g_assert_cmpstr (qvirt_connection_get_uri (app), ==, dirs->embed_uri);
  check_served (dirs, app);
  qvirt_connection_close (app);
  g_assert_false (g_file_test (dirs->socket_path, G_FILE_TEST_EXISTS));
}

/* qvirt_connection_serve() on a same-thread connection: the CLI is
 * answered while this thread iterates its context. */
static void
test_serve_function (void)
{
  g_autoptr(AppDirs) dirs = app_dirs_new ();
  QvirtConnection *app = open_ok (dirs->embed_uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *nowhere = g_build_filename (dirs->dir, "no", "such", "dir", "x.sock", NULL);

  g_assert_false (qvirt_connection_serve (app, nowhere, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_true (qvirt_connection_serve (app, dirs->socket_path, &error));
  g_assert_no_error (error);
  check_served (dirs, app);

  /* A second socket, whose name needs escaping in a URI; the client is
   * in this thread too, and its blocking calls iterate the context that
   * serves them. */
  {
    g_autofree char *odd = g_build_filename (dirs->dir, "odd name&x=1%.sock", NULL);
    g_autofree char *escaped = g_uri_escape_string (odd, "/", FALSE);
    g_autofree char *uri = g_strdup_printf ("qemu+unix:///?socket=%s", escaped);
    g_autoptr(QvirtConnection) client = NULL;
    g_autoptr(GPtrArray) list = NULL;

    g_assert_true (qvirt_connection_serve (app, odd, &error));
    g_assert_no_error (error);
    client = open_ok (uri, QVIRT_CONNECTION_FLAGS_NONE);
    list = qvirt_connection_list_domains (client, TRUE, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
    g_assert_cmpstr (((QvirtDomainInfo *) list->pdata[0])->name, ==, "vm1");
    g_clear_pointer (&client, qvirt_connection_close);
    qvirt_connection_close (app);
    g_assert_false (g_file_test (odd, G_FILE_TEST_EXISTS));
  }
  g_assert_false (g_file_test (dirs->socket_path, G_FILE_TEST_EXISTS));
}

/* Only an embedded driver can be served. */
static void
test_serve_remote (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) conn = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->root, "again.sock", NULL);

  g_assert_false (qvirt_connection_serve (conn, path, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_UNSUPPORTED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ */
/* Many clients                                                         */

typedef struct {
  const char *uri;
  guint answered;
  GError *error;
} LoadClient;

/* One client thread: its own own-thread connection, sequential calls. */
static gpointer
run_load_client (gpointer user_data)
{
  LoadClient *load = user_data;
  g_autoptr(QvirtConnection) conn =
    qvirt_connection_open (load->uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD, &load->error);
  g_autoptr(QvirtDomain) domain = NULL;

  if (conn == NULL)
    return NULL;
  domain = qvirt_connection_lookup_domain (conn, "vm1", &load->error);
  for (guint i = 0; domain != NULL && i < N_LOAD_CALLS; i++)
    {
      g_autoptr(QvirtDomainInfo) info = qvirt_domain_get_info (domain, &load->error);

      if (info == NULL)
        break;
      if (g_str_equal (info->name, "vm1") && g_str_equal (info->state, "shutoff"))
        load->answered++;
    }
  g_clear_pointer (&domain, qvirt_domain_unref);
  qvirt_connection_close (g_steal_pointer (&conn));
  return NULL;
}

static void
assert_clients_gone (Fixture *f, guint gone_before, guint fds_before)
{
  g_assert_true (test_daemon_wait_log_count (f->daemon, ": gone", gone_before + N_LOAD_CLIENTS,
                                             TEST_TIMEOUT_MS));
  g_assert_cmpuint (test_daemon_count_fds (f->daemon), ==, fds_before);
}

/* 100 threads, each with its own own-thread connection, 100 calls each. */
static void
test_many_threads (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) setup = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) vm1 = define_ok (setup, "vm1");
  LoadClient loads[N_LOAD_CLIENTS] = { { 0 } };
  GThread *threads[N_LOAD_CLIENTS];
  guint answered = 0;
  guint fds_before, gone_before;
  gint64 started;

  round_trip (setup);
  fds_before = test_daemon_count_fds (f->daemon);
  gone_before = test_daemon_count_log (f->daemon, ": gone");
  started = g_get_monotonic_time ();
  for (guint i = 0; i < N_LOAD_CLIENTS; i++)
    {
      loads[i].uri = f->uri;
      threads[i] = g_thread_new ("load-client", run_load_client, &loads[i]);
    }
  for (guint i = 0; i < N_LOAD_CLIENTS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (loads[i].error);
      answered += loads[i].answered;
    }
  g_test_message ("%u clients x %u calls in %.2f s", N_LOAD_CLIENTS, N_LOAD_CALLS,
                  (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpuint (answered, ==, N_LOAD_CLIENTS * N_LOAD_CALLS);
  assert_clients_gone (f, gone_before, fds_before);
}

typedef struct {
  QvirtDomain *domain;
  guint *answered;
  guint *failed;
} PipelinedClient;

static void
on_pipelined_info (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PipelinedClient *client = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = qvirt_domain_get_info_finish (client->domain, result,
                                                                  &error);

  if (info != NULL && g_str_equal (info->name, "vm1"))
    (*client->answered)++;
  else
    (*client->failed)++;
}

/* 100 same-thread connections on this thread, each with 100 calls in
 * flight at once. */
static void
test_many_pipelined (Fixture *f, gconstpointer data)
{
  g_autoptr(QvirtConnection) setup = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
  g_autoptr(QvirtDomain) vm1 = define_ok (setup, "vm1");
  QvirtConnection *conns[N_LOAD_CLIENTS];
  PipelinedClient clients[N_LOAD_CLIENTS];
  guint answered = 0, failed = 0;
  guint fds_before, gone_before;
  gint64 started;

  round_trip (setup);
  fds_before = test_daemon_count_fds (f->daemon);
  gone_before = test_daemon_count_log (f->daemon, ": gone");
  started = g_get_monotonic_time ();
  for (guint i = 0; i < N_LOAD_CLIENTS; i++)
    {
      conns[i] = open_ok (f->uri, QVIRT_CONNECTION_FLAGS_NONE);
      clients[i] = (PipelinedClient) { lookup_ok (conns[i], "vm1"), &answered, &failed };
      for (guint j = 0; j < N_LOAD_CALLS; j++)
        qvirt_domain_get_info_async (clients[i].domain, NULL, on_pipelined_info, &clients[i]);
    }
  g_assert_true (iterate_until_count (&answered, N_LOAD_CLIENTS * N_LOAD_CALLS,
                                      TEST_QEMU_TIMEOUT_MS));
  g_test_message ("%u connections x %u pipelined calls in %.2f s", N_LOAD_CLIENTS,
                  N_LOAD_CALLS, (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpuint (failed, ==, 0);
  for (guint i = 0; i < N_LOAD_CLIENTS; i++)
    {
      qvirt_domain_unref (clients[i].domain);
      qvirt_connection_close (conns[i]);
    }
  assert_clients_gone (f, gone_before, fds_before);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/remote/lifecycle", test_lifecycle);
  ADD ("/remote/events", test_events);
  g_test_add ("/remote/overlapping-calls/same-thread", Fixture,
              GUINT_TO_POINTER (QVIRT_CONNECTION_FLAGS_NONE), fixture_setup,
              test_overlapping_calls, fixture_teardown);
  g_test_add ("/remote/overlapping-calls/own-thread", Fixture,
              GUINT_TO_POINTER (QVIRT_CONNECTION_FLAGS_OWN_THREAD), fixture_setup,
              test_overlapping_calls, fixture_teardown);
  ADD ("/remote/sync-call-in-callback", test_sync_call_in_callback);
  ADD ("/remote/start-destroy-cycles", test_start_destroy_cycles);
  ADD ("/remote/read-only", test_read_only);
  ADD ("/remote/closed/idle", test_closed_idle);
  ADD ("/remote/closed/in-flight", test_closed_in_flight);
  ADD ("/remote/open/nothing-listens", test_nothing_listens);
  g_test_add_func ("/remote/open/bad-uris", test_bad_uris);
  g_test_add_func ("/remote/session", test_session);
  g_test_add_func ("/remote/serve/uri", test_serve_uri);
  g_test_add_func ("/remote/serve/function", test_serve_function);
  ADD ("/remote/serve/remote-refused", test_serve_remote);
  ADD ("/remote/many-clients/threads", test_many_threads);
  ADD ("/remote/many-clients/pipelined", test_many_pipelined);
  return g_test_run ();
}
