/*
 * signing.h - DKIM signatures and the author domain's signing practices
 * for one message, as smtp2-milter sees them: signatures verified while
 * the message streams past, DMARC and ADSP judged at its end, and the
 * forwarded-mail rule (docs/practices.md).
 *
 * No libmilter here: callbacks.c hands header fields and body chunks in,
 * eom.c takes the results out, and the unit tests drive the same code.
 */
#ifndef SMTP2_MILTER_SIGNING_H
#define SMTP2_MILTER_SIGNING_H

#include <stdbool.h>
#include <stddef.h>

#include <smtp2/conf.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/dns.h>
#include <smtp2/practices.h>
#include <smtp2/verify.h>

#include "run.h"

/* Per message; lives in struct message, reset with it. */
struct signing {
	struct smtp2_dkimv *dkim;	/* NULL until the first header */
	bool		failed;		/* could not start: no memory, no DNS */
	char		why[256];	/* why it failed */
	bool		has_spf;	/* a trusted upstream spf= was seen */
	struct smtp2_spf_upstream spf;	/* the first one */
};

/* What one message's end brings; eom.c stamps and logs it. */
struct signing_result {
	bool		checked;	/* dkim.verify on and DKIM ran */
	bool		temperror;	/* DKIM could not run at all */
	const struct smtp2_dkimv_sig *sigs;	/* belong to the signing state */
	size_t		n_sigs;
	bool		judged;		/* dmarc and adsp hold results */
	struct smtp2_dmarc_eval dmarc;
	struct smtp2_adsp_eval adsp;
};

/* milter_signing_reset - forget the message; frees what it holds. */
void milter_signing_reset(struct signing *g);

/*
 * milter_signing_header - one header field: name, value as the MTA gives
 * it (leadspc: the space after the colon is still in value), under the
 * connection's configuration generation run (its settings and parsed-key
 * cache).  dns is the session's resolver (NULL when it cannot be had:
 * why says why).
 */
void milter_signing_header(struct signing *g, const struct milter_run *run,
    struct smtp2_dns *dns, const char *dns_why, const char *name,
    const char *value, bool leadspc);

/* milter_signing_eoh - the header is complete. */
void milter_signing_eoh(struct signing *g);

/* milter_signing_body - the next chunk of the body. */
void milter_signing_body(struct signing *g, const unsigned char *p, size_t len);

/*
 * milter_signing_eom - verify, then judge the From domain's practices
 * (from_domain may be NULL or "": no practices then).  Fills r; the
 * signatures in r belong to g until the next reset.
 */
void milter_signing_eom(struct signing *g, const struct smtp2_conf *conf,
    struct smtp2_dns *dns, const char *from_domain, struct signing_result *r);

/*
 * milter_signing_forwarder - the domain that could vouch for forwarded
 * mail: the envelope sender's domain ("<a@b>"), else the HELO name, when
 * it differs from from_domain.  Returns false when there is none, or
 * when the rule does not apply: v is already pass (or not fail/none),
 * no first-party signature verified, or dkim.forwarded is off.
 */
bool milter_signing_forwarder(const struct smtp2_conf *conf,
    const struct smtp2_verdict *v, const struct signing_result *r,
    const char *sender, const char *helo, char *out, size_t outlen);

/*
 * milter_signing_forwarded - the forwarded-mail rule: fv is the verdict on
 * the forwarder's domain; when it is pass, v becomes a pass via it.
 * Returns whether v changed.
 */
bool milter_signing_forwarded(struct smtp2_verdict *v,
    const struct smtp2_verdict *fv, const struct signing_result *r);

#endif
