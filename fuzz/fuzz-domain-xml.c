/* libFuzzer target for the domain XML parser (src/conf).
 *
 * Input: a domain XML document. When it parses, the target checks the
 * round trip the model promises: formatting and parsing again gives an
 * equal definition and the same text. It then fills defaults and
 * addresses and checks the same of the result, and that filling again
 * changes nothing. Listing all problems must not crash either.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain-defaults.h"
#include "conf/domain-validate.h"
#include "conf/domain-xml.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Aborts unless @def survives formatting and parsing; returns the text. */
static char *
check_round_trip (const DomainDef *def)
{
  char *xml = domain_def_format_xml (def);
  GError *error = NULL;
  DomainDef *again = domain_def_parse_xml (xml, strlen (xml), &error);
  char *xml_again;

  if (again == NULL)
    {
      fprintf (stderr, "formatted XML does not parse: %s\n%s\n",
               error->message, xml);
      abort ();
    }
  if (!domain_def_equal (def, again))
    {
      fprintf (stderr, "parse(format(x)) != x for:\n%s\n", xml);
      abort ();
    }
  xml_again = domain_def_format_xml (again);
  if (strcmp (xml, xml_again) != 0)
    {
      fprintf (stderr, "formatting is not stable:\n%s\n---\n%s\n", xml,
               xml_again);
      abort ();
    }
  g_free (xml_again);
  domain_def_free (again);
  return xml;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DomainDef *def;
  DomainDef *filled_again;
  GPtrArray *problems;
  char *xml;

  problems = domain_def_check_xml ((const char *) data, size);
  g_ptr_array_unref (problems);

  def = domain_def_parse_xml ((const char *) data, size, NULL);
  if (def == NULL)
    return 0;
  g_free (check_round_trip (def));

  /* Defaults may report problems (conflicting addresses...); whatever
   * they produce must still round-trip, and be stable. */
  problems = domain_problems_new ();
  domain_def_fill_defaults_report (def, problems);
  g_ptr_array_unref (problems);
  xml = check_round_trip (def);

  filled_again = domain_def_parse_xml (xml, strlen (xml), NULL);
  problems = domain_problems_new ();
  domain_def_fill_defaults_report (filled_again, problems);
  if (problems->len == 0 && !domain_def_equal (def, filled_again))
    {
      fprintf (stderr, "defaults are not idempotent for:\n%s\n", xml);
      abort ();
    }
  domain_def_validate_report (filled_again, problems);
  g_ptr_array_unref (problems);

  domain_def_free (filled_again);
  g_free (xml);
  domain_def_free (def);
  return 0;
}
