#!/usr/bin/env bash
# Registrar benchmark (issue 3): one command, from build to results table.
#
#   bench/run.sh                 # full run: 10 s per wrk run, 1,000,000-client scale
#                                # stage; about 7 minutes after the build
#   QUICK=1 bench/run.sh         # 3 s runs, 100,000-client scale stage: about 2 minutes
#
# What it does:
#   1. cargo build --release (registrar, examples/ceiling.rs, examples/preload.rs)
#   2. starts its own redis-server on a free loopback port, in a temp dir, with
#      --appendonly yes --appendfsync everysec --save "" (as docker-compose runs it)
#   3. baselines: the framework ceiling (examples/ceiling.rs: same actix-web setup, fixed
#      small JSON) under the same wrk settings, and the storage ceiling
#      (redis-benchmark -t set,get at the same concurrency, values the size of a record)
#   4. for each store (Redis, then the in-process memory store) starts `registrar serve`
#      and drives it with wrk (bench/*.lua): register (POST), RFC 7592 read (GET),
#      replace (PUT), mix (80% read, 15% register, 5% update), delete + re-register;
#      each at 32 and 256 connections. Clients for reads/updates/deletes are registered
#      first through the HTTP API (bench/seed.lua).
#   5. paced (Redis only): the same scenarios, and the framework ceiling, with a think time
#      per connection (wrk's delay()), so latency is measured under a steady load below
#      saturation as well as flat out; the achieved rate is printed beside it
#   6. scale (Redis only): read and register on a small store, then again after
#      1,000,000 clients are preloaded through the store code (examples/preload.rs,
#      pipelined), with the change in server CPU per request
#   7. writes the table to bench/results/latest.md (and prints it); raw wrk output and
#      server logs go to bench/results/raw/ (not committed)
#
# Figures per run: requests/s, latency p50/p99/p99.9/max (wrk --latency, HdrHistogram),
# non-2xx count, socket errors, server CPU µs per request (utime+stime from
# /proc/PID/stat before/after, CLK_TCK), Redis CPU µs per request, peak RSS (VmHWM, reset
# before each run through /proc/PID/clear_refs), Redis memory per stored client
# (INFO used_memory delta / DBSIZE delta since the server started on an empty database),
# and "other CPU %": user CPU of anything else on the machine during the run (from
# /proc/stat, minus the server, redis-server and wrk), which flags disturbed rows.
#
# Settings (environment):
#   QUICK=1              3 s runs, 5,000 seeded clients, scale stage at 100,000
#   BENCH_DURATION=10s   length of each wrk run (QUICK: 3s)
#   CONNECTIONS="32 256" wrk connection counts
#   SCENARIOS="register read replace mix delete"
#   STORES="redis memory"
#   SCALE=1000000        clients preloaded in the scale stage; 0 skips it (QUICK: 100000)
#   SCALE_CONNECTIONS=32 connection counts of the scale stage
#   PACED="register:32:2 read:32:1 ..."  paced runs, SCENARIO:CONNS:THINK_MS ("" skips);
#                        the ceiling runs at each CONNS:THINK_MS pair of the list too
#   SEED=20000           clients registered over HTTP for read/replace/mix (QUICK: 5000)
#   WORKERS=$(nproc)     registrar and ceiling --workers
#   WRK_THREADS=2        wrk -t
#   REDIS_BENCH_N=200000 redis-benchmark -n per test (QUICK: 50000)
#   BUILD=0              skip cargo build (use the binaries already in target/release)
#   KEEP_TMP=1           keep the temp dir (Redis data, logs) for inspection
#   WAIT_IDLE=120        seconds to wait for other work on the machine to settle first
#   NICE=-10             run the benchmark processes at this niceness (root only; default:
#                        unchanged), so a shared machine's other work disturbs them less
#
# Everything listens on 127.0.0.1 only; every load run is bounded by BENCH_DURATION, every
# wait by a timeout. Every process the script starts is stopped on exit, Ctrl-C or error.
set -eEuo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

# The exact command, with the settings the caller gave (before defaults are filled in).
CMD=""
for v in QUICK BENCH_DURATION CONNECTIONS SCENARIOS STORES SCALE SCALE_CONNECTIONS PACED SEED \
  WORKERS WRK_THREADS REDIS_BENCH_N BUILD KEEP_TMP WAIT_IDLE NICE; do
  if [ -n "${!v+x}" ]; then CMD+="$v=\"${!v}\" "; fi
done
CMD+="bench/run.sh"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  DURATION=${BENCH_DURATION:-3s}
  SCALE=${SCALE:-100000}
  SEED=${SEED:-5000}
  REDIS_BENCH_N=${REDIS_BENCH_N:-50000}
else
  DURATION=${BENCH_DURATION:-10s}
  SCALE=${SCALE:-1000000}
  SEED=${SEED:-20000}
  REDIS_BENCH_N=${REDIS_BENCH_N:-200000}
fi
CONNECTIONS=${CONNECTIONS:-"32 256"}
SCENARIOS=${SCENARIOS:-"register read replace mix delete"}
STORES=${STORES:-"redis memory"}
SCALE_CONNECTIONS=${SCALE_CONNECTIONS:-32}
# Think times chosen so each paced run offers less than that scenario's flat-out rate here:
# 32 connections x 1 ms think is at most 32,000 requests/s, x 2 ms at most 16,000/s;
# 256 x 10 ms at most 25,600/s, 256 x 20 ms at most 12,800/s.
PACED=${PACED-"register:32:2 read:32:1 replace:32:2 mix:32:1 register:256:20 read:256:10 replace:256:20 mix:256:10"}
WORKERS=${WORKERS:-$(nproc)}
WRK_THREADS=${WRK_THREADS:-2}
BUILD=${BUILD:-1}
KEEP_TMP=${KEEP_TMP:-0}
WAIT_IDLE=${WAIT_IDLE:-120}
NICE=${NICE:-}
# Clients seeded for each delete run; each is deleted at most once, then the pool refills
# from the registrations the run makes itself.
DELETE_SEED=2000
SCALE_SAMPLE=20000
PREFIX="registrar:"
WRK_TIMEOUT=5s
export RUST_LOG=warn
# The server reads its settings from REGISTRAR_* and REDIS_URL too: run with defaults only.
unset REDIS_URL
for v in $(compgen -e | grep '^REGISTRAR_' || true); do unset "$v"; done
export BENCH_LUA_DIR="$ROOT/bench"

BIN=$ROOT/target/release/registrar
CEILING_BIN=$ROOT/target/release/examples/ceiling
PRELOAD_BIN=$ROOT/target/release/examples/preload
RESULTS=$ROOT/bench/results
RAW=$RESULTS/raw
CLK_TCK=$(getconf CLK_TCK)

for tool in wrk redis-server redis-cli redis-benchmark curl awk; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (apt-get install wrk redis-server curl)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/registrar-bench.XXXXXX)
mkdir -p "$RAW"
rm -f "$RAW"/*

# --- process bookkeeping ----------------------------------------------------------------
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$KEEP_TMP" = 1 ]; then
    echo "bench: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

# Stop one process we started, by its id.
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=()
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  PIDS=("${kept[@]+"${kept[@]}"}")
}

USED_PORTS=" "
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 30000))
    case "$USED_PORTS" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      echo "$p"
      return
    fi
  done
  echo "bench: no free port found" >&2
  return 1
}

wait_http() { # url, what
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: $2 did not come up at $1" >&2
  return 1
}

log() { printf '\n== %s\n' "$*" >&2; }

# --- measurement helpers ------------------------------------------------------------------
cpu_ticks() { # utime + stime of a process, all threads
  sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
user_ticks() { sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 }'; }
machine_user() { awk '/^cpu / { print $2 + $3 }' /proc/stat; }
reset_hwm() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
used_memory() { rcli INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }
dbsize() { rcli DBSIZE | tr -d '\r'; }
redis_forks() { rcli INFO stats | tr -d '\r' | awk -F: '$1 == "total_forks" { print $2 }'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# Waits (bounded) for an AOF rewrite to finish, so it does not land inside a measurement.
wait_redis_quiet() {
  for _ in $(seq 600); do
    local info
    info=$(rcli INFO persistence | tr -d '\r')
    if grep -q '^aof_rewrite_in_progress:0' <<<"$info" && grep -q '^aof_rewrite_scheduled:0' <<<"$info"; then
      return 0
    fi
    sleep 0.5
  done
  echo "bench: warning: an AOF rewrite is still running" >&2
}

# Result rows (tab-separated), rendered at the end.
SCENARIO_ROWS=$WORK/scenarios.tsv
BASELINE_ROWS=$WORK/baselines.tsv
SCALE_ROWS=$WORK/scale.tsv
PACED_ROWS=$WORK/paced.tsv
: >"$PACED_ROWS"
: >"$SCENARIO_ROWS"
: >"$BASELINE_ROWS"
: >"$SCALE_ROWS"

# redis-server's CPU is measured only while the Redis store is under test.
RCPU_PID=""

# run_wrk LABEL SCRIPT CONNS PORT PID CLIENTS -> sets RUN_* variables
run_wrk() {
  local label=$1 script=$2 conns=$3 port=$4 pid=$5 clients=$6
  local out="$RAW/$label.txt"
  local threads=$WRK_THREADS
  [ "$threads" -le "$conns" ] || threads=$conns
  [ -n "${REDIS_PID:-}" ] && [ -n "${REDIS_PORT:-}" ] && wait_redis_quiet
  reset_hwm "$pid"
  local cpu0 rcpu0=0 cpu1 rcpu1=0 user0 user1 ours0 ours1 wrk_user forks0=0
  # Redis forks (AOF rewrites) during the run: each blocks Redis for the fork and slows
  # its writes while the child copies, which shows in the latency tails.
  [ -n "$RCPU_PID" ] && forks0=$(redis_forks)
  cpu0=$(cpu_ticks "$pid")
  [ -n "$RCPU_PID" ] && rcpu0=$(cpu_ticks "$RCPU_PID")
  user0=$(machine_user)
  ours0=$(( $(user_ticks "$pid") + $(user_ticks "$REDIS_PID") ))
  # bash's `time` gives wrk's own user CPU, to tell our load from other work.
  local TIMEFORMAT='%U'
  { time wrk -t"$threads" -c"$conns" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency \
    -s "$ROOT/bench/$script.lua" "http://127.0.0.1:$port" -- "$clients" "$threads" >"$out" 2>&1 || true; } 2>"$out.time"
  cpu1=$(cpu_ticks "$pid")
  [ -n "$RCPU_PID" ] && rcpu1=$(cpu_ticks "$RCPU_PID")
  user1=$(machine_user)
  ours1=$(( $(user_ticks "$pid") + $(user_ticks "$REDIS_PID") ))
  wrk_user=$(tail -1 "$out.time")
  RUN_FORKS=-
  [ -n "$RCPU_PID" ] && RUN_FORKS=$(( $(redis_forks) - forks0 ))
  local line
  line=$(grep '^BENCH ' "$out" | tail -1 || true)
  if [ -z "$line" ]; then
    echo "bench: wrk run $label failed:" >&2
    tail -5 "$out" >&2
    RUN_OK=0 RUN_RPS=0 RUN_CPU=0 RUN_P99=0 RUN_NON2XX=- RUN_OTHER=0
    return 0
  fi
  RUN_OK=1
  RUN_REQ=$(field requests "$line")
  RUN_RPS=$(field rps "$line")
  RUN_P50=$(field p50_us "$line")
  RUN_P99=$(field p99_us "$line")
  RUN_P999=$(field p999_us "$line")
  RUN_MAX=$(field max_us "$line")
  RUN_NON2XX=$(field non2xx "$line")
  RUN_STATUSES=$(field statuses "$line")
  RUN_SOCKERR=$(($(field connect_err "$line") + $(field read_err "$line") + $(field write_err "$line") + $(field timeout_err "$line")))
  RUN_CPU=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$RUN_REQ" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / hz / n : 0) }')
  RUN_RCPU=-
  [ -n "$RCPU_PID" ] && RUN_RCPU=$(awk -v a="$rcpu0" -v b="$rcpu1" -v n="$RUN_REQ" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / hz / n : 0) }')
  RUN_RSS=$(awk -v kb="$(hwm_kb "$pid")" 'BEGIN { printf "%.1f", kb / 1024 }')
  # User CPU spent by anything but registrar (or ceiling), redis-server and wrk during the
  # run, as a share of the whole machine: builds or tests running beside the benchmark.
  RUN_OTHER=$(awk -v u="$((user1 - user0))" -v o="$((ours1 - ours0))" -v w="$wrk_user" -v hz="$CLK_TCK" \
    -v us="$(field duration_us "$line")" -v n="$(nproc)" \
    'BEGIN { x = (u - o - w * hz) / hz / (us / 1e6) / n * 100; printf "%.0f", (x < 0 ? 0 : x) }')
  RUN_EXTRA=$(sed -E 's/.*statuses=[^ ]* ?//' <<<"$line")
  printf '   %-28s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %7.2f ms  non-2xx %s (%s)  errors %s  cpu %s µs/req  redis %s µs/req  rss %s MB  other %s%%  redis forks %s %s\n' \
    "$label" "$RUN_RPS" "$(awk -v u="$RUN_P50" 'BEGIN{print u/1000}')" "$(awk -v u="$RUN_P99" 'BEGIN{print u/1000}')" \
    "$(awk -v u="$RUN_P999" 'BEGIN{print u/1000}')" "$(awk -v u="$RUN_MAX" 'BEGIN{print u/1000}')" \
    "$RUN_NON2XX" "$RUN_STATUSES" "$RUN_SOCKERR" "$RUN_CPU" "$RUN_RCPU" "$RUN_RSS" "$RUN_OTHER" "$RUN_FORKS" "$RUN_EXTRA" >&2
}

# seed_clients PORT OUT COUNT: registers COUNT clients over HTTP (bench/seed.lua) and
# writes their "uri token" lines to OUT. Bounded to 120 s.
seed_clients() {
  local port=$1 out=$2 count=$3
  rm -f "$out" "$out".*
  wrk -t"$WRK_THREADS" -c32 -d120s --timeout "$WRK_TIMEOUT" -s "$ROOT/bench/seed.lua" \
    "http://127.0.0.1:$port" -- "$out" "$WRK_THREADS" "$count" >"$out.log" 2>&1 &
  local wpid=$!
  PIDS+=("$wpid")
  # wrk waits out -d even when every thread has stopped: interrupt it once all are done.
  for _ in $(seq 1200); do
    kill -0 "$wpid" 2>/dev/null || break
    local n
    n=$( (cat "$out".[0-9]* 2>/dev/null || true) | wc -l)
    if [ "$n" -ge "$count" ]; then kill -INT "$wpid" 2>/dev/null || true; break; fi
    sleep 0.1
  done
  stop_pid "$wpid"
  cat "$out".[0-9]* >"$out" 2>/dev/null || true
  rm -f "$out".[0-9]*
  local got
  got=$(wc -l <"$out")
  if [ "$got" -lt "$count" ]; then
    echo "bench: seeding registered only $got of $count clients; see $out.log" >&2
    cat "$out.log" >&2
    return 1
  fi
}

# paced_row NAME SCRIPT CONNS THINK_MS PORT PID CLIENTS: one run with a think time per
# connection (bench/common.lua), appended to the paced table.
paced_row() {
  local name=$1 script=$2 c=$3 think=$4 port=$5 pid=$6 clients=$7
  export BENCH_THINK_MS=$think
  run_wrk "paced-$name-c$c-t$think" "$script" "$c" "$port" "$pid" "$clients"
  unset BENCH_THINK_MS
  if [ "$RUN_OK" = 1 ]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$c" "$think" "$RUN_RPS" \
      "$RUN_P50" "$RUN_P99" "$RUN_P999" "$RUN_MAX" "$RUN_NON2XX" "$RUN_CPU" "$RUN_OTHER" "$RUN_FORKS" >>"$PACED_ROWS"
  else
    printf '%s\t%s\t%s\tFAIL\n' "$name" "$c" "$think" >>"$PACED_ROWS"
  fi
}

# --- build --------------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "cargo build --release --bin registrar --example ceiling --example preload"
  cargo build --release --bin registrar --example ceiling --example preload
fi
for b in "$BIN" "$CEILING_BIN" "$PRELOAD_BIN"; do
  [ -x "$b" ] || { echo "bench: $b is missing (run without BUILD=0)" >&2; exit 1; }
done

# Optional: run the benchmark (not the build) at a higher scheduling priority, so other work
# on a shared machine disturbs it less. Every process started from here on inherits it.
if [ -n "$NICE" ]; then
  renice -n "$NICE" -p $$ >/dev/null
fi

STARTED=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# How busy the machine is before we add load: other work (builds, tests) skews every figure.
cpu_idle_total() { awk '/^cpu / { idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i; print idle, total }' /proc/stat; }
busy_percent() { # over 2 s
  local idle0 total0 idle1 total1
  read -r idle0 total0 < <(cpu_idle_total)
  sleep 2
  read -r idle1 total1 < <(cpu_idle_total)
  awk -v i="$((idle1 - idle0))" -v t="$((total1 - total0))" 'BEGIN { printf "%.0f", (t > 0 ? 100 - i * 100 / t : 0) }'
}
BUSY_START=$(busy_percent)
waited=0
while [ "$BUSY_START" -gt 20 ] && [ "$waited" -lt "$WAIT_IDLE" ]; do
  echo "bench: the machine is ${BUSY_START}% busy; waiting for it to settle (up to WAIT_IDLE=${WAIT_IDLE}s)" >&2
  sleep 8
  waited=$((waited + 10))
  BUSY_START=$(busy_percent)
done
if [ "$BUSY_START" -gt 20 ]; then
  echo "bench: warning: the machine was ${BUSY_START}% busy before the run; figures will be noisy" >&2
fi
KEY=$("$BIN" gen-key)

# --- redis --------------------------------------------------------------------------------
REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
log "redis-server on 127.0.0.1:$REDIS_PORT (AOF, appendfsync everysec, no RDB)"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" \
  --appendonly yes --appendfsync everysec --save "" --daemonize no \
  --logfile "$WORK/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 100); do
  [ "$(rcli PING 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
[ "$(rcli PING 2>/dev/null)" = PONG ] || { echo "bench: redis did not start" >&2; cat "$WORK/redis.log" >&2; exit 1; }
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

# start_registrar STORE -> REG_PID, REG_PORT
start_registrar() {
  local store=$1
  REG_PORT=$(free_port)
  local args=(serve --listen "127.0.0.1:$REG_PORT" --workers "$WORKERS")
  if [ "$store" = redis ]; then
    args+=(--redis-url "$REDIS_URL" --secret-key="$KEY")
  fi
  "$BIN" "${args[@]}" >>"$RAW/registrar-$store.log" 2>&1 &
  REG_PID=$!
  PIDS+=("$REG_PID")
  wait_http "http://127.0.0.1:$REG_PORT/healthz" "registrar ($store store)"
}

# --- baselines ----------------------------------------------------------------------------
log "framework ceiling: examples/ceiling.rs, --workers $WORKERS"
CEIL_PORT=$(free_port)
"$CEILING_BIN" --listen "127.0.0.1:$CEIL_PORT" --workers "$WORKERS" >"$RAW/ceiling.log" 2>&1 &
CEIL_PID=$!
PIDS+=("$CEIL_PID")
wait_http "http://127.0.0.1:$CEIL_PORT/oidc/register/ceiling" "ceiling"
declare -A CEIL_RPS RSET_RPS RGET_RPS
for c in $CONNECTIONS; do
  run_wrk "ceiling-c$c" ceiling "$c" "$CEIL_PORT" "$CEIL_PID" -
  if [ "$RUN_OK" = 1 ]; then
    CEIL_RPS[$c]=$RUN_RPS
    printf 'framework ceiling (fixed JSON)\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$RUN_RPS" \
      "$RUN_P50" "$RUN_P99" "$RUN_P999" "$RUN_MAX" "$RUN_CPU" "$RUN_RSS" "$RUN_OTHER" >>"$BASELINE_ROWS"
  fi
done
# The ceiling at each pacing the paced stage uses, for its ratios.
for pair in $(tr ' ' '\n' <<<"$PACED" | cut -d: -f2,3 | sort -u); do
  c=${pair%%:*} think=${pair##*:}
  paced_row ceiling ceiling "$c" "$think" "$CEIL_PORT" "$CEIL_PID" -
done
stop_pid "$CEIL_PID"

# Record size for redis-benchmark -d: one record registered over HTTP by the server itself.
start_registrar redis
sample=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"redirect_uris":["https://rp.example/cb"],"client_name":"bench"}' \
  "http://127.0.0.1:$REG_PORT/oidc/register")
sample_id=$(sed -n 's/.*"client_id":"\([^"]*\)".*/\1/p' <<<"$sample")
# The key carries its bucket's hash tag (src/store/layout.rs): find it by the id.
sample_key=$(rcli --scan --pattern "${PREFIX}client:*:$sample_id" | tr -d '\r' | head -n1)
RECORD_BYTES=$(rcli STRLEN "$sample_key" | tr -d '\r')
RESPONSE_BYTES=${#sample}
stop_pid "$REG_PID"
log "storage ceiling: redis-benchmark -t set,get -d $RECORD_BYTES (one stored record)"
for c in $CONNECTIONS; do
  csv=$(timeout 300 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" --dbnum 9 -t set,get \
    -c "$c" -n "$REDIS_BENCH_N" -d "$RECORD_BYTES" --csv 2>/dev/null | tr -d '"\r')
  echo "$csv" >"$RAW/redis-benchmark-c$c.csv"
  while IFS=, read -r test rps _avg _min p50 _p95 p99 max; do
    case "$test" in
      SET | GET)
        [ "$test" = SET ] && RSET_RPS[$c]=$rps
        [ "$test" = GET ] && RGET_RPS[$c]=$rps
        printf 'redis-benchmark %s (-d %s)\t%s\t%s\t%s\t%s\t-\t%s\t-\t-\t-\n' "$test" "$RECORD_BYTES" "$c" "$rps" \
          "$(awk -v m="$p50" 'BEGIN{print m*1000}')" "$(awk -v m="$p99" 'BEGIN{print m*1000}')" \
          "$(awk -v m="$max" 'BEGIN{print m*1000}')" >>"$BASELINE_ROWS"
        printf '   %-28s %9.0f req/s  p50 %s ms  p99 %s ms\n' "redis $test c$c" "$rps" "$p50" "$p99" >&2
        ;;
    esac
  done <<<"$csv"
done
rcli -n 9 FLUSHDB >/dev/null
rcli FLUSHDB >/dev/null

# --- scenarios ----------------------------------------------------------------------------
for store in $STORES; do
  log "registrar, $store store, --workers $WORKERS, wrk -t$WRK_THREADS -d$DURATION"
  RCPU_PID=""
  if [ "$store" = redis ]; then
    rcli FLUSHDB >/dev/null
    RCPU_PID=$REDIS_PID
  fi
  start_registrar "$store"
  base_mem=$(used_memory)
  base_keys=$(dbsize)
  clients="$WORK/clients-$store.txt"
  seed_clients "$REG_PORT" "$clients" "$SEED"
  for scenario in $SCENARIOS; do
    for c in $CONNECTIONS; do
      file=-
      case "$scenario" in
        register) script=register ;;
        read) script=read file=$clients ;;
        replace) script=replace file=$clients ;;
        mix) script=mix file=$clients ;;
        delete)
          script=delete file="$WORK/delete-$store-$c.txt"
          seed_clients "$REG_PORT" "$file" "$DELETE_SEED"
          ;;
        *) echo "bench: unknown scenario $scenario" >&2; exit 1 ;;
      esac
      run_wrk "$store-$scenario-c$c" "$script" "$c" "$REG_PORT" "$REG_PID" "$file"
      [ "$RUN_OK" = 1 ] || { printf '%s\t%s\t%s\tFAIL\n' "$store" "$scenario" "$c" >>"$SCENARIO_ROWS"; continue; }
      per_client=-
      if [ "$store" = redis ]; then
        keys=$(( $(dbsize) - base_keys ))
        [ "$keys" -gt 0 ] && per_client=$(( ($(used_memory) - base_mem) / keys ))
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "$scenario" "$c" \
        "$RUN_RPS" "$RUN_P50" "$RUN_P99" "$RUN_P999" "$RUN_MAX" "$RUN_NON2XX" "$RUN_STATUSES" \
        "$RUN_SOCKERR" "$RUN_CPU" "$RUN_RCPU" "$RUN_RSS" "$per_client" "$RUN_OTHER" "$RUN_FORKS" >>"$SCENARIO_ROWS"
    done
  done
  [ "$store" = redis ] && STORED_REDIS=$(( $(dbsize) - base_keys ))
  stop_pid "$REG_PID"
done

# --- paced --------------------------------------------------------------------------------
if [ -n "$PACED" ]; then
  log "paced: think time per connection (Redis store): $PACED"
  rcli FLUSHDB >/dev/null
  RCPU_PID=$REDIS_PID
  start_registrar redis
  clients="$WORK/clients-paced.txt"
  seed_clients "$REG_PORT" "$clients" "$SEED"
  for spec in $PACED; do
    IFS=: read -r scenario c think <<<"$spec"
    case "$scenario" in
      register) file=- ;;
      read | replace | mix) file=$clients ;;
      *) echo "bench: PACED: unknown scenario $scenario (register, read, replace, mix)" >&2; exit 1 ;;
    esac
    paced_row "$scenario" "$scenario" "$c" "$think" "$REG_PORT" "$REG_PID" "$file"
  done
  stop_pid "$REG_PID"
fi

# --- scale --------------------------------------------------------------------------------
PRELOAD_LINE=""
SCALE_MEM_PER_CLIENT=-
if [ "$SCALE" -gt 0 ]; then
  log "scale: read and register before and after preloading $SCALE clients (Redis store)"
  rcli FLUSHDB >/dev/null
  wait_redis_quiet
  RCPU_PID=$REDIS_PID
  start_registrar redis
  small="$WORK/scale-small.txt"
  timeout 600 "$PRELOAD_BIN" "$REDIS_URL" "$PREFIX" "$SCALE_SAMPLE" "$KEY" "$small" \
    --sample "$SCALE_SAMPLE" --issuer "http://127.0.0.1:$REG_PORT" >"$RAW/preload-small.txt" 2>&1
  declare -A BEFORE_CPU BEFORE_RPS BEFORE_P99 BEFORE_KEYS BEFORE_OTHER
  for c in $SCALE_CONNECTIONS; do
    for scenario in read register; do
      f=-; [ "$scenario" = read ] && f=$small
      BEFORE_KEYS[$scenario-$c]=$(dbsize)
      run_wrk "scale-before-$scenario-c$c" "$scenario" "$c" "$REG_PORT" "$REG_PID" "$f"
      BEFORE_CPU[$scenario-$c]=${RUN_CPU:-0} BEFORE_RPS[$scenario-$c]=${RUN_RPS:-0} BEFORE_P99[$scenario-$c]=${RUN_P99:-0}
      BEFORE_OTHER[$scenario-$c]=${RUN_OTHER:-0}
    done
  done
  mem0=$(used_memory)
  keys0=$(dbsize)
  big="$WORK/scale-big.txt"
  log "preloading $SCALE clients through RedisStore::create_many"
  timeout 900 "$PRELOAD_BIN" "$REDIS_URL" "$PREFIX" "$SCALE" "$KEY" "$big" \
    --sample "$SCALE_SAMPLE" --issuer "http://127.0.0.1:$REG_PORT" | tee "$RAW/preload.txt" >&2
  PRELOAD_LINE=$(grep '^preloaded' "$RAW/preload.txt" || true)
  keys1=$(dbsize)
  [ "$keys1" -gt "$keys0" ] && SCALE_MEM_PER_CLIENT=$(( ($(used_memory) - mem0) / (keys1 - keys0) ))
  wait_redis_quiet
  for c in $SCALE_CONNECTIONS; do
    for scenario in read register; do
      f=-; [ "$scenario" = read ] && f=$big
      keys=$(dbsize)
      run_wrk "scale-after-$scenario-c$c" "$scenario" "$c" "$REG_PORT" "$REG_PID" "$f"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$c" \
        "${BEFORE_KEYS[$scenario-$c]}" "$keys" "${BEFORE_RPS[$scenario-$c]}" "${RUN_RPS:-0}" \
        "${BEFORE_CPU[$scenario-$c]}" "${RUN_CPU:-0}" "${BEFORE_P99[$scenario-$c]}" "${RUN_P99:-0}" \
        "$RUN_NON2XX" "${BEFORE_OTHER[$scenario-$c]}/${RUN_OTHER:-0}" >>"$SCALE_ROWS"
    done
  done
  stop_pid "$REG_PID"
fi

# --- report -------------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - STARTED ))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
WARN_LINES=$(cat "$RAW"/registrar-*.log 2>/dev/null | grep -E 'WARN|ERROR' | grep -vc 'no Redis configured' || true)
ceil_list=""; for c in $CONNECTIONS; do ceil_list+="$c=${CEIL_RPS[$c]:-0} "; done
rset_list=""; for c in $CONNECTIONS; do rset_list+="$c=${RSET_RPS[$c]:-0} "; done
rget_list=""; for c in $CONNECTIONS; do rget_list+="$c=${RGET_RPS[$c]:-0} "; done

{
  echo "# Registrar benchmark results"
  echo
  echo "Command: \`$CMD\` (wrk -t$WRK_THREADS -d$DURATION --timeout $WRK_TIMEOUT --latency; registrar and ceiling --workers $WORKERS; RUST_LOG=warn)"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ), wall time $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
  echo "- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
  echo "- Scheduling: niceness $(ps -o ni= -p $$ | tr -d ' ') for the benchmark processes"
  echo "- CPU busy before the run (2 s sample): ${BUSY_START}%; load average (1/5/15 min) at start: $LOAD_START, at end: $LOAD_END (other work on the machine skews figures)"
  echo "- Load generator on the same machine: $( (wrk -v 2>&1 || true) | head -1 | awk '{ print $1, $2 }'); $(redis-server --version | awk '{ print $1, $2, $3 }'), AOF on, appendfsync everysec, no RDB"
  echo "- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src Cargo.toml 2>/dev/null || echo ' (with uncommitted changes in src/ or Cargo.toml)'); $(rustc --version)"
  echo "- Record stored per client: $RECORD_BYTES bytes; registration response: $RESPONSE_BYTES bytes"
  echo "- Server log lines at WARN or above during the run, besides the memory store's startup notice: $WARN_LINES (bench/results/raw/registrar-*.log)"
  echo
  echo "## Baselines"
  echo
  echo "| baseline | conns | req/s | p50 ms | p99 ms | p99.9 ms | max ms | CPU µs/req | peak RSS MB | other CPU % |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    function ms(u) { return u == "-" ? "-" : sprintf("%.2f", u / 1000) }
    { printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, ms($4), ms($5), ms($6), ms($7), $8, $9, $10 }
  ' "$BASELINE_ROWS"
  echo
  echo "## Scenarios"
  echo
  echo "Ratios: req/s over the framework ceiling at the same connection count, and over"
  echo "redis-benchmark at the same concurrency: SET for register, replace and delete, GET for read and mix."
  echo "CPU: server (registrar) and redis-server CPU time per request. RSS: peak during the run."
  echo "Redis B/client: used_memory growth over stored clients (seeded + registered so far)."
  echo "non-2xx: statuses outside 2xx (wrk's count of >399 for scripts that do not read responses)."
  echo "other CPU %: user CPU of processes other than the server, redis-server and wrk during the run, as a"
  echo "share of the machine; above a few percent, something else was running and the row is noisy."
  echo "Redis forks: AOF rewrites Redis started during the run (each stops Redis for the fork and"
  echo "slows its writes while the child runs); rows with one have longer tails."
  echo
  echo "| store | scenario | conns | req/s | × ceiling | × redis | p50 ms | p99 ms | p99.9 ms | max ms | non-2xx | sock err | CPU µs/req | redis µs/req | peak RSS MB | Redis B/client | other CPU % | Redis forks |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' -v ceil="$ceil_list" -v rset="$rset_list" -v rget="$rget_list" '
    function parse(s, arr,   n, i, kv, parts) { n = split(s, parts, " "); for (i = 1; i <= n; i++) { split(parts[i], kv, "="); arr[kv[1]] = kv[2] } }
    function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
    function ms(u) { return sprintf("%.2f", u / 1000) }
    BEGIN { parse(ceil, C); parse(rset, S); parse(rget, G) }
    $4 == "FAIL" { printf "| %s | %s | %s | FAILED (see bench/results/raw) |\n", $1, $2, $3; next }
    {
      red = ($2 == "read" || $2 == "mix") ? G[$3] : S[$3]
      non2xx = $9; if ($10 != "-") non2xx = non2xx " (" $10 ")"
      printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
        $1, $2, $3, $4, ratio($4, C[$3]), ratio($4, red), ms($5), ms($6), ms($7), ms($8), non2xx, $11, $12, $13, $14, $15, $16, $17
    }
  ' "$SCENARIO_ROWS"
  if [ -s "$PACED_ROWS" ]; then
    echo
    echo "## Paced load (Redis store)"
    echo
    echo "The same requests with a think time: each connection waits THINK ms after a response"
    echo "before its next request (wrk's delay()), so the load is steady and below saturation"
    echo "instead of flat out. req/s is what the run achieved; latency is measured from each"
    echo "request's send, as above. The ceiling rows are the fixed-JSON server at the same pacing."
    echo
    echo "| scenario | conns | think ms | req/s | p50 ms | p99 ms | p99.9 ms | max ms | non-2xx | CPU µs/req | other CPU % | Redis forks |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '
      function ms(u) { return sprintf("%.2f", u / 1000) }
      $4 == "FAIL" { printf "| %s | %s | %s | FAILED (see bench/results/raw) |\n", $1, $2, $3; next }
      { printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n", ($1 == "ceiling" ? "framework ceiling" : $1), $2, $3, $4, ms($5), ms($6), ms($7), ms($8), $9, $10, $11, $12 }
    ' "$PACED_ROWS"
  fi
  if [ "$SCALE" -gt 0 ]; then
    echo
    echo "## Scale (Redis store)"
    echo
    echo "Preload: \`${PRELOAD_LINE:-failed}\` (examples/preload.rs: registration::prepare on every core, RedisStore::create_many in pipelined batches of 2,000)."
    echo "Redis memory per preloaded client: $SCALE_MEM_PER_CLIENT bytes."
    echo
    echo "| scenario | conns | Redis keys before | Redis keys after | req/s before | req/s after | CPU µs/req before | CPU µs/req after | CPU change | p99 ms before | p99 ms after | non-2xx after | other CPU % before/after |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '{
      change = $7 > 0 ? sprintf("%+.1f%%", ($8 - $7) * 100 / $7) : "-"
      printf "| %s | %s | %s | %s | %.0f | %.0f | %s | %s | %s | %.2f | %.2f | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, change, $9 / 1000, $10 / 1000, $11, $12
    }' "$SCALE_ROWS"
  fi
  echo
  echo "## Issue 3 targets (Redis store)"
  echo
  awk -F'\t' -v scale_mem="$SCALE_MEM_PER_CLIENT" '
    function verdict(ok) { return ok ? "met" : "**not met**" }
    $1 == "redis" && $4 != "FAIL" { rps[$2, $3] = $4; p99[$2, $3] = $6; max[$2, $3] = $8; bad[$2, $3] = $9 + $11; cpu[$2, $3] = $12; if ($14 > rss) rss = $14; if ($15 != "-") mem = $15 }
    END {
      print "| target | measured | |"
      print "|---|---|---|"
      if ((("register", 32) in rps)) printf "| registration >= 15,000/s at 32 conns, 0 errors | %.0f/s, %d errors | %s |\n", rps["register", 32], bad["register", 32], verdict(rps["register", 32] >= 15000 && bad["register", 32] == 0)
      if ((("read", 32) in rps)) printf "| RFC 7592 read >= 25,000/s at 32 conns, 0 errors | %.0f/s, %d errors | %s |\n", rps["read", 32], bad["read", 32], verdict(rps["read", 32] >= 25000 && bad["read", 32] == 0)
      if ((("register", 32) in rps)) printf "| CPU <= 60 µs per registration | %s µs | %s |\n", cpu["register", 32], verdict(cpu["register", 32] <= 60)
      if ((("read", 32) in rps)) printf "| CPU <= 30 µs per read | %s µs | %s |\n", cpu["read", 32], verdict(cpu["read", 32] <= 30)
      for (k in p99) { split(k, kk, SUBSEP); if (kk[2] == 32) { if (p99[k] > worst32) { worst32 = p99[k]; w32 = kk[1] } } else if (kk[2] == 256) { if (max[k] > worst256) { worst256 = max[k]; w256 = kk[1] } } }
      if (w32 != "") printf "| p99 <= 5 ms at 32 conns, flat out (worst scenario) | %.2f ms (%s) | %s |\n", worst32 / 1000, w32, verdict(worst32 <= 5000)
      if (w256 != "") printf "| no request over 50 ms at 256 conns, flat out (worst max) | %.2f ms (%s) | %s |\n", worst256 / 1000, w256, verdict(worst256 <= 50000)
      if (rss != "") printf "| RSS <= 64 MB under load | %.1f MB | %s |\n", rss, verdict(rss <= 64)
      m = scale_mem != "-" ? scale_mem : mem
      if (m != "") printf "| Redis <= 1.5 KB per stored client | %d B | %s |\n", m, verdict(m <= 1536)
    }
  ' "$SCENARIO_ROWS"
  if [ -s "$PACED_ROWS" ]; then
    awk -F'\t' '
      $1 != "ceiling" && $4 != "FAIL" {
        if ($2 == 32 && $6 > p99) { p99 = $6; w32 = $1 " at " sprintf("%.0f", $4) "/s" }
        if ($2 == 256 && $8 > mx) { mx = $8; w256 = $1 " at " sprintf("%.0f", $4) "/s" }
      }
      END {
        if (w32 != "") printf "| p99 <= 5 ms at 32 conns, paced below saturation (worst scenario) | %.2f ms (%s) | %s |\n", p99 / 1000, w32, (p99 <= 5000 ? "met" : "**not met**")
        if (w256 != "") printf "| no request over 50 ms at 256 conns, paced below saturation (worst max) | %.2f ms (%s) | %s |\n", mx / 1000, w256, (mx <= 50000 ? "met" : "**not met**")
      }' "$PACED_ROWS"
  fi
  if [ -s "$SCALE_ROWS" ]; then
    awk -F'\t' '{
      change = $7 > 0 ? ($8 - $7) * 100 / $7 : 0
      printf "| per-request CPU flat within 10%% at scale (%s, %s conns) | %+.1f%% | %s |\n", $1, $2, change, (change <= 10 && change >= -10) ? "met" : "**not met**"
    }' "$SCALE_ROWS"
  fi
} >"$RESULTS/latest.md"

echo
cat "$RESULTS/latest.md"
echo
echo "bench: wrote bench/results/latest.md; raw wrk output and logs in bench/results/raw/" >&2
