"""Closing the app after using its screens ends the process cleanly (no crash after the last window),
and the daily backup made at start-up is complete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import sys
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication
from desk.app import build_main_window, close_cleanly, open_database, start_daily_backup
from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services.accounts import get_actor
from desk.services.clock import Clock
from desk.services.demo import generate
from desk.views.context import AppContext
app = QApplication(sys.argv[:1])
office, url = open_database(sys.argv[1])
generate(300, months=2, actor=get_actor("admin"))
ctx = AppContext(actor=get_actor("admin"), clock=Clock(), settings=Settings(), office_name=office.name,
                 database_label=url, printer=FakePrinter())
window = build_main_window(ctx)
window.show()
start_daily_backup(window)
for i, page in enumerate(["dossiers", "pickup", "reports", "catalog", "calendar", "settings", "intake"]):
    QTimer.singleShot(150 * (i + 1), lambda page=page: window.show_page(page))
QTimer.singleShot(1500, window.close)
QTimer.singleShot(1600, app.quit)
code = app.exec()
close_cleanly(app, window)
print("closed", code, flush=True)
"""


def test_app_closes_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DESK_DATA_DIR": str(tmp_path),
           "DESK_CONFIG_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", CHILD, f"sqlite:///{tmp_path}/exit.db"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "closed 0" in result.stdout
    backups = list((tmp_path / "backups").glob("onestop-*.db"))
    assert len(backups) == 1  # the daily backup ran in the background and finished before exit
