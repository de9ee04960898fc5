/*
 * fuzz_spf_upstream.c - hostile Authentication-Results values for the
 * upstream SPF reader.
 *
 * The input, copied to a heap block of exactly its size plus the NUL so
 * that any read past the end is caught, is one header value.  Beyond not
 * crashing: on false the output is untouched; on true the result is a
 * real one, the domain a lower-case DNS name and the authserv-id one of
 * the trusted ids, both NUL-terminated and printable.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/practices.h>

static const char *const trusted[] = { "mx.example.net", "Relay.Example.ORG" };

#define N_TRUSTED	(sizeof(trusted) / sizeof(trusted[0]))

/* fuzz_terminated - abort unless buf holds a NUL */
static void
fuzz_terminated(const char *buf, size_t size)
{
	if (memchr(buf, '\0', size) == NULL)
		abort();
}

/* fuzz_check_domain - lower-case letters, digits, '-', '_' and dots */
static void
fuzz_check_domain(const char *d)
{
	if (*d == '\0' || strlen(d) > 253)
		abort();
	for (; *d != '\0'; d++)
		if (!((*d >= 'a' && *d <= 'z') || (*d >= '0' && *d <= '9')
		    || *d == '-' || *d == '_' || *d == '.'))
			abort();
}

/* fuzz_check_id - printable and one of the trusted ids */
static void
fuzz_check_id(const char *id)
{
	const unsigned char *u;
	size_t	i;

	for (u = (const unsigned char *)id; *u != '\0'; u++)
		if (*u < 0x20 || *u > 0x7e)
			abort();
	for (i = 0; i < N_TRUSTED; i++)
		if (strcasecmp(id, trusted[i]) == 0)
			return;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp2_spf_upstream out, before;
	char	*value;

	if ((value = malloc(size + 1)) == NULL)
		return (0);
	memcpy(value, data, size);
	value[size] = '\0';
	memset(&out, 0x5A, sizeof(out));
	before = out;
	if (!smtp2_spf_upstream_parse(value, trusted, N_TRUSTED, &out)) {
		if (memcmp(&out, &before, sizeof(out)) != 0)
			abort();		/* written on failure */
	} else {
		if (out.result <= SMTP2_SPF_UNKNOWN
		    || out.result > SMTP2_SPF_PERMERROR)
			abort();
		fuzz_terminated(out.domain, sizeof(out.domain));
		fuzz_terminated(out.authserv_id, sizeof(out.authserv_id));
		fuzz_check_domain(out.domain);
		fuzz_check_id(out.authserv_id);
		if (strcmp(smtp2_spf_result_name(out.result), "invalid") == 0)
			abort();
	}
	free(value);
	return (0);
}
