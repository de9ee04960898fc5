/*
 * requiretls_smfi.c - the libmilter side of REQUIRETLS: refuse the MAIL
 * parameter outside TLS, and at end of message replace any incoming
 * X-SMTP2-RequireTLS with ours (docs/requiretls.md, docs/headers.md).
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>

/* Milter library. */
#include <libmilter/mfapi.h>

/* Utility library. */
#include "log.h"

/* Application-specific. */
#include "connstate.h"
#include "requiretls_m.h"
#include "requiretls_smfi.h"

#define RTLS_STAMP_MAX	256	/* bytes of our header value */

/* requiretls_envfrom - see requiretls_smfi.h */
sfsistat
requiretls_envfrom(SMFICTX *ctx, struct session *s,
    const struct smtp2_conf *conf, char **argv)
{
	bool tls = s->tls.protocol[0] != '\0' || s->tls.cipher[0] != '\0';

	if (milter_requiretls_envfrom(&s->msg.rtls, conf, argv, tls) == 0)
		return SMFIS_CONTINUE;
	log_info("client=%s:%s sender=%s: REQUIRETLS without TLS: refused %s %s",
	    s->client_addr, s->client_port, s->msg.sender, RTLS_NOTLS_CODE,
	    RTLS_NOTLS_DSN);
	if (smfi_setreply(ctx, RTLS_NOTLS_CODE, RTLS_NOTLS_DSN,
	    RTLS_NOTLS_TEXT) != MI_SUCCESS)
		log_warn("cannot set the SMTP reply %s %s", RTLS_NOTLS_CODE,
		    RTLS_NOTLS_DSN);
	return SMFIS_REJECT;
}

/* restamp - forged copies out (highest index first), ours in */
static int
restamp(SMFICTX *ctx, const struct session *s, const char *value)
{
	char	v[RTLS_STAMP_MAX + 2];
	unsigned i;

	for (i = s->msg.rtls.n_stamps; i > 0; i--)
		if (smfi_chgheader(ctx, HEADER_REQUIRETLS, (int)i, NULL) != MI_SUCCESS)
			return -1;
	if (value[0] == '\0')
		return 0;
	/* With leading spaces negotiated the MTA writes the value verbatim. */
	snprintf(v, sizeof(v), "%s%s", s->leadspc ? " " : "", value);
	return smfi_insheader(ctx, 0, HEADER_REQUIRETLS, v) == MI_SUCCESS ? 0 : -1;
}

/* requiretls_eom - see requiretls_smfi.h */
void
requiretls_eom(SMFICTX *ctx, const struct session *s,
    const struct smtp2_conf *conf, struct smtp2_decision *d)
{
	char	value[RTLS_STAMP_MAX];
	int	n;

	milter_requiretls_decide(&s->msg.rtls, conf, d);
	if (d->action != SMTP2_ACTION_ACCEPT && d->action != SMTP2_ACTION_TAG)
		return;
	n = milter_requiretls_stamp(&s->msg.rtls, value, sizeof(value));
	if (n >= 0 && (size_t)n < sizeof(value) && restamp(ctx, s, value) == 0)
		return;
	log_err("client=%s:%s queue=%s: cannot edit %s", s->client_addr,
	    s->client_port, s->msg.queue_id[0] ? s->msg.queue_id : "-",
	    HEADER_REQUIRETLS);
	d->action = SMTP2_ACTION_DEFER;
	d->code = "451";
	d->dsn = "4.3.0";
	snprintf(d->text, sizeof(d->text), "cannot edit the message header,"
	    " try again later");
}
