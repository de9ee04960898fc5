#!/bin/bash
# t_milter_forged.sh - smtp2-milter alone under miltertest: forged smtp2
# headers are deleted, exactly one of each stamp inserted
# (tests/integration/milter_forged.lua; set-up as its top comment says:
# permissive mode, TLS facts from macros, a resolver that is not there so
# lookups fail fast).
. "$(dirname "$0")/lib/stack.sh"

LUA=$SMTP2_SRC/tests/integration/milter_forged.lua
[ -f "$LUA" ] || skip "$LUA not present"
smtp2_need_bins
need_cmd miltertest openssl
t_mktemp
pki_make

free_port MILTER_PORT
SMTP2_LOG=$T_DIR/smtp2.log
SMTP2_CONF=$T_DIR/milter.conf
# A syntactically valid root DS: nothing is ever validated against it.
printf '. 3600 IN DS 4242 13 2 %s\n' "$(printf '%064d' 0)" >"$T_DIR/root.ds"
cat >"$SMTP2_CONF" <<EOF
dns     = { resolvers = [ "127.0.0.1:1" ]; trust_anchors = "$T_DIR/root.ds";
            dnssec = "off"; timeout_ms = 500; };
tls     = { ca_file = "$PKI_DIR/ca.crt"; };
policy  = { mode = "permissive"; authserv_id = "mx.example.net"; };
milter  = { socket = "inet:$MILTER_PORT@127.0.0.1"; tls_source = "macros"; };
log     = { to = "file:$SMTP2_LOG"; level = "info"; };
daemon  = { allow_root = true; };
EOF

smtp2_start_one milter "$SMTP2_MILTER" "$MILTER_PORT"
MILTER_PID=$SMTP2_LAST_PID

out=$(timeout 60 miltertest -s "$LUA" -D "MILTER_SOCKET=inet:$MILTER_PORT@127.0.0.1" \
	-D AUTHSERV_ID=mx.example.net 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ "$rc" = 0 ] && grep -q '^milter_forged: ok' <<<"$out"; then
	pass "milter_forged.lua: forged headers deleted, one stamp of each"
else
	fail "milter_forged.lua: miltertest exit $rc"
fi
grep -E 'verdict stage=eom' "$SMTP2_LOG" 2>/dev/null | sed 's/^/# log: /'
check "milter logged a verdict per message" \
	test "$(grep -c 'verdict stage=eom' "$SMTP2_LOG" 2>/dev/null)" -ge 2
check "smtp2-milter still running" pid_alive "$MILTER_PID"
smtp2_stop
smtp2_check_reports
t_done
