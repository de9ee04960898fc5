/*
 * dkim_hdrs.c - the header fields of a message, kept for h= (RFC 6376
 * 5.4.2), and the header hash of one signature (3.7).
 *
 * Fields are kept back to back in one buffer that grows by doubling up
 * to SMTP2_DKIMV_HEADER_BYTES, so a typical message costs one or two
 * small allocations.  A field that does not fit is dropped, but its name
 * goes into a 256-bit filter: a signature that names it may have signed
 * a field we no longer have, and must not be judged on the others.
 */

/* System library. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <openssl/evp.h>

/* Application-specific. */
#include "dkim_canon.h"
#include "dkim_verify_int.h"

#define HDRS_FIRST_BYTES	4096	/* most headers fit */
#define HDRS_FIRST_FIELDS	32

/* smtp2_dkim_hdrs_free - release the buffers; h is empty again */
void
smtp2_dkim_hdrs_free(struct smtp2_dkim_hdrs *h)
{
	free(h->buf);
	free(h->f);
	memset(h, 0, sizeof(*h));
}

/* hdrs_namelen - the name's length: before the colon, WSP trimmed */
static size_t
hdrs_namelen(const char *field, size_t len)
{
	const char *colon = memchr(field, ':', len);
	size_t	n = colon != NULL ? (size_t)(colon - field) : len;

	while (n > 0 && (field[n - 1] == ' ' || field[n - 1] == '\t'))
		n--;
	return (n);
}

/* hdrs_bit - a name's place in the lost filter (FNV-1a, any case) */
static unsigned
hdrs_bit(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	size_t	i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	return ((h ^ (h >> 8) ^ (h >> 16) ^ (h >> 24)) & 0xff);
}

/* hdrs_drop - remember that a field of this name was not kept */
static long
hdrs_drop(struct smtp2_dkim_hdrs *h, const char *field, size_t len)
{
	unsigned bit = hdrs_bit(field, hdrs_namelen(field, len));

	h->lost[bit / 64] |= (uint64_t)1 << (bit % 64);
	h->dropped++;
	return (-1);
}

/* hdrs_room - make room for len more bytes and one more field */
static int
hdrs_room(struct smtp2_dkim_hdrs *h, size_t len)
{
	size_t	cap;
	void	*p;

	if (h->n == SMTP2_DKIM_FIELDS_MAX
	    || len > SMTP2_DKIMV_HEADER_BYTES - h->used)
		return (-1);
	if (h->used + len > h->cap) {
		cap = h->cap != 0 ? h->cap : HDRS_FIRST_BYTES;
		while (cap < h->used + len)
			cap *= 2;
		if (cap > SMTP2_DKIMV_HEADER_BYTES)
			cap = SMTP2_DKIMV_HEADER_BYTES;
		if ((p = realloc(h->buf, cap)) == NULL)
			return (-1);
		h->buf = p;
		h->cap = cap;
	}
	if (h->n == h->fcap) {
		cap = h->fcap != 0 ? h->fcap * 2 : HDRS_FIRST_FIELDS;
		if ((p = realloc(h->f, cap * sizeof(*h->f))) == NULL)
			return (-1);
		h->f = p;
		h->fcap = cap;
	}
	return (0);
}

/* smtp2_dkim_hdrs_add - keep a field, or remember its name as lost */
long
smtp2_dkim_hdrs_add(struct smtp2_dkim_hdrs *h, const char *field, size_t len)
{
	struct smtp2_dkim_field *f;

	if (hdrs_room(h, len) < 0)
		return (hdrs_drop(h, field, len));
	f = &h->f[h->n];
	f->off = (uint32_t)h->used;
	f->len = (uint32_t)len;
	f->namelen = (uint32_t)hdrs_namelen(field, len);
	if (len > 0)
		memcpy(h->buf + h->used, field, len);
	h->used += len;
	return ((long)h->n++);
}

/* smtp2_dkim_hdrs_get - field i and its length */
const char *
smtp2_dkim_hdrs_get(const struct smtp2_dkim_hdrs *h, size_t i, size_t *len)
{
	*len = h->f[i].len;
	return (h->buf + h->f[i].off);
}

/* smtp2_dkim_name_is - the field's name against name, any case */
bool
smtp2_dkim_name_is(const char *field, size_t len, const char *name,
    size_t namelen)
{
	return (hdrs_namelen(field, len) == namelen
	    && strncasecmp(field, name, namelen) == 0);
}

/* smtp2_dkim_hdrs_lost - may a field called name have been dropped? */
bool
smtp2_dkim_hdrs_lost(const struct smtp2_dkim_hdrs *h, const char *name,
    size_t len)
{
	unsigned bit;

	if (h->dropped == 0)
		return (false);
	bit = hdrs_bit(name, len);
	return ((h->lost[bit / 64] >> (bit % 64)) & 1);
}

/* hdrs_pick - the lowest unused field called name, or -1 */
static long
hdrs_pick(const struct smtp2_dkim_hdrs *h, const struct smtp2_dkim_str *name,
    unsigned char *used)
{
	size_t	i;

	for (i = h->n; i-- > 0;) {
		if ((used[i / 8] >> (i % 8)) & 1 || h->f[i].namelen != name->len
		    || strncasecmp(h->buf + h->f[i].off, name->p, name->len) != 0)
			continue;
		used[i / 8] |= (unsigned char)(1u << (i % 8));
		return ((long)i);
	}
	return (-1);
}

/*
 * smtp2_dkim_hdrs_hash - the signed fields, then the signature itself.
 * A name listed more often than it occurs adds nothing for the extra
 * times (over-signing: that is how a signer forbids added instances).
 * The signature's own field is never picked for h=: when it was signed
 * it did not exist yet.
 */
int
smtp2_dkim_hdrs_hash(const struct smtp2_dkim_hdrs *h,
    const struct smtp2_dkim_sig *sig, size_t self, EVP_MD_CTX *ctx,
    const EVP_MD *md, unsigned char digest[SMTP2_DKIM_DIGEST_LEN])
{
	unsigned char used[SMTP2_DKIM_FIELDS_MAX / 8];
	struct smtp2_dkim_sink sink = { ctx, NULL, NULL, false };
	struct smtp2_dkim_out o;
	const char *f;
	size_t	i, len, skip;
	long	k;
	unsigned dlen = 0;

	if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
		return (-1);
	memset(used, 0, sizeof(used));
	used[self / 8] |= (unsigned char)(1u << (self % 8));
	smtp2_dkim_out_init(&o, &sink, 0, UINT64_MAX);
	for (i = 0; i < sig->n_headers; i++) {
		if ((k = hdrs_pick(h, &sig->headers[i], used)) < 0)
			continue;
		f = smtp2_dkim_hdrs_get(h, (size_t)k, &len);
		smtp2_dkim_canon_header(sig->canon_header, f, len, 0, 0, true, &o);
	}
	f = smtp2_dkim_hdrs_get(h, self, &len);
	skip = (size_t)(sig->b_value.p - f);
	smtp2_dkim_canon_header(sig->canon_header, f, len, skip,
	    sig->b_value.len, false, &o);
	smtp2_dkim_out_flush(&o);
	if (sink.failed || EVP_DigestFinal_ex(ctx, digest, &dlen) != 1
	    || dlen != SMTP2_DKIM_DIGEST_LEN)
		return (-1);
	return (0);
}
