/*
 * adsp_eval.c - ADSP for one message (RFC 5617 3.2, 4.3).
 *
 * An author domain signature (a DKIM pass whose d= equals the author
 * domain, 2.7) passes without a lookup.  Otherwise, in this order:
 * the author domain is looked up (MX: any type tells whether a name
 * exists, and MX is the type mail domains answer and caches keep) and
 * NXDOMAIN gives nxdomain; _adsp._domainkey.<author> is fetched, where
 * NXDOMAIN, NODATA or no "dkim=" string give none.  dkim=unknown gives
 * unknown, dkim=all fail, dkim=discardable discard.  A malformed record,
 * or more than one, counts as no record (4.3): none, with the reason in
 * why.  Any DNS failure, a bogus answer included, gives temperror.
 * permerror is never produced: the resolver reports every DNS failure
 * as one that may pass.
 */

/* System library. */
#include <stdbool.h>
#include <string.h>

/* Application-specific. */
#include "practices_int.h"
#include "why.h"

#define ADSP_PREFIX	"_adsp._domainkey."

static const char *const adspr_names[] = {
	[SMTP2_ADSPR_NONE] = "none",
	[SMTP2_ADSPR_PASS] = "pass",
	[SMTP2_ADSPR_UNKNOWN] = "unknown",
	[SMTP2_ADSPR_FAIL] = "fail",
	[SMTP2_ADSPR_DISCARD] = "discard",
	[SMTP2_ADSPR_NXDOMAIN] = "nxdomain",
	[SMTP2_ADSPR_TEMPERROR] = "temperror",
	[SMTP2_ADSPR_PERMERROR] = "permerror",
};

/* smtp2_adspr_name - "pass", "discard", ... as RFC 5617 spells them */
const char *
smtp2_adspr_name(enum smtp2_adspr r)
{
	return ((unsigned)r < sizeof(adspr_names) / sizeof(adspr_names[0]) ?
	    adspr_names[r] : "invalid");
}

/* adsp_author_signed - is there a DKIM pass with d= the author domain? */
static bool
adsp_author_signed(const char *author, const struct smtp2_dkimv_sig *sigs,
    size_t n)
{
	char	d[PRACTICES_NAME_MAX + 1];
	size_t	i;

	for (i = 0; sigs != NULL && i < n; i++)
		if (sigs[i].result == SMTP2_DKIMV_PASS
		    && smtp2_practices_domain(sigs[i].domain,
		    strnlen(sigs[i].domain, sizeof(sigs[i].domain)), d,
		    sizeof(d)) == 0 && strcmp(d, author) == 0)
			return (true);
	return (false);
}

/* adsp_exists - 0 when the author domain exists, else the result */
static int
adsp_exists(struct smtp2_dns *dns, const char *author,
    struct smtp2_adsp_eval *out)
{
	struct smtp2_dns_answer *a;
	int	rc = 0;

	if ((a = smtp2_dns_query_counted(dns, author, SMTP2_DNS_T_MX,
	    &out->queries)) == NULL) {
		out->result = SMTP2_ADSPR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "out of memory");
		return (-1);
	}
	if (a->status == SMTP2_DNS_NXDOMAIN) {
		out->result = SMTP2_ADSPR_NXDOMAIN;
		smtp2_why(out->why, sizeof(out->why), "author domain %.100s "
		    "does not exist", author);
		rc = -1;
	} else if (a->status == SMTP2_DNS_TEMPFAIL) {
		out->result = SMTP2_ADSPR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "%s", a->why);
		rc = -1;
	}
	smtp2_dns_answer_free(a);
	return (rc);
}

/* adsp_practice - the result a record's dkim= gives */
static void
adsp_practice(enum smtp2_adsp_practice p, struct smtp2_adsp_eval *out)
{
	out->has_record = true;
	out->practice = p;
	out->result = p == SMTP2_ADSP_ALL ? SMTP2_ADSPR_FAIL :
	    p == SMTP2_ADSP_DISCARDABLE ? SMTP2_ADSPR_DISCARD :
	    SMTP2_ADSPR_UNKNOWN;
	smtp2_why(out->why, sizeof(out->why), "no author domain signature; "
	    "dkim=%s", smtp2_adsp_practice_name(p));
}

/* adsp_record - what the TXT answer at _adsp._domainkey holds */
static void
adsp_record(const struct smtp2_dns_answer *a, struct smtp2_adsp_eval *out)
{
	struct practices_txt t;
	enum smtp2_adsp_practice p = SMTP2_ADSP_UNKNOWN;
	enum smtp2_adsp_status st;
	char	why[sizeof(out->why)];

	if (smtp2_practices_txt(a, &t) < 0) {
		out->result = SMTP2_ADSPR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "out of memory");
		smtp2_practices_txt_free(&t);
		return;
	}
	st = smtp2_adsp_select((const char *const *)t.s, t.len, t.n, &p, why,
	    sizeof(why));
	smtp2_practices_txt_free(&t);
	if (st == SMTP2_ADSP_OK)
		adsp_practice(p, out);
	else if (st == SMTP2_ADSP_INVALID)
		smtp2_why(out->why, sizeof(out->why), "ADSP record ignored "
		    "(RFC 5617 4.3): %.120s", why);
	else
		smtp2_why(out->why, sizeof(out->why), "no ADSP record");
}

/* adsp_fetch - look _adsp._domainkey.<author> up and judge it */
static void
adsp_fetch(struct smtp2_dns *dns, const char *author,
    struct smtp2_adsp_eval *out)
{
	struct smtp2_dns_answer *a;
	char	name[sizeof(ADSP_PREFIX) + PRACTICES_NAME_MAX];

	/* A name too long for the prefix cannot hold a record. */
	if (strlen(author) + sizeof(ADSP_PREFIX) - 1 > PRACTICES_NAME_MAX) {
		smtp2_why(out->why, sizeof(out->why), "no ADSP record (name "
		    "too long)");
		return;
	}
	memcpy(name, ADSP_PREFIX, sizeof(ADSP_PREFIX) - 1);
	strcpy(name + sizeof(ADSP_PREFIX) - 1, author);
	if ((a = smtp2_dns_query_counted(dns, name, SMTP2_DNS_T_TXT,
	    &out->queries)) == NULL) {
		out->result = SMTP2_ADSPR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "out of memory");
		return;
	}
	if (a->status == SMTP2_DNS_TEMPFAIL) {
		out->result = SMTP2_ADSPR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "%s", a->why);
	} else if (a->status == SMTP2_DNS_OK) {
		adsp_record(a, out);
	} else {
		smtp2_why(out->why, sizeof(out->why), "no ADSP record");
	}
	smtp2_dns_answer_free(a);
}

/* smtp2_adsp_evaluate - ADSP for the message */
void
smtp2_adsp_evaluate(struct smtp2_dns *dns, const char *author_domain,
    const struct smtp2_dkimv_sig *sigs, size_t n, struct smtp2_adsp_eval *out)
{
	char	author[PRACTICES_NAME_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (author_domain == NULL || smtp2_practices_domain(author_domain,
	    strnlen(author_domain, 1024), author, sizeof(author)) < 0) {
		smtp2_why(out->why, sizeof(out->why), "no usable author domain");
		return;
	}
	if (adsp_author_signed(author, sigs, n)) {
		out->result = SMTP2_ADSPR_PASS;
		smtp2_why(out->why, sizeof(out->why), "author domain signature "
		    "d=%.100s", author);
		return;
	}
	if (dns == NULL) {
		out->result = SMTP2_ADSPR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "no resolver");
		return;
	}
	if (adsp_exists(dns, author, out) < 0)
		return;
	adsp_fetch(dns, author, out);
}
