"""Every form, generated from fixed inputs, says exactly what it said when the expectation was recorded.

The expectation (tests/data/forms/expected.json) holds, per generated file, the text of every
paragraph (table cells included, in order) and a digest of each part of the zip (the document's
XML, styles, images) with the office's secret fixed, so the wording, the layout markup and the
codes are all pinned. It was recorded from
the single-module documents.py before it was split into a package (D39); a change to a form that
is meant shows up as a readable diff of the texts. To record a new expectation after such a change:
``DESK_RECORD_FORMS=1 pytest tests/services/test_form_snapshots.py`` (the run then fails once, so a
recording never passes for a check), and review the diff of expected.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest

from desk.models import Office
from desk.services.clock import FixedClock
from desk.services.documents import (
    apology,
    control_slip,
    log_book,
    receipt,
    refusal,
    stop_notice,
    supplement_request,
)
from tests.services import test_documents
from tests.services.test_documents import CLOCK, lines, record_stop, t

cases = test_documents.cases  # the dossiers of the form tests: one through every state, a refused one, a fresh one

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "forms" / "expected.json"
SECRET = "0123456789abcdef" * 4  # a fixed key: the QR payload printed under the barcode stays the same


def _generate(cases, folder: Path, admin) -> dict[str, Path]:
    """One file per form and per variant a clerk can ask for."""
    Office.update(secret=SECRET).execute()
    month = (date(2026, 11, 1), date(2026, 12, 31))
    made = {
        "01-a4": receipt(cases.done, folder / "01-a4.docx", actor=admin),
        "01-a5": receipt(cases.done, folder / "01-a5.docx", paper="A5", actor=admin),
        "01-same-day": receipt(cases.fresh, folder / "01-same-day.docx", clock=FixedClock(t(25, 8)),
                               actor=admin),
        "02-from-history": supplement_request(cases.done, folder / "02-from-history.docx", actor=admin),
        "02-given": supplement_request(cases.fresh, folder / "02-given.docx", items=["Bản sao CCCD", " "],
                                       reason="Thiếu giấy tờ", contact_name="Lan", contact_phone="0912",
                                       clock=FixedClock(t(26, 9)), actor=admin),
        "03-from-history": refusal(cases.refused, folder / "03-from-history.docx", actor=admin),
        "03-given": refusal(cases.fresh, folder / "03-given.docx", reasons=["Sai thẩm quyền"],
                            clock=FixedClock(t(26, 9)), actor=admin),
        "04": apology(cases.done, folder / "04.docx", actor=admin),
        "05-before-the-stop": stop_notice(cases.fresh, folder / "05-before.docx", clock=FixedClock(t(26, 9)), actor=admin),
        "06": control_slip(cases.done, folder / "06.docx", actor=admin),
        "06-fresh": control_slip(cases.fresh, folder / "06-fresh.docx", clock=FixedClock(t(26, 9)), actor=admin),
        "07": log_book(*month, folder / "07.docx", clock=CLOCK, actor=admin),
        "07-empty": log_book(date(2026, 1, 1), date(2026, 1, 31), folder / "07-empty.docx", clock=CLOCK,
                             actor=admin),
        "07-field": log_book(*month, folder / "07-field.docx", clock=CLOCK, fields=["CT"], actor=admin),
    }
    record_stop(cases.refused, "cannot_continue", "Không thuộc thẩm quyền", t(25, 8))
    made["05-stopped"] = stop_notice(cases.refused, folder / "05-stopped.docx", actor=admin)
    parent = Office.get().parent_name
    Office.update(demo=True, parent_name="").execute()  # the other header: no superior line, the demo mark
    made["01-demo"] = receipt(cases.done, folder / "01-demo.docx", actor=admin)
    Office.update(demo=False, parent_name=parent).execute()
    return made


def _describe(path: Path) -> dict[str, object]:
    with zipfile.ZipFile(path) as z:
        parts = {name: hashlib.sha256(z.read(name)).hexdigest()[:16] for name in sorted(z.namelist())}
    return {"lines": lines(path), "parts_sha256": parts}


def test_every_form_says_what_it_said(cases, tmp_path, admin):
    found = {name: _describe(path) for name, path in _generate(cases, tmp_path, admin).items()}
    if os.environ.get("DESK_RECORD_FORMS"):
        EXPECTED.parent.mkdir(parents=True, exist_ok=True)
        EXPECTED.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        pytest.fail(f"recorded {EXPECTED.name}; review its diff and run again without DESK_RECORD_FORMS")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sorted(found) == sorted(expected)
    for name in expected:
        assert found[name]["lines"] == expected[name]["lines"], name
    for name in expected:  # the texts first: a wording change is easier to read than a digest
        assert found[name]["parts_sha256"] == expected[name]["parts_sha256"], name


def test_the_generated_files_do_not_depend_on_the_run(cases, tmp_path, admin):
    """The digest above is only a check if two runs of the same code give the same bytes."""
    first = {n: _describe(p) for n, p in _generate(cases, tmp_path / "a", admin).items()}
    second = {n: _describe(p) for n, p in _generate(cases, tmp_path / "b", admin).items()}
    assert first == second
