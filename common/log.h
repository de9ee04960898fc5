/*
 * log.h - daemon logging: one line per call, to syslog, stderr or a file.
 *
 * Thread-safe (libmilter runs a thread per connection): each line is one
 * write(2) or one syslog(3).  The level filter is applied here, so callers
 * never guard their calls; errors and warnings are rate-limited per call
 * site (log_limit.h), so a flood of one problem cannot fill the disk.
 */
#ifndef SMTP2D_LOG_H
#define SMTP2D_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include <smtp2/conf.h>

/*
 * smtp2d_log_open - to is "syslog", "stderr" or "file:/path".  Returns 0,
 * or -1 with a reason in why.  May be called again (reload); the old
 * destination is closed once the new one is open.
 */
int smtp2d_log_open(const char *ident, const char *to, enum smtp2_log_level level,
    char *why, size_t whylen);
void smtp2d_log_close(void);

/* smtp2d_log_json_lines - write JSON objects instead of text lines
 * (milter.conf log.format, log_json.h); off until called. */
void smtp2d_log_json_lines(bool on);

void smtp2d_log(enum smtp2_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...)	smtp2d_log(SMTP2_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	smtp2d_log(SMTP2_LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	smtp2d_log(SMTP2_LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	smtp2d_log(SMTP2_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	smtp2d_log(SMTP2_LOG_DEBUG, __VA_ARGS__)

/* smtp2d_log_quote - copy s into buf for a key="value" field: quotes and
 * backslashes escaped, control characters replaced by '?'. */
const char *smtp2d_log_quote(const char *s, char *buf, size_t len);

#endif
