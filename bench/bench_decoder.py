"""Time the webcam decoder per 1280x720 frame (target: median under 20 ms) and scan-to-display latency (< 150 ms).

    python -m bench.bench_decoder [--runs 40] [--latency-scans 10]

Part 1 decodes each frame of tests/data/frames (made by tools/make_test_images.py: a rendered slip
QR code, the same turned 27° and out of focus, a CCCD QR code, the slip's Code 128, a desk with no
code) ``--runs`` times with two strategies and prints the median and p95 in ms:

- ``zxing``       zxing-cpp's read_barcodes on the full grayscale frame: what
  desk.hardware.decoder.decode_image does for live frames;
- ``zxing half``  a half-size frame first, the full frame when that finds nothing.

(Until issue 11 the decoder was pyzbar at zbar density 2, which needed pyzbar's private helpers;
its figures are kept in docs/PERFORMANCE.md for comparison.)

Part 2 plays an empty-desk frame and a slip's QR code (a real dossier of a throw-away database)
through FakeCamera → Scanner → ScanDialog (offscreen Qt) and measures, for ``--latency-scans``
scans, the time from the frame being handed to the decoder to the dialog showing the dossier's
status (ScanDialog.last_latency_ms).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FRAMES = ROOT / "tests" / "data" / "frames"


def stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def bench_decode(runs: int) -> None:
    import cv2

    from desk.hardware import decoder

    def half_then_full(gray):
        h, w = gray.shape
        found = decoder.decode_image(cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA))
        return found or decoder.decode_image(gray)

    strategies = {
        "zxing": decoder.decode_image,
        "zxing half": half_then_full,
    }
    print(f"decode per 1280x720 frame, ms: wall median/p95 (CPU median) of {runs} runs; "
          f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'frame':<24}" + "".join(f"{name:>24}" for name in strategies) + "   decode_image()")
    for path in sorted(FRAMES.glob("*.png")):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)  # BGR, as a camera gives it
        row = f"{path.stem:<24}"
        for fn in strategies.values():
            times, cpu, found = [], [], []
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.thread_time()
                gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
                found = fn(gray)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.thread_time() - start_cpu) * 1000)
            median, p95 = stats(times)
            row += f"{median:>7.1f}/{p95:>5.1f} ({statistics.median(cpu):>4.1f}) {'ok' if found else '--':>2} "
        found = decoder.decode_image(image)
        row += "   " + (found[0].kind if found else "nothing")
        print(row)


def bench_latency(scans: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="desk-bench-scan-"))
    os.environ["DESK_DATA_DIR"] = str(work / "data")
    os.environ["DESK_CONFIG_DIR"] = str(work / "config")
    import shutil

    import segno
    from PyQt6.QtWidgets import QApplication

    from desk.config import Settings
    from desk.hardware.printing import FakePrinter
    from desk.models import db as dbmod
    from desk.services.accounts import SYSTEM, get_actor
    from desk.services.clock import Clock
    from desk.services.intake import Applicant, IntakeRequest, register
    from desk.services.payload import make_payload
    from desk.services.setup import SAMPLE_OFFICE, initialize
    from desk.views.context import AppContext
    from desk.views.scan_dialog import ScanDialog

    app = QApplication.instance() or QApplication(sys.argv)
    dbmod.connect(f"sqlite:///{work / 'bench.db'}")
    initialize(SAMPLE_OFFICE, actor=None, load_catalog=True)
    code = register(IntakeRequest("1.001193", Applicant(name="Nguyễn Văn An")), actor=get_actor("admin")).code
    folder = work / "frames"
    folder.mkdir()
    shutil.copy(FRAMES / "01_no_code.png", folder / "a.png")
    segno.make(make_payload(code), error="m", micro=False).save(str(folder / "b.png"), scale=9, border=4)

    ctx = AppContext(actor=SYSTEM, clock=Clock(), settings=Settings(camera=f"fake:{folder}"), printer=FakePrinter())
    dialog = ScanDialog(ctx, cameras=[])
    latencies: list[float] = []

    def scanned(_text: str) -> None:
        latencies.append(dialog.last_latency_ms or 0.0)
        dialog.scanner.decoder.reset()  # the same slip again counts as a new scan

    dialog.scanned.connect(scanned)
    dialog.show()
    deadline = time.monotonic() + 30
    while len(latencies) < scans + 1 and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    meaning = dialog.meaning.text()
    dialog.close()
    values = latencies[1:] or latencies  # the first includes warming up (imports, first query)
    median, p95 = stats(values)
    print(f"\nscan-to-display latency over {len(values)} scans (frame handed to the decoder → dossier shown): "
          f"median {median:.1f} ms, p95 {p95:.1f} ms, max {max(values):.1f} ms; first scan {latencies[0]:.1f} ms")
    print(f"dialog shows: {meaning}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--latency-scans", type=int, default=10)
    args = parser.parse_args()
    bench_decode(args.runs)
    bench_latency(args.latency_scans)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
