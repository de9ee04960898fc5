# shellcheck shell=bash disable=SC2034
# submission.sh - a submission port (RFC 6409) on the private Postfix:
# a second smtpd on loopback with Cyrus SASL (sasldb) and STARTTLS, the
# smtp2 submission rules in milter.conf, and a client for it.
#
#   submission_prepare       SUB_PORT, SUB_DIR, the rights maps (before stack_up)
#   submission_conf          print milter.conf's submission group
#                            (SUB_EXTRA is put inside it)
#   submission_up            users in a sasldb, the smtpd on SUB_PORT, reload
#   sub_msg ID FROM [HEADER...]
#                            a message file without Date or Message-ID
#   sub_send DATAFILE [swaks args...]
#                            one message to SUB_PORT; SEND_* as send_mail
#   sub_log                  smtp2's submission lines of the last message
# Users: alice@example.net, bob@example.net, password $SUB_PASSWORD.

[ -n "${T_SUBMISSION_LOADED:-}" ] && return 0
T_SUBMISSION_LOADED=1
# shellcheck source=stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

SUB_PORT=""
SUB_DIR=""
SUB_PASSWORD=secret

# submission_prepare - port and rights maps, before milter.conf is written
submission_prepare() {
	t_mktemp
	free_port SUB_PORT
	SUB_DIR=$T_DIR/submission
	mkdir -p "$SUB_DIR"
	cat >"$SUB_DIR/rights" <<-'MAP'
	# login              addresses it may use
	alice@example.net    alice@example.net, a.smith@example.net
	bob@example.net      @example.net, @sales.example.net
	MAP
	cat >"$SUB_DIR/recipients" <<-'MAP'
	alice@example.net    *
	bob@example.net      @example.net, @sales.example.net
	MAP
}

# submission_conf - the submission group for SMTP2_EXTRA_CONF
submission_conf() {
	printf 'submission = { ports = [ "%s" ];\n' "$SUB_PORT"
	printf '  trusted_networks = [ "127.0.0.2/32" ];\n'
	printf '  require_tls = true;\n'
	printf '  expand_domain = "example.net";\n'
	printf '  rights = "%s/rights";\n' "$SUB_DIR"
	printf '  recipient_rights = "%s/recipients";\n' "$SUB_DIR"
	printf '  check_message = true;\n'
	printf '  add_sender = true;\n'
	printf '  message_id_domain = "msa.example.net";\n'
	printf '  %s\n};\n' "${SUB_EXTRA:-}"
}

# submission_sasl - Cyrus SASL with a private sasldb for smtpd
submission_sasl() {
	local db=$SUB_DIR/sasldb2 u
	for u in alice bob; do
		echo "$SUB_PASSWORD" | saslpasswd2 -p -f "$db" -c -u example.net "$u" ||
			die "saslpasswd2 $u failed"
	done
	chown postfix "$db"
	chmod 600 "$db"
	mkdir -p "$PF_DIR/etc/sasl"
	printf '%s\n' "pwcheck_method: auxprop" "auxprop_plugin: sasldb" \
		"mech_list: PLAIN LOGIN" "sasldb_path: $db" >"$PF_DIR/etc/sasl/smtpd.conf"
	printf '%s\n' "cyrus_sasl_config_path = $PF_DIR/etc/sasl" \
		"smtpd_sasl_path = smtpd" "smtpd_sasl_type = cyrus" >>"$PF_DIR/etc/main.cf"
}

# submission_up - SASL users, the submission smtpd, Postfix reloaded
submission_up() {
	need_cmd saslpasswd2
	submission_sasl
	printf '127.0.0.2/32 OK\n' >"$SUB_DIR/trusted.cidr"
	# AUTH on, relaying for authenticated or trusted clients; no policy
	# service: the smtp2 sender verdict is for MX traffic.
	printf '%s\n' "127.0.0.1:$SUB_PORT inet n - n - - smtpd" \
		"  -o syslog_name=postfix/submission" \
		"  -o smtpd_sasl_auth_enable=yes" \
		"  -o smtpd_tls_auth_only=no" \
		"  -o smtpd_recipient_restrictions=" \
		"  -o { smtpd_relay_restrictions = permit_sasl_authenticated, check_client_access cidr:$SUB_DIR/trusted.cidr, reject_unauth_destination }" \
		>>"$PF_DIR/etc/master.cf"
	postfix_age_config
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || die "postfix reload failed"
	wait_port "$SUB_PORT" || die "submission port $SUB_PORT not listening: $(tail -5 "$PF_LOG")"
}

# sub_msg ID FROM [HEADER...] - a message file with From, Subject, X-Test
# and the extra header lines; no Date, no Message-ID
sub_msg() {
	local id=$1 from=$2 f h
	shift 2
	mkdir -p "$T_DIR/send"
	f=$T_DIR/send/$id.eml
	{
		printf 'From: %s\r\n' "$from"
		printf 'Subject: submission test %s\r\n' "$id"
		printf 'X-Test: %s\r\n' "$id"
		for h in "$@"; do printf '%s\r\n' "$h"; done
		printf '\r\nHello from the submission test.\r\n'
	} >"$f"
	echo "$f"
}

# sub_send DATAFILE [swaks args...] - SEND_ID from the file's X-Test
sub_send() {
	local file=$1
	shift
	SEND_SEQ=$((SEND_SEQ + 1))
	DELIVERED=""
	SEND_ID=$(sed -n 's/^X-Test: *\([^[:space:]]*\).*/\1/p' "$file" | tr -d '\r' | head -n 1)
	SEND_OUT=$T_DIR/send/$SEND_ID.out
	swaks --server "127.0.0.1:$SUB_PORT" --ehlo client.example.net \
		--timeout 30 --data "$file" "$@" >"$SEND_OUT" 2>&1
	SEND_RC=$?
	send_parse "$SEND_OUT"
	return 0
}

# sub_log - smtp2's submission lines of the last message (by queue id or
# by the sender of a refused one)
sub_log() {
	local re="queue=${SEND_QID:-none} "
	[ -n "${1:-}" ] && re="$re|$1"
	grep -E "submission stage=.*($re)" "$SMTP2_LOG" 2>/dev/null
}
