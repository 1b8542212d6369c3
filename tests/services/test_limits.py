"""Lengths, date bounds and the name rule: the same answer on SQLite and PostgreSQL, nothing changed on refusal.

Every test runs on both engines (``any_url``): SQLite stores a varchar of any length and PostgreSQL refuses
it, so a limit that is not checked in the service shows here as a traceback on one engine only.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date, datetime, timedelta

import pytest

from desk.errors import DeskError, ValidationError
from desk.models import CalendarDay, DailySequence, Dossier, DossierEvent, Office, ReceptionPoint, Staff
from desk.services import limits
from desk.services.accounts import SYSTEM, create_staff, update_staff
from desk.services.calendar import WorkCalendar, set_day
from desk.services.catalog import get_procedure
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.demo import generate
from desk.services.documents import log_book
from desk.services.dossiers import DocumentItem, Status
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance, apologize
from desk.services.office import OfficeSettings, ensure_office, get_office_settings, update_office
from desk.text import tidy_name


def _admin():
    """The office's administrator (these tests are about input, not roles)."""
    from desk.services.accounts import get_actor

    return get_actor("admin")

NOW = datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ)
CLOCK = FixedClock(NOW)


def request(**overrides) -> IntakeRequest:
    applicant = overrides.pop("applicant", None) or Applicant(name="Nguyễn Văn An", address="Số 5, Tổ 2")
    values = {"procedure_code": "T-TTHN", "applicant": applicant, "received_at": datetime(2026, 11, 23, 9, 15)}
    values.update(overrides)
    return IntakeRequest(**values)


def person(**kw) -> Applicant:
    return Applicant(**{"name": "Nguyễn Văn An", **kw})


def snapshot() -> str:
    """Every row of the tables a refused call must not touch."""
    digest = hashlib.sha256()
    for model in (Dossier, DossierEvent, DailySequence, CalendarDay, Staff, Office, ReceptionPoint):
        for row in model.select().order_by(model.id).tuples():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def refused(call, *keys: str) -> ValidationError:
    """``call()`` is refused with a problem under each key, and nothing was written."""
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        call()
    assert set(keys) <= set(err.value.problems), err.value.problems
    assert snapshot() == before
    return err.value


# -- the name rule (text.py + limits.py) ------------------------------------------------------------
GOOD_NAMES = {
    "Nguyễn Văn An": "Nguyễn Văn An",
    "Nguye\u0302\u0303n Va\u0306n An": "Nguyễn Văn An",  # NFD from a Mac or a web form → NFC
    "  Trần\tThị\u00a0\u00a0Bình ": "Trần Thị Bình",  # any run of spaces → one space
    "H’Hen Niê": "H'Hen Niê",  # the typographic apostrophe → '
    "Ksor H'Bớp": "Ksor H'Bớp",
    "Nguyễn-Văn An": "Nguyễn-Văn An",
    "Nguyễn V. An": "Nguyễn V. An",
    "ĐẶNG THỊ ƯỚC": "ĐẶNG THỊ ƯỚC",
}
BAD_NAMES = {
    "😀": "U+1F600", "Nguyễn 🙂": "U+1F642",
    "\u0301": "U+0301", "Nguyễn \u0301An": "U+0301",  # a lone combining accent
    "Nguy\u202eễn": "U+202E", "Nguyễn\u202dAn": "U+202D", "An\u2066x": "U+2066",  # bidi overrides, isolates
    "Ng\u200duyễn": "U+200D", "Ng\u200cuyễn": "U+200C", "Ng\u200buyễn": "U+200B",  # zero-width joiners, space
    "Nguyễn\u2800Văn": "U+2800", "Nguyễn\u3164Văn": "U+3164", "\ufeffNguyễn": "U+FEFF",
    "Nguyễn\u00adVăn": "U+00AD", "Nguyễn\x00": "U+0000", "Nguyễn\x1cAn": "U+001C",
    "Nguyễn Văn 2": "U+0032", "Nguyen_Van": "U+005F", "Ｎｇｕｙｅｎ": "U+FF2E",
    "Nguyễn Vаn": "U+0430",  # a Cyrillic а that looks Latin
    "𝕳𝖔𝖆": "U+1D573",
}


@pytest.mark.parametrize(("typed", "saved"), GOOD_NAMES.items())
def test_good_names_are_saved_with_visible_cleaning_only(any_office, typed, saved):
    info = register(request(applicant=person(name=typed)), clock=CLOCK, actor=_admin())
    assert info.applicant_name == saved == tidy_name(typed)


@pytest.mark.parametrize(("typed", "code_point"), BAD_NAMES.items())
def test_bad_names_are_refused_naming_the_character(any_office, typed, code_point):
    err = refused(lambda: register(request(applicant=person(name=typed)), clock=CLOCK, actor=_admin()), "name")
    message = err.problems["name"]
    assert code_point in message and "Họ và tên người nộp" in message
    if unicodedata.category(typed.strip()[-1])[0] in "CZM":
        assert "\u202e" not in message and "\u200d" not in message  # invisible ones are named, not printed


def test_a_name_of_punctuation_only_is_refused(any_office):
    refused(lambda: register(request(applicant=person(name="' - .")), clock=CLOCK, actor=_admin()), "name")


def test_the_name_rule_covers_staff_and_the_person_collecting(any_office):
    refused(lambda: create_staff("clerk9", "Lê\u202eVăn", "clerk", "matkhau123", by=SYSTEM), "full_name")
    refused(lambda: create_staff("clerk9", "Lê 😀", "clerk", "matkhau123", by=SYSTEM), "full_name")
    refused(lambda: create_staff("c" * 65, "Lê Văn Tám", "clerk", "matkhau123", by=SYSTEM), "username")
    refused(lambda: create_staff("clerk9", "Lê " * 100, "clerk", "matkhau123", by=SYSTEM), "full_name")
    create_staff("clerk9", "Lê\u00a0Văn  Tám", "clerk", "matkhau123", by=SYSTEM)
    assert Staff.get(Staff.username == "clerk9").full_name == "Lê Văn Tám"
    refused(lambda: update_staff("clerk9", by=SYSTEM, full_name="\u2800"), "full_name")

    info = register(request(procedure_code="T-KS"), clock=CLOCK, actor=_admin())
    advance(info.code, "processing", at=NOW, clock=CLOCK, actor=_admin())
    advance(info.code, "resolved", at=NOW, clock=CLOCK, actor=_admin())
    refused(lambda: advance(info.code, "returned", returned_to="Bà\u200dBình", at=NOW, clock=CLOCK, actor=_admin()), "returned_to")
    refused(lambda: advance(info.code, "returned", returned_to="x" * 201, at=NOW, clock=CLOCK, actor=_admin()), "returned_to")
    done = advance(info.code, "returned", returned_to=" Trần  Thị\tBình ", at=NOW, clock=CLOCK, actor=_admin())
    assert done.returned_to == "Trần Thị Bình"


# -- lengths: the model's max_length, the same on both engines ------------------------------------------
@pytest.mark.parametrize(("key", "field", "column"), [
    ("name", "name", Dossier.applicant_name),
    ("address", "address", Dossier.address),
    ("email", "email", Dossier.email),
])
def test_every_applicant_text_field_has_its_columns_limit(any_office, key, field, column):
    limit = limits.max_length(column)
    fill = {"name": "A" * limit, "address": "x" * limit, "email": "a" * (limit - 6) + "@b.com"}[field]
    info = register(request(applicant=person(**{field: fill})), clock=CLOCK, actor=_admin())  # exactly at the limit: both store it
    assert Dossier.get(Dossier.code == info.code).__data__[column.name] == fill
    err = refused(lambda: register(request(applicant=person(**{field: fill + "x"})), clock=CLOCK, actor=_admin()), key)
    assert str(limit) in err.problems[key] and str(limit + 1) in err.problems[key]


def test_a_megabyte_address_is_refused_on_both_engines(any_office):
    """The issue's case: SQLite stored it, PostgreSQL answered with a traceback."""
    err = refused(lambda: register(request(applicant=person(address="Số 5 " * 200_000)), clock=CLOCK, actor=_admin()), "address")
    assert err.problems["address"].startswith("Địa chỉ: tối đa 300 ký tự")


def test_notes_and_documents_are_bounded(any_office):
    refused(lambda: register(request(notes="x" * (limits.MAX_NOTE_CHARS + 1)), clock=CLOCK, actor=_admin()), "notes")
    refused(lambda: register(request(documents=[DocumentItem("Tờ khai")] * (limits.MAX_DOCUMENTS + 1)),
                             clock=CLOCK, actor=_admin()), "documents")
    refused(lambda: register(request(documents=[DocumentItem("T" * 301)]), clock=CLOCK, actor=_admin()), "documents")
    info = register(request(documents=[DocumentItem(" Tờ\tkhai\x00 ", 2, "copy")]), clock=CLOCK, actor=_admin())
    assert info.documents == (DocumentItem("Tờ khai", 2, "copy"),)


def test_nul_and_lone_surrogates_never_reach_the_database(any_office):
    """PostgreSQL refuses NUL even in a query; both drivers refuse unpaired surrogates."""
    refused(lambda: register(request(applicant=person(email="a\x00@b.vn")), clock=CLOCK, actor=_admin()), "email")
    refused(lambda: register(request(procedure_code="T-TTHN\x00"), clock=CLOCK, actor=_admin()), "procedure")
    refused(lambda: register(request(procedure_code="\ud800"), clock=CLOCK, actor=_admin()), "procedure")
    refused(lambda: register(request(reception_point="Bộ phận\x00"), clock=CLOCK, actor=_admin()), "reception_point")
    info = register(request(applicant=person(address="Số 5\x00 \ud800Tổ 2", name="An")), clock=CLOCK, actor=_admin())
    assert info.address == "Số 5 Tổ 2"
    with pytest.raises(DeskError):
        advance("000.00.13.H42\x00", "processing", actor=_admin())


@pytest.mark.parametrize("point", ["99999999999999999999", "99999999999", str(2**31), "-1", "0", "9" * 5000])
def test_a_reception_point_id_too_big_for_a_row_id_is_an_unknown_point(any_office, point):
    """20 digits overflowed SQLite's integer; 11 digits overflow PostgreSQL's serial."""
    err = refused(lambda: register(request(reception_point=point), clock=CLOCK, actor=_admin()), "reception_point")
    assert point[:80] in err.problems["reception_point"]


def test_weekdays_of_thousands_of_digits_are_a_refusal(any_office):
    """Found by the two-engine fuzzer: int() refuses strings of more than 4 300 digits with a ValueError."""
    from desk.services.office import add_point

    refused(lambda: add_point("Điểm mới", weekdays="9" * 5000, by=SYSTEM), "weekdays")


def test_a_real_point_id_still_works(any_office):
    point = ReceptionPoint.select().order_by(ReceptionPoint.id.desc()).first()
    assert register(request(reception_point=str(point.id)), clock=CLOCK, actor=_admin()).reception_point == point.name


def test_office_settings_use_the_models_limits(any_office):
    current = get_office_settings()
    for key in ("name", "parent_name", "address", "place_name", "phone", "code"):
        limit = limits.max_length(getattr(Office, key))
        too_long = OfficeSettings(**{**current.__dict__, key: "X" * (limit + 1)})
        err = refused(lambda s=too_long: update_office(s, by=SYSTEM), key)
        assert str(limit) in err.problems[key]
    refused(lambda: ensure_office("C" * 36, "Tên"), "code")  # Decision 20/2020: at most 35
    refused(lambda: ensure_office("NEW.01", "T" * 201), "name")


def test_calendar_note_has_its_columns_limit(any_office):
    refused(lambda: set_day(date(2026, 12, 7), "off", "n" * 201, by=SYSTEM), "note")
    set_day(date(2026, 12, 7), "off", "n" * 200, by=SYSTEM)


# -- dates ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("received", [datetime(1, 1, 1, 9), datetime(1, 1, 1, 0, 0), datetime(1926, 11, 23, 9),
                                      datetime(1999, 12, 31, 23, 59), datetime(9999, 12, 31, 23, 59),
                                      NOW + limits.FUTURE_TOLERANCE + timedelta(seconds=1)])
def test_receipts_outside_the_bounds_are_refused(any_office, received):
    refused(lambda: register(request(received_at=received), clock=CLOCK, actor=_admin()), "received_at")


@pytest.mark.parametrize("received", [datetime(2000, 1, 3, 9), NOW + limits.FUTURE_TOLERANCE])
def test_receipts_at_the_bounds_are_accepted(any_office, received):
    assert register(request(received_at=received), clock=CLOCK, actor=_admin()).received_at.year == received.year


@pytest.mark.parametrize("birth", [date(1, 1, 1), date(1899, 12, 31), date(2026, 11, 24), date(9999, 12, 31)])
def test_birth_dates_outside_the_bounds_are_refused(any_office, birth):
    refused(lambda: register(request(applicant=person(birth_date=birth)), clock=CLOCK, actor=_admin()), "birth_date")


def test_birth_dates_at_the_bounds_are_accepted(any_office):
    for birth in (limits.EARLIEST_BIRTH, NOW.date()):
        register(request(applicant=person(birth_date=birth)), clock=CLOCK, actor=_admin())


def test_apology_date_at_most_a_year_after_the_due_date(any_office):
    info = register(request(), clock=CLOCK, actor=_admin())
    latest = info.due_at + limits.APOLOGY_MAX_AFTER_DUE
    for bad in (latest + timedelta(minutes=1), datetime(9999, 12, 31, 23, 59), datetime(2101, 1, 1, 8)):
        refused(lambda d=bad: apologize(info.code, d, reason="Chờ xác minh", clock=CLOCK, actor=_admin()), "new_appointment")
    assert apologize(info.code, latest, reason="Chờ xác minh", clock=CLOCK, actor=_admin()).appointment_at == latest


@pytest.mark.parametrize("at", [datetime(1, 1, 1, 0, 0), datetime(1, 1, 1, 3), datetime(9999, 12, 31, 23, 59)])
def test_action_times_far_off_are_refused_before_any_arithmetic(any_office, at):
    info = register(request(), clock=CLOCK, actor=_admin())
    refused(lambda: advance(info.code, "processing", at=at, clock=CLOCK, actor=_admin()), "at")
    refused(lambda: apologize(info.code, NOW + timedelta(days=30), reason="x", at=at, clock=CLOCK, actor=_admin()), "at")
    assert advance(info.code, "processing", at=NOW, clock=CLOCK, actor=_admin()).status == Status.PROCESSING


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_days_off_outside_2000_2100_are_refused(any_office, day):
    refused(lambda: set_day(day, "off", "Nghỉ", by=SYSTEM), "day")


def test_days_off_at_the_bounds_are_accepted(any_office):
    set_day(date(limits.FIRST_YEAR, 1, 1), "off", "", by=SYSTEM)
    set_day(date(limits.LAST_YEAR, 12, 31), "work", "", by=SYSTEM)
    assert CalendarDay.select().count() == 2


@pytest.mark.parametrize("received", [datetime(9999, 12, 31, 9, tzinfo=LOCAL_TZ), datetime(1, 1, 1, 9),
                                      datetime(1999, 12, 31, 9)])
def test_a_due_date_is_never_computed_near_the_ends_of_time(received):
    with pytest.raises(ValidationError) as err:
        WorkCalendar().due_at(get_procedure_stub(), received)
    assert "received_at" in err.value.problems


def get_procedure_stub():
    class Stub:
        processing_days, cutoff, no_appointment_day, day_unit = 365, None, False, "working"
    return Stub()


def test_due_at_the_last_day_of_the_range_still_works():
    due = WorkCalendar().due_at(get_procedure_stub(), datetime(2100, 12, 31, 9, tzinfo=LOCAL_TZ))
    assert due.year == 2102


@pytest.mark.parametrize(("first", "last"), [(date(9999, 12, 1), date(9999, 12, 31)), (date(1, 1, 1), date(1, 1, 2)),
                                              (date(1999, 12, 1), date(2000, 1, 1))])
def test_log_book_dates_outside_the_range_are_refused(any_office, tmp_path, first, last):
    out = tmp_path / "out"
    out.mkdir()
    refused(lambda: log_book(first, last, out / "so.docx", actor=_admin()))
    assert list(out.iterdir()) == []


def test_demo_months_are_bounded(any_office):
    for months in (0, -1, limits.MAX_DEMO_MONTHS + 1, 100_000):
        refused(lambda m=months: generate(5, months=m, clock=CLOCK, actor=_admin()), "months")


def test_demo_over_the_longest_span_starts_after_the_earliest_receipt(any_office):
    generate(50, months=limits.MAX_DEMO_MONTHS, clock=CLOCK, actor=_admin())
    first = Dossier.select(Dossier.received_at).order_by(Dossier.received_at).first().received_at
    assert first.date() >= limits.EARLIEST_RECEIPT


def test_the_service_and_procedure_lookup_work_after_refusals(any_office):
    """A refused value does not leave a broken transaction behind on PostgreSQL."""
    refused(lambda: register(request(applicant=person(address="x" * 301)), clock=CLOCK, actor=_admin()), "address")
    assert register(request(), clock=CLOCK, actor=_admin()).code.endswith("-0001")
    assert get_procedure("T-TTHN").code == "T-TTHN"
