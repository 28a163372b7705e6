/* QmpStream: splits the bytes of a QMP connection into JSON objects.
 *
 * QEMU ends every message with "\r\n", but nothing forces a peer to
 * (pretty-printed output spans lines, and reads split or merge messages
 * anywhere), so the framing does not rely on newlines. Instead one pass
 * over the bytes tracks whether we are inside a string (and after a
 * backslash there) and how deeply {} and [] nest; a message ends where
 * the nesting returns to zero. Only then are exactly those bytes handed
 * to jansson, which does the real validation (syntax, UTF-8, duplicate
 * keys). A mismatched bracket such as "{]" may end a message early, but
 * then jansson rejects it, so the scanner never has to be exact about
 * JSON, only about where a well-formed message can end.
 *
 * Every byte is scanned once: the scan position survives between feeds,
 * and consumed bytes are dropped from the front of the buffer once per
 * feed, so the cost is linear in the length of the stream.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qvirt/qmp.h"

struct _QmpStream {
  gsize max_message_size;

  /* Bytes received and not yet consumed: buffer[0] is byte
   * buffer_offset of the stream (counted for error messages). */
  GByteArray *buffer;
  guint64 buffer_offset;

  /* Where the scanner stands in the buffer, and its state there. While
   * depth > 0 a message is open and started at message_start. */
  gsize scan_pos;
  gsize message_start;
  gsize depth;
  gboolean in_string;
  gboolean after_backslash;

  gboolean failed;
  gboolean feeding;   /* to catch a callback that feeds re-entrantly */
};

QmpStream *
qmp_stream_new (gsize max_message_size)
{
  QmpStream *stream = g_new0 (QmpStream, 1);

  stream->max_message_size = max_message_size ? max_message_size
                                              : QMP_DEFAULT_MAX_MESSAGE_SIZE;
  stream->buffer = g_byte_array_new ();
  return stream;
}

void
qmp_stream_free (QmpStream *stream)
{
  if (stream == NULL)
    return;
  g_byte_array_unref (stream->buffer);
  g_free (stream);
}

static gboolean
is_json_whitespace (guint8 byte)
{
  return byte == ' ' || byte == '\t' || byte == '\r' || byte == '\n';
}

/* Marks the stream unusable and drops what it buffered. */
static gboolean
stream_fail (QmpStream *stream, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
stream_fail (QmpStream *stream, GError **error, const char *format, ...)
{
  va_list args;

  stream->failed = TRUE;
  g_byte_array_set_size (stream->buffer, 0);
  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (QMP_ERROR, QMP_ERROR_PROTOCOL,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* Drops the first @count bytes of the buffer; positions move along. */
static void
stream_consume (QmpStream *stream, gsize count)
{
  if (count == 0)
    return;
  g_byte_array_remove_range (stream->buffer, 0, (guint) count);
  stream->buffer_offset += count;
  stream->scan_pos -= count;
  if (stream->depth > 0)
    stream->message_start -= count;
}

/* Advances the scanner over one byte at top level (between messages).
 * Returns FALSE with @error set if the byte cannot start a message. */
static gboolean
scan_top_level_byte (QmpStream *stream, guint8 byte, GError **error)
{
  guint64 offset = stream->buffer_offset + stream->scan_pos;

  if (is_json_whitespace (byte))
    return TRUE;
  if (byte == '{')
    {
      stream->message_start = stream->scan_pos;
      stream->depth = 1;
      return TRUE;
    }
  if (g_ascii_isprint (byte))
    return stream_fail (stream, error,
                        "expected a JSON object at byte %" G_GUINT64_FORMAT
                        " of the QMP stream, got '%c'", offset, byte);
  return stream_fail (stream, error,
                      "expected a JSON object at byte %" G_GUINT64_FORMAT
                      " of the QMP stream, got byte 0x%02x", offset, byte);
}

/* Advances the scanner over one byte inside a message. */
static void
scan_message_byte (QmpStream *stream, guint8 byte)
{
  if (stream->in_string)
    {
      if (stream->after_backslash)
        stream->after_backslash = FALSE;
      else if (byte == '\\')
        stream->after_backslash = TRUE;
      else if (byte == '"')
        stream->in_string = FALSE;
      return;
    }
  switch (byte)
    {
    case '"':
      stream->in_string = TRUE;
      break;
    case '{':
    case '[':
      stream->depth++;
      break;
    case '}':
    case ']':
      stream->depth--;
      break;
    default:
      break;
    }
}

/* Parses the message that ends just before scan_pos. */
static json_t *
parse_message (QmpStream *stream, GError **error)
{
  const char *start = (const char *) stream->buffer->data + stream->message_start;
  gsize length = stream->scan_pos - stream->message_start;
  json_error_t json_error;
  json_t *message;

  /* Duplicate keys make a message ambiguous; QEMU never sends them. */
  message = json_loadb (start, length, JSON_REJECT_DUPLICATES, &json_error);
  if (message == NULL)
    stream_fail (stream, error,
                 "invalid JSON in the QMP message at byte %" G_GUINT64_FORMAT
                 " of the stream: %s (line %d, column %d)",
                 stream->buffer_offset + stream->message_start,
                 json_error.text, json_error.line, json_error.column);
  return message;
}

gboolean
qmp_stream_feed (QmpStream *stream,
                 const char *data,
                 gsize len,
                 QmpStreamMessageFunc func,
                 gpointer user_data,
                 GError **error)
{
  gboolean go_on = TRUE;

  g_return_val_if_fail (stream != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (!stream->feeding, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stream->failed)
    {
      g_set_error_literal (error, QMP_ERROR, QMP_ERROR_PROTOCOL,
                           "the QMP stream failed earlier and cannot be used");
      return FALSE;
    }

  g_byte_array_append (stream->buffer, (const guint8 *) data, (guint) len);

  stream->feeding = TRUE;
  while (go_on && stream->scan_pos < stream->buffer->len)
    {
      guint8 byte = stream->buffer->data[stream->scan_pos];

      if (stream->depth == 0)
        {
          if (!scan_top_level_byte (stream, byte, error))
            break;
          stream->scan_pos++;
          continue;
        }

      scan_message_byte (stream, byte);
      stream->scan_pos++;
      if (stream->scan_pos - stream->message_start > stream->max_message_size)
        {
          stream_fail (stream, error,
                       "QMP message at byte %" G_GUINT64_FORMAT
                       " of the stream is larger than the limit of %"
                       G_GSIZE_FORMAT " bytes",
                       stream->buffer_offset + stream->message_start,
                       stream->max_message_size);
          break;
        }
      if (stream->depth == 0)
        {
          json_t *message = parse_message (stream, error);

          if (message == NULL)
            break;
          go_on = func (message, user_data);
          json_decref (message);
        }
    }
  stream->feeding = FALSE;

  if (stream->failed)
    return FALSE;

  /* Keep only the open message (or, after a stop, the unscanned rest). */
  stream_consume (stream, stream->depth > 0 ? stream->message_start
                                            : stream->scan_pos);
  return TRUE;
}

void
qmp_stream_set_max_message_size (QmpStream *stream, gsize max_message_size)
{
  g_return_if_fail (stream != NULL);
  stream->max_message_size = max_message_size ? max_message_size
                                               : QMP_DEFAULT_MAX_MESSAGE_SIZE;
}

gboolean
qmp_stream_is_idle (QmpStream *stream)
{
  g_return_val_if_fail (stream != NULL, FALSE);

  if (stream->failed || stream->depth > 0)
    return FALSE;
  /* After a callback stopped the feed, the rest is buffered unscanned:
   * it matters only if it holds more than whitespace. */
  for (gsize i = stream->scan_pos; i < stream->buffer->len; i++)
    if (!is_json_whitespace (stream->buffer->data[i]))
      return FALSE;
  return TRUE;
}
