/*
 * smtp2/decide.h - the receiver's roll-out mode turns a verdict into an
 * action.  The whole table is in docs/decision.md.
 */
#ifndef SMTP2_DECIDE_H
#define SMTP2_DECIDE_H

#include <stdbool.h>

#include <smtp2/practices.h>
#include <smtp2/verify.h>

enum smtp2_mode {
	SMTP2_MODE_PERMISSIVE = 0,	/* accept everything, stamp and log */
	SMTP2_MODE_TAG,			/* accept, stamp non-pass as unverified */
	SMTP2_MODE_ENFORCE,		/* reject fail where the domain says p=enforce */
	SMTP2_MODE_STRICT		/* reject everything but pass (not to postmaster) */
};

/*
 * What the author domain's signing practices (DMARC, ADSP) may do to a
 * message (milter.conf dkim.practices); each step includes the one
 * before.  docs/practices.md.
 */
enum smtp2_practices_mode {
	SMTP2_PRACTICES_TAG = 0,		/* stamp only, never refuse */
	SMTP2_PRACTICES_REJECT_DISCARDABLE,	/* refuse ADSP discard */
	SMTP2_PRACTICES_REJECT_P_REJECT		/* ... and DMARC fail at p=reject */
};

enum smtp2_action {
	SMTP2_ACTION_ACCEPT = 0,
	SMTP2_ACTION_TAG,		/* accept, mark unverified */
	SMTP2_ACTION_REJECT,		/* 5xx */
	SMTP2_ACTION_DEFER		/* 4xx */
};

struct smtp2_decision {
	enum smtp2_action action;
	const char	*code;		/* "550", "450"; NULL for accept/tag */
	const char	*dsn;		/* "5.7.1", "4.7.0"; NULL for accept/tag */
	char		text[320];	/* reply text a human understands */
};

void smtp2_decide(enum smtp2_mode mode, const struct smtp2_verdict *v,
    bool to_postmaster, struct smtp2_decision *d);

/*
 * smtp2_decide_practices - what the author domain's practices add to d,
 * already made by smtp2_decide().  Only ever stricter, and never where
 * the connecting server itself proved the From domain (smtp2 pass, also
 * through a forwarder): that proof outweighs a missing signature.  A DNS
 * failure that leaves a refusing mode unable to judge defers.  Postmaster
 * is spared as in strict mode.  dmarc and adsp may be NULL (not run).
 */
void smtp2_decide_practices(enum smtp2_practices_mode mode,
    const struct smtp2_verdict *v, const struct smtp2_dmarc_eval *dmarc,
    const struct smtp2_adsp_eval *adsp, bool to_postmaster,
    struct smtp2_decision *d);

const char *smtp2_mode_name(enum smtp2_mode m);
int smtp2_mode_parse(const char *name, enum smtp2_mode *m);	/* 0 or -1 */
const char *smtp2_action_name(enum smtp2_action a);

#endif
