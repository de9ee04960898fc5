#!/bin/bash
# t_dkim.sh - DKIM and signing practices end to end: messages signed by a
# real opendkim (rsa-sha256 and ed25519-sha256, relaxed and simple, l=),
# sent through the private Postfix to smtp2-milter, which verifies them
# against keys in the DNSSEC-signed test zone, judges DMARC and ADSP,
# stamps the results and applies dkim.practices; the forwarded-mail rule;
# smtp2-check message on the same files.
#
# Zones (lib/dns.sh): bank.test has _dmarc p=reject and the signing keys;
# tagonly.test has _dmarc p=reject and p=tag for smtp2; legacy.test has
# ADSP dkim=discardable.  other.test's server is the forwarder.
. "$(dirname "$0")/lib/expect.sh"
# shellcheck source=lib/opendkim.sh
. "$(dirname "$0")/lib/opendkim.sh"

stack_need
dkim_need
t_mktemp
dkim_keygen bank.test rsa1 rsa
dkim_keygen bank.test ed1 ed25519
stack_up permissive
opendkim_start rr rsa-sha256 relaxed/relaxed
opendkim_start ss rsa-sha256 simple/simple
opendkim_start ed ed25519-sha256 relaxed/simple
MSG_DIR=$T_DIR/msgs
mkdir -p "$MSG_DIR"
MSG_SEQ=0

# make_msg FROM_DOMAIN - an unsigned message file; prints its path.  Its
# X-Test id is also the envelope sender's local part (send_file).
make_msg() {
	local id f i
	MSG_SEQ=$((MSG_SEQ + 1))
	id="d$$x${MSG_SEQ}x$RANDOM"
	f=$MSG_DIR/$id.eml
	{
		printf 'From: Bank <%s@%s>\r\n' "$id" "$1"
		printf 'To: someone@example.net\r\n'
		printf 'Subject: statement %s\r\n' "$id"
		printf 'Date: %s\r\n' "$(date -R)"
		printf 'Message-ID: <%s@%s>\r\n' "$id" "$1"
		printf 'X-Test: %s\r\n\r\n' "$id"
		for i in $(seq 1 40); do
			printf 'Line %02d of the statement: balance unchanged, nothing to do.\r\n' "$i"
		done
	} >"$f"
	echo "$f"
}

# signed SIGNER [l] - a bank.test message signed by SIGNER; prints its path
signed() {
	local in out
	in=$(make_msg bank.test)
	out=${in%.eml}.signed.eml
	dkim_sign "$1" "$in" "$out" ${2:+"$2"} || die "opendkim $1 did not sign $in"
	echo "$out"
}

# id_of FILE - the X-Test id
id_of() { sed -n 's/^X-Test: *\([^[:space:]]*\).*/\1/p' "$1" | head -n 1 | tr -d '\r'; }

# dkim_ok FILE CERT TITLE SELECTOR ALG - delivered with dkim=pass for bank.test
dkim_ok() {
	send_file "$(id_of "$1")@bank.test" "$2" "$1"
	expect_accepted "$3: accepted"
	expect_delivered "$3: delivered"
	expect_header "^[[:space:]]*dkim=pass .*header\.d=bank\.test .*header\.s=$4 header\.a=$5" \
		"$3: dkim=pass header.d=bank.test header.s=$4"
	expect_header '^[[:space:]]*dmarc=pass .*header\.from=bank\.test' "$3: dmarc=pass"
	expect_verdict eom 'dkim=pass dkim_d=bank\.test dmarc=pass adsp=pass' \
		"$3: verdict line dkim=pass dmarc=pass adsp=pass"
}

# 1. Genuine and signed, every signer.
dkim_ok "$(signed rr)" mx.bank.test "rsa relaxed/relaxed" rsa1 rsa-sha256
dkim_ok "$(signed ss)" mx.bank.test "rsa simple/simple" rsa1 rsa-sha256
dkim_ok "$(signed ed)" mx.bank.test "ed25519 relaxed/simple" ed1 ed25519-sha256
expect_header '^[[:space:]]*dkim=pass \(256-bit key, key dnssec=secure' \
	"ed25519: the key record's DNSSEC status is stamped"

# 2. l=: a footer added after signing (a mailing list) still verifies.
f=$(signed rr l)
printf -- '-- \r\nlist footer added in transit\r\n' >>"$f"
dkim_ok "$f" mx.bank.test "l= with a footer" rsa1 rsa-sha256

# 3. Altered in transit: the body, then the Subject.
f=$(signed rr)
sed -i 's/balance unchanged/balance CHANGED/' "$f"
send_file "$(id_of "$f")@bank.test" mx.bank.test "$f"
expect_delivered "altered body: delivered (proven server, practices tag)"
expect_header '^[[:space:]]*dkim=fail \(.*body hash' "altered body: dkim=fail (body hash ...)"
expect_header '^[[:space:]]*dmarc=fail ' "altered body: dmarc=fail"
f=$(signed ss)
sed -i 's/^Subject: statement/Subject: URGENT statement/' "$f"
send_file "$(id_of "$f")@bank.test" mx.bank.test "$f"
expect_delivered "altered Subject: delivered"
expect_header '^[[:space:]]*dkim=fail \(.*signature does not verify' \
	"altered Subject: dkim=fail (signature does not verify)"
expect_verdict eom 'dkim=fail dkim_d=- dmarc=fail' "altered Subject: verdict line dkim=fail"

# 4. Unsigned: dkim=none, DMARC fails, ADSP says discard for legacy.test.
f=$(make_msg legacy.test)
send_file "$(id_of "$f")@legacy.test" - "$f"
expect_delivered "legacy.test unsigned: delivered under dkim.practices tag"
expect_header '^[[:space:]]*dkim=none' "legacy.test unsigned: dkim=none"
expect_header '^[[:space:]]*dkim-adsp=discard .*header\.from=legacy\.test' \
	"legacy.test unsigned: dkim-adsp=discard"

# 5. smtp2-check message on the same kind of files.
CHECK="$SMTP2_BUILD/tools/smtp2-check"
f=$(signed rr)
"$CHECK" -c "$SMTP2_CONF" message "$f" >"$T_DIR/check.out" 2>&1
assert_eq "$?" 0 "smtp2-check message: signed message exits 0"
assert_grep "$T_DIR/check.out" 'signed by the author.s domain' "smtp2-check message: says signed"
"$CHECK" -c "$SMTP2_CONF" --json message "$f" >"$T_DIR/check.json" 2>&1
check "smtp2-check --json message: valid JSON, dkim pass, dmarc pass" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "message" and d["exit"] == 0, d
assert d["dkim"][0]["result"] == "pass" and d["dkim"][0]["domain"] == "bank.test", d
assert d["dkim"][0]["key_dnssec"] == "secure", d
assert d["dmarc"]["result"] == "pass" and d["dmarc"]["policy"] == "reject", d
' "$T_DIR/check.json"
sed -i 's/balance unchanged/balance CHANGED/' "$f"
"$CHECK" -c "$SMTP2_CONF" message "$f" >"$T_DIR/check2.out" 2>&1
assert_eq "$?" 1 "smtp2-check message: altered message exits 1"
assert_grep "$T_DIR/check2.out" 'body hash' "smtp2-check message: names the body hash"

# 5b. dns.max_queries: eight signatures from eight other domains (a key
# lookup each) and a deep From domain (a DMARC tree walk) need more than
# 16 lookups; past the budget they are not sent, and the report says so.
f=$MSG_DIR/budget.eml
{
	printf 'From: <a@x1.x2.x3.x4.x5.x6.x7.bank.test>\r\n'
	for i in 1 2 3 4 5 6 7 8; do
		printf 'DKIM-Signature: v=1; a=rsa-sha256; d=s%d.nosuch.test; s=sel;\r\n' "$i"
		printf ' h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==\r\n'
	done
	printf 'Subject: budget\r\n\r\nbody\r\n'
} >"$f"
sed 's/^dns     = {/dns     = { max_queries = 16; cache_entries = 0;/' "$SMTP2_CONF" >"$T_DIR/budget.conf"
"$CHECK" -c "$T_DIR/budget.conf" message "$f" >"$T_DIR/check3.out" 2>&1
assert_grep "$T_DIR/check3.out" 'DNS query budget \(16\) spent' \
	"smtp2-check message: lookups past dns.max_queries = 16 are not sent, and said so"
"$CHECK" -c "$SMTP2_CONF" message "$f" >"$T_DIR/check4.out" 2>&1
assert_no_grep "$T_DIR/check4.out" 'query budget' \
	"smtp2-check message: the default budget (64) covers the same message"

# 6. Forwarded: bank.test's signed mail relayed by other.test's server.
# Enforce mode refuses bank.test (p=enforce) from any other server...
stack_restart_mode enforce
f=$(make_msg bank.test)
send_file "$(id_of "$f")@other.test" mx.other.test "$f"
expect_reply DOT '550 5\.7\.1' "forwarded, unsigned: refused at end of data (bank.test p=enforce)"
# ...unless the author's signature vouches and the forwarder proves itself.
f=$(signed rr)
send_file "$(id_of "$f")@other.test" mx.other.test "$f"
expect_accepted "forwarded, signed: accepted"
expect_delivered "forwarded, signed: delivered"
expect_header '^Authentication-Results: mx\.example\.net; smtp2=pass \(forwarded via other\.test, method=dane' \
	"forwarded, signed: smtp2=pass (forwarded via other.test, method=dane ...)"
expect_header '^X-SMTP2-Verified: yes; domain=bank\.test; method=dane; dnssec=secure; via=other\.test' \
	"forwarded, signed: X-SMTP2-Verified: yes ... via=other.test"
expect_verdict eom 'domain=bank\.test result=pass .*action=accept via=other\.test dkim=pass' \
	"forwarded, signed: verdict line via=other.test"
# A forwarder without a certificate proves nothing.
f=$(signed rr)
send_file "$(id_of "$f")@other.test" - "$f"
expect_reply final '550 5\.7\.1' "forwarded, signed, forwarder unproven: refused"
# Switched off: the rule does not apply.
SMTP2_EXTRA_CONF='dkim = { forwarded = false; };' stack_restart_mode enforce
f=$(signed rr)
send_file "$(id_of "$f")@other.test" mx.other.test "$f"
expect_reply DOT '550 5\.7\.1' "dkim.forwarded = false: refused"

# 7. dkim.practices: what DMARC and ADSP may refuse.
SMTP2_EXTRA_CONF='dkim = { practices = "reject-on-p=reject"; };' stack_restart_mode tag
f=$(make_msg tagonly.test)
send_file "$(id_of "$f")@tagonly.test" - "$f"
expect_reply DOT '550 5\.7\.1 .*DMARC policy of reject' \
	"reject-on-p=reject: unsigned tagonly.test (DMARC p=reject) refused"
expect_verdict eom 'domain=tagonly\.test result=fail .*action=reject dkim=none dkim_d=- dmarc=fail' \
	"reject-on-p=reject: verdict line action=reject dmarc=fail"
f=$(make_msg legacy.test)
send_file "$(id_of "$f")@legacy.test" - "$f"
expect_reply DOT '550 5\.7\.1 .*ADSP' "reject-on-p=reject: unsigned legacy.test (ADSP discardable) refused"
SEND_TO=postmaster@example.net send_file "$(id_of "$f")@legacy.test" - "$f"
expect_accepted "reject-on-p=reject: postmaster still reachable"
f=$(signed rr)
send_file "$(id_of "$f")@bank.test" mx.bank.test "$f"
expect_accepted "reject-on-p=reject: signed bank.test from its own server accepted"
SMTP2_EXTRA_CONF='dkim = { practices = "reject-on-discardable"; };' stack_restart_mode tag
f=$(make_msg tagonly.test)
send_file "$(id_of "$f")@tagonly.test" - "$f"
expect_accepted "reject-on-discardable: DMARC p=reject alone does not refuse"
f=$(make_msg legacy.test)
send_file "$(id_of "$f")@legacy.test" - "$f"
expect_reply DOT '550 5\.7\.1 .*ADSP' "reject-on-discardable: unsigned legacy.test refused"

# 8. DNS down under a refusing mode: defer, never guess (daemons restarted
# so nothing is answered from their caches).
unbound_stop
SMTP2_EXTRA_CONF='dkim = { practices = "reject-on-discardable"; };' stack_restart_mode tag
f=$(make_msg legacy.test)
send_file "$(id_of "$f")@legacy.test" - "$f"
expect_reply final '4[0-9][0-9] ' "resolver down: deferred (4xx), not refused or passed"

opendkim_stop_all
stack_down
t_done
