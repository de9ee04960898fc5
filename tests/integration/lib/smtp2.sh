# shellcheck shell=bash disable=SC2034
# smtp2.sh - milter.conf for the current ports and paths, and the two
# daemons, smtp2-policyd and smtp2-milter, run in the foreground (-f) in the
# background, stopped by PID.
#
#   SMTP2_WRAP     command prefix for both daemons, e.g.
#                  "valgrind -q --error-exitcode=99" (empty by default)
#   SMTP2_DNSSEC   dns.dnssec in milter.conf (default "required")
#   SMTP2_DNS_TIMEOUT_MS  dns.timeout_ms (default 3000)
#   SMTP2_MILTER_EXTRA, SMTP2_POLICYD_EXTRA  more settings in those groups
#
# Sets SMTP2_CONF, SMTP2_LOG, POLICYD_PORT, MILTER_PORT, POLICYD_PID,
# MILTER_PID.  Needs dns.sh (resolver port, root DS) and pki.sh (CA).

[ -n "${T_SMTP2_LOADED:-}" ] && return 0
T_SMTP2_LOADED=1
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SMTP2_POLICYD=$SMTP2_BUILD/policyd/smtp2-policyd
SMTP2_MILTER=$SMTP2_BUILD/milter/smtp2-milter
SMTP2_CHECK=$SMTP2_BUILD/tools/smtp2-check
SMTP2_CONF=""
SMTP2_LOG=""
SMTP2_MODE=""
POLICYD_PORT=""
MILTER_PORT=""
POLICYD_PID=""
MILTER_PID=""

# smtp2_need_bins - skip (77) when the daemons are not built
smtp2_need_bins() {
	local b
	for b in "$SMTP2_POLICYD" "$SMTP2_MILTER"; do
		[ -x "$b" ] || skip "$b not built (set SMTP2_BUILD)"
	done
}

# smtp2_write_conf MODE [FILE] - write milter.conf (default $T_DIR/milter.conf);
# SMTP2_EXTRA_CONF is appended (e.g. a dkim = { ... }; group)
smtp2_write_conf() {
	local mode=$1 file=${2:-$T_DIR/milter.conf}
	[ -n "$POLICYD_PORT" ] || free_port POLICYD_PORT
	[ -n "$MILTER_PORT" ] || free_port MILTER_PORT
	SMTP2_LOG=${SMTP2_LOG:-$T_DIR/smtp2.log}
	cat >"$file" <<EOF
# milter.conf written by tests/integration/lib/smtp2.sh
dns     = { resolvers = [ "127.0.0.1:$UNBOUND_PORT" ];
            trust_anchors = "$DNS_ROOT_DS";
            dnssec = "${SMTP2_DNSSEC:-required}";
            timeout_ms = ${SMTP2_DNS_TIMEOUT_MS:-3000}; };
tls     = { ca_file = "$PKI_DIR/ca.crt"; };
policy  = { mode = "$mode"; authserv_id = "mx.example.net"; };
milter  = { socket = "inet:$MILTER_PORT@127.0.0.1";
            policyd = "inet:127.0.0.1:$POLICYD_PORT";
            tls_source = "policyd"; ${SMTP2_MILTER_EXTRA:-} };
policyd = { listen = [ "inet:127.0.0.1:$POLICYD_PORT" ]; ${SMTP2_POLICYD_EXTRA:-} };
log     = { to = "file:$SMTP2_LOG"; level = "info"; };
# The stack runs the daemons as root; t_privdrop.sh tests daemon.user.
daemon  = { allow_root = true; };
${SMTP2_EXTRA_CONF:-}
EOF
	SMTP2_CONF=$file
	SMTP2_MODE=$mode
}

# smtp2_start_one NAME BIN PORT - start BIN -c SMTP2_CONF -f, wait for
# PORT; sets SMTP2_LAST_PID
smtp2_start_one() {
	local name=$1 bin=$2 port=$3 pid
	# shellcheck disable=SC2086
	${SMTP2_WRAP:-} "$bin" -c "$SMTP2_CONF" -f >>"$T_DIR/$name.out" 2>&1 &
	pid=$!
	track_pid "$pid" "$name"
	if ! wait_port "$port"; then
		pid_alive "$pid" || die "$name exited: $(tail -5 "$T_DIR/$name.out")"
		die "$name did not listen on $port: $(tail -5 "$T_DIR/$name.out")"
	fi
	SMTP2_LAST_PID=$pid
}

# smtp2_start - both daemons, policyd first (the milter asks it)
smtp2_start() {
	[ -n "$SMTP2_CONF" ] || die "smtp2_start before smtp2_write_conf"
	smtp2_start_one policyd "$SMTP2_POLICYD" "$POLICYD_PORT"
	POLICYD_PID=$SMTP2_LAST_PID
	smtp2_start_one milter "$SMTP2_MILTER" "$MILTER_PORT"
	MILTER_PID=$SMTP2_LAST_PID
}

# smtp2_stop - stop both daemons (milter first), by PID
MILTER_RC="" POLICYD_RC=""
smtp2_stop() {
	if [ -n "$MILTER_PID" ]; then
		stop_pid "$MILTER_PID"
		untrack_pid "$MILTER_PID"
		MILTER_RC=$STOP_RC
	fi
	if [ -n "$POLICYD_PID" ]; then
		stop_pid "$POLICYD_PID"
		untrack_pid "$POLICYD_PID"
		POLICYD_RC=$STOP_RC
	fi
	MILTER_PID="" POLICYD_PID=""
	# The ports must be free before a restart binds them again.
	local i
	for ((i = 0; i < 50; i++)); do
		{ [ -n "$POLICYD_PORT" ] && port_busy "$POLICYD_PORT"; } ||
			{ [ -n "$MILTER_PORT" ] && port_busy "$MILTER_PORT"; } || return 0
		sleep 0.1
	done
	return 0
}

# smtp2_check_reports - one case, after smtp2_stop: both daemons exited 0
# on SIGTERM and their stderr holds no AddressSanitizer, LeakSanitizer or
# UBSan report (without this an ASan build would fail silently).  Under
# valgrind give SMTP2_WRAP --error-exitcode=N: errors show as exit N.
smtp2_check_reports() {
	local f problems=""
	[ -n "$POLICYD_RC" ] && [ "$POLICYD_RC" != 0 ] &&
		problems="$problems smtp2-policyd exited $POLICYD_RC;"
	[ -n "$MILTER_RC" ] && [ "$MILTER_RC" != 0 ] &&
		problems="$problems smtp2-milter exited $MILTER_RC;"
	for f in policyd.out milter.out; do
		[ -s "$T_DIR/$f" ] || continue
		grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/$f" &&
			problems="$problems sanitizer report in $f;"
	done
	POLICYD_RC="" MILTER_RC=""
	if [ -z "$problems" ]; then
		pass "daemons exited cleanly, no sanitizer report"
	else
		fail "daemons:$problems"
		for f in policyd.out milter.out; do
			[ -s "$T_DIR/$f" ] || continue
			awk '/ERROR: (Address|Leak)Sanitizer|runtime error:/ { on = 1 }
			    on { print; if (++n >= 80) exit }
			    /^SUMMARY:/ { on = 0 }' "$T_DIR/$f" | sed "s/^/#   $f: /"
		done
	fi
	# A restart must not report the same output again.
	for f in policyd.out milter.out; do
		[ -f "$T_DIR/$f" ] && mv "$T_DIR/$f" "$T_DIR/$f.$(date +%s%N)"
	done
	return 0
}

# smtp2_restart MODE - new milter.conf for MODE, daemons restarted
smtp2_restart() {
	smtp2_stop
	smtp2_check_reports
	smtp2_write_conf "$1" "$SMTP2_CONF"
	smtp2_start
}

# smtp2_alive - both daemons still running
smtp2_alive() {
	[ -n "$POLICYD_PID" ] && pid_alive "$POLICYD_PID" &&
		[ -n "$MILTER_PID" ] && pid_alive "$MILTER_PID"
}
