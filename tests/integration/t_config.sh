#!/bin/bash
# shellcheck disable=SC2034  # ports are read by smtp2_write_conf
# t_config.sh - "-t -c FILE" of every program that reads milter.conf: a
# good file says "configuration OK" (exit 0), a bad one "FILE:LINE: ..."
# (exit 1).  No daemons are started.
. "$(dirname "$0")/lib/stack.sh"

smtp2_need_bins
need_cmd openssl ldns-keygen ldns-signzone
t_mktemp
pki_make
dns_make			# a real root DS file for trust_anchors
UNBOUND_PORT=53			# never contacted: -t only reads the file
POLICYD_PORT=10040 MILTER_PORT=10041
C=$T_DIR/conf
mkdir -p "$C"
smtp2_write_conf enforce "$C/good.conf"

# bad FILE LINE TEXT - good.conf with line LINE replaced by TEXT
bad() {
	awk -v n="$2" -v t="$3" 'NR == n { print t; next } { print }' \
		"$C/good.conf" >"$C/$1"
}
# line numbers in good.conf (see smtp2_write_conf)
line_of() { grep -n -- "$1" "$C/good.conf" | head -1 | cut -d: -f1; }

l_policy=$(line_of '^policy')
l_log=$(line_of '^log')
bad bad-mode.conf "$l_policy" 'policy  = { mode = "banana"; authserv_id = "mx.example.net"; };'
bad bad-key.conf "$l_log" 'log     = { to = "stderr"; level = "info"; colour = true; };'
bad bad-syntax.conf "$l_policy" 'policy  = { mode = "enforce"; authserv_id = ; };'
bad bad-type.conf "$l_policy" 'policy  = { mode = 3; authserv_id = "mx.example.net"; };'

# run_t NAME BIN FILE - run BIN -t -c FILE; sets OUT and RC
run_t() {
	OUT=$("$2" -t -c "$3" 2>&1)
	RC=$?
}

programs="smtp2-policyd:$SMTP2_POLICYD smtp2-milter:$SMTP2_MILTER"
if [ -x "$SMTP2_CHECK" ]; then
	"$SMTP2_CHECK" -h 2>&1 | grep -q -- ' -t' && programs="$programs smtp2-check:$SMTP2_CHECK"
fi

for p in $programs; do
	name=${p%%:*} bin=${p#*:}
	run_t "$name" "$bin" "$C/good.conf"
	if [ "$RC" = 0 ] && grep -qx 'configuration OK' <<<"$OUT"; then
		pass "$name -t good.conf: configuration OK, exit 0"
	else
		fail "$name -t good.conf: exit $RC, output: $(head -3 <<<"$OUT")"
	fi
	for f in bad-mode:$l_policy bad-key:$l_log bad-syntax:$l_policy bad-type:$l_policy; do
		file=$C/${f%%:*}.conf line=${f#*:}
		run_t "$name" "$bin" "$file"
		if [ "$RC" = 1 ] && grep -qF -- "$file:$line: " <<<"$OUT" &&
		    ! grep -q 'configuration OK' <<<"$OUT"; then
			pass "$name -t ${f%%:*}.conf: exit 1: $(grep -F -- "$file:$line: " <<<"$OUT" | head -1 | sed "s|$C/||")"
		else
			fail "$name -t ${f%%:*}.conf: want '$file:$line: ...' exit 1, got exit $RC: $(head -3 <<<"$OUT")"
		fi
	done
	run_t "$name" "$bin" "$C/missing.conf"
	if [ "$RC" = 1 ] && grep -qF -- "$C/missing.conf" <<<"$OUT"; then
		pass "$name -t missing.conf: names the file, exit 1"
	else
		fail "$name -t missing.conf: exit $RC: $(head -3 <<<"$OUT")"
	fi
done
t_done
