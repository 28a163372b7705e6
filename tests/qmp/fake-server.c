/* A scripted QMP peer for the fault tests (see fake-server.h).
 *
 * The fake's end is blocking for writes (tests send little) and watched
 * for input on the thread-default context: every line the client sends
 * is parsed and queued until the test takes it.
 */
#include "fake-server.h"
#include "test-wait.h"

#include <errno.h>
#include <glib-unix.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Long enough for a loaded machine running under sanitizers. */
#define FAKE_SERVER_WAIT_MS 10000

struct _FakeServer {
  int fd;
  GMainContext *context;
  GSource *read_source;
  GString *partial_line;
  GQueue commands;        /* of json_t, oldest first */
  gboolean eof;
};

static void
take_complete_lines (FakeServer *server)
{
  char *newline;

  while ((newline = memchr (server->partial_line->str, '\n',
                            server->partial_line->len)) != NULL)
    {
      gsize line_len = (gsize) (newline - server->partial_line->str);
      json_error_t json_error;
      json_t *command = json_loadb (server->partial_line->str, line_len, 0,
                                    &json_error);

      if (command == NULL)
        g_error ("the client sent a line that is not JSON: %s: %.*s",
                 json_error.text, (int) line_len, server->partial_line->str);
      g_queue_push_tail (&server->commands, command);
      g_string_erase (server->partial_line, 0, (gssize) line_len + 1);
    }
}

static gboolean
on_readable (int fd, GIOCondition condition, gpointer user_data)
{
  FakeServer *server = user_data;
  char buffer[4096];
  gssize n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      server->eof = TRUE;
      g_clear_pointer (&server->read_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  g_string_append_len (server->partial_line, buffer, n);
  take_complete_lines (server);
  return G_SOURCE_CONTINUE;
}

FakeServer *
fake_server_new (int *client_fd)
{
  FakeServer *server = g_new0 (FakeServer, 1);
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  server->fd = fds[0];
  *client_fd = fds[1];
  server->context = g_main_context_ref_thread_default ();
  server->partial_line = g_string_new (NULL);
  g_queue_init (&server->commands);

  server->read_source = g_unix_fd_source_new (server->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (server->read_source, G_SOURCE_FUNC (on_readable), server, NULL);
  g_source_attach (server->read_source, server->context);
  return server;
}

void
fake_server_free (FakeServer *server)
{
  if (server == NULL)
    return;
  if (server->read_source)
    {
      g_source_destroy (server->read_source);
      g_source_unref (server->read_source);
    }
  if (server->fd >= 0)
    close (server->fd);
  g_queue_clear_full (&server->commands, (GDestroyNotify) json_decref);
  g_string_free (server->partial_line, TRUE);
  g_main_context_unref (server->context);
  g_free (server);
}

static void
write_all (FakeServer *server, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (server->fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("fake server: cannot write: %s", g_strerror (errno));
      data += n;
      len -= (gsize) n;
    }
}

void
fake_server_send (FakeServer *server, const char *text)
{
  write_all (server, text, strlen (text));
}

/* For a UNIX stream socket, SIOCOUTQ counts what was sent and not yet
 * read by the peer. */
static gboolean
peer_has_read_everything (gconstpointer data)
{
  const FakeServer *server = data;
  int unread = 0;

  g_assert_cmpint (ioctl (server->fd, SIOCOUTQ, &unread), ==, 0);
  return unread == 0;
}

static void
wait_until_read (FakeServer *server, const char *what)
{
  if (!test_wait_until (server->context, peer_has_read_everything, server,
                        FAKE_SERVER_WAIT_MS))
    g_error ("fake server: the client did not read %s", what);
}

void
fake_server_send_and_wait_read (FakeServer *server, const char *text)
{
  fake_server_send (server, text);
  wait_until_read (server, text);
}

void
fake_server_send_bytewise (FakeServer *server, const char *text)
{
  for (const char *p = text; *p; p++)
    {
      write_all (server, p, 1);
      wait_until_read (server, text);
    }
}

void
fake_server_send_greeting (FakeServer *server)
{
  fake_server_send (server,
                    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 3, \"minor\": 2, "
                    "\"major\": 7}, \"package\": \"fake\"}, \"capabilities\": "
                    "[\"oob\"]}}\r\n");
}

static gboolean
has_command_or_eof (gconstpointer data)
{
  const FakeServer *server = data;

  return server->commands.length > 0 || server->eof;
}

json_t *
fake_server_next_command (FakeServer *server)
{
  if (!test_wait_until (server->context, has_command_or_eof, server,
                        FAKE_SERVER_WAIT_MS))
    g_error ("fake server: no command from the client in time");
  if (g_queue_is_empty (&server->commands))
    g_error ("fake server: the client closed instead of sending a command");
  return g_queue_pop_head (&server->commands);
}

guint
fake_server_count_queued (FakeServer *server)
{
  return g_queue_get_length (&server->commands);
}

char *
fake_server_format_reply (json_t *command, const char *return_json)
{
  char *id = json_dumps (json_object_get (command, "id"),
                         JSON_ENCODE_ANY | JSON_COMPACT);
  char *reply;

  g_assert_nonnull (id);
  reply = g_strdup_printf ("{\"return\": %s, \"id\": %s}\r\n", return_json, id);
  free (id);   /* jansson allocates with malloc */
  return reply;
}

void
fake_server_reply (FakeServer *server, json_t *command, const char *return_json)
{
  g_autofree char *reply = fake_server_format_reply (command, return_json);

  fake_server_send (server, reply);
}

void
fake_server_close (FakeServer *server)
{
  g_assert_cmpint (shutdown (server->fd, SHUT_RDWR), ==, 0);
}

static gboolean
saw_eof (gconstpointer data)
{
  const FakeServer *server = data;

  return server->eof;
}

gboolean
fake_server_wait_eof (FakeServer *server, guint timeout_ms)
{
  return test_wait_until (server->context, saw_eof, server, timeout_ms);
}
