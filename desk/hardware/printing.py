"""Printing slips: a small interface so views can print and tests can use a fake printer.

The interface is the one in the printing contract: ``print_document`` returns a :class:`PrintJob` only when
the print system accepted the document and raises :class:`PrinterUnavailable` otherwise, so a screen says
"sent to the printer" only when it was. The system printer's body here is still the LibreOffice one
(``soffice -p``/``--pt``, the Windows "print" verb); the Qt renderer replaces it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from desk.i18n import _
from desk.services.errors import DeskError

if TYPE_CHECKING:
    from PyQt6.QtPrintSupport import QPrinter


@dataclass(frozen=True)
class PrintJob:
    """What the print system accepted: which printer, its job id ("" when it gave none), how many pages."""

    printer: str
    job_id: str
    pages: int


class PrinterUnavailable(DeskError):
    """Nothing was accepted for printing; the document is still saved and can be printed again."""


class Printer(Protocol):
    def print_document(self, path: Path, *, printer: str = "", title: str = "") -> PrintJob: ...


def available_printers() -> list[str]:
    """The printers the print system knows on this computer (may be empty)."""
    from PyQt6.QtPrintSupport import QPrinterInfo

    return list(QPrinterInfo.availablePrinterNames())


def default_printer() -> str:
    """The system's default printer, "" when none is set."""
    from PyQt6.QtPrintSupport import QPrinterInfo

    return QPrinterInfo.defaultPrinterName()


def paint_document(path: Path, printer: QPrinter) -> None:
    """Lay the document out on ``printer`` (print previews). The renderer comes with the Qt print path."""
    raise PrinterUnavailable(_("The print preview is not available on this computer. The document was saved: "
                               "{name}").format(name=Path(path).name))


class SystemPrinter:
    """The desk's printers (the chosen one, or the system default)."""

    def __init__(self, timeout: float = 120):
        self.timeout = timeout

    def print_document(self, path: Path, *, printer: str = "", title: str = "") -> PrintJob:
        path = Path(path)
        if not path.exists():
            raise DeskError(_("The document to print does not exist: {name}").format(name=path.name))
        if sys.platform.startswith("win"):
            try:
                os.startfile(str(path), "print")  # type: ignore[attr-defined]
            except OSError as exc:
                raise PrinterUnavailable(_("No printer is ready ({error}). The document was saved; open it and "
                                           "print it from there.").format(error=exc)) from exc
            return PrintJob(printer or default_printer(), "", 1)
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None or shutil.which("lpstat") is None:
            raise PrinterUnavailable(_("Printing needs LibreOffice and a printer set up on this computer. "
                                       "The document was saved; open it and print it from there."))
        if not printer:
            check = subprocess.run(["lpstat", "-d"], capture_output=True, text=True, timeout=10)
            if check.returncode != 0 or "no system default" in (check.stdout + check.stderr).lower():
                raise PrinterUnavailable(_("No default printer is set up on this computer. The document was "
                                           "saved; open it and print it from there."))
        command = [soffice, "--headless", "--pt", printer, str(path)] if printer else [
            soffice, "--headless", "-p", str(path)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout)
        if result.returncode != 0:
            raise PrinterUnavailable(_("The printer did not accept the document ({error}). The document was saved; "
                                       "open it and print it from there.").format(error=result.stderr.strip()[:200]))
        return PrintJob(printer or default_printer(), "", 1)


class FakePrinter:
    """Records what would have been printed (tests, demos); ``delay`` seconds per job, ``fail`` refuses all.

    ``printed`` lists the documents accepted; ``calls`` every request as (document, printer name asked for).
    """

    def __init__(self, fail: bool = False, delay: float = 0.0):
        self.printed: list[Path] = []
        self.calls: list[tuple[Path, str]] = []
        self.fail = fail
        self.delay = delay
        self._lock = threading.Lock()

    def print_document(self, path: Path, *, printer: str = "", title: str = "") -> PrintJob:
        with self._lock:
            self.calls.append((Path(path), printer))
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise PrinterUnavailable(_("No default printer is set up on this computer. The document was saved; "
                                       "open it and print it from there."))
        with self._lock:
            self.printed.append(Path(path))
            return PrintJob("Fake", f"fake-{len(self.printed)}", 1)
