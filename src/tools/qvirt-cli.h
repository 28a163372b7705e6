/* The qvirt command-line tool: what its subcommands share.
 *
 * `qvirt [GLOBAL OPTIONS] COMMAND [ARGS]`. Each subcommand is a
 * QvirtCommand in a NULL-terminated table exported by the file that
 * implements it (cli-domxml.c: qvirt_cli_domxml_commands); qvirt.c lists
 * the tables. A new group of subcommands is a new file with its table
 * and one line in qvirt.c.
 *
 * Exit codes: QVIRT_EXIT_OK, QVIRT_EXIT_FAILURE (the command ran and
 * failed, or found problems), QVIRT_EXIT_USAGE (the command line itself
 * is wrong). Errors are one line on stderr, "qvirt: ...".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define QVIRT_EXIT_OK 0
#define QVIRT_EXIT_FAILURE 1
/* sysexits.h's EX_USAGE, as qvirt-qmp. */
#define QVIRT_EXIT_USAGE 64

/* The environment variable holding the URI used when no -c is given. */
#define QVIRT_DEFAULT_URI_ENV "QVIRT_DEFAULT_URI"

/**
 * QvirtCli:
 * @uri: (nullable): the connection URI: -c/--connect, else
 *   $QVIRT_DEFAULT_URI, else NULL (commands that need a connection then
 *   fail with a message saying how to give one)
 *
 * What the global options said; handed to every subcommand.
 */
typedef struct {
  const char *uri;
} QvirtCli;

/**
 * QvirtCommand:
 * @name: the subcommand, e.g. "validate"
 * @summary: one line for `qvirt --help`
 * @usage: the text of `qvirt NAME --help`: synopsis, what it does, its
 *   options, exit status and an example
 * @run: runs the subcommand; @argv[0] is @name and the rest are its
 *   arguments (the global options removed). Returns an exit code.
 *   `--help` never reaches it: qvirt.c answers it from @usage.
 * @needs_connection: whether the command talks to a driver (it then
 *   uses @cli->uri); offline commands leave it FALSE
 */
typedef struct {
  const char *name;
  const char *summary;
  const char *usage;
  int (*run) (QvirtCli *cli, int argc, char **argv);
  gboolean needs_connection;
} QvirtCommand;

/* The subcommand tables, each ending with an entry whose name is NULL. */
extern const QvirtCommand qvirt_cli_domxml_commands[];
extern const QvirtCommand qvirt_cli_domain_commands[];
extern const QvirtCommand qvirt_cli_console_commands[];

/**
 * qvirt_cli_error:
 *
 * Prints "qvirt: MESSAGE" and a newline on stderr.
 */
void qvirt_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

/**
 * qvirt_cli_usage_error:
 * @command: the subcommand whose command line is wrong
 *
 * Prints "qvirt COMMAND: MESSAGE" and a hint to `--help` on stderr.
 *
 * Returns: QVIRT_EXIT_USAGE.
 */
int qvirt_cli_usage_error (const QvirtCommand *command, const char *format,
                           ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
