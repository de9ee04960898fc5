/*
 * dmarc_walk.c - the DMARC DNS tree walk (RFC 9989, "DNS Tree Walk")
 * and the organisational domain it determines, with the name and lookup
 * helpers the other signing-practices files share.
 *
 * The walk from a name N asks _dmarc.N, then climbs one label at a time
 * to the top-level domain; a name of eight labels or more jumps straight
 * to its last seven after the first query, so no walk makes more than
 * SMTP2_DMARC_WALK_MAX queries.  It stops early at a valid record with
 * psd=y or psd=n.  Strings that are not v=DMARC1 are skipped; a name
 * with several v=DMARC1 strings, or a malformed one, has no valid record
 * and the walk goes on (the malformed one is remembered for the caller).
 * Any DNS failure ends the walk: the name that failed might have held
 * the record that mattered.  A name too long to take the "_dmarc."
 * prefix cannot hold a record: it counts as NXDOMAIN, unasked.
 *
 * The organisational domain, from the valid records found, longest name
 * first: a psd=n record's name; else, for a psd=y record other than the
 * one at the start, the name one label below it (toward the start); else
 * the name of the record with the fewest labels; with no record at all,
 * the start itself.
 *
 * Nothing is cached here beyond one evaluation (the resolver caches):
 * the memo only keeps the author domain's walk and the walks of the
 * identifiers being aligned from asking the same name twice.
 */

/* System library. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "practices_int.h"
#include "why.h"

#define LABEL_MAX	63
#define WALK_KEEP	(SMTP2_DMARC_WALK_MAX - 1)	/* labels after a jump */
#define DMARC_PREFIX	"_dmarc."

/* practices_name_byte - a byte a label may hold, lower-cased; 0 if none */
static char
practices_name_byte(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return ((char)(c - 'A' + 'a'));
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
	    || c == '_')
		return ((char)c);
	return (0);
}

/* smtp2_practices_domain - normalise a DNS name */
int
smtp2_practices_domain(const char *in, size_t len, char *out, size_t outlen)
{
	size_t	i, label = 0;
	char	c;

	if (out == NULL || outlen == 0)
		return (-1);
	out[0] = '\0';
	if (in == NULL)
		return (-1);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > PRACTICES_NAME_MAX || len >= outlen)
		return (-1);
	for (i = 0; i < len; i++) {
		if (in[i] == '.') {
			if (label == 0)
				break;		/* empty label */
			label = 0;
			c = '.';
		} else if ((c = practices_name_byte((unsigned char)in[i])) == 0
		    || ++label > LABEL_MAX) {
			break;
		}
		out[i] = c;
	}
	if (i < len || label == 0) {
		out[0] = '\0';
		return (-1);
	}
	out[len] = '\0';
	return (0);
}

/* smtp2_practices_labels - labels of a normalised name */
size_t
smtp2_practices_labels(const char *name)
{
	size_t	n = 1;

	for (; *name != '\0'; name++)
		n += *name == '.';
	return (n);
}

/* smtp2_practices_suffix - the last n labels of a normalised name */
const char *
smtp2_practices_suffix(const char *name, size_t n)
{
	size_t	have = smtp2_practices_labels(name);

	/* Each round drops one label: at most have - n rounds. */
	while (have > n && have > 1) {
		name = strchr(name, '.') + 1;
		have--;
	}
	return (name);
}

/* smtp2_practices_within - name equal to domain, or below it */
bool
smtp2_practices_within(const char *name, const char *domain)
{
	size_t	nl = strlen(name), dl = strlen(domain);

	if (nl == dl)
		return (strcmp(name, domain) == 0);
	return (nl > dl && name[nl - dl - 1] == '.'
	    && strcmp(name + nl - dl, domain) == 0);
}

/* smtp2_practices_txt - every TXT string of an answer */
int
smtp2_practices_txt(const struct smtp2_dns_answer *a, struct practices_txt *t)
{
	size_t	cap = a->n > 0 ? a->n : 1;

	t->n = 0;
	t->s = calloc(cap, sizeof(*t->s));
	t->len = calloc(cap, sizeof(*t->len));
	if (t->s == NULL || t->len == NULL)
		return (-1);
	for (; t->n < a->n; t->n++)
		if ((t->s[t->n] = smtp2_dns_txt_join(&a->rr[t->n],
		    &t->len[t->n])) == NULL)
			return (-1);
	return (0);
}

/* smtp2_practices_txt_free - release what smtp2_practices_txt made */
void
smtp2_practices_txt_free(struct practices_txt *t)
{
	size_t	i;

	for (i = 0; t->s != NULL && i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->len);
	t->s = NULL;
	t->len = NULL;
	t->n = 0;
}

/*
 * dmarc_rua_ok - does rua= hold at least one URI with a scheme?  RFC 9989
 * makes a record without a valid p= count as p=none only then; a full
 * RFC 3986 check would not change which records qualify in practice.
 */
static bool
dmarc_rua_ok(const char *rua)
{
	const char *p = rua;
	size_t	n;

	/* Each round moves past one comma-separated element. */
	while (*p != '\0') {
		p += strspn(p, " \t");
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
		if (n > 0 && !(p[0] >= '0' && p[0] <= '9') && p[n] == ':'
		    && p[n + 1] != '\0' && p[n + 1] != ',' && p[n + 1] != ' ')
			return (true);
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return (false);
}

/* dmarc_classify - what the TXT strings of _dmarc.<e->name> say */
static int
dmarc_classify(const struct smtp2_dns_answer *a, struct dmarc_name *e)
{
	struct practices_txt t;
	struct smtp2_dmarc rec;
	int	rc = 0;

	if (smtp2_practices_txt(a, &t) < 0) {
		rc = -1;
		goto out;
	}
	switch (smtp2_dmarc_select((const char *const *)t.s, t.len, t.n,
	    &rec, e->why, sizeof(e->why))) {
	case SMTP2_DMARC_OK:
		e->kind = DMARC_K_VALID;
		e->pol = (struct dmarc_pol) { rec.p, rec.sp, rec.np, rec.adkim,
		    rec.aspf, rec.psd, rec.testing, rec.p_missing,
		    dmarc_rua_ok(rec.rua) };
		break;
	case SMTP2_DMARC_INVALID:
		e->kind = DMARC_K_INVALID;
		break;
	case SMTP2_DMARC_MULTIPLE:
		e->kind = DMARC_K_MULTIPLE;
		break;
	default:
		e->kind = DMARC_K_NONE;
		break;
	}
out:
	smtp2_practices_txt_free(&t);
	return (rc);
}

/* dmarc_ask - fill e from the DNS; -1 when out of memory */
static int
dmarc_ask(struct dmarc_ctx *c, struct dmarc_name *e)
{
	struct smtp2_dns_answer *a;
	char	qname[sizeof(DMARC_PREFIX) + PRACTICES_NAME_MAX];
	int	rc = 0;

	/* A name too long for the prefix cannot exist in the DNS. */
	if (strlen(e->name) + sizeof(DMARC_PREFIX) - 1 > PRACTICES_NAME_MAX) {
		e->status = SMTP2_DNS_NXDOMAIN;
		return (0);
	}
	memcpy(qname, DMARC_PREFIX, sizeof(DMARC_PREFIX) - 1);
	strcpy(qname + sizeof(DMARC_PREFIX) - 1, e->name);
	if ((a = smtp2_dns_query_counted(c->dns, qname, SMTP2_DNS_T_TXT,
	    &c->queries)) == NULL)
		return (-1);
	e->status = a->status;
	if (a->status == SMTP2_DNS_TEMPFAIL) {
		e->kind = DMARC_K_TEMP;
		smtp2_why(e->why, sizeof(e->why), "%s", a->why[0] != '\0' ?
		    a->why : "DNS failure");
	} else if (a->status == SMTP2_DNS_OK) {
		rc = dmarc_classify(a, e);
	}
	smtp2_dns_answer_free(a);
	return (rc);
}

/* smtp2_dmarc_lookup - _dmarc.<name>, asked at most once per ctx */
const struct dmarc_name *
smtp2_dmarc_lookup(struct dmarc_ctx *c, const char *name)
{
	struct dmarc_name *e;
	size_t	i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->memo[i].name, name) == 0)
			return (&c->memo[i]);
	if (c->n == PRACTICES_MEMO_MAX || strlen(name) > PRACTICES_NAME_MAX) {
		c->nomem = true;	/* bounded by PRACTICES_WALKS_MAX */
		return (NULL);
	}
	e = &c->memo[c->n];
	memset(e, 0, sizeof(*e));
	strcpy(e->name, name);
	if (dmarc_ask(c, e) < 0) {
		c->nomem = true;
		return (NULL);
	}
	c->n++;
	return (e);
}

/* dmarc_next - where the walk asks next; NULL above the top label */
static const char *
dmarc_next(const char *name)
{
	size_t	x = smtp2_practices_labels(name);

	if (x <= 1)
		return (NULL);
	if (x > WALK_KEEP)
		return (smtp2_practices_suffix(name, WALK_KEEP));
	return (strchr(name, '.') + 1);
}

/* dmarc_org - the organisational domain from what the walk found */
static void
dmarc_org(const char *start, struct dmarc_walk *w)
{
	const char *org = start;
	size_t	below;

	if (w->stop != NULL && w->stop->pol.psd == SMTP2_DMARC_PSD_N) {
		org = w->stop->name;
	} else if (w->stop != NULL && strcmp(w->stop->name, start) != 0) {
		/* psd=y: the name one label below the PSD, toward start. */
		below = smtp2_practices_labels(w->stop->name) + 1;
		org = smtp2_practices_suffix(start, below);
	} else if (w->n_found > 0) {
		org = w->found[w->n_found - 1]->name;
	}
	strcpy(w->org, org);
}

/* smtp2_dmarc_walk - the tree walk from start and its org domain */
void
smtp2_dmarc_walk(struct dmarc_ctx *c, const char *start, struct dmarc_walk *w)
{
	const struct dmarc_name *e;
	const char *at = start;
	size_t	q;

	memset(w, 0, sizeof(*w));
	for (q = 0; q < SMTP2_DMARC_WALK_MAX && at != NULL; q++) {
		if ((e = smtp2_dmarc_lookup(c, at)) == NULL) {
			w->status = DMARC_WALK_NOMEM;
			return;
		}
		if (e->kind == DMARC_K_TEMP) {
			w->temp = e;
			w->status = DMARC_WALK_TEMP;
			return;
		}
		if (e->kind == DMARC_K_INVALID && w->bad == NULL)
			w->bad = e;
		if (e->kind == DMARC_K_VALID) {
			w->found[w->n_found++] = e;
			if (e->pol.psd != SMTP2_DMARC_PSD_U) {
				w->stop = e;
				break;
			}
		}
		at = dmarc_next(at);
	}
	dmarc_org(start, w);
}
