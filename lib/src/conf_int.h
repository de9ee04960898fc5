/*
 * conf_int.h - what conf.c shares with the parsers of its compound keys
 * (conf_domain_cas.c).  Internal to libsmtp2.
 */
#ifndef SMTP2_CONF_INT_H
#define SMTP2_CONF_INT_H

#include <stddef.h>

#include <libconfig.h>

#include <smtp2/conf.h>

/* What one load needs to name errors and resolve relative paths. */
struct conf_load {
	const char	*file;
	char		*dir;		/* milter.conf's directory, absolute if possible */
	char		*why;
	size_t		whylen;
};

/* smtp2_conf_fail - "FILE:LINE: what" (line of s) into the load's reason
 * buffer; always returns -1. */
int smtp2_conf_fail(struct conf_load *ld, const config_setting_t *s,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* smtp2_conf_path - a copy of s, relative to milter.conf's directory
 * unless absolute; NULL when out of memory.  Caller frees. */
char *smtp2_conf_path(const struct conf_load *ld, const char *s);

/* tls.domain_cas = ( { domain = "..."; ca_file = "..."; issuers = [...]; } ) */
int smtp2_conf_parse_domain_cas(struct conf_load *ld, struct smtp2_conf *c,
    const config_setting_t *s);
void smtp2_conf_domain_cas_free(struct smtp2_conf_domain_cas *d, size_t n);

#endif
