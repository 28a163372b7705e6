/* Runs the programs in examples/ against a real QEMU, so the examples the
 * docs point to keep working, not just compiling. */
#include "qemu-harness.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

static void
test_qmp_status_example (void)
{
  const char *qemu_args[] = { "-machine", "pc", "-accel", "tcg", NULL };
  g_autoptr(TestQemu) qemu = test_qemu_start (qemu_args);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, QVIRT_EXAMPLE_QMP_STATUS, qemu->qmp_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("example stdout:\n%s\nstderr:\n%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_true (g_str_has_prefix (out, "QEMU 7.") || g_str_has_prefix (out, "QEMU "));
  g_assert_nonnull (strstr (out, "status: prelaunch\n"));
  g_assert_nonnull (strstr (out, "event RESUME at "));
}

/* examples/embed.c boots the test guest in embed mode: what make demo
 * shows. */
static void
test_embed_example (void)
{
  const char *guest_dir = g_getenv ("QVIRT_GUEST_DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;
  g_autofree char *root = g_dir_make_tmp ("qvirt-embed-test-XXXXXX", &error);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (guest_dir);
  kernel = g_build_filename (guest_dir, "vmlinuz", NULL);
  initrd = g_build_filename (guest_dir, "initrd.img", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS))
    g_error ("no test guest in %s: run scripts/guest.sh %s", guest_dir, guest_dir);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, QVIRT_EXAMPLE_EMBED, kernel, initrd, root, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("embed stdout:\n%s\nstderr:\n%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_nonnull (strstr (out, "console | QVIRT-GUEST-READY"));
  g_assert_nonnull (strstr (out, "console | pong"));
  g_assert_nonnull (strstr (out, "guest shut down (ACPI)"));
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);

    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/examples/qmp-status", test_qmp_status_example);
  g_test_add_func ("/examples/guest/embed", test_embed_example);
  return g_test_run ();
}
