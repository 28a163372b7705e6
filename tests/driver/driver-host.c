/* A process that hosts a VM, for tests that kill the host.
 *
 *   driver-host URI XML-FILE [--autodestroy]
 *
 * Starts the domain (persistent, or transient with autodestroy), prints
 * "STARTED PID" with QEMU's pid, then waits for EOF on stdin. */
#include <qvirt/qvirt.h>
#include <stdio.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtConnection) conn = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  g_autofree char *xml = NULL;
  gboolean autodestroy = argc == 4 && g_str_equal (argv[3], "--autodestroy");
  char byte;

  if (argc < 3 || !g_file_get_contents (argv[2], &xml, NULL, &error))
    {
      fprintf (stderr, "usage: driver-host URI XML-FILE [--autodestroy]\n");
      return 2;
    }
  conn = qvirt_connection_open (argv[1], QVIRT_CONNECTION_FLAGS_OWN_THREAD, &error);
  if (conn)
    {
      if (autodestroy)
        domain = qvirt_connection_create_domain_sync (conn, xml, QVIRT_START_AUTODESTROY,
                                                      NULL, &error);
      else if ((domain = qvirt_connection_define_domain (conn, xml, &error)) != NULL &&
               !qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error))
        g_clear_pointer (&domain, qvirt_domain_unref);
    }
  if (domain == NULL || (info = qvirt_domain_get_info (domain, &error)) == NULL)
    {
      fprintf (stderr, "driver-host: %s\n", error->message);
      return 1;
    }
  printf ("STARTED %" G_GINT64_FORMAT "\n", info->pid);
  fflush (stdout);
  while (read (STDIN_FILENO, &byte, 1) > 0)
    ;
  return 0;
}
