# shellcheck shell=bash disable=SC2034
# pki.sh - a throw-away test PKI made at test time (ECDSA P-256):
#   ca.crt/ca.key             the CA the receiving Postfix trusts
#   mx.example.net.{crt,key}  the receiving Postfix's server certificate
#   mx.DOMAIN.{crt,key}       sending servers' client certificates, CA-signed
#                             or self-signed (see PKI_CLIENTS)
# and the TLSA digests DNS needs: pki_tlsa311 NAME, pki_tlsa301 NAME.
# Run before the zones are signed: they embed the digests.

[ -n "${T_PKI_LOADED:-}" ] && return 0
T_PKI_LOADED=1
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# NAME:ca or NAME:self.  The mx.* certificates of pinned.test, insecure.test
# and bogus.test are self-signed: only their (secure, insecure, bogus) DANE
# pins could prove them.  pkix.bogus.test is CA-signed and named for
# bogus.test, pinned nowhere.
PKI_CLIENTS="mx.bank.test:ca mx.other.test:ca mx.legacy.test:ca
mx.tagonly.test:ca mx.broken.test:ca pkix.bogus.test:ca
mx.pinned.test:self mx.insecure.test:self mx.bogus.test:self"
PKI_DAYS=30
PKI_DIR=""

# pki_req OUT_BASE CN [openssl req options] - new key + certificate
pki_req() {
	local base=$1 cn=$2
	shift 2
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$base.key" -out "$base.crt" -subj "/CN=$cn" \
		-days "$PKI_DAYS" -config "$PKI_DIR/req.cnf" "$@" 2>"$base.err" ||
		die "openssl req for $cn failed: $(cat "$base.err")"
	chmod 600 "$base.key"
}

# pki_leaf NAME ca|self - client/server certificate for host NAME
pki_leaf() {
	local name=$1 kind=$2 issuer=()
	[ "$kind" = ca ] && issuer=(-CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key")
	pki_req "$PKI_DIR/$name" "$name" "${issuer[@]}" \
		-addext basicConstraints=critical,CA:FALSE \
		-addext "subjectAltName=DNS:$name" \
		-addext keyUsage=critical,digitalSignature \
		-addext extendedKeyUsage=serverAuth,clientAuth
	pki_digests "$name"
}

# pki_digests NAME - store NAME.spki.sha256 (TLSA 3 1 1) and NAME.cert.sha256
# (TLSA 3 0 1), lower-case hex without colons
pki_digests() {
	local c="$PKI_DIR/$1.crt"
	openssl x509 -in "$c" -pubkey -noout | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -r | cut -d' ' -f1 >"$PKI_DIR/$1.spki.sha256"
	openssl x509 -in "$c" -outform DER | openssl dgst -sha256 -r |
		cut -d' ' -f1 >"$PKI_DIR/$1.cert.sha256"
}

# pki_make - build everything under $T_DIR/pki (PKI_DIR)
pki_make() {
	local e pids=()
	t_mktemp
	PKI_DIR=$T_DIR/pki
	mkdir -p "$PKI_DIR"
	printf '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n' >"$PKI_DIR/req.cnf"
	pki_req "$PKI_DIR/ca" "smtp2 test CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign
	# Leaves in parallel: each is a few openssl runs.
	pki_leaf mx.example.net ca &
	pids+=($!)
	for e in $PKI_CLIENTS; do
		pki_leaf "${e%%:*}" "${e#*:}" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for e in mx.example.net:ca $PKI_CLIENTS; do
		[ -s "$PKI_DIR/${e%%:*}.cert.sha256" ] ||
			die "certificate ${e%%:*} not made: $(cat "$PKI_DIR/${e%%:*}.err" 2>/dev/null)"
	done
	rm -f "$PKI_DIR"/*.err
}

# pki_cert NAME / pki_key NAME - paths
pki_cert() { echo "$PKI_DIR/$1.crt"; }
pki_key() { echo "$PKI_DIR/$1.key"; }

# pki_tlsa311 NAME / pki_tlsa301 NAME - hex digests for TLSA records
pki_tlsa311() { cat "$PKI_DIR/$1.spki.sha256"; }
pki_tlsa301() { cat "$PKI_DIR/$1.cert.sha256"; }

# pki_colon HEX - "AB:CD:..." as Postfix prints ccert_*fingerprint
pki_colon() {
	echo "$1" | tr 'a-f' 'A-F' | sed 's/../&:/g; s/:$//'
}
