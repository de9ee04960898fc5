# shellcheck shell=bash disable=SC2034
# stack.sh - the whole test stack and a mail client for it.
#
#   stack_up MODE     PKI, DNS (nsd + unbound), smtp2-policyd + smtp2-milter
#                     in MODE, Postfix with both wired in, smtp-sink
#   stack_down        stop everything (the EXIT trap does it too)
#   send_mail FROM_DOMAIN CERT_NAME [swaks args...]
#                     one message over STARTTLS; CERT_NAME "" or "-" = no
#                     client certificate.  Sets SEND_* (see below).
#   send_file ENVELOPE_FROM CERT_NAME FILE [swaks args...]
#                     FILE as it is (signed messages); SEND_* as above
#   delivered         the sink file of the last message (after send_mail)
#   verdicts          the smtp2 log lines of the last message

[ -n "${T_STACK_LOADED:-}" ] && return 0
T_STACK_LOADED=1
_stack_lib=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=common.sh
. "$_stack_lib/common.sh"
# shellcheck source=pki.sh
. "$_stack_lib/pki.sh"
# shellcheck source=dns.sh
. "$_stack_lib/dns.sh"
# shellcheck source=postfix.sh
. "$_stack_lib/postfix.sh"
# shellcheck source=smtp2.sh
. "$_stack_lib/smtp2.sh"

STACK_UP_SECONDS=""

# stack_need - skip (77) when something the stack needs is missing
stack_need() {
	skip_unless_root
	need_cmd postfix postconf postqueue smtp-sink nsd nsd-checkconf unbound \
		unbound-checkconf ldns-keygen ldns-signzone dig swaks openssl ss
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 missing"
	id postfix >/dev/null 2>&1 || skip "no postfix user"
	smtp2_need_bins
}

# stack_up MODE - everything, in dependency order
stack_up() {
	local t0
	t0=$(date +%s.%N)
	stack_need
	t_mktemp
	note "stack in $T_DIR"
	pki_make
	dns_up
	smtp2_write_conf "$1"
	smtp2_start
	postfix_up "$POLICYD_PORT" "$MILTER_PORT"
	STACK_UP_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	note "stack up in ${STACK_UP_SECONDS}s (mode $1): smtpd 127.0.0.1:$PF_PORT," \
		"policyd $POLICYD_PORT, milter $MILTER_PORT, unbound $UNBOUND_PORT," \
		"nsd $NSD_PORT, sink $SINK_PORT"
}

# stack_down - Postfix, daemons, resolver, nsd, sink; the temp dir stays
# until the script exits.  Adds one case, no sanitizer/valgrind reports,
# unless STACK_CHECK_REPORTS=0 (the demo).
stack_down() {
	postfix_down
	smtp2_stop
	[ "${STACK_CHECK_REPORTS:-1}" = 0 ] || smtp2_check_reports
	unbound_stop
	stop_tracked nsd
	stop_tracked smtp-sink
}

# stack_restart_mode MODE - the daemons again, with MODE
stack_restart_mode() {
	smtp2_restart "$1"
}

# send_mail FROM_DOMAIN CERT_NAME [swaks args...]
#
# Envelope sender is ID@FROM_DOMAIN where ID is a fresh unique SEND_ID; the
# From: header is the same unless the extra arguments set one (--header
# "From: ..." or --h-From).  Recipient: $SEND_TO (default
# someone@example.net).  Every message carries "X-Test: ID".
#
# Sets: SEND_ID, SEND_OUT (swaks transcript), SEND_RC (swaks exit code),
# SEND_MAIL / SEND_RCPT / SEND_DATA / SEND_DOT (final reply line to MAIL,
# RCPT, DATA and end of data, "" when not reached), SEND_CODE (3-digit code
# of the first failing step, else of end of data), SEND_REPLY (that reply),
# SEND_STAGE (MAIL|RCPT|DATA|DOT: where SEND_CODE came from), SEND_QID.
# Always returns 0: callers look at SEND_CODE.
SEND_SEQ=0
send_mail() {
	local dom=$1 cert=$2 hfrom=1 a tls=()
	shift 2
	SEND_SEQ=$((SEND_SEQ + 1))
	DELIVERED=""
	SEND_ID="t$$x${SEND_SEQ}x$RANDOM"
	mkdir -p "$T_DIR/send"
	SEND_OUT=$T_DIR/send/$SEND_ID.out
	for a in "$@"; do
		case "$a" in
		From:* | from:* | --h-From | --h-from | --header-From | --header-from) hfrom=0 ;;
		esac
	done
	if [ -n "$cert" ] && [ "$cert" != - ]; then
		tls=(--tls-cert "$(pki_cert "$cert")" --tls-key "$(pki_key "$cert")")
	fi
	local hdr=()
	[ "$hfrom" = 1 ] && hdr=(--header "From: <$SEND_ID@$dom>")
	swaks --server "127.0.0.1:$PF_PORT" --tls "${tls[@]}" \
		--ehlo "mx.$dom" --from "$SEND_ID@$dom" \
		--to "${SEND_TO:-someone@example.net}" \
		--timeout 60 "${hdr[@]}" --header "X-Test: $SEND_ID" \
		--header "Subject: smtp2 test $SEND_ID" \
		"$@" >"$SEND_OUT" 2>&1
	SEND_RC=$?
	send_parse "$SEND_OUT"
	return 0
}

# send_file ENVELOPE_FROM CERT_NAME FILE [swaks args...] - FILE sent as it
# is (a signed message must reach the MTA byte for byte: no header added or
# replaced).  SEND_ID is taken from the file's X-Test header; sets SEND_*
# like send_mail.
send_file() {
	local from=$1 cert=$2 file=$3 tls=()
	shift 3
	SEND_SEQ=$((SEND_SEQ + 1))
	DELIVERED=""
	SEND_ID=$(sed -n 's/^X-Test: *\([^[:space:]]*\).*/\1/p' "$file" | head -n 1)
	[ -n "$SEND_ID" ] || die "send_file: $file has no X-Test header"
	mkdir -p "$T_DIR/send"
	SEND_OUT=$T_DIR/send/$SEND_ID.out
	if [ -n "$cert" ] && [ "$cert" != - ]; then
		tls=(--tls-cert "$(pki_cert "$cert")" --tls-key "$(pki_key "$cert")")
	fi
	swaks --server "127.0.0.1:$PF_PORT" --tls "${tls[@]}" \
		--ehlo "mx.${from#*@}" --from "$from" \
		--to "${SEND_TO:-someone@example.net}" \
		--timeout 60 --data "$file" "$@" >"$SEND_OUT" 2>&1
	SEND_RC=$?
	send_parse "$SEND_OUT"
	return 0
}

# send_parse FILE - the SEND_* replies from a swaks transcript
send_parse() {
	local k v s n
	SEND_MAIL="" SEND_RCPT="" SEND_DATA="" SEND_DOT=""
	# "STAGE<TAB>final reply line" for MAIL, RCPT, DATA and end of data
	while IFS=$'\t' read -r k v; do
		case "$k" in
		MAIL) SEND_MAIL=$v ;;
		RCPT) SEND_RCPT=$v ;;
		DATA) SEND_DATA=$v ;;
		DOT) SEND_DOT=$v ;;
		esac
	done < <(awk '
	# sent: " -> X" (plain), " ~> X" (TLS); received: "<-  NNN", "<~  NNN",
	# errors "<** NNN", "<~* NNN"; the last line of a reply has "NNN "
	/^ *[-~]> / {
		line = $0; sub(/^ *[-~]> /, "", line)
		if (line ~ /^MAIL FROM:/) cmd = "MAIL"
		else if (line ~ /^RCPT TO:/) cmd = "RCPT"
		else if (line ~ /^DATA$/) cmd = "DATA"
		else if (line == "." && cmd == "DATA") cmd = "DOT"
		else if (cmd != "DATA") cmd = "OTHER"
		next
	}
	/^<[-~*][-~* ] *[0-9][0-9][0-9] / {
		line = $0; sub(/^<[-~*][-~* ] */, "", line); gsub(/\t/, " ", line)
		if (cmd == "MAIL" || cmd == "RCPT" || cmd == "DATA" || cmd == "DOT")
			print cmd "\t" line
	}' "$1")
	SEND_STAGE="" SEND_REPLY=""
	for s in MAIL RCPT DATA DOT; do
		n=SEND_$s
		v=${!n}
		[ -n "$v" ] || break
		SEND_STAGE=$s SEND_REPLY=$v
		case "$v" in [23]*) ;; *) break ;; esac
	done
	SEND_CODE=${SEND_REPLY%% *}
	SEND_QID=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$SEND_DOT")
}

# delivered [TRIES] - path of the sink file of the last message (bounded wait)
delivered() {
	sink_find "$SEND_ID" "${1:-100}"
}

# verdicts - smtp2 log lines about the last message (by sender or queue id)
verdicts() {
	local re="sender=<?$SEND_ID@"
	[ -n "${SEND_QID:-}" ] && re="$re|queue=$SEND_QID( |$)"
	grep -E "verdict .*($re)" "$SMTP2_LOG" 2>/dev/null
}

# wait_verdict STAGE [TRIES] - wait until a verdict line for the last
# message at STAGE (rcpt|eom) is logged; print it
wait_verdict() {
	local stage=$1 tries=${2:-50} i l
	for ((i = 0; i < tries; i++)); do
		l=$(verdicts | grep -E "verdict stage=$stage ")
		[ -n "$l" ] && { echo "$l"; return 0; }
		sleep 0.1
	done
	return 1
}

# show_send - the transcript summary, for failures and the demo
show_send() {
	printf '#   %s\n' "MAIL: ${SEND_MAIL:--}" "RCPT: ${SEND_RCPT:--}" \
		"DATA: ${SEND_DATA:--}" "end:  ${SEND_DOT:--}" "swaks exit $SEND_RC"
}
