/*
 * test_dmarc_parse.c - the DMARC (RFC 9989) and ADSP (RFC 5617) record
 * parsers and record selection, as tables of named cases.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/dmarc.h>

#define WHY_LEN		256

#define N		SMTP2_DMARC_NONE
#define Q		SMTP2_DMARC_QUARANTINE
#define R		SMTP2_DMARC_REJECT

/* One single-string DMARC case; fields past want_why only when OK. */
struct dmarc_case {
	const char	*name;
	const char	*txt;
	enum smtp2_dmarc_status status;
	const char	*want_why;	/* substring; NULL: any */
	enum smtp2_dmarc_policy p, sp, np;
	bool		p_missing;
	enum smtp2_dmarc_align adkim, aspf;
	enum smtp2_dmarc_psd psd;
	bool		testing;
	const char	*rua;
};

#define OK		SMTP2_DMARC_OK
#define BAD		SMTP2_DMARC_INVALID
#define NOT		SMTP2_DMARC_ABSENT
#define RL		SMTP2_DMARC_RELAXED
#define ST		SMTP2_DMARC_STRICT
#define PU		SMTP2_DMARC_PSD_U

static const struct dmarc_case dmarc_cases[] = {
	{"reject", "v=DMARC1; p=reject", OK, "p=reject sp=reject np=reject",
	    R, R, R, false, RL, RL, PU, false, ""},
	{"full", "v=DMARC1; p=quarantine; sp=none; np=reject; adkim=s; "
	    "aspf=s; psd=n; t=y; rua=mailto:a@example.org; "
	    "ruf=mailto:f@example.org; fo=1", OK, "t=y",
	    Q, N, R, false, ST, ST, SMTP2_DMARC_PSD_N, true,
	    "mailto:a@example.org"},
	{"case", "V=DMARC1;P=REJECT;SP=Quarantine;ADKIM=S;T=N", OK, NULL,
	    R, Q, Q, false, ST, RL, PU, false, ""},
	{"whitespace", " \tv = DMARC1 ;\tp = none ; rua = mailto:x@y , "
	    "mailto:z@w ;", OK, NULL,
	    N, N, N, false, RL, RL, PU, false, "mailto:x@y , mailto:z@w"},
	{"missing p", "v=DMARC1; rua=mailto:r@example.org", OK,
	    "p=none (no p= tag)", N, N, N, true, RL, RL, PU, false,
	    "mailto:r@example.org"},
	{"np from sp", "v=DMARC1; p=reject; sp=quarantine", OK, NULL,
	    R, Q, Q, false, RL, RL, PU, false, ""},
	{"np only", "v=DMARC1; p=none; np=reject", OK, "np=reject",
	    N, N, R, false, RL, RL, PU, false, ""},
	{"psd y", "v=DMARC1; p=reject; psd=y", OK, NULL,
	    R, R, R, false, RL, RL, SMTP2_DMARC_PSD_Y, false, ""},
	{"removed tags", "v=DMARC1; p=reject; pct=0; rf=afrf; ri=x", OK,
	    NULL, R, R, R, false, RL, RL, PU, false, ""},
	{"unknown tags", "v=DMARC1; p=reject; zz=what ever; x1=", OK, NULL,
	    R, R, R, false, RL, RL, PU, false, ""},
	{"trailing semicolon", "v=DMARC1;p=reject;", OK, NULL,
	    R, R, R, false, RL, RL, PU, false, ""},
	{"duplicate p", "v=DMARC1; p=reject; p=none", BAD,
	    "duplicate tag 'p'", N, N, N, false, RL, RL, PU, false, NULL},
	{"duplicate any case", "v=DMARC1; p=reject; RUA=a; rua=b", BAD,
	    "duplicate tag 'rua'", N, N, N, false, RL, RL, PU, false, NULL},
	{"duplicate removed", "v=DMARC1; pct=5; pct=6", BAD, "duplicate",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"bad p", "v=DMARC1; p=block", BAD,
	    "p=: unknown value 'block' (none, quarantine, reject)",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"empty p", "v=DMARC1; p=", BAD, "p=: empty value",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"bad np", "v=DMARC1; p=none; np=all", BAD, "np=: unknown value",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"bad adkim", "v=DMARC1; p=none; adkim=x", BAD, "adkim=: unknown",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"bad psd", "v=DMARC1; p=none; psd=yes", BAD, "(y, n, u)",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"bad t", "v=DMARC1; p=none; t=u", BAD, "t=: unknown value 'u'",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"version tail", "v=DMARC1 x; p=none", BAD, "v=: expected ';'",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"control byte", "v=DMARC1; p=none\r", BAD, "control byte 0x0D",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"missing equals", "v=DMARC1; p reject", BAD, "missing '='",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"not DMARC", "v=spf1 -all", NOT, "not a v=DMARC1 record",
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"version case", "v=dmarc1; p=reject", NOT, NULL,
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"later version", "v=DMARC10; p=reject", NOT, NULL,
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"p first", "p=reject; v=DMARC1", NOT, NULL,
	    N, N, N, false, RL, RL, PU, false, NULL},
	{"empty", "", NOT, NULL, N, N, N, false, RL, RL, PU, false, NULL},
};

/* test_dmarc_cases - every single-string case of the table */
static void
test_dmarc_cases(void **state)
{
	struct smtp2_dmarc rec;
	char	why[WHY_LEN];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(dmarc_cases) / sizeof(dmarc_cases[0]); i++) {
		const struct dmarc_case *c = &dmarc_cases[i];
		enum smtp2_dmarc_status st;

		memset(&rec, 0x5a, sizeof(rec));
		why[0] = '\0';
		st = smtp2_dmarc_parse(c->txt, strlen(c->txt), &rec, why,
		    sizeof(why));
		if (st != c->status)
			fail_msg("%s: status %d, want %d (%s)", c->name, st,
			    c->status, why);
		if (c->want_why != NULL && strstr(why, c->want_why) == NULL)
			fail_msg("%s: why '%s', want '%s'", c->name, why,
			    c->want_why);
		if (st != OK) {
			assert_int_equal(((unsigned char *)&rec)[0], 0x5a);
			continue;
		}
		if (rec.p != c->p || rec.sp != c->sp || rec.np != c->np
		    || rec.p_missing != c->p_missing || rec.adkim != c->adkim
		    || rec.aspf != c->aspf || rec.psd != c->psd
		    || rec.testing != c->testing)
			fail_msg("%s: fields differ (%s)", c->name, why);
		if (strcmp(rec.rua, c->rua) != 0)
			fail_msg("%s: rua '%s', want '%s'", c->name, rec.rua,
			    c->rua);
	}
}

/* test_dmarc_kept - ruf=, fo= verbatim; too long a rua= dropped */
static void
test_dmarc_kept(void **state)
{
	static char txt[SMTP2_DMARC_URIS_MAX + 64];
	struct smtp2_dmarc rec;
	const char *t = "v=DMARC1; p=none; ruf=mailto:f@x; fo=0:d";

	(void)state;
	assert_int_equal(smtp2_dmarc_parse(t, strlen(t), &rec, NULL, 0), OK);
	assert_string_equal(rec.ruf, "mailto:f@x");
	assert_string_equal(rec.fo, "0:d");
	assert_false(rec.long_dropped);

	strcpy(txt, "v=DMARC1; p=reject; rua=");
	memset(txt + strlen(txt), 'a', SMTP2_DMARC_URIS_MAX + 1);
	assert_int_equal(smtp2_dmarc_parse(txt, strlen(txt), &rec, NULL, 0),
	    OK);
	assert_true(rec.long_dropped);
	assert_string_equal(rec.rua, "");
	assert_int_equal(rec.p, R);
}

/* One selection case: up to four strings at _dmarc.<name>. */
struct select_case {
	const char	*name;
	const char	*txts[4];
	enum smtp2_dmarc_status status;
	const char	*want_why;
};

static const struct select_case select_cases[] = {
	{"one among others", {"v=spf1 -all", "v=DMARC1; p=reject", "hello"},
	    OK, "p=reject"},
	{"none", {"v=spf1 -all", "google-site-verification=x"}, NOT,
	    "no v=DMARC1 record"},
	{"no strings", {NULL}, NOT, NULL},
	{"two good", {"v=DMARC1; p=reject", "v=spf1", "v=DMARC1; p=none"},
	    SMTP2_DMARC_MULTIPLE, "strings 1 and 3): none applies"},
	{"good and broken", {"v=DMARC1; p=bogus", "v=DMARC1; p=none"},
	    SMTP2_DMARC_MULTIPLE, "more than one"},
	{"one broken", {"x", "v=DMARC1; p=bogus"}, BAD, "p=: unknown"},
};

/* test_dmarc_select - every selection case of the table */
static void
test_dmarc_select(void **state)
{
	struct smtp2_dmarc rec;
	char	why[WHY_LEN];
	size_t	i, n;

	(void)state;
	for (i = 0; i < sizeof(select_cases) / sizeof(select_cases[0]); i++) {
		const struct select_case *c = &select_cases[i];
		enum smtp2_dmarc_status st;

		for (n = 0; n < 4 && c->txts[n] != NULL; n++)
			;
		memset(&rec, 0x5a, sizeof(rec));
		st = smtp2_dmarc_select(c->txts, NULL, n, &rec, why,
		    sizeof(why));
		if (st != c->status)
			fail_msg("%s: status %d, want %d (%s)", c->name, st,
			    c->status, why);
		if (c->want_why != NULL && strstr(why, c->want_why) == NULL)
			fail_msg("%s: why '%s', want '%s'", c->name, why,
			    c->want_why);
		if (st != OK)
			assert_int_equal(((unsigned char *)&rec)[0], 0x5a);
	}
}

/* test_dmarc_lengths - lengths, not NULs, bound each string */
static void
test_dmarc_lengths(void **state)
{
	const char *txts[] = {"v=DMARC1; p=reject; p=none"};
	size_t	lens[] = {19};
	char	tiny[1];

	(void)state;
	assert_int_equal(smtp2_dmarc_select(txts, lens, 1, NULL, NULL, 0), OK);
	assert_int_equal(smtp2_dmarc_parse("v=DMARC1\0", 9, NULL, NULL, 0),
	    BAD);
	assert_int_equal(smtp2_dmarc_parse(NULL, 0, NULL, tiny, 1), NOT);
	assert_int_equal(tiny[0], '\0');
	assert_string_equal(smtp2_dmarc_policy_name(Q), "quarantine");
	assert_string_equal(smtp2_dmarc_policy_name((enum smtp2_dmarc_policy)9),
	    "invalid");
}

/* One ADSP case. */
struct adsp_case {
	const char	*name;
	const char	*txt;
	enum smtp2_adsp_status status;
	enum smtp2_adsp_practice practice;	/* when OK */
	const char	*want_why;
};

static const struct adsp_case adsp_cases[] = {
	{"unknown", "dkim=unknown", SMTP2_ADSP_OK, SMTP2_ADSP_UNKNOWN,
	    "dkim=unknown"},
	{"all", "dkim=all", SMTP2_ADSP_OK, SMTP2_ADSP_ALL, "dkim=all"},
	{"discardable", " dkim = Discardable ; x=y", SMTP2_ADSP_OK,
	    SMTP2_ADSP_DISCARDABLE, NULL},
	{"extension value", "dkim=future-thing", SMTP2_ADSP_OK,
	    SMTP2_ADSP_UNKNOWN, NULL},
	{"empty value", "dkim=", SMTP2_ADSP_INVALID, 0,
	    "is not a practice"},
	{"bad value", "dkim=all,discardable", SMTP2_ADSP_INVALID, 0,
	    "'all,discardable'"},
	{"duplicate", "dkim=all; dkim=unknown", SMTP2_ADSP_INVALID, 0,
	    "duplicate tag 'dkim'"},
	{"uppercase tag", "DKIM=all", SMTP2_ADSP_ABSENT, 0, NULL},
	{"dkim not first", "x=1; dkim=all", SMTP2_ADSP_ABSENT, 0,
	    "not an ADSP record"},
	{"DKIM key", "v=DKIM1; k=rsa; p=AAAA", SMTP2_ADSP_ABSENT, 0, NULL},
};

/* test_adsp_cases - every ADSP case, then selection */
static void
test_adsp_cases(void **state)
{
	const char *two[] = {"dkim=all", "v=spf1", "dkim=discardable"};
	enum smtp2_adsp_practice p;
	char	why[WHY_LEN];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(adsp_cases) / sizeof(adsp_cases[0]); i++) {
		const struct adsp_case *c = &adsp_cases[i];
		enum smtp2_adsp_status st;

		p = (enum smtp2_adsp_practice)77;
		st = smtp2_adsp_parse(c->txt, strlen(c->txt), &p, why,
		    sizeof(why));
		if (st != c->status)
			fail_msg("%s: status %d, want %d (%s)", c->name, st,
			    c->status, why);
		if (c->want_why != NULL && strstr(why, c->want_why) == NULL)
			fail_msg("%s: why '%s', want '%s'", c->name, why,
			    c->want_why);
		if (st == SMTP2_ADSP_OK ? p != c->practice :
		    p != (enum smtp2_adsp_practice)77)
			fail_msg("%s: practice %d", c->name, p);
	}
	assert_int_equal(smtp2_adsp_select(two, NULL, 2, &p, why, WHY_LEN),
	    SMTP2_ADSP_OK);
	assert_int_equal(p, SMTP2_ADSP_ALL);
	assert_int_equal(smtp2_adsp_select(two, NULL, 3, &p, why, WHY_LEN),
	    SMTP2_ADSP_INVALID);
	assert_non_null(strstr(why, "more than one ADSP record"));
	assert_int_equal(smtp2_adsp_select(two + 1, NULL, 1, &p, why, WHY_LEN),
	    SMTP2_ADSP_ABSENT);
	assert_string_equal(smtp2_adsp_practice_name(SMTP2_ADSP_DISCARDABLE),
	    "discardable");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmarc_cases),
		cmocka_unit_test(test_dmarc_kept),
		cmocka_unit_test(test_dmarc_select),
		cmocka_unit_test(test_dmarc_lengths),
		cmocka_unit_test(test_adsp_cases),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
