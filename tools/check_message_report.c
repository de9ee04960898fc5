/*
 * check_message_report.c - "message" findings as text or as JSON (schema
 * in docs/smtp2-check.md, versioned by "smtp2_check" like every other
 * command's).  Absent things are null, never left out.
 */

/* System library. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "check.h"
#include "check_json.h"
#include "check_message.h"

/* check_msg_fail - see check_message.h */
int
check_msg_fail(struct check_msg *m, const char *fmt, ...)
{
	va_list	ap;

	m->failed = true;
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* rpt_sig - one signature on a line, its reason on the next */
static void
rpt_sig(size_t i, const struct smtp2_dkimv_sig *s)
{
	printf("  %zu. %-9s d=%s s=%s a=%s", i + 1,
	    smtp2_dkimv_result_name(s->result), s->domain[0] ? s->domain : "-",
	    s->selector[0] ? s->selector : "-", smtp2_dkim_alg_name(s->alg));
	if (s->key_bits > 0)
		printf(" key=%u bits, dnssec %s%s", s->key_bits,
		    smtp2_dnssec_name(s->key_dnssec), s->testing ? ", testing" : "");
	printf("%s\n     %s\n", s->partial_body ? " (l=: part of the body unsigned)"
	    : "", s->why);
}

/* rpt_practices - DMARC and ADSP lines */
static void
rpt_practices(const struct check_msg *m)
{
	const struct smtp2_dmarc_eval *d = &m->dmarc;

	printf("first-party signature: %s\n", d->dkim_aligned ? d->dkim_domain : "none");
	printf("dmarc: %s", smtp2_dmarcr_name(d->result));
	if (d->has_record && d->policy_tag != NULL)
		printf(" (%s=%s at %s%s)", d->policy_tag,
		    smtp2_dmarc_policy_name(d->policy), d->record_domain,
		    d->testing ? ", t=y" : "");
	printf("\n     %s\n", d->why);
	printf("spf (upstream): %s", m->has_spf ? smtp2_spf_result_name(m->spf.result)
	    : "unknown, no trusted Authentication-Results");
	if (m->has_spf)
		printf(" for %s, said by %s", m->spf.domain, m->spf.authserv_id);
	printf("\nadsp: %s\n     %s\n", smtp2_adspr_name(m->adsp.result), m->adsp.why);
}

/* check_message_report - see check_message.h */
void
check_message_report(const struct check_msg *m, int status)
{
	size_t	i;

	printf("message: %s (%zu body bytes)\n", m->path, m->body_bytes);
	if (m->failed) {
		printf("not checked: %s\n", m->why);
		return;
	}
	printf("from: %s\n", m->from_ok ? m->from_domain : m->from_why);
	printf("dkim: %zu signature%s\n", m->n_sigs, m->n_sigs == 1 ? "" : "s");
	for (i = 0; i < m->n_sigs; i++)
		rpt_sig(i, &m->sigs[i]);
	if (m->judged)
		rpt_practices(m);
	printf("\nAuthentication-Results: %s\n", m->authres);
	printf("\n%s\n", status == CHECK_EXIT_PASS ? "signed by the author's domain" :
	    status == CHECK_EXIT_PROBLEM ? "not proven signed by the author's domain" :
	    "could not check everything now (DNS)");
}

/* js_sig - one signature as an object */
static void
js_sig(struct jsonw *w, const struct smtp2_dkimv_sig *s)
{
	jsonw_object_open(w, NULL);
	jsonw_string(w, "result", smtp2_dkimv_result_name(s->result));
	jsonw_string(w, "domain", s->domain);
	jsonw_string(w, "selector", s->selector);
	jsonw_string(w, "identity", s->identity);
	jsonw_string(w, "algorithm", smtp2_dkim_alg_name(s->alg));
	jsonw_string(w, "b", s->b);
	jsonw_int(w, "key_bits", s->key_bits);
	jsonw_string(w, "key_dnssec", smtp2_dnssec_name(s->key_dnssec));
	jsonw_bool(w, "testing", s->testing);
	jsonw_bool(w, "partial_body", s->partial_body);
	jsonw_string(w, "reason", s->why);
	jsonw_object_close(w);
}

/* js_dmarc - the DMARC evaluation, or null */
static void
js_dmarc(struct jsonw *w, const struct check_msg *m)
{
	const struct smtp2_dmarc_eval *d = &m->dmarc;

	if (!m->judged) {
		jsonw_null(w, "dmarc");
		return;
	}
	jsonw_object_open(w, "dmarc");
	jsonw_string(w, "result", smtp2_dmarcr_name(d->result));
	jsonw_bool(w, "record", d->has_record);
	jsonw_string(w, "record_domain", d->has_record ? d->record_domain : NULL);
	jsonw_string(w, "org_domain", d->org_domain[0] ? d->org_domain : NULL);
	jsonw_string(w, "policy", d->has_record ? smtp2_dmarc_policy_name(d->policy) : NULL);
	jsonw_string(w, "policy_tag", d->policy_tag);
	jsonw_bool(w, "testing", d->testing);
	jsonw_string(w, "dkim_aligned", d->dkim_aligned ? d->dkim_domain : NULL);
	jsonw_string(w, "spf_aligned", d->spf_aligned == SMTP2_YES ? "yes" :
	    d->spf_aligned == SMTP2_NO ? "no" : "unknown");
	jsonw_int(w, "queries", d->queries);
	jsonw_string(w, "reason", d->why);
	jsonw_object_close(w);
}

/* js_adsp - the ADSP evaluation, or null */
static void
js_adsp(struct jsonw *w, const struct check_msg *m)
{
	if (!m->judged) {
		jsonw_null(w, "adsp");
		return;
	}
	jsonw_object_open(w, "adsp");
	jsonw_string(w, "result", smtp2_adspr_name(m->adsp.result));
	jsonw_string(w, "practice", m->adsp.has_record ?
	    smtp2_adsp_practice_name(m->adsp.practice) : NULL);
	jsonw_string(w, "reason", m->adsp.why);
	jsonw_object_close(w);
}

/* check_message_report_json - see check_message.h */
void
check_message_report_json(const struct check_msg *m, int status)
{
	struct jsonw w;
	size_t	i;

	jsonw_init(&w, stdout, true);
	jsonw_object_open(&w, NULL);
	jsonw_int(&w, "smtp2_check", CHECK_JSON_VERSION);
	jsonw_string(&w, "command", "message");
	jsonw_int(&w, "exit", status);
	jsonw_string(&w, "summary", status == CHECK_EXIT_PASS ? "pass" :
	    status == CHECK_EXIT_PROBLEM ? "problems" : "unchecked");
	jsonw_string(&w, "file", m->path);
	jsonw_string(&w, "error", m->failed ? m->why : NULL);
	jsonw_string(&w, "from_domain", m->from_ok ? m->from_domain : NULL);
	jsonw_string(&w, "from_error", !m->from_ok && !m->failed ? m->from_why : NULL);
	jsonw_array_open(&w, "dkim");
	for (i = 0; i < m->n_sigs; i++)
		js_sig(&w, &m->sigs[i]);
	jsonw_array_close(&w);
	js_dmarc(&w, m);
	if (m->has_spf) {
		jsonw_object_open(&w, "spf_upstream");
		jsonw_string(&w, "result", smtp2_spf_result_name(m->spf.result));
		jsonw_string(&w, "domain", m->spf.domain);
		jsonw_string(&w, "authserv_id", m->spf.authserv_id);
		jsonw_object_close(&w);
	} else {
		jsonw_null(&w, "spf_upstream");
	}
	js_adsp(&w, m);
	jsonw_string(&w, "authentication_results", m->failed ? NULL : m->authres);
	jsonw_object_close(&w);
	jsonw_finish(&w);
}
