/*
 * tlsfacts.h - the client's TLS session as the MTA's milter macros
 * describe it, reduced to struct smtp2_tls_facts.
 *
 * Sendmail 8.17: {verify} is OK or TRUSTED (DANE) when the chain
 * verified; {cert_subject} is the full DN and {cn_subject} the CN, both
 * xtext-encoded; {cert_fp} is the certificate digest in the algorithm of
 * CertFingerprintAlgorithm, {cert_md5} the MD5 one.  Only a 32-byte digest
 * (SHA-256 of the DER certificate, what TLSA "x 0 1" holds) can meet a
 * pin; MD5 never can.
 *
 * Postfix: no {verify} and no fingerprint at all; {cert_subject} is the
 * CN and is sent only when the chain verified, so its presence means
 * "trusted".  Fingerprint-based verdicts come from smtp2-policyd.
 */
#ifndef SMTP2_MILTER_TLSFACTS_H
#define SMTP2_MILTER_TLSFACTS_H

#include <stdbool.h>

#include <smtp2/tls.h>

/* The macro values; NULL for a macro the MTA did not send. */
struct tls_macros {
	const char	*verify;	/* {verify} (Sendmail only) */
	const char	*cert_subject;	/* {cert_subject} */
	const char	*cn_subject;	/* {cn_subject} (Sendmail only) */
	const char	*cert_fp;	/* {cert_fp} (Sendmail only) */
	const char	*cert_md5;	/* {cert_md5} (Sendmail only) */
	const char	*tls_version;	/* {tls_version} */
	const char	*cipher;	/* {cipher} */
	const char	*cert_issuer;	/* {cert_issuer}: Postfix CN, Sendmail DN */
	const char	*cn_issuer;	/* {cn_issuer} (Sendmail only) */
};

/*
 * milter_tls_from_macros - fill f (initialised here) from m.  Returns true
 * when the macros are Sendmail's ({verify} was sent), which also says the
 * milter can verify alone.  A subject that does not decode cleanly or does
 * not fit leaves subject_cn empty: a CN is never guessed or truncated.
 */
bool milter_tls_from_macros(const struct tls_macros *m, struct smtp2_tls_facts *f);

#endif
