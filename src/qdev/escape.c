/* The one escaping function for QEMU's key=value option syntax.
 *
 * In that syntax a value runs until the next single comma, and ",,"
 * stands for one comma: that is the whole escaping scheme. Everything
 * else ('=', quotes, spaces, newlines) is taken literally as long as a
 * key is written in front of the value, which qdev_option_format()
 * always does. */
#include "qdev/qdev-private.h"

#include <string.h>

char *
qdev_escape_option_value (const char *value, gssize length, GError **error)
{
  gsize size;
  GString *escaped;

  g_return_val_if_fail (value != NULL, NULL);

  size = length < 0 ? strlen (value) : (gsize) length;
  if (memchr (value, '\0', size) != NULL)
    {
      g_autofree char *shown = g_strescape (value, NULL);
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE,
                   "option value \"%s\" is followed by a NUL byte, which "
                   "a command line cannot carry", shown);
      return NULL;
    }
  if (!g_utf8_validate_len (value, size, NULL))
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE,
                   "option value is not valid UTF-8");
      return NULL;
    }

  escaped = g_string_sized_new (size + 8);
  for (gsize i = 0; i < size; i++)
    {
      if (value[i] == ',')
        g_string_append_c (escaped, ',');
      g_string_append_c (escaped, value[i]);
    }
  return g_string_free (escaped, FALSE);
}
