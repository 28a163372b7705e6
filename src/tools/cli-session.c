/* Opening a root for one command, reporting errors, and waiting for
 * signals (cli-session.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cli-session.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define NO_URI_MESSAGE \
  "no connection URI: use -c URI or set " QVIRT_DEFAULT_URI_ENV \
  " (e.g. qemu:///embed?root=/var/lib/myapp)"

int
qvirt_cli_report_error (const GError *error)
{
  /* Keep the order of what went to stdout before, when both are a file. */
  fflush (stdout);
  if (g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_BUSY))
    /* Only one process at a time can open an embed root: say how to
     * reach it anyway. */
    qvirt_cli_error ("%s (one process at a time opens a root; if that process serves "
                     "it on a socket, use -c qemu+unix:///?socket=PATH)", error->message);
  else if (g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_CLOSED) &&
           strstr (error->message, "no server is listening") != NULL)
    qvirt_cli_error ("%s (is qvirtd running? 'qvirtd --session' or 'systemctl start "
                     "qvirtd.socket' starts it)", error->message);
  else if (g_error_matches (error, QVIRT_ERROR, QVIRT_ERROR_NO_DOMAIN))
    qvirt_cli_error ("%s (see 'qvirt list --all')", error->message);
  else
    qvirt_cli_error ("%s", error->message);
  return QVIRT_EXIT_FAILURE;
}

gboolean
qvirt_cli_session_open (QvirtCliSession *session, QvirtCli *cli,
                        const char *domain_name)
{
  g_autoptr(GError) error = NULL;

  if (cli->uri == NULL || *cli->uri == '\0')
    {
      qvirt_cli_error (NO_URI_MESSAGE);
      return FALSE;
    }
  session->conn = qvirt_connection_open (cli->uri, QVIRT_CONNECTION_FLAGS_NONE,
                                         &error);
  if (session->conn == NULL)
    {
      qvirt_cli_report_error (error);
      return FALSE;
    }
  if (domain_name == NULL)
    return TRUE;
  session->domain = qvirt_connection_lookup_domain (session->conn, domain_name,
                                                    &error);
  if (session->domain == NULL)
    {
      qvirt_cli_report_error (error);
      return FALSE;
    }
  return TRUE;
}

void
qvirt_cli_session_clear (QvirtCliSession *session)
{
  g_clear_pointer (&session->domain, qvirt_domain_unref);
  g_clear_pointer (&session->conn, qvirt_connection_close);
}

/* ------------------------------------------------------------------------
 * Waiting
 */

static void
end_wait (QvirtCliWait *wait)
{
  wait->done = TRUE;
  g_main_loop_quit (wait->loop);
}

static gboolean
on_sigint (gpointer user_data)
{
  QvirtCliWait *wait = user_data;

  wait->signal = SIGINT;
  end_wait (wait);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  QvirtCliWait *wait = user_data;

  wait->signal = SIGTERM;
  end_wait (wait);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  QvirtCliWait *wait = user_data;

  wait->timed_out = TRUE;
  wait->timeout_source = 0;
  end_wait (wait);
  return G_SOURCE_REMOVE;
}

void
qvirt_cli_wait_init (QvirtCliWait *wait, guint timeout_s)
{
  *wait = (QvirtCliWait) { .loop = g_main_loop_new (NULL, FALSE) };
  wait->signal_sources[0] = g_unix_signal_add (SIGINT, on_sigint, wait);
  wait->signal_sources[1] = g_unix_signal_add (SIGTERM, on_sigterm, wait);
  if (timeout_s > 0)
    wait->timeout_source = g_timeout_add_seconds (timeout_s, on_timeout, wait);
}

void
qvirt_cli_wait_run (QvirtCliWait *wait)
{
  /* A quit before the loop runs is forgotten by GMainLoop: check first. */
  if (!wait->done)
    g_main_loop_run (wait->loop);
}

void
qvirt_cli_wait_stop (QvirtCliWait *wait)
{
  end_wait (wait);
}

void
qvirt_cli_wait_clear (QvirtCliWait *wait)
{
  for (gsize i = 0; i < G_N_ELEMENTS (wait->signal_sources); i++)
    g_clear_handle_id (&wait->signal_sources[i], g_source_remove);
  g_clear_handle_id (&wait->timeout_source, g_source_remove);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
}
