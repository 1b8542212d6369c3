"""Mẫu 05 of Circular 03/2025/TT-VPCP (Phụ lục I), new in 2025: the notice that handling of a dossier stops.

Decree 118/2025/NĐ-CP Art. 21 lists when a dossier's handling stops: the applicant asks to stop
(or withdraws it), or it cannot lawfully be continued. The lifecycle records the stop as an audit
event (action "stop", to_status "stopped", the reason as its note, ``{"case": ...}`` as its data);
the notice reads the latest such event. Without one it still prints, its reason left to fill in
by hand: a notice prepared before the stop is recorded. The wording of the official form was not
found; this follows the field list of DOMAIN.md and is to be verified (D44).
"""

from __future__ import annotations

from pathlib import Path

from desk.services.accounts import Actor, require
from desk.services.clock import Clock
from desk.services.documents._blocks import (
    BLANK,
    Form,
    file_name,
    header,
    last_event,
    load_dossier,
    signatures,
    slip_day,
    title,
)
from desk.services.documents._kit import LAYOUTS, new_document, para, run, save
from desk.services.documents._wording import honorific, long_date, long_time
from desk.services.documents.form_extension import HEAD_SIGNS
from desk.services.dossiers import EventInfo, history
from desk.services.kinds import Role, StopCase

NUMBER = "05"
TITLE = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
STOP_ACTION = "stop"  # the lifecycle's audit action for Status.STOPPED ("stopped")
BASIS = "Căn cứ Điều 21 Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ"
# The event's data "case": which of Art. 21's situations the stop is
CASES: dict[str, str] = {  # keyed by StopCase (a StrEnum: the event's data holds the plain word)
    StopCase.APPLICANT_REQUEST: "Theo đề nghị dừng giải quyết (rút hồ sơ) của tổ chức, cá nhân có hồ sơ",
    StopCase.CANNOT_CONTINUE: "Hồ sơ không thể tiếp tục giải quyết theo quy định của pháp luật",
}


def _stop_event(events: list[EventInfo]) -> EventInfo | None:
    """The latest stop of the dossier, the one its notice speaks of."""
    return last_event(events, lambda e: e.action == STOP_ACTION)


def stop_notice(code: str, out: Path | str, *, actor: Actor, clock: Clock | None = None) -> Path:
    """Mẫu 05: which dossier, why its handling stops, and what the applicant may do next.

    Dated the clock's day when a clock is given, otherwise the day the stop was recorded.
    """
    require(actor, Role.CLERK)
    now = clock.now() if clock else None  # no clock: the day of the stop
    d = load_dossier(code)
    info, layout = d.info, LAYOUTS["A4"]
    event = _stop_event(history(code, actor=actor))
    doc = new_document(layout)
    header(doc, layout, d.office, info.code, slip_day(now, event))
    title(doc, layout, TITLE)
    hon = honorific(info.gender)
    p = para(doc, align="center", after=8)
    run(p, "Kính gửi: ")
    run(p, f"{hon} {info.applicant_name}", bold=True)
    ident = info.id_number or BLANK
    for text in (
        f"{long_date(info.received_at.date()).capitalize()}, Bộ phận tiếp nhận và trả kết quả {d.office.name} "
        f"tiếp nhận hồ sơ của {hon} (số định danh cá nhân: {ident}; mã hồ sơ: {info.code}) đề nghị giải quyết "
        f"thủ tục hành chính: {info.procedure_name}.",
        f"Thời hạn trả kết quả giải quyết hồ sơ: {long_time(info.due_at)}.",
        f"{BASIS}, {d.office.name} thông báo dừng giải quyết hồ sơ nêu trên.",
    ):
        para(doc, text, align="justify", after=4, indent=1.0)
    case = CASES.get(str(event.data.get("case", ""))) if event else None
    for label, value in (("Trường hợp: ", case or ""), ("Lý do: ", event.note if event else "")):
        p = para(doc, align="justify", after=4, indent=1.0)
        run(p, label)
        run(p, value or BLANK)
    where = d.return_point + (f" ({d.return_address})" if d.return_address else "")
    phone = f", số điện thoại {d.office.phone}" if d.office.phone else ""
    for text in (
        f"{hon} nhận lại hồ sơ, giấy tờ đã nộp tại {where}.",
        f"{hon} có thể nộp lại hồ sơ khi có nhu cầu hoặc khi đã khắc phục được lý do nêu trên. Nếu có vướng mắc "
        f"hoặc không đồng ý với việc dừng giải quyết, {hon} liên hệ {d.office.name}{phone} hoặc phản ánh, kiến "
        "nghị theo quy định của pháp luật.",
    ):
        para(doc, text, align="justify", after=4, indent=1.0)
    para(doc, "Trân trọng./.", after=4, indent=1.0)
    signatures(doc, layout, [HEAD_SIGNS])
    return save(doc, out, file_name(NUMBER, info.code))


FORMS = (Form(NUMBER, TITLE, stop_notice),)
