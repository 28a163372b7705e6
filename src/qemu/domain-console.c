/* Opening a running domain's serial console (driver.h).
 *
 * The console socket is QEMU's (domain-start.c binds it for the first
 * pty serial port); the QvirtConsole that shares it among readers is
 * created on the first open and lives until QEMU exits. */
#include "qemu/driver-private.h"

#include <unistd.h>

gboolean
qvirt_driver_check_console (QvirtDriver *driver, const char *name, GError **error)
{
  QvirtDomainObj *dom = qvirt_driver_find_or_error (driver, name, error);

  if (dom == NULL)
    return FALSE;
  if (!qvirt_domain_obj_is_active (dom) || dom->monitor == NULL)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_INVALID_STATE,
                   "domain '%s' is not running", dom->name);
      return FALSE;
    }
  if (!dom->has_console)
    {
      g_set_error (error, QVIRT_ERROR, QVIRT_ERROR_UNSUPPORTED,
                   "domain '%s' has no console qvirt can open: give it "
                   "<serial type='pty'/> (its guest must use that port, e.g. "
                   "console=ttyS0)", dom->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
qvirt_driver_attach_console (QvirtDriver *driver, const char *name, int fd, GError **error)
{
  QvirtDomainObj *dom;

  g_return_val_if_fail (fd >= 0, FALSE);

  if (!qvirt_driver_check_console (driver, name, error))
    {
      close (fd);
      return FALSE;
    }
  dom = qvirt_driver_find (driver, name);
  if (dom->console == NULL)
    dom->console = qvirt_console_new (dom->console_path, driver->context);
  return qvirt_console_add_reader (dom->console, fd, error);
}
