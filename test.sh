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
# need "<what>" "<commands>" "<packages>": installs the Debian packages (as root, with apt-get) when one
# of the commands is missing, or says what to install and stops.
need() {
  local what=$1 commands=$2 packages=$3 missing=
  for c in $commands; do command -v "$c" >/dev/null 2>&1 || missing=yes; done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $what (apt) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
  else
    echo "$what is needed by the tests: apt-get install $packages" >&2
    exit 1
  fi
}
need Mosquitto "mosquitto mosquitto_sub" "mosquitto mosquitto-clients"
# The Karaf console tests script it as operators do: OpenSSH with a key (bin/client needs a terminal).
need "the OpenSSH client" "ssh ssh-keygen" openssh-client
# The console's browser tests (ConsoleBrowserTest) drive Debian's headless Chromium through its own
# chromedriver, so that Selenium downloads nothing at test time.
need "Chromium and its driver" "chromium chromedriver" "chromium chromium-driver"
# The packaged broker's own service is not needed (the tests start theirs).
mvn -B verify "$@"
