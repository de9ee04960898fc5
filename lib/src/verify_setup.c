/*
 * verify_setup.c - verification options as milter.conf sets them.
 *
 * Both daemons and smtp2-check turn the same configuration into the same
 * struct smtp2_verify_opts here, so their answers cannot drift apart.
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include <smtp2/conf.h>
#include <smtp2/verify.h>

#define SETUP_CERT_CACHE	4096	/* validated chains remembered */

struct smtp2_verify_setup {
	struct smtp2_verify_opts opts;
	struct smtp2_cert_store *store;		/* owned; NULL unless asked */
	struct smtp2_domain_cas *cas;		/* owned array */
	struct smtp2_cert_store **cas_store;	/* owned, one per entry or NULL */
	struct smtp2_cert_cache *cache;		/* owned; with the stores */
	size_t	n;
};

/* setup_store - a store for ca_file / ca_dir with the tls.* rules */
static struct smtp2_cert_store *
setup_store(const struct smtp2_conf *c, const char *ca_file, const char *ca_dir,
    char *why, size_t whylen)
{
	struct smtp2_cert_opts o = {
		.ca_file = ca_file,
		.ca_dir = ca_dir,
		.crl_file = c->tls.crl_file,
		.clock_skew = c->tls.clock_skew,
		.min_rsa_bits = c->tls.min_rsa_bits,
		.min_ec_bits = c->tls.min_ec_bits,
		.unknown = c->tls.revocation,
	};

	return smtp2_cert_store_new(&o, why, whylen);
}

/* setup_domain_cas - the per-domain CA pins, with stores when asked */
static int
setup_domain_cas(struct smtp2_verify_setup *s, const struct smtp2_conf *c,
    bool stores, char *why, size_t whylen)
{
	const struct smtp2_conf_domain_cas *d;
	char	err[256];
	size_t	i;

	s->n = c->tls.n_domain_cas;
	if (s->n == 0)
		return 0;
	if ((s->cas = calloc(s->n, sizeof(*s->cas))) == NULL ||
	    (s->cas_store = calloc(s->n, sizeof(*s->cas_store))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		d = &c->tls.domain_cas[i];
		s->cas[i].domain = d->domain;
		s->cas[i].issuers = (const char *const *)d->issuers;
		s->cas[i].n_issuers = d->n_issuers;
		if (!stores || d->ca_file == NULL)
			continue;
		if ((s->cas_store[i] = setup_store(c, d->ca_file, NULL, err,
		    sizeof(err))) == NULL) {
			snprintf(why, whylen, "tls.domain_cas %s: %s", d->domain, err);
			return -1;
		}
		s->cas[i].store = s->cas_store[i];
	}
	s->opts.domain_cas = s->cas;
	s->opts.n_domain_cas = s->n;
	return 0;
}

/* smtp2_verify_setup_new - see verify.h */
struct smtp2_verify_setup *
smtp2_verify_setup_new(const struct smtp2_conf *c, bool stores, char *why,
    size_t whylen)
{
	struct smtp2_verify_setup *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	s->opts.dnssec = c->dns.dnssec;
	if (stores && (s->store = setup_store(c, c->tls.ca_file, c->tls.ca_dir,
	    why, whylen)) == NULL) {
		smtp2_verify_setup_free(s);
		return NULL;
	}
	s->opts.store = s->store;
	/* Chains come back (each connection of a busy sender): remember. */
	if (stores && (s->cache = smtp2_cert_cache_new(SETUP_CERT_CACHE,
	    0)) == NULL) {
		snprintf(why, whylen, "out of memory");
		smtp2_verify_setup_free(s);
		return NULL;
	}
	s->opts.cert_cache = s->cache;
	if (setup_domain_cas(s, c, stores, why, whylen) < 0) {
		smtp2_verify_setup_free(s);
		return NULL;
	}
	return s;
}

/* smtp2_verify_setup_opts - the options to pass to smtp2_verify_with */
const struct smtp2_verify_opts *
smtp2_verify_setup_opts(const struct smtp2_verify_setup *s)
{
	return &s->opts;
}

/* smtp2_verify_setup_free - release the setup and the stores it made */
void
smtp2_verify_setup_free(struct smtp2_verify_setup *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; s->cas_store != NULL && i < s->n; i++)
		smtp2_cert_store_free(s->cas_store[i]);
	free(s->cas_store);
	free(s->cas);
	smtp2_cert_cache_free(s->cache);
	smtp2_cert_store_free(s->store);
	free(s);
}
