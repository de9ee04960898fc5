#!/bin/bash
# t_requiretls.sh - REQUIRETLS on Postfix 3.7 (docs/requiretls.md): a
# message that milter.conf's requiretls rules mark is FILTERed by
# smtp2-policyd to the shipped smtp2-tls transport, and the receiving side
# (an smtp-sink without TLS) never gets it: the sender gets a 5.7.10 bounce.
# Unmarked mail is delivered as before; the TLS-Required header (RFC and
# draft spellings, one or two instances) is recorded in the header and the
# verdict line; the REQUIRETLS MAIL parameter is refused by Postfix 3.7.
. "$(dirname "$0")/lib/expect.sh"

stack_need
t_mktemp

# The receiving side for marked mail: no STARTTLS at all.
sink_extra notls

# The transport exactly as shipped, its DSN filter from the test tree.
cp "$SMTP2_SRC/packaging/postfix/smtp2-tls-dsn.regexp" "$T_DIR/smtp2-tls-dsn.regexp"
PF_EXTRA_MASTER_CF=$(sed -e '/^#/d' \
	-e "s|/etc/postfix/smtp2-tls-dsn.regexp|$T_DIR/smtp2-tls-dsn.regexp|" \
	"$SMTP2_SRC/packaging/postfix/master.cf.snippet")
# FILTER bypasses transport_maps and relayhost: the next hop is named in
# the rule, so nothing ever looks up example.net in real DNS.
SMTP2_EXTRA_CONF="requiretls = { recipients = [ \"vault@example.net\" ];
    domains = [ \".vault.example.net\" ];
    transport = \"smtp2-tls:[127.0.0.1]:$notls_PORT\"; };"
# Subdomains of example.net are relayed too (case 2).
PF_EXTRA_MAIN_CF="relay_domains = example.net, .example.net"
stack_up enforce

# 1. Marked by recipient: FILTERed, never delivered to the plain receiver,
# bounced with 5.7.10.
SEND_TO=vault@example.net send_mail legacy.test -
VAULT_ID=$SEND_ID
expect_accepted "marked message: accepted by the MX"
expect_verdict rcpt 'action=(accept|tag) reason=".*" ms=[0-9]+ requiretls=rule filter=smtp2-tls:\[127\.0\.0\.1\]:[0-9]+$' \
	"marked message: rcpt verdict says FILTER"
expect_verdict eom ' requiretls=rule tls_required=none$' "marked message: eom verdict requiretls=rule"
if wait_grep "$PF_LOG" "postfix/smtp2-tls/smtp.*to=<vault@example.net>.*status=(bounced|deferred)" 150; then
	pass "marked message: left through the smtp2-tls transport and failed"
else
	fail "marked message: no smtp2-tls delivery attempt in maillog"
fi
assert_grep "$PF_LOG" "to=<vault@example.net>.*dsn=5\.7\.10, status=bounced \(REQUIRETLS: TLS is required, but was not offered by host 127\.0\.0\.1" \
	"marked message: bounced 5.7.10, TLS not offered"
check "marked message: nothing reached the receiver without TLS" \
	test -z "$(ls -A "$notls_DIR")"
BOUNCE=""
for ((i = 0; i < 100; i++)); do
	BOUNCE=$(grep -rlF -- "X-Test: $VAULT_ID" "$SINK_DIR" 2>/dev/null | head -1)
	[ -n "$BOUNCE" ] && break
	sleep 0.1
done
if [ -n "$BOUNCE" ] && grep -q '^Status: 5\.7\.10' "$BOUNCE" &&
    grep -q '^Content-Type: multipart/report; report-type=delivery-status' "$BOUNCE"; then
	pass "marked message: the sender's bounce is a DSN with Status: 5.7.10"
else
	fail "marked message: no 5.7.10 DSN for $VAULT_ID in $SINK_DIR"
fi
check "marked message: the DSN names the reason" \
	grep -q '^Diagnostic-Code: X-Postfix; REQUIRETLS: TLS is required, but was not offered' "$BOUNCE"
check "marked message: the bounce went to the sender" \
	grep -q "^To: $VAULT_ID@legacy.test" "$BOUNCE"
assert_grep "$BOUNCE" '^X-SMTP2-RequireTLS: yes; by=rule$' \
	"marked message: it was tagged X-SMTP2-RequireTLS: yes; by=rule (headers in the DSN)"

# 2. Marked by a subdomain rule, with a second, unmarked recipient: the
# whole message takes the TLS transport (FILTER is per message).
send_mail legacy.test - --to "a@mx.vault.example.net,b@example.net"
expect_accepted "subdomain rule: accepted"
expect_verdict rcpt 'rcpt=a@mx\.vault\.example\.net .* requiretls=rule filter=' "subdomain rule: FILTER"
if wait_grep "$PF_LOG" "postfix/smtp2-tls/smtp.*to=<b@example.net>.*status=bounced" 150; then
	pass "subdomain rule: the unmarked recipient took the TLS transport too"
else
	fail "subdomain rule: b@example.net did not go through smtp2-tls"
fi

# 3. Unmarked: delivered as before, no tag, no extra log fields.
send_mail legacy.test -
expect_accepted "unmarked message: accepted"
expect_delivered "unmarked message: delivered to the plain receiver"
expect_no_header '^X-SMTP2-RequireTLS:' "unmarked message: no X-SMTP2-RequireTLS"
expect_no_verdict_match rcpt 'requiretls=' "unmarked message: rcpt verdict without requiretls"
expect_no_verdict_match eom 'requiretls=' "unmarked message: eom verdict without requiretls"

# 4. TLS-Required: No (RFC 8689) is recorded; a forged tag is replaced.
send_mail legacy.test - --add-header "TLS-Required: No" \
	--add-header "X-SMTP2-RequireTLS: yes; by=mail-param"
expect_accepted "TLS-Required: No: accepted"
expect_delivered "TLS-Required: No: delivered"
expect_header '^X-SMTP2-RequireTLS: no; tls-required=no$' "TLS-Required: No: recorded in the header"
expect_header_count '^X-SMTP2-RequireTLS:' 1 "TLS-Required: No: the forged tag is gone"
expect_header '^TLS-Required: No' "TLS-Required: No: the field itself travels on"
expect_verdict eom ' requiretls=- tls_required=no$' "TLS-Required: No: eom verdict tls_required=no"

# 5. The draft's spelling.
send_mail legacy.test - --add-header "RequireTLS: NO"
expect_delivered "RequireTLS: NO (draft): delivered"
expect_header '^X-SMTP2-RequireTLS: no; tls-required=draft-no$' "RequireTLS: NO: recognised as the draft's"
expect_verdict eom ' tls_required=draft-no$' "RequireTLS: NO: eom verdict tls_required=draft-no"

# 6. Two instances, multiple = "flag" (the default): delivered, flagged.
send_mail legacy.test - --add-header "TLS-Required: No" --add-header "TLS-Required: No"
expect_accepted "two TLS-Required, flag: accepted"
expect_delivered "two TLS-Required, flag: delivered"
expect_header '^X-SMTP2-RequireTLS: no; tls-required=multiple$' "two TLS-Required, flag: flagged"
expect_verdict eom ' tls_required=multiple$' "two TLS-Required, flag: eom verdict tls_required=multiple"

# 7. The REQUIRETLS MAIL parameter: Postfix 3.7 refuses it before any
# milter sees it (docs/requiretls.md).
MAILPARAM=$(/usr/bin/python3 - "$PF_PORT" <<'EOF' 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("mx.legacy.test")
code, text = s.docmd("MAIL FROM:<p@legacy.test> REQUIRETLS")
print(code, text.decode(errors="replace"))
s.quit()
EOF
)
case "$(postconf -h mail_version)" in
3.[0-9].* | 3.10.*)
	assert_match "$MAILPARAM" '^555 5\.5\.4 ' "MAIL FROM ... REQUIRETLS: Postfix before 3.11 says 555 5.5.4" ;;
*)
	note "Postfix $(postconf -h mail_version): MAIL parameter reply: $MAILPARAM" ;;
esac

# 8. The dedicated policy service, ahead of permit_mynetworks (outbound).
PF_EXTRA_MAIN_CF="$PF_EXTRA_MAIN_CF
smtpd_relay_restrictions = check_policy_service { inet:127.0.0.1:$POLICYD_PORT, timeout=10s, policy_context=smtp2_requiretls }, reject_unauth_destination"
postfix_reconfigure "$POLICYD_PORT" "$MILTER_PORT"
SEND_TO=vault@example.net send_mail legacy.test -
expect_accepted "dedicated service: accepted"
if wait_grep "$SMTP2_LOG" "requiretls stage=rcpt .*sender=$SEND_ID@legacy\.test rcpt=vault@example\.net action=filter filter=smtp2-tls:" 50; then
	pass "dedicated service: its own requiretls line, FILTER"
else
	fail "dedicated service: no requiretls line for $SEND_ID"
fi

# 9. Two instances, multiple = "reject": refused at end of data.
SMTP2_EXTRA_CONF="requiretls = { multiple = \"reject\"; };"
stack_restart_mode enforce
send_mail legacy.test - --add-header "TLS-Required: No" --add-header "TLS-Required: No"
expect_reply DOT '550 5\.6\.0 ' "two TLS-Required, reject: 550 5.6.0 at end of data"
send_mail legacy.test - --add-header "TLS-Required: No"
expect_accepted "one TLS-Required, reject: accepted"

check "smtp2-policyd and smtp2-milter still running" smtp2_alive
stack_down
t_done
