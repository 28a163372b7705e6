/* The whole sequence a definition goes through: parse, fill defaults and
 * addresses, validate.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-xml.h"

#include <string.h>

#include "conf/domain-defaults.h"
#include "conf/domain-validate.h"

DomainDef *
domain_def_new_from_xml (const char *xml, gsize len, GError **error)
{
  g_autoptr (DomainDef) def = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  def = domain_def_parse_xml (xml, len, error);
  if (def == NULL)
    return NULL;
  if (!domain_def_fill_defaults (def, error))
    return NULL;
  if (!domain_def_validate (def, error))
    return NULL;
  return g_steal_pointer (&def);
}

DomainDef *
domain_def_load_xml (const char *xml, GError **error)
{
  g_return_val_if_fail (xml != NULL, NULL);

  return domain_def_new_from_xml (xml, strlen (xml), error);
}

GPtrArray *
domain_def_check_xml (const char *xml, gsize len)
{
  GPtrArray *problems = domain_problems_new ();
  g_autoptr (DomainDef) def = NULL;

  def = domain_def_parse_xml_report (xml, len, problems);
  if (def == NULL)
    return problems;
  /* Defaults and validation also run on a definition that had parse
   * problems (the faulty elements are left out), so that one run lists
   * as much as it can. */
  domain_def_fill_defaults_report (def, problems);
  domain_def_validate_report (def, problems);
  return problems;
}
