/* The framing of the socket protocol on its own (src/rpc/framing.c): no
 * daemon, no I/O. */
#include <string.h>

#include "rpc/framing.h"
#include "util/json-autoptr.h"

/* Feeds @input in pieces of @step bytes and collects what comes out:
 * each line as itself, each oversized one as "<oversized>". */
static GPtrArray *
split (gsize max_line, const char *input, gsize len, gsize step)
{
  g_autoptr(QvirtLineSplitter) splitter = qvirt_line_splitter_new (max_line);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (gsize offset = 0; offset < len; offset += step)
    {
      const char *line;
      gsize line_len;
      QvirtLineResult result;

      qvirt_line_splitter_feed (splitter, input + offset, MIN (step, len - offset));
      while ((result = qvirt_line_splitter_next (splitter, &line, &line_len)) != QVIRT_LINE_NONE)
        g_ptr_array_add (out, result == QVIRT_LINE_OVERSIZED ? g_strdup ("<oversized>")
                                                             : g_strndup (line, line_len));
    }
  return out;
}

static void
assert_lines (GPtrArray *got, const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n, got->len); i++)
    g_assert_cmpstr (got->pdata[i], ==, expected[i]);
  g_assert_cmpuint (got->len, ==, n);
}

static void
test_split_lines (void)
{
  const char *input = "{\"a\":1}\n\n{\"b\":2}\r\nlast without newline";
  const char *expected[] = { "{\"a\":1}", "", "{\"b\":2}\r", NULL };

  /* Whatever the pieces, the same lines. */
  for (gsize step = 1; step <= strlen (input); step++)
    {
      g_autoptr(GPtrArray) got = split (100, input, strlen (input), step);

      assert_lines (got, expected);
    }
}

static void
test_split_oversized (void)
{
  const char *input = "12345\n123456\n1234567890123\nok\n";
  const char *expected[] = { "12345", "<oversized>", "<oversized>", "ok", NULL };

  for (gsize step = 1; step <= strlen (input); step++)
    {
      g_autoptr(GPtrArray) got = split (5, input, strlen (input), step);

      assert_lines (got, expected);
    }
}

/* An endless line is reported once, as soon as it passes the limit, and
 * the splitter does not keep its bytes. */
static void
test_split_endless (void)
{
  g_autoptr(QvirtLineSplitter) splitter = qvirt_line_splitter_new (1000);
  char chunk[100];
  guint oversized = 0;
  const char *line;
  gsize len;
  QvirtLineResult result;

  memset (chunk, 'x', sizeof chunk);
  for (guint i = 0; i < 10000; i++)
    {
      qvirt_line_splitter_feed (splitter, chunk, sizeof chunk);
      while ((result = qvirt_line_splitter_next (splitter, &line, &len)) != QVIRT_LINE_NONE)
        {
          g_assert_cmpint (result, ==, QVIRT_LINE_OVERSIZED);
          oversized++;
          /* Reported by the chunk that passed the limit. */
          g_assert_cmpuint (i, ==, 10);
        }
    }
  g_assert_cmpuint (oversized, ==, 1);
  qvirt_line_splitter_feed (splitter, "tail\nnext\n", 10);
  g_assert_cmpint (qvirt_line_splitter_next (splitter, &line, &len), ==, QVIRT_LINE_COMPLETE);
  g_assert_cmpmem (line, len, "next", 4);
  g_assert_cmpint (qvirt_line_splitter_next (splitter, &line, &len), ==, QVIRT_LINE_NONE);
}

/* A line of exactly the limit is fine. */
static void
test_split_at_limit (void)
{
  const char *input = "abcde\nabcdef\n";
  const char *expected[] = { "abcde", "<oversized>", NULL };
  g_autoptr(GPtrArray) whole = split (5, input, strlen (input), strlen (input));

  assert_lines (whole, expected);
}

/* ------------------------------------------------------------------ */

static json_t *
parse_invalid (const char *line, int code)
{
  QvirtRpcMessage message;
  json_t *reply;

  qvirt_rpc_message_parse (line, strlen (line), &message);
  g_assert_cmpint (message.kind, ==, QVIRT_RPC_MESSAGE_INVALID);
  g_assert_null (message.method);
  reply = json_incref (message.error_reply);
  qvirt_rpc_message_clear (&message);

  g_assert_cmpstr (json_string_value (json_object_get (reply, "jsonrpc")), ==, "2.0");
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (reply, "error"),
                                                       "code")), ==, code);
  g_assert_cmpstr (json_string_value (
                     json_object_get (json_object_get (json_object_get (reply, "error"),
                                                       "data"), "kind")), ==, "protocol");
  return reply;
}

static void
test_message_request (void)
{
  const char *line = "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"domain.info\","
                     "\"params\":{\"name\":\"vm1\"}}";
  QvirtRpcMessage message;

  qvirt_rpc_message_parse (line, strlen (line), &message);
  g_assert_cmpint (message.kind, ==, QVIRT_RPC_MESSAGE_REQUEST);
  g_assert_cmpstr (message.method, ==, "domain.info");
  g_assert_cmpstr (json_string_value (message.id), ==, "x");
  g_assert_cmpstr (json_string_value (json_object_get (message.params, "name")), ==, "vm1");
  g_assert_null (message.error_reply);
  qvirt_rpc_message_clear (&message);

  line = "{\"jsonrpc\":\"2.0\",\"method\":\"server.hello\"}";
  qvirt_rpc_message_parse (line, strlen (line), &message);
  g_assert_cmpint (message.kind, ==, QVIRT_RPC_MESSAGE_NOTIFICATION);
  g_assert_null (message.id);
  g_assert_null (message.params);
  qvirt_rpc_message_clear (&message);

  /* Params are not judged here: that is the dispatcher's job. */
  line = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[1]}";
  qvirt_rpc_message_parse (line, strlen (line), &message);
  g_assert_cmpint (message.kind, ==, QVIRT_RPC_MESSAGE_REQUEST);
  g_assert_true (json_is_array (message.params));
  qvirt_rpc_message_clear (&message);

  qvirt_rpc_message_parse (" \t\r", 3, &message);
  g_assert_cmpint (message.kind, ==, QVIRT_RPC_MESSAGE_EMPTY);
  qvirt_rpc_message_clear (&message);
}

static void
test_message_invalid (void)
{
  struct {
    const char *line;
    int code;
    json_int_t id;   /* -1: null */
  } cases[] = {
    { "nope", -32700, -1 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", -32700, -1 },
    { "{\"a\":1,\"a\":2}", -32700, -1 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"} trailing", -32700, -1 },
    { "[]", -32600, -1 },
    { "42", -32600, -1 },
    { "{\"jsonrpc\":\"2.0\",\"id\":3}", -32600, 3 },
    { "{\"jsonrpc\":\"2\",\"id\":4,\"method\":\"m\"}", -32600, 4 },
    { "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":{}}", -32600, 5 },
    { "{\"jsonrpc\":\"2.0\",\"id\":5.0,\"method\":\"m\"}", -32600, -1 },
    { "{\"jsonrpc\":\"2.0\",\"id\":false,\"method\":\"m\"}", -32600, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(json_t) reply = parse_invalid (cases[i].line, cases[i].code);
      json_t *id = json_object_get (reply, "id");

      if (cases[i].id < 0)
        g_assert_true (json_is_null (id));
      else
        g_assert_cmpint (json_integer_value (id), ==, cases[i].id);
    }
}

static void
test_replies (void)
{
  g_autoptr(json_t) id = json_integer (7);
  g_autoptr(json_t) result = qvirt_rpc_result_new (id, json_pack ("{s:s}", "a", "b\nc"));
  g_autoptr(json_t) error = qvirt_rpc_error_new (NULL, -32000, QVIRT_ERROR_QEMU_FAILED,
                                                 "QEMU log:\n\xff\xfe bad bytes");
  g_autoptr(json_t) params = json_object ();
  g_autoptr(json_t) event = qvirt_rpc_notification_new ("event", params);
  g_autoptr(GBytes) line = qvirt_rpc_encode_line (result);
  g_autoptr(GBytes) error_line = qvirt_rpc_encode_line (error);
  g_autoptr(GBytes) event_line = qvirt_rpc_encode_line (event);
  gsize len;
  const char *text = g_bytes_get_data (line, &len);

  g_assert_cmpmem (text, len, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":\"b\\nc\"}}\n",
                   strlen ("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":\"b\\nc\"}}\n"));

  /* One line, valid UTF-8, whatever the message held. */
  text = g_bytes_get_data (error_line, &len);
  g_assert_true (g_utf8_validate (text, (gssize) len, NULL));
  g_assert_null (memchr (text, '\n', len - 1));
  g_assert_cmpint (text[len - 1], ==, '\n');
  g_assert_nonnull (g_strstr_len (text, (gssize) len, "\"id\":null"));
  g_assert_nonnull (g_strstr_len (text, (gssize) len, "\"kind\":\"qemu-failed\""));

  text = g_bytes_get_data (event_line, &len);
  g_assert_cmpmem (text, len, "{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{}}\n",
                   strlen ("{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":{}}\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/framing/split/lines", test_split_lines);
  g_test_add_func ("/framing/split/oversized", test_split_oversized);
  g_test_add_func ("/framing/split/endless", test_split_endless);
  g_test_add_func ("/framing/split/at-limit", test_split_at_limit);
  g_test_add_func ("/framing/message/request", test_message_request);
  g_test_add_func ("/framing/message/invalid", test_message_invalid);
  g_test_add_func ("/framing/replies", test_replies);
  return g_test_run ();
}
