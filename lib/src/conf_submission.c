/*
 * conf_submission.c - the submission group of milter.conf: what its
 * values must look like, and what is made of them at load time (trusted
 * networks in binary form, the rights maps in memory) so that a session
 * never reads a file nor parses a network.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include <smtp2/conf.h>
#include <smtp2/submit.h>
#include "conf_int.h"
#include "conf_submission.h"

/* smtp2_conf_check_port - a TCP port number, as {daemon_port} sends it */
int
smtp2_conf_check_port(const char *s, char *why, size_t whylen)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (s[0] >= '0' && s[0] <= '9' && *end == '\0' && v >= 1 && v <= 65535)
		return 0;
	snprintf(why, whylen, "'%s' is not a port number (1 to 65535)", s);
	return -1;
}

/* smtp2_conf_check_network - "address/prefix" or an address */
int
smtp2_conf_check_network(const char *s, char *why, size_t whylen)
{
	struct smtp2_submit_net n;

	return smtp2_submit_net_parse(s, &n, why, whylen);
}

/* smtp2_conf_check_token - a macro value: printable, no white space */
int
smtp2_conf_check_token(const char *s, char *why, size_t whylen)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f) {
			snprintf(why, whylen, "'%s' contains white space or"
			    " non-ASCII characters", s);
			return -1;
		}
	return 0;
}

/* smtp2_conf_check_fqdn - a host name of two or more labels */
int
smtp2_conf_check_fqdn(const char *s, char *why, size_t whylen)
{
	char scratch[SMTP2_SUBMIT_PATH_MAX];

	if (smtp2_submit_hostname_ok(s) &&
	    smtp2_submit_fqdn(s, NULL, scratch, sizeof(scratch), NULL, 0) == 0)
		return 0;
	snprintf(why, whylen, "'%s' is not a fully-qualified domain name", s);
	return -1;
}

/* parse_nets - trusted_networks into binary form */
static int
parse_nets(struct conf_load *ld, struct smtp2_conf *c, const config_t *cfg)
{
	char why[320];
	size_t i, n = c->submission.n_trusted_networks;

	if (n == 0)
		return 0;
	if ((c->submission.nets = calloc(n, sizeof(*c->submission.nets))) == NULL)
		return smtp2_conf_fail(ld, NULL, "out of memory");
	for (i = 0; i < n; i++)
		if (smtp2_submit_net_parse(c->submission.trusted_networks[i],
		    &c->submission.nets[i], why, sizeof(why)) < 0)
			return smtp2_conf_fail(ld, config_lookup(cfg,
			    "submission.trusted_networks"), "submission.trusted_networks: %s", why);
	c->submission.n_nets = n;
	return 0;
}

/* load_map - one rights file; its own FILE:LINE: on errors */
static int
load_map(struct conf_load *ld, const char *path, struct smtp2_submit_rights **out)
{
	if (path == NULL)
		return 0;
	if ((*out = smtp2_submit_rights_load(path, ld->why, ld->whylen)) == NULL)
		return -1;
	return 0;
}

/* smtp2_conf_submission - see conf_submission.h */
int
smtp2_conf_submission(struct conf_load *ld, struct smtp2_conf *c, const config_t *cfg)
{
	const config_setting_t *g = config_lookup(cfg, "submission");

	/* Rules with nothing to recognise a session by are a mistake. */
	if (g != NULL && config_setting_length(g) > 0 && c->submission.n_ports == 0
	    && c->submission.n_daemon_names == 0)
		return smtp2_conf_fail(ld, g, "submission: neither ports nor"
		    " daemon_names given: no session would ever be a submission");
	if (parse_nets(ld, c, cfg) < 0)
		return -1;
	if (load_map(ld, c->submission.rights, &c->submission.rights_map) < 0 ||
	    load_map(ld, c->submission.recipient_rights, &c->submission.rcpt_map) < 0)
		return -1;
	return 0;
}

/* list_free - n strings and the vector */
static void
list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* smtp2_conf_submission_free - see conf_submission.h */
void
smtp2_conf_submission_free(struct smtp2_conf *c)
{
	list_free(c->submission.ports, c->submission.n_ports);
	list_free(c->submission.daemon_names, c->submission.n_daemon_names);
	list_free(c->submission.trusted_networks, c->submission.n_trusted_networks);
	free(c->submission.expand_domain);
	free(c->submission.rights);
	free(c->submission.recipient_rights);
	free(c->submission.message_id_domain);
	free(c->submission.nets);
	smtp2_submit_rights_free(c->submission.rights_map);
	smtp2_submit_rights_free(c->submission.rcpt_map);
}
