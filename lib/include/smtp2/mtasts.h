/*
 * smtp2/mtasts.h - MTA-STS (RFC 8461): the _mta-sts TXT record and the
 * policy document, parsed; no I/O here.  smtp2-policyd fetches the policy
 * over HTTPS and hands it to smtp2_tlspolicy_from_mtasts() (tlspolicy.h).
 * docs/tlspolicy.md tells what each mode becomes.
 */
#ifndef SMTP2_MTASTS_H
#define SMTP2_MTASTS_H

#include <stddef.h>
#include <stdint.h>

#define SMTP2_MTASTS_ID_MAX	32		/* RFC 8461 3.1: 1*32 alnum */
#define SMTP2_MTASTS_MX_MAX	16		/* mx: lines kept; more is an error */
#define SMTP2_MTASTS_MX_LEN	253
#define SMTP2_MTASTS_MAX_AGE	31557600	/* RFC 8461 3.2: one year */
#define SMTP2_MTASTS_BODY_MAX	65536		/* bytes of policy we read */

enum smtp2_mtasts_mode {
	SMTP2_MTASTS_NONE = 0,
	SMTP2_MTASTS_TESTING,
	SMTP2_MTASTS_ENFORCE
};

struct smtp2_mtasts_policy {
	enum smtp2_mtasts_mode mode;
	uint32_t	max_age;		/* seconds, capped at one year */
	size_t		n_mx;
	/* Lower case; "*.example.net" wildcards keep their "*." prefix. */
	char		mx[SMTP2_MTASTS_MX_MAX][SMTP2_MTASTS_MX_LEN + 1];
};

enum smtp2_mtasts_status {
	SMTP2_MTASTS_OK = 0,
	SMTP2_MTASTS_ABSENT,		/* no v=STSv1 TXT string */
	SMTP2_MTASTS_INVALID		/* broken, or more than one record */
};

/*
 * smtp2_mtasts_txt_select - the policy id out of every TXT string at
 * _mta-sts.<domain> (n strings, each lens[i] bytes).  Strings that do not
 * start with v=STSv1 are skipped; two that do make INVALID (RFC 8461 3.1:
 * then there is no policy).  id (SMTP2_MTASTS_ID_MAX + 1 bytes) is written
 * only on OK.  why may be NULL.
 */
enum smtp2_mtasts_status smtp2_mtasts_txt_select(const char *const *txts,
    const size_t *lens, size_t n, char *id, char *why, size_t whylen);

/*
 * smtp2_mtasts_parse - parse a policy document of len bytes (not
 * NUL-terminated, may hold anything).  Returns 0 with *p filled, or -1
 * with why (may be NULL).  Unknown fields are ignored; of a repeated
 * version, mode or max_age the first counts.  mode none needs no mx.
 */
int smtp2_mtasts_parse(const char *text, size_t len,
    struct smtp2_mtasts_policy *p, char *why, size_t whylen);

/*
 * smtp2_mtasts_match - the Postfix "match=" value for the policy's mx
 * patterns: "*.example.net" becomes ".example.net" (Postfix's suffix
 * match), joined with ':'.  Returns 0, or -1 when out did not suffice.
 */
int smtp2_mtasts_match(const struct smtp2_mtasts_policy *p, char *out,
    size_t outlen);

/* "none", "testing", "enforce" */
const char *smtp2_mtasts_mode_name(enum smtp2_mtasts_mode m);

#endif
