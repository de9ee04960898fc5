#!/bin/bash
# t_dkim_sign.sh - the DKIM peer on its own: keys made here, the real
# opendkim signing as a milter (driven by miltertest), and opendkim's own
# verifier (test mode, keys from a file, no DNS) passing every signature,
# so a signed corpus is known good before smtp2 is asked about it.
# Signed files stay in $T_DIR/signed (SMTP2_KEEP=1 keeps them).
. "$(dirname "$0")/lib/opendkim.sh"

skip_unless_root
dkim_need
id opendkim >/dev/null 2>&1 || skip "no opendkim user"
t_mktemp

DOMAIN=bank.test
# signer name:algorithm:canonicalisation
SIGNERS="rsa-rr:rsa-sha256:relaxed/relaxed rsa-ss:rsa-sha256:simple/simple
ed-rr:ed25519-sha256:relaxed/relaxed ed-rs:ed25519-sha256:relaxed/simple"
MSGS="plain folded long"

# msg_plain / msg_folded / msg_long - the unsigned test messages
msg_plain() {
	printf 'From: Alice <alice@%s>\r\nTo: bob@example.net\r\nSubject: plain\r\n' "$DOMAIN"
	printf 'Date: Tue, 05 Mar 2024 10:15:00 +0000\r\nMessage-ID: <plain@%s>\r\n\r\n' "$DOMAIN"
	printf 'Hello Bob,\r\n\r\nthe figures are attached.\r\n'
}
msg_folded() {
	printf 'Received: from a.example.net\r\n\tby mx.%s; Tue, 05 Mar 2024 10:15:00 +0000\r\n' "$DOMAIN"
	printf 'From: "Alice Example"\r\n <alice@%s>\r\n' "$DOMAIN"
	printf 'To: bob@example.net,\r\n\tcarol@example.net\r\nSubject:   spaced    out  \r\n'
	printf 'Date: Tue, 05 Mar 2024 10:15:00 +0000\r\n\r\n'
	printf 'a line with trailing blanks \t \r\n\tindented  with  doubles\r\n\r\n\r\n'
}
msg_long() {
	local i
	printf 'From: alice@%s\r\nTo: bob@example.net\r\nSubject: long\r\n\r\n' "$DOMAIN"
	# ~140 KiB: the body crosses two 64 KiB milter chunks
	for ((i = 0; i < 2000; i++)); do
		printf 'line %05d of a long message, text enough to fill the column.  \r\n' "$i"
	done
}

# sig_tag FILE TAG - the value of TAG in FILE's DKIM-Signature ("" if none)
sig_tag() {
	awk -v t="$2" '
	/^DKIM-Signature:/ { on = 1; s = $0; next }
	on && /^[ \t]/ { s = s $0; next }
	on { exit }
	END {
		gsub(/[ \t\r]/, "", s); sub(/^DKIM-Signature:/, "", s)
		n = split(s, kv, ";")
		for (i = 1; i <= n; i++)
			if (index(kv[i], t "=") == 1) { print substr(kv[i], length(t) + 2); exit }
	}' "$1"
}

# --- keys and their records
dkim_keygen "$DOMAIN" rsa1 rsa
dkim_keygen "$DOMAIN" ed1 ed25519
dkim_key_file "$T_DIR/keys.txt"
p=$(dkim_txt "$DOMAIN" rsa1 | sed 's/.*p=//')
bits=$(base64 -d <<<"$p" | openssl pkey -pubin -inform DER -text -noout 2>/dev/null |
	sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p')
assert_eq "$bits" 2048 "rsa p= is a 2048-bit SubjectPublicKeyInfo"
p=$(dkim_txt "$DOMAIN" ed1 | sed 's/.*p=//')
raw=$(openssl pkey -in "$DKIM_DIR/keys/ed1.$DOMAIN.key" -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n')
assert_eq "$(base64 -d <<<"$p" | od -An -tx1 | tr -d ' \n')" "$raw" "ed25519 p= is the raw 32-byte key"
dkim_zone_records "$DOMAIN" >"$T_DIR/zone.lines"
zone=$(cat "$T_DIR/zone.lines")
assert_count "$T_DIR/zone.lines" '^(rsa1|ed1)\._domainkey\.bank\.test\.[[:blank:]]+IN TXT[[:blank:]]+"' 2 \
	"dkim_zone_records: one TXT line per key, absolute names"
long=$(grep -o '"[^"]*"' <<<"$zone" | awk 'length($0) > 257' | wc -l)
joined=$(grep '^rsa1\.' <<<"$zone" | grep -o '"[^"]*"' | tr -d '"\n')
check "zone strings at most 255 characters, joined they are the record" \
	test "$long" = 0 -a "$joined" = "$(dkim_txt "$DOMAIN" rsa1)"

# --- signers, one per algorithm and canonicalisation
for s in $SIGNERS; do
	name=${s%%:*} rest=${s#*:}
	opendkim_start "$name" "${rest%%:*}" "${rest#*:}"
done
pass "opendkim signers up: $(for s in $SIGNERS; do printf '%s ' "${s%%:*}"; done)"

mkdir -p "$T_DIR/in" "$T_DIR/signed"
for m in $MSGS; do "msg_$m" >"$T_DIR/in/$m.eml"; done
signed=()
for s in $SIGNERS; do
	name=${s%%:*} rest=${s#*:}
	list=$T_DIR/$name.list
	: >"$list"
	for m in $MSGS; do
		printf '%s\t%s\t\n' "$T_DIR/in/$m.eml" "$T_DIR/signed/$name-$m.eml" >>"$list"
		signed+=("$T_DIR/signed/$name-$m.eml")
	done
	printf '%s\t%s\tl\n' "$T_DIR/in/plain.eml" "$T_DIR/signed/$name-plain-l.eml" >>"$list"
	signed+=("$T_DIR/signed/$name-plain-l.eml")
	if dkim_sign_list "$name" "$list"; then
		pass "$name: $(wc -l <"$list") messages signed"
	else
		fail "$name: signing failed"
	fi
	# what the signatures say about themselves
	f=$T_DIR/signed/$name-plain.eml
	got="$(sig_tag "$f" a) $(sig_tag "$f" c) $(sig_tag "$f" d) l=$(sig_tag "$f" l)"
	assert_eq "$got" "${rest%%:*} ${rest#*:} $DOMAIN l=" "$name: a=, c=, d=, no l="
	assert_match "$(sig_tag "$T_DIR/signed/$name-plain-l.eml" l)" '^[0-9]+$' "$name: l= when asked"
	assert_match "$(sig_tag "$f" h | tr "[:upper:]" "[:lower:]")" '(^|:)from:.*from' "$name: From oversigned in h="
done
# A list server appends a footer: l= keeps the signature valid.
for f in "$T_DIR"/signed/*-plain-l.eml; do
	printf -- '-- \r\nlist footer\r\n' >>"$f"
done

# --- a second opinion: opendkim's verifier on everything signed
out=$(dkim_verify_opendkim "$T_DIR/keys.txt" "${signed[@]}")
while read -r f verdict; do
	assert_eq "$verdict" pass "opendkim verifies $(basename "$f")"
done <<<"$out"

# The verifier is not blind: a changed body, a changed signed header.
sed 's/the figures/the fingers/' "$T_DIR/signed/rsa-rr-plain.eml" >"$T_DIR/signed/tampered-body.eml"
sed 's/^Subject: plain/Subject: plane/' "$T_DIR/signed/ed-rs-plain.eml" >"$T_DIR/signed/tampered-subject.eml"
dkim_verify_opendkim "$T_DIR/keys.txt" "$T_DIR"/signed/tampered-*.eml >"$T_DIR/tampered.out"
assert_count "$T_DIR/tampered.out" ' fail ' 2 "opendkim fails a tampered body and a tampered Subject"

# Known opendkim bug (lib/opendkim.sh): ed25519 with simple header
# canonicalisation; reported, not asserted.
opendkim_start ed-ss ed25519-sha256 simple/simple
dkim_sign ed-ss "$T_DIR/in/plain.eml" "$T_DIR/signed/known-bug-ed-ss-plain.eml" &&
	note "opendkim on its own ed25519 simple/simple signature:" \
	"$(dkim_verify_opendkim "$T_DIR/keys.txt" "$T_DIR/signed/known-bug-ed-ss-plain.eml" | cut -d' ' -f2-)"

opendkim_stop_all
logs=$(cat "$DKIM_DIR"/*/opendkim.log 2>/dev/null)
check "signers stopped, nothing in their logs" test -z "$logs" -a -z "$(ls "$DKIM_DIR"/*/pid 2>/dev/null)"
[ -n "$logs" ] && printf '%s\n' "$logs" | sed 's/^/# opendkim: /'
t_done
