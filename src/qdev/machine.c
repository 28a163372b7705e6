/* The machine and its vCPU topology: -machine and -smp, both key=value
 * only in QEMU 7.2. */
#include "qdev/qdev-private.h"

json_t *
qdev_machine_new (const char *type, const char *memory_backend,
                  GError **error)
{
  g_autoptr(json_t) machine = json_object ();

  g_return_val_if_fail (type != NULL, NULL);

  if (!qdev_check_nonempty_string ("machine type", type, error))
    return NULL;
  json_object_set_new (machine, "type", json_string (type));
  if (memory_backend != NULL &&
      !qdev_set_id (machine, "memory-backend", "memory backend id",
                    memory_backend, error))
    return NULL;
  return g_steal_pointer (&machine);
}

json_t *
qdev_smp_new (const QdevSmp *smp, GError **error)
{
  g_autoptr(json_t) props = json_object ();

  g_return_val_if_fail (smp != NULL, NULL);

  if (smp->cpus == 0 || (smp->max_cpus != 0 && smp->cpus > smp->max_cpus))
    {
      g_set_error (error, QDEV_ERROR, QDEV_ERROR_INVALID_ARGUMENT,
                   "vCPU count %u is out of range (1 to the maximum, %u)",
                   smp->cpus, smp->max_cpus);
      return NULL;
    }
  qdev_set_int (props, "cpus", smp->cpus);
  if (smp->max_cpus != 0)
    qdev_set_int (props, "maxcpus", smp->max_cpus);
  if (smp->sockets != 0)
    qdev_set_int (props, "sockets", smp->sockets);
  if (smp->cores != 0)
    qdev_set_int (props, "cores", smp->cores);
  if (smp->threads != 0)
    qdev_set_int (props, "threads", smp->threads);
  return g_steal_pointer (&props);
}
