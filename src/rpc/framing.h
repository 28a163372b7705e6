/* JSON-RPC 2.0 framing: one JSON object per line.
 *
 * Two pure parts with no I/O, so a socket transport, a test or a fuzz
 * target can drive them with any bytes:
 *
 *   - QvirtLineSplitter cuts a byte stream into '\n'-terminated lines and
 *     enforces a maximum line size without ever buffering more than that;
 *   - qvirt_rpc_message_parse() turns one line into a request, a
 *     notification, or the JSON-RPC error reply an invalid line deserves
 *     (docs/protocol.md, "Framing" and "JSON-RPC error codes").
 *
 * Plus the constructors of the messages a server writes back.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "qvirt/error.h"

G_BEGIN_DECLS

/* The largest line a socket transport accepts: room for the largest
 * domain XML domain.define takes (DOMAIN_XML_MAX_SIZE, 10 MiB) even when
 * a client's JSON encoder writes every newline as \n and every non-ASCII
 * character as \uXXXX (up to 12 bytes for 4 of UTF-8), as Python's json
 * does by default. */
#define QVIRT_RPC_MAX_FRAME_DEFAULT ((gsize) 32 * 1024 * 1024)

/* JSON-RPC 2.0 error codes. */
#define QVIRT_RPC_PARSE_ERROR       (-32700)
#define QVIRT_RPC_INVALID_REQUEST   (-32600)
#define QVIRT_RPC_METHOD_NOT_FOUND  (-32601)
#define QVIRT_RPC_INVALID_PARAMS    (-32602)
#define QVIRT_RPC_SERVER_ERROR      (-32000)

/* ------------------------------------------------------------------ */
/* Lines                                                                */

typedef struct _QvirtLineSplitter QvirtLineSplitter;

typedef enum {
  QVIRT_LINE_NONE,       /* no complete line yet: feed more bytes */
  QVIRT_LINE_COMPLETE,   /* a line, without its '\n' */
  QVIRT_LINE_OVERSIZED,  /* a line longer than the limit was dropped */
} QvirtLineResult;

/**
 * qvirt_line_splitter_new:
 * @max_line: the longest line accepted, in bytes, not counting the '\n'
 *
 * Returns: (transfer full): a splitter; free with qvirt_line_splitter_free().
 */
QvirtLineSplitter *qvirt_line_splitter_new (gsize max_line);
void qvirt_line_splitter_free (QvirtLineSplitter *splitter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtLineSplitter, qvirt_line_splitter_free)

/**
 * qvirt_line_splitter_feed:
 * @data: (array length=len): bytes read from the stream
 *
 * Appends @data. Call qvirt_line_splitter_next() until it returns
 * QVIRT_LINE_NONE after each feed: that keeps the buffer at no more than
 * the limit plus one fed chunk. While the rest of an oversized line is
 * being skipped, its bytes are dropped here, up to the next '\n'.
 */
void qvirt_line_splitter_feed (QvirtLineSplitter *splitter, const char *data, gsize len);

/**
 * qvirt_line_splitter_next:
 * @line: (out) (transfer none): on QVIRT_LINE_COMPLETE, the line (not
 *   NUL-terminated, may contain any byte but '\n'); valid until the next
 *   call on @splitter
 * @len: (out): its length
 *
 * Returns: QVIRT_LINE_COMPLETE with the next line; QVIRT_LINE_OVERSIZED
 *   once per line over the limit (reported as soon as the limit is
 *   passed; the rest of that line is skipped, so the stream stays usable
 *   from the next line on); or QVIRT_LINE_NONE.
 */
QvirtLineResult qvirt_line_splitter_next (QvirtLineSplitter *splitter,
                                          const char **line, gsize *len);

/* ------------------------------------------------------------------ */
/* Messages                                                             */

typedef enum {
  QVIRT_RPC_MESSAGE_EMPTY,         /* a blank line: ignore it */
  QVIRT_RPC_MESSAGE_REQUEST,       /* has an id: answer it */
  QVIRT_RPC_MESSAGE_NOTIFICATION,  /* no id: run it, never answer */
  QVIRT_RPC_MESSAGE_INVALID,       /* send error_reply */
} QvirtRpcMessageKind;

typedef struct {
  QvirtRpcMessageKind kind;
  json_t *document;      /* owned: the parsed line, NULL if it was not JSON */
  /* REQUEST and NOTIFICATION; these point into @document: */
  const char *method;
  json_t *id;            /* REQUEST: a string or an integer */
  json_t *params;        /* NULL when absent; not checked here */
  /* INVALID, owned: the complete reply (-32700 or -32600) */
  json_t *error_reply;
} QvirtRpcMessage;

/**
 * qvirt_rpc_message_parse:
 * @line: (array length=len): one line, without its '\n'
 * @message: (out caller-allocates): filled in; release with
 *   qvirt_rpc_message_clear()
 *
 * Classifies a line. Invalid lines get the reply docs/protocol.md gives
 * them: -32700 (not JSON, not UTF-8, duplicate keys; id null) or -32600
 * (not an object, "jsonrpc" not "2.0", "method" missing or not a string,
 * an id neither string nor integer; id echoed when it is a valid one).
 * Params are passed on as they are: checking them is the dispatcher's
 * job. A line of only whitespace is QVIRT_RPC_MESSAGE_EMPTY.
 */
void qvirt_rpc_message_parse (const char *line, gsize len, QvirtRpcMessage *message);
void qvirt_rpc_message_clear (QvirtRpcMessage *message);

/**
 * qvirt_rpc_result_new:
 * @id: (transfer none): the request's id
 * @result: (transfer full): the result
 *
 * Returns: (transfer full): {"jsonrpc":"2.0","id":ID,"result":RESULT}.
 */
json_t *qvirt_rpc_result_new (json_t *id, json_t *result);

/**
 * qvirt_rpc_error_new:
 * @id: (transfer none) (nullable): the request's id; NULL for null
 * @code: a JSON-RPC code (QVIRT_RPC_PARSE_ERROR, ...)
 * @kind: the QVIRT_ERROR code spelled in error.data.kind
 * @message: for people; made valid UTF-8 if it is not
 *
 * Returns: (transfer full): {"jsonrpc":"2.0","id":ID,"error":{"code":CODE,
 *   "message":MESSAGE,"data":{"kind":KIND}}}.
 */
json_t *qvirt_rpc_error_new (json_t *id, int code, QvirtErrorCode kind, const char *message);

/**
 * qvirt_rpc_notification_new:
 * @params: (transfer none)
 *
 * Returns: (transfer full): {"jsonrpc":"2.0","method":METHOD,"params":PARAMS}.
 */
json_t *qvirt_rpc_notification_new (const char *method, json_t *params);

/**
 * qvirt_rpc_encode_line:
 * @message: a JSON value
 *
 * Returns: (transfer full) (nullable): @message as compact JSON followed
 *   by '\n', or NULL if jansson cannot encode it.
 */
GBytes *qvirt_rpc_encode_line (json_t *message);

/**
 * qvirt_rpc_reply_to_error:
 * @error_object: (transfer none): the "error" member of a JSON-RPC reply
 *
 * The client's reading of what qvirt_rpc_error_new() writes: the kind
 * comes back as the code, the message as it was; an error without our
 * data (or with a kind we do not know) is QVIRT_ERROR_PROTOCOL or
 * QVIRT_ERROR_INTERNAL.
 *
 * Returns: (transfer full): the GError it stands for, in QVIRT_ERROR.
 */
GError *qvirt_rpc_reply_to_error (json_t *error_object);

G_END_DECLS
