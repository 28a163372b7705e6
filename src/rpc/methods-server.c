/* server.hello and server.methods: what a client asks first. */
#include "rpc/method.h"

#include "qvirt-config.h"

static void
handle_hello (QvirtRpcCall *call)
{
  QvirtDriver *driver = qvirt_rpc_call_get_driver (call);
  json_t *features = json_pack ("[s, s, s, s]", "events", "qmp-passthrough", "autodestroy",
                                "console");

  /* A client may give up writing for the rest of the connection, e.g. a
   * monitoring tool that was handed the read-write socket. */
  if (qvirt_rpc_call_get_boolean (call, "read-only", FALSE))
    qvirt_rpc_session_set_read_only (call->session);

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
static const QvirtParamSpec hello_params[] = {
  { "read-only", QVIRT_PARAM_BOOLEAN, FALSE },
  { NULL }
};

const QvirtMethod qvirt_server_methods[] = {
  { "server.hello", FALSE, hello_params, handle_hello },
  { "server.methods", FALSE, no_params, handle_methods },
  { NULL }
};

static void
handle_methods (QvirtRpcCall *call)
{
  qvirt_rpc_call_return (call, qvirt_rpc_session_list_methods (call->session));
}
