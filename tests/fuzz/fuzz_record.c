/*
 * fuzz_record.c - the _smtp2 record parser and selection on any bytes.
 *
 * The whole input is parsed as one TXT string; then it is cut at '\n'
 * into up to 8 strings of one RRset for smtp2_record_select.  Beyond not
 * crashing, the parser must keep its promises: a known status, a policy
 * in range, a printable reason, rec untouched unless OK.
 */

/* System library. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/record.h>

#define FUZZ_STRINGS	8

/* fuzz_check - abort unless the outcome is one the header allows */
static void fuzz_check(enum smtp2_record_status st,
    const struct smtp2_record *rec, const char *why)
{
	const unsigned char *p;

	if (st != SMTP2_RECORD_OK && st != SMTP2_RECORD_ABSENT
	    && st != SMTP2_RECORD_INVALID)
		abort();
	if (st == SMTP2_RECORD_OK && rec->policy > SMTP2_POLICY_ENFORCE)
		abort();
	if (st != SMTP2_RECORD_OK && rec->policy != (enum smtp2_policy)99)
		abort();			/* written on failure */
	if (st == SMTP2_RECORD_INVALID && why[0] == '\0')
		abort();
	for (p = (const unsigned char *)why; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();		/* a reason reaches logs and replies */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txts[FUZZ_STRINGS], *s = (const char *)data, *nl;
	size_t	lens[FUZZ_STRINGS], n = 0, left = size;
	struct smtp2_record rec;
	enum smtp2_record_status st;
	char	why[256];

	rec.policy = (enum smtp2_policy)99;
	why[0] = '\0';
	st = smtp2_record_parse(s, size, &rec, why, sizeof(why));
	fuzz_check(st, &rec, why);

	/* The same bytes as an RRset of several strings. */
	while (n < FUZZ_STRINGS) {
		nl = memchr(s, '\n', left);
		txts[n] = s;
		lens[n] = nl != NULL ? (size_t)(nl - s) : left;
		n++;
		if (nl == NULL)
			break;
		left -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	rec.policy = (enum smtp2_policy)99;
	why[0] = '\0';
	st = smtp2_record_select(txts, lens, n, &rec, why, sizeof(why));
	fuzz_check(st, &rec, why);

	/* A one-byte reason buffer must still be safe. */
	(void)smtp2_record_parse((const char *)data, size, NULL, why, 1);
	return (0);
}
