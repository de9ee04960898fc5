/*
 * fuzz_tlsa.c - TLSA rdata parsing and DANE matching on any bytes.
 *
 * The first octet picks the chain, the store and the domain; the rest is
 * cut into up to 8 records, each a length octet and that many octets of
 * rdata for smtp2_tlsa_parse.  A length octet with the top bit set takes
 * usage, selector and matching type from the next three octets instead,
 * with the association data of a certificate of the fixed PKI (a byte of
 * it flipped when bit 6 is set), so that matches are explored, not only
 * rejections.  The PKI (root, intermediate, leaf for mx.fuzz.test) and a
 * store trusting the root are made once at start-up, with fresh keys.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Library. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include <smtp2/dane.h>
#include <smtp2/tlsa.h>

#define FUZZ_RECORDS	8
#define FUZZ_CERTS	3		/* leaf, intermediate, root */
#define FUZZ_RDATA_MAX	4096
#define FUZZ_PINNED	0x80		/* length octet: "pin a cert" */
#define FUZZ_FLIP	0x40
#define DAY		(24L * 60 * 60)

/* What start-up made; read-only afterwards. */
static struct {
	X509		*certs[FUZZ_CERTS];
	/* Association data by certificate, selector, matching type. */
	unsigned char	*data[FUZZ_CERTS][2][3];
	size_t		len[FUZZ_CERTS][2][3];
	struct smtp2_chain *chains[2];	/* [leaf, inter], [leaf] */
	struct smtp2_cert_store *store;
} fz;

/* fuzz_cert - a certificate for the fixed PKI; dies on failure */
static X509 *
fuzz_cert(const char *cn, bool ca, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *ikey)
{
	X509	*x = X509_new();
	X509_EXTENSION *ext;
	X509V3_CTX ctx;

	if (x == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -DAY);
	X509_gmtime_adj(X509_getm_notAfter(x), 3650 * DAY);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, ca ? NID_basic_constraints :
	    NID_subject_alt_name, ca ? "critical,CA:TRUE" : "DNS:mx.fuzz.test");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1
	    || X509_sign(x, ikey ? ikey : key, EVP_sha256()) <= 0)
		abort();
	X509_EXTENSION_free(ext);
	return (x);
}

/* fuzz_assoc - the association data of one cert, selector, matching type */
static void
fuzz_assoc(int c, int s, int m)
{
	unsigned char *der = NULL, *out;
	unsigned int mdlen;
	int	len;

	len = s == 1 ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(fz.certs[c]), &der)
	    : i2d_X509(fz.certs[c], &der);
	if (len <= 0 || (out = malloc((size_t)len)) == NULL)
		abort();
	if (m == 0)
		memcpy(out, der, (size_t)len);
	else if (EVP_Digest(der, (size_t)len, out, &mdlen, m == 2 ?
	    EVP_sha512() : EVP_sha256(), NULL) == 1)
		len = (int)mdlen;
	else
		abort();
	OPENSSL_free(der);
	fz.data[c][s][m] = out;
	fz.len[c][s][m] = (size_t)len;
}

/* fuzz_chain - a presented chain of the first n of leaf, intermediate */
static struct smtp2_chain *
fuzz_chain(size_t n)
{
	unsigned char *der[2] = {NULL, NULL};
	size_t	len[2], i;
	struct smtp2_chain *c;
	char	why[256];

	for (i = 0; i < n; i++)
		len[i] = (size_t)i2d_X509(fz.certs[i], &der[i]);
	c = smtp2_chain_from_der((const unsigned char *const *)der, len, n,
	    why, sizeof(why));
	if (c == NULL)
		abort();
	for (i = 0; i < n; i++)
		OPENSSL_free(der[i]);
	return (c);
}

/* fuzz_store - a store trusting the root, read from a temporary file */
static struct smtp2_cert_store *
fuzz_store(void)
{
	struct smtp2_cert_opts o;
	struct smtp2_cert_store *s;
	char	path[] = "/tmp/fuzz_tlsa.XXXXXX", why[256];
	FILE	*f;
	int	fd;

	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL
	    || PEM_write_X509(f, fz.certs[2]) != 1 || fclose(f) != 0)
		abort();
	memset(&o, 0, sizeof(o));
	o.ca_file = path;
	s = smtp2_cert_store_new(&o, why, sizeof(why));
	unlink(path);
	if (s == NULL)
		abort();
	return (s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerInitialize - make the PKI, its association data, the store */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *k[FUZZ_CERTS];
	int	c, s, m;

	(void)argc;
	(void)argv;
	for (c = 0; c < FUZZ_CERTS; c++)
		if ((k[c] = EVP_EC_gen("P-256")) == NULL)
			abort();
	fz.certs[2] = fuzz_cert("Fuzz Root", true, k[2], NULL, NULL);
	fz.certs[1] = fuzz_cert("Fuzz CA", true, k[1], fz.certs[2], k[2]);
	fz.certs[0] = fuzz_cert("mx.fuzz.test", false, k[0], fz.certs[1], k[1]);
	for (c = 0; c < FUZZ_CERTS; c++) {
		EVP_PKEY_free(k[c]);
		for (s = 0; s < 2; s++)
			for (m = 0; m < 3; m++)
				fuzz_assoc(c, s, m);
	}
	fz.chains[0] = fuzz_chain(2);
	fz.chains[1] = fuzz_chain(1);
	fz.store = fuzz_store();
	return (0);
}

/* fuzz_pinned - rdata for "usage, selector, type of a known cert" */
static size_t
fuzz_pinned(uint8_t how, const uint8_t *p, unsigned char *rdata)
{
	int	c = (how & 0x3f) % FUZZ_CERTS, s = p[1] & 1, m = p[2] % 3;
	size_t	len = fz.len[c][s][m];

	memcpy(rdata, p, 3);
	memcpy(rdata + 3, fz.data[c][s][m], len);
	if (how & FUZZ_FLIP)
		rdata[3 + len / 2] ^= 0x01;
	return (3 + len);
}

/* fuzz_check - abort unless the outcome is one the header allows */
static void
fuzz_check(enum smtp2_pin_status st, size_t n, unsigned uneval,
    const struct smtp2_chain *chain, const char *why)
{
	const unsigned char *p;

	if (st != SMTP2_PIN_MATCH && st != SMTP2_PIN_NOMATCH
	    && st != SMTP2_PIN_UNUSABLE)
		abort();
	if (uneval > n || (n == 0 && st != SMTP2_PIN_UNUSABLE))
		abort();
	if (st == SMTP2_PIN_NOMATCH && uneval == n)
		abort();		/* "no match" needs a judged record */
	if (why[0] == '\0')
		abort();
	if (st == SMTP2_PIN_MATCH && chain == NULL)
		abort();		/* nothing presented matches nothing */
	for (p = (const unsigned char *)why; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();	/* a reason reaches logs and replies */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char rdata[FUZZ_RECORDS][FUZZ_RDATA_MAX];
	struct smtp2_tlsa rrs[FUZZ_RECORDS];
	const struct smtp2_chain *chain;
	const struct smtp2_cert_store *store;
	const char *domain;
	enum smtp2_pin_status st;
	size_t	n = 0, i = 1, len;
	unsigned uneval = 999;
	char	why[256];

	if (size < 1)
		return (0);
	chain = data[0] & 4 ? NULL : fz.chains[data[0] & 1];
	store = data[0] & 2 ? fz.store : NULL;
	domain = data[0] & 8 ? "fuzz.test" : data[0] & 16 ? NULL :
	    "mx.fuzz.test";

	while (n < FUZZ_RECORDS && i < size) {
		if ((data[i] & FUZZ_PINNED) && size - i > 3) {
			len = fuzz_pinned(data[i], data + i + 1, rdata[n]);
			i += 4;
		} else {
			len = data[i] & 0x7f;
			if (len > size - i - 1)
				len = size - i - 1;
			memcpy(rdata[n], data + i + 1, len);
			i += 1 + len;
		}
		/* Malformed rdata is skipped, as the verifier skips it. */
		if (smtp2_tlsa_parse(rdata[n], len, &rrs[n]) == 0)
			n++;
	}
	why[0] = '\0';
	st = smtp2_dane_match(rrs, n, chain, store, domain, &uneval, why,
	    sizeof(why));
	fuzz_check(st, n, uneval, chain, why);

	/* The same without optional outputs, and into a one-byte buffer. */
	if (smtp2_dane_match(rrs, n, chain, store, domain, NULL, NULL, 0) != st)
		abort();
	(void)smtp2_dane_match(rrs, n, chain, store, domain, NULL, why, 1);
	if (why[0] != '\0')
		abort();
	return (0);
}
