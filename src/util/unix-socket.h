/* UNIX stream sockets at any path length.
 *
 * sun_path holds 108 bytes; a deeper path is reached through an O_PATH
 * descriptor of its directory (/proc/self/fd/N/NAME), so a driver root
 * may live anywhere. */
#pragma once

#include <glib.h>

/**
 * qvirt_unix_socket_listen:
 * @path: where to bind; an existing socket file there is replaced
 * @mode: permissions of the socket file (e.g. 0600)
 * @cloexec: FALSE to let a child (QEMU) inherit the descriptor
 * @error: return location (G_IO_ERROR)
 *
 * Returns: a listening socket descriptor, or -1 with @error set.
 */
int qvirt_unix_socket_listen (const char *path, guint mode, gboolean cloexec,
                              GError **error);

/**
 * qvirt_unix_socket_connect:
 * @path: a listening socket's path
 * @error: return location (G_IO_ERROR)
 *
 * Returns: a connected, blocking, close-on-exec descriptor, or -1.
 */
int qvirt_unix_socket_connect (const char *path, GError **error);
