/* The memory balloon. */
#include "qdev/qdev-private.h"

json_t *
qdev_device_balloon_new (const char *id, gboolean deflate_on_oom,
                         gboolean free_page_reporting, GError **error)
{
  g_autoptr(json_t) device = qdev_device_new ("virtio-balloon-pci", id,
                                              error);

  if (device == NULL)
    return NULL;
  qdev_set_bool (device, "deflate-on-oom", deflate_on_oom);
  qdev_set_bool (device, "free-page-reporting", free_page_reporting);
  return g_steal_pointer (&device);
}
