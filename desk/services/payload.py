"""The pickup payload printed as a slip's QR code and barcode: the dossier code plus a keyed check.

Dossier codes are sequential, so a code alone would let anyone guess other people's dossiers
(Decree 13/2023 on personal data). The check is HMAC-SHA256 over the code with the office's secret,
cut to 8 base32 characters (40 bits):

    000.00.13.H42-261122-0007.K7Q2M9XA

Upper-case letters, digits, "." and "-" only, so the QR code uses its compact alphanumeric mode and
the Code 128 barcode stays short; it has no "|" and cannot be mistaken for a CCCD payload.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from desk.errors import DeskError
from desk.i18n import _

CHECK_LENGTH = 8  # base32 characters = 40 bits
MAX_LENGTH = 120  # longer input is not ours; refuse it before any parsing
SEPARATOR = "."

# <office code>-<yymmdd>-<NNNN+>. Decision 20/2020 office codes are letters, digits and dots
# ("000.00.13.H42"); "-" and "_" are tolerated for offices that configured their own.
_CODE = r"(?P<office>[A-Za-z0-9][A-Za-z0-9._-]{0,31})-(?P<day>[0-9]{6})-(?P<number>[0-9]{4,9})"
_BARE = re.compile(_CODE, re.ASCII)
_SIGNED = re.compile(_CODE + re.escape(SEPARATOR) + rf"(?P<check>[A-Za-z2-7]{{{CHECK_LENGTH}}})", re.ASCII)
_CCCD = re.compile(r"^[0-9]{12}\|", re.ASCII)


@dataclass(frozen=True)
class PayloadCheck:
    """What a scanned or typed text turned out to be.

    ``code`` is set only when the caller may look the dossier up: "valid", or "bare_code" (a code
    typed by a clerk; the clerk desk may accept it, the citizen kiosk must not).
    """

    code: str | None
    status: str  # "valid" | "bare_code" | "tampered" | "foreign" | "malformed"
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "valid"


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
    code = code.strip()
    if not _BARE.fullmatch(code):
        raise DeskError(_("Not a dossier code: {code}").format(code=code[:40]))
    if secret is None:
        secret = _office_secret()[1]
    return f"{code}{SEPARATOR}{check_for(code, secret)}"


def _real_day(day: str) -> bool:
    try:
        datetime.strptime(day, "%y%m%d")
    except ValueError:
        return False
    return True


def _malformed(text: str) -> PayloadCheck:
    if _CCCD.match(text):
        return PayloadCheck(None, "malformed", _("This is a citizen ID card (CCCD) QR code, not a dossier slip"))
    return PayloadCheck(None, "malformed", _("This is not a dossier code or a slip QR code"))


def looks_like_slip(text: str) -> bool:
    """The shape of a signed slip payload (any office, check not verified): cheap, offline, no key.

    The keyboard-wedge filter asks this for every burst; people do not type this shape.
    """
    return isinstance(text, str) and len(text) <= MAX_LENGTH and _SIGNED.fullmatch(text.strip()) is not None


def verify_payload(text: str, secret: str | None = None, *, office_code: str | None = None) -> PayloadCheck:
    """Classify a scanned or typed text; never raises on any input.

    Scanners add line ends and may flip letter case (Caps Lock on a keyboard-wedge scanner), so
    surrounding whitespace is dropped and letters compare case-insensitively. The check is compared
    in constant time. A signed slip with another office code is still valid when this office's key
    made its check (dossiers keep their codes when the office code changes); otherwise "foreign". ``secret`` and ``office_code`` default to this office's; only a missing office
    or key (a set-up fault, not the input's) raises DeskError.
    """
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return PayloadCheck(None, "malformed", _("This is not a dossier code or a slip QR code"))
    text = text.strip()
    signed = _SIGNED.fullmatch(text)
    bare = None if signed else _BARE.fullmatch(text)
    match = signed or bare
    if match is None or not _real_day(match["day"]):
        return _malformed(text)
    if office_code is None or secret is None:
        own_code, own_secret = _office_secret()
        office_code = own_code if office_code is None else office_code
        secret = own_secret if secret is None else secret
    tail = f"-{match['day']}-{match['number']}"
    if match["office"].casefold() != office_code.casefold():
        # A slip printed before the office changed its code still carries this office's check.
        if signed is not None:
            for office in dict.fromkeys((match["office"], match["office"].upper())):
                if hmac.compare_digest(check_for(office + tail, secret), match["check"].upper()):
                    return PayloadCheck(office + tail, "valid", _("Valid dossier slip"))
        return PayloadCheck(None, "foreign", _("This QR code was not issued by this office"))
    code = office_code + tail
    if bare is not None:
        return PayloadCheck(code, "bare_code", _("Dossier code without a check: accept it only at the clerk desk"))
    if not hmac.compare_digest(check_for(code, secret), match["check"].upper()):
        return PayloadCheck(None, "tampered", _("This QR code has been altered or is damaged"))
    return PayloadCheck(code, "valid", _("Valid dossier slip"))
