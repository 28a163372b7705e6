/* Errors of the domain model layer, and lists of problems.
 *
 * Every function of src/conf that can fail reports a GError in the
 * QVIRT_CONF_ERROR domain. Messages are one line and name what is wrong
 * and where: the element path relative to <domain> and its line, for
 * example "unsupported element <devices/hostdev> at line 42".
 *
 * Parsing, defaults and validation can also collect every problem of a
 * document instead of stopping at the first one (for `qvirt validate`):
 * they append DomainProblem entries to a GPtrArray made with
 * domain_problems_new().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define QVIRT_CONF_ERROR (qvirt_conf_error_quark ())
GQuark qvirt_conf_error_quark (void);

/**
 * QvirtConfError:
 * @QVIRT_CONF_ERROR_INVALID_XML: not well-formed XML, a DTD or entity
 *   declaration, a document over the size limit, or a root element other
 *   than <domain>. The message gives the line and column.
 * @QVIRT_CONF_ERROR_UNSUPPORTED: an element, attribute or value that is
 *   valid libvirt XML but outside the subset qvirt supports.
 * @QVIRT_CONF_ERROR_INVALID_VALUE: a value that is wrong (bad syntax, out
 *   of range, missing, duplicated, or inconsistent with another value).
 * @QVIRT_CONF_ERROR_NEEDS_OTHER_DRIVER: valid configuration that needs a
 *   libvirt driver qvirt does not have (virtual networks, storage pools).
 */
typedef enum {
  QVIRT_CONF_ERROR_INVALID_XML,
  QVIRT_CONF_ERROR_UNSUPPORTED,
  QVIRT_CONF_ERROR_INVALID_VALUE,
  QVIRT_CONF_ERROR_NEEDS_OTHER_DRIVER,
} QvirtConfError;

/**
 * DomainProblem:
 * @code: what kind of problem
 * @line: the line in the XML document it is about, 0 when unknown (for
 *   example a device added by defaults)
 * @message: one line, already naming the element and line
 */
typedef struct {
  QvirtConfError code;
  guint line;
  char *message;
} DomainProblem;

/**
 * domain_problems_new:
 *
 * Returns: (transfer full): an empty GPtrArray of DomainProblem that
 *   frees its elements.
 */
GPtrArray *domain_problems_new (void);

/**
 * domain_problems_add:
 * @problems: an array from domain_problems_new()
 * @code: the error code
 * @line: the line concerned, or 0
 * @format: printf-style message
 *
 * Appends one problem.
 */
void domain_problems_add (GPtrArray *problems,
                          QvirtConfError code,
                          guint line,
                          const char *format,
                          ...) G_GNUC_PRINTF (4, 5);

/**
 * domain_problems_add_at:
 * @problems: an array from domain_problems_new()
 * @code: the error code
 * @path: the element path relative to <domain>, e.g. "devices/disk"
 * @line: the element's line, or 0 for an element that defaults added
 * @format: printf-style message
 *
 * Appends one problem about an element, prefixed with "<path> at line
 * N: " (or "<path> (added by defaults): " when @line is 0).
 */
void domain_problems_add_at (GPtrArray *problems,
                             QvirtConfError code,
                             const char *path,
                             guint line,
                             const char *format,
                             ...) G_GNUC_PRINTF (5, 6);

/**
 * domain_problems_propagate:
 * @problems: an array from domain_problems_new()
 * @error: return location for the first problem as a GError
 *
 * Returns: TRUE when @problems is empty; otherwise FALSE with @error set
 *   to the first problem (the earliest found, which for parsing is the
 *   first in document order).
 */
gboolean domain_problems_propagate (GPtrArray *problems, GError **error);

void domain_problem_free (DomainProblem *problem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainProblem, domain_problem_free)

G_END_DECLS
