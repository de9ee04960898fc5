/*
 * check_smtp.c - the STARTTLS client behind "smtp2-check domain".
 *
 * Before TLS every reply is read against a deadline of its own, so a
 * server dripping one byte at a time cannot hold us longer than
 * CHECK_READ_TIMEOUT per reply; during TLS the socket's receive and send
 * timeouts bound each read and write.  Whatever the server says is kept
 * as printable ASCII only: it ends up on a terminal.
 */

/* System library. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Library. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* Application-specific. */
#include "check_smtp.h"

#define SMTP_LINE_MAX	1000	/* RFC 5321 4.5.3.1.5, CRLF included */
#define SMTP_LINES_MAX	100	/* lines in one reply */

struct smtp_conn {
	int	fd;
	char	buf[2 * SMTP_LINE_MAX];	/* read, not yet consumed */
	size_t	len;
};

/* smtp_printable - copy text keeping printable ASCII, '?' for the rest */
static void
smtp_printable(const char *in, size_t len, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

/* smtp_ms_left - milliseconds until deadline (a CLOCK_MONOTONIC time) */
static int
smtp_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

/* smtp_sockaddr - the target as a socket address */
static socklen_t
smtp_sockaddr(const struct check_smtp_target *t, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (t->addr->family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)t->port);
		memcpy(&s4->sin_addr, t->addr->raw, 4);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)t->port);
	memcpy(&s6->sin6_addr, t->addr->raw, 16);
	return sizeof(*s6);
}

/* smtp_connect - TCP connection within CHECK_CONNECT_TIMEOUT; then
 * blocking, with CHECK_READ_TIMEOUT on every read and write */
static int
smtp_connect(const struct check_smtp_target *t, char *why, size_t whylen)
{
	struct timeval tv = { .tv_sec = CHECK_READ_TIMEOUT };
	struct sockaddr_storage ss;
	struct pollfd pfd;
	socklen_t sl = smtp_sockaddr(t, &ss), el = sizeof(int);
	int fd, err = 0, n;

	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)
		err = errno;
	else {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		n = poll(&pfd, 1, CHECK_CONNECT_TIMEOUT * 1000);
		if (n == 0)
			err = ETIMEDOUT;
		else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
	}
	if (err == 0 && (fcntl(fd, F_SETFL, 0) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0))
		err = errno;
	if (err != 0) {
		snprintf(why, whylen, "connect to port %u: %s", t->port,
		    err == ETIMEDOUT ? "no answer within 10 s" : strerror(err));
		close(fd);
		return -1;
	}
	return fd;
}

/* smtp_getline - one line (CRLF or LF stripped) before deadline */
static int
smtp_getline(struct smtp_conn *c, const struct timespec *deadline,
    char *line, size_t linelen, char *why, size_t whylen)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char *nl;
	size_t n;
	ssize_t got;

	while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
		if (c->len >= SMTP_LINE_MAX) {
			snprintf(why, whylen, "reply line longer than %d octets",
			    SMTP_LINE_MAX);
			return -1;
		}
		if (poll(&pfd, 1, smtp_ms_left(deadline)) <= 0) {
			snprintf(why, whylen, "no complete reply within %d s",
			    CHECK_READ_TIMEOUT);
			return -1;
		}
		if ((got = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0)) <= 0) {
			snprintf(why, whylen, "%s", got == 0 ?
			    "connection closed by the server" : strerror(errno));
			return -1;
		}
		c->len += (size_t)got;
	}
	n = (size_t)(nl - c->buf);
	smtp_printable(c->buf, n > 0 && nl[-1] == '\r' ? n - 1 : n, line, linelen);
	c->len -= n + 1;
	memmove(c->buf, nl + 1, c->len);
	return 0;
}

/*
 * smtp_reply - read one reply; returns its code, or -1 with why.  first
 * (may be NULL) gets the first line; *starttls (may be NULL) is set when a
 * line advertises STARTTLS (an EHLO keyword, RFC 3207).
 */
static int
smtp_reply(struct smtp_conn *c, char *first, size_t firstlen, bool *starttls,
    char *why, size_t whylen)
{
	struct timespec deadline;
	char line[SMTP_LINE_MAX + 1];
	int i, code = -1;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += CHECK_READ_TIMEOUT;
	for (i = 0; i < SMTP_LINES_MAX; i++) {
		if (smtp_getline(c, &deadline, line, sizeof(line), why, whylen) < 0)
			return -1;
		if (strlen(line) < 3 || line[0] < '2' || line[0] > '5' ||
		    (line[3] != '\0' && line[3] != ' ' && line[3] != '-')) {
			snprintf(why, whylen, "not an SMTP reply: '%.60s'", line);
			return -1;
		}
		if (i == 0 && first != NULL)
			smtp_printable(line, strlen(line), first, firstlen);
		code = atoi(line);
		if (starttls != NULL && strncasecmp(line + 4, "STARTTLS", 8) == 0 &&
		    (line[12] == '\0' || line[12] == ' '))
			*starttls = true;
		if (line[3] != '-')
			return code;
	}
	snprintf(why, whylen, "reply of more than %d lines", SMTP_LINES_MAX);
	return -1;
}

/* smtp_send - one command line */
static int
smtp_send(struct smtp_conn *c, const char *cmd, char *why, size_t whylen)
{
	char line[SMTP_LINE_MAX];
	size_t n, off = 0;
	ssize_t w;

	n = (size_t)snprintf(line, sizeof(line), "%s\r\n", cmd);
	while (off < n) {
		if ((w = send(c->fd, line + off, n - off, MSG_NOSIGNAL)) < 0) {
			snprintf(why, whylen, "sending %.20s: %s", cmd, strerror(errno));
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* smtp_command - send cmd, read the reply, insist on code want */
static int
smtp_command(struct smtp_conn *c, const char *cmd, int want, bool *starttls,
    char *why, size_t whylen)
{
	char first[256];
	int code;

	if (smtp_send(c, cmd, why, whylen) < 0)
		return -1;
	if ((code = smtp_reply(c, first, sizeof(first), starttls, why, whylen)) < 0)
		return -1;
	if (code != want) {
		snprintf(why, whylen, "server answered '%s'", first);
		return -1;
	}
	return 0;
}

/* smtp_ssl_error - the OpenSSL error queue's first entry, or errno */
static void
smtp_ssl_error(SSL *ssl, int ret, char *why, size_t whylen)
{
	unsigned long e = ERR_peek_error();
	int se = SSL_get_error(ssl, ret);

	if (e != 0)
		ERR_error_string_n(e, why, whylen);
	else if (se == SSL_ERROR_SYSCALL && errno == EAGAIN)
		snprintf(why, whylen, "no answer within %d s", CHECK_READ_TIMEOUT);
	else if (se == SSL_ERROR_SYSCALL && errno != 0)
		snprintf(why, whylen, "%s", strerror(errno));
	else if (se == SSL_ERROR_SYSCALL || se == SSL_ERROR_ZERO_RETURN)
		snprintf(why, whylen, "connection closed by the server");
	else
		snprintf(why, whylen, "SSL error %d", se);
	ERR_clear_error();
}

/* smtp_keep_chain - the peer's certificates as DER, leaf first */
static void
smtp_keep_chain(SSL *ssl, struct check_smtp_session *s)
{
	STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
	X509 *x;
	unsigned char *p;
	int i, n;

	for (i = 0; sk != NULL && i < sk_X509_num(sk) && s->n_der < CHECK_CHAIN_MAX; i++) {
		x = sk_X509_value(sk, i);
		if ((n = i2d_X509(x, NULL)) <= 0 || (p = malloc((size_t)n)) == NULL)
			break;
		s->der[s->n_der] = p;
		s->der_len[s->n_der++] = (size_t)i2d_X509(x, &p);
	}
}

/* smtp_keep_ocsp - the OCSP response the server stapled, if any */
static void
smtp_keep_ocsp(SSL *ssl, struct check_smtp_session *s)
{
	const unsigned char *p;
	long	n;

	if ((n = SSL_get_tlsext_status_ocsp_resp(ssl, &p)) <= 0 || p == NULL)
		return;
	if ((s->ocsp = malloc((size_t)n)) == NULL)
		return;
	memcpy(s->ocsp, p, (size_t)n);
	s->ocsp_len = (size_t)n;
}

/* smtp_is_literal - an IPv4 or IPv6 address rather than a name? */
static bool
smtp_is_literal(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* smtp_tls - handshake on the connection; version, cipher and chain */
static int
smtp_tls(SSL_CTX *tls, const struct check_smtp_target *t, struct smtp_conn *c,
    struct check_smtp_session *s)
{
	SSL *ssl;
	int ret;

	if ((ssl = SSL_new(tls)) == NULL || SSL_set_fd(ssl, c->fd) != 1) {
		snprintf(s->error, sizeof(s->error), "TLS set-up failed");
		SSL_free(ssl);
		return -1;
	}
	/* SNI: the MX name; never an address literal (RFC 6066 3). */
	if (!smtp_is_literal(t->host))
		SSL_set_tlsext_host_name(ssl, t->host);
	/* Ask for a stapled OCSP response: revocation without a fetch. */
	SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
	ERR_clear_error();
	if ((ret = SSL_connect(ssl)) != 1) {
		smtp_ssl_error(ssl, ret, s->error, sizeof(s->error));
		SSL_free(ssl);
		return -1;
	}
	snprintf(s->version, sizeof(s->version), "%s", SSL_get_version(ssl));
	snprintf(s->cipher, sizeof(s->cipher), "%s", SSL_get_cipher_name(ssl));
	s->cipher_bits = SSL_get_cipher_bits(ssl, NULL);
	smtp_keep_chain(ssl, s);
	smtp_keep_ocsp(ssl, s);
	s->stage = CHECK_STAGE_DONE;
	/* A polite goodbye; its answer is not worth waiting for. */
	SSL_write(ssl, "QUIT\r\n", 6);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	return 0;
}

/* smtp_plain - banner, EHLO, STARTTLS; s->stage tells how far it got */
static int
smtp_plain(const struct check_smtp_target *t, struct smtp_conn *c,
    struct check_smtp_session *s)
{
	char ehlo[300], err[200];
	int code;

	s->stage = CHECK_STAGE_BANNER;
	if ((code = smtp_reply(c, s->banner, sizeof(s->banner), NULL, s->error,
	    sizeof(s->error))) < 0)
		return -1;
	if (code != 220) {
		snprintf(s->error, sizeof(s->error), "greeting is not 220: '%s'", s->banner);
		return -1;
	}
	s->stage = CHECK_STAGE_EHLO;
	snprintf(ehlo, sizeof(ehlo), "EHLO %s", t->helo);
	if (smtp_command(c, ehlo, 250, &s->starttls, s->error, sizeof(s->error)) < 0)
		return -1;
	s->stage = CHECK_STAGE_STARTTLS;
	if (!s->starttls) {
		snprintf(s->error, sizeof(s->error), "STARTTLS not offered in the EHLO reply");
		smtp_send(c, "QUIT", err, sizeof(err));
		return -1;
	}
	if (smtp_command(c, "STARTTLS", 220, NULL, s->error, sizeof(s->error)) < 0)
		return -1;
	/* Bytes after the 220 would be read as if inside TLS (CVE-2011-0411). */
	if (c->len > 0) {
		snprintf(s->error, sizeof(s->error), "server sent %zu octets after "
		    "its 220 to STARTTLS, before the handshake", c->len);
		return -1;
	}
	s->stage = CHECK_STAGE_HANDSHAKE;
	return 0;
}

/* check_smtp_run - connect, STARTTLS, handshake, chain */
void
check_smtp_run(SSL_CTX *tls, const struct check_smtp_target *t,
    struct check_smtp_session *s)
{
	struct smtp_conn c = { .fd = -1 };

	memset(s, 0, sizeof(*s));
	s->stage = CHECK_STAGE_CONNECT;
	if ((c.fd = smtp_connect(t, s->error, sizeof(s->error))) < 0)
		return;
	if (smtp_plain(t, &c, s) == 0)
		smtp_tls(tls, t, &c, s);
	close(c.fd);
}

/* check_smtp_session_free - the kept certificates and OCSP response */
void
check_smtp_session_free(struct check_smtp_session *s)
{
	size_t i;

	for (i = 0; i < s->n_der; i++)
		free(s->der[i]);
	s->n_der = 0;
	free(s->ocsp);
	s->ocsp = NULL;
	s->ocsp_len = 0;
}

/* check_smtp_tls_new - client context, optionally with our certificate */
SSL_CTX *
check_smtp_tls_new(const char *cert, const char *key, char *why, size_t whylen)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(why, whylen, "cannot make a TLS context");
		return NULL;
	}
	/* Let old servers through the handshake: the report flags them. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (cert == NULL)
		return ctx;
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		snprintf(why, whylen, "--cert %s: no usable PEM certificate", cert);
	else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		/* OpenSSL 3 compares the pair while loading the key already. */
		if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
			snprintf(why, whylen, "--key %s does not belong to --cert %s",
			    key, cert);
		else
			snprintf(why, whylen, "--key %s: no usable PEM private key", key);
	} else
		return ctx;
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}
