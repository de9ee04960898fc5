#!/bin/bash
# t_tlspolicy.sh - smtp2-policyd as Postfix's smtp_tls_policy_maps over
# socketmap: a real Postfix delivers to a second private Postfix (the
# receiving MX) under the policy smtp2-policyd gives for each domain:
# dane-only for DNSSEC-secure TLSA (verified delivery; a certificate that
# does not match is deferred), secure match= for _smtp2 p=enforce in an
# unsigned zone and for MTA-STS enforce (DANE winning over MTA-STS),
# NOTFOUND for a domain with nothing (opportunistic delivery), TEMP when
# DNS is down (deferred).  Zones and helpers: lib/tlspolicy.sh.
. "$(dirname "$0")/lib/expect.sh"
# shellcheck source=lib/tlspolicy.sh
. "$(dirname "$0")/lib/tlspolicy.sh"

stack_need
need_cmd unshare mount postmap
t_mktemp
note "tlspolicy stack in $T_DIR"
tp_ports
pki_make
tp_pki
tp_dns_setup
dns_up
SMTP2_EXTRA_CONF="tlspolicy = { listen = [ \"inet:127.0.0.1:$TP_PORT\" ];
            smtp_port = $MX2_PORT; mta_sts_port = $STS_PORT; };"
smtp2_write_conf permissive
smtp2_start_one policyd "$SMTP2_POLICYD" "$POLICYD_PORT"
POLICYD_PID=$SMTP2_LAST_PID
wait_port "$TP_PORT" || die "smtp2-policyd does not serve the TLS policy map"
sts_start
sts_policy mta-sts.sts.test enforce mx2.sts.test
sts_policy mta-sts.stsbad.test enforce mx.elsewhere.test
sts_policy mta-sts.danemx.test enforce mx2.danemx.test
sink_start
mx2_up
sender_up
note "policyd $TP_PORT (socketmap), mx2 $MX2_ADDR:$MX2_PORT, MTA-STS $STS_PORT," \
	"resolv.conf $TP_DNS53, sender 127.0.0.1:$PF_PORT"

# The answers themselves, as Postfix's socketmap client reads them.
assert_eq "$(tp_lookup danemx.test)" dane-only "danemx.test (secure TLSA): dane-only"
assert_match "$(tp_policyd_line danemx.test)" 'result=dane-only source=dane ' \
	"danemx.test: DANE wins over its MTA-STS policy"
assert_eq "$(grep -c 'host=mta-sts.danemx.test' "$T_DIR/sts.log")" 0 \
	"danemx.test: MTA-STS policy not even fetched"
assert_eq "$(tp_lookup badmx.test)" dane-only "badmx.test (secure TLSA, other key): dane-only"
assert_eq "$(tp_lookup plainmx.test)" "secure match=plainmx.test:.plainmx.test" \
	"plainmx.test (_smtp2 enforce, unsigned): secure match="
assert_eq "$(tp_lookup sts.test)" "secure match=mx2.sts.test servername=hostname" \
	"sts.test (MTA-STS enforce): secure match= the policy's mx"
tp_lookup sts.test >/dev/null
assert_eq "$(grep -c 'host=mta-sts.sts.test' "$T_DIR/sts.log")" 1 \
	"sts.test: policy fetched once, then cached"
assert_eq "$(tp_lookup nopolicy.test)" NOTFOUND "nopolicy.test: NOTFOUND"
assert_eq "$(tp_lookup '[127.0.0.2]:25')" NOTFOUND "[host]:port next hop: NOTFOUND"

# Mail through the sending Postfix; the receiving MX relays to the sink.
send_to() {
	SEND_TO="someone@$1" send_mail example.org -
	expect_accepted "$1: accepted by the sending Postfix"
	TP_OUTCOME=$(tp_outcome "$SEND_QID")
}

send_to danemx.test
assert_eq "$TP_OUTCOME" sent "danemx.test: delivered under dane-only"
expect_delivered "danemx.test: reached the sink through mx2"
assert_grep "$PF_LOG" "Verified TLS connection established to mx2\.danemx\.test" \
	"danemx.test: Postfix verified mx2 by DANE"

send_to badmx.test
assert_eq "$TP_OUTCOME" deferred "badmx.test: certificate does not match the TLSA: deferred"
check "badmx.test: not delivered" test -z "$(sink_find "$SEND_ID" 5)"

send_to plainmx.test
assert_eq "$TP_OUTCOME" sent "plainmx.test: delivered under secure match="
assert_grep "$PF_LOG" "Verified TLS connection established to mx2\.plainmx\.test" \
	"plainmx.test: Postfix verified mx2's name"

send_to sts.test
assert_eq "$TP_OUTCOME" sent "sts.test: delivered under MTA-STS enforce"
assert_grep "$PF_LOG" "Verified TLS connection established to mx2\.sts\.test" \
	"sts.test: Postfix verified mx2's name"

send_to stsbad.test
assert_eq "$TP_OUTCOME" deferred "stsbad.test: MX not in the MTA-STS policy: deferred"
check "stsbad.test: not delivered" test -z "$(sink_find "$SEND_ID" 5)"

send_to nopolicy.test
assert_eq "$TP_OUTCOME" sent "nopolicy.test: NOTFOUND, opportunistic delivery"
expect_delivered "nopolicy.test: reached the sink"

# smtp2-policyd's resolver down, Postfix's still up: the policy cannot
# be known, so the mail must wait, for that reason and no other.
smtp2_stop
smtp2_check_reports
tp_unbound=$UNBOUND_PORT
free_port UNBOUND_PORT		# nothing listens there
smtp2_write_conf permissive "$SMTP2_CONF"
UNBOUND_PORT=$tp_unbound
smtp2_start_one policyd "$SMTP2_POLICYD" "$POLICYD_PORT"
POLICYD_PID=$SMTP2_LAST_PID
wait_port "$TP_PORT" || die "smtp2-policyd does not serve the TLS policy map"
send_to nopolicy.test
assert_eq "$TP_OUTCOME" deferred "policyd's DNS down: mail to nopolicy.test deferred"
assert_grep "$PF_LOG" "$SEND_QID: .*status=deferred.*(TLS|policy)" \
	"policyd's DNS down: deferred for the TLS policy lookup"
assert_match "$(tp_policyd_line nopolicy.test)" 'result=temp ' \
	"policyd's DNS down: policyd logs result=temp"

# All DNS down: TEMP too, never NOTFOUND.
unbound_stop
assert_eq "$(tp_lookup legacy.test)" ERROR "DNS down: TEMP (postmap sees a lookup error)"
assert_match "$(tp_policyd_line legacy.test)" 'result=temp ' "DNS down: policyd logs result=temp"
send_to legacy.test
assert_eq "$TP_OUTCOME" deferred "DNS down: mail to legacy.test deferred"

mx2_down
stack_down
t_done
