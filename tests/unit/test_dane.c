/*
 * test_dane.c - TLSA records of every usage against whole chains.
 *
 * A throwaway PKI is made at setup with OpenSSL's C API (no key is ever
 * committed): a root, an intermediate, leaves for mx.bank.test and
 * mx.other.test, a leaf with only a CommonName, an expired self-signed
 * leaf, an expired leaf, and a good leaf under an expired CA.  The store
 * trusts the root.  Pins are computed from those certificates per case.
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
#include <unistd.h>

/* Library. */
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include <smtp2/dane.h>

#define DAY		(24L * 60 * 60)
#define PINS_MAX	4
#define PIN_DATA_MAX	4096
#define CHAIN_MAX	3

/* The certificates of the test PKI. */
enum cert {
	C_ROOT, C_INTER, C_LEAF, C_OTHER, C_CNONLY, C_SELF, C_OLDCA,
	C_OLDLEAF, C_EXPLEAF, C_COUNT
};

struct cert_spec {
	const char	*cn;
	const char	*san;		/* NULL: no subjectAltName */
	enum cert	issuer;		/* itself: self-signed */
	bool		ca;
	long		from, to;	/* validity, days from now */
};

/* In enum cert order: issuers come before what they issue. */
static const struct cert_spec cert_specs[C_COUNT] = {
	{"Test Root", NULL, C_ROOT, true, -1, 365},
	{"Test CA", NULL, C_ROOT, true, -1, 365},
	{"mx.bank.test", "DNS:mx.bank.test", C_INTER, false, -1, 90},
	{"mx.other.test", "DNS:mx.other.test", C_INTER, false, -1, 90},
	{"mx.bank.test", NULL, C_INTER, false, -1, 90},
	{"mx.bank.test", "DNS:mx.bank.test", C_SELF, false, -400, -30},
	{"Old CA", NULL, C_ROOT, true, -400, -30},
	{"mx.bank.test", "DNS:mx.bank.test", C_OLDCA, false, -1, 90},
	{"mx.bank.test", "DNS:mx.bank.test", C_INTER, false, -400, -30},
};

/* The chains a client may present, leaf first. */
enum chain {
	CH_NONE, CH_GOOD, CH_FULL, CH_LEAF, CH_OTHER, CH_CNONLY, CH_SELF,
	CH_OLDCA, CH_EXPLEAF, CH_EXPLEAF_ALONE, CH_COUNT
};

static const enum cert chain_specs[CH_COUNT][CHAIN_MAX + 1] = {
	[CH_NONE] = {C_COUNT},
	[CH_GOOD] = {C_LEAF, C_INTER, C_COUNT},
	[CH_FULL] = {C_LEAF, C_INTER, C_ROOT, C_COUNT},
	[CH_LEAF] = {C_LEAF, C_COUNT},
	[CH_OTHER] = {C_OTHER, C_INTER, C_COUNT},
	[CH_CNONLY] = {C_CNONLY, C_INTER, C_COUNT},
	[CH_SELF] = {C_SELF, C_COUNT},
	[CH_OLDCA] = {C_OLDLEAF, C_OLDCA, C_COUNT},
	[CH_EXPLEAF] = {C_EXPLEAF, C_INTER, C_COUNT},
	[CH_EXPLEAF_ALONE] = {C_EXPLEAF, C_COUNT},
};

/* Everything setup made. */
struct pki {
	EVP_PKEY	*keys[C_COUNT];
	X509		*certs[C_COUNT];
	struct smtp2_chain *chains[CH_COUNT];	/* CH_NONE stays NULL */
	struct smtp2_cert_store *store;		/* trusts C_ROOT */
};

static struct pki pki;

/* How a test spoils a pin's data. */
enum fault {
	F_NONE, F_FLIP, F_SHORT, F_LONG, F_LEN32, F_EMPTY, F_JUNK
};

/* A pin as a case writes it: fields, whose certificate, what spoils it. */
struct pin {
	uint8_t		usage, selector, mtype;
	enum cert	cert;
	enum fault	fault;
};

/* add_ext - one X.509v3 extension from its config text */
static void
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);

	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* make_cert - one certificate of the test PKI, signed by its issuer */
static X509 *
make_cert(const struct cert_spec *s, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *ikey, long serial)
{
	X509	*x = X509_new();
	X509V3_CTX ctx;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), s->from * DAY);
	X509_gmtime_adj(X509_getm_notAfter(x), s->to * DAY);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)s->cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	add_ext(x, &ctx, NID_basic_constraints,
	    s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, &ctx, NID_key_usage, s->ca ? "critical,keyCertSign,cRLSign"
	    : "critical,digitalSignature");
	add_ext(x, &ctx, NID_subject_key_identifier, "hash");
	add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
	if (!s->ca)
		add_ext(x, &ctx, NID_ext_key_usage, "clientAuth,serverAuth");
	if (s->san != NULL)
		add_ext(x, &ctx, NID_subject_alt_name, s->san);
	assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
	return (x);
}

/* make_chain - a presented chain, through the public DER interface */
static struct smtp2_chain *
make_chain(const enum cert *which)
{
	unsigned char *der[CHAIN_MAX] = {NULL};
	size_t	len[CHAIN_MAX] = {0}, n;
	struct smtp2_chain *c;
	char	why[256];

	for (n = 0; which[n] != C_COUNT; n++) {
		der[n] = NULL;
		len[n] = (size_t)i2d_X509(pki.certs[which[n]], &der[n]);
	}
	c = smtp2_chain_from_der((const unsigned char *const *)der, len, n,
	    why, sizeof(why));
	if (c == NULL)
		fail_msg("chain: %s", why);
	while (n-- > 0)
		OPENSSL_free(der[n]);
	return (c);
}

/* make_store - a CA store trusting the test root, via a temporary file */
static struct smtp2_cert_store *
make_store(void)
{
	struct smtp2_cert_opts o;
	struct smtp2_cert_store *s;
	char	path[] = "/tmp/test_dane.XXXXXX", why[256];
	FILE	*f;
	int	fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(PEM_write_X509(f, pki.certs[C_ROOT]), 1);
	assert_int_equal(fclose(f), 0);
	memset(&o, 0, sizeof(o));
	o.ca_file = path;
	s = smtp2_cert_store_new(&o, why, sizeof(why));
	unlink(path);
	if (s == NULL)
		fail_msg("store: %s", why);
	return (s);
}

/* setup - the whole PKI, its chains and the store */
static int
setup(void **state)
{
	const struct cert_spec *s;
	bool	self;
	int	i;

	(void)state;
	for (i = 0; i < C_COUNT; i++) {
		s = &cert_specs[i];
		assert_non_null(pki.keys[i] = EVP_EC_gen("P-256"));
		self = (int)s->issuer == i;
		pki.certs[i] = make_cert(s, pki.keys[i], self ? NULL :
		    pki.certs[s->issuer], self ? NULL : pki.keys[s->issuer],
		    i + 1);
	}
	for (i = CH_NONE + 1; i < CH_COUNT; i++)
		pki.chains[i] = make_chain(chain_specs[i]);
	pki.store = make_store();
	return (0);
}

/* teardown - free what setup made */
static int
teardown(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < CH_COUNT; i++)
		smtp2_chain_free(pki.chains[i]);
	for (i = 0; i < C_COUNT; i++) {
		X509_free(pki.certs[i]);
		EVP_PKEY_free(pki.keys[i]);
	}
	smtp2_cert_store_free(pki.store);
	return (0);
}

/* pin_data - the association data a pin carries, spoilt as it asks */
static size_t
pin_data(const struct pin *p, unsigned char *out)
{
	X509	*x = pki.certs[p->cert];
	unsigned char *der = NULL;
	unsigned int mdlen;
	size_t	len;

	if (p->fault == F_JUNK) {
		memcpy(out, "junk", 4);
		return (4);
	}
	len = (size_t)(p->selector == 1 ? i2d_X509_PUBKEY(
	    X509_get_X509_PUBKEY(x), &der) : i2d_X509(x, &der));
	assert_true(len > 0 && len < PIN_DATA_MAX);
	memcpy(out, der, len);
	/* Unknown matching types get a SHA-256-sized blob. */
	if (p->mtype != 0) {
		assert_int_equal(EVP_Digest(der, len, out, &mdlen,
		    p->mtype == 2 ? EVP_sha512() : EVP_sha256(), NULL), 1);
		len = mdlen;
	}
	OPENSSL_free(der);
	switch (p->fault) {
	case F_FLIP:	out[len - 1] ^= 1; break;
	case F_SHORT:	len--; break;
	case F_LONG:	out[len++] = 0; break;
	case F_LEN32:	len = 32; break;
	case F_EMPTY:	len = 0; break;
	default:	break;
	}
	return (len);
}

/* One call of smtp2_dane_match and what it must give. */
struct dane_case {
	const char	*name;
	enum chain	chain;
	bool		store;
	const char	*domain;
	size_t		n;
	struct pin	pins[PINS_MAX];
	enum smtp2_pin_status want;
	unsigned	unevaluated;
	const char	*why;		/* exact; "x*" prefix, "*x" suffix */
};

/* why_fits - the reason as the case expects it */
static bool
why_fits(const char *got, const char *want)
{
	size_t	len = strlen(want), have = strlen(got);

	if (len > 0 && want[len - 1] == '*')
		return (strncmp(got, want, len - 1) == 0);
	if (len > 0 && want[0] == '*')
		return (have >= len - 1
		    && strcmp(got + have - (len - 1), want + 1) == 0);
	return (strcmp(got, want) == 0);
}

/* run_case - compute the case's pins, match them, compare */
static void
run_case(const struct dane_case *c)
{
	static unsigned char data[PINS_MAX][PIN_DATA_MAX];
	struct smtp2_tlsa rrs[PINS_MAX];
	enum smtp2_pin_status st;
	unsigned uneval = 999;
	char	why[512];
	size_t	i;

	for (i = 0; i < c->n; i++) {
		rrs[i].usage = c->pins[i].usage;
		rrs[i].selector = c->pins[i].selector;
		rrs[i].mtype = c->pins[i].mtype;
		rrs[i].len = pin_data(&c->pins[i], data[i]);
		rrs[i].data = data[i];
	}
	st = smtp2_dane_match(rrs, c->n, pki.chains[c->chain],
	    c->store ? pki.store : NULL, c->domain, &uneval, why, sizeof(why));
	if (st != c->want || uneval != c->unevaluated || !why_fits(why, c->why))
		fail_msg("%s: got %d/%u \"%s\", want %d/%u \"%s\"", c->name,
		    st, uneval, why, c->want, c->unevaluated, c->why);
	/* Optional outputs may be left out; a tiny buffer stays a string. */
	if (smtp2_dane_match(rrs, c->n, pki.chains[c->chain], c->store ?
	    pki.store : NULL, c->domain, NULL, NULL, 0) != c->want)
		fail_msg("%s: differs without outputs", c->name);
	why[0] = 'x';
	(void)smtp2_dane_match(rrs, c->n, pki.chains[c->chain], c->store ?
	    pki.store : NULL, c->domain, NULL, why, 1);
	if (why[0] != '\0')
		fail_msg("%s: one-byte reason buffer not terminated", c->name);
}

/* Where each usage's match lives in CH_GOOD, and how the reason says it. */
static const struct {
	enum cert	cert;
	const char	*where;
} usage_hits[4] = {
	{C_ROOT, "certificate 3 of the validated path (CN=Test Root)"},
	{C_LEAF, "certificate 1 of the chain (CN=mx.bank.test)"},
	{C_INTER, "certificate 2 of the chain (CN=Test CA)"},
	{C_LEAF, "certificate 1 of the chain (CN=mx.bank.test)"},
};

/* hit_and_miss - one usage, selector and matching type: a pin on the
 * usage's certificate matches, one on another leaf does not */
static void
hit_and_miss(uint8_t u, uint8_t s, uint8_t m)
{
	struct dane_case c = {NULL, CH_GOOD, true, "bank.test", 1, {{0}},
	    SMTP2_PIN_MATCH, 0, NULL};
	char	name[64], why[256];

	snprintf(name, sizeof(name), "%u %u %u hit", u, s, m);
	snprintf(why, sizeof(why), "pin %u %u %u matched %s", u, s, m,
	    usage_hits[u].where);
	c.name = name;
	c.pins[0] = (struct pin){u, s, m, usage_hits[u].cert, F_NONE};
	c.why = why;
	run_case(&c);

	/* Another leaf: in no chain, signed nothing. */
	snprintf(name, sizeof(name), "%u %u %u miss", u, s, m);
	c.pins[0].cert = C_OTHER;
	c.want = SMTP2_PIN_NOMATCH;
	c.why = "1 pin: 1 did not match*";
	run_case(&c);
}

/* test_dane_every_kind - usage x selector x matching type */
static void
test_dane_every_kind(void **state)
{
	uint8_t	u, s, m;

	(void)state;
	for (u = 0; u < 4; u++)
		for (s = 0; s < 2; s++)
			for (m = 0; m < 3; m++)
				hit_and_miss(u, s, m);
}

#define PIN(u, s, m, c)		{u, s, m, c, F_NONE}
#define BAD(u, s, m, c, f)	{u, s, m, c, f}
#define MISS1			"1 pin: 1 did not match"
#define OK	SMTP2_PIN_MATCH
#define NO	SMTP2_PIN_NOMATCH
#define UN	SMTP2_PIN_UNUSABLE

static const struct dane_case dane_cases[] = {
	/* DANE-TA: anchors inside and outside the chain. */
	{"2 0 1 root in a full chain", CH_FULL, false, "bank.test", 1,
	    {PIN(2, 0, 1, C_ROOT)}, OK, 0, "pin 2 0 1 matched certificate 3 "
	    "of the chain (CN=Test Root)"},
	{"2 0 0 intermediate left out", CH_LEAF, false, "bank.test", 1,
	    {PIN(2, 0, 0, C_INTER)}, OK, 0,
	    "pin 2 0 0 holds the anchor certificate (CN=Test CA)"},
	{"2 1 0 intermediate key left out", CH_LEAF, false, "bank.test", 1,
	    {PIN(2, 1, 0, C_INTER)}, OK, 0, "pin 2 1 0 holds the key that "
	    "signed certificate 1 of the chain (CN=mx.bank.test)"},
	{"2 0 0 root left out", CH_GOOD, false, "bank.test", 1,
	    {PIN(2, 0, 0, C_ROOT)}, OK, 0,
	    "pin 2 0 0 holds the anchor certificate (CN=Test Root)"},
	{"2 1 0 root key left out", CH_GOOD, false, "bank.test", 1,
	    {PIN(2, 1, 0, C_ROOT)}, OK, 0, "pin 2 1 0 holds the key that "
	    "signed certificate 2 of the chain (CN=Test CA)"},
	{"2 0 1 digest of a root left out", CH_GOOD, false, "bank.test", 1,
	    {PIN(2, 0, 1, C_ROOT)}, NO, 0, MISS1},
	{"2 0 1 on the leaf is no anchor", CH_GOOD, false, "bank.test", 1,
	    {PIN(2, 0, 1, C_LEAF)}, NO, 0, MISS1},
	{"2 0 0 holding the leaf is no anchor", CH_GOOD, false, "bank.test", 1,
	    {PIN(2, 0, 0, C_LEAF)}, NO, 0, MISS1 " (pin 2 0 0 holds the anchor "
	    "certificate (CN=mx.bank.test), but that is the leaf, not an "
	    "issuer)"},
	{"2 1 1 self-signed leaf", CH_SELF, false, "bank.test", 1,
	    {PIN(2, 1, 1, C_SELF)}, NO, 0, MISS1},
	{"2 0 0 anchor that issued nothing here", CH_GOOD, false, "bank.test",
	    1, {PIN(2, 0, 0, C_OLDCA)}, NO, 0, MISS1 " (pin 2 0 0 holds the "
	    "anchor certificate (CN=Old CA), but the chain does not verify up "
	    "to it: unable to get local issuer certificate)"},
	{"2 wrong name", CH_OTHER, false, "bank.test", 1,
	    {PIN(2, 0, 1, C_INTER)}, NO, 0, MISS1 " (pin 2 0 1 matched "
	    "certificate 2 of the chain (CN=Test CA), but no name of the leaf "
	    "fits bank.test)"},
	{"2 another domain", CH_GOOD, false, "bank.example", 1,
	    {PIN(2, 1, 1, C_INTER)}, NO, 0, "*no name of the leaf fits "
	    "bank.example)"},
	{"2 the host itself as domain", CH_GOOD, false, "mx.bank.test", 1,
	    {PIN(2, 1, 1, C_INTER)}, OK, 0, "pin 2 1 1 matched*"},
	{"2 CN when no dNSName", CH_CNONLY, false, "bank.test", 1,
	    {PIN(2, 1, 2, C_INTER)}, OK, 0, "pin 2 1 2 matched*"},
	{"2 anchor expired", CH_OLDCA, false, "bank.test", 1,
	    {PIN(2, 0, 1, C_OLDCA)}, NO, 0, MISS1 " (pin 2 0 1 matched "
	    "certificate 2 of the chain (CN=Old CA), but the chain does not "
	    "verify up to it: certificate has expired)"},
	{"2 leaf expired", CH_EXPLEAF, false, "bank.test", 1,
	    {PIN(2, 1, 1, C_INTER)}, NO, 0, "*certificate has expired)"},
	{"2 1 0 key left out, leaf expired", CH_EXPLEAF_ALONE, false,
	    "bank.test", 1, {PIN(2, 1, 0, C_INTER)}, NO, 0, MISS1 " (pin 2 1 0 "
	    "holds the key that signed certificate 1 of the chain "
	    "(CN=mx.bank.test), but the chain does not verify up to it: "
	    "certificate has expired)"},
	{"2 1 0 key left out, wrong name", CH_OTHER, false, "bank.test", 1,
	    {PIN(2, 1, 0, C_ROOT)}, NO, 0, "*no name of the leaf fits "
	    "bank.test)"},
	{"2 without a domain", CH_GOOD, false, NULL, 1,
	    {PIN(2, 1, 1, C_INTER)}, UN, 1,
	    "1 pin: 1 unevaluated (usage 2 needs a domain)"},

	/* DANE-EE: the leaf alone. */
	{"3 expired self-signed", CH_SELF, false, "bank.test", 2,
	    {PIN(3, 1, 1, C_SELF), PIN(3, 0, 2, C_SELF)}, OK, 0,
	    "pin 3 1 1 matched certificate 1 of the chain (CN=mx.bank.test)"},
	{"3 expired leaf", CH_EXPLEAF, false, "bank.test", 1,
	    {PIN(3, 0, 0, C_EXPLEAF)}, OK, 0, "pin 3 0 0 matched*"},
	{"3 ignores names", CH_OTHER, false, "bank.test", 1,
	    {PIN(3, 1, 1, C_OTHER)}, OK, 0, "pin 3 1 1 matched*"},
	{"3 needs no domain", CH_GOOD, false, NULL, 1,
	    {PIN(3, 1, 1, C_LEAF)}, OK, 0, "pin 3 1 1 matched*"},
	{"3 on the intermediate", CH_GOOD, false, "bank.test", 1,
	    {PIN(3, 1, 1, C_INTER)}, NO, 0, MISS1},
	{"3 flipped bit", CH_GOOD, false, "bank.test", 1,
	    {BAD(3, 1, 1, C_LEAF, F_FLIP)}, NO, 0, MISS1},
	{"3 0 0 junk just differs", CH_GOOD, false, "bank.test", 1,
	    {BAD(3, 0, 0, C_LEAF, F_JUNK)}, NO, 0, MISS1},
	{"3 key roll-over: second matches", CH_GOOD, false, "bank.test", 2,
	    {PIN(3, 1, 1, C_OTHER), PIN(3, 1, 1, C_LEAF)}, OK, 0,
	    "pin 3 1 1 matched*"},

	/* PKIX-TA and PKIX-EE: only with a store. */
	{"0 without a store", CH_GOOD, false, "bank.test", 1,
	    {PIN(0, 0, 1, C_ROOT)}, UN, 1,
	    "1 pin: 1 unevaluated (usage 0 needs a CA store)"},
	{"1 without a store", CH_GOOD, false, "bank.test", 1,
	    {PIN(1, 1, 1, C_LEAF)}, UN, 1,
	    "1 pin: 1 unevaluated (usage 1 needs a CA store)"},
	{"1 without a store, 3 matches", CH_GOOD, false, "bank.test", 2,
	    {PIN(1, 1, 1, C_LEAF), PIN(3, 1, 1, C_LEAF)}, OK, 1,
	    "pin 3 1 1 matched*"},
	{"0 and 1 without a store, 3 misses", CH_GOOD, false, "bank.test", 3,
	    {PIN(1, 1, 1, C_LEAF), PIN(3, 1, 1, C_OTHER), PIN(0, 1, 1, C_ROOT)},
	    NO, 2, "3 pins: 1 did not match, 2 unevaluated (usage 1 needs a "
	    "CA store, usage 0 needs a CA store)"},
	{"0 on the intermediate", CH_GOOD, true, "bank.test", 1,
	    {PIN(0, 1, 2, C_INTER)}, OK, 0, "pin 0 1 2 matched certificate 2 "
	    "of the validated path (CN=Test CA)"},
	{"0 on the leaf is no CA", CH_GOOD, true, "bank.test", 1,
	    {PIN(0, 0, 1, C_LEAF)}, NO, 0, MISS1},
	{"0 wrong name", CH_OTHER, true, "bank.test", 1,
	    {PIN(0, 0, 1, C_ROOT)}, NO, 0, MISS1 " (pin 0 0 1 matched "
	    "certificate 3 of the validated path (CN=Test Root), but no name "
	    "of the leaf fits bank.test)"},
	{"0 chain through an expired CA", CH_OLDCA, true, "bank.test", 1,
	    {PIN(0, 0, 1, C_ROOT)}, NO, 0, MISS1 " (pin 0 0 1 needs a valid "
	    "chain, but the chain does not validate against the CA store: "
	    "certificate has expired)"},
	{"1 chain through an expired CA", CH_OLDCA, true, "bank.test", 1,
	    {PIN(1, 1, 1, C_OLDLEAF)}, NO, 0, MISS1 " (pin 1 1 1 matched the "
	    "leaf, but the chain does not validate against the CA store: "
	    "certificate has expired)"},
	{"1 leaf without its intermediate", CH_LEAF, true, "bank.test", 1,
	    {PIN(1, 0, 1, C_LEAF)}, NO, 0, "*unable to get local issuer "
	    "certificate)"},
	{"1 self-signed leaf", CH_SELF, true, "bank.test", 1,
	    {PIN(1, 0, 1, C_SELF)}, NO, 0, "*self-signed certificate)"},
	{"1 without a domain", CH_GOOD, true, NULL, 1,
	    {PIN(1, 0, 1, C_LEAF)}, UN, 1,
	    "1 pin: 1 unevaluated (usage 1 needs a domain)"},

	/* Unusable records are counted and otherwise ignored. */
	{"all unusable", CH_GOOD, true, "bank.test", 3,
	    {PIN(7, 1, 1, C_LEAF), PIN(3, 1, 3, C_LEAF), PIN(3, 2, 1, C_LEAF)},
	    UN, 3, "3 pins: 3 unusable (unknown usage 7, unknown matching "
	    "type 3, unknown selector 2)"},
	{"unusable and a miss", CH_GOOD, true, "bank.test", 3,
	    {PIN(7, 1, 1, C_LEAF), PIN(3, 1, 1, C_OTHER), PIN(3, 1, 3, C_LEAF)},
	    NO, 2, "3 pins: 1 did not match, 2 unusable (unknown usage 7, "
	    "unknown matching type 3)"},
	{"unusable and a hit", CH_GOOD, true, "bank.test", 2,
	    {PIN(255, 1, 1, C_LEAF), PIN(3, 1, 1, C_LEAF)}, OK, 1,
	    "pin 3 1 1 matched*"},
	{"same reason said once", CH_GOOD, true, "bank.test", 2,
	    {PIN(4, 1, 1, C_LEAF), PIN(4, 1, 1, C_LEAF)}, UN, 2,
	    "2 pins: 2 unusable (unknown usage 4)"},
	{"SHA-256 one byte short", CH_GOOD, true, "bank.test", 1,
	    {BAD(3, 1, 1, C_LEAF, F_SHORT)}, UN, 1,
	    "1 pin: 1 unusable (SHA-256 pin of 31 bytes)"},
	{"SHA-256 one byte long", CH_GOOD, true, "bank.test", 1,
	    {BAD(2, 0, 1, C_INTER, F_LONG)}, UN, 1,
	    "1 pin: 1 unusable (SHA-256 pin of 33 bytes)"},
	{"SHA-512 of SHA-256 length", CH_GOOD, true, "bank.test", 1,
	    {BAD(3, 0, 2, C_LEAF, F_LEN32)}, UN, 1,
	    "1 pin: 1 unusable (SHA-512 pin of 32 bytes)"},
	{"empty exact pin", CH_GOOD, true, "bank.test", 1,
	    {BAD(3, 0, 0, C_LEAF, F_EMPTY)}, UN, 1,
	    "1 pin: 1 unusable (no association data)"},
	{"2 0 0 junk", CH_GOOD, true, "bank.test", 1,
	    {BAD(2, 0, 0, C_INTER, F_JUNK)}, UN, 1,
	    "1 pin: 1 unusable (2 0 0 pin holds no certificate)"},
	{"2 1 0 trailing byte", CH_GOOD, true, "bank.test", 1,
	    {BAD(2, 1, 0, C_INTER, F_LONG)}, UN, 1,
	    "1 pin: 1 unusable (2 1 0 pin holds no key)"},

	/* Nothing presented, nothing published. */
	{"no certificate", CH_NONE, false, "bank.test", 2,
	    {PIN(3, 1, 1, C_LEAF), PIN(1, 1, 1, C_LEAF)}, NO, 0,
	    "2 pins: 2 did not match (no client certificate presented)"},
	{"no certificate, unusable only", CH_NONE, true, "bank.test", 1,
	    {PIN(9, 1, 1, C_LEAF)}, UN, 1,
	    "1 pin: 1 unusable (unknown usage 9)"},
	{"no pins", CH_GOOD, true, "bank.test", 0, {{0}}, UN, 0, "no pins"},
};

/* test_dane_cases - every case of the table */
static void
test_dane_cases(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(dane_cases) / sizeof(dane_cases[0]); i++)
		run_case(&dane_cases[i]);
}

/* test_dane_null_records - no record array is no pins */
static void
test_dane_null_records(void **state)
{
	char	why[64];
	unsigned uneval = 9;

	(void)state;
	assert_int_equal(smtp2_dane_match(NULL, 3, pki.chains[CH_GOOD],
	    pki.store, "bank.test", &uneval, why, sizeof(why)),
	    SMTP2_PIN_UNUSABLE);
	assert_int_equal(uneval, 0);
	assert_string_equal(why, "no pins");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dane_every_kind),
		cmocka_unit_test(test_dane_cases),
		cmocka_unit_test(test_dane_null_records),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
