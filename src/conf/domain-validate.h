/* Semantic validation of a definition: relations between values that
 * parsing (which checks each value on its own) cannot see, and
 * configuration that needs a driver qvirt does not have.
 *
 * Run it after domain_def_fill_defaults(): it checks the definition QEMU
 * would be started with. Problems name the element and, for devices,
 * its line:
 *   <devices/interface> at line 30: type 'network' needs libvirt's
 *   network driver, ...                       (NEEDS_OTHER_DRIVER)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "conf/conf-error.h"
#include "conf/domain.h"

G_BEGIN_DECLS

/**
 * domain_def_validate:
 * @def: a definition after domain_def_fill_defaults()
 * @error: return location for a QVIRT_CONF_ERROR
 *
 * Returns: TRUE when @def can be started by the QEMU driver; otherwise
 *   FALSE with @error set to the first problem (code INVALID_VALUE,
 *   UNSUPPORTED or NEEDS_OTHER_DRIVER).
 */
gboolean domain_def_validate (const DomainDef *def, GError **error);

/**
 * domain_def_validate_report:
 * @def: a definition after domain_def_fill_defaults()
 * @problems: a GPtrArray from domain_problems_new(), appended to
 *
 * Like domain_def_validate(), but reports every problem.
 */
void domain_def_validate_report (const DomainDef *def, GPtrArray *problems);

G_END_DECLS
