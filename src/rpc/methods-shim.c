/* shim.*: what a qvirt-run shim asks of the server it registers with
 * (docs/protocol.md, "qvirt-run shims"). */
#include "rpc/method.h"
#include "rpc/shim-registry.h"

static void
handle_register (QvirtRpcCall *call)
{
  GError *error = NULL;
  /* The kernel's word for who is calling beats the caller's: a shim in
   * a pid namespace of its own knows itself by another number. */
  GPid peer_pid = qvirt_rpc_session_get_peer_pid (call->session);
  GPid said_pid = (GPid) qvirt_rpc_call_get_uint (call, "pid", 0);
  GPid pid = peer_pid > 0 ? peer_pid : said_pid;

  if (!qvirt_shim_registry_register (qvirt_rpc_call_get_shims (call), call->session,
                                     qvirt_rpc_call_get_string (call, "name"),
                                     qvirt_rpc_call_get_string (call, "uuid"),
                                     qvirt_rpc_call_get_string (call, "socket"),
                                     pid, pid == said_pid, &error))
    {
      qvirt_rpc_call_return_error (call, error);
      return;
    }
  qvirt_rpc_call_return (call, json_object ());
}

static void
on_synced (gpointer user_data)
{
  qvirt_rpc_call_return (user_data, json_object ());
}

/* The shim's way to know the server has seen what it did (its start)
 * before it tells anyone else: a round trip from here to the shim. */
static void
handle_sync (QvirtRpcCall *call)
{
  qvirt_shim_registry_sync (qvirt_rpc_call_get_shims (call),
                            qvirt_rpc_call_get_string (call, "name"), on_synced, call);
}

static const QvirtParamSpec sync_params[] = {
  { "name", QVIRT_PARAM_STRING, TRUE },
  { NULL }
};

static const QvirtParamSpec register_params[] = {
  { "name", QVIRT_PARAM_STRING, TRUE },
  { "uuid", QVIRT_PARAM_STRING, TRUE },
  { "socket", QVIRT_PARAM_STRING, TRUE },
  { "pid", QVIRT_PARAM_INTEGER, TRUE },
  { NULL }
};

const QvirtMethod qvirt_shim_methods[] = {
  /* Claims a name and UUID: as much a change as domain.define. */
  { "shim.register", TRUE, register_params, handle_register },
  { "shim.sync", FALSE, sync_params, handle_sync },
  { NULL }
};
