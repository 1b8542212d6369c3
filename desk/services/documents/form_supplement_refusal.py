"""Mẫu 02 and 03 of Circular 03/2025/TT-VPCP (Phụ lục I): the slips that send a dossier back with a numbered list.

Mẫu 02 asks the applicant to supplement the dossier, Mẫu 03 refuses it; both print, by default,
the items of the clerk's note on the latest such event of the dossier, one per line.
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocxDocument

from desk.errors import ValidationError
from desk.i18n import _
from desk.services.accounts import Actor, require
from desk.services.clock import Clock
from desk.services.documents._blocks import (
    BLANK,
    SIGN_NOTE,
    Form,
    applicant_block,
    file_name,
    header,
    identity_line,
    last_event,
    line,
    load_dossier,
    person,
    received_from,
    signatures,
    slip_day,
    title,
)
from desk.services.documents._kit import LAYOUTS, new_document, para, run, save
from desk.services.documents._wording import honorific, long_time
from desk.services.dossiers import EventInfo, Status, history
from desk.services.kinds import Role

SUPPLEMENT, REFUSAL = "02", "03"
SUPPLEMENT_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"


def _split_items(text: str) -> list[str]:
    """The items of a note the clerk wrote as "a; b" or one per line."""
    return [part.strip(" .") for part in text.replace("\n", ";").split(";") if part.strip(" .")]


def _listed(given: list[str] | None, event: EventInfo | None, missing: ValidationError) -> list[str]:
    """The items the clerk gave, else those of the event's note (``missing`` without either); a dotted
    line to fill in by hand when none is left."""
    if given is None:
        if event is None:
            raise missing
        given = _split_items(event.note)
    return [item.strip() for item in given if item and item.strip()] or [BLANK]


def _numbered(doc: DocxDocument, items: list[str]) -> None:
    for i, item in enumerate(items, start=1):
        para(doc, f"{i}. {item}", align="justify", after=2, indent=0.75)


# -- Mẫu 02 ----------------------------------------------------------------------------------------
def supplement_request(
    code: str,
    out: Path | str,
    *,
    items: list[str] | None = None,
    reason: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    clock: Clock | None = None,
    actor: Actor,
) -> Path:
    """Mẫu 02: what the applicant must add and why; by default from the latest "needs supplement" note.

    Dated the clock's day when a clock is given, otherwise the day of that note (today without one).
    """
    now = clock.now() if clock else None  # no clock: the day of the note
    require(actor, Role.CLERK)
    d = load_dossier(code)
    info, layout = d.info, LAYOUTS["A4"]
    event = last_event(history(code, actor=actor),
                       lambda e: e.to_status == Status.NEEDS_SUPPLEMENT and e.action == "advance")
    items = _listed(items, event, ValidationError({"items": _(
        "Dossier {code} has no request to supplement yet; list what to add to print one").format(code=info.code)}))
    staff = person(event.actor) if event else ""
    contact_name = contact_name.strip() or staff
    contact_phone = contact_phone.strip() or d.office.phone
    doc = new_document(layout)
    header(doc, layout, d.office, info.code, slip_day(now, event))
    title(doc, layout, SUPPLEMENT_TITLE)
    hon = honorific(info.gender)
    received_from(doc, layout, d)
    identity_line(doc, layout, info)
    line(doc, layout, "Nội dung yêu cầu giải quyết: ", info.procedure_name, bold_value=True)
    line(doc, layout, "Ngày tiếp nhận hồ sơ: ", long_time(info.received_at))
    para(doc, f"Sau khi xem xét, đối chiếu với quy định, hồ sơ của {hon} chưa đầy đủ, hợp lệ. Đề nghị {hon} bổ "
              "sung, hoàn thiện hồ sơ gồm những nội dung sau:", align="justify", before=layout.gap, after=layout.gap)
    _numbered(doc, items)
    line(doc, layout, "Lý do: ", reason.strip(), after=layout.gap)
    p = para(doc, align="justify", after=layout.gap)
    run(p, f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {hon} liên hệ với ")
    run(p, contact_name or BLANK, bold=bool(contact_name))
    run(p, ", số điện thoại: ")
    run(p, contact_phone or BLANK, bold=bool(contact_phone))
    run(p, " để được hướng dẫn./.")
    signatures(doc, layout, [("NGƯỜI HƯỚNG DẪN", SIGN_NOTE, staff)])
    return save(doc, out, file_name(SUPPLEMENT, info.code))


# -- Mẫu 03 ----------------------------------------------------------------------------------------
def refusal(code: str, out: Path | str, *, actor: Actor, reasons: list[str] | None = None,
            clock: Clock | None = None) -> Path:
    """Mẫu 03: the concrete reasons a dossier is refused; by default from the refusal's note.

    Dated the clock's day when a clock is given, otherwise the day of the refusal (today without one).
    """
    now = clock.now() if clock else None  # no clock: the day of the refusal
    require(actor, Role.CLERK)
    d = load_dossier(code)
    info, layout = d.info, LAYOUTS["A4"]
    event = last_event(history(code, actor=actor), lambda e: e.to_status == Status.REFUSED and e.action == "advance")
    reasons = _listed(reasons, event, ValidationError({"reasons": _(
        "Dossier {code} has not been refused; give the reasons to print a refusal slip").format(code=info.code)}))
    doc = new_document(layout)
    header(doc, layout, d.office, info.code, slip_day(now, event))
    title(doc, layout, REFUSAL_TITLE)
    applicant_block(doc, layout, d)
    hon = honorific(info.gender)
    basis = " ".join((d.procedure.legal_basis or "").split())
    lead = f"Căn cứ quy định tại {basis}, hồ sơ" if basis else "Căn cứ quy định hiện hành, hồ sơ"
    para(doc, f"{lead} của {hon} không đủ điều kiện tiếp nhận, giải quyết vì lý do sau:", align="justify",
         before=layout.gap, after=layout.gap)
    _numbered(doc, reasons)
    para(doc, f"Xin thông báo để {hon} được biết và thực hiện./.", before=layout.gap)
    signatures(doc, layout, [("NGƯỜI TIẾP NHẬN HỒ SƠ", SIGN_NOTE, person(event.actor) if event else "")])
    return save(doc, out, file_name(REFUSAL, info.code))


FORMS = (Form(SUPPLEMENT, SUPPLEMENT_TITLE, supplement_request), Form(REFUSAL, REFUSAL_TITLE, refusal))
