/* QvirtDomain: a handle on one domain of a connection, and the typed
 * wrappers of the domain.* methods. Each wrapper builds the method's
 * params and goes through qvirt_connection_call_*(), so the C API and
 * the protocol cannot drift apart. */
#include "lib/connection-private.h"

struct _QvirtDomain {
  grefcount ref_count;
  QvirtConnection *conn;
  char *name;
  char *uuid;
};

static QvirtDomain *
domain_new (QvirtConnection *conn, const char *name, const char *uuid)
{
  QvirtDomain *domain = g_new0 (QvirtDomain, 1);

  g_ref_count_init (&domain->ref_count);
  domain->conn = qvirt_connection_ref (conn);
  domain->name = g_strdup (name);
  domain->uuid = g_strdup (uuid);
  return domain;
}

QvirtDomain *
qvirt_domain_ref (QvirtDomain *domain)
{
  g_ref_count_inc (&domain->ref_count);
  return domain;
}

void
qvirt_domain_unref (QvirtDomain *domain)
{
  if (domain == NULL || !g_ref_count_dec (&domain->ref_count))
    return;
  qvirt_connection_unref (domain->conn);
  g_free (domain->name);
  g_free (domain->uuid);
  g_free (domain);
}

const char *
qvirt_domain_get_name (QvirtDomain *domain)
{
  return domain->name;
}

const char *
qvirt_domain_get_uuid (QvirtDomain *domain)
{
  return domain->uuid;
}

void
qvirt_domain_info_free (QvirtDomainInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->uuid);
  g_free (info->state);
  g_free (info->reason);
  g_free (info);
}

static QvirtDomainInfo *
info_from_json (json_t *json)
{
  QvirtDomainInfo *info = g_new0 (QvirtDomainInfo, 1);

  info->name = g_strdup (json_string_value (json_object_get (json, "name")));
  info->uuid = g_strdup (json_string_value (json_object_get (json, "uuid")));
  info->state = g_strdup (json_string_value (json_object_get (json, "state")));
  info->reason = g_strdup (json_string_value (json_object_get (json, "reason")));
  info->persistent = json_is_true (json_object_get (json, "persistent"));
  info->autodestroy = json_is_true (json_object_get (json, "autodestroy"));
  info->pid = json_integer_value (json_object_get (json, "pid"));
  info->memory_kib = (guint64) json_integer_value (json_object_get (json, "memory-kib"));
  info->vcpus = (guint) json_integer_value (json_object_get (json, "vcpus"));
  info->cpu_time_ns = (guint64) json_integer_value (json_object_get (json, "cpu-time-ns"));
  return info;
}

static GPtrArray *
info_list_from_json (json_t *array)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) qvirt_domain_info_free);
  size_t i;
  json_t *item;

  json_array_foreach (array, i, item)
    g_ptr_array_add (list, info_from_json (item));
  return list;
}

/* getXml answers {"xml": TEXT}; qmp answers {"reply": OBJECT}. */
static char *
text_from_result (json_t *result)
{
  json_t *xml = json_object_get (result, "xml");
  char *text;
  char *copy;

  if (json_is_string (xml))
    return g_strdup (json_string_value (xml));
  text = json_dumps (json_object_get (result, "reply"), JSON_COMPACT);
  copy = g_strdup (text);
  free (text);
  return copy;
}

/* ------------------------------------------------------------------ */
/* Connection-level domain functions                                    */

QvirtDomain *
qvirt_connection_lookup_domain (QvirtConnection *conn, const char *name_or_uuid,
                                GError **error)
{
  g_autoptr(json_t) params = json_pack ("{s:s}", "name", name_or_uuid);
  g_autoptr(json_t) info = qvirt_connection_call_sync (conn, "domain.info", params,
                                                       NULL, error);

  if (info == NULL)
    return NULL;
  return domain_new (conn, json_string_value (json_object_get (info, "name")),
                     json_string_value (json_object_get (info, "uuid")));
}

QvirtDomain *
qvirt_connection_define_domain (QvirtConnection *conn, const char *xml, GError **error)
{
  g_autoptr(json_t) params = json_pack ("{s:s}", "xml", xml);
  g_autoptr(json_t) result = qvirt_connection_call_sync (conn, "domain.define", params,
                                                         NULL, error);

  if (result == NULL)
    return NULL;
  return domain_new (conn, json_string_value (json_object_get (result, "name")),
                     json_string_value (json_object_get (result, "uuid")));
}

void
qvirt_connection_create_domain_async (QvirtConnection *conn, const char *xml,
                                      QvirtStartFlags flags, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(json_t) params = json_pack ("{s:s, s:b, s:b}", "xml", xml,
                                        "paused", (flags & QVIRT_START_PAUSED) != 0,
                                        "autodestroy", (flags & QVIRT_START_AUTODESTROY) != 0);

  qvirt_connection_call_async (conn, "domain.create", params, cancellable, callback,
                               user_data);
}

QvirtDomain *
qvirt_connection_create_domain_finish (QvirtConnection *conn, GAsyncResult *result,
                                       GError **error)
{
  return qvirt_connection_domain_finish (conn, result, error);
}

/* define, create and info all answer with the domain's name and UUID. */
QvirtDomain *
qvirt_connection_domain_finish (QvirtConnection *conn, GAsyncResult *result, GError **error)
{
  g_autoptr(json_t) reply = qvirt_connection_call_finish (conn, result, error);

  if (reply == NULL)
    return NULL;
  return domain_new (conn, json_string_value (json_object_get (reply, "name")),
                     json_string_value (json_object_get (reply, "uuid")));
}

void
qvirt_connection_lookup_domain_async (QvirtConnection *conn, const char *name_or_uuid,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(json_t) params = json_pack ("{s:s}", "name", name_or_uuid);

  qvirt_connection_call_async (conn, "domain.info", params, cancellable, callback,
                               user_data);
}

void
qvirt_connection_define_domain_async (QvirtConnection *conn, const char *xml,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(json_t) params = json_pack ("{s:s}", "xml", xml);

  qvirt_connection_call_async (conn, "domain.define", params, cancellable, callback,
                               user_data);
}

QvirtDomain *
qvirt_connection_create_domain_sync (QvirtConnection *conn, const char *xml,
                                     QvirtStartFlags flags, GCancellable *cancellable,
                                     GError **error)
{
  g_autoptr(json_t) params = json_pack ("{s:s, s:b, s:b}", "xml", xml,
                                        "paused", (flags & QVIRT_START_PAUSED) != 0,
                                        "autodestroy", (flags & QVIRT_START_AUTODESTROY) != 0);
  g_autoptr(json_t) reply = qvirt_connection_call_sync (conn, "domain.create", params,
                                                        cancellable, error);

  if (reply == NULL)
    return NULL;
  return domain_new (conn, json_string_value (json_object_get (reply, "name")),
                     json_string_value (json_object_get (reply, "uuid")));
}

GPtrArray *
qvirt_connection_list_domains (QvirtConnection *conn, gboolean active, gboolean inactive,
                               GError **error)
{
  g_autoptr(json_t) params = json_pack ("{s:b, s:b}", "active", active,
                                        "inactive", inactive);
  g_autoptr(json_t) result = qvirt_connection_call_sync (conn, "domain.list", params,
                                                         NULL, error);

  return result ? info_list_from_json (result) : NULL;
}

void
qvirt_connection_list_domains_async (QvirtConnection *conn, gboolean active,
                                     gboolean inactive, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(json_t) params = json_pack ("{s:b, s:b}", "active", active,
                                        "inactive", inactive);

  qvirt_connection_call_async (conn, "domain.list", params, cancellable, callback,
                               user_data);
}

GPtrArray *
qvirt_connection_list_domains_finish (QvirtConnection *conn, GAsyncResult *result,
                                      GError **error)
{
  g_autoptr(json_t) reply = qvirt_connection_call_finish (conn, result, error);

  return reply ? info_list_from_json (reply) : NULL;
}

/* ------------------------------------------------------------------ */
/* Queries on a domain                                                  */

static json_t *
name_params (QvirtDomain *domain)
{
  return json_pack ("{s:s}", "name", domain->name);
}

QvirtDomainInfo *
qvirt_domain_get_info (QvirtDomain *domain, GError **error)
{
  g_autoptr(json_t) params = name_params (domain);
  g_autoptr(json_t) result = qvirt_connection_call_sync (domain->conn, "domain.info",
                                                         params, NULL, error);

  return result ? info_from_json (result) : NULL;
}

char *
qvirt_domain_get_xml (QvirtDomain *domain, gboolean inactive, GError **error)
{
  g_autoptr(json_t) params = json_pack ("{s:s, s:b}", "name", domain->name,
                                        "inactive", inactive);
  g_autoptr(json_t) result = qvirt_connection_call_sync (domain->conn, "domain.getXml",
                                                         params, NULL, error);

  return result ? g_strdup (json_string_value (json_object_get (result, "xml"))) : NULL;
}

gboolean
qvirt_domain_undefine (QvirtDomain *domain, GError **error)
{
  g_autoptr(json_t) params = name_params (domain);
  g_autoptr(json_t) result = qvirt_connection_call_sync (domain->conn, "domain.undefine",
                                                         params, NULL, error);

  return result != NULL;
}

char *
qvirt_domain_qmp (QvirtDomain *domain, const char *command, GCancellable *cancellable,
                  GError **error)
{
  g_autoptr(json_t) params = json_pack ("{s:s, s:s}", "name", domain->name,
                                        "command", command);
  g_autoptr(json_t) result = qvirt_connection_call_sync (domain->conn, "domain.qmp",
                                                         params, cancellable, error);

  return result ? text_from_result (result) : NULL;
}

void
qvirt_domain_get_info_async (QvirtDomain *domain, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(json_t) params = name_params (domain);

  qvirt_connection_call_async (domain->conn, "domain.info", params, cancellable, callback,
                               user_data);
}

QvirtDomainInfo *
qvirt_domain_get_info_finish (QvirtDomain *domain, GAsyncResult *result, GError **error)
{
  g_autoptr(json_t) reply = qvirt_connection_call_finish (domain->conn, result, error);

  return reply ? info_from_json (reply) : NULL;
}

void
qvirt_domain_get_xml_async (QvirtDomain *domain, gboolean inactive,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr(json_t) params = json_pack ("{s:s, s:b}", "name", domain->name,
                                        "inactive", inactive);

  qvirt_connection_call_async (domain->conn, "domain.getXml", params, cancellable,
                               callback, user_data);
}

void
qvirt_domain_qmp_async (QvirtDomain *domain, const char *command,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr(json_t) params = json_pack ("{s:s, s:s}", "name", domain->name,
                                        "command", command);

  qvirt_connection_call_async (domain->conn, "domain.qmp", params, cancellable, callback,
                               user_data);
}

char *
qvirt_domain_text_finish (QvirtDomain *domain, GAsyncResult *result, GError **error)
{
  g_autoptr(json_t) reply = qvirt_connection_call_finish (domain->conn, result, error);

  return reply ? text_from_result (reply) : NULL;
}

void
qvirt_domain_undefine_async (QvirtDomain *domain, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(json_t) params = name_params (domain);

  qvirt_connection_call_async (domain->conn, "domain.undefine", params, cancellable,
                               callback, user_data);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */

static void
call_operation_async (QvirtDomain *domain, const char *method, json_t *params,
                      GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data)
{
  qvirt_connection_call_async (domain->conn, method, params, cancellable, callback,
                               user_data);
  json_decref (params);
}

static gboolean
call_operation_sync (QvirtDomain *domain, const char *method, json_t *params,
                     GCancellable *cancellable, GError **error)
{
  g_autoptr(json_t) result = qvirt_connection_call_sync (domain->conn, method, params,
                                                         cancellable, error);

  json_decref (params);
  return result != NULL;
}

gboolean
qvirt_domain_operation_finish (QvirtDomain *domain, GAsyncResult *result, GError **error)
{
  g_autoptr(json_t) reply = qvirt_connection_call_finish (domain->conn, result, error);

  return reply != NULL;
}

static json_t *
start_params (QvirtDomain *domain, QvirtStartFlags flags)
{
  return json_pack ("{s:s, s:b, s:b}", "name", domain->name,
                    "paused", (flags & QVIRT_START_PAUSED) != 0,
                    "autodestroy", (flags & QVIRT_START_AUTODESTROY) != 0);
}

static json_t *
shutdown_params (QvirtDomain *domain, guint timeout_s)
{
  json_t *params = name_params (domain);

  if (timeout_s > 0)
    json_object_set_new (params, "timeout", json_integer (timeout_s));
  return params;
}

void
qvirt_domain_start_async (QvirtDomain *domain, QvirtStartFlags flags,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  call_operation_async (domain, "domain.start", start_params (domain, flags), cancellable,
                        callback, user_data);
}

gboolean
qvirt_domain_start (QvirtDomain *domain, QvirtStartFlags flags, GCancellable *cancellable,
                    GError **error)
{
  return call_operation_sync (domain, "domain.start", start_params (domain, flags),
                              cancellable, error);
}

void
qvirt_domain_shutdown_async (QvirtDomain *domain, guint timeout_s,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  call_operation_async (domain, "domain.shutdown", shutdown_params (domain, timeout_s),
                        cancellable, callback, user_data);
}

gboolean
qvirt_domain_shutdown (QvirtDomain *domain, guint timeout_s, GCancellable *cancellable,
                       GError **error)
{
  return call_operation_sync (domain, "domain.shutdown", shutdown_params (domain, timeout_s),
                              cancellable, error);
}

/* The operations that take only the domain's name. */
#define DEFINE_NAME_OPERATION(op, method)                                             \
  void                                                                                \
  qvirt_domain_##op##_async (QvirtDomain *domain, GCancellable *cancellable,          \
                             GAsyncReadyCallback callback, gpointer user_data)        \
  {                                                                                   \
    call_operation_async (domain, method, name_params (domain), cancellable,          \
                          callback, user_data);                                       \
  }                                                                                   \
                                                                                      \
  gboolean                                                                            \
  qvirt_domain_##op (QvirtDomain *domain, GCancellable *cancellable, GError **error)   \
  {                                                                                   \
    return call_operation_sync (domain, method, name_params (domain), cancellable,    \
                                error);                                               \
  }

DEFINE_NAME_OPERATION (destroy, "domain.destroy")
DEFINE_NAME_OPERATION (suspend, "domain.suspend")
DEFINE_NAME_OPERATION (resume, "domain.resume")
DEFINE_NAME_OPERATION (reboot, "domain.reboot")
DEFINE_NAME_OPERATION (reset, "domain.reset")

int
qvirt_domain_open_console (QvirtDomain *domain, GError **error)
{
  g_autoptr(json_t) params = NULL;

  g_return_val_if_fail (domain != NULL, -1);

  params = json_pack ("{s:s}", "name", domain->name);
  return qvirt_connection_open_stream (domain->conn, "domain.openConsole", params, error);
}
