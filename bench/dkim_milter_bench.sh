#!/usr/bin/env bash
# dkim_milter_bench.sh - DKIM verification as a milter: smtp2-milter beside
# opendkim (Mode v), CPU per message of each milter process, on the same
# opendkim-signed corpus, in the same run.
#
#   dkim_milter_bench.sh [SECONDS]
#
# The corpus is bench/dkim_corpus.sh's (1 KiB to 1 MiB, rsa-sha256 and
# ed25519-sha256); its keys are published in the test DNS (corpus.test, a
# DNSSEC-signed zone in nsd behind the validating unbound of
# tests/integration/lib/dns.sh).  Both milters fetch the keys from there
# and keep what they keep across messages: opendkim through libunbound
# (forwarding to that unbound, validating with the same root anchor),
# smtp2-milter through its own stub resolver, DNS cache and key cache.
# smtp2-milter runs with milter.tls_source = "macros" (no smtp2-policyd)
# and dkim.verify = true, so it also judges the From domain, DMARC and
# ADSP: more work than opendkim does.  opendkim runs with Syslog no;
# smtp2-milter logs its usual verdict line per message to a file
# (BENCH_LOG_LEVEL sets log.level, default info).
#
# One driver for both, bench/dkim_milter_drive.lua under miltertest,
# serially, over unix sockets: a new connection for every message, or
# every BENCH_MILTER_PER_CONN messages.  Each milter first sees every
# message once (caches warm, verdicts checked); then, size bucket by size
# bucket, whole rounds of the bucket for SECONDS / buckets seconds
# (SECONDS: argument, else BENCH_MILTER_SECONDS, default 24 per milter).
# The milter's CPU (utime + stime of all its threads, /proc/PID/stat) is
# read around each bucket and divided by the messages sent.  Overall
# figures weigh each corpus message once.  Both pay the milter protocol
# itself, the same for both: a connection (a libmilter thread) and a
# round trip per command, header field and body chunk.  Every message
# must come back with dkim=pass from both milters, else the failures are
# printed and the exit status is 1.  Ratios are printed, never asserted
# (target >= 10x).
#
# Runs as root; needs opendkim, miltertest, nsd, unbound, ldnsutils, dig
# and a built smtp2-milter (SMTP2_BUILD, default build/); exits 77 (skip)
# without them.
set -eu
bench_dir=$(cd "$(dirname "$0")" && pwd)
export SMTP2_SRC=${SMTP2_SRC:-$(cd "$bench_dir/.." && pwd)}
# shellcheck source=../tests/integration/lib/pki.sh
. "$bench_dir/../tests/integration/lib/pki.sh"
# shellcheck source=../tests/integration/lib/dns.sh
. "$bench_dir/../tests/integration/lib/dns.sh"
# shellcheck source=../tests/integration/lib/smtp2.sh
. "$bench_dir/../tests/integration/lib/smtp2.sh"
# shellcheck source=../tests/integration/lib/opendkim.sh
. "$bench_dir/../tests/integration/lib/opendkim.sh"

BENCH_DOMAIN=corpus.test	# dkim_corpus.sh signs as this domain
BENCH_AUTHSERV=mx.example.net
seconds=${1:-${BENCH_MILTER_SECONDS:-24}}
per_conn=${BENCH_MILTER_PER_CONN:-1}
ODK_PID="" ODK_SOCK="" S2_PID="" S2_SOCK=""

# bench_need - skip (77) unless root with every program at hand
bench_need() {
	skip_unless_root
	dkim_need
	need_cmd nsd nsd-checkconf unbound unbound-checkconf ldns-keygen \
		ldns-signzone dig ss awk timeout getconf
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 missing"
	id opendkim >/dev/null 2>&1 || skip "no opendkim user"
	[ -x "$SMTP2_MILTER" ] || skip "$SMTP2_MILTER not built (set SMTP2_BUILD)"
	if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
		die "SECONDS must be a positive whole number, not '$seconds'"
	fi
	if ! [[ "$per_conn" =~ ^[1-9][0-9]*$ ]]; then
		die "BENCH_MILTER_PER_CONN must be a positive whole number, not '$per_conn'"
	fi
}

# bench_zone_keys KEYS_TXT - the corpus's key records, as dkim_keygen
# would have remembered them, so dns.sh puts them in corpus.test
bench_zone_keys() {
	dkim_dir
	awk -v dom="$BENCH_DOMAIN" '{
		split($1, n, "._domainkey.")
		k = $0; sub(/.*[ ;]k=/, "", k); sub(/;.*/, "", k)
		p = $0; sub(/.*[ ;]p=/, "", p); sub(/;.*/, "", p)
		if (n[2] != dom || k == "" || p == "") { print "bad key line: " $0 > "/dev/stderr"; exit 1 }
		print n[2], n[1], k, "-", p
	}' "$1" >>"$DKIM_DIR/keys.list" || die "cannot read the corpus keys in $1"
	[ -s "$DKIM_DIR/keys.list" ] || die "no keys in $1"
}

# bench_dns_check - every corpus key resolves, DNSSEC-secure, through unbound
bench_dns_check() {
	local dom sel rest got
	while read -r dom sel rest; do
		got=$(dns_status "$sel._domainkey.$dom" TXT)
		[ "$got" = "NOERROR ad 1" ] ||
			die "test DNS: $sel._domainkey.$dom TXT: got '$got', want 'NOERROR ad 1'"
	done <"$DKIM_DIR/keys.list"
}

# bench_wait_socket PID PATH NAME LOG - wait (bounded) for a unix socket
bench_wait_socket() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$2" ] && return 0
		pid_alive "$1" || break
		sleep 0.1
	done
	die "$3 did not create $2: $(tail -5 "$4")"
}

# bench_opendkim_start - opendkim verifying, keys through libunbound:
# a resolver file that forwards everything to the test unbound only
bench_opendkim_start() {
	local dir=$T_DIR/opendkim-v
	mkdir -p "$dir/run"
	chown opendkim "$dir/run"
	cat >"$dir/libunbound.conf" <<EOF
server:
	do-ip6: no
	do-not-query-localhost: no
	outgoing-interface: 127.0.0.1
	outgoing-port-avoid: 0-32767
	local-zone: "test." nodefault
	use-syslog: no
	verbosity: 0
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@$UNBOUND_PORT
EOF
	cat >"$dir/opendkim.conf" <<EOF
Mode			v
Syslog			no
Socket			local:$dir/run/sock
UMask			000
UserID			opendkim
AuthservID		$BENCH_AUTHSERV
MinimumKeyBits		1024
ResolverConfiguration	$dir/libunbound.conf
TrustAnchorFile		$DNS_ROOT_DS
DNSTimeout		5
EOF
	opendkim -n -x "$dir/opendkim.conf" >"$dir/check.out" 2>&1 ||
		die "opendkim.conf: $(cat "$dir/check.out")"
	opendkim -f -x "$dir/opendkim.conf" >>"$dir/opendkim.log" 2>&1 &
	ODK_PID=$!
	track_pid "$ODK_PID" opendkim-verify
	ODK_SOCK=$dir/run/sock
	bench_wait_socket "$ODK_PID" "$ODK_SOCK" opendkim "$dir/opendkim.log"
}

# bench_smtp2_start - smtp2-milter verifying DKIM, TLS facts from macros
bench_smtp2_start() {
	local dir=$T_DIR/smtp2-v
	mkdir -p "$dir"
	S2_SOCK=$dir/milter.sock
	cat >"$dir/milter.conf" <<EOF
# milter.conf written by bench/dkim_milter_bench.sh
dns    = { resolvers = [ "127.0.0.1:$UNBOUND_PORT" ];
           trust_anchors = "$DNS_ROOT_DS"; dnssec = "required"; };
tls    = { ca_file = "$PKI_DIR/ca.crt"; };
policy = { mode = "permissive"; authserv_id = "$BENCH_AUTHSERV"; };
milter = { socket = "unix:$S2_SOCK"; tls_source = "macros"; };
dkim   = { verify = true; };
log    = { to = "file:$dir/smtp2.log"; level = "${BENCH_LOG_LEVEL:-info}"; };
# The bench runs as root, as the tests do.
daemon = { allow_root = true; };
EOF
	"$SMTP2_MILTER" -c "$dir/milter.conf" -t >"$dir/check.out" 2>&1 ||
		die "milter.conf: $(cat "$dir/check.out")"
	"$SMTP2_MILTER" -c "$dir/milter.conf" -f >>"$dir/milter.out" 2>&1 &
	S2_PID=$!
	track_pid "$S2_PID" smtp2-milter
	bench_wait_socket "$S2_PID" "$S2_SOCK" smtp2-milter "$dir/milter.out"
}

# bench_drive NAME SOCKET PID - the driver against one milter; its output
# in $T_DIR/NAME.drive; 0 when it ran to the end (failures or not)
bench_drive() {
	local name=$1 out=$T_DIR/$1.drive per rc=0
	per=$(awk -v s="$seconds" -v n="$(bench_buckets)" 'BEGIN { printf "%.3f", s / n }')
	note "$name: warm-up, then $per s per size bucket"
	timeout $((seconds * 3 + 600)) miltertest -s "$bench_dir/dkim_milter_drive.lua" \
		-D "sock=unix:$2" -D "dir=$T_DIR/corpus" -D "pid=$3" \
		-D "seconds=$per" -D "perconn=$per_conn" >"$out" 2>&1 || rc=$?
	grep -q '^done ' "$out" && [ "$rc" = 0 ] && return 0
	sed 's/^/# driver: /' "$out" | tail -20 >&2
	pid_alive "$3" || note "$name is gone (pid $3)"
	die "driver against $name: exit $rc"
}

# bench_buckets - how many size buckets the corpus has
bench_buckets() {
	awk '!seen[$1]++' "$T_DIR/corpus/corpus.list" | wc -l
}

# bench_report - the table (per bucket and overall) from both drivers
bench_report() {
	awk -v hz="$(getconf CLK_TCK)" -v list="$T_DIR/corpus/corpus.list" '
	BEGIN { while ((getline l < list) > 0) { split(l, f, " "); k[f[1]]++ } }
	$1 == "bucket" {
		side = (FILENAME ~ /opendkim\.drive$/) ? "o" : "s"
		if (side == "o") order[++nb] = $2
		n[side, $2] = $3; cpu[side, $2] = $4 / hz; wall[side, $2] = $5
	}
	function us(s, b) { return (n[s, b] ? 1e6 * cpu[s, b] / n[s, b] : 0) }
	function per(s, b) { return (n[s, b] ? wall[s, b] / n[s, b] : 0) }
	function div(a, b) { return (b > 0 ? a / b : 0) }
	END {
		printf "%-5s | %6s %8s %7s | %6s %8s %7s | %6s\n", "size",
			"msgs", "opendkim", "msg/s", "msgs", "smtp2", "msg/s", "ratio"
		printf "%-5s | %6s %8s %7s | %6s %8s %7s | %6s\n", "", "",
			"us CPU", "", "", "us CPU", "", "CPU"
		for (i = 1; i <= nb; i++) {
			b = order[i]
			printf "%-5s | %6d %8.0f %7.0f | %6d %8.0f %7.0f | %5.2fx\n", b,
				n["o", b], us("o", b), div(1, per("o", b)),
				n["s", b], us("s", b), div(1, per("s", b)),
				div(us("o", b), us("s", b))
			co += k[b] * us("o", b); cs += k[b] * us("s", b)
			wo += k[b] * per("o", b); ws += k[b] * per("s", b); km += k[b]
		}
		printf "%-5s | %6s %8.0f %7.0f | %6s %8.0f %7.0f | %5.2fx\n", "all",
			"", div(co, km), div(km, wo), "", div(cs, km), div(km, ws), div(co, cs)
		printf "ratio opendkim/smtp2 milter CPU per message overall: %.2fx\n", div(co, cs)
	}' "$T_DIR/opendkim.drive" "$T_DIR/smtp2.drive"
}

# bench_failures - print every reported failure; 0 when there were none
bench_failures() {
	local f bad=0 n files
	for f in opendkim smtp2; do
		read -r n files < <(sed -n 's/^done //p' "$T_DIR/$f.drive") || true
		[ "${n:-1}" = 0 ] && continue
		bad=1
		echo "$f: ${n:-?} messages sent did not pass, from ${files:-?} corpus files:"
		grep '^fail ' "$T_DIR/$f.drive" | sed "s/^/  $f: /"
	done
	return "$bad"
}

bench_need
t_mktemp
note "dkim milter bench in $T_DIR"
"$bench_dir/dkim_corpus.sh" "$T_DIR/corpus" || die "dkim_corpus.sh failed"
bench_zone_keys "$T_DIR/corpus/keys.txt"
pki_make
DNS_CHILDREN="$DNS_CHILDREN corpus:signed"
dns_up
bench_dns_check
bench_opendkim_start
bench_smtp2_start

bench_drive opendkim "$ODK_SOCK" "$ODK_PID"
bench_drive smtp2 "$S2_SOCK" "$S2_PID"

echo "dkim milter: $(wc -l <"$T_DIR/corpus/corpus.list") corpus messages, $per_conn per" \
	"connection, unix sockets, keys from DNSSEC-signed DNS (opendkim: libunbound" \
	"forwarding to the test unbound; smtp2: its own resolver and caches)," \
	"$seconds s per milter; us CPU = milter process CPU per message"
if ! bench_failures; then
	echo "dkim milter: no figures: not every message passed"
	exit 1
fi
bench_report
