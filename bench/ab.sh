#!/usr/bin/env bash
# A/B comparison of two server binaries, interleaved on one Redis, so that a change is
# measured against its parent in the same minutes of the same machine:
#
#   cp target/release/registrar /tmp/registrar-a     # before the change
#   cargo build --release --bin registrar            # after
#   bench/ab.sh /tmp/registrar-a target/release/registrar
#   ROUNDS=7 SCENARIOS="read replace" CONNS=256 bench/ab.sh A B
#
# Both servers run side by side (same Redis, same at-rest key, --workers $WORKERS); each
# round runs every scenario once against A and once against B, in alternating order, with
# wrk for SECONDS seconds. Prints, per scenario, the median over the rounds of requests/s,
# server CPU µs per request (utime+stime from /proc), redis-server CPU µs per request (the
# servers take turns, so each run's Redis time is its own), and context switches per
# request (voluntary + involuntary, all of the server's threads), and B's medians as ratios
# to A's.
# Redis runs with AOF (appendfsync everysec) as in docker-compose.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
A=${1:?usage: bench/ab.sh BINARY_A BINARY_B}
B=${2:?usage: bench/ab.sh BINARY_A BINARY_B}
ROUNDS=${ROUNDS:-5}
SECONDS_RUN=${SECONDS:-5}
SCENARIOS=${SCENARIOS:-"read register replace"}
CONNS=${CONNS:-32}
WORKERS=${WORKERS:-$(nproc)}
SEED=${SEED:-4000}
export RUST_LOG=warn BENCH_LUA_DIR="$ROOT/bench"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
clean_server_env
for tool in wrk redis-server redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "ab: $tool is required (apt-get install wrk redis-server curl)" >&2; exit 1; }
done
bench_setup ab

RPORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$RPORT" --dir "$WORK" --save "" --appendonly yes \
  --appendfsync everysec --logfile "$WORK/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 100); do [ "$(redis-cli -p "$RPORT" PING 2>/dev/null)" = PONG ] && break; sleep 0.1; done
KEY=$("$A" gen-key)

# start BINARY -> prints "PID PORT"
start() {
  local port
  port=$(free_port)
  while [ "$port" = "$RPORT" ]; do port=$(free_port); done
  "$1" serve --listen "127.0.0.1:$port" --workers "$WORKERS" --redis-url "redis://127.0.0.1:$RPORT" \
    --secret-key="$KEY" >>"$WORK/server-$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
  echo "$pid $port"
}
read -r PID_A PORT_A < <(start "$A")
PIDS+=("$PID_A")
read -r PID_B PORT_B < <(start "$B")
PIDS+=("$PID_B")

# Clients for read and replace, registered through A (both servers share the store).
wrk -t2 -c16 -d60s -s "$ROOT/bench/seed.lua" "http://127.0.0.1:$PORT_A" -- "$WORK/clients" 2 "$SEED" \
  >"$WORK/seed.log" 2>&1 &
SEEDER=$!
for _ in $(seq 600); do
  kill -0 "$SEEDER" 2>/dev/null || break
  [ "$( (cat "$WORK"/clients.[0-9]* 2>/dev/null || true) | wc -l)" -ge "$SEED" ] && { kill -INT "$SEEDER" 2>/dev/null || true; break; }
  sleep 0.1
done
wait "$SEEDER" 2>/dev/null || true
cat "$WORK"/clients.[0-9]* >"$WORK/clients.txt"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n }'
}
HZ=$(getconf CLK_TCK)

# run WHICH SCENARIO -> appends "scenario which rps cpu_us switches redis_us" to $WORK/rows
run() {
  local which=$1 scenario=$2 pid port
  if [ "$which" = A ]; then pid=$PID_A port=$PORT_A; else pid=$PID_B port=$PORT_B; fi
  local t0 s0 r0
  t0=$(cpu_ticks "$pid")
  s0=$(switches "$pid")
  r0=$(cpu_ticks "$REDIS_PID")
  wrk -t2 -c"$CONNS" -d"${SECONDS_RUN}s" -s "$ROOT/bench/$scenario.lua" "http://127.0.0.1:$port" \
    -- "$WORK/clients.txt" 2 >"$WORK/wrk.txt" 2>&1
  local t1 s1 r1 requests non2xx
  t1=$(cpu_ticks "$pid")
  s1=$(switches "$pid")
  r1=$(cpu_ticks "$REDIS_PID")
  requests=$(bench_value "$WORK/wrk.txt" requests)
  non2xx=$(bench_value "$WORK/wrk.txt" non2xx)
  if [ -z "$requests" ] || [ "$requests" = 0 ] || [ "${non2xx:-1}" != 0 ]; then
    echo "ab: $scenario on $which failed (requests ${requests:-?}, non-2xx ${non2xx:-?})" >&2
    cat "$WORK/wrk.txt" >&2
    exit 1
  fi
  awk -v s="$scenario" -v w="$which" -v n="$requests" -v d="$SECONDS_RUN" -v dt=$((t1 - t0)) \
    -v ds=$((s1 - s0)) -v dr=$((r1 - r0)) -v hz="$HZ" \
    'BEGIN { printf "%s %s %.0f %.2f %.3f %.2f\n", s, w, n / d, dt / hz * 1e6 / n, ds / n, dr / hz * 1e6 / n }' >>"$WORK/rows"
}

echo "ab: A=$A B=$B; $ROUNDS rounds of ${SECONDS_RUN}s, $CONNS connections, --workers $WORKERS" >&2
for round in $(seq "$ROUNDS"); do
  for scenario in $SCENARIOS; do
    if [ $((round % 2)) = 1 ]; then run A "$scenario"; run B "$scenario"; else run B "$scenario"; run A "$scenario"; fi
  done
  echo "ab: round $round of $ROUNDS done" >&2
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '\n| scenario | conns | A req/s | B req/s | B/A | A CPU µs/req | B CPU µs/req | B/A | A Redis µs/req | B Redis µs/req | B/A | A switches/req | B switches/req |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for scenario in $SCENARIOS; do
  col() { awk -v s="$scenario" -v w="$1" -v c="$2" '$1 == s && $2 == w { print $c }' "$WORK/rows" | median; }
  ra=$(col A 3) rb=$(col B 3) ca=$(col A 4) cb=$(col B 4) sa=$(col A 5) sb=$(col B 5)
  da=$(col A 6) db=$(col B 6)
  awk -v s="$scenario" -v c="$CONNS" -v ra="$ra" -v rb="$rb" -v ca="$ca" -v cb="$cb" -v sa="$sa" -v sb="$sb" \
    -v da="$da" -v db="$db" \
    'BEGIN { printf "| %s | %s | %.0f | %.0f | %.3f | %.2f | %.2f | %.3f | %.2f | %.2f | %.3f | %.2f | %.2f |\n", s, c, ra, rb, rb / ra, ca, cb, cb / ca, da, db, (da > 0 ? db / da : 0), sa, sb }'
done
