#include "daemon-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/unix-socket.h"

/* ------------------------------------------------------------------ */
/* Roots                                                                */

char *
test_root_new (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("qvirtd-test-XXXXXX", &error);

  g_assert_no_error (error);
  return root;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir)
    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, entry, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
            !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* qvirt-run shims the daemon launched outlive it by design (and their
 * QEMUs with them): a test that failed half-way must not leave them. */
static void
kill_shims_of_root (const char *root)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;

  while (proc != NULL && (entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline", entry);
      g_autofree char *cmdline = NULL;
      gsize len = 0;
      gboolean ours = FALSE;

      if (!g_ascii_isdigit (entry[0]) ||
          !g_file_get_contents (path, &cmdline, &len, NULL) || len == 0)
        continue;
      /* argv words are NUL-separated: look at each. */
      for (gsize i = 0; i < len; i += strlen (cmdline + i) + 1)
        if (g_str_has_prefix (cmdline + i, root))
          ours = TRUE;
      if (ours && strstr (cmdline, "qvirt-run") != NULL)
        kill ((pid_t) atoi (entry), SIGKILL);
    }
}

void
test_root_remove (const char *root)
{
  if (root == NULL)
    return;
  kill_shims_of_root (root);
  remove_tree (root);
}

/* ------------------------------------------------------------------ */
/* The daemon                                                           */

static int
pidfd_open (GPid pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

/* Copies the daemon's stderr into daemon->log (and to our stderr, which
 * the test log keeps), so that it never blocks on a full pipe. */
static gpointer
read_stderr (gpointer user_data)
{
  TestDaemon *daemon = user_data;
  char buffer[4096];

  for (;;)
    {
      gssize n = read (daemon->stderr_fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (write (STDERR_FILENO, buffer, (size_t) n) < 0)
        {
          /* Nothing to do: the copy on our stderr is a convenience. */
        }
      g_mutex_lock (&daemon->mutex);
      g_string_append_len (daemon->log, buffer, n);
      g_cond_broadcast (&daemon->cond);
      g_mutex_unlock (&daemon->mutex);
    }
  g_mutex_lock (&daemon->mutex);
  daemon->stderr_closed = TRUE;
  g_cond_broadcast (&daemon->cond);
  g_mutex_unlock (&daemon->mutex);
  return NULL;
}

/* A test that fails aborts without its teardown: the daemon must not
 * outlive it. (The death signal follows the spawning thread, which is
 * the test's main thread.) */
static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

TestDaemon *
test_daemon_spawn (const char *root)
{
  const char *argv[] = { QVIRT_TEST_QVIRTD, "--root", root, "--verbose", NULL };

  return test_daemon_spawn_argv (root, argv, NULL);
}

TestDaemon *
test_daemon_spawn_argv (const char *root, const char * const *argv, const char * const *envp)
{
  g_autoptr(GError) error = NULL;
  TestDaemon *daemon = g_new0 (TestDaemon, 1);

  daemon->root = g_strdup (root);
  daemon->socket_path = g_build_filename (root, "run", "qvirt.sock", NULL);
  daemon->ro_socket_path = g_build_filename (root, "run", "qvirt-ro.sock", NULL);
  g_mutex_init (&daemon->mutex);
  g_cond_init (&daemon->cond);
  daemon->log = g_string_new (NULL);

  g_spawn_async_with_pipes_and_fds (NULL, argv, envp,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL |
                                    G_SPAWN_STDOUT_TO_DEV_NULL,
                                    die_with_test, NULL, -1, -1, -1, NULL, NULL, 0,
                                    &daemon->pid, NULL, NULL, &daemon->stderr_fd, &error);
  g_assert_no_error (error);
  daemon->pidfd = pidfd_open (daemon->pid);
  g_assert_cmpint (daemon->pidfd, >=, 0);
  daemon->reader = g_thread_new ("qvirtd-stderr", read_stderr, daemon);
  return daemon;
}

TestDaemon *
test_daemon_start (const char *root)
{
  TestDaemon *daemon = test_daemon_spawn (root);

  if (!test_daemon_wait_log (daemon, "qvirtd: info: ready", TEST_TIMEOUT_MS))
    {
      g_autofree char *log = test_daemon_get_log (daemon);

      g_error ("qvirtd did not become ready; it wrote:\n%s", log);
    }
  return daemon;
}

static guint
count_occurrences (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

gboolean
test_daemon_wait_log_count (TestDaemon *daemon, const char *needle, guint count,
                            guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean found;

  g_mutex_lock (&daemon->mutex);
  while (!(found = count_occurrences (daemon->log->str, needle) >= count) &&
         !daemon->stderr_closed)
    if (!g_cond_wait_until (&daemon->cond, &daemon->mutex, deadline))
      {
        found = count_occurrences (daemon->log->str, needle) >= count;
        break;
      }
  g_mutex_unlock (&daemon->mutex);
  return found;
}

guint
test_daemon_count_log (TestDaemon *daemon, const char *needle)
{
  guint n;

  g_mutex_lock (&daemon->mutex);
  n = count_occurrences (daemon->log->str, needle);
  g_mutex_unlock (&daemon->mutex);
  return n;
}

gboolean
test_daemon_wait_log (TestDaemon *daemon, const char *needle, guint timeout_ms)
{
  return test_daemon_wait_log_count (daemon, needle, 1, timeout_ms);
}

char *
test_daemon_get_log (TestDaemon *daemon)
{
  char *copy;

  g_mutex_lock (&daemon->mutex);
  copy = g_strdup (daemon->log->str);
  g_mutex_unlock (&daemon->mutex);
  return copy;
}

gboolean
test_daemon_wait_exit (TestDaemon *daemon, guint timeout_ms)
{
  struct pollfd pfd = { .fd = daemon->pidfd, .events = POLLIN };
  int ret;

  if (daemon->reaped)
    return TRUE;
  do
    ret = poll (&pfd, 1, (int) timeout_ms);
  while (ret < 0 && errno == EINTR);
  if (ret <= 0)
    return FALSE;
  g_assert_cmpint (waitpid (daemon->pid, &daemon->wait_status, 0), ==, daemon->pid);
  daemon->reaped = TRUE;

  /* Everything it wrote is in the log once the pipe is at its end. */
  {
    gint64 deadline = g_get_monotonic_time () + (gint64) TEST_TIMEOUT_MS * 1000;

    g_mutex_lock (&daemon->mutex);
    while (!daemon->stderr_closed)
      if (!g_cond_wait_until (&daemon->cond, &daemon->mutex, deadline))
        break;
    g_mutex_unlock (&daemon->mutex);
  }
  return TRUE;
}

int
test_daemon_stop (TestDaemon *daemon, int signal)
{
  g_assert_false (daemon->reaped);
  g_assert_cmpint (kill (daemon->pid, signal), ==, 0);
  if (!test_daemon_wait_exit (daemon, TEST_TIMEOUT_MS))
    {
      g_autofree char *log = test_daemon_get_log (daemon);

      g_error ("qvirtd did not exit on signal %d; it wrote:\n%s", signal, log);
    }
  return daemon->wait_status;
}

guint
test_daemon_count_fds (TestDaemon *daemon)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) daemon->pid);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

void
test_daemon_free (TestDaemon *daemon)
{
  if (daemon == NULL)
    return;
  if (!daemon->reaped)
    {
      kill (daemon->pid, SIGKILL);
      g_assert_true (test_daemon_wait_exit (daemon, TEST_TIMEOUT_MS));
    }
  /* The pipe closes with the daemon: QEMU writes to its own log file. */
  g_thread_join (daemon->reader);
  close (daemon->stderr_fd);
  close (daemon->pidfd);
  g_string_free (daemon->log, TRUE);
  g_mutex_clear (&daemon->mutex);
  g_cond_clear (&daemon->cond);
  g_free (daemon->root);
  g_free (daemon->socket_path);
  g_free (daemon->ro_socket_path);
  g_free (daemon);
}

/* ------------------------------------------------------------------ */
/* A raw client                                                         */

RpcClient *
rpc_client_connect (const char *path)
{
  g_autoptr(GError) error = NULL;
  RpcClient *client = g_new0 (RpcClient, 1);

  client->fd = qvirt_unix_socket_connect (path, &error);
  g_assert_no_error (error);
  client->input = g_string_new (NULL);
  g_queue_init (&client->messages);
  client->next_id = 1;
  return client;
}

void
rpc_client_free (RpcClient *client)
{
  if (client == NULL)
    return;
  close (client->fd);
  g_string_free (client->input, TRUE);
  g_queue_clear_full (&client->messages, (GDestroyNotify) json_decref);
  g_free (client);
}

void
rpc_client_send_raw (RpcClient *client, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (client->fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("cannot write to qvirtd: %s", g_strerror (errno));
      data += n;
      len -= (gsize) n;
    }
}

gint64
rpc_client_send (RpcClient *client, const char *method, json_t *params)
{
  g_autoptr(json_t) request = json_pack ("{s:s, s:I, s:s}", "jsonrpc", "2.0",
                                         "id", (json_int_t) client->next_id, "method", method);
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  if (params)
    json_object_set_new (request, "params", params);
  text = json_dumps (request, JSON_COMPACT);
  line = g_strconcat (text, "\n", NULL);
  rpc_client_send_raw (client, line, strlen (line));
  return client->next_id++;
}

/* Reads what arrives before @deadline (monotonic µs) and queues the
 * complete lines. FALSE on timeout or end of stream. */
static gboolean
rpc_client_fill (RpcClient *client, gint64 deadline)
{
  struct pollfd pfd = { .fd = client->fd, .events = POLLIN };
  char buffer[65536];
  gint64 now = g_get_monotonic_time ();
  gssize n;
  char *newline;
  int ret;

  if (client->eof || now >= deadline)
    return FALSE;
  do
    ret = poll (&pfd, 1, (int) ((deadline - now + 999) / 1000));
  while (ret < 0 && errno == EINTR);
  if (ret <= 0)
    return FALSE;
  do
    n = recv (client->fd, buffer, sizeof buffer, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    {
      client->eof = TRUE;
      return FALSE;
    }
  g_string_append_len (client->input, buffer, n);
  while ((newline = memchr (client->input->str, '\n', client->input->len)) != NULL)
    {
      gsize len = (gsize) (newline - client->input->str);
      json_error_t error;
      json_t *message = json_loadb (client->input->str, len, 0, &error);

      if (message == NULL)
        g_error ("qvirtd sent a line that is not JSON (%s): %.*s", error.text, (int) len,
                 client->input->str);
      g_queue_push_tail (&client->messages, message);
      g_string_erase (client->input, 0, (gssize) len + 1);
    }
  return TRUE;
}

json_t *
rpc_client_next (RpcClient *client, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_queue_is_empty (&client->messages))
    if (!rpc_client_fill (client, deadline))
      return NULL;
  return g_queue_pop_head (&client->messages);
}

static gboolean
has_id (json_t *message, gint64 id)
{
  json_t *value = json_object_get (message, "id");

  return json_is_integer (value) && json_integer_value (value) == id;
}

json_t *
rpc_client_wait_reply (RpcClient *client, gint64 id, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint scanned = 0;

  for (;;)
    {
      for (; scanned < g_queue_get_length (&client->messages); scanned++)
        {
          json_t *message = g_queue_peek_nth (&client->messages, scanned);

          if (has_id (message, id))
            {
              g_queue_pop_nth (&client->messages, scanned);
              return message;
            }
        }
      if (!rpc_client_fill (client, deadline))
        g_error ("no reply to request %" G_GINT64_FORMAT " within %u ms%s", id, timeout_ms,
                 client->eof ? " (qvirtd closed the connection)" : "");
    }
}

json_t *
rpc_client_wait_event (RpcClient *client, const char *domain, const char *event,
                       guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      for (GList *l = client->messages.head; l != NULL;)
        {
          json_t *message = l->data;
          GList *next = l->next;
          json_t *params = json_object_get (message, "params");

          if (json_object_get (message, "id") == NULL)
            {
              g_assert_cmpstr (json_string_value (json_object_get (message, "method")), ==,
                               "event");
              g_queue_delete_link (&client->messages, l);
              if (g_strcmp0 (json_string_value (json_object_get (params, "event")), event) == 0 &&
                  (domain == NULL ||
                   g_strcmp0 (json_string_value (json_object_get (params, "domain")), domain) == 0))
                return message;
              json_decref (message);
            }
          l = next;
        }
      if (!rpc_client_fill (client, deadline))
        return NULL;
    }
}

static json_t *
call_with_timeout (RpcClient *client, const char *method, json_t *params, guint timeout_ms)
{
  gint64 id = rpc_client_send (client, method, params);

  return rpc_client_wait_reply (client, id, timeout_ms);
}

json_t *
rpc_client_call (RpcClient *client, const char *method, json_t *params)
{
  return call_with_timeout (client, method, params, TEST_TIMEOUT_MS);
}

json_t *
rpc_client_call_slow (RpcClient *client, const char *method, json_t *params)
{
  return call_with_timeout (client, method, params, TEST_QEMU_TIMEOUT_MS);
}

json_t *
rpc_client_call_ok (RpcClient *client, const char *method, json_t *params)
{
  g_autoptr(json_t) reply = call_with_timeout (client, method, params, TEST_QEMU_TIMEOUT_MS);
  json_t *result = json_object_get (reply, "result");

  if (result == NULL)
    {
      g_autofree char *text = json_dumps (reply, JSON_COMPACT);

      g_error ("%s failed: %s", method, text);
    }
  g_assert_cmpstr (json_string_value (json_object_get (reply, "jsonrpc")), ==, "2.0");
  return json_incref (result);
}

void
rpc_client_call_expect_ok (RpcClient *client, const char *method, json_t *params)
{
  json_decref (rpc_client_call_ok (client, method, params));
}

gboolean
rpc_client_wait_closed (RpcClient *client, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (rpc_client_fill (client, deadline))
    ;
  return client->eof;
}

void
rpc_assert_error_at (const char *file, int line, json_t *reply, int code, const char *kind,
                     const char *text)
{
  json_t *error = json_object_get (reply, "error");
  const char *message = json_string_value (json_object_get (error, "message"));
  const char *got_kind = json_string_value (json_object_get (json_object_get (error, "data"),
                                                            "kind"));
  g_autofree char *dump = json_dumps (reply, JSON_COMPACT);

  if (error == NULL || json_object_get (reply, "result") != NULL ||
      json_integer_value (json_object_get (error, "code")) != code ||
      g_strcmp0 (got_kind, kind) != 0 || message == NULL ||
      (text != NULL && strstr (message, text) == NULL) ||
      g_strcmp0 (json_string_value (json_object_get (reply, "jsonrpc")), "2.0") != 0)
    g_error ("%s:%d: expected error %d (%s)%s%s%s, got %s", file, line, code, kind,
             text ? " mentioning '" : "", text ? text : "", text ? "'" : "", dump);
}

/* ------------------------------------------------------------------ */
/* Domains                                                              */

char *
test_xml_no_guest (const char *name)
{
  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <vcpu>1</vcpu>\n"
                          "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                          "  <devices><memballoon model='none'/></devices>\n"
                          "</domain>\n", name);
}

gboolean
test_pid_is_running (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* "PID (COMM) STATE ...": COMM may hold anything, the state follows
   * its last ')'. */
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

gboolean
test_wait_pid_gone (GPid pid, guint timeout_ms)
{
  int fd = pidfd_open (pid);
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int ret;

  if (fd < 0)
    return errno == ESRCH;
  do
    ret = poll (&pfd, 1, (int) timeout_ms);
  while (ret < 0 && errno == EINTR);
  close (fd);
  return ret > 0;
}
