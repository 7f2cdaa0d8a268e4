#!/usr/bin/env bash
# Puts py-spy (CPU profiles of Python targets) at .tools/py-spy/bin/py-spy, from the pinned PyPI
# package. Nothing is done when PY_SPY_PATH is set or the pinned version is already there.
set -euo pipefail
PY_SPY_VERSION=0.4.3
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.tools/py-spy"
if [ -n "${PY_SPY_PATH:-}" ]; then
  [ -x "$PY_SPY_PATH" ] || { echo "PY_SPY_PATH=$PY_SPY_PATH is not an executable file" >&2; exit 1; }
  exit 0
fi
if [ -x "$dest/bin/py-spy" ] && "$dest/bin/py-spy" --version 2>/dev/null | grep -qx "py-spy $PY_SPY_VERSION"; then exit 0; fi
pip=""
for c in pip3 pip "python3 -m pip"; do if $c --version >/dev/null 2>&1; then pip=$c; break; fi; done
if [ -z "$pip" ]; then
  cat >&2 <<MSG
Cannot install py-spy: pip was not found.
Do one of:
  - install Python's pip (e.g. apt-get install python3-pip) and run: bash scripts/install-py-spy.sh
  - install py-spy $PY_SPY_VERSION yourself (https://github.com/benfred/py-spy) and set PY_SPY_PATH=/path/to/py-spy
MSG
  exit 1
fi
echo "installing py-spy (PyPI py-spy==$PY_SPY_VERSION) into .tools/py-spy"
rm -rf "$dest"
$pip install --quiet --disable-pip-version-check --no-warn-script-location --target "$dest" "py-spy==$PY_SPY_VERSION" 2>&1 | grep -v -e "^WARNING: Location" -e "Running pip as the 'root'" >&2 || true
[ -x "$dest/bin/py-spy" ] || { echo "pip did not install $dest/bin/py-spy" >&2; exit 1; }
"$dest/bin/py-spy" --version
