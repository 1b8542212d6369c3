"""Render the official forms of a sample dossier to PNG, as printed by LibreOffice (for docs and review).

    python tools/form_screenshots.py [docs/screenshots] [--dpi 60] [--keep FOLDER]

Needs LibreOffice (soffice) and poppler-utils (pdftoppm); Times New Roman or its metric twin
Liberation Serif (fonts-liberation2) makes the pages look as they do in Word.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHOTS = {  # docx stem → screenshot name
    "form01": "form01_receipt",
    "form01_a5": "form01_receipt_a5",
    "form02": "form02_supplement_request",
    "form03": "form03_refusal",
    "form04": "form04_extension_request",
    "form05": "form05_stop_notice",
    "form06": "form06_control_slip",
    "form07": "form07_log_book",
}  # the numbering of Circular 03/2025/TT-VPCP (D44)


def build_forms(folder: Path) -> list[Path]:
    """A fresh office with the seed catalog and dossiers walked through every form's situation."""
    import json

    from desk.models import DossierEvent, Office, Procedure, Staff
    from desk.models.db import connect
    from desk.services import documents, lifecycle
    from desk.services.accounts import get_actor, to_actor
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.dossiers import dossier_row
    from desk.services.intake import Applicant, IntakeRequest, register
    from desk.services.lifecycle import advance, apologize
    from desk.services.setup import SAMPLE_OFFICE, initialize

    for stale in folder.glob("forms.db*"):  # a --keep folder from an earlier run
        stale.unlink()
    connect(f"sqlite:///{folder}/forms.db")
    initialize(SAMPLE_OFFICE, actor=None)
    admin = get_actor("admin")
    Office.update(phone="0239 3855 123").execute()
    clerk = to_actor(Staff.create(username="lan", full_name="Phạm Thị Lan", role="clerk"))
    specialist = to_actor(Staff.create(username="hung", full_name="Trần Văn Hùng", role="clerk"))
    clock = FixedClock(datetime(2026, 12, 31, 16, 0, tzinfo=LOCAL_TZ))

    def t(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
        return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)

    marriage = Procedure.get(Procedure.name.startswith("Cấp Giấy xác nhận tình trạng hôn nhân"))
    contract = Procedure.get(Procedure.name.startswith("Chứng thực hợp đồng"))
    birth = Procedure.get(Procedure.name == "Đăng ký khai sinh")
    tuyet = Applicant(name="Nguyễn Thị Ánh Tuyết", id_number="042190012345", birth_date=date(1990, 3, 15),
                      gender="Nữ", address="Số 5, Tổ 2, phường Trần Phú, thành phố Hà Tĩnh", phone="0912 345 678",
                      email="tuyet.nguyen@example.vn")
    code = register(IntakeRequest(marriage.code, tuyet, received_at=t(23, 9, 15),
                                  reception_point="Bộ phận Một cửa UBND phường"), actor=clerk, clock=clock).code
    advance(code, "processing", at=t(23, 10), actor=specialist, clock=clock)
    advance(code, "needs_supplement", note="Bản sao Giấy khai sinh; Giấy xác nhận thông tin về cư trú",
            at=t(23, 14), actor=specialist, clock=clock)
    advance(code, "processing", at=t(25, 8), actor=clerk, clock=clock)
    apologize(code, datetime(2026, 12, 3, 17, 0), reason="Chờ kết quả xác minh của nơi cư trú trước đây",
              at=t(27, 15), actor=clerk, clock=clock)
    advance(code, "resolved", at=t(2, 10, month=12), actor=specialist, clock=clock)
    advance(code, "returned", at=t(3, 9, month=12), actor=clerk, clock=clock)
    refused = register(IntakeRequest(contract.code, Applicant(name="Lê Văn Bình", gender="Nam"),
                                     received_at=t(24, 10)), actor=clerk, clock=clock).code
    advance(refused, "refused", note="Tài sản là bất động sản, không thuộc thẩm quyền chứng thực của UBND cấp xã",
            at=t(24, 10, 30), actor=clerk, clock=clock)
    stopped = register(IntakeRequest(birth.code, Applicant(name="Trần Thị Hoa", gender="Nữ", id_number="042195004321"),
                                     received_at=t(24, 9)), actor=clerk, clock=clock).code
    # the lifecycle's stop event (action "stop", D44), written in its own shape until the stop lands in this branch
    row = dossier_row(stopped)
    DossierEvent.create(dossier=row, **lifecycle._event(
        Staff.get(Staff.username == "lan"), t(24, 10), "stop", row.status, "stopped",
        "Người yêu cầu đề nghị dừng giải quyết để bổ sung giấy tờ chứng minh", json.dumps({"case": "applicant_request"})))
    for i in range(30):
        register(IntakeRequest(birth.code, Applicant(name="Hoàng Đức Việt", gender="Nam", phone="0987654321",
                                                     address="Số 12 đường Nguyễn Du, phường Trần Phú"),
                               received_at=t(25, 8 + i % 8, i)), actor=clerk, clock=clock)
    return [
        documents.receipt(code, folder / "form01.docx", actor=admin),
        documents.receipt(code, folder / "form01_a5.docx", paper="A5", actor=admin),
        documents.supplement_request(code, folder / "form02.docx", reason="Hồ sơ chưa đủ thành phần theo quy định",
                                     actor=admin),
        documents.refusal(refused, folder / "form03.docx", actor=admin),
        documents.apology(code, folder / "form04.docx", actor=admin),
        documents.stop_notice(stopped, folder / "form05.docx", actor=admin),
        documents.control_slip(code, folder / "form06.docx", actor=admin),
        documents.log_book(date(2026, 11, 1), date(2026, 11, 30), folder / "form07.docx", clock=clock,
                           actor=admin),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--keep", help="also keep the .docx and .pdf files in this folder")
    args = parser.parse_args()
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("Needs LibreOffice (soffice) and poppler-utils (pdftoppm)", file=sys.stderr)
        return 1
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="desk-forms-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DESK_DATA_DIR", str(folder))  # never touch the real user's data
    files = build_forms(folder)
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, files)],
                   check=True, timeout=300, capture_output=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for docx in files:
        pdf = docx.with_suffix(".pdf")
        prefix = folder / f"{docx.stem}-page"
        subprocess.run([pdftoppm, "-r", str(args.dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                        str(prefix)], check=True, timeout=60)
        target = out / f"{SHOTS[docx.stem]}.png"
        shutil.copyfile(prefix.with_suffix(".png"), target)
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
