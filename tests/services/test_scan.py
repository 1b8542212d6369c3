"""One meaning for every scan: slips open dossiers, CCCD cards fill intake, anything else is explained."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.i18n import _
from desk.services import lifecycle
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.payload import check_for, make_payload
from desk.services.scan import ScanResult, describe, interpret

CLOCK = FixedClock(datetime(2026, 11, 26, 16, 0, tzinfo=LOCAL_TZ))
CARD = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|10082021"


@pytest.fixture
def code(office) -> str:
    request = IntakeRequest("T-TTHN", Applicant(name="Lê Thị Hoa"),
                            received_at=datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ))
    return register(request, clock=CLOCK, actor=get_actor("admin")).code


def test_valid_payload_is_a_dossier(code):
    result = interpret(make_payload(code))
    assert (result.kind, result.code, result.check.status) == ("dossier", code, "valid")
    assert result.identity is None
    assert describe(result) == _("Dossier {code} — {status}").format(code=code, status=_("Received"))


def test_scanner_noise_is_tolerated(code):
    # Caps Lock flipped, a trailing line end from the scanner.
    assert interpret(make_payload(code).lower() + "\r\n").code == code


def test_describe_follows_the_status(code, admin):
    lifecycle.advance(code, "processing", clock=CLOCK, actor=admin)
    lifecycle.advance(code, "resolved", clock=CLOCK, actor=admin)
    assert describe(interpret(make_payload(code))) == _("Dossier {code} — {status}").format(
        code=code, status=_("Result ready"))


def test_bare_code_only_at_the_clerk_desk(code):
    result = interpret(code)
    assert (result.kind, result.code, result.check.status) == ("dossier", code, "bare_code")
    kiosk = interpret(code, accept_bare_code=False)
    assert kiosk.kind == "unknown" and kiosk.code is None
    assert kiosk.message == kiosk.check.message


def test_short_code_typed_by_the_clerk(code):
    short = code.split("-", 1)[1]  # "261123-0001"
    assert interpret(short).code == code
    assert interpret(short, accept_bare_code=False).kind == "unknown"


def test_bare_code_of_a_missing_dossier(code):
    missing = code[:-4] + "9999"
    result = interpret(missing)
    assert result.kind == "unknown"
    assert result.message == _("No dossier with code {code}").format(code=missing)
    signed = interpret(make_payload(missing))
    assert signed.kind == "unknown" and signed.check.status == "valid"


def test_tampered_payload(code):
    payload = make_payload(code)
    other = code[:-1] + ("2" if code[-1] != "2" else "3")
    result = interpret(other + payload[len(code):])  # someone edited the number, kept the check
    assert result.kind == "unknown" and result.code is None
    assert result.check.status == "tampered"
    assert result.message == _("This QR code has been altered or is damaged")
    assert describe(result) == result.message


def test_foreign_payload(code):
    foreign = "000.00.99.X01-" + code.split("-", 1)[1]
    secret = "ab" * 32
    result = interpret(f"{foreign}.{check_for(foreign, secret)}")
    assert result.kind == "unknown" and result.check.status == "foreign"
    assert result.message == _("This QR code was not issued by this office")


def test_cccd_payload(office):
    result = interpret(CARD)
    assert result.kind == "cccd" and result.code is None and result.check is None
    assert result.identity.full_name == "Nguyễn Văn An"
    assert result.identity.birth_date == date(1990, 3, 15)
    assert describe(result) == _("CCCD: {name}, {dob}").format(name="Nguyễn Văn An", dob="15/03/1990")


def test_cccd_with_problems_says_how_many(office):
    result = interpret("001090012345||Nguyễn Văn An|15031990|Nam||")
    assert result.kind == "cccd" and result.identity.problems
    assert describe(result).startswith(_("CCCD: {name}, {dob}").format(name="Nguyễn Văn An", dob="15/03/1990"))
    assert result.message != _("Citizen ID card read")


@pytest.mark.parametrize("text", ["", "   ", "hello world", "https://dichvucong.gov.vn", "12345", "|||||",
                                  "000.00.13.H42-261399-0001"])
def test_garbage_is_unknown_with_a_message(office, text):
    result = interpret(text)
    assert result.kind == "unknown" and result.code is None and result.message
    assert describe(result) == result.message


def test_no_office_yet_is_a_message_not_a_crash(db):
    result = interpret("000.00.13.H42-261122-0007.K7Q2M9XA")
    assert isinstance(result, ScanResult) and result.kind == "unknown" and result.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=300),
    st.from_regex(r"[0-9A-Za-z.]{1,20}-[0-9]{6}-[0-9]{4}(\.[A-Z2-7]{8})?", fullmatch=True),
    st.lists(st.text(max_size=30), min_size=4, max_size=9).map("|".join),
))
def test_interpret_never_raises(office, text):
    result = interpret(text)
    assert result.kind in ("dossier", "cccd", "unknown")
    assert isinstance(describe(result), str) and describe(result)
    assert (result.code is not None) == (result.kind == "dossier")


@pytest.mark.parametrize("text, expected", [
    ("000.00.13.H42-261122-0007.K7Q2M5XA", True),  # a slip payload, check not verified here
    (" 000.00.13.h42-261122-0007.k7q2m5xa\r", True),  # Caps Lock, line end
    ("001090012345|123456789|Nguyen Van An|15031990|Nam|So 5, To 2|10082021", True),  # a CCCD
    ("000.00.13.H42-261122-0007", False),  # a bare code: typed at the desk, the field's business
    ("Nguyễn Văn An", False),
    ("nguyenthihang", False),
    ("HELLO-WORLD-42", False),
    ("", False),
    ("   ", False),
    ("0912345678", False),
])
def test_only_slips_and_cards_are_scans(text, expected):
    from desk.services.scan import is_scan

    assert is_scan(text) is expected


def test_a_card_is_judged_by_the_desks_clock():
    """A card scanned at the desk has its dates checked against the app's clock, not the machine's."""
    card = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Phường Trần Phú, Hà Tĩnh|24112030"
    future = _("The issue date {issued} is in the future").format(issued="24/11/2030")
    assert future in interpret(card, clock=FixedClock(datetime(2030, 11, 23, 9, 0))).identity.problems
    assert interpret(card, clock=FixedClock(datetime(2030, 11, 24, 9, 0))).identity.problems == ()
