/*
 * fuzz_policy_request.c - smtp2-policyd's request handler on arbitrary
 * bytes: smtp2d_attr_parse, then the request dispatch, TLS facts, the
 * session table, verification, decision, reply and verdict log line.
 *
 * No packet is ever sent.  bank.test and legacy.test are answered from a
 * canned DNS cache by the real smtp2_verify; every other domain gets a
 * verdict made up from its name, so every result reaches smtp2_decide.
 * The first input byte picks the receiver's mode; the rest is the block.
 * Every reply is checked for what Postfix and smtp2-milter rely on.
 */

/* System library. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Utility library. */
#include "attr.h"
#include "log.h"

/* Application-specific. */
#include <smtp2/smtp2.h>
#include "request.h"
#include "session.h"

static const char *const resolvers[] = { "127.0.0.1:1" };	/* never asked */
static struct policyd_ctx ctx;
static struct policyd_conn conn;

/* canned - one cached answer with at most one rdata */
static void
canned(struct smtp2_dns_cache *c, const char *name, uint16_t type,
    const unsigned char *rdata, size_t len)
{
	struct smtp2_dns_rr rr = { len, (unsigned char *)rdata };
	struct smtp2_dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = rdata != NULL ? SMTP2_DNS_OK : SMTP2_DNS_NXDOMAIN;
	a.dnssec = SMTP2_DNSSEC_SECURE;
	a.ttl = 3600;
	a.n = rdata != NULL;
	a.rr = rdata != NULL ? &rr : NULL;
	if (smtp2_dns_cache_put(c, name, type, &a) < 0)
		abort();
}

static const struct smtp2_verify_opts vopts = { .dnssec = SMTP2_DNSSEC_OFF };

/* fuzz_verify - the real verifier for canned domains, a made-up verdict
 * (from the name's bytes) for all others, so no lookup ever leaves */
static void
fuzz_verify(struct smtp2_dns *dns, const struct smtp2_verify_opts *o,
    const char *domain, const struct smtp2_tls_facts *tls,
    struct smtp2_verdict *v)
{
	unsigned h = 0;

	if (strcmp(domain, "bank.test") == 0 || strcmp(domain, "legacy.test") == 0) {
		smtp2_verify_with(dns, o, domain, tls, v);
		return;
	}
	for (const char *p = domain; *p; p++)
		h = h * 31 + (unsigned char)*p;
	memset(v, 0, sizeof(*v));
	v->result = (enum smtp2_result)(h % 5);
	v->method = v->result == SMTP2_RESULT_PASS ? SMTP2_METHOD_PKIX :
	    SMTP2_METHOD_NONE;
	v->dnssec = (enum smtp2_dnssec)((h >> 3) % 5);
	v->has_record = (h >> 6) & 1;
	v->policy = (enum smtp2_policy)((h >> 7) % 3);
	snprintf(v->domain, sizeof(v->domain), "%s", domain);
	snprintf(v->reason, sizeof(v->reason), "made up for %s", domain);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const unsigned char txt[] = "\024v=SMTP2v1; p=enforce";
	unsigned char tlsa[3 + SMTP2_SHA256_LEN] = { 3, 1, 1 };
	char why[256];

	(void)argc;
	(void)argv;
	/* Debug level: every log line is formatted, none is kept. */
	if (smtp2d_log_open("fuzz", "file:/dev/null", SMTP2_LOG_DEBUG, why,
	    sizeof(why)) < 0)
		abort();
	for (size_t i = 0; i < SMTP2_SHA256_LEN; i++)
		tlsa[3 + i] = (unsigned char)(0x10 + i);
	ctx.dns.resolvers = resolvers;
	ctx.dns.n_resolvers = 1;
	ctx.dns.dnssec = SMTP2_DNSSEC_OFF;
	ctx.dns.timeout_ms = 100;
	if ((ctx.dns.cache = smtp2_dns_cache_new(64, 3600)) == NULL ||
	    (ctx.sessions = policyd_sessions_new(1024, 3600)) == NULL)
		abort();
	canned(ctx.dns.cache, "_smtp2.bank.test", SMTP2_DNS_T_TXT, txt,
	    sizeof(txt) - 1);
	canned(ctx.dns.cache, "_smtp2._tcp.bank.test", SMTP2_DNS_T_TLSA, tlsa,
	    sizeof(tlsa));
	canned(ctx.dns.cache, "_smtp2.legacy.test", SMTP2_DNS_T_TXT, NULL, 0);
	canned(ctx.dns.cache, "_smtp2._tcp.legacy.test", SMTP2_DNS_T_TLSA, NULL, 0);
	ctx.verify = fuzz_verify;
	ctx.vopts = &vopts;
	policyd_conn_init(&conn, &ctx);
	return 0;
}

/* check_reply - one complete block, in one of the two reply grammars */
static void
check_reply(const char *reply, size_t n)
{
	static const char *const starts[] = {
		"action=DUNNO\n\n", "action=DEFER_IF_PERMIT smtp2-policyd: ",
		"action=550 5.7.1 ", "action=450 4.7.0 ", "status=ok\nresult=",
		"status=unknown\nresult=-\n", "status=error\nresult=-\n",
	};
	size_t i;

	if (n != strlen(reply) || n < 3 || n >= POLICYD_REPLY_MAX ||
	    strcmp(reply + n - 2, "\n\n") != 0)
		abort();
	/* The empty line ends the block and nothing ends it earlier. */
	if (strstr(reply, "\n\n") != reply + n - 2 || strchr(reply, '\r'))
		abort();
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (strncmp(reply, starts[i], strlen(starts[i])) == 0)
			break;
	if (i == sizeof(starts) / sizeof(starts[0]))
		abort();
	/* An action reply is one line; a status reply is eight. */
	if (reply[0] == 'a' && strchr(reply, '\n') != reply + n - 2)
		abort();
	if (reply[0] == 's') {
		unsigned lines = 0;

		for (const char *p = reply; *p; p++)
			lines += *p == '\n';
		if (lines != 9)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char reply[POLICYD_REPLY_MAX], *buf;
	size_t n;

	if (size < 1 || size > SMTP2D_BLOCK_MAX + 1)
		return 0;
	ctx.mode = (enum smtp2_mode)(data[0] % 4);
	/* An exact-size heap copy: ASan sees one byte past the end. */
	if ((buf = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	n = policyd_request_block(&conn, buf, size - 1, reply, sizeof(reply));
	check_reply(reply, n);
	free(buf);
	return 0;
}
