/*
 * tlspolicy_int.h - what tlspolicy.c (the decision) asks of
 * tlspolicy_dane.c (MX hosts and their TLSA sets).  Internal to libsmtp2.
 */
#ifndef SMTP2_TLSPOLICY_INT_H
#define SMTP2_TLSPOLICY_INT_H

#include <stddef.h>

#include <smtp2/dns.h>

/* What the MX hosts of a domain publish for DANE. */
enum tlspolicy_dane {
	TP_DANE_NONE = 0,	/* no host Postfix would use DANE with */
	TP_DANE_SOME,		/* some hosts: usable, secure TLSA */
	TP_DANE_ALL,		/* every host */
	TP_DANE_NOHOST,		/* no such domain, or a null MX */
	TP_DANE_TEMP		/* a lookup failed */
};

/*
 * tlspolicy_dane - look the MX set of domain up, then each host's address
 * and TLSA set at _port._tcp.host, as Postfix's DANE client would.
 * queries is incremented per lookup; why says what was found.
 */
enum tlspolicy_dane tlspolicy_dane(struct smtp2_dns *dns, const char *domain,
    unsigned port, unsigned *queries, char *why, size_t whylen);

#endif
