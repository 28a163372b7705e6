/* Internal to rpc/: how a method is declared and how a handler answers.
 *
 * A method declares its params; the dispatcher checks them before the
 * handler runs, so handlers read validated values and every error about
 * params names the field the same way. */
#pragma once

#include "rpc/dispatcher.h"

typedef enum {
  QVIRT_PARAM_STRING,
  QVIRT_PARAM_BOOLEAN,
  QVIRT_PARAM_INTEGER,   /* a non-negative integer */
  QVIRT_PARAM_OBJECT,
  QVIRT_PARAM_ANY,       /* a JSON object or a string (domain.qmp's command) */
} QvirtParamType;

typedef struct {
  const char *name;
  QvirtParamType type;
  gboolean required;
} QvirtParamSpec;

typedef struct _QvirtRpcCall QvirtRpcCall;

typedef struct {
  const char *name;
  gboolean changes_state;        /* refused on read-only sessions */
  const QvirtParamSpec *params;  /* terminated by { NULL } */
  void (*handler) (QvirtRpcCall *call);
} QvirtMethod;

struct _QvirtRpcCall {
  QvirtRpcSession *session;      /* a reference */
  const QvirtMethod *method;
  json_t *params;                /* validated: an object with known fields */
  QvirtRpcReplyFunc reply;
  gpointer user_data;
};

/* The checks qvirt_rpc_session_call() makes before a handler runs, on
 * their own: QVIRT_ERROR_PROTOCOL for an unknown method,
 * QVIRT_ERROR_INVALID_ARGUMENT (naming the field) for @params (NULL: none)
 * that do not match the method's declaration. Runs nothing and changes
 * nothing, so a transport can tell a request that cannot be dispatched
 * (JSON-RPC -32601, -32602) from a call that failed, and a fuzz target can
 * check the params of methods it must not run. */
gboolean qvirt_dispatcher_check_params (QvirtDispatcher *dispatcher, const char *method,
                                        json_t *params, GError **error);

/* Handlers' view of their call. */
QvirtDriver *qvirt_rpc_call_get_driver (QvirtRpcCall *call);
typedef struct _QvirtShimRegistry QvirtShimRegistry;
QvirtShimRegistry *qvirt_rpc_call_get_shims (QvirtRpcCall *call);
typedef struct _QvirtShimLauncher QvirtShimLauncher;
/* NULL when the driver runs QEMU itself. */
QvirtShimLauncher *qvirt_rpc_call_get_launcher (QvirtRpcCall *call);
const char *qvirt_rpc_call_get_string (QvirtRpcCall *call, const char *name);
gboolean qvirt_rpc_call_get_boolean (QvirtRpcCall *call, const char *name, gboolean fallback);
guint64 qvirt_rpc_call_get_uint (QvirtRpcCall *call, const char *name, guint64 fallback);
json_t *qvirt_rpc_call_get_json (QvirtRpcCall *call, const char *name);

/* Each call is answered exactly once, by one of these; both free @call. */
void qvirt_rpc_call_return (QvirtRpcCall *call, json_t *result /* transfer full */);
void qvirt_rpc_call_return_error (QvirtRpcCall *call, GError *error /* transfer full */);

/* The session remembers domains it started with autodestroy. */
void qvirt_rpc_session_own_domain (QvirtRpcSession *session, const char *name);
/* The same for a domain a qvirt-run shim runs: destroyed through it. */
void qvirt_rpc_session_own_shim_domain (QvirtRpcSession *session, const char *name);
gboolean qvirt_rpc_session_is_read_only (QvirtRpcSession *session);
/* The peer's pid as the transport knows it (0: unknown, in-process). */
GPid qvirt_rpc_session_get_peer_pid (QvirtRpcSession *session);
/* Handlers that switch the connection to raw bytes leave the upgrade here
 * before they return their result (transfer full). */
void qvirt_rpc_session_set_upgrade (QvirtRpcSession *session, QvirtRpcUpgrade *upgrade);
json_t *qvirt_rpc_session_list_methods (QvirtRpcSession *session);

/* methods-domain.c, methods-server.c */
extern const QvirtMethod qvirt_domain_methods[];
extern const QvirtMethod qvirt_server_methods[];
extern const QvirtMethod qvirt_shim_methods[];
