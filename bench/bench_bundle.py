"""Cold and warm start-up of the built bundle (dist/onestop-desk), and its size.

    bash scripts/build-bundle.sh && python -m bench.bench_bundle [--runs 5] [--bundle dist/onestop-desk]

Cold: before each cold run every file of a copy of the bundle is evicted from the page cache
(posix_fadvise DONTNEED, Linux; only the bundle's own files, so shared system libraries such as libc
stay cached as on a PC that has been on for a while). Then ``onestop-desk --help`` is timed to its exit,
and the GUI (offscreen, on an initialised database, DESK_SMOKE_QUIT_MS) from launch to its first shown
window, the log-in or first-start dialog; the smoke checks that run before it in that mode (importing
every screen, QtCharts, a QR decode) are reported by the program and subtracted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def evict(folder: Path) -> None:
    """Drop the folder's files from the page cache (best effort)."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as handle:
                os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", default=str(ROOT / "dist" / "onestop-desk"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        app = tmp / "app"
        shutil.copytree(args.bundle, app, symlinks=True)
        exe = app / ("onestop-desk.exe" if os.name == "nt" else "onestop-desk")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "DESK_DATA_DIR": str(tmp / "data"),
               "DESK_CONFIG_DIR": str(tmp / "config"), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8",
               "DESK_PASSWORD": "bench-password"}
        db = f"sqlite:///{tmp / 'bench.db'}"
        subprocess.run([str(exe), "--db", db, "--user", "admin", "init", "--office-code", "000.00.99.H42",
                        "--office-name", "UBND PHƯỜNG THỬ NGHIỆM"], env=env, cwd=tmp, check=True, capture_output=True)

        def help_ms() -> float:
            start = time.perf_counter()
            subprocess.run([str(exe), "--help"], env=env, cwd=tmp, check=True, capture_output=True)
            return (time.perf_counter() - start) * 1000

        def window_ms() -> float:
            start = time.time()
            run = subprocess.run([str(exe), "--db", db], env=env | {"DESK_SMOKE_QUIT_MS": "1000"}, cwd=tmp,
                                 check=True, capture_output=True, text=True)
            shown = float(re.search(r"first window shown at ([\d.]+)", run.stderr).group(1))
            checks = float(re.search(r"QR read in (\d+) ms", run.stderr).group(1))
            return (shown - start) * 1000 - checks

        results: dict[str, list[float]] = {"help cold": [], "help warm": [], "window cold": [], "window warm": []}
        for _ in range(args.runs):
            for name, measure in (("help", help_ms), ("window", window_ms)):
                evict(app)
                results[f"{name} cold"].append(measure())
                results[f"{name} warm"].append(measure())
        print(f"bundle: {du(app) / 1e6:.0f} MB in {sum(1 for _ in app.rglob('*'))} files ({sys.platform})")
        for name, values in results.items():
            print(f"{name:<12} median {statistics.median(values):6.0f} ms   max {max(values):6.0f} ms   "
                  f"(n={len(values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
