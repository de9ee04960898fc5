/*
 * callbacks.c - libmilter callbacks: collect the connection, envelope and
 * header facts into the session; end of message is eom.c's job.
 *
 * libmilter runs a thread per connection.  All mutable state is in the
 * struct session hung on the context, which holds the configuration
 * generation the connection started with (run.h); the only globals are
 * where the current generation is found and how many connections run.
 */

/* System library. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Milter library. */
#include <libmilter/mfapi.h>

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/dns.h>

/* Utility library. */
#include "live.h"
#include "log.h"

/* Application-specific. */
#include "callbacks.h"
#include "eom.h"
#include "headers.h"
#include "connstate.h"
#include "requiretls_smfi.h"
#include "run.h"
#include "signing.h"
#include "submission_act.h"
#include "tlsfacts.h"
#include "verdict.h"

/* TLS macros, asked for at HELO (after STARTTLS) and again at MAIL. */
#define TLS_MACROS	"{verify} {cert_subject} {cn_subject} {cert_issuer} " \
			"{cn_issuer} {cert_fp} {cert_md5} {tls_version} {cipher} " \
			"{auth_authen} i"

static struct smtp2d_live *live;	/* the current generation (run.h) */
static atomic_uint n_active;		/* connections with a session */
static atomic_uint n_busy;		/* messages between MAIL and their end */
static atomic_bool stopping;		/* SIGTERM: no new connections */

/* session_of - our state for this connection */
static struct session *
session_of(SMFICTX *ctx)
{
	return (struct session *)smfi_getpriv(ctx);
}

/* session_start - a session under the current configuration */
static struct session *
session_start(SMFICTX *ctx)
{
	struct smtp2d_gen *g = smtp2d_live_hold(live);
	struct session *s;

	if ((s = milter_session_new(smtp2d_gen_obj(g), g)) == NULL) {
		smtp2d_gen_drop(g);
		return NULL;
	}
	atomic_fetch_add(&n_active, 1);
	smfi_setpriv(ctx, s);
	return s;
}

/* callbacks_active - see callbacks.h */
unsigned
callbacks_active(void)
{
	return atomic_load(&n_active);
}

/* callbacks_busy - see callbacks.h */
unsigned
callbacks_busy(void)
{
	return atomic_load(&n_busy);
}

/* callbacks_stopping - see callbacks.h */
void
callbacks_stopping(void)
{
	atomic_store(&stopping, true);
}

/* message_busy - a message starts (true) or ends (false) on s */
static void
message_busy(struct session *s, bool busy)
{
	if (s->busy == busy)
		return;
	s->busy = busy;
	if (busy)
		atomic_fetch_add(&n_busy, 1);
	else
		atomic_fetch_sub(&n_busy, 1);
}

/* ask_macros - name the macros we need at each stage */
static void
ask_macros(SMFICTX *ctx)
{
	if (smfi_setsymlist(ctx, SMFIM_CONNECT,
	    "{client_addr} {client_port} {daemon_port} {daemon_name}") != MI_SUCCESS ||
	    smfi_setsymlist(ctx, SMFIM_HELO, TLS_MACROS) != MI_SUCCESS ||
	    smfi_setsymlist(ctx, SMFIM_ENVFROM, TLS_MACROS) != MI_SUCCESS ||
	    smfi_setsymlist(ctx, SMFIM_EOM, "i") != MI_SUCCESS)
		log_warn("cannot ask the MTA for macros: relying on its defaults");
}

/* The steps that never need an answer from us once the session exists. */
#define NO_REPLY	(SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

/* go_on - "continue", or nothing at all where the MTA agreed to that */
static sfsistat
go_on(const struct session *s)
{
	return s->noreply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/*
 * mlfi_negotiate - ask for header edits and macros; the body and the end
 * of the header only when DKIM needs them, and header values untouched
 * (leading space kept) so simple canonicalisation sees what was signed.
 */
static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct session *s;
	const struct smtp2_conf *conf;
	const unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	unsigned long skip = SMFIP_NODATA | SMFIP_NOUNKNOWN;

	(void)f2;
	(void)f3;
	if ((f0 & need) != need) {
		/* Stamping without deleting forgeries would mislead readers. */
		log_err("the MTA cannot add and change headers: refusing to filter");
		return SMFIS_REJECT;
	}
	/* Negotiation comes before connect: the session starts here, and
	 * with it the configuration this connection is served under.  A
	 * failure ends the milter session: the MTA's default action. */
	if ((s = session_of(ctx)) == NULL && (s = session_start(ctx)) == NULL) {
		log_err("out of memory for a new connection");
		return SMFIS_TEMPFAIL;
	}
	conf = s->run->conf;
	skip |= conf->dkim.verify ? SMFIP_HDR_LEADSPC : SMFIP_NOBODY | SMFIP_NOEOH;
	*pf0 = need | (f0 & submission_actions(conf));
	*pf1 = f1 & skip;
	s->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
	/* Headers, their end and the body never get an answer of ours but
	 * "go on": spare the MTA the round trip each. */
	if ((f1 & NO_REPLY) == NO_REPLY) {
		*pf1 |= NO_REPLY;
		s->noreply = true;
	}
	*pf2 = 0;
	*pf3 = 0;
	if ((f0 & SMFIF_SETSYMLIST) != 0) {
		*pf0 |= SMFIF_SETSYMLIST;
		ask_macros(ctx);
	}
	return SMFIS_CONTINUE;
}

/* sockaddr_text - numeric address and port of the client, if IP */
static void
sockaddr_text(const struct sockaddr *sa, char *addr, size_t alen,
    char *port, size_t plen)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (sa != NULL && sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		if (inet_ntop(AF_INET, &sin.sin_addr, addr, (socklen_t)alen) == NULL)
			addr[0] = '\0';
		if (sin.sin_port != 0)
			snprintf(port, plen, "%u", (unsigned)ntohs(sin.sin_port));
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		if (inet_ntop(AF_INET6, &sin6.sin6_addr, addr, (socklen_t)alen) == NULL)
			addr[0] = '\0';
		if (sin6.sin6_port != 0)
			snprintf(port, plen, "%u", (unsigned)ntohs(sin6.sin6_port));
	}
}

/*
 * admit - may this connection be served?  Not while stopping, nor beyond
 * milter.max_connections: 421 4.3.2, the client comes back later.
 */
static bool
admit(SMFICTX *ctx, const struct session *s)
{
	unsigned max = s->run->conf->milter.max_connections;
	unsigned n = atomic_load(&n_active);

	if (atomic_load(&stopping))
		(void)smfi_setreply(ctx, "421", "4.3.2",
		    "smtp2-milter is restarting, try again later");
	else if (n > max) {
		log_warn("client=%s:%s: %u connections, milter.max_connections is"
		    " %u: refused with 421 4.3.2", s->client_addr, s->client_port,
		    n, max);
		(void)smfi_setreply(ctx, "421", "4.3.2",
		    "too many connections to the mail filter, try again later");
	} else
		return true;
	return false;
}

/* mlfi_connect - a new SMTP connection: its client address and port */
static sfsistat
mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct session *s;
	char addr[64] = "", port[8] = "";

	(void)hostname;
	if ((s = session_of(ctx)) == NULL && (s = session_start(ctx)) == NULL) {
		log_err("out of memory for a new connection");
		return SMFIS_TEMPFAIL;
	}
	/* The address as the MTA saw it; macros only when it sent none. */
	sockaddr_text(hostaddr, addr, sizeof(addr), port, sizeof(port));
	milter_session_client(s, addr[0] ? addr : smfi_getsymval(ctx, "{client_addr}"),
	    port[0] ? port : smfi_getsymval(ctx, "{client_port}"));
	if (!admit(ctx, s))
		return SMFIS_TEMPFAIL;
	return submission_connect(ctx, s, s->run->conf);
}

/* tls_refresh - the TLS facts as the latest macros tell them */
static void
tls_refresh(SMFICTX *ctx, struct session *s)
{
	struct tls_macros m;

	m.verify = smfi_getsymval(ctx, "{verify}");
	m.cert_subject = smfi_getsymval(ctx, "{cert_subject}");
	m.cn_subject = smfi_getsymval(ctx, "{cn_subject}");
	m.cert_fp = smfi_getsymval(ctx, "{cert_fp}");
	m.cert_md5 = smfi_getsymval(ctx, "{cert_md5}");
	m.tls_version = smfi_getsymval(ctx, "{tls_version}");
	m.cipher = smfi_getsymval(ctx, "{cipher}");
	m.cert_issuer = smfi_getsymval(ctx, "{cert_issuer}");
	m.cn_issuer = smfi_getsymval(ctx, "{cn_issuer}");
	s->tls_sendmail = milter_tls_from_macros(&m, &s->tls);
}

/* mlfi_helo - HELO/EHLO, again after STARTTLS: the TLS macros arrive */
static sfsistat
mlfi_helo(SMFICTX *ctx, char *helohost)
{
	struct session *s = session_of(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	milter_session_helo(s, helohost);
	tls_refresh(ctx, s);
	return SMFIS_CONTINUE;
}

/* mlfi_envfrom - a new message */
static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = session_of(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	milter_message_reset(&s->msg);
	message_busy(s, true);
	/* One message, one DNS budget (dns.max_queries). */
	if (s->dns != NULL)
		smtp2_dns_budget(s->dns, s->run->conf->dns.max_queries);
	milter_message_sender(&s->msg, argv[0]);
	milter_message_queue_id(&s->msg, smfi_getsymval(ctx, "i"));
	tls_refresh(ctx, s);
	if (submission_envfrom(ctx, s, s->run->conf, argv) == SMFIS_REJECT)
		return SMFIS_REJECT;
	return requiretls_envfrom(ctx, s, s->run->conf, argv);
}

/* mlfi_envrcpt - one recipient (strict mode spares postmaster) */
static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = session_of(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	if (submission_envrcpt(ctx, s, s->run->conf, argv) == SMFIS_REJECT)
		return SMFIS_REJECT;
	milter_message_rcpt(&s->msg, argv[0]);
	milter_requiretls_rcpt(&s->msg.rtls, s->run->conf, argv[0]);
	return SMFIS_CONTINUE;
}

/* header_signing - a header field for the DKIM verifier */
static void
header_signing(struct session *s, const char *name, const char *value)
{
	struct smtp2_dns *dns;
	char	why[200] = "";

	dns = milter_verdict_resolver(s, why, sizeof(why));
	milter_signing_header(&s->msg.signing, s->run, dns, why, name, value,
	    s->leadspc);
}

/* header_over - count the field; past milter.max_header_bytes nothing
 * more is looked at (the reply has to wait: headers get none, NR_HDR) */
static bool
header_over(struct session *s, const char *name, const char *value)
{
	struct message *m = &s->msg;

	/* "Name: value" and CRLF, as the field was sent. */
	m->hdr_bytes += strlen(name) + strlen(value) + 4;
	if (!m->hdr_over && m->hdr_bytes > s->run->conf->milter.max_header_bytes)
		m->hdr_over = true;
	return m->hdr_over;
}

/* mlfi_header - From and forged smtp2 headers are remembered */
static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = session_of(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	if (header_over(s, name, value))	/* refused at the end (eom.c) */
		return go_on(s);
	milter_headers_add(&s->msg.headers, name, value,
	    s->run->conf->policy.authserv_id);
	milter_requiretls_header(&s->msg.rtls, name, value);
	submission_header(s, name, value);
	if (s->run->conf->dkim.verify && !s->sub.active)	/* no verdict for submissions */
		header_signing(s, name, value);
	return go_on(s);
}

/* mlfi_eoh - the header is complete: DKIM parses its signatures */
static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	milter_signing_eoh(&s->msg.signing);
	return go_on(s);
}

/* mlfi_body - one chunk of the body, hashed as it passes */
static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct session *s = session_of(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	milter_signing_body(&s->msg.signing, chunk, len);
	return go_on(s);
}

/* mlfi_eom - verdict, decision, headers: see eom.c */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);
	sfsistat r;

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	r = eom_run(ctx, s);
	milter_message_reset(&s->msg);
	message_busy(s, false);
	return r;
}

/* mlfi_abort - the message is gone; the connection stays */
static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);

	if (s != NULL) {
		milter_message_reset(&s->msg);
		message_busy(s, false);
	}
	return SMFIS_CONTINUE;
}

/* mlfi_close - the connection is gone */
static sfsistat
mlfi_close(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);

	if (s != NULL) {
		message_busy(s, false);
		milter_session_free(s);
		atomic_fetch_sub(&n_active, 1);
	}
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

/* callbacks_register - see callbacks.h */
int
callbacks_register(struct smtp2d_live *l)
{
	struct smfiDesc desc;

	memset(&desc, 0, sizeof(desc));
	desc.xxfi_name = "smtp2-milter";
	desc.xxfi_version = SMFI_VERSION;
	/* Every action any configuration may need: a reload cannot widen
	 * what was registered, and negotiation narrows it per connection. */
	desc.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGFROM |
	    SMFIF_ADDRCPT | SMFIF_DELRCPT;
	desc.xxfi_connect = mlfi_connect;
	desc.xxfi_helo = mlfi_helo;
	desc.xxfi_envfrom = mlfi_envfrom;
	desc.xxfi_envrcpt = mlfi_envrcpt;
	desc.xxfi_header = mlfi_header;
	desc.xxfi_eoh = mlfi_eoh;
	desc.xxfi_body = mlfi_body;
	desc.xxfi_eom = mlfi_eom;
	desc.xxfi_abort = mlfi_abort;
	desc.xxfi_close = mlfi_close;
	desc.xxfi_negotiate = mlfi_negotiate;
	live = l;
	return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}
