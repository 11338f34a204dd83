#!/usr/bin/env bash
# Registers against a freshly started Registrar with real client libraries
# (tests/interop): openid-client (Node.js) and pyoidc (Python). Called by scripts/test.sh;
# the openid-client check is skipped with a notice where Node.js is absent. pyoidc is
# installed into a virtualenv (target/interop-venv) the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

have_node=true
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "interop: Node.js not found, skipping the openid-client check"
  have_node=false
fi
$have_node && (cd tests/interop && npm ci --no-audit --no-fund --silent)

venv=target/interop-venv
if ! "$venv/bin/python" -c 'import oic' >/dev/null 2>&1; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'oic>=1.7,<2'
fi
cargo build --quiet --bin registrar

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn ./target/debug/registrar serve --listen "127.0.0.1:$port" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
$have_node && node tests/interop/openid-client.mjs "http://127.0.0.1:$port"
"$venv/bin/python" -W ignore::DeprecationWarning tests/interop/pyoidc_check.py "http://127.0.0.1:$port"

# Client credentials: openid-client's clientCredentialsGrant for the four client
# authentication methods, then Authlib (PyPI) for client_secret_basic and private_key_jwt.
# The server runs on a private redis-server so that `registrar token` can mint the admin
# token that creates the API and the grants.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "interop: redis-server not found, skipping the client credentials checks"
  exit 0
fi
cc_dir=$(mktemp -d)
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$cc_dir" --daemonize no >/dev/null &
redis_pid=$!
cc_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cc_key=$(./target/debug/registrar gen-key)
cc_issuer="http://127.0.0.1:$cc_port"
cc_flags=(--redis-url "redis://127.0.0.1:$redis_port" --secret-key "$cc_key" --issuer "$cc_issuer")
RUST_LOG=warn ./target/debug/registrar serve --listen "127.0.0.1:$cc_port" "${cc_flags[@]}" &
cc_pid=$!
trap 'kill $pid $cc_pid $redis_pid 2>/dev/null || true; rm -rf "$cc_dir"' EXIT
for _ in $(seq 50); do
  curl -fsS "$cc_issuer/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
cc_admin=$(./target/debug/registrar token "${cc_flags[@]}" --ttl 10m \
  --scope "create:resource_servers create:client_grants")
$have_node && node tests/interop/client-credentials.mjs "$cc_issuer" "$cc_admin"

if ! "$venv/bin/python" -c 'import authlib, requests' >/dev/null 2>&1; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "authlib>=1.3" requests
fi
"$venv/bin/python" tests/interop/authlib_client_credentials.py "$cc_issuer" "$cc_admin"
