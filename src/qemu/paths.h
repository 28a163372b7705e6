/* Where a driver instance keeps its files.
 *
 * One struct computes every path from the connection URI; nothing else in
 * qvirt hard-codes a path (DESIGN.md, "Roots and files"):
 *
 *   mode     config (domains/)            runtime          logs                    cache
 *   embed    ROOT/etc                     ROOT/run         ROOT/log                ROOT/cache
 *   session  $XDG_CONFIG_HOME/qvirt       $XDG_RUNTIME_DIR/qvirt  $XDG_STATE_HOME/qvirt/log  $XDG_CACHE_HOME/qvirt
 *   system   /etc/qvirt                   /run/qvirt       /var/log/qvirt          /var/cache/qvirt
 */
#pragma once

#include <glib.h>

typedef enum {
  QVIRT_PATHS_EMBED,
  QVIRT_PATHS_SESSION,
  QVIRT_PATHS_SYSTEM,
} QvirtPathsMode;

typedef struct {
  QvirtPathsMode mode;
  char *uri;          /* canonical driver URI, e.g. qemu:///embed?root=/x */
  char *root;         /* embed: the root; NULL otherwise */
  char *config_dir;
  char *domains_dir;  /* persistent definitions: config_dir/domains */
  char *runtime_dir;  /* status files, sockets, the lock */
  char *log_dir;
  char *cache_dir;
  char *lock_path;
} QvirtPaths;

/**
 * qvirt_paths_new_for_uri:
 * @uri: `qemu:///embed?root=DIR` (DIR absolute), `qemu:///session` or
 *   `qemu:///system`
 * @error: return location (G_IO_ERROR_INVALID_ARGUMENT naming what is
 *   wrong with the URI)
 *
 * Only computes paths; creates nothing (see qvirt_paths_ensure_dirs()).
 *
 * Returns: (transfer full) (nullable): the paths, or NULL with @error.
 */
QvirtPaths *qvirt_paths_new_for_uri (const char *uri, GError **error);

/**
 * qvirt_paths_ensure_dirs:
 *
 * Creates the directories (mode 0700 for embed and session; for system,
 * 0755 for config and runtime (the read-only socket lives there) and 0700
 * for log and cache).
 *
 * Returns: FALSE with @error set if one cannot be created.
 */
gboolean qvirt_paths_ensure_dirs (const QvirtPaths *paths, GError **error);

/* The daemon's sockets in the runtime directory: every client (libqvirt's
 * qemu:///session and qemu:///system, qvirtd itself) finds them here. */
#define QVIRT_PATHS_SOCKET_NAME "qvirt.sock"
#define QVIRT_PATHS_READ_ONLY_SOCKET_NAME "qvirt-ro.sock"

/** Returns: (transfer full): the daemon's read-write or read-only socket. */
char *qvirt_paths_daemon_socket (const QvirtPaths *paths, gboolean read_only);

/* Per-domain files. NAME must be a validated domain name (no '/'). */
char *qvirt_paths_domain_config (const QvirtPaths *paths, const char *name);
char *qvirt_paths_domain_status (const QvirtPaths *paths, const char *name);
/* Why a persistent domain last stopped: RUNTIME/NAME.stopped. */
char *qvirt_paths_domain_stop_reason (const QvirtPaths *paths, const char *name);
char *qvirt_paths_domain_monitor (const QvirtPaths *paths, const char *name);
char *qvirt_paths_domain_console (const QvirtPaths *paths, const char *name);
char *qvirt_paths_domain_log (const QvirtPaths *paths, const char *name);

void qvirt_paths_free (QvirtPaths *paths);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtPaths, qvirt_paths_free)
