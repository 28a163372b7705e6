/* Writing a whole buffer to a blocking descriptor. */
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

G_END_DECLS
