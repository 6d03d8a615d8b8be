# Apache Kafka broker, KRaft mode, one node acting as broker and controller.
# Jars come from Maven Central through infra/kafka/pom.xml; nothing binary is committed.

KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx768m}"
# The cache key is the pom's content, so editing the version fetches a new set of jars.
KAFKA_POM="$INFRA_DIR/kafka/pom.xml"
KAFKA_LIBS="$CACHE_DIR/kafka-$(sha1sum "$KAFKA_POM" | cut -c1-12)/libs"
KAFKA_DATA="$DATA_DIR/kafka"

kafka_install() {
  [[ -f "$KAFKA_LIBS/.complete" ]] && return 0
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  log "kafka: resolving broker jars from Maven Central (first run only)"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$LOG_DIR/kafka-install.log" 2>&1 \
    || die "kafka: mvn dependency:copy-dependencies failed; see $LOG_DIR/kafka-install.log"
  touch "$KAFKA_LIBS/.complete"
}

# The JVM command line shared by the storage tool and the broker.
# shellcheck disable=SC2206 # KAFKA_HEAP is a list of JVM flags, split on purpose
KAFKA_JVM=(java $KAFKA_HEAP -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$INFRA_DIR/kafka/log4j2.properties" -cp "$KAFKA_LIBS/*")

kafka_up() {
  kafka_install
  already_running kafka && return 0
  mkdir -p "$KAFKA_DATA/logs"
  # Kafka's default thread pools (3 network, 8 I/O) from 7 and 8 cores up; fewer on a smaller
  # machine, where the broker shares the cores with the whole topology (1 and 2 on 2 cores).
  local cores network_threads io_threads; cores="$(nproc)"
  network_threads=$(( cores > 6 ? 3 : (cores + 1) / 2 ))
  io_threads=$(( cores > 8 ? 8 : (cores > 2 ? cores : 2) ))
  render_template "$INFRA_DIR/kafka/server.properties" "PORT=$KAFKA_PORT" "CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT" \
    "DATA=$KAFKA_DATA" "NETWORK_THREADS=$network_threads" "IO_THREADS=$io_threads" >"$KAFKA_DATA/server.properties"
  if [[ ! -f "$KAFKA_DATA/logs/meta.properties" ]]; then
    local cluster_id; cluster_id="$("${KAFKA_JVM[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    log "kafka: formatting storage (cluster $cluster_id)"
    "${KAFKA_JVM[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DATA/server.properties" \
      >>"$LOG_DIR/kafka.log" 2>&1 || die "kafka: storage format failed; see $LOG_DIR/kafka.log"
  fi
  local log_lines; log_lines="$(wc -l <"$LOG_DIR/kafka.log" 2>/dev/null || echo 0)"
  sv_start kafka 30 "${KAFKA_JVM[@]}" kafka.Kafka "$KAFKA_DATA/server.properties"
  # The port opens before the broker has joined the quorum; wait for its own "started" line.
  kafka_started() { tail -n +"$((log_lines + 1))" "$LOG_DIR/kafka.log" | grep -q 'Kafka Server started'; }
  wait_ready kafka 90 kafka_started
  log "kafka: up on 127.0.0.1:$KAFKA_PORT (pid $(running_pid kafka))"
}

