"""Mẫu 04 of Circular 01/2018/TT-VPCP: the apology for a late result and the new return date."""

from __future__ import annotations

from pathlib import Path

from desk.errors import ValidationError
from desk.i18n import _
from desk.services.accounts import Actor, require
from desk.services.clock import Clock
from desk.services.documents._blocks import (
    BLANK,
    Form,
    event_moment,
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
from desk.services.dossiers import history
from desk.services.kinds import Role

NUMBER = "04"
TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"


def apology(code: str, out: Path | str, *, actor: Actor, clock: Clock | None = None) -> Path:
    """Mẫu 04: the apology and the new return date, from the latest apology recorded for the dossier.

    Dated the clock's day when a clock is given, otherwise the day of that apology.
    """
    now = clock.now() if clock else None  # no clock: the day of the apology
    require(actor, Role.CLERK)
    d = load_dossier(code)
    info, layout = d.info, LAYOUTS["A4"]
    event = last_event(history(code, actor=actor), lambda e: e.action == "apology")
    if event is None:
        raise ValidationError({"apology": _("Dossier {code} has no apology with a new return date yet; record "
                                            "one first").format(code=info.code)})
    previous = event_moment(event.data, "previous_appointment") or info.due_at
    new = event_moment(event.data, "new_appointment") or info.appointment_at
    doc = new_document(layout)
    header(doc, layout, d.office, info.code, slip_day(now, event))
    title(doc, layout, TITLE)
    hon = honorific(info.gender)
    p = para(doc, align="center", after=8)
    run(p, "Kính gửi: ")
    run(p, f"{hon} {info.applicant_name}", bold=True)
    body = [
        f"{long_date(info.received_at.date()).capitalize()}, Bộ phận tiếp nhận và trả kết quả {d.office.name} "
        f"tiếp nhận hồ sơ của {hon} đề nghị giải quyết thủ tục hành chính: {info.procedure_name}.",
        f"Thời hạn trả kết quả giải quyết hồ sơ: {long_time(previous)}.",
        f"Tuy nhiên, đến nay {d.office.name} chưa trả kết quả giải quyết hồ sơ cho {hon} đúng thời hạn ghi trong "
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
    ]
    for text in body:
        para(doc, text, align="justify", after=4, indent=1.0)
    p = para(doc, align="justify", after=4, indent=1.0)
    run(p, "Lý do: ")
    run(p, event.note or BLANK)
    p = para(doc, align="justify", after=4, indent=1.0)
    run(p, f"Sự chậm trễ này đã gây phiền hà cho {hon}. {d.office.name} xin lỗi {hon} và sẽ trả kết quả giải "
           f"quyết hồ sơ cho {hon} vào ")
    run(p, long_time(new), bold=True)
    run(p, ".")
    para(doc, "Trân trọng./.", after=4, indent=1.0)
    signatures(doc, layout, [("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")])
    return save(doc, out, file_name(NUMBER, info.code))


FORMS = (Form(NUMBER, TITLE, apology),)
