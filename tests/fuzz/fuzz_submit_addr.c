/*
 * fuzz_submit_addr - the submission address checks on arbitrary bytes:
 * the envelope path parser, full qualification with expansion, the
 * header address-list walker, and the Date and Message-ID checks.  Any
 * input yields an answer with bounded, terminated output; never a crash.
 */

/* System library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <smtp2/submit.h>

/* seen - each mailbox of a header: parts terminated, offset inside */
static int
seen(void *arg, const char *local, const char *domain, size_t end)
{
	size_t len = *(size_t *)arg;

	if (end > len || strlen(local) >= 2 * SMTP2_SUBMIT_PATH_MAX ||
	    strlen(domain) >= SMTP2_SUBMIT_PATH_MAX)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp2_submit_addr a;
	char *s, why[256], out[SMTP2_SUBMIT_PATH_MAX];
	size_t len;
	enum smtp2_submit_status st;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	st = smtp2_submit_parse_path(s, size > 0 && (data[0] & 1), true, &a, why,
	    sizeof(why));
	if (st == SMTP2_SUBMIT_OK && !a.null) {
		if (strlen(a.local) > SMTP2_SUBMIT_LOCAL_MAX ||
		    strlen(a.domain) > SMTP2_SUBMIT_DOMAIN_MAX || a.domain[0] == '\0')
			abort();
		if (smtp2_submit_fqdn(a.domain, "example.net", out, sizeof(out), why,
		    sizeof(why)) == 1 && strchr(out, '.') == NULL)
			abort();
	} else if (st != SMTP2_SUBMIT_OK && memchr(why, '\0', sizeof(why)) == NULL) {
		abort();
	}
	if (smtp2_submit_addrlist(s, seen, &len, why, sizeof(why)) < -2)
		abort();
	(void)smtp2_submit_date_ok(s);
	(void)smtp2_submit_msgid_ok(s);
	free(s);
	return 0;
}
