"""Printing: a missing printer is a clear message, never a crash; the fake records what it printed."""

from __future__ import annotations

import shutil

import pytest

from desk.hardware.printing import FakePrinter, PrinterUnavailable, PrintJob, SystemPrinter
from desk.services.errors import DeskError


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DeskError, match="Không có văn bản cần in"):
        SystemPrinter().print_document(tmp_path / "nothing.docx")


def test_no_printer_set_up(tmp_path, monkeypatch):
    doc = tmp_path / "mau01.docx"
    doc.write_bytes(b"x")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(PrinterUnavailable, match="Văn bản đã được lưu"):
        SystemPrinter().print_document(doc)
    assert doc.exists()


def test_fake_printer(tmp_path):
    printer = FakePrinter()
    assert printer.print_document(tmp_path / "a.docx", printer="Quầy 1") == PrintJob("Fake", "fake-1", 1)
    assert printer.printed == [tmp_path / "a.docx"] and printer.calls == [(tmp_path / "a.docx", "Quầy 1")]
    refusing = FakePrinter(fail=True)
    with pytest.raises(PrinterUnavailable):
        refusing.print_document(tmp_path / "a.docx")
    assert refusing.printed == [] and refusing.calls == [(tmp_path / "a.docx", "")]
