# shellcheck shell=bash
# The process supervisor of everything this checkout runs natively: Debian's supervisord, one
# daemon per data folder (.data/supervisor). It runs each service in its own process group,
# restarts it when it dies (like compose's `restart: unless-stopped`), stops it and its group by
# name and never restarts what it stopped. Sourced by common.sh.

SV_DIR="$DATA_DIR/supervisor"
SV_CONF="$SV_DIR/supervisord.conf"

sv() { supervisorctl -c "$SV_CONF" "$@"; }
sv_daemon_pid() { alive_pid_in "$SV_DIR/supervisord.pid"; }
# A service's state: RUNNING, STARTING, BACKOFF, FATAL, STOPPED... or nothing.
sv_state() { sv_daemon_pid >/dev/null && sv status "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; return 0; }

# Starts the daemon unless it runs; its services inherit its descriptor limit, the hard one.
sv_daemon() {
  command -v supervisord >/dev/null || apt_install supervisor
  sv_daemon_pid >/dev/null && return 0
  mkdir -p "$SV_DIR/programs"
  render_template "$INFRA_DIR/supervisor/supervisord.conf" "SV_DIR=$SV_DIR" "LOG_DIR=$LOG_DIR" \
    "MINFDS=$(ulimit -Hn | sed 's/unlimited/1048576/')" >"$SV_CONF"
  supervisord -c "$SV_CONF" 9>&- || die "supervisord did not start; see $LOG_DIR/supervisord.log"
  local deadline=$((SECONDS + 20))
  until sv pid >/dev/null 2>&1; do
    (( SECONDS < deadline )) || die "supervisord does not answer; see $LOG_DIR/supervisord.log"
    sleep 0.1
  done
}

# sv_start NAME GRACE COMMAND...: runs COMMAND as service NAME with this shell's environment, its
# output appended to $LOG_DIR/NAME.log, its pid in $RUN_DIR/NAME.pid (written at every start,
# restarts included); does not wait. When stopped it gets SIGTERM, SIGKILL after GRACE seconds.
# One that dies within 2 s of each of 4 starts is given up (FATAL).
sv_start() {
  local name="$1" grace="$2"; shift 2
  local script="$SV_DIR/$name.sh"
  sv_daemon
  rm -f "$(pid_file "$name")"
  (umask 077; { declare -px; printf 'exec >>%q 2>&1 </dev/null\necho $$ >%q\nexec' "$LOG_DIR/$name.log" "$(pid_file "$name")"
    printf ' %q' "$@"; echo; } >"$script")
  printf '%s\n' "[program:$name]" "command=/usr/bin/env -i /bin/bash ${script//%/%%}" "directory=${REPO_DIR//%/%%}" \
    autorestart=true startsecs=2 startretries=3 "stopwaitsecs=$grace" stopasgroup=true killasgroup=true \
    stdout_logfile=NONE stderr_logfile=NONE >"$SV_DIR/programs/$name.conf"
  # One given up (or stopped) is removed first, so that update adds and starts it again.
  case "$(sv_state "$name")" in FATAL|STOPPED|EXITED) sv remove "$name" >/dev/null ;; esac
  sv update "$name" >/dev/null
}

# sv_stop NAME...: stops the services (at once) and forgets them: no restart, no pid file.
sv_stop() {
  local name
  for name; do
    [[ -f "$SV_DIR/programs/$name.conf" ]] || { log "$name: not running"; continue; }
    sv_daemon_pid >/dev/null && { sv stop "$name" >/dev/null 2>&1 || true; } &
  done
  wait
  for name; do
    [[ -f "$SV_DIR/programs/$name.conf" ]] || continue
    rm -f "$SV_DIR/programs/$name.conf" "$SV_DIR/$name.sh" "$(pid_file "$name")"
    log "$name: stopped"
  done
  if sv_daemon_pid >/dev/null; then sv update >/dev/null; fi
}

# Stops the daemon once it supervises nothing.
sv_shutdown_if_idle() {
  local pid deadline=$((SECONDS + 30)); pid="$(sv_daemon_pid)" || return 0
  compgen -G "$SV_DIR/programs/*.conf" >/dev/null && return 0
  sv shutdown >/dev/null || true
  while is_alive "$pid" && (( SECONDS < deadline )); do sleep 0.1; done
  if is_alive "$pid"; then kill -KILL "$pid"; fi
  log "supervisord: stopped"
}
