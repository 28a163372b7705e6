/* What every qvirt command that talks to a driver shares: opening the
 * connection (and looking up the domain it is about), reporting a
 * GError, and waiting in the main loop until a signal, a timeout or an
 * event ends the wait.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <qvirt/qvirt.h>

#include "qvirt-cli.h"

G_BEGIN_DECLS

/**
 * QvirtCliSession:
 * @conn: the open connection
 * @domain: (nullable): the domain the command is about, if it named one
 *
 * One invocation's hold on a root. Clearing it closes the connection:
 * domains started with autodestroy are destroyed then, the others keep
 * running for the next invocation to reattach.
 */
typedef struct {
  QvirtConnection *conn;
  QvirtDomain *domain;
} QvirtCliSession;

/**
 * qvirt_cli_session_open:
 * @session: (out caller-allocates): zero-initialized
 * @cli: the global options (its URI)
 * @domain_name: (nullable): a domain name or UUID to look up
 *
 * Opens @cli->uri in same-thread mode (sync calls iterate the default
 * main context) and looks up @domain_name. On failure prints the error
 * ("qvirt: ...": no URI, a bad URI, a root in use, no such domain) and
 * leaves @session for qvirt_cli_session_clear().
 *
 * Returns: TRUE on success.
 */
gboolean qvirt_cli_session_open (QvirtCliSession *session, QvirtCli *cli,
                                 const char *domain_name);

/** Drops the domain and closes the connection; @session may be empty. */
void qvirt_cli_session_clear (QvirtCliSession *session);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QvirtCliSession, qvirt_cli_session_clear)

/**
 * qvirt_cli_report_error:
 *
 * Prints @error as "qvirt: MESSAGE" (a multi-line message, such as a
 * failed start's QEMU log, continues on the next lines), with a hint
 * for the errors a user can do something about.
 *
 * Returns: QVIRT_EXIT_FAILURE.
 */
int qvirt_cli_report_error (const GError *error);

/**
 * QvirtCliWait:
 *
 * A main loop that SIGINT and SIGTERM (through g_unix_signal_add(), so
 * the rest of the command runs normally) and an optional timeout end.
 * Others end it with qvirt_cli_wait_stop(). Fields are read-only.
 */
typedef struct {
  GMainLoop *loop;
  guint signal_sources[2];
  guint timeout_source;
  gboolean done;
  int signal;                   /* the signal that ended it, or 0 */
  gboolean timed_out;
} QvirtCliWait;

/**
 * qvirt_cli_wait_init:
 * @timeout_s: end after this many seconds; 0 for no timeout
 *
 * Installs the signal handlers (and the timeout) at once: a signal that
 * arrives before qvirt_cli_wait_run() still ends the wait.
 */
void qvirt_cli_wait_init (QvirtCliWait *wait, guint timeout_s);

/** Runs the default main context until the wait is over. */
void qvirt_cli_wait_run (QvirtCliWait *wait);

/** Ends the wait (from a callback run by the main context). */
void qvirt_cli_wait_stop (QvirtCliWait *wait);

/** Removes the handlers: SIGINT and SIGTERM terminate the process again. */
void qvirt_cli_wait_clear (QvirtCliWait *wait);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QvirtCliWait, qvirt_cli_wait_clear)

G_END_DECLS
