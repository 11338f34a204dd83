-- RFC 7592 replace: PUT the full metadata (with client_id) to registration_client_uri,
-- cycling through this thread's clients and alternating two redirect URIs.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

local requests, i = {}, 0

function init(args)
  local clients = common.load_clients(args)
  -- All clients to cb2, then all back to cb: one request per client per pass.
  for _, v in ipairs({ "2", "" }) do
    for _, c in ipairs(clients) do
      local body = string.format(
        '{"client_id":"%s","redirect_uris":["https://rp.example/cb%s"],"client_name":"bench%s"}',
        common.client_id(c.path), v, v)
      requests[#requests + 1] = wrk.format("PUT", c.path, common.json_headers(c.token), body)
    end
  end
  assert(#requests > 0, "replace.lua: no clients for thread " .. tostring(thread_id))
end

function request()
  -- At most one request in flight per client, as long as a thread has more clients
  -- than connections.
  i = i % #requests + 1
  return requests[i]
end
