/*
 * verify.c - weigh the sender domain's DNS against the client's TLS facts.
 *
 * Two lookups at most: the _smtp2 TXT record (does the domain take part,
 * and is its record sound?) and, when a certificate was presented, the
 * TLSA pins.  Proof comes from a pin (dane, preferred) or from a trusted
 * certificate whose name lies in the domain (pkix).  Without proof the
 * record decides between fail and none; DNS trouble never becomes either.
 */

/* System library. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/record.h>
#include <smtp2/tlsa.h>
#include <smtp2/verify.h>

#define VERIFY_NAME_MAX		253	/* RFC 1035, without the final dot */
#define VERIFY_LABEL_MAX	63

/* What the TLSA lookup established. */
enum verify_pins {
	PINS_NONE = 0,		/* no TLSA set (or no certificate to test) */
	PINS_TEMP,		/* lookup failed or bogus: cannot judge */
	PINS_WEAK,		/* pins exist but their DNSSEC status is not enough */
	PINS_MATCH,
	PINS_NOMATCH,
	PINS_UNUSABLE		/* pins exist, none evaluable with what we know */
};

struct verify_pin_result {
	enum verify_pins state;
	enum smtp2_dnssec dnssec;	/* of the TLSA answer */
	char	why[160];
};

/* verify_label_ok - one LDH label, no hyphen at either end */
static bool
verify_label_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > VERIFY_LABEL_MAX || s[0] == '-' || s[len - 1] == '-')
		return (false);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return (false);
	return (true);
}

/* smtp2_domain_normalise - lower-case, drop one final dot, check syntax */
int
smtp2_domain_normalise(const char *in, char *out, size_t outlen)
{
	size_t	len, i, start;
	bool	dot = false;

	if (in == NULL || out == NULL || outlen == 0)
		return (-1);
	len = strnlen(in, VERIFY_NAME_MAX + 2);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > VERIFY_NAME_MAX || len >= outlen)
		return (-1);
	for (i = start = 0; i <= len; i++) {
		if (i < len && in[i] != '.')
			continue;
		if (!verify_label_ok(in + start, i - start))
			return (-1);
		dot |= i < len;
		start = i + 1;
	}
	/* A single label is a local name, not a sender domain. */
	if (!dot)
		return (-1);
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[len] = '\0';
	return (0);
}

/* smtp2_domain_from_address - the part after the last @ */
int
smtp2_domain_from_address(const char *addr, char *out, size_t outlen)
{
	const char *at, *end;
	size_t	len;

	if (addr == NULL || out == NULL || outlen == 0)
		return (-1);
	len = strnlen(addr, 1024);
	if (len > 0 && addr[0] == '<') {
		if (addr[len - 1] != '>')
			return (-1);
		addr++;
		len -= 2;
	}
	out[0] = '\0';
	if (len == 0)
		return (0);		/* the null sender */
	/* The last @: a quoted local part may hold more of them. */
	end = addr + len;
	for (at = end; at > addr && at[-1] != '@'; at--)
		;
	if (at == addr || at == end || (size_t)(end - at) >= outlen)
		return (-1);
	memcpy(out, at, (size_t)(end - at));
	out[end - at] = '\0';
	return (0);
}

/* verify_sanitise - keep reasons on one printable line */
static void
verify_sanitise(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* verify_set - final result, reason and the answer it rests on */
static void
verify_set(struct smtp2_verdict *v, enum smtp2_result r, enum smtp2_method m,
    enum smtp2_dnssec sec, const char *reason)
{
	v->result = r;
	v->method = m;
	v->dnssec = sec;
	snprintf(v->reason, sizeof(v->reason), "%s", reason);
	verify_sanitise(v->reason);
}

/* verify_txt_join - concatenate the character-strings of one TXT rdata */
static char *
verify_txt_join(const unsigned char *rd, size_t len, size_t *outlen)
{
	char	*s;
	size_t	i = 0, n = 0;

	/* Joined text is never longer than the rdata. */
	if ((s = malloc(len + 1)) == NULL)
		return (NULL);
	while (i < len) {
		size_t	sl = rd[i++];

		if (sl > len - i)
			sl = len - i;	/* truncated string: keep what is there */
		memcpy(s + n, rd + i, sl);
		n += sl;
		i += sl;
	}
	s[n] = '\0';
	*outlen = n;
	return (s);
}

/* verify_record - select the _smtp2 record among the TXT strings */
static enum smtp2_record_status
verify_record(const struct smtp2_dns_answer *a, struct smtp2_record *rec,
    char *why, size_t whylen)
{
	enum smtp2_record_status st = SMTP2_RECORD_INVALID;
	char	**txts;
	size_t	*lens, i, n = 0;

	txts = calloc(a->n ? a->n : 1, sizeof(*txts));
	lens = calloc(a->n ? a->n : 1, sizeof(*lens));
	if (txts == NULL || lens == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (n = 0; n < a->n; n++) {
		if ((txts[n] = verify_txt_join(a->rr[n].rdata, a->rr[n].len,
		    &lens[n])) == NULL) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	}
	st = smtp2_record_select((const char *const *)txts, lens, n, rec,
	    why, whylen);
out:
	for (i = 0; txts != NULL && i < n; i++)
		free(txts[i]);
	free(txts);
	free(lens);
	return (st);
}

/* verify_pins_trusted - may pins from an answer this secure count? */
static bool
verify_pins_trusted(enum smtp2_dnssec_mode mode, enum smtp2_dnssec sec)
{
	switch (mode) {
	case SMTP2_DNSSEC_REQUIRED:
		return (sec == SMTP2_DNSSEC_SECURE);
	case SMTP2_DNSSEC_PREFERRED:
		return (sec == SMTP2_DNSSEC_SECURE || sec == SMTP2_DNSSEC_INSECURE);
	default:
		return (sec != SMTP2_DNSSEC_BOGUS);
	}
}

/* verify_pins_match - parse the TLSA set and compare it with the cert */
static void
verify_pins_match(const struct smtp2_dns_answer *a,
    const struct smtp2_tls_facts *tls, struct verify_pin_result *pr)
{
	struct smtp2_tlsa *rrs;
	size_t	i, k = 0;
	unsigned skipped = 0;
	char	why[128] = "";

	if ((rrs = calloc(a->n, sizeof(*rrs))) == NULL) {
		pr->state = PINS_TEMP;
		snprintf(pr->why, sizeof(pr->why), "out of memory");
		return;
	}
	/* Malformed records are skipped: they cannot prove anything. */
	for (i = 0; i < a->n; i++)
		if (smtp2_tlsa_parse(a->rr[i].rdata, a->rr[i].len, &rrs[k]) == 0)
			k++;
	switch (smtp2_tlsa_match(rrs, k, tls, &skipped, why, sizeof(why))) {
	case SMTP2_PIN_MATCH:
		pr->state = PINS_MATCH;
		snprintf(pr->why, sizeof(pr->why), "%s", why);
		break;
	case SMTP2_PIN_NOMATCH:
		pr->state = PINS_NOMATCH;
		snprintf(pr->why, sizeof(pr->why), "certificate does not match "
		    "the domain's pins (%zu tried, %u unevaluated)",
		    k - skipped, skipped);
		break;
	default:
		pr->state = PINS_UNUSABLE;
		snprintf(pr->why, sizeof(pr->why), "%s", k == 0 ?
		    "only malformed TLSA records" : why);
		break;
	}
	free(rrs);
}

/* verify_lookup - one counted query; a bogus answer is never believed */
static struct smtp2_dns_answer *
verify_lookup(struct smtp2_dns *dns, const char *name, uint16_t type,
    struct smtp2_verdict *v)
{
	struct smtp2_dns_answer *a;

	v->queries++;
	if ((a = smtp2_dns_query(dns, name, type)) == NULL)
		return (NULL);
	/* The resolver already turns bogus into TEMPFAIL; a cache filled by
	 * other hands might not, so enforce it here too. */
	if (a->dnssec == SMTP2_DNSSEC_BOGUS && a->status != SMTP2_DNS_TEMPFAIL) {
		a->status = SMTP2_DNS_TEMPFAIL;
		snprintf(a->why, sizeof(a->why), "DNSSEC validation failed "
		    "(bogus) for %.120s", name);
	}
	return (a);
}

/* verify_pins - look the TLSA set up and judge it */
static void
verify_pins(struct smtp2_dns *dns, enum smtp2_dnssec_mode mode,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v, struct verify_pin_result *pr)
{
	struct smtp2_dns_answer *a;
	char	name[SMTP2_DOMAIN_MAX + 16];

	snprintf(name, sizeof(name), "_smtp2._tcp.%s", domain);
	if ((a = verify_lookup(dns, name, SMTP2_DNS_T_TLSA, v)) == NULL) {
		pr->state = PINS_TEMP;
		snprintf(pr->why, sizeof(pr->why), "out of memory");
		return;
	}
	pr->dnssec = a->dnssec;
	if (a->status == SMTP2_DNS_TEMPFAIL) {
		pr->state = PINS_TEMP;
		snprintf(pr->why, sizeof(pr->why), "%s", a->why);
	} else if (a->status != SMTP2_DNS_OK || a->n == 0) {
		pr->state = PINS_NONE;
	} else if (!verify_pins_trusted(mode, a->dnssec)) {
		pr->state = PINS_WEAK;
		snprintf(pr->why, sizeof(pr->why), "pins ignored: DNSSEC %s, "
		    "policy wants %s", smtp2_dnssec_name(a->dnssec),
		    smtp2_dnssec_mode_name(mode));
	} else
		verify_pins_match(a, tls, pr);
	smtp2_dns_answer_free(a);
}

/* verify_pkix - a trusted certificate named for the domain or inside it */
static bool
verify_pkix(const char *domain, const struct smtp2_tls_facts *tls,
    char *why, size_t whylen)
{
	char	cn[sizeof(tls->subject_cn)];
	size_t	i, cl, dl = strlen(domain);

	if (!tls->cert_trusted) {
		snprintf(why, whylen, "certificate not trusted and no pin");
		return (false);
	}
	for (i = 0; i + 1 < sizeof(cn) && tls->subject_cn[i] != '\0'; i++)
		cn[i] = (char)tolower((unsigned char)tls->subject_cn[i]);
	cn[i] = '\0';
	if ((cl = i) > 0 && cn[cl - 1] == '.')
		cn[--cl] = '\0';
	if (cl == 0) {
		snprintf(why, whylen, "trusted certificate carries no name");
		return (false);
	}
	/* "evilbank.test" must not pass for "bank.test": match whole labels. */
	if (strcmp(cn, domain) == 0 ||
	    (cl > dl && cn[cl - dl - 1] == '.' && strcmp(cn + cl - dl, domain) == 0))
		return (true);
	snprintf(why, whylen, "certificate name %.100s is not in %s", cn, domain);
	return (false);
}

/* verify_txt - look the _smtp2 record up; returns the answer's status */
static enum smtp2_dns_status
verify_txt(struct smtp2_dns *dns, const char *domain, struct smtp2_verdict *v,
    enum smtp2_record_status *rst, enum smtp2_dnssec *sec, char *why,
    size_t whylen)
{
	struct smtp2_dns_answer *a;
	struct smtp2_record rec;
	enum smtp2_dns_status st;
	char	name[SMTP2_DOMAIN_MAX + 16];

	snprintf(name, sizeof(name), "_smtp2.%s", domain);
	*rst = SMTP2_RECORD_ABSENT;
	if ((a = verify_lookup(dns, name, SMTP2_DNS_T_TXT, v)) == NULL) {
		*sec = SMTP2_DNSSEC_UNKNOWN;
		snprintf(why, whylen, "out of memory");
		return (SMTP2_DNS_TEMPFAIL);
	}
	st = a->status;
	*sec = a->dnssec;
	if (st == SMTP2_DNS_TEMPFAIL)
		snprintf(why, whylen, "%s", a->why);
	else if (st == SMTP2_DNS_OK) {
		*rst = verify_record(a, &rec, why, whylen);
		if (*rst == SMTP2_RECORD_OK) {
			v->has_record = true;
			v->policy = rec.policy;
		}
	}
	smtp2_dns_answer_free(a);
	return (st);
}

/* verify_no_proof - fail, none or temperror once no proof was found */
static void
verify_no_proof(struct smtp2_verdict *v, const struct smtp2_tls_facts *tls,
    const struct verify_pin_result *pr, const char *pkix_why,
    enum smtp2_dns_status txt, enum smtp2_dnssec txt_sec, const char *txt_why)
{
	const char *why;

	if (pr->state == PINS_TEMP) {
		verify_set(v, SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
		    pr->dnssec, pr->why);
		return;
	}
	if (txt == SMTP2_DNS_TEMPFAIL) {
		verify_set(v, SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
		    txt_sec, txt_why);
		return;
	}
	if (!v->has_record) {
		verify_set(v, SMTP2_RESULT_NONE, SMTP2_METHOD_NONE, txt_sec,
		    "no _smtp2 record");
		return;
	}
	/* The most telling reason first: a pin beats a name. */
	if (!tls->cert_presented)
		why = "no client certificate presented";
	else if (pr->state == PINS_NOMATCH || pr->state == PINS_WEAK ||
	    (pr->state == PINS_UNUSABLE && !tls->cert_trusted))
		why = pr->why;
	else
		why = pkix_why;
	verify_set(v, SMTP2_RESULT_FAIL, SMTP2_METHOD_NONE, txt_sec, why);
}

/* verify_domain - the verdict for a well-formed domain */
static void
verify_domain(struct smtp2_dns *dns, enum smtp2_dnssec_mode mode,
    const struct smtp2_tls_facts *tls, struct smtp2_verdict *v)
{
	struct verify_pin_result pr = { PINS_NONE, SMTP2_DNSSEC_UNKNOWN, "" };
	enum smtp2_record_status rst;
	enum smtp2_dns_status txt;
	enum smtp2_dnssec txt_sec;
	char	txt_why[256] = "", pkix_why[400] = "";

	txt = verify_txt(dns, v->domain, v, &rst, &txt_sec, txt_why,
	    sizeof(txt_why));
	/* A broken record is the domain's error whatever the proof. */
	if (rst == SMTP2_RECORD_INVALID) {
		char	bad[sizeof(v->reason)];

		snprintf(bad, sizeof(bad), "invalid _smtp2 record: %.200s",
		    txt_why);
		verify_set(v, SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE, txt_sec,
		    bad);
		return;
	}
	if (tls->cert_presented) {
		verify_pins(dns, mode, v->domain, tls, v, &pr);
		if (pr.state == PINS_MATCH) {
			verify_set(v, SMTP2_RESULT_PASS, SMTP2_METHOD_DANE,
			    pr.dnssec, pr.why[0] ? pr.why : "pin matched");
			return;
		}
		/* PKIX stands only where DNS answered: a failed or bogus
		 * lookup may hide a record or pins this certificate would
		 * not satisfy (RFC 7672 2.2 defers in the same case). */
		if (txt != SMTP2_DNS_TEMPFAIL && pr.state != PINS_TEMP &&
		    verify_pkix(v->domain, tls, pkix_why, sizeof(pkix_why))) {
			verify_set(v, SMTP2_RESULT_PASS, SMTP2_METHOD_PKIX,
			    txt_sec, "trusted certificate names the domain");
			return;
		}
	}
	verify_no_proof(v, tls, &pr, pkix_why, txt, txt_sec, txt_why);
}

/* smtp2_verify - did the connecting server prove domain? */
void
smtp2_verify(struct smtp2_dns *dns, enum smtp2_dnssec_mode dnssec,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v)
{
	struct smtp2_tls_facts none;

	memset(v, 0, sizeof(*v));
	if (tls == NULL) {
		smtp2_tls_facts_init(&none);
		tls = &none;
	}
	if (domain == NULL || domain[0] == '\0') {
		verify_set(v, SMTP2_RESULT_NONE, SMTP2_METHOD_NONE,
		    SMTP2_DNSSEC_UNKNOWN, "null sender");
		return;
	}
	if (smtp2_domain_normalise(domain, v->domain, sizeof(v->domain)) < 0) {
		verify_set(v, SMTP2_RESULT_PERMERROR, SMTP2_METHOD_NONE,
		    SMTP2_DNSSEC_UNKNOWN, "invalid domain");
		return;
	}
	if (dns == NULL) {
		verify_set(v, SMTP2_RESULT_TEMPERROR, SMTP2_METHOD_NONE,
		    SMTP2_DNSSEC_UNKNOWN, "no resolver");
		return;
	}
	verify_domain(dns, dnssec, tls, v);
}
