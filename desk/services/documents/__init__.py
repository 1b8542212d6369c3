"""Official slips and the log book of Circular 03/2025/TT-VPCP, Phụ lục I, as Word files (python-docx).

Forms 01-06 are per dossier, form 07 (the log book) covers a date range (D44: the 2025 numbering;
Circular 01/2018's control slip 05 and log book 06 are now 06 and 07, 05 is the stop notice). The wording is Vietnamese
literal text, never translated; only error messages go through ``_()``. Layout follows Decree
30/2020 on administrative documents: Times New Roman 13 pt, A4 with a 3 cm left margin, the
issuing body top left and the national motto top right.

Every function writes to a temporary file next to the target and renames it, so a crash or a full
disk never leaves a half-written slip where the clerk expects a good one.

The package (D39): ``_kit`` is the python-docx toolkit (no form in it), ``_wording`` how dates,
times and processing times are said, ``_blocks`` what the forms share (header, title, signatures,
codes); each ``form_*`` module is one form, or one family of forms, and declares its number and
title in ``FORMS``. A new form is a new ``form_*`` module listed in ``_FORM_MODULES`` below; a
renumbering changes the ``NUMBER`` of a module. Callers import from ``desk.services.documents``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from desk.errors import ValidationError
from desk.i18n import _
from desk.services.accounts import Actor, require
from desk.services.clock import Clock
from desk.services.documents import (
    form_control_slip,
    form_extension,
    form_log_book,
    form_receipt,
    form_stop_notice,
    form_supplement_refusal,
)
from desk.services.documents._blocks import DEMO_MARK, Form
from desk.services.documents._wording import (
    honorific,
    long_date,
    long_time,
    processing_time,
    short_date,
    short_time,
    timeliness,
    two,
)
from desk.services.documents.form_control_slip import control_slip, handovers
from desk.services.documents.form_extension import apology
from desk.services.documents.form_log_book import LOG_HEADERS, log_book, log_rows
from desk.services.documents.form_receipt import receipt
from desk.services.documents.form_stop_notice import stop_notice
from desk.services.documents.form_supplement_refusal import refusal, supplement_request
from desk.services.documents.ticket import queue_ticket
from desk.services.kinds import Role

_FORM_MODULES = (form_receipt, form_supplement_refusal, form_extension, form_stop_notice, form_control_slip,
                 form_log_book)
_ALL_FORMS: tuple[Form, ...] = tuple(form for module in _FORM_MODULES for form in module.FORMS)

# The numbers of the forms, for callers that offer one by its purpose (the dossier's window, the CLI)
RECEIPT, EXTENSION, STOP_NOTICE = form_receipt.NUMBER, form_extension.NUMBER, form_stop_notice.NUMBER
SUPPLEMENT, REFUSAL = form_supplement_refusal.SUPPLEMENT, form_supplement_refusal.REFUSAL
CONTROL_SLIP, LOG_BOOK = form_control_slip.NUMBER, form_log_book.NUMBER

TITLES: dict[str, str] = {form.number: form.title for form in _ALL_FORMS}
# The per-dossier forms, by number: what `slip`, `print` and the dossier's window offer.
FORMS: dict[str, Callable[..., Path]] = {form.number: form.write for form in _ALL_FORMS if form.write is not None}


def render_form(code: str, form: str, out: Path | str, *, actor: Actor, clock: Clock | None = None,
                **kw: Any) -> Path:
    """Write form ``form`` ("01".."06", "1".."6" or "mau01") of dossier ``code``; see FORMS.

    ``clock`` dates the slip (its day); without one each form keeps the day of what it is about.
    """
    require(actor, Role.CLERK)
    key = str(form).lower().removeprefix("mau").removeprefix("mẫu").strip().zfill(2)
    if key not in FORMS:
        raise ValidationError({"form": _("Unknown form {form}. Choose one of: {choices}").format(
            form=form, choices=", ".join(FORMS))})
    return FORMS[key](code, out, actor=actor, clock=clock, **kw)


__all__ = [
    "CONTROL_SLIP", "DEMO_MARK", "EXTENSION", "FORMS", "LOG_BOOK", "RECEIPT", "REFUSAL", "STOP_NOTICE", "SUPPLEMENT", "LOG_HEADERS", "TITLES", "apology", "control_slip", "handovers", "honorific", "log_book",
    "log_rows", "long_date", "long_time", "processing_time", "queue_ticket", "receipt", "refusal", "render_form", "short_date",
    "short_time", "stop_notice", "supplement_request", "timeliness", "two",
]
