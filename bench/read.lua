-- RFC 7592 read: GET registration_client_uri with the registration access token, cycling
-- through this thread's share of the clients file.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

local requests, i = {}, 0

function init(args)
  for _, c in ipairs(common.load_clients(args)) do
    requests[#requests + 1] = wrk.format("GET", c.path, common.bearer(c.token))
  end
  assert(#requests > 0, "read.lua: no clients for thread " .. tostring(thread_id))
end

function request()
  i = i % #requests + 1
  return requests[i]
end
