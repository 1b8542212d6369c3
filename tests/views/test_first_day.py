"""A new ward's first day, as issue 10 tells it: the administrator sets the office up in the wizard, a clerk
receives a dossier, and the receipt comes out of a real CUPS printer, with no LibreOffice or Word involved.

The pieces have their own tests (wizard, intake, printing); this one runs them in one go on one database,
through the real SystemPrinter and the CUPS-PDF test queue, watching every program the desk starts.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from desk.config import Settings
from desk.hardware.printing import SystemPrinter
from desk.services import accounts
from desk.services.office import current_office
from desk.services.payload import make_payload
from desk.views.intake import IntakeView
from desk.views.office_wizard import OfficeWizard
from tests.conftest import printed_pdf
from tests.hardware.test_printing import pdf_text, qr_codes
from tests.views.test_intake_view import fill_applicant, make_ctx, show


def test_wizard_then_a_receipt_out_of_the_printer(qtbot, bare_office, tmp_path, finish, test_printer, monkeypatch):
    name, folder = test_printer
    started: list[str] = []
    real_popen = subprocess.Popen.__init__

    def watch(self, args, *a, **kw):  # every program the desk runs, by its first word
        started.append(Path(str(args[0] if isinstance(args, (list, tuple)) else args).split()[0]).name)
        real_popen(self, args, *a, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", watch)

    wizard = OfficeWizard(accounts.get_actor("admin"))
    qtbot.addWidget(wizard)
    with qtbot.waitExposed(wizard):
        wizard.show()
    wizard.next()
    wizard.identity.parent_name.lineEdit().setText("UBND TỈNH HÀ TĨNH")
    wizard.identity.name.lineEdit().setText("UBND phường Thành Sen")
    wizard.identity.code.setText("000.00.21.H42")
    wizard.identity.place.setText("Hà Tĩnh")
    wizard.next()
    wizard.contact.address.setText("Số 2 đường Hà Huy Tập, phường Thành Sen")
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.finish
    wizard.accept()
    finish(wizard.saving)

    ctx = make_ctx(tmp_path, printer=SystemPrinter(), settings=Settings(printer=name))
    view = show(qtbot, IntakeView(ctx))
    reported = []
    ctx.bus.print_reported.connect(reported.append)
    view.choose_procedure("T-KS")
    fill_applicant(view)
    finish(view.save())
    qtbot.waitUntil(lambda: bool(reported), timeout=60_000)
    outcome = reported[0]
    assert outcome.sent, outcome.message()
    code = outcome.code
    assert code.startswith("000.00.21.H42-") and outcome.job.job_id in view.saved_print.text()
    printed = printed_pdf(folder, outcome.job.job_id)
    assert code in " ".join(pdf_text(printed).split())
    assert qr_codes(printed, tmp_path) == [make_payload(code, current_office().secret)]
    assert not {"soffice", "libreoffice", "soffice.bin"} & set(started), started
    assert "lp" in started
