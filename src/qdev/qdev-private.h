/* Helpers shared by the libqdev builders; not installed, not exported. */
#pragma once

#include "qvirt/qdev.h"

/* Checks that @id is an id QEMU accepts (a letter, then letters,
 * digits, '-', '.', '_'). @what names it in the error ("netdev id"). */
G_GNUC_INTERNAL
gboolean qdev_check_id (const char *what, const char *id, GError **error);

/* As qdev_check_id(), and at most 31 bytes, QEMU's node-name limit. */
G_GNUC_INTERNAL
gboolean qdev_check_node_name (const char *what, const char *node_name,
                               GError **error);

/* Checks that @value is valid UTF-8 (it cannot hold a NUL: it is a C
 * string). @what names it in the error ("filename"). */
G_GNUC_INTERNAL
gboolean qdev_check_string (const char *what, const char *value,
                            GError **error);

/* Checks that @value is not empty, and valid UTF-8. */
G_GNUC_INTERNAL
gboolean qdev_check_nonempty_string (const char *what, const char *value,
                                     GError **error);

/* Sets @key to @value when @value is not NULL, checking it as
 * qdev_check_string() does. */
G_GNUC_INTERNAL
gboolean qdev_set_optional_string (json_t *props, const char *key,
                                   const char *value, GError **error);

/* Sets @key to @id after checking it with qdev_check_id(); @what names
 * it in the error. */
G_GNUC_INTERNAL
gboolean qdev_set_id (json_t *props, const char *key, const char *what,
                      const char *id, GError **error);

/* The "bootindex" of disks and NICs: 0 means "not bootable" and writes
 * nothing; QEMU's bootindex is an int32. */
G_GNUC_INTERNAL
gboolean qdev_set_bootindex (json_t *device, guint bootindex,
                             GError **error);
