#!/usr/bin/env bash
# npm test: the lint step (types, ESLint, Prettier, import boundaries), then unit, integration and
# end-to-end tests against real Temporal, PostgreSQL and Redis, and the safety group (test/safety:
# hostile input, faults, secrets, crash recovery). With file arguments: only those files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-temporal.sh
bash scripts/install-py-spy.sh
bash scripts/prepare-services.sh
files=(test/unit/*.test.ts test/integration/*.test.ts test/replay/*.test.ts test/e2e/*.test.ts test/safety/*.test.ts)
if [ $# -gt 0 ]; then
  files=("$@")
else
  echo "== lint: tsc, eslint, prettier, import boundaries"
  npm run --silent lint
fi
# One file at a time: the files share PostgreSQL's pg_stat_statements and the demo's ports.
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
