/* Internal to libqvirt. */
#pragma once

#include "qvirt/qvirt.h"
#include "util/json-autoptr.h"

/* The driver URI the server reported in server.hello (remote), or the
 * embedded driver's. */
const char *qvirt_connection_get_server_uri (QvirtConnection *conn);

/* Whether calls go over a socket to a server. */
gboolean qvirt_connection_is_remote (QvirtConnection *conn);

/* Calls @method, which turns its connection into a raw byte stream
 * (domain.openConsole), and returns that stream: a connected socket, or
 * -1 with @error. Remote: on a new connection of its own; embed: one end
 * of a socketpair whose other end the driver serves. Blocks. */
int qvirt_connection_open_stream (QvirtConnection *conn, const char *method, json_t *params,
                                  GError **error);
