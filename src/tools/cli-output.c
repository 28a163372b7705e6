/* Tables, fields, event lines and JSON of the domain commands
 * (cli-output.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cli-output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Spaces between the columns of a table. */
#define COLUMN_GAP 3

const char *
qvirt_cli_state_label (const char *state)
{
  if (state == NULL)
    return "unknown";
  if (g_str_equal (state, "shutoff"))
    return "shut off";
  return state;
}

static char *
pid_text (const QvirtDomainInfo *info)
{
  return info->pid > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, info->pid)
                       : g_strdup ("-");
}

void
qvirt_cli_print_domain_table (GPtrArray *domains)
{
  int pid_width = strlen ("PID");
  int name_width = strlen ("Name");
  int state_width = strlen ("State");
  g_autofree char *rule = NULL;

  for (guint i = 0; i < domains->len; i++)
    {
      const QvirtDomainInfo *info = g_ptr_array_index (domains, i);
      g_autofree char *pid = pid_text (info);

      pid_width = MAX (pid_width, (int) strlen (pid));
      name_width = MAX (name_width, (int) g_utf8_strlen (info->name, -1));
      state_width = MAX (state_width,
                         (int) strlen (qvirt_cli_state_label (info->state)));
    }

  printf (" %-*s%*s%-*s%*s%s\n", pid_width, "PID", COLUMN_GAP, "",
          name_width, "Name", COLUMN_GAP, "", "State");
  rule = g_strnfill (1 + pid_width + COLUMN_GAP + name_width + COLUMN_GAP
                     + state_width + 1, '-');
  printf ("%s\n", rule);

  for (guint i = 0; i < domains->len; i++)
    {
      const QvirtDomainInfo *info = g_ptr_array_index (domains, i);
      g_autofree char *pid = pid_text (info);
      /* printf pads bytes, not characters: pad names by hand. */
      int name_padding = name_width - (int) g_utf8_strlen (info->name, -1);

      printf (" %-*s%*s%s%*s%*s%s\n", pid_width, pid, COLUMN_GAP, "",
              info->name, name_padding, "", COLUMN_GAP, "",
              qvirt_cli_state_label (info->state));
    }
}

static void
print_field (const char *label, const char *value)
{
  g_autofree char *with_colon = g_strconcat (label, ":", NULL);

  printf ("%-15s %s\n", with_colon, value);
}

void
qvirt_cli_print_domain_info (const QvirtDomainInfo *info)
{
  g_autofree char *state = g_strdup_printf ("%s (%s)",
                                            qvirt_cli_state_label (info->state),
                                            info->reason ? info->reason : "unknown");
  g_autofree char *pid = pid_text (info);
  g_autofree char *memory = g_strdup_printf ("%" G_GUINT64_FORMAT " KiB",
                                             info->memory_kib);
  g_autofree char *vcpus = g_strdup_printf ("%u", info->vcpus);
  g_autofree char *cpu_time = g_strdup_printf ("%.1fs",
                                               (double) info->cpu_time_ns / 1e9);

  print_field ("Name", info->name);
  print_field ("UUID", info->uuid);
  print_field ("State", state);
  print_field ("PID", pid);
  print_field ("Persistent", info->persistent ? "yes" : "no");
  print_field ("Autodestroy", info->autodestroy ? "yes" : "no");
  print_field ("Max memory", memory);
  print_field ("vCPUs", vcpus);
  print_field ("CPU time", cpu_time);
}

static char *
dump_json (json_t *value, size_t flags)
{
  char *text = json_dumps (value, flags | JSON_ENCODE_ANY);
  char *copy = g_strdup (text != NULL ? text : "null");

  free (text);
  return copy;
}

void
qvirt_cli_print_json (json_t *value)
{
  g_autofree char *text = dump_json (value, JSON_INDENT (2) | JSON_PRESERVE_ORDER);

  printf ("%s\n", text);
}

/* 2024-05-31T14:02:07.123+02:00: one word, so lines split on spaces. */
static char *
format_timestamp (gint64 timestamp_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (timestamp_us
                                                               / G_USEC_PER_SEC);
  g_autofree char *seconds = NULL;
  g_autofree char *zone = NULL;

  if (time == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, timestamp_us);
  seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  zone = g_date_time_format (time, "%:z");
  return g_strdup_printf ("%s.%03d%s", seconds,
                          (int) (timestamp_us % G_USEC_PER_SEC / 1000), zone);
}

static char *
format_event_json (const QvirtEvent *event)
{
  g_autoptr(json_t) object = json_object ();

  json_object_set_new (object, "domain", json_string (event->domain));
  json_object_set_new (object, "uuid", json_string (event->uuid));
  json_object_set_new (object, "kind", json_string (event->kind));
  json_object_set_new (object, "event", json_string (event->event));
  if (event->detail != NULL)
    json_object_set_new (object, "detail", json_string (event->detail));
  if (event->data != NULL)
    json_object_set (object, "data", event->data);
  json_object_set_new (object, "timestamp", json_integer (event->timestamp_us));
  return dump_json (object, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

char *
qvirt_cli_format_event (const QvirtEvent *event, gboolean json)
{
  g_autofree char *time = NULL;
  g_autofree char *detail = NULL;

  if (json)
    return format_event_json (event);

  time = format_timestamp (event->timestamp_us);
  if (event->detail != NULL)
    detail = g_strdup (event->detail);
  else if (event->data != NULL && json_object_size (event->data) > 0)
    detail = dump_json (event->data, JSON_COMPACT | JSON_PRESERVE_ORDER);

  if (detail != NULL)
    return g_strdup_printf ("%s %s %s %s", time, event->domain, event->event, detail);
  return g_strdup_printf ("%s %s %s", time, event->domain, event->event);
}
