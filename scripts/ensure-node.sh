#!/usr/bin/env bash
# Installs the npm packages when they are missing or older than the lockfile. Never downloads
# a browser: e2e tests drive Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "fulcrum: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
