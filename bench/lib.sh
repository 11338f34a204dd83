# Shared by bench/profile.sh, callgrind.sh, ab.sh and scripts/soak.sh (sourced, not run):
# a clean server environment, a temp dir and the started processes cleaned up on exit,
# free loopback ports, and the figures of a wrk run's BENCH line. bench/run.sh keeps its own, which also tracks ports it handed
# out and stops single processes mid-run.

# The server reads its settings from REGISTRAR_* and REDIS_URL too: run with defaults only.
clean_server_env() {
  unset REDIS_URL
  for v in $(compgen -e | grep '^REGISTRAR_' || true); do unset "$v"; done
}

# bench_setup NAME: WORK (a temp dir), PIDS (append every process started), and traps
# that stop those processes and remove WORK (kept with KEEP_TMP=1) on exit, error or
# Ctrl-C; messages start with NAME.
bench_setup() {
  BENCH_NAME=$1
  WORK=$(mktemp -d "/tmp/registrar-$BENCH_NAME.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
  trap 'echo "$BENCH_NAME: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
  trap 'echo "$BENCH_NAME: interrupted" >&2; exit 130' INT TERM
}

bench_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "$BENCH_NAME: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$status"
}

# A loopback port nothing listens on.
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "$BENCH_NAME: no free port found" >&2
  return 1
}

# bench_value FILE KEY: KEY's value on the "BENCH key=value ..." line that bench/common.lua's
# done() prints at the end of a wrk run.
bench_value() {
  awk -v key="$2=" '/^BENCH / { for (i = 2; i <= NF; i++) if (index($i, key) == 1) print substr($i, length(key) + 1) }' "$1"
}
