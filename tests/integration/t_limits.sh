#!/bin/bash
# t_limits.sh - the limits in milter.conf give a defined answer, never a
# crash: milter.max_header_bytes (552 5.3.4 at the end of data),
# milter.max_connections (421 at connect), policyd.max_request (450 and
# the connection closed).
. "$(dirname "$0")/lib/expect.sh"

HOLD=$(dirname "$0")/lib/smtp_hold.py
need_cmd python3

SMTP2_MILTER_EXTRA='max_header_bytes = 32768; max_connections = 1;'
SMTP2_POLICYD_EXTRA='max_request = 4096;'
stack_up tag

# Headers under the limit: accepted and stamped.
pad=()
for i in $(seq 1 20); do pad+=(--add-header "X-Pad-$i: $(printf '%0990d' 0)"); done
send_mail legacy.test - "${pad[@]}"
expect_accepted "20 KB of header: accepted"
expect_delivered "20 KB of header: delivered"
expect_header '^X-SMTP2-Verified: no' "20 KB of header: stamped"

# Over it: refused whole, 552 5.3.4, one verdict line saying why.
for i in $(seq 21 40); do pad+=(--add-header "X-Pad-$i: $(printf '%0990d' 0)"); done
send_mail legacy.test - "${pad[@]}"
expect_reply DOT '552 5\.3\.4' "40 KB of header (max 32768): refused 552 5.3.4"
expect_verdict eom 'result=permerror .*action=reject reason="header section over 32768 bytes \(milter\.max_header_bytes\)"' \
	"40 KB of header: the verdict line names the limit"

# One connection at a time: a second one is told to come back later.
HOLD_ID="hold$$x$RANDOM"
python3 "$HOLD" "$PF_PORT" "$HOLD_ID@legacy.test" someone@example.net \
	"$T_DIR/$HOLD_ID.ready" "$T_DIR/$HOLD_ID" 30 >"$T_DIR/$HOLD_ID.out" 2>&1 &
hold_pid=$!
track_pid "$hold_pid" smtp_hold
wait_file "$T_DIR/$HOLD_ID.ready" || fail "hold session never reached RCPT"
send_mail legacy.test -
assert_grep "$SEND_OUT" '^<\*\* 421 ' "max_connections = 1: a second connection gets 421"
assert_grep "$SMTP2_LOG" 'milter\.max_connections is 1: refused with 421 4\.3\.2' \
	"max_connections: the log says which limit"
touch "$T_DIR/$HOLD_ID"
wait "$hold_pid"
untrack_pid "$hold_pid"
assert_grep "$T_DIR/$HOLD_ID.out" '^DOT 250' "max_connections: the first connection was served"
send_mail legacy.test -
expect_accepted "max_connections: a slot is free again"

# A policy request over policyd.max_request: 450 and the connection closed.
reply=$(python3 - "$POLICYD_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"request=smtpd_access_policy\nx=" + b"a" * 5000 + b"\n\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
PY
)
assert_eq "$reply" "action=450 4.7.0 smtp2-policyd: request too large" \
	"max_request = 4096: a 5 KB request is answered 450 and closed"
assert_grep "$SMTP2_LOG" 'request larger than 4096 bytes \(policyd\.max_request\)' \
	"max_request: the log says which limit"
send_mail legacy.test -
expect_accepted "policyd still serving after an oversized request"

check "both daemons still running" smtp2_alive
stack_down
t_done
