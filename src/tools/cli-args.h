/* The command line of one qvirt subcommand: its options and positional
 * arguments, declared as tables and parsed in one place so that every
 * subcommand reports a bad command line the same way.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "qvirt-cli.h"

G_BEGIN_DECLS

typedef enum {
  QVIRT_CLI_OPTION_FLAG,        /* --all: sets a gboolean */
  QVIRT_CLI_OPTION_SECONDS,     /* --timeout S: a non-negative integer (guint) */
} QvirtCliOptionType;

/**
 * QvirtCliOption:
 * @name: the option as typed, "--all"
 * @type: whether it takes a value
 * @target: a gboolean * for a flag, a guint * for seconds
 *
 * One option of a subcommand; a table of them ends with @name NULL.
 * Valued options are accepted as `--name VALUE` and `--name=VALUE`.
 */
typedef struct {
  const char *name;
  QvirtCliOptionType type;
  gpointer target;
} QvirtCliOption;

/**
 * QvirtCliArgument:
 * @name: how the usage text calls it, "NAME"
 * @optional: whether it may be left out (only trailing ones)
 * @target: set to the argument, or left alone when it is absent
 *
 * One positional argument; a table of them ends with @name NULL.
 */
typedef struct {
  const char *name;
  gboolean optional;
  const char **target;
} QvirtCliArgument;

/**
 * qvirt_cli_parse_args:
 * @command: the subcommand, for its error messages
 * @argc, @argv: its arguments, @argv[0] being its name
 * @options: (nullable): its options
 * @arguments: (nullable): its positional arguments
 *
 * Fills the targets from the command line. Options and arguments may
 * come in any order; `--` ends the options. On a bad command line prints
 * one line on stderr ("qvirt COMMAND: ...").
 *
 * Returns: QVIRT_EXIT_OK, or QVIRT_EXIT_USAGE after printing the error.
 */
int qvirt_cli_parse_args (const QvirtCommand *command, int argc, char **argv,
                          const QvirtCliOption *options,
                          const QvirtCliArgument *arguments);

G_END_DECLS
