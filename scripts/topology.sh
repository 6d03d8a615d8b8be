#!/usr/bin/env bash
# The whole chatstream topology as plain processes on 127.0.0.1 (no Docker): the infra
# (infra/infra.sh: Kafka, Mongo store, Redis) + persister + api + N gateways + Nginx :3001, every
# one under supervisord (infra/lib/supervisor.sh), which restarts what dies, not what is stopped.
#
# Usage: scripts/topology.sh up [N] | down | status | health | logs [SERVICE] | build | reload | scale N
#   up [N]   start what is not running (idempotent; N gateways: the current count, else 3; extra
#            ones are stopped), build first if the sources changed, wait until every app is live
#            and ready and Nginx answers /health. Nothing starts while a needed port is taken.
#   down     stop Nginx, the gateways, api, persister, the infra and supervisord: no process left.
#   status   service, pid, port, state, uptime, connections; exits 1 if an expected one is down.
#   health   each app's /health, nginx, kafka, mongo, redis; exits 1 if anything is down.
#   logs     the last $CHATSTREAM_LOG_LINES (100) lines of .data/logs/SERVICE.log (all, gateway,
#            gateway-N, nginx-access...); follows them when stdout is a terminal.
#   build    npm ci if the lock changed, then npm run build.
#   reload   re-render nginx.conf for the current gateways and reload Nginx.
#   scale N  start or stop gateways so that N run; the other replicas' clients stay connected.
#
# Nginx: the repo's nginx.conf is the production (docker) config; its "# >>> native:NAME" blocks
# are replaced with local values and the result is written to .data/nginx/nginx.conf.
# The caller's environment is passed to every app (tests set e.g. ROOM_CAPACITY this way).
set -euo pipefail
source "$(dirname "$0")/../infra/lib/common.sh"
cd "$REPO_DIR"

log() { printf '[topology] %s\n' "$*" >&2; }
die() { printf '[topology] error: %s\n' "$*" >&2; exit 1; }
usage_error() { printf '[topology] %s\n' "$*" >&2; exit 2; }
use_jwt_secret   # the apps sign and check tokens with it (never the example secret)

HEALTH_TIMEOUT=60                # seconds, per app and per probe
LOG_LINES="${CHATSTREAM_LOG_LINES:-100}"
NGINX_TEMPLATE="$REPO_DIR/nginx.conf"
NGINX_DIR="$DATA_DIR/nginx"             # nginx prefix: rendered config, pid file, temp paths
NGINX_CONF="$NGINX_DIR/nginx.conf"
GATEWAYS_FILE="$RUN_DIR/gateways"       # how many gateways should run
SLOTS_FILE="$RUN_DIR/gateway-slots"     # how many upstream entries Nginx has (see update_nginx_conf)
BUILD_STAMP="$DATA_DIR/build.stamp"     # when scripts/topology.sh last built

# ---------------------------------------------------------------------------------------------
# small helpers

# Indices of the gateways the supervisor has (running or not), highest first.
recorded_gateways() {
  local f
  for f in "$SV_DIR"/programs/gateway-*.conf; do
    [[ -e "$f" ]] || continue
    f="${f##*/gateway-}"; echo "${f%.conf}"
  done | sort -rn
}
# Recorded gateways above n, highest first (to stop once Nginx no longer uses them).
extra_gateways() { recorded_gateways | awk -v n="$1" '$1 > n { print "gateway-" $1 }'; }
gateways() { local i; for ((i = 1; i <= $1; i++)); do echo "gateway-$i"; done; }
# Services in start order: with N, gateways 1..N; without, the ones to report: gateways 1..the
# wanted count and any other recorded one that still runs (one that is gone was scaled away).
services() {
  local i n="${1:-$(wanted_gateways "$GATEWAYS_FILE")}"
  echo kafka; [[ -n "${MONGO_URL:-}" ]] || echo mongo; echo redis persister api
  gateways "$n"
  if [[ -z "${1:-}" ]]; then
    for i in $(recorded_gateways | sort -n); do (( i > n )) && running_pid "gateway-$i" >/dev/null && echo "gateway-$i"; done
  fi
  echo nginx
}
pairs() { local s; for s; do echo "$s:$(port_of "$s")"; done; }   # NAME:PORT, for check_ports

# ---------------------------------------------------------------------------------------------
# build

build_now() {
  log "building (npm run build)"
  local stamp_new="$BUILD_STAMP.new"; touch "$stamp_new"   # sources edited during the build stay "newer"
  npm run -s build || { rm -f "$stamp_new"; die "build failed"; }
  mv "$stamp_new" "$BUILD_STAMP"
  # Running apps are left alone, so they keep the code they were started with.
  local name running=()
  for name in persister api $(recorded_gateways | sed 's/^/gateway-/'); do
    running_pid "$name" >/dev/null && running+=("$name")
  done
  (( ${#running[@]} == 0 )) || log "note: rebuilt, but ${running[*]} keep running the previous build until restarted (./docker-start.sh restart)"
}

# Rebuild when dist or the web bundle is missing or a source is newer than the last build. The
# stamp is ours because the build is incremental: tsc leaves unchanged outputs (main.js) untouched.
# web/src and web/tsconfig.json are sources of the bundle (web/dist/main.js, npm run build:web).
build_if_stale() {
  local main="dist/apps/gateway/src/main.js" bundle="web/dist/main.js" ref
  npm_install_if_changed   # a fresh checkout (./docker-start.sh start on a new machine)
  ref="$main"; [[ -f "$BUILD_STAMP" && "$BUILD_STAMP" -nt "$main" ]] && ref="$BUILD_STAMP"
  if [[ -f "$main" && -f "$bundle" ]] \
    && [[ -z "$(find apps libs tools web/src tsconfig.json tsconfig.build.json web/tsconfig.json -newer "$ref" -type f -print -quit)" ]]; then
    return 0
  fi
  build_now
}

# ---------------------------------------------------------------------------------------------
# apps

# Starts an app (persister, api, gateway-N) under the supervisor unless it runs; does not wait.
# Its instance id and port (GATEWAY_PORT, API_PORT, PERSISTER_PORT) come on top of the caller's
# environment.
start_app() {
  local name="$1" app="${1%%-*}" port; port="$(port_of "$1")"
  already_running "$name" && return 0
  [[ -f "dist/apps/$app/src/main.js" ]] || die "dist/apps/$app/src/main.js is missing; the build did not produce it"
  # An app's own Node options (apps/<app>/<app>.env, docker-compose.yml's env_file too) come
  # ahead of any the caller set.
  local node_env=() own_env="apps/$app/$app.env"
  [[ -f "$own_env" ]] && node_env=("NODE_OPTIONS=$(sed -n 's/^NODE_OPTIONS=//p' "$own_env")${NODE_OPTIONS:+ $NODE_OPTIONS}")
  sv_start "$name" 20 env INSTANCE_ID="$([[ "$name" == *-* ]] && echo "$name" || echo "$name-1")" \
    "${app^^}_PORT=$port" "${node_env[@]}" node "dist/apps/$app/src/main.js"
  log "$name: started (port $port)"
}

# Liveness first (the process serves HTTP), then readiness (its dependencies answer).
wait_app_healthy() {
  local url; url="http://127.0.0.1:$(port_of "$1")/health"
  wait_ready "$1" "$HEALTH_TIMEOUT" http_ok "$url/live"
  wait_ready "$1" "$HEALTH_TIMEOUT" http_ok "$url"
}

# Starts the missing apps, then waits until all are ready (they boot in parallel).
launch_apps() { local app; for app; do start_app "$app"; done; for app; do wait_app_healthy "$app"; done; }

# ---------------------------------------------------------------------------------------------
# nginx

# The native config for n gateways: nginx.conf with its "# >>> native:NAME" blocks filled with
# local values (tools/ops/native-nginx-conf.js), tested, installed as $NGINX_CONF; returns 0 if
# that changed. Upstream entries are kept for ip_hash: removing a server from an ip_hash upstream
# changes where every client hashes, so gateways scaled away stay listed as "down" (as the nginx
# docs advise) until the next `down`: $SLOTS_FILE, the entry count, only grows while up.
update_nginx_conf() {
  local n="$1" new="$NGINX_CONF.new" slots=0 i serving=() scaled_away=()
  [[ -f "$SLOTS_FILE" ]] && is_positive_int "$(cat "$SLOTS_FILE")" && slots="$(cat "$SLOTS_FILE")"
  (( n > slots )) && slots="$n"
  for ((i = 1; i <= slots; i++)); do
    if (( i <= n )); then serving+=("$(gateway_port "$i")"); else scaled_away+=("$(gateway_port "$i")"); fi
  done
  mkdir -p "$NGINX_DIR"
  node tools/ops/native-nginx-conf.js --template "$NGINX_TEMPLATE" --prefix "$NGINX_DIR" --logs "$LOG_DIR" \
    --web "$REPO_DIR/web" --user-line "$(nginx_user_line)" --workers "$(nginx_workers)" --rlimit "$(nginx_rlimit)" --listen "$NGINX_PORT" \
    --api "$API_PORT_LOCAL" --gateways "${serving[*]}" --down "${scaled_away[*]}" >"$new" || die "cannot render $NGINX_TEMPLATE"
  nginx_test "$new" "$NGINX_DIR"
  echo "$slots" >"$SLOTS_FILE"
  if [[ -f "$NGINX_CONF" ]] && cmp -s "$new" "$NGINX_CONF"; then rm -f "$new"; return 1; fi
  mv "$new" "$NGINX_CONF"
}

start_nginx() {
  already_running nginx && return 0
  sv_start nginx 10 "$NGINX_BIN" -c "$NGINX_CONF" -p "$NGINX_DIR/"
  log "nginx: started (port $NGINX_PORT)"
}

# SIGHUP: the master re-reads the config and starts new workers; the old workers stop accepting
# but keep their open connections (WebSockets stay up). The config was tested before, but a
# reload can still fail at runtime; nginx then keeps the old config and logs [emerg].
reload_nginx() {
  local pid logf="$LOG_DIR/nginx.log" before
  pid="$(running_pid nginx)" || die "nginx is not running; start the topology with: $0 up"
  before="$(stat -c %s "$logf" 2>/dev/null || echo 0)"
  kill -HUP "$pid"
  sleep 0.5
  if tail -c +"$((before + 1))" "$logf" 2>/dev/null | grep -q '\[emerg\]'; then
    fail_with_log nginx "nginx did not accept the new config (the old one stays active)"
  fi
  log "nginx: reloaded (pid $pid)"
}

wait_nginx() { wait_ready nginx "$HEALTH_TIMEOUT" http_ok "http://127.0.0.1:$NGINX_PORT/health"; }

# run_gateways N [APP...]: the apps and gateways 1..N run and Nginx routes to exactly those; the
# gateways above N are stopped, highest first. Scale up: the new gateways are ready before Nginx
# routes to them. Scale down: they leave Nginx (new handshakes go elsewhere) before they stop.
# The other replicas and their clients are untouched either way.
run_gateways() {
  local n="$1" extras; shift
  echo "$n" >"$GATEWAYS_FILE"
  # shellcheck disable=SC2046 # one argument per gateway
  launch_apps "$@" $(gateways "$n")
  extras="$(extra_gateways "$n")"
  if update_nginx_conf "$n" && running_pid nginx >/dev/null; then reload_nginx; fi
  start_nginx
  wait_nginx
  [[ -z "$extras" ]] || sv_stop $extras
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_up() {
  local n="${1:-$(wanted_gateways "$GATEWAYS_FILE")}"
  is_positive_int "$n" || usage_error "usage: $0 up [N]   (N = number of gateways, a positive integer)"
  # shellcheck disable=SC2046 # one argument per pair
  check_ports $(pairs $(services "$n")) "kafka:$KAFKA_CONTROLLER_PORT"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # gateways hold many sockets; use the hard limit
  infra/infra.sh up
  build_if_stale
  run_gateways "$n" persister api
  log "up: persister, api, $n gateway(s), nginx on http://127.0.0.1:$NGINX_PORT"
}

cmd_down() {
  sv_stop nginx
  # shellcheck disable=SC2046 # one argument per gateway
  sv_stop $(extra_gateways 0)   # at once (each may take a few seconds to leave Kafka)
  sv_stop api persister
  rm -f "$GATEWAYS_FILE" "$SLOTS_FILE"
  infra/infra.sh down
}

# One row per service; exits 1 if an expected one is not running.
cmd_status() {
  local name down=0 any=0
  status_header
  for name in $(services); do
    running_pid "$name" >/dev/null && any=1
    status_row "$name" || down=1
  done
  [[ -z "${MONGO_URL:-}" ]] || echo "mongo        -        -       external -          -"
  (( any )) || echo "chatstream is not running (start it with: ./docker-start.sh start)"
  return "$down"
}

# One line per check, then "all healthy" or "N check(s) failed" (exit 1): tools/ops/health.js
# does the checks; this says what to check.
cmd_health() {
  local name checks=()
  for name in $(services | grep '^gateway-'); do checks+=("$name=http://127.0.0.1:$(port_of "$name")/health"); done
  checks+=("api=http://127.0.0.1:$API_PORT_LOCAL/health" "persister=http://127.0.0.1:$PERSISTER_PORT_LOCAL/health"
    "nginx=http://127.0.0.1:$NGINX_PORT/health" "kafka=tcp:$KAFKA_PORT")
  if [[ -n "${MONGO_URL:-}" ]]; then checks+=("mongo=skip:external MONGO_URL (not checked here)")
  else checks+=("mongo=tcp:$MONGO_PORT"); fi
  node tools/ops/health.js "${checks[@]}" "redis=redis:$REDIS_PORT"
}

cmd_logs() {
  local service="${1:-}" f files=() known
  [[ -d "$LOG_DIR" ]] || die "no logs yet ($LOG_DIR does not exist)"
  case "$service" in
    "")      set -- "$LOG_DIR"/{kafka,mongo,redis,persister,api,nginx}.log "$LOG_DIR"/gateway-*.log ;;
    gateway) set -- "$LOG_DIR"/gateway-*.log ;;
    *)       set -- "$LOG_DIR/$service.log"
             if ! [[ "$service" =~ ^[A-Za-z0-9_-]+$ && -f "$1" ]]; then
               known="$(ls -- "$LOG_DIR" | sed -n 's/\.log$//p' | grep -Ev -- '-(install|build)$' | paste -sd' ' - || true)"
               usage_error "no log for service '$service' (known: gateway ${known:-none})"
             fi ;;
  esac
  for f; do [[ -f "$f" ]] && files+=("$f"); done
  (( ${#files[@]} )) || die "no log files in $LOG_DIR"
  if [[ -t 1 ]]; then exec tail -n "$LOG_LINES" -F "${files[@]}"; fi
  tail -n "$LOG_LINES" "${files[@]}"
}

cmd_build() { npm_install_if_changed; build_now; echo "built: dist/apps/{gateway,persister,api}"; }

cmd_reload() {
  local n; n="$(wanted_gateways "$GATEWAYS_FILE")"
  running_pid nginx >/dev/null || die "nginx is not running; start the topology with: $0 up"
  update_nginx_conf "$n" || log "nginx: config unchanged, reloading anyway"
  reload_nginx
  wait_nginx
}

cmd_scale() {
  local n="${1:-}"
  is_positive_int "$n" || usage_error "usage: $0 scale N   (N = number of gateways, a positive integer; got '${n}')"
  running_pid nginx >/dev/null || die "the topology is not up (nginx is stopped); use: $0 up $n"
  # shellcheck disable=SC2046 # one argument per pair
  check_ports $(pairs $(gateways "$n"))
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # No rebuild here: new replicas run the same build as the running ones (like scaling a
  # docker service with the same image); `up` is where sources get rebuilt.
  run_gateways "$n"
  log "scale: $n gateway(s) running"
}

usage() { usage_error "usage: $0 up [N] | down | status | health | logs [SERVICE] | build | reload | scale N"; }

case "${1:-}" in status|health|logs) ;; *) take_lock "$RUN_DIR" ;; esac

case "${1:-}" in
  up)     shift; (( $# <= 1 )) || usage; cmd_up "$@" ;;
  down)   cmd_down ;;
  status) cmd_status ;;
  health) cmd_health ;;
  logs)   shift; (( $# <= 1 )) || usage; cmd_logs "$@" ;;
  build)  cmd_build ;;
  reload) cmd_reload ;;
  scale)  shift; (( $# <= 1 )) || usage; cmd_scale "${1:-}" ;;
  *)      usage ;;
esac
