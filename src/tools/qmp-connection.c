/* qvirt-qmp: connecting to the monitor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tools/qmp-tool.h"

#include <stdio.h>

#include "util/unix-socket.h"

static void
report_connection (QmpTool *tool)
{
  int major = 0, minor = 0, micro = 0;
  g_autofree char *package =
    g_strdup (qmp_client_get_version (tool->client, &major, &minor, &micro));

  /* QEMU pads the package string with spaces ("  (Debian ...)"). */
  if (package && *g_strstrip (package))
    fprintf (stderr, "qvirt-qmp: connected to QEMU %d.%d.%d (%s)\n",
             major, minor, micro, package);
  else
    fprintf (stderr, "qvirt-qmp: connected to QEMU %d.%d.%d\n", major, minor, micro);
}

gboolean
qmp_tool_connect (QmpTool *tool, const char *socket_path, GError **error)
{
  g_autoptr(QmpClient) client = NULL;
  int fd;

  g_return_val_if_fail (tool->client == NULL, FALSE);

  /* Not qmp_client_connect_sync(): its handshake runs before we could
   * set a timeout, so --timeout would not bound it. */
  fd = qvirt_unix_socket_connect (socket_path, error);
  if (fd < 0)
    return FALSE;
  client = qmp_client_new_for_fd (fd, tool->options.oob ? QMP_CLIENT_FLAGS_OOB
                                                        : QMP_CLIENT_FLAGS_NONE,
                                  error);
  if (client == NULL)
    return FALSE;
  qmp_client_set_default_timeout (client, tool->options.timeout_ms);
  if (!qmp_client_handshake_sync (client, NULL, error))
    {
      g_prefix_error (error, "%s: ", socket_path);
      return FALSE;
    }
  if (tool->options.oob && !qmp_client_is_oob_enabled (client))
    {
      g_set_error (error, QMP_ERROR, QMP_ERROR_FAILED,
                   "%s: this monitor does not offer out-of-band execution (--oob)",
                   socket_path);
      return FALSE;
    }
  tool->client = g_steal_pointer (&client);

  if (tool->options.verbose)
    report_connection (tool);
  if (tool->options.check)
    {
      tool->schema = qmp_client_get_schema_sync (tool->client, NULL, error);
      if (tool->schema == NULL)
        {
          g_prefix_error (error, "cannot read the QMP schema for --check: ");
          return FALSE;
        }
    }
  return TRUE;
}
