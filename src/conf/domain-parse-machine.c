/* The domain XML of the virtual machine itself, outside <devices>:
 * <vcpu>, <os>, <features>, <cpu>, <clock>, <pm> and the lifecycle
 * actions (<on_poweroff>, <on_reboot>, <on_crash>).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-parse-private.h"

#include <string.h>

void
domain_parse_vcpu (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autofree char *placement = domain_parse_attr_dup (node, "placement");
  g_autofree char *cpuset = domain_parse_attr_dup (node, "cpuset");
  g_autofree char *text = NULL;
  guint64 vcpus;
  const char *reason = NULL;

  domain_parse_check_attributes (ctx, node, ATTRS ("placement", "current",
                                                   "cpuset"));
  if (placement != NULL && strcmp (placement, "static") != 0)
    domain_parse_invalid_value (ctx,
                                domain_parse_enum_problem_code (placement),
                                node, "placement", placement,
                                "expected static");
  PARSE_UINT (ctx, node, "current", 1, 4096, FALSE, def->current_vcpus);
  if (cpuset != NULL)
    {
      if (domain_cpuset_parse (cpuset, NULL, &reason))
        def->cpuset = g_steal_pointer (&cpuset);
      else
        domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                    "cpuset", cpuset, reason);
    }
  text = domain_parse_text_content (ctx, node, TRUE);
  if (text == NULL)
    return;
  if (!domain_uint_parse (text, 4096, &vcpus) || vcpus == 0)
    {
      domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE, node,
                                  NULL, text,
                                  "expected an integer from 1 to 4096");
      return;
    }
  def->vcpus = vcpus;
}

static gboolean
machine_name_is_valid (const char *machine)
{
  for (const char *p = machine; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-", *p) == NULL)
      return FALSE;
  return domain_machine_family (machine) != DOMAIN_MACHINE_UNKNOWN;
}

static void
parse_os_type (ParseCtx *ctx, const MarkupNode *node, DomainOs *os)
{
  g_autofree char *machine = domain_parse_attr_dup (node, "machine");
  g_autofree char *type = NULL;

  domain_parse_check_attributes (ctx, node, ATTRS ("arch", "machine"));
  PARSE_ENUM (ctx, node, "arch", domain_arch, FALSE, os->arch);
  if (machine != NULL)
    {
      if (machine_name_is_valid (machine))
        os->machine = g_steal_pointer (&machine);
      else
        domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_UNSUPPORTED, node,
                                    "machine", machine,
                                    "expected pc, q35, pc-i440fx-*, pc-q35-* "
                                    "or microvm");
    }
  type = domain_parse_text_content (ctx, node, TRUE);
  if (type != NULL && strcmp (type, "hvm") != 0)
    domain_parse_invalid_value (ctx, domain_parse_enum_problem_code (type),
                                node, NULL, type, "expected hvm");
}

void
domain_parse_os (ParseCtx *ctx, const MarkupNode *node, DomainOs *os)
{
  gboolean has_type = FALSE;

  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child))
        continue;
      if (domain_parse_node_is (child, "boot"))
        {
          int dev;

          domain_parse_check_attributes (ctx, child, ATTRS ("dev"));
          domain_parse_check_empty (ctx, child);
          if (!domain_parse_attr_enum (ctx, child, "dev",
                                       &domain_boot_device_table, TRUE, &dev))
            continue;
          for (guint i = 0; i < os->n_boot_devices; i++)
            if (os->boot_devices[i] == (DomainBootDevice) dev)
              {
                domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE,
                                         child,
                                         "boot device '%s' is listed twice",
                                         domain_boot_device_to_string (dev));
                dev = -1;
                break;
              }
          if (dev >= 0)
            os->boot_devices[os->n_boot_devices++] = dev;
          continue;
        }
      if (domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "type"))
        {
          has_type = TRUE;
          parse_os_type (ctx, child, os);
        }
      else if (domain_parse_node_is (child, "loader"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("readonly",
                                                            "secure", "type"));
          PARSE_ENUM (ctx, child, "readonly", domain_yes_no, FALSE,
                      os->loader_readonly);
          PARSE_ENUM (ctx, child, "secure", domain_yes_no, FALSE,
                      os->loader_secure);
          PARSE_ENUM (ctx, child, "type", domain_loader_type, FALSE,
                      os->loader_type);
          domain_parse_text_path (ctx, child, &os->loader);
        }
      else if (domain_parse_node_is (child, "nvram"))
        {
          g_autofree char *nvram = NULL;

          domain_parse_check_attributes (ctx, child, ATTRS ("template"));
          domain_parse_attr_path (ctx, child, "template", FALSE,
                                  &os->nvram_template);
          /* With a template, the path may be left to the driver. */
          nvram = domain_parse_text_content (ctx, child, FALSE);
          if (nvram != NULL && g_strstrip (nvram)[0] != '\0')
            {
              if (domain_parse_check_absolute_path (ctx, child, NULL, nvram))
                os->nvram = g_steal_pointer (&nvram);
            }
          else if (nvram != NULL && os->nvram_template == NULL)
            domain_parse_invalid_value (ctx, QVIRT_CONF_ERROR_INVALID_VALUE,
                                        child, NULL, "",
                                        "expected a path (or a template "
                                        "attribute)");
        }
      else if (domain_parse_node_is (child, "bootmenu"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("enable",
                                                            "timeout"));
          domain_parse_check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "enable", domain_yes_no, TRUE, os->bootmenu);
          PARSE_UINT (ctx, child, "timeout", 0, 65535, FALSE,
                      os->bootmenu_timeout);
        }
      else if (domain_parse_node_is (child, "kernel"))
        {
          domain_parse_check_attributes (ctx, child, NO_ATTRS);
          domain_parse_text_path (ctx, child, &os->kernel);
        }
      else if (domain_parse_node_is (child, "initrd"))
        {
          domain_parse_check_attributes (ctx, child, NO_ATTRS);
          domain_parse_text_path (ctx, child, &os->initrd);
        }
      else if (domain_parse_node_is (child, "cmdline"))
        {
          domain_parse_check_attributes (ctx, child, NO_ATTRS);
          g_free (os->cmdline);
          os->cmdline = domain_parse_text_content (ctx, child, FALSE);
        }
      else
        domain_parse_unsupported_element (ctx, child);
    }
  if (!has_type)
    domain_parse_missing_element (ctx, node, "type");
}

void
domain_parse_features (ParseCtx *ctx, const MarkupNode *node,
                       DomainFeatures *features)
{
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "acpi")
          || domain_parse_node_is (child, "apic")
          || domain_parse_node_is (child, "pae"))
        {
          domain_parse_check_attributes (ctx, child, NO_ATTRS);
          domain_parse_check_empty (ctx, child);
          if (domain_parse_node_is (child, "acpi"))
            features->acpi = TRUE;
          else if (domain_parse_node_is (child, "apic"))
            features->apic = TRUE;
          else
            features->pae = TRUE;
        }
      else if (domain_parse_node_is (child, "smm"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("state"));
          domain_parse_check_empty (ctx, child);
          features->smm = DOMAIN_TRISTATE_ON;
          PARSE_ENUM (ctx, child, "state", domain_on_off, FALSE,
                      features->smm);
        }
      else if (domain_parse_node_is (child, "vmport"))
        {
          domain_parse_check_attributes (ctx, child, ATTRS ("state"));
          domain_parse_check_empty (ctx, child);
          PARSE_ENUM (ctx, child, "state", domain_on_off, TRUE,
                      features->vmport);
        }
      else
        domain_parse_unsupported_element (ctx, child);
    }
}

void
domain_parse_cpu (ParseCtx *ctx, const MarkupNode *node, DomainDef *def)
{
  g_autoptr (DomainCpu) cpu = domain_cpu_new ();

  domain_parse_check_attributes (ctx, node, ATTRS ("mode", "match", "check",
                                                   "migratable"));
  PARSE_ENUM (ctx, node, "mode", domain_cpu_mode, FALSE, cpu->mode);
  PARSE_ENUM (ctx, node, "match", domain_cpu_match, FALSE, cpu->match);
  PARSE_ENUM (ctx, node, "check", domain_cpu_check, FALSE, cpu->check);
  PARSE_ENUM (ctx, node, "migratable", domain_on_off, FALSE, cpu->migratable);

  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      if (!domain_parse_is_child_element (ctx, node, child))
        continue;
      if (domain_parse_node_is (child, "feature"))
        {
          g_autofree char *name = domain_parse_attr_dup (child, "name");
          int policy = DOMAIN_CPU_FEATURE_REQUIRE;
          DomainCpuFeature *feature;
          gboolean ok = TRUE;

          domain_parse_check_attributes (ctx, child, ATTRS ("policy", "name"));
          domain_parse_check_empty (ctx, child);
          if (domain_parse_attr_present (ctx, child, "policy", FALSE))
            ok = domain_parse_attr_enum (ctx, child, "policy",
                                         &domain_cpu_feature_policy_table,
                                         TRUE, &policy);
          if (name == NULL)
            {
              domain_parse_missing_attribute (ctx, child, "name");
              continue;
            }
          if (!domain_parse_check_word (ctx, child, "name", name, "_.-", 64)
              || !ok)
            continue;
          for (guint i = 0; i < cpu->features->len; i++)
            {
              DomainCpuFeature *other = g_ptr_array_index (cpu->features, i);

              if (strcmp (other->name, name) == 0)
                {
                  domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE,
                                           child,
                                           "CPU feature '%s' is listed twice",
                                           name);
                  ok = FALSE;
                  break;
                }
            }
          if (!ok)
            continue;
          feature = g_new0 (DomainCpuFeature, 1);
          feature->name = g_steal_pointer (&name);
          feature->policy = policy;
          g_ptr_array_add (cpu->features, feature);
          continue;
        }
      if (domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "model"))
        {
          g_autofree char *model = NULL;

          domain_parse_check_attributes (ctx, child, ATTRS ("fallback"));
          PARSE_ENUM (ctx, child, "fallback", domain_cpu_fallback, FALSE,
                      cpu->fallback);
          model = domain_parse_text_content (ctx, child, TRUE);
          if (model != NULL
              && domain_parse_check_word (ctx, child, NULL, model, "_.+-", 64))
            cpu->model = g_steal_pointer (&model);
        }
      else if (domain_parse_node_is (child, "topology"))
        {
          guint64 sockets = 0, dies = 1, cores = 0, threads = 0;
          gboolean ok;

          domain_parse_check_attributes (ctx, child, ATTRS ("sockets", "dies",
                                                            "cores",
                                                            "threads"));
          domain_parse_check_empty (ctx, child);
          ok = domain_parse_attr_uint (ctx, child, "sockets", 1, 4096, TRUE,
                                       &sockets);
          if (domain_parse_attr_present (ctx, child, "dies", FALSE))
            ok &= domain_parse_attr_uint (ctx, child, "dies", 1, 4096, TRUE,
                                          &dies);
          ok &= domain_parse_attr_uint (ctx, child, "cores", 1, 4096, TRUE,
                                        &cores);
          ok &= domain_parse_attr_uint (ctx, child, "threads", 1, 4096, TRUE,
                                        &threads);
          if (ok)
            {
              cpu->sockets = sockets;
              cpu->dies = dies;
              cpu->cores = cores;
              cpu->threads = threads;
            }
        }
      else
        domain_parse_unsupported_element (ctx, child);
    }
  def->cpu = g_steal_pointer (&cpu);
}

void
domain_parse_clock (ParseCtx *ctx, const MarkupNode *node, DomainClock *clock)
{
  domain_parse_check_attributes (ctx, node, ATTRS ("offset"));
  PARSE_ENUM (ctx, node, "offset", domain_clock_offset, FALSE, clock->offset);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      DomainTimer *timer;
      int name;

      if (!domain_parse_is_child_element (ctx, node, child))
        continue;
      if (!domain_parse_node_is (child, "timer"))
        {
          domain_parse_unsupported_element (ctx, child);
          continue;
        }
      domain_parse_check_attributes (ctx, child, ATTRS ("name", "tickpolicy",
                                                        "present"));
      domain_parse_check_empty (ctx, child);
      if (!domain_parse_attr_enum (ctx, child, "name",
                                   &domain_timer_name_table, TRUE, &name))
        continue;
      for (guint i = 0; i < clock->timers->len; i++)
        {
          DomainTimer *other = g_ptr_array_index (clock->timers, i);

          if (other->name == (DomainTimerName) name)
            {
              domain_parse_problem_at (ctx, QVIRT_CONF_ERROR_INVALID_VALUE,
                                       child, "timer '%s' is listed twice",
                                       domain_timer_name_to_string (name));
              name = -1;
              break;
            }
        }
      if (name < 0)
        continue;
      timer = g_new0 (DomainTimer, 1);
      timer->name = name;
      PARSE_ENUM (ctx, child, "tickpolicy", domain_tick_policy, FALSE,
                  timer->tickpolicy);
      PARSE_ENUM (ctx, child, "present", domain_yes_no, FALSE, timer->present);
      g_ptr_array_add (clock->timers, timer);
    }
}

void
domain_parse_lifecycle (ParseCtx *ctx, const MarkupNode *node,
                        DomainLifecycleAction *action)
{
  int value = 0;

  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  if (domain_parse_text_enum (ctx, node, &domain_lifecycle_action_table,
                              &value))
    *action = value;
}

void
domain_parse_pm (ParseCtx *ctx, const MarkupNode *node, DomainPm *pm)
{
  domain_parse_check_attributes (ctx, node, NO_ATTRS);
  for (const MarkupNode *child = node->children; child != NULL;
       child = child->next)
    {
      DomainTristate *state;

      if (!domain_parse_is_child_element (ctx, node, child)
          || domain_parse_is_duplicate (ctx, child))
        continue;
      if (domain_parse_node_is (child, "suspend-to-mem"))
        state = &pm->suspend_to_mem;
      else if (domain_parse_node_is (child, "suspend-to-disk"))
        state = &pm->suspend_to_disk;
      else
        {
          domain_parse_unsupported_element (ctx, child);
          continue;
        }
      domain_parse_check_attributes (ctx, child, ATTRS ("enabled"));
      domain_parse_check_empty (ctx, child);
      PARSE_ENUM (ctx, child, "enabled", domain_yes_no, TRUE, *state);
    }
}
