#include "util/proc.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Splits /proc/PID/stat after the command name, which may itself hold
 * spaces and parentheses: everything after the LAST ')' is fields 3... */
static gboolean
read_stat_fields (pid_t pid, char ***fields, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *after_comm;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  after_comm = strrchr (contents, ')');
  if (after_comm == NULL || after_comm[1] != ' ')
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "cannot parse %s", path);
      return FALSE;
    }
  *fields = g_strsplit (after_comm + 2, " ", -1);
  return TRUE;
}

/* Field numbers as in proc(5), counted from 1; fields[0] is field 3. */
static gboolean
get_stat_field (char **fields, guint field, guint64 *value)
{
  if (g_strv_length (fields) < field - 2)
    return FALSE;
  return g_ascii_string_to_unsigned (fields[field - 3], 10, 0, G_MAXUINT64,
                                     value, NULL);
}

gboolean
qvirt_proc_get_start_time (pid_t pid, guint64 *start_time, GError **error)
{
  g_auto(GStrv) fields = NULL;

  if (!read_stat_fields (pid, &fields, error))
    return FALSE;
  if (!get_stat_field (fields, 22, start_time))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "cannot read the start time of process %d", (int) pid);
      return FALSE;
    }
  return TRUE;
}

gboolean
qvirt_proc_is_same_process (pid_t pid, guint64 start_time)
{
  g_auto(GStrv) fields = NULL;
  guint64 actual;

  if (pid <= 0 || !read_stat_fields (pid, &fields, NULL) || fields[0] == NULL)
    return FALSE;
  /* A zombie (exited, not yet reaped by its new parent) is gone for us. */
  if (fields[0][0] == 'Z' || fields[0][0] == 'X')
    return FALSE;
  return get_stat_field (fields, 22, &actual) && actual == start_time;
}

/* utime + stime from /proc/PID/stat: always there while the pid is, but
 * it costs an open, several reads and the kernel formatting some fifty
 * fields, and it counts in clock ticks. */
static gboolean
get_cpu_time_from_stat (pid_t pid, guint64 *cpu_time_ns, GError **error)
{
  g_auto(GStrv) fields = NULL;
  guint64 utime, stime;
  long ticks = sysconf (_SC_CLK_TCK);

  if (!read_stat_fields (pid, &fields, error))
    return FALSE;
  if (!get_stat_field (fields, 14, &utime) || !get_stat_field (fields, 15, &stime) ||
      ticks <= 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "cannot read the CPU time of process %d", (int) pid);
      return FALSE;
    }
  *cpu_time_ns = (utime + stime) * (G_GUINT64_CONSTANT (1000000000) / (guint64) ticks);
  return TRUE;
}

gboolean
qvirt_proc_get_cpu_time_ns (pid_t pid, guint64 *cpu_time_ns, GError **error)
{
  clockid_t cpu_clock;
  struct timespec now;

  /* The process's CPU-time clock costs two system calls and reads any
   * process of our pid namespace, not only our children (a reattached
   * QEMU is not one). Should the kernel refuse it (it may while the
   * process exits), /proc still has the totals. */
  if (pid > 0 && clock_getcpuclockid (pid, &cpu_clock) == 0 &&
      clock_gettime (cpu_clock, &now) == 0)
    {
      *cpu_time_ns = (guint64) now.tv_sec * G_GUINT64_CONSTANT (1000000000) +
                     (guint64) now.tv_nsec;
      return TRUE;
    }
  return get_cpu_time_from_stat (pid, cpu_time_ns, error);
}

/* The last number of the NSpid line of /proc/PID/status: the pid in the
 * innermost namespace of the process. */
static pid_t
innermost_pid (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;
  g_autofree char *field = NULL;
  g_auto(GStrv) numbers = NULL;
  guint count;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nNSpid:");
  if (line == NULL)
    return 0;
  line += strlen ("\nNSpid:");
  field = g_strndup (line, strcspn (line, "\n"));
  numbers = g_strsplit_set (field, " \t", -1);
  count = g_strv_length (numbers);
  for (guint i = count; i > 0; i--)
    if (numbers[i - 1][0] != '\0')
      return (pid_t) g_ascii_strtoll (numbers[i - 1], NULL, 10);
  return 0;
}

pid_t
qvirt_proc_find_child_by_inner_pid (pid_t parent, pid_t inner_pid)
{
  g_autofree char *task_path = g_strdup_printf ("/proc/%d/task", (int) parent);
  g_autoptr(GDir) tasks = g_dir_open (task_path, 0, NULL);
  const char *tid;

  if (tasks == NULL || inner_pid <= 0)
    return 0;
  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *children_path = g_build_filename (task_path, tid, "children", NULL);
      g_autofree char *children = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (children_path, &children, NULL, NULL))
        continue;
      pids = g_strsplit (g_strstrip (children), " ", -1);
      for (char **p = pids; *p != NULL; p++)
        {
          pid_t child = (pid_t) g_ascii_strtoll (*p, NULL, 10);

          if (child > 0 && innermost_pid (child) == inner_pid)
            return child;
        }
    }
  return 0;
}
