/* Internal to the QEMU driver: the driver and domain objects shared by
 * driver.c (definitions, lookup, events, reattach), domain-start.c (the
 * start sequence), domain-stop.c (shutdown, destroy, process exit) and
 * domain-control.c (pause, resume, reboot, reset, QMP passthrough). */
#pragma once

#include "conf/domain.h"
#include "qemu/console.h"
#include "qemu/driver.h"
#include "qemu/paths.h"
#include "qemu/process.h"
#include "qemu/root-lock.h"
#include "qvirt/qmp.h"

typedef struct _QvirtDomainObj QvirtDomainObj;

struct _QvirtDomainObj {
  grefcount ref_count;          /* async callbacks hold references */
  QvirtDriver *driver;          /* NULL once removed from the driver: a
                                   callback that finds NULL does nothing */
  char *name;
  char *uuid;
  DomainDef *persistent_def;    /* NULL for a transient domain */

  /* Runtime; live_def != NULL exactly while QEMU runs (or starts). */
  DomainDef *live_def;
  char *live_xml;
  QvirtDomainState state;
  char *reason;
  gboolean autodestroy;
  GPid pid;
  guint64 start_time;           /* /proc start time, against pid reuse */
  gint64 started_at;
  QvirtProcessWatch *watch;
  QmpClient *monitor;
  char *monitor_path;
  char *console_path;           /* where QEMU serves the console socket */
  gboolean has_console;         /* this run has one (qemu_command_console_serial) */
  QvirtConsole *console;        /* its readers, while there are any */
  char *status_path;
  char *stop_reason_path;       /* persistent domains: why the last run ended */
  char *log_path;

  GTask *start_task;            /* while starting */
  GError *start_error;          /* why the start failed, until QEMU is gone */
  goffset log_offset;           /* where this run's log output begins */
  GPtrArray *exit_waiters;      /* GTask*: shutdown/destroy waiting for exit */
  const char *stop_reason;      /* detail of "stopped" when QEMU exits */
  GSource *kill_timer;          /* destroy: SIGKILL after the grace period */
  gboolean reboot_requested;    /* ACPI reboot: reset on the guest's poweroff */
  gboolean guest_powered_off;   /* SHUTDOWN seen: the STOP that follows is
                                   not a user's pause */
};

typedef struct {
  char *name;
  char *uuid;
  char *holder;                 /* for messages: "qvirt-run (pid 42)" */
} QvirtReservation;

typedef struct {
  guint id;
  QvirtDriverEventFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} QvirtDriverSubscription;

struct _QvirtDriver {
  GMainContext *context;
  QvirtPaths *paths;
  QvirtRootLock *lock;
  char *qemu_binary;
  guint shutdown_grace_ms;
  guint monitor_timeout_ms;
  GHashTable *domains;          /* name -> QvirtDomainObj, owned */
  GHashTable *reservations;     /* name -> QvirtReservation: names and UUIDs
                                   others run (qvirt-run shims) */
  GPtrArray *subscriptions;     /* QvirtDriverSubscription* */
  guint next_subscription_id;
};

/* driver.c */
QvirtDomainObj *qvirt_domain_obj_ref (QvirtDomainObj *dom);
void qvirt_domain_obj_unref (QvirtDomainObj *dom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtDomainObj, qvirt_domain_obj_unref)

QvirtDomainObj *qvirt_driver_find (QvirtDriver *driver, const char *name_or_uuid);
QvirtDomainObj *qvirt_driver_find_or_error (QvirtDriver *driver, const char *name_or_uuid,
                                            GError **error);
void qvirt_driver_emit (QvirtDriver *driver, QvirtDomainObj *dom, const char *event,
                        const char *detail, json_t *qmp_data, gint64 timestamp_us);
void qvirt_driver_remove_domain (QvirtDriver *driver, QvirtDomainObj *dom);
DomainDef *qvirt_driver_load_definition (const char *xml, GError **error);
char *qvirt_driver_format_definition (const DomainDef *def);

/* domain-start.c */
void qvirt_domain_obj_start (QvirtDomainObj *dom, QvirtDriverStartFlags flags, GTask *task);
void qvirt_domain_obj_attach_monitor (QvirtDomainObj *dom, int fd);

/* domain-stop.c */
void qvirt_domain_obj_on_process_exit (GPid pid, int wait_status, gpointer user_data);
void qvirt_domain_obj_on_qmp_event (QmpClient *client, const char *name, json_t *data,
                                gint64 timestamp_us, gpointer user_data);
void qvirt_domain_obj_kill_now (QvirtDomainObj *dom);
void qvirt_domain_obj_catch_up (QvirtDomainObj *dom, const char *run_state);
void qvirt_domain_obj_drop_runtime_files (QvirtDomainObj *dom);
void qvirt_domain_obj_set_state (QvirtDomainObj *dom, QvirtDomainState state, const char *reason);
gboolean qvirt_domain_obj_save_status (QvirtDomainObj *dom, GError **error);
gboolean qvirt_domain_obj_is_active (QvirtDomainObj *dom);
char *qvirt_domain_obj_read_log_tail (QvirtDomainObj *dom);
