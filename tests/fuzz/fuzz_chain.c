/*
 * fuzz_chain.c - chains from any bytes, the facts taken from them, and
 * name matching over each certificate's SANs and CN; no store.
 *
 * The input is parsed as PEM text, then as a list of DER certificates,
 * each prefixed by a two-byte big-endian length.  For every certificate
 * parsed, the name check runs against fixed domains and one taken from
 * the input's tail.  Beyond not crashing, the promises: chains of 1 to
 * SMTP2_CHAIN_MAX certificates, a reason whenever parsing fails, reasons
 * and CNs in printable ASCII, a matched name that does match, and
 * within-matching never stricter than exact matching.
 *
 * Uses the library's internals (cert_util.h, cert_int.h: the chain's
 * certificates and the name check): a fuzz target may look inside.
 */

/* System library. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include <smtp2/tls.h>
#include "../../lib/src/cert_util.h"

#define FUZZ_DER_MAX	4
#define FUZZ_DOMAIN_MAX	64

/* fuzz_printable - abort unless s is printable ASCII */
static void
fuzz_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			abort();
}

/* fuzz_names - the name check of cert against domain keeps its promises */
static void
fuzz_names(X509 *cert, const char *domain)
{
	struct smtp2_cert_result r;

	memset(&r, 0, sizeof(r));
	if (smtp2_cert_names_check(cert, domain, &r) == 0) {
		if (!smtp2_cert_name_match(r.matched_name, domain, true))
			abort();
	} else {
		if (r.status != SMTP2_CERT_NAME_MISMATCH || r.reason[0] == '\0')
			abort();
		fuzz_printable(r.reason);
	}
}

/* fuzz_chain - facts and names of every certificate of a parsed chain */
static void
fuzz_chain(struct smtp2_chain *c, const char *why, const char *domain)
{
	static const char *const fixed[] = { "bank.test", "mx.bank.test", "test" };
	struct smtp2_tls_facts f;
	size_t	i, j, n = smtp2_chain_len(c);

	if (c == NULL) {
		if (why[0] == '\0')
			abort();
		fuzz_printable(why);
		return;
	}
	if (n == 0 || n > SMTP2_CHAIN_MAX)
		abort();
	smtp2_tls_facts_init(&f);
	smtp2_chain_facts(c, &f);
	if (!f.cert_presented || f.chain != c)
		abort();
	fuzz_printable(f.subject_cn);
	fuzz_printable(f.issuer_cn);
	for (i = 0; i < n; i++) {
		X509	*x = sk_X509_value(c->certs, (int)i);

		for (j = 0; j < sizeof(fixed) / sizeof(fixed[0]); j++)
			fuzz_names(x, fixed[j]);
		if (domain[0] != '\0')
			fuzz_names(x, domain);
	}
	smtp2_chain_free(c);
}

/* fuzz_der - the input as length-prefixed DER certificates */
static struct smtp2_chain *
fuzz_der(const uint8_t *data, size_t size, char *why, size_t whylen)
{
	const unsigned char *der[FUZZ_DER_MAX];
	size_t	len[FUZZ_DER_MAX], n = 0, l;

	while (n < FUZZ_DER_MAX && size >= 2) {
		l = (size_t)data[0] << 8 | data[1];
		data += 2, size -= 2;
		if (l > size)
			l = size;
		der[n] = data, len[n] = l, n++;
		data += l, size -= l;
	}
	return (smtp2_chain_from_der(der, len, n, why, whylen));
}

/* fuzz_domain - the input's last line, at most FUZZ_DOMAIN_MAX bytes */
static void
fuzz_domain(const uint8_t *data, size_t size, char *out)
{
	size_t	start = size, len;

	while (start > 0 && data[start - 1] != '\n' && size - start < FUZZ_DOMAIN_MAX)
		start--;
	len = size - start;
	memcpy(out, data + start, len);
	out[len] = '\0';
	if (strlen(out) != len)
		out[0] = '\0';			/* a NUL inside: no domain */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	why[256], domain[FUZZ_DOMAIN_MAX + 1], *nul;

	fuzz_domain(data, size, domain);
	why[0] = '\0';
	fuzz_chain(smtp2_chain_from_pem((const char *)data, size, why, sizeof(why)),
	    why, domain);
	why[0] = '\0';
	fuzz_chain(fuzz_der(data, size, why, sizeof(why)), why, domain);

	/* The last line as "pattern host": within never refuses what exact takes. */
	if ((nul = strchr(domain, ' ')) != NULL) {
		*nul = '\0';
		if (smtp2_cert_name_match(domain, nul + 1, false)
		    && !smtp2_cert_name_match(domain, nul + 1, true))
			abort();
	}
	return (0);
}
