/* Running the qvirt binary from a test, as a user would from a shell:
 * one invocation at a time (qvirt_run), or in the background with its
 * output read line by line as it comes (QvirtBackground). Every wait has
 * a timeout; nothing sleeps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

#ifndef QVIRT_JSON_AUTOPTR_DEFINED
#define QVIRT_JSON_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)
#endif

/** A temporary embed root and its URI; cli_root_free() removes it. */
typedef struct {
  char *dir;
  char *uri;
} CliRoot;

CliRoot *cli_root_new (void);
/* Destroys what still runs in the root (a failed test leaves no QEMU
 * behind when it gets that far), then removes the directory. */
void cli_root_free (CliRoot *root);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRoot, cli_root_free)

/* Writes @contents to ROOT_DIR/@name; returns the path. */
char *cli_root_write_file (CliRoot *root, const char *name, const char *contents);

/* A domain XML with no guest to run (SeaBIOS finds nothing to boot):
 * TCG, machine pc, 64 MiB, no balloon. */
char *cli_xml_no_guest (const char *name);

/** What one invocation did. */
typedef struct {
  int status;                   /* exit code */
  char *out;
  char *err;
} CliResult;

void cli_result_clear (CliResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

/**
 * cli_run:
 * @uri: (nullable): passed as `-c URI`; NULL runs qvirt without -c and
 *   without $QVIRT_DEFAULT_URI
 * @first: the arguments, NULL-terminated
 *
 * Runs qvirt and waits for it. Logs the command line and its output
 * with g_test_message().
 */
CliResult cli_run (const char *uri, const char *first, ...) G_GNUC_NULL_TERMINATED;

/**
 * cli_json:
 * Returns: (transfer full): @result's stdout parsed; fails the test if
 *   it is not JSON.
 */
json_t *cli_json (const CliResult *result);

/* Whether @text has a line matching the regular expression @pattern
 * (anchored with ^ and $ per line); if so, and @group > 0, sets @match
 * to that group. */
gboolean cli_has_line (const char *text, const char *pattern, guint group, char **match);

/** qvirt running in the background. */
typedef struct QvirtBackground QvirtBackground;

/* Starts qvirt -c @uri with the arguments; its stdout and stderr are
 * read together, line by line. */
QvirtBackground *cli_background_start (const char *uri, const char *first, ...)
  G_GNUC_NULL_TERMINATED;

/** Returns: qvirt's pid. */
GPid cli_background_get_pid (QvirtBackground *background);

/**
 * cli_background_wait_line:
 * @pattern: a regular expression a whole line must match
 * @timeout_ms: how long to wait for it
 *
 * Reads qvirt's output until a line matches; lines read before are
 * skipped, and so is the matching line for the next wait.
 *
 * Returns: (transfer full) (nullable): the line, or NULL on timeout or
 *   end of output (the output so far is logged).
 */
char *cli_background_wait_line (QvirtBackground *background, const char *pattern,
                                guint timeout_ms);

/**
 * cli_background_wait_exit:
 *
 * Returns: qvirt's exit code, or -1 if it did not exit within
 *   @timeout_ms (or was killed by a signal).
 */
int cli_background_wait_exit (QvirtBackground *background, guint timeout_ms);

/* Kills qvirt if it still runs and frees everything. */
void cli_background_free (QvirtBackground *background);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QvirtBackground, cli_background_free)

/* Whether process @pid is gone, waiting at most @timeout_ms (pidfd). */
gboolean cli_wait_pid_gone (GPid pid, guint timeout_ms);

G_END_DECLS
