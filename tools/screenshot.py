"""Save PNGs of the main window (one per screen) and the login dialog, as a person would see them.

    xvfb-run -a python tools/screenshot.py --db sqlite:///demo.db docs/screenshots
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", default="intake,dossiers")
    args = parser.parse_args()

    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from desk.app import build_main_window, open_database
    from desk.config import Settings
    from desk.hardware.printing import FakePrinter
    from desk.services.accounts import get_actor
    from desk.services.clock import Clock
    from desk.views.context import AppContext
    from desk.views.login import LoginDialog

    app = QApplication(sys.argv[:1])
    office, url = open_database(args.db)
    args.out.mkdir(parents=True, exist_ok=True)
    login = LoginDialog(office.name, "motcua")
    login.show()
    ctx = AppContext(actor=get_actor("admin"), clock=Clock(), settings=Settings(reception_point=""),
                     office_name=office.name, database_label=url, printer=FakePrinter())
    window = build_main_window(ctx)
    window.show()
    pages = args.pages.split(",")

    def shoot(index: int = 0) -> None:
        if index == 0:
            login.grab().save(str(args.out / "login.png"))
            login.close()
        if index < len(pages):
            window.show_page(pages[index])
            QTimer.singleShot(900, lambda: (window.grab().save(str(args.out / f"main_{pages[index]}.png")),
                                            shoot(index + 1)))
        else:
            app.quit()

    QTimer.singleShot(900, shoot)
    code = app.exec()
    from desk.app import close_cleanly

    close_cleanly(app, window)
    return code


if __name__ == "__main__":
    sys.exit(main())
