/*
 * policyd_fixture.h - a policy-request test's world, for the tests that
 * drive request.c: a temporary directory holding the daemon log, a
 * session table, a context in enforce mode whose resolver is a dead
 * loopback port, and one connection.
 */
#ifndef SMTP2_TEST_POLICYD_FIXTURE_H
#define SMTP2_TEST_POLICYD_FIXTURE_H

#include <smtp2/dns.h>
#include <smtp2/verify.h>

#include "request.h"
#include "session.h"

struct pd_fixture {
	char	dir[64];
	char	log[128];		/* "file:DIR/log" */
	struct smtp2_dns_cache *cache;	/* owned; NULL: none */
	struct policyd_sessions *sessions;
	struct policyd_ctx ctx;
	struct policyd_conn conn;
	char	reply[POLICYD_REPLY_MAX];
};

/*
 * pd_fixture_new - the world for test name: verify and vopts answer the
 * verifications, cache (taken over, may be NULL) the lookups.  Fails
 * the test when it cannot be built.  Freed with pd_fixture_free().
 */
struct pd_fixture *pd_fixture_new(const char *name, policyd_verify_fn *verify,
    const struct smtp2_verify_opts *vopts, struct smtp2_dns_cache *cache);
void	pd_fixture_free(struct pd_fixture *f);

/* pd_ask - one request block of the lines given (NULL ends them) on the
 * fixture's connection; the reply, in f->reply. */
const char *pd_ask(struct pd_fixture *f, ...);

/* pd_last_log - the last log line holding needle, from needle on; "" if
 * none.  Points to static storage. */
const char *pd_last_log(const struct pd_fixture *f, const char *needle);

#endif
