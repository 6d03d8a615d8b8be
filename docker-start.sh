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
source "$REPO_DIR/infra/lib/ports.sh"
SELF="./$(basename "${BASH_SOURCE[0]}")"
TOPOLOGY="$REPO_DIR/scripts/topology.sh"
COMPOSE_FILE="$REPO_DIR/docker-compose.yml"

LOG_LINES="${CHATSTREAM_LOG_LINES:-100}"
PUBLISHED_PORT="${CHATSTREAM_PORT:-$NGINX_PORT}"

if [[ -t 1 ]]; then OK=$'\e[32m✓\e[0m' BAD=$'\e[31m✗\e[0m'; else OK='✓' BAD='✗'; fi

err() { printf 'error: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }
usage_error() { err "$*"; echo >&2; usage >&2; exit 2; }

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
# fd 9 is the command lock (take_lock): never hand it to children (a daemon would hold it forever).
dc() { "${COMPOSE[@]}" "$@" 9>&-; }

docker_is_up() { dc ps --status running --services 2>/dev/null | grep -qx nginx; }

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
  if docker_is_up; then
    die "chatstream is already running ($(docker_gateway_count) gateway(s), nginx on :$PUBLISHED_PORT); use '$SELF restart' or '$SELF status'"
  elif port_in_use "$PUBLISHED_PORT"; then
    die "port $PUBLISHED_PORT (nginx) is already in use by $(describe_pid "$(port_owner "$PUBLISHED_PORT")"); stop it or set CHATSTREAM_PORT"
  fi
  dc up -d --build --wait ${n:+--scale "gateway=$n"}
  echo "started: http://127.0.0.1:$PUBLISHED_PORT"
}

docker_stop() { dc down; }

docker_scale() {
  local n="$1"
  docker_is_up || die "chatstream is not running; use '$SELF start $n'"
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
    port="$(port_of "${service/#gateway/gateway-1}")"   # in the container; each replica has gateway-1's
    [[ -n "$port" ]] || port="-"
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
# native mode: scripts/topology.sh does the work (status, health, logs and build included)

RUN_DIR="${CHATSTREAM_DATA:-$REPO_DIR/.data}/run"

native_start() {
  local n="${1:-$DEFAULT_GATEWAYS}"
  if "$TOPOLOGY" status >/dev/null 2>&1; then
    die "chatstream is already running ($(wanted_gateways "$RUN_DIR/gateways") gateway(s), nginx on http://127.0.0.1:$NGINX_PORT); use '$SELF restart' or '$SELF status'"
  fi
  "$TOPOLOGY" up "$n"
  echo "started: http://127.0.0.1:$NGINX_PORT ($n gateway(s)); see '$SELF status'"
}

native_stop() { "$TOPOLOGY" down; echo "stopped"; }
native_scale() { "$TOPOLOGY" scale "$1"; echo "scaled: $1 gateway(s)"; "$TOPOLOGY" status | grep '^gateway' || true; }

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

# One changing command at a time (two concurrent starts would race for the same ports and
# programs); a second one waits for the first, then sees its result ("already running").
case "$cmd" in
  start|stop|restart|scale|build) take_lock "$RUN_DIR" ;;
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
    restart) n="$(wanted_gateways "$RUN_DIR/gateways")"; native_stop; native_start "$n" ;;
    scale)   native_scale "$1" ;;
    status|health|logs|build) exec "$TOPOLOGY" "$cmd" "$@" ;;
  esac
fi
