/* Unit tests of QmpStream: framing JSON objects out of a byte stream that
 * may split, merge or pretty-print messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qvirt/qmp.h"

#include <string.h>

/* Collects the messages a stream delivers; stops after stop_after of
 * them in one feed when stop_after is not 0. */
typedef struct {
  GPtrArray *messages;   /* json_t, owned */
  guint stop_after;
  guint delivered_this_feed;
} Collector;

static void
collector_init (Collector *collector)
{
  *collector = (Collector) {
    .messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref),
  };
}

static void
collector_clear (Collector *collector)
{
  g_ptr_array_unref (collector->messages);
}

static gboolean
collect (json_t *message, gpointer user_data)
{
  Collector *collector = user_data;

  g_assert_true (json_is_object (message));
  g_ptr_array_add (collector->messages, json_incref (message));
  collector->delivered_this_feed++;
  return collector->stop_after == 0 ||
         collector->delivered_this_feed < collector->stop_after;
}

static gboolean
feed (QmpStream *stream, Collector *collector, const char *data, gsize len,
      GError **error)
{
  collector->delivered_this_feed = 0;
  return qmp_stream_feed (stream, data, len, collect, collector, error);
}

static void
feed_ok (QmpStream *stream, Collector *collector, const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (feed (stream, collector, data, len, &error));
  g_assert_no_error (error);
}

static void
feed_string_ok (QmpStream *stream, Collector *collector, const char *text)
{
  feed_ok (stream, collector, text, strlen (text));
}

/* Asserts that message @index of @collector equals the JSON @expected. */
static void
assert_message (Collector *collector, guint index, const char *expected)
{
  g_autoptr(json_t) expected_json = json_loads (expected, 0, NULL);

  g_assert_nonnull (expected_json);
  g_assert_cmpuint (index, <, collector->messages->len);
  if (!json_equal (collector->messages->pdata[index], expected_json))
    {
      g_autofree char *got = json_dumps (collector->messages->pdata[index],
                                         JSON_COMPACT | JSON_SORT_KEYS);
      g_error ("message %u is %s, expected %s", index, got, expected);
    }
}

/* Messages with every kind of byte the scanner must treat with care. */
static const char *const tricky_messages[] = {
  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
  " \"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}",
  "{\"return\": {}}",
  "{\"s\": \"} ] { [ }}}]]\"}",
  "{\"quote\": \"say \\\"hi\\\" {\", \"x\": [1, 2, {\"y\": []}]}",
  "{\"backslash-at-end\": \"C:\\\\\", \"after\": \"{\"}",
  "{\"escaped-backslash-then-quote\": \"\\\\\\\"}\"}",
  "{\"unicode\": \"\\u00e9\\u263a \\ud83d\\ude00 caf\xc3\xa9 \\u007b\"}",
  "{\"event\": \"STOP\", \"data\": {}, \"timestamp\": {\"seconds\": 1,"
  " \"microseconds\": 2}}",
  "{\"nested\": [[[{\"a\": [[]]}]], {}], \"num\": -1.5e3, \"t\": true,"
  " \"f\": false, \"n\": null}",
};

/* The tricky messages as QEMU sends them: each followed by "\r\n". */
static char *
tricky_stream (void)
{
  GString *text = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (tricky_messages); i++)
    g_string_append_printf (text, "%s\r\n", tricky_messages[i]);
  return g_string_free (text, FALSE);
}

static void
assert_tricky_messages (Collector *collector)
{
  g_assert_cmpuint (collector->messages->len, ==,
                    G_N_ELEMENTS (tricky_messages));
  for (guint i = 0; i < G_N_ELEMENTS (tricky_messages); i++)
    assert_message (collector, i, tricky_messages[i]);
}

static void
test_one_message (void)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  Collector collector;

  collector_init (&collector);
  g_assert_true (qmp_stream_is_idle (stream));
  feed_string_ok (stream, &collector, "{\"return\": {\"status\": \"running\"}}\r\n");
  g_assert_cmpuint (collector.messages->len, ==, 1);
  assert_message (&collector, 0, "{\"return\": {\"status\": \"running\"}}");
  g_assert_true (qmp_stream_is_idle (stream));
  collector_clear (&collector);
}

static void
test_byte_by_byte (void)
{
  g_autofree char *text = tricky_stream ();
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  Collector collector;
  gsize len = strlen (text);

  collector_init (&collector);
  for (gsize i = 0; i < len; i++)
    {
      guint before = collector.messages->len;

      feed_ok (stream, &collector, text + i, 1);
      /* A message is delivered exactly at its closing brace. */
      if (text[i] == '\r' || text[i] == '\n')
        g_assert_true (qmp_stream_is_idle (stream));
      if (collector.messages->len > before)
        g_assert_cmpint (text[i], ==, '}');
    }
  assert_tricky_messages (&collector);
  g_assert_true (qmp_stream_is_idle (stream));
  collector_clear (&collector);
}

static void
test_every_split (void)
{
  g_autofree char *text = tricky_stream ();
  gsize len = strlen (text);

  for (gsize split = 0; split <= len; split++)
    {
      g_autoptr(QmpStream) stream = qmp_stream_new (0);
      Collector collector;

      collector_init (&collector);
      feed_ok (stream, &collector, text, split);
      feed_ok (stream, &collector, text + split, len - split);
      assert_tricky_messages (&collector);
      g_assert_true (qmp_stream_is_idle (stream));
      collector_clear (&collector);
    }
}

static void
test_merged (void)
{
  g_autofree char *text = tricky_stream ();
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  Collector collector;

  collector_init (&collector);
  feed_string_ok (stream, &collector, text);
  assert_tricky_messages (&collector);
  collector_clear (&collector);

  /* Back to back, without any separator. */
  collector_init (&collector);
  feed_string_ok (stream, &collector, "{\"a\":1}{\"b\":2}{\"c\":{}}");
  g_assert_cmpuint (collector.messages->len, ==, 3);
  assert_message (&collector, 2, "{\"c\": {}}");
  collector_clear (&collector);
}

static void
test_pretty_printed (void)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  g_autoptr(json_t) original = json_loads (tricky_messages[0], 0, NULL);
  g_autofree char *pretty = json_dumps (original, JSON_INDENT (4));
  Collector collector;

  g_assert_nonnull (strchr (pretty, '\n'));
  collector_init (&collector);
  feed_string_ok (stream, &collector, pretty);
  feed_string_ok (stream, &collector, "\n");
  feed_string_ok (stream, &collector, pretty);
  g_assert_cmpuint (collector.messages->len, ==, 2);
  assert_message (&collector, 0, tricky_messages[0]);
  assert_message (&collector, 1, tricky_messages[0]);
  collector_clear (&collector);
}

static void
test_whitespace_between (void)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  Collector collector;

  collector_init (&collector);
  feed_string_ok (stream, &collector, " \t\r\n\n  ");
  g_assert_true (qmp_stream_is_idle (stream));
  feed_string_ok (stream, &collector, "{\"a\":1}  \t \n\r\n{ \"b\" :\n\t2 }\n \r");
  g_assert_true (qmp_stream_is_idle (stream));
  g_assert_cmpuint (collector.messages->len, ==, 2);
  assert_message (&collector, 1, "{\"b\": 2}");
  collector_clear (&collector);
}

/* Feeds @text to a fresh stream and returns the error it must end in;
 * @n_messages messages must have been delivered before it. */
static GError *
feed_expecting_error (const char *text, gsize len, gsize max_size,
                      guint n_messages)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (max_size);
  GError *error = NULL;
  Collector collector;

  collector_init (&collector);
  g_assert_false (feed (stream, &collector, text, len, &error));
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  g_assert_cmpuint (collector.messages->len, ==, n_messages);
  g_assert_false (qmp_stream_is_idle (stream));
  collector_clear (&collector);
  return error;
}

static void
test_garbage_at_top_level (void)
{
  static const struct {
    const char *text;
    guint n_messages;
    const char *message;
  } cases[] = {
    { "]", 0, "expected a JSON object at byte 0 of the QMP stream, got ']'" },
    { "x", 0, "expected a JSON object at byte 0 of the QMP stream, got 'x'" },
    { "42", 0, "expected a JSON object at byte 0 of the QMP stream, got '4'" },
    { "[{}]", 0, "expected a JSON object at byte 0 of the QMP stream, got '['" },
    { "\"str\"", 0, "expected a JSON object at byte 0 of the QMP stream, got '\"'" },
    { "{\"a\":1}\r\nx", 1, "expected a JSON object at byte 9 of the QMP stream, got 'x'" },
    { "{\"a\":1}}", 1, "expected a JSON object at byte 7 of the QMP stream, got '}'" },
    { "\x01", 0, "expected a JSON object at byte 0 of the QMP stream, got byte 0x01" },
    { "\xc3\xa9", 0, "expected a JSON object at byte 0 of the QMP stream, got byte 0xc3" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error =
        feed_expecting_error (cases[i].text, strlen (cases[i].text), 0,
                              cases[i].n_messages);

      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  {
    g_autoptr(GError) error = feed_expecting_error ("\0", 1, 0, 0);

    g_assert_cmpstr (error->message, ==,
                     "expected a JSON object at byte 0 of the QMP stream, got byte 0x00");
  }
}

static void
test_invalid_json (void)
{
  static const char *const cases[] = {
    "{\"a\" 1}",
    "{]",
    "{\"a\": [}]",
    "{\"a\": tru}",
    "{\"a\": 1,}",
    "{'a': 1}",
    "{\"a\": \"\\x\"}",
    "{\"a\": \"new\nline\"}",
    "{\"a\": \"nul\\u0000\"}",
    "{\"dup\": 1, \"dup\": 2}",
    "{\"big\": 123456789012345678901234567890}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error =
        feed_expecting_error (cases[i], strlen (cases[i]), 0, 0);

      g_test_message ("%s -> %s", cases[i], error->message);
      g_assert_true (g_str_has_prefix (error->message,
                                       "invalid JSON in the QMP message at byte 0 of the stream: "));
      g_assert_nonnull (strstr (error->message, "(line 1, column "));
    }

  {
    /* The offset and jansson's line/column locate the problem. */
    const char *text = "{\"ok\": 1}\r\n{\n  \"a\": 1,\n  \"b\" 2\n}";
    g_autoptr(GError) error = feed_expecting_error (text, strlen (text), 0, 1);

    g_assert_true (g_str_has_prefix (error->message,
                                     "invalid JSON in the QMP message at byte 11 of the stream: "));
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "(line 3, column "));
  }
}

static void
test_invalid_utf8 (void)
{
  static const char *const cases[] = {
    "{\"a\": \"\xff\"}",
    "{\"a\": \"\xc3\"}",           /* truncated sequence */
    "{\"a\": \"\xc0\xaf\"}",       /* overlong encoding */
    "{\"a\": \"\xed\xa0\x80\"}",   /* UTF-16 surrogate */
    "{\"\xfe\": 1}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error =
        feed_expecting_error (cases[i], strlen (cases[i]), 0, 0);

      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "invalid JSON in the QMP message"));
    }
}

static void
test_size_limit (void)
{
  /* A message of exactly 15 bytes, and its newline. */
  const char *exact = "{\"a\": \"123456\"}\n";
  const char *one_over = "{\"a\": \"1234567\"}";

  g_assert_cmpuint (strlen (exact), ==, 16);
  {
    g_autoptr(QmpStream) stream = qmp_stream_new (15);
    Collector collector;

    collector_init (&collector);
    feed_string_ok (stream, &collector, exact);
    feed_string_ok (stream, &collector, exact);
    g_assert_cmpuint (collector.messages->len, ==, 2);
    collector_clear (&collector);
  }
  {
    g_autoptr(GError) error =
      feed_expecting_error (one_over, strlen (one_over), 15, 0);

    g_assert_cmpstr (error->message, ==,
                     "QMP message at byte 0 of the stream is larger than "
                     "the limit of 15 bytes");
  }
  {
    /* The limit applies per message: many small ones are fine. */
    g_autoptr(QmpStream) stream = qmp_stream_new (15);
    Collector collector;

    collector_init (&collector);
    for (int i = 0; i < 100; i++)
      feed_string_ok (stream, &collector, exact);
    g_assert_cmpuint (collector.messages->len, ==, 100);
    collector_clear (&collector);
  }
}

/* The error comes with the byte that crosses the limit, long before the
 * message would end: the stream does not buffer a huge message. */
static void
test_size_limit_mid_message (void)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (1000);
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = g_strnfill (100, 'x');
  Collector collector;

  collector_init (&collector);
  feed_string_ok (stream, &collector, "{\"ok\": 1}\n{\"data\": \"");
  for (int i = 0; i < 9; i++)
    feed_string_ok (stream, &collector, filler);
  g_assert_false (qmp_stream_is_idle (stream));
  /* 910 bytes of the message so far; 100 more cross the limit. */
  g_assert_false (feed (stream, &collector, filler, 100, &error));
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "QMP message at byte 10 of the stream is larger than "
                   "the limit of 1000 bytes");
  g_assert_cmpuint (collector.messages->len, ==, 1);
  collector_clear (&collector);
}

static void
test_stop_and_resume (void)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  Collector collector;

  collector_init (&collector);
  collector.stop_after = 1;
  feed_string_ok (stream, &collector, "{\"n\":1}\r\n{\"n\":2}\r\n{\"n\":3}\r\n{\"n\":");
  g_assert_cmpuint (collector.messages->len, ==, 1);
  g_assert_false (qmp_stream_is_idle (stream));

  /* An empty feed resumes with what is buffered. */
  feed_ok (stream, &collector, NULL, 0);
  g_assert_cmpuint (collector.messages->len, ==, 2);
  assert_message (&collector, 1, "{\"n\": 2}");

  /* New data goes behind the buffered data. */
  feed_string_ok (stream, &collector, "4}\r\n");
  g_assert_cmpuint (collector.messages->len, ==, 3);
  assert_message (&collector, 2, "{\"n\": 3}");
  g_assert_false (qmp_stream_is_idle (stream));

  /* Stopping after the last message leaves only whitespace: idle. */
  feed_ok (stream, &collector, NULL, 0);
  g_assert_cmpuint (collector.messages->len, ==, 4);
  assert_message (&collector, 3, "{\"n\": 4}");
  g_assert_true (qmp_stream_is_idle (stream));

  collector.stop_after = 0;
  feed_string_ok (stream, &collector, "{\"n\":5}");
  g_assert_cmpuint (collector.messages->len, ==, 5);
  g_assert_true (qmp_stream_is_idle (stream));
  collector_clear (&collector);
}

/* A stop must not lose the error in what follows: it comes at the next
 * feed, after the messages before it. */
static void
test_stop_before_garbage (void)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  g_autoptr(GError) error = NULL;
  Collector collector;

  collector_init (&collector);
  collector.stop_after = 1;
  feed_string_ok (stream, &collector, "{\"n\":1}{\"n\":2}garbage");
  g_assert_cmpuint (collector.messages->len, ==, 1);
  feed_ok (stream, &collector, NULL, 0);
  g_assert_cmpuint (collector.messages->len, ==, 2);
  g_assert_false (feed (stream, &collector, NULL, 0, &error));
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "expected a JSON object at byte 14 of the QMP stream, got 'g'");
  collector_clear (&collector);
}

static void
test_idle_mid_message (void)
{
  static const char *const partials[] = {
    "{",
    "{\"a\": ",
    "{\"a\": \"unterminated",
    "{\"a\": \"ends with backslash\\",
    "{\"a\": [1, 2",
    " \r\n{\"a\": {\"b\": 1}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (partials); i++)
    {
      g_autoptr(QmpStream) stream = qmp_stream_new (0);
      Collector collector;

      collector_init (&collector);
      feed_string_ok (stream, &collector, "{\"complete\": true}\r\n");
      g_assert_true (qmp_stream_is_idle (stream));
      feed_string_ok (stream, &collector, partials[i]);
      g_assert_false (qmp_stream_is_idle (stream));
      g_assert_cmpuint (collector.messages->len, ==, 1);
      collector_clear (&collector);
    }
}

static void
test_feed_after_error (void)
{
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  g_autoptr(GError) error = NULL;
  Collector collector;

  collector_init (&collector);
  g_assert_false (feed (stream, &collector, "{]", 2, &error));
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Even a valid message, or nothing at all, fails now. */
  g_assert_false (feed (stream, &collector, "{}", 2, &error));
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "the QMP stream failed earlier and cannot be used");
  g_clear_error (&error);
  g_assert_false (feed (stream, &collector, NULL, 0, &error));
  g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
  g_assert_cmpuint (collector.messages->len, ==, 0);
  g_assert_false (qmp_stream_is_idle (stream));
  collector_clear (&collector);
}

/* A large message trickling in small pieces: if the scanner restarted
 * from the beginning of the buffer at every feed this would be quadratic
 * (~10^11 byte visits) and time out; linear, it takes milliseconds. */
static void
test_large_message_in_small_pieces (void)
{
  const gsize payload = 4 * 1024 * 1024;
  g_autoptr(QmpStream) stream = qmp_stream_new (0);
  g_autoptr(GString) text = g_string_sized_new (payload + 64);
  Collector collector;
  gint64 start = g_get_monotonic_time ();

  g_string_append (text, "{\"return\": [");
  while (text->len < payload)
    g_string_append (text, "\"{[\\\"]}\", ");
  g_string_append (text, "0]}\r\n");

  collector_init (&collector);
  for (gsize i = 0; i < text->len; i += 7)
    feed_ok (stream, &collector, text->str + i, MIN (7, text->len - i));
  g_assert_cmpuint (collector.messages->len, ==, 1);
  g_assert_true (qmp_stream_is_idle (stream));
  g_test_message ("%zu bytes in 7-byte pieces: %" G_GINT64_FORMAT " ms",
                  text->len, (g_get_monotonic_time () - start) / 1000);
  collector_clear (&collector);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qmp/stream/one-message", test_one_message);
  g_test_add_func ("/qmp/stream/byte-by-byte", test_byte_by_byte);
  g_test_add_func ("/qmp/stream/every-split", test_every_split);
  g_test_add_func ("/qmp/stream/merged", test_merged);
  g_test_add_func ("/qmp/stream/pretty-printed", test_pretty_printed);
  g_test_add_func ("/qmp/stream/whitespace-between", test_whitespace_between);
  g_test_add_func ("/qmp/stream/garbage-at-top-level", test_garbage_at_top_level);
  g_test_add_func ("/qmp/stream/invalid-json", test_invalid_json);
  g_test_add_func ("/qmp/stream/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/qmp/stream/size-limit", test_size_limit);
  g_test_add_func ("/qmp/stream/size-limit-mid-message", test_size_limit_mid_message);
  g_test_add_func ("/qmp/stream/stop-and-resume", test_stop_and_resume);
  g_test_add_func ("/qmp/stream/stop-before-garbage", test_stop_before_garbage);
  g_test_add_func ("/qmp/stream/idle-mid-message", test_idle_mid_message);
  g_test_add_func ("/qmp/stream/feed-after-error", test_feed_after_error);
  g_test_add_func ("/qmp/stream/large-message-in-small-pieces",
                   test_large_message_in_small_pieces);

  return g_test_run ();
}
