/*
 * headers.c - per-message header bookkeeping: the From field and the
 * forged smtp2 headers to delete.
 */

/* System library. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <smtp2/authres.h>

/* Application-specific. */
#include "from.h"
#include "headers.h"

/* milter_headers_init - see headers.h */
void
milter_headers_init(struct headers *h)
{
	h->n_from = 0;
	h->from_too_long = false;
	h->from[0] = '\0';
	h->n_verified = 0;
	h->n_authres = 0;
	h->n_forged = 0;
	h->forged_dropped = 0;
}

/* from_add - keep the first From value; the others only count */
static void
from_add(struct headers *h, const char *value)
{
	size_t len;

	if (h->n_from++ > 0)
		return;
	len = strlen(value);
	if (len > HEADERS_FROM_MAX) {
		h->from_too_long = true;
		return;
	}
	memcpy(h->from, value, len + 1);
}

/* forged_add - remember one header to delete, or that one got away */
static void
forged_add(struct headers *h, const char *name, unsigned index)
{
	if (h->n_forged >= HEADERS_FORGED_MAX) {
		h->forged_dropped++;
		return;
	}
	h->forged[h->n_forged].name = name;
	h->forged[h->n_forged].index = index;
	h->n_forged++;
}

/* milter_headers_add - see headers.h */
void
milter_headers_add(struct headers *h, const char *name, const char *value,
    const char *authserv_id)
{
	if (name == NULL)
		return;
	if (value == NULL)
		value = "";
	if (strcasecmp(name, "From") == 0) {
		from_add(h, value);
	} else if (strcasecmp(name, HEADER_VERIFIED) == 0) {
		/* Only we write this one: every incoming copy is forged. */
		forged_add(h, HEADER_VERIFIED, ++h->n_verified);
	} else if (strcasecmp(name, HEADER_AUTHRES) == 0) {
		/* Index counts all of them, ours or not (RFC 8601 5). */
		h->n_authres++;
		if (smtp2_authres_is_ours(value, authserv_id))
			forged_add(h, HEADER_AUTHRES, h->n_authres);
	}
}

/* milter_headers_from_domain - see headers.h */
int
milter_headers_from_domain(const struct headers *h, char *out, size_t outlen,
    char *why, size_t whylen)
{
	if (h->n_from == 0) {
		snprintf(why, whylen, "no From header");
		return -1;
	}
	if (h->n_from > 1) {
		snprintf(why, whylen, "%u From headers", h->n_from);
		return -1;
	}
	if (h->from_too_long) {
		snprintf(why, whylen, "From header longer than %d bytes",
		    HEADERS_FROM_MAX);
		return -1;
	}
	return milter_from_domain(h->from, out, outlen, why, whylen);
}

/* milter_headers_forged_complete - see headers.h */
bool
milter_headers_forged_complete(const struct headers *h, char *why, size_t whylen)
{
	if (h->forged_dropped == 0)
		return true;
	snprintf(why, whylen, "%zu forged %s/%s headers; at most %d can be removed",
	    h->n_forged + h->forged_dropped, HEADER_VERIFIED, HEADER_AUTHRES,
	    HEADERS_FORGED_MAX);
	return false;
}
