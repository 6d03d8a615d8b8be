# shellcheck shell=bash disable=SC2034  # sourced: the ports are used by the scripts that source it
# Every port of the native topology, defined once (sourced by infra/lib/common.sh and
# docker-start.sh). Everything listens on 127.0.0.1. The infra ports may be moved by the
# environment; the app ports are fixed (nginx.conf's native blocks are rendered from them).
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
