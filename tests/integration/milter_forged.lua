-- milter_forged.lua - smtp2-milter deletes forged smtp2 headers and
-- inserts exactly one Authentication-Results and one X-SMTP2-Verified.
--
-- How to run: start smtp2-milter (-f) with a milter.conf whose mode stamps
-- this message (permissive does; e.g. milter.tls_source = "macros" and
-- dns = { resolvers = [ "127.0.0.1:1" ]; dnssec = "off"; } so lookups fail
-- fast: temperror, accepted and stamped), then:
--
--   miltertest -s tests/integration/milter_forged.lua \
--       -D MILTER_SOCKET=inet:8891@127.0.0.1 -D AUTHSERV_ID=mx.example.net
--
-- MILTER_SOCKET may also be given as MILTER_PORT (inet on 127.0.0.1), and
-- either may come from the environment instead of -D.  AUTHSERV_ID must be
-- the milter's policy.authserv_id (default mx.example.net).  Exit status 0
-- means every check passed; on failure the reason is printed first.

local function setting(name)
	local v = _G[name]
	if v == nil and os ~= nil and os.getenv ~= nil then
		v = os.getenv(name)
	end
	if v == "" then
		v = nil
	end
	return v
end

local function fail(what)
	-- miltertest exits 1 silently on error(): say why first.
	print("milter_forged: FAIL: " .. what)
	error(what)
end

local function expect_reply(conn, what, ...)
	local got = mt.getreply(conn)
	for _, want in ipairs({...}) do
		if got == want then
			return
		end
	end
	fail(what .. ": unexpected reply " .. tostring(got))
end

local function step(conn, what, r, ...)
	if r ~= nil then
		fail(what .. ": " .. tostring(r))
	end
	expect_reply(conn, what, ...)
end

local socket = setting("MILTER_SOCKET")
if socket == nil and setting("MILTER_PORT") ~= nil then
	socket = "inet:" .. setting("MILTER_PORT") .. "@127.0.0.1"
end
if socket == nil then
	fail("set MILTER_SOCKET or MILTER_PORT (-D NAME=VALUE or the environment)")
end
local authserv_id = setting("AUTHSERV_ID") or "mx.example.net"

mt.set_timeout(30)
local conn = mt.connect(socket, 40, 0.25)
if conn == nil then
	fail("cannot connect to " .. socket)
end

-- body, end-of-header: only when the filter did not switch them off
local function finish_message(c)
	if not mt.test_option(c, SMFIP_NOEOH) then
		step(c, "eoh", mt.eoh(c), SMFIR_CONTINUE)
	end
	if not mt.test_option(c, SMFIP_NOBODY) then
		step(c, "body", mt.bodystring(c, "Hello.\r\n"), SMFIR_CONTINUE)
	end
	step(c, "eom", mt.eom(c), SMFIR_CONTINUE, SMFIR_ACCEPT)
end

-- exactly one inserted header of this name, starting with prefix
local function check_stamp(c, name, prefix)
	if not mt.eom_check(c, MT_HDRINSERT, name) then
		fail(name .. " was not inserted")
	end
	local value = mt.getheader(c, name, 0)
	if value == nil then
		fail(name .. ": no value")
	end
	-- With SMFIP_HDR_LEADSPC negotiated the value carries its own space.
	value = string.gsub(value, "^ ", "")
	if string.sub(value, 1, string.len(prefix)) ~= prefix then
		fail(name .. ": '" .. value .. "' does not start with '" .. prefix .. "'")
	end
	if mt.getheader(c, name, 1) ~= nil then
		fail(name .. " inserted more than once")
	end
end

mt.macro(conn, SMFIC_CONNECT, "{client_addr}", "192.0.2.1",
	"{client_port}", "41234", "{daemon_port}", "25")
step(conn, "connect", mt.conninfo(conn, "client.example", "192.0.2.1"),
	SMFIR_CONTINUE)
step(conn, "helo", mt.helo(conn, "client.example"), SMFIR_CONTINUE)

-- Message 1: one forged X-SMTP2-Verified, one forged Authentication-Results
-- in our name, one foreign Authentication-Results that must stay.
mt.macro(conn, SMFIC_MAIL, "i", "FORGED1")
step(conn, "mail", mt.mailfrom(conn, "<alice@bank.test>"), SMFIR_CONTINUE)
step(conn, "rcpt", mt.rcptto(conn, "<bob@example.net>"), SMFIR_CONTINUE)
step(conn, "From", mt.header(conn, "From", "Alice <alice@bank.test>"),
	SMFIR_CONTINUE)
step(conn, "foreign A-R", mt.header(conn, "Authentication-Results",
	"other.example; spf=pass smtp.mailfrom=bank.test"), SMFIR_CONTINUE)
step(conn, "forged X-SMTP2-Verified", mt.header(conn, "X-SMTP2-Verified",
	"yes"), SMFIR_CONTINUE)
step(conn, "forged A-R", mt.header(conn, "Authentication-Results",
	authserv_id .. "; smtp2=pass header.from=bank.test"), SMFIR_CONTINUE)
step(conn, "Subject", mt.header(conn, "Subject", "forged"), SMFIR_CONTINUE)
finish_message(conn)

-- A deletion is a change to an empty value.
if not mt.eom_check(conn, MT_HDRCHANGE, "X-SMTP2-Verified", "") then
	fail("forged X-SMTP2-Verified was not deleted")
end
if not mt.eom_check(conn, MT_HDRCHANGE, "Authentication-Results", "") then
	fail("forged Authentication-Results was not deleted")
end
check_stamp(conn, "Authentication-Results", authserv_id .. ";")
check_stamp(conn, "X-SMTP2-Verified", "")

-- Message 2 on the same connection: nothing forged, nothing deleted; the
-- first message's bookkeeping must not leak into this one.
mt.macro(conn, SMFIC_MAIL, "i", "CLEAN2")
step(conn, "mail 2", mt.mailfrom(conn, "<alice@bank.test>"), SMFIR_CONTINUE)
step(conn, "rcpt 2", mt.rcptto(conn, "<bob@example.net>"), SMFIR_CONTINUE)
step(conn, "From 2", mt.header(conn, "From", "alice@bank.test"), SMFIR_CONTINUE)
step(conn, "foreign A-R 2", mt.header(conn, "Authentication-Results",
	"other.example; dkim=pass"), SMFIR_CONTINUE)
finish_message(conn)
if mt.eom_check(conn, MT_HDRCHANGE) then
	fail("message 2: a header was changed or deleted")
end
check_stamp(conn, "Authentication-Results", authserv_id .. ";")
check_stamp(conn, "X-SMTP2-Verified", "")

mt.disconnect(conn)
print("milter_forged: ok")
