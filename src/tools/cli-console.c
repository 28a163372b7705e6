/* qvirt console: the terminal joined to a domain's serial console.
 *
 * The console is a socket from qvirt_domain_open_console(); this file
 * moves bytes between it and stdin/stdout in the main loop (which, with
 * an embed URI, also runs the driver that serves the console), puts a
 * terminal in raw mode so that every key reaches the guest, and leaves on
 * Ctrl-].
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cli-args.h"
#include "cli-session.h"

/* Ctrl-]: telnet's and virsh's way out, a byte no one types by accident. */
#define ESCAPE_BYTE 0x1d
/* Input that may wait for the console before stdin is no longer read. */
#define MAX_PENDING_INPUT (64 * 1024)

typedef struct {
  QvirtCliWait wait;
  int console_fd;
  guint console_source;
  GIOCondition console_events;
  guint stdin_source;
  gboolean stdin_ended;         /* stdin reached its end (a pipe) */
  GByteArray *to_console;       /* typed, not yet written to the console */
  gboolean escaped;             /* the user pressed Ctrl-] */
  gboolean console_closed;      /* the domain stopped (or the server went) */
} ConsoleSession;

static gboolean on_console_ready (gint fd, GIOCondition condition, gpointer user_data);
static gboolean on_stdin_ready (gint fd, GIOCondition condition, gpointer user_data);

static void
watch_console (ConsoleSession *console)
{
  GIOCondition events = G_IO_IN | (console->to_console->len > 0 ? G_IO_OUT : 0);

  if (console->console_source != 0 && console->console_events == events)
    return;
  if (console->console_source != 0)
    g_source_remove (console->console_source);
  console->console_source = g_unix_fd_add (console->console_fd, events, on_console_ready,
                                           console);
  console->console_events = events;
}

/* Stops reading stdin while typed input waits for the console. */
static void
watch_stdin (ConsoleSession *console)
{
  gboolean wanted = !console->stdin_ended && console->to_console->len < MAX_PENDING_INPUT;

  if (wanted && console->stdin_source == 0)
    console->stdin_source = g_unix_fd_add (STDIN_FILENO, G_IO_IN, on_stdin_ready, console);
  else if (!wanted && console->stdin_source != 0)
    {
      g_source_remove (console->stdin_source);
      console->stdin_source = 0;
    }
}

static void
end_session (ConsoleSession *console)
{
  qvirt_cli_wait_stop (&console->wait);
}

static gboolean
flush_to_console (ConsoleSession *console)
{
  while (console->to_console->len > 0)
    {
      gssize n = send (console->console_fd, console->to_console->data,
                       console->to_console->len, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (n < 0)
        return FALSE;
      g_byte_array_remove_range (console->to_console, 0, (guint) n);
    }
  return TRUE;
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
on_console_ready (gint fd, GIOCondition condition, gpointer user_data)
{
  ConsoleSession *console = user_data;
  guint8 buffer[4096];
  gssize n;

  if ((condition & G_IO_OUT) && !flush_to_console (console))
    goto closed;
  if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    {
      do
        n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      while (n < 0 && errno == EINTR);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        goto closed;
      if (n > 0 && !write_all (STDOUT_FILENO, buffer, (gsize) n))
        {
          end_session (console);     /* nobody reads our output any more */
          return G_SOURCE_CONTINUE;
        }
    }
  watch_console (console);
  watch_stdin (console);
  return G_SOURCE_CONTINUE;

closed:
  console->console_closed = TRUE;
  console->console_source = 0;
  end_session (console);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stdin_ready (gint fd, GIOCondition condition, gpointer user_data)
{
  ConsoleSession *console = user_data;
  guint8 buffer[4096];
  gssize n;

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    {
      /* End of input (a pipe): keep showing the console until the domain
       * stops, Ctrl-C or SIGTERM. */
      console->stdin_ended = TRUE;
      console->stdin_source = 0;
      return G_SOURCE_REMOVE;
    }
  for (gssize i = 0; i < n; i++)
    if (buffer[i] == ESCAPE_BYTE)
      {
        g_byte_array_append (console->to_console, buffer, (guint) i);
        flush_to_console (console);
        console->escaped = TRUE;
        end_session (console);
        return G_SOURCE_CONTINUE;
      }
  g_byte_array_append (console->to_console, buffer, (guint) n);
  if (!flush_to_console (console))
    {
      console->console_closed = TRUE;
      end_session (console);
      return G_SOURCE_CONTINUE;
    }
  watch_console (console);
  if (console->to_console->len >= MAX_PENDING_INPUT)
    {
      console->stdin_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static int
run_console (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, &name },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  ConsoleSession console = { .console_fd = -1 };
  struct termios saved_termios;
  gboolean raw = FALSE;
  int status;

  status = qvirt_cli_parse_args (&qvirt_cli_console_commands[0], argc, argv, NULL, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  console.console_fd = qvirt_domain_open_console (session.domain, &error);
  if (console.console_fd < 0)
    return qvirt_cli_report_error (error);
  g_unix_set_fd_nonblocking (console.console_fd, TRUE, NULL);
  console.to_console = g_byte_array_new ();

  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved_termios) == 0)
    {
      struct termios raw_termios = saved_termios;

      /* Every key, Ctrl-C included, goes to the guest. */
      cfmakeraw (&raw_termios);
      raw = tcsetattr (STDIN_FILENO, TCSAFLUSH, &raw_termios) == 0;
    }
  fprintf (stderr, "Connected to domain '%s' (Ctrl-] to leave)%s", name, raw ? "\r\n" : "\n");

  qvirt_cli_wait_init (&console.wait, 0);
  watch_console (&console);
  watch_stdin (&console);
  qvirt_cli_wait_run (&console.wait);

  if (raw)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  if (console.console_source != 0)
    g_source_remove (console.console_source);
  if (console.stdin_source != 0)
    g_source_remove (console.stdin_source);
  qvirt_cli_wait_clear (&console.wait);
  g_byte_array_unref (console.to_console);
  close (console.console_fd);

  if (console.console_closed)
    fprintf (stderr, "\nqvirt: the console of domain '%s' closed (the domain stopped)\n",
             name);
  else
    fputc ('\n', stderr);
  return QVIRT_EXIT_OK;
}

const QvirtCommand qvirt_cli_console_commands[] = {
  {
    .name = "console",
    .summary = "attach the terminal to a domain's serial console",
    .usage =
      "Usage: qvirt console NAME\n"
      "\n"
      "Joins the terminal to the serial console of the running domain NAME:\n"
      "what the guest writes appears here, what you type goes to the guest.\n"
      "A terminal is put in raw mode, so every key (Ctrl-C too) reaches the\n"
      "guest; Ctrl-] leaves. With stdin not a terminal, its bytes are sent\n"
      "as they are (a Ctrl-] byte still leaves), and after its end the\n"
      "console is shown until the domain stops, SIGINT or SIGTERM.\n"
      "\n"
      "The domain needs <serial type='pty'/>, and its guest must use that\n"
      "port (Linux: console=ttyS0). Several consoles may be open on one\n"
      "domain at once, from this and other processes; each sees all output.\n"
      "It works on every URI: embed (this process serves the console while\n"
      "it runs), qemu:///session, qemu:///system and qemu+unix:///?socket=.\n"
      "\n"
      "Exit status:\n"
      "  0   left with Ctrl-], or the domain stopped\n"
      "  1   the console cannot be opened: no such domain, not running, no\n"
      "      pty serial port, read-only connection\n"
      "  64  bad command line\n"
      "\n"
      "Example:\n"
      "  $ qvirt -c qemu:///session console vm1\n"
      "  Connected to domain 'vm1' (Ctrl-] to leave)\n"
      "  vm1 login:\n",
    .run = run_console,
    .needs_connection = TRUE,
  },
  { NULL },
};
