/*
 * smtp2/authres.h - the headers smtp2 stamps (docs/headers.md).
 *
 *   Authentication-Results: <authserv-id>; smtp2=<result> (<comment>)
 *       header.from=<domain>; dkim=...; dmarc=...; dkim-adsp=...
 *   X-SMTP2-Verified: yes|no; domain=<domain>; ...
 */
#ifndef SMTP2_AUTHRES_H
#define SMTP2_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include <smtp2/dkim_verify.h>
#include <smtp2/practices.h>
#include <smtp2/verify.h>

/* smtp2_authres_format - header value (no field name).  Returns the length
 * it needed; output truncated when that is >= len (like snprintf). */
int smtp2_authres_format(char *buf, size_t len, const char *authserv_id,
    const struct smtp2_verdict *v);

/* Everything one message's Authentication-Results reports. */
struct smtp2_authres_msg {
	const struct smtp2_verdict *smtp2;	/* NULL: no smtp2= */
	bool		dkim_checked;		/* false: no dkim= at all */
	const struct smtp2_dkimv_sig *sigs;	/* one dkim= each; none: */
	size_t		n_sigs;			/* "dkim=none" */
	const struct smtp2_dmarc_eval *dmarc;	/* NULL: no dmarc= */
	const struct smtp2_adsp_eval *adsp;	/* NULL: no dkim-adsp= */
	const char	*from_domain;		/* header.from of dmarc, adsp */
};

/*
 * smtp2_authres_format_msg - the whole value: "<id>; smtp2=...;" then one
 * resinfo per DKIM signature, dmarc= and dkim-adsp=, folded before each
 * resinfo after the first ("\n\t": the MTA writes CRLF).  Like snprintf.
 */
int smtp2_authres_format_msg(char *buf, size_t len, const char *authserv_id,
    const struct smtp2_authres_msg *m);

/* smtp2_verified_format - X-SMTP2-Verified value; "yes" only for pass. */
int smtp2_verified_format(char *buf, size_t len, const struct smtp2_verdict *v);

/*
 * smtp2_authres_is_ours - does this Authentication-Results value claim our
 * authserv-id?  Compares the leading authserv-id (RFC 8601 2.2) case-
 * insensitively, skipping CFWS; a forged copy must be removed.
 */
bool smtp2_authres_is_ours(const char *value, const char *authserv_id);

#endif
