"""The kiosk's lookup: only verified slips, masked names, plain words, no writes, a brake on guessing."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict
from datetime import datetime, timedelta

import peewee
import pytest

from desk.errors import PermissionDenied
from desk.i18n import _
from desk.models import DailySequence, Dossier, DossierEvent, Staff
from desk.services import accounts, lifecycle
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kiosk import (
    CLOSED,
    ERROR,
    PAUSED,
    READY,
    RETURNED,
    SUPPLEMENT,
    WAITING,
    KioskLookup,
    enforce_read_only,
    invalid_answer,
    lookup,
    staff_login_writes,
)
from desk.services.payload import check_for, make_payload
from desk.text import fold

NAME = "Lê Thị Hoa"
ID_NUMBER = "042190001234"
CCCD = f"{ID_NUMBER}|183456789|{NAME}|15031990|Nữ|Tổ 2, phường Trần Phú, Hà Tĩnh|01022021"


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


def make_dossier(*steps: str, return_point: str | None = None) -> str:
    """A T-TTHN dossier received Mon 23/11 09:00 (appointment Fri 27/11 17:00), moved through ``steps``."""
    clock = FixedClock(t(23, 9))
    code = register(IntakeRequest("T-TTHN", Applicant(name=NAME, id_number=ID_NUMBER),
                                  received_at=t(23, 9), return_point=return_point), clock=clock, actor=get_actor("admin")).code
    for i, step in enumerate(steps):
        note = "Thiếu bản sao giấy khai sinh" if step in ("needs_supplement", "refused") else ""
        lifecycle.advance(code, step, note=note, at=t(24, 9 + i), clock=FixedClock(t(24, 9 + i)),
                          actor=get_actor("admin"))
    return code


def snapshot() -> tuple:
    """Row counts of the tables a kiosk must never touch, and a checksum of every dossier row."""
    rows = list(Dossier.select().order_by(Dossier.id).tuples())
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    return (Dossier.select().count(), DossierEvent.select().count(), Staff.select().count(),
            DailySequence.select().count(), digest,
            list(Staff.select(Staff.failed_logins, Staff.locked_until).tuples()))


def leaks(answer) -> list[str]:
    text = repr(asdict(answer))
    return [secret for secret in (NAME, ID_NUMBER, ID_NUMBER[-4:]) if secret in text]


def test_resolved_dossier_is_ready_with_masked_name(office):
    code = make_dossier("processing", "resolved")
    answer = lookup(make_payload(code), clock=FixedClock(t(26, 10)))
    assert answer.ok and answer.state == READY and answer.ready_now
    assert answer.status_text == _("Result ready — please come and collect it")
    assert answer.masked_name == "Lê T. H."
    assert answer.procedure_name == "Cấp giấy xác nhận tình trạng hôn nhân"
    assert answer.appointment_at == t(27, 17)
    assert "17:00" in answer.appointment_text and "27/11/2026" in answer.appointment_text
    assert answer.due_text == answer.appointment_text
    assert answer.where_to_collect.startswith("Bộ phận Một cửa UBND phường")
    assert "Trụ sở UBND phường" in answer.where_to_collect
    assert answer.collect_when == _("Today, {hours}").format(hours=_(" and ").join(["07:30–11:30", "13:30–17:00"]))
    assert leaks(answer) == []


def test_collection_hours_move_to_the_next_open_day(office):
    code = make_dossier("processing", "resolved")
    afternoon = lookup(make_payload(code), clock=FixedClock(t(26, 14)))  # Thursday afternoon: the afternoon left
    assert "13:30–17:00" in afternoon.collect_when and "07:30" not in afternoon.collect_when
    evening = lookup(make_payload(code), clock=FixedClock(t(27, 18)))  # Friday after closing → Monday 30/11
    assert "30/11/2026" in evening.collect_when and _("Monday") in evening.collect_when
    assert "07:30–11:30" in evening.collect_when


def test_saturday_point_is_open_on_saturday(office):
    code = make_dossier("processing", "resolved", return_point="Điểm tiếp nhận điện tử Tổ dân phố 5")
    answer = lookup(make_payload(code), clock=FixedClock(t(27, 18)))
    assert answer.where_to_collect.startswith("Điểm tiếp nhận điện tử Tổ dân phố 5")
    assert "28/11/2026" in answer.collect_when  # Saturday: this point opens


def test_processing_dossier_shows_the_appointment(office):
    code = make_dossier("processing")
    answer = lookup(make_payload(code), clock=FixedClock(t(25, 10)))
    assert answer.ok and answer.state == WAITING and not answer.ready_now
    assert answer.status_text == _("Being processed")
    assert "27/11/2026" in answer.collect_when  # when to come: the appointment day
    assert answer.advice == _("Please come back on the appointment date.")
    assert leaks(answer) == []
    late = lookup(make_payload(code), clock=FixedClock(t(30, 9)))
    assert late.advice == _("The appointment date has passed. Please ask the staff at the desk.")


@pytest.mark.parametrize(("steps", "state", "text"), [
    ((), WAITING, "Being processed"),
    (("processing", "needs_supplement"), SUPPLEMENT,
     "Documents need to be supplemented — please contact the one-stop desk staff"),
    (("processing", "resolved", "returned"), RETURNED, "Result already returned"),
    (("refused",), CLOSED, "The dossier was refused — please contact the one-stop desk staff"),
    (("withdrawn",), CLOSED, "The dossier was withdrawn — please contact the one-stop desk staff"),
])
def test_every_status_in_plain_words(office, steps, state, text):
    code = make_dossier(*steps)
    answer = lookup(make_payload(code), clock=FixedClock(t(26, 10)))
    assert answer.ok and answer.state == state and not answer.ready_now
    assert answer.status_text == _(text)
    assert answer.masked_name == "Lê T. H."
    assert leaks(answer) == []


# Names already in the register with other separators between their words (typed, pasted, scanned):
# the kiosk still shows the family name and initials only, in every state.
STORED_NAMES = ["Nguyễn-Khánh-Quỳnh", "Nguyễn.Khánh.Quỳnh", "Nguyễn_Khánh_Quỳnh", "Nguyễn·Khánh·Quỳnh",
                "Nguyễn\u3164Khánh\u3164Quỳnh", "Nguyễn\u2800Khánh\u2800Quỳnh", "Nguyễn\tKhánh\tQuỳnh",
                "Nguyễn\u200bKhánh\u200bQuỳnh", "Nguyễn\u00a0Khánh\u3000Quỳnh",
                unicodedata.normalize("NFD", "Nguyễn Khánh Quỳnh"), "NGUYỄN KHÁNH QUỲNH", "nguyễn khánh quỳnh"]


def _rename(code: str, name: str) -> None:
    Dossier.update(applicant_name=name, applicant_name_folded=fold(name)).where(Dossier.code == code).execute()


@pytest.mark.parametrize("steps", [(), ("processing", "resolved"), ("processing", "needs_supplement"),
                                   ("processing", "resolved", "returned"), ("refused",)])
def test_stored_names_are_masked_whatever_separates_their_words(office, steps):
    code = make_dossier(*steps)
    for stored in STORED_NAMES:
        _rename(code, stored)
        answer = lookup(make_payload(code), clock=FixedClock(t(26, 10)))
        assert answer.ok and answer.masked_name == "Nguyễn K. Q.", (stored, answer.masked_name)
        shown = unicodedata.normalize("NFC", "\n".join(str(value) for value in asdict(answer).values())).casefold()
        assert "khánh" not in shown and "quỳnh" not in shown and stored.casefold() not in shown


def test_a_one_word_name_is_not_shown_whole(office):
    code = make_dossier("processing", "resolved")
    _rename(code, "Hoa")
    answer = lookup(make_payload(code), clock=FixedClock(t(26, 10)))
    assert answer.masked_name == "H." and "Hoa" not in repr(asdict(answer))


def _foreign_payload(code: str) -> str:
    other = "111.22.33.X99" + code[code.index("-"):]
    return f"{other}.{check_for(other, 'ab' * 32)}"


def _tampered(code: str) -> str:
    payload = make_payload(code)
    return payload[:-1] + ("A" if payload[-1] != "A" else "B")


@pytest.mark.parametrize("make_text", [
    lambda code: code,  # a bare code typed or printed without its check
    lambda code: code.split("-", 1)[1],  # the short form a clerk may type
    _tampered,
    lambda code: make_payload(code[:-1] + ("9" if code[-1] != "9" else "8")),  # another (missing) dossier
    _foreign_payload,
    lambda code: CCCD,
    lambda code: "hello world",
    lambda code: "",
    lambda code: "x" * 5000,
    lambda code: None,
])
def test_anything_but_a_valid_slip_gets_a_friendly_message(office, make_text):
    code = make_dossier("processing", "resolved")
    answer = lookup(make_text(code), clock=FixedClock(t(26, 10)))
    assert not answer.ok and answer.state == ERROR
    assert answer.message == invalid_answer().message
    assert answer.masked_name == answer.procedure_name == answer.status_text == answer.where_to_collect == ""
    assert answer.appointment_at is None and leaks(answer) == []


def test_lookups_never_write(office):
    codes = [make_dossier(*steps) for steps in ((), ("processing",), ("processing", "resolved"), ("refused",))]
    before = snapshot()
    brake = KioskLookup()
    for i in range(40):
        code = codes[i % len(codes)]
        for text in (make_payload(code), code, _tampered(code), CCCD):
            brake(text, clock=FixedClock(t(26, 10) + timedelta(seconds=i * 20)))
            lookup(text, clock=FixedClock(t(26, 10)))
    assert snapshot() == before


def test_read_only_connection_refuses_writes_and_still_answers(any_office: str) -> None:
    code = make_dossier("processing", "resolved")
    before = snapshot()
    enforce_read_only()
    # each engine's own refusal: SQLite's query_only pragma, PostgreSQL's read-only transactions
    refusal = peewee.InternalError if any_office.startswith("postgres") else peewee.OperationalError
    with pytest.raises(refusal):
        Dossier.update(notes="x").execute()
    answer = lookup(make_payload(code), clock=FixedClock(t(26, 10)))
    assert answer.state == READY and answer.masked_name == "Lê T. H."
    assert snapshot() == before


def test_staff_login_can_record_a_wrong_password_in_read_only_mode(office):
    enforce_read_only()
    with staff_login_writes(), pytest.raises(PermissionDenied):
        accounts.login("admin", "wrong password")
    assert Staff.get(Staff.username == "admin").failed_logins == 1
    with pytest.raises(peewee.OperationalError):  # read-only again afterwards
        Dossier.update(notes="x").execute()


def after(seconds: float) -> FixedClock:
    """A clock ``seconds`` after Thursday 26/11 10:00."""
    return FixedClock(t(26, 10) + timedelta(seconds=seconds))


def test_brake_pauses_after_five_invalid_scans(office):
    code = make_dossier("processing", "resolved")
    brake = KioskLookup()
    for i in range(4):
        assert brake(f"000.00.13.H42-261123-{i:04d}.AAAAAAAA", clock=after(i)).state == ERROR
    assert brake(make_payload(code), clock=after(5)).ok  # a valid slip still works
    assert not brake.paused(clock=after(5))
    assert brake("garbage", clock=after(6)).state == ERROR  # fifth failure
    paused = brake(make_payload(code), clock=after(7))
    assert not paused.ok and paused.state == PAUSED and "29" in paused.message
    assert paused.masked_name == ""
    assert brake.paused(clock=after(35)) and not brake.paused(clock=after(36))  # as of the clock's moment
    assert brake(make_payload(code), clock=after(36)).ok  # 30 s later: back


def test_brake_forgets_failures_older_than_a_minute(office):
    brake = KioskLookup()
    for i in range(10):
        assert brake("garbage", clock=after(16 * i)).state == ERROR
    assert brake.paused_until is None


def test_a_stopped_dossier_in_plain_words(office):
    code = make_dossier("processing")
    lifecycle.stop(code, reason="Không thể tiếp tục giải quyết", case="cannot_continue", at=t(24, 11),
                   clock=FixedClock(t(24, 11)), actor=get_actor("admin"))
    answer = lookup(make_payload(code), clock=FixedClock(t(26, 10)))
    assert answer.ok and answer.state == CLOSED and not answer.ready_now
    assert answer.status_text == _("Handling of the dossier was stopped — please contact the one-stop desk staff")
    assert leaks(answer) == []
