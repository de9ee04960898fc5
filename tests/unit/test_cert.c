/*
 * test_cert.c - smtp2_cert_verify against a throwaway PKI: paths, times
 * and clock skew, key and digest strength, names, CRLs, OCSP responses,
 * soft and hard failure.
 *
 * The group setup builds the PKI with OpenSSL's C API (cert_pki.h) into a
 * temporary directory: a root and an intermediate CA, leaves of every
 * kind, CRL files and OCSP responses.  The clock is fixed at T0, years
 * away from the real time, so a check that used the real clock anywhere
 * (the OCSP responder's certificate, say) fails loudly.
 */

/* System library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_pki.h"

#define T0	((time_t)1893456000)	/* 2030-01-01 00:00:00 UTC */
#define DAY	PKI_DAY

/* Issuers a leaf can have. */
enum issuer { I_INTER, I_ROOT, I_SELF, I_ROGUE, I_ROOT2, I_INTER_EXPIRED,
	I_INTER_REVOKED, I_COUNT };

enum leaf {
	L_RSA, L_P256, L_ED25519, L_EXPIRED, L_NOTYET, L_SKEW_EXP, L_SKEW_NOTYET,
	L_WRONG, L_EVILBANK, L_WILD, L_CNONLY, L_SANCN, L_IPONLY, L_SHA1,
	L_RSA1024, L_P224, L_DSA, L_REVOKED, L_SELF, L_ROGUE, L_DIRECT, L_ROOT2,
	L_UNDER_EXPIRED, L_UNDER_REVOKED, L_COUNT
};

struct leaf_spec {
	const char	*key;
	const char	*cn;
	const char	*san;
	long		nb, na;		/* seconds from T0 */
	bool		sha1;
	enum issuer	issuer;
};

#define GOOD_NB	(-30 * DAY)
#define GOOD_NA	(335 * DAY)
#define MX	"mx.bank.test"

static const struct leaf_spec leaf_specs[L_COUNT] = {
	[L_RSA] = {"rsa2048", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER},
	[L_P256] = {"p256", MX, "DNS:" MX ",DNS:mail.bank.test", GOOD_NB, GOOD_NA, false, I_INTER},
	[L_ED25519] = {"ed25519", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER},
	[L_EXPIRED] = {"p256", MX, "DNS:" MX, -400 * DAY, -3 * DAY, false, I_INTER},
	[L_NOTYET] = {"p256", MX, "DNS:" MX, 2 * DAY, 400 * DAY, false, I_INTER},
	[L_SKEW_EXP] = {"p256", MX, "DNS:" MX, -300 * DAY, -100, false, I_INTER},
	[L_SKEW_NOTYET] = {"p256", MX, "DNS:" MX, 100, 300 * DAY, false, I_INTER},
	[L_WRONG] = {"p256", "mx.evil.test", "DNS:mx.evil.test", GOOD_NB, GOOD_NA, false, I_INTER},
	[L_EVILBANK] = {"p256", "evilbank.test", "DNS:evilbank.test", GOOD_NB, GOOD_NA, false, I_INTER},
	[L_WILD] = {"p256", "*.bank.test", "DNS:*.bank.test", GOOD_NB, GOOD_NA, false, I_INTER},
	[L_CNONLY] = {"p256", MX, NULL, GOOD_NB, GOOD_NA, false, I_INTER},
	[L_SANCN] = {"p256", MX, "DNS:mx.other.test", GOOD_NB, GOOD_NA, false, I_INTER},
	[L_IPONLY] = {"p256", MX, "IP:192.0.2.1", GOOD_NB, GOOD_NA, false, I_INTER},
	[L_SHA1] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, true, I_INTER},
	[L_RSA1024] = {"rsa1024", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER},
	[L_P224] = {"p224", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER},
	[L_DSA] = {"dsa", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER},
	[L_REVOKED] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER},
	[L_SELF] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_SELF},
	[L_ROGUE] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_ROGUE},
	[L_DIRECT] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_ROOT},
	[L_ROOT2] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_ROOT2},
	[L_UNDER_EXPIRED] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER_EXPIRED},
	[L_UNDER_REVOKED] = {"p256", MX, "DNS:" MX, GOOD_NB, GOOD_NA, false, I_INTER_REVOKED},
};

enum store {
	S_SOFT, S_HARD, S_NOSKEW, S_CRL, S_CRL_HARD, S_CRL_ROOTONLY, S_CRL_STALE,
	S_RSA3072, S_ROOT2, S_DIR, S_PINNED, S_COUNT
};

struct store_spec {
	const char	*ca_file;	/* in the temp dir */
	bool		ca_dir;		/* the hashed directory instead */
	const char	*crl_file;
	unsigned	skew, min_rsa;
	enum smtp2_revocation_stance stance;
};

static const struct store_spec store_specs[S_COUNT] = {
	[S_SOFT] = {"ca.pem", false, NULL, 300, 0, SMTP2_REVOCATION_SOFT_FAIL},
	[S_HARD] = {"ca.pem", false, NULL, 300, 0, SMTP2_REVOCATION_HARD_FAIL},
	[S_NOSKEW] = {"ca.pem", false, NULL, 0, 0, SMTP2_REVOCATION_SOFT_FAIL},
	[S_CRL] = {"ca.pem", false, "crls.pem", 300, 0, SMTP2_REVOCATION_SOFT_FAIL},
	[S_CRL_HARD] = {"ca.pem", false, "crls.pem", 300, 0, SMTP2_REVOCATION_HARD_FAIL},
	[S_CRL_ROOTONLY] = {"ca.pem", false, "crl-root.pem", 300, 0, SMTP2_REVOCATION_HARD_FAIL},
	[S_CRL_STALE] = {"ca.pem", false, "crl-stale.pem", 300, 0, SMTP2_REVOCATION_HARD_FAIL},
	[S_RSA3072] = {"ca.pem", false, NULL, 300, 3072, SMTP2_REVOCATION_SOFT_FAIL},
	[S_ROOT2] = {"ca2.pem", false, NULL, 300, 0, SMTP2_REVOCATION_SOFT_FAIL},
	[S_DIR] = {NULL, true, NULL, 300, 0, SMTP2_REVOCATION_SOFT_FAIL},
	[S_PINNED] = {"inter.pem", false, NULL, 300, 0, SMTP2_REVOCATION_SOFT_FAIL},
};

/* OCSP responses, all about L_P256 unless said otherwise. */
enum ocsp {
	O_NONE, O_GOOD, O_REVOKED, O_UNKNOWN, O_EXPIRED, O_NEXT_SKEW, O_NOTYET,
	O_NONEXT, O_OLD_NONEXT, O_REVOKED_STALE, O_DELEGATED, O_DELEG_NOEKU,
	O_ROGUE, O_OTHER, O_TRYLATER, O_GARBAGE, O_COUNT
};

/* How much of the issuer side a chain carries. */
enum shape { CH_NORMAL, CH_BARE, CH_WITH_ROOT };

struct world {
	char	dir[64];
	EVP_PKEY *key[I_COUNT], *k_resp, *k_leaf[L_COUNT];
	X509	*ca[I_COUNT], *leaf[L_COUNT], *resp, *resp_noeku;
	struct smtp2_chain *chain[L_COUNT][3];
	struct smtp2_cert_store *store[S_COUNT];
	unsigned char *ocsp[O_COUNT];
	size_t	ocsp_len[O_COUNT];
};

static struct world W;

static const struct {
	const char	*cn;
	enum issuer	parent;		/* == itself: self-signed */
	long		na;
	bool		sha1;
} ca_specs[I_COUNT] = {
	[I_ROOT] = {"smtp2 Test Root", I_ROOT, 3650 * DAY, false},
	[I_INTER] = {"smtp2 Test Intermediate", I_ROOT, 1825 * DAY, false},
	[I_SELF] = {NULL, I_SELF, 0, false},
	[I_ROGUE] = {"smtp2 Rogue Root", I_ROGUE, 3650 * DAY, false},
	[I_ROOT2] = {"smtp2 SHA-1 Root", I_ROOT2, 3650 * DAY, true},
	[I_INTER_EXPIRED] = {"smtp2 Test Expired CA", I_ROOT, -5 * DAY, false},
	[I_INTER_REVOKED] = {"smtp2 Test Revoked CA", I_ROOT, 1825 * DAY, false},
};

/* chain_of - n certificates as a chain, through the DER interface */
static struct smtp2_chain *
chain_of(X509 *const *certs, size_t n)
{
	const unsigned char *der[3];
	unsigned char *owned[3];
	struct smtp2_chain *c;
	size_t	len[3], i;
	char	why[256];

	for (i = 0; i < n; i++)
		der[i] = owned[i] = pki_der(certs[i], &len[i]);
	c = smtp2_chain_from_der(der, len, n, why, sizeof(why));
	for (i = 0; i < n; i++)
		OPENSSL_free(owned[i]);
	return (c);
}

/* make_cas - every CA, parents first */
static int
make_cas(void)
{
	static const enum issuer order[] = { I_ROOT, I_INTER, I_ROGUE, I_ROOT2,
		I_INTER_EXPIRED, I_INTER_REVOKED };
	size_t	i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum issuer id = order[i], p = ca_specs[id].parent;
		struct pki_spec sp = {ca_specs[id].cn, NULL, T0 - 400 * DAY,
			T0 + ca_specs[id].na, true, NULL,
			ca_specs[id].sha1 ? EVP_sha1() : NULL, 10 + (long)id};

		if ((W.key[id] = pki_key("p256")) == NULL
		    || (W.ca[id] = pki_cert(&sp, W.key[id], p == id ? NULL : W.ca[p],
		    p == id ? NULL : W.key[p])) == NULL)
			return (-1);
	}
	return (0);
}

/* key_first - the first leaf with leaf i's kind of key (which owns it) */
static int
key_first(int i)
{
	int	j;

	for (j = 0; j < i; j++)
		if (strcmp(leaf_specs[j].key, leaf_specs[i].key) == 0)
			return (j);
	return (i);
}

/* make_leaves - every leaf, and its chains of the three shapes */
static int
make_leaves(void)
{
	int	i;

	for (i = 0; i < L_COUNT; i++) {
		const struct leaf_spec *ls = &leaf_specs[i];
		struct pki_spec sp = {ls->cn, ls->san, T0 + ls->nb, T0 + ls->na,
			false, NULL, ls->sha1 ? EVP_sha1() : NULL, 100 + i};
		enum issuer is = ls->issuer, top = ca_specs[is].parent;
		X509	*c[3];
		size_t	n = 0, sent;

		W.k_leaf[i] = key_first(i) == i ? pki_key(ls->key) : W.k_leaf[key_first(i)];
		if (W.k_leaf[i] == NULL
		    || (W.leaf[i] = pki_cert(&sp, W.k_leaf[i], is == I_SELF ? NULL
		    : W.ca[is], is == I_SELF ? NULL : W.key[is])) == NULL)
			return (-1);
		c[n++] = W.leaf[i];
		if (is != I_SELF && top != is)
			c[n++] = W.ca[is];	/* an intermediate is sent */
		sent = n;
		if (is != I_SELF)
			c[n++] = W.ca[top];
		if ((W.chain[i][CH_NORMAL] = chain_of(c, sent)) == NULL
		    || (W.chain[i][CH_BARE] = chain_of(c, 1)) == NULL
		    || (W.chain[i][CH_WITH_ROOT] = chain_of(c, n)) == NULL)
			return (-1);
	}
	return (0);
}

/* make_responders - a delegated OCSP responder, and one without the EKU */
static int
make_responders(void)
{
	struct pki_spec sp = {"smtp2 Test OCSP", NULL, T0 + GOOD_NB, T0 + GOOD_NA,
		false, "OCSPSigning", NULL, 50};

	if ((W.k_resp = pki_key("p256")) == NULL
	    || (W.resp = pki_cert(&sp, W.k_resp, W.ca[I_INTER], W.key[I_INTER])) == NULL)
		return (-1);
	sp.eku = NULL;
	sp.cn = "smtp2 Test OCSP without EKU";
	sp.serial = 51;
	W.resp_noeku = pki_cert(&sp, W.k_resp, W.ca[I_INTER], W.key[I_INTER]);
	return (W.resp_noeku != NULL ? 0 : -1);
}

/* make_ocsp - one response per enum ocsp */
static int
make_ocsp(void)
{
	static const struct {
		enum ocsp	id;
		int		status;
		long		this_upd, next_upd;	/* from T0; next 0: none */
	} specs[] = {
		{O_GOOD, V_OCSP_CERTSTATUS_GOOD, -3600, 7 * DAY},
		{O_REVOKED, V_OCSP_CERTSTATUS_REVOKED, -3600, 7 * DAY},
		{O_UNKNOWN, V_OCSP_CERTSTATUS_UNKNOWN, -3600, 7 * DAY},
		{O_EXPIRED, V_OCSP_CERTSTATUS_GOOD, -9 * DAY, -2 * DAY},
		{O_NEXT_SKEW, V_OCSP_CERTSTATUS_GOOD, -DAY, -100},
		{O_NOTYET, V_OCSP_CERTSTATUS_GOOD, 2 * DAY, 9 * DAY},
		{O_NONEXT, V_OCSP_CERTSTATUS_GOOD, -DAY, 0},
		{O_OLD_NONEXT, V_OCSP_CERTSTATUS_GOOD, -10 * DAY, 0},
		{O_REVOKED_STALE, V_OCSP_CERTSTATUS_REVOKED, -9 * DAY, -2 * DAY},
	};
	X509	*leaf = W.leaf[L_P256], *inter = W.ca[I_INTER];
	EVP_PKEY *ik = W.key[I_INTER];
	static const char garbage[] = "not an OCSP response";
	size_t	i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		W.ocsp[specs[i].id] = pki_ocsp(leaf, inter, inter, ik, specs[i].status,
		    T0 + specs[i].this_upd, specs[i].next_upd != 0
		    ? T0 + specs[i].next_upd : 0, &W.ocsp_len[specs[i].id]);
	W.ocsp[O_DELEGATED] = pki_ocsp(leaf, inter, W.resp, W.k_resp,
	    V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + 7 * DAY, &W.ocsp_len[O_DELEGATED]);
	W.ocsp[O_DELEG_NOEKU] = pki_ocsp(leaf, inter, W.resp_noeku, W.k_resp,
	    V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + 7 * DAY, &W.ocsp_len[O_DELEG_NOEKU]);
	W.ocsp[O_ROGUE] = pki_ocsp(leaf, inter, W.ca[I_ROGUE], W.key[I_ROGUE],
	    V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + 7 * DAY, &W.ocsp_len[O_ROGUE]);
	W.ocsp[O_OTHER] = pki_ocsp(W.leaf[L_RSA], inter, inter, ik,
	    V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + 7 * DAY, &W.ocsp_len[O_OTHER]);
	W.ocsp[O_TRYLATER] = pki_ocsp_status(OCSP_RESPONSE_STATUS_TRYLATER,
	    &W.ocsp_len[O_TRYLATER]);
	if ((W.ocsp[O_GARBAGE] = malloc(sizeof(garbage))) != NULL) {
		memcpy(W.ocsp[O_GARBAGE], garbage, sizeof(garbage));
		W.ocsp_len[O_GARBAGE] = sizeof(garbage);
	}
	for (i = O_NONE + 1; i < O_COUNT; i++)
		if (W.ocsp[i] == NULL)
			return (-1);
	return (0);
}

/* in_dir - path of name in the temporary directory */
static const char *
in_dir(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", W.dir, name);
	return (buf);
}

/* write_one - PEM file name in the temporary directory */
static int
write_one(const char *name, X509 *const *certs, size_t n,
    X509_CRL *const *crls, size_t ncrl)
{
	char	path[128];

	return (pki_write(in_dir(name, path, sizeof(path)), certs, n, crls, ncrl));
}

/* make_files - CA files, the hashed directory, three CRL files */
static int
make_files(void)
{
	const long inter_revoked = 10 + I_INTER_REVOKED, leaf_revoked = 100 + L_REVOKED;
	X509_CRL *both[2], *stale[2];
	char	name[64];
	int	rc = -1;

	/* Root's CRL revokes a CA, the intermediate's a leaf: two in one file. */
	both[0] = pki_crl(W.ca[I_ROOT], W.key[I_ROOT], T0 - DAY, T0 + 7 * DAY,
	    &inter_revoked, 1);
	both[1] = pki_crl(W.ca[I_INTER], W.key[I_INTER], T0 - DAY, T0 + 7 * DAY,
	    &leaf_revoked, 1);
	stale[0] = both[0];
	stale[1] = pki_crl(W.ca[I_INTER], W.key[I_INTER], T0 - 9 * DAY,
	    T0 - 2 * DAY, &leaf_revoked, 1);
	snprintf(name, sizeof(name), "certs/%08lx.0",
	    X509_subject_name_hash(W.ca[I_ROOT]));
	if (both[0] != NULL && both[1] != NULL && stale[1] != NULL
	    && write_one("ca.pem", &W.ca[I_ROOT], 1, NULL, 0) == 0
	    && write_one("ca2.pem", &W.ca[I_ROOT2], 1, NULL, 0) == 0
	    && write_one("inter.pem", &W.ca[I_INTER], 1, NULL, 0) == 0
	    && write_one(name, &W.ca[I_ROOT], 1, NULL, 0) == 0
	    && write_one("crls.pem", NULL, 0, both, 2) == 0
	    && write_one("crl-root.pem", NULL, 0, both, 1) == 0
	    && write_one("crl-stale.pem", NULL, 0, stale, 2) == 0)
		rc = 0;
	X509_CRL_free(both[0]);
	X509_CRL_free(both[1]);
	X509_CRL_free(stale[1]);
	return (rc);
}

/* make_stores - one store per store_spec, clock at T0 */
static int
make_stores(void)
{
	char	ca[128], dir[128], crl[128], why[256];
	int	i;

	for (i = 0; i < S_COUNT; i++) {
		const struct store_spec *ss = &store_specs[i];
		struct smtp2_cert_opts o;

		memset(&o, 0, sizeof(o));
		o.ca_file = ss->ca_file ? in_dir(ss->ca_file, ca, sizeof(ca)) : NULL;
		o.ca_dir = ss->ca_dir ? in_dir("certs", dir, sizeof(dir)) : NULL;
		o.crl_file = ss->crl_file ? in_dir(ss->crl_file, crl, sizeof(crl)) : NULL;
		o.clock_skew = ss->skew;
		o.min_rsa_bits = ss->min_rsa;
		o.unknown = ss->stance;
		o.now = T0;
		if ((W.store[i] = smtp2_cert_store_new(&o, why, sizeof(why))) == NULL) {
			fprintf(stderr, "store %d: %s\n", i, why);
			return (-1);
		}
	}
	return (0);
}

/* setup - the whole PKI, once for the group */
static int
setup(void **state)
{
	char	certs[128];

	(void)state;
	snprintf(W.dir, sizeof(W.dir), "/tmp/smtp2-test-cert-XXXXXX");
	if (mkdtemp(W.dir) == NULL
	    || mkdir(in_dir("certs", certs, sizeof(certs)), 0700) < 0)
		return (-1);
	if (make_cas() < 0 || make_leaves() < 0 || make_responders() < 0
	    || make_ocsp() < 0 || make_files() < 0 || make_stores() < 0) {
		fprintf(stderr, "test PKI: setup failed\n");
		return (-1);
	}
	return (0);
}

/* teardown - files, directory, everything built */
static int
teardown(void **state)
{
	static const char *const files[] = { "ca.pem", "ca2.pem", "inter.pem",
		"crls.pem", "crl-root.pem", "crl-stale.pem" };
	char	path[128], name[64];
	size_t	i, j;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(in_dir(files[i], path, sizeof(path)));
	snprintf(name, sizeof(name), "certs/%08lx.0", X509_subject_name_hash(W.ca[I_ROOT]));
	unlink(in_dir(name, path, sizeof(path)));
	rmdir(in_dir("certs", path, sizeof(path)));
	rmdir(W.dir);
	for (i = 0; i < S_COUNT; i++)
		smtp2_cert_store_free(W.store[i]);
	for (i = 0; i < L_COUNT; i++) {
		for (j = 0; j < 3; j++)
			smtp2_chain_free(W.chain[i][j]);
		X509_free(W.leaf[i]);
		if (key_first((int)i) == (int)i)
			EVP_PKEY_free(W.k_leaf[i]);
	}
	for (i = 0; i < I_COUNT; i++) {
		X509_free(W.ca[i]);
		EVP_PKEY_free(W.key[i]);
	}
	for (i = 0; i < O_COUNT; i++)
		free(W.ocsp[i]);
	X509_free(W.resp);
	X509_free(W.resp_noeku);
	EVP_PKEY_free(W.k_resp);
	return (0);
}

struct verify_case {
	const char	*name;
	enum leaf	leaf;
	enum shape	shape;
	enum store	store;
	const char	*domain;	/* NULL: no name check */
	enum ocsp	ocsp;
	enum smtp2_cert_status want;
	enum smtp2_revocation rev;
	const char	*reason;	/* a substring of the reason */
	const char	*matched;	/* NULL: not checked */
};

#define OK	SMTP2_CERT_OK
#define R_UNK	SMTP2_REV_UNKNOWN
#define R_GOOD	SMTP2_REV_GOOD
#define R_REV	SMTP2_REV_REVOKED
#define BANK	"bank.test"

static const struct verify_case verify_cases[] = {
	/* Paths and key types. */
	{"RSA-2048 leaf", L_RSA, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK,
	 "chain to \"smtp2 Test Root\" verified, 335 days left; name mx.bank.test fits", MX},
	{"P-256 leaf", L_P256, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK,
	 "revocation unknown: no crl_file; no OCSP response", MX},
	{"Ed25519 leaf", L_ED25519, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK, "verified", MX},
	{"root sent along", L_P256, CH_WITH_ROOT, S_SOFT, BANK, O_NONE, OK, R_UNK, "verified", MX},
	{"directly under the root", L_DIRECT, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK, "verified", MX},
	{"CAs from a hashed ca_dir", L_P256, CH_NORMAL, S_DIR, BANK, O_NONE, OK, R_UNK, "verified", MX},
	{"pinned intermediate is an anchor", L_P256, CH_NORMAL, S_PINNED, BANK, O_NONE, OK, R_UNK,
	 "chain to \"smtp2 Test Intermediate\" verified", MX},
	{"pinned intermediate refuses the root's", L_DIRECT, CH_NORMAL, S_PINNED, BANK, O_NONE,
	 SMTP2_CERT_UNTRUSTED, R_UNK, "no path to a trusted CA: unable to get local issuer certificate", ""},
	{"no domain: no name check", L_WRONG, CH_NORMAL, S_SOFT, NULL, O_NONE, OK, R_UNK, "verified", ""},
	/* Trust. */
	{"self-signed", L_SELF, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_UNTRUSTED, R_UNK,
	 "no path to a trusted CA: self", ""},
	{"untrusted CA", L_ROGUE, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_UNTRUSTED, R_UNK,
	 "no path to a trusted CA: unable to get local issuer certificate (issuer \"smtp2 Rogue Root\" not found in ca_file /tmp/", ""},
	{"untrusted root sent along", L_ROGUE, CH_WITH_ROOT, S_SOFT, BANK, O_NONE,
	 SMTP2_CERT_UNTRUSTED, R_UNK, "no path to a trusted CA: self", ""},
	{"intermediate missing", L_P256, CH_BARE, S_SOFT, BANK, O_NONE, SMTP2_CERT_UNTRUSTED, R_UNK,
	 "(issuer \"smtp2 Test Intermediate\" not found", ""},
	/* Time and skew. */
	{"expired", L_EXPIRED, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_EXPIRED, R_UNK,
	 "certificate expired 3 days ago (notAfter 2029-12-29 00:00:00 UTC)", ""},
	{"not yet valid", L_NOTYET, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_NOT_YET_VALID, R_UNK,
	 "certificate not valid for another 2 days (notBefore 2030-01-03 00:00:00 UTC)", ""},
	{"expired within the skew", L_SKEW_EXP, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK, "verified", MX},
	{"expired, no skew", L_SKEW_EXP, CH_NORMAL, S_NOSKEW, BANK, O_NONE, SMTP2_CERT_EXPIRED, R_UNK,
	 "certificate expired 1 minute ago", ""},
	{"early within the skew", L_SKEW_NOTYET, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK, "verified", MX},
	{"early, no skew", L_SKEW_NOTYET, CH_NORMAL, S_NOSKEW, BANK, O_NONE, SMTP2_CERT_NOT_YET_VALID,
	 R_UNK, "not valid for another 1 minute", ""},
	{"expired intermediate", L_UNDER_EXPIRED, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_EXPIRED,
	 R_UNK, "CA certificate \"smtp2 Test Expired CA\" expired 5 days ago", ""},
	/* Names. */
	{"exact host", L_P256, CH_NORMAL, S_SOFT, MX, O_NONE, OK, R_UNK, "verified", MX},
	{"second SAN", L_P256, CH_NORMAL, S_SOFT, "mail.bank.test", O_NONE, OK, R_UNK, "verified",
	 "mail.bank.test"},
	{"domain with final dot", L_P256, CH_NORMAL, S_SOFT, "BANK.test.", O_NONE, OK, R_UNK, "verified", MX},
	{"wrong name", L_WRONG, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_NAME_MISMATCH, R_UNK,
	 "no name fits bank.test: SAN mx.evil.test", ""},
	{"evilbank.test is not in bank.test", L_EVILBANK, CH_NORMAL, S_SOFT, BANK, O_NONE,
	 SMTP2_CERT_NAME_MISMATCH, R_UNK, "SAN evilbank.test", ""},
	{"a parent's domain is not proved by a child", L_P256, CH_NORMAL, S_SOFT, "x.mx.bank.test",
	 O_NONE, SMTP2_CERT_NAME_MISMATCH, R_UNK, "SAN mx.bank.test, mail.bank.test", ""},
	{"wildcard proves its domain", L_WILD, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK, "verified",
	 "*.bank.test"},
	{"wildcard proves one label below", L_WILD, CH_NORMAL, S_SOFT, "x.bank.test", O_NONE, OK,
	 R_UNK, "verified", "*.bank.test"},
	{"wildcard not two labels below", L_WILD, CH_NORMAL, S_SOFT, "a.b.bank.test", O_NONE,
	 SMTP2_CERT_NAME_MISMATCH, R_UNK, "SAN *.bank.test", ""},
	{"CN only", L_CNONLY, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK, "verified", MX},
	{"SAN wins over CN", L_SANCN, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_NAME_MISMATCH, R_UNK,
	 "SAN mx.other.test; CN mx.bank.test not used (the certificate has dNSName SANs)", ""},
	{"IP-only SAN: the CN decides", L_IPONLY, CH_NORMAL, S_SOFT, BANK, O_NONE, OK, R_UNK,
	 "verified", MX},
	/* Strength. */
	{"SHA-1 signed leaf", L_SHA1, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_WEAK_SIGNATURE, R_UNK,
	 "certificate: signed with SHA1 (ecdsa-with-SHA1), refused below the trust anchor", ""},
	{"SHA-1 self-signed anchor", L_ROOT2, CH_NORMAL, S_ROOT2, BANK, O_NONE, OK, R_UNK,
	 "chain to \"smtp2 SHA-1 Root\" verified", MX},
	{"RSA-1024", L_RSA1024, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_WEAK_KEY, R_UNK,
	 "certificate: RSA key of 1024 bits (minimum 2048)", ""},
	{"RSA-2048 under a 3072 minimum", L_RSA, CH_NORMAL, S_RSA3072, BANK, O_NONE,
	 SMTP2_CERT_WEAK_KEY, R_UNK, "RSA key of 2048 bits (minimum 3072)", ""},
	{"P-224", L_P224, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_WEAK_KEY, R_UNK,
	 "EC key of 224 bits (minimum 256)", ""},
	{"DSA", L_DSA, CH_NORMAL, S_SOFT, BANK, O_NONE, SMTP2_CERT_WEAK_KEY, R_UNK,
	 "DSA keys are refused", ""},
	/* CRLs. */
	{"revoked by CRL", L_REVOKED, CH_NORMAL, S_CRL, BANK, O_NONE, SMTP2_CERT_REVOKED, R_REV,
	 "certificate revoked (CRL of \"smtp2 Test Intermediate\") at 2029-12-31 00:00:00 UTC, reason keyCompromise", ""},
	{"good by CRL", L_P256, CH_NORMAL, S_CRL, BANK, O_NONE, OK, R_GOOD, "revocation good: good (CRL)", MX},
	{"good by CRL, hard fail", L_P256, CH_NORMAL, S_CRL_HARD, BANK, O_NONE, OK, R_GOOD, "good (CRL)", MX},
	{"CA revoked by the root's CRL", L_UNDER_REVOKED, CH_NORMAL, S_CRL, BANK, O_NONE,
	 SMTP2_CERT_REVOKED, R_REV, "CA certificate \"smtp2 Test Revoked CA\" revoked (CRL of \"smtp2 Test Root\")", ""},
	{"no CRL of the issuer, hard fail", L_P256, CH_NORMAL, S_CRL_ROOTONLY, BANK, O_NONE,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK,
	 "revocation status unknown (hard fail): no CRL of \"smtp2 Test Intermediate\" in crl_file; no OCSP response", ""},
	{"stale CRL, hard fail", L_P256, CH_NORMAL, S_CRL_STALE, BANK, O_NONE,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK,
	 "CRL of \"smtp2 Test Intermediate\" expired 2 days ago (nextUpdate 2029-12-30 00:00:00 UTC)", ""},
	{"stale CRL still revokes", L_REVOKED, CH_NORMAL, S_CRL_STALE, BANK, O_NONE, SMTP2_CERT_REVOKED,
	 R_REV, "certificate revoked (CRL of \"smtp2 Test Intermediate\") at 2029-12-23 00:00:00 UTC", ""},
	{"nothing known, hard fail", L_P256, CH_NORMAL, S_HARD, BANK, O_NONE,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "no crl_file; no OCSP response", ""},
	/* OCSP. */
	{"OCSP good, hard fail", L_P256, CH_NORMAL, S_HARD, BANK, O_GOOD, OK, R_GOOD, "good (OCSP)", MX},
	{"OCSP good", L_P256, CH_NORMAL, S_SOFT, BANK, O_GOOD, OK, R_GOOD, "good (OCSP)", MX},
	{"OCSP revoked", L_P256, CH_NORMAL, S_SOFT, BANK, O_REVOKED, SMTP2_CERT_REVOKED, R_REV,
	 "certificate revoked (OCSP) at 2029-12-30 23:00:00 UTC, reason keyCompromise", ""},
	{"OCSP unknown, soft fail", L_P256, CH_NORMAL, S_SOFT, BANK, O_UNKNOWN, OK, R_UNK,
	 "the OCSP responder does not know the certificate", MX},
	{"OCSP unknown, hard fail", L_P256, CH_NORMAL, S_HARD, BANK, O_UNKNOWN,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "does not know the certificate", ""},
	{"OCSP expired, hard fail", L_P256, CH_NORMAL, S_HARD, BANK, O_EXPIRED,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK,
	 "OCSP response expired 2 days ago (nextUpdate 2029-12-30 00:00:00 UTC)", ""},
	{"OCSP expired, soft fail", L_P256, CH_NORMAL, S_SOFT, BANK, O_EXPIRED, OK, R_UNK,
	 "OCSP response expired", MX},
	{"OCSP expired within the skew", L_P256, CH_NORMAL, S_HARD, BANK, O_NEXT_SKEW, OK, R_GOOD,
	 "good (OCSP)", MX},
	{"OCSP from the future", L_P256, CH_NORMAL, S_HARD, BANK, O_NOTYET,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "OCSP response not valid for another 2 days", ""},
	{"OCSP without nextUpdate", L_P256, CH_NORMAL, S_HARD, BANK, O_NONEXT, OK, R_GOOD,
	 "good (OCSP)", MX},
	{"OCSP without nextUpdate, old", L_P256, CH_NORMAL, S_HARD, BANK, O_OLD_NONEXT,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "expired 3 days ago (a week after thisUpdate", ""},
	{"OCSP revoked, stale", L_P256, CH_NORMAL, S_SOFT, BANK, O_REVOKED_STALE, SMTP2_CERT_REVOKED,
	 R_REV, "revoked (OCSP)", ""},
	{"OCSP delegated responder", L_P256, CH_NORMAL, S_HARD, BANK, O_DELEGATED, OK, R_GOOD,
	 "good (OCSP)", MX},
	{"OCSP responder without the EKU", L_P256, CH_NORMAL, S_HARD, BANK, O_DELEG_NOEKU,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "OCSP response not signed by the issuer or its responder", ""},
	{"OCSP signed by a stranger", L_P256, CH_NORMAL, S_HARD, BANK, O_ROGUE,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "OCSP response not signed by the issuer", ""},
	{"OCSP about another certificate", L_P256, CH_NORMAL, S_HARD, BANK, O_OTHER,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "OCSP response does not cover the certificate", ""},
	{"OCSP tryLater", L_P256, CH_NORMAL, S_HARD, BANK, O_TRYLATER,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "OCSP responder answered trylater", ""},
	{"OCSP garbage", L_P256, CH_NORMAL, S_HARD, BANK, O_GARBAGE,
	 SMTP2_CERT_REVOCATION_UNKNOWN, R_UNK, "OCSP response unreadable", ""},
	{"OCSP good fills a CRL gap", L_P256, CH_NORMAL, S_CRL_ROOTONLY, BANK, O_GOOD, OK, R_GOOD,
	 "no CRL of \"smtp2 Test Intermediate\" in crl_file; good (OCSP)", MX},
	{"OCSP revoked beats a good CRL", L_P256, CH_NORMAL, S_CRL, BANK, O_REVOKED,
	 SMTP2_CERT_REVOKED, R_REV, "revoked (OCSP)", ""},
};

/* printable - is every byte of s printable ASCII? */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return (false);
	return (true);
}

/* test_verify - every case of the table */
static void
test_verify(void **state)
{
	const struct verify_case *vc;
	struct smtp2_cert_result r;
	size_t	i;
	int	bad = 0;

	(void)state;
	for (i = 0; i < sizeof(verify_cases) / sizeof(verify_cases[0]); i++) {
		vc = &verify_cases[i];
		smtp2_cert_verify(W.store[vc->store], W.chain[vc->leaf][vc->shape],
		    vc->domain, W.ocsp[vc->ocsp], W.ocsp_len[vc->ocsp], &r);
		if (getenv("SMTP2_TEST_VERBOSE") != NULL)
			printf("%-42s %-18s %s\n", vc->name,
			    smtp2_cert_status_name(r.status), r.reason);
		if (r.status != vc->want || r.revocation != vc->rev
		    || strstr(r.reason, vc->reason) == NULL
		    || (vc->matched != NULL && strcmp(r.matched_name, vc->matched) != 0)
		    || r.chain_trusted != (vc->want == OK || vc->want == SMTP2_CERT_NAME_MISMATCH)
		    || !printable(r.reason)) {
			print_error("case \"%s\": got %s rev %d trusted %d matched \"%s\"\n"
			    "  reason \"%s\"\n  want %s rev %d, reason with \"%s\"\n",
			    vc->name, smtp2_cert_status_name(r.status), r.revocation,
			    r.chain_trusted, r.matched_name, r.reason,
			    smtp2_cert_status_name(vc->want), vc->rev, vc->reason);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* test_days_left - counted from the store's clock, negative when expired */
static void
test_days_left(void **state)
{
	struct smtp2_cert_result r;

	(void)state;
	smtp2_cert_verify(W.store[S_SOFT], W.chain[L_P256][CH_NORMAL], BANK, NULL, 0, &r);
	assert_int_equal(r.days_left, 335);
	smtp2_cert_verify(W.store[S_SOFT], W.chain[L_EXPIRED][CH_NORMAL], BANK, NULL, 0, &r);
	assert_int_equal(r.days_left, -3);
}

/* test_verify_errors - missing pieces are ERROR, with a reason */
static void
test_verify_errors(void **state)
{
	struct smtp2_cert_result r;

	(void)state;
	smtp2_cert_verify(NULL, W.chain[L_P256][CH_NORMAL], BANK, NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_ERROR);
	assert_string_equal(r.reason, "no certificate store");
	smtp2_cert_verify(W.store[S_SOFT], NULL, BANK, NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_ERROR);
	assert_string_equal(r.reason, "no certificate");
	assert_false(r.chain_trusted);
}

/* test_status_names - every status has its own name */
static void
test_status_names(void **state)
{
	static const char *const want[] = { "ok", "untrusted", "expired",
		"not-yet-valid", "revoked", "revocation-unknown", "weak-key",
		"weak-signature", "name-mismatch", "error" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(smtp2_cert_status_name((enum smtp2_cert_status)i), want[i]);
	assert_string_equal(smtp2_cert_status_name((enum smtp2_cert_status)99), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_days_left),
		cmocka_unit_test(test_verify_errors),
		cmocka_unit_test(test_status_names),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
