# shellcheck shell=bash disable=SC2034
# expect.sh - assertions about the last message sent with send_mail: SMTP
# outcome, delivered headers, verdict lines.  Each prints one "ok"/"not ok"
# line; a failure adds the transcript summary and the verdict lines as
# "#" comments.

[ -n "${T_EXPECT_LOADED:-}" ] && return 0
T_EXPECT_LOADED=1
# shellcheck source=stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

DELIVERED=""		# sink file of the last message, after expect_delivered

# why_not - diagnostics for a failed expectation, once per message
WHY_SHOWN=""
why_not() {
	[ "$WHY_SHOWN" = "$SEND_ID" ] && return 0
	WHY_SHOWN=$SEND_ID
	show_send
	verdicts | sed 's/^/#   log: /'
	[ -n "$DELIVERED" ] && grep -E '^(Authentication-Results|X-SMTP2-Verified):' \
		"$DELIVERED" | sed 's/^/#   hdr: /'
	return 0
}

# expect_reply STAGE CODE_REGEX MSG - the reply at STAGE (RCPT|DOT|...)
# or, with STAGE "final", the deciding reply, matches CODE_REGEX
expect_reply() {
	local stage=$1 re=$2 msg=$3 got n=SEND_$1
	if [ "$stage" = final ]; then
		got=$SEND_REPLY
	else
		got=${!n}
	fi
	if [[ "$got" =~ ^($re) ]]; then
		pass "$msg"
	else
		fail "$msg (got '${got:-no reply}' at $stage, want /$re/)"
		why_not
	fi
}

# expect_accepted MSG - RCPT and end of data answered 250
expect_accepted() {
	if [ "$SEND_STAGE" = DOT ] && [ "$SEND_CODE" = 250 ]; then
		pass "$1"
	else
		fail "$1 (refused: ${SEND_STAGE:-?} '${SEND_REPLY:-no reply}')"
		why_not
	fi
}

# expect_delivered MSG - the message reached the sink; sets DELIVERED
expect_delivered() {
	DELIVERED=""
	if DELIVERED=$(delivered 100); then
		pass "$1"
	else
		DELIVERED=""
		fail "$1 (no file with X-Test: $SEND_ID in $SINK_DIR after 10 s)"
		why_not
	fi
}

# expect_header REGEX MSG - a header line of the delivered message matches
expect_header() {
	if [ -n "$DELIVERED" ] && sink_headers "$DELIVERED" | grep -Eq -- "$1"; then
		pass "$2"
	else
		fail "$2 (no header /$1/)"
		why_not
	fi
}

# expect_no_header REGEX MSG - no header line of the delivered message matches
expect_no_header() {
	if [ -n "$DELIVERED" ] && ! sink_headers "$DELIVERED" | grep -Eq -- "$1"; then
		pass "$2"
	else
		fail "$2 (header /$1/ present, or nothing delivered)"
		why_not
	fi
}

# expect_header_count REGEX N MSG - exactly N header lines match
expect_header_count() {
	local n=-1
	[ -n "$DELIVERED" ] && n=$(sink_headers "$DELIVERED" | grep -Ec -- "$1")
	if [ "$n" = "$2" ]; then
		pass "$3"
	else
		fail "$3 (/$1/ in $n header lines, want $2)"
		why_not
	fi
}

# expect_verdict STAGE REGEX MSG - a verdict line of the last message at
# STAGE (rcpt|eom) matches REGEX (waits up to 5 s for it to be logged)
expect_verdict() {
	local line
	line=$(wait_verdict "$1" 50)
	if [ -n "$line" ] && grep -Eq -- "$2" <<<"$line"; then
		pass "$3"
	else
		fail "$3 (no stage=$1 verdict line matching /$2/)"
		why_not
	fi
}

# expect_no_verdict_match STAGE REGEX MSG - no verdict line at STAGE
# matches REGEX (e.g. never result=pass)
expect_no_verdict_match() {
	if verdicts | grep -E "verdict stage=$1 " | grep -Eq -- "$2"; then
		fail "$3 (a stage=$1 verdict line matches /$2/)"
		why_not
	else
		pass "$3"
	fi
}
