/* JSON-RPC 2.0 framing: lines in, classified messages out, and the
 * messages a server writes back. No I/O here (see framing.h). */
#include "rpc/framing.h"

#include <string.h>

/* A buffer that once held a large frame is given back to the allocator
 * when it empties, so a client that sent one big definition does not
 * keep megabytes for the rest of its connection. */
#define SPLITTER_SHRINK_ABOVE ((gsize) 1024 * 1024)

struct _QvirtLineSplitter {
  gsize max_line;
  GByteArray *buffer;
  gsize start;          /* first byte not yet returned as (part of) a line */
  gsize scanned;        /* bytes after start known to hold no '\n' */
  gboolean skipping;    /* dropping the rest of an oversized line */
};

QvirtLineSplitter *
qvirt_line_splitter_new (gsize max_line)
{
  QvirtLineSplitter *splitter;

  g_return_val_if_fail (max_line > 0, NULL);

  splitter = g_new0 (QvirtLineSplitter, 1);
  splitter->max_line = max_line;
  splitter->buffer = g_byte_array_new ();
  return splitter;
}

void
qvirt_line_splitter_free (QvirtLineSplitter *splitter)
{
  if (splitter == NULL)
    return;
  g_byte_array_unref (splitter->buffer);
  g_free (splitter);
}

/* Forgets the bytes already returned. */
static void
splitter_compact (QvirtLineSplitter *splitter)
{
  if (splitter->start == 0)
    return;
  if (splitter->start == splitter->buffer->len && splitter->buffer->len > SPLITTER_SHRINK_ABOVE)
    {
      g_byte_array_unref (splitter->buffer);
      splitter->buffer = g_byte_array_new ();
    }
  else
    g_byte_array_remove_range (splitter->buffer, 0, (guint) splitter->start);
  splitter->start = 0;
}

void
qvirt_line_splitter_feed (QvirtLineSplitter *splitter, const char *data, gsize len)
{
  g_return_if_fail (splitter != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (splitter->skipping)
    {
      const char *newline = memchr (data, '\n', len);

      if (newline == NULL)
        return;
      splitter->skipping = FALSE;
      len -= (gsize) (newline + 1 - data);
      data = newline + 1;
    }
  splitter_compact (splitter);
  g_byte_array_append (splitter->buffer, (const guint8 *) data, (guint) len);
}

QvirtLineResult
qvirt_line_splitter_next (QvirtLineSplitter *splitter, const char **line, gsize *len)
{
  const char *begin;
  const char *newline;
  gsize available;

  g_return_val_if_fail (splitter != NULL && line != NULL && len != NULL, QVIRT_LINE_NONE);

  *line = NULL;
  *len = 0;
  begin = (const char *) splitter->buffer->data + splitter->start;
  available = splitter->buffer->len - splitter->start;
  newline = memchr (begin + splitter->scanned, '\n', available - splitter->scanned);

  if (newline != NULL)
    {
      gsize line_len = (gsize) (newline - begin);

      splitter->start += line_len + 1;
      splitter->scanned = 0;
      if (line_len > splitter->max_line)
        return QVIRT_LINE_OVERSIZED;
      *line = begin;
      *len = line_len;
      return QVIRT_LINE_COMPLETE;
    }

  splitter->scanned = available;
  if (available > splitter->max_line)
    {
      /* Report it now rather than when its end arrives, which may be
       * never; the rest of it is dropped as it comes. */
      splitter->start = splitter->buffer->len;
      splitter->scanned = 0;
      splitter->skipping = TRUE;
      splitter_compact (splitter);
      return QVIRT_LINE_OVERSIZED;
    }
  return QVIRT_LINE_NONE;
}

/* ------------------------------------------------------------------ */
/* Messages                                                             */

static gboolean
is_blank (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

static void
set_invalid (QvirtRpcMessage *message, json_t *id, int code, const char *text)
{
  message->kind = QVIRT_RPC_MESSAGE_INVALID;
  message->method = NULL;
  message->params = NULL;
  message->id = NULL;
  message->error_reply = qvirt_rpc_error_new (id, code, QVIRT_ERROR_PROTOCOL, text);
}

void
qvirt_rpc_message_parse (const char *line, gsize len, QvirtRpcMessage *message)
{
  json_error_t parse_error;
  json_t *document;
  json_t *id;
  json_t *jsonrpc;
  json_t *method;

  g_return_if_fail (line != NULL || len == 0);
  g_return_if_fail (message != NULL);

  memset (message, 0, sizeof *message);
  if (is_blank (line, len))
    {
      message->kind = QVIRT_RPC_MESSAGE_EMPTY;
      return;
    }

  /* Duplicate keys are refused: two readers could disagree on which one
   * counts. jansson also refuses invalid UTF-8 and "\u0000". */
  document = json_loadb (line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &parse_error);
  if (document == NULL)
    {
      g_autofree char *text = g_strdup_printf ("parse error at byte %d: %s",
                                               parse_error.position, parse_error.text);

      set_invalid (message, NULL, QVIRT_RPC_PARSE_ERROR, text);
      return;
    }
  message->document = document;

  if (json_is_array (document))
    {
      set_invalid (message, NULL, QVIRT_RPC_INVALID_REQUEST,
                   "invalid request: batches are not supported, send one request object per line");
      return;
    }
  if (!json_is_object (document))
    {
      set_invalid (message, NULL, QVIRT_RPC_INVALID_REQUEST,
                   "invalid request: a request must be a JSON object");
      return;
    }

  id = json_object_get (document, "id");
  if (id != NULL && !json_is_string (id) && !json_is_integer (id))
    {
      set_invalid (message, NULL, QVIRT_RPC_INVALID_REQUEST,
                   "invalid request: \"id\" must be a string or an integer");
      return;
    }
  jsonrpc = json_object_get (document, "jsonrpc");
  if (!json_is_string (jsonrpc) || strcmp (json_string_value (jsonrpc), "2.0") != 0)
    {
      set_invalid (message, id, QVIRT_RPC_INVALID_REQUEST,
                   "invalid request: \"jsonrpc\" must be \"2.0\"");
      return;
    }
  method = json_object_get (document, "method");
  if (method == NULL)
    {
      set_invalid (message, id, QVIRT_RPC_INVALID_REQUEST, "invalid request: no \"method\"");
      return;
    }
  if (!json_is_string (method))
    {
      set_invalid (message, id, QVIRT_RPC_INVALID_REQUEST,
                   "invalid request: \"method\" must be a string");
      return;
    }

  message->kind = id ? QVIRT_RPC_MESSAGE_REQUEST : QVIRT_RPC_MESSAGE_NOTIFICATION;
  message->method = json_string_value (method);
  message->id = id;
  message->params = json_object_get (document, "params");
}

void
qvirt_rpc_message_clear (QvirtRpcMessage *message)
{
  if (message == NULL)
    return;
  json_decref (message->document);
  json_decref (message->error_reply);
  memset (message, 0, sizeof *message);
}

json_t *
qvirt_rpc_result_new (json_t *id, json_t *result)
{
  json_t *reply = json_object ();

  json_object_set_new (reply, "jsonrpc", json_string ("2.0"));
  json_object_set (reply, "id", id ? id : json_null ());
  json_object_set_new (reply, "result", result ? result : json_null ());
  return reply;
}

json_t *
qvirt_rpc_error_new (json_t *id, int code, QvirtErrorCode kind, const char *message)
{
  g_autofree char *valid = NULL;
  json_t *error;
  json_t *reply;

  /* Messages may quote what QEMU wrote to its log, which need not be
   * UTF-8; a JSON string must be. */
  if (message == NULL)
    message = "";
  else if (!g_utf8_validate (message, -1, NULL))
    message = valid = g_utf8_make_valid (message, -1);

  error = json_object ();
  json_object_set_new (error, "code", json_integer (code));
  json_object_set_new (error, "message", json_string (message));
  json_object_set_new (error, "data",
                       json_pack ("{s:s}", "kind", qvirt_error_kind_to_string (kind)));

  reply = json_object ();
  json_object_set_new (reply, "jsonrpc", json_string ("2.0"));
  json_object_set (reply, "id", id ? id : json_null ());
  json_object_set_new (reply, "error", error);
  return reply;
}

json_t *
qvirt_rpc_notification_new (const char *method, json_t *params)
{
  json_t *notification = json_object ();

  json_object_set_new (notification, "jsonrpc", json_string ("2.0"));
  json_object_set_new (notification, "method", json_string (method));
  json_object_set_new (notification, "params", params ? json_incref (params) : json_object ());
  return notification;
}

static int
append_to_string (const char *buffer, size_t size, void *data)
{
  g_string_append_len (data, buffer, (gssize) size);
  return 0;
}

GBytes *
qvirt_rpc_encode_line (json_t *message)
{
  GString *text = g_string_sized_new (256);

  g_return_val_if_fail (message != NULL, NULL);

  if (json_dump_callback (message, append_to_string, text, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  g_string_append_c (text, '\n');
  return g_string_free_to_bytes (text);
}

GError *
qvirt_rpc_reply_to_error (json_t *error_object)
{
  const char *message = json_string_value (json_object_get (error_object, "message"));
  json_t *data = json_object_get (error_object, "data");
  const char *kind = json_string_value (json_object_get (data, "kind"));
  QvirtErrorCode code;

  if (kind != NULL)
    code = qvirt_error_kind_from_string (kind);
  else
    /* A JSON-RPC error without our data: framing or dispatch refused it. */
    code = QVIRT_ERROR_PROTOCOL;
  return g_error_new_literal (QVIRT_ERROR, code,
                              message ? message : "the server answered with an error");
}
