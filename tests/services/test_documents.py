"""Official slips and the log book: real .docx files reopened, scanned, and (when there) printed to PDF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from desk.errors import DeskError, ValidationError
from desk.models import DossierEvent, Office, Procedure, Staff
from desk.models.entities import database_proxy
from desk.services import documents, lifecycle
from desk.services.accounts import get_actor, to_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.documents import (
    FORMS,
    TITLES,
    apology,
    control_slip,
    log_book,
    long_date,
    processing_time,
    receipt,
    refusal,
    render_form,
    stop_notice,
    supplement_request,
)
from desk.services.dossiers import DocumentItem, Status, dossier_row, get_dossier, history
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance, apologize
from desk.services.payload import make_payload, verify_payload

CLOCK = FixedClock(datetime(2026, 12, 31, 16, 0, tzinfo=LOCAL_TZ))
TUYET = "Nguyễn Thị Ánh Tuyết"
BINH = "Lê Văn Bình"


def t(day, hh, mm=0, month=11):
    return datetime(2026, month, day, hh, mm, tzinfo=LOCAL_TZ)


@dataclass
class Cases:
    done: str  # received → processing → supplement → processing → apology → resolved → returned
    refused: str
    fresh: str  # just received, gender unknown, same-day procedure


@pytest.fixture
def cases(office) -> Cases:
    Office.update(phone="0239 3855 123").execute()
    Procedure.update(legal_basis="Nghị định số 23/2015/NĐ-CP").where(Procedure.code == "T-HD").execute()
    clerk = to_actor(Staff.create(username="lan", full_name="Phạm Thị Lan", role="clerk"))
    specialist = to_actor(Staff.create(username="hung", full_name="Trần Văn Hùng", role="clerk"))
    applicant = Applicant(name=TUYET, id_number="042190012345", birth_date=date(1990, 3, 15), gender="Nữ",
                          address="Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh", phone="0912 345 678",
                          email="tuyet.nguyen@example.vn")
    papers = [DocumentItem("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", 1, "original"),
              DocumentItem("Căn cước công dân", 2, "copy")]
    done = register(IntakeRequest("T-TTHN", applicant, documents=papers, received_at=t(23, 9, 15),
                                  reception_point="Bộ phận Một cửa UBND phường"), actor=clerk, clock=CLOCK).code
    advance(done, "processing", at=t(23, 10), actor=specialist, clock=CLOCK)
    advance(done, "needs_supplement", note="Bản sao Giấy khai sinh; Giấy xác nhận nơi cư trú", at=t(23, 14),
            actor=specialist, clock=CLOCK)
    advance(done, "processing", at=t(25, 8), actor=clerk, clock=CLOCK)
    apologize(done, datetime(2026, 12, 3, 17, 0), reason="Chờ kết quả xác minh nơi cư trú", at=t(27, 15),
              actor=clerk, clock=CLOCK)
    advance(done, "resolved", at=t(2, 10, month=12), actor=specialist, clock=CLOCK)
    advance(done, "returned", at=t(3, 9, month=12), actor=clerk, clock=CLOCK)
    refused = register(IntakeRequest("T-HD", Applicant(name=BINH, gender="Nam"), received_at=t(24, 10)),
                       actor=clerk, clock=CLOCK).code
    advance(refused, "refused", note="Không thuộc thẩm quyền chứng thực của UBND cấp xã; Thiếu bản chính",
            at=t(24, 10, 30), actor=clerk, clock=CLOCK)
    fresh = register(IntakeRequest("T-KS", Applicant(name="Đỗ Minh Khôi"), received_at=t(24, 15, 40)),
                     clock=CLOCK, actor=get_actor("admin")).code
    return Cases(done, refused, fresh)


# -- reading the files back -------------------------------------------------------------------------
def lines(path: Path) -> list[str]:
    """Every paragraph of the document, table cells included, in order."""
    doc = Document(str(path))
    return [Paragraph(p, doc).text for p in doc.element.body.iter(qn("w:p"))]


def text(path: Path) -> str:
    return "\n".join(lines(path))


def images(path: Path) -> list[np.ndarray]:
    with zipfile.ZipFile(path) as z:
        blobs = [z.read(n) for n in sorted(z.namelist()) if n.startswith("word/media/")]
    return [cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_GRAYSCALE) for b in blobs]


def scan(image: np.ndarray, kind: str) -> list[str]:
    """The codes of one kind ("QRCODE", "CODE128") the desk's own reader finds in an image."""
    from desk.hardware.decoder import decode_image

    return [d.text for d in decode_image(image, thorough=True) if d.kind == kind]


def header_rows(path: Path) -> int:
    doc = Document(str(path))
    return sum(1 for tr in doc.element.body.iter(qn("w:tr")) if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None)


# -- Mẫu 01 ----------------------------------------------------------------------------------------
def test_receipt_has_every_line_of_form_01(cases, tmp_path, admin):
    path = receipt(cases.done, tmp_path / "01.docx", actor=admin)
    assert path == tmp_path / "01.docx"
    body = text(path)
    for expected in [
        "UBND TỈNH HÀ TĨNH", "UBND PHƯỜNG TRẦN PHÚ", "BỘ PHẬN TIẾP NHẬN\nVÀ TRẢ KẾT QUẢ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Hà Tĩnh, ngày 23 tháng 11 năm 2026", f"Mã hồ sơ: {cases.done}", TITLES["01"],
        f"Bộ phận tiếp nhận và trả kết quả UBND phường Trần Phú tiếp nhận hồ sơ của: Bà {TUYET}",
        "Địa chỉ: Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh", "Số điện thoại: 0912345678",
        "Email: tuyet.nguyen@example.vn", "Số định danh cá nhân/Mã số định danh của tổ chức: 042190012345",
        # no dossier records an authorised person yet: the lines are there, blank, to fill by hand (D44)
        "Người được ủy quyền (nếu có): …………… Số định danh cá nhân: ……………",
        "Địa chỉ, điện thoại, email, giấy tờ ủy quyền: …",
        "Nội dung yêu cầu giải quyết: Cấp giấy xác nhận tình trạng hôn nhân",
        "1. Thành phần hồ sơ và số lượng mỗi loại giấy tờ gồm:",
        "2. Số lượng hồ sơ: 01 (bộ)", "3. Thời gian giải quyết hồ sơ theo quy định là: 03 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 23 tháng 11 năm 2026",
        # the appointment the citizen holds now: moved by the apology
        "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 03 tháng 12 năm 2026",
        "6. Đăng ký nhận kết quả tại: Bộ phận Một cửa UBND phường (Trụ sở UBND phường)",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 0001",
        "(Ký số nếu là giấy điện tử)",
        "NGƯỜI NỘP\nHỒ SƠ", "NGƯỜI TIẾP NHẬN\nHỒ SƠ", "(Ký và ghi rõ họ tên)", "Phạm Thị Lan",
        make_payload(cases.done),
    ]:
        assert expected in body, expected
    all_lines = lines(path)
    for row in (["1", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "Bản chính", "01"],
                ["2", "Căn cước công dân", "Bản sao", "02"]):
        start = all_lines.index(row[1]) - 1
        assert all_lines[start:start + 4] == row


def test_receipt_qr_and_barcode_decode_to_the_signed_payload(cases, tmp_path, admin):
    path = receipt(cases.done, tmp_path / "01.docx", actor=admin)
    expected = make_payload(cases.done)
    found_qr = [d for img in images(path) for d in scan(img, "QRCODE")]
    found_bar = [d for img in images(path) for d in scan(img, "CODE128")]
    assert found_qr == [expected]
    assert found_bar == [expected]
    assert verify_payload(found_qr[0]).status == "valid"


def test_receipt_qr_is_at_least_3_cm(cases, tmp_path, admin):
    doc = Document(str(receipt(cases.done, tmp_path / "01.docx", actor=admin)))
    shapes = sorted(doc.inline_shapes, key=lambda s: s.width / s.height)
    qr = shapes[0]
    assert qr.width == qr.height and qr.width >= Cm(3.0) * 33 / 25  # 25 modules + 2 × 4 quiet zone
    barcode = shapes[-1]
    assert barcode.width >= Cm(7)


def test_receipt_page_and_fonts(cases, tmp_path, admin):
    doc = Document(str(receipt(cases.done, tmp_path / "01.docx", actor=admin)))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.right_margin.cm, 1) == 2.0
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(k)) for k in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {"Times New Roman"}
    assert doc.styles["Normal"].font.size.pt == 13
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(f".//{qn('w:rFonts')}")
    assert defaults.get(qn("w:asciiTheme")) is None and defaults.get(qn("w:ascii")) == "Times New Roman"


def test_receipt_a5(cases, tmp_path, admin):
    path = receipt(cases.done, tmp_path / "01a5.docx", paper="A5", actor=admin)
    doc = Document(str(path))
    assert (round(doc.sections[0].page_width.cm, 1), round(doc.sections[0].page_height.cm, 1)) == (14.8, 21.0)
    assert TITLES["01"] in text(path)
    assert [d for img in images(path) for d in scan(img, "QRCODE")] == [make_payload(cases.done)]
    with pytest.raises(ValidationError):
        receipt(cases.done, tmp_path / "x.docx", paper="Letter", actor=admin)


def test_receipt_wording_for_a_same_day_procedure_and_unknown_gender(cases, tmp_path, admin):
    body = text(receipt(cases.fresh, tmp_path / "01.docx", clock=FixedClock(t(25, 8)), actor=admin))
    assert "tiếp nhận hồ sơ của: Ông/Bà Đỗ Minh Khôi" in body
    # Received 15:40 on 24/11, a public holiday (Ngày Văn hóa Việt Nam): the clock starts the next working
    # morning, before the cut-off, so the slip says "trong ngày" alone, as the due date (25/11) does.
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: trong ngày\n" in body
    assert "Hà Tĩnh, ngày 25 tháng 11 năm 2026" in body  # the date given, not the receipt's
    assert "Email: …" in body  # blanks to fill by hand


def test_dates_and_processing_times():
    assert long_date(date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert long_date(date(2026, 2, 28)) == "ngày 28 tháng 02 năm 2026"
    assert long_date(date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert long_date(date(2026, 11, 23)) == "ngày 23 tháng 11 năm 2026"
    assert processing_time(3, "working", None, False) == "03 ngày làm việc"
    assert processing_time(15, "calendar", None, False) == "15 ngày"
    assert processing_time(0, "working", "15:00", False) == "trong ngày"
    assert processing_time(0, "working", "15:00", True) == ("trong ngày (hồ sơ nhận từ 15 giờ 00 được giải quyết "
                                                            "trong ngày làm việc tiếp theo)")
    assert processing_time(0, "working", None, True) == "trong ngày"
    assert processing_time(0, "working", "15h", True) == "trong ngày"  # a bad cut-off is left out, not fatal
    assert "từ 09 giờ 30" in processing_time(0, "working", "9:30", True)  # read as the catalog reads it
    assert processing_time(0, "working", "15:00Z", True) == "trong ngày"  # the one reader refuses a zone


@pytest.mark.parametrize(("at", "next_day"), [((14, 59, 59), False), ((15, 0, 0), True), ((15, 0, 1), True)])
def test_the_receipt_and_its_due_date_agree_at_the_cut_off(office, tmp_path, admin, at, next_day):
    """One cut-off rule (D33): 15:00:00 sharp is after a 15:00 cut-off, on the slip and in the due date."""
    received = datetime(2026, 11, 26, *at, tzinfo=LOCAL_TZ)  # a Thursday, a working day
    code = register(IntakeRequest("T-KS", Applicant(name="Đỗ Minh Khôi"), received_at=received), actor=admin).code
    info = get_dossier(code, actor=admin)
    assert (info.due_at.date() > received.date()) is next_day
    body = text(receipt(code, tmp_path / "01.docx", actor=admin))
    assert ("hồ sơ nhận từ 15 giờ 00 được giải quyết trong ngày làm việc tiếp theo" in body) is next_day


# -- Mẫu 02 - 06 -----------------------------------------------------------------------------------
def test_supplement_request_from_the_event(cases, tmp_path, admin):
    body = text(supplement_request(cases.done, tmp_path / "02.docx", actor=admin))
    for expected in [TITLES["02"], f"Mã hồ sơ: {cases.done}", f"Bà {TUYET}", "Hà Tĩnh, ngày 23 tháng 11 năm 2026",
                     "Số định danh cá nhân/Mã số định danh của tổ chức: 042190012345",
                     "Nội dung yêu cầu giải quyết: Cấp giấy xác nhận tình trạng hôn nhân",
                     "1. Bản sao Giấy khai sinh", "2. Giấy xác nhận nơi cư trú",
                     "liên hệ với Trần Văn Hùng, số điện thoại: 0239 3855 123 để được hướng dẫn./.",
                     "NGƯỜI HƯỚNG DẪN"]:
        assert expected in body, expected


def test_supplement_request_given_items(cases, tmp_path, admin):
    body = text(supplement_request(cases.fresh, tmp_path / "02.docx", items=["Tờ khai có chữ ký", " "],
                                   reason="Tờ khai chưa ký", contact_name="Phạm Thị Lan",
                                   contact_phone="0912000111", clock=FixedClock(t(24, 16)), actor=admin))
    assert "1. Tờ khai có chữ ký" in body and "2. " not in body
    assert "Lý do: Tờ khai chưa ký" in body
    assert "liên hệ với Phạm Thị Lan, số điện thoại: 0912000111" in body
    assert "hồ sơ của Ông/Bà chưa đầy đủ" in body
    with pytest.raises(ValidationError):
        supplement_request(cases.fresh, tmp_path / "02b.docx", actor=admin)  # nothing to ask for


def test_refusal(cases, tmp_path, admin):
    body = text(refusal(cases.refused, tmp_path / "03.docx", actor=admin))
    for expected in [TITLES["03"], f"Mã hồ sơ: {cases.refused}", f"Ông {BINH}", "Hà Tĩnh, ngày 24 tháng 11 năm 2026",
                     "Số định danh cá nhân/Mã số định danh của tổ chức: …",  # none recorded: to fill by hand
                     "Căn cứ quy định tại Nghị định số 23/2015/NĐ-CP, hồ sơ của Ông không đủ điều kiện",
                     "1. Không thuộc thẩm quyền chứng thực của UBND cấp xã", "2. Thiếu bản chính",
                     "Xin thông báo để Ông được biết và thực hiện./.", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Phạm Thị Lan"]:
        assert expected in body, expected
    with pytest.raises(ValidationError):
        refusal(cases.done, tmp_path / "03b.docx", actor=admin)
    assert "1. Sai thẩm quyền" in text(refusal(cases.done, tmp_path / "03c.docx", reasons=["Sai thẩm quyền"],
                                               actor=admin))


def test_apology(cases, tmp_path, admin):
    body = text(apology(cases.done, tmp_path / "04.docx", actor=admin))
    for expected in [
        TITLES["04"], f"Mã hồ sơ: {cases.done}", f"Kính gửi: Bà {TUYET}", "Hà Tĩnh, ngày 27 tháng 11 năm 2026",
        "Ngày 23 tháng 11 năm 2026, Bộ phận tiếp nhận và trả kết quả UBND phường Trần Phú tiếp nhận hồ sơ của Bà "
        f"(số định danh cá nhân 042190012345, mã hồ sơ {cases.done}) đề nghị giải quyết thủ tục hành chính: "
        "Cấp giấy xác nhận tình trạng hôn nhân.",
        "Thời hạn trả kết quả giải quyết hồ sơ theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả: 17 giờ 00 phút, "
        "ngày 27 tháng 11 năm 2026.",
        "Lý do: Chờ kết quả xác minh nơi cư trú",
        "Sự chậm trễ này đã gây phiền hà cho Bà. UBND phường Trần Phú xin lỗi Bà và đề nghị gia hạn thời gian giải "
        "quyết; thời gian trả kết quả giải quyết hồ sơ là 17 giờ 00 phút, ngày 03 tháng 12 năm 2026.",
        "THỦ TRƯỞNG CƠ QUAN",
    ]:
        assert expected in body, expected
    with pytest.raises(ValidationError):
        apology(cases.refused, tmp_path / "04b.docx", actor=admin)


def record_stop(code: str, case: str, reason: str, at: datetime) -> None:
    """The audit event the lifecycle writes when a dossier is stopped (the contract of Mẫu 05, D44).

    Written through lifecycle's own event shape; the dossier's status is left as it is, since the
    state "stopped" comes with the lifecycle's change, not with the form.
    """
    row = dossier_row(code)
    staff = Staff.get(Staff.username == "lan")
    DossierEvent.create(dossier=row, **lifecycle._event(staff, at, "stop", Status(row.status), "stopped", reason,
                                                        json.dumps({"case": case})))


def test_stop_notice_before_the_stop_is_recorded(cases, tmp_path, admin):
    """Prepared before the stop: the notice prints, its case and reason left to fill in by hand."""
    body = text(stop_notice(cases.fresh, tmp_path / "05.docx", clock=FixedClock(t(25, 9)), actor=admin))
    for expected in [
        TITLES["05"], f"Mã hồ sơ: {cases.fresh}", "Kính gửi: Ông/Bà Đỗ Minh Khôi", "Hà Tĩnh, ngày 25 tháng 11 năm 2026",
        f"(số định danh cá nhân: …………………………; mã hồ sơ: {cases.fresh}) đề nghị giải quyết thủ tục hành chính: "
        "Đăng ký khai sinh.",
        "Căn cứ Điều 21 Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ, UBND phường Trần Phú "
        "thông báo dừng giải quyết hồ sơ nêu trên.",
        "Trường hợp: …………………………\nLý do: …………………………", "có thể nộp lại hồ sơ", "THỦ TRƯỞNG CƠ QUAN",
    ]:
        assert expected in body, expected


def test_stop_notice_reads_the_last_stop(cases, tmp_path, admin):
    record_stop(cases.done, "cannot_continue", "Giấy tờ giả mạo", t(4, 9, month=12))
    record_stop(cases.done, "applicant_request", "Công dân xin rút để bổ sung sau", t(4, 10, month=12))
    body = text(stop_notice(cases.done, tmp_path / "05.docx", actor=admin))
    for expected in [
        f"Kính gửi: Bà {TUYET}", "Hà Tĩnh, ngày 04 tháng 12 năm 2026",  # the day of the stop
        "(số định danh cá nhân: 042190012345;",
        "Trường hợp: Theo đề nghị dừng giải quyết (rút hồ sơ) của tổ chức, cá nhân có hồ sơ",
        "Lý do: Công dân xin rút để bổ sung sau",
        "Bà nhận lại hồ sơ, giấy tờ đã nộp tại Bộ phận Một cửa UBND phường (Trụ sở UBND phường).",
        "liên hệ UBND phường Trần Phú, số điện thoại 0239 3855 123",
    ]:
        assert expected in body, expected
    assert "Giấy tờ giả mạo" not in body
    rows = documents.handovers(get_dossier(cases.done, actor=admin), history(cases.done, actor=admin))
    assert rows[-1][0] == f"1. Giao: Bộ phận TN&TKQ\n2. Nhận: Bà {TUYET}"
    assert rows[-1][3] == "Dừng giải quyết hồ sơ: Công dân xin rút để bổ sung sau"


def test_control_slip_has_one_row_per_event(cases, tmp_path, admin):
    path = control_slip(cases.done, tmp_path / "06.docx", actor=admin)
    body = text(path)
    assert TITLES["06"] in body and f"Mã hồ sơ: {cases.done}" in body
    assert f"(Kèm theo hồ sơ của Bà {TUYET})" in body
    for expected in ["Cơ quan (bộ phận) giải quyết hồ sơ: UBND phường Trần Phú", "Cơ quan phối hợp giải quyết hồ sơ: …",
                     "Ngày nhận hồ sơ: 09 giờ 15 phút, ngày 23 tháng 11 năm 2026",
                     "Hẹn trả kết quả: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026"]:
        assert expected in body, expected
    doc = Document(str(path))
    table = doc.tables[-1]
    assert [c.text for c in table.rows[0].cells][0] == "TÊN ĐƠN VỊ\n(1. Giao / 2. Nhận)"
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == len(history(cases.done, actor=admin)) == 7
    assert rows[0][0] == f"1. Giao: Bà {TUYET}\n2. Nhận: Bộ phận TN&TKQ"
    assert rows[0][1].startswith("09:15 23/11/2026") and rows[0][1].endswith("Người nhận: Phạm Thị Lan")
    assert rows[1][0] == "1. Giao: Bộ phận TN&TKQ\n2. Nhận: Công chức chuyên môn"
    assert rows[1][1].endswith("Người giao: Phạm Thị Lan\nNgười nhận: Trần Văn Hùng")
    assert [r[2] for r in rows] == ["", "Trước hạn", "Trước hạn", "Trước hạn", "Đúng hạn", "Quá hạn", "Quá hạn"]
    assert rows[2][3] == "Yêu cầu bổ sung: Bản sao Giấy khai sinh; Giấy xác nhận nơi cư trú"
    assert rows[4][3].startswith("Phiếu xin lỗi, hẹn lại ngày 03/12/2026")
    assert rows[6][0] == f"1. Giao: Bộ phận TN&TKQ\n2. Nhận: {TUYET}"


# -- Mẫu 07 ----------------------------------------------------------------------------------------
def count_queries(monkeypatch) -> list[str]:
    seen: list[str] = []
    db = database_proxy.obj
    real = db.execute_sql

    def counting(sql, *args, **kwargs):
        seen.append(sql)
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", counting)
    return seen


def test_log_book_rows_sorted_by_receipt_time(cases, tmp_path, admin):
    early = register(IntakeRequest("T-KT", Applicant(name="Vũ Thị Mai", gender="Nữ"),
                                   received_at=t(23, 6, 30)), clock=CLOCK, actor=admin).code  # 23:30 UTC the day before
    outside = register(IntakeRequest("T-KT", Applicant(name="Hồ Văn Nam"), received_at=t(26, 8)), clock=CLOCK,
                       actor=admin).code
    path = log_book(date(2026, 11, 23), date(2026, 11, 25), tmp_path / "07.docx", clock=CLOCK, actor=admin)
    doc = Document(str(path))
    section = doc.sections[0]
    assert section.page_width > section.page_height
    table = doc.tables[-1]
    assert [c.text for c in table.rows[0].cells] == documents.LOG_HEADERS
    assert [c.text for c in table.rows[1].cells] == [f"({i})" for i in range(1, 13)]
    assert header_rows(path) == 2
    rows = [[c.text for c in row.cells] for row in table.rows[2:]]
    assert [r[1] for r in rows] == [early, cases.done, cases.refused, cases.fresh]
    assert outside not in text(path)
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    done = rows[1]
    assert done[2:8] == ["Cấp giấy xác nhận tình trạng hôn nhân", TUYET, "Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh, 0912345678",
                         "UBND phường Trần Phú", "23/11/2026", "27/11/2026"]
    assert done[8:11] == ["03/12/2026", "Trực tiếp", ""]  # returned on the 3rd, in person; signed by hand
    assert "Gia hạn đến 03/12/2026" in done[11] and "Quá hạn" in done[11]
    assert rows[2][8] == "24/11/2026" and rows[2][11] == "Từ chối tiếp nhận"
    body = text(path)
    assert "SỔ THEO DÕI HỒ SƠ" in body and "Từ ngày 23/11/2026 đến ngày 25/11/2026" in body


def test_log_book_for_a_field_or_a_group_of_fields(cases, tmp_path, admin):
    """Circular 03/2025: one book per field or group of fields, as the office chooses."""
    month = (date(2026, 11, 1), date(2026, 11, 30))
    path = log_book(*month, tmp_path, clock=CLOCK, fields=["CT"], actor=admin)
    assert path.name == "mau07_so_theo_doi_20261101-20261130_CT.docx"
    rows = [[c.text for c in row.cells] for row in Document(str(path)).tables[-1].rows[2:]]
    assert [r[1] for r in rows] == [cases.refused]  # T-HD is Chứng thực; the others are Hộ tịch
    assert "Lĩnh vực: Chứng thực. Quyển số: 2026." in text(path)
    both = log_book(*month, tmp_path / "b.docx", clock=CLOCK, fields=["HT", "CT"], actor=admin)
    assert len(Document(str(both)).tables[-1].rows) == 2 + 3
    assert "Lĩnh vực: Hộ tịch; Chứng thực." in text(both)
    with pytest.raises(ValidationError):
        log_book(*month, tmp_path / "x.docx", fields=["XX"], actor=admin)


def test_log_book_query_count_does_not_grow_with_dossiers(cases, tmp_path, monkeypatch, admin):
    def queries() -> int:
        seen = count_queries(monkeypatch)
        log_book(date(2026, 11, 1), date(2026, 11, 30), tmp_path / "07.docx", clock=CLOCK, actor=admin)
        monkeypatch.undo()
        return len(seen)

    few = queries()
    for i in range(30):
        code = register(IntakeRequest("T-TTHN", Applicant(name="Đặng Văn Toàn"), received_at=t(20, 8, i)),
                        clock=CLOCK, actor=admin).code
        advance(code, "processing", at=t(20, 10, i), clock=CLOCK, actor=admin)
    many = queries()
    assert many == few <= 4
    assert len(Document(str(tmp_path / "07.docx")).tables[-1].rows) == 2 + 33


def test_log_book_empty_and_backwards_range(office, tmp_path, admin):
    body = text(log_book(date(2026, 1, 1), date(2026, 1, 31), tmp_path, clock=CLOCK, actor=admin))
    assert "Không có hồ sơ nào" in body
    assert (tmp_path / "mau07_so_theo_doi_20260101-20260131.docx").exists()
    with pytest.raises(ValidationError):
        log_book(date(2026, 2, 1), date(2026, 1, 1), tmp_path / "x.docx", actor=admin)


# -- files -----------------------------------------------------------------------------------------
def test_render_form_and_default_file_name(cases, tmp_path, admin):
    assert set(FORMS) == {"01", "02", "03", "04", "05", "06"}
    path = render_form(cases.done, "1", tmp_path, actor=admin)
    assert path == tmp_path / f"mau01_{cases.done}.docx"
    assert "PHIẾU KIỂM SOÁT" in text(render_form(cases.done, "mau06", tmp_path / "k.docx", actor=admin))
    assert render_form(cases.done, "01", tmp_path / "a5.docx", paper="A5", actor=admin).exists()
    with pytest.raises(ValidationError):
        render_form(cases.done, "07", tmp_path, actor=admin)
    with pytest.raises(DeskError):
        render_form("000.00.13.H42-261123-9999", "01", tmp_path, actor=admin)


def test_an_injected_clock_dates_every_form(cases, tmp_path, admin):
    """Each form, called directly or through render_form, is dated the clock's office day; without a clock
    it keeps the day of what it is about (a reprint carries the original's date)."""
    clock = FixedClock(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # 00:30 on 02/12 in Hà Tĩnh
    dated = "Hà Tĩnh, ngày 02 tháng 12 năm 2026"
    calls = {
        "01": lambda out, **kw: receipt(cases.done, out, actor=admin, **kw),
        "02": lambda out, **kw: supplement_request(cases.done, out, actor=admin, **kw),
        "03": lambda out, **kw: refusal(cases.refused, out, actor=admin, **kw),
        "04": lambda out, **kw: apology(cases.done, out, actor=admin, **kw),
        "05": lambda out, **kw: control_slip(cases.done, out, actor=admin, **kw),
    }
    own = {"01": "ngày 23 tháng 11", "02": "ngày 23 tháng 11", "03": "ngày 24 tháng 11", "04": "ngày 27 tháng 11",
           "05": "ngày 23 tháng 11"}
    for form, write in calls.items():
        code = cases.refused if form == "03" else cases.done
        assert dated in text(write(tmp_path / f"{form}.docx", clock=clock)), form
        assert dated in text(render_form(code, form, tmp_path / f"r{form}.docx", actor=admin, clock=clock)), form
        undated = text(write(tmp_path / f"{form}-own.docx"))
        assert dated not in undated and f"Hà Tĩnh, {own[form]} năm 2026" in undated, form
    book = log_book(date(2026, 11, 1), date(2026, 11, 30), tmp_path / "06.docx", clock=clock, actor=admin)
    assert dated in text(book)


def test_unwritable_folder_is_a_clear_error(cases, tmp_path, admin):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DeskError) as err:
        receipt(cases.done, blocker / "01.docx", actor=admin)
    assert str(blocker) in str(err.value)


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(cases, tmp_path, monkeypatch, admin):
    folder = tmp_path / "slips"
    folder.mkdir()
    target = folder / "01.docx"
    target.write_bytes(b"old slip")

    def broken_save(self, stream):
        stream.write(b"half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Document().__class__, "save", broken_save)
    with pytest.raises(DeskError) as err:
        receipt(cases.done, target, actor=admin)
    assert "đầy" in str(err.value) or "disk is full" in str(err.value).lower()
    assert target.read_bytes() == b"old slip"
    assert sorted(p.name for p in folder.iterdir()) == ["01.docx"]


# -- printed through LibreOffice -------------------------------------------------------------------
def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (apt-get install libreoffice-writer poppler-utils)"
        if os.environ.get("CI") and name != "soffice":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60, check=True)
    return int(next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path) -> str:
    return subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout


def page_image(pdf: Path, dpi: int) -> np.ndarray:
    prefix = pdf.with_suffix("")
    subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-png", str(pdf),
                    str(prefix)], check=True, timeout=60)
    png = next(prefix.parent.glob(prefix.name + "-*1.png"))
    return cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)


def test_forms_print_through_libreoffice(cases, tmp_path, admin):
    """All seven forms of Circular 03/2025 as a person gets them: a PDF from LibreOffice, its text read back
    with the diacritics, on one page each, the receipt's QR code and barcode readable from the page.

    (tools/form_screenshots.py makes docs/screenshots/form*.png from the same kind of dossiers.)
    """
    soffice = _tool("soffice")
    src = tmp_path / "docx"
    record_stop(cases.done, "applicant_request", "Công dân đề nghị dừng để bổ sung giấy tờ", t(4, 9, month=12))
    four = [DocumentItem(name, 1, "original") for name in (  # the longest list of the seed catalog's procedures
        "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (theo mẫu)",
        "Giấy tờ chứng minh đã ly hôn hoặc vợ/chồng đã chết (nếu có)",
        "Giấy xác nhận tình trạng hôn nhân đã được cấp trước đây (trường hợp đề nghị cấp lại)",
        "Giấy tờ tùy thân của người yêu cầu - xuất trình")]
    long = register(IntakeRequest("T-TTHN", Applicant(name=TUYET, gender="Nữ", id_number="042190012345"),
                                  documents=four, received_at=t(26, 9)), clock=CLOCK, actor=admin).code
    files = [
        receipt(long, src / "form_01_four.docx", actor=admin),
        receipt(long, src / "form_01_four_a5.docx", paper="A5", actor=admin),
        receipt(cases.done, src / "form_01.docx", actor=admin),
        receipt(cases.done, src / "form_01_a5.docx", paper="A5", actor=admin),
        supplement_request(cases.done, src / "form_02.docx", actor=admin),
        refusal(cases.refused, src / "form_03.docx", actor=admin),
        apology(cases.done, src / "form_04.docx", actor=admin),
        stop_notice(cases.done, src / "form_05.docx", actor=admin),
        control_slip(cases.done, src / "form_06.docx", actor=admin),
        log_book(date(2026, 11, 1), date(2026, 11, 30), src / "form_07.docx", clock=CLOCK, actor=admin),
    ]
    pdf_dir = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
                    "--outdir", str(pdf_dir), *map(str, files)],
                   check=True, timeout=240, capture_output=True)
    pdfs = {f.stem: pdf_dir / f"{f.stem}.pdf" for f in files}
    assert all(p.exists() for p in pdfs.values()), sorted(pdf_dir.iterdir())

    said = {  # what a reader must find on each page, diacritics intact
        "form_01": [f"tiếp nhận hồ sơ của: Bà {TUYET}", "Số định danh cá nhân/Mã số định danh của tổ chức: 042190012345",
                    "Người được ủy quyền (nếu có)", "Thời gian giải quyết hồ sơ theo quy định",
                    "Quyển số: 2026, Số thứ tự: 0001", "NGƯỜI NỘP", "NGƯỜI TIẾP NHẬN", "Ký số"],
        "form_01_a5": [TUYET, "Quyển số: 2026", "NGƯỜI TIẾP NHẬN"],
        "form_02": [TUYET, "1. Bản sao Giấy khai sinh", "NGƯỜI HƯỚNG DẪN", "042190012345"],
        "form_03": [BINH, "1. Không thuộc thẩm quyền chứng thực của UBND cấp xã", f"Mã hồ sơ: {cases.refused}"],
        "form_04": [f"Kính gửi: Bà {TUYET}", "đề nghị gia hạn thời gian giải quyết", "THỦ TRƯỞNG CƠ QUAN"],
        "form_05": [f"Kính gửi: Bà {TUYET}", "Điều 21 Nghị định số 118/2025/NĐ-CP",
                    "Lý do: Công dân đề nghị dừng để bổ sung giấy tờ", "có thể nộp lại hồ sơ"],
        "form_06": ["Ngày nhận hồ sơ: 09 giờ 15 phút", "Trước hạn", "Đúng hạn", "Quá hạn", "Dừng giải quyết hồ sơ"],
        "form_07": ["Mã hồ sơ", "Tên TTHC", "Trực tiếp", "Gia hạn đến 03/12/2026", "Đỗ Minh Khôi", BINH,
                    "Tuyết"],  # narrow cells wrap: a reader's text is read word by word across the lines
    }
    form_of = {"form_01_a5": "01"}
    for stem, expected in said.items():
        printed = " ".join(pdf_text(pdfs[stem]).split())
        assert TITLES[form_of.get(stem, stem[-2:])] in printed, stem
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in printed and "Độc lập - Tự do - Hạnh phúc" in printed, stem
        assert "UBND TỈNH HÀ TĨNH UBND PHƯỜNG TRẦN PHÚ" in printed, stem  # superior authority, then the office
        for words in expected:
            assert words in printed, (stem, words)
        assert pdf_pages(pdfs[stem]) == 1, stem  # each fits its page (the month's log book too)
    assert pdf_pages(pdfs["form_01_four"]) == pdf_pages(pdfs["form_01_four_a5"]) == 1  # four documents still fit

    payload = make_payload(cases.done)
    for stem in ("form_01", "form_01_a5"):
        page = page_image(pdfs[stem], 150)
        assert scan(page, "QRCODE") == [payload], stem
    # the barcode's bars are ~0.2 mm: a 300 dpi scan, as a desk scanner or a printout photo gives
    for stem in ("form_01", "form_01_a5"):
        assert scan(page_image(pdfs[stem], 300), "CODE128") == [payload], stem


def test_forms_on_each_engine(any_office, tmp_path, admin):
    """The receipt's QR and the log book's row read the same from either engine."""
    code = register(IntakeRequest("T-TTHN", Applicant(name=TUYET, gender="Nữ"), received_at=t(23, 6, 30)),
                    clock=CLOCK, actor=admin).code
    advance(code, "processing", at=t(23, 10), clock=CLOCK, actor=admin)
    assert scan(images(receipt(code, tmp_path / "01.docx",
                               actor=admin))[0], "QRCODE") == [make_payload(code)]
    path = log_book(date(2026, 11, 23), date(2026, 11, 23), tmp_path / "07.docx", clock=CLOCK, fields=["HT"],
                    actor=admin)
    row = [c.text for c in Document(str(path)).tables[-1].rows[2].cells]
    assert row[1:3] == [code, "Cấp giấy xác nhận tình trạng hôn nhân"]
    assert row[6:10] == ["23/11/2026", "27/11/2026", "", "Trực tiếp"]
