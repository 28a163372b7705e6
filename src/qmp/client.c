/* QmpClient: one connection to one QEMU monitor.
 *
 * The connection is a non-blocking UNIX stream socket watched by fd
 * sources on the client's GMainContext. Outgoing messages are queued and
 * written as the socket accepts them; incoming bytes go through a
 * QmpStream, and each complete message is either the greeting, a reply
 * (matched to its pending command by the numeric id the library put in
 * it) or an event (handed to subscribers).
 *
 * A command that is cancelled or times out stays in the pending table,
 * marked abandoned, so its late reply is recognised and dropped rather
 * than mistaken for a protocol error.
 */
#include "qmp/client-private.h"
#include "util/unix-socket.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* How long the handshake may take when the client has no default
 * timeout: a QEMU that never greets must not hang its caller. */
#define HANDSHAKE_FALLBACK_TIMEOUT_MS 30000

#define READ_CHUNK_SIZE 65536

static void client_close_with_error (QmpClient *client, GError *reason);
static void client_flush (QmpClient *client);

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static void
outgoing_message_free (OutgoingMessage *msg)
{
  for (guint i = 0; i < msg->n_fds; i++)
    close (msg->fds[i]);
  g_free (msg->fds);
  g_bytes_unref (msg->data);
  g_free (msg);
}

static void
destroy_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_source_unref (*source);
      *source = NULL;
    }
}

static void
pending_command_free (PendingCommand *pending)
{
  destroy_source (&pending->timeout_source);
  destroy_source (&pending->cancel_source);
  g_clear_object (&pending->task);
  if (pending->caller_id)
    json_decref (pending->caller_id);
  g_free (pending->command);
  g_free (pending);
}

static void
subscription_free (Subscription *sub)
{
  if (sub->destroy)
    sub->destroy (sub->user_data);
  g_free (sub->event);
  g_free (sub);
}

gint
qmp_client_effective_timeout (QmpClient *client, gint timeout_ms)
{
  return timeout_ms == QMP_TIMEOUT_DEFAULT ? client->default_timeout_ms
                                           : timeout_ms;
}

/* Answers the caller of a pending command. The entry stays in the table
 * (abandoned) until QEMU's reply, if any, arrives. */
static void
pending_command_fail (PendingCommand *pending, GError *error)
{
  GTask *task = g_steal_pointer (&pending->task);
  InternalReplyFunc internal_func = g_steal_pointer (&pending->internal_func);

  destroy_source (&pending->timeout_source);
  destroy_source (&pending->cancel_source);
  if (task)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (internal_func)
    internal_func (pending->client, NULL, error);
  g_error_free (error);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static gboolean
on_socket_writable (int fd, GIOCondition condition, gpointer user_data)
{
  QmpClient *client = user_data;

  client_flush (client);
  return G_SOURCE_CONTINUE;
}

static gssize
send_with_fds (int fd, const char *data, gsize len, const int *fds, guint n_fds)
{
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  g_autofree char *control = NULL;

  if (n_fds > 0)
    {
      gsize fds_size = n_fds * sizeof (int);
      struct cmsghdr *cmsg;

      control = g_malloc0 (CMSG_SPACE (fds_size));
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE (fds_size);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (fds_size);
      memcpy (CMSG_DATA (cmsg), fds, fds_size);
    }
  return sendmsg (fd, &msg, MSG_NOSIGNAL);
}

/* Writes as much queued output as the socket takes now, and watches for
 * writability only while something is left. */
static void
client_flush (QmpClient *client)
{
  OutgoingMessage *msg;

  while ((msg = g_queue_peek_head (&client->outgoing)) != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (msg->data, &len);
      gssize written = send_with_fds (client->fd, data + msg->sent,
                                      len - msg->sent, msg->fds, msg->n_fds);

      if (written < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
            break;
          if (saved_errno == EPIPE || saved_errno == ECONNRESET)
            {
              /* The peer is going (QEMU after `quit`), but replies it
               * sent before may still wait in our receive buffer: stop
               * writing and let the reader drain to EOF, which closes. */
              g_queue_clear_full (&client->outgoing,
                                  (GDestroyNotify) outgoing_message_free);
              break;
            }
          client_close_with_error (client,
            g_error_new (QMP_ERROR, QMP_ERROR_CLOSED,
                         "cannot write to the QEMU monitor: %s",
                         g_strerror (saved_errno)));
          return;
        }
      /* The fds went with the first chunk; never send them twice. */
      for (guint i = 0; i < msg->n_fds; i++)
        close (msg->fds[i]);
      g_clear_pointer (&msg->fds, g_free);
      msg->n_fds = 0;

      msg->sent += (gsize) written;
      if (msg->sent == len)
        outgoing_message_free (g_queue_pop_head (&client->outgoing));
    }

  if (g_queue_is_empty (&client->outgoing))
    destroy_source (&client->write_source);
  else if (client->write_source == NULL)
    {
      client->write_source = g_unix_fd_source_new (client->fd, G_IO_OUT);
      g_source_set_callback (client->write_source,
                             G_SOURCE_FUNC (on_socket_writable), client, NULL);
      g_source_attach (client->write_source, client->context);
    }
}

/* Queues one message (a JSON object) and tries to write it at once;
 * before the greeting, holds it for after capabilities negotiation. */
static gboolean
client_send (QmpClient *client,
             json_t *message,
             const int *fds,
             guint n_fds,
             GError **error)
{
  OutgoingMessage *msg;
  char *text;
  gsize len;

  text = json_dumps (message, JSON_COMPACT);
  if (text == NULL)
    {
      g_set_error_literal (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                           "the command cannot be encoded as JSON");
      return FALSE;
    }
  len = strlen (text);

  msg = g_new0 (OutgoingMessage, 1);
  if (n_fds > 0)
    {
      msg->fds = g_new (int, n_fds);
      for (guint i = 0; i < n_fds; i++)
        {
          msg->fds[i] = fcntl (fds[i], F_DUPFD_CLOEXEC, 0);
          if (msg->fds[i] < 0)
            {
              int saved_errno = errno;

              msg->n_fds = i;
              outgoing_message_free (msg);
              free (text);
              g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                           "cannot pass file descriptor %d: %s", fds[i],
                           g_strerror (saved_errno));
              return FALSE;
            }
          msg->n_fds = i + 1;
        }
    }
  /* One allocation for the text and its newline. */
  {
    char *framed = g_malloc (len + 1);

    memcpy (framed, text, len);
    framed[len] = '\n';
    msg->data = g_bytes_new_take (framed, len + 1);
  }
  free (text);

  if (client->state == STATE_AWAITING_GREETING)
    {
      g_queue_push_tail (&client->held, msg);
      return TRUE;
    }
  g_queue_push_tail (&client->outgoing, msg);
  if (client->write_source == NULL)
    client_flush (client);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Closing                                                             */

static gint
compare_pending_by_id (gconstpointer a, gconstpointer b)
{
  const PendingCommand *x = *(PendingCommand * const *) a;
  const PendingCommand *y = *(PendingCommand * const *) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

/* Runs the closed handler if its turn is pending (see below). */
static void
run_closed_handler (QmpClient *client)
{
  if (client->closed_reason == NULL || client->closed_notified)
    return;
  client->closed_notified = TRUE;
  destroy_source (&client->closed_idle);
  if (client->closed_func)
    client->closed_func (client, client->closed_reason, client->closed_data);
}

static gboolean
on_closed_idle (gpointer user_data)
{
  QmpClient *client = user_data;

  g_source_unref (g_steal_pointer (&client->closed_idle));
  run_closed_handler (client);
  return G_SOURCE_REMOVE;
}

static void
client_close_with_error (QmpClient *client, GError *reason)
{
  GHashTableIter iter;
  PendingCommand *pending;
  g_autoptr(GPtrArray) to_fail = g_ptr_array_new ();

  if (client->state == STATE_CLOSED)
    {
      g_error_free (reason);
      return;
    }
  client->state = STATE_CLOSED;

  /* Callbacks below may drop the last reference. */
  qmp_client_ref (client);

  destroy_source (&client->read_source);
  destroy_source (&client->write_source);
  destroy_source (&client->handshake_timeout);
  destroy_source (&client->handshake_cancel);
  g_queue_clear_full (&client->outgoing, (GDestroyNotify) outgoing_message_free);
  g_queue_clear_full (&client->held, (GDestroyNotify) outgoing_message_free);
  if (client->fd >= 0)
    {
      close (client->fd);
      client->fd = -1;
    }

  if (client->handshake_task)
    {
      GTask *task = g_steal_pointer (&client->handshake_task);

      g_task_return_error (task, g_error_copy (reason));
      g_object_unref (task);
    }

  /* Fail pending commands in id order, i.e. the order they were sent. */
  g_hash_table_iter_init (&iter, client->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &pending))
    g_ptr_array_add (to_fail, pending);
  g_hash_table_steal_all (client->pending);
  g_ptr_array_sort (to_fail, compare_pending_by_id);
  for (guint i = 0; i < to_fail->len; i++)
    {
      pending = to_fail->pdata[i];
      if (pending->task || pending->internal_func)
        pending_command_fail (pending,
                              g_error_new (QMP_ERROR, QMP_ERROR_CLOSED,
                                           "%s: %s", pending->command,
                                           reason->message));
      pending_command_free (pending);
    }

  /* GTask may defer the callbacks of the commands failed above to an
   * idle of default priority; the closed handler comes after them, from
   * a low-priority idle (or at the end of a sync call, whichever first). */
  client->closed_reason = g_steal_pointer (&reason);
  client->closed_idle = g_idle_source_new ();
  g_source_set_priority (client->closed_idle, G_PRIORITY_LOW);
  g_source_set_callback (client->closed_idle, on_closed_idle, qmp_client_ref (client),
                         (GDestroyNotify) qmp_client_unref);
  g_source_attach (client->closed_idle, client->context);

  qmp_client_unref (client);
}

void
qmp_client_close (QmpClient *client)
{
  g_return_if_fail (client != NULL);

  client_close_with_error (client,
                           g_error_new_literal (QMP_ERROR, QMP_ERROR_CLOSED,
                                                "the QMP connection was closed"));
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static void
handle_greeting (QmpClient *client, json_t *message);

static void
deliver_event (QmpClient *client, json_t *message)
{
  const char *name = json_string_value (json_object_get (message, "event"));
  json_t *data = json_object_get (message, "data");
  json_t *timestamp = json_object_get (message, "timestamp");
  g_autoptr(json_t) empty = NULL;
  gint64 timestamp_us = 0;

  if (name == NULL)
    return;
  if (!json_is_object (data))
    data = empty = json_object ();
  if (json_is_object (timestamp))
    timestamp_us =
      json_integer_value (json_object_get (timestamp, "seconds")) * G_USEC_PER_SEC +
      json_integer_value (json_object_get (timestamp, "microseconds"));

  /* Subscribers may subscribe or unsubscribe while we iterate: removal
   * only marks the entry, and new entries appended now are skipped by
   * the length taken here. */
  client->dispatch_depth++;
  for (guint i = 0, n = client->subscriptions->len; i < n; i++)
    {
      Subscription *sub = client->subscriptions->pdata[i];

      if (sub->removed || (sub->event && strcmp (sub->event, name) != 0))
        continue;
      sub->func (client, name, data, timestamp_us, sub->user_data);
    }
  client->dispatch_depth--;

  if (client->dispatch_depth == 0)
    {
      for (guint i = client->subscriptions->len; i > 0; i--)
        {
          Subscription *sub = client->subscriptions->pdata[i - 1];

          if (sub->removed)
            g_ptr_array_remove_index (client->subscriptions, i - 1);
        }
    }
}

static void
deliver_reply (QmpClient *client, json_t *message)
{
  json_t *id = json_object_get (message, "id");
  PendingCommand *pending;
  GTask *task;

  if (!json_is_integer (id))
    {
      /* QEMU answers without an id only when it could not parse what it
       * got, which our own encoder never produces. */
      g_debug ("qmp: ignoring a reply without a known id");
      return;
    }
  if (!g_hash_table_steal_extended (client->pending,
                                    &(guint64) { (guint64) json_integer_value (id) },
                                    NULL, (gpointer *) &pending))
    {
      g_debug ("qmp: ignoring a reply to unknown id %" JSON_INTEGER_FORMAT,
               json_integer_value (id));
      return;
    }

  if (pending->internal_func)
    {
      InternalReplyFunc internal_func = g_steal_pointer (&pending->internal_func);
      json_t *err = json_object_get (message, "error");
      g_autoptr(GError) error = NULL;

      if (err)
        error = qmp_error_new_command (json_string_value (json_object_get (err, "class")),
                                       json_string_value (json_object_get (err, "desc")));
      internal_func (client, json_object_get (message, "return"), error);
      pending_command_free (pending);
      return;
    }
  task = g_steal_pointer (&pending->task);
  if (task == NULL)
    {
      /* Abandoned after a timeout or cancellation. */
      pending_command_free (pending);
      return;
    }

  if (pending->raw)
    {
      g_autoptr(json_t) reply = json_deep_copy (message);

      if (pending->caller_id)
        json_object_set (reply, "id", pending->caller_id);
      else
        json_object_del (reply, "id");
      g_task_return_pointer (task, json_dumps (reply, JSON_COMPACT), free);
    }
  else if (json_object_get (message, "return"))
    {
      g_task_return_pointer (task, json_incref (json_object_get (message, "return")),
                             (GDestroyNotify) json_decref);
    }
  else
    {
      json_t *err = json_object_get (message, "error");

      g_task_return_error (task, qmp_error_new_command (
        json_string_value (json_object_get (err, "class")),
        json_string_value (json_object_get (err, "desc"))));
    }
  g_object_unref (task);
  pending_command_free (pending);
}

static gboolean
on_message (json_t *message, gpointer user_data)
{
  QmpClient *client = user_data;

  switch (client->state)
    {
    case STATE_AWAITING_GREETING:
      handle_greeting (client, message);
      break;
    case STATE_NEGOTIATING:
    case STATE_READY:
      if (json_object_get (message, "event"))
        deliver_event (client, message);
      else if (json_object_get (message, "return") || json_object_get (message, "error"))
        deliver_reply (client, message);
      else
        client_close_with_error (client,
          g_error_new_literal (QMP_ERROR, QMP_ERROR_PROTOCOL,
                               "QEMU sent a message that is neither a reply nor an event"));
      break;
    case STATE_CLOSED:
      break;
    }
  /* Stop parsing once closed: the rest of the buffer is moot. */
  return client->state != STATE_CLOSED;
}

static gboolean
on_socket_readable (int fd, GIOCondition condition, gpointer user_data)
{
  QmpClient *client = user_data;
  char buffer[READ_CHUNK_SIZE];
  g_autoptr(GError) error = NULL;
  gssize n;

  do
    n = recv (client->fd, buffer, sizeof buffer, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return G_SOURCE_CONTINUE;
      client_close_with_error (client,
        g_error_new (QMP_ERROR, QMP_ERROR_CLOSED,
                     "cannot read from the QEMU monitor: %s", g_strerror (errno)));
      return G_SOURCE_REMOVE;
    }

  if (n == 0)
    {
      if (!qmp_stream_is_idle (client->stream))
        error = g_error_new_literal (QMP_ERROR, QMP_ERROR_PROTOCOL,
                                     "the QEMU monitor closed in the middle of a message");
      else if (client->state == STATE_AWAITING_GREETING)
        error = g_error_new_literal (QMP_ERROR, QMP_ERROR_PROTOCOL,
                                     "the QEMU monitor closed without a greeting");
      else
        error = g_error_new_literal (QMP_ERROR, QMP_ERROR_CLOSED,
                                     "the QEMU monitor closed the connection");
      client_close_with_error (client, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }

  /* Deliveries below may drop the caller's last reference. */
  qmp_client_ref (client);
  if (!qmp_stream_feed (client->stream, buffer, (gsize) n, on_message, client, &error))
    client_close_with_error (client, g_steal_pointer (&error));
  {
    gboolean open = client->state != STATE_CLOSED;

    qmp_client_unref (client);
    return open ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
  }
}

/* ------------------------------------------------------------------ */
/* Construction                                                        */

QmpClient *
qmp_client_new_for_fd (int fd, QmpClientFlags flags, GError **error)
{
  QmpClient *client;
  struct stat st;
  int fd_flags;

  if (fstat (fd, &st) < 0 || !S_ISSOCK (st.st_mode))
    {
      g_set_error (error, QMP_ERROR, QMP_ERROR_FAILED,
                   "file descriptor %d is not a socket", fd);
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  fd_flags = fcntl (fd, F_GETFL);
  if (fd_flags < 0 || fcntl (fd, F_SETFL, fd_flags | O_NONBLOCK) < 0 ||
      fcntl (fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      g_set_error (error, QMP_ERROR, QMP_ERROR_FAILED,
                   "cannot make the monitor socket non-blocking: %s",
                   g_strerror (errno));
      close (fd);
      return NULL;
    }

  client = g_new0 (QmpClient, 1);
  g_ref_count_init (&client->ref_count);
  client->context = g_main_context_ref_thread_default ();
  client->flags = flags;
  client->state = STATE_AWAITING_GREETING;
  client->fd = fd;
  client->max_message_size = QMP_DEFAULT_MAX_MESSAGE_SIZE;
  client->stream = qmp_stream_new (client->max_message_size);
  g_queue_init (&client->outgoing);
  g_queue_init (&client->held);
  client->pending = g_hash_table_new (g_int64_hash, g_int64_equal);
  client->next_id = 1;
  client->default_timeout_ms = QMP_TIMEOUT_NONE;
  client->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_free);
  client->next_subscription_id = 1;
  client->schema_waiters = g_ptr_array_new ();

  client->read_source = g_unix_fd_source_new (fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (client->read_source,
                         G_SOURCE_FUNC (on_socket_readable), client, NULL);
  g_source_attach (client->read_source, client->context);
  return client;
}

/* Connects through util's helper (which reaches a path too long for
 * sun_path through its directory), reporting in libqmp's error domain. */
static int
connect_unix_socket (const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd = qvirt_unix_socket_connect (path, &local_error);

  if (fd < 0)
    g_set_error_literal (error, QMP_ERROR, QMP_ERROR_FAILED, local_error->message);
  return fd;
}

QmpClient *
qmp_client_connect_sync (const char *path,
                         QmpClientFlags flags,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr(QmpClient) client = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = connect_unix_socket (path, error);
  if (fd < 0)
    return NULL;
  client = qmp_client_new_for_fd (fd, flags, error);
  if (client == NULL)
    return NULL;
  if (!qmp_client_handshake_sync (client, cancellable, error))
    return NULL;
  return g_steal_pointer (&client);
}

QmpClient *
qmp_client_ref (QmpClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);
  g_ref_count_inc (&client->ref_count);
  return client;
}

void
qmp_client_unref (QmpClient *client)
{
  if (client == NULL || !g_ref_count_dec (&client->ref_count))
    return;

  /* Closing runs callbacks that may take and drop references again. */
  g_ref_count_init (&client->ref_count);
  qmp_client_close (client);
  /* Nobody may iterate the context again: notify now rather than from
   * the idle, whose reference would keep the client alive. */
  run_closed_handler (client);
  if (!g_ref_count_dec (&client->ref_count))
    return;

  g_hash_table_destroy (client->pending);
  qmp_stream_free (client->stream);
  g_ptr_array_free (client->subscriptions, TRUE);
  g_ptr_array_free (client->schema_waiters, TRUE);
  if (client->closed_destroy)
    client->closed_destroy (client->closed_data);
  g_clear_pointer (&client->schema, qmp_schema_unref);
  g_clear_error (&client->closed_reason);
  g_free (client->package);
  g_strfreev (client->capabilities);
  g_main_context_unref (client->context);
  g_free (client);
}

gboolean
qmp_client_is_connected (QmpClient *client)
{
  g_return_val_if_fail (client != NULL, FALSE);
  return client->state != STATE_CLOSED;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static gboolean
on_command_timeout (gpointer user_data)
{
  PendingCommand *pending = user_data;

  g_source_unref (g_steal_pointer (&pending->timeout_source));
  pending_command_fail (pending,
                        g_error_new (QMP_ERROR, QMP_ERROR_TIMEOUT,
                                     "%s: no reply from QEMU in time",
                                     pending->command));
  return G_SOURCE_REMOVE;
}

static gboolean
on_command_cancelled (GCancellable *cancellable, gpointer user_data)
{
  PendingCommand *pending = user_data;

  g_source_unref (g_steal_pointer (&pending->cancel_source));
  pending_command_fail (pending,
                        g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     "%s: cancelled", pending->command));
  return G_SOURCE_REMOVE;
}

/* Registers @task as waiting for reply @id, with its timeout and
 * cancellation watches, then sends @message. On failure @task is
 * answered with the error. */
void
qmp_client_send_command (QmpClient *client,
              GTask *task,
              InternalReplyFunc internal_func,
              const char *command,
              json_t *message,
              json_t *caller_id,
              gboolean raw,
              const int *fds,
              guint n_fds,
              gint timeout_ms,
              GCancellable *cancellable)
{
  PendingCommand *pending;
  GError *error = NULL;
  guint64 id = client->next_id++;

  if (client->state == STATE_CLOSED)
    {
      GError *closed = g_error_new (QMP_ERROR, QMP_ERROR_CLOSED,
                                    "%s: the QMP connection is closed", command);

      if (task)
        g_task_return_error (task, closed);
      else
        {
          internal_func (client, NULL, closed);
          g_error_free (closed);
        }
      return;
    }

  pending = g_new0 (PendingCommand, 1);
  /* Take the caller's id before ours replaces it in @message. */
  pending->caller_id = caller_id ? json_incref (caller_id) : NULL;
  json_object_set_new (message, "id", json_integer ((json_int_t) id));

  pending->client = client;
  pending->id = id;
  pending->command = g_strdup (command);
  pending->task = task ? g_object_ref (task) : NULL;
  pending->internal_func = internal_func;
  pending->raw = raw;

  if (timeout_ms > 0)
    {
      pending->timeout_source = g_timeout_source_new ((guint) timeout_ms);
      g_source_set_callback (pending->timeout_source, on_command_timeout, pending, NULL);
      g_source_attach (pending->timeout_source, client->context);
    }
  if (cancellable)
    {
      pending->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (pending->cancel_source,
                             G_SOURCE_FUNC (on_command_cancelled), pending, NULL);
      g_source_attach (pending->cancel_source, client->context);
    }
  g_hash_table_insert (client->pending, &pending->id, pending);

  if (!client_send (client, message, fds, n_fds, &error))
    {
      g_hash_table_remove (client->pending, &id);
      pending_command_fail (pending, error);
      pending_command_free (pending);
    }
}

json_t *
qmp_client_build_command (const char *command, json_t *arguments, QmpExecuteFlags flags)
{
  json_t *message = json_object ();

  json_object_set_new (message, (flags & QMP_EXECUTE_OOB) ? "exec-oob" : "execute",
                       json_string (command));
  if (arguments)
    json_object_set (message, "arguments", arguments);
  return message;
}

void
qmp_client_deferred_command_free (DeferredCommand *deferred)
{
  g_free (deferred->command);
  if (deferred->arguments)
    json_decref (deferred->arguments);
  for (guint i = 0; i < deferred->n_fds; i++)
    close (deferred->fds[i]);
  g_free (deferred->fds);
  g_clear_object (&deferred->cancellable);
  g_clear_object (&deferred->task);
  g_free (deferred);
}

void
qmp_client_execute_checked (QmpClient *client,
                 QmpSchema *schema,
                 GTask *task,
                 const char *command,
                 json_t *arguments,
                 const int *fds,
                 guint n_fds,
                 QmpExecuteFlags flags,
                 gint timeout_ms,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(json_t) message = NULL;

  if (schema && !qmp_schema_check_command (schema, command, arguments, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  message = qmp_client_build_command (command, arguments, flags);
  qmp_client_send_command (client, task, NULL, command, message, NULL, FALSE, fds, n_fds,
                qmp_client_effective_timeout (client, timeout_ms), cancellable);
}


void
qmp_client_execute_full_async (QmpClient *client,
                               const char *command,
                               json_t *arguments,
                               const int *fds,
                               guint n_fds,
                               QmpExecuteFlags flags,
                               gint timeout_ms,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (client != NULL);
  g_return_if_fail (command != NULL);
  g_return_if_fail (arguments == NULL || json_is_object (arguments));
  g_return_if_fail (n_fds == 0 || fds != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qmp_client_execute_full_async);
  g_task_set_task_data (task, client, NULL);
  g_task_set_check_cancellable (task, FALSE);

  if (client->state == STATE_AWAITING_GREETING && client->handshake_task == NULL)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_FAILED,
                               "%s: the QMP handshake has not started", command);
      return;
    }
  if ((flags & QMP_EXECUTE_OOB) && client->state == STATE_AWAITING_GREETING)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_FAILED,
                               "%s: out-of-band execution needs a completed handshake",
                               command);
      return;
    }
  if ((flags & QMP_EXECUTE_OOB) && !client->oob_enabled)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_FAILED,
                               "%s: out-of-band execution was not negotiated",
                               command);
      return;
    }

  if (client->check_commands && !(flags & QMP_EXECUTE_NO_CHECK) && client->schema == NULL)
    {
      DeferredCommand *deferred = g_new0 (DeferredCommand, 1);

      deferred->command = g_strdup (command);
      deferred->arguments = arguments ? json_incref (arguments) : NULL;
      deferred->fds = g_new (int, MAX (n_fds, 1));
      for (guint i = 0; i < n_fds; i++)
        deferred->fds[deferred->n_fds++] = fcntl (fds[i], F_DUPFD_CLOEXEC, 0);
      deferred->flags = flags;
      deferred->timeout_ms = timeout_ms;
      deferred->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
      deferred->task = g_object_ref (task);
      {
        SchemaWaiter *waiter = g_new0 (SchemaWaiter, 1);

        waiter->deferred = deferred;
        qmp_client_fetch_schema (client, waiter);
      }
      return;
    }

  qmp_client_execute_checked (client,
                   (client->check_commands && !(flags & QMP_EXECUTE_NO_CHECK))
                     ? client->schema : NULL,
                   task, command, arguments, fds, n_fds, flags, timeout_ms,
                   cancellable);
}

void
qmp_client_execute_async (QmpClient *client,
                          const char *command,
                          json_t *arguments,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  qmp_client_execute_full_async (client, command, arguments, NULL, 0,
                                 QMP_EXECUTE_NONE, QMP_TIMEOUT_DEFAULT,
                                 cancellable, callback, user_data);
}

json_t *
qmp_client_execute_finish (QmpClient *client, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The sync wrappers run the async call and iterate the client's context
 * until its result arrives. */
void
qmp_client_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
qmp_client_wait_for_result (QmpClient *client, GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (client->context, TRUE);
  /* A sync caller learns of a close by the time the call returns. */
  if (client->state == STATE_CLOSED)
    run_closed_handler (client);
  return *slot;
}

json_t *
qmp_client_execute_full_sync (QmpClient *client,
                              const char *command,
                              json_t *arguments,
                              const int *fds,
                              guint n_fds,
                              QmpExecuteFlags flags,
                              gint timeout_ms,
                              GCancellable *cancellable,
                              GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qmp_client_execute_full_async (client, command, arguments, fds, n_fds, flags,
                                 timeout_ms, cancellable, qmp_client_store_result, &result);
  return qmp_client_execute_finish (client, qmp_client_wait_for_result (client, &result), error);
}

json_t *
qmp_client_execute_sync (QmpClient *client,
                         const char *command,
                         json_t *arguments,
                         GCancellable *cancellable,
                         GError **error)
{
  return qmp_client_execute_full_sync (client, command, arguments, NULL, 0,
                                       QMP_EXECUTE_NONE, QMP_TIMEOUT_DEFAULT,
                                       cancellable, error);
}

/* ------------------------------------------------------------------ */
/* Handshake                                                           */

static void
on_capabilities_negotiated (QmpClient *client, json_t *reply, const GError *error)
{
  GTask *task = g_steal_pointer (&client->handshake_task);

  destroy_source (&client->handshake_timeout);
  destroy_source (&client->handshake_cancel);
  if (reply == NULL)
    {
      /* A monitor that refuses negotiation is of no use: close it. */
      client->oob_enabled = FALSE;
      if (task)
        g_task_return_error (task, g_error_copy (error));
      client_close_with_error (client, g_error_copy (error));
    }
  else if (client->state != STATE_CLOSED)
    {
      client->state = STATE_READY;
      if (task)
        g_task_return_boolean (task, TRUE);
    }
  g_clear_object (&task);
}

static void
handle_greeting (QmpClient *client, json_t *message)
{
  json_t *qmp = json_object_get (message, "QMP");
  json_t *version = json_object_get (json_object_get (qmp, "version"), "qemu");
  json_t *capabilities = json_object_get (qmp, "capabilities");
  g_autoptr(GStrvBuilder) caps = g_strv_builder_new ();
  g_autoptr(json_t) arguments = NULL;
  g_autoptr(json_t) command = NULL;
  size_t i;
  json_t *cap;

  if (!json_is_object (qmp) || !json_is_object (version) || !json_is_array (capabilities))
    {
      client_close_with_error (client,
        g_error_new_literal (QMP_ERROR, QMP_ERROR_PROTOCOL,
                             "the peer did not greet as a QEMU monitor "
                             "(no {\"QMP\": ...} greeting)"));
      return;
    }

  client->version_major = (int) json_integer_value (json_object_get (version, "major"));
  client->version_minor = (int) json_integer_value (json_object_get (version, "minor"));
  client->version_micro = (int) json_integer_value (json_object_get (version, "micro"));
  client->package = g_strdup (json_string_value (
    json_object_get (json_object_get (qmp, "version"), "package")));
  json_array_foreach (capabilities, i, cap)
    if (json_is_string (cap))
      g_strv_builder_add (caps, json_string_value (cap));
  client->capabilities = g_strv_builder_end (caps);

  client->state = STATE_NEGOTIATING;
  if ((client->flags & QMP_CLIENT_FLAGS_OOB) &&
      g_strv_contains ((const char * const *) client->capabilities, "oob"))
    {
      arguments = json_pack ("{s:[s]}", "enable", "oob");
      client->oob_enabled = TRUE;
    }

  command = qmp_client_build_command ("qmp_capabilities", arguments, QMP_EXECUTE_NONE);
  qmp_client_send_command (client, NULL, on_capabilities_negotiated, "qmp_capabilities", command,
                NULL, FALSE, NULL, 0, QMP_TIMEOUT_NONE, NULL);
  /* Then whatever the caller issued while we waited for the greeting. */
  while (!g_queue_is_empty (&client->held))
    g_queue_push_tail (&client->outgoing, g_queue_pop_head (&client->held));
  if (client->write_source == NULL)
    client_flush (client);
}

static gboolean
on_handshake_timeout (gpointer user_data)
{
  QmpClient *client = user_data;

  g_source_unref (g_steal_pointer (&client->handshake_timeout));
  client_close_with_error (client,
    g_error_new_literal (QMP_ERROR, QMP_ERROR_TIMEOUT,
                         client->state == STATE_AWAITING_GREETING
                           ? "QEMU sent no QMP greeting in time"
                           : "QEMU did not accept qmp_capabilities in time"));
  return G_SOURCE_REMOVE;
}

/* A half-done handshake leaves the connection in no usable state, so
 * giving up on it closes the client. */
static gboolean
on_handshake_cancelled (GCancellable *cancellable, gpointer user_data)
{
  QmpClient *client = user_data;
  GTask *task = g_steal_pointer (&client->handshake_task);

  g_source_unref (g_steal_pointer (&client->handshake_cancel));
  if (task)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the QMP handshake was cancelled");
      g_object_unref (task);
    }
  client_close_with_error (client,
    g_error_new_literal (QMP_ERROR, QMP_ERROR_CLOSED, "the QMP handshake was cancelled"));
  return G_SOURCE_REMOVE;
}

void
qmp_client_handshake_async (QmpClient *client,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  gint timeout_ms;

  g_return_if_fail (client != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, qmp_client_handshake_async);
  g_task_set_check_cancellable (task, FALSE);
  if (client->state == STATE_CLOSED)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_CLOSED,
                               "the QMP connection is closed");
      return;
    }
  if (client->state == STATE_READY)
    {
      /* The context ran before the caller asked: already done. */
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (client->handshake_task != NULL)
    {
      g_task_return_new_error (task, QMP_ERROR, QMP_ERROR_FAILED,
                               "the QMP handshake is already in progress");
      return;
    }

  client->handshake_task = g_steal_pointer (&task);
  timeout_ms = client->default_timeout_ms > 0 ? client->default_timeout_ms
                                              : HANDSHAKE_FALLBACK_TIMEOUT_MS;
  client->handshake_timeout = g_timeout_source_new ((guint) timeout_ms);
  g_source_set_callback (client->handshake_timeout, on_handshake_timeout, client, NULL);
  g_source_attach (client->handshake_timeout, client->context);
  if (cancellable)
    {
      client->handshake_cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (client->handshake_cancel,
                             G_SOURCE_FUNC (on_handshake_cancelled), client, NULL);
      g_source_attach (client->handshake_cancel, client->context);
    }
}

gboolean
qmp_client_handshake_finish (QmpClient *client, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
qmp_client_handshake_sync (QmpClient *client, GCancellable *cancellable, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  qmp_client_handshake_async (client, cancellable, qmp_client_store_result, &result);
  return qmp_client_handshake_finish (client, qmp_client_wait_for_result (client, &result), error);
}

/* ------------------------------------------------------------------ */
/* Properties                                                          */

const char *
qmp_client_get_version (QmpClient *client, int *major, int *minor, int *micro)
{
  g_return_val_if_fail (client != NULL, NULL);

  if (major)
    *major = client->version_major;
  if (minor)
    *minor = client->version_minor;
  if (micro)
    *micro = client->version_micro;
  return client->package;
}

gboolean
qmp_client_has_capability (QmpClient *client, const char *capability)
{
  g_return_val_if_fail (client != NULL, FALSE);
  return client->capabilities &&
         g_strv_contains ((const char * const *) client->capabilities, capability);
}

gboolean
qmp_client_is_oob_enabled (QmpClient *client)
{
  g_return_val_if_fail (client != NULL, FALSE);
  return client->oob_enabled && client->state == STATE_READY;
}

void
qmp_client_set_default_timeout (QmpClient *client, gint timeout_ms)
{
  g_return_if_fail (client != NULL);
  g_return_if_fail (timeout_ms >= 0);
  client->default_timeout_ms = timeout_ms;
}

void
qmp_client_set_max_message_size (QmpClient *client, gsize max_size)
{
  g_return_if_fail (client != NULL);

  client->max_message_size = max_size ? max_size : QMP_DEFAULT_MAX_MESSAGE_SIZE;
  qmp_stream_set_max_message_size (client->stream, client->max_message_size);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

guint
qmp_client_subscribe (QmpClient *client,
                      const char *event,
                      QmpEventFunc func,
                      gpointer user_data,
                      GDestroyNotify destroy)
{
  Subscription *sub;

  g_return_val_if_fail (client != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  sub = g_new0 (Subscription, 1);
  sub->id = client->next_subscription_id++;
  sub->event = g_strdup (event);
  sub->func = func;
  sub->user_data = user_data;
  sub->destroy = destroy;
  g_ptr_array_add (client->subscriptions, sub);
  return sub->id;
}

void
qmp_client_unsubscribe (QmpClient *client, guint subscription_id)
{
  g_return_if_fail (client != NULL);

  for (guint i = 0; i < client->subscriptions->len; i++)
    {
      Subscription *sub = client->subscriptions->pdata[i];

      if (sub->id != subscription_id || sub->removed)
        continue;
      if (client->dispatch_depth > 0)
        {
          /* Freed after the delivery loop; run destroy now so the
           * caller's data is released when it expects. */
          sub->removed = TRUE;
          if (sub->destroy)
            sub->destroy (sub->user_data);
          sub->destroy = NULL;
        }
      else
        g_ptr_array_remove_index (client->subscriptions, i);
      return;
    }
}

void
qmp_client_set_closed_handler (QmpClient *client,
                               QmpClosedFunc func,
                               gpointer user_data,
                               GDestroyNotify destroy)
{
  g_return_if_fail (client != NULL);

  if (client->closed_destroy)
    client->closed_destroy (client->closed_data);
  client->closed_func = func;
  client->closed_data = user_data;
  client->closed_destroy = destroy;
}

