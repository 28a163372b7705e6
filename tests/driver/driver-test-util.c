#include "driver-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

TestRoot *
test_root_new (void)
{
  g_autoptr(GError) error = NULL;
  TestRoot *root = g_new0 (TestRoot, 1);

  root->dir = g_dir_make_tmp ("qvirt-driver-XXXXXX", &error);
  g_assert_no_error (error);
  root->uri = g_strdup_printf ("qemu:///embed?root=%s", root->dir);
  return root;
}

TestRoot *
test_root_new_deep (void)
{
  TestRoot *root = test_root_new ();
  g_autofree char *deep = g_build_filename (root->dir,
    "a-rather-long-directory-name-to-push-the-path-past-sun-path",
    "and-another-long-directory-name-for-good-measure-0123456789", NULL);

  g_assert_cmpint (g_mkdir_with_parents (deep, 0700), ==, 0);
  g_assert_cmpuint (strlen (deep) + strlen ("/run/vm.qmp"), >, 108);
  g_free (root->uri);
  root->uri = g_strdup_printf ("qemu:///embed?root=%s", deep);
  return root;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir)
    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, entry, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
            !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

void
test_root_free (TestRoot *root)
{
  if (root == NULL)
    return;
  remove_tree (root->dir);
  g_free (root->dir);
  g_free (root->uri);
  g_free (root);
}

const char *
test_domain_type (void)
{
  static gsize once = 0;
  static const char *type;

  if (g_once_init_enter (&once))
    {
      int fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);

      type = fd >= 0 ? "kvm" : "qemu";
      if (fd >= 0)
        close (fd);
      g_once_init_leave (&once, 1);
    }
  g_test_message ("domain type: %s%s", type,
                  g_str_equal (type, "qemu") ? " (TCG: /dev/kvm unusable)" : "");
  return type;
}

char *
test_xml_no_guest (const char *name)
{
  return g_strdup_printf ("<domain type='%s'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <vcpu>1</vcpu>\n"
                          "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                          "  <devices><memballoon model='none'/></devices>\n"
                          "</domain>\n",
                          test_domain_type (), name);
}

char *
test_xml_guest (const char *name, const char *console_path, const char *on_poweroff)
{
  const char *guest_dir = g_getenv ("QVIRT_GUEST_DIR");
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;

  if (guest_dir == NULL || !g_file_test (guest_dir, G_FILE_TEST_IS_DIR))
    g_error ("no test guest: set QVIRT_GUEST_DIR and run scripts/guest.sh DIR");
  kernel = g_build_filename (guest_dir, "vmlinuz", NULL);
  initrd = g_build_filename (guest_dir, "initrd.img", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS) || !g_file_test (initrd, G_FILE_TEST_EXISTS))
    g_error ("no test guest in %s: run scripts/guest.sh %s", guest_dir, guest_dir);

  /* The guest's own type: under TCG here (Linux guests crash under this
   * machine's nested KVM). */
  return g_strdup_printf ("<domain type='qemu'>\n"
                          "  <name>%s</name>\n"
                          "  <memory unit='MiB'>256</memory>\n"
                          "  <vcpu>1</vcpu>\n"
                          "  <os>\n"
                          "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                          "    <kernel>%s</kernel>\n"
                          "    <initrd>%s</initrd>\n"
                          "    <cmdline>console=ttyS0 quiet panic=-1</cmdline>\n"
                          "  </os>\n"
                          "  <features><acpi/></features>\n"
                          "  <on_poweroff>%s</on_poweroff>\n"
                          "  <devices>\n"
                          "    <serial type='unix'>\n"
                          "      <source mode='connect' path='%s'/>\n"
                          "      <target port='0'/>\n"
                          "    </serial>\n"
                          "    <memballoon model='none'/>\n"
                          "  </devices>\n"
                          "</domain>\n",
                          name, kernel, initrd, on_poweroff ? on_poweroff : "destroy",
                          console_path);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
test_wait_until (gboolean *flag, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *flag;
}

gboolean
test_wait_pid_gone (GPid pid, guint timeout_ms)
{
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd pfd;
  int r;

  if (pidfd < 0)
    return errno == ESRCH;
  pfd = (struct pollfd) { .fd = pidfd, .events = POLLIN };
  do
    r = poll (&pfd, 1, (int) timeout_ms);
  while (r < 0 && errno == EINTR);
  close (pidfd);
  return r > 0;
}

void
event_log_record (QvirtConnection *conn, const QvirtEvent *event, gpointer user_data)
{
  EventLog *log = user_data;
  char *line;

  if (g_str_equal (event->kind, "qmp"))
    line = g_strdup_printf ("%s qmp %s", event->domain, event->event);
  else
    line = g_strdup_printf ("%s %s %s", event->domain, event->event,
                            event->detail ? event->detail : "-");
  g_mutex_lock (&log->mutex);
  if (log->lines == NULL)
    log->lines = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (log->lines, line);
  g_cond_broadcast (&log->cond);
  g_mutex_unlock (&log->mutex);
}

/* Call with the mutex held. */
static gboolean
event_log_has (EventLog *log, const char *line)
{
  for (guint i = 0; log->lines && i < log->lines->len; i++)
    if (g_str_equal (log->lines->pdata[i], line))
      return TRUE;
  return FALSE;
}

gboolean
event_log_wait (EventLog *log, const char *line, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean found;

  g_mutex_lock (&log->mutex);
  if (log->threaded)
    {
      while (!event_log_has (log, line) &&
             g_cond_wait_until (&log->cond, &log->mutex, deadline))
        ;
    }
  else
    {
      gboolean timed_out = FALSE;
      guint id = g_timeout_add (timeout_ms, on_wait_timeout, &timed_out);

      while (!event_log_has (log, line) && !timed_out)
        {
          g_mutex_unlock (&log->mutex);
          g_main_context_iteration (NULL, TRUE);
          g_mutex_lock (&log->mutex);
        }
      if (!timed_out)
        g_source_remove (id);
    }
  found = event_log_has (log, line);
  if (!found)
    {
      g_autoptr(GString) seen = g_string_new (NULL);

      for (guint i = 0; log->lines && i < log->lines->len; i++)
        g_string_append_printf (seen, "\n  %s", (char *) log->lines->pdata[i]);
      g_test_message ("event '%s' not seen; events:%s", line, seen->str);
    }
  g_mutex_unlock (&log->mutex);
  return found;
}

void
event_log_clear (EventLog *log)
{
  g_mutex_lock (&log->mutex);
  g_clear_pointer (&log->lines, g_ptr_array_unref);
  g_mutex_unlock (&log->mutex);
}
