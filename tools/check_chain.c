/*
 * check_chain.c - a certificate chain judged the way smtp2 judges it:
 * PKIX against the configured CAs and CRLs, TLSA sets against the whole
 * chain, and the verdict smtp2_verify_with() reaches for a domain.  The
 * options come from smtp2_verify_setup_new(), as in the daemons, so the
 * answer is theirs.
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "check.h"

/* check_setup_open - verification options and CA stores from milter.conf */
int
check_setup_open(struct check_ctx *ctx)
{
	ctx->fallback.dnssec = ctx->conf->dns.dnssec;
	ctx->vopts = &ctx->fallback;
	ctx->setup = smtp2_verify_setup_new(ctx->conf, true, ctx->setup_why,
	    sizeof(ctx->setup_why));
	if (ctx->setup == NULL)
		return -1;
	ctx->vopts = smtp2_verify_setup_opts(ctx->setup);
	return 0;
}

/* check_setup_close - free what check_setup_open made */
void
check_setup_close(struct check_ctx *ctx)
{
	smtp2_verify_setup_free(ctx->setup);
	ctx->setup = NULL;
	ctx->vopts = &ctx->fallback;
}

/* check_chain_judge - fingerprints and PKIX status of chain for name */
void
check_chain_judge(struct check_ctx *ctx, const struct smtp2_chain *chain,
    const char *name, const unsigned char *ocsp, size_t ocsp_len,
    struct check_certinfo *ci)
{
	struct smtp2_tls_facts f;

	ci->chain_len = smtp2_chain_len(chain);
	smtp2_tls_facts_init(&f);
	smtp2_chain_facts(chain, &f);
	if (f.have_spki_sha256)
		check_hex(f.spki_sha256, SMTP2_SHA256_LEN, ci->spki_sha256,
		    sizeof(ci->spki_sha256));
	if (f.have_cert_sha256)
		check_hex(f.cert_sha256, SMTP2_SHA256_LEN, ci->cert_sha256,
		    sizeof(ci->cert_sha256));
	snprintf(ci->pkix_name, sizeof(ci->pkix_name), "%s", name);
	if (ctx->vopts->store == NULL)
		return;
	smtp2_cert_verify(ctx->vopts->store, chain, name, ocsp, ocsp_len, &ci->pkix);
	ci->pkix_checked = true;
}

/* check_dane_judge - one TLSA set against the chain (usages 0-3) */
void
check_dane_judge(struct check_ctx *ctx, const char *label,
    const struct check_tlsa *set, const struct smtp2_chain *chain,
    const char *name, struct check_dane *d)
{
	d->label = label;
	d->set = set;
	d->secure = set->lookup.dnssec == SMTP2_DNSSEC_SECURE;
	if (!set->lookup.done || set->lookup.status != SMTP2_DNS_OK || set->n == 0)
		return;
	d->judged = true;
	d->status = smtp2_dane_match(set->rr, set->n, chain, ctx->vopts->store,
	    name, &d->unevaluated, d->why, sizeof(d->why));
}

/* check_verdict_run - what smtp2 concludes for mail from domain sent with
 * this chain, and what each mode then does */
void
check_verdict_run(struct check_ctx *ctx, const char *domain,
    const struct smtp2_chain *chain, const struct check_certinfo *ci,
    struct check_verdict *cv)
{
	struct smtp2_tls_facts f;
	size_t i;

	smtp2_tls_facts_init(&f);
	smtp2_chain_facts(chain, &f);
	/* The chain itself is handed over: the library then checks PKIX and
	 * every TLSA usage itself instead of taking an MTA's word. */
	f.cert_trusted = ci->pkix_checked && ci->pkix.chain_trusted &&
	    ci->pkix.revocation != SMTP2_REV_REVOKED;
	f.chain = chain;
	smtp2_verify_with(ctx->dns, ctx->vopts, domain, &f, &cv->v);
	for (i = 0; i < CHECK_N_MODES; i++)
		smtp2_decide(check_modes[i], &cv->v, false, &cv->decision[i]);
	cv->done = true;
}
