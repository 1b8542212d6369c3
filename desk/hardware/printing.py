"""Printing slips: a small interface so views can print and tests can use a fake printer.

The slips are .docx files. On a desk machine they go to the default printer through LibreOffice
(``soffice -p``, Linux/macOS) or the Windows shell's "print" verb; when neither is there the caller
opens the document for the clerk instead (one more click, nothing lost).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from desk.i18n import _
from desk.services.errors import DeskError


class PrinterUnavailable(DeskError):
    """No way to print here; the document is still saved and can be opened."""


class Printer(Protocol):
    def print_file(self, path: Path) -> None: ...


class SystemPrinter:
    """The desk's default printer."""

    def __init__(self, timeout: float = 120):
        self.timeout = timeout

    def print_file(self, path: Path) -> None:
        path = Path(path)
        if not path.exists():
            raise DeskError(_("The document to print does not exist: {name}").format(name=path.name))
        if sys.platform.startswith("win"):
            try:
                os.startfile(str(path), "print")  # type: ignore[attr-defined]
            except OSError as exc:
                raise PrinterUnavailable(_("No printer is ready ({error}). The document was saved; open it and "
                                           "print it from there.").format(error=exc)) from exc
            return
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None or shutil.which("lpstat") is None:
            raise PrinterUnavailable(_("Printing needs LibreOffice and a printer set up on this computer. "
                                       "The document was saved; open it and print it from there."))
        check = subprocess.run(["lpstat", "-d"], capture_output=True, text=True, timeout=10)
        if check.returncode != 0 or "no system default" in (check.stdout + check.stderr).lower():
            raise PrinterUnavailable(_("No default printer is set up on this computer. The document was saved; "
                                       "open it and print it from there."))
        result = subprocess.run([soffice, "--headless", "-p", str(path)], capture_output=True, text=True,
                                timeout=self.timeout)
        if result.returncode != 0:
            raise PrinterUnavailable(_("The printer did not accept the document ({error}). The document was saved; "
                                       "open it and print it from there.").format(error=result.stderr.strip()[:200]))


class FakePrinter:
    """Records what would have been printed (tests, demos)."""

    def __init__(self, fail: bool = False):
        self.printed: list[Path] = []
        self.fail = fail

    def print_file(self, path: Path) -> None:
        if self.fail:
            raise PrinterUnavailable(_("No default printer is set up on this computer. The document was saved; "
                                       "open it and print it from there."))
        self.printed.append(Path(path))
