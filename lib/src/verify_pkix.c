/*
 * verify_pkix.c - proof by a trusted certificate's name.
 *
 * Trust is the MTA's word (Postfix and Sendmail verify the chain against
 * their CAs) or, when the whole chain is at hand, our own check against
 * the configured store.  The name must then be the domain, a host inside
 * the domain whose record applies, or a host the record delegates to with
 * hosts= (an outsourced provider's servers).
 */

/* System library. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Library. */
#include <openssl/x509v3.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_int.h"
#include "verify_int.h"

#define PKIX_NAMES_MAX	16	/* names of one certificate considered */

struct pkix_names {
	size_t	n;
	char	name[PKIX_NAMES_MAX][SMTP2_HOST_MAX + 1];
};

/* pkix_add - one presented name, lower case, final dot dropped */
static void
pkix_add(struct pkix_names *pn, const char *s, size_t len)
{
	size_t	i;

	if (pn->n == PKIX_NAMES_MAX || len == 0 || len > SMTP2_HOST_MAX)
		return;
	if (s[len - 1] == '.')
		len--;
	for (i = 0; i < len; i++)
		pn->name[pn->n][i] = (char)tolower((unsigned char)s[i]);
	pn->name[pn->n++][len] = '\0';
}

/* pkix_chain_names - dNSName SANs of the leaf, its CN when it has none */
static void
pkix_chain_names(const struct smtp2_chain *c, const char *cn,
    struct pkix_names *pn)
{
	GENERAL_NAMES *sans;
	const GENERAL_NAME *g;
	X509	*leaf;
	int	i;

	if (sk_X509_num(c->certs) < 1)
		return;
	leaf = sk_X509_value(c->certs, 0);
	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans); i++) {
		g = sk_GENERAL_NAME_value(sans, i);
		if (g->type == GEN_DNS)
			pkix_add(pn, (const char *)ASN1_STRING_get0_data(g->d.dNSName),
			    (size_t)ASN1_STRING_length(g->d.dNSName));
	}
	GENERAL_NAMES_free(sans);
	/* RFC 6125 6.4.4: the CN only when no dNSName is present. */
	if (pn->n == 0)
		pkix_add(pn, cn, strlen(cn));
}

/* pkix_within - is name (maybe "*.d") the domain or a host inside it? */
static bool
pkix_within(const char *name, const char *domain)
{
	size_t	nl, dl = strlen(domain);

	if (strncmp(name, "*.", 2) == 0)
		name += 2;		/* any host of that zone: inside if it is */
	nl = strlen(name);
	/* "evilbank.test" must not pass for "bank.test": whole labels. */
	return (strcmp(name, domain) == 0 ||
	    (nl > dl && name[nl - dl - 1] == '.' &&
	    strcmp(name + nl - dl, domain) == 0));
}

/* pkix_pinned_cas - the tls.domain_cas entry covering owner, or NULL */
static const struct smtp2_domain_cas *
pkix_pinned_cas(const struct smtp2_verify_opts *o, const char *owner)
{
	size_t	i;

	for (i = 0; i < o->n_domain_cas; i++)
		if (pkix_within(owner, o->domain_cas[i].domain))
			return (&o->domain_cas[i]);
	return (NULL);
}

/* pkix_issuer_listed - is the issuing CA one the domain is pinned to? */
static bool
pkix_issuer_listed(const struct smtp2_domain_cas *dc, const char *issuer,
    char *why, size_t whylen)
{
	size_t	i;

	for (i = 0; i < dc->n_issuers; i++)
		if (strcasecmp(dc->issuers[i], issuer) == 0)
			return (true);
	snprintf(why, whylen, "issuer '%.100s' is not among the CAs %s is "
	    "pinned to", issuer[0] ? issuer : "(unknown)", dc->domain);
	return (false);
}

/* pkix_chain_issuer - CN of the leaf's issuer, "" when it has none */
static void
pkix_chain_issuer(const struct smtp2_chain *c, char *cn, size_t len)
{
	X509_NAME *n;

	cn[0] = '\0';
	if (sk_X509_num(c->certs) < 1 ||
	    (n = X509_get_issuer_name(sk_X509_value(c->certs, 0))) == NULL ||
	    X509_NAME_get_text_by_NID(n, NID_commonName, cn, (int)len) < 0)
		cn[0] = '\0';
}

/* pkix_chain_trusted - our own verdict on a whole chain */
static bool
pkix_chain_trusted(const struct smtp2_verify_opts *o,
    const struct smtp2_domain_cas *dc, const struct smtp2_chain *chain,
    char *why, size_t whylen)
{
	const struct smtp2_cert_store *store = o->store;
	struct smtp2_cert_result r;
	char	issuer[256];

	if (dc != NULL && dc->store != NULL)
		store = dc->store;
	if (store == NULL) {
		snprintf(why, whylen, "no CA store to check the chain against");
		return (false);
	}
	smtp2_cert_verify_cached(o->cert_cache, store, chain, NULL, NULL, 0, &r);
	if (r.status != SMTP2_CERT_OK) {
		snprintf(why, whylen, "certificate not trusted: %.200s", r.reason);
		return (false);
	}
	if (dc == NULL || dc->store != NULL || dc->n_issuers == 0)
		return (true);
	pkix_chain_issuer(chain, issuer, sizeof(issuer));
	return (pkix_issuer_listed(dc, issuer, why, whylen));
}

/* pkix_trusted - the chain's or the MTA's verdict on trust for owner */
static bool
pkix_trusted(const struct smtp2_verify_opts *o, const char *owner,
    const struct smtp2_tls_facts *tls, char *why, size_t whylen)
{
	const struct smtp2_domain_cas *dc = pkix_pinned_cas(o, owner);

	if (tls->chain != NULL)
		return (pkix_chain_trusted(o, dc, tls->chain, why, whylen));
	if (!tls->cert_trusted) {
		snprintf(why, whylen, "certificate not trusted and no pin");
		return (false);
	}
	if (dc == NULL)
		return (true);
	/* The MTA verified the chain but names only the issuer. */
	if (dc->n_issuers == 0) {
		snprintf(why, whylen, "%s is pinned to CAs given as a file only, "
		    "and the MTA hands over no chain", dc->domain);
		return (false);
	}
	return (pkix_issuer_listed(dc, tls->issuer_cn, why, whylen));
}

/* verify_pkix - a trusted certificate named for the domain or delegated */
bool
verify_pkix(const struct smtp2_verify_opts *o, const char *owner,
    const struct smtp2_record *rec, const struct smtp2_tls_facts *tls,
    char *why, size_t whylen)
{
	struct pkix_names pn = { 0 };
	size_t	i, h;

	if (!pkix_trusted(o, owner, tls, why, whylen))
		return (false);
	if (tls->chain != NULL)
		pkix_chain_names(tls->chain, tls->subject_cn, &pn);
	else
		pkix_add(&pn, tls->subject_cn, strlen(tls->subject_cn));
	if (pn.n == 0) {
		snprintf(why, whylen, "trusted certificate carries no name");
		return (false);
	}
	for (i = 0; i < pn.n; i++) {
		if (pkix_within(pn.name[i], owner)) {
			snprintf(why, whylen, "trusted certificate names %s",
			    pn.name[i]);
			return (true);
		}
		for (h = 0; rec != NULL && h < rec->n_hosts; h++) {
			if (strcasecmp(rec->hosts[h], pn.name[i]) == 0 ||
			    smtp2_cert_name_match(rec->hosts[h], pn.name[i], false)) {
				snprintf(why, whylen, "trusted certificate names %s, "
				    "delegated by hosts=%s", pn.name[i], rec->hosts[h]);
				return (true);
			}
		}
	}
	snprintf(why, whylen, "certificate name %.100s is not in %s%s",
	    pn.name[0], owner, rec != NULL && rec->n_hosts > 0 ?
	    " nor delegated by hosts=" : "");
	return (false);
}
