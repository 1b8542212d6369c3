"""The statistics' grouped SQL counts what the one Python classification says, on both engines.

``dossiers.classify`` is the definition of early / on time / late / in time / overdue / refused /
withdrawn / stopped; ``statistics`` translates it into SUM(CASE …) terms with the office's date computed by
each engine. Hypothesis writes random dossiers — receipts around the period's edges, due dates,
resolutions around the due moment and the office's midnight, every status — into a real
database, and the table's counts must equal the Python count of the same dossiers; so must the
classification of the detail rows the workbook lists.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.models import Dossier, Office, Procedure
from desk.models.db import database_proxy
from desk.services.clock import LOCAL_TZ, OFFICE_UTC_OFFSET, FixedClock, fixed_utc_offset, local_date, to_db
from desk.services.dossiers import CLOSED_STATUSES, DONE_STATUSES, Outcome, Status, classify
from desk.services.periods import Period
from desk.services.statistics import COUNT_COLUMNS, OUTCOME_COLUMNS, compute_statistics, detail_rows, snapshot

SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
PERIODS = [Period.parse("2026-10"), Period.parse("2026-10", "15th"), Period.parse("2027-01")]


@dataclass(frozen=True)
class Case:
    field: int  # 0 or 1: the test catalog's two fields
    channel: str
    status: Status
    received: datetime  # aware, whole seconds
    due: datetime
    resolved: datetime | None
    closed: datetime | None


def _office_midnight_after(moment: datetime) -> datetime:
    return datetime.combine(local_date(moment), datetime.min.time(), LOCAL_TZ) + DAY


@st.composite
def cases(draw, period: Period) -> Case:
    edges = [period.start, period.end]
    received = draw(st.one_of(
        st.sampled_from([e + d for e in edges for d in (-SECOND, timedelta(0), SECOND)]),
        st.integers(-70 * 86400, 40 * 86400).map(lambda s: period.start + timedelta(seconds=s)),
    ))
    due = received + draw(st.one_of(st.sampled_from([timedelta(0), SECOND, DAY]),
                                    st.integers(0, 25 * 86400).map(lambda s: timedelta(seconds=s))))
    status = draw(st.sampled_from(sorted(Status)))
    resolved = closed = None
    if status in DONE_STATUSES | CLOSED_STATUSES:
        midnight = _office_midnight_after(due)  # the due day's end, office time
        near = [due - SECOND, due, due + SECOND, midnight - DAY - SECOND, midnight - DAY, midnight,
                period.start - SECOND, period.start, period.end - SECOND, period.end]
        moment = draw(st.one_of(st.sampled_from(near),
                                st.integers(-20 * 86400, 40 * 86400).map(lambda s: due + timedelta(seconds=s))))
        moment = max(moment, received)  # the lifecycle never finishes a dossier before its receipt
        if status in DONE_STATUSES:
            resolved = moment
        else:
            closed = moment
    return Case(draw(st.integers(0, 1)), draw(st.sampled_from(["direct", "online", "postal"])), status,
                received, due, resolved, closed)


@st.composite
def months(draw):
    period = draw(st.sampled_from(PERIODS))
    span = int((period.end - period.start).total_seconds())
    now = period.start + timedelta(seconds=draw(st.one_of(  # a running period, its very end, or later
        st.integers(0, span), st.just(span), st.integers(span, span + 40 * 86400))))
    return period, now, draw(st.lists(cases(period), max_size=40))


def python_counts(period: Period, now: datetime, dossiers: list[Case]) -> dict[int, Counter]:
    """The table by the definition: who is in the period, carried or new, and classify()."""
    as_of = min(period.end, now)
    counts: dict[int, Counter] = {0: Counter(), 1: Counter()}
    for d in dossiers:
        finished = d.resolved if d.resolved is not None else d.closed
        if not (d.received < period.end and (finished is None or finished >= period.start)):
            continue
        row = counts[d.field]
        if d.received < period.start:
            row["carried_over"] += 1
        else:
            row["new_online" if d.channel == "online" else "new_direct"] += 1
        row[OUTCOME_COLUMNS[classify(d.status, d.due, d.resolved, d.closed, as_of, end=period.end)]] += 1
    return counts


class _Rollback(Exception):
    """Leaves the database as it was: dossiers are never deleted, even by a test."""


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(month=months())
def test_sql_counts_equal_the_python_classification(any_office, admin, month):
    period, now, dossiers = month
    office = Office.get()
    procedures = [Procedure.get(Procedure.code == "T-TTHN"), Procedure.get(Procedure.code == "T-HD")]
    rows = [{
        "code": f"P-{i}", "office": office.id, "procedure": procedures[d.field].id, "applicant_name": "Lê Thị Hạnh",
        "applicant_name_folded": "le thi hanh", "channel": d.channel, "received_at": to_db(d.received),
        "due_at": to_db(d.due), "appointment_at": to_db(d.due), "status": str(d.status),
        "resolved_at": to_db(d.resolved), "returned_at": to_db(d.resolved) if d.status == Status.RETURNED else None,
        "closed_at": to_db(d.closed), "updated_at": to_db(d.received),
    } for i, d in enumerate(dossiers)]
    expected = python_counts(period, now, dossiers)
    try:
        with database_proxy.obj.atomic():
            if rows:
                Dossier.insert_many(rows).execute()
            with snapshot():
                stats = compute_statistics(period, clock=FixedClock(now))
                listed = Counter(OUTCOME_COLUMNS[r.outcome] for chunk in detail_rows(stats, 7, by=admin)
                                 for r in chunk)
            raise _Rollback
    except _Rollback:
        pass
    assert stats.as_of == min(period.end, now)
    for index, row in enumerate(stats.rows):
        assert {c: getattr(row, c) for c in COUNT_COLUMNS} == {c: expected[index][c] for c in COUNT_COLUMNS}, \
            (period, now, index)
        assert row.balanced
    assert listed == Counter({c: n for c in COUNT_COLUMNS[3:] if (n := getattr(stats.total, c))})
    stopped = sum(1 for d in dossiers if d.status == Status.STOPPED and d.closed is not None
                  and period.start <= d.closed < period.end and d.received < period.end)
    assert stats.total.stopped == stopped  # its own column, never folded into refused/withdrawn


def test_stopped_is_a_column_of_its_own() -> None:
    assert OUTCOME_COLUMNS[Outcome.STOPPED] == "stopped" != OUTCOME_COLUMNS[Outcome.WITHDRAWN]
    assert Status.STOPPED in CLOSED_STATUSES and "stopped" in COUNT_COLUMNS


def test_the_office_offset_is_the_zone_s_and_a_zone_with_daylight_saving_has_none():
    assert timedelta(hours=7) == OFFICE_UTC_OFFSET
    for moment in (datetime(1990, 1, 1), datetime(2026, 7, 1, 23, 59), datetime(2099, 12, 31)):
        assert LOCAL_TZ.utcoffset(moment) == OFFICE_UTC_OFFSET
    with pytest.raises(AssertionError):
        fixed_utc_offset(ZoneInfo("Europe/Berlin"))
    assert fixed_utc_offset(ZoneInfo("Asia/Bangkok")) == timedelta(hours=7)


def test_classify_judges_dates_in_office_time_whatever_zone_it_is_given():
    """00:00:01 on the due day, office time, is still the eve in UTC: on time, not early."""
    due = datetime(2026, 10, 8, 17, 0, tzinfo=LOCAL_TZ)
    eve = datetime(2026, 10, 7, 23, 30, tzinfo=LOCAL_TZ)
    day = datetime(2026, 10, 8, 0, 0, 1, tzinfo=LOCAL_TZ)
    for zone in (LOCAL_TZ, UTC):
        assert classify("resolved", due.astimezone(zone), eve.astimezone(zone), None, due) == Outcome.EARLY
        assert classify("resolved", due.astimezone(zone), day.astimezone(zone), None, due) == Outcome.ON_TIME
