/* The shared serial console of a domain (see console.h).
 *
 * Both sides are Endpoints: a descriptor, the bytes waiting to be
 * written to it, and a GSource that watches it for input, and for output
 * while bytes wait. The guest's side is one Endpoint; each reader is
 * another.
 */
#define G_LOG_DOMAIN "qvirt-qemu"

#include "qemu/console.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qvirt/error.h"
#include "util/unix-socket.h"
#include "util/write-all.h"

#define READ_CHUNK 4096

typedef struct _Endpoint Endpoint;

struct _Endpoint {
  QvirtConsole *console;
  int fd;
  GByteArray *backlog;           /* bytes not yet written to fd */
  GSource *source;
  GIOCondition watched;          /* what source waits for */
  gboolean is_guest;
};

struct _QvirtConsole {
  char *path;                    /* NULL for a relay: no reconnecting */
  gboolean frees_itself;         /* a relay: gone once a side ends */
  GSource *free_source;
  GMainContext *context;
  Endpoint *guest;               /* NULL while not connected */
  GPtrArray *readers;            /* Endpoint* */
};

static gboolean on_endpoint_ready (gint fd, GIOCondition condition, gpointer user_data);

/* Watches for input always, for output while bytes wait.
 * g_unix_fd_source_new() cannot change its condition, so the source is
 * replaced when the interest changes (rarely: only when a peer is slow). */
static void
endpoint_watch (Endpoint *endpoint)
{
  GIOCondition wanted = G_IO_IN | (endpoint->backlog->len > 0 ? G_IO_OUT : 0);

  if (endpoint->source != NULL && endpoint->watched == wanted)
    return;
  if (endpoint->source != NULL)
    {
      g_source_destroy (endpoint->source);
      g_source_unref (endpoint->source);
    }
  endpoint->source = g_unix_fd_source_new (endpoint->fd, wanted);
  g_source_set_callback (endpoint->source,
                         (GSourceFunc) (void (*) (void)) on_endpoint_ready, endpoint, NULL);
  g_source_set_static_name (endpoint->source, endpoint->is_guest ? "qvirt-console-guest"
                                                                 : "qvirt-console-reader");
  g_source_attach (endpoint->source, endpoint->console->context);
  endpoint->watched = wanted;
}

static Endpoint *
endpoint_new (QvirtConsole *console, int fd, gboolean is_guest)
{
  Endpoint *endpoint = g_new0 (Endpoint, 1);

  endpoint->console = console;
  endpoint->fd = fd;
  endpoint->is_guest = is_guest;
  endpoint->backlog = g_byte_array_new ();
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  endpoint_watch (endpoint);
  return endpoint;
}

static void
endpoint_free (Endpoint *endpoint)
{
  g_source_destroy (endpoint->source);
  g_source_unref (endpoint->source);
  close (endpoint->fd);
  g_byte_array_unref (endpoint->backlog);
  g_free (endpoint);
}

/* Writes what the descriptor takes now. Returns FALSE when the peer is
 * gone. */
static gboolean
endpoint_flush (Endpoint *endpoint)
{
  if (!qvirt_send_pending (endpoint->fd, endpoint->backlog))
    return FALSE;
  endpoint_watch (endpoint);
  return TRUE;
}

/* Queues @data for @endpoint. Returns FALSE when it must go: its peer is
 * gone, or it lets too much pile up. */
static gboolean
endpoint_send (Endpoint *endpoint, const guint8 *data, gsize len)
{
  if (endpoint->backlog->len + len > QVIRT_CONSOLE_MAX_BACKLOG)
    {
      g_info ("console %s: a %s does not keep up; %u bytes wait, dropping it",
              endpoint->console->path, endpoint->is_guest ? "guest" : "reader",
              endpoint->backlog->len);
      return FALSE;
    }
  g_byte_array_append (endpoint->backlog, data, (guint) len);
  return endpoint_flush (endpoint);
}

static gboolean
on_relay_done (gpointer user_data)
{
  QvirtConsole *console = user_data;

  g_clear_pointer (&console->free_source, g_source_unref);
  qvirt_console_free (console);
  return G_SOURCE_REMOVE;
}

/* A relay is freed from an idle callback: the end is noticed inside a
 * callback of one of its endpoints. */
static void
console_finish_relay (QvirtConsole *console)
{
  if (!console->frees_itself || console->free_source != NULL)
    return;
  console->free_source = g_idle_source_new ();
  g_source_set_callback (console->free_source, on_relay_done, console, NULL);
  g_source_attach (console->free_source, console->context);
}

static void
console_disconnect_guest (QvirtConsole *console)
{
  /* Readers see end-of-file: the guest's console is gone. */
  g_ptr_array_set_size (console->readers, 0);
  g_clear_pointer (&console->guest, endpoint_free);
  console_finish_relay (console);
}

static void
console_remove_reader (QvirtConsole *console, Endpoint *reader)
{
  g_ptr_array_remove_fast (console->readers, reader);
  /* Let someone else (another process) have QEMU's single client slot. */
  if (console->readers->len == 0)
    {
      g_clear_pointer (&console->guest, endpoint_free);
      console_finish_relay (console);
    }
}

static void
console_from_guest (QvirtConsole *console, const guint8 *data, gsize len)
{
  /* Backwards: removing a reader moves the last one into its slot. */
  for (guint i = console->readers->len; i-- > 0;)
    {
      Endpoint *reader = console->readers->pdata[i];

      if (!endpoint_send (reader, data, len))
        console_remove_reader (console, reader);
      if (console->guest == NULL)
        return;
    }
}

static gboolean
on_endpoint_ready (gint fd, GIOCondition condition, gpointer user_data)
{
  Endpoint *endpoint = user_data;
  QvirtConsole *console = endpoint->console;
  guint8 buffer[READ_CHUNK];
  gssize n;

  if ((condition & G_IO_OUT) && !endpoint_flush (endpoint))
    goto gone;
  if (!(condition & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    return G_SOURCE_CONTINUE;

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    goto gone;

  if (endpoint->is_guest)
    console_from_guest (console, buffer, (gsize) n);
  else if (console->guest != NULL && !endpoint_send (console->guest, buffer, (gsize) n))
    console_disconnect_guest (console);
  return G_SOURCE_CONTINUE;

gone:
  /* The source is destroyed with the endpoint; returning CONTINUE on a
   * destroyed source is harmless. */
  if (endpoint->is_guest)
    console_disconnect_guest (console);
  else
    console_remove_reader (console, endpoint);
  return G_SOURCE_CONTINUE;
}

QvirtConsole *
qvirt_console_new (const char *path, GMainContext *context)
{
  QvirtConsole *console = g_new0 (QvirtConsole, 1);

  console->path = g_strdup (path);
  console->context = g_main_context_ref (context);
  console->readers = g_ptr_array_new_with_free_func ((GDestroyNotify) endpoint_free);
  return console;
}

gboolean
qvirt_console_add_reader (QvirtConsole *console, int fd, GError **error)
{
  g_return_val_if_fail (console != NULL && fd >= 0, FALSE);

  if (console->guest == NULL && console->path == NULL)
    {
      close (fd);
      g_set_error_literal (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED, "the console has ended");
      return FALSE;
    }
  if (console->guest == NULL)
    {
      g_autoptr(GError) local = NULL;
      int guest_fd = qvirt_unix_socket_connect (console->path, &local);

      if (guest_fd < 0)
        {
          close (fd);
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                       "cannot reach the console: %s", local->message);
          return FALSE;
        }
      console->guest = endpoint_new (console, guest_fd, TRUE);
    }
  g_ptr_array_add (console->readers, endpoint_new (console, fd, FALSE));
  return TRUE;
}

void
qvirt_console_relay (int stream_fd, int reader_fd, GMainContext *context)
{
  QvirtConsole *console = qvirt_console_new (NULL, context);

  console->frees_itself = TRUE;
  console->guest = endpoint_new (console, stream_fd, TRUE);
  g_ptr_array_add (console->readers, endpoint_new (console, reader_fd, FALSE));
}

guint
qvirt_console_get_n_readers (QvirtConsole *console)
{
  return console->readers->len;
}

void
qvirt_console_free (QvirtConsole *console)
{
  if (console == NULL)
    return;
  console->frees_itself = FALSE;
  if (console->free_source != NULL)
    {
      g_source_destroy (console->free_source);
      g_clear_pointer (&console->free_source, g_source_unref);
    }
  console_disconnect_guest (console);
  g_ptr_array_unref (console->readers);
  g_main_context_unref (console->context);
  g_free (console->path);
  g_free (console);
}
