/*
 * cert_util.c - times, names and OpenSSL errors turned into reason text.
 *
 * Every reason the certificate module writes reaches logs, SMTP replies
 * and Authentication-Results comments, so whatever comes out of a
 * certificate is reduced to printable ASCII on the way.
 */

/* System library. */
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Library. */
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/x509.h>

/* Application-specific. */
#include "cert_util.h"

/* smtp2_cert_time - ASN1_TIME to time_t, UTC */
int
smtp2_cert_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	/* ASN1_TIME_to_tm(NULL) would mean "now": never what we want. */
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return (-1);
	*out = timegm(&tm);
	return (0);
}

/* smtp2_cert_fmt_time - ISO-like UTC time */
void
smtp2_cert_fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (len == 0)
		return;
	if (gmtime_r(&t, &tm) == NULL
	    || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* smtp2_cert_fmt_span - the largest whole unit that fits */
void
smtp2_cert_fmt_span(long long secs, char *buf, size_t len)
{
	static const struct {
		long long	size;
		const char	*name;
	} units[] = {
		{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"},
	};
	size_t	i;
	long long n;

	if (secs < 0)
		secs = -secs;
	for (i = 0; i < sizeof(units) / sizeof(units[0]) - 1; i++)
		if (secs >= units[i].size)
			break;
	n = secs / units[i].size;
	snprintf(buf, len, "%lld %s%s", n, units[i].name, n == 1 ? "" : "s");
}

/* smtp2_cert_printable - copy, masking what a log must not carry */
void
smtp2_cert_printable(const char *in, size_t inlen, char *buf, size_t len)
{
	size_t	i;

	if (len == 0)
		return;
	for (i = 0; i < inlen && i < len - 1; i++)
		buf[i] = (in[i] >= 0x20 && in[i] <= 0x7e) ? in[i] : '?';
	buf[i] = '\0';
}

/* smtp2_cert_cn - last CN, printable ASCII only */
void
smtp2_cert_cn(const X509_NAME *n, char *buf, size_t len)
{
	const ASN1_STRING *data;
	unsigned char *utf8 = NULL;
	int	pos = -1, last = -1, ulen, i;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (n == NULL)
		return;
	while ((pos = X509_NAME_get_index_by_NID(n, NID_commonName, pos)) >= 0)
		last = pos;
	if (last < 0)
		return;
	data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, last));
	if ((ulen = ASN1_STRING_to_UTF8(&utf8, data)) < 0)
		return;
	/* A CN with control bytes or NULs is not a name we repeat. */
	for (i = 0; i < ulen; i++)
		if (utf8[i] < 0x20 || utf8[i] > 0x7e)
			break;
	if (i == ulen && (size_t)ulen < len) {
		memcpy(buf, utf8, (size_t)ulen);
		buf[ulen] = '\0';
	}
	OPENSSL_free(utf8);
}

/* smtp2_cert_label - "certificate" or 'CA certificate "Some CA"' */
void
smtp2_cert_label(const X509 *x, int depth, char *buf, size_t len)
{
	char	cn[96];

	if (depth == 0) {
		snprintf(buf, len, "certificate");
		return;
	}
	smtp2_cert_cn(X509_get_subject_name(x), cn, sizeof(cn));
	if (cn[0] != '\0')
		snprintf(buf, len, "CA certificate \"%s\"", cn);
	else
		snprintf(buf, len, "CA certificate at depth %d", depth);
}

/* smtp2_cert_ssl_error - newest OpenSSL error reason, queue emptied */
void
smtp2_cert_ssl_error(char *buf, size_t len)
{
	const char *text, *data = NULL;
	unsigned long e;
	int	flags = 0;

	e = ERR_peek_last_error_data(&data, &flags);
	text = e != 0 ? ERR_reason_error_string(e) : NULL;
	if (text == NULL)
		text = "unknown error";
	/* OCSP_basic_verify puts the interesting part ("Verify error:...")
	 * into the error's data. */
	if (data != NULL && *data != '\0' && (flags & ERR_TXT_STRING) != 0)
		snprintf(buf, len, "%s (%s)", text, data);
	else
		snprintf(buf, len, "%s", text);
	for (; len > 0 && *buf != '\0'; buf++)
		if (*buf < 0x20 || *buf > 0x7e)
			*buf = '?';
	ERR_clear_error();
}
