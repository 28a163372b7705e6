/* Network interfaces on the QEMU command line: a netdev (the host
 * side) and a NIC device for each.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qemu/command-private.h"

static QdevNicModel
nic_model (DomainNetModel model)
{
  switch (model)
    {
    case DOMAIN_NET_MODEL_VIRTIO:
      return QDEV_NIC_VIRTIO;
    case DOMAIN_NET_MODEL_E1000:
      return QDEV_NIC_E1000;
    case DOMAIN_NET_MODEL_E1000E:
      return QDEV_NIC_E1000E;
    case DOMAIN_NET_MODEL_UNSET:
    case DOMAIN_NET_MODEL_RTL8139:
    case DOMAIN_NET_MODEL_LAST:
    default:
      return QDEV_NIC_RTL8139;
    }
}

gboolean
command_add_interface (Builder *b, guint position, GError **error)
{
  const DomainInterface *iface = g_ptr_array_index (b->def->interfaces,
                                                    position);
  g_autofree char *netdev_id = g_strdup_printf ("hostnet%u", position);
  g_autofree char *id = g_strdup_printf ("net%u", position);
  g_autoptr(json_t) netdev = NULL;
  g_autoptr(json_t) device = NULL;
  GError *local = NULL;

  command_at (b, "devices/interface", iface->line);
  switch (iface->type)
    {
    case DOMAIN_NET_USER:
      netdev = qdev_netdev_user_new (netdev_id, &local);
      break;
    case DOMAIN_NET_ETHERNET:
      /* QEMU opens (or creates) the tap. Without a name the kernel picks
       * one from the template, as libvirt's vnetN. */
      netdev = qdev_netdev_tap_new (netdev_id,
                                    iface->target_dev != NULL
                                      ? iface->target_dev : "vnet%d",
                                    &local);
      /* The script sets the new tap up; QEMU runs it with the tap's name,
       * as libvirt does. */
      if (netdev != NULL && iface->script != NULL)
        qdev_set_string (netdev, "script", iface->script, NULL);
      break;
    case DOMAIN_NET_BRIDGE:
      /* QEMU's setuid bridge helper creates the tap and adds it to the
       * bridge; it cannot be told a tap name. */
      if (iface->target_dev != NULL)
        return command_unsupported (b, error,
                                    "<target dev='%s'> cannot be honoured for "
                                    "type 'bridge': qemu-bridge-helper names "
                                    "the tap itself (remove <target>)",
                                    iface->target_dev);
      netdev = qdev_netdev_bridge_new (netdev_id, iface->source_bridge,
                                       NULL, &local);
      break;
    case DOMAIN_NET_NETWORK:
    case DOMAIN_NET_LAST:
    default:
      return command_unsupported (b, error,
                                  "interface type '%s' needs libvirt's "
                                  "network driver",
                                  domain_net_type_to_string (iface->type));
    }
  if (netdev == NULL)
    return command_refused (b, error, local);

  device = qdev_device_nic_new (nic_model (iface->model), id, netdev_id,
                                iface->mac, b->interface_bootindex[position],
                                &local);
  if (device == NULL)
    return command_refused (b, error, local);
  if (!command_place_device (b, device, &iface->address, error))
    return FALSE;
  return command_add_option (b, QDEV_OPTION_NETDEV, g_steal_pointer (&netdev),
                             error) &&
         command_add_option (b, QDEV_OPTION_DEVICE, g_steal_pointer (&device),
                             error);
}
