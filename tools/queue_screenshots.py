"""Screenshots of the waiting room (D50): the ticket kiosk, a ticket just taken, the calling display and the
intake screen's calling bar, at 1366×768 on a fresh database with a morning's tickets, reproducibly.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/queue_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = (2026, 11, 26, 9, 40)
ADMIN_PASSWORD = "Demo#2026-screens"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    os.environ.setdefault("DESK_LANG", "vi")
    work = Path(tempfile.mkdtemp(prefix="desk-queue-screens-"))
    os.environ["DESK_DATA_DIR"] = str(work / "data")
    os.environ["DESK_CONFIG_DIR"] = str(work / "config")

    from PyQt6.QtCore import QEventLoop, QTimer
    from PyQt6.QtWidgets import QApplication, QWidget

    from desk.app import build_main_window, open_database
    from desk.config import Settings
    from desk.hardware.printing import FakePrinter
    from desk.hardware.speech import Announcer
    from desk.i18n import set_language
    from desk.services import accounts, catalog_read, queue
    from desk.services import office as office_service
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.views import ops
    from desk.views.context import AppContext
    from desk.views.queue_display import QueueDisplay
    from desk.views.ticket_kiosk import TicketKiosk

    set_language("vi")
    app = QApplication(sys.argv[:1])
    office, _url = open_database(f"sqlite:///{work / 'queue.db'}")
    admin = accounts.set_first_admin_password(ADMIN_PASSWORD)
    settings_row = office_service.get_office_settings()
    import dataclasses

    office_service.set_up_office(dataclasses.replace(
        settings_row, code="000.00.13.H42", name="UBND phường Trần Phú", parent_name="UBND TỈNH HÀ TĨNH"), by=admin)
    office = office_service.current_office()
    clock = FixedClock(datetime(*NOW, tzinfo=LOCAL_TZ))
    queue.save_group("HT", "Hộ tịch", fields=["HT"], prefix="HT", sort_order=1, by=admin)
    queue.save_group("CT", "Chứng thực", fields=["CT"], prefix="CT", sort_order=2, by=admin)
    fields = [f.code for f in catalog_read.list_fields()]
    others = [c for c in fields if c not in ("HT", "CT")]
    if others:
        queue.save_group("KHAC", "Lĩnh vực khác", fields=others, sort_order=3, by=admin)
    for i, group in enumerate(["HT", "CT", "HT", "CT", "HT", "KHAC", "HT", "CT", "HT", "HT", "CT", "HT"]):
        clock.set(datetime(2026, 11, 26, 7 + (30 + 4 * i) // 60, (30 + 4 * i) % 60))
        queue.take(group, clock=clock)
    clock.set(datetime(*NOW))
    queue.set_counter(1, ["HT"], by=admin)
    queue.set_counter(2, ["CT"], by=admin)
    for counter in (1, 2, 1, 3, 2):
        queue.call_next(counter, actor=admin, clock=clock)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def save(widget: QWidget, name: str) -> None:
        ops.wait_for_all(10)
        wait(300)
        widget.grab().save(str(out / name))
        print(out / name)

    kiosk = TicketKiosk(clock=clock, settings=Settings(), office_name=office.name, printer=FakePrinter())
    kiosk.resize(1366, 768)
    kiosk.show()
    save(kiosk, "ticket_kiosk.png")
    kiosk.take("HT")
    save(kiosk, "ticket_kiosk_ticket.png")
    kiosk.close()

    display = QueueDisplay(clock=clock, announcer=Announcer(enabled=False), office_name=office.name, listen=False)
    display.resize(1366, 768)
    display.show()
    save(display, "queue_display.png")
    queue.call_next(2, actor=admin, clock=clock)
    display.refresh()
    save(display, "queue_display_call.png")
    display.stop()
    display.close()

    settings = Settings(reception_point="Bộ phận Một cửa UBND phường")
    settings.queue_counter = 1
    ctx = AppContext(actor=admin, clock=clock, settings=settings, office_name=office.name,
                     database_label="sqlite:///queue.db", printer=FakePrinter(), output_dir=work / "slips")
    window = build_main_window(ctx)
    window.resize(1366, 728)
    window.show()
    window.show_page("intake")
    save(window, "intake_queue_bar.png")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
