#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser tests (playwright-core drives
# /usr/bin/chromium; nothing downloads a browser of its own). Installs it with apt when missing
# and we are root (as CI is); otherwise says what to do and lets the tests run: the browser tests
# then fail on their own, with the same advice, and every other test still runs. Fast when it is
# already installed.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at /usr/bin/chromium and will fail without it: run 'sudo apt-get install chromium'." >&2
exit 0
