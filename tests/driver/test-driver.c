/* The embedded driver through the public API, with real QEMU processes
 * but no guest code (suite "qemu"): roots and their lock, definitions,
 * start/destroy, failures, reattaching after the hosting process died,
 * autodestroy, many instances and concurrent starts. */
#include "driver-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define TIMEOUT_MS 30000

static QvirtConnection *
open_root (TestRoot *root)
{
  g_autoptr(GError) error = NULL;
  QvirtConnection *conn = qvirt_connection_open (root->uri, QVIRT_CONNECTION_FLAGS_NONE,
                                                 &error);

  g_assert_no_error (error);
  return conn;
}

static QvirtDomain *
define (QvirtConnection *conn, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = test_xml_no_guest (name);
  QvirtDomain *domain = qvirt_connection_define_domain (conn, xml, &error);

  g_assert_no_error (error);
  return domain;
}

static QvirtDomainInfo *
info_of (QvirtDomain *domain)
{
  g_autoptr(GError) error = NULL;
  QvirtDomainInfo *info = qvirt_domain_get_info (domain, &error);

  g_assert_no_error (error);
  return info;
}

/* Nothing of a stopped domain is left in the runtime dir. */
static void
assert_no_runtime_files (TestRoot *root, const char *root_dir, const char *name)
{
  g_autofree char *status = g_strdup_printf ("%s/run/%s.status", root_dir, name);
  g_autofree char *monitor = g_strdup_printf ("%s/run/%s.qmp", root_dir, name);

  g_assert_false (g_file_test (status, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (monitor, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ */

static void
test_uri_errors (void)
{
  const char *bad[] = { "qemu:///embed", "qemu:///embed?root=relative/dir",
                        "qemu:///nosuch", "xen:///embed?root=/tmp", "not a uri" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(QvirtConnection) conn = qvirt_connection_open (bad[i], 0, &error);

      g_assert_null (conn);
      g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s -> %s", bad[i], error->message);
    }
}

static void
test_root_lock (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) first = open_root (root);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtConnection) second = qvirt_connection_open (root->uri, 0, &error);
  g_autofree char *holder = g_strdup_printf ("is in use by process %d", (int) getpid ());

  g_assert_null (second);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, holder));

  /* Released on close: the root opens again. */
  qvirt_connection_close (g_steal_pointer (&first));
  second = open_root (root);
}

static void
test_define_undefine (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(QvirtDomain) domain = define (conn, "vm1");
  g_autoptr(QvirtDomainInfo) info = info_of (domain);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *saved = g_strdup_printf ("%s/etc/domains/vm1.xml", root->dir);

  g_assert_cmpstr (info->state, ==, "shutoff");
  g_assert_true (info->persistent);
  g_assert_true (g_file_test (saved, G_FILE_TEST_EXISTS));

  all = qvirt_connection_list_domains (conn, TRUE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 1);
  active = qvirt_connection_list_domains (conn, TRUE, FALSE, &error);
  g_assert_cmpuint (active->len, ==, 0);

  /* A new connection to the same root finds the definition. */
  qvirt_connection_close (g_steal_pointer (&conn));
  conn = open_root (root);
  g_clear_pointer (&domain, qvirt_domain_unref);
  domain = qvirt_connection_lookup_domain (conn, "vm1", &error);
  g_assert_no_error (error);

  g_assert_true (qvirt_domain_undefine (domain, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (saved, G_FILE_TEST_EXISTS));
  g_assert_null (qvirt_connection_lookup_domain (conn, "vm1", &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_NO_DOMAIN);
}

static void
test_name_uuid_clash (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(QvirtDomain) vm1 = define (conn, "vm1");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) clash = NULL;
  g_autofree char *same_name = test_xml_no_guest ("vm1");
  g_autofree char *same_uuid = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *tail = NULL;

  /* Same name, another (generated) UUID. */
  clash = qvirt_connection_define_domain (conn, same_name, &error);
  g_assert_null (clash);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS);
  expected = g_strdup_printf ("domain 'vm1' already exists with uuid %s",
                              qvirt_domain_get_uuid (vm1));
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* Another name, the same UUID. */
  tail = test_xml_no_guest ("vm2");
  same_uuid = g_strdup_printf ("%.*s  <uuid>%s</uuid>\n%s",
                               (int) (strstr (tail, "  <memory") - tail), tail,
                               qvirt_domain_get_uuid (vm1), strstr (tail, "  <memory"));
  clash = qvirt_connection_define_domain (conn, same_uuid, &error);
  g_assert_null (clash);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("domain 'vm1' is already defined with uuid %s",
                              qvirt_domain_get_uuid (vm1));
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_bad_xml_changes_nothing (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(QvirtDomain) domain =
    qvirt_connection_define_domain (conn, "<domain type='qemu'><name>x</name>"
                                          "<memory>1024</memory><devices><hostdev/>"
                                          "</devices></domain>", &error);

  g_assert_null (domain);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "devices/hostdev"));
  g_clear_error (&error);

  domain = qvirt_connection_define_domain (conn, "<domain", &error);
  g_assert_null (domain);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_XML);
  g_clear_error (&error);

  all = qvirt_connection_list_domains (conn, TRUE, TRUE, &error);
  g_assert_cmpuint (all->len, ==, 0);
}

static void
test_start_destroy (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(QvirtDomain) domain = define (conn, "vm1");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  EventLog log = { 0 };
  g_autofree char *reply = NULL;
  GPid pid;

  qvirt_connection_subscribe_events (conn, NULL, event_log_record, &log, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error));
  g_assert_no_error (error);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "running");
  g_assert_cmpstr (info->reason, ==, "booted");
  g_assert_cmpint (info->pid, >, 0);
  pid = (GPid) info->pid;
  g_assert_true (event_log_wait (&log, "vm1 started booted", TIMEOUT_MS));

  /* Starting twice is an error that changes nothing. */
  g_assert_false (qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* QMP passthrough on the driver's monitor connection. */
  reply = qvirt_domain_qmp (domain, "{\"execute\":\"query-status\"}", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (reply, "\"running\""));

  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_pid_gone (pid, 1000));
  g_clear_pointer (&info, qvirt_domain_info_free);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "shutoff");
  g_assert_cmpstr (info->reason, ==, "destroyed");
  g_assert_true (event_log_wait (&log, "vm1 stopped destroyed", TIMEOUT_MS));
  assert_no_runtime_files (root, root->dir, "vm1");
  event_log_clear (&log);
}

/* Why a persistent domain stopped is still known to the next process
 * that opens the root; a start forgets it, an undefine removes it. */
static void
test_stop_reason_outlives_process (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  g_autofree char *record = g_build_filename (root->dir, "run", "vm1.stopped", NULL);
  QvirtConnection *conn = open_root (root);
  QvirtDomain *domain = define (conn, "vm1");

  g_assert_true (qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
  qvirt_domain_unref (domain);
  qvirt_connection_close (conn);

  conn = open_root (root);
  domain = qvirt_connection_lookup_domain (conn, "vm1", &error);
  g_assert_no_error (error);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "shutoff");
  g_assert_cmpstr (info->reason, ==, "destroyed");

  g_assert_true (qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (record, G_FILE_TEST_EXISTS));
  g_assert_true (qvirt_domain_undefine (domain, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  qvirt_domain_unref (domain);
  qvirt_connection_close (conn);
}

static void
test_suspend_resume (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(QvirtDomain) domain = define (conn, "vm1");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  g_autofree char *status = NULL;

  g_assert_true (qvirt_domain_start (domain, QVIRT_START_PAUSED, NULL, &error));
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "paused");

  g_assert_true (qvirt_domain_resume (domain, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&info, qvirt_domain_info_free);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "running");

  g_assert_true (qvirt_domain_suspend (domain, NULL, &error));
  g_clear_pointer (&info, qvirt_domain_info_free);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "paused");
  g_assert_cmpstr (info->reason, ==, "user");
  status = qvirt_domain_qmp (domain, "query-status", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (status, "\"paused\""));

  /* Suspending a paused domain is refused. */
  g_assert_false (qvirt_domain_suspend (domain, NULL, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
}

static void
test_start_failure_leaves_nothing (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *xml = g_strdup_printf (
    "<domain type='qemu'><name>broken</name><memory unit='MiB'>64</memory>"
    "<os><type machine='pc'>hvm</type><kernel>%s/no-such-kernel</kernel></os>"
    "</domain>", root->dir);

  domain = qvirt_connection_create_domain_sync (conn, xml, QVIRT_START_NONE, NULL, &error);
  g_assert_null (domain);
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_QEMU_FAILED);
  g_test_message ("%s", error->message);
  /* The error carries QEMU's own words from the log. */
  g_assert_nonnull (strstr (error->message, "no-such-kernel"));
  g_assert_nonnull (strstr (error->message, "QEMU log:"));

  all = qvirt_connection_list_domains (conn, TRUE, TRUE, NULL);
  g_assert_cmpuint (all->len, ==, 0);
  assert_no_runtime_files (root, root->dir, "broken");
}

static void
test_deep_root (void)
{
  g_autoptr(TestRoot) root = test_root_new_deep ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(QvirtDomain) domain = define (conn, "vm-in-a-deep-root");
  g_autoptr(GError) error = NULL;

  g_assert_true (qvirt_domain_start (domain, QVIRT_START_PAUSED, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
}

/* QEMU dies on its own: the domain is shut off, reason crashed. */
static void
test_qemu_killed (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(QvirtDomain) domain = define (conn, "vm1");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  EventLog log = { 0 };

  qvirt_connection_subscribe_events (conn, "vm1", event_log_record, &log, NULL, &error);
  g_assert_true (qvirt_domain_start (domain, QVIRT_START_NONE, NULL, &error));
  info = info_of (domain);
  g_assert_cmpint (kill ((pid_t) info->pid, SIGKILL), ==, 0);
  g_assert_true (event_log_wait (&log, "vm1 stopped crashed", TIMEOUT_MS));
  g_clear_pointer (&info, qvirt_domain_info_free);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "shutoff");
  g_assert_cmpstr (info->reason, ==, "crashed");
  assert_no_runtime_files (root, root->dir, "vm1");
  event_log_clear (&log);
}

/* Runs driver-host on @root; returns QEMU's pid and the host. */
static GSubprocess *
spawn_host (TestRoot *root, const char *xml, gboolean autodestroy, GPid *qemu_pid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml_path = g_build_filename (root->dir, "host.xml", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *host;

  g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));
  host = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           &error, QVIRT_TEST_DRIVER_HOST, root->uri, xml_path,
                           autodestroy ? "--autodestroy" : NULL, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (host));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "STARTED "));
  *qemu_pid = (GPid) g_ascii_strtoll (line + 8, NULL, 10);
  g_assert_cmpint (*qemu_pid, >, 0);
  return host;
}

static void
test_reattach_after_host_killed (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autofree char *xml = test_xml_no_guest ("survivor");
  g_autoptr(GSubprocess) host = NULL;
  g_autoptr(QvirtConnection) conn = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  GPid qemu_pid;

  host = spawn_host (root, xml, FALSE, &qemu_pid);
  g_subprocess_send_signal (host, SIGKILL);
  g_assert_true (g_subprocess_wait (host, NULL, NULL));
  g_assert_cmpint (kill (qemu_pid, 0), ==, 0);   /* QEMU outlived its host */

  conn = open_root (root);
  domain = qvirt_connection_lookup_domain (conn, "survivor", &error);
  g_assert_no_error (error);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "running");
  g_assert_cmpint (info->pid, ==, qemu_pid);

  /* The monitor reconnected: QMP works. */
  reply = qvirt_domain_qmp (domain, "query-status", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (reply, "\"running\""));

  /* Not our child, yet its exit is noticed (pidfd). */
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_pid_gone (qemu_pid, 5000));
  g_clear_pointer (&info, qvirt_domain_info_free);
  info = info_of (domain);
  g_assert_cmpstr (info->state, ==, "shutoff");
}

static void
test_autodestroy_dies_with_host (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autofree char *xml = test_xml_no_guest ("doomed");
  g_autoptr(GSubprocess) host = NULL;
  g_autoptr(QvirtConnection) conn = NULL;
  g_autoptr(GPtrArray) all = NULL;
  GPid qemu_pid;

  host = spawn_host (root, xml, TRUE, &qemu_pid);
  g_subprocess_send_signal (host, SIGKILL);
  g_assert_true (g_subprocess_wait (host, NULL, NULL));
  g_assert_true (test_wait_pid_gone (qemu_pid, 10000));

  /* The next opener cleans up after it. */
  conn = open_root (root);
  all = qvirt_connection_list_domains (conn, TRUE, TRUE, NULL);
  g_assert_cmpuint (all->len, ==, 0);
  assert_no_runtime_files (root, root->dir, "doomed");
}

static void
test_autodestroy_on_close (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autofree char *xml = test_xml_no_guest ("temp");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) domain = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;

  domain = qvirt_connection_create_domain_sync (conn, xml, QVIRT_START_AUTODESTROY, NULL,
                                                &error);
  g_assert_no_error (error);
  info = info_of (domain);
  g_clear_pointer (&domain, qvirt_domain_unref);
  qvirt_connection_close (g_steal_pointer (&conn));
  g_assert_true (test_wait_pid_gone ((GPid) info->pid, 5000));
}

/* ------------------------------------------------------------------ */

typedef struct {
  guint pending;
  guint failed;
} StartBatch;

static void
on_batch_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StartBatch *batch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) reply = qvirt_connection_call_finish (NULL, result, &error);

  if (reply == NULL)
    {
      g_test_message ("start failed: %s", error->message);
      batch->failed++;
    }
  batch->pending--;
}

static gboolean
batch_done (StartBatch *batch)
{
  return batch->pending == 0;
}

static void
test_ten_concurrent_starts (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autoptr(GPtrArray) active = NULL;
  StartBatch batch = { 0 };
  gboolean done = FALSE;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%u", i);
      g_autofree char *xml = test_xml_no_guest (name);
      g_autoptr(json_t) params = json_pack ("{s:s}", "xml", xml);

      batch.pending++;
      qvirt_connection_call_async (conn, "domain.create", params, NULL, on_batch_started,
                                   &batch);
    }
  while (!batch_done (&batch))
    g_main_context_iteration (NULL, TRUE);
  done = TRUE;
  g_assert_true (done);
  g_test_message ("10 concurrent starts took %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (batch.failed, ==, 0);

  active = qvirt_connection_list_domains (conn, TRUE, FALSE, NULL);
  g_assert_cmpuint (active->len, ==, 10);
  for (guint i = 0; i < active->len; i++)
    {
      QvirtDomainInfo *info = active->pdata[i];
      g_autoptr(QvirtDomain) domain = qvirt_connection_lookup_domain (conn, info->name, NULL);
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (info->state, ==, "running");
      g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
test_hundred_instances (void)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func ((GDestroyNotify) test_root_free);
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func ((GDestroyNotify) qvirt_connection_close);

  for (guint i = 0; i < 100; i++)
    {
      TestRoot *root = test_root_new ();

      g_ptr_array_add (roots, root);
      g_ptr_array_add (conns, open_root (root));
    }
  /* A VM in every 20th instance, all at the same time. */
  for (guint i = 0; i < 100; i += 20)
    {
      g_autoptr(QvirtDomain) domain = define (conns->pdata[i], "vm");
      g_autoptr(GError) error = NULL;

      g_assert_true (qvirt_domain_start (domain, QVIRT_START_PAUSED, NULL, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GPtrArray) active = qvirt_connection_list_domains (conns->pdata[i], TRUE,
                                                                   FALSE, NULL);

      g_assert_cmpuint (active->len, ==, i % 20 == 0 ? 1 : 0);
    }
  for (guint i = 0; i < 100; i += 20)
    {
      g_autoptr(QvirtDomain) domain = qvirt_connection_lookup_domain (conns->pdata[i], "vm",
                                                                      NULL);
      g_autoptr(GError) error = NULL;

      g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
      g_assert_no_error (error);
    }
  /* Connections close before their roots are removed. */
  g_ptr_array_set_size (conns, 0);
}

static void
test_own_thread (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtConnection) conn =
    qvirt_connection_open (root->uri, QVIRT_CONNECTION_FLAGS_OWN_THREAD, &error);
  g_autoptr(QvirtDomain) domain = NULL;

  g_assert_no_error (error);
  domain = define (conn, "threaded");
  g_assert_true (qvirt_domain_start (domain, QVIRT_START_PAUSED, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (qvirt_domain_destroy (domain, NULL, &error));
  g_assert_no_error (error);
}

static void
test_read_only (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtConnection) conn =
    qvirt_connection_open (root->uri, QVIRT_CONNECTION_FLAGS_READ_ONLY, &error);
  g_autofree char *xml = test_xml_no_guest ("vm1");
  g_autoptr(GPtrArray) all = NULL;

  g_assert_no_error (error);
  g_assert_null (qvirt_connection_define_domain (conn, xml, &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  all = qvirt_connection_list_domains (conn, TRUE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 0);
}

static void
store_async_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_async (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* The _async forms reach the same methods as the blocking ones. */
static void
test_async_variants (void)
{
  g_autoptr(TestRoot) root = test_root_new ();
  g_autoptr(QvirtConnection) conn = open_root (root);
  g_autofree char *xml = test_xml_no_guest ("vm1");
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomain) defined = NULL;
  g_autoptr(QvirtDomain) found = NULL;
  g_autoptr(QvirtDomainInfo) info = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *dumped = NULL;
  GAsyncResult *result = NULL;

  qvirt_connection_define_domain_async (conn, xml, NULL, store_async_result, &result);
  defined = qvirt_connection_domain_finish (conn, wait_async (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (qvirt_domain_get_uuid (defined));
  g_clear_object (&result);

  qvirt_connection_lookup_domain_async (conn, qvirt_domain_get_uuid (defined), NULL,
                                        store_async_result, &result);
  found = qvirt_connection_domain_finish (conn, wait_async (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (qvirt_domain_get_name (found), ==, "vm1");
  g_clear_object (&result);

  qvirt_domain_start_async (found, QVIRT_START_PAUSED, NULL, store_async_result, &result);
  g_assert_true (qvirt_domain_operation_finish (found, wait_async (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  qvirt_domain_get_info_async (found, NULL, store_async_result, &result);
  info = qvirt_domain_get_info_finish (found, wait_async (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->state, ==, "paused");
  g_clear_object (&result);

  qvirt_domain_qmp_async (found, "query-status", NULL, store_async_result, &result);
  reply = qvirt_domain_text_finish (found, wait_async (&result), &error);
  g_assert_no_error (error);
  /* Started paused: QEMU never ran the vCPUs. */
  g_assert_nonnull (strstr (reply, "\"prelaunch\""));
  g_clear_object (&result);

  qvirt_domain_get_xml_async (found, TRUE, NULL, store_async_result, &result);
  dumped = qvirt_domain_text_finish (found, wait_async (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (dumped, "<name>vm1</name>"));
  g_clear_object (&result);

  qvirt_connection_list_domains_async (conn, TRUE, FALSE, NULL, store_async_result, &result);
  list = qvirt_connection_list_domains_finish (conn, wait_async (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_object (&result);

  qvirt_domain_destroy_async (found, NULL, store_async_result, &result);
  g_assert_true (qvirt_domain_operation_finish (found, wait_async (&result), &error));
  g_clear_object (&result);

  qvirt_domain_undefine_async (found, NULL, store_async_result, &result);
  g_assert_true (qvirt_domain_operation_finish (found, wait_async (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* An error arrives through _finish too. */
  qvirt_connection_lookup_domain_async (conn, "vm1", NULL, store_async_result, &result);
  g_assert_null (qvirt_connection_domain_finish (conn, wait_async (&result), &error));
  g_assert_error (error, QVIRT_ERROR, QVIRT_ERROR_NO_DOMAIN);
  g_clear_object (&result);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_domain_type ();

  g_test_add_func ("/driver/uri-errors", test_uri_errors);
  g_test_add_func ("/driver/root-lock", test_root_lock);
  g_test_add_func ("/driver/define-undefine", test_define_undefine);
  g_test_add_func ("/driver/name-uuid-clash", test_name_uuid_clash);
  g_test_add_func ("/driver/bad-xml-changes-nothing", test_bad_xml_changes_nothing);
  g_test_add_func ("/driver/read-only", test_read_only);
  g_test_add_func ("/driver/start-destroy", test_start_destroy);
  g_test_add_func ("/driver/stop-reason-outlives-process", test_stop_reason_outlives_process);
  g_test_add_func ("/driver/suspend-resume", test_suspend_resume);
  g_test_add_func ("/driver/start-failure", test_start_failure_leaves_nothing);
  g_test_add_func ("/driver/deep-root", test_deep_root);
  g_test_add_func ("/driver/qemu-killed", test_qemu_killed);
  g_test_add_func ("/driver/reattach", test_reattach_after_host_killed);
  g_test_add_func ("/driver/autodestroy/host-killed", test_autodestroy_dies_with_host);
  g_test_add_func ("/driver/autodestroy/close", test_autodestroy_on_close);
  g_test_add_func ("/driver/own-thread", test_own_thread);
  g_test_add_func ("/driver/async-variants", test_async_variants);
  g_test_add_func ("/driver/concurrent-starts", test_ten_concurrent_starts);
  g_test_add_func ("/driver/hundred-instances", test_hundred_instances);
  return g_test_run ();
}
