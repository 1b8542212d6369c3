"""Render the monthly report's first two printed pages ("Tổng hợp", "Biểu đồ") to PNG.

    python tools/report_screenshots.py [--db sqlite:///office.db] [--period 2026-10] [--out docs/screenshots]

Without --db it fills a temporary database with 20,000 demo dossiers over 12 months (clock fixed at
20/11/2026). The workbook goes through LibreOffice (``soffice --convert-to pdf``, which also
computes the formulas) and ``pdftoppm``, the way a leader would print it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEMO_NOW = datetime(2026, 11, 20, 17, 30)
PAGES = {1: "report_tong_hop.png", 2: "report_bieu_do.png"}
# Printed A4 landscape at 110 dpi is 1286 × 909 px; the table and the charts fill the upper part.
CROP_HEIGHT = {1: 520, 2: 720}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="database URL (default: a temporary demo database)")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--cutoff", default="calendar")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed (LibreOffice, poppler-utils)", file=sys.stderr)
            return 1

    work = Path(tempfile.mkdtemp(prefix="desk-report-shots-"))
    os.environ.setdefault("DESK_DATA_DIR", str(work / "data"))
    from desk.models.db import connect
    from desk.services.accounts import get_actor
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.report_workbook import write_report

    clock = FixedClock(DEMO_NOW.replace(tzinfo=LOCAL_TZ))
    connect(args.db or f"sqlite:///{work / 'demo.db'}")
    if not args.db:
        from desk.services.demo import generate
        from desk.services.setup import initialize

        initialize(actor=None)
        generate(20_000, months=12, clock=clock, actor=get_actor("admin"))
    workbook = write_report(work / "bao-cao.xlsx", args.period, args.cutoff, clock=clock, by=get_actor("admin"))
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(workbook)], check=True, capture_output=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for page, name in PAGES.items():
        prefix = work / f"page{page}"
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile",
                        "-x", "0", "-y", "30", "-W", "1286", "-H", str(CROP_HEIGHT[page]),
                        str(work / "bao-cao.pdf"), str(prefix)], check=True)
        shutil.move(f"{prefix}.png", out / name)
        print(out / name)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
