/* qvirt: the command-line tool. This file is its main: the global
 * options, the list of subcommands, `--help` and `--version`. The
 * subcommands live in cli-*.c (see qvirt-cli.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "qvirt-cli.h"
#include "qvirt-config.h"

/* Every table of subcommands, in the order `qvirt --help` lists them. */
static const QvirtCommand *const command_tables[] = {
  qvirt_cli_domxml_commands,
  qvirt_cli_domain_commands,
  qvirt_cli_console_commands,
};

static const char global_usage[] =
  "Usage: qvirt [OPTIONS] COMMAND [ARGS...]\n"
  "\n"
  "Manage QEMU virtual machines described by libvirt-compatible domain XML.\n"
  "\n"
  "Options:\n"
  "  -c, --connect URI   connect to URI: qemu:///embed?root=DIR (the driver in\n"
  "                      this process), qemu:///session or qemu:///system (qvirtd),\n"
  "                      qemu+unix:///?socket=PATH (any server: qvirtd, an\n"
  "                      application serving its instance, qvirt-run)\n"
  "                      (default: $" QVIRT_DEFAULT_URI_ENV "; commands that manage\n"
  "                      domains need one or the other)\n"
  "  -h, --help          show this help, or a command's with COMMAND --help\n"
  "  -V, --version       show the version\n"
  "\n"
  "Exit status: 0 success, 1 failure, 64 bad command line.\n"
  "\n"
  "Commands:\n";

void
qvirt_cli_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "qvirt: %s\n", message);
}

int
qvirt_cli_usage_error (const QvirtCommand *command, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "qvirt %s: %s (see 'qvirt %s --help')\n", command->name,
           message, command->name);
  return QVIRT_EXIT_USAGE;
}

static const QvirtCommand *
find_command (const char *name)
{
  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const QvirtCommand *c = command_tables[t]; c->name != NULL; c++)
      if (g_str_equal (c->name, name))
        return c;
  return NULL;
}

static void
print_global_usage (FILE *out)
{
  gsize width = 0;

  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const QvirtCommand *c = command_tables[t]; c->name != NULL; c++)
      width = MAX (width, strlen (c->name));

  fputs (global_usage, out);
  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const QvirtCommand *c = command_tables[t]; c->name != NULL; c++)
      fprintf (out, "  %-*s  %s\n", (int) width, c->name, c->summary);
  fputs ("\nRun 'qvirt COMMAND --help' for a command's options and an "
         "example.\n", out);
}

static gboolean
asks_for_help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        return FALSE;
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        return TRUE;
    }
  return FALSE;
}

int
main (int argc, char **argv)
{
  QvirtCli cli = { .uri = g_getenv (QVIRT_DEFAULT_URI_ENV) };
  const QvirtCommand *command;
  int i;

  setlocale (LC_ALL, "");

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        {
          print_global_usage (stdout);
          return QVIRT_EXIT_OK;
        }
      if (g_str_equal (arg, "-V") || g_str_equal (arg, "--version"))
        {
          printf ("qvirt %s\n", QVIRT_VERSION);
          return QVIRT_EXIT_OK;
        }
      if (g_str_equal (arg, "-c") || g_str_equal (arg, "--connect"))
        {
          if (i + 1 >= argc)
            {
              qvirt_cli_error ("%s needs a URI (see 'qvirt --help')", arg);
              return QVIRT_EXIT_USAGE;
            }
          cli.uri = argv[++i];
          continue;
        }
      if (g_str_has_prefix (arg, "--connect="))
        {
          cli.uri = arg + strlen ("--connect=");
          continue;
        }
      qvirt_cli_error ("unknown option '%s' (see 'qvirt --help')", arg);
      return QVIRT_EXIT_USAGE;
    }

  if (i >= argc)
    {
      print_global_usage (stderr);
      return QVIRT_EXIT_USAGE;
    }
  command = find_command (argv[i]);
  if (command == NULL)
    {
      qvirt_cli_error ("unknown command '%s' (see 'qvirt --help')", argv[i]);
      return QVIRT_EXIT_USAGE;
    }
  if (asks_for_help (argc - i, argv + i))
    {
      fputs (command->usage, stdout);
      return QVIRT_EXIT_OK;
    }
  return command->run (&cli, argc - i, argv + i);
}
