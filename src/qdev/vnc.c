/* The VNC server: -vnc, key=value only in QEMU 7.2. Its display comes
 * first and may be written bare ("-vnc unix:/path"), but is always
 * written as "vnc=..." here: a bare value holding '=' would be read as
 * a key. */
#include "qdev/qdev-private.h"

#include <string.h>

/* VNC listens on port 5900 + display. */
#define VNC_BASE_PORT 5900
#define VNC_DISPLAY_MAX (65535 - VNC_BASE_PORT)

json_t *
qdev_vnc_unix_new (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (!qdev_check_nonempty_string ("VNC socket path", path, error))
    return NULL;
  return json_pack ("{s:o}", "vnc", json_sprintf ("unix:%s", path));
}

json_t *
qdev_vnc_tcp_new (const char *host, guint display, GError **error)
{
  gboolean is_ipv6;

  g_return_val_if_fail (host != NULL, NULL);

  if (!qdev_check_nonempty_string ("VNC host", host, error))
    return NULL;
  if (display > VNC_DISPLAY_MAX)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "VNC display %u is out of range (0-%d)", display,
                   VNC_DISPLAY_MAX);
      return NULL;
    }
  is_ipv6 = strchr (host, ':') != NULL;
  return json_pack ("{s:o}", "vnc",
                    json_sprintf (is_ipv6 ? "[%s]:%u" : "%s:%u", host,
                                  display));
}
