/* Writing a whole buffer (see write-all.h). */
#include "util/write-all.h"

#include <errno.h>
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
