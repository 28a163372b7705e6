/* The QDEV_ERROR domain. */
#include "qdev/qdev-private.h"

G_DEFINE_QUARK (qdev-error-quark, qdev_error)
