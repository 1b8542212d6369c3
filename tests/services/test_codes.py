"""The dossier code as one value: formats and parses ``<unit code>-<yymmdd>-<NNNN>``, refuses the rest."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.errors import DeskError, ValidationError
from desk.i18n import current_language, set_language
from desk.services.codes import DossierCode

# Decision 20/2020 unit codes: groups of 0-9/A-Z between dots, at most 35 characters.
_GROUP = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=6)
UNITS = st.lists(_GROUP, min_size=1, max_size=5).map(".".join).filter(lambda unit: len(unit) <= 35)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
NUMBERS = st.integers(min_value=1, max_value=999_999_999)


def test_the_national_systems_shape():
    code = DossierCode("000.00.13.H42", date(2026, 11, 22), 7)
    assert str(code) == "000.00.13.H42-261122-0007"
    assert code.tail == "-261122-0007"
    assert str(DossierCode("X", date(2026, 1, 2), 12345)) == "X-260102-12345"  # at least 4 digits


@given(unit=UNITS, day=DAYS, number=NUMBERS)
def test_round_trip(unit, day, number):
    code = DossierCode(unit, day, number)
    parsed = DossierCode.parse(str(code))
    assert parsed == code and hash(parsed) == hash(code)
    assert (parsed.unit, parsed.day, parsed.number) == (unit, day, number)
    assert str(parsed) == str(code)
    assert DossierCode.parse_short(str(code)[len(unit) + 1:], unit) == code


@given(unit=UNITS, day=DAYS, number=NUMBERS)
def test_parsing_the_text_gives_the_text_back(unit, day, number):
    text = f"{unit}-{day:%y%m%d}-{number:04d}"
    assert str(DossierCode.parse(f"  {text}\r\n")) == text  # a scanner's line end is dropped


def test_the_unit_may_hold_the_spellings_of_codes_from_before_schema_3():
    for unit in ("UBND-TP", "ubnd_tp", "000.00.13.h42"):
        assert DossierCode.parse(f"{unit}-261122-0007").unit == unit
    assert DossierCode.parse("UBND-TP-261122-0007").tail == "-261122-0007"
    assert DossierCode.parse("A" * 35 + "-261122-0007").unit == "A" * 35  # the column's 35 characters


@pytest.mark.parametrize("text", [
    "", "261122-0007", "000.00.13.H42-261122-007", "000.00.13.H42-261122-0000", "000.00.13.H42-261322-0007",
    "000.00.13.H42-260229-0001", "000.00.13.H42-2611220-0007", "000.00.13.H42-261122-1234567890",
    "000.00.13.H42 261122 0007", "-261122-0007", "ＵＢＮＤ-261122-0007", "A" * 36 + "-261122-0007",
    "000.00.13.H42-261122-0007.K7Q2M9XA", "UBND Đ-261122-0007",
    "A-261122-00007", "A-261122-000000007", "A-261122-01234", "A-261122-٠٠٠٧",  # not as str() writes it
])
def test_malformed_codes_are_refused_in_vietnamese(text):
    previous = current_language()
    set_language("vi")
    try:
        with pytest.raises(ValidationError, match="Không phải mã hồ sơ") as caught:
            DossierCode.parse(text)
        assert isinstance(caught.value, DeskError) and "code" in caught.value.problems
        assert DossierCode.read(text) is None
    finally:
        set_language(previous)


def test_a_leap_day_is_a_day():
    assert DossierCode.parse("X-280229-0001").day == date(2028, 2, 29)
    assert DossierCode.parse("X-000229-0001").day == date(2000, 2, 29)


def test_non_text_is_refused():
    for value in (None, 261122, b"X-261122-0007"):
        assert DossierCode.read(value) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("unit, day, number", [
    ("", date(2026, 1, 1), 1), ("UBND Đ", date(2026, 1, 1), 1), ("X", date(2026, 1, 1), 0),
    ("X", date(2026, 1, 1), 10**9), ("X", "260101", 1),
    ("X", datetime(2026, 1, 1, 23, 30), 1), ("X", date(2026, 1, 1), True), ("X", date(2026, 1, 1), 7.0),
])
def test_a_code_cannot_be_made_of_parts_no_code_has(unit, day, number):
    with pytest.raises(ValidationError):
        DossierCode(unit, day, number)


def test_codes_a_century_apart_read_the_same():
    old, new = DossierCode("X", date(1926, 3, 14), 1), DossierCode("X", date(2026, 3, 14), 1)
    assert old == new and str(old) == "X-260314-0001"  # the register's unique column sees one code
    assert DossierCode.days_of("260314") == [date(1926, 3, 14), date(2026, 3, 14)]
    assert DossierCode.days_of("000229") == [date(2000, 2, 29)]  # 1900 was no leap year
    assert DossierCode.days_of("261322") == []
    for text in ("26112", "2611220", "26112٢", " 261122", "26-112", ""):  # exactly six digits, or no day
        assert DossierCode.days_of(text) == [], text


def test_shape_without_the_date():
    assert DossierCode.has_shape("X-261399-0001") and DossierCode.read("X-261399-0001") is None
    assert not DossierCode.has_shape("X-261122-07") and not DossierCode.has_shape(None)  # type: ignore[arg-type]


def test_short_form():
    assert DossierCode.is_short("261122-0007") and DossierCode.is_short(" 261122-12345 ")
    assert not DossierCode.is_short("X-261122-0007") and not DossierCode.is_short("261122-07")
    assert str(DossierCode.parse_short("261122-0007", "000.00.13.H42")) == "000.00.13.H42-261122-0007"
    with pytest.raises(ValidationError):
        DossierCode.parse_short("X-261122-0007", "X")
    for text in ("261122-00007", "261122-000000007", "261122-07"):  # canonical padding only
        assert not DossierCode.is_short(text) and DossierCode.short_parts(text) is None
        with pytest.raises(ValidationError):
            DossierCode.parse_short(text, "X")
    assert DossierCode.short_parts(" 261122-0007\r\n") == ("261122", 7)
    assert DossierCode.short_parts("261122-12345") == ("261122", 12345)
