/*
 * smtp2/submit.h - the pure checks of message submission (RFC 6409):
 * envelope address syntax (RFC 5321 Mailbox), fully-qualified domains and
 * the expansion of single-level names, the submission-rights map, trusted
 * networks, the header fields an MSA may complete (Date, Message-ID,
 * Sender) and a rate limit for error logging.
 *
 * Nothing here knows of libmilter: smtp2-milter adapts it, the unit tests
 * and the fuzz target call it directly.  Every input is treated as hostile.
 */
#ifndef SMTP2_SUBMIT_H
#define SMTP2_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SMTP2_SUBMIT_LOCAL_MAX	64	/* RFC 5321 4.5.3.1.1 */
#define SMTP2_SUBMIT_DOMAIN_MAX	255	/* RFC 5321 4.5.3.1.2 */
#define SMTP2_SUBMIT_PATH_MAX	256	/* RFC 5321 4.5.3.1.3, with <> */

/* What is wrong with an envelope address; each maps to one reply. */
enum smtp2_submit_status {
	SMTP2_SUBMIT_OK = 0,
	SMTP2_SUBMIT_SYNTAX,		/* not a Mailbox: 501 5.1.7 / 5.1.3 */
	SMTP2_SUBMIT_IMPROPER,		/* control bytes, too long: 554 */
	SMTP2_SUBMIT_NOT_FQDN		/* domain not fully qualified: 554 */
};

/* One envelope address, split.  null: MAIL FROM:<>. */
struct smtp2_submit_addr {
	bool	null;
	bool	literal;		/* domain is an address literal [...] */
	char	local[2 * SMTP2_SUBMIT_PATH_MAX];	/* as written, quotes kept */
	char	domain[SMTP2_SUBMIT_PATH_MAX];	/* lower case (ASCII) */
};

/*
 * smtp2_submit_parse_path - split and check one MAIL FROM or RCPT TO
 * argument as the MTA hands it ("<a@b>", "a@b", "<>"; an obsolete source
 * route "@x,@y:" is skipped).  utf8: SMTPUTF8 was given, so UTF-8 is
 * allowed in the local part and domain (RFC 6531).  null_ok: "<>" is a
 * valid answer (MAIL, not RCPT).  Returns SMTP2_SUBMIT_OK with a filled,
 * or the first problem with a reason in why.  Full qualification is not
 * judged here: see smtp2_submit_fqdn().
 */
enum smtp2_submit_status smtp2_submit_parse_path(const char *arg, bool utf8,
    bool null_ok, struct smtp2_submit_addr *a, char *why, size_t whylen);

/*
 * smtp2_submit_fqdn - is domain (lower case, syntax already checked)
 * fully qualified?  A domain literal is; a name needs two or more labels
 * and a top-level label that is not numeric nor one of the names reserved
 * for private use (localhost, local, localdomain, internal, lan, home,
 * corp, intranet, private, invalid).  A single label may be expanded with
 * expand (a fully-qualified name; NULL: no expansion): returns 1 with
 * "label.expand" in out.  Multi-level names are never expanded (RFC 6409
 * 4.2).  Returns 0 (qualified, out untouched), 1 (expanded) or -1 with
 * why.
 */
int smtp2_submit_fqdn(const char *domain, const char *expand, char *out,
    size_t outlen, char *why, size_t whylen);

/* smtp2_submit_hostname_ok - is s a syntactically valid host name
 * (LDH labels, 1..63 bytes each, 255 in all; a trailing dot refused)? */
bool smtp2_submit_hostname_ok(const char *s);

/*
 * Trusted networks: "192.0.2.0/24", "2001:db8::/32", or a bare address.
 */
struct smtp2_submit_net {
	int	family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;
};

/* smtp2_submit_net_parse - one network; 0, or -1 with why. */
int smtp2_submit_net_parse(const char *s, struct smtp2_submit_net *n,
    char *why, size_t whylen);

/* smtp2_submit_net_match - is the numeric address text addr inside one of
 * nets (IPv4-mapped IPv6 addresses match IPv4 networks)? */
bool smtp2_submit_net_match(const struct smtp2_submit_net *nets, size_t n,
    const char *addr);

/*
 * The rights map: which addresses a login may use.  One entry per line,
 *   login  address|@domain|* [, ...]
 * '#' starts a comment.  Logins compare exactly, addresses without regard
 * to ASCII case.  Loaded whole into memory; immutable once loaded.
 */
struct smtp2_submit_rights;

/* smtp2_submit_rights_load - read path.  NULL with "FILE:LINE: what" in
 * why.  Free with smtp2_submit_rights_free(). */
struct smtp2_submit_rights *smtp2_submit_rights_load(const char *path,
    char *why, size_t whylen);
void smtp2_submit_rights_free(struct smtp2_submit_rights *r);

/* smtp2_submit_rights_known - has login an entry at all? */
bool smtp2_submit_rights_known(const struct smtp2_submit_rights *r,
    const char *login);

/* smtp2_submit_rights_allow - may login use local@domain?  An unknown
 * login may use nothing. */
bool smtp2_submit_rights_allow(const struct smtp2_submit_rights *r,
    const char *login, const char *local, const char *domain);

/* smtp2_submit_rights_entries - number of logins (for the start log). */
size_t smtp2_submit_rights_entries(const struct smtp2_submit_rights *r);

/*
 * Header fields.  smtp2_submit_mailbox_fn sees each mailbox of an address
 * list: the local part as written, the domain, and the byte offset just
 * after the domain in the field value (where an expansion would go).
 * Return non-zero to stop the walk.
 */
typedef int (*smtp2_submit_mailbox_fn)(void *arg, const char *local,
    const char *domain, size_t domain_end);

/*
 * smtp2_submit_addrlist - walk an RFC 5322 address-list (From, Sender,
 * To, Cc, Bcc, Reply-To values; groups allowed, obsolete forms too).
 * Returns the number of mailboxes (0 for an empty group), -2 when the
 * callback stopped the walk, or -1 with why on a syntax error.
 */
int smtp2_submit_addrlist(const char *value, smtp2_submit_mailbox_fn fn,
    void *arg, char *why, size_t whylen);

/* smtp2_submit_date_ok - is value an RFC 5322 date-time (obsolete forms:
 * optional day name, two-digit years, alphabetic zones, comments)? */
bool smtp2_submit_date_ok(const char *value);

/* smtp2_submit_msgid_ok - is value exactly one RFC 5322 msg-id, "<l@r>"
 * with optional surrounding CFWS? */
bool smtp2_submit_msgid_ok(const char *value);

/* smtp2_submit_date_format - t as an RFC 5322 date-time in the local
 * zone ("Tue, 1 Jul 2025 12:00:00 +0200").  Returns what snprintf does. */
int smtp2_submit_date_format(time_t t, char *buf, size_t len);

/* smtp2_submit_msgid_make - "<RANDOM.SECONDS@domain>" from 16 random
 * bytes.  Returns 0, or -1 when no randomness can be had or buf is short. */
int smtp2_submit_msgid_make(const char *domain, time_t t, char *buf, size_t len);

/*
 * Error-log rate limit: at most per_minute lines a minute, process-wide,
 * thread-safe; what was suppressed is counted and reported by the next
 * allowed line.  per_minute 0: never limited.
 */
struct smtp2_submit_rate;

struct smtp2_submit_rate *smtp2_submit_rate_new(unsigned per_minute);
void smtp2_submit_rate_free(struct smtp2_submit_rate *r);

/* smtp2_submit_rate_take - may a line be logged at time now?  When yes,
 * *suppressed is the number of lines refused since the last yes. */
bool smtp2_submit_rate_take(struct smtp2_submit_rate *r, time_t now,
    unsigned long *suppressed);

#endif
