#!/usr/bin/env bash
# Set up (first time) and start OneStop Desk on the embedded SQLite database with the shipped catalog.
# Extra arguments go to main.py, e.g. ./run.sh --db postgresql://desk@server/office or ./run.sh init
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/venv.sh
exec .venv/bin/python main.py "$@"
