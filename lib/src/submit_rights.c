/*
 * submit_rights.c - the submission-rights map (RFC 6409 6.1, 6.2): which
 * addresses each login may use.  A flat text file read once into sorted
 * memory; lookups are a binary search and a short scan, no locks needed
 * because nothing changes after loading.
 *
 *   # login    addresses, "@domain" for a whole domain, "*" for any
 *   alice      alice@example.net, a.smith@example.net
 *   bob        @example.net
 */

/* System library. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/submit.h>

#define RIGHTS_LINE_MAX	4096		/* bytes of one line */
#define RIGHTS_LOGIN_MAX 256		/* bytes of one login */

struct rights_entry {
	char	*login;
	char	**allow;		/* "*", "@domain" or "local@domain" */
	size_t	n_allow;
	unsigned line;			/* where it was read, for errors */
};

struct smtp2_submit_rights {
	struct rights_entry *e;
	size_t	n;
	size_t	cap;
};

/* rights_entry_free - one entry's strings */
static void
rights_entry_free(struct rights_entry *e)
{
	size_t i;

	for (i = 0; i < e->n_allow; i++)
		free(e->allow[i]);
	free(e->allow);
	free(e->login);
}

/* smtp2_submit_rights_free - see submit.h */
void
smtp2_submit_rights_free(struct smtp2_submit_rights *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		rights_entry_free(&r->e[i]);
	free(r->e);
	free(r);
}

/* right_check - one address pattern, lower-cased in place when valid */
static int
right_check(char *tok, char *why, size_t whylen)
{
	struct smtp2_submit_addr a;
	char *p;

	if (strcmp(tok, "*") == 0)
		return 0;
	if (tok[0] == '@') {
		if (!smtp2_submit_hostname_ok(tok + 1) || strchr(tok + 1, '.') == NULL) {
			snprintf(why, whylen, "'%.300s' is not @ and a fully-qualified domain", tok);
			return -1;
		}
	} else if (smtp2_submit_parse_path(tok, true, false, &a, why, whylen)
	    != SMTP2_SUBMIT_OK || a.literal) {
		snprintf(why, whylen, "'%.300s' is not an address, @domain or *", tok);
		return -1;
	}
	for (p = tok; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* entry_add_right - append a copy of tok to e */
static int
entry_add_right(struct rights_entry *e, const char *tok)
{
	char **v;

	if ((v = realloc(e->allow, (e->n_allow + 1) * sizeof(*v))) == NULL)
		return -1;
	e->allow = v;
	if ((v[e->n_allow] = strdup(tok)) == NULL)
		return -1;
	e->n_allow++;
	return 0;
}

/* parse_line - "login right[, right...]" into e; -1 with why */
static int
parse_line(char *line, struct rights_entry *e, char *why, size_t whylen)
{
	const char *sep = " \t,";
	char *tok, *save = NULL;

	memset(e, 0, sizeof(*e));
	tok = strtok_r(line, " \t", &save);
	if (strlen(tok) > RIGHTS_LOGIN_MAX || strchr(tok, ',') != NULL) {
		snprintf(why, whylen, "'%.64s' is not a login", tok);
		return -1;
	}
	if ((e->login = strdup(tok)) == NULL)
		goto nomem;
	while ((tok = strtok_r(NULL, sep, &save)) != NULL) {
		if (right_check(tok, why, whylen) < 0)
			return -1;
		if (entry_add_right(e, tok) < 0)
			goto nomem;
	}
	if (e->n_allow == 0) {
		snprintf(why, whylen, "login '%.64s' without addresses", e->login);
		return -1;
	}
	return 0;
nomem:
	snprintf(why, whylen, "out of memory");
	return -1;
}

/* content - the line without comment and trailing space; NULL if blank */
static char *
content(char *line)
{
	char *p;
	size_t n;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	line += strspn(line, " \t");
	return *line != '\0' ? line : NULL;
}

/* entry_cmp - by login, for qsort and bsearch */
static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rights_entry *)a)->login,
	    ((const struct rights_entry *)b)->login);
}

/* rights_push - keep entry e (ownership moves to r) */
static int
rights_push(struct smtp2_submit_rights *r, struct rights_entry *e)
{
	struct rights_entry *v;
	size_t cap;

	if (r->n == r->cap) {
		cap = r->cap ? 2 * r->cap : 16;
		if ((v = realloc(r->e, cap * sizeof(*v))) == NULL)
			return -1;
		r->e = v;
		r->cap = cap;
	}
	r->e[r->n++] = *e;
	return 0;
}

/* read_lines - every line of fp into r; -1 with "FILE:LINE: what" */
static int
read_lines(FILE *fp, const char *path, struct smtp2_submit_rights *r,
    char *why, size_t whylen)
{
	char line[RIGHTS_LINE_MAX + 2], *c, reason[400];
	struct rights_entry e;
	unsigned lineno = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(why, whylen, "%s:%u: line longer than %d bytes", path,
			    lineno, RIGHTS_LINE_MAX);
			return -1;
		}
		if ((c = content(line)) == NULL)
			continue;
		if (parse_line(c, &e, reason, sizeof(reason)) < 0 || rights_push(r, &e) < 0) {
			rights_entry_free(&e);
			snprintf(why, whylen, "%s:%u: %s", path, lineno, reason);
			return -1;
		}
		r->e[r->n - 1].line = lineno;
	}
	return 0;
}

/* duplicates - a login listed twice (r sorted) is a mistake, not a
 * merge; -1 with why naming the later line */
static int
duplicates(const struct smtp2_submit_rights *r, const char *path, char *why,
    size_t whylen)
{
	const struct rights_entry *a, *b;
	size_t i;

	for (i = 1; i < r->n; i++) {
		a = &r->e[i - 1];
		b = &r->e[i];
		if (strcmp(a->login, b->login) != 0)
			continue;
		if (a->line > b->line) {
			a = b;
			b = &r->e[i - 1];
		}
		snprintf(why, whylen, "%s:%u: login '%.64s' already listed on line %u",
		    path, b->line, b->login, a->line);
		return -1;
	}
	return 0;
}

/* smtp2_submit_rights_load - see submit.h */
struct smtp2_submit_rights *
smtp2_submit_rights_load(const char *path, char *why, size_t whylen)
{
	struct smtp2_submit_rights *r;
	FILE *fp;
	int ok;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "%s:0: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		fclose(fp);
		snprintf(why, whylen, "%s:0: out of memory", path);
		return NULL;
	}
	ok = read_lines(fp, path, r, why, whylen) == 0;
	if (ok && ferror(fp)) {
		snprintf(why, whylen, "%s:0: read error", path);
		ok = false;
	}
	fclose(fp);
	if (ok && r->n > 0)
		qsort(r->e, r->n, sizeof(*r->e), entry_cmp);
	if (!ok || duplicates(r, path, why, whylen) < 0) {
		smtp2_submit_rights_free(r);
		return NULL;
	}
	return r;
}

/* entry_of - login's entry, or NULL */
static const struct rights_entry *
entry_of(const struct smtp2_submit_rights *r, const char *login)
{
	struct rights_entry key;

	if (r == NULL || login == NULL || r->n == 0)
		return NULL;
	key.login = (char *)(uintptr_t)login;
	return bsearch(&key, r->e, r->n, sizeof(*r->e), entry_cmp);
}

/* smtp2_submit_rights_known - see submit.h */
bool
smtp2_submit_rights_known(const struct smtp2_submit_rights *r, const char *login)
{
	return entry_of(r, login) != NULL;
}

/* smtp2_submit_rights_entries - see submit.h */
size_t
smtp2_submit_rights_entries(const struct smtp2_submit_rights *r)
{
	return r != NULL ? r->n : 0;
}

/* right_matches - does one pattern cover local@domain? */
static bool
right_matches(const char *right, const char *local, const char *domain)
{
	size_t ll = strlen(local);

	if (strcmp(right, "*") == 0)
		return true;
	if (right[0] == '@')
		return strcasecmp(right + 1, domain) == 0;
	return strncasecmp(right, local, ll) == 0 && right[ll] == '@' &&
	    strcasecmp(right + ll + 1, domain) == 0;
}

/* smtp2_submit_rights_allow - see submit.h */
bool
smtp2_submit_rights_allow(const struct smtp2_submit_rights *r, const char *login,
    const char *local, const char *domain)
{
	const struct rights_entry *e = entry_of(r, login);
	size_t i;

	if (e == NULL || local == NULL || domain == NULL)
		return false;
	for (i = 0; i < e->n_allow; i++)
		if (right_matches(e->allow[i], local, domain))
			return true;
	return false;
}
