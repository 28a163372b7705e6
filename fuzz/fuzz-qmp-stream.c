/* libFuzzer target for QmpStream, the parser of the bytes QEMU sends.
 *
 * Input: one control byte, then the stream. The control byte decides
 * how the stream is cut into feeds (the bugs of a framing parser hide at
 * read boundaries) and whether the callback stops after each message;
 * the message size limit is small so that the limit is hit often.
 *
 * Besides crashes and leaks (ASan), it aborts when the parser breaks
 * its contract: a feed succeeding after a failed one, or the message
 * count depending on how the input was cut.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qvirt/qmp.h"

#include <stdint.h>
#include <stdlib.h>

#define FUZZ_MAX_MESSAGE_SIZE 4096

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  gsize n_messages;
  gboolean stop_after_each;
} FuzzCounter;

static gboolean
count_message (json_t *message, gpointer user_data)
{
  FuzzCounter *counter = user_data;
  char *text;

  if (!json_is_object (message))
    abort ();
  /* Walk the whole value, as a consumer would. */
  text = json_dumps (message, JSON_COMPACT);
  free (text);
  counter->n_messages++;
  return !counter->stop_after_each;
}

/* Feeds @data in pieces of @piece_size bytes (all at once if 0);
 * returns whether the stream stayed valid, and the message count. */
static gboolean
parse (const char *data, gsize size, gsize piece_size, gboolean stop_after_each,
       gsize *n_messages)
{
  QmpStream *stream = qmp_stream_new (FUZZ_MAX_MESSAGE_SIZE);
  FuzzCounter counter = { .stop_after_each = stop_after_each };
  GError *error = NULL;
  gboolean ok = TRUE;
  gsize offset = 0;

  if (piece_size == 0)
    piece_size = size;
  while (ok && offset < size)
    {
      gsize len = MIN (piece_size, size - offset);

      ok = qmp_stream_feed (stream, data + offset, len, count_message,
                            &counter, &error);
      offset += len;
    }
  /* After stops, empty feeds drain what stayed buffered. */
  while (ok && stop_after_each)
    {
      gsize before = counter.n_messages;

      ok = qmp_stream_feed (stream, NULL, 0, count_message, &counter, &error);
      if (ok && counter.n_messages == before)
        break;
    }

  if (ok)
    {
      if (error != NULL)
        abort ();
      (void) qmp_stream_is_idle (stream);
    }
  else
    {
      if (!g_error_matches (error, QMP_ERROR, QMP_ERROR_PROTOCOL) ||
          qmp_stream_is_idle (stream))
        abort ();
      g_clear_error (&error);
      /* A failed stream stays failed. */
      if (qmp_stream_feed (stream, "{}", 2, count_message, &counter, &error))
        abort ();
      g_clear_error (&error);
    }
  qmp_stream_free (stream);
  *n_messages = counter.n_messages;
  return ok;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gsize piece_size, whole_messages, cut_messages;
  gboolean whole_ok, cut_ok;
  gboolean stop_after_each;

  if (size < 1)
    return 0;
  /* Low 6 bits: piece size 1..63, or 0 for one feed; high bit: stop. */
  piece_size = data[0] & 0x3f;
  stop_after_each = (data[0] & 0x80) != 0;
  data++;
  size--;

  whole_ok = parse ((const char *) data, size, 0, FALSE, &whole_messages);
  cut_ok = parse ((const char *) data, size, piece_size, stop_after_each,
                  &cut_messages);
  /* The cut must not change the outcome. */
  if (whole_ok != cut_ok || whole_messages != cut_messages)
    abort ();
  return 0;
}
