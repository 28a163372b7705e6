/* QEMU acceptance of the command line builder: every golden domain
 * (the XML files in tests/data/argv/, and the domain model's good documents the
 * builder accepts) is started by a real qemu-system-x86_64 from the argv
 * the builder writes, with -S, and must answer QMP query-status before
 * it is told to quit. A golden QEMU refuses fails here, with QEMU's
 * output.
 *
 * The files a definition names are made in a private directory first
 * (qemu-run.c). Whatever else a run has to change is printed as a TAP
 * comment: KVM domains run with TCG, tap devices are created in a
 * network namespace, bridge NICs are left out.
 *
 * Injection: paths and names holding ',', '=', quotes, spaces and
 * newlines reach QEMU as the single intended value, read back over QMP.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "command-test-util.h"
#include "qemu-run.h"

/* Every character that could break an option string: commas, '=', both
 * quotes, a space, a newline, a colon, an option-like ",id=x" and
 * non-ASCII UTF-8. */
#define TRICKY "a,b=c'd\"e f\ng:h,id=x \xc3\xa9"

typedef struct {
  char *name;
  char *xml_path;
  /* What the run must leave out of the definition, and why. */
  const char *drop_passthrough_reason;
} Acceptance;

static void
acceptance_free (gpointer data)
{
  Acceptance *acceptance = data;

  g_free (acceptance->name);
  g_free (acceptance->xml_path);
  g_free (acceptance);
}

/* A KVM domain runs with TCG here: there is no /dev/kvm. The argv is the
 * golden's with the accelerator swapped and a host CPU left to QEMU's
 * default, both said in the test output. */
static void
run_kvm_with_tcg (QemuRun *run, QemuCommand *command)
{
  GPtrArray *argv = command->argv;

  for (guint i = 0; i + 1 < argv->len; i++)
    {
      const char *option = g_ptr_array_index (argv, i);
      char *value = g_ptr_array_index (argv, i + 1);

      if (g_str_equal (option, "-machine") && strstr (value, "accel=kvm"))
        {
          g_auto(GStrv) parts = g_strsplit (value, "accel=kvm", 2);

          argv->pdata[i + 1] = g_strjoinv ("accel=tcg", parts);
          g_free (value);
          qemu_run_note (run, "KVM domain run with TCG (no /dev/kvm here): "
                         "-machine accel=kvm became accel=tcg");
        }
      else if (g_str_equal (option, "-cpu") &&
               (g_str_equal (value, "host") ||
                g_str_has_prefix (value, "host,")))
        {
          qemu_run_note (run, "KVM domain run with TCG: '-cpu %s' left out "
                         "(the host CPU needs KVM), QEMU's default CPU is "
                         "used", value);
          g_ptr_array_remove_range (argv, i, 2);
          i--;
        }
    }
}

static void
test_acceptance (gconstpointer data)
{
  const Acceptance *acceptance = data;
  g_autoptr(DomainDef) def = command_test_load (acceptance->xml_path);
  g_autoptr(QemuCommand) command = NULL;
  g_autoptr(QmpClient) client = NULL;
  g_autoptr(json_t) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *monitor_path = NULL;
  QemuCommandConfig config = { 0 };
  QemuRun *run = qemu_run_new ();
  TestQemu *qemu;
  int monitor_fd;

  if (acceptance->drop_passthrough_reason != NULL)
    {
      qemu_run_note (run, "<qemu:commandline> arguments left out of this "
                     "run: %s; the golden test checks them",
                     acceptance->drop_passthrough_reason);
      g_ptr_array_set_size (def->qemu_args, 0);
    }
  qemu_run_prepare (run, def);

  monitor_fd = qemu_run_bind_monitor (run, &monitor_path);
  config = (QemuCommandConfig) {
    .default_emulator = test_qemu_binary (),
    .monitor_fd = monitor_fd,
    .monitor_path = monitor_path,
    .runtime_dir = run->dir,
  };
  command = qemu_command_build (def, &config, &error);
  g_assert_no_error (error);
  if (def->virt_type == DOMAIN_VIRT_KVM)
    run_kvm_with_tcg (run, command);

  qemu = qemu_run_start (run, command, monitor_fd, monitor_path, &client);
  if (client != NULL)
    {
      status = qemu_run_execute (qemu, client, "query-status", NULL);
      /* -S: created, not started. */
      g_assert_cmpstr (json_string_value (json_object_get (status, "status")),
                       ==, "prelaunch");
      if (run->script_output != NULL)
        {
          g_autofree char *tap = NULL;

          /* QEMU ran the interface's script with the tap's name. */
          g_assert_true (g_file_get_contents (run->script_output, &tap, NULL,
                                              NULL));
          g_assert_true (g_str_has_prefix (tap, "vnet"));
        }
      qemu_run_quit (qemu, client);
    }
  test_qemu_free (qemu);
  qemu_run_free (run);
}

/* ------------------------------------------------------------------------
 * Injection
 */

static const char injection_xml[] =
  "<domain type='qemu'>\n"
  "  <name>injection</name>\n"
  "  <memory unit='MiB'>128</memory>\n"
  "  <os>\n"
  "    <type machine='pc'>hvm</type>\n"
  "    <kernel>/boot/k</kernel>\n"
  "    <initrd>/boot/i</initrd>\n"
  "    <cmdline>c</cmdline>\n"
  "  </os>\n"
  "  <devices>\n"
  "    <disk type='file'><source file='/d.img'/><target dev='vda'/></disk>\n"
  "    <disk type='file' device='cdrom'><source file='/c.iso'/>"
  "<target dev='hdc' bus='ide'/><readonly/></disk>\n"
  "    <serial type='file'><source path='/s.log'/></serial>\n"
  "    <serial type='unix'><source mode='bind' path='/u.sock'/></serial>\n"
  "    <graphics type='vnc'><listen type='socket' socket='/v.sock'/>"
  "</graphics>\n"
  "  </devices>\n"
  "</domain>\n";

static char *
tricky_path (QemuRun *run, const char *prefix)
{
  g_autofree char *name = g_strdup_printf ("%s%s", prefix, TRICKY);

  return g_build_filename (run->dir, name, NULL);
}

/* The "file" of the block device whose frontend is @device. */
static const char *
block_file (json_t *blocks, const char *device)
{
  size_t index;
  json_t *block;

  json_array_foreach (blocks, index, block)
    {
      const char *qdev = json_string_value (json_object_get (block, "qdev"));

      if (qdev != NULL && (g_str_equal (qdev, device) ||
                           strstr (qdev, device) != NULL))
        return json_string_value (json_object_get (
          json_object_get (block, "inserted"), "file"));
    }
  return NULL;
}

static const char *
chardev_filename (json_t *chardevs, const char *label)
{
  size_t index;
  json_t *chardev;

  json_array_foreach (chardevs, index, chardev)
    if (g_strcmp0 (json_string_value (json_object_get (chardev, "label")),
                   label) == 0)
      return json_string_value (json_object_get (chardev, "filename"));
  return NULL;
}

static char *
qom_get_machine (TestQemu *qemu, QmpClient *client, const char *property)
{
  g_autoptr(json_t) arguments = json_pack ("{s:s, s:s}", "path", "/machine",
                                           "property", property);
  g_autoptr(json_t) value = qemu_run_execute (qemu, client, "qom-get",
                                              arguments);

  return g_strdup (json_string_value (value));
}

static void
test_injection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DomainDef) def = domain_def_load_xml (injection_xml, &error);
  g_autoptr(QemuCommand) command = NULL;
  g_autoptr(QmpClient) client = NULL;
  g_autoptr(json_t) blocks = NULL;
  g_autoptr(json_t) chardevs = NULL;
  g_autoptr(json_t) name = NULL;
  g_autofree char *monitor_path = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *cdrom = NULL;
  g_autofree char *serial_file = NULL;
  g_autofree char *serial_socket = NULL;
  g_autofree char *vnc_socket = NULL;
  g_autofree char *expected_chardev = NULL;
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;
  g_autofree char *append = NULL;
  QemuRun *run = qemu_run_new ();
  DomainDisk *disk0;
  DomainDisk *disk1;
  DomainSerial *serial0;
  DomainSerial *serial1;
  DomainGraphics *graphics;
  QemuCommandConfig config;
  TestQemu *qemu;
  int monitor_fd;

  g_assert_no_error (error);
  disk0 = g_ptr_array_index (def->disks, 0);
  disk1 = g_ptr_array_index (def->disks, 1);
  serial0 = g_ptr_array_index (def->serials, 0);
  serial1 = g_ptr_array_index (def->serials, 1);
  graphics = g_ptr_array_index (def->graphics, 0);

  /* Domain names cannot hold these characters (the domain model refuses
   * them), but the builder must not trust that: -name is key=value. */
  g_free (def->name);
  def->name = g_strdup ("inj,guest=x,debug-threads=off " TRICKY);

  disk = tricky_path (run, "d");
  cdrom = tricky_path (run, "c");
  serial_file = tricky_path (run, "s");
  serial_socket = tricky_path (run, "u");
  vnc_socket = tricky_path (run, "v");
  qemu_run_make_zero_file (disk, 1024 * 1024);
  qemu_run_make_zero_file (cdrom, 64 * 1024);
  g_free (disk0->source_path);
  disk0->source_path = g_strdup (disk);
  g_free (disk1->source_path);
  disk1->source_path = g_strdup (cdrom);
  g_free (serial0->source.path);
  serial0->source.path = g_strdup (serial_file);
  g_free (serial1->source.path);
  serial1->source.path = g_strdup (serial_socket);
  g_free (graphics->listen_socket);
  graphics->listen_socket = g_strdup (vnc_socket);

  g_free (def->os.kernel);
  def->os.kernel = tricky_path (run, "k");
  qemu_run_make_kernel (def->os.kernel);
  g_free (def->os.initrd);
  def->os.initrd = tricky_path (run, "i");
  qemu_run_make_zero_file (def->os.initrd, 4096);
  g_free (def->os.cmdline);
  def->os.cmdline = g_strdup ("console=ttyS0 " TRICKY " -device x");

  monitor_fd = qemu_run_bind_monitor (run, &monitor_path);
  config = (QemuCommandConfig) {
    .default_emulator = test_qemu_binary (),
    .monitor_fd = monitor_fd,
    .monitor_path = monitor_path,
    .runtime_dir = run->dir,
  };
  command = qemu_command_build (def, &config, &error);
  g_assert_no_error (error);
  qemu = qemu_run_start (run, command, monitor_fd, monitor_path, &client);
  g_assert_nonnull (client);

  name = qemu_run_execute (qemu, client, "query-name", NULL);
  g_assert_cmpstr (json_string_value (json_object_get (name, "name")), ==,
                   def->name);

  blocks = qemu_run_execute (qemu, client, "query-block", NULL);
  g_assert_cmpstr (block_file (blocks, "virtio-disk0"), ==, disk);
  g_assert_cmpstr (block_file (blocks, "ide0-1-0"), ==, cdrom);

  chardevs = qemu_run_execute (qemu, client, "query-chardev", NULL);
  expected_chardev = g_strdup_printf ("disconnected:unix:%s,server=on",
                                      serial_socket);
  g_assert_cmpstr (chardev_filename (chardevs, "charserial1"), ==,
                   expected_chardev);
  /* A file chardev reports only "file": the file QEMU created is the
   * proof it read the path whole. */
  g_assert_cmpstr (chardev_filename (chardevs, "charserial0"), ==, "file");
  g_assert_true (g_file_test (serial_file, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (serial_socket, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (vnc_socket, G_FILE_TEST_EXISTS));

  kernel = qom_get_machine (qemu, client, "kernel");
  initrd = qom_get_machine (qemu, client, "initrd");
  append = qom_get_machine (qemu, client, "append");
  g_assert_cmpstr (kernel, ==, def->os.kernel);
  g_assert_cmpstr (initrd, ==, def->os.initrd);
  g_assert_cmpstr (append, ==, def->os.cmdline);

  qemu_run_quit (qemu, client);
  test_qemu_free (qemu);
  qemu_run_free (run);
}

/* ------------------------------------------------------------------------
 * The list
 */

/* Documents of the domain model whose argv QEMU cannot take as it is,
 * for reasons that are not the builder's. */
static const struct {
  const char *name;
  const char *reason;
} passthrough_exceptions[] = {
  { "conf/qemu-commandline",
    "its extra words '' and \"it's <odd> & spaced  \" are not QEMU options "
    "(QEMU would open them as disk images)" },
};

static void
add_acceptance (GPtrArray *all, const char *xml_dir, const char *prefix,
                const char *expected_dir)
{
  g_autoptr(GPtrArray) names = command_test_list_xml (xml_dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *xml = g_strdup_printf ("%s.xml", name);
      g_autofree char *err = g_strdup_printf ("%s.err", name);
      g_autofree char *err_path = g_build_filename (expected_dir, err, NULL);
      g_autofree char *test_path = NULL;
      Acceptance *acceptance;

      /* A document the builder refuses has no argv to start. */
      if (g_file_test (err_path, G_FILE_TEST_EXISTS))
        continue;
      acceptance = g_new0 (Acceptance, 1);
      acceptance->name = g_strdup_printf ("%s%s", prefix, name);
      acceptance->xml_path = g_build_filename (xml_dir, xml, NULL);
      for (guint j = 0; j < G_N_ELEMENTS (passthrough_exceptions); j++)
        if (g_str_equal (passthrough_exceptions[j].name, acceptance->name))
          acceptance->drop_passthrough_reason =
            passthrough_exceptions[j].reason;
      test_path = g_strdup_printf ("/command/qemu/accepts/%s",
                                   acceptance->name);
      g_ptr_array_add (all, acceptance);
      g_test_add_data_func (test_path, acceptance, test_acceptance);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (acceptance_free);
  g_autofree char *argv_dir = NULL;
  g_autofree char *conf_dir = NULL;
  g_autofree char *conf_expected_dir = NULL;

  g_test_init (&argc, &argv, NULL);
  test_qemu_accel ();

  argv_dir = command_test_source_path ("tests", "data", "argv", NULL);
  conf_dir = command_test_source_path ("tests", "data", "conf", "good", NULL);
  conf_expected_dir = g_build_filename (argv_dir, "conf", NULL);
  add_acceptance (all, argv_dir, "", argv_dir);
  add_acceptance (all, conf_dir, "conf/", conf_expected_dir);
  g_test_add_func ("/command/qemu/injection", test_injection);
  return g_test_run ();
}
