/*
 * decide.c - the receiver's mode turns a verdict into an SMTP action.
 *
 * The table (docs/decision.md) lives in decide_action() alone; the rest
 * of this file only words the reply.  Reply text goes to the client in an
 * SMTP response, so everything taken from outside (domain, reason) is
 * reduced to printable ASCII first: a CR or LF there would let a DNS
 * answer write its own SMTP reply lines.
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/decide.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define DECIDE_DOMAIN_SHOWN	128	/* keeps room for reason and result */

static const char *const mode_names[] = {
	[SMTP2_MODE_PERMISSIVE] = "permissive",
	[SMTP2_MODE_TAG] = "tag",
	[SMTP2_MODE_ENFORCE] = "enforce",
	[SMTP2_MODE_STRICT] = "strict",
};

static const char *const action_names[] = {
	[SMTP2_ACTION_ACCEPT] = "accept",
	[SMTP2_ACTION_TAG] = "tag",
	[SMTP2_ACTION_REJECT] = "reject",
	[SMTP2_ACTION_DEFER] = "defer",
};

/* smtp2_mode_name - "permissive", "tag", "enforce", "strict" */
const char *
smtp2_mode_name(enum smtp2_mode m)
{
	return ((unsigned)m < NELEM(mode_names) ? mode_names[m] : "invalid");
}

/* smtp2_mode_parse - case-insensitive inverse of smtp2_mode_name */
int
smtp2_mode_parse(const char *name, enum smtp2_mode *m)
{
	size_t	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < NELEM(mode_names); i++) {
		if (strcasecmp(name, mode_names[i]) == 0) {
			*m = (enum smtp2_mode)i;
			return (0);
		}
	}
	return (-1);
}

/* smtp2_action_name - "accept", "tag", "reject", "defer" */
const char *
smtp2_action_name(enum smtp2_action a)
{
	return ((unsigned)a < NELEM(action_names) ? action_names[a] : "invalid");
}

/* decide_enforce - refuse only what the domain itself asked us to refuse */
static enum smtp2_action
decide_enforce(const struct smtp2_verdict *v)
{
	bool	asks = v->has_record && v->policy == SMTP2_POLICY_ENFORCE;

	if (v->result == SMTP2_RESULT_FAIL && asks)
		return (SMTP2_ACTION_REJECT);

	/*
	 * Defer only when a good answer could have been a reject: we have no
	 * record at all (it may be p=enforce), or the record says enforce.
	 */
	if (v->result == SMTP2_RESULT_TEMPERROR && (!v->has_record || asks))
		return (SMTP2_ACTION_DEFER);
	return (SMTP2_ACTION_TAG);
}

/* decide_action - the table of docs/decision.md */
static enum smtp2_action
decide_action(enum smtp2_mode mode,
    const struct smtp2_verdict *v, bool to_postmaster)
{
	if (v->result == SMTP2_RESULT_PASS)
		return (SMTP2_ACTION_ACCEPT);
	switch (mode) {
	case SMTP2_MODE_PERMISSIVE:
		return (SMTP2_ACTION_ACCEPT);
	case SMTP2_MODE_ENFORCE:
		return (decide_enforce(v));
	case SMTP2_MODE_STRICT:
		/* RFC 5321 4.5.1: postmaster must stay reachable. */
		if (to_postmaster)
			return (SMTP2_ACTION_TAG);
		if (v->result == SMTP2_RESULT_TEMPERROR)
			return (SMTP2_ACTION_DEFER);
		return (SMTP2_ACTION_REJECT);
	case SMTP2_MODE_TAG:
	default:
		return (SMTP2_ACTION_TAG);
	}
}

/* decide_clean - copy s as printable ASCII: whitespace to ' ', rest '?' */
static void
decide_clean(const char *s, size_t max, char *buf, size_t buflen)
{
	unsigned char c;
	size_t	i;

	for (i = 0; i + 1 < buflen && i < max && s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c == '\t' || c == '\r' || c == '\n')
			buf[i] = ' ';
		else if (c < 0x20 || c > 0x7e)
			buf[i] = '?';
		else
			buf[i] = (char)c;
	}
	buf[i] = '\0';
}

/* decide_reply - "<head>: <reason><tail>", cutting the reason to fit */
static void
decide_reply(struct smtp2_decision *d, const char *head,
    const char *reason, size_t reasonmax, const char *tail)
{
	size_t	room, fixed = strlen(head) + 2 + strlen(tail);
	char	clean[sizeof(d->text)];

	room = fixed < sizeof(d->text) ? sizeof(d->text) - 1 - fixed : 0;
	decide_clean(reason, room < reasonmax ? room : reasonmax, clean,
	    sizeof(clean));
	if (clean[0] == '\0')
		snprintf(clean, sizeof(clean), "%s", room > 2 ? "no reason" : "");
	/* The reason was cut to fit above; a longer result is still safe. */
	if (snprintf(d->text, sizeof(d->text), "%s: %s%s", head, clean, tail) < 0)
		d->text[0] = '\0';
}

/* decide_word - the sentence that fits the action and the result */
static void
decide_word(struct smtp2_decision *d,
    const struct smtp2_verdict *v, const char *dom)
{
	const char *res = smtp2_result_name(v->result);
	char	head[sizeof(d->text)], tail[48];

	snprintf(tail, sizeof(tail), " (smtp2=%s)", res);
	if (d->action == SMTP2_ACTION_DEFER) {
		snprintf(head, sizeof(head), "cannot verify sender domain %s "
		    "right now", dom);
		snprintf(tail, sizeof(tail), "; try again later (smtp2=%s)", res);
	} else if (d->action == SMTP2_ACTION_REJECT && v->has_record
	    && v->policy == SMTP2_POLICY_ENFORCE) {
		snprintf(head, sizeof(head), "sender domain %s requires a "
		    "verified sending server", dom);
	} else if (d->action == SMTP2_ACTION_REJECT) {
		snprintf(head, sizeof(head), "this server accepts mail from "
		    "%s only from a verified sending server", dom);
	} else if (v->result == SMTP2_RESULT_PASS) {
		snprintf(head, sizeof(head), "sender domain %s verified by %s",
		    dom, smtp2_method_name(v->method));
	} else {
		snprintf(head, sizeof(head), "sender domain %s not verified", dom);
	}
	decide_reply(d, head, v->reason, sizeof(v->reason), tail);
}

/* smtp2_decide - action, reply code and text for a verdict */
void
smtp2_decide(enum smtp2_mode mode, const struct smtp2_verdict *v,
    bool to_postmaster, struct smtp2_decision *d)
{
	struct smtp2_verdict none;
	char	dom[DECIDE_DOMAIN_SHOWN + 1];

	/* No verdict is a caller's bug; treat it as "cannot tell yet". */
	if (v == NULL) {
		memset(&none, 0, sizeof(none));
		none.result = SMTP2_RESULT_TEMPERROR;
		snprintf(none.reason, sizeof(none.reason), "no verdict");
		v = &none;
	}
	memset(d, 0, sizeof(*d));
	d->action = decide_action(mode, v, to_postmaster);
	if (d->action == SMTP2_ACTION_REJECT) {
		d->code = "550";
		d->dsn = "5.7.1";
	} else if (d->action == SMTP2_ACTION_DEFER) {
		d->code = "450";
		d->dsn = "4.7.0";
	}
	decide_clean(v->domain, DECIDE_DOMAIN_SHOWN, dom, sizeof(dom));
	if (dom[0] == '\0')
		snprintf(dom, sizeof(dom), "<> (null sender)");
	decide_word(d, v, dom);
}
