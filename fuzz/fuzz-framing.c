/* libFuzzer target for the socket protocol's framing (src/rpc/framing.c):
 * the bytes a client may send to qvirtd.
 *
 * Input: two control bytes, then the stream.
 *   byte 0: the size of the pieces the stream is fed in, 1 + byte (so
 *           lines split across reads at every place are reached);
 *   byte 1: the line limit, 1 + 16 * byte bytes (small, so oversized
 *           frames are common).
 *
 * What must hold, beyond not crashing:
 *   - the lines and oversized reports are exactly those of a plain
 *     reference split of the whole stream on '\n' (a piece over the
 *     limit counts once, an unterminated tail only if it is over the
 *     limit), whatever the piece size;
 *   - every line is classified: a blank one as EMPTY; a request has a
 *     method and a string or integer id, a notification no id; an invalid
 *     one an error reply with code -32700 or -32600, kind "protocol", and
 *     an id that is null or the request's (valid) id;
 *   - every reply the server would write for it (the error reply, or a
 *     result and an error echoing the id and quoting the method) encodes
 *     to exactly one line of valid UTF-8 JSON that parses back to the
 *     same value;
 *   - read as a client reads replies (qvirt_rpc_reply_to_error()), any
 *     line's "error" gives a QVIRT_ERROR with a message, and the server's
 *     own error replies give back their kind and message.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/framing.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define OVERSIZED ((gsize) -1)

G_GNUC_NORETURN static void
fail (const char *what)
{
  fprintf (stderr, "fuzz-framing: %s\n", what);
  abort ();
}

static gboolean
is_blank (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

/* Encodes @message and checks it is one line that parses back to it. */
static void
check_encoding (json_t *message)
{
  GBytes *line = qvirt_rpc_encode_line (message);
  const char *text;
  gsize len;
  json_t *back;

  if (line == NULL)
    fail ("a reply could not be encoded");
  text = g_bytes_get_data (line, &len);
  if (len == 0 || text[len - 1] != '\n' || memchr (text, '\n', len - 1) != NULL)
    fail ("an encoded reply is not exactly one line");
  if (!g_utf8_validate (text, (gssize) len, NULL))
    fail ("an encoded reply is not UTF-8");
  back = json_loadb (text, len - 1, 0, NULL);
  if (back == NULL || !json_equal (back, message))
    fail ("an encoded reply does not parse back to itself");
  json_decref (back);
  g_bytes_unref (line);
}

/* The client's view of @line, as if a server had sent it. */
static void
check_as_reply (const char *line, gsize len)
{
  json_t *reply = json_loadb (line, len, 0, NULL);
  json_t *error_object = json_object_get (reply, "error");

  if (json_is_object (error_object))
    {
      GError *error = qvirt_rpc_reply_to_error (error_object);

      if (error->domain != QVIRT_ERROR || error->message == NULL ||
          error->code < 0 || error->code > QVIRT_ERROR_NEEDS_OTHER_DRIVER)
        fail ("a reply's error did not read back as a QVIRT_ERROR");
      g_error_free (error);
    }
  json_decref (reply);
}

/* A server's error reply reads back to what it said. */
static void
check_error_round_trip (json_t *error_reply)
{
  json_t *error_object = json_object_get (error_reply, "error");
  GError *error = qvirt_rpc_reply_to_error (error_object);
  const char *kind = json_string_value (json_object_get (json_object_get (error_object, "data"),
                                                         "kind"));

  if (g_strcmp0 (qvirt_error_kind_to_string ((QvirtErrorCode) error->code), kind) != 0 ||
      g_strcmp0 (error->message,
                 json_string_value (json_object_get (error_object, "message"))) != 0)
    fail ("an error reply does not read back to its kind and message");
  g_error_free (error);
}

static void
check_message (const char *line, gsize len)
{
  QvirtRpcMessage message;
  json_t *error;
  json_t *code;
  json_t *id;
  json_t *reply;

  qvirt_rpc_message_parse (line, len, &message);
  switch (message.kind)
    {
    case QVIRT_RPC_MESSAGE_EMPTY:
      if (!is_blank (line, len))
        fail ("a line with content was taken for a blank one");
      break;

    case QVIRT_RPC_MESSAGE_INVALID:
      error = json_object_get (message.error_reply, "error");
      code = json_object_get (error, "code");
      id = json_object_get (message.error_reply, "id");
      if (!json_is_integer (code) ||
          (json_integer_value (code) != QVIRT_RPC_PARSE_ERROR &&
           json_integer_value (code) != QVIRT_RPC_INVALID_REQUEST))
        fail ("an invalid line got a code other than -32700 or -32600");
      if (g_strcmp0 (json_string_value (json_object_get (json_object_get (error, "data"),
                                                         "kind")), "protocol") != 0)
        fail ("an invalid line's error kind is not 'protocol'");
      if (!json_is_null (id) && !json_is_string (id) && !json_is_integer (id))
        fail ("an error reply carries an id of a wrong type");
      if (json_integer_value (code) == QVIRT_RPC_PARSE_ERROR && !json_is_null (id))
        fail ("a parse error carries an id");
      if (message.document == NULL && json_integer_value (code) != QVIRT_RPC_PARSE_ERROR)
        fail ("a line that is not JSON got -32600");
      check_encoding (message.error_reply);
      check_error_round_trip (message.error_reply);
      break;

    case QVIRT_RPC_MESSAGE_REQUEST:
    case QVIRT_RPC_MESSAGE_NOTIFICATION:
      if (message.method == NULL || !json_is_object (message.document))
        fail ("a request without a method or outside an object");
      if ((message.kind == QVIRT_RPC_MESSAGE_REQUEST) != (message.id != NULL))
        fail ("request and notification mixed up");
      if (message.id && !json_is_string (message.id) && !json_is_integer (message.id))
        fail ("a request with an id of a wrong type");
      reply = qvirt_rpc_result_new (message.id, json_pack ("{s:s}", "method", message.method));
      check_encoding (reply);
      json_decref (reply);
      reply = qvirt_rpc_error_new (message.id, QVIRT_RPC_METHOD_NOT_FOUND, QVIRT_ERROR_PROTOCOL,
                                   message.method);
      check_encoding (reply);
      check_error_round_trip (reply);
      json_decref (reply);
      break;

    default:
      fail ("unknown message kind");
    }
  qvirt_rpc_message_clear (&message);
}

/* The reference: split the whole stream at once. Each entry is a line's
 * length (its text is at the recorded offset) or OVERSIZED. */
static void
reference_split (const char *stream, gsize len, gsize max_line, GArray *lengths,
                 GArray *offsets)
{
  gsize start = 0;

  for (gsize i = 0; i <= len; i++)
    {
      gboolean end = i == len;

      if (!end && stream[i] != '\n')
        continue;
      if (i - start > max_line)
        {
          gsize oversized = OVERSIZED;

          g_array_append_val (lengths, oversized);
          g_array_append_val (offsets, start);
        }
      else if (!end)
        {
          gsize line_len = i - start;

          g_array_append_val (lengths, line_len);
          g_array_append_val (offsets, start);
        }
      start = i + 1;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  QvirtLineSplitter *splitter;
  GArray *lengths;
  GArray *offsets;
  const char *stream;
  gsize stream_len;
  gsize step;
  gsize max_line;
  guint next = 0;

  if (size < 2)
    return 0;
  step = 1 + (gsize) data[0];
  max_line = 1 + 16 * (gsize) data[1];
  stream = (const char *) data + 2;
  stream_len = size - 2;

  lengths = g_array_new (FALSE, FALSE, sizeof (gsize));
  offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  reference_split (stream, stream_len, max_line, lengths, offsets);

  splitter = qvirt_line_splitter_new (max_line);
  for (gsize offset = 0; offset < stream_len; offset += step)
    {
      const char *line;
      gsize len;
      QvirtLineResult result;

      qvirt_line_splitter_feed (splitter, stream + offset, MIN (step, stream_len - offset));
      while ((result = qvirt_line_splitter_next (splitter, &line, &len)) != QVIRT_LINE_NONE)
        {
          gsize expected;

          if (next >= lengths->len)
            fail ("the splitter returned more lines than the stream holds");
          expected = g_array_index (lengths, gsize, next);
          if (result == QVIRT_LINE_OVERSIZED)
            {
              if (expected != OVERSIZED)
                fail ("a line within the limit was reported oversized");
            }
          else
            {
              if (expected == OVERSIZED || len != expected ||
                  memcmp (line, stream + g_array_index (offsets, gsize, next), len) != 0)
                fail ("the splitter returned a line the stream does not hold there");
              check_message (line, len);
              check_as_reply (line, len);
            }
          next++;
        }
    }
  if (next != lengths->len)
    fail ("the splitter missed lines of the stream");

  qvirt_line_splitter_free (splitter);
  g_array_free (lengths, TRUE);
  g_array_free (offsets, TRUE);
  return 0;
}
