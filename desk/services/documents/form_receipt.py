"""Mẫu 01 of Circular 03/2025/TT-VPCP (Phụ lục I): the receipt and appointment slip, with the pickup QR code and barcode."""

from __future__ import annotations

from pathlib import Path

from desk.errors import ValidationError
from desk.i18n import _
from desk.services.accounts import Actor, require
from desk.services.calendar import load_calendar
from desk.services.clock import Clock
from desk.services.codes import MIN_DIGITS, DossierCode
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
    reception_day,
    signatures_beside_qr,
    title,
)
from desk.services.documents._kit import LAYOUTS, bordered, new_document, para, save
from desk.services.documents._wording import long_time, processing_time, two
from desk.services.kinds import Role
from desk.services.payload import make_payload, slip_qr_text

NUMBER = "01"
TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
KINDS = {"original": "Bản chính", "copy": "Bản sao"}
# Circular 03/2025: an electronic receipt carries the receiver's digital signature, not a hand-written one
ESIGN_NOTE = "(Ký số nếu là giấy điện tử)"


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
    applicant_block(doc, layout, d, authorised=True)
    para(doc, "1. Thành phần hồ sơ và số lượng mỗi loại giấy tờ gồm:", after=layout.gap, keep_next=True)
    w = layout.text_width
    # A5: smaller type and a wider name column, so a document's name takes one line and the receipt
    # with the 2025 lines (số định danh, the authorised person) still fits its page
    widths = [1.2, round(w - 1.2 - 3.6 - 1.8, 2), 3.6, 1.8] if paper == "A4" else [0.85, round(w - 3.95, 2), 1.8, 1.3]
    items = [[str(i), item.name, KINDS.get(item.kind, item.kind), two(item.count)]
             for i, item in enumerate(info.documents, start=1)] or [["1", BLANK, "", ""]]
    bordered(doc, ["STT", "Tên giấy tờ", "Hình thức (bản chính, bản sao)", "Số lượng"], widths, items,
             size=layout.head if paper == "A4" else layout.small + 0.5, center={0, 2, 3})
    para(doc, f"2. Số lượng hồ sơ: {two(info.sets)} (bộ)", before=layout.gap, after=layout.gap)
    late = d.procedure.processing_days <= 0 and load_calendar().after_cutoff(d.procedure, info.received_at)
    days_text = processing_time(d.procedure.processing_days, d.procedure.day_unit, d.procedure.cutoff, late)
    line(doc, layout, "3. Thời gian giải quyết hồ sơ theo quy định là: ", days_text)
    line(doc, layout, "4. Thời gian nhận hồ sơ: ", long_time(info.received_at))
    line(doc, layout, "5. Thời gian trả kết quả giải quyết hồ sơ: ", long_time(info.appointment_at), bold_value=True)
    where = d.return_point + (f" ({d.return_address})" if d.return_address else "")
    line(doc, layout, "6. Đăng ký nhận kết quả tại: ", where)
    number = f"{DossierCode.parse(info.code).number:0{MIN_DIGITS}d}"  # as the code shows it: "0007"
    para(doc, f"Vào Sổ theo dõi hồ sơ, Quyển số: {info.received_at.year}, Số thứ tự: {number}", after=0)
    signers = [("NGƯỜI NỘP HỒ SƠ", SIGN_NOTE, info.applicant_name),
               ("NGƯỜI TIẾP NHẬN HỒ SƠ", f"{SIGN_NOTE}\n{ESIGN_NOTE}", person(info.received_by))]
    payload = make_payload(info.code, d.office.secret)
    # the QR code beside the signatures on both papers: under them, a receipt with the 2025 lines
    # (số định danh, the authorised person) and four documents no longer fits one A4 page
    signatures_beside_qr(doc, layout, signers, payload, slip_qr_text(payload, d.office.lookup_url or ""))
    return save(doc, out, file_name(NUMBER, info.code))


FORMS = (Form(NUMBER, TITLE, receipt),)
