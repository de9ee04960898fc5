/*
 * smtp2/result.h - the vocabulary every smtp2 verdict is written in.
 *
 * Results follow RFC 8601's shape (pass/fail/none/temperror/permerror) so
 * they drop straight into Authentication-Results.  Names returned by the
 * *_name() functions are static strings; never free them.
 */
#ifndef SMTP2_RESULT_H
#define SMTP2_RESULT_H

enum smtp2_result {
	SMTP2_RESULT_NONE = 0,		/* no record and no proof: a legacy sender */
	SMTP2_RESULT_PASS,		/* the connecting server proved the domain */
	SMTP2_RESULT_FAIL,		/* the domain publishes a record, no proof matched */
	SMTP2_RESULT_TEMPERROR,		/* DNS failure, timeout, bogus answer: try later */
	SMTP2_RESULT_PERMERROR		/* the domain's record is broken */
};

enum smtp2_method {
	SMTP2_METHOD_NONE = 0,
	SMTP2_METHOD_DANE,		/* a DNSSEC-secure TLSA pin matched */
	SMTP2_METHOD_PKIX		/* the MTA trusted the chain and the name fits */
};

/* DNSSEC status of the answer a verdict rests on. */
enum smtp2_dnssec {
	SMTP2_DNSSEC_UNKNOWN = 0,	/* no answer was obtained */
	SMTP2_DNSSEC_SECURE,
	SMTP2_DNSSEC_INSECURE,
	SMTP2_DNSSEC_BOGUS,
	SMTP2_DNSSEC_INDETERMINATE
};

/* How much DNSSEC the operator demands (milter.conf dns.dnssec). */
enum smtp2_dnssec_mode {
	SMTP2_DNSSEC_REQUIRED = 0,	/* pins count only from secure zones */
	SMTP2_DNSSEC_PREFERRED,		/* secure or insecure pins count, bogus never */
	SMTP2_DNSSEC_OFF		/* no validation requested */
};

const char *smtp2_result_name(enum smtp2_result r);
const char *smtp2_method_name(enum smtp2_method m);	/* "none", "dane", "pkix" */
const char *smtp2_dnssec_name(enum smtp2_dnssec d);	/* "unknown", "secure", ... */
const char *smtp2_dnssec_mode_name(enum smtp2_dnssec_mode m);

/* The inverse of the *_name() functions: 0, or -1 for an unknown name. */
int smtp2_result_parse(const char *name, enum smtp2_result *r);
int smtp2_method_parse(const char *name, enum smtp2_method *m);
int smtp2_dnssec_parse(const char *name, enum smtp2_dnssec *d);
int smtp2_dnssec_mode_parse(const char *name, enum smtp2_dnssec_mode *m);

#endif
