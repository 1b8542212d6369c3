"""Printing: a missing printer is a clear message, never a crash; the fake records what it printed."""

from __future__ import annotations

import shutil

import pytest

from desk.hardware.printing import FakePrinter, PrinterUnavailable, SystemPrinter
from desk.services.errors import DeskError


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DeskError, match="Không có văn bản cần in"):
        SystemPrinter().print_file(tmp_path / "nothing.docx")


def test_no_printer_set_up(tmp_path, monkeypatch):
    doc = tmp_path / "mau01.docx"
    doc.write_bytes(b"x")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(PrinterUnavailable, match="Văn bản đã được lưu"):
        SystemPrinter().print_file(doc)
    assert doc.exists()


def test_fake_printer(tmp_path):
    printer = FakePrinter()
    printer.print_file(tmp_path / "a.docx")
    assert printer.printed == [tmp_path / "a.docx"]
    with pytest.raises(PrinterUnavailable):
        FakePrinter(fail=True).print_file(tmp_path / "a.docx")
