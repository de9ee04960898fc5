/*
 * dkim_key.c - parse a DKIM key record (RFC 6376 3.6.1; RFC 8463 for
 * k=ed25519).
 *
 * v=DKIM1 is optional but must come first when present.  p= is required;
 * empty, it revokes the key.  In the list tags h=, s= and t= unknown
 * entries are ignored, as 3.6.1 asks; an unknown k= is an error, since
 * no signature could be checked with the key.
 */

/* System library. */
#include <stdbool.h>
#include <string.h>

/* Application-specific. */
#include "dkim_int.h"
#include "why.h"

/* key_version - v=, when present: DKIM1 and the first tag */
static int
key_version(const struct smtp2_dkim_tags *tags, char *why, size_t whylen)
{
	const struct smtp2_tag *v = smtp2_dkim_tag_get(tags, "v");

	if (v == NULL)
		return (0);
	if (v != &tags->t[0]) {
		smtp2_why(why, whylen, "v= must be the first tag");
		return (-1);
	}
	if (!smtp2_dkim_is(v->value, v->vallen, "DKIM1"))
		return (smtp2_dkim_tag_bad(v, "expected DKIM1, got", why, whylen));
	return (0);
}

/* key_type - k=: rsa (the default) or ed25519 */
static int
key_type(const struct smtp2_tag *k, struct smtp2_dkim_key *key,
    char *why, size_t whylen)
{
	if (k == NULL || smtp2_dkim_is(k->value, k->vallen, "rsa"))
		key->type = SMTP2_DKIM_KEY_RSA;
	else if (smtp2_dkim_is(k->value, k->vallen, "ed25519"))
		key->type = SMTP2_DKIM_KEY_ED25519;
	else
		return (smtp2_dkim_tag_bad(k, "unknown key type", why, whylen));
	return (0);
}

/* key_hashes - h=: sha1 and sha256 known, others ignored */
static int
key_hashes(const struct smtp2_tag *h, struct smtp2_dkim_key *key,
    char *why, size_t whylen)
{
	struct smtp2_dkim_str item;
	size_t	pos = 0;

	key->hashes = SMTP2_DKIM_HASH_SHA1 | SMTP2_DKIM_HASH_SHA256;
	if (h == NULL)
		return (0);
	key->hashes = 0;
	while (smtp2_dkim_next_item(h, &pos, &item)) {
		if (smtp2_dkim_is(item.p, item.len, "sha1"))
			key->hashes |= SMTP2_DKIM_HASH_SHA1;
		else if (smtp2_dkim_is(item.p, item.len, "sha256"))
			key->hashes |= SMTP2_DKIM_HASH_SHA256;
	}
	if (key->hashes == 0)
		return (smtp2_dkim_tag_bad(h, "no known hash algorithm in", why, whylen));
	return (0);
}

/* key_service - s=: the key must serve email ("*" or "email") */
static int
key_service(const struct smtp2_tag *s, char *why, size_t whylen)
{
	struct smtp2_dkim_str item;
	size_t	pos = 0;

	if (s == NULL)
		return (0);
	while (smtp2_dkim_next_item(s, &pos, &item))
		if (smtp2_dkim_is(item.p, item.len, "*")
		    || smtp2_dkim_is(item.p, item.len, "email"))
			return (0);
	return (smtp2_dkim_tag_bad(s, "key not for email:", why, whylen));
}

/* key_flags - t=: y (testing) and s (strict i=), others ignored */
static void
key_flags(const struct smtp2_tag *t, struct smtp2_dkim_key *key)
{
	struct smtp2_dkim_str item;
	size_t	pos = 0;

	while (t != NULL && smtp2_dkim_next_item(t, &pos, &item)) {
		if (smtp2_dkim_is(item.p, item.len, "y"))
			key->testing = true;
		else if (smtp2_dkim_is(item.p, item.len, "s"))
			key->strict = true;
	}
}

/* smtp2_dkim_key_parse - parse a DKIM key record */
enum smtp2_dkim_status
smtp2_dkim_key_parse(const char *txt, size_t len,
    struct smtp2_dkim_key *key, char *why, size_t whylen)
{
	struct smtp2_dkim_tags tags;
	const struct smtp2_tag *p;

	memset(key, 0, sizeof(*key));
	if (smtp2_dkim_tags_parse(txt, len, &tags, why, whylen) < 0
	    || key_version(&tags, why, whylen) < 0
	    || key_type(smtp2_dkim_tag_get(&tags, "k"), key, why, whylen) < 0
	    || key_hashes(smtp2_dkim_tag_get(&tags, "h"), key, why,
	    whylen) < 0
	    || key_service(smtp2_dkim_tag_get(&tags, "s"), why, whylen) < 0)
		return (SMTP2_DKIM_INVALID);
	key_flags(smtp2_dkim_tag_get(&tags, "t"), key);
	if ((p = smtp2_dkim_tag_get(&tags, "p")) == NULL) {
		smtp2_why(why, whylen, "missing required tag p=");
		return (SMTP2_DKIM_INVALID);
	}
	if (smtp2_dkim_b64(p, key->p, sizeof(key->p), &key->p_len, why,
	    whylen) < 0)
		return (SMTP2_DKIM_INVALID);
	if (key->p_len == 0) {
		smtp2_why(why, whylen, "key revoked (empty p=)");
		return (SMTP2_DKIM_REVOKED);
	}
	if (key->type == SMTP2_DKIM_KEY_ED25519 && key->p_len != 32) {
		smtp2_why(why, whylen, "p=: an ed25519 key is 32 bytes, not %zu",
		    key->p_len);
		return (SMTP2_DKIM_INVALID);
	}
	smtp2_why(why, whylen, "k=%s, %zu-byte key",
	    key->type == SMTP2_DKIM_KEY_ED25519 ? "ed25519" : "rsa", key->p_len);
	return (SMTP2_DKIM_OK);
}
