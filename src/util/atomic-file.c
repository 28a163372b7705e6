#include "util/atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
set_error_from_errno (GError **error, const char *what, const char *path, int saved_errno)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "cannot %s '%s': %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
qvirt_file_replace_atomic (const char *path, const char *contents, gssize length,
                           int mode, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  gsize len = length < 0 ? strlen (contents) : (gsize) length;
  gsize done = 0;
  int fd;

  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return set_error_from_errno (error, "create", tmp, errno);
  while (done < len)
    {
      gssize n = write (fd, contents + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          g_unlink (tmp);
          return set_error_from_errno (error, "write", tmp, saved_errno);
        }
      done += (gsize) n;
    }
  if (close (fd) < 0)
    {
      int saved_errno = errno;

      g_unlink (tmp);
      return set_error_from_errno (error, "write", tmp, saved_errno);
    }
  if (rename (tmp, path) < 0)
    {
      int saved_errno = errno;

      g_unlink (tmp);
      return set_error_from_errno (error, "replace", path, saved_errno);
    }
  return TRUE;
}
