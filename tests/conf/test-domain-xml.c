/* Domain XML tests: golden files and unit cases.
 *
 * tests/data/conf/ holds three kinds of cases, one test per file:
 *   good/NAME.xml   parsed, defaulted and validated; the canonical XML
 *                   must equal good/NAME.out.xml. Round trips are checked
 *                   on both files.
 *   bad/NAME.xml    must fail; bad/NAME.err holds "CODE: message", the
 *                   first problem, exactly.
 *   check/NAME.xml  domain_def_check_xml() must list exactly the
 *                   problems of check/NAME.problems, one per line.
 * With QVIRT_REGENERATE=1 the expected files are rewritten from the
 * current output instead (review the diff before committing).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "conf/domain-defaults.h"
#include "conf/domain-validate.h"
#include "conf/domain-xml.h"

static gboolean regenerate;

static const char *
code_name (int code)
{
  switch (code)
    {
    case QVIRT_CONF_ERROR_INVALID_XML:
      return "INVALID_XML";
    case QVIRT_CONF_ERROR_UNSUPPORTED:
      return "UNSUPPORTED";
    case QVIRT_CONF_ERROR_INVALID_VALUE:
      return "INVALID_VALUE";
    case QVIRT_CONF_ERROR_NEEDS_OTHER_DRIVER:
      return "NEEDS_OTHER_DRIVER";
    default:
      return "?";
    }
}

static char *
data_dir (const char *kind)
{
  const char *source_dir = g_getenv ("QVIRT_SOURCE_DIR");

  if (source_dir == NULL)
    g_error ("QVIRT_SOURCE_DIR is not set (run the tests with meson test)");
  return g_build_filename (source_dir, "tests", "data", "conf", kind, NULL);
}

static char *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("%s", error->message);
  return contents;
}

/* Compares @actual with the file @path, or rewrites the file. */
static void
check_expected (const char *path, const char *actual)
{
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;

  if (regenerate)
    {
      if (!g_file_set_contents (path, actual, -1, &error))
        g_error ("%s", error->message);
      return;
    }
  expected = read_file (path);
  g_assert_cmpstr (actual, ==, expected);
}

static DomainDef *
parse_raw (const char *xml)
{
  g_autoptr (GError) error = NULL;
  DomainDef *def = domain_def_parse_xml (xml, strlen (xml), &error);

  g_assert_no_error (error);
  g_assert_nonnull (def);
  return def;
}

/* ------------------------------------------------------------------------
 * Golden files
 */

static void
test_good (gconstpointer data)
{
  const char *input_path = data;
  g_autofree char *stem = g_strndup (input_path,
                                     strlen (input_path) - strlen (".xml"));
  g_autofree char *output_path = g_strconcat (stem, ".out.xml", NULL);
  g_autofree char *input = read_file (input_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DomainDef) def = NULL;
  g_autoptr (DomainDef) raw = NULL;
  g_autoptr (DomainDef) raw_again = NULL;
  g_autoptr (DomainDef) reparsed = NULL;
  g_autoptr (DomainDef) copy = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *raw_formatted = NULL;
  g_autofree char *reformatted = NULL;

  def = domain_def_new_from_xml (input, strlen (input), &error);
  g_assert_no_error (error);
  formatted = domain_def_format_xml (def);
  check_expected (output_path, formatted);

  /* parse(format(x)) == x for the defaulted definition, and filling
   * defaults again changes nothing. */
  reparsed = parse_raw (formatted);
  g_assert_true (domain_def_equal (def, reparsed));
  g_assert_true (domain_def_fill_defaults (reparsed, &error));
  g_assert_no_error (error);
  g_assert_true (domain_def_equal (def, reparsed));
  g_assert_true (domain_def_validate (reparsed, &error));
  g_assert_no_error (error);
  reformatted = domain_def_format_xml (reparsed);
  g_assert_cmpstr (reformatted, ==, formatted);

  /* The same without defaults: the input as parsed survives formatting. */
  raw = parse_raw (input);
  raw_formatted = domain_def_format_xml (raw);
  raw_again = parse_raw (raw_formatted);
  g_assert_true (domain_def_equal (raw, raw_again));

  copy = domain_def_copy (def);
  g_assert_true (domain_def_equal (def, copy));

  problems = domain_def_check_xml (input, strlen (input));
  for (guint i = 0; i < problems->len; i++)
    {
      const DomainProblem *problem = g_ptr_array_index (problems, i);
      g_test_message ("unexpected problem: %s", problem->message);
    }
  g_assert_cmpuint (problems->len, ==, 0);
}

/* The expected outputs are canonical: parsing and formatting one gives
 * it back byte for byte. */
static void
test_good_output (gconstpointer data)
{
  const char *output_path = data;
  g_autofree char *output = read_file (output_path);
  g_autoptr (DomainDef) def = parse_raw (output);
  g_autofree char *formatted = domain_def_format_xml (def);

  g_assert_cmpstr (formatted, ==, output);
}

static char *
problem_line (const DomainProblem *problem)
{
  return g_strdup_printf ("%s: %s\n", code_name (problem->code),
                          problem->message);
}

static void
test_bad (gconstpointer data)
{
  const char *input_path = data;
  g_autofree char *stem = g_strndup (input_path,
                                     strlen (input_path) - strlen (".xml"));
  g_autofree char *error_path = g_strconcat (stem, ".err", NULL);
  g_autofree char *input = read_file (input_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DomainDef) def = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *first = NULL;

  def = domain_def_new_from_xml (input, strlen (input), &error);
  g_assert_null (def);
  g_assert_nonnull (error);
  g_assert_true (error->domain == QVIRT_CONF_ERROR);
  actual = g_strdup_printf ("%s: %s\n", code_name (error->code),
                            error->message);
  check_expected (error_path, actual);

  /* Listing every problem starts with the same one. */
  problems = domain_def_check_xml (input, strlen (input));
  g_assert_cmpuint (problems->len, >=, 1);
  first = problem_line (g_ptr_array_index (problems, 0));
  g_assert_cmpstr (first, ==, actual);
}

static void
test_check (gconstpointer data)
{
  const char *input_path = data;
  g_autofree char *stem = g_strndup (input_path,
                                     strlen (input_path) - strlen (".xml"));
  g_autofree char *problems_path = g_strconcat (stem, ".problems", NULL);
  g_autofree char *input = read_file (input_path);
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GString) actual = g_string_new (NULL);

  problems = domain_def_check_xml (input, strlen (input));
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = problem_line (g_ptr_array_index (problems, i));
      g_string_append (actual, line);
    }
  check_expected (problems_path, actual->str);
}

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Adds one test per NAME.xml in tests/data/conf/@kind (not *.out.xml). */
static void
add_file_tests (const char *kind, GTestDataFunc func, GPtrArray *keep)
{
  g_autofree char *dir_path = data_dir (kind);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    g_error ("%s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".xml") && !g_str_has_suffix (name, ".out.xml"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  if (names->len == 0)
    g_error ("no test files in %s", dir_path);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *stem = g_strndup (file, strlen (file) - 4);
      char *path = g_build_filename (dir_path, file, NULL);
      g_autofree char *test_name = g_strdup_printf ("/conf/%s/%s", kind, stem);

      g_ptr_array_add (keep, path);
      g_test_add_data_func (test_name, path, func);
      if (func == test_good && !regenerate)
        {
          char *out_path = g_strdup_printf ("%s/%s.out.xml", dir_path, stem);
          g_autofree char *out_name =
            g_strdup_printf ("/conf/%s-output/%s", kind, stem);

          g_ptr_array_add (keep, out_path);
          g_test_add_data_func (out_name, out_path, test_good_output);
        }
    }
}

/* ------------------------------------------------------------------------
 * Unit cases
 */

static const char minimal[] =
  "<domain type='qemu'>\n"
  "  <name>vm</name>\n"
  "  <memory>65536</memory>\n"
  "  <os><type>hvm</type></os>\n"
  "%s"
  "</domain>\n";

static char *
minimal_with (const char *devices)
{
  return g_strdup_printf (minimal, devices);
}

static void
assert_parse_error (const char *xml, QvirtConfError code, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DomainDef) def = domain_def_new_from_xml (xml, strlen (xml),
                                                       &error);

  g_assert_null (def);
  g_assert_error (error, QVIRT_CONF_ERROR, (int) code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_size_limit (void)
{
  gsize len = DOMAIN_XML_MAX_SIZE + 1;
  g_autofree char *big = g_malloc (len);
  g_autofree char *message = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (DomainDef) def = NULL;
  g_autofree char *padded = NULL;
  gsize head_len, at, end;

  memset (big, ' ', len);
  def = domain_def_parse_xml (big, len, &error);
  g_assert_null (def);
  message = g_strdup_printf ("the document is %" G_GSIZE_FORMAT " bytes, "
                             "more than the limit of %u bytes",
                             len, DOMAIN_XML_MAX_SIZE);
  g_assert_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_INVALID_XML);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  /* A document of exactly the limit is read (padded with comments). */
  padded = minimal_with ("");
  head_len = strlen (padded) - strlen ("</domain>\n");
  big = g_realloc (big, DOMAIN_XML_MAX_SIZE);
  memcpy (big, padded, head_len);
  end = DOMAIN_XML_MAX_SIZE - strlen ("</domain>\n");
  for (at = head_len; end - at >= 1000; at += 1000)
    {
      memcpy (big + at, "<!--", 4);
      memset (big + at + 4, 'x', 1000 - 8);
      memcpy (big + at + 1000 - 4, "-->\n", 4);
    }
  memset (big + at, '\n', end - at);
  memcpy (big + end, "</domain>\n", strlen ("</domain>\n"));
  def = domain_def_parse_xml (big, DOMAIN_XML_MAX_SIZE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (def);
}

static void
test_not_nul_terminated (void)
{
  g_autofree char *xml = minimal_with ("");
  gsize len = strlen (xml);
  g_autofree char *buffer = g_malloc (len + 8);
  g_autoptr (GError) error = NULL;
  g_autoptr (DomainDef) def = NULL;

  memcpy (buffer, xml, len);
  memcpy (buffer + len, "<junk>!!", 8);
  def = domain_def_parse_xml (buffer, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (def->name, ==, "vm");
}

static void
test_empty_document (void)
{
  assert_parse_error ("", QVIRT_CONF_ERROR_INVALID_XML,
                      "the document is empty");
}

/* Entity expansion is off and DTDs are refused before any entity is
 * declared: the classic "billion laughs" is a quick, clear error. */
static void
test_billion_laughs (void)
{
  GString *xml = g_string_new ("<?xml version='1.0'?>\n<!DOCTYPE domain [\n"
                               "  <!ENTITY lol0 'lol'>\n");

  for (guint i = 1; i < 10; i++)
    g_string_append_printf (xml, "  <!ENTITY lol%u '&lol%u;&lol%u;&lol%u;"
                            "&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;"
                            "&lol%u;'>\n", i, i - 1, i - 1, i - 1, i - 1,
                            i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
  g_string_append (xml, "]>\n<domain type='qemu'><name>&lol9;</name>"
                        "</domain>\n");
  assert_parse_error (xml->str, QVIRT_CONF_ERROR_INVALID_XML,
                      "DTDs are not allowed in domain XML (<!DOCTYPE> at "
                      "line 2)");
  g_string_free (xml, TRUE);
}

static void
test_external_entity (void)
{
  assert_parse_error ("<!DOCTYPE domain SYSTEM 'file:///etc/passwd'>\n"
                      "<domain type='qemu'/>\n",
                      QVIRT_CONF_ERROR_INVALID_XML,
                      "DTDs are not allowed in domain XML (<!DOCTYPE> at "
                      "line 1)");
}

/* Without a DTD, an entity reference cannot be defined. */
static void
test_undefined_entity (void)
{
  assert_parse_error ("<domain type='qemu'>\n  <name>&xxe;</name>\n"
                      "</domain>\n",
                      QVIRT_CONF_ERROR_INVALID_XML,
                      "malformed XML at line 2, column 15: Entity name 'xxe' "
                      "is not known");
}

/* A third element of one name names the first as the first; elements
 * are the same when their namespace URIs are, whatever the prefixes. */
static void
test_duplicates (void)
{
  g_autofree char *names = minimal_with ("  <name>b</name>\n  <name>c</name>\n");
  g_autofree char *commandlines = minimal_with (
    "  <a:commandline xmlns:a='http://libvirt.org/schemas/domain/qemu/1.0'/>\n"
    "  <b:commandline xmlns:b='http://libvirt.org/schemas/domain/qemu/1.0'/>\n");
  g_autoptr (GPtrArray) problems = domain_def_check_xml (names, strlen (names));

  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (((DomainProblem *) problems->pdata[1])->message, ==,
                   "duplicate element <name> at line 6 (first at line 2)");
  assert_parse_error (commandlines, QVIRT_CONF_ERROR_INVALID_VALUE,
                      "duplicate element <b:commandline> at line 6 (first at "
                      "line 5)");
}

/* Many differently named children, each an error, cost no more than
 * their number: the duplicate check is no walk over earlier siblings. */
static void
test_many_unknown_children (void)
{
  g_autoptr (GString) xml = g_string_new ("<domain type='qemu'>\n");
  g_autoptr (GPtrArray) problems = NULL;
  const guint children = 200000;

  for (guint i = 0; i < children; i++)
    g_string_append_printf (xml, "<e%u/>", i);
  g_string_append (xml, "\n</domain>\n");
  problems = domain_def_check_xml (xml->str, xml->len);
  /* Each unsupported, and <name>, <memory>, <os> missing. */
  g_assert_cmpuint (problems->len, ==, children + 3);
}

/* An encoding other than UTF-8 is an error, reported, not printed. */
static void
test_encoding_error_is_quiet (void)
{
  static const char xml[] = "<?xml version='1.0' encoding='ISO-2022-JP'?>\n"
                            "<domain type='qemu'>\x1b$B\xff\xff</domain>\n";

  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DomainDef) def = domain_def_parse_xml (xml, strlen (xml),
                                                        &error);

      g_assert_null (def);
      g_assert_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_INVALID_XML);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

static void
test_big_line_numbers (void)
{
  g_autoptr (GString) xml = g_string_new ("<domain type='qemu'>\n"
                                          "  <name>vm</name>\n");
  g_autofree char *message = NULL;

  for (guint i = 0; i < 70000; i++)
    g_string_append_c (xml, '\n');
  g_string_append (xml, "  <bogus/>\n</domain>\n");
  message = g_strdup_printf ("unsupported element <bogus> at line %u",
                             70000 + 3);
  assert_parse_error (xml->str, QVIRT_CONF_ERROR_UNSUPPORTED, message);
}

static void
test_generated_uuid_and_macs (void)
{
  g_autofree char *xml = minimal_with (
    "  <devices>\n"
    "    <interface type='user'/>\n"
    "    <interface type='user'/>\n"
    "  </devices>\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (DomainDef) first = domain_def_new_from_xml (xml, strlen (xml),
                                                         &error);
  g_autoptr (DomainDef) second = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *canonical = NULL;
  const DomainInterface *a, *b;

  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (first->uuid));
  a = g_ptr_array_index (first->interfaces, 0);
  b = g_ptr_array_index (first->interfaces, 1);
  g_assert_true (g_str_has_prefix (a->mac, "52:54:00:"));
  g_assert_cmpstr (a->mac, !=, b->mac);

  /* The MACs follow from the UUID: the same UUID gives the same MACs. */
  formatted = domain_def_format_xml (first);
  second = parse_raw (formatted);
  g_free (((DomainInterface *) g_ptr_array_index (second->interfaces, 0))->mac);
  g_free (((DomainInterface *) g_ptr_array_index (second->interfaces, 1))->mac);
  ((DomainInterface *) g_ptr_array_index (second->interfaces, 0))->mac = NULL;
  ((DomainInterface *) g_ptr_array_index (second->interfaces, 1))->mac = NULL;
  g_assert_true (domain_def_fill_defaults (second, &error));
  g_assert_true (domain_def_equal (first, second));

  /* Two definitions without a UUID get different ones. */
  g_clear_pointer (&second, domain_def_free);
  second = domain_def_new_from_xml (xml, strlen (xml), &error);
  g_assert_cmpstr (first->uuid, !=, second->uuid);
}

static void
test_equal_notices_changes (void)
{
  g_autofree char *xml = minimal_with (
    "  <devices>\n"
    "    <disk type='file'><source file='/a'/><target dev='vda'/></disk>\n"
    "  </devices>\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (DomainDef) def = domain_def_new_from_xml (xml, strlen (xml),
                                                       &error);
  g_autoptr (DomainDef) copy = NULL;
  DomainDisk *disk;

  g_assert_no_error (error);
  copy = domain_def_copy (def);
  g_assert_true (domain_def_equal (def, copy));

  disk = g_ptr_array_index (copy->disks, 0);
  disk->address.pci.slot++;
  g_assert_false (domain_def_equal (def, copy));
  disk->address.pci.slot--;
  disk->line = 99;   /* lines do not count */
  g_assert_true (domain_def_equal (def, copy));
  g_free (copy->os.cmdline);
  copy->os.cmdline = g_strdup ("x");
  g_assert_false (domain_def_equal (def, copy));
}

/* Odd characters survive formatting and parsing: quotes, ampersands,
 * tabs and newlines in attributes, carriage returns in text. */
static void
test_escaping_round_trip (void)
{
  g_autoptr (DomainDef) def = NULL;
  g_autoptr (DomainDef) again = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *formatted = NULL;

  xml = minimal_with ("  <devices/>\n");
  def = parse_raw (xml);
  def->description = g_strdup ("a & b < c > d ' \" \r\n\ttab ]]>");
  def->title = g_strdup ("it's \"quoted\" & <tagged>");
  g_ptr_array_add (def->qemu_args, g_strdup ("-arg='x'\t\"y\"\n&z\r"));
  g_ptr_array_add (def->qemu_args, g_strdup (""));
  formatted = domain_def_format_xml (def);
  again = parse_raw (formatted);
  g_assert_true (domain_def_equal (def, again));
  g_assert_cmpstr (g_ptr_array_index (again->qemu_args, 0), ==,
                   "-arg='x'\t\"y\"\n&z\r");
}

static void
test_problem_lists_everything (void)
{
  g_autofree char *xml = minimal_with (
    "  <devices>\n"
    "    <hostdev/>\n"
    "    <disk type='file'><source file='/a'/><target dev='vda'/>"
    "<driver foo='1'/></disk>\n"
    "    <interface type='network'><source network='default'/></interface>\n"
    "  </devices>\n");
  g_autoptr (GPtrArray) problems = domain_def_check_xml (xml, strlen (xml));
  const DomainProblem *problem;

  g_assert_cmpuint (problems->len, ==, 3);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->code, ==, QVIRT_CONF_ERROR_UNSUPPORTED);
  g_assert_cmpuint (problem->line, ==, 6);
  g_assert_cmpstr (problem->message, ==,
                   "unsupported element <devices/hostdev> at line 6");
  problem = g_ptr_array_index (problems, 1);
  g_assert_cmpstr (problem->message, ==,
                   "unsupported attribute 'foo' of <devices/disk/driver> at "
                   "line 7");
  problem = g_ptr_array_index (problems, 2);
  g_assert_cmpint (problem->code, ==, QVIRT_CONF_ERROR_NEEDS_OTHER_DRIVER);
  g_assert_cmpuint (problem->line, ==, 8);
}

static void
test_parse_only_keeps_unset (void)
{
  g_autofree char *xml = minimal_with ("");
  g_autoptr (DomainDef) def = parse_raw (xml);

  /* Parsing fills nothing: that is the job of defaults. */
  g_assert_null (def->uuid);
  g_assert_null (def->os.machine);
  g_assert_null (def->memballoon);
  g_assert_cmpuint (def->controllers->len, ==, 0);
  g_assert_cmpuint (def->vcpus, ==, 0);
  g_assert_true (domain_def_fill_defaults (def, NULL));
  g_assert_cmpstr (def->os.machine, ==, "pc");
  g_assert_cmpint (def->os.arch, ==, DOMAIN_ARCH_X86_64);
  g_assert_cmpuint (def->vcpus, ==, 1);
  g_assert_cmpuint (def->current_memory_kib, ==, 65536);
  g_assert_nonnull (def->memballoon);
  g_assert_cmpint (def->memballoon->address.type, ==, DOMAIN_ADDRESS_PCI);
  g_assert_cmpuint (def->memballoon->address.pci.slot, ==, 3);
}

/* The examples of docs/domain-xml.md load without a problem. */
static void
test_docs_examples (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("QVIRT_SOURCE_DIR"),
                                            "docs", "domain-xml.md", NULL);
  g_autofree char *doc = read_file (path);
  const char *at = doc;
  guint n_examples = 0;

  while ((at = strstr (at, "```xml\n")) != NULL)
    {
      const char *start = at + strlen ("```xml\n");
      const char *end = strstr (start, "```");
      g_autofree char *example = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (DomainDef) def = NULL;

      g_assert_nonnull (end);
      example = g_strndup (start, (gsize) (end - start));
      def = domain_def_new_from_xml (example, strlen (example), &error);
      g_assert_no_error (error);
      n_examples++;
      at = end + 3;
    }
  g_assert_cmpuint (n_examples, >=, 3);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);
  regenerate = g_strcmp0 (g_getenv ("QVIRT_REGENERATE"), "1") == 0;

  add_file_tests ("good", test_good, keep);
  add_file_tests ("bad", test_bad, keep);
  add_file_tests ("check", test_check, keep);

  g_test_add_func ("/conf/xml/size-limit", test_size_limit);
  g_test_add_func ("/conf/xml/not-nul-terminated", test_not_nul_terminated);
  g_test_add_func ("/conf/xml/empty-document", test_empty_document);
  g_test_add_func ("/conf/xml/billion-laughs", test_billion_laughs);
  g_test_add_func ("/conf/xml/external-entity", test_external_entity);
  g_test_add_func ("/conf/xml/undefined-entity", test_undefined_entity);
  g_test_add_func ("/conf/xml/big-line-numbers", test_big_line_numbers);
  g_test_add_func ("/conf/xml/duplicates", test_duplicates);
  g_test_add_func ("/conf/xml/many-unknown-children",
                   test_many_unknown_children);
  g_test_add_func ("/conf/xml/encoding-error-is-quiet",
                   test_encoding_error_is_quiet);
  g_test_add_func ("/conf/xml/generated-uuid-and-macs",
                   test_generated_uuid_and_macs);
  g_test_add_func ("/conf/xml/equal-notices-changes",
                   test_equal_notices_changes);
  g_test_add_func ("/conf/xml/escaping-round-trip", test_escaping_round_trip);
  g_test_add_func ("/conf/xml/problem-lists-everything",
                   test_problem_lists_everything);
  g_test_add_func ("/conf/xml/parse-only-keeps-unset",
                   test_parse_only_keeps_unset);
  g_test_add_func ("/conf/docs/examples", test_docs_examples);
  return g_test_run ();
}
