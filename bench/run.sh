#!/usr/bin/env bash
# Runs one benchmark from a fresh build of this checkout (tests skipped; nothing is installed into
# ~/.m2: the classpath comes from the reactor). Every benchmark starts what it needs (PostgreSQL with
# fsync on, Mosquitto, the service in this JVM) and prints its figures with the load average.
#
#   bench/run.sh ingest [messagesPerRequest=1] [connections=50] [secondsPerPhase=20]
#   bench/run.sh mqtt [messages=50000]
#   bench/run.sh writer [batchSize=500] [seconds=10]                   (the storage writer alone vs COPY)
#   bench/run.sh karaf-rss                                              (boots the built assembly; see README)
#
# Against the built assembly (bin/karaf as its own process, Debian PostgreSQL 15 with fsync on, Mosquitto;
# the load from other processes; see "Assembly benchmarks" in bench/README.md):
#   bench/run.sh assembly-http [messagesPerRequest=1] [connections=50] [seconds=20]     (wrk; COPY beside it)
#   bench/run.sh assembly-http-latency <requestsPerSecond> [seconds=20] [connections=64] (open loop)
#   bench/run.sh assembly-mqtt [messages=50000]             (bare Paho v5 and mosquitto_sub beside it)
#   bench/run.sh assembly-subscriptions [subscriptions=2000]
#   bench/run.sh assembly-export [rows=10000000] [format=csv]   (streamed export: rows/s, Karaf RSS and heap)
#   bench/run.sh assembly-telemetry [rows=1000000] [requestsPerEndpoint=300] [days=1]  (30000000 300 365: 30 M rows over a year of partitions)
#   bench/run.sh assembly-purge [rows=3000000] [connections=50] [seconds=20]  (ingestion with and without a retention purge)
#   bench/run.sh assembly-hosted [devices=10000] [publishers=100] [messages=1000] [window=10]  (hosted broker: connects and QoS 1 ingest with presence on and off, bare Artemis beside it)
#   bench/run.sh assembly-catchup [messages=100000] [scenarios=1,2,3] [brokers=mosquitto-queued0,mosquitto-inflight0,artemis]
#                                                     (subscriptions catching up on untuned brokers; 10000: a smoke run)
#   bench/run.sh assembly-sinks [messagesPerRequest=100] [connections=10, 50 with 1 per request] [seconds=20]
#                                                     (0, 1 and 3 webhook, then Kafka sinks; lag at half rate; bare receiver and producer beside)
#   bench/run.sh assembly-sink-drain [kind=webhook|kafka] [fillSeconds=20]  (one sink's backlog delivered with nothing beside it; -Dbench.jfr=<file>)
#
# JAVA_OPTS is passed to the benchmark's JVM (-Dbench.assembly=<dir> runs another build of the assembly,
# e.g. an earlier commit's, for a before/after measured in one session); -Dmqi.set.<key>=<value> overrides a service setting
# (e.g. -Dmqi.set.ingest.batch.size=1000).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: bench/run.sh ingest|mqtt|writer|karaf-rss|assembly-... [args]}; shift
if [ "$what" = karaf-rss ]; then exec bench/karaf-rss.sh "$@"; fi
modules=bench
case "$what" in assembly-*)
  modules=assembly,bench
  # The load generators and the broker, from Debian packages when missing.
  for tool in wrk mosquitto mosquitto_sub stdbuf; do
    if ! command -v $tool > /dev/null; then
      echo "installing wrk, mosquitto and mosquitto-clients (apt-get)"
      apt-get install -y -q wrk mosquitto mosquitto-clients > /dev/null
      break
    fi
  done ;;
esac
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  mvn -q -B -pl $modules -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
    -Dmdep.includeScope=runtime
fi
case "$what" in
  ingest) main=io.mqttintegration.bench.IngestBench ;;
  mqtt) main=io.mqttintegration.bench.SubscriptionBench ;;
  writer) main=io.mqttintegration.bench.WriterBench ;;
  assembly-http) main=io.mqttintegration.bench.AssemblyHttpBench ;;
  assembly-sinks) main=io.mqttintegration.bench.AssemblySinksBench ;;
  assembly-sink-drain) main=io.mqttintegration.bench.AssemblySinkDrainBench ;;
  assembly-http-latency) main=io.mqttintegration.bench.AssemblyHttpLatency ;;
  assembly-mqtt) main=io.mqttintegration.bench.AssemblyMqttBench ;;
  assembly-subscriptions) main=io.mqttintegration.bench.AssemblySubscriptionsBench ;;
  assembly-export) main=io.mqttintegration.bench.AssemblyExportBench ;;
  assembly-telemetry) main=io.mqttintegration.bench.AssemblyTelemetryBench ;;
  assembly-purge) main=io.mqttintegration.bench.AssemblyPurgeBench ;;
  assembly-hosted) main=io.mqttintegration.bench.AssemblyHostedBench ;;
  assembly-catchup) main=io.mqttintegration.bench.AssemblyCatchupBench ;;
  *) echo "unknown benchmark: $what" >&2; exit 2 ;;
esac
# The runtime jar on the reactor classpath is the OSGi bundle; its own classes are what we need.
exec java ${JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "$main" "$@"
