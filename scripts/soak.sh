#!/usr/bin/env bash
# Registrar soak (issue 6): a steady mixed load for a fixed time, watching for leaks and
# errors. A one-hour soak does not fit in CI; this is the five-minute version.
#
#   scripts/soak.sh                # 5 minutes of load after the build
#   DURATION=60 scripts/soak.sh    # a one-minute smoke run
#
# What it does:
#   1. cargo build --release --bin registrar (BUILD=0 skips it)
#   2. starts its own redis-server on a free loopback port in a temp dir, with
#      --appendonly yes --appendfsync everysec (as docker-compose runs it), and
#      `registrar serve` on it
#   3. registers SEED clients over HTTP (bench/seed.lua), then runs the load generator
#      of bench/run.sh, wrk with bench/mix.lua (of every 20 requests: 16 RFC 7592 reads,
#      3 registrations, 1 RFC 7592 replace), for DURATION seconds at CONNECTIONS
#   4. every SAMPLE seconds records the server's RSS (VmRSS), Redis used_memory and the
#      number of Redis keys, and prints a table at the end
#   5. fails (exit 1) if wrk saw any non-2xx response or socket error, if the server
#      died, or if the mean RSS of the last third of the samples after warm-up is more
#      than 10% above the mean of the first third (RSS_GROWTH_LIMIT)
#
# Redis memory grows by design (registrations add clients); only the server's RSS must
# stay flat. The report is also written to bench/results/soak.md.
#
# Settings (environment):
#   DURATION=300          seconds of load
#   SAMPLE=10             seconds between samples
#   WARMUP=30             seconds of load before samples count (default: min(30, DURATION/6))
#   CONNECTIONS=16        wrk connections
#   WRK_THREADS=2         wrk -t
#   SEED=2000             clients registered before the load (reads and replaces use them)
#   WORKERS=$(nproc)      registrar --workers
#   RSS_GROWTH_LIMIT=10   percent
#   BUILD=0               skip cargo build (use target/release/registrar)
#   KEEP_TMP=1            keep the temp dir (Redis data, logs)
#
# Everything listens on 127.0.0.1 only, the load is bounded by DURATION, every wait by a
# timeout, and every process the script starts is stopped on exit, Ctrl-C or failure.
set -eEuo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

CMD=""
for v in DURATION SAMPLE WARMUP CONNECTIONS WRK_THREADS SEED WORKERS RSS_GROWTH_LIMIT BUILD KEEP_TMP; do
  if [ -n "${!v+x}" ]; then CMD+="$v=$(printf %q "${!v}") "; fi
done
CMD+="scripts/soak.sh"

DURATION=${DURATION:-300}
SAMPLE=${SAMPLE:-10}
default_warmup=$((DURATION / 6))
[ "$default_warmup" -le 30 ] || default_warmup=30
WARMUP=${WARMUP:-$default_warmup}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-2}
SEED=${SEED:-2000}
WORKERS=${WORKERS:-$(nproc)}
RSS_GROWTH_LIMIT=${RSS_GROWTH_LIMIT:-10}
BUILD=${BUILD:-1}
KEEP_TMP=${KEEP_TMP:-0}
export RUST_LOG=warn
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
clean_server_env
export BENCH_LUA_DIR="$ROOT/bench"

BIN=$ROOT/target/release/registrar
REPORT=$ROOT/bench/results/soak.md

for tool in wrk redis-server redis-cli curl awk; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is required (apt-get install wrk redis-server curl)" >&2; exit 1; }
done

bench_setup soak
log() { printf '== %s\n' "$*" >&2; }
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
info_field() { rcli INFO "$1" | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# --- build, Redis, server -------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "cargo build --release --bin registrar"
  cargo build --release --bin registrar
fi
[ -x "$BIN" ] || { echo "soak: $BIN is missing (run without BUILD=0)" >&2; exit 1; }
KEY=$("$BIN" gen-key)

REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
log "redis-server on 127.0.0.1:$REDIS_PORT (AOF, appendfsync everysec)"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" \
  --appendonly yes --appendfsync everysec --save "" --daemonize no \
  --logfile "$WORK/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 100); do [ "$(rcli PING 2>/dev/null)" = PONG ] && break; sleep 0.1; done
[ "$(rcli PING 2>/dev/null)" = PONG ] || { echo "soak: redis did not start" >&2; cat "$WORK/redis.log" >&2; exit 1; }

REG_PORT=$(free_port)
log "registrar on 127.0.0.1:$REG_PORT, --workers $WORKERS"
"$BIN" serve --listen "127.0.0.1:$REG_PORT" --workers "$WORKERS" \
  --redis-url "redis://127.0.0.1:$REDIS_PORT" --secret-key="$KEY" >"$WORK/registrar.log" 2>&1 &
REG_PID=$!
PIDS+=("$REG_PID")
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$REG_PORT/healthz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$REG_PORT/readyz" || { echo "soak: registrar did not start" >&2; cat "$WORK/registrar.log" >&2; exit 1; }

# --- seed (bench/seed.lua, as bench/run.sh does) --------------------------------------------
log "registering $SEED clients for the reads and replaces"
CLIENTS=$WORK/clients.txt
wrk -t"$WRK_THREADS" -c16 -d120s --timeout 5s -s "$ROOT/bench/seed.lua" \
  "http://127.0.0.1:$REG_PORT" -- "$CLIENTS" "$WRK_THREADS" "$SEED" >"$WORK/seed.log" 2>&1 &
SEED_PID=$!
PIDS+=("$SEED_PID")
for _ in $(seq 1200); do
  kill -0 "$SEED_PID" 2>/dev/null || break
  n=$( (cat "$CLIENTS".[0-9]* 2>/dev/null || true) | wc -l)
  if [ "$n" -ge "$SEED" ]; then kill -INT "$SEED_PID" 2>/dev/null || true; break; fi
  sleep 0.1
done
wait "$SEED_PID" 2>/dev/null || true
cat "$CLIENTS".[0-9]* >"$CLIENTS" 2>/dev/null || true
[ "$(wc -l <"$CLIENTS")" -ge "$SEED" ] || { echo "soak: seeding failed" >&2; cat "$WORK/seed.log" >&2; exit 1; }

# --- load and samples -----------------------------------------------------------------------
log "load: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s bench/mix.lua; a sample every ${SAMPLE}s, warm-up ${WARMUP}s"
wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency \
  -s "$ROOT/bench/mix.lua" "http://127.0.0.1:$REG_PORT" -- "$CLIENTS" "$WRK_THREADS" \
  >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
PIDS+=("$WRK_PID")
SAMPLES=$WORK/samples.tsv
: >"$SAMPLES"
started=$(date +%s)
next=$SAMPLE
while kill -0 "$WRK_PID" 2>/dev/null; do
  now=$(($(date +%s) - started))
  if [ "$now" -ge "$next" ] && [ "$now" -le "$DURATION" ]; then
    kill -0 "$REG_PID" 2>/dev/null || { echo "soak: registrar died; log:" >&2; tail -20 "$WORK/registrar.log" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\n' "$now" "$(rss_kb "$REG_PID")" "$(info_field memory used_memory)" \
      "$(rcli DBSIZE | tr -d '\r')" >>"$SAMPLES"
    printf '   t=%4ss  rss %6s KB\n' "$now" "$(rss_kb "$REG_PID")" >&2
    next=$((next + SAMPLE))
  fi
  sleep 0.5
done
wait "$WRK_PID" 2>/dev/null || true
kill -0 "$REG_PID" 2>/dev/null || { echo "soak: registrar died; log:" >&2; tail -20 "$WORK/registrar.log" >&2; exit 1; }

line=$(grep '^BENCH ' "$WORK/wrk.txt" | tail -1 || true)
[ -n "$line" ] || { echo "soak: wrk failed:" >&2; cat "$WORK/wrk.txt" >&2; exit 1; }
NON2XX=$(field non2xx "$line")
SOCKERR=$(($(field connect_err "$line") + $(field read_err "$line") + $(field write_err "$line") + $(field timeout_err "$line")))

# Mean RSS of the first and the last third of the samples taken after warm-up.
read -r COUNTED FIRST LAST GROWTH < <(awk -F'\t' -v w="$WARMUP" '
  $1 > w { rss[n++] = $2 }
  END {
    third = int(n / 3); if (third < 1) third = 1
    for (i = 0; i < third; i++) a += rss[i]
    for (i = n - third; i < n; i++) b += rss[i]
    a /= third; b /= third
    printf "%d %.0f %.0f %.1f\n", n, a, b, (a > 0 ? (b - a) * 100 / a : 0)
  }' "$SAMPLES")

VERDICT=passed
REASONS=()
[ "$NON2XX" -eq 0 ] || REASONS+=("$NON2XX non-2xx responses ($(field statuses "$line"))")
[ "$SOCKERR" -eq 0 ] || REASONS+=("$SOCKERR socket errors")
[ "$COUNTED" -ge 2 ] || REASONS+=("only $COUNTED samples after warm-up: run longer")
if awk -v g="$GROWTH" -v l="$RSS_GROWTH_LIMIT" 'BEGIN { exit !(g > l) }'; then
  REASONS+=("RSS grew ${GROWTH}% (limit ${RSS_GROWTH_LIMIT}%)")
fi
[ "${#REASONS[@]}" -eq 0 ] || VERDICT="FAILED: $(IFS=';'; echo "${REASONS[*]}")"

{
  echo "# Soak: steady mixed load"
  echo
  echo "Command: \`$CMD\` ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, registrar --workers $WORKERS,"
  echo "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') with AOF everysec)."
  echo
  echo "Load: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s bench/mix.lua (16 RFC 7592 reads, 3 registrations,"
  echo "1 RFC 7592 replace of every 20) over $SEED seeded clients."
  echo
  echo "| t (s) | server RSS (MB) | Redis used_memory (MB) | Redis keys |"
  echo "|---:|---:|---:|---:|"
  awk -F'\t' -v w="$WARMUP" '{ printf "| %s%s | %.1f | %.1f | %s |\n", $1, ($1 <= w ? " (warm-up)" : ""), $2 / 1024, $3 / 1048576, $4 }' "$SAMPLES"
  echo
  echo "Requests: $(field requests "$line") ($(field rps "$line") req/s; $(field n_read "$line") reads, $(field n_register "$line") registrations, $(field n_update "$line") replaces);"
  echo "latency p50 $(awk -v u="$(field p50_us "$line")" 'BEGIN{printf "%.2f", u/1000}') ms, p99 $(awk -v u="$(field p99_us "$line")" 'BEGIN{printf "%.2f", u/1000}') ms, max $(awk -v u="$(field max_us "$line")" 'BEGIN{printf "%.2f", u/1000}') ms."
  echo "Non-2xx responses: $NON2XX. Socket errors: $SOCKERR."
  echo "Server RSS after warm-up, mean of the first third of the samples: $(awk -v k="$FIRST" 'BEGIN{printf "%.1f", k/1024}') MB;"
  echo "of the last third: $(awk -v k="$LAST" 'BEGIN{printf "%.1f", k/1024}') MB; growth ${GROWTH}% (limit ${RSS_GROWTH_LIMIT}%)."
  echo
  echo "Verdict: $VERDICT"
} | tee "$WORK/report.md"
cp "$WORK/report.md" "$REPORT"
echo "soak: wrote bench/results/soak.md" >&2
[ "$VERDICT" = passed ]
