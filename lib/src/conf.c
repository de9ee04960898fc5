/*
 * conf.c - read and check milter.conf.
 *
 * One declarative table (conf_keys) says every key's group, name, type,
 * default, bounds and home in struct smtp2_conf; a single driver walks the
 * parsed file against it, so unknown keys, wrong types and out-of-range
 * values are caught in one place with the file and line.  A second pass
 * (conf_morechecks) does what one key alone cannot: the trust anchors
 * needed by dns.dnssec, and the defaults computed from other keys or from
 * the host.  Value syntax checks are small functions the table points to.
 */

/* System library. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Utility library. */
#include <libconfig.h>

/* Application-specific. */
#include <smtp2/conf.h>
#include <smtp2/dns.h>
#include "conf_check.h"
#include "conf_int.h"
#include "conf_submission.h"
#include "metrics_int.h"

#define CONF_STR_MAX	4095		/* longest string value accepted */
#define CONF_NAME_MAX	32		/* longest name worth a suggestion */

enum conf_type {
	CONF_STR,			/* a string */
	CONF_PATH,			/* a file name; relative to milter.conf's directory */
	CONF_UINT,			/* an integer within min..max */
	CONF_ENUM,			/* one of the choices */
	CONF_BOOL,			/* true or false */
	CONF_LIST,			/* min..max strings; def NULL: empty */
	CONF_CUSTOM			/* parsed by its own function */
};

struct conf_choice {
	const char	*name;
	int		value;
};

typedef int (*conf_check_fn)(const char *value, char *why, size_t whylen);
typedef int (*conf_custom_fn)(struct conf_load *, struct smtp2_conf *,
    const config_setting_t *);

struct conf_key {
	const char	*group;
	const char	*name;
	enum conf_type	type;
	const char	*def;		/* STR, PATH, ENUM, LIST; NULL: computed */
	long long	def_num;	/* UINT, BOOL */
	long long	min, max;	/* UINT: value; LIST: entries */
	const struct conf_choice *choices;	/* ENUM */
	conf_check_fn	check;		/* STR, LIST entries; may be NULL */
	size_t		off;		/* where in struct smtp2_conf */
	size_t		n_off;		/* LIST: where the entry count goes */
	conf_custom_fn	custom;		/* CUSTOM */
};



static const struct conf_choice conf_dnssec_choices[] = {
	{ "required", SMTP2_DNSSEC_REQUIRED },
	{ "preferred", SMTP2_DNSSEC_PREFERRED },
	{ "off", SMTP2_DNSSEC_OFF },
	{ NULL, 0 }
};

static const struct conf_choice conf_mode_choices[] = {
	{ "permissive", SMTP2_MODE_PERMISSIVE },
	{ "tag", SMTP2_MODE_TAG },
	{ "enforce", SMTP2_MODE_ENFORCE },
	{ "strict", SMTP2_MODE_STRICT },
	{ NULL, 0 }
};

static const struct conf_choice conf_tls_source_choices[] = {
	{ "auto", SMTP2_TLS_SOURCE_AUTO },
	{ "policyd", SMTP2_TLS_SOURCE_POLICYD },
	{ "macros", SMTP2_TLS_SOURCE_MACROS },
	{ NULL, 0 }
};

static const struct conf_choice conf_revocation_choices[] = {
	{ "soft-fail", SMTP2_REVOCATION_SOFT_FAIL },
	{ "hard-fail", SMTP2_REVOCATION_HARD_FAIL },
	{ NULL, 0 }
};

static const struct conf_choice conf_practices_choices[] = {
	{ "tag", SMTP2_PRACTICES_TAG },
	{ "reject-on-discardable", SMTP2_PRACTICES_REJECT_DISCARDABLE },
	{ "reject-on-p=reject", SMTP2_PRACTICES_REJECT_P_REJECT },
	{ NULL, 0 }
};

static const struct conf_choice conf_rtls_multiple_choices[] = {
	{ "flag", SMTP2_RTLS_MULTIPLE_FLAG },
	{ "reject", SMTP2_RTLS_MULTIPLE_REJECT },
	{ NULL, 0 }
};

static const struct conf_choice conf_log_format_choices[] = {
	{ "text", SMTP2_LOG_TEXT },
	{ "json", SMTP2_LOG_JSON },
	{ NULL, 0 }
};

static const struct conf_choice conf_level_choices[] = {
	{ "err", SMTP2_LOG_ERR },
	{ "warning", SMTP2_LOG_WARNING },
	{ "notice", SMTP2_LOG_NOTICE },
	{ "info", SMTP2_LOG_INFO },
	{ "debug", SMTP2_LOG_DEBUG },
	{ NULL, 0 }
};

#define OFF(f)	offsetof(struct smtp2_conf, f)
#define STR(g, n, def, check, f) \
	{ g, n, CONF_STR, def, 0, 0, 0, NULL, check, OFF(f), 0, NULL }
#define PATH(g, n, def, f) \
	{ g, n, CONF_PATH, def, 0, 0, 0, NULL, NULL, OFF(f), 0, NULL }
#define UINT(g, n, def, min, max, f) \
	{ g, n, CONF_UINT, NULL, def, min, max, NULL, NULL, OFF(f), 0, NULL }
#define ENUM(g, n, def, choices, f) \
	{ g, n, CONF_ENUM, def, 0, 0, 0, choices, NULL, OFF(f), 0, NULL }
#define BOOL(g, n, def, f) \
	{ g, n, CONF_BOOL, NULL, def, 0, 1, NULL, NULL, OFF(f), 0, NULL }
#define CUSTOM(g, n, fn) \
	{ g, n, CONF_CUSTOM, NULL, 0, 0, 0, NULL, NULL, 0, 0, fn }
#define LIST(g, n, def, min, max, check, f, nf) \
	{ g, n, CONF_LIST, def, 0, min, max, NULL, check, OFF(f), OFF(nf), NULL }

/* Every key milter.conf knows; docs/milter.conf.5 describes each one. */
static const struct conf_key conf_keys[] = {
	LIST("dns", "resolvers", "127.0.0.1:53", 1, 16, smtp2_conf_check_resolver,
	    dns.resolvers, dns.n_resolvers),
	PATH("dns", "trust_anchors", "/usr/share/dns/root.ds", dns.trust_anchors),
	ENUM("dns", "dnssec", "required", conf_dnssec_choices, dns.dnssec),
	UINT("dns", "timeout_ms", 3000, 100, 60000, dns.timeout_ms),
	UINT("dns", "cache_entries", 10000, 0, 1000000, dns.cache_entries),
	UINT("dns", "max_queries", 64, 16, 4096, dns.max_queries),
	PATH("tls", "ca_file", "/etc/ssl/certs/ca-certificates.crt", tls.ca_file),
	PATH("tls", "ca_dir", NULL, tls.ca_dir),
	PATH("tls", "crl_file", NULL, tls.crl_file),
	UINT("tls", "clock_skew", 300, 0, 86400, tls.clock_skew),
	UINT("tls", "min_rsa_bits", 2048, 1024, 16384, tls.min_rsa_bits),
	UINT("tls", "min_ec_bits", 256, 224, 571, tls.min_ec_bits),
	ENUM("tls", "revocation", "soft-fail", conf_revocation_choices,
	    tls.revocation),
	CUSTOM("tls", "domain_cas", smtp2_conf_parse_domain_cas),
	ENUM("policy", "mode", "permissive", conf_mode_choices, policy.mode),
	STR("policy", "authserv_id", NULL, smtp2_conf_check_hostname, policy.authserv_id),
	STR("milter", "socket", "unix:/run/smtp2/milter.sock",
	    smtp2_conf_check_milter_socket, milter.socket),
	STR("milter", "policyd", NULL, smtp2_conf_check_spec, milter.policyd),
	ENUM("milter", "tls_source", "auto", conf_tls_source_choices,
	    milter.tls_source),
	UINT("milter", "policyd_timeout_ms", 2000, 100, 60000,
	    milter.policyd_timeout_ms),
	UINT("milter", "max_connections", 1024, 1, 65536, milter.max_connections),
	UINT("milter", "max_header_bytes", 131072, 32768, 16777216,
	    milter.max_header_bytes),
	LIST("policyd", "listen", "unix:/run/smtp2/policyd.sock", 1, 16,
	    smtp2_conf_check_spec, policyd.listen, policyd.n_listen),
	UINT("policyd", "max_connections", 512, 1, 65536, policyd.max_connections),
	UINT("policyd", "max_request", 16384, 4096, 1048576, policyd.max_request),
	UINT("policyd", "session_ttl", 3600, 10, 86400, policyd.session_ttl),
	BOOL("dkim", "verify", 1, dkim.verify),
	ENUM("dkim", "practices", "tag", conf_practices_choices, dkim.practices),
	LIST("dkim", "trusted_authserv_ids", NULL, 0, 16, smtp2_conf_check_hostname,
	    dkim.trusted_authserv_ids, dkim.n_trusted_authserv_ids),
	UINT("dkim", "min_rsa_bits", 1024, 1024, 16384, dkim.min_rsa_bits),
	UINT("dkim", "clock_skew", 300, 0, 86400, dkim.clock_skew),
	UINT("dkim", "key_cache_entries", 10000, 0, 1000000, dkim.key_cache_entries),
	BOOL("dkim", "forwarded", 1, dkim.forwarded),
	LIST("submission", "ports", NULL, 0, 16, smtp2_conf_check_port,
	    submission.ports, submission.n_ports),
	LIST("submission", "daemon_names", NULL, 0, 16, smtp2_conf_check_token,
	    submission.daemon_names, submission.n_daemon_names),
	BOOL("submission", "reject_improper", 1, submission.reject_improper),
	BOOL("submission", "require_fqdn", 1, submission.require_fqdn),
	STR("submission", "expand_domain", NULL, smtp2_conf_check_fqdn,
	    submission.expand_domain),
	BOOL("submission", "check_syntax", 1, submission.check_syntax),
	BOOL("submission", "require_auth", 1, submission.require_auth),
	LIST("submission", "trusted_networks", NULL, 0, 64, smtp2_conf_check_network,
	    submission.trusted_networks, submission.n_trusted_networks),
	BOOL("submission", "require_tls", 0, submission.require_tls),
	PATH("submission", "rights", NULL, submission.rights),
	PATH("submission", "recipient_rights", NULL, submission.recipient_rights),
	BOOL("submission", "check_message", 0, submission.check_message),
	BOOL("submission", "postmaster_no_auth", 0, submission.postmaster_no_auth),
	BOOL("submission", "add_date", 1, submission.add_date),
	BOOL("submission", "add_message_id", 1, submission.add_message_id),
	BOOL("submission", "add_sender", 0, submission.add_sender),
	STR("submission", "message_id_domain", NULL, smtp2_conf_check_fqdn,
	    submission.message_id_domain),
	UINT("submission", "log_rate", 60, 0, 100000, submission.log_rate),
	LIST("requiretls", "senders", NULL, 0, 1000, smtp2_requiretls_check_address,
	    requiretls.senders, requiretls.n_senders),
	LIST("requiretls", "recipients", NULL, 0, 1000, smtp2_requiretls_check_address,
	    requiretls.recipients, requiretls.n_recipients),
	LIST("requiretls", "domains", NULL, 0, 1000, smtp2_requiretls_check_domain,
	    requiretls.domains, requiretls.n_domains),
	STR("requiretls", "transport", "smtp2-tls", smtp2_requiretls_check_transport,
	    requiretls.transport),
	ENUM("requiretls", "multiple", "flag", conf_rtls_multiple_choices,
	    requiretls.multiple),
	LIST("tlspolicy", "listen", NULL, 0, 16, smtp2_conf_check_spec,
	    tlspolicy.listen, tlspolicy.n_listen),
	UINT("tlspolicy", "smtp_port", 25, 1, 65535, tlspolicy.smtp_port),
	BOOL("tlspolicy", "mta_sts", 1, tlspolicy.mta_sts),
	UINT("tlspolicy", "mta_sts_port", 443, 1, 65535, tlspolicy.mta_sts_port),
	UINT("tlspolicy", "mta_sts_timeout_ms", 10000, 100, 60000,
	    tlspolicy.mta_sts_timeout_ms),
	UINT("tlspolicy", "mta_sts_cache_entries", 1000, 1, 100000,
	    tlspolicy.mta_sts_cache_entries),
	STR("log", "to", "syslog", smtp2_conf_check_log_to, log.to),
	ENUM("log", "level", "info", conf_level_choices, log.level),
	ENUM("log", "format", "text", conf_log_format_choices, log.format),
	STR("metrics", "policyd_listen", NULL, smtp2_conf_check_metrics_listen,
	    metrics.policyd_listen),
	STR("metrics", "milter_listen", NULL, smtp2_conf_check_metrics_listen,
	    metrics.milter_listen),
	STR("daemon", "user", NULL, smtp2_conf_check_account, daemon.user),
	STR("daemon", "group", NULL, smtp2_conf_check_account, daemon.group),
	BOOL("daemon", "allow_root", 0, daemon.allow_root),
};

#define CONF_NKEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))

/* Enum fields are stored through an int: make sure they are one. */
_Static_assert(sizeof(enum smtp2_dnssec_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum smtp2_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum smtp2_tls_source) == sizeof(int), "enum size");
_Static_assert(sizeof(enum smtp2_log_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum smtp2_log_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum smtp2_revocation_stance) == sizeof(int), "enum size");
_Static_assert(sizeof(enum smtp2_practices_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum smtp2_rtls_multiple) == sizeof(int), "enum size");

/* smtp2_conf_fail - "FILE:LINE: what" into the caller's buffer; returns -1 */
int
smtp2_conf_fail(struct conf_load *ld, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = ld->file;
	unsigned line = 0;
	size_t n;
	int len;
	va_list ap;

	if (s != NULL) {
		line = config_setting_source_line(s);
		if (config_setting_source_file(s) != NULL)
			file = config_setting_source_file(s);
	}
	len = snprintf(ld->why, ld->whylen, "%s:%u: ", file, line);
	n = len < 0 ? 0 : (size_t)len;
	if (n >= ld->whylen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ld->why + n, ld->whylen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* conf_choices_text - "a, b, c" for an error message */
static const char *
conf_choices_text(const struct conf_choice *ch, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; ch->name != NULL && n < len; ch++)
		n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "", ch->name);
	return buf;
}

/* conf_choice_find - value of name among choices, or -1 */
static int
conf_choice_find(const struct conf_choice *ch, const char *name)
{
	for (; ch->name != NULL; ch++)
		if (strcmp(ch->name, name) == 0)
			return ch->value;
	return -1;
}

/* conf_distance - edit distance of two short names, for suggestions */
static size_t
conf_distance(const char *a, const char *b)
{
	size_t row[CONF_NAME_MAX + 1], i, j, diag, up, la = strlen(a), lb = strlen(b);

	if (la > CONF_NAME_MAX || lb > CONF_NAME_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

/* conf_suggest - " (did you mean 'x'?)" for a near miss, else "" */
static const char *
conf_suggest(const char *group, const char *name, char *buf, size_t len)
{
	const char *best = NULL, *best_group = NULL, *cand;
	size_t i, d, best_d = 3;

	for (i = 0; i < CONF_NKEYS; i++) {
		cand = group ? conf_keys[i].name : conf_keys[i].group;
		if (group != NULL && strcmp(conf_keys[i].group, group) != 0)
			continue;
		/* A key put outside its group: point at the group. */
		if (group == NULL && strcmp(conf_keys[i].name, name) == 0) {
			best = conf_keys[i].name;
			best_group = conf_keys[i].group;
			break;
		}
		d = conf_distance(name, cand);
		if (d < best_d && d < strlen(name)) {
			best_d = d;
			best = cand;
		}
	}
	if (best == NULL)
		return "";
	snprintf(buf, len, " (did you mean '%s%s%s'?)", best_group ? best_group : "",
	    best_group ? "." : "", best);
	return buf;
}

/* smtp2_conf_path - copy s; a relative path is taken from milter.conf's directory */
char *
smtp2_conf_path(const struct conf_load *ld, const char *s)
{
	char *p;
	size_t n;

	if (s[0] == '/' || ld == NULL || ld->dir == NULL)
		return strdup(s);
	n = strlen(ld->dir) + strlen(s) + 2;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/%s", ld->dir, s);
	return p;
}

/* conf_list_free - free a vector of n strings */
static void
conf_list_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* conf_store_str - replace the string field of k; takes ownership of s */
static void
conf_store_str(struct smtp2_conf *c, const struct conf_key *k, char *s)
{
	char **field = (char **)((char *)c + k->off);

	free(*field);
	*field = s;
}

/* conf_store_list - replace the list field of k; takes ownership of v */
static void
conf_store_list(struct smtp2_conf *c, const struct conf_key *k, char **v, size_t n)
{
	char ***field = (char ***)((char *)c + k->off);
	size_t *count = (size_t *)((char *)c + k->n_off);

	conf_list_free(*field, *count);
	*field = v;
	*count = n;
}

/* conf_store_int - set an enum field (all are int-sized, checked above) */
static void
conf_store_int(struct smtp2_conf *c, const struct conf_key *k, int v)
{
	memcpy((char *)c + k->off, &v, sizeof(v));
}

/* conf_set_default - give key k its table default; -1 when out of memory */
static int
conf_set_default(struct smtp2_conf *c, const struct conf_key *k)
{
	char **v;

	switch (k->type) {
	case CONF_UINT:
		*(unsigned *)((char *)c + k->off) = (unsigned)k->def_num;
		return 0;
	case CONF_ENUM:
		conf_store_int(c, k, conf_choice_find(k->choices, k->def));
		return 0;
	case CONF_BOOL:
		*(bool *)((char *)c + k->off) = k->def_num != 0;
		return 0;
	case CONF_CUSTOM:
		return 0;		/* absent means empty */
	case CONF_LIST:
		if (k->def == NULL)
			return 0;	/* an empty list */
		if ((v = calloc(1, sizeof(*v))) == NULL || (v[0] = strdup(k->def)) == NULL) {
			free(v);
			return -1;
		}
		conf_store_list(c, k, v, 1);
		return 0;
	default:
		if (k->def == NULL)
			return 0;	/* computed in conf_computed() */
		conf_store_str(c, k, strdup(k->def));
		return *(char **)((char *)c + k->off) == NULL ? -1 : 0;
	}
}

/* conf_default_hostname - this host's name for authserv_id */
static char *
conf_default_hostname(void)
{
	char name[HOST_NAME_MAX + 1];

	if (gethostname(name, sizeof(name)) != 0)
		return strdup("localhost");
	name[sizeof(name) - 1] = '\0';
	return strdup(name);
}

/* conf_computed - defaults that depend on other keys or on the host */
static int
conf_computed(struct smtp2_conf *c)
{
	if (c->policy.authserv_id == NULL
	    && (c->policy.authserv_id = conf_default_hostname()) == NULL)
		return -1;
	if (c->milter.policyd == NULL
	    && (c->milter.policyd = strdup(c->policyd.listen[0])) == NULL)
		return -1;
	return 0;
}

/* conf_new - a configuration holding the table defaults only */
static struct smtp2_conf *
conf_new(void)
{
	struct smtp2_conf *c;
	size_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	for (i = 0; i < CONF_NKEYS; i++)
		if (conf_set_default(c, &conf_keys[i]) < 0) {
			smtp2_conf_free(c);
			return NULL;
		}
	return c;
}

/* smtp2_conf_defaults - a configuration made of defaults only */
struct smtp2_conf *
smtp2_conf_defaults(void)
{
	struct smtp2_conf *c;

	if ((c = conf_new()) != NULL && conf_computed(c) < 0) {
		smtp2_conf_free(c);
		return NULL;
	}
	return c;
}

/* smtp2_conf_free - release a configuration and everything it owns */
void
smtp2_conf_free(struct smtp2_conf *c)
{
	if (c == NULL)
		return;
	free(c->path);
	conf_list_free(c->dns.resolvers, c->dns.n_resolvers);
	free(c->dns.trust_anchors);
	free(c->tls.ca_file);
	free(c->tls.ca_dir);
	free(c->tls.crl_file);
	smtp2_conf_domain_cas_free(c->tls.domain_cas, c->tls.n_domain_cas);
	free(c->policy.authserv_id);
	free(c->milter.socket);
	free(c->milter.policyd);
	conf_list_free(c->policyd.listen, c->policyd.n_listen);
	conf_list_free(c->dkim.trusted_authserv_ids, c->dkim.n_trusted_authserv_ids);
	smtp2_conf_submission_free(c);
	conf_list_free(c->requiretls.senders, c->requiretls.n_senders);
	conf_list_free(c->requiretls.recipients, c->requiretls.n_recipients);
	conf_list_free(c->requiretls.domains, c->requiretls.n_domains);
	free(c->requiretls.transport);
	conf_list_free(c->tlspolicy.listen, c->tlspolicy.n_listen);
	free(c->log.to);
	free(c->metrics.policyd_listen);
	free(c->metrics.milter_listen);
	free(c->daemon.user);
	free(c->daemon.group);
	free(c);
}

/* smtp2_log_level_name - "err", "warning", ... as milter.conf spells them */
const char *
smtp2_log_level_name(enum smtp2_log_level l)
{
	const struct conf_choice *ch;

	for (ch = conf_level_choices; ch->name != NULL; ch++)
		if (ch->value == (int)l)
			return ch->name;
	return "unknown";
}

/* smtp2_practices_mode_name - dkim.practices as milter.conf spells it */
const char *
smtp2_practices_mode_name(enum smtp2_practices_mode m)
{
	const struct conf_choice *ch;

	for (ch = conf_practices_choices; ch->name != NULL; ch++)
		if (ch->value == (int)m)
			return ch->name;
	return "unknown";
}

/* conf_get_string - the string value of s, checked; NULL after conf_fail */
static const char *
conf_get_string(struct conf_load *ld, const struct conf_key *k,
    const config_setting_t *s, const char *what)
{
	const char *v;
	char why[320];

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		smtp2_conf_fail(ld, s, "%s.%s: expected %s", k->group, k->name, what);
		return NULL;
	}
	v = config_setting_get_string(s);
	if (v[0] == '\0') {
		smtp2_conf_fail(ld, s, "%s.%s: empty value", k->group, k->name);
		return NULL;
	}
	if (strlen(v) > CONF_STR_MAX) {
		smtp2_conf_fail(ld, s, "%s.%s: longer than %d bytes", k->group, k->name,
		    CONF_STR_MAX);
		return NULL;
	}
	if (k->check != NULL && k->check(v, why, sizeof(why)) < 0) {
		smtp2_conf_fail(ld, s, "%s.%s: %s", k->group, k->name, why);
		return NULL;
	}
	return v;
}

/* conf_skip_lines - position fp at the start of line number line */
static int
conf_skip_lines(FILE *fp, unsigned line)
{
	int ch;

	while (line > 1 && (ch = getc(fp)) != EOF)
		if (ch == '\n')
			line--;
	return line > 1 ? -1 : 0;
}

/*
 * conf_int_literal - the integer as written on s's line.  libconfig 1.5
 * wraps literals past 32 bits without a word (4294967297 reads as 1), so
 * a huge value could pass the range check; the text tells the truth.
 */
static int
conf_int_literal(const config_setting_t *s, long long *v)
{
	const char *name = config_setting_name(s), *file = config_setting_source_file(s);
	char line[1024], *p, *end;
	size_t n = strlen(name);
	FILE *fp;
	int ok;

	if (file == NULL || (fp = fopen(file, "r")) == NULL)
		return -1;
	ok = conf_skip_lines(fp, config_setting_source_line(s)) == 0
	    && fgets(line, sizeof(line), fp) != NULL;
	fclose(fp);
	for (p = line; ok && (p = strstr(p, name)) != NULL; p += n) {
		if (p > line && (isalnum((unsigned char)p[-1]) || strchr("_-*", p[-1])))
			continue;
		end = p + n + strspn(p + n, " \t");
		if (*end != '=' && *end != ':')
			continue;
		end += 1 + strspn(end + 1, " \t");
		errno = 0;
		if (end[0] == '0' && (end[1] == 'x' || end[1] == 'X'))
			*v = strtoll(end, &p, 16);
		else
			*v = strtoll(end, &p, 10);
		if (errno == ERANGE)
			*v = *v < 0 ? LLONG_MIN : LLONG_MAX;
		return p == end ? -1 : 0;
	}
	return -1;
}

/* conf_apply_uint - an integer within the table's bounds */
static int
conf_apply_uint(struct conf_load *ld, struct smtp2_conf *c,
    const struct conf_key *k, const config_setting_t *s)
{
	long long v, written;

	if (config_setting_type(s) != CONFIG_TYPE_INT
	    && config_setting_type(s) != CONFIG_TYPE_INT64)
		return smtp2_conf_fail(ld, s, "%s.%s: expected an integer", k->group, k->name);
	v = config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT && conf_int_literal(s, &written) == 0
	    && written != v)
		v = written;	/* wrapped by libconfig: out of any range we have */
	if (v < k->min || v > k->max)
		return smtp2_conf_fail(ld, s, "%s.%s: %lld is out of range %lld..%lld",
		    k->group, k->name, v, k->min, k->max);
	*(unsigned *)((char *)c + k->off) = (unsigned)v;
	return 0;
}

/* conf_apply_bool - true or false, nothing else (not 0/1, not "yes") */
static int
conf_apply_bool(struct conf_load *ld, struct smtp2_conf *c,
    const struct conf_key *k, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return smtp2_conf_fail(ld, s, "%s.%s: expected true or false",
		    k->group, k->name);
	*(bool *)((char *)c + k->off) = config_setting_get_bool(s) != 0;
	return 0;
}

/* conf_apply_enum - a string among the table's choices */
static int
conf_apply_enum(struct conf_load *ld, struct smtp2_conf *c,
    const struct conf_key *k, const config_setting_t *s)
{
	const char *v;
	char names[160];
	int value;

	if ((v = conf_get_string(ld, k, s, "a string")) == NULL)
		return -1;
	if ((value = conf_choice_find(k->choices, v)) < 0)
		return smtp2_conf_fail(ld, s, "%s.%s: '%s' is not one of %s", k->group,
		    k->name, v, conf_choices_text(k->choices, names, sizeof(names)));
	conf_store_int(c, k, value);
	return 0;
}

/* conf_apply_str - a string or a path */
static int
conf_apply_str(struct conf_load *ld, struct smtp2_conf *c,
    const struct conf_key *k, const config_setting_t *s)
{
	const char *v;
	char *copy;

	if ((v = conf_get_string(ld, k, s, "a string")) == NULL)
		return -1;
	copy = k->type == CONF_PATH ? smtp2_conf_path(ld, v) : strdup(v);
	if (copy == NULL)
		return smtp2_conf_fail(ld, s, "out of memory");
	conf_store_str(c, k, copy);
	return 0;
}

/* conf_apply_list - [ "a", "b" ] or ( "a", "b" ), min..max entries */
static int
conf_apply_list(struct conf_load *ld, struct smtp2_conf *c,
    const struct conf_key *k, const config_setting_t *s)
{
	const config_setting_t *e;
	const char *v;
	char **vec;
	int i, n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY
	    && config_setting_type(s) != CONFIG_TYPE_LIST)
		return smtp2_conf_fail(ld, s, "%s.%s: expected a list of strings, [ \"...\" ]",
		    k->group, k->name);
	n = config_setting_length(s);
	if (n < k->min || n > k->max)
		return smtp2_conf_fail(ld, s, "%s.%s: %d entries; %lld to %lld expected",
		    k->group, k->name, n, k->min, k->max);
	if ((vec = calloc((size_t)n, sizeof(*vec))) == NULL)
		return smtp2_conf_fail(ld, s, "out of memory");
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if ((v = conf_get_string(ld, k, e, "a list of strings")) == NULL
		    || (vec[i] = strdup(v)) == NULL) {
			conf_list_free(vec, (size_t)n);
			return v == NULL ? -1 : smtp2_conf_fail(ld, s, "out of memory");
		}
	}
	conf_store_list(c, k, vec, (size_t)n);
	return 0;
}

/* conf_apply - check setting s against key k and store it */
static int
conf_apply(struct conf_load *ld, struct smtp2_conf *c,
    const struct conf_key *k, const config_setting_t *s)
{
	switch (k->type) {
	case CONF_UINT:
		return conf_apply_uint(ld, c, k, s);
	case CONF_ENUM:
		return conf_apply_enum(ld, c, k, s);
	case CONF_BOOL:
		return conf_apply_bool(ld, c, k, s);
	case CONF_LIST:
		return conf_apply_list(ld, c, k, s);
	case CONF_CUSTOM:
		return k->custom(ld, c, s);
	default:
		return conf_apply_str(ld, c, k, s);
	}
}

/* conf_key_find - the table entry for group.name, or NULL */
static const struct conf_key *
conf_key_find(const char *group, const char *name)
{
	size_t i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].group, group) == 0
		    && (name == NULL || strcmp(conf_keys[i].name, name) == 0))
			return &conf_keys[i];
	return NULL;
}

/* conf_walk_group - every setting of one group must be a known key */
static int
conf_walk_group(struct conf_load *ld, struct smtp2_conf *c,
    const config_setting_t *g)
{
	const config_setting_t *s;
	const struct conf_key *k;
	const char *group = config_setting_name(g);
	char hint[96];
	int i;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return smtp2_conf_fail(ld, g, "%s: expected a group, %s = { ... };", group, group);
	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		if ((k = conf_key_find(group, config_setting_name(s))) == NULL)
			return smtp2_conf_fail(ld, s, "unknown setting '%s.%s'%s", group,
			    config_setting_name(s), conf_suggest(group,
			    config_setting_name(s), hint, sizeof(hint)));
		if (conf_apply(ld, c, k, s) < 0)
			return -1;
	}
	return 0;
}

/* conf_walk - the table pass over the whole file */
static int
conf_walk(struct conf_load *ld, struct smtp2_conf *c, const config_t *cfg)
{
	const config_setting_t *root = config_root_setting(cfg), *g;
	char hint[96];
	int i;

	for (i = 0; i < config_setting_length(root); i++) {
		g = config_setting_get_elem(root, (unsigned)i);
		if (conf_key_find(config_setting_name(g), NULL) == NULL)
			return smtp2_conf_fail(ld, g, "unknown setting '%s'%s",
			    config_setting_name(g), conf_suggest(NULL,
			    config_setting_name(g), hint, sizeof(hint)));
		if (conf_walk_group(ld, c, g) < 0)
			return -1;
	}
	return 0;
}

/* conf_check_anchors - dnssec needs a trust-anchor file with DS/DNSKEY records */
static int
conf_check_anchors(struct conf_load *ld, const struct smtp2_conf *c,
    const config_t *cfg)
{
	const config_setting_t *s;
	const char *dflt = "";
	char why[320];
	int n;

	if (c->dns.dnssec == SMTP2_DNSSEC_OFF)
		return 0;
	if ((s = config_lookup(cfg, "dns.trust_anchors")) == NULL) {
		s = config_lookup(cfg, "dns.dnssec");
		dflt = " (the default; set dns.trust_anchors, or dns.dnssec = \"off\")";
	}
	n = smtp2_dns_count_anchors(c->dns.trust_anchors, why, sizeof(why));
	if (n < 0)
		return smtp2_conf_fail(ld, s, "dns.trust_anchors: %s%s", why, dflt);
	if (n == 0)
		return smtp2_conf_fail(ld, s, "dns.trust_anchors: no DS or DNSKEY record"
		    " in %s%s", c->dns.trust_anchors, dflt);
	return 0;
}

/* conf_morechecks - what one key alone cannot tell, after the table pass */
static int
conf_morechecks(struct conf_load *ld, struct smtp2_conf *c, const config_t *cfg)
{
	char why[320];
	bool own_id = c->policy.authserv_id != NULL;

	if (conf_computed(c) < 0)
		return smtp2_conf_fail(ld, NULL, "out of memory");
	if (!own_id && smtp2_conf_check_hostname(c->policy.authserv_id, why, sizeof(why)) < 0)
		return smtp2_conf_fail(ld, config_lookup(cfg, "policy"), "policy.authserv_id:"
		    " %s, from gethostname(); set policy.authserv_id", why);
	if (smtp2_conf_submission(ld, c, cfg) < 0)
		return -1;
	/* A group alone would drop nothing: say so rather than ignore it. */
	if (c->daemon.group != NULL && c->daemon.user == NULL)
		return smtp2_conf_fail(ld, config_lookup(cfg, "daemon.group"),
		    "daemon.group: set daemon.user too");
	return conf_check_anchors(ld, c, cfg);
}

/* conf_read - parse path with libconfig; -1 with FILE:LINE: text */
static int
conf_read(struct conf_load *ld, config_t *cfg, const char *path)
{
	struct stat st;
	int err;

	config_set_include_dir(cfg, ld->dir);
	errno = 0;
	if (config_read_file(cfg, path) == CONFIG_TRUE)
		return 0;
	err = errno;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
		/* fopen(3) works on a directory; the read then fails quietly. */
		if (err == 0)
			err = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : EIO;
		snprintf(ld->why, ld->whylen, "%s:0: cannot read: %s", path, strerror(err));
		return -1;
	}
	snprintf(ld->why, ld->whylen, "%s:%d: %s", config_error_file(cfg) ?
	    config_error_file(cfg) : path, config_error_line(cfg),
	    config_error_text(cfg));
	return -1;
}

/* conf_dir - milter.conf's directory, for relative paths and @include */
static char *
conf_dir(const char *path)
{
	char *real, *slash;

	if ((real = realpath(path, NULL)) == NULL && (real = strdup(path)) == NULL)
		return NULL;
	if ((slash = strrchr(real, '/')) == NULL) {
		free(real);
		return strdup(".");
	}
	slash[slash == real] = '\0';
	return real;
}

/* smtp2_conf_load - read, check and return a configuration snapshot */
struct smtp2_conf *
smtp2_conf_load(const char *path, char *why, size_t whylen)
{
	struct conf_load ld = { path, NULL, why, whylen };
	struct smtp2_conf *c;
	config_t cfg;
	int ok;

	if ((c = conf_new()) == NULL || (ld.dir = conf_dir(path)) == NULL
	    || (c->path = strdup(path)) == NULL) {
		snprintf(why, whylen, "%s:0: out of memory", path);
		smtp2_conf_free(c);
		return NULL;
	}
	config_init(&cfg);
	ok = conf_read(&ld, &cfg, path) == 0 && conf_walk(&ld, c, &cfg) == 0
	    && conf_morechecks(&ld, c, &cfg) == 0;
	config_destroy(&cfg);
	free(ld.dir);
	if (!ok) {
		smtp2_conf_free(c);
		return NULL;
	}
	return c;
}
