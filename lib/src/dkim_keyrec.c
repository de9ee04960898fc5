/*
 * dkim_keyrec.c - a DKIM key from DNS (RFC 6376 3.6.2): the TXT record
 * at <s>._domainkey.<d>, its strings joined, parsed, and made an
 * EVP_PKEY.
 *
 * "Try again" (TEMPFAIL: timeout, SERVFAIL, bogus) is TEMPERROR and is
 * never remembered; everything else, no key included, is PERMERROR or a
 * usable key, and the caller may keep it for the TTL of the answer.
 * Several records at the name are an error: we could not tell which one
 * the signer meant.
 */

/* System library. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Library. */
#include <openssl/evp.h>

/* Application-specific. */
#include <smtp2/dns.h>
#include "dkim_verify_int.h"
#include "why.h"

#define KEYREC_MAX	4096	/* an RSA-8192 record is under 2 KiB */

/* smtp2_dkim_keyinfo_clear - drop the key reference */
void
smtp2_dkim_keyinfo_clear(struct smtp2_dkim_keyinfo *ki)
{
	EVP_PKEY_free(ki->pkey);
	ki->pkey = NULL;
}

/* keyrec_join - the character-strings of one TXT rdata, back to back */
static int
keyrec_join(const struct smtp2_dns_rr *rr, char *out, size_t *outlen)
{
	size_t	pos = 0, n = 0, slen;

	while (pos < rr->len) {
		slen = rr->rdata[pos++];
		if (slen > rr->len - pos || slen > KEYREC_MAX - n)
			return (-1);
		memcpy(out + n, rr->rdata + pos, slen);
		n += slen;
		pos += slen;
	}
	*outlen = n;
	return (0);
}

/* keyrec_parse - the record's text to a key */
static void
keyrec_parse(const char *name, const char *txt, size_t len,
    struct smtp2_dkim_keyinfo *ki)
{
	struct smtp2_dkim_key key;
	enum smtp2_dkim_status st;
	char	why[SMTP2_DKIM_WHY_LEN];

	st = smtp2_dkim_key_parse(txt, len, &key, why, sizeof(why));
	if (st == SMTP2_DKIM_REVOKED) {
		smtp2_why(ki->why, sizeof(ki->why), "key %s is revoked "
		    "(empty p=)", name);
		return;
	}
	if (st != SMTP2_DKIM_OK) {
		smtp2_why(ki->why, sizeof(ki->why), "key %s: %s", name, why);
		return;
	}
	if ((ki->pkey = smtp2_dkim_pkey(&key, why, sizeof(why))) == NULL) {
		smtp2_why(ki->why, sizeof(ki->why), "key %s: %s", name, why);
		return;
	}
	ki->result = SMTP2_DKIMV_NONE;
	ki->type = key.type;
	ki->hashes = key.hashes;
	ki->testing = key.testing;
	ki->strict = key.strict;
	ki->bits = key.type == SMTP2_DKIM_KEY_ED25519 ? 256 :
	    (unsigned)EVP_PKEY_get_bits(ki->pkey);
	smtp2_why(ki->why, sizeof(ki->why), "key %s: %u bits", name, ki->bits);
}

/* keyrec_answer - judge an answer to the key query */
static void
keyrec_answer(const char *name, const struct smtp2_dns_answer *a,
    struct smtp2_dkim_keyinfo *ki)
{
	char	txt[KEYREC_MAX];
	size_t	len;

	switch (a->status) {
	case SMTP2_DNS_TEMPFAIL:
		ki->result = SMTP2_DKIMV_TEMPERROR;
		smtp2_why(ki->why, sizeof(ki->why), "key lookup %s failed: %s",
		    name, a->why[0] != '\0' ? a->why : "temporary failure");
		return;
	case SMTP2_DNS_NXDOMAIN:
	case SMTP2_DNS_NODATA:
		break;
	case SMTP2_DNS_OK:
		if (a->n > 1) {
			smtp2_why(ki->why, sizeof(ki->why), "%zu key records "
			    "at %s", a->n, name);
			return;
		}
		if (a->n == 0)
			break;
		if (keyrec_join(&a->rr[0], txt, &len) < 0) {
			smtp2_why(ki->why, sizeof(ki->why), "key record %s is "
			    "malformed or longer than %d bytes", name, KEYREC_MAX);
			return;
		}
		keyrec_parse(name, txt, len, ki);
		return;
	}
	smtp2_why(ki->why, sizeof(ki->why), "no key for %s", name);
}

/* smtp2_dkim_key_fetch - look the key up; the TTL to keep the outcome */
uint32_t
smtp2_dkim_key_fetch(struct smtp2_dns *dns, const char *name,
    struct smtp2_dkim_keyinfo *ki)
{
	struct smtp2_dns_answer *a;
	uint32_t ttl;
	unsigned queries = 0;

	memset(ki, 0, sizeof(*ki));
	ki->result = SMTP2_DKIMV_PERMERROR;	/* until shown otherwise */
	if (dns == NULL || (a = smtp2_dns_query_counted(dns, name,
	    SMTP2_DNS_T_TXT, &queries)) == NULL) {
		ki->result = SMTP2_DKIMV_TEMPERROR;
		smtp2_why(ki->why, sizeof(ki->why), "key lookup %s: %s", name,
		    dns == NULL ? "no DNS resolver" : "out of memory");
		return (0);
	}
	ki->dnssec = a->dnssec;
	keyrec_answer(name, a, ki);
	ttl = a->ttl;
	smtp2_dns_answer_free(a);
	return (ki->result == SMTP2_DKIMV_TEMPERROR ? 0 : ttl);
}
