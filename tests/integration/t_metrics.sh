#!/bin/bash
# t_metrics.sh - the metrics endpoints of both daemons (docs/metrics.md):
# counters move by what the mail sent through the real stack says, the
# certificate-evidence histogram moves once per judgement, the JSON snapshot
# agrees with the text, "smtp2-check metrics" prints the same counts (and
# exit 2 with one line when it cannot), errors answer 404/405, the
# listener is loopback only, and 2,000 scrapes from 20 clients all answer
# while mail still flows.
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
CERT_N='^smtp2_cert_verify_duration_seconds_count'
p_cert=$(msum "$P" "$CERT_N")
m_cert=$(msum "$M" "$CERT_N")

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

# Each verification that saw a client certificate times judging it,
# though Postfix hands over fingerprints, never a chain: smtp2-policyd's
# two, once each (the milter's question for the same domain is answered
# from policyd's memo).  Under Postfix the milter asks policyd and judges
# nothing itself, so nothing is timed twice.
expect_moved "$P" "$CERT_N" "$p_cert" 2 "policyd: certificate evidence timed for the 2 genuine sends"
assert_eq "$(msum "$M" "$CERT_N")" "$m_cert" "milter: no certificate judged twice (policyd judged it)"

# run_check NAME ARGS... - smtp2-check -c milter.conf ARGS: CK_OUT, CK_ERR
# (files), CK_RC
run_check() {
	local name=$1
	shift
	CK_OUT=$T_DIR/check-$name.out CK_ERR=$T_DIR/check-$name.err
	"$SMTP2_CHECK" -c "$SMTP2_CONF" "$@" >"$CK_OUT" 2>"$CK_ERR"
	CK_RC=$?
}

# jget FILE PATH - a value of the JSON document in FILE ("a.b.0.c")
jget() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in filter(None, sys.argv[2].split(".")):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d if isinstance(d, str) else json.dumps(d))
EOF
}

# smtp2-check metrics, text, from the address milter.conf gives first
# (smtp2-policyd's): the counts the scrapes above read.
P_RCPT='^smtp2_recipients_total\{stage="rcpt",class='
pv=$(msum "$P" "$P_RCPT"'"verified"')
pl=$(msum "$P" "$P_RCPT"'"legacy"')
po=$(msum "$P" "$P_RCPT"'"other"')
pn=$(msum "$P" "$V_RCPT")
prej=$(msum "$P" "$V_RCPT"'.*action="reject"')
pcert=$(msum "$P" "$CERT_N")
pshare=$(awk -v v="$pv" -v l="$pl" -v t=$((pv + pl + po)) \
	'BEGIN { printf "%.1f%% verified, %.1f%% legacy", 100 * v / t, 100 * l / t }')
run_check policyd metrics
assert_eq "$CK_RC" 0 "smtp2-check metrics (policyd via milter.conf): exit 0"
assert_grep "$CK_OUT" "^metrics: +http://127\.0\.0\.1:$METRICS_P_PORT/metrics\.json$" \
	"smtp2-check metrics: the policyd address from milter.conf"
assert_grep "$CK_OUT" "^decisions: +rcpt \(smtp2-policyd\): $pn$" \
	"smtp2-check metrics: $pn rcpt decisions"
assert_grep "$CK_OUT" "^  actions: +accept [0-9]+, tag [0-9]+, reject $prej, defer [0-9]+$" \
	"smtp2-check metrics: $prej rejected at RCPT"
assert_grep "$CK_OUT" "^  recipients: +$((pv + pl + po)): verified $pv, legacy $pl, other $po$" \
	"smtp2-check metrics: recipients $pv verified, $pl legacy, $po other"
assert_grep "$CK_OUT" "^adoption: +$pshare \(of $((pv + pl + po)) recipients at rcpt\)$" \
	"smtp2-check metrics: adoption $pshare"
assert_grep "$CK_OUT" "^cert evidence: $pcert, mean " \
	"smtp2-check metrics: $pcert certificate judgements timed"

# --json, from the milter's URL (/metrics stands for /metrics.json).
mv=$(msum "$M" '^smtp2_messages_total\{class="verified"')
ml=$(msum "$M" '^smtp2_messages_total\{class="legacy"')
mdkim=$(msum "$M" '^smtp2_dkim_results_total')
run_check milter --json metrics "$M/metrics"
assert_eq "$CK_RC" 0 "smtp2-check --json metrics (milter URL): exit 0"
assert_eq "$(jget "$CK_OUT" source)" "$M/metrics.json" "smtp2-check --json metrics: source"
assert_eq "$(jget "$CK_OUT" messages.by_class.verified)" "$mv" \
	"smtp2-check --json metrics: $mv verified messages"
assert_eq "$(jget "$CK_OUT" messages.by_class.legacy)" "$ml" \
	"smtp2-check --json metrics: $ml legacy messages"
assert_eq "$(jget "$CK_OUT" adoption.basis)" messages \
	"smtp2-check --json metrics: adoption per message"
assert_eq "$(jget "$CK_OUT" stages.1.decisions)" "$(msum "$M" "$V_EOM")" \
	"smtp2-check --json metrics: eom decisions"
assert_eq "$(python3 -c 'import json, sys
print(sum(json.load(open(sys.argv[1]))["dkim"].values()))' "$CK_OUT")" "$mdkim" \
	"smtp2-check --json metrics: $mdkim DKIM results"

# Nothing there, or not a metrics endpoint: exit 2, one line saying why.
free_port DEAD_PORT
run_check dead metrics "127.0.0.1:$DEAD_PORT"
assert_eq "$CK_RC" 2 "smtp2-check metrics, nothing listening: exit 2"
assert_match "$(cat "$CK_ERR")" \
	"^smtp2-check: metrics: http://127\.0\.0\.1:$DEAD_PORT/metrics\.json: .*(connect|refused)" \
	"smtp2-check metrics, nothing listening: says it could not connect"
assert_eq "$(wc -l <"$CK_ERR") $(wc -c <"$CK_OUT")" "1 0" \
	"smtp2-check metrics, nothing listening: one line on stderr, nothing on stdout"
run_check notfound metrics "$P/nothing.json"
assert_eq "$CK_RC" 2 "smtp2-check metrics, wrong path: exit 2"
assert_match "$(cat "$CK_ERR")" "^smtp2-check: metrics: $P/nothing\.json: HTTP 404$" \
	"smtp2-check metrics, wrong path: HTTP 404"

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

# Where the milter judges the certificate itself (tls_source "macros", as
# under Sendmail; here Postfix's {cert_subject}, sent for a trusted
# chain), its own histogram moves, and smtp2-check says so.
smtp2_stop
smtp2_check_reports
sed -i 's/tls_source = "policyd"/tls_source = "macros"/' "$SMTP2_CONF"
smtp2_start
check "smtp2-milter metrics listening again (tls_source macros)" wait_port "$METRICS_M_PORT"
m_cert=$(msum "$M" "$CERT_N")
send_mail bank.test mx.bank.test
expect_verdict eom 'domain=bank\.test result=' "bank.test, milter judging from macros: eom verdict"
expect_moved "$M" "$CERT_N" "$m_cert" 1 "milter: certificate evidence timed when it judges itself"
run_check milter-macros metrics "$M"
assert_grep "$CK_OUT" "^cert evidence: $((m_cert + 1)), mean " \
	"smtp2-check metrics (milter): $((m_cert + 1)) certificate judgement timed"

check "smtp2-policyd and smtp2-milter still running" smtp2_alive
stack_down
t_done
