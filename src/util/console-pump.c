/* A console's bytes between its socket and two descriptors (see
 * console-pump.h). */
#include "util/console-pump.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/write-all.h"

/* Input that may wait for the console before the input is not read. */
#define MAX_PENDING_INPUT (64 * 1024)

struct _QvirtConsolePump {
  int console_fd;
  int input_fd;
  int output_fd;
  gboolean escape;
  QvirtConsolePumpDoneFunc done;
  gpointer user_data;
  gboolean stopped;

  GSource *console_source;
  GIOCondition console_events;
  GSource *input_source;
  gboolean input_ended;
  GByteArray *to_console;       /* read from the input, not yet sent */
};

static gboolean on_console_ready (gint fd, GIOCondition condition, gpointer user_data);
static gboolean on_input_ready (gint fd, GIOCondition condition, gpointer user_data);

static void
drop_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static GSource *
add_fd_source (int fd, GIOCondition events, GUnixFDSourceFunc func, gpointer data)
{
  GSource *source = g_unix_fd_source_new (fd, events);

  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
stop (QvirtConsolePump *pump, QvirtConsolePumpEnd end)
{
  if (pump->stopped)
    return;
  pump->stopped = TRUE;
  drop_source (&pump->console_source);
  drop_source (&pump->input_source);
  if (pump->done)
    pump->done (end, pump->user_data);
}

/* Watches the console for output always, for room while input waits;
 * reads the input while little of it waits. */
static void
update_watches (QvirtConsolePump *pump)
{
  GIOCondition events = G_IO_IN | (pump->to_console->len > 0 ? G_IO_OUT : 0);
  gboolean want_input = pump->input_fd >= 0 && !pump->input_ended &&
                        pump->to_console->len < MAX_PENDING_INPUT;

  if (pump->stopped)
    return;
  if (pump->console_source == NULL || pump->console_events != events)
    {
      drop_source (&pump->console_source);
      pump->console_source = add_fd_source (pump->console_fd, events, on_console_ready, pump);
      pump->console_events = events;
    }
  if (want_input && pump->input_source == NULL)
    pump->input_source = add_fd_source (pump->input_fd, G_IO_IN, on_input_ready, pump);
  else if (!want_input)
    drop_source (&pump->input_source);
}

static gboolean
flush_to_console (QvirtConsolePump *pump)
{
  return qvirt_send_pending (pump->console_fd, pump->to_console);
}

static gboolean
on_console_ready (gint fd, GIOCondition condition, gpointer user_data)
{
  QvirtConsolePump *pump = user_data;
  guint8 buffer[4096];
  gssize n;

  if ((condition & G_IO_OUT) && !flush_to_console (pump))
    {
      stop (pump, QVIRT_CONSOLE_PUMP_CLOSED);
      return G_SOURCE_CONTINUE;
    }
  if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    {
      do
        n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      while (n < 0 && errno == EINTR);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        {
          stop (pump, QVIRT_CONSOLE_PUMP_CLOSED);
          return G_SOURCE_CONTINUE;
        }
      if (n > 0 && !qvirt_write_all (pump->output_fd, buffer, (gsize) n))
        {
          stop (pump, QVIRT_CONSOLE_PUMP_OUTPUT_FAILED);
          return G_SOURCE_CONTINUE;
        }
    }
  update_watches (pump);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_input_ready (gint fd, GIOCondition condition, gpointer user_data)
{
  QvirtConsolePump *pump = user_data;
  guint8 buffer[4096];
  gssize n;

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      pump->input_ended = TRUE;
      update_watches (pump);
      return G_SOURCE_CONTINUE;
    }
  for (gssize i = 0; pump->escape && i < n; i++)
    if (buffer[i] == QVIRT_CONSOLE_PUMP_ESCAPE_BYTE)
      {
        g_byte_array_append (pump->to_console, buffer, (guint) i);
        flush_to_console (pump);
        stop (pump, QVIRT_CONSOLE_PUMP_ESCAPED);
        return G_SOURCE_CONTINUE;
      }
  g_byte_array_append (pump->to_console, buffer, (guint) n);
  if (!flush_to_console (pump))
    {
      stop (pump, QVIRT_CONSOLE_PUMP_CLOSED);
      return G_SOURCE_CONTINUE;
    }
  update_watches (pump);
  return G_SOURCE_CONTINUE;
}

QvirtConsolePump *
qvirt_console_pump_new (int console_fd, int input_fd, int output_fd, gboolean escape,
                        QvirtConsolePumpDoneFunc done, gpointer user_data)
{
  QvirtConsolePump *pump = g_new0 (QvirtConsolePump, 1);

  g_return_val_if_fail (console_fd >= 0 && output_fd >= 0, NULL);

  pump->console_fd = console_fd;
  pump->input_fd = input_fd;
  pump->output_fd = output_fd;
  pump->escape = escape;
  pump->done = done;
  pump->user_data = user_data;
  pump->to_console = g_byte_array_new ();
  g_unix_set_fd_nonblocking (console_fd, TRUE, NULL);
  update_watches (pump);
  return pump;
}

void
qvirt_console_pump_free (QvirtConsolePump *pump)
{
  if (pump == NULL)
    return;
  pump->done = NULL;
  stop (pump, QVIRT_CONSOLE_PUMP_CLOSED);
  g_byte_array_unref (pump->to_console);
  g_free (pump);
}
