/*
 * cert_names.c - does a certificate name the sender's domain?
 *
 * RFC 6125 section 6.4 matching on DNS-IDs (dNSName SANs), the CN only
 * when the certificate has no dNSName at all, as RFC 6125 6.4.4 allows
 * for old certificates.  Names are compared as ASCII, case-insensitively,
 * after dropping one final dot: IDNs must be A-labels ("xn--..."), as
 * RFC 5280 requires dNSNames to be.  A name with anything else in it
 * (U-labels, spaces, NULs hidden in an IA5String) matches nothing.
 *
 * Wildcards: only a whole left-most "*" label, which stands for exactly
 * one label; never partial ("a*.x.test", "xn--*"), never in another
 * label, never over a single label ("*.tld").  There is no public suffix
 * list here: "*.co.uk" is refused by CAs, not by us.
 *
 * "within" (smtp2: the domain or a host inside it): the certificate name
 * may also be a name below the domain, so mx.bank.test proves bank.test
 * but evilbank.test never does.  A wildcard *.D covers D itself and hosts
 * one label below D (every name it stands for is inside D).  A domain of
 * a single label is only ever matched exactly: no certificate proves a
 * whole top-level domain.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_util.h"
#include "why.h"

#define NAMES_LABEL_MAX	63

/* names_char - lower-cased LDH (or '_', or '*' when wild), or 0 */
static char
names_char(unsigned char c, bool wild)
{
	if (c >= 'A' && c <= 'Z')
		return ((char)(c - 'A' + 'a'));
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
	    || c == '_' || (wild && c == '*'))
		return ((char)c);
	return (0);
}

/* names_clean - lower-case copy without one final dot; -1 if no DNS name */
static int
names_clean(const char *in, size_t len, char out[SMTP2_CERT_NAME_MAX + 1],
    bool wild)
{
	size_t	i, label = 0;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > SMTP2_CERT_NAME_MAX)
		return (-1);
	for (i = 0; i < len; i++) {
		if (in[i] == '.') {
			if (label == 0)
				return (-1);	/* ".x", "x..y" */
			label = 0;
			out[i] = '.';
		} else if (++label > NAMES_LABEL_MAX
		    || (out[i] = names_char((unsigned char)in[i], wild)) == 0)
			return (-1);
	}
	if (label == 0)
		return (-1);			/* "x.." */
	out[len] = '\0';
	return (0);
}

/* names_within - is name host itself or below it (host not a lone label)? */
static bool
names_within(const char *name, const char *host)
{
	size_t	nl = strlen(name), hl = strlen(host);

	if (strchr(host, '.') == NULL)
		return (false);
	if (nl == hl)
		return (strcmp(name, host) == 0);
	return (nl > hl && name[nl - hl - 1] == '.'
	    && strcmp(name + nl - hl, host) == 0);
}

/* smtp2_cert_name_match - RFC 6125 6.4, plus smtp2's "within" */
bool
smtp2_cert_name_match(const char *pattern, const char *host, bool within)
{
	char	p[SMTP2_CERT_NAME_MAX + 1], h[SMTP2_CERT_NAME_MAX + 1];
	const char *base, *dot;

	if (pattern == NULL || host == NULL
	    || names_clean(pattern, strlen(pattern), p, true) < 0
	    || names_clean(host, strlen(host), h, false) < 0)
		return (false);
	if (strchr(p, '*') == NULL) {
		base = p;
		if (strcmp(p, h) == 0)
			return (true);
	} else {
		/* "*." and at least two more labels; no other '*'. */
		if (p[0] != '*' || p[1] != '.' || strchr(p + 1, '*') != NULL
		    || strchr(p + 2, '.') == NULL)
			return (false);
		base = p + 2;
		if ((dot = strchr(h, '.')) != NULL && strcmp(dot + 1, base) == 0)
			return (true);
	}
	return (within && names_within(base, h));
}

/* A certificate's names as tried, for the reason when none fits. */
struct names_seen {
	char	list[160];
	size_t	len;
	bool	full;
};

/* names_note - append one name (masked printable) to the list */
static void
names_note(struct names_seen *ns, const char *name, size_t len)
{
	char	buf[SMTP2_CERT_NAME_MAX + 1];
	int	n;

	if (ns->full)
		return;
	smtp2_cert_printable(name, len, buf, sizeof(buf));
	n = snprintf(ns->list + ns->len, sizeof(ns->list) - ns->len, "%s%s",
	    ns->len > 0 ? ", " : "", buf);
	if (n < 0 || (size_t)n >= sizeof(ns->list) - ns->len - 4) {
		/* Keep room for the ellipsis: a truncated name would mislead. */
		ns->list[ns->len] = '\0';
		snprintf(ns->list + ns->len, sizeof(ns->list) - ns->len, "%s...",
		    ns->len > 0 ? ", " : "");
		ns->full = true;
		return;
	}
	ns->len += (size_t)n;
}

/* names_listed - is name (masked as names_note would) in the list? */
static bool
names_listed(const struct names_seen *ns, const char *name, size_t len)
{
	char	buf[SMTP2_CERT_NAME_MAX + 1];
	const char *p = ns->list, *end;
	size_t	n;

	smtp2_cert_printable(name, len, buf, sizeof(buf));
	n = strlen(buf);
	while (*p != '\0') {
		if ((end = strstr(p, ", ")) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == n && strncasecmp(p, buf, n) == 0)
			return (true);
		p = *end != '\0' ? end + 2 : end;
	}
	return (false);
}

/* What the subjectAltName extension turned out to be. */
enum names_san {
	NAMES_SAN_NONE,			/* absent: the CN decides */
	NAMES_SAN_READ,			/* decoded */
	NAMES_SAN_BROKEN		/* undecodable or repeated: nothing fits */
};

/* names_try - one presented name against domain (NULL: only list it) */
static bool
names_try(const unsigned char *data, int len, const char *domain,
    struct names_seen *ns, struct smtp2_cert_result *r)
{
	char	name[SMTP2_CERT_NAME_MAX + 2];

	if (data == NULL || len <= 0)
		return (false);
	names_note(ns, (const char *)data, (size_t)len);
	/* An embedded NUL would let "bank.test\0.evil.test" pass for bank.test. */
	if (domain == NULL || (size_t)len >= sizeof(name)
	    || memchr(data, '\0', (size_t)len) != NULL)
		return (false);
	memcpy(name, data, (size_t)len);
	name[len] = '\0';
	if (!smtp2_cert_name_match(name, domain, true))
		return (false);
	snprintf(r->matched_name, sizeof(r->matched_name), "%s", name);
	return (true);
}

/*
 * names_cn - the subject's CNs, for certificates without a dNSName; with
 * domain NULL only listed for the reason, unless already among the SANs.
 */
static bool
names_cn(X509 *leaf, const char *domain, struct names_seen *ns,
    const struct names_seen *sans, struct smtp2_cert_result *r)
{
	const X509_NAME *subj = X509_get_subject_name(leaf);
	unsigned char *utf8;
	bool	found = false;
	int	pos = -1, len;

	while (!found
	    && (pos = X509_NAME_get_index_by_NID(subj, NID_commonName, pos)) >= 0) {
		utf8 = NULL;
		len = ASN1_STRING_to_UTF8(&utf8,
		    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, pos)));
		if (len > 0 && (domain != NULL
		    || !names_listed(sans, (const char *)utf8, (size_t)len)))
			found = names_try(utf8, len, domain, ns, r);
		OPENSSL_free(utf8);
	}
	return (found);
}

/* names_san - try the dNSName SANs, counting them in *ndns */
static bool
names_san(X509 *leaf, const char *domain, struct names_seen *ns,
    struct smtp2_cert_result *r, int *ndns, enum names_san *state)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *gen;
	bool	found = false;
	int	i, crit = -1;

	*ndns = 0;
	gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, &crit, NULL);
	*state = crit == -1 ? NAMES_SAN_NONE
	    : gens == NULL ? NAMES_SAN_BROKEN : NAMES_SAN_READ;
	for (i = 0; !found && i < sk_GENERAL_NAME_num(gens); i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type != GEN_DNS)
			continue;
		(*ndns)++;
		found = names_try(ASN1_STRING_get0_data(gen->d.dNSName),
		    ASN1_STRING_length(gen->d.dNSName), domain, ns, r);
	}
	GENERAL_NAMES_free(gens);
	return (found);
}

/* names_reason - NAME_MISMATCH, saying which names were there */
static void
names_reason(const char *domain, enum names_san state, int ndns,
    const struct names_seen *san, const struct names_seen *cn,
    struct smtp2_cert_result *r)
{
	char	dom[SMTP2_CERT_NAME_MAX + 1];

	r->status = SMTP2_CERT_NAME_MISMATCH;
	smtp2_cert_printable(domain, strlen(domain), dom, sizeof(dom));
	if (state == NAMES_SAN_BROKEN)
		smtp2_why(r->reason, sizeof(r->reason), "no name fits %s: the "
		    "subjectAltName extension is unreadable or repeated", dom);
	else if (ndns > 0 && cn->len > 0)
		smtp2_why(r->reason, sizeof(r->reason), "no name fits %s: SAN %s; "
		    "CN %s not used (the certificate has dNSName SANs)", dom,
		    san->list, cn->list);
	else if (ndns > 0)
		smtp2_why(r->reason, sizeof(r->reason), "no name fits %s: SAN %s",
		    dom, san->list);
	else if (cn->len > 0)
		smtp2_why(r->reason, sizeof(r->reason), "no name fits %s: CN %s "
		    "(no dNSName SAN)", dom, cn->list);
	else
		smtp2_why(r->reason, sizeof(r->reason), "no name fits %s: the "
		    "certificate has neither a dNSName SAN nor a CN", dom);
}

/* smtp2_cert_names_check - SANs, else the CN; NAME_MISMATCH with names */
int
smtp2_cert_names_check(X509 *leaf, const char *domain,
    struct smtp2_cert_result *r)
{
	struct names_seen san = {0}, cn = {0};
	enum names_san state;
	int	ndns;

	r->matched_name[0] = '\0';
	if (names_san(leaf, domain, &san, r, &ndns, &state))
		return (0);
	if (state != NAMES_SAN_BROKEN && ndns == 0) {
		/* No dNSName (absent SAN, or IP addresses only): the CN decides. */
		if (names_cn(leaf, domain, &cn, &san, r))
			return (0);
	} else
		(void)names_cn(leaf, NULL, &cn, &san, r);	/* only to list it */
	names_reason(domain, state, ndns, &san, &cn, r);
	return (-1);
}
