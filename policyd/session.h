/*
 * session.h - what smtp2-policyd remembers about each SMTP connection.
 *
 * Postfix sends the client certificate's fingerprints only to the policy
 * service, so every request's TLS facts are kept here, keyed by
 * client_address + client_port, for smtp2-milter to ask about later
 * (docs/policyd-query.md).  Next to the facts each session keeps a small
 * verdict memo, domain -> verdict, so that 50 RCPTs from one sender cost
 * one verification.
 *
 * The table is thread-safe (one mutex; verification runs outside it),
 * bounded in entries (the least recently updated is evicted first) and
 * forgets a session session_ttl seconds after its last update.  Times are
 * passed in by the caller (policyd_session_clock()) so tests can move them.
 */
#ifndef POLICYD_SESSION_H
#define POLICYD_SESSION_H

/* System library. */
#include <stddef.h>
#include <time.h>

/* Application-specific. */
#include <smtp2/tls.h>
#include <smtp2/verify.h>

#define POLICYD_SESSION_MAX	65536	/* sessions kept at once */
#define POLICYD_MEMO_MAX	4	/* memoised domains per session */
#define POLICYD_MEMO_TTL	60	/* seconds a verdict is reused */
#define POLICYD_MEMO_TEMP_TTL	10	/* ... when it is a temperror */

#define POLICYD_ADDR_MAX	64	/* longest client_address kept */
#define POLICYD_PORT_MAX	8	/* longest client_port kept */

struct policyd_sessions;

/*
 * policyd_sessions_new - an empty table of at most max_entries sessions
 * that live ttl seconds after their last update.  Returns NULL when out of
 * memory.  Caller frees with policyd_sessions_free().
 */
struct policyd_sessions *policyd_sessions_new(size_t max_entries, unsigned ttl);
void policyd_sessions_free(struct policyd_sessions *t);

/* policyd_session_clock - the monotonic seconds every call below expects. */
time_t policyd_session_clock(void);

/*
 * policyd_session_put - remember facts for addr/port (copied) and refresh
 * the session's lifetime.  When the facts differ from those stored, the
 * session's verdict memo is dropped: it was computed from other facts.
 * Returns 0, or -1 when the key is empty or too long, or out of memory.
 */
int policyd_session_put(struct policyd_sessions *t, const char *addr,
    const char *port, const struct smtp2_tls_facts *f, time_t now);

/* policyd_session_get - copy the facts of addr/port into f.  Returns 1
 * when the session is known and fresh, 0 otherwise. */
int policyd_session_get(struct policyd_sessions *t, const char *addr,
    const char *port, struct smtp2_tls_facts *f, time_t now);

/*
 * policyd_session_memo_get - copy a memoised verdict for domain (already
 * normalised) into v.  Returns 1 on a hit, 0 otherwise.
 */
int policyd_session_memo_get(struct policyd_sessions *t, const char *addr,
    const char *port, const char *domain, struct smtp2_verdict *v, time_t now);

/*
 * policyd_session_memo_put - memoise v for domain, but only when the
 * session still holds exactly the facts v was computed from (another
 * request may have replaced them meanwhile).  The oldest memo entry makes
 * room.  Failures are silent: a missed memo costs only a verification.
 */
void policyd_session_memo_put(struct policyd_sessions *t, const char *addr,
    const char *port, const struct smtp2_tls_facts *f, const char *domain,
    const struct smtp2_verdict *v, time_t now);

/* policyd_sessions_count - sessions currently held (fresh or not). */
size_t policyd_sessions_count(struct policyd_sessions *t);

#endif
