/*
 * dns_replay.h - a canned DNS server for unit tests (test code only).
 *
 * Listens on UDP and TCP at 127.0.0.1:<free port> in a thread of its own
 * and answers each question from a table of cases: recorded wire bytes
 * (ID rewritten), a response built from records, an error rcode, or
 * silence.  It counts what it receives per case and transport, so a test
 * can tell how many queries really reached "upstream".  It is not a DNS
 * server: it matches one question and replays, nothing more.
 */
#ifndef DNS_REPLAY_H
#define DNS_REPLAY_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_REPLAY_RCODE_NOERROR	0
#define DNS_REPLAY_RCODE_SERVFAIL	2
#define DNS_REPLAY_RCODE_NXDOMAIN	3
#define DNS_REPLAY_RCODE_REFUSED	5

#define DNS_REPLAY_T_SOA	6

/* One record of a built response: class IN, names never compressed. */
struct dns_replay_rr {
	const char	*name;		/* "x.test", no final dot */
	uint16_t	type;
	uint32_t	ttl;
	const unsigned char *rdata;	/* wire form, names uncompressed */
	size_t		len;
};

/*
 * One question and what to do with it.  Matched on name (any case, no
 * final dot) and type.  With wire set the recorded response goes out as
 * is, but for its ID; otherwise a response is built: the query's header
 * and question, then rcode, the an records, the ns records.
 */
struct dns_replay_case {
	const char	*name;
	uint16_t	type;
	bool		silent;		/* never answer: the client times out */
	int		rcode;
	const struct dns_replay_rr *an;	/* answer section */
	size_t		n_an;
	const struct dns_replay_rr *ns;	/* authority section */
	size_t		n_ns;
	const unsigned char *wire;	/* recorded response; NULL: build one */
	size_t		wire_len;
	bool		tc_udp;		/* over UDP: empty, TC set; TCP: in full */
	bool		wrong_id;	/* answer with an ID the query did not have */
	unsigned	delay_ms;	/* hold the answer this long */
};

struct dns_replay;

/*
 * dns_replay_start - listen and serve cases[0..n-1] until stopped.  The
 * table is borrowed: keep it until dns_replay_stop().  NULL on failure
 * (reason on stderr).
 */
struct dns_replay *dns_replay_start(const struct dns_replay_case *cases,
    size_t n);

/* dns_replay_stop - stop serving, free everything */
void dns_replay_stop(struct dns_replay *r);

/* dns_replay_addr - "127.0.0.1:PORT", the resolver address to configure */
const char *dns_replay_addr(const struct dns_replay *r);

/* dns_replay_udp/tcp - queries received so far for case i, per transport */
unsigned dns_replay_udp(struct dns_replay *r, size_t i);
unsigned dns_replay_tcp(struct dns_replay *r, size_t i);

/* dns_replay_unmatched - queries that matched no case (answered REFUSED) */
unsigned dns_replay_unmatched(struct dns_replay *r);

/*
 * dns_replay_load_hex - read a fixture of hex byte pairs ('#' and ';'
 * start comments) into buf.  Returns the length, or -1 (reason on stderr).
 */
int dns_replay_load_hex(const char *path, unsigned char *buf, size_t cap);

#endif
