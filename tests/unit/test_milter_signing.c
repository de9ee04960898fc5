/*
 * test_milter_signing.c - the milter's DKIM glue (milter/signing.c): the
 * forwarded-mail rule's conditions and effect, and the verdict line's
 * DKIM fields (docs/practices.md, docs/logs.md).
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Test framework. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/conf.h>
#include "connstate.h"
#include "signing.h"

/* first_party - a result with a first-party signature of bank.test */
static void
first_party(struct signing_result *r, struct smtp2_dkimv_sig *s)
{
	memset(r, 0, sizeof(*r));
	memset(s, 0, sizeof(*s));
	s->result = SMTP2_DKIMV_PASS;
	snprintf(s->domain, sizeof(s->domain), "bank.test");
	r->checked = true;
	r->judged = true;
	r->sigs = s;
	r->n_sigs = 1;
	r->dmarc.dkim_aligned = true;
	snprintf(r->dmarc.dkim_domain, sizeof(r->dmarc.dkim_domain), "bank.test");
}

/* unproven - bank.test, not proven by the connecting server */
static void
unproven(struct smtp2_verdict *v, enum smtp2_result res)
{
	memset(v, 0, sizeof(*v));
	v->result = res;
	snprintf(v->domain, sizeof(v->domain), "bank.test");
	snprintf(v->reason, sizeof(v->reason), "no client certificate presented");
}

/* test_forwarder - which domain may vouch, and when none may */
static void
test_forwarder(void **state)
{
	struct smtp2_conf *c;
	struct signing_result r;
	struct smtp2_dkimv_sig s;
	struct smtp2_verdict v;
	char f[256];

	(void)state;
	assert_non_null(c = smtp2_conf_defaults());
	first_party(&r, &s);
	unproven(&v, SMTP2_RESULT_FAIL);
	assert_true(milter_signing_forwarder(c, &v, &r, "<srs=x@Lists.Example.ORG>",
	    "mx.lists.example.org", f, sizeof(f)));
	assert_string_equal(f, "lists.example.org");
	/* Envelope sender in the From domain: the HELO name vouches. */
	assert_true(milter_signing_forwarder(c, &v, &r, "<a@bank.test>",
	    "relay.fwd.test", f, sizeof(f)));
	assert_string_equal(f, "relay.fwd.test");
	/* Null sender and a HELO without a dot: nobody. */
	assert_false(milter_signing_forwarder(c, &v, &r, "<>", "relay", f, sizeof(f)));
	/* No first-party signature, wrong results, rule off: never. */
	r.dmarc.dkim_aligned = false;
	assert_false(milter_signing_forwarder(c, &v, &r, "<a@fwd.test>", "", f, sizeof(f)));
	r.dmarc.dkim_aligned = true;
	unproven(&v, SMTP2_RESULT_TEMPERROR);
	assert_false(milter_signing_forwarder(c, &v, &r, "<a@fwd.test>", "", f, sizeof(f)));
	unproven(&v, SMTP2_RESULT_PASS);
	assert_false(milter_signing_forwarder(c, &v, &r, "<a@fwd.test>", "", f, sizeof(f)));
	unproven(&v, SMTP2_RESULT_NONE);
	assert_true(milter_signing_forwarder(c, &v, &r, "<a@fwd.test>", "", f, sizeof(f)));
	c->dkim.forwarded = false;
	assert_false(milter_signing_forwarder(c, &v, &r, "<a@fwd.test>", "", f, sizeof(f)));
	smtp2_conf_free(c);
}

/* test_forwarded - a proven forwarder turns the verdict into a pass via it */
static void
test_forwarded(void **state)
{
	struct signing_result r;
	struct smtp2_dkimv_sig s;
	struct smtp2_verdict v, fv;

	(void)state;
	first_party(&r, &s);
	unproven(&v, SMTP2_RESULT_FAIL);
	memset(&fv, 0, sizeof(fv));
	snprintf(fv.domain, sizeof(fv.domain), "fwd.test");
	fv.result = SMTP2_RESULT_FAIL;
	assert_false(milter_signing_forwarded(&v, &fv, &r));
	assert_int_equal(v.result, SMTP2_RESULT_FAIL);
	fv.result = SMTP2_RESULT_PASS;
	fv.method = SMTP2_METHOD_DANE;
	fv.dnssec = SMTP2_DNSSEC_SECURE;
	assert_true(milter_signing_forwarded(&v, &fv, &r));
	assert_int_equal(v.result, SMTP2_RESULT_PASS);
	assert_int_equal(v.method, SMTP2_METHOD_DANE);
	assert_string_equal(v.via, "fwd.test");
	assert_string_equal(v.domain, "bank.test");
	assert_non_null(strstr(v.reason, "forwarded via fwd.test (proven by dane),"
	    " first-party DKIM signature d=bank.test"));
}

/* test_verdict_line - via= and the DKIM fields */
static void
test_verdict_line(void **state)
{
	struct session *s;
	struct signing_result r;
	struct smtp2_dkimv_sig sig;
	struct smtp2_verdict v;
	char line[2048];

	(void)state;
	assert_non_null(s = milter_session_new(NULL, NULL));
	milter_session_client(s, "192.0.2.1", "41234");
	milter_message_sender(&s->msg, "<a@fwd.test>");
	milter_message_rcpt(&s->msg, "<bob@b.test>");
	first_party(&r, &sig);
	r.dmarc.result = SMTP2_DMARCR_PASS;
	r.adsp.result = SMTP2_ADSPR_PASS;
	unproven(&v, SMTP2_RESULT_PASS);
	snprintf(v.via, sizeof(v.via), "fwd.test");
	snprintf(v.reason, sizeof(v.reason), "forwarded");
	milter_session_verdict_line(s, &v, SMTP2_MODE_STRICT, SMTP2_ACTION_ACCEPT, &r,
	    2, line, sizeof(line));
	assert_string_equal(line, "verdict stage=eom queue=- client=192.0.2.1:41234 "
	    "sender=a@fwd.test rcpt=bob@b.test domain=bank.test result=pass "
	    "method=none dnssec=unknown record=no policy=- mode=strict action=accept "
	    "via=fwd.test dkim=pass dkim_d=bank.test dmarc=pass adsp=pass "
	    "reason=\"forwarded\" ms=2");
	/* DKIM could not run: temperror, no practices. */
	memset(&r, 0, sizeof(r));
	r.checked = true;
	r.temperror = true;
	v.via[0] = '\0';
	milter_session_verdict_line(s, &v, SMTP2_MODE_STRICT, SMTP2_ACTION_ACCEPT, &r,
	    2, line, sizeof(line));
	assert_non_null(strstr(line, " action=accept dkim=temperror dkim_d=- dmarc=-"
	    " adsp=- reason="));
	milter_session_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwarder),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_verdict_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
