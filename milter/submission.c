/*
 * submission.c - RFC 6409 rules for the session and the envelope: which
 * sessions are submissions, then TLS, authentication, address syntax,
 * full qualification and submission rights at MAIL and RCPT, each with
 * the reply code the RFC names.
 */

/* System library. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/submit.h>

/* Application-specific. */
#include "submission.h"

/* Header fields RFC 5322 3.6 allows at most once (From and Sender aside). */
static const char *const submit_single[] = {
	"Reply-To", "To", "Cc", "Bcc", "Subject", "In-Reply-To", "References", NULL
};

/* Header fields that hold addresses. */
static const char *const submit_addr_fields[] = {
	"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Resent-From",
	"Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc", NULL
};

/* listed - is s in the NULL-terminated list (exactly)? */
static bool
listed(char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* milter_submit_connect - see submission.h */
void
milter_submit_connect(struct submit_conn *c, const struct smtp2_conf *conf,
    const char *daemon_port, const char *daemon_name, const char *client_addr)
{
	memset(c, 0, sizeof(*c));
	if (listed(conf->submission.ports, conf->submission.n_ports, daemon_port)) {
		c->active = true;
		snprintf(c->how, sizeof(c->how), "port=%.16s", daemon_port);
	} else if (listed(conf->submission.daemon_names, conf->submission.n_daemon_names, daemon_name)) {
		c->active = true;
		snprintf(c->how, sizeof(c->how), "daemon=%.32s", daemon_name);
	}
	c->trusted = c->active && smtp2_submit_net_match(conf->submission.nets,
	    conf->submission.n_nets, client_addr);
}

/* submission_reply - see submission.h */
int
submission_reply(struct submit_reply *r, const char *rule, const char *code,
    const char *dsn, const char *fmt, ...)
{
	va_list ap;

	r->rule = rule;
	r->code = code;
	r->dsn = dsn;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* smtputf8 - was SMTPUTF8 among the MAIL parameters? */
static bool
smtputf8(char *const *args)
{
	for (; args != NULL && *args != NULL; args++)
		if (strcasecmp(*args, "SMTPUTF8") == 0)
			return true;
	return false;
}

/* rewrite_to - "<local@domain>" in place of arg; -1 when too long */
static int
rewrite_to(struct submit_rewrite *rw, const char *arg, const char *local,
    const char *domain)
{
	size_t ll = strlen(local), dl = strlen(domain);

	if (ll + dl + 4 > sizeof(rw->to) || strlen(arg) >= sizeof(rw->from))
		return -1;
	memcpy(rw->from, arg, strlen(arg) + 1);
	rw->to[0] = '<';
	memcpy(rw->to + 1, local, ll);
	rw->to[1 + ll] = '@';
	memcpy(rw->to + 2 + ll, domain, dl);
	memcpy(rw->to + 2 + ll + dl, ">", 2);
	return 0;
}

/*
 * envelope - syntax, propriety and full qualification of one address;
 * the rewrite when its single-level domain is expanded.  dsn_syntax and
 * dsn_domain tell sender (5.1.7, 5.1.8) from recipient (5.1.3, 5.1.2).
 */
static int
envelope(const struct smtp2_conf *conf, const char *arg, bool utf8, bool is_mail,
    struct smtp2_submit_addr *a, struct submit_rewrite *rw, bool *rewrite,
    struct submit_reply *r)
{
	const char *who = is_mail ? "sender" : "recipient";
	char why[200], full[SMTP2_SUBMIT_PATH_MAX];
	enum smtp2_submit_status st;
	int q;

	*rewrite = false;
	st = smtp2_submit_parse_path(arg, utf8, is_mail, a, why, sizeof(why));
	if (st == SMTP2_SUBMIT_SYNTAX && conf->submission.check_syntax)
		return submission_reply(r, "syntax", "501", is_mail ? "5.1.7" : "5.1.3",
		    "Bad %s address syntax: %s", who, why);
	if (st == SMTP2_SUBMIT_IMPROPER && conf->submission.reject_improper)
		return submission_reply(r, "improper", "554", "5.5.4", "Improper %s address: %s",
		    who, why);
	if (st == SMTP2_SUBMIT_NOT_FQDN && conf->submission.require_fqdn)
		return submission_reply(r, "fqdn", "554", is_mail ? "5.1.8" : "5.1.2",
		    "The %s domain must be fully qualified: %s", who, why);
	if (st != SMTP2_SUBMIT_OK || a->null || !conf->submission.require_fqdn)
		return 0;
	q = smtp2_submit_fqdn(a->domain, conf->submission.expand_domain, full, sizeof(full),
	    why, sizeof(why));
	if (q < 0)
		return submission_reply(r, "fqdn", "554", is_mail ? "5.1.8" : "5.1.2",
		    "The %s domain must be fully qualified: %s", who, why);
	if (q == 1 && rewrite_to(rw, arg, a->local, full) == 0) {
		snprintf(a->domain, sizeof(a->domain), "%s", full);
		*rewrite = true;
	} else if (q == 1) {
		return submission_reply(r, "improper", "554", "5.5.4", "Improper %s address:"
		    " too long once qualified", who);
	}
	return 0;
}

/* authorised - TLS and authentication before any MAIL is taken */
static int
authorised(const struct submit_conn *c, struct submit_msg *m,
    const struct smtp2_conf *conf, bool tls, struct submit_reply *r)
{
	if (conf->submission.require_tls && !tls)
		return submission_reply(r, "tls", "530", "5.7.0",
		    "Must issue a STARTTLS command first");
	if (m->login[0] != '\0' || c->trusted || !conf->submission.require_auth)
		return 0;
	if (conf->submission.postmaster_no_auth) {
		m->postmaster_only = true;	/* RCPT decides (RFC 6409 6.4) */
		return 0;
	}
	return submission_reply(r, "auth", "530", "5.7.0", "Authentication required");
}

/* milter_submit_mail - see submission.h */
int
milter_submit_mail(const struct submit_conn *c, struct submit_msg *m,
    const struct smtp2_conf *conf, const char *arg, char *const *args,
    const char *login, bool tls, struct submit_reply *r)
{
	struct smtp2_submit_addr a;

	milter_submit_msg_reset(m);
	if (!c->active)
		return 0;
	if (login != NULL && strlen(login) < sizeof(m->login))
		snprintf(m->login, sizeof(m->login), "%s", login);
	if (authorised(c, m, conf, tls, r) < 0)
		return -1;
	if (envelope(conf, arg, smtputf8(args), true, &a, &m->sender,
	    &m->sender_rewrite, r) < 0)
		return -1;
	/* The null return path is always allowed (RFC 6409 3.2). */
	if (a.null || conf->submission.rights_map == NULL || m->login[0] == '\0')
		return 0;
	if (a.domain[0] == '\0' || !smtp2_submit_rights_allow(conf->submission.rights_map,
	    m->login, a.local, a.domain))
		return submission_reply(r, "rights", "550", "5.7.1",
		    "Sender address not authorized for this login");
	return 0;
}

/* is_postmaster - "postmaster" with or without a domain (RFC 5321 4.5.1) */
static bool
is_postmaster(const struct smtp2_submit_addr *a)
{
	return strcasecmp(a->local, "postmaster") == 0 ||
	    strcasecmp(a->local, "\"postmaster\"") == 0;
}

/* milter_submit_rcpt - see submission.h */
int
milter_submit_rcpt(const struct submit_conn *c, struct submit_msg *m,
    const struct smtp2_conf *conf, const char *arg, char *const *args,
    struct submit_reply *r)
{
	struct smtp2_submit_addr a;
	struct submit_rewrite rw;
	bool rewrite;

	(void)args;
	if (!c->active)
		return 0;
	if (envelope(conf, arg, true, false, &a, &rw, &rewrite, r) < 0) {
		/* RCPT TO:<postmaster> needs no domain (RFC 5321 4.1.1.3). */
		if (!(strcmp(r->rule, "fqdn") == 0 && a.domain[0] == '\0'
		    && is_postmaster(&a)))
			return -1;
	}
	if (m->postmaster_only && !is_postmaster(&a))
		return submission_reply(r, "auth", "530", "5.7.0", "Authentication required");
	if (conf->submission.rcpt_map != NULL && m->login[0] != '\0' &&
	    !smtp2_submit_rights_allow(conf->submission.rcpt_map, m->login,
	    a.local, a.domain))
		return submission_reply(r, "recipient-rights", "550", "5.7.1",
		    "Recipient not permitted for this login");
	if (rewrite) {
		if (m->n_rcpt_rewrite >= SUBMIT_RCPT_EXPAND_MAX)
			return submission_reply(r, "fqdn", "554", "5.1.2", "The recipient domain"
			    " must be fully qualified: too many to expand");
		m->rcpt[m->n_rcpt_rewrite++] = rw;
	}
	return 0;
}

/* name_in - index of name in list (ASCII case ignored), or -1 */
static int
name_in(const char *const *list, const char *name)
{
	int i;

	for (i = 0; list[i] != NULL; i++)
		if (strcasecmp(list[i], name) == 0)
			return i;
	return -1;
}

/* keep_field - an address field, for the checks at the end */
static void
keep_field(struct submit_msg *m, const char *name, const char *value)
{
	struct submit_field *f;
	size_t i;

	if (m->n_fields >= SUBMIT_FIELDS_MAX || strlen(value) > SUBMIT_FIELD_MAX ||
	    strlen(name) >= sizeof(f->name)) {
		m->fields_lost = true;
		return;
	}
	f = &m->fields[m->n_fields];
	if ((f->value = strdup(value)) == NULL) {
		m->nomem = true;
		return;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->index = 1;
	for (i = 0; i < m->n_fields; i++)
		if (strcasecmp(m->fields[i].name, name) == 0)
			f->index++;
	m->n_fields++;
}

/* milter_submit_header - see submission.h */
void
milter_submit_header(struct submit_msg *m, const char *name, const char *value)
{
	int k;

	if (name == NULL)
		return;
	if (value == NULL)
		value = "";
	value += strspn(value, " \t");
	if (strcasecmp(name, "Date") == 0 && m->n_date++ == 0)
		m->date_ok = smtp2_submit_date_ok(value);
	else if (strcasecmp(name, "Message-ID") == 0 && m->n_msgid++ == 0)
		m->msgid_ok = smtp2_submit_msgid_ok(value);
	else if (strcasecmp(name, "From") == 0)
		m->n_from++;
	else if (strcasecmp(name, "Sender") == 0)
		m->n_sender++;
	if ((k = name_in(submit_single, name)) >= 0)
		m->n_single[k]++;
	if (name_in(submit_addr_fields, name) >= 0)
		keep_field(m, name, value);
}

/* milter_submit_single_name - see submission.h */
const char *
milter_submit_single_name(unsigned k)
{
	return k < sizeof(submit_single) / sizeof(submit_single[0]) ?
	    submit_single[k] : NULL;
}

/* milter_submit_msg_reset - see submission.h */
void
milter_submit_msg_reset(struct submit_msg *m)
{
	size_t i;

	for (i = 0; i < m->n_fields; i++)
		free(m->fields[i].value);
	memset(m, 0, offsetof(struct submit_msg, rcpt));
	m->n_date = m->n_msgid = m->n_sender = m->n_from = 0;
	m->date_ok = m->msgid_ok = false;
	memset(m->n_single, 0, sizeof(m->n_single));
	m->n_fields = 0;
	m->fields_lost = false;
	m->nomem = false;
}
