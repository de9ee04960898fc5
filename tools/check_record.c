/*
 * check_record.c - the _smtp2 record as receivers will read it (the
 * library's parser decides valid or not), plus the advice the parser has
 * no reason to give: tags it ignores, a missing p=, a policy that does
 * nothing.  Used by "record TEXT" and by "domain".
 */

/* System library. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "check.h"

static const char *const record_tags[] = { "v", "p", "sp", "hosts" };

#define RECORD_N_TAGS	(sizeof(record_tags) / sizeof(record_tags[0]))

/* record_trim - [*s, *e) without surrounding spaces and tabs */
static void
record_trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* record_known - is tag (case-sensitive) one smtp2 defines?  *fold gets
 * the defined tag it differs from only in case, or NULL */
static bool
record_known(const char *tag, size_t len, const char **fold)
{
	size_t i;

	*fold = NULL;
	for (i = 0; i < RECORD_N_TAGS; i++) {
		if (strlen(record_tags[i]) != len)
			continue;
		if (strncmp(record_tags[i], tag, len) == 0)
			return true;
		if (strncasecmp(record_tags[i], tag, len) == 0)
			*fold = record_tags[i];
	}
	return false;
}

/* record_lint_tag - one "name=value" of a valid record */
static void
record_lint_tag(const char *s, const char *e, bool *have_p,
    struct check_notes *notes)
{
	const char *eq, *fold, *ns = s, *ne;

	if ((eq = memchr(s, '=', (size_t)(e - s))) == NULL)
		return;			/* the parser allowed it: nothing to add */
	ne = eq;
	record_trim(&ns, &ne);
	if (ne - ns == 1 && *ns == 'p')
		*have_p = true;
	if (record_known(ns, (size_t)(ne - ns), &fold))
		return;
	if (fold != NULL)
		check_note(notes, CHECK_WARNING, "unknown tag '%.*s' is ignored: "
		    "tag names are case-sensitive, did you mean '%s'?",
		    (int)(ne - ns), ns, fold);
	else
		check_note(notes, CHECK_WARNING, "unknown tag '%.*s' is ignored "
		    "by receivers (known: v, p, sp, hosts)", (int)(ne - ns), ns);
}

/* check_record_lint - advice about one record that parsed */
static void
check_record_lint(const char *txt, size_t len, const struct smtp2_record *rec,
    struct check_notes *notes)
{
	const char *s = txt, *end = txt + len, *e;
	bool have_p = false;
	size_t i;

	while (s < end) {
		if ((e = memchr(s, ';', (size_t)(end - s))) == NULL)
			e = end;
		record_lint_tag(s, e, &have_p, notes);
		s = e + 1;
	}
	if (!have_p)
		check_note(notes, CHECK_WARNING, "no p= tag: receivers assume "
		    "p=none and only observe");
	else if (rec->policy == SMTP2_POLICY_NONE)
		check_note(notes, CHECK_INFO, "p=none: receivers only observe; "
		    "nothing unproven is tagged or refused");
	if (rec->subdomain_policy != rec->policy)
		check_note(notes, CHECK_INFO, "subdomains without a record of "
		    "their own get sp=%s", smtp2_policy_name(rec->subdomain_policy));
	for (i = 0; i < rec->n_hosts; i++)
		check_note(notes, CHECK_INFO, "hosts= lets servers with a "
		    "certificate for %s send for the domain", rec->hosts[i]);
}

/* check_record_examine - select the record among TXT strings, lint it */
void
check_record_examine(const char *const *txts, const size_t *lens, size_t n,
    struct check_record *r)
{
	struct smtp2_record one;
	size_t i;

	r->status = smtp2_record_select(txts, lens, n, &r->rec, r->why,
	    sizeof(r->why));
	if (r->status != SMTP2_RECORD_OK)
		return;
	for (i = 0; i < n; i++)
		if (smtp2_record_parse(txts[i], lens[i], &one, NULL, 0) ==
		    SMTP2_RECORD_OK)
			check_record_lint(txts[i], lens[i], &one, &r->lint);
}

/* check_record_command - "record TEXT": lint one record text */
int
check_record_command(struct check_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct check_record_report rr;
	const char *txt;
	size_t len;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (ch != 'j')
			return -1;
		ctx->json = true;
	}
	if (optind != argc - 1)
		return -1;
	memset(&rr, 0, sizeof(rr));
	rr.text = txt = argv[optind];
	len = strlen(txt);
	rr.record.n_txt = 1;
	snprintf(rr.record.txt[0], CHECK_TXT_LEN, "%s", txt);
	rr.record.txt_len[0] = strlen(rr.record.txt[0]);
	check_record_examine(&txt, &len, 1, &rr.record);
	rr.exit = rr.record.status == SMTP2_RECORD_OK ? CHECK_EXIT_PASS :
	    CHECK_EXIT_PROBLEM;
	if (ctx->json)
		return check_json_record(&rr) < 0 ? CHECK_EXIT_UNCHECKED : rr.exit;
	check_report_record(ctx, &rr);
	return rr.exit;
}
