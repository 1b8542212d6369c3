"""The phone look-up pages through Flask's test client, on real SQLite and PostgreSQL databases.

What a phone sees of a slip's QR link: the kiosk's masked answer, nothing personal; one "not found"
for every payload that is not a valid slip; a brake per client address; the security headers.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from pathlib import Path

import pytest

from desk.models import Office, Staff
from desk.services import lifecycle
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kiosk import enforce_read_only
from desk.services.payload import check_for, make_payload
from desk.web import create_app
from desk.web.app import CONTENT_SECURITY_POLICY
from desk.web.brake import ClientBrake

NAME = "Lê Thị Hoa"
ID_NUMBER = "042190001234"
PHONE = "0912345678"
ADDRESS = "Số 17 ngõ Hoà Bình, tổ 2"
STAFF = "Phạm Quốc Khánh"
OFFICE_PHONE = "0239 3855 123"


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


def make_dossier(*steps: str) -> str:
    """A T-TTHN dossier received Mon 23/11 09:00 by a named clerk (appointment Fri 27/11 17:00)."""
    Staff.update(full_name=STAFF).where(Staff.username == "admin").execute()
    Office.update(phone=OFFICE_PHONE).execute()
    clock = FixedClock(t(23, 9))
    code = register(IntakeRequest("T-TTHN", Applicant(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS),
                                  received_at=t(23, 9)), clock=clock, actor=get_actor("admin")).code
    for i, step in enumerate(steps):
        lifecycle.advance(code, step, at=t(24, 9 + i), clock=FixedClock(t(24, 9 + i)), actor=get_actor("admin"))
    return code


def client(*, clock_at: datetime | None = None, brake: ClientBrake | None = None, proxies: int = 0):
    app = create_app(clock=FixedClock(clock_at or t(25, 10)), brake=brake, proxies=proxies)
    return app.test_client()


def body(response) -> str:
    return response.get_data(as_text=True)


def assert_nothing_personal(text: str) -> None:
    for secret in (NAME, ID_NUMBER, ID_NUMBER[-4:], PHONE, PHONE[-4:], ADDRESS, "Hoà Bình", STAFF):
        assert secret not in text, secret


def test_a_slip_link_shows_the_masked_state_and_nothing_personal(any_office):
    code = make_dossier("processing")
    enforce_read_only()  # as lookup-server opens the database
    page = client().get(f"/h/{make_payload(code)}")
    assert page.status_code == 200
    text = body(page)
    assert "Lê T. H." in text
    assert "Cấp giấy xác nhận tình trạng hôn nhân" in text
    assert "Đang giải quyết" in text or "Đang xử lý" in text
    assert "17:00, Thứ Sáu 27/11/2026" in text
    assert "Mang theo" in text and OFFICE_PHONE in text
    assert 'lang="vi"' in text
    assert_nothing_personal(text)
    assert code not in text  # not even the dossier code: the slip has it, the page need not


def test_an_extended_appointment_shows_the_new_date_and_the_first(any_office):
    code = make_dossier("processing")
    lifecycle.apologize(code, datetime(2026, 12, 2, 17, 0), reason="Cần xác minh thêm", at=t(26, 9),
                        clock=FixedClock(t(26, 9)), actor=get_actor("admin"))
    text = body(client(clock_at=t(26, 10)).get(f"/h/{make_payload(code)}"))
    assert "17:00, Thứ Tư 02/12/2026" in text
    assert "17:00, Thứ Sáu 27/11/2026" in text  # the first appointment, said as such
    assert "Cần xác minh" not in text  # the reason stays at the office
    assert_nothing_personal(text)


def test_a_ready_result_says_where_to_collect(any_office):
    code = make_dossier("processing", "resolved")
    text = body(client().get(f"/h/{make_payload(code)}"))
    assert "Đã có kết quả" in text
    assert "Thứ Tư 25/11/2026" in text or "Hôm nay" in text
    assert_nothing_personal(text)


def test_forged_checks_and_bare_codes_get_the_same_not_found(any_office):
    code = make_dossier()
    real = make_payload(code)
    forged = f"{code}.{check_for(code, 'ab' * 16)}"
    other = make_payload(code.replace("0001", "0002"))  # a valid check of a dossier that does not exist
    web = client()
    answers = [web.get(f"/h/{text}") for text in (forged, code, other, "junk", real[:-1] + "A", "%00")]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert len({body(a) for a in answers}) == 1  # one body, whatever was asked
    assert "Không tìm thấy hồ sơ" in body(answers[0])
    assert_nothing_personal(body(answers[0]))
    assert web.get("/no/such/page").status_code == 404
    assert body(web.get("/no/such/page")) == body(answers[0])


def test_sixty_bad_lookups_meet_a_429_while_another_address_still_works(any_office):
    code = make_dossier("processing")
    web = client(brake=ClientBrake())
    bad = [web.get(f"/h/{code}.AAAAAAAA", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code
           for _ in range(60)]
    assert bad[:10] == [404] * 10 and 429 in bad and set(bad[10:]) == {429}
    paused = web.get(f"/h/{make_payload(code)}", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert paused.status_code == 429 and "Quá nhiều" in body(paused)
    assert_nothing_personal(body(paused))
    other = web.get(f"/h/{make_payload(code)}", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 200 and "Lê T. H." in body(other)


def test_forwarded_for_counts_only_behind_a_configured_proxy(any_office):
    code = make_dossier()
    direct = client(brake=ClientBrake())
    for n in range(12):  # a client naming a new address in every request is still one client
        last = direct.get(f"/h/{code}", headers={"X-Forwarded-For": f"10.0.0.{n}"})
    assert last.status_code == 429
    proxied = client(brake=ClientBrake(), proxies=1)
    for _ in range(12):
        last = proxied.get(f"/h/{code}", headers={"X-Forwarded-For": "203.0.113.7"})
    assert last.status_code == 429
    other = proxied.get(f"/h/{make_payload(code)}", headers={"X-Forwarded-For": "198.51.100.9"})
    assert other.status_code == 200  # the proxy's own address is not what the brake counts


@pytest.mark.parametrize("path", ["/", "/h/{payload}", "/h/nothing", "/static/desk.css", "/h/a/b"])
def test_every_response_carries_the_security_headers(office, path):
    path = path.format(payload=make_payload(make_dossier()))
    response = client().get(path)
    assert response.status_code in (200, 404)
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    for part in ("default-src 'none'", "style-src 'sha256-", "img-src 'self' data:", "form-action 'self'",
                 "frame-ancestors 'none'"):
        assert part in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in headers
    assert headers["Cache-Control"] == "no-store"
    assert "text/html" in headers["Content-Type"]
    text = body(response)
    assert "http://" not in text and "https://" not in text and " src=" not in text  # no external resource
    assert "<script" not in text and "<link rel=\"stylesheet\"" not in text
    # the one inline style sheet is the one the policy allows by its hash
    style = text.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    assert f"style-src 'sha256-{digest}'" in headers["Content-Security-Policy"]


def test_the_start_page_explains_the_slip(office):
    text = body(client().get("/"))
    assert "Quét mã QR" in text and "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text


def test_text_is_escaped(office):
    code = make_dossier()
    Office.update(phone="<b>0239</b>").execute()
    text = body(client().get(f"/h/{make_payload(code)}"))
    assert "<b>0239" not in text and "&lt;b&gt;0239" in text


def test_the_pages_never_write(any_office):
    """The routes only read: on the read-only connection every page answers."""
    code = make_dossier("processing")
    enforce_read_only()
    web = client()
    assert web.get("/").status_code == 200
    assert web.get(f"/h/{make_payload(code)}").status_code == 200
    assert web.post(f"/h/{make_payload(code)}").status_code == 404  # only the rating form (D51) takes a POST


def test_a_database_that_does_not_answer_gets_a_plain_503_then_recovers(office, tmp_path):
    """The file gone (a share unplugged): one sentence, nothing of the dossier; back: the page answers."""
    from desk.models.db import database_proxy

    slip = make_payload(make_dossier("processing"))
    db = database_proxy.obj
    path = Path(db.database)
    db.close()
    aside = tmp_path / "aside.db"
    path.rename(aside)
    path.mkdir()  # a folder where the file was: SQLite cannot open it
    try:
        down = client().get(f"/h/{slip}")
        assert down.status_code == 503 and "Tạm thời chưa hiển thị được" in body(down)
        assert_nothing_personal(body(down))
        assert "Lê T. H." not in body(down) and "Traceback" not in body(down)
    finally:
        db.close()
        path.rmdir()
        aside.rename(path)
    up = client().get(f"/h/{slip}")
    assert up.status_code == 200 and "Lê T. H." in body(up)
