/* Helpers shared by the driver tests: roots, domain XML, waiting. */
#pragma once

#include <qvirt/qvirt.h>

/* A fresh root under the test's temp dir; removed by root_free(). */
typedef struct {
  char *dir;
  char *uri;
} TestRoot;

TestRoot *test_root_new (void);
/* A root whose path is longer than sun_path (108 bytes). */
TestRoot *test_root_new_deep (void);
void test_root_free (TestRoot *root);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRoot, test_root_free)

/* The accelerator the tests use: kvm when /dev/kvm is usable, else qemu
 * (TCG). Printed once as a TAP comment. */
const char *test_domain_type (void);

/* A domain without guest code (QEMU starts, SeaBIOS finds nothing to
 * boot): enough for lifecycle tests that need no guest. */
char *test_xml_no_guest (const char *name);

/* The test guest (scripts/guest.sh) with its serial console on a UNIX
 * socket QEMU connects to (the test listens there first). Fails the test
 * if $QVIRT_GUEST_DIR has no guest. */
char *test_xml_guest (const char *name, const char *console_path,
                      const char *on_poweroff);

/* Waits, iterating the default main context, until *flag or timeout. */
gboolean test_wait_until (gboolean *flag, guint timeout_ms);

/* Waits until process @pid is gone (a pidfd), TRUE if it went in time;
 * also TRUE if it did not exist. */
gboolean test_wait_pid_gone (GPid pid, guint timeout_ms);

/* Collects events of a connection. With an own-thread connection
 * (threaded = TRUE) events arrive in the library's thread and waiting
 * uses a condition; otherwise waiting iterates the default context. */
typedef struct {
  gboolean threaded;
  GMutex mutex;
  GCond cond;
  GPtrArray *lines;   /* "domain event detail" or "domain qmp NAME" */
} EventLog;

void event_log_record (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data);
gboolean event_log_wait (EventLog *log, const char *line, guint timeout_ms);
void event_log_clear (EventLog *log);
