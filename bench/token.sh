#!/usr/bin/env bash
# Client credentials tokens per second and server CPU per token, for each access-token
# signing algorithm (ES256, EdDSA, RS256), beside the framework ceiling (examples/ceiling.rs,
# a fixed JSON answer) measured in the same run, so the figures read as ratios that hold
# across machines:
#
#   cargo build --release --bin registrar --example ceiling
#   bench/token.sh                      # SECONDS=10 CONNS=32 WORKERS=$(nproc) ROUNDS=3
#
# One Registrar on a private redis-server (each token: the client's record and the API
# with the client's grant, two Redis round trips), client_secret_basic, one client per
# algorithm. Prints medians over ROUNDS of tokens/s and CPU µs per token (server
# utime+stime from /proc), Redis CPU µs per token, and openssl's RSA-2048 signatures per
# second on one core, the bound of RS256.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-target/release/registrar}
CEILING=${CEILING:-target/release/examples/ceiling}
ROUNDS=${ROUNDS:-3}
SECONDS_RUN=${SECONDS:-10}
CONNS=${CONNS:-32}
WORKERS=${WORKERS:-$(nproc)}
export RUST_LOG=warn BENCH_LUA_DIR="$ROOT/bench"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
clean_server_env
for tool in wrk redis-server redis-cli curl openssl; do
  command -v "$tool" >/dev/null || { echo "token: $tool is required (apt-get install wrk redis-server curl openssl)" >&2; exit 1; }
done
[ -x "$BIN" ] && [ -x "$CEILING" ] || { echo "token: build first: cargo build --release --bin registrar --example ceiling" >&2; exit 1; }
bench_setup token

RPORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$RPORT" --dir "$WORK" --save "" --appendonly no \
  --logfile "$WORK/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 100); do [ "$(redis-cli -p "$RPORT" PING 2>/dev/null)" = PONG ] && break; sleep 0.1; done

PORT=$(free_port)
ISSUER="http://127.0.0.1:$PORT"
FLAGS=(--redis-url "redis://127.0.0.1:$RPORT" "--secret-key=$("$BIN" gen-key)" --issuer "$ISSUER")
"$BIN" serve --listen "127.0.0.1:$PORT" --workers "$WORKERS" "${FLAGS[@]}" >>"$WORK/server.log" 2>&1 &
PID=$!
PIDS+=("$PID")
CPORT=$(free_port)
"$CEILING" --listen "127.0.0.1:$CPORT" --workers "$WORKERS" >>"$WORK/ceiling.log" 2>&1 &
CPID=$!
PIDS+=("$CPID")
for port in "$PORT" "$CPORT"; do
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
done
ADMIN=$("$BIN" token "${FLAGS[@]}" --ttl 1h --scope "create:resource_servers create:client_grants")

post() { curl -fsS -X POST "$ISSUER$1" -H "content-type: application/json" "${@:3}" -d "$2"; }
declare -A BASIC AUDIENCE
for alg in ES256 EdDSA RS256; do
  AUDIENCE[$alg]="https://bench-$alg.example/"
  post /api/v2/resource-servers "{\"identifier\":\"${AUDIENCE[$alg]}\",\"scopes\":[{\"value\":\"read:x\"}],\"signing_alg\":\"$alg\"}" \
    -H "authorization: Bearer $ADMIN" >/dev/null
  reg=$(post /oidc/register '{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_basic"}')
  id=$(sed -E 's/.*"client_id":"([^"]+)".*/\1/' <<<"$reg")
  secret=$(sed -E 's/.*"client_secret":"([^"]+)".*/\1/' <<<"$reg")
  post /api/v2/client-grants "{\"client_id\":\"$id\",\"audience\":\"${AUDIENCE[$alg]}\",\"scope\":[\"read:x\"]}" \
    -H "authorization: Bearer $ADMIN" >/dev/null
  BASIC[$alg]="Basic $(printf '%s:%s' "$id" "$secret" | base64 -w0)"
  # One token by hand first: a broken setup shows its error instead of a failed run.
  curl -fsS -o /dev/null -X POST "$ISSUER/oauth/token" -H "authorization: ${BASIC[$alg]}" \
    --data-urlencode grant_type=client_credentials --data-urlencode "audience=${AUDIENCE[$alg]}" \
    || { curl -sS -X POST "$ISSUER/oauth/token" -H "authorization: ${BASIC[$alg]}" \
      --data-urlencode grant_type=client_credentials --data-urlencode "audience=${AUDIENCE[$alg]}" >&2; exit 1; }
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# run NAME PID URL SCRIPT -> appends "name rps cpu_us redis_us" to $WORK/rows
run() {
  local name=$1 pid=$2 url=$3 script=$4 t0 r0 t1 r1 requests non2xx
  t0=$(cpu_ticks "$pid"); r0=$(cpu_ticks "$REDIS_PID")
  wrk -t2 -c"$CONNS" -d"${SECONDS_RUN}s" -s "$ROOT/bench/$script" "$url" >"$WORK/wrk.txt" 2>&1
  t1=$(cpu_ticks "$pid"); r1=$(cpu_ticks "$REDIS_PID")
  requests=$(bench_value "$WORK/wrk.txt" requests)
  non2xx=$(bench_value "$WORK/wrk.txt" non2xx)
  if [ -z "$requests" ] || [ "$requests" = 0 ] || [ "${non2xx:-1}" != 0 ]; then
    echo "token: $name failed (requests ${requests:-?}, non-2xx ${non2xx:-?})" >&2
    cat "$WORK/wrk.txt" >&2
    exit 1
  fi
  awk -v s="$name" -v n="$requests" -v d="$SECONDS_RUN" -v dt=$((t1 - t0)) -v dr=$((r1 - r0)) -v hz="$HZ" \
    'BEGIN { printf "%s %.0f %.2f %.2f\n", s, n / d, dt / hz * 1e6 / n, dr / hz * 1e6 / n }' >>"$WORK/rows"
}

echo "token: $ROUNDS rounds of ${SECONDS_RUN}s, $CONNS connections, --workers $WORKERS, $(nproc) cores" >&2
for round in $(seq "$ROUNDS"); do
  run ceiling "$CPID" "http://127.0.0.1:$CPORT" ceiling.lua
  for alg in ES256 EdDSA RS256; do
    export BENCH_BASIC=${BASIC[$alg]} BENCH_AUDIENCE=${AUDIENCE[$alg]}
    run "$alg" "$PID" "$ISSUER" token.lua
  done
  echo "token: round $round of $ROUNDS done" >&2
done

RSA=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print $6 }')
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$WORK/rows" | median; }
CR=$(col ceiling 2) CC=$(col ceiling 3)
printf '\n| run | req/s | / ceiling | server CPU µs/req | / ceiling | Redis CPU µs/req |\n|---|---:|---:|---:|---:|---:|\n'
for name in ceiling ES256 EdDSA RS256; do
  awk -v s="$name" -v r="$(col "$name" 2)" -v c="$(col "$name" 3)" -v d="$(col "$name" 4)" -v cr="$CR" -v cc="$CC" \
    'BEGIN { printf "| %s | %.0f | %.3f | %.1f | %.2f | %.1f |\n", s, r, r / cr, c, c / cc, d }'
done
echo
echo "openssl speed rsa2048: ${RSA:-?} signatures/s on one core"
echo "BENCH ceiling_rps=$CR es256_rps=$(col ES256 2) eddsa_rps=$(col EdDSA 2) rs256_rps=$(col RS256 2) rsa2048_sign_per_core=${RSA:-0}"
