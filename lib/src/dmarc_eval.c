/*
 * dmarc_eval.c - DMARC for one message (RFC 9989): which policy applies
 * to the author domain, whether a DKIM or SPF identifier is aligned with
 * it, and the result.
 *
 * Policy discovery: the record at _dmarc.<author> applies (its p=) when
 * valid.  Otherwise the tree walk from the author domain (dmarc_walk.c)
 * gives the organisational domain, and its record applies, else the
 * record of the PSD (psd=y) that ended the walk; other records the walk
 * met do not apply.  A record found above the author domain applies
 * with sp=, or np= when the author domain does not exist: NXDOMAIN for
 * it (RFC 8020).  An answer at _dmarc.<author> other than NXDOMAIN shows
 * that it exists; otherwise one MX query decides.  When that query
 * fails and sp= and np= differ the result is temperror unless something
 * aligned passed.
 *
 * Records: several v=DMARC1 strings at one name count as none there.  A
 * record without p= counts as p=none when its rua= holds a URI, and
 * otherwise DMARC is not applied (none), as RFC 9989 policy discovery
 * says.  A malformed v=DMARC1 record is not a valid record: discovery
 * passes over it, and when no valid record applies the result is
 * permerror (the dmarc= result registered for "a syntactically
 * incorrect DMARC record", RFC 7489 11.2, kept by RFC 9989).  The
 * parser cannot tell which tag was broken, so RFC 9989's salvage of
 * p=none from a good rua= is not attempted.
 *
 * Alignment: a d= (of a DKIM pass) or SPF domain equal to the author
 * domain is aligned in either mode; strict wants equality; relaxed wants
 * equal organisational domains, each from its own tree walk, made only
 * when the identifier lies within the author's organisational domain
 * (nothing else can share it).  Without any record, alignment is still
 * judged, relaxed, so dkim_aligned always means "first-party signature".
 * The author domain's walk is made only when needed: org_domain stays ""
 * when the record at the author domain settled everything.
 *
 * Result: pass on an aligned DKIM or SPF pass; temperror when discovery
 * hit a DNS failure, or when nothing aligned passed but a DNS failure
 * left an alignment undetermined, or an aligned signature (or SPF) came
 * out temperror (RFC 9989: the mechanism cannot then pass or fail); else
 * fail with a record, none without.
 */

/* System library. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "practices_int.h"
#include "why.h"

/* One evaluation in progress. */
struct dmarc_state {
	struct dmarc_ctx *c;
	struct smtp2_dmarc_eval *out;
	const char *author;		/* out->author_domain */
	const struct dmarc_name *first;	/* _dmarc.<author> */
	struct dmarc_walk aw;		/* the author domain's walk */
	bool	aw_done;
	unsigned walks;			/* bounded by PRACTICES_WALKS_MAX */
	const struct dmarc_name *temp;	/* discovery failed here */
	const struct dmarc_name *bad;	/* a malformed record met */
	const struct dmarc_name *no_p;	/* record without p= or rua= */
	bool	policy_temp;		/* sp= or np=: existence unknown */
	char	exist_why[128];		/* why existence is unknown */
	char	unsettled[128];		/* why an alignment is undetermined */
};

static const char *const dmarcr_names[] = {
	[SMTP2_DMARCR_NONE] = "none",
	[SMTP2_DMARCR_PASS] = "pass",
	[SMTP2_DMARCR_FAIL] = "fail",
	[SMTP2_DMARCR_TEMPERROR] = "temperror",
	[SMTP2_DMARCR_PERMERROR] = "permerror",
};

/* smtp2_dmarcr_name - "pass", "fail", ... as RFC 8601 spells them */
const char *
smtp2_dmarcr_name(enum smtp2_dmarcr r)
{
	return ((unsigned)r < sizeof(dmarcr_names) / sizeof(dmarcr_names[0]) ?
	    dmarcr_names[r] : "invalid");
}

/* dmarc_author_walk - the author domain's walk, made once */
static const struct dmarc_walk *
dmarc_author_walk(struct dmarc_state *st)
{
	if (!st->aw_done) {
		st->aw_done = true;
		st->walks++;
		smtp2_dmarc_walk(st->c, st->author, &st->aw);
		if (st->aw.status == DMARC_WALK_OK)
			strcpy(st->out->org_domain, st->aw.org);
	}
	return (&st->aw);
}

/* dmarc_note - remember the first reason an alignment is undetermined */
static void
dmarc_note(struct dmarc_state *st, const char *what, const char *id)
{
	if (st->unsettled[0] == '\0')
		smtp2_why(st->unsettled, sizeof(st->unsettled), "%s%.100s",
		    what, id);
}

/* dmarc_align - is identifier id aligned with the author domain? */
static enum smtp2_tristate
dmarc_align(struct dmarc_state *st, const char *id, size_t idmax,
    enum smtp2_dmarc_align mode)
{
	char	d[PRACTICES_NAME_MAX + 1];
	const struct dmarc_walk *aw;
	struct dmarc_walk iw;

	if (smtp2_practices_domain(id, strnlen(id, idmax), d, sizeof(d)) < 0)
		return (SMTP2_NO);
	if (strcmp(d, st->author) == 0)
		return (SMTP2_YES);
	if (mode == SMTP2_DMARC_STRICT)
		return (SMTP2_NO);
	aw = dmarc_author_walk(st);
	if (aw->status != DMARC_WALK_OK)
		return (SMTP2_UNKNOWN);
	/* An org domain is a suffix of its name: only names within the
	 * author's org domain can have the same one. */
	if (!smtp2_practices_within(d, aw->org))
		return (SMTP2_NO);
	if (st->walks >= PRACTICES_WALKS_MAX)
		return (SMTP2_UNKNOWN);
	st->walks++;
	smtp2_dmarc_walk(st->c, d, &iw);
	if (iw.status != DMARC_WALK_OK)
		return (SMTP2_UNKNOWN);
	return (strcmp(iw.org, aw->org) == 0 ? SMTP2_YES : SMTP2_NO);
}

/* dmarc_exists - does the author domain exist (sp= or np=)? */
static enum smtp2_tristate
dmarc_exists(struct dmarc_state *st)
{
	struct smtp2_dns_answer *a;
	enum smtp2_tristate t;

	/* A name below the author domain answered: the domain exists.  Its
	 * NXDOMAIN says nothing about the domain itself. */
	if (st->first->status != SMTP2_DNS_NXDOMAIN)
		return (SMTP2_YES);
	if ((a = smtp2_dns_query_counted(st->c->dns, st->author, SMTP2_DNS_T_MX,
	    &st->c->queries)) == NULL) {
		st->c->nomem = true;
		return (SMTP2_UNKNOWN);
	}
	t = a->status == SMTP2_DNS_NXDOMAIN ? SMTP2_NO :
	    a->status == SMTP2_DNS_TEMPFAIL ? SMTP2_UNKNOWN : SMTP2_YES;
	if (t == SMTP2_UNKNOWN)
		smtp2_why(st->exist_why, sizeof(st->exist_why), "cannot tell "
		    "whether %.60s exists: %.60s", st->author, a->why);
	smtp2_dns_answer_free(a);
	return (t);
}

/* dmarc_apply - the record rec applies: take its policy */
static void
dmarc_apply(struct dmarc_state *st, const struct dmarc_name *rec)
{
	struct smtp2_dmarc_eval *out = st->out;
	enum smtp2_tristate exists;

	if (rec->pol.p_missing && !rec->pol.rua_ok) {
		st->no_p = rec;		/* RFC 9989: no DMARC processing */
		return;
	}
	out->has_record = true;
	strcpy(out->record_domain, rec->name);
	out->adkim = rec->pol.adkim;
	out->aspf = rec->pol.aspf;
	out->testing = rec->pol.testing;
	if (rec == st->first) {
		out->policy = rec->pol.p;
		out->policy_tag = "p";
		return;
	}
	exists = dmarc_exists(st);
	out->author_exists = exists != SMTP2_NO;
	out->policy = exists == SMTP2_NO ? rec->pol.np : rec->pol.sp;
	out->policy_tag = exists == SMTP2_NO ? "np" : "sp";
	st->policy_temp = exists == SMTP2_UNKNOWN && rec->pol.sp != rec->pol.np;
}

/* dmarc_walk_record - the org domain's record, else the PSD's */
static const struct dmarc_name *
dmarc_walk_record(const struct dmarc_walk *w)
{
	size_t	i;

	for (i = 0; i < w->n_found; i++)
		if (strcmp(w->found[i]->name, w->org) == 0)
			return (w->found[i]);
	if (w->stop != NULL && w->stop->pol.psd == SMTP2_DMARC_PSD_Y)
		return (w->stop);
	return (NULL);
}

/* dmarc_discover - find the record that applies to the author domain */
static void
dmarc_discover(struct dmarc_state *st)
{
	const struct dmarc_walk *w;
	const struct dmarc_name *rec;

	if ((st->first = smtp2_dmarc_lookup(st->c, st->author)) == NULL)
		return;
	if (st->first->kind == DMARC_K_TEMP) {
		st->temp = st->first;
		return;
	}
	if (st->first->kind == DMARC_K_VALID) {
		dmarc_apply(st, st->first);
		/* psd=y or psd=n there: the org domain is known for free. */
		if (st->first->pol.psd != SMTP2_DMARC_PSD_U)
			(void)dmarc_author_walk(st);
		return;
	}
	w = dmarc_author_walk(st);
	if (w->status == DMARC_WALK_TEMP)
		st->temp = w->temp;
	if (w->status != DMARC_WALK_OK)
		return;
	if ((rec = dmarc_walk_record(w)) != NULL)
		dmarc_apply(st, rec);
	else
		st->bad = w->bad;
}

/* dmarc_dkim - the first aligned DKIM pass, in header order */
static void
dmarc_dkim(struct dmarc_state *st, const struct smtp2_dkimv_sig *sigs,
    size_t n)
{
	struct smtp2_dmarc_eval *out = st->out;
	const struct smtp2_dkimv_sig *s;
	size_t	i, len;

	for (i = 0; sigs != NULL && i < n; i++) {
		s = &sigs[i];
		if (s->result != SMTP2_DKIMV_PASS)
			continue;
		switch (dmarc_align(st, s->domain, sizeof(s->domain),
		    out->adkim)) {
		case SMTP2_YES:
			out->dkim_aligned = true;
			len = strnlen(s->domain, sizeof(s->domain));
			(void)smtp2_practices_domain(s->domain, len,
			    out->dkim_domain, sizeof(out->dkim_domain));
			return;
		case SMTP2_UNKNOWN:
			dmarc_note(st, "alignment undetermined for d=", s->domain);
			break;
		default:
			break;
		}
	}
}

/* dmarc_spf - is the trusted upstream's SPF pass aligned? */
static void
dmarc_spf(struct dmarc_state *st, const struct smtp2_spf_upstream *spf)
{
	struct smtp2_dmarc_eval *out = st->out;

	if (spf == NULL || spf->result == SMTP2_SPF_UNKNOWN) {
		out->spf_aligned = SMTP2_UNKNOWN;
		return;
	}
	if (spf->result != SMTP2_SPF_PASS) {
		out->spf_aligned = SMTP2_NO;
		return;
	}
	out->spf_aligned = dmarc_align(st, spf->domain, sizeof(spf->domain),
	    out->aspf);
	if (out->spf_aligned == SMTP2_UNKNOWN)
		dmarc_note(st, "alignment undetermined for SPF ", spf->domain);
}

/* dmarc_unsettled - could an aligned identifier have passed but for DNS? */
static bool
dmarc_unsettled(struct dmarc_state *st, const struct smtp2_dkimv_sig *sigs,
    size_t n, const struct smtp2_spf_upstream *spf)
{
	const struct smtp2_dkimv_sig *s;
	size_t	i;

	if (st->unsettled[0] != '\0')
		return (true);
	for (i = 0; sigs != NULL && i < n; i++) {
		s = &sigs[i];
		if (s->result == SMTP2_DKIMV_TEMPERROR && dmarc_align(st,
		    s->domain, sizeof(s->domain), st->out->adkim) != SMTP2_NO) {
			dmarc_note(st, "DKIM temperror for d=", s->domain);
			return (true);
		}
	}
	if (spf != NULL && spf->result == SMTP2_SPF_TEMPERROR && dmarc_align(st,
	    spf->domain, sizeof(spf->domain), st->out->aspf) != SMTP2_NO) {
		dmarc_note(st, "SPF temperror for ", spf->domain);
		return (true);
	}
	return (false);
}

/* dmarc_without - the result when no record applies */
static void
dmarc_without(struct dmarc_state *st)
{
	struct smtp2_dmarc_eval *out = st->out;

	out->result = SMTP2_DMARCR_NONE;
	if (st->no_p != NULL)
		smtp2_why(out->why, sizeof(out->why), "DMARC record at %s has "
		    "no p= and no usable rua=: not applied", st->no_p->name);
	else if (st->bad != NULL) {
		out->result = SMTP2_DMARCR_PERMERROR;
		smtp2_why(out->why, sizeof(out->why), "malformed DMARC record "
		    "at %.100s: %s", st->bad->name, st->bad->why);
	} else if (st->first != NULL && st->first->kind == DMARC_K_MULTIPLE)
		smtp2_why(out->why, sizeof(out->why), "no DMARC record for "
		    "%.100s (several at _dmarc.%.100s: none applies)",
		    st->author, st->author);
	else
		smtp2_why(out->why, sizeof(out->why), "no DMARC record for %s",
		    st->author);
}

/* dmarc_conclude - the result and its reason */
static void
dmarc_conclude(struct dmarc_state *st, const struct smtp2_dkimv_sig *sigs,
    size_t n, const struct smtp2_spf_upstream *spf)
{
	struct smtp2_dmarc_eval *out = st->out;
	const char *mode;
	char	pol[96];

	if (st->temp != NULL) {
		out->result = SMTP2_DMARCR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "DMARC discovery failed at "
		    "_dmarc.%.100s: %s", st->temp->name, st->temp->why);
		return;
	}
	if (!out->has_record) {
		dmarc_without(st);
		return;
	}
	smtp2_why(pol, sizeof(pol), "policy %s=%s at %.60s%s", out->policy_tag,
	    smtp2_dmarc_policy_name(out->policy), out->record_domain,
	    out->testing ? " (t=y)" : "");
	if (out->dkim_aligned || out->spf_aligned == SMTP2_YES) {
		out->result = SMTP2_DMARCR_PASS;
		mode = (out->dkim_aligned ? out->adkim : out->aspf) ==
		    SMTP2_DMARC_STRICT ? "strict" : "relaxed";
		if (out->dkim_aligned)
			smtp2_why(out->why, sizeof(out->why), "aligned DKIM pass "
			    "d=%.100s (%s); %s", out->dkim_domain, mode, pol);
		else
			smtp2_why(out->why, sizeof(out->why), "aligned SPF pass "
			    "%.100s (%s); %s", spf->domain, mode, pol);
	} else if (dmarc_unsettled(st, sigs, n, spf) || st->policy_temp) {
		out->result = SMTP2_DMARCR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "%s; %s", st->unsettled[0]
		    != '\0' ? st->unsettled : st->exist_why, pol);
	} else {
		out->result = SMTP2_DMARCR_FAIL;
		smtp2_why(out->why, sizeof(out->why), "no aligned DKIM or SPF "
		    "pass; %s", pol);
	}
}

/* dmarc_start - fill out for an evaluation; -1 when there is nothing to do */
static int
dmarc_start(struct smtp2_dns *dns, const char *author,
    struct smtp2_dmarc_eval *out)
{
	memset(out, 0, sizeof(*out));
	out->author_exists = true;
	out->spf_aligned = SMTP2_UNKNOWN;
	if (author == NULL || *author == '\0') {
		smtp2_why(out->why, sizeof(out->why), "no author domain");
		return (-1);
	}
	/* A U-label must arrive as an A-label (RFC 9989, "Extract
	 * Author Domain"). */
	if (smtp2_practices_domain(author, strnlen(author, 1024),
	    out->author_domain, sizeof(out->author_domain)) < 0) {
		smtp2_why(out->why, sizeof(out->why), "author domain is not a "
		    "DNS name: DMARC does not apply");
		return (-1);
	}
	if (dns == NULL) {
		out->result = SMTP2_DMARCR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "no resolver");
		return (-1);
	}
	return (0);
}

/* smtp2_dmarc_evaluate - DMARC for the message */
int
smtp2_dmarc_evaluate(struct smtp2_dns *dns, const char *author_domain,
    const struct smtp2_dkimv_sig *sigs, size_t n,
    const struct smtp2_spf_upstream *spf, struct smtp2_dmarc_eval *out)
{
	struct dmarc_state *st;
	int	rc = 0;

	if (dmarc_start(dns, author_domain, out) < 0)
		return (0);
	if ((st = calloc(1, sizeof(*st))) == NULL
	    || (st->c = calloc(1, sizeof(*st->c))) == NULL) {
		free(st);
		out->result = SMTP2_DMARCR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "out of memory");
		return (-1);
	}
	st->c->dns = dns;
	st->out = out;
	st->author = out->author_domain;

	dmarc_discover(st);
	dmarc_dkim(st, sigs, n);
	dmarc_spf(st, spf);
	dmarc_conclude(st, sigs, n, spf);
	out->queries = st->c->queries;
	if (st->c->nomem) {
		out->result = SMTP2_DMARCR_TEMPERROR;
		smtp2_why(out->why, sizeof(out->why), "out of memory");
		rc = -1;
	}
	free(st->c);
	free(st);
	return (rc);
}
