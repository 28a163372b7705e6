/* Guest memory: memory backend objects, and the size given with -m. */
#include "qdev/qdev-private.h"

static json_t *
memory_backend_new (const char *qom_type, const char *id, guint64 size,
                    gboolean prealloc, GError **error)
{
  g_autoptr(json_t) object = NULL;

  if (size == 0 || size > G_MAXINT64)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "memory backend size %" G_GUINT64_FORMAT
                   " is out of range", size);
      return NULL;
    }
  object = qdev_object_new (qom_type, id, error);
  if (object == NULL)
    return NULL;
  qdev_set_int (object, "size", (gint64) size);
  if (prealloc)
    qdev_set_bool (object, "prealloc", TRUE);
  return g_steal_pointer (&object);
}

json_t *
qdev_object_memory_ram_new (const char *id, guint64 size, gboolean prealloc,
                            GError **error)
{
  return memory_backend_new ("memory-backend-ram", id, size, prealloc, error);
}

json_t *
qdev_object_memory_file_new (const char *id, guint64 size,
                             const char *mem_path, gboolean share,
                             gboolean prealloc, GError **error)
{
  g_autoptr(json_t) object = NULL;

  g_return_val_if_fail (mem_path != NULL, NULL);

  object = memory_backend_new ("memory-backend-file", id, size, prealloc,
                               error);
  if (object == NULL ||
      !qdev_check_nonempty_string ("mem-path", mem_path, error))
    return NULL;
  json_object_set_new (object, "mem-path", json_string (mem_path));
  qdev_set_bool (object, "share", share);
  return g_steal_pointer (&object);
}

json_t *
qdev_memory_new (guint64 size_mib, GError **error)
{
  if (size_mib == 0 || size_mib > G_MAXUINT64 / (1024 * 1024))
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "memory size %" G_GUINT64_FORMAT " MiB is out of range",
                   size_mib);
      return NULL;
    }
  return json_pack ("{s:o}", "size",
                    json_sprintf ("%" G_GUINT64_FORMAT "M", size_mib));
}
