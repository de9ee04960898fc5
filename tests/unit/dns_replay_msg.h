/*
 * dns_replay_msg.h - private glue between dns_replay.c and
 * dns_replay_msg.c (test code only).
 */
#ifndef DNS_REPLAY_MSG_H
#define DNS_REPLAY_MSG_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLAY_MSG_MAX		4096	/* our answers are far smaller */
#define REPLAY_NAME_MAX		256

/* A query's question, and where it ends. */
struct replay_q {
	size_t		end;
	uint16_t	type;
	char		name[REPLAY_NAME_MAX];
};

/* replay_parse - the single question of query m: 0, or -1 if none */
int replay_parse(const unsigned char *m, size_t len, struct replay_q *q);

/*
 * replay_build - c's response to query m (question q, over TCP or not)
 * into out; its length, 0 when it does not fit.
 */
size_t replay_build(const struct dns_replay_case *c, const unsigned char *m,
    const struct replay_q *q, bool tcp, unsigned char *out, size_t cap);

#endif
