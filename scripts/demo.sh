#!/usr/bin/env bash
# npm run demo: installs what is missing, then runs dev/demo.ts (the local stack + Fulcrum).
# Arguments go to dev/demo.ts (e.g. --weights 30,20,10 --rate 200 --build); PORT picks the port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
bash scripts/ensure-node.sh
export NEXT_TELEMETRY_DISABLED=1
exec node --import tsx dev/demo.ts "$@"
