# shellcheck shell=bash disable=SC2034
# dns.sh - the test DNS: a fake signed root ".", a signed "test." and the
# sender domains below it, served by a private nsd; a private validating
# unbound that talks to that nsd only (stub zones, our own root trust
# anchor).  Needs pki.sh run first (the zones embed TLSA digests).
#
#   bank.test      signed, p=enforce, TLSA 3 1 1 pin of mx.bank.test's key
#   pinned.test    signed, p=enforce, TLSA 3 0 1 pin of a self-signed cert
#   other.test     signed, p=enforce, TLSA 3 1 1 pin of mx.other.test's key
#   tagonly.test   signed, p=tag, no pins
#   legacy.test    signed, no _smtp2 record
#   broken.test    signed, two v=SMTP2v1 records (permerror)
#   insecure.test  unsigned delegation; record and pin present but insecure
#   bogus.test     delegated with a DS, RRSIG over its DNSKEY set broken
#   mxcheck.test   signed, p=enforce, MX 10 mx.mxcheck.test (127.0.0.1),
#                  direct.mxcheck.test: an A and no MX; the TLSA 3 1 1 pins
#                  of the certificates named in DNS_MXCHECK_PINS (PKI base
#                  names, default none) both at _smtp2._tcp and at
#                  _25._tcp.mx (RFC 7672): smtp2-check's probes (t_check.sh)
#
# After dns_make + nsd_start + unbound_start: NSD_PORT, UNBOUND_PORT and
# DNS_ROOT_DS (the trust-anchor file the daemons use).
#
# A test may add zones to DNS_CHILDREN and print their records from a
# function dns_extra_records NAME; DNS_EXTRA_INTERFACE ("127.53.1.2@53")
# makes unbound answer there too, for a resolv.conf that cannot name a port.

[ -n "${T_DNS_LOADED:-}" ] && return 0
T_DNS_LOADED=1
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DNS_TTL=30
# child zone:signed|unsigned|bogus
DNS_CHILDREN="bank:signed pinned:signed other:signed tagonly:signed
legacy:signed broken:signed insecure:unsigned bogus:bogus mxcheck:signed"
DNS_MXCHECK_PINS=${DNS_MXCHECK_PINS:-}
DNS_DIR=""
DNS_ROOT_DS=""
NSD_PORT=""
UNBOUND_PORT=""
NSD_PID=""
UNBOUND_PID=""

# dns_head ORIGIN - SOA, NS and glue every zone starts with
dns_head() {
	local ns="ns.$1" rname="hostmaster.$1"
	[ "$1" = . ] && ns="ns.root." rname="hostmaster.root."
	cat <<EOF
\$ORIGIN $1
\$TTL $DNS_TTL
@	IN SOA	$ns $rname 1 3600 600 86400 $DNS_TTL
@	IN NS	$ns
$ns	IN A	127.0.0.1
EOF
}

# dns_child_records NAME - the records of NAME.test beyond the head
dns_child_records() {
	local enforce='_smtp2	IN TXT	"v=SMTP2v1; p=enforce"'
	echo "mx	IN A	127.0.0.1"
	case "$1" in
	bank | other | insecure | bogus)
		echo "$enforce"
		echo "_smtp2._tcp	IN TLSA	3 1 1 $(pki_tlsa311 "mx.$1.test")"
		;;
	pinned)
		echo "$enforce"
		echo "_smtp2._tcp	IN TLSA	3 0 1 $(pki_tlsa301 mx.pinned.test)"
		;;
	tagonly)
		echo '_smtp2	IN TXT	"v=SMTP2v1; p=tag"'
		;;
	broken)
		echo '_smtp2	IN TXT	"v=SMTP2v1; p=enforce"'
		echo '_smtp2	IN TXT	"v=SMTP2v1; p=none"'
		echo "_smtp2._tcp	IN TLSA	3 1 1 $(pki_tlsa311 mx.broken.test)"
		;;
	legacy)
		# Historic ADSP still seen in the wild: unsigned mail may go.
		echo '_adsp._domainkey	IN TXT	"dkim=discardable"'
		;;
	mxcheck) dns_mxcheck_records ;;
	esac
	case "$1" in
	bank) echo '_dmarc	IN TXT	"v=DMARC1; p=reject; adkim=r"' ;;
	tagonly) echo '_dmarc	IN TXT	"v=DMARC1; p=reject"' ;;
	esac
	# DKIM keys made before dns_make (tests/integration/lib/opendkim.sh).
	if declare -F dkim_zone_records >/dev/null; then
		dkim_zone_records "$1.test"
	fi
	# Zones a test adds to DNS_CHILDREN get their records from the test.
	if declare -F dns_extra_records >/dev/null; then
		dns_extra_records "$1"
	fi
}

# dns_mxcheck_records - mxcheck.test: mail goes to mx (127.0.0.1), whose
# certificates DNS_MXCHECK_PINS are pinned for smtp2 and for DANE SMTP
dns_mxcheck_records() {
	local c
	echo '_smtp2	IN TXT	"v=SMTP2v1; p=enforce"'
	echo "@	IN MX	10 mx"
	echo "direct	IN A	127.0.0.1"
	for c in $DNS_MXCHECK_PINS; do
		echo "_smtp2._tcp	IN TLSA	3 1 1 $(pki_tlsa311 "$c")"
		echo "_25._tcp.mx	IN TLSA	3 1 1 $(pki_tlsa311 "$c")"
	done
}

# dns_keys ZONE - make KSK + ZSK for ZONE in $DNS_DIR/keys; sets DNS_KEYS
dns_keys() {
	local ksk zsk
	ksk=$(cd "$DNS_DIR/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$1") ||
		die "ldns-keygen KSK $1 failed"
	zsk=$(cd "$DNS_DIR/keys" && ldns-keygen -a ECDSAP256SHA256 "$1") ||
		die "ldns-keygen ZSK $1 failed"
	DNS_KEYS="$DNS_DIR/keys/$ksk $DNS_DIR/keys/$zsk"
	DNS_DS="$DNS_DIR/keys/$ksk.ds"
}

# dns_sign ZONE FILE - sign FILE (keys made here) into FILE.signed;
# sets DNS_DS to the KSK's DS file.  Inception one hour back.
dns_sign() {
	local zone=$1 file=$2
	dns_keys "$zone"
	# shellcheck disable=SC2086
	ldns-signzone -o "$zone" -i "$(date -u -d '-1 hour' +%Y%m%d%H%M%S)" \
		-e "$(date -u -d '+20 days' +%Y%m%d%H%M%S)" -f "$file.signed" \
		"$file" $DNS_KEYS || die "ldns-signzone $zone failed"
}

# dns_break FILE - flip one base64 character of every RRSIG over DNSKEY
dns_break() {
	awk 'BEGIN { OFS = "\t" }
	$4 == "RRSIG" && $5 == "DNSKEY" {
		s = $NF; c = substr(s, 10, 1)
		$NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11)
	}
	{ print }' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# dns_make - write and sign every zone into $T_DIR/dns; write the root DS
dns_make() {
	local e name kind zone f ds=""
	t_mktemp
	DNS_DIR=$T_DIR/dns
	mkdir -p "$DNS_DIR/keys" "$DNS_DIR/zones"
	# Children first: their DS records go into test.
	for e in $DNS_CHILDREN; do
		name=${e%%:*} kind=${e#*:} zone=$name.test.
		f=$DNS_DIR/zones/$name.test.zone
		{ dns_head "$zone"; dns_child_records "$name"; } >"$f"
		if [ "$kind" = unsigned ]; then
			cp "$f" "$f.signed"
		else
			dns_sign "$zone" "$f"
			ds="$ds$(cat "$DNS_DS")"$'\n'
			[ "$kind" = bogus ] && dns_break "$f.signed"
		fi
	done
	f=$DNS_DIR/zones/test.zone
	{
		dns_head test.
		for e in $DNS_CHILDREN; do
			name=${e%%:*}
			printf '%s\tIN NS\tns.%s\nns.%s\tIN A\t127.0.0.1\n' "$name" "$name" "$name"
		done
		printf '%s' "$ds"
	} >"$f"
	dns_sign test. "$f"
	ds=$(cat "$DNS_DS")
	f=$DNS_DIR/zones/root.zone
	{
		dns_head .
		printf 'test.\tIN NS\tns.test.\nns.test.\tIN A\t127.0.0.1\n%s\n' "$ds"
	} >"$f"
	dns_sign . "$f"
	DNS_ROOT_DS=$DNS_DIR/root.ds
	awk '{ $2 = "3600 IN"; print }' "$DNS_DS" >"$DNS_ROOT_DS"
}

# nsd_start - serve every zone on 127.0.0.1:NSD_PORT (udp + tcp)
nsd_start() {
	local conf=$DNS_DIR/nsd.conf e name
	free_port NSD_PORT
	mkdir -p "$DNS_DIR/nsd"
	{
		cat <<EOF
server:
	ip-address: 127.0.0.1@$NSD_PORT
	port: $NSD_PORT
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$DNS_DIR/zones"
	database: ""
	zonelistfile: "$DNS_DIR/nsd/zone.list"
	xfrdfile: "$DNS_DIR/nsd/xfrd.state"
	xfrdir: "$DNS_DIR/nsd"
	pidfile: "$DNS_DIR/nsd/nsd.pid"
	logfile: "$DNS_DIR/nsd.log"
	verbosity: 2
	hide-version: yes
	rrl-ratelimit: 0
	zonefiles-write: 0
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "root.zone.signed"
zone:
	name: "test."
	zonefile: "test.zone.signed"
EOF
		for e in $DNS_CHILDREN; do
			name=${e%%:*}
			printf 'zone:\n\tname: "%s.test."\n\tzonefile: "%s.test.zone.signed"\n' \
				"$name" "$name"
		done
	} >"$conf"
	nsd-checkconf "$conf" >"$DNS_DIR/nsd-checkconf.out" 2>&1 ||
		die "nsd.conf: $(cat "$DNS_DIR/nsd-checkconf.out")"
	nsd -d -c "$conf" >>"$DNS_DIR/nsd.log" 2>&1 &
	NSD_PID=$!
	track_pid "$NSD_PID" nsd
	wait_port "$NSD_PORT" || die "nsd did not listen on $NSD_PORT: $(tail -5 "$DNS_DIR/nsd.log")"
}

# unbound_start - validating resolver on 127.0.0.1:UNBOUND_PORT that asks
# only the local nsd and trusts only our root DS
unbound_start() {
	local conf=$DNS_DIR/unbound.conf z
	free_port UNBOUND_PORT
	mkdir -p "$DNS_DIR/unbound"
	{
		cat <<EOF
server:
	interface: 127.0.0.1@$UNBOUND_PORT
	${DNS_EXTRA_INTERFACE:+interface: $DNS_EXTRA_INTERFACE}
	port: $UNBOUND_PORT
	do-ip6: no
	access-control: 127.0.0.0/8 allow
	num-threads: 1
	outgoing-range: 64
	# random source ports stay in the kernel's ephemeral range, away from
	# the listening ports the tests pick (20000-32767)
	outgoing-port-avoid: 0-32767
	outgoing-interface: 127.0.0.1
	do-not-query-localhost: no
	chroot: ""
	username: ""
	directory: "$DNS_DIR/unbound"
	pidfile: "$DNS_DIR/unbound/unbound.pid"
	use-syslog: no
	logfile: "$DNS_DIR/unbound.log"
	verbosity: 1
	val-log-level: 2
	log-servfail: yes
	module-config: "validator iterator"
	trust-anchor-file: "$DNS_ROOT_DS"
	trust-anchor-signaling: no
	root-key-sentinel: no
	qname-minimisation: no
	cache-max-ttl: 60
	cache-max-negative-ttl: 30
	infra-host-ttl: 60
	prefetch: no
	local-zone: "test." nodefault
remote-control:
	control-enable: no
EOF
		for z in . test. $(for e in $DNS_CHILDREN; do echo "${e%%:*}.test."; done); do
			printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' "$z" "$NSD_PORT"
		done
	} >"$conf"
	unbound-checkconf "$conf" >"$DNS_DIR/unbound-checkconf.out" 2>&1 ||
		die "unbound.conf: $(cat "$DNS_DIR/unbound-checkconf.out")"
	unbound -d -c "$conf" >>"$DNS_DIR/unbound.log" 2>&1 &
	UNBOUND_PID=$!
	track_pid "$UNBOUND_PID" unbound
	wait_port "$UNBOUND_PORT" ||
		die "unbound did not listen on $UNBOUND_PORT: $(tail -5 "$DNS_DIR/unbound.log")"
}

# unbound_stop - stop the resolver (by PID), e.g. to test "resolver down"
unbound_stop() {
	[ -n "$UNBOUND_PID" ] || return 0
	stop_pid "$UNBOUND_PID"
	untrack_pid "$UNBOUND_PID"
	UNBOUND_PID=""
}

# dns_dig ARGS... - dig at the validating resolver, short timeouts
dns_dig() {
	dig @127.0.0.1 -p "$UNBOUND_PORT" +dnssec +time=2 +tries=1 "$@"
}

# dns_status NAME TYPE - print "STATUS ad|noad ANSWERS" for one query
dns_status() {
	local out st ad=noad n
	out=$(dns_dig "$1" "$2" 2>&1)
	st=$(printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
	printf '%s\n' "$out" | grep -q 'flags:[^;]* ad[ ;]' && ad=ad
	n=$(printf '%s\n' "$out" | awk -v t="$2" '$4 == t' | wc -l)
	echo "${st:-NOANSWER} $ad $n"
}

# dns_selftest - the resolver sees what the tests expect; 0 when it does
dns_selftest() {
	local got bad=0 name type want
	# name type expected-status expected-ad expected-answer-count
	while read -r name type want; do
		got=$(dns_status "$name" "$type")
		if [ "$got" != "$want" ]; then
			note "dns selftest: $name $type: got '$got', want '$want'"
			bad=1
		fi
	done <<'EOF'
_smtp2.bank.test TXT NOERROR ad 1
_smtp2._tcp.bank.test TLSA NOERROR ad 1
_smtp2._tcp.pinned.test TLSA NOERROR ad 1
_smtp2.legacy.test TXT NXDOMAIN ad 0
_smtp2.tagonly.test TXT NOERROR ad 1
_smtp2.broken.test TXT NOERROR ad 2
_smtp2.insecure.test TXT NOERROR noad 1
_smtp2._tcp.insecure.test TLSA NOERROR noad 1
_smtp2.bogus.test TXT SERVFAIL noad 0
mxcheck.test MX NOERROR ad 1
EOF
	command -v getdns_query >/dev/null 2>&1 || return "$bad"
	while read -r name type want; do
		got=$(dns_getdns_status "$name" "$type")
		if [ "$got" != "$want" ]; then
			note "dns selftest (getdns): $name $type: got '$got', want '$want'"
			bad=1
		fi
	done <<'EOF'
_smtp2._tcp.bank.test TLSA SECURE
_smtp2.insecure.test TXT INSECURE
_smtp2.bogus.test TXT BOGUS
EOF
	return "$bad"
}

# dns_getdns_status NAME TYPE - getdns's own DNSSEC verdict (stub mode at
# our unbound, our root DS only): SECURE, INSECURE, BOGUS, INDETERMINATE
# or NONE.  getdns must never fetch anchors itself: its anchor URL points
# at a closed loopback port and its data dir is ours.
dns_getdns_status() {
	local conf=$DNS_DIR/getdns.conf
	[ -f "$conf" ] || printf '{ trust_anchors_url: "http://127.0.0.1:9/root-anchors.xml",\n  appdata_dir: "%s" }\n' \
		"$DNS_DIR" >"$conf"
	getdns_query -C "$conf" -f "$DNS_ROOT_DS" -s "@127.0.0.1:$UNBOUND_PORT" \
		"$2" "$1" +dnssec_return_all_statuses 2>/dev/null |
		sed -n 's/.*"dnssec_status": GETDNS_DNSSEC_\([A-Z]*\).*/\1/p' | head -1 |
		grep . || echo NONE
}

# dns_up - zones, nsd, unbound, self-test
dns_up() {
	dns_make
	nsd_start
	unbound_start
	dns_selftest || die "test DNS does not validate as expected (see $DNS_DIR)"
}
