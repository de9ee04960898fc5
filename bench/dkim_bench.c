/*
 * dkim_bench.c - DKIM verifications per second and MB/s, smtp2 beside
 * libopendkim, on the same opendkim-signed corpus, in one process.
 *
 *   dkim_bench CORPUS_DIR [ROUNDS [MIN_SECONDS]]
 *
 * CORPUS_DIR is what bench/dkim_corpus.sh writes: corpus.list ("SIZE
 * FILE" lines, a size bucket and a message), keys.txt ("<s>._domainkey.<d>
 * record" lines).  Every message is first verified once by each side and
 * must pass there; then, bucket by bucket, each side verifies every
 * message of the bucket ROUNDS times (default 10), again and again until
 * MIN_SECONDS (default 0.5) have passed.
 *
 * Both sides get the same input, split once beforehand: the header fields
 * one by one, end of header, the body in 65535-byte chunks (the largest
 * body chunk a milter is handed), end of message.  Neither does DNS:
 * smtp2 asks a resolver at a closed loopback port whose cache already
 * holds the key records (a warm resolver cache), opendkim gets the same
 * records from memory through its key lookup callback.  Each keeps what a
 * daemon keeps across messages: smtp2 its cache of parsed keys, opendkim
 * its library handle.  MB are 10^6 bytes of whole message.  Ratios are
 * printed, never asserted; a verification that does not pass is an error
 * (exit 1).
 */

/* System library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

/* Library. */
#include <openssl/crypto.h>
#include <opendkim/dkim.h>

/* Application-specific. */
#include <smtp2/dkim_verify.h>
#include <smtp2/dns.h>

#define BENCH_CHUNK	65535		/* libmilter's MILTER_CHUNK_SIZE */
#define BENCH_BUCKETS	16
#define BENCH_TXT_MAX	4096		/* one key record */

/* One header field as it appeared, folds included, no final line end. */
struct field {
	char		*p;
	size_t		len;
};

struct msg {
	char		path[512];
	char		bucket[16];
	char		*text;		/* the whole file */
	size_t		size;
	struct field	*fields;
	size_t		n_fields;
	const unsigned char *body;
	size_t		body_len;
};

struct keyrec {
	char		name[300];	/* <s>._domainkey.<d>, lower case */
	char		txt[BENCH_TXT_MAX];
};

struct corpus {
	struct msg	*m;
	size_t		n;
	struct keyrec	*k;
	size_t		n_keys;
};

/* What one side needs across messages. */
struct side_smtp2 {
	struct smtp2_dns_cache *cache;
	struct smtp2_dns *dns;
	struct smtp2_dkim_keys *keys;
};

struct side_odkim {
	DKIM_LIB	*lib;
	struct corpus	*corpus;	/* the key records */
};

/* Verify one message: 0 when it passed, else -1 with why. */
typedef int (*verify_fn)(void *side, const struct msg *m, char *why,
    size_t whylen);

/* Time spent on one bucket by one side. */
struct tally {
	unsigned long	msgs;		/* verifications */
	unsigned long	passes;		/* times through the bucket */
	double		secs;
};

/* bench_now - monotonic seconds */
static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* read_file - a whole file, NUL-terminated; NULL when unreadable */
static char *
read_file(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	long	n;

	if ((fp = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0
	    && fseek(fp, 0, SEEK_SET) == 0
	    && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(fp);
	return (buf);
}

/* line_end - length of the line end at p (CRLF or LF), 0 when none */
static size_t
line_end(const char *p, const char *end)
{
	if (p < end && *p == '\n')
		return (1);
	if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
		return (2);
	return (0);
}

/*
 * msg_split - header fields and body of m->text.  A field runs to the
 * line end not followed by a blank; the header ends at an empty line.
 */
static int
msg_split(struct msg *m)
{
	char	*p = m->text, *end = m->text + m->size, *start;
	size_t	cap = 0, e;

	while (p < end && (e = line_end(p, end)) == 0) {
		for (start = p; p < end; p++)
			if ((e = line_end(p, end)) != 0
			    && (p + e >= end || (p[e] != ' ' && p[e] != '\t')))
				break;
		if (m->n_fields == cap) {
			cap = cap ? cap * 2 : 32;
			m->fields = realloc(m->fields, cap * sizeof(*m->fields));
			if (m->fields == NULL)
				return (-1);
		}
		m->fields[m->n_fields].p = start;
		m->fields[m->n_fields++].len = (size_t)(p - start);
		p += e;
	}
	if (p < end)
		p += line_end(p, end);		/* the empty line */
	m->body = (const unsigned char *)p;
	m->body_len = (size_t)(end - p);
	return (m->n_fields > 0 ? 0 : -1);
}

/* keys_load - keys.txt: name, one blank, the record */
static int
keys_load(struct corpus *c, const char *dir)
{
	char	path[600], line[BENCH_TXT_MAX + 320], *sp;
	FILE	*fp;
	struct keyrec *k;

	snprintf(path, sizeof(path), "%s/keys.txt", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((sp = strchr(line, ' ')) == NULL
		    || (size_t)(sp - line) >= sizeof(k->name))
			continue;
		if ((k = realloc(c->k, (c->n_keys + 1) * sizeof(*k))) == NULL)
			break;
		c->k = k;
		k += c->n_keys++;
		snprintf(k->name, sizeof(k->name), "%.*s", (int)(sp - line), line);
		snprintf(k->txt, sizeof(k->txt), "%s", sp + 1);
	}
	fclose(fp);
	return (c->n_keys > 0 ? 0 : -1);
}

/* corpus_load - every message of corpus.list, read and split */
static int
corpus_load(struct corpus *c, const char *dir)
{
	char	path[600], line[600], bucket[16], file[400];
	FILE	*fp;
	struct msg *m;
	int	rc = 0;

	snprintf(path, sizeof(path), "%s/corpus.list", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%15s %399s", bucket, file) != 2)
			continue;
		if ((m = realloc(c->m, (c->n + 1) * sizeof(*m))) == NULL) {
			rc = -1;
			break;
		}
		c->m = m;
		m += c->n++;
		memset(m, 0, sizeof(*m));
		snprintf(m->path, sizeof(m->path), "%s/%s", dir, file);
		snprintf(m->bucket, sizeof(m->bucket), "%s", bucket);
		if ((m->text = read_file(m->path, &m->size)) == NULL
		    || msg_split(m) < 0) {
			fprintf(stderr, "dkim_bench: %s: unreadable message\n", m->path);
			rc = -1;
		}
	}
	fclose(fp);
	if (rc < 0 || c->n == 0 || keys_load(c, dir) < 0)
		return (-1);
	return (0);
}

/* corpus_free - everything corpus_load made */
static void
corpus_free(struct corpus *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		free(c->m[i].text);
		free(c->m[i].fields);
	}
	free(c->m);
	free(c->k);
}

/* txt_rdata - a TXT record's wire rdata: strings of at most 255 bytes */
static size_t
txt_rdata(const char *txt, unsigned char *out, size_t cap)
{
	size_t	len = strlen(txt), n = 0, piece;

	while (len > 0) {
		piece = len > 255 ? 255 : len;
		if (n + 1 + piece > cap)
			return (0);
		out[n++] = (unsigned char)piece;
		memcpy(out + n, txt, piece);
		n += piece;
		txt += piece;
		len -= piece;
	}
	return (n);
}

/*
 * smtp2_setup - resolver at a closed loopback port, its cache holding
 * every key record (a lookup that missed would fail, not leave the host)
 */
static int
smtp2_setup(struct side_smtp2 *s, const struct corpus *c)
{
	static const char *const dead[1] = { "127.0.0.1:1" };
	struct smtp2_dns_opts o;
	struct smtp2_dns_answer a;
	struct smtp2_dns_rr rr;
	unsigned char rdata[BENCH_TXT_MAX + 32];
	char	why[256];
	size_t	i;

	memset(&o, 0, sizeof(o));
	o.resolvers = dead;
	o.n_resolvers = 1;
	o.dnssec = SMTP2_DNSSEC_OFF;
	o.timeout_ms = 200;
	if ((o.cache = s->cache = smtp2_dns_cache_new(64, 86400)) == NULL
	    || (s->keys = smtp2_dkim_keys_new(64, 86400)) == NULL)
		return (-1);
	for (i = 0; i < c->n_keys; i++) {
		memset(&a, 0, sizeof(a));
		a.status = SMTP2_DNS_OK;
		a.dnssec = SMTP2_DNSSEC_INSECURE;
		a.ttl = 86400;
		a.n = 1;
		a.rr = &rr;
		rr.rdata = rdata;
		if ((rr.len = txt_rdata(c->k[i].txt, rdata, sizeof(rdata))) == 0
		    || smtp2_dns_cache_put(s->cache, c->k[i].name,
		    SMTP2_DNS_T_TXT, &a) < 0)
			return (-1);
	}
	if ((s->dns = smtp2_dns_new(&o, why, sizeof(why))) == NULL) {
		fprintf(stderr, "dkim_bench: smtp2_dns_new: %s\n", why);
		return (-1);
	}
	return (0);
}

/* verify_smtp2 - one message through smtp2_dkimv_*; every signature passes */
static int
verify_smtp2(void *side, const struct msg *m, char *why, size_t whylen)
{
	struct side_smtp2 *s = side;
	struct smtp2_dkimv_opts o;
	const struct smtp2_dkimv_sig *sigs;
	struct smtp2_dkimv *v;
	size_t	i, n, chunk;
	int	rc = 0;

	memset(&o, 0, sizeof(o));
	o.dns = s->dns;
	o.keys = s->keys;
	if ((v = smtp2_dkimv_new(&o)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return (-1);
	}
	for (i = 0; i < m->n_fields; i++)
		smtp2_dkimv_header(v, m->fields[i].p, m->fields[i].len);
	smtp2_dkimv_eoh(v);
	for (i = 0; i < m->body_len; i += chunk) {
		chunk = m->body_len - i < BENCH_CHUNK ? m->body_len - i : BENCH_CHUNK;
		smtp2_dkimv_body(v, m->body + i, chunk);
	}
	if ((n = smtp2_dkimv_eom(v, &sigs)) == 0) {
		snprintf(why, whylen, "no signature seen");
		rc = -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		if (sigs[i].result != SMTP2_DKIMV_PASS) {
			snprintf(why, whylen, "dkim=%s (%s)",
			    smtp2_dkimv_result_name(sigs[i].result), sigs[i].why);
			rc = -1;
		}
	smtp2_dkimv_free(v);
	return (rc);
}

/* odkim_key - opendkim's key lookup: the record from memory */
static DKIM_CBSTAT
odkim_key(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	const struct corpus *c = dkim_get_user_context(dkim);
	char	name[300];
	size_t	i;

	snprintf(name, sizeof(name), "%s._domainkey.%s",
	    (const char *)dkim_sig_getselector(sig),
	    (const char *)dkim_sig_getdomain(sig));
	for (i = 0; i < c->n_keys; i++)
		if (strcasecmp(name, c->k[i].name) == 0) {
			if (strlen(c->k[i].txt) >= buflen)
				return (DKIM_CBSTAT_ERROR);
			memcpy(buf, c->k[i].txt, strlen(c->k[i].txt) + 1);
			return (DKIM_CBSTAT_CONTINUE);
		}
	return (DKIM_CBSTAT_NOTFOUND);
}

/* odkim_setup - one library handle for the run, keys through odkim_key */
static int
odkim_setup(struct side_odkim *o, struct corpus *c)
{
	o->corpus = c;
	if ((o->lib = dkim_init(NULL, NULL)) == NULL
	    || dkim_set_key_lookup(o->lib, odkim_key) != DKIM_STAT_OK)
		return (-1);
	return (0);
}

/* odkim_verdict - 0 when opendkim's first signature passed */
static int
odkim_verdict(DKIM *dkim, DKIM_STAT st, char *why, size_t whylen)
{
	DKIM_SIGINFO *sig = dkim_getsignature(dkim);

	if (st == DKIM_STAT_OK && sig != NULL && DKIM_SIG_CHECK(sig))
		return (0);
	snprintf(why, whylen, "%s%s%s", dkim_getresultstr(st),
	    sig != NULL ? ": " : "",
	    sig != NULL ? dkim_sig_geterrorstr(dkim_sig_geterror(sig)) : "");
	return (-1);
}

/* verify_odkim - one message through libopendkim's per-message API */
static int
verify_odkim(void *side, const struct msg *m, char *why, size_t whylen)
{
	struct side_odkim *o = side;
	DKIM	*dkim;
	DKIM_STAT st;
	size_t	i, chunk;
	int	rc;

	if ((dkim = dkim_verify(o->lib, (const u_char *)"dkim_bench", NULL,
	    &st)) == NULL) {
		snprintf(why, whylen, "dkim_verify: %s", dkim_getresultstr(st));
		return (-1);
	}
	dkim_set_user_context(dkim, o->corpus);
	for (i = 0, st = DKIM_STAT_OK; i < m->n_fields && st == DKIM_STAT_OK; i++)
		st = dkim_header(dkim, (u_char *)m->fields[i].p, m->fields[i].len);
	if (st == DKIM_STAT_OK)
		st = dkim_eoh(dkim);
	for (i = 0; i < m->body_len && st == DKIM_STAT_OK; i += chunk) {
		chunk = m->body_len - i < BENCH_CHUNK ? m->body_len - i : BENCH_CHUNK;
		st = dkim_body(dkim, (u_char *)m->body + i, chunk);
	}
	if (st == DKIM_STAT_OK)
		st = dkim_eom(dkim, NULL);
	rc = odkim_verdict(dkim, st, why, whylen);
	dkim_free(dkim);
	return (rc);
}

/* check_all - every message once through both sides; failures listed */
static int
check_all(const struct corpus *c, verify_fn fn[2], void *side[2],
    const char *const name[2])
{
	char	why[512];
	size_t	i;
	int	s, bad = 0;

	for (s = 0; s < 2; s++)
		for (i = 0; i < c->n; i++)
			if (fn[s](side[s], &c->m[i], why, sizeof(why)) < 0) {
				printf("FAIL %-8s %s: %s\n", name[s], c->m[i].path, why);
				bad++;
			}
	return (bad);
}

/* bench_bucket - messages [from, to) ROUNDS times, until min_secs passed */
static int
bench_bucket(const struct corpus *c, size_t from, size_t to, verify_fn fn,
    void *side, unsigned rounds, double min_secs, struct tally *t)
{
	double	start = bench_now();
	char	why[512];
	unsigned r;
	size_t	i;

	memset(t, 0, sizeof(*t));
	do {
		for (r = 0; r < rounds; r++, t->passes++)
			for (i = from; i < to; i++, t->msgs++)
				if (fn(side, &c->m[i], why, sizeof(why)) < 0) {
					printf("FAIL %s: %s\n", c->m[i].path, why);
					return (-1);
				}
		t->secs = bench_now() - start;
	} while (t->secs < min_secs);
	return (0);
}

/* report - one line: rates of both sides, the ratio */
static void
report(const char *label, size_t n, double bytes, double sec_smtp2,
    double sec_odkim)
{
	printf("%-6s %4zu %12.0f %9.1f %14.0f %9.1f %9.2fx\n", label, n,
	    (double)n / sec_smtp2, bytes / sec_smtp2 / 1e6,
	    (double)n / sec_odkim, bytes / sec_odkim / 1e6, sec_odkim / sec_smtp2);
}

/*
 * bench_all - per bucket (consecutive messages of one size), then the
 * whole corpus: seconds per pass through each bucket, summed
 */
static int
bench_all(const struct corpus *c, verify_fn fn[2], void *side[2],
    unsigned rounds, double min_secs)
{
	struct tally t[2];
	double	pass[2] = {0, 0}, bytes, all_bytes = 0;
	size_t	from, to;
	int	s;

	printf("%-6s %4s %12s %9s %14s %9s %10s\n", "size", "msgs", "smtp2 msg/s",
	    "MB/s", "opendkim msg/s", "MB/s", "ratio");
	for (from = 0; from < c->n; from = to) {
		bytes = 0;
		for (to = from; to < c->n && strcmp(c->m[to].bucket,
		    c->m[from].bucket) == 0; to++)
			bytes += (double)c->m[to].size;
		for (s = 0; s < 2; s++) {
			if (bench_bucket(c, from, to, fn[s], side[s], rounds,
			    min_secs, &t[s]) < 0)
				return (-1);
			pass[s] += t[s].secs / (double)t[s].passes;
		}
		report(c->m[from].bucket, to - from, bytes,
		    t[0].secs / (double)t[0].passes, t[1].secs / (double)t[1].passes);
		all_bytes += bytes;
	}
	report("all", c->n, all_bytes, pass[0], pass[1]);
	printf("ratio smtp2/opendkim overall: %.2fx\n", pass[1] / pass[0]);
	return (0);
}

int
main(int argc, char **argv)
{
	struct corpus c;
	struct side_smtp2 s2;
	struct side_odkim od;
	const char *const name[2] = {"smtp2", "opendkim"};
	verify_fn fn[2] = {verify_smtp2, verify_odkim};
	void	*side[2] = {&s2, &od};
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 10;
	double	min_secs = argc > 3 ? atof(argv[3]) : 0.5;
	int	bad;

	if (argc < 2 || argc > 4 || rounds == 0 || min_secs < 0) {
		fprintf(stderr, "usage: dkim_bench CORPUS_DIR [ROUNDS [MIN_SECONDS]]\n");
		return (2);
	}
	memset(&c, 0, sizeof(c));
	memset(&s2, 0, sizeof(s2));
	memset(&od, 0, sizeof(od));
	if (corpus_load(&c, argv[1]) < 0) {
		fprintf(stderr, "dkim_bench: %s: no usable corpus (corpus.list,"
		    " keys.txt, messages)\n", argv[1]);
		return (1);
	}
	if (smtp2_setup(&s2, &c) < 0 || odkim_setup(&od, &c) < 0) {
		fprintf(stderr, "dkim_bench: setup failed\n");
		return (1);
	}
	printf("dkim_bench: %zu messages, %zu keys, %u rounds, >= %.1f s per bucket"
	    " and side; libopendkim %u.%u.%u, %s\n", c.n, c.n_keys, rounds, min_secs,
	    dkim_libversion() >> 24, (dkim_libversion() >> 16) & 0xff,
	    (dkim_libversion() >> 8) & 0xff, OpenSSL_version(OPENSSL_VERSION));
	if ((bad = check_all(&c, fn, side, name)) != 0) {
		printf("dkim_bench: %d verifications did not pass: no figures\n", bad);
		return (1);
	}
	if (bench_all(&c, fn, side, rounds, min_secs) < 0)
		return (1);
	dkim_close(od.lib);
	smtp2_dns_free(s2.dns);
	smtp2_dkim_keys_free(s2.keys);
	smtp2_dns_cache_free(s2.cache);
	corpus_free(&c);
	return (0);
}
