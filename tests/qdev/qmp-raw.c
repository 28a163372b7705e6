#include "qmp-raw.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <stdlib.h>
#include <string.h>

#define READ_TIMEOUT_SECONDS 30

struct QmpRaw {
  GSocketConnection *connection;
  GDataInputStream *input;
  guint next_id;
};

/* Reads the next message that is not an event. */
static json_t *
read_message (QmpRaw *qmp, GError **error)
{
  for (;;)
    {
      g_autofree char *line = NULL;
      json_error_t json_error;
      json_t *message;

      line = g_data_input_stream_read_line_utf8 (qmp->input, NULL, NULL,
                                                 error);
      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                         "QEMU closed the monitor");
          return NULL;
        }
      message = json_loads (line, 0, &json_error);
      if (message == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "bad JSON from QEMU (%s): %s", json_error.text, line);
          return NULL;
        }
      if (json_object_get (message, "event") == NULL)
        return message;
      json_decref (message);
    }
}

QmpRaw *
qmp_raw_connect (const char *socket_path, GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address =
    g_unix_socket_address_new (socket_path);
  g_autoptr(QmpRaw) qmp = g_new0 (QmpRaw, 1);
  g_autoptr(json_t) greeting = NULL;
  g_autoptr(json_t) reply = NULL;

  qmp->connection = g_socket_client_connect (client,
                                             G_SOCKET_CONNECTABLE (address),
                                             NULL, error);
  if (qmp->connection == NULL)
    return NULL;
  g_socket_set_timeout (g_socket_connection_get_socket (qmp->connection),
                        READ_TIMEOUT_SECONDS);
  qmp->input = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (qmp->connection)));

  greeting = read_message (qmp, error);
  if (greeting == NULL)
    return NULL;
  if (json_object_get (greeting, "QMP") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "no QMP greeting");
      return NULL;
    }
  reply = qmp_raw_execute (qmp, "qmp_capabilities", NULL, error);
  if (reply == NULL)
    return NULL;
  return g_steal_pointer (&qmp);
}

json_t *
qmp_raw_execute (QmpRaw *qmp, const char *command, json_t *arguments,
                 GError **error)
{
  g_autoptr(json_t) request = json_pack ("{s:s, s:I}", "execute", command,
                                         "id", (json_int_t) ++qmp->next_id);
  GOutputStream *output =
    g_io_stream_get_output_stream (G_IO_STREAM (qmp->connection));
  char *text;
  gboolean written;

  if (arguments != NULL)
    json_object_set (request, "arguments", arguments);
  text = json_dumps (request, JSON_COMPACT);
  written = g_output_stream_write_all (output, text, strlen (text), NULL,
                                       NULL, error) &&
            g_output_stream_write_all (output, "\n", 1, NULL, NULL, error);
  free (text);
  if (!written)
    return NULL;

  for (;;)
    {
      g_autoptr(json_t) reply = read_message (qmp, error);
      json_t *value;

      if (reply == NULL)
        return NULL;
      if (json_integer_value (json_object_get (reply, "id")) !=
          (json_int_t) qmp->next_id)
        continue;
      value = json_object_get (reply, "return");
      if (value != NULL)
        return json_incref (value);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", command,
                   json_string_value (json_object_get (
                     json_object_get (reply, "error"), "desc")));
      return NULL;
    }
}

void
qmp_raw_free (QmpRaw *qmp)
{
  if (qmp == NULL)
    return;
  g_clear_object (&qmp->input);
  g_clear_object (&qmp->connection);
  g_free (qmp);
}
