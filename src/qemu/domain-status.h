/* The status file of a running domain.
 *
 * Written atomically (temp file, rename; no fsync, see
 * qvirt_file_replace_atomic()) whenever the runtime
 * state changes, so a driver that opens the root later — after a crash
 * of its host process, say — finds every running QEMU and can reattach:
 * the pid with its start time (a reused pid has another start time), the
 * monitor socket, and the live definition. */
#pragma once

#include <glib.h>

typedef struct {
  char *name;
  char *uuid;
  GPid pid;
  guint64 start_time;      /* /proc/PID/stat field 22 */
  char *monitor_path;
  char *console_path;      /* NULL when the domain has no console socket */
  char *live_xml;          /* the running definition */
  gboolean autodestroy;
  gboolean paused;         /* last known run state */
  char *paused_reason;     /* with paused: "user", "starting", ... */
  gint64 started_at;       /* wall clock, µs since the epoch */
} QvirtDomainStatus;

/**
 * qvirt_domain_status_save:
 *
 * Writes @status to @path atomically (not durably), mode 0600.
 *
 * Returns: FALSE with @error set on I/O failure.
 */
gboolean qvirt_domain_status_save (const QvirtDomainStatus *status,
                                   const char *path,
                                   GError **error);

/**
 * qvirt_domain_status_load:
 *
 * Returns: (transfer full) (nullable): the status, or NULL with @error
 *   set when @path cannot be read or is not a valid status file.
 */
QvirtDomainStatus *qvirt_domain_status_load (const char *path, GError **error);

void qvirt_domain_status_free (QvirtDomainStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtDomainStatus, qvirt_domain_status_free)
