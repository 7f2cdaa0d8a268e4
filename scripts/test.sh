#!/usr/bin/env bash
# npm test: the lint step (types, ESLint, Prettier, import boundaries), then unit, integration and
# end-to-end tests against real Temporal, PostgreSQL and Redis, and the safety group (test/safety:
# hostile input, faults, secrets, crash recovery). With file arguments: only those files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-temporal.sh
bash scripts/install-py-spy.sh
bash scripts/prepare-services.sh
# The unit files in one process (test/unit-suite.ts): one tsx start instead of ~80; the timing one alone.
files=(test/unit-suite.ts test/unit/loadtest-schedule.test.ts test/integration/*.test.ts test/replay/*.test.ts test/e2e/*.test.ts test/safety/*.test.ts)

# `npm run lint`'s steps (package.json, joined by &&) at once: each is one process, so two cores
# halve the wait. Each step's output is shown when it ends; any failure stops here, before the tests.
lint_at_once() {
  local out status=0 i=0 step
  local -a pids=() steps=()
  out=$(mktemp -d)
  while IFS= read -r step; do
    (PATH="$PWD/node_modules/.bin:$PATH" && eval "$step") >"$out/$i" 2>&1 &
    pids+=($!)
    steps+=("$step")
    i=$((i + 1))
  done < <(node -p "require('./package.json').scripts.lint.split(' && ').join('\\n')")
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      status=1
      echo "== lint step failed: ${steps[$i]}"
    fi
    cat "$out/$i"
  done
  rm -rf "$out"
  return "$status"
}

if [ $# -gt 0 ]; then
  files=("$@")
else
  echo "== lint: tsc, eslint, prettier, import boundaries"
  lint_at_once
fi
# One file at a time: the files share PostgreSQL's pg_stat_statements and the demo's ports.
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
