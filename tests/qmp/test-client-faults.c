/* QmpClient against a misbehaving peer: faults a real QEMU cannot be
 * made to produce (bad greetings, split and merged messages, truncated
 * or oversized messages, silence, replies out of order). The peer is a
 * scripted fake on a socketpair (fake-server.h); the behaviour of the
 * client against a real QEMU is tested in test-client-qemu.c.
 *
 * Every test waits for all the callbacks it started before returning,
 * so no callback outlives the test that owns its data.
 */
#include "qvirt/qmp.h"

#include "fake-server.h"
#include "test-wait.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Generous: the suite also runs under sanitizers on a loaded machine. */
#define WAIT_MS 10000

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* One command's outcome, filled by on_call_done(). */
typedef struct {
  QmpClient *client;
  json_t *result;
  GError *error;
  gboolean done;
  guint completion_rank;   /* 1 for the first call to complete, ... */
  guint *completed;        /* shared counter of completed calls */
} Call;

static void
call_clear (Call *call)
{
  g_clear_pointer (&call->result, json_decref);
  g_clear_error (&call->error);
}

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  g_assert_false (call->done);
  call->result = qmp_client_execute_finish (call->client, result, &call->error);
  call->done = TRUE;
  if (call->completed)
    call->completion_rank = ++*call->completed;
}

static void
start_call (QmpClient *client, Call *call, guint *completed,
            const char *command, gint timeout_ms, GCancellable *cancellable)
{
  *call = (Call) { .client = client, .completed = completed };
  qmp_client_execute_full_async (client, command, NULL, NULL, 0,
                                 QMP_EXECUTE_NONE, timeout_ms, cancellable,
                                 on_call_done, call);
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

/* Counts the closed handler's calls and keeps the first reason. */
typedef struct {
  guint calls;
  GError *reason;
  guint destroyed;
} ClosedRecord;

static void
on_closed (QmpClient *client, const GError *reason, gpointer user_data)
{
  ClosedRecord *record = user_data;

  g_assert_nonnull (reason);
  if (record->calls++ == 0)
    record->reason = g_error_copy (reason);
}

static void
on_closed_record_destroyed (gpointer user_data)
{
  ClosedRecord *record = user_data;

  record->destroyed++;
}

static void
closed_record_clear (ClosedRecord *record)
{
  g_clear_error (&record->reason);
}

/* The closed handler runs from the client's context some time after the
 * close (after the callbacks of the commands it failed): wait for it.
 * @code: the expected QMP_ERROR code of its reason, or -1 for any. */
static void
assert_closed_once (ClosedRecord *record, gint code)
{
  g_assert_true (test_wait_for_count (&record->calls, 1, WAIT_MS));
  g_assert_cmpuint (record->calls, ==, 1);
  if (code >= 0)
    g_assert_error (record->reason, QMP_ERROR, code);
}

/* A client on a fake peer whose handshake the test drives itself. */
static QmpClient *
new_client (FakeServer **server, ClosedRecord *closed)
{
  g_autoptr(GError) error = NULL;
  QmpClient *client;
  int fd;

  *server = fake_server_new (&fd);
  client = qmp_client_new_for_fd (fd, QMP_CLIENT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client);
  if (closed)
    qmp_client_set_closed_handler (client, on_closed, closed,
                                   on_closed_record_destroyed);
  return client;
}

/* Answers the client's qmp_capabilities on the fake's behalf. */
static void
accept_capabilities (FakeServer *server)
{
  g_autoptr(json_t) command = fake_server_next_command (server);

  g_assert_cmpstr (json_string_value (json_object_get (command, "execute")), ==,
                   "qmp_capabilities");
  fake_server_reply (server, command, "{}");
}

/* A client on a fake peer, handshake done. */
static QmpClient *
new_ready_client (FakeServer **server, ClosedRecord *closed)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QmpClient *client = new_client (server, closed);

  fake_server_send_greeting (*server);
  qmp_client_handshake_async (client, NULL, store_result, &result);
  accept_capabilities (*server);
  g_assert_true (test_wait_for_pointer ((gpointer *) &result, WAIT_MS));
  g_assert_true (qmp_client_handshake_finish (client, result, &error));
  g_assert_no_error (error);
  return client;
}

/* Runs a handshake that must fail; returns its error. */
static GError *
handshake_error (QmpClient *client, GCancellable *cancellable)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  qmp_client_handshake_async (client, cancellable, store_result, &result);
  g_assert_true (test_wait_for_pointer ((gpointer *) &result, WAIT_MS));
  g_assert_false (qmp_client_handshake_finish (client, result, &error));
  g_assert_nonnull (error);
  return error;
}

/* ------------------------------------------------------------------ */
/* Construction and greeting                                           */

static void
test_new_for_fd_not_a_socket (void)
{
  g_autoptr(GError) error = NULL;
  int pipe_fds[2];
  QmpClient *client;

  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  client = qmp_client_new_for_fd (pipe_fds[0], QMP_CLIENT_FLAGS_NONE, &error);
  g_assert_null (client);
  g_assert_error (error, QMP_ERROR, QMP_ERROR_FAILED);
  /* Ownership passed even on error: the client closed it. */
  g_assert_cmpint (fcntl (pipe_fds[0], F_GETFD), ==, -1);
  g_assert_cmpint (errno, ==, EBADF);
  close (pipe_fds[1]);
}

static void
test_command_before_handshake (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_client (&server, NULL);
  Call call;

  g_assert_null (qmp_client_get_version (client, NULL, NULL, NULL));
  start_call (client, &call, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  g_assert_error (call.error, QMP_ERROR, QMP_ERROR_FAILED);
  g_assert_cmpuint (fake_server_count_queued (server), ==, 0);
  call_clear (&call);
}

static void
test_greeting_garbage (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  QmpClient *client = new_client (&server, &closed);
  g_autoptr(GError) error = NULL;

  fake_server_send (server, "Hello, I am not QEMU\r\n");
  error = handshake_error (client, NULL);
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  g_assert_false (qmp_client_is_connected (client));
  assert_closed_once (&closed, QMP_ERROR_PROTOCOL);
  g_assert_true (fake_server_wait_eof (server, WAIT_MS));

  qmp_client_unref (client);
  g_assert_cmpuint (closed.calls, ==, 1);
  g_assert_cmpuint (closed.destroyed, ==, 1);
  closed_record_clear (&closed);
}

static void
test_greeting_not_qmp (void)
{
  static const char * const greetings[] = {
    "{\"hello\": \"world\"}\r\n",
    /* QMP-shaped, but without capabilities or version */
    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}}}\r\n",
    "{\"QMP\": {\"capabilities\": []}}\r\n",
    /* a reply where a greeting belongs */
    "{\"return\": {}, \"id\": 1}\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (greetings); i++)
    {
      g_autoptr(FakeServer) server = NULL;
      ClosedRecord closed = { 0 };
      g_autoptr(QmpClient) client = new_client (&server, &closed);
      g_autoptr(GError) error = NULL;

      g_test_message ("greeting: %.*s", (int) strcspn (greetings[i], "\r\n"),
                      greetings[i]);
      fake_server_send (server, greetings[i]);
      error = handshake_error (client, NULL);
      g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
      assert_closed_once (&closed, QMP_ERROR_PROTOCOL);
      g_assert_cmpuint (fake_server_count_queued (server), ==, 0);
      closed_record_clear (&closed);
    }
}

static void
test_greeting_eof (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_client (&server, &closed);
  g_autoptr(GError) error = NULL;

  fake_server_close (server);
  error = handshake_error (client, NULL);
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  assert_closed_once (&closed, QMP_ERROR_PROTOCOL);
  closed_record_clear (&closed);
}

static void
test_greeting_none_times_out (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_client (&server, &closed);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_ms;

  qmp_client_set_default_timeout (client, 200);
  error = handshake_error (client, NULL);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_error (error, QMP_ERROR, QMP_ERROR_TIMEOUT);
  g_assert_cmpint (elapsed_ms, >=, 200);
  g_assert_cmpint (elapsed_ms, <, WAIT_MS);
  g_assert_false (qmp_client_is_connected (client));
  /* The reason is the timeout itself (the header lists only CLOSED,
   * PROTOCOL and FAILED as reasons): any reason will do here. */
  assert_closed_once (&closed, -1);
  g_assert_true (fake_server_wait_eof (server, WAIT_MS));
  closed_record_clear (&closed);
}

/* qmp_client_handshake_async()'s cancellable is documented as the way
 * "to give up": cancelling must end a handshake with a silent peer now,
 * not when the (here 30 s) handshake timeout strikes. */
static gboolean
cancel_now (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_greeting_none_cancelled (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_client (&server, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean finished_soon_after_cancel;

  g_timeout_add (50, cancel_now, cancellable);
  qmp_client_handshake_async (client, cancellable, store_result, &result);
  finished_soon_after_cancel = test_wait_for_pointer ((gpointer *) &result, 5000);
  if (!finished_soon_after_cancel)
    {
      /* Let the pending handshake end before its result slot goes. */
      qmp_client_close (client);
      g_assert_true (test_wait_for_pointer ((gpointer *) &result, WAIT_MS));
    }
  g_assert_true (finished_soon_after_cancel);
  g_assert_false (qmp_client_handshake_finish (client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ------------------------------------------------------------------ */
/* Framing                                                             */

static void
test_bytewise (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_client (&server, NULL);
  g_autoptr(GAsyncResult) handshake = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) capabilities = NULL;
  g_autoptr(json_t) command = NULL;
  g_autofree char *reply = NULL;
  const char *package;
  int major = 0, minor = 0, micro = 0;
  Call call;

  qmp_client_handshake_async (client, NULL, store_result, &handshake);
  fake_server_send_bytewise (server,
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 1, \"minor\": 2, \"major\": 8}, "
    "\"package\": \" (split {\\\"up\\\"})\"}, \"capabilities\": [\"oob\"]}}\r\n");
  capabilities = fake_server_next_command (server);
  g_assert_cmpstr (json_string_value (json_object_get (capabilities, "execute")), ==,
                   "qmp_capabilities");
  reply = fake_server_format_reply (capabilities, "{}");
  fake_server_send_bytewise (server, reply);
  g_assert_true (test_wait_for_pointer ((gpointer *) &handshake, WAIT_MS));
  g_assert_true (qmp_client_handshake_finish (client, handshake, &error));
  g_assert_no_error (error);

  package = qmp_client_get_version (client, &major, &minor, &micro);
  g_assert_cmpstr (package, ==, " (split {\"up\"})");
  g_assert_cmpint (major, ==, 8);
  g_assert_cmpint (minor, ==, 2);
  g_assert_cmpint (micro, ==, 1);
  g_assert_true (qmp_client_has_capability (client, "oob"));

  /* A reply whose strings hold braces, quotes, backslashes and
   * multi-byte UTF-8, all split between reads. */
  start_call (client, &call, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  command = fake_server_next_command (server);
  g_clear_pointer (&reply, g_free);
  reply = fake_server_format_reply (command,
                                    "{\"s\": \"}]{[\\\"\\\\\", \"u\": \"\xc3\xa9\xe2\x82\xac\"}");
  fake_server_send_bytewise (server, reply);
  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  g_assert_no_error (call.error);
  g_assert_cmpstr (json_string_value (json_object_get (call.result, "s")), ==, "}]{[\"\\");
  g_assert_cmpstr (json_string_value (json_object_get (call.result, "u")), ==,
                   "\xc3\xa9\xe2\x82\xac");
  call_clear (&call);
}

typedef struct {
  GPtrArray *names;
} EventLog;

static void
on_event_logged (QmpClient *client, const char *name, json_t *data,
                 gint64 timestamp_us, gpointer user_data)
{
  EventLog *log = user_data;

  g_assert_true (json_is_object (data));
  g_ptr_array_add (log->names, g_strdup (name));
}

static void
test_merged (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  g_autoptr(GString) batch = g_string_new (NULL);
  EventLog log = { g_ptr_array_new_with_free_func (g_free) };
  guint completed = 0;
  Call calls[3];

  qmp_client_subscribe (client, NULL, on_event_logged, &log, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    start_call (client, &calls[i], &completed, "query-status",
                QMP_TIMEOUT_DEFAULT, NULL);

  /* All replies and an event in one write, with and without the
   * separators QEMU puts between messages. */
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(json_t) command = fake_server_next_command (server);
      g_autofree char *value = g_strdup_printf ("{\"n\": %u}", i);
      g_autofree char *reply = fake_server_format_reply (command, value);

      g_string_append (batch, reply);
      if (i == 0)
        g_string_append (batch, "{\"event\": \"STOP\", \"timestamp\": "
                                "{\"seconds\": 1, \"microseconds\": 2}}");
      /* drop the "\r\n" after the second reply */
      if (i == 1)
        g_string_truncate (batch, batch->len - 2);
    }
  fake_server_send (server, batch->str);

  g_assert_true (test_wait_for_count (&completed, G_N_ELEMENTS (calls), WAIT_MS));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_assert_no_error (calls[i].error);
      g_assert_cmpint (json_integer_value (json_object_get (calls[i].result, "n")), ==, i);
      g_assert_cmpuint (calls[i].completion_rank, ==, i + 1);
      call_clear (&calls[i]);
    }
  g_assert_cmpuint (log.names->len, ==, 1);
  g_assert_cmpstr (log.names->pdata[0], ==, "STOP");
  g_assert_true (qmp_client_is_connected (client));
  g_ptr_array_unref (log.names);
}

static void
test_eof_mid_message (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_ready_client (&server, &closed);
  g_autoptr(json_t) command = NULL;
  Call call;
  Call after;

  start_call (client, &call, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  command = fake_server_next_command (server);
  fake_server_send (server, "{\"return\": {\"status\": \"runn");
  fake_server_close (server);

  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  g_assert_error (call.error, QMP_ERROR, QMP_ERROR_CLOSED);
  assert_closed_once (&closed, QMP_ERROR_PROTOCOL);
  g_assert_false (qmp_client_is_connected (client));

  /* Later commands fail at once. */
  start_call (client, &after, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  g_assert_true (test_wait_for_flag (&after.done, WAIT_MS));
  g_assert_error (after.error, QMP_ERROR, QMP_ERROR_CLOSED);
  g_assert_cmpuint (closed.calls, ==, 1);

  call_clear (&call);
  call_clear (&after);
  closed_record_clear (&closed);
}

static void
test_not_reply_nor_event (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_ready_client (&server, &closed);

  fake_server_send (server, "{\"hello\": 1}\r\n");
  assert_closed_once (&closed, QMP_ERROR_PROTOCOL);
  g_assert_false (qmp_client_is_connected (client));
  g_assert_true (fake_server_wait_eof (server, WAIT_MS));
  closed_record_clear (&closed);
}

static void
test_unknown_ids_ignored (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  g_autoptr(json_t) command = NULL;
  Call call;

  start_call (client, &call, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  command = fake_server_next_command (server);
  /* No id, an id never used, an id of the wrong type: all dropped. */
  fake_server_send (server,
                    "{\"return\": {}}\r\n"
                    "{\"return\": {}, \"id\": 987654}\r\n"
                    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"x\"}, \"id\": \"abc\"}\r\n");
  fake_server_reply (server, command, "\"mine\"");
  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  g_assert_no_error (call.error);
  g_assert_cmpstr (json_string_value (call.result), ==, "mine");
  g_assert_true (qmp_client_is_connected (client));
  call_clear (&call);
}

static void
test_oversized (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_ready_client (&server, &closed);
  g_autoptr(json_t) small_command = NULL;
  g_autoptr(json_t) big_command = NULL;
  g_autofree char *filler_small = g_strnfill (800, 'a');
  g_autofree char *filler_big = g_strnfill (4096, 'b');
  g_autofree char *small_value = g_strdup_printf ("\"%s\"", filler_small);
  g_autofree char *big_value = g_strdup_printf ("\"%s\"", filler_big);
  Call small;
  Call big;
  Call after;

  qmp_client_set_max_message_size (client, 1024);

  start_call (client, &small, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  small_command = fake_server_next_command (server);
  fake_server_reply (server, small_command, small_value);
  g_assert_true (test_wait_for_flag (&small.done, WAIT_MS));
  g_assert_no_error (small.error);
  g_assert_cmpstr (json_string_value (small.result), ==, filler_small);

  start_call (client, &big, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  big_command = fake_server_next_command (server);
  fake_server_reply (server, big_command, big_value);
  g_assert_true (test_wait_for_flag (&big.done, WAIT_MS));
  g_assert_error (big.error, QMP_ERROR, QMP_ERROR_CLOSED);
  assert_closed_once (&closed, QMP_ERROR_PROTOCOL);
  g_assert_false (qmp_client_is_connected (client));
  g_assert_true (fake_server_wait_eof (server, WAIT_MS));

  start_call (client, &after, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  g_assert_true (test_wait_for_flag (&after.done, WAIT_MS));
  g_assert_error (after.error, QMP_ERROR, QMP_ERROR_CLOSED);

  call_clear (&small);
  call_clear (&big);
  call_clear (&after);
  closed_record_clear (&closed);
}

/* ------------------------------------------------------------------ */
/* Matching, timeouts, cancellation                                    */

static void
test_out_of_order (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  static const guint reply_order[] = { 1, 2, 0 };
  json_t *commands[3];
  guint completed = 0;
  Call calls[3];

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    start_call (client, &calls[i], &completed, "query-status",
                QMP_TIMEOUT_DEFAULT, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    commands[i] = fake_server_next_command (server);

  /* Each reply carries the index of the call it answers. */
  for (guint k = 0; k < G_N_ELEMENTS (reply_order); k++)
    {
      guint i = reply_order[k];
      g_autofree char *value = g_strdup_printf ("{\"call\": %u}", i);

      fake_server_reply (server, commands[i], value);
      g_assert_true (test_wait_for_flag (&calls[i].done, WAIT_MS));
    }

  for (guint k = 0; k < G_N_ELEMENTS (reply_order); k++)
    {
      Call *call = &calls[reply_order[k]];

      g_assert_no_error (call->error);
      g_assert_cmpint (json_integer_value (json_object_get (call->result, "call")), ==,
                       reply_order[k]);
      g_assert_cmpuint (call->completion_rank, ==, k + 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      call_clear (&calls[i]);
      json_decref (commands[i]);
    }
}

/* After a command gave up, its late reply must be dropped quietly and
 * the connection go on. */
static void
check_late_reply_harmless (FakeServer *server, QmpClient *client, json_t *late_command)
{
  g_autoptr(json_t) next_command = NULL;
  Call next;

  start_call (client, &next, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  next_command = fake_server_next_command (server);
  fake_server_reply (server, late_command, "\"late\"");
  fake_server_reply (server, next_command, "\"next\"");
  g_assert_true (test_wait_for_flag (&next.done, WAIT_MS));
  g_assert_no_error (next.error);
  g_assert_cmpstr (json_string_value (next.result), ==, "next");
  g_assert_true (qmp_client_is_connected (client));
  call_clear (&next);
}

static void
test_timeout_command (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_ready_client (&server, &closed);
  g_autoptr(json_t) command = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_ms;
  Call call;

  start_call (client, &call, NULL, "query-status", 100, NULL);
  command = fake_server_next_command (server);
  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_error (call.error, QMP_ERROR, QMP_ERROR_TIMEOUT);
  g_assert_cmpint (elapsed_ms, >=, 100);
  g_assert_true (qmp_client_is_connected (client));

  /* on_call_done() asserts that it is not called a second time. */
  check_late_reply_harmless (server, client, command);
  g_assert_cmpuint (closed.calls, ==, 0);
  call_clear (&call);
  closed_record_clear (&closed);
}

static void
test_timeout_default (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  g_autoptr(json_t) patient_command = NULL;
  g_autoptr(json_t) default_command = NULL;
  Call patient;
  Call with_default;

  qmp_client_set_default_timeout (client, 100);
  start_call (client, &patient, NULL, "query-status", QMP_TIMEOUT_NONE, NULL);
  start_call (client, &with_default, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  patient_command = fake_server_next_command (server);
  default_command = fake_server_next_command (server);

  g_assert_true (test_wait_for_flag (&with_default.done, WAIT_MS));
  g_assert_error (with_default.error, QMP_ERROR, QMP_ERROR_TIMEOUT);
  /* QMP_TIMEOUT_NONE waits forever, whatever the default. */
  g_assert_false (patient.done);
  fake_server_reply (server, patient_command, "\"patient\"");
  g_assert_true (test_wait_for_flag (&patient.done, WAIT_MS));
  g_assert_no_error (patient.error);
  g_assert_cmpstr (json_string_value (patient.result), ==, "patient");

  check_late_reply_harmless (server, client, default_command);
  call_clear (&patient);
  call_clear (&with_default);
}

static void
test_cancel_in_flight (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(json_t) command = NULL;
  Call call;

  start_call (client, &call, NULL, "query-status", QMP_TIMEOUT_DEFAULT, cancellable);
  command = fake_server_next_command (server);
  g_assert_false (call.done);
  g_cancellable_cancel (cancellable);
  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  check_late_reply_harmless (server, client, command);
  call_clear (&call);
}

static void
test_cancel_before (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Call call;

  g_cancellable_cancel (cancellable);
  start_call (client, &call, NULL, "query-status", QMP_TIMEOUT_DEFAULT, cancellable);
  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (qmp_client_is_connected (client));
  call_clear (&call);
}

/* ------------------------------------------------------------------ */
/* Closing                                                             */

static void
test_unref_pending (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  QmpClient *client = new_ready_client (&server, &closed);
  guint completed = 0;
  Call calls[5];

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    start_call (client, &calls[i], &completed, "query-status",
                QMP_TIMEOUT_NONE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    json_decref (fake_server_next_command (server));

  qmp_client_unref (client);
  g_assert_true (test_wait_for_count (&completed, G_N_ELEMENTS (calls), WAIT_MS));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_assert_error (calls[i].error, QMP_ERROR, QMP_ERROR_CLOSED);
      g_assert_null (calls[i].result);
      call_clear (&calls[i]);
    }
  assert_closed_once (&closed, QMP_ERROR_CLOSED);
  g_assert_cmpuint (closed.destroyed, ==, 1);
  g_assert_true (fake_server_wait_eof (server, WAIT_MS));
  closed_record_clear (&closed);
}

static void
test_close_idempotent (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  ClosedRecord replaced = { 0 };
  g_autoptr(QmpClient) client = new_ready_client (&server, &replaced);

  /* Replacing the handler releases the old one's data. */
  qmp_client_set_closed_handler (client, on_closed, &closed, on_closed_record_destroyed);
  g_assert_cmpuint (replaced.destroyed, ==, 1);

  qmp_client_close (client);
  qmp_client_close (client);
  fake_server_close (server);
  g_assert_true (fake_server_wait_eof (server, WAIT_MS));
  /* Give a (wrong) second closing a chance to happen. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_closed_once (&closed, QMP_ERROR_CLOSED);
  g_assert_cmpuint (replaced.calls, ==, 0);
  g_assert_false (qmp_client_is_connected (client));
  closed_record_clear (&closed);
}

/* ------------------------------------------------------------------ */
/* Edge cases of the contract (group /qmp/faults/edge/): each of these
 * found a bug in the library at some point.                           */

/* The header: the limit "takes effect for messages not yet started".
 * Lowering it while a message is half received must apply to the
 * messages after that one. */
static void
test_max_size_set_mid_message (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_ready_client (&server, &closed);
  g_autoptr(json_t) first_command = NULL;
  g_autoptr(json_t) second_command = NULL;
  g_autofree char *first_reply = NULL;
  g_autofree char *first_half = NULL;
  g_autofree char *filler = g_strnfill (4096, 'x');
  g_autofree char *big_value = g_strdup_printf ("\"%s\"", filler);
  gsize half;
  Call first;
  Call second;

  start_call (client, &first, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  start_call (client, &second, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  first_command = fake_server_next_command (server);
  second_command = fake_server_next_command (server);

  /* The client has read half of the first reply when the limit drops. */
  first_reply = fake_server_format_reply (first_command, "\"small\"");
  half = strlen (first_reply) / 2;
  first_half = g_strndup (first_reply, half);
  fake_server_send_and_wait_read (server, first_half);
  qmp_client_set_max_message_size (client, 1024);

  fake_server_send (server, first_reply + half);
  fake_server_reply (server, second_command, big_value);
  g_assert_true (test_wait_for_flag (&first.done, WAIT_MS));
  g_assert_true (test_wait_for_flag (&second.done, WAIT_MS));
  g_assert_no_error (first.error);
  g_assert_cmpstr (json_string_value (first.result), ==, "small");
  /* 4 KiB over a 1 KiB limit: a protocol error. */
  g_assert_error (second.error, QMP_ERROR, QMP_ERROR_CLOSED);
  assert_closed_once (&closed, QMP_ERROR_PROTOCOL);

  call_clear (&first);
  call_clear (&second);
  closed_record_clear (&closed);
}

/* Setting the limit from a callback that runs while the client parses
 * what it read (here: a command's completion). Under ASan this catches
 * the parser being freed under its own feet. */
static void
on_call_done_lower_limit (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  on_call_done (source, result, user_data);
  qmp_client_set_max_message_size (call->client, 1024);
}

static void
test_max_size_set_from_callback (void)
{
  g_autoptr(FakeServer) server = NULL;
  ClosedRecord closed = { 0 };
  g_autoptr(QmpClient) client = new_ready_client (&server, &closed);
  g_autoptr(json_t) first_command = NULL;
  g_autoptr(json_t) second_command = NULL;
  g_autofree char *filler = g_strnfill (4096, 'x');
  g_autofree char *big_value = g_strdup_printf ("\"%s\"", filler);
  Call first = { .client = client };
  Call second;

  qmp_client_execute_async (client, "query-status", NULL, NULL,
                            on_call_done_lower_limit, &first);
  first_command = fake_server_next_command (server);
  fake_server_reply (server, first_command, "\"small\"");
  g_assert_true (test_wait_for_flag (&first.done, WAIT_MS));
  g_assert_no_error (first.error);

  start_call (client, &second, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  second_command = fake_server_next_command (server);
  fake_server_reply (server, second_command, big_value);
  g_assert_true (test_wait_for_flag (&second.done, WAIT_MS));
  g_assert_error (second.error, QMP_ERROR, QMP_ERROR_CLOSED);
  assert_closed_once (&closed, QMP_ERROR_PROTOCOL);

  call_clear (&first);
  call_clear (&second);
  closed_record_clear (&closed);
}

/* The last unref must close the connection and fail pending commands
 * even while the schema is being fetched for client-side checks. */
static void
test_unref_pending_schema_fetch (void)
{
  g_autoptr(FakeServer) server = NULL;
  QmpClient *client = new_ready_client (&server, NULL);
  g_autoptr(json_t) command = NULL;
  Call call;

  qmp_client_set_check_commands (client, TRUE);
  start_call (client, &call, NULL, "query-status", QMP_TIMEOUT_NONE, NULL);
  command = fake_server_next_command (server);
  g_assert_cmpstr (json_string_value (json_object_get (command, "execute")), ==,
                   "query-qmp-schema");

  qmp_client_unref (client);
  g_assert_true (fake_server_wait_eof (server, 5000));
  g_assert_true (test_wait_for_flag (&call.done, WAIT_MS));
  g_assert_error (call.error, QMP_ERROR, QMP_ERROR_CLOSED);
  call_clear (&call);
}

/* A peer that answered and then went away: its reply is already in the
 * client's receive buffer when the client's next write fails. QEMU does
 * exactly this after `quit`. The answered command must get its answer,
 * not QMP_ERROR_CLOSED. */
static void
test_reply_before_write_error (void)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  g_autoptr(json_t) command = NULL;
  Call answered;
  Call unanswered;

  start_call (client, &answered, NULL, "quit", QMP_TIMEOUT_DEFAULT, NULL);
  command = fake_server_next_command (server);
  fake_server_reply (server, command, "{}");
  fake_server_close (server);

  /* Written before the client read anything: the write fails. */
  start_call (client, &unanswered, NULL, "query-status", QMP_TIMEOUT_DEFAULT, NULL);
  g_assert_true (test_wait_for_flag (&answered.done, WAIT_MS));
  g_assert_true (test_wait_for_flag (&unanswered.done, WAIT_MS));
  g_assert_no_error (answered.error);
  g_assert_true (json_is_object (answered.result));
  g_assert_error (unanswered.error, QMP_ERROR, QMP_ERROR_CLOSED);
  call_clear (&answered);
  call_clear (&unanswered);
}

/* The closed handler runs "after pending commands failed": by the time
 * it runs, their callbacks have run, whoever closed the connection. */
typedef struct {
  const guint *completed;
  guint completed_when_closed;
  gboolean closed;
} CloseOrder;

static void
on_closed_check_order (QmpClient *client, const GError *reason, gpointer user_data)
{
  CloseOrder *order = user_data;

  order->completed_when_closed = *order->completed;
  order->closed = TRUE;
}

static void
check_close_order (gboolean peer_closes)
{
  g_autoptr(FakeServer) server = NULL;
  g_autoptr(QmpClient) client = new_ready_client (&server, NULL);
  guint completed = 0;
  CloseOrder order = { .completed = &completed };
  Call calls[3];

  qmp_client_set_closed_handler (client, on_closed_check_order, &order, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    start_call (client, &calls[i], &completed, "query-status",
                QMP_TIMEOUT_NONE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    json_decref (fake_server_next_command (server));

  if (peer_closes)
    fake_server_close (server);
  else
    qmp_client_close (client);
  g_assert_true (test_wait_for_flag (&order.closed, WAIT_MS));
  g_assert_cmpuint (completed, ==, G_N_ELEMENTS (calls));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_assert_error (calls[i].error, QMP_ERROR, QMP_ERROR_CLOSED);
      call_clear (&calls[i]);
    }
  g_assert_cmpuint (order.completed_when_closed, ==, G_N_ELEMENTS (calls));
}

static void
test_close_order_peer (void)
{
  check_close_order (TRUE);
}

static void
test_close_order_local (void)
{
  check_close_order (FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qmp/faults/new-for-fd/not-a-socket", test_new_for_fd_not_a_socket);
  g_test_add_func ("/qmp/faults/new-for-fd/command-before-handshake",
                   test_command_before_handshake);
  g_test_add_func ("/qmp/faults/greeting/garbage", test_greeting_garbage);
  g_test_add_func ("/qmp/faults/greeting/not-qmp", test_greeting_not_qmp);
  g_test_add_func ("/qmp/faults/greeting/eof", test_greeting_eof);
  g_test_add_func ("/qmp/faults/greeting/none-times-out", test_greeting_none_times_out);
  g_test_add_func ("/qmp/faults/stream/bytewise", test_bytewise);
  g_test_add_func ("/qmp/faults/stream/merged", test_merged);
  g_test_add_func ("/qmp/faults/stream/eof-mid-message", test_eof_mid_message);
  g_test_add_func ("/qmp/faults/stream/not-reply-nor-event", test_not_reply_nor_event);
  g_test_add_func ("/qmp/faults/stream/unknown-ids-ignored", test_unknown_ids_ignored);
  g_test_add_func ("/qmp/faults/stream/oversized", test_oversized);
  g_test_add_func ("/qmp/faults/reply/out-of-order", test_out_of_order);
  g_test_add_func ("/qmp/faults/timeout/command", test_timeout_command);
  g_test_add_func ("/qmp/faults/timeout/default", test_timeout_default);
  g_test_add_func ("/qmp/faults/cancel/in-flight", test_cancel_in_flight);
  g_test_add_func ("/qmp/faults/cancel/before", test_cancel_before);
  g_test_add_func ("/qmp/faults/close/unref-pending", test_unref_pending);
  g_test_add_func ("/qmp/faults/close/idempotent", test_close_idempotent);
  g_test_add_func ("/qmp/faults/close/order-peer", test_close_order_peer);

  g_test_add_func ("/qmp/faults/edge/handshake-cancelled", test_greeting_none_cancelled);
  g_test_add_func ("/qmp/faults/edge/max-size-set-mid-message",
                   test_max_size_set_mid_message);
  g_test_add_func ("/qmp/faults/edge/max-size-set-from-callback",
                   test_max_size_set_from_callback);
  g_test_add_func ("/qmp/faults/edge/unref-pending-schema-fetch",
                   test_unref_pending_schema_fetch);
  g_test_add_func ("/qmp/faults/edge/close-order-local", test_close_order_local);
  g_test_add_func ("/qmp/faults/edge/reply-before-write-error",
                   test_reply_before_write_error);

  return g_test_run ();
}
