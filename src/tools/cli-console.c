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
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "cli-args.h"
#include "cli-session.h"
#include "util/console-pump.h"

typedef struct {
  QvirtCliWait wait;
  QvirtConsolePumpEnd end;
} ConsoleSession;

static void
on_pump_done (QvirtConsolePumpEnd end, gpointer user_data)
{
  ConsoleSession *console = user_data;

  console->end = end;
  qvirt_cli_wait_stop (&console->wait);
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
  ConsoleSession console = { .end = QVIRT_CONSOLE_PUMP_CLOSED };
  g_autoptr(QvirtConsolePump) pump = NULL;
  struct termios saved_termios;
  gboolean raw = FALSE;
  int console_fd;
  int status;

  status = qvirt_cli_parse_args (&qvirt_cli_console_commands[0], argc, argv, NULL, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  console_fd = qvirt_domain_open_console (session.domain, &error);
  if (console_fd < 0)
    return qvirt_cli_report_error (error);

  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved_termios) == 0)
    {
      struct termios raw_termios = saved_termios;

      /* Every key, Ctrl-C included, goes to the guest. */
      cfmakeraw (&raw_termios);
      raw = tcsetattr (STDIN_FILENO, TCSAFLUSH, &raw_termios) == 0;
    }
  fprintf (stderr, "Connected to domain '%s' (Ctrl-] to leave)%s", name, raw ? "\r\n" : "\n");

  /* SIGINT and SIGTERM end it too (Ctrl-C only when stdin is no terminal). */
  qvirt_cli_wait_init (&console.wait, 0);
  pump = qvirt_console_pump_new (console_fd, STDIN_FILENO, STDOUT_FILENO, TRUE,
                                 on_pump_done, &console);
  qvirt_cli_wait_run (&console.wait);
  g_clear_pointer (&pump, qvirt_console_pump_free);
  qvirt_cli_wait_clear (&console.wait);
  close (console_fd);
  if (raw)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);

  if (console.end == QVIRT_CONSOLE_PUMP_CLOSED && console.wait.signal == 0)
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
