/* libqdev: QEMU devices and backends as JSON, and the command line
 * options that have no JSON syntax.
 *
 * Every builder returns a jansson object (json_t) in QEMU's strict QAPI
 * typing: booleans are JSON booleans, numbers and sizes are JSON
 * integers, never strings. The same object serves twice:
 *
 *   - on the command line, qdev_argv_add() turns it into an argv pair
 *     such as `-device` `{"driver":"virtio-blk-pci",...}`;
 *   - at run time it is, as-is, the arguments of the QMP command that
 *     hotplugs it (qdev_option_qmp_command(): device_add, blockdev-add,
 *     netdev_add, object-add).
 *
 * The builder's name says which option the object belongs to:
 * qdev_device_*() -> QDEV_OPTION_DEVICE, qdev_blockdev_*() ->
 * QDEV_OPTION_BLOCKDEV, qdev_netdev_*() -> QDEV_OPTION_NETDEV,
 * qdev_object_*() -> QDEV_OPTION_OBJECT.
 *
 * Some options have no JSON syntax in QEMU 7.2 (`-chardev`, `-machine`,
 * `-smp`, `-m`, `-vnc`). Their builders return a flat JSON object too,
 * and qdev_option_format() writes it as `key=value,...` where every value
 * goes through the one escaping function, qdev_escape_option_value().
 * Nothing else in the project builds option strings by hand.
 *
 * Ownership: every json_t returned is a new reference, released with
 * json_decref() (g_autoptr(json_t) works). Strings passed in are
 * borrowed and copied.
 *
 * Errors are GErrors in the QDEV_ERROR domain. Passing NULL where a
 * value is required, or a value outside an enum, is a programmer error
 * (g_return_val_if_fail); everything that could come from a user's
 * configuration (a path, an id, a slot number) is checked and reported
 * with a GError.
 *
 * Every string value must be valid UTF-8 without NUL bytes: QEMU's JSON
 * parser accepts nothing else, and a NUL cannot travel in argv.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* jansson has no g_autoptr support of its own. */
#ifndef QVIRT_JSON_AUTOPTR_DEFINED
#define QVIRT_JSON_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)
#endif

#define QDEV_ERROR (qdev_error_quark ())
GQuark qdev_error_quark (void);

/**
 * QdevErrorCode:
 * @QDEV_ERROR_INVALID_VALUE: a string QEMU cannot receive intact: it
 *   holds a NUL byte or is not valid UTF-8.
 * @QDEV_ERROR_INVALID_ARGUMENT: an argument is malformed or out of range
 *   (an id QEMU would refuse, PCI slot 32, a bad MAC address, an option
 *   that does not apply to the chosen model...).
 */
typedef enum {
  QDEV_ERROR_INVALID_VALUE,
  QDEV_ERROR_INVALID_ARGUMENT,
} QdevErrorCode;

/* ------------------------------------------------------------------------
 * Options: which command line option an object belongs to, how it is
 * written there, and which QMP command hotplugs it.
 */

/**
 * QdevOption:
 * @QDEV_OPTION_DEVICE: `-device`, JSON; QMP `device_add`.
 * @QDEV_OPTION_BLOCKDEV: `-blockdev`, JSON; QMP `blockdev-add`.
 * @QDEV_OPTION_NETDEV: `-netdev`, JSON; QMP `netdev_add`.
 * @QDEV_OPTION_OBJECT: `-object`, JSON; QMP `object-add`.
 * @QDEV_OPTION_CHARDEV: `-chardev`, key=value only. QMP `chardev-add`
 *   takes a differently shaped object: see qdev_chardev_qmp_new().
 * @QDEV_OPTION_MACHINE: `-machine`, key=value only.
 * @QDEV_OPTION_SMP: `-smp`, key=value only.
 * @QDEV_OPTION_MEMORY: `-m`, key=value only.
 * @QDEV_OPTION_VNC: `-vnc`, key=value only.
 */
typedef enum {
  QDEV_OPTION_DEVICE,
  QDEV_OPTION_BLOCKDEV,
  QDEV_OPTION_NETDEV,
  QDEV_OPTION_OBJECT,
  QDEV_OPTION_CHARDEV,
  QDEV_OPTION_MACHINE,
  QDEV_OPTION_SMP,
  QDEV_OPTION_MEMORY,
  QDEV_OPTION_VNC,
} QdevOption;

/**
 * qdev_option_name:
 * @option: an option
 *
 * Returns: (transfer none): the command line flag, e.g. "-device".
 */
const char *qdev_option_name (QdevOption option);

/**
 * qdev_option_takes_json:
 * @option: an option
 *
 * Returns: TRUE if QEMU 7.2 parses this option's argument as JSON,
 *   FALSE if it only has key=value syntax.
 */
gboolean qdev_option_takes_json (QdevOption option);

/**
 * qdev_option_qmp_command:
 * @option: an option
 *
 * Returns: (transfer none) (nullable): the QMP command that accepts this
 *   option's object unchanged as its arguments ("device_add",
 *   "blockdev-add", "netdev_add", "object-add"), or NULL when there is
 *   none (chardevs use qdev_chardev_qmp_new(); the machine, smp, memory
 *   and vnc options cannot be hotplugged).
 */
const char *qdev_option_qmp_command (QdevOption option);

/**
 * qdev_option_format:
 * @option: the option @props belongs to
 * @props: the object, e.g. from a qdev_device_*() builder
 * @error: return location for a #GError
 *
 * Writes @props the way @option is written on QEMU's command line:
 * compact JSON for JSON options (UTF-8, members in insertion order), or
 * `key=value,...` for key=value options, each value escaped by
 * qdev_escape_option_value(), booleans as on/off, integers in decimal.
 *
 * Checks that @props is an object with the members that say what it is,
 * so an object cannot end up behind the wrong flag: "driver" (devices),
 * "driver" and "node-name" (block nodes), "type" and "id" (netdevs),
 * "qom-type" and "id" (objects), "backend" and "id" (chardevs), "type"
 * (machine), "cpus" (smp), "size" (memory), "vnc" (vnc).
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if @props is not an object, lacks
 *   that member, or (key=value options) has a key outside
 *   [A-Za-z0-9._-] or a value that is not a string, integer or boolean;
 *   QDEV_ERROR_INVALID_VALUE if a string holds a NUL byte.
 *
 * Returns: (transfer full) (nullable): the argument, or NULL on error.
 */
char *qdev_option_format (QdevOption option, json_t *props, GError **error);

/**
 * qdev_argv_add:
 * @argv: an argv being built; its free function must be g_free
 * @option: the option @props belongs to
 * @props: the object
 * @error: return location for a #GError
 *
 * Appends two elements to @argv: qdev_option_name(@option) and
 * qdev_option_format(@option, @props). On error @argv is unchanged.
 *
 * Errors: as qdev_option_format().
 *
 * Returns: TRUE on success.
 */
gboolean qdev_argv_add (GPtrArray *argv, QdevOption option, json_t *props,
                        GError **error);

/* ------------------------------------------------------------------------
 * key=value escaping
 */

/**
 * qdev_escape_option_value:
 * @value: a value for a key=value option
 * @length: the length of @value in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Escapes one value for QEMU's key=value syntax: every comma is doubled,
 * which is the only escape that syntax has. The caller always writes an
 * explicit key in front (`path=...`), so '=' and a leading "help" in
 * the value are inert. This is the only function in the project that
 * escapes option values.
 *
 * Errors: QDEV_ERROR_INVALID_VALUE if the first @length bytes hold a NUL
 *   (argv cannot carry it) or are not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the escaped value, or NULL on
 *   error.
 */
char *qdev_escape_option_value (const char *value, gssize length,
                                GError **error);

/* ------------------------------------------------------------------------
 * Properties: for what the builders below do not cover. They check
 * nothing about the key: QEMU does, when it receives the object.
 */

/**
 * qdev_set_string:
 * @props: an object
 * @key: the property name
 * @value: the value
 * @error: return location for a #GError
 *
 * Sets @key to the string @value (a copy), replacing any previous value.
 *
 * Errors: QDEV_ERROR_INVALID_VALUE if @value is not valid UTF-8.
 *
 * Returns: TRUE on success; on error @props is unchanged.
 */
gboolean qdev_set_string (json_t *props, const char *key, const char *value,
                          GError **error);

/**
 * qdev_set_int:
 * @props: an object
 * @key: the property name
 * @value: the value
 *
 * Sets @key to the JSON integer @value (also for QEMU "size" and
 * unsigned properties: JSON has one integer type).
 */
void qdev_set_int (json_t *props, const char *key, gint64 value);

/**
 * qdev_set_bool:
 * @props: an object
 * @key: the property name
 * @value: the value
 *
 * Sets @key to the JSON boolean @value (on the key=value side it is
 * written on/off).
 */
void qdev_set_bool (json_t *props, const char *key, gboolean value);

/* ------------------------------------------------------------------------
 * Placing a device on a bus
 */

/**
 * QdevPciAddress:
 * @bus: (nullable): the PCI bus: "pci.0" (pc), "pcie.0" (q35), or the id
 *   of a pcie-root-port or pci-bridge; NULL lets QEMU choose
 * @slot: the slot, 0 to 31
 * @function: the function, 0 to 7
 * @multifunction: set on function 0 of a slot whose other functions are
 *   used too
 */
typedef struct {
  const char *bus;
  guint slot;
  guint function;
  gboolean multifunction;
} QdevPciAddress;

/**
 * qdev_device_set_pci_address:
 * @device: a device object
 * @address: where to plug it
 * @error: return location for a #GError
 *
 * Sets "bus" (if @address->bus is given), "addr" as "0xSLOT.0xFUNCTION"
 * (e.g. "0x3.0x1") and, if asked, "multifunction": true.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if the slot or function is out of
 *   range; QDEV_ERROR_INVALID_VALUE if the bus is not valid UTF-8.
 *
 * Returns: TRUE on success; on error @device is unchanged.
 */
gboolean qdev_device_set_pci_address (json_t *device,
                                      const QdevPciAddress *address,
                                      GError **error);

/**
 * qdev_device_set_bus:
 * @device: a device object
 * @bus: the bus name, e.g. "vser0.0" for a virtio-serial controller with
 *   id vser0
 * @error: return location for a #GError
 *
 * Sets "bus". Child buses are named after their controller's id:
 * "ID.0" for USB, SCSI, virtio-serial and AHCI port 0 ("ID.N" for AHCI
 * port N); a pcie-root-port or pci-bridge bus is the id itself.
 *
 * Errors: QDEV_ERROR_INVALID_VALUE if @bus is not valid UTF-8.
 *
 * Returns: TRUE on success.
 */
gboolean qdev_device_set_bus (json_t *device, const char *bus, GError **error);

/**
 * qdev_device_set_drive_unit:
 * @device: an ide-hd or ide-cd device object
 * @bus: the IDE bus, e.g. "ide.0" (the machine's IDE/SATA controller) or
 *   "ahci0.2"
 * @unit: 0 (master) or 1 (slave); SATA ports only have unit 0
 * @error: return location for a #GError
 *
 * Sets "bus" and "unit".
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if @unit is above 1;
 *   QDEV_ERROR_INVALID_VALUE if @bus is not valid UTF-8.
 *
 * Returns: TRUE on success; on error @device is unchanged.
 */
gboolean qdev_device_set_drive_unit (json_t *device, const char *bus,
                                     guint unit, GError **error);

/**
 * qdev_device_set_scsi_address:
 * @device: a scsi-hd or scsi-cd device object
 * @bus: the SCSI bus, e.g. "scsi0.0" for a controller with id scsi0
 * @scsi_id: the target
 * @lun: the logical unit
 * @error: return location for a #GError
 *
 * Sets "bus", "scsi-id" and "lun".
 *
 * Errors: QDEV_ERROR_INVALID_VALUE if @bus is not valid UTF-8.
 *
 * Returns: TRUE on success.
 */
gboolean qdev_device_set_scsi_address (json_t *device, const char *bus,
                                       guint scsi_id, guint lun,
                                       GError **error);

/**
 * qdev_device_set_usb_port:
 * @device: a USB device object
 * @bus: the USB bus, e.g. "usb0.0" for a controller with id usb0
 * @port: the port path, e.g. "1" or "1.2" (port 2 of a hub on port 1)
 * @error: return location for a #GError
 *
 * Sets "bus" and "port".
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if @port is not dot-separated
 *   numbers from 1 to 15; QDEV_ERROR_INVALID_VALUE if @bus is not valid
 *   UTF-8.
 *
 * Returns: TRUE on success; on error @device is unchanged.
 */
gboolean qdev_device_set_usb_port (json_t *device, const char *bus,
                                   const char *port, GError **error);

/* ------------------------------------------------------------------------
 * Generic device and object
 *
 * Ids (device ids, node-names, netdev, chardev and object ids) follow
 * QEMU's rule: a letter, then letters, digits, '-', '.' or '_'.
 * Node-names are at most 31 bytes.
 */

/**
 * qdev_device_new:
 * @driver: the QEMU device model, e.g. "virtio-blk-pci"
 * @id: (nullable): the device id, or NULL for none
 * @error: return location for a #GError
 *
 * Starts a device object {"driver":..., "id":...}. The specific builders
 * below use it; call it directly for a model they do not cover.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if @id is not a valid QEMU id;
 *   QDEV_ERROR_INVALID_VALUE if @driver is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_new (const char *driver, const char *id, GError **error);

/**
 * qdev_object_new:
 * @qom_type: the QOM type, e.g. "rng-random"
 * @id: the object id
 * @error: return location for a #GError
 *
 * Starts an `-object` / object-add object {"qom-type":..., "id":...}.
 * The qdev_object_*() builders use it.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if @id is not a valid QEMU id;
 *   QDEV_ERROR_INVALID_VALUE if @qom_type is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the object, or NULL on error.
 */
json_t *qdev_object_new (const char *qom_type, const char *id,
                         GError **error);

/* ------------------------------------------------------------------------
 * Disks: a protocol node (where the bytes are), a format node on top of
 * it (how they are laid out), and a frontend device naming the format
 * node as its "drive".
 */

/**
 * QdevBlockProtocol:
 * @QDEV_BLOCK_PROTOCOL_FILE: a regular file ("file").
 * @QDEV_BLOCK_PROTOCOL_HOST_DEVICE: a block device ("host_device").
 */
typedef enum {
  QDEV_BLOCK_PROTOCOL_FILE,
  QDEV_BLOCK_PROTOCOL_HOST_DEVICE,
} QdevBlockProtocol;

/**
 * QdevBlockFormat:
 * @QDEV_BLOCK_FORMAT_RAW: "raw".
 * @QDEV_BLOCK_FORMAT_QCOW2: "qcow2".
 */
typedef enum {
  QDEV_BLOCK_FORMAT_RAW,
  QDEV_BLOCK_FORMAT_QCOW2,
} QdevBlockFormat;

/**
 * QdevBlockNodeOptions:
 * @read_only: open the node read-only ("read-only")
 * @cache_direct: bypass the host page cache, O_DIRECT ("cache.direct");
 *   the filesystem must support it
 * @cache_no_flush: ignore the guest's flush requests ("cache.no-flush"):
 *   fast, and loses data if the host crashes
 * @discard: pass the guest's discard requests down ("discard": "unmap"
 *   rather than "ignore")
 * @backing: (nullable): qcow2 format nodes only: the node-name of the
 *   backing image. NULL writes "backing": null, so QEMU never opens a
 *   backing file named inside the image itself.
 *
 * Options common to both nodes of a disk. A zeroed struct (or NULL)
 * means read-write, host page cache, flushes honoured, discards ignored.
 * Every node gets all of them written explicitly, so QEMU's defaults
 * never decide. Pass the same options to both nodes of a disk.
 */
typedef struct {
  gboolean read_only;
  gboolean cache_direct;
  gboolean cache_no_flush;
  gboolean discard;
  const char *backing;
} QdevBlockNodeOptions;

/**
 * qdev_blockdev_protocol_new:
 * @protocol: file or host_device
 * @node_name: the node's name
 * @filename: the path of the file or block device
 * @options: (nullable): node options; NULL for the defaults
 * @error: return location for a #GError
 *
 * Builds a protocol node for `-blockdev` / blockdev-add, e.g.
 * {"driver":"file","node-name":"disk0-file","filename":"/img",
 *  "read-only":false,"cache":{"direct":false,"no-flush":false},
 *  "discard":"ignore"}.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad node-name or if
 *   @options->backing is set (a protocol node has no backing);
 *   QDEV_ERROR_INVALID_VALUE for a @filename that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the node, or NULL on error.
 */
json_t *qdev_blockdev_protocol_new (QdevBlockProtocol protocol,
                                    const char *node_name,
                                    const char *filename,
                                    const QdevBlockNodeOptions *options,
                                    GError **error);

/**
 * qdev_blockdev_format_new:
 * @format: raw or qcow2
 * @node_name: the node's name
 * @file_node_name: the node-name of the protocol node below
 * @options: (nullable): node options; NULL for the defaults
 * @error: return location for a #GError
 *
 * Builds a format node for `-blockdev` / blockdev-add, e.g.
 * {"driver":"qcow2","node-name":"disk0","file":"disk0-file",...,
 *  "backing":null}.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad node-name or a backing
 *   node on a raw node.
 *
 * Returns: (transfer full) (nullable): the node, or NULL on error.
 */
json_t *qdev_blockdev_format_new (QdevBlockFormat format,
                                  const char *node_name,
                                  const char *file_node_name,
                                  const QdevBlockNodeOptions *options,
                                  GError **error);

/**
 * QdevDiskModel:
 * @QDEV_DISK_VIRTIO_BLK: "virtio-blk-pci".
 * @QDEV_DISK_IDE_HD: "ide-hd" (IDE or SATA disk).
 * @QDEV_DISK_IDE_CD: "ide-cd" (IDE or SATA CD-ROM).
 * @QDEV_DISK_SCSI_HD: "scsi-hd".
 * @QDEV_DISK_SCSI_CD: "scsi-cd".
 */
typedef enum {
  QDEV_DISK_VIRTIO_BLK,
  QDEV_DISK_IDE_HD,
  QDEV_DISK_IDE_CD,
  QDEV_DISK_SCSI_HD,
  QDEV_DISK_SCSI_CD,
} QdevDiskModel;

/**
 * qdev_device_disk_new:
 * @model: the frontend model
 * @id: (nullable): the device id
 * @drive: (nullable): the node-name of the disk's top (format) node;
 *   NULL only for a CD-ROM with no medium
 * @bootindex: boot priority, 1 first; 0 for not bootable
 * @serial: (nullable): the serial number the guest sees
 * @error: return location for a #GError
 *
 * Builds the disk's `-device` / device_add object. Place it with
 * qdev_device_set_pci_address() (virtio), qdev_device_set_drive_unit()
 * (IDE/SATA) or qdev_device_set_scsi_address() (SCSI).
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or node-name, or no
 *   @drive for a hard disk; QDEV_ERROR_INVALID_VALUE for a @serial that
 *   is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_disk_new (QdevDiskModel model, const char *id,
                              const char *drive, guint bootindex,
                              const char *serial, GError **error);

/* ------------------------------------------------------------------------
 * Network: a netdev backend and a NIC frontend naming it.
 */

/**
 * qdev_netdev_user_new:
 * @id: the netdev id
 * @error: return location for a #GError
 *
 * Builds a user-mode (slirp) netdev: {"type":"user","id":...}.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id.
 *
 * Returns: (transfer full) (nullable): the netdev, or NULL on error.
 */
json_t *qdev_netdev_user_new (const char *id, GError **error);

/**
 * qdev_netdev_tap_new:
 * @id: the netdev id
 * @ifname: the tap interface QEMU opens (it must exist or QEMU must be
 *   allowed to create it)
 * @error: return location for a #GError
 *
 * Builds a tap netdev on a named interface. QEMU runs no script:
 * "script" and "downscript" are "no" (setting the interface up is the
 * manager's job).
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or an @ifname that
 *   is empty or longer than 15 bytes; QDEV_ERROR_INVALID_VALUE for an
 *   @ifname that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the netdev, or NULL on error.
 */
json_t *qdev_netdev_tap_new (const char *id, const char *ifname,
                             GError **error);

/**
 * qdev_netdev_tap_fd_new:
 * @id: the netdev id
 * @fd: an open tap file descriptor: on the command line, the number of
 *   a descriptor QEMU inherits; over QMP, the name it was given with
 *   the getfd command
 * @error: return location for a #GError
 *
 * Builds a tap netdev on an already opened tap device:
 * {"type":"tap","id":...,"fd":"N"}.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or an empty @fd;
 *   QDEV_ERROR_INVALID_VALUE for an @fd that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the netdev, or NULL on error.
 */
json_t *qdev_netdev_tap_fd_new (const char *id, const char *fd,
                                GError **error);

/**
 * qdev_netdev_bridge_new:
 * @id: the netdev id
 * @bridge: the host bridge to attach to ("br")
 * @helper: (nullable): the setuid helper that creates the tap device;
 *   NULL for QEMU's built-in default
 * @error: return location for a #GError
 *
 * Builds a bridge netdev: {"type":"bridge","id":...,"br":...}.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or an empty @bridge;
 *   QDEV_ERROR_INVALID_VALUE for strings that are not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the netdev, or NULL on error.
 */
json_t *qdev_netdev_bridge_new (const char *id, const char *bridge,
                                const char *helper, GError **error);

/**
 * QdevNicModel:
 * @QDEV_NIC_VIRTIO: "virtio-net-pci".
 * @QDEV_NIC_E1000: "e1000".
 * @QDEV_NIC_E1000E: "e1000e".
 * @QDEV_NIC_RTL8139: "rtl8139".
 */
typedef enum {
  QDEV_NIC_VIRTIO,
  QDEV_NIC_E1000,
  QDEV_NIC_E1000E,
  QDEV_NIC_RTL8139,
} QdevNicModel;

/**
 * qdev_device_nic_new:
 * @model: the NIC model
 * @id: (nullable): the device id
 * @netdev: the id of its netdev
 * @mac: (nullable): the MAC address, "52:54:00:12:34:56" (hex digits
 *   either case); NULL lets QEMU pick one
 * @bootindex: boot priority, 1 first; 0 for not bootable
 * @error: return location for a #GError
 *
 * Builds a NIC's `-device` / device_add object.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or netdev id or a
 *   malformed MAC address.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_nic_new (QdevNicModel model, const char *id,
                             const char *netdev, const char *mac,
                             guint bootindex, GError **error);

/* ------------------------------------------------------------------------
 * Character devices. `-chardev` has no JSON syntax in QEMU 7.2 and QMP's
 * chardev-add takes a differently shaped object, so one description
 * gives both forms.
 */

/**
 * QdevChardevBackend:
 * @QDEV_CHARDEV_NULL: discards output, never has input.
 * @QDEV_CHARDEV_PTY: a new pseudo-terminal (query-chardev names it).
 * @QDEV_CHARDEV_FILE: output written to a file.
 * @QDEV_CHARDEV_SOCKET: a UNIX stream socket.
 * @QDEV_CHARDEV_STDIO: QEMU's own stdin/stdout.
 */
typedef enum {
  QDEV_CHARDEV_NULL,
  QDEV_CHARDEV_PTY,
  QDEV_CHARDEV_FILE,
  QDEV_CHARDEV_SOCKET,
  QDEV_CHARDEV_STDIO,
} QdevChardevBackend;

/**
 * QdevChardev:
 * @backend: the backend type
 * @id: the chardev id
 * @path: FILE: the file (required); SOCKET: the socket path (this or
 *   @fd)
 * @fd: SOCKET: instead of @path, an open socket: on the command line
 *   the number of a descriptor QEMU inherits (for a server, a listening
 *   socket), over QMP a getfd name
 * @server: SOCKET: listen rather than connect
 * @wait: SOCKET with @server: QEMU waits for a client before it starts
 * @append: FILE: append rather than truncate
 * @logfile: (nullable): any backend: also copy the output to this file
 *
 * What a chardev is; fields that do not apply to @backend must be left
 * zero.
 */
typedef struct {
  QdevChardevBackend backend;
  const char *id;
  const char *path;
  const char *fd;
  gboolean server;
  gboolean wait;
  gboolean append;
  const char *logfile;
} QdevChardev;

/**
 * qdev_chardev_option_new:
 * @chardev: the chardev
 * @error: return location for a #GError
 *
 * Builds the chardev for the command line, as a flat object for
 * QDEV_OPTION_CHARDEV, e.g. {"backend":"file","id":"serial0",
 * "path":"/log,1"}, which qdev_option_format() writes
 * `backend=file,id=serial0,path=/log,,1`.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id, a missing path, a
 *   field that does not apply to the backend; QDEV_ERROR_INVALID_VALUE
 *   for strings that are not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the chardev, or NULL on error.
 */
json_t *qdev_chardev_option_new (const QdevChardev *chardev, GError **error);

/**
 * qdev_chardev_qmp_new:
 * @chardev: the chardev
 * @error: return location for a #GError
 *
 * Builds the arguments of QMP `chardev-add` for the same chardev, e.g.
 * {"id":"serial0","backend":{"type":"file","data":{"out":"/log,1"}}}.
 *
 * Errors: as qdev_chardev_option_new().
 *
 * Returns: (transfer full) (nullable): the arguments, or NULL on error.
 */
json_t *qdev_chardev_qmp_new (const QdevChardev *chardev, GError **error);

/* ------------------------------------------------------------------------
 * Serial ports and consoles
 */

/**
 * qdev_device_serial_new:
 * @id: (nullable): the device id
 * @chardev: the id of the chardev behind the port
 * @error: return location for a #GError
 *
 * Builds a 16550 UART on the ISA bus ("isa-serial"), COM1 first.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or chardev id.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_serial_new (const char *id, const char *chardev,
                                GError **error);

/**
 * QdevVirtioPortModel:
 * @QDEV_VIRTIO_PORT_SERIAL: "virtserialport", a named data channel
 *   (e.g. the guest agent's "org.qemu.guest_agent.0").
 * @QDEV_VIRTIO_PORT_CONSOLE: "virtconsole", a console (hvc0 in a Linux
 *   guest).
 */
typedef enum {
  QDEV_VIRTIO_PORT_SERIAL,
  QDEV_VIRTIO_PORT_CONSOLE,
} QdevVirtioPortModel;

/**
 * qdev_device_virtio_port_new:
 * @model: a port or a console
 * @id: (nullable): the device id
 * @chardev: the id of the chardev behind the port
 * @name: (nullable): the port name the guest sees
 * @error: return location for a #GError
 *
 * Builds a port of a virtio-serial controller; put it on the
 * controller's bus with qdev_device_set_bus() ("ID.0").
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or chardev id;
 *   QDEV_ERROR_INVALID_VALUE for a @name that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_virtio_port_new (QdevVirtioPortModel model,
                                     const char *id, const char *chardev,
                                     const char *name, GError **error);

/* ------------------------------------------------------------------------
 * Controllers
 */

/**
 * QdevControllerModel:
 * @QDEV_CONTROLLER_PIIX3_USB_UHCI: "piix3-usb-uhci" (USB 1.1).
 * @QDEV_CONTROLLER_ICH9_USB_EHCI1: "ich9-usb-ehci1" (USB 2).
 * @QDEV_CONTROLLER_QEMU_XHCI: "qemu-xhci" (USB 3).
 * @QDEV_CONTROLLER_NEC_USB_XHCI: "nec-usb-xhci" (USB 3).
 * @QDEV_CONTROLLER_VIRTIO_SCSI: "virtio-scsi-pci".
 * @QDEV_CONTROLLER_LSI: "lsi53c895a" (SCSI).
 * @QDEV_CONTROLLER_AHCI: "ich9-ahci" (SATA, 6 ports).
 * @QDEV_CONTROLLER_VIRTIO_SERIAL: "virtio-serial-pci".
 */
typedef enum {
  QDEV_CONTROLLER_PIIX3_USB_UHCI,
  QDEV_CONTROLLER_ICH9_USB_EHCI1,
  QDEV_CONTROLLER_QEMU_XHCI,
  QDEV_CONTROLLER_NEC_USB_XHCI,
  QDEV_CONTROLLER_VIRTIO_SCSI,
  QDEV_CONTROLLER_LSI,
  QDEV_CONTROLLER_AHCI,
  QDEV_CONTROLLER_VIRTIO_SERIAL,
} QdevControllerModel;

/**
 * qdev_device_controller_new:
 * @model: the controller model
 * @id: the device id; its child bus is named "@id.0"
 * @error: return location for a #GError
 *
 * Builds a USB, SCSI, SATA or virtio-serial controller. It is a PCI
 * device: place it with qdev_device_set_pci_address().
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_controller_new (QdevControllerModel model,
                                    const char *id, GError **error);

/**
 * qdev_device_pcie_root_port_new:
 * @id: the device id, which is also the name of the bus it provides
 * @chassis: the chassis number, 0 to 255
 * @port: the port number, 0 to 255
 * @error: return location for a #GError
 *
 * Builds a "pcie-root-port" (q35), into which one PCIe device can be
 * plugged or hotplugged. Several root ports usually share a slot of
 * pcie.0 as its functions: use qdev_device_set_pci_address() with
 * multifunction on function 0.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id, chassis or port.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_pcie_root_port_new (const char *id, guint chassis,
                                        guint port, GError **error);

/**
 * qdev_device_pci_bridge_new:
 * @id: the device id, which is also the name of the bus it provides
 * @chassis_nr: the bridge's chassis number, 1 to 255, unique per machine
 * @error: return location for a #GError
 *
 * Builds a "pci-bridge" (a conventional PCI bus with 32 more slots).
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or chassis number.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_pci_bridge_new (const char *id, guint chassis_nr,
                                    GError **error);

/* ------------------------------------------------------------------------
 * Random number generator
 */

/**
 * qdev_object_rng_random_new:
 * @id: the object id
 * @filename: (nullable): the host source; NULL for QEMU's default
 *   (/dev/urandom)
 * @error: return location for a #GError
 *
 * Builds an "rng-random" backend object for `-object` / object-add.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id;
 *   QDEV_ERROR_INVALID_VALUE for a @filename that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the object, or NULL on error.
 */
json_t *qdev_object_rng_random_new (const char *id, const char *filename,
                                    GError **error);

/**
 * qdev_object_rng_builtin_new:
 * @id: the object id
 * @error: return location for a #GError
 *
 * Builds an "rng-builtin" backend object (QEMU's own generator).
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id.
 *
 * Returns: (transfer full) (nullable): the object, or NULL on error.
 */
json_t *qdev_object_rng_builtin_new (const char *id, GError **error);

/**
 * qdev_device_rng_new:
 * @id: (nullable): the device id
 * @rng: the id of the rng backend object
 * @max_bytes: at most this many bytes per @period_ms; 0 for no limit
 * @period_ms: the rate limit's period in milliseconds; 0 for QEMU's
 *   default
 * @error: return location for a #GError
 *
 * Builds a "virtio-rng-pci" device.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or backend id, or a
 *   period without a byte limit.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_rng_new (const char *id, const char *rng,
                             guint64 max_bytes, guint period_ms,
                             GError **error);

/* ------------------------------------------------------------------------
 * Watchdog, balloon, video, input
 */

/**
 * QdevWatchdogModel:
 * @QDEV_WATCHDOG_I6300ESB: "i6300esb" (PCI).
 * @QDEV_WATCHDOG_IB700: "ib700" (ISA).
 */
typedef enum {
  QDEV_WATCHDOG_I6300ESB,
  QDEV_WATCHDOG_IB700,
} QdevWatchdogModel;

/**
 * qdev_device_watchdog_new:
 * @model: the watchdog model
 * @id: (nullable): the device id
 * @error: return location for a #GError
 *
 * Builds a watchdog device. What it does when it fires is the machine's
 * `-action watchdog=...`, not a device property.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_watchdog_new (QdevWatchdogModel model, const char *id,
                                  GError **error);

/**
 * qdev_device_balloon_new:
 * @id: (nullable): the device id
 * @deflate_on_oom: let the guest take memory back from the balloon
 *   when it runs out ("deflate-on-oom")
 * @free_page_reporting: the guest reports freed pages to the host
 *   ("free-page-reporting")
 * @error: return location for a #GError
 *
 * Builds a "virtio-balloon-pci" device.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_balloon_new (const char *id, gboolean deflate_on_oom,
                                 gboolean free_page_reporting,
                                 GError **error);

/**
 * QdevVideoModel:
 * @QDEV_VIDEO_VGA: "VGA" (standard VGA with Bochs extensions).
 * @QDEV_VIDEO_CIRRUS: "cirrus-vga".
 * @QDEV_VIDEO_QXL: "qxl-vga" (the primary QXL device).
 * @QDEV_VIDEO_VIRTIO_VGA: "virtio-vga".
 * @QDEV_VIDEO_BOCHS: "bochs-display" (no legacy VGA).
 * @QDEV_VIDEO_VIRTIO_GPU: "virtio-gpu-pci" (no legacy VGA).
 *
 * A machine has at most one device with legacy VGA (the first four).
 */
typedef enum {
  QDEV_VIDEO_VGA,
  QDEV_VIDEO_CIRRUS,
  QDEV_VIDEO_QXL,
  QDEV_VIDEO_VIRTIO_VGA,
  QDEV_VIDEO_BOCHS,
  QDEV_VIDEO_VIRTIO_GPU,
} QdevVideoModel;

/**
 * qdev_device_video_new:
 * @model: the video model
 * @id: (nullable): the device id
 * @vgamem_mib: video memory in MiB; 0 for the model's default. Only
 *   VGA, cirrus, qxl and bochs have it ("vgamem_mb", or "vgamem" in
 *   bytes for bochs-display).
 * @error: return location for a #GError
 *
 * Builds a video device.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id, or @vgamem_mib on a
 *   virtio model.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_video_new (QdevVideoModel model, const char *id,
                               guint vgamem_mib, GError **error);

/**
 * QdevInputModel:
 * @QDEV_INPUT_USB_TABLET: "usb-tablet" (absolute pointer).
 * @QDEV_INPUT_USB_MOUSE: "usb-mouse".
 * @QDEV_INPUT_USB_KEYBOARD: "usb-kbd".
 * @QDEV_INPUT_VIRTIO_TABLET: "virtio-tablet-pci".
 * @QDEV_INPUT_VIRTIO_MOUSE: "virtio-mouse-pci".
 * @QDEV_INPUT_VIRTIO_KEYBOARD: "virtio-keyboard-pci".
 */
typedef enum {
  QDEV_INPUT_USB_TABLET,
  QDEV_INPUT_USB_MOUSE,
  QDEV_INPUT_USB_KEYBOARD,
  QDEV_INPUT_VIRTIO_TABLET,
  QDEV_INPUT_VIRTIO_MOUSE,
  QDEV_INPUT_VIRTIO_KEYBOARD,
} QdevInputModel;

/**
 * qdev_device_input_new:
 * @model: the input model
 * @id: (nullable): the device id
 * @error: return location for a #GError
 *
 * Builds an input device. USB models need a USB controller
 * (qdev_device_set_usb_port() to choose the port), virtio models a PCI
 * slot.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id.
 *
 * Returns: (transfer full) (nullable): the device, or NULL on error.
 */
json_t *qdev_device_input_new (QdevInputModel model, const char *id,
                               GError **error);

/* ------------------------------------------------------------------------
 * Memory backends
 */

/**
 * qdev_object_memory_ram_new:
 * @id: the object id (name it in the machine's "memory-backend", or in a
 *   NUMA node)
 * @size: the size in bytes
 * @prealloc: allocate all of it at start
 * @error: return location for a #GError
 *
 * Builds a "memory-backend-ram" object.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or a zero @size.
 *
 * Returns: (transfer full) (nullable): the object, or NULL on error.
 */
json_t *qdev_object_memory_ram_new (const char *id, guint64 size,
                                    gboolean prealloc, GError **error);

/**
 * qdev_object_memory_file_new:
 * @id: the object id
 * @size: the size in bytes
 * @mem_path: the file (created if missing) or the directory (QEMU
 *   creates an unlinked file in it), e.g. on hugetlbfs
 * @share: map it shared, so other processes (vhost-user) see it
 * @prealloc: allocate all of it at start
 * @error: return location for a #GError
 *
 * Builds a "memory-backend-file" object.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for a bad id or a zero @size;
 *   QDEV_ERROR_INVALID_VALUE for a @mem_path that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the object, or NULL on error.
 */
json_t *qdev_object_memory_file_new (const char *id, guint64 size,
                                     const char *mem_path, gboolean share,
                                     gboolean prealloc, GError **error);

/* ------------------------------------------------------------------------
 * key=value options: `-machine`, `-smp`, `-m`, `-vnc`. Each builder
 * returns a flat object to write with qdev_option_format() or
 * qdev_argv_add(); add what a builder does not cover with
 * qdev_set_string() and friends (e.g. "dump-guest-core").
 */

/**
 * qdev_machine_new:
 * @type: the machine type, e.g. "q35" or "pc-i440fx-7.2"
 * @memory_backend: (nullable): the id of the memory backend object that
 *   holds the guest RAM; its size must match `-m`
 * @error: return location for a #GError
 *
 * Builds QDEV_OPTION_MACHINE: {"type":...,"memory-backend":...}.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for an empty @type or a bad
 *   backend id; QDEV_ERROR_INVALID_VALUE for a @type that is not valid
 *   UTF-8.
 *
 * Returns: (transfer full) (nullable): the option, or NULL on error.
 */
json_t *qdev_machine_new (const char *type, const char *memory_backend,
                          GError **error);

/**
 * QdevSmp:
 * @cpus: vCPUs at start, at least 1
 * @max_cpus: the most vCPUs hotplug can reach; 0 for @cpus
 * @sockets: 0 for QEMU's choice
 * @cores: per socket; 0 for QEMU's choice
 * @threads: per core; 0 for QEMU's choice
 *
 * The vCPU topology.
 */
typedef struct {
  guint cpus;
  guint max_cpus;
  guint sockets;
  guint cores;
  guint threads;
} QdevSmp;

/**
 * qdev_smp_new:
 * @smp: the topology
 * @error: return location for a #GError
 *
 * Builds QDEV_OPTION_SMP, e.g. {"cpus":2,"sockets":1,"cores":2}.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if @smp->cpus is 0 or above
 *   @smp->max_cpus.
 *
 * Returns: (transfer full) (nullable): the option, or NULL on error.
 */
json_t *qdev_smp_new (const QdevSmp *smp, GError **error);

/**
 * qdev_memory_new:
 * @size_mib: the guest RAM in MiB
 * @error: return location for a #GError
 *
 * Builds QDEV_OPTION_MEMORY: {"size":"1024M"}. The unit is written out
 * because `-m` reads a bare number as MiB but a "size" elsewhere as
 * bytes.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT if @size_mib is 0.
 *
 * Returns: (transfer full) (nullable): the option, or NULL on error.
 */
json_t *qdev_memory_new (guint64 size_mib, GError **error);

/**
 * qdev_vnc_unix_new:
 * @path: the UNIX socket the VNC server listens on
 * @error: return location for a #GError
 *
 * Builds QDEV_OPTION_VNC listening on a UNIX socket:
 * {"vnc":"unix:/path"}. The key is written out (`vnc=unix:...`) so a
 * '=' in the path cannot be read as a key.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for an empty @path;
 *   QDEV_ERROR_INVALID_VALUE for a @path that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the option, or NULL on error.
 */
json_t *qdev_vnc_unix_new (const char *path, GError **error);

/**
 * qdev_vnc_tcp_new:
 * @host: the address to listen on, e.g. "127.0.0.1" or "::1"
 * @display: the display number; the port is 5900 + @display
 * @error: return location for a #GError
 *
 * Builds QDEV_OPTION_VNC listening on TCP: {"vnc":"127.0.0.1:0"}, with
 * an IPv6 address in brackets.
 *
 * Errors: QDEV_ERROR_INVALID_ARGUMENT for an empty @host or a @display
 *   above 59635 (the port would exceed 65535); QDEV_ERROR_INVALID_VALUE
 *   for a @host that is not valid UTF-8.
 *
 * Returns: (transfer full) (nullable): the option, or NULL on error.
 */
json_t *qdev_vnc_tcp_new (const char *host, guint display, GError **error);

G_END_DECLS
