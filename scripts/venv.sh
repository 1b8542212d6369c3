#!/usr/bin/env bash
# Create .venv and install the pinned requirements when they changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
fi
# The compiled message catalogs (desk.mo, not in git) from the .po files: every time, as a .po may have
# changed without the requirements (a pull, a new translation); it takes a fraction of a second.
.venv/bin/python tools/messages.py --compile > /dev/null
