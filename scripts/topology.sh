#!/usr/bin/env bash
# The whole chatstream topology as plain processes on 127.0.0.1 (no Docker):
#   infra (Kafka, Mongo store, Redis; infra/infra.sh) + persister + api + N gateways + Nginx :3001
#
# Usage: scripts/topology.sh up [N] | down | status | reload | scale N
#   up [N]   start what is not running (idempotent), build first if the sources changed, and
#            wait until every app is live and ready and Nginx answers /health. N = number of
#            gateways: the current count if the topology is up, else 3. Extra gateways are stopped.
#   down     stop Nginx, the gateways, api, persister, then the infra. Leaves no process behind.
#   status   one line per service; exits 1 if an expected service is not running.
#   reload   re-render nginx.conf for the current gateways and reload Nginx.
#   scale N  start or stop gateways so that N run, and reload Nginx without dropping the
#            clients of the other replicas.
#
# Nginx: the repo's nginx.conf is the production (docker) config; its "# >>> native:NAME" blocks
# are replaced with local values and the result is written to .data/nginx/nginx.conf.
# The caller's environment is passed to every app (tests set e.g. ROOM_CAPACITY this way).
set -euo pipefail
source "$(dirname "$0")/../infra/lib/common.sh"
cd "$REPO_DIR"

log() { printf '[topology] %s\n' "$*" >&2; }
use_jwt_secret   # the apps sign and check tokens with it (never the example secret)
die() { printf '[topology] error: %s\n' "$*" >&2; exit 1; }

NGINX_PORT=3001
GATEWAY_BASE_PORT=3100           # gateway i listens on GATEWAY_BASE_PORT + i
API_PORT_LOCAL=3200
PERSISTER_PORT_LOCAL=3300
DEFAULT_GATEWAYS=3
HEALTH_TIMEOUT=60                # seconds, per app and per probe

NGINX_BIN="/usr/sbin/nginx"
[[ -x "$NGINX_BIN" ]] || NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
NGINX_TEMPLATE="$REPO_DIR/nginx.conf"
NGINX_DIR="$DATA_DIR/nginx"             # nginx prefix: rendered config, pid file, temp paths
NGINX_CONF="$NGINX_DIR/nginx.conf"
GATEWAYS_FILE="$RUN_DIR/gateways"       # how many gateways should run
SLOTS_FILE="$RUN_DIR/gateway-slots"     # how many upstream entries Nginx has (see render)
BUILD_STAMP="$DATA_DIR/build.stamp"     # when scripts/topology.sh last built

# ---------------------------------------------------------------------------------------------
# small helpers

is_positive_int() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
gateway_port() { echo $((GATEWAY_BASE_PORT + $1)); }

# The gateway count to aim for: the remembered one while the topology is up, else the default.
current_gateway_count() {
  if [[ -f "$GATEWAYS_FILE" ]] && is_positive_int "$(cat "$GATEWAYS_FILE")"; then cat "$GATEWAYS_FILE"
  else echo "$DEFAULT_GATEWAYS"; fi
}

# Indices of the gateways that have a pid file (running or not), highest first.
recorded_gateways() {
  local f
  for f in "$RUN_DIR"/gateway-*.pid; do
    [[ -e "$f" ]] || continue
    f="${f##*/gateway-}"; echo "${f%.pid}"
  done | sort -rn
}

# Prints the last lines of a service's log and stops the script.
fail_with_log() {
  local name="$1" msg="$2" logf="$LOG_DIR/$1.log"
  if [[ -f "$logf" ]]; then
    printf '[topology] --- last lines of %s ---\n' "$logf" >&2
    tail -n 40 "$logf" >&2
    printf '[topology] ---\n' >&2
  fi
  die "$msg (log: $logf)"
}

# Waits for an HTTP 200 from url; fails early, with the log tail, if the process exited.
wait_http_ok() {
  local name="$1" url="$2" pid="${3:-}" timeout="${4:-$HEALTH_TIMEOUT}"
  local deadline=$((SECONDS + timeout)) code
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null)" || true
    [[ "$code" == 200 ]] && return 0
    if [[ -n "$pid" ]] && ! is_alive "$pid"; then
      fail_with_log "$name" "$name (pid $pid) exited while waiting for $url"
    fi
    (( SECONDS < deadline )) || fail_with_log "$name" "$name: $url did not answer 200 within ${timeout}s (last: ${code:-none})"
    sleep 0.25
  done
}

# ---------------------------------------------------------------------------------------------
# build

# Rebuild when dist is missing or a source is newer than the last build. The stamp is ours
# because the build is incremental: tsc leaves unchanged outputs (main.js) untouched.
build_if_stale() {
  local main="dist/apps/gateway/src/main.js" ref
  # A fresh checkout (./docker-start.sh start on a new machine) installs its packages first.
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error >&2 || die "npm ci failed"
  fi
  ref="$main"; [[ -f "$BUILD_STAMP" && "$BUILD_STAMP" -nt "$main" ]] && ref="$BUILD_STAMP"
  if [[ -f "$main" ]] && [[ -z "$(find apps libs tools tsconfig.json tsconfig.build.json -newer "$ref" -type f -print -quit)" ]]; then
    return 0
  fi
  log "building (npm run build)"
  local stamp_new="$BUILD_STAMP.new"; touch "$stamp_new"   # sources edited during the build stay "newer"
  npm run -s build || { rm -f "$stamp_new"; die "build failed"; }
  mv "$stamp_new" "$BUILD_STAMP"
  # up leaves running apps alone, so they keep the code they were started with.
  local name running=()
  for name in persister api $(recorded_gateways | sed 's/^/gateway-/'); do
    running_pid "$name" >/dev/null && running+=("$name")
  done
  (( ${#running[@]} == 0 )) || log "note: rebuilt, but ${running[*]} keep running the previous build (restart: $0 down && $0 up)"
}

# ---------------------------------------------------------------------------------------------
# apps

# Starts one Nest app unless it is already running; does not wait for it.
# Usage: start_app NAME PORT ENTRY [VAR=value...] (the pairs are this instance's environment,
# on top of the caller's).
start_app() {
  local name="$1" port="$2" entry="$3"; shift 3
  if running_pid "$name" >/dev/null; then log "$name: already running (pid $(running_pid "$name"))"; return 0; fi
  require_free_port "$port" "$name"
  [[ -f "$entry" ]] || die "$entry is missing; the build did not produce it"
  start_daemon "$name" env "$@" node "$entry"
  log "$name: started (pid $(running_pid "$name" || echo '?'), port $port)"
}

start_persister() {
  start_app persister "$PERSISTER_PORT_LOCAL" dist/apps/persister/src/main.js \
    INSTANCE_ID=persister-1 PERSISTER_PORT="$PERSISTER_PORT_LOCAL"
}
start_api() {
  start_app api "$API_PORT_LOCAL" dist/apps/api/src/main.js INSTANCE_ID=api-1 API_PORT="$API_PORT_LOCAL"
}
start_gateway() {
  local port; port="$(gateway_port "$1")"
  start_app "gateway-$1" "$port" dist/apps/gateway/src/main.js INSTANCE_ID="gateway-$1" GATEWAY_PORT="$port"
}

# Liveness first (the process serves HTTP), then readiness (its dependencies answer).
wait_app_healthy() {
  local name="$1" port="$2" pid
  pid="$(running_pid "$name")" || fail_with_log "$name" "$name is not running"
  wait_http_ok "$name" "http://127.0.0.1:$port/health/live" "$pid"
  wait_http_ok "$name" "http://127.0.0.1:$port/health" "$pid"
}

# Gateways 1..n: start the missing ones, then wait until all are ready.
launch_gateways() { local i; for ((i = 1; i <= $1; i++)); do start_gateway "$i"; done; }
wait_gateways() { local i; for ((i = 1; i <= $1; i++)); do wait_app_healthy "gateway-$i" "$(gateway_port "$i")"; done; }
# Indices of recorded gateways above n, highest first (to stop once Nginx no longer uses them).
extra_gateways() { local n="$1" i; for i in $(recorded_gateways); do (( i > n )) && echo "$i"; done; return 0; }

# ---------------------------------------------------------------------------------------------
# nginx

# Upstream entries kept for ip_hash: removing a server from an ip_hash upstream changes where
# every client hashes, so gateways scaled away stay listed as "down" (as the nginx docs advise)
# until the next `down`. The entry count only grows while the topology is up.
gateway_slots() {
  local n="$1" slots=0
  [[ -f "$SLOTS_FILE" ]] && is_positive_int "$(cat "$SLOTS_FILE")" && slots="$(cat "$SLOTS_FILE")"
  (( n > slots )) && slots="$n"
  echo "$slots"
}

# Writes the native config to $1: nginx.conf with each "# >>> native:NAME ... # <<< native:NAME"
# block replaced by BLOCK_NAME (indented like the marker). Fails on an unknown, missing,
# duplicated or unterminated block, so a template edit cannot silently break the native run.
render_nginx_conf() {
  local out="$1" n="$2" slots i servers="" user_line="# (not root: nginx keeps the current user)"
  slots="$(gateway_slots "$n")"
  for ((i = 1; i <= slots; i++)); do
    if (( i <= n )); then servers+="server 127.0.0.1:$(gateway_port "$i") max_fails=1 fail_timeout=5s;"$'\n'
    else servers+="server 127.0.0.1:$(gateway_port "$i") down;  # scaled away; keeps the ip_hash mapping"$'\n'; fi
  done
  (( EUID == 0 )) && user_line="user $(id -un) $(id -gn);"
  # 65535 as in production, but not above our hard limit: without CAP_SYS_RESOURCE (containers)
  # even root cannot raise it, and nginx would log an [alert] on every start and reload.
  local rlimit=65535 hard; hard="$(ulimit -Hn)"
  [[ "$hard" =~ ^[0-9]+$ ]] && (( hard < rlimit )) && rlimit="$hard"
  mkdir -p "$NGINX_DIR"

  BLOCK_main="$user_line
daemon off;
pid $NGINX_DIR/nginx.pid;
error_log $LOG_DIR/nginx.log warn;" \
  BLOCK_rlimit="worker_rlimit_nofile $rlimit;" \
  BLOCK_http_paths="access_log $LOG_DIR/nginx-access.log upstream buffer=64k flush=5s;
client_body_temp_path $NGINX_DIR/client_body;
proxy_temp_path $NGINX_DIR/proxy;
fastcgi_temp_path $NGINX_DIR/fastcgi;
uwsgi_temp_path $NGINX_DIR/uwsgi;
scgi_temp_path $NGINX_DIR/scgi;" \
  BLOCK_listen="listen 127.0.0.1:$NGINX_PORT backlog=4096;" \
  BLOCK_gateways="$servers" \
  BLOCK_api="server 127.0.0.1:$API_PORT_LOCAL max_fails=1 fail_timeout=5s;" \
  BLOCK_web_root="root $REPO_DIR/web;" \
  awk -v want="main rlimit http_paths listen gateways api web_root" '
    BEGIN { print "# Generated by scripts/topology.sh from nginx.conf: edit that file, not this one."; bad = 0 }
    /^[ \t]*# >>> native:/ {
      name = $0; sub(/.*# >>> native:/, "", name); sub(/[^A-Za-z0-9_].*/, "", name)
      indent = $0; sub(/#.*/, "", indent)
      if (cur != "") { print "nginx.conf: block " name " opens inside block " cur > "/dev/stderr"; bad = 1; exit }
      if (!(("BLOCK_" name) in ENVIRON)) { print "nginx.conf: unknown native block " name > "/dev/stderr"; bad = 1; exit }
      cur = name; seen[name]++
      k = split(ENVIRON["BLOCK_" name], lines, "\n")
      for (j = 1; j <= k; j++) if (lines[j] != "") print indent lines[j]
      next
    }
    /^[ \t]*# <<< native:/ { cur = ""; next }
    cur != "" { next }
    { print }
    END {
      if (bad) exit 1
      if (cur != "") { print "nginx.conf: block " cur " is not closed" > "/dev/stderr"; exit 1 }
      n = split(want, names, " ")
      for (i = 1; i <= n; i++) if (seen[names[i]] != 1) {
        print "nginx.conf: native block " names[i] " found " (seen[names[i]] + 0) " times (expected once)" > "/dev/stderr"; exit 1
      }
    }' "$NGINX_TEMPLATE" >"$out" || die "cannot render $NGINX_TEMPLATE"
}

nginx_test() {
  local conf="$1" out
  out="$("$NGINX_BIN" -t -q -c "$conf" -p "$NGINX_DIR/" 2>&1)" || die "nginx rejects $conf:
$out"
}

# Renders and tests the config for n gateways, installs it as $NGINX_CONF and records the slots.
# Returns 0 if the installed config changed.
update_nginx_conf() {
  local n="$1" new="$NGINX_CONF.new" slots
  slots="$(gateway_slots "$n")"   # read before the file is rewritten below
  render_nginx_conf "$new" "$n"
  nginx_test "$new"
  echo "$slots" >"$SLOTS_FILE"
  if [[ -f "$NGINX_CONF" ]] && cmp -s "$new" "$NGINX_CONF"; then rm -f "$new"; return 1; fi
  mv "$new" "$NGINX_CONF"
}

start_nginx() {
  if running_pid nginx >/dev/null; then log "nginx: already running (pid $(running_pid nginx))"; return 0; fi
  require_free_port "$NGINX_PORT" nginx
  start_daemon nginx "$NGINX_BIN" -c "$NGINX_CONF" -p "$NGINX_DIR/"
  log "nginx: started (pid $(running_pid nginx || echo '?'), port $NGINX_PORT)"
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

# The recorded pid (not running_pid, which forgets a dead one) so a crashed nginx fails fast.
wait_nginx() { wait_http_ok nginx "http://127.0.0.1:$NGINX_PORT/health" "$(cat "$(pid_file nginx)" 2>/dev/null || true)"; }

# ---------------------------------------------------------------------------------------------
# commands

cmd_up() {
  local n="${1:-$(current_gateway_count)}" i extras
  is_positive_int "$n" || { echo "usage: $0 up [N]   (N = number of gateways, a positive integer)" >&2; exit 2; }
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # gateways hold many sockets; use the hard limit
  infra/infra.sh up
  build_if_stale
  echo "$n" >"$GATEWAYS_FILE"

  # Start everything first, then wait: the apps boot in parallel.
  start_persister; start_api; launch_gateways "$n"
  wait_app_healthy persister "$PERSISTER_PORT_LOCAL"
  wait_app_healthy api "$API_PORT_LOCAL"
  wait_gateways "$n"

  extras="$(extra_gateways "$n")"
  if update_nginx_conf "$n" && running_pid nginx >/dev/null; then reload_nginx; fi
  start_nginx
  wait_nginx
  for i in $extras; do stop_daemon "gateway-$i"; done
  log "up: persister, api, $n gateway(s), nginx on http://127.0.0.1:$NGINX_PORT"
}

cmd_down() {
  local i
  stop_daemon nginx 10
  for i in $(recorded_gateways); do stop_daemon "gateway-$i" & done
  wait   # gateways shut down in parallel (each may take a few seconds to leave Kafka)
  stop_daemon api
  stop_daemon persister
  rm -f "$GATEWAYS_FILE" "$SLOTS_FILE"
  infra/infra.sh down
}

# One line per service: name, state and pid, address. Exits 1 if any expected one is down.
cmd_status() {
  local n down=0 pid i line
  n="$(current_gateway_count)"
  while IFS= read -r line; do
    echo "$line"; [[ "$line" == *stopped* ]] && down=1
  done < <(infra/infra.sh status)
  status_line() {
    if pid="$(running_pid "$1")"; then printf '%-9s running  pid %-6s 127.0.0.1:%s\n' "$1" "$pid" "$2"
    else printf '%-9s stopped  %-10s 127.0.0.1:%s\n' "$1" "" "$2"; [[ "$3" == expected ]] && down=1; fi
    return 0
  }
  status_line persister "$PERSISTER_PORT_LOCAL" expected
  status_line api "$API_PORT_LOCAL" expected
  for ((i = 1; i <= n; i++)); do status_line "gateway-$i" "$(gateway_port "$i")" expected; done
  for i in $(extra_gateways "$n"); do status_line "gateway-$i" "$(gateway_port "$i")" extra; done
  status_line nginx "$NGINX_PORT" expected
  return "$down"
}

cmd_reload() {
  local n; n="$(current_gateway_count)"
  running_pid nginx >/dev/null || die "nginx is not running; start the topology with: $0 up"
  update_nginx_conf "$n" || log "nginx: config unchanged, reloading anyway"
  reload_nginx
  wait_nginx
}

# Scale up: start and wait for the new gateways, then let Nginx route to them.
# Scale down: first take the gateways out of Nginx (new handshakes go elsewhere), then stop them,
# highest first. The other replicas and their clients are untouched either way.
cmd_scale() {
  local n="${1:-}" i extras
  is_positive_int "$n" || { echo "usage: $0 scale N   (N = number of gateways, a positive integer; got '${n}')" >&2; exit 2; }
  running_pid nginx >/dev/null || die "the topology is not up (nginx is stopped); use: $0 up $n"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # No rebuild here: new replicas run the same build as the running ones (like scaling a
  # docker service with the same image); `up` is where sources get rebuilt.
  echo "$n" >"$GATEWAYS_FILE"
  launch_gateways "$n"; wait_gateways "$n"
  extras="$(extra_gateways "$n")"
  if update_nginx_conf "$n"; then reload_nginx; fi
  wait_nginx
  for i in $extras; do stop_daemon "gateway-$i"; done
  log "scale: $n gateway(s) running"
}

usage() { echo "usage: $0 up [N] | down | status | reload | scale N" >&2; exit 2; }

[[ "${1:-}" == status ]] || take_lock

case "${1:-}" in
  up)     shift; (( $# <= 1 )) || usage; cmd_up "$@" ;;
  down)   cmd_down ;;
  status) cmd_status ;;
  reload) cmd_reload ;;
  scale)  shift; (( $# <= 1 )) || usage; cmd_scale "${1:-}" ;;
  *)      usage ;;
esac
