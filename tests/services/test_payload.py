"""The slip payload: a dossier code plus a keyed check that only this office can make."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from desk.errors import DeskError
from desk.i18n import _
from desk.models import Office
from desk.services import payload as payload_mod
from desk.services.office import current_office
from desk.services.payload import PayloadCheck, make_payload, verify_payload

CODE = "000.00.13.H42-261122-0007"
SECRET = "a1" * 32
OTHER_SECRET = "b2" * 32
OFFICE = "000.00.13.H42"
STATUSES = {"valid", "bare_code", "tampered", "foreign", "malformed"}


def check(text: str) -> PayloadCheck:
    return verify_payload(text, SECRET, office_code=OFFICE)


def test_round_trip_with_the_office_key(office):
    text = make_payload(CODE)
    assert re.fullmatch(re.escape(CODE) + r"\.[A-Z2-7]{8}", text)
    result = verify_payload(text)
    assert result == PayloadCheck(CODE, "valid", result.message)
    assert result.ok
    assert text == make_payload(CODE, current_office().secret)


def test_payload_is_short_ascii_and_not_a_cccd_payload():
    text = make_payload(CODE, SECRET)
    assert text.isascii() and text.isprintable() and "|" not in text
    assert len(text) == len(CODE) + 9
    assert re.fullmatch(r"[0-9A-Z.\-]+", text)  # QR alphanumeric mode: the smallest symbol


def test_the_check_depends_on_key_and_code():
    assert make_payload(CODE, SECRET) != make_payload(CODE, OTHER_SECRET)
    assert make_payload(CODE, SECRET)[-8:] != make_payload(CODE[:-1] + "8", SECRET)[-8:]
    assert make_payload(CODE, SECRET) == make_payload(CODE, SECRET)


def test_scanner_noise_is_tolerated():
    text = make_payload(CODE, SECRET)
    assert check(f"  {text}\r\n").status == "valid"
    caps_lock = text.swapcase()  # a keyboard-wedge scanner with Caps Lock on
    result = check(caps_lock)
    assert result.status == "valid" and result.code == CODE


@pytest.mark.parametrize("position", [len(CODE) - 1, len(CODE) - 6, len(CODE) + 1, -1])
def test_one_changed_character_is_tampered(position):
    text = make_payload(CODE, SECRET)
    changed = "3" if text[position] != "3" else "4"
    mutated = text[:position] + changed + text[position + 1:] if position != -1 else text[:-1] + changed
    result = check(mutated)
    assert result.status == "tampered"
    assert result.code is None
    assert result.message == _("This QR code has been altered or is damaged")


def test_check_of_another_dossier_does_not_open_this_one():
    other = make_payload("000.00.13.H42-261122-0008", SECRET)
    assert check(CODE + other[-9:]).status == "tampered"


def test_foreign_office_and_foreign_key():
    foreign = make_payload("000.00.15.H42-261122-0007", OTHER_SECRET)
    result = check(foreign)
    assert result.status == "foreign" and result.code is None
    assert check("000.00.15.H42-261122-0007").status == "foreign"
    same_office_other_key = make_payload(CODE, OTHER_SECRET)
    assert check(same_office_other_key).status == "tampered"


def test_slip_from_before_an_office_code_change_stays_valid():
    old_code = "000.00.13.H41-250101-0003"
    result = check(make_payload(old_code, SECRET))
    assert result.status == "valid" and result.code == old_code
    assert check(make_payload(old_code, SECRET).lower()).code == old_code
    assert check(make_payload(old_code, OTHER_SECRET)).status == "foreign"


def test_bare_code_typed_by_a_clerk():
    result = check(CODE)
    assert result.status == "bare_code" and result.code == CODE and not result.ok
    assert check(" " + CODE.lower() + "\n").code == CODE  # canonical office spelling
    assert check("000.00.13.H42-261122-12345").status == "bare_code"


def test_cccd_payload_is_named():
    cccd = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|10082021"
    result = check(cccd)
    assert result.status == "malformed" and result.code is None
    assert "CCCD" in result.message


@pytest.mark.parametrize("text", [
    "", " ", "\n", "abc", "\x00", "A" * 100_000, CODE + "." * 9, CODE + ".K7Q2M9X", CODE + ".K7Q2M9XAA",
    CODE + ".K7Q2M9X1",  # 1 is not a base32 letter
    "000.00.13.H42-261399-0007",  # no 99th day
    "000.00.13.H42-２６１１２２-0007",  # full-width digits
    "000.00.13.H42-261122-000",  # too short a number
    "000.00.13.H42\x00-261122-0007", CODE.replace("-", "\u2010"), "http://example.com/" + CODE, "-261122-0007",
])
def test_garbage_is_malformed(text):
    result = check(text)
    assert result.status == "malformed"
    assert result.code is None and result.message


def test_non_string_input_does_not_raise():
    assert check(None).status == "malformed"  # type: ignore[arg-type]
    assert check(b"000.00.13.H42-261122-0007").status == "malformed"  # type: ignore[arg-type]


def test_the_check_is_compared_in_constant_time(monkeypatch):
    calls = []
    real = payload_mod.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(payload_mod.hmac, "compare_digest", spy)
    assert check(make_payload(CODE, SECRET)).ok
    assert len(calls) == 1


def test_make_payload_refuses_what_is_not_a_code():
    with pytest.raises(DeskError):
        make_payload("hello", SECRET)
    with pytest.raises(DeskError):
        make_payload(CODE + "|x", SECRET)


def test_office_without_a_key_is_a_setup_error(office):
    Office.update(secret="").execute()
    with pytest.raises(DeskError) as err:
        make_payload(CODE)
    assert "init" in str(err.value)


def test_foreign_against_the_office_in_the_database(office):
    foreign = verify_payload(make_payload("000.00.15.H42-261122-0007", OTHER_SECRET))
    assert foreign.status == "foreign"
    assert foreign.message == _("This QR code was not issued by this office")


# -- property tests ---------------------------------------------------------------------------------
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_never_raises_and_is_never_valid(text):
    result = check(text)
    assert result.status in STATUSES
    assert result.status != "valid"
    assert (result.code is not None) == (result.status in ("valid", "bare_code"))


@settings(max_examples=400)
@given(number=st.integers(1, 99_999), data=st.data())
def test_a_mutated_payload_is_never_valid(number, data):
    code = f"{OFFICE}-261122-{number:04d}"
    text = make_payload(code, SECRET)
    assert check(text).code == code
    position = data.draw(st.integers(0, len(text) - 1))
    kind = data.draw(st.sampled_from(["replace", "insert", "delete", "swap"]))
    char = data.draw(st.characters(codec="utf-8"))
    if kind == "replace":
        mutated = text[:position] + char + text[position + 1:]
    elif kind == "insert":
        mutated = text[:position] + char + text[position:]
    elif kind == "delete":
        mutated = text[:position] + text[position + 1:]
    else:
        other = data.draw(st.integers(0, len(text) - 1))
        chars = list(text)
        chars[position], chars[other] = chars[other], chars[position]
        mutated = "".join(chars)
    assume(mutated.strip().upper() != text.upper())  # case and surrounding blanks are scanner noise
    result = check(mutated)
    assert result.status != "valid"
    assert result.status in STATUSES
