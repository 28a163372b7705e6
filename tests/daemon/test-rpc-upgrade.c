/* The raw upgrade of src/rpc/client.c against a fake server in the test:
 * the faults a real server does not produce on demand (an error reply,
 * garbage, silence, a full backlog, a server that hangs up), the reply
 * followed at once by raw bytes that must not be swallowed, a socket path
 * longer than sun_path, cancelling, and the blocking form. No sleeping:
 * every wait is for the callback, bounded by a guard timeout. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/client.h"
#include "util/json-autoptr.h"
#include "util/unix-socket.h"

/* How long a wait may take before the test fails. */
#define GUARD_TIMEOUT_MS 10000
#define SUCCESS_REPLY "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"stream\":\"console\"}}\n"

typedef struct {
  char *dir;
  char *path;
  int listen_fd;
} Server;

/* A listening socket in a new temporary directory; with @deep, under
 * enough subdirectories that its path exceeds sun_path. */
static Server *
server_new (gboolean deep)
{
  g_autoptr(GError) error = NULL;
  Server *server = g_new0 (Server, 1);
  g_autofree char *parent = NULL;

  server->dir = g_dir_make_tmp ("qvirt-upgrade-XXXXXX", &error);
  g_assert_no_error (error);
  parent = g_strdup (server->dir);
  while (deep && strlen (parent) < 120)
    {
      g_autofree char *child = g_build_filename (parent, "a-rather-long-directory", NULL);

      g_assert_cmpint (g_mkdir (child, 0700), ==, 0);
      g_free (parent);
      parent = g_steal_pointer (&child);
    }
  server->path = g_build_filename (parent, "server.sock", NULL);
  server->listen_fd = qvirt_unix_socket_listen (server->path, 0600, TRUE, &error);
  g_assert_no_error (error);
  return server;
}

static void
server_free (Server *server)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", server->dir);

  close (server->listen_fd);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_free (server->path);
  g_free (server->dir);
  g_free (server);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* Takes the client's connection (already in the backlog). */
static int
server_accept (Server *server)
{
  int fd = accept4 (server->listen_fd, NULL, NULL, SOCK_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

static void
write_all (int fd, const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      gssize n = write (fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      text += n;
      len -= (gsize) n;
    }
}

/* Reads @fd (blocking) up to and without its first '\n'. */
static char *
read_line (int fd)
{
  GString *line = g_string_new (NULL);
  char c;

  while (read (fd, &c, 1) == 1 && c != '\n')
    g_string_append_c (line, c);
  return g_string_free (line, FALSE);
}

/* ------------------------------------------------------------------ */
/* Waiting for the callback                                             */

typedef struct {
  gboolean done;
  int fd;
  GError *error;
} Outcome;

static void
on_upgraded (int fd, const GError *error, gpointer user_data)
{
  Outcome *outcome = user_data;

  g_assert_false (outcome->done);
  g_assert_true ((fd >= 0) == (error == NULL));
  outcome->done = TRUE;
  outcome->fd = fd;
  outcome->error = error ? g_error_copy (error) : NULL;
}

static gboolean
on_guard_timeout (gpointer user_data)
{
  g_error ("the upgrade did not call back within %d ms", GUARD_TIMEOUT_MS);
  return G_SOURCE_REMOVE;
}

static void
outcome_wait (Outcome *outcome)
{
  guint guard = g_timeout_add (GUARD_TIMEOUT_MS, on_guard_timeout, NULL);

  while (!outcome->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
}

static void
outcome_clear (Outcome *outcome)
{
  if (outcome->fd >= 0)
    close (outcome->fd);
  g_clear_error (&outcome->error);
}

static QvirtRpcPendingUpgrade *
start_upgrade (Server *server, guint timeout_ms, Outcome *outcome)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) params = json_pack ("{s:s}", "name", "vm1");
  QvirtRpcPendingUpgrade *pending =
    qvirt_rpc_upgrade_to_raw_async (server->path, "domain.openConsole", params, timeout_ms,
                                    NULL, on_upgraded, outcome, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pending);
  /* Never from inside the call. */
  g_assert_false (outcome->done);
  return pending;
}

/* ------------------------------------------------------------------ */

/* The request arrives whole; the stream bytes that follow the reply in
 * the same write are still there to read on the socket handed over,
 * which is in blocking mode. The socket's path exceeds sun_path. */
static void
test_reply_then_stream (void)
{
  g_autoptr(Server) server = server_new (TRUE);
  Outcome outcome = { .fd = -1 };
  g_autofree char *request_text = NULL;
  g_autoptr(json_t) request = NULL;
  char stream[64] = { 0 };
  int server_fd;

  g_assert_cmpuint (strlen (server->path), >, 108);
  start_upgrade (server, GUARD_TIMEOUT_MS, &outcome);
  server_fd = server_accept (server);
  request_text = read_line (server_fd);
  request = json_loads (request_text, 0, NULL);
  g_assert_cmpstr (json_string_value (json_object_get (request, "method")), ==,
                   "domain.openConsole");
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (request, "params"),
                                                       "name")), ==, "vm1");
  write_all (server_fd, SUCCESS_REPLY "raw bytes\nand more");
  close (server_fd);

  outcome_wait (&outcome);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.fd, >=, 0);
  g_assert_cmpint (fcntl (outcome.fd, F_GETFL) & O_NONBLOCK, ==, 0);
  g_assert_cmpint (fcntl (outcome.fd, F_GETFD) & FD_CLOEXEC, !=, 0);
  g_assert_cmpint (read (outcome.fd, stream, sizeof stream - 1), ==,
                   strlen ("raw bytes\nand more"));
  g_assert_cmpstr (stream, ==, "raw bytes\nand more");
  outcome_clear (&outcome);
}

/* A reply that comes a byte at a time is put together. */
static void
test_reply_in_pieces (void)
{
  g_autoptr(Server) server = server_new (FALSE);
  Outcome outcome = { .fd = -1 };
  const char *reply = SUCCESS_REPLY;
  int server_fd;

  start_upgrade (server, GUARD_TIMEOUT_MS, &outcome);
  server_fd = server_accept (server);
  for (const char *c = reply; *c != '\0' && !outcome.done; c++)
    {
      char piece[2] = { *c, '\0' };

      write_all (server_fd, piece);
      /* Let the client read what there is before the next byte. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  outcome_wait (&outcome);
  g_assert_no_error (outcome.error);
  close (server_fd);
  outcome_clear (&outcome);
}

/* The server's error reply becomes the error, with its kind; a line
 * that is not a reply is a protocol error; a server that hangs up
 * first, "closed". */
static void
test_failures (void)
{
  const struct {
    const char *answer;        /* NULL: hang up */
    int code;
  } cases[] = {
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"no console\","
      "\"data\":{\"kind\":\"unsupported\"}}}\n", QVIRT_ERROR_UNSUPPORTED },
    { "this is no JSON\n", QVIRT_ERROR_PROTOCOL },
    { "{\"jsonrpc\":\"2.0\",\"id\":1}\n", QVIRT_ERROR_PROTOCOL },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"res", QVIRT_ERROR_CLOSED },
    { NULL, QVIRT_ERROR_CLOSED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Server) server = server_new (FALSE);
      Outcome outcome = { .fd = -1 };
      int server_fd;

      start_upgrade (server, GUARD_TIMEOUT_MS, &outcome);
      server_fd = server_accept (server);
      g_free (read_line (server_fd));
      if (cases[i].answer != NULL)
        write_all (server_fd, cases[i].answer);
      close (server_fd);
      outcome_wait (&outcome);
      g_assert_error (outcome.error, QVIRT_ERROR, cases[i].code);
      g_assert_cmpint (outcome.fd, ==, -1);
      g_test_message ("%s", outcome.error->message);
      outcome_clear (&outcome);
    }
}

/* A server that accepts but never answers: "timeout", naming the
 * method. */
static void
test_timeout (void)
{
  g_autoptr(Server) server = server_new (FALSE);
  Outcome outcome = { .fd = -1 };
  int server_fd;

  start_upgrade (server, 50, &outcome);
  server_fd = server_accept (server);
  outcome_wait (&outcome);
  g_assert_error (outcome.error, QVIRT_ERROR, QVIRT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (outcome.error->message, "domain.openConsole"));
  close (server_fd);
  outcome_clear (&outcome);
}

/* Connects to @server without waiting; FALSE when its backlog is full. */
static gboolean
connect_filler (Server *server, GArray *fillers)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (server->path), <, sizeof address.sun_path);
  strcpy (address.sun_path, server->path);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      g_assert_cmpint (errno, ==, EAGAIN);
      close (fd);
      return FALSE;
    }
  g_array_append_val (fillers, fd);
  return TRUE;
}

/* A server whose backlog is full (it stopped accepting): both forms fail
 * at once rather than wait for it; nothing listening at all is "closed"
 * too. Then @func never runs. */
static void
test_not_accepting (void)
{
  g_autoptr(Server) server = server_new (FALSE);
  g_autoptr(GArray) fillers = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) error = NULL;
  g_autofree char *nowhere = g_build_filename (server->dir, "nowhere.sock", NULL);
  Outcome outcome = { .fd = -1 };
  int fd;

  while (connect_filler (server, fillers))
    g_assert_cmpuint (fillers->len, <, 10000);
  g_test_message ("the backlog was full after %u connections", fillers->len);

  g_assert_null (qvirt_rpc_upgrade_to_raw_async (server->path, "domain.openConsole", NULL,
                                                 GUARD_TIMEOUT_MS, NULL, on_upgraded, &outcome,
                                                 &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_assert_nonnull (strstr (error->message, "accepts no more connections"));
  g_clear_error (&error);
  fd = qvirt_rpc_upgrade_to_raw (server->path, "domain.openConsole", NULL, GUARD_TIMEOUT_MS,
                                 &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  g_clear_error (&error);

  g_assert_null (qvirt_rpc_upgrade_to_raw_async (nowhere, "domain.openConsole", NULL,
                                                 GUARD_TIMEOUT_MS, NULL, on_upgraded, &outcome,
                                                 &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (outcome.done);
  for (guint i = 0; i < fillers->len; i++)
    close (g_array_index (fillers, int, i));
}

/* A cancelled upgrade closes its connection (the server reads its end)
 * and never calls back, even when the reply is already there. */
static void
test_cancel (void)
{
  g_autoptr(Server) server = server_new (FALSE);
  Outcome outcome = { .fd = -1 };
  QvirtRpcPendingUpgrade *pending = start_upgrade (server, GUARD_TIMEOUT_MS, &outcome);
  int server_fd = server_accept (server);
  g_autofree char *request_line = NULL;
  gssize n;
  char c;

  /* The request went out; the reply comes in, but is not read yet. */
  request_line = read_line (server_fd);
  g_assert_nonnull (strstr (request_line, "domain.openConsole"));
  write_all (server_fd, SUCCESS_REPLY);
  qvirt_rpc_pending_upgrade_cancel (pending);
  /* Closed with our reply unread: the server may read a reset. */
  n = read (server_fd, &c, 1);
  g_assert_true (n == 0 || (n < 0 && errno == ECONNRESET));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (outcome.done);
  close (server_fd);
}

/* The blocking form, against a server in a thread of its own. */
static gpointer
serve_one (gpointer data)
{
  Server *server = data;
  int fd = server_accept (server);
  g_autofree char *request_line = read_line (fd);

  write_all (fd, SUCCESS_REPLY "stream");
  close (fd);
  return g_strdup (request_line);
}

static void
test_blocking (void)
{
  g_autoptr(Server) server = server_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) params = json_pack ("{s:s}", "name", "vm1");
  GThread *thread = g_thread_new ("server", serve_one, server);
  g_autofree char *request_line = NULL;
  char stream[16] = { 0 };
  int fd = qvirt_rpc_upgrade_to_raw (server->path, "domain.openConsole", params,
                                     GUARD_TIMEOUT_MS, &error);

  g_assert_no_error (error);
  request_line = g_thread_join (thread);
  g_assert_nonnull (strstr (request_line, "\"name\":\"vm1\""));
  g_assert_cmpint (read (fd, stream, sizeof stream - 1), ==, strlen ("stream"));
  g_assert_cmpstr (stream, ==, "stream");
  close (fd);

  /* Nobody answers (the connection waits in the backlog): the timeout. */
  fd = qvirt_rpc_upgrade_to_raw (server->path, "domain.openConsole", params, 50, &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_TIMEOUT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rpc/upgrade/reply-then-stream", test_reply_then_stream);
  g_test_add_func ("/rpc/upgrade/reply-in-pieces", test_reply_in_pieces);
  g_test_add_func ("/rpc/upgrade/failures", test_failures);
  g_test_add_func ("/rpc/upgrade/timeout", test_timeout);
  g_test_add_func ("/rpc/upgrade/not-accepting", test_not_accepting);
  g_test_add_func ("/rpc/upgrade/cancel", test_cancel);
  g_test_add_func ("/rpc/upgrade/blocking", test_blocking);
  return g_test_run ();
}
