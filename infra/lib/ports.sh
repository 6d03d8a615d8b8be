# shellcheck shell=bash disable=SC2034  # sourced: the ports are used by the scripts that source it
# Every port of the native topology and the gateway count, defined once (sourced by
# infra/lib/common.sh and docker-start.sh). Everything listens on 127.0.0.1. The infra ports may
# be moved by the environment; the app ports are fixed (nginx.conf's native blocks use them).
NGINX_PORT=3001
GATEWAY_BASE_PORT=3100                  # gateway i listens on GATEWAY_BASE_PORT + i
API_PORT_LOCAL=3200
PERSISTER_PORT_LOCAL=3300
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
MONGO_PORT="${MONGO_PORT:-27017}"
REDIS_PORT="${REDIS_PORT:-6379}"
DEFAULT_GATEWAYS=3

gateway_port() { echo $((GATEWAY_BASE_PORT + $1)); }
port_of() {
  case "$1" in
    persister) echo "$PERSISTER_PORT_LOCAL" ;; api) echo "$API_PORT_LOCAL" ;; nginx) echo "$NGINX_PORT" ;;
    gateway-*) gateway_port "${1#gateway-}" ;; kafka) echo "$KAFKA_PORT" ;; mongo) echo "$MONGO_PORT" ;; redis) echo "$REDIS_PORT" ;;
  esac
}

# The gateway count to aim for: the one recorded in FILE $1 while the topology is up, else the default.
wanted_gateways() {
  local n; n="$(cat "$1" 2>/dev/null || true)"
  if is_positive_int "$n"; then echo "$n"; else echo "$DEFAULT_GATEWAYS"; fi
}
