/* Helpers shared by the command line builder tests: where the golden
 * files are, the fixed runtime facts goldens are built with, and the
 * .args file format.
 *
 * A .args file holds one argv word per line, with '\' written "\\" and a
 * newline "\n", so every word fits on its line. A .env file holds the
 * NAME=value environment the same way.
 */
#pragma once

#include <glib.h>

#include "conf/domain-xml.h"
#include "qemu/command.h"

/* The runtime facts of golden files: a fixed emulator and a fixed run
 * directory, the monitor on a socket path (as domxml-to-argv does). */
#define GOLDEN_EMULATOR "/usr/bin/qemu-system-x86_64"
#define GOLDEN_RUN_DIR "/run/qvirt-test"

/**
 * command_test_source_path:
 * @first: path components under the source tree, NULL-terminated
 *
 * Returns: (transfer full): $QVIRT_SOURCE_DIR/first/...
 */
char *command_test_source_path (const char *first, ...) G_GNUC_NULL_TERMINATED;

/**
 * command_test_list_xml:
 * @dir: a directory
 *
 * Returns: (transfer full): the names of the *.xml files in @dir that
 *   are not canonical outputs (*.out.xml), without ".xml", sorted.
 */
GPtrArray *command_test_list_xml (const char *dir);

/**
 * command_test_load:
 * @path: a domain XML file
 *
 * Parses, fills defaults and validates @path; fails the test if
 * anything goes wrong.
 */
DomainDef *command_test_load (const char *path);

/**
 * command_test_golden_config:
 * @def: the definition
 * @config: (out): filled with the golden runtime facts
 *
 * Returns: (transfer full): the monitor path @config points to; keep it
 *   as long as @config.
 */
char *command_test_golden_config (const DomainDef *def,
                                  QemuCommandConfig *config);

/** Writes @words (char*) in the .args format. */
char *command_test_format_words (const GPtrArray *words);

/** Reads the .args format back. */
GPtrArray *command_test_parse_words (const char *text);

/**
 * command_test_regenerating:
 *
 * Returns: TRUE when QVIRT_REGENERATE_GOLDEN=1: golden tests then write
 *   the expected files from the current output instead of comparing.
 */
gboolean command_test_regenerating (void);
