#!/usr/bin/env bash
# CPU profile of Registrar (Redis store) under wrk load: where a registration and an
# RFC 7592 read spend their time.
#
#   bench/profile.sh                      # register and read, 8 s of samples each
#   PROFILE_SECONDS=15 CONNECTIONS=256 bench/profile.sh
#
# Builds the release binary (BUILD=0 skips), starts its own redis-server (AOF,
# everysec) and registrar on free loopback ports, seeds clients over HTTP for the read
# run, and records `perf record -e cpu-clock --call-graph dwarf` on the registrar while wrk
# drives it. Prints the top symbols by self time and the time per function of ours
# (innermost registrar:: frame), and writes bench/results/profile.md;
# perf.data files stay in bench/results/raw/ for `perf report -i ...`.
# Needs perf (Debian: apt-get install linux-perf). cpu-clock is a software event, so it
# works in VMs without hardware counters.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PROFILE_SECONDS=${PROFILE_SECONDS:-8}
CONNECTIONS=${CONNECTIONS:-32}
WORKERS=${WORKERS:-$(nproc)}
WRK_THREADS=${WRK_THREADS:-2}
TOP=${TOP:-25}
PERF_FREQ=${PERF_FREQ:-299}
BUILD=${BUILD:-1}
export RUST_LOG=warn
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
clean_server_env
export BENCH_LUA_DIR="$ROOT/bench"
BIN=$ROOT/target/release/registrar
RAW=$ROOT/bench/results/raw
OUT=$ROOT/bench/results/profile.md
mkdir -p "$RAW"

command -v perf >/dev/null || { echo "profile: perf is required (apt-get install linux-perf)" >&2; exit 1; }
[ "$BUILD" = 1 ] && cargo build --release --bin registrar

bench_setup profile

RPORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$RPORT" --dir "$WORK" --appendonly yes \
  --appendfsync everysec --save "" --logfile "$WORK/redis.log" &
PIDS+=($!)
for _ in $(seq 100); do [ "$(redis-cli -p "$RPORT" PING 2>/dev/null)" = PONG ] && break; sleep 0.1; done

PORT=$(free_port)
while [ "$PORT" = "$RPORT" ]; do PORT=$(free_port); done
"$BIN" serve --listen "127.0.0.1:$PORT" --workers "$WORKERS" --redis-url "redis://127.0.0.1:$RPORT" \
  --secret-key="$("$BIN" gen-key)" >"$RAW/profile-registrar.log" 2>&1 &
REG_PID=$!
PIDS+=("$REG_PID")
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.1; done

# Clients for the read run (bench/seed.lua stops each thread at its quota; wrk itself
# waits out -d, so 5 s bounds it).
wrk -t"$WRK_THREADS" -c32 -d5s -s "$ROOT/bench/seed.lua" "http://127.0.0.1:$PORT" \
  -- "$WORK/clients.txt" "$WRK_THREADS" 10000 >/dev/null 2>&1
cat "$WORK"/clients.txt.[0-9]* >"$WORK/clients.txt"

{
  echo "# Registrar CPU profile (Redis store)"
  echo
  echo "Command: \`bench/profile.sh\` (perf record -e cpu-clock -F $PERF_FREQ --call-graph dwarf, ${PROFILE_SECONDS} s, wrk -t$WRK_THREADS -c$CONNECTIONS, --workers $WORKERS); $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
} >"$OUT"

# perf report, sample lines only, without the padding perf adds.
report() {
  perf report -i "$1" --no-children --no-inline --sort "$2" --stdio -g none 2>/dev/null |
    grep -E '^ +[0-9]' | sed -E 's/[[:space:]]+(-[[:space:]]+)*$//'
}

# Each sample goes to the innermost frame of our code (registrar::) or of the Redis
# client (redis::); samples with neither are actix/tokio/kernel work.
attribute() {
  perf script -i "$1" -F ip,sym --no-inline 2>/dev/null | awk '
    function flush(   i, key) {
      if (n == 0) return
      key = "(actix-web, tokio, kernel: HTTP and socket I/O)"
      for (i = 1; i <= n; i++) if (f[i] ~ /registrar::/ || f[i] ~ /^<?redis::/) { key = f[i]; break }
      gsub(/::\{\{closure\}\}/, "", key)
      if (key ~ /^<?redis::/) key = "redis client: " key
      count[substr(key, 1, 140)]++; total++; n = 0
    }
    /^[[:space:]]*$/ { flush(); next }
    { $1 = ""; sub(/^ /, ""); f[++n] = $0 }
    END { flush(); for (k in count) printf "%6.1f%%  %s\n", count[k] * 100 / total, k }
  ' | sort -rn
}

for scenario in register read; do
  data="$RAW/perf-$scenario.data"
  clients=-; [ "$scenario" = read ] && clients="$WORK/clients.txt"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$((PROFILE_SECONDS + 2))s" --latency \
    -s "$ROOT/bench/$scenario.lua" "http://127.0.0.1:$PORT" -- "$clients" "$WRK_THREADS" \
    >"$RAW/profile-wrk-$scenario.txt" 2>&1 &
  WRK_PID=$!
  PIDS+=("$WRK_PID")
  sleep 1
  perf record -e cpu-clock -F "$PERF_FREQ" --call-graph dwarf,8192 -p "$REG_PID" -o "$data" \
    -- sleep "$PROFILE_SECONDS" >/dev/null 2>&1
  wait "$WRK_PID" || true
  rps=$(sed -n 's/.* rps=\([^ ]*\).*/\1/p' "$RAW/profile-wrk-$scenario.txt")
  {
    echo
    echo "## $scenario ($rps req/s under perf)"
    echo
    echo "Self time by object (perf report --no-children --sort dso):"
    echo
    echo '```'
    report "$data" dso | sed -n 1,8p
    echo '```'
    echo
    echo "Top $TOP symbols by self time (perf report --no-children --sort dso,symbol):"
    echo
    echo '```'
    report "$data" dso,symbol | sed -n "1,${TOP}p"
    echo '```'
    echo
    echo "Samples by their innermost registrar:: or redis:: frame (inclusive time; inlined"
    echo "functions count toward the function they were inlined into):"
    echo
    echo '```'
    attribute "$data" | sed -n "1,${TOP}p"
    echo '```'
  } >>"$OUT"
done
cat "$OUT"
