/* Facts about processes read from /proc. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/**
 * qvirt_proc_get_start_time:
 * @pid: a process id
 * @start_time: (out): the process start time, in clock ticks since boot
 *   (field 22 of /proc/PID/stat)
 * @error: return location
 *
 * The pair (pid, start time) names a process for good: a pid that was
 * reused by another process has a different start time.
 *
 * Returns: FALSE with @error set if the process does not exist.
 */
gboolean qvirt_proc_get_start_time (pid_t pid, guint64 *start_time, GError **error);

/**
 * qvirt_proc_is_same_process:
 *
 * Returns: TRUE if @pid exists, has not exited (a zombie has) and started
 *   at @start_time.
 */
gboolean qvirt_proc_is_same_process (pid_t pid, guint64 start_time);

/**
 * qvirt_proc_get_cpu_time_ns:
 * @pid: a process id; it need not be a child of the caller
 * @cpu_time_ns: (out): user + system CPU time of the whole process (all
 *   its threads, live and exited), in nanoseconds
 * @error: return location
 *
 * Cheap enough to call on every query: two system calls through the
 * process's CPU-time clock (clock_getcpuclockid()); /proc/PID/stat only
 * when the kernel refuses that clock.
 *
 * Returns: FALSE with @error set if the process does not exist.
 */
gboolean qvirt_proc_get_cpu_time_ns (pid_t pid, guint64 *cpu_time_ns, GError **error);

/**
 * qvirt_proc_find_child_by_inner_pid:
 * @parent: a process, as numbered in our pid namespace
 * @inner_pid: the pid one of its children has in the innermost pid
 *   namespace it belongs to (what that namespace's processes call it)
 *
 * Translates a child's pid from a nested pid namespace to ours, for a
 * process that told us about its child in its own numbering (a qvirt-run
 * under `unshare --pid` naming its QEMU). Reads the children lists of
 * @parent's threads and each child's NSpid.
 *
 * Returns: the child's pid in our namespace, or 0 if @parent has no such
 *   child (or the kernel lacks /proc/PID/task/TID/children).
 */
pid_t qvirt_proc_find_child_by_inner_pid (pid_t parent, pid_t inner_pid);
