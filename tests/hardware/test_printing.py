"""Printing through Qt and CUPS: the printed page carries the slip's exact text, real jobs reach a real queue.

The real-printer tests send jobs to the CUPS-PDF queue that scripts/cups-test-printer.sh sets up
(DESK_TEST_PRINTER, its PDFs land in DESK_TEST_PRINT_DIR) and read back what was printed. Under CI a
missing test printer fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import cv2
import pytest

from desk.errors import DeskError
from desk.hardware import printing
from desk.hardware.decoder import decode_file
from desk.hardware.printable import read_printable
from desk.hardware.printing import (
    FakePrinter,
    PrinterUnavailable,
    PrintJob,
    SystemPrinter,
    available_printers,
    default_printer,
    font_family,
    paint_document,
    render_pdf,
)
from desk.services.documents import (
    apology,
    control_slip,
    log_book,
    receipt,
    refusal,
    stop_notice,
    supplement_request,
)
from desk.services.office import current_office
from desk.services.payload import make_payload
from tests.conftest import printed_pdf
from tests.services.test_documents import BINH, CLOCK, TUYET, cases, lines  # noqa: F401 (cases: a fixture)


@pytest.fixture(autouse=True)
def _qt(qapp):
    """A QApplication first, as in the desk program: printing never makes its own inside a test run."""
    return qapp


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (apt-get install poppler-utils)")
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils)")
    return found


def pdf_text(pdf: Path, *, raw: bool = False) -> str:
    """What a reader of the page sees; ``raw`` keeps the order the page was painted in."""
    args = [_tool("pdftotext"), *(["-raw"] if raw else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
    return {k.strip(): v.strip() for k, _sep, v in (line.partition(":") for line in out.splitlines())}


def qr_codes(pdf: Path, tmp_path: Path) -> list[str]:
    """The QR codes on page 1, scanned at 200 dpi with the desk's own decoder."""
    prefix = tmp_path / f"{pdf.stem}-page"
    subprocess.run([_tool("pdftoppm"), "-r", "200", "-f", "1", "-l", "1", "-gray", "-png", str(pdf), str(prefix)],
                   check=True, timeout=60)
    png = next(tmp_path.glob(prefix.name + "-*1.png"))
    assert cv2.imread(str(png)) is not None
    return [d.text for d in decode_file(png) if d.kind == "QRCODE"]


def squeeze(text: str) -> str:
    """Text without any whitespace: line wrapping and table layout change only that."""
    return "".join(text.split())


# -- the test printer (the fixture test_printer is in tests/conftest.py) ------------------------------
def new_pdfs(folder: Path, before: set[Path], timeout: float = 60) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [p for p in set(folder.glob("*.pdf")) - before
                 if subprocess.run([_tool("pdfinfo"), str(p)], capture_output=True, timeout=30).returncode == 0]
        if fresh:
            return fresh
        time.sleep(0.2)
    return []


# -- the page carries exactly the slip's text -------------------------------------------------------
@pytest.fixture
def forms(cases, tmp_path, admin) -> dict[str, Path]:  # noqa: F811 (cases: the imported fixture)
    src = tmp_path / "docx"
    return {
        "01": receipt(cases.done, src / "f01.docx", actor=admin),
        "01-A5": receipt(cases.done, src / "f01a5.docx", paper="A5", actor=admin),
        "02": supplement_request(cases.done, src / "f02.docx", actor=admin),
        "03": refusal(cases.refused, src / "f03.docx", actor=admin),
        "04": apology(cases.done, src / "f04.docx", actor=admin),
        "05": stop_notice(cases.done, src / "f05.docx", actor=admin),
        "06": control_slip(cases.done, src / "f06.docx", actor=admin),
        "07": log_book(date(2026, 11, 1), date(2026, 11, 30), src / "f07.docx", clock=CLOCK, actor=admin),
    }


PAGE_SIZES = {"01": (595.3, 841.9), "01-A5": (419.5, 595.3), "07": (841.9, 595.3)}  # points: A4, A5, A4 across


def page_size(pdf: Path) -> tuple[float, float]:
    width, _x, height = pdf_info(pdf)["Page size"].split()[:3]
    return float(width), float(height)


def same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1  # Qt rounds the PDF's page box to whole points


def test_every_form_prints_exactly_its_text(forms, tmp_path):
    """Every paragraph and table cell of the .docx, in order, and nothing else, on A4, A5 and landscape."""
    for form, docx in forms.items():
        pdf = tmp_path / f"{form}.pdf"
        pages = render_pdf(docx, pdf)
        assert pages == 1, form  # each slip fits its page, as it does in Word
        assert squeeze(pdf_text(pdf, raw=True)) == squeeze("".join(lines(docx))), form
        assert pdf_info(pdf)["Pages"] == "1"
        assert same_size(page_size(pdf), PAGE_SIZES.get(form, PAGE_SIZES["01"])), (form, page_size(pdf))
    shown = " ".join(pdf_text(tmp_path / "01.pdf").split())  # as a reader sees it, diacritics intact
    assert f"tiếp nhận hồ sơ của: Bà {TUYET}" in shown
    assert "Độc lập - Tự do - Hạnh phúc" in shown and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in shown
    assert BINH in " ".join(pdf_text(tmp_path / "03.pdf").split())


def test_a_long_log_book_repeats_its_header_on_every_page(office, tmp_path, admin):
    from desk.services.intake import Applicant, IntakeRequest, register
    from tests.services.test_documents import t

    names = [f"{a} {b} {c}" for a in ("Trần", "Lê", "Phạm", "Hoàng", "Vũ") for b in ("Thị", "Văn", "Minh")
             for c in ("Hường", "Ánh", "Tuyết")]
    for i, name in enumerate(names):
        register(IntakeRequest("T-TTHN", Applicant(name=name, address="Số 5, Tổ 2, Phường Trần Phú"),
                               received_at=t(23, 7 + i // 6, (i % 6) * 10)), clock=CLOCK, actor=admin)
    book = log_book(date(2026, 11, 23), date(2026, 11, 23), tmp_path / "so.docx", clock=CLOCK, actor=admin)
    pdf = tmp_path / "so.pdf"
    pages = render_pdf(book, pdf)
    assert pages >= 2 and pdf_info(pdf)["Pages"] == str(pages)
    for page in range(1, pages + 1):
        text = subprocess.run([_tool("pdftotext"), "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, timeout=60, check=True).stdout
        assert "Mã hồ sơ" in text and "Tên TTHC" in text, page  # the header rows, on each page
    printed = squeeze(pdf_text(pdf, raw=True))
    assert all(squeeze(name) in printed for name in names)


def test_the_page_description_follows_the_docx(forms):
    a4, a5, book = (read_printable(forms[k]) for k in ("01", "01-A5", "07"))
    assert (round(a4.width_mm), round(a4.height_mm)) == (210, 297)
    assert [round(m, 1) for m in a4.margins_mm] == [30.0, 20.0, 20.0, 20.0]  # left, top, right, bottom
    assert (round(a5.width_mm), round(a5.height_mm), a5.landscape) == (148, 210, False)
    assert (round(book.width_mm), round(book.height_mm), book.landscape) == (297, 210, True)
    assert (a4.font_family, a4.font_pt, a5.font_pt) == ("Times New Roman", 13, 9.5)
    assert len(a4.images) == 2  # the QR code and the Code 128
    qr = min(a4.images.values(), key=lambda p: p.width_px / p.height_px)
    assert qr.width_px == qr.height_px and qr.width_px / 96 * 2.54 >= 3.0  # the symbol keeps its 3 cm
    assert a4.html.count("<thead>") == 1 and book.html.count("<thead>") == 1  # header rows repeat on each page
    assert "border-bottom" in a4.html  # the short rule under the issuing body


def test_a_vietnamese_serif_font_is_used(forms, tmp_path):
    from PyQt6.QtGui import QFontDatabase

    family = font_family("Times New Roman")
    assert family in QFontDatabase.families(QFontDatabase.WritingSystem.Vietnamese)
    assert font_family("No Such Font Family") in QFontDatabase.families(QFontDatabase.WritingSystem.Vietnamese)
    pdf = tmp_path / "01.pdf"
    render_pdf(forms["01"], pdf)
    fonts = subprocess.run([_tool("pdffonts"), str(pdf)], capture_output=True, text=True, timeout=60).stdout
    assert family.replace(" ", "") in fonts.replace(" ", "")  # embedded, so any printer shows the same glyphs


def test_preview_paints_on_a_qprinter(forms, tmp_path):
    """paint_document is what QPrintPreviewDialog.paintRequested calls: the same renderer on a QPrinter."""
    from PyQt6.QtPrintSupport import QPrinter

    qprinter = QPrinter(QPrinter.PrinterMode.HighResolution)
    qprinter.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    qprinter.setOutputFileName(str(tmp_path / "preview.pdf"))
    paint_document(forms["01-A5"], qprinter)
    assert squeeze(pdf_text(tmp_path / "preview.pdf", raw=True)) == squeeze("".join(lines(forms["01-A5"])))
    assert same_size(page_size(tmp_path / "preview.pdf"), PAGE_SIZES["01-A5"])


def test_rendering_from_a_worker_thread(forms, tmp_path):
    """The desk prints from its background-operation helper: a Python thread while the QApplication runs."""
    result: dict[str, object] = {}

    def work() -> None:
        try:
            result["pages"] = render_pdf(forms["01"], tmp_path / "thread.pdf")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            result["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(60)
    assert "error" not in result, result.get("error")
    assert result["pages"] == 1
    assert squeeze(pdf_text(tmp_path / "thread.pdf", raw=True)) == squeeze("".join(lines(forms["01"])))


def test_printing_from_a_worker_thread(forms, test_printer):
    """print_document itself, the call the desk's background operation makes, on a Python thread."""
    name, folder = test_printer
    result: dict[str, object] = {}

    def work() -> None:
        try:
            result["job"] = SystemPrinter().print_document(forms["01-A5"], printer=name, title="Mẫu 01")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            result["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(120)
    assert "error" not in result, result.get("error")
    job = result["job"]
    assert isinstance(job, PrintJob) and job.printer == name
    assert "000.00.13.H42-261123-0001" in pdf_text(printed_pdf(folder, job.job_id))


def test_missing_and_unreadable_files_are_refused(tmp_path):
    with pytest.raises(DeskError, match="Không có văn bản cần in"):
        SystemPrinter().print_document(tmp_path / "nothing.docx")
    junk = tmp_path / "mau01.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(DeskError, match="không phải văn bản Word"):
        SystemPrinter().print_document(junk)
    assert junk.read_bytes() == b"not a zip"


def test_an_unwritable_pdf_is_a_clear_refusal(forms, tmp_path):
    with pytest.raises(DeskError, match="Không ghi được tệp PDF x.pdf"):
        render_pdf(forms["02"], tmp_path / "no" / "such" / "x.pdf")


def test_fake_printer(tmp_path):
    printer = FakePrinter()
    assert printer.print_document(tmp_path / "a.docx") == PrintJob("Fake", "fake-1", 1)
    assert printer.print_document(tmp_path / "b.docx", printer="X", title="t").job_id == "fake-2"
    assert printer.printed == [tmp_path / "a.docx", tmp_path / "b.docx"]
    assert printer.calls == [(tmp_path / "a.docx", ""), (tmp_path / "b.docx", "X")]
    refusing = FakePrinter(fail=True)
    with pytest.raises(PrinterUnavailable, match="Văn bản đã được lưu"):
        refusing.print_document(tmp_path / "a.docx")
    assert refusing.printed == [] and refusing.calls == [(tmp_path / "a.docx", "")]
    slow = FakePrinter(delay=0.3)
    start = time.monotonic()
    slow.print_document(tmp_path / "a.docx")
    assert time.monotonic() - start >= 0.3


# -- real jobs through CUPS ------------------------------------------------------------------------
def page_pixels(pdf: Path, tmp_path: Path, dpi: int = 50):
    prefix = tmp_path / f"{pdf.stem}-{dpi}"
    subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-png", str(pdf), str(prefix)],
                   check=True, timeout=60)
    return cv2.imread(str(next(tmp_path.glob(prefix.name + "-*1.png"))), cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_a_receipt_reaches_the_printer(cases, tmp_path, admin, test_printer, paper):  # noqa: F811
    """A real job: accepted with a request id, printed with the code, the diacritics and a QR that scans.

    CUPS-PDF re-makes the PDF through PostScript and Ghostscript, which keeps the text of ASCII and
    Latin-1 only (scripts/cups-test-printer.sh): the code is read from the printed text, the Vietnamese
    name from the desk's own rendering, and the printed page must look like that rendering.
    """
    name, folder = test_printer
    slip = receipt(cases.done, tmp_path / f"mau01-{paper}.docx", paper=paper, actor=admin)
    job = SystemPrinter().print_document(slip, printer=name, title=f"Mẫu 01 {cases.done}")
    assert job.printer == name and re.fullmatch(rf"{name}-\d+", job.job_id) and job.pages == 1
    printed = printed_pdf(folder, job.job_id)
    assert cases.done in " ".join(pdf_text(printed).split())
    assert qr_codes(printed, tmp_path) == [make_payload(cases.done, current_office().secret)]
    ours = tmp_path / "ours.pdf"
    render_pdf(slip, ours)
    assert f"Bà {TUYET}" in " ".join(pdf_text(ours).split())  # "Nguyễn Thị Ánh Tuyết", diacritics and all
    assert same_size(page_size(printed), page_size(ours))
    a, b = page_pixels(printed, tmp_path), page_pixels(ours, tmp_path)
    assert abs(a.shape[0] - b.shape[0]) <= 1 and abs(a.shape[1] - b.shape[1]) <= 1  # page boxes rounded
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    a, b = a[:h, :w], b[:h, :w]
    # the same page, glyphs redrawn by Ghostscript aside (a mirrored page scores ~18, another form more)
    assert float(cv2.absdiff(cv2.GaussianBlur(a, (5, 5), 0), cv2.GaussianBlur(b, (5, 5), 0)).mean()) < 6.0
    assert slip.exists()


def test_the_windows_path_uses_qt_s_own_printer(forms, test_printer, monkeypatch):
    """On Windows the native QPrinter prints; Qt's CUPS engine runs the same code here, so run it for real."""
    name, folder = test_printer
    monkeypatch.setattr(printing, "lp_command", lambda: pytest.fail("lp is not used on Windows"))
    before = set(folder.glob("*.pdf"))
    job = SystemPrinter(platform="win32").print_document(forms["01"], printer=name, title="Mẫu 01")
    assert job == PrintJob(name, "", 1)
    arrived = new_pdfs(folder, before)
    assert len(arrived) == 1 and "000.00.13.H42-261123-0001" in " ".join(pdf_text(arrived[0]).split())
    with pytest.raises(PrinterUnavailable, match="không có máy in nào tên Máy-in-không-có"):
        SystemPrinter(platform="win32").print_document(forms["01"], printer="Máy-in-không-có")


def test_cups_path_is_chosen_off_windows(forms, monkeypatch):
    chosen = []
    monkeypatch.setattr(SystemPrinter, "_print_native", lambda self, *a: chosen.append("native") or PrintJob("", "", 1))
    monkeypatch.setattr(SystemPrinter, "_print_cups", lambda self, *a: chosen.append("cups") or PrintJob("", "", 1))
    for platform in ("linux", "darwin", "win32"):
        SystemPrinter(platform=platform).print_document(forms["02"])
    assert chosen == ["cups", "cups", "native"]


def test_an_unknown_printer_is_a_clear_refusal(forms, test_printer):
    with pytest.raises(PrinterUnavailable) as refused:
        SystemPrinter().print_document(forms["01"], printer="Máy-in-không-có")
    assert str(refused.value) == "Máy này không có máy in nào tên Máy-in-không-có. Văn bản đã được lưu."
    assert forms["01"].exists()


def test_a_queue_refusing_jobs_is_a_clear_refusal(forms, test_printer):
    name, folder = test_printer
    before = set(folder.glob("*.pdf"))
    subprocess.run(["cupsreject", name], check=True, timeout=30)
    try:
        with pytest.raises(PrinterUnavailable, match=f"Máy in {name} hiện không nhận lệnh in"):
            SystemPrinter().print_document(forms["01"], printer=name)
    finally:
        subprocess.run(["cupsaccept", name], check=True, timeout=30)
    assert set(folder.glob("*.pdf")) == before
    assert SystemPrinter().print_document(forms["01"], printer=name).printer == name  # accepted again


def test_the_scheduler_down_is_a_clear_refusal(forms, test_printer, monkeypatch):
    """lp then claims the printer does not exist; the desk says the printing service is not running."""
    monkeypatch.setenv("CUPS_SERVER", "127.0.0.1:9")  # a port nothing listens on: as if cupsd were stopped
    for name in (test_printer[0], ""):
        with pytest.raises(PrinterUnavailable, match=r"Dịch vụ in của máy này \(CUPS\) không chạy"):
            SystemPrinter().print_document(forms["01"], printer=name)


def _fake_lp(tmp_path: Path, script: str) -> str:
    lp = tmp_path / "lp"
    lp.write_text("#!/bin/sh\n" + script + "\n")
    lp.chmod(0o755)
    return str(lp)


def test_no_lp_no_default_and_a_timeout_are_clear_refusals(forms, tmp_path, monkeypatch):
    monkeypatch.setattr(printing, "lp_command", lambda: None)
    with pytest.raises(PrinterUnavailable, match=r"cần có CUPS \(lệnh lp\)"):
        SystemPrinter().print_document(forms["01"])
    no_default = _fake_lp(tmp_path, 'echo "lp: Error - No default destination." >&2; exit 1')
    monkeypatch.setattr(printing, "lp_command", lambda: no_default)
    monkeypatch.setattr(printing, "_scheduler_down", lambda lp, env: False)
    with pytest.raises(PrinterUnavailable, match="Máy này chưa đặt máy in mặc định. Văn bản đã được lưu"):
        SystemPrinter().print_document(forms["01"])
    silent = _fake_lp(tmp_path, "exit 0")  # a zero exit without a request id is no acceptance
    monkeypatch.setattr(printing, "lp_command", lambda: silent)
    with pytest.raises(PrinterUnavailable, match="không nhận văn bản"):
        SystemPrinter().print_document(forms["01"], printer="X")
    stuck = _fake_lp(tmp_path, "exec sleep 30")
    monkeypatch.setattr(printing, "lp_command", lambda: stuck)
    start = time.monotonic()
    with pytest.raises(PrinterUnavailable, match="Dịch vụ in không trả lời trong 1 giây"):
        SystemPrinter(timeout=1).print_document(forms["01"], printer="X")
    assert time.monotonic() - start < 10
    assert forms["01"].exists()


def test_what_the_print_system_knows(test_printer):
    assert test_printer[0] in available_printers()
    assert isinstance(default_printer(), str)
