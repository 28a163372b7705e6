/* Lines waiting to be written to a non-blocking socket, written with as
 * few sendmsg() calls as the socket allows. Shared by both ends of the
 * protocol (server.c, client.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GQueue lines;                  /* GBytes*: not yet (fully) written */
  gsize head_offset;             /* bytes of the head already written */
  gsize size;                    /* bytes not yet written, in all */
} QvirtOutputQueue;

void qvirt_output_queue_init (QvirtOutputQueue *queue);
void qvirt_output_queue_clear (QvirtOutputQueue *queue);

/** Appends @line (transfer full). */
void qvirt_output_queue_push (QvirtOutputQueue *queue, GBytes *line);

/**
 * qvirt_output_queue_flush:
 * @fd: a socket
 * @saved_errno: (out): on failure, why
 *
 * Writes what @fd takes without blocking (MSG_DONTWAIT, MSG_NOSIGNAL);
 * the rest stays queued.
 *
 * Returns: FALSE when @fd failed (the peer is gone), TRUE otherwise, also
 *   when bytes remain because the socket is full.
 */
gboolean qvirt_output_queue_flush (QvirtOutputQueue *queue, int fd, int *saved_errno);

G_END_DECLS
