/* The QMP_ERROR domain. QEMU's error class ("GenericError", ...) travels
 * with the GError as extended-error private data, so callers keep the
 * plain GError API and can still ask which class QEMU reported. */
#include "qmp/error-private.h"

typedef struct {
  char *qemu_class;
} QmpErrorPrivate;

static void
qmp_error_private_init (QmpErrorPrivate *priv)
{
  priv->qemu_class = NULL;
}

static void
qmp_error_private_copy (const QmpErrorPrivate *src, QmpErrorPrivate *dest)
{
  dest->qemu_class = g_strdup (src->qemu_class);
}

static void
qmp_error_private_clear (QmpErrorPrivate *priv)
{
  g_clear_pointer (&priv->qemu_class, g_free);
}

G_DEFINE_EXTENDED_ERROR (QmpError, qmp_error)

const char *
qmp_error_get_class (const GError *error)
{
  QmpErrorPrivate *priv;

  if (error == NULL || !g_error_matches (error, QMP_ERROR, QMP_ERROR_COMMAND))
    return NULL;
  priv = qmp_error_get_private (error);
  return priv ? priv->qemu_class : NULL;
}

GError *
qmp_error_new_command (const char *qemu_class, const char *description)
{
  GError *error = g_error_new_literal (QMP_ERROR, QMP_ERROR_COMMAND,
                                       description ? description
                                                   : "QEMU reported an error");
  QmpErrorPrivate *priv = qmp_error_get_private (error);

  priv->qemu_class = g_strdup (qemu_class ? qemu_class : "GenericError");
  return error;
}
