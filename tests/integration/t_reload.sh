#!/bin/bash
# t_reload.sh - SIGHUP reloads milter.conf in both daemons while Postfix
# keeps sending: a new mode applies to the next connection, a message in
# flight finishes under the rules it started with, a bad file is refused
# with file:line and the running configuration keeps serving, a rotated
# log file is reopened; SIGTERM lets a message in flight finish and stops
# within a bounded time.
. "$(dirname "$0")/lib/expect.sh"

HOLD=$(dirname "$0")/lib/smtp_hold.py
need_cmd python3

# reload_both [GEN_RE] - HUP both daemons, wait for both to log GEN_RE
reload_both() {
	local re=${1:-reloaded}
	local before
	before=$(grep -cE "$re" "$SMTP2_LOG")
	kill -HUP "$POLICYD_PID" "$MILTER_PID"
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -cE "$re" "$SMTP2_LOG")" -ge $((before + 2)) ] && return 0
		sleep 0.1
	done
	return 1
}

# hold_start FROM - an SMTP session stopped after RCPT; sets HOLD_*
hold_start() {
	HOLD_ID="hold$$x$RANDOM"
	HOLD_OUT=$T_DIR/$HOLD_ID.out
	python3 "$HOLD" "$PF_PORT" "$HOLD_ID@$1" someone@example.net \
		"$T_DIR/$HOLD_ID.ready" "$T_DIR/$HOLD_ID" "${2:-30}" >"$HOLD_OUT" 2>&1 &
	HOLD_PID=$!
	track_pid "$HOLD_PID" smtp_hold
	wait_file "$T_DIR/$HOLD_ID.ready" || fail "hold session never reached RCPT"
}

# hold_finish - let it send the message, wait for it
hold_finish() {
	touch "$T_DIR/$HOLD_ID"
	wait "$HOLD_PID" 2>/dev/null
	untrack_pid "$HOLD_PID"
}

stack_up permissive
pid_p=$POLICYD_PID pid_m=$MILTER_PID

# Permissive: bank.test (p=enforce) without its certificate gets through.
send_mail bank.test -
expect_accepted "permissive: bank.test without certificate accepted"

# A session in flight under permissive, past RCPT.
hold_start bank.test
assert_grep "$HOLD_OUT" '^RCPT 250' "held session: RCPT accepted under permissive"

# Reload to enforce.
smtp2_write_conf enforce "$SMTP2_CONF"
if reload_both 'reloaded .*generation 2, mode enforce'; then
	pass "SIGHUP: both daemons reloaded (generation 2, mode enforce)"
else
	fail "SIGHUP: no reload line from both daemons"
fi
check "same processes after the reload" \
	eval '[ "$POLICYD_PID" = "$pid_p" ] && [ "$MILTER_PID" = "$pid_m" ] && smtp2_alive'

# The held message finishes under the rules it started with.
hold_finish
assert_grep "$HOLD_OUT" '^DOT 250' "held session: message accepted under its own (old) rules"
SEND_ID=$HOLD_ID SEND_QID="" expect_delivered "held message delivered"

# A new connection is judged under enforce.
send_mail bank.test -
expect_reply RCPT '550 5\.7\.1' "enforce after reload: bank.test without certificate refused at RCPT"
expect_verdict rcpt "domain=bank\.test result=fail .*mode=enforce action=reject" \
	"enforce after reload: rcpt verdict says mode=enforce"
send_mail bank.test mx.bank.test
expect_accepted "enforce after reload: bank.test with its certificate accepted"
expect_verdict eom "domain=bank\.test result=pass .*mode=enforce" \
	"enforce after reload: the milter judges under enforce too"

# A bad file: refused with file:line, the running configuration stays.
printf 'policy = { mode = "permissive"; bogus = 1; };\n' >>"$SMTP2_CONF"
if reload_both 'reload refused: .*milter\.conf:[0-9]+: .*the running configuration stays'; then
	pass "bad file: both daemons refuse the reload with file:line"
else
	fail "bad file: no 'reload refused: FILE:LINE' from both daemons"
fi
send_mail bank.test -
expect_reply RCPT '550 5\.7\.1' "bad file: enforce still applies"
check "both daemons still running after a refused reload" smtp2_alive

# A restart-only setting is reported, the rest applied.
smtp2_write_conf tag "$SMTP2_CONF"
sed -i 's/^log     = {/metrics = { policyd_listen = "127.0.0.1:1"; };\n&/' "$SMTP2_CONF"
if reload_both 'reloaded .*mode tag'; then
	pass "reload with a restart-only change: tag applied"
else
	fail "reload with a restart-only change: not applied"
fi
assert_grep "$SMTP2_LOG" 'reload: metrics\.policyd_listen changed: applied at the next restart' \
	"restart-only setting reported, not applied"

# Log rotation: the file is moved away, a reload reopens it.
mv "$SMTP2_LOG" "$SMTP2_LOG.1"
kill -HUP "$POLICYD_PID" "$MILTER_PID"
if wait_grep "$SMTP2_LOG" 'reloaded' 50; then
	pass "rotated log: the reload writes to a new file"
else
	fail "rotated log: nothing written to a new $SMTP2_LOG"
fi
cat "$SMTP2_LOG.1" "$SMTP2_LOG" >"$SMTP2_LOG.all" && mv "$SMTP2_LOG.all" "$SMTP2_LOG"
kill -HUP "$POLICYD_PID" "$MILTER_PID"
wait_grep "$SMTP2_LOG" 'reloaded .*generation 5' 50

# SIGTERM with a message in flight: it finishes, then the milter exits 0.
hold_start legacy.test
t0=$(date +%s.%N)
kill -TERM "$MILTER_PID"
sleep 1
hold_finish
assert_grep "$HOLD_OUT" '^DOT 250' "SIGTERM: the message in flight is accepted"
stop_pid "$MILTER_PID" 200
stop_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
assert_eq "$STOP_RC" 0 "SIGTERM: smtp2-milter exits 0 (${stop_s}s)"
untrack_pid "$MILTER_PID"
MILTER_PID=""

# SIGTERM with a message that never finishes: the stop is bounded.
smtp2_start_one milter "$SMTP2_MILTER" "$MILTER_PORT"
MILTER_PID=$SMTP2_LAST_PID
hold_start legacy.test 40
t0=$(date +%s.%N)
kill -TERM "$MILTER_PID"
# While it drains, a new connection is turned away for later.
wait_grep "$SMTP2_LOG" 'stopping: waiting up to 10 s for 1 message' 50
send_mail legacy.test -
# Postfix words a 421 from the filter at connect itself.
assert_grep "$SEND_OUT" '^<\*\* 421 ' \
	"SIGTERM: a new connection during the drain is told 421 (come back later)"
for ((i = 0; i < 300; i++)); do
	pid_alive "$MILTER_PID" || break
	sleep 0.1
done
stop_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if pid_alive "$MILTER_PID"; then
	fail "SIGTERM with a stuck message: still running after ${stop_s}s"
else
	pass "SIGTERM with a stuck message: stopped within ${stop_s}s (drain 10 s)"
fi
assert_grep "$SMTP2_LOG" 'stopping with 1 message in flight after 10 s' \
	"SIGTERM with a stuck message: the log says what was cut short"
stop_pid "$MILTER_PID"
untrack_pid "$MILTER_PID"
MILTER_RC=$STOP_RC
MILTER_PID=""
hold_finish
assert_grep "$HOLD_OUT" '^(DATA|DOT) 4[0-9][0-9]' \
	"SIGTERM with a stuck message: the client is told to retry (4xx)"

stack_down
t_done
