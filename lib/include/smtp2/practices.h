/*
 * smtp2/practices.h - the author domain's signing practices, judged from
 * the message's DKIM results: DMARC (RFC 9989) and ADSP (RFC 5617).
 *
 * The author domain is the RFC 5322 From domain.  Nothing here decides
 * what happens to the message: the results are stamped, and milter.conf
 * says whether any of them may refuse it (docs/practices.md).
 *
 * SPF is not evaluated by smtp2: an spf= result from an upstream
 * Authentication-Results header whose authserv-id the operator trusts
 * may be passed in; otherwise SPF alignment is reported as unknown.
 */
#ifndef SMTP2_PRACTICES_H
#define SMTP2_PRACTICES_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>

/* Application-specific. */
#include <smtp2/dkim_verify.h>
#include <smtp2/dmarc.h>
#include <smtp2/dns.h>

#define SMTP2_DMARC_WALK_MAX	8	/* DNS queries of one tree walk */

/* An spf= taken from a trusted upstream Authentication-Results. */
enum smtp2_spf_result {
	SMTP2_SPF_UNKNOWN = 0,		/* no trusted upstream said anything */
	SMTP2_SPF_NONE,
	SMTP2_SPF_NEUTRAL,
	SMTP2_SPF_PASS,
	SMTP2_SPF_FAIL,
	SMTP2_SPF_SOFTFAIL,
	SMTP2_SPF_TEMPERROR,
	SMTP2_SPF_PERMERROR
};

struct smtp2_spf_upstream {
	enum smtp2_spf_result result;
	char		domain[256];	/* smtp.mailfrom's domain (or
					 * smtp.helo's), lower case */
	char		authserv_id[256];	/* who said so */
};

/*
 * smtp2_spf_upstream_parse - look at one Authentication-Results value.
 * When its authserv-id is one of trusted[0..n-1] (case-insensitive) and
 * it carries an spf= result with smtp.mailfrom (or smtp.helo), fill out
 * and return true.  A value that cannot be parsed is simply not used.
 */
bool smtp2_spf_upstream_parse(const char *value, const char *const *trusted,
    size_t n_trusted, struct smtp2_spf_upstream *out);

const char *smtp2_spf_result_name(enum smtp2_spf_result r);

/* DMARC result for the message (RFC 9989 / RFC 8601 dmarc=). */
enum smtp2_dmarcr {
	SMTP2_DMARCR_NONE = 0,		/* no policy record found */
	SMTP2_DMARCR_PASS,		/* an aligned DKIM pass (or SPF pass) */
	SMTP2_DMARCR_FAIL,		/* a policy exists, nothing aligned passed */
	SMTP2_DMARCR_TEMPERROR,		/* a DNS failure stopped discovery */
	SMTP2_DMARCR_PERMERROR		/* the applicable record is broken */
};

enum smtp2_tristate {
	SMTP2_UNKNOWN = 0,
	SMTP2_NO,
	SMTP2_YES
};

struct smtp2_dmarc_eval {
	enum smtp2_dmarcr result;
	char		author_domain[256];
	char		org_domain[256];	/* "" when undetermined, or
					 * not needed (the record at the
					 * author domain settled it) */
	char		record_domain[256];	/* where the policy came from */
	bool		has_record;
	enum smtp2_dmarc_policy policy;	/* the one that applies: p, sp or np */
	const char	*policy_tag;	/* "p", "sp" or "np"; NULL without record */
	enum smtp2_dmarc_align adkim, aspf;
	bool		testing;	/* t=y */
	bool		author_exists;	/* false: NXDOMAIN (np= applies) */
	/* First-party signature: a DKIM pass whose d= is aligned with the
	 * author domain (strict: equal; relaxed: same org domain). */
	bool		dkim_aligned;
	char		dkim_domain[256];	/* its d=, "" when none */
	enum smtp2_tristate spf_aligned;	/* YES: an aligned SPF pass;
					 * NO: no pass, or not aligned;
					 * UNKNOWN: no upstream, or DNS
					 * failed while aligning */
	unsigned	queries;	/* DNS lookups made, cache hits included */
	char		why[256];	/* for humans */
};

/*
 * smtp2_dmarc_evaluate - DMARC for author_domain: policy discovery by
 * the DNS tree walk (at most SMTP2_DMARC_WALK_MAX queries for each
 * domain whose organisational domain is needed; psd= honoured),
 * identifier alignment of every passing signature in sigs[0..n-1] and
 * of spf (may be NULL), and the result.  Always fills out.  Returns 0,
 * or -1 when out of memory (out->why says so).
 */
int smtp2_dmarc_evaluate(struct smtp2_dns *dns, const char *author_domain,
    const struct smtp2_dkimv_sig *sigs, size_t n,
    const struct smtp2_spf_upstream *spf, struct smtp2_dmarc_eval *out);

const char *smtp2_dmarcr_name(enum smtp2_dmarcr r);	/* "pass", ... */

/* ADSP result (RFC 5617 3.2 and 5.4). */
enum smtp2_adspr {
	SMTP2_ADSPR_NONE = 0,		/* no ADSP record */
	SMTP2_ADSPR_PASS,		/* an author domain signature verified */
	SMTP2_ADSPR_UNKNOWN,		/* no author signature, dkim=unknown */
	SMTP2_ADSPR_FAIL,		/* no author signature, dkim=all */
	SMTP2_ADSPR_DISCARD,		/* no author signature, dkim=discardable */
	SMTP2_ADSPR_NXDOMAIN,		/* the author domain does not exist */
	SMTP2_ADSPR_TEMPERROR,
	SMTP2_ADSPR_PERMERROR
};

struct smtp2_adsp_eval {
	enum smtp2_adspr result;
	enum smtp2_adsp_practice practice;	/* meaningful with a record */
	bool		has_record;
	unsigned	queries;
	char		why[160];
};

/*
 * smtp2_adsp_evaluate - ADSP for author_domain: an author domain
 * signature (a DKIM pass whose d= equals the author domain, RFC 5617
 * 2.7) makes it pass without a lookup; otherwise the author domain's
 * existence is checked (one MX query: NXDOMAIN gives nxdomain) and
 * _adsp._domainkey.<author_domain> is fetched.  Always fills out.
 */
void smtp2_adsp_evaluate(struct smtp2_dns *dns, const char *author_domain,
    const struct smtp2_dkimv_sig *sigs, size_t n, struct smtp2_adsp_eval *out);

const char *smtp2_adspr_name(enum smtp2_adspr r);	/* "pass", ... */

#endif
