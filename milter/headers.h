/*
 * headers.h - what smtp2-milter remembers of one message's header.
 *
 * Two jobs: find the RFC 5322 From domain (exactly one From: field, all
 * its mailboxes in one domain), and find the headers that pretend to come
 * from us so they can be deleted before we stamp ours: every
 * X-SMTP2-Verified, and every Authentication-Results whose authserv-id is
 * ours (RFC 8601 5).  Deleting goes by the MTA's per-name index: 1-based,
 * field names compared case-insensitively, counting every header of that
 * name including those we keep.
 *
 * Everything is bounded and lives inside the struct: no allocation, so no
 * failure while headers arrive; exceeding a bound is remembered and turns
 * into a reason at end of message.
 */
#ifndef SMTP2_MILTER_HEADERS_H
#define SMTP2_MILTER_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

#define HEADERS_FROM_MAX	4096	/* bytes of From: value we read */
#define HEADERS_FORGED_MAX	64	/* forged headers we can delete */

#define HEADER_VERIFIED		"X-SMTP2-Verified"
#define HEADER_AUTHRES		"Authentication-Results"

/* One header to delete with smfi_chgheader(ctx, name, index, NULL). */
struct header_ref {
	const char	*name;		/* HEADER_VERIFIED or HEADER_AUTHRES */
	unsigned	index;		/* 1-based among headers of that name */
};

struct headers {
	unsigned	n_from;		/* From: fields seen */
	bool		from_too_long;	/* the first one exceeded HEADERS_FROM_MAX */
	char		from[HEADERS_FROM_MAX + 1];	/* the first one's value */
	unsigned	n_verified;	/* X-SMTP2-Verified fields seen */
	unsigned	n_authres;	/* Authentication-Results fields seen */
	size_t		n_forged;
	struct header_ref forged[HEADERS_FORGED_MAX];
	unsigned	forged_dropped;	/* forged ones beyond the bound */
};

/* milter_headers_init - empty state, at the start of every message. */
void milter_headers_init(struct headers *h);

/*
 * milter_headers_add - look at one header as the MTA hands it (name, value
 * without the leading space).  authserv_id is ours, for recognising
 * forged Authentication-Results.  Never fails.
 */
void milter_headers_add(struct headers *h, const char *name, const char *value,
    const char *authserv_id);

/*
 * milter_headers_from_domain - the message's From domain.  Returns 0 with the
 * lower-case domain in out, or -1 with a reason in why: "no From header",
 * "2 From headers", "From header longer than 4096 bytes", or whatever
 * milter_from_domain() found wrong with the one field.
 */
int milter_headers_from_domain(const struct headers *h, char *out, size_t outlen,
    char *why, size_t whylen);

/*
 * milter_headers_forged_complete - can every forged header be deleted?  When
 * not (more than HEADERS_FORGED_MAX), why says so and the message is
 * refused: stamped, it would carry a surviving forgery next to our stamp.
 */
bool milter_headers_forged_complete(const struct headers *h, char *why, size_t whylen);

#endif
