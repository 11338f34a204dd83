-- Registers clients over HTTP and writes "registration_client_uri token" lines to
-- OUT.<thread> (run.sh concatenates them); each thread stops after its quota.
-- wrk ... -s bench/seed.lua URL -- OUT THREADS TOTAL
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done

local out, quota, created = nil, 0, 0

function init(args)
  local threads = tonumber(args[2] or "1")
  quota = math.ceil(tonumber(args[3] or "1000") / threads)
  out = assert(io.open(args[1] .. "." .. tostring(thread_id), "w"))
end

wrk.method = "POST"
wrk.path = "/oidc/register"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"redirect_uris":["https://rp.example/cb"],"client_name":"bench"}'

function response(status, headers, body)
  common.count(status)
  if status ~= 201 or created >= quota then
    return
  end
  local uri = body:match('"registration_client_uri":"([^"]+)"')
  local token = body:match('"registration_access_token":"([^"]+)"')
  if uri and token then
    out:write(uri, " ", token, "\n")
    created = created + 1
    n_created = created
    if created >= quota then
      out:flush()
      wrk.thread:stop()
    end
  end
end
