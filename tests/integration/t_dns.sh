#!/bin/bash
# t_dns.sh - the resolver against real signed zones: smtp2-check looks the
# test domains up through the private validating unbound (root DS from
# dns.sh, nothing else trusted) and must report secure, insecure, bogus
# (never believed: temperror), NXDOMAIN, and a dead resolver as temperror.
# Only the test DNS runs: no Postfix, no daemons.
#
# smtp2-check's report is still growing: the checks below look only for a
# lookup's name with the DNSSEC or failure word on one line, or for that
# word on the verdict's dnssec:/result:/reason: line.
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=lib/pki.sh
. "$T_LIB/pki.sh"
# shellcheck source=lib/dns.sh
. "$T_LIB/dns.sh"

CHECK=$SMTP2_BUILD/tools/smtp2-check
TIMEOUT_MS=1000
# Exit statuses of smtp2-check (docs/smtp2-check.md).
EXIT_UNCHECKED=2

skip_unless_root
need_cmd nsd nsd-checkconf unbound unbound-checkconf ldns-keygen \
	ldns-signzone dig openssl ss
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 missing"
[ -x "$CHECK" ] || skip "$CHECK not built (set SMTP2_BUILD)"

t_mktemp
pki_make
dns_up
CONF=$T_DIR/dns.conf
cat >"$CONF" <<EOF
# t_dns.sh: only the resolver settings matter here
dns = { resolvers = [ "127.0.0.1:$UNBOUND_PORT" ];
        trust_anchors = "$DNS_ROOT_DS";
        dnssec = "required";
        timeout_ms = $TIMEOUT_MS; };
EOF

# lookup DOMAIN - smtp2-check domain DOMAIN; sets OUT, RC and MS
lookup() {
	local t0
	t0=$(date +%s%N)
	OUT=$T_DIR/check-$1.out
	"$CHECK" -c "$CONF" domain "$1" >"$OUT" 2>&1
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	sed "s/^/#   $1: /" "$OUT" >&2
}

# A word on its own: "secure" must not match inside "insecure".
word() { printf '(^|[^a-z])%s([^a-z]|$)' "$1"; }

# said NAME TYPE REGEX - the report says REGEX about the lookup NAME TYPE:
# on a line naming it ("_smtp2.bank.test TXT: ok, secure"), or on the
# verdict's own line ("dnssec:   secure", "result:   temperror")
said() {
	local name=${1//./\\.}
	grep -Eiq -- "$name\.? +$2.*($3)|^ *(dnssec|result|reason): +.*($3)" "$OUT"
}

# says NAME TYPE REGEX MSG - one case: said
says() {
	if said "$1" "$2" "$3"; then pass "$4"; else fail "$4 (no /$3/ for $1 $2 in $OUT)"; fi
}

# never NAME TYPE REGEX MSG - one case: not said
never() {
	if said "$1" "$2" "$3"; then fail "$4 (/$3/ for $1 $2 in $OUT)"; else pass "$4"; fi
}

FAILED='tempfail|temperror'

lookup bank.test
says _smtp2.bank.test TXT "$(word secure)" "bank.test: _smtp2 TXT answered, dnssec secure"
never _smtp2.bank.test TXT "$FAILED|bogus|insecure" "bank.test: no failure, nothing less than secure"

lookup insecure.test
says _smtp2.insecure.test TXT "$(word insecure)" "insecure.test: _smtp2 TXT answered, dnssec insecure"
never _smtp2.insecure.test TXT "$(word secure)" "insecure.test: never called secure"

lookup bogus.test
says _smtp2.bogus.test TXT "$FAILED" "bogus.test: _smtp2 TXT is a temporary failure"
says _smtp2.bogus.test TXT "$(word bogus)" "bogus.test: ... because it is bogus"
never _smtp2.bogus.test TXT "$(word ok)|$(word pass)" "bogus.test: the record is never believed"
assert_eq "$RC" "$EXIT_UNCHECKED" "bogus.test: smtp2-check exits $EXIT_UNCHECKED (could not check)"

lookup legacy.test
says _smtp2.legacy.test TXT "$(word nxdomain)|$(word none)|$(word absent)" \
	"legacy.test: no _smtp2 record (NXDOMAIN, result none)"
says _smtp2.legacy.test TXT "$(word secure)" "legacy.test: the absence is proven (secure)"
never _smtp2.legacy.test TXT "$FAILED" "legacy.test: NXDOMAIN is not a failure"

unbound_stop
check "unbound stopped" test -z "$UNBOUND_PID"
# pinned.test: not looked up before, and each smtp2-check run starts cold.
lookup pinned.test
says _smtp2.pinned.test TXT "$FAILED" "resolver down: _smtp2 TXT is a temporary failure"
says _smtp2.pinned.test TXT "timeout|no DNS reply|resolver down" "resolver down: the reason says why"
assert_eq "$RC" "$EXIT_UNCHECKED" "resolver down: smtp2-check exits $EXIT_UNCHECKED (could not check)"
# Every lookup of the run may time out; each ends within timeout_ms.
check "resolver down: answered within 10 s (took ${MS} ms)" test "$MS" -lt 10000

t_done
