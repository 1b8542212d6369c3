"""Mẫu 01 of Circular 01/2018/TT-VPCP: the receipt and appointment slip, with the pickup QR code and barcode."""

from __future__ import annotations

from pathlib import Path

from desk.errors import ValidationError
from desk.i18n import _
from desk.services.accounts import Actor, require
from desk.services.calendar import load_calendar
from desk.services.clock import Clock
from desk.services.documents._blocks import (
    BLANK,
    SIGN_NOTE,
    Form,
    applicant_block,
    file_name,
    header,
    line,
    load_dossier,
    person,
    qr_block,
    reception_day,
    signatures,
    signatures_beside_qr,
    title,
)
from desk.services.documents._kit import LAYOUTS, bordered, new_document, para, save
from desk.services.documents._wording import long_time, processing_time, two
from desk.services.kinds import Role
from desk.services.payload import make_payload

NUMBER = "01"
TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
KINDS = {"original": "Bản chính", "copy": "Bản sao"}


def receipt(code: str, out: Path | str, *, actor: Actor, paper: str = "A4", clock: Clock | None = None) -> Path:
    """Mẫu 01, the receipt and appointment slip, with the signed pickup QR code and barcode.

    The place-and-date line shows the clock's day when a clock is given, otherwise the day of
    receipt, so a reprint carries the same date as the original. Slips carry personal data: staff only.
    """
    now = clock.now() if clock else None  # no clock: the day of receipt
    require(actor, Role.CLERK)
    if paper not in ("A4", "A5"):
        raise ValidationError({"paper": _("Paper must be A4 or A5")})
    d = load_dossier(code)
    info, layout = d.info, LAYOUTS[paper]
    doc = new_document(layout)
    header(doc, layout, d.office, info.code, reception_day(now, info))
    title(doc, layout, TITLE)
    applicant_block(doc, layout, d)
    para(doc, "1. Hồ sơ gồm có:", after=layout.gap, keep_next=True)
    w = layout.text_width
    widths = [1.2, round(w - 1.2 - 3.6 - 1.8, 2), 3.6, 1.8] if paper == "A4" else [0.9, round(w - 4.8, 2), 2.4, 1.5]
    items = [[str(i), item.name, KINDS.get(item.kind, item.kind), two(item.count)]
             for i, item in enumerate(info.documents, start=1)] or [["1", BLANK, "", ""]]
    bordered(doc, ["STT", "Tên giấy tờ", "Hình thức (bản chính, bản sao)", "Số lượng"], widths, items,
             size=layout.head, center={0, 2, 3})
    para(doc, f"2. Số lượng hồ sơ: {two(info.sets)} (bộ)", before=layout.gap, after=layout.gap)
    late = d.procedure.processing_days <= 0 and load_calendar().after_cutoff(d.procedure, info.received_at)
    days_text = processing_time(d.procedure.processing_days, d.procedure.day_unit, d.procedure.cutoff, late)
    line(doc, layout, "3. Thời gian giải quyết hồ sơ theo quy định là: ", days_text)
    line(doc, layout, "4. Thời gian nhận hồ sơ: ", long_time(info.received_at))
    line(doc, layout, "5. Thời gian trả kết quả giải quyết hồ sơ: ", long_time(info.appointment_at), bold_value=True)
    where = d.return_point + (f" ({d.return_address})" if d.return_address else "")
    line(doc, layout, "6. Đăng ký nhận kết quả tại: ", where)
    number = info.code.rsplit("-", 1)[-1]
    para(doc, f"Vào Sổ theo dõi hồ sơ, Quyển số: {info.received_at.year}, Số thứ tự: {number}", after=0)
    signers = [("NGƯỜI NỘP HỒ SƠ", SIGN_NOTE, info.applicant_name),
               ("NGƯỜI TIẾP NHẬN HỒ SƠ", SIGN_NOTE, person(info.received_by))]
    payload = make_payload(info.code, d.office.secret)
    if paper == "A5":
        signatures_beside_qr(doc, layout, signers, payload)
    else:
        signatures(doc, layout, signers, before=6, keep_with_next=True)
        qr_block(doc, layout, payload)
    return save(doc, out, file_name(NUMBER, info.code))


FORMS = (Form(NUMBER, TITLE, receipt),)
