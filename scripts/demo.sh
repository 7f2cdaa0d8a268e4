#!/usr/bin/env bash
# npm run demo [-- --keep-up]: one orchestration run against the bundled demo shop.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/@temporalio/worker ] || npm ci
bash scripts/install-temporal.sh
bash scripts/prepare-services.sh
# `dev demo` gives the shop and the worker their secrets (SHOP_ADMIN_TOKEN, and SHOP_DEMO_PASSWORD for the
# profile's login step): fresh ones per session unless they are set in this environment.
exec node --import tsx client/main.ts dev demo "$@"
