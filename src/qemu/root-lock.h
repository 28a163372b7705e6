/* The lock that makes one driver instance the owner of a root.
 *
 * An flock on RUNTIME/driver.lock, which also records the holder's pid so
 * a second opener can say who holds it. The lock dies with the process
 * (or its descriptor), so a crashed owner never leaves a stale lock. */
#pragma once

#include <glib.h>

typedef struct _QvirtRootLock QvirtRootLock;

/**
 * qvirt_root_lock_acquire:
 * @lock_path: the lock file (created if missing)
 * @root_name: how to name the root in errors (its URI or directory)
 * @error: return location; G_IO_ERROR_BUSY when another instance holds
 *   it: "root '...' is in use by process 1234"
 *
 * Returns: (transfer full) (nullable): the held lock; release it with
 *   qvirt_root_lock_release().
 */
QvirtRootLock *qvirt_root_lock_acquire (const char *lock_path,
                                        const char *root_name,
                                        GError **error);

void qvirt_root_lock_release (QvirtRootLock *lock);

/**
 * qvirt_root_lock_get_holder:
 * @lock_path: the lock file
 *
 * Looks without taking the lock (a shared flock attempt, dropped at
 * once). The pid is the one the holder wrote, in its own pid namespace.
 *
 * Returns: the pid of the process holding the lock, 0 if nobody does (or
 *   there is no such file), -1 if it is held by a process that did not
 *   say who it is.
 */
GPid qvirt_root_lock_get_holder (const char *lock_path);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtRootLock, qvirt_root_lock_release)
