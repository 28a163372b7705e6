/* qvirt-run: one VM as one process (docs/qvirt-run.md).
 *
 * The shim hosts a private embedded driver in its own root, starts the
 * domain with autodestroy (so QEMU is its direct child, inherits its whole
 * process context, and dies with it), serves the instance on a socket for
 * qvirt and friends, and stays in the foreground until QEMU is gone. Its
 * exit status says how the VM ended.
 *
 * The order matters: everything that can be checked (options, the file,
 * the XML, the files it names) is checked before anything is created, so
 * bad input costs nothing and leaves nothing behind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <qvirt/qvirt.h>

#include "conf/domain-xml.h"
#include "conf/domain.h"
#include "qemu/command.h"
#include "qvirt-config.h"
#include "util/console-pump.h"

/* Exit statuses (docs/qvirt-run.md): how the VM ended. */
enum {
  EXIT_POWERED_OFF = 0,     /* the guest powered off (also after SIGTERM) */
  EXIT_FAILURE_OTHER = 1,   /* qvirt-run itself failed */
  EXIT_BAD_INPUT = 2,       /* bad options, file, XML or files it names */
  EXIT_START_FAILED = 3,    /* QEMU did not start */
  EXIT_CRASHED = 4,         /* QEMU died */
  EXIT_SHUTDOWN_TIMEOUT = 5,/* no power-off within --shutdown-timeout: destroyed */
  EXIT_DESTROYED = 6,       /* destroyed by someone else (over the socket) */
  EXIT_NAME_TAKEN = 7,      /* --register: the daemon has the name or UUID */
  EXIT_SIGNAL_BASE = 128,   /* + N: destroyed at once on a second signal N */
};

#define DEFAULT_SHUTDOWN_TIMEOUT_S 60
/* How often a shim that lost its daemon tries to register again. */
#define REREGISTER_INTERVAL_MS 500
/* The largest domain XML read (the driver's own limit is the same). */
#define MAX_XML_SIZE (10 * 1024 * 1024)

static const char usage_text[] =
  "Usage: qvirt-run [OPTIONS] FILE\n"
  "       qvirt-run [OPTIONS] -          (the domain XML on stdin)\n"
  "\n"
  "Runs the domain FILE describes as a child of this process, and stays in\n"
  "the foreground until it is gone. QEMU inherits this process's cgroup,\n"
  "namespaces, user, environment and CPU affinity, and dies with it.\n"
  "\n"
  "Options:\n"
  "  --root DIR              keep the instance's state in DIR (default: a new\n"
  "                          temporary directory, removed on exit)\n"
  "  --socket PATH           serve the instance there (default DIR/run/qvirt.sock):\n"
  "                          qvirt -c qemu+unix:///?socket=PATH info|qmp|console NAME\n"
  "  --console               join the serial console to stdin/stdout (needs\n"
  "                          <serial type='pty'/>); otherwise it is logged to\n"
  "                          DIR/log/NAME.console.log\n"
  "  --register URI          claim the domain's name and UUID in the daemon at URI\n"
  "                          (qemu:///system, qemu:///session, qemu+unix:///?socket=)\n"
  "                          before starting: the daemon lists it and forwards\n"
  "                          calls about it here; registers again if the daemon\n"
  "                          restarts\n"
  "  --shutdown-timeout S    on SIGTERM/SIGINT, wait S seconds for the guest to\n"
  "                          power off after the ACPI button, then destroy it\n"
  "                          (default 60); a second signal destroys it at once\n"
  "  --paused                leave the vCPUs stopped (resume with qvirt resume)\n"
  "  --ready-fd N            write \"ready\\n\" to descriptor N and close it once\n"
  "                          the domain runs (for whoever spawns qvirt-run)\n"
  "  -q, --quiet             print nothing but errors\n"
  "  -h, --help              show this help\n"
  "  -V, --version           show the version\n"
  "\n"
  "Exit status:\n"
  "  0      the guest powered off\n"
  "  1      qvirt-run failed\n"
  "  2      bad input: options, the file, its XML, a kernel or disk it names\n"
  "  3      the domain failed to start (QEMU's last words on stderr)\n"
  "  4      the domain crashed (QEMU died)\n"
  "  5      the guest did not power off within --shutdown-timeout: destroyed\n"
  "  6      the domain was destroyed by someone else\n"
  "  7      --register: the daemon already has a domain of that name or UUID\n"
  "  128+N  destroyed at once on a second signal N (130: SIGINT, 143: SIGTERM)\n"
  "\n"
  "Example:\n"
  "  $ qvirt-run --console vm1.xml\n";

typedef struct {
  char *root;
  char *socket_path;
  gboolean console;
  guint shutdown_timeout_s;
  gboolean quiet;
  const char *register_uri;
  gboolean paused;
  int ready_fd;
  const char *file;
} Options;

typedef struct {
  Options options;
  gboolean root_is_temporary;
  char *name;
  char *uuid;
  QvirtConnection *conn;
  QvirtDomain *domain;
  GError *create_error;          /* the create's outcome, once create_done */
  gboolean create_done;
  int signal_while_starting;     /* acted on once the start is over */
  GMainLoop *loop;
  QvirtConnection *daemon;       /* --register: where the name is claimed */
  guint reregister_source;

  int console_fd;
  int console_log_fd;
  QvirtConsolePump *pump;

  int exit_status;
  gboolean stopped;
  int signals_received;
  /* Set when we decide to destroy: the exit status that explains it. */
  int destroy_status;
} Shim;

static void
shim_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
shim_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "qvirt-run: %s\n", message);
}

/* ------------------------------------------------------------------ */
/* Options and input                                                    */

static gboolean
parse_seconds (const char *text, guint *seconds)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT / 1000, &value, NULL))
    return FALSE;
  *seconds = (guint) value;
  return TRUE;
}

/* Returns -1 to go on, or an exit status. */
static int
parse_options (Options *options, int argc, char **argv)
{
  options->shutdown_timeout_s = DEFAULT_SHUTDOWN_TIMEOUT_S;
  options->ready_fd = -1;
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;

      if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        {
          fputs (usage_text, stdout);
          return EXIT_POWERED_OFF;
        }
      if (g_str_equal (arg, "-V") || g_str_equal (arg, "--version"))
        {
          printf ("qvirt-run %s\n", QVIRT_VERSION);
          return EXIT_POWERED_OFF;
        }
      if (g_str_equal (arg, "--console"))
        {
          options->console = TRUE;
          continue;
        }
      if (g_str_equal (arg, "--paused"))
        {
          options->paused = TRUE;
          continue;
        }
      if (g_str_equal (arg, "-q") || g_str_equal (arg, "--quiet"))
        {
          options->quiet = TRUE;
          continue;
        }
      if (g_str_equal (arg, "--root") || g_str_equal (arg, "--socket") ||
          g_str_equal (arg, "--shutdown-timeout") || g_str_equal (arg, "--register") ||
          g_str_equal (arg, "--ready-fd"))
        {
          if (i + 1 >= argc)
            {
              shim_error ("%s needs a value (see qvirt-run --help)", arg);
              return EXIT_BAD_INPUT;
            }
          value = argv[++i];
          if (g_str_equal (arg, "--root"))
            options->root = g_canonicalize_filename (value, NULL);
          else if (g_str_equal (arg, "--socket"))
            options->socket_path = g_canonicalize_filename (value, NULL);
          else if (g_str_equal (arg, "--register"))
            options->register_uri = value;
          else if (g_str_equal (arg, "--ready-fd"))
            {
              guint64 fd;

              if (!g_ascii_string_to_unsigned (value, 10, 3, G_MAXINT, &fd, NULL) ||
                  fcntl ((int) fd, F_GETFD) < 0)
                {
                  shim_error ("--ready-fd: '%s' is not an open descriptor", value);
                  return EXIT_BAD_INPUT;
                }
              options->ready_fd = (int) fd;
            }
          else if (!parse_seconds (value, &options->shutdown_timeout_s))
            {
              shim_error ("--shutdown-timeout: '%s' is not a number of seconds", value);
              return EXIT_BAD_INPUT;
            }
          continue;
        }
      if (arg[0] == '-' && arg[1] != '\0')
        {
          shim_error ("unknown option '%s' (see qvirt-run --help)", arg);
          return EXIT_BAD_INPUT;
        }
      if (options->file != NULL)
        {
          shim_error ("one domain XML file only, got '%s' and '%s'", options->file, arg);
          return EXIT_BAD_INPUT;
        }
      options->file = arg;
    }
  if (options->file == NULL)
    {
      shim_error ("no domain XML: give a FILE, or - for stdin (see qvirt-run --help)");
      return EXIT_BAD_INPUT;
    }
  return -1;
}

static char *
read_xml (const char *file, GError **error)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  char buffer[65536];
  gssize n;

  if (!g_str_equal (file, "-"))
    {
      char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (file, &contents, &length, error))
        return NULL;
      if (length > MAX_XML_SIZE)
        {
          g_free (contents);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                       "%s is larger than %d bytes", file, MAX_XML_SIZE);
          return NULL;
        }
      return contents;
    }
  while ((n = read (STDIN_FILENO, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "cannot read stdin: %s", g_strerror (errno));
          return NULL;
        }
      if (xml->len + (gsize) n > MAX_XML_SIZE)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                       "stdin holds more than %d bytes", MAX_XML_SIZE);
          return NULL;
        }
      g_string_append_len (xml, buffer, n);
    }
  return g_string_free (g_steal_pointer (&xml), FALSE);
}

static gboolean
check_readable (const char *what, const char *path, GError **error)
{
  if (path == NULL || access (path, R_OK) == 0)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s '%s': %s",
               what, path, g_strerror (errno));
  return FALSE;
}

/* The files QEMU would open: a missing one is bad input, found now rather
 * than as a failed start. */
static gboolean
check_files (const DomainDef *def, GError **error)
{
  if (!check_readable ("kernel", def->os.kernel, error) ||
      !check_readable ("initrd", def->os.initrd, error))
    return FALSE;
  for (guint i = 0; i < def->disks->len; i++)
    {
      const DomainDisk *disk = g_ptr_array_index (def->disks, i);

      if (!check_readable ("disk", disk->source_path, error))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The root                                                             */

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  remove (path);
  return 0;
}

static void
remove_tree (const char *root)
{
  nftw (root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------ */
/* Registration with a daemon (--register)                              */

static gboolean register_with_daemon (Shim *shim, GError **error);

static gboolean
on_reregister_timer (gpointer user_data)
{
  Shim *shim = user_data;
  g_autoptr(GError) error = NULL;

  if (shim->stopped)
    return G_SOURCE_CONTINUE;
  if (!register_with_daemon (shim, &error))
    {
      if (g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS))
        {
          /* Someone has the name now: nothing to retry for. */
          shim_error ("cannot register domain '%s' again with %s: %s", shim->name,
                      shim->options.register_uri, error->message);
          shim->reregister_source = 0;
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;    /* the daemon is not back yet */
    }
  if (!shim->options.quiet)
    shim_error ("domain '%s' registered again with %s", shim->name,
                shim->options.register_uri);
  shim->reregister_source = 0;
  return G_SOURCE_REMOVE;
}

/* The daemon went away (a restart): the claim stays while we live, and
 * we come back to take it up again. */
static void
on_daemon_closed (QvirtConnection *conn, const GError *reason, gpointer user_data)
{
  Shim *shim = user_data;

  if (shim->reregister_source != 0 || shim->stopped)
    return;
  if (!shim->options.quiet)
    shim_error ("lost %s (%s); registering again when it is back",
                shim->options.register_uri, reason->message);
  shim->reregister_source = g_timeout_add (REREGISTER_INTERVAL_MS, on_reregister_timer, shim);
}

static gboolean
register_with_daemon (Shim *shim, GError **error)
{
  g_autoptr(json_t) params = NULL;
  g_autoptr(json_t) result = NULL;

  g_clear_pointer (&shim->daemon, qvirt_connection_close);
  shim->daemon = qvirt_connection_open (shim->options.register_uri,
                                        QVIRT_CONNECTION_FLAGS_NONE, error);
  if (shim->daemon == NULL)
    return FALSE;
  params = json_pack ("{s:s, s:s, s:s, s:I}", "name", shim->name, "uuid", shim->uuid,
                      "socket", shim->options.socket_path, "pid", (json_int_t) getpid ());
  result = qvirt_connection_call_sync (shim->daemon, "shim.register", params, NULL, error);
  if (result == NULL)
    {
      g_clear_pointer (&shim->daemon, qvirt_connection_close);
      return FALSE;
    }
  qvirt_connection_set_closed_func (shim->daemon, on_daemon_closed, shim, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The VM's life                                                        */

static void
finish (Shim *shim, int exit_status)
{
  if (shim->stopped)
    return;
  shim->stopped = TRUE;
  shim->exit_status = exit_status;
  g_main_loop_quit (shim->loop);
}

static void
on_event (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data)
{
  Shim *shim = user_data;

  if (!g_str_equal (event->kind, "lifecycle") || !g_str_equal (event->event, "stopped"))
    return;
  if (shim->destroy_status >= 0)
    finish (shim, shim->destroy_status);
  else if (g_strcmp0 (event->detail, "shutdown") == 0)
    finish (shim, EXIT_POWERED_OFF);
  else if (g_strcmp0 (event->detail, "destroyed") == 0)
    finish (shim, EXIT_DESTROYED);
  else if (g_strcmp0 (event->detail, "failed") == 0)
    finish (shim, EXIT_START_FAILED);
  else
    finish (shim, EXIT_CRASHED);
}

static void
on_destroyed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Shim *shim = user_data;
  g_autoptr(GError) error = NULL;

  /* The "stopped" event ends the run; this only reports a failure. */
  if (!qvirt_domain_operation_finish (shim->domain, result, &error) &&
      !g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE))
    shim_error ("cannot destroy domain '%s': %s", shim->name, error->message);
}

static void
destroy_now (Shim *shim, int exit_status)
{
  shim->destroy_status = exit_status;
  qvirt_domain_destroy_async (shim->domain, NULL, on_destroyed, shim);
}

static void
on_shutdown_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Shim *shim = user_data;
  g_autoptr(GError) error = NULL;

  if (qvirt_domain_operation_finish (shim->domain, result, &error) || shim->stopped)
    return;
  if (shim->destroy_status >= 0)
    return;                       /* a second signal got there first */
  if (g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_TIMEOUT))
    {
      if (!shim->options.quiet)
        shim_error ("domain '%s' did not power off within %u s; destroying it",
                    shim->name, shim->options.shutdown_timeout_s);
      destroy_now (shim, EXIT_SHUTDOWN_TIMEOUT);
      return;
    }
  if (!g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE))
    {
      shim_error ("cannot shut down domain '%s': %s; destroying it", shim->name,
                  error->message);
      destroy_now (shim, EXIT_FAILURE_OTHER);
    }
}

static gboolean
on_signal (Shim *shim, int signal_number)
{
  if (shim->stopped)
    return G_SOURCE_CONTINUE;
  /* No guest to power off yet: start_domain() destroys it once started. */
  if (shim->domain == NULL)
    {
      shim->signal_while_starting = signal_number;
      return G_SOURCE_CONTINUE;
    }
  if (++shim->signals_received == 1 && shim->options.shutdown_timeout_s > 0)
    {
      if (!shim->options.quiet)
        shim_error ("%s: asking domain '%s' to power off (again to destroy it now)",
                    g_strsignal (signal_number), shim->name);
      qvirt_domain_shutdown_async (shim->domain, shim->options.shutdown_timeout_s, NULL,
                                   on_shutdown_done, shim);
      return G_SOURCE_CONTINUE;
    }
  destroy_now (shim, EXIT_SIGNAL_BASE + signal_number);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  return on_signal (user_data, SIGTERM);
}

static gboolean
on_sigint (gpointer user_data)
{
  return on_signal (user_data, SIGINT);
}

static void
on_pump_done (QvirtConsolePumpEnd end, gpointer user_data)
{
  Shim *shim = user_data;

  /* Ctrl-] leaves the console, not the VM: that is what signals are for. */
  if (end == QVIRT_CONSOLE_PUMP_OUTPUT_FAILED)
    shim_error ("cannot write the console of domain '%s'", shim->name);
}

/* Joins the console to stdin/stdout, or to its log file. */
static gboolean
attach_console (Shim *shim, GError **error)
{
  int output_fd = STDOUT_FILENO;

  shim->console_fd = qvirt_domain_open_console (shim->domain, error);
  if (shim->console_fd < 0)
    return FALSE;
  if (!shim->options.console)
    {
      g_autofree char *log_name = g_strdup_printf ("%s.console.log", shim->name);
      g_autofree char *path = g_build_filename (shim->options.root, "log", log_name, NULL);

      shim->console_log_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (shim->console_log_fd < 0)
        {
          g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL, "cannot open %s: %s", path,
                       g_strerror (errno));
          return FALSE;
        }
      output_fd = shim->console_log_fd;
    }
  shim->pump = qvirt_console_pump_new (shim->console_fd,
                                       shim->options.console ? STDIN_FILENO : -1,
                                       output_fd, FALSE, on_pump_done, shim);
  return TRUE;
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Shim *shim = user_data;

  shim->domain = qvirt_connection_create_domain_finish (shim->conn, result,
                                                        &shim->create_error);
  shim->create_done = TRUE;
}

/* Serves the instance on its socket and follows the domain's events. */
static int
serve_and_follow (Shim *shim)
{
  g_autoptr(GError) error = NULL;

  if (!qvirt_connection_serve (shim->conn, shim->options.socket_path, &error) ||
      qvirt_connection_subscribe_events (shim->conn, shim->name, on_event, shim, NULL,
                                         &error) == 0)
    {
      shim_error ("%s", error->message);
      return EXIT_FAILURE_OTHER;
    }
  return -1;
}

/* Creates and starts the domain; with a console, paused until the console
 * is joined, so that no boot output is lost. Without --register, the
 * socket is set up while QEMU initializes (QEMU is spawned within the
 * create call), off the path to its first instruction; a shim that
 * registers serves first, since the daemon may use the socket as soon as
 * it knows it. */
static int
start_domain (Shim *shim, const char *xml, gboolean has_console)
{
  g_autoptr(GError) error = NULL;
  QvirtStartFlags flags = QVIRT_START_AUTODESTROY |
                          (has_console || shim->options.paused ? QVIRT_START_PAUSED : 0);
  g_autoptr(QvirtDomainInfo) info = NULL;
  int status;

  qvirt_connection_create_domain_async (shim->conn, xml, flags, NULL, on_created, shim);
  if (shim->daemon == NULL && (status = serve_and_follow (shim)) >= 0)
    return status;
  while (!shim->create_done)
    g_main_context_iteration (NULL, TRUE);
  if (shim->domain == NULL)
    {
      g_autoptr(GError) create_error = g_steal_pointer (&shim->create_error);

      shim_error ("%s", create_error->message);
      if (g_error_matches (create_error, QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED))
        return EXIT_START_FAILED;
      if (g_error_matches (create_error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL))
        return EXIT_FAILURE_OTHER;
      return EXIT_BAD_INPUT;
    }
  if (shim->signal_while_starting != 0)
    {
      if (!shim->options.quiet)
        shim_error ("%s while domain '%s' was starting: destroying it",
                    g_strsignal (shim->signal_while_starting), shim->name);
      if (!qvirt_domain_destroy (shim->domain, NULL, &error))
        shim_error ("domain '%s': %s", shim->name, error->message);
      return EXIT_SIGNAL_BASE + shim->signal_while_starting;
    }
  if (has_console)
    {
      if (!attach_console (shim, &error) ||
          (!shim->options.paused && !qvirt_domain_resume (shim->domain, NULL, &error)))
        {
          shim_error ("domain '%s': %s", shim->name, error->message);
          return EXIT_FAILURE_OTHER;
        }
    }
  /* Whoever hears "running" from us may ask the daemon next: let it have
   * seen the start first. */
  if (shim->daemon != NULL)
    {
      g_autoptr(json_t) params = json_pack ("{s:s}", "name", shim->name);
      g_autoptr(json_t) synced = qvirt_connection_call_sync (shim->daemon, "shim.sync",
                                                             params, NULL, NULL);
    }
  if (!shim->options.quiet)
    {
      info = qvirt_domain_get_info (shim->domain, NULL);
      shim_error ("domain '%s' is running (QEMU pid %d); socket %s", shim->name,
                  info ? (int) info->pid : 0, shim->options.socket_path);
    }
  if (shim->options.ready_fd >= 0)
    {
      /* Whoever waits may be gone (EPIPE, SIGPIPE is ignored): no matter. */
      if (write (shim->options.ready_fd, "ready\n", 6) < 0)
        shim_error ("--ready-fd: %s", g_strerror (errno));
      close (shim->options.ready_fd);
      shim->options.ready_fd = -1;
    }
  return -1;
}

static int
run (Shim *shim)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *escaped_root = NULL;
  g_autoptr(DomainDef) def = NULL;
  gboolean has_console;
  guint sigterm_source, sigint_source;
  int status;

  /* Everything that can be checked, before anything is created. */
  xml = read_xml (shim->options.file, &error);
  if (xml == NULL)
    {
      shim_error ("%s", error->message);
      return EXIT_BAD_INPUT;
    }
  def = domain_def_load_xml (xml, &error);
  if (def == NULL)
    {
      shim_error ("%s: %s", g_str_equal (shim->options.file, "-") ? "stdin"
                                                                   : shim->options.file,
                  error->message);
      return EXIT_BAD_INPUT;
    }
  if (!check_files (def, &error))
    {
      shim_error ("%s", error->message);
      return EXIT_BAD_INPUT;
    }
  has_console = qemu_command_console_serial (def) != NULL;
  if (shim->options.console && !has_console)
    {
      shim_error ("--console needs a console: add <serial type='pty'/> to the domain "
                  "(and console=ttyS0 to a Linux guest's command line)");
      return EXIT_BAD_INPUT;
    }
  shim->name = g_strdup (def->name);
  shim->uuid = g_strdup (def->uuid);
  /* Started from the definition as checked: the UUID claimed with
   * --register is the one the domain gets, also when FILE has none. */
  g_free (xml);
  xml = domain_def_format_xml (def);

  if (shim->options.root == NULL)
    {
      shim->options.root = g_dir_make_tmp ("qvirt-run-XXXXXX", &error);
      if (shim->options.root == NULL)
        {
          shim_error ("cannot create a root: %s", error->message);
          return EXIT_FAILURE_OTHER;
        }
      shim->root_is_temporary = TRUE;
    }
  if (shim->options.socket_path == NULL)
    shim->options.socket_path = g_build_filename (shim->options.root, "run", "qvirt.sock",
                                                  NULL);

  escaped_root = g_uri_escape_string (shim->options.root, "/", FALSE);
  uri = g_strdup_printf ("qemu:///embed?root=%s", escaped_root);
  shim->conn = qvirt_connection_open (uri, QVIRT_CONNECTION_FLAGS_NONE, &error);
  if (shim->conn == NULL)
    {
      shim_error ("%s", error->message);
      return g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_BUSY) ? EXIT_BAD_INPUT
                                                                     : EXIT_FAILURE_OTHER;
    }
  if (shim->options.register_uri != NULL)
    {
      status = serve_and_follow (shim);
      if (status >= 0)
        return status;
      if (!register_with_daemon (shim, &error))
        {
          shim_error ("cannot register domain '%s' with %s: %s", shim->name,
                      shim->options.register_uri, error->message);
          return g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS)
                   ? EXIT_NAME_TAKEN : EXIT_FAILURE_OTHER;
        }
    }

  /* Signals are ours from before QEMU exists: none may kill us half-way. */
  sigterm_source = g_unix_signal_add (SIGTERM, on_sigterm, shim);
  sigint_source = g_unix_signal_add (SIGINT, on_sigint, shim);
  status = start_domain (shim, xml, has_console);
  if (status < 0 && !shim->stopped)
    g_main_loop_run (shim->loop);
  g_source_remove (sigterm_source);
  g_source_remove (sigint_source);
  if (status >= 0)
    return status;

  /* Let the console's last words out before the pump goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return shim->exit_status;
}

int
main (int argc, char **argv)
{
  Shim shim = {
    .console_fd = -1,
    .console_log_fd = -1,
    .destroy_status = -1,
  };
  int status;

  /* The user's charset and message language, for what we print; loading
   * the other categories would cost an exec-time we spend before QEMU's,
   * and numbers must stay "C" anyway. */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  /* Our stderr or the ready pipe may outlive their reader (a daemon that
   * restarts): a write must fail, not kill us and our VM. */
  signal (SIGPIPE, SIG_IGN);
  status = parse_options (&shim.options, argc, argv);
  if (status >= 0)
    {
      g_free (shim.options.root);
      g_free (shim.options.socket_path);
      return status;
    }

  shim.loop = g_main_loop_new (NULL, FALSE);
  status = run (&shim);

  g_clear_pointer (&shim.pump, qvirt_console_pump_free);
  if (shim.console_fd >= 0)
    close (shim.console_fd);
  if (shim.console_log_fd >= 0)
    close (shim.console_log_fd);
  g_clear_pointer (&shim.domain, qvirt_domain_unref);
  g_clear_pointer (&shim.conn, qvirt_connection_close);
  if (shim.reregister_source != 0)
    g_source_remove (shim.reregister_source);
  /* Closing releases the claim at once (the daemon would notice our exit
   * anyway). */
  g_clear_pointer (&shim.daemon, qvirt_connection_close);
  if (shim.root_is_temporary)
    remove_tree (shim.options.root);
  g_main_loop_unref (shim.loop);
  g_free (shim.name);
  g_free (shim.uuid);
  g_free (shim.options.root);
  g_free (shim.options.socket_path);
  return status;
}
