/*
 * check_dns.c - the DNS side of smtp2-check: the resolver the daemons
 * would use (same milter.conf keys), the _smtp2 TXT record and TLSA sets.
 * Every answer keeps its status and DNSSEC state, because "no record" and
 * "could not look" lead to different advice.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "check.h"

/* check_dns_open - a resolver from milter.conf's dns section */
int
check_dns_open(struct check_ctx *ctx, char *why, size_t whylen)
{
	const struct smtp2_conf *c = ctx->conf;
	struct smtp2_dns_opts o = {
		.resolvers = (const char *const *)c->dns.resolvers,
		.n_resolvers = c->dns.n_resolvers,
		.trust_anchors = c->dns.trust_anchors,
		.dnssec = c->dns.dnssec,
		.timeout_ms = c->dns.timeout_ms,
	};

	if (ctx->dns != NULL)
		return 0;
	ctx->dns = smtp2_dns_new(&o, why, whylen);
	return ctx->dns != NULL ? 0 : -1;
}

/* check_lookup_set - what one answer says, for the report */
void
check_lookup_set(struct check_lookup *l, const char *name, const char *type,
    const struct smtp2_dns_answer *a)
{
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->type = type;
	l->done = true;
	if (a == NULL) {
		l->status = SMTP2_DNS_TEMPFAIL;
		l->dnssec = SMTP2_DNSSEC_UNKNOWN;
		snprintf(l->why, sizeof(l->why), "out of memory");
		return;
	}
	l->status = a->status;
	l->dnssec = a->dnssec;
	snprintf(l->why, sizeof(l->why), "%s", a->why);
}

/* check_txt_join - a TXT rdata's character-strings, concatenated as the
 * record parser expects them (docs/record.md 1.1) */
static size_t
check_txt_join(const unsigned char *rd, size_t len, char *out, size_t outlen)
{
	size_t i = 0, n = 0, k, c;

	while (i < len) {
		k = rd[i++];
		if (k > len - i)
			k = len - i;		/* a short string: keep what is there */
		c = k < outlen - 1 - n ? k : outlen - 1 - n;
		memcpy(out + n, rd + i, c);	/* longer than any record we print */
		n += c;
		i += k;
	}
	out[n] = '\0';
	return n;
}

/* check_record_fetch - TXT at _smtp2.<domain>, selected and linted */
void
check_record_fetch(struct check_ctx *ctx, const char *domain, struct check_record *r)
{
	const char *txts[CHECK_TXT_MAX];
	size_t lens[CHECK_TXT_MAX], i;
	struct smtp2_dns_answer *a;
	char name[CHECK_OWNER_MAX];

	snprintf(name, sizeof(name), "_smtp2.%s", domain);
	a = smtp2_dns_query(ctx->dns, name, SMTP2_DNS_T_TXT);
	check_lookup_set(&r->lookup, name, "TXT", a);
	r->status = SMTP2_RECORD_ABSENT;
	for (i = 0; a != NULL && a->status == SMTP2_DNS_OK && i < a->n &&
	    r->n_txt < CHECK_TXT_MAX; i++) {
		lens[r->n_txt] = check_txt_join(a->rr[i].rdata, a->rr[i].len,
		    r->txt[r->n_txt], CHECK_TXT_LEN);
		r->txt_len[r->n_txt] = lens[r->n_txt];
		txts[r->n_txt] = r->txt[r->n_txt];
		r->n_txt++;
	}
	if (a != NULL && a->status == SMTP2_DNS_OK && a->n > CHECK_TXT_MAX)
		check_note(&r->lint, CHECK_WARNING, "%zu TXT records at %s, "
		    "only the first %d examined", a->n, name, CHECK_TXT_MAX);
	if (r->lookup.status == SMTP2_DNS_OK)
		check_record_examine(txts, lens, r->n_txt, r);
	smtp2_dns_answer_free(a);
}

/* check_tlsa_fetch - the TLSA set at owner, parsed (rdata kept) */
void
check_tlsa_fetch(struct check_ctx *ctx, const char *owner, struct check_tlsa *t)
{
	struct smtp2_dns_answer *a;
	size_t i;

	a = smtp2_dns_query(ctx->dns, owner, SMTP2_DNS_T_TLSA);
	check_lookup_set(&t->lookup, owner, "TLSA", a);
	t->answer = a;
	for (i = 0; a != NULL && a->status == SMTP2_DNS_OK && i < a->n; i++) {
		if (t->n == CHECK_TLSA_MAX)
			break;
		if (smtp2_tlsa_parse(a->rr[i].rdata, a->rr[i].len, &t->rr[t->n]) == 0)
			t->n++;
		else
			t->n_malformed++;
	}
}

/* check_tlsa_free - release the answer the records point into */
void
check_tlsa_free(struct check_tlsa *t)
{
	smtp2_dns_answer_free(t->answer);
	t->answer = NULL;
	t->n = 0;
}
