#!/usr/bin/env bash
# npm test: installs what is missing, then runs every test: unit, integration against real
# etcd/HAProxy/Prometheus started on free ports, and Playwright e2e on a production build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
bash scripts/ensure-node.sh
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1

step() { printf '\n=== %s ===\n' "$*"; }
start=$(date +%s)
step "typecheck"
npx tsc --noEmit -p .
step "lint and format (Biome)"
npx biome check .
step "unit tests"
npx vitest run
step "production build"
npx next build
step "JS budget (initial JS per page, gzip, in Chromium)"
npx tsx scripts/js-budget.ts
step "integration tests (real etcd, HAProxy, Prometheus)"
npx vitest run -c vitest.integration.config.ts
step "e2e tests (Playwright in Debian's Chromium)"
npx playwright test
echo "all tests passed in $(( $(date +%s) - start )) s"
