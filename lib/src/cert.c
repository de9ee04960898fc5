/*
 * cert.c - the certificate store: CAs, CRLs and the operator's rules.
 *
 * ca_file contributes certificates only and crl_file CRLs only: a
 * certificate that strays into the CRL file must never become a trust
 * anchor.  Both are read through one open descriptor, so the CRL file's
 * mtime is that of the text actually loaded.
 */

/* System library. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/* Application-specific. */
#include <smtp2/cert.h>
#include "cert_int.h"
#include "cert_util.h"
#include "why.h"

#define CERT_DEFAULT_RSA_BITS	2048
#define CERT_DEFAULT_EC_BITS	256

static pthread_once_t cert_index_once = PTHREAD_ONCE_INIT;
static int cert_index = -1;
static atomic_uint_least64_t cert_serial;

/* cert_index_init - allocate the X509_STORE ex_data slot, once */
static void
cert_index_init(void)
{
	cert_index = X509_STORE_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* smtp2_cert_store_index - the slot, allocated on first use */
int
smtp2_cert_store_index(void)
{
	(void)pthread_once(&cert_index_once, cert_index_init);
	return (cert_index);
}

/* smtp2_cert_now - opts.now, or the real clock */
time_t
smtp2_cert_now(const struct smtp2_cert_store *s)
{
	if (s != NULL && s->opts.now != 0)
		return (s->opts.now);
	return (time(NULL));
}

/* cert_store_pem - add the certificates (or CRLs) of one PEM file; count */
static int
cert_store_pem(struct smtp2_cert_store *s, const char *what, const char *path,
    bool crls, char *why, size_t whylen)
{
	STACK_OF(X509_INFO) *infos;
	X509_INFO *info;
	struct stat st;
	FILE	*fp;
	BIO	*bio;
	char	err[128];
	int	i, n = 0, bad = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		smtp2_why(why, whylen, "%s %s: %s", what, path, strerror(errno));
		return (-1);
	}
	if (crls && fstat(fileno(fp), &st) == 0)
		s->crl_mtime = st.st_mtime;
	if ((bio = BIO_new_fp(fp, BIO_NOCLOSE)) == NULL) {
		fclose(fp);
		smtp2_why(why, whylen, "%s %s: out of memory", what, path);
		return (-1);
	}
	infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	BIO_free(bio);
	fclose(fp);
	if (infos == NULL) {
		smtp2_cert_ssl_error(err, sizeof(err));
		smtp2_why(why, whylen, "%s %s: not readable as PEM: %s", what, path, err);
		return (-1);
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		info = sk_X509_INFO_value(infos, i);
		if (!crls && info->x509 != NULL) {
			bad += (X509_STORE_add_cert(s->store, info->x509) != 1);
			n++;
		}
		if (crls && info->crl != NULL) {
			bad += (X509_STORE_add_crl(s->store, info->crl) != 1);
			n++;
		}
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	if (bad > 0) {
		smtp2_cert_ssl_error(err, sizeof(err));
		smtp2_why(why, whylen, "%s %s: cannot add to the store: %s", what, path, err);
		return (-1);
	}
	if (n == 0) {
		smtp2_why(why, whylen, "%s %s holds no %s", what, path,
		    crls ? "CRL" : "certificate");
		return (-1);
	}
	return (0);
}

/* cert_store_dir - add an OpenSSL hashed directory (read lazily) */
static int
cert_store_dir(struct smtp2_cert_store *s, const char *dir, char *why,
    size_t whylen)
{
	struct stat st;
	char	err[128];

	if (stat(dir, &st) < 0) {
		smtp2_why(why, whylen, "ca_dir %s: %s", dir, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		smtp2_why(why, whylen, "ca_dir %s: not a directory", dir);
		return (-1);
	}
	if (X509_STORE_load_path(s->store, dir) != 1) {
		smtp2_cert_ssl_error(err, sizeof(err));
		smtp2_why(why, whylen, "ca_dir %s: %s", dir, err);
		return (-1);
	}
	return (0);
}

/* cert_store_params - clock, partial chains, callback, back pointer */
static int
cert_store_params(struct smtp2_cert_store *s)
{
	X509_VERIFY_PARAM *param = X509_STORE_get0_param(s->store);
	int	idx = smtp2_cert_store_index();

	/*
	 * Set here, on the store, because OCSP_basic_verify builds its own
	 * context from the store: the responder's certificate is then judged
	 * at the same time and with the same skew as the chain.  A CA the
	 * operator lists is an anchor even when not self-signed (pinning an
	 * intermediate in tls.domain_cas).
	 */
	if (s->opts.now != 0)
		X509_VERIFY_PARAM_set_time(param, s->opts.now);
	if (X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN) != 1
	    || idx < 0 || X509_STORE_set_ex_data(s->store, idx, s) != 1)
		return (-1);
	X509_STORE_set_verify_cb(s->store, smtp2_cert_verify_cb);
	return (0);
}

/* cert_store_desc - "ca_file X", "ca_dir Y" or both, for reasons */
static void
cert_store_desc(struct smtp2_cert_store *s, const struct smtp2_cert_opts *o)
{
	if (o->ca_file != NULL && o->ca_dir != NULL)
		snprintf(s->ca_desc, sizeof(s->ca_desc), "ca_file %s and ca_dir %s",
		    o->ca_file, o->ca_dir);
	else if (o->ca_file != NULL)
		snprintf(s->ca_desc, sizeof(s->ca_desc), "ca_file %s", o->ca_file);
	else
		snprintf(s->ca_desc, sizeof(s->ca_desc), "ca_dir %s", o->ca_dir);
}

/* smtp2_cert_store_new - load CAs and CRLs, fix the rules */
struct smtp2_cert_store *
smtp2_cert_store_new(const struct smtp2_cert_opts *o, char *why, size_t whylen)
{
	struct smtp2_cert_store *s;

	if (o == NULL || (o->ca_file == NULL && o->ca_dir == NULL)) {
		smtp2_why(why, whylen, "no CAs: neither ca_file nor ca_dir is set");
		return (NULL);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL
	    || (s->store = X509_STORE_new()) == NULL) {
		free(s);
		smtp2_why(why, whylen, "certificate store: out of memory");
		return (NULL);
	}
	s->opts = *o;
	s->opts.ca_file = s->opts.ca_dir = s->opts.crl_file = NULL;
	if (s->opts.min_rsa_bits == 0)
		s->opts.min_rsa_bits = CERT_DEFAULT_RSA_BITS;
	if (s->opts.min_ec_bits == 0)
		s->opts.min_ec_bits = CERT_DEFAULT_EC_BITS;
	s->have_crl = (o->crl_file != NULL);
	s->serial = atomic_fetch_add(&cert_serial, 1) + 1;
	cert_store_desc(s, o);

	if ((o->ca_file != NULL
	    && cert_store_pem(s, "ca_file", o->ca_file, false, why, whylen) < 0)
	    || (o->ca_dir != NULL && cert_store_dir(s, o->ca_dir, why, whylen) < 0)
	    || (o->crl_file != NULL
	    && cert_store_pem(s, "crl_file", o->crl_file, true, why, whylen) < 0))
		goto fail;
	if (cert_store_params(s) < 0) {
		smtp2_why(why, whylen, "certificate store: out of memory");
		goto fail;
	}
	ERR_clear_error();
	return (s);

fail:
	smtp2_cert_store_free(s);
	ERR_clear_error();
	return (NULL);
}

/* smtp2_cert_store_free - release CAs and CRLs */
void
smtp2_cert_store_free(struct smtp2_cert_store *s)
{
	if (s == NULL)
		return;
	X509_STORE_free(s->store);
	free(s);
}

/* smtp2_cert_status_name - short lower-case name for logs */
const char *
smtp2_cert_status_name(enum smtp2_cert_status st)
{
	switch (st) {
	case SMTP2_CERT_OK:
		return ("ok");
	case SMTP2_CERT_UNTRUSTED:
		return ("untrusted");
	case SMTP2_CERT_EXPIRED:
		return ("expired");
	case SMTP2_CERT_NOT_YET_VALID:
		return ("not-yet-valid");
	case SMTP2_CERT_REVOKED:
		return ("revoked");
	case SMTP2_CERT_REVOCATION_UNKNOWN:
		return ("revocation-unknown");
	case SMTP2_CERT_WEAK_KEY:
		return ("weak-key");
	case SMTP2_CERT_WEAK_SIGNATURE:
		return ("weak-signature");
	case SMTP2_CERT_NAME_MISMATCH:
		return ("name-mismatch");
	case SMTP2_CERT_ERROR:
		return ("error");
	}
	return ("unknown");
}
