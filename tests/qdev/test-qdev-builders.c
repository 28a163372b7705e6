/* Unit tests: every builder's exact JSON (or key=value) output, and the
 * errors it reports. */
#include "qvirt/qdev.h"

#include <stdlib.h>

/* A path with every character that could break an option string. */
#define TRICKY "/v m/a,b=c'd\"e\nf"
#define TRICKY_JSON "/v m/a,b=c'd\\\"e\\nf"
#define TRICKY_KEYVAL "/v m/a,,b=c'd\"e\nf"

/* Takes @props, checks it was built and formats as @expected. */
static void
assert_formats (QdevOption option, json_t *props, GError *error,
                const char *expected)
{
  g_autoptr(json_t) owned = props;
  g_autoptr(GError) format_error = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (owned);
  text = qdev_option_format (option, owned, &format_error);
  g_assert_no_error (format_error);
  g_assert_cmpstr (text, ==, expected);
}

/* Takes @props and @error, checks the builder failed as expected. */
static void
assert_fails (json_t *props, GError *error, QdevErrorCode code)
{
  g_autoptr(json_t) owned = props;
  g_autoptr(GError) owned_error = error;

  g_assert_null (owned);
  g_assert_error (owned_error, QDEV_ERROR, (gint) code);
  g_test_message ("expected error: %s", owned_error->message);
}

#define DEVICE(expr, expected) \
  G_STMT_START { GError *e = NULL; json_t *p = (expr); \
    assert_formats (QDEV_OPTION_DEVICE, p, e, expected); } G_STMT_END
#define FORMATS(option, expr, expected) \
  G_STMT_START { GError *e = NULL; json_t *p = (expr); \
    assert_formats (option, p, e, expected); } G_STMT_END
#define FAILS(expr, code) \
  G_STMT_START { GError *e = NULL; json_t *p = (expr); \
    assert_fails (p, e, code); } G_STMT_END

static void
test_generic (void)
{
  DEVICE (qdev_device_new ("VGA", NULL, &e), "{\"driver\":\"VGA\"}");
  DEVICE (qdev_device_new ("VGA", "video0", &e),
          "{\"driver\":\"VGA\",\"id\":\"video0\"}");
  FORMATS (QDEV_OPTION_OBJECT, qdev_object_new ("iothread", "io1", &e),
           "{\"qom-type\":\"iothread\",\"id\":\"io1\"}");

  FAILS (qdev_device_new ("VGA", "0video", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_new ("VGA", "", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_new ("VGA", "a,b", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_new ("VGA", "a b", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_new ("", NULL, &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_new ("\xff", NULL, &e), QDEV_ERROR_INVALID_VALUE);
  FAILS (qdev_object_new ("iothread", "io\n1", &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static json_t *
placed (json_t *device, const QdevPciAddress *address, GError **error)
{
  if (device != NULL && !qdev_device_set_pci_address (device, address, error))
    g_clear_pointer (&device, json_decref);
  return device;
}

static void
test_pci_address (void)
{
  DEVICE (placed (qdev_device_new ("e1000", NULL, &e),
                  &(QdevPciAddress) { .bus = "pci.0", .slot = 3,
                                      .function = 1 }, &e),
          "{\"driver\":\"e1000\",\"bus\":\"pci.0\",\"addr\":\"0x3.0x1\"}");
  DEVICE (placed (qdev_device_new ("e1000", NULL, &e),
                  &(QdevPciAddress) { .bus = "pcie.0", .slot = 31,
                                      .function = 0,
                                      .multifunction = TRUE }, &e),
          "{\"driver\":\"e1000\",\"bus\":\"pcie.0\",\"addr\":\"0x1f.0x0\","
          "\"multifunction\":true}");
  DEVICE (placed (qdev_device_new ("e1000", NULL, &e),
                  &(QdevPciAddress) { .slot = 0x10, .function = 7 }, &e),
          "{\"driver\":\"e1000\",\"addr\":\"0x10.0x7\"}");

  FAILS (placed (qdev_device_new ("e1000", NULL, NULL),
                 &(QdevPciAddress) { .bus = "pci.0", .slot = 32 }, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (placed (qdev_device_new ("e1000", NULL, NULL),
                 &(QdevPciAddress) { .bus = "pci.0", .function = 8 }, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_pci_address_error_leaves_device_unchanged (void)
{
  g_autoptr(json_t) device = qdev_device_new ("e1000", NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_false (qdev_device_set_pci_address (
    device, &(QdevPciAddress) { .bus = "\xff", .slot = 1 }, &error));
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_VALUE);
  text = qdev_option_format (QDEV_OPTION_DEVICE, device, NULL);
  g_assert_cmpstr (text, ==, "{\"driver\":\"e1000\"}");
}

static void
test_bus_placement (void)
{
  g_autoptr(json_t) device = qdev_device_new ("x", NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (qdev_device_set_bus (device, "vser0.0", &error));
  g_assert_true (qdev_device_set_drive_unit (device, "ide.1", 1, &error));
  g_assert_true (qdev_device_set_scsi_address (device, "scsi0.0", 2, 3,
                                               &error));
  g_assert_true (qdev_device_set_usb_port (device, "usb0.0", "1.15",
                                           &error));
  g_assert_no_error (error);
  text = qdev_option_format (QDEV_OPTION_DEVICE, device, NULL);
  /* Each call replaces "bus". */
  g_assert_cmpstr (text, ==,
                   "{\"driver\":\"x\",\"bus\":\"usb0.0\",\"unit\":1,"
                   "\"scsi-id\":2,\"lun\":3,\"port\":\"1.15\"}");

  g_assert_false (qdev_device_set_drive_unit (device, "ide.0", 2, &error));
  g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  for (guint i = 0; i < 6; i++)
    {
      static const char *const bad_ports[] = {
        "", "0", "16", "1..2", "1.", "a"
      };

      g_assert_false (qdev_device_set_usb_port (device, "usb0.0",
                                                bad_ports[i], &error));
      g_assert_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
}

static void
test_blockdev (void)
{
  const QdevBlockNodeOptions all_on = {
    .read_only = TRUE, .cache_direct = TRUE, .cache_no_flush = TRUE,
    .discard = TRUE,
  };
  const QdevBlockNodeOptions with_backing = { .backing = "base0" };

  FORMATS (QDEV_OPTION_BLOCKDEV,
           qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE, "disk0-file",
                                       TRICKY, NULL, &e),
           "{\"driver\":\"file\",\"node-name\":\"disk0-file\","
           "\"filename\":\"" TRICKY_JSON "\",\"read-only\":false,"
           "\"cache\":{\"direct\":false,\"no-flush\":false},"
           "\"discard\":\"ignore\"}");
  FORMATS (QDEV_OPTION_BLOCKDEV,
           qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_HOST_DEVICE, "d",
                                       "/dev/sdb", &all_on, &e),
           "{\"driver\":\"host_device\",\"node-name\":\"d\","
           "\"filename\":\"/dev/sdb\",\"read-only\":true,"
           "\"cache\":{\"direct\":true,\"no-flush\":true},"
           "\"discard\":\"unmap\"}");
  FORMATS (QDEV_OPTION_BLOCKDEV,
           qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_QCOW2, "disk0",
                                     "disk0-file", NULL, &e),
           "{\"driver\":\"qcow2\",\"node-name\":\"disk0\","
           "\"file\":\"disk0-file\",\"read-only\":false,"
           "\"cache\":{\"direct\":false,\"no-flush\":false},"
           "\"discard\":\"ignore\",\"backing\":null}");
  FORMATS (QDEV_OPTION_BLOCKDEV,
           qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_QCOW2, "top",
                                     "top-file", &with_backing, &e),
           "{\"driver\":\"qcow2\",\"node-name\":\"top\","
           "\"file\":\"top-file\",\"read-only\":false,"
           "\"cache\":{\"direct\":false,\"no-flush\":false},"
           "\"discard\":\"ignore\",\"backing\":\"base0\"}");
  FORMATS (QDEV_OPTION_BLOCKDEV,
           qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_RAW, "disk1",
                                     "disk1-file", &all_on, &e),
           "{\"driver\":\"raw\",\"node-name\":\"disk1\","
           "\"file\":\"disk1-file\",\"read-only\":true,"
           "\"cache\":{\"direct\":true,\"no-flush\":true},"
           "\"discard\":\"unmap\"}");

  FAILS (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE, "n", "",
                                     NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE, "n",
                                     "/img\xfe", NULL, &e),
         QDEV_ERROR_INVALID_VALUE);
  FAILS (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE, "n", "/img",
                                     &with_backing, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE,
                                     "a23456789012345678901234567890123",
                                     "/img", NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_RAW, "n", "n-file",
                                   &with_backing, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_RAW, "n", "bad file",
                                   NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_blockdev_format_new (QDEV_BLOCK_FORMAT_QCOW2, "n", "f",
                                   &(QdevBlockNodeOptions) {
                                     .backing = "1bad" }, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_node_name_length (void)
{
  /* 31 bytes is QEMU's limit; 32 is refused. */
  FORMATS (QDEV_OPTION_BLOCKDEV,
           qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE,
                                       "a234567890123456789012345678901",
                                       "/i", NULL, &e),
           "{\"driver\":\"file\",\"node-name\":"
           "\"a234567890123456789012345678901\",\"filename\":\"/i\","
           "\"read-only\":false,\"cache\":{\"direct\":false,"
           "\"no-flush\":false},\"discard\":\"ignore\"}");
  FAILS (qdev_blockdev_protocol_new (QDEV_BLOCK_PROTOCOL_FILE,
                                     "a2345678901234567890123456789012",
                                     "/i", NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_disk (void)
{
  DEVICE (qdev_device_disk_new (QDEV_DISK_VIRTIO_BLK, "virtio-disk0",
                                "disk0", 1, "S,1 =x", &e),
          "{\"driver\":\"virtio-blk-pci\",\"id\":\"virtio-disk0\","
          "\"drive\":\"disk0\",\"bootindex\":1,\"serial\":\"S,1 =x\"}");
  DEVICE (qdev_device_disk_new (QDEV_DISK_IDE_HD, NULL, "d", 0, NULL, &e),
          "{\"driver\":\"ide-hd\",\"drive\":\"d\"}");
  DEVICE (qdev_device_disk_new (QDEV_DISK_IDE_CD, "cd0", NULL, 2, NULL, &e),
          "{\"driver\":\"ide-cd\",\"id\":\"cd0\",\"bootindex\":2}");
  DEVICE (qdev_device_disk_new (QDEV_DISK_SCSI_HD, "sd0", "d", 0, NULL, &e),
          "{\"driver\":\"scsi-hd\",\"id\":\"sd0\",\"drive\":\"d\"}");
  DEVICE (qdev_device_disk_new (QDEV_DISK_SCSI_CD, "sr0", NULL, 0, NULL, &e),
          "{\"driver\":\"scsi-cd\",\"id\":\"sr0\"}");

  FAILS (qdev_device_disk_new (QDEV_DISK_VIRTIO_BLK, "v", NULL, 0, NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_disk_new (QDEV_DISK_SCSI_HD, "v", NULL, 0, NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_disk_new (QDEV_DISK_IDE_HD, "v", "d,x", 0, NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_disk_new (QDEV_DISK_IDE_HD, "v", "d", 0, "\xc0", &e),
         QDEV_ERROR_INVALID_VALUE);
  FAILS (qdev_device_disk_new (QDEV_DISK_IDE_HD, "v", "d",
                               (guint) G_MAXINT32 + 1, NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_netdev (void)
{
  FORMATS (QDEV_OPTION_NETDEV, qdev_netdev_user_new ("net0", &e),
           "{\"type\":\"user\",\"id\":\"net0\"}");
  FORMATS (QDEV_OPTION_NETDEV, qdev_netdev_tap_new ("net1", "vnet0", &e),
           "{\"type\":\"tap\",\"id\":\"net1\",\"ifname\":\"vnet0\","
           "\"script\":\"no\",\"downscript\":\"no\"}");
  FORMATS (QDEV_OPTION_NETDEV, qdev_netdev_tap_fd_new ("net2", "23", &e),
           "{\"type\":\"tap\",\"id\":\"net2\",\"fd\":\"23\"}");
  FORMATS (QDEV_OPTION_NETDEV,
           qdev_netdev_bridge_new ("net3", "br0", NULL, &e),
           "{\"type\":\"bridge\",\"id\":\"net3\",\"br\":\"br0\"}");
  FORMATS (QDEV_OPTION_NETDEV,
           qdev_netdev_bridge_new ("net4", "virbr0",
                                   "/usr/lib/qemu/qemu-bridge-helper", &e),
           "{\"type\":\"bridge\",\"id\":\"net4\",\"br\":\"virbr0\","
           "\"helper\":\"/usr/lib/qemu/qemu-bridge-helper\"}");

  FAILS (qdev_netdev_user_new ("net 0", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_netdev_tap_new ("n", "", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_netdev_tap_new ("n", "a234567890123456", &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_netdev_tap_fd_new ("n", "", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_netdev_bridge_new ("n", "", NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_netdev_bridge_new ("n", "br0", "\xff", &e),
         QDEV_ERROR_INVALID_VALUE);
}

static void
test_nic (void)
{
  DEVICE (qdev_device_nic_new (QDEV_NIC_VIRTIO, "net0", "hostnet0",
                               "52:54:00:AB:cd:ef", 3, &e),
          "{\"driver\":\"virtio-net-pci\",\"id\":\"net0\","
          "\"netdev\":\"hostnet0\",\"mac\":\"52:54:00:AB:cd:ef\","
          "\"bootindex\":3}");
  DEVICE (qdev_device_nic_new (QDEV_NIC_E1000, NULL, "n", NULL, 0, &e),
          "{\"driver\":\"e1000\",\"netdev\":\"n\"}");
  DEVICE (qdev_device_nic_new (QDEV_NIC_E1000E, NULL, "n", NULL, 0, &e),
          "{\"driver\":\"e1000e\",\"netdev\":\"n\"}");
  DEVICE (qdev_device_nic_new (QDEV_NIC_RTL8139, NULL, "n", NULL, 0, &e),
          "{\"driver\":\"rtl8139\",\"netdev\":\"n\"}");

  static const char *const bad_macs[] = {
    "", "52:54:00:12:34", "52:54:00:12:34:567", "52-54-00-12-34-56",
    "52:54:00:12:34:5g", "52:54:00:12:34:56,id=x",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad_macs); i++)
    FAILS (qdev_device_nic_new (QDEV_NIC_VIRTIO, NULL, "n", bad_macs[i], 0,
                                &e),
           QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_nic_new (QDEV_NIC_VIRTIO, NULL, "n,x", NULL, 0, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
assert_chardev (const QdevChardev *chardev, const char *keyval,
                const char *qmp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) arguments = NULL;
  char *dumped;

  FORMATS (QDEV_OPTION_CHARDEV, qdev_chardev_option_new (chardev, &e),
           keyval);
  arguments = qdev_chardev_qmp_new (chardev, &error);
  g_assert_no_error (error);
  dumped = json_dumps (arguments, JSON_COMPACT);
  g_assert_cmpstr (dumped, ==, qmp);
  free (dumped);
}

static void
test_chardev (void)
{
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_NULL,
                                   .id = "c0" },
                  "backend=null,id=c0",
                  "{\"id\":\"c0\",\"backend\":{\"type\":\"null\","
                  "\"data\":{}}}");
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_PTY,
                                   .id = "c1", .logfile = TRICKY },
                  "backend=pty,id=c1,logfile=" TRICKY_KEYVAL,
                  "{\"id\":\"c1\",\"backend\":{\"type\":\"pty\","
                  "\"data\":{\"logfile\":\"" TRICKY_JSON "\"}}}");
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_FILE,
                                   .id = "c2", .path = TRICKY },
                  "backend=file,id=c2,path=" TRICKY_KEYVAL,
                  "{\"id\":\"c2\",\"backend\":{\"type\":\"file\","
                  "\"data\":{\"out\":\"" TRICKY_JSON "\"}}}");
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_FILE,
                                   .id = "c3", .path = "/log",
                                   .append = TRUE },
                  "backend=file,id=c3,path=/log,append=on",
                  "{\"id\":\"c3\",\"backend\":{\"type\":\"file\","
                  "\"data\":{\"out\":\"/log\",\"append\":true}}}");
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_SOCKET,
                                   .id = "c4", .path = TRICKY,
                                   .server = TRUE },
                  "backend=socket,id=c4,path=" TRICKY_KEYVAL
                  ",server=on,wait=off",
                  "{\"id\":\"c4\",\"backend\":{\"type\":\"socket\","
                  "\"data\":{\"addr\":{\"type\":\"unix\",\"data\":"
                  "{\"path\":\"" TRICKY_JSON "\"}},\"server\":true,"
                  "\"wait\":false}}}");
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_SOCKET,
                                   .id = "c5", .path = "/s" },
                  "backend=socket,id=c5,path=/s,server=off",
                  "{\"id\":\"c5\",\"backend\":{\"type\":\"socket\","
                  "\"data\":{\"addr\":{\"type\":\"unix\",\"data\":"
                  "{\"path\":\"/s\"}},\"server\":false}}}");
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_SOCKET,
                                   .id = "qmp", .fd = "3", .server = TRUE,
                                   .wait = TRUE },
                  "backend=socket,id=qmp,fd=3,server=on,wait=on",
                  "{\"id\":\"qmp\",\"backend\":{\"type\":\"socket\","
                  "\"data\":{\"addr\":{\"type\":\"fd\",\"data\":"
                  "{\"str\":\"3\"}},\"server\":true,\"wait\":true}}}");
  assert_chardev (&(QdevChardev) { .backend = QDEV_CHARDEV_STDIO,
                                   .id = "c6" },
                  "backend=stdio,id=c6",
                  "{\"id\":\"c6\",\"backend\":{\"type\":\"stdio\","
                  "\"data\":{}}}");
}

static void
test_chardev_rejects (void)
{
  static const QdevChardev bad[] = {
    { .backend = QDEV_CHARDEV_NULL, .id = "1c" },
    { .backend = QDEV_CHARDEV_NULL, .id = "c", .path = "/x" },
    { .backend = QDEV_CHARDEV_PTY, .id = "c", .server = TRUE },
    { .backend = QDEV_CHARDEV_FILE, .id = "c" },
    { .backend = QDEV_CHARDEV_FILE, .id = "c", .path = "" },
    { .backend = QDEV_CHARDEV_FILE, .id = "c", .path = "/x", .fd = "3" },
    { .backend = QDEV_CHARDEV_SOCKET, .id = "c" },
    { .backend = QDEV_CHARDEV_SOCKET, .id = "c", .path = "/s", .fd = "3" },
    { .backend = QDEV_CHARDEV_SOCKET, .id = "c", .path = "/s", .wait = TRUE },
    { .backend = QDEV_CHARDEV_SOCKET, .id = "c", .path = "/s",
      .append = TRUE },
    { .backend = QDEV_CHARDEV_STDIO, .id = "c", .logfile = "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      FAILS (qdev_chardev_option_new (&bad[i], &e),
             QDEV_ERROR_INVALID_ARGUMENT);
      FAILS (qdev_chardev_qmp_new (&bad[i], &e), QDEV_ERROR_INVALID_ARGUMENT);
    }
  FAILS (qdev_chardev_option_new (&(QdevChardev) {
                                    .backend = QDEV_CHARDEV_FILE, .id = "c",
                                    .path = "/\xff" }, &e),
         QDEV_ERROR_INVALID_VALUE);
}

static void
test_serial (void)
{
  DEVICE (qdev_device_serial_new ("serial0", "charserial0", &e),
          "{\"driver\":\"isa-serial\",\"id\":\"serial0\","
          "\"chardev\":\"charserial0\"}");
  DEVICE (qdev_device_virtio_port_new (QDEV_VIRTIO_PORT_SERIAL, "channel0",
                                       "charchannel0",
                                       "org.qemu.guest_agent.0", &e),
          "{\"driver\":\"virtserialport\",\"id\":\"channel0\","
          "\"chardev\":\"charchannel0\",\"name\":\"org.qemu.guest_agent.0\"}");
  DEVICE (qdev_device_virtio_port_new (QDEV_VIRTIO_PORT_CONSOLE, NULL,
                                       "charconsole0", NULL, &e),
          "{\"driver\":\"virtconsole\",\"chardev\":\"charconsole0\"}");

  FAILS (qdev_device_serial_new (NULL, "char serial", &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_virtio_port_new (QDEV_VIRTIO_PORT_SERIAL, NULL, "c",
                                      "\xff", &e),
         QDEV_ERROR_INVALID_VALUE);
}

static void
test_controllers (void)
{
  static const struct {
    QdevControllerModel model;
    const char *driver;
  } models[] = {
    { QDEV_CONTROLLER_PIIX3_USB_UHCI, "piix3-usb-uhci" },
    { QDEV_CONTROLLER_ICH9_USB_EHCI1, "ich9-usb-ehci1" },
    { QDEV_CONTROLLER_QEMU_XHCI, "qemu-xhci" },
    { QDEV_CONTROLLER_NEC_USB_XHCI, "nec-usb-xhci" },
    { QDEV_CONTROLLER_VIRTIO_SCSI, "virtio-scsi-pci" },
    { QDEV_CONTROLLER_LSI, "lsi53c895a" },
    { QDEV_CONTROLLER_AHCI, "ich9-ahci" },
    { QDEV_CONTROLLER_VIRTIO_SERIAL, "virtio-serial-pci" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *expected = g_strdup_printf (
        "{\"driver\":\"%s\",\"id\":\"ctl0\"}", models[i].driver);

      DEVICE (qdev_device_controller_new (models[i].model, "ctl0", &e),
              expected);
    }
  DEVICE (qdev_device_pcie_root_port_new ("pci.1", 1, 0x10, &e),
          "{\"driver\":\"pcie-root-port\",\"id\":\"pci.1\",\"chassis\":1,"
          "\"port\":16}");
  DEVICE (qdev_device_pci_bridge_new ("pci.2", 2, &e),
          "{\"driver\":\"pci-bridge\",\"id\":\"pci.2\",\"chassis_nr\":2}");

  FAILS (qdev_device_controller_new (QDEV_CONTROLLER_QEMU_XHCI, "usb 0", &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_pcie_root_port_new ("rp", 256, 0, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_pcie_root_port_new ("rp", 0, 256, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_pci_bridge_new ("br", 0, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_pci_bridge_new ("br", 256, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_rng (void)
{
  FORMATS (QDEV_OPTION_OBJECT, qdev_object_rng_random_new ("rng0", NULL, &e),
           "{\"qom-type\":\"rng-random\",\"id\":\"rng0\"}");
  FORMATS (QDEV_OPTION_OBJECT,
           qdev_object_rng_random_new ("rng0", "/dev/hwrng", &e),
           "{\"qom-type\":\"rng-random\",\"id\":\"rng0\","
           "\"filename\":\"/dev/hwrng\"}");
  FORMATS (QDEV_OPTION_OBJECT, qdev_object_rng_builtin_new ("rng1", &e),
           "{\"qom-type\":\"rng-builtin\",\"id\":\"rng1\"}");
  DEVICE (qdev_device_rng_new ("rng-dev", "rng0", 0, 0, &e),
          "{\"driver\":\"virtio-rng-pci\",\"id\":\"rng-dev\","
          "\"rng\":\"rng0\"}");
  DEVICE (qdev_device_rng_new (NULL, "rng0", 1024, 1000, &e),
          "{\"driver\":\"virtio-rng-pci\",\"rng\":\"rng0\","
          "\"max-bytes\":1024,\"period\":1000}");

  FAILS (qdev_device_rng_new (NULL, "rng0", 0, 1000, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_device_rng_new (NULL, "rng 0", 0, 0, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_object_rng_random_new ("", NULL, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_watchdog_balloon (void)
{
  DEVICE (qdev_device_watchdog_new (QDEV_WATCHDOG_I6300ESB, "watchdog0", &e),
          "{\"driver\":\"i6300esb\",\"id\":\"watchdog0\"}");
  DEVICE (qdev_device_watchdog_new (QDEV_WATCHDOG_IB700, NULL, &e),
          "{\"driver\":\"ib700\"}");
  DEVICE (qdev_device_balloon_new ("balloon0", TRUE, FALSE, &e),
          "{\"driver\":\"virtio-balloon-pci\",\"id\":\"balloon0\","
          "\"deflate-on-oom\":true,\"free-page-reporting\":false}");
}

static void
test_video (void)
{
  DEVICE (qdev_device_video_new (QDEV_VIDEO_VGA, "video0", 0, &e),
          "{\"driver\":\"VGA\",\"id\":\"video0\"}");
  DEVICE (qdev_device_video_new (QDEV_VIDEO_VGA, NULL, 32, &e),
          "{\"driver\":\"VGA\",\"vgamem_mb\":32}");
  DEVICE (qdev_device_video_new (QDEV_VIDEO_CIRRUS, NULL, 8, &e),
          "{\"driver\":\"cirrus-vga\",\"vgamem_mb\":8}");
  DEVICE (qdev_device_video_new (QDEV_VIDEO_QXL, NULL, 16, &e),
          "{\"driver\":\"qxl-vga\",\"vgamem_mb\":16}");
  DEVICE (qdev_device_video_new (QDEV_VIDEO_BOCHS, NULL, 16, &e),
          "{\"driver\":\"bochs-display\",\"vgamem\":16777216}");
  DEVICE (qdev_device_video_new (QDEV_VIDEO_VIRTIO_VGA, NULL, 0, &e),
          "{\"driver\":\"virtio-vga\"}");
  DEVICE (qdev_device_video_new (QDEV_VIDEO_VIRTIO_GPU, NULL, 0, &e),
          "{\"driver\":\"virtio-gpu-pci\"}");

  FAILS (qdev_device_video_new (QDEV_VIDEO_VIRTIO_GPU, NULL, 16, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_input (void)
{
  static const struct {
    QdevInputModel model;
    const char *expected;
  } models[] = {
    { QDEV_INPUT_USB_TABLET, "{\"driver\":\"usb-tablet\",\"id\":\"in\"}" },
    { QDEV_INPUT_USB_MOUSE, "{\"driver\":\"usb-mouse\",\"id\":\"in\"}" },
    { QDEV_INPUT_USB_KEYBOARD, "{\"driver\":\"usb-kbd\",\"id\":\"in\"}" },
    { QDEV_INPUT_VIRTIO_TABLET,
      "{\"driver\":\"virtio-tablet-pci\",\"id\":\"in\"}" },
    { QDEV_INPUT_VIRTIO_MOUSE,
      "{\"driver\":\"virtio-mouse-pci\",\"id\":\"in\"}" },
    { QDEV_INPUT_VIRTIO_KEYBOARD,
      "{\"driver\":\"virtio-keyboard-pci\",\"id\":\"in\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    DEVICE (qdev_device_input_new (models[i].model, "in", &e),
            models[i].expected);
}

static void
test_memory (void)
{
  FORMATS (QDEV_OPTION_OBJECT,
           qdev_object_memory_ram_new ("ram0", G_GUINT64_CONSTANT (1) << 33,
                                       FALSE, &e),
           "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram0\","
           "\"size\":8589934592}");
  FORMATS (QDEV_OPTION_OBJECT,
           qdev_object_memory_ram_new ("ram0", 4096, TRUE, &e),
           "{\"qom-type\":\"memory-backend-ram\",\"id\":\"ram0\","
           "\"size\":4096,\"prealloc\":true}");
  FORMATS (QDEV_OPTION_OBJECT,
           qdev_object_memory_file_new ("mem1", 1048576, TRICKY, TRUE, FALSE,
                                        &e),
           "{\"qom-type\":\"memory-backend-file\",\"id\":\"mem1\","
           "\"size\":1048576,\"mem-path\":\"" TRICKY_JSON "\","
           "\"share\":true}");
  FORMATS (QDEV_OPTION_MEMORY, qdev_memory_new (1024, &e), "size=1024M");

  FAILS (qdev_object_memory_ram_new ("ram0", 0, FALSE, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_object_memory_file_new ("m", 4096, "", FALSE, FALSE, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_memory_new (0, &e), QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_machine (void)
{
  g_autoptr(json_t) machine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  FORMATS (QDEV_OPTION_MACHINE, qdev_machine_new ("q35", NULL, &e),
           "type=q35");
  FORMATS (QDEV_OPTION_MACHINE,
           qdev_machine_new ("pc-i440fx-7.2", "pc.ram", &e),
           "type=pc-i440fx-7.2,memory-backend=pc.ram");

  /* Extra properties go through the same escaping. */
  machine = qdev_machine_new ("pc", NULL, &error);
  g_assert_true (qdev_set_string (machine, "dt-compatible", TRICKY, &error));
  qdev_set_bool (machine, "dump-guest-core", FALSE);
  text = qdev_option_format (QDEV_OPTION_MACHINE, machine, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==,
                   "type=pc,dt-compatible=" TRICKY_KEYVAL
                   ",dump-guest-core=off");

  FAILS (qdev_machine_new ("", NULL, &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_machine_new ("pc", "ram,x", &e), QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_smp (void)
{
  FORMATS (QDEV_OPTION_SMP, qdev_smp_new (&(QdevSmp) { .cpus = 1 }, &e),
           "cpus=1");
  FORMATS (QDEV_OPTION_SMP,
           qdev_smp_new (&(QdevSmp) { .cpus = 2, .max_cpus = 8,
                                      .sockets = 2, .cores = 2,
                                      .threads = 2 }, &e),
           "cpus=2,maxcpus=8,sockets=2,cores=2,threads=2");

  FAILS (qdev_smp_new (&(QdevSmp) { .cpus = 0 }, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_smp_new (&(QdevSmp) { .cpus = 4, .max_cpus = 2 }, &e),
         QDEV_ERROR_INVALID_ARGUMENT);
}

static void
test_vnc (void)
{
  FORMATS (QDEV_OPTION_VNC, qdev_vnc_unix_new (TRICKY, &e),
           "vnc=unix:" TRICKY_KEYVAL);
  FORMATS (QDEV_OPTION_VNC, qdev_vnc_tcp_new ("127.0.0.1", 0, &e),
           "vnc=127.0.0.1:0");
  FORMATS (QDEV_OPTION_VNC, qdev_vnc_tcp_new ("::1", 59635, &e),
           "vnc=[::1]:59635");

  FAILS (qdev_vnc_unix_new ("", &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_vnc_tcp_new ("", 0, &e), QDEV_ERROR_INVALID_ARGUMENT);
  FAILS (qdev_vnc_tcp_new ("::1", 59636, &e), QDEV_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qdev/builders/generic", test_generic);
  g_test_add_func ("/qdev/builders/pci-address", test_pci_address);
  g_test_add_func ("/qdev/builders/pci-address-error-leaves-device",
                   test_pci_address_error_leaves_device_unchanged);
  g_test_add_func ("/qdev/builders/bus-placement", test_bus_placement);
  g_test_add_func ("/qdev/builders/blockdev", test_blockdev);
  g_test_add_func ("/qdev/builders/node-name-length", test_node_name_length);
  g_test_add_func ("/qdev/builders/disk", test_disk);
  g_test_add_func ("/qdev/builders/netdev", test_netdev);
  g_test_add_func ("/qdev/builders/nic", test_nic);
  g_test_add_func ("/qdev/builders/chardev", test_chardev);
  g_test_add_func ("/qdev/builders/chardev-rejects", test_chardev_rejects);
  g_test_add_func ("/qdev/builders/serial", test_serial);
  g_test_add_func ("/qdev/builders/controllers", test_controllers);
  g_test_add_func ("/qdev/builders/rng", test_rng);
  g_test_add_func ("/qdev/builders/watchdog-balloon", test_watchdog_balloon);
  g_test_add_func ("/qdev/builders/video", test_video);
  g_test_add_func ("/qdev/builders/input", test_input);
  g_test_add_func ("/qdev/builders/memory", test_memory);
  g_test_add_func ("/qdev/builders/machine", test_machine);
  g_test_add_func ("/qdev/builders/smp", test_smp);
  g_test_add_func ("/qdev/builders/vnc", test_vnc);

  return g_test_run ();
}
