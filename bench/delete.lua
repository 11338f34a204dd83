-- RFC 7592 delete plus re-registration: DELETE a client from this thread's pool, or, when
-- the pool is empty, POST a new registration whose response refills the pool. The pool
-- starts with this thread's share of the clients file; each client is deleted once.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

local pool = {}
local register_request

function init(args)
  for _, c in ipairs(common.load_clients(args)) do
    pool[#pool + 1] = wrk.format("DELETE", c.path, common.bearer(c.token))
  end
  register_request = wrk.format("POST", "/oidc/register", common.json_headers(nil),
    '{"redirect_uris":["https://rp.example/cb"],"client_name":"bench"}')
end

function request()
  local n = #pool
  if n > 0 then
    n_delete = (n_delete or 0) + 1
    local r = pool[n]
    pool[n] = nil
    return r
  end
  n_register = (n_register or 0) + 1
  return register_request
end

function response(status, headers, body)
  common.count(status)
  if status == 201 then
    local uri = body:match('"registration_client_uri":"([^"]+)"')
    local token = body:match('"registration_access_token":"([^"]+)"')
    if uri and token then
      pool[#pool + 1] = wrk.format("DELETE", uri:gsub("^https?://[^/]+", ""), common.bearer(token))
    end
  end
end
