/*
 * tlsmap.c - the socketmap service behind smtp_tls_policy_maps.
 *
 * One thread per Postfix connection (server.c); each owns its resolver
 * and a request buffer.  The decision is libsmtp2's (DANE, then _smtp2);
 * MTA-STS is asked only when that found nothing, so DANE always wins.
 * Every answer is logged on one line: Postfix itself only says that a
 * policy applied, not why.
 */

/* System library. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Utility library. */
#include "attr.h"
#include "live.h"
#include "log.h"

/* Application-specific. */
#include <smtp2/tlspolicy.h>
#include "gen.h"
#include "socketmap.h"
#include "tlsmap.h"

/* Postfix's socketmap client waits 100 s for a reply; idle is ours. */
#define TLSMAP_READ_TIMEOUT_MS	100000
#define TLSMAP_IDLE_TIMEOUT_MS	300000
#define TLSMAP_KEY_MAX		300

/* One connection's buffer: at most one request and the next one's start. */
struct tlsmap_conn {
	size_t	len;
	char	buf[SOCKETMAP_REQUEST_MAX + 16];
};

/* tlsmap_routed - a key Postfix builds for a hand-made route */
static bool
tlsmap_routed(const char *key)
{
	return key[0] == '[' || key[0] == '.' || strchr(key, ':') != NULL;
}

/* tlsmap_decide - the policy for a domain key; NOTFOUND for the rest */
static void
tlsmap_decide(const struct policyd_tlsmap_ctx *ctx, struct smtp2_dns **dns,
    const char *key, struct smtp2_tlspolicy *tp)
{
	struct smtp2_mtasts_policy sts;
	char	why[256], err[160];

	if (tlsmap_routed(key)) {
		memset(tp, 0, sizeof(*tp));
		snprintf(tp->reason, sizeof(tp->reason), "routed next hop: "
		    "not ours to judge");
		return;
	}
	if (*dns == NULL && (*dns = smtp2_dns_new(&ctx->dns, err,
	    sizeof(err))) == NULL) {
		memset(tp, 0, sizeof(*tp));
		tp->result = SMTP2_TLSPOLICY_TEMP;
		snprintf(tp->reason, sizeof(tp->reason), "no resolver: %s", err);
		return;
	}
	smtp2_dns_budget(*dns, ctx->max_queries);
	smtp2_tlspolicy_lookup(*dns, &ctx->opts, key, tp);
	if (tp->result != SMTP2_TLSPOLICY_NOTFOUND || ctx->sts == NULL ||
	    tp->domain[0] == '\0')
		return;
	if (policyd_mtasts_get(ctx->sts, *dns, tp->domain, &sts, why,
	    sizeof(why))) {
		smtp2_tlspolicy_from_mtasts(&sts, tp);
		snprintf(tp->reason + strlen(tp->reason), sizeof(tp->reason) -
		    strlen(tp->reason), " (%s)", why);
	}
}

/* tlsmap_log - one line per answer */
static void
tlsmap_log(const char *key, const struct smtp2_tlspolicy *tp)
{
	char	qkey[TLSMAP_KEY_MAX + 8], qpol[sizeof(tp->policy) + 8];
	char	qwhy[sizeof(tp->reason) + 8];

	log_info("tlspolicy key=\"%s\" result=%s source=%s policy=\"%s\" "
	    "reason=\"%s\" queries=%u",
	    smtp2d_log_quote(key, qkey, sizeof(qkey)),
	    smtp2_tlspolicy_result_name(tp->result),
	    smtp2_tlspolicy_source_name(tp->source),
	    smtp2d_log_quote(tp->policy, qpol, sizeof(qpol)),
	    smtp2d_log_quote(tp->reason, qwhy, sizeof(qwhy)), tp->queries);
}

/* policyd_tlsmap_answer - one request in, one reply netstring out */
size_t
policyd_tlsmap_answer(const struct policyd_tlsmap_ctx *ctx,
    struct smtp2_dns **dns, const char *payload, size_t len, char *out,
    size_t outlen)
{
	struct socketmap_request r;
	struct smtp2_tlspolicy tp;
	char	why[160], key[TLSMAP_KEY_MAX + 1];

	if (socketmap_request(payload, len, &r, why, sizeof(why)) < 0)
		return socketmap_reply("PERM", why, out, outlen);
	if (r.name_len != sizeof(TLSMAP_NAME) - 1 ||
	    memcmp(r.name, TLSMAP_NAME, r.name_len) != 0)
		return socketmap_reply("PERM", "unknown map name; use "
		    TLSMAP_NAME, out, outlen);
	if (r.key_len > TLSMAP_KEY_MAX)
		return socketmap_reply("NOTFOUND", "", out, outlen);
	memcpy(key, r.key, r.key_len);
	key[r.key_len] = '\0';
	tlsmap_decide(ctx, dns, key, &tp);
	tlsmap_log(key, &tp);
	switch (tp.result) {
	case SMTP2_TLSPOLICY_DANE_ONLY:
	case SMTP2_TLSPOLICY_DANE:
	case SMTP2_TLSPOLICY_SECURE:
		return socketmap_reply("OK", tp.policy, out, outlen);
	case SMTP2_TLSPOLICY_TEMP:
		return socketmap_reply("TEMP", tp.reason, out, outlen);
	default:
		return socketmap_reply("NOTFOUND", "", out, outlen);
	}
}

/* tlsmap_now_ms - a monotonic clock in milliseconds */
static long long
tlsmap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* tlsmap_fill - read more before deadline: 1 bytes came, 0 EOF, -1 error */
static int
tlsmap_fill(int fd, struct tlsmap_conn *c, long long deadline)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	long long left;
	ssize_t	got;
	int	rc;

	for (;;) {
		if ((left = deadline - tlsmap_now_ms()) < 0)
			left = 0;
		if ((rc = poll(&pfd, 1, (int)left)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		got = read(fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (got > 0)
			c->len += (size_t)got;
		if (got >= 0)
			return got > 0;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* tlsmap_next - the next complete request; false when the connection ends */
static bool
tlsmap_next(int fd, struct tlsmap_conn *c, struct socketmap_frame *f)
{
	long long deadline = 0;
	char	why[120], reply[256];
	int	rc;

	for (;;) {
		switch (socketmap_frame(c->buf, c->len, SOCKETMAP_REQUEST_MAX, f,
		    why, sizeof(why))) {
		case SOCKETMAP_OK:
			return true;
		case SOCKETMAP_ERROR:
			log_warn("tlspolicy connection: %s: closing", why);
			(void)smtp2d_write_all(fd, reply, socketmap_reply("PERM",
			    why, reply, sizeof(reply)));
			return false;
		case SOCKETMAP_NEED:
			break;
		}
		/* Idle between requests, bounded once one has begun. */
		if (deadline == 0 || c->len == 0)
			deadline = tlsmap_now_ms() + (c->len == 0 ?
			    TLSMAP_IDLE_TIMEOUT_MS : TLSMAP_READ_TIMEOUT_MS);
		if ((rc = tlsmap_fill(fd, c, deadline)) <= 0) {
			if (rc < 0 && (errno != ETIMEDOUT || c->len > 0))
				log_warn("tlspolicy connection: read: %s",
				    strerror(errno));
			else if (rc == 0 && c->len > 0)
				log_warn("tlspolicy connection: client left in "
				    "the middle of a request");
			return false;
		}
	}
}

/*
 * tlsmap_refresh - before a request: the current generation's settings,
 * if a reload installed one since the last request; the resolver goes
 * with the old one (its options, its cache).
 */
static void
tlsmap_refresh(const struct policyd_tlsmap_src *src, struct smtp2d_gen **held,
    struct policyd_tlsmap_ctx *ctx, struct smtp2_dns **dns)
{
	const struct policyd_gen *g;

	if (*held != NULL && smtp2d_gen_id(*held) == smtp2d_live_id(src->live))
		return;
	smtp2_dns_free(*dns);
	*dns = NULL;
	smtp2d_gen_drop(*held);
	*held = smtp2d_live_hold(src->live);
	g = smtp2d_gen_obj(*held);
	*ctx = g->tls;
	ctx->sts = src->sts;
}

/* policyd_tlsmap_serve - answer socketmap requests on one connection */
void
policyd_tlsmap_serve(int fd, void *arg, struct policyd_server *s)
{
	const struct policyd_tlsmap_src *src = arg;
	struct policyd_tlsmap_ctx ctx;
	struct smtp2d_gen *held = NULL;
	struct smtp2_dns *dns = NULL;
	struct socketmap_frame f;
	struct tlsmap_conn *c;
	char	reply[SOCKETMAP_REPLY_MAX];
	size_t	n;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_err("tlspolicy connection: out of memory");
		return;
	}
	while (tlsmap_next(fd, c, &f)) {
		tlsmap_refresh(src, &held, &ctx, &dns);
		n = policyd_tlsmap_answer(&ctx, &dns, c->buf + f.off, f.len,
		    reply, sizeof(reply));
		if (smtp2d_write_all(fd, reply, n) < 0) {
			log_warn("tlspolicy connection: write: %s",
			    strerror(errno));
			break;
		}
		memmove(c->buf, c->buf + f.used, c->len - f.used);
		c->len -= f.used;
		if (policyd_server_stopping(s))
			break;
	}
	smtp2_dns_free(dns);
	smtp2d_gen_drop(held);
	free(c);
}
