/* Test harness: starts a real qemu-system-x86_64 whose QMP monitor listens
 * on a socket the test created and bound, as the driver will do.
 *
 * Tests never skip for lack of QEMU: test_qemu_start() aborts the test
 * with a clear message if QEMU cannot be started.
 */
#pragma once

#include <glib.h>

typedef struct {
  GPid pid;
  char *dir;          /* private temp dir, removed by test_qemu_free() */
  char *qmp_path;     /* the monitor socket (bound before QEMU started) */
  char *log_path;     /* QEMU's stderr */
  gboolean exited;
} TestQemu;

/**
 * test_qemu_accel:
 *
 * Returns: "kvm" when /dev/kvm can be opened read-write, "tcg"
 *   otherwise. The choice is printed once (as a TAP comment) so a run
 *   under TCG is never silent about it.
 */
const char *test_qemu_accel (void);

/**
 * test_qemu_binary:
 *
 * Returns: the QEMU binary to run: $QVIRT_TEST_QEMU if set, otherwise
 *   the build's configured qemu_binary.
 */
const char *test_qemu_binary (void);

/**
 * test_qemu_start:
 * @extra_args: (nullable): NULL-terminated extra QEMU arguments; with
 *   NULL the machine is `-machine none`
 *
 * Starts QEMU with `-S -nodefaults -display none`, the monitor on a
 * listening socket at ->qmp_path passed as an inherited fd (so the
 * socket exists before QEMU runs: connect at once, no polling). Aborts
 * the test if QEMU cannot be spawned.
 *
 * Returns: (transfer full): the running QEMU; free with test_qemu_free().
 */
TestQemu *test_qemu_start (const char * const *extra_args);

/**
 * test_qemu_wait_exit:
 * @qemu: a QEMU from test_qemu_start()
 * @timeout_ms: how long to wait
 *
 * Returns: TRUE if the process exited (and was reaped) within the time.
 */
gboolean test_qemu_wait_exit (TestQemu *qemu, guint timeout_ms);

/** Kills QEMU if it still runs, reaps it, removes its directory. */
void test_qemu_free (TestQemu *qemu);

/**
 * test_qemu_log_contents:
 *
 * Returns: (transfer full): what QEMU wrote to stderr so far.
 */
char *test_qemu_log_contents (TestQemu *qemu);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestQemu, test_qemu_free)
