/*
 * fuzz_dmarc.c - the DMARC and ADSP record parsers on any bytes.
 *
 * The whole input is parsed as one TXT string by each parser; then it is
 * cut at '\n' into up to 8 strings of one RRset for the select calls.
 * Beyond not crashing, the parsers must keep their promises: a known
 * status, values in range, a printable reason, output untouched unless OK.
 */

/* System library. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/dmarc.h>

#define FUZZ_STRINGS	8
#define FUZZ_UNSET	99

/* fuzz_printable - abort unless the reason is printable ASCII */
static void
fuzz_printable(const char *why)
{
	const unsigned char *p;

	for (p = (const unsigned char *)why; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();		/* a reason reaches logs */
}

/* fuzz_check_dmarc - abort unless the outcome is one the header allows */
static void
fuzz_check_dmarc(enum smtp2_dmarc_status st, const struct smtp2_dmarc *rec,
    const char *why)
{
	if (st > SMTP2_DMARC_MULTIPLE)
		abort();
	if (st != SMTP2_DMARC_OK) {
		if (rec->p != (enum smtp2_dmarc_policy)FUZZ_UNSET)
			abort();		/* written on failure */
		if (st != SMTP2_DMARC_ABSENT && why[0] == '\0')
			abort();
	} else if (rec->p > SMTP2_DMARC_REJECT || rec->sp > SMTP2_DMARC_REJECT
	    || rec->np > SMTP2_DMARC_REJECT || rec->adkim > SMTP2_DMARC_STRICT
	    || rec->aspf > SMTP2_DMARC_STRICT || rec->psd > SMTP2_DMARC_PSD_N
	    || memchr(rec->rua, '\0', sizeof(rec->rua)) == NULL
	    || memchr(rec->fo, '\0', sizeof(rec->fo)) == NULL)
		abort();
	fuzz_printable(why);
}

/* fuzz_check_adsp - the same for ADSP */
static void
fuzz_check_adsp(enum smtp2_adsp_status st, enum smtp2_adsp_practice p,
    const char *why)
{
	if (st > SMTP2_ADSP_INVALID)
		abort();
	if (st == SMTP2_ADSP_OK ? p > SMTP2_ADSP_DISCARDABLE :
	    p != (enum smtp2_adsp_practice)FUZZ_UNSET)
		abort();
	if (st == SMTP2_ADSP_INVALID && why[0] == '\0')
		abort();
	fuzz_printable(why);
}

/* fuzz_split - cut the input at '\n' into an RRset; returns the count */
static size_t
fuzz_split(const char *s, size_t left, const char **txts, size_t *lens)
{
	const char *nl;
	size_t	n = 0;

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
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp2_dmarc rec;
	const char *txts[FUZZ_STRINGS], *s = (const char *)data;
	size_t	lens[FUZZ_STRINGS], n;
	enum smtp2_adsp_practice p;
	char	why[256];

	rec.p = (enum smtp2_dmarc_policy)FUZZ_UNSET;
	why[0] = '\0';
	fuzz_check_dmarc(smtp2_dmarc_parse(s, size, &rec, why, sizeof(why)),
	    &rec, why);
	p = (enum smtp2_adsp_practice)FUZZ_UNSET;
	why[0] = '\0';
	fuzz_check_adsp(smtp2_adsp_parse(s, size, &p, why, sizeof(why)), p,
	    why);

	n = fuzz_split(s, size, txts, lens);
	rec.p = (enum smtp2_dmarc_policy)FUZZ_UNSET;
	why[0] = '\0';
	fuzz_check_dmarc(smtp2_dmarc_select(txts, lens, n, &rec, why,
	    sizeof(why)), &rec, why);
	p = (enum smtp2_adsp_practice)FUZZ_UNSET;
	why[0] = '\0';
	fuzz_check_adsp(smtp2_adsp_select(txts, lens, n, &p, why,
	    sizeof(why)), p, why);

	/* A one-byte reason buffer must still be safe. */
	(void)smtp2_dmarc_parse(s, size, NULL, why, 1);
	(void)smtp2_adsp_parse(s, size, NULL, why, 1);
	return (0);
}
