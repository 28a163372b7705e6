/* A complete libqmp program: connect to a QEMU monitor, print QEMU's
 * version and run state, then resume the guest and wait for QEMU's
 * RESUME event.
 *
 *   qemu-system-x86_64 -S -display none -qmp unix:/tmp/qmp.sock,server=on,wait=off &
 *   ./qmp-status /tmp/qmp.sock
 *
 * Build: cc qmp-status.c $(pkg-config --cflags --libs libqmp) -o qmp-status
 */
#include <qvirt/qmp.h>
#include <stdio.h>

typedef struct {
  QmpClient *client;
  GMainLoop *loop;
  gboolean resumed;
} Example;

static void
on_resume (QmpClient *client, const char *name, json_t *data,
           gint64 timestamp_us, gpointer user_data)
{
  Example *example = user_data;

  printf ("event %s at %" G_GINT64_FORMAT " us\n", name, timestamp_us);
  example->resumed = TRUE;
  g_main_loop_quit (example->loop);
}

static void
on_cont_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Example *example = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = qmp_client_execute_finish (example->client, result, &error);

  if (reply == NULL)
    {
      fprintf (stderr, "cont failed: %s\n", error->message);
      g_main_loop_quit (example->loop);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QmpClient) client = NULL;
  g_autoptr(json_t) status = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Example example = { 0 };
  int major, minor, micro;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s QMP-SOCKET\n", argv[0]);
      return 2;
    }

  /* Connect, read the greeting and negotiate capabilities. */
  client = qmp_client_connect_sync (argv[1], QMP_CLIENT_FLAGS_NONE, NULL, &error);
  if (client == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  qmp_client_set_default_timeout (client, 5000);
  qmp_client_get_version (client, &major, &minor, &micro);
  printf ("QEMU %d.%d.%d\n", major, minor, micro);

  /* A synchronous command: its "return" value is ours to release. */
  status = qmp_client_execute_sync (client, "query-status", NULL, NULL, &error);
  if (status == NULL)
    {
      fprintf (stderr, "query-status: %s (%s)\n", error->message,
               qmp_error_get_class (error) ? qmp_error_get_class (error) : "-");
      return 1;
    }
  printf ("status: %s\n", json_string_value (json_object_get (status, "status")));

  /* Asynchronous: subscribe first, then resume and wait for the event. */
  loop = g_main_loop_new (NULL, FALSE);
  example.loop = loop;
  example.client = client;
  qmp_client_subscribe (client, "RESUME", on_resume, &example, NULL);
  qmp_client_execute_async (client, "cont", NULL, NULL, on_cont_done, &example);
  g_main_loop_run (loop);

  return example.resumed ? 0 : 1;
}
