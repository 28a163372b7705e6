/* The domain commands of qvirt: list, define, undefine, create, start,
 * shutdown, destroy, suspend, resume, reboot, reset, info, dumpxml, qmp
 * and events. Each is a thin layer over libqvirt (<qvirt/qvirt.h>): it
 * parses its command line (cli-args.h), opens the root for the length of
 * the command (cli-session.h), calls the library and prints the outcome
 * the way virsh would (cli-output.h).
 *
 * An invocation holds the root only while it runs: domains it started
 * keep running after it exits (except with --autodestroy), and the next
 * invocation reattaches to them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include <qvirt/qvirt.h>

#include "cli-args.h"
#include "cli-output.h"
#include "cli-session.h"
#include "qvirt-cli.h"

/* The entry of this file's table for the command run as argv[0]. */
static const QvirtCommand *
command_named (const char *name)
{
  for (const QvirtCommand *c = qvirt_cli_domain_commands; c->name != NULL; c++)
    if (g_str_equal (c->name, name))
      return c;
  g_assert_not_reached ();
}

/* Parses a command line that is exactly one NAME. */
static int
parse_name (int argc, char **argv, const char **name)
{
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, name },
    { NULL },
  };

  return qvirt_cli_parse_args (command_named (argv[0]), argc, argv, NULL, arguments);
}

static char *
read_xml_file (const char *file)
{
  g_autoptr(GError) error = NULL;
  char *xml = NULL;

  if (!g_file_get_contents (file, &xml, NULL, &error))
    {
      qvirt_cli_error ("%s", error->message);
      return NULL;
    }
  return xml;
}

/* ------------------------------------------------------------------------
 * qvirt list [--all] [--inactive] [--json]
 */

static int
run_list (QvirtCli *cli, int argc, char **argv)
{
  gboolean all = FALSE;
  gboolean inactive_only = FALSE;
  gboolean json = FALSE;
  const QvirtCliOption options[] = {
    { "--all", QVIRT_CLI_OPTION_FLAG, &all },
    { "--inactive", QVIRT_CLI_OPTION_FLAG, &inactive_only },
    { "--json", QVIRT_CLI_OPTION_FLAG, &json },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean active;
  gboolean inactive;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, NULL);
  if (status != QVIRT_EXIT_OK)
    return status;
  active = all || !inactive_only;
  inactive = all || inactive_only;
  if (!qvirt_cli_session_open (&session, cli, NULL))
    return QVIRT_EXIT_FAILURE;

  if (json)
    {
      g_autoptr(json_t) params = json_pack ("{s:b, s:b}", "active", active,
                                            "inactive", inactive);
      g_autoptr(json_t) result = qvirt_connection_call_sync (session.conn, "domain.list",
                                                             params, NULL, &error);

      if (result == NULL)
        return qvirt_cli_report_error (error);
      qvirt_cli_print_json (result);
    }
  else
    {
      g_autoptr(GPtrArray) domains = qvirt_connection_list_domains (session.conn, active,
                                                                    inactive, &error);

      if (domains == NULL)
        return qvirt_cli_report_error (error);
      qvirt_cli_print_domain_table (domains);
    }
  return QVIRT_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * qvirt define FILE, qvirt undefine NAME
 */

static int
run_define (QvirtCli *cli, int argc, char **argv)
{
  const char *file = NULL;
  const QvirtCliArgument arguments[] = {
    { "FILE", FALSE, &file },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autofree char *xml = NULL;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, NULL, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  xml = read_xml_file (file);
  if (xml == NULL || !qvirt_cli_session_open (&session, cli, NULL))
    return QVIRT_EXIT_FAILURE;

  domain = qvirt_connection_define_domain (session.conn, xml, &error);
  if (domain == NULL)
    return qvirt_cli_report_error (error);
  printf ("Domain '%s' defined from %s\n", qvirt_domain_get_name (domain), file);
  return QVIRT_EXIT_OK;
}

static int
run_undefine (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  status = parse_name (argc, argv, &name);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  if (!qvirt_domain_undefine (session.domain, &error))
    return qvirt_cli_report_error (error);
  printf ("Domain '%s' has been undefined\n", qvirt_domain_get_name (session.domain));
  return QVIRT_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * qvirt create FILE [--paused] [--autodestroy]
 */

/* A domain created with --autodestroy, followed until it stops or the
 * user interrupts the command. */
typedef struct {
  QvirtCliWait wait;
  char *stop_detail;            /* how it stopped on its own, or NULL */
} ForegroundDomain;

static void
on_foreground_event (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data)
{
  ForegroundDomain *foreground = user_data;

  if (!g_str_equal (event->kind, "lifecycle") || !g_str_equal (event->event, "stopped")
      || foreground->stop_detail != NULL)
    return;
  foreground->stop_detail = g_strdup (event->detail != NULL ? event->detail : "unknown");
  qvirt_cli_wait_stop (&foreground->wait);
}

/* Waits until @domain stops or a signal arrives; destroys it in the
 * latter case. @foreground's wait was set up before the domain was
 * created, so no signal is missed. */
static int
follow_foreground_domain (QvirtCliSession *session, QvirtDomain *domain,
                          ForegroundDomain *foreground)
{
  const char *name = qvirt_domain_get_name (domain);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  guint subscription;

  subscription = qvirt_connection_subscribe_events (session->conn, name,
                                                    on_foreground_event, foreground,
                                                    NULL, &error);
  if (subscription == 0)
    return qvirt_cli_report_error (error);
  /* It may have stopped before the subscription: a transient domain that
   * stopped is gone. */
  info = qvirt_domain_get_info (domain, NULL);
  if (info == NULL || g_str_equal (info->state, "shutoff"))
    foreground->stop_detail = g_strdup (info != NULL ? info->reason : "unknown");
  else
    {
      printf ("Domain '%s' is running as process %" G_GINT64_FORMAT " with autodestroy:\n"
              "it is destroyed when this command ends (Ctrl-C or SIGTERM).\n",
              name, info->pid);
      fflush (stdout);
      qvirt_cli_wait_run (&foreground->wait);
    }
  qvirt_connection_unsubscribe_events (session->conn, subscription);

  if (foreground->stop_detail == NULL)
    {
      if (!qvirt_domain_destroy (domain, NULL, &error))
        return qvirt_cli_report_error (error);
      printf ("Domain '%s' destroyed\n", name);
      return QVIRT_EXIT_OK;
    }
  if (g_str_equal (foreground->stop_detail, "shutdown"))
    {
      printf ("Domain '%s' shut down\n", name);
      return QVIRT_EXIT_OK;
    }
  fflush (stdout);
  qvirt_cli_error ("domain '%s' stopped unexpectedly (%s)", name, foreground->stop_detail);
  return QVIRT_EXIT_FAILURE;
}

static int
run_create (QvirtCli *cli, int argc, char **argv)
{
  const char *file = NULL;
  gboolean paused = FALSE;
  gboolean autodestroy = FALSE;
  const QvirtCliOption options[] = {
    { "--paused", QVIRT_CLI_OPTION_FLAG, &paused },
    { "--autodestroy", QVIRT_CLI_OPTION_FLAG, &autodestroy },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "FILE", FALSE, &file },
    { NULL },
  };
  ForegroundDomain foreground = { 0 };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autofree char *xml = NULL;
  QvirtStartFlags flags = QVIRT_START_NONE;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  xml = read_xml_file (file);
  if (xml == NULL || !qvirt_cli_session_open (&session, cli, NULL))
    return QVIRT_EXIT_FAILURE;

  if (paused)
    flags |= QVIRT_START_PAUSED;
  if (autodestroy)
    {
      flags |= QVIRT_START_AUTODESTROY;
      qvirt_cli_wait_init (&foreground.wait, 0);
    }
  domain = qvirt_connection_create_domain_sync (session.conn, xml, flags, NULL, &error);
  if (domain == NULL)
    status = qvirt_cli_report_error (error);
  else
    {
      printf ("Domain '%s' created from %s%s\n", qvirt_domain_get_name (domain), file,
              paused ? " (paused)" : "");
      if (autodestroy)
        status = follow_foreground_domain (&session, domain, &foreground);
    }

  g_clear_pointer (&domain, qvirt_domain_unref);
  qvirt_cli_session_clear (&session);
  if (autodestroy)
    qvirt_cli_wait_clear (&foreground.wait);
  g_free (foreground.stop_detail);
  return status;
}

/* ------------------------------------------------------------------------
 * qvirt start NAME [--paused], qvirt shutdown NAME [--timeout S]
 */

static int
run_start (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  gboolean paused = FALSE;
  const QvirtCliOption options[] = {
    { "--paused", QVIRT_CLI_OPTION_FLAG, &paused },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, &name },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  if (!qvirt_domain_start (session.domain, paused ? QVIRT_START_PAUSED : QVIRT_START_NONE,
                           NULL, &error))
    return qvirt_cli_report_error (error);
  printf ("Domain '%s' started%s\n", qvirt_domain_get_name (session.domain),
          paused ? " (paused)" : "");
  return QVIRT_EXIT_OK;
}

/* What domain.shutdown waits when asked for 0 seconds. */
#define DEFAULT_SHUTDOWN_TIMEOUT_S 60

static int
run_shutdown (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  guint timeout_s = DEFAULT_SHUTDOWN_TIMEOUT_S;
  const QvirtCliOption options[] = {
    { "--timeout", QVIRT_CLI_OPTION_SECONDS, &timeout_s },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, &name },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (timeout_s == 0)
    return qvirt_cli_usage_error (command_named (argv[0]), "--timeout must be at least 1");
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  if (!qvirt_domain_shutdown (session.domain, timeout_s, NULL, &error))
    {
      if (!g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_TIMEOUT))
        return qvirt_cli_report_error (error);
      qvirt_cli_error ("%s (the guest may ignore the power button; 'qvirt destroy %s' "
                       "stops it now)", error->message, name);
      return QVIRT_EXIT_FAILURE;
    }
  printf ("Domain '%s' shut down\n", qvirt_domain_get_name (session.domain));
  return QVIRT_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * qvirt destroy|suspend|resume|reboot|reset NAME
 */

typedef gboolean (*DomainOperation) (QvirtDomain *domain, GCancellable *cancellable,
                                     GError **error);

/* Runs @operation on the domain NAME and says "Domain 'NAME' @outcome". */
static int
run_operation (QvirtCli *cli, int argc, char **argv, DomainOperation operation,
               const char *outcome)
{
  const char *name = NULL;
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  status = parse_name (argc, argv, &name);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  if (!operation (session.domain, NULL, &error))
    return qvirt_cli_report_error (error);
  printf ("Domain '%s' %s\n", qvirt_domain_get_name (session.domain), outcome);
  return QVIRT_EXIT_OK;
}

static int
run_destroy (QvirtCli *cli, int argc, char **argv)
{
  return run_operation (cli, argc, argv, qvirt_domain_destroy, "destroyed");
}

static int
run_suspend (QvirtCli *cli, int argc, char **argv)
{
  return run_operation (cli, argc, argv, qvirt_domain_suspend, "suspended");
}

static int
run_resume (QvirtCli *cli, int argc, char **argv)
{
  return run_operation (cli, argc, argv, qvirt_domain_resume, "resumed");
}

static int
run_reset (QvirtCli *cli, int argc, char **argv)
{
  return run_operation (cli, argc, argv, qvirt_domain_reset, "was reset");
}

/* ------------------------------------------------------------------------
 * qvirt reboot NAME [--timeout S]
 */

/* The reboot is carried out by the process that asked for it: when the
 * guest powers off, the driver resets it and resumes its vCPUs instead
 * of letting QEMU stop. So `reboot` waits until the guest runs again
 * ("rebooted", then QEMU's RESUME), or the guest would stay powered off. */
typedef struct {
  QvirtCliWait wait;
  gboolean rebooted;
  gboolean resumed;
  char *stop_detail;            /* it stopped instead */
} RebootWatch;

static gboolean
is_event (const QvirtEvent *event, const char *kind, const char *name)
{
  return g_str_equal (event->kind, kind) && g_str_equal (event->event, name);
}

static void
on_reboot_event (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data)
{
  RebootWatch *watch = user_data;

  if (is_event (event, "lifecycle", "rebooted"))
    watch->rebooted = TRUE;
  else if (watch->rebooted && (is_event (event, "qmp", "RESUME") ||
                               is_event (event, "lifecycle", "resumed")))
    {
      watch->resumed = TRUE;
      qvirt_cli_wait_stop (&watch->wait);
    }
  else if (is_event (event, "lifecycle", "stopped") && watch->stop_detail == NULL)
    {
      watch->stop_detail = g_strdup (event->detail != NULL ? event->detail : "unknown");
      qvirt_cli_wait_stop (&watch->wait);
    }
}

/* Says how the wait for the reboot of @name ended. */
static int
report_reboot (const RebootWatch *watch, const char *name, guint timeout_s)
{
  if (watch->resumed)
    {
      printf ("Domain '%s' rebooted\n", name);
      return QVIRT_EXIT_OK;
    }
  if (watch->stop_detail != NULL)
    qvirt_cli_error ("domain '%s' stopped (%s) instead of rebooting", name,
                     watch->stop_detail);
  else if (watch->wait.timed_out)
    qvirt_cli_error ("domain '%s' did not reboot within %u s (the guest may ignore the "
                     "power button; 'qvirt reset %s' forces a reboot)", name, timeout_s, name);
  else
    qvirt_cli_error ("interrupted before domain '%s' rebooted", name);
  return QVIRT_EXIT_FAILURE;
}

#define DEFAULT_REBOOT_TIMEOUT_S 60

static int
run_reboot (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  guint timeout_s = DEFAULT_REBOOT_TIMEOUT_S;
  const QvirtCliOption options[] = {
    { "--timeout", QVIRT_CLI_OPTION_SECONDS, &timeout_s },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, &name },
    { NULL },
  };
  RebootWatch watch = { 0 };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  guint subscription;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (timeout_s == 0)
    return qvirt_cli_usage_error (command_named (argv[0]), "--timeout must be at least 1");
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;
  name = qvirt_domain_get_name (session.domain);

  qvirt_cli_wait_init (&watch.wait, timeout_s);
  subscription = qvirt_connection_subscribe_events (session.conn, name, on_reboot_event,
                                                    &watch, NULL, &error);
  if (subscription == 0)
    status = qvirt_cli_report_error (error);
  else
    {
      if (!qvirt_domain_reboot (session.domain, NULL, &error))
        status = qvirt_cli_report_error (error);
      else
        {
          qvirt_cli_wait_run (&watch.wait);
          status = report_reboot (&watch, name, timeout_s);
        }
      qvirt_connection_unsubscribe_events (session.conn, subscription);
    }
  qvirt_cli_wait_clear (&watch.wait);
  g_free (watch.stop_detail);
  return status;
}

/* ------------------------------------------------------------------------
 * qvirt info NAME [--json], qvirt dumpxml NAME [--inactive]
 */

static int
run_info (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  gboolean json = FALSE;
  const QvirtCliOption options[] = {
    { "--json", QVIRT_CLI_OPTION_FLAG, &json },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, &name },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  if (json)
    {
      g_autoptr(json_t) params = json_pack ("{s:s}", "name",
                                            qvirt_domain_get_name (session.domain));
      g_autoptr(json_t) result = qvirt_connection_call_sync (session.conn, "domain.info",
                                                             params, NULL, &error);

      if (result == NULL)
        return qvirt_cli_report_error (error);
      qvirt_cli_print_json (result);
    }
  else
    {
      g_autoptr(QvirtDomainInfo) info = qvirt_domain_get_info (session.domain, &error);

      if (info == NULL)
        return qvirt_cli_report_error (error);
      qvirt_cli_print_domain_info (info);
    }
  return QVIRT_EXIT_OK;
}

static int
run_dumpxml (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  gboolean inactive = FALSE;
  const QvirtCliOption options[] = {
    { "--inactive", QVIRT_CLI_OPTION_FLAG, &inactive },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, &name },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  xml = qvirt_domain_get_xml (session.domain, inactive, &error);
  if (xml == NULL)
    return qvirt_cli_report_error (error);
  fputs (xml, stdout);
  if (!g_str_has_suffix (xml, "\n"))
    putchar ('\n');
  return QVIRT_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * qvirt qmp NAME JSON [--pretty]
 */

/* Prints QEMU's @reply; says on stderr if it is a QMP error. */
static int
print_qmp_reply (const char *reply, gboolean pretty)
{
  g_autoptr(json_t) parsed = json_loads (reply, JSON_DECODE_ANY, NULL);
  json_t *qmp_error = json_object_get (parsed, "error");

  if (pretty && parsed != NULL)
    qvirt_cli_print_json (parsed);
  else
    printf ("%s\n", reply);
  if (qmp_error == NULL)
    return QVIRT_EXIT_OK;
  fflush (stdout);
  qvirt_cli_error ("QEMU refused the command: %s: %s",
                   json_string_value (json_object_get (qmp_error, "class")),
                   json_string_value (json_object_get (qmp_error, "desc")));
  return QVIRT_EXIT_FAILURE;
}

static int
run_qmp (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  const char *command = NULL;
  gboolean pretty = FALSE;
  const QvirtCliOption options[] = {
    { "--pretty", QVIRT_CLI_OPTION_FLAG, &pretty },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "NAME", FALSE, &name },
    { "JSON", FALSE, &command },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  reply = qvirt_domain_qmp (session.domain, command, NULL, &error);
  if (reply == NULL)
    return qvirt_cli_report_error (error);
  return print_qmp_reply (reply, pretty);
}

/* ------------------------------------------------------------------------
 * qvirt events [NAME] [--json] [--qmp] [--timeout S]
 */

typedef struct {
  QvirtCliWait wait;
  gboolean json;
  gboolean qmp;
} EventFollower;

static void
on_followed_event (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data)
{
  EventFollower *follower = user_data;
  g_autofree char *line = NULL;

  if (g_str_equal (event->kind, "qmp") && !follower->qmp)
    return;
  line = qvirt_cli_format_event (event, follower->json);
  printf ("%s\n", line);
  /* Whoever reads a pipe wants each event when it happens. */
  fflush (stdout);
}

/* Says on stderr, as tcpdump does, that events are being followed: from
 * now on none is missed, which is what a script that starts `events`
 * and then acts needs to know. stdout keeps only the events. */
static void
announce_events (const char *name, guint timeout_s)
{
  g_autofree char *what = name != NULL ? g_strdup_printf ("domain '%s'", name)
                                       : g_strdup ("all domains");

  if (timeout_s > 0)
    fprintf (stderr, "Following events of %s (Ctrl-C to stop, or %u s)\n", what,
             timeout_s);
  else
    fprintf (stderr, "Following events of %s (Ctrl-C to stop)\n", what);
}

static int
run_events (QvirtCli *cli, int argc, char **argv)
{
  const char *name = NULL;
  guint timeout_s = 0;
  EventFollower follower = { 0 };
  const QvirtCliOption options[] = {
    { "--json", QVIRT_CLI_OPTION_FLAG, &follower.json },
    { "--qmp", QVIRT_CLI_OPTION_FLAG, &follower.qmp },
    { "--timeout", QVIRT_CLI_OPTION_SECONDS, &timeout_s },
    { NULL },
  };
  const QvirtCliArgument arguments[] = {
    { "NAME", TRUE, &name },
    { NULL },
  };
  g_auto(QvirtCliSession) session = { 0 };
  g_autoptr(GError) error = NULL;
  guint subscription;
  int status;

  status = qvirt_cli_parse_args (command_named (argv[0]), argc, argv, options, arguments);
  if (status != QVIRT_EXIT_OK)
    return status;
  /* Looking NAME up catches a typo that would otherwise wait forever. */
  if (!qvirt_cli_session_open (&session, cli, name))
    return QVIRT_EXIT_FAILURE;

  qvirt_cli_wait_init (&follower.wait, timeout_s);
  subscription = qvirt_connection_subscribe_events (session.conn,
                                                    name != NULL
                                                      ? qvirt_domain_get_name (session.domain)
                                                      : NULL,
                                                    on_followed_event, &follower, NULL,
                                                    &error);
  if (subscription == 0)
    status = qvirt_cli_report_error (error);
  else
    {
      announce_events (name != NULL ? qvirt_domain_get_name (session.domain) : NULL,
                       timeout_s);
      qvirt_cli_wait_run (&follower.wait);
      qvirt_connection_unsubscribe_events (session.conn, subscription);
    }
  qvirt_cli_wait_clear (&follower.wait);
  return status;
}

/* ------------------------------------------------------------------------
 * The table
 */

#define EXIT_STATUS_TEXT(what_fails) \
  "Exit status:\n" \
  "  0   done\n" \
  "  1   " what_fails "\n" \
  "  64  bad command line\n"

const QvirtCommand qvirt_cli_domain_commands[] = {
  {
    .name = "list",
    .summary = "list domains",
    .usage =
      "Usage: qvirt list [--all] [--inactive] [--json]\n"
      "\n"
      "Lists the domains of the root: by default those that run (or are\n"
      "paused), one line each with QEMU's pid, the name and the state.\n"
      "\n"
      "Options:\n"
      "  --all        list the defined domains that do not run too\n"
      "  --inactive   list only the defined domains that do not run\n"
      "  --json       print the domain.list result of docs/protocol.md: an\n"
      "               array of objects with name, uuid, state, reason,\n"
      "               persistent, autodestroy, pid, memory-kib, vcpus and\n"
      "               cpu-time-ns\n"
      "\n"
      EXIT_STATUS_TEXT ("the root cannot be opened")
      "\n"
      "Example:\n"
      "  $ qvirt list --all\n"
      "   PID     Name   State\n"
      "  -------------------------\n"
      "   41234   vm1    running\n"
      "   -       vm2    shut off\n",
    .run = run_list,
    .needs_connection = TRUE,
  },
  {
    .name = "define",
    .summary = "define a persistent domain from an XML file",
    .usage =
      "Usage: qvirt define FILE\n"
      "\n"
      "Saves the domain XML in FILE as a persistent definition of the root,\n"
      "or replaces the definition of the domain with the same name and UUID\n"
      "(a running domain keeps its definition until its next start). The\n"
      "domain does not start: see 'qvirt start'. 'qvirt validate FILE' lists\n"
      "every problem of a file without a connection.\n"
      "\n"
      EXIT_STATUS_TEXT ("FILE unreadable or refused (the message says why)")
      "\n"
      "Example:\n"
      "  $ qvirt define vm1.xml\n"
      "  Domain 'vm1' defined from vm1.xml\n",
    .run = run_define,
    .needs_connection = TRUE,
  },
  {
    .name = "undefine",
    .summary = "remove a domain's persistent definition",
    .usage =
      "Usage: qvirt undefine NAME\n"
      "\n"
      "Removes the saved definition of the domain NAME (a name or a UUID). A\n"
      "domain that does not run disappears; one that runs goes on as a\n"
      "transient domain and disappears when it stops.\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, or it is transient")
      "\n"
      "Example:\n"
      "  $ qvirt undefine vm1\n"
      "  Domain 'vm1' has been undefined\n",
    .run = run_undefine,
    .needs_connection = TRUE,
  },
  {
    .name = "create",
    .summary = "start a transient domain from an XML file",
    .usage =
      "Usage: qvirt create FILE [--paused] [--autodestroy]\n"
      "\n"
      "Starts a transient domain from the domain XML in FILE: nothing is\n"
      "saved, and the domain is gone once it stops. Returns once the guest\n"
      "runs; the domain goes on running after qvirt exits.\n"
      "\n"
      "With --autodestroy the domain lives only as long as this command:\n"
      "qvirt stays in the foreground until it gets SIGINT (Ctrl-C) or\n"
      "SIGTERM, then destroys the domain and exits; it also exits when the\n"
      "domain stops on its own. If qvirt is killed outright, QEMU is killed\n"
      "with it. While it runs it holds the root, so other qvirt commands on\n"
      "the same root fail until it exits.\n"
      "\n"
      "Options:\n"
      "  --paused        leave the vCPUs stopped ('qvirt resume' starts them)\n"
      "  --autodestroy   stay in the foreground; the domain dies with qvirt\n"
      "\n"
      "Exit status:\n"
      "  0   created (with --autodestroy: destroyed on a signal, or the guest\n"
      "      powered off)\n"
      "  1   FILE unreadable or refused, QEMU failed, or (with --autodestroy)\n"
      "      the domain stopped for another reason\n"
      "  64  bad command line\n"
      "\n"
      "Example:\n"
      "  $ qvirt create scratch.xml --autodestroy\n"
      "  Domain 'scratch' created from scratch.xml\n"
      "  Domain 'scratch' is running as process 41240 with autodestroy:\n"
      "  it is destroyed when this command ends (Ctrl-C or SIGTERM).\n"
      "  ^CDomain 'scratch' destroyed\n",
    .run = run_create,
    .needs_connection = TRUE,
  },
  {
    .name = "start",
    .summary = "start a defined domain",
    .usage =
      "Usage: qvirt start NAME [--paused]\n"
      "\n"
      "Starts the defined domain NAME (a name or a UUID) and returns once its\n"
      "vCPUs run. QEMU keeps running after qvirt exits: later qvirt commands\n"
      "on the same root find it again. QEMU's output goes to the domain's log\n"
      "(ROOT/log/NAME.log for qemu:///embed); if QEMU fails to start, the\n"
      "error shows the end of that log.\n"
      "\n"
      "Options:\n"
      "  --paused   leave the vCPUs stopped ('qvirt resume' starts them)\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, already running, or QEMU failed")
      "\n"
      "Example:\n"
      "  $ qvirt start vm1\n"
      "  Domain 'vm1' started\n",
    .run = run_start,
    .needs_connection = TRUE,
  },
  {
    .name = "shutdown",
    .summary = "shut a domain down gracefully and wait for it",
    .usage =
      "Usage: qvirt shutdown NAME [--timeout S]\n"
      "\n"
      "Presses the ACPI power button of the domain NAME and waits until\n"
      "QEMU has exited. A guest that does not power off in time keeps\n"
      "running: the command then fails and says so ('qvirt destroy' stops\n"
      "it at once).\n"
      "\n"
      "Options:\n"
      "  --timeout S   wait at most S seconds (default: 60)\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, not running, or not shut down in time")
      "\n"
      "Example:\n"
      "  $ qvirt shutdown vm1 --timeout 30\n"
      "  Domain 'vm1' shut down\n",
    .run = run_shutdown,
    .needs_connection = TRUE,
  },
  {
    .name = "destroy",
    .summary = "stop a domain now (the guest gets no warning)",
    .usage =
      "Usage: qvirt destroy NAME\n"
      "\n"
      "Stops the QEMU of the domain NAME at once: SIGTERM, then SIGKILL if it\n"
      "is still there after a few seconds. Returns once QEMU is gone. The\n"
      "guest is not asked to shut down (see 'qvirt shutdown'). A transient\n"
      "domain disappears.\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, or it does not run")
      "\n"
      "Example:\n"
      "  $ qvirt destroy vm1\n"
      "  Domain 'vm1' destroyed\n",
    .run = run_destroy,
    .needs_connection = TRUE,
  },
  {
    .name = "suspend",
    .summary = "pause a domain's vCPUs",
    .usage =
      "Usage: qvirt suspend NAME\n"
      "\n"
      "Pauses the vCPUs of the running domain NAME. QEMU and the guest's\n"
      "memory stay; 'qvirt resume' continues where it stopped.\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, or it is not running")
      "\n"
      "Example:\n"
      "  $ qvirt suspend vm1\n"
      "  Domain 'vm1' suspended\n",
    .run = run_suspend,
    .needs_connection = TRUE,
  },
  {
    .name = "resume",
    .summary = "resume a paused domain",
    .usage =
      "Usage: qvirt resume NAME\n"
      "\n"
      "Resumes the vCPUs of the paused domain NAME (suspended, or started\n"
      "with --paused).\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, or it is not paused")
      "\n"
      "Example:\n"
      "  $ qvirt resume vm1\n"
      "  Domain 'vm1' resumed\n",
    .run = run_resume,
    .needs_connection = TRUE,
  },
  {
    .name = "reboot",
    .summary = "reboot a domain gracefully (ACPI)",
    .usage =
      "Usage: qvirt reboot NAME [--timeout S]\n"
      "\n"
      "Reboots the guest of the domain NAME gracefully: it is sent the ACPI\n"
      "power button, and when it powers off qvirt resets it so it boots\n"
      "again. qvirt waits for that (it is the one that resets the guest): a\n"
      "guest that ignores the power button does not reboot, and the command\n"
      "fails after the timeout ('qvirt reset' reboots it by force).\n"
      "\n"
      "Options:\n"
      "  --timeout S   wait at most S seconds for the guest (default: 60)\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, not running, or no reboot in time")
      "\n"
      "Example:\n"
      "  $ qvirt reboot vm1\n"
      "  Domain 'vm1' rebooted\n",
    .run = run_reboot,
    .needs_connection = TRUE,
  },
  {
    .name = "reset",
    .summary = "reset a domain (the reset button)",
    .usage =
      "Usage: qvirt reset NAME\n"
      "\n"
      "Resets the virtual machine of the domain NAME like its reset button:\n"
      "the guest reboots at once without shutting down.\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, or QEMU does not run")
      "\n"
      "Example:\n"
      "  $ qvirt reset vm1\n"
      "  Domain 'vm1' was reset\n",
    .run = run_reset,
    .needs_connection = TRUE,
  },
  {
    .name = "info",
    .summary = "show a domain's state and resources",
    .usage =
      "Usage: qvirt info NAME [--json]\n"
      "\n"
      "Shows the domain NAME (a name or a UUID), as virsh dominfo: its UUID,\n"
      "state and the reason for it, QEMU's pid, whether it is persistent and\n"
      "autodestroy, its memory, vCPUs and the CPU time QEMU used.\n"
      "\n"
      "Options:\n"
      "  --json   print the domain.info result of docs/protocol.md\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain")
      "\n"
      "Example:\n"
      "  $ qvirt info vm1\n"
      "  Name:           vm1\n"
      "  UUID:           c7a5fdbd-cdaf-4ab7-a2d4-1f2a3b4c5d6e\n"
      "  State:          running (booted)\n"
      "  PID:            41234\n"
      "  Persistent:     yes\n"
      "  Autodestroy:    no\n"
      "  Max memory:     65536 KiB\n"
      "  vCPUs:          1\n"
      "  CPU time:       1.8s\n",
    .run = run_info,
    .needs_connection = TRUE,
  },
  {
    .name = "dumpxml",
    .summary = "print a domain's XML definition",
    .usage =
      "Usage: qvirt dumpxml NAME [--inactive]\n"
      "\n"
      "Prints the definition of the domain NAME as canonical domain XML, with\n"
      "defaults filled in and addresses assigned: the one it runs with if it\n"
      "runs, else the saved one. 'qvirt define' takes it back as it is.\n"
      "\n"
      "Options:\n"
      "  --inactive   the saved definition, which the next start will use\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain")
      "\n"
      "Example:\n"
      "  $ qvirt dumpxml vm1 --inactive > vm1.xml\n",
    .run = run_dumpxml,
    .needs_connection = TRUE,
  },
  {
    .name = "qmp",
    .summary = "send a QMP command to a domain's QEMU",
    .usage =
      "Usage: qvirt qmp NAME JSON [--pretty]\n"
      "\n"
      "Sends a QMP command to the QEMU of the running domain NAME, on qvirt's\n"
      "own monitor connection, and prints QEMU's reply as it sent it. JSON is\n"
      "a QMP command object, {\"execute\": ..., \"arguments\": {...}}, or a bare\n"
      "command name. qvirt does not interpret the command: one that changes\n"
      "QEMU's state (stop, quit, device_del) has its full effect.\n"
      "\n"
      "Options:\n"
      "  --pretty   print the reply indented\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain, not running, or QEMU answered with an\n"
                        "      error (the reply is printed, and the error on stderr)")
      "\n"
      "Example:\n"
      "  $ qvirt qmp vm1 '{\"execute\": \"query-status\"}'\n"
      "  {\"return\":{\"status\":\"running\",\"singlestep\":false,"
      "\"running\":true}}\n",
    .run = run_qmp,
    .needs_connection = TRUE,
  },
  {
    .name = "events",
    .summary = "print domain events as they happen",
    .usage =
      "Usage: qvirt events [NAME] [--json] [--qmp] [--timeout S]\n"
      "\n"
      "Prints the lifecycle events of the domain NAME, or of every domain,\n"
      "one line each as they happen, until SIGINT (Ctrl-C), SIGTERM or the\n"
      "timeout: TIME DOMAIN EVENT [DETAIL], TIME being ISO 8601 local time.\n"
      "Events are started, suspended, resumed, rebooted, crashed, stopped\n"
      "(with a detail: booted, user, shutdown, destroyed, crashed, ...),\n"
      "defined and undefined (see docs/protocol.md).\n"
      "\n"
      "Once it follows the events it says so on stderr (\"Following events\n"
      "of ...\"): from then on none is missed.\n"
      "\n"
      "While it runs it holds the root: other qvirt commands on the same\n"
      "embed root fail until it exits, so it sees what the guests and\n"
      "their QEMUs do (a guest powering off, QEMU killed), not commands.\n"
      "\n"
      "Options:\n"
      "  --json        one JSON object per line: domain, uuid, kind, event,\n"
      "                detail, data, timestamp (microseconds since the epoch)\n"
      "  --qmp         also print QEMU's own events (STOP, RESUME, SHUTDOWN,\n"
      "                ...), with their data as JSON\n"
      "  --timeout S   stop after S seconds\n"
      "\n"
      EXIT_STATUS_TEXT ("no such domain")
      "\n"
      "Example:\n"
      "  $ qvirt events vm1 --timeout 60\n"
      "  Following events of domain 'vm1' (Ctrl-C to stop, or 60 s)\n"
      "  2024-05-31T14:02:07.123+02:00 vm1 stopped shutdown\n",
    .run = run_events,
    .needs_connection = TRUE,
  },
  { NULL },
};
