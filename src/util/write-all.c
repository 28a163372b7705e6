/* Writing buffers to descriptors (see write-all.h). */
#include "util/write-all.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

gboolean
qvirt_write_all (int fd, const void *data, gsize len)
{
  const char *at = data;

  while (len > 0)
    {
      gssize n = write (fd, at, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      at += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
qvirt_send_pending (int fd, GByteArray *pending)
{
  while (pending->len > 0)
    {
      gssize n = send (fd, pending->data, pending->len, MSG_NOSIGNAL | MSG_DONTWAIT);

      /* A pipe or terminal takes write(), already non-blocking. */
      if (n < 0 && errno == ENOTSOCK)
        n = write (fd, pending->data, pending->len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n < 0)
        return FALSE;
      g_byte_array_remove_range (pending, 0, (guint) n);
    }
  return TRUE;
}
