/*
 * check_notes.c - findings and the names reports print: notes with a
 * level, status names the library does not name itself, hex.
 */

/* System library. */
#include <stdarg.h>
#include <stdio.h>

/* Application-specific. */
#include "check.h"

const enum smtp2_mode check_modes[CHECK_N_MODES] = {
	SMTP2_MODE_PERMISSIVE, SMTP2_MODE_TAG, SMTP2_MODE_ENFORCE, SMTP2_MODE_STRICT
};

/* check_note - add one finding; the last slot says how many were dropped */
void
check_note(struct check_notes *ns, enum check_level l, const char *fmt, ...)
{
	struct check_note *n;
	va_list ap;

	if (ns->n == CHECK_NOTES_MAX) {
		/* Keep the worst level seen, so the exit status stays right. */
		n = &ns->note[CHECK_NOTES_MAX - 1];
		if (l > n->level)
			n->level = l;
		snprintf(n->text, sizeof(n->text), "(more findings left out)");
		return;
	}
	n = &ns->note[ns->n++];
	n->level = l;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}

/* check_notes_have - is there a finding of level l? */
bool
check_notes_have(const struct check_notes *ns, enum check_level l)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (ns->note[i].level == l)
			return true;
	return false;
}

/* check_level_name - "info", "warning", "problem" */
const char *
check_level_name(enum check_level l)
{
	switch (l) {
	case CHECK_INFO:
		return "info";
	case CHECK_WARNING:
		return "warning";
	case CHECK_PROBLEM:
		return "problem";
	}
	return "?";
}

/* check_stage_name - how far a probe got */
const char *
check_stage_name(enum check_stage s)
{
	switch (s) {
	case CHECK_STAGE_CONNECT:
		return "connect";
	case CHECK_STAGE_BANNER:
		return "banner";
	case CHECK_STAGE_EHLO:
		return "ehlo";
	case CHECK_STAGE_STARTTLS:
		return "starttls";
	case CHECK_STAGE_HANDSHAKE:
		return "handshake";
	case CHECK_STAGE_DONE:
		return "done";
	}
	return "?";
}

/* check_dns_status_name - "ok", "nxdomain", "nodata", "tempfail" */
const char *
check_dns_status_name(enum smtp2_dns_status s)
{
	switch (s) {
	case SMTP2_DNS_OK:
		return "ok";
	case SMTP2_DNS_NXDOMAIN:
		return "nxdomain";
	case SMTP2_DNS_NODATA:
		return "nodata";
	case SMTP2_DNS_TEMPFAIL:
		return "tempfail";
	}
	return "?";
}

/* check_pin_status_name - "match", "nomatch", "unusable" */
const char *
check_pin_status_name(enum smtp2_pin_status s)
{
	switch (s) {
	case SMTP2_PIN_MATCH:
		return "match";
	case SMTP2_PIN_NOMATCH:
		return "nomatch";
	case SMTP2_PIN_UNUSABLE:
		return "unusable";
	}
	return "?";
}

/* check_revocation_name - "unknown", "good", "revoked" */
const char *
check_revocation_name(enum smtp2_revocation r)
{
	switch (r) {
	case SMTP2_REV_UNKNOWN:
		return "unknown";
	case SMTP2_REV_GOOD:
		return "good";
	case SMTP2_REV_REVOKED:
		return "revoked";
	}
	return "?";
}

/* check_hex - lower-case hex without separators, as zone files write TLSA */
void
check_hex(const unsigned char *p, size_t len, char *buf, size_t buflen)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (buflen == 0)
		return;
	for (i = 0; i < len && 2 * i + 2 < buflen; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 0x0f];
	}
	buf[2 * i] = '\0';
}
