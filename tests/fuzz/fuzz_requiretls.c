/*
 * fuzz_requiretls - the TLS-Required value check and the rule patterns on
 * arbitrary bytes.  The check reads exactly size bytes (a header value may
 * hold NUL bytes) and must agree with a plain reference on what "No" is;
 * the header bookkeeping and the address match must never overread.
 */

/* System library. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/requiretls.h>

/* plain_no - no comments at all: blanks, "No", blanks */
static bool
plain_no(const uint8_t *d, size_t n, bool *has_paren)
{
	size_t i = 0, j;

	*has_paren = memchr(d, '(', n) != NULL || memchr(d, ')', n) != NULL;
	while (i < n && strchr(" \t\r\n", d[i]) != NULL && d[i] != '\0')
		i++;
	if (n - i < 2 || tolower(d[i]) != 'n' || tolower(d[i + 1]) != 'o')
		return false;
	for (j = i + 2; j < n; j++)
		if (d[j] == '\0' || strchr(" \t\r\n", d[j]) == NULL)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp2_rtls_headers h;
	char	*copy, *nl;
	bool	no, paren;

	/* Exactly size bytes, from a heap block of that size. */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	no = smtp2_requiretls_value_is_no(copy, size);
	if (plain_no(data, size, &paren) != no && !paren)
		abort();

	/* As the milter hands it: NUL-terminated, one field after another. */
	copy[size] = '\0';
	smtp2_requiretls_headers_init(&h);
	smtp2_requiretls_headers_add(&h, "TLS-Required", copy);
	if (smtp2_requiretls_headers_result(&h) == SMTP2_RTLS_HDR_NO
	    && memchr(copy, '\0', size) == NULL && !no)
		abort();
	smtp2_requiretls_headers_add(&h, "RequireTLS", copy);
	smtp2_requiretls_headers_add(&h, "TLS-Required", copy);
	if (smtp2_requiretls_headers_result(&h) != SMTP2_RTLS_HDR_MULTIPLE)
		abort();

	/* "pattern\naddress" for the rule matcher. */
	if ((nl = strchr(copy, '\n')) != NULL) {
		*nl = '\0';
		(void)smtp2_requiretls_address_match(copy, nl + 1);
		(void)smtp2_requiretls_domain_match(copy, nl + 1);
	}
	free(copy);
	return 0;
}
