/* The QEMU driver: the domains of one root, their lifecycle, state and
 * events.
 *
 * A driver instance owns one root (locked against other instances) and
 * runs on the GMainContext that was thread-default when it was opened:
 * every callback runs there and every function must be called from the
 * thread that runs it. Operations that wait on QEMU are asynchronous
 * (GAsyncReadyCallback + _finish); nothing blocks the context for long.
 * There is no global state: any number of instances may live in one
 * process, each with its own root.
 *
 * Errors are in the QVIRT_ERROR domain (include/qvirt/error.h).
 */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "qvirt/error.h"
#include "util/json-autoptr.h"

G_BEGIN_DECLS

typedef struct _QvirtDriver QvirtDriver;

/* Domain states and their reasons, spelled as the protocol spells them
 * (see qvirt_domain_state_to_string()). */
typedef enum {
  QVIRT_DOMAIN_STATE_SHUTOFF,
  QVIRT_DOMAIN_STATE_RUNNING,
  QVIRT_DOMAIN_STATE_PAUSED,
  QVIRT_DOMAIN_STATE_CRASHED,     /* guest panicked, kept for inspection */
} QvirtDomainState;

const char *qvirt_domain_state_to_string (QvirtDomainState state);

typedef struct {
  char *name;
  char *uuid;
  QvirtDomainState state;
  char *reason;          /* "booted", "user", "shutdown", "destroyed", ... */
  gboolean persistent;
  gboolean autodestroy;
  GPid pid;              /* 0 when shut off */
  guint64 memory_kib;
  guint vcpus;
  guint64 cpu_time_ns;   /* 0 when shut off */
} QvirtDriverDomainInfo;

void qvirt_driver_domain_info_free (QvirtDriverDomainInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtDriverDomainInfo, qvirt_driver_domain_info_free)

typedef struct {
  const char *qemu_binary;       /* NULL: qemu-system-x86_64 from PATH */
  guint shutdown_grace_ms;       /* destroy: SIGTERM → SIGKILL; 0 = 5000 */
  guint monitor_timeout_ms;      /* QMP commands; 0 = 30000 */
} QvirtDriverOptions;

/**
 * qvirt_driver_open:
 * @uri: qemu:///embed?root=DIR, qemu:///session or qemu:///system
 * @options: (nullable): tuning; NULL for defaults
 * @error: return location
 *
 * Creates the root's directories, takes its lock (QVIRT_ERROR_BUSY naming
 * the holder pid if another instance has it), loads the persistent
 * definitions and reattaches to domains still running from an earlier
 * instance (their status files), whose monitors reconnect in the
 * background.
 *
 * Returns: (transfer full) (nullable): the driver, or NULL with @error.
 */
QvirtDriver *qvirt_driver_open (const char *uri,
                                const QvirtDriverOptions *options,
                                GError **error);

/**
 * qvirt_driver_close:
 *
 * Destroys the autodestroy domains, disconnects from the others (they
 * keep running for the next instance to reattach), releases the root and
 * frees the driver. Pending operations fail with QVIRT_ERROR_CLOSED.
 */
void qvirt_driver_close (QvirtDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtDriver, qvirt_driver_close)

/** Returns: TRUE if @a and @b are the same UUID, in any letter case, with
 * or without dashes. */
gboolean qvirt_uuid_equal (const char *a, const char *b);

/** Returns: (transfer none): the canonical URI of the driver's root. */
const char *qvirt_driver_get_uri (QvirtDriver *driver);
/** Returns: (transfer none): the root's runtime directory (sockets, status). */
const char *qvirt_driver_get_runtime_dir (QvirtDriver *driver);
/** Returns: the context the driver runs on. */
GMainContext *qvirt_driver_get_context (QvirtDriver *driver);

/* ------------------------------------------------------------------ */
/* Definitions (synchronous: they never wait on QEMU)                   */

/**
 * qvirt_driver_define:
 * @xml: a domain XML document
 * @name_out: (out) (optional) (transfer full): the domain's name
 *
 * Saves a persistent definition (ROOT/etc/domains/NAME.xml). Redefining a
 * domain with the same name and UUID replaces its inactive definition.
 * Errors: INVALID_XML, UNSUPPORTED, NEEDS_OTHER_DRIVER, ALREADY_EXISTS
 * (same name, other UUID, or the reverse).
 */
gboolean qvirt_driver_define (QvirtDriver *driver, const char *xml,
                              char **name_out, GError **error);

/**
 * qvirt_driver_undefine:
 *
 * Removes the persistent definition; a running domain goes on as a
 * transient one. Errors: NO_DOMAIN, INVALID_STATE (not persistent).
 */
gboolean qvirt_driver_undefine (QvirtDriver *driver, const char *name, GError **error);

/**
 * qvirt_driver_list:
 * @active: include running (and paused) domains
 * @inactive: include defined, shut off domains
 *
 * Returns: (transfer full): QvirtDriverDomainInfo* sorted by name.
 */
GPtrArray *qvirt_driver_list (QvirtDriver *driver, gboolean active, gboolean inactive);

/**
 * qvirt_driver_get_info:
 * @name: a domain name or UUID
 *
 * Returns: (transfer full) (nullable): the domain's info, NULL with
 *   QVIRT_ERROR_NO_DOMAIN.
 */
QvirtDriverDomainInfo *qvirt_driver_get_info (QvirtDriver *driver, const char *name, GError **error);

/**
 * qvirt_driver_get_xml:
 * @inactive: the persistent definition rather than the live one
 *
 * Returns: (transfer full) (nullable): the canonical XML.
 */
char *qvirt_driver_get_xml (QvirtDriver *driver, const char *name,
                            gboolean inactive, GError **error);

/* ------------------------------------------------------------------ */
/* Lifecycle (asynchronous)                                             */

typedef enum {
  QVIRT_DRIVER_START_NONE = 0,
  QVIRT_DRIVER_START_PAUSED = 1 << 0,       /* leave the vCPUs stopped */
  QVIRT_DRIVER_START_AUTODESTROY = 1 << 1,  /* dies with the driver's owner */
} QvirtDriverStartFlags;

/**
 * qvirt_driver_start_async:
 * @name: a defined domain's name or UUID
 *
 * Spawns QEMU with -S and the monitor on an inherited socket, negotiates
 * QMP, then resumes the vCPUs (unless QVIRT_DRIVER_START_PAUSED). A failure
 * (QVIRT_ERROR_QEMU_FAILED with the log's tail) leaves nothing behind.
 */
void qvirt_driver_start_async (QvirtDriver *driver, const char *name, QvirtDriverStartFlags flags,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean qvirt_driver_start_finish (QvirtDriver *driver, GAsyncResult *result, GError **error);

/**
 * qvirt_driver_create_async:
 * @xml: a domain XML document
 *
 * Starts a transient domain (not saved; gone once it stops).
 * The result holds the domain's name (qvirt_driver_create_finish()).
 */
void qvirt_driver_create_async (QvirtDriver *driver, const char *xml, QvirtDriverStartFlags flags,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
/** Returns: (transfer full) (nullable): the created domain's name. */
char *qvirt_driver_create_finish (QvirtDriver *driver, GAsyncResult *result, GError **error);

/**
 * qvirt_driver_shutdown_async:
 * @timeout_ms: how long to wait for the guest to power off; 0 = 60000
 *
 * Asks the guest to power off (ACPI power button) and waits until QEMU is
 * gone. QVIRT_ERROR_TIMEOUT if the guest did not stop in time (it keeps
 * running).
 */
void qvirt_driver_shutdown_async (QvirtDriver *driver, const char *name, guint timeout_ms,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);

/**
 * qvirt_driver_destroy_async:
 *
 * Stops QEMU now: SIGTERM, then SIGKILL after the grace period; completes
 * when the process is gone.
 */
void qvirt_driver_destroy_async (QvirtDriver *driver, const char *name,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);

/* Pause, resume, guest reboot (ACPI) and hard reset; complete when QEMU
 * acknowledged. */
void qvirt_driver_suspend_async (QvirtDriver *driver, const char *name,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
void qvirt_driver_resume_async (QvirtDriver *driver, const char *name,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
void qvirt_driver_reboot_async (QvirtDriver *driver, const char *name,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
void qvirt_driver_reset_async (QvirtDriver *driver, const char *name,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);

/** The _finish of shutdown, destroy, suspend, resume, reboot and reset. */
gboolean qvirt_driver_operation_finish (QvirtDriver *driver, GAsyncResult *result,
                                        GError **error);

/**
 * qvirt_driver_qmp_async:
 * @json_text: a QMP command as JSON text
 *
 * Passthrough on the driver's own monitor connection, so any number of
 * callers share the one connection QEMU allows.
 */
void qvirt_driver_qmp_async (QvirtDriver *driver, const char *name, const char *json_text,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
/** Returns: (transfer full) (nullable): QEMU's reply as JSON text. */
char *qvirt_driver_qmp_finish (QvirtDriver *driver, GAsyncResult *result, GError **error);

/* ------------------------------------------------------------------ */
/* Names held by others                                                 */

/**
 * qvirt_driver_reserve:
 * @name: a domain name
 * @uuid: its UUID
 * @holder: who runs it, for messages ("qvirt-run (pid 42)")
 * @error: QVIRT_ERROR_ALREADY_EXISTS when a domain or another
 *   reservation has the name or the UUID; QVIRT_ERROR_INVALID_ARGUMENT
 *   for a bad name or UUID
 *
 * Keeps @name and @uuid for a domain someone else runs (a qvirt-run shim
 * registered with the daemon): define and create refuse them until
 * qvirt_driver_release().
 */
gboolean qvirt_driver_reserve (QvirtDriver *driver, const char *name, const char *uuid,
                               const char *holder, GError **error);
void qvirt_driver_release (QvirtDriver *driver, const char *name);

/**
 * qvirt_driver_mark_starting_elsewhere:
 * @starting: TRUE while a shim starts the persistent domain @name; FALSE
 *   when that failed
 *
 * Shows the definition as "paused (starting)" meanwhile, so that it is
 * not started twice; then "shut off (failed)" if the start failed. Does
 * nothing for a domain the driver runs itself or does not know.
 */
void qvirt_driver_mark_starting_elsewhere (QvirtDriver *driver, const char *name,
                                           gboolean starting);

/**
 * qvirt_driver_check_new_domain:
 * @name: (out): the domain's name
 * @uuid: (out): its UUID (a new one when @xml has none)
 *
 * What create checks before it starts anything: the XML, and that no
 * domain or reservation has its name or UUID.
 *
 * Returns: (transfer full) (nullable): the definition as the driver would
 *   run it (defaults filled, a UUID given), or NULL with the error create
 *   would report.
 */
char *qvirt_driver_check_new_domain (QvirtDriver *driver, const char *xml, char **name,
                                     char **uuid, GError **error);

/* ------------------------------------------------------------------ */
/* The serial console                                                   */

/**
 * qvirt_driver_check_console:
 *
 * Whether the domain's console can be opened now: it runs, and its
 * definition has a serial port on a pty (qemu_command_console_serial()),
 * which the driver serves as a socket.
 *
 * Returns: TRUE if so; otherwise FALSE with QVIRT_ERROR_NO_DOMAIN,
 *   QVIRT_ERROR_INVALID_STATE (not running) or QVIRT_ERROR_UNSUPPORTED
 *   (no such serial port; the message says what to add).
 */
gboolean qvirt_driver_check_console (QvirtDriver *driver, const char *name, GError **error);

/**
 * qvirt_driver_attach_console:
 * @fd: a connected stream socket; the driver owns it from now on (and
 *   closes it on error too)
 *
 * Joins @fd to the domain's serial console: what the guest writes is
 * copied to it, what it writes goes to the guest, alongside any other
 * readers. It sees end-of-file when the domain stops.
 *
 * Returns: TRUE on success; the errors of qvirt_driver_check_console(),
 *   or QVIRT_ERROR_CLOSED when QEMU's console socket cannot be reached.
 */
gboolean qvirt_driver_attach_console (QvirtDriver *driver, const char *name, int fd,
                                      GError **error);

/* ------------------------------------------------------------------ */
/* Events                                                               */

/**
 * QvirtDriverEvent:
 * @domain: the domain's name
 * @uuid: its UUID
 * @event: a lifecycle event or, when @qmp_data is set, the name of a QMP
 *   event of the domain. Lifecycle events and their details:
 *     defined, undefined           (no detail)
 *     started    booted | paused   (paused: started with QVIRT_DRIVER_START_PAUSED)
 *     suspended  user | shutdown   (shutdown: the guest powered off, on_poweroff=preserve)
 *     resumed    unpaused
 *     rebooted   guest | crashed   (crashed: on_crash=restart)
 *     crashed    panicked          (on_crash=preserve)
 *     stopped    shutdown | destroyed | crashed | failed
 *   "stopped"/"failed" ends a start that failed after QEMU was spawned.
 * @detail: (nullable): see above; NULL for QMP events
 * @qmp_data: (nullable): a QMP event's data
 * @timestamp_us: when, µs since the epoch (QEMU's own timestamp for QMP
 *   events)
 */
typedef struct {
  const char *domain;
  const char *uuid;
  const char *event;
  const char *detail;
  json_t *qmp_data;
  gint64 timestamp_us;
} QvirtDriverEvent;

typedef void (*QvirtDriverEventFunc) (QvirtDriver *driver, const QvirtDriverEvent *event,
                                      gpointer user_data);

/** Returns: a subscription id for qvirt_driver_unsubscribe(). */
guint qvirt_driver_subscribe (QvirtDriver *driver, QvirtDriverEventFunc func,
                              gpointer user_data, GDestroyNotify destroy);
void qvirt_driver_unsubscribe (QvirtDriver *driver, guint id);

/**
 * qvirt_driver_emit_external:
 *
 * Delivers @event, about a reserved domain, to the driver's subscribers
 * as if it were one of its own; events about names not reserved are
 * dropped.
 */
void qvirt_driver_emit_external (QvirtDriver *driver, const QvirtDriverEvent *event);

G_END_DECLS
