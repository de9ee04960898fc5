# shellcheck shell=bash disable=SC2034
# common.sh - temp dir, free ports, process tracking and cleanup, waits and
# assertions shared by every integration test.  Source it first.
#
# Environment:
#   SMTP2_KEEP=1   keep the temp dir after the test (its path is printed)
#   SMTP2_DEBUG=1  trace the helpers (set -x)

[ -n "${T_COMMON_LOADED:-}" ] && return 0
T_COMMON_LOADED=1

T_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SMTP2_SRC=${SMTP2_SRC:-$(cd "$T_LIB/../../.." && pwd)}
SMTP2_BUILD=${SMTP2_BUILD:-$SMTP2_SRC/build}

T_DIR=""		# this test's private temp dir
T_PIDS=()		# "pid:name" of everything started, in start order
T_HOOKS=()		# commands run at cleanup, last registered first
T_FAILED=0		# number of failed cases
T_CASES=0		# number of cases run
T_T0=$(date +%s.%N)

[ -n "${SMTP2_DEBUG:-}" ] && set -x

# note - progress message on stderr
note() { printf '# %s\n' "$*" >&2; }

# die - unrecoverable set-up error: clean up (trap) and exit 1
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# skip - the whole test cannot run here: exit 77
skip() {
	printf 'skip: %s\n' "$*" >&2
	exit 77
}

# skip_unless_root - the stack needs root (Postfix, privileged set-up)
skip_unless_root() {
	[ "$(id -u)" = 0 ] || skip "must run as root"
}

# need_cmd CMD... - skip unless every command exists
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}

# t_mktemp - create T_DIR (world-traversable: Postfix runs as postfix)
t_mktemp() {
	[ -n "$T_DIR" ] && return 0
	T_DIR=$(mktemp -d /tmp/smtp2-it.XXXXXX) || die "mktemp failed"
	chmod 755 "$T_DIR"
	trap t_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

# port_busy PORT - true when something listens on PORT (tcp or udp)
port_busy() {
	[ -n "$1" ] || return 1
	ss -Htuln "sport = :$1" 2>/dev/null | grep -q .
}

# port_bindable PORT - try binding tcp and udp on 127.0.0.1:PORT
port_bindable() {
	/usr/bin/python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
p = int(sys.argv[1])
for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", p))
    s.close()
EOF
}

# free_port VAR - set VAR to a port in 20000-32767 (below Linux's ephemeral
# range, so no client connection takes it meanwhile) free on tcp and udp.
# Ports handed out in this test are remembered and never given twice.
T_PORTS=" "
free_port() {
	local i p
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
		case "$T_PORTS" in *" $p "*) continue ;; esac
		port_busy "$p" && continue
		port_bindable "$p" || continue
		T_PORTS="$T_PORTS$p "
		printf -v "$1" '%s' "$p"
		return 0
	done
	die "no free port found"
}

# track_pid PID NAME - remember a process to stop at cleanup
track_pid() {
	T_PIDS+=("$1:$2")
}

# untrack_pid PID - forget a process (after stopping it ourselves)
untrack_pid() {
	local keep=() e
	for e in "${T_PIDS[@]}"; do
		[ "${e%%:*}" = "$1" ] || keep+=("$e")
	done
	T_PIDS=("${keep[@]}")
}

# on_cleanup CMD - run CMD (eval) at cleanup, before processes are killed
on_cleanup() {
	T_HOOKS+=("$1")
}

# pid_alive PID - true while PID exists and is not a zombie
pid_alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$st" in Z*) return 1 ;; esac
	return 0
}

# stop_pid PID [TRIES] - TERM, wait up to TRIES x 0.1 s (default 100),
# then KILL.  Sets STOP_RC: the exit status when PID is our child (128+N
# for signal N), "killed" when KILL was needed, "" when unknown.
STOP_RC=""
stop_pid() {
	local pid=$1 tries=${2:-100} i killed=0
	STOP_RC=""
	if pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < tries; i++)); do
			pid_alive "$pid" || break
			sleep 0.1
		done
		if pid_alive "$pid"; then
			note "pid $pid ignored TERM, sending KILL"
			kill -KILL "$pid" 2>/dev/null
			killed=1
		fi
	fi
	wait "$pid" 2>/dev/null
	STOP_RC=$?
	[ "$killed" = 1 ] && STOP_RC=killed
	# 127: not our child (or already reaped): status unknown
	[ "$STOP_RC" = 127 ] && STOP_RC=""
	return 0
}

# stop_tracked NAME - stop every tracked process called NAME
stop_tracked() {
	local e pid
	for e in "${T_PIDS[@]}"; do
		[ "${e#*:}" = "$1" ] || continue
		pid=${e%%:*}
		stop_pid "$pid"
		untrack_pid "$pid"
	done
}

# t_cleanup - EXIT trap: hooks (reverse order), then every tracked process
# (reverse start order: TERM all, bounded wait, KILL), then the temp dir.
t_cleanup() {
	local rc=$? i e pid alive
	trap - EXIT INT TERM HUP
	set +e
	for ((i = ${#T_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${T_HOOKS[$i]}" >/dev/null 2>&1
	done
	for ((i = ${#T_PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${T_PIDS[$i]%%:*}" 2>/dev/null
	done
	# smtp2-milter (libmilter) needs up to ~5 s to notice SIGTERM
	for ((i = 0; i < 100; i++)); do
		alive=0
		for e in "${T_PIDS[@]}"; do
			pid_alive "${e%%:*}" && alive=1
		done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	for e in "${T_PIDS[@]}"; do
		pid=${e%%:*}
		if pid_alive "$pid"; then
			note "killing ${e#*:} (pid $pid)"
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	T_PIDS=()
	if [ -n "$T_DIR" ] && [ -d "$T_DIR" ]; then
		if [ -n "${SMTP2_KEEP:-}" ] || { [ "$rc" != 0 ] && [ "$rc" != 77 ] &&
		    [ -n "${SMTP2_KEEP_ON_FAIL:-}" ]; }; then
			note "kept $T_DIR"
		else
			rm -rf "$T_DIR"
		fi
	fi
	exit "$rc"
}

# wait_port PORT [TRIES] - wait until something listens on 127.0.0.1:PORT
# (tcp or udp); TRIES x 0.1 s, default 100
wait_port() {
	local port=$1 tries=${2:-100} i
	for ((i = 0; i < tries; i++)); do
		ss -Htuln "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# wait_file FILE [TRIES] - wait until FILE exists and is not empty
wait_file() {
	local f=$1 tries=${2:-100} i
	for ((i = 0; i < tries; i++)); do
		[ -s "$f" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_grep FILE REGEX [TRIES] - wait until FILE has a line matching REGEX
wait_grep() {
	local f=$1 re=$2 tries=${3:-100} i
	for ((i = 0; i < tries; i++)); do
		grep -Eq -- "$re" "$f" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# pass MSG / fail MSG - report one case (TAP-like); fail does not exit
pass() {
	T_CASES=$((T_CASES + 1))
	printf 'ok %d - %s\n' "$T_CASES" "$*"
}
fail() {
	T_CASES=$((T_CASES + 1))
	T_FAILED=$((T_FAILED + 1))
	printf 'not ok %d - %s\n' "$T_CASES" "$*"
}

# check COND-CMD... MSG - pass/fail on the exit status of a command.
# Usage: check "delivered" test -n "$f"
check() {
	local msg=$1
	shift
	if "$@"; then pass "$msg"; else fail "$msg"; fi
}

# assert_grep FILE REGEX MSG - pass when FILE has a line matching REGEX
assert_grep() {
	if [ -f "$1" ] && grep -Eq -- "$2" "$1"; then
		pass "$3"
	else
		fail "$3 (no /$2/ in ${1:-<no file>})"
	fi
}

# assert_no_grep FILE REGEX MSG - pass when no line of FILE matches REGEX
assert_no_grep() {
	if [ -f "$1" ] && ! grep -Eq -- "$2" "$1"; then
		pass "$3"
	else
		fail "$3 (/$2/ found in ${1:-<no file>}, or no file)"
	fi
}

# assert_count FILE REGEX N MSG - exactly N lines of FILE match REGEX
assert_count() {
	local n=0
	[ -f "$1" ] && n=$(grep -Ec -- "$2" "$1")
	if [ "$n" = "$3" ]; then
		pass "$4"
	else
		fail "$4 (/$2/ matched $n times, want $3)"
	fi
}

# assert_eq GOT WANT MSG
assert_eq() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3 (got '$1', want '$2')"; fi
}

# assert_match STRING REGEX MSG
assert_match() {
	if [[ "$1" =~ $2 ]]; then pass "$3"; else fail "$3 (got '$1', want /$2/)"; fi
}

# elapsed - seconds since the test started, one decimal
elapsed() {
	awk -v a="$T_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# t_done - summary line and exit status for the test script
t_done() {
	printf '# %d cases, %d failed, %ss\n' "$T_CASES" "$T_FAILED" "$(elapsed)"
	[ "$T_FAILED" = 0 ] && [ "$T_CASES" -gt 0 ] && exit 0
	exit 1
}
