"""Printing slips through Qt's print system: no LibreOffice or Word on the path.

A slip is the .docx desk.services.documents wrote. desk.hardware.printable reads it back as HTML plus
its pictures, paper and margins; here a QTextDocument lays that out on the page of the paint device,
in Times New Roman or a serif font with Vietnamese glyphs, and paints it page by page. One renderer
serves the preview dialog (paint_document on a QPrinter), PDF files (render_pdf) and the printers.

How a job reaches the printer (docs/DECISIONS.md D26):
- CUPS (Linux, macOS): the page is rendered to a PDF with Qt and handed to ``lp -d NAME``; the job
  counts as accepted when lp answers "request id is NAME-N". Qt's own CUPS engine is not used for
  that: it never says whether CUPS accepted the job (an unknown name silently prints on the default
  printer, a queue refusing jobs silently drops it, and QPainter.end() is True either way).
- Windows: a native QPrinter on the named printer; QPainter.begin()/end() refusing means not accepted.

Every refusal is a PrinterUnavailable with one Vietnamese sentence; the .docx stays saved. All of it
may run on a worker thread (no widgets are touched), once a QGuiApplication exists; the command line
gets an offscreen one on its first print.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from desk.errors import DeskError
from desk.i18n import _

if TYPE_CHECKING:
    from PyQt6.QtGui import QAbstractTextDocumentLayout, QPagedPaintDevice, QPageLayout, QTextDocument
    from PyQt6.QtPrintSupport import QPrinter

    from desk.hardware.printable import Printable

PDF_DPI = 600  # what the PDF for CUPS is laid out at (text stays vector; only the layout grid)
LP_TIMEOUT = 60.0  # seconds lp may take to hand the file to the scheduler
# Serif families with Vietnamese glyphs, Times New Roman's look-alikes first (Liberation Serif and
# Tinos share its metrics, so lines break where Word breaks them).
SERIF_FONTS = ("Times New Roman", "Liberation Serif", "Tinos", "Times", "Nimbus Roman", "TeX Gyre Termes",
               "DejaVu Serif", "Noto Serif", "FreeSerif")
_LP_PLACES = ("/usr/bin/lp", "/usr/local/bin/lp", "/opt/homebrew/bin/lp")  # a desktop's PATH may lack them


@dataclass(frozen=True)
class PrintJob:
    """A job the print system accepted."""

    printer: str  # the queue/printer that accepted it
    job_id: str  # what the print system answered (CUPS "DeskPDF-12"; Windows: "" if none given)
    pages: int


class PrinterUnavailable(DeskError):
    """Nothing was accepted: one clear sentence, and the document is still saved and can be opened."""


class Printer(Protocol):
    def print_document(self, path: Path, *, printer: str = "", title: str = "") -> PrintJob: ...


def _kept(reason: str) -> PrinterUnavailable:
    return PrinterUnavailable(_("{reason} The document was saved.").format(  # the caller says where and how to retry
        reason=reason))


# -- Qt set-up -------------------------------------------------------------------------------------
_APP = None  # the offscreen application made for printing without a window (the CLI)


def _ensure_gui() -> None:
    """Fonts and painting need a QGuiApplication; the command line has none, so make an offscreen one.

    A QApplication, not a bare QGuiApplication: widgets made later in the same process (a test run,
    the preview dialog) need one, and Qt allows only one application object per process.
    """
    global _APP
    from PyQt6.QtCore import QCoreApplication
    from PyQt6.QtGui import QGuiApplication
    from PyQt6.QtWidgets import QApplication

    app = QCoreApplication.instance()
    if isinstance(app, QGuiApplication):
        return
    if app is not None or threading.current_thread() is not threading.main_thread():
        raise RuntimeError("printing needs a QGuiApplication made on the main thread first")
    args = [sys.argv[0] if sys.argv else "onestop-desk"]
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
        args += ["-platform", "offscreen"]  # no display needed to print
    _APP = QApplication(args)


@lru_cache(maxsize=8)
def font_family(wanted: str = "Times New Roman") -> str:
    """The document's font when installed, else the first serif font here that has Vietnamese glyphs."""
    from PyQt6.QtGui import QFontDatabase

    vietnamese = set(QFontDatabase.families(QFontDatabase.WritingSystem.Vietnamese))
    for family in (wanted, *SERIF_FONTS):
        if family in vietnamese:
            return family
    return next(iter(sorted(vietnamese)), wanted)  # fontconfig substitutes when even that is empty


def _page_layout(page: Printable) -> QPageLayout:
    from PyQt6.QtCore import QMarginsF, QSizeF
    from PyQt6.QtGui import QPageLayout, QPageSize

    short, long = sorted((page.width_mm, page.height_mm))
    size = QPageSize(QSizeF(short, long), QPageSize.Unit.Millimeter, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orientation = QPageLayout.Orientation.Landscape if page.landscape else QPageLayout.Orientation.Portrait
    left, top, right, bottom = page.margins_mm
    return QPageLayout(size, orientation, QMarginsF(left, top, right, bottom), QPageLayout.Unit.Millimeter)


def _set_page(device: QPagedPaintDevice, page: Printable) -> None:
    """The docx's paper, orientation and margins on the device (a printer may widen too-small margins)."""
    from PyQt6.QtGui import QPageLayout

    layout = _page_layout(page)
    if not device.setPageLayout(layout):  # margins inside the printer's unprintable border: keep its minimum
        device.setPageSize(layout.pageSize())
        device.setPageOrientation(layout.orientation())
        device.setPageMargins(layout.margins(), QPageLayout.Unit.Millimeter)


def _layout_of(doc: QTextDocument) -> QAbstractTextDocumentLayout:
    """The document's layout; a QTextDocument always has one (the stub allows None)."""
    layout = doc.documentLayout()
    assert layout is not None
    return layout


def build_document(page: Printable, device: QPagedPaintDevice) -> QTextDocument:
    """The page description laid out for the device's page (its resolution, its printable rectangle)."""
    from PyQt6.QtCore import QSizeF, QUrl
    from PyQt6.QtGui import QFont, QImage, QTextDocument

    doc = QTextDocument()
    _layout_of(doc).setPaintDevice(device)
    doc.setUseDesignMetrics(True)  # glyph advances independent of the device: same line breaks everywhere
    doc.setDocumentMargin(0)  # the page margins are the device's
    font = QFont(font_family(page.font_family))
    font.setPointSizeF(page.font_pt)
    doc.setDefaultFont(font)
    for name, picture in page.images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), QImage.fromData(picture.data))
    doc.setHtml(page.html)
    rect = device.pageLayout().paintRectPixels(device.logicalDpiX())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    return doc


def _paint_pages(page: Printable, device: QPagedPaintDevice) -> int:
    """Lay out and paint every page on a device whose page is set; returns the page count."""
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QAbstractTextDocumentLayout, QPainter

    doc = build_document(page, device)
    painter = QPainter()
    if not painter.begin(device):
        raise _kept(_("The printer could not start the job."))
    size = doc.pageSize()
    count = doc.pageCount()
    layout = _layout_of(doc)
    for index in range(count):
        if index:
            device.newPage()
        painter.save()
        top = index * size.height()
        painter.translate(0, -top)
        # only the page's slice of the document; sideways a table may overhang the margins (the header)
        clip = QRectF(-size.width(), top, 3 * size.width(), size.height())
        painter.setClipRect(clip)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = clip
        layout.draw(painter, context)
        painter.restore()
    if not painter.end():
        raise _kept(_("The printer did not take the pages."))
    return count


def paint_document(path: Path, printer: QPrinter) -> None:
    """Lay the .docx out on a QPrinter (QPrintPreviewDialog.paintRequested, the Windows spooler)."""
    _ensure_gui()
    from desk.hardware.printable import read_printable  # python-docx: loaded on the first print, not at start

    page = read_printable(path)
    _set_page(printer, page)
    _paint_pages(page, printer)


def _write_pdf(page: Printable, out_pdf: Path, title: str) -> int:
    from PyQt6.QtGui import QPdfWriter

    writer = QPdfWriter(str(out_pdf))
    writer.setResolution(PDF_DPI)
    writer.setTitle(title)
    writer.setCreator("OneStop Desk")
    _set_page(writer, page)
    try:
        return _paint_pages(page, writer)
    except PrinterUnavailable as exc:  # QPdfWriter cannot open the file (folder missing, disk full)
        raise _kept(_("The PDF file {name} could not be written.").format(name=Path(out_pdf).name)) from exc
    finally:
        del writer  # closes the file now, not whenever Python collects it


def render_pdf(path: Path, out_pdf: Path) -> int:
    """The same renderer into a PDF file; returns its page count."""
    _ensure_gui()
    from desk.hardware.printable import read_printable  # python-docx: loaded on the first print, not at start

    page = read_printable(path)
    return _write_pdf(page, Path(out_pdf), page.title)


# -- what the print system knows -------------------------------------------------------------------
def available_printers() -> list[str]:
    """The printers and queues the print system knows here (may be empty)."""
    from PyQt6.QtPrintSupport import QPrinterInfo

    _ensure_gui()
    return list(QPrinterInfo.availablePrinterNames())


def default_printer() -> str:
    """The system's default printer; "" when none is set."""
    from PyQt6.QtPrintSupport import QPrinterInfo

    _ensure_gui()
    return QPrinterInfo.defaultPrinterName()


# -- printing --------------------------------------------------------------------------------------
def lp_command() -> str | None:
    """CUPS' lp: on PATH, or where CUPS installs it (a desktop launcher's PATH can be short)."""
    return shutil.which("lp") or next((p for p in _LP_PLACES if os.access(p, os.X_OK)), None)


_REQUEST = re.compile(r"request id is (\S+)")


def _scheduler_down(lp: str, env: dict[str, str]) -> bool:
    """Whether CUPS' scheduler is unreachable: lp then says "the printer does not exist" instead."""
    lpstat = shutil.which("lpstat") or str(Path(lp).with_name("lpstat"))
    try:
        done = subprocess.run([lpstat, "-r"], capture_output=True, text=True, timeout=10, env=env,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "not running" in done.stdout + done.stderr


def _lp_refusal(printer: str, answer: str, *, scheduler_down: bool = False) -> PrinterUnavailable:
    """lp's complaint (C locale) as one Vietnamese sentence."""
    text = answer.lower()
    name = printer or _("the default printer")
    if scheduler_down:
        return _kept(_("The printing service of this computer (CUPS) is not running."))
    if "does not exist" in text or "unknown destination" in text or "not found" in text:
        return _kept(_("There is no printer named {name} on this computer.").format(name=printer))
    if "no default destination" in text:
        return _kept(_("No default printer is set up on this computer."))
    if "not accepting" in text:
        return _kept(_("The printer {name} is not accepting jobs now (stopped or paused in the print "
                       "settings).").format(name=name))
    if "unable to connect" in text or "connection refused" in text or "scheduler is not running" in text:
        return _kept(_("The printing service of this computer (CUPS) is not running."))
    detail = " ".join(answer.split())[:200] or _("no answer")
    return _kept(_("The printer {name} did not accept the document ({error}).").format(name=name, error=detail))


_MEDIA = {(210, 297): "A4", (148, 210): "A5", (216, 279): "Letter"}


def cups_media(page: Printable) -> str:
    """The paper to ask CUPS for: the docx's own (an A5 receipt on A5 paper, not shrunk onto A4)."""
    short, long = sorted((round(page.width_mm), round(page.height_mm)))
    return _MEDIA.get((short, long), f"Custom.{short}x{long}mm")


class SystemPrinter:
    """The desk's printers: CUPS through a Qt-rendered PDF and ``lp``, or the Windows spooler."""

    def __init__(self, timeout: float = LP_TIMEOUT, platform: str | None = None):
        self.timeout = timeout
        self.platform = platform or sys.platform

    def print_document(self, path: Path, *, printer: str = "", title: str = "") -> PrintJob:
        """Print the .docx on ``printer`` ("" = the default); returns once the print system accepted it."""
        path = Path(path)
        from desk.hardware.printable import read_printable

        page = read_printable(path)  # a missing or unreadable file: a DeskError before any printer is asked
        title = title or page.title or path.stem
        if self.platform.startswith("win"):
            return self._print_native(page, printer.strip(), title)
        return self._print_cups(page, printer.strip(), title)

    def _print_cups(self, page: Printable, printer: str, title: str) -> PrintJob:
        lp = lp_command()
        if lp is None:
            raise _kept(_("Printing needs CUPS (the lp command), which is not installed on this computer."))
        _ensure_gui()
        with tempfile.TemporaryDirectory(prefix="desk-print-") as folder:
            pdf = Path(folder) / "slip.pdf"
            pages = _write_pdf(page, pdf, title)
            command = [lp, *(["-d", printer] if printer else []), "-t", title, "-o", f"media={cups_media(page)}",
                       "--", str(pdf)]
            env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # lp's answer in English, the words we read
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout, env=env,
                                      stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired as exc:
                raise _kept(_("The printing service did not answer within {seconds} seconds.").format(
                    seconds=round(self.timeout))) from exc
            except OSError as exc:
                raise _kept(_("The lp command could not be started ({error}).").format(error=exc.strerror or exc)) \
                    from exc
        found = _REQUEST.search(done.stdout)
        if done.returncode != 0 or found is None:
            answer = done.stderr + done.stdout
            lost = "does not exist" in answer or "No default destination" in answer
            raise _lp_refusal(printer, answer, scheduler_down=lost and _scheduler_down(lp, env))
        job = found.group(1)
        return PrintJob(printer or job.rsplit("-", 1)[0], job, pages)

    def _print_native(self, page: Printable, printer: str, title: str) -> PrintJob:
        """Windows: the named printer through Qt's own print engine (the spooler says yes or no)."""
        from PyQt6.QtPrintSupport import QPrinter, QPrinterInfo

        _ensure_gui()
        name = printer or QPrinterInfo.defaultPrinterName()
        if not name:
            raise _kept(_("No default printer is set up on this computer."))
        if name not in QPrinterInfo.availablePrinterNames():
            raise _kept(_("There is no printer named {name} on this computer.").format(name=name))
        device = QPrinter(QPrinter.PrinterMode.HighResolution)
        device.setPrinterName(name)
        if device.printerName() != name:  # Qt falls back to the default printer without a word
            raise _kept(_("There is no printer named {name} on this computer.").format(name=name))
        device.setDocName(title)
        _set_page(device, page)
        pages = _paint_pages(page, device)
        return PrintJob(name, "", pages)


class FakePrinter:
    """Records what would have been printed (tests, demos): ``fail`` refuses, ``delay`` seconds per job."""

    def __init__(self, fail: bool = False, delay: float = 0.0):
        self.printed: list[Path] = []
        self.calls: list[tuple[Path, str]] = []  # every job asked for, with the printer it named
        self.fail = fail
        self.delay = delay

    def print_document(self, path: Path, *, printer: str = "", title: str = "") -> PrintJob:
        self.calls.append((Path(path), printer))
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise _kept(_("No default printer is set up on this computer."))
        self.printed.append(Path(path))
        return PrintJob("Fake", f"fake-{len(self.printed)}", 1)


__all__ = ["FakePrinter", "PrintJob", "Printer", "PrinterUnavailable", "SystemPrinter", "available_printers",
           "default_printer", "font_family", "paint_document", "render_pdf"]
