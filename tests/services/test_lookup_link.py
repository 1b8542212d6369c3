"""The slip's look-up link (D48): the office's address checked, the QR text decided once, every reader
of a scan (desk, pickup, kiosk) taking the link for its payload and refusing other web addresses."""

from __future__ import annotations

import dataclasses

import pytest

from desk.errors import ValidationError
from desk.models import Office
from desk.services import office
from desk.services.accounts import get_actor
from desk.services.clock import FixedClock
from desk.services.kinds import PayloadStatus, ScanKind
from desk.services.kiosk import lookup
from desk.services.payload import looks_like_slip, make_payload, payload_of_link, slip_qr_text, verify_payload
from desk.services.scan import interpret, is_scan
from tests.web.test_lookup_pages import make_dossier, t

URL = "https://tracuu.tranphu.example.vn"


@pytest.mark.parametrize(("given", "stored"), [
    ("", ""), ("   ", ""), (URL, URL), (URL + "/", URL), ("HTTPS://TraCuu.Example.VN/Ho-So/", "https://tracuu.example.vn/Ho-So"),
    ("http://localhost:8080", "http://localhost:8080"), ("http://127.0.0.1:8080/tra-cuu", "http://127.0.0.1:8080/tra-cuu"),
    ("https://xn--tracu-5ua.vn", "https://xn--tracu-5ua.vn"),
])
def test_a_lookup_address_is_kept_in_one_form(given, stored):
    assert office.check_lookup_url(given) == stored


@pytest.mark.parametrize(("given", "says"), [
    ("http://tracuu.example.vn", "https://"), ("ftp://tracuu.example.vn", "không phải là địa chỉ web"),
    ("tracuu.example.vn", "không phải là địa chỉ web"), ("https://", "không phải là địa chỉ web"),
    (URL + "/?ma=1", "?"), (URL + "/#top", "#"), ("https://tra cứu.vn", "dấu cách"),
    ("https://tracứu.vn", "xn--"), ("https://user:pw@tracuu.vn", "tên người dùng"),
    ("https://tracuu.vn:99999", "không phải là địa chỉ web"), ("https://tracuu.vn/" + "a" * 200, "200"),
])
def test_a_bad_lookup_address_gets_one_clear_line(given, says):
    with pytest.raises(ValidationError) as caught:
        office.check_lookup_url(given)
    assert list(caught.value.problems) == ["lookup_url"]
    assert says in caught.value.problems["lookup_url"]


def test_the_office_keeps_its_lookup_address_and_a_bad_one_changes_nothing(any_office):
    admin = get_actor("admin")
    saved = office.update_office(dataclasses.replace(office.get_office_settings(), lookup_url=URL + "/"), by=admin,
                                 clock=FixedClock(t(23, 9)))
    assert saved.lookup_url == URL and Office.get().lookup_url == URL
    with pytest.raises(ValidationError):
        office.update_office(dataclasses.replace(saved, lookup_url="http://tracuu.vn", name="Khác"), by=admin)
    assert Office.get().lookup_url == URL and Office.get().name == saved.name


def test_the_qr_text_is_the_link_only_with_an_address():
    payload = "000.00.13.H42-261123-0001.K7Q2M9XA"
    assert slip_qr_text(payload) == payload
    assert slip_qr_text(payload, "") == payload
    assert slip_qr_text(payload, URL) == f"{URL}/h/{payload}"
    assert slip_qr_text(payload, URL + "/tra-cuu/") == f"{URL}/tra-cuu/h/{payload}"


@pytest.mark.parametrize("link", [
    URL + "/h/{p}", URL + "/tra-cuu/h/{p}", "HTTPS://TRACUU.EXAMPLE.VN/H/{p}", "  http://localhost:8080/h/{p}\r\n",
    "https://another-host.example/h/{p}",  # the check proves the slip, not the host (D48)
])
def test_every_reader_takes_a_link_for_its_payload(office, link):
    code = make_dossier("processing")
    text = link.format(p=make_payload(code))
    assert payload_of_link(text) == make_payload(code)
    assert verify_payload(text).status == PayloadStatus.VALID and verify_payload(text).code == code
    assert looks_like_slip(text) and is_scan(text)  # the keyboard-wedge filter lets it through
    scanned = interpret(text)
    assert (scanned.kind, scanned.code) == (ScanKind.DOSSIER, code)
    answer = lookup(text, clock=FixedClock(t(25, 10)))
    assert answer.ok and answer.masked_name == "Lê T. H."


@pytest.mark.parametrize("link", [
    URL, URL + "/", URL + "/h/", URL + "/x/{p}", URL + "/h/{p}?a=1", URL + "/h/{p}#x", URL + "/h/{p}/",
    "https://user@tracuu.vn/h/{p}", "javascript://h/{p}", URL + "/h/" + "A" * 400, "https://tracứu.vn/h/{p}",
    URL + "/h/{code}",  # a bare code inside a link is never accepted, not even at the clerk desk
])
def test_other_web_addresses_are_refused_cleanly(office, link):
    code = make_dossier()
    text = link.format(p=make_payload(code), code=code)
    check = verify_payload(text)
    assert check.status == PayloadStatus.MALFORMED or check.status == PayloadStatus.BARE_CODE
    assert check.code is None or check.status == PayloadStatus.BARE_CODE
    scanned = interpret(text)
    assert scanned.kind == ScanKind.UNKNOWN and scanned.code is None and scanned.message
    assert not lookup(text).ok


def test_a_forged_link_is_refused(office):
    code = make_dossier()
    forged = f"{URL}/h/{code}.AAAAAAAA"
    assert verify_payload(forged).status == PayloadStatus.TAMPERED
    assert interpret(forged).kind == ScanKind.UNKNOWN
