/* QmpSchema: what a QEMU binary's QMP offers, from query-qmp-schema.
 *
 * The introspection data is a flat list of SchemaInfo entries that refer
 * to each other by name (types have masked names such as "49"; commands
 * and events have their real names). The constructor resolves every
 * reference once, so a malformed schema is reported at construction and
 * the queries afterwards are plain lookups:
 *
 * - every object type becomes a SchemaObject: its members, each with
 *   whether it is optional and the set of JSON types it accepts, and for
 *   a union its tag member and its variants (case -> SchemaObject);
 * - every command maps to the SchemaObject of its arguments.
 *
 * Only the JSON type of a top-level argument is checked, not its value
 * (enum values, nested members): QEMU checks those and says precisely
 * what is wrong; the point here is catching a misspelt or missing
 * argument before it is sent.
 *
 * device_add is special: QEMU declares only driver, bus and id and takes
 * the device's properties as further arguments ('gen': false in its
 * QAPI definition), which introspection cannot show. Its declared
 * arguments are checked as usual, other arguments are let through.
 *
 * Entries of a meta-type or builtin JSON type this code does not know
 * (a newer QEMU) accept any JSON value rather than fail, so a newer QEMU
 * never makes the schema unusable.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qvirt/qmp.h"

#include <string.h>

/* The JSON types a schema type accepts, as a set of bits. */
typedef enum {
  JSON_TYPES_STRING = 1 << 0,
  JSON_TYPES_INTEGER = 1 << 1,
  JSON_TYPES_REAL = 1 << 2,
  JSON_TYPES_BOOLEAN = 1 << 3,
  JSON_TYPES_NULL = 1 << 4,
  JSON_TYPES_OBJECT = 1 << 5,
  JSON_TYPES_ARRAY = 1 << 6,
  JSON_TYPES_NUMBER = JSON_TYPES_INTEGER | JSON_TYPES_REAL,
  JSON_TYPES_ANY = (1 << 7) - 1,
} JsonTypes;

typedef struct {
  const char *name;     /* borrowed from the schema's JSON */
  gboolean optional;
  JsonTypes types;
} SchemaMember;

typedef struct _SchemaObject SchemaObject;
struct _SchemaObject {
  const char *name;
  GArray *members;          /* SchemaMember */
  const char *tag;          /* the member selecting a variant; NULL if no union */
  GHashTable *variants;     /* case -> SchemaObject (borrowed); NULL if no union */
  enum { UNVISITED, VISITING, VISITED } cycle_check;
};

/* Commands taking arguments beyond those their schema declares. */
static const char *const commands_with_open_arguments[] = {
  "device_add",
};

struct _QmpSchema {
  gatomicrefcount ref_count;
  json_t *info;             /* owns every string the tables borrow */
  GHashTable *entries;      /* name -> SchemaInfo json_t (borrowed) */
  GHashTable *objects;      /* type name -> SchemaObject (owned) */
  GHashTable *commands;     /* command name -> SchemaObject of its arguments */
  GHashTable *events;       /* set of event names */
};

static void
schema_object_free (SchemaObject *object)
{
  g_array_unref (object->members);
  if (object->variants)
    g_hash_table_unref (object->variants);
  g_free (object);
}

static gboolean
schema_malformed (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
schema_malformed (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL,
               "malformed QMP schema: %s", message);
  return FALSE;
}

/* Returns the string member @key of @object, or NULL. */
static const char *
get_string (json_t *object, const char *key)
{
  return json_string_value (json_object_get (object, key));
}

static JsonTypes
json_types_of_builtin (const char *json_type)
{
  static const struct {
    const char *name;
    JsonTypes types;
  } builtins[] = {
    { "string", JSON_TYPES_STRING },
    { "number", JSON_TYPES_NUMBER },
    { "int", JSON_TYPES_INTEGER },
    { "boolean", JSON_TYPES_BOOLEAN },
    { "null", JSON_TYPES_NULL },
    { "object", JSON_TYPES_OBJECT },
    { "array", JSON_TYPES_ARRAY },
    { "value", JSON_TYPES_ANY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (strcmp (json_type, builtins[i].name) == 0)
      return builtins[i].types;
  return JSON_TYPES_ANY;
}

/* Resolves the JSON types accepted by the type named @type_name. An
 * alternate accepts what any of its members accepts; QAPI does not nest
 * alternates, so @in_alternate rejects that rather than recursing. */
static gboolean
resolve_json_types (QmpSchema *schema,
                    const char *type_name,
                    gboolean in_alternate,
                    JsonTypes *types,
                    GError **error)
{
  json_t *entry = g_hash_table_lookup (schema->entries, type_name);
  const char *meta_type;

  if (entry == NULL)
    return schema_malformed (error, "type '%s' is not defined", type_name);
  meta_type = get_string (entry, "meta-type");

  if (strcmp (meta_type, "builtin") == 0)
    {
      const char *json_type = get_string (entry, "json-type");

      if (json_type == NULL)
        return schema_malformed (error, "builtin '%s' has no json-type",
                                 type_name);
      *types = json_types_of_builtin (json_type);
    }
  else if (strcmp (meta_type, "enum") == 0)
    *types = JSON_TYPES_STRING;
  else if (strcmp (meta_type, "object") == 0)
    *types = JSON_TYPES_OBJECT;
  else if (strcmp (meta_type, "array") == 0)
    {
      const char *element_type = get_string (entry, "element-type");

      if (element_type == NULL)
        return schema_malformed (error, "array '%s' has no element-type",
                                 type_name);
      if (!g_hash_table_contains (schema->entries, element_type))
        return schema_malformed (error, "element type '%s' of array '%s' "
                                 "is not defined", element_type, type_name);
      *types = JSON_TYPES_ARRAY;
    }
  else if (strcmp (meta_type, "alternate") == 0)
    {
      json_t *members = json_object_get (entry, "members");
      json_t *member;
      gsize i;

      if (in_alternate)
        return schema_malformed (error, "alternate '%s' is nested in "
                                 "another alternate", type_name);
      if (json_array_size (members) == 0)
        return schema_malformed (error, "alternate '%s' has no members",
                                 type_name);
      *types = 0;
      json_array_foreach (members, i, member)
        {
          const char *member_type = get_string (member, "type");
          JsonTypes member_types;

          if (member_type == NULL)
            return schema_malformed (error, "member %" G_GSIZE_FORMAT
                                     " of alternate '%s' has no type",
                                     i, type_name);
          if (!resolve_json_types (schema, member_type, TRUE, &member_types,
                                   error))
            return FALSE;
          *types |= member_types;
        }
    }
  else if (strcmp (meta_type, "command") == 0 ||
           strcmp (meta_type, "event") == 0)
    return schema_malformed (error, "'%s' is used as a type but is a %s",
                             type_name, meta_type);
  else
    *types = JSON_TYPES_ANY;
  return TRUE;
}

/* Builds the SchemaObject of the object type @entry, without linking its
 * variants (they may refer to objects not built yet). */
static SchemaObject *
build_object (QmpSchema *schema, const char *name, json_t *entry,
              GError **error)
{
  json_t *members = json_object_get (entry, "members");
  g_autoptr(GArray) built = g_array_new (FALSE, FALSE, sizeof (SchemaMember));
  SchemaObject *object;
  json_t *member;
  gsize i;

  if (!json_is_array (members))
    {
      schema_malformed (error, "object '%s' has no members array", name);
      return NULL;
    }
  json_array_foreach (members, i, member)
    {
      SchemaMember resolved = {
        .name = get_string (member, "name"),
        /* Optional members are the ones with a "default" (null so far). */
        .optional = json_object_get (member, "default") != NULL,
      };
      const char *type = get_string (member, "type");

      if (resolved.name == NULL || type == NULL)
        {
          schema_malformed (error, "member %" G_GSIZE_FORMAT " of object "
                            "'%s' has no name or type", i, name);
          return NULL;
        }
      if (!resolve_json_types (schema, type, FALSE, &resolved.types, error))
        return NULL;
      g_array_append_val (built, resolved);
    }

  object = g_new0 (SchemaObject, 1);
  object->name = name;
  object->members = g_steal_pointer (&built);
  return object;
}

static const SchemaMember *
find_member (const SchemaObject *object, const char *name)
{
  for (guint i = 0; i < object->members->len; i++)
    {
      const SchemaMember *member =
        &g_array_index (object->members, SchemaMember, i);

      if (strcmp (member->name, name) == 0)
        return member;
    }
  return NULL;
}

/* Links the variants of the union @object (entry @entry), if it is one. */
static gboolean
link_variants (QmpSchema *schema, SchemaObject *object, json_t *entry,
               GError **error)
{
  json_t *variants = json_object_get (entry, "variants");
  json_t *variant;
  gsize i;

  if (variants == NULL)
    return TRUE;
  object->tag = get_string (entry, "tag");
  if (!json_is_array (variants) || object->tag == NULL)
    return schema_malformed (error, "union '%s' needs a tag and a variants "
                             "array", object->name);
  if (find_member (object, object->tag) == NULL)
    return schema_malformed (error, "tag '%s' of union '%s' is not one of "
                             "its members", object->tag, object->name);

  object->variants = g_hash_table_new (g_str_hash, g_str_equal);
  json_array_foreach (variants, i, variant)
    {
      const char *variant_case = get_string (variant, "case");
      const char *type = get_string (variant, "type");
      SchemaObject *variant_object;

      if (variant_case == NULL || type == NULL)
        return schema_malformed (error, "variant %" G_GSIZE_FORMAT " of "
                                 "union '%s' has no case or type", i,
                                 object->name);
      variant_object = g_hash_table_lookup (schema->objects, type);
      if (variant_object == NULL)
        return schema_malformed (error, "variant '%s' of union '%s' is not "
                                 "an object type", variant_case,
                                 object->name);
      g_hash_table_insert (object->variants, (gpointer) variant_case,
                           variant_object);
    }
  return TRUE;
}

/* Walking a union descends into its variants; make sure that ends. */
static gboolean
check_no_variant_cycle (SchemaObject *object, GError **error)
{
  GHashTableIter iter;
  gpointer variant;

  if (object->cycle_check == VISITED)
    return TRUE;
  if (object->cycle_check == VISITING)
    return schema_malformed (error, "object '%s' is its own variant",
                             object->name);
  object->cycle_check = VISITING;
  if (object->variants)
    {
      g_hash_table_iter_init (&iter, object->variants);
      while (g_hash_table_iter_next (&iter, NULL, &variant))
        if (!check_no_variant_cycle (variant, error))
          return FALSE;
    }
  object->cycle_check = VISITED;
  return TRUE;
}

/* Fills schema->entries from the array, checking each entry's shape. */
static gboolean
index_entries (QmpSchema *schema, GError **error)
{
  json_t *entry;
  gsize i;

  if (!json_is_array (schema->info))
    return schema_malformed (error, "not a JSON array");
  json_array_foreach (schema->info, i, entry)
    {
      const char *name = get_string (entry, "name");

      if (name == NULL || get_string (entry, "meta-type") == NULL)
        return schema_malformed (error, "entry %" G_GSIZE_FORMAT " has no "
                                 "name or meta-type", i);
      if (g_hash_table_contains (schema->entries, name))
        return schema_malformed (error, "'%s' is defined twice", name);
      g_hash_table_insert (schema->entries, (gpointer) name, entry);
    }
  return TRUE;
}

static gboolean
build_objects (QmpSchema *schema, GError **error)
{
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, schema->entries);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      SchemaObject *object;

      if (strcmp (get_string (value, "meta-type"), "object") != 0)
        continue;
      object = build_object (schema, name, value, error);
      if (object == NULL)
        return FALSE;
      g_hash_table_insert (schema->objects, name, object);
    }

  g_hash_table_iter_init (&iter, schema->objects);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (!link_variants (schema, value,
                        g_hash_table_lookup (schema->entries, name), error))
      return FALSE;

  g_hash_table_iter_init (&iter, schema->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!check_no_variant_cycle (value, error))
      return FALSE;
  return TRUE;
}

static gboolean
index_commands_and_events (QmpSchema *schema, GError **error)
{
  GHashTableIter iter;
  gpointer name, entry;

  g_hash_table_iter_init (&iter, schema->entries);
  while (g_hash_table_iter_next (&iter, &name, &entry))
    {
      const char *meta_type = get_string (entry, "meta-type");

      if (strcmp (meta_type, "command") == 0)
        {
          const char *arg_type = get_string (entry, "arg-type");
          SchemaObject *arguments =
            arg_type ? g_hash_table_lookup (schema->objects, arg_type) : NULL;

          if (arguments == NULL)
            return schema_malformed (error, "the arguments of command '%s' "
                                     "are not an object type",
                                     (const char *) name);
          g_hash_table_insert (schema->commands, name, arguments);
        }
      else if (strcmp (meta_type, "event") == 0)
        g_hash_table_add (schema->events, name);
    }
  return TRUE;
}

QmpSchema *
qmp_schema_new (json_t *schema_info, GError **error)
{
  g_autoptr(QmpSchema) schema = NULL;

  g_return_val_if_fail (schema_info != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  schema = g_new0 (QmpSchema, 1);
  g_atomic_ref_count_init (&schema->ref_count);
  schema->info = json_incref (schema_info);
  schema->entries = g_hash_table_new (g_str_hash, g_str_equal);
  schema->objects = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) schema_object_free);
  schema->commands = g_hash_table_new (g_str_hash, g_str_equal);
  schema->events = g_hash_table_new (g_str_hash, g_str_equal);

  if (!index_entries (schema, error) ||
      !build_objects (schema, error) ||
      !index_commands_and_events (schema, error))
    return NULL;
  return g_steal_pointer (&schema);
}

QmpSchema *
qmp_schema_ref (QmpSchema *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);

  g_atomic_ref_count_inc (&schema->ref_count);
  return schema;
}

void
qmp_schema_unref (QmpSchema *schema)
{
  if (schema == NULL || !g_atomic_ref_count_dec (&schema->ref_count))
    return;
  g_hash_table_unref (schema->events);
  g_hash_table_unref (schema->commands);
  g_hash_table_unref (schema->objects);
  g_hash_table_unref (schema->entries);
  json_decref (schema->info);
  g_free (schema);
}

gboolean
qmp_schema_has_command (QmpSchema *schema, const char *command)
{
  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (command != NULL, FALSE);

  return g_hash_table_contains (schema->commands, command);
}

gboolean
qmp_schema_has_event (QmpSchema *schema, const char *event)
{
  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  return g_hash_table_contains (schema->events, event);
}

/* The variant of the union @object that the tag in @arguments selects,
 * or NULL when @arguments (which may be NULL) selects none. */
static const SchemaObject *
selected_variant (const SchemaObject *object, json_t *arguments)
{
  const char *tag_value;

  if (object->variants == NULL)
    return NULL;
  tag_value = json_string_value (json_object_get (arguments, object->tag));
  return tag_value ? g_hash_table_lookup (object->variants, tag_value) : NULL;
}

/* Whether @name is a member of @object or of the variant its tag in
 * @arguments selects. When the tag selects no variant (no arguments, no
 * or an unknown tag value), a member of any variant counts: QEMU will
 * say what is wrong with the tag. */
static gboolean
object_accepts (const SchemaObject *object, json_t *arguments,
                const char *name)
{
  const SchemaObject *variant;
  GHashTableIter iter;
  gpointer any_variant;

  if (find_member (object, name))
    return TRUE;
  if (object->variants == NULL)
    return FALSE;
  variant = selected_variant (object, arguments);
  if (variant)
    return object_accepts (variant, arguments, name);
  g_hash_table_iter_init (&iter, object->variants);
  while (g_hash_table_iter_next (&iter, NULL, &any_variant))
    if (object_accepts (any_variant, arguments, name))
      return TRUE;
  return FALSE;
}

gboolean
qmp_schema_command_has_argument (QmpSchema *schema,
                                 const char *command,
                                 const char *argument)
{
  SchemaObject *arguments;

  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (command != NULL, FALSE);
  g_return_val_if_fail (argument != NULL, FALSE);

  arguments = g_hash_table_lookup (schema->commands, command);
  return arguments != NULL && object_accepts (arguments, NULL, argument);
}

static JsonTypes
json_types_of_value (json_t *value)
{
  switch (json_typeof (value))
    {
    case JSON_OBJECT:
      return JSON_TYPES_OBJECT;
    case JSON_ARRAY:
      return JSON_TYPES_ARRAY;
    case JSON_STRING:
      return JSON_TYPES_STRING;
    case JSON_INTEGER:
      return JSON_TYPES_INTEGER;
    case JSON_REAL:
      return JSON_TYPES_REAL;
    case JSON_TRUE:
    case JSON_FALSE:
      return JSON_TYPES_BOOLEAN;
    case JSON_NULL:
    default:
      return JSON_TYPES_NULL;
    }
}

/* Describes @types for an error message: "a string or null". */
static char *
describe_json_types (JsonTypes types)
{
  static const struct {
    JsonTypes types;
    const char *description;
  } names[] = {
    /* "number" before "integer": a number includes the integers. */
    { JSON_TYPES_STRING, "a string" },
    { JSON_TYPES_NUMBER, "a number" },
    { JSON_TYPES_INTEGER, "an integer" },
    { JSON_TYPES_REAL, "a real number" },
    { JSON_TYPES_BOOLEAN, "a boolean" },
    { JSON_TYPES_OBJECT, "an object" },
    { JSON_TYPES_ARRAY, "an array" },
    { JSON_TYPES_NULL, "null" },
  };
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  GString *description = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if ((types & names[i].types) == names[i].types)
      {
        g_ptr_array_add (parts, (gpointer) names[i].description);
        types &= ~names[i].types;
      }
  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append (description, i + 1 == parts->len ? " or " : ", ");
      g_string_append (description, parts->pdata[i]);
    }
  return g_string_free (description, FALSE);
}

/* Checks the members of @object, and of the variant the arguments
 * select, for presence and JSON type. */
static gboolean
check_members (const SchemaObject *object,
               const char *command,
               json_t *arguments,
               GError **error)
{
  const SchemaObject *variant;

  for (guint i = 0; i < object->members->len; i++)
    {
      const SchemaMember *member =
        &g_array_index (object->members, SchemaMember, i);
      json_t *value = json_object_get (arguments, member->name);

      if (value == NULL)
        {
          if (member->optional)
            continue;
          g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                       "command '%s' requires argument '%s'",
                       command, member->name);
          return FALSE;
        }
      if ((json_types_of_value (value) & member->types) == 0)
        {
          g_autofree char *expected = describe_json_types (member->types);

          g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                       "argument '%s' of command '%s' must be %s",
                       member->name, command, expected);
          return FALSE;
        }
    }
  variant = selected_variant (object, arguments);
  return variant == NULL || check_members (variant, command, arguments, error);
}

static gboolean
has_open_arguments (const char *command)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands_with_open_arguments); i++)
    if (strcmp (command, commands_with_open_arguments[i]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
qmp_schema_check_command (QmpSchema *schema,
                          const char *command,
                          json_t *arguments,
                          GError **error)
{
  SchemaObject *object;
  const char *name;
  json_t *value;

  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (command != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  object = g_hash_table_lookup (schema->commands, command);
  if (object == NULL)
    {
      g_set_error (error, QMP_ERROR, QMP_ERROR_UNKNOWN_COMMAND,
                   "unknown command '%s'", command);
      return FALSE;
    }
  if (arguments != NULL && !json_is_object (arguments))
    {
      g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                   "the arguments of command '%s' must be an object",
                   command);
      return FALSE;
    }

  json_object_foreach (arguments, name, value)
    if (!object_accepts (object, arguments, name) &&
        !has_open_arguments (command))
      {
        g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID_ARGUMENT,
                     "command '%s' has no argument '%s'", command, name);
        return FALSE;
      }
  return check_members (object, command, arguments, error);
}
