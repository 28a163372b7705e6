/* Network: netdev backends (-netdev) and NIC frontends (-device). */
#include "qdev/qdev-private.h"

#include <string.h>

/* Linux's IFNAMSIZ (16) counts the NUL. */
#define IFNAME_MAX 15

static const char *const nic_drivers[] = {
  [QDEV_NIC_VIRTIO] = "virtio-net-pci",
  [QDEV_NIC_E1000] = "e1000",
  [QDEV_NIC_E1000E] = "e1000e",
  [QDEV_NIC_RTL8139] = "rtl8139",
};

static json_t *
netdev_new (const char *type, const char *id, GError **error)
{
  g_autoptr(json_t) netdev = json_object ();

  g_return_val_if_fail (id != NULL, NULL);

  json_object_set_new (netdev, "type", json_string (type));
  if (!qdev_set_id (netdev, "id", "netdev id", id, error))
    return NULL;
  return g_steal_pointer (&netdev);
}

json_t *
qdev_netdev_user_new (const char *id, GError **error)
{
  return netdev_new ("user", id, error);
}

json_t *
qdev_netdev_tap_new (const char *id, const char *ifname, GError **error)
{
  g_autoptr(json_t) netdev = NULL;

  g_return_val_if_fail (ifname != NULL, NULL);

  netdev = netdev_new ("tap", id, error);
  if (netdev == NULL ||
      !qdev_check_nonempty_string ("tap interface name", ifname, error))
    return NULL;
  if (strlen (ifname) > IFNAME_MAX)
    {
      g_autofree char *shown = g_strescape (ifname, NULL);
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "tap interface name \"%s\" is longer than %d bytes",
                   shown, IFNAME_MAX);
      return NULL;
    }
  json_object_set_new (netdev, "ifname", json_string (ifname));
  /* QEMU would otherwise run /etc/qemu-ifup and -down as itself. */
  json_object_set_new (netdev, "script", json_string ("no"));
  json_object_set_new (netdev, "downscript", json_string ("no"));
  return g_steal_pointer (&netdev);
}

json_t *
qdev_netdev_tap_fd_new (const char *id, const char *fd, GError **error)
{
  g_autoptr(json_t) netdev = NULL;

  g_return_val_if_fail (fd != NULL, NULL);

  netdev = netdev_new ("tap", id, error);
  if (netdev == NULL ||
      !qdev_check_nonempty_string ("tap fd", fd, error))
    return NULL;
  /* QEMU refuses script, ifname and the like next to fd. */
  json_object_set_new (netdev, "fd", json_string (fd));
  return g_steal_pointer (&netdev);
}

json_t *
qdev_netdev_bridge_new (const char *id, const char *bridge,
                        const char *helper, GError **error)
{
  g_autoptr(json_t) netdev = NULL;

  g_return_val_if_fail (bridge != NULL, NULL);

  netdev = netdev_new ("bridge", id, error);
  if (netdev == NULL ||
      !qdev_check_nonempty_string ("bridge name", bridge, error))
    return NULL;
  json_object_set_new (netdev, "br", json_string (bridge));
  if (!qdev_set_optional_string (netdev, "helper", helper, error))
    return NULL;
  return g_steal_pointer (&netdev);
}

/* "52:54:00:12:34:56": six pairs of hex digits joined by colons. */
static gboolean
is_valid_mac (const char *mac)
{
  if (strlen (mac) != 17)
    return FALSE;
  for (guint i = 0; i < 17; i++)
    {
      gboolean separator = i % 3 == 2;

      if (separator ? mac[i] != ':' : !g_ascii_isxdigit (mac[i]))
        return FALSE;
    }
  return TRUE;
}

json_t *
qdev_device_nic_new (QdevNicModel model, const char *id, const char *netdev,
                     const char *mac, guint bootindex, GError **error)
{
  g_autoptr(json_t) device = NULL;

  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (nic_drivers), NULL);
  g_return_val_if_fail (netdev != NULL, NULL);

  device = qdev_device_new (nic_drivers[model], id, error);
  if (device == NULL ||
      !qdev_set_id (device, "netdev", "netdev id", netdev, error))
    return NULL;
  if (mac != NULL)
    {
      if (!is_valid_mac (mac))
        {
          g_autofree char *shown = g_strescape (mac, NULL);
          g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                       "MAC address \"%s\" is not of the form "
                       "52:54:00:12:34:56", shown);
          return NULL;
        }
      json_object_set_new (device, "mac", json_string (mac));
    }
  if (!qdev_set_bootindex (device, bootindex, error))
    return NULL;
  return g_steal_pointer (&device);
}
