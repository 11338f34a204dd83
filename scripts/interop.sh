#!/usr/bin/env bash
# Registers against a freshly started Registrar with real client libraries
# (tests/interop). Called by scripts/test.sh; skipped with a notice where Node.js is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "interop: Node.js not found, skipping the openid-client check"
  exit 0
fi
(cd tests/interop && npm ci --no-audit --no-fund --silent)
cargo build --quiet --bin registrar

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn ./target/debug/registrar serve --listen "127.0.0.1:$port" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
node tests/interop/openid-client.mjs "http://127.0.0.1:$port"
