/*
 * check_smtp.h - a minimal SMTP client for smtp2-check: connect, banner,
 * EHLO, STARTTLS, TLS handshake, QUIT, with a time limit on every step.
 * It judges nothing: it hands back what the server said and presented.
 */
#ifndef CHECK_SMTP_H
#define CHECK_SMTP_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>

/* Library. */
#include <openssl/ssl.h>

/* Application-specific. */
#include "check.h"

#define CHECK_CONNECT_TIMEOUT	10	/* seconds */
#define CHECK_READ_TIMEOUT	30	/* seconds, each read and write */
#define CHECK_CHAIN_MAX		10	/* certificates kept from the peer */

struct check_smtp_target {
	const char *host;		/* the MX name: SNI, and in messages */
	const struct check_addr *addr;
	unsigned port;
	const char *helo;		/* our EHLO name */
};

struct check_smtp_session {
	enum check_stage stage;		/* reached; DONE when TLS came up */
	char	error[320];		/* why the next stage failed */
	char	banner[256];		/* the 220 greeting, first line */
	bool	starttls;		/* STARTTLS in the EHLO reply */
	char	version[32];		/* "TLSv1.3" */
	char	cipher[96];
	int	cipher_bits;
	size_t	n_der;			/* the peer's chain, leaf first */
	unsigned char *der[CHECK_CHAIN_MAX];	/* owned */
	size_t	der_len[CHECK_CHAIN_MAX];
	unsigned char *ocsp;		/* stapled OCSP response (DER); owned, may be NULL */
	size_t	ocsp_len;
};

/*
 * check_smtp_tls_new - a client context; cert and key (both or neither)
 * are presented as our client certificate.  Peer verification is off on
 * purpose: the library judges the chain afterwards, and a check must see
 * the bad certificates too.  NULL with why on failure.
 */
SSL_CTX *check_smtp_tls_new(const char *cert, const char *key, char *why,
    size_t whylen);

/* check_smtp_run - one session to t; always fills s.  Free s with
 * check_smtp_session_free(). */
void check_smtp_run(SSL_CTX *tls, const struct check_smtp_target *t,
    struct check_smtp_session *s);
void check_smtp_session_free(struct check_smtp_session *s);

#endif
