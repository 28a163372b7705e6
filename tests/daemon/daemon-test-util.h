/* Helpers of the qvirtd tests: the daemon as a real process in a temp
 * root, and a raw JSON-RPC client that speaks lines on its socket. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "util/json-autoptr.h"

/* How long anything the daemon does without QEMU may take. */
#define TEST_TIMEOUT_MS 10000
/* How long a QEMU start or stop may take (TCG, a loaded machine). */
#define TEST_QEMU_TIMEOUT_MS 60000

/* ------------------------------------------------------------------ */
/* The daemon                                                           */

typedef struct {
  char *root;                 /* the --root directory */
  char *socket_path;          /* ROOT/run/qvirt.sock */
  char *ro_socket_path;       /* ROOT/run/qvirt-ro.sock */
  GPid pid;
  int pidfd;
  int stderr_fd;
  GThread *reader;            /* drains stderr into log */
  GMutex mutex;
  GCond cond;
  GString *log;               /* all it wrote to stderr so far */
  gboolean stderr_closed;
  gboolean reaped;
  int wait_status;
} TestDaemon;

/* A new temporary root (removed by test_root_remove()). */
char *test_root_new (void);
void test_root_remove (const char *root);

/* Spawns `qvirtd --root ROOT --verbose` without waiting for anything. */
TestDaemon *test_daemon_spawn (const char *root);

/* Spawns @argv (which runs qvirtd on @root in the end: a wrapper such as
 * systemd-socket-activate) with the environment @envp (NULL: ours). */
TestDaemon *test_daemon_spawn_argv (const char *root, const char * const *argv,
                                    const char * const *envp);

/* Spawns it and waits for its "ready" line; fails the test if it does not
 * come. */
TestDaemon *test_daemon_start (const char *root);

/* Waits until the daemon's stderr holds @needle. */
gboolean test_daemon_wait_log (TestDaemon *daemon, const char *needle, guint timeout_ms);

/* A copy of what the daemon logged so far. */
char *test_daemon_get_log (TestDaemon *daemon);

/* Waits for the daemon to exit; FALSE on timeout. The wait status is in
 * daemon->wait_status. */
gboolean test_daemon_wait_exit (TestDaemon *daemon, guint timeout_ms);

/* Sends @signal and waits for the exit; fails the test on timeout.
 * Returns the wait status. */
int test_daemon_stop (TestDaemon *daemon, int signal);

/* The number of descriptors the daemon has open. */
guint test_daemon_count_fds (TestDaemon *daemon);

/* Kills the daemon (SIGKILL) if it still runs, then frees. The root is
 * left alone. */
void test_daemon_free (TestDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestDaemon, test_daemon_free)

/* ------------------------------------------------------------------ */
/* A raw client                                                         */

typedef struct {
  int fd;
  GString *input;             /* received bytes not yet a whole line */
  GQueue messages;            /* json_t*: received, not yet taken */
  gint64 next_id;
  gboolean eof;
} RpcClient;

RpcClient *rpc_client_connect (const char *path);
void rpc_client_free (RpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpcClient, rpc_client_free)

/* Writes all of @data (blocking). */
void rpc_client_send_raw (RpcClient *client, const char *data, gsize len);

/* Sends a request with a fresh integer id and returns the id. @params
 * (transfer full) may be NULL: no "params" member. */
gint64 rpc_client_send (RpcClient *client, const char *method, json_t *params);

/* The next message received (a reply or a notification), taking it off
 * the queue; NULL if none came in @timeout_ms or the daemon closed the
 * connection. */
json_t *rpc_client_next (RpcClient *client, guint timeout_ms);

/* The reply with integer id @id; other messages stay queued, in order.
 * Fails the test if it does not come in @timeout_ms. */
json_t *rpc_client_wait_reply (RpcClient *client, gint64 id, guint timeout_ms);

/* The next "event" notification with params.event == @event (and
 * params.domain == @domain unless NULL); earlier notifications are
 * dropped, replies stay queued. NULL on timeout. */
json_t *rpc_client_wait_event (RpcClient *client, const char *domain, const char *event,
                               guint timeout_ms);

/* Sends a request and returns its whole reply. */
json_t *rpc_client_call (RpcClient *client, const char *method, json_t *params);

/* Like rpc_client_call(), with QEMU's timeout. */
json_t *rpc_client_call_slow (RpcClient *client, const char *method, json_t *params);

/* Sends a request, asserts success and returns its result (a new
 * reference). */
json_t *rpc_client_call_ok (RpcClient *client, const char *method, json_t *params);

/* Sends a request and asserts success; the result is dropped. */
void rpc_client_call_expect_ok (RpcClient *client, const char *method, json_t *params);

/* Waits until the daemon closes the connection; FALSE on timeout. */
gboolean rpc_client_wait_closed (RpcClient *client, guint timeout_ms);

/* Asserts that @reply is an error with @code and error.data.kind @kind,
 * and, unless NULL, a message containing @text. */
#define rpc_assert_error(reply, code, kind, text) \
  rpc_assert_error_at (__FILE__, __LINE__, (reply), (code), (kind), (text))
void rpc_assert_error_at (const char *file, int line, json_t *reply, int code,
                          const char *kind, const char *text);

/* ------------------------------------------------------------------ */
/* Domains                                                              */

/* A domain without guest code (machine pc, 64 MiB, no balloon, TCG). */
char *test_xml_no_guest (const char *name);

/* Whether process @pid exists and is not a zombie. */
gboolean test_pid_is_running (GPid pid);

/* Waits until @pid no longer runs (gone or a zombie). */
gboolean test_wait_pid_gone (GPid pid, guint timeout_ms);

/* Waits until the daemon's stderr holds @needle at least @count times. */
gboolean test_daemon_wait_log_count (TestDaemon *daemon, const char *needle, guint count,
                                     guint timeout_ms);
/* How many times @needle occurs in what the daemon logged so far. */
guint test_daemon_count_log (TestDaemon *daemon, const char *needle);
