-- Client credentials: POST /oauth/token with HTTP Basic client authentication, the same
-- request every time (the server signs a fresh token for each).
-- Environment: BENCH_BASIC (the Authorization header value), BENCH_AUDIENCE.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

local function form_escape(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

wrk.method = "POST"
wrk.path = "/oauth/token"
wrk.body = "grant_type=client_credentials&audience=" .. form_escape(os.getenv("BENCH_AUDIENCE") or "")
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC") or ""
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function response(status)
  common.count(status)
end
