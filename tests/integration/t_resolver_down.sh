#!/bin/bash
# t_resolver_down.sh - the validating resolver dies: mail from domains not
# looked up yet must be deferred (4xx), never accepted as a pass, and the
# daemons must survive it.
. "$(dirname "$0")/lib/expect.sh"

# Lookups to a dead resolver end by timeout: keep it short (read by
# smtp2_write_conf).
# shellcheck disable=SC2034
SMTP2_DNS_TIMEOUT_MS=1000
stack_up enforce

# Sanity first: the stack works while the resolver is up.
send_mail bank.test mx.bank.test
expect_accepted "resolver up: bank.test with its certificate accepted"

unbound_stop
check "unbound stopped" test -z "$UNBOUND_PID"

# pinned.test has not been looked up: nothing cached anywhere, and its
# self-signed certificate can only be proven through DNS.
t0=$(date +%s)
send_mail pinned.test mx.pinned.test
took=$(($(date +%s) - t0))
expect_reply final '4[0-9][0-9] 4\.' "resolver down: pinned.test with its pinned certificate deferred 4xx"
expect_reply RCPT '45[01] ' "resolver down: deferral at RCPT is 450 or 451"
expect_no_verdict_match rcpt 'result=pass' "resolver down: pinned.test never a pass"
expect_verdict rcpt 'domain=pinned\.test result=temperror .*action=defer' \
	"resolver down: rcpt verdict temperror/defer"
check "resolver down: answered within 5 s (took ${took}s)" test "$took" -le 5

# A legacy domain, not looked up yet: its (absent) record cannot be read
# either, so it is deferred too.
send_mail legacy.test -
expect_reply final '4[0-9][0-9] 4\.' "resolver down: legacy.test without certificate deferred 4xx"

# other.test (p=enforce, not looked up yet) from a server with a
# CA-trusted certificate named for it: still never a pass while its
# _smtp2 record cannot be read.
send_mail other.test mx.other.test
expect_no_verdict_match rcpt 'result=pass' "resolver down: other.test with a CA-trusted certificate never a pass"
expect_reply final '4[0-9][0-9] 4\.' "resolver down: other.test with a CA-trusted certificate deferred 4xx"

check "resolver down: smtp2-policyd still running" pid_alive "$POLICYD_PID"
check "resolver down: smtp2-milter still running" pid_alive "$MILTER_PID"

stack_down
t_done
