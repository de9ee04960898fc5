/*
 * mtasts.c - read MTA-STS records and policies (RFC 8461 3.1, 3.2).
 *
 * Both come from strangers: the TXT record through DNS, the policy over
 * HTTPS from a host the domain names.  Anything malformed is refused
 * with a reason, which the caller turns into "no policy" (RFC 8461 3.3);
 * nothing here ever guesses at what a broken policy meant.
 */

/* System library. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "tags.h"
#include "why.h"
#include <smtp2/mtasts.h>

#define STS_VERSION	"STSv1"
#define STS_LINE_MAX	1024		/* longer policy lines are refused */

static const char *const sts_mode_names[] = {
	[SMTP2_MTASTS_NONE] = "none",
	[SMTP2_MTASTS_TESTING] = "testing",
	[SMTP2_MTASTS_ENFORCE] = "enforce",
};

/* smtp2_mtasts_mode_name - the mode as the policy spells it */
const char *
smtp2_mtasts_mode_name(enum smtp2_mtasts_mode m)
{
	return ((unsigned)m <= SMTP2_MTASTS_ENFORCE ? sts_mode_names[m] :
	    "invalid");
}

/* sts_id_ok - 1*32 letters and digits */
static bool
sts_id_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > SMTP2_MTASTS_ID_MAX)
		return (false);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]))
			return (false);
	return (true);
}

/* sts_txt_parse - one v=STSv1 string: v first, then an id */
static int
sts_txt_parse(const char *txt, size_t len, char *id, char *why, size_t whylen)
{
	struct smtp2_tag_scan sc = { txt, len, 0, false };
	struct smtp2_tag tag;
	bool	first = true, have_id = false;
	int	rc;

	while ((rc = smtp2_tag_next(&sc, &tag, why, whylen)) == 1) {
		if (first && !(tag.namelen == 1 && tag.name[0] == 'v')) {
			smtp2_why(why, whylen, "v= is not the first tag");
			return (-1);
		}
		first = false;
		if (tag.namelen != 2 || memcmp(tag.name, "id", 2) != 0 || have_id)
			continue;	/* extensions, and a repeated id */
		if (!sts_id_ok(tag.value, tag.vallen)) {
			smtp2_why(why, whylen, "id= is not 1 to %d letters or "
			    "digits", SMTP2_MTASTS_ID_MAX);
			return (-1);
		}
		memcpy(id, tag.value, tag.vallen);
		id[tag.vallen] = '\0';
		have_id = true;
	}
	if (rc < 0)
		return (-1);
	if (!have_id) {
		smtp2_why(why, whylen, "no id= tag");
		return (-1);
	}
	return (0);
}

/* smtp2_mtasts_txt_select - the policy id among the TXT strings */
enum smtp2_mtasts_status
smtp2_mtasts_txt_select(const char *const *txts, const size_t *lens,
    size_t n, char *id, char *why, size_t whylen)
{
	char	found[SMTP2_MTASTS_ID_MAX + 1];
	size_t	i, ours = 0;

	for (i = 0; i < n; i++) {
		if (!smtp2_tag_starts(txts[i], lens[i], "v", STS_VERSION))
			continue;
		if (++ours > 1) {
			smtp2_why(why, whylen, "more than one v=STSv1 record");
			return (SMTP2_MTASTS_INVALID);
		}
		if (sts_txt_parse(txts[i], lens[i], found, why, whylen) < 0)
			return (SMTP2_MTASTS_INVALID);
	}
	if (ours == 0) {
		smtp2_why(why, whylen, "no v=STSv1 record");
		return (SMTP2_MTASTS_ABSENT);
	}
	memcpy(id, found, sizeof(found));
	return (SMTP2_MTASTS_OK);
}

/* sts_label_ok - one LDH label */
static bool
sts_label_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return (false);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return (false);
	return (true);
}

/* sts_mx_ok - a host name, or "*." and one, of at least two labels */
static bool
sts_mx_ok(const char *s, size_t len)
{
	size_t	i, start = 0, labels = 0;

	/* The whole pattern, "*." included, must fit where it is kept. */
	if (len > SMTP2_MTASTS_MX_LEN)
		return (false);
	if (len > 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return (false);
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!sts_label_ok(s + start, i - start))
			return (false);
		labels++;
		start = i + 1;
	}
	return (labels >= 2);
}

/* The fields seen so far. */
struct sts_seen {
	bool	version, mode, max_age;
};

/* sts_max_age - 1*10DIGIT; more than a year is cut to a year */
static int
sts_max_age(const char *v, size_t len, uint32_t *out)
{
	unsigned long long n = 0;
	size_t	i;

	if (len == 0 || len > 10)
		return (-1);
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]))
			return (-1);
		n = n * 10 + (unsigned)(v[i] - '0');
	}
	*out = n > SMTP2_MTASTS_MAX_AGE ? SMTP2_MTASTS_MAX_AGE : (uint32_t)n;
	return (0);
}

/* sts_mode - enforce, testing or none */
static int
sts_mode(const char *v, size_t len, enum smtp2_mtasts_mode *m)
{
	int	i;

	for (i = SMTP2_MTASTS_NONE; i <= SMTP2_MTASTS_ENFORCE; i++) {
		if (strlen(sts_mode_names[i]) == len &&
		    strncasecmp(v, sts_mode_names[i], len) == 0) {
			*m = (enum smtp2_mtasts_mode)i;
			return (0);
		}
	}
	return (-1);
}

/* sts_add_mx - keep one mx pattern, lower case */
static int
sts_add_mx(struct smtp2_mtasts_policy *p, const char *v, size_t len,
    char *why, size_t whylen)
{
	size_t	i;

	if (!sts_mx_ok(v, len)) {
		smtp2_why(why, whylen, "mx: \"%.*s\" is not a host name pattern",
		    (int)(len < 64 ? len : 64), v);
		return (-1);
	}
	if (p->n_mx == SMTP2_MTASTS_MX_MAX) {
		smtp2_why(why, whylen, "more than %d mx: lines",
		    SMTP2_MTASTS_MX_MAX);
		return (-1);
	}
	for (i = 0; i < len; i++)
		p->mx[p->n_mx][i] = (char)tolower((unsigned char)v[i]);
	p->mx[p->n_mx++][len] = '\0';
	return (0);
}

/* sts_field - one "name: value" line */
static int
sts_field(struct smtp2_mtasts_policy *p, struct sts_seen *seen,
    const char *name, size_t nlen, const char *v, size_t vlen,
    char *why, size_t whylen)
{
#define STS_IS(s)	(nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
	if (STS_IS("mx"))
		return (sts_add_mx(p, v, vlen, why, whylen));
	if (STS_IS("version") && !seen->version) {
		seen->version = true;
		if (vlen == sizeof(STS_VERSION) - 1 &&
		    memcmp(v, STS_VERSION, vlen) == 0)
			return (0);
		smtp2_why(why, whylen, "version is not " STS_VERSION);
		return (-1);
	}
	if (STS_IS("mode") && !seen->mode) {
		seen->mode = true;
		if (sts_mode(v, vlen, &p->mode) == 0)
			return (0);
		smtp2_why(why, whylen, "mode is not enforce, testing or none");
		return (-1);
	}
	if (STS_IS("max_age") && !seen->max_age) {
		seen->max_age = true;
		if (sts_max_age(v, vlen, &p->max_age) == 0)
			return (0);
		smtp2_why(why, whylen, "max_age is not 1 to 10 digits");
		return (-1);
	}
#undef STS_IS
	return (0);		/* unknown or repeated: ignored (RFC 8461 3.2) */
}

/* sts_line - split one line (CR stripped) at its colon and trim */
static int
sts_line(struct smtp2_mtasts_policy *p, struct sts_seen *seen,
    const char *s, size_t len, char *why, size_t whylen)
{
	const char *colon;
	size_t	nlen, vlen;

	if (len == 0)
		return (0);		/* a blank line says nothing */
	if (len > STS_LINE_MAX || memchr(s, '\0', len) != NULL ||
	    (colon = memchr(s, ':', len)) == NULL || colon == s) {
		smtp2_why(why, whylen, "a line is not \"name: value\"");
		return (-1);
	}
	nlen = (size_t)(colon - s);
	colon++;
	vlen = len - nlen - 1;
	while (vlen > 0 && smtp2_tag_is_wsp((unsigned char)*colon)) {
		colon++;
		vlen--;
	}
	while (vlen > 0 && smtp2_tag_is_wsp((unsigned char)colon[vlen - 1]))
		vlen--;
	return (sts_field(p, seen, s, nlen, colon, vlen, why, whylen));
}

/* smtp2_mtasts_parse - the policy document, line by line */
int
smtp2_mtasts_parse(const char *text, size_t len,
    struct smtp2_mtasts_policy *p, char *why, size_t whylen)
{
	struct sts_seen seen = { false, false, false };
	const char *s = text, *end = text + len, *nl;
	size_t	n;

	memset(p, 0, sizeof(*p));
	if (len > SMTP2_MTASTS_BODY_MAX) {
		smtp2_why(why, whylen, "policy larger than %d bytes",
		    SMTP2_MTASTS_BODY_MAX);
		return (-1);
	}
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		n = (size_t)((nl != NULL ? nl : end) - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (sts_line(p, &seen, s, n, why, whylen) < 0)
			return (-1);
		s = nl != NULL ? nl + 1 : end;
	}
	if (!seen.version || !seen.mode || !seen.max_age) {
		smtp2_why(why, whylen, "no %s field", !seen.version ? "version" :
		    !seen.mode ? "mode" : "max_age");
		return (-1);
	}
	if (p->mode != SMTP2_MTASTS_NONE && p->n_mx == 0) {
		smtp2_why(why, whylen, "mode %s without mx",
		    smtp2_mtasts_mode_name(p->mode));
		return (-1);
	}
	return (0);
}

/* smtp2_mtasts_match - the mx patterns in Postfix's match= syntax */
int
smtp2_mtasts_match(const struct smtp2_mtasts_policy *p, char *out,
    size_t outlen)
{
	size_t	i, n = 0;
	int	w;

	if (outlen == 0)
		return (-1);
	out[0] = '\0';
	for (i = 0; i < p->n_mx; i++) {
		const char *mx = p->mx[i];

		/* "*.x.y" matches one label more; Postfix's ".x.y" any number:
		 * the policy's hosts all fit, and Postfix names the host. */
		if (mx[0] == '*')
			mx++;
		w = snprintf(out + n, outlen - n, "%s%s", i ? ":" : "", mx);
		if (w < 0 || (size_t)w >= outlen - n)
			return (-1);
		n += (size_t)w;
	}
	return (0);
}
