/* The command line options: their flag, their syntax (JSON or
 * key=value) and the QMP command that hotplugs the same object. This
 * table is the JSON-vs-keyval table of docs/libqdev.md. */
#include "qdev/qdev-private.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *flag;
  gboolean takes_json;
  const char *qmp_command;
  /* Members without which the object cannot be what the flag says. */
  const char *required[2];
} OptionInfo;

static const OptionInfo option_info[] = {
  [QDEV_OPTION_DEVICE] = { "-device", TRUE, "device_add", { "driver" } },
  [QDEV_OPTION_BLOCKDEV] = { "-blockdev", TRUE, "blockdev-add",
                             { "driver", "node-name" } },
  [QDEV_OPTION_NETDEV] = { "-netdev", TRUE, "netdev_add", { "type", "id" } },
  [QDEV_OPTION_OBJECT] = { "-object", TRUE, "object-add",
                           { "qom-type", "id" } },
  [QDEV_OPTION_CHARDEV] = { "-chardev", FALSE, NULL, { "backend", "id" } },
  [QDEV_OPTION_MACHINE] = { "-machine", FALSE, NULL, { "type" } },
  [QDEV_OPTION_SMP] = { "-smp", FALSE, NULL, { "cpus" } },
  [QDEV_OPTION_MEMORY] = { "-m", FALSE, NULL, { "size" } },
  [QDEV_OPTION_VNC] = { "-vnc", FALSE, NULL, { "vnc" } },
};

static const OptionInfo *
get_info (QdevOption option)
{
  g_return_val_if_fail ((guint) option < G_N_ELEMENTS (option_info), NULL);
  return &option_info[option];
}

const char *
qdev_option_name (QdevOption option)
{
  const OptionInfo *info = get_info (option);
  return info ? info->flag : NULL;
}

gboolean
qdev_option_takes_json (QdevOption option)
{
  const OptionInfo *info = get_info (option);
  return info ? info->takes_json : FALSE;
}

const char *
qdev_option_qmp_command (QdevOption option)
{
  const OptionInfo *info = get_info (option);
  return info ? info->qmp_command : NULL;
}

/* jansson accepts NUL inside strings (json_stringn), QEMU's JSON parser
 * refuses "\u0000" and argv cannot carry a raw NUL: look everywhere. */
static gboolean
check_no_nul (json_t *value, GError **error)
{
  const char *key;
  json_t *member;
  size_t index;

  switch (json_typeof (value))
    {
    case JSON_STRING:
      if (strlen (json_string_value (value)) != json_string_length (value))
        {
          g_autofree char *shown = g_strescape (json_string_value (value),
                                                NULL);
          g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE,
                       "string \"%s\" is followed by a NUL byte, which "
                       "QEMU cannot receive", shown);
          return FALSE;
        }
      return TRUE;
    case JSON_OBJECT:
      json_object_foreach (value, key, member)
        if (!check_no_nul (member, error))
          return FALSE;
      return TRUE;
    case JSON_ARRAY:
      json_array_foreach (value, index, member)
        if (!check_no_nul (member, error))
          return FALSE;
      return TRUE;
    default:
      return TRUE;
    }
}

static char *
format_json (json_t *props, GError **error)
{
  char *dumped;
  char *result;

  if (!check_no_nul (props, error))
    return NULL;
  /* Compact, UTF-8 as is (QEMU's parser takes it), members in insertion
   * order so "driver" comes first and the argv reads well in logs. */
  dumped = json_dumps (props, JSON_COMPACT);
  if (dumped == NULL)
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE,
                   "cannot serialize the object to JSON");
      return NULL;
    }
  /* jansson allocates with its own allocator: hand back a GLib string. */
  result = g_strdup (dumped);
  free (dumped);
  return result;
}

static gboolean
is_valid_key (const char *key)
{
  if (*key == '\0')
    return FALSE;
  for (const char *c = key; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '.' && *c != '_')
      return FALSE;
  return TRUE;
}

static char *
format_value (const char *key, json_t *value, GError **error)
{
  switch (json_typeof (value))
    {
    case JSON_STRING:
      return qdev_escape_option_value (json_string_value (value),
                                       (gssize) json_string_length (value),
                                       error);
    case JSON_INTEGER:
      return g_strdup_printf ("%" JSON_INTEGER_FORMAT,
                              json_integer_value (value));
    case JSON_TRUE:
      return g_strdup ("on");
    case JSON_FALSE:
      return g_strdup ("off");
    default:
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "key=value option member \"%s\" is not a string, "
                   "integer or boolean", key);
      return NULL;
    }
}

/* Every member is written with its key, even the one QEMU would let us
 * write bare ("file,id=..." for -chardev): a bare first value is read
 * as a key when it holds '=' and as a help request when it is "help". */
static char *
format_keyval (json_t *props, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *key;
  json_t *value;

  json_object_foreach (props, key, value)
    {
      g_autofree char *formatted = NULL;

      if (!is_valid_key (key))
        {
          g_autofree char *shown = g_strescape (key, NULL);
          g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                       "\"%s\" is not a valid option key (letters, "
                       "digits, '-', '.', '_')", shown);
          return NULL;
        }
      formatted = format_value (key, value, error);
      if (formatted == NULL)
        return NULL;
      if (text->len > 0)
        g_string_append_c (text, ',');
      g_string_append_printf (text, "%s=%s", key, formatted);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
qdev_option_format (QdevOption option, json_t *props, GError **error)
{
  const OptionInfo *info = get_info (option);

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (props != NULL, NULL);

  if (!json_is_object (props))
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "the argument of %s must be an object", info->flag);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (info->required); i++)
    {
      const char *required = info->required[i];

      if (required != NULL && json_object_get (props, required) == NULL)
        {
          g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                       "the argument of %s has no \"%s\"", info->flag,
                       required);
          return NULL;
        }
    }
  return info->takes_json ? format_json (props, error)
                          : format_keyval (props, error);
}

gboolean
qdev_argv_add (GPtrArray *argv, QdevOption option, json_t *props,
               GError **error)
{
  char *value;

  g_return_val_if_fail (argv != NULL, FALSE);

  value = qdev_option_format (option, props, error);
  if (value == NULL)
    return FALSE;
  g_ptr_array_add (argv, g_strdup (qdev_option_name (option)));
  g_ptr_array_add (argv, value);
  return TRUE;
}
