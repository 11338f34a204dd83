-- Shared by the wrk scripts of bench/run.sh: per-thread client lists, and a done() that
-- prints one machine-readable line of figures (run.sh parses it).
--
-- Each script starts with:
--   package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
--   local common = require("common")
-- and is run as:  wrk ... -s bench/X.lua URL -- CLIENTS_FILE THREADS
-- CLIENTS_FILE holds "registration_client_uri registration_access_token" lines (or "-").

local common = {}

-- Think time: with BENCH_THINK_MS set, each connection waits after a response before its
-- next request, so the run offers a steady load below saturation (the paced stage of
-- bench/run.sh). The wait is drawn uniformly from 0 to twice that many whole milliseconds
-- (wrk's delay() takes whole ms): a fixed wait keeps every connection in step, and the
-- server would see the whole pool arrive as one burst per cycle. Unset or 0: every
-- connection sends its next request at once.
local think_ms = tonumber(os.getenv("BENCH_THINK_MS") or "0") or 0
if think_ms > 0 then
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  function delay()
    return math.random(0, 2 * think_ms)
  end
end

local threads = {}
local next_id = 0

-- Runs in the main Lua state, once per thread, before that thread's init().
function common.setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

-- This thread's share of the clients file: every THREADS-th line, so threads never share
-- a client (RFC 7592 updates are compare-and-set; two writers on one client would retry).
function common.load_clients(args)
  local path, count = args[1], tonumber(args[2] or "1")
  local me = thread_id or 0
  local clients = {}
  if path == nil or path == "-" or path == "" then
    return clients
  end
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  local n = 0
  for line in f:lines() do
    local uri, token = line:match("^(%S+)%s+(%S+)")
    if uri then
      if n % count == me then
        clients[#clients + 1] = { path = uri:gsub("^https?://[^/]+", ""), token = token }
      end
      n = n + 1
    end
  end
  f:close()
  return clients
end

function common.json_headers(token)
  local h = { ["Content-Type"] = "application/json" }
  if token then
    h["Authorization"] = "Bearer " .. token
  end
  return h
end

function common.bearer(token)
  return { ["Authorization"] = "Bearer " .. token }
end

-- The client_id is the last path segment of its registration_client_uri.
function common.client_id(path)
  return path:match("([^/]+)$")
end

-- Scripts that look at responses count statuses in these globals, per thread.
function common.count(status)
  if status >= 200 and status < 300 then
    ok_count = (ok_count or 0) + 1
  else
    bad_count = (bad_count or 0) + 1
    bad_statuses = bad_statuses or {}
    bad_statuses[status] = (bad_statuses[status] or 0) + 1
  end
end

local function sum(name)
  local total, seen = 0, false
  for _, t in ipairs(threads) do
    local v = t:get(name)
    if type(v) == "number" then
      total, seen = total + v, true
    end
  end
  return total, seen
end

-- One line: "BENCH key=value ...". Latencies in microseconds.
-- non2xx: statuses outside 2xx when the script counts responses itself; otherwise wrk's
-- own count of responses with status > 399 (errors.status).
function common.done(summary, latency, requests)
  local non2xx, counted = sum("bad_count")
  if not counted then
    non2xx = summary.errors.status
  end
  local statuses = {}
  for _, t in ipairs(threads) do
    local bad = t:get("bad_statuses")
    if type(bad) == "table" then
      for status, n in pairs(bad) do
        statuses[status] = (statuses[status] or 0) + n
      end
    end
  end
  local detail = {}
  for status, n in pairs(statuses) do
    detail[#detail + 1] = status .. ":" .. n
  end
  local extra = {}
  for _, name in ipairs({ "n_register", "n_read", "n_update", "n_delete", "n_created" }) do
    local v, seen = sum(name)
    if seen then
      extra[#extra + 1] = name .. "=" .. v
    end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f mean_us=%.0f p50_us=%.0f p90_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f non2xx=%d connect_err=%d read_err=%d write_err=%d timeout_err=%d statuses=%s %s\n",
    summary.requests, summary.duration, summary.requests / seconds, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, non2xx, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    (#detail > 0 and table.concat(detail, ",") or "-"), table.concat(extra, " ")))
end

return common
