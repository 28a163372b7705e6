/* Watchdog devices. */
#include "qdev/qdev-private.h"

static const char *const watchdog_drivers[] = {
  [QDEV_WATCHDOG_I6300ESB] = "i6300esb",
  [QDEV_WATCHDOG_IB700] = "ib700",
};

json_t *
qdev_device_watchdog_new (QdevWatchdogModel model, const char *id,
                          GError **error)
{
  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (watchdog_drivers),
                        NULL);
  return qdev_device_new (watchdog_drivers[model], id, error);
}
