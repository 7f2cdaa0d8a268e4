#!/usr/bin/env bash
# npm run demo [-- --keep-up]: one orchestration run against the bundled demo shop.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/@temporalio/worker ] || npm ci
bash scripts/install-temporal.sh
bash scripts/prepare-services.sh
exec node --import tsx client/main.ts dev demo "$@"
