# The MongoDB wire-protocol store. In order of preference:
#   1. MONGO_URL is set: an external server; nothing is started here, it is only checked.
#   2. a real `mongod` on PATH: started on 127.0.0.1:$MONGO_PORT.
#   3. FerretDB 1.x with its SQLite backend, built from source at a pinned version.

# The last 1.x release; 2.x needs PostgreSQL with the DocumentDB extension instead of SQLite.
FERRETDB_VERSION="v1.24.0"
FERRETDB_MODULE="github.com/FerretDB/FerretDB"
# Patches in infra/ferretdb/ fix bugs we hit; they are part of the cache key.
FERRETDB_PATCHES=("$INFRA_DIR"/ferretdb/*.patch)
FERRETDB_BIN="$CACHE_DIR/ferretdb-$FERRETDB_VERSION-$(cat "${FERRETDB_PATCHES[@]}" | sha1sum | cut -c1-8)/ferretdb"
MONGO_DATA="$DATA_DIR/mongo"
# SQLite's synchronous=NORMAL in WAL mode: a commit is written to the WAL before it is answered (the
# OS has it, so a store killed at any moment loses nothing) and fsynced at checkpoints, not at every
# commit. Only an OS crash or a power cut could lose the last commits, which is the line the whole
# system already draws: a send is acknowledged once the broker has it, and Kafka does not fsync per
# request either. It took the store ~8 % less CPU and the ack p99 at 1,000 sends/s lower in 5 of 6
# pairs (docs/benchmarks.md, "The store without an fsync per commit").
# FERRETDB_SQLITE_SYNCHRONOUS=full syncs every commit again.
FERRETDB_SQLITE_SYNCHRONOUS="${FERRETDB_SQLITE_SYNCHRONOUS:-normal}"

mongo_flavour() {
  if [[ -n "${MONGO_URL:-}" ]]; then echo external
  elif command -v mongod >/dev/null; then echo mongod
  else echo ferretdb; fi
}

# `go install module@version` is refused for FerretDB (its go.mod has replace directives and
# the proxy refuses its version list), so download the pinned module and build cmd/ferretdb
# from a writable copy of the module cache, with our patches applied.
ferretdb_install() {
  [[ -x "$FERRETDB_BIN" ]] && return 0
  command -v go >/dev/null || apt_install golang-go
  log "mongo: building FerretDB $FERRETDB_VERSION from the Go module proxy (first run only, ~2 min)"
  local work; work="$(mktemp -d)"
  local dir
  dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" \
        | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" \
    || die "mongo: go mod download $FERRETDB_MODULE@$FERRETDB_VERSION failed"
  [[ -d "$dir" ]] || die "mongo: module folder for FerretDB not found after download"
  cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
  # The version package panics without this file, which their release tooling writes.
  echo "$FERRETDB_VERSION" >"$work/src/build/version/version.txt"
  local patch
  for patch in "${FERRETDB_PATCHES[@]}"; do
    patch -d "$work/src" -p1 --quiet <"$patch" || die "mongo: FerretDB patch $(basename "$patch") does not apply"
  done
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  (cd "$work/src" && go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) \
    >"$LOG_DIR/ferretdb-build.log" 2>&1 || die "mongo: FerretDB build failed; see $LOG_DIR/ferretdb-build.log"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$work"
}

mongo_install() {
  [[ "$(mongo_flavour)" == ferretdb ]] && ferretdb_install
  return 0
}

mongo_up() {
  local flavour; flavour="$(mongo_flavour)"
  if [[ "$flavour" == external ]]; then log "mongo: using MONGO_URL (external, not started here)"; return 0; fi
  mongo_install
  already_running mongo && return 0
  mkdir -p "$MONGO_DATA"
  if [[ "$flavour" == mongod ]]; then
    sv_start mongo 20 mongod --dbpath "$MONGO_DATA" --bind_ip 127.0.0.1 --port "$MONGO_PORT" --quiet
  else
    [[ "$FERRETDB_SQLITE_SYNCHRONOUS" =~ ^(off|normal|full|extra)$ ]] \
      || die "mongo: FERRETDB_SQLITE_SYNCHRONOUS must be off, normal, full or extra (got '$FERRETDB_SQLITE_SYNCHRONOUS')"
    mkdir -p "$MONGO_DATA/sqlite" "$MONGO_DATA/state"
    sv_start mongo 20 "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$MONGO_DATA/sqlite/?_pragma=synchronous($FERRETDB_SQLITE_SYNCHRONOUS)" \
      --listen-addr="127.0.0.1:$MONGO_PORT" --state-dir="$MONGO_DATA/state" \
      --debug-addr=- --telemetry=disable --log-level="${FERRETDB_LOG_LEVEL:-warn}"
  fi
  wait_ready mongo 60 port_in_use "$MONGO_PORT"
  log "mongo: $flavour up on 127.0.0.1:$MONGO_PORT (pid $(running_pid mongo))"
}
