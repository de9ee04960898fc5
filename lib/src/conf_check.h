/*
 * conf_check.h - syntax checks of single milter.conf values: resolver
 * addresses, socket specs, host names, log destinations.  Internal to
 * libsmtp2 (conf.c's key table points at them); not installed.
 *
 * Each returns 0, or -1 with the reason in why.
 */
#ifndef SMTP2_CONF_CHECK_H
#define SMTP2_CONF_CHECK_H

#include <stddef.h>

int smtp2_conf_check_resolver(const char *s, char *why, size_t whylen);	/* IP or IP:PORT */
int smtp2_conf_check_spec(const char *s, char *why, size_t whylen);	/* inet:H:P, unix:/p */
int smtp2_conf_check_milter_socket(const char *s, char *why, size_t whylen);
int smtp2_conf_check_hostname(const char *s, char *why, size_t whylen);
int smtp2_conf_check_log_to(const char *s, char *why, size_t whylen);
int smtp2_conf_check_account(const char *s, char *why, size_t whylen);	/* user, group */

#endif
