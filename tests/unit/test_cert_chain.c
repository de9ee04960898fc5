/*
 * test_cert_chain.c - chains from PEM, files and DER; the facts taken
 * from them; stores that cannot be built, with the reason why.
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
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include <smtp2/tls.h>
#include "cert_pki.h"

#define T0	((time_t)1893456000)	/* 2030-01-01 00:00:00 UTC */
#define DAY	PKI_DAY

static struct {
	char	dir[64];
	EVP_PKEY *kroot, *kinter, *kleaf;
	X509	*root, *inter, *leaf, *badcn;
	X509_CRL *crl;
	char	*pem_leaf, *pem_inter, *pem_crl;	/* one block each */
} P;

/* path_of - name in the temporary directory */
static const char *
path_of(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", P.dir, name);
	return (buf);
}

/* put - text into a file of the temporary directory; 0 or -1 */
static int
put(const char *name, const char *text)
{
	char	path[128];
	FILE	*fp;

	if ((fp = fopen(path_of(name, path, sizeof(path)), "w")) == NULL)
		return (-1);
	fputs(text, fp);
	return (fclose(fp) == 0 ? 0 : -1);
}

/* setup - root, intermediate, a leaf, a CRL, and the files made of them */
static int
setup(void **state)
{
	struct pki_spec ca = {"smtp2 Test Root", NULL, T0 - 400 * DAY, T0 + 3650 * DAY,
		true, NULL, NULL, 1};
	struct pki_spec in = {"smtp2 Test Intermediate", NULL, T0 - 400 * DAY,
		T0 + 1825 * DAY, true, NULL, NULL, 2};
	struct pki_spec lf = {"mx.bank.test", "DNS:mx.bank.test", T0 - 30 * DAY,
		T0 + 335 * DAY, false, NULL, NULL, 3};
	struct pki_spec bad = {"mx\x01.bank.test", NULL, T0 - 30 * DAY,
		T0 + 335 * DAY, false, NULL, NULL, 4};
	char	certs[128];

	(void)state;
	snprintf(P.dir, sizeof(P.dir), "/tmp/smtp2-test-chain-XXXXXX");
	if (mkdtemp(P.dir) == NULL || (P.kroot = pki_key("p256")) == NULL
	    || (P.kinter = pki_key("p256")) == NULL || (P.kleaf = pki_key("p256")) == NULL
	    || (P.root = pki_cert(&ca, P.kroot, NULL, NULL)) == NULL
	    || (P.inter = pki_cert(&in, P.kinter, P.root, P.kroot)) == NULL
	    || (P.leaf = pki_cert(&lf, P.kleaf, P.inter, P.kinter)) == NULL
	    || (P.badcn = pki_cert(&bad, P.kleaf, P.inter, P.kinter)) == NULL
	    || (P.crl = pki_crl(P.root, P.kroot, T0 - DAY, T0 + 7 * DAY, NULL, 0)) == NULL
	    || (P.pem_leaf = pki_pem(&P.leaf, 1, NULL, 0, NULL)) == NULL
	    || (P.pem_inter = pki_pem(&P.inter, 1, NULL, 0, NULL)) == NULL
	    || (P.pem_crl = pki_pem(NULL, 0, &P.crl, 1, NULL)) == NULL)
		return (-1);
	if (pki_write(path_of("root.pem", certs, sizeof(certs)), &P.root, 1, NULL, 0) < 0
	    || mkdir(path_of("certs", certs, sizeof(certs)), 0700) < 0)
		return (-1);
	return (0);
}

/* teardown - files, directory, objects */
static int
teardown(void **state)
{
	static const char *const files[] = { "root.pem", "chain.pem", "empty.pem",
		"broken.pem", "crl.pem", "text.pem", "mixed.pem", "certonly.pem" };
	char	path[128];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(path_of(files[i], path, sizeof(path)));
	rmdir(path_of("certs", path, sizeof(path)));
	rmdir(P.dir);
	X509_free(P.root);
	X509_free(P.inter);
	X509_free(P.leaf);
	X509_free(P.badcn);
	X509_CRL_free(P.crl);
	EVP_PKEY_free(P.kroot);
	EVP_PKEY_free(P.kinter);
	EVP_PKEY_free(P.kleaf);
	free(P.pem_leaf);
	free(P.pem_inter);
	free(P.pem_crl);
	return (0);
}

/* cat - concatenation of up to n strings (malloc'd) */
static char *
cat(const char *const *parts, size_t n)
{
	size_t	i, len = 1;
	char	*out;

	for (i = 0; i < n; i++)
		len += strlen(parts[i]);
	if ((out = malloc(len)) == NULL)
		return (NULL);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		strcat(out, parts[i]);
	return (out);
}

/* repeat - the leaf's PEM block n times */
static char *
repeat(size_t n)
{
	const char *parts[20];
	size_t	i;

	for (i = 0; i < n && i < 20; i++)
		parts[i] = P.pem_leaf;
	return (cat(parts, i));
}

/* broken - the intermediate's block with one base64 character spoilt */
static char *
broken(void)
{
	char	*s = strdup(P.pem_inter), *body;

	if (s != NULL && (body = strchr(s, '\n')) != NULL)
		body[10] = '!';
	return (s);
}

/* truncated - the intermediate's block without its END line */
static char *
truncated(void)
{
	char	*s = strdup(P.pem_inter), *end;

	if (s != NULL && (end = strstr(s, "-----END")) != NULL)
		*end = '\0';
	return (s);
}

enum pem_text { T_TWO, T_AROUND, T_NOBLOCK, T_BROKEN2, T_TRUNC2, T_SIXTEEN,
	T_SEVENTEEN, T_CRLONLY, T_BADDER, T_COUNT };

/* pem_text - the text of one case (malloc'd) */
static char *
pem_text(enum pem_text t)
{
	const char *parts[5];
	char	*a, *out;

	switch (t) {
	case T_TWO:
		parts[0] = P.pem_leaf, parts[1] = P.pem_inter;
		return (cat(parts, 2));
	case T_AROUND:
		parts[0] = "subject=CN = mx.bank.test\n", parts[1] = P.pem_leaf;
		parts[2] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
		parts[3] = P.pem_inter, parts[4] = "trailing words\n";
		return (cat(parts, 5));
	case T_NOBLOCK:
		return (strdup("hello, world\n"));
	case T_BROKEN2:
	case T_TRUNC2:
		a = t == T_BROKEN2 ? broken() : truncated();
		parts[0] = P.pem_leaf, parts[1] = a != NULL ? a : "";
		out = cat(parts, 2);
		free(a);
		return (out);
	case T_SIXTEEN:
		return (repeat(16));
	case T_SEVENTEEN:
		return (repeat(17));
	case T_CRLONLY:
		return (strdup(P.pem_crl));
	case T_BADDER:
		return (strdup("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
	default:
		return (NULL);
	}
}

struct pem_case {
	const char	*name;
	enum pem_text	text;
	size_t		want;		/* certificates; 0: NULL wanted */
	const char	*why;		/* substring, when NULL is wanted */
};

static const struct pem_case pem_cases[] = {
	{"leaf and intermediate", T_TWO, 2, NULL},
	{"words and a key around", T_AROUND, 2, NULL},
	{"no block", T_NOBLOCK, 0, "no certificate in the PEM text"},
	{"spoilt base64 in block 2", T_BROKEN2, 0, "PEM certificate 2: "},
	{"block 2 without its END", T_TRUNC2, 0, "PEM certificate 2: "},
	{"sixteen certificates", T_SIXTEEN, 16, NULL},
	{"seventeen certificates", T_SEVENTEEN, 0, "more than 16 certificates"},
	{"a CRL only", T_CRLONLY, 0, "no certificate in the PEM text"},
	{"DER garbage in a block", T_BADDER, 0, "PEM certificate 1: "},
};

/* test_pem - every case of the table */
static void
test_pem(void **state)
{
	const struct pem_case *pc;
	struct smtp2_chain *c;
	char	why[256], *text;
	size_t	i;
	int	bad = 0;

	(void)state;
	for (i = 0; i < sizeof(pem_cases) / sizeof(pem_cases[0]); i++) {
		pc = &pem_cases[i];
		assert_non_null(text = pem_text(pc->text));
		why[0] = '\0';
		c = smtp2_chain_from_pem(text, strlen(text), why, sizeof(why));
		if (smtp2_chain_len(c) != pc->want || (c == NULL) != (pc->want == 0)
		    || (pc->why != NULL && strstr(why, pc->why) == NULL)) {
			print_error("case \"%s\": %zu certificates, why \"%s\"\n",
			    pc->name, smtp2_chain_len(c), why);
			bad++;
		}
		smtp2_chain_free(c);
		free(text);
	}
	assert_int_equal(bad, 0);
}

/* test_pem_edges - empty and oversized input, no reason buffer */
static void
test_pem_edges(void **state)
{
	char	why[256];

	(void)state;
	assert_null(smtp2_chain_from_pem("", 0, why, sizeof(why)));
	assert_string_equal(why, "empty PEM text");
	assert_null(smtp2_chain_from_pem(NULL, 5, why, sizeof(why)));
	assert_null(smtp2_chain_from_pem("x", (size_t)2 << 20, why, sizeof(why)));
	assert_string_equal(why, "PEM text over 1048576 bytes");
	assert_null(smtp2_chain_from_pem("hello", 5, NULL, 0));
	assert_int_equal(smtp2_chain_len(NULL), 0);
	smtp2_chain_free(NULL);
}

/* test_der - DER lists: exact lengths only */
static void
test_der(void **state)
{
	const unsigned char *der[SMTP2_CHAIN_MAX + 1];
	unsigned char *leaf, *inter, *padded;
	struct smtp2_chain *c;
	size_t	len[SMTP2_CHAIN_MAX + 1], ll, il, i;
	char	why[256];

	(void)state;
	assert_non_null(leaf = pki_der(P.leaf, &ll));
	assert_non_null(inter = pki_der(P.inter, &il));
	der[0] = leaf, len[0] = ll, der[1] = inter, len[1] = il;
	assert_non_null(c = smtp2_chain_from_der(der, len, 2, why, sizeof(why)));
	assert_int_equal(smtp2_chain_len(c), 2);
	smtp2_chain_free(c);

	/* Three bytes too many after the intermediate. */
	assert_non_null(padded = calloc(1, il + 3));
	memcpy(padded, inter, il);
	der[1] = padded, len[1] = il + 3;
	assert_null(smtp2_chain_from_der(der, len, 2, why, sizeof(why)));
	assert_string_equal(why, "DER certificate 2: 3 bytes after it");
	/* Cut short. */
	len[1] = il - 1;
	assert_null(smtp2_chain_from_der(der, len, 2, why, sizeof(why)));
	assert_non_null(strstr(why, "DER certificate 2: "));
	der[0] = NULL;
	assert_null(smtp2_chain_from_der(der, len, 2, why, sizeof(why)));
	assert_string_equal(why, "DER certificate 1: empty");
	assert_null(smtp2_chain_from_der(der, len, 0, why, sizeof(why)));
	assert_string_equal(why, "no certificate");
	for (i = 0; i <= SMTP2_CHAIN_MAX; i++)
		der[i] = leaf, len[i] = ll;
	assert_null(smtp2_chain_from_der(der, len, SMTP2_CHAIN_MAX + 1, why, sizeof(why)));
	assert_string_equal(why, "more than 16 certificates");
	assert_non_null(c = smtp2_chain_from_der(der, len, SMTP2_CHAIN_MAX, why, sizeof(why)));
	smtp2_chain_free(c);
	free(padded);
	OPENSSL_free(leaf);
	OPENSSL_free(inter);
}

/* test_file - a chain file, and files that are not one */
static void
test_file(void **state)
{
	struct smtp2_chain *c;
	char	path[128], why[256], *text;

	(void)state;
	assert_non_null(text = pem_text(T_TWO));
	assert_int_equal(put("chain.pem", text), 0);
	free(text);
	assert_non_null(c = smtp2_chain_from_file(path_of("chain.pem", path,
	    sizeof(path)), why, sizeof(why)));
	assert_int_equal(smtp2_chain_len(c), 2);
	smtp2_chain_free(c);

	assert_null(smtp2_chain_from_file(path_of("missing.pem", path, sizeof(path)),
	    why, sizeof(why)));
	assert_non_null(strstr(why, "missing.pem: No such file or directory"));
	assert_null(smtp2_chain_from_file(path_of("certs", path, sizeof(path)),
	    why, sizeof(why)));
	assert_non_null(strstr(why, "certs: not a regular file"));
	assert_int_equal(put("empty.pem", ""), 0);
	assert_null(smtp2_chain_from_file(path_of("empty.pem", path, sizeof(path)),
	    why, sizeof(why)));
	assert_non_null(strstr(why, "empty.pem: empty"));
	assert_non_null(text = pem_text(T_BROKEN2));
	assert_int_equal(put("broken.pem", text), 0);
	free(text);
	assert_null(smtp2_chain_from_file(path_of("broken.pem", path, sizeof(path)),
	    why, sizeof(why)));
	assert_non_null(strstr(why, "broken.pem: PEM certificate 2: "));
	assert_null(smtp2_chain_from_file(NULL, why, sizeof(why)));
}

/* test_facts - fingerprints as TLSA x 0 1 and x 1 1 would compute them */
static void
test_facts(void **state)
{
	unsigned char want[SMTP2_SHA256_LEN], *spki = NULL;
	struct smtp2_tls_facts f;
	struct smtp2_chain *c;
	unsigned int n;
	char	*text;
	int	len;

	(void)state;
	assert_non_null(text = pem_text(T_TWO));
	assert_non_null(c = smtp2_chain_from_pem(text, strlen(text), NULL, 0));
	free(text);
	smtp2_tls_facts_init(&f);
	strcpy(f.protocol, "TLSv1.3");
	smtp2_chain_facts(c, &f);
	assert_true(f.cert_presented);
	assert_false(f.cert_trusted);
	assert_ptr_equal(f.chain, c);
	assert_string_equal(f.protocol, "TLSv1.3");
	assert_string_equal(f.subject_cn, "mx.bank.test");
	assert_string_equal(f.issuer_cn, "smtp2 Test Intermediate");
	assert_true(f.have_cert_sha256);
	assert_int_equal(X509_digest(P.leaf, EVP_sha256(), want, &n), 1);
	assert_memory_equal(f.cert_sha256, want, sizeof(want));
	assert_true(f.have_spki_sha256);
	assert_true((len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(P.leaf), &spki)) > 0);
	assert_int_equal(EVP_Digest(spki, (size_t)len, want, &n, EVP_sha256(), NULL), 1);
	assert_memory_equal(f.spki_sha256, want, sizeof(want));
	OPENSSL_free(spki);
	smtp2_chain_free(c);

	smtp2_chain_facts(NULL, &f);
	assert_false(f.cert_presented);
	assert_false(f.have_cert_sha256);
	assert_null(f.chain);
	assert_string_equal(f.subject_cn, "");
}

/* test_facts_bad_cn - a CN with a control byte is not repeated */
static void
test_facts_bad_cn(void **state)
{
	struct smtp2_tls_facts f;
	struct smtp2_chain *c;
	char	*text;

	(void)state;
	assert_non_null(text = pki_pem(&P.badcn, 1, NULL, 0, NULL));
	assert_non_null(c = smtp2_chain_from_pem(text, strlen(text), NULL, 0));
	free(text);
	smtp2_tls_facts_init(&f);
	smtp2_chain_facts(c, &f);
	assert_true(f.cert_presented);
	assert_string_equal(f.subject_cn, "");
	assert_string_equal(f.issuer_cn, "smtp2 Test Intermediate");
	smtp2_chain_free(c);
}

struct store_case {
	const char	*name;
	const char	*ca_file, *ca_dir, *crl_file;	/* in the temp dir */
	const char	*why;		/* NULL: the store builds */
};

static const struct store_case store_cases[] = {
	{"CA file", "root.pem", NULL, NULL, NULL},
	{"CA file and CRL file", "root.pem", NULL, "crl.pem", NULL},
	{"CA directory", NULL, "certs", NULL, NULL},
	{"both", "root.pem", "certs", NULL, NULL},
	{"no CAs", NULL, NULL, "crl.pem", "no CAs: neither ca_file nor ca_dir is set"},
	{"missing CA file", "missing.pem", NULL, NULL, "missing.pem: No such file or directory"},
	{"CA file with a CRL only", "crl.pem", NULL, NULL, "crl.pem holds no certificate"},
	{"CA file with words only", "text.pem", NULL, NULL, "text.pem holds no certificate"},
	{"CA file spoilt", "broken.pem", NULL, NULL, "broken.pem: not readable as PEM: "},
	{"CRL file with certificates only", "root.pem", NULL, "certonly.pem",
	 "certonly.pem holds no CRL"},
	{"missing CRL file", "root.pem", NULL, "missing.pem",
	 "missing.pem: No such file or directory"},
	{"missing CA directory", NULL, "nodir", NULL, "nodir: No such file or directory"},
	{"CA directory is a file", NULL, "root.pem", NULL, "root.pem: not a directory"},
};

/* test_store_errors - each store that must not build says why */
static void
test_store_errors(void **state)
{
	const struct store_case *sc;
	struct smtp2_cert_store *s;
	struct smtp2_cert_opts o;
	char	a[128], b[128], c[128], why[256], *text;
	size_t	i;
	int	bad = 0;

	(void)state;
	assert_int_equal(put("crl.pem", P.pem_crl), 0);
	assert_int_equal(put("text.pem", "no PEM here\n"), 0);
	assert_int_equal(put("certonly.pem", P.pem_inter), 0);
	assert_non_null(text = pem_text(T_BROKEN2));
	assert_int_equal(put("broken.pem", text), 0);
	free(text);
	for (i = 0; i < sizeof(store_cases) / sizeof(store_cases[0]); i++) {
		sc = &store_cases[i];
		memset(&o, 0, sizeof(o));
		o.ca_file = sc->ca_file ? path_of(sc->ca_file, a, sizeof(a)) : NULL;
		o.ca_dir = sc->ca_dir ? path_of(sc->ca_dir, b, sizeof(b)) : NULL;
		o.crl_file = sc->crl_file ? path_of(sc->crl_file, c, sizeof(c)) : NULL;
		why[0] = '\0';
		s = smtp2_cert_store_new(&o, why, sizeof(why));
		if ((s == NULL) != (sc->why != NULL)
		    || (sc->why != NULL && strstr(why, sc->why) == NULL)) {
			print_error("case \"%s\": store %p, why \"%s\"\n", sc->name,
			    (void *)s, why);
			bad++;
		}
		smtp2_cert_store_free(s);
	}
	assert_int_equal(bad, 0);
	assert_null(smtp2_cert_store_new(NULL, NULL, 0));
	smtp2_cert_store_free(NULL);
}

/* test_crl_file_no_anchor - a CA certificate in crl_file is not trusted */
static void
test_crl_file_no_anchor(void **state)
{
	struct smtp2_cert_result r;
	struct smtp2_cert_store *s;
	struct smtp2_cert_opts o;
	struct smtp2_chain *c;
	char	ca[128], crl[128], *text, *root, *other;
	const char *parts[2];

	(void)state;
	/* crl_file: the root's CRL and the root itself; ca_file: a stranger. */
	assert_non_null(root = pki_pem(&P.root, 1, NULL, 0, NULL));
	assert_non_null(other = pki_pem(&P.badcn, 1, NULL, 0, NULL));
	parts[0] = P.pem_crl;
	parts[1] = root;
	assert_non_null(text = cat(parts, 2));
	assert_int_equal(put("mixed.pem", text), 0);
	assert_int_equal(put("certonly.pem", other), 0);
	free(text);
	free(root);
	free(other);
	memset(&o, 0, sizeof(o));
	o.ca_file = path_of("certonly.pem", ca, sizeof(ca));
	o.crl_file = path_of("mixed.pem", crl, sizeof(crl));
	o.now = T0;
	assert_non_null(s = smtp2_cert_store_new(&o, NULL, 0));
	assert_non_null(text = pem_text(T_TWO));
	assert_non_null(c = smtp2_chain_from_pem(text, strlen(text), NULL, 0));
	free(text);
	smtp2_cert_verify(s, c, "bank.test", NULL, 0, &r);
	assert_int_equal(r.status, SMTP2_CERT_UNTRUSTED);
	assert_non_null(strstr(r.reason, "(issuer \"smtp2 Test Root\" not found"));
	smtp2_chain_free(c);
	smtp2_cert_store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem),
		cmocka_unit_test(test_pem_edges),
		cmocka_unit_test(test_der),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_facts_bad_cn),
		cmocka_unit_test(test_store_errors),
		cmocka_unit_test(test_crl_file_no_anchor),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
