/* Checks on what the builders are given, so a bad value fails here with
 * a clear message rather than later, inside QEMU, with a vaguer one. */
#include "qdev/qdev-private.h"

#include <string.h>

/* QEMU's limit: BlockDriverState.node_name holds 32 bytes with the NUL. */
#define NODE_NAME_MAX 31

/* Error messages quote user input; escaping keeps them one printable
 * line even for a value with a newline or invalid UTF-8. */
static char *
quote (const char *value)
{
  return g_strescape (value, NULL);
}

gboolean
qdev_check_string (const char *what, const char *value, GError **error)
{
  g_return_val_if_fail (value != NULL, FALSE);

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_autofree char *shown = quote (value);
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE,
                   "%s \"%s\" is not valid UTF-8", what, shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
qdev_check_nonempty_string (const char *what, const char *value,
                            GError **error)
{
  g_return_val_if_fail (value != NULL, FALSE);

  if (*value == '\0')
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "%s is empty", what);
      return FALSE;
    }
  return qdev_check_string (what, value, error);
}

gboolean
qdev_check_id (const char *what, const char *id, GError **error)
{
  gboolean valid;

  g_return_val_if_fail (id != NULL, FALSE);

  valid = g_ascii_isalpha (id[0]);
  for (const char *c = id; valid && *c; c++)
    valid = g_ascii_isalnum (*c) || *c == '-' || *c == '.' || *c == '_';
  if (!valid)
    {
      g_autofree char *shown = quote (id);
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "%s \"%s\" is not a valid QEMU id (a letter, then "
                   "letters, digits, '-', '.' or '_')", what, shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
qdev_check_node_name (const char *what, const char *node_name,
                      GError **error)
{
  if (!qdev_check_id (what, node_name, error))
    return FALSE;
  if (strlen (node_name) > NODE_NAME_MAX)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "%s \"%s\" is longer than %d bytes", what, node_name,
                   NODE_NAME_MAX);
      return FALSE;
    }
  return TRUE;
}
