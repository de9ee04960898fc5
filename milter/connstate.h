/*
 * connstate.h - what smtp2-milter keeps per SMTP connection and per message.
 *
 * libmilter runs one thread per connection: this struct, hung on the
 * connection with smfi_setpriv(), is the only mutable state a callback
 * touches.  The connection owns the message; the message owns its header
 * state; nothing inside points outside.
 */
#ifndef SMTP2_MILTER_CONNSTATE_H
#define SMTP2_MILTER_CONNSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include <smtp2/decide.h>
#include <smtp2/dns.h>
#include <smtp2/tls.h>
#include <smtp2/verify.h>

#include "headers.h"
#include "requiretls_m.h"
#include "run.h"
#include "signing.h"
#include "submission.h"

#define SESSION_ADDR_MAX	256	/* envelope addresses kept for logs */

struct message {
	char		sender[SESSION_ADDR_MAX];	/* "<>" for the null sender */
	char		rcpt[SESSION_ADDR_MAX];		/* the first recipient */
	unsigned	n_rcpt;
	bool		all_postmaster;	/* every recipient is a postmaster */
	char		queue_id[64];
	size_t		hdr_bytes;	/* header section so far, as received */
	bool		hdr_over;	/* beyond milter.max_header_bytes */
	struct headers	headers;
	struct signing	signing;	/* DKIM and practices */
	struct submit_msg *sub;		/* RFC 6409 submission (36 KB): made
					 * for submission sessions only */
	struct requiretls_msg rtls;	/* REQUIRETLS (docs/requiretls.md) */
};

struct smtp2d_gen;

struct session {
	const struct milter_run *run;	/* the configuration it started with */
	struct smtp2d_gen *gen;		/* the hold keeping run alive; may be NULL */
	char		client_addr[64];
	char		client_port[8];
	struct smtp2_tls_facts tls;	/* from the latest macros */
	bool		tls_sendmail;	/* they were Sendmail's ({verify} seen) */
	bool		leadspc;	/* header values keep their leading space */
	bool		noreply;	/* headers, eoh, body: no reply expected */
	bool		busy;		/* a message is between MAIL and its end */
	char		helo[256];	/* HELO/EHLO argument, for forwarders */
	struct smtp2_dns *dns;		/* made on first local verification */
	struct submit_conn sub;		/* RFC 6409 submission session */
	struct message	msg;
};

/*
 * milter_session_new - a connection with no client known yet, served
 * under run (may be NULL where nothing needs settings); it takes over gen
 * (may be NULL), the hold that keeps run alive.  NULL when out of memory
 * (gen then stays the caller's).  milter_session_free() releases the
 * session, gives its resolver back to run's pool and drops gen.
 */
struct session *milter_session_new(const struct milter_run *run,
    struct smtp2d_gen *gen);
void milter_session_free(struct session *s);

/* milter_session_client - remember the client's address and port (as text). */
void milter_session_client(struct session *s, const char *addr, const char *port);

/* milter_message_reset - forget the current message (new MAIL, abort, done). */
void milter_message_reset(struct message *m);

/* milter_message_sender - the MAIL FROM argument as the MTA hands it ("<a@b>"). */
void milter_message_sender(struct message *m, const char *arg);

/* milter_message_rcpt - one more RCPT TO argument. */
void milter_message_rcpt(struct message *m, const char *arg);

/* milter_message_to_postmaster - is there at least one recipient, and are all
 * of them postmaster (RFC 5321 4.5.1: it must always be reachable)? */
bool milter_message_to_postmaster(const struct message *m);

/* milter_message_queue_id - remember the queue id when the MTA tells it. */
void milter_message_queue_id(struct message *m, const char *id);

/* milter_session_helo - remember the HELO/EHLO argument (printable, bounded). */
void milter_session_helo(struct session *s, const char *helo);

/*
 * milter_session_verdict_line - the one log line per message, without level:
 *   verdict stage=eom queue=Q client=A:P sender=S rcpt=R[+N] domain=D
 *   result=.. method=.. dnssec=.. record=yes|no policy=P|- mode=..
 *   action=.. [via=F] [dkim=.. dkim_d=D|- dmarc=.. adsp=..] reason="..." ms=N
 * via= only for forwarded mail; the DKIM fields only when r is not NULL
 * and DKIM ran.  Returns what snprintf returns.
 */
int milter_session_verdict_line(const struct session *s, const struct smtp2_verdict *v,
    enum smtp2_mode mode, enum smtp2_action action, const struct signing_result *r,
    long ms, char *buf, size_t len);

#endif
