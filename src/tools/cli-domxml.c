/* The offline subcommands that work on a domain XML file, without any
 * connection: `qvirt validate FILE` and `qvirt domxml-to-argv FILE`.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "conf/domain-xml.h"
#include "qemu/command.h"
#include "qvirt-cli.h"
#include "qvirt-config.h"

/* Where `validate` pretends the driver keeps its sockets, to check what
 * the command line builder would say of a started domain. */
#define VALIDATE_RUNTIME_DIR "/run/qvirt"

/* Reads FILE; on failure prints one line and returns NULL. */
static char *
read_document (const char *file, gsize *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (file, &contents, length, &error))
    {
      qvirt_cli_error ("%s", error->message);
      return NULL;
    }
  return contents;
}

/* The positional FILE of a command taking one, and its options. */
typedef struct {
  const char *file;
  const char *run_dir;
} DomxmlArgs;

static int
parse_args (const QvirtCommand *command, int argc, char **argv,
            gboolean takes_run_dir, DomxmlArgs *args)
{
  gboolean options_done = FALSE;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (!options_done && g_str_equal (arg, "--"))
        {
          options_done = TRUE;
          continue;
        }
      if (!options_done && takes_run_dir && g_str_equal (arg, "--run-dir"))
        {
          if (i + 1 >= argc)
            return qvirt_cli_usage_error (command, "--run-dir needs a "
                                          "directory");
          args->run_dir = argv[++i];
          continue;
        }
      if (!options_done && takes_run_dir &&
          g_str_has_prefix (arg, "--run-dir="))
        {
          args->run_dir = arg + strlen ("--run-dir=");
          continue;
        }
      if (!options_done && arg[0] == '-' && arg[1] != '\0')
        return qvirt_cli_usage_error (command, "unknown option '%s'", arg);
      if (args->file != NULL)
        return qvirt_cli_usage_error (command, "one FILE only, got '%s' "
                                      "and '%s'", args->file, arg);
      args->file = arg;
    }
  if (args->file == NULL)
    return qvirt_cli_usage_error (command, "missing FILE");
  return QVIRT_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * qvirt validate FILE
 */

static int run_validate (QvirtCli *cli, int argc, char **argv);

/* After the document itself is fine, asks the command line builder too:
 * some valid configuration has no QEMU equivalent (a timer policy, a
 * watchdog action), and `validate` should say so before a start does. */
static gboolean
check_command_line (const char *file, const char *xml, gsize length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DomainDef) def = domain_def_new_from_xml (xml, length, &error);
  g_autoptr(QemuCommand) command = NULL;
  g_autofree char *monitor = NULL;
  QemuCommandConfig config = {
    .default_emulator = QVIRT_DEFAULT_QEMU,
    .monitor_fd = 3,
    .runtime_dir = VALIDATE_RUNTIME_DIR,
  };

  if (def == NULL)
    {
      /* domain_def_check_xml() found nothing, so this cannot happen;
       * say it rather than claim the file is valid. */
      printf ("%s: %s\n", file, error->message);
      return FALSE;
    }
  command = qemu_command_build (def, &config, &error);
  if (command == NULL)
    {
      printf ("%s: %s\n", file, error->message);
      return FALSE;
    }
  return TRUE;
}

static int
run_validate (QvirtCli *cli, int argc, char **argv)
{
  DomxmlArgs args = { 0 };
  g_autofree char *xml = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  gsize length;
  int status;

  status = parse_args (&qvirt_cli_domxml_commands[0], argc, argv, FALSE,
                       &args);
  if (status != QVIRT_EXIT_OK)
    return status;
  xml = read_document (args.file, &length);
  if (xml == NULL)
    return QVIRT_EXIT_FAILURE;

  problems = domain_def_check_xml (xml, length);
  for (guint i = 0; i < problems->len; i++)
    {
      const DomainProblem *problem = g_ptr_array_index (problems, i);

      if (problem->line > 0)
        printf ("%s:%u: %s\n", args.file, problem->line, problem->message);
      else
        printf ("%s: %s\n", args.file, problem->message);
    }
  if (problems->len > 0)
    return QVIRT_EXIT_FAILURE;
  if (!check_command_line (args.file, xml, length))
    return QVIRT_EXIT_FAILURE;
  printf ("%s: valid\n", args.file);
  return QVIRT_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * qvirt domxml-to-argv FILE [--run-dir DIR]
 */

static int
run_domxml_to_argv (QvirtCli *cli, int argc, char **argv)
{
  DomxmlArgs args = { 0 };
  g_autofree char *xml = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *monitor_name = NULL;
  g_autofree char *monitor_path = NULL;
  g_autofree char *shell = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DomainDef) def = NULL;
  g_autoptr(QemuCommand) command = NULL;
  QemuCommandConfig config = {
    .default_emulator = QVIRT_DEFAULT_QEMU,
    .monitor_fd = -1,
  };
  gsize length;
  int status;

  status = parse_args (&qvirt_cli_domxml_commands[1], argc, argv, TRUE,
                       &args);
  if (status != QVIRT_EXIT_OK)
    return status;
  xml = read_document (args.file, &length);
  if (xml == NULL)
    return QVIRT_EXIT_FAILURE;

  def = domain_def_new_from_xml (xml, length, &error);
  if (def == NULL)
    {
      qvirt_cli_error ("%s: %s", args.file, error->message);
      return QVIRT_EXIT_FAILURE;
    }

  /* Absolute, so the line works from wherever it is pasted. */
  cwd = g_get_current_dir ();
  run_dir = g_canonicalize_filename (args.run_dir != NULL ? args.run_dir
                                                          : ".", cwd);
  monitor_name = g_strdup_printf ("%s.qmp", def->name);
  monitor_path = g_build_filename (run_dir, monitor_name, NULL);
  config.monitor_path = monitor_path;
  config.runtime_dir = run_dir;

  command = qemu_command_build (def, &config, &error);
  if (command == NULL)
    {
      qvirt_cli_error ("%s: %s", args.file, error->message);
      return QVIRT_EXIT_FAILURE;
    }
  shell = qemu_command_to_shell (command);
  printf ("%s\n", shell);
  return QVIRT_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * The table
 */

const QvirtCommand qvirt_cli_domxml_commands[] = {
  {
    .name = "validate",
    .summary = "check a domain XML file and list every problem",
    .usage =
      "Usage: qvirt validate FILE\n"
      "\n"
      "Checks the domain XML in FILE as a driver would before defining or\n"
      "starting it: XML syntax, elements and attributes outside what qvirt\n"
      "supports, bad values, conflicting addresses, configuration that needs\n"
      "another libvirt driver, and settings QEMU's command line cannot\n"
      "express. Needs no connection.\n"
      "\n"
      "Prints every problem, one per line, as FILE:LINE: MESSAGE (FILE:\n"
      "MESSAGE when no line applies), or FILE: valid.\n"
      "\n"
      "Exit status: 0 valid, 1 problems found or FILE unreadable, 64 bad\n"
      "command line.\n"
      "\n"
      "Example:\n"
      "  $ qvirt validate vm.xml\n"
      "  vm.xml:30: <devices/interface> at line 30: type 'network' ...\n",
    .run = run_validate,
    .needs_connection = FALSE,
  },
  {
    .name = "domxml-to-argv",
    .summary = "print the QEMU command line of a domain XML file",
    .usage =
      "Usage: qvirt domxml-to-argv FILE [--run-dir DIR]\n"
      "\n"
      "Prints the QEMU command line qvirt would run for the domain in FILE,\n"
      "as one shell line that runs as-is when pasted into a shell:\n"
      "environment assignments from <qemu:env> first, then the command,\n"
      "quoted where needed. Needs no connection.\n"
      "\n"
      "QEMU starts paused (-S) with its QMP monitor on the UNIX socket\n"
      "DIR/NAME.qmp, which it creates itself; sockets the definition leaves\n"
      "to the driver (channels and VNC without a path) go to DIR too.\n"
      "\n"
      "Options:\n"
      "  --run-dir DIR   where the sockets go (default: the current "
      "directory)\n"
      "\n"
      "Exit status: 0 printed, 1 FILE unreadable, invalid or not expressible\n"
      "as a command line, 64 bad command line.\n"
      "\n"
      "Example:\n"
      "  $ qvirt domxml-to-argv vm.xml --run-dir /tmp/vm > run.sh\n"
      "  $ sh run.sh &\n"
      "  $ qvirt-qmp /tmp/vm/NAME.qmp cont\n",
    .run = run_domxml_to_argv,
    .needs_connection = FALSE,
  },
  { NULL },
};
