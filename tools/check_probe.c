/*
 * check_probe.c - one MX address probed: STARTTLS, then the presented
 * chain judged three ways - PKIX for the MX name, DANE against the MX's
 * own TLSA set (_25._tcp.<mx>, RFC 7672: what senders to this MX check)
 * and against the domain's _smtp2 pins, and the smtp2 verdict for mail
 * FROM the domain if this server also sends it with this certificate.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <openssl/x509.h>

/* Application-specific. */
#include "check.h"
#include "check_smtp.h"

#define PROBE_EXPIRY_WARN_DAYS	14

/* probe_dane_secure_match - did a DNSSEC-secure pin set match? */
static bool
probe_dane_secure_match(const struct check_dane *d)
{
	return d->judged && d->status == SMTP2_PIN_MATCH && d->secure;
}

/* probe_notes_tls - the protocol version: 1.3 preferred, below 1.2 obsolete */
static void
probe_notes_tls(struct check_probe *p)
{
	if (strcmp(p->tls_version, "TLSv1.2") == 0)
		check_note(&p->notes, CHECK_INFO, "TLS 1.2 negotiated; TLS 1.3 "
		    "is preferred");
	else if (strcmp(p->tls_version, "TLSv1.3") != 0)
		check_note(&p->notes, CHECK_PROBLEM, "%s negotiated: anything "
		    "below TLS 1.2 is obsolete (RFC 8996)", p->tls_version);
}

/* probe_notes_pkix - expiry soon; a PKIX failure matters unless a
 * DNSSEC-secure pin stands in */
static void
probe_notes_pkix(struct check_probe *p)
{
	const struct smtp2_cert_result *r = &p->cert.pkix;
	bool pinned = probe_dane_secure_match(&p->dane_smtp) ||
	    probe_dane_secure_match(&p->dane_smtp2);

	if (p->cert.pkix_checked && r->days_left >= 0 &&
	    r->days_left <= PROBE_EXPIRY_WARN_DAYS)
		check_note(&p->notes, CHECK_WARNING, "certificate expires in %ld "
		    "days (%s)", r->days_left, p->cert.not_after);
	if (!p->cert.pkix_checked || r->status == SMTP2_CERT_OK)
		return;
	/* Revocation is the owner's own "do not trust this": never excused. */
	check_note(&p->notes, pinned && r->status != SMTP2_CERT_REVOKED ?
	    CHECK_WARNING : CHECK_PROBLEM, "PKIX for %s: %s: %s%s",
	    p->cert.pkix_name, smtp2_cert_status_name(r->status), r->reason,
	    pinned && r->status != SMTP2_CERT_REVOKED ?
	    " (a DNSSEC-secure pin proves it instead)" : "");
}

/* probe_notes_dane - the MX's own TLSA set, as DANE senders see it */
static void
probe_notes_dane(struct check_probe *p)
{
	const struct check_dane *d = &p->dane_smtp;

	if (!d->judged)
		return;
	if (d->status == SMTP2_PIN_NOMATCH && d->secure)
		check_note(&p->notes, CHECK_PROBLEM, "certificate does not match "
		    "the TLSA records at %s: DANE senders will not deliver here (%s)",
		    d->set->lookup.name, d->why);
	else if (d->status == SMTP2_PIN_NOMATCH)
		check_note(&p->notes, CHECK_WARNING, "certificate does not match "
		    "the TLSA records at %s (%s)", d->set->lookup.name, d->why);
	else if (!d->secure)
		check_note(&p->notes, CHECK_WARNING, "TLSA records at %s are not "
		    "DNSSEC-secure (%s): senders ignore them", d->set->lookup.name,
		    smtp2_dnssec_name(d->set->lookup.dnssec));
}

/* probe_notes_verdict - would mail from the domain pass from this host? */
static void
probe_notes_verdict(struct check_probe *p)
{
	const struct smtp2_verdict *v = &p->verdict.v;

	if (v->result == SMTP2_RESULT_PASS)
		return;
	check_note(&p->notes, CHECK_PROBLEM, "mail from %s sent by this server "
	    "with this certificate: %s (%s)", v->domain,
	    smtp2_result_name(v->result), v->reason);
}

/* probe_ocsp - the stapled response, else with --fetch-ocsp one fetched
 * from the leaf's responder (*fetched: caller frees); NULL when none */
static const unsigned char *
probe_ocsp(struct check_ctx *ctx, const struct check_smtp_session *s,
    X509 *leaf, struct check_probe *p, unsigned char **fetched, size_t *len)
{
	X509 *rest[CHECK_CHAIN_MAX];
	const unsigned char *der;
	size_t i, n = 0;
	char why[320];

	p->cert.ocsp_from = s->ocsp != NULL ? "stapled" : "none";
	*fetched = NULL;
	*len = s->ocsp_len;
	if (s->ocsp != NULL || !ctx->fetch_ocsp)
		return s->ocsp;
	for (i = 1; i < s->n_der; i++) {
		der = s->der[i];
		if ((rest[n] = d2i_X509(NULL, &der, (long)s->der_len[i])) != NULL)
			n++;
	}
	if (check_ocsp_fetch(ctx, leaf, rest, n, fetched, len, why, sizeof(why)) < 0)
		check_note(&p->notes, CHECK_WARNING, "no OCSP response stapled, "
		    "none fetched: %s", why);
	else
		p->cert.ocsp_from = "fetched";
	for (i = 0; i < n; i++)
		X509_free(rest[i]);
	return *fetched;
}

/* probe_judge - everything about the chain the server presented */
static void
probe_judge(struct check_ctx *ctx, const struct check_domain_report *dr,
    const struct check_smtp_session *s, struct check_probe *p)
{
	const unsigned char *der = s->der[0], *ocsp;
	unsigned char *fetched;
	struct smtp2_chain *chain;
	size_t ocsp_len;
	X509 *leaf;
	char why[256];

	chain = smtp2_chain_from_der((const unsigned char *const *)s->der,
	    s->der_len, s->n_der, why, sizeof(why));
	if (chain == NULL || (leaf = d2i_X509(NULL, &der, (long)s->der_len[0])) == NULL) {
		check_note(&p->notes, CHECK_PROBLEM, "the server's certificate "
		    "chain cannot be read: %s", chain == NULL ? why : "bad DER");
		smtp2_chain_free(chain);
		return;
	}
	p->have_cert = true;
	check_leaf_describe(leaf, &p->cert);
	ocsp = probe_ocsp(ctx, s, leaf, p, &fetched, &ocsp_len);
	X509_free(leaf);
	check_chain_judge(ctx, chain, p->host->name, ocsp, ocsp_len, &p->cert);
	free(fetched);
	check_dane_judge(ctx, "smtp", &p->host->tlsa25, chain, p->host->name,
	    &p->dane_smtp);
	check_dane_judge(ctx, "smtp2", &dr->pins, chain, dr->domain, &p->dane_smtp2);
	check_verdict_run(ctx, dr->domain, chain, &p->cert, &p->verdict);
	smtp2_chain_free(chain);
	probe_notes_pkix(p);
	probe_notes_dane(p);
	probe_notes_verdict(p);
}

/* check_probe_run - one address: STARTTLS, then the chain judged */
void
check_probe_run(struct check_ctx *ctx, const struct check_domain_report *dr,
    const char *helo, struct ssl_ctx_st *tls, struct check_probe *p)
{
	struct check_smtp_target t = {
		.host = p->host->name, .addr = p->addr, .port = p->port, .helo = helo
	};
	struct check_smtp_session s;

	check_smtp_run(tls, &t, &s);
	p->stage = s.stage;
	snprintf(p->error, sizeof(p->error), "%s", s.error);
	snprintf(p->banner, sizeof(p->banner), "%s", s.banner);
	p->starttls = s.starttls;
	snprintf(p->tls_version, sizeof(p->tls_version), "%s", s.version);
	snprintf(p->cipher, sizeof(p->cipher), "%s", s.cipher);
	p->cipher_bits = s.cipher_bits;
	if (s.stage != CHECK_STAGE_DONE)
		check_note(&p->notes, CHECK_PROBLEM, "%s failed: %s",
		    check_stage_name(s.stage), s.error);
	else if (s.n_der == 0)
		check_note(&p->notes, CHECK_PROBLEM, "the server presented no certificate");
	else {
		probe_notes_tls(p);
		probe_judge(ctx, dr, &s, p);
	}
	check_smtp_session_free(&s);
}
