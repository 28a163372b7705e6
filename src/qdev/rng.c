/* Random number generator: a backend object and the virtio-rng device
 * that feeds the guest from it. */
#include "qdev/qdev-private.h"

json_t *
qdev_object_rng_random_new (const char *id, const char *filename,
                            GError **error)
{
  g_autoptr(json_t) object = qdev_object_new ("rng-random", id, error);

  if (object == NULL ||
      !qdev_set_optional_string (object, "filename", filename, error))
    return NULL;
  return g_steal_pointer (&object);
}

json_t *
qdev_object_rng_builtin_new (const char *id, GError **error)
{
  return qdev_object_new ("rng-builtin", id, error);
}

json_t *
qdev_device_rng_new (const char *id, const char *rng, guint64 max_bytes,
                     guint period_ms, GError **error)
{
  g_autoptr(json_t) device = NULL;

  g_return_val_if_fail (rng != NULL, NULL);

  if (period_ms != 0 && max_bytes == 0)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "an rng period without a byte limit limits nothing");
      return NULL;
    }
  if (max_bytes > G_MAXINT64)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "rng max-bytes %" G_GUINT64_FORMAT " is too large",
                   max_bytes);
      return NULL;
    }
  device = qdev_device_new ("virtio-rng-pci", id, error);
  if (device == NULL || !qdev_set_id (device, "rng", "rng object id", rng,
                                      error))
    return NULL;
  if (max_bytes != 0)
    qdev_set_int (device, "max-bytes", (gint64) max_bytes);
  if (period_ms != 0)
    qdev_set_int (device, "period", period_ms);
  return g_steal_pointer (&device);
}
