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
