#!/usr/bin/env bash
# Build the one-folder bundle dist/onestop-desk/ (the program: dist/onestop-desk/onestop-desk, .exe on
# Windows) from packaging/onestop-desk.spec. Uses .venv (created by scripts/venv.sh with the pinned
# requirements, PyInstaller and Babel included), or the Python named by $PYTHON (the Windows CI job). The spec
# compiles the message catalogs (desk.mo, D36) before it collects desk/resources.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON
else
  bash scripts/venv.sh
  PY=.venv/bin/python
fi
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/onestop-desk.spec
echo "bundle: dist/onestop-desk ($(du -sh dist/onestop-desk | cut -f1), built in $(( $(date +%s) - start )) s)"
