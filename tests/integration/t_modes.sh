#!/bin/bash
# t_modes.sh - permissive, tag and strict: the same senders, the daemons
# restarted with each mode.
. "$(dirname "$0")/lib/expect.sh"

stack_up permissive

for mode in permissive tag strict; do
	[ "$mode" = permissive ] || stack_restart_mode "$mode"

	# A legacy sender (no record).
	send_mail legacy.test -
	if [ "$mode" = strict ]; then
		expect_reply RCPT '550 5\.7\.1' "$mode: legacy.test refused 550 5.7.1 at RCPT"
		expect_verdict rcpt "domain=legacy\.test result=none .*mode=$mode action=reject" \
			"$mode: legacy.test rcpt verdict reject"
	else
		expect_accepted "$mode: legacy.test accepted"
		expect_verdict rcpt "domain=legacy\.test result=none .*mode=$mode action=(accept|tag)" \
			"$mode: legacy.test rcpt verdict"
		expect_verdict eom "domain=legacy\.test result=none .*mode=$mode " \
			"$mode: legacy.test eom verdict"
		expect_delivered "$mode: legacy.test delivered"
		expect_header '^Authentication-Results: mx\.example\.net; smtp2=none ' \
			"$mode: legacy.test stamped smtp2=none"
		expect_header '^X-SMTP2-Verified: no' "$mode: legacy.test X-SMTP2-Verified: no"
	fi

	# Postmaster stays reachable in every mode.
	SEND_TO=postmaster@example.net send_mail legacy.test -
	expect_accepted "$mode: legacy.test to postmaster accepted"
	expect_delivered "$mode: legacy.test to postmaster delivered"
	expect_header '^X-SMTP2-Verified: no' "$mode: postmaster copy stamped X-SMTP2-Verified: no"

	# bank.test (p=enforce) without its certificate.
	send_mail bank.test -
	if [ "$mode" = strict ]; then
		expect_reply RCPT '550 5\.7\.1' "$mode: bank.test without certificate refused 550 5.7.1"
		expect_verdict rcpt "domain=bank\.test result=fail .*mode=$mode action=reject" \
			"$mode: bank.test without certificate rcpt verdict reject"
	else
		expect_accepted "$mode: bank.test without certificate accepted"
		expect_verdict rcpt "domain=bank\.test result=fail .*mode=$mode action=(accept|tag)" \
			"$mode: bank.test without certificate rcpt verdict"
		expect_delivered "$mode: bank.test without certificate delivered"
		expect_header '^X-SMTP2-Verified: no; domain=bank\.test' \
			"$mode: bank.test without certificate X-SMTP2-Verified: no"
	fi

	# bank.test with its certificate passes in every mode.
	send_mail bank.test mx.bank.test
	expect_accepted "$mode: bank.test with its certificate accepted"
	expect_delivered "$mode: bank.test with its certificate delivered"
	expect_header '^X-SMTP2-Verified: yes; domain=bank\.test' \
		"$mode: bank.test with its certificate X-SMTP2-Verified: yes"
done

check "smtp2-policyd and smtp2-milter still running" smtp2_alive
stack_down
t_done
