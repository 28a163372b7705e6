/* libqvirt: run QEMU virtual machines from C.
 *
 * A QvirtConnection talks to one qvirt driver. With
 * `qemu:///embed?root=DIR` the driver runs inside your process: QEMU is
 * your child, all state lives under DIR, and there is no daemon. Any
 * number of connections (each with its own root) may be open in one
 * process.
 *
 * Threads and contexts. By default a connection runs on the GMainContext
 * that is thread-default when it is opened: async callbacks and events
 * are delivered there, and the connection must be used from that thread;
 * the *_sync functions iterate that context while they wait. An
 * application without a main loop passes QVIRT_CONNECTION_FLAGS_OWN_THREAD:
 * the library then runs the driver in a thread it owns, sync functions
 * block the calling thread (any thread), async callbacks are delivered to
 * the context that was thread-default when the call was made, and event
 * callbacks run in the library's thread (make them thread-safe; a
 * blocking call made from one fails with QVIRT_ERROR_INVALID_STATE, since
 * it would wait on that very thread: use the _async forms there).
 * QEMUs started with autodestroy die with that thread, i.e. with the
 * connection.
 *
 * Every operation goes through the same method table as the protocol
 * (docs/protocol.md): qvirt_connection_call_async() reaches any method by
 * name, and the domain functions below are typed wrappers of it.
 *
 * Errors are GErrors in the QVIRT_ERROR domain (<qvirt/error.h>).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <jansson.h>
#include <qvirt/error.h>

G_BEGIN_DECLS

#ifndef QVIRT_JSON_AUTOPTR_DEFINED
#define QVIRT_JSON_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)
#endif

typedef struct _QvirtConnection QvirtConnection;
typedef struct _QvirtDomain QvirtDomain;

/**
 * QvirtConnectionFlags:
 * @QVIRT_CONNECTION_FLAGS_NONE: run on the caller's thread-default context
 * @QVIRT_CONNECTION_FLAGS_OWN_THREAD: run the driver in a thread the
 *   library owns (for applications without a main loop)
 * @QVIRT_CONNECTION_FLAGS_READ_ONLY: refuse every operation that changes
 *   something (QVIRT_ERROR_ACCESS_DENIED)
 */
typedef enum {
  QVIRT_CONNECTION_FLAGS_NONE = 0,
  QVIRT_CONNECTION_FLAGS_OWN_THREAD = 1 << 0,
  QVIRT_CONNECTION_FLAGS_READ_ONLY = 1 << 1,
} QvirtConnectionFlags;

/**
 * qvirt_connection_open:
 * @uri: `qemu:///embed?root=/ABSOLUTE/DIR[&socket=/PATH]` runs the driver
 *   in this process (and with socket=, serves it there: see
 *   qvirt_connection_serve()); `qemu:///session` and `qemu:///system`
 *   reach the session or system qvirtd on its socket (its read-only one
 *   with QVIRT_CONNECTION_FLAGS_READ_ONLY); `qemu+unix:///?socket=/PATH`
 *   reaches any server of the protocol: a qvirtd, an application serving
 *   its embedded instance, a qvirt-run shim
 * @flags: see QvirtConnectionFlags
 * @error: return location: QVIRT_ERROR_INVALID_ARGUMENT for a bad URI,
 *   QVIRT_ERROR_BUSY when another process holds the root (the message
 *   names its pid), QVIRT_ERROR_CLOSED when no server listens on the
 *   socket, QVIRT_ERROR_ACCESS_DENIED when its permissions keep us out
 *
 * Embedded: opens the root; persistent domains are loaded and domains
 * still running from an earlier process are reattached. Remote: connects
 * and exchanges server.hello; the connection is asynchronous (any number
 * of calls in flight, events as they happen).
 *
 * Returns: (transfer full) (nullable): the connection; end it with
 *   qvirt_connection_close().
 */
QvirtConnection *qvirt_connection_open (const char *uri,
                                        QvirtConnectionFlags flags,
                                        GError **error);

/**
 * qvirt_connection_close:
 *
 * Closes the connection and drops the caller's reference: domains started
 * with autodestroy are destroyed, the others keep running (the next
 * connection to the root reattaches them). Calls still pending fail with
 * QVIRT_ERROR_CLOSED; so does any later call through a QvirtDomain of
 * this connection.
 */
void qvirt_connection_close (QvirtConnection *conn);

QvirtConnection *qvirt_connection_ref (QvirtConnection *conn);
void qvirt_connection_unref (QvirtConnection *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtConnection, qvirt_connection_unref)

/**
 * qvirt_connection_get_uri:
 *
 * Returns: (transfer none): the canonical URI of the root of an embedded
 *   connection; the URI it was opened with for a remote one.
 */
const char *qvirt_connection_get_uri (QvirtConnection *conn);

/**
 * QvirtConnectionClosedFunc:
 * @reason: why (QVIRT_ERROR_CLOSED: the server went away or the
 *   connection broke; QVIRT_ERROR_PROTOCOL: the server broke the protocol)
 *
 * A remote connection lost its server. Every call that was in flight has
 * failed with QVIRT_ERROR_CLOSED before this runs, and every later call
 * fails the same way; the application may close the connection here.
 * Runs where event callbacks run (see "Threads and contexts").
 */
typedef void (*QvirtConnectionClosedFunc) (QvirtConnection *conn, const GError *reason,
                                           gpointer user_data);

/**
 * qvirt_connection_set_closed_func:
 * @func: (nullable): the handler; NULL to remove it
 * @destroy: (nullable): frees @user_data when the handler is replaced or
 *   the connection freed
 *
 * Sets what runs when the server goes away. Embedded connections never
 * lose their driver, so it never runs for them.
 */
void qvirt_connection_set_closed_func (QvirtConnection *conn, QvirtConnectionClosedFunc func,
                                       gpointer user_data, GDestroyNotify destroy);

/**
 * qvirt_connection_serve:
 * @socket_path: where to create the socket (mode 0600, replaced if it
 *   exists, removed when the connection closes)
 * @error: return location: QVIRT_ERROR_UNSUPPORTED for a remote
 *   connection, QVIRT_ERROR_INTERNAL when the socket cannot be created
 *
 * Serves this embedded instance on a UNIX socket, with the protocol of
 * docs/protocol.md, so that tools can look inside it while the
 * application runs: `qvirt -c qemu+unix:///?socket=PATH list`. The same
 * as `&socket=PATH` in the URI. Clients get read-write sessions: give the
 * socket the permissions of the application itself. Clients' calls run on
 * the connection's context, like the application's own.
 *
 * Returns: TRUE on success.
 */
gboolean qvirt_connection_serve (QvirtConnection *conn, const char *socket_path,
                                 GError **error);

/* ------------------------------------------------------------------ */
/* Any method, by name                                                  */

/**
 * qvirt_connection_call_async:
 * @method: a method of docs/protocol.md, e.g. "domain.list"
 * @params: (nullable) (transfer none): its params, a JSON object
 *
 * Calls a method; the result is a JSON value (see docs/protocol.md).
 */
void qvirt_connection_call_async (QvirtConnection *conn, const char *method, json_t *params,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
/** Returns: (transfer full) (nullable): the result, or NULL with @error. */
json_t *qvirt_connection_call_finish (QvirtConnection *conn, GAsyncResult *result,
                                      GError **error);
json_t *qvirt_connection_call_sync (QvirtConnection *conn, const char *method,
                                    json_t *params, GCancellable *cancellable,
                                    GError **error);

/* ------------------------------------------------------------------ */
/* Domains                                                              */

/*
 * Every operation below has a blocking form and an asynchronous one
 * (_async + _finish, callback on the caller's context). The blocking
 * forms are listed first.
 */

/**
 * qvirt_connection_lookup_domain:
 * @name_or_uuid: a domain's name or UUID
 *
 * Returns: (transfer full) (nullable): a handle, or NULL with
 *   QVIRT_ERROR_NO_DOMAIN.
 */
QvirtDomain *qvirt_connection_lookup_domain (QvirtConnection *conn, const char *name_or_uuid,
                                             GError **error);

/**
 * qvirt_connection_define_domain:
 * @xml: a domain XML document (docs/domain-xml.md)
 *
 * Saves a persistent definition. Returns: (transfer full) (nullable):
 * the domain, or NULL with QVIRT_ERROR_INVALID_XML, _UNSUPPORTED,
 * _NEEDS_OTHER_DRIVER or _ALREADY_EXISTS.
 */
QvirtDomain *qvirt_connection_define_domain (QvirtConnection *conn, const char *xml,
                                             GError **error);

/**
 * QvirtStartFlags:
 * @QVIRT_START_NONE: start and run
 * @QVIRT_START_PAUSED: leave the vCPUs stopped (resume later)
 * @QVIRT_START_AUTODESTROY: destroy the domain when this connection
 *   closes or this process dies
 */
typedef enum {
  QVIRT_START_NONE = 0,
  QVIRT_START_PAUSED = 1 << 0,
  QVIRT_START_AUTODESTROY = 1 << 1,
} QvirtStartFlags;

/** Starts a transient domain from @xml (gone once it stops). */
void qvirt_connection_create_domain_async (QvirtConnection *conn, const char *xml,
                                           QvirtStartFlags flags, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
/** Returns: (transfer full) (nullable): the running domain (same as
 * qvirt_connection_domain_finish()). */
QvirtDomain *qvirt_connection_create_domain_finish (QvirtConnection *conn,
                                                    GAsyncResult *result, GError **error);
QvirtDomain *qvirt_connection_create_domain_sync (QvirtConnection *conn, const char *xml,
                                                  QvirtStartFlags flags,
                                                  GCancellable *cancellable, GError **error);

/**
 * QvirtDomainInfo:
 * @name, @uuid: identity
 * @state: "shutoff", "running", "paused" or "crashed"
 * @reason: why ("booted", "user", "shutdown", "destroyed", "crashed",
 *   "failed", ...)
 * @persistent: has a saved definition
 * @autodestroy: dies with the connection that started it
 * @pid: QEMU's pid, 0 when shut off
 * @memory_kib, @vcpus: from the definition
 * @cpu_time_ns: CPU time used by QEMU
 */
typedef struct {
  char *name;
  char *uuid;
  char *state;
  char *reason;
  gboolean persistent;
  gboolean autodestroy;
  gint64 pid;
  guint64 memory_kib;
  guint vcpus;
  guint64 cpu_time_ns;
} QvirtDomainInfo;

void qvirt_domain_info_free (QvirtDomainInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtDomainInfo, qvirt_domain_info_free)

/**
 * qvirt_connection_list_domains:
 * @active: include running and paused domains
 * @inactive: include defined, shut off ones
 *
 * Returns: (transfer full) (nullable): QvirtDomainInfo*, sorted by name.
 */
GPtrArray *qvirt_connection_list_domains (QvirtConnection *conn, gboolean active,
                                          gboolean inactive, GError **error);

void qvirt_connection_lookup_domain_async (QvirtConnection *conn, const char *name_or_uuid,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
/** The _finish of lookup_domain, define_domain and create_domain. */
QvirtDomain *qvirt_connection_domain_finish (QvirtConnection *conn, GAsyncResult *result,
                                             GError **error);
void qvirt_connection_define_domain_async (QvirtConnection *conn, const char *xml,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
void qvirt_connection_list_domains_async (QvirtConnection *conn, gboolean active,
                                          gboolean inactive, GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
/** Returns: (transfer full) (nullable): QvirtDomainInfo*, sorted by name. */
GPtrArray *qvirt_connection_list_domains_finish (QvirtConnection *conn,
                                                 GAsyncResult *result, GError **error);

QvirtDomain *qvirt_domain_ref (QvirtDomain *domain);
void qvirt_domain_unref (QvirtDomain *domain);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtDomain, qvirt_domain_unref)

/** Returns: (transfer none): the domain's name / UUID. */
const char *qvirt_domain_get_name (QvirtDomain *domain);
const char *qvirt_domain_get_uuid (QvirtDomain *domain);

/** Returns: (transfer full) (nullable): the domain's current info. */
QvirtDomainInfo *qvirt_domain_get_info (QvirtDomain *domain, GError **error);

/**
 * qvirt_domain_get_xml:
 * @inactive: the saved definition instead of the running one
 *
 * Returns: (transfer full) (nullable): canonical domain XML.
 */
char *qvirt_domain_get_xml (QvirtDomain *domain, gboolean inactive, GError **error);

/** Removes the saved definition (a running domain goes on, transient). */
gboolean qvirt_domain_undefine (QvirtDomain *domain, GError **error);

void qvirt_domain_get_info_async (QvirtDomain *domain, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
QvirtDomainInfo *qvirt_domain_get_info_finish (QvirtDomain *domain, GAsyncResult *result,
                                               GError **error);
void qvirt_domain_get_xml_async (QvirtDomain *domain, gboolean inactive,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
/** Returns: (transfer full) (nullable): the XML (get_xml) or QEMU's reply
 * (qmp) as text. */
char *qvirt_domain_text_finish (QvirtDomain *domain, GAsyncResult *result, GError **error);
/** Completes with qvirt_domain_operation_finish(). */
void qvirt_domain_undefine_async (QvirtDomain *domain, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);

/*
 * Lifecycle: each operation has _async, and _sync; all share
 * qvirt_domain_operation_finish().
 *
 *   start     spawn QEMU and run the guest (QVIRT_ERROR_QEMU_FAILED with
 *             the tail of QEMU's log on failure, leaving nothing behind)
 *   shutdown  ACPI power button, then wait up to @timeout_s seconds (0:
 *             60) for QEMU to be gone; QVIRT_ERROR_TIMEOUT otherwise
 *   destroy   SIGTERM, SIGKILL after a grace period; done when QEMU is gone
 *   suspend / resume   pause and resume the vCPUs
 *   reboot    ACPI reboot (the guest powers off, is reset and boots)
 *   reset     hard reset
 */
void qvirt_domain_start_async (QvirtDomain *domain, QvirtStartFlags flags,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
void qvirt_domain_shutdown_async (QvirtDomain *domain, guint timeout_s,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
void qvirt_domain_destroy_async (QvirtDomain *domain, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
void qvirt_domain_suspend_async (QvirtDomain *domain, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
void qvirt_domain_resume_async (QvirtDomain *domain, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
void qvirt_domain_reboot_async (QvirtDomain *domain, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
void qvirt_domain_reset_async (QvirtDomain *domain, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);

/** Returns: TRUE if the operation succeeded, FALSE with @error. */
gboolean qvirt_domain_operation_finish (QvirtDomain *domain, GAsyncResult *result,
                                        GError **error);

gboolean qvirt_domain_start (QvirtDomain *domain, QvirtStartFlags flags,
                             GCancellable *cancellable, GError **error);
gboolean qvirt_domain_shutdown (QvirtDomain *domain, guint timeout_s,
                                GCancellable *cancellable, GError **error);
gboolean qvirt_domain_destroy (QvirtDomain *domain, GCancellable *cancellable,
                               GError **error);
gboolean qvirt_domain_suspend (QvirtDomain *domain, GCancellable *cancellable,
                               GError **error);
gboolean qvirt_domain_resume (QvirtDomain *domain, GCancellable *cancellable,
                              GError **error);
gboolean qvirt_domain_reboot (QvirtDomain *domain, GCancellable *cancellable,
                              GError **error);
gboolean qvirt_domain_reset (QvirtDomain *domain, GCancellable *cancellable,
                             GError **error);

/**
 * qvirt_domain_open_console:
 * @error: return location: QVIRT_ERROR_INVALID_STATE when the domain is
 *   not running, QVIRT_ERROR_UNSUPPORTED when it has no
 *   `<serial type='pty'>`, QVIRT_ERROR_ACCESS_DENIED on a read-only
 *   connection
 *
 * Joins the domain's serial console: the returned socket carries the raw
 * bytes both ways (what the guest writes, what you write to it). Any
 * number of consoles may be open on one domain; each sees the whole
 * output. Close it to leave; it reads end-of-file when the domain stops.
 * Blocks until the console is open. On an embedded connection the
 * console's bytes are moved by the connection's context (same-thread
 * mode: keep iterating it while you use the console).
 *
 * Returns: a connected stream socket, blocking, close-on-exec, owned by
 *   the caller; -1 with @error.
 */
int qvirt_domain_open_console (QvirtDomain *domain, GError **error);

/**
 * qvirt_domain_qmp:
 * @command: a QMP command as JSON text (`{"execute": "query-status"}`),
 *   or a bare command name (`query-status`), sent on the driver's own
 *   monitor connection
 *
 * Returns: (transfer full) (nullable): QEMU's reply as JSON text (a QMP
 *   error reply is a success here: the text holds "error").
 */
char *qvirt_domain_qmp (QvirtDomain *domain, const char *command,
                        GCancellable *cancellable, GError **error);
/** Completes with qvirt_domain_text_finish(). */
void qvirt_domain_qmp_async (QvirtDomain *domain, const char *command,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);

/* ------------------------------------------------------------------ */
/* Events                                                               */

/**
 * QvirtEvent:
 * @domain, @uuid: which domain
 * @kind: "lifecycle" or "qmp"
 * @event: lifecycle: "defined", "undefined", "started", "suspended",
 *   "resumed", "stopped", "rebooted", "crashed"; qmp: QEMU's event name
 * @detail: (nullable): lifecycle detail; for "stopped" one of "shutdown",
 *   "destroyed", "crashed", "failed"
 * @data: (nullable): a QMP event's data
 * @timestamp_us: when (µs since the epoch)
 */
typedef struct {
  const char *domain;
  const char *uuid;
  const char *kind;
  const char *event;
  const char *detail;
  json_t *data;
  gint64 timestamp_us;
} QvirtEvent;

typedef void (*QvirtEventFunc) (QvirtConnection *conn, const QvirtEvent *event,
                                gpointer user_data);

/**
 * qvirt_connection_subscribe_events:
 * @domain: (nullable): a domain name or UUID, NULL for all domains
 * @func: called for each event (see the threading note at the top)
 *
 * Returns: a subscription id (> 0), or 0 with @error set.
 */
guint qvirt_connection_subscribe_events (QvirtConnection *conn, const char *domain,
                                         QvirtEventFunc func, gpointer user_data,
                                         GDestroyNotify destroy, GError **error);
void qvirt_connection_unsubscribe_events (QvirtConnection *conn, guint subscription);

G_END_DECLS
