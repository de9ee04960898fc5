/*
 * cert_bench.c - smtp2_cert_verify per second, cold and cached, beside the
 * raw signature verification rate of the same key type, measured in the
 * same run on the same machine.
 *
 *   cert_bench [seconds per measurement, default 2]
 *
 * For RSA-2048 and P-256 a CA and a leaf of that key type are made in
 * memory (the CA file goes to a temporary directory, as the store reads
 * files).  Measured:
 *   cold    - smtp2_chain_from_pem + smtp2_cert_verify + free, each time:
 *             what a verification of a never-seen chain costs;
 *   parsed  - smtp2_cert_verify alone on a parsed chain, no cache (cold
 *             minus parsing, which OpenSSL 3.0 makes slow: d2i_X509
 *             decodes the public key through its provider machinery);
 *   cached  - smtp2_cert_verify_cached on a parsed chain (a hit);
 *   cached+parse - the same, parsing the PEM each time (a new connection
 *             presenting a known chain);
 *   raw     - EVP_DigestVerify of the leaf's signature with the CA's key:
 *             the one public-key operation a cold verification cannot
 *             avoid (the peer the ratios are against).
 * Ratios are printed, never asserted.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Library. */
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "../tests/unit/cert_pki.h"

#define BENCH_DOMAIN	"bank.test"

/* One key type's material. */
struct bench_pki {
	const char	*kind;		/* pki_key() name */
	EVP_PKEY	*cakey, *leafkey;
	X509		*ca, *leaf;
	char		*pem;		/* the leaf */
	struct smtp2_cert_store *store;
	char		ca_path[96];
};

/* What is measured: one call of the operation. */
typedef int (*bench_op)(struct bench_pki *b, void *arg);

/* bench_now - monotonic seconds */
static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* bench_rate - calls of op per second over secs; -1 when op fails */
static double
bench_rate(struct bench_pki *b, bench_op op, void *arg, double secs)
{
	double	start = bench_now(), t;
	unsigned long n = 0;
	int	i;

	do {
		for (i = 0; i < 32; i++, n++)
			if (op(b, arg) < 0)
				return (-1);
		t = bench_now() - start;
	} while (t < secs);
	return ((double)n / t);
}

/* op_cold - parse the PEM, verify, free */
static int
op_cold(struct bench_pki *b, void *arg)
{
	struct smtp2_cert_result r;
	struct smtp2_chain *c;

	(void)arg;
	if ((c = smtp2_chain_from_pem(b->pem, strlen(b->pem), NULL, 0)) == NULL)
		return (-1);
	smtp2_cert_verify(b->store, c, BENCH_DOMAIN, NULL, 0, &r);
	smtp2_chain_free(c);
	return (r.status == SMTP2_CERT_OK ? 0 : -1);
}

/* op_parsed - verify an already parsed chain, no cache */
static int
op_parsed(struct bench_pki *b, void *arg)
{
	struct smtp2_cert_result r;

	smtp2_cert_verify(b->store, arg, BENCH_DOMAIN, NULL, 0, &r);
	return (r.status == SMTP2_CERT_OK ? 0 : -1);
}

/* Arguments of the cached measurements. */
struct bench_cached {
	struct smtp2_cert_cache *cache;
	struct smtp2_chain *chain;	/* NULL: parse each time */
};

/* op_cached - verify through the cache (parsing first, without a chain) */
static int
op_cached(struct bench_pki *b, void *arg)
{
	struct bench_cached *bc = arg;
	struct smtp2_cert_result r;
	struct smtp2_chain *c = bc->chain;

	if (c == NULL && (c = smtp2_chain_from_pem(b->pem, strlen(b->pem),
	    NULL, 0)) == NULL)
		return (-1);
	smtp2_cert_verify_cached(bc->cache, b->store, c, BENCH_DOMAIN, NULL, 0, &r);
	if (c != bc->chain)
		smtp2_chain_free(c);
	return (r.status == SMTP2_CERT_OK ? 0 : -1);
}

/* The leaf's to-be-signed bytes and signature, for the raw peer. */
struct bench_raw {
	unsigned char	*tbs;
	int		tbslen;
	const ASN1_BIT_STRING *sig;
	EVP_MD_CTX	*md;
};

/* op_raw - one EVP_DigestVerify of the leaf's signature */
static int
op_raw(struct bench_pki *b, void *arg)
{
	struct bench_raw *br = arg;

	if (EVP_DigestVerifyInit(br->md, NULL, EVP_sha256(), NULL, b->cakey) != 1
	    || EVP_DigestVerify(br->md, br->sig->data, (size_t)br->sig->length,
	    br->tbs, (size_t)br->tbslen) != 1)
		return (-1);
	return (0);
}

/* bench_make - CA and leaf of one key type, the CA file, the store */
static int
bench_make(struct bench_pki *b, const char *dir)
{
	time_t	now = time(NULL);
	struct pki_spec ca = {"bench CA", NULL, now - 86400, now + 86400 * 365,
		true, NULL, NULL, 1};
	struct pki_spec lf = {"mx.bank.test", "DNS:mx.bank.test", now - 86400,
		now + 86400 * 90, false, NULL, NULL, 2};
	struct smtp2_cert_opts o;
	char	why[256];

	snprintf(b->ca_path, sizeof(b->ca_path), "%s/%s-ca.pem", dir, b->kind);
	if ((b->cakey = pki_key(b->kind)) == NULL || (b->leafkey = pki_key(b->kind)) == NULL
	    || (b->ca = pki_cert(&ca, b->cakey, NULL, NULL)) == NULL
	    || (b->leaf = pki_cert(&lf, b->leafkey, b->ca, b->cakey)) == NULL
	    || (b->pem = pki_pem(&b->leaf, 1, NULL, 0, NULL)) == NULL
	    || pki_write(b->ca_path, &b->ca, 1, NULL, 0) < 0)
		return (-1);
	memset(&o, 0, sizeof(o));
	o.ca_file = b->ca_path;
	o.clock_skew = 300;
	if ((b->store = smtp2_cert_store_new(&o, why, sizeof(why))) == NULL) {
		fprintf(stderr, "cert_bench: %s\n", why);
		return (-1);
	}
	return (0);
}

/* bench_free - everything bench_make made */
static void
bench_free(struct bench_pki *b)
{
	unlink(b->ca_path);
	smtp2_cert_store_free(b->store);
	free(b->pem);
	X509_free(b->leaf);
	X509_free(b->ca);
	EVP_PKEY_free(b->leafkey);
	EVP_PKEY_free(b->cakey);
}

/* bench_one - the four rates of one key type, printed with ratios */
static int
bench_one(struct bench_pki *b, double secs)
{
	struct bench_cached hot = {NULL, NULL}, fresh = {NULL, NULL};
	struct bench_raw raw = {NULL, 0, NULL, NULL};
	double	cold, parsed, cached, cparse, peer;
	int	rc = -1;

	X509_get0_signature(&raw.sig, NULL, b->leaf);
	if ((raw.tbslen = i2d_re_X509_tbs(b->leaf, &raw.tbs)) <= 0
	    || (raw.md = EVP_MD_CTX_new()) == NULL
	    || (hot.cache = fresh.cache = smtp2_cert_cache_new(1024, 0)) == NULL
	    || (hot.chain = smtp2_chain_from_pem(b->pem, strlen(b->pem), NULL, 0)) == NULL)
		goto done;
	if ((peer = bench_rate(b, op_raw, &raw, secs)) < 0
	    || (cold = bench_rate(b, op_cold, NULL, secs)) < 0
	    || (parsed = bench_rate(b, op_parsed, hot.chain, secs)) < 0
	    || (cached = bench_rate(b, op_cached, &hot, secs)) < 0
	    || (cparse = bench_rate(b, op_cached, &fresh, secs)) < 0) {
		fprintf(stderr, "cert_bench: %s: a verification failed\n", b->kind);
		goto done;
	}
	printf("%-8s raw EVP_DigestVerify %9.0f/s (peer)\n", b->kind, peer);
	printf("%-8s cold verify          %9.0f/s  %6.2fx raw\n", b->kind, cold, cold / peer);
	printf("%-8s verify, parsed chain %9.0f/s  %6.2fx raw\n", b->kind, parsed,
	    parsed / peer);
	printf("%-8s cached verify        %9.0f/s  %6.2fx raw  %6.1fx cold\n", b->kind,
	    cached, cached / peer, cached / cold);
	printf("%-8s cached + PEM parse   %9.0f/s  %6.2fx raw  %6.1fx cold\n", b->kind,
	    cparse, cparse / peer, cparse / cold);
	rc = 0;
done:
	smtp2_chain_free(hot.chain);
	smtp2_cert_cache_free(hot.cache);
	EVP_MD_CTX_free(raw.md);
	OPENSSL_free(raw.tbs);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct bench_pki pki[2] = {{.kind = "rsa2048"}, {.kind = "p256"}};
	char	dir[] = "/tmp/smtp2-cert-bench-XXXXXX";
	double	secs = argc > 1 ? atof(argv[1]) : 2.0;
	int	i, rc = 0;

	if (secs <= 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: cert_bench [seconds > 0]\n");
		return (2);
	}
	printf("smtp2_cert_verify, %.1f s per measurement, domain %s, %s\n", secs,
	    BENCH_DOMAIN, OpenSSL_version(OPENSSL_VERSION));
	for (i = 0; i < 2; i++) {
		if (bench_make(&pki[i], dir) < 0 || bench_one(&pki[i], secs) < 0) {
			fprintf(stderr, "cert_bench: %s: setup failed\n", pki[i].kind);
			rc = 1;
		}
		bench_free(&pki[i]);
	}
	rmdir(dir);
	return (rc);
}
