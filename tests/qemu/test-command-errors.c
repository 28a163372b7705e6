/* What the QEMU command line builder refuses, each with its exact
 * message: definitions that pass the domain model's validation but have
 * no QEMU 7.2 command line, and runtime facts that do not fit. */
#include <string.h>

#include "command-test-util.h"

/* A domain with @os_extra inside <os> (line 4) and @body after it, from
 * line 5 on. */
static char *
domain_xml (const char *type, const char *machine, const char *os_extra,
            const char *body)
{
  return g_strdup_printf ("<domain type='%s'>\n"
                          "<name>refused</name>\n"
                          "<memory unit='MiB'>128</memory>\n"
                          "<os><type machine='%s'>hvm</type>%s</os>\n"
                          "%s"
                          "</domain>\n",
                          type, machine, os_extra, body);
}

typedef struct {
  const char *test_name;
  const char *type;
  const char *machine;
  const char *os_extra;
  const char *body;
  const char *message;
  QvirtConfError code;
} Refusal;

static const Refusal refusals[] = {
  { "rtc-merge", "qemu", "pc", "",
    "<clock><timer name='rtc' tickpolicy='merge'/></clock>\n",
    "<clock/timer>: timer 'rtc' tickpolicy 'merge' is not supported by QEMU "
    "(use delay or catchup)", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "rtc-absent", "qemu", "pc", "",
    "<clock><timer name='rtc' present='no'/></clock>\n",
    "<clock/timer>: timer 'rtc' cannot be removed (present='no')",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "pit-catchup-tcg", "qemu", "pc", "",
    "<clock><timer name='pit' tickpolicy='catchup'/></clock>\n",
    "<clock/timer>: timer 'pit' tickpolicy 'catchup' needs <domain "
    "type='kvm'> (TCG's PIT only delays)", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "pit-merge-kvm", "kvm", "pc", "",
    "<clock><timer name='pit' tickpolicy='merge'/></clock>\n",
    "<clock/timer>: timer 'pit' tickpolicy 'merge' is not supported by QEMU "
    "(use delay or discard)", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "hpet-tickpolicy", "qemu", "pc", "",
    "<clock><timer name='hpet' tickpolicy='delay'/></clock>\n",
    "<clock/timer>: timer 'hpet' takes no tickpolicy in QEMU",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "tsc-absent", "qemu", "pc", "",
    "<clock><timer name='tsc' present='no'/></clock>\n",
    "<clock/timer>: timer 'tsc' can only be left as it is (no present='no', "
    "no tickpolicy)", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "hypervclock", "qemu", "pc", "",
    "<clock><timer name='hypervclock' present='yes'/></clock>\n",
    "<clock/timer>: timer 'hypervclock' needs Hyper-V enlightenments, which "
    "qvirt does not support", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "hpet-microvm", "qemu", "microvm", "<kernel>/boot/vmlinuz</kernel>",
    "<clock><timer name='hpet' present='no'/></clock>\n",
    "<clock/timer>: the microvm machine has no HPET",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "boot-floppy", "qemu", "pc", "<boot dev='fd'/>", "",
    "<os/boot>: boot device 'fd': qvirt has no floppy drives",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "pm-microvm", "qemu", "microvm", "<kernel>/boot/vmlinuz</kernel>",
    "<pm><suspend-to-mem enabled='no'/></pm>\n",
    "<pm>: the microvm machine has no ACPI sleep states to configure",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "vmport-microvm", "qemu", "microvm", "<kernel>/boot/vmlinuz</kernel>",
    "<features><vmport state='off'/></features>\n",
    "<features/vmport>: the microvm machine has no vmport",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "watchdog-dump", "qemu", "pc", "",
    "<devices>\n<watchdog model='i6300esb' action='dump'/>\n</devices>\n",
    "<devices/watchdog> at line 6: watchdog action 'dump' is not supported "
    "(QEMU does not write guest dumps itself)",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "bridge-target-dev", "qemu", "pc", "",
    "<devices>\n<interface type='bridge'><source bridge='br0'/>"
    "<target dev='vnet7'/></interface>\n</devices>\n",
    "<devices/interface> at line 6: <target dev='vnet7'> cannot be honoured "
    "for type 'bridge': qemu-bridge-helper names the tap itself (remove "
    "<target>)", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "serial-socket-too-long", "qemu", "pc", "",
    "<devices>\n<serial type='unix'><source mode='bind' path='/run/"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock'/></serial>\n</devices>\n",
    "<devices/serial> at line 6: socket path '/run/"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock' is longer than 107 bytes, the "
    "limit of a UNIX socket address", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "video-heads-vga", "qemu", "pc", "",
    "<devices>\n<video><model type='vga' heads='2'/></video>\n</devices>\n",
    "<devices/video> at line 6: video model 'vga' has a single head",
    QVIRT_CONF_ERROR_UNSUPPORTED },
  { "video-vram-not-mib", "qemu", "pc", "",
    "<devices>\n<video><model type='vga' vram='16000'/></video>\n</devices>\n",
    "<devices/video> at line 6: video memory 16000 KiB is not a whole "
    "number of MiB", QVIRT_CONF_ERROR_UNSUPPORTED },
  { "video-virtio-vram", "qemu", "pc", "",
    "<devices>\n<video><model type='virtio' vram='16384'/></video>\n"
    "</devices>\n",
    "<devices/video> at line 6: a virtio video has no video memory size "
    "(vram)", QVIRT_CONF_ERROR_UNSUPPORTED },
};

static void
test_refusal (gconstpointer data)
{
  const Refusal *refusal = data;
  g_autofree char *xml = domain_xml (refusal->type, refusal->machine,
                                     refusal->os_extra, refusal->body);
  g_autoptr(GError) error = NULL;
  g_autoptr(DomainDef) def = domain_def_load_xml (xml, &error);
  g_autoptr(QemuCommand) command = NULL;
  g_autofree char *monitor = NULL;
  QemuCommandConfig config;

  if (def == NULL)
    g_error ("the domain model refuses the test document: %s\n%s",
             error->message, xml);
  monitor = command_test_golden_config (def, &config);
  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, refusal->message);
  g_assert_error (error, QVIRT_CONF_ERROR, (gint) refusal->code);
}

/* Runtime facts that do not fit: the builder says so rather than
 * writing a command QEMU would refuse. */

static DomainDef *
load_minimal (const char *body)
{
  g_autofree char *xml = domain_xml ("qemu", "pc", "", body);
  g_autoptr(GError) error = NULL;
  DomainDef *def = domain_def_load_xml (xml, &error);

  g_assert_no_error (error);
  return def;
}

static void
test_monitor_missing (void)
{
  g_autoptr(DomainDef) def = load_minimal ("");
  g_autoptr(GError) error = NULL;
  g_autoptr(QemuCommand) command = NULL;
  QemuCommandConfig config = {
    .default_emulator = GOLDEN_EMULATOR,
    .monitor_fd = -1,
  };

  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "the monitor needs a socket: neither "
                   "a file descriptor nor a path was given");
}

static void
test_monitor_path_too_long (void)
{
  g_autoptr(DomainDef) def = load_minimal ("");
  g_autoptr(GError) error = NULL;
  g_autoptr(QemuCommand) command = NULL;
  g_autofree char *long_dir = g_strnfill (120, 'd');
  g_autofree char *path = g_strdup_printf ("/%s/refused.qmp", long_dir);
  g_autofree char *expected = g_strdup_printf (
    "monitor socket path '%s' is longer than 107 bytes, the limit of a UNIX "
    "socket address", path);
  QemuCommandConfig config = {
    .default_emulator = GOLDEN_EMULATOR,
    .monitor_fd = -1,
    .monitor_path = path,
  };

  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_channel_without_runtime_dir (void)
{
  g_autoptr(DomainDef) def = load_minimal (
    "<devices>\n<channel type='unix'><target type='virtio' "
    "name='org.qemu.guest_agent.0'/></channel>\n</devices>\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(QemuCommand) command = NULL;
  QemuCommandConfig config = {
    .default_emulator = GOLDEN_EMULATOR,
    .monitor_fd = 3,
  };

  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_cmpstr (error->message, ==, "<devices/channel> at line 6: a unix "
                   "character device without a path needs a runtime "
                   "directory to put it in");
}

static void
test_vnc_socket_without_runtime_dir (void)
{
  g_autoptr(DomainDef) def = load_minimal (
    "<devices>\n<graphics type='vnc'><listen type='socket'/></graphics>\n"
    "</devices>\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(QemuCommand) command = NULL;
  QemuCommandConfig config = {
    .default_emulator = GOLDEN_EMULATOR,
    .monitor_fd = 3,
  };

  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_cmpstr (error->message, ==, "<devices/graphics> at line 6: a VNC "
                   "socket without a path needs a runtime directory to put "
                   "it in");
}

/* Defensive checks on definitions that validation would refuse, reached
 * by changing a validated definition: the builder must not write a
 * command line out of them. */
static void
test_unvalidated_cpu_names (void)
{
  g_autoptr(DomainDef) def = load_minimal ("");
  g_autoptr(GError) error = NULL;
  g_autoptr(QemuCommand) command = NULL;
  g_autofree char *monitor = NULL;
  QemuCommandConfig config;

  monitor = command_test_golden_config (def, &config);
  def->cpu = domain_cpu_new ();
  def->cpu->model = g_strdup ("qemu64,+vmx");
  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_cmpstr (error->message, ==, "<cpu>: CPU model 'qemu64,+vmx' is "
                   "not a QEMU CPU model name (letters, digits, '-', '_', "
                   "'.')");
  g_clear_error (&error);

  def->cpu->mode = DOMAIN_CPU_MODE_HOST_MODEL;
  g_clear_pointer (&def->cpu->model, g_free);
  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_cmpstr (error->message, ==, "<cpu>: <cpu mode='host-model'> needs "
                   "<domain type='kvm'>: TCG cannot use the host's CPU");
}

/* A string QEMU cannot receive (here not UTF-8, which XML cannot carry
 * but a program building a definition could): libqdev refuses it and the
 * builder names the element. */
static void
test_unvalidated_path (void)
{
  g_autoptr(DomainDef) def = load_minimal (
    "<devices>\n<disk type='file'><source file='/img/a.raw'/>"
    "<target dev='vda'/></disk>\n</devices>\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(QemuCommand) command = NULL;
  g_autofree char *monitor = NULL;
  DomainDisk *disk = g_ptr_array_index (def->disks, 0);
  QemuCommandConfig config;

  monitor = command_test_golden_config (def, &config);
  g_free (disk->source_path);
  disk->source_path = g_strdup ("/img/\xff.raw");
  command = qemu_command_build (def, &config, &error);
  g_assert_null (command);
  g_assert_error (error, QVIRT_CONF_ERROR, QVIRT_CONF_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, "<devices/disk> at line 6: filename "
                   "\"/img/\\377.raw\" is not valid UTF-8");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/command/refuses/%s",
                                               refusals[i].test_name);
      g_test_add_data_func (path, &refusals[i], test_refusal);
    }
  g_test_add_func ("/command/refuses/monitor-missing", test_monitor_missing);
  g_test_add_func ("/command/refuses/monitor-path-too-long",
                   test_monitor_path_too_long);
  g_test_add_func ("/command/refuses/channel-without-runtime-dir",
                   test_channel_without_runtime_dir);
  g_test_add_func ("/command/refuses/vnc-socket-without-runtime-dir",
                   test_vnc_socket_without_runtime_dir);
  g_test_add_func ("/command/refuses/unvalidated-cpu-names",
                   test_unvalidated_cpu_names);
  g_test_add_func ("/command/refuses/unvalidated-path",
                   test_unvalidated_path);
  return g_test_run ();
}
