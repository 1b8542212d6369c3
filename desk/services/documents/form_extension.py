"""Mẫu 04 of Circular 03/2025/TT-VPCP (Phụ lục I): the apology and request to extend the handling time.

Under Circular 01/2018 this was "Phiếu xin lỗi và hẹn lại ngày trả kết quả"; the desk's "apology"
action records what it now is, an extension with a new return date (D44). The legal due date
still decides "late" in the statistics; only the appointment moves.
"""

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
TITLE = "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
HEAD_SIGNS = ("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")


def apology(code: str, out: Path | str, *, actor: Actor, clock: Clock | None = None) -> Path:
    """Mẫu 04: the apology, the reason and the new return date, from the latest extension recorded.

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
    ident = f"số định danh cá nhân {info.id_number}, " if info.id_number else ""
    body = [
        f"{long_date(info.received_at.date()).capitalize()}, Bộ phận tiếp nhận và trả kết quả {d.office.name} "
        f"tiếp nhận hồ sơ của {hon} ({ident}mã hồ sơ {info.code}) đề nghị giải quyết thủ tục hành chính: "
        f"{info.procedure_name}.",
        f"Thời hạn trả kết quả giải quyết hồ sơ theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả: {long_time(previous)}.",
        f"Tuy nhiên, đến nay {d.office.name} chưa giải quyết xong hồ sơ của {hon} trong thời hạn nêu trên.",
    ]
    for text in body:
        para(doc, text, align="justify", after=4, indent=1.0)
    p = para(doc, align="justify", after=4, indent=1.0)
    run(p, "Lý do: ")
    run(p, event.note or BLANK)
    p = para(doc, align="justify", after=4, indent=1.0)
    run(p, f"Sự chậm trễ này đã gây phiền hà cho {hon}. {d.office.name} xin lỗi {hon} và đề nghị gia hạn thời "
           f"gian giải quyết; thời gian trả kết quả giải quyết hồ sơ là ")
    run(p, long_time(new), bold=True)
    run(p, ".")
    para(doc, f"Mong {hon} thông cảm. Trân trọng./.", after=4, indent=1.0)
    signatures(doc, layout, [HEAD_SIGNS])
    return save(doc, out, file_name(NUMBER, info.code))


FORMS = (Form(NUMBER, TITLE, apology),)
