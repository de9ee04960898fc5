/*
 * smtp2/tls.h - what the MTA tells us about the client's TLS session.
 *
 * Postfix hands colon-separated upper-case hex fingerprints and, only when
 * the chain verified, the subject CommonName; Sendmail hands {verify},
 * {cert_subject} and {cert_fp}.  Both are reduced to this one struct.
 */
#ifndef SMTP2_TLS_H
#define SMTP2_TLS_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP2_SHA256_LEN 32

struct smtp2_chain;

struct smtp2_tls_facts {
	bool	cert_presented;		/* a client certificate was seen */
	bool	cert_trusted;		/* the MTA verified its chain against its CAs */
	char	subject_cn[256];	/* "" when unknown or untrusted */
	bool	have_cert_sha256;	/* SHA-256 of the DER certificate (TLSA x 0 1) */
	unsigned char cert_sha256[SMTP2_SHA256_LEN];
	bool	have_spki_sha256;	/* SHA-256 of SubjectPublicKeyInfo (TLSA x 1 1) */
	unsigned char spki_sha256[SMTP2_SHA256_LEN];
	char	protocol[32];		/* "TLSv1.3", "" without TLS */
	char	cipher[96];
	char	issuer_cn[256];		/* CN of the leaf's issuer, "" when unknown */
	/* The whole chain, when the caller has it (smtp2-check, future MTAs):
	 * then every TLSA usage can be judged and PKIX is checked here, not
	 * taken on the MTA's word.  Borrowed; NULL under Postfix. */
	const struct smtp2_chain *chain;
};

void smtp2_tls_facts_init(struct smtp2_tls_facts *f);

/*
 * smtp2_fp_parse - decode "AB:CD:..." or "abcd..." hex into out.
 * Returns the number of bytes written, or -1 when the text is not hex or
 * does not fit.  Case-insensitive; colons optional but then between every
 * byte.
 */
int smtp2_fp_parse(const char *text, unsigned char *out, size_t outlen);

/* smtp2_fp_format - colon hex, upper case, like Postfix; buf >= 3*len. */
void smtp2_fp_format(const unsigned char *fp, size_t len, char *buf, size_t buflen);

#endif
