/*
 * check_report_json.c - smtp2-check's findings as one JSON object on
 * stdout (--json).  The schema is documented in docs/smtp2-check.md and
 * versioned by "smtp2_check": fields are only ever added within a version.
 * Absent things are null, never left out, so consumers need no guessing.
 */

/* System library. */
#include <stdio.h>

/* Application-specific. */
#include "check.h"
#include "check_json.h"

/* js_summary - the exit status in words */
static const char *
js_summary(int exit_status)
{
	return exit_status == CHECK_EXIT_PASS ? "pass" :
	    exit_status == CHECK_EXIT_PROBLEM ? "problems" : "unchecked";
}

/* js_head - the fields every document starts with */
static void
js_head(struct jsonw *w, const char *command, int exit_status)
{
	jsonw_object_open(w, NULL);
	jsonw_int(w, "smtp2_check", CHECK_JSON_VERSION);
	jsonw_string(w, "command", command);
	jsonw_int(w, "exit", exit_status);
	jsonw_string(w, "summary", js_summary(exit_status));
}

/* js_notes - [{"level": ..., "text": ...}] */
static void
js_notes(struct jsonw *w, const char *key, const struct check_notes *ns)
{
	size_t i;

	jsonw_array_open(w, key);
	for (i = 0; i < ns->n; i++) {
		jsonw_object_open(w, NULL);
		jsonw_string(w, "level", check_level_name(ns->note[i].level));
		jsonw_string(w, "text", ns->note[i].text);
		jsonw_object_close(w);
	}
	jsonw_array_close(w);
}

/* js_lookup - one DNS lookup, or null when none was made */
static void
js_lookup(struct jsonw *w, const char *key, const struct check_lookup *l)
{
	if (!l->done) {
		jsonw_null(w, key);
		return;
	}
	jsonw_object_open(w, key);
	jsonw_string(w, "name", l->name);
	jsonw_string(w, "type", l->type);
	jsonw_string(w, "status", check_dns_status_name(l->status));
	jsonw_string(w, "dnssec", smtp2_dnssec_name(l->dnssec));
	jsonw_string(w, "error", l->status == SMTP2_DNS_TEMPFAIL ? l->why : NULL);
	jsonw_object_close(w);
}

/* js_record - the _smtp2 record: texts, status, tags, lint */
static void
js_record(struct jsonw *w, const char *key, const struct check_record *r)
{
	static const char *const status[] = { "ok", "absent", "invalid" };
	bool ok = r->status == SMTP2_RECORD_OK;
	size_t i;

	jsonw_object_open(w, key);
	js_lookup(w, "lookup", &r->lookup);
	jsonw_array_open(w, "texts");
	for (i = 0; i < r->n_txt; i++)
		jsonw_string_len(w, NULL, r->txt[i], r->txt_len[i]);
	jsonw_array_close(w);
	jsonw_string(w, "status", r->lookup.done &&
	    r->lookup.status == SMTP2_DNS_TEMPFAIL ? "unknown" : status[r->status]);
	jsonw_string(w, "reason", ok || r->why[0] == '\0' ? NULL : r->why);
	jsonw_string(w, "policy", ok ? smtp2_policy_name(r->rec.policy) : NULL);
	jsonw_string(w, "subdomain_policy", ok ?
	    smtp2_policy_name(r->rec.subdomain_policy) : NULL);
	jsonw_array_open(w, "hosts");
	for (i = 0; ok && i < r->rec.n_hosts; i++)
		jsonw_string(w, NULL, r->rec.hosts[i]);
	jsonw_array_close(w);
	js_notes(w, "notes", &r->lint);
	jsonw_object_close(w);
}

/* js_tlsa - a TLSA set and its records, or null when not looked up */
static void
js_tlsa(struct jsonw *w, const char *key, const struct check_tlsa *t)
{
	char hex[2 * 512 + 1];
	size_t i;

	if (!t->lookup.done) {
		jsonw_null(w, key);
		return;
	}
	jsonw_object_open(w, key);
	js_lookup(w, "lookup", &t->lookup);
	jsonw_array_open(w, "records");
	for (i = 0; i < t->n; i++) {
		jsonw_object_open(w, NULL);
		jsonw_int(w, "usage", t->rr[i].usage);
		jsonw_int(w, "selector", t->rr[i].selector);
		jsonw_int(w, "mtype", t->rr[i].mtype);
		check_hex(t->rr[i].data, t->rr[i].len, hex, sizeof(hex));
		jsonw_string(w, "data", hex);
		jsonw_object_close(w);
	}
	jsonw_array_close(w);
	jsonw_int(w, "malformed", (long long)t->n_malformed);
	jsonw_object_close(w);
}

/* js_mx - the MX hosts, addresses and their own TLSA sets */
static void
js_mx(struct jsonw *w, const struct check_mx *mx)
{
	const struct check_host *h;
	size_t i, j;

	jsonw_object_open(w, "mx");
	js_lookup(w, "lookup", &mx->lookup);
	jsonw_bool(w, "implicit", mx->implicit);
	jsonw_bool(w, "null_mx", mx->null_mx);
	jsonw_int(w, "found", (long long)mx->n_found);
	jsonw_array_open(w, "hosts");
	for (i = 0; i < mx->n; i++) {
		h = &mx->host[i];
		jsonw_object_open(w, NULL);
		jsonw_string(w, "name", h->name);
		jsonw_int(w, "preference", h->pref);
		jsonw_array_open(w, "addresses");
		for (j = 0; j < h->n_addr; j++)
			jsonw_string(w, NULL, h->addr[j].text);
		jsonw_array_close(w);
		jsonw_int(w, "addresses_found", (long long)h->n_found);
		js_tlsa(w, "dane", &h->tlsa25);
		jsonw_object_close(w);
	}
	jsonw_array_close(w);
	jsonw_object_close(w);
}

/* js_pkix - the PKIX result, or checked: false */
static void
js_pkix(struct jsonw *w, const struct check_certinfo *c)
{
	const struct smtp2_cert_result *r = &c->pkix;

	jsonw_object_open(w, "pkix");
	jsonw_bool(w, "checked", c->pkix_checked);
	jsonw_string(w, "name", c->pkix_name);
	jsonw_string(w, "status", c->pkix_checked ?
	    smtp2_cert_status_name(r->status) : NULL);
	jsonw_bool(w, "chain_trusted", c->pkix_checked && r->chain_trusted);
	jsonw_string(w, "matched_name", c->pkix_checked &&
	    r->matched_name[0] != '\0' ? r->matched_name : NULL);
	if (c->pkix_checked)
		jsonw_int(w, "days_left", r->days_left);
	else
		jsonw_null(w, "days_left");
	jsonw_string(w, "revocation", c->pkix_checked ?
	    check_revocation_name(r->revocation) : NULL);
	jsonw_string(w, "ocsp", c->ocsp_from != NULL ? c->ocsp_from : "none");
	jsonw_string(w, "reason", c->pkix_checked ? r->reason : NULL);
	jsonw_object_close(w);
}

/* js_cert - the certificate described and judged */
static void
js_cert(struct jsonw *w, const struct check_certinfo *c)
{
	size_t i;

	jsonw_object_open(w, "certificate");
	jsonw_string(w, "subject", c->subject);
	jsonw_string(w, "issuer", c->issuer);
	jsonw_bool(w, "self_signed", c->self_signed);
	jsonw_array_open(w, "names");
	for (i = 0; i < c->n_names; i++)
		jsonw_string(w, NULL, c->names[i]);
	jsonw_array_close(w);
	jsonw_object_open(w, "key");
	jsonw_string(w, "type", c->key_type);
	jsonw_int(w, "bits", c->key_bits);
	jsonw_object_close(w);
	jsonw_string(w, "signature", c->sig_alg);
	jsonw_string(w, "not_before", c->not_before);
	jsonw_string(w, "not_after", c->not_after);
	jsonw_int(w, "chain_length", (long long)c->chain_len);
	jsonw_string(w, "spki_sha256", c->spki_sha256);
	jsonw_string(w, "cert_sha256", c->cert_sha256);
	js_pkix(w, c);
	jsonw_object_close(w);
}

/* js_dane - one TLSA set judged, or null when there was nothing to judge */
static void
js_dane(struct jsonw *w, const char *key, const struct check_dane *d)
{
	if (d->set == NULL || !d->set->lookup.done) {
		jsonw_null(w, key);
		return;
	}
	jsonw_object_open(w, key);
	jsonw_string(w, "owner", d->set->lookup.name);
	jsonw_string(w, "dnssec", smtp2_dnssec_name(d->set->lookup.dnssec));
	jsonw_bool(w, "judged", d->judged);
	jsonw_string(w, "status", d->judged ? check_pin_status_name(d->status) : NULL);
	jsonw_int(w, "unevaluated", d->unevaluated);
	jsonw_string(w, "reason", d->judged ? d->why : NULL);
	jsonw_object_close(w);
}

/* js_verdict - smtp2's verdict and each mode's action, or null */
static void
js_verdict(struct jsonw *w, const struct check_verdict *cv)
{
	const struct smtp2_decision *d;
	size_t i;

	if (!cv->done) {
		jsonw_null(w, "verdict");
		return;
	}
	jsonw_object_open(w, "verdict");
	jsonw_string(w, "result", smtp2_result_name(cv->v.result));
	jsonw_string(w, "method", smtp2_method_name(cv->v.method));
	jsonw_string(w, "dnssec", smtp2_dnssec_name(cv->v.dnssec));
	jsonw_bool(w, "has_record", cv->v.has_record);
	jsonw_string(w, "policy", cv->v.has_record ?
	    smtp2_policy_name(cv->v.policy) : NULL);
	jsonw_string(w, "record_domain", cv->v.record_domain[0] != '\0' ?
	    cv->v.record_domain : NULL);
	jsonw_string(w, "reason", cv->v.reason);
	jsonw_array_open(w, "modes");
	for (i = 0; i < CHECK_N_MODES; i++) {
		d = &cv->decision[i];
		jsonw_object_open(w, NULL);
		jsonw_string(w, "mode", smtp2_mode_name(check_modes[i]));
		jsonw_string(w, "action", smtp2_action_name(d->action));
		jsonw_string(w, "code", d->code);
		jsonw_string(w, "dsn", d->dsn);
		jsonw_string(w, "text", d->text);
		jsonw_object_close(w);
	}
	jsonw_array_close(w);
	jsonw_object_close(w);
}

/* js_probe - one MX address */
static void
js_probe(struct jsonw *w, const struct check_probe *p)
{
	jsonw_object_open(w, NULL);
	jsonw_string(w, "host", p->host->name);
	jsonw_string(w, "address", p->addr->text);
	jsonw_int(w, "port", p->port);
	jsonw_string(w, "stage", check_stage_name(p->stage));
	jsonw_string(w, "error", p->error[0] != '\0' ? p->error : NULL);
	jsonw_string(w, "banner", p->banner[0] != '\0' ? p->banner : NULL);
	jsonw_bool(w, "starttls", p->starttls);
	if (p->stage == CHECK_STAGE_DONE) {
		jsonw_object_open(w, "tls");
		jsonw_string(w, "version", p->tls_version);
		jsonw_string(w, "cipher", p->cipher);
		jsonw_int(w, "bits", p->cipher_bits);
		jsonw_object_close(w);
	} else
		jsonw_null(w, "tls");
	if (p->have_cert)
		js_cert(w, &p->cert);
	else
		jsonw_null(w, "certificate");
	jsonw_object_open(w, "dane");
	js_dane(w, "smtp", &p->dane_smtp);
	js_dane(w, "smtp2", &p->dane_smtp2);
	jsonw_object_close(w);
	js_verdict(w, &p->verdict);
	js_notes(w, "notes", &p->notes);
	jsonw_object_close(w);
}

/* check_json_record - "record TEXT --json" */
int
check_json_record(const struct check_record_report *r)
{
	struct jsonw w;

	jsonw_init(&w, stdout, true);
	js_head(&w, "record", r->exit);
	jsonw_string(&w, "text", r->text);
	js_record(&w, "record", &r->record);
	jsonw_object_close(&w);
	return jsonw_finish(&w);
}

/* check_json_domain - "domain DOMAIN --json" */
int
check_json_domain(const struct check_ctx *ctx, const struct check_domain_report *r)
{
	struct jsonw w;
	size_t i;

	jsonw_init(&w, stdout, true);
	js_head(&w, "domain", r->exit);
	jsonw_string(&w, "domain", r->domain);
	jsonw_string(&w, "dnssec_mode", smtp2_dnssec_mode_name(ctx->conf->dns.dnssec));
	js_record(&w, "record", &r->record);
	js_tlsa(&w, "pins", &r->pins);
	js_mx(&w, &r->mx);
	js_notes(&w, "notes", &r->notes);
	jsonw_array_open(&w, "probes");
	for (i = 0; i < r->n_probes; i++)
		js_probe(&w, &r->probe[i]);
	jsonw_array_close(&w);
	jsonw_object_close(&w);
	return jsonw_finish(&w);
}

/* check_json_cert - "cert CHAIN.pem --domain DOMAIN --json" */
int
check_json_cert(const struct check_ctx *ctx, const struct check_cert_report *r)
{
	char line[CHECK_OWNER_MAX + 100];
	struct jsonw w;

	jsonw_init(&w, stdout, true);
	js_head(&w, "cert", r->exit);
	jsonw_string(&w, "file", r->file);
	jsonw_string(&w, "domain", r->domain);
	jsonw_string(&w, "dnssec_mode", smtp2_dnssec_mode_name(ctx->conf->dns.dnssec));
	jsonw_bool(&w, "offline", r->offline);
	js_cert(&w, &r->cert);
	jsonw_array_open(&w, "tlsa");
	snprintf(line, sizeof(line), "_smtp2._tcp.%s. IN TLSA 3 1 1 %s",
	    r->domain, r->cert.spki_sha256);
	jsonw_string(&w, NULL, line);
	snprintf(line, sizeof(line), "_smtp2._tcp.%s. IN TLSA 3 0 1 %s",
	    r->domain, r->cert.cert_sha256);
	jsonw_string(&w, NULL, line);
	jsonw_array_close(&w);
	js_tlsa(&w, "pins", &r->pins);
	js_dane(&w, "dane", &r->dane);
	js_verdict(&w, &r->verdict);
	js_notes(&w, "notes", &r->notes);
	jsonw_object_close(&w);
	return jsonw_finish(&w);
}
