# shellcheck shell=bash disable=SC2034
# tlspolicy.sh - an outbound delivery stack for smtp_tls_policy_maps:
#
#   the sending Postfix     the stack's private Postfix (postfix.sh),
#                           relaying the test domains by MX lookup, its
#                           smtp_tls_policy_maps asking smtp2-policyd over
#                           socketmap; it runs in a mount namespace of its
#                           own where /etc/resolv.conf names the test
#                           unbound (127.53.X.Y:53, resolv.conf takes no
#                           port), with options trust-ad for DANE
#   the receiving MX (mx2)  a second private Postfix on 127.0.0.2:MX2_PORT
#                           (smtp_tcp_port on the sender), certificate
#                           mx2.crt from the test PKI naming mx2.<zone> of
#                           every zone below, relaying to the sink
#   an MTA-STS web server   Python's http.server behind TLS on
#                           127.0.0.1:STS_PORT, certificate for
#                           mta-sts.<zone>, serving $STS_DIR/<host>.txt
#
# Zones (added to DNS_CHILDREN; MX 10 mx2.<zone>, mx2 A 127.0.0.2):
#   danemx    signed; TLSA 3 1 1 of mx2's key at _25 and _MX2_PORT; also an
#             MTA-STS record (DANE must win, the policy is never fetched)
#   badmx     signed; TLSA 3 1 1 of mx.bank.test's key: mx2 cannot match
#   plainmx   unsigned; _smtp2 p=enforce
#   sts       signed; MTA-STS enforce, mx: mx2.sts.test
#   stsbad    signed; MTA-STS enforce, mx: mx.elsewhere.test
#   nopolicy  signed; nothing
#
# Order: tp_ports, pki_make, tp_pki, tp_dns_setup, dns_up, then the rest.

[ -n "${T_TLSPOLICY_LOADED:-}" ] && return 0
T_TLSPOLICY_LOADED=1
# shellcheck source=stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

TP_ZONES="danemx:signed badmx:signed plainmx:unsigned sts:signed
stsbad:signed nopolicy:signed"
TP_DOMAINS="danemx.test badmx.test plainmx.test sts.test stsbad.test
nopolicy.test legacy.test"
MX2_ADDR=127.0.0.2
MX2_PORT="" MX2_DIR="" MX2_LOG="" MX2_MASTER_PID=""
STS_PORT="" STS_DIR="" STS_PID=""
TP_PORT="" TP_DNS53=""

# tp_bindable ADDR PORT - can we bind tcp and udp there?
tp_bindable() {
	/usr/bin/python3 - "$1" "$2" <<'EOF' 2>/dev/null
import socket, sys
for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind((sys.argv[1], int(sys.argv[2])))
    s.close()
EOF
}

# tp_ports - the ports and the loopback address for the resolv.conf
tp_ports() {
	local i a
	free_port MX2_PORT
	tp_bindable "$MX2_ADDR" "$MX2_PORT" || die "$MX2_ADDR:$MX2_PORT not bindable"
	free_port STS_PORT
	free_port TP_PORT
	for ((i = 0; i < 50; i++)); do
		a=127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
		tp_bindable "$a" 53 && { TP_DNS53=$a; return 0; }
	done
	die "no loopback address with port 53 free"
}

# tp_cert BASE SAN... - a CA-signed certificate naming every SAN
tp_cert() {
	local base=$1 san="" n
	shift
	for n in "$@"; do san="$san${san:+,}DNS:$n"; done
	pki_req "$PKI_DIR/$base" "$1" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
		-addext basicConstraints=critical,CA:FALSE \
		-addext "subjectAltName=$san" \
		-addext keyUsage=critical,digitalSignature \
		-addext extendedKeyUsage=serverAuth,clientAuth
	pki_digests "$base"
}

# tp_pki - mx2's certificate and the MTA-STS web server's
tp_pki() {
	local z names=() sts=()
	for z in $TP_ZONES; do names+=("mx2.${z%%:*}.test"); done
	tp_cert mx2 "${names[@]}"
	for z in $TP_ZONES; do sts+=("mta-sts.${z%%:*}.test"); done
	tp_cert mta-sts "${sts[@]}"
}

# dns_extra_records NAME - the records of the zones above (dns.sh hook)
dns_extra_records() {
	local z tlsa
	for z in $TP_ZONES; do [ "${z%%:*}" = "$1" ] && break; z=""; done
	[ -n "$z" ] || return 0
	printf '@\tIN MX\t10 mx2\nmx2\tIN A\t%s\n' "$MX2_ADDR"
	case "$1" in
	danemx | badmx)
		tlsa=$(pki_tlsa311 mx2)
		[ "$1" = badmx ] && tlsa=$(pki_tlsa311 mx.bank.test)
		printf '_25._tcp.mx2\tIN TLSA\t3 1 1 %s\n' "$tlsa"
		printf '_%s._tcp.mx2\tIN TLSA\t3 1 1 %s\n' "$MX2_PORT" "$tlsa"
		;;
	plainmx) echo '_smtp2	IN TXT	"v=SMTP2v1; p=enforce"' ;;
	esac
	case "$1" in
	danemx | sts | stsbad)
		echo '_mta-sts	IN TXT	"v=STSv1; id=20261123T1"'
		echo 'mta-sts	IN A	127.0.0.1'
		;;
	esac
}

# tp_dns_setup - our zones and the port-53 interface, before dns_up
tp_dns_setup() {
	DNS_CHILDREN="$DNS_CHILDREN $TP_ZONES"
	DNS_EXTRA_INTERFACE="$TP_DNS53@53"
}

# sts_start - the MTA-STS web server; policies are $STS_DIR/<host>.txt
sts_start() {
	STS_DIR=$T_DIR/sts
	mkdir -p "$STS_DIR"
	cat >"$T_DIR/sts_server.py" <<'EOF'
# HTTPS on 127.0.0.1:PORT serving /.well-known/mta-sts.txt per Host header.
import http.server, os, ssl, sys
port, cert, key, root = sys.argv[1:5]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = os.path.join(root, host + ".txt")
        if self.path != "/.well-known/mta-sts.txt" or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, fmt, *args):
        sys.stderr.write("fetch host=%s %s\n" % (self.headers.get("Host"), fmt % args))
        sys.stderr.flush()
srv = http.server.HTTPServer(("127.0.0.1", int(port)), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
EOF
	/usr/bin/python3 "$T_DIR/sts_server.py" "$STS_PORT" "$(pki_cert mta-sts)" \
		"$(pki_key mta-sts)" "$STS_DIR" >"$T_DIR/sts.log" 2>&1 &
	STS_PID=$!
	track_pid "$STS_PID" sts-server
	wait_port "$STS_PORT" || die "MTA-STS server did not listen: $(cat "$T_DIR/sts.log")"
}

# sts_policy HOST MODE MX... - write HOST's policy
sts_policy() {
	local host=$1 mode=$2 mx
	shift 2
	{
		printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
		for mx in "$@"; do printf 'mx: %s\r\n' "$mx"; done
		printf 'max_age: 86400\r\n'
	} >"$STS_DIR/$host.txt"
}

# mx2_main_cf - the receiving MX: TLS with mx2.crt, relays to the sink
mx2_main_cf() {
	cat <<EOF
compatibility_level = 3.6
queue_directory = $MX2_DIR/queue
data_directory = $MX2_DIR/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $MX2_LOG
maillog_file_prefixes = $T_DIR
myhostname = mx2.danemx.test
mydestination =
# 127.0.0.2 is no interface address: Postfix refuses it here, but
# master.cf binds the smtpd to it all the same.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.2/32
relay_domains = $(echo $TP_DOMAINS)
local_recipient_maps =
alias_maps =
alias_database =
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = may
smtpd_tls_cert_file = $(pki_cert mx2)
smtpd_tls_key_file = $(pki_key mx2)
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_relay_restrictions = reject_unauth_destination
smtpd_error_sleep_time = 0
in_flow_delay = 0
EOF
}

# mx2_up - start the receiving MX
mx2_up() {
	MX2_DIR=$T_DIR/mx2
	MX2_LOG=$MX2_DIR/maillog
	mkdir -p "$MX2_DIR/etc" "$MX2_DIR/queue" "$MX2_DIR/data"
	chown postfix "$MX2_DIR/data"
	mx2_main_cf >"$MX2_DIR/etc/main.cf"
	PF_PORT=$MX2_PORT postfix_master_cf |
		sed "s/^127\.0\.0\.1:$MX2_PORT /$MX2_ADDR:$MX2_PORT /" >"$MX2_DIR/etc/master.cf"
	touch -d '-10 seconds' "$MX2_DIR/etc/main.cf" "$MX2_DIR/etc/master.cf"
	: >"$MX2_LOG"
	(PF_DIR=$MX2_DIR && postfix_queue_dirs)
	on_cleanup mx2_down
	postfix -c "$MX2_DIR/etc" start >"$MX2_DIR/start.log" 2>&1 ||
		die "mx2 postfix start: $(cat "$MX2_DIR/start.log")"
	wait_file "$MX2_DIR/queue/pid/master.pid" || die "mx2 master wrote no pid file"
	MX2_MASTER_PID=$(tr -d ' \n' <"$MX2_DIR/queue/pid/master.pid")
	track_pid "$MX2_MASTER_PID" mx2-master
	wait_port "$MX2_PORT" || die "mx2 smtpd not listening: $(tail -5 "$MX2_LOG")"
}

# mx2_down - stop the receiving MX
mx2_down() {
	[ -n "$MX2_DIR" ] || return 0
	postfix -c "$MX2_DIR/etc" stop >/dev/null 2>&1
	if [ -n "$MX2_MASTER_PID" ]; then
		stop_pid "$MX2_MASTER_PID"
		untrack_pid "$MX2_MASTER_PID"
		MX2_MASTER_PID=""
	fi
}

# sender_up - the stack's Postfix as the sending MTA, in its namespace
sender_up() {
	local pc
	postfix_up "" ""
	pc=(postconf -c "$PF_DIR/etc" -e)
	postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
	stop_pid "$PF_MASTER_PID"
	untrack_pid "$PF_MASTER_PID"
	"${pc[@]}" "relay_domains = example.net $(echo $TP_DOMAINS)" "relayhost =" \
		"smtp_dns_support_level = dnssec" "smtp_host_lookup = dns" \
		"smtp_tcp_port = $MX2_PORT" "smtp_tls_security_level = may" \
		"smtp_tls_CAfile = $PKI_DIR/ca.crt" "smtp_tls_loglevel = 1" \
		"smtp_tls_policy_maps = socketmap:inet:127.0.0.1:$TP_PORT:smtp2tls" ||
		die "postconf -e failed"
	postfix_age_config
	printf 'nameserver %s\noptions trust-ad edns0 timeout:2 attempts:1\n' \
		"$TP_DNS53" >"$T_DIR/resolv.conf"
	rm -f "$PF_DIR/queue/pid/master.pid"
	unshare -m --propagation private /bin/sh -c \
		'mount --bind "$1" /etc/resolv.conf && exec postfix -c "$2" start' \
		sh "$T_DIR/resolv.conf" "$PF_DIR/etc" >"$PF_DIR/start.log" 2>&1 ||
		die "postfix start in a namespace: $(cat "$PF_DIR/start.log")"
	wait_file "$PF_DIR/queue/pid/master.pid" || die "postfix master wrote no pid file"
	PF_MASTER_PID=$(tr -d ' \n' <"$PF_DIR/queue/pid/master.pid")
	track_pid "$PF_MASTER_PID" postfix-master
	wait_port "$PF_PORT" || die "postfix smtpd not listening: $(tail -5 "$PF_LOG")"
}

# tp_lookup KEY - what Postfix's socketmap client gets for KEY: the value,
# "NOTFOUND", or "ERROR" (a TEMP or PERM reply)
tp_lookup() {
	local out rc
	out=$(postmap -c "$PF_DIR/etc" -q "$1" \
		"socketmap:inet:127.0.0.1:$TP_PORT:smtp2tls" 2>"$T_DIR/postmap.err")
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "$out"
	elif grep -qi 'error\|fatal' "$T_DIR/postmap.err"; then
		echo ERROR		# postmap exits 1 for both; its message differs
	else
		echo NOTFOUND
	fi
}

# tp_outcome QID [TRIES] - "sent", "deferred" or "" for queue id QID on the
# sending Postfix (TRIES x 0.1 s, default 150)
tp_outcome() {
	local qid=$1 tries=${2:-150} i l
	for ((i = 0; i < tries; i++)); do
		l=$(grep -E "$qid: to=<.*status=(sent|deferred|bounced)" "$PF_LOG" | tail -1)
		case "$l" in
		*status=sent*) echo sent; return 0 ;;
		*status=deferred*) echo deferred; return 0 ;;
		*status=bounced*) echo bounced; return 0 ;;
		esac
		sleep 0.1
	done
	echo ""
}

# tp_policyd_line KEY - the last tlspolicy log line for KEY
tp_policyd_line() {
	grep -F "tlspolicy key=\"$1\"" "$SMTP2_LOG" | tail -1
}
