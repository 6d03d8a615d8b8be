# Debian's redis-server on 127.0.0.1. Presence, typing and rate limits are ephemeral by design,
# so persistence is off: a restarted Redis starts empty and the gateways rebuild what they own.

redis_install() { command -v redis-server >/dev/null || apt_install redis-server; }

redis_up() {
  redis_install
  if running_pid redis >/dev/null; then log "redis: already running (pid $(running_pid redis))"; return 0; fi
  require_free_port "$REDIS_PORT" redis
  mkdir -p "$DATA_DIR/redis"
  sv_start redis 10 redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA_DIR/redis" \
    --save "" --appendonly no --daemonize no --protected-mode yes
  wait_ready redis 20 port_in_use "$REDIS_PORT"
  log "redis: up on 127.0.0.1:$REDIS_PORT (pid $(running_pid redis))"
}

redis_status() { status_line redis "$REDIS_PORT"; }
