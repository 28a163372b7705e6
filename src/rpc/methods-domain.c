/* domain.*: the methods that reach the QEMU driver.
 *
 * Each handler reads its (already validated) params, calls the driver
 * and turns the outcome into a JSON result. docs/protocol.md documents
 * every one of them; keep the two in step. */
#include "rpc/method.h"
#include "rpc/shim-launcher.h"
#include "rpc/shim-registry.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Shapes of results                                                    */

static json_t *
info_to_json (const QvirtDriverDomainInfo *info)
{
  return json_pack ("{s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:I, s:i, s:I}",
                    "name", info->name,
                    "uuid", info->uuid,
                    "state", qvirt_domain_state_to_string (info->state),
                    "reason", info->reason,
                    "persistent", info->persistent,
                    "autodestroy", info->autodestroy,
                    "pid", (json_int_t) info->pid,
                    "memory-kib", (json_int_t) info->memory_kib,
                    "vcpus", (int) info->vcpus,
                    "cpu-time-ns", (json_int_t) info->cpu_time_ns);
}

/* The result of define and create. The domain exists when this runs
 * (a transient one may stop right after: then the UUID is empty). */
static json_t *
name_and_uuid (QvirtRpcCall *call, const char *name)
{
  g_autoptr(QvirtDriverDomainInfo) info =
    qvirt_driver_get_info (qvirt_rpc_call_get_driver (call), name, NULL);

  return json_pack ("{s:s, s:s}", "name", name, "uuid", info ? info->uuid : "");
}

/* Completions of driver operations that answer "done" or an error. */
static void
on_operation_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QvirtRpcCall *call = user_data;
  GError *error = NULL;

  if (qvirt_driver_operation_finish (NULL, result, &error))
    qvirt_rpc_call_return (call, json_object ());
  else
    qvirt_rpc_call_return_error (call, error);
}

static QvirtDriverStartFlags
start_flags (QvirtRpcCall *call)
{
  QvirtDriverStartFlags flags = QVIRT_DRIVER_START_NONE;

  if (qvirt_rpc_call_get_boolean (call, "paused", FALSE))
    flags |= QVIRT_DRIVER_START_PAUSED;
  if (qvirt_rpc_call_get_boolean (call, "autodestroy", FALSE))
    flags |= QVIRT_DRIVER_START_AUTODESTROY;
  return flags;
}

/* ------------------------------------------------------------------ */
/* Queries                                                              */

typedef struct {
  QvirtRpcCall *call;
  json_t *result;
} ListCall;

/* The shims' domains come after the server's own. */
static void
on_shim_domains (json_t *domains, gpointer user_data)
{
  ListCall *list = user_data;

  json_array_extend (list->result, domains);
  qvirt_rpc_call_return (list->call, list->result);
  g_free (list);
}

static void
handle_list (QvirtRpcCall *call)
{
  gboolean active = qvirt_rpc_call_get_boolean (call, "active", TRUE);
  gboolean inactive = qvirt_rpc_call_get_boolean (call, "inactive", FALSE);
  g_autoptr(GPtrArray) domains = qvirt_driver_list (qvirt_rpc_call_get_driver (call),
                                                    active, inactive);
  ListCall *list = g_new0 (ListCall, 1);

  list->call = call;
  list->result = json_array ();
  for (guint i = 0; i < domains->len; i++)
    json_array_append_new (list->result, info_to_json (domains->pdata[i]));
  if (!active)
    {
      /* A shim's domain runs as long as it is registered. */
      g_autoptr(json_t) none = json_array ();

      on_shim_domains (none, list);
      return;
    }
  qvirt_shim_registry_list_async (qvirt_rpc_call_get_shims (call), on_shim_domains, list);
}

static void
handle_info (QvirtRpcCall *call)
{
  GError *error = NULL;
  g_autoptr(QvirtDriverDomainInfo) info =
    qvirt_driver_get_info (qvirt_rpc_call_get_driver (call),
                           qvirt_rpc_call_get_string (call, "name"), &error);

  if (info == NULL)
    qvirt_rpc_call_return_error (call, error);
  else
    qvirt_rpc_call_return (call, info_to_json (info));
}

static void
handle_get_xml (QvirtRpcCall *call)
{
  GError *error = NULL;
  g_autofree char *xml =
    qvirt_driver_get_xml (qvirt_rpc_call_get_driver (call),
                          qvirt_rpc_call_get_string (call, "name"),
                          qvirt_rpc_call_get_boolean (call, "inactive", FALSE), &error);

  if (xml == NULL)
    qvirt_rpc_call_return_error (call, error);
  else
    qvirt_rpc_call_return (call, json_pack ("{s:s}", "xml", xml));
}

/* ------------------------------------------------------------------ */
/* Definitions                                                          */

static void
handle_define (QvirtRpcCall *call)
{
  GError *error = NULL;
  g_autofree char *name = NULL;

  if (!qvirt_driver_define (qvirt_rpc_call_get_driver (call),
                            qvirt_rpc_call_get_string (call, "xml"), &name, &error))
    qvirt_rpc_call_return_error (call, error);
  else
    qvirt_rpc_call_return (call, name_and_uuid (call, name));
}

static void
handle_undefine (QvirtRpcCall *call)
{
  GError *error = NULL;

  if (!qvirt_driver_undefine (qvirt_rpc_call_get_driver (call),
                              qvirt_rpc_call_get_string (call, "name"), &error))
    qvirt_rpc_call_return_error (call, error);
  else
    qvirt_rpc_call_return (call, json_object ());
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QvirtRpcCall *call = user_data;
  GError *error = NULL;

  if (!qvirt_driver_start_finish (NULL, result, &error))
    {
      qvirt_rpc_call_return_error (call, error);
      return;
    }
  if (start_flags (call) & QVIRT_DRIVER_START_AUTODESTROY)
    qvirt_rpc_session_own_domain (call->session, qvirt_rpc_call_get_string (call, "name"));
  qvirt_rpc_call_return (call, json_object ());
}

/* Through a qvirt-run shim (qvirtd): the domain is the shim's once it runs. */
typedef struct {
  QvirtRpcCall *call;
  char *name;
  char *uuid;
  gboolean answer_name;          /* create answers {name, uuid}, start {} */
} ShimStart;

static void
shim_start_free (ShimStart *start)
{
  g_free (start->name);
  g_free (start->uuid);
  g_free (start);
}

/* The shim's "started" event has reached our subscribers: now the reply. */
static void
on_shim_synced (gpointer user_data)
{
  ShimStart *start = user_data;
  QvirtRpcCall *call = start->call;

  if (start_flags (call) & QVIRT_DRIVER_START_AUTODESTROY)
    qvirt_rpc_session_own_shim_domain (call->session, start->name);
  qvirt_rpc_call_return (call, start->answer_name
                                 ? json_pack ("{s:s, s:s}", "name", start->name,
                                              "uuid", start->uuid)
                                 : json_object ());
  shim_start_free (start);
}

static void
on_shim_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ShimStart *start = user_data;
  QvirtRpcCall *call = start->call;
  GError *error = NULL;

  if (!qvirt_shim_launcher_launch_finish (NULL, result, &error))
    {
      qvirt_driver_mark_starting_elsewhere (qvirt_rpc_call_get_driver (call), start->name,
                                            FALSE);
      qvirt_rpc_call_return_error (call, error);
      shim_start_free (start);
      return;
    }
  qvirt_shim_registry_sync (qvirt_rpc_call_get_shims (call), start->name, on_shim_synced,
                            start);
}

static void
start_in_shim (QvirtRpcCall *call, char *name, char *uuid, const char *xml,
               gboolean answer_name)
{
  ShimStart *start = g_new0 (ShimStart, 1);

  start->call = call;
  start->name = name;
  start->uuid = uuid;
  start->answer_name = answer_name;
  qvirt_driver_mark_starting_elsewhere (qvirt_rpc_call_get_driver (call), name, TRUE);
  qvirt_shim_launcher_launch_async (qvirt_rpc_call_get_launcher (call), name, xml,
                                    (start_flags (call) & QVIRT_DRIVER_START_PAUSED) != 0,
                                    on_shim_started, start);
}

static void
handle_start (QvirtRpcCall *call)
{
  QvirtDriver *driver = qvirt_rpc_call_get_driver (call);
  const char *name = qvirt_rpc_call_get_string (call, "name");
  g_autoptr(QvirtDriverDomainInfo) info = NULL;
  g_autofree char *xml = NULL;
  GError *error = NULL;

  if (qvirt_rpc_call_get_launcher (call) == NULL)
    {
      qvirt_driver_start_async (driver, name, start_flags (call), NULL, on_started, call);
      return;
    }
  info = qvirt_driver_get_info (driver, name, &error);
  if (info != NULL && info->state != QVIRT_DOMAIN_STATE_SHUTOFF)
    error = g_error_new (QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                         "domain '%s' is already running", info->name);
  if (error == NULL)
    xml = qvirt_driver_get_xml (driver, info->name, TRUE, &error);
  if (xml == NULL)
    {
      qvirt_rpc_call_return_error (call, error);
      return;
    }
  start_in_shim (call, g_strdup (info->name), g_strdup (info->uuid), xml, FALSE);
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QvirtRpcCall *call = user_data;
  GError *error = NULL;
  g_autofree char *name = qvirt_driver_create_finish (NULL, result, &error);

  if (name == NULL)
    {
      qvirt_rpc_call_return_error (call, error);
      return;
    }
  if (start_flags (call) & QVIRT_DRIVER_START_AUTODESTROY)
    qvirt_rpc_session_own_domain (call->session, name);
  qvirt_rpc_call_return (call, name_and_uuid (call, name));
}

static void
handle_create (QvirtRpcCall *call)
{
  QvirtDriver *driver = qvirt_rpc_call_get_driver (call);
  const char *xml = qvirt_rpc_call_get_string (call, "xml");
  g_autofree char *checked_xml = NULL;
  char *name = NULL;
  char *uuid = NULL;
  GError *error = NULL;

  if (qvirt_rpc_call_get_launcher (call) == NULL)
    {
      qvirt_driver_create_async (driver, xml, start_flags (call), NULL, on_created, call);
      return;
    }
  checked_xml = qvirt_driver_check_new_domain (driver, xml, &name, &uuid, &error);
  if (checked_xml == NULL)
    {
      qvirt_rpc_call_return_error (call, error);
      return;
    }
  start_in_shim (call, name, uuid, checked_xml, TRUE);
}

static void
handle_shutdown (QvirtRpcCall *call)
{
  guint64 timeout_s = qvirt_rpc_call_get_uint (call, "timeout", 0);

  qvirt_driver_shutdown_async (qvirt_rpc_call_get_driver (call),
                               qvirt_rpc_call_get_string (call, "name"),
                               (guint) MIN (timeout_s, G_MAXUINT / 1000) * 1000,
                               NULL, on_operation_done, call);
}

#define DEFINE_SIMPLE_HANDLER(handler, driver_call)                          \
  static void                                                                 \
  handler (QvirtRpcCall *call)                                                \
  {                                                                           \
    driver_call (qvirt_rpc_call_get_driver (call),                            \
                 qvirt_rpc_call_get_string (call, "name"),                    \
                 NULL, on_operation_done, call);                              \
  }

DEFINE_SIMPLE_HANDLER (handle_destroy, qvirt_driver_destroy_async)
DEFINE_SIMPLE_HANDLER (handle_suspend, qvirt_driver_suspend_async)
DEFINE_SIMPLE_HANDLER (handle_resume, qvirt_driver_resume_async)
DEFINE_SIMPLE_HANDLER (handle_reboot, qvirt_driver_reboot_async)
DEFINE_SIMPLE_HANDLER (handle_reset, qvirt_driver_reset_async)

/* ------------------------------------------------------------------ */
/* QMP passthrough                                                      */

static void
on_qmp_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QvirtRpcCall *call = user_data;
  GError *error = NULL;
  g_autofree char *text = qvirt_driver_qmp_finish (NULL, result, &error);
  json_t *reply;

  if (text == NULL)
    {
      qvirt_rpc_call_return_error (call, error);
      return;
    }
  reply = json_loads (text, 0, NULL);
  if (reply == NULL)
    {
      qvirt_rpc_call_return_error (call, g_error_new (QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
                                                      "QEMU's reply is not JSON"));
      return;
    }
  qvirt_rpc_call_return (call, json_pack ("{s:o}", "reply", reply));
}

static void
handle_qmp (QvirtRpcCall *call)
{
  json_t *command = qvirt_rpc_call_get_json (call, "command");
  g_autofree char *text = NULL;

  /* The command is a QMP object, or its text; a bare name is shorthand
   * for {"execute": NAME}. */
  if (json_is_object (command))
    text = json_dumps (command, JSON_COMPACT);
  else if (strchr (json_string_value (command), '{') == NULL)
    {
      g_autoptr(json_t) wrapped = json_pack ("{s:s}", "execute", json_string_value (command));

      text = json_dumps (wrapped, JSON_COMPACT);
    }
  else
    text = g_strdup (json_string_value (command));

  qvirt_driver_qmp_async (qvirt_rpc_call_get_driver (call),
                          qvirt_rpc_call_get_string (call, "name"), text,
                          NULL, on_qmp_reply, call);
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

/* domain.openConsole: the checks now, the descriptor once the transport
 * has written this reply (see QvirtRpcUpgrade). */
typedef struct {
  QvirtDriver *driver;
  char *name;
} ConsoleUpgrade;

static void
console_upgrade_free (gpointer data)
{
  ConsoleUpgrade *upgrade = data;

  g_free (upgrade->name);
  g_free (upgrade);
}

static gboolean
attach_console (gpointer data, int fd, GError **error)
{
  ConsoleUpgrade *upgrade = data;

  return qvirt_driver_attach_console (upgrade->driver, upgrade->name, fd, error);
}

static void
handle_open_console (QvirtRpcCall *call)
{
  QvirtDriver *driver = qvirt_rpc_call_get_driver (call);
  const char *name = qvirt_rpc_call_get_string (call, "name");
  GError *error = NULL;
  ConsoleUpgrade *console;

  if (!qvirt_driver_check_console (driver, name, &error))
    {
      qvirt_rpc_call_return_error (call, error);
      return;
    }
  console = g_new0 (ConsoleUpgrade, 1);
  console->driver = driver;
  console->name = g_strdup (name);
  qvirt_rpc_session_set_upgrade (call->session,
                                 qvirt_rpc_upgrade_new (attach_console, console,
                                                        console_upgrade_free));
  qvirt_rpc_call_return (call, json_pack ("{s:s}", "stream", "console"));
}

static const QvirtParamSpec name_params[] = {
  { "name", QVIRT_PARAM_STRING, TRUE },
  { NULL }
};
static const QvirtParamSpec list_params[] = {
  { "active", QVIRT_PARAM_BOOLEAN, FALSE },
  { "inactive", QVIRT_PARAM_BOOLEAN, FALSE },
  { NULL }
};
static const QvirtParamSpec get_xml_params[] = {
  { "name", QVIRT_PARAM_STRING, TRUE },
  { "inactive", QVIRT_PARAM_BOOLEAN, FALSE },
  { NULL }
};
static const QvirtParamSpec xml_params[] = {
  { "xml", QVIRT_PARAM_STRING, TRUE },
  { NULL }
};
static const QvirtParamSpec start_params[] = {
  { "name", QVIRT_PARAM_STRING, TRUE },
  { "paused", QVIRT_PARAM_BOOLEAN, FALSE },
  { "autodestroy", QVIRT_PARAM_BOOLEAN, FALSE },
  { NULL }
};
static const QvirtParamSpec create_params[] = {
  { "xml", QVIRT_PARAM_STRING, TRUE },
  { "paused", QVIRT_PARAM_BOOLEAN, FALSE },
  { "autodestroy", QVIRT_PARAM_BOOLEAN, FALSE },
  { NULL }
};
static const QvirtParamSpec shutdown_params[] = {
  { "name", QVIRT_PARAM_STRING, TRUE },
  { "timeout", QVIRT_PARAM_INTEGER, FALSE },
  { NULL }
};
static const QvirtParamSpec qmp_params[] = {
  { "name", QVIRT_PARAM_STRING, TRUE },
  { "command", QVIRT_PARAM_ANY, TRUE },
  { NULL }
};

const QvirtMethod qvirt_domain_methods[] = {
  { "domain.list", FALSE, list_params, handle_list },
  { "domain.info", FALSE, name_params, handle_info },
  { "domain.getXml", FALSE, get_xml_params, handle_get_xml },
  { "domain.define", TRUE, xml_params, handle_define },
  { "domain.undefine", TRUE, name_params, handle_undefine },
  { "domain.create", TRUE, create_params, handle_create },
  { "domain.start", TRUE, start_params, handle_start },
  { "domain.shutdown", TRUE, shutdown_params, handle_shutdown },
  { "domain.destroy", TRUE, name_params, handle_destroy },
  { "domain.suspend", TRUE, name_params, handle_suspend },
  { "domain.resume", TRUE, name_params, handle_resume },
  { "domain.reboot", TRUE, name_params, handle_reboot },
  { "domain.reset", TRUE, name_params, handle_reset },
  /* QEMU commands may change anything: passthrough is read-write only. */
  { "domain.qmp", TRUE, qmp_params, handle_qmp },
  /* Typing into a guest changes it. */
  { "domain.openConsole", TRUE, name_params, handle_open_console },
  { NULL }
};
