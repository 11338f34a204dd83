-- Framework ceiling: GET a fixed JSON body from examples/ceiling.rs (no per-request Lua).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

wrk.method = "GET"
wrk.path = "/oidc/register/ceiling"
