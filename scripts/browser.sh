#!/usr/bin/env bash
# Browser tests of the console (docs/console.md): the real server, Debian's headless
# chromium driven by playwright-core, axe-core for accessibility. Installs what it needs
# when missing: the `chromium` package (apt) and the npm packages locked in tests/browser.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "installing: chromium"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

command -v redis-server >/dev/null 2>&1 || {
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
}

cargo build --quiet --bin registrar
BIN="$PWD/target/debug/registrar"
WORK="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT="$(free_port)"
PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS=$!
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  kill "$REDIS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# One set of settings for the server and for the CLI (`registrar console-url`, `registrar
# token`), which the tests call for sign-in URLs and admin tokens: Redis, so they share it.
export REGISTRAR_LISTEN="127.0.0.1:$PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
export REGISTRAR_SECRET_KEY="$("$BIN" gen-key)" REGISTRAR_WORKERS=2
for _ in $(seq 1 50); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
export BASE_URL="http://127.0.0.1:$PORT" REGISTRAR_BIN="$BIN"
cd tests/browser
if ! node --test --test-concurrency=1 ${BROWSER_TEST_ARGS:-} console.test.mjs; then
  echo "--- server log"; tail -50 "$WORK/server.log"; exit 1
fi
