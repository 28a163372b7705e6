/* Character devices. QEMU 7.2 has no JSON syntax for -chardev, and QMP's
 * chardev-add nests the same settings differently, so one QdevChardev
 * description yields both: a flat object written key=value on the
 * command line, and the chardev-add arguments. */
#include "qdev/qdev-private.h"

static const char *const backend_names[] = {
  [QDEV_CHARDEV_NULL] = "null",
  [QDEV_CHARDEV_PTY] = "pty",
  [QDEV_CHARDEV_FILE] = "file",
  [QDEV_CHARDEV_SOCKET] = "socket",
  [QDEV_CHARDEV_STDIO] = "stdio",
};

static gboolean
refuse_field (const QdevChardev *chardev, const char *field, GError **error)
{
  g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
               "chardev \"%s\": \"%s\" does not apply to a %s backend",
               chardev->id, field, backend_names[chardev->backend]);
  return FALSE;
}

/* One check for both forms, so they can never disagree on what is
 * valid. */
static gboolean
check_chardev (const QdevChardev *chardev, GError **error)
{
  gboolean is_file = chardev->backend == QDEV_CHARDEV_FILE;
  gboolean is_socket = chardev->backend == QDEV_CHARDEV_SOCKET;

  if (!qdev_check_id ("chardev id", chardev->id, error))
    return FALSE;
  if (chardev->path != NULL && !is_file && !is_socket)
    return refuse_field (chardev, "path", error);
  if (chardev->fd != NULL && !is_socket)
    return refuse_field (chardev, "fd", error);
  if (chardev->server && !is_socket)
    return refuse_field (chardev, "server", error);
  if (chardev->append && !is_file)
    return refuse_field (chardev, "append", error);
  if (chardev->wait && !chardev->server)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "chardev \"%s\": \"wait\" only applies to a socket "
                   "server", chardev->id);
      return FALSE;
    }
  if (is_file && chardev->path == NULL)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "chardev \"%s\": a file backend needs a path",
                   chardev->id);
      return FALSE;
    }
  if (is_socket && (chardev->path == NULL) == (chardev->fd == NULL))
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "chardev \"%s\": a socket backend needs either a path "
                   "or an fd", chardev->id);
      return FALSE;
    }
  return (chardev->path == NULL ||
          qdev_check_nonempty_string ("chardev path", chardev->path,
                                      error)) &&
         (chardev->fd == NULL ||
          qdev_check_nonempty_string ("chardev fd", chardev->fd, error)) &&
         (chardev->logfile == NULL ||
          qdev_check_nonempty_string ("chardev logfile", chardev->logfile,
                                      error));
}

json_t *
qdev_chardev_option_new (const QdevChardev *chardev, GError **error)
{
  g_autoptr(json_t) props = json_object ();

  g_return_val_if_fail (chardev != NULL, NULL);
  g_return_val_if_fail ((guint) chardev->backend <
                        G_N_ELEMENTS (backend_names), NULL);
  g_return_val_if_fail (chardev->id != NULL, NULL);

  if (!check_chardev (chardev, error))
    return NULL;

  json_object_set_new (props, "backend",
                       json_string (backend_names[chardev->backend]));
  json_object_set_new (props, "id", json_string (chardev->id));
  if (chardev->path != NULL)
    json_object_set_new (props, "path", json_string (chardev->path));
  if (chardev->fd != NULL)
    json_object_set_new (props, "fd", json_string (chardev->fd));
  if (chardev->backend == QDEV_CHARDEV_SOCKET)
    {
      qdev_set_bool (props, "server", chardev->server);
      if (chardev->server)
        qdev_set_bool (props, "wait", chardev->wait);
    }
  if (chardev->append)
    qdev_set_bool (props, "append", TRUE);
  if (chardev->logfile != NULL)
    json_object_set_new (props, "logfile", json_string (chardev->logfile));
  return g_steal_pointer (&props);
}

/* chardev-add's socket address: {"type":"unix","data":{"path":...}} or
 * {"type":"fd","data":{"str":...}}. */
static json_t *
socket_address_new (const QdevChardev *chardev)
{
  if (chardev->path != NULL)
    return json_pack ("{s:s, s:{s:s}}", "type", "unix",
                      "data", "path", chardev->path);
  return json_pack ("{s:s, s:{s:s}}", "type", "fd", "data", "str",
                    chardev->fd);
}

json_t *
qdev_chardev_qmp_new (const QdevChardev *chardev, GError **error)
{
  json_t *data;

  g_return_val_if_fail (chardev != NULL, NULL);
  g_return_val_if_fail ((guint) chardev->backend <
                        G_N_ELEMENTS (backend_names), NULL);
  g_return_val_if_fail (chardev->id != NULL, NULL);

  if (!check_chardev (chardev, error))
    return NULL;

  data = json_object ();
  switch (chardev->backend)
    {
    case QDEV_CHARDEV_FILE:
      json_object_set_new (data, "out", json_string (chardev->path));
      if (chardev->append)
        qdev_set_bool (data, "append", TRUE);
      break;
    case QDEV_CHARDEV_SOCKET:
      json_object_set_new (data, "addr", socket_address_new (chardev));
      qdev_set_bool (data, "server", chardev->server);
      if (chardev->server)
        qdev_set_bool (data, "wait", chardev->wait);
      break;
    case QDEV_CHARDEV_NULL:
    case QDEV_CHARDEV_PTY:
    case QDEV_CHARDEV_STDIO:
      break;
    }
  if (chardev->logfile != NULL)
    json_object_set_new (data, "logfile", json_string (chardev->logfile));

  return json_pack ("{s:s, s:{s:s, s:o}}", "id", chardev->id,
                    "backend", "type", backend_names[chardev->backend],
                    "data", data);
}
