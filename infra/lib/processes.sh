# Looking at processes and ports: shared by infra/lib/common.sh and docker-start.sh.
# Sourced, never executed; defines functions only.

# A killed process stays a zombie until its parent reaps it, and here (pid 1 adopts our daemons)
# that can take seconds; `kill -0` counts a zombie as alive, so look at its state instead.
is_alive() { local st; st="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ -n "$st" && "$st" != Z* ]]; }

# The pid recorded in a pid file, if that process is alive; nothing otherwise.
alive_pid_in() {
  local pid; pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && is_alive "$pid" && echo "$pid"
}

# Who listens on a TCP port (any address): its pid, empty when free.
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# "pid N (its command line)", for error messages.
describe_pid() {
  [[ -n "${1:-}" ]] || { echo "an unknown process"; return; }
  echo "pid $1 ($(tr '\0' ' ' </proc/"$1"/cmdline 2>/dev/null | cut -c1-80 | sed 's/ *$//'))"
}
