-- RFC 7591 registration: POST /oidc/register with a small metadata document.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

wrk.method = "POST"
wrk.path = "/oidc/register"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"redirect_uris":["https://rp.example/cb"],"client_name":"bench"}'
