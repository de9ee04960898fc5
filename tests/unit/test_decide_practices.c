/*
 * test_decide_practices.c - what DMARC and ADSP may add to a decision
 * (lib/src/decide_practices.c, docs/practices.md): every mode against
 * every result that can act, and the rules that hold in all modes.
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
#include <smtp2/decide.h>

struct fixture {
	struct smtp2_verdict v;
	struct smtp2_dmarc_eval dmarc;
	struct smtp2_adsp_eval adsp;
	struct smtp2_decision d;
};

/* setup - an unproven sender, DMARC and ADSP silent, accepted */
static void
setup(struct fixture *f, enum smtp2_result r)
{
	memset(f, 0, sizeof(*f));
	f->v.result = r;
	snprintf(f->v.domain, sizeof(f->v.domain), "bank.test");
	f->d.action = SMTP2_ACTION_TAG;
}

/* run - the decision after the practices had their say */
static enum smtp2_action
run(struct fixture *f, enum smtp2_practices_mode mode, bool pm)
{
	smtp2_decide_practices(mode, &f->v, &f->dmarc, &f->adsp, pm, &f->d);
	return f->d.action;
}

/* test_dmarc_reject - only reject-on-p=reject refuses a p=reject failure */
static void
test_dmarc_reject(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, SMTP2_RESULT_NONE);
	f.dmarc.result = SMTP2_DMARCR_FAIL;
	f.dmarc.policy = SMTP2_DMARC_REJECT;
	assert_int_equal(run(&f, SMTP2_PRACTICES_TAG, false), SMTP2_ACTION_TAG);
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_DISCARDABLE, false),
	    SMTP2_ACTION_TAG);
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false),
	    SMTP2_ACTION_REJECT);
	assert_string_equal(f.d.code, "550");
	assert_string_equal(f.d.dsn, "5.7.1");
	assert_non_null(strstr(f.d.text, "bank.test publishes a DMARC policy of reject"));

	/* Testing, quarantine, none: stamped only. */
	setup(&f, SMTP2_RESULT_FAIL);
	f.dmarc.result = SMTP2_DMARCR_FAIL;
	f.dmarc.policy = SMTP2_DMARC_REJECT;
	f.dmarc.testing = true;
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false), SMTP2_ACTION_TAG);
	f.dmarc.testing = false;
	f.dmarc.policy = SMTP2_DMARC_QUARANTINE;
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false), SMTP2_ACTION_TAG);
}

/* test_adsp_discard - both refusing modes refuse ADSP discard */
static void
test_adsp_discard(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, SMTP2_RESULT_NONE);
	f.adsp.result = SMTP2_ADSPR_DISCARD;
	assert_int_equal(run(&f, SMTP2_PRACTICES_TAG, false), SMTP2_ACTION_TAG);
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_DISCARDABLE, false),
	    SMTP2_ACTION_REJECT);
	assert_non_null(strstr(f.d.text, "(ADSP)"));
	setup(&f, SMTP2_RESULT_NONE);
	f.adsp.result = SMTP2_ADSPR_DISCARD;
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false),
	    SMTP2_ACTION_REJECT);
	setup(&f, SMTP2_RESULT_NONE);
	f.adsp.result = SMTP2_ADSPR_FAIL;	/* dkim=all: not discardable */
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false), SMTP2_ACTION_TAG);
}

/* test_temperror - refusing modes defer when DNS stops the judgement */
static void
test_temperror(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, SMTP2_RESULT_NONE);
	f.dmarc.result = SMTP2_DMARCR_TEMPERROR;
	assert_int_equal(run(&f, SMTP2_PRACTICES_TAG, false), SMTP2_ACTION_TAG);
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false),
	    SMTP2_ACTION_DEFER);
	assert_string_equal(f.d.code, "451");
	assert_string_equal(f.d.dsn, "4.7.0");
	setup(&f, SMTP2_RESULT_NONE);
	f.adsp.result = SMTP2_ADSPR_TEMPERROR;
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_DISCARDABLE, false),
	    SMTP2_ACTION_DEFER);
}

/* test_never_override - a proven server, postmaster, or an earlier
 * refusal: the practices keep quiet */
static void
test_never_override(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, SMTP2_RESULT_PASS);
	f.d.action = SMTP2_ACTION_ACCEPT;
	f.dmarc.result = SMTP2_DMARCR_FAIL;
	f.dmarc.policy = SMTP2_DMARC_REJECT;
	f.adsp.result = SMTP2_ADSPR_DISCARD;
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false),
	    SMTP2_ACTION_ACCEPT);
	f.v.result = SMTP2_RESULT_FAIL;
	f.d.action = SMTP2_ACTION_TAG;
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, true), SMTP2_ACTION_TAG);
	f.d.action = SMTP2_ACTION_DEFER;
	assert_int_equal(run(&f, SMTP2_PRACTICES_REJECT_P_REJECT, false),
	    SMTP2_ACTION_DEFER);
	/* Not evaluated at all. */
	f.d.action = SMTP2_ACTION_TAG;
	smtp2_decide_practices(SMTP2_PRACTICES_REJECT_P_REJECT, &f.v, NULL, NULL,
	    false, &f.d);
	assert_int_equal(f.d.action, SMTP2_ACTION_TAG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmarc_reject),
		cmocka_unit_test(test_adsp_discard),
		cmocka_unit_test(test_temperror),
		cmocka_unit_test(test_never_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
