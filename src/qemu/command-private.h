/* Internal to the QEMU command line builder (command.h): the Builder
 * state every part of the argv is written through, and the functions the
 * parts share. The parts are
 *
 *   command.c            the entry point and the order of the argv; the
 *                        machine, CPU, memory, clock, boot, monitor and
 *                        display options
 *   command-builder.c    errors naming the element, adding words, placing
 *                        a device on its bus, socket paths
 *   command-controller.c controllers and the buses they give
 *   command-disk.c       disks and the pflash firmware nodes
 *   command-net.c        network interfaces
 *   command-chardev.c    serial ports, consoles, channels
 *   command-devices.c    the order of the devices, and the small ones
 *                        (input, video, audio, rng, watchdog, balloon)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "qemu/command.h"
#include "qvirt/qdev.h"

G_BEGIN_DECLS

#define KIB_PER_MIB 1024

typedef struct {
  const DomainDef *def;
  const QemuCommandConfig *config;
  DomainMachineFamily family;
  GPtrArray *argv;
  /* The bootindex of each disk and interface (0: not bootable), from
   * <boot order> or from <os><boot dev>. */
  guint *disk_bootindex;
  guint *interface_bootindex;
  gboolean any_bootindex;
  /* The element being turned into argv, for error messages: its path
   * and line, or LINE_UNKNOWN for elements the model keeps no line for
   * (outside <devices>). */
  const char *path;
  guint line;
} Builder;

#define LINE_UNKNOWN G_MAXUINT

/* command-builder.c: errors. Every message names the element set by the
 * last command_at(). */
void command_at (Builder *b, const char *path, guint line);
gboolean command_unsupported (Builder *b, GError **error, const char *format,
                              ...) G_GNUC_PRINTF (3, 4);
gboolean command_refused (Builder *b, GError **error, GError *cause);

/* command-builder.c: adding words. */
void command_add_arg (Builder *b, const char *arg);
void command_add_arg_take (Builder *b, char *arg);
gboolean command_add_option (Builder *b, QdevOption option, json_t *props,
                             GError **error);
gboolean command_append_keyval (Builder *b, GString *text, const char *key,
                                const char *value, GError **error);
gboolean command_add_global (Builder *b, const char *driver,
                             const char *property, const char *value,
                             GError **error);

/* Returns from the calling function when a libqdev call that reports
 * into @local fails. */
#define CHECK_QDEV(b, error, expr, local)                                   \
  do {                                                                      \
    if (!(expr))                                                            \
      return command_refused ((b), (error), (local));                       \
  } while (0)

/* command-builder.c: buses and sockets. */
gboolean command_place_device (Builder *b, json_t *device,
                               const DomainDeviceAddress *address,
                               GError **error);
gboolean command_check_socket_path (Builder *b, const char *what,
                                    const char *path, GError **error);
char *command_runtime_socket (const Builder *b, const char *suffix);

/* command-controller.c */
gboolean command_add_controllers (Builder *b, GError **error);
char *command_child_bus_name (Builder *b, DomainControllerType type,
                              guint index, guint number, GError **error);

/* command-disk.c */
gboolean command_add_pflash_nodes (Builder *b, GError **error);
gboolean command_add_disk (Builder *b, guint position, GError **error);

/* command-net.c */
gboolean command_add_interface (Builder *b, guint position, GError **error);

/* command-chardev.c */
gboolean command_add_serial (Builder *b, const DomainSerial *serial,
                             GError **error);
gboolean command_add_console (Builder *b, const DomainConsole *console,
                              guint position, GError **error);
gboolean command_add_channel (Builder *b, const DomainChannel *channel,
                              guint position, GError **error);

/* command-devices.c */
gboolean command_add_devices (Builder *b, GError **error);

G_END_DECLS
