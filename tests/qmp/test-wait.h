/* Waiting in tests: run a main context until something happened, or
 * give up after a deadline so a broken library fails the test instead
 * of hanging it. Never a sleep: the context wakes on the awaited event.
 */
#pragma once

#include <glib.h>

typedef gboolean (*TestCondition) (gconstpointer data);

static inline gboolean
test_wait_wake_up (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* Iterates @context until @done returns TRUE or @timeout_ms passed.
 * Returns: whether @done became TRUE. */
static inline gboolean
test_wait_until (GMainContext *context,
                 TestCondition done,
                 gconstpointer data,
                 guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data))
    {
      gint64 left_us = deadline - g_get_monotonic_time ();
      GSource *wake;

      if (left_us <= 0)
        return FALSE;
      /* Bounds the blocking iteration below by the time left. */
      wake = g_timeout_source_new ((guint) (left_us / 1000 + 1));
      g_source_set_callback (wake, test_wait_wake_up, NULL, NULL);
      g_source_attach (wake, context);
      g_main_context_iteration (context, TRUE);
      g_source_destroy (wake);
      g_source_unref (wake);
    }
  return TRUE;
}

static inline gboolean
test_wait_is_set (gconstpointer data)
{
  return *(const gboolean *) data;
}

static inline gboolean
test_wait_is_non_null (gconstpointer data)
{
  return *(const gpointer *) data != NULL;
}

/* Waits on the thread-default context until *@flag is TRUE. */
static inline gboolean
test_wait_for_flag (const gboolean *flag, guint timeout_ms)
{
  return test_wait_until (g_main_context_get_thread_default (),
                          test_wait_is_set, flag, timeout_ms);
}

/* Waits on the thread-default context until *@pointer is not NULL
 * (typically a GAsyncResult stored by a callback). */
static inline gboolean
test_wait_for_pointer (gpointer const *pointer, guint timeout_ms)
{
  return test_wait_until (g_main_context_get_thread_default (),
                          test_wait_is_non_null, pointer, timeout_ms);
}

typedef struct {
  const guint *counter;
  guint target;
} TestCountTarget;

static inline gboolean
test_wait_count_reached (gconstpointer data)
{
  const TestCountTarget *target = data;

  return *target->counter >= target->target;
}

/* Waits on the thread-default context until *@counter >= @target. */
static inline gboolean
test_wait_for_count (const guint *counter, guint target, guint timeout_ms)
{
  TestCountTarget t = { counter, target };

  return test_wait_until (g_main_context_get_thread_default (),
                          test_wait_count_reached, &t, timeout_ms);
}
