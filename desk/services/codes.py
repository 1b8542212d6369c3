"""The dossier code, ``<unit code>-<yymmdd>-<NNNN>`` (Circular 03/2025/TT-VPCP Art. 13), as one value.

Every layer that writes a code (intake, demo data, search) or reads one (the slip payload, the
scanner, the clerk's short form "261122-0007") goes through :class:`DossierCode`, so the shape
lives here only. A code is equal to another when it reads the same: the register's unique column
compares the text, and the text shows only two digits of the year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from desk.errors import ValidationError
from desk.i18n import _

# The unit: Decision 20/2020/QĐ-TTg codes are groups of 0-9/A-Z between dots, at most 35 characters
# (office.check_office_code, the rule every office code given since schema 3 follows). Codes issued
# under an office code from before schema 3, which only had to be without spaces, may also hold "-",
# "_" or lower case; codes are never rewritten, so reading them must still work. A scanner on Caps
# Lock flips the case, so the unit is kept as written and callers compare it case-insensitively.
UNIT_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,34}"
MIN_DIGITS = 4  # the daily sequence shows at least 4 digits (Circular 03/2025 Art. 13: "AAXXXX" has 4+)
MAX_DIGITS = 9  # a day's number never needs more; longer is not a code of ours
# The sequence as str() writes it, and only so: exactly MIN_DIGITS digits (zero-padded), or more only
# when the number needs them (no leading zero). A code on a real slip is always canonical, and the
# register's unique column compares text, so "-00007" or "-000000007" would be another code for the
# same dossier: such text is refused rather than read as "-0007".
_NUMBER = rf"(?P<number>[0-9]{{{MIN_DIGITS}}}|[1-9][0-9]{{{MIN_DIGITS},{MAX_DIGITS - 1}}})"
_FULL = re.compile(rf"(?P<unit>{UNIT_PATTERN})-(?P<day>[0-9]{{6}})-{_NUMBER}", re.ASCII)
_SHORT = re.compile(rf"(?P<day>[0-9]{{6}})-{_NUMBER}", re.ASCII)
_YYMMDD = re.compile(r"[0-9]{6}", re.ASCII)
_UNIT = re.compile(UNIT_PATTERN, re.ASCII)


def _not_a_code(text: str) -> ValidationError:
    return ValidationError({"code": _("Not a dossier code: {code}").format(code=str(text)[:40])})


def _day_of(yymmdd: str) -> date:
    """"261122" → 2026-11-22. Receipts are dated from 2000 on (limits.EARLIEST_RECEIPT), so a code's two
    digits of the year are read as 20yy; ValueError for a day no calendar has."""
    return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))


@dataclass(frozen=True, eq=False)
class DossierCode:
    """One dossier code: the office's unit code, the local date of receipt and the day's number.

    ``day`` is the receipt date when the code was made from one; a parsed code only shows ``yymmdd``
    and gets 20yy. Equality and hashing go by the text, so ``DossierCode.parse(str(code)) == code``.
    """

    unit: str
    day: date
    number: int

    def __post_init__(self) -> None:
        # A datetime is a date to isinstance and a bool an int: neither is a receipt day or a day's
        # number (a datetime's local day would be guessed at, True would be number 1).
        if (not isinstance(self.unit, str) or not _UNIT.fullmatch(self.unit)
                or not isinstance(self.day, date) or isinstance(self.day, datetime)
                or not isinstance(self.number, int) or isinstance(self.number, bool)
                or not 1 <= self.number < 10**MAX_DIGITS):
            raise _not_a_code(f"{self.unit}-{self.day}-{self.number}")

    def __str__(self) -> str:
        return f"{self.unit}-{self.day:%y%m%d}-{self.number:0{MIN_DIGITS}d}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DossierCode) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    @property
    def tail(self) -> str:
        """"-261122-0007": the code without its unit (what stays when an office changes its code)."""
        return f"-{self.day:%y%m%d}-{self.number:0{MIN_DIGITS}d}"

    def with_unit(self, unit: str) -> DossierCode:
        """The same day and number under another unit code (e.g. the office's own spelling of it)."""
        return DossierCode(unit, self.day, self.number)

    @classmethod
    def parse(cls, text: str) -> DossierCode:
        """``"000.00.13.H42-261122-0007"`` → DossierCode; ValidationError (Vietnamese) for anything else.

        Surrounding whitespace is dropped (scanners add line ends); the date must exist.
        """
        match = _FULL.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise _not_a_code(text)
        try:
            day = _day_of(match["day"])
        except ValueError:
            raise _not_a_code(text) from None
        return cls(match["unit"], day, int(match["number"]))

    @classmethod
    def parse_short(cls, text: str, unit: str) -> DossierCode:
        """The part a clerk reads off a slip, ``"261122-0007"``, completed with ``unit``; ValidationError
        when ``text`` is not that short form."""
        match = _SHORT.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise _not_a_code(text)
        return cls.parse(f"{unit}-{match['day']}-{match['number']}")

    @classmethod
    def read(cls, text: str) -> DossierCode | None:
        """Like :meth:`parse`, None instead of an error: for classifying scanned text."""
        try:
            return cls.parse(text)
        except ValidationError:
            return None

    @staticmethod
    def has_shape(text: str) -> bool:
        """Whether ``text`` is shaped like a full code (the date is not checked): cheap, for the scanner's
        keyboard filter, which must also catch a slip whose date digits were damaged."""
        return isinstance(text, str) and _FULL.fullmatch(text.strip()) is not None

    @staticmethod
    def is_short(text: str) -> bool:
        """Whether ``text`` has the shape of the short form ``yymmdd-NNNN`` (the date is not checked)."""
        return isinstance(text, str) and _SHORT.fullmatch(text.strip()) is not None

    @staticmethod
    def short_parts(text: str) -> tuple[str, int] | None:
        """``"261122-0007"`` → ``("261122", 7)``: the short form's day digits and number, for search over
        every office's codes; None when ``text`` is not the short form (same rule as :meth:`is_short`)."""
        match = _SHORT.fullmatch(text.strip()) if isinstance(text, str) else None
        return (match["day"], int(match["number"])) if match else None

    @staticmethod
    def days_of(yymmdd: str) -> list[date]:
        """Every date a code's ``yymmdd`` may stand for, one per century (search over old registers,
        whose day counters hold the full date); empty for a day no calendar has, or for text that is
        not exactly six digits."""
        if not isinstance(yymmdd, str) or not _YYMMDD.fullmatch(yymmdd):
            return []
        found = []
        for century in (1900, 2000):
            try:
                found.append(date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])))
            except ValueError:
                continue
        return found
