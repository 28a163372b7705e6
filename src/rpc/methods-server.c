/* server.hello and server.methods: what a client asks first. */
#include "rpc/method.h"

#include "qvirt-config.h"

static void
handle_hello (QvirtRpcCall *call)
{
  QvirtDriver *driver = qvirt_rpc_call_get_driver (call);
  json_t *features = json_pack ("[s, s, s]", "events", "qmp-passthrough", "autodestroy");

  qvirt_rpc_call_return (call,
    json_pack ("{s:i, s:s, s:o, s:b, s:s}",
               "protocol", QVIRT_PROTOCOL_VERSION,
               "server", "qvirt " QVIRT_VERSION,
               "features", features,
               "read-only", qvirt_rpc_session_is_read_only (call->session),
               "uri", qvirt_driver_get_uri (driver)));
}

static void handle_methods (QvirtRpcCall *call);

static const QvirtParamSpec no_params[] = { { NULL } };

const QvirtMethod qvirt_server_methods[] = {
  { "server.hello", FALSE, no_params, handle_hello },
  { "server.methods", FALSE, no_params, handle_methods },
  { NULL }
};

static void
handle_methods (QvirtRpcCall *call)
{
  qvirt_rpc_call_return (call, qvirt_rpc_session_list_methods (call->session));
}
