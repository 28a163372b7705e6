/* A deliberately tiny QMP exchange for the libqdev tests: connect, read
 * the greeting, negotiate, then one command at a time, reading
 * line by line and skipping events. Not a QMP client (that is libqmp):
 * just enough to ask QEMU what it made of our arguments. */
#pragma once

#include <glib.h>
#include <jansson.h>

/* The same guard as the project's public headers. */
#ifndef QVIRT_JSON_AUTOPTR_DEFINED
#define QVIRT_JSON_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)
#endif

typedef struct QmpRaw QmpRaw;

/**
 * qmp_raw_connect:
 * @socket_path: QEMU's QMP socket
 * @error: return location for a #GError
 *
 * Connects, reads the greeting and sends qmp_capabilities. Every read
 * gives up after 30 seconds, so a stuck QEMU fails the test.
 *
 * Returns: (transfer full) (nullable): the connection, or NULL.
 */
QmpRaw *qmp_raw_connect (const char *socket_path, GError **error);

/**
 * qmp_raw_execute:
 * @qmp: a connection
 * @command: the QMP command
 * @arguments: (nullable) (transfer none): its arguments
 * @error: return location for a #GError; QEMU's error "desc" when it
 *   refused the command
 *
 * Returns: (transfer full) (nullable): the "return" value, or NULL.
 */
json_t *qmp_raw_execute (QmpRaw *qmp, const char *command, json_t *arguments,
                         GError **error);

void qmp_raw_free (QmpRaw *qmp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpRaw, qmp_raw_free)
