/*
 * spf_upstream.c - take an spf= result from an Authentication-Results
 * value (RFC 8601) written by a host the operator trusts.
 *
 * The value is attacker-controlled until its authserv-id is checked, and
 * even then it has been through other hands: it is scanned once, left to
 * right, with every loop moving forward, and nothing is copied without a
 * bound.  What is understood:
 *
 *   [CFWS] authserv-id [CFWS version] *(";" resinfo) | "; none"
 *   resinfo = method[/version] "=" result [reason=value] *(ptype.prop=pvalue)
 *
 * CFWS is whitespace (folding included) and comments, nested, with
 * quoted-pairs.  The authserv-id is a token or a quoted-string and must
 * be printable ASCII.  A resinfo that does not parse is skipped up to
 * the next ';' outside quotes and comments, so one odd method (an
 * unquoted base64 header.b=, say) does not hide the spf= next to it.  A
 * pvalue is read up to whitespace, '(' or ';' (quoted parts included);
 * its domain is what follows the last '@', '<' and '>' dropped.  Only
 * smtp.mailfrom and smtp.helo of spf= are used: the first spf= with a
 * usable mailfrom wins, else the first with a usable helo and no
 * mailfrom other than a null path (a null MAIL FROM is checked as the
 * HELO name, RFC 7208 2.4; a mailfrom that is not a domain name makes
 * the resinfo useless rather than its HELO name the SPF domain).  The
 * whole value is refused on a control byte, an unclosed comment or
 * quoted-string, a "none" result set, or text after the id that is not
 * a resinfo; an spf= whose result word RFC 8601 2.7.2 does not define
 * is not used.
 */

/* System library. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "practices_int.h"

#define AR_VALUE_MAX	(64 * 1024)	/* longer values are not read */
#define AR_WORD_MAX	32		/* method, result, ptype, property */
#define AR_PVALUE_MAX	512		/* local@domain, before the cut */

/* The value being scanned. */
struct ar_scan {
	const char *p;
	bool	bad;			/* unclosed comment or quoted-string */
};

/* What one spf= resinfo said. */
struct ar_spf {
	enum smtp2_spf_result result;
	char	mailfrom[PRACTICES_NAME_MAX + 1];
	char	helo[PRACTICES_NAME_MAX + 1];
	bool	mailfrom_bad;		/* a mailfrom, but not a domain */
};

static const char *const spf_names[] = {
	[SMTP2_SPF_UNKNOWN] = "unknown",
	[SMTP2_SPF_NONE] = "none",
	[SMTP2_SPF_NEUTRAL] = "neutral",
	[SMTP2_SPF_PASS] = "pass",
	[SMTP2_SPF_FAIL] = "fail",
	[SMTP2_SPF_SOFTFAIL] = "softfail",
	[SMTP2_SPF_TEMPERROR] = "temperror",
	[SMTP2_SPF_PERMERROR] = "permerror",
};

#define SPF_NAMES	(sizeof(spf_names) / sizeof(spf_names[0]))

/* smtp2_spf_result_name - "pass", "softfail", ... */
const char *
smtp2_spf_result_name(enum smtp2_spf_result r)
{
	return ((unsigned)r < SPF_NAMES ? spf_names[r] : "invalid");
}

/* ar_spf_result - the result word; SMTP2_SPF_UNKNOWN when not one */
static enum smtp2_spf_result
ar_spf_result(const char *word)
{
	size_t	i;

	for (i = SMTP2_SPF_NONE; i < SPF_NAMES; i++)
		if (strcmp(word, spf_names[i]) == 0)
			return ((enum smtp2_spf_result)i);
	if (strcmp(word, "hardfail") == 0)	/* RFC 5451's name for fail */
		return (SMTP2_SPF_FAIL);
	return (SMTP2_SPF_UNKNOWN);
}

/* ar_cfws - past whitespace and comments */
static void
ar_cfws(struct ar_scan *sc)
{
	size_t	depth = 0;

	/* Every round moves p on by one byte at least. */
	for (; *sc->p != '\0'; sc->p++) {
		if (*sc->p == '(') {
			depth++;
		} else if (depth > 0 && *sc->p == ')') {
			depth--;
		} else if (depth > 0 && *sc->p == '\\') {
			if (sc->p[1] == '\0')
				break;
			sc->p++;		/* quoted-pair */
		} else if (depth == 0 && strchr(" \t\r\n", *sc->p) == NULL) {
			break;
		}
	}
	if (depth > 0)
		sc->bad = true;
}

/* ar_word - a keyword, lower-cased into buf; false when there is none */
static bool
ar_word(struct ar_scan *sc, char *buf, size_t len)
{
	size_t	n = 0;
	char	c;

	/* Each round consumes one byte; too long a word is no word. */
	while ((c = *sc->p) != '\0' && ((c >= 'a' && c <= 'z')
	    || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
	    || c == '_')) {
		if (n + 1 >= len)
			return (false);
		buf[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		sc->p++;
	}
	buf[n] = '\0';
	return (n > 0);
}

/* ar_digits - an optional version number after CFWS */
static void
ar_digits(struct ar_scan *sc)
{
	ar_cfws(sc);
	if (*sc->p >= '0' && *sc->p <= '9') {
		sc->p += strspn(sc->p, "0123456789");
		ar_cfws(sc);
	}
}

/*
 * ar_quoted - the quoted-string at p (opening quote included) appended
 * to buf[*n..len-1]; folding is dropped.  Returns false when it overflows
 * buf; an unclosed string sets sc->bad.
 */
static bool
ar_quoted(struct ar_scan *sc, char *buf, size_t len, size_t *n)
{
	bool	fits = true;

	/* Each round consumes one byte, or two for a quoted-pair. */
	for (sc->p++; *sc->p != '"'; sc->p++) {
		if (*sc->p == '\0' || (*sc->p == '\\' && *++sc->p == '\0')) {
			sc->bad = true;
			return (false);
		}
		if (*sc->p == '\r' || *sc->p == '\n')
			continue;
		if (*n + 1 >= len)
			fits = false;
		else
			buf[(*n)++] = *sc->p;
	}
	sc->p++;
	buf[*n] = '\0';
	return (fits);
}

/* ar_token_byte - a byte of an RFC 2045 token */
static bool
ar_token_byte(char c)
{
	return (c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL);
}

/* ar_id - the authserv-id (token or quoted-string) into buf */
static bool
ar_id(struct ar_scan *sc, char *buf, size_t len)
{
	size_t	n = 0, i;

	if (*sc->p == '"') {
		if (!ar_quoted(sc, buf, len, &n))
			return (false);
	} else {
		while (ar_token_byte(*sc->p)) {
			if (n + 1 >= len)
				return (false);
			buf[n++] = *sc->p++;
		}
		buf[n] = '\0';
	}
	for (i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return (false);		/* it is shown to people */
	return (n > 0);
}

/*
 * ar_pvalue - a property value: the domain part of [local-part@]domain,
 * normalised into dom ("" when it is not a domain name).  Returns the
 * length of the value, angle brackets dropped: 0 for a null path.
 */
static size_t
ar_pvalue(struct ar_scan *sc, char *dom, size_t domlen)
{
	char	buf[AR_PVALUE_MAX + 1];
	const char *d;
	size_t	n = 0, len;
	bool	fits = true;

	dom[0] = '\0';
	ar_cfws(sc);
	/* Each round consumes a byte or a whole quoted part. */
	while (*sc->p != '\0' && strchr(" \t\r\n(;", *sc->p) == NULL) {
		if (*sc->p == '"') {
			fits &= ar_quoted(sc, buf, sizeof(buf), &n);
			if (sc->bad)
				return (0);
		} else if (n + 1 >= sizeof(buf)) {
			fits = false;
			sc->p++;
		} else {
			buf[n++] = *sc->p++;
		}
	}
	buf[n] = '\0';
	if (!fits)
		return (n);
	/* Angle brackets, though no part of the syntax, are common. */
	if (n > 0 && buf[n - 1] == '>')
		buf[--n] = '\0';
	d = buf + (buf[0] == '<');
	len = strlen(d);
	/* A domain holds no '@': the last one ends any local-part. */
	if (strrchr(d, '@') != NULL)
		d = strrchr(d, '@') + 1;
	(void)smtp2_practices_domain(d, strlen(d), dom, domlen);
	return (len);
}

/* ar_skip - past the rest of a resinfo that did not parse */
static void
ar_skip(struct ar_scan *sc)
{
	char	junk[2];
	size_t	n;

	/* Each round consumes a byte, a comment or a quoted-string. */
	while (!sc->bad && *sc->p != '\0' && *sc->p != ';') {
		if (*sc->p == '(') {
			ar_cfws(sc);
		} else if (*sc->p == '"') {
			n = 0;
			(void)ar_quoted(sc, junk, sizeof(junk), &n);
		} else {
			sc->p++;
		}
	}
}

/* ar_prop - one "ptype.property=pvalue" or "reason=value"; false if not */
static bool
ar_prop(struct ar_scan *sc, bool spf, struct ar_spf *out)
{
	char	ptype[AR_WORD_MAX], prop[AR_WORD_MAX];
	char	dom[PRACTICES_NAME_MAX + 1];
	size_t	len;

	if (!ar_word(sc, ptype, sizeof(ptype)))
		return (false);
	ar_cfws(sc);
	if (strcmp(ptype, "reason") == 0 && *sc->p == '=') {
		sc->p++;
		(void)ar_pvalue(sc, dom, sizeof(dom));	/* not used */
		return (!sc->bad);
	}
	if (*sc->p != '.')
		return (false);
	sc->p++;
	ar_cfws(sc);
	if (!ar_word(sc, prop, sizeof(prop)))
		return (false);
	ar_cfws(sc);
	if (*sc->p != '=')
		return (false);
	sc->p++;
	len = ar_pvalue(sc, dom, sizeof(dom));
	if (!spf || strcmp(ptype, "smtp") != 0)
		return (!sc->bad);
	/* A mailfrom that is no domain must not make way for the HELO
	 * name: only a null path does (RFC 7208 2.4). */
	if (strcmp(prop, "mailfrom") == 0) {
		out->mailfrom_bad |= dom[0] == '\0' && len > 0;
		if (out->mailfrom[0] == '\0')
			strcpy(out->mailfrom, dom);
	} else if (strcmp(prop, "helo") == 0 && out->helo[0] == '\0') {
		strcpy(out->helo, dom);
	}
	return (!sc->bad);
}

/*
 * ar_resinfo - one resinfo after its ';'.  Returns 1 for an spf= with a
 * known result, 0 for any other that parsed, -1 when it did not parse.
 */
static int
ar_resinfo(struct ar_scan *sc, struct ar_spf *out)
{
	char	method[AR_WORD_MAX], result[AR_WORD_MAX];
	bool	spf;

	memset(out, 0, sizeof(*out));
	ar_cfws(sc);
	if (!ar_word(sc, method, sizeof(method)))
		return (-1);
	ar_cfws(sc);
	if (*sc->p == '/') {
		sc->p++;
		ar_digits(sc);
	}
	if (*sc->p != '=')
		return (-1);
	sc->p++;
	ar_cfws(sc);
	if (!ar_word(sc, result, sizeof(result)))
		return (-1);
	spf = strcmp(method, "spf") == 0;
	out->result = spf ? ar_spf_result(result) : SMTP2_SPF_UNKNOWN;
	/* Each round consumes a property, or ends the resinfo. */
	for (;;) {
		ar_cfws(sc);
		if (sc->bad)
			return (-1);
		if (*sc->p == ';' || *sc->p == '\0')
			break;
		if (!ar_prop(sc, spf, out))
			return (-1);
	}
	return (spf && out->result != SMTP2_SPF_UNKNOWN ? 1 : 0);
}

/* ar_trusted - is id one of trusted[0..n-1], in any case? */
static bool
ar_trusted(const char *id, const char *const *trusted, size_t n)
{
	size_t	i;

	for (i = 0; trusted != NULL && i < n; i++)
		if (trusted[i] != NULL && strcasecmp(id, trusted[i]) == 0)
			return (true);
	return (false);
}

/* ar_clean - no control bytes but folding whitespace, and not too long */
static bool
ar_clean(const char *value)
{
	const unsigned char *u = (const unsigned char *)value;
	size_t	n;

	for (n = 0; u[n] != '\0'; n++)
		if (n >= AR_VALUE_MAX || u[n] == 0x7f
		    || (u[n] < 0x20 && u[n] != '\t' && u[n] != '\r'
		    && u[n] != '\n'))
			return (false);
	return (true);
}

/* ar_none - is what follows the ';' at p the "none" of no-result? */
static bool
ar_none(const char *p)
{
	struct ar_scan sc = {p + 1, false};
	char	word[AR_WORD_MAX];

	ar_cfws(&sc);
	if (!ar_word(&sc, word, sizeof(word)) || strcmp(word, "none") != 0)
		return (false);
	ar_cfws(&sc);
	return (*sc.p != '=' && *sc.p != '/');
}

/* ar_results - every resinfo; the spf= to use into *best */
static bool
ar_results(struct ar_scan *sc, struct ar_spf *best)
{
	struct ar_spf one, helo = { SMTP2_SPF_UNKNOWN, "", "", false };
	bool	have_helo = false;
	int	r;

	if (*sc->p == ';' && ar_none(sc->p))
		return (false);
	memset(best, 0, sizeof(*best));
	/* Each round consumes a ';' and what follows up to the next. */
	while (*sc->p == ';' && !sc->bad) {
		sc->p++;
		if ((r = ar_resinfo(sc, &one)) < 0) {
			ar_skip(sc);
			continue;
		}
		if (r == 0)
			continue;
		if (one.mailfrom[0] != '\0' && best->mailfrom[0] == '\0')
			*best = one;
		else if (one.helo[0] != '\0' && !one.mailfrom_bad
		    && !have_helo) {
			helo = one;
			have_helo = true;
		}
	}
	if (sc->bad || *sc->p != '\0')
		return (false);
	if (best->mailfrom[0] == '\0' && have_helo)
		*best = helo;
	return (best->mailfrom[0] != '\0' || best->helo[0] != '\0');
}

/* smtp2_spf_upstream_parse - a trusted upstream's spf= result */
bool
smtp2_spf_upstream_parse(const char *value, const char *const *trusted,
    size_t n_trusted, struct smtp2_spf_upstream *out)
{
	struct ar_scan sc = {value, false};
	struct ar_spf best;
	char	id[sizeof(out->authserv_id)];

	if (value == NULL || out == NULL || !ar_clean(value))
		return (false);
	ar_cfws(&sc);
	if (sc.bad || !ar_id(&sc, id, sizeof(id))
	    || !ar_trusted(id, trusted, n_trusted))
		return (false);
	ar_digits(&sc);
	if (sc.bad || !ar_results(&sc, &best))
		return (false);
	out->result = best.result;
	strcpy(out->domain, best.mailfrom[0] != '\0' ? best.mailfrom :
	    best.helo);
	strcpy(out->authserv_id, id);
	return (true);
}
