# shellcheck shell=bash disable=SC2034
# opendkim.sh - DKIM keys made at test time, opendkim as a signing milter
# on a unix socket, and message files signed through it by miltertest.
# Nothing here needs DNS: the key records are handed to the zones (and to
# verifiers) as text.
#
#   dkim_keygen DOMAIN SELECTOR rsa|ed25519 [BITS]
#                         a key pair (RSA: BITS, default 2048); remembered
#                         in DKIM_DIR/keys.list
#   dkim_txt DOMAIN SELECTOR
#                         print the key record, "v=DKIM1; k=...; p=..."
#   dkim_zone_records [DOMAIN]
#                         print zone-file lines (absolute owner names) for
#                         every key of DOMAIN and its subdomains (default:
#                         all keys); nothing when no key was made.  For the
#                         test DNS: make the keys before dns_make and print
#                         these lines from dns_child_records (dns.sh)
#   dkim_key_file FILE    write "<sel>._domainkey.<dom> <record>" lines:
#                         opendkim's TestPublicKeys format, bench input
#   opendkim_start NAME ALG CANON
#                         a signer: ALG rsa-sha256|ed25519-sha256, CANON
#                         header/body, e.g. relaxed/relaxed
#   dkim_sign NAME IN OUT [l]
#                         sign IN into OUT through signer NAME; "l" asks
#                         for a body length tag (l=)
#   dkim_sign_list NAME LIST
#                         many at once: LIST has "IN OUT [l]" lines
#   opendkim_socket NAME  print "unix:PATH" of its socket (for Postfix)
#   opendkim_stop NAME    stop signer NAME, by PID
#   opendkim_stop_all     stop every signer (in parallel: ~2-5 s in all)
#   dkim_verify_opendkim KEYFILE FILE...
#                         opendkim's own verdict on each FILE (test mode,
#                         keys from KEYFILE, no DNS): "FILE pass" or
#                         "FILE fail REASON" lines
#
# A signer signs mail whose From: domain has a key of its algorithm (the
# first one made), over every header field opendkim signs by default and
# with DKIM_OVERSIGN (default "From") signed once more than present.
# Signed files have CRLF line ends and header fields written "Name: value"
# (blanks after the colon become one space, as opendkim rebuilds fields
# from milter values): what opendkim hashed, byte for byte.
#
# opendkim's test mode (dkim_verify_opendkim) reads a field folded right
# after its colon ("To:" CRLF TAB "x") as "To: x": such a field signed
# with simple header canonicalisation then fails there though the
# signature is good.  Keep text on the first line of every field.
#
# Known opendkim 2.11.0~beta2 bug: ed25519-sha256 with simple header
# canonicalisation can fold its own DKIM-Signature differently from what
# it hashed (b= moves to its own line), so opendkim fails its own
# signature; use relaxed header canonicalisation with ed25519.

[ -n "${T_OPENDKIM_LOADED:-}" ] && return 0
T_OPENDKIM_LOADED=1
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DKIM_DIR=""
DKIM_OVERSIGN=${DKIM_OVERSIGN-From}
# Recipient the signers' BodyLengthDB lists: mail to it gets l=.
DKIM_LENGTH_RCPT=length-tag@example.net
DKIM_RCPT=someone@example.net

# dkim_need - skip (77) when opendkim or miltertest is missing
dkim_need() {
	need_cmd opendkim miltertest openssl base64
}

# dkim_dir - make DKIM_DIR ($T_DIR/dkim) once
dkim_dir() {
	[ -n "$DKIM_DIR" ] && return 0
	t_mktemp
	DKIM_DIR=$T_DIR/dkim
	mkdir -p "$DKIM_DIR/keys"
	: >"$DKIM_DIR/keys.list"
	dkim_lua >"$DKIM_DIR/sign.lua"
}

# dkim_keygen DOMAIN SELECTOR TYPE [BITS] - private key file and the p=
# value (RSA: base64 of the SubjectPublicKeyInfo; Ed25519: base64 of the
# raw 32-byte key, RFC 8463)
dkim_keygen() {
	local dom=$1 sel=$2 type=$3 bits=${4:-2048} key p
	dkim_dir
	key=$DKIM_DIR/keys/$sel.$dom.key
	case "$type" in
	rsa)
		openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" \
			-out "$key" 2>/dev/null || die "openssl: RSA key for $sel.$dom"
		p=$(openssl pkey -in "$key" -pubout -outform DER | base64 -w0)
		;;
	ed25519)
		openssl genpkey -algorithm ed25519 -out "$key" 2>/dev/null ||
			die "openssl: ed25519 key for $sel.$dom"
		# The DER SubjectPublicKeyInfo is a 12-byte prefix, then the key.
		p=$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 | base64 -w0)
		;;
	*) die "dkim_keygen: key type $type: want rsa or ed25519" ;;
	esac
	[ -n "$p" ] || die "dkim_keygen: no public key for $sel.$dom"
	chmod 600 "$key"
	# opendkim drops to its own user before it reads keys.
	[ "$(id -u)" = 0 ] && chown opendkim "$key"
	printf '%s %s %s %s %s\n' "$dom" "$sel" "$type" "$key" "$p" >>"$DKIM_DIR/keys.list"
}

# dkim_txt DOMAIN SELECTOR - print the key record of one key
dkim_txt() {
	awk -v d="$1" -v s="$2" '$1 == d && $2 == s {
		printf "v=DKIM1; k=%s; p=%s\n", $3, $5; found = 1; exit
	} END { exit !found }' "$DKIM_DIR/keys.list"
}

# dkim_zone_records [DOMAIN] - TXT lines for a zone file; strings cut at
# 255 characters (an RSA-2048 record does not fit in one)
dkim_zone_records() {
	[ -n "$DKIM_DIR" ] && [ -s "$DKIM_DIR/keys.list" ] || return 0
	awk -v only="${1:-}" 'only == "" || $1 == only ||
	    substr($1, length($1) - length(only)) == "." only {
		v = sprintf("v=DKIM1; k=%s; p=%s", $3, $5)
		line = sprintf("%s._domainkey.%s.\tIN TXT\t", $2, $1)
		for (i = 1; i <= length(v); i += 255)
			line = line (i > 1 ? " " : "") "\"" substr(v, i, 255) "\""
		print line
	}' "$DKIM_DIR/keys.list"
}

# dkim_key_file FILE - every key record as "<sel>._domainkey.<dom> TXT"
dkim_key_file() {
	awk '{ printf "%s._domainkey.%s v=DKIM1; k=%s; p=%s\n", $2, $1, $3, $5 }' \
		"$DKIM_DIR/keys.list" >"$1"
}

# dkim_signer_conf NAME ALG CANON - the signer's files in DKIM_DIR/NAME
dkim_signer_conf() {
	local dir=$DKIM_DIR/$1 alg=$2 canon=$3 type
	case "$alg" in
	rsa-sha256) type=rsa ;;
	ed25519-sha256) type=ed25519 ;;
	*) die "opendkim_start: algorithm $alg: want rsa-sha256 or ed25519-sha256" ;;
	esac
	# Key names are "<sel>.<dom>"; a domain signs with its first key.
	awk -v t="$type" '$3 == t { printf "%s.%s %s:%s:%s\n", $2, $1, $1, $2, $4 }' \
		"$DKIM_DIR/keys.list" >"$dir/key.table"
	awk -v t="$type" '$3 == t && !seen[$1]++ { printf "%s %s.%s\n", $1, $2, $1 }' \
		"$DKIM_DIR/keys.list" >"$dir/signing.table"
	[ -s "$dir/signing.table" ] || die "opendkim_start $1: no $type key made"
	echo "$DKIM_LENGTH_RCPT" >"$dir/bodylength"
	cat <<EOF
Mode			s
Syslog			no
Socket			local:$dir/run/sock
UMask			000
KeyTable		file:$dir/key.table
SigningTable		file:$dir/signing.table
InternalHosts		127.0.0.1
RequireSafeKeys		false
Canonicalization	$canon
SignatureAlgorithm	$alg
BodyLengthDB		file:$dir/bodylength
EOF
	[ -n "$DKIM_OVERSIGN" ] && printf 'OversignHeaders\t\t%s\n' "$DKIM_OVERSIGN"
	[ "$(id -u)" = 0 ] && printf 'UserID\t\t\topendkim\n'
	return 0
}

# opendkim_start NAME ALG CANON - run signer NAME (opendkim -f as a
# background job, tracked) and wait for its socket
opendkim_start() {
	local name=$1 dir pid i
	dkim_dir
	dir=$DKIM_DIR/$name
	mkdir -p "$dir/run"
	dkim_signer_conf "$name" "$2" "$3" >"$dir/opendkim.conf"
	# The socket directory must belong to the user opendkim runs as.
	[ "$(id -u)" = 0 ] && chown opendkim "$dir/run"
	opendkim -n -x "$dir/opendkim.conf" >"$dir/check.out" 2>&1 ||
		die "opendkim.conf ($name): $(cat "$dir/check.out")"
	opendkim -f -x "$dir/opendkim.conf" >>"$dir/opendkim.log" 2>&1 &
	pid=$!
	track_pid "$pid" "opendkim-$name"
	echo "$pid" >"$dir/pid"
	for ((i = 0; i < 100; i++)); do
		[ -S "$dir/run/sock" ] && return 0
		pid_alive "$pid" || break
		sleep 0.05
	done
	die "opendkim $name did not start: $(tail -5 "$dir/opendkim.log")"
}

# opendkim_socket NAME - print signer NAME's milter socket, as Postfix
# writes it (smtpd_milters = unix:PATH; mode 777, directory traversable)
opendkim_socket() {
	printf 'unix:%s\n' "$DKIM_DIR/$1/run/sock"
}

# opendkim_stop NAME - stop signer NAME by its PID
opendkim_stop() {
	local f=$DKIM_DIR/$1/pid pid
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	stop_pid "$pid"
	untrack_pid "$pid"
	rm -f "$f"
}

# opendkim_stop_all - stop every signer; libmilter notices TERM only
# within ~5 s, so they are all told first and that wait is paid once
opendkim_stop_all() {
	local f
	[ -n "$DKIM_DIR" ] || return 0
	for f in "$DKIM_DIR"/*/pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	for f in "$DKIM_DIR"/*/pid; do
		[ -f "$f" ] && opendkim_stop "$(basename "$(dirname "$f")")"
	done
	return 0
}

# dkim_sign_list NAME LIST - sign every "IN OUT [l]" line of LIST through
# signer NAME, one miltertest run for all
dkim_sign_list() {
	local dir=$DKIM_DIR/$1 out rc=0
	[ -S "$dir/run/sock" ] || die "dkim_sign: no signer $1"
	out=$(timeout 300 miltertest -s "$DKIM_DIR/sign.lua" \
		-D "sock=local:$dir/run/sock" -D "list=$2" \
		-D "rcpt=$DKIM_RCPT" -D "lrcpt=$DKIM_LENGTH_RCPT" 2>&1) || rc=$?
	[ "$rc" = 0 ] && return 0
	printf '%s\n' "$out" | sed 's/^/# miltertest: /' >&2
	note "dkim_sign $1: miltertest exit $rc; signer log: $(tail -3 "$dir/opendkim.log")"
	return 1
}

# dkim_sign NAME IN OUT [l] - sign one file
dkim_sign() {
	local list rc=0
	list=$(mktemp "$DKIM_DIR/list.XXXXXX")
	printf '%s\t%s\t%s\n' "$2" "$3" "${4:-}" >"$list"
	dkim_sign_list "$1" "$list" || rc=$?
	rm -f "$list"
	return "$rc"
}

# dkim_verify_opendkim KEYFILE FILE... - opendkim -t on every FILE, keys
# from KEYFILE (TestPublicKeys): one "FILE pass|fail REASON" line each
dkim_verify_opendkim() {
	local keys=$1 conf f files="" out
	shift
	dkim_dir
	conf=$DKIM_DIR/verify.conf
	printf 'Mode v\nSyslog no\nTestPublicKeys %s\nMinimumKeyBits 1024\n' "$keys" >"$conf"
	for f in "$@"; do
		case "$f" in *,*) die "dkim_verify_opendkim: comma in $f" ;; esac
		files=${files:+$files,}$f
	done
	out=$(timeout 120 opendkim -x "$conf" -vv -t "$files" 2>/dev/null)
	for f in "$@"; do
		awk -v f="$f" 'BEGIN { pre = "opendkim: " f ": " }
		index($0, pre) == 1 && /verification/ {
			v = substr($0, length(pre) + 1)
			if (v ~ /succeeded$/) r = "pass"; else { r = "fail " v }
		}
		index($0, pre) == 1 && /not signed/ { r = "fail not signed" }
		END { print f, (r == "" ? "fail no verdict" : r) }' <<<"$out"
	done
}

# dkim_lua - the miltertest script behind dkim_sign_list.  Per message:
# CRLF line ends, header fields unfolded into milter form (name, value
# without its leading blanks, inner folds as LF), the body in 64 KiB
# chunks; at end of message the inserted DKIM-Signature is written on top
# of the header exactly as opendkim hashed it ("Name: value", CRLF).
dkim_lua() {
	cat <<'EOF'
-- written by tests/integration/lib/opendkim.sh
local function die(msg)
	print("dkim_sign: " .. msg)	-- error() alone exits 1 silently
	error(msg)
end

local function split(text)
	local hend = text:find("\r\n\r\n", 1, true)
	local head, body
	if hend == nil then	-- no body
		head, body = text:gsub("\r\n$", "") .. "\r\n", ""
	else
		head, body = text:sub(1, hend + 1), text:sub(hend + 4)
	end
	local fields = {}
	for line in head:gmatch("(.-)\r\n") do
		if line:match("^[ \t]") and #fields > 0 then
			fields[#fields] = fields[#fields] .. "\n" .. line
		else
			fields[#fields + 1] = line
		end
	end
	return fields, body
end

local function step(what, rc)
	if rc ~= nil then die(what .. ": " .. tostring(rc)) end
end

local function sign(infile, outfile, length)
	local f = io.open(infile, "rb") or die("cannot read " .. infile)
	local text = f:read("a")
	f:close()
	text = text:gsub("\r\n", "\n"):gsub("\n", "\r\n")
	local fields, body = split(text)
	local conn = mt.connect(sock, 40, 0.05) or die("cannot connect to " .. sock)
	step("conninfo", mt.conninfo(conn, "localhost", "127.0.0.1"))
	mt.macro(conn, SMFIC_MAIL, "i", "DKIMSIGN")
	step("mailfrom", mt.mailfrom(conn, "dkim-sign@localhost"))
	step("rcptto", mt.rcptto(conn, length and lrcpt or rcpt))
	local out = {}
	for _, field in ipairs(fields) do
		local name, value = field:match("^([^:]+):(.*)$")
		if name == nil then die(infile .. ": not a header field: " .. field) end
		value = value:gsub("^[ \t]+", "")
		step("header " .. name, mt.header(conn, name, value))
		out[#out + 1] = name .. ": " .. value:gsub("\n", "\r\n") .. "\r\n"
	end
	step("eoh", mt.eoh(conn))
	if mt.getreply(conn) ~= SMFIR_CONTINUE then die(infile .. ": not signed (From: domain?)") end
	for i = 1, #body, 65535 do
		step("body", mt.bodystring(conn, body:sub(i, i + 65534)))
	end
	step("eom", mt.eom(conn))
	local sig = mt.getheader(conn, "DKIM-Signature", 0) or die(infile .. ": no signature")
	mt.disconnect(conn)
	sig = sig:gsub("^[ \t]+", ""):gsub("\r?\n", "\r\n")
	local o = io.open(outfile, "wb") or die("cannot write " .. outfile)
	o:write("DKIM-Signature: " .. sig .. "\r\n" .. table.concat(out) .. "\r\n" .. body)
	o:close()
end

local l = io.open(list, "rb") or die("cannot read " .. list)
for line in l:lines() do
	local infile, outfile, flag = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
	if infile == nil then die("bad list line: " .. line) end
	sign(infile, outfile, flag == "l")
end
l:close()
EOF
}
