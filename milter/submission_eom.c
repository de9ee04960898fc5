/*
 * submission_eom.c - RFC 6409 at the end of a submitted message: header
 * syntax and full qualification (4.2, 5.1), the From addresses a login
 * may use (6.1), message checks (6.3), and the completion of the message
 * (8.1 Sender, 8.2 Date, 8.3 Message-ID) planned as a list of edits.
 */

/* System library. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/submit.h>

/* Application-specific. */
#include "submission.h"

#define VALUE_MAX	1024		/* bytes of a Date, Message-ID, Sender */

/* What walking one address field finds. */
struct scan {
	const struct smtp2_conf *conf;
	const char	*login;		/* "" when not authenticated */
	const struct submit_field *f;
	bool		is_from;
	bool		login_in_from;	/* a From mailbox is the login */
	unsigned	mailboxes;
	char		*out;		/* the value with expansions; NULL: none */
	size_t		copied;		/* bytes of f->value already in out */
	struct submit_reply *r;
	bool		rejected;
};

/* append - value bytes copied..upto, then extra, onto sc->out */
static int
append(struct scan *sc, size_t upto, const char *extra)
{
	size_t have = sc->out != NULL ? strlen(sc->out) : 0;
	size_t add = upto - sc->copied + strlen(extra);
	char *p;

	if ((p = realloc(sc->out, have + add + 1)) == NULL)
		return -1;
	memcpy(p + have, sc->f->value + sc->copied, upto - sc->copied);
	memcpy(p + have + upto - sc->copied, extra, strlen(extra) + 1);
	sc->out = p;
	sc->copied = upto;
	return 0;
}

/* same_address - local@domain is the login (ASCII case ignored) */
static bool
same_address(const char *login, const char *local, const char *domain)
{
	size_t ll = strlen(local);

	return strncasecmp(login, local, ll) == 0 && login[ll] == '@' &&
	    strcasecmp(login + ll + 1, domain) == 0;
}

/* mailbox - one mailbox of a kept field: qualification and rights */
static int
mailbox(void *arg, const char *local, const char *domain, size_t end)
{
	struct scan *sc = arg;
	char full[SMTP2_SUBMIT_PATH_MAX], why[200], dot[SMTP2_SUBMIT_PATH_MAX];
	int q = 0;

	sc->mailboxes++;
	if (sc->conf->submission.require_fqdn)
		q = smtp2_submit_fqdn(domain, sc->conf->submission.expand_domain,
		    full, sizeof(full), why, sizeof(why));
	if (q < 0) {
		submission_reply(sc->r, "fqdn", "554", "5.6.0", "%s header: %s",
		    sc->f->name, why);
		return 1;
	}
	if (q == 1) {
		snprintf(dot, sizeof(dot), ".%s", sc->conf->submission.expand_domain);
		if (append(sc, end, dot) < 0) {
			submission_reply(sc->r, "nomem", "451", "4.3.0", "out of memory");
			return 1;
		}
		domain = full;
	}
	if (!sc->is_from)
		return 0;
	if (sc->login[0] != '\0' && same_address(sc->login, local, domain))
		sc->login_in_from = true;
	if (sc->conf->submission.rights_map != NULL && sc->login[0] != '\0' &&
	    !smtp2_submit_rights_allow(sc->conf->submission.rights_map, sc->login,
	    local, domain)) {
		submission_reply(sc->r, "rights", "550", "5.7.1",
		    "From address not authorized for this login");
		return 1;
	}
	return 0;
}

/* edit_add - one more edit; value copied */
static int
edit_add(struct submit_edits *e, int op, const char *name, unsigned index,
    const char *value)
{
	struct submit_edit *x;

	if (e->n >= SUBMIT_EDITS_MAX)
		return -1;
	x = &e->e[e->n];
	if ((x->value = strdup(value)) == NULL)
		return -1;
	x->op = op == SUBMIT_ADD ? SUBMIT_ADD : SUBMIT_CHANGE;
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->index = index;
	e->n++;
	return 0;
}

/* scan_field - walk one kept field; an edit when a domain was expanded */
static int
scan_field(struct scan *sc, const struct submit_field *f, struct submit_edits *e)
{
	char why[200];
	int n;

	sc->f = f;
	sc->is_from = strcasecmp(f->name, "From") == 0;
	sc->out = NULL;
	sc->copied = 0;
	n = smtp2_submit_addrlist(f->value, mailbox, sc, why, sizeof(why));
	if (n == -2) {
		free(sc->out);
		return -1;
	}
	if (n == -1 && sc->conf->submission.check_syntax) {
		free(sc->out);
		return submission_reply(sc->r, "syntax", "554", "5.1.7",
		    "Invalid address in %s header: %s", f->name, why);
	}
	if (sc->out != NULL) {
		n = append(sc, strlen(f->value), "") < 0 ||
		    edit_add(e, SUBMIT_CHANGE, f->name, f->index, sc->out) < 0;
		free(sc->out);
		if (n != 0)
			return submission_reply(sc->r, "nomem", "451", "4.3.0", "out of memory");
	}
	return 0;
}

/* message_checks - RFC 5322 3.6 counts (RFC 6409 6.3) */
static int
message_checks(const struct submit_msg *m, struct submit_reply *r)
{
	const char *name;
	unsigned k;

	if (m->n_from != 1)
		return submission_reply(r, "message", "554", "5.6.0",
		    "The message must have exactly one From header, not %u", m->n_from);
	if (m->n_sender > 1 || m->n_date > 1 || m->n_msgid > 1)
		return submission_reply(r, "message", "554", "5.6.0", "More than one %s header",
		    m->n_sender > 1 ? "Sender" : m->n_date > 1 ? "Date" : "Message-ID");
	for (k = 0; (name = milter_submit_single_name(k)) != NULL; k++)
		if (m->n_single[k] > 1)
			return submission_reply(r, "message", "554", "5.6.0",
			    "More than one %s header", name);
	return 0;
}

/* sender_address - the login when it is a valid, qualified address */
static bool
sender_address(const char *login)
{
	struct smtp2_submit_addr a;
	char scratch[SMTP2_SUBMIT_PATH_MAX];

	return login[0] != '\0' &&
	    smtp2_submit_parse_path(login, false, false, &a, NULL, 0) == SMTP2_SUBMIT_OK &&
	    !a.literal && smtp2_submit_fqdn(a.domain, NULL, scratch, sizeof(scratch),
	    NULL, 0) == 0;
}

/* complete - Date, Message-ID and Sender as configured */
static int
complete(const struct submit_msg *m, const struct smtp2_conf *conf, time_t now,
    bool login_in_from, struct submit_edits *e)
{
	const char *idd = conf->submission.message_id_domain != NULL ?
	    conf->submission.message_id_domain : conf->policy.authserv_id;
	char v[VALUE_MAX];
	size_t n = 0;

	if (conf->submission.add_date && (m->n_date == 0 || !m->date_ok)) {
		if (smtp2_submit_date_format(now, v, sizeof(v)) < 0 ||
		    edit_add(e, m->n_date ? SUBMIT_CHANGE : SUBMIT_ADD, "Date", 1, v) < 0)
			return -1;
		n += (size_t)snprintf(e->added + n, sizeof(e->added) - n, "Date");
	}
	if (conf->submission.add_message_id && (m->n_msgid == 0 || !m->msgid_ok)) {
		if (smtp2_submit_msgid_make(idd, now, v, sizeof(v)) < 0 ||
		    edit_add(e, m->n_msgid ? SUBMIT_CHANGE : SUBMIT_ADD, "Message-ID", 1, v) < 0)
			return -1;
		n += (size_t)snprintf(e->added + n, sizeof(e->added) - n, "%sMessage-ID",
		    n ? "," : "");
	}
	/* Sender only for a known identity the From field does not name. */
	if (conf->submission.add_sender && !login_in_from && sender_address(m->login)) {
		if (edit_add(e, m->n_sender ? SUBMIT_CHANGE : SUBMIT_ADD, "Sender", 1,
		    m->login) < 0)
			return -1;
		snprintf(e->added + n, sizeof(e->added) - n, "%sSender", n ? "," : "");
	}
	return 0;
}

/* examined - does the MSA look into or alter the text?  Then header
 * addresses must be valid and qualified (RFC 6409 4.2, 5.1). */
static bool
examined(const struct submit_msg *m, const struct smtp2_conf *conf)
{
	return conf->submission.check_message || conf->submission.rights_map != NULL ||
	    (conf->submission.add_date && (m->n_date == 0 || !m->date_ok)) ||
	    (conf->submission.add_message_id && (m->n_msgid == 0 || !m->msgid_ok)) ||
	    (conf->submission.add_sender && m->login[0] != '\0');
}

/* milter_submit_eom - see submission.h */
int
milter_submit_eom(const struct submit_msg *m, const struct smtp2_conf *conf,
    time_t now, struct submit_edits *e, struct submit_reply *r)
{
	struct scan sc;
	size_t i;

	memset(e, 0, sizeof(*e));
	memset(&sc, 0, sizeof(sc));
	sc.conf = conf;
	sc.login = m->login;
	sc.r = r;
	if (m->nomem)
		return submission_reply(r, "nomem", "451", "4.3.0", "out of memory") - 1;
	if (conf->submission.check_message && message_checks(m, r) < 0)
		return -1;
	if (examined(m, conf)) {
		if (m->fields_lost)
			return submission_reply(r, "message", "554", "5.6.0",
			    "Too many or too long address headers to check");
		for (i = 0; i < m->n_fields; i++)
			if (scan_field(&sc, &m->fields[i], e) < 0) {
				milter_submit_edits_free(e);
				return strcmp(r->code, "451") == 0 ? -2 : -1;
			}
	}
	if (complete(m, conf, now, sc.login_in_from, e) < 0) {
		milter_submit_edits_free(e);
		return submission_reply(r, "nomem", "451", "4.3.0",
		    "cannot complete the message now") - 1;
	}
	return 0;
}

/* milter_submit_edits_free - see submission.h */
void
milter_submit_edits_free(struct submit_edits *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->e[i].value);
	e->n = 0;
}
