/*
 * cert_int.h - what cert.c, cert_cache.c and dane.c share about chains and
 * stores.  Internal to libsmtp2; callers see only smtp2/cert.h.
 */
#ifndef SMTP2_CERT_INT_H
#define SMTP2_CERT_INT_H

/* System library. */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Library. */
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/cert.h>

struct smtp2_chain {
	STACK_OF(X509)	*certs;		/* leaf first; owned */
};

struct smtp2_cert_store {
	X509_STORE	*store;		/* CAs and CRLs; owned, read-only once built */
	struct smtp2_cert_opts opts;	/* strings not kept: paths only for messages */
	char		ca_desc[256];	/* "ca_file /etc/..." for reasons */
	time_t		crl_mtime;	/* of crl_file at load, for cache invalidation */
	bool		have_crl;	/* a crl_file was loaded: CRLs are checked */
	uint64_t	serial;		/* unique per store in this process (cache keys) */
};

/* smtp2_cert_now - the store's clock (opts.now, or the real time). */
time_t smtp2_cert_now(const struct smtp2_cert_store *s);

#endif
