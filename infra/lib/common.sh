# Shared helpers for the infra scripts: paths, pid files, port checks, waiting.
# Sourced, never executed. Everything runs on 127.0.0.1 with state under $CHATSTREAM_DATA.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$INFRA_DIR/.." && pwd)"
# Runtime state (data, logs, pid files) lives in the checkout, git-ignored.
DATA_DIR="${CHATSTREAM_DATA:-$REPO_DIR/.data}"
# Downloaded and built tools are cached per machine so a fresh clone on a warm machine
# does not rebuild them; each cache folder is keyed by the pinned version.
CACHE_DIR="${CHATSTREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chatstream}"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"

mkdir -p "$RUN_DIR" "$LOG_DIR" "$CACHE_DIR"

log()  { printf '[infra] %s\n' "$*" >&2; }
die()  { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

source "$INFRA_DIR/lib/processes.sh"

# The JWT secret of everything started from this checkout (DESIGN.md guarantee 7: no secret from
# the repo ever runs): JWT_SECRET from the environment if set, else one generated on first use
# and kept in .data/jwt-secret (mode 600, git-ignored), so tokens survive restarts.
use_jwt_secret() {
  [[ -n "${JWT_SECRET:-}" ]] && return 0
  local f="$DATA_DIR/jwt-secret"
  if [[ ! -s "$f" ]]; then
    mkdir -p "$DATA_DIR"
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n=' >"$f.tmp") && mv "$f.tmp" "$f"
  fi
  JWT_SECRET="$(cat "$f")"
  export JWT_SECRET
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# Prints the pid of a service we started if it is still alive, else nothing (and forgets it).
running_pid() {
  local f; f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  alive_pid_in "$f" && return 0
  rm -f "$f"; return 1
}

# Fails with the holder's name when a port we need is taken by something that is not ours.
require_free_port() {
  local port="$1" service="$2"
  if port_in_use "$port"; then
    die "port $port needed by $service is already in use by $(describe_pid "$(port_owner "$port")"); stop it or change the port"
  fi
}

wait_for_port() {
  local port="$1" service="$2" timeout="${3:-60}" pid="${4:-}"
  local deadline=$((SECONDS + timeout))
  until port_in_use "$port"; do
    if [[ -n "$pid" ]] && ! is_alive "$pid"; then
      die "$service exited before listening on $port; see $LOG_DIR/$service.log"
    fi
    (( SECONDS < deadline )) || die "$service did not listen on $port within ${timeout}s; see $LOG_DIR/$service.log"
    sleep 0.2
  done
}

# Starts a command in the background, detached from this shell, and records its pid.
start_daemon() {
  local name="$1"; shift
  # 9>&-: the daemon must not inherit the lock of the command that started it (take_lock).
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null 9>&- &
  echo $! >"$(pid_file "$name")"
}

# Stops a recorded process: SIGTERM, then SIGKILL after a grace period. start_daemon runs each
# service under setsid, so its session id is its pid: whatever is left of that session (nginx
# workers of a killed master, say) is killed too.
stop_daemon() {
  local name="$1" grace="${2:-20}" pid deadline
  pid="$(running_pid "$name")" || { log "$name: not running"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while is_alive "$pid" && (( SECONDS < deadline )); do sleep 0.1; done
  if is_alive "$pid"; then log "$name: did not stop in ${grace}s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  if pgrep -s "$pid" | grep -qvx "$pid"; then
    log "$name: killing leftover processes of its session $pid"
    pkill -KILL -s "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  log "$name: stopped"
}

# Serializes every command that starts or stops services (infra.sh, topology.sh): two `up`s at
# once would overwrite each other's pid files and leave untracked processes behind. A nested call
# (topology.sh running infra.sh) inherits the lock through the environment.
take_lock() {
  [[ -n "${CHATSTREAM_LOCKED:-}" ]] && return 0
  exec 9>"$RUN_DIR/.lock"
  flock -w 600 9 || die "another infra or topology command is still running (lock $RUN_DIR/.lock)"
  export CHATSTREAM_LOCKED=1
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  (( ${#missing[@]} )) || return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [[ $EUID -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
