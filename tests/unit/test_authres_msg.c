/*
 * test_authres_msg.c - the whole Authentication-Results value with DKIM,
 * DMARC and ADSP results (lib/src/authres_msg.c, docs/headers.md).
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
#include <smtp2/authres.h>

/* sig - a signature result as the verifier would report it */
static void
sig(struct smtp2_dkimv_sig *s, enum smtp2_dkimv_result r, const char *d,
    const char *sel, const char *why)
{
	memset(s, 0, sizeof(*s));
	s->result = r;
	snprintf(s->domain, sizeof(s->domain), "%s", d);
	snprintf(s->selector, sizeof(s->selector), "%s", sel);
	snprintf(s->identity, sizeof(s->identity), "@%s", d);
	snprintf(s->b, sizeof(s->b), "dGhpc2lzYmFk");
	snprintf(s->why, sizeof(s->why), "%s", why);
}

/* verdict - a pass for bank.test */
static void
verdict(struct smtp2_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->result = SMTP2_RESULT_PASS;
	v->method = SMTP2_METHOD_DANE;
	v->dnssec = SMTP2_DNSSEC_SECURE;
	snprintf(v->domain, sizeof(v->domain), "bank.test");
}

/* test_smtp2_only - without DKIM the value is exactly the old one */
static void
test_smtp2_only(void **state)
{
	struct smtp2_authres_msg m;
	struct smtp2_verdict v;
	char a[1024], b[1024];

	(void)state;
	verdict(&v);
	memset(&m, 0, sizeof(m));
	m.smtp2 = &v;
	smtp2_authres_format_msg(a, sizeof(a), "mx.test", &m);
	smtp2_authres_format(b, sizeof(b), "mx.test", &v);
	assert_string_equal(a, b);
	memset(&m, 0, sizeof(m));
	smtp2_authres_format_msg(a, sizeof(a), "mx.test", &m);
	assert_string_equal(a, "mx.test; none");
}

/* test_everything - smtp2, two signatures, dmarc, adsp; folded */
static void
test_everything(void **state)
{
	struct smtp2_authres_msg m;
	struct smtp2_verdict v;
	struct smtp2_dkimv_sig s[2];
	struct smtp2_dmarc_eval d;
	struct smtp2_adsp_eval a;
	char out[4096];

	(void)state;
	verdict(&v);
	sig(&s[0], SMTP2_DKIMV_PASS, "bank.test", "sel1", "verified");
	s[0].key_bits = 2048;
	s[0].key_dnssec = SMTP2_DNSSEC_SECURE;
	sig(&s[1], SMTP2_DKIMV_FAIL, "list.test", "s2", "body hash mismatch");
	s[1].alg = SMTP2_DKIM_ED25519_SHA256;
	memset(&d, 0, sizeof(d));
	d.result = SMTP2_DMARCR_PASS;
	d.has_record = true;
	d.policy = SMTP2_DMARC_REJECT;
	d.policy_tag = "p";
	snprintf(d.why, sizeof(d.why), "aligned DKIM pass d=bank.test");
	memset(&a, 0, sizeof(a));
	a.result = SMTP2_ADSPR_PASS;
	memset(&m, 0, sizeof(m));
	m.smtp2 = &v;
	m.dkim_checked = true;
	m.sigs = s;
	m.n_sigs = 2;
	m.dmarc = &d;
	m.adsp = &a;
	m.from_domain = "bank.test";
	smtp2_authres_format_msg(out, sizeof(out), "mx.test", &m);
	assert_string_equal(out, "mx.test; smtp2=pass (method=dane, dnssec=secure)"
	    " header.from=bank.test;\n"
	    "\tdkim=pass (2048-bit key, key dnssec=secure; verified) header.d=bank.test"
	    " header.i=@bank.test header.s=sel1 header.a=rsa-sha256"
	    " header.b=dGhpc2lzYmFk;\n"
	    "\tdkim=fail (body hash mismatch) header.d=list.test header.i=@list.test"
	    " header.s=s2 header.a=ed25519-sha256 header.b=dGhpc2lzYmFk;\n"
	    "\tdmarc=pass (p=reject, spf alignment=unknown; aligned DKIM pass"
	    " d=bank.test) header.from=bank.test;\n"
	    "\tdkim-adsp=pass header.from=bank.test");
}

/* test_unsigned - dkim=none when nothing was signed */
static void
test_unsigned(void **state)
{
	struct smtp2_authres_msg m;
	char out[512];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.dkim_checked = true;
	smtp2_authres_format_msg(out, sizeof(out), "mx.test", &m);
	assert_string_equal(out, "mx.test; dkim=none");
}

/* test_hostile - sender-chosen values never break the field */
static void
test_hostile(void **state)
{
	struct smtp2_authres_msg m;
	struct smtp2_dkimv_sig s;
	char out[1024];

	(void)state;
	sig(&s, SMTP2_DKIMV_PERMERROR, "bad;domain=x", "s; dkim=pass",
	    "no key (really)\r\nX-Evil: 1");
	snprintf(s.identity, sizeof(s.identity), "\"a b\"@x.test");
	memset(&m, 0, sizeof(m));
	m.dkim_checked = true;
	m.sigs = &s;
	m.n_sigs = 1;
	smtp2_authres_format_msg(out, sizeof(out), "mx.test", &m);
	assert_string_equal(out, "mx.test; dkim=permerror (no key \\(really\\)"
	    "  X-Evil: 1) header.a=rsa-sha256 header.b=dGhpc2lzYmFk");
	assert_null(strchr(out, '\r'));
}

/* test_truncate - like snprintf: the length needed, NUL-terminated */
static void
test_truncate(void **state)
{
	struct smtp2_authres_msg m;
	struct smtp2_dkimv_sig s;
	char out[16], big[1024];
	int n;

	(void)state;
	sig(&s, SMTP2_DKIMV_PASS, "bank.test", "sel1", "verified");
	memset(&m, 0, sizeof(m));
	m.dkim_checked = true;
	m.sigs = &s;
	m.n_sigs = 1;
	n = smtp2_authres_format_msg(out, sizeof(out), "mx.test", &m);
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_int_equal(n, smtp2_authres_format_msg(big, sizeof(big), "mx.test", &m));
	assert_int_equal((size_t)n, strlen(big));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp2_only),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
