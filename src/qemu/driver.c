/* The driver instance: a root, its domains, and their events.
 *
 * This file holds what does not wait on QEMU: opening a root (lock,
 * persistent definitions, reattaching to running domains), defining and
 * undefining, lookup, listing and events. The lifecycle lives in
 * domain-start.c, domain-stop.c and domain-control.c.
 */
#include "qemu/driver-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf-error.h"
#include "conf/domain-values.h"
#include "conf/domain-xml.h"
#include "qemu/domain-status.h"
#include "util/proc.h"
#include "util/unix-socket.h"

#define DEFAULT_QEMU_BINARY "qemu-system-x86_64"
#define DEFAULT_SHUTDOWN_GRACE_MS 5000
#define DEFAULT_MONITOR_TIMEOUT_MS 30000

static const char *const state_names[] = {
  [QVIRT_DOMAIN_STATE_SHUTOFF] = "shutoff",
  [QVIRT_DOMAIN_STATE_RUNNING] = "running",
  [QVIRT_DOMAIN_STATE_PAUSED] = "paused",
  [QVIRT_DOMAIN_STATE_CRASHED] = "crashed",
};

const char *
qvirt_domain_state_to_string (QvirtDomainState state)
{
  return (guint) state < G_N_ELEMENTS (state_names) ? state_names[state] : "unknown";
}

void
qvirt_driver_domain_info_free (QvirtDriverDomainInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->uuid);
  g_free (info->reason);
  g_free (info);
}

/* ------------------------------------------------------------------ */
/* Definitions: the one place that calls into conf/                     */

static QvirtErrorCode
error_code_from_conf (const GError *error)
{
  if (error->domain != QVIRT_CONF_ERROR)
    return QVIRT_ERROR_INTERNAL;
  switch ((QvirtConfError) error->code)
    {
    case QVIRT_CONF_ERROR_UNSUPPORTED:
      return QVIRT_ERROR_UNSUPPORTED;
    case QVIRT_CONF_ERROR_NEEDS_OTHER_DRIVER:
      return QVIRT_ERROR_NEEDS_OTHER_DRIVER;
    case QVIRT_CONF_ERROR_INVALID_XML:
    case QVIRT_CONF_ERROR_INVALID_VALUE:
    default:
      return QVIRT_ERROR_INVALID_XML;
    }
}

DomainDef *
qvirt_driver_load_definition (const char *xml, GError **error)
{
  g_autoptr(GError) conf_error = NULL;
  g_autoptr(DomainDef) def = NULL;

  def = domain_def_new_from_xml (xml, strlen (xml), &conf_error);
  if (def == NULL)
    {
      g_set_error_literal (error, QVIRT_ERROR, error_code_from_conf (conf_error),
                           conf_error->message);
      return NULL;
    }
  return g_steal_pointer (&def);
}

char *
qvirt_driver_format_definition (const DomainDef *def)
{
  return domain_def_format_xml (def);
}

/* ------------------------------------------------------------------ */
/* Domain objects                                                       */

static QvirtDomainObj *
domain_obj_new (QvirtDriver *driver, const char *name, const char *uuid)
{
  QvirtDomainObj *dom = g_new0 (QvirtDomainObj, 1);

  g_ref_count_init (&dom->ref_count);
  dom->driver = driver;
  dom->name = g_strdup (name);
  dom->uuid = g_strdup (uuid);
  dom->state = QVIRT_DOMAIN_STATE_SHUTOFF;
  dom->reason = g_strdup ("unknown");
  dom->monitor_path = qvirt_paths_domain_monitor (driver->paths, name);
  dom->console_path = qvirt_paths_domain_console (driver->paths, name);
  dom->status_path = qvirt_paths_domain_status (driver->paths, name);
  dom->stop_reason_path = qvirt_paths_domain_stop_reason (driver->paths, name);
  dom->log_path = qvirt_paths_domain_log (driver->paths, name);
  dom->exit_waiters = g_ptr_array_new ();
  return dom;
}

QvirtDomainObj *
qvirt_domain_obj_ref (QvirtDomainObj *dom)
{
  g_ref_count_inc (&dom->ref_count);
  return dom;
}

void
qvirt_domain_obj_unref (QvirtDomainObj *dom)
{
  if (dom == NULL || !g_ref_count_dec (&dom->ref_count))
    return;
  g_ptr_array_free (dom->exit_waiters, TRUE);
  g_clear_error (&dom->start_error);
  g_clear_pointer (&dom->persistent_def, domain_def_free);
  g_clear_pointer (&dom->live_def, domain_def_free);
  g_free (dom->live_xml);
  g_free (dom->name);
  g_free (dom->uuid);
  g_free (dom->reason);
  g_free (dom->monitor_path);
  g_free (dom->console_path);
  g_free (dom->status_path);
  g_free (dom->stop_reason_path);
  g_free (dom->log_path);
  g_free (dom);
}

/* Called when the domain leaves the driver (or the driver closes):
 * drops the runtime links and answers whoever still waits, then the
 * table's reference goes. Callbacks holding their own reference see
 * dom->driver == NULL and stop there. */
static void
domain_obj_dispose (QvirtDomainObj *dom)
{
  GError *closed;

  dom->driver = NULL;
  closed = g_error_new (QVIRT_ERROR, QVIRT_ERROR_CLOSED,
                        "domain '%s': the driver was closed", dom->name);
  for (guint i = 0; i < dom->exit_waiters->len; i++)
    {
      GTask *task = dom->exit_waiters->pdata[i];

      g_task_return_error (task, g_error_copy (closed));
      g_object_unref (task);
    }
  g_ptr_array_set_size (dom->exit_waiters, 0);
  if (dom->start_task)
    {
      g_task_return_error (dom->start_task, g_error_copy (closed));
      g_clear_object (&dom->start_task);
    }
  g_error_free (closed);

  if (dom->kill_timer)
    {
      g_source_destroy (dom->kill_timer);
      g_clear_pointer (&dom->kill_timer, g_source_unref);
    }
  g_clear_pointer (&dom->watch, qvirt_process_watch_free);
  if (dom->monitor)
    {
      qmp_client_set_closed_handler (dom->monitor, NULL, NULL, NULL);
      qmp_client_close (dom->monitor);
      g_clear_pointer (&dom->monitor, qmp_client_unref);
    }
  g_clear_pointer (&dom->console, qvirt_console_free);
  qvirt_domain_obj_unref (dom);
}

gboolean
qvirt_uuid_equal (const char *a, const char *b)
{
  while (*a && *b)
    {
      if (*a == '-')
        a++;
      else if (*b == '-')
        b++;
      else if (g_ascii_tolower (*a++) != g_ascii_tolower (*b++))
        return FALSE;
    }
  while (*a == '-')
    a++;
  while (*b == '-')
    b++;
  return *a == '\0' && *b == '\0';
}

QvirtDomainObj *
qvirt_driver_find (QvirtDriver *driver, const char *name_or_uuid)
{
  GHashTableIter iter;
  QvirtDomainObj *dom;

  if (name_or_uuid == NULL)
    return NULL;
  dom = g_hash_table_lookup (driver->domains, name_or_uuid);
  if (dom)
    return dom;
  /* Not a name: maybe a UUID, in any case and with or without dashes. */
  g_hash_table_iter_init (&iter, driver->domains);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &dom))
    if (qvirt_uuid_equal (dom->uuid, name_or_uuid))
      return dom;
  return NULL;
}

QvirtDomainObj *
qvirt_driver_find_or_error (QvirtDriver *driver, const char *name_or_uuid, GError **error)
{
  QvirtDomainObj *dom = qvirt_driver_find (driver, name_or_uuid);

  if (dom == NULL)
    g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_NO_DOMAIN,
                 "no domain with matching name or uuid '%s'",
                 name_or_uuid ? name_or_uuid : "");
  return dom;
}

void
qvirt_driver_remove_domain (QvirtDriver *driver, QvirtDomainObj *dom)
{
  g_hash_table_remove (driver->domains, dom->name);
}

/* ------------------------------------------------------------------ */
/* Names and UUIDs held by others                                       */

static void
reservation_free (QvirtReservation *reservation)
{
  g_free (reservation->name);
  g_free (reservation->uuid);
  g_free (reservation->holder);
  g_free (reservation);
}

static gboolean
check_not_reserved (QvirtDriver *driver, const char *name, const char *uuid, GError **error)
{
  QvirtReservation *reservation = g_hash_table_lookup (driver->reservations, name);
  GHashTableIter iter;

  if (reservation != NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                   "domain '%s' is already run by %s", name, reservation->holder);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, driver->reservations);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &reservation))
    if (qvirt_uuid_equal (reservation->uuid, uuid))
      {
        g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                     "uuid %s is already used by domain '%s', run by %s", uuid,
                     reservation->name, reservation->holder);
        return FALSE;
      }
  return TRUE;
}

gboolean
qvirt_driver_reserve (QvirtDriver *driver, const char *name, const char *uuid,
                      const char *holder, GError **error)
{
  g_autofree char *normalized = domain_uuid_normalize (uuid);
  const char *reason = NULL;
  QvirtDomainObj *dom;
  GHashTableIter iter;
  QvirtReservation *reservation;

  if (!domain_name_is_valid (name, &reason))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                   "invalid domain name '%s': %s", name, reason);
      return FALSE;
    }
  if (normalized == NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                   "invalid uuid '%s'", uuid);
      return FALSE;
    }
  if (!check_not_reserved (driver, name, normalized, error))
    return FALSE;
  dom = g_hash_table_lookup (driver->domains, name);
  /* Running a definition of ours elsewhere (qvirtd launches its domains
   * through qvirt-run) is fine: it is the same domain. */
  if (dom != NULL && !(dom->persistent_def != NULL && !qvirt_domain_obj_is_active (dom) &&
                       qvirt_uuid_equal (dom->uuid, normalized)))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                   "domain '%s' already exists in %s", name, driver->paths->uri);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, driver->domains);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &dom))
    if (!g_str_equal (dom->name, name) && qvirt_uuid_equal (dom->uuid, normalized))
      {
        g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                     "uuid %s is already used by domain '%s' in %s", normalized, dom->name,
                     driver->paths->uri);
        return FALSE;
      }

  reservation = g_new0 (QvirtReservation, 1);
  reservation->name = g_strdup (name);
  reservation->uuid = g_steal_pointer (&normalized);
  reservation->holder = g_strdup (holder);
  g_hash_table_insert (driver->reservations, reservation->name, reservation);
  return TRUE;
}

void
qvirt_driver_release (QvirtDriver *driver, const char *name)
{
  g_hash_table_remove (driver->reservations, name);
}

void
qvirt_driver_mark_starting_elsewhere (QvirtDriver *driver, const char *name, gboolean starting)
{
  QvirtDomainObj *dom = g_hash_table_lookup (driver->domains, name);

  if (dom == NULL || qvirt_domain_obj_is_active (dom))
    return;
  if (starting)
    qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_PAUSED, "starting");
  else if (dom->state != QVIRT_DOMAIN_STATE_SHUTOFF)
    qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_SHUTOFF, "failed");
}

void
qvirt_driver_emit_external (QvirtDriver *driver, const QvirtDriverEvent *event)
{
  QvirtReservation *reservation = g_hash_table_lookup (driver->reservations, event->domain);
  /* Only for names held here: a shim speaks for its own domain only. */
  QvirtDomainObj stand_in = { .name = (char *) event->domain };

  QvirtDomainObj *dom = g_hash_table_lookup (driver->domains, event->domain);

  if (reservation == NULL)
    return;
  /* Our definition, run by a shim: its end is why it is shut off now. */
  if (dom != NULL && g_str_equal (event->event, "stopped") && !qvirt_domain_obj_is_active (dom))
    qvirt_domain_obj_set_state (dom, QVIRT_DOMAIN_STATE_SHUTOFF, event->detail);
  stand_in.uuid = reservation->uuid;
  qvirt_driver_emit (driver, &stand_in, event->event, event->detail, event->qmp_data,
                     event->timestamp_us);
}

/* Checks that @def may join the driver as (a new definition of) a
 * domain: names and UUIDs are unique. Returns the existing object with
 * the same name and UUID, if any. */
static gboolean
check_unique (QvirtDriver *driver, const DomainDef *def, QvirtDomainObj **existing,
              GError **error)
{
  QvirtDomainObj *by_name = g_hash_table_lookup (driver->domains, def->name);
  GHashTableIter iter;
  QvirtDomainObj *dom;

  *existing = NULL;
  if (!check_not_reserved (driver, def->name, def->uuid, error))
    return FALSE;
  if (by_name && !g_str_equal (by_name->uuid, def->uuid))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                   "domain '%s' already exists with uuid %s", def->name, by_name->uuid);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, driver->domains);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &dom))
    if (dom != by_name && g_str_equal (dom->uuid, def->uuid))
      {
        g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                     "domain '%s' is already defined with uuid %s", dom->name, dom->uuid);
        return FALSE;
      }
  *existing = by_name;
  return TRUE;
}

char *
qvirt_driver_check_new_domain (QvirtDriver *driver, const char *xml, char **name,
                               char **uuid, GError **error)
{
  g_autoptr(DomainDef) def = qvirt_driver_load_definition (xml, error);
  QvirtDomainObj *existing;

  if (def == NULL || !check_unique (driver, def, &existing, error))
    return NULL;
  if (existing != NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                   "domain '%s' already exists; use start to run it", def->name);
      return NULL;
    }
  *name = g_strdup (def->name);
  *uuid = g_strdup (def->uuid);
  return domain_def_format_xml (def);
}

/* ------------------------------------------------------------------ */
/* Events                                                               */

void
qvirt_driver_emit (QvirtDriver *driver, QvirtDomainObj *dom, const char *event,
                   const char *detail, json_t *qmp_data, gint64 timestamp_us)
{
  QvirtDriverEvent ev = {
    .domain = dom->name,
    .uuid = dom->uuid,
    .event = event,
    .detail = detail,
    .qmp_data = qmp_data,
    .timestamp_us = timestamp_us ? timestamp_us : g_get_real_time (),
  };
  /* A subscriber may unsubscribe while we iterate: walk a snapshot that
   * owns nothing (a copy would inherit the free function). */
  g_autoptr(GPtrArray) snapshot = g_ptr_array_copy (driver->subscriptions, NULL, NULL);

  g_ptr_array_set_free_func (snapshot, NULL);

  for (guint i = 0; i < snapshot->len; i++)
    {
      QvirtDriverSubscription *sub = snapshot->pdata[i];

      if (g_ptr_array_find (driver->subscriptions, sub, NULL))
        sub->func (driver, &ev, sub->user_data);
    }
}

static void
subscription_free (QvirtDriverSubscription *sub)
{
  if (sub->destroy)
    sub->destroy (sub->user_data);
  g_free (sub);
}

guint
qvirt_driver_subscribe (QvirtDriver *driver, QvirtDriverEventFunc func, gpointer user_data,
                        GDestroyNotify destroy)
{
  QvirtDriverSubscription *sub = g_new0 (QvirtDriverSubscription, 1);

  sub->id = ++driver->next_subscription_id;
  sub->func = func;
  sub->user_data = user_data;
  sub->destroy = destroy;
  g_ptr_array_add (driver->subscriptions, sub);
  return sub->id;
}

void
qvirt_driver_unsubscribe (QvirtDriver *driver, guint id)
{
  for (guint i = 0; i < driver->subscriptions->len; i++)
    {
      QvirtDriverSubscription *sub = driver->subscriptions->pdata[i];

      if (sub->id == id)
        {
          g_ptr_array_remove_index (driver->subscriptions, i);
          return;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Opening a root                                                       */

/* Why the domain last stopped, as the process that saw it recorded (a
 * reattach corrects it if the domain runs). */
static void
load_stop_reason (QvirtDomainObj *dom)
{
  g_autofree char *reason = NULL;

  if (!g_file_get_contents (dom->stop_reason_path, &reason, NULL, NULL))
    return;
  g_strchomp (reason);
  /* A word we wrote, or nothing. */
  if (*reason == '\0' || strspn (reason, "abcdefghijklmnopqrstuvwxyz-") != strlen (reason))
    return;
  g_free (dom->reason);
  dom->reason = g_steal_pointer (&reason);
}

static void
load_persistent_definitions (QvirtDriver *driver)
{
  g_autoptr(GDir) dir = g_dir_open (driver->paths->domains_dir, 0, NULL);
  const char *entry;

  if (dir == NULL)
    return;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *xml = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(DomainDef) def = NULL;
      QvirtDomainObj *existing;
      QvirtDomainObj *dom;

      if (!g_str_has_suffix (entry, ".xml"))
        continue;
      path = g_build_filename (driver->paths->domains_dir, entry, NULL);
      /* A definition that no longer loads (edited by hand, say) is left
       * on disk untouched and reported, never deleted. */
      if (!g_file_get_contents (path, &xml, NULL, &error) ||
          (def = qvirt_driver_load_definition (xml, &error)) == NULL ||
          !check_unique (driver, def, &existing, &error))
        {
          g_warning ("ignoring domain definition %s: %s", path, error->message);
          continue;
        }
      dom = domain_obj_new (driver, def->name, def->uuid);
      dom->persistent_def = g_steal_pointer (&def);
      load_stop_reason (dom);
      g_hash_table_insert (driver->domains, dom->name, dom);
    }
}

static void
on_reattached_status (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QvirtDomainObj *dom = user_data;
  g_autoptr(json_t) status = qmp_client_execute_finish (NULL, result, NULL);

  if (status != NULL)
    qvirt_domain_obj_catch_up (dom, json_string_value (json_object_get (status, "status")));
  qvirt_domain_obj_unref (dom);
}

static void
on_reattached_handshake (GObject *source, GAsyncResult *result, gpointer user_data)
{
  QvirtDomainObj *dom = user_data;
  g_autoptr(GError) error = NULL;

  if (qmp_client_handshake_finish (NULL, result, &error))
    {
      /* What happened while nobody listened to its events. */
      qmp_client_execute_async (dom->monitor, "query-status", NULL, NULL,
                                on_reattached_status, dom);
      return;
    }
  /* Losing the monitor because the domain is being stopped (destroy
   * right after reattaching) or the driver closes is no news. */
  if (dom->driver && dom->pid > 0 && dom->stop_reason == NULL)
    g_warning ("cannot reattach to the monitor of domain '%s': %s", dom->name,
               error->message);
  qvirt_domain_obj_unref (dom);
}

/* Adopts a QEMU left running by an earlier driver instance. */
static void
reattach_domain (QvirtDriver *driver, const char *status_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QvirtDomainStatus) status = qvirt_domain_status_load (status_path, &error);
  g_autoptr(DomainDef) live_def = NULL;
  QvirtDomainObj *dom;
  int fd;

  if (status == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }
  if (!qvirt_proc_is_same_process (status->pid, status->start_time))
    {
      /* QEMU is gone (or its pid now names another process): clean up. */
      g_autofree char *monitor = qvirt_paths_domain_monitor (driver->paths, status->name);
      g_autofree char *console = qvirt_paths_domain_console (driver->paths, status->name);

      g_unlink (status_path);
      g_unlink (monitor);
      g_unlink (console);
      return;
    }
  live_def = qvirt_driver_load_definition (status->live_xml, &error);
  if (live_def == NULL)
    {
      g_warning ("domain '%s' runs (pid %d) but its status cannot be read: %s",
                 status->name, (int) status->pid, error->message);
      return;
    }

  dom = g_hash_table_lookup (driver->domains, status->name);
  if (dom == NULL)
    {
      dom = domain_obj_new (driver, status->name, status->uuid);
      g_hash_table_insert (driver->domains, dom->name, dom);
    }
  dom->live_def = g_steal_pointer (&live_def);
  dom->live_xml = g_strdup (status->live_xml);
  dom->pid = status->pid;
  dom->start_time = status->start_time;
  dom->started_at = status->started_at;
  dom->autodestroy = status->autodestroy;
  dom->has_console = status->console_path != NULL;
  qvirt_domain_obj_set_state (dom,
                          status->paused ? QVIRT_DOMAIN_STATE_PAUSED
                                         : QVIRT_DOMAIN_STATE_RUNNING,
                          status->paused ? status->paused_reason : "booted");

  /* Not our child any more: a pidfd tells us when it exits. */
  dom->watch = qvirt_process_watch_new (dom->pid, FALSE, driver->context,
                                        qvirt_domain_obj_on_process_exit, dom, &error);
  if (dom->watch == NULL)
    {
      g_warning ("cannot watch domain '%s': %s", dom->name, error->message);
      return;
    }
  fd = qvirt_unix_socket_connect (dom->monitor_path, &error);
  if (fd < 0)
    {
      g_warning ("cannot reconnect to the monitor of domain '%s': %s", dom->name,
                 error->message);
      return;
    }
  qvirt_domain_obj_attach_monitor (dom, fd);
  if (dom->monitor)
    qmp_client_handshake_async (dom->monitor, NULL, on_reattached_handshake,
                                qvirt_domain_obj_ref (dom));
}

static void
reattach_running_domains (QvirtDriver *driver)
{
  g_autoptr(GDir) dir = g_dir_open (driver->paths->runtime_dir, 0, NULL);
  const char *entry;

  if (dir == NULL)
    return;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_suffix (entry, ".status"))
        continue;
      path = g_build_filename (driver->paths->runtime_dir, entry, NULL);
      reattach_domain (driver, path);
    }
}

QvirtDriver *
qvirt_driver_open (const char *uri, const QvirtDriverOptions *options, GError **error)
{
  g_autoptr(QvirtPaths) paths = NULL;
  g_autoptr(GError) local_error = NULL;
  QvirtRootLock *lock;
  QvirtDriver *driver;

  g_return_val_if_fail (uri != NULL, NULL);

  paths = qvirt_paths_new_for_uri (uri, &local_error);
  if (paths == NULL)
    {
      g_set_error_literal (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_ARGUMENT,
                           local_error->message);
      return NULL;
    }
  if (!qvirt_paths_ensure_dirs (paths, &local_error))
    {
      g_set_error_literal (error, QVIRT_ERROR,
                           g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
                             ? QVIRT_ERROR_ACCESS_DENIED : QVIRT_ERROR_INTERNAL,
                           local_error->message);
      return NULL;
    }
  lock = qvirt_root_lock_acquire (paths->lock_path, paths->root ? paths->root : paths->uri,
                                  &local_error);
  if (lock == NULL)
    {
      g_set_error_literal (error, QVIRT_ERROR,
                           g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BUSY)
                             ? QVIRT_ERROR_BUSY : QVIRT_ERROR_INTERNAL,
                           local_error->message);
      return NULL;
    }

  driver = g_new0 (QvirtDriver, 1);
  driver->context = g_main_context_ref_thread_default ();
  driver->paths = g_steal_pointer (&paths);
  driver->lock = lock;
  driver->qemu_binary = g_strdup (options && options->qemu_binary ? options->qemu_binary
                                                                  : DEFAULT_QEMU_BINARY);
  driver->shutdown_grace_ms = options && options->shutdown_grace_ms
                                ? options->shutdown_grace_ms : DEFAULT_SHUTDOWN_GRACE_MS;
  driver->monitor_timeout_ms = options && options->monitor_timeout_ms
                                 ? options->monitor_timeout_ms : DEFAULT_MONITOR_TIMEOUT_MS;
  driver->reservations = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                (GDestroyNotify) reservation_free);
  driver->domains = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) domain_obj_dispose);
  driver->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_free);

  load_persistent_definitions (driver);
  reattach_running_domains (driver);
  return driver;
}

void
qvirt_driver_close (QvirtDriver *driver)
{
  GHashTableIter iter;
  QvirtDomainObj *dom;

  if (driver == NULL)
    return;

  /* Subscribers hear nothing of the teardown. */
  g_ptr_array_set_size (driver->subscriptions, 0);

  g_hash_table_iter_init (&iter, driver->domains);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &dom))
    if (dom->autodestroy && qvirt_domain_obj_is_active (dom))
      qvirt_domain_obj_kill_now (dom);

  g_hash_table_destroy (driver->domains);
  g_hash_table_destroy (driver->reservations);
  g_ptr_array_free (driver->subscriptions, TRUE);
  qvirt_root_lock_release (driver->lock);
  qvirt_paths_free (driver->paths);
  g_free (driver->qemu_binary);
  g_main_context_unref (driver->context);
  g_free (driver);
}

const char *
qvirt_driver_get_runtime_dir (QvirtDriver *driver)
{
  return driver->paths->runtime_dir;
}

GMainContext *
qvirt_driver_get_context (QvirtDriver *driver)
{
  return driver->context;
}

const char *
qvirt_driver_get_uri (QvirtDriver *driver)
{
  return driver->paths->uri;
}

/* ------------------------------------------------------------------ */
/* Define, undefine                                                     */

gboolean
qvirt_driver_define (QvirtDriver *driver, const char *xml, char **name_out, GError **error)
{
  g_autoptr(DomainDef) def = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) io_error = NULL;
  QvirtDomainObj *dom;

  g_return_val_if_fail (xml != NULL, FALSE);

  def = qvirt_driver_load_definition (xml, error);
  if (def == NULL || !check_unique (driver, def, &dom, error))
    return FALSE;

  canonical = qvirt_driver_format_definition (def);
  path = qvirt_paths_domain_config (driver->paths, def->name);
  if (!g_file_set_contents_full (path, canonical, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &io_error))
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
                   "cannot save the definition of domain '%s': %s", def->name,
                   io_error->message);
      return FALSE;
    }

  if (dom == NULL)
    {
      dom = domain_obj_new (driver, def->name, def->uuid);
      g_hash_table_insert (driver->domains, dom->name, dom);
    }
  g_clear_pointer (&dom->persistent_def, domain_def_free);
  dom->persistent_def = g_steal_pointer (&def);
  if (name_out)
    *name_out = g_strdup (dom->name);
  qvirt_driver_emit (driver, dom, "defined", NULL, NULL, 0);
  return TRUE;
}

gboolean
qvirt_driver_undefine (QvirtDriver *driver, const char *name, GError **error)
{
  QvirtDomainObj *dom = qvirt_driver_find_or_error (driver, name, error);
  g_autofree char *path = NULL;

  if (dom == NULL)
    return FALSE;
  if (dom->persistent_def == NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                   "domain '%s' is transient: there is no definition to remove", dom->name);
      return FALSE;
    }
  path = qvirt_paths_domain_config (driver->paths, dom->name);
  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
                   "cannot remove %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  g_unlink (dom->stop_reason_path);
  g_clear_pointer (&dom->persistent_def, domain_def_free);
  qvirt_driver_emit (driver, dom, "undefined", NULL, NULL, 0);
  if (!qvirt_domain_obj_is_active (dom))
    qvirt_driver_remove_domain (driver, dom);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Queries                                                              */

static QvirtDriverDomainInfo *
make_info (QvirtDomainObj *dom)
{
  QvirtDriverDomainInfo *info = g_new0 (QvirtDriverDomainInfo, 1);
  const DomainDef *def = dom->live_def ? dom->live_def : dom->persistent_def;

  info->name = g_strdup (dom->name);
  info->uuid = g_strdup (dom->uuid);
  info->state = dom->state;
  info->reason = g_strdup (dom->reason);
  info->persistent = dom->persistent_def != NULL;
  info->autodestroy = dom->autodestroy;
  if (def)
    {
      info->memory_kib = def->memory_kib;
      info->vcpus = def->vcpus;
    }
  if (qvirt_domain_obj_is_active (dom) && dom->pid > 0)
    {
      info->pid = dom->pid;
      qvirt_proc_get_cpu_time_ns (dom->pid, &info->cpu_time_ns, NULL);
    }
  return info;
}

static gint
compare_info_by_name (gconstpointer a, gconstpointer b)
{
  const QvirtDriverDomainInfo *x = *(QvirtDriverDomainInfo * const *) a;
  const QvirtDriverDomainInfo *y = *(QvirtDriverDomainInfo * const *) b;

  return strcmp (x->name, y->name);
}

GPtrArray *
qvirt_driver_list (QvirtDriver *driver, gboolean active, gboolean inactive)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) qvirt_driver_domain_info_free);
  GHashTableIter iter;
  QvirtDomainObj *dom;

  g_hash_table_iter_init (&iter, driver->domains);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &dom))
    {
      gboolean is_active = qvirt_domain_obj_is_active (dom);

      /* A definition a shim runs now is listed by whoever lists the shims. */
      if (g_hash_table_contains (driver->reservations, dom->name))
        continue;
      if ((is_active && active) || (!is_active && inactive))
        g_ptr_array_add (list, make_info (dom));
    }
  g_ptr_array_sort (list, compare_info_by_name);
  return list;
}

QvirtDriverDomainInfo *
qvirt_driver_get_info (QvirtDriver *driver, const char *name, GError **error)
{
  QvirtDomainObj *dom = qvirt_driver_find_or_error (driver, name, error);

  return dom ? make_info (dom) : NULL;
}

char *
qvirt_driver_get_xml (QvirtDriver *driver, const char *name, gboolean inactive, GError **error)
{
  QvirtDomainObj *dom = qvirt_driver_find_or_error (driver, name, error);

  if (dom == NULL)
    return NULL;
  if (!inactive && dom->live_def)
    return qvirt_driver_format_definition (dom->live_def);
  if (dom->persistent_def)
    return qvirt_driver_format_definition (dom->persistent_def);
  if (dom->live_def)
    return qvirt_driver_format_definition (dom->live_def);
  g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INTERNAL,
               "domain '%s' has no definition", dom->name);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Create: a transient domain                                           */

static void
on_transient_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autofree char *name = g_strdup (g_task_get_task_data (task));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&name), g_free);
}

void
qvirt_driver_create_async (QvirtDriver *driver, const char *xml, QvirtDriverStartFlags flags,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(DomainDef) def = NULL;
  GError *error = NULL;
  QvirtDomainObj *dom;
  GTask *start_task;

  g_task_set_source_tag (task, qvirt_driver_create_async);
  def = qvirt_driver_load_definition (xml, &error);
  if (def == NULL || !check_unique (driver, def, &dom, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (dom != NULL)
    {
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_ALREADY_EXISTS,
                               "domain '%s' already exists; use start to run it",
                               def->name);
      return;
    }

  dom = domain_obj_new (driver, def->name, def->uuid);
  g_hash_table_insert (driver->domains, dom->name, dom);
  dom->live_def = g_steal_pointer (&def);
  g_task_set_task_data (task, g_strdup (dom->name), g_free);

  start_task = g_task_new (NULL, cancellable, on_transient_started, g_object_ref (task));
  qvirt_domain_obj_start (dom, flags, start_task);
  g_object_unref (start_task);
}

char *
qvirt_driver_create_finish (QvirtDriver *driver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
qvirt_driver_start_async (QvirtDriver *driver, const char *name, QvirtDriverStartFlags flags,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  QvirtDomainObj *dom;

  g_task_set_source_tag (task, qvirt_driver_start_async);
  dom = qvirt_driver_find_or_error (driver, name, &error);
  if (dom == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (qvirt_domain_obj_is_active (dom) ||
      g_hash_table_contains (driver->reservations, dom->name))
    {
      g_task_return_new_error (task, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                               "domain '%s' is already %s", dom->name,
                               dom->start_task ? "starting" : "running");
      return;
    }
  /* The live definition is a private copy: redefining while it runs
   * changes only the next start. */
  dom->live_def = domain_def_copy (dom->persistent_def);
  qvirt_domain_obj_start (dom, flags, task);
}

gboolean
qvirt_driver_start_finish (QvirtDriver *driver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
