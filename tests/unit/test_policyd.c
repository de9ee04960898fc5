/*
 * test_policyd.c - smtp2-policyd's request handling, session table and
 * server, without DNS.
 *
 * Every answer the requests need is canned in the shared DNS cache; the
 * only resolver is 127.0.0.1:1, where nothing listens, so an uncached name
 * (temp.test) comes back TEMPFAIL within the short timeout.  The log goes
 * to a file in a temporary directory, where the verdict lines are read
 * back: their format is a contract with administrators.
 *
 *   bank.test    v=SMTP2v1; p=enforce, TLSA 3 1 1 PIN (secure)
 *   pkix.test    v=SMTP2v1; p=enforce, no TLSA
 *   legacy.test  no record, no TLSA
 *   temp.test    not cached: temperror
 */

/* System library. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

/* Utility library. */
#include "attr.h"
#include "live.h"
#include "log.h"
#include "net.h"

/* Application-specific. */
#include <smtp2/smtp2.h>
#include "facts.h"
#include "gen.h"
#include "request.h"
#include "server.h"
#include "session.h"
#include "policyd_fixture.h"

#define CLIENT		"client_address=192.0.2.1", "client_port=41234"
#define RCPT_STATE	"request=smtpd_access_policy", "protocol_state=RCPT"

static unsigned verify_calls;		/* counted by counting_verify() */
static char pin_fp[3 * SMTP2_SHA256_LEN];	/* colon hex of the pin */
static char other_fp[3 * SMTP2_SHA256_LEN];	/* a key nobody pinned */

/* counting_verify - smtp2_verify, counted */
static void
counting_verify(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v)
{
	verify_calls++;
	smtp2_verify_with(dns, o, domain, tls, v);
}

static const struct smtp2_verify_opts vopts = { .dnssec = SMTP2_DNSSEC_REQUIRED };

/* put_answer - can one answer: rdata (or none) with status and dnssec */
static void
put_answer(struct smtp2_dns_cache *c, const char *name,
    uint16_t type, enum smtp2_dns_status st, const unsigned char *rdata,
    size_t len)
{
	struct smtp2_dns_rr rr = { len, (unsigned char *)rdata };
	struct smtp2_dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = st;
	a.dnssec = SMTP2_DNSSEC_SECURE;
	a.ttl = 3600;
	a.n = rdata != NULL;
	a.rr = rdata != NULL ? &rr : NULL;
	assert_int_equal(smtp2_dns_cache_put(c, name, type, &a), 0);
}

/* put_txt - can one TXT string */
static void
put_txt(struct smtp2_dns_cache *c, const char *name, const char *txt)
{
	unsigned char rd[256];
	size_t len = strlen(txt);

	rd[0] = (unsigned char)len;
	memcpy(rd + 1, txt, len);
	put_answer(c, name, SMTP2_DNS_T_TXT, SMTP2_DNS_OK, rd, len + 1);
}

/* canned_cache - the answers of the file comment */
static struct smtp2_dns_cache *
canned_cache(void)
{
	struct smtp2_dns_cache *c = smtp2_dns_cache_new(100, 3600);
	unsigned char pin[SMTP2_SHA256_LEN], other[SMTP2_SHA256_LEN];
	unsigned char tlsa[3 + SMTP2_SHA256_LEN] = { 3, 1, 1 };

	assert_non_null(c);
	for (size_t i = 0; i < SMTP2_SHA256_LEN; i++) {
		pin[i] = (unsigned char)(0x10 + i);
		other[i] = (unsigned char)(0xa0 + i);
	}
	memcpy(tlsa + 3, pin, sizeof(pin));
	smtp2_fp_format(pin, sizeof(pin), pin_fp, sizeof(pin_fp));
	smtp2_fp_format(other, sizeof(other), other_fp, sizeof(other_fp));
	put_txt(c, "_smtp2.bank.test", "v=SMTP2v1; p=enforce");
	put_answer(c, "_smtp2._tcp.bank.test", SMTP2_DNS_T_TLSA, SMTP2_DNS_OK,
	    tlsa, sizeof(tlsa));
	put_txt(c, "_smtp2.pkix.test", "v=SMTP2v1; p=enforce");
	put_answer(c, "_smtp2._tcp.pkix.test", SMTP2_DNS_T_TLSA,
	    SMTP2_DNS_NXDOMAIN, NULL, 0);
	put_answer(c, "_smtp2.legacy.test", SMTP2_DNS_T_TXT, SMTP2_DNS_NXDOMAIN,
	    NULL, 0);
	put_answer(c, "_smtp2._tcp.legacy.test", SMTP2_DNS_T_TLSA,
	    SMTP2_DNS_NXDOMAIN, NULL, 0);
	return c;
}

/* setup - temp dir, log file, canned cache, context in enforce mode */
static int
setup(void **state)
{
	*state = pd_fixture_new("test_policyd", counting_verify, &vopts,
	    canned_cache());
	verify_calls = 0;
	return 0;
}

/* teardown - free everything, remove the temp dir */
static int
teardown(void **state)
{
	pd_fixture_free(*state);
	return 0;
}

#define ask	pd_ask
#define last_log pd_last_log

/* ask_raw - send bytes as they are */
static const char *
ask_raw(struct pd_fixture *f, const char *raw)
{
	char buf[SMTP2D_BLOCK_MAX + 1];
	size_t n = strlen(raw);

	memcpy(buf, raw, n);
	policyd_request_block(&f->conn, buf, n, f->reply, sizeof(f->reply));
	return f->reply;
}

/* count_log - how many log lines contain needle */
static unsigned
count_log(struct pd_fixture *f, const char *needle)
{
	char buf[4096];
	unsigned n = 0;
	FILE *fp = fopen(f->log + 5, "r");

	assert_non_null(fp);
	while (fgets(buf, sizeof(buf), fp) != NULL)
		n += strstr(buf, needle) != NULL;
	fclose(fp);
	return n;
}

/* expect_prefix - s starts with want (printed when not) */
static void
expect_prefix(const char *s, const char *want)
{
	if (strncmp(s, want, strlen(want)) != 0)
		print_error("want \"%s...\", got \"%s\"\n", want, s);
	assert_true(strncmp(s, want, strlen(want)) == 0);
}

/* expect_has - s contains want */
static void
expect_has(const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		print_error("want \"%s\" in \"%s\"\n", want, s);
	assert_non_null(strstr(s, want));
}

/* RCPT decisions, one row each: mode, sender, recipient, TLS attributes. */
struct rcpt_case {
	const char	*name;
	enum smtp2_mode	mode;
	const char	*sender;
	const char	*rcpt;
	const char	*spki;		/* ccert_pubkey_fingerprint: "pin", "other", NULL */
	const char	*subject;	/* ccert_subject, xtext */
	const char	*reply;		/* reply prefix */
	const char	*log;		/* in the verdict line */
};

static const struct rcpt_case rcpt_cases[] = {
	{"pin matches", SMTP2_MODE_ENFORCE, "a@bank.test", "b@example.org",
	 "pin", NULL, "action=DUNNO\n\n",
	 "domain=bank.test result=pass method=dane dnssec=secure record=yes "
	 "policy=enforce mode=enforce action=accept"},
	{"pin matches, domain in capitals", SMTP2_MODE_STRICT, "<a@BANK.Test>",
	 "b@example.org", "pin", NULL, "action=DUNNO\n\n",
	 "domain=bank.test result=pass method=dane"},
	{"p=enforce without a certificate", SMTP2_MODE_ENFORCE, "a@bank.test",
	 "b@example.org", NULL, NULL, "action=550 5.7.1 ",
	 "result=fail method=none dnssec=secure record=yes policy=enforce "
	 "mode=enforce action=reject reason=\"no client certificate presented\""},
	{"p=enforce with the wrong key", SMTP2_MODE_ENFORCE, "a@bank.test",
	 "b@example.org", "other", NULL, "action=550 5.7.1 ",
	 "result=fail method=none"},
	{"p=enforce, permissive receiver", SMTP2_MODE_PERMISSIVE, "a@bank.test",
	 "b@example.org", NULL, NULL, "action=DUNNO\n\n",
	 "result=fail method=none dnssec=secure record=yes policy=enforce "
	 "mode=permissive action=accept"},
	{"p=enforce, tagging receiver", SMTP2_MODE_TAG, "a@bank.test",
	 "b@example.org", NULL, NULL, "action=DUNNO\n\n",
	 "result=fail method=none dnssec=secure record=yes policy=enforce "
	 "mode=tag action=tag"},
	{"trusted certificate names a host of the domain", SMTP2_MODE_ENFORCE,
	 "a@pkix.test", "b@example.org", "other", "mx+2Epkix.test",
	 "action=DUNNO\n\n", "domain=pkix.test result=pass method=pkix"},
	{"legacy sender, enforce", SMTP2_MODE_ENFORCE, "a@legacy.test",
	 "b@example.org", NULL, NULL, "action=DUNNO\n\n",
	 "domain=legacy.test result=none method=none dnssec=secure record=no "
	 "policy=- mode=enforce action=tag"},
	{"legacy sender, strict", SMTP2_MODE_STRICT, "a@legacy.test",
	 "b@example.org", NULL, NULL, "action=550 5.7.1 ",
	 "result=none method=none dnssec=secure record=no policy=- "
	 "mode=strict action=reject"},
	{"legacy sender, strict, to postmaster", SMTP2_MODE_STRICT,
	 "a@legacy.test", "PostMaster@example.org", NULL, NULL,
	 "action=DUNNO\n\n", "rcpt=PostMaster@example.org domain=legacy.test "
	 "result=none method=none dnssec=secure record=no policy=- mode=strict "
	 "action=tag"},
	{"legacy sender, strict, to bare <postmaster>", SMTP2_MODE_STRICT,
	 "a@legacy.test", "<postmaster>", NULL, NULL, "action=DUNNO\n\n",
	 "action=tag"},
	{"legacy sender, strict, to postmaster-list", SMTP2_MODE_STRICT,
	 "a@legacy.test", "postmaster-list@example.org", NULL, NULL,
	 "action=550 5.7.1 ", "action=reject"},
	{"DNS failure, enforce", SMTP2_MODE_ENFORCE, "a@temp.test",
	 "b@example.org", NULL, NULL, "action=450 4.7.0 ",
	 "domain=temp.test result=temperror method=none dnssec=unknown "
	 "record=no policy=- mode=enforce action=defer"},
	{"null sender", SMTP2_MODE_ENFORCE, "", "b@example.org", NULL, NULL,
	 "action=DUNNO\n\n", "sender=<> rcpt=b@example.org domain=- "
	 "result=none method=none dnssec=unknown record=no policy=- "
	 "mode=enforce action=tag reason=\"null sender, no usable HELO name\""},
	{"sender without a domain", SMTP2_MODE_ENFORCE, "alice", "b@example.org",
	 NULL, NULL, "action=DUNNO\n\n", "domain=- result=none"},
	{"invalid sender domain", SMTP2_MODE_ENFORCE, "a@bad..test",
	 "b@example.org", NULL, NULL, "action=DUNNO\n\n",
	 "result=permerror method=none"},
};

/* test_rcpt_cases - every row of rcpt_cases */
static void
test_rcpt_cases(void **state)
{
	struct pd_fixture *f = *state;
	char spki[128], subject[128], sender[300], rcpt[300];

	for (size_t i = 0; i < sizeof(rcpt_cases) / sizeof(rcpt_cases[0]); i++) {
		const struct rcpt_case *c = &rcpt_cases[i];
		const char *fp = c->spki == NULL ? "" :
		    strcmp(c->spki, "pin") == 0 ? pin_fp : other_fp;
		char port[32];

		print_message("case: %s\n", c->name);
		f->ctx.mode = c->mode;
		/* Its own client port each: no memo from the row before. */
		snprintf(port, sizeof(port), "client_port=%zu", 40000 + i);
		snprintf(spki, sizeof(spki), "ccert_pubkey_fingerprint=%s", fp);
		snprintf(subject, sizeof(subject), "ccert_subject=%s",
		    c->subject ? c->subject : "");
		snprintf(sender, sizeof(sender), "sender=%s", c->sender);
		snprintf(rcpt, sizeof(rcpt), "recipient=%s", c->rcpt);
		expect_prefix(ask(f, RCPT_STATE, "client_address=192.0.2.1",
		    port, sender, rcpt, spki, subject,
		    "encryption_protocol=TLSv1.3", NULL), c->reply);
		expect_has(last_log(f, "verdict "), c->log);
	}
	assert_int_equal(count_log(f, "verdict "),
	    sizeof(rcpt_cases) / sizeof(rcpt_cases[0]));
}

/* test_reply_texts - reject and defer carry the decision's text */
static void
test_reply_texts(void **state)
{
	struct pd_fixture *f = *state;
	const char *r;

	r = ask(f, RCPT_STATE, CLIENT, "sender=a@bank.test",
	    "recipient=b@example.org", NULL);
	expect_prefix(r, "action=550 5.7.1 ");
	expect_has(r, "bank.test");
	assert_ptr_equal(strchr(r, '\n'), r + strlen(r) - 2);	/* one line */
	r = ask(f, RCPT_STATE, "client_address=192.0.2.9", "client_port=1",
	    "sender=a@temp.test", "recipient=b@example.org", NULL);
	expect_prefix(r, "action=450 4.7.0 ");
	assert_string_equal(r + strlen(r) - 2, "\n\n");
}

/* test_null_sender_helo - a bounce is judged on the HELO name */
static void
test_null_sender_helo(void **state)
{
	struct pd_fixture *f = *state;
	const char *r;

	r = ask(f, RCPT_STATE, CLIENT, "sender=", "helo_name=Bank.Test",
	    "recipient=b@example.org", NULL);
	expect_prefix(r, "action=550 5.7.1 ");
	expect_has(r, "bank.test");
	r = ask(f, RCPT_STATE, CLIENT, "sender=", "helo_name=[192.0.2.1]",
	    "recipient=b@example.org", NULL);
	expect_prefix(r, "action=DUNNO");
}

/* test_verdict_line - the whole line, field by field */
static void
test_verdict_line(void **state)
{
	struct pd_fixture *f = *state;
	char spki[128], want[512];
	const char *line, *ms;

	snprintf(spki, sizeof(spki), "ccert_pubkey_fingerprint=%s", pin_fp);
	expect_prefix(ask(f, RCPT_STATE, CLIENT, "queue_id=4Xyz1", spki,
	    "sender=a@bank.test", "recipient=b@example.org", NULL),
	    "action=DUNNO");
	line = last_log(f, "verdict ");
	snprintf(want, sizeof(want), "verdict stage=rcpt queue=4Xyz1 "
	    "client=192.0.2.1:41234 sender=a@bank.test rcpt=b@example.org "
	    "domain=bank.test result=pass method=dane dnssec=secure record=yes "
	    "policy=enforce mode=enforce action=accept reason=\"");
	expect_prefix(line, want);
	/* The reason is the library's; then ms=<integer> ends the line. */
	assert_non_null(ms = strstr(line, "\" ms="));
	ms += 5;
	assert_true(*ms != 0 && strspn(ms, "0123456789") == strlen(ms));

	/* No queue id yet, and client-chosen bytes that would split fields. */
	ask(f, RCPT_STATE, CLIENT, "queue_id=", "sender=<a b@legacy.test>",
	    "recipient=\"x y=1\"@example.org", NULL);
	line = last_log(f, "verdict ");
	expect_prefix(line, "verdict stage=rcpt queue=- client=192.0.2.1:41234 "
	    "sender=a?b@legacy.test rcpt=?x?y=1?@example.org domain=legacy.test ");
}

/* test_other_states - no decision before RCPT, but the facts are kept */
static void
test_other_states(void **state)
{
	static const char *const states[] = {
		"CONNECT", "EHLO", "HELO", "MAIL", "DATA", "END-OF-MESSAGE", "VRFY",
		"ETRN",
	};
	struct pd_fixture *f = *state;
	struct smtp2_tls_facts tf;
	char st[64], spki[128];

	snprintf(spki, sizeof(spki), "ccert_pubkey_fingerprint=%s", pin_fp);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(st, sizeof(st), "protocol_state=%s", states[i]);
		assert_string_equal(ask(f, "request=smtpd_access_policy", st,
		    CLIENT, spki, "sender=a@bank.test", NULL), "action=DUNNO\n\n");
	}
	/* No protocol_state at all: nothing to decide either. */
	assert_string_equal(ask(f, "request=smtpd_access_policy", CLIENT,
	    "sender=a@bank.test", "recipient=b@example.org", spki, NULL),
	    "action=DUNNO\n\n");
	assert_int_equal(verify_calls, 0);
	assert_int_equal(count_log(f, "verdict "), 0);
	assert_int_equal(policyd_session_get(f->sessions, "192.0.2.1", "41234",
	    &tf, policyd_session_clock()), 1);
	assert_true(tf.cert_presented && tf.have_spki_sha256);
}

/* Requests that must be refused with a 4xx, never accepted. */
static const struct {
	const char	*raw;
	const char	*reply;
	const char	*log;
} bad_cases[] = {
	{"request=smtpd_access_policy\nno equals sign\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: malformed request: line 2: ",
	 "warning: malformed request: line 2: no '='"},
	{"request=smtpd_access_policy\nsender=a\nsender=b\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: malformed request: ",
	 "repeated"},
	{"request=smtpd_access_policy\n=x\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: malformed request: ",
	 "empty attribute name"},
	{"protocol_state=RCPT\nsender=a@bank.test\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: missing request attribute\n\n",
	 "request without a request attribute"},
	{"\n", "action=DEFER_IF_PERMIT smtp2-policyd: missing request attribute",
	 "request without a request attribute"},
	{"request=junk\r\nprotocol_state=RCPT\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: unknown request type \"junk\"\n\n",
	 "unknown request type \"junk\""},
	{"request=smtpd_access_policy\nprotocol_state=RCPT\n"
	 "ccert_fingerprint=AB:CD:XY\nsender=a@bank.test\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: malformed ccert_fingerprint\n\n",
	 "malformed ccert_fingerprint"},
	{"request=smtpd_access_policy\nprotocol_state=CONNECT\n"
	 "ccert_pubkey_fingerprint=12:3\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: malformed ccert_pubkey_fingerprint",
	 "malformed ccert_pubkey_fingerprint"},
	{"request=smtpd_access_policy\nprotocol_state=RCPT\n"
	 "ccert_subject=mx+2\nsender=a@bank.test\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: malformed ccert_subject",
	 "malformed ccert_subject"},
	{"request=smtpd_access_policy\nprotocol_state=RCPT\n"
	 "ccert_subject=mx+0Abank.test\nsender=a@bank.test\n\n",
	 "action=DEFER_IF_PERMIT smtp2-policyd: malformed ccert_subject",
	 "malformed ccert_subject"},
};

/* test_bad_requests - every row of bad_cases, logged precisely */
static void
test_bad_requests(void **state)
{
	struct pd_fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		print_message("case: %s", bad_cases[i].raw);
		expect_prefix(ask_raw(f, bad_cases[i].raw), bad_cases[i].reply);
		assert_string_equal(f->reply + strlen(f->reply) - 2, "\n\n");
		expect_has(last_log(f, "test_policyd"), bad_cases[i].log);
	}
	assert_int_equal(verify_calls, 0);
}

/* test_query_known - smtp2_verify for a connection Postfix told us about */
static void
test_query_known(void **state)
{
	struct pd_fixture *f = *state;
	char spki[128];
	const char *r;

	snprintf(spki, sizeof(spki), "ccert_pubkey_fingerprint=%s", pin_fp);
	ask(f, "request=smtpd_access_policy", "protocol_state=END-OF-MESSAGE",
	    CLIENT, spki, "encryption_protocol=TLSv1.3",
	    "encryption_cipher=TLS_AES_256_GCM_SHA384", NULL);
	r = ask(f, "request=smtp2_verify", CLIENT, "domain=Bank.Test.", NULL);
	expect_prefix(r, "status=ok\nresult=pass\nmethod=dane\ndnssec=secure\n"
	    "record=yes\npolicy=enforce\nreason=");
	expect_has(r, "\ntls=TLSv1.3\n\n");
	assert_int_equal(verify_calls, 1);

	/* Same connection, a legacy From domain. */
	r = ask(f, "request=smtp2_verify", CLIENT, "domain=legacy.test", NULL);
	assert_string_equal(r, "status=ok\nresult=none\nmethod=none\n"
	    "dnssec=secure\nrecord=no\npolicy=-\nreason=no _smtp2 record\n"
	    "tls=TLSv1.3\n\n");
	/* The milter's questions are not decisions: no verdict line. */
	assert_int_equal(count_log(f, "verdict "), 0);
}

/* test_query_unknown - no facts for that connection: status=unknown */
static void
test_query_unknown(void **state)
{
	struct pd_fixture *f = *state;

	ask(f, "request=smtpd_access_policy", "protocol_state=CONNECT", CLIENT,
	    NULL);
	assert_string_equal(ask(f, "request=smtp2_verify",
	    "client_address=192.0.2.1", "client_port=41235",
	    "domain=bank.test", NULL),
	    "status=unknown\nresult=-\nmethod=-\ndnssec=-\nrecord=-\npolicy=-\n"
	    "reason=no TLS facts known for this connection\ntls=-\n\n");
	assert_int_equal(verify_calls, 0);
}

/* test_query_errors - incomplete or unparsable queries: status=error */
static void
test_query_errors(void **state)
{
	struct pd_fixture *f = *state;

	assert_string_equal(ask(f, "request=smtp2_verify", CLIENT, NULL),
	    "status=error\nresult=-\nmethod=-\ndnssec=-\nrecord=-\npolicy=-\n"
	    "reason=missing domain\ntls=-\n\n");
	expect_has(ask(f, "request=smtp2_verify", "client_port=1", "domain=a.test",
	    NULL), "status=error\n");
	expect_has(f->reply, "reason=missing client_address\n");
	expect_has(ask(f, "request=smtp2_verify", "client_address=192.0.2.1",
	    "domain=a.test", NULL), "reason=missing client_port\n");
	/* Unparsable, but recognisably the milter's: answered in its terms. */
	expect_prefix(ask_raw(f, "request=smtp2_verify\nclient_address\n\n"),
	    "status=error\n");
	expect_has(f->reply, "reason=malformed request: line 2: no '='");
}

/* test_memo - 50 RCPTs from one sender cost one verification */
static void
test_memo(void **state)
{
	struct pd_fixture *f = *state;
	char spki[128];

	snprintf(spki, sizeof(spki), "ccert_pubkey_fingerprint=%s", pin_fp);
	for (int i = 0; i < 50; i++)
		assert_string_equal(ask(f, RCPT_STATE, CLIENT, spki,
		    "sender=a@bank.test", "recipient=b@example.org", NULL),
		    "action=DUNNO\n\n");
	assert_int_equal(verify_calls, 1);
	assert_int_equal(count_log(f, "verdict "), 50);
	/* The milter's question about the same domain is memoised too. */
	expect_prefix(ask(f, "request=smtp2_verify", CLIENT, "domain=bank.test",
	    NULL), "status=ok\nresult=pass\n");
	assert_int_equal(verify_calls, 1);
	/* Other facts on the same client port (a new connection): verify again. */
	expect_prefix(ask(f, RCPT_STATE, CLIENT, "sender=a@bank.test",
	    "recipient=b@example.org", NULL), "action=550 5.7.1");
	assert_int_equal(verify_calls, 2);
	/* Another client: its own session, its own verification. */
	ask(f, RCPT_STATE, "client_address=192.0.2.2", "client_port=41234", spki,
	    "sender=a@bank.test", "recipient=b@example.org", NULL);
	assert_int_equal(verify_calls, 3);
}

/* test_digest_not_sha256 - md5 fingerprints: presented, never matching */
static void
test_digest_not_sha256(void **state)
{
	struct pd_fixture *f = *state;
	struct smtp2_tls_facts tf;

	expect_prefix(ask(f, RCPT_STATE, CLIENT,
	    "ccert_fingerprint=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
	    "sender=a@bank.test", "recipient=b@example.org", NULL),
	    "action=550 5.7.1");
	expect_has(last_log(f, "warning"), "smtpd_tls_fingerprint_digest = sha256");
	assert_int_equal(policyd_session_get(f->sessions, "192.0.2.1", "41234",
	    &tf, policyd_session_clock()), 1);
	assert_true(tf.cert_presented);
	assert_false(tf.have_cert_sha256 || tf.have_spki_sha256 || tf.cert_trusted);
	/* Warned once per connection, not once per request. */
	ask(f, RCPT_STATE, CLIENT,
	    "ccert_fingerprint=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
	    "sender=a@bank.test", "recipient=c@example.org", NULL);
	assert_int_equal(count_log(f, "smtpd_tls_fingerprint_digest"), 1);
}

/* test_internal_failure - no resolver: a 4xx in both protocols, never DUNNO */
static void
test_internal_failure(void **state)
{
	struct pd_fixture *f = *state;
	const char *r;

	f->ctx.dns.trust_anchors = SMTP2_TEST_DATA "/anchors/no-such-file.ds";
	f->ctx.mode = SMTP2_MODE_PERMISSIVE;
	r = ask(f, RCPT_STATE, CLIENT, "sender=a@bank.test",
	    "recipient=b@example.org", NULL);
	assert_string_equal(r, "action=DEFER_IF_PERMIT smtp2-policyd: "
	    "verification unavailable, try again later\n\n");
	expect_has(last_log(f, "test_policyd"), "error: client=192.0.2.1:41234 "
	    "sender=\"a@bank.test\": cannot create resolver");
	expect_prefix(ask(f, "request=smtp2_verify", CLIENT, "domain=bank.test",
	    NULL), "status=error\nresult=-\nmethod=-\ndnssec=-\nrecord=-\n"
	    "policy=-\nreason=cannot create resolver: ");
	assert_int_equal(verify_calls, 0);
	assert_int_equal(count_log(f, "verdict "), 0);
	/* A null sender needs no resolver: still decided. */
	assert_string_equal(ask(f, RCPT_STATE, CLIENT, "sender=",
	    "recipient=b@example.org", NULL), "action=DUNNO\n\n");
}

/* test_xtext - RFC 3461 decoding of ccert_subject */
static void
test_xtext(void **state)
{
	static const struct {
		const char *in, *out;	/* out NULL: must fail */
	} cases[] = {
		{"mx.bank.test", "mx.bank.test"},
		{"mx+2Ebank+2Etest", "mx.bank.test"},
		{"a+20b", "a b"},
		{"a+2Bb+3D", "a+b="},
		{"+c3+A9t+C3+a9", "\xc3\xa9t\xc3\xa9"},
		{"", ""},
		{"a+", NULL},
		{"a+2", NULL},
		{"a+ZZ", NULL},
		{"a+00b", NULL},
		{"a+0Ab", NULL},
		{"a+7F", NULL},
		{"a\tb", NULL},
	};
	char out[256], small[4];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = policyd_xtext_decode(cases[i].in, out, sizeof(out));

		print_message("xtext \"%s\"\n", cases[i].in);
		if (cases[i].out == NULL) {
			assert_int_equal(n, -1);
		} else {
			assert_string_equal(out, cases[i].out);
			assert_int_equal(n, (int)strlen(cases[i].out));
		}
	}
	assert_int_equal(policyd_xtext_decode("abc", small, sizeof(small)), 3);
	assert_int_equal(policyd_xtext_decode("abcd", small, sizeof(small)), -1);
}

/* test_facts - what the attributes make of a session's facts */
static void
test_facts(void **state)
{
	struct pd_fixture *f = *state;
	struct smtp2_tls_facts tf;
	char cfp[128], spki[128], subject[400];

	snprintf(cfp, sizeof(cfp), "ccert_fingerprint=%s", other_fp);
	snprintf(spki, sizeof(spki), "ccert_pubkey_fingerprint=%s", pin_fp);
	ask(f, "request=smtpd_access_policy", "protocol_state=HELO", CLIENT, cfp,
	    spki, "ccert_subject=mx+2Ebank.test", "ccert_issuer=Bank+20CA",
	    "encryption_protocol=TLSv1.2",
	    "encryption_cipher=ECDHE-RSA-AES256-GCM-SHA384", NULL);
	assert_int_equal(policyd_session_get(f->sessions, "192.0.2.1", "41234",
	    &tf, policyd_session_clock()), 1);
	assert_true(tf.cert_presented && tf.cert_trusted);
	assert_true(tf.have_cert_sha256 && tf.have_spki_sha256);
	assert_int_equal(tf.spki_sha256[0], 0x10);
	assert_int_equal(tf.cert_sha256[31], 0xa0 + 31);
	assert_string_equal(tf.subject_cn, "mx.bank.test");
	assert_string_equal(tf.issuer_cn, "Bank CA");
	assert_string_equal(tf.protocol, "TLSv1.2");
	assert_string_equal(tf.cipher, "ECDHE-RSA-AES256-GCM-SHA384");

	/* After STARTTLS-less reconnect on the same port: nothing. */
	ask(f, "request=smtpd_access_policy", "protocol_state=HELO", CLIENT,
	    "ccert_fingerprint=", "ccert_subject=", "encryption_protocol=", NULL);
	policyd_session_get(f->sessions, "192.0.2.1", "41234", &tf,
	    policyd_session_clock());
	assert_false(tf.cert_presented || tf.cert_trusted || tf.have_cert_sha256);
	assert_string_equal(tf.protocol, "");

	/* A CommonName too long for the facts is refused, not cut. */
	memset(subject, 'a', sizeof(subject));
	memcpy(subject, "ccert_subject=", 14);
	subject[sizeof(subject) - 1] = 0;
	expect_prefix(ask(f, "request=smtpd_access_policy", "protocol_state=HELO",
	    CLIENT, subject, NULL), "action=DEFER_IF_PERMIT");
}

/* test_session_table - expiry, eviction, memo rules, bad keys */
static void
test_session_table(void **state)
{
	struct policyd_sessions *t = policyd_sessions_new(3, 100);
	struct smtp2_tls_facts a, b, out;
	struct smtp2_verdict v, got;

	(void)state;
	smtp2_tls_facts_init(&a);
	smtp2_tls_facts_init(&b);
	b.cert_presented = true;
	memset(&v, 0, sizeof(v));
	v.result = SMTP2_RESULT_PASS;

	/* Lifetime: ttl seconds after the last update. */
	assert_int_equal(policyd_session_put(t, "192.0.2.1", "1", &a, 1000), 0);
	assert_int_equal(policyd_session_get(t, "192.0.2.1", "1", &out, 1099), 1);
	assert_int_equal(policyd_session_put(t, "192.0.2.1", "1", &a, 1050), 0);
	assert_int_equal(policyd_session_get(t, "192.0.2.1", "1", &out, 1149), 1);
	assert_int_equal(policyd_session_get(t, "192.0.2.1", "1", &out, 1150), 0);
	assert_int_equal(policyd_sessions_count(t), 0);

	/* Bounded: the least recently updated goes first. */
	policyd_session_put(t, "192.0.2.1", "1", &a, 2000);
	policyd_session_put(t, "192.0.2.1", "2", &a, 2001);
	policyd_session_put(t, "192.0.2.1", "3", &a, 2002);
	policyd_session_put(t, "192.0.2.1", "1", &a, 2003);	/* refreshed */
	policyd_session_put(t, "192.0.2.1", "4", &a, 2004);
	assert_int_equal(policyd_sessions_count(t), 3);
	assert_int_equal(policyd_session_get(t, "192.0.2.1", "2", &out, 2005), 0);
	assert_int_equal(policyd_session_get(t, "192.0.2.1", "1", &out, 2005), 1);
	assert_int_equal(policyd_session_get(t, "192.0.2.1", "3", &out, 2005), 1);

	/* Memo: kept for the facts it was computed from, only. */
	policyd_session_memo_put(t, "192.0.2.1", "1", &a, "bank.test", &v, 2005);
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "bank.test", &got, 2006), 1);
	assert_int_equal(got.result, SMTP2_RESULT_PASS);
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "other.test", &got, 2006), 0);
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "bank.test", &got, 2005 + POLICYD_MEMO_TTL), 0);
	policyd_session_put(t, "192.0.2.1", "1", &b, 2007);	/* new facts */
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "bank.test", &got, 2007), 0);
	policyd_session_memo_put(t, "192.0.2.1", "1", &a, "bank.test", &v, 2007);
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "bank.test", &got, 2007), 0);	/* computed from stale facts */

	/* A temperror is retried sooner. */
	v.result = SMTP2_RESULT_TEMPERROR;
	policyd_session_memo_put(t, "192.0.2.1", "1", &b, "temp.test", &v, 2010);
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "temp.test", &got, 2010 + POLICYD_MEMO_TEMP_TTL - 1), 1);
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "temp.test", &got, 2010 + POLICYD_MEMO_TEMP_TTL), 0);

	/* A handful of domains per session; the oldest makes room. */
	v.result = SMTP2_RESULT_NONE;
	for (int i = 0; i < POLICYD_MEMO_MAX + 1; i++) {
		char d[32];

		snprintf(d, sizeof(d), "d%d.test", i);
		policyd_session_memo_put(t, "192.0.2.1", "1", &b, d, &v, 2020 + i);
	}
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "d0.test", &got, 2030), 0);
	assert_int_equal(policyd_session_memo_get(t, "192.0.2.1", "1",
	    "d1.test", &got, 2030), 1);

	/* Keys that cannot be stored. */
	assert_int_equal(policyd_session_put(t, "", "1", &a, 3000), -1);
	assert_int_equal(policyd_session_put(t, "192.0.2.1", NULL, &a, 3000), -1);
	assert_int_equal(policyd_session_put(t,
	    "0123456789012345678901234567890123456789012345678901234567890123456789",
	    "1", &a, 3000), -1);
	assert_int_equal(policyd_session_get(t, NULL, "1", &out, 3000), 0);
	policyd_sessions_free(t);
}

/* Client side of the end-to-end tests. */
struct client {
	int	fd;
	struct smtp2d_reader r;
};

/* client_open - connect to the server's socket */
static void
client_open(struct client *c, const char *spec)
{
	char why[256];

	c->fd = smtp2d_connect(spec, 2000, why, sizeof(why));
	if (c->fd < 0)
		print_error("connect %s: %s\n", spec, why);
	assert_true(c->fd >= 0);
	smtp2d_reader_init(&c->r, c->fd, 5000, SMTP2D_BLOCK_MAX);
}

/* client_next - the next reply block (in *reply) */
static int
client_next(struct client *c, char *reply, size_t len)
{
	char *block;
	size_t n;

	if (smtp2d_reader_next(&c->r, &block, &n) != 1 || n >= len)
		return -1;
	memcpy(reply, block, n);
	reply[n] = 0;
	return 0;
}

/* client_ask - one request, one reply block (in *reply) */
static int
client_ask(struct client *c, const char *req, char *reply, size_t len)
{
	if (smtp2d_write_all(c->fd, req, strlen(req)) < 0)
		return -1;
	return client_next(c, reply, len);
}

/* client_eof - true when the server closed (within 2 s); a close with
 * our bytes unread shows as a reset */
static bool
client_eof(struct client *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	ssize_t n;
	char b;

	if (poll(&p, 1, 2000) != 1)
		return false;
	n = read(c->fd, &b, 1);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

struct server_run {
	struct policyd_gen gen;		/* the fixture's ctx, borrowed */
	struct smtp2d_live *live;
	struct policyd_server *s;
	pthread_t tid;
	int	rc;
};

/* server_thread - policyd_server_run in a thread */
static void *
server_thread(void *arg)
{
	struct server_run *sr = arg;

	sr->rc = policyd_server_run(sr->s);
	return NULL;
}

/* server_start - a server on a unix socket in the temp dir, running */
static void
server_start(struct pd_fixture *f, struct server_run *sr,
    unsigned max_conns, char *spec, size_t speclen)
{
	char why[256];
	const char *listen[1];

	snprintf(spec, speclen, "unix:%s/policyd.sock", f->dir);
	listen[0] = spec;
	memset(&sr->gen, 0, sizeof(sr->gen));
	sr->gen.ctx = f->ctx;
	assert_non_null(sr->live = smtp2d_live_new(&sr->gen, NULL));
	sr->s = policyd_server_new(listen, 1, max_conns, sr->live, why, sizeof(why));
	if (sr->s == NULL)
		print_error("server: %s\n", why);
	assert_non_null(sr->s);
	assert_int_equal(pthread_create(&sr->tid, NULL, server_thread, sr), 0);
}

/* server_end - stop, join, free; the socket file must be gone */
static void
server_end(struct server_run *sr, const char *spec)
{
	struct stat st;

	policyd_server_stop(sr->s);
	assert_int_equal(pthread_join(sr->tid, NULL), 0);
	assert_int_equal(sr->rc, 0);
	assert_int_equal(stat(spec + 5, &st), -1);
	policyd_server_free(sr->s);
	smtp2d_live_free(sr->live);
}

/* The two concurrent clients meet at these barriers. */
struct pair {
	const char *spec;
	pthread_barrier_t both_in, b_done;
	int	ok[2];
};

#define PAIR_RCPT "request=smtpd_access_policy\nprotocol_state=RCPT\n" \
	"client_address=192.0.2.7\nclient_port=%d\nsender=a@legacy.test\n" \
	"recipient=b@example.org\n\n"

/* pair_exchange - n RCPT requests, each must be answered DUNNO */
static int
pair_exchange(struct client *c, int port, int n)
{
	char req[512], reply[256];

	snprintf(req, sizeof(req), PAIR_RCPT, port);
	for (int i = 0; i < n; i++)
		if (client_ask(c, req, reply, sizeof(reply)) < 0 ||
		    strcmp(reply, "action=DUNNO\n\n") != 0)
			return 0;
	return 1;
}

/* pair_a - one answer, then wait while b is served, then more */
static void *
pair_a(void *arg)
{
	struct pair *p = arg;
	struct client c;

	client_open(&c, p->spec);
	p->ok[0] = pair_exchange(&c, 1, 1);
	pthread_barrier_wait(&p->both_in);
	/* a's connection stays open and idle: b must still be answered. */
	pthread_barrier_wait(&p->b_done);
	p->ok[0] &= pair_exchange(&c, 1, 10);
	close(c.fd);
	smtp2d_reader_clear(&c.r);
	return NULL;
}

/* pair_b - served while a holds its connection */
static void *
pair_b(void *arg)
{
	struct pair *p = arg;
	struct client c;

	client_open(&c, p->spec);
	pthread_barrier_wait(&p->both_in);
	p->ok[1] = pair_exchange(&c, 2, 10);
	pthread_barrier_wait(&p->b_done);
	close(c.fd);
	smtp2d_reader_clear(&c.r);
	return NULL;
}

/* test_server - many requests per connection, concurrency, limits, stop */
static void
test_server(void **state)
{
	struct pd_fixture *f = *state;
	struct server_run sr;
	struct client c, c2;
	struct pair p;
	pthread_t ta, tb;
	char spec[128], reply[POLICYD_REPLY_MAX], big[SMTP2D_BLOCK_MAX + 100];
	char spki[128], req[512];

	signal(SIGPIPE, SIG_IGN);
	f->ctx.verify = smtp2_verify_with;
	server_start(f, &sr, 8, spec, sizeof(spec));

	/* Several requests over one connection, as Postfix sends them. */
	client_open(&c, spec);
	snprintf(spki, sizeof(spki), "ccert_pubkey_fingerprint=%s", pin_fp);
	snprintf(req, sizeof(req), "request=smtpd_access_policy\n"
	    "protocol_state=CONNECT\nclient_address=192.0.2.1\nclient_port=5\n"
	    "%s\n\n", spki);
	assert_int_equal(client_ask(&c, req, reply, sizeof(reply)), 0);
	assert_string_equal(reply, "action=DUNNO\n\n");
	snprintf(req, sizeof(req), "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nclient_address=192.0.2.1\nclient_port=5\n"
	    "%s\nsender=a@bank.test\nrecipient=b@example.org\n\n", spki);
	assert_int_equal(client_ask(&c, req, reply, sizeof(reply)), 0);
	assert_string_equal(reply, "action=DUNNO\n\n");
	assert_int_equal(client_ask(&c, "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nclient_address=192.0.2.1\nclient_port=6\n"
	    "sender=a@bank.test\nrecipient=b@example.org\n\n", reply,
	    sizeof(reply)), 0);
	expect_prefix(reply, "action=550 5.7.1 ");
	/* The milter, on its own connection, asks about port 5. */
	client_open(&c2, spec);
	assert_int_equal(client_ask(&c2, "request=smtp2_verify\n"
	    "client_address=192.0.2.1\nclient_port=5\ndomain=bank.test\n\n",
	    reply, sizeof(reply)), 0);
	expect_prefix(reply, "status=ok\nresult=pass\nmethod=dane\n");
	close(c2.fd);
	smtp2d_reader_clear(&c2.r);
	/* Two requests in one write are two answers. */
	assert_int_equal(client_ask(&c, "request=nope\n\nrequest=smtp2_verify\n"
	    "client_address=192.0.2.1\nclient_port=99\ndomain=bank.test\n\n",
	    reply, sizeof(reply)), 0);
	expect_prefix(reply, "action=DEFER_IF_PERMIT smtp2-policyd: unknown request");
	assert_int_equal(client_next(&c, reply, sizeof(reply)), 0);
	assert_string_equal(reply, "status=unknown\nresult=-\nmethod=-\n"
	    "dnssec=-\nrecord=-\npolicy=-\n"
	    "reason=no TLS facts known for this connection\ntls=-\n\n");

	/* Two connections served at once. */
	memset(&p, 0, sizeof(p));
	p.spec = spec;
	pthread_barrier_init(&p.both_in, NULL, 2);
	pthread_barrier_init(&p.b_done, NULL, 2);
	pthread_create(&ta, NULL, pair_a, &p);
	pthread_create(&tb, NULL, pair_b, &p);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&p.both_in);
	pthread_barrier_destroy(&p.b_done);
	assert_true(p.ok[0] && p.ok[1]);

	/* A block over the limit: answered, then the connection closes. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "request=", 8);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(client_ask(&c, big, reply, sizeof(reply)), 0);
	assert_string_equal(reply, POLICYD_REPLY_TOO_LARGE);
	assert_true(client_eof(&c));
	close(c.fd);
	smtp2d_reader_clear(&c.r);

	server_end(&sr, spec);
}

/* test_server_reload - a new generation applies from the next request on
 * a connection that stays open; the old one is released when let go */
static void
test_server_reload(void **state)
{
	struct pd_fixture *f = *state;
	struct server_run sr;
	struct policyd_gen next;
	struct client c;
	char spec[128], reply[POLICYD_REPLY_MAX];
	const char *rcpt = "request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "client_address=192.0.2.1\nclient_port=6\nsender=a@bank.test\n"
	    "recipient=b@example.org\n\n";

	signal(SIGPIPE, SIG_IGN);
	f->ctx.verify = smtp2_verify_with;
	server_start(f, &sr, 2, spec, sizeof(spec));
	client_open(&c, spec);
	/* enforce: bank.test publishes pins, this client shows none. */
	assert_int_equal(client_ask(&c, rcpt, reply, sizeof(reply)), 0);
	expect_prefix(reply, "action=550 5.7.1 ");

	/* Reload to permissive while the connection stays open. */
	next = sr.gen;
	next.ctx.mode = SMTP2_MODE_PERMISSIVE;
	assert_int_equal(smtp2d_live_install(sr.live, &next), 2);
	assert_int_equal(client_ask(&c, rcpt, reply, sizeof(reply)), 0);
	assert_string_equal(reply, "action=DUNNO\n\n");
	close(c.fd);
	smtp2d_reader_clear(&c.r);
	server_end(&sr, spec);
}

/* test_server_limits - max_connections, and a prompt stop */
static void
test_server_limits(void **state)
{
	struct pd_fixture *f = *state;
	struct server_run sr;
	struct client c1, c2, c3;
	struct timespec t0, t1;
	char spec[128], reply[POLICYD_REPLY_MAX];
	const char *req = "request=smtpd_access_policy\nprotocol_state=CONNECT\n\n";

	signal(SIGPIPE, SIG_IGN);
	server_start(f, &sr, 1, spec, sizeof(spec));
	client_open(&c1, spec);
	assert_int_equal(client_ask(&c1, req, reply, sizeof(reply)), 0);
	/* Beyond the limit: accepted and closed at once, with a warning. */
	client_open(&c2, spec);
	assert_true(client_eof(&c2));
	close(c2.fd);
	smtp2d_reader_clear(&c2.r);
	expect_has(last_log(f, "warning"), "too many policy connections");
	/* A slot frees when a client leaves. */
	close(c1.fd);
	smtp2d_reader_clear(&c1.r);
	for (int i = 0; i < 200 && policyd_server_active(sr.s) > 0; i++)
		usleep(10000);
	client_open(&c3, spec);
	assert_int_equal(client_ask(&c3, req, reply, sizeof(reply)), 0);
	assert_string_equal(reply, "action=DUNNO\n\n");

	/* Stop with c3 idle: its connection ends, and quickly. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	server_end(&sr, spec);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_true(client_eof(&c3));
	close(c3.fd);
	smtp2d_reader_clear(&c3.r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rcpt_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_texts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_sender_helo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verdict_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_known, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_not_sha256, setup, teardown),
		cmocka_unit_test_setup_teardown(test_internal_failure, setup, teardown),
		cmocka_unit_test(test_xtext),
		cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
		cmocka_unit_test(test_session_table),
		cmocka_unit_test_setup_teardown(test_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
