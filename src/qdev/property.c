/* Setting typed properties: the one place values enter a JSON object,
 * so every string is checked before QEMU sees it. */
#include "qdev/qdev-private.h"

gboolean
qdev_set_string (json_t *props, const char *key, const char *value,
                 GError **error)
{
  g_return_val_if_fail (json_is_object (props), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!qdev_check_string (key, value, error))
    return FALSE;
  json_object_set_new (props, key, json_string (value));
  return TRUE;
}

void
qdev_set_int (json_t *props, const char *key, gint64 value)
{
  g_return_if_fail (json_is_object (props));
  g_return_if_fail (key != NULL);

  json_object_set_new (props, key, json_integer (value));
}

void
qdev_set_bool (json_t *props, const char *key, gboolean value)
{
  g_return_if_fail (json_is_object (props));
  g_return_if_fail (key != NULL);

  json_object_set_new (props, key, json_boolean (value));
}

gboolean
qdev_set_optional_string (json_t *props, const char *key, const char *value,
                          GError **error)
{
  return value == NULL || qdev_set_string (props, key, value, error);
}

gboolean
qdev_set_id (json_t *props, const char *key, const char *what,
             const char *id, GError **error)
{
  if (!qdev_check_id (what, id, error))
    return FALSE;
  json_object_set_new (props, key, json_string (id));
  return TRUE;
}

gboolean
qdev_set_bootindex (json_t *device, guint bootindex, GError **error)
{
  if (bootindex == 0)
    return TRUE;
  if (bootindex > G_MAXINT32)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "bootindex %u is above %d", bootindex, G_MAXINT32);
      return FALSE;
    }
  qdev_set_int (device, "bootindex", bootindex);
  return TRUE;
}
