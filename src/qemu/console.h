/* The serial console of a running domain, shared by any number of readers.
 *
 * QEMU serves the console on a listening socket the driver created
 * (`run/NAME.console`), and accepts one client at a time. A QvirtConsole
 * is that one client: it connects when the first reader arrives and
 * disconnects when the last one leaves, copies everything the guest
 * writes to every reader, and passes what any reader writes to the guest.
 * Each reader gets the whole output stream in order, so readers do not
 * corrupt each other; a reader that stops reading is dropped once a
 * bounded backlog fills up, rather than slowing the guest or the others.
 *
 * Runs on the GMainContext given at creation (the driver's).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _QvirtConsole QvirtConsole;

/* Bytes that may wait for one reader (or for the guest) before that
 * reader is dropped. */
#define QVIRT_CONSOLE_MAX_BACKLOG ((gsize) 1024 * 1024)

/**
 * qvirt_console_new:
 * @path: QEMU's listening console socket
 * @context: where I/O runs
 *
 * Returns: (transfer full): a console with no readers, not connected yet.
 */
QvirtConsole *qvirt_console_new (const char *path, GMainContext *context);

/**
 * qvirt_console_add_reader:
 * @fd: a connected stream socket (or pipe-like descriptor that is both
 *   readable and writable); the console owns it from now on, and closes
 *   it on error too
 * @error: return location: QVIRT_ERROR_CLOSED when QEMU's console cannot
 *   be reached
 *
 * Joins @fd to the console, connecting to QEMU first if no one else is
 * reading. The reader leaves when it closes its end; it sees end-of-file
 * when the domain stops.
 *
 * Returns: TRUE on success.
 */
gboolean qvirt_console_add_reader (QvirtConsole *console, int fd, GError **error);

/**
 * qvirt_console_relay:
 * @stream_fd: a console stream that is already open (e.g. one a
 *   qvirt-run shim serves); owned from now on
 * @reader_fd: the reader to join to it; owned from now on
 * @context: where I/O runs
 *
 * Joins the two until either side ends, then closes both and frees
 * itself: how a daemon hands out the console of a domain another process
 * runs.
 */
void qvirt_console_relay (int stream_fd, int reader_fd, GMainContext *context);

/** Returns: how many readers are joined now. */
guint qvirt_console_get_n_readers (QvirtConsole *console);

/**
 * qvirt_console_free:
 *
 * Disconnects from QEMU and closes every reader (they see end-of-file).
 */
void qvirt_console_free (QvirtConsole *console);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtConsole, qvirt_console_free)

G_END_DECLS
