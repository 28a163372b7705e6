#include "util/unix-socket.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Fills @addr for @path, opening its directory into @dir_fd when the
 * path is too long for sun_path. */
static gboolean
make_address (const char *path, struct sockaddr_un *addr, int *dir_fd, GError **error)
{
  g_autofree char *via_dir = NULL;
  const char *target = path;

  *dir_fd = -1;
  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;

  if (strlen (path) >= sizeof addr->sun_path)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *base = g_path_get_basename (path);

      *dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (*dir_fd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot open directory '%s': %s", dir, g_strerror (saved_errno));
          return FALSE;
        }
      via_dir = g_strdup_printf ("/proc/self/fd/%d/%s", *dir_fd, base);
      target = via_dir;
    }
  if (strlen (target) >= sizeof addr->sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "socket name too long: '%s'", path);
      if (*dir_fd >= 0)
        close (*dir_fd);
      *dir_fd = -1;
      return FALSE;
    }
  strcpy (addr->sun_path, target);
  return TRUE;
}

int
qvirt_unix_socket_listen (const char *path, guint mode, gboolean cloexec, GError **error)
{
  struct sockaddr_un addr;
  int dir_fd;
  int fd;
  int saved_errno;

  if (!make_address (path, &addr, &dir_fd, error))
    return -1;

  fd = socket (AF_UNIX, SOCK_STREAM | (cloexec ? SOCK_CLOEXEC : 0), 0);
  if (fd < 0)
    goto fail;
  /* A stale socket from a previous run would make bind fail. */
  if (unlink (addr.sun_path) < 0 && errno != ENOENT)
    goto fail;
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    goto fail;
  if (chmod (addr.sun_path, mode) < 0)
    goto fail;
  if (listen (fd, 64) < 0)
    goto fail;
  if (dir_fd >= 0)
    close (dir_fd);
  return fd;

fail:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  if (dir_fd >= 0)
    close (dir_fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "cannot listen on '%s': %s", path, g_strerror (saved_errno));
  return -1;
}

int
qvirt_unix_socket_connect (const char *path, GError **error)
{
  struct sockaddr_un addr;
  int dir_fd;
  int fd;
  int saved_errno;

  if (!make_address (path, &addr, &dir_fd, error))
    return -1;

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;
  while (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    if (errno != EINTR)
      goto fail;
  if (dir_fd >= 0)
    close (dir_fd);
  return fd;

fail:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  if (dir_fd >= 0)
    close (dir_fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "cannot connect to '%s': %s", path, g_strerror (saved_errno));
  return -1;
}
