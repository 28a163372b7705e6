/* bench-argv: what turning a domain definition into a QEMU command line
 * costs, end to end.
 *
 * Runs a typical q35 domain (virtio disk, sata cdrom, virtio NIC on a
 * bridge, serial console, guest agent channel, rng, VNC; the same domain
 * as bench-conf) through what a driver does to start it: parse the XML,
 * fill defaults and addresses, validate, format the canonical XML (the
 * status file holds it) and build the argv (qemu_command_build). Prints
 * the time per definition for each step and in total, and the
 * throughput.
 *
 * Usage: bench-argv [COUNT]   (default 10000 definitions). A benchmark
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
#include "qemu/command.h"

#define DEFAULT_COUNT 10000

#include "typical-domain.h"

enum { STEP_PARSE, STEP_DEFAULTS, STEP_VALIDATE, STEP_FORMAT, STEP_ARGV,
       N_STEPS };

static const char *const step_names[N_STEPS] = {
  "parse", "defaults", "validate", "format", "argv",
};

int
main (int argc, char **argv)
{
  const QemuCommandConfig config = {
    .default_emulator = "/usr/bin/qemu-system-x86_64",
    .monitor_fd = 3,
    .runtime_dir = "/run/qvirt/bench",
  };
  gsize len = strlen (typical_q35);
  guint count = DEFAULT_COUNT;
  gint64 step_us[N_STEPS] = { 0 };
  gint64 total_us = 0;
  guint argv_words = 0;

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
      g_autoptr (QemuCommand) command = NULL;
      g_autofree char *xml = NULL;
      gint64 t[N_STEPS + 1];

      t[0] = g_get_monotonic_time ();
      def = domain_def_parse_xml (typical_q35, len, &error);
      t[1] = g_get_monotonic_time ();
      if (def == NULL || !domain_def_fill_defaults (def, &error))
        goto failed;
      t[2] = g_get_monotonic_time ();
      if (!domain_def_validate (def, &error))
        goto failed;
      t[3] = g_get_monotonic_time ();
      xml = domain_def_format_xml (def);
      t[4] = g_get_monotonic_time ();
      command = qemu_command_build (def, &config, &error);
      t[5] = g_get_monotonic_time ();
      if (command == NULL)
        goto failed;

      for (guint s = 0; s < N_STEPS; s++)
        step_us[s] += t[s + 1] - t[s];
      total_us += t[N_STEPS] - t[0];
      argv_words = command->argv->len;
      continue;

    failed:
      fprintf (stderr, "bench-argv: the benchmark domain fails: %s\n",
               error->message);
      return 1;
    }

  printf ("domain: typical q35 (virtio disk, sata cdrom, virtio NIC, serial, "
          "agent channel, rng, VNC)\n");
  printf ("input %" G_GSIZE_FORMAT " bytes, %u argv words, %u definitions\n",
          len, argv_words, count);
  for (guint s = 0; s < N_STEPS; s++)
    printf ("  %-9s %8.2f us/domain\n", step_names[s],
            (double) step_us[s] / count);
  printf ("  %-9s %8.2f us/domain (target <= 100)\n", "total",
          (double) total_us / count);
  printf ("throughput: %.0f domains/s (parse + defaults + validate + format "
          "+ argv)\n", count * 1e6 / (double) MAX (total_us, 1));
  return 0;
}
