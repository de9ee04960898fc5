-- dkim_milter_drive.lua - miltertest script for bench/dkim_milter_bench.sh:
-- feeds an opendkim-signed corpus to one DKIM-verifying milter, serially,
-- and reads the milter's own CPU time from /proc around each size bucket.
--
--   miltertest -s dkim_milter_drive.lua -D sock=unix:PATH -D dir=CORPUS \
--       -D pid=PID -D seconds=S [-D maxrounds=N] [-D perconn=M]
--
-- dir holds corpus.list ("SIZE msgs/FILE" lines, sizes ascending).  Every
-- message goes through once unmeasured (caches warm, every verdict
-- checked), then bucket by bucket: whole rounds over the bucket's
-- messages until S seconds have passed (at least one round, at most N).
-- A new connection every M messages (default 1: most SMTP sessions carry
-- one message) and for each bucket.  Each message's Authentication-Results
-- must say dkim=pass and nothing else for dkim=.  Output lines, for the
-- shell to read:
--   bucket SIZE MSGS CPU_TICKS WALL_SECONDS
--   fail FILE: WHY          (each failing file once, the first 20)
--   done FAILURES FILES     (messages sent that did not pass, their files)

local secs = tonumber(seconds or "4")
local max_rounds = tonumber(maxrounds or "100000")
local per_conn = tonumber(perconn or "1")
local chunk = 65535	-- libmilter's MILTER_CHUNK_SIZE
local fails = 0

local function die(msg)
	print("error: " .. msg)	-- error() alone exits 1 silently
	error(msg)
end

for _, v in ipairs({ "sock", "dir", "pid" }) do
	if _ENV[v] == nil then die("missing -D " .. v .. "=...") end
end

-- cpu_ticks - utime + stime of the milter, all its threads, dead or alive
local function cpu_ticks()
	local f = io.open("/proc/" .. pid .. "/stat", "rb") or die("milter pid " .. pid .. " gone")
	local s = f:read("a")
	f:close()
	-- fields after "(comm) ": state is field 3, utime 14, stime 15
	local rest = s:match("%) (.*)$") or die("cannot parse /proc/" .. pid .. "/stat")
	local i, ut = 0, nil
	for tok in rest:gmatch("%S+") do
		i = i + 1
		if i == 12 then ut = tonumber(tok)
		elseif i == 13 then return ut + tonumber(tok) end
	end
	die("short /proc/" .. pid .. "/stat")
end

-- now - seconds since boot, 10 ms resolution
local function now()
	local f = io.open("/proc/uptime", "rb") or die("no /proc/uptime")
	local t = tonumber(f:read("a"):match("^(%S+)"))
	f:close()
	return t
end

-- load - one message split into milter form: fields as {name, value
-- without its leading blanks}, inner folds as LF; body in chunks
local function load(path)
	local f = io.open(path, "rb") or die("cannot read " .. path)
	local text = f:read("a")
	f:close()
	local hend = text:find("\r\n\r\n", 1, true) or die(path .. ": no end of header")
	local head, body = text:sub(1, hend + 1), text:sub(hend + 4)
	local lines = {}
	for line in head:gmatch("(.-)\r\n") do
		if line:match("^[ \t]") and #lines > 0 then
			lines[#lines] = lines[#lines] .. "\n" .. line
		else
			lines[#lines + 1] = line
		end
	end
	local m = { path = path, fields = {}, chunks = {} }
	for _, line in ipairs(lines) do
		local name, value = line:match("^([^:]+):(.*)$")
		if name == nil then die(path .. ": not a header field: " .. line) end
		m.fields[#m.fields + 1] = { name, (value:gsub("^[ \t]+", "")) }
	end
	for i = 1, #body, chunk do
		m.chunks[#m.chunks + 1] = body:sub(i, i + chunk - 1)
	end
	return m
end

-- verdict - nil when every dkim= result of the A-R value is pass
local function verdict(ar)
	if ar == nil then return "no Authentication-Results" end
	local n = 0
	for r in ar:gmatch("%f[%w%-]dkim=(%w+)") do
		if r ~= "pass" then return "dkim=" .. r .. " in: " .. ar end
		n = n + 1
	end
	if n == 0 then return "no dkim= in: " .. ar end
	return nil
end

-- fail - count a message that did not pass; print each file's first
-- failure, on one line, for the first 20 files
local failed, n_failed = {}, 0
local function fail(m, why)
	fails = fails + 1
	if failed[m.path] then return end
	failed[m.path] = true
	n_failed = n_failed + 1
	if n_failed <= 20 then
		print("fail " .. m.path .. ": " .. why:gsub("%s+", " "))
	end
end

-- step - a milter command must go through
local function step(m, what, rc)
	if rc ~= nil then die(m.path .. ": " .. what .. ": " .. tostring(rc)) end
end

-- hang_up - end the connection, if one is open
local conn, on_conn = nil, 0
local function hang_up()
	if conn ~= nil then mt.disconnect(conn) end
	conn, on_conn = nil, 0
end

-- send - one message, on a new connection every per_conn messages;
-- checks the verdict
local seq = 0
local function send(m)
	seq = seq + 1
	if conn == nil then
		conn = mt.connect(sock, 40, 0.05) or die("cannot connect to " .. sock)
		step(m, "conninfo", mt.conninfo(conn, "client.corpus.test", "127.0.0.1"))
	end
	mt.macro(conn, SMFIC_MAIL, "i", string.format("B%08X", seq))
	step(m, "mailfrom", mt.mailfrom(conn, "<alice@corpus.test>"))
	step(m, "rcptto", mt.rcptto(conn, "<bob@example.net>"))
	-- Values go as an MTA hands them over, without the blanks after the
	-- colon; miltertest puts one space back itself for a filter that
	-- negotiated SMFIP_HDR_LEADSPC (every corpus field has exactly one).
	for _, fl in ipairs(m.fields) do
		step(m, "header " .. fl[1], mt.header(conn, fl[1], fl[2]))
	end
	step(m, "eoh", mt.eoh(conn))
	for _, c in ipairs(m.chunks) do
		step(m, "body", mt.bodystring(conn, c))
	end
	step(m, "eom", mt.eom(conn))
	local reply = mt.getreply(conn)
	if reply ~= SMFIR_CONTINUE and reply ~= SMFIR_ACCEPT then
		fail(m, "end of message reply " .. tostring(reply))
	else
		local why = verdict(mt.getheader(conn, "Authentication-Results", 0))
		if why ~= nil then fail(m, why) end
	end
	on_conn = on_conn + 1
	if on_conn >= per_conn then hang_up() end
end

-- The corpus, bucket by bucket in list order.
local buckets, by_name = {}, {}
local lf = io.open(dir .. "/corpus.list", "rb") or die("cannot read " .. dir .. "/corpus.list")
for line in lf:lines() do
	local size, file = line:match("^(%S+) (%S+)$")
	if size == nil then die("bad corpus.list line: " .. line) end
	if by_name[size] == nil then
		by_name[size] = { name = size, msgs = {} }
		buckets[#buckets + 1] = by_name[size]
	end
	table.insert(by_name[size].msgs, load(dir .. "/" .. file))
end
lf:close()
if #buckets == 0 then die("empty corpus") end

mt.set_timeout(60)
-- Warm-up: keys fetched and parsed, every verdict seen once.
for _, b in ipairs(buckets) do
	for _, m in ipairs(b.msgs) do send(m) end
end
hang_up()

for _, b in ipairs(buckets) do
	local n, rounds = 0, 0
	local c0, t0 = cpu_ticks(), now()
	local t = t0
	while rounds < max_rounds and (rounds == 0 or t - t0 < secs) do
		for _, m in ipairs(b.msgs) do send(m) end
		n = n + #b.msgs
		rounds = rounds + 1
		t = now()
	end
	hang_up()
	local c1 = cpu_ticks()
	print(string.format("bucket %s %d %d %.2f", b.name, n, c1 - c0, t - t0))
end
print("done " .. fails .. " " .. n_failed)
