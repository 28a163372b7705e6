/* The serial console of the test guest (scripts/guest.sh), seen from a test.
 *
 * The test binds a listening UNIX socket before QEMU starts and QEMU
 * connects to it as a client chardev, so there is never a socket file to
 * wait for. The guest speaks a line protocol on it (docs/test-guest.md):
 * it prints QVIRT-GUEST-READY once it is ready, then answers `ping` with
 * `pong` and `echo TEXT` with `TEXT`.
 *
 * Every wait takes a timeout; nothing sleeps. Everything the guest wrote
 * is kept as a transcript for failure messages.
 */
#pragma once

#include <glib.h>

/** The line the guest prints once it listens for the power button. */
#define GUEST_CONSOLE_READY_MARKER "QVIRT-GUEST-READY"

typedef struct GuestConsole GuestConsole;

/**
 * guest_console_listen:
 * @socket_path: where to bind; must not exist, must hold no comma (it is
 *   spliced into a QEMU option)
 *
 * Binds and listens on @socket_path. Aborts the test if it cannot.
 *
 * Returns: (transfer full): the console; free with guest_console_free(),
 *   which also removes the socket file.
 */
GuestConsole *guest_console_listen (const char *socket_path);

/**
 * guest_console_chardev_arg:
 *
 * Returns: the value for QEMU's `-chardev` that connects a chardev with id
 *   @chardev_id to this console. Owned by @console, valid until the next
 *   call.
 */
const char *guest_console_chardev_arg (GuestConsole *console, const char *chardev_id);

/**
 * guest_console_accept:
 * @timeout_ms: how long to wait for QEMU to connect
 *
 * Accepts QEMU's connection.
 *
 * Returns: TRUE on success; FALSE with @error set (G_IO_ERROR_TIMED_OUT
 *   when QEMU did not connect in time).
 */
gboolean guest_console_accept (GuestConsole *console, guint timeout_ms, GError **error);

/**
 * guest_console_wait_line:
 * @line: the exact line to wait for (without the line ending)
 * @timeout_ms: how long to wait
 *
 * Reads the console until a line equal to @line arrives; other lines
 * (kernel messages, say) are kept in the transcript and skipped.
 *
 * Returns: TRUE when @line arrived; FALSE with @error set on timeout
 *   (G_IO_ERROR_TIMED_OUT), end of stream (G_IO_ERROR_CLOSED) or a read
 *   error.
 */
gboolean guest_console_wait_line (GuestConsole *console, const char *line,
                                  guint timeout_ms, GError **error);

/**
 * guest_console_send_line:
 * @line: a command, without the line ending
 *
 * Sends @line and a newline to the guest.
 *
 * Returns: TRUE on success; FALSE with @error set if the connection is
 *   gone.
 */
gboolean guest_console_send_line (GuestConsole *console, const char *line, GError **error);

/**
 * guest_console_collect:
 *
 * Reads what the guest has written so far, without waiting, so that the
 * transcript is complete (call it before printing a failure). Lines read
 * here are no longer waited for by guest_console_wait_line().
 */
void guest_console_collect (GuestConsole *console);

/**
 * guest_console_transcript:
 *
 * Returns: everything the guest wrote so far, carriage returns removed.
 *   Owned by @console.
 */
const char *guest_console_transcript (GuestConsole *console);

/** Closes the connection and the listening socket and removes its file. */
void guest_console_free (GuestConsole *console);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestConsole, guest_console_free)
