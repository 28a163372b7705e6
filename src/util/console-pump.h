/* Moves a console's bytes between its socket and a pair of descriptors
 * (a terminal's stdin and stdout, a log file), in a GMainContext.
 *
 * Used by `qvirt console` and by qvirt-run (--console, or the console
 * log). Input that waits for the console is bounded: past that, the
 * input descriptor is not read until the console takes it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _QvirtConsolePump QvirtConsolePump;

typedef enum {
  QVIRT_CONSOLE_PUMP_ESCAPED,        /* the escape byte (Ctrl-]) was read */
  QVIRT_CONSOLE_PUMP_CLOSED,         /* the console ended (the domain stopped) */
  QVIRT_CONSOLE_PUMP_OUTPUT_FAILED,  /* the output descriptor failed */
} QvirtConsolePumpEnd;

/* Runs once, when the pump stops moving bytes. */
typedef void (*QvirtConsolePumpDoneFunc) (QvirtConsolePumpEnd end, gpointer user_data);

/* The byte that leaves, when asked for: Ctrl-], as in telnet and virsh. */
#define QVIRT_CONSOLE_PUMP_ESCAPE_BYTE 0x1d

/**
 * qvirt_console_pump_new:
 * @console_fd: the console's socket; made non-blocking, not closed here
 * @input_fd: what to send to the console, or -1 for nothing; at its end
 *   the pump only shows output from then on
 * @output_fd: where the console's output goes (written in full, blocking)
 * @escape: whether QVIRT_CONSOLE_PUMP_ESCAPE_BYTE in the input stops the
 *   pump (the bytes before it are still sent)
 * @done: (nullable): called once when the pump stops
 *
 * Starts moving bytes on the thread-default main context.
 *
 * Returns: (transfer full): the pump; qvirt_console_pump_free() stops it.
 */
QvirtConsolePump *qvirt_console_pump_new (int console_fd, int input_fd, int output_fd,
                                          gboolean escape, QvirtConsolePumpDoneFunc done,
                                          gpointer user_data);

void qvirt_console_pump_free (QvirtConsolePump *pump);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtConsolePump, qvirt_console_pump_free)

G_END_DECLS
