/* Golden tests of the QEMU command line builder: each domain XML in
 * tests/data/argv/ (and each good document of the domain model's own
 * tests, tests/data/conf/good/) against its expected argv, one word per
 * line, in tests/data/argv/NAME.args (conf/NAME.args for the model's
 * documents, or conf/NAME.err when the builder refuses one).
 *
 * QVIRT_REGENERATE_GOLDEN=1 rewrites the expected files from the
 * current output; review the diff before committing it.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "command-test-util.h"

typedef struct {
  char *xml_path;
  char *args_path;
  char *env_path;
  char *err_path;
  gboolean expect_error;  /* the .err file exists: the builder refuses */
} Golden;

static void
golden_free (gpointer data)
{
  Golden *golden = data;

  g_free (golden->xml_path);
  g_free (golden->args_path);
  g_free (golden->env_path);
  g_free (golden->err_path);
  g_free (golden);
}

static void
check_file (const char *path, const char *actual)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  if (command_test_regenerating ())
    {
      g_file_set_contents (path, actual, -1, &error);
      g_assert_no_error (error);
      g_test_message ("regenerated %s", path);
      return;
    }
  if (!g_file_get_contents (path, &expected, NULL, &error))
    g_error ("%s: %s (run with QVIRT_REGENERATE_GOLDEN=1 to create it, "
             "then review it)", path, error->message);
  if (!g_str_equal (expected, actual))
    g_test_message ("%s differs; the builder now gives:\n%s", path, actual);
  g_assert_cmpstr (actual, ==, expected);
}

/* The shell line must give back exactly the environment and the argv. */
static void
check_shell_round_trip (QemuCommand *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shell = qemu_command_to_shell (command);
  g_auto(GStrv) words = NULL;
  gboolean has_newline = FALSE;
  int n_words;

  /* One line, unless a word holds a newline (quoted, so still one
   * command). */
  for (guint i = 0; i < command->argv->len; i++)
    has_newline |= strchr (g_ptr_array_index (command->argv, i), '\n') != NULL;
  if (!has_newline)
    g_assert_null (strchr (shell, '\n'));
  g_assert_true (g_shell_parse_argv (shell, &n_words, &words, &error));
  g_assert_no_error (error);
  g_assert_cmpuint ((guint) n_words, ==, command->env->len + command->argv->len);
  for (guint i = 0; i < command->env->len; i++)
    g_assert_cmpstr (words[i], ==, g_ptr_array_index (command->env, i));
  for (guint i = 0; i < command->argv->len; i++)
    g_assert_cmpstr (words[command->env->len + i], ==,
                     g_ptr_array_index (command->argv, i));
}

static void
test_golden (gconstpointer data)
{
  const Golden *golden = data;
  g_autoptr(DomainDef) def = command_test_load (golden->xml_path);
  g_autoptr(QemuCommand) command = NULL;
  g_autoptr(QemuCommand) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *monitor = NULL;
  g_autofree char *args = NULL;
  QemuCommandConfig config;
  const char * const *argv;

  monitor = command_test_golden_config (def, &config);
  command = qemu_command_build (def, &config, &error);

  if (golden->expect_error ||
      (command == NULL && command_test_regenerating ()))
    {
      g_autofree char *message = NULL;

      g_assert_null (command);
      g_assert_nonnull (error);
      g_assert_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_UNSUPPORTED);
      message = g_strdup_printf ("%s\n", error->message);
      check_file (golden->err_path, message);
      if (command_test_regenerating ())
        g_unlink (golden->args_path);
      return;
    }
  if (command_test_regenerating ())
    g_unlink (golden->err_path);
  if (command == NULL)
    g_error ("%s: %s", golden->xml_path, error->message);

  args = command_test_format_words (command->argv);
  check_file (golden->args_path, args);
  if (command->env->len > 0)
    {
      g_autofree char *env = command_test_format_words (command->env);
      check_file (golden->env_path, env);
    }
  else if (!command_test_regenerating ())
    g_assert_false (g_file_test (golden->env_path, G_FILE_TEST_EXISTS));

  /* The same definition gives the same words. */
  again = qemu_command_build (def, &config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->argv->len, ==, command->argv->len);
  for (guint i = 0; i < command->argv->len; i++)
    g_assert_cmpstr (g_ptr_array_index (again->argv, i), ==,
                     g_ptr_array_index (command->argv, i));

  argv = qemu_command_get_argv (command);
  g_assert_cmpstr (argv[0], ==, def->emulator != NULL ? def->emulator
                                                      : GOLDEN_EMULATOR);
  g_assert_null (argv[command->argv->len]);
  g_assert_cmpuint (command->n_passthrough, ==, def->qemu_args->len);
  check_shell_round_trip (command);
}

/* Words a shell would split, expand or take for an assignment come back
 * whole from the shell line. */
static void
test_shell_tricky_words (void)
{
  static const char xml[] =
    "<domain type='qemu' "
    "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "<name>shell</name>\n"
    "<memory unit='MiB'>128</memory>\n"
    "<os><type machine='pc'>hvm</type><kernel>/k</kernel>"
    "<cmdline>c</cmdline></os>\n"
    "<qemu:commandline><qemu:arg value=''/><qemu:arg value='$HOME `id` *'/>"
    "<qemu:env name='A' value='x y'/><qemu:env name='B' value='$(id)'/>"
    "</qemu:commandline>\n"
    "</domain>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(DomainDef) def = domain_def_load_xml (xml, &error);
  g_autoptr(QemuCommand) command = NULL;
  g_autofree char *monitor = NULL;
  g_autofree char *shell = NULL;
  QemuCommandConfig config;

  g_assert_no_error (error);
  monitor = command_test_golden_config (def, &config);
  def->emulator = g_strdup ("/opt/q=1/qemu system");
  g_free (def->os.kernel);
  def->os.kernel = g_strdup ("/boot/it's \"a\" ~kernel #1");
  g_free (def->os.cmdline);
  def->os.cmdline = g_strdup ("line\nbreak\ttab \\ back");
  command = qemu_command_build (def, &config, &error);
  g_assert_no_error (error);
  check_shell_round_trip (command);

  shell = qemu_command_to_shell (command);
  g_assert_true (g_str_has_prefix (shell, "A='x y' B='$(id)' "
                                   "'/opt/q=1/qemu system' -name "
                                   "guest=shell,debug-threads=on -S "));
}

static void
add_goldens (GPtrArray *goldens, const char *xml_dir, const char *expected_dir,
             const char *prefix)
{
  g_autoptr(GPtrArray) names = command_test_list_xml (xml_dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *xml = g_strdup_printf ("%s.xml", name);
      g_autofree char *args = g_strdup_printf ("%s.args", name);
      g_autofree char *env = g_strdup_printf ("%s.env", name);
      g_autofree char *err = g_strdup_printf ("%s.err", name);
      g_autofree char *test_path = g_strdup_printf ("/command/golden/%s%s",
                                                   prefix, name);
      Golden *golden = g_new0 (Golden, 1);

      golden->xml_path = g_build_filename (xml_dir, xml, NULL);
      golden->args_path = g_build_filename (expected_dir, args, NULL);
      golden->env_path = g_build_filename (expected_dir, env, NULL);
      golden->err_path = g_build_filename (expected_dir, err, NULL);
      /* A document the builder refuses has a .err file instead. */
      golden->expect_error = g_file_test (golden->err_path,
                                          G_FILE_TEST_EXISTS);
      g_ptr_array_add (goldens, golden);
      g_test_add_data_func (test_path, golden, test_golden);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) goldens = g_ptr_array_new_with_free_func (golden_free);
  g_autofree char *argv_dir = NULL;
  g_autofree char *conf_dir = NULL;
  g_autofree char *conf_expected_dir = NULL;

  g_test_init (&argc, &argv, NULL);

  argv_dir = command_test_source_path ("tests", "data", "argv", NULL);
  conf_dir = command_test_source_path ("tests", "data", "conf", "good", NULL);
  conf_expected_dir = g_build_filename (argv_dir, "conf", NULL);
  add_goldens (goldens, argv_dir, argv_dir, "");
  add_goldens (goldens, conf_dir, conf_expected_dir, "conf/");
  g_test_add_func ("/command/shell/tricky-words", test_shell_tricky_words);
  return g_test_run ();
}
