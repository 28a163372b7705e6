/* The domain model: one virtual machine definition as plain C structs.
 *
 * A DomainDef is what the libvirt-compatible domain XML says, field by
 * field (see docs/domain-xml.md for the XML side). It is produced by
 * domain_def_parse_xml() (domain-xml.h), completed once by
 * domain_def_fill_defaults() (domain-defaults.h) and checked by
 * domain_def_validate() (domain-validate.h). The QEMU command-line
 * builder reads a DomainDef that went through all three; the comments
 * below say what each field holds at that point ("after defaults").
 *
 * Conventions used throughout:
 *  - every enum has a string table; the *_UNSET value (always 0 when an
 *    enum has one) means "the XML did not say", and has no spelling;
 *  - strings are UTF-8, owned by the struct, NULL when absent;
 *  - `line` is the line of the element in the source XML, 0 for things
 *    defaults added; it is for error messages only and is ignored by
 *    domain_def_equal();
 *  - sizes are in KiB, as in libvirt;
 *  - device arrays are GPtrArrays in document order that own their
 *    elements; the order matters (PCI slots are assigned in that order).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------------
 * Enums and their string tables
 */

/**
 * DomainEnumTable:
 * @n_values: number of values of the enum (its *_LAST)
 * @names: the XML spelling of each value, NULL for a value that has none
 *   (the *_UNSET values)
 */
typedef struct {
  guint n_values;
  const char *const *names;
} DomainEnumTable;

/**
 * domain_enum_to_string:
 * Returns: (transfer none) (nullable): the spelling of @value, or NULL for
 *   an *_UNSET or out-of-range value.
 */
const char *domain_enum_to_string (const DomainEnumTable *table, int value);

/**
 * domain_enum_from_string:
 * Returns: the value spelled @str (exact, case-sensitive match), or -1.
 */
int domain_enum_from_string (const DomainEnumTable *table, const char *str);

/**
 * domain_enum_expected:
 * Returns: (transfer full): the accepted spellings as an English list
 *   ("virtio, ide, sata or scsi"), for error messages.
 */
char *domain_enum_expected (const DomainEnumTable *table);

/* Declares Type's table and typed to/from string helpers:
 *   const char *prefix_to_string (Type value);   NULL when unset
 *   int prefix_from_string (const char *str);     -1 when unknown */
#define DOMAIN_DECLARE_ENUM(Type, prefix)                                   \
  extern const DomainEnumTable prefix##_table;                              \
  static inline const char *prefix##_to_string (Type value)                 \
  {                                                                         \
    return domain_enum_to_string (&prefix##_table, (int) value);            \
  }                                                                         \
  static inline int prefix##_from_string (const char *str)                  \
  {                                                                         \
    return domain_enum_from_string (&prefix##_table, str);                  \
  }

/* A yes/no or on/off attribute that may also be absent. Which spelling an
 * attribute uses is fixed by libvirt for each attribute. */
typedef enum {
  DOMAIN_TRISTATE_UNSET = 0,
  DOMAIN_TRISTATE_ON,
  DOMAIN_TRISTATE_OFF,
  DOMAIN_TRISTATE_LAST
} DomainTristate;
DOMAIN_DECLARE_ENUM (DomainTristate, domain_yes_no)  /* "yes", "no" */
DOMAIN_DECLARE_ENUM (DomainTristate, domain_on_off)  /* "on", "off" */

/* <domain type=...> */
typedef enum {
  DOMAIN_VIRT_QEMU,           /* "qemu": TCG, no hardware acceleration */
  DOMAIN_VIRT_KVM,            /* "kvm" */
  DOMAIN_VIRT_LAST
} DomainVirtType;
DOMAIN_DECLARE_ENUM (DomainVirtType, domain_virt_type)

/* <os><type arch=...> */
typedef enum {
  DOMAIN_ARCH_UNSET = 0,      /* defaults: x86_64 */
  DOMAIN_ARCH_X86_64,
  DOMAIN_ARCH_I686,
  DOMAIN_ARCH_LAST
} DomainArch;
DOMAIN_DECLARE_ENUM (DomainArch, domain_arch)

/* The chipset a machine type name belongs to; derived from
 * DomainOs.machine by domain_machine_family(), never spelled in XML. */
typedef enum {
  DOMAIN_MACHINE_UNKNOWN = 0,
  DOMAIN_MACHINE_PC,          /* i440FX + PIIX3: "pc", "pc-i440fx-*" */
  DOMAIN_MACHINE_Q35,         /* Q35 + ICH9, PCI Express: "q35", "pc-q35-*" */
  DOMAIN_MACHINE_MICROVM,     /* "microvm": no PCI, virtio-mmio devices */
  DOMAIN_MACHINE_LAST
} DomainMachineFamily;

/* <os><boot dev=...> */
typedef enum {
  DOMAIN_BOOT_HD,
  DOMAIN_BOOT_CDROM,
  DOMAIN_BOOT_NETWORK,
  DOMAIN_BOOT_FD,
  DOMAIN_BOOT_LAST
} DomainBootDevice;
DOMAIN_DECLARE_ENUM (DomainBootDevice, domain_boot_device)

/* <os><loader type=...> */
typedef enum {
  DOMAIN_LOADER_UNSET = 0,    /* a ROM image (QEMU -bios) */
  DOMAIN_LOADER_ROM,
  DOMAIN_LOADER_PFLASH,       /* UEFI code in a pflash drive */
  DOMAIN_LOADER_LAST
} DomainLoaderType;
DOMAIN_DECLARE_ENUM (DomainLoaderType, domain_loader_type)

/* <cpu mode=...> */
typedef enum {
  DOMAIN_CPU_MODE_CUSTOM,           /* <model> names a QEMU CPU model */
  DOMAIN_CPU_MODE_HOST_MODEL,       /* closest model to the host (KVM only) */
  DOMAIN_CPU_MODE_HOST_PASSTHROUGH, /* -cpu host (KVM only) */
  DOMAIN_CPU_MODE_LAST
} DomainCpuMode;
DOMAIN_DECLARE_ENUM (DomainCpuMode, domain_cpu_mode)

/* <cpu match=...> */
typedef enum {
  DOMAIN_CPU_MATCH_UNSET = 0,
  DOMAIN_CPU_MATCH_MINIMUM,
  DOMAIN_CPU_MATCH_EXACT,
  DOMAIN_CPU_MATCH_STRICT,
  DOMAIN_CPU_MATCH_LAST
} DomainCpuMatch;
DOMAIN_DECLARE_ENUM (DomainCpuMatch, domain_cpu_match)

/* <cpu check=...> */
typedef enum {
  DOMAIN_CPU_CHECK_UNSET = 0,
  DOMAIN_CPU_CHECK_NONE,
  DOMAIN_CPU_CHECK_PARTIAL,
  DOMAIN_CPU_CHECK_FULL,
  DOMAIN_CPU_CHECK_LAST
} DomainCpuCheck;
DOMAIN_DECLARE_ENUM (DomainCpuCheck, domain_cpu_check)

/* <cpu><model fallback=...> */
typedef enum {
  DOMAIN_CPU_FALLBACK_UNSET = 0,
  DOMAIN_CPU_FALLBACK_ALLOW,
  DOMAIN_CPU_FALLBACK_FORBID,
  DOMAIN_CPU_FALLBACK_LAST
} DomainCpuFallback;
DOMAIN_DECLARE_ENUM (DomainCpuFallback, domain_cpu_fallback)

/* <cpu><feature policy=...> */
typedef enum {
  DOMAIN_CPU_FEATURE_REQUIRE,   /* the default when policy is absent */
  DOMAIN_CPU_FEATURE_FORCE,
  DOMAIN_CPU_FEATURE_OPTIONAL,
  DOMAIN_CPU_FEATURE_DISABLE,
  DOMAIN_CPU_FEATURE_FORBID,
  DOMAIN_CPU_FEATURE_LAST
} DomainCpuFeaturePolicy;
DOMAIN_DECLARE_ENUM (DomainCpuFeaturePolicy, domain_cpu_feature_policy)

/* <clock offset=...> */
typedef enum {
  DOMAIN_CLOCK_UNSET = 0,       /* defaults: utc */
  DOMAIN_CLOCK_UTC,
  DOMAIN_CLOCK_LOCALTIME,
  DOMAIN_CLOCK_LAST
} DomainClockOffset;
DOMAIN_DECLARE_ENUM (DomainClockOffset, domain_clock_offset)

/* <clock><timer name=...> */
typedef enum {
  DOMAIN_TIMER_RTC,
  DOMAIN_TIMER_PIT,
  DOMAIN_TIMER_HPET,
  DOMAIN_TIMER_KVMCLOCK,
  DOMAIN_TIMER_TSC,
  DOMAIN_TIMER_HYPERVCLOCK,
  DOMAIN_TIMER_LAST
} DomainTimerName;
DOMAIN_DECLARE_ENUM (DomainTimerName, domain_timer_name)

/* <clock><timer tickpolicy=...> */
typedef enum {
  DOMAIN_TICK_POLICY_UNSET = 0,
  DOMAIN_TICK_POLICY_DELAY,
  DOMAIN_TICK_POLICY_CATCHUP,
  DOMAIN_TICK_POLICY_MERGE,
  DOMAIN_TICK_POLICY_DISCARD,
  DOMAIN_TICK_POLICY_LAST
} DomainTickPolicy;
DOMAIN_DECLARE_ENUM (DomainTickPolicy, domain_tick_policy)

/* <on_poweroff>, <on_reboot>, <on_crash> */
typedef enum {
  DOMAIN_LIFECYCLE_UNSET = 0,   /* defaults: destroy, restart, destroy */
  DOMAIN_LIFECYCLE_DESTROY,     /* let QEMU exit */
  DOMAIN_LIFECYCLE_RESTART,     /* reset the guest, keep the process */
  DOMAIN_LIFECYCLE_PRESERVE,    /* keep QEMU, paused, for inspection */
  DOMAIN_LIFECYCLE_LAST
} DomainLifecycleAction;
DOMAIN_DECLARE_ENUM (DomainLifecycleAction, domain_lifecycle_action)

/* <disk type=...> */
typedef enum {
  DOMAIN_DISK_TYPE_FILE,        /* source is a regular file */
  DOMAIN_DISK_TYPE_BLOCK,       /* source is a block device */
  DOMAIN_DISK_TYPE_VOLUME,      /* a storage pool volume: parsed so that
                                   validation can say it needs a storage
                                   driver; never reaches the builder */
  DOMAIN_DISK_TYPE_LAST
} DomainDiskType;
DOMAIN_DECLARE_ENUM (DomainDiskType, domain_disk_type)

/* <disk device=...> */
typedef enum {
  DOMAIN_DISK_DEVICE_DISK,
  DOMAIN_DISK_DEVICE_CDROM,
  DOMAIN_DISK_DEVICE_LAST
} DomainDiskDevice;
DOMAIN_DECLARE_ENUM (DomainDiskDevice, domain_disk_device)

/* <disk><target bus=...> */
typedef enum {
  DOMAIN_DISK_BUS_UNSET = 0,    /* defaults: from the target dev prefix */
  DOMAIN_DISK_BUS_VIRTIO,       /* virtio-blk-pci, PCI address */
  DOMAIN_DISK_BUS_IDE,          /* ide-hd/ide-cd, drive address */
  DOMAIN_DISK_BUS_SATA,         /* ide-hd/ide-cd on AHCI, drive address */
  DOMAIN_DISK_BUS_SCSI,         /* scsi-hd/scsi-cd, drive address */
  DOMAIN_DISK_BUS_LAST
} DomainDiskBus;
DOMAIN_DECLARE_ENUM (DomainDiskBus, domain_disk_bus)

/* <disk><driver type=...>: the image format */
typedef enum {
  DOMAIN_DISK_FORMAT_UNSET = 0, /* defaults: raw (never probed) */
  DOMAIN_DISK_FORMAT_RAW,
  DOMAIN_DISK_FORMAT_QCOW2,
  DOMAIN_DISK_FORMAT_LAST
} DomainDiskFormat;
DOMAIN_DECLARE_ENUM (DomainDiskFormat, domain_disk_format)

/* <disk><driver cache=...> */
typedef enum {
  DOMAIN_DISK_CACHE_UNSET = 0,  /* QEMU's default (writeback) */
  DOMAIN_DISK_CACHE_DEFAULT,    /* spelled "default": same as unset */
  DOMAIN_DISK_CACHE_NONE,
  DOMAIN_DISK_CACHE_WRITETHROUGH,
  DOMAIN_DISK_CACHE_WRITEBACK,
  DOMAIN_DISK_CACHE_DIRECTSYNC,
  DOMAIN_DISK_CACHE_UNSAFE,
  DOMAIN_DISK_CACHE_LAST
} DomainDiskCache;
DOMAIN_DECLARE_ENUM (DomainDiskCache, domain_disk_cache)

/* <disk><driver discard=...> */
typedef enum {
  DOMAIN_DISK_DISCARD_UNSET = 0,
  DOMAIN_DISK_DISCARD_UNMAP,
  DOMAIN_DISK_DISCARD_IGNORE,
  DOMAIN_DISK_DISCARD_LAST
} DomainDiskDiscard;
DOMAIN_DECLARE_ENUM (DomainDiskDiscard, domain_disk_discard)

/* <disk><driver io=...> */
typedef enum {
  DOMAIN_DISK_IO_UNSET = 0,
  DOMAIN_DISK_IO_NATIVE,
  DOMAIN_DISK_IO_THREADS,
  DOMAIN_DISK_IO_URING,         /* "io_uring" */
  DOMAIN_DISK_IO_LAST
} DomainDiskIo;
DOMAIN_DECLARE_ENUM (DomainDiskIo, domain_disk_io)

/* <controller type=...> */
typedef enum {
  DOMAIN_CONTROLLER_USB,
  DOMAIN_CONTROLLER_PCI,
  DOMAIN_CONTROLLER_IDE,
  DOMAIN_CONTROLLER_SATA,
  DOMAIN_CONTROLLER_SCSI,
  DOMAIN_CONTROLLER_VIRTIO_SERIAL,
  DOMAIN_CONTROLLER_LAST
} DomainControllerType;
DOMAIN_DECLARE_ENUM (DomainControllerType, domain_controller_type)

/* <controller model=...>: one enum for every controller type; validation
 * checks that the model belongs to the type (see
 * domain_controller_model_type()). IDE, SATA and virtio-serial
 * controllers have no model. */
typedef enum {
  DOMAIN_CONTROLLER_MODEL_UNSET = 0,
  /* usb */
  DOMAIN_CONTROLLER_MODEL_PIIX3_UHCI,    /* the PIIX3's UHCI (pc default) */
  DOMAIN_CONTROLLER_MODEL_PIIX4_UHCI,
  DOMAIN_CONTROLLER_MODEL_EHCI,          /* usb-ehci */
  DOMAIN_CONTROLLER_MODEL_ICH9_EHCI1,
  DOMAIN_CONTROLLER_MODEL_QEMU_XHCI,     /* q35 default */
  DOMAIN_CONTROLLER_MODEL_NEC_XHCI,
  DOMAIN_CONTROLLER_MODEL_USB_NONE,      /* "none": no USB at all */
  /* pci */
  DOMAIN_CONTROLLER_MODEL_PCI_ROOT,      /* the pc host bridge, index 0 */
  DOMAIN_CONTROLLER_MODEL_PCIE_ROOT,     /* the q35 host bridge, index 0 */
  DOMAIN_CONTROLLER_MODEL_PCIE_ROOT_PORT,/* one hotpluggable PCIe slot */
  /* scsi */
  DOMAIN_CONTROLLER_MODEL_VIRTIO_SCSI,   /* virtio-scsi-pci */
  DOMAIN_CONTROLLER_MODEL_LSILOGIC,      /* lsi53c895a (libvirt's default) */
  DOMAIN_CONTROLLER_MODEL_LAST
} DomainControllerModel;
DOMAIN_DECLARE_ENUM (DomainControllerModel, domain_controller_model)

/* <address type=...> */
typedef enum {
  DOMAIN_ADDRESS_NONE = 0,      /* no <address>: not assigned (yet), or the
                                   device has no bus address (ISA, PS/2,
                                   the root PCI controller) */
  DOMAIN_ADDRESS_PCI,
  DOMAIN_ADDRESS_DRIVE,         /* ide, sata, scsi disks */
  DOMAIN_ADDRESS_VIRTIO_SERIAL, /* virtio channels */
  DOMAIN_ADDRESS_USB,           /* usb input devices */
  DOMAIN_ADDRESS_VIRTIO_MMIO,   /* virtio devices on microvm */
  DOMAIN_ADDRESS_LAST
} DomainAddressType;
DOMAIN_DECLARE_ENUM (DomainAddressType, domain_address_type)

/* <interface type=...> */
typedef enum {
  DOMAIN_NET_USER,              /* QEMU user-mode networking (slirp) */
  DOMAIN_NET_ETHERNET,          /* a tap device, optionally set up by a
                                   script */
  DOMAIN_NET_BRIDGE,            /* a tap device added to a host bridge */
  DOMAIN_NET_NETWORK,           /* a libvirt virtual network: parsed so
                                   that validation can say it needs a
                                   network driver; never reaches the
                                   builder */
  DOMAIN_NET_LAST
} DomainNetType;
DOMAIN_DECLARE_ENUM (DomainNetType, domain_net_type)

/* <interface><model type=...> */
typedef enum {
  DOMAIN_NET_MODEL_UNSET = 0,   /* defaults: rtl8139, as libvirt */
  DOMAIN_NET_MODEL_VIRTIO,      /* virtio-net-pci */
  DOMAIN_NET_MODEL_E1000,
  DOMAIN_NET_MODEL_E1000E,
  DOMAIN_NET_MODEL_RTL8139,
  DOMAIN_NET_MODEL_LAST
} DomainNetModel;
DOMAIN_DECLARE_ENUM (DomainNetModel, domain_net_model)

/* <serial type=...>, <console type=...>, <channel type=...>: the host
 * side of a character device */
typedef enum {
  DOMAIN_CHARDEV_PTY,           /* a pseudo-terminal QEMU allocates */
  DOMAIN_CHARDEV_FILE,          /* output written to source path */
  DOMAIN_CHARDEV_UNIX,          /* a UNIX socket at source path */
  DOMAIN_CHARDEV_NULL,          /* discard output, no input */
  DOMAIN_CHARDEV_STDIO,         /* QEMU's own stdin/stdout */
  DOMAIN_CHARDEV_LAST
} DomainChardevType;
DOMAIN_DECLARE_ENUM (DomainChardevType, domain_chardev_type)

/* <source mode=...> of a unix character device */
typedef enum {
  DOMAIN_CHARDEV_MODE_UNSET = 0, /* defaults: bind */
  DOMAIN_CHARDEV_MODE_BIND,      /* QEMU listens (server) */
  DOMAIN_CHARDEV_MODE_CONNECT,   /* QEMU connects (client) */
  DOMAIN_CHARDEV_MODE_LAST
} DomainChardevMode;
DOMAIN_DECLARE_ENUM (DomainChardevMode, domain_chardev_mode)

/* <console><target type=...> */
typedef enum {
  DOMAIN_CONSOLE_TARGET_UNSET = 0, /* defaults: serial */
  DOMAIN_CONSOLE_TARGET_SERIAL,    /* an alias of <serial> port N */
  DOMAIN_CONSOLE_TARGET_VIRTIO,    /* virtconsole on virtio-serial */
  DOMAIN_CONSOLE_TARGET_LAST
} DomainConsoleTargetType;
DOMAIN_DECLARE_ENUM (DomainConsoleTargetType, domain_console_target_type)

/* <graphics><listen type=...> */
typedef enum {
  DOMAIN_LISTEN_UNSET = 0,      /* defaults: address */
  DOMAIN_LISTEN_ADDRESS,        /* TCP; the driver's default address
                                   (127.0.0.1) when address is NULL */
  DOMAIN_LISTEN_SOCKET,         /* a UNIX socket */
  DOMAIN_LISTEN_NONE,           /* no listener (only reachable through the
                                   monitor) */
  DOMAIN_LISTEN_LAST
} DomainListenType;
DOMAIN_DECLARE_ENUM (DomainListenType, domain_listen_type)

/* <video><model type=...> */
typedef enum {
  DOMAIN_VIDEO_VGA,             /* VGA (std) */
  DOMAIN_VIDEO_CIRRUS,
  DOMAIN_VIDEO_VIRTIO,          /* virtio-vga when primary, else
                                   virtio-gpu-pci */
  DOMAIN_VIDEO_QXL,
  DOMAIN_VIDEO_BOCHS,
  DOMAIN_VIDEO_RAMFB,           /* not PCI */
  DOMAIN_VIDEO_NONE,            /* no display device at all */
  DOMAIN_VIDEO_LAST
} DomainVideoModel;
DOMAIN_DECLARE_ENUM (DomainVideoModel, domain_video_model)

/* <input type=...> */
typedef enum {
  DOMAIN_INPUT_MOUSE,
  DOMAIN_INPUT_TABLET,
  DOMAIN_INPUT_KEYBOARD,
  DOMAIN_INPUT_LAST
} DomainInputType;
DOMAIN_DECLARE_ENUM (DomainInputType, domain_input_type)

/* <input bus=...> */
typedef enum {
  DOMAIN_INPUT_BUS_UNSET = 0,   /* defaults: ps2 for mouse/keyboard, usb
                                   for tablet */
  DOMAIN_INPUT_BUS_PS2,         /* the built-in i8042: no device to add */
  DOMAIN_INPUT_BUS_USB,         /* usb-mouse/usb-tablet/usb-kbd */
  DOMAIN_INPUT_BUS_VIRTIO,      /* virtio-*-pci */
  DOMAIN_INPUT_BUS_LAST
} DomainInputBus;
DOMAIN_DECLARE_ENUM (DomainInputBus, domain_input_bus)

/* <rng><backend model=...> */
typedef enum {
  DOMAIN_RNG_BACKEND_RANDOM,    /* rng-random reading backend_path */
  DOMAIN_RNG_BACKEND_BUILTIN,   /* rng-builtin (getrandom) */
  DOMAIN_RNG_BACKEND_LAST
} DomainRngBackend;
DOMAIN_DECLARE_ENUM (DomainRngBackend, domain_rng_backend)

/* <watchdog model=...> */
typedef enum {
  DOMAIN_WATCHDOG_I6300ESB,     /* PCI */
  DOMAIN_WATCHDOG_IB700,        /* ISA */
  DOMAIN_WATCHDOG_ITCO,         /* built into q35's ICH9: no device */
  DOMAIN_WATCHDOG_LAST
} DomainWatchdogModel;
DOMAIN_DECLARE_ENUM (DomainWatchdogModel, domain_watchdog_model)

/* <watchdog action=...> */
typedef enum {
  DOMAIN_WATCHDOG_ACTION_UNSET = 0, /* defaults: reset */
  DOMAIN_WATCHDOG_ACTION_RESET,
  DOMAIN_WATCHDOG_ACTION_SHUTDOWN,
  DOMAIN_WATCHDOG_ACTION_POWEROFF,
  DOMAIN_WATCHDOG_ACTION_PAUSE,
  DOMAIN_WATCHDOG_ACTION_NONE,
  DOMAIN_WATCHDOG_ACTION_DUMP,
  DOMAIN_WATCHDOG_ACTION_INJECT_NMI,
  DOMAIN_WATCHDOG_ACTION_LAST
} DomainWatchdogAction;
DOMAIN_DECLARE_ENUM (DomainWatchdogAction, domain_watchdog_action)

/* <memballoon model=...> */
typedef enum {
  DOMAIN_MEMBALLOON_VIRTIO,
  DOMAIN_MEMBALLOON_NONE,       /* explicitly no balloon */
  DOMAIN_MEMBALLOON_LAST
} DomainMemballoonModel;
DOMAIN_DECLARE_ENUM (DomainMemballoonModel, domain_memballoon_model)

/* ------------------------------------------------------------------------
 * Device addresses. domain-addresses.h says how defaults assign them;
 * after defaults each device's `address` field holds its own.
 */

/* A PCI address: bus is the index of a PCI controller (0 is the root
 * bus: pci-root on pc, pcie-root on q35; on q35 every other bus is a
 * pcie-root-port, whose only slot is 0). */
typedef struct {
  guint domain;                 /* always 0 */
  guint bus;                    /* 0..255 */
  guint slot;                   /* 0..31 */
  guint function;               /* 0..7 */
  DomainTristate multifunction; /* on: function 0 of a slot whose other
                                   functions are used (QEMU
                                   multifunction=on) */
} DomainPciAddress;

/* Where a disk sits on an ide, sata or scsi controller. */
typedef struct {
  guint controller;             /* index of the controller of the disk's
                                   bus type */
  guint bus;                    /* ide: 0..1; sata, scsi: 0 */
  guint target;                 /* scsi target; 0 for ide and sata */
  guint unit;                   /* ide: 0..1; sata: 0..5; scsi: LUN */
} DomainDriveAddress;

/* A port of a virtio-serial controller. */
typedef struct {
  guint controller;             /* index of the virtio-serial controller */
  guint bus;                    /* always 0 */
  guint port;                   /* 1..; 0 is reserved for a virtio console */
} DomainVirtioSerialAddress;

/* A port of a USB controller (no hubs: one level only). */
typedef struct {
  guint bus;                    /* index of the usb controller */
  guint port;                   /* 1.. */
} DomainUsbAddress;

/* <address>: which member is meaningful depends on type. After defaults
 * every device that needs a bus address has one (see each device). */
typedef struct {
  DomainAddressType type;
  union {
    DomainPciAddress pci;
    DomainDriveAddress drive;
    DomainVirtioSerialAddress virtio_serial;
    DomainUsbAddress usb;
  };
} DomainDeviceAddress;

/* ------------------------------------------------------------------------
 * The parts of a definition outside <devices>
 */

/* <os> */
typedef struct {
  DomainArch arch;              /* after defaults: never UNSET */
  char *machine;                /* <type machine=...>, verbatim ("pc",
                                   "pc-q35-7.2", "microvm"...); after
                                   defaults never NULL ("pc") */
  DomainBootDevice boot_devices[DOMAIN_BOOT_LAST]; /* <boot dev=...> in
                                   order; no device twice */
  guint n_boot_devices;         /* 0: no <boot> (device boot order or
                                   firmware default) */
  DomainTristate bootmenu;      /* <bootmenu enable='yes|no'> */
  int bootmenu_timeout;         /* <bootmenu timeout=...> in ms, -1 unset */
  char *kernel;                 /* direct kernel boot: absolute paths */
  char *initrd;
  char *cmdline;                /* kernel command line, verbatim */
  char *loader;                 /* firmware image path */
  DomainLoaderType loader_type;
  DomainTristate loader_readonly;
  DomainTristate loader_secure; /* on: Secure Boot (needs smm, q35) */
  char *nvram;                  /* UEFI variable store path */
  char *nvram_template;         /* <nvram template=...>: copied to nvram
                                   when nvram does not exist */
} DomainOs;

/* <features>: presence flags and on/off states */
typedef struct {
  gboolean acpi;                /* <acpi/>; absent means no ACPI */
  gboolean apic;                /* <apic/> */
  gboolean pae;                 /* <pae/> */
  DomainTristate smm;           /* <smm state='on|off'/>; <smm/> is on */
  DomainTristate vmport;        /* <vmport state='on|off'/> */
} DomainFeatures;

/* <cpu><feature> */
typedef struct {
  char *name;                   /* a QEMU/libvirt CPU feature name */
  DomainCpuFeaturePolicy policy;
} DomainCpuFeature;

/* <cpu>; DomainDef.cpu is NULL when the XML has none (QEMU's default
 * model, one socket per vCPU). */
typedef struct {
  DomainCpuMode mode;           /* "custom" when the attribute is absent */
  DomainCpuMatch match;
  DomainCpuCheck check;
  DomainTristate migratable;    /* host-passthrough only */
  char *model;                  /* <model>, NULL when absent */
  DomainCpuFallback fallback;
  guint sockets;                /* <topology>: all four are 0 when absent, */
  guint dies;                   /* all non-zero when present (dies defaults */
  guint cores;                  /* to 1); their product is the vCPU count */
  guint threads;
  GPtrArray *features;          /* DomainCpuFeature*, in order */
} DomainCpu;

/* <clock><timer> */
typedef struct {
  DomainTimerName name;
  DomainTickPolicy tickpolicy;
  DomainTristate present;       /* present='yes|no' */
} DomainTimer;

/* <clock> */
typedef struct {
  DomainClockOffset offset;     /* after defaults: never UNSET */
  GPtrArray *timers;            /* DomainTimer*; one per name at most */
} DomainClock;

/* <pm> */
typedef struct {
  DomainTristate suspend_to_mem;  /* <suspend-to-mem enabled='yes|no'> */
  DomainTristate suspend_to_disk; /* <suspend-to-disk enabled='yes|no'> */
} DomainPm;

/* ------------------------------------------------------------------------
 * Devices
 */

/* <disk> */
typedef struct {
  guint line;
  DomainDiskType type;
  DomainDiskDevice device;
  DomainDiskFormat format;      /* <driver type>; after defaults never UNSET */
  DomainDiskCache cache;        /* <driver cache> */
  DomainDiskDiscard discard;    /* <driver discard> */
  DomainDiskIo io;              /* <driver io> */
  char *source_path;            /* <source file|dev>: absolute; NULL only
                                   for an empty cdrom (or a volume) */
  char *source_pool;            /* <source pool volume> of type volume */
  char *source_volume;
  char *target_dev;             /* <target dev>: "vda", "sdb", "hdc"...;
                                   the guest-visible name hint, unique */
  DomainDiskBus bus;            /* after defaults never UNSET */
  gboolean readonly;            /* <readonly/>; cdroms are always read-only
                                   for QEMU whatever this says */
  gboolean shareable;           /* <shareable/> */
  char *serial;                 /* <serial>: guest-visible serial */
  guint boot_order;             /* <boot order>, 1..; 0 when absent */
  DomainDeviceAddress address;  /* after defaults: PCI for virtio (or
                                   virtio-mmio on microvm), drive for ide,
                                   sata and scsi */
} DomainDisk;

/* <controller> */
typedef struct {
  guint line;
  DomainControllerType type;
  guint index;                  /* unique per type; when the XML has none,
                                   the lowest one free at that point */
  DomainControllerModel model;  /* after defaults set for usb, pci, scsi;
                                   always UNSET for ide, sata,
                                   virtio-serial */
  guint ports;                  /* usb, virtio-serial: number of ports; 0
                                   for QEMU's default */
  guint vectors;                /* virtio-serial: MSI vectors; 0 default */
  int chassis;                  /* pcie-root-port <target chassis>; -1 unset;
                                   after defaults set */
  int port;                     /* pcie-root-port <target port>; -1 unset;
                                   after defaults set */
  DomainDeviceAddress address;  /* after defaults PCI for all but the root
                                   PCI controller (none) and on microvm */
} DomainController;

/* <interface> */
typedef struct {
  guint line;
  DomainNetType type;
  char *mac;                    /* "52:54:00:12:34:56", lowercase; after
                                   defaults never NULL */
  DomainNetModel model;         /* after defaults never UNSET */
  char *source_bridge;          /* type bridge: <source bridge> */
  char *source_network;         /* type network: <source network> */
  char *target_dev;             /* <target dev>: tap name, NULL to let the
                                   kernel pick */
  DomainTristate target_managed;/* <target managed='no'>: the tap exists
                                   already (ethernet) */
  char *script;                 /* <script path>: run to set the tap up
                                   (ethernet) */
  guint boot_order;
  DomainDeviceAddress address;  /* after defaults PCI (or virtio-mmio) */
} DomainInterface;

/* The host side of a serial port, console or channel: <devices/serial
 * type=...> and its <source>. */
typedef struct {
  DomainChardevType type;
  char *path;                   /* file: the output file; unix: the socket
                                   (NULL for a channel: the driver picks a
                                   path under its runtime dir); pty,
                                   null, stdio: NULL */
  DomainChardevMode mode;       /* unix only; after defaults never UNSET */
  DomainTristate append;        /* file only: <source append='on|off'> */
} DomainChardevSource;

/* <serial>: an ISA serial port (isa-serial, COM1..COM4). */
typedef struct {
  guint line;
  DomainChardevSource source;
  gboolean target_isa;          /* <target type='isa-serial'>; after
                                   defaults TRUE */
  int target_port;              /* <target port>, 0..3; -1 unset, after
                                   defaults set and unique */
  gboolean target_model_isa;    /* <target><model name='isa-serial'/>;
                                   after defaults TRUE */
} DomainSerial;

/* <console>. A console with target type serial is not a device of its
 * own: it is the same port as the <serial> with the same target port
 * (after defaults that serial exists and both have the same source);
 * the builder skips it. A virtio console is a virtconsole on
 * virtio-serial controller 0 (port 0 for the first one). */
typedef struct {
  guint line;
  DomainChardevSource source;
  DomainConsoleTargetType target_type; /* after defaults never UNSET */
  int target_port;              /* -1 unset; after defaults set */
} DomainConsole;

/* <channel>: a virtio-serial port the guest sees by name (virtserialport). */
typedef struct {
  guint line;
  DomainChardevSource source;   /* pty, file, unix, null */
  char *target_name;            /* <target type='virtio' name=...>, e.g.
                                   "org.qemu.guest_agent.0"; unique */
  DomainDeviceAddress address;  /* after defaults virtio-serial */
} DomainChannel;

/* <graphics type='vnc'> */
typedef struct {
  guint line;
  int port;                     /* 5900..65535, or -1 when autoport */
  gboolean autoport;            /* TRUE: the driver picks a free port */
  int websocket;                /* websocket port; 0 none, -1 automatic */
  DomainListenType listen_type; /* after defaults never UNSET */
  char *listen_address;         /* address listen: an IP address or host
                                   name, NULL for the driver's default */
  char *listen_socket;          /* socket listen: absolute path, NULL for
                                   one the driver picks */
  char *passwd;                 /* VNC password, NULL for none */
  char *keymap;                 /* e.g. "en-us", NULL for QEMU's default */
} DomainGraphics;

/* <video> */
typedef struct {
  guint line;
  DomainVideoModel model;
  guint vram;                   /* KiB; 0 unset (after defaults set for
                                   vga, cirrus, qxl, bochs) */
  guint heads;                  /* 0 unset; after defaults >= 1 */
  gboolean primary;             /* after defaults TRUE for the first video,
                                   FALSE for the others */
  DomainDeviceAddress address;  /* after defaults PCI unless ramfb/none */
} DomainVideo;

/* <input> */
typedef struct {
  guint line;
  DomainInputType type;
  DomainInputBus bus;           /* after defaults never UNSET */
  DomainDeviceAddress address;  /* after defaults usb for USB inputs, PCI
                                   for virtio, none for PS/2 */
} DomainInput;

/* <rng model='virtio'> */
typedef struct {
  guint line;
  DomainRngBackend backend;
  char *backend_path;           /* random: the host device; after
                                   defaults never NULL (/dev/urandom) */
  guint rate_bytes;             /* <rate bytes period>: 0 when absent */
  guint rate_period;            /* ms; 0 when absent (QEMU default) */
  DomainDeviceAddress address;  /* after defaults PCI (or virtio-mmio) */
} DomainRng;

/* <watchdog> */
typedef struct {
  guint line;
  DomainWatchdogModel model;
  DomainWatchdogAction action;  /* after defaults never UNSET */
  DomainDeviceAddress address;  /* after defaults PCI for i6300esb */
} DomainWatchdog;

/* <memballoon> */
typedef struct {
  guint line;
  DomainMemballoonModel model;
  guint stats_period;           /* <stats period> seconds, 0 when absent */
  DomainTristate autodeflate;   /* @autodeflate on|off */
  DomainDeviceAddress address;  /* after defaults PCI (or virtio-mmio)
                                   unless the model is none */
} DomainMemballoon;

/* <audio type='none'>: an audio backend that discards sound. */
typedef struct {
  guint line;
  guint id;                     /* 1.., unique */
} DomainAudio;

/* <qemu:commandline><qemu:env> */
typedef struct {
  char *name;                   /* [A-Za-z_][A-Za-z0-9_]* */
  char *value;                  /* may be empty; NULL when absent */
} DomainQemuEnv;

/* ------------------------------------------------------------------------
 * The definition
 */

typedef struct {
  DomainVirtType virt_type;     /* <domain type> */
  char *name;                   /* 1-64 chars of [A-Za-z0-9_.+-], not
                                   starting with '.' */
  char *uuid;                   /* canonical lowercase 8-4-4-4-12 form;
                                   after defaults never NULL (generated) */
  char *title;                  /* one line, may be NULL */
  char *description;            /* verbatim, may be NULL */
  char *metadata;               /* the element children of <metadata>,
                                   serialized verbatim (each with the
                                   namespace declarations it needs),
                                   joined by "\n    "; NULL when absent
                                   or empty */

  guint64 memory_kib;           /* <memory>: maximum memory, > 0 */
  guint64 current_memory_kib;   /* <currentMemory>: 0 unset; after
                                   defaults set, <= memory_kib */
  guint vcpus;                  /* <vcpu>: maximum vCPUs, >= 1 */
  guint current_vcpus;          /* <vcpu current>: 0 means all vcpus */
  char *cpuset;                 /* <vcpu cpuset>: host CPUs QEMU may run on,
                                   verbatim ("0-3,^2"); NULL for any; see
                                   domain_cpuset_parse() */

  DomainOs os;
  DomainFeatures features;
  DomainCpu *cpu;               /* NULL when absent */
  DomainClock clock;
  DomainLifecycleAction on_poweroff; /* after defaults: destroy */
  DomainLifecycleAction on_reboot;   /* after defaults: restart */
  DomainLifecycleAction on_crash;    /* after defaults: destroy */
  DomainPm pm;

  /* <devices> */
  char *emulator;               /* QEMU binary, absolute; NULL for the
                                   driver's default */
  GPtrArray *disks;             /* DomainDisk* */
  GPtrArray *controllers;       /* DomainController*: after defaults
                                   includes the implicit ones (root PCI,
                                   pcie-root-ports, USB, IDE/SATA, ...),
                                   inserted next to the others of their
                                   type, by index (see
                                   domain_controller_insert()) */
  GPtrArray *interfaces;        /* DomainInterface* */
  GPtrArray *serials;           /* DomainSerial* */
  GPtrArray *consoles;          /* DomainConsole* */
  GPtrArray *channels;          /* DomainChannel* */
  GPtrArray *inputs;            /* DomainInput* */
  GPtrArray *graphics;          /* DomainGraphics*: at most one */
  GPtrArray *audios;            /* DomainAudio* */
  GPtrArray *videos;            /* DomainVideo*: the primary first */
  GPtrArray *watchdogs;         /* DomainWatchdog* */
  DomainMemballoon *memballoon; /* NULL when absent; after defaults never
                                   NULL (model none for no balloon) */
  GPtrArray *rngs;              /* DomainRng* */

  /* <qemu:commandline> */
  GPtrArray *qemu_args;         /* char*: extra argv appended verbatim */
  GPtrArray *qemu_env;          /* DomainQemuEnv*: extra environment */
} DomainDef;

/* ------------------------------------------------------------------------
 * Functions
 */

/**
 * domain_def_new:
 *
 * Returns: (transfer full): an empty definition: all arrays allocated and
 *   empty, all enums at their first value, ports and timeouts unset.
 */
DomainDef *domain_def_new (void);

void domain_def_free (DomainDef *def);

/**
 * domain_def_equal:
 * Returns: TRUE when @a and @b define the same thing, field by field
 *   (including device order); `line` fields are ignored.
 */
gboolean domain_def_equal (const DomainDef *a, const DomainDef *b);

/**
 * domain_machine_family:
 * @machine: (nullable): a machine type name
 *
 * Returns: the chipset family of @machine, DOMAIN_MACHINE_UNKNOWN for
 *   NULL or a name qvirt does not support.
 */
DomainMachineFamily domain_machine_family (const char *machine);

/**
 * domain_controller_model_type:
 * Returns: the controller type @model belongs to, or
 *   DOMAIN_CONTROLLER_LAST for DOMAIN_CONTROLLER_MODEL_UNSET.
 */
DomainControllerType domain_controller_model_type (DomainControllerModel model);

/**
 * domain_def_find_controller:
 * Returns: (transfer none) (nullable): the controller of @type with
 *   @index, or NULL.
 */
DomainController *domain_def_find_controller (const DomainDef *def,
                                              DomainControllerType type,
                                              guint index);

/* Constructors of devices with every optional field unset; the free
 * functions accept NULL. */
DomainDisk *domain_disk_new (void);
DomainController *domain_controller_new (DomainControllerType type,
                                         guint index);
DomainInterface *domain_interface_new (void);
DomainSerial *domain_serial_new (void);
DomainConsole *domain_console_new (void);
DomainChannel *domain_channel_new (void);
DomainGraphics *domain_graphics_new (void);
DomainVideo *domain_video_new (void);
DomainInput *domain_input_new (DomainInputType type, DomainInputBus bus);
DomainRng *domain_rng_new (void);
DomainWatchdog *domain_watchdog_new (void);
DomainMemballoon *domain_memballoon_new (DomainMemballoonModel model);
DomainAudio *domain_audio_new (void);
DomainCpu *domain_cpu_new (void);

void domain_disk_free (DomainDisk *disk);
void domain_controller_free (DomainController *controller);
void domain_interface_free (DomainInterface *iface);
void domain_serial_free (DomainSerial *serial);
void domain_console_free (DomainConsole *console);
void domain_channel_free (DomainChannel *channel);
void domain_graphics_free (DomainGraphics *graphics);
void domain_video_free (DomainVideo *video);
void domain_input_free (DomainInput *input);
void domain_rng_free (DomainRng *rng);
void domain_watchdog_free (DomainWatchdog *watchdog);
void domain_memballoon_free (DomainMemballoon *memballoon);
void domain_audio_free (DomainAudio *audio);
void domain_cpu_free (DomainCpu *cpu);
void domain_cpu_feature_free (DomainCpuFeature *feature);
void domain_timer_free (DomainTimer *timer);
void domain_qemu_env_free (DomainQemuEnv *env);
void domain_chardev_source_clear (DomainChardevSource *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainDef, domain_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainDisk, domain_disk_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainController, domain_controller_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainInterface, domain_interface_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainSerial, domain_serial_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainConsole, domain_console_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainChannel, domain_channel_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainGraphics, domain_graphics_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainVideo, domain_video_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainInput, domain_input_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainRng, domain_rng_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainWatchdog, domain_watchdog_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainMemballoon, domain_memballoon_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainAudio, domain_audio_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DomainCpu, domain_cpu_free)

G_END_DECLS
