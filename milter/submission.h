/*
 * submission.h - RFC 6409 message submission in smtp2-milter: which
 * sessions are submissions, what MAIL, RCPT and the message must satisfy,
 * and how the message is completed (Date, Message-ID, Sender, expanded
 * single-level domains).
 *
 * No libmilter here: submission_act.c feeds macros and arguments in and
 * applies the replies and edits this file decides on, so the unit tests
 * drive exactly the logic the daemon runs.  Rules apply only to sessions
 * recognised as submissions; relay (MX) traffic never meets them.
 */
#ifndef SMTP2_MILTER_SUBMISSION_H
#define SMTP2_MILTER_SUBMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <smtp2/conf.h>
#include <smtp2/submit.h>

#define SUBMIT_LOGIN_MAX	256	/* bytes of {auth_authen} kept */
#define SUBMIT_FIELDS_MAX	32	/* address header fields kept */
#define SUBMIT_FIELD_MAX	16384	/* bytes of one kept field value */
#define SUBMIT_RCPT_EXPAND_MAX	64	/* recipients we can expand */
#define SUBMIT_TEXT_MAX		256	/* reply text */

/* Per connection. */
struct submit_conn {
	bool	active;		/* recognised as a submission session */
	bool	trusted;	/* client inside submission.trusted_networks */
	char	how[48];	/* "port=587", "daemon=ORIGINATING", for logs */
};

/* One address header field, kept for the end-of-message checks. */
struct submit_field {
	char	name[32];	/* as the client spelled it */
	unsigned index;		/* 1-based among fields of that name */
	char	*value;		/* without leading white space; owned */
};

/* An envelope address whose single-level domain gets expanded. */
struct submit_rewrite {
	char	from[SMTP2_SUBMIT_PATH_MAX + 3];	/* as the MTA has it */
	char	to[SMTP2_SUBMIT_PATH_MAX + 3];		/* "<l@d.expand>" */
};

/* Per message; reset with struct message. */
struct submit_msg {
	char	login[SUBMIT_LOGIN_MAX];	/* "" when not authenticated */
	bool	postmaster_only;	/* unauthenticated: postmaster alone */
	bool	sender_rewrite;
	struct submit_rewrite sender;
	size_t	n_rcpt_rewrite;
	struct submit_rewrite rcpt[SUBMIT_RCPT_EXPAND_MAX];
	unsigned n_date, n_msgid, n_sender, n_from;
	bool	date_ok, msgid_ok;	/* of the first one */
	unsigned n_single[8];	/* fields RFC 5322 3.6 allows once */
	size_t	n_fields;
	struct submit_field fields[SUBMIT_FIELDS_MAX];
	bool	fields_lost;	/* more, or longer, than we keep */
	bool	nomem;
};

/* A reply for MAIL, RCPT or end of data. */
struct submit_reply {
	const char *code;	/* "554", "530", ... */
	const char *dsn;	/* "5.7.0", ... */
	char	text[SUBMIT_TEXT_MAX];
	const char *rule;	/* short name for the log: "auth", "fqdn", ... */
};

/* submission_reply - fill r (code, enhanced status, text, the rule named in
 * the log); returns -1 so a check can "return submission_reply(...)". */
int submission_reply(struct submit_reply *r, const char *rule, const char *code,
    const char *dsn, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* What end of message changes; applied by submission_act.c. */
struct submit_edit {
	enum { SUBMIT_ADD, SUBMIT_CHANGE } op;
	char	name[32];
	unsigned index;		/* SUBMIT_CHANGE: 1-based among that name */
	char	*value;		/* owned */
};

#define SUBMIT_EDITS_MAX	(SUBMIT_FIELDS_MAX + 4)

struct submit_edits {
	size_t	n;
	struct submit_edit e[SUBMIT_EDITS_MAX];
	char	added[64];	/* "Date,Message-ID" for the log; "" */
};

/*
 * milter_submit_connect - is this session a submission?  daemon_port,
 * daemon_name and client_addr are macro values (NULL when not sent).
 */
void milter_submit_connect(struct submit_conn *c, const struct smtp2_conf *conf,
    const char *daemon_port, const char *daemon_name, const char *client_addr);

/*
 * milter_submit_mail - MAIL FROM arg (argv[0]) with its ESMTP parameters
 * (args, NULL-terminated, may be NULL); login is {auth_authen} (NULL or
 * "" when not authenticated), tls whether STARTTLS is in force.  Returns
 * 0 to go on, or -1 with the reply in r.
 */
int milter_submit_mail(const struct submit_conn *c, struct submit_msg *m,
    const struct smtp2_conf *conf, const char *arg, char *const *args,
    const char *login, bool tls, struct submit_reply *r);

/* milter_submit_rcpt - one RCPT TO arg; 0, or -1 with the reply in r. */
int milter_submit_rcpt(const struct submit_conn *c, struct submit_msg *m,
    const struct smtp2_conf *conf, const char *arg, char *const *args,
    struct submit_reply *r);

/* milter_submit_header - one header field (value with or without its
 * leading space).  Never fails: trouble is remembered for the end. */
void milter_submit_header(struct submit_msg *m, const char *name, const char *value);

/*
 * milter_submit_eom - judge the message and plan its completion at time
 * now.  Returns 0 with the edits in e (to be freed with
 * milter_submit_edits_free), -1 with a reply in r (reject), or -2 with r
 * when the edits cannot be made (no memory, no randomness: try later).
 */
int milter_submit_eom(const struct submit_msg *m, const struct smtp2_conf *conf,
    time_t now, struct submit_edits *e, struct submit_reply *r);

void milter_submit_edits_free(struct submit_edits *e);

/* milter_submit_single_name - the k-th field counted in n_single, or
 * NULL past the last. */
const char *milter_submit_single_name(unsigned k);

/* milter_submit_msg_reset - forget the message, free what it holds. */
void milter_submit_msg_reset(struct submit_msg *m);

#endif
