/* Running a command line from the builder with a real QEMU, for the
 * QEMU acceptance and injection tests: files the definition names are
 * made in a private directory, the monitor is a socket the test bound
 * and QEMU inherits, and QMP answers the questions.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "conf/domain.h"
#include "qemu-harness.h"
#include "qemu/command.h"
#include "qvirt/qmp.h"

typedef struct {
  char *dir;            /* private directory for images, sockets, logs */
  GPtrArray *notes;     /* char*: what the run changed, printed as TAP
                           comments */
  GArray *listener_fds; /* int: sockets the test listens on for chardevs
                           that connect */
  gboolean needs_netns; /* tap devices: run QEMU in a network namespace */
  char *script_output;  /* where the test's interface script writes the
                           tap name it was given, or NULL */
} QemuRun;

/** Creates the private directory. */
QemuRun *qemu_run_new (void);

/** Closes listeners and removes the directory with everything in it. */
void qemu_run_free (QemuRun *run);

/** Adds a note (printf-style). */
void qemu_run_note (QemuRun *run, const char *format, ...) G_GNUC_PRINTF (2, 3);

/**
 * qemu_run_prepare:
 * @run: the run
 * @def: a definition to change in place
 *
 * Points every file and socket @def names into @run's directory and
 * creates what QEMU opens at start (disk images made with qemu-img, a
 * kernel and initrd, firmware images, sockets to connect to). Notes
 * what it had to change beyond paths.
 */
void qemu_run_prepare (QemuRun *run, DomainDef *def);

/**
 * qemu_run_make_kernel:
 * @path: where to write it
 *
 * Writes the real test guest kernel when $QVIRT_GUEST_DIR has one,
 * otherwise a stub QEMU loads under -S: a 64 KiB image with a Linux boot
 * protocol header ("HdrS", version 2.12), which QEMU needs when an
 * initrd is given too.
 */
void qemu_run_make_kernel (const char *path);

/** Writes a file of @size zero bytes. */
void qemu_run_make_zero_file (const char *path, gsize size);

/**
 * qemu_run_start:
 * @run: the run
 * @command: the command (its env is added to the test's)
 * @monitor_fd: the listening monitor socket named in @command; closed
 *   here once QEMU has it
 * @monitor_path: its path
 *
 * Spawns @command (inside `unshare --net` when @run needs it), QEMU's
 * output going to a log in @run's directory, and connects to the
 * monitor. Fails the test, with QEMU's log, if QEMU does not answer.
 *
 * Returns: (transfer full): the QEMU; its monitor client in @client.
 */
TestQemu *qemu_run_start (QemuRun *run, QemuCommand *command, int monitor_fd,
                          const char *monitor_path, QmpClient **client);

/**
 * qemu_run_bind_monitor:
 * @run: the run
 * @path: (out): the socket path
 *
 * Returns: a listening UNIX socket, inheritable (no CLOEXEC).
 */
int qemu_run_bind_monitor (QemuRun *run, char **path);

/**
 * qemu_run_quit:
 *
 * Sends quit and waits for QEMU to exit; fails the test if it does not.
 */
void qemu_run_quit (TestQemu *qemu, QmpClient *client);

/** Executes @command and fails the test, showing QEMU's log, on error. */
json_t *qemu_run_execute (TestQemu *qemu, QmpClient *client,
                          const char *command, json_t *arguments);
