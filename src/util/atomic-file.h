/* Replacing a file atomically: readers see the old contents or the new,
 * never a mix. */
#pragma once

#include <glib.h>

/**
 * qvirt_file_replace_atomic:
 * @path: the file to replace (or create)
 * @contents: the new contents
 * @length: their length, or -1 for a NUL-terminated string
 * @mode: permissions of a newly created file
 * @error: return location (G_FILE_ERROR)
 *
 * Writes @path.tmp and renames it over @path. Atomic but not durable:
 * no fsync, so after a host crash the file may hold the old contents.
 * That is right for runtime state (it describes processes that do not
 * survive a crash either) and costs no disk flush on a hot path; for
 * data that must survive a crash use g_file_set_contents_full() with
 * G_FILE_SET_CONTENTS_DURABLE.
 *
 * Returns: FALSE with @error set on failure (@path is then unchanged).
 */
gboolean qvirt_file_replace_atomic (const char *path, const char *contents, gssize length,
                                    int mode, GError **error);
