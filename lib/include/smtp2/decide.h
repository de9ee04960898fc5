/*
 * smtp2/decide.h - the receiver's roll-out mode turns a verdict into an
 * action.  The whole table is in docs/decision.md.
 */
#ifndef SMTP2_DECIDE_H
#define SMTP2_DECIDE_H

#include <stdbool.h>

#include <smtp2/verify.h>

enum smtp2_mode {
	SMTP2_MODE_PERMISSIVE = 0,	/* accept everything, stamp and log */
	SMTP2_MODE_TAG,			/* accept, stamp non-pass as unverified */
	SMTP2_MODE_ENFORCE,		/* reject fail where the domain says p=enforce */
	SMTP2_MODE_STRICT		/* reject everything but pass (not to postmaster) */
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

const char *smtp2_mode_name(enum smtp2_mode m);
int smtp2_mode_parse(const char *name, enum smtp2_mode *m);	/* 0 or -1 */
const char *smtp2_action_name(enum smtp2_action a);

#endif
