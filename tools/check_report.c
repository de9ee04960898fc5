/*
 * check_report.c - smtp2-check's findings as text: one "key: value" per
 * line, keys padded to one column, sections indented two spaces, so both
 * people and grep find things (docs/smtp2-check.md lists every key).
 */

/* System library. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "check.h"

#define KEY_WIDTH	14

/* vrpt - one line: indentation and key padded, then the value */
static void
__attribute__((format(printf, 3, 0)))
vrpt(const char *in, const char *key, const char *fmt, va_list ap)
{
	char k[64];

	snprintf(k, sizeof(k), "%s%s:", in, key);
	printf("%-*s ", KEY_WIDTH, k);
	vprintf(fmt, ap);
	putchar('\n');
}

/* rpt - a line whose key carries its own indentation */
static void
__attribute__((format(printf, 2, 3)))
rpt(const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrpt("", key, fmt, ap);
	va_end(ap);
}

/* rpti - a line indented by in (sections shared by several reports) */
static void
__attribute__((format(printf, 3, 4)))
rpti(const char *in, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrpt(in, key, fmt, ap);
	va_end(ap);
}

/* rpt_notes - each finding under its level's name */
static void
rpt_notes(const char *in, const struct check_notes *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		rpti(in, check_level_name(ns->note[i].level), "%s", ns->note[i].text);
}

/* rpt_lookup - "NAME TYPE: status, dnssec" and extra, or why it failed */
static void
rpt_lookup(const char *key, const struct check_lookup *l, const char *extra)
{
	if (l->status == SMTP2_DNS_TEMPFAIL)
		rpt(key, "%s %s: tempfail, %s (%s)", l->name, l->type,
		    smtp2_dnssec_name(l->dnssec), l->why);
	else
		rpt(key, "%s %s: %s, %s%s", l->name, l->type,
		    check_dns_status_name(l->status), smtp2_dnssec_name(l->dnssec),
		    extra);
}

/* rpt_printable - txt with anything but printable ASCII as \xHH */
static void
rpt_printable(const char *txt, size_t len, char *out, size_t outlen)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < outlen; i++) {
		if (txt[i] >= 0x20 && txt[i] < 0x7f)
			out[n++] = txt[i];
		else
			n += (size_t)snprintf(out + n, outlen - n, "\\x%02X",
			    (unsigned char)txt[i]);
	}
	out[n] = '\0';
}

/* rpt_record_status - "ok, p=enforce, sp=enforce[, hosts=a:b]" or why not */
static void
rpt_record_status(const char *key, const struct check_record *r)
{
	const struct smtp2_record *rec = &r->rec;
	char hosts[512] = "";
	size_t i, n = 0;

	if (r->status != SMTP2_RECORD_OK) {
		rpt(key, "%s: %s", r->status == SMTP2_RECORD_ABSENT ? "absent" :
		    "invalid", r->why);
		return;
	}
	for (i = 0; i < rec->n_hosts && n < sizeof(hosts); i++)
		n += (size_t)snprintf(hosts + n, sizeof(hosts) - n, "%s%s",
		    i == 0 ? ", hosts=" : ":", rec->hosts[i]);
	rpt(key, "ok, p=%s, sp=%s%s", smtp2_policy_name(rec->policy),
	    smtp2_policy_name(rec->subdomain_policy), hosts);
}

/* check_report_record - "record TEXT" */
void
check_report_record(const struct check_ctx *ctx, const struct check_record_report *r)
{
	(void)ctx;
	switch (r->record.status) {
	case SMTP2_RECORD_OK:
		printf("record OK: v=SMTP2v1, p=%s\n",
		    smtp2_policy_name(r->record.rec.policy));
		break;
	case SMTP2_RECORD_ABSENT:
		printf("not an smtp2 record: it must start with v=SMTP2v1\n");
		break;
	default:
		printf("record INVALID: %s\n", r->record.why);
		break;
	}
	if (r->record.status == SMTP2_RECORD_OK)
		rpt_record_status("status", &r->record);
	rpt_notes("", &r->record.lint);
}

/* rpt_record - the _smtp2 section of "domain" */
static void
rpt_record(const struct check_record *r)
{
	char txt[CHECK_TXT_LEN * 4 + 3];
	size_t i;

	rpt_lookup("record", &r->lookup, "");
	for (i = 0; i < r->n_txt; i++) {
		rpt_printable(r->txt[i], r->txt_len[i], txt, sizeof(txt));
		rpt("  text", "\"%s\"", txt);
	}
	if (r->lookup.status != SMTP2_DNS_TEMPFAIL)
		rpt_record_status("  status", r);
	rpt_notes("  ", &r->lint);
}

/* rpt_tlsa - a TLSA set's records, as a zone file writes them */
static void
rpt_tlsa(const char *key, const char *in, const struct check_tlsa *t)
{
	char extra[48], hex[2 * 64 + 1];
	size_t i;

	snprintf(extra, sizeof(extra), ", %zu record%s", t->n, t->n == 1 ? "" : "s");
	rpt_lookup(key, &t->lookup, t->lookup.status == SMTP2_DNS_OK ? extra : "");
	for (i = 0; i < t->n; i++) {
		check_hex(t->rr[i].data, t->rr[i].len, hex, sizeof(hex));
		rpti(in, "tlsa", "%u %u %u %s%s", t->rr[i].usage, t->rr[i].selector,
		    t->rr[i].mtype, hex, t->rr[i].len > 64 ? "..." : "");
	}
}

/* rpt_mx - the MX hosts, their addresses and their own TLSA sets */
static void
rpt_mx(const struct check_mx *mx)
{
	const struct check_host *h;
	char addrs[128];
	size_t i, j, n;

	if (mx->lookup.done)
		rpt_lookup("mx", &mx->lookup, mx->implicit ? ", the domain itself" :
		    mx->null_mx ? ", null MX" : "");
	for (i = 0; i < mx->n; i++) {
		h = &mx->host[i];
		for (j = n = 0, addrs[0] = '\0'; j < h->n_addr; j++)
			n += (size_t)snprintf(addrs + n, sizeof(addrs) - n, "%s%s",
			    j > 0 ? ", " : "", h->addr[j].text);
		rpt("  host", "%u %s: %s", h->pref, h->name, h->n_addr > 0 ?
		    addrs : "no address");
		if (h->tlsa25.lookup.done)
			rpt_tlsa("  dane", "    ", &h->tlsa25);
	}
}

/* rpt_names - the dNSName subjectAltNames on one line */
static void
rpt_names(const char *in, const struct check_certinfo *c)
{
	char buf[CHECK_NAMES_MAX * (CHECK_NAME_MAX + 2)];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < c->n_names; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    i > 0 ? ", " : "", c->names[i]);
	rpti(in, "names", "%s%s", c->n_names > 0 ? buf : "(no dNSName)",
	    c->n_names_found > c->n_names ? ", ..." : "");
}

/* rpt_cert - the certificate and its PKIX status */
static void
rpt_cert(const char *in, const struct check_certinfo *c)
{
	rpti(in, "subject", "%s", c->subject);
	rpti(in, "issuer", "%s%s", c->issuer, c->self_signed ? " (self-signed)" : "");
	rpt_names(in, c);
	rpti(in, "key", "%s, %d bits; signature %s", c->key_type, c->key_bits,
	    c->sig_alg);
	rpti(in, "validity", "%s to %s", c->not_before, c->not_after);
	rpti(in, "chain", "%zu certificate%s", c->chain_len,
	    c->chain_len == 1 ? "" : "s");
	rpti(in, "spki sha256", "%s", c->spki_sha256);
	rpti(in, "cert sha256", "%s", c->cert_sha256);
	if (!c->pkix_checked) {
		rpti(in, "pkix", "not checked (no CA store)");
		return;
	}
	rpti(in, "pkix", "%s for %s%s%s: %s", smtp2_cert_status_name(c->pkix.status),
	    c->pkix_name, c->pkix.matched_name[0] != '\0' ? ", matched " : "",
	    c->pkix.matched_name, c->pkix.reason);
	rpti(in, "days left", "%ld", c->pkix.days_left);
	rpti(in, "revocation", "%s", check_revocation_name(c->pkix.revocation));
	rpti(in, "ocsp", "%s", c->ocsp_from != NULL ? c->ocsp_from : "none");
}

/* rpt_dane - one TLSA set judged against the chain */
static void
rpt_dane(const char *key, const struct check_dane *d)
{
	if (d->set == NULL || !d->set->lookup.done)
		return;
	if (!d->judged)
		rpt(key, "no records at %s", d->set->lookup.name);
	else
		rpt(key, "%s at %s (%s): %s", check_pin_status_name(d->status),
		    d->set->lookup.name, smtp2_dnssec_name(d->set->lookup.dnssec),
		    d->why);
}

/* rpt_verdict - the verdict and each mode's action */
static void
rpt_verdict(const char *in, const struct check_verdict *cv)
{
	const struct smtp2_decision *d;
	size_t i;

	if (!cv->done)
		return;
	rpti(in, "verdict", "%s, method %s, dnssec %s: %s",
	    smtp2_result_name(cv->v.result), smtp2_method_name(cv->v.method),
	    smtp2_dnssec_name(cv->v.dnssec), cv->v.reason);
	for (i = 0; i < CHECK_N_MODES; i++) {
		d = &cv->decision[i];
		rpti(in, "mode", "%-10s %s%s%s%s%s", smtp2_mode_name(check_modes[i]),
		    smtp2_action_name(d->action), d->code != NULL ? " " : "",
		    d->code != NULL ? d->code : "", d->dsn != NULL ? " " : "",
		    d->dsn != NULL ? d->dsn : "");
	}
}

/* rpt_probe - one MX address */
static void
rpt_probe(const struct check_probe *p)
{
	rpt("probe", "%s [%s]:%u", p->host->name, p->addr->text, p->port);
	if (p->banner[0] != '\0')
		rpt("  banner", "%s", p->banner);
	if (p->stage >= CHECK_STAGE_STARTTLS)
		rpt("  starttls", "%s", p->starttls ? "offered" : "not offered");
	if (p->stage == CHECK_STAGE_DONE)
		rpt("  tls", "%s, %s (%d bits)", p->tls_version, p->cipher,
		    p->cipher_bits);
	if (p->have_cert) {
		rpt_cert("  ", &p->cert);
		rpt_dane("  dane smtp", &p->dane_smtp);
		rpt_dane("  dane smtp2", &p->dane_smtp2);
		rpt_verdict("  ", &p->verdict);
	}
	rpt_notes("  ", &p->notes);
}

/* rpt_summary - the last line: what the exit status means */
static void
rpt_summary(int exit_status)
{
	rpt("summary", "%s (exit %d)", exit_status == CHECK_EXIT_PASS ? "pass" :
	    exit_status == CHECK_EXIT_PROBLEM ? "problems found" :
	    "could not check", exit_status);
}

/* check_report_domain - "domain DOMAIN" */
void
check_report_domain(const struct check_ctx *ctx, const struct check_domain_report *r)
{
	size_t i;

	rpt("domain", "%s", r->domain);
	rpt("dns.dnssec", "%s", smtp2_dnssec_mode_name(ctx->conf->dns.dnssec));
	rpt_record(&r->record);
	rpt_tlsa("pins", "  ", &r->pins);
	rpt_mx(&r->mx);
	for (i = 0; i < r->n_probes; i++)
		rpt_probe(&r->probe[i]);
	/* After the probes: some findings sum them up. */
	rpt_notes("", &r->notes);
	rpt_summary(r->exit);
}

/* check_report_cert - "cert CHAIN.pem --domain DOMAIN" */
void
check_report_cert(const struct check_ctx *ctx, const struct check_cert_report *r)
{
	(void)ctx;
	rpt("certificate", "%s", r->file);
	rpt("domain", "%s", r->domain);
	rpt_cert("", &r->cert);
	rpt("tlsa 3 1 1", "_smtp2._tcp.%s. IN TLSA 3 1 1 %s", r->domain,
	    r->cert.spki_sha256);
	rpt("tlsa 3 0 1", "_smtp2._tcp.%s. IN TLSA 3 0 1 %s", r->domain,
	    r->cert.cert_sha256);
	if (r->offline)
		rpt("verdict", "not asked (--offline)");
	else {
		rpt_tlsa("pins", "  ", &r->pins);
		rpt_dane("dane smtp2", &r->dane);
		rpt_verdict("", &r->verdict);
	}
	rpt_notes("", &r->notes);
	rpt_summary(r->exit);
}
