#!/usr/bin/env bash
# dkim_corpus.sh - a corpus of messages signed by the real opendkim, for
# bench/dkim_bench (and for anyone who wants opendkim-signed mail).
#
#   dkim_corpus.sh OUTDIR
#
# Writes into OUTDIR (made if missing, must be empty of a previous corpus):
#   msgs/SIZE-ALG-CANON[-l].eml  signed messages, CRLF line ends
#   keys.txt                     "<sel>._domainkey.<domain> <key record>"
#   corpus.list                  "SIZE msgs/FILE" per message, sizes ascending
#
# Sizes 1k 4k 16k 64k 256k 1m (whole message, roughly); for each: rsa-sha256
# relaxed/relaxed (rr) and simple/simple (ss), ed25519-sha256 relaxed/relaxed
# and relaxed/simple (rs; opendkim cannot sign ed25519 with simple header
# canonicalisation, see tests/integration/lib/opendkim.sh), and two signed
# with l= (rsa rr, ed25519 rs) that then get a list footer appended after
# signing, as a mailing list would.  The text is generated, deterministic:
# 72-column lines of words, paragraphs, some trailing blanks and doubled
# spaces, blank lines at the end.  Keys are made afresh each run.
# Every message is checked with opendkim's own verifier before we finish.
# Needs opendkim, miltertest and openssl; as root opendkim runs as its user.
set -eu
[ $# = 1 ] || { echo "usage: dkim_corpus.sh OUTDIR" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/integration/lib/opendkim.sh
. "$here/../tests/integration/lib/opendkim.sh"

CORPUS_DOMAIN=corpus.test
CORPUS_SIZES="1k:1024 4k:4096 16k:16384 64k:65536 256k:262144 1m:1048576"
# signer name:algorithm:canonicalisation; the name is the file-name tag
CORPUS_SIGNERS="rsa-rr:rsa-sha256:relaxed/relaxed rsa-ss:rsa-sha256:simple/simple
ed25519-rr:ed25519-sha256:relaxed/relaxed ed25519-rs:ed25519-sha256:relaxed/simple"
# signers that also sign one message per size with l=
CORPUS_LENGTH="rsa-rr ed25519-rs"

# corpus_text SEED BYTES - deterministic body text of about BYTES bytes
corpus_text() {
	awk -v seed="$1" -v want="$2" 'BEGIN {
		n = split("the of and to a in is that for it as with was on be by " \
		    "report quarter revenue meeting schedule delivery customer server " \
		    "message signature domain policy network invoice project budget " \
		    "review draft release notes please find attached below regards " \
		    "thanks update status week month team office agenda minutes " \
		    "question answer request support ticket system backup migration " \
		    "certificate resolver mailbox archive transport relay queue", w, " ")
		s = seed * 7919 + 1; got = 0; line = ""; lines = 0
		while (got < want) {
			s = (s * 16807) % 2147483647
			word = w[s % n + 1]
			if (s % 11 == 0) word = toupper(substr(word, 1, 1)) substr(word, 2)
			sep = (s % 37 == 0) ? "  " : " "
			if (length(line) + length(sep) + length(word) > 72) {
				# now and then a trailing blank: simple and relaxed differ
				if (s % 13 == 0) line = line " "
				printf "%s\r\n", line; got += length(line) + 2; lines++
				line = ""
				if (lines % (4 + s % 6) == 0) { printf "\r\n"; got += 2 }
			}
			line = line (line == "" ? "" : sep) word
		}
		printf "%s.\r\n\r\n\r\n", line
	}'
}

# corpus_message NAME SEED BYTES - one unsigned message on stdout
corpus_message() {
	local body=$(($3 > 1200 ? $3 - 700 : 500))
	printf 'Received: from client.%s (client.%s [127.0.0.1])\r\n\tby mx.%s with ESMTPS id %s\r\n\tfor <bob@example.net>; Tue, 05 Mar 2024 10:15:00 +0000\r\n' \
		"$CORPUS_DOMAIN" "$CORPUS_DOMAIN" "$CORPUS_DOMAIN" "$2"
	printf 'From: "Alice Example" <alice@%s>\r\n' "$CORPUS_DOMAIN"
	printf 'To: Bob Example <bob@example.net>, Carol <carol@example.net>\r\n'
	printf 'Cc: team@example.net\r\n'
	printf 'Subject: Quarterly report %s: figures, schedule and the\r\n notes from the review meeting\r\n' "$1"
	printf 'Date: Tue, 05 Mar 2024 10:15:00 +0000\r\n'
	printf 'Message-ID: <%s.%s@%s>\r\n' "$1" "$2" "$CORPUS_DOMAIN"
	printf 'MIME-Version: 1.0\r\n'
	printf 'Content-Type: text/plain; charset=us-ascii; format=flowed\r\n'
	printf 'Content-Transfer-Encoding: 7bit\r\n'
	printf '\r\n'
	corpus_text "$2" "$body"
}

# corpus_footer FILE - what a list server appends after signing (l= case)
corpus_footer() {
	printf -- '-- \r\nteam mailing list\r\nteam@example.net - unsubscribe: team-request@example.net\r\n' >>"$1"
}

mkdir -p "$out/msgs"
out=$(cd "$out" && pwd)
[ -e "$out/corpus.list" ] && die "$out already holds a corpus"
dkim_need
t_mktemp
dkim_keygen "$CORPUS_DOMAIN" r2048 rsa 2048
dkim_keygen "$CORPUS_DOMAIN" ed1 ed25519
dkim_key_file "$out/keys.txt"

seed=0
: >"$out/corpus.list.tmp"
for s in $CORPUS_SIGNERS; do
	name=${s%%:*} rest=${s#*:}
	opendkim_start "$name" "${rest%%:*}" "${rest#*:}"
	list=$DKIM_DIR/$name.list
	: >"$list"
	for z in $CORPUS_SIZES; do
		for l in "" l; do
			[ -z "$l" ] || [[ " $CORPUS_LENGTH " == *" $name "* ]] || continue
			seed=$((seed + 1))
			f=${z%%:*}-$name${l:+-l}.eml
			corpus_message "${f%.eml}" "$seed" "${z#*:}" >"$DKIM_DIR/$f"
			printf '%s\t%s\t%s\n' "$DKIM_DIR/$f" "$out/msgs/$f" "$l" >>"$list"
			printf '%s msgs/%s\n' "${z%%:*}" "$f" >>"$out/corpus.list.tmp"
		done
	done
done
for s in $CORPUS_SIGNERS; do
	name=${s%%:*}
	dkim_sign_list "$name" "$DKIM_DIR/$name.list" || die "signing with $name failed"
done
opendkim_stop_all
for f in "$out"/msgs/*-l.eml; do
	corpus_footer "$f"
done
# Sizes ascending, in CORPUS_SIZES order.
for z in $CORPUS_SIZES; do
	grep "^${z%%:*} " "$out/corpus.list.tmp" >>"$out/corpus.list"
done
rm -f "$out/corpus.list.tmp"

bad=$(dkim_verify_opendkim "$out/keys.txt" "$out"/msgs/*.eml | grep -v ' pass$' || true)
[ -z "$bad" ] || die "opendkim does not verify its own corpus: $bad"
note "corpus: $(wc -l <"$out/corpus.list") messages in $out, all verified by opendkim"
