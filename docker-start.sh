#!/usr/bin/env bash
# chatstream operations: one command line for both topologies.
#
#   Docker mode  (a Docker engine answers `docker info`): drives docker-compose.yml.
#   native mode  (no engine, e.g. development machines and CI): drives scripts/topology.sh, which
#                runs Kafka, the Mongo store, Redis, the apps and Nginx as plain processes on
#                127.0.0.1 with state in .data/.
# CHATSTREAM_MODE=docker|native forces a mode.
#
# Exit codes: 0 ok; 1 the command failed (already running, a port taken, a service down...);
# 2 usage error (unknown command, bad argument).
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO_DIR"
source "$REPO_DIR/infra/lib/processes.sh"
SELF="./$(basename "${BASH_SOURCE[0]}")"
TOPOLOGY="$REPO_DIR/scripts/topology.sh"
COMPOSE_FILE="$REPO_DIR/docker-compose.yml"

# Ports (native; in Docker only nginx is published, on CHATSTREAM_PORT).
NGINX_PORT=3001
GATEWAY_BASE_PORT=3100            # gateway i listens on 3100 + i (as scripts/topology.sh)
API_PORT=3200
PERSISTER_PORT=3300
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
MONGO_PORT=27017
REDIS_PORT=6379
DEFAULT_GATEWAYS=3
LOG_LINES="${CHATSTREAM_LOG_LINES:-100}"
PUBLISHED_PORT="${CHATSTREAM_PORT:-3001}"

if [[ -t 1 ]]; then OK=$'\e[32m✓\e[0m' BAD=$'\e[31m✗\e[0m'; else OK='✓' BAD='✗'; fi

err() { printf 'error: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }
usage_error() { err "$*"; echo >&2; usage >&2; exit 2; }
is_positive_int() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

usage() {
  cat <<EOF
usage: $SELF COMMAND [ARG]

  start [N]       start the whole topology (N gateways, default 3); fails if it is already running
  stop            stop everything (containers / every process the native topology started)
  restart         stop, then start with the same number of gateways
  status          table: service, pid or container, port, state, uptime, connections
  health          one line per service (apps' /health, nginx /health, kafka, mongo, redis);
                  exits 1 if anything is down
  scale N         run N gateway replicas (N >= 1) without dropping the other replicas' clients
  logs [SERVICE]  the last $LOG_LINES log lines (all services, or one: kafka mongo redis persister api
                  gateway gateway-N nginx nginx-access); follows them when stdout is a terminal
  build           native: npm ci (when needed) + npm run build; Docker: docker compose build
  help            this text

Mode: Docker when a Docker engine answers 'docker info', else native (scripts/topology.sh).
Force one with CHATSTREAM_MODE=docker|native. Docker mode needs JWT_SECRET and ADMIN_PASSWORD
in the environment (or .env). Exit codes: 0 ok, 1 failure, 2 usage error.
EOF
}

# ---------------------------------------------------------------------------------------------
# mode

MODE="" MODE_WHY=""
detect_mode() {
  case "${CHATSTREAM_MODE:-}" in
    docker|native) MODE="$CHATSTREAM_MODE"; MODE_WHY="forced by CHATSTREAM_MODE"; return ;;
    "") ;;
    *) usage_error "CHATSTREAM_MODE must be docker or native (got '$CHATSTREAM_MODE')" ;;
  esac
  if command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
    MODE=docker MODE_WHY="Docker engine reachable"
  else
    MODE=native MODE_WHY="no Docker engine reachable"
  fi
}

# ---------------------------------------------------------------------------------------------
# Docker mode

COMPOSE=()
compose_init() {
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose)
  else die "Docker mode needs 'docker compose' (the Compose plugin) or 'docker-compose'; neither is installed"; fi
  COMPOSE+=(-f "$COMPOSE_FILE")
}
# fd 9 is the command lock: never hand it to children (the daemons would hold it forever).
dc() { "${COMPOSE[@]}" "$@" 9>&-; }

docker_running_services() { dc ps --status running --services 2>/dev/null || true; }

docker_gateway_count() {
  local n; n="$(dc ps --status running -q gateway 2>/dev/null | grep -c . || true)"
  is_positive_int "$n" && echo "$n" || echo "$DEFAULT_GATEWAYS"
}

# Established TCP connections on a local port inside a container (its /proc/net/tcp*; the
# images have no ss). State 01 = ESTABLISHED; the local port is the hex after the colon.
container_conns() {
  local hex; hex="$(printf '%04X' "$2")"
  docker exec "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null \
    | awk -v p="$hex" 'NR > 0 && $4 == "01" { split($2, a, ":"); if (a[2] == p) n++ } END { print n + 0 }' \
    || echo "?"
}

docker_start() {
  local n="${1:-}"
  if docker_running_services | grep -qx nginx; then
    die "chatstream is already running ($(docker_gateway_count) gateway(s), nginx on :$PUBLISHED_PORT); use '$SELF restart' or '$SELF status'"
  fi
  local port_pid; port_pid="$(port_owner "$PUBLISHED_PORT")"
  if port_in_use "$PUBLISHED_PORT"; then
    die "port $PUBLISHED_PORT (nginx) is already in use by $(describe_pid "$port_pid"); stop it or set CHATSTREAM_PORT"
  fi
  dc up -d --build --wait ${n:+--scale "gateway=$n"}
  echo "started: http://127.0.0.1:$PUBLISHED_PORT"
}

docker_stop() { dc down; }

docker_scale() {
  local n="$1"
  dc ps --status running --services | grep -qx nginx || die "chatstream is not running; use '$SELF start $n'"
  # New replicas must be healthy before nginx resolves `gateway` again and routes to them.
  dc up -d --no-recreate --wait --scale "gateway=$n"
  dc exec -T nginx nginx -s reload
  echo "scaled: $n gateway replica(s); nginx reloaded"
}

docker_status() {
  local fmt='{{.Service}}\t{{.Name}}\t{{.State}}\t{{.Health}}\t{{.ID}}'
  local rows; rows="$(dc ps -a --format "$fmt" 2>/dev/null || true)"
  printf '%-12s %-30s %-7s %-10s %-10s %s\n' SERVICE CONTAINER PORT STATE UPTIME CONNECTIONS
  if [[ -z "$rows" ]]; then echo "(no containers: chatstream is not running)"; return 1; fi
  local down=0 service name state health id port started up conns
  while IFS=$'\t' read -r service name state health id; do
    case "$service" in
      gateway) port=3101 ;; api) port=3200 ;; persister) port=3300 ;; nginx) port=3001 ;;
      kafka) port=9092 ;; mongo) port=27017 ;; redis) port=6379 ;; *) port="-" ;;
    esac
    up="-" conns="-"
    if [[ "$state" == running ]]; then
      started="$(docker inspect -f '{{.State.StartedAt}}' "$id" 2>/dev/null || true)"
      [[ -n "$started" ]] && up="$(fmt_duration $(( $(date +%s) - $(date -d "$started" +%s 2>/dev/null || date +%s) )))"
      [[ "$service" == gateway || "$service" == nginx ]] && conns="$(container_conns "$id" "$port")"
    else down=1; fi
    [[ -n "$health" ]] && state="$state/$health"
    printf '%-12s %-30s %-7s %-10s %-10s %s\n' "$service" "$name" "$port" "$state" "$up" "$conns"
  done <<<"$rows"
  return "$down"
}

docker_health() {
  local rows down=0 service name state health
  rows="$(dc ps -a --format '{{.Service}}\t{{.Name}}\t{{.State}}\t{{.Health}}' 2>/dev/null || true)"
  [[ -n "$rows" ]] || { echo "$BAD chatstream      no containers (not running)"; return 1; }
  while IFS=$'\t' read -r service name state health; do
    if [[ "$state" == running && ( -z "$health" || "$health" == healthy ) ]]; then
      printf '%s %-28s %s\n' "$OK" "$name" "${health:-running}"
    else
      printf '%s %-28s %s\n' "$BAD" "$name" "$state${health:+/$health}"; down=1
    fi
  done <<<"$rows"
  local code; code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PUBLISHED_PORT/health" 2>/dev/null)" || true
  if [[ "$code" == 200 ]]; then printf '%s %-28s %s\n' "$OK" "edge" "http://127.0.0.1:$PUBLISHED_PORT/health 200"
  else printf '%s %-28s %s\n' "$BAD" "edge" "http://127.0.0.1:$PUBLISHED_PORT/health ${code:-no answer}"; down=1; fi
  return "$down"
}

docker_logs() {
  local follow=(); [[ -t 1 ]] && follow=(-f)
  dc logs --tail "$LOG_LINES" "${follow[@]}" "$@"
}

# ---------------------------------------------------------------------------------------------
# native mode (state as scripts/topology.sh and infra/ keep it)

DATA_DIR="${CHATSTREAM_DATA:-$REPO_DIR/.data}"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"

# The pid of a service we started, if it is alive (not a zombie). Read-only: status never edits.
native_pid() { alive_pid_in "$RUN_DIR/$1.pid"; }

native_gateway_count() {
  local n; n="$(cat "$RUN_DIR/gateways" 2>/dev/null || true)"
  is_positive_int "$n" && echo "$n" || echo "$DEFAULT_GATEWAYS"
}

# Gateway indices to show: 1..N plus any other recorded (still running) one.
native_gateways() {
  local n i f; n="$(native_gateway_count)"
  {
    for ((i = 1; i <= n; i++)); do echo "$i"; done
    for f in "$RUN_DIR"/gateway-*.pid; do
      [[ -e "$f" ]] || continue; f="${f##*/gateway-}"; echo "${f%.pid}"
    done
  } | sort -un
}

established() { ss -Htn state established "( sport = :$1 )" 2>/dev/null | wc -l; }

fmt_duration() {
  local s="${1:-0}" d h m
  (( s >= 0 )) || s=0
  d=$((s / 86400)) h=$((s % 86400 / 3600)) m=$((s % 3600 / 60)); s=$((s % 60))
  if (( d > 0 )); then printf '%dd%02dh%02dm' "$d" "$h" "$m"
  elif (( h > 0 )); then printf '%dh%02dm%02ds' "$h" "$m" "$s"
  elif (( m > 0 )); then printf '%dm%02ds' "$m" "$s"
  else printf '%ds' "$s"; fi
}

# service:port pairs, in start order.
native_services() {
  local i
  echo "kafka:$KAFKA_PORT"
  [[ -z "${MONGO_URL:-}" ]] && echo "mongo:$MONGO_PORT"
  echo "redis:$REDIS_PORT" "persister:$PERSISTER_PORT" "api:$API_PORT" | tr ' ' '\n'
  for i in $(native_gateways); do echo "gateway-$i:$((GATEWAY_BASE_PORT + i))"; done
  echo "nginx:$NGINX_PORT"
}

# Before anything is started: every port a stopped service needs must be free, else name its
# holder (the topology scripts check too, but only when they reach that service, after others
# have been started).
native_check_ports() {
  local n="$1" entry name port pid problems=() i
  local wanted=("kafka:$KAFKA_PORT" "kafka:$KAFKA_CONTROLLER_PORT" "redis:$REDIS_PORT"
    "persister:$PERSISTER_PORT" "api:$API_PORT" "nginx:$NGINX_PORT")
  [[ -z "${MONGO_URL:-}" ]] && wanted+=("mongo:$MONGO_PORT")
  for ((i = 1; i <= n; i++)); do wanted+=("gateway-$i:$((GATEWAY_BASE_PORT + i))"); done
  for entry in "${wanted[@]}"; do
    name="${entry%%:*}" port="${entry##*:}"
    native_pid "$name" >/dev/null && continue
    if port_in_use "$port"; then
      pid="$(port_owner "$port")"
      local hint=""
      # A process of this checkout without a pid file: its start raced with another one.
      if [[ -n "$pid" ]] && { [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)/" == "$REPO_DIR"/* ]] \
           || tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -qE "$REPO_DIR|/chatstream/"; }; then
        # The services run in their own session (setsid), whose id is the daemon's pid (for
        # nginx: the master, not the worker holding the socket).
        local sid; sid="$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ')"
        [[ "$sid" =~ ^[0-9]+$ ]] && (( sid > 1 )) || sid="$pid"
        hint=" - a chatstream process without a pid file (two starts at once?); stop it with: kill $sid"
      fi
      problems+=("port $port needed by $name is already in use by $(describe_pid "$pid")$hint")
    fi
  done
  (( ${#problems[@]} == 0 )) && return 0
  for entry in "${problems[@]}"; do err "$entry"; done
  die "nothing was started; stop the program(s) above or free the port(s)"
}

native_start() {
  local n="${1:-$DEFAULT_GATEWAYS}"
  if "$TOPOLOGY" status >/dev/null 2>&1; then
    die "chatstream is already running ($(native_gateway_count) gateway(s), nginx on http://127.0.0.1:$NGINX_PORT); use '$SELF restart' or '$SELF status'"
  fi
  local running=() entry
  for entry in $(native_services); do native_pid "${entry%%:*}" >/dev/null && running+=("${entry%%:*}"); done
  (( ${#running[@]} == 0 )) || echo "partly running (${running[*]}): starting the rest"
  native_check_ports "$n"
  "$TOPOLOGY" up "$n" 9>&-
  echo "started: http://127.0.0.1:$NGINX_PORT ($n gateway(s)); see '$SELF status'"
}

native_stop() { "$TOPOLOGY" down 9>&-; echo "stopped"; }

native_status() {
  local entry name port pid state up conns down=0 any=0
  printf '%-12s %-8s %-7s %-8s %-10s %s\n' SERVICE PID PORT STATE UPTIME CONNECTIONS
  for entry in $(native_services); do
    name="${entry%%:*}" port="${entry##*:}"
    if pid="$(native_pid "$name")"; then
      any=1 state=running
      up="$(fmt_duration "$(ps -o etimes= -p "$pid" 2>/dev/null | tr -d ' ' || echo 0)")"
      case "$name" in gateway-*|nginx) conns="$(established "$port")" ;; *) conns="-" ;; esac
    else
      pid="-" state=stopped up="-" conns="-"
      # A gateway above the wanted count that is gone is simply scaled away.
      if [[ "$name" == gateway-* ]] && (( ${name#gateway-} > $(native_gateway_count) )); then continue; fi
      down=1
    fi
    printf '%-12s %-8s %-7s %-8s %-10s %s\n' "$name" "$pid" "$port" "$state" "$up" "$conns"
  done
  [[ -n "${MONGO_URL:-}" ]] && printf '%-12s %-8s %-7s %-8s %-10s %s\n' mongo - - external - - 
  if (( any == 0 )); then echo "chatstream is not running (start it with: $SELF start)"; fi
  return "$down"
}

# "✓ name  detail" or "✗ name  detail"; counts failures in HEALTH_DOWN.
HEALTH_DOWN=0
health_line() {
  if [[ "$1" == ok ]]; then printf '%s %-11s %s\n' "$OK" "$2" "$3"
  else printf '%s %-11s %s\n' "$BAD" "$2" "$3"; HEALTH_DOWN=$((HEALTH_DOWN + 1)); fi
}

# GET url: ok when 200; the detail names terminus' checks ("kafka up, mongodb up").
check_http() {
  local name="$1" url="$2" body code checks
  body="$(curl -s --max-time 5 -w '\n%{http_code}' "$url" 2>/dev/null)" || true
  code="${body##*$'\n'}"; body="${body%$'\n'*}"
  checks="$(grep -o '"details":{.*' <<<"$body" | grep -o '"[A-Za-z0-9_-]*":{"status":"[a-z]*"' \
    | sed 's/"\([^"]*\)":{"status":"\([^"]*\)"/\1 \2/' | paste -sd, - | sed 's/,/, /g' || true)"
  [[ "$code" =~ ^[0-9]{3}$ && "$code" != 000 ]] || code="no answer"
  if [[ "$code" == 200 ]]; then health_line ok "$name" "$url 200${checks:+ ($checks)}"
  else health_line bad "$name" "$url $code${checks:+ ($checks)}"; fi
}

tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

check_tcp() {
  local name="$1" port="$2" extra="${3:-}"
  if tcp_open "$port"; then health_line ok "$name" "tcp 127.0.0.1:$port open${extra:+, $extra}"
  else health_line bad "$name" "tcp 127.0.0.1:$port closed"; fi
}

native_health() {
  local i
  for i in $(native_gateways); do
    # A gateway above the wanted count that is gone is scaled away, not down.
    (( i > $(native_gateway_count) )) && ! native_pid "gateway-$i" >/dev/null && continue
    check_http "gateway-$i" "http://127.0.0.1:$((GATEWAY_BASE_PORT + i))/health"
  done
  check_http api "http://127.0.0.1:$API_PORT/health"
  check_http persister "http://127.0.0.1:$PERSISTER_PORT/health"
  check_http nginx "http://127.0.0.1:$NGINX_PORT/health"
  check_tcp kafka "$KAFKA_PORT"
  if [[ -n "${MONGO_URL:-}" ]]; then health_line ok mongo "external MONGO_URL (not checked here)"
  else check_tcp mongo "$MONGO_PORT"; fi
  if command -v redis-cli >/dev/null 2>&1; then
    local pong; pong="$(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)"
    if [[ "$pong" == PONG ]]; then health_line ok redis "tcp 127.0.0.1:$REDIS_PORT open, redis-cli ping: PONG"
    else health_line bad redis "redis-cli ping on 127.0.0.1:$REDIS_PORT: ${pong:-no answer}"; fi
  else
    check_tcp redis "$REDIS_PORT"
  fi
  if (( HEALTH_DOWN > 0 )); then echo "$HEALTH_DOWN check(s) failed"; return 1; fi
  echo "all healthy"
}

native_scale() { "$TOPOLOGY" scale "$1" 9>&-; echo "scaled: $1 gateway(s)"; "$TOPOLOGY" status | grep '^gateway' || true; }

native_logs() {
  local service="${1:-}" files=() f
  [[ -d "$LOG_DIR" ]] || die "no logs yet ($LOG_DIR does not exist)"
  case "$service" in
    "")      for f in kafka mongo redis persister api nginx; do [[ -f "$LOG_DIR/$f.log" ]] && files+=("$LOG_DIR/$f.log"); done
             for f in "$LOG_DIR"/gateway-*.log; do [[ -f "$f" ]] && files+=("$f"); done ;;
    gateway) for f in "$LOG_DIR"/gateway-*.log; do [[ -f "$f" ]] && files+=("$f"); done ;;
    *)       if [[ "$service" =~ ^[A-Za-z0-9_-]+$ && -f "$LOG_DIR/$service.log" ]]; then files+=("$LOG_DIR/$service.log")
             else
               local known; known="$(cd "$LOG_DIR" && ls -- *.log 2>/dev/null | sed 's/\.log$//' | grep -Ev -- '-(install|build)$' | paste -sd' ' -)"
               usage_error "no log for service '$service' (known: gateway ${known:-none})"
             fi ;;
  esac
  (( ${#files[@]} )) || die "no log files in $LOG_DIR"
  if [[ -t 1 ]]; then exec tail -n "$LOG_LINES" -F "${files[@]}"; fi
  tail -n "$LOG_LINES" "${files[@]}"
}

native_build() {
  command -v npm >/dev/null || die "npm is not installed (Node 20 is needed)"
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "installing packages (npm ci)"
    npm ci --no-audit --no-fund 9>&-
  fi
  # The same stamp as scripts/topology.sh, so `start` does not rebuild what was just built.
  mkdir -p "$DATA_DIR"; touch "$DATA_DIR/build.stamp.new"
  npm run -s build 9>&- || { rm -f "$DATA_DIR/build.stamp.new"; die "build failed"; }
  mv "$DATA_DIR/build.stamp.new" "$DATA_DIR/build.stamp"
  echo "built: dist/apps/{gateway,persister,api}"
  if native_pid nginx >/dev/null || native_pid api >/dev/null; then
    echo "note: running apps keep the previous build until '$SELF restart'"
  fi
}

# ---------------------------------------------------------------------------------------------
# commands

cmd="${1:-help}"; shift || true

case "$cmd" in
  help|-h|--help) detect_mode; echo "mode: $MODE ($MODE_WHY)"; usage; exit 0 ;;
  start|stop|restart|status|health|scale|logs|build) ;;
  *) usage_error "unknown command '$cmd'" ;;
esac

# Arguments are checked before anything else happens.
case "$cmd" in
  start)   (( $# <= 1 )) || usage_error "start takes at most one argument (the number of gateways)"
           [[ -z "${1:-}" ]] || is_positive_int "$1" || usage_error "start N: N must be a positive integer (got '$1')" ;;
  scale)   (( $# == 1 )) || usage_error "scale needs exactly one argument: the number of gateways"
           is_positive_int "$1" || usage_error "scale N: N must be a positive integer (got '$1')" ;;
  logs)    (( $# <= 1 )) || usage_error "logs takes at most one argument (a service)" ;;
  *)       (( $# == 0 )) || usage_error "$cmd takes no arguments" ;;
esac

detect_mode
echo "mode: $MODE ($MODE_WHY)"

# One changing command at a time (two concurrent starts would race for the same ports and pid
# files); a second one waits for the first, then sees its result ("already running").
case "$cmd" in
  start|stop|restart|scale|build)
    if command -v flock >/dev/null 2>&1; then
      mkdir -p "$DATA_DIR"
      exec 9>"$DATA_DIR/docker-start.lock"
      flock -w 600 9 || die "another '$SELF' command is still running (lock: $DATA_DIR/docker-start.lock)"
    fi ;;
esac

if [[ "$MODE" == docker ]]; then
  compose_init
  case "$cmd" in
    start)   docker_start "${1:-}" ;;
    stop)    docker_stop ;;
    restart) n="$(docker_gateway_count)"; docker_stop; docker_start "$n" ;;
    status)  docker_status ;;
    health)  docker_health ;;
    scale)   docker_scale "$1" ;;
    logs)    docker_logs "$@" ;;
    build)   dc build ;;
  esac
else
  case "$cmd" in
    start)   native_start "${1:-}" ;;
    stop)    native_stop ;;
    restart) n="$(native_gateway_count)"; native_stop; native_start "$n" ;;
    status)  native_status ;;
    health)  native_health ;;
    scale)   native_scale "$1" ;;
    logs)    native_logs "$@" ;;
    build)   native_build ;;
  esac
fi
