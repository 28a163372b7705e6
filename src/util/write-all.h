/* Writing buffers to descriptors: all of one (blocking), or what a
 * non-blocking socket takes now. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * qvirt_write_all:
 *
 * Writes all @len bytes of @data to @fd, retrying on EINTR and short
 * writes.
 *
 * Returns: TRUE on success; FALSE with errno set.
 */
gboolean qvirt_write_all (int fd, const void *data, gsize len);

/**
 * qvirt_send_pending:
 * @fd: a socket (or, failing that, any descriptor), non-blocking
 * @pending: bytes waiting for @fd; what is written is removed from it
 *
 * Writes as much of @pending as @fd takes without blocking, retrying on
 * EINTR, without SIGPIPE.
 *
 * Returns: FALSE when @fd failed (its peer is gone), with errno set;
 *   TRUE otherwise, also when bytes remain.
 */
gboolean qvirt_send_pending (int fd, GByteArray *pending);

G_END_DECLS
