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

cargo build --quiet --bin registrar
BIN="$PWD/target/debug/registrar"
LOG="$(mktemp)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# A short sign-in link lifetime, so that the expiry test does not wait minutes.
"$BIN" serve --listen "127.0.0.1:$PORT" --console-link-ttl 3s >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 100); do
  grep -q '/console/sign-in' "$LOG" && break
  sleep 0.1
done
SIGN_IN_URL="$(grep -o 'http://[^ ]*/console/sign-in[^ ]*' "$LOG" | head -1)"
if [ -z "$SIGN_IN_URL" ]; then
  echo "the server printed no sign-in URL:"; cat "$LOG"; exit 1
fi
export BASE_URL="http://127.0.0.1:$PORT" SIGN_IN_URL REGISTRAR_BIN="$BIN"
cd tests/browser
node --test --test-concurrency=1 console.test.mjs
