/* qvirtd and the protocol on its sockets, without QEMU: framing, the
 * JSON-RPC error codes, the read-only socket, misbehaving and many
 * clients. The daemon is a real process in a temp root in every test
 * (docs/protocol.md is the contract checked here). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "daemon-test-util.h"

typedef struct {
  char *root;
  TestDaemon *daemon;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->root = test_root_new ();
  f->daemon = test_daemon_start (f->root);
}

/* Every test ends with a clean stop: exit status 0 (under ASan that
 * includes "no leaks"). */
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
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* Sends @line (a '\n' is added) and returns the next message. */
static json_t *
exchange (RpcClient *client, const char *line)
{
  g_autofree char *framed = g_strconcat (line, "\n", NULL);
  json_t *reply;

  rpc_client_send_raw (client, framed, strlen (framed));
  reply = rpc_client_next (client, TEST_TIMEOUT_MS);
  if (reply == NULL)
    g_error ("no answer to: %s", line);
  return reply;
}

static void
assert_hello_works (RpcClient *client)
{
  g_autoptr(json_t) hello = rpc_client_call_ok (client, "server.hello", NULL);

  g_assert_cmpint (json_integer_value (json_object_get (hello, "protocol")), ==, 1);
}

static void
assert_reply_id_null (json_t *reply)
{
  g_assert_true (json_is_null (json_object_get (reply, "id")));
}

static void
assert_reply_id (json_t *reply, json_int_t id)
{
  g_assert_true (json_is_integer (json_object_get (reply, "id")));
  g_assert_cmpint (json_integer_value (json_object_get (reply, "id")), ==, id);
}

/* ------------------------------------------------------------------ */

static void
test_hello (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) rw = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(RpcClient) ro = rpc_client_connect (f->daemon->ro_socket_path);
  g_autoptr(json_t) hello = rpc_client_call_ok (rw, "server.hello", NULL);
  g_autoptr(json_t) ro_hello = rpc_client_call_ok (ro, "server.hello", json_object ());
  g_autofree char *uri = g_strdup_printf ("qemu:///embed?root=%s", f->root);

  g_assert_cmpint (json_integer_value (json_object_get (hello, "protocol")), ==, 1);
  g_assert_true (g_str_has_prefix (json_string_value (json_object_get (hello, "server")),
                                   "qvirt "));
  g_assert_cmpstr (json_string_value (json_object_get (hello, "uri")), ==, uri);
  g_assert_true (json_is_false (json_object_get (hello, "read-only")));
  g_assert_true (json_is_array (json_object_get (hello, "features")));
  g_assert_true (json_is_true (json_object_get (ro_hello, "read-only")));
  g_assert_cmpstr (json_string_value (json_object_get (ro_hello, "uri")), ==, uri);
}

/* The socket files, their modes and the pidfile; all removed on exit. */
static void
test_files (Fixture *f, gconstpointer data)
{
  g_autofree char *pidfile = g_build_filename (f->root, "run", "qvirtd.pid", NULL);
  g_autofree char *pid_text = NULL;
  struct stat st;
  int status;

  g_assert_cmpint (stat (f->daemon->socket_path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpint (stat (f->daemon->ro_socket_path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0666);

  g_assert_true (g_file_get_contents (pidfile, &pid_text, NULL, NULL));
  g_assert_cmpint (atoi (pid_text), ==, f->daemon->pid);

  status = test_daemon_stop (f->daemon, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_false (g_file_test (f->daemon->socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f->daemon->ro_socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
}

/* Not JSON, not UTF-8: -32700 with id null; the connection goes on. */
static void
test_parse_error (Fixture *f, gconstpointer data)
{
  const char *lines[] = {
    "garbage",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.hello\"",
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"server.he\xff\xfello\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"server.\xc3\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":4,\"id\":5,\"method\":\"server.hello\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"server.hello\\u0000\"}",
    "\x01\x02\x03",
  };
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(json_t) reply = exchange (client, lines[i]);

      rpc_assert_error (reply, -32700, "protocol", "parse error");
      assert_reply_id_null (reply);
    }
  /* Blank lines are no requests: nothing comes back for them. */
  rpc_client_send_raw (client, "\n  \r\n\t\n", 7);
  assert_hello_works (client);
}

/* Valid JSON that is not a request: -32600. */
static void
test_invalid_request (Fixture *f, gconstpointer data)
{
  struct {
    const char *line;
    json_int_t id;     /* the id the reply carries; -1: null */
    const char *text;
  } cases[] = {
    { "[]", -1, "batch" },
    { "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.hello\"}]", -1, "batch" },
    { "5", -1, "object" },
    { "\"server.hello\"", -1, "object" },
    { "null", -1, "object" },
    { "true", -1, "object" },
    { "{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"server.hello\"}", 7, "jsonrpc" },
    { "{\"jsonrpc\":2.0,\"id\":8,\"method\":\"server.hello\"}", 8, "jsonrpc" },
    { "{\"id\":9,\"method\":\"server.hello\"}", 9, "jsonrpc" },
    { "{\"jsonrpc\":\"2.0\",\"id\":10}", 10, "method" },
    { "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":5}", 11, "method" },
    { "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":null}", 12, "method" },
    { "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"server.hello\"}", -1, "id" },
    { "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"server.hello\"}", -1, "id" },
    { "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"server.hello\"}", -1, "id" },
    { "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"server.hello\"}", -1, "id" },
    { "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"server.hello\"}", -1, "id" },
    /* Even without an id: an invalid request is answered. */
    { "{\"jsonrpc\":\"2.0\",\"method\":[\"server.hello\"]}", -1, "method" },
  };
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) string_id = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(json_t) reply = exchange (client, cases[i].line);

      g_test_message ("%s", cases[i].line);
      rpc_assert_error (reply, -32600, "protocol", cases[i].text);
      if (cases[i].id < 0)
        assert_reply_id_null (reply);
      else
        assert_reply_id (reply, cases[i].id);
    }

  /* A string id is echoed verbatim; unknown members are ignored. */
  string_id = exchange (client, "{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"x\":0,"
                                "\"method\":\"server.hello\"}");
  g_assert_cmpstr (json_string_value (json_object_get (string_id, "id")), ==, "a-1");
  g_assert_nonnull (json_object_get (string_id, "result"));
  assert_hello_works (client);
}

static void
test_method_not_found (Fixture *f, gconstpointer data)
{
  const char *paths[] = { f->daemon->socket_path, f->daemon->ro_socket_path };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(RpcClient) client = rpc_client_connect (paths[i]);
      g_autoptr(json_t) reply = rpc_client_call (client, "domain.boot",
                                                 json_pack ("{s:s}", "name", "vm1"));
      g_autoptr(json_t) empty = rpc_client_call (client, "", NULL);

      rpc_assert_error (reply, -32601, "protocol", "'domain.boot'");
      rpc_assert_error (empty, -32601, "protocol", "unknown method");
      assert_hello_works (client);
    }
}

/* Params that do not match the declaration: -32602 naming the field, on
 * the read-only socket too (the params check comes first there). */
static void
test_invalid_params (Fixture *f, gconstpointer data)
{
  const char *paths[] = { f->daemon->socket_path, f->daemon->ro_socket_path };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(RpcClient) client = rpc_client_connect (paths[i]);
      g_autoptr(json_t) missing = rpc_client_call (client, "domain.start", json_object ());
      g_autoptr(json_t) unknown = rpc_client_call (client, "domain.list",
                                                   json_pack ("{s:b}", "all", TRUE));
      g_autoptr(json_t) type = rpc_client_call (client, "domain.info",
                                                json_pack ("{s:i}", "name", 5));
      g_autoptr(json_t) negative = rpc_client_call (client, "domain.shutdown",
                                                    json_pack ("{s:s, s:i}", "name", "vm1",
                                                               "timeout", -1));
      g_autoptr(json_t) array = rpc_client_call (client, "domain.info", json_pack ("[s]", "vm1"));
      g_autoptr(json_t) null = rpc_client_call (client, "domain.info", json_null ());

      rpc_assert_error (missing, -32602, "invalid-argument",
                        "domain.start: missing parameter 'name'");
      rpc_assert_error (unknown, -32602, "invalid-argument",
                        "domain.list: unknown parameter 'all'");
      rpc_assert_error (type, -32602, "invalid-argument", "parameter 'name' must be a string");
      rpc_assert_error (negative, -32602, "invalid-argument", "'timeout'");
      rpc_assert_error (array, -32602, "invalid-argument", "domain.info: params must be an object");
      rpc_assert_error (null, -32602, "invalid-argument", "domain.info: params must be an object");
      assert_hello_works (client);
    }
}

/* A method's own failure is -32000 with its kind. */
static void
test_method_error (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) no_domain = rpc_client_call (client, "domain.info",
                                                 json_pack ("{s:s}", "name", "vm9"));
  g_autoptr(json_t) bad_xml = rpc_client_call (client, "domain.define",
                                               json_pack ("{s:s}", "xml", "<domain"));
  g_autoptr(json_t) unsubscribe = rpc_client_call (client, "events.unsubscribe",
                                                   json_pack ("{s:i}", "subscription", 9));

  rpc_assert_error (no_domain, -32000, "no-domain", "'vm9'");
  rpc_assert_error (bad_xml, -32000, "invalid-xml", NULL);
  rpc_assert_error (unsubscribe, -32000, "invalid-argument", "no subscription 9");
}

/* A line over the 32 MiB limit: -32600, skipped, and the next line is
 * served. A large line under the limit is parsed. */
static void
test_oversized_frame (Fixture *f, gconstpointer data)
{
  const gsize limit = 32 * 1024 * 1024;
  const char *head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"domain.list\",\"params\":{\"pad\":\"";
  const char *tail = "\"}}\n";
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(GString) line = g_string_new (head);
  g_autoptr(json_t) too_big = NULL;
  g_autoptr(json_t) big = NULL;

  /* 4 MiB: parsed; the pad is an unknown param. */
  while (line->len < 4 * 1024 * 1024)
    g_string_append (line, "0123456789abcdef");
  g_string_append (line, tail);
  rpc_client_send_raw (client, line->str, line->len);
  big = rpc_client_next (client, TEST_TIMEOUT_MS);
  rpc_assert_error (big, -32602, "invalid-argument", "unknown parameter 'pad'");

  /* Over 32 MiB: answered as soon as the limit is passed. */
  g_string_assign (line, head);
  while (line->len <= limit)
    g_string_append (line, "0123456789abcdef");
  g_string_append (line, tail);
  rpc_client_send_raw (client, line->str, line->len);
  too_big = rpc_client_next (client, TEST_TIMEOUT_MS);
  rpc_assert_error (too_big, -32600, "protocol", "size limit");
  assert_reply_id_null (too_big);
  assert_hello_works (client);
  /* Exactly one answer for the big line. */
  g_assert_null (rpc_client_next (client, 0));
}

/* The largest definition domain.define takes (10 MiB) passes in both
 * directions even when its JSON is much larger: a request line under the
 * frame limit, and a reply larger than what may wait for a client. */
static void
test_big_definition (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(GString) xml = g_string_new ("<domain type='qemu'><name>big</name>"
                                         "<memory unit='MiB'>64</memory>"
                                         "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                                         "<description>");
  g_autoptr(json_t) got = NULL;
  gsize xml_len;

  /* Mostly newlines: each is two bytes in JSON. */
  while (xml->len < 9 * 1024 * 1024 + 512 * 1024)
    g_string_append (xml, "a\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n");
  g_string_append (xml, "</description></domain>");
  rpc_client_call_expect_ok (client, "domain.define", json_pack ("{s:s}", "xml", xml->str));
  got = rpc_client_call_ok (client, "domain.getXml", json_pack ("{s:s}", "name", "big"));
  xml_len = strlen (json_string_value (json_object_get (got, "xml")));
  g_test_message ("canonical XML: %" G_GSIZE_FORMAT " bytes", xml_len);
  g_assert_cmpuint (xml_len, >, 9 * 1024 * 1024);
  assert_hello_works (client);
}

/* Every method that changes something is refused on the read-only
 * socket, whatever its (valid) params; the others are served. */
static void
test_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) ro = rpc_client_connect (f->daemon->ro_socket_path);
  g_autoptr(RpcClient) rw = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) methods = rpc_client_call_ok (ro, "server.methods", NULL);
  g_autoptr(json_t) all = NULL;
  g_autofree char *xml = test_xml_no_guest ("rovm");
  guint n_refused = 0;
  guint n_served = 0;
  size_t i;
  json_t *method;

  g_assert_true (json_is_array (methods));
  json_array_foreach (methods, i, method)
    {
      const char *name = json_string_value (json_object_get (method, "name"));
      gboolean read_only = json_is_true (json_object_get (method, "read-only"));
      g_autoptr(json_t) params = json_object ();
      g_autoptr(json_t) reply = NULL;
      size_t j;
      json_t *spec;

      json_array_foreach (json_object_get (method, "params"), j, spec)
        {
          const char *param = json_string_value (json_object_get (spec, "name"));
          const char *type = json_string_value (json_object_get (spec, "type"));

          if (!json_is_true (json_object_get (spec, "required")))
            continue;
          if (g_str_equal (type, "string"))
            json_object_set_new (params, param, json_string (g_str_equal (param, "xml")
                                                             ? xml : "rovm"));
          else if (g_str_equal (type, "boolean"))
            json_object_set_new (params, param, json_false ());
          else if (g_str_equal (type, "integer"))
            json_object_set_new (params, param, json_integer (1));
          else if (g_str_equal (type, "object"))
            json_object_set_new (params, param, json_object ());
          else
            json_object_set_new (params, param, json_string ("query-status"));
        }
      reply = rpc_client_call (ro, name, json_incref (params));
      g_test_message ("%s (read-only: %d)", name, read_only);
      if (read_only)
        {
          json_t *error = json_object_get (reply, "error");
          const char *kind = json_string_value (json_object_get (json_object_get (error, "data"),
                                                                 "kind"));

          g_assert_cmpstr (kind, !=, "access-denied");
          n_served++;
        }
      else
        {
          rpc_assert_error (reply, -32000, "access-denied", "read-only");
          n_refused++;
        }
    }
  /* docs/protocol.md lists 11 and 7. */
  g_assert_cmpuint (n_refused, >=, 11);
  g_assert_cmpuint (n_served, >=, 7);

  /* Nothing changed: domain.define was refused. */
  all = rpc_client_call_ok (rw, "domain.list", json_pack ("{s:b}", "inactive", TRUE));
  g_assert_cmpuint (json_array_size (all), ==, 0);
}

/* A request without an id runs but is never answered, not even an
 * invalid one's params error. */
static void
test_notification_request (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  g_autofree char *xml = test_xml_no_guest ("quiet");
  g_autoptr(json_t) define = json_pack ("{s:s, s:s, s:{s:s}}", "jsonrpc", "2.0",
                                        "method", "domain.define", "params", "xml", xml);
  g_autofree char *define_text = json_dumps (define, JSON_COMPACT);
  g_autofree char *lines = g_strconcat (define_text, "\n",
                                        "{\"jsonrpc\":\"2.0\",\"method\":\"domain.boot\"}\n",
                                        "{\"jsonrpc\":\"2.0\",\"method\":\"domain.start\"}\n",
                                        "{\"jsonrpc\":\"2.0\",\"method\":\"domain.info\","
                                        "\"params\":{\"name\":\"nothere\"}}\n", NULL);
  g_autoptr(json_t) first = NULL;
  g_autoptr(json_t) info = NULL;
  gint64 id;

  rpc_client_send_raw (client, lines, strlen (lines));
  id = rpc_client_send (client, "server.hello", NULL);
  first = rpc_client_next (client, TEST_TIMEOUT_MS);
  assert_reply_id (first, id);
  info = rpc_client_call_ok (client, "domain.info", json_pack ("{s:s}", "name", "quiet"));
  g_assert_cmpstr (json_string_value (json_object_get (info, "state")), ==, "shutoff");
}

/* Clients that vanish mid-frame leave nothing behind. */
static void
test_half_written_frame (Fixture *f, gconstpointer data)
{
  guint fds_before = test_daemon_count_fds (f->daemon);
  guint gone_before = test_daemon_count_log (f->daemon, ": gone");
  g_autoptr(RpcClient) survivor = rpc_client_connect (f->daemon->socket_path);

  {
    g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
    const char *half = "{\"jsonrpc\":\"2.0\",\"id\":1,\"meth";

    rpc_client_send_raw (client, half, strlen (half));
  }
  {
    g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
    g_autoptr(GString) big = g_string_new ("{\"jsonrpc\":\"2.0\",\"id\":1,\"params\":\"");

    while (big->len < 1024 * 1024)
      g_string_append (big, "0123456789abcdef");
    rpc_client_send_raw (client, big->str, big->len);
  }
  {
    /* A whole request, then gone before the reply. */
    g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);

    rpc_client_send (client, "server.methods", NULL);
  }

  assert_hello_works (survivor);
  g_assert_true (test_daemon_wait_log_count (f->daemon, ": gone", gone_before + 3,
                                             TEST_TIMEOUT_MS));
  /* The survivor's own descriptor is the only new one. */
  g_assert_cmpuint (test_daemon_count_fds (f->daemon), ==, fds_before + 1);
}

/* A client that stops sending (shutdown(SHUT_WR), like socat) still gets
 * its replies; then the daemon closes the connection. */
static void
test_half_close (Fixture *f, gconstpointer data)
{
  g_autoptr(RpcClient) client = rpc_client_connect (f->daemon->socket_path);
  gint64 hello = rpc_client_send (client, "server.hello", NULL);
  gint64 list = rpc_client_send (client, "domain.list", NULL);
  g_autoptr(json_t) hello_reply = NULL;
  g_autoptr(json_t) list_reply = NULL;

  g_assert_cmpint (shutdown (client->fd, SHUT_WR), ==, 0);
  hello_reply = rpc_client_wait_reply (client, hello, TEST_TIMEOUT_MS);
  list_reply = rpc_client_wait_reply (client, list, TEST_TIMEOUT_MS);
  g_assert_nonnull (json_object_get (hello_reply, "result"));
  g_assert_nonnull (json_object_get (list_reply, "result"));
  g_assert_true (rpc_client_wait_closed (client, TEST_TIMEOUT_MS));
}

/* A client that sends requests and never reads the replies: the daemon
 * serves everyone else meanwhile, and drops it once 16 MiB of replies
 * wait for it. */
static void
test_never_reading_client (Fixture *f, gconstpointer data)
{
  const char *request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.methods\"}\n";
  g_autoptr(RpcClient) reader = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(RpcClient) flooder = rpc_client_connect (f->daemon->socket_path);
  g_autoptr(json_t) methods = rpc_client_call_ok (reader, "server.methods", NULL);
  g_autofree char *methods_text = json_dumps (methods, JSON_COMPACT);
  g_autoptr(GString) batch = g_string_new (NULL);
  /* Enough replies for 16 MiB, with room for what the socket buffers
   * hold; the flooder must be dropped well before. */
  guint needed = (guint) (16 * 1024 * 1024 / strlen (methods_text)) * 4;
  guint sent = 0;
  gboolean dropped = FALSE;
  guint fds_before;

  for (guint i = 0; i < 100; i++)
    g_string_append (batch, request);

  while (!dropped && sent < needed)
    {
      const char *next = batch->str;
      gsize len = batch->len;

      while (len > 0)
        {
          gssize n = send (flooder->fd, next, len, MSG_NOSIGNAL);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              g_assert_true (errno == EPIPE || errno == ECONNRESET);
              dropped = TRUE;
              break;
            }
          next += n;
          len -= (gsize) n;
        }
      sent += 100;
      /* Meanwhile, the others are served. */
      if (sent % 1000 == 0)
        assert_hello_works (reader);
    }
  g_test_message ("flooder sent %u requests", sent);
  g_assert_true (test_daemon_wait_log (f->daemon, "does not read what it is sent",
                                       TEST_TIMEOUT_MS));
  g_assert_true (rpc_client_wait_closed (flooder, TEST_TIMEOUT_MS));
  assert_hello_works (reader);

  /* Its descriptor went. */
  fds_before = test_daemon_count_fds (f->daemon);
  g_clear_pointer (&flooder, rpc_client_free);
  assert_hello_works (reader);
  g_assert_cmpuint (test_daemon_count_fds (f->daemon), <=, fds_before);
}

/* 100 clients × 100 calls at once: all answered, no descriptor leaked. */
#define N_CLIENTS 100
#define N_CALLS 100

typedef struct {
  const char *path;
  guint answered;
} LoadClient;

static gpointer
run_load_client (gpointer user_data)
{
  LoadClient *load = user_data;
  g_autoptr(RpcClient) client = rpc_client_connect (load->path);

  for (guint i = 0; i < N_CALLS; i++)
    {
      const char *method = i % 2 ? "domain.list" : "server.hello";
      gint64 id = rpc_client_send (client, method, NULL);
      g_autoptr(json_t) reply = rpc_client_wait_reply (client, id, TEST_TIMEOUT_MS);

      if (json_object_get (reply, "result") != NULL)
        load->answered++;
    }
  return NULL;
}

static void
test_many_clients (Fixture *f, gconstpointer data)
{
  guint fds_before = test_daemon_count_fds (f->daemon);
  guint gone_before = test_daemon_count_log (f->daemon, ": gone");
  LoadClient loads[N_CLIENTS] = { { 0 } };
  GThread *threads[N_CLIENTS];
  guint answered = 0;

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      loads[i].path = i % 4 == 3 ? f->daemon->ro_socket_path : f->daemon->socket_path;
      threads[i] = g_thread_new ("load-client", run_load_client, &loads[i]);
    }
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_thread_join (threads[i]);
      answered += loads[i].answered;
    }
  g_assert_cmpuint (answered, ==, N_CLIENTS * N_CALLS);

  g_assert_true (test_daemon_wait_log_count (f->daemon, ": gone", gone_before + N_CLIENTS,
                                             TEST_TIMEOUT_MS));
  g_assert_cmpuint (test_daemon_count_fds (f->daemon), ==, fds_before);
}

/* One root, one owner: a second daemon fails and names the first. */
static void
test_second_daemon (Fixture *f, gconstpointer data)
{
  g_autoptr(TestDaemon) second = test_daemon_spawn (f->root);
  g_autofree char *expected = g_strdup_printf ("in use by process %d", (int) f->daemon->pid);
  g_autofree char *log = NULL;
  g_autoptr(RpcClient) client = NULL;

  g_assert_true (test_daemon_wait_exit (second, TEST_TIMEOUT_MS));
  g_assert_true (WIFEXITED (second->wait_status));
  g_assert_cmpint (WEXITSTATUS (second->wait_status), ==, 1);
  log = test_daemon_get_log (second);
  g_assert_nonnull (strstr (log, expected));
  g_assert_nonnull (strstr (log, "qvirtd: error:"));

  /* The first one's sockets are untouched. */
  client = rpc_client_connect (f->daemon->socket_path);
  assert_hello_works (client);
}

/* Socket activation: the daemon serves the sockets it inherits (by
 * name, whatever their order; by position without names) and creates
 * none of its own. systemd-socket-activate plays systemd. */
static TestDaemon *
spawn_activated (const char *root, const char *rw_path, const char *ro_path,
                 const char *fdnames)
{
  g_autofree char *first = g_strconcat ("--listen=", fdnames ? ro_path : rw_path, NULL);
  g_autofree char *second = g_strconcat ("--listen=", fdnames ? rw_path : ro_path, NULL);
  g_autofree char *names = fdnames ? g_strconcat ("--fdname=", fdnames, NULL) : NULL;
  const char *argv[] = { QVIRT_TEST_SOCKET_ACTIVATE, first, second,
                         names ? names : "--setenv=QVIRT_TEST=1",
                         QVIRT_TEST_QVIRTD, "--root", root, "--verbose", NULL };
  TestDaemon *daemon = test_daemon_spawn_argv (root, argv, NULL);

  /* It listens at once and starts qvirtd on the first connection. */
  g_assert_true (test_daemon_wait_log_count (daemon, "Listening on", 2, TEST_TIMEOUT_MS));
  return daemon;
}

static void
assert_activated_sockets (TestDaemon *daemon, const char *rw_path, const char *ro_path)
{
  g_autoptr(RpcClient) rw = rpc_client_connect (rw_path);
  g_autoptr(RpcClient) ro = rpc_client_connect (ro_path);
  g_autoptr(json_t) rw_hello = rpc_client_call_ok (rw, "server.hello", NULL);
  g_autoptr(json_t) ro_hello = rpc_client_call_ok (ro, "server.hello", NULL);
  g_autoptr(json_t) refused = rpc_client_call (ro, "domain.define",
                                               json_pack ("{s:s}", "xml", "<domain/>"));

  g_assert_true (json_is_false (json_object_get (rw_hello, "read-only")));
  g_assert_true (json_is_true (json_object_get (ro_hello, "read-only")));
  rpc_assert_error (refused, -32000, "access-denied", NULL);
  g_assert_true (test_daemon_wait_log (daemon, "ready: read-write socket inherited from systemd, "
                                       "read-only socket inherited from systemd",
                                       TEST_TIMEOUT_MS));
  /* No sockets of its own. */
  g_assert_false (g_file_test (daemon->socket_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (daemon->ro_socket_path, G_FILE_TEST_EXISTS));
}

static void
test_socket_activation (void)
{
  g_autofree char *root = NULL;
  g_autofree char *rw_path = NULL;
  g_autofree char *ro_path = NULL;
  const char *fdnames[] = { "ro:rw", NULL };

  if (*QVIRT_TEST_SOCKET_ACTIVATE == '\0')
    {
      g_test_skip ("systemd-socket-activate is not installed");
      return;
    }
  root = test_root_new ();
  rw_path = g_build_filename (root, "rw.sock", NULL);
  ro_path = g_build_filename (root, "ro.sock", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fdnames); i++)
    {
      g_autoptr(TestDaemon) daemon = spawn_activated (root, rw_path, ro_path, fdnames[i]);
      int status;

      g_test_message ("LISTEN_FDNAMES: %s", fdnames[i] ? fdnames[i] : "(none)");
      assert_activated_sockets (daemon, rw_path, ro_path);
      status = test_daemon_stop (daemon, SIGTERM);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      /* Not ours to remove. */
      g_assert_true (g_file_test (rw_path, G_FILE_TEST_EXISTS));
      g_unlink (rw_path);
      g_unlink (ro_path);
    }

  /* A name it does not know: refuse rather than guess which socket is
   * the world-accessible one. */
  {
    g_autoptr(TestDaemon) daemon = spawn_activated (root, rw_path, ro_path, "ro:admin");
    /* The first connection starts it. */
    RpcClient *trigger = rpc_client_connect (rw_path);

    g_assert_true (test_daemon_wait_exit (daemon, TEST_TIMEOUT_MS));
    rpc_client_free (trigger);
    g_assert_true (WIFEXITED (daemon->wait_status));
    g_assert_cmpint (WEXITSTATUS (daemon->wait_status), ==, 1);
    g_assert_true (test_daemon_wait_log (daemon, "named 'admin'", TEST_TIMEOUT_MS));
  }
  test_root_remove (root);
}

/* --session: the XDG directories, here all under a temp dir. */
static void
test_session (void)
{
  g_autofree char *home = test_root_new ();
  g_autofree char *runtime = g_build_filename (home, "runtime", NULL);
  g_auto(GStrv) envp = g_get_environ ();
  const char *argv[] = { QVIRT_TEST_QVIRTD, "--session", NULL };
  g_autoptr(TestDaemon) daemon = NULL;
  g_autoptr(RpcClient) client = NULL;
  g_autoptr(json_t) hello = NULL;
  g_autofree char *pidfile = g_build_filename (runtime, "qvirt", "qvirtd.pid", NULL);
  struct stat st;
  int status;

  g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);
  envp = g_environ_setenv (envp, "HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_RUNTIME_DIR", runtime, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", home, TRUE);
  daemon = test_daemon_spawn_argv (home, argv, (const char * const *) envp);
  g_free (daemon->socket_path);
  g_free (daemon->ro_socket_path);
  daemon->socket_path = g_build_filename (runtime, "qvirt", "qvirt.sock", NULL);
  daemon->ro_socket_path = g_build_filename (runtime, "qvirt", "qvirt-ro.sock", NULL);
  g_assert_true (test_daemon_wait_log (daemon, "qvirtd: info: ready", TEST_TIMEOUT_MS));

  client = rpc_client_connect (daemon->socket_path);
  hello = rpc_client_call_ok (client, "server.hello", NULL);
  g_assert_cmpstr (json_string_value (json_object_get (hello, "uri")), ==, "qemu:///session");
  g_assert_cmpint (stat (daemon->socket_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpint (stat (daemon->ro_socket_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0666);
  g_assert_true (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_clear_pointer (&client, rpc_client_free);

  status = test_daemon_stop (daemon, SIGTERM);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  test_root_remove (home);
}

static void
test_bad_options (void)
{
  const char *bad[][4] = {
    { QVIRT_TEST_QVIRTD, "--root", "/tmp/x", "--system" },
    { QVIRT_TEST_QVIRTD, "--no-such-option", NULL, NULL },
    { QVIRT_TEST_QVIRTD, "extra", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *err = NULL;
      int status;

      g_spawn_sync (NULL, (char **) bad[i], NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                    NULL, &err, &status, &error);
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_true (g_str_has_prefix (err, "qvirtd: error: "));
    }
}

static void
test_help (void)
{
  const char *argv[] = { QVIRT_TEST_QVIRTD, "--help", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "--root"));
  g_assert_nonnull (strstr (out, "qvirt-ro.sock"));
  g_assert_nonnull (strstr (out, "0666"));
  g_assert_nonnull (strstr (out, "LISTEN_FDS"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/qvirtd/hello", test_hello);
  ADD ("/qvirtd/files", test_files);
  ADD ("/qvirtd/errors/parse", test_parse_error);
  ADD ("/qvirtd/errors/invalid-request", test_invalid_request);
  ADD ("/qvirtd/errors/method-not-found", test_method_not_found);
  ADD ("/qvirtd/errors/invalid-params", test_invalid_params);
  ADD ("/qvirtd/errors/method-error", test_method_error);
  ADD ("/qvirtd/errors/oversized-frame", test_oversized_frame);
  ADD ("/qvirtd/big-definition", test_big_definition);
  ADD ("/qvirtd/read-only", test_read_only);
  ADD ("/qvirtd/notification-request", test_notification_request);
  ADD ("/qvirtd/clients/half-written-frame", test_half_written_frame);
  ADD ("/qvirtd/clients/half-close", test_half_close);
  ADD ("/qvirtd/clients/never-reading", test_never_reading_client);
  ADD ("/qvirtd/clients/many", test_many_clients);
  ADD ("/qvirtd/second-daemon", test_second_daemon);
  g_test_add_func ("/qvirtd/session", test_session);
  g_test_add_func ("/qvirtd/socket-activation", test_socket_activation);
  g_test_add_func ("/qvirtd/bad-options", test_bad_options);
  g_test_add_func ("/qvirtd/help", test_help);
  return g_test_run ();
}
