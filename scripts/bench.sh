#!/usr/bin/env bash
# The benchmark toolkit (a tool, not a test; DESIGN.md "Performance model"; docs/benchmarks.md).
# One entry point for every scenario, each bounded in time; results, a summary and PNG charts go
# to .data/bench/<scenario>-<timestamp>/.
#
# Usage: scripts/bench.sh <scenario> [options]      (npm run bench -- <scenario> [options])
#   sweep        the message path at several offered rates, chatstream vs the baseline, alternately,
#                ROUNDS rounds, medians (default ~10 min)      --rates --rounds --clients --rooms --seconds
#   history      REST history through Nginx with autocannon, rooms of 1,000 and 100,000 messages,
#                latest / deep before / after pages, 1, 10, 50 connections (~3 min + first seeding)
#                                                               --sizes --connections --seconds --limit
#   connections  idle Socket.IO connections ramped to a target, chatstream vs baseline, then held idle (~5 min)
#                                                               --target --step --max-seconds --settle-seconds
#   join         room:join with since on deep rooms while 500 sends/s flow (~2 min); joins back to
#                back by 12 joiners, or --rate N joins started per second    --sizes --joins --traffic --rate
#
# The baseline (sweep, connections) is a minimal Socket.IO + @socket.io/redis-adapter chat server
# (tools/baseline/server.ts; 3 replicas on 3111-3113 behind their own Nginx on 127.0.0.1:3002, with
# the product's ip_hash and worker settings). The chatstream topology is started with
# `scripts/topology.sh up` (idempotent); if none of it ran before, the bench stops it again on exit,
# otherwise it is left as found. The baseline replicas and their Nginx are always stopped, by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib/common.sh

SCENARIO="${1:-}"
case "$SCENARIO" in
  sweep) SCENARIO_LIMIT=1200; NEEDS_BASELINE=true ;;
  history|join) SCENARIO_LIMIT=600; NEEDS_BASELINE=false ;;
  connections) SCENARIO_LIMIT=600; NEEDS_BASELINE=true ;;
  *) sed -n '5,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
shift

bench_log() { printf '[bench] %s\n' "$*" >&2; }

# The topology's pid files stay where topology.sh keeps them; the bench's own services (run by the
# same supervisor, infra/lib/supervisor.sh) keep their pid files and logs under .data/bench.
TOPO_RUN_DIR="$RUN_DIR"
BENCH_DIR="$DATA_DIR/bench"
RUN_DIR="$BENCH_DIR/run"
LOG_DIR="$BENCH_DIR/logs"
mkdir -p "$RUN_DIR" "$LOG_DIR" "$BENCH_DIR/tmp"

BASELINE_PORTS=(3111 3112 3113)
BASELINE_NGINX_PORT=3002
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT_DIR="$BENCH_DIR/$SCENARIO-$STAMP"

# One bench at a time (they would share ports 3002 and 3111-3113).
take_lock "$RUN_DIR" bench 0

# Many sockets (the connections scenario holds 20,000 through Nginx, twice the descriptors there):
# raise the limit when allowed (root), else use the hard limit. Services started below inherit it.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Was any part of the topology running before? (read-only: pid files + liveness)
topology_was_running=false
for f in "$TOPO_RUN_DIR"/{kafka,mongo,redis,persister,api,nginx}.pid "$TOPO_RUN_DIR"/gateway-*.pid; do
  [[ -f "$f" ]] && is_alive "$(cat "$f")" && { topology_was_running=true; break; }
done
started_topology=false

scenario_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n "$scenario_pid" ]] && kill -TERM "$scenario_pid" 2>/dev/null || true
  sv_stop baseline-nginx baseline-1 baseline-2 baseline-3 2>/dev/null || true
  if $started_topology; then
    bench_log "stopping the topology this bench started"
    scripts/topology.sh down >/dev/null 2>&1 || bench_log "topology.sh down failed (see .data/logs)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- chatstream --------------------------------------------------------------------------------
# Rate limits (README "Rate limits") for a topology this bench starts: the load generator logs in
# hundreds of users from 127.0.0.1, the history scenario reads thousands of pages a second with
# one token, the join scenario joins and leaves in a loop. Raised far above that load, not turned
# off, so every request still pays for its Redis count and the figures include it.
export RATE_LIMIT_LOGIN_PER_IP="${RATE_LIMIT_LOGIN_PER_IP:-1000000/60}"
export RATE_LIMIT_REST_READS_PER_USER="${RATE_LIMIT_REST_READS_PER_USER:-100000000/60}"
export RATE_LIMIT_ROOM_JOIN_PER_USER="${RATE_LIMIT_ROOM_JOIN_PER_USER:-1000000/60}"
$topology_was_running || started_topology=true
$topology_was_running && bench_log "note: the running topology keeps the rate limits it was started with (README \"Rate limits\")"
bench_log "chatstream: scripts/topology.sh up ($($topology_was_running && echo 'already running' || echo 'starting it'))"
scripts/topology.sh up >&2

# `topology.sh up` has just rebuilt whatever changed under apps/, libs/ and tools/; build here
# only when an output the bench runs is missing.
if ! ls dist/tools/{loadgen/loadgen,bench/"$SCENARIO",bench/charts,baseline/server}.js >/dev/null 2>&1; then
  bench_log "building the tools (npm run build)"
  npm run -s build >&2 || { bench_log "build failed"; exit 1; }
fi

# --- baseline ----------------------------------------------------------------------------------
start_baseline() {
  # Leftovers of a bench that was killed (SIGKILL skips the trap) are ours: stop them first.
  sv_stop baseline-nginx baseline-1 baseline-2 baseline-3 2>/dev/null

  check_ports "baseline-1:${BASELINE_PORTS[0]}" "baseline-2:${BASELINE_PORTS[1]}" "baseline-3:${BASELINE_PORTS[2]}" "baseline-nginx:$BASELINE_NGINX_PORT"
  for i in 1 2 3; do
    sv_start "baseline-$i" 10 env PORT="${BASELINE_PORTS[i - 1]}" INSTANCE_ID="baseline-$i" REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}" node dist/tools/baseline/server.js
  done
  for i in 1 2 3; do wait_ready "baseline-$i" 20 http_ok "http://127.0.0.1:${BASELINE_PORTS[i - 1]}/health"; done

  # The baseline's Nginx: tools/baseline/nginx.conf with this machine's values.
  render_template tools/baseline/nginx.conf "USER_LINE=$(nginx_user_line)" "RUN_DIR=$RUN_DIR" "LOG_DIR=$LOG_DIR" \
    "TMP_DIR=$BENCH_DIR/tmp" "WORKERS=$(nginx_workers)" "RLIMIT=$(nginx_rlimit)" "PORT=$BASELINE_NGINX_PORT" "REPLICA_1=${BASELINE_PORTS[0]}" \
    "REPLICA_2=${BASELINE_PORTS[1]}" "REPLICA_3=${BASELINE_PORTS[2]}" \
    "WORKER_CONNECTIONS=$(sed -n 's/^[[:space:]]*worker_connections[[:space:]]*\([0-9]*\);.*/\1/p' nginx.conf | head -1)" \
    >"$BENCH_DIR/nginx.conf"
  nginx_test "$BENCH_DIR/nginx.conf" "$BENCH_DIR"
  sv_start baseline-nginx 10 "$NGINX_BIN" -p "$BENCH_DIR/" -c "$BENCH_DIR/nginx.conf"
  wait_ready baseline-nginx 20 port_in_use "$BASELINE_NGINX_PORT"
  bench_log "baseline: 3 replicas (${BASELINE_PORTS[*]}) behind nginx on 127.0.0.1:$BASELINE_NGINX_PORT"
}
$NEEDS_BASELINE && start_baseline

# --- the scenario ------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
bench_log "$SCENARIO: results, summary and charts in $OUT_DIR"
# In the background + wait, so that INT/TERM run the cleanup at once (which stops it too); a hard
# time bound on top of the scenario's own bounds.
timeout --signal=TERM --kill-after=10 "$SCENARIO_LIMIT" \
  node --max-old-space-size=4096 "dist/tools/bench/$SCENARIO.js" --out-dir "$OUT_DIR" "$@" >"$OUT_DIR/summary.txt" &
scenario_pid=$!
wait "$scenario_pid" || { bench_log "$SCENARIO failed (exit $?)"; exit 1; }
scenario_pid=""
echo
cat "$OUT_DIR/summary.txt"
node dist/tools/bench/charts.js "$OUT_DIR/results.json"
