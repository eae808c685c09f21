#!/usr/bin/env bash
# RSS of the built Karaf assembly after boot: builds the assembly (tests skipped, nothing installed into
# ~/.m2), copies it to a temporary folder, starts a durable embedded PostgreSQL on a free port, boots
# Karaf with `bin/karaf server` (MQI_DB_URL, MQI_HTTP_PORT, MQI_SSH_PORT as in the end-to-end test),
# waits for GET /health = 200 and 20 s more, then prints VmRSS and the heap settings it ran with.
# Each argument is one variant, as environment assignments for bin/karaf (empty = as shipped):
#
#   bench/run.sh karaf-rss "" "EXTRA_JAVA_OPTS=-Xmx256m"
# (Karaf 4.4 reads no JAVA_MAX_MEM; heap flags go in EXTRA_JAVA_OPTS or JAVA_OPTS; one flag per variant.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ $# -gt 0 ] || set -- ""
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  mvn -q -B -pl assembly,devdb -am package -DskipTests
fi
BUILT=$ROOT/assembly/target/assembly
WORK=$(mktemp -d /tmp/mqi-karaf-rss.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DB_PORT=$(free_port)
java -cp "$ROOT/devdb/target/mqtt-integration-devdb-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/devdb/target/classpath.txt")" \
  io.mqttintegration.devdb.DevDatabaseMain "$WORK/postgres" "$DB_PORT" mqi mqi mqi > "$WORK/postgres.log" 2>&1 &
DB_PID=$!
KARAF_PID=
cleanup() {
  [ -n "$KARAF_PID" ] && kill "$KARAF_PID" 2>/dev/null && wait "$KARAF_PID" 2>/dev/null || true
  kill -TERM "$DB_PID" 2>/dev/null && wait "$DB_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 240); do grep -q "PostgreSQL ready" "$WORK/postgres.log" 2>/dev/null && break; sleep 0.5; done
export MQI_DB_URL="jdbc:postgresql://127.0.0.1:$DB_PORT/mqi?reWriteBatchedInserts=true" MQI_DB_USER=mqi MQI_DB_PASSWORD=mqi
for variant in "$@"; do
  rm -rf "$WORK/karaf" && cp -r "$BUILT" "$WORK/karaf"
  HTTP_PORT=$(free_port) SSH_PORT=$(free_port)
  start=$(date +%s.%N)
  (cd "$WORK/karaf" && env MQI_HTTP_PORT=$HTTP_PORT MQI_SSH_PORT=$SSH_PORT $variant bin/karaf server > console.log 2>&1) &
  KARAF_PID=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$HTTP_PORT/health" > /dev/null 2>&1 && break; sleep 0.2
  done
  healthy=$(python3 -c "import time; print('%.1f' % (time.time() - $start))")
  sleep 20
  JPID=$(pgrep -f "karaf.home=$WORK/karaf" | head -1)
  xmxDefault=$(java -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize / {print int($4/1048576)}')
  rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$JPID/status)
  heap=$(jcmd "$JPID" GC.heap_info 2>/dev/null | grep -E 'garbage-first heap|def new generation|tenured|Metaspace' | tr -s ' ' | paste -sd';' | cut -c1-200)
  xmx=$(tr '\0' ' ' < /proc/$JPID/cmdline | grep -oE -- '-Xm[sx][^ ]+' | paste -sd' ' || true)
  echo "variant [${variant:-as shipped}]: healthy after ${healthy} s; RSS 20 s later: ${rss} MB; heap flags: ${xmx:-none (JVM default max heap ${xmxDefault} MB)}; load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "  $heap"
  kill "$KARAF_PID" 2>/dev/null; pkill -P "$KARAF_PID" 2>/dev/null || true; kill "$JPID" 2>/dev/null || true
  wait "$KARAF_PID" 2>/dev/null || true; KARAF_PID=
  while kill -0 "$JPID" 2>/dev/null; do sleep 0.2; done
done
