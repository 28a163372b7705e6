/* g_autoptr(json_t) for jansson values. Public headers (qmp.h, qdev.h)
 * carry the same guarded definition, so any mix of includes works. */
#pragma once

#include <glib.h>
#include <jansson.h>

#ifndef QVIRT_JSON_AUTOPTR_DEFINED
#define QVIRT_JSON_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)
#endif
