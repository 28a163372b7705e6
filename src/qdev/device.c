/* The generic device object every -device builder starts from. */
#include "qdev/qdev-private.h"

json_t *
qdev_device_new (const char *driver, const char *id, GError **error)
{
  g_autoptr(json_t) device = json_object ();

  g_return_val_if_fail (driver != NULL, NULL);

  if (!qdev_check_nonempty_string ("device driver", driver, error))
    return NULL;
  json_object_set_new (device, "driver", json_string (driver));
  if (id != NULL && !qdev_set_id (device, "id", "device id", id, error))
    return NULL;
  return g_steal_pointer (&device);
}
