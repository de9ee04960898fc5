# shellcheck shell=bash disable=SC2034
# postfix.sh - a private Postfix instance (the receiving MX, mx.example.net)
# and an smtp-sink behind it that stores every delivered message as a file.
#
#   postfix_up POLICY_PORT MILTER_PORT   POLICY_PORT/MILTER_PORT may be ""
#                                        (no policy service / no milter)
# Sets PF_DIR, PF_PORT (smtpd), SINK_PORT, SINK_DIR, PF_LOG (maillog).
#
#   PF_EXTRA_MAIN_CF    appended to main.cf (a later line overrides)
#   PF_EXTRA_MASTER_CF  appended to master.cf (extra transports)
#   sink_extra NAME     another smtp-sink: NAME_PORT, NAME_DIR
# Needs pki.sh (server certificate, CA).  Runs as root.

[ -n "${T_POSTFIX_LOADED:-}" ] && return 0
T_POSTFIX_LOADED=1
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PF_DIR=""
PF_PORT=""
PF_LOG=""
SINK_PORT=""
SINK_DIR=""
SINK_PID=""

# sink_start - smtp-sink on 127.0.0.1:SINK_PORT, one file per message
sink_start() {
	free_port SINK_PORT
	SINK_DIR=$T_DIR/sink
	mkdir -p "$SINK_DIR"
	chown postfix "$SINK_DIR"
	# -u: drop to postfix; -d: one file per transaction
	smtp-sink -u postfix -h sink.example.net -d "$SINK_DIR/%M." \
		"127.0.0.1:$SINK_PORT" 64 >"$T_DIR/sink.log" 2>&1 &
	SINK_PID=$!
	track_pid "$SINK_PID" smtp-sink
	wait_port "$SINK_PORT" || die "smtp-sink did not listen: $(cat "$T_DIR/sink.log")"
}

# sink_extra NAME - one more smtp-sink on its own port, no TLS like the
# first; sets NAME_PORT and NAME_DIR (one file per message)
sink_extra() {
	local name=$1 port dir
	free_port port
	dir=$T_DIR/sink-$name
	mkdir -p "$dir"
	chown postfix "$dir"
	smtp-sink -u postfix -h "$name.example.net" -d "$dir/%M." \
		"127.0.0.1:$port" 64 >"$T_DIR/sink-$name.log" 2>&1 &
	track_pid "$!" smtp-sink
	wait_port "$port" || die "smtp-sink $name did not listen: $(cat "$T_DIR/sink-$name.log")"
	printf -v "${name}_PORT" '%s' "$port"
	printf -v "${name}_DIR" '%s' "$dir"
}

# postfix_main_cf POLICY_PORT MILTER_PORT - print main.cf
postfix_main_cf() {
	local policy=$1 milter=$2
	cat <<EOF
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF_LOG
maillog_file_prefixes = $T_DIR
myhostname = mx.example.net
mydomain = example.net
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# 127.0.0.1 is NOT in mynetworks: relaying from the test clients must
# go through the recipient restrictions like any other sender.
mynetworks = 127.0.0.2/32
relay_domains = example.net
local_recipient_maps =
alias_maps =
alias_database =
biff = no
# Everything leaves for the sink; literal addresses, no DNS at all.
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_peername_lookup = no
smtpd_client_port_logging = yes
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_client_connection_rate_limit = 0
in_flow_delay = 0
# TLS: ask every client for a certificate, trust only the test CA.
smtpd_tls_security_level = may
smtpd_tls_cert_file = $(pki_cert mx.example.net)
smtpd_tls_key_file = $(pki_key mx.example.net)
smtpd_tls_CAfile = $PKI_DIR/ca.crt
smtpd_tls_ask_ccert = yes
smtpd_tls_fingerprint_digest = sha256
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_relay_restrictions = reject_unauth_destination
EOF
	if [ -n "$policy" ]; then
		cat <<EOF
smtpd_policy_service_default_action = 451 4.3.5 policy service unavailable
smtpd_recipient_restrictions = check_policy_service { inet:127.0.0.1:$policy, timeout=10s }
EOF
	fi
	if [ -n "$milter" ]; then
		cat <<EOF
smtpd_milters = inet:127.0.0.1:$milter
milter_default_action = tempfail
milter_connect_macros = j {daemon_name} {daemon_addr} v _ {client_addr} {client_port}
milter_end_of_data_macros = i {client_addr} {client_port}
EOF
	fi
	[ -z "${PF_EXTRA_MAIN_CF:-}" ] || printf '%s\n' "$PF_EXTRA_MAIN_CF"
}

# postfix_master_cf - print master.cf: every service chroot = n
postfix_master_cf() {
	cat <<EOF
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	[ -z "${PF_EXTRA_MASTER_CF:-}" ] || printf '%s\n' "$PF_EXTRA_MASTER_CF"
}

# postfix_age_config - Postfix will not read a config file changed within
# the last second or so (it dozes 0.3 s and retries): backdate them
postfix_age_config() {
	touch -d '-10 seconds' "$PF_DIR/etc/main.cf" "$PF_DIR/etc/master.cf"
}

# postfix_queue_dirs - the queue tree as postfix-files describes it, made
# here, plus the "quick-start" marker: "postfix start" then skips its
# integrity checks (post-install create-missing, ~2 s of postconf runs).
postfix_queue_dirs() {
	local q=$PF_DIR/queue d
	for d in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace; do
		install -d -o postfix -m 700 "$q/$d"
	done
	install -d -o postfix -g postdrop -m 730 "$q/maildrop"
	install -d -o postfix -g postdrop -m 710 "$q/public"
	install -d -o root -m 755 "$q/pid"
	touch "$q/quick-start"
}

# postfix_up POLICY_PORT MILTER_PORT - configure and start the instance
postfix_up() {
	t_mktemp
	PF_DIR=$T_DIR/postfix
	PF_LOG=$PF_DIR/maillog
	free_port PF_PORT
	[ -n "$SINK_PORT" ] || sink_start
	mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data"
	chown postfix "$PF_DIR/data"
	postfix_main_cf "$1" "$2" >"$PF_DIR/etc/main.cf"
	postfix_master_cf >"$PF_DIR/etc/master.cf"
	postfix_age_config
	: >"$PF_LOG"
	postfix_queue_dirs
	on_cleanup postfix_down
	postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.log" 2>&1 ||
		die "postfix start: $(cat "$PF_DIR/start.log")"
	wait_file "$PF_DIR/queue/pid/master.pid" || die "postfix master wrote no pid file"
	PF_MASTER_PID=$(tr -d ' \n' <"$PF_DIR/queue/pid/master.pid")
	track_pid "$PF_MASTER_PID" postfix-master
	wait_port "$PF_PORT" || die "postfix smtpd not listening: $(tail -5 "$PF_LOG")"
}

# postfix_reconfigure POLICY_PORT MILTER_PORT - rewrite main.cf, reload
postfix_reconfigure() {
	postfix_main_cf "$1" "$2" >"$PF_DIR/etc/main.cf"
	postfix_age_config
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
	sleep 1		# reload is asynchronous
}

# postfix_down - stop the instance (master by PID as a backstop)
postfix_down() {
	[ -n "$PF_DIR" ] || return 0
	postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
	if [ -n "${PF_MASTER_PID:-}" ]; then
		stop_pid "$PF_MASTER_PID"
		untrack_pid "$PF_MASTER_PID"
		PF_MASTER_PID=""
	fi
}

# postfix_flush - deliver the queue now (deferred mail included)
postfix_flush() {
	postqueue -c "$PF_DIR/etc" -f >/dev/null 2>&1
}

# sink_find ID [TRIES] - print the delivered file carrying "X-Test: ID"
sink_find() {
	local id=$1 tries=${2:-100} i f
	for ((i = 0; i < tries; i++)); do
		f=$(grep -rlF -- "X-Test: $id" "$SINK_DIR" 2>/dev/null | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

# sink_headers FILE - the message header block of a delivered file
sink_headers() {
	awk '/^\r?$/ { exit } { sub(/\r$/, ""); print }' "$1"
}
