# Debian's redis-server on 127.0.0.1. Presence, typing and rate limits are ephemeral by design,
# so persistence is off: a restarted Redis starts empty and the gateways rebuild what they own.

redis_install() { command -v redis-server >/dev/null || apt_install redis-server; }

redis_up() {
  redis_install
  already_running redis && return 0
  mkdir -p "$DATA_DIR/redis"
  sv_start redis 10 redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA_DIR/redis" \
    --save "" --appendonly no --daemonize no --protected-mode yes
  wait_ready redis 20 port_in_use "$REDIS_PORT"
  log "redis: up on 127.0.0.1:$REDIS_PORT (pid $(running_pid redis))"
}

