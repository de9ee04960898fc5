/*
 * dane_int.h - private glue between dane.c (the record loop and its
 * reason), dane_cert.c (one certificate against one record, names),
 * dane_ta.c (DANE-TA) and dane_pkix.c (PKIX-TA and PKIX-EE).
 *
 * Nothing here is part of the library's contract: the public view is
 * smtp2/dane.h.  Names keep the smtp2_dane_ prefix only because a static
 * library cannot hide them.
 */
#ifndef SMTP2_DANE_INT_H
#define SMTP2_DANE_INT_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Library. */
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Application-specific. */
#include <smtp2/dane.h>

#define DANE_USAGE_PKIX_TA	0
#define DANE_USAGE_PKIX_EE	1
#define DANE_USAGE_DANE_TA	2
#define DANE_USAGE_DANE_EE	3
#define DANE_SELECTOR_CERT	0
#define DANE_SELECTOR_SPKI	1
#define DANE_MTYPE_FULL		0
#define DANE_MTYPE_SHA256	1
#define DANE_MTYPE_SHA512	2

/* Room for one record's verdict in words ("certificate 2 of the ..."). */
#define DANE_NOTE_MAX		192

/* What judging one record came to. */
enum dane_eval {
	DANE_EVAL_MATCH,
	DANE_EVAL_NOMATCH,		/* usable, not satisfied */
	DANE_EVAL_UNUSABLE,		/* unknown parameters, broken data */
	DANE_EVAL_UNEVALUATED,		/* usable, but we lack what it needs */
	DANE_EVAL_PENDING		/* classified usable, not judged yet */
};

/* One smtp2_dane_match call: its inputs and what is worked out once for
 * all of its records. */
struct dane_ctx {
	/* The presented chain, leaf first; borrowed; NULL when empty. */
	STACK_OF(X509)	*certs;
	const struct smtp2_cert_store *store;	/* may be NULL */
	const char	*domain;	/* reference identifier; may be NULL */
	time_t		now;		/* validity is judged then */
	int		name_fits;	/* leaf vs domain; -1: not yet known */
	/* Validation against the store, done at most once. */
	bool		pkix_done;	/* tried */
	bool		pkix_oom;	/* could not even be tried */
	STACK_OF(X509)	*pkix_path;	/* validated path, owned, or NULL */
	char		pkix_err[DANE_NOTE_MAX];	/* why NULL */
};

/*
 * smtp2_dane_cert_matches - does x, under rr's selector and matching type,
 * give rr's association data?  rr must be usable.
 */
bool	smtp2_dane_cert_matches(const struct smtp2_tlsa *rr, X509 *x);

/* smtp2_dane_record_cert, smtp2_dane_record_key - the certificate or
 * SubjectPublicKeyInfo a matching type 0 record holds; NULL unless the
 * data is exactly one DER object.  Caller frees. */
X509	*smtp2_dane_record_cert(const struct smtp2_tlsa *rr);
EVP_PKEY *smtp2_dane_record_key(const struct smtp2_tlsa *rr);

/* smtp2_dane_leaf_name_fits - does a name of the leaf fit c->domain?
 * Worked out once per call and kept in c. */
bool	smtp2_dane_leaf_name_fits(struct dane_ctx *c);

/* smtp2_dane_subject - x's subject, RFC 2253, printable ASCII only. */
void	smtp2_dane_subject(X509 *x, char *buf, size_t buflen);

/* smtp2_dane_cert_desc - "certificate <pos> of the <where> (<subject>)";
 * pos counts from 1 at the leaf. */
void	smtp2_dane_cert_desc(X509 *x, int pos, const char *where,
    char *buf, size_t buflen);

/* smtp2_dane_eval_ta, smtp2_dane_eval_pkix - judge one usable record of
 * usage 2, or of usage 0 or 1; note says what matched, or why not (""
 * when simply no certificate fits the record). */
enum dane_eval smtp2_dane_eval_ta(struct dane_ctx *c,
    const struct smtp2_tlsa *rr, char *note, size_t notelen);
enum dane_eval smtp2_dane_eval_pkix(struct dane_ctx *c,
    const struct smtp2_tlsa *rr, char *note, size_t notelen);

#endif
