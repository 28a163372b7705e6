/* Syntax of the values found in domain XML.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "conf/domain-values.h"

#include <string.h>

static gboolean
fail (const char **reason, const char *why)
{
  if (reason != NULL)
    *reason = why;
  return FALSE;
}

gboolean
domain_name_is_valid (const char *name, const char **reason)
{
  gsize len;

  if (name == NULL || name[0] == '\0')
    return fail (reason, "a name cannot be empty");
  len = strlen (name);
  if (len > DOMAIN_NAME_MAX_LENGTH)
    return fail (reason, "a name is at most 64 characters long");
  if (name[0] == '.')
    return fail (reason, "a name cannot start with '.'");
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '/')
        return fail (reason, "a name cannot contain '/'");
      if (!g_ascii_isalnum (*p) && strchr ("_.+-", *p) == NULL)
        return fail (reason,
                     "a name may only contain letters, digits, '_', '.', "
                     "'+' and '-'");
    }
  return TRUE;
}

char *
domain_uuid_normalize (const char *str)
{
  char hex[33];
  guint n = 0;
  gboolean dashed;

  if (str == NULL)
    return NULL;

  /* Either exactly 32 hex digits, or the 36-character dashed form with
   * the dashes in their usual places. */
  dashed = strlen (str) == 36;
  if (!dashed && strlen (str) != 32)
    return NULL;
  for (guint i = 0; str[i] != '\0'; i++)
    {
      if (dashed && (i == 8 || i == 13 || i == 18 || i == 23))
        {
          if (str[i] != '-')
            return NULL;
          continue;
        }
      if (!g_ascii_isxdigit (str[i]))
        return NULL;
      hex[n++] = g_ascii_tolower (str[i]);
    }
  g_assert (n == 32);
  hex[32] = '\0';
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s",
                          hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

gboolean
domain_mac_normalize (const char *str, char **out, const char **reason)
{
  const char *why = "expected six hex bytes separated by ':' "
                    "(52:54:00:12:34:56)";

  if (str == NULL || strlen (str) != 17)
    return fail (reason, why);
  for (guint i = 0; i < 17; i++)
    {
      if (i % 3 == 2 ? str[i] != ':' : !g_ascii_isxdigit (str[i]))
        return fail (reason, why);
    }
  /* The low bit of the first byte marks a group address, which a NIC
   * cannot have. */
  if (g_ascii_xdigit_value (str[1]) & 1)
    return fail (reason, "a multicast MAC address cannot be used");
  *out = g_ascii_strdown (str, -1);
  return TRUE;
}

gboolean
domain_uint_parse (const char *str, guint64 max, guint64 *value)
{
  guint base = 10;
  guint64 result = 0;
  const char *p = str;

  if (str == NULL)
    return FALSE;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      base = 16;
      p += 2;
    }
  if (*p == '\0')
    return FALSE;
  for (; *p != '\0'; p++)
    {
      int digit = base == 16 ? g_ascii_xdigit_value (*p)
                             : g_ascii_digit_value (*p);

      if (digit < 0)
        return FALSE;
      if (result > (G_MAXUINT64 - (guint64) digit) / base)
        return FALSE;
      result = result * base + (guint64) digit;
    }
  if (result > max)
    return FALSE;
  *value = result;
  return TRUE;
}

/* The multiplier of @unit in bytes, 0 when unknown. */
static guint64
unit_scale (const char *unit)
{
  static const char prefixes[] = "kmgtpe";
  const char *at;
  guint64 base, scale = 1;

  if (unit == NULL)
    return 1024;
  if (g_ascii_strcasecmp (unit, "b") == 0
      || g_ascii_strcasecmp (unit, "bytes") == 0)
    return 1;
  if (unit[0] == '\0')
    return 0;
  at = strchr (prefixes, g_ascii_tolower (unit[0]));
  if (at == NULL)
    return 0;
  /* "k" and "KiB" are powers of two, "KB" is a power of ten. */
  if (unit[1] == '\0' || g_ascii_strcasecmp (unit + 1, "ib") == 0)
    base = 1024;
  else if (g_ascii_strcasecmp (unit + 1, "b") == 0)
    base = 1000;
  else
    return 0;
  for (const char *p = prefixes; p <= at; p++)
    scale *= base;
  return scale;
}

gboolean
domain_size_to_kib (const char *number, const char *unit,
                    guint64 *kib, const char **reason)
{
  guint64 value, scale, result;

  scale = unit_scale (unit);
  if (scale == 0)
    return fail (reason, "unknown unit (expected b, KiB, MiB, GiB, TiB, "
                         "KB, MB, GB, TB...)");
  if (number == NULL || !g_ascii_isdigit (number[0])
      || !domain_uint_parse (number, G_MAXUINT64, &value)
      || (number[0] == '0' && number[1] == 'x'))
    return fail (reason, "expected a non-negative decimal integer");

  if (scale % 1024 == 0)
    {
      scale /= 1024;
      if (value != 0 && scale > G_MAXUINT64 / value)
        return fail (reason, "the size is too large");
      result = value * scale;
    }
  else
    {
      /* Units smaller than a KiB (bytes, KB...): round up to a KiB. */
      if (value != 0 && scale > G_MAXUINT64 / value)
        return fail (reason, "the size is too large");
      result = value * scale / 1024 + (value * scale % 1024 != 0);
    }
  if (result > G_MAXUINT64 / 1024)
    return fail (reason, "the size is too large");
  *kib = result;
  return TRUE;
}

static gboolean
cpuset_number (const char **p, guint *value)
{
  guint64 result = 0;

  if (!g_ascii_isdigit (**p))
    return FALSE;
  while (g_ascii_isdigit (**p))
    {
      result = result * 10 + (guint64) g_ascii_digit_value (**p);
      if (result > DOMAIN_CPUSET_MAX_CPU)
        return FALSE;
      (*p)++;
    }
  *value = (guint) result;
  return TRUE;
}

gboolean
domain_cpuset_parse (const char *cpuset, GArray **cpus, const char **reason)
{
  const char *why = "expected a list like 0-3,^2,8 of CPU numbers up to 8191";
  g_autofree guint8 *selected = g_new0 (guint8, DOMAIN_CPUSET_MAX_CPU + 1);
  const char *p = cpuset;
  gboolean any = FALSE;

  if (cpuset == NULL || cpuset[0] == '\0')
    return fail (reason, why);

  for (;;)
    {
      gboolean exclude = FALSE;
      guint first, last;

      if (*p == '^')
        {
          exclude = TRUE;
          p++;
        }
      if (!cpuset_number (&p, &first))
        return fail (reason, why);
      last = first;
      if (!exclude && *p == '-')
        {
          p++;
          if (!cpuset_number (&p, &last) || last < first)
            return fail (reason, why);
        }
      for (guint cpu = first; cpu <= last; cpu++)
        selected[cpu] = !exclude;
      if (*p == '\0')
        break;
      if (*p != ',')
        return fail (reason, why);
      p++;
    }

  for (guint cpu = 0; cpu <= DOMAIN_CPUSET_MAX_CPU; cpu++)
    any |= selected[cpu];
  if (!any)
    return fail (reason, "the CPU set selects no CPU");

  if (cpus != NULL)
    {
      *cpus = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint cpu = 0; cpu <= DOMAIN_CPUSET_MAX_CPU; cpu++)
        if (selected[cpu])
          g_array_append_val (*cpus, cpu);
    }
  return TRUE;
}

gboolean
domain_ifname_is_valid (const char *name, const char **reason)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0 || len > 15)
    return fail (reason, "an interface name is 1 to 15 characters long");
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return fail (reason, "an interface name cannot be '.' or '..'");
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '/' || *p == ':' || g_ascii_isspace (*p) || (guchar) *p < 0x20)
        return fail (reason, "an interface name cannot contain '/', ':' "
                             "or whitespace");
    }
  return TRUE;
}
