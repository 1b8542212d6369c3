"""What the register accepts, in one place: text lengths read from the models, and sane date bounds.

Both engines must accept and refuse the same rows. SQLite stores a varchar of any length and a NUL
character; PostgreSQL refuses both with an error the clerk cannot act on. So every value a person can
type is checked here before a write: text against the peewee field's ``max_length`` (never a copied
number), names against the name rule of ``text.py``, dates against the bounds below, each problem with
a message that names the field.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from peewee import Field as ModelField

from desk.i18n import _
from desk.services.clock import LOCAL_TZ, aware
from desk.text import clean, describe_char, is_latin_letter, name_offender, tidy_name

# -- dates ------------------------------------------------------------------------------------------
# The first day a receipt may carry: older is a typo (1926 for 2026), not a dossier of this register.
EARLIEST_RECEIPT = date(2000, 1, 1)
# A receipt (or an action) a little ahead of the server clock is tolerated: desk clocks drift.
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST_BIRTH = date(1900, 1, 1)
# An apology moves the appointment at most a year (366 days, leap years included) past the legal due date.
APOLOGY_MAX_AFTER_DUE = timedelta(days=366)
# Days off, log books, report periods and deadlines are about these years; the calendar of public
# holidays is only meaningful in them, and date arithmetic near year 1 or 9999 overflows.
FIRST_YEAR = 2000
LAST_YEAR = 2100
# Demo data spreads over at most this many months back from today (and never before EARLIEST_RECEIPT).
MAX_DEMO_MONTHS = 240

# -- numbers and sizes ------------------------------------------------------------------------------
# Row ids are PostgreSQL "serial" (32-bit) columns; a longer number cannot be an id, only a name.
MAX_ROW_ID = 2**31 - 1
# Unbounded text columns (notes, reasons, documents JSON) still get a bound: they are printed on slips.
MAX_NOTE_CHARS = 2000
MAX_DOCUMENTS = 100
MAX_DOCUMENT_NAME_CHARS = 300


def max_length(field: ModelField) -> int | None:
    """The column's limit as the model declares it (CharField max_length), None for unbounded text."""
    return getattr(field, "max_length", None)


def char_limit(field: ModelField) -> int:
    """The limit of a column that has one (a CharField): its rule is a number, never "unbounded"."""
    limit = max_length(field)
    if limit is None:
        raise TypeError(f"{field!r} has no length limit")
    return limit


def too_long(value: str, label: str, limit: int | None) -> str | None:
    """The message for a value over ``limit`` characters, naming the field; None when it fits."""
    if limit is None or len(value) <= limit:
        return None
    return _("{field}: at most {limit} characters (this one has {count})").format(
        field=label, limit=limit, count=len(value))


def check_text(problems: dict[str, str], key: str, value: str | None, label: str,
               field: ModelField | None = None, *, limit: int | None = None, multiline: bool = False) -> str:
    """``value`` cleaned (NFC, no control characters), with a problem under ``key`` when it is too long.

    The limit is the model field's max_length, or ``limit`` for unbounded text columns.
    """
    text = clean(value if isinstance(value, str) else "" if value is None else str(value), multiline=multiline)
    problem = too_long(text, label, max_length(field) if field is not None else limit)
    if problem and key not in problems:
        problems[key] = problem
    return text


def name_problem(name: str, label: str, field: ModelField | None = None) -> str | None:
    """Why a tidied name breaks the name rule (text.py) or its column's length; None when it is good."""
    offender = name_offender(name)
    if offender is not None:
        return _("{field} cannot contain {char}: write letters (with Vietnamese accents), spaces and ' - . only")\
            .format(field=label, char=describe_char(offender))
    if not any(is_latin_letter(ch) for ch in name):
        return _("{field} must contain letters").format(field=label)
    return too_long(name, label, max_length(field) if field is not None else None)


def check_name(problems: dict[str, str], key: str, value: str | None, label: str,
               field: ModelField | None = None) -> str:
    """The tidied name (NFC, single spaces); a problem under ``key`` when a non-empty name is refused."""
    name = tidy_name(value if isinstance(value, str) else "")
    if name:
        problem = name_problem(name, label, field)
        if problem and key not in problems:
            problems[key] = problem
    return name


def lookup_text(value: object, field: ModelField) -> str | None:
    """A typed key (a code, a name) as it can be looked up, or None when no row can hold it.

    Too long for the column, or holding NUL or an unpaired surrogate (which PostgreSQL and the
    drivers refuse even in a query): nothing can match, so the caller says "unknown …".
    """
    text = (value if isinstance(value, str) else "" if value is None else str(value)).strip()
    limit = max_length(field)
    if "\x00" in text or (limit is not None and len(text) > limit):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text


def year_in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def day_problem(day: date, label: str) -> str | None:
    """A calendar day outside FIRST_YEAR..LAST_YEAR, named by its field; None when it is inside."""
    if year_in_range(day.year):
        return None
    return _("{field} must be a date from {first} to {last} (got {day})").format(
        field=label, first=f"01/01/{FIRST_YEAR}", last=f"31/12/{LAST_YEAR}", day=day.isoformat())


def moment_in_range(moment: datetime) -> bool:
    """True when ``moment`` is safely inside FIRST_YEAR..LAST_YEAR (checked before any time-zone arithmetic)."""
    return year_in_range(moment.year)


def receipt_problem(received_at: datetime, now: datetime) -> str | None:
    """A receipt before EARLIEST_RECEIPT or ahead of the clock by more than FUTURE_TOLERANCE."""
    if not moment_in_range(received_at) or aware(received_at).astimezone(LOCAL_TZ).date() < EARLIEST_RECEIPT:
        return _("Time received must be on or after {first} (got {day})").format(
            first=f"{EARLIEST_RECEIPT:%d/%m/%Y}", day=received_at.date().isoformat())
    if aware(received_at) > now + FUTURE_TOLERANCE:
        return _("Time received cannot be in the future")
    return None


def birth_problem(birth: date, today: date) -> str | None:
    """A birth date before EARLIEST_BIRTH or after today."""
    if birth > today:
        return _("Date of birth cannot be in the future")
    if birth < EARLIEST_BIRTH:
        return _("Date of birth must be on or after {first} (got {day})").format(
            first=f"{EARLIEST_BIRTH:%d/%m/%Y}", day=f"{birth:%d/%m/%Y}")
    return None
