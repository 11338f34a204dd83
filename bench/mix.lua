-- Mix: of every 20 requests, 16 RFC 7592 reads (80%), 3 registrations (15%) and one
-- RFC 7592 replace (5%), over this thread's share of the clients file.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

local reads, updates, register_request = {}, {}, nil
local i, r, u = 0, 0, 0

function init(args)
  for _, c in ipairs(common.load_clients(args)) do
    reads[#reads + 1] = wrk.format("GET", c.path, common.bearer(c.token))
    local body = string.format(
      '{"client_id":"%s","redirect_uris":["https://rp.example/cb2"],"client_name":"bench2"}',
      common.client_id(c.path))
    updates[#updates + 1] = wrk.format("PUT", c.path, common.json_headers(c.token), body)
  end
  assert(#reads > 0, "mix.lua: no clients for thread " .. tostring(thread_id))
  register_request = wrk.format("POST", "/oidc/register", common.json_headers(nil),
    '{"redirect_uris":["https://rp.example/cb"],"client_name":"bench"}')
end

function request()
  i = i % 20 + 1
  if i <= 3 then
    n_register = (n_register or 0) + 1
    return register_request
  elseif i == 4 then
    n_update = (n_update or 0) + 1
    u = u % #updates + 1
    return updates[u]
  end
  n_read = (n_read or 0) + 1
  r = r % #reads + 1
  return reads[r]
end
