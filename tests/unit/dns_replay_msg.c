/*
 * dns_replay_msg.c - the messages of dns_replay (test code only): the
 * question of a query, the response built for it, and the hex fixtures.
 *
 * Just enough of the DNS wire format to match one question and to send
 * recorded or hand-built bytes back; names in built answers are never
 * compressed.  Nothing here is product code: getdns does DNS in smtp2.
 */

/* System library. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Application-specific. */
#include "dns_replay.h"
#include "dns_replay_msg.h"

#define REPLAY_HDR_LEN		12
#define REPLAY_CLASS_IN		1

/* An output buffer that notices when it would overflow. */
struct replay_out {
	unsigned char	*b;
	size_t		len, cap;
	bool		over;
};

/* replay_parse - the single question of a query; -1 for anything else */
int
replay_parse(const unsigned char *m, size_t len, struct replay_q *q)
{
	size_t	off = REPLAY_HDR_LEN, n = 0, i, l;

	/* A query (QR clear) with exactly one question. */
	if (len < REPLAY_HDR_LEN || (m[2] & 0x80) || m[4] != 0 || m[5] != 1)
		return (-1);
	for (; off < len && m[off] != 0; off += 1 + l) {
		l = m[off];
		/* Queries carry no compression pointers. */
		if (l > 63 || off + 1 + l >= len || n + l + 2 > sizeof(q->name))
			return (-1);
		if (n > 0)
			q->name[n++] = '.';
		for (i = 0; i < l; i++)
			q->name[n++] = (char)tolower(m[off + 1 + i]);
	}
	if (off + 5 > len)
		return (-1);
	q->name[n] = '\0';
	q->type = (uint16_t)(m[off + 1] << 8 | m[off + 2]);
	q->end = off + 5;
	return (0);
}

/* replay_bytes - append n bytes */
static void
replay_bytes(struct replay_out *o, const void *p, size_t n)
{
	if (o->over || o->len + n > o->cap) {
		o->over = true;
		return;
	}
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

/* replay_u16 - append a 16-bit value, network order */
static void
replay_u16(struct replay_out *o, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	replay_bytes(o, b, sizeof(b));
}

/* replay_u32 - append a 32-bit value, network order */
static void
replay_u32(struct replay_out *o, uint32_t v)
{
	replay_u16(o, v >> 16);
	replay_u16(o, v & 0xffff);
}

/* replay_name - append "a.b.c" as uncompressed labels */
static void
replay_name(struct replay_out *o, const char *name)
{
	const char *dot;
	size_t	l;
	unsigned char b;

	for (; *name != '\0'; name = *dot ? dot + 1 : dot) {
		if ((dot = strchr(name, '.')) == NULL)
			dot = name + strlen(name);
		l = (size_t)(dot - name);
		b = (unsigned char)(l > 63 ? 63 : l);
		replay_bytes(o, &b, 1);
		replay_bytes(o, name, b);
	}
	replay_bytes(o, "", 1);
}

/* replay_rrs - append n records of class IN */
static void
replay_rrs(struct replay_out *o, const struct dns_replay_rr *rr, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		replay_name(o, rr[i].name);
		replay_u16(o, rr[i].type);
		replay_u16(o, REPLAY_CLASS_IN);
		replay_u32(o, rr[i].ttl);
		replay_u16(o, (unsigned)rr[i].len);
		replay_bytes(o, rr[i].rdata, rr[i].len);
	}
}

/* replay_build - c's response to query m; its length, 0 when none */
size_t
replay_build(const struct dns_replay_case *c, const unsigned char *m,
    const struct replay_q *q, bool tcp, unsigned char *out, size_t cap)
{
	struct replay_out o = { out, 0, cap, false };
	bool	tc = c->tc_udp && !tcp;
	unsigned id = (unsigned)(m[0] << 8 | m[1]);

	if (c->wrong_id)
		id = (id + 1) & 0xffff;
	if (c->wire != NULL) {
		if (c->wire_len < REPLAY_HDR_LEN || c->wire_len > cap)
			return (0);
		memcpy(out, c->wire, c->wire_len);
		out[0] = (unsigned char)(id >> 8);
		out[1] = (unsigned char)id;
		return (c->wire_len);
	}
	replay_u16(&o, id);
	/* QR, the query's opcode and RD; TC when asked; RA; the rcode. */
	replay_u16(&o, 0x8000u | ((unsigned)m[2] << 8 & 0x7900u) |
	    (tc ? 0x0200u : 0) | 0x0080u | ((unsigned)c->rcode & 0xf));
	replay_u16(&o, 1);
	replay_u16(&o, tc ? 0 : (unsigned)c->n_an);
	replay_u16(&o, tc ? 0 : (unsigned)c->n_ns);
	replay_u16(&o, 0);
	replay_bytes(&o, m + REPLAY_HDR_LEN, q->end - REPLAY_HDR_LEN);
	if (!tc) {
		replay_rrs(&o, c->an, c->n_an);
		replay_rrs(&o, c->ns, c->n_ns);
	}
	return (o.over ? 0 : o.len);
}

/* replay_hexval - value of one hex digit, -1 if none */
static int
replay_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	return (-1);
}

/* dns_replay_load_hex - a fixture's bytes */
int
dns_replay_load_hex(const char *path, unsigned char *buf, size_t cap)
{
	FILE	*fp;
	size_t	n = 0;
	int	ch, hi = -1, v;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "dns_replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	while ((ch = getc(fp)) != EOF) {
		if (ch == '#' || ch == ';') {
			while ((ch = getc(fp)) != EOF && ch != '\n')
				continue;
		} else if ((v = replay_hexval(ch)) >= 0) {
			if (hi < 0) {
				hi = v;
			} else if (n < cap) {
				buf[n++] = (unsigned char)(hi << 4 | v);
				hi = -1;
			} else {
				n = cap + 1;	/* too long: fail below */
				break;
			}
		} else if (!isspace(ch) || hi >= 0) {
			break;		/* stray character or half a byte */
		}
	}
	fclose(fp);
	if (ch != EOF || n > cap || n > INT32_MAX) {
		fprintf(stderr, "dns_replay: %s: not hex bytes\n", path);
		return (-1);
	}
	return ((int)n);
}
