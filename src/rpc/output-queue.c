/* Lines waiting for a socket (see output-queue.h). */
#include "rpc/output-queue.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Lines gathered into one sendmsg(). */
#define MAX_IOV 64

void
qvirt_output_queue_init (QvirtOutputQueue *queue)
{
  g_queue_init (&queue->lines);
  queue->head_offset = 0;
  queue->size = 0;
}

void
qvirt_output_queue_clear (QvirtOutputQueue *queue)
{
  g_queue_clear_full (&queue->lines, (GDestroyNotify) g_bytes_unref);
  queue->head_offset = 0;
  queue->size = 0;
}

void
qvirt_output_queue_push (QvirtOutputQueue *queue, GBytes *line)
{
  queue->size += g_bytes_get_size (line);
  g_queue_push_tail (&queue->lines, line);
}

static void
consume (QvirtOutputQueue *queue, gsize written)
{
  while (written > 0)
    {
      gsize left = g_bytes_get_size (g_queue_peek_head (&queue->lines)) - queue->head_offset;

      if (written < left)
        {
          queue->head_offset += written;
          queue->size -= written;
          return;
        }
      g_bytes_unref (g_queue_pop_head (&queue->lines));
      queue->head_offset = 0;
      queue->size -= left;
      written -= left;
    }
}

gboolean
qvirt_output_queue_flush (QvirtOutputQueue *queue, int fd, int *saved_errno)
{
  while (queue->size > 0)
    {
      struct iovec iov[MAX_IOV];
      struct msghdr msg = { 0 };
      gsize offset = queue->head_offset;
      int n_iov = 0;
      gssize written;

      for (GList *l = queue->lines.head; l != NULL && n_iov < MAX_IOV; l = l->next)
        {
          gsize size;
          const char *data = g_bytes_get_data (l->data, &size);

          iov[n_iov].iov_base = (char *) data + offset;
          iov[n_iov].iov_len = size - offset;
          n_iov++;
          offset = 0;
        }
      msg.msg_iov = iov;
      msg.msg_iovlen = (size_t) n_iov;

      written = sendmsg (fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return TRUE;
          *saved_errno = errno;
          return FALSE;
        }
      consume (queue, (gsize) written);
    }
  return TRUE;
}
