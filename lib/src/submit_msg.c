/*
 * submit_msg.c - the header fields an MSA completes (RFC 6409 8.2, 8.3):
 * is a Date an RFC 5322 date-time, is a Message-ID one msg-id, and new
 * ones when they are not.
 */

/* System library. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Library. */
#include <openssl/rand.h>

/* Application-specific. */
#include <smtp2/submit.h>

#define DATE_MAX	256		/* longer is not a date */

static const char *const day_names[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
/* RFC 5322 4.3 obs-zone, military letters aside */
static const char *const obs_zones[] = {
	"UT", "GMT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", NULL
};

/* uncomment - value with comments and folding turned into spaces */
static int
uncomment(const char *in, char *out, size_t outlen)
{
	unsigned depth = 0;
	size_t n = 0;

	for (; *in != '\0'; in++) {
		if (n + 1 >= outlen)
			return -1;
		if (*in == '\\' && depth > 0 && in[1] != '\0')
			in++;
		else if (*in == '(')
			depth++;
		else if (*in == ')' && depth > 0)
			depth--;
		else if (depth == 0)
			out[n++] = (*in == '\r' || *in == '\n' || *in == '\t') ? ' ' : *in;
	}
	out[n] = '\0';
	return depth == 0 ? 0 : -1;
}

/* digits - 1..max digits at *p within lo..hi; advances *p */
static int
digits(const char **p, size_t min, size_t max, long lo, long hi)
{
	size_t n = 0;
	long v = 0;

	while (n < max && isdigit((unsigned char)(*p)[n]))
		v = v * 10 + ((*p)[n++] - '0');
	if (n < min || isdigit((unsigned char)(*p)[n]) || v < lo || v > hi)
		return -1;
	*p += n;
	return 0;
}

/* word_in - a word from list at *p (ASCII case ignored); advances *p */
static int
word_in(const char **p, const char *const *list, size_t n)
{
	size_t i, len;

	for (len = 0; isalpha((unsigned char)(*p)[len]); len++)
		;
	for (i = 0; i < n && list[i] != NULL; i++)
		if (strlen(list[i]) == len && strncasecmp(*p, list[i], len) == 0) {
			*p += len;
			return 0;
		}
	return -1;
}

/* ws - skip spaces; returns how many */
static size_t
ws(const char **p)
{
	size_t n = strspn(*p, " ");

	*p += n;
	return n;
}

/* zone - "+hhmm" / "-hhmm", or an obsolete zone name or military letter */
static int
zone(const char **p)
{
	if (**p == '+' || **p == '-') {
		(*p)++;
		return digits(p, 4, 4, 0, 9959) < 0 || (*p)[-2] > '5' ? -1 : 0;
	}
	if (word_in(p, obs_zones, 10) == 0)
		return 0;
	if (isalpha((unsigned char)**p) && !isalpha((unsigned char)(*p)[1])
	    && toupper((unsigned char)**p) != 'J') {
		(*p)++;
		return 0;
	}
	return -1;
}

/* time_of_day - hour ":" minute [":" second] */
static int
time_of_day(const char **p)
{
	const char *q;

	if (digits(p, 2, 2, 0, 23) < 0)
		return -1;
	ws(p);
	if (*(*p)++ != ':')
		return -1;
	ws(p);
	if (digits(p, 2, 2, 0, 59) < 0)
		return -1;
	q = *p;
	ws(p);
	if (**p != ':') {
		*p = q;		/* the space belongs before the zone */
		return 0;
	}
	(*p)++;
	ws(p);
	return digits(p, 2, 2, 0, 60);
}

/* smtp2_submit_date_ok - see submit.h */
bool
smtp2_submit_date_ok(const char *value)
{
	char buf[DATE_MAX];
	const char *p = buf, *q;

	if (value == NULL || strlen(value) >= sizeof(buf) ||
	    uncomment(value, buf, sizeof(buf)) < 0)
		return false;
	ws(&p);
	q = p;
	if (word_in(&q, day_names, 7) == 0) {
		ws(&q);
		if (*q != ',')
			return false;
		p = q + 1;
		ws(&p);
	}
	if (digits(&p, 1, 2, 1, 31) < 0 || ws(&p) == 0 ||
	    word_in(&p, month_names, 12) < 0 || ws(&p) == 0 ||
	    digits(&p, 2, 4, 0, 9999) < 0 || ws(&p) == 0 ||
	    time_of_day(&p) < 0 || ws(&p) == 0 || zone(&p) < 0)
		return false;
	ws(&p);
	return *p == '\0';
}

/* dot_atom - dot-atom-text at *p; advances *p */
static int
dot_atom(const char **p)
{
	const char *s = *p;
	size_t n;

	for (;;) {
		n = 0;
		while ((*p)[n] != '\0' && ((unsigned char)(*p)[n] >= 0x80 ||
		    isalnum((unsigned char)(*p)[n]) ||
		    strchr("!#$%&'*+-/=?^_`{|}~", (*p)[n]) != NULL))
			n++;
		if (n == 0)
			return -1;
		*p += n;
		if (**p != '.')
			return *p > s ? 0 : -1;
		(*p)++;
	}
}

/* smtp2_submit_msgid_ok - see submit.h */
bool
smtp2_submit_msgid_ok(const char *value)
{
	char buf[1024];
	const char *p = buf;

	if (value == NULL || strlen(value) >= sizeof(buf) ||
	    uncomment(value, buf, sizeof(buf)) < 0)
		return false;
	ws(&p);
	if (*p++ != '<' || dot_atom(&p) < 0 || *p++ != '@')
		return false;
	if (*p == '[') {
		/* no-fold-literal: dtext only */
		for (p++; *p != '\0' && *p != ']' && *p != '[' && *p != '\\'
		    && (unsigned char)*p > ' '; p++)
			;
		if (*p++ != ']')
			return false;
	} else if (dot_atom(&p) < 0) {
		return false;
	}
	if (*p++ != '>')
		return false;
	ws(&p);
	return *p == '\0';
}

/* smtp2_submit_date_format - see submit.h */
int
smtp2_submit_date_format(time_t t, char *buf, size_t len)
{
	struct tm tm;
	char z[8];

	if (localtime_r(&t, &tm) == NULL || strftime(z, sizeof(z), "%z", &tm) == 0)
		return -1;
	/* Names by hand: strftime's would follow the locale. */
	return snprintf(buf, len, "%s, %d %s %04d %02d:%02d:%02d %s",
	    day_names[tm.tm_wday % 7], tm.tm_mday, month_names[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, z);
}

/* smtp2_submit_msgid_make - see submit.h */
int
smtp2_submit_msgid_make(const char *domain, time_t t, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[16];
	char text[2 * sizeof(rnd) + 1];
	size_t i;
	int n;

	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		return -1;
	for (i = 0; i < sizeof(rnd); i++) {
		text[2 * i] = hex[rnd[i] >> 4];
		text[2 * i + 1] = hex[rnd[i] & 15];
	}
	text[2 * sizeof(rnd)] = '\0';
	n = snprintf(buf, len, "<%s.%lld@%s>", text, (long long)t, domain);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
