#!/bin/bash
# t_privdrop.sh - both daemons started as root with daemon.user give up
# root after binding: every uid and gid is the user's, the only group is
# its group, they still answer, and SIGTERM still removes their unix
# sockets.  daemon.user = "root", and root without daemon.user, are
# refused.  A throwaway system user is made for the test and removed.
. "$(dirname "$0")/lib/smtp2.sh"

smtp2_need_bins
skip_unless_root
need_cmd useradd userdel ss /usr/bin/python3
t_mktemp

U=smtp2test
if ! id "$U" >/dev/null 2>&1; then
	useradd -r -M -s /usr/sbin/nologin "$U" || die "useradd $U failed"
	on_cleanup "userdel $U"
fi
UID_U=$(id -u "$U") GID_U=$(id -g "$U")

# Sockets and pid files live where the user may remove them at exit.
R=$T_DIR/run
mkdir -p "$R" && chown "$U:$GID_U" "$R" && chmod 750 "$R" || die "mkdir $R"
printf '. 3600 IN DS 4242 13 2 %s\n' "$(printf '%064d' 0)" >"$T_DIR/root.ds"
free_port POLICYD_PORT
free_port MPOL_PORT
free_port MMIL_PORT
SMTP2_LOG=$T_DIR/smtp2.log

# write_conf FILE DAEMON_GROUP [LOG_TO] - a loopback-only milter.conf
write_conf() {
	cat >"$1" <<EOT
dns       = { resolvers = [ "127.0.0.1:1" ]; trust_anchors = "$T_DIR/root.ds";
              dnssec = "off"; timeout_ms = 500; };
policy    = { mode = "permissive"; authserv_id = "mx.example.net"; };
milter    = { socket = "unix:$R/milter.sock"; tls_source = "macros"; };
policyd   = { listen = [ "inet:127.0.0.1:$POLICYD_PORT", "unix:$R/policyd.sock" ]; };
tlspolicy = { listen = [ "unix:$R/tlspolicy.sock" ]; mta_sts = false; };
metrics   = { policyd_listen = "127.0.0.1:$MPOL_PORT";
              milter_listen = "127.0.0.1:$MMIL_PORT"; };
log       = { to = "${3:-file:$SMTP2_LOG}"; level = "info"; };
$2
EOT
}

# wait_socket PATH - up to 10 s for a unix socket to appear
wait_socket() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# check_ids NAME PID - Uid, Gid (real, effective, saved, fs) and Groups
check_ids() {
	local st=/proc/$2/status
	assert_eq "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")" \
	    "$UID_U $UID_U $UID_U $UID_U" "$1: every uid is $U's"
	assert_eq "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")" \
	    "$GID_U $GID_U $GID_U $GID_U" "$1: every gid is $U's group"
	assert_eq "$(awk '/^Groups:/ { $1 = ""; print substr($0, 2) }' "$st" |
	    sed 's/ *$//')" "$GID_U" "$1: the user's group is the only group"
}

# talk ADDR REQUEST - send REQUEST to ADDR (host:port or /path), print the
# reply up to its blank line
talk() {
	/usr/bin/python3 - "$1" "$2" <<'EOT'
import socket, sys
addr, req = sys.argv[1], sys.argv[2]
if addr.startswith("/"):
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(addr)
else:
    h, p = addr.rsplit(":", 1)
    s = socket.create_connection((h, int(p)), timeout=10)
s.sendall(req.encode())
buf = b""
while b"\n\n" not in buf:
    d = s.recv(4096)
    if not d:
        break
    buf += d
print(buf.decode(errors="replace").strip())
EOT
}

# http_status PORT - status of GET /metrics on 127.0.0.1:PORT
http_status() {
	/usr/bin/python3 -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10).status)' "$1" 2>&1 | tail -1
}

REQ=$'request=smtp_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.1\nclient_name=mx.example.org\nhelo_name=mx.example.org\nsender=a@example.org\nrecipient=b@example.net\n\n'

note "running as $U (uid $UID_U, gid $GID_U)"
write_conf "$T_DIR/milter.conf" "daemon = { user = \"$U\"; };"
SMTP2_CONF=$T_DIR/milter.conf
"$SMTP2_POLICYD" -c "$SMTP2_CONF" -f -p "$R/policyd.pid" >>"$T_DIR/policyd.out" 2>&1 &
POLICYD_PID=$!
track_pid "$POLICYD_PID" policyd
wait_port "$POLICYD_PORT" || die "policyd did not listen: $(tail -5 "$T_DIR/policyd.out")"
"$SMTP2_MILTER" -c "$SMTP2_CONF" -f -p "$R/milter.pid" >>"$T_DIR/milter.out" 2>&1 &
MILTER_PID=$!
track_pid "$MILTER_PID" milter
wait_socket "$R/milter.sock" || die "milter did not listen: $(tail -5 "$T_DIR/milter.out")"
for ((i = 0; i < 100; i++)); do
	[ "$(grep -c "running as user $U" "$SMTP2_LOG" 2>/dev/null)" = 2 ] && break
	sleep 0.1
done

check_ids smtp2-policyd "$POLICYD_PID"
check_ids smtp2-milter "$MILTER_PID"
assert_eq "$(cat "$R/policyd.pid")" "$POLICYD_PID" "smtp2-policyd: pid file"
assert_eq "$(cat "$R/milter.pid")" "$MILTER_PID" "smtp2-milter: pid file"
assert_count "$SMTP2_LOG" "running as user $U, group $GID_U" 2 \
    "both daemons log the user they run as"
for s in policyd tlspolicy milter; do
	assert_eq "$(stat -c %u "$R/$s.sock")" "$UID_U" "$s.sock belongs to $U"
done

assert_match "$(talk "127.0.0.1:$POLICYD_PORT" "$REQ")" '^action=' \
    "smtp2-policyd answers on inet after the drop"
assert_match "$(talk "$R/policyd.sock" "$REQ")" '^action=' \
    "smtp2-policyd answers on its unix socket after the drop"
if /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])' \
    "$R/tlspolicy.sock"; then
	pass "tlspolicy socket accepts after the drop"
else
	fail "tlspolicy: connect $R/tlspolicy.sock failed"
fi
if /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])' \
    "$R/milter.sock"; then
	pass "smtp2-milter accepts on its socket after the drop"
else
	fail "smtp2-milter: connect $R/milter.sock failed"
fi
assert_eq "$(http_status "$MPOL_PORT")" 200 "smtp2-policyd metrics after the drop"
assert_eq "$(http_status "$MMIL_PORT")" 200 "smtp2-milter metrics after the drop"

stop_pid "$MILTER_PID"; untrack_pid "$MILTER_PID"
assert_eq "$STOP_RC" 0 "smtp2-milter: SIGTERM, exit 0"
stop_pid "$POLICYD_PID"; untrack_pid "$POLICYD_PID"
assert_eq "$STOP_RC" 0 "smtp2-policyd: SIGTERM, exit 0"
for s in policyd tlspolicy milter; do
	if [ -e "$R/$s.sock" ]; then fail "$s.sock left behind"; else pass "$s.sock removed at exit"; fi
done

# refused NAME DAEMON_GROUP WANT - both daemons exit 1 saying WANT
refused() {
	local p name bin out rc
	write_conf "$T_DIR/$1.conf" "$2" stderr
	for p in "smtp2-policyd:$SMTP2_POLICYD" "smtp2-milter:$SMTP2_MILTER"; do
		name=${p%%:*} bin=${p#*:}
		out=$(timeout 20 "$bin" -c "$T_DIR/$1.conf" -f 2>&1)
		rc=$?
		if [ "$rc" = 1 ] && grep -qF -- "$3" <<<"$out"; then
			pass "$name, $1: refused, exit 1: $3"
		else
			fail "$name, $1: want exit 1 and '$3', got exit $rc: $(head -3 <<<"$out")"
		fi
		rm -f "$R"/*.sock
	done
}
refused user-root 'daemon = { user = "root"; allow_root = true; };' \
    'daemon.user: root has uid 0: refusing to run as root'
refused no-user '' 'started as root without daemon.user: refusing to run as root'
refused unknown 'daemon = { user = "smtp2-no-such-user"; };' \
    'daemon.user: smtp2-no-such-user: no such user'
t_done
