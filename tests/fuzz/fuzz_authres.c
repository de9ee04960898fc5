/*
 * fuzz_authres.c - header values with hostile reasons and domains, and
 * recognising our authserv-id in hostile Authentication-Results values.
 *
 * Input: "<authserv-id>\n<domain>\n<reason>"; the whole input is also a
 * header value for smtp2_authres_is_ours.  What we write must always be
 * one printable line with balanced comments, and a value we wrote with a
 * well-formed id must be recognised as ours.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/authres.h>

#define FUZZ_ID_MAX	128

/* fuzz_field - copy up to '\n' into buf; return what follows */
static const char *fuzz_field(const char *s, const char *end, char *buf,
    size_t len)
{
	size_t	n = 0;

	while (s < end && *s != '\n') {
		if (n + 1 < len)
			buf[n++] = *s;
		s++;
	}
	buf[n] = '\0';
	return (s < end ? s + 1 : s);
}

/* fuzz_header_ok - printable, balanced comments, complete quoted-pairs */
static bool fuzz_header_ok(const char *s)
{
	long	depth = 0;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return (false);
		if (depth > 0 && *s == '\\') {
			if (*++s == '\0')
				return (false);
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')' && --depth < 0) {
			return (false);
		}
	}
	return (depth == 0);
}

/* fuzz_is_token - would the id be written unchanged? */
static bool fuzz_is_token(const char *id)
{
	const unsigned char *p = (const unsigned char *)id;

	if (*p == '\0')
		return (false);
	for (; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("()<>@,;:\\\"/[]?=", *p))
			return (false);
	return (true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	char	id[FUZZ_ID_MAX], out[2048], *value;
	struct smtp2_verdict v;
	int	n;

	memset(&v, 0, sizeof(v));
	s = fuzz_field(s, end, id, sizeof(id));
	s = fuzz_field(s, end, v.domain, sizeof(v.domain));
	fuzz_field(s, end, v.reason, sizeof(v.reason));
	v.result = (enum smtp2_result)(size % 5);
	v.method = (enum smtp2_method)(size % 3);
	v.dnssec = (enum smtp2_dnssec)(size % 5);
	v.has_record = size & 1;
	v.policy = (enum smtp2_policy)(size % 3);

	n = smtp2_authres_format(out, sizeof(out), id, &v);
	if (n < 0 || (size_t)n >= sizeof(out) || strlen(out) != (size_t)n)
		abort();
	if (!fuzz_header_ok(out))
		abort();
	if (fuzz_is_token(id) && !smtp2_authres_is_ours(out, id))
		abort();
	n = smtp2_verified_format(out, sizeof(out), &v);
	if (n < 0 || (size_t)n >= sizeof(out) || !fuzz_header_ok(out))
		abort();

	/* The raw input as a header value someone else wrote. */
	if ((value = malloc(size + 1)) == NULL)
		return (0);
	memcpy(value, data, size);
	value[size] = '\0';
	(void)smtp2_authres_is_ours(value, id[0] != '\0' ? id : "mx.example.net");
	free(value);
	return (0);
}
