/* Unit tests: the key=value escaping and the option table. */
#include "qvirt/qdev.h"

#include <string.h>

static void
assert_escaped (const char *value, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = qdev_escape_option_value (value, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (escaped, ==, expected);
}

static void
test_escape_commas (void)
{
  assert_escaped ("", "");
  assert_escaped ("plain", "plain");
  assert_escaped (",", ",,");
  assert_escaped ("a,b", "a,,b");
  assert_escaped ("a,,b", "a,,,,b");
  assert_escaped (",id=evil,", ",,id=evil,,");
}

static void
test_escape_other_characters_verbatim (void)
{
  /* Only commas are special after an explicit key. */
  assert_escaped ("a=b", "a=b");
  assert_escaped ("'single' \"double\"", "'single' \"double\"");
  assert_escaped ("with space", "with space");
  assert_escaped ("line\nbreak\ttab", "line\nbreak\ttab");
  assert_escaped ("help", "help");
  assert_escaped ("caf\xc3\xa9,x", "caf\xc3\xa9,,x");
}

static void
test_escape_length (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = qdev_escape_option_value ("a,b", 2, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (escaped, ==, "a,,");
}

static void
test_escape_rejects_nul (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = qdev_escape_option_value ("a\0,b", 4, &error);

  g_assert_null (escaped);
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "NUL"));
}

static void
test_escape_rejects_invalid_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = qdev_escape_option_value ("a\xff", -1, &error);

  g_assert_null (escaped);
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE);
}

static void
test_option_table (void)
{
  static const struct {
    QdevOption option;
    const char *flag;
    gboolean json;
    const char *qmp;
  } table[] = {
    { QDEV_OPTION_DEVICE, "-device", TRUE, "device_add" },
    { QDEV_OPTION_BLOCKDEV, "-blockdev", TRUE, "blockdev-add" },
    { QDEV_OPTION_NETDEV, "-netdev", TRUE, "netdev_add" },
    { QDEV_OPTION_OBJECT, "-object", TRUE, "object-add" },
    { QDEV_OPTION_CHARDEV, "-chardev", FALSE, NULL },
    { QDEV_OPTION_MACHINE, "-machine", FALSE, NULL },
    { QDEV_OPTION_SMP, "-smp", FALSE, NULL },
    { QDEV_OPTION_MEMORY, "-m", FALSE, NULL },
    { QDEV_OPTION_VNC, "-vnc", FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (qdev_option_name (table[i].option), ==, table[i].flag);
      g_assert_cmpint (qdev_option_takes_json (table[i].option), ==,
                       table[i].json);
      g_assert_cmpstr (qdev_option_qmp_command (table[i].option), ==,
                       table[i].qmp);
    }
}

static char *
format (QdevOption option, const char *json_text, GError **error)
{
  g_autoptr(json_t) props = json_loads (json_text, 0, NULL);

  g_assert_nonnull (props);
  return qdev_option_format (option, props, error);
}

static void
test_format_keyval (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *chardev = format (
    QDEV_OPTION_CHARDEV,
    "{\"backend\":\"file\",\"id\":\"c0\",\"path\":\"/a,b=c\\nd\"}", &error);
  g_autofree char *typed = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (chardev, ==, "backend=file,id=c0,path=/a,,b=c\nd");

  typed = format (QDEV_OPTION_MACHINE,
                  "{\"type\":\"q35\",\"on\":true,\"off\":false,"
                  "\"number\":-42,\"dotted.key_x-y\":\"\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (typed, ==,
                   "type=q35,on=on,off=off,number=-42,dotted.key_x-y=");
}

static void
test_format_keyval_rejects (void)
{
  static const char *const bad[] = {
    "{\"type\":\"q35\",\"nested\":{\"a\":1}}",
    "{\"type\":\"q35\",\"list\":[1]}",
    "{\"type\":\"q35\",\"null\":null}",
    "{\"type\":\"q35\",\"real\":1.5}",
    "{\"type\":\"q35\",\"bad,key\":\"x\"}",
    "{\"type\":\"q35\",\"bad=key\":\"x\"}",
    "{\"type\":\"q35\",\"\":\"x\"}",
    "{\"type\":\"q35\",\"sp ace\":\"x\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = format (QDEV_OPTION_MACHINE, bad[i], &error);

      g_assert_null (text);
      g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_format_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = format (
    QDEV_OPTION_DEVICE,
    "{\"driver\":\"virtio-blk-pci\",\"serial\":\"a,b=c'd\\\"e f\\ng\","
    "\"bootindex\":1,\"share\":true,\"x\":{\"y\":null}}", &error);

  g_assert_no_error (error);
  /* Members in insertion order; the newline and quote JSON-escaped. */
  g_assert_cmpstr (text, ==,
                   "{\"driver\":\"virtio-blk-pci\",\"serial\":"
                   "\"a,b=c'd\\\"e f\\ng\",\"bootindex\":1,\"share\":true,"
                   "\"x\":{\"y\":null}}");
}

static void
test_format_json_keeps_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = format (
    QDEV_OPTION_OBJECT,
    "{\"qom-type\":\"memory-backend-file\",\"id\":\"m\","
    "\"mem-path\":\"/caf\\u00e9\"}", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==,
                   "{\"qom-type\":\"memory-backend-file\",\"id\":\"m\","
                   "\"mem-path\":\"/caf\xc3\xa9\"}");
}

static void
test_format_requires_identity (void)
{
  static const struct {
    QdevOption option;
    const char *json;
  } bad[] = {
    { QDEV_OPTION_DEVICE, "{\"id\":\"x\"}" },
    { QDEV_OPTION_BLOCKDEV, "{\"driver\":\"file\"}" },
    { QDEV_OPTION_NETDEV, "{\"type\":\"user\"}" },
    { QDEV_OPTION_OBJECT, "{\"id\":\"x\"}" },
    /* a netdev behind -device */
    { QDEV_OPTION_DEVICE, "{\"type\":\"user\",\"id\":\"n\"}" },
    { QDEV_OPTION_CHARDEV, "{\"id\":\"c\"}" },
    { QDEV_OPTION_MACHINE, "{\"accel\":\"tcg\"}" },
    { QDEV_OPTION_SMP, "{\"sockets\":1}" },
    { QDEV_OPTION_MEMORY, "{}" },
    { QDEV_OPTION_VNC, "{\"password\":true}" },
    { QDEV_OPTION_DEVICE, "[]" },
    { QDEV_OPTION_MACHINE, "\"q35\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(json_t) props = json_loads (bad[i].json, JSON_DECODE_ANY,
                                            NULL);
      g_autofree char *text = qdev_option_format (bad[i].option, props,
                                                  &error);

      g_assert_null (text);
      g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_format_rejects_nul (void)
{
  g_autoptr(json_t) device = json_pack ("{s:s, s:s%}", "driver", "x",
                                        "serial", "a\0b", (size_t) 3);
  g_autoptr(json_t) chardev = json_pack ("{s:s, s:s, s:s%}", "backend",
                                         "file", "id", "c", "path", "a\0b",
                                         (size_t) 3);
  g_autoptr(json_t) nested = json_pack ("{s:s, s:s, s:{s:[s%]}}",
                                        "driver", "file", "node-name", "n",
                                        "deep", "list", "a\0b", (size_t) 3);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = qdev_option_format (QDEV_OPTION_DEVICE, device, &error);
  g_assert_null (text);
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  text = qdev_option_format (QDEV_OPTION_CHARDEV, chardev, &error);
  g_assert_null (text);
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  text = qdev_option_format (QDEV_OPTION_BLOCKDEV, nested, &error);
  g_assert_null (text);
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE);
}

static void
test_argv_add (void)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(json_t) device = json_pack ("{s:s}", "driver", "VGA");
  g_autoptr(json_t) machine = json_pack ("{s:s, s:s}", "type", "pc",
                                         "dt-compatible", "a,b");
  g_autoptr(json_t) bad = json_pack ("{s:s}", "id", "x");
  g_autoptr(GError) error = NULL;

  g_assert_true (qdev_argv_add (argv, QDEV_OPTION_DEVICE, device, &error));
  g_assert_true (qdev_argv_add (argv, QDEV_OPTION_MACHINE, machine, &error));
  g_assert_no_error (error);
  g_assert_false (qdev_argv_add (argv, QDEV_OPTION_DEVICE, bad, &error));
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT);

  g_assert_cmpuint (argv->len, ==, 4);
  g_assert_cmpstr (argv->pdata[0], ==, "-device");
  g_assert_cmpstr (argv->pdata[1], ==, "{\"driver\":\"VGA\"}");
  g_assert_cmpstr (argv->pdata[2], ==, "-machine");
  g_assert_cmpstr (argv->pdata[3], ==, "type=pc,dt-compatible=a,,b");
}

static void
test_set_properties (void)
{
  g_autoptr(json_t) props = json_object ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (qdev_set_string (props, "driver", "x", &error));
  qdev_set_int (props, "size", G_GINT64_CONSTANT (1) << 40);
  qdev_set_bool (props, "on", TRUE);
  qdev_set_bool (props, "on", FALSE);
  g_assert_false (qdev_set_string (props, "bad", "\xc3(", &error));
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE);
  g_assert_null (json_object_get (props, "bad"));

  text = qdev_option_format (QDEV_OPTION_DEVICE, props, NULL);
  g_assert_cmpstr (text, ==,
                   "{\"driver\":\"x\",\"size\":1099511627776,\"on\":false}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qdev/escape/commas", test_escape_commas);
  g_test_add_func ("/qdev/escape/other-characters-verbatim",
                   test_escape_other_characters_verbatim);
  g_test_add_func ("/qdev/escape/length", test_escape_length);
  g_test_add_func ("/qdev/escape/rejects-nul", test_escape_rejects_nul);
  g_test_add_func ("/qdev/escape/rejects-invalid-utf8",
                   test_escape_rejects_invalid_utf8);
  g_test_add_func ("/qdev/option/table", test_option_table);
  g_test_add_func ("/qdev/option/format-keyval", test_format_keyval);
  g_test_add_func ("/qdev/option/format-keyval-rejects",
                   test_format_keyval_rejects);
  g_test_add_func ("/qdev/option/format-json", test_format_json);
  g_test_add_func ("/qdev/option/format-json-keeps-utf8",
                   test_format_json_keeps_utf8);
  g_test_add_func ("/qdev/option/format-requires-identity",
                   test_format_requires_identity);
  g_test_add_func ("/qdev/option/format-rejects-nul",
                   test_format_rejects_nul);
  g_test_add_func ("/qdev/option/argv-add", test_argv_add);
  g_test_add_func ("/qdev/option/set-properties", test_set_properties);

  return g_test_run ();
}
