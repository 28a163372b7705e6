#include "qemu/root-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

struct _QvirtRootLock {
  int fd;
  char *path;
};

QvirtRootLock *
qvirt_root_lock_acquire (const char *lock_path, const char *root_name, GError **error)
{
  QvirtRootLock *lock;
  char pid_text[32];
  int fd;
  int len;

  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot open lock file '%s': %s", lock_path, g_strerror (saved_errno));
      return NULL;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved_errno = errno;
      gssize n = pread (fd, pid_text, sizeof pid_text - 1, 0);

      close (fd);
      if (saved_errno == EWOULDBLOCK)
        {
          pid_text[n > 0 ? n : 0] = '\0';
          g_strstrip (pid_text);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                       "root '%s' is in use by process %s", root_name,
                       *pid_text ? pid_text : "(unknown)");
        }
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "cannot lock '%s': %s", lock_path, g_strerror (saved_errno));
      return NULL;
    }

  /* Only the holder writes, so a reader sees a whole pid or nothing. */
  len = g_snprintf (pid_text, sizeof pid_text, "%d\n", (int) getpid ());
  if (ftruncate (fd, 0) < 0 || pwrite (fd, pid_text, (size_t) len, 0) != len)
    g_debug ("cannot record the lock holder in %s: %s", lock_path, g_strerror (errno));

  lock = g_new0 (QvirtRootLock, 1);
  lock->fd = fd;
  lock->path = g_strdup (lock_path);
  return lock;
}

void
qvirt_root_lock_release (QvirtRootLock *lock)
{
  if (lock == NULL)
    return;
  /* Truncate before unlocking so the next holder never reads our pid. */
  if (ftruncate (lock->fd, 0) < 0)
    g_debug ("cannot clear %s: %s", lock->path, g_strerror (errno));
  close (lock->fd);
  g_free (lock->path);
  g_free (lock);
}

GPid
qvirt_root_lock_get_holder (const char *lock_path)
{
  char pid_text[32];
  gssize n;
  int fd = open (lock_path, O_RDONLY | O_CLOEXEC);
  GPid holder;

  if (fd < 0)
    return 0;
  if (flock (fd, LOCK_SH | LOCK_NB) == 0)
    {
      close (fd);
      return 0;
    }
  n = pread (fd, pid_text, sizeof pid_text - 1, 0);
  close (fd);
  pid_text[n > 0 ? n : 0] = '\0';
  holder = (GPid) g_ascii_strtoll (pid_text, NULL, 10);
  return holder > 0 ? holder : -1;
}
