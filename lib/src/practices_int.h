/*
 * practices_int.h - what the signing-practices files share: dmarc_walk.c
 * (names, counted lookups, TXT strings, the DNS tree walk), dmarc_eval.c,
 * adsp_eval.c and spf_upstream.c.  Internal: not installed, not part of
 * the API.
 */
#ifndef SMTP2_PRACTICES_INT_H
#define SMTP2_PRACTICES_INT_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Application-specific. */
#include <smtp2/dmarc.h>
#include <smtp2/dns.h>
#include <smtp2/practices.h>

#define PRACTICES_NAME_MAX	253	/* RFC 1035, without the final dot */

/*
 * Walks one evaluation may make: the author domain's, the SPF domain's
 * and one per passing signature of SMTP2_DKIMV_SIGS_MAX.  Bounds the
 * names remembered, so a remembered name never moves.
 */
#define PRACTICES_WALKS_MAX	(2 + SMTP2_DKIMV_SIGS_MAX)
#define PRACTICES_MEMO_MAX	(PRACTICES_WALKS_MAX * SMTP2_DMARC_WALK_MAX)

/*
 * smtp2_practices_domain - in[0..len-1] as a DNS name: lower case, one
 * final dot dropped, labels of 1-63 letters, digits, '-' or '_', 253
 * bytes at most.  A single label is allowed (a PSD may send mail).
 * Returns 0, or -1 when it is not a name (out is then "").
 */
int	smtp2_practices_domain(const char *in, size_t len, char *out,
	    size_t outlen);

/* smtp2_practices_labels - how many labels a normalised name has */
size_t	smtp2_practices_labels(const char *name);

/* smtp2_practices_suffix - the last n labels of a normalised name */
const char *smtp2_practices_suffix(const char *name, size_t n);

/* smtp2_practices_within - is name equal to, or below, domain? */
bool	smtp2_practices_within(const char *name, const char *domain);

/* The TXT strings of one answer, each RR's character-strings joined. */
struct practices_txt {
	char	**s;
	size_t	*len;
	size_t	n;
};

/* smtp2_practices_txt - fill t from a; -1 when out of memory.  Free
 * with smtp2_practices_txt_free() in either case. */
int	smtp2_practices_txt(const struct smtp2_dns_answer *a,
	    struct practices_txt *t);
void	smtp2_practices_txt_free(struct practices_txt *t);

/* What one _dmarc.<name> lookup gave. */
enum dmarc_kind {
	DMARC_K_NONE = 0,		/* no v=DMARC1 string, or no name */
	DMARC_K_VALID,
	DMARC_K_INVALID,		/* v=DMARC1 but malformed */
	DMARC_K_MULTIPLE,		/* several: none applies */
	DMARC_K_TEMP			/* DNS failure: cannot tell */
};

/* The parts of a record evaluation needs (struct smtp2_dmarc is big). */
struct dmarc_pol {
	enum smtp2_dmarc_policy p, sp, np;
	enum smtp2_dmarc_align adkim, aspf;
	enum smtp2_dmarc_psd psd;
	bool	testing;
	bool	p_missing;
	bool	rua_ok;		/* rua= holds a URI with a scheme */
};

struct dmarc_name {
	char	name[PRACTICES_NAME_MAX + 1];	/* without "_dmarc." */
	enum dmarc_kind kind;
	enum smtp2_dns_status status;	/* of the TXT lookup */
	struct dmarc_pol pol;		/* DMARC_K_VALID only */
	char	why[128];		/* DMARC_K_INVALID, _MULTIPLE, _TEMP */
};

/* One evaluation's lookups: each _dmarc name is asked once. */
struct dmarc_ctx {
	struct smtp2_dns *dns;
	unsigned queries;
	bool	nomem;
	size_t	n;
	struct dmarc_name memo[PRACTICES_MEMO_MAX];
};

enum dmarc_walk_status {
	DMARC_WALK_OK = 0,
	DMARC_WALK_TEMP,		/* a lookup failed: walk incomplete */
	DMARC_WALK_NOMEM
};

/* A DNS tree walk from one name; the pointers are into the ctx memo. */
struct dmarc_walk {
	enum dmarc_walk_status status;
	char	org[PRACTICES_NAME_MAX + 1];	/* DMARC_WALK_OK only */
	const struct dmarc_name *found[SMTP2_DMARC_WALK_MAX]; /* valid,
					 * longest name first */
	size_t	n_found;
	const struct dmarc_name *stop;	/* the psd=y/n record that ended it */
	const struct dmarc_name *bad;	/* first malformed record met */
	const struct dmarc_name *temp;	/* the lookup that failed */
};

/*
 * smtp2_dmarc_lookup - _dmarc.<name> (name normalised), asked once per
 * ctx.  NULL, with c->nomem set, when out of memory or the memo is
 * full (the callers' walk bound keeps it from filling).  The result
 * lives as long as c.
 */
const struct dmarc_name *smtp2_dmarc_lookup(struct dmarc_ctx *c,
	    const char *name);

/*
 * smtp2_dmarc_walk - the RFC 9989 DNS tree walk from start (normalised),
 * and the organisational domain it determines.
 */
void	smtp2_dmarc_walk(struct dmarc_ctx *c, const char *start,
	    struct dmarc_walk *w);

#endif
