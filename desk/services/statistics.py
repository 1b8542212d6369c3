"""Monthly statistics that leaders report upward: the official table's numbers and the 12-month trend.

What is counted (one reporting period [start, end), see desk.services.periods):

* carried over — received before ``start`` and still open at ``start`` (neither resolved nor
  refused/withdrawn before it);
* new — received in the period, split online / direct + postal;
* resolved — ``resolved_at`` in the period, early / on time / late by ``dossiers.resolution_outcome``
  against the LEGAL ``due_at`` (an apology's new appointment never helps);
* refused / withdrawn, and stopped (dừng giải quyết, D42) in a column of its own — ``closed_at`` in
  the period (a dossier that has a ``resolved_at`` is never counted as closed);
* pending — still open at ``end``: in time if ``due_at`` ≥ the report moment, else overdue. The
  report moment is ``end``, or now when the period is still running (a future ``end`` would call
  every dossier due before it "overdue").

That is ``dossiers.classify(..., at=report moment, end=end)``, the one classification; the grouped
SQL below is its translation (tests/services/test_statistics_sql.py checks, on both engines and
random dossiers, that the SQL counts equal the Python classification of every dossier).

Every dossier "in" the period is ``received_at < end`` and not finished (resolved or closed) before
``start``; it is carried over or new, and ends the period resolved, closed or pending, so
carried + new = resolved + pending + refused/withdrawn + stopped holds per field by construction. The
statistics come from ONE grouped SQL query; ``detail_rows`` lists exactly that set of dossiers.

The database stores naive UTC; the office-local date of a stored moment is
``date(moment + OFFICE_UTC_OFFSET)`` (a fixed offset: see ``clock.fixed_utc_offset``), which both
SQLite (``date(x, '+7 hours')``) and PostgreSQL (``CAST(x + INTERVAL '7 hours' AS date)``) compute.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from peewee import JOIN, SQL, BaseQuery, Case, Cast, ColumnBase, Expression, ModelSelect, Node, fn

from desk.errors import ValidationError
from desk.i18n import _
from desk.models import Dossier, Field, Procedure, ReceptionPoint, Staff
from desk.models.db import database_proxy, is_postgres
from desk.models.rows import tuples
from desk.services.accounts import Actor, require
from desk.services.clock import LOCAL_TZ, OFFICE_UTC_OFFSET, Clock, to_db
from desk.services.dossiers import CLOSED_STATUSES, OPEN_STATUSES, Outcome, Status, classify
from desk.services.kinds import Channel, Role
from desk.services.office import current_office
from desk.services.periods import Period, as_period

CHUNK = 2000  # detail rows fetched per step (the workbook reports progress and asks cancel between steps)
_OFFSET_SECONDS = int(OFFICE_UTC_OFFSET.total_seconds())
if _OFFSET_SECONDS % 3600:
    raise AssertionError("the statistics' SQL writes the office offset in whole hours")
_OFFSET_HOURS = _OFFSET_SECONDS // 3600


@dataclass(frozen=True)
class FieldStats:
    """One row of the official table; the totals and rates are derived, never stored."""

    field_code: str
    field_name: str
    carried_over: int = 0
    new_online: int = 0
    new_direct: int = 0  # direct + postal
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    pending_in_time: int = 0
    pending_overdue: int = 0
    refused_or_withdrawn: int = 0
    stopped: int = 0  # dừng giải quyết (Decree 118/2025 Art. 21)

    @property
    def new_total(self) -> int:
        return self.new_online + self.new_direct

    @property
    def received_total(self) -> int:
        return self.carried_over + self.new_total

    @property
    def resolved_total(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def pending_total(self) -> int:
        return self.pending_in_time + self.pending_overdue

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) / resolved, None when nothing was resolved."""
        done = self.resolved_total
        return (self.resolved_early + self.resolved_on_time) / done if done else None

    @property
    def online_rate(self) -> float | None:
        """online / new, None when nothing new came in."""
        return self.new_online / self.new_total if self.new_total else None

    @property
    def balanced(self) -> bool:
        """Conservation: carried + new = resolved + pending + refused/withdrawn + stopped."""
        return self.received_total == (self.resolved_total + self.pending_total + self.refused_or_withdrawn
                                       + self.stopped)

    def to_json(self) -> dict:
        return {
            "field_code": self.field_code, "field_name": self.field_name,
            "received_total": self.received_total, "carried_over": self.carried_over,
            "new_online": self.new_online, "new_direct": self.new_direct,
            "resolved_total": self.resolved_total, "resolved_early": self.resolved_early,
            "resolved_on_time": self.resolved_on_time, "resolved_late": self.resolved_late,
            "pending_total": self.pending_total, "pending_in_time": self.pending_in_time,
            "pending_overdue": self.pending_overdue, "refused_or_withdrawn": self.refused_or_withdrawn,
            "stopped": self.stopped,
            "on_time_rate": self.on_time_rate, "online_rate": self.online_rate,
        }


COUNT_COLUMNS = ("carried_over", "new_online", "new_direct", "resolved_early", "resolved_on_time",
                 "resolved_late", "pending_in_time", "pending_overdue", "refused_or_withdrawn", "stopped")
# The table's column of each classification (the carried/new columns count receipts, not outcomes).
OUTCOME_COLUMNS = {Outcome.EARLY: "resolved_early", Outcome.ON_TIME: "resolved_on_time",
                   Outcome.LATE: "resolved_late", Outcome.IN_TIME: "pending_in_time",
                   Outcome.OVERDUE: "pending_overdue", Outcome.REFUSED: "refused_or_withdrawn",
                   Outcome.WITHDRAWN: "refused_or_withdrawn", Outcome.STOPPED: "stopped"}


@dataclass(frozen=True)
class Statistics:
    period: Period
    office_name: str
    as_of: datetime  # aware: the moment "pending" is judged (end of period, or now if it is running)
    rows: tuple[FieldStats, ...]
    total: FieldStats
    field_code: str | None = None

    def to_json(self) -> dict:
        return {
            "period": self.period.text, "cutoff": self.period.cutoff,
            "start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
            "as_of": self.as_of.isoformat(), "office": self.office_name, "field": self.field_code,
            "rows": [r.to_json() for r in self.rows], "total": self.total.to_json(),
        }


@dataclass(frozen=True)
class _Bounds:
    """The naive-UTC parameters the queries compare with."""

    start: datetime
    end: datetime
    as_of: datetime


def _as_of(period: Period, clock: Clock | None) -> datetime:
    now = (clock or Clock()).now()
    return max(min(period.end, now.astimezone(LOCAL_TZ)), period.start).astimezone(LOCAL_TZ)


def _bounds(period: Period, as_of: datetime) -> _Bounds:
    return _Bounds(to_db(period.start), to_db(period.end), to_db(as_of))


def _local_date(column: ColumnBase) -> ColumnBase:
    """The office-local calendar date of a stored naive-UTC moment, in the database's own SQL."""
    if is_postgres():
        return Cast(column + SQL(f"INTERVAL '{_OFFSET_HOURS} hours'"), "date")
    return fn.date(column, f"{_OFFSET_HOURS:+d} hours")


def _count(condition: Node) -> ColumnBase:
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _in_period_condition(b: _Bounds) -> Expression:
    """The dossiers a report covers: received before the end, not finished before the start.

    Written as an OR of index-friendly terms — received in the period (received_at index), or
    received before it and then resolved after its start (resolved_at), closed after its start
    (the few refused/withdrawn/stopped, status index) or still open (status index) — so that SQLite runs a
    MULTI-INDEX OR and PostgreSQL a BitmapOr instead of reading every older dossier. The status
    terms rely on the lifecycle's invariant: open statuses have neither resolved_at nor closed_at.
    The last factor is the definition itself and only matters for inconsistent rows.
    """
    d = Dossier
    finished = fn.COALESCE(d.resolved_at, d.closed_at)
    indexed = (((d.received_at >= b.start) & (d.received_at < b.end))
               | ((d.resolved_at >= b.start) & (d.received_at < b.start))
               | (d.status.in_(sorted(CLOSED_STATUSES)) & (d.closed_at >= b.start) & (d.received_at < b.start))
               | (d.status.in_(sorted(OPEN_STATUSES)) & (d.received_at < b.start)))
    return indexed & (finished.is_null() | (finished >= b.start))


def _outcome_conditions(b: _Bounds) -> dict[Outcome, Any]:
    """``dossiers.classify(status, due, resolved, closed, at=as_of, end=end)`` as one SQL condition per
    outcome, for the dossiers of ``_in_period_condition`` (none finished before the start).

    Resolved before the end → ``resolution_outcome``: late after the due moment, else early when
    the office-local date is before the due date, else on time. Never resolved and closed before
    the end → stopped when its status says so, else refused or withdrawn (one column). Otherwise open:
    in time while as_of ≤ due.
    """
    d = Dossier
    resolved = d.resolved_at.is_null(False) & (d.resolved_at < b.end)
    closed = d.resolved_at.is_null() & d.closed_at.is_null(False) & (d.closed_at < b.end)
    stopped = d.status == Status.STOPPED
    pending = ~resolved & ~closed
    return {
        Outcome.EARLY: resolved & (d.resolved_at <= d.due_at) & (_local_date(d.resolved_at) < _local_date(d.due_at)),
        Outcome.ON_TIME: resolved & (d.resolved_at <= d.due_at)
        & (_local_date(d.resolved_at) >= _local_date(d.due_at)),
        Outcome.LATE: resolved & (d.resolved_at > d.due_at),
        Outcome.REFUSED: closed & ~stopped,  # with WITHDRAWN: the table has one column for both
        Outcome.STOPPED: closed & stopped,
        Outcome.IN_TIME: pending & (d.due_at >= b.as_of),
        Outcome.OVERDUE: pending & (d.due_at < b.as_of),
    }


def _statistics_query(b: _Bounds, field_id: int | None) -> ModelSelect[Dossier]:
    """ONE grouped query: a SUM(CASE …) per column, a row per field that has dossiers."""
    d = Dossier
    received_new = (d.received_at >= b.start) & (d.received_at < b.end)
    outcome = _outcome_conditions(b)
    query = (d.select(
        Procedure.field,
        _count(d.received_at < b.start).alias("carried_over"),
        _count(received_new & (d.channel == Channel.ONLINE)).alias("new_online"),
        _count(received_new & (d.channel != Channel.ONLINE)).alias("new_direct"),
        _count(outcome[Outcome.EARLY]).alias("resolved_early"),
        _count(outcome[Outcome.ON_TIME]).alias("resolved_on_time"),
        _count(outcome[Outcome.LATE]).alias("resolved_late"),
        _count(outcome[Outcome.IN_TIME]).alias("pending_in_time"),
        _count(outcome[Outcome.OVERDUE]).alias("pending_overdue"),
        _count(outcome[Outcome.REFUSED]).alias("refused_or_withdrawn"),
        _count(outcome[Outcome.STOPPED]).alias("stopped"),
    ).join(Procedure, on=(d.procedure == Procedure.id)).where(_in_period_condition(b)))
    if field_id is not None:
        query = query.where(Procedure.field == field_id)
    return query.group_by(Procedure.field)


def _fields(field_code: str | None) -> list[Field]:
    query = Field.select().order_by(Field.sort_order, Field.name, Field.id)
    if field_code is None:
        return list(query)
    found = list(query.where(Field.code == field_code.strip()))
    if not found:
        raise ValidationError({"field": _("Unknown field code: {code}").format(code=field_code)})
    return found


def _field_id(field_code: str | None) -> int | None:
    return _fields(field_code)[0].id if field_code is not None else None


@contextmanager
def snapshot() -> Iterator[None]:
    """All queries inside read the same committed state while desks keep writing (nestable)."""
    db = database_proxy.obj
    nested = db.in_transaction()
    with db.atomic():
        if is_postgres(db) and not nested:
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def compute_statistics(
    period: str | Period,
    cutoff: str = "calendar",
    *,
    field_code: str | None = None,
    clock: Clock | None = None,
) -> Statistics:
    """The official table's numbers: a row per catalog field (zeros included) and the total."""
    p = as_period(period, cutoff)
    with snapshot():
        fields = _fields(field_code)
        as_of = _as_of(p, clock)
        counts = {row[0]: row[1:] for row in tuples(
                  _statistics_query(_bounds(p, as_of), fields[0].id if field_code is not None else None))}
        rows = []
        for f in fields:
            values = counts.get(f.id, (0,) * len(COUNT_COLUMNS))
            rows.append(FieldStats(f.code, f.name, *(int(v or 0) for v in values)))
        total = FieldStats("", "Tổng cộng", *(sum(getattr(r, c) for r in rows) for c in COUNT_COLUMNS))
        return Statistics(p, current_office().name, as_of, tuple(rows), total, field_code)


# -- trend --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendPoint:
    period: Period
    received: int  # newly received in the period
    resolved: int
    resolved_on_time: int  # early + on time
    received_online: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None

    @property
    def online_rate(self) -> float | None:
        return self.received_online / self.received if self.received else None


def monthly_trend(
    end_period: str | Period,
    cutoff: str = "calendar",
    months: int = 12,
    *,
    field_code: str | None = None,
) -> list[TrendPoint]:
    """Received / resolved / on-time rate for the ``months`` periods ending with ``end_period``."""
    last = as_period(end_period, cutoff)
    if not 1 <= months <= 120:
        raise ValidationError({"months": _("The trend covers 1 to 120 months")})
    with snapshot():
        return _trend(last, months, field_code)


def _trend(last: Period, months: int, field_code: str | None) -> list[TrendPoint]:
    periods = [last.shifted(i - months + 1) for i in range(months)]
    edges = [to_db(p.start) for p in periods] + [to_db(last.end)]
    field_id = _field_id(field_code)
    d = Dossier

    def bucket(column: ColumnBase) -> Case:
        return Case(None, [(column < edge, i) for i, edge in enumerate(edges[1:-1])], months - 1)

    def part(column: ColumnBase, *values: Node) -> ModelSelect[Dossier]:
        query = d.select(bucket(column).alias("k"), *values).where((column >= edges[0]) & (column < edges[-1]))
        if field_id is None:  # no join: the received_at part then reads its index only
            return query
        return query.join(Procedure, on=(d.procedure == Procedure.id)).where(Procedure.field == field_id)

    received = part(d.received_at, SQL("1").alias("received"), SQL("0").alias("resolved"),
                    SQL("0").alias("on_time"), Case(None, [(d.channel == Channel.ONLINE, 1)], 0).alias("online"))
    # early + on time = not late = resolved by the due moment (dossiers.resolution_outcome)
    resolved = part(d.resolved_at, SQL("0"), SQL("1"), Case(None, [(d.resolved_at <= d.due_at, 1)], 0), SQL("0"))
    sql, params = (received + resolved).sql()  # UNION ALL, grouped once by month
    db = database_proxy.obj
    cursor = db.execute_sql(
        f"SELECT u.k, SUM(u.received), SUM(u.resolved), SUM(u.on_time), SUM(u.online) FROM ({sql}) AS u "
        "GROUP BY u.k", params)
    found = {int(k): (int(a or 0), int(r or 0), int(o or 0), int(n or 0)) for k, a, r, o, n in cursor.fetchall()}
    return [TrendPoint(p, *found.get(i, (0, 0, 0, 0))) for i, p in enumerate(periods)]


# -- detail rows --------------------------------------------------------------------------------
class DetailRow(NamedTuple):
    """A dossier the table counts, with the column it is counted in (moments aware UTC)."""

    code: str
    field_name: str
    procedure_name: str
    applicant_name: str
    phone: str
    channel: str
    reception_point: str | None
    received_at: datetime
    due_at: datetime
    appointment_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    status: str
    handler: str | None
    carried_over: bool
    outcome: Outcome


def _detail_query(b: _Bounds, field_id: int | None) -> ModelSelect[Dossier]:
    d = Dossier
    handler = Staff.alias("handler")
    point = ReceptionPoint.alias("point")
    query = (d.select(d.code, Field.name, Procedure.name, d.applicant_name, d.phone, d.channel, point.name,
                      d.received_at, d.due_at, d.appointment_at, d.resolved_at, d.returned_at, d.closed_at,
                      d.status, handler.full_name)
             .join(Procedure, on=(d.procedure == Procedure.id))
             .join(Field, on=(Procedure.field == Field.id))
             .switch(d).join(point, JOIN.LEFT_OUTER, on=(d.reception_point == point.id))
             .switch(d).join(handler, JOIN.LEFT_OUTER, on=(d.handler == handler.id))
             .where(_in_period_condition(b))
             .order_by(Field.sort_order, Field.name, Field.id, d.received_at, d.id))  # in the table's order
    return query.where(Procedure.field == field_id) if field_id is not None else query


def detail_rows(stats: Statistics, chunk: int = CHUNK, *, by: Actor) -> Generator[list[DetailRow]]:
    """Every dossier counted in ``stats``, in the table's order, in lists of up to ``chunk`` rows.

    Call inside the ``snapshot()`` that computed ``stats`` so the rows are exactly the ones it
    counts. The rows carry applicants' names and phones: ``by`` must be a leader or admin. Closing
    the iterator early (a cancelled export) closes the database cursor.
    """
    require(by, Role.LEADER)
    b = _bounds(stats.period, stats.as_of)
    return _detail_chunks(b, _field_id(stats.field_code), stats.period.end, stats.as_of, chunk)


def _detail_chunks(b: _Bounds, field_id: int | None, end: datetime, as_of: datetime,
                   chunk: int) -> Generator[list[DetailRow]]:
    start = b.start.replace(tzinfo=UTC)
    with closing(_stream(_detail_query(b, field_id), chunk)) as chunks:
        for rows in chunks:
            out = []
            for (code, field_name, procedure, applicant, phone, channel, point, received, due, appointment,
                 resolved, returned, closed, status, handler) in rows:
                received, due, resolved = _moment(received), _moment(due), _utc(resolved)  # the first two NOT NULL
                outcome = classify(status, due, resolved, _utc(closed), as_of, end=end)
                out.append(DetailRow(code, field_name, procedure, applicant, phone, channel, point, received, due,
                                     _utc(appointment), resolved, _utc(returned), status, handler,
                                     received < start, outcome))
            yield out


def _stream(query: BaseQuery, chunk: int) -> Generator[list[tuple[Any, ...]]]:
    """Rows in chunks without loading them all: SQLite steps its cursor, PostgreSQL a DECLAREd cursor."""
    db = database_proxy.obj
    sql, params = query.sql()
    if not is_postgres(db):
        cursor = db.execute_sql(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield rows
        return
    cursor = db.cursor()
    cursor.execute(f"DECLARE desk_report_rows NO SCROLL CURSOR FOR {sql}", params)
    try:
        while True:
            cursor.execute(f"FETCH FORWARD {int(chunk)} FROM desk_report_rows")
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
    finally:
        with suppress(Exception):
            cursor.execute("CLOSE desk_report_rows")


def _utc(value: datetime | str | None) -> datetime | None:
    """A stored naive-UTC value (datetime, or text on SQLite) → aware UTC datetime."""
    return None if value is None else _moment(value)


def _moment(value: datetime | str) -> datetime:
    """``_utc`` of a NOT NULL column."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value + "+00:00")  # a seventh of the time of parse-then-replace


def explain_queries(period: str | Period, cutoff: str = "calendar", *, field_code: str | None = None,
                    clock: Clock | None = None) -> dict[str, tuple[str, list]]:
    """The SQL (and parameters) of the table's query and the detail query, for EXPLAIN in the benchmarks."""
    p = as_period(period, cutoff)
    b = _bounds(p, _as_of(p, clock))
    field_id = _field_id(field_code)
    return {"statistics": _statistics_query(b, field_id).sql(), "detail": _detail_query(b, field_id).sql()}
