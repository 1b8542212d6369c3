"""Mẫu 06 of Circular 03/2025/TT-VPCP (Phụ lục I; Mẫu 05 of Circular 01/2018): the control slip, the hand-overs of a dossier read from its audit trail."""

from __future__ import annotations

from pathlib import Path

from desk.services.accounts import Actor, require
from desk.services.clock import Clock
from desk.services.documents._blocks import (
    BLANK,
    Form,
    event_moment,
    file_name,
    header,
    line,
    load_dossier,
    person,
    reception_day,
    title,
)
from desk.services.documents._kit import LAYOUTS, bordered, new_document, para, save
from desk.services.documents._wording import honorific, long_time, short_date, short_time, timeliness
from desk.services.documents.form_stop_notice import STOP_ACTION
from desk.services.dossiers import DossierInfo, EventInfo, Status, history
from desk.services.kinds import Channel, Role

NUMBER = "06"
TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
DESK = "Bộ phận TN&TKQ"
SPECIALIST = "Công chức chuyên môn"
# How a dossier came in, as the receive row's note; keyed by Channel (a StrEnum): DossierInfo carries a str
RECEIVED_BY: dict[str, str] = {Channel.ONLINE: "Nộp trực tuyến", Channel.POSTAL: "Nộp qua bưu chính"}


def handovers(info: DossierInfo, events: list[EventInfo]) -> list[list[str]]:
    """One row per audit event: who gave the dossier to whom, when, how it stood, and a note.

    The result column is ``dossiers.resolution_outcome`` of the hand-over against the legal due
    moment (``timeliness``), the rule the statistics use."""
    citizen = f"{honorific(info.gender)} {info.applicant_name}"
    rows = []
    events = [e for e in events if e.action != "attach"]  # a digitised file is no hand-over (D43)
    for e in events:
        actor = person(e.actor)
        result = timeliness(e.at, info.due_at)
        note = e.note
        if e.action == "receive":
            giver, taker, giver_name, taker_name, result = citizen, DESK, "", actor, ""
            note = RECEIVED_BY.get(info.channel, "Nộp trực tiếp")
        elif e.action == "apology":
            giver, taker, giver_name, taker_name = DESK, citizen, actor, info.applicant_name
            when = short_date(event_moment(e.data, "new_appointment")) or BLANK
            note = f"Phiếu xin lỗi, hẹn lại ngày {when}. Lý do: {e.note}"
        elif e.action == STOP_ACTION:
            giver, taker, giver_name, taker_name = DESK, citizen, actor, info.applicant_name
            note = "Dừng giải quyết hồ sơ" + (f": {e.note}" if e.note else "")
        elif e.to_status == Status.PROCESSING and e.from_status == Status.RECEIVED:
            # whoever moves a dossier into processing becomes its handler (lifecycle.advance)
            giver, taker, giver_name, taker_name = DESK, SPECIALIST, person(info.received_by), actor
            note = "Chuyển giải quyết"
        elif e.to_status == Status.PROCESSING:
            giver, taker, giver_name, taker_name = DESK, SPECIALIST, actor, person(info.handler)
            note = "Đã bổ sung hồ sơ"
        elif e.to_status == Status.NEEDS_SUPPLEMENT:
            giver, taker, giver_name, taker_name = SPECIALIST, DESK, actor, ""
            note = f"Yêu cầu bổ sung: {e.note}"
        elif e.to_status == Status.RESOLVED:
            giver, taker, giver_name, taker_name = SPECIALIST, DESK, actor, ""
            note = "Có kết quả giải quyết"
        elif e.to_status == Status.RETURNED:
            receiver = e.data.get("returned_to") or info.returned_to or info.applicant_name
            giver, taker, giver_name, taker_name = DESK, receiver, actor, receiver
            note = "Trả kết quả"
        elif e.to_status == Status.REFUSED:
            giver, taker, giver_name, taker_name = DESK, citizen, actor, info.applicant_name
            note = f"Từ chối tiếp nhận: {e.note}"
        elif e.to_status == Status.WITHDRAWN:
            giver, taker, giver_name, taker_name = DESK, citizen, actor, info.applicant_name
            note = "Công dân rút hồ sơ" + (f": {e.note}" if e.note else "")
        else:
            giver, taker, giver_name, taker_name = DESK, DESK, actor, ""
        who = f"1. Giao: {giver}\n2. Nhận: {taker}"
        signed = f"{short_time(e.at)}\nNgười giao: {giver_name}\nNgười nhận: {taker_name}"
        rows.append([who, signed, result, note])
    return rows


def control_slip(code: str, out: Path | str, *, actor: Actor, clock: Clock | None = None) -> Path:
    """Mẫu 06: the hand-overs of a dossier between the desk, specialists and the citizen, from its audit trail."""
    require(actor, Role.CLERK)
    d = load_dossier(code)
    info, layout = d.info, LAYOUTS["A4"]
    events = history(code, actor=actor)
    doc = new_document(layout)
    header(doc, layout, d.office, info.code, reception_day(clock.now() if clock else None, info))
    title(doc, layout, TITLE, f"(Kèm theo hồ sơ của {honorific(info.gender)} {info.applicant_name})")
    line(doc, layout, "Tên thủ tục hành chính: ", info.procedure_name, bold_value=True)
    line(doc, layout, "Cơ quan (bộ phận) giải quyết hồ sơ: ", d.office.name)
    line(doc, layout, "Cơ quan phối hợp giải quyết hồ sơ: ", "")
    line(doc, layout, "Ngày nhận hồ sơ: ", long_time(info.received_at))
    line(doc, layout, "Hẹn trả kết quả: ", long_time(info.due_at), after=6)
    w = layout.text_width
    widths = [4.6, 4.9, 3.0, round(w - 12.5, 2)]
    bordered(doc,
             ["TÊN ĐƠN VỊ\n(1. Giao / 2. Nhận)", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ\n(Trước hạn/đúng hạn/quá hạn)",
              "GHI CHÚ"],
             widths, handovers(info, events), size=layout.head - 1, center={2})
    para(doc, "Ghi chú: Trường hợp hồ sơ được chuyển qua dịch vụ bưu chính thì thời gian giao, nhận hồ sơ và việc "
              "ký nhận thể hiện trong hóa đơn của cơ quan Bưu chính.", italic=True, size=layout.head - 1,
         align="justify", before=4)
    return save(doc, out, file_name(NUMBER, info.code))


FORMS = (Form(NUMBER, TITLE, control_slip),)
