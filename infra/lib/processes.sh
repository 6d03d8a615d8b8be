# Looking at processes and ports, and the one lock: shared by infra/lib/common.sh and
# docker-start.sh. Sourced, never executed; defines functions only.

# A killed process stays a zombie until its parent reaps it, and that can take a moment;
# `kill -0` counts a zombie as alive, so look at its state instead.
is_alive() { local st; st="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ -n "$st" && "$st" != Z* ]]; }

# The pid recorded in a pid file, if that process is alive; nothing otherwise.
alive_pid_in() {
  local pid; pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && is_alive "$pid" && echo "$pid"
}

# Who listens on a TCP port (any address): its pid; empty when free or when the holder is not
# ours to see (not root) - never a failure, which set -e would turn into a silent exit.
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true; }
port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

is_positive_int() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

# Seconds as 5s, 3m07s, 2h03m07s, 1d02h03m.
fmt_duration() {
  local s="${1:-0}"; [[ "$s" =~ ^[0-9]+$ ]] || s=0
  if (( s >= 86400 )); then printf '%dd%02dh%02dm' $((s / 86400)) $((s % 86400 / 3600)) $((s % 3600 / 60))
  elif (( s >= 3600 )); then printf '%dh%02dm%02ds' $((s / 3600)) $((s % 3600 / 60)) $((s % 60))
  elif (( s >= 60 )); then printf '%dm%02ds' $((s / 60)) $((s % 60))
  else printf '%ds' "$s"; fi
}

# "pid N (its command line)", for error messages.
describe_pid() {
  [[ -n "${1:-}" ]] || { echo "an unknown process"; return; }
  echo "pid $1 ($(tr '\0' ' ' </proc/"$1"/cmdline 2>/dev/null | cut -c1-80 | sed 's/ *$//'))"
}

# take_lock DIR [NAME [WAIT]]: one changing command at a time (two `up`s at once would race for
# the same ports and programs): flock on fd 9 of DIR/NAME.lock (NAME defaults to "topology"),
# waiting up to WAIT seconds (600; 0 = fail at once). A script run by the holder (docker-start.sh
# running topology.sh running infra.sh) inherits the lock through CHATSTREAM_LOCKED. The only
# long-lived process started under it, supervisord, is started with fd 9 closed.
take_lock() {
  local dir="$1" name="${2:-topology}" wait="${3:-600}"
  [[ " ${CHATSTREAM_LOCKED:-} " == *" $name "* ]] && return 0
  mkdir -p "$dir"
  exec 9>"$dir/$name.lock"
  flock -w "$wait" 9 || { printf 'error: another %s command is still running (lock %s)\n' "$name" "$dir/$name.lock" >&2; exit 1; }
  export CHATSTREAM_LOCKED="${CHATSTREAM_LOCKED:-} $name"
}
