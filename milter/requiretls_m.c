/*
 * requiretls_m.c - per-message REQUIRETLS state: MAIL parameter, rule
 * set, TLS-Required header; the X-SMTP2-RequireTLS value and the verdict
 * line fields made from them.
 */

/* System library. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <smtp2/requiretls.h>

/* Application-specific. */
#include "requiretls_m.h"

/* milter_requiretls_reset - a new message, or none */
void
milter_requiretls_reset(struct requiretls_msg *m)
{
	m->mail_param = false;
	m->rule = false;
	smtp2_requiretls_headers_init(&m->hdrs);
	m->n_stamps = 0;
}

/* milter_requiretls_envfrom - the parameter, and the sender rule */
int
milter_requiretls_envfrom(struct requiretls_msg *m, const struct smtp2_conf *c,
    char *const *argv, bool tls)
{
	milter_requiretls_reset(m);
	if (argv == NULL || argv[0] == NULL)
		return 0;
	/* An MTA advertises REQUIRETLS inside TLS only (RFC 8689 2): a
	 * client using it in the clear is confused or downgraded. */
	if (smtp2_requiretls_mail_param(argv + 1)) {
		if (!tls)
			return -1;
		m->mail_param = true;
	}
	if (smtp2_requiretls_sender_matches(c, argv[0]))
		m->rule = true;
	return 0;
}

/* milter_requiretls_rcpt - the recipient rules */
void
milter_requiretls_rcpt(struct requiretls_msg *m, const struct smtp2_conf *c,
    const char *rcpt)
{
	if (!m->rule && smtp2_requiretls_rcpt_matches(c, rcpt))
		m->rule = true;
}

/* milter_requiretls_header - TLS-Required fields, and forged stamps */
void
milter_requiretls_header(struct requiretls_msg *m, const char *name,
    const char *value)
{
	if (name == NULL)
		return;
	if (strcasecmp(name, HEADER_REQUIRETLS) == 0) {
		/* Only we write it; counted past the bound so eom can refuse. */
		if (m->n_stamps <= RTLS_STAMPS_MAX)
			m->n_stamps++;
		return;
	}
	smtp2_requiretls_headers_add(&m->hdrs, name, value);
}

/* milter_requiretls_source - the strongest reason TLS is required */
enum requiretls_source
milter_requiretls_source(const struct requiretls_msg *m)
{
	if (m->mail_param)
		return RTLS_SOURCE_MAIL_PARAM;
	return m->rule ? RTLS_SOURCE_RULE : RTLS_SOURCE_NONE;
}

/* milter_requiretls_source_name - as logged and stamped */
const char *
milter_requiretls_source_name(enum requiretls_source s)
{
	switch (s) {
	case RTLS_SOURCE_RULE:
		return "rule";
	case RTLS_SOURCE_MAIL_PARAM:
		return "mail-param";
	default:
		return "-";
	}
}

/* milter_requiretls_decide - multiple fields, under multiple = reject */
void
milter_requiretls_decide(const struct requiretls_msg *m,
    const struct smtp2_conf *c, struct smtp2_decision *d)
{
	if (d->action != SMTP2_ACTION_ACCEPT && d->action != SMTP2_ACTION_TAG)
		return;
	if (m->n_stamps > RTLS_STAMPS_MAX) {
		/* A forgery we cannot delete would survive next to our stamp. */
		d->action = SMTP2_ACTION_REJECT;
		d->code = "550";
		d->dsn = "5.7.1";
		snprintf(d->text, sizeof(d->text), "more than %d %s header fields",
		    RTLS_STAMPS_MAX, HEADER_REQUIRETLS);
		return;
	}
	if (m->mail_param || c->requiretls.multiple != SMTP2_RTLS_MULTIPLE_REJECT
	    || smtp2_requiretls_headers_result(&m->hdrs) != SMTP2_RTLS_HDR_MULTIPLE)
		return;
	d->action = SMTP2_ACTION_REJECT;
	d->code = "550";
	d->dsn = "5.6.0";
	snprintf(d->text, sizeof(d->text), "more than one TLS-Required header"
	    " field (RFC 8689 section 3)");
}

/* milter_requiretls_stamp - "yes; by=S[; tls-required=H]" or "no; tls-required=H" */
int
milter_requiretls_stamp(const struct requiretls_msg *m, char *buf, size_t len)
{
	enum requiretls_source src = milter_requiretls_source(m);
	enum smtp2_rtls_header h = smtp2_requiretls_headers_result(&m->hdrs);
	char	by[32] = "", tr[32] = "";

	if (src == RTLS_SOURCE_NONE && h == SMTP2_RTLS_HDR_NONE) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	if (src != RTLS_SOURCE_NONE)
		snprintf(by, sizeof(by), "; by=%s", milter_requiretls_source_name(src));
	if (h != SMTP2_RTLS_HDR_NONE)
		snprintf(tr, sizeof(tr), "; tls-required=%s",
		    smtp2_requiretls_header_name(h));
	return snprintf(buf, len, "%s%s%s", src != RTLS_SOURCE_NONE ? "yes" : "no",
	    by, tr);
}

/* milter_requiretls_log - " requiretls=S tls_required=H" at the end */
void
milter_requiretls_log(const struct requiretls_msg *m, char *buf, size_t len)
{
	enum requiretls_source src = milter_requiretls_source(m);
	enum smtp2_rtls_header h = smtp2_requiretls_headers_result(&m->hdrs);
	size_t	n = strnlen(buf, len);
	int	k;

	if ((src == RTLS_SOURCE_NONE && h == SMTP2_RTLS_HDR_NONE) || n >= len)
		return;
	k = snprintf(buf + n, len - n, " requiretls=%s tls_required=%s",
	    milter_requiretls_source_name(src), smtp2_requiretls_header_name(h));
	if (k < 0 || (size_t)k >= len - n)
		buf[n] = '\0';		/* all of it or nothing */
}
