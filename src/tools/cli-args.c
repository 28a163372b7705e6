/* Parsing a subcommand's command line from its tables (cli-args.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cli-args.h"

#include <string.h>

static const QvirtCliOption *
find_option (const QvirtCliOption *options, const char *name, gsize name_length)
{
  for (const QvirtCliOption *o = options; o != NULL && o->name != NULL; o++)
    if (strlen (o->name) == name_length && strncmp (o->name, name, name_length) == 0)
      return o;
  return NULL;
}

static gboolean
parse_seconds (const char *text, guint *seconds)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    return FALSE;
  *seconds = (guint) value;
  return TRUE;
}

/* Handles argv[*i], an option; may consume argv[*i + 1] as its value. */
static int
parse_option (const QvirtCommand *command, const QvirtCliOption *options,
              int argc, char **argv, int *i)
{
  const char *arg = argv[*i];
  const char *equals = strchr (arg, '=');
  gsize name_length = equals ? (gsize) (equals - arg) : strlen (arg);
  const QvirtCliOption *option = find_option (options, arg, name_length);
  const char *value;

  if (option == NULL)
    return qvirt_cli_usage_error (command, "unknown option '%.*s'",
                                  (int) name_length, arg);
  if (option->type == QVIRT_CLI_OPTION_FLAG)
    {
      if (equals != NULL)
        return qvirt_cli_usage_error (command, "%s takes no value", option->name);
      *(gboolean *) option->target = TRUE;
      return QVIRT_EXIT_OK;
    }

  if (equals != NULL)
    value = equals + 1;
  else if (*i + 1 < argc)
    value = argv[++*i];
  else
    return qvirt_cli_usage_error (command, "%s needs a number of seconds",
                                  option->name);
  if (!parse_seconds (value, option->target))
    return qvirt_cli_usage_error (command, "%s needs a number of seconds, "
                                  "not '%s'", option->name, value);
  return QVIRT_EXIT_OK;
}

static int
check_arguments_given (const QvirtCommand *command,
                       const QvirtCliArgument *arguments, guint count)
{
  guint n = 0;

  for (const QvirtCliArgument *a = arguments; a != NULL && a->name != NULL; a++, n++)
    if (n >= count && !a->optional)
      return qvirt_cli_usage_error (command, "missing %s", a->name);
  return QVIRT_EXIT_OK;
}

int
qvirt_cli_parse_args (const QvirtCommand *command, int argc, char **argv,
                      const QvirtCliOption *options,
                      const QvirtCliArgument *arguments)
{
  gboolean options_done = FALSE;
  guint count = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const QvirtCliArgument *argument;

      if (!options_done && g_str_equal (arg, "--"))
        {
          options_done = TRUE;
          continue;
        }
      if (!options_done && arg[0] == '-' && arg[1] != '\0')
        {
          int status = parse_option (command, options, argc, argv, &i);

          if (status != QVIRT_EXIT_OK)
            return status;
          continue;
        }

      argument = arguments;
      for (guint n = 0; argument != NULL && argument->name != NULL && n < count; n++)
        argument++;
      if (argument == NULL || argument->name == NULL)
        return qvirt_cli_usage_error (command, "unexpected argument '%s'", arg);
      *argument->target = arg;
      count++;
    }
  return check_arguments_given (command, arguments, count);
}
