"""Save a PNG of each page of the office set-up wizard, on a fresh database whose office is not set up.

    xvfb-run -a -s "-screen 0 1366x768x24" python tools/wizard_screenshots.py docs/screenshots

The identity page is shown as the administrator first sees it (nothing prefilled); the later pages
with made-up example values.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="desk-wizard-shots-"))
    os.environ.setdefault("DESK_DATA_DIR", str(work / "data"))
    os.environ.setdefault("DESK_CONFIG_DIR", str(work / "cfg"))
    from PyQt6.QtWidgets import QApplication

    from desk.i18n import set_language
    from desk.models.db import connect
    from desk.services.accounts import get_actor
    from desk.services.setup import initialize
    from desk.views.office_wizard import OfficeWizard
    from desk.views.qt_i18n import install_qt_translations

    set_language("vi")
    app = QApplication(sys.argv[:1])
    install_qt_translations(app, "vi")
    connect(f"sqlite:///{work / 'office.db'}")
    initialize(actor=None, load_catalog=False)
    wizard = OfficeWizard(get_actor("admin"))
    wizard.show()

    def shoot(name: str) -> None:
        for _i in range(5):
            app.processEvents()
        wizard.grab().save(str(out / f"office_wizard_{name}.png"))

    shoot("1_intro")
    wizard.next()
    shoot("2_identity")
    wizard.identity.parent_name.lineEdit().setText("UBND TỈNH THỬ NGHIỆM")
    wizard.identity.name.lineEdit().setText("UBND xã Thử Nghiệm")
    wizard.identity.code.setText("000.00.00.H00")
    wizard.identity.place.setText("Thử Nghiệm")
    wizard.next()
    wizard.contact.address.setText("Thôn 1, xã Thử Nghiệm")
    wizard.contact.phone.setText("0239 3000 000")
    shoot("3_contact")
    wizard.next()
    wizard.points_page.many.setChecked(True)
    wizard.points_page.add_row("Điểm tiếp nhận điện tử Thôn 3", "e_point", "Nhà văn hóa thôn 3", "0,1,2,3,4,5")
    shoot("4_points")
    wizard.next()
    shoot("5_finish")
    wizard.reject()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
