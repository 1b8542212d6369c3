"""Time each official form's generation (target: well under 200 ms each, so printing never waits).

    python -m bench.bench_documents [--dossiers 400] [--runs 30]

Builds a fresh SQLite office with a few hundred demo dossiers, adds one dossier walked through
supplement and apology and one refused, then writes each form ``--runs`` times and prints the median.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path


def _timed(fn: Callable[[], Path], runs: int) -> tuple[float, float, float, int]:
    """Median and 90th percentile wall time, median CPU time (ms; CPU time ignores other processes), bytes."""
    wall, cpu = [], []
    path = fn()  # warm-up: imports, first queries
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        path = fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    wall.sort()
    p90 = wall[max(0, int(len(wall) * 0.9) - 1)]
    return statistics.median(wall) * 1000, p90 * 1000, statistics.median(cpu) * 1000, path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=400)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="desk-bench-docs-"))
    os.environ.setdefault("DESK_DATA_DIR", str(folder))

    from desk.models import Dossier, Procedure
    from desk.models.db import close, connect
    from desk.services import documents
    from desk.services.accounts import get_actor
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.demo import generate
    from desk.services.intake import Applicant, IntakeRequest, register
    from desk.services.lifecycle import advance, apologize
    from desk.services.setup import SAMPLE_OFFICE, initialize

    connect(f"sqlite:///{folder}/bench.db")
    initialize(SAMPLE_OFFICE, actor=None)
    admin = get_actor("admin")
    clock = FixedClock(datetime(2026, 11, 30, 17, 30, tzinfo=LOCAL_TZ))
    generate(args.dossiers, months=2, clock=clock, progress=lambda done, total: None, actor=admin)
    slow = Procedure.select().where(Procedure.processing_days >= 3, Procedure.active == True).first()  # noqa: E712
    person = Applicant(name="Nguyễn Thị Ánh Tuyết", gender="Nữ", address="Số 5, Tổ 2, phường Trần Phú",
                       phone="0912345678")
    at = datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ)
    code = register(IntakeRequest(slow.code, person, received_at=at), clock=clock, actor=admin).code
    advance(code, "processing", at=at.replace(hour=9), clock=clock, actor=admin)
    advance(code, "needs_supplement", note="Bản sao Giấy khai sinh; Giấy xác nhận nơi cư trú",
            at=at.replace(hour=10), clock=clock, actor=admin)
    advance(code, "processing", at=at.replace(hour=14), clock=clock, actor=admin)
    info = apologize(code, datetime(2026, 12, 20, 17, 0, tzinfo=LOCAL_TZ), reason="Chờ xác minh",
                     at=at.replace(hour=16), clock=clock, actor=admin)
    refused = register(IntakeRequest(slow.code, person, received_at=at.replace(hour=8, minute=5)), clock=clock,
                       actor=admin).code
    advance(refused, "refused", note="Không thuộc thẩm quyền", at=at.replace(hour=8, minute=30), clock=clock,
            actor=admin)

    out = folder / "out"
    month = (date(2026, 11, 1), date(2026, 11, 30))
    in_month = Dossier.select().where(Dossier.received_at >= datetime(2026, 10, 31, 17),
                                      Dossier.received_at < datetime(2026, 11, 30, 17)).count()
    cases = [
        ("01 receipt (A4)", lambda: documents.receipt(code, out / "01.docx", actor=admin)),
        ("01 receipt (A5)", lambda: documents.receipt(code, out / "01a5.docx", paper="A5", actor=admin)),
        ("02 supplement request", lambda: documents.supplement_request(code, out / "02.docx", actor=admin)),
        ("03 refusal", lambda: documents.refusal(refused, out / "03.docx", actor=admin)),
        ("04 apology", lambda: documents.apology(code, out / "04.docx", actor=admin)),
        ("05 control slip", lambda: documents.control_slip(code, out / "05.docx", actor=admin)),
        ("06 log book, 1 day", lambda: documents.log_book(at.date(), at.date(), out / "06d.docx", clock=clock,
                                                          actor=admin)),
        (f"06 log book, 1 month ({in_month} rows)",
         lambda: documents.log_book(*month, out / "06m.docx", clock=clock, actor=admin)),
    ]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {Dossier.select().count()} dossiers in SQLite; "
          f"median of {args.runs} runs; dossier {info.code}")
    print(f"{'form':<36} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'size KB':>8}")
    try:
        for name, fn in cases:
            median, p90, cpu, size = _timed(fn, args.runs)
            print(f"{name:<36} {median:>10.1f} {p90:>8.1f} {cpu:>8.1f} {size / 1024:>8.1f}")
    finally:
        close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
