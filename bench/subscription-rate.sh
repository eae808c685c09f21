#!/usr/bin/env bash
# QoS 1 subscription -> stored rate: publishes N QoS 1 messages with mosquitto_pub to a broker an
# integration is subscribed to, and waits until the subscription's "stored" counter (committed in
# PostgreSQL, then acknowledged) has grown by N. Prints the publish time and the stored rate.
#
# usage: MQI_API_KEY=<admin key> bench/subscription-rate.sh <integration id> <broker port> <topic> [count]
set -euo pipefail
API=${MQI_API:-http://127.0.0.1:8080}
INT=$1 PORT=$2 TOPIC=$3 N=${4:-20000}
stored() {
  curl -sf "$API/api/v1/integrations/$INT" -H "Authorization: Bearer $MQI_API_KEY" |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["subscription"]["stored"])'
}
BASE=$(stored)
MSGS=$(mktemp)
trap 'rm -f "$MSGS"' EXIT
python3 -c "
for i in range($N): print('{\"seq\":%d,\"temperature\":21.5,\"humidity\":48}' % i)" > "$MSGS"
START=$(date +%s.%N)
mosquitto_pub -h 127.0.0.1 -p "$PORT" -t "$TOPIC" -q 1 -l < "$MSGS"
PUBLISHED=$(date +%s.%N)
while [ $(( $(stored) - BASE )) -lt "$N" ]; do sleep 0.1; done
END=$(date +%s.%N)
python3 -c "print('published %d QoS 1 messages in %.2f s; all stored after %.2f s: %.0f stored msg/s' % ($N, $PUBLISHED - $START, $END - $START, $N / ($END - $START)))"
