/*
 * fuzz_mtasts.c - MTA-STS policy documents and _mta-sts TXT records on any
 * bytes.  The whole input is parsed as a policy (it comes from a web
 * server we do not control); the same bytes cut at '\n' into up to four
 * strings are read as the TXT strings of one name.  Checked: a policy
 * that parses is one smtp2 can stand behind (mode known, max_age capped,
 * mx patterns lower-case host names), and its match= value has no byte
 * Postfix would split on.
 */

/* System library. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/mtasts.h>

#define FUZZ_TXT	4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_policy_check - abort unless p is a sane parsed policy */
static void
fuzz_policy_check(const struct smtp2_mtasts_policy *p)
{
	static char match[SMTP2_MTASTS_MX_MAX * (SMTP2_MTASTS_MX_LEN + 1) + 1];
	const char *s;

	if (p->mode > SMTP2_MTASTS_ENFORCE || p->max_age > SMTP2_MTASTS_MAX_AGE ||
	    p->n_mx > SMTP2_MTASTS_MX_MAX ||
	    (p->mode != SMTP2_MTASTS_NONE && p->n_mx == 0))
		abort();
	for (size_t i = 0; i < p->n_mx; i++)
		for (s = p->mx[i]; *s != '\0'; s++)
			if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s)
			    && *s != '-' && *s != '.' && *s != '*')
				abort();
	if (smtp2_mtasts_match(p, match, sizeof(match)) < 0)
		abort();
	if (strpbrk(match, " \t,\r\n*") != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *nl, *txt[FUZZ_TXT];
	struct smtp2_mtasts_policy p;
	char	why[200], id[SMTP2_MTASTS_ID_MAX + 1];
	size_t	lens[FUZZ_TXT], n = 0, left = size;

	if (smtp2_mtasts_parse(buf, size, &p, why, sizeof(why)) == 0)
		fuzz_policy_check(&p);
	else if (why[0] == '\0')
		abort();

	while (n < FUZZ_TXT && left > 0) {
		nl = memchr(buf, '\n', left);
		txt[n] = buf;
		lens[n] = nl != NULL ? (size_t)(nl - buf) : left;
		left -= lens[n] + (nl != NULL);
		buf += lens[n] + (nl != NULL);
		n++;
	}
	if (smtp2_mtasts_txt_select(txt, lens, n, id, why, sizeof(why)) ==
	    SMTP2_MTASTS_OK) {
		if (strlen(id) == 0 || strlen(id) > SMTP2_MTASTS_ID_MAX)
			abort();
		for (const char *s = id; *s != '\0'; s++)
			if (!isalnum((unsigned char)*s))
				abort();
	}
	return 0;
}
