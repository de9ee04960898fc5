/*
 * conf_submission.h - milter.conf's submission group (RFC 6409): value
 * checks the key table points at, the pass that turns networks and map
 * files into their loaded form, and the matching free.  Internal to
 * libsmtp2.
 */
#ifndef SMTP2_CONF_SUBMISSION_H
#define SMTP2_CONF_SUBMISSION_H

#include <stddef.h>

#include <libconfig.h>

#include <smtp2/conf.h>
#include "conf_int.h"

/* Value checks: 0, or -1 with why. */
int smtp2_conf_check_port(const char *s, char *why, size_t whylen);
int smtp2_conf_check_network(const char *s, char *why, size_t whylen);
int smtp2_conf_check_token(const char *s, char *why, size_t whylen);
int smtp2_conf_check_fqdn(const char *s, char *why, size_t whylen);

/* smtp2_conf_submission - after the table pass: networks parsed, maps
 * loaded, the group's keys checked together.  -1 with FILE:LINE: why. */
int smtp2_conf_submission(struct conf_load *ld, struct smtp2_conf *c,
    const config_t *cfg);

/* smtp2_conf_submission_free - everything the submission group owns. */
void smtp2_conf_submission_free(struct smtp2_conf *c);

#endif
