"""Save a PNG of the main window as a person would see it (run under xvfb-run for a real X server).

    xvfb-run -a python tools/screenshot.py --db sqlite:///demo.db docs/screenshots/main_window.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("out")
    args = parser.parse_args()

    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from desk.app import open_database
    from desk.services.dossiers import recent
    from desk.views.main_window import MainWindow

    app = QApplication(sys.argv)
    office, url = open_database(args.db)
    window = MainWindow(office.name, url, recent(500))
    window.show()

    def shoot() -> None:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(args.out)
        app.quit()

    QTimer.singleShot(800, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
