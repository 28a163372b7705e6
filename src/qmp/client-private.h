/* Internal to libqmp: the client's state, shared by client.c (the
 * connection, commands, handshake, events), client-passthrough.c (raw
 * JSON commands) and client-schema.c (schema fetch and checks). */
#pragma once

#include "qmp/error-private.h"

typedef enum {
  STATE_AWAITING_GREETING,
  STATE_NEGOTIATING,
  STATE_READY,
  STATE_CLOSED,
} ClientState;

typedef struct {
  GBytes *data;
  gsize sent;          /* bytes of ->data already written */
  int *fds;            /* our own duplicates; sent with the first byte */
  guint n_fds;
} OutgoingMessage;

/* How the library's own commands (qmp_capabilities, query-qmp-schema)
 * are answered: synchronously, with the "return" value or an error.
 * Unlike a GTask this holds no reference to the client, so the user's
 * last unref still closes the connection while one is pending. */
typedef void (*InternalReplyFunc) (QmpClient *client, json_t *reply, const GError *error);

typedef struct {
  QmpClient *client;   /* not a reference: pending entries die first */
  guint64 id;
  char *command;       /* for error messages */
  GTask *task;         /* NULL once the caller was answered */
  InternalReplyFunc internal_func;  /* instead of task, for our own commands */
  gboolean raw;
  json_t *caller_id;   /* raw commands: the caller's own "id", if any */
  GSource *timeout_source;
  GSource *cancel_source;
} PendingCommand;

typedef struct {
  guint id;
  char *event;         /* NULL: every event */
  QmpEventFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  gboolean removed;
} Subscription;

struct _QmpClient {
  grefcount ref_count;
  GMainContext *context;
  QmpClientFlags flags;
  ClientState state;
  int fd;

  GSource *read_source;
  GSource *write_source;  /* attached only while output is queued */
  QmpStream *stream;
  gsize max_message_size;
  GQueue outgoing;        /* of OutgoingMessage */
  GQueue held;            /* commands issued before the greeting: sent
                             right after qmp_capabilities */

  GHashTable *pending;    /* guint64 id -> PendingCommand */
  guint64 next_id;
  gint default_timeout_ms;

  GTask *handshake_task;
  GSource *handshake_timeout;
  GSource *handshake_cancel;
  int version_major, version_minor, version_micro;
  char *package;
  GStrv capabilities;
  gboolean oob_enabled;

  GPtrArray *subscriptions;  /* of Subscription */
  guint next_subscription_id;
  guint dispatch_depth;      /* > 0 while events are being delivered */

  QmpClosedFunc closed_func;
  gpointer closed_data;
  GDestroyNotify closed_destroy;
  GError *closed_reason;     /* set once closed */
  GSource *closed_idle;      /* runs the closed handler */
  gboolean closed_notified;

  QmpSchema *schema;
  GPtrArray *schema_waiters; /* of SchemaWaiter, while query-qmp-schema runs */
  gboolean check_commands;
};

typedef struct {
  char *command;
  json_t *arguments;
  int *fds;
  guint n_fds;
  QmpExecuteFlags flags;
  gint timeout_ms;
  GCancellable *cancellable;
  GTask *task;
} DeferredCommand;

/* Someone waiting for the schema: a caller of qmp_client_get_schema_*
 * (task), or a command to check before sending (deferred). */
typedef struct {
  GTask *task;
  DeferredCommand *deferred;
} SchemaWaiter;

/* client.c */
void qmp_client_send_command (QmpClient *client, GTask *task, InternalReplyFunc internal_func,
                              const char *command, json_t *message, json_t *caller_id,
                              gboolean raw, const int *fds, guint n_fds, gint timeout_ms,
                              GCancellable *cancellable);
json_t *qmp_client_build_command (const char *command, json_t *arguments,
                                  QmpExecuteFlags flags);
gint qmp_client_effective_timeout (QmpClient *client, gint timeout_ms);
void qmp_client_store_result (GObject *source, GAsyncResult *result, gpointer user_data);
GAsyncResult *qmp_client_wait_for_result (QmpClient *client, GAsyncResult **slot);
void qmp_client_execute_checked (QmpClient *client, QmpSchema *schema, GTask *task,
                                 const char *command, json_t *arguments, const int *fds,
                                 guint n_fds, QmpExecuteFlags flags, gint timeout_ms,
                                 GCancellable *cancellable);
void qmp_client_deferred_command_free (DeferredCommand *deferred);

/* client-schema.c */
void qmp_client_fetch_schema (QmpClient *client, SchemaWaiter *waiter);
