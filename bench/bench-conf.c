/* bench-conf: what a domain definition costs in src/conf.
 *
 * Runs a typical q35 domain (virtio disk, cdrom, NIC, serial console,
 * guest agent channel, rng, VNC) through what a driver does on define:
 * parse the XML, fill defaults and addresses, validate, format the
 * canonical XML. Prints the time per definition for each step and in
 * total, and the throughput. (The QEMU command line step is to be added
 * by the command-line builder.)
 *
 * Usage: bench-conf [COUNT]   (default 10000 definitions). A benchmark
 * prints numbers; it asserts nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain-defaults.h"
#include "conf/domain-validate.h"
#include "conf/domain-xml.h"

#define DEFAULT_COUNT 10000

#include "typical-domain.h"

typedef struct {
  const char *name;
  gint64 total_us;
} Step;

int
main (int argc, char **argv)
{
  gsize len = strlen (typical_q35);
  guint count = DEFAULT_COUNT;
  Step steps[] = { { "parse", 0 }, { "defaults", 0 }, { "validate", 0 },
                   { "format", 0 } };
  gint64 elapsed_us, total_us = 0;
  gsize output_bytes = 0;

  if (argc > 1)
    {
      guint64 parsed;

      if (!g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXUINT, &parsed,
                                       NULL))
        {
          fprintf (stderr, "usage: %s [COUNT]\n", argv[0]);
          return 2;
        }
      count = (guint) parsed;
    }

  for (guint i = 0; i < count; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DomainDef) def = NULL;
      g_autofree char *xml = NULL;
      gint64 t0, t1, t2, t3, t4;

      t0 = g_get_monotonic_time ();
      def = domain_def_parse_xml (typical_q35, len, &error);
      t1 = g_get_monotonic_time ();
      if (def == NULL || !domain_def_fill_defaults (def, &error))
        goto failed;
      t2 = g_get_monotonic_time ();
      if (!domain_def_validate (def, &error))
        goto failed;
      t3 = g_get_monotonic_time ();
      xml = domain_def_format_xml (def);
      t4 = g_get_monotonic_time ();

      steps[0].total_us += t1 - t0;
      steps[1].total_us += t2 - t1;
      steps[2].total_us += t3 - t2;
      steps[3].total_us += t4 - t3;
      total_us += t4 - t0;
      output_bytes = strlen (xml);
      continue;

    failed:
      fprintf (stderr, "bench-conf: the benchmark domain fails: %s\n",
               error->message);
      return 1;
    }

  elapsed_us = total_us > 0 ? total_us : 1;
  printf ("domain: typical q35 (virtio disk, sata cdrom, virtio NIC, serial, "
          "agent channel, rng, VNC)\n");
  printf ("input %" G_GSIZE_FORMAT " bytes, canonical output %" G_GSIZE_FORMAT
          " bytes, %u definitions\n", len, output_bytes, count);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    printf ("  %-9s %8.2f us/domain\n", steps[i].name,
            (double) steps[i].total_us / count);
  printf ("  %-9s %8.2f us/domain\n", "total", (double) total_us / count);
  printf ("throughput: %.0f domains/s (parse + defaults + validate + "
          "format)\n", count * 1e6 / (double) elapsed_us);
  return 0;
}
