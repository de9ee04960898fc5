#!/bin/bash
# t_submission.sh - RFC 6409 message submission through the real Postfix
# (a submission smtpd with Cyrus SASL and STARTTLS) and smtp2-milter:
# every rule, accepted and refused, checked on the SMTP replies and on the
# delivered headers; MX traffic on the other port stays untouched.
. "$(dirname "$0")/lib/expect.sh"
. "$(dirname "$0")/lib/submission.sh"

stack_need
need_cmd saslpasswd2
submission_prepare
SUB_EXTRA='postmaster_no_auth = true; log_rate = 1000;'
SMTP2_EXTRA_CONF="$(submission_conf)
requiretls = { senders = [ \"bob@example.net\" ]; };"
stack_up permissive
submission_up
note "submission smtpd on 127.0.0.1:$SUB_PORT"

ALICE=(--tls --auth PLAIN --auth-user alice@example.net --auth-password "$SUB_PASSWORD")
BOB=(--tls --auth PLAIN --auth-user bob@example.net --auth-password "$SUB_PASSWORD")

# Authenticated, over TLS, no Date or Message-ID.  Postfix's cleanup adds
# the missing ones before any milter sees the header: exactly one each.
sub_send "$(sub_msg s1 'Alice <alice@example.net>')" "${ALICE[@]}" \
	--from alice@example.net --to someone@example.net
expect_accepted "alice, authenticated over TLS: accepted"
expect_delivered "alice: delivered"
expect_header_count '^Date: [A-Z][a-z]{2}, [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}' 1 \
	"alice: one valid Date"
expect_header_count '^Message-I[dD]: <' 1 "alice: one Message-ID"
expect_no_header '^Sender:' "alice: no Sender (the login is the From address)"
expect_no_header '^(X-SMTP2-Verified|Authentication-Results: mx\.example\.net; smtp2)' \
	"alice: no smtp2 stamp on submitted mail"
check "alice: log says the verdict was skipped" \
	grep -Eq "submission stage=eom queue=$SEND_QID .*login=\"alice@example.net\" .*action=accept .*verdict=skipped" "$SMTP2_LOG"

# Another of her addresses in From: Sender names the login.
sub_send "$(sub_msg s2 'A. Smith <a.smith@example.net>' 'Date: Tue, 1 Jul 2025 12:00:00 +0200' \
	'Message-ID: <kept.1@client.example.net>')" "${ALICE[@]}" \
	--from a.smith@example.net --to someone@example.net
expect_accepted "alice as a.smith: accepted"
expect_delivered "alice as a.smith: delivered"
expect_header '^Sender: alice@example\.net$' "a.smith: Sender: alice@example.net added"
expect_header '^Date: Tue, 1 Jul 2025 12:00:00 \+0200$' "a.smith: valid Date kept"
expect_header '^Message-ID: <kept\.1@client\.example\.net>$' "a.smith: valid Message-ID kept"

# An invalid Date and Message-ID are replaced.
sub_send "$(sub_msg s3 'alice@example.net' 'Date: yesterday' 'Message-ID: not-an-id')" \
	"${ALICE[@]}" --from alice@example.net --to someone@example.net
expect_accepted "invalid Date and Message-ID: accepted"
expect_delivered "invalid Date and Message-ID: delivered"
expect_no_header '^Date: yesterday' "invalid Date replaced"
expect_header_count '^Date: ' 1 "one Date after replacement"
expect_header '^Message-ID: <[0-9a-f]{32}\.[0-9]+@msa\.example\.net>$' "invalid Message-ID replaced by ours"
expect_header_count '^Message-I[dD]:' 1 "one Message-ID after replacement"

# The null return path is always allowed.
sub_send "$(sub_msg s4 'alice@example.net')" "${ALICE[@]}" --from '<>' --to someone@example.net
expect_accepted "MAIL FROM:<> accepted"

# No STARTTLS: refused at MAIL (RFC 8314).
sub_send "$(sub_msg s5 'alice@example.net')" --auth PLAIN --auth-user alice@example.net \
	--auth-password "$SUB_PASSWORD" --from alice@example.net --to someone@example.net
expect_reply MAIL '530 5\.7\.0 Must issue a STARTTLS command first' "no TLS: 530 5.7.0 at MAIL"

# Not authenticated: only postmaster can be reached (RFC 6409 6.4).
sub_send "$(sub_msg s6 'alice@example.net')" --tls --from alice@example.net --to someone@example.net
expect_reply RCPT '530 5\.7\.0 Authentication required' "no AUTH: 530 5.7.0 at RCPT"
sub_send "$(sub_msg s7 'alice@example.net')" --tls --from alice@example.net \
	--to postmaster@example.net
expect_accepted "no AUTH, to postmaster: accepted"

# A trusted network needs no AUTH.
sub_send "$(sub_msg s8 'someone@example.net')" --tls --local-interface 127.0.0.2 \
	--from someone@example.net --to other@example.net
expect_accepted "trusted network without AUTH: accepted"
expect_delivered "trusted network: delivered"
expect_no_header '^Sender:' "trusted network: no login, no Sender"

# Submission rights: MAIL FROM and From: (RFC 6409 6.1).
sub_send "$(sub_msg s9 'bob@example.net')" "${ALICE[@]}" --from bob@example.net \
	--to someone@example.net
expect_reply MAIL '550 5\.7\.1 Sender address not authorized' "alice as bob: 550 5.7.1 at MAIL"
sub_send "$(sub_msg s10 'Bob <bob@example.net>')" "${ALICE[@]}" --from alice@example.net \
	--to someone@example.net
expect_reply DOT '550 5\.7\.1 From address not authorized' "From: bob by alice: 550 5.7.1 at end of data"
sub_send "$(sub_msg s11 'Anyone <anyone@example.net>')" "${BOB[@]}" --from anyone@example.net \
	--to someone@example.net
expect_accepted "bob may use any example.net address"
expect_delivered "bob as anyone: delivered"
expect_header '^Sender: bob@example\.net$' "bob as anyone: Sender: bob@example.net"
expect_no_header '^X-SMTP2-RequireTLS:' "anyone@: no REQUIRETLS mark"
sub_send "$(sub_msg s11b 'bob@example.net')" "${BOB[@]}" --from bob@example.net \
	--to someone@example.net
expect_accepted "bob, a REQUIRETLS sender: accepted"
expect_delivered "bob: delivered"
expect_header '^X-SMTP2-RequireTLS: yes' "submitted mail gets the REQUIRETLS mark too"

# Recipient permissions (RFC 6409 6.2).
sub_send "$(sub_msg s12 'bob@example.net')" "${BOB[@]}" --from bob@example.net \
	--to someone@other.test
expect_reply RCPT '550 5\.7\.1 Recipient not permitted' "bob to other.test: 550 5.7.1 at RCPT"

# Address syntax (RFC 6409 5.1): 501 with 5.1.7 / 5.1.3.
sub_send "$(sub_msg s13 'alice@example.net')" "${ALICE[@]}" --from 'alice..x@example.net' \
	--to someone@example.net
expect_reply MAIL '501 5\.1\.7 Bad sender address syntax' "malformed sender: 501 5.1.7"
sub_send "$(sub_msg s14 'alice@example.net')" "${ALICE[@]}" --from alice@example.net \
	--to '.someone@example.net'
expect_reply RCPT '501 5\.1\.3 Bad recipient address syntax' "malformed recipient: 501 5.1.3"

# Something improper (RFC 6409 4.1): 554.
sub_send "$(sub_msg s15 'alice@example.net')" "${ALICE[@]}" --from alice@example.net \
	--to "$(printf 'x%.0s' {1..70})@example.net"
expect_reply RCPT '554 5\.5\.4 Improper recipient address' "local part over 64 bytes: 554 5.5.4"

# Fully-qualified domains (RFC 6409 4.2): 554, single labels expanded.
sub_send "$(sub_msg s16 'alice@example.net')" "${ALICE[@]}" --from alice@example.net \
	--to someone@printer.local
expect_reply RCPT '554 5\.1\.2 The recipient domain must be fully qualified' \
	"recipient in .local: 554 5.1.2"
sub_send "$(sub_msg s17 'bob@sales.example.net' 'Cc: Sales <team@sales>')" "${BOB[@]}" \
	--from bob@sales --to someone@sales
expect_accepted "single-level domains: accepted"
expect_delivered "single-level domains: delivered"
expect_header '^Cc: Sales <team@sales\.example\.net>$' "Cc: sales expanded to sales.example.net"
check "envelope sender expanded" grep -q 'bob@sales\.example\.net' "$DELIVERED"
check "envelope recipient expanded" grep -q 'someone@sales\.example\.net' "$DELIVERED"
sub_send "$(sub_msg s18 'bob@example.net')" "${BOB[@]}" --from bob@example.net \
	--to someone@squeaky.sales
expect_reply RCPT '550 5\.7\.1' "multi-level squeaky.sales never expanded (and not bob's)"

# Message checks (RFC 6409 6.3): 554 after end of data.
sub_send "$(sub_msg s19 'alice@example.net' 'Subject: second subject')" "${ALICE[@]}" \
	--from alice@example.net --to someone@example.net
expect_reply DOT '554 5\.6\.0 More than one Subject header' "two Subject headers: 554 5.6.0"
sub_send "$(sub_msg s20 'alice@example.net' 'Cc: x@printer.local')" "${ALICE[@]}" \
	--from alice@example.net --to someone@example.net
expect_reply DOT '554 5\.6\.0 Cc header: domain printer\.local is not fully qualified' \
	"unqualified Cc domain: 554 5.6.0"

# Refusals are logged, with the rule.
check "refusals logged with their rule" \
	bash -c "grep -Eq 'submission stage=mail .*action=reject code=550 dsn=5\.7\.1 rule=rights' '$SMTP2_LOG' &&
		grep -Eq 'submission stage=rcpt .*rule=fqdn' '$SMTP2_LOG'"

# MX traffic on the other port is judged as before.
send_mail legacy.test -
expect_accepted "MX port: legacy.test accepted"
expect_verdict eom 'domain=legacy\.test result=none ' "MX port: smtp2 verdict as before"

# Second configuration: AUTH required at MAIL, three log lines a minute.
SUB_EXTRA='log_rate = 3;'
SMTP2_EXTRA_CONF=$(submission_conf)
stack_restart_mode permissive
sub_send "$(sub_msg s22 'alice@example.net')" --tls --from alice@example.net \
	--to postmaster@example.net
expect_reply MAIL '530 5\.7\.0 Authentication required' "no AUTH: 530 5.7.0 at MAIL"
before=$(grep -c 'submission stage=mail .*action=reject' "$SMTP2_LOG")
for i in 1 2 3 4 5 6; do
	sub_send "$(sub_msg "r$i" 'alice@example.net')" --tls --from alice@example.net \
		--to someone@example.net
done
expect_reply MAIL '530 5\.7\.0' "still refused when no longer logged"
after=$(grep -c 'submission stage=mail .*action=reject' "$SMTP2_LOG")
assert_eq "$((after - before + 1))" 3 "log rate: 3 refusal lines in the minute, not 7"

stack_down
t_done
