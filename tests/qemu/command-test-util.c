#include "command-test-util.h"

#include <stdarg.h>
#include <string.h>

char *
command_test_source_path (const char *first, ...)
{
  const char *source_dir = g_getenv ("QVIRT_SOURCE_DIR");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list args;

  g_assert_nonnull (source_dir);
  g_ptr_array_add (parts, (gpointer) source_dir);
  va_start (args, first);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
command_test_list_xml (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) handle = g_dir_open (dir, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_no_error (error);
  while ((entry = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (entry, ".xml") && !g_str_has_suffix (entry, ".out.xml"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - 4));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

DomainDef *
command_test_load (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  gsize length;
  DomainDef *def;

  g_file_get_contents (path, &xml, &length, &error);
  g_assert_no_error (error);
  def = domain_def_new_from_xml (xml, length, &error);
  if (def == NULL)
    g_error ("%s: %s", path, error->message);
  return def;
}

char *
command_test_golden_config (const DomainDef *def, QemuCommandConfig *config)
{
  g_autofree char *name = g_strdup_printf ("%s.qmp", def->name);
  char *monitor = g_build_filename (GOLDEN_RUN_DIR, name, NULL);

  *config = (QemuCommandConfig) {
    .default_emulator = GOLDEN_EMULATOR,
    .monitor_fd = -1,
    .monitor_path = monitor,
    .runtime_dir = GOLDEN_RUN_DIR,
  };
  return monitor;
}

char *
command_test_format_words (const GPtrArray *words)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < words->len; i++)
    {
      const char *word = g_ptr_array_index (words, i);

      for (const char *c = word; *c; c++)
        {
          if (*c == '\\')
            g_string_append (text, "\\\\");
          else if (*c == '\n')
            g_string_append (text, "\\n");
          else
            g_string_append_c (text, *c);
        }
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

GPtrArray *
command_test_parse_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **line = lines; *line != NULL; line++)
    {
      GString *word;

      /* The text ends with a newline: the last split piece is empty. */
      if (line[1] == NULL && **line == '\0')
        break;
      word = g_string_new (NULL);
      for (const char *c = *line; *c; c++)
        {
          if (*c == '\\' && c[1] == 'n')
            {
              g_string_append_c (word, '\n');
              c++;
            }
          else if (*c == '\\' && c[1] == '\\')
            {
              g_string_append_c (word, '\\');
              c++;
            }
          else
            g_string_append_c (word, *c);
        }
      g_ptr_array_add (words, g_string_free (word, FALSE));
    }
  return words;
}

gboolean
command_test_regenerating (void)
{
  return g_strcmp0 (g_getenv ("QVIRT_REGENERATE_GOLDEN"), "1") == 0;
}
