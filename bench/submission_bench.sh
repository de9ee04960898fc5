#!/usr/bin/env bash
# submission_bench.sh - message submission throughput through the private
# Postfix, with and without smtp2-milter, in the same run.
#
#   submission_bench.sh [MESSAGES]
#
# One Postfix instance with two submission services on loopback: one with
# smtp2-milter attached (its submission rules on: authentication or trusted
# network, address syntax, full qualification, Date/Message-ID/Sender
# completion, one log line per message), one without any milter.
# Postfix's smtp-source cannot authenticate, so the clients come from the
# trusted network (submission.trusted_networks = 127.0.0.0/8): the AUTH
# path differs only in the macro smtp2 reads, not in the work it does.
# smtp-source sends MESSAGES (default BENCH_SUB_MESSAGES or 5000) of 2 KiB
# over 20 sessions to each service, alternating without/with, two rounds;
# the time is from the first connection to the last "250 queued", i.e.
# acceptance throughput (delivery to smtp-sink runs behind).  The ratio is
# printed, never asserted (target >= 0.9x).
#
# smtp2-milter listens on a unix socket, as a local milter would.
# BENCH_DKIM_VERIFY=false: dkim.verify off, so the milter also skips the
# body and end-of-header events.  BENCH_PERF=FILE records the milter's first measured round with perf.
#
# Runs as root; needs postfix, smtp-source, smtp-sink, saslpasswd2 and a
# built smtp2-milter (SMTP2_BUILD, default build/).
set -eu
bench_dir=$(cd "$(dirname "$0")" && pwd)
export SMTP2_SRC=${SMTP2_SRC:-$(cd "$bench_dir/.." && pwd)}
# shellcheck source=../tests/integration/lib/submission.sh
. "$bench_dir/../tests/integration/lib/submission.sh"

messages=${1:-${BENCH_SUB_MESSAGES:-5000}}
sessions=${BENCH_SUB_SESSIONS:-20}
PLAIN_PORT=""

# bench_need - skip (77) unless root with every program at hand
bench_need() {
	skip_unless_root
	need_cmd postfix postconf smtp-source smtp-sink saslpasswd2 openssl ss awk
	id postfix >/dev/null 2>&1 || skip "no postfix user"
	[ -x "$SMTP2_MILTER" ] || skip "$SMTP2_MILTER not built (set SMTP2_BUILD)"
	[[ "$messages" =~ ^[1-9][0-9]*$ ]] || die "MESSAGES must be a positive number"
}

# bench_conf - milter.conf: no DNS needed (submissions ask for no verdict)
bench_conf() {
	MILTER_SOCK=$T_DIR/milter/milter.sock
	install -d -o postfix -m 755 "$T_DIR/milter"
	SMTP2_LOG=$T_DIR/smtp2.log
	SMTP2_CONF=$T_DIR/milter.conf
	cat >"$SMTP2_CONF" <<EOF
dns     = { resolvers = [ "127.0.0.1:53" ]; dnssec = "off"; };
policy  = { mode = "permissive"; authserv_id = "mx.example.net"; };
milter  = { socket = "unix:$MILTER_SOCK"; tls_source = "policyd";
            policyd = "inet:127.0.0.1:9"; };
log     = { to = "file:$SMTP2_LOG"; level = "${BENCH_LOG_LEVEL:-info}"; };
dkim    = { verify = ${BENCH_DKIM_VERIFY:-true}; };
submission = { ports = [ "$SUB_PORT" ]; trusted_networks = [ "127.0.0.0/8" ];
               rights = "$SUB_DIR/rights"; add_sender = true; check_message = true;
               message_id_domain = "msa.example.net"; };
# The bench runs as root, as the tests do.
daemon  = { allow_root = true; };
EOF
}

# bench_plain_service - a second submission smtpd without any milter
bench_plain_service() {
	free_port PLAIN_PORT
	printf '%s\n' "127.0.0.1:$PLAIN_PORT inet n - n - - smtpd" \
		"  -o syslog_name=postfix/plain" "  -o smtpd_milters=" \
		"  -o smtpd_sasl_auth_enable=yes" "  -o smtpd_recipient_restrictions=" \
		>>"$PF_DIR/etc/master.cf"
	postfix_age_config
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || die "postfix reload failed"
	wait_port "$PLAIN_PORT" || die "plain service not listening"
}

# bench_run PORT - messages/s accepted on PORT (prints it)
bench_run() {
	local t0 t1
	t0=$(date +%s.%N)
	smtp-source -s "$sessions" -m "$messages" -l 2048 -M client.example.net \
		-f user@example.net -t someone@example.net "127.0.0.1:$1" \
		>"$T_DIR/source.$1.out" 2>&1 || die "smtp-source to $1 failed: $(tail -3 "$T_DIR/source.$1.out")"
	t1=$(date +%s.%N)
	awk -v n="$messages" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# cpu_ticks PID - utime + stime of all of PID's threads, in clock ticks
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

bench_need
t_mktemp
pki_make
submission_prepare
bench_conf
"$SMTP2_MILTER" -c "$SMTP2_CONF" -f >>"$T_DIR/milter.out" 2>&1 &
MILTER_PID=$!
track_pid "$MILTER_PID" milter
for _ in $(seq 100); do [ -S "$MILTER_SOCK" ] && break; sleep 0.1; done
[ -S "$MILTER_SOCK" ] || die "smtp2-milter made no socket: $(tail -3 "$T_DIR/milter.out")"
chmod 666 "$MILTER_SOCK"
postfix_up "" 1
# A local milter is reached over a unix socket (no Nagle stalls).
postconf -c "$PF_DIR/etc" -e "smtpd_milters = unix:$MILTER_SOCK"
submission_up
bench_plain_service
printf '127.0.0.0/8 OK\n' >"$SUB_DIR/trusted.cidr"

echo "== submission: $messages messages of 2 KiB, $sessions sessions, trusted network (no AUTH in smtp-source)"
bench_run "$PLAIN_PORT" >/dev/null	# warm-up: queue files, processes
without=() with=() ticks=0
for round in 1 2; do
	without+=("$(bench_run "$PLAIN_PORT")")
	t0=$(cpu_ticks "$MILTER_PID")
	if [ -n "${BENCH_PERF:-}" ] && [ "$round" = 1 ]; then
		perf record -g -o "$BENCH_PERF" -p "$MILTER_PID" >/dev/null 2>&1 &
		perf_pid=$!
		sleep 0.5
	fi
	with+=("$(bench_run "$SUB_PORT")")
	[ -n "${perf_pid:-}" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=""; }
	ticks=$((ticks + $(cpu_ticks "$MILTER_PID") - t0))
	echo "round $round: without smtp2 ${without[-1]} msgs/s, with smtp2-milter ${with[-1]} msgs/s"
done
accepted=$(grep -c 'submission stage=eom .*action=accept' "$SMTP2_LOG" || true)
[ "$accepted" -ge $((2 * messages)) ] ||
	die "smtp2-milter logged $accepted accepted submissions, want $((2 * messages))"
awk -v a="${without[0]}" -v b="${without[1]}" -v c="${with[0]}" -v d="${with[1]}" 'BEGIN {
	w = (a + b) / 2; s = (c + d) / 2
	printf "without smtp2 %.0f msgs/s, with smtp2-milter %.0f msgs/s: %.2fx (target >= 0.9x)\n", w, s, s / w
}'
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$((2 * messages))" -v c="$(nproc)" 'BEGIN {
	printf "smtp2-milter CPU: %.0f us per message (%d CPUs shared with Postfix)\n", t / hz / n * 1e6, c
}'
stop_pid "$MILTER_PID"
untrack_pid "$MILTER_PID"
postfix_down
