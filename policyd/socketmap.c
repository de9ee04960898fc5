/*
 * socketmap.c - netstring framing and the socketmap request/reply forms.
 *
 * The length prefix is read digit by digit and refused as soon as it
 * could exceed the limit, so a hostile peer can neither overflow the
 * count nor make us wait for gigabytes that will never be accepted.
 */

/* System library. */
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "socketmap.h"

#define SOCKETMAP_DIGITS_MAX	9	/* more digits: never a sane request */

/* sm_why - a reason, when the caller wants one */
static void
sm_why(char *why, size_t whylen, const char *what)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", what);
}

/* socketmap_frame - one complete netstring at the start of buf? */
enum socketmap_status
socketmap_frame(const char *buf, size_t len, size_t max,
    struct socketmap_frame *f, char *why, size_t whylen)
{
	size_t	i, n = 0;

	for (i = 0; i < len && buf[i] != ':'; i++) {
		if (buf[i] < '0' || buf[i] > '9') {
			sm_why(why, whylen, "netstring length is not a number");
			return (SOCKETMAP_ERROR);
		}
		if (i == 1 && buf[0] == '0') {
			sm_why(why, whylen, "netstring length with a leading zero");
			return (SOCKETMAP_ERROR);
		}
		n = n * 10 + (size_t)(buf[i] - '0');
		if (n > max || i >= SOCKETMAP_DIGITS_MAX) {
			sm_why(why, whylen, "request too long");
			return (SOCKETMAP_ERROR);
		}
	}
	if (i == len)
		return (SOCKETMAP_NEED);
	if (i == 0) {
		sm_why(why, whylen, "netstring without a length");
		return (SOCKETMAP_ERROR);
	}
	/* digits, ':', n bytes, ',' */
	if (len - i - 1 < n + 1)
		return (SOCKETMAP_NEED);
	if (buf[i + 1 + n] != ',') {
		sm_why(why, whylen, "netstring does not end with a comma");
		return (SOCKETMAP_ERROR);
	}
	f->off = i + 1;
	f->len = n;
	f->used = i + 1 + n + 1;
	return (SOCKETMAP_OK);
}

/* socketmap_request - "name key" */
int
socketmap_request(const char *payload, size_t len,
    struct socketmap_request *r, char *why, size_t whylen)
{
	const char *sp;
	size_t	i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)payload[i] < 0x20 || payload[i] == 0x7f) {
			sm_why(why, whylen, "control character in the request");
			return (-1);
		}
	}
	if ((sp = memchr(payload, ' ', len)) == NULL || sp == payload ||
	    sp == payload + len - 1) {
		sm_why(why, whylen, "request is not \"name key\"");
		return (-1);
	}
	r->name = payload;
	r->name_len = (size_t)(sp - payload);
	r->key = sp + 1;
	r->key_len = len - r->name_len - 1;
	return (0);
}

/* socketmap_reply - "<len>:<status> <text>," */
size_t
socketmap_reply(const char *status, const char *text, char *out,
    size_t outlen)
{
	size_t	slen = strlen(status), tlen = strlen(text), plen, i;
	int	w;

	plen = slen + 1 + tlen;
	w = snprintf(out, outlen, "%zu:%s %s,", plen, status, text);
	if (w < 0 || (size_t)w >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return (0);
	}
	/* The text comes from DNS and the web: keep it one printable line. */
	for (i = (size_t)w - 1 - tlen; i < (size_t)w - 1; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	return ((size_t)w);
}
