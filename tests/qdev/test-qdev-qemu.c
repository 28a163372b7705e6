/* QEMU acceptance tests for libqdev: a real qemu-system-x86_64 (TCG,
 * stopped with -S) gets argv made by the builders, and QMP tells what
 * it understood. Paths hold every character that could break an option
 * string and must come back byte for byte. The same JSON objects then
 * go to QEMU as hotplug arguments. */
#include "qvirt/qdev.h"

#include "qemu-harness.h"
#include "qmp-raw.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* Commas, '=', quotes, a space, a newline, a colon, an option-like
 * ",id=x" and non-ASCII UTF-8. */
#define TRICKY "a,b=c'd\"e f\ng:h,id=x \xc3\xa9"

#define MIB (1024 * 1024)

/* ------------------------------------------------------------------------
 * Helpers
 */

/* Asserts that a builder succeeded; returns what it built. Takes the
 * error's address so it is read after the builder ran. */
static json_t *
built (json_t *props, GError **error)
{
  g_assert_no_error (*error);
  g_assert_nonnull (props);
  return props;
}

/* Appends @props (taken) to @args as its option. */
static void
add (GPtrArray *args, QdevOption option, json_t *props)
{
  g_autoptr(json_t) owned = props;
  g_autoptr(GError) error = NULL;

  g_assert_true (qdev_argv_add (args, option, owned, &error));
  g_assert_no_error (error);
}

static json_t *
at_pci (json_t *device, const char *bus, guint slot, guint function,
        gboolean multifunction)
{
  const QdevPciAddress address = {
    .bus = bus, .slot = slot, .function = function,
    .multifunction = multifunction,
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (qdev_device_set_pci_address (device, &address, &error));
  g_assert_no_error (error);
  return device;
}

static const char *
root_bus (const char *machine)
{
  return g_str_equal (machine, "q35") ? "pcie.0" : "pci.0";
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  /* Short: UNIX socket paths inside must stay under 108 bytes. */
  char *dir = g_dir_make_tmp ("qdev-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_temp_dir (char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

typedef char *TempDir;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (TempDir, remove_temp_dir, NULL)

static void
create_image (const char *path, const char *format)
{
  const char *argv[] = {
    "qemu-img", "create", "-q", "-f", format, path, "1M", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("qemu-img create %s failed: %s", path, err);
}

/* Whether the filesystem holding @path supports O_DIRECT (tmpfs does
 * not): cache.direct can only be tested where it does. */
static gboolean
supports_o_direct (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECT | O_CLOEXEC);

  if (fd < 0)
    {
      g_test_message ("no O_DIRECT on %s (%s): cache.direct tested off",
                      path, g_strerror (errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

typedef struct {
  TestQemu *qemu;
  QmpRaw *qmp;
} Vm;

/* A failed assertion aborts the test before test_qemu_free() runs, and
 * the orphaned QEMU (stopped by -S, so it never exits) would keep the
 * test's stdout open: meson would wait for it until its timeout. The
 * tests run one QEMU at a time; this is it, killed on abort. */
static volatile sig_atomic_t running_qemu_pid;

static void
kill_qemu_on_abort (int signal_number)
{
  if (running_qemu_pid > 0)
    kill (running_qemu_pid, SIGKILL);
  raise (signal_number);
}

static void
install_abort_handler (void)
{
  struct sigaction action = {
    .sa_handler = kill_qemu_on_abort,
    .sa_flags = SA_RESETHAND,
  };

  sigemptyset (&action.sa_mask);
  g_assert_cmpint (sigaction (SIGABRT, &action, NULL), ==, 0);
}

static void
vm_free (Vm *vm)
{
  running_qemu_pid = 0;
  qmp_raw_free (vm->qmp);
  test_qemu_free (vm->qemu);
  g_free (vm);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Vm, vm_free)

/* Starts QEMU (TCG, -S) with @machine (taken) and @args, and connects
 * to its monitor. If QEMU refused the arguments, fails with its log. */
static Vm *
vm_start (json_t *machine, GPtrArray *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Vm *vm = g_new0 (Vm, 1);

  g_ptr_array_add (argv, g_strdup ("-accel"));
  g_ptr_array_add (argv, g_strdup ("tcg"));
  add (argv, QDEV_OPTION_MACHINE, machine);
  for (guint i = 0; args != NULL && i < args->len; i++)
    g_ptr_array_add (argv, g_strdup (args->pdata[i]));
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; argv->pdata[i] != NULL; i++)
    {
      g_autofree char *shown = g_strescape (argv->pdata[i], "\xc3\xa9");
      g_test_message ("argv: %s", shown);
    }

  vm->qemu = test_qemu_start ((const char * const *) argv->pdata);
  running_qemu_pid = vm->qemu->pid;
  vm->qmp = qmp_raw_connect (vm->qemu->qmp_path, &error);
  if (vm->qmp == NULL)
    {
      g_autofree char *log = NULL;

      test_qemu_wait_exit (vm->qemu, 10000);
      log = test_qemu_log_contents (vm->qemu);
      g_error ("QEMU did not start (%s); its log:\n%s", error->message, log);
    }
  return vm;
}

static Vm *
vm_start_machine (const char *machine_type, GPtrArray *args)
{
  GError *error = NULL;

  return vm_start (built (qdev_machine_new (machine_type, NULL, &error),
                          &error), args);
}

/* Runs a command that must succeed; returns its result. */
static json_t *
qmp (Vm *vm, const char *command, json_t *arguments)
{
  g_autoptr(GError) error = NULL;
  json_t *result = qmp_raw_execute (vm->qmp, command, arguments, &error);

  g_assert_no_error (error);
  return result;
}

static json_t *
qom_get (Vm *vm, const char *path, const char *property)
{
  g_autoptr(json_t) arguments = json_pack ("{s:s, s:s}", "path", path,
                                           "property", property);
  return qmp (vm, "qom-get", arguments);
}

static void
assert_qom_string (Vm *vm, const char *path, const char *property,
                   const char *expected)
{
  g_autoptr(json_t) value = qom_get (vm, path, property);

  g_assert_true (json_is_string (value));
  g_assert_cmpstr (json_string_value (value), ==, expected);
}

static void
assert_qom_int (Vm *vm, const char *path, const char *property,
                json_int_t expected)
{
  g_autoptr(json_t) value = qom_get (vm, path, property);

  g_assert_true (json_is_integer (value));
  g_assert_cmpint (json_integer_value (value), ==, expected);
}

static void
assert_qom_bool (Vm *vm, const char *path, const char *property,
                 gboolean expected)
{
  g_autoptr(json_t) value = qom_get (vm, path, property);

  g_assert_true (json_is_boolean (value));
  g_assert_cmpint (json_is_true (value), ==, expected);
}

/* Checks that QEMU created device @id with QOM type @driver. */
static void
assert_device (Vm *vm, const char *id, const char *driver)
{
  g_autofree char *path = g_strdup_printf ("/machine/peripheral/%s", id);

  assert_qom_string (vm, path, "type", driver);
}

/* Hands @props (taken) to the QMP command that hotplugs @option. */
static void
hotplug (Vm *vm, QdevOption option, json_t *props)
{
  g_autoptr(json_t) owned = props;
  g_autoptr(json_t) result = qmp (vm, qdev_option_qmp_command (option),
                                  owned);

  g_assert_nonnull (result);
}

static json_t *
find_by_string (json_t *array, const char *key, const char *value)
{
  size_t index;
  json_t *element;

  json_array_foreach (array, index, element)
    {
      const char *found = json_string_value (json_object_get (element, key));
      if (found != NULL && g_str_equal (found, value))
        return element;
    }
  return NULL;
}

/* Checks what query-named-block-nodes reports for a node. */
static void
assert_node (json_t *nodes, const char *node_name, const char *driver,
             const char *file, const QdevBlockNodeOptions *options)
{
  json_t *node = find_by_string (nodes, "node-name", node_name);
  json_t *cache = json_object_get (node, "cache");

  g_assert_nonnull (node);
  g_assert_cmpstr (json_string_value (json_object_get (node, "drv")), ==,
                   driver);
  g_assert_cmpstr (json_string_value (json_object_get (node, "file")), ==,
                   file);
  g_assert_cmpint (json_is_true (json_object_get (node, "ro")), ==,
                   options->read_only);
  g_assert_cmpint (json_is_true (json_object_get (cache, "direct")), ==,
                   options->cache_direct);
  g_assert_cmpint (json_is_true (json_object_get (cache, "no-flush")), ==,
                   options->cache_no_flush);
}

/* Checks that query-block lists the frontend at @qdev_path with the
 * format node @node_name holding @file. */
static void
assert_block_frontend (json_t *blocks, const char *qdev_path,
                       const char *node_name, const char *file)
{
  json_t *block = find_by_string (blocks, "qdev", qdev_path);
  json_t *inserted = json_object_get (block, "inserted");

  g_assert_nonnull (block);
  g_assert_cmpstr (json_string_value (json_object_get (inserted,
                                                       "node-name")), ==,
                   node_name);
  g_assert_cmpstr (json_string_value (json_object_get (inserted, "file")), ==,
                   file);
}

/* A listening UNIX socket at exactly @path answers a connection. */
static void
assert_socket_listens (const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect (client,
                                        G_SOCKET_CONNECTABLE (address),
                                        NULL, &error);
  g_assert_no_error (error);
}

/* The directory holds exactly @names (NULL-terminated), so a path cut
 * at a comma or a newline cannot go unnoticed. */
static void
assert_dir_holds (const char *dir, const char * const *names)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (found, g_strdup (name));
  for (const char * const *expected = names; *expected; expected++)
    {
      guint index;

      if (!g_ptr_array_find_with_equal_func (found, *expected, g_str_equal,
                                             &index))
        {
          g_autofree char *shown = g_strescape (*expected, NULL);
          g_error ("%s was not created in %s", shown, dir);
        }
      g_ptr_array_remove_index (found, index);
    }
  for (guint i = 0; i < found->len; i++)
    {
      g_autofree char *shown = g_strescape (found->pdata[i], NULL);
      g_error ("unexpected file %s in %s", shown, dir);
    }
}

/* ------------------------------------------------------------------------
 * Disks: node chains and frontends, paths read back exactly.
 */

static void
test_disks (gconstpointer data)
{
  const char *machine = data;
  g_auto(TempDir) dir = make_temp_dir ();
  g_autofree char *qcow2_path = g_build_filename (dir, "q-" TRICKY, NULL);
  g_autofree char *raw_path = g_build_filename (dir, "r-" TRICKY, NULL);
  g_autofree char *scsi_path = g_build_filename (dir, "s-" TRICKY, NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Vm) vm = NULL;
  g_autoptr(json_t) flat = json_pack ("{s:b}", "flat", TRUE);
  g_autoptr(json_t) nodes = NULL;
  g_autoptr(json_t) blocks = NULL;
  QdevBlockNodeOptions virtio_options = { .discard = TRUE };
  /* IDE hard disks cannot be read-only: the SCSI one is. */
  const QdevBlockNodeOptions ide_options = { .cache_no_flush = TRUE };
  const QdevBlockNodeOptions scsi_options = { .read_only = TRUE };
  GError *error = NULL;
  json_t *device;

  create_image (qcow2_path, "qcow2");
  create_image (raw_path, "raw");
  create_image (scsi_path, "raw");
  virtio_options.cache_direct = supports_o_direct (qcow2_path);

  /* qcow2 on virtio-blk, at a chosen PCI address. */
  add (args, QDEV_OPTION_BLOCKDEV,
       built (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE, "vd-file",
                                          qcow2_path, &virtio_options,
                                          &error), &error));
  add (args, QDEV_OPTION_BLOCKDEV,
       built (qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_QCOW2, "vd",
                                        "vd-file", &virtio_options, &error),
              &error));
  device = built (qdev_device_disk_new (QDEV_DISK_VIRTIO_BLK, "vdisk0", "vd",
                                        1, "VD,1=x", &error), &error);
  add (args, QDEV_OPTION_DEVICE, at_pci (device, root_bus (machine), 5, 0,
                                         FALSE));

  /* raw on the machine's own IDE (pc) or SATA (q35). */
  add (args, QDEV_OPTION_BLOCKDEV,
       built (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE, "hd-file",
                                          raw_path, &ide_options, &error),
              &error));
  add (args, QDEV_OPTION_BLOCKDEV,
       built (qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_RAW, "hd",
                                        "hd-file", &ide_options, &error),
              &error));
  device = built (qdev_device_disk_new (QDEV_DISK_IDE_HD, "hdisk0", "hd", 0,
                                        "S,N 'q\"", &error), &error);
  g_assert_true (qdev_device_set_drive_unit (device, "ide.0", 0, &error));
  add (args, QDEV_OPTION_DEVICE, device);
  device = built (qdev_device_disk_new (QDEV_DISK_IDE_CD, "cd0", NULL, 0,
                                        NULL, &error), &error);
  g_assert_true (qdev_device_set_drive_unit (device, "ide.1", 0, &error));
  add (args, QDEV_OPTION_DEVICE, device);

  /* Read-only raw on SCSI, and an empty SCSI CD-ROM. */
  device = built (qdev_device_controller_new (QDEV_CONTROLLER_VIRTIO_SCSI,
                                              "scsi0", &error), &error);
  add (args, QDEV_OPTION_DEVICE, at_pci (device, root_bus (machine), 6, 0,
                                         FALSE));
  add (args, QDEV_OPTION_BLOCKDEV,
       built (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE, "sd-file",
                                          scsi_path, &scsi_options, &error),
              &error));
  add (args, QDEV_OPTION_BLOCKDEV,
       built (qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_RAW, "sd",
                                        "sd-file", &scsi_options, &error),
              &error));
  device = built (qdev_device_disk_new (QDEV_DISK_SCSI_HD, "sdisk0", "sd", 2,
                                        NULL, &error), &error);
  g_assert_true (qdev_device_set_scsi_address (device, "scsi0.0", 0, 1,
                                               &error));
  add (args, QDEV_OPTION_DEVICE, device);
  device = built (qdev_device_disk_new (QDEV_DISK_SCSI_CD, "scd0", NULL, 0,
                                        NULL, &error), &error);
  g_assert_true (qdev_device_set_scsi_address (device, "scsi0.0", 0, 2,
                                               &error));
  add (args, QDEV_OPTION_DEVICE, device);

  vm = vm_start_machine (machine, args);

  nodes = qmp (vm, "query-named-block-nodes", flat);
  assert_node (nodes, "vd-file", "file", qcow2_path, &virtio_options);
  assert_node (nodes, "vd", "qcow2", qcow2_path, &virtio_options);
  assert_node (nodes, "hd-file", "file", raw_path, &ide_options);
  assert_node (nodes, "hd", "raw", raw_path, &ide_options);
  assert_node (nodes, "sd-file", "file", scsi_path, &scsi_options);
  assert_node (nodes, "sd", "raw", scsi_path, &scsi_options);

  blocks = qmp (vm, "query-block", NULL);
  assert_block_frontend (blocks, "/machine/peripheral/vdisk0/virtio-backend",
                         "vd", qcow2_path);
  /* "qdev" is the device id, or the QOM path of an anonymous device
   * such as virtio-blk's inner virtio-backend. */
  assert_block_frontend (blocks, "hdisk0", "hd", raw_path);
  assert_block_frontend (blocks, "sdisk0", "sd", scsi_path);
  g_assert_nonnull (find_by_string (blocks, "qdev", "cd0"));
  g_assert_nonnull (find_by_string (blocks, "qdev", "scd0"));

  assert_qom_string (vm, "/machine/peripheral/vdisk0", "serial", "VD,1=x");
  assert_qom_int (vm, "/machine/peripheral/vdisk0", "bootindex", 1);
  /* "addr" reads back as devfn: slot 5, function 0. */
  assert_qom_int (vm, "/machine/peripheral/vdisk0", "addr", 5 << 3);
  assert_qom_string (vm, "/machine/peripheral/hdisk0", "serial", "S,N 'q\"");
  assert_qom_int (vm, "/machine/peripheral/sdisk0", "bootindex", 2);
  assert_qom_int (vm, "/machine/peripheral/sdisk0", "lun", 1);
}

/* ------------------------------------------------------------------------
 * Chardevs (key=value on the command line) and their frontends.
 */

static void
test_chardevs (gconstpointer data)
{
  const char *machine = data;
  g_auto(TempDir) dir = make_temp_dir ();
  g_autofree char *file_path = g_build_filename (dir, "f-" TRICKY, NULL);
  g_autofree char *log_path = g_build_filename (dir, "l-" TRICKY, NULL);
  g_autofree char *socket_path = g_build_filename (dir, "s-" TRICKY, NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Vm) vm = NULL;
  g_autoptr(json_t) chardevs = NULL;
  json_t *channel;
  GError *error = NULL;
  json_t *device;

  add (args, QDEV_OPTION_CHARDEV,
       built (qdev_chardev_option_new (&(QdevChardev) {
                                         .backend = QDEV_CHARDEV_FILE,
                                         .id = "charserial0",
                                         .path = file_path }, &error),
              &error));
  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_serial_new ("serial0", "charserial0", &error),
              &error));
  add (args, QDEV_OPTION_CHARDEV,
       built (qdev_chardev_option_new (&(QdevChardev) {
                                         .backend = QDEV_CHARDEV_NULL,
                                         .id = "charserial1",
                                         .logfile = log_path }, &error),
              &error));
  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_serial_new ("serial1", "charserial1", &error),
              &error));

  device = built (qdev_device_controller_new (QDEV_CONTROLLER_VIRTIO_SERIAL,
                                              "vser0", &error), &error);
  add (args, QDEV_OPTION_DEVICE, at_pci (device, root_bus (machine), 8, 0,
                                         FALSE));
  add (args, QDEV_OPTION_CHARDEV,
       built (qdev_chardev_option_new (&(QdevChardev) {
                                         .backend = QDEV_CHARDEV_SOCKET,
                                         .id = "charchannel0",
                                         .path = socket_path,
                                         .server = TRUE }, &error),
              &error));
  device = built (qdev_device_virtio_port_new (QDEV_VIRTIO_PORT_SERIAL,
                                               "channel0", "charchannel0",
                                               "org.qemu.guest_agent.0",
                                               &error), &error);
  g_assert_true (qdev_device_set_bus (device, "vser0.0", &error));
  add (args, QDEV_OPTION_DEVICE, device);
  add (args, QDEV_OPTION_CHARDEV,
       built (qdev_chardev_option_new (&(QdevChardev) {
                                         .backend = QDEV_CHARDEV_NULL,
                                         .id = "charconsole0" }, &error),
              &error));
  device = built (qdev_device_virtio_port_new (QDEV_VIRTIO_PORT_CONSOLE,
                                               "console0", "charconsole0",
                                               NULL, &error), &error);
  g_assert_true (qdev_device_set_bus (device, "vser0.0", &error));
  add (args, QDEV_OPTION_DEVICE, device);

  vm = vm_start_machine (machine, args);

  /* query-chardev only says "file" for a file backend: the proof is
   * the file itself, created at exactly that path. */
  assert_dir_holds (dir, (const char *[]) {
    "f-" TRICKY, "l-" TRICKY, "s-" TRICKY, NULL });
  assert_socket_listens (socket_path);

  chardevs = qmp (vm, "query-chardev", NULL);
  g_assert_nonnull (find_by_string (chardevs, "label", "charserial0"));
  g_assert_nonnull (find_by_string (chardevs, "label", "charconsole0"));
  channel = find_by_string (chardevs, "label", "charchannel0");
  g_assert_nonnull (channel);
  g_assert_nonnull (strstr (json_string_value (json_object_get (channel,
                                                                "filename")),
                            socket_path));
  g_assert_nonnull (find_by_string (chardevs, "label", "charserial1"));

  assert_device (vm, "serial0", "isa-serial");
  assert_qom_string (vm, "/machine/peripheral/channel0", "name",
                     "org.qemu.guest_agent.0");
  assert_device (vm, "console0", "virtconsole");
}

/* ------------------------------------------------------------------------
 * The other key=value options: -machine, -m, -smp, -vnc; and memory
 * backend objects.
 */

static void
test_keyval_options (gconstpointer data)
{
  const char *machine_type = data;
  g_auto(TempDir) dir = make_temp_dir ();
  g_autofree char *mem_path = g_build_filename (dir, "m-" TRICKY, NULL);
  g_autofree char *vnc_path = g_build_filename (dir, "v-" TRICKY, NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Vm) vm = NULL;
  g_autoptr(json_t) cpus = NULL;
  g_autoptr(json_t) vnc = NULL;
  GError *error = NULL;
  json_t *machine;

  machine = built (qdev_machine_new (machine_type, "ram0", &error), &error);
  /* A free-form machine string QMP can read back. */
  g_assert_true (qdev_set_string (machine, "dt-compatible", TRICKY, &error));
  add (args, QDEV_OPTION_MEMORY, built (qdev_memory_new (64, &error),
                                        &error));
  add (args, QDEV_OPTION_OBJECT,
       built (qdev_object_memory_ram_new ("ram0", 64 * MIB, FALSE, &error),
              &error));
  add (args, QDEV_OPTION_OBJECT,
       built (qdev_object_memory_file_new ("mem1", MIB, mem_path, TRUE,
                                           FALSE, &error), &error));
  add (args, QDEV_OPTION_SMP,
       built (qdev_smp_new (&(QdevSmp) { .cpus = 2, .max_cpus = 4,
                                         .sockets = 1, .cores = 4,
                                         .threads = 1 }, &error), &error));
  add (args, QDEV_OPTION_VNC, built (qdev_vnc_unix_new (vnc_path, &error),
                                     &error));

  vm = vm_start (machine, args);

  assert_qom_string (vm, "/machine", "dt-compatible", TRICKY);
  assert_qom_string (vm, "/machine", "memory-backend", "/objects/ram0");
  assert_qom_int (vm, "/objects/ram0", "size", 64 * MIB);
  assert_qom_string (vm, "/objects/mem1", "mem-path", mem_path);
  assert_qom_bool (vm, "/objects/mem1", "share", TRUE);
  assert_qom_int (vm, "/objects/mem1", "size", MIB);

  cpus = qmp (vm, "query-cpus-fast", NULL);
  g_assert_cmpuint (json_array_size (cpus), ==, 2);

  vnc = qmp (vm, "query-vnc", NULL);
  g_assert_cmpstr (json_string_value (json_object_get (vnc, "family")), ==,
                   "unix");
  g_assert_cmpstr (json_string_value (json_object_get (vnc, "service")), ==,
                   vnc_path);
  assert_dir_holds (dir, (const char *[]) { "m-" TRICKY, "v-" TRICKY, NULL });
}

/* ------------------------------------------------------------------------
 * Every other builder in one machine: QEMU's strict JSON typing accepts
 * them all, and the values arrive.
 */

static void
test_all_devices (gconstpointer data)
{
  const char *machine = data;
  gboolean q35 = g_str_equal (machine, "q35");
  const char *root = root_bus (machine);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Vm) vm = NULL;
  GError *error = NULL;
  json_t *device;

  static const struct {
    QdevControllerModel model;
    const char *id;
    const char *driver;
  } controllers[] = {
    { QDEV_CONTROLLER_PIIX3_USB_UHCI, "usb1", "piix3-usb-uhci" },
    { QDEV_CONTROLLER_ICH9_USB_EHCI1, "usb2", "ich9-usb-ehci1" },
    { QDEV_CONTROLLER_QEMU_XHCI, "usb3", "qemu-xhci" },
    { QDEV_CONTROLLER_NEC_USB_XHCI, "usb4", "nec-usb-xhci" },
    { QDEV_CONTROLLER_VIRTIO_SCSI, "scsi1", "virtio-scsi-pci" },
    { QDEV_CONTROLLER_LSI, "scsi2", "lsi53c895a" },
    { QDEV_CONTROLLER_AHCI, "sata1", "ich9-ahci" },
    { QDEV_CONTROLLER_VIRTIO_SERIAL, "vser1", "virtio-serial-pci" },
  };
  static const struct {
    QdevNicModel model;
    const char *driver;
  } nics[] = {
    { QDEV_NIC_VIRTIO, "virtio-net-pci" },
    { QDEV_NIC_E1000, "e1000" },
    { QDEV_NIC_E1000E, "e1000e" },
    { QDEV_NIC_RTL8139, "rtl8139" },
  };
  static const struct {
    QdevInputModel model;
    const char *id;
    const char *driver;
    const char *usb_port;
  } inputs[] = {
    { QDEV_INPUT_USB_TABLET, "tablet0", "usb-tablet", "1" },
    { QDEV_INPUT_USB_MOUSE, "mouse0", "usb-mouse", "2" },
    { QDEV_INPUT_USB_KEYBOARD, "kbd0", "usb-kbd", "3" },
    { QDEV_INPUT_VIRTIO_TABLET, "tablet1", "virtio-tablet-pci", NULL },
    { QDEV_INPUT_VIRTIO_MOUSE, "mouse1", "virtio-mouse-pci", NULL },
    { QDEV_INPUT_VIRTIO_KEYBOARD, "kbd1", "virtio-keyboard-pci", NULL },
  };

  /* Bridges first: other devices plug into them. */
  device = built (qdev_device_pci_bridge_new ("bridge1", 3, &error), &error);
  add (args, QDEV_OPTION_DEVICE, at_pci (device, root, 0x1e, 0, FALSE));
  if (q35)
    {
      device = built (qdev_device_pcie_root_port_new ("rp1", 1, 0x10,
                                                      &error), &error);
      add (args, QDEV_OPTION_DEVICE, at_pci (device, root, 2, 0, TRUE));
      device = built (qdev_device_pcie_root_port_new ("rp2", 2, 0x11,
                                                      &error), &error);
      add (args, QDEV_OPTION_DEVICE, at_pci (device, root, 2, 1, FALSE));
    }

  for (guint i = 0; i < G_N_ELEMENTS (controllers); i++)
    add (args, QDEV_OPTION_DEVICE,
         built (qdev_device_controller_new (controllers[i].model,
                                            controllers[i].id, &error),
                &error));

  for (guint i = 0; i < G_N_ELEMENTS (nics); i++)
    {
      g_autofree char *netdev_id = g_strdup_printf ("hostnet%u", i);
      g_autofree char *nic_id = g_strdup_printf ("net%u", i);
      g_autofree char *mac = g_strdup_printf ("52:54:00:12:34:5%u", i);

      add (args, QDEV_OPTION_NETDEV,
           built (qdev_netdev_user_new (netdev_id, &error), &error));
      device = built (qdev_device_nic_new (nics[i].model, nic_id, netdev_id,
                                           mac, i + 1, &error), &error);
      /* One NIC behind the PCI bridge, one (PCIe) in a root port. */
      if (i == 1)
        at_pci (device, "bridge1", 1, 0, FALSE);
      if (i == 2 && q35)
        at_pci (device, "rp1", 0, 0, FALSE);
      add (args, QDEV_OPTION_DEVICE, device);
    }

  add (args, QDEV_OPTION_OBJECT,
       built (qdev_object_rng_random_new ("rng0", "/dev/urandom", &error),
              &error));
  add (args, QDEV_OPTION_OBJECT,
       built (qdev_object_rng_builtin_new ("rng1", &error), &error));
  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_rng_new ("rngdev0", "rng0", 1024, 1000, &error),
              &error));
  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_rng_new ("rngdev1", "rng1", 0, 0, &error), &error));

  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_watchdog_new (QDEV_WATCHDOG_I6300ESB, "watchdog0",
                                        &error), &error));
  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_watchdog_new (QDEV_WATCHDOG_IB700, "watchdog1",
                                        &error), &error));
  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_balloon_new ("balloon0", TRUE, FALSE, &error),
              &error));
  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_video_new (QDEV_VIDEO_VGA, "video0", 32, &error),
              &error));

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      device = built (qdev_device_input_new (inputs[i].model, inputs[i].id,
                                             &error), &error);
      if (inputs[i].usb_port != NULL)
        g_assert_true (qdev_device_set_usb_port (device, "usb3.0",
                                                 inputs[i].usb_port,
                                                 &error));
      add (args, QDEV_OPTION_DEVICE, device);
    }

  vm = vm_start_machine (machine, args);

  assert_device (vm, "bridge1", "pci-bridge");
  assert_qom_int (vm, "/machine/peripheral/bridge1", "chassis_nr", 3);
  if (q35)
    {
      assert_device (vm, "rp1", "pcie-root-port");
      assert_qom_int (vm, "/machine/peripheral/rp1", "chassis", 1);
      assert_qom_int (vm, "/machine/peripheral/rp1", "port", 0x10);
      assert_qom_bool (vm, "/machine/peripheral/rp1", "multifunction", TRUE);
      assert_qom_int (vm, "/machine/peripheral/rp2", "addr", 2 << 3 | 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (controllers); i++)
    assert_device (vm, controllers[i].id, controllers[i].driver);
  for (guint i = 0; i < G_N_ELEMENTS (nics); i++)
    {
      g_autofree char *nic_id = g_strdup_printf ("net%u", i);
      g_autofree char *path = g_strdup_printf ("/machine/peripheral/%s",
                                               nic_id);
      g_autofree char *mac = g_strdup_printf ("52:54:00:12:34:5%u", i);

      assert_device (vm, nic_id, nics[i].driver);
      assert_qom_string (vm, path, "mac", mac);
      assert_qom_int (vm, path, "bootindex", i + 1);
    }
  assert_qom_string (vm, "/machine/peripheral/net1", "parent_bus",
                     "/machine/peripheral/bridge1/bridge1");
  assert_device (vm, "rngdev0", "virtio-rng-pci");
  assert_qom_int (vm, "/machine/peripheral/rngdev0", "max-bytes", 1024);
  assert_qom_int (vm, "/machine/peripheral/rngdev0", "period", 1000);
  assert_qom_string (vm, "/objects/rng0", "filename", "/dev/urandom");
  assert_device (vm, "rngdev1", "virtio-rng-pci");
  assert_device (vm, "watchdog0", "i6300esb");
  assert_device (vm, "watchdog1", "ib700");
  assert_device (vm, "balloon0", "virtio-balloon-pci");
  assert_qom_bool (vm, "/machine/peripheral/balloon0", "deflate-on-oom",
                   TRUE);
  assert_device (vm, "video0", "VGA");
  assert_qom_int (vm, "/machine/peripheral/video0", "vgamem_mb", 32);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      assert_device (vm, inputs[i].id, inputs[i].driver);
      if (inputs[i].usb_port != NULL)
        {
          g_autofree char *path = g_strdup_printf ("/machine/peripheral/%s",
                                                   inputs[i].id);
          assert_qom_string (vm, path, "port", inputs[i].usb_port);
        }
    }
}

/* ------------------------------------------------------------------------
 * Video: at most one legacy VGA device per machine, so one QEMU each.
 */

typedef struct {
  const char *machine;
  QdevVideoModel model;
  const char *driver;
  guint vgamem_mib;
  const char *vgamem_property;
  json_int_t vgamem_value;
} VideoCase;

static void
test_video (gconstpointer data)
{
  const VideoCase *video = data;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Vm) vm = NULL;
  GError *error = NULL;

  add (args, QDEV_OPTION_DEVICE,
       built (qdev_device_video_new (video->model, "video0",
                                     video->vgamem_mib, &error), &error));
  vm = vm_start_machine (video->machine, args);

  assert_device (vm, "video0", video->driver);
  if (video->vgamem_property != NULL)
    assert_qom_int (vm, "/machine/peripheral/video0",
                    video->vgamem_property, video->vgamem_value);
}

/* ------------------------------------------------------------------------
 * Hotplug: the very same objects as QMP arguments.
 */

static void
test_hotplug (gconstpointer data)
{
  const char *machine = data;
  gboolean q35 = g_str_equal (machine, "q35");
  g_auto(TempDir) dir = make_temp_dir ();
  g_autofree char *image_path = g_build_filename (dir, "h-" TRICKY, NULL);
  g_autofree char *file_path = g_build_filename (dir, "f-" TRICKY, NULL);
  g_autofree char *socket_path = g_build_filename (dir, "s-" TRICKY, NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Vm) vm = NULL;
  g_autoptr(json_t) blocks = NULL;
  g_autoptr(json_t) chardev = NULL;
  g_autoptr(json_t) result = NULL;
  GError *error = NULL;
  json_t *device;

  create_image (image_path, "qcow2");
  /* pcie.0 takes no hotplug: on q35 devices go into root ports. */
  if (q35)
    for (guint i = 0; i < 3; i++)
      {
        g_autofree char *id = g_strdup_printf ("rp%u", i + 1);

        device = built (qdev_device_pcie_root_port_new (id, i + 1, 0x10 + i,
                                                        &error), &error);
        add (args, QDEV_OPTION_DEVICE, at_pci (device, "pcie.0", 2, i,
                                               i == 0));
      }
  vm = vm_start_machine (machine, args);

  /* A disk: blockdev-add twice, then device_add. */
  hotplug (vm, QDEV_OPTION_BLOCKDEV,
           built (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE,
                                              "hot-file", image_path, NULL,
                                              &error), &error));
  hotplug (vm, QDEV_OPTION_BLOCKDEV,
           built (qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_QCOW2, "hot",
                                            "hot-file", NULL, &error),
                  &error));
  device = built (qdev_device_disk_new (QDEV_DISK_VIRTIO_BLK, "hotdisk",
                                        "hot", 0, "HOT,1", &error), &error);
  hotplug (vm, QDEV_OPTION_DEVICE,
           q35 ? at_pci (device, "rp1", 0, 0, FALSE)
               : at_pci (device, "pci.0", 6, 0, FALSE));
  blocks = qmp (vm, "query-block", NULL);
  assert_block_frontend (blocks, "/machine/peripheral/hotdisk/virtio-backend",
                         "hot", image_path);
  assert_qom_string (vm, "/machine/peripheral/hotdisk", "serial", "HOT,1");

  /* A NIC: netdev_add, device_add. */
  hotplug (vm, QDEV_OPTION_NETDEV,
           built (qdev_netdev_user_new ("hotnet", &error), &error));
  device = built (qdev_device_nic_new (QDEV_NIC_VIRTIO, "hotnic", "hotnet",
                                       "52:54:00:aa:bb:cc", 0, &error),
                  &error);
  hotplug (vm, QDEV_OPTION_DEVICE,
           q35 ? at_pci (device, "rp2", 0, 0, FALSE)
               : at_pci (device, "pci.0", 7, 0, FALSE));
  assert_qom_string (vm, "/machine/peripheral/hotnic", "mac",
                     "52:54:00:aa:bb:cc");

  /* An rng: object-add, device_add. */
  hotplug (vm, QDEV_OPTION_OBJECT,
           built (qdev_object_rng_builtin_new ("hotrng", &error), &error));
  device = built (qdev_device_rng_new ("hotrngdev", "hotrng", 4096, 2000,
                                       &error), &error);
  hotplug (vm, QDEV_OPTION_DEVICE,
           q35 ? at_pci (device, "rp3", 0, 0, FALSE)
               : at_pci (device, "pci.0", 8, 0, FALSE));
  assert_device (vm, "hotrngdev", "virtio-rng-pci");
  assert_qom_int (vm, "/machine/peripheral/hotrngdev", "max-bytes", 4096);

  /* A memory backend: object-add. */
  hotplug (vm, QDEV_OPTION_OBJECT,
           built (qdev_object_memory_ram_new ("hotmem", MIB, FALSE, &error),
                  &error));
  assert_qom_int (vm, "/objects/hotmem", "size", MIB);

  /* Chardevs: chardev-add takes its own shape. */
  chardev = built (qdev_chardev_qmp_new (&(QdevChardev) {
                                           .backend = QDEV_CHARDEV_FILE,
                                           .id = "hotfile",
                                           .path = file_path }, &error),
                   &error);
  result = qmp (vm, "chardev-add", chardev);
  g_clear_pointer (&chardev, json_decref);
  g_clear_pointer (&result, json_decref);
  chardev = built (qdev_chardev_qmp_new (&(QdevChardev) {
                                           .backend = QDEV_CHARDEV_SOCKET,
                                           .id = "hotsocket",
                                           .path = socket_path,
                                           .server = TRUE }, &error),
                   &error);
  result = qmp (vm, "chardev-add", chardev);
  assert_dir_holds (dir, (const char *[]) {
    "h-" TRICKY, "f-" TRICKY, "s-" TRICKY, NULL });
  assert_socket_listens (socket_path);
}

/* The premise of the typing rules: QMP (like -device JSON) refuses a
 * number given as a string, which the builders never produce. */
static void
test_strict_typing (void)
{
  g_autoptr(Vm) vm = vm_start_machine ("pc", NULL);
  g_autoptr(json_t) wrong = json_pack ("{s:s, s:s, s:s}",
                                       "qom-type", "memory-backend-ram",
                                       "id", "wrong", "size", "1048576");
  g_autoptr(json_t) result = NULL;
  g_autoptr(GError) error = NULL;

  result = qmp_raw_execute (vm->qmp, "object-add", wrong, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_test_message ("QEMU refused a string size: %s", error->message);
}

int
main (int argc, char **argv)
{
  static const char *const machines[] = { "pc", "q35" };
  static const VideoCase videos[] = {
    { NULL, QDEV_VIDEO_VGA, "VGA", 8, "vgamem_mb", 8 },
    { NULL, QDEV_VIDEO_CIRRUS, "cirrus-vga", 8, "vgamem_mb", 8 },
    { NULL, QDEV_VIDEO_QXL, "qxl-vga", 32, "vgamem_mb", 32 },
    { NULL, QDEV_VIDEO_VIRTIO_VGA, "virtio-vga", 0, NULL, 0 },
    { NULL, QDEV_VIDEO_BOCHS, "bochs-display", 32, "vgamem", 32 * MIB },
    { NULL, QDEV_VIDEO_VIRTIO_GPU, "virtio-gpu-pci", 0, NULL, 0 },
  };
  static VideoCase video_cases[G_N_ELEMENTS (machines)][G_N_ELEMENTS (videos)];

  g_test_init (&argc, &argv, NULL);
  install_abort_handler ();
  test_qemu_accel ();
  g_test_message ("these tests run QEMU with -accel tcg");

  for (guint m = 0; m < G_N_ELEMENTS (machines); m++)
    {
      const char *machine = machines[m];
      g_autofree char *disks = g_strdup_printf ("/qdev/qemu/%s/disks",
                                                machine);
      g_autofree char *chardevs = g_strdup_printf ("/qdev/qemu/%s/chardevs",
                                                   machine);
      g_autofree char *keyval = g_strdup_printf (
        "/qdev/qemu/%s/keyval-options", machine);
      g_autofree char *all = g_strdup_printf ("/qdev/qemu/%s/all-devices",
                                              machine);
      g_autofree char *hot = g_strdup_printf ("/qdev/qemu/%s/hotplug",
                                              machine);

      g_test_add_data_func (disks, machine, test_disks);
      g_test_add_data_func (chardevs, machine, test_chardevs);
      g_test_add_data_func (keyval, machine, test_keyval_options);
      g_test_add_data_func (all, machine, test_all_devices);
      g_test_add_data_func (hot, machine, test_hotplug);
      for (guint v = 0; v < G_N_ELEMENTS (videos); v++)
        {
          g_autofree char *name = g_strdup_printf ("/qdev/qemu/%s/video/%s",
                                                   machine, videos[v].driver);

          video_cases[m][v] = videos[v];
          video_cases[m][v].machine = machine;
          g_test_add_data_func (name, &video_cases[m][v], test_video);
        }
    }
  g_test_add_func ("/qdev/qemu/strict-typing", test_strict_typing);

  return g_test_run ();
}
