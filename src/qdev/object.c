/* The generic object every -object builder starts from. */
#include "qdev/qdev-private.h"

json_t *
qdev_object_new (const char *qom_type, const char *id, GError **error)
{
  g_autoptr(json_t) object = json_object ();

  g_return_val_if_fail (qom_type != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!qdev_check_nonempty_string ("object type", qom_type, error))
    return NULL;
  json_object_set_new (object, "qom-type", json_string (qom_type));
  if (!qdev_set_id (object, "id", "object id", id, error))
    return NULL;
  return g_steal_pointer (&object);
}
