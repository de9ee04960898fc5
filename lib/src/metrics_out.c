/*
 * metrics_out.c - the walk (metrics_walk.c) written as Prometheus text
 * format 0.0.4 or as JSON.  Names and label values are ours, static and
 * plain ([a-z0-9_+.-]), so neither format needs escaping beyond what the
 * help texts would: they contain no quote, backslash or newline.
 */

/* System library. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/metrics.h>
#include "metrics_int.h"

#define BUF_START	16384

/* A growing output buffer; once failed, it stays failed. */
struct out {
	char	*p;
	size_t	len, cap;
	bool	failed;
	bool	first_family, first_sample;	/* JSON commas */
};

/* out_printf - append, growing as needed */
static void __attribute__((format(printf, 2, 3)))
out_printf(struct out *o, const char *fmt, ...)
{
	va_list	ap;
	int	n;
	char	*np;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = true;
		return;
	}
	if ((size_t)n >= o->cap - o->len) {
		while ((size_t)n >= o->cap - o->len)
			o->cap *= 2;
		if ((np = realloc(o->p, o->cap)) == NULL) {
			o->failed = true;
			return;
		}
		o->p = np;
		va_start(ap, fmt);
		(void)vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
	}
	o->len += (size_t)n;
}

/* prom_family - the HELP and TYPE lines */
static void
prom_family(void *arg, const char *name, const char *type, const char *help)
{
	out_printf(arg, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* prom_sample - name{k="v",...} value */
static void
prom_sample(void *arg, const char *name, const char *const *keys,
    const char *const *vals, size_t n, const char *value)
{
	size_t	i;

	out_printf(arg, "%s", name);
	for (i = 0; i < n; i++)
		out_printf(arg, "%s%s=\"%s\"", i ? "," : "{", keys[i], vals[i]);
	out_printf(arg, "%s %s\n", n ? "}" : "", value);
}

/* json_family - close the previous family, open this one */
static void
json_family(void *arg, const char *name, const char *type, const char *help)
{
	struct out *o = arg;

	out_printf(o, "%s\"%s\":{\"type\":\"%s\",\"help\":\"%s\",\"samples\":[",
	    o->first_family ? "{" : "]},", name, type, help);
	o->first_family = false;
	o->first_sample = true;
}

/* json_sample - {"name":..,"labels":{..},"value":N} */
static void
json_sample(void *arg, const char *name, const char *const *keys,
    const char *const *vals, size_t n, const char *value)
{
	struct out *o = arg;
	size_t	i;

	out_printf(o, "%s{\"name\":\"%s\",\"labels\":{", o->first_sample ? "" : ",",
	    name);
	for (i = 0; i < n; i++)
		out_printf(o, "%s\"%s\":\"%s\"", i ? "," : "", keys[i], vals[i]);
	/* "+Inf" is a label, never a value: every value is a JSON number. */
	out_printf(o, "},\"value\":%s}", value);
	o->first_sample = false;
}

/* render - run the walk into a fresh buffer; NULL when out of memory */
static char *
render(const struct metrics_sink *proto, bool json, size_t *len)
{
	struct out o;
	struct metrics_sink k = *proto;

	memset(&o, 0, sizeof(o));
	o.first_family = true;
	o.cap = BUF_START;
	if ((o.p = malloc(o.cap)) == NULL)
		return NULL;
	o.p[0] = '\0';
	k.arg = &o;
	smtp2_metrics_walk(&k);
	if (json)
		out_printf(&o, "%s", o.first_family ? "{}\n" : "]}}\n");
	if (o.failed) {
		free(o.p);
		return NULL;
	}
	if (len != NULL)
		*len = o.len;
	return o.p;
}

/* smtp2_metrics_prometheus - see metrics.h */
char *
smtp2_metrics_prometheus(size_t *len)
{
	static const struct metrics_sink k = { prom_family, prom_sample, NULL };

	return render(&k, false, len);
}

/* smtp2_metrics_json - see metrics.h */
char *
smtp2_metrics_json(size_t *len)
{
	static const struct metrics_sink k = { json_family, json_sample, NULL };

	return render(&k, true, len);
}
