"""The pickup payload printed as a slip's QR code and barcode: the dossier code plus a keyed check.

Dossier codes are sequential, so a code alone would let anyone guess other people's dossiers
(Decree 13/2023 on personal data). The check is HMAC-SHA256 over the code with the office's secret,
cut to 8 base32 characters (40 bits):

    000.00.13.H42-261122-0007.K7Q2M9XA

Upper-case letters, digits, "." and "-" only, so the QR code uses its compact alphanumeric mode and
the Code 128 barcode stays short; it has no "|" and cannot be mistaken for a CCCD payload.

When the office has a public look-up address (``Office.lookup_url``, D48), the slip's QR code holds the
link ``<lookup_url>/h/<payload>`` instead, so any phone camera opens the look-up page; the barcode and
the printed text keep the bare payload. Every reader here accepts both forms: a link is taken for the
payload at the end of its path, whatever its host (the check is what proves a slip, a host proves
nothing, and slips printed before the office moved its page must still open at the desk).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from desk.errors import DeskError
from desk.i18n import _
from desk.services.codes import DossierCode
from desk.services.kinds import PayloadStatus

CHECK_LENGTH = 8  # base32 characters = 40 bits
MAX_LENGTH = 120  # longer input is not ours; refuse it before any parsing
SEPARATOR = "."

_CHECK = re.compile(rf"[A-Za-z2-7]{{{CHECK_LENGTH}}}", re.ASCII)
_CCCD = re.compile(r"^[0-9]{12}\|", re.ASCII)
_LINK = re.compile(r"^https?://", re.ASCII | re.IGNORECASE)
LINK_PATH = "h"  # <lookup_url>/h/<payload>: the look-up page's route (desk/web)
MAX_LINK_LENGTH = 400  # the look-up address (at most 200 characters, Office.lookup_url), "/h/" and a payload


@dataclass(frozen=True)
class PayloadCheck:
    """What a scanned or typed text turned out to be.

    ``code`` is set only when the caller may look the dossier up: "valid", or "bare_code" (a code
    typed by a clerk; the clerk desk may accept it, the citizen kiosk must not).
    """

    code: str | None
    status: PayloadStatus
    message: str

    @property
    def ok(self) -> bool:
        return self.status == PayloadStatus.VALID


def _key(secret: str) -> bytes:
    try:
        key = bytes.fromhex(secret or "")
    except ValueError:
        key = b""
    if len(key) < 16:
        raise DeskError(_("This office has no valid key for slip QR codes. Run: python main.py init"))
    return key


def _office_secret() -> tuple[str, str]:
    from desk.services.office import current_office

    office = current_office()
    return office.code, office.secret


def check_for(code: str, secret: str) -> str:
    """The 8-character check of ``code`` under ``secret`` (hex)."""
    digest = hmac.new(_key(secret), code.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode("ascii")  # 5 bytes → exactly 8 characters, no padding


def make_payload(code: str, secret: str | None = None) -> str:
    """The text to print in a slip's QR code and barcode; ``secret`` defaults to this office's key."""
    code = str(DossierCode.parse(code))  # ValidationError (a DeskError) for anything else
    if secret is None:
        secret = _office_secret()[1]
    return f"{code}{SEPARATOR}{check_for(code, secret)}"


def slip_qr_text(payload: str, lookup_url: str = "") -> str:
    """What a slip's QR code holds: the look-up link when the office has a public look-up address,
    else the payload itself. The one place that decides it (D48)."""
    base = (lookup_url or "").strip().rstrip("/")
    return f"{base}/{LINK_PATH}/{payload}" if base else payload


def looks_like_link(text: object) -> bool:
    """Whether a scanned text is a web address (http or https), to be read as a look-up link."""
    return isinstance(text, str) and _LINK.match(text.strip()) is not None


def payload_of_link(text: str) -> str | None:
    """The payload at the end of a look-up link ``…/h/<payload>``; None for any other web address
    (no such path, a query, a fragment, a user name, too long, not ASCII)."""
    from urllib.parse import urlsplit

    text = text.strip()
    if len(text) > MAX_LINK_LENGTH or not text.isascii() or not looks_like_link(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if not parts.hostname or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    head, _slash, tail = parts.path.rpartition("/")
    if not tail or head.rpartition("/")[2].lower() != LINK_PATH:
        return None
    return tail


def _not_a_link() -> PayloadCheck:
    return PayloadCheck(None, PayloadStatus.MALFORMED, _("This web address is not the look-up link of a dossier slip"))


def _split(text: str) -> tuple[DossierCode | None, str | None]:
    """A stripped text → (its code, its check or None when bare); (None, None) when it is neither shape.

    The check is the part after the last "." when that is 8 base32 characters: a code's own last
    dot-group ends in "-yymmdd-NNNN", which has a "-", so a bare code never looks signed.
    """
    head, separator, check = text.rpartition(SEPARATOR)
    if separator and _CHECK.fullmatch(check):
        return DossierCode.read(head), check
    return DossierCode.read(text), None


def _malformed(text: str) -> PayloadCheck:
    if _CCCD.match(text):
        return PayloadCheck(None, PayloadStatus.MALFORMED, _("This is a citizen ID card (CCCD) QR code, not a dossier slip"))
    return PayloadCheck(None, PayloadStatus.MALFORMED, _("This is not a dossier code or a slip QR code"))


def looks_like_slip(text: str) -> bool:
    """The shape of a signed slip payload (any office, check not verified): cheap, offline, no key.

    The keyboard-wedge filter asks this for every burst; people do not type this shape.
    """
    if looks_like_link(text):
        text = payload_of_link(text) or ""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return False
    head, separator, check = text.strip().rpartition(SEPARATOR)
    return bool(separator) and _CHECK.fullmatch(check) is not None and DossierCode.has_shape(head)


def verify_payload(text: str, secret: str | None = None, *, office_code: str | None = None) -> PayloadCheck:
    """Classify a scanned or typed text; never raises on any input.

    Scanners add line ends and may flip letter case (Caps Lock on a keyboard-wedge scanner), so
    surrounding whitespace is dropped and letters compare case-insensitively. The check is compared
    in constant time. A signed slip with another office code is still valid when this office's key
    made its check (dossiers keep their codes when the office code changes); otherwise "foreign". ``secret`` and ``office_code`` default to this office's; only a missing office
    or key (a set-up fault, not the input's) raises DeskError. A look-up link (``…/h/<payload>``, the QR
    code of a slip when the office has a look-up address) is judged by its payload; any other web
    address is "malformed".
    """
    if looks_like_link(text):
        inner = payload_of_link(text) if isinstance(text, str) else None
        if inner is None:
            return _not_a_link()
        text = inner
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return PayloadCheck(None, PayloadStatus.MALFORMED, _("This is not a dossier code or a slip QR code"))
    text = text.strip()
    parsed, check = _split(text)
    if parsed is None:
        return _malformed(text)
    if office_code is None or secret is None:
        own_code, own_secret = _office_secret()
        office_code = own_code if office_code is None else office_code
        secret = own_secret if secret is None else secret
    if parsed.unit.casefold() != office_code.casefold():
        # A slip printed before the office changed its code still carries this office's check.
        if check is not None:
            for office in dict.fromkeys((parsed.unit, parsed.unit.upper())):
                theirs = str(parsed.with_unit(office))
                if hmac.compare_digest(check_for(theirs, secret), check.upper()):
                    return PayloadCheck(theirs, PayloadStatus.VALID, _("Valid dossier slip"))
        return PayloadCheck(None, PayloadStatus.FOREIGN, _("This QR code was not issued by this office"))
    code = str(parsed.with_unit(office_code))
    if check is None:
        return PayloadCheck(code, PayloadStatus.BARE_CODE, _("Dossier code without a check: accept it only at the clerk desk"))
    if not hmac.compare_digest(check_for(code, secret), check.upper()):
        return PayloadCheck(None, PayloadStatus.TAMPERED, _("This QR code has been altered or is damaged"))
    return PayloadCheck(code, PayloadStatus.VALID, _("Valid dossier slip"))
