/*
 * log.c - one line per call to syslog, stderr or a file.
 *
 * All state sits behind one mutex: libmilter calls us from a thread per
 * connection, and a reload may swap the destination under their feet.
 * Until smtp2d_log_open() succeeds, lines go to stderr at level info, so
 * start-up errors are never lost.
 */

/* System library. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Application-specific. */
#include <smtp2/metrics.h>
#include "log.h"
#include "log_json.h"
#include "log_limit.h"

#define LOG_LINE_MAX	2048		/* longer lines are cut */

enum log_dest {
	LOG_DEST_STDERR,
	LOG_DEST_SYSLOG,
	LOG_DEST_FILE
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_dest log_dest = LOG_DEST_STDERR;
static int log_fd = STDERR_FILENO;
static enum smtp2_log_level log_level = SMTP2_LOG_INFO;
static char log_ident[64] = "smtp2";	/* openlog(3) keeps the pointer */
static bool log_json;			/* log.format = "json" */

/* log_prefix - Postfix's severity words, so grep "warning:" works */
static const char *
log_prefix(enum smtp2_log_level level)
{
	switch (level) {
	case SMTP2_LOG_ERR:
		return "error: ";
	case SMTP2_LOG_WARNING:
		return "warning: ";
	case SMTP2_LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

/* log_priority - syslog priority of a level */
static int
log_priority(enum smtp2_log_level level)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

	return (unsigned)level < sizeof(prio) / sizeof(prio[0]) ? prio[level] : LOG_INFO;
}

/* log_timestamp - ISO 8601 local time with milliseconds and offset */
static size_t
log_timestamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	long off;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	n += snprintf(buf + n, len - n, ".%03ld%c%02ld:%02ld ", ts.tv_nsec / 1000000,
	    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
	return n < len ? n : len - 1;
}

/* log_sanitize - no control characters: one call stays one line */
static void
log_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* log_format - the line after the timestamp: text or a JSON object */
static int
log_format(char *out, size_t len, enum smtp2_log_level level, const char *msg)
{
	char	json[2 * LOG_LINE_MAX];

	if (!log_json)
		return snprintf(out, len, "%s[%ld]: %s%s\n", log_ident,
		    (long)getpid(), log_prefix(level), msg);
	smtp2d_log_json(json, sizeof(json), smtp2_log_level_name(level), msg);
	return snprintf(out, len, "{\"ident\":\"%s\",\"pid\":%ld,%s\n",
	    log_ident, (long)getpid(), json + 1);
}

/* log_emit - send one formatted line; the caller holds log_lock */
static void
log_emit(enum smtp2_log_level level, const char *msg)
{
	char line[3 * LOG_LINE_MAX];
	size_t n = 0;
	int len;

	if (log_dest == LOG_DEST_SYSLOG && log_json) {
		smtp2d_log_json(line, sizeof(line), smtp2_log_level_name(level), msg);
		syslog(LOG_MAIL | log_priority(level), "%s", line);
		return;
	}
	if (log_dest == LOG_DEST_SYSLOG) {
		syslog(LOG_MAIL | log_priority(level), "%s%s", log_prefix(level), msg);
		return;
	}
	if (log_dest == LOG_DEST_FILE && !log_json)
		n = log_timestamp(line, sizeof(line));
	len = log_format(line + n, sizeof(line) - n, level, msg);
	n = len < 0 ? n : n + (size_t)len;
	if (n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write(2): with O_APPEND, lines of several processes never mix. */
	if (write(log_fd, line, n) < 0) {
		/* Nowhere left to complain. */
	}
}

/* log_limited - errors and warnings from one call site are rate-limited
 * (log_limit.h); the caller holds log_lock.  False: drop this line. */
static bool
log_limited(enum smtp2_log_level level, const char *fmt, char *msg, size_t len)
{
	unsigned long supp;
	size_t	n;

	if (level > SMTP2_LOG_WARNING)
		return true;
	if (!smtp2d_log_limit(fmt, time(NULL), &supp))
		return false;
	if (supp > 0 && (n = strlen(msg)) + 1 < len)
		snprintf(msg + n, len - n, " (%lu similar lines suppressed)", supp);
	return true;
}

/* smtp2d_log - format and emit one line if level passes the filter */
void
smtp2d_log(enum smtp2_log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	int saved = errno;

	/* Counted whatever the filter: an operator may log less, not see less. */
	if (level <= SMTP2_LOG_WARNING)
		smtp2_metrics_error((int)level);
	pthread_mutex_lock(&log_lock);
	if (level <= log_level) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		if (log_limited(level, fmt, msg, sizeof(msg))) {
			log_sanitize(msg);
			log_emit(level, msg);
		}
	}
	pthread_mutex_unlock(&log_lock);
	errno = saved;
}

/* log_open_dest - parse to and open it; -1 with why */
static int
log_open_dest(const char *to, enum log_dest *dest, int *fd, char *why, size_t whylen)
{
	if (strcmp(to, "syslog") == 0) {
		*dest = LOG_DEST_SYSLOG;
		*fd = -1;
		return 0;
	}
	if (strcmp(to, "stderr") == 0) {
		*dest = LOG_DEST_STDERR;
		*fd = STDERR_FILENO;
		return 0;
	}
	if (strncmp(to, "file:/", 6) == 0) {
		*dest = LOG_DEST_FILE;
		*fd = open(to + 5, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
		if (*fd >= 0)
			return 0;
		snprintf(why, whylen, "cannot open log file %s: %s", to + 5, strerror(errno));
		return -1;
	}
	snprintf(why, whylen, "unknown log destination '%s'"
	    " (syslog, stderr or file:/path)", to);
	return -1;
}

/* log_release - close the current destination; the caller holds log_lock */
static void
log_release(void)
{
	if (log_dest == LOG_DEST_SYSLOG)
		closelog();
	else if (log_dest == LOG_DEST_FILE && log_fd >= 0)
		close(log_fd);
	log_dest = LOG_DEST_STDERR;
	log_fd = STDERR_FILENO;
}

/* smtp2d_log_open - open the new destination first, then swap it in */
int
smtp2d_log_open(const char *ident, const char *to, enum smtp2_log_level level,
    char *why, size_t whylen)
{
	enum log_dest dest;
	int fd;

	if (log_open_dest(to, &dest, &fd, why, whylen) < 0)
		return -1;
	pthread_mutex_lock(&log_lock);
	log_release();
	snprintf(log_ident, sizeof(log_ident), "%s", ident);
	if (dest == LOG_DEST_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	log_dest = dest;
	log_fd = fd;
	log_level = level;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

/* smtp2d_log_json_lines - see log.h */
void
smtp2d_log_json_lines(bool on)
{
	pthread_mutex_lock(&log_lock);
	log_json = on;
	pthread_mutex_unlock(&log_lock);
}

/* smtp2d_log_close - back to stderr, closing the file or syslog */
void
smtp2d_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	log_release();
	pthread_mutex_unlock(&log_lock);
}

/* smtp2d_log_quote - escape s for key="value": \" \\ and '?' for controls */
const char *
smtp2d_log_quote(const char *s, char *buf, size_t len)
{
	size_t n = 0;
	unsigned char ch;

	if (len == 0)
		return "";
	for (; s != NULL && *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			if (n + 2 >= len)
				break;
			buf[n++] = '\\';
			buf[n++] = (char)ch;
		} else {
			if (n + 1 >= len)
				break;
			buf[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
		}
	}
	buf[n] = '\0';
	return buf;
}
