#include "qemu/paths.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

static QvirtPaths *
paths_new (QvirtPathsMode mode, const char *uri, const char *root,
           char *config_dir, char *runtime_dir, char *log_dir, char *cache_dir)
{
  QvirtPaths *paths = g_new0 (QvirtPaths, 1);

  paths->mode = mode;
  paths->uri = g_strdup (uri);
  paths->root = g_strdup (root);
  paths->config_dir = config_dir;
  paths->domains_dir = g_build_filename (config_dir, "domains", NULL);
  paths->runtime_dir = runtime_dir;
  paths->log_dir = log_dir;
  paths->cache_dir = cache_dir;
  paths->lock_path = g_build_filename (runtime_dir, "driver.lock", NULL);
  return paths;
}

static QvirtPaths *
paths_new_embed (const char *query, GError **error)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *root = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *raw_root;

  params = g_uri_parse_params (query ? query : "", -1, "&", G_URI_PARAMS_NONE,
                               &local_error);
  if (params == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid URI parameters: %s", local_error->message);
      return NULL;
    }
  raw_root = g_hash_table_lookup (params, "root");
  if (raw_root == NULL || *raw_root == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "qemu:///embed needs a root: qemu:///embed?root=/ABSOLUTE/DIR");
      return NULL;
    }
  if (!g_path_is_absolute (raw_root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the embed root must be an absolute path, not '%s'", raw_root);
      return NULL;
    }
  root = g_canonicalize_filename (raw_root, NULL);
  uri = g_strdup_printf ("qemu:///embed?root=%s", root);
  return paths_new (QVIRT_PATHS_EMBED, uri, root,
                    g_build_filename (root, "etc", NULL),
                    g_build_filename (root, "run", NULL),
                    g_build_filename (root, "log", NULL),
                    g_build_filename (root, "cache", NULL));
}

static QvirtPaths *
paths_new_session (GError **error)
{
  const char *runtime = g_get_user_runtime_dir ();

  return paths_new (QVIRT_PATHS_SESSION, "qemu:///session", NULL,
                    g_build_filename (g_get_user_config_dir (), "qvirt", NULL),
                    g_build_filename (runtime, "qvirt", NULL),
                    g_build_filename (g_get_user_state_dir (), "qvirt", "log", NULL),
                    g_build_filename (g_get_user_cache_dir (), "qvirt", NULL));
}

static QvirtPaths *
paths_new_system (void)
{
  return paths_new (QVIRT_PATHS_SYSTEM, "qemu:///system", NULL,
                    g_strdup ("/etc/qvirt"),
                    g_strdup ("/run/qvirt"),
                    g_strdup ("/var/log/qvirt"),
                    g_strdup ("/var/cache/qvirt"));
}

QvirtPaths *
qvirt_paths_new_for_uri (const char *uri, GError **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *path;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid URI '%s': %s", uri, local_error->message);
      return NULL;
    }
  if (g_strcmp0 (g_uri_get_scheme (parsed), "qemu") != 0 ||
      (g_uri_get_host (parsed) && *g_uri_get_host (parsed)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "unsupported URI '%s': this driver serves qemu:///embed?root=DIR, "
                   "qemu:///session and qemu:///system", uri);
      return NULL;
    }

  path = g_uri_get_path (parsed);
  if (g_str_equal (path, "/embed"))
    return paths_new_embed (g_uri_get_query (parsed), error);
  if (g_str_equal (path, "/session"))
    return paths_new_session (error);
  if (g_str_equal (path, "/system"))
    return paths_new_system ();

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "unsupported URI path '%s' in '%s': use /embed, /session or /system",
               path, uri);
  return NULL;
}

gboolean
qvirt_paths_ensure_dirs (const QvirtPaths *paths, GError **error)
{
  const char *dirs[] = {
    paths->config_dir, paths->domains_dir, paths->runtime_dir,
    paths->log_dir, paths->cache_dir,
  };

  if (paths->root && g_mkdir_with_parents (paths->root, 0700) < 0)
    goto fail_root;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      /* The system config and runtime dirs are 0755: the read-only
       * socket in the runtime dir is for every user. */
      int mode = (paths->mode == QVIRT_PATHS_SYSTEM &&
                  (dirs[i] == paths->config_dir || dirs[i] == paths->runtime_dir))
                   ? 0755 : 0700;

      if (g_mkdir_with_parents (dirs[i], mode) < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot create directory '%s': %s", dirs[i],
                       g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;

fail_root:
  {
    int saved_errno = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "cannot create root '%s': %s", paths->root, g_strerror (saved_errno));
    return FALSE;
  }
}

static char *
domain_file (const char *dir, const char *name, const char *suffix)
{
  g_autofree char *base = g_strconcat (name, suffix, NULL);

  g_return_val_if_fail (name != NULL && strchr (name, '/') == NULL, NULL);
  return g_build_filename (dir, base, NULL);
}

char *
qvirt_paths_domain_config (const QvirtPaths *paths, const char *name)
{
  return domain_file (paths->domains_dir, name, ".xml");
}

char *
qvirt_paths_domain_status (const QvirtPaths *paths, const char *name)
{
  return domain_file (paths->runtime_dir, name, ".status");
}

char *
qvirt_paths_domain_stop_reason (const QvirtPaths *paths, const char *name)
{
  return domain_file (paths->runtime_dir, name, ".stopped");
}

char *
qvirt_paths_domain_monitor (const QvirtPaths *paths, const char *name)
{
  return domain_file (paths->runtime_dir, name, ".qmp");
}

char *
qvirt_paths_daemon_socket (const QvirtPaths *paths, gboolean read_only)
{
  return g_build_filename (paths->runtime_dir,
                           read_only ? QVIRT_PATHS_READ_ONLY_SOCKET_NAME
                                     : QVIRT_PATHS_SOCKET_NAME, NULL);
}

char *
qvirt_paths_domain_console (const QvirtPaths *paths, const char *name)
{
  return domain_file (paths->runtime_dir, name, ".console");
}

char *
qvirt_paths_domain_log (const QvirtPaths *paths, const char *name)
{
  return domain_file (paths->log_dir, name, ".log");
}

void
qvirt_paths_free (QvirtPaths *paths)
{
  if (paths == NULL)
    return;
  g_free (paths->uri);
  g_free (paths->root);
  g_free (paths->config_dir);
  g_free (paths->domains_dir);
  g_free (paths->runtime_dir);
  g_free (paths->log_dir);
  g_free (paths->cache_dir);
  g_free (paths->lock_path);
  g_free (paths);
}
