/* qvirtd: one root of domains, served on UNIX sockets.
 *
 * The daemon is thin: it opens the QEMU driver on its root (which takes
 * the root's lock, so a second daemon fails right there, before touching
 * the sockets of the first), puts the one method table behind a
 * read-write and a read-only socket, and runs the main loop until SIGTERM
 * or SIGINT. Closing the driver leaves the domains running; the next
 * daemon on the root reattaches to them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "qvirtd"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemu/driver.h"
#include "qemu/paths.h"
#include "qvirt-config.h"
#include "rpc/dispatcher.h"
#include "rpc/server.h"

#define SOCKET_NAME QVIRT_PATHS_SOCKET_NAME
#define READ_ONLY_SOCKET_NAME QVIRT_PATHS_READ_ONLY_SOCKET_NAME
#define PIDFILE_NAME "qvirtd.pid"
/* systemd passes sockets from this descriptor on (sd_listen_fds(3)). */
#define LISTEN_FDS_START 3

static const char description[] =
  "qvirtd serves the qvirt protocol (JSON-RPC 2.0, one JSON object per line,\n"
  "docs/protocol.md) for one root of domains, on two UNIX sockets:\n"
  "\n"
  "  " SOCKET_NAME "     read-write: every method. Mode 0600 (0660 with --system).\n"
  "  " READ_ONLY_SOCKET_NAME "  read-only: only the methods that change nothing\n"
  "                 (server.hello, domain.list, domain.info, events, ...).\n"
  "                 Mode 0666: any user who can reach its directory may use\n"
  "                 it, to list the domains and follow their events.\n"
  "\n"
  "Which root (one of):\n"
  "  --root DIR     everything under DIR (URI qemu:///embed?root=DIR): sockets\n"
  "                 in DIR/run/, definitions in DIR/etc/domains/\n"
  "  --session      the user's root (URI qemu:///session): sockets in\n"
  "                 $XDG_RUNTIME_DIR/qvirt/; the default when not run as root\n"
  "  --system       the host's root (URI qemu:///system): sockets in\n"
  "                 /run/qvirt/; the default when run as root\n"
  "\n"
  "Only one process at a time may own a root: a second qvirtd (or an\n"
  "application with the root embedded) fails with \"in use by process N\".\n"
  "\n"
  "qvirtd writes its pid to " PIDFILE_NAME " next to its sockets, logs to stderr as\n"
  "\"qvirtd: LEVEL: text\" (debug lines only with --verbose), and prints a\n"
  "line starting \"qvirtd: info: ready\" once it accepts connections (and\n"
  "tells systemd READY=1 when NOTIFY_SOCKET is set).\n"
  "\n"
  "Each domain runs in a qvirt-run shim of its own (docs/qvirt-run.md),\n"
  "which qvirtd spawns in a session of its own and which registers with\n"
  "it; shims started by hand with --register join the same way. So a\n"
  "restart of qvirtd never touches a running VM.\n"
  "\n"
  "SIGTERM or SIGINT stops it cleanly: domains started with autodestroy are\n"
  "destroyed, all others keep running (their shims register again with the\n"
  "next qvirtd on the same root).\n"
  "\n"
  "Socket activation: given LISTEN_PID and LISTEN_FDS (systemd), qvirtd\n"
  "serves the sockets it inherits instead of creating them. Descriptors\n"
  "named \"rw\" and \"ro\" in LISTEN_FDNAMES are the read-write and read-only\n"
  "sockets; without names, the first is read-write and the second\n"
  "read-only. A socket that is not passed is created as above.\n"
  "\n"
  "Exit status: 0 after a clean stop, 1 if the daemon cannot start, 2 for\n"
  "bad options.";

typedef struct {
  char *root;
  gboolean session;
  gboolean system;
  gboolean verbose;
  char *shim;
} Options;

/* ------------------------------------------------------------------ */
/* Logging                                                              */

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "notice";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

/* Every log line, ours and the libraries', as "qvirtd: LEVEL: text". */
static GLogWriterOutput
write_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const gboolean *verbose = user_data;
  const char *message = NULL;
  const char *domain = NULL;

  if ((level & G_LOG_LEVEL_DEBUG) && !*verbose)
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
      else if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
    }
  /* With --verbose, lines from the libraries say where they come from. */
  if (*verbose && domain && !g_str_equal (domain, G_LOG_DOMAIN))
    fprintf (stderr, "qvirtd: %s: [%s] %s\n", level_name (level), domain,
             message ? message : "");
  else
    fprintf (stderr, "qvirtd: %s: %s\n", level_name (level), message ? message : "");
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static void
print_error (const char *message)
{
  fprintf (stderr, "qvirtd: error: %s\n", message);
}

/* ------------------------------------------------------------------ */
/* systemd                                                              */

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void
notify_systemd (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  socklen_t addr_len;
  int fd;

  if (path == NULL || (path[0] != '/' && path[0] != '@') ||
      strlen (path) >= sizeof addr.sun_path)
    return;
  memcpy (addr.sun_path, path, strlen (path));
  if (path[0] == '@')
    addr.sun_path[0] = '\0';   /* an abstract socket */
  addr_len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + strlen (path));

  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  if (sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *) &addr, addr_len) < 0)
    g_debug ("cannot notify systemd (%s): %s", state, g_strerror (errno));
  close (fd);
}

/* Takes the sockets systemd passed, if any: *rw_fd and *ro_fd are -1
 * for a socket that was not passed. The environment variables are
 * removed so that QEMU does not inherit them. */
static gboolean
take_activation_sockets (int *rw_fd, int *ro_fd, GError **error)
{
  const char *listen_pid = g_getenv ("LISTEN_PID");
  const char *listen_fds = g_getenv ("LISTEN_FDS");
  const char *listen_names = g_getenv ("LISTEN_FDNAMES");
  g_auto(GStrv) names = NULL;
  guint64 pid = 0;
  guint64 n_fds = 0;
  gboolean ok = TRUE;

  *rw_fd = -1;
  *ro_fd = -1;
  if (listen_pid == NULL || listen_fds == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (listen_pid, 10, 1, G_MAXINT, &pid, NULL) ||
      (pid_t) pid != getpid ())
    {
      /* Meant for another process (we were spawned by the one they were
       * passed to). */
      g_debug ("ignoring LISTEN_FDS: LISTEN_PID=%s is not us", listen_pid);
    }
  else if (!g_ascii_string_to_unsigned (listen_fds, 10, 1, 2, &n_fds, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "socket activation: LISTEN_FDS=%s, expected 1 or 2 sockets", listen_fds);
      ok = FALSE;
    }
  else
    {
      if (listen_names != NULL)
        names = g_strsplit (listen_names, ":", -1);
      for (guint i = 0; ok && i < n_fds; i++)
        {
          int fd = LISTEN_FDS_START + (int) i;
          const char *name = names && i < g_strv_length (names) ? names[i] : NULL;
          gboolean read_only;
          int *slot;

          if (name == NULL)
            read_only = i == 1;
          else if (g_str_equal (name, "rw"))
            read_only = FALSE;
          else if (g_str_equal (name, "ro"))
            read_only = TRUE;
          else
            {
              /* Guessing could make the world-accessible socket
               * read-write. */
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "socket activation: socket %d is named '%s', expected "
                           "'rw' or 'ro' (FileDescriptorName=)", fd, name);
              ok = FALSE;
              break;
            }
          slot = read_only ? ro_fd : rw_fd;
          if (*slot >= 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "socket activation: two %s sockets",
                           read_only ? "read-only" : "read-write");
              ok = FALSE;
              break;
            }
          *slot = fd;
        }
    }

  g_unsetenv ("LISTEN_PID");
  g_unsetenv ("LISTEN_FDS");
  g_unsetenv ("LISTEN_FDNAMES");
  return ok;
}

/* ------------------------------------------------------------------ */
/* Setup                                                                */

static gboolean
parse_options (int *argc, char ***argv, Options *options, GError **error)
{
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &options->root,
      "Serve the root DIR (sockets in DIR/run/)", "DIR" },
    { "session", 0, 0, G_OPTION_ARG_NONE, &options->session,
      "Serve the user's root (default when not root)", NULL },
    { "system", 0, 0, G_OPTION_ARG_NONE, &options->system,
      "Serve the host's root (default for root)", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose,
      "Log debug messages too", NULL },
    { "shim", 0, 0, G_OPTION_ARG_FILENAME, &options->shim,
      "The qvirt-run that runs each domain (default: next to qvirtd, else in PATH)",
      "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("");

  g_option_context_set_summary (context, "The qvirt daemon.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  if ((options->root != NULL) + options->session + options->system > 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--root, --session and --system exclude each other");
      return FALSE;
    }
  if (options->root != NULL && *options->root == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--root needs a directory");
      return FALSE;
    }
  return TRUE;
}

/* qvirt-run: --shim, else installed next to us (or, in a build tree,
 * in src/shim/), else in PATH. */
static char *
find_shim (const Options *options, GError **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self ? g_path_get_dirname (self) : NULL;
  const char *candidates[] = { "qvirt-run", "../shim/qvirt-run" };
  char *found;

  if (options->shim != NULL)
    {
      if (g_file_test (options->shim, G_FILE_TEST_IS_EXECUTABLE))
        return g_canonicalize_filename (options->shim, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "--shim %s: not an executable", options->shim);
      return NULL;
    }
  for (gsize i = 0; dir != NULL && i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_build_filename (dir, candidates[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_canonicalize_filename (path, NULL);
    }
  found = g_find_program_in_path ("qvirt-run");
  if (found == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "cannot find qvirt-run, which runs the domains: install it "
                         "next to qvirtd or pass --shim PATH");
  return found;
}

static char *
uri_for_options (const Options *options)
{
  if (options->root != NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (options->root, NULL);
      g_autofree char *escaped = g_uri_escape_string (absolute, "/", FALSE);

      return g_strdup_printf ("qemu:///embed?root=%s", escaped);
    }
  if (options->system || (!options->session && geteuid () == 0))
    return g_strdup ("qemu:///system");
  return g_strdup ("qemu:///session");
}

/* Serves the read-write and the read-only socket: inherited ones if
 * systemd passed them, else new ones in the runtime directory. */
static gboolean
listen_on_sockets (QvirtRpcServer *server, const QvirtPaths *paths, GError **error)
{
  g_autofree char *rw_path = qvirt_paths_daemon_socket (paths, FALSE);
  g_autofree char *ro_path = qvirt_paths_daemon_socket (paths, TRUE);
  guint rw_mode = paths->mode == QVIRT_PATHS_SYSTEM ? 0660 : 0600;
  const char *rw_where = rw_path;
  const char *ro_where = ro_path;
  int rw_fd;
  int ro_fd;

  if (!take_activation_sockets (&rw_fd, &ro_fd, error))
    return FALSE;

  if (rw_fd >= 0)
    {
      if (!qvirt_rpc_server_listen_fd (server, rw_fd, FALSE, error))
        {
          if (ro_fd >= 0)
            close (ro_fd);
          return FALSE;
        }
      rw_where = "inherited from systemd";
    }
  else if (!qvirt_rpc_server_listen (server, rw_path, rw_mode, FALSE, error))
    {
      if (ro_fd >= 0)
        close (ro_fd);
      return FALSE;
    }

  if (ro_fd >= 0)
    {
      if (!qvirt_rpc_server_listen_fd (server, ro_fd, TRUE, error))
        return FALSE;
      ro_where = "inherited from systemd";
    }
  else if (!qvirt_rpc_server_listen (server, ro_path, 0666, TRUE, error))
    return FALSE;

  g_info ("ready: read-write socket %s, read-only socket %s; pid %d, uri %s",
          rw_where, ro_where, (int) getpid (), paths->uri);
  return TRUE;
}

static char *
write_pidfile (const QvirtPaths *paths, GError **error)
{
  g_autofree char *path = g_build_filename (paths->runtime_dir, PIDFILE_NAME, NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", (int) getpid ());

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* ------------------------------------------------------------------ */
/* Running                                                              */

/* The active domains that outlive the daemon: all but autodestroy ones. */
static guint
count_surviving_domains (QvirtDriver *driver)
{
  g_autoptr(GPtrArray) active = qvirt_driver_list (driver, TRUE, FALSE);
  guint n = 0;

  for (guint i = 0; i < active->len; i++)
    {
      const QvirtDriverDomainInfo *info = active->pdata[i];

      if (!info->autodestroy)
        n++;
    }
  return n;
}

typedef struct {
  GMainLoop *loop;
  int signal;
} StopRequest;

static gboolean
on_stop_signal (gpointer user_data)
{
  StopRequest *stop = user_data;

  g_main_loop_quit (stop->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  ((StopRequest *) user_data)->signal = SIGTERM;
  return on_stop_signal (user_data);
}

static gboolean
on_sigint (gpointer user_data)
{
  ((StopRequest *) user_data)->signal = SIGINT;
  return on_stop_signal (user_data);
}

int
main (int argc, char **argv)
{
  Options options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *pidfile = NULL;
  g_autoptr(QvirtPaths) paths = NULL;
  g_autofree char *shim = NULL;
  g_autofree char *register_uri = NULL;
  QvirtDriver *driver;
  QvirtDispatcher *dispatcher;
  QvirtRpcServer *server;
  StopRequest stop = { 0 };
  guint sigterm_id;
  guint sigint_id;
  int status = 0;

  setlocale (LC_ALL, "");
  if (!parse_options (&argc, &argv, &options, &error))
    {
      print_error (error->message);
      fprintf (stderr, "Try 'qvirtd --help'.\n");
      g_free (options.root);
      return 2;
    }
  g_log_set_writer_func (write_log, &options.verbose, NULL);
  /* A client that goes away while we write to it must not kill us; the
   * server writes with MSG_NOSIGNAL, this covers everything else. */
  signal (SIGPIPE, SIG_IGN);

  uri = uri_for_options (&options);
  g_free (options.root);
  shim = find_shim (&options, &error);
  g_free (options.shim);
  paths = shim ? qvirt_paths_new_for_uri (uri, &error) : NULL;
  if (paths == NULL)
    {
      print_error (error->message);
      return 1;
    }

  /* The driver takes the root's lock: everything below happens only in
   * the one process that owns the root. */
  driver = qvirt_driver_open (uri, NULL, &error);
  if (driver == NULL)
    {
      print_error (error->message);
      return 1;
    }
  dispatcher = qvirt_dispatcher_new (driver);
  {
    g_autofree char *socket_path = qvirt_paths_daemon_socket (paths, FALSE);
    g_autofree char *escaped = g_uri_escape_string (socket_path, "/", FALSE);

    register_uri = g_strdup_printf ("qemu+unix:///?socket=%s", escaped);
    qvirt_dispatcher_launch_with_shims (dispatcher, shim, register_uri);
  }
  server = qvirt_rpc_server_new (dispatcher, &error);
  stop.loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &stop);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &stop);

  if (server == NULL || (pidfile = write_pidfile (paths, &error)) == NULL ||
      !listen_on_sockets (server, paths, &error))
    {
      print_error (error->message);
      status = 1;
    }
  else
    {
      notify_systemd ("READY=1");
      g_main_loop_run (stop.loop);
      g_info ("stopping (%s); %u domain(s) keep running", g_strsignal (stop.signal),
              count_surviving_domains (driver) +
                qvirt_dispatcher_count_shim_domains (dispatcher));
      notify_systemd ("STOPPING=1");
    }

  qvirt_rpc_server_free (server);
  if (pidfile != NULL)
    g_unlink (pidfile);
  qvirt_driver_close (driver);
  /* Calls still in flight complete (failing: the driver is closed) on
   * the context; let them, so that nothing is left behind. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  qvirt_dispatcher_free (dispatcher);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_main_loop_unref (stop.loop);
  return status;
}
