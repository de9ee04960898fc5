#!/bin/bash
# t_enforce.sh - the receiver in enforce mode, through the real Postfix,
# smtp2-policyd, smtp2-milter, unbound and nsd: genuine, spoofed, legacy,
# insecure, bogus and header-forging senders.
. "$(dirname "$0")/lib/expect.sh"

stack_up enforce

# Genuine: bank.test's own server, its certificate pinned by TLSA 3 1 1.
send_mail bank.test mx.bank.test
expect_accepted "bank.test with its own certificate: accepted"
expect_verdict rcpt 'domain=bank\.test result=pass method=(dane|pkix) dnssec=secure record=yes policy=enforce mode=enforce action=accept' \
	"bank.test genuine: rcpt verdict pass"
expect_verdict eom 'domain=bank\.test result=pass .* action=accept' "bank.test genuine: eom verdict pass"
expect_delivered "bank.test genuine: delivered"
expect_header '^X-SMTP2-Verified: yes; domain=bank\.test' "bank.test genuine: X-SMTP2-Verified: yes"
expect_header '^Authentication-Results: mx\.example\.net; smtp2=pass .*header\.from=bank\.test' \
	"bank.test genuine: Authentication-Results smtp2=pass"
expect_header_count '^X-SMTP2-Verified:' 1 "bank.test genuine: one X-SMTP2-Verified"

# Spoofed: no client certificate at all.
send_mail bank.test -
expect_reply RCPT '550 5\.7\.1' "bank.test without certificate: 550 5.7.1 at RCPT"
expect_verdict rcpt 'domain=bank\.test result=fail .*policy=enforce mode=enforce action=reject' \
	"bank.test without certificate: rcpt verdict fail/reject"

# Spoofed: another domain's valid, CA-trusted certificate.
send_mail bank.test mx.other.test
expect_reply RCPT '550 5\.7\.1' "bank.test with mx.other.test's certificate: 550 5.7.1 at RCPT"
expect_verdict rcpt 'domain=bank\.test result=fail .*action=reject' \
	"bank.test with other's certificate: rcpt verdict fail/reject"

# The other domain with its own certificate is fine (the cert is valid).
send_mail other.test mx.other.test
expect_accepted "other.test with its own certificate: accepted"
expect_verdict rcpt 'domain=other\.test result=pass ' "other.test genuine: rcpt verdict pass"

# DANE only: self-signed certificate pinned with TLSA 3 0 1.
send_mail pinned.test mx.pinned.test
expect_accepted "pinned.test with its self-signed pinned certificate: accepted"
expect_verdict rcpt 'domain=pinned\.test result=pass method=dane dnssec=secure' \
	"pinned.test: rcpt verdict pass by dane"
expect_delivered "pinned.test: delivered"
expect_header '^X-SMTP2-Verified: yes; domain=pinned\.test; method=dane' "pinned.test: X-SMTP2-Verified: yes (dane)"
expect_header '^Authentication-Results: mx\.example\.net; smtp2=pass \(method=dane' \
	"pinned.test: Authentication-Results smtp2=pass (method=dane)"

# Legacy sender: no _smtp2 record.
send_mail legacy.test -
expect_accepted "legacy.test: accepted"
expect_verdict rcpt 'domain=legacy\.test result=none .*record=no .*action=(accept|tag)' \
	"legacy.test: rcpt verdict none"
expect_verdict eom 'domain=legacy\.test result=none ' "legacy.test: eom verdict none"
expect_delivered "legacy.test: delivered"
expect_header '^Authentication-Results: mx\.example\.net; smtp2=none .*header\.from=legacy\.test' \
	"legacy.test: stamped smtp2=none"
expect_header '^X-SMTP2-Verified: no; domain=legacy\.test' "legacy.test: X-SMTP2-Verified: no"

# Record with p=tag, no proof: tagged, not refused.
send_mail tagonly.test -
expect_accepted "tagonly.test (p=tag) without certificate: accepted"
expect_verdict rcpt 'domain=tagonly\.test result=fail .*policy=tag .*action=tag' \
	"tagonly.test: rcpt verdict fail, tagged"
expect_delivered "tagonly.test: delivered"
expect_header '^X-SMTP2-Verified: no; domain=tagonly\.test' "tagonly.test: X-SMTP2-Verified: no"

# Two v=SMTP2v1 records: permerror, tagged, never a pass.
send_mail broken.test mx.broken.test
expect_verdict rcpt 'domain=broken\.test result=permerror ' "broken.test: rcpt verdict permerror"
expect_accepted "broken.test: accepted (permerror is tagged)"

# Insecure zone: record and pin are there, the certificate matches the pin,
# but nothing is signed and dnssec = required.
send_mail insecure.test mx.insecure.test
expect_no_verdict_match rcpt 'result=pass' "insecure.test with matching but insecure pin: no pass"
expect_verdict rcpt 'domain=insecure\.test result=[a-z]+ method=none' \
	"insecure.test: rcpt verdict logged, method=none"
if [ "$SEND_STAGE" = DOT ] && [ "$SEND_CODE" = 250 ]; then
	expect_delivered "insecure.test: delivered"
	expect_no_header '^X-SMTP2-Verified: yes' "insecure.test: not stamped verified"
	expect_no_header '^Authentication-Results: mx\.example\.net; smtp2=pass' "insecure.test: no smtp2=pass"
fi

# Bogus zone: broken signatures are a temporary error, the sender is asked
# to retry (p=enforce cannot be ruled out).  mx.bogus.test is self-signed
# and pinned in the bogus zone: only DNS could have proven it.
send_mail bogus.test mx.bogus.test
expect_reply RCPT '45[0-9] 4\.' "bogus.test with its bogus-pinned certificate: 450 4.x at RCPT"
expect_verdict rcpt 'domain=bogus\.test result=temperror .*action=defer' \
	"bogus.test: rcpt verdict temperror/defer"
expect_no_verdict_match rcpt 'result=pass' "bogus.test: never pass"

# The same, but the client shows a CA-trusted certificate named for
# bogus.test: DNS trouble must still not end in a pass (pkix must not
# bypass the _smtp2 record that could not be read).
send_mail bogus.test pkix.bogus.test
expect_no_verdict_match rcpt 'result=pass' "bogus.test with a CA-trusted certificate: never pass"
expect_reply RCPT '45[0-9] 4\.' "bogus.test with a CA-trusted certificate: 450 4.x at RCPT"

# Forged stamps: genuine envelope and certificate for bank.test, but the
# From: header is legacy.test and the message carries our own headers,
# faked.  The milter must judge the From: domain and drop the fakes.
send_mail bank.test mx.bank.test \
	--header "From: <forger@legacy.test>" \
	--add-header "X-SMTP2-Verified: yes; domain=legacy.test; method=dane; dnssec=secure" \
	--add-header "Authentication-Results: mx.example.net; smtp2=pass (method=dane, dnssec=secure) header.from=legacy.test"
expect_accepted "forged stamps: accepted"
expect_verdict eom 'domain=legacy\.test result=none ' "forged stamps: eom verdict judges From: legacy.test"
expect_delivered "forged stamps: delivered"
expect_header_count '^X-SMTP2-Verified:' 1 "forged stamps: exactly one X-SMTP2-Verified"
expect_header '^X-SMTP2-Verified: no; domain=legacy\.test' "forged stamps: it says no"
expect_header_count '^Authentication-Results:[[:space:]]*mx\.example\.net' 1 \
	"forged stamps: exactly one Authentication-Results for mx.example.net"
expect_no_header '^Authentication-Results:[[:space:]]*mx\.example\.net; smtp2=pass' \
	"forged stamps: no smtp2=pass left"

check "smtp2-policyd and smtp2-milter still running" smtp2_alive
stack_down
t_done
