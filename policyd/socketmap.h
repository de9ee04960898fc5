/*
 * socketmap.h - Postfix's socketmap protocol (socketmap_table(5)): every
 * request and every reply is one netstring, "<len>:<bytes>,".  A request
 * is "<map name> <key>"; a reply "OK <data>", "NOTFOUND ", "TEMP <why>",
 * "TIMEOUT <why>" or "PERM <why>".  Pure functions: no I/O, fuzzed.
 */
#ifndef POLICYD_SOCKETMAP_H
#define POLICYD_SOCKETMAP_H

/* System library. */
#include <stddef.h>

/* Longest request payload accepted; longer ones end the connection. */
#define SOCKETMAP_REQUEST_MAX	10000
/* Postfix reads replies of up to 100000 bytes; ours are far shorter. */
#define SOCKETMAP_REPLY_MAX	2048

enum socketmap_status {
	SOCKETMAP_OK = 0,	/* a complete netstring */
	SOCKETMAP_NEED,		/* a prefix of one: read more */
	SOCKETMAP_ERROR		/* not a netstring, or too long */
};

/* A netstring found in a buffer. */
struct socketmap_frame {
	size_t	off;		/* where the payload starts */
	size_t	len;		/* payload length */
	size_t	used;		/* bytes of the whole netstring, "," included */
};

/*
 * socketmap_frame - is there a complete netstring at buf[0..len), with a
 * payload of at most max bytes?  The length is decimal without leading
 * zeros (djb's netstrings).  On SOCKETMAP_ERROR why (may be NULL) says
 * what is wrong; the stream cannot be resynchronised after one.
 */
enum socketmap_status socketmap_frame(const char *buf, size_t len,
    size_t max, struct socketmap_frame *f, char *why, size_t whylen);

/* A request taken apart; both point into the payload. */
struct socketmap_request {
	const char	*name;
	size_t		name_len;
	const char	*key;
	size_t		key_len;
};

/*
 * socketmap_request - split a payload at its first space into map name
 * and key.  Both must be non-empty; no NUL or control byte anywhere.
 * Returns 0, or -1 with why (may be NULL).
 */
int socketmap_request(const char *payload, size_t len,
    struct socketmap_request *r, char *why, size_t whylen);

/*
 * socketmap_reply - write the netstring "<len>:<status> <text>," into
 * out.  Control bytes in text become '?'.  Returns the length written
 * (out is NUL-terminated too), or 0 when out is too small.
 */
size_t socketmap_reply(const char *status, const char *text, char *out,
    size_t outlen);

#endif
