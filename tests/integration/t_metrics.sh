#!/bin/bash
# t_metrics.sh - the metrics endpoints of both daemons (docs/metrics.md):
# counters move by what the mail sent through the real stack says, the
# JSON snapshot agrees with the text, errors answer 404/405, the listener
# is loopback only, and 2,000 scrapes from 20 clients all answer while
# mail still flows.
. "$(dirname "$0")/lib/expect.sh"

MCHECK="python3 $(dirname "$0")/metrics_check.py"

free_port METRICS_P_PORT
free_port METRICS_M_PORT
SMTP2_EXTRA_CONF="metrics = { policyd_listen = \"127.0.0.1:$METRICS_P_PORT\";
            milter_listen = \"127.0.0.1:$METRICS_M_PORT\"; };"
stack_up enforce
P="http://127.0.0.1:$METRICS_P_PORT"
M="http://127.0.0.1:$METRICS_M_PORT"
check "smtp2-policyd metrics listening" wait_port "$METRICS_P_PORT"
check "smtp2-milter metrics listening" wait_port "$METRICS_M_PORT"

# msum BASE REGEX - sum of the samples of BASE/metrics matching REGEX
msum() { $MCHECK sum "$1/metrics" "$2"; }

# expect_moved BASE REGEX BEFORE DELTA MSG - the sum reaches BEFORE+DELTA
# (the counters move right after the verdict line is logged: retry briefly)
expect_moved() {
	local want=$(($3 + $4)) got="" i
	for ((i = 0; i < 30; i++)); do
		got=$(msum "$1" "$2")
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	assert_eq "$got" "$want" "$5"
}

V_RCPT='^smtp2_verdicts_total\{stage="rcpt"'
V_EOM='^smtp2_verdicts_total\{stage="eom"'
p_verified=$(msum "$P" '^smtp2_recipients_total\{stage="rcpt",class="verified"')
p_legacy=$(msum "$P" '^smtp2_recipients_total\{stage="rcpt",class="legacy"')
p_reject=$(msum "$P" "$V_RCPT"',result="fail".*action="reject"')
p_all=$(msum "$P" "$V_RCPT")
m_verified=$(msum "$M" '^smtp2_messages_total\{class="verified"')
m_legacy=$(msum "$M" '^smtp2_messages_total\{class="legacy"')
m_all=$(msum "$M" "$V_EOM")
m_dkim=$(msum "$M" '^smtp2_dkim_results_total')

send_mail bank.test mx.bank.test
expect_accepted "bank.test genuine: accepted"
expect_verdict eom 'domain=bank\.test result=pass ' "bank.test genuine: eom verdict pass"
send_mail legacy.test -
expect_accepted "legacy.test: accepted"
expect_verdict eom 'domain=legacy\.test result=none ' "legacy.test: eom verdict none"
send_mail bank.test -
expect_reply RCPT '550 5\.7\.1' "bank.test spoofed: 550 at RCPT"
# Once more genuine: a new connection, the same names from the DNS cache.
send_mail bank.test mx.bank.test
expect_verdict eom 'domain=bank\.test result=pass ' "bank.test again: eom verdict pass"

expect_moved "$P" '^smtp2_recipients_total\{stage="rcpt",class="verified"' "$p_verified" 2 \
	"policyd: verified recipients +2"
expect_moved "$P" '^smtp2_recipients_total\{stage="rcpt",class="legacy"' "$p_legacy" 1 \
	"policyd: legacy recipients +1"
expect_moved "$P" "$V_RCPT"',result="fail".*action="reject"' "$p_reject" 1 \
	"policyd: fail/reject verdicts +1"
expect_moved "$P" "$V_RCPT" "$p_all" 4 "policyd: 4 rcpt verdicts in all"
expect_moved "$M" '^smtp2_messages_total\{class="verified"' "$m_verified" 2 \
	"milter: verified messages +2"
expect_moved "$M" '^smtp2_messages_total\{class="legacy"' "$m_legacy" 1 \
	"milter: legacy messages +1"
expect_moved "$M" "$V_EOM" "$m_all" 3 "milter: 3 eom verdicts (the refused one never got there)"
expect_moved "$M" '^smtp2_dkim_results_total' "$m_dkim" 3 "milter: 3 DKIM results"
assert_eq "$(msum "$M" "$V_RCPT")" 0 "milter: no rcpt-stage verdicts"
assert_eq "$(msum "$P" "$V_EOM")" 0 "policyd: no eom-stage verdicts"
check "policyd: DNS queries counted" test "$(msum "$P" '^smtp2_dns_queries_total')" -gt 0
check "policyd: DNS upstream queries counted" \
	test "$(msum "$P" '^smtp2_dns_upstream_queries_total')" -gt 0
check "policyd: DNS cache hits counted" test "$(msum "$P" '^smtp2_dns_cache_hits_total')" -gt 0
check "policyd: verdict durations observed" \
	test "$(msum "$P" '^smtp2_verdict_duration_seconds_count\{stage="rcpt"')" -ge 4

# The JSON snapshot: valid, and the same samples as the text.
for base in "$P" "$M"; do
	out=$($MCHECK agree "$base" 2>&1)
	assert_match "$out" 'samples agree$' "$base: JSON parses and agrees with the text ($out)"
	check "$base: json.tool accepts the snapshot" \
		bash -c "curl -sf --max-time 5 '$base/metrics.json' | python3 -m json.tool >/dev/null"
done

# Only two paths, only GET and HEAD; loopback only.
code() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$@"; }
assert_eq "$(code "$P/")" 404 "policyd: / is 404"
assert_eq "$(code "$M/metrics/x")" 404 "milter: /metrics/x is 404"
assert_eq "$(code -X POST "$P/metrics")" 405 "policyd: POST is 405"
assert_eq "$(code -I "$M/metrics")" 200 "milter: HEAD is 200"
check "policyd metrics bound to 127.0.0.1 only" \
	bash -c "ss -Htln 'sport = :$METRICS_P_PORT' | awk '{ print \$4 }' | grep -qx '127.0.0.1:$METRICS_P_PORT'"

# Under load: 2,000 scrapes from 20 clients over both daemons and both
# formats, while a message goes through.
$MCHECK load 2000 20 "$P/metrics" "$M/metrics" "$P/metrics.json" "$M/metrics.json" \
	>"$T_DIR/load.out" 2>&1 &
load_pid=$!
m_legacy=$(msum "$M" '^smtp2_messages_total\{class="legacy"')
send_mail legacy.test -
expect_accepted "legacy.test during the scrapes: accepted"
wait "$load_pid"
load_rc=$?
note "load: $(cat "$T_DIR/load.out")"
assert_eq "$load_rc" 0 "2000 scrapes from 20 clients: every one 200"
expect_moved "$M" '^smtp2_messages_total\{class="legacy"' "$m_legacy" 1 \
	"milter: the message during the scrapes counted"

check "smtp2-policyd and smtp2-milter still running" smtp2_alive
stack_down
t_done
