/* The QEMU command line of a domain.
 *
 * Built from a DomainDef that went through parsing, defaults and
 * validation. Devices and backends come from libqdev as JSON objects
 * (-device, -blockdev, -netdev, -object), so no path or name can inject
 * options; the few options without JSON syntax go through libqdev's one
 * comma-escaping function. Output is deterministic: the same definition
 * and config give the same argv.
 */
#pragma once

#include <glib.h>

#include "conf/domain.h"

G_BEGIN_DECLS

typedef struct {
  /* The binary when the definition has no <emulator>. */
  const char *default_emulator;
  /* The QMP monitor: a listening socket QEMU inherits as this fd
   * (`-chardev socket,id=monitor,fd=N,server=on,wait=off`), or, when
   * negative, a socket QEMU creates itself at monitor_path (for argv a
   * person can paste into a shell). */
  int monitor_fd;
  const char *monitor_path;
  /* Where sockets that the definition leaves to the driver go (channels
   * with no path, VNC on a socket with no path). */
  const char *runtime_dir;
  /* The console the driver serves (qemu_command_console_serial()): a
   * listening socket QEMU inherits as this fd, used for that serial port
   * instead of the pty it asks for. 0 for none (stdin is never one), so
   * that a zeroed config builds argv a person can paste. */
  int console_fd;
} QemuCommandConfig;

typedef struct {
  GPtrArray *argv;        /* char*, argv[0] is the emulator; the NULL after
                             the last word is not counted in len (pdata is
                             an execve()-style vector all the same) */
  GPtrArray *env;         /* char* "NAME=value", from <qemu:env>; also
                             NULL-terminated the same way */
  guint n_passthrough;    /* the last n_passthrough argv entries came
                             verbatim from <qemu:commandline> */
} QemuCommand;

/**
 * qemu_command_build:
 * @def: a defaulted, validated definition
 * @config: runtime facts
 * @error: return location (QVIRT_CONF_ERROR_UNSUPPORTED for something the
 *   builder cannot express, QVIRT_CONF_ERROR_INVALID_VALUE for a string
 *   libqdev refuses, such as a path that is not UTF-8; the message names
 *   the element, "<devices/disk> at line 12: ...")
 *
 * Always emits -S (the driver resumes after QMP setup), -no-shutdown (the
 * driver acts on the guest's poweroff per <on_poweroff>), -nodefaults,
 * -no-user-config, and -no-reboot when <on_reboot> is destroy.
 *
 * Returns: (transfer full) (nullable): the command line.
 */
QemuCommand *qemu_command_build (const DomainDef *def,
                                 const QemuCommandConfig *config,
                                 GError **error);

/**
 * qemu_command_to_shell:
 *
 * Returns: (transfer full): the command as one shell line that runs
 *   as-is when pasted: environment assignments first (NAME=value), then
 *   every argv word quoted with g_shell_quote() where needed.
 */
char *qemu_command_to_shell (const QemuCommand *command);

/**
 * qemu_command_get_argv:
 *
 * Returns: (transfer none): argv as a NULL-terminated array (valid until
 *   the command is freed).
 */
const char * const *qemu_command_get_argv (QemuCommand *command);

void qemu_command_free (QemuCommand *command);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QemuCommand, qemu_command_free)

/**
 * qemu_command_console_serial:
 *
 * The serial port a driver serves as the domain's console: the first
 * `<serial>` (or `<console>` on a serial target) whose source is a pty,
 * the libvirt idiom for "a console for people".
 *
 * Returns: (transfer none) (nullable): that port, NULL if there is none.
 */
const DomainSerial *qemu_command_console_serial (const DomainDef *def);

G_END_DECLS
