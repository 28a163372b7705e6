/* qvirt-qmp --events: print QEMU's events as they come.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tools/qmp-tool.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

typedef struct {
  QmpTool *tool;
  GMainLoop *loop;
  int status;
} Follower;

static void
on_event (QmpClient *client,
          const char *name,
          json_t *data,
          gint64 timestamp_us,
          gpointer user_data)
{
  Follower *follower = user_data;

  qmp_tool_print_event (follower->tool, name, data, timestamp_us);
}

/* Interrupting is how a follower is meant to end: a success. */
static gboolean
on_stop_signal (gpointer user_data)
{
  Follower *follower = user_data;

  g_main_loop_quit (follower->loop);
  return G_SOURCE_CONTINUE;
}

/* QEMU going away (quit, guest shutdown) ends the stream of events
 * normally; anything else is a failure. */
static void
on_closed (QmpClient *client, const GError *reason, gpointer user_data)
{
  Follower *follower = user_data;

  if (!g_error_matches (reason, QMP_ERROR, QMP_ERROR_CLOSED))
    {
      qmp_tool_print_error (NULL, reason);
      follower->status = QMP_TOOL_EXIT_CONNECTION;
    }
  g_main_loop_quit (follower->loop);
}

/* A misspelt name would make us wait forever for an event that cannot
 * come, so names are checked against this QEMU's schema. */
static gboolean
check_event_names (QmpTool *tool, const char * const *names, GError **error)
{
  g_autoptr(QmpSchema) schema = NULL;

  if (tool->schema)
    schema = qmp_schema_ref (tool->schema);
  else
    schema = qmp_client_get_schema_sync (tool->client, NULL, error);
  if (schema == NULL)
    {
      g_prefix_error (error, "cannot read the QMP schema to check event names: ");
      return FALSE;
    }
  for (const char * const *name = names; *name; name++)
    if (!qmp_schema_has_event (schema, *name))
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "this QEMU has no event '%s' (event names are upper case, "
                     "like STOP)", *name);
        return FALSE;
      }
  return TRUE;
}

static GArray *
subscribe (Follower *follower, const char * const *names)
{
  GArray *subscriptions = g_array_new (FALSE, FALSE, sizeof (guint));
  QmpClient *client = follower->tool->client;
  guint id;

  if (names == NULL || names[0] == NULL)
    {
      id = qmp_client_subscribe (client, NULL, on_event, follower, NULL);
      g_array_append_val (subscriptions, id);
    }
  for (const char * const *name = names; name && *name; name++)
    {
      id = qmp_client_subscribe (client, *name, on_event, follower, NULL);
      g_array_append_val (subscriptions, id);
    }
  return subscriptions;
}

static void
unsubscribe (Follower *follower, GArray *subscriptions)
{
  for (guint i = 0; i < subscriptions->len; i++)
    qmp_client_unsubscribe (follower->tool->client,
                            g_array_index (subscriptions, guint, i));
  g_array_unref (subscriptions);
}

int
qmp_tool_follow_events (QmpTool *tool, const char * const *names)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Follower follower = { .tool = tool, .loop = loop, .status = QMP_TOOL_EXIT_OK };
  GArray *subscriptions;
  guint sigint_source;
  guint sigterm_source;

  if (names && names[0] && !check_event_names (tool, names, &error))
    {
      qmp_tool_print_error (NULL, error);
      return qmp_tool_exit_status_for_error (error);
    }

  subscriptions = subscribe (&follower, names);
  qmp_client_set_closed_handler (tool->client, on_closed, &follower, NULL);
  sigint_source = g_unix_signal_add (SIGINT, on_stop_signal, &follower);
  sigterm_source = g_unix_signal_add (SIGTERM, on_stop_signal, &follower);
  if (tool->options.verbose)
    fprintf (stderr, "qvirt-qmp: waiting for events\n");

  g_main_loop_run (loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  qmp_client_set_closed_handler (tool->client, NULL, NULL, NULL);
  unsubscribe (&follower, subscriptions);
  return follower.status;
}
