/*
 * test_practices.c - DMARC, ADSP and upstream SPF from canned DNS.
 *
 * Each DNS case lists the answers it wants as "<name> <type> <answer>"
 * lines and is evaluated through a resolver pointed at 127.0.0.1:1,
 * where nothing listens.  Every _dmarc name a walk might ask (each
 * suffix of the author domain and of the identifiers) is primed NXDOMAIN
 * unless a line names it, the author's MX NODATA and its _adsp record
 * NXDOMAIN likewise; a line with answer TEMP leaves its name out of the
 * cache, so asking it times out (200 ms) as a DNS failure would.  Query
 * counts are exact: they prove which names were asked.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include <smtp2/practices.h>

#define LINES_MAX	12
#define SIGS_MAX	3
#define RR_MAX		4

#define PASS	SMTP2_DKIMV_PASS
#define DFAIL	SMTP2_DKIMV_FAIL
#define DTEMP	SMTP2_DKIMV_TEMPERROR
#define YES	SMTP2_YES
#define NO	SMTP2_NO
#define UNK	SMTP2_UNKNOWN

/* A signature as the verifier would report it. */
struct sig {
	enum smtp2_dkimv_result r;
	const char *d;
};

/* One DMARC case. */
struct dcase {
	const char *name;
	const char *author;
	const char *dns[LINES_MAX];
	struct sig sigs[SIGS_MAX];
	enum smtp2_spf_result spf;	/* SMTP2_SPF_UNKNOWN: none given */
	const char *spf_domain;
	/* expected */
	enum smtp2_dmarcr result;
	const char *tag;		/* NULL: no record applies */
	enum smtp2_dmarc_policy policy;
	const char *record_domain;
	const char *org;		/* NULL: not checked */
	bool	author_nx;
	const char *dkim_d;		/* NULL: no first-party signature */
	enum smtp2_tristate spf_aligned;
	bool	testing;
	unsigned queries;
	const char *why;		/* substring */
};

#define REJ	SMTP2_DMARC_REJECT
#define QUAR	SMTP2_DMARC_QUARANTINE
#define PNONE	SMTP2_DMARC_NONE
#define DPASS	SMTP2_DMARCR_PASS
#define DFAILR	SMTP2_DMARCR_FAIL
#define DNONE	SMTP2_DMARCR_NONE
#define DTEMPR	SMTP2_DMARCR_TEMPERROR
#define DPERM	SMTP2_DMARCR_PERMERROR

#define BANK_REJECT	"_dmarc.bank.test TXT v=DMARC1; p=reject"
#define LONG_AUTHOR	"a.b.c.d.e.f.g.h.i.j.bank.test"

static const struct dcase dcases[] = {
	/* The record at the author domain. */
	{ .name = "own record, own signature", .author = "bank.test",
	  .dns = { BANK_REJECT }, .sigs = { { PASS, "bank.test" } },
	  .result = DPASS, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .org = "", .dkim_d = "bank.test",
	  .queries = 1, .why = "aligned DKIM pass d=bank.test (relaxed); "
	  "policy p=reject at bank.test" },
	{ .name = "name case and final dot", .author = "Bank.TEST.",
	  .dns = { BANK_REJECT }, .sigs = { { PASS, "BANK.test" } },
	  .result = DPASS, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .dkim_d = "bank.test", .queries = 1,
	  .why = "d=bank.test" },
	{ .name = "relaxed: subdomain signer", .author = "bank.test",
	  .dns = { BANK_REJECT }, .sigs = { { PASS, "mail.bank.test" } },
	  .result = DPASS, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .org = "bank.test",
	  .dkim_d = "mail.bank.test", .queries = 3,
	  .why = "d=mail.bank.test (relaxed)" },
	{ .name = "strict: subdomain signer", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; adkim=s" },
	  .sigs = { { PASS, "mail.bank.test" } },
	  .result = DFAILR, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .org = "", .queries = 1,
	  .why = "no aligned DKIM or SPF pass; policy p=reject at bank.test" },
	{ .name = "strict: exact signer", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; adkim=s" },
	  .sigs = { { PASS, "bank.test" } },
	  .result = DPASS, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .dkim_d = "bank.test", .queries = 1,
	  .why = "(strict)" },
	{ .name = "other organisations sign", .author = "bank.test",
	  .dns = { BANK_REJECT },
	  .sigs = { { PASS, "evil.test" }, { PASS, "evilbank.test" },
	  { DFAIL, "bank.test" } },
	  .result = DFAILR, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .org = "bank.test", .queries = 2,
	  .why = "no aligned" },
	{ .name = "testing t=y", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=quarantine; t=y" },
	  .result = DFAILR, .tag = "p", .policy = QUAR,
	  .record_domain = "bank.test", .testing = true, .queries = 1,
	  .why = "policy p=quarantine at bank.test (t=y)" },
	{ .name = "psd=y at the author domain", .author = "psd.test",
	  .dns = { "_dmarc.psd.test TXT v=DMARC1; p=reject; psd=y" },
	  .result = DFAILR, .tag = "p", .policy = REJ,
	  .record_domain = "psd.test", .org = "psd.test", .queries = 1,
	  .why = "p=reject" },

	/* Records above the author domain. */
	{ .name = "subdomain: sp= applies", .author = "mail.bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; sp=quarantine" },
	  .result = DFAILR, .tag = "sp", .policy = QUAR,
	  .record_domain = "bank.test", .org = "bank.test", .queries = 4,
	  .why = "policy sp=quarantine at bank.test" },
	{ .name = "subdomain exists by its _dmarc", .author = "mail.bank.test",
	  .dns = { "_dmarc.mail.bank.test TXT NODATA",
	  "_dmarc.bank.test TXT v=DMARC1; p=reject; sp=quarantine" },
	  .result = DFAILR, .tag = "sp", .policy = QUAR,
	  .record_domain = "bank.test", .org = "bank.test", .queries = 3,
	  .why = "sp=quarantine" },
	{ .name = "non-existent: np= applies", .author = "ghost.bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; sp=none; np=reject",
	  "ghost.bank.test MX NX" },
	  .result = DFAILR, .tag = "np", .policy = REJ,
	  .record_domain = "bank.test", .org = "bank.test", .author_nx = true,
	  .queries = 4, .why = "policy np=reject at bank.test" },
	{ .name = "non-existent, no np=: sp=", .author = "ghost.bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; sp=quarantine",
	  "ghost.bank.test MX NX" },
	  .result = DFAILR, .tag = "np", .policy = QUAR,
	  .record_domain = "bank.test", .author_nx = true, .queries = 4,
	  .why = "np=quarantine" },
	{ .name = "existence unknown, sp=np", .author = "ghost.bank.test",
	  .dns = { BANK_REJECT, "ghost.bank.test MX TEMP" },
	  .result = DFAILR, .tag = "sp", .policy = REJ,
	  .record_domain = "bank.test", .queries = 4, .why = "sp=reject" },
	{ .name = "existence unknown, sp!=np", .author = "ghost.bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; sp=none; np=reject",
	  "ghost.bank.test MX TEMP" },
	  .result = DTEMPR, .tag = "sp", .policy = PNONE,
	  .record_domain = "bank.test", .queries = 4,
	  .why = "cannot tell whether ghost.bank.test exists" },
	{ .name = "fewest labels is the org", .author = "a.mail.bank.test",
	  .dns = { "_dmarc.mail.bank.test TXT v=DMARC1; p=none",
	  "_dmarc.bank.test TXT v=DMARC1; p=reject; sp=quarantine" },
	  .sigs = { { PASS, "mail.bank.test" } },
	  .result = DPASS, .tag = "sp", .policy = QUAR,
	  .record_domain = "bank.test", .org = "bank.test",
	  .dkim_d = "mail.bank.test", .queries = 5,
	  .why = "policy sp=quarantine at bank.test" },
	{ .name = "psd=n ends the walk", .author = "a.dept.bank.test",
	  .dns = { "_dmarc.dept.bank.test TXT v=DMARC1; p=reject; psd=n",
	  "_dmarc.bank.test TXT TEMP" },
	  .sigs = { { PASS, "bank.test" } },
	  .result = DFAILR, .tag = "sp", .policy = REJ,
	  .record_domain = "dept.bank.test", .org = "dept.bank.test",
	  .queries = 3, .why = "sp=reject at dept.bank.test" },
	{ .name = "psd=y: org one below", .author = "mail.shop.example",
	  .dns = { "_dmarc.example TXT v=DMARC1; p=quarantine; psd=y" },
	  .sigs = { { PASS, "shop.example" } },
	  .result = DPASS, .tag = "sp", .policy = QUAR,
	  .record_domain = "example", .org = "shop.example",
	  .dkim_d = "shop.example", .queries = 4,
	  .why = "aligned DKIM pass d=shop.example (relaxed); policy "
	  "sp=quarantine at example" },
	{ .name = "psd=y: sibling not aligned", .author = "mail.shop.example",
	  .dns = { "_dmarc.example TXT v=DMARC1; p=quarantine; psd=y" },
	  .sigs = { { PASS, "other.example" } },
	  .result = DFAILR, .tag = "sp", .policy = QUAR,
	  .record_domain = "example", .org = "shop.example", .queries = 4,
	  .why = "no aligned" },
	{ .name = "psd=y: the org's own record", .author = "mail.shop.example",
	  .dns = { "_dmarc.shop.example TXT v=DMARC1; p=reject",
	  "_dmarc.example TXT v=DMARC1; p=none; psd=y" },
	  .result = DFAILR, .tag = "sp", .policy = REJ,
	  .record_domain = "shop.example", .org = "shop.example",
	  .queries = 4, .why = "sp=reject at shop.example" },

	{ .name = "each name asked once", .author = "a.bank.test",
	  .dns = { BANK_REJECT,
	  "_dmarc.x.bank.test TXT v=DMARC1; p=none; psd=n" },
	  .sigs = { { PASS, "x.bank.test" }, { PASS, "X.bank.test." } },
	  .spf = SMTP2_SPF_PASS, .spf_domain = "y.x.bank.test",
	  .result = DFAILR, .tag = "sp", .policy = REJ,
	  .record_domain = "bank.test", .org = "bank.test",
	  .spf_aligned = NO, .queries = 6, .why = "sp=reject" },

	/* Long names: eight queries at most, intermediate names skipped. */
	{ .name = "12 labels, no record", .author = LONG_AUTHOR,
	  .sigs = { { PASS, LONG_AUTHOR } },
	  .result = DNONE, .org = LONG_AUTHOR, .dkim_d = LONG_AUTHOR,
	  .queries = 8, .why = "no DMARC record" },
	{ .name = "12 labels, org record", .author = LONG_AUTHOR,
	  .dns = { "_dmarc." LONG_AUTHOR " TXT NODATA", BANK_REJECT,
	  "_dmarc.b.c.d.e.f.g.h.i.j.bank.test TXT TEMP",
	  "_dmarc.c.d.e.f.g.h.i.j.bank.test TXT TEMP",
	  "_dmarc.d.e.f.g.h.i.j.bank.test TXT TEMP",
	  "_dmarc.e.f.g.h.i.j.bank.test TXT TEMP" },
	  .result = DFAILR, .tag = "sp", .policy = REJ,
	  .record_domain = "bank.test", .org = "bank.test", .queries = 8,
	  .why = "sp=reject at bank.test" },
	{ .name = "8 labels", .author = "a.b.c.d.e.f.bank.test",
	  .dns = { "_dmarc.a.b.c.d.e.f.bank.test TXT NODATA", BANK_REJECT },
	  .result = DFAILR, .tag = "sp", .policy = REJ,
	  .record_domain = "bank.test", .queries = 8, .why = "sp=reject" },

	/* SPF from a trusted upstream. */
	{ .name = "spf relaxed", .author = "bank.test", .dns = { BANK_REJECT },
	  .spf = SMTP2_SPF_PASS, .spf_domain = "bounces.bank.test",
	  .result = DPASS, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .spf_aligned = YES, .queries = 3,
	  .why = "aligned SPF pass bounces.bank.test (relaxed)" },
	{ .name = "spf strict, subdomain", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; aspf=s" },
	  .spf = SMTP2_SPF_PASS, .spf_domain = "bounces.bank.test",
	  .result = DFAILR, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .spf_aligned = NO, .queries = 1,
	  .why = "no aligned" },
	{ .name = "spf strict, exact", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject; aspf=s" },
	  .spf = SMTP2_SPF_PASS, .spf_domain = "bank.test",
	  .result = DPASS, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .spf_aligned = YES, .queries = 1,
	  .why = "aligned SPF pass bank.test (strict)" },
	{ .name = "spf fail is no pass", .author = "bank.test",
	  .dns = { BANK_REJECT }, .spf = SMTP2_SPF_FAIL,
	  .spf_domain = "bank.test", .result = DFAILR, .tag = "p",
	  .policy = REJ, .record_domain = "bank.test", .spf_aligned = NO,
	  .queries = 1, .why = "no aligned" },
	{ .name = "spf other org", .author = "bank.test", .dns = { BANK_REJECT },
	  .spf = SMTP2_SPF_PASS, .spf_domain = "esp.test",
	  .sigs = { { PASS, "bank.test" } }, .result = DPASS, .tag = "p",
	  .policy = REJ, .record_domain = "bank.test", .dkim_d = "bank.test",
	  .spf_aligned = NO, .queries = 2, .why = "aligned DKIM pass" },

	/* DNS failures. */
	{ .name = "author record times out", .author = "slow.test",
	  .dns = { "_dmarc.slow.test TXT TEMP" },
	  .sigs = { { PASS, "slow.test" } },
	  .result = DTEMPR, .dkim_d = "slow.test", .queries = 1,
	  .why = "DMARC discovery failed at _dmarc.slow.test" },
	{ .name = "walk times out", .author = "mail.slow.test",
	  .dns = { "_dmarc.slow.test TXT TEMP" },
	  .result = DTEMPR, .queries = 2, .why = "at _dmarc.slow.test" },
	{ .name = "bogus record", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT BOGUS v=DMARC1; p=none" },
	  .result = DTEMPR, .queries = 1, .why = "bogus" },
	{ .name = "alignment undetermined", .author = "bank.test",
	  .dns = { BANK_REJECT, "_dmarc.test TXT TEMP" },
	  .sigs = { { PASS, "mail.bank.test" } },
	  .result = DTEMPR, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .queries = 2,
	  .why = "alignment undetermined for d=mail.bank.test; policy "
	  "p=reject at bank.test" },
	{ .name = "undetermined, another aligned", .author = "bank.test",
	  .dns = { BANK_REJECT, "_dmarc.test TXT TEMP" },
	  .sigs = { { PASS, "mail.bank.test" }, { PASS, "bank.test" } },
	  .result = DPASS, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .dkim_d = "bank.test", .queries = 2,
	  .why = "aligned DKIM pass d=bank.test" },
	{ .name = "aligned signature temperror", .author = "bank.test",
	  .dns = { BANK_REJECT }, .sigs = { { DTEMP, "bank.test" } },
	  .result = DTEMPR, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .queries = 1,
	  .why = "DKIM temperror for d=bank.test" },
	{ .name = "aligned spf temperror", .author = "bank.test",
	  .dns = { BANK_REJECT }, .spf = SMTP2_SPF_TEMPERROR,
	  .spf_domain = "bank.test", .result = DTEMPR, .tag = "p",
	  .policy = REJ, .record_domain = "bank.test", .spf_aligned = NO,
	  .queries = 1, .why = "SPF temperror for bank.test" },

	/* Broken, absent and odd records. */
	{ .name = "two records at the author", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=reject\nv=DMARC1; p=none" },
	  .sigs = { { PASS, "bank.test" } },
	  .result = DNONE, .org = "bank.test", .dkim_d = "bank.test",
	  .queries = 2, .why = "several at _dmarc.bank.test: none applies" },
	{ .name = "two records, parent applies", .author = "mail.bank.test",
	  .dns = { "_dmarc.mail.bank.test TXT v=DMARC1; p=none\n"
	  "v=DMARC1; p=none", BANK_REJECT },
	  .result = DFAILR, .tag = "sp", .policy = REJ,
	  .record_domain = "bank.test", .queries = 3, .why = "sp=reject" },
	{ .name = "malformed record", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; p=bogus" },
	  .result = DPERM, .queries = 2,
	  .why = "malformed DMARC record at bank.test: p=" },
	{ .name = "malformed, parent applies", .author = "mail.bank.test",
	  .dns = { "_dmarc.mail.bank.test TXT v=DMARC1; p=reject; p=none",
	  "_dmarc.bank.test TXT v=DMARC1; p=quarantine" },
	  .result = DFAILR, .tag = "sp", .policy = QUAR,
	  .record_domain = "bank.test", .queries = 3, .why = "sp=quarantine" },
	{ .name = "other TXT only", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=spf1 -all|more" },
	  .result = DNONE, .queries = 2, .why = "no DMARC record for bank.test" },
	{ .name = "record in two strings", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; |p=reject\nv=spf1 -all" },
	  .result = DFAILR, .tag = "p", .policy = REJ,
	  .record_domain = "bank.test", .queries = 1, .why = "p=reject" },
	{ .name = "no p=, rua=: p=none", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; rua=mailto:d@bank.test" },
	  .result = DFAILR, .tag = "p", .policy = PNONE,
	  .record_domain = "bank.test", .queries = 1, .why = "p=none" },
	{ .name = "no p=, no rua=: not applied", .author = "bank.test",
	  .dns = { "_dmarc.bank.test TXT v=DMARC1; adkim=s; rua=nonsense" },
	  .sigs = { { PASS, "bank.test" } },
	  .result = DNONE, .dkim_d = "bank.test", .queries = 1,
	  .why = "has no p= and no usable rua=" },
	{ .name = "no record: first-party still", .author = "bank.test",
	  .sigs = { { PASS, "other.test" }, { PASS, "bank.test" } },
	  .spf = SMTP2_SPF_PASS, .spf_domain = "bank.test",
	  .result = DNONE, .org = "bank.test", .dkim_d = "bank.test",
	  .spf_aligned = YES, .queries = 2, .why = "no DMARC record" },
	{ .name = "no record: subdomain is its own", .author = "bank.test",
	  .sigs = { { PASS, "mail.bank.test" } },
	  .result = DNONE, .org = "bank.test", .queries = 3,
	  .why = "no DMARC record" },
	{ .name = "not a domain", .author = "bank test!",
	  .result = DNONE, .queries = 0, .why = "not a DNS name" },
};

/* txt_rdata - "a|b" to wire <len>a<len>b */
static size_t
txt_rdata(const char *spec, size_t speclen, unsigned char *out, size_t outlen)
{
	size_t	n = 0, len;
	const char *bar;

	for (;;) {
		bar = memchr(spec, '|', speclen);
		len = bar != NULL ? (size_t)(bar - spec) : speclen;
		assert_true(len < 256 && n + 1 + len <= outlen);
		out[n++] = (unsigned char)len;
		memcpy(out + n, spec, len);
		n += len;
		if (bar == NULL)
			return (n);
		speclen -= len + 1;
		spec = bar + 1;
	}
}

/* answer_fill - a's rrs from "rr1\nrr2" (TXT) or one dummy MX */
static void
answer_fill(struct smtp2_dns_answer *a, uint16_t type, const char *what,
    struct smtp2_dns_rr *rrs, unsigned char buf[RR_MAX][512])
{
	const char *nl;
	size_t	len;

	a->rr = rrs;
	while (a->n < RR_MAX) {
		nl = strchr(what, '\n');
		len = nl != NULL ? (size_t)(nl - what) : strlen(what);
		rrs[a->n].rdata = buf[a->n];
		if (type == SMTP2_DNS_T_TXT) {
			rrs[a->n].len = txt_rdata(what, len, buf[a->n], 512);
		} else {
			buf[a->n][1] = 10;	/* preference 10, the root */
			rrs[a->n].len = 3;
		}
		a->n++;
		if (nl == NULL)
			break;
		what = nl + 1;
	}
}

/* prime_line - put "<name> <type> <answer>" into the cache */
static void
prime_line(struct smtp2_dns_cache *cache, const char *line)
{
	struct smtp2_dns_answer a;
	struct smtp2_dns_rr rrs[RR_MAX];
	unsigned char buf[RR_MAX][512];
	char	name[300], type[8];
	const char *what;
	uint16_t t;

	assert_int_equal(sscanf(line, "%299s %7s", name, type), 2);
	what = strchr(strchr(line, ' ') + 1, ' ') + 1;
	t = strcmp(type, "MX") == 0 ? SMTP2_DNS_T_MX : SMTP2_DNS_T_TXT;
	if (strcmp(what, "TEMP") == 0)
		return;
	memset(&a, 0, sizeof(a));
	memset(buf, 0, sizeof(buf));
	a.ttl = 300;
	a.dnssec = SMTP2_DNSSEC_INSECURE;
	if (strcmp(what, "NX") == 0) {
		a.status = SMTP2_DNS_NXDOMAIN;
	} else if (strcmp(what, "NODATA") == 0) {
		a.status = SMTP2_DNS_NODATA;
	} else {
		if (strncmp(what, "BOGUS ", 6) == 0) {
			a.dnssec = SMTP2_DNSSEC_BOGUS;
			what += 6;
		}
		a.status = SMTP2_DNS_OK;
		answer_fill(&a, t, what, rrs, buf);
	}
	assert_int_equal(smtp2_dns_cache_put(cache, name, t, &a), 0);
}

/* named - does a line of lines answer name/type? */
static bool
named(const char *const *lines, const char *name, const char *type)
{
	size_t	i, nl = strlen(name);

	for (i = 0; i < LINES_MAX && lines[i] != NULL; i++)
		if (strncmp(lines[i], name, nl) == 0 && lines[i][nl] == ' '
		    && strncmp(lines[i] + nl + 1, type, strlen(type)) == 0)
			return (true);
	return (false);
}

/* prime_default - name/type as "answer" unless a line says otherwise */
static void
prime_default(struct smtp2_dns_cache *cache, const char *const *lines,
    const char *name, const char *type, const char *answer)
{
	char	line[400];

	if (named(lines, name, type))
		return;
	snprintf(line, sizeof(line), "%s %s %s", name, type, answer);
	prime_line(cache, line);
}

/* prime_tree - _dmarc.<every suffix of domain> NXDOMAIN by default */
static void
prime_tree(struct smtp2_dns_cache *cache, const char *const *lines,
    const char *domain)
{
	char	name[300];
	const char *at = domain;

	while (at != NULL && *at != '\0') {
		snprintf(name, sizeof(name), "_dmarc.%s", at);
		prime_default(cache, lines, name, "TXT", "NX");
		at = strchr(at, '.');
		at = at != NULL ? at + 1 : NULL;
	}
}

/* lower_name - a name as the library asks it: lower case, no final dot */
static void
lower_name(const char *in, char *out, size_t outlen)
{
	size_t	i;

	for (i = 0; in[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ?
		    in[i] - 'A' + 'a' : in[i]);
	if (i > 0 && out[i - 1] == '.')
		i--;
	out[i] = '\0';
}

/* prime_case - the case's lines, then the defaults around them */
static void
prime_case(struct smtp2_dns_cache *cache, const char *const *lines,
    const char *in_author, const struct sig *sigs, const char *spf_domain)
{
	char	name[300], author[256];
	size_t	i;

	smtp2_dns_cache_flush(cache);
	for (i = 0; i < LINES_MAX && lines[i] != NULL; i++)
		prime_line(cache, lines[i]);
	if (in_author == NULL)
		return;
	lower_name(in_author, author, sizeof(author));
	prime_tree(cache, lines, author);
	prime_default(cache, lines, author, "MX", "NODATA");
	snprintf(name, sizeof(name), "_adsp._domainkey.%s", author);
	prime_default(cache, lines, name, "TXT", "NX");
	for (i = 0; sigs != NULL && i < SIGS_MAX && sigs[i].d != NULL; i++) {
		lower_name(sigs[i].d, name, sizeof(name));
		prime_tree(cache, lines, name);
	}
	if (spf_domain != NULL)
		prime_tree(cache, lines, spf_domain);
}

/* make_sigs - the verifier's output for a case */
static size_t
make_sigs(const struct sig *in, struct smtp2_dkimv_sig *out)
{
	size_t	n;

	memset(out, 0, SIGS_MAX * sizeof(*out));
	for (n = 0; n < SIGS_MAX && in[n].d != NULL; n++) {
		out[n].result = in[n].r;
		snprintf(out[n].domain, sizeof(out[n].domain), "%s", in[n].d);
		snprintf(out[n].selector, sizeof(out[n].selector), "s1");
	}
	return (n);
}

/* dead_resolver - a resolver nothing answers, with a fresh cache */
static struct smtp2_dns *
dead_resolver(struct smtp2_dns_cache **cache)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	struct smtp2_dns_opts o;
	struct smtp2_dns *dns;
	char	why[256];

	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.dnssec = SMTP2_DNSSEC_OFF;
	o.timeout_ms = 200;
	assert_non_null(o.cache = smtp2_dns_cache_new(256, 3600));
	assert_non_null(dns = smtp2_dns_new(&o, why, sizeof(why)));
	*cache = o.cache;
	return (dns);
}

/* check_printable - reasons reach logs and headers */
static void
check_printable(const char *s, size_t size)
{
	assert_non_null(memchr(s, '\0', size));
	for (; *s != '\0'; s++)
		assert_true(*s >= 0x20 && *s <= 0x7e);
}

/* check_dcase - compare one evaluation with its row */
static void
check_dcase(const struct dcase *c, const struct smtp2_dmarc_eval *e)
{
	assert_int_equal(e->result, c->result);
	assert_non_null(strstr(e->why, c->why));
	check_printable(e->why, sizeof(e->why));
	assert_int_equal(e->queries, c->queries);
	assert_int_equal(e->has_record, c->tag != NULL);
	if (c->tag != NULL) {
		assert_string_equal(e->policy_tag, c->tag);
		assert_int_equal(e->policy, c->policy);
		assert_string_equal(e->record_domain, c->record_domain);
	} else {
		assert_null(e->policy_tag);
	}
	if (c->org != NULL)
		assert_string_equal(e->org_domain, c->org);
	assert_int_equal(e->author_exists, !c->author_nx);
	assert_int_equal(e->dkim_aligned, c->dkim_d != NULL);
	assert_string_equal(e->dkim_domain, c->dkim_d ? c->dkim_d : "");
	assert_int_equal(e->spf_aligned, c->spf_aligned);
	assert_int_equal(e->testing, c->testing);
}

/* test_dmarc - every row of dcases */
static void
test_dmarc(void **state)
{
	struct smtp2_dns_cache *cache;
	struct smtp2_dns *dns = dead_resolver(&cache);
	struct smtp2_dkimv_sig sigs[SIGS_MAX];
	struct smtp2_spf_upstream spf;
	struct smtp2_dmarc_eval e;
	const struct dcase *c;
	size_t	i, n;

	(void)state;
	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		c = &dcases[i];
		prime_case(cache, c->dns, c->author, c->sigs, c->spf_domain);
		n = make_sigs(c->sigs, sigs);
		memset(&spf, 0, sizeof(spf));
		spf.result = c->spf;
		snprintf(spf.domain, sizeof(spf.domain), "%s",
		    c->spf_domain ? c->spf_domain : "");
		memset(&e, 0xA5, sizeof(e));	/* every field must be set */
		assert_int_equal(smtp2_dmarc_evaluate(dns, c->author, sigs, n,
		    c->spf != SMTP2_SPF_UNKNOWN ? &spf : NULL, &e), 0);
		print_message("%-34s %s q=%u org=%s \"%s\"\n", c->name,
		    smtp2_dmarcr_name(e.result), e.queries, e.org_domain, e.why);
		assert_true(e.queries <= 2 * SMTP2_DMARC_WALK_MAX + 1);
		check_dcase(c, &e);
	}
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(cache);
}

/* test_dmarc_edges - no resolver, no domain, NULL inputs, names */
static void
test_dmarc_edges(void **state)
{
	struct smtp2_dmarc_eval e;

	(void)state;
	assert_int_equal(smtp2_dmarc_evaluate(NULL, "bank.test", NULL, 0, NULL,
	    &e), 0);
	assert_int_equal(e.result, SMTP2_DMARCR_TEMPERROR);
	assert_string_equal(e.author_domain, "bank.test");
	assert_int_equal(e.spf_aligned, SMTP2_UNKNOWN);
	assert_int_equal(smtp2_dmarc_evaluate(NULL, NULL, NULL, 0, NULL, &e), 0);
	assert_int_equal(e.result, SMTP2_DMARCR_NONE);
	assert_int_equal(smtp2_dmarc_evaluate(NULL, "", NULL, 0, NULL, &e), 0);
	assert_int_equal(e.result, SMTP2_DMARCR_NONE);
	assert_int_equal(smtp2_dmarc_evaluate(NULL, "a..b", NULL, 0, NULL, &e),
	    0);
	assert_int_equal(e.result, SMTP2_DMARCR_NONE);
	assert_string_equal(smtp2_dmarcr_name(SMTP2_DMARCR_PASS), "pass");
	assert_string_equal(smtp2_dmarcr_name(SMTP2_DMARCR_PERMERROR),
	    "permerror");
	assert_string_equal(smtp2_dmarcr_name((enum smtp2_dmarcr)99), "invalid");
}

/* One ADSP case. */
struct acase {
	const char *name;
	const char *author;
	const char *dns[LINES_MAX];
	struct sig sigs[SIGS_MAX];
	enum smtp2_adspr result;
	bool	has_record;
	enum smtp2_adsp_practice practice;
	unsigned queries;
	const char *why;
};

#define ADSP(rec)	"_adsp._domainkey.bank.test TXT " rec

static const struct acase acases[] = {
	{ "author signature", "bank.test", { ADSP("dkim=discardable") },
	  { { PASS, "bank.test" } }, SMTP2_ADSPR_PASS, false, 0, 0,
	  "author domain signature d=bank.test" },
	{ "author signature, any case", "BANK.Test.", { NULL },
	  { { PASS, "bank.TEST" } }, SMTP2_ADSPR_PASS, false, 0, 0, "d=bank.test" },
	{ "subdomain signature is not", "bank.test", { ADSP("dkim=all") },
	  { { PASS, "mail.bank.test" } }, SMTP2_ADSPR_FAIL, true,
	  SMTP2_ADSP_ALL, 2, "no author domain signature; dkim=all" },
	{ "failed signature is not", "bank.test", { ADSP("dkim=discardable") },
	  { { DFAIL, "bank.test" } }, SMTP2_ADSPR_DISCARD, true,
	  SMTP2_ADSP_DISCARDABLE, 2, "dkim=discardable" },
	{ "unknown", "bank.test", { ADSP("dkim=unknown") }, { { 0, NULL } },
	  SMTP2_ADSPR_UNKNOWN, true, SMTP2_ADSP_UNKNOWN, 2, "dkim=unknown" },
	{ "future practice", "bank.test", { ADSP("dkim=someday; x=1") },
	  { { 0, NULL } }, SMTP2_ADSPR_UNKNOWN, true, SMTP2_ADSP_UNKNOWN, 2,
	  "dkim=unknown" },
	{ "record in two strings", "bank.test", { ADSP("dk|im=all") },
	  { { 0, NULL } }, SMTP2_ADSPR_FAIL, true, SMTP2_ADSP_ALL, 2, "all" },
	{ "no record", "bank.test", { NULL }, { { 0, NULL } },
	  SMTP2_ADSPR_NONE, false, 0, 2, "no ADSP record" },
	{ "nodata", "bank.test", { ADSP("NODATA") }, { { 0, NULL } },
	  SMTP2_ADSPR_NONE, false, 0, 2, "no ADSP record" },
	{ "other TXT", "bank.test", { ADSP("v=spf1 -all") }, { { 0, NULL } },
	  SMTP2_ADSPR_NONE, false, 0, 2, "no ADSP record" },
	{ "two records", "bank.test", { ADSP("dkim=all\ndkim=discardable") },
	  { { 0, NULL } }, SMTP2_ADSPR_NONE, false, 0, 2,
	  "ADSP record ignored (RFC 5617 4.3): more than one" },
	{ "malformed", "bank.test", { ADSP("dkim=") }, { { 0, NULL } },
	  SMTP2_ADSPR_NONE, false, 0, 2, "ADSP record ignored" },
	{ "no such domain", "ghost.bank.test", { "ghost.bank.test MX NX" },
	  { { PASS, "bank.test" } }, SMTP2_ADSPR_NXDOMAIN, false, 0, 1,
	  "author domain ghost.bank.test does not exist" },
	{ "existence times out", "bank.test", { "bank.test MX TEMP" },
	  { { 0, NULL } }, SMTP2_ADSPR_TEMPERROR, false, 0, 1, "" },
	{ "record times out", "bank.test", { ADSP("TEMP") }, { { 0, NULL } },
	  SMTP2_ADSPR_TEMPERROR, false, 0, 2, "" },
	{ "bogus record", "bank.test", { ADSP("BOGUS dkim=all") },
	  { { 0, NULL } }, SMTP2_ADSPR_TEMPERROR, false, 0, 2, "bogus" },
	{ "not a domain", "bank..test", { NULL }, { { 0, NULL } },
	  SMTP2_ADSPR_NONE, false, 0, 0, "no usable author domain" },
};

/* test_adsp - every row of acases */
static void
test_adsp(void **state)
{
	struct smtp2_dns_cache *cache;
	struct smtp2_dns *dns = dead_resolver(&cache);
	struct smtp2_dkimv_sig sigs[SIGS_MAX];
	struct smtp2_adsp_eval e;
	const struct acase *c;
	size_t	i, n;

	(void)state;
	for (i = 0; i < sizeof(acases) / sizeof(acases[0]); i++) {
		c = &acases[i];
		prime_case(cache, c->dns, c->author, NULL, NULL);
		n = make_sigs(c->sigs, sigs);
		memset(&e, 0xA5, sizeof(e));
		smtp2_adsp_evaluate(dns, c->author, sigs, n, &e);
		print_message("%-30s %s q=%u \"%s\"\n", c->name,
		    smtp2_adspr_name(e.result), e.queries, e.why);
		assert_int_equal(e.result, c->result);
		assert_int_equal(e.has_record, c->has_record);
		if (c->has_record)
			assert_int_equal(e.practice, c->practice);
		assert_int_equal(e.queries, c->queries);
		assert_non_null(strstr(e.why, c->why));
		check_printable(e.why, sizeof(e.why));
	}
	smtp2_adsp_evaluate(NULL, "bank.test", NULL, 0, &e);
	assert_int_equal(e.result, SMTP2_ADSPR_TEMPERROR);
	smtp2_adsp_evaluate(NULL, NULL, NULL, 0, &e);
	assert_int_equal(e.result, SMTP2_ADSPR_NONE);
	assert_string_equal(smtp2_adspr_name(SMTP2_ADSPR_DISCARD), "discard");
	assert_string_equal(smtp2_adspr_name((enum smtp2_adspr)42), "invalid");
	smtp2_dns_free(dns);
	smtp2_dns_cache_free(cache);
}

/* One Authentication-Results value. */
struct scase {
	const char *value;
	bool	ok;
	enum smtp2_spf_result result;
	const char *domain;
	const char *id;
};

#define SOK(v, r, d)	{ v, true, SMTP2_SPF_##r, d, NULL }
#define SID(v, r, d, i)	{ v, true, SMTP2_SPF_##r, d, i }
#define SNO(v)		{ v, false, SMTP2_SPF_UNKNOWN, NULL, NULL }

static const struct scase scases[] = {
	/* What upstream filters write. */
	SID("mx.example.net; spf=pass smtp.mailfrom=bounce@bank.test",
	    PASS, "bank.test", "mx.example.net"),
	SOK("mx.example.net 1; spf=fail smtp.mailfrom=bank.test",
	    FAIL, "bank.test"),
	SID("MX.Example.NET; SPF=Pass smtp.mailfrom=User@Bank.TEST",
	    PASS, "bank.test", "MX.Example.NET"),
	SOK("mx.example.net (our relay); spf=pass (mx.example.net: domain of "
	    "a@bank.test designates 192.0.2.1 as permitted sender) "
	    "smtp.mailfrom=a@bank.test", PASS, "bank.test"),
	SOK("mx.example.net; dkim=pass header.i=@bank.test header.s=s1 "
	    "header.b=Ab/c+d=; spf=softfail (transitioning x@bank.test) "
	    "smtp.mailfrom=x@bank.test; dmarc=fail (p=REJECT sp=REJECT "
	    "dis=NONE) header.from=bank.test", SOFTFAIL, "bank.test"),
	SOK("mx.example.net;\r\n\tspf=neutral\r\n smtp.mailfrom=bank.test;"
	    "\r\n\tdkim=none", NEUTRAL, "bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=\"john doe;(x)\"@bank.test",
	    PASS, "bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=\"a\\\"@evil.test\"@bank.test",
	    PASS, "bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=\"bounce@bank.test\"",
	    PASS, "bank.test"),
	SOK("mx.example.net; spf=none smtp.helo=mail.bank.test", NONE,
	    "mail.bank.test"),
	SOK("mx.example.net; spf=pass smtp.helo=mx.other.test; spf=fail "
	    "smtp.mailfrom=bank.test", FAIL, "bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=bank.test; spf=fail "
	    "smtp.mailfrom=other.test", PASS, "bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=<> smtp.helo=mail.bank.test",
	    PASS, "mail.bank.test"),
	SOK("mx.example.net; spf=none smtp.mailfrom=\"\" smtp.helo=mx.bank.test",
	    NONE, "mx.bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=a@[192.0.2.1] "
	    "smtp.helo=mx.bank.test; spf=fail smtp.helo=mx.other.test",
	    FAIL, "mx.other.test"),
	SID("\"mx.example.net\"; spf=pass smtp.mailfrom=bank.test", PASS,
	    "bank.test", "mx.example.net"),
	SID("relay.example.org; spf=permerror smtp.mailfrom=bank.test",
	    PERMERROR, "bank.test", "relay.example.org"),
	SOK("mx.example.net; spf/1=pass smtp.mailfrom=bank.test", PASS,
	    "bank.test"),
	SOK("mx.example.net; spf=temperror reason=\"dns; timeout\" "
	    "smtp.mailfrom=bank.test", TEMPERROR, "bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=a@bank.test.", PASS,
	    "bank.test"),
	SOK("mx.example.net; spf=pass smtp.mailfrom=<a@bank.test>", PASS,
	    "bank.test"),
	SOK("mx.example.net; spf=pass smtp (c) . (c) mailfrom = (c) bank.test",
	    PASS, "bank.test"),
	SOK("mx.example.net; spf=hardfail smtp.mailfrom=bank.test", FAIL,
	    "bank.test"),
	SOK("mx.example.net (a (nested (deep)) comment) ; spf=pass (x\\) y) "
	    "smtp.mailfrom=bank.test", PASS, "bank.test"),
	SOK("mx.example.net (relais fa\xc3\xa7" "ade); spf=pass "
	    "smtp.mailfrom=bank.test", PASS, "bank.test"),
	SOK("mx.example.net; ===; spf=pass smtp.mailfrom=bank.test", PASS,
	    "bank.test"),
	SOK("mx.example.net; x-weird (\";\") = \"a;b\" ;spf=pass "
	    "smtp.mailfrom=bank.test", PASS, "bank.test"),
	SOK("  (lead) mx.example.net;spf=pass smtp.mailfrom=bank.test  ", PASS,
	    "bank.test"),

	/* Not ours to believe, or nothing to take. */
	SNO("evil.test; spf=pass smtp.mailfrom=bank.test"),
	SNO("mx.example.net.evil.test; spf=pass smtp.mailfrom=bank.test"),
	SNO("(mx.example.net) evil.test; spf=pass smtp.mailfrom=bank.test"),
	SNO("mx.example.net (; spf=pass smtp.mailfrom=bank.test)"),
	SNO("mx.example.net; none"),
	SNO("mx.example.net 1; none"),
	SNO("mx.example.net; spf=pass"),
	SNO("mx.example.net; spf=pass header.from=bank.test"),
	SNO("mx.example.net; dkim=pass smtp.mailfrom=bank.test"),
	SNO("mx.example.net; spf=policy smtp.mailfrom=bank.test"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=@"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=a@bank_!.test"),
	SNO("mx.example.net; spf=pass smtp.helo=[192.0.2.1]"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=a@b@ smtp.helo=bank.test"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=postmaster@ "
	    "smtp.helo=mx.bank.test"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=x!y smtp.helo=bank.test"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=a@-.."),
	SNO("mx.example.net spf=pass smtp.mailfrom=bank.test"),
	SNO("mx.example.net"),
	SNO(""),
	SNO("   "),
	SNO(";spf=pass smtp.mailfrom=bank.test"),
	SNO("mx.example.net; spf=pass (oops smtp.mailfrom=bank.test"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=\"bank.test"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=bank\x01.test"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=bank.test\x7f"),
	SNO("mx.example.net; spf=pass smtp.mailfrom=bank.test \\"),
	SNO("\"mx.example.net\x1b\"; spf=pass smtp.mailfrom=bank.test"),
	SNO("((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("),
	SNO("mx.example.net; spf=pass smtp.mailfrom=a@"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".test"),
	SNO("mx.example.net; spf=passpasspasspasspasspasspasspasspass "
	    "smtp.mailfrom=bank.test"),
};

/* test_spf_upstream - every row of scases */
static void
test_spf_upstream(void **state)
{
	static const char *const trusted[] = { NULL, "mx.example.net",
	    "Relay.Example.ORG" };
	struct smtp2_spf_upstream out, before;
	const struct scase *c;
	size_t	i;
	bool	ok;

	(void)state;
	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		c = &scases[i];
		memset(&out, 0x5A, sizeof(out));
		before = out;
		ok = smtp2_spf_upstream_parse(c->value, trusted, 3, &out);
		print_message("%-3zu %s %s %s\n", i, ok ? "yes" : "no ",
		    ok ? smtp2_spf_result_name(out.result) : "-",
		    ok ? out.domain : "-");
		assert_int_equal(ok, c->ok);
		if (!ok) {
			assert_memory_equal(&out, &before, sizeof(out));
			continue;
		}
		assert_int_equal(out.result, c->result);
		assert_string_equal(out.domain, c->domain);
		check_printable(out.authserv_id, sizeof(out.authserv_id));
		if (c->id != NULL)
			assert_string_equal(out.authserv_id, c->id);
	}
}

/* test_spf_edges - NULL arguments, huge values, names */
static void
test_spf_edges(void **state)
{
	static const char *const trusted[] = { "mx.example.net" };
	const char *ok = "mx.example.net; spf=pass smtp.mailfrom=bank.test";
	struct smtp2_spf_upstream out;
	char	*big;
	size_t	n = 70 * 1024;

	(void)state;
	assert_false(smtp2_spf_upstream_parse(NULL, trusted, 1, &out));
	assert_false(smtp2_spf_upstream_parse(ok, NULL, 1, &out));
	assert_false(smtp2_spf_upstream_parse(ok, trusted, 0, &out));
	assert_false(smtp2_spf_upstream_parse(ok, trusted, 1, NULL));
	assert_true(smtp2_spf_upstream_parse(ok, trusted, 1, &out));

	/* Past the length bound, even a good value is not read. */
	assert_non_null(big = malloc(n + 1));
	memset(big, ' ', n);
	memcpy(big + n - strlen(ok), ok, strlen(ok));
	big[n] = '\0';
	assert_false(smtp2_spf_upstream_parse(big, trusted, 1, &out));
	memcpy(big, ok, strlen(ok));	/* comment-free, but too long */
	assert_false(smtp2_spf_upstream_parse(big, trusted, 1, &out));
	memset(big, '(', n);		/* deep nesting, unclosed */
	assert_false(smtp2_spf_upstream_parse(big + n - 60000, trusted, 1,
	    &out));
	free(big);

	assert_string_equal(smtp2_spf_result_name(SMTP2_SPF_SOFTFAIL),
	    "softfail");
	assert_string_equal(smtp2_spf_result_name(SMTP2_SPF_UNKNOWN), "unknown");
	assert_string_equal(smtp2_spf_result_name((enum smtp2_spf_result)77),
	    "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmarc),
		cmocka_unit_test(test_dmarc_edges),
		cmocka_unit_test(test_adsp),
		cmocka_unit_test(test_spf_upstream),
		cmocka_unit_test(test_spf_edges),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
