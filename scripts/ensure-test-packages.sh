#!/usr/bin/env bash
# Makes sure the Debian packages the tests drive are there: Chromium for the browser tests
# (playwright-core drives /usr/bin/chromium; nothing downloads a browser of its own) and
# redis-server for the replica tests (they start their own servers on free ports). Installs what
# is missing with apt when we are root (as CI is); otherwise says what to do and lets the tests
# run: those that need a missing package then fail on their own, with the same advice, and every
# other test still runs. Fast when both are installed.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's ${missing[*]} for the tests (apt-get)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "Some tests need ${missing[*]} and will fail without: run 'sudo apt-get install ${missing[*]}'." >&2
exit 0
