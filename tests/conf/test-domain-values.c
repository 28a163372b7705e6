/* Unit tests of the value syntax checkers (src/conf/domain-values.c) and
 * the enum string tables.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/domain.h"
#include "conf/domain-addresses.h"
#include "conf/domain-values.h"

static void
test_names (void)
{
  const char *reason = NULL;
  g_autofree char *name64 = g_strnfill (64, 'a');
  g_autofree char *name65 = g_strnfill (65, 'a');

  g_assert_true (domain_name_is_valid ("vm1", NULL));
  g_assert_true (domain_name_is_valid ("a.b_c+d-e", NULL));
  g_assert_true (domain_name_is_valid ("a..", NULL));
  g_assert_true (domain_name_is_valid (name64, NULL));

  g_assert_false (domain_name_is_valid ("a/b", &reason));
  g_assert_cmpstr (reason, ==, "a name cannot contain '/'");
  g_assert_false (domain_name_is_valid ("..", &reason));
  g_assert_cmpstr (reason, ==, "a name cannot start with '.'");
  g_assert_false (domain_name_is_valid (".hidden", &reason));
  g_assert_cmpstr (reason, ==, "a name cannot start with '.'");
  g_assert_false (domain_name_is_valid ("", &reason));
  g_assert_cmpstr (reason, ==, "a name cannot be empty");
  g_assert_false (domain_name_is_valid (NULL, &reason));
  g_assert_false (domain_name_is_valid (name65, &reason));
  g_assert_cmpstr (reason, ==, "a name is at most 64 characters long");
  g_assert_false (domain_name_is_valid ("with space", &reason));
  g_assert_cmpstr (reason, ==,
                   "a name may only contain letters, digits, '_', '.', '+' "
                   "and '-'");
  g_assert_false (domain_name_is_valid ("caf\xc3\xa9", NULL));
  g_assert_false (domain_name_is_valid ("a:b", NULL));
}

static void
test_uuids (void)
{
  struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "8d6d5e1c-3f5a-4f7e-9b2a-1c2d3e4f5a6b",
      "8d6d5e1c-3f5a-4f7e-9b2a-1c2d3e4f5a6b" },
    { "8D6D5E1C-3F5A-4F7E-9B2A-1C2D3E4F5A6B",
      "8d6d5e1c-3f5a-4f7e-9b2a-1c2d3e4f5a6b" },
    { "8d6d5e1c3f5a4f7e9b2a1c2d3e4f5a6b",
      "8d6d5e1c-3f5a-4f7e-9b2a-1c2d3e4f5a6b" },
    { "8d6d5e1c-3f5a-4f7e-9b2a-1c2d3e4f5a6", NULL },
    { "8d6d5e1c-3f5a-4f7e-9b2a-1c2d3e4f5a6bb", NULL },
    { "8d6d5e1c3-f5a-4f7e-9b2a-1c2d3e4f5a6b", NULL },
    { "gd6d5e1c-3f5a-4f7e-9b2a-1c2d3e4f5a6b", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = domain_uuid_normalize (cases[i].in);

      g_assert_cmpstr (normalized, ==, cases[i].out);
    }
  g_assert_null (domain_uuid_normalize (NULL));
}

static void
test_macs (void)
{
  const char *reason = NULL;
  g_autofree char *mac = NULL;

  g_assert_true (domain_mac_normalize ("52:54:00:AB:cd:0F", &mac, &reason));
  g_assert_cmpstr (mac, ==, "52:54:00:ab:cd:0f");
  g_clear_pointer (&mac, g_free);

  g_assert_false (domain_mac_normalize ("01:00:5e:00:00:01", &mac, &reason));
  g_assert_cmpstr (reason, ==, "a multicast MAC address cannot be used");
  g_assert_false (domain_mac_normalize ("52:54:00:ab:cd", &mac, &reason));
  g_assert_cmpstr (reason, ==,
                   "expected six hex bytes separated by ':' "
                   "(52:54:00:12:34:56)");
  g_assert_false (domain_mac_normalize ("52-54-00-ab-cd-ef", &mac, NULL));
  g_assert_false (domain_mac_normalize ("52:54:00:ab:cd:eg", &mac, NULL));
  g_assert_false (domain_mac_normalize ("52:54:00:ab:cd:e", &mac, NULL));
  g_assert_null (mac);
}

static void
test_sizes (void)
{
  struct {
    const char *number;
    const char *unit;
    guint64 kib;
  } good[] = {
    { "1024", NULL, 1024 },
    { "1024", "KiB", 1024 },
    { "1024", "k", 1024 },
    { "1024", "K", 1024 },
    { "2", "MiB", 2048 },
    { "2", "M", 2048 },
    { "2", "m", 2048 },
    { "2", "GiB", 2097152 },
    { "2", "G", 2097152 },
    { "1", "TiB", G_GUINT64_CONSTANT (1073741824) },
    { "1", "PiB", G_GUINT64_CONSTANT (1099511627776) },
    { "1000", "KB", 977 },              /* 1 000 000 bytes, rounded up */
    { "1", "MB", 977 },
    { "1", "GB", 976563 },
    { "1", "b", 1 },                    /* rounded up to a KiB */
    { "1024", "bytes", 1 },
    { "1025", "B", 2 },
    { "0", "KiB", 0 },
  };
  const char *reason = NULL;
  guint64 kib;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (domain_size_to_kib (good[i].number, good[i].unit, &kib,
                                         &reason));
      g_assert_cmpuint (kib, ==, good[i].kib);
    }

  g_assert_false (domain_size_to_kib ("1", "XiB", &kib, &reason));
  g_assert_cmpstr (reason, ==,
                   "unknown unit (expected b, KiB, MiB, GiB, TiB, KB, MB, "
                   "GB, TB...)");
  g_assert_false (domain_size_to_kib ("1", "", &kib, NULL));
  g_assert_false (domain_size_to_kib ("1", "KiBB", &kib, NULL));
  g_assert_false (domain_size_to_kib ("-1", NULL, &kib, &reason));
  g_assert_cmpstr (reason, ==, "expected a non-negative decimal integer");
  g_assert_false (domain_size_to_kib ("1.5", "G", &kib, NULL));
  g_assert_false (domain_size_to_kib ("0x10", NULL, &kib, NULL));
  g_assert_false (domain_size_to_kib (" 1", NULL, &kib, NULL));
  g_assert_false (domain_size_to_kib ("", NULL, &kib, NULL));
  g_assert_false (domain_size_to_kib ("99999999999999999999", NULL, &kib,
                                      NULL));
  g_assert_false (domain_size_to_kib ("16", "EiB", &kib, &reason));
  g_assert_cmpstr (reason, ==, "the size is too large");
  /* The largest size whose byte count still fits in 64 bits. */
  g_assert_true (domain_size_to_kib ("18014398509481983", NULL, &kib, NULL));
  g_assert_false (domain_size_to_kib ("18014398509481984", NULL, &kib, NULL));
}

static void
test_uints (void)
{
  guint64 value;

  g_assert_true (domain_uint_parse ("0", 10, &value));
  g_assert_cmpuint (value, ==, 0);
  g_assert_true (domain_uint_parse ("0x1f", 31, &value));
  g_assert_cmpuint (value, ==, 31);
  g_assert_true (domain_uint_parse ("010", 10, &value));
  g_assert_cmpuint (value, ==, 10);
  g_assert_false (domain_uint_parse ("0x20", 31, &value));
  g_assert_false (domain_uint_parse ("0x", 31, &value));
  g_assert_false (domain_uint_parse ("", 31, &value));
  g_assert_false (domain_uint_parse ("+1", 31, &value));
  g_assert_false (domain_uint_parse ("1 ", 31, &value));
  g_assert_false (domain_uint_parse ("18446744073709551616", G_MAXUINT64,
                                     &value));
  g_assert_true (domain_uint_parse ("18446744073709551615", G_MAXUINT64,
                                    &value));
  g_assert_cmpuint (value, ==, G_MAXUINT64);
}

static void
test_cpusets (void)
{
  g_autoptr (GArray) cpus = NULL;
  const char *reason = NULL;

  g_assert_true (domain_cpuset_parse ("0-3,^2,8", &cpus, &reason));
  g_assert_cmpuint (cpus->len, ==, 4);
  g_assert_cmpuint (g_array_index (cpus, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (cpus, guint, 1), ==, 1);
  g_assert_cmpuint (g_array_index (cpus, guint, 2), ==, 3);
  g_assert_cmpuint (g_array_index (cpus, guint, 3), ==, 8);

  g_assert_true (domain_cpuset_parse ("8191", NULL, NULL));
  g_assert_false (domain_cpuset_parse ("8192", NULL, &reason));
  g_assert_cmpstr (reason, ==,
                   "expected a list like 0-3,^2,8 of CPU numbers up to 8191");
  g_assert_false (domain_cpuset_parse ("^1", NULL, &reason));
  g_assert_cmpstr (reason, ==, "the CPU set selects no CPU");
  g_assert_false (domain_cpuset_parse ("3-1", NULL, NULL));
  g_assert_false (domain_cpuset_parse ("1,", NULL, NULL));
  g_assert_false (domain_cpuset_parse ("1 ,2", NULL, NULL));
  g_assert_false (domain_cpuset_parse ("", NULL, NULL));
  g_assert_false (domain_cpuset_parse ("a", NULL, NULL));
}

static void
test_ifnames (void)
{
  g_assert_true (domain_ifname_is_valid ("br0", NULL));
  g_assert_true (domain_ifname_is_valid ("tap-123456789ab", NULL));
  g_assert_false (domain_ifname_is_valid ("tap-123456789abc", NULL));
  g_assert_false (domain_ifname_is_valid ("a/b", NULL));
  g_assert_false (domain_ifname_is_valid ("a b", NULL));
  g_assert_false (domain_ifname_is_valid ("..", NULL));
  g_assert_false (domain_ifname_is_valid ("", NULL));
}

static void
test_disk_names (void)
{
  g_assert_cmpint (domain_disk_name_to_index ("vda"), ==, 0);
  g_assert_cmpint (domain_disk_name_to_index ("hdd"), ==, 3);
  g_assert_cmpint (domain_disk_name_to_index ("sdz"), ==, 25);
  g_assert_cmpint (domain_disk_name_to_index ("sdaa"), ==, 26);
  g_assert_cmpint (domain_disk_name_to_index ("sdzz"), ==, 701);
  g_assert_cmpint (domain_disk_name_to_index ("sdaaa"), ==, 702);
  g_assert_cmpint (domain_disk_name_to_index ("sd"), ==, -1);
  g_assert_cmpint (domain_disk_name_to_index ("sdA"), ==, -1);
  g_assert_cmpint (domain_disk_name_to_index ("sdaaaa"), ==, -1);
}

/* Every value of every table has a spelling that reads back as itself. */
static void
check_table (const DomainEnumTable *table, gboolean first_is_unset)
{
  for (guint i = 0; i < table->n_values; i++)
    {
      const char *name = domain_enum_to_string (table, (int) i);

      if (i == 0 && first_is_unset)
        {
          g_assert_null (name);
          continue;
        }
      g_assert_nonnull (name);
      g_assert_cmpint (domain_enum_from_string (table, name), ==, (int) i);
    }
  g_assert_null (domain_enum_to_string (table, (int) table->n_values));
  g_assert_null (domain_enum_to_string (table, -1));
  g_assert_cmpint (domain_enum_from_string (table, "no-such-value"), ==, -1);
  g_assert_cmpint (domain_enum_from_string (table, NULL), ==, -1);
}

static void
test_enum_tables (void)
{
  g_autofree char *expected = NULL;

  check_table (&domain_yes_no_table, TRUE);
  check_table (&domain_on_off_table, TRUE);
  check_table (&domain_virt_type_table, FALSE);
  check_table (&domain_arch_table, TRUE);
  check_table (&domain_boot_device_table, FALSE);
  check_table (&domain_loader_type_table, TRUE);
  check_table (&domain_cpu_mode_table, FALSE);
  check_table (&domain_cpu_match_table, TRUE);
  check_table (&domain_cpu_check_table, TRUE);
  check_table (&domain_cpu_fallback_table, TRUE);
  check_table (&domain_cpu_feature_policy_table, FALSE);
  check_table (&domain_clock_offset_table, TRUE);
  check_table (&domain_timer_name_table, FALSE);
  check_table (&domain_tick_policy_table, TRUE);
  check_table (&domain_lifecycle_action_table, TRUE);
  check_table (&domain_disk_type_table, FALSE);
  check_table (&domain_disk_device_table, FALSE);
  check_table (&domain_disk_bus_table, TRUE);
  check_table (&domain_disk_format_table, TRUE);
  check_table (&domain_disk_cache_table, TRUE);
  check_table (&domain_disk_discard_table, TRUE);
  check_table (&domain_disk_io_table, TRUE);
  check_table (&domain_controller_type_table, FALSE);
  check_table (&domain_controller_model_table, TRUE);
  check_table (&domain_address_type_table, TRUE);
  check_table (&domain_net_type_table, FALSE);
  check_table (&domain_net_model_table, TRUE);
  check_table (&domain_chardev_type_table, FALSE);
  check_table (&domain_chardev_mode_table, TRUE);
  check_table (&domain_console_target_type_table, TRUE);
  check_table (&domain_listen_type_table, TRUE);
  check_table (&domain_video_model_table, FALSE);
  check_table (&domain_input_type_table, FALSE);
  check_table (&domain_input_bus_table, TRUE);
  check_table (&domain_rng_backend_table, FALSE);
  check_table (&domain_watchdog_model_table, FALSE);
  check_table (&domain_watchdog_action_table, TRUE);
  check_table (&domain_memballoon_model_table, FALSE);

  g_assert_cmpstr (domain_disk_bus_to_string (DOMAIN_DISK_BUS_SATA), ==,
                   "sata");
  g_assert_cmpint (domain_disk_bus_from_string ("scsi"), ==,
                   DOMAIN_DISK_BUS_SCSI);
  expected = domain_enum_expected (&domain_disk_bus_table);
  g_assert_cmpstr (expected, ==, "virtio, ide, sata or scsi");
}

static void
test_machine_families (void)
{
  g_assert_cmpint (domain_machine_family ("pc"), ==, DOMAIN_MACHINE_PC);
  g_assert_cmpint (domain_machine_family ("pc-i440fx-7.2"), ==,
                   DOMAIN_MACHINE_PC);
  g_assert_cmpint (domain_machine_family ("q35"), ==, DOMAIN_MACHINE_Q35);
  g_assert_cmpint (domain_machine_family ("pc-q35-7.2"), ==,
                   DOMAIN_MACHINE_Q35);
  g_assert_cmpint (domain_machine_family ("microvm"), ==,
                   DOMAIN_MACHINE_MICROVM);
  g_assert_cmpint (domain_machine_family ("virt"), ==, DOMAIN_MACHINE_UNKNOWN);
  g_assert_cmpint (domain_machine_family (NULL), ==, DOMAIN_MACHINE_UNKNOWN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conf/values/names", test_names);
  g_test_add_func ("/conf/values/uuids", test_uuids);
  g_test_add_func ("/conf/values/macs", test_macs);
  g_test_add_func ("/conf/values/sizes", test_sizes);
  g_test_add_func ("/conf/values/uints", test_uints);
  g_test_add_func ("/conf/values/cpusets", test_cpusets);
  g_test_add_func ("/conf/values/ifnames", test_ifnames);
  g_test_add_func ("/conf/values/disk-names", test_disk_names);
  g_test_add_func ("/conf/values/enum-tables", test_enum_tables);
  g_test_add_func ("/conf/values/machine-families", test_machine_families);
  return g_test_run ();
}
