#!/bin/bash
# t_manpages.sh - every manual page in docs/ formats without a single
# warning from man --warnings (groff's defaults: macros, escapes, fonts).
# Starts nothing; skips (77) where man is not installed.
set -eu
SMTP2_SRC=${SMTP2_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

command -v man >/dev/null 2>&1 || { echo "skip: man not installed" >&2; exit 77; }

failed=0
pages=0
for page in "$SMTP2_SRC"/docs/*.[1-8]; do
	[ -f "$page" ] || continue
	pages=$((pages + 1))
	# man writes groff's warnings on stderr; the page itself is thrown away.
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || {
		echo "not ok - $(basename "$page"): man failed: $warn"
		failed=$((failed + 1))
		continue
	}
	if [ -n "$warn" ]; then
		echo "not ok - $(basename "$page")"
		printf '%s\n' "$warn" | sed 's/^/#   /'
		failed=$((failed + 1))
	else
		echo "ok - $(basename "$page")"
	fi
done
echo "# $pages pages, $failed with warnings"
[ "$pages" -ge 4 ] && [ "$failed" -eq 0 ]
