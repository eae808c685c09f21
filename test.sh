#!/usr/bin/env bash
# Runs all tests: unit, route and API tests against a real PostgreSQL (embedded, from Maven Central)
# and a real Mosquitto, and the end-to-end test on the built Karaf assembly.
#
#   ./test.sh            (CI runs exactly this: .ci/run)
#
# Mosquitto 2.x, the OpenSSH client and Chromium with its driver are installed with apt when missing
# (as root; otherwise install them yourself: apt-get install mosquitto mosquitto-clients openssh-client
# chromium chromium-driver). The tests start their own brokers on free ports.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v mosquitto >/dev/null 2>&1 || ! command -v mosquitto_sub >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Mosquitto (apt) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto mosquitto-clients >/dev/null
  else
    echo "Mosquitto is needed by the tests: apt-get install mosquitto mosquitto-clients" >&2
    exit 1
  fi
fi
# The Karaf console tests script it as operators do: OpenSSH with a key (bin/client needs a terminal).
if ! command -v ssh >/dev/null 2>&1 || ! command -v ssh-keygen >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the OpenSSH client (apt) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client >/dev/null
  else
    echo "ssh and ssh-keygen are needed by the tests: apt-get install openssh-client" >&2
    exit 1
  fi
fi
# The console's browser tests (ConsoleBrowserTest) drive Debian's headless Chromium through its own
# chromedriver, so that Selenium downloads nothing at test time.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium and its driver (apt) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is needed by the console's browser tests: apt-get install chromium chromium-driver" >&2
    exit 1
  fi
fi
# The packaged broker's own service is not needed (the tests start theirs).
mvn -B verify "$@"
