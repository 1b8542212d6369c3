"""Read the QR code of a Vietnamese chip citizen ID card (CCCD / Căn cước).

The desk fills a dossier's applicant from the card instead of having the clerk type
it. Card generations differ (the old 9-digit number may be missing, new cards add
or move fields), so each part is recognised by its shape rather than its position,
and nothing here ever raises: whatever cannot be read becomes a problem message
that tells the clerk which part to check or type by hand.

The 12-digit ID number also encodes the province, gender, century and year of
birth; :func:`validate_id_number` cross-checks those against the card's data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from desk.i18n import _
from desk.services.clock import Clock
from desk.services.limits import EARLIEST_BIRTH, name_problem
from desk.text import fold, tidy_name

# A real card QR is about 150–300 characters; anything far longer is something else
# and is not worth normalising.
MAX_PAYLOAD_CHARS = 2000

# Province codes of the 12-digit ID number (first 3 digits), from the appendix of
# Thông tư 07/2016/TT-BCA (kept by Thông tư 59/2021/TT-BCA). Numbers keep their code
# for life, so the pre-2025 provinces stay valid after the 2025 mergers.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MALE = "Nam"
FEMALE = "Nữ"
# Folded spellings seen on cards and typed by people → the card's value.
_GENDER_WORDS = {"nam": MALE, "nu": FEMALE, "male": MALE, "female": FEMALE}

# 4th digit of the ID number → first year of the birth century (even = male, odd = female).
_CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}

_ID12 = re.compile(r"[0-9]{12}")
_ID9 = re.compile(r"[0-9]{9}")
_DATE8 = re.compile(r"[0-9]{8}")
_DATE_SEP = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_HAS_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class CitizenIdentity:
    """What the card's QR code says, plus every part that could not be read."""

    id_number: str = ""
    old_id_number: str = ""
    full_name: str = ""
    birth_date: date | None = None
    gender: str = ""
    address: str = ""
    issue_date: date | None = None
    problems: tuple[str, ...] = ()
    # The payload had the shape of a card QR code (even if some parts were unreadable),
    # as opposed to some other code that was scanned by mistake.
    is_cccd_payload: bool = False

    @property
    def ok(self) -> bool:
        """Safe to fill the form without the clerk correcting anything."""
        return bool(self.id_number or self.full_name) and not self.problems

    @property
    def province(self) -> str:
        """Province of the ID number ("" when unknown), shown next to the number."""
        return province_name(self.id_number)


def province_name(id_number: str | None) -> str:
    """Province whose code starts the ID number, "" when there is none."""
    if not isinstance(id_number, str):
        return ""
    return PROVINCE_CODES.get(id_number.strip()[:3], "")


def _fmt(day: date) -> str:
    """Dates in messages as Vietnamese people write them."""
    return day.strftime("%d/%m/%Y")


def _short(value: str, limit: int = 40) -> str:
    """Keep a quoted bad value from flooding the clerk's screen."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _gender(text: str | None) -> str:
    """"Nam"/"Nữ" for any reasonable spelling, "" otherwise."""
    if not isinstance(text, str):
        return ""
    return _GENDER_WORDS.get(fold(text), "")


def _parse_date(text: str) -> date | None:
    """ddmmyyyy (as on the card) or dd/mm/yyyy; None when it is not a real day."""
    if _DATE8.fullmatch(text):
        day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
    else:
        match = _DATE_SEP.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_date_shape(text: str) -> bool:
    return bool(_DATE8.fullmatch(text) or _DATE_SEP.fullmatch(text))


def _split(payload: object) -> list[str] | None:
    """The payload's parts, cleaned; None when it cannot be a card QR at all."""
    if isinstance(payload, bytes | bytearray):
        payload = bytes(payload[: MAX_PAYLOAD_CHARS * 4]).decode("utf-8", errors="replace")
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_CHARS:
        return None
    # NFD becomes NFC, control characters (tabs, line breaks a scanner adds) become spaces, and the
    # byte-order marks some scanners put before or after the code go. Invisible format characters
    # inside a part (a right-to-left override in the name) are kept, so the name rule refuses them
    # instead of the name being silently altered.
    text = unicodedata.normalize("NFC", payload.strip("\ufeff \t\r\n"))
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return [" ".join(word for word in part.split(" ") if word) for part in text.split("|")]


def looks_like_cccd(payload: object) -> bool:
    """Cheap test for the scanner dispatcher: card QR code, or a dossier code?"""
    if isinstance(payload, bytes | bytearray):
        payload = bytes(payload).decode("utf-8", errors="replace")
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_CHARS:
        return False
    parts = payload.replace("\ufeff", "").split("|")
    return len(parts) >= 5 and any(_ID12.fullmatch(part.strip()) for part in parts)


def parse_cccd(payload: str | None, *, clock: Clock | None = None) -> CitizenIdentity:
    """Read a card QR payload by the shape of each part; never raises.

    Dates of birth and of issue after the clock's office day are problems.
    """
    today = (clock or Clock()).today()
    try:
        return _parse(payload, today)
    except Exception:  # noqa: BLE001 - a scan must never crash the desk
        return CitizenIdentity(problems=(_("This QR code is not a citizen ID card"),))


def _parse(payload: object, today: date) -> CitizenIdentity:
    """The card's fields, found by the shape of each part, and every problem a clerk must look at."""
    if payload is None or (isinstance(payload, str | bytes | bytearray) and not payload.strip()):
        return CitizenIdentity(problems=(_("The QR code is empty"),))
    parts = _split(payload)
    if parts is None or len(parts) < 5:
        return CitizenIdentity(problems=(_("This QR code is not a citizen ID card"),))
    found = _sort_parts(parts)
    name, address = _name_and_address(found.texts)
    if not found.ids and not name and not found.dates:
        return CitizenIdentity(problems=(_("This QR code is not a citizen ID card"),))
    ids = found.ids
    id_number = ids[0] if ids else ""
    # Some people carried a 12-digit CMND before the chip card: a second 12-digit part.
    old_id_number = found.old_ids[0] if found.old_ids else (ids[1] if len(ids) > 1 else "")
    gender = found.genders[0] if found.genders else ""
    (birth_text, birth_date), (issue_text, issue_date) = _birth_and_issue(found.dates)
    problems = _problems(id_number, name, birth_text, birth_date, gender, address, issue_text, issue_date, today)
    return CitizenIdentity(
        id_number=id_number,
        old_id_number=old_id_number,
        full_name=name,
        birth_date=birth_date,
        gender=gender,
        address=address,
        issue_date=issue_date,
        problems=tuple(problems),
        is_cccd_payload=True,
    )


@dataclass
class _Parts:
    """The parts of a card QR payload by their shape, each kind in the order of the payload."""

    ids: list[str] = field(default_factory=list)
    old_ids: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _sort_parts(parts: list[str]) -> _Parts:
    found = _Parts()
    for part in parts:
        if not part:
            continue
        if _ID12.fullmatch(part):
            found.ids.append(part)
        elif _ID9.fullmatch(part):
            found.old_ids.append(part)
        elif _is_date_shape(part):
            found.dates.append(part)
        elif _gender(part):
            found.genders.append(_gender(part))
        elif any(c.isalpha() for c in part):
            found.texts.append(part)
    return found


def _name_and_address(texts: list[str]) -> tuple[str, str]:
    """The name has no digits or commas; the address is the longest part that has some
    (house numbers, "Tổ 2, Phường ..."), else the first text left after the name."""
    raw_name = next((t for t in texts if not _HAS_DIGIT.search(t) and "," not in t), "")
    rest = list(texts)
    if raw_name:
        rest.remove(raw_name)
    addresses = [t for t in rest if _HAS_DIGIT.search(t) or "," in t]
    address = max(addresses, key=len) if addresses else (rest[0] if rest else "")
    return tidy_name(raw_name), address


def _birth_and_issue(dates: list[str]) -> tuple[tuple[str, date | None], tuple[str, date | None]]:
    """The first two dates are birth and issue; birth always comes first in time, which also covers
    cards that list them the other way round. Each as its text and its day (None if unreadable)."""
    birth_text = dates[0] if dates else ""
    issue_text = dates[1] if len(dates) > 1 else ""
    birth_date = _parse_date(birth_text) if birth_text else None
    issue_date = _parse_date(issue_text) if issue_text else None
    if birth_date and issue_date and issue_date < birth_date:
        return (issue_text, issue_date), (birth_text, birth_date)
    return (birth_text, birth_date), (issue_text, issue_date)


def _unread_date(text: str, day: date | None, missing: str, unreadable: str) -> str | None:
    """The problem of a date the card should have: not there, or there but not a real day."""
    if not text:
        return missing
    return unreadable.format(value=_short(text)) if day is None else None


def _problems(id_number: str, name: str, birth_text: str, birth_date: date | None, gender: str, address: str,
              issue_text: str, issue_date: date | None, today: date) -> list[str]:
    problems: list[str] = []
    if not id_number:
        problems.append(_("No 12-digit ID number found in the QR code"))
    if not name:
        problems.append(_("Could not find the full name in the QR code"))
    elif bad_name := name_problem(name, _("Full name")):
        problems.append(bad_name)
    if unread := _unread_date(birth_text, birth_date, _("Could not find the date of birth in the QR code"),
                              _("Could not read the date of birth: {value}")):
        problems.append(unread)
    elif birth_date is not None and birth_date > today:
        problems.append(_("The date of birth {dob} is in the future").format(dob=_fmt(birth_date)))
    elif birth_date is not None and birth_date < EARLIEST_BIRTH:
        problems.append(_("The date of birth {dob} is before {first}").format(
            dob=_fmt(birth_date), first=_fmt(EARLIEST_BIRTH)))
    if not gender:
        problems.append(_("Could not find the gender (Nam/Nữ) in the QR code"))
    if not address:
        problems.append(_("Could not find the permanent address in the QR code"))
    if unread := _unread_date(issue_text, issue_date, _("Could not find the issue date in the QR code"),
                              _("Could not read the issue date: {value}")):
        problems.append(unread)
    elif issue_date is not None and issue_date > today:
        problems.append(_("The issue date {issued} is in the future").format(issued=_fmt(issue_date)))
    if id_number:
        problems.extend(id_number_problems(id_number, birth_date, gender, today=today))
    return problems


def validate_id_number(
    id_number: str | None,
    birth_date: date | None = None,
    gender: str | None = None,
    *,
    clock: Clock | None = None,
) -> list[str]:
    """Problems with a 12-digit ID number, cross-checked with the birth date and gender.

    Used both for scanned cards and for numbers a clerk types, so a typo is caught
    before it reaches an official document. Without a birth date, a birth year after the
    clock's year is a problem.
    """
    return id_number_problems(id_number, birth_date, gender, today=(clock or Clock()).today())


def id_number_problems(id_number: str | None, birth_date: date | None, gender: str | None, *,
                       today: date) -> list[str]:
    """:func:`validate_id_number` as of ``today``: a card's check passes the day it was read, the intake
    the day of its one moment."""
    number = id_number.strip() if isinstance(id_number, str) else ""
    if not number:
        return [_("The ID number is empty")]
    if not (number.isascii() and number.isdigit()):
        return [_("The ID number must contain only digits: {id}").format(id=_short(number))]
    if len(number) != 12:
        return [
            _("The ID number must have 12 digits, not {count}: {id}").format(
                count=len(number), id=_short(number)
            )
        ]

    problems: list[str] = []
    code = number[:3]
    if code not in PROVINCE_CODES:
        problems.append(
            _("ID number {id}: the first 3 digits ({code}) are not a province code").format(id=number, code=code)
        )

    digit = int(number[3])
    century = _CENTURY_BY_DIGIT[digit]
    id_gender = FEMALE if digit % 2 else MALE
    card_gender = _gender(gender)
    if card_gender and card_gender != id_gender:
        problems.append(
            _("ID number {id}: the 4th digit ({digit}) stands for {id_gender}, but the gender is {gender}").format(
                id=number, digit=digit, id_gender=id_gender, gender=card_gender
            )
        )

    yy = number[4:6]
    code_year = century + int(yy)
    if isinstance(birth_date, date):
        if birth_date.year // 100 * 100 != century:
            problems.append(
                _(
                    "ID number {id}: the 4th digit ({digit}) stands for a birth year in {first}–{last}, "
                    "but the date of birth is {dob}"
                ).format(id=number, digit=digit, first=century, last=century + 99, dob=_fmt(birth_date))
            )
        if birth_date.year % 100 != int(yy):
            problems.append(
                _("ID number {id}: digits 5–6 ({digits}) say born in {code_year}, but the date of birth is {dob}").format(
                    id=number, digits=yy, code_year=code_year, dob=_fmt(birth_date)
                )
            )
    elif code_year > today.year:
        problems.append(
            _("ID number {id} says born in {code_year}, which is in the future").format(id=number, code_year=code_year)
        )
    return problems


# -- masks for public screens (the kiosk, a look-up page) ---------------------------------------
# Letters and combining marks to Unicode that print as nothing or as a blank (Hangul fillers,
# variation selectors, the combining grapheme joiner, Mongolian and Khitan fillers, Khmer inherent
# vowels): in a name they separate words like a space does.
_INVISIBLE = frozenset([0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164,
                        0xFFA0, 0x16FE4, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
MASK_INPUT_LIMIT = 1000  # characters of a name looked at (the register keeps 200)
MASK_FAMILY_LIMIT = 15  # letters: a longer first word is no family name, so only its initial is shown
MASK_INITIALS_LIMIT = 8  # initials shown; more words end in "…"
_MARKS_PER_LETTER = 2  # combining marks kept on a letter (Vietnamese needs two: ệ = e + ̂ + ̣)
# The longest mask: the family name, then " X." per initial, then " …".
MASK_NAME_MAX_LENGTH = (MASK_FAMILY_LIMIT * (1 + _MARKS_PER_LETTER)
                        + MASK_INITIALS_LIMIT * (3 + _MARKS_PER_LETTER) + 2)
MASK_ID_MIN_DIGITS = 9  # a shorter number shows no digit: its last 4 would be most of it


def mask_id(id_number: str | None) -> str:
    """"****2345": enough for a citizen at the kiosk to recognise their own number.

    Whatever the input, the result is "" (nothing there), or "****" followed by at most the last 4
    of its digits (as ASCII), and only when it has at least :data:`MASK_ID_MIN_DIGITS` digits.
    """
    if not isinstance(id_number, str):
        return ""
    digits = "".join(str(d) for c in id_number if (d := unicodedata.decimal(c, None)) is not None)
    if not digits:
        return "****" if id_number.strip() else ""
    return "****" + (digits[-4:] if len(digits) >= MASK_ID_MIN_DIGITS else "")


def _name_words(text: str, limit: int) -> list[list[str]]:
    """The first ``limit`` words of a name, each a list of letters (a base character + its marks).

    A word is a run of letters and digits; every other character (any space, punctuation, symbol,
    control, format or invisible character) separates words. Combining marks stay on their letter;
    a mark with no letter before it is dropped.
    """
    words: list[list[str]] = []
    word: list[str] = []
    for c in text:
        kind = "" if ord(c) in _INVISIBLE else unicodedata.category(c)[0]
        if kind in ("L", "N"):
            word.append(c)
        elif kind == "M":
            if word and len(word[-1]) <= _MARKS_PER_LETTER:
                word[-1] += c
        elif word:
            words.append(word)
            word = []
            if len(words) >= limit:
                return words
    if word:
        words.append(word)
    return words


def _recase(letter: str, upper: bool) -> str:
    """The letter in upper (or lower) case when that is the same letter, one character for one."""
    base = letter[0]
    changed = base.upper() if upper else base.lower()
    if len(changed) != 1 or changed.casefold() != base.casefold():
        changed = base
    return changed + letter[1:]


def _initial(word: list[str]) -> str:
    return unicodedata.normalize("NFC", _recase(word[0], upper=True)) + "."


def mask_name(full_name: str | None) -> str:
    """"Nguyễn Văn An" → "Nguyễn V. A.": recognisable on a public screen, not fully shown.

    The family name (the first word) is shown, each other word by its first letter and a dot; a
    one-word name, or a first word longer than :data:`MASK_FAMILY_LIMIT` letters, only by its
    initial. Words are split on anything that is not a letter or a digit (hyphens, dots, "_", "·",
    tabs, Hangul fillers, braille blanks, zero-width and direction marks ...), after NFKC, so
    full-width, decomposed (NFD) and mixed-case input give the same mask. Never raises; the result is
    at most :data:`MASK_NAME_MAX_LENGTH` characters.
    """
    if not isinstance(full_name, str):
        return ""
    text = unicodedata.normalize("NFKC", full_name[:MASK_INPUT_LIMIT])
    words = _name_words(text, MASK_INITIALS_LIMIT + 2)
    if not words:
        return ""
    if len(words) == 1:
        return _initial(words[0])
    family, given = words[0], words[1:]
    if len(family) > MASK_FAMILY_LIMIT:
        parts = [_initial(family)]
    else:
        letters = [_recase(letter, upper=i == 0) for i, letter in enumerate(family)]
        parts = [unicodedata.normalize("NFC", "".join(letters))]
    parts += [_initial(word) for word in given[:MASK_INITIALS_LIMIT]]
    if len(given) > MASK_INITIALS_LIMIT:
        parts.append("…")
    return " ".join(parts)
