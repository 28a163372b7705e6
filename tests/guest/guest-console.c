#include "guest-console.h"

#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct GuestConsole {
  char *socket_path;
  int listen_fd;
  int fd;               /* QEMU's connection; -1 until accepted */
  GString *pending;     /* what arrived after the last newline */
  GString *transcript;  /* everything that arrived, without '\r' */
  char *chardev_arg;
};

GuestConsole *
guest_console_listen (const char *socket_path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  GuestConsole *console;

  g_assert_null (strchr (socket_path, ','));
  g_assert_cmpuint (strlen (socket_path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, socket_path);

  console = g_new0 (GuestConsole, 1);
  console->socket_path = g_strdup (socket_path);
  console->fd = -1;
  console->pending = g_string_new (NULL);
  console->transcript = g_string_new (NULL);
  console->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (console->listen_fd, >=, 0);
  if (bind (console->listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (console->listen_fd, 1) < 0)
    g_error ("cannot listen on %s: %s", socket_path, g_strerror (errno));
  return console;
}

const char *
guest_console_chardev_arg (GuestConsole *console, const char *chardev_id)
{
  g_free (console->chardev_arg);
  /* A client chardev: QEMU connects while it starts, before it serves
   * its monitor, so by the time QMP greets us the connection is queued. */
  console->chardev_arg = g_strdup_printf ("socket,id=%s,path=%s",
                                          chardev_id, console->socket_path);
  return console->chardev_arg;
}

/* Waits until @fd is readable or @deadline (monotonic, µs) passes. */
static gboolean
wait_readable (int fd, gint64 deadline, const char *what, GError **error)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      int ready;

      if (left_ms < 0)
        left_ms = 0;
      ready = poll (&pfd, 1, (int) MIN (left_ms, G_MAXINT));
      if (ready > 0)
        return TRUE;
      if (ready == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "timed out waiting for %s", what);
          return FALSE;
        }
      if (errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "poll on the guest console: %s", g_strerror (errno));
          return FALSE;
        }
    }
}

gboolean
guest_console_accept (GuestConsole *console, guint timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  g_return_val_if_fail (console->fd < 0, FALSE);
  if (!wait_readable (console->listen_fd, deadline,
                      "QEMU to connect to the guest console", error))
    return FALSE;
  console->fd = accept4 (console->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (console->fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "accepting the guest console: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* Removes the first complete line from ->pending into *line (without its
 * line ending and carriage returns). Returns FALSE if there is none. */
static gboolean
take_pending_line (GuestConsole *console, char **line)
{
  const char *newline = memchr (console->pending->str, '\n', console->pending->len);
  GString *taken;
  gsize length;

  if (newline == NULL)
    return FALSE;
  length = (gsize) (newline - console->pending->str);
  taken = g_string_new_len (console->pending->str, (gssize) length);
  g_string_erase (console->pending, 0, (gssize) length + 1);
  g_string_replace (taken, "\r", "", 0);
  *line = g_string_free (taken, FALSE);
  return TRUE;
}

/* Reads once from the connection into ->pending and ->transcript.
 * Returns the byte count, 0 at end of stream, -1 with errno set. */
static ssize_t
receive (GuestConsole *console)
{
  char buffer[4096];
  ssize_t count;

  do
    count = read (console->fd, buffer, sizeof buffer);
  while (count < 0 && errno == EINTR);
  if (count <= 0)
    return count;
  g_string_append_len (console->pending, buffer, count);
  for (ssize_t i = 0; i < count; i++)
    if (buffer[i] != '\r')
      g_string_append_c (console->transcript, buffer[i]);
  return count;
}

gboolean
guest_console_wait_line (GuestConsole *console, const char *line,
                         guint timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autofree char *what = g_strdup_printf ("the line \"%s\" on the guest console", line);

  g_return_val_if_fail (console->fd >= 0, FALSE);
  for (;;)
    {
      char *received = NULL;
      ssize_t count;

      while (take_pending_line (console, &received))
        {
          gboolean found = g_str_equal (received, line);

          g_free (received);
          if (found)
            return TRUE;
        }
      if (!wait_readable (console->fd, deadline, what, error))
        return FALSE;
      count = receive (console);
      if (count < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "reading the guest console: %s", g_strerror (errno));
          return FALSE;
        }
      if (count == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                       "the guest console closed while waiting for %s", what);
          return FALSE;
        }
    }
}

void
guest_console_collect (GuestConsole *console)
{
  struct pollfd pfd = { .fd = console->fd, .events = POLLIN };

  if (console->fd < 0)
    return;
  while (poll (&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) && receive (console) > 0)
    ;
}

gboolean
guest_console_send_line (GuestConsole *console, const char *line, GError **error)
{
  g_autofree char *message = g_strconcat (line, "\n", NULL);
  gsize length = strlen (message);
  gsize sent = 0;

  g_return_val_if_fail (console->fd >= 0, FALSE);
  while (sent < length)
    {
      /* MSG_NOSIGNAL: a QEMU that died is an error, not a SIGPIPE. */
      ssize_t count = send (console->fd, message + sent, length - sent, MSG_NOSIGNAL);

      if (count < 0 && errno == EINTR)
        continue;
      if (count < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "writing to the guest console: %s", g_strerror (errno));
          return FALSE;
        }
      sent += (gsize) count;
    }
  return TRUE;
}

const char *
guest_console_transcript (GuestConsole *console)
{
  return console->transcript->str;
}

void
guest_console_free (GuestConsole *console)
{
  if (console == NULL)
    return;
  if (console->fd >= 0)
    close (console->fd);
  close (console->listen_fd);
  unlink (console->socket_path);
  g_free (console->socket_path);
  g_free (console->chardev_arg);
  g_string_free (console->pending, TRUE);
  g_string_free (console->transcript, TRUE);
  g_free (console);
}
