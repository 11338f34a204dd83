#!/usr/bin/env bash
# User-space instructions per RFC 7592 read, counted by valgrind's callgrind: repeatable
# for the same binary whatever else the machine does, unlike CPU time. Use it to compare
# two builds of the read path (kernel time is not counted; see bench/profile.sh for that).
#
#   bench/callgrind.sh                         # target/release/registrar, 10 s of reads
#   BIN=/tmp/registrar-old SECONDS_READ=20 bench/callgrind.sh
#
# Starts its own redis-server (no persistence: Redis is not measured) and the server under
# callgrind with one worker, registers 300 clients, zeroes the counters, reads for
# SECONDS_READ seconds with wrk (8 connections), dumps, and prints the instructions per
# request and the top functions by inclusive count. The dump stays in bench/results/raw/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-$ROOT/target/release/registrar}
SECONDS_READ=${SECONDS_READ:-10}
TOP=${TOP:-40}
RAW=$ROOT/bench/results/raw
OUT=$RAW/callgrind-read.out
export RUST_LOG=warn BENCH_LUA_DIR="$ROOT/bench"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
clean_server_env
for tool in valgrind callgrind_control callgrind_annotate wrk redis-server curl; do
  command -v "$tool" >/dev/null || { echo "callgrind: $tool is required (apt-get install valgrind wrk redis-server curl)" >&2; exit 1; }
done
mkdir -p "$RAW"
rm -f "$OUT" "$OUT".*

bench_setup callgrind

RPORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$RPORT" --dir "$WORK" --save "" --appendonly no \
  --logfile "$WORK/redis.log" &
PIDS+=($!)
PORT=$(free_port)
while [ "$PORT" = "$RPORT" ]; do PORT=$(free_port); done
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BIN" serve --listen "127.0.0.1:$PORT" \
  --workers 1 --redis-url "redis://127.0.0.1:$RPORT" --secret-key="$("$BIN" gen-key)" \
  >"$WORK/server.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.2; done

wrk -t1 -c4 -d10s -s "$ROOT/bench/seed.lua" "http://127.0.0.1:$PORT" -- "$WORK/clients" 1 300 >/dev/null 2>&1
cat "$WORK"/clients.[0-9]* >"$WORK/clients.txt"
callgrind_control --zero "$VPID" >/dev/null 2>&1
wrk -t1 -c8 -d"${SECONDS_READ}s" -s "$ROOT/bench/read.lua" "http://127.0.0.1:$PORT" \
  -- "$WORK/clients.txt" 1 >"$WORK/wrk.txt" 2>&1
callgrind_control --dump "$VPID" >/dev/null 2>&1
requests=$(bench_value "$WORK/wrk.txt" requests)
non2xx=$(bench_value "$WORK/wrk.txt" non2xx)
dump=$(ls "$OUT".* | tail -1)
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "binary: $BIN"
echo "reads: $requests (non-2xx: $non2xx); instructions: $total; per read: $((total / requests))"
echo
echo "Top $TOP functions by inclusive instructions (share of all counted):"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' |
  sed -E 's/^( *[0-9,]+ \([ 0-9.]+%\)) +(\.?\/[^ :]*|\?\?\?):/\1 /; s/ \[[^]]*\]$//' | cut -c1-160 | sed -n "2,$((TOP + 1))p"
