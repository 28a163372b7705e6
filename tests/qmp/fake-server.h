/* A scripted QMP peer for the fault tests.
 *
 * The fake is one end of a socketpair; the other end goes to
 * qmp_client_new_for_fd(). The test plays QEMU by hand: it writes
 * whatever bytes it wants (well-formed or not) and reads the commands
 * the client sent. Both sides run on the thread-default main context,
 * so the functions that wait iterate that context (with a deadline) and
 * the client makes progress meanwhile.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

typedef struct _FakeServer FakeServer;

/**
 * fake_server_new:
 * @client_fd: (out): the other end of the connection, for the client
 *
 * Returns: (transfer full): a fake peer; free with fake_server_free().
 */
FakeServer *fake_server_new (int *client_fd);

void fake_server_free (FakeServer *server);

/** Writes @text in one write (so the client may read it in one go). */
void fake_server_send (FakeServer *server, const char *text);

/** Writes @text in one write and waits until the client has read it all. */
void fake_server_send_and_wait_read (FakeServer *server, const char *text);

/**
 * fake_server_send_bytewise:
 *
 * Writes @text one byte at a time, waiting after each byte until the
 * client has read it, so every byte arrives in a read of its own.
 */
void fake_server_send_bytewise (FakeServer *server, const char *text);

/** Sends a greeting like QEMU 7.2's, advertising "oob". */
void fake_server_send_greeting (FakeServer *server);

/**
 * fake_server_next_command:
 *
 * Waits (up to 10 s, failing the test otherwise) for the next command
 * line the client sent.
 *
 * Returns: (transfer full): the command as JSON.
 */
json_t *fake_server_next_command (FakeServer *server);

/** Returns: the number of command lines received and not yet taken. */
guint fake_server_count_queued (FakeServer *server);

/**
 * fake_server_reply:
 * @command: (transfer none): a command from fake_server_next_command()
 * @return_json: the JSON text of the "return" value
 *
 * Answers @command with {"return": @return_json, "id": its id}.
 */
void fake_server_reply (FakeServer *server, json_t *command, const char *return_json);

/** Returns: (transfer full): the reply text fake_server_reply() would send. */
char *fake_server_format_reply (json_t *command, const char *return_json);

/** Shuts the fake's end down: the client sees EOF. */
void fake_server_close (FakeServer *server);

/**
 * fake_server_wait_eof:
 *
 * Returns: TRUE once the client closed its end (within @timeout_ms).
 */
gboolean fake_server_wait_eof (FakeServer *server, guint timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)
