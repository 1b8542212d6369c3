"""Window start to usable (target < 1.5 s), and which heavy libraries the start-up loaded.

    xvfb-run -a python -m bench.bench_startup [--db URL] [--runs 5]

Each run is a fresh interpreter: from process start to the main window shown with the intake screen
built and the event loop turning (the login dialog is left out: it waits for a person). Each run then
closes the window the way the desk app does (desk.app.close_cleanly); a crash on the way out fails
the run (left to Python's shutdown, PyQt destroys the window while walking its wrappers: SIGSEGV).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import sys, time
t0 = float(sys.argv[1])
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from desk.app import build_main_window, close_cleanly, open_database
from desk.config import Settings
from desk.services.accounts import get_actor
from desk.services.clock import Clock
from desk.views.context import AppContext
office, label = open_database(sys.argv[2])
ctx = AppContext(actor=get_actor("admin"), clock=Clock(), settings=Settings(), office_name=office.name,
                 database_label=label)
window = build_main_window(ctx)
window.show()
def ready():
    heavy = [m for m in ("cv2", "openpyxl", "PyQt6.QtCharts", "numpy", "pyzbar") if m in sys.modules]
    print(f"{time.time() - t0:.3f} {','.join(heavy) or '-'}")
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
close_cleanly(app, window)  # as the desk app does: the window goes before Python's shutdown
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="desk-startup-")
    env = {**os.environ, "DESK_DATA_DIR": folder, "DESK_CONFIG_DIR": folder, "PYTHONPATH": str(ROOT),
           "DESK_PASSWORD": "mat-khau-do-dai-bench"}  # init sets the admin's password, demo logs in with it
    url = args.db or f"sqlite:///{folder}/startup.db"
    if not args.db:  # a realistic office: catalog and some history
        subprocess.run([sys.executable, "main.py", "--db", url, "init"], env=env, check=True, capture_output=True,
                       cwd=ROOT)
        subprocess.run([sys.executable, "main.py", "--db", url, "--user", "admin", "demo", "--dossiers", "20000"],
                       env=env, check=True, capture_output=True, cwd=ROOT)
    times, heavy = [], ""
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD, str(time.time()), url], env=env, check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout.split()
        times.append(float(out[0]))
        heavy = out[1]
    print(f"window start to usable over {args.runs} runs: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s")
    print(f"heavy modules loaded at start-up: {heavy}")


if __name__ == "__main__":
    main()
