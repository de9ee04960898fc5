/*
 * connstate.c - per-connection and per-message state, and the verdict line.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <smtp2/decide.h>
#include <smtp2/dns.h>
#include <smtp2/record.h>
#include <smtp2/result.h>

/* Utility library. */
#include "live.h"
#include "log.h"

/* Application-specific. */
#include "connstate.h"
#include "resolvers.h"

/* milter_session_new - see connstate.h */
struct session *
milter_session_new(const struct milter_run *run, struct smtp2d_gen *gen)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->run = run;
	s->gen = gen;
	snprintf(s->client_addr, sizeof(s->client_addr), "unknown");
	snprintf(s->client_port, sizeof(s->client_port), "0");
	smtp2_tls_facts_init(&s->tls);
	milter_message_reset(&s->msg);
	return s;
}

/* milter_session_free - see connstate.h */
void
milter_session_free(struct session *s)
{
	if (s == NULL)
		return;
	milter_message_reset(&s->msg);
	free(s->msg.sub);
	/* Idle, for the next connection; before gen, which may free the pool. */
	if (s->run != NULL)
		milter_resolvers_put(s->run->pool, s->dns);
	else
		smtp2_dns_free(s->dns);
	smtp2d_gen_drop(s->gen);
	free(s);
}

/* milter_session_client - see connstate.h */
void
milter_session_client(struct session *s, const char *addr, const char *port)
{
	if (addr != NULL && *addr != '\0')
		snprintf(s->client_addr, sizeof(s->client_addr), "%s", addr);
	if (port != NULL && *port != '\0')
		snprintf(s->client_port, sizeof(s->client_port), "%s", port);
}

/* milter_message_reset - see connstate.h */
void
milter_message_reset(struct message *m)
{
	m->sender[0] = '\0';
	m->rcpt[0] = '\0';
	m->n_rcpt = 0;
	m->all_postmaster = true;
	m->queue_id[0] = '\0';
	m->hdr_bytes = 0;
	m->hdr_over = false;
	milter_headers_init(&m->headers);
	milter_signing_reset(&m->signing);
	if (m->sub != NULL)
		milter_submit_msg_reset(m->sub);
	milter_requiretls_reset(&m->rtls);
}

/*
 * log_token - an envelope address fit for a key=value log field: angle
 * brackets and ESMTP junk are the MTA's business, but white space or
 * control characters would let a client forge log fields.
 */
static void
log_token(const char *in, char *out, size_t outlen)
{
	size_t n = 0, len;
	unsigned char c;

	if (*in == '<')
		in++;
	len = strlen(in);
	if (len > 0 && in[len - 1] == '>')
		len--;
	for (; n < len && n + 1 < outlen; n++) {
		c = (unsigned char)in[n];
		out[n] = (c <= ' ' || c == 0x7f || c == '"') ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* milter_message_sender - see connstate.h */
void
milter_message_sender(struct message *m, const char *arg)
{
	log_token(arg != NULL ? arg : "", m->sender, sizeof(m->sender));
	if (m->sender[0] == '\0')
		snprintf(m->sender, sizeof(m->sender), "<>");
}

/* is_postmaster - "<postmaster>" or "<postmaster@any.domain>" */
static bool
is_postmaster(const char *arg)
{
	const char *at;
	size_t len;

	if (*arg == '<')
		arg++;
	if ((at = strrchr(arg, '@')) != NULL)
		len = (size_t)(at - arg);
	else
		len = strcspn(arg, ">");
	return len == 10 && strncasecmp(arg, "postmaster", 10) == 0;
}

/* milter_message_rcpt - see connstate.h */
void
milter_message_rcpt(struct message *m, const char *arg)
{
	if (arg == NULL)
		arg = "";
	if (m->n_rcpt++ == 0)
		log_token(arg, m->rcpt, sizeof(m->rcpt));
	if (!is_postmaster(arg))
		m->all_postmaster = false;
}

/* milter_message_to_postmaster - see connstate.h */
bool
milter_message_to_postmaster(const struct message *m)
{
	return m->n_rcpt > 0 && m->all_postmaster;
}

/* milter_message_queue_id - see connstate.h */
void
milter_message_queue_id(struct message *m, const char *id)
{
	if (id != NULL && *id != '\0')
		log_token(id, m->queue_id, sizeof(m->queue_id));
}

/* milter_session_helo - see connstate.h */
void
milter_session_helo(struct session *s, const char *helo)
{
	if (helo != NULL)
		log_token(helo, s->helo, sizeof(s->helo));
}

/* signing_fields - " [via=F] [dkim=.. dkim_d=.. dmarc=.. adsp=..]" */
static const char *
signing_fields(const struct smtp2_verdict *v, const struct signing_result *r,
    char *buf, size_t len)
{
	const char *d = "-";
	size_t	i, n = 0;
	int	k;

	buf[0] = '\0';
	if (v->via[0] != '\0' && (k = snprintf(buf, len, " via=%s", v->via)) > 0)
		n = (size_t)k < len ? (size_t)k : len - 1;
	if (r == NULL || !r->checked)
		return buf;
	for (i = 0; i < r->n_sigs; i++)
		if (r->sigs[i].result == SMTP2_DKIMV_PASS) {
			d = r->sigs[i].domain;
			break;
		}
	snprintf(buf + n, len - n, " dkim=%s dkim_d=%s dmarc=%s adsp=%s",
	    r->temperror ? "temperror" : smtp2_dkimv_result_name(
	    smtp2_dkimv_summary(r->sigs, r->n_sigs)), d,
	    r->judged ? smtp2_dmarcr_name(r->dmarc.result) : "-",
	    r->judged ? smtp2_adspr_name(r->adsp.result) : "-");
	return buf;
}

/* milter_session_verdict_line - see connstate.h */
int
milter_session_verdict_line(const struct session *s, const struct smtp2_verdict *v,
    enum smtp2_mode mode, enum smtp2_action action, const struct signing_result *r,
    long ms, char *buf, size_t len)
{
	const struct message *m = &s->msg;
	char more[16] = "", reason[2 * sizeof(v->reason)], sig[600];

	if (m->n_rcpt > 1)
		snprintf(more, sizeof(more), "+%u", m->n_rcpt - 1);
	return snprintf(buf, len, "verdict stage=eom queue=%s client=%s:%s "
	    "sender=%s rcpt=%s%s domain=%s result=%s method=%s dnssec=%s "
	    "record=%s policy=%s mode=%s action=%s%s reason=\"%s\" ms=%ld",
	    m->queue_id[0] ? m->queue_id : "-", s->client_addr, s->client_port,
	    m->sender[0] ? m->sender : "<>", m->rcpt[0] ? m->rcpt : "-", more,
	    v->domain[0] ? v->domain : "-", smtp2_result_name(v->result),
	    smtp2_method_name(v->method), smtp2_dnssec_name(v->dnssec),
	    v->has_record ? "yes" : "no",
	    v->has_record ? smtp2_policy_name(v->policy) : "-",
	    smtp2_mode_name(mode), smtp2_action_name(action),
	    signing_fields(v, r, sig, sizeof(sig)),
	    smtp2d_log_quote(v->reason, reason, sizeof(reason)), ms);
}
