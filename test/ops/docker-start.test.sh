#!/usr/bin/env bash
# Ops test of ./docker-start.sh in native mode (no Docker engine): the whole topology is started,
# checked, scaled up and down while clients chat, restarted, healed after SIGKILLs and stopped,
# plus the error cases.
#
#   bash test/ops/docker-start.test.sh
#
# It STOPS a topology that is already running on this machine (the ports are fixed), and leaves
# none running. Every wait is bounded; every process it starts is stopped by its pid (the
# topology through ./docker-start.sh stop, the helpers by their own pids). The last line is
# "ops: N passed, M failed"; the exit code is 0 only when nothing failed.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_DIR" || exit 1
export CHATSTREAM_MODE=native           # what is tested here, even where Docker exists
DATA_DIR="${CHATSTREAM_DATA:-$REPO_DIR/.data}"
RUN_DIR="$DATA_DIR/run"
DS="./docker-start.sh"
CLIENTS="node test/ops/clients.js"
WORK="$(mktemp -d /tmp/chatstream-ops.XXXXXX)"
PASS=0 FAIL=0
HELPER_PIDS=()
TOPOLOGY_STARTED=0

say()  { printf '\n== %s\n' "$*"; }
pass() { PASS=$((PASS + 1)); printf '  ok    %s\n' "$*"; }
fail() { FAIL=$((FAIL + 1)); printf '  FAIL  %s\n' "$*"; }
# check "description" command... : passes when the command exits 0.
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# run NAME TIMEOUT args...: runs docker-start.sh with a time limit; output in $WORK/NAME.out,
# exit code in RC.
RC=0
run() {
  local name="$1" limit="$2"; shift 2
  timeout "$limit" "$DS" "$@" >"$WORK/$name.out" 2>&1; RC=$?
  # A usage error is followed by the whole help text: its first lines say enough.
  if (( RC == 2 )); then sed 's/^/    | /' "$WORK/$name.out" | head -n 2
  else sed 's/^/    | /' "$WORK/$name.out" | tail -n 25; fi
  return 0
}
out_has() { grep -q -- "$2" "$WORK/$1.out"; }

alive() { local st; st="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ -n "$st" && "$st" != Z* ]]; }
# Pids of live processes recorded in .data/run (ours: the topology's services).
recorded_alive() {
  local f pid
  for f in "$RUN_DIR"/*.pid; do
    [[ -e "$f" ]] || continue
    pid="$(cat "$f" 2>/dev/null)"; [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && echo "${f##*/}:$pid"
  done
  return 0
}
listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
not_alive() { ! alive "$1"; }
# No such process that already existed when `stop` began and survived it (others on this
# machine may start the topology again meanwhile; processes younger than the stop are theirs).
STOP_START=$SECONDS
# A process we just stopped can linger a moment as a zombie until pid 1 reaps it: it runs nothing
# and holds no port, so only live processes count.
no_process() {
  local pid
  for pid in $(pgrep -O "$((SECONDS - STOP_START))" "$@"); do
    [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" == Z* ]] || return 1
  done
  return 0
}

# wait_until SECONDS description command...: polls every 0.5 s, bounded.
wait_until() {
  local limit="$1" what="$2" deadline; shift 2
  deadline=$((SECONDS + limit))
  until "$@"; do
    (( SECONDS < deadline )) || { fail "$what (not within ${limit}s)"; return 1; }
    sleep 0.5
  done
  pass "$what"
}

# jq over the chat helper's state file.
STATE="$WORK/chat-state.json"
STOP_FILE="$WORK/chat-stop"
state() { jq -r "$1" "$STATE" 2>/dev/null; }
state_true() { [[ "$(state "$1")" == true ]]; }

cleanup() {
  local pid
  touch "$STOP_FILE" 2>/dev/null
  for pid in "${HELPER_PIDS[@]}"; do
    if alive "$pid"; then kill -TERM "$pid" 2>/dev/null; sleep 0.5; alive "$pid" && kill -KILL "$pid" 2>/dev/null; fi
  done
  if (( TOPOLOGY_STARTED )) && [[ -n "$(recorded_alive)" ]]; then
    echo "(cleanup: stopping the topology this test started)"
    timeout 180 "$DS" stop >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
say "usage errors (exit 2, nothing started)"
run unknown 20 frobnicate
check "unknown command exits 2" test "$RC" -eq 2
check "unknown command names it and prints the help" bash -c "grep -q \"unknown command 'frobnicate'\" '$WORK/unknown.out' && grep -q 'usage:' '$WORK/unknown.out'"
for bad in 0 x -3 1.5 ""; do
  run scale-bad 20 scale $bad
  check "scale '${bad}' exits 2" test "$RC" -eq 2
done
check "scale explains N" out_has scale-bad "exactly one argument"
run start-bad 20 start many
check "start 'many' exits 2" test "$RC" -eq 2
run help 20 help
check "help exits 0 and prints the mode" bash -c "[[ $RC == 0 ]] && grep -q '^mode: native' '$WORK/help.out'"

# ---------------------------------------------------------------------------------------------
say "a clean slate (stopping a topology that is already running)"
if [[ -n "$(recorded_alive)" ]]; then
  echo "  (running now: $(recorded_alive | tr '\n' ' '))"
  run prestop 240 stop
  check "stop of the running topology exits 0" test "$RC" -eq 0
fi
check "no recorded process is alive" test -z "$(recorded_alive)"

say "a port taken by a foreign process"
node -e "require('net').createServer().listen(3001, '127.0.0.1'); setTimeout(() => {}, 120000)" &
FOREIGN=$!; HELPER_PIDS+=("$FOREIGN")
wait_until 10 "foreign listener on 3001 (pid $FOREIGN)" listening 3001
run start-conflict 60 start
check "start fails (exit 1) when 3001 is taken" test "$RC" -eq 1
check "the error names port 3001 and the holder's pid" bash -c "grep -q 'port 3001' '$WORK/start-conflict.out' && grep -q 'pid $FOREIGN' '$WORK/start-conflict.out'"
check "nothing was started" test -z "$(recorded_alive)"
kill -TERM "$FOREIGN" 2>/dev/null; wait "$FOREIGN" 2>/dev/null
wait_until 10 "foreign listener gone" bash -c "! ss -Hltn 'sport = :3001' | grep -q ."

# ---------------------------------------------------------------------------------------------
say "start"
TOPOLOGY_STARTED=1
T0=$SECONDS
run start 480 start
check "start exits 0 (took $((SECONDS - T0))s)" test "$RC" -eq 0
check "start prints the mode" out_has start "^mode: native"
run start-again 60 start
check "a second start fails with exit 1" test "$RC" -eq 1
check "... saying it is already running" out_has start-again "already running"

say "health"
run health 60 health
check "health exits 0" test "$RC" -eq 0
check "health: 9 services ✓ (3 gateways, api, persister, nginx, kafka, mongo, redis)" test "$(grep -c '^✓' "$WORK/health.out")" -eq 9
check "health: no ✗" bash -c "! grep -q '^✗' '$WORK/health.out'"

say "status"
run status 30 status
check "status exits 0" test "$RC" -eq 0
for svc in kafka mongo redis persister api gateway-1 gateway-2 gateway-3 nginx; do
  check "status: $svc running with a pid and an uptime" \
    bash -c "grep -Eq '^$svc +[0-9]+ +[0-9]+ +running +[0-9]+[smhd]' '$WORK/status.out'"
done

say "logs (not a terminal: the last lines, then exit)"
run logs 20 logs api
check "logs api exits 0 without following" test "$RC" -eq 0
check "logs api prints at most 100 log lines" test "$(grep -vc '^mode:' "$WORK/logs.out")" -le 100
run logs-bad 20 logs no-such-service
check "logs of an unknown service exits 2" test "$RC" -eq 2

# ---------------------------------------------------------------------------------------------
say "clients on three replicas, chatting"
$CLIENTS chat --state "$STATE" --stop "$STOP_FILE" --replicas 3 --per-replica 2 --first-subnet 1 \
  --interval-ms 300 --max-seconds 600 >"$WORK/chat.log" 2>&1 &
CHAT=$!; HELPER_PIDS+=("$CHAT")
wait_until 60 "6 chat clients joined one room" bash -c "[[ \$(jq '.clients | length' '$STATE' 2>/dev/null) == 6 ]]"
check "the chat clients are on gateway-1, gateway-2 and gateway-3" \
  test "$(state '[.clients[].instance] | unique | join(",")')" == "gateway-1,gateway-2,gateway-3"
wait_until 30 "messages flow (20 acknowledged)" bash -c "(( \$(jq .acked '$STATE') >= 20 ))"
ROOM="$(state .roomId)"
jq -c '[.clients[] | {name, instance}]' "$STATE" | sed 's/^/    /'

say "scale 5 while they chat"
ACKED_BEFORE="$(state .acked)"
T0=$SECONDS
run scale5 300 scale 5
check "scale 5 exits 0 (took $((SECONDS - T0))s)" test "$RC" -eq 0
run status5 30 status
for svc in gateway-1 gateway-2 gateway-3 gateway-4 gateway-5; do
  check "status after scale 5: $svc running" bash -c "grep -Eq '^$svc +[0-9]+ +[0-9]+ +running' '$WORK/status5.out'"
done
$CLIENTS probe --want gateway-4,gateway-5 --room "$ROOM" --first-subnet 100 --tries 60 >"$WORK/probe5.json" 2>"$WORK/probe5.err"; PRC=$?
sed 's/^/    /' "$WORK/probe5.json" "$WORK/probe5.err"
check "new clients reach gateway-4 and gateway-5, join the room and get their messages back" test "$PRC" -eq 0
wait_until 20 "the old clients keep chatting (20 more acknowledged)" \
  bash -c "(( \$(jq .acked '$STATE') >= $ACKED_BEFORE + 20 ))"
check "no old client was disconnected by scale 5" state_true '[.clients[].disconnects] | all(. == 0)'
check "no send failed across scale 5" state_true '[.clients[].failed] | all(. == 0)'
PROBE_IDS="$(jq -c '[.sent[].id]' "$WORK/probe5.json" 2>/dev/null || echo '[]')"
wait_until 15 "every old client received the messages sent via gateway-4 and gateway-5" \
  state_true "($PROBE_IDS) as \$ids | (\$ids | length) == 2 and ([.clients[] | . as \$c | \$ids | all(. as \$i | any(\$c.foreign[]; . == \$i))] | all)"

say "scale 2 while they chat"
ON3="$(state '[.clients[] | select(.instance == "gateway-3") | .name] | join(" ")')"
ACKED_BEFORE="$(state .acked)"
T0=$SECONDS
run scale2 300 scale 2
check "scale 2 exits 0 (took $((SECONDS - T0))s)" test "$RC" -eq 0
for port in 3103 3104 3105; do check "nothing listens on $port (gateway scaled away)" bash -c "! ss -Hltn 'sport = :$port' | grep -q ."; done
wait_until 30 "the clients of gateway-3 ($ON3) reconnected to gateway-1/2 and joined again" \
  state_true '[.clients[] | select(.instances[0] == "gateway-3") | .connected and .rejoins >= 1 and (.instance == "gateway-1" or .instance == "gateway-2")] | (length == 2 and all)'
check "the clients of gateway-1/2 were not disconnected by scale 2" \
  state_true '[.clients[] | select(.instances[0] != "gateway-3") | .disconnects == 0] | all'
wait_until 20 "chatting goes on after scale 2 (20 more acknowledged)" \
  bash -c "(( \$(jq .acked '$STATE') >= $ACKED_BEFORE + 20 ))"
$CLIENTS probe --only gateway-1,gateway-2 --count 8 --first-subnet 170 >"$WORK/probe2.json" 2>"$WORK/probe2.err"; PRC=$?
sed 's/^/    /' "$WORK/probe2.json" "$WORK/probe2.err"
check "new clients land only on gateway-1 and gateway-2" test "$PRC" -eq 0

check "gateway-3, stopped by scale 2, was not restarted" bash -c "! ss -Hltn 'sport = :3103' | grep -q ."

say "status and health after scale 2"
run status2 30 status
check "status after scale 2 exits 0" test "$RC" -eq 0
check "status after scale 2 lists exactly gateway-1 and gateway-2" \
  test "$(grep -Eo '^gateway-[0-9]+' "$WORK/status2.out" | paste -sd, -)" == "gateway-1,gateway-2"
check "gateways hold the chat clients' connections" \
  bash -c "(( \$(awk '/^gateway-/ { s += \$6 } END { print s + 0 }' '$WORK/status2.out') >= 6 ))"
run health2 60 health
check "health after scale 2 exits 0 with 8 ✓" bash -c "[[ $RC == 0 ]] && (( \$(grep -c '^✓' '$WORK/health2.out') == 8 ))"

say "the chat's final count"
touch "$STOP_FILE"
wait_until 60 "the chat helper finished" not_alive "$CHAT"
wait "$CHAT" 2>/dev/null; CRC=$?
check "the chat helper exited 0" test "$CRC" -eq 0
[[ -s "$WORK/chat.log" ]] && sed 's/^/    /' "$WORK/chat.log"
jq -c '{acked, clients: [.clients[] | {name, instances, sent, acked, failed, received, missing, duplicates, liveOrderErrors, disconnects, rejoins}]}' "$STATE" | sed 's/^/    /'
check "final state written" state_true '.done'
check "every client received every acknowledged message ($(state .acked))" state_true '[.clients[].missing] | all(. == 0)'
check "no duplicate, no live message out of order" state_true '[.clients[] | .duplicates == 0 and .liveOrderErrors == 0] | all'
check "no rejoin failed" state_true '[.clients[].rejoinErrors] | all(. == 0)'
check "sends failed only on the replica scaled away" state_true '[.clients[] | select(.instances[0] != "gateway-3") | .failed == 0] | all'

# ---------------------------------------------------------------------------------------------
say "restart keeps the gateway count"
T0=$SECONDS
run restart 480 restart
check "restart exits 0 (took $((SECONDS - T0))s)" test "$RC" -eq 0
run status-r 30 status
check "after restart: gateway-1 and gateway-2 run" \
  test "$(grep -E '^gateway-[0-9]+ +[0-9]+ +[0-9]+ +running' "$WORK/status-r.out" | grep -Eo '^gateway-[0-9]+' | paste -sd, -)" == "gateway-1,gateway-2"
run health-r 60 health
check "health after restart exits 0" test "$RC" -eq 0

# ---------------------------------------------------------------------------------------------
say "self-healing: a SIGKILLed gateway, api or persister is restarted by the supervisor"
# back_within NAME PORT OLD_PID MS: within MS ms, NAME.pid holds another live pid and that process
# answers /health/live with 200. HEAL_MS: how long it took.
HEAL_MS=0
back_within() {
  local name="$1" port="$2" old="$3" limit="$4" start pid
  start="$(date +%s%N)"
  while :; do
    HEAL_MS=$(( ($(date +%s%N) - start) / 1000000 ))
    pid="$(cat "$RUN_DIR/$name.pid" 2>/dev/null)"
    if [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$old" ]] && alive "$pid" \
       && [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/health/live")" == 200 ]]; then
      return 0
    fi
    (( HEAL_MS < limit )) || return 1
    sleep 0.1
  done
}
for svc in gateway-1:3101 api:3200 persister:3300; do
  name="${svc%%:*}" port="${svc##*:}"
  old="$(cat "$RUN_DIR/$name.pid" 2>/dev/null)"
  if ! [[ "$old" =~ ^[0-9]+$ ]] || ! alive "$old"; then fail "$name runs before the kill (pid file $RUN_DIR/$name.pid)"; continue; fi
  kill -KILL "$old"
  if back_within "$name" "$port" "$old" 5000; then
    pass "$name (pid $old) SIGKILLed: back with pid $(cat "$RUN_DIR/$name.pid"), /health/live 200 after ${HEAL_MS} ms"
  else
    fail "$name (pid $old) SIGKILLed: not back within 5 s (pid file: $(cat "$RUN_DIR/$name.pid" 2>/dev/null))"
  fi
done
run status-heal 30 status
check "status after the kills exits 0 (everything runs)" test "$RC" -eq 0
# Readiness takes longer for the persister: the group takes it in once the killed member's
# session expired (30 s).
wait_until 60 "health all ✓ again" bash -c "'$DS' health >/dev/null 2>&1"

# ---------------------------------------------------------------------------------------------
say "stop"
BEFORE_STOP="$(recorded_alive | cut -d: -f2 | paste -sd' ' -)"
STOP_START=$SECONDS
run stop 240 stop
check "stop exits 0" test "$RC" -eq 0
TOPOLOGY_STARTED=0
check "no recorded process is alive" test -z "$(recorded_alive)"
LEFT=""; for pid in $BEFORE_STOP; do alive "$pid" && LEFT+=" $pid"; done
check "every pid the topology ran before stop is gone ($BEFORE_STOP)" test -z "$LEFT"
check "no app process (pgrep -f dist/apps)" no_process -f '[n]ode dist/apps/'
check "no nginx of ours (pgrep -f $DATA_DIR/nginx)" no_process -f "[n]ginx -c $DATA_DIR/nginx"
check "no kafka broker (pgrep -f kafka.Kafka)" no_process -f '[k]afka[.]Kafka'
check "no ferretdb (pgrep -f ferretdb)" no_process -f '[f]erretdb --'
check "no redis-server (pgrep -x redis-server)" no_process -x redis-server
check "no nginx process at all (pgrep -x nginx)" no_process -x nginx
check "no supervisord of ours (pgrep -f $DATA_DIR/supervisor)" no_process -f "[s]upervisord -c $DATA_DIR/supervisor"
sleep 2   # what the supervisor was told to stop stays stopped
for port in 3001 3101 3102 3200 3300 9092 9093 27017 6379; do
  check "2 s after stop, nothing listens on $port" bash -c "! ss -Hltn 'sport = :$port' | grep -q ."
done
run status-down 30 status
check "status when stopped exits 1 and says so" bash -c "[[ $RC == 1 ]] && grep -q 'not running' '$WORK/status-down.out'"
run health-down 60 health
check "health when stopped exits 1 with ✗ lines" bash -c "[[ $RC == 1 ]] && grep -q '^✗' '$WORK/health-down.out'"

echo
echo "ops: $PASS passed, $FAIL failed"
(( FAIL == 0 ))
