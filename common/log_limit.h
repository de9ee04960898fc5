/*
 * log_limit.h - rate limiting of repeated error and warning lines, so a
 * flood of bad clients cannot fill the disk or drown the one line that
 * matters.  A line is keyed by its call site (the format string); each
 * key may write LOG_LIMIT_BURST lines per LOG_LIMIT_WINDOW seconds, the
 * rest are counted and the count is reported with the next line written.
 *
 * Not thread-safe by itself: log.c calls it under its lock.
 */
#ifndef SMTP2D_LOG_LIMIT_H
#define SMTP2D_LOG_LIMIT_H

#include <stdbool.h>
#include <time.h>

#define LOG_LIMIT_BURST		10	/* lines per key and window */
#define LOG_LIMIT_WINDOW	60	/* seconds */
#define LOG_LIMIT_KEYS		64	/* call sites tracked at once */

/*
 * smtp2d_log_limit - may the line keyed by key be written at now?  When
 * it may, *suppressed gets how many lines of that key were dropped since
 * the last one written (0 mostly), for the caller to say so.
 */
bool	smtp2d_log_limit(const void *key, time_t now, unsigned long *suppressed);

/* smtp2d_log_limit_reset - forget every key (tests, reload). */
void	smtp2d_log_limit_reset(void);

#endif
