#!/usr/bin/env bash
# The real services chatstream depends on, as plain processes on 127.0.0.1:
#   Kafka (KRaft, from Maven Central jars), MongoDB wire protocol (mongod or FerretDB), Redis.
# Usage: infra/infra.sh install|up|down|status
# `up` installs what is missing (cached per machine) and is idempotent: a second `up` finds
# everything running and changes nothing. The services run under supervisord
# (infra/lib/supervisor.sh), which restarts one that dies; `down` stops them and, once it
# supervises nothing else, supervisord itself. State lives in .data/ (git-ignored).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$INFRA_DIR/lib/kafka.sh"
source "$INFRA_DIR/lib/mongo.sh"
source "$INFRA_DIR/lib/redis.sh"

usage() { echo "usage: $0 install|up|down|status" >&2; exit 2; }
# Debian's nginx: only installed here; scripts/topology.sh runs it (its upstreams are the gateways).
nginx_install() { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || apt_install nginx-light; }

[[ "${1:-}" == status ]] || take_lock "$RUN_DIR"

case "${1:-}" in
  install) apt_install iproute2 procps patch supervisor; redis_install; nginx_install; mongo_install; kafka_install ;;
  up)
    apt_install iproute2 procps patch
    nginx_install
    check_ports "kafka:$KAFKA_PORT" "kafka:$KAFKA_CONTROLLER_PORT" "redis:$REDIS_PORT" "$([[ -n "${MONGO_URL:-}" ]] || echo "mongo:$MONGO_PORT")"
    # Independent services: start the slow JVM last so the others are up while it boots.
    redis_up; mongo_up; kafka_up ;;
  down)   sv_stop kafka mongo redis; sv_shutdown_if_idle ;;
  status) status_header; for s in kafka mongo redis; do
            if [[ "$s" == mongo && -n "${MONGO_URL:-}" ]]; then echo "mongo        external MONGO_URL"; else status_row "$s" || true; fi
          done ;;
  *) usage ;;
esac
