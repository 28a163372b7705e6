/* Boot a VM inside your own process with libqvirt, no daemon anywhere.
 *
 *   embed KERNEL INITRD [ROOT]
 *
 * Opens the driver on a private root (a fresh temporary directory unless
 * ROOT is given), starts a transient domain whose serial console is a
 * UNIX socket, prints everything the guest writes there, says "ping" once
 * the guest is ready, then shuts the guest down with the ACPI power
 * button and prints how long each step took. QEMU is this program's
 * child, and dies with it (autodestroy).
 *
 * The guest is qvirt's test guest (scripts/guest.sh): it prints
 * QVIRT-GUEST-READY when booted and answers "ping" with "pong".
 *
 * Build: cc embed.c $(pkg-config --cflags --libs libqvirt) -o embed
 */
#include <qvirt/qvirt.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define READY_MARKER "QVIRT-GUEST-READY"
#define CONSOLE_TIMEOUT_MS 60000

static double
seconds_since (gint64 start_us)
{
  return (double) (g_get_monotonic_time () - start_us) / G_USEC_PER_SEC;
}

/* TCG works everywhere; use KVM when this machine has it. */
static const char *
domain_type (void)
{
  int fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return "qemu";
  close (fd);
  return "kvm";
}

static char *
domain_xml (const char *kernel, const char *initrd, const char *console_path)
{
  g_autofree char *kernel_xml = g_markup_escape_text (kernel, -1);
  g_autofree char *initrd_xml = g_markup_escape_text (initrd, -1);
  g_autofree char *console_xml = g_markup_escape_text (console_path, -1);

  return g_strdup_printf (
    "<domain type='%s'>\n"
    "  <name>embed-demo</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "    <kernel>%s</kernel>\n"
    "    <initrd>%s</initrd>\n"
    "    <cmdline>console=ttyS0 quiet panic=-1</cmdline>\n"
    "  </os>\n"
    "  <features><acpi/></features>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <devices>\n"
    "    <serial type='unix'>\n"
    "      <source mode='bind' path='%s'/>\n"
    "      <target port='0'/>\n"
    "    </serial>\n"
    "  </devices>\n"
    "</domain>\n",
    domain_type (), kernel_xml, initrd_xml, console_xml);
}

static int
connect_console (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0 || strlen (path) >= sizeof addr.sun_path)
    return -1;
  strcpy (addr.sun_path, path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Copies the console to stdout until a line containing @wanted arrives.
 * Returns FALSE on timeout or EOF. */
static gboolean
print_console_until (int fd, GString *pending, const char *wanted)
{
  gint64 deadline = g_get_monotonic_time () + CONSOLE_TIMEOUT_MS * 1000;

  for (;;)
    {
      char *newline;
      char buffer[4096];
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int wait_ms = (int) ((deadline - g_get_monotonic_time ()) / 1000);
      ssize_t n;

      while ((newline = strchr (pending->str, '\n')) != NULL)
        {
          gboolean found;

          *newline = '\0';
          g_strchomp (pending->str);
          printf ("  console | %s\n", pending->str);
          found = strstr (pending->str, wanted) != NULL;
          g_string_erase (pending, 0, newline - pending->str + 1);
          if (found)
            return TRUE;
        }
      if (wait_ms <= 0 || poll (&pfd, 1, wait_ms) <= 0)
        return FALSE;
      n = read (fd, buffer, sizeof buffer);
      if (n <= 0)
        return FALSE;
      g_string_append_len (pending, buffer, n);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtConnection) conn = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autofree char *root = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *console_path = NULL;
  g_autofree char *xml = NULL;
  gint64 start;
  int console;

  if (argc < 3 || argc > 4)
    {
      fprintf (stderr, "usage: %s KERNEL INITRD [ROOT]\n", argv[0]);
      return 2;
    }
  root = argc == 4 ? g_canonicalize_filename (argv[3], NULL)
                   : g_dir_make_tmp ("qvirt-embed-XXXXXX", &error);
  if (root == NULL)
    {
      fprintf (stderr, "embed: %s\n", error->message);
      return 1;
    }
  uri = g_strdup_printf ("qemu:///embed?root=%s", root);
  console_path = g_build_filename (root, "console.sock", NULL);
  {
    /* Domain XML wants absolute paths. */
    g_autofree char *kernel = g_canonicalize_filename (argv[1], NULL);
    g_autofree char *initrd = g_canonicalize_filename (argv[2], NULL);

    xml = domain_xml (kernel, initrd, console_path);
  }

  /* No main loop here: let the library run the driver in its thread. */
  start = g_get_monotonic_time ();
  conn = qvirt_connection_open (uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD, &error);
  if (conn == NULL)
    {
      fprintf (stderr, "embed: %s\n", error->message);
      return 1;
    }
  printf ("opened %s in %.3f s\n", qvirt_connection_get_uri (conn), seconds_since (start));

  /* Start paused, so that we are on the console before the guest writes. */
  start = g_get_monotonic_time ();
  domain = qvirt_connection_create_domain_sync (conn, xml,
                                                QVIRT_START_PAUSED | QVIRT_START_AUTODESTROY,
                                                NULL, &error);
  if (domain == NULL)
    {
      fprintf (stderr, "embed: %s\n", error->message);
      return 1;
    }
  printf ("started QEMU (paused) in %.3f s\n", seconds_since (start));
  console = connect_console (console_path);
  if (console < 0)
    {
      fprintf (stderr, "embed: cannot connect to the console %s: %s\n", console_path,
               g_strerror (errno));
      return 1;
    }

  start = g_get_monotonic_time ();
  if (!qvirt_domain_resume (domain, NULL, &error))
    {
      fprintf (stderr, "embed: %s\n", error->message);
      return 1;
    }
  if (!print_console_until (console, pending, READY_MARKER))
    {
      fprintf (stderr, "embed: the guest did not get ready in time\n");
      return 1;
    }
  printf ("guest booted in %.3f s\n", seconds_since (start));

  start = g_get_monotonic_time ();
  if (write (console, "ping\n", 5) != 5 || !print_console_until (console, pending, "pong"))
    {
      fprintf (stderr, "embed: the guest did not answer ping\n");
      return 1;
    }
  printf ("guest answered ping in %.3f s\n", seconds_since (start));

  start = g_get_monotonic_time ();
  if (!qvirt_domain_shutdown (domain, 30, NULL, &error))
    {
      fprintf (stderr, "embed: %s\n", error->message);
      return 1;
    }
  printf ("guest shut down (ACPI) in %.3f s\n", seconds_since (start));
  close (console);

  qvirt_connection_close (g_steal_pointer (&conn));
  printf ("the root keeps QEMU's log: %s/log/embed-demo.log\n", root);
  return 0;
}
