/* Errors of the domain model layer, and lists of problems.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/conf-error.h"

G_DEFINE_QUARK (qvirt-conf-error-quark, qvirt_conf_error)

void
domain_problem_free (DomainProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}

GPtrArray *
domain_problems_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) domain_problem_free);
}

void
domain_problems_add (GPtrArray *problems,
                     QvirtConfError code,
                     guint line,
                     const char *format,
                     ...)
{
  DomainProblem *problem;
  va_list args;

  g_return_if_fail (problems != NULL);

  problem = g_new0 (DomainProblem, 1);
  problem->code = code;
  problem->line = line;
  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (problems, problem);
}

void
domain_problems_add_at (GPtrArray *problems,
                        QvirtConfError code,
                        const char *path,
                        guint line,
                        const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_if_fail (problems != NULL);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (line > 0)
    domain_problems_add (problems, code, line, "<%s> at line %u: %s",
                         path, line, message);
  else
    domain_problems_add (problems, code, 0, "<%s> (added by defaults): %s",
                         path, message);
}

gboolean
domain_problems_propagate (GPtrArray *problems, GError **error)
{
  const DomainProblem *first;

  g_return_val_if_fail (problems != NULL, FALSE);

  if (problems->len == 0)
    return TRUE;
  first = g_ptr_array_index (problems, 0);
  g_set_error_literal (error, QVIRT_CONF_ERROR, first->code, first->message);
  return FALSE;
}
