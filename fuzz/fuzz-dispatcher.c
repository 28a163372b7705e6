/* libFuzzer target for the method dispatcher's params handling (src/rpc).
 *
 * Input: one call, {"method": M, "params": P}, or an array of up to
 * MAX_CALLS such objects run in order (so define → getXml → undefine
 * sequences are reachable). Input that is not such JSON still makes one
 * call: its first byte picks a method of the table, and the rest is the
 * params as JSON or, when it is not JSON, the "xml" param (so raw domain
 * XML reaches domain.define).
 *
 * Calls go through real sessions of a dispatcher on a real driver opened
 * once on a private root. Methods that would spawn QEMU (domain.start,
 * domain.create) or claim a name for a process (shim.register) only go
 * through qvirt_dispatcher_check_params(); every
 * other method runs: with no QEMU ever started, the lifecycle methods
 * answer at once with an error, and define/undefine exercise the XML
 * parser through the driver. After each input every domain is undefined,
 * so the root never fills up.
 *
 * What must hold, beyond not crashing:
 *   - every call is answered exactly once, with a result or a QVIRT_ERROR
 *     that has a known code and a non-empty UTF-8 message (it must fit in
 *     a JSON reply; messages quote the request, so they are not always
 *     one line);
 *   - a call that qvirt_dispatcher_check_params() rejects fails with that
 *     very error, and a method the table marks as changing state fails
 *     with access-denied on a read-only session, whatever its params;
 *   - a domain that domain.define accepted can be looked up, and its
 *     canonical XML defines it again under the same name;
 *   - event notifications have the documented shape (docs/protocol.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "rpc/method.h"

#define MAX_CALLS 16
/* Iterations of the main context a reply may take: these methods answer
 * at once or from an idle callback, never after waiting on anything. */
#define MAX_ITERATIONS 100

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  char *root;
  QvirtDriver *driver;
  QvirtDispatcher *dispatcher;
  GPtrArray *method_names;      /* char*, server.methods order */
  GHashTable *changes_state;    /* method name -> itself, when it changes state */
} Fuzzer;

/* libFuzzer gives no context pointer: the one driver lives here. */
static Fuzzer fuzzer;

typedef struct {
  guint count;
  json_t *result;
  GError *error;
} Reply;

G_GNUC_NORETURN static void
fail (const char *method, const char *what)
{
  fprintf (stderr, "%s: %s\n", method, what);
  abort ();
}

/* ------------------------------------------------------------------ */
/* Setup, once                                                          */

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir)
    {
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          char *child = g_build_filename (path, entry, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
          g_free (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
fuzzer_teardown (void)
{
  g_clear_pointer (&fuzzer.dispatcher, qvirt_dispatcher_free);
  g_clear_pointer (&fuzzer.driver, qvirt_driver_close);
  if (fuzzer.root)
    remove_tree (fuzzer.root);
  g_clear_pointer (&fuzzer.root, g_free);
  g_clear_pointer (&fuzzer.method_names, g_ptr_array_unref);
  g_clear_pointer (&fuzzer.changes_state, g_hash_table_unref);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  GError *error = NULL;
  char *uri;
  json_t *methods;
  size_t i;
  json_t *method;

  /* A critical is a bug the fuzzer found, not noise. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  fuzzer.root = g_dir_make_tmp ("qvirt-fuzz-dispatcher-XXXXXX", &error);
  if (fuzzer.root == NULL)
    fail ("init", error->message);
  uri = g_strdup_printf ("qemu:///embed?root=%s", fuzzer.root);
  fuzzer.driver = qvirt_driver_open (uri, NULL, &error);
  g_free (uri);
  if (fuzzer.driver == NULL)
    fail ("init", error->message);
  fuzzer.dispatcher = qvirt_dispatcher_new (fuzzer.driver);

  fuzzer.method_names = g_ptr_array_new_with_free_func (g_free);
  fuzzer.changes_state = g_hash_table_new (g_str_hash, g_str_equal);
  methods = qvirt_dispatcher_list_methods (fuzzer.dispatcher);
  json_array_foreach (methods, i, method)
    {
      char *name = g_strdup (json_string_value (json_object_get (method, "name")));

      g_ptr_array_add (fuzzer.method_names, name);
      if (json_is_false (json_object_get (method, "read-only")))
        g_hash_table_add (fuzzer.changes_state, name);
    }
  json_decref (methods);
  atexit (fuzzer_teardown);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Calls                                                                */

static void
on_reply (json_t *result, const GError *error, gpointer user_data)
{
  Reply *reply = user_data;

  reply->count++;
  if (reply->count > 1)
    fail ("reply", "answered twice");
  if ((result == NULL) == (error == NULL))
    fail ("reply", "needs exactly one of a result and an error");
  reply->result = result ? json_incref (result) : NULL;
  reply->error = error ? g_error_copy (error) : NULL;
}

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->result, json_decref);
  g_clear_error (&reply->error);
  reply->count = 0;
}

/* Runs @method on @session and waits for its one reply. */
static void
call (QvirtRpcSession *session, const char *method, json_t *params, Reply *reply)
{
  reply_clear (reply);
  qvirt_rpc_session_call (session, method, params, on_reply, reply);
  for (guint i = 0; reply->count == 0 && i < MAX_ITERATIONS; i++)
    g_main_context_iteration (NULL, FALSE);
  if (reply->count == 0)
    fail (method, "no reply");
}

/* What docs/protocol.md promises of every error. */
static void
check_error (const char *method, const GError *error)
{
  const char *kind;

  if (error->domain != QVIRT_ERROR)
    fail (method, "error outside the QVIRT_ERROR domain");
  kind = qvirt_error_kind_to_string (error->code);
  if (qvirt_error_kind_from_string (kind) != (QvirtErrorCode) error->code)
    fail (method, "error code without a kind");
  if (error->message == NULL || error->message[0] == '\0')
    fail (method, "error without a message");
  if (!g_utf8_validate (error->message, -1, NULL))
    fail (method, "error message is not UTF-8: it cannot go into a JSON reply");
}

static void
check_result_shape (const char *method, json_t *result)
{
  gboolean wants_array = g_str_equal (method, "domain.list") ||
                         g_str_equal (method, "server.methods");

  if (wants_array ? !json_is_array (result) : !json_is_object (result))
    fail (method, wants_array ? "result is not an array" : "result is not an object");
}

/* A definition the driver accepted must be found again, and its
 * canonical XML must define the same domain. */
static void
check_defined (QvirtRpcSession *session, json_t *define_result)
{
  const char *name = json_string_value (json_object_get (define_result, "name"));
  json_t *params;
  json_t *xml_params;
  Reply reply = { 0 };

  if (name == NULL)
    fail ("domain.define", "result has no name");
  params = json_pack ("{s:s}", "name", name);

  call (session, "domain.info", params, &reply);
  if (reply.error)
    fail ("domain.info", reply.error->message);
  if (!json_is_true (json_object_get (reply.result, "persistent")))
    fail ("domain.info", "a defined domain is not persistent");

  json_object_set_new (params, "inactive", json_true ());
  call (session, "domain.getXml", params, &reply);
  if (reply.error)
    fail ("domain.getXml", reply.error->message);
  xml_params = json_pack ("{s:O}", "xml", json_object_get (reply.result, "xml"));

  call (session, "domain.define", xml_params, &reply);
  if (reply.error)
    {
      fprintf (stderr, "%s\n", reply.error->message);
      fail ("domain.define", "the canonical XML of a defined domain does not define it");
    }
  if (g_strcmp0 (json_string_value (json_object_get (reply.result, "name")), name) != 0)
    fail ("domain.define", "redefining from the canonical XML changed the name");

  json_decref (xml_params);
  json_decref (params);
  reply_clear (&reply);
}

/* Methods that would start processes, or (shim.register) watch real
 * ones and claim names for them: their params are checked, nothing runs. */
static gboolean
spawns_qemu (const char *method)
{
  return g_str_equal (method, "domain.start") || g_str_equal (method, "domain.create") ||
         g_str_equal (method, "shim.register");
}

static void
run_call (QvirtRpcSession *session, QvirtRpcSession *read_only_session,
          const char *method, json_t *params)
{
  GError *params_error = NULL;
  gboolean valid;
  Reply reply = { 0 };

  valid = qvirt_dispatcher_check_params (fuzzer.dispatcher, method, params, &params_error);
  if (!valid)
    {
      check_error (method, params_error);
      if (params_error->code != QVIRT_ERROR_PROTOCOL &&
          params_error->code != QVIRT_ERROR_INVALID_ARGUMENT)
        fail (method, "the params check failed with an unexpected kind");
    }

  /* Refused before anything runs, whatever the params: safe even for
   * the methods that would spawn QEMU. */
  if (g_hash_table_contains (fuzzer.changes_state, method))
    {
      call (read_only_session, method, params, &reply);
      if (!g_error_matches (reply.error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED))
        fail (method, "a method that changes state ran on a read-only session");
    }

  if (!spawns_qemu (method))
    {
      call (session, method, params, &reply);
      if (reply.error)
        {
          check_error (method, reply.error);
          if (!valid && (reply.error->code != params_error->code ||
                         strcmp (reply.error->message, params_error->message) != 0))
            fail (method, "the call and the params check disagree");
        }
      else
        {
          if (!valid)
            fail (method, "the call ran although its params check failed");
          check_result_shape (method, reply.result);
          if (g_str_equal (method, "domain.define"))
            check_defined (session, reply.result);
        }
    }

  reply_clear (&reply);
  g_clear_error (&params_error);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

static void
on_notify (const char *method, json_t *params, gpointer user_data)
{
  const char *kind = json_string_value (json_object_get (params, "kind"));

  if (!g_str_equal (method, "event"))
    fail (method, "a notification other than \"event\"");
  if (!json_is_integer (json_object_get (params, "subscription")) ||
      json_integer_value (json_object_get (params, "subscription")) <= 0 ||
      !json_is_string (json_object_get (params, "domain")) ||
      !json_is_string (json_object_get (params, "uuid")) ||
      !json_is_string (json_object_get (params, "event")) ||
      !json_is_integer (json_object_get (params, "timestamp")))
    fail ("event", "a notification without the documented fields");
  if (g_strcmp0 (kind, "lifecycle") == 0)
    {
      if (json_object_get (params, "data") != NULL)
        fail ("event", "a lifecycle event with data");
    }
  else if (g_strcmp0 (kind, "qmp") == 0)
    {
      if (!json_is_object (json_object_get (params, "data")))
        fail ("event", "a QMP event without data");
    }
  else
    fail ("event", "kind is neither lifecycle nor qmp");
}

/* ------------------------------------------------------------------ */
/* Inputs                                                               */

/* Adds the call @value describes, if it is one: {"method": ..., "params": ...}. */
static void
add_call (GPtrArray *calls, json_t *value)
{
  if (calls->len < MAX_CALLS && json_is_object (value) &&
      json_is_string (json_object_get (value, "method")))
    g_ptr_array_add (calls, json_incref (value));
}

/* The fallback: a method picked by the first byte, params from the rest. */
static json_t *
call_from_bytes (const uint8_t *data, size_t size)
{
  guint n_methods = fuzzer.method_names->len;
  guint index = data[0] % (n_methods + 1);
  const char *method = index < n_methods ? fuzzer.method_names->pdata[index]
                                         : "domain.noSuchMethod";
  json_t *params = json_loadb ((const char *) data + 1, size - 1, JSON_DECODE_ANY, NULL);
  json_t *xml;

  if (params == NULL && (xml = json_stringn ((const char *) data + 1, size - 1)) != NULL)
    params = json_pack ("{s:o}", "xml", xml);
  return json_pack ("{s:s, s:o*}", "method", method, "params", params);
}

static void
undefine_everything (void)
{
  GPtrArray *domains = qvirt_driver_list (fuzzer.driver, TRUE, TRUE);

  for (guint i = 0; i < domains->len; i++)
    {
      const QvirtDriverDomainInfo *info = domains->pdata[i];
      GError *error = NULL;

      if (info->state != QVIRT_DOMAIN_STATE_SHUTOFF || info->pid != 0)
        fail ("cleanup", "a domain runs although nothing was started");
      if (!qvirt_driver_undefine (fuzzer.driver, info->name, &error))
        fail ("cleanup", error->message);
    }
  g_ptr_array_unref (domains);

  domains = qvirt_driver_list (fuzzer.driver, TRUE, TRUE);
  if (domains->len != 0)
    fail ("cleanup", "domains left after undefining all of them");
  g_ptr_array_unref (domains);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  json_t *input;
  QvirtRpcSession *session;
  QvirtRpcSession *read_only_session;

  if (size == 0)
    return 0;

  input = json_loadb ((const char *) data, size, 0, NULL);
  if (json_is_array (input))
    {
      size_t i;
      json_t *value;

      json_array_foreach (input, i, value)
        add_call (calls, value);
    }
  else
    add_call (calls, input);
  if (calls->len == 0)
    g_ptr_array_add (calls, call_from_bytes (data, size));
  if (input)
    json_decref (input);

  session = qvirt_rpc_session_new (fuzzer.dispatcher, FALSE, on_notify, NULL);
  read_only_session = qvirt_rpc_session_new (fuzzer.dispatcher, TRUE, on_notify, NULL);
  for (guint i = 0; i < calls->len; i++)
    {
      json_t *c = calls->pdata[i];

      run_call (session, read_only_session,
                json_string_value (json_object_get (c, "method")),
                json_object_get (c, "params"));
    }

  /* Still subscribed: the "undefined" events reach on_notify. */
  undefine_everything ();
  qvirt_rpc_session_close (read_only_session);
  qvirt_rpc_session_close (session);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_ptr_array_unref (calls);
  return 0;
}
