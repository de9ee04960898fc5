/*
 * conf_domain_cas.c - tls.domain_cas, per-domain CA pinning:
 *
 *	domain_cas = (
 *	    { domain = "bank.test"; issuers = [ "Bank Issuing CA 1" ];
 *	      ca_file = "bank-cas.pem"; }
 *	);
 *
 * A list of groups, which the key table of conf.c cannot describe; the
 * same rules hold: unknown keys and wrong types are errors with a line.
 */

/* System library. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/verify.h>
#include "conf_int.h"

#define CAS_MAX		256	/* pinned domains */
#define ISSUERS_MAX	16	/* issuer names per domain */

/* cas_string - a non-empty string setting, or an error */
static const char *
cas_string(struct conf_load *ld, const config_setting_t *s, const char *what)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    (v = config_setting_get_string(s))[0] == '\0') {
		smtp2_conf_fail(ld, s, "tls.domain_cas: %s: expected a non-empty "
		    "string", what);
		return NULL;
	}
	return v;
}

/* cas_issuers - issuers = [ "CN", ... ] */
static int
cas_issuers(struct conf_load *ld, const config_setting_t *s,
    struct smtp2_conf_domain_cas *d)
{
	const char *v;
	int	i, n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return smtp2_conf_fail(ld, s, "tls.domain_cas: issuers: expected "
		    "a list of strings, [ \"...\" ]");
	if ((n = config_setting_length(s)) < 1 || n > ISSUERS_MAX)
		return smtp2_conf_fail(ld, s, "tls.domain_cas: issuers: %d "
		    "entries; 1 to %d expected", n, ISSUERS_MAX);
	if ((d->issuers = calloc((size_t)n, sizeof(*d->issuers))) == NULL)
		return smtp2_conf_fail(ld, s, "out of memory");
	for (i = 0; i < n; i++) {
		if ((v = cas_string(ld, config_setting_get_elem(s, (unsigned)i),
		    "issuers")) == NULL)
			return -1;
		if ((d->issuers[d->n_issuers++] = strdup(v)) == NULL)
			return smtp2_conf_fail(ld, s, "out of memory");
	}
	return 0;
}

/* cas_member - one setting inside a { ... } entry */
static int
cas_member(struct conf_load *ld, const config_setting_t *m,
    struct smtp2_conf_domain_cas *d)
{
	const char *name = config_setting_name(m), *v;
	char	norm[SMTP2_DOMAIN_MAX + 1];

	if (strcmp(name, "issuers") == 0)
		return cas_issuers(ld, m, d);
	if (strcmp(name, "domain") != 0 && strcmp(name, "ca_file") != 0)
		return smtp2_conf_fail(ld, m, "unknown setting 'tls.domain_cas.%s' "
		    "(domain, issuers, ca_file)", name);
	if ((v = cas_string(ld, m, name)) == NULL)
		return -1;
	if (strcmp(name, "ca_file") == 0)
		return (d->ca_file = smtp2_conf_path(ld, v)) == NULL ?
		    smtp2_conf_fail(ld, m, "out of memory") : 0;
	if (smtp2_domain_normalise(v, norm, sizeof(norm)) < 0)
		return smtp2_conf_fail(ld, m, "tls.domain_cas: domain: '%s' is "
		    "not a domain name", v);
	return (d->domain = strdup(norm)) == NULL ?
	    smtp2_conf_fail(ld, m, "out of memory") : 0;
}

/* cas_entry - one { domain = ...; issuers = [...]; ca_file = ...; } */
static int
cas_entry(struct conf_load *ld, const config_setting_t *e,
    struct smtp2_conf_domain_cas *d)
{
	int	i;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP)
		return smtp2_conf_fail(ld, e, "tls.domain_cas: expected a group, "
		    "{ domain = \"...\"; issuers = [ ... ]; }");
	for (i = 0; i < config_setting_length(e); i++)
		if (cas_member(ld, config_setting_get_elem(e, (unsigned)i), d) < 0)
			return -1;
	if (d->domain == NULL)
		return smtp2_conf_fail(ld, e, "tls.domain_cas: entry without domain");
	if (d->n_issuers == 0 && d->ca_file == NULL)
		return smtp2_conf_fail(ld, e, "tls.domain_cas: %s: give issuers, "
		    "ca_file or both", d->domain);
	return 0;
}

/* smtp2_conf_parse_domain_cas - parse the whole list into c */
int
smtp2_conf_parse_domain_cas(struct conf_load *ld, struct smtp2_conf *c,
    const config_setting_t *s)
{
	struct smtp2_conf_domain_cas *d;
	size_t	i, j;
	int	n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return smtp2_conf_fail(ld, s, "tls.domain_cas: expected a list of "
		    "groups, ( { ... }, { ... } )");
	if ((n = config_setting_length(s)) > CAS_MAX)
		return smtp2_conf_fail(ld, s, "tls.domain_cas: more than %d "
		    "entries", CAS_MAX);
	if (n == 0)
		return 0;
	if ((d = calloc((size_t)n, sizeof(*d))) == NULL)
		return smtp2_conf_fail(ld, s, "out of memory");
	smtp2_conf_domain_cas_free(c->tls.domain_cas, c->tls.n_domain_cas);
	c->tls.domain_cas = d;
	c->tls.n_domain_cas = (size_t)n;
	for (i = 0; i < (size_t)n; i++) {
		if (cas_entry(ld, config_setting_get_elem(s, (unsigned)i), &d[i]) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(d[j].domain, d[i].domain) == 0)
				return smtp2_conf_fail(ld, config_setting_get_elem(s,
				    (unsigned)i), "tls.domain_cas: %s listed twice",
				    d[i].domain);
	}
	return 0;
}

/* smtp2_conf_domain_cas_free - release the list */
void
smtp2_conf_domain_cas_free(struct smtp2_conf_domain_cas *d, size_t n)
{
	size_t	i, j;

	for (i = 0; d != NULL && i < n; i++) {
		free(d[i].domain);
		free(d[i].ca_file);
		for (j = 0; j < d[i].n_issuers; j++)
			free(d[i].issuers[j]);
		free(d[i].issuers);
	}
	free(d);
}
