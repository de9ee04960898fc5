/*
 * metrics_summary.c - read a metrics snapshot (docs/metrics.md, "The JSON
 * snapshot") into struct msum with json-c.
 *
 * Each family the summary needs must be there with its documented type;
 * other families are ignored, so a newer daemon's additions do no harm.
 * Label values the docs do not list are counted under their own name
 * (up to MSUM_TALLY_MAX per label) rather than refused, for the same
 * reason.  Anything else that is not as the daemons write it is an error
 * naming the family and the sample: a summary from a half-understood
 * snapshot would mislead the operator more than no summary.
 */

/* System library. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON library. */
#include <json-c/json.h>

/* Application-specific. */
#include "metrics_summary.h"

#define VALUE_MAX	9007199254740992.0	/* 2^53: exact in a double */
#define DEPTH_MAX	8	/* root, family, samples, sample, labels: 5 */

/* One sample of a family, as read. */
struct sample {
	const char	*family;
	size_t		idx;
	const char	*name;
	json_object	*labels;
	double		value;
};

/* A parse: the summary being filled and where the reason goes. */
struct ctx {
	struct msum	*s;
	char		*why;
	size_t		whylen;
};

struct family;
typedef int (*family_fn)(struct ctx *, const struct sample *,
    const struct family *);

/* A family the summary reads: name, type, how, and (for the generic
 * readers) the label counted by and where in struct msum it goes. */
struct family {
	const char	*name;
	const char	*type;
	family_fn	fn;
	const char	*key;
	size_t		off;
};

static const char *const action_names[] = { "accept", "tag", "reject",
	"defer", NULL };
static const char *const result_names[] = { "pass", "fail", "none",
	"temperror", "permerror", NULL };
static const char *const method_names[] = { "dane", "pkix", NULL };
static const char *const class_names[] = { "verified", "legacy", "other",
	NULL };
static const char *const dkim_names[] = { "none", "pass", "fail", "neutral",
	"policy", "temperror", "permerror", NULL };
static const char *const dmarc_names[] = { "none", "pass", "fail",
	"temperror", "permerror", NULL };
static const char *const rule_names[] = { "tls", "auth", "syntax",
	"improper", "fqdn", "rights", "recipient-rights", "message", "nomem",
	"edit", "other", NULL };
static const char *const level_names[] = { "err", "warning", NULL };
static const char *const reload_names[] = { "applied", "refused", NULL };
static const char *const stage_names[] = { "rcpt", "eom", NULL };

/* fail - the reason, one line; -1 */
static int __attribute__((format(printf, 2, 3)))
fail(struct ctx *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* sat_add - a += b, stopping at the top rather than wrapping */
static void
sat_add(uint64_t *a, uint64_t b)
{
	*a = *a > UINT64_MAX - b ? UINT64_MAX : *a + b;
}

/* plain_name - what a label value may be before it is printed */
static bool
plain_name(const char *v, size_t len)
{
	size_t	i;

	if (len == 0 || len >= MSUM_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_+.-", v[i]) == NULL || v[i] == '\0')
			return false;
	return true;
}

/* tally_seed - the documented values, in order, all zero */
static void
tally_seed(struct msum_tally *t, const char *const *names)
{
	memset(t, 0, sizeof(*t));
	for (; *names != NULL && t->n < MSUM_TALLY_MAX; names++)
		snprintf(t->c[t->n++].name, MSUM_NAME_LEN, "%s", *names);
}

/* tally_add - n more under name; an unknown name takes a new slot */
static int
tally_add(struct ctx *c, const struct sample *sm, struct msum_tally *t,
    const char *name, uint64_t n)
{
	size_t	i;

	for (i = 0; i < t->n && strcmp(t->c[i].name, name) != 0; i++)
		continue;
	if (i == t->n) {
		if (n == 0)
			return 0;	/* nothing to show under a new name */
		if (t->n == MSUM_TALLY_MAX)
			return fail(c, "%s sample %zu: more than %d distinct "
			    "values of a label", sm->family, sm->idx,
			    MSUM_TALLY_MAX);
		snprintf(t->c[t->n++].name, MSUM_NAME_LEN, "%s", name);
	}
	sat_add(&t->c[i].n, n);
	sat_add(&t->total, n);
	return 0;
}

/* label - the value of a required label, a plain name */
static int
label(struct ctx *c, const struct sample *sm, const char *key, const char **out)
{
	json_object *o;

	if (!json_object_object_get_ex(sm->labels, key, &o))
		return fail(c, "%s sample %zu: no label '%s'", sm->family,
		    sm->idx, key);
	if (!json_object_is_type(o, json_type_string) ||
	    !plain_name(json_object_get_string(o),
	    (size_t)json_object_get_string_len(o)))
		return fail(c, "%s sample %zu: label '%s' is not a plain name "
		    "([A-Za-z0-9_+.-], 1 to %d characters)", sm->family, sm->idx,
		    key, MSUM_NAME_LEN - 1);
	*out = json_object_get_string(o);
	return 0;
}

/* whole - the sample's value as a count */
static int
whole(struct ctx *c, const struct sample *sm, uint64_t *n)
{
	*n = 0;
	if (sm->value != floor(sm->value))
		return fail(c, "%s sample %zu: value %g is not a whole number",
		    sm->family, sm->idx, sm->value);
	*n = (uint64_t)sm->value;
	return 0;
}

/* stage_init - a stage's tallies seeded */
static void
stage_init(struct msum_stage *st, const char *name)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", name);
	tally_seed(&st->action, action_names);
	tally_seed(&st->result, result_names);
	tally_seed(&st->method, method_names);
	tally_seed(&st->recipients, class_names);
}

/* stage_get - the sample's stage, added when new; NULL after fail() */
static struct msum_stage *
stage_get(struct ctx *c, const struct sample *sm)
{
	struct msum *s = c->s;
	const char *name;
	size_t	i;

	if (label(c, sm, "stage", &name) < 0)
		return NULL;
	for (i = 0; i < s->n_stages; i++)
		if (strcmp(s->stage[i].name, name) == 0)
			return &s->stage[i];
	if (s->n_stages == MSUM_STAGES_MAX) {
		fail(c, "%s sample %zu: more than %d stages", sm->family,
		    sm->idx, MSUM_STAGES_MAX);
		return NULL;
	}
	stage_init(&s->stage[s->n_stages], name);
	return &s->stage[s->n_stages++];
}

/* fam_verdicts - smtp2_verdicts_total{stage,result,method,dnssec,action} */
static int
fam_verdicts(struct ctx *c, const struct sample *sm, const struct family *f)
{
	struct msum_stage *st;
	const char *result, *method, *action;
	uint64_t n;

	(void)f;
	if ((st = stage_get(c, sm)) == NULL || label(c, sm, "result", &result) < 0
	    || label(c, sm, "method", &method) < 0
	    || label(c, sm, "action", &action) < 0 || whole(c, sm, &n) < 0)
		return -1;
	sat_add(&st->decisions, n);
	if (tally_add(c, sm, &st->action, action, n) < 0
	    || tally_add(c, sm, &st->result, result, n) < 0)
		return -1;
	return strcmp(result, "pass") == 0 ?
	    tally_add(c, sm, &st->method, method, n) : 0;
}

/* fam_recipients - smtp2_recipients_total{stage,class} */
static int
fam_recipients(struct ctx *c, const struct sample *sm, const struct family *f)
{
	struct msum_stage *st;
	const char *cls;
	uint64_t n;

	(void)f;
	if ((st = stage_get(c, sm)) == NULL || label(c, sm, "class", &cls) < 0
	    || whole(c, sm, &n) < 0)
		return -1;
	return tally_add(c, sm, &st->recipients, cls, n);
}

/* fam_labelled - a counter by one label, into the tally at f->off */
static int
fam_labelled(struct ctx *c, const struct sample *sm, const struct family *f)
{
	struct msum_tally *t = (struct msum_tally *)(void *)((char *)c->s + f->off);
	const char *v;
	uint64_t n;

	if (label(c, sm, f->key, &v) < 0 || whole(c, sm, &n) < 0)
		return -1;
	return tally_add(c, sm, t, v, n);
}

/* fam_counter - an unlabelled counter, into the uint64_t at f->off */
static int
fam_counter(struct ctx *c, const struct sample *sm, const struct family *f)
{
	uint64_t *total = (uint64_t *)(void *)((char *)c->s + f->off), n;

	if (whole(c, sm, &n) < 0)
		return -1;
	sat_add(total, n);
	return 0;
}

/* hist_bucket - one cumulative bucket, after those below it */
static int
hist_bucket(struct ctx *c, const struct sample *sm, struct msum_hist *h)
{
	const char *le;
	char	*end;
	double	bound;
	uint64_t n;

	if (label(c, sm, "le", &le) < 0 || whole(c, sm, &n) < 0)
		return -1;
	if (strcmp(le, "+Inf") == 0)
		bound = INFINITY;
	else if ((bound = strtod(le, &end)) < 0 || !isfinite(bound)
	    || *end != '\0')
		return fail(c, "%s sample %zu: le '%s' is not a bound",
		    sm->family, sm->idx, le);
	if (h->n == MSUM_BUCKETS_MAX)
		return fail(c, "%s: more than %d buckets", sm->family,
		    MSUM_BUCKETS_MAX);
	if (h->n > 0 && (bound <= h->le[h->n - 1] || n < h->cum[h->n - 1]))
		return fail(c, "%s sample %zu: buckets not cumulative in "
		    "ascending order", sm->family, sm->idx);
	h->le[h->n] = bound;
	h->cum[h->n++] = n;
	return 0;
}

/* hist_sample - NAME_bucket, NAME_sum or NAME_count into h */
static int
hist_sample(struct ctx *c, const struct sample *sm, struct msum_hist *h)
{
	size_t	flen = strlen(sm->family);
	const char *suffix = sm->name + flen;

	if (strncmp(sm->name, sm->family, flen) != 0)
		suffix = "";
	if (strcmp(suffix, "_bucket") == 0)
		return hist_bucket(c, sm, h);
	if (strcmp(suffix, "_sum") == 0) {
		h->sum = sm->value;
		return 0;
	}
	if (strcmp(suffix, "_count") == 0)
		return whole(c, sm, &h->count);
	return fail(c, "%s sample %zu: not a _bucket, _sum or _count sample",
	    sm->family, sm->idx);
}

/* fam_stage_hist - smtp2_verdict_duration_seconds, one per stage */
static int
fam_stage_hist(struct ctx *c, const struct sample *sm, const struct family *f)
{
	struct msum_stage *st;

	(void)f;
	if ((st = stage_get(c, sm)) == NULL)
		return -1;
	return hist_sample(c, sm, &st->time);
}

/* fam_hist - an unlabelled histogram at f->off */
static int
fam_hist(struct ctx *c, const struct sample *sm, const struct family *f)
{
	return hist_sample(c, sm,
	    (struct msum_hist *)(void *)((char *)c->s + f->off));
}

static const struct family families[] = {
	{ "smtp2_verdicts_total", "counter", fam_verdicts, NULL, 0 },
	{ "smtp2_recipients_total", "counter", fam_recipients, NULL, 0 },
	{ "smtp2_messages_total", "counter", fam_labelled, "class",
	    offsetof(struct msum, messages) },
	{ "smtp2_verdict_duration_seconds", "histogram", fam_stage_hist, NULL, 0 },
	{ "smtp2_cert_verify_duration_seconds", "histogram", fam_hist, NULL,
	    offsetof(struct msum, cert_time) },
	{ "smtp2_dns_queries_total", "counter", fam_counter, NULL,
	    offsetof(struct msum, dns_queries) },
	{ "smtp2_dns_cache_hits_total", "counter", fam_counter, NULL,
	    offsetof(struct msum, dns_cache_hits) },
	{ "smtp2_dns_upstream_queries_total", "counter", fam_counter, NULL,
	    offsetof(struct msum, dns_upstream) },
	{ "smtp2_dns_timeouts_total", "counter", fam_counter, NULL,
	    offsetof(struct msum, dns_timeouts) },
	{ "smtp2_dns_budget_refused_total", "counter", fam_counter, NULL,
	    offsetof(struct msum, dns_budget) },
	{ "smtp2_dkim_results_total", "counter", fam_labelled, "result",
	    offsetof(struct msum, dkim) },
	{ "smtp2_dmarc_results_total", "counter", fam_labelled, "result",
	    offsetof(struct msum, dmarc) },
	{ "smtp2_submission_rejections_total", "counter", fam_labelled, "rule",
	    offsetof(struct msum, rejections) },
	{ "smtp2_errors_total", "counter", fam_labelled, "level",
	    offsetof(struct msum, errors) },
	{ "smtp2_config_reloads_total", "counter", fam_labelled, "result",
	    offsetof(struct msum, reloads) },
};

/* sample_read - one element of "samples": {"name", "labels", "value"} */
static int
sample_read(struct ctx *c, json_object *o, struct sample *sm)
{
	json_object *name, *value;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, "%s sample %zu: not an object", sm->family, sm->idx);
	if (!json_object_object_get_ex(o, "name", &name) ||
	    !json_object_is_type(name, json_type_string))
		return fail(c, "%s sample %zu: no \"name\" string", sm->family,
		    sm->idx);
	if (!json_object_object_get_ex(o, "labels", &sm->labels) ||
	    !json_object_is_type(sm->labels, json_type_object))
		return fail(c, "%s sample %zu: no \"labels\" object", sm->family,
		    sm->idx);
	if (!json_object_object_get_ex(o, "value", &value) ||
	    (!json_object_is_type(value, json_type_int) &&
	    !json_object_is_type(value, json_type_double)))
		return fail(c, "%s sample %zu: no \"value\" number", sm->family,
		    sm->idx);
	sm->name = json_object_get_string(name);
	sm->value = json_object_get_double(value);
	if (!isfinite(sm->value))
		return fail(c, "%s sample %zu: value is not finite", sm->family,
		    sm->idx);
	if (sm->value < 0 || sm->value > VALUE_MAX)
		return fail(c, "%s sample %zu: value %g out of range (0 to 2^53)",
		    sm->family, sm->idx, sm->value);
	return 0;
}

/* family_optional - families newer than the first snapshot format: a
 * daemon that does not write them is older, not broken (zero) */
static bool
family_optional(const struct family *f)
{
	return strcmp(f->name, "smtp2_dns_budget_refused_total") == 0 ||
	    strcmp(f->name, "smtp2_config_reloads_total") == 0;
}

/* family_read - check one family's type and hand each sample to f->fn */
static int
family_read(struct ctx *c, json_object *root, const struct family *f)
{
	json_object *fam, *type, *samples;
	struct sample sm = { .family = f->name };
	size_t	n;

	if (!json_object_object_get_ex(root, f->name, &fam))
		return family_optional(f) ? 0 :
		    fail(c, "%s: missing from the snapshot", f->name);
	if (!json_object_is_type(fam, json_type_object) ||
	    !json_object_object_get_ex(fam, "type", &type) ||
	    !json_object_is_type(type, json_type_string) ||
	    strcmp(json_object_get_string(type), f->type) != 0)
		return fail(c, "%s: not a family of type \"%s\"", f->name, f->type);
	if (!json_object_object_get_ex(fam, "samples", &samples) ||
	    !json_object_is_type(samples, json_type_array))
		return fail(c, "%s: no \"samples\" array", f->name);
	n = json_object_array_length(samples);
	for (sm.idx = 0; sm.idx < n; sm.idx++)
		if (sample_read(c, json_object_array_get_idx(samples, sm.idx),
		    &sm) < 0 || f->fn(c, &sm, f) < 0)
			return -1;
	return 0;
}

/* hist_check - a histogram read whole: buckets up to +Inf, the count
 * equal to the last; or nothing at all */
static int
hist_check(struct ctx *c, const char *what, const struct msum_hist *h)
{
	if (h->n == 0 && h->count == 0)
		return 0;
	if (h->n == 0 || !isinf(h->le[h->n - 1]))
		return fail(c, "%s: no +Inf bucket", what);
	if (h->count != h->cum[h->n - 1])
		return fail(c, "%s: _count differs from the +Inf bucket", what);
	return 0;
}

/* msum_init - every tally seeded with the documented values */
static void
msum_init(struct msum *s)
{
	size_t	i;

	memset(s, 0, sizeof(*s));
	for (i = 0; stage_names[i] != NULL; i++)
		stage_init(&s->stage[s->n_stages++], stage_names[i]);
	tally_seed(&s->messages, class_names);
	tally_seed(&s->dkim, dkim_names);
	tally_seed(&s->dmarc, dmarc_names);
	tally_seed(&s->rejections, rule_names);
	tally_seed(&s->errors, level_names);
	tally_seed(&s->reloads, reload_names);
}

/* parse_json - the text as one JSON object; NULL after fail() */
static json_object *
parse_json(struct ctx *c, const char *json, size_t len)
{
	json_tokener *tok;
	json_object *root = NULL;
	enum json_tokener_error e;
	char	*buf;
	size_t	end;

	if ((buf = malloc(len + 1)) == NULL || (tok = json_tokener_new_ex(
	    DEPTH_MAX)) == NULL) {
		free(buf);
		fail(c, "out of memory");
		return NULL;
	}
	memcpy(buf, json, len);
	buf[len] = '\0';
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	/* The NUL included: the tokener knows the input ends there. */
	root = json_tokener_parse_ex(tok, buf, (int)len + 1);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (root == NULL)
		fail(c, "malformed JSON at byte %zu: %s", end,
		    json_tokener_error_desc(e));
	else if (end < len && buf[end + strspn(buf + end, " \t\r\n")] != '\0')
		fail(c, "malformed JSON at byte %zu: data after the object", end);
	else if (!json_object_is_type(root, json_type_object))
		fail(c, "not a metrics snapshot: a JSON %s, not an object",
		    json_type_to_name(json_object_get_type(root)));
	else
		goto out;
	json_object_put(root);
	root = NULL;
out:
	json_tokener_free(tok);
	free(buf);
	return root;
}

/* all_space - nothing but JSON white space (or nothing at all)? */
static bool
all_space(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* msum_parse - see metrics_summary.h */
int
msum_parse(const char *json, size_t len, struct msum *s, char *why,
    size_t whylen)
{
	struct ctx c = { s, why, whylen };
	json_object *root;
	size_t	i;
	int	rc = 0;

	if (len > MSUM_SNAPSHOT_MAX)
		return fail(&c, "snapshot larger than %d bytes", MSUM_SNAPSHOT_MAX);
	if (all_space(json, len))
		return fail(&c, "empty snapshot");
	if (memchr(json, '\0', len) != NULL)
		return fail(&c, "malformed JSON at byte %zu: a NUL byte",
		    (size_t)((const char *)memchr(json, '\0', len) - json));
	if ((root = parse_json(&c, json, len)) == NULL)
		return -1;
	msum_init(s);
	for (i = 0; rc == 0 && i < sizeof(families) / sizeof(families[0]); i++)
		rc = family_read(&c, root, &families[i]);
	for (i = 0; rc == 0 && i < s->n_stages; i++)
		rc = hist_check(&c, "smtp2_verdict_duration_seconds",
		    &s->stage[i].time);
	if (rc == 0)
		rc = hist_check(&c, "smtp2_cert_verify_duration_seconds",
		    &s->cert_time);
	json_object_put(root);
	return rc;
}
