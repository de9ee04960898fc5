/*
 * confdiff.c - restart-only settings (confdiff.h).
 */

/* System library. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "confdiff.h"

/* str_differ - two optional strings */
static bool
str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* list_differ - two string lists, order included (it is the bind order) */
static bool
list_differ(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return true;
	for (size_t i = 0; i < na; i++)
		if (str_differ(a[i], b[i]))
			return true;
	return false;
}

/* note - add name to the list when changed */
static size_t
note(bool changed, const char *name, char *out, size_t outlen, size_t *used)
{
	int	n;

	if (!changed)
		return 0;
	if (*used < outlen) {
		n = snprintf(out + *used, outlen - *used, "%s%s",
		    *used ? ", " : "", name);
		*used += n > 0 ? (size_t)n : 0;
	}
	return 1;
}

/* smtp2d_conf_restart_only - see confdiff.h */
size_t
smtp2d_conf_restart_only(const struct smtp2_conf *a, const struct smtp2_conf *b,
    char *out, size_t outlen)
{
	size_t	n = 0, used = 0;

	if (outlen > 0)
		out[0] = '\0';
#define NOTE(changed, name)	(n += note((changed), (name), out, outlen, &used))
	NOTE(str_differ(a->milter.socket, b->milter.socket), "milter.socket");
	NOTE(list_differ(a->policyd.listen, a->policyd.n_listen,
	    b->policyd.listen, b->policyd.n_listen), "policyd.listen");
	NOTE(a->policyd.max_connections != b->policyd.max_connections,
	    "policyd.max_connections");
	NOTE(a->policyd.session_ttl != b->policyd.session_ttl,
	    "policyd.session_ttl");
	NOTE(list_differ(a->tlspolicy.listen, a->tlspolicy.n_listen,
	    b->tlspolicy.listen, b->tlspolicy.n_listen), "tlspolicy.listen");
	NOTE(a->tlspolicy.mta_sts != b->tlspolicy.mta_sts ||
	    a->tlspolicy.mta_sts_port != b->tlspolicy.mta_sts_port ||
	    a->tlspolicy.mta_sts_timeout_ms != b->tlspolicy.mta_sts_timeout_ms ||
	    a->tlspolicy.mta_sts_cache_entries != b->tlspolicy.mta_sts_cache_entries,
	    "tlspolicy.mta_sts*");
	NOTE(str_differ(a->metrics.policyd_listen, b->metrics.policyd_listen),
	    "metrics.policyd_listen");
	NOTE(str_differ(a->metrics.milter_listen, b->metrics.milter_listen),
	    "metrics.milter_listen");
	NOTE(str_differ(a->daemon.user, b->daemon.user) ||
	    str_differ(a->daemon.group, b->daemon.group) ||
	    a->daemon.allow_root != b->daemon.allow_root, "daemon.*");
#undef NOTE
	return n;
}
