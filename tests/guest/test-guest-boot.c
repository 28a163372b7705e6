/* Boots the test guest of scripts/guest.sh under real QEMU and checks what
 * every other guest test relies on: it reaches its ready marker, answers
 * on its serial console, and powers off on an ACPI power button press
 * (QMP system_powerdown) or on the console's `poweroff`, after which QEMU
 * (started without -no-shutdown) exits.
 *
 * The monitor is spoken to with a few raw QMP lines here, so this test
 * does not depend on libqmp.
 */
#include "guest-console.h"
#include "qemu-harness.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <jansson.h>
#include <time.h>
#include <unistd.h>
#ifdef __x86_64__
#include <x86intrin.h>
#endif

/* Generous: TCG on a loaded 2-core machine, maybe under ASan. */
#define BOOT_TIMEOUT_MS      120000
#define REPLY_TIMEOUT_MS     20000
#define SHUTDOWN_TIMEOUT_MS  60000
#define QMP_TIMEOUT_S        60

/* docs/test-guest.md: quiet keeps kernel messages off the protocol
 * channel; panic=-1 with -no-reboot turns a guest panic into a QEMU exit
 * (a SHUTDOWN event with another reason) rather than a hang. */
#define GUEST_APPEND "console=ttyS0 quiet panic=-1"

/* --- A raw QMP connection ------------------------------------------------ */

typedef struct {
  GSocketConnection *connection;
  GDataInputStream *input;
  json_t *events;       /* every event received so far, oldest first */
} RawQmp;

static void
raw_qmp_free (RawQmp *qmp)
{
  if (qmp == NULL)
    return;
  g_clear_object (&qmp->input);
  g_clear_object (&qmp->connection);
  json_decref (qmp->events);
  g_free (qmp);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawQmp, raw_qmp_free)

/* Reads one message. Returns NULL with @error set on EOF, timeout, or a
 * line that is not a JSON object. */
static json_t *
raw_qmp_read (RawQmp *qmp, GError **error)
{
  g_autofree char *line = NULL;
  json_error_t json_error;
  json_t *message;

  line = g_data_input_stream_read_line_utf8 (qmp->input, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                             "QEMU closed the monitor");
      return NULL;
    }
  message = json_loads (line, 0, &json_error);
  if (!json_is_object (message))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not a QMP message: %s", line);
      json_decref (message);
      return NULL;
    }
  return message;
}

/* Sends @command and returns its "return" value, keeping the events that
 * arrive meanwhile. */
static json_t *
raw_qmp_execute (RawQmp *qmp, const char *command, GError **error)
{
  g_autofree char *request = g_strdup_printf ("{\"execute\": \"%s\"}\n", command);
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (qmp->connection));

  if (!g_output_stream_write_all (output, request, strlen (request), NULL, NULL, error))
    return NULL;
  for (;;)
    {
      json_t *message = raw_qmp_read (qmp, error);
      json_t *result;

      if (message == NULL)
        return NULL;
      if (json_object_get (message, "event") != NULL)
        {
          json_array_append_new (qmp->events, message);
          continue;
        }
      result = json_incref (json_object_get (message, "return"));
      if (result == NULL)
        {
          g_autofree char *text = json_dumps (message, JSON_COMPACT);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s failed: %s", command, text);
        }
      json_decref (message);
      return result;
    }
}

/* Returns (a new reference to) the first event named @name, reading the
 * monitor until it arrives. */
static json_t *
raw_qmp_wait_event (RawQmp *qmp, const char *name, GError **error)
{
  gsize seen = 0;

  for (;;)
    {
      json_t *message;

      for (; seen < json_array_size (qmp->events); seen++)
        {
          json_t *event = json_array_get (qmp->events, seen);
          if (g_strcmp0 (json_string_value (json_object_get (event, "event")), name) == 0)
            return json_incref (event);
        }
      message = raw_qmp_read (qmp, error);
      if (message == NULL)
        {
          g_prefix_error (error, "waiting for the QMP event %s: ", name);
          return NULL;
        }
      if (json_object_get (message, "event") != NULL)
        json_array_append_new (qmp->events, message);
      else
        json_decref (message);
    }
}

/* Connects, reads the greeting and leaves capabilities negotiation. */
static RawQmp *
raw_qmp_connect (const char *socket_path, GError **error)
{
  g_autoptr(RawQmp) qmp = g_new0 (RawQmp, 1);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  json_t *greeting;
  json_t *result;

  qmp->events = json_array ();
  qmp->connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address),
                                             NULL, error);
  if (qmp->connection == NULL)
    return NULL;
  /* Every read below waits at most this long. */
  g_socket_set_timeout (g_socket_connection_get_socket (qmp->connection), QMP_TIMEOUT_S);
  qmp->input = g_data_input_stream_new (
      g_io_stream_get_input_stream (G_IO_STREAM (qmp->connection)));
  g_data_input_stream_set_newline_type (qmp->input, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  greeting = raw_qmp_read (qmp, error);
  if (greeting == NULL)
    return NULL;
  if (json_object_get (greeting, "QMP") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the monitor sent no QMP greeting");
      json_decref (greeting);
      return NULL;
    }
  json_decref (greeting);
  result = raw_qmp_execute (qmp, "qmp_capabilities", error);
  if (result == NULL)
    return NULL;
  json_decref (result);
  return g_steal_pointer (&qmp);
}

/* --- The guest under test ------------------------------------------------ */

typedef struct {
  const char *machine;
  char *dir;              /* holds the console socket */
  GuestConsole *console;
  TestQemu *qemu;
  RawQmp *qmp;
} Guest;

/* Stops QEMU and removes everything the guest left, keeping @guest. */
static void
guest_clear (Guest *guest)
{
  g_clear_pointer (&guest->qmp, raw_qmp_free);
  g_clear_pointer (&guest->qemu, test_qemu_free);
  g_clear_pointer (&guest->console, guest_console_free);
  if (guest->dir != NULL)
    rmdir (guest->dir);
  g_clear_pointer (&guest->dir, g_free);
}

static void
guest_free (Guest *guest)
{
  if (guest == NULL)
    return;
  guest_clear (guest);
  g_free (guest);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Guest, guest_free)

/* Fails the test, with what the guest and QEMU said, if @error is set. */
static void
guest_assert_no_error (Guest *guest, GError *error)
{
  if (error == NULL)
    return;
  if (guest->console != NULL)
    guest_console_collect (guest->console);
  g_test_message ("%s guest console so far:\n%s", guest->machine,
                  guest->console ? guest_console_transcript (guest->console) : "");
  if (guest->qemu != NULL)
    {
      g_autofree char *log = test_qemu_log_contents (guest->qemu);
      g_test_message ("QEMU stderr:\n%s", log);
    }
  /* The assertion aborts without running cleanups: stop QEMU first, or
   * a guest that ignored us would run on. */
  guest_clear (guest);
  g_assert_no_error (error);
}

/* Finds the guest that scripts/guest.sh built. A missing guest fails the
 * test (never skips it) and says how to build one. */
static gboolean
find_guest_image (char **kernel, char **initrd)
{
  const char *dir = g_getenv ("QVIRT_GUEST_DIR");
  g_autofree char *env = NULL;

  if (dir == NULL || *dir == '\0')
    {
      g_test_fail_printf ("QVIRT_GUEST_DIR is not set: run this test with meson test "
                          "after scripts/guest.sh");
      return FALSE;
    }
  *kernel = g_build_filename (dir, "vmlinuz", NULL);
  *initrd = g_build_filename (dir, "initrd.img", NULL);
  /* guest.env is written last: without it the build did not finish. */
  env = g_build_filename (dir, "guest.env", NULL);
  if (!g_file_test (*kernel, G_FILE_TEST_IS_REGULAR) ||
      !g_file_test (*initrd, G_FILE_TEST_IS_REGULAR) ||
      !g_file_test (env, G_FILE_TEST_IS_REGULAR))
    {
      g_test_fail_printf ("no test guest in %s: run scripts/guest.sh %s", dir, dir);
      g_clear_pointer (kernel, g_free);
      g_clear_pointer (initrd, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Starts QEMU with the guest on @machine, its kernel command line being
 * @append, and waits for its ready marker. Returns NULL (the test has
 * failed) if there is no guest to boot. */
static Guest *
guest_boot (const char *machine, const char *append)
{
  g_autoptr(Guest) guest = g_new0 (Guest, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;
  g_autofree char *socket_path = NULL;
  const char *accel;
  json_t *result;
  gint64 started;

  if (!find_guest_image (&kernel, &initrd))
    return NULL;

  guest->machine = machine;
  guest->dir = g_dir_make_tmp ("qvirt-guest-XXXXXX", &error);
  g_assert_no_error (error);
  socket_path = g_build_filename (guest->dir, "console.sock", NULL);
  guest->console = guest_console_listen (socket_path);
  accel = test_qemu_accel ();

  {
    const char *args[] = {
      "-machine", machine, "-accel", accel, "-m", "256",
      "-no-reboot",
      "-kernel", kernel, "-initrd", initrd, "-append", append,
      "-chardev", guest_console_chardev_arg (guest->console, "console"),
      "-serial", "chardev:console",
      NULL
    };
    guest->qemu = test_qemu_start (args);
  }

  /* QEMU greets on the monitor only once it has set up every chardev, so
   * after this the console connection is already queued. */
  guest->qmp = raw_qmp_connect (guest->qemu->qmp_path, &error);
  guest_assert_no_error (guest, error);
  guest_console_accept (guest->console, REPLY_TIMEOUT_MS, &error);
  guest_assert_no_error (guest, error);

  started = g_get_monotonic_time ();
  result = raw_qmp_execute (guest->qmp, "cont", &error);
  guest_assert_no_error (guest, error);
  json_decref (result);
  guest_console_wait_line (guest->console, GUEST_CONSOLE_READY_MARKER,
                           BOOT_TIMEOUT_MS, &error);
  guest_assert_no_error (guest, error);
  g_test_message ("%s (%s): booted to %s in %.2f s", machine, accel,
                  GUEST_CONSOLE_READY_MARKER,
                  (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
  return g_steal_pointer (&guest);
}

/* Sends @command and waits for the line @reply. */
static void
guest_expect_reply (Guest *guest, const char *command, const char *reply)
{
  g_autoptr(GError) error = NULL;

  guest_console_send_line (guest->console, command, &error);
  guest_assert_no_error (guest, error);
  guest_console_wait_line (guest->console, reply, REPLY_TIMEOUT_MS, &error);
  guest_assert_no_error (guest, error);
}

/* Waits for the guest to power itself off: a SHUTDOWN event that the
 * guest caused by powering off (not a reset or panic), then QEMU's exit. */
static void
guest_expect_poweroff (Guest *guest, gint64 since)
{
  g_autoptr(GError) error = NULL;
  json_t *event;
  json_t *data;

  event = raw_qmp_wait_event (guest->qmp, "SHUTDOWN", &error);
  guest_assert_no_error (guest, error);
  data = json_object_get (event, "data");
  if (!json_is_true (json_object_get (data, "guest")) ||
      g_strcmp0 (json_string_value (json_object_get (data, "reason")), "guest-shutdown") != 0)
    {
      g_autofree char *text = json_dumps (data, JSON_COMPACT);
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "QEMU shut down, but not because the guest powered off: %s", text);
    }
  json_decref (event);
  guest_assert_no_error (guest, error);

  if (!test_qemu_wait_exit (guest->qemu, SHUTDOWN_TIMEOUT_MS))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "QEMU did not exit after the guest powered off");
      guest_assert_no_error (guest, error);
    }
  g_test_message ("%s: powered off and QEMU exited %.2f s after the request",
                  guest->machine,
                  (double) (g_get_monotonic_time () - since) / G_USEC_PER_SEC);
}

static void
check_ping_and_powerdown (const char *machine, const char *append)
{
  g_autoptr(Guest) guest = guest_boot (machine, append);
  g_autoptr(GError) error = NULL;
  json_t *result;
  gint64 requested;

  if (guest == NULL)
    return;
  guest_expect_reply (guest, "ping", "pong");
  guest_expect_reply (guest, "echo hello from qvirt", "hello from qvirt");

  requested = g_get_monotonic_time ();
  result = raw_qmp_execute (guest->qmp, "system_powerdown", &error);
  guest_assert_no_error (guest, error);
  json_decref (result);
  guest_expect_poweroff (guest, requested);
}

static void
test_pc_ping_and_powerdown (void)
{
  check_ping_and_powerdown ("pc", GUEST_APPEND);
}

static void
test_q35_ping_and_powerdown (void)
{
  check_ping_and_powerdown ("q35", GUEST_APPEND);
}

/* The host's TSC frequency in kHz, measured against CLOCK_MONOTONIC_RAW
 * over a short busy interval (no sleep: a sleep may overshoot, but the
 * measurement only needs two readings some milliseconds apart). Under TCG
 * the guest reads the host's TSC, so this is the guest's TSC too. */
static guint
measure_host_tsc_khz (void)
{
#ifdef __x86_64__
  struct timespec start_time, now;
  guint64 start_tsc, tsc, elapsed_ns;

  clock_gettime (CLOCK_MONOTONIC_RAW, &start_time);
  start_tsc = __rdtsc ();
  do
    {
      clock_gettime (CLOCK_MONOTONIC_RAW, &now);
      tsc = __rdtsc ();
      elapsed_ns = (guint64) (now.tv_sec - start_time.tv_sec) * G_GUINT64_CONSTANT (1000000000)
                   + (guint64) now.tv_nsec - (guint64) start_time.tv_nsec;
    }
  while (elapsed_ns < 50 * 1000 * 1000);
  return (guint) ((tsc - start_tsc) * G_GUINT64_CONSTANT (1000000) / elapsed_ns);
#else
  g_error ("measuring the TSC needs an x86_64 host");
#endif
}

/* microvm has no PIT or HPET the kernel can calibrate its TSC against
 * under TCG, and then often hangs early in boot: tell it the frequency. */
static void
test_microvm_ping_and_powerdown (void)
{
  guint tsc_khz = measure_host_tsc_khz ();
  g_autofree char *append = g_strdup_printf ("%s tsc_early_khz=%u", GUEST_APPEND, tsc_khz);

  g_test_message ("host TSC: %u kHz", tsc_khz);
  check_ping_and_powerdown ("microvm", append);
}

static void
test_pc_console_poweroff (void)
{
  g_autoptr(Guest) guest = guest_boot ("pc", GUEST_APPEND);
  g_autoptr(GError) error = NULL;
  gint64 requested;

  if (guest == NULL)
    return;
  requested = g_get_monotonic_time ();
  guest_console_send_line (guest->console, "poweroff", &error);
  guest_assert_no_error (guest, error);
  guest_expect_poweroff (guest, requested);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/pc/ping-and-powerdown", test_pc_ping_and_powerdown);
  g_test_add_func ("/guest/q35/ping-and-powerdown", test_q35_ping_and_powerdown);
  g_test_add_func ("/guest/pc/console-poweroff", test_pc_console_poweroff);
  g_test_add_func ("/guest/microvm/ping-and-powerdown", test_microvm_ping_and_powerdown);
  return g_test_run ();
}
