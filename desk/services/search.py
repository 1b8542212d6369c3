"""Finding dossiers fast: filters, sorting and keyset paging over a million rows.

The list screen asks for one page at a time. Paging is by keyset — ``WHERE (sort_col, id) <
(last_value, last_id) ORDER BY sort_col, id LIMIT n`` — so page 5,000 costs what page 1 costs,
on SQLite and PostgreSQL alike. Free text is matched through indexes only:

* names: the folded (unaccented, lower-case) name starts with the text, or its part after the
  first or second word does ("van an", "thu trang" and "an" all find "Nguyễn Văn An" /
  "Nguyễn Thị Thu Trang" where the words line up). The word-start matches use a skip-scan over
  the distinct leading words of the name index, so no full scan is ever needed;
* codes: the full code, a code prefix, ``yymmdd-NNNN`` or just the day's sequence number
  ("7", "0007"), expanded to exact codes through the day counters (daily_sequence);
* ID numbers and phone numbers: exact or prefix.

When the text matches many dossiers ("nguyen"), the same rule is applied as a row predicate
instead and the sort index is walked, which is fast precisely because matches are frequent.

"Due within N days" counts WORKING days of the office calendar (today + N working days, to the
end of that day), like the legal processing times themselves.
"""

from __future__ import annotations

import threading
import time as _time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from peewee import (
    SQL,
    ColumnBase,
    DateTimeField,
    Expression,
    ForeignKeyField,
    IntegerField,
    ModelSelect,
    NodeList,
    Value,
    fn,
)

from desk.errors import ValidationError
from desk.i18n import N_, _
from desk.models import DailySequence, Dossier, Field, Office, Procedure, ReceptionPoint
from desk.models import rows as typed_rows
from desk.models.db import database_proxy, is_postgres
from desk.services.accounts import Actor, require
from desk.services.calendar import WorkCalendar, load_calendar
from desk.services.clock import LOCAL_TZ, Clock, aware, from_db, to_db
from desk.services.codes import DossierCode
from desk.services.dossiers import OPEN_STATUSES, Status
from desk.services.kinds import Role
from desk.services.office import find_point
from desk.text import fold, is_digits

SORT_COLUMNS = ("code", "received_at", "due_at", "applicant", "status", "procedure")
MAX_TEXT = 100  # longer input is cut: no name, code or number is longer
CANDIDATE_CAP = 20_000  # above this many text matches, test the text on each row instead of listing ids
# PostgreSQL reads a table row for every index entry it lists (its indexes hold no id, and a table just
# loaded or restored has no visibility map yet), so listing 20,000 matches costs 100 ms or more there;
# it lists fewer, and since fetching the listed rows then costs what listing them did, they drive.
PG_CANDIDATE_CAP = 5_000
PG_IDS_DRIVE_CAP = 5_000
WORD_DEPTH = 2  # name words that may be skipped before the typed text (family name, middle name)
MAX_LEADING = 3_000  # distinct leading words enumerated for word-start matching
_LIKE_ESCAPE = "\\"


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"  # within 2 working days
    NORMAL = "normal"
    CLOSED = "closed"  # no longer waiting for a result (ready, returned, refused, withdrawn)

    @property
    def label(self) -> str:
        return _(URGENCY_LABELS[self])


URGENCY_LABELS = {
    Urgency.OVERDUE: N_("Overdue"),
    Urgency.DUE_TODAY: N_("Due today"),
    Urgency.DUE_SOON: N_("Due within 2 days"),
    Urgency.NORMAL: N_("In time"),
    Urgency.CLOSED: N_("Closed"),
}
SOON_WORKING_DAYS = 2


@dataclass
class DossierFilter:
    """What the clerk narrowed the list to; every field optional (None/empty = no restriction)."""

    statuses: set[str] | None = None
    field_code: str | None = None
    procedure_code: str | None = None
    reception_point: int | str | None = None  # id or exact name
    channel: str | None = None
    received_from: date | None = None  # office-local dates, both inclusive
    received_to: date | None = None
    overdue: bool = False  # open and past the legal due moment
    due_within_days: int | None = None  # open, not yet overdue, due by the end of today + N working days
    text: str = ""


@dataclass(frozen=True)
class Sort:
    column: str = "received_at"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.column not in SORT_COLUMNS:
            raise ValidationError({"sort": _("Cannot sort by {column}").format(column=self.column)})


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended; only valid with the same filter and sort."""

    column: str
    descending: bool
    value: object  # the sort column's stored value (or the rank for status/procedure)
    id: int


@dataclass(frozen=True)
class DossierListRow:
    id: int
    code: str
    applicant_name: str
    procedure_name: str
    field_name: str
    channel: str
    reception_point: str
    received_at: datetime
    due_at: datetime
    appointment_at: datetime
    status: Status
    urgency: Urgency


@dataclass(frozen=True)
class Page:
    rows: list[DossierListRow]
    next_cursor: Cursor | None = None


# -- reference data ----------------------------------------------------------------------------
@dataclass
class _Refs:
    procedures: dict[int, tuple[str, str, str, int]] = field(default_factory=dict)  # id → code, name, folded, field
    fields: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → code, name
    points: dict[int, str] = field(default_factory=dict)


def _refs() -> _Refs:
    """The small tables, read each time (a few dozen rows): names are joined in Python, never in SQL,
    so the planner has only the dossier table to think about."""
    refs = _Refs()
    for pid, code, name, folded, field_id in typed_rows.tuples(Procedure.select(
            Procedure.id, Procedure.code, Procedure.name, Procedure.name_folded, Procedure.field)):
        refs.procedures[pid] = (code, name, folded, field_id)
    for fid, code, name in typed_rows.tuples(Field.select(Field.id, Field.code, Field.name)):
        refs.fields[fid] = (code, name)
    for point_id, name in typed_rows.tuples(ReceptionPoint.select(ReceptionPoint.id, ReceptionPoint.name)):
        refs.points[point_id] = name
    return refs


_CALENDAR: tuple[float, WorkCalendar] | None = None
CALENDAR_TTL = 300.0


def _calendar() -> WorkCalendar:
    """The office calendar, kept a few minutes (building it computes the lunar holidays)."""
    global _CALENDAR
    if _CALENDAR is None or _time.monotonic() - _CALENDAR[0] > CALENDAR_TTL:
        _CALENDAR = (_time.monotonic(), load_calendar())
    return _CALENDAR[1]


def release_thread_connection() -> None:
    """Close this thread's database connection when it is not the main thread (background counts)."""
    if threading.current_thread() is not threading.main_thread():
        db = database_proxy.obj
        if db is not None and not db.is_closed():
            db.close()


def forget_calendar() -> None:
    """Call after the office calendar changed (the list screen does on calendar_changed)."""
    global _CALENDAR
    _CALENDAR = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL_TZ)


def _soon_limit(now: datetime, days: int) -> datetime:
    """Start of the day after ``today + days`` working days (office time)."""
    today = aware(now).astimezone(LOCAL_TZ).date()
    last = _calendar().add_working_days(today, max(0, days)) if days > 0 else today
    return _local_midnight(last + timedelta(days=1))


# -- free text -----------------------------------------------------------------------------------
def normalise_text(text: str | None) -> str:
    """What is searched for: NFC, no control characters, single spaces, at most MAX_TEXT characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    return " ".join(text.split())[:MAX_TEXT].strip()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(lhs: ColumnBase, pattern: str) -> NodeList:
    return NodeList((lhs, SQL("LIKE"), Value(pattern), SQL("ESCAPE '\\'")))


def _bump(text: str) -> str:
    """The smallest string greater than every string starting with ``text`` (code-point order)."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def _prefix(column: ColumnBase, text: str) -> Expression:
    """``column`` starts with ``text``: an index range (exact in byte/code-point order) plus LIKE,
    which keeps it exact under a linguistic PostgreSQL collation too."""
    return (column >= text) & (column < _bump(text)) & _like(column, _escape_like(text) + "%")


def _col(column: ColumnBase, plain: bool) -> ColumnBase:
    """``column``, or the same value in a form its index cannot serve when that index must not drive.

    Neither engine's planner can be trusted with the dossier table on its own. SQLite plans without
    statistics (nobody runs ANALYZE on a desk's database) and then believes every equality is
    selective: "status = returned" would read 85% of the table through the status index and sort
    it. PostgreSQL guesses the same way until its statistics exist (a database just loaded, migrated
    or restored), and with them still walks the due-date index from the oldest row looking for the
    few open ones. So the search measures its filters itself (bounded counts) and picks the index;
    the others are switched off: ``+column`` on SQLite, an expression the index does not match on
    PostgreSQL (``column + 0``, ``column || ''``, ``column + INTERVAL '0 s'``), same values, same order.
    """
    if not plain:
        return column
    if not is_postgres():
        return NodeList((SQL("+"), column), glue="")
    if isinstance(column, (IntegerField, ForeignKeyField)):
        tail = "+ 0"
    elif isinstance(column, DateTimeField):
        tail = "+ INTERVAL '0 seconds'"
    else:
        tail = "|| ''"
    return NodeList((column, SQL(tail)), parens=True)


@contextmanager
def _pg_planner(active: bool, **settings: str) -> Iterator[None]:
    """PostgreSQL planner settings for the statements run inside, undone after them.

    Inside a savepoint, so an error undoes them with it; a savepoint's release would keep SET LOCAL
    until the outer transaction ends, so they are put back by hand. SQLite needs no such word
    (``_col`` has already left its planner one index).
    """
    db = database_proxy.obj
    if not active or not is_postgres(db):
        yield
        return
    # JIT compiles for 40-70 ms and parallel workers take as long to start: longer than these queries
    wanted = {**settings, "jit": "off", "max_parallel_workers_per_gather": "0"}
    names = sorted(wanted)
    with db.atomic():
        before = db.execute_sql("SELECT " + ", ".join(f"current_setting('{n}')" for n in names)).fetchone()
        for name in names:
            db.execute_sql(f"SET LOCAL {name} = {wanted[name]}")
        yield
        db.execute_sql("SELECT " + ", ".join(f"set_config('{n}', %s, true)" for n in names), before)


def _in_index_order(walk: bool) -> AbstractContextManager[None]:
    """A page read by walking the sort order's index: PostgreSQL may not plan a sort.

    Its planner multiplies the guessed selectivities of the switched-off filters (0.5% each) and then
    prefers reading the whole table and sorting it to walking the index until a page is full; the
    search walks precisely because each filter matches a good share of the rows, so a page fills soon.
    """
    return _pg_planner(walk, enable_sort="off")


LAZY_PROBE_ROWS = 25_000  # up to this bound a probe walks its index; beyond it (count()) a bitmap is better


def _probe(rows: int) -> AbstractContextManager[None]:
    """A probe bounded to ``rows`` (``LIMIT n`` over one index): PostgreSQL must read the index lazily.

    A bitmap scan, its choice without statistics, collects every match of the index before the
    limit applies: the 850,000 ids of "returned" to count 5,001 of them; with statistics it reads the
    table from the start instead when the matches are many (a sixth of it for 5,001 of 33,000 rows).
    """
    return _pg_planner(rows <= LAZY_PROBE_ROWS, enable_bitmapscan="off", enable_seqscan="off")


def _name_heads() -> list[str]:
    """Distinct first words and first-two-words of the folded names ("nguyen", "nguyen van", ...).

    Found by a skip-scan of the name index inside the database: one index seek per distinct
    two-word prefix, never a scan of the names. Word-start matching then is a handful of index
    ranges ("nguyen " + text, "nguyen van " + text, ...).
    """
    db = database_proxy.obj
    find = "strpos" if is_postgres(db) else "instr"
    second = f"{find}(substr(n, {find}(n, ' ') + 1), ' ')"
    two = (f"CASE WHEN {find}(n, ' ') = 0 OR {second} = 0 THEN n "
           f"ELSE substr(n, 1, {find}(n, ' ') + {second} - 1) END")
    sql = (
        "WITH RECURSIVE lead(p) AS ("
        f" SELECT {two} FROM (SELECT min(applicant_name_folded) AS n FROM dossier) AS s0"
        " UNION ALL"
        f" SELECT (SELECT {two} FROM (SELECT min(applicant_name_folded) AS n FROM dossier"
        f"   WHERE applicant_name_folded >= lead.p || CASE WHEN {find}(lead.p, ' ') > 0 THEN '!' ELSE ' ' END) AS s1)"
        " FROM lead WHERE lead.p IS NOT NULL"
        f") SELECT p FROM lead WHERE p IS NOT NULL LIMIT {MAX_LEADING}"
    )
    heads: dict[str, None] = {}
    for (prefix,) in db.execute_sql(sql).fetchall():
        if " " in prefix:
            heads[prefix.split(" ", 1)[0]] = None
            if WORD_DEPTH >= 2:
                heads[prefix] = None
    return list(heads)


def _word_start_ids(text: str, cap: int) -> list[int]:
    """Ids of dossiers whose name has ``text`` starting at its second or third word."""
    heads = _name_heads()
    if not heads:
        return []
    db = database_proxy.obj
    p = db.param
    ranges = [(f"{h} {text}", _bump(f"{h} {text}")) for h in heads]
    values = ", ".join(f"({p}, {p})" for _r in ranges)
    sql = (f"WITH r(lo, hi) AS (VALUES {values}) SELECT d.id FROM r JOIN dossier d "
           f"ON d.applicant_name_folded >= r.lo AND d.applicant_name_folded < r.hi LIMIT {int(cap)}")
    params = [v for pair in ranges for v in pair]
    with _probe(cap):
        return [row[0] for row in db.execute_sql(sql, params).fetchall()]


def _after_words(column: ColumnBase, depth: int) -> ColumnBase:
    """SQL for ``column`` without its first ``depth`` words (each engine spells "find" differently)."""
    find = fn.strpos if is_postgres() else fn.instr
    expr: ColumnBase = column
    for _i in range(depth):
        expr = fn.substr(expr, find(expr, " ") + 1)
    return expr


def _day_codes(sequence: int, day: str | None = None) -> list[str]:
    """Every code with this day number that was handed out (from the day counters, keyed by full date)."""
    if sequence < 1:  # numbers start at 1
        return []
    query = (DailySequence.select(Office.code, DailySequence.day)
             .join(Office).where(DailySequence.last_value >= sequence))
    if day:
        dates = DossierCode.days_of(day)  # a yymmdd names one date per century
        if not dates:
            return []
        query = query.where(DailySequence.day.in_(dates))
    codes: set[str] = set()
    for office, d in typed_rows.tuples(query):
        with suppress(ValidationError):  # an office code from before schema 3 that no code can carry
            codes.add(str(DossierCode(office, d, sequence)))
    return sorted(codes)


@dataclass
class _TextPlan:
    ids: list[int] | None = None  # the matches, when few enough to list
    predicate: Callable[[bool], ColumnBase | None] | None = None  # otherwise the same rule as a row condition


def _text_plan(raw: str) -> _TextPlan | None:
    text = normalise_text(raw)
    if not text:
        return None
    folded = fold(text)
    compact = "".join(c for c in text if c not in " .-")
    upper = text.upper().replace(" ", "")
    # Each entry: (column, how to match it) — usable through that column's index.
    prefixes: list[tuple[ColumnBase, str]] = []
    codes: list[str] = []
    # codes: full or prefix ("000.00.13.H42-2611"), yymmdd-NNNN, or the day's number ("7", "0007")
    if any(is_digits(c) for c in upper):
        prefixes.append((Dossier.code, upper))
        short = DossierCode.short_parts(upper)  # "261122-0007", as on the slip: the code's own rule
        if short is not None:
            codes = _day_codes(short[1], short[0])
        elif is_digits(upper) and len(upper) <= 5 and int(upper) > 0:
            codes = _day_codes(int(upper))
    # ID number and phone: exact or prefix, digits only
    if is_digits(compact) and len(compact) >= 3:
        prefixes.append((Dossier.id_number, compact))
        phone = "0" + compact[2:] if compact.startswith("84") and len(compact) == 11 else compact
        prefixes.append((Dossier.phone, phone))
    elif compact.startswith("+84") and is_digits(compact[1:]):
        prefixes.append((Dossier.phone, "0" + compact[3:]))
    name_words = folded if any(c.isalpha() for c in folded) else ""
    if name_words:
        prefixes.append((Dossier.applicant_name_folded, name_words))

    def predicate(plain: bool) -> ColumnBase | None:
        terms: list[ColumnBase] = [_prefix(_col(column, plain), value) for column, value in prefixes]
        if codes:
            terms.append(_col(Dossier.code, plain).in_(codes))
        if name_words:
            # the words after the family name (and after the middle name) start with the text
            for depth in range(1, WORD_DEPTH + 1):
                terms.append(_like(_after_words(Dossier.applicant_name_folded, depth),
                                   _escape_like(name_words) + "%"))
        return _or(terms)

    if not prefixes and not codes:
        return _TextPlan(ids=[])
    # How many match through the indexes alone? (bounded; ids only, read straight off the indexes)
    cap = PG_CANDIDATE_CAP if is_postgres() else CANDIDATE_CAP
    ids: dict[int, None] = {}
    indexed: list[ColumnBase] = [_prefix(column, value) for column, value in prefixes]
    if codes:
        indexed.append(Dossier.code.in_(codes))
    for condition in indexed:
        ids.update((i, None) for i in _ids(Dossier.select(Dossier.id).where(condition).limit(cap + 1), cap + 1))
        if len(ids) > cap:
            return _TextPlan(predicate=predicate)
    if name_words:
        ids.update((i, None) for i in _word_start_ids(name_words, cap + 1))
    if len(ids) > cap:
        return _TextPlan(predicate=predicate)
    return _TextPlan(ids=list(ids))


def _ids(query: ModelSelect[Dossier], cap: int) -> list[int]:
    """The ids a query selects (at most ``cap``), without building a Python object per row."""
    sql, params = query.sql()
    with _probe(cap):
        return [row[0] for row in database_proxy.obj.execute_sql(sql, params).fetchall()]


def _or(conditions: list[ColumnBase]) -> ColumnBase | None:
    result: ColumnBase | None = None
    for condition in conditions:
        result = condition if result is None else (result | condition)
    return result


# -- filters -----------------------------------------------------------------------------------
@dataclass
class _Cond:
    """One WHERE term; ``build(plain)`` gives it with its index usable (False) or switched off (True)."""

    kind: str  # the index it can drive the query through: status, procedure, point, received, urgent, ids; "" none
    build: Callable[[bool], ColumnBase | None]
    rows: int | None = None  # how many dossiers it matches, when known (bounded count)


def _conditions(flt: DossierFilter, now: datetime, refs: _Refs) -> list[_Cond] | None:
    """The WHERE terms for ``flt``; None when nothing can match."""
    conds: list[_Cond] = []
    if flt.statuses:
        try:
            statuses = sorted(Status(s).value for s in flt.statuses)
        except ValueError as exc:
            raise ValidationError({"statuses": _("Unknown status: {status}").format(status=exc)}) from exc
        conds.append(_Cond("status", lambda plain: _col(Dossier.status, plain).in_(statuses)))
    if flt.procedure_code:
        ids = [pid for pid, p in refs.procedures.items() if p[0] == flt.procedure_code.strip()]
        if not ids:
            return None
        conds.append(_Cond("procedure", lambda plain: _col(Dossier.procedure, plain) == ids[0]))
    if flt.field_code:
        field_ids = {fid for fid, f in refs.fields.items() if f[0] == flt.field_code.strip()}
        in_field = sorted(pid for pid, p in refs.procedures.items() if p[3] in field_ids)
        if not in_field:
            return None
        conds.append(_Cond("procedure", lambda plain: _col(Dossier.procedure, plain).in_(in_field)))
    if flt.reception_point not in (None, ""):
        found = find_point(flt.reception_point)
        assert found is not None  # given, so found or ValidationError
        point = found.id
        conds.append(_Cond("point", lambda plain: _col(Dossier.reception_point, plain) == point))
    if flt.channel:
        channel = flt.channel
        conds.append(_Cond("", lambda plain: Dossier.channel == channel))
    received = Dossier.received_at
    if flt.received_from:
        start = to_db(_local_midnight(flt.received_from))
        conds.append(_Cond("received", lambda plain: _col(received, plain) >= start))
    if flt.received_to:
        end = to_db(_local_midnight(flt.received_to + timedelta(days=1)))
        conds.append(_Cond("received", lambda plain: _col(received, plain) < end))
    if flt.overdue or flt.due_within_days is not None:
        open_values = sorted(s.value for s in OPEN_STATUSES)
        moment = to_db(now)
        soon = to_db(_soon_limit(now, flt.due_within_days)) if flt.due_within_days is not None else None

        def urgent(plain: bool) -> Expression:
            due, status = _col(Dossier.due_at, plain), _col(Dossier.status, plain)
            if flt.overdue and soon is not None:
                window = due < soon
            elif flt.overdue:
                window = due < moment
            else:
                window = (due >= moment) & (due < soon)
            return status.in_(open_values) & window

        conds.append(_Cond("urgent", urgent))
    return conds


def _text_conditions(flt: DossierFilter) -> list[_Cond] | None:
    plan = _text_plan(flt.text)
    if plan is None:
        return []
    if plan.ids is not None:
        if not plan.ids:
            return None
        # ids are integers read from the database: written as literals, since binding twenty
        # thousand parameters one by one costs more than the query itself
        literal = SQL("(" + ",".join(str(int(i)) for i in sorted(plan.ids)) + ")")
        return [_Cond("ids", lambda plain: NodeList((_col(Dossier.id, plain), SQL("IN"), literal)),
                      rows=len(plan.ids))]
    assert plan.predicate is not None  # a plan without its ids has the predicate
    return [_Cond("", plan.predicate)]


DRIVE_CAP = 5_000  # a filter matching at most this many rows drives the query (read them, then sort)
# A list of ids is checked from the sort index alone (the id is in every index), so walking the sort
# order stays cheap for longer: ids drive only below this.
IDS_DRIVE_CAP = 1_500
COUNT_PROBE_CAP = 300_000  # count(): bound of the probes that pick the narrowest filter


def _bounded_count(condition: ColumnBase | None, cap: int) -> int:
    inner = Dossier.select(SQL("1")).where(condition).limit(cap)
    with _probe(cap):
        return Dossier.select(fn.COUNT(SQL("*"))).from_(inner.alias("c")).scalar() or 0


def _driver(conds: list[_Cond], sort_kind: str, *, cap: int | None = None, always: bool = False) -> _Cond | None:
    """The filter to read the rows through, or None to walk the sort order's index.

    A filter drives when it matches few rows (at most DRIVE_CAP): reading those and sorting them
    is cheap. Otherwise the sort index is walked and the filters are checked row by row, which
    stops after one page because each filter then matches a good share of the rows.
    """
    best: _Cond | None = None
    best_rows = 0  # best's rows, counted before it was chosen
    for cond in conds:
        if not cond.kind or cond.kind == sort_kind:
            continue
        if cond.rows is None:
            group = [c for c in conds if c.kind == cond.kind]  # e.g. received from + to: one range
            condition = _and([c.build(False) for c in group])
            cond.rows = _bounded_count(condition, (cap or DRIVE_CAP) + 1)
            for other in group:
                other.rows = cond.rows
        ids_cap = PG_IDS_DRIVE_CAP if is_postgres() else IDS_DRIVE_CAP
        limit = cap or (ids_cap if cond.kind == "ids" else DRIVE_CAP)
        if (always or cond.rows <= limit) and (best is None or cond.rows < best_rows):
            best, best_rows = cond, cond.rows
    return best


def _and(conditions: list[ColumnBase | None]) -> ColumnBase | None:
    result: ColumnBase | None = None
    for condition in conditions:
        result = condition if result is None else (result & condition)
    return result


# -- rows ----------------------------------------------------------------------------------------
_COLUMNS = (Dossier.id, Dossier.code, Dossier.applicant_name, Dossier.procedure, Dossier.channel,
            Dossier.reception_point, Dossier.received_at, Dossier.due_at, Dossier.appointment_at, Dossier.status)
_SORT_FIELDS: dict[str, ColumnBase] = {"code": Dossier.code, "received_at": Dossier.received_at, "due_at": Dossier.due_at,
                "applicant": Dossier.applicant_name_folded}
STATUS_ORDER = tuple(Status)  # lifecycle order: received first, withdrawn last


@dataclass(frozen=True)
class _Urgency:
    now: datetime
    today_end: datetime
    soon_end: datetime

    def of(self, status: Status, due_at: datetime) -> Urgency:
        if status not in OPEN_STATUSES:
            return Urgency.CLOSED
        if due_at < self.now:
            return Urgency.OVERDUE
        if due_at < self.today_end:
            return Urgency.DUE_TODAY
        if due_at < self.soon_end:
            return Urgency.DUE_SOON
        return Urgency.NORMAL


def urgency_of(status: Status | str, due_at: datetime, now: datetime) -> Urgency:
    """How pressing a dossier is at ``now`` (aware datetimes)."""
    judge = _judge(now)
    return judge.of(Status(status), aware(due_at))


def _judge(now: datetime) -> _Urgency:
    now = aware(now)
    today = now.astimezone(LOCAL_TZ).date()
    return _Urgency(now, _local_midnight(today + timedelta(days=1)), _soon_limit(now, SOON_WORKING_DAYS))


def _to_rows(tuples: Iterable[tuple[Any, ...]], refs: _Refs, judge: _Urgency) -> list[DossierListRow]:
    rows = []
    for dossier_id, code, name, procedure_id, channel, point_id, received, due, appointment, status in tuples:
        proc = refs.procedures.get(procedure_id, ("", "", "", 0))
        field_name = refs.fields.get(proc[3], ("", ""))[1]
        status = Status(status)
        due_at = from_db(due)
        rows.append(DossierListRow(dossier_id, code, name, proc[1], field_name, channel,
                                   refs.points.get(point_id, ""), from_db(received), due_at,
                                   from_db(appointment), status, judge.of(status, due_at)))
    return rows


def _where(query: ModelSelect[Dossier], terms: Iterable[ColumnBase | None]) -> ModelSelect[Dossier]:
    for term in terms:
        query = query.where(term)
    return query


def _all_conditions(flt: DossierFilter, now: datetime, refs: _Refs) -> list[_Cond] | None:
    conds = _conditions(flt, now, refs)
    text = _text_conditions(flt) if conds is not None else None
    if conds is None or text is None:
        return None
    return conds + text


def search(
    flt: DossierFilter | None = None,
    sort: Sort | None = None,
    *,
    limit: int = 200,
    after: Cursor | None = None,
    clock: Clock | None = None,
    actor: Actor,
) -> Page:
    """One page of dossiers matching ``flt`` in ``sort`` order, after ``after`` (keyset paging).

    The rows carry applicants' names and ID numbers can be searched: staff only."""
    require(actor, Role.CLERK)
    flt = flt or DossierFilter()
    sort = sort or Sort()
    now = (clock or Clock()).now()
    limit = max(1, min(int(limit), 5_000))
    if after is not None and (after.column, after.descending) != (sort.column, sort.descending):
        raise ValidationError({"after": _("The list order changed; start again from the first page")})
    refs = _refs()
    conds = _all_conditions(flt, now, refs)
    if conds is None:
        return Page([])
    if sort.column in _SORT_FIELDS:
        tuples, cursor = _column_page(conds, sort, limit, after)
    else:
        tuples, cursor = _ranked_page(conds, sort, limit, after, refs, flt)
    return Page(_to_rows(tuples, refs, _judge(now)), cursor)


_SORT_KIND = {"received_at": "received"}


def _column_page(conds: list[_Cond], sort: Sort, limit: int, after: Cursor | None,
                 ) -> tuple[list[tuple[Any, ...]], Cursor | None]:
    driver = _driver(conds, _SORT_KIND.get(sort.column, sort.column))
    # Walking the sort index: only conditions on the sort column itself may use it (a date range).
    terms = [c.build(c is not driver and not (driver is None and c.kind == _SORT_KIND.get(sort.column)))
             for c in conds]
    column = _col(_SORT_FIELDS[sort.column], driver is not None)
    key = _col(Dossier.id, driver is not None)
    query = _where(Dossier.select(*_COLUMNS, _SORT_FIELDS[sort.column]), terms)
    if after is not None:
        value = after.value
        if sort.descending:
            query = query.where((column <= value) & ((column < value) | (key < after.id)))
        else:
            query = query.where((column >= value) & ((column > value) | (key > after.id)))
    order = (column.desc(), key.desc()) if sort.descending else (column.asc(), key.asc())
    with _in_index_order(driver is None):
        tuples = list(typed_rows.tuples(query.order_by(*order).limit(limit + 1)))
    cursor = None
    if len(tuples) > limit:
        tuples = tuples[:limit]
        cursor = Cursor(sort.column, sort.descending, tuples[-1][-1], tuples[-1][0])
    return [t[:-1] for t in tuples], cursor


def _ranked_page(conds: list[_Cond], sort: Sort, limit: int, after: Cursor | None, refs: _Refs,
                 flt: DossierFilter) -> tuple[list[tuple[Any, ...]], Cursor | None]:
    """Sort by a small ordered set of values (status in lifecycle order, procedure by name):
    one index-friendly query per value, ids ascending within a value."""
    if sort.column == "status":
        wanted = {Status(s) for s in flt.statuses} if flt.statuses else set(STATUS_ORDER)
        values: list[tuple[object, ColumnBase]] = [(s.value, Dossier.status) for s in STATUS_ORDER if s in wanted]
    else:
        ordered = sorted(refs.procedures.items(), key=lambda item: (item[1][2], item[1][0]))
        values = [(pid, Dossier.procedure) for pid, _p in ordered]
    driver = _driver(conds, sort.column)
    terms = [c.build(c is not driver) for c in conds]
    key = _col(Dossier.id, driver is not None)
    ranks = list(range(len(values)))
    if sort.descending:
        ranks.reverse()
    if after is not None:
        assert isinstance(after.value, int)  # this sort's cursor holds a rank (made at the end of the loop)
        ranks = [r for r in ranks if (r <= after.value if sort.descending else r >= after.value)]
    order = key.desc() if sort.descending else key.asc()
    tuples: list[tuple[Any, ...]] = []
    cursor = None
    with _in_index_order(driver is None):
        for rank in ranks:
            value, column = values[rank]
            query = _where(Dossier.select(*_COLUMNS), [*terms, _col(column, driver is not None) == value])
            if after is not None and rank == after.value:
                query = query.where(key < after.id if sort.descending else key > after.id)
            tuples.extend(typed_rows.tuples(query.order_by(order).limit(limit + 1 - len(tuples))))
            if len(tuples) > limit:
                tuples = tuples[:limit]
                # the last row kept may come from this value or an earlier one
                last = tuples[-1]
                last_key = last[9] if sort.column == "status" else last[3]
                last_rank = next(r for r, (v, _c) in enumerate(values) if v == last_key)
                cursor = Cursor(sort.column, sort.descending, last_rank, last[0])
                break
    return tuples, cursor


def count(flt: DossierFilter | None = None, *, clock: Clock | None = None, actor: Actor) -> int:
    """How many dossiers match (may take a second over a million rows: call it off the UI thread).

    Staff only: a count over an ID number or a name says whether that person has a dossier."""
    require(actor, Role.CLERK)
    flt = flt or DossierFilter()
    now = (clock or Clock()).now()
    conds = _all_conditions(flt, now, _refs())
    if conds is None:
        return 0
    # Counting reads every match, so the narrowest filter should drive even when it is large:
    # measure each with a higher bound than for a page.
    driver = _driver(conds, "", cap=COUNT_PROBE_CAP, always=True)
    terms = [c.build(driver is not None and c is not driver) for c in conds]
    return _where(Dossier.select(fn.COUNT(Dossier.id)), terms).scalar() or 0
