#include "qemu-run.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define QMP_TIMEOUT_MS 30000
#define EXIT_TIMEOUT_MS 30000
#define DISK_SIZE "1M"

/* Stub firmware sizes QEMU accepts: -bios wants a multiple of 64 KiB,
 * pflash a multiple of 4 KiB. */
#define BIOS_SIZE (256 * 1024)
#define PFLASH_CODE_SIZE (2 * 1024 * 1024)
#define PFLASH_VARS_SIZE (128 * 1024)

QemuRun *
qemu_run_new (void)
{
  g_autoptr(GError) error = NULL;
  QemuRun *run = g_new0 (QemuRun, 1);

  /* Short: UNIX socket paths inside must stay under 108 bytes. */
  run->dir = g_dir_make_tmp ("qvirt-argv-XXXXXX", &error);
  g_assert_no_error (error);
  run->notes = g_ptr_array_new_with_free_func (g_free);
  run->listener_fds = g_array_new (FALSE, FALSE, sizeof (int));
  return run;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir != NULL)
    {
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, entry, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

void
qemu_run_free (QemuRun *run)
{
  if (run == NULL)
    return;
  for (guint i = 0; i < run->listener_fds->len; i++)
    close (g_array_index (run->listener_fds, int, i));
  g_array_unref (run->listener_fds);
  remove_tree (run->dir);
  g_free (run->dir);
  g_free (run->script_output);
  g_ptr_array_unref (run->notes);
  g_free (run);
}

void
qemu_run_note (QemuRun *run, const char *format, ...)
{
  va_list args;
  char *note;

  va_start (args, format);
  note = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("%s", note);
  g_ptr_array_add (run->notes, note);
}

void
qemu_run_make_zero_file (const char *path, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zeros = g_malloc0 (size);

  g_file_set_contents (path, zeros, (gssize) size, &error);
  g_assert_no_error (error);
}

static char *
guest_file (const char *name)
{
  const char *dir = g_getenv ("QVIRT_GUEST_DIR");
  char *path;

  if (dir == NULL || *dir == '\0')
    return NULL;
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_clear_pointer (&path, g_free);
  return path;
}

static void
copy_file (const char *from, const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, (gssize) length, &error);
  g_assert_no_error (error);
}

void
qemu_run_make_kernel (const char *path)
{
  g_autofree char *real = guest_file ("vmlinuz");
  g_autoptr(GError) error = NULL;
  guint8 kernel[64 * 1024] = { 0 };

  if (real != NULL)
    {
      copy_file (real, path);
      return;
    }
  /* The fields of the x86 Linux boot protocol QEMU reads. */
  kernel[0x1f1] = 4;                        /* setup_sects */
  memcpy (kernel + 0x202, "HdrS", 4);       /* header magic */
  kernel[0x206] = 0x0c;                     /* version 2.12 */
  kernel[0x207] = 0x02;
  kernel[0x211] = 0x01;                     /* loadflags: LOADED_HIGH */
  kernel[0x22c] = 0xff;                     /* initrd_addr_max 0x37ffffff */
  kernel[0x22d] = 0xff;
  kernel[0x22e] = 0xff;
  kernel[0x22f] = 0x37;
  g_file_set_contents (path, (const char *) kernel, sizeof kernel, &error);
  g_assert_no_error (error);
}

static void
make_initrd (const char *path)
{
  g_autofree char *real = guest_file ("initrd.img");
  g_autoptr(GError) error = NULL;

  if (real != NULL)
    copy_file (real, path);
  else
    {
      g_file_set_contents (path, "initrd", -1, &error);
      g_assert_no_error (error);
    }
}

static void
make_disk_image (const char *path, DomainDiskFormat format)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  const char *argv[] = {
    "qemu-img", "create", "-q", "-f",
    format == DOMAIN_DISK_FORMAT_QCOW2 ? "qcow2" : "raw",
    path, DISK_SIZE, NULL,
  };
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                     NULL, NULL, &output, &status, &error))
    g_error ("cannot run qemu-img: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("qemu-img create %s failed: %s", path, output);
}

static int
listen_unix (const char *path, gboolean inheritable)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | (inheritable ? 0 : SOCK_CLOEXEC), 0);
  g_assert_cmpint (fd, >=, 0);
  if (bind (fd, (struct sockaddr *) &address, sizeof address) < 0 ||
      listen (fd, 8) < 0)
    g_error ("cannot listen on %s: %s", path, g_strerror (errno));
  return fd;
}

int
qemu_run_bind_monitor (QemuRun *run, char **path)
{
  *path = g_build_filename (run->dir, "monitor.sock", NULL);
  return listen_unix (*path, TRUE);
}

/* A serial port, console or channel: files and sockets move into the
 * run's directory; a chardev that connects gets a socket to connect to. */
static void
prepare_chardev (QemuRun *run, DomainChardevSource *source, guint number)
{
  g_autofree char *name = NULL;

  switch (source->type)
    {
    case DOMAIN_CHARDEV_FILE:
      name = g_strdup_printf ("chardev%u.log", number);
      break;
    case DOMAIN_CHARDEV_UNIX:
      if (source->path == NULL)
        return;                 /* the builder puts it in the runtime dir */
      name = g_strdup_printf ("c%u.sock", number);
      break;
    case DOMAIN_CHARDEV_PTY:
    case DOMAIN_CHARDEV_NULL:
    case DOMAIN_CHARDEV_STDIO:
    case DOMAIN_CHARDEV_LAST:
    default:
      return;
    }
  g_free (source->path);
  source->path = g_build_filename (run->dir, name, NULL);
  if (source->type == DOMAIN_CHARDEV_UNIX &&
      source->mode == DOMAIN_CHARDEV_MODE_CONNECT)
    {
      int fd = listen_unix (source->path, FALSE);
      g_array_append_val (run->listener_fds, fd);
    }
}

static void
prepare_interfaces (QemuRun *run, DomainDef *def)
{
  for (guint i = 0; i < def->interfaces->len;)
    {
      DomainInterface *iface = g_ptr_array_index (def->interfaces, i);

      switch (iface->type)
        {
        case DOMAIN_NET_BRIDGE:
          qemu_run_note (run, "interface %u (type bridge, bridge '%s') is "
                         "left out of this run: qemu-bridge-helper needs "
                         "/etc/qemu/bridge.conf to allow the bridge, which "
                         "this host does not have; its argv is checked by "
                         "the golden test only", i, iface->source_bridge);
          g_ptr_array_remove_index (def->interfaces, i);
          continue;
        case DOMAIN_NET_ETHERNET:
          if (!run->needs_netns)
            qemu_run_note (run, "QEMU runs in a new network namespace "
                           "(unshare --net), where it may create tap "
                           "devices");
          run->needs_netns = TRUE;
          if (iface->script != NULL)
            {
              g_autoptr(GError) error = NULL;
              g_autofree char *script = NULL;
              g_autofree char *text = NULL;

              run->script_output = g_build_filename (run->dir, "script-arg",
                                                     NULL);
              script = g_build_filename (run->dir, "ifup.sh", NULL);
              text = g_strdup_printf ("#!/bin/sh\necho \"$1\" > '%s'\n",
                                      run->script_output);
              g_file_set_contents (script, text, -1, &error);
              g_assert_no_error (error);
              g_assert_cmpint (g_chmod (script, 0700), ==, 0);
              g_free (iface->script);
              iface->script = g_steal_pointer (&script);
            }
          break;
        case DOMAIN_NET_USER:
        case DOMAIN_NET_NETWORK:
        case DOMAIN_NET_LAST:
        default:
          break;
        }
      i++;
    }
}

void
qemu_run_prepare (QemuRun *run, DomainDef *def)
{
  DomainOs *os = &def->os;
  guint chardevs = 0;

  /* The run's QEMU is the test's (config.default_emulator). */
  g_clear_pointer (&def->emulator, g_free);

  for (guint i = 0; i < def->disks->len; i++)
    {
      DomainDisk *disk = g_ptr_array_index (def->disks, i);
      g_autofree char *name = NULL;

      if (disk->source_path == NULL)
        continue;
      if (disk->type == DOMAIN_DISK_TYPE_BLOCK)
        {
          qemu_run_note (run, "disk %s: the block device %s is replaced by "
                         "an image file (host_device becomes file)",
                         disk->target_dev, disk->source_path);
          disk->type = DOMAIN_DISK_TYPE_FILE;
        }
      name = g_strdup_printf ("disk%u.img", i);
      g_free (disk->source_path);
      disk->source_path = g_build_filename (run->dir, name, NULL);
      make_disk_image (disk->source_path, disk->format);
    }

  if (os->kernel != NULL)
    {
      g_free (os->kernel);
      os->kernel = g_build_filename (run->dir, "vmlinuz", NULL);
      qemu_run_make_kernel (os->kernel);
    }
  if (os->initrd != NULL)
    {
      g_free (os->initrd);
      os->initrd = g_build_filename (run->dir, "initrd.img", NULL);
      make_initrd (os->initrd);
    }
  if (os->loader != NULL)
    {
      gboolean pflash = os->loader_type == DOMAIN_LOADER_PFLASH;

      g_free (os->loader);
      os->loader = g_build_filename (run->dir, pflash ? "code.fd" : "bios.bin",
                                     NULL);
      qemu_run_make_zero_file (os->loader, pflash ? PFLASH_CODE_SIZE
                                                  : BIOS_SIZE);
    }
  if (os->nvram != NULL)
    {
      g_free (os->nvram);
      os->nvram = g_build_filename (run->dir, "vars.fd", NULL);
      qemu_run_make_zero_file (os->nvram, PFLASH_VARS_SIZE);
    }

  for (guint i = 0; i < def->serials->len; i++)
    {
      DomainSerial *serial = g_ptr_array_index (def->serials, i);
      prepare_chardev (run, &serial->source, chardevs++);
    }
  for (guint i = 0; i < def->consoles->len; i++)
    {
      DomainConsole *console = g_ptr_array_index (def->consoles, i);
      prepare_chardev (run, &console->source, chardevs++);
    }
  for (guint i = 0; i < def->channels->len; i++)
    {
      DomainChannel *channel = g_ptr_array_index (def->channels, i);
      prepare_chardev (run, &channel->source, chardevs++);
    }

  for (guint i = 0; i < def->graphics->len; i++)
    {
      DomainGraphics *graphics = g_ptr_array_index (def->graphics, i);

      if (graphics->listen_socket != NULL)
        {
          g_free (graphics->listen_socket);
          graphics->listen_socket = g_build_filename (run->dir, "vnc.sock",
                                                      NULL);
        }
    }

  for (guint i = 0; i < def->rngs->len; i++)
    {
      DomainRng *rng = g_ptr_array_index (def->rngs, i);

      if (rng->backend_path != NULL &&
          !g_file_test (rng->backend_path, G_FILE_TEST_EXISTS))
        {
          qemu_run_note (run, "rng %u: %s does not exist here, /dev/urandom "
                         "is used instead", i, rng->backend_path);
          g_free (rng->backend_path);
          rng->backend_path = g_strdup ("/dev/urandom");
        }
    }

  prepare_interfaces (run, def);
}

static char *
read_log (TestQemu *qemu)
{
  return test_qemu_log_contents (qemu);
}

TestQemu *
qemu_run_start (QemuRun *run, QemuCommand *command, int monitor_fd,
                const char *monitor_path, QmpClient **client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  TestQemu *qemu = g_new0 (TestQemu, 1);
  int source_fds[] = { monitor_fd };
  int log_fd;

  qemu->dir = g_strdup (run->dir);
  qemu->qmp_path = g_strdup (monitor_path);
  qemu->log_path = g_build_filename (run->dir, "qemu.log", NULL);

  if (run->needs_netns)
    {
      g_ptr_array_add (argv, "unshare");
      g_ptr_array_add (argv, "--net");
      g_ptr_array_add (argv, "--");
    }
  for (guint i = 0; i < command->argv->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (command->argv, i));
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; i < command->env->len; i++)
    {
      const char *assignment = g_ptr_array_index (command->env, i);
      const char *equals = strchr (assignment, '=');
      g_autofree char *name = g_strndup (assignment, equals - assignment);

      envp = g_environ_setenv (envp, name, equals + 1, TRUE);
    }

  log_fd = open (qemu->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                 0600);
  g_assert_cmpint (log_fd, >=, 0);
  /* We reap QEMU ourselves (test_qemu_wait_exit). */
  if (!g_spawn_async_with_pipes_and_fds (NULL,
                                         (const char * const *) argv->pdata,
                                         (const char * const *) envp,
                                         G_SPAWN_SEARCH_PATH |
                                         G_SPAWN_DO_NOT_REAP_CHILD |
                                         G_SPAWN_STDIN_FROM_DEV_NULL,
                                         NULL, NULL, -1, log_fd, log_fd,
                                         source_fds, source_fds, 1,
                                         &qemu->pid, NULL, NULL, NULL,
                                         &error))
    g_error ("cannot start %s: %s", (const char *) argv->pdata[0],
             error->message);
  close (log_fd);
  /* QEMU holds the listening socket now. Ours must go before we connect,
   * or a QEMU that exited at once would leave us talking to our own
   * backlog until the greeting times out. */
  close (monitor_fd);

  *client = qmp_client_connect_sync (monitor_path, QMP_CLIENT_FLAGS_NONE,
                                     NULL, &error);
  if (*client == NULL)
    {
      g_autofree char *log = NULL;

      test_qemu_wait_exit (qemu, EXIT_TIMEOUT_MS);
      log = read_log (qemu);
      g_test_message ("QEMU did not answer on its monitor (%s); its "
                      "output:\n%s", error->message, log);
      g_test_fail ();
      return qemu;
    }
  qmp_client_set_default_timeout (*client, QMP_TIMEOUT_MS);
  return qemu;
}

json_t *
qemu_run_execute (TestQemu *qemu, QmpClient *client, const char *command,
                  json_t *arguments)
{
  g_autoptr(GError) error = NULL;
  json_t *reply = qmp_client_execute_sync (client, command, arguments, NULL,
                                           &error);

  if (reply == NULL)
    {
      g_autofree char *log = read_log (qemu);

      g_error ("QMP %s failed: %s\nQEMU's output:\n%s", command,
               error->message, log);
    }
  return reply;
}

void
qemu_run_quit (TestQemu *qemu, QmpClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = NULL;

  /* QEMU may close the connection right after its reply, or before the
   * reply is read: both are a successful quit, the exit tells. */
  reply = qmp_client_execute_sync (client, "quit", NULL, NULL, &error);
  if (reply == NULL)
    g_assert_error (error, QMP_ERROR, QMP_ERROR_CLOSED);
  if (!test_qemu_wait_exit (qemu, EXIT_TIMEOUT_MS))
    g_error ("QEMU did not exit after quit");
}
