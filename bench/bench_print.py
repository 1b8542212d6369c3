"""Time from "dossier saved" to "job accepted": write Mẫu 01, lay it out with Qt, hand it to CUPS (target < 0.5 s).

    python -m bench.bench_print [--engine sqlite|postgres|both] [--runs 20] [--printer DeskPDF]
                                [--paper A4|A5] [--pg-url postgresql://postgres@127.0.0.1:5432/test?schema=bench_print]

A real print queue is used (default: DESK_TEST_PRINTER, else DeskPDF from scripts/cups-test-printer.sh).
Each run registers a dossier (not timed), then times the path Ctrl+S takes after the save: the receipt
.docx written from the database, read back, laid out and rendered to PDF, and ``lp`` answering with a
request id. The first print of a process (Qt's font database, imports) is reported apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test?schema=bench_print"


def _fresh(url: str) -> None:
    from desk.models import db as dbmod
    from desk.services.setup import SAMPLE_OFFICE, initialize

    if url.startswith("postgres"):
        schema = url.split("schema=")[1].split("&")[0]
        base = dbmod.make_database(url.split("?")[0])
        base.connect()
        base.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        base.close()
    dbmod.connect(url, allow_new=True)
    initialize(SAMPLE_OFFICE, actor=None)  # a set-up office (D27): the sample identity, for measuring


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(engine: str, url: str, runs: int, printer: str, paper: str, folder: Path) -> dict[str, float]:
    from desk.hardware.printing import SystemPrinter
    from desk.models import Procedure
    from desk.models.db import close
    from desk.services.accounts import get_actor
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.documents import receipt
    from desk.services.intake import Applicant, IntakeRequest, register

    _fresh(url)
    admin = get_actor("admin")
    procedure = Procedure.select().where(Procedure.processing_days >= 3, Procedure.active == True).first()  # noqa: E712
    start = datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ)
    clock = FixedClock(start + timedelta(hours=9))
    person = Applicant(name="Nguyễn Thị Ánh Tuyết", gender="Nữ", address="Số 5, Tổ 2, phường Trần Phú, Hà Tĩnh",
                       phone="0912345678")
    system = SystemPrinter()
    total, write, send, cpu = [], [], [], []
    first = 0.0
    for i in range(runs + 1):
        code = register(IntakeRequest(procedure.code, person, received_at=start + timedelta(minutes=i)),
                        clock=clock, actor=admin).code
        began, began_cpu = time.perf_counter(), time.process_time()  # saved: the clerk waits from here
        path = receipt(code, folder / f"{engine}-{i}.docx", paper=paper, actor=admin)
        written = time.perf_counter()
        job = system.print_document(path, printer=printer, title=f"Mẫu 01 {code}")
        done, done_cpu = time.perf_counter(), time.process_time()
        assert job.job_id, job
        if i == 0:
            first = done - began
            continue
        total.append(done - began)
        write.append(written - began)
        send.append(done - written)
        cpu.append(done_cpu - began_cpu)
    close()
    return {"first": first * 1000, "median": statistics.median(total) * 1000,
            "p95": _percentile(total, 0.95) * 1000, "write": statistics.median(write) * 1000,
            "send": statistics.median(send) * 1000, "cpu": statistics.median(cpu) * 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--printer", default=os.environ.get("DESK_TEST_PRINTER", "DeskPDF"))
    parser.add_argument("--paper", choices=("A4", "A5"), default="A4")
    parser.add_argument("--pg-url", default=os.environ.get("DESK_BENCH_POSTGRES_URL", DEFAULT_PG))
    args = parser.parse_args(argv)
    if args.engine in ("postgres", "both") and "schema=" not in args.pg_url:
        parser.error("--pg-url needs ?schema=NAME (the schema is dropped and re-created)")
    folder = Path(tempfile.mkdtemp(prefix="desk-bench-print-"))
    os.environ.setdefault("DESK_DATA_DIR", str(folder / "data"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(f"# {platform.node()}: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}; printer {args.printer}, {args.paper}, "
          f"{args.runs} runs", flush=True)
    plans = []
    if args.engine in ("sqlite", "both"):
        plans.append(("sqlite", f"sqlite:///{folder / 'bench.db'}"))
    if args.engine in ("postgres", "both"):
        plans.append(("postgres", args.pg_url))
    print("| engine | first print ms | median ms | p95 ms | write Mẫu 01 ms | render + lp ms | CPU ms (this process) |")
    print("|---|---|---|---|---|---|---|")
    for engine, url in plans:
        r = run(engine, url, args.runs, args.printer, args.paper, folder)
        print(f"| {engine} | {r['first']:.0f} | {r['median']:.0f} | {r['p95']:.0f} | {r['write']:.0f} | "
              f"{r['send']:.0f} | {r['cpu']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
