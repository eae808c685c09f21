#!/usr/bin/env bash
# Runs mqtt-integration: builds what is needed, then starts the Karaf assembly in the foreground.
#
#   ./run.sh
#
# With MQI_DB_URL unset it also starts an embedded PostgreSQL (real binaries from Maven Central) on
# 127.0.0.1:${MQI_DEV_DB_PORT:-5433} with its data in data/postgres, kept between runs.
# The Karaf it runs lives in data/karaf: new code (bundles) replaces the old on every run; shipped
# configuration and route files are updated unless you edited them (then yours are kept). Stop with Ctrl-C (or "shutdown -f"
# at the Karaf console); the embedded PostgreSQL stops with it.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
DATA=${MQI_DATA_DIR:-$ROOT/data}
KARAF=$DATA/karaf
BUILT=$ROOT/assembly/target/assembly
DB_PID=

export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
echo "Building (tests skipped; run them with: ./test.sh) ..."
mvn -B -q -Dstyle.color=never install -DskipTests -pl assembly,devdb -am

# Copies the shipped files of a folder (etc, routes) into the Karaf we run: new files, and new
# versions of files you have not edited since they were shipped. An edited file is kept (and said).
sync_defaults() {
  local src="$BUILT/$1" dst="$KARAF/$1" stamps="$KARAF/.shipped/$1" f name shipped current
  mkdir -p "$dst" "$stamps"
  for f in "$src"/*; do
    name=$(basename "$f")
    if [ -d "$f" ]; then cp -rn "$f" "$dst/"; continue; fi
    shipped=$(sha256sum < "$f" | cut -d' ' -f1)
    current=$( [ -f "$dst/$name" ] && sha256sum < "$dst/$name" | cut -d' ' -f1 || true)
    if [ -z "$current" ] || [ "$current" = "$(cat "$stamps/$name" 2>/dev/null)" ]; then
      cp "$f" "$dst/$name" && echo "$shipped" > "$stamps/$name"
    elif [ "$current" != "$shipped" ]; then
      echo "Kept your edited $1/$name (the new default is $f)"
    fi
  done
}

mkdir -p "$DATA"
if [ -d "$KARAF" ]; then
  # New code and Karaf runtime; keep data (operator key, secrets, logs) and your edits.
  rm -rf "$KARAF/system" "$KARAF/lib" "$KARAF/bin" "$KARAF/data/cache" "$KARAF/data/tmp" "$KARAF/data/kar"
fi
mkdir -p "$KARAF"
cp -r "$BUILT/system" "$BUILT/lib" "$BUILT/bin" "$BUILT/deploy" "$KARAF/"
sync_defaults etc
sync_defaults routes
sync_defaults parsers

stop_db() {
  if [ -n "$DB_PID" ] && kill -0 "$DB_PID" 2>/dev/null; then
    kill -TERM "$DB_PID" 2>/dev/null || true   # its shutdown hook stops PostgreSQL cleanly
    wait "$DB_PID" 2>/dev/null || true
  fi
}
trap stop_db EXIT

if [ -z "${MQI_DB_URL:-}" ]; then
  DB_PORT=${MQI_DEV_DB_PORT:-5433}
  export MQI_DB_URL="jdbc:postgresql://127.0.0.1:$DB_PORT/mqi?reWriteBatchedInserts=true"
  export MQI_DB_USER=${MQI_DB_USER:-mqi} MQI_DB_PASSWORD=${MQI_DB_PASSWORD:-mqi}
  echo "No MQI_DB_URL: starting embedded PostgreSQL on 127.0.0.1:$DB_PORT (data in $DATA/postgres) ..."
  java -cp "$ROOT/devdb/target/mqtt-integration-devdb-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/devdb/target/classpath.txt")" \
    io.mqttintegration.devdb.DevDatabaseMain "$DATA/postgres" "$DB_PORT" mqi "$MQI_DB_USER" "$MQI_DB_PASSWORD" \
    > "$DATA/postgres.log" 2>&1 &
  DB_PID=$!
  for _ in $(seq 1 240); do
    grep -q "PostgreSQL ready" "$DATA/postgres.log" 2>/dev/null && break
    kill -0 "$DB_PID" 2>/dev/null || { cat "$DATA/postgres.log"; echo "embedded PostgreSQL did not start" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "PostgreSQL ready" "$DATA/postgres.log" || { echo "embedded PostgreSQL not ready after 120 s" >&2; exit 1; }
else
  echo "Using the database at $MQI_DB_URL"
fi

PORT=${MQI_HTTP_PORT:-8080}
# Announce the API once it answers.
(
  for _ in $(seq 1 240); do
    if curl -fs "http://127.0.0.1:$PORT/health" > /dev/null 2>&1; then
      echo
      echo "mqtt-integration is up: API on http://127.0.0.1:$PORT (GET /health, /api/v1/...)"
      [ -f "$KARAF/data/operator.key" ] && echo "Operator key (generated at first start): $KARAF/data/operator.key"
      echo "Route files: $KARAF/routes   Parser files: $KARAF/parsers   Config: $KARAF/etc/mqtt.integration.*.cfg   Log: $KARAF/data/log/karaf.log"
      exit 0
    fi
    sleep 0.5
  done
  echo "mqtt-integration did not answer on port $PORT within 120 s; see $KARAF/data/log/karaf.log" >&2
) &

echo "Starting Karaf in $KARAF ..."
if [ -t 0 ]; then
  "$KARAF/bin/karaf"          # with the Karaf console; leave it with Ctrl-D or "shutdown -f"
else
  "$KARAF/bin/karaf" server   # no terminal: no console
fi
