# Shared helpers for the infra and topology scripts: paths, pid files, port checks, waiting.
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
source "$INFRA_DIR/lib/ports.sh"
source "$INFRA_DIR/lib/supervisor.sh"

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

# npm ci only when the lock file changed since the last install (keeps warm runs fast).
npm_install_if_changed() {
  [[ -f "$REPO_DIR/node_modules/.package-lock.json" && ! "$REPO_DIR/package-lock.json" -nt "$REPO_DIR/node_modules/.package-lock.json" ]] && return 0
  log "installing npm dependencies (npm ci)"
  (cd "$REPO_DIR" && npm ci --no-audit --no-fund --loglevel=error 9>&-) >&2 || die "npm ci failed"
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# Prints the pid of a service if it is alive, else nothing. The supervisor's start script writes
# the file at every start, so it follows restarts (and nothing else may remove it meanwhile).
running_pid() { alive_pid_in "$(pid_file "$1")"; }

# already_running NAME: says so, and succeeds, if NAME runs (or the supervisor is restarting it).
already_running() {
  local pid; pid="$(running_pid "$1")" || [[ "$(sv_state "$1")" == STARTING ]] || return 1
  log "$1: already running${pid:+ (pid $pid)}"
}

# check_ports NAME:PORT...: before anything is started, every port of a service that does not run
# must be free; else each holder is named and nothing is started.
check_ports() {
  local entry name port pid problems=() hint
  for entry; do
    name="${entry%%:*}" port="${entry##*:}"
    running_pid "$name" >/dev/null && continue
    port_in_use "$port" || continue
    pid="$(port_owner "$port")" hint=""
    # A process of this checkout that we do not know: its start raced with another one.
    if [[ -n "$pid" && "$(readlink "/proc/$pid/cwd" 2>/dev/null)/" == "$REPO_DIR"/* ]]; then
      hint=" - a chatstream process without a pid file (two starts at once?); stop it with: kill $pid"
    fi
    problems+=("port $port needed by $name is already in use by $(describe_pid "$pid")$hint")
  done
  (( ${#problems[@]} == 0 )) && return 0
  printf 'error: %s\n' "${problems[@]}" >&2
  die "nothing was started; stop the program(s) above or free the port(s)"
}

# Prints the last lines of a service's log and stops the script.
fail_with_log() {
  local logf="$LOG_DIR/$1.log"
  if [[ -f "$logf" ]]; then
    printf -- '--- last lines of %s ---\n' "$logf" >&2
    tail -n 40 "$logf" >&2
    printf -- '---\n' >&2
  fi
  die "$2 (log: $logf)"
}

# wait_ready NAME TIMEOUT CHECK...: polls the command CHECK until it succeeds. Fails, with the
# log's last lines, after TIMEOUT seconds or as soon as the supervisor gives NAME up (it died
# within seconds of each start: a start-up error, not a crash to recover from).
wait_ready() {
  local name="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! running_pid "$name" >/dev/null; then
      case "$(sv_state "$name")" in BACKOFF|FATAL|STOPPED) fail_with_log "$name" "$name exited during start-up" ;; esac
    fi
    (( SECONDS < deadline )) || fail_with_log "$name" "$name was not ready within ${timeout}s ($*)"
    sleep 0.25
  done
}

http_ok() { [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null)" == 200 ]]; }

# status_row NAME: "NAME PID PORT running UPTIME CONNECTIONS", or "NAME - PORT stopped - -" (fails).
status_row() {
  local pid port up conns="-"; port="$(port_of "$1")"
  pid="$(running_pid "$1")" || { printf '%-12s %-8s %-7s %-8s %-10s %s\n' "$1" - "$port" stopped - -; return 1; }
  up="$(fmt_duration "$(ps -o etimes= -p "$pid" | tr -d ' ')")"
  case "$1" in gateway-*|nginx) conns="$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l)" ;; esac
  printf '%-12s %-8s %-7s %-8s %-10s %s\n' "$1" "$pid" "$port" running "$up" "$conns"
}
status_header() { printf '%-12s %-8s %-7s %-8s %-10s %s\n' SERVICE PID PORT STATE UPTIME CONNECTIONS; }

# What every Nginx we run needs from this machine: its binary, the user line and the descriptor
# limit (65535 as in production, but not above our hard limit: without CAP_SYS_RESOURCE even root
# cannot raise it, and nginx would log an [alert] on every start and reload).
NGINX_BIN="/usr/sbin/nginx"; [[ -x "$NGINX_BIN" ]] || NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
nginx_user_line() { if (( EUID == 0 )); then echo "user $(id -un) $(id -gn);"; else echo "# (not root: nginx keeps the current user)"; fi; }
# nginx_workers: Nginx workers for the native topology: enough that 20,000 proxied WebSockets (two
# descriptors each, plus a quarter to spare) fit under nginx_rlimit per worker, at least one per core.
nginx_workers() { local limit need cores; limit="$(nginx_rlimit)"; need=$(( (20000 * 2 * 5 / 4 + limit - 1) / limit )); cores="$(nproc)"; echo $(( need > cores ? need : cores )); }
nginx_rlimit() { local hard; hard="$(ulimit -Hn)"; if [[ "$hard" =~ ^[0-9]+$ ]] && (( hard < 65535 )); then echo "$hard"; else echo 65535; fi; }
# nginx_test CONF PREFIX: stops the script, with nginx's complaint, unless nginx accepts CONF.
nginx_test() { local out; out="$("$NGINX_BIN" -t -q -c "$1" -p "$2/" 2>&1)" || die "nginx rejects $1:"$'\n'"$out"; }

# render_template FILE NAME=VALUE...: prints FILE with every @NAME@ replaced by VALUE (the config
# templates beside the scripts); a placeholder left without a value stops the script.
render_template() {
  local text pair; text="$(<"$1")"
  for pair in "${@:2}"; do text="${text//"@${pair%%=*}@"/"${pair#*=}"}"; done
  [[ ! "$text" =~ @[A-Z0-9_]+@ ]] || die "$1: no value for ${BASH_REMATCH[0]}"
  printf '%s\n' "$text"
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
