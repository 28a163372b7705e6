/* Tests of QmpSchema: hand-written schemas for the rules and malformed
 * input (/qmp/schema/unit/...), and the schema of a real QEMU
 * (/qmp/schema/qemu/...). meson runs each group in its own suite.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "qvirt/qmp.h"
#include "qemu-harness.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>

/* Parses JSON written with single quotes (readable in C source). */
static json_t *
json_from_single_quoted (const char *text)
{
  g_autofree char *double_quoted = g_strdelimit (g_strdup (text), "'", '"');
  json_error_t error;
  json_t *json = json_loads (double_quoted, 0, &error);

  if (json == NULL)
    g_error ("bad test JSON: %s: %s", error.text, double_quoted);
  return json;
}

/* ------------------------------------------------------------------ */
/* Hand-written schemas                                                */

static const char sample_schema[] =
  "["
  " {'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},"
  " {'name': 'int', 'meta-type': 'builtin', 'json-type': 'int'},"
  " {'name': 'number', 'meta-type': 'builtin', 'json-type': 'number'},"
  " {'name': 'bool', 'meta-type': 'builtin', 'json-type': 'boolean'},"
  " {'name': 'null', 'meta-type': 'builtin', 'json-type': 'null'},"
  " {'name': 'any', 'meta-type': 'builtin', 'json-type': 'value'},"
  " {'name': '0', 'meta-type': 'object', 'members': []},"
  " {'name': '1', 'meta-type': 'enum', 'values': ['file', 'null-co', 'nvme']},"
  " {'name': '2', 'meta-type': 'object', 'members': ["
  "   {'name': 'path', 'type': 'str'},"
  "   {'name': 'size', 'type': 'int', 'default': null},"
  "   {'name': 'ratio', 'type': 'number', 'default': null},"
  "   {'name': 'on', 'type': 'bool', 'default': null},"
  "   {'name': 'mode', 'type': '1', 'default': null},"
  "   {'name': 'opts', 'type': '0', 'default': null},"
  "   {'name': 'list', 'type': '[str]', 'default': null},"
  "   {'name': 'ref', 'type': '3', 'default': null},"
  "   {'name': 'blob', 'type': 'any', 'default': null}]},"
  " {'name': '[str]', 'meta-type': 'array', 'element-type': 'str'},"
  " {'name': '3', 'meta-type': 'alternate', 'members': [{'type': 'str'}, {'type': 'null'}]},"
  " {'name': '4', 'meta-type': 'object', 'members': ["
  "   {'name': 'driver', 'type': '1'},"
  "   {'name': 'node-name', 'type': 'str', 'default': null}],"
  "  'tag': 'driver',"
  "  'variants': [{'case': 'file', 'type': '5'}, {'case': 'null-co', 'type': '6'}]},"
  " {'name': '5', 'meta-type': 'object', 'members': ["
  "   {'name': 'filename', 'type': 'str'},"
  "   {'name': 'child', 'type': '7', 'default': null}]},"
  " {'name': '6', 'meta-type': 'object', 'members': ["
  "   {'name': 'size', 'type': 'int', 'default': null}]},"
  " {'name': '7', 'meta-type': 'alternate', 'members': [{'type': '0'}, {'type': 'str'}]},"
  " {'name': '8', 'meta-type': 'object', 'members': ["
  "   {'name': 'driver', 'type': 'str'},"
  "   {'name': 'id', 'type': 'str', 'default': null}]},"
  " {'name': 'query-things', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '0'},"
  " {'name': 'make-thing', 'meta-type': 'command', 'arg-type': '2', 'ret-type': '0'},"
  " {'name': 'add-node', 'meta-type': 'command', 'arg-type': '4', 'ret-type': '0',"
  "  'allow-oob': true},"
  " {'name': 'device_add', 'meta-type': 'command', 'arg-type': '8', 'ret-type': '0'},"
  " {'name': 'THING_MADE', 'meta-type': 'event', 'arg-type': '0'},"
  " {'name': '9', 'meta-type': 'some-future-meta-type', 'whatever': 1}"
  "]";

static QmpSchema *
sample_schema_new (void)
{
  g_autoptr(json_t) info = json_from_single_quoted (sample_schema);
  g_autoptr(GError) error = NULL;
  QmpSchema *schema = qmp_schema_new (info, &error);

  g_assert_no_error (error);
  g_assert_nonnull (schema);
  return schema;
}

static void
test_lookups (void)
{
  g_autoptr(QmpSchema) schema = sample_schema_new ();

  g_assert_true (qmp_schema_has_command (schema, "make-thing"));
  g_assert_true (qmp_schema_has_command (schema, "add-node"));
  g_assert_false (qmp_schema_has_command (schema, "no-such"));
  g_assert_false (qmp_schema_has_command (schema, "THING_MADE"));
  g_assert_false (qmp_schema_has_command (schema, "2"));
  g_assert_true (qmp_schema_has_event (schema, "THING_MADE"));
  g_assert_false (qmp_schema_has_event (schema, "make-thing"));
  g_assert_false (qmp_schema_has_event (schema, "NO_SUCH"));

  g_assert_true (qmp_schema_command_has_argument (schema, "make-thing", "path"));
  g_assert_true (qmp_schema_command_has_argument (schema, "make-thing", "blob"));
  g_assert_false (qmp_schema_command_has_argument (schema, "make-thing", "filename"));
  g_assert_false (qmp_schema_command_has_argument (schema, "query-things", "path"));
  g_assert_false (qmp_schema_command_has_argument (schema, "no-such", "path"));
  /* A union: its own members and those of every variant. */
  g_assert_true (qmp_schema_command_has_argument (schema, "add-node", "driver"));
  g_assert_true (qmp_schema_command_has_argument (schema, "add-node", "node-name"));
  g_assert_true (qmp_schema_command_has_argument (schema, "add-node", "filename"));
  g_assert_true (qmp_schema_command_has_argument (schema, "add-node", "size"));
  g_assert_false (qmp_schema_command_has_argument (schema, "add-node", "path"));
}

static void
test_refcount (void)
{
  QmpSchema *schema = sample_schema_new ();

  g_assert_true (qmp_schema_ref (schema) == schema);
  qmp_schema_unref (schema);
  g_assert_true (qmp_schema_has_command (schema, "make-thing"));
  qmp_schema_unref (schema);
  qmp_schema_unref (NULL);
}

/* Checks @arguments (single-quoted JSON, or NULL) of @command; NULL
 * @expected_message means it must pass. */
static void
assert_check (QmpSchema *schema, const char *command, const char *arguments,
              int expected_code, const char *expected_message)
{
  g_autoptr(json_t) json = arguments ? json_from_single_quoted (arguments) : NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = qmp_schema_check_command (schema, command, json, &error);

  if (expected_message == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, QMP_ERROR, expected_code);
  g_assert_cmpstr (error->message, ==, expected_message);
}

static void
assert_check_ok (QmpSchema *schema, const char *command, const char *arguments)
{
  assert_check (schema, command, arguments, 0, NULL);
}

static void
assert_check_invalid (QmpSchema *schema, const char *command,
                      const char *arguments, const char *expected_message)
{
  assert_check (schema, command, arguments, QMP_ERROR_INVALID_ARGUMENT,
                expected_message);
}

static void
test_check_command (void)
{
  g_autoptr(QmpSchema) schema = sample_schema_new ();

  assert_check (schema, "no-such", NULL, QMP_ERROR_UNKNOWN_COMMAND,
                "unknown command 'no-such'");
  assert_check (schema, "THING_MADE", "{}", QMP_ERROR_UNKNOWN_COMMAND,
                "unknown command 'THING_MADE'");

  assert_check_ok (schema, "query-things", NULL);
  assert_check_ok (schema, "query-things", "{}");
  assert_check_invalid (schema, "query-things", "{'x': 1}",
                        "command 'query-things' has no argument 'x'");
  assert_check_invalid (schema, "query-things", "[]",
                        "the arguments of command 'query-things' must be an object");

  assert_check_ok (schema, "make-thing", "{'path': 'p'}");
  assert_check_ok (schema, "make-thing",
                   "{'path': 'p', 'size': 1, 'ratio': 1, 'on': false, "
                   "'mode': 'file', 'opts': {}, 'list': [], 'ref': null, "
                   "'blob': [{}]}");
  assert_check_ok (schema, "make-thing",
                   "{'path': 'p', 'ratio': 0.5, 'ref': 'r', 'blob': null}");
  assert_check_invalid (schema, "make-thing", NULL,
                        "command 'make-thing' requires argument 'path'");
  assert_check_invalid (schema, "make-thing", "{'size': 1}",
                        "command 'make-thing' requires argument 'path'");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'nope': 1}",
                        "command 'make-thing' has no argument 'nope'");
  /* An unknown argument is the likelier mistake: it is reported first. */
  assert_check_invalid (schema, "make-thing", "{'pth': 'p'}",
                        "command 'make-thing' has no argument 'pth'");

  /* Each JSON type a member may resolve to. */
  assert_check_invalid (schema, "make-thing", "{'path': 1}",
                        "argument 'path' of command 'make-thing' must be a string");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'size': 1.5}",
                        "argument 'size' of command 'make-thing' must be an integer");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'size': '1'}",
                        "argument 'size' of command 'make-thing' must be an integer");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'ratio': '1'}",
                        "argument 'ratio' of command 'make-thing' must be a number");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'on': 1}",
                        "argument 'on' of command 'make-thing' must be a boolean");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'mode': 1}",
                        "argument 'mode' of command 'make-thing' must be a string");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'opts': []}",
                        "argument 'opts' of command 'make-thing' must be an object");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'list': {}}",
                        "argument 'list' of command 'make-thing' must be an array");
  assert_check_invalid (schema, "make-thing", "{'path': 'p', 'ref': 1}",
                        "argument 'ref' of command 'make-thing' must be a string or null");
  assert_check_invalid (schema, "make-thing", "{'path': null}",
                        "argument 'path' of command 'make-thing' must be a string");
}

static void
test_check_union (void)
{
  g_autoptr(QmpSchema) schema = sample_schema_new ();

  assert_check_ok (schema, "add-node", "{'driver': 'file', 'filename': 'f'}");
  assert_check_ok (schema, "add-node",
                   "{'driver': 'file', 'filename': 'f', 'node-name': 'n', 'child': {}}");
  assert_check_ok (schema, "add-node", "{'driver': 'file', 'filename': 'f', 'child': 'c'}");
  assert_check_ok (schema, "add-node", "{'driver': 'null-co', 'size': 1}");
  assert_check_ok (schema, "add-node", "{'driver': 'null-co'}");

  /* The tag selects the variant whose members are checked. */
  assert_check_invalid (schema, "add-node", "{'driver': 'file'}",
                        "command 'add-node' requires argument 'filename'");
  assert_check_invalid (schema, "add-node", "{'driver': 'file', 'filename': 'f', 'size': 1}",
                        "command 'add-node' has no argument 'size'");
  assert_check_invalid (schema, "add-node", "{'driver': 'null-co', 'size': 'big'}",
                        "argument 'size' of command 'add-node' must be an integer");
  assert_check_invalid (schema, "add-node", "{'driver': 'file', 'filename': 'f', 'child': 1}",
                        "argument 'child' of command 'add-node' must be a string or an object");
  assert_check_invalid (schema, "add-node", "{}",
                        "command 'add-node' requires argument 'driver'");
  assert_check_invalid (schema, "add-node", "{'driver': 1}",
                        "argument 'driver' of command 'add-node' must be a string");

  /* A tag that selects no variant: members of any variant are let
   * through, QEMU will judge the tag value. */
  assert_check_ok (schema, "add-node", "{'driver': 'nvme', 'filename': 'f', 'size': 1}");
  assert_check_ok (schema, "add-node", "{'driver': 'unknown-driver'}");
  assert_check_invalid (schema, "add-node", "{'driver': 'nvme', 'bogus': 1}",
                        "command 'add-node' has no argument 'bogus'");
  assert_check_invalid (schema, "add-node", "{'filename': 'f'}",
                        "command 'add-node' requires argument 'driver'");
}

/* device_add takes device properties beyond its declared arguments. */
static void
test_check_device_add (void)
{
  g_autoptr(QmpSchema) schema = sample_schema_new ();

  assert_check_ok (schema, "device_add", "{'driver': 'e1000', 'id': 'n', 'mac': '52:54:00:00:00:01'}");
  assert_check_invalid (schema, "device_add", "{'mac': '52:54:00:00:00:01'}",
                        "command 'device_add' requires argument 'driver'");
  assert_check_invalid (schema, "device_add", "{'driver': 1}",
                        "argument 'driver' of command 'device_add' must be a string");
  g_assert_false (qmp_schema_command_has_argument (schema, "device_add", "mac"));
}

static void
test_malformed (void)
{
  static const struct {
    const char *schema;
    const char *message;
  } cases[] = {
    { "{}", "not a JSON array" },
    { "[1]", "entry 0 has no name or meta-type" },
    { "[{'name': 'x'}]", "entry 0 has no name or meta-type" },
    { "[{'meta-type': 'command'}]", "entry 0 has no name or meta-type" },
    { "[{'name': 1, 'meta-type': 'event'}]", "entry 0 has no name or meta-type" },
    { "[{'name': 'E', 'meta-type': 'event'}, {'name': 'E', 'meta-type': 'event'}]",
      "'E' is defined twice" },
    { "[{'name': 'c', 'meta-type': 'command'}]",
      "the arguments of command 'c' are not an object type" },
    { "[{'name': 'c', 'meta-type': 'command', 'arg-type': '0'}]",
      "the arguments of command 'c' are not an object type" },
    { "[{'name': '0', 'meta-type': 'enum', 'values': []},"
      " {'name': 'c', 'meta-type': 'command', 'arg-type': '0'}]",
      "the arguments of command 'c' are not an object type" },
    { "[{'name': '0', 'meta-type': 'object'}]", "object '0' has no members array" },
    { "[{'name': '0', 'meta-type': 'object', 'members': [{'name': 'a'}]}]",
      "member 0 of object '0' has no name or type" },
    { "[{'name': '0', 'meta-type': 'object', 'members': [{'type': 'x'}]}]",
      "member 0 of object '0' has no name or type" },
    { "[{'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': 'x'}]}]",
      "type 'x' is not defined" },
    { "[{'name': 'c', 'meta-type': 'command', 'arg-type': '0'},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': 'c'}]}]",
      "'c' is used as a type but is a command" },
    { "[{'name': 'str', 'meta-type': 'builtin'},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': 'str'}]}]",
      "builtin 'str' has no json-type" },
    { "[{'name': '[x]', 'meta-type': 'array', 'element-type': 'x'},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': '[x]'}]}]",
      "element type 'x' of array '[x]' is not defined" },
    { "[{'name': '[x]', 'meta-type': 'array'},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': '[x]'}]}]",
      "array '[x]' has no element-type" },
    { "[{'name': '1', 'meta-type': 'alternate', 'members': []},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': '1'}]}]",
      "alternate '1' has no members" },
    { "[{'name': '1', 'meta-type': 'alternate', 'members': [{'name': 'x'}]},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': '1'}]}]",
      "member 0 of alternate '1' has no type" },
    { "[{'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},"
      " {'name': '2', 'meta-type': 'alternate', 'members': [{'type': 'str'}]},"
      " {'name': '1', 'meta-type': 'alternate', 'members': [{'type': '2'}]},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 'a', 'type': '1'}]}]",
      "alternate '2' is nested in another alternate" },
    { "[{'name': '0', 'meta-type': 'object', 'members': [], 'variants': []}]",
      "union '0' needs a tag and a variants array" },
    { "[{'name': '0', 'meta-type': 'object', 'members': [], 'tag': 't', 'variants': {}}]",
      "union '0' needs a tag and a variants array" },
    { "[{'name': '0', 'meta-type': 'object', 'members': [], 'tag': 't', 'variants': []}]",
      "tag 't' of union '0' is not one of its members" },
    { "[{'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 't', 'type': 'str'}],"
      "  'tag': 't', 'variants': [{'case': 'a'}]}]",
      "variant 0 of union '0' has no case or type" },
    { "[{'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 't', 'type': 'str'}],"
      "  'tag': 't', 'variants': [{'case': 'a', 'type': 'str'}]}]",
      "variant 'a' of union '0' is not an object type" },
    { "[{'name': 'str', 'meta-type': 'builtin', 'json-type': 'string'},"
      " {'name': '0', 'meta-type': 'object', 'members': [{'name': 't', 'type': 'str'}],"
      "  'tag': 't', 'variants': [{'case': 'a', 'type': '1'}]},"
      " {'name': '1', 'meta-type': 'object', 'members': [{'name': 't', 'type': 'str'}],"
      "  'tag': 't', 'variants': [{'case': 'b', 'type': '0'}]}]",
      NULL /* the cycle may be found from either object */ },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(json_t) info = json_from_single_quoted (cases[i].schema);
      g_autoptr(GError) error = NULL;
      g_autoptr(QmpSchema) schema = qmp_schema_new (info, &error);
      g_autofree char *expected =
        g_strconcat ("malformed QMP schema: ", cases[i].message, NULL);

      g_test_message ("%s -> %s", cases[i].schema,
                      error ? error->message : "(accepted)");
      g_assert_null (schema);
      g_assert_error (error, QMP_ERROR, QMP_ERROR_PROTOCOL);
      if (cases[i].message)
        g_assert_cmpstr (error->message, ==, expected);
      else
        g_assert_true (g_str_has_suffix (error->message, "' is its own variant"));
    }
}

/* What a newer QEMU may add is not an error. */
static void
test_unknown_kinds_accepted (void)
{
  g_autoptr(json_t) info = json_from_single_quoted (
    "[{'name': 'future', 'meta-type': 'builtin', 'json-type': 'future-json-type'},"
    " {'name': '1', 'meta-type': 'future-meta-type'},"
    " {'name': '0', 'meta-type': 'object', 'members': ["
    "   {'name': 'a', 'type': 'future'}, {'name': 'b', 'type': '1'}]},"
    " {'name': 'c', 'meta-type': 'command', 'arg-type': '0', 'future-key': 1}]");
  g_autoptr(GError) error = NULL;
  g_autoptr(QmpSchema) schema = qmp_schema_new (info, &error);

  g_assert_no_error (error);
  assert_check_ok (schema, "c", "{'a': 1, 'b': [true]}");
  assert_check_ok (schema, "c", "{'a': 'x', 'b': null}");
}

/* ------------------------------------------------------------------ */
/* The schema of a real QEMU                                           */

/* A minimal raw QMP exchange, enough to fetch the schema: one JSON
 * object per line, events skipped. Blocking, with a socket timeout so a
 * silent QEMU fails the test instead of hanging it. */
typedef struct {
  GSocketConnection *connection;
  GDataInputStream *input;
} RawQmp;

static json_t *
raw_qmp_read (RawQmp *qmp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  json_error_t json_error;
  json_t *message;

  line = g_data_input_stream_read_line (qmp->input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  message = json_loads (line, 0, &json_error);
  if (message == NULL)
    g_error ("QEMU sent invalid JSON: %s", json_error.text);
  return message;
}

static json_t *
raw_qmp_execute (RawQmp *qmp, const char *command)
{
  g_autofree char *request = g_strdup_printf ("{\"execute\": \"%s\"}\n", command);
  GOutputStream *output =
    g_io_stream_get_output_stream (G_IO_STREAM (qmp->connection));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (output, request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(json_t) reply = raw_qmp_read (qmp);
      json_t *value = json_object_get (reply, "return");

      if (json_object_get (reply, "event"))
        continue;
      if (value == NULL)
        g_error ("%s failed: %s", command,
                 json_dumps (reply, JSON_COMPACT));
      return json_incref (value);
    }
}

static json_t *
fetch_schema_info (TestQemu *qemu)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (qemu->qmp_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) greeting = NULL;
  g_autoptr(json_t) capabilities = NULL;
  RawQmp qmp = { 0 };
  json_t *info;

  g_socket_client_set_timeout (client, 30);
  qmp.connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address),
                                            NULL, &error);
  g_assert_no_error (error);
  qmp.input = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (qmp.connection)));

  greeting = raw_qmp_read (&qmp);
  g_assert_nonnull (json_object_get (greeting, "QMP"));
  capabilities = raw_qmp_execute (&qmp, "qmp_capabilities");
  info = raw_qmp_execute (&qmp, "query-qmp-schema");

  g_object_unref (qmp.input);
  g_object_unref (qmp.connection);
  return info;
}

static void
test_real_qemu (void)
{
  g_autoptr(TestQemu) qemu = test_qemu_start (NULL);
  g_autoptr(json_t) info = fetch_schema_info (qemu);
  g_autoptr(GError) error = NULL;
  g_autoptr(QmpSchema) schema = qmp_schema_new (info, &error);

  g_assert_no_error (error);
  g_test_message ("%s: %zu schema entries", test_qemu_binary (), json_array_size (info));

  g_assert_true (qmp_schema_has_command (schema, "query-status"));
  g_assert_true (qmp_schema_has_command (schema, "qmp_capabilities"));
  g_assert_false (qmp_schema_has_command (schema, "no-such"));
  g_assert_false (qmp_schema_has_command (schema, "STOP"));
  g_assert_true (qmp_schema_has_event (schema, "STOP"));
  g_assert_true (qmp_schema_has_event (schema, "SHUTDOWN"));
  g_assert_false (qmp_schema_has_event (schema, "query-status"));

  /* blockdev-add's arguments are a union on "driver". */
  g_assert_true (qmp_schema_command_has_argument (schema, "blockdev-add", "driver"));
  g_assert_true (qmp_schema_command_has_argument (schema, "blockdev-add", "node-name"));
  g_assert_true (qmp_schema_command_has_argument (schema, "blockdev-add", "filename"));
  g_assert_false (qmp_schema_command_has_argument (schema, "blockdev-add", "no-such"));
  g_assert_true (qmp_schema_command_has_argument (schema, "device_add", "driver"));
  g_assert_true (qmp_schema_command_has_argument (schema, "device_add", "id"));
  g_assert_false (qmp_schema_command_has_argument (schema, "query-status", "x"));

  assert_check_ok (schema, "query-status", NULL);
  assert_check_ok (schema, "device_add", "{'driver': 'virtio-net-pci', 'id': 'net0', 'mac': '52:54:00:12:34:56'}");
  assert_check_ok (schema, "blockdev-add",
                   "{'driver': 'file', 'node-name': 'f0', 'filename': '/tmp/x', 'read-only': true}");
  assert_check_ok (schema, "blockdev-add", "{'driver': 'qcow2', 'node-name': 'q0', 'file': 'f0'}");
  assert_check_ok (schema, "blockdev-add",
                   "{'driver': 'qcow2', 'node-name': 'q0', 'file': {'driver': 'file', 'filename': '/x'}}");

  assert_check (schema, "no-such", NULL, QMP_ERROR_UNKNOWN_COMMAND,
                "unknown command 'no-such'");
  assert_check_invalid (schema, "query-status", "{'verbose': true}",
                        "command 'query-status' has no argument 'verbose'");
  assert_check_invalid (schema, "screendump", "{'filename': '/tmp/x', 'fromat': 'png'}",
                        "command 'screendump' has no argument 'fromat'");
  assert_check_invalid (schema, "screendump", "{'format': 'png'}",
                        "command 'screendump' requires argument 'filename'");
  assert_check_invalid (schema, "screendump", "{'filename': '/tmp/x', 'head': '0'}",
                        "argument 'head' of command 'screendump' must be an integer");
  assert_check_invalid (schema, "device_add", "{'id': 'net0'}",
                        "command 'device_add' requires argument 'driver'");
  assert_check_invalid (schema, "device_add", "{'driver': 42}",
                        "argument 'driver' of command 'device_add' must be a string");
  assert_check_invalid (schema, "blockdev-add", "{'driver': 'file', 'node-name': 'f0'}",
                        "command 'blockdev-add' requires argument 'filename'");
  assert_check_invalid (schema, "blockdev-add",
                        "{'driver': 'file', 'node-name': 'f0', 'filename': '/x', 'file': 'y'}",
                        "command 'blockdev-add' has no argument 'file'");
  assert_check_invalid (schema, "blockdev-add", "{'driver': 'qcow2', 'node-name': 'q0', 'file': 7}",
                        "argument 'file' of command 'blockdev-add' must be a string or an object");
  assert_check_invalid (schema, "blockdev-add", "{'driver': 'file', 'filename': '/x', 'read-only': 'yes'}",
                        "argument 'read-only' of command 'blockdev-add' must be a boolean");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qmp/schema/unit/lookups", test_lookups);
  g_test_add_func ("/qmp/schema/unit/refcount", test_refcount);
  g_test_add_func ("/qmp/schema/unit/check-command", test_check_command);
  g_test_add_func ("/qmp/schema/unit/check-union", test_check_union);
  g_test_add_func ("/qmp/schema/unit/check-device-add", test_check_device_add);
  g_test_add_func ("/qmp/schema/unit/malformed", test_malformed);
  g_test_add_func ("/qmp/schema/unit/unknown-kinds-accepted", test_unknown_kinds_accepted);
  g_test_add_func ("/qmp/schema/qemu/real-schema", test_real_qemu);

  return g_test_run ();
}
