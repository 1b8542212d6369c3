"""Intake save-to-slip time: from Save to the receipt (Mẫu 01) written and handed to the printer.

    QT_QPA_PLATFORM=offscreen python -m bench.bench_intake [--runs 30]

Drives the real intake screen (fake printer) on a SQLite database with 20,000 demo dossiers. The
registration runs in the background (desk.views.ops); the time runs until its result is back and the
receipt printed. Also shown: how long Ctrl+S itself holds the UI thread before the event loop turns.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="desk-intake-")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["DESK_DATA_DIR"] = folder
    os.environ["DESK_CONFIG_DIR"] = folder

    from PyQt6.QtCore import QEventLoop
    from PyQt6.QtWidgets import QApplication

    from desk.config import Settings
    from desk.hardware.printing import FakePrinter
    from desk.models.db import connect
    from desk.services.accounts import get_actor
    from desk.services.clock import Clock
    from desk.services.demo import generate
    from desk.services.identity import parse_cccd
    from desk.services.setup import SAMPLE_OFFICE, initialize
    from desk.views.context import AppContext
    from desk.views.intake import IntakeView

    app = QApplication([])
    connect(f"sqlite:///{folder}/intake.db")
    initialize(SAMPLE_OFFICE, actor=None)
    generate(20_000, actor=get_actor("admin"))
    printer = FakePrinter()
    ctx = AppContext(actor=get_actor("admin"), clock=Clock(), settings=Settings(), office_name="UBND phường",
                     database_label="bench", printer=printer)
    view = IntakeView(ctx)
    card = parse_cccd("042090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|"
                      "10082021")
    times, held = [], []
    for _ in range(args.runs):
        view.fill_from_identity(card)
        view.choose_procedure("1.004873")
        app.processEvents()
        started = time.perf_counter()
        op = view.save()
        held.append((time.perf_counter() - started) * 1000)
        while not op.done or (view.printing is not None and view.printing.running):  # saved, then printed
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        times.append((time.perf_counter() - started) * 1000)
        assert op.succeeded, f"the dossier was not saved: {op.error!r}"
        app.processEvents()
    times.sort()
    held.sort()
    print(f"intake save-to-slip over {args.runs} saves: median {statistics.median(times):.0f} ms, "
          f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms; printed {len(printer.printed)} receipts; "
          f"Ctrl+S holds the UI thread {statistics.median(held):.1f} ms (median)")


if __name__ == "__main__":
    main()
