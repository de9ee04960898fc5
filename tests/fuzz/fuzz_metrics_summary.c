/*
 * fuzz_metrics_summary.c - msum_parse (tools/metrics_summary.c) on any
 * bytes: smtp2-check reads whatever answers at the address it is given.
 * A refusal must come with a one-line printable reason; whatever parses
 * must print as printable ASCII lines and as JSON that parses back.
 */

/* System library. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <json-c/json.h>

/* Application-specific. */
#include "check_json.h"
#include "metrics_summary.h"

/* printable - only printable ASCII, and newlines where allowed */
static void
printable(const char *p, size_t len, int newlines)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((p[i] < 0x20 || p[i] > 0x7e) && !(newlines && p[i] == '\n'))
			abort();
}

/* reports - both printed forms of s, checked */
static void
reports(const struct msum *s)
{
	struct jsonw w;
	json_object *o;
	char	*buf = NULL;
	size_t	len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return;
	msum_print_text(fp, "http://127.0.0.1:9466/metrics.json", s);
	fclose(fp);
	printable(buf, len, 1);
	free(buf);
	buf = NULL;
	if ((fp = open_memstream(&buf, &len)) == NULL)
		return;
	jsonw_init(&w, fp, false);
	jsonw_object_open(&w, NULL);
	msum_print_json(&w, s);
	jsonw_object_close(&w);
	if (jsonw_finish(&w) != 0)
		abort();
	fclose(fp);
	if ((o = json_tokener_parse(buf)) == NULL)
		abort();
	json_object_put(o);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msum *s;
	char	why[512] = "";

	if ((s = malloc(sizeof(*s))) == NULL)
		return 0;
	if (msum_parse((const char *)data, size, s, why, sizeof(why)) == 0)
		reports(s);
	else if (why[0] == '\0')
		abort();
	else
		printable(why, strlen(why), 0);
	free(s);
	return 0;
}
