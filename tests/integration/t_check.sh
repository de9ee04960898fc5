#!/bin/bash
# shellcheck disable=SC2034,SC2154  # PORT_* are set by printf -v in check_listener
# t_check.sh - smtp2-check against a real MX: the test DNS gives
# mxcheck.test an MX (mx.mxcheck.test = 127.0.0.1) and pins, a private
# Postfix listens on one port per server certificate (good, expired,
# revoked, wrong name, self-signed pinned, self-signed unpinned), and
# smtp2-check probes each: text lines, JSON (parsed by python3) and exit
# codes.  Then "cert" on the sending certificates of pki.sh and "record".
# No smtp2 daemon is needed: smtp2-check reads milter.conf itself.
. "$(dirname "$0")/lib/stack.sh"

skip_unless_root
need_cmd postfix postconf smtp-sink nsd nsd-checkconf unbound unbound-checkconf \
	ldns-keygen ldns-signzone dig openssl ss
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 missing"
id postfix >/dev/null 2>&1 || skip "no postfix user"
[ -x "$SMTP2_CHECK" ] || skip "$SMTP2_CHECK not built (set SMTP2_BUILD)"

MX=mx.mxcheck.test

# check_ca_conf - an "openssl ca" set-up over pki.sh's CA: database,
# serials, and the leaf profile every server certificate here gets
check_ca_conf() {
	local db=$PKI_DIR/cadb
	mkdir -p "$db/new"
	: >"$db/index.txt"
	echo 1000 >"$db/serial"
	echo 1000 >"$db/crlnumber"
	cat >"$PKI_DIR/ca.cnf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
database = $db/index.txt
serial = $db/serial
crlnumber = $db/crlnumber
new_certs_dir = $db/new
certificate = $PKI_DIR/ca.crt
private_key = $PKI_DIR/ca.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = any
unique_subject = no
[any]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:$MX
EOF
}

# check_ca_leaf BASE [openssl ca options] - key + CA-signed certificate
# for $MX through "openssl ca" (which, unlike req, takes any start date);
# CA_EXT names the ca.cnf section of extensions (default leaf)
check_ca_leaf() {
	local base=$PKI_DIR/$1
	shift
	if ! openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$base.key" -out "$base.csr" -subj "/CN=$MX" \
		-config "$PKI_DIR/req.cnf" 2>"$base.err" ||
		! openssl ca -batch -notext -config "$PKI_DIR/ca.cnf" -extensions "${CA_EXT:-leaf}" \
			-in "$base.csr" -out "$base.crt" "$@" >>"$base.err" 2>&1; then
		die "openssl ca for ${base##*/} failed: $(cat "$base.err")"
	fi
	chmod 600 "$base.key"
}

# check_pki - the MX's certificates beyond pki.sh's, and the CRL
check_pki() {
	local b
	check_ca_conf
	check_ca_leaf "$MX"
	check_ca_leaf mxcheck-expired -startdate 20200101000000Z -enddate 20200201000000Z
	check_ca_leaf mxcheck-revoked
	if ! openssl ca -batch -config "$PKI_DIR/ca.cnf" -revoke "$PKI_DIR/mxcheck-revoked.crt" \
		-crl_reason keyCompromise >"$PKI_DIR/revoke.err" 2>&1 ||
		! openssl ca -batch -config "$PKI_DIR/ca.cnf" -gencrl -out "$PKI_DIR/crl.pem" \
			>>"$PKI_DIR/revoke.err" 2>&1; then
		die "CRL: $(cat "$PKI_DIR/revoke.err")"
	fi
	for b in mxcheck-selfpin mxcheck-selfonly; do
		pki_req "$PKI_DIR/$b" "$MX" -addext basicConstraints=critical,CA:FALSE \
			-addext "subjectAltName=DNS:$MX" \
			-addext keyUsage=critical,digitalSignature \
			-addext extendedKeyUsage=serverAuth,clientAuth
	done
	for b in "$MX" mxcheck-selfpin; do
		pki_digests "$b"
	done
}

# check_ocsp_pki - leaves whose AIA names an OCSP responder on
# 127.0.0.1:$OCSP_PORT; ocsp-revoked is revoked in the CA database after
# the CRL was made, so only OCSP can tell; ocsp-fail names a failing path
check_ocsp_pki() {
	local url
	free_port OCSP_PORT
	url=http://127.0.0.1:$OCSP_PORT
	{
		printf '[ocspleaf]\nbasicConstraints = critical,CA:FALSE\n'
		printf 'keyUsage = critical,digitalSignature\nsubjectAltName = DNS:%s\n' "$MX"
		printf 'authorityInfoAccess = OCSP;URI:%s/\n' "$url"
		printf '[ocspfail]\nbasicConstraints = critical,CA:FALSE\n'
		printf 'subjectAltName = DNS:%s\n' "$MX"
		printf 'authorityInfoAccess = OCSP;URI:%s/fail\n' "$url"
	} >>"$PKI_DIR/ca.cnf"
	CA_EXT=ocspleaf check_ca_leaf ocsp-good
	CA_EXT=ocspleaf check_ca_leaf ocsp-revoked
	CA_EXT=ocspfail check_ca_leaf ocsp-fail
	openssl ca -batch -config "$PKI_DIR/ca.cnf" -revoke "$PKI_DIR/ocsp-revoked.crt" \
		>"$PKI_DIR/ocsp-revoke.err" 2>&1 || die "revoke: $(cat "$PKI_DIR/ocsp-revoke.err")"
}

# ocsp_responder_start N - an OCSP responder on 127.0.0.1:$OCSP_PORT
# alone ("openssl ocsp -port" of OpenSSL 3.0 takes a number and binds
# every address): python3's HTTP server hands each POST to a one-shot
# "openssl ocsp -index" over the CA database; /fail answers HTTP 500.
# Serves at most N requests, waits at most 30 s for each; sets OCSP_PID
ocsp_responder_start() {
	local dir=$T_DIR/ocsp
	mkdir -p "$dir"
	/usr/bin/python3 - "$OCSP_PORT" "$1" "$dir" "$PKI_DIR" >"$dir/log" 2>&1 <<'EOF' &
import http.server, subprocess, sys
port, n, d, pki = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 65536))
        if self.path == "/fail" or \
                self.headers.get("Content-Type") != "application/ocsp-request":
            self.send_error(500)
            return
        open(d + "/req.der", "wb").write(body)
        subprocess.run(["openssl", "ocsp", "-index", pki + "/cadb/index.txt",
                        "-CA", pki + "/ca.crt", "-rsigner", pki + "/ca.crt",
                        "-rkey", pki + "/ca.key", "-reqin", d + "/req.der",
                        "-respout", d + "/resp.der"], timeout=10, check=True,
                       stdout=subprocess.DEVNULL)
        resp = open(d + "/resp.der", "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(resp)))
        self.end_headers()
        self.wfile.write(resp)
srv = http.server.HTTPServer(("127.0.0.1", port), H)
srv.timeout = 30
for _ in range(n):
    srv.handle_request()
EOF
	OCSP_PID=$!
	track_pid "$OCSP_PID" ocsp-responder
	wait_port "$OCSP_PORT" || die "no OCSP responder on $OCSP_PORT: $(cat "$dir/log")"
}

# check_listener NAME CERT_BASE [smtpd -o options] - one more smtpd
# presenting CERT_BASE; sets PORT_NAME
LISTEN_PORTS=""
check_listener() {
	local name=$1 base=$2 port
	shift 2
	free_port port
	printf '127.0.0.1:%s inet n - n - - smtpd -o smtpd_tls_cert_file=%s -o smtpd_tls_key_file=%s %s\n' \
		"$port" "$PKI_DIR/$base.crt" "$PKI_DIR/$base.key" "$*" >>"$PF_DIR/etc/master.cf"
	printf -v "PORT_$name" '%s' "$port"
	LISTEN_PORTS="$LISTEN_PORTS $port"
}

# check_listeners_up - every listener in master.cf, Postfix reloaded
check_listeners_up() {
	local p
	check_listener good "$MX"
	check_listener expired mxcheck-expired
	check_listener revoked mxcheck-revoked
	check_listener wrongname mx.other.test
	check_listener selfpin mxcheck-selfpin
	check_listener selfonly mxcheck-selfonly
	check_listener plain "$MX" -o smtpd_tls_security_level=none
	check_listener ocsp ocsp-good
	postfix_age_config
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || die "postfix reload failed"
	for p in $LISTEN_PORTS; do
		wait_port "$p" || die "no smtpd on $p after reload: $(tail -5 "$PF_LOG")"
	done
}

# run NAME ARGS... - smtp2-check -c milter.conf ARGS; RUN_OUT (stdout),
# RUN_ERR (stderr), RUN_RC
run() {
	local name=$1
	shift
	mkdir -p "$T_DIR/check"
	RUN_OUT=$T_DIR/check/$name.out RUN_ERR=$T_DIR/check/$name.err
	"$SMTP2_CHECK" -c "$SMTP2_CONF" "$@" >"$RUN_OUT" 2>"$RUN_ERR"
	RUN_RC=$?
}

# jget FILE PATH - a value of the JSON document in FILE; PATH is keys and
# list indexes joined by "."; strings raw, anything else as JSON
jget() {
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in filter(None, sys.argv[2].split(".")):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d if isinstance(d, str) else json.dumps(d))
EOF
}

# expect_rc WANT MSG - the last run's exit status
expect_rc() {
	if [ "$RUN_RC" = "$1" ]; then
		pass "$2: exit $1"
	else
		fail "$2: exit $RUN_RC, want $1"
		sed 's/^/#   /' "$RUN_OUT" "$RUN_ERR" | head -60
	fi
}

# expect_line REGEX MSG - a line of the last run's text output
expect_line() {
	if grep -Eq -- "$1" "$RUN_OUT"; then
		pass "$2"
	else
		fail "$2 (no line /$1/)"
		sed 's/^/#   /' "$RUN_OUT" | head -60
	fi
}

# expect_json PATH WANT MSG - a value of the last run's JSON output
expect_json() {
	local got
	got=$(jget "$RUN_OUT" "$1" 2>&1)
	if [ "$got" = "$2" ]; then
		pass "$3"
	else
		fail "$3 ($1 = '$got', want '$2')"
	fi
}

# probe NAME PORT ARGS... - "domain mxcheck.test --port PORT" as text and
# as JSON (NAME.out, NAME-json.out); JSON_RC is the JSON run's status
probe() {
	local name=$1 port=$2
	shift 2
	run "$name-json" --json domain mxcheck.test --port "$port" "$@"
	JSON_OUT=$RUN_OUT JSON_RC=$RUN_RC
	run "$name" domain mxcheck.test --port "$port" "$@"
}

t_mktemp
note "check stack in $T_DIR"
pki_make
check_pki
check_ocsp_pki
DNS_MXCHECK_PINS="$MX mxcheck-selfpin"
dns_up
smtp2_write_conf enforce
# The CRL of check_pki: revocation is checked against it.
sed -i "s|^tls .*|tls     = { ca_file = \"$PKI_DIR/ca.crt\"; crl_file = \"$PKI_DIR/crl.pem\"; };|" \
	"$SMTP2_CONF"
postfix_up "" ""
check_listeners_up
"$SMTP2_CHECK" -t -c "$SMTP2_CONF" >/dev/null 2>&1 || die "milter.conf rejected: $("$SMTP2_CHECK" -t -c "$SMTP2_CONF" 2>&1)"

# --- good: CA-signed, named mx.mxcheck.test, pinned twice ---------------
probe good "$PORT_good"
expect_rc 0 "good certificate"
expect_line '^domain: +mxcheck\.test$' "good: domain line"
expect_line '^record: +_smtp2\.mxcheck\.test TXT: ok, secure$' "good: record found, secure"
expect_line '^  status: +ok, p=enforce, sp=enforce$' "good: record parsed"
expect_line '^pins: +_smtp2\._tcp\.mxcheck\.test TLSA: ok, secure, 2 records$' "good: two smtp2 pins"
expect_line "^  tlsa: +3 1 1 $(pki_tlsa311 "$MX")\$" "good: pin listed with usage, selector, mtype"
expect_line '^mx: +mxcheck\.test MX: ok, secure$' "good: MX lookup"
expect_line '^  host: +10 mx\.mxcheck\.test: 127\.0\.0\.1$' "good: MX host, preference and address"
expect_line '^  dane: +_25\._tcp\.mx\.mxcheck\.test TLSA: ok, secure, 2 records$' "good: the MX's own TLSA set"
expect_line "^probe: +mx\\.mxcheck\\.test \\[127\\.0\\.0\\.1\\]:$PORT_good\$" "good: probe line"
expect_line '^  banner: +220 ' "good: banner"
expect_line '^  starttls: +offered$' "good: STARTTLS offered"
expect_line '^  tls: +TLSv1\.[23], ' "good: TLS version and cipher"
expect_line '^  key: +EC P-256, 256 bits' "good: key type and size"
expect_line '^  pkix: +ok for mx\.mxcheck\.test' "good: PKIX ok for the MX name"
expect_line '^  revocation: +good$' "good: not revoked (CRL)"
expect_line '^  days left: +(29|30)$' "good: days to expiry"
expect_line '^  dane smtp: +match at _25\._tcp\.mx\.mxcheck\.test \(secure\)' "good: DANE (RFC 7672) match"
expect_line '^  dane smtp2: +match at _smtp2\._tcp\.mxcheck\.test \(secure\)' "good: smtp2 pin match"
expect_line '^  verdict: +pass, method (dane|pkix), dnssec secure' "good: verdict pass"
expect_line '^  mode: +enforce +accept$' "good: enforce would accept"
expect_line '^summary: +pass \(exit 0\)$' "good: summary"
RUN_OUT=$JSON_OUT RUN_RC=$JSON_RC
expect_rc 0 "good certificate, --json"
expect_json smtp2_check 1 "good json: schema version"
expect_json command domain "good json: command"
expect_json summary pass "good json: summary"
expect_json record.policy enforce "good json: record policy"
expect_json pins.records.0.usage 3 "good json: pin usage"
expect_json pins.records.0.selector 1 "good json: pin selector"
expect_json mx.hosts.0.name "$MX" "good json: MX host"
expect_json mx.hosts.0.preference 10 "good json: MX preference"
expect_json mx.hosts.0.addresses.0 127.0.0.1 "good json: MX address"
expect_json probes.0.stage "done" "good json: probe done"
expect_json probes.0.certificate.spki_sha256 "$(pki_tlsa311 "$MX")" "good json: SPKI digest"
expect_json probes.0.certificate.pkix.status ok "good json: pkix ok"
expect_json probes.0.certificate.pkix.chain_trusted true "good json: chain trusted"
expect_json probes.0.certificate.pkix.revocation good "good json: revocation good"
expect_json probes.0.dane.smtp.status match "good json: DANE smtp match"
expect_json probes.0.dane.smtp2.status match "good json: DANE smtp2 match"
expect_json probes.0.verdict.result pass "good json: verdict pass"
expect_json probes.0.verdict.modes.2.mode enforce "good json: modes in order"
expect_json probes.0.verdict.modes.2.action accept "good json: enforce accepts"

# --- expired: CA-signed, right name, expired, not pinned -----------------
probe expired "$PORT_expired"
expect_rc 1 "expired certificate"
expect_line '^  pkix: +expired for mx\.mxcheck\.test' "expired: PKIX says expired"
expect_line '^  dane smtp: +nomatch ' "expired: no DANE match"
expect_line '^  verdict: +fail, ' "expired: verdict fail"
expect_line '^  problem: +PKIX for mx\.mxcheck\.test: expired' "expired: named as a problem"
expect_line '^summary: +problems found \(exit 1\)$' "expired: summary"
RUN_OUT=$JSON_OUT RUN_RC=$JSON_RC
expect_json probes.0.certificate.pkix.status expired "expired json: pkix status"
expect_json summary problems "expired json: summary"

# --- revoked: CA-signed, right name, listed in the CRL -------------------
probe revoked "$PORT_revoked"
expect_rc 1 "revoked certificate"
expect_line '^  pkix: +revoked for mx\.mxcheck\.test' "revoked: PKIX says revoked"
expect_line '^  revocation: +revoked$' "revoked: revocation line"
expect_line '^  verdict: +fail, ' "revoked: verdict fail"
RUN_OUT=$JSON_OUT
expect_json probes.0.certificate.pkix.revocation revoked "revoked json: revocation"

# --- wrong name: a valid certificate for mx.other.test -------------------
probe wrongname "$PORT_wrongname"
expect_rc 1 "wrong-name certificate"
expect_line '^  names: +mx\.other\.test$' "wrong name: names line"
expect_line '^  pkix: +name-mismatch for mx\.mxcheck\.test' "wrong name: PKIX name mismatch"
expect_line '^  verdict: +fail, ' "wrong name: verdict fail"

# --- self-signed, pinned (DANE-EE 3 1 1): dane pass, pkix fail -----------
probe selfpin "$PORT_selfpin"
expect_rc 0 "self-signed pinned certificate"
expect_line '^  issuer: +CN=mx\.mxcheck\.test \(self-signed\)$' "selfpin: self-signed"
expect_line '^  pkix: +untrusted for mx\.mxcheck\.test' "selfpin: PKIX untrusted"
expect_line '^  dane smtp: +match at _25\._tcp\.mx\.mxcheck\.test \(secure\)' "selfpin: DANE match"
expect_line '^  verdict: +pass, method dane, dnssec secure' "selfpin: verdict pass by dane"
expect_line '^  warning: +PKIX for mx\.mxcheck\.test: untrusted' "selfpin: PKIX failure only a warning"
RUN_OUT=$JSON_OUT RUN_RC=$JSON_RC
expect_rc 0 "self-signed pinned, --json"
expect_json probes.0.verdict.method dane "selfpin json: method dane"
expect_json probes.0.certificate.self_signed true "selfpin json: self_signed"

# --- self-signed, not pinned ----------------------------------------------
probe selfonly "$PORT_selfonly"
expect_rc 1 "self-signed unpinned certificate"
expect_line '^  dane smtp: +nomatch at _25\._tcp\.mx\.mxcheck\.test' "selfonly: DANE nomatch"
expect_line '^  problem: +certificate does not match the TLSA records at _25\._tcp' \
	"selfonly: DANE senders would not deliver"
expect_line '^  verdict: +fail, ' "selfonly: verdict fail"

# --- no STARTTLS, nothing listening ----------------------------------------
probe plain "$PORT_plain"
expect_rc 2 "no STARTTLS offered: could not check"
expect_line '^  starttls: +not offered$' "plain: STARTTLS not offered"
expect_line '^  problem: +starttls failed: STARTTLS not offered' "plain: named"
free_port PORT_closed
probe closed "$PORT_closed"
expect_rc 2 "nothing listening: could not check"
expect_line "^  problem: +connect failed: connect to port $PORT_closed: Connection refused" "closed: connect error"
expect_line '^summary: +could not check \(exit 2\)$' "closed: summary"
RUN_OUT=$JSON_OUT
expect_json probes.0.stage connect "closed json: stage connect"

# --- no MX: the domain itself (RFC 5321 5.1); --mx with an address --------
run direct domain direct.mxcheck.test --port "$PORT_good"
expect_line '^mx: +direct\.mxcheck\.test MX: nodata, secure, the domain itself$' "no MX: falls back to the domain"
expect_line '^  host: +0 direct\.mxcheck\.test: 127\.0\.0\.1$' "no MX: the domain's address"
expect_line "^probe: +direct\\.mxcheck\\.test \\[127\\.0\\.0\\.1\\]:$PORT_good\$" "no MX: probed"
expect_line '^info: +no v=SMTP2v1 record at _smtp2\.direct\.mxcheck\.test: the record of mxcheck\.test covers the domain$' \
	"no MX: the parent's record covers the subdomain"
run literal domain mxcheck.test --mx 127.0.0.1 --port "$PORT_good"
expect_line "^probe: +127\\.0\\.0\\.1 \\[127\\.0\\.0\\.1\\]:$PORT_good\$" "--mx 127.0.0.1: probes that address"
expect_line '^  verdict: +pass, ' "--mx 127.0.0.1: verdict still about mxcheck.test"

# --- a client certificate presented (--cert/--key) -------------------------
before=$(grep -c 'Trusted TLS connection established' "$PF_LOG")
run clientcert domain mxcheck.test --port "$PORT_good" \
	--cert "$(pki_cert mx.bank.test)" --key "$(pki_key mx.bank.test)"
expect_rc 0 "with --cert/--key"
wait_grep "$PF_LOG" 'Trusted TLS connection established' 50
after=$(grep -c 'Trusted TLS connection established' "$PF_LOG")
check "Postfix saw our CA-signed client certificate" test "$after" -gt "$before"
run badkey domain mxcheck.test --port "$PORT_good" --cert "$(pki_cert mx.bank.test)" \
	--key "$(pki_key mx.other.test)"
expect_rc 2 "--key not matching --cert"
check "--key mismatch named" grep -q 'does not belong to --cert' "$RUN_ERR"

# --- DNS that cannot be trusted --------------------------------------------
run bogus domain bogus.test --port "$PORT_good"
expect_rc 2 "bogus zone: could not check"
expect_line '^record: +_smtp2\.bogus\.test TXT: tempfail' "bogus: record lookup tempfail"

# --- cert: the sending certificates of pki.sh ------------------------------
run cert-bank cert "$(pki_cert mx.bank.test)" --domain bank.test
expect_rc 0 "cert mx.bank.test for bank.test"
expect_line '^pkix: +ok for bank\.test, matched mx\.bank\.test' "cert bank: PKIX ok, name matched"
expect_line "^tlsa 3 1 1: +_smtp2\\._tcp\\.bank\\.test\\. IN TLSA 3 1 1 $(pki_tlsa311 mx.bank.test)\$" \
	"cert bank: TLSA 3 1 1 line ready to paste"
expect_line "^tlsa 3 0 1: +_smtp2\\._tcp\\.bank\\.test\\. IN TLSA 3 0 1 $(pki_tlsa301 mx.bank.test)\$" \
	"cert bank: TLSA 3 0 1 line ready to paste"
expect_line '^dane smtp2: +match at _smtp2\._tcp\.bank\.test \(secure\)' "cert bank: matches the live pin"
expect_line '^verdict: +pass, ' "cert bank: verdict pass"
run cert-bank-json --json cert "$(pki_cert mx.bank.test)" --domain bank.test
expect_rc 0 "cert mx.bank.test, --json"
expect_json command cert "cert json: command"
expect_json tlsa.0 "_smtp2._tcp.bank.test. IN TLSA 3 1 1 $(pki_tlsa311 mx.bank.test)" "cert json: tlsa line"
expect_json certificate.pkix.matched_name mx.bank.test "cert json: matched name"
expect_json verdict.result pass "cert json: verdict"
run cert-other cert "$(pki_cert mx.other.test)" --domain bank.test
expect_rc 1 "cert mx.other.test for bank.test"
expect_line '^verdict: +fail, ' "cert other for bank: verdict fail"
run cert-pinned cert "$(pki_cert mx.pinned.test)" --domain pinned.test
expect_rc 0 "cert self-signed mx.pinned.test for pinned.test (pinned 3 0 1)"
expect_line '^verdict: +pass, method dane' "cert pinned: verdict pass by dane"
run cert-offline cert "$(pki_cert mx.bank.test)" --domain bank.test --offline
expect_rc 0 "cert --offline"
expect_line '^verdict: +not asked \(--offline\)$' "cert --offline: no DNS"
run cert-revoked cert "$PKI_DIR/mxcheck-revoked.crt" --domain mxcheck.test --offline
expect_rc 1 "cert revoked --offline"
expect_line '^revocation: +revoked$' "cert revoked: revocation line"
run cert-missing cert "$T_DIR/nonexistent.pem" --domain bank.test
expect_rc 2 "cert on a missing file"

# --- --fetch-ocsp: the responder the leaf's AIA names ----------------------
# The CRL lists none of these leaves: only OCSP can say "revoked".
ocsp_responder_start 6
run ocsp-good cert "$PKI_DIR/ocsp-good.crt" --domain mxcheck.test --offline --fetch-ocsp
expect_rc 0 "cert --fetch-ocsp, good"
expect_line '^revocation: +good$' "fetch-ocsp good: revocation good"
expect_line '^ocsp: +fetched$' "fetch-ocsp good: response fetched"
run ocsp-good-json --json cert "$PKI_DIR/ocsp-good.crt" --domain mxcheck.test --offline \
	--fetch-ocsp
expect_json certificate.pkix.ocsp fetched "fetch-ocsp json: ocsp fetched"
expect_json certificate.pkix.revocation good "fetch-ocsp json: revocation good"
run ocsp-revoked cert "$PKI_DIR/ocsp-revoked.crt" --domain mxcheck.test --offline --fetch-ocsp
expect_rc 1 "cert --fetch-ocsp, revoked"
expect_line '^revocation: +revoked$' "fetch-ocsp revoked: revocation revoked"
expect_line '^pkix: +revoked for mxcheck\.test' "fetch-ocsp revoked: PKIX revoked"
expect_line '^ocsp: +fetched$' "fetch-ocsp revoked: response fetched"
run ocsp-unasked cert "$PKI_DIR/ocsp-revoked.crt" --domain mxcheck.test --offline
expect_rc 0 "cert without --fetch-ocsp: nothing fetched"
expect_line '^ocsp: +none$' "no --fetch-ocsp: ocsp none"
run ocsp-fail cert "$PKI_DIR/ocsp-fail.crt" --domain mxcheck.test --offline --fetch-ocsp
expect_rc 0 "cert --fetch-ocsp, responder fails: only a warning"
expect_line "^warning: +OCSP response not fetched: OCSP responder http://127\\.0\\.0\\.1:$OCSP_PORT/fail: HTTP 500\$" \
	"fetch-ocsp: HTTP 500 named"
run ocsp-nourl cert "$(pki_cert mx.bank.test)" --domain bank.test --offline --fetch-ocsp
expect_line '^warning: +OCSP response not fetched: no OCSP URL in the certificate$' \
	"fetch-ocsp: missing OCSP URL named"
probe ocsp-domain "$PORT_ocsp" --fetch-ocsp
expect_line '^  ocsp: +fetched$' "domain --fetch-ocsp: nothing stapled, response fetched"
expect_line '^  revocation: +good$' "domain --fetch-ocsp: revocation good"
RUN_OUT=$JSON_OUT
expect_json probes.0.certificate.pkix.ocsp fetched "domain --fetch-ocsp json: ocsp fetched"
stop_pid "$OCSP_PID" 50
untrack_pid "$OCSP_PID"

# --- record ----------------------------------------------------------------
run rec-ok record 'v=SMTP2v1; p=enforce; P=x; foo=1'
expect_rc 0 "record with unknown tags is valid"
expect_line '^record OK: v=SMTP2v1, p=enforce$' "record: first line unchanged"
expect_line "^warning: +unknown tag 'P' is ignored: tag names are case-sensitive, did you mean 'p'\\?\$" \
	"record: case-folded tag named"
expect_line "^warning: +unknown tag 'foo' is ignored" "record: unknown tag named"
run rec-nop record 'v=SMTP2v1'
expect_line '^warning: +no p= tag: receivers assume p=none' "record: missing p= named"
run rec-bad --json record 'v=SMTP2v1; p=reject'
expect_rc 1 "invalid record, --json"
expect_json record.status invalid "record json: invalid"
expect_json record.reason "p=: unknown policy 'reject' (none, tag, enforce)" "record json: reason"
run usage domain
expect_rc 2 "usage error"

# Every --json run printed one document a JSON parser accepts.
for f in "$T_DIR"/check/*json.out "$T_DIR"/check/rec-bad.out; do
	/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null ||
		fail "not valid JSON: ${f##*/}"
done
pass "every --json output parses"

# Under ASan/UBSan every run's stderr must be clean.
if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR"/check/*.err >"$T_DIR/san.txt"; then
	fail "sanitizer reports in: $(tr '\n' ' ' <"$T_DIR/san.txt")"
else
	pass "no sanitizer report from any smtp2-check run"
fi

postfix_down
t_done
