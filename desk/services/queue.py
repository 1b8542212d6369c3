"""The waiting room (D50): numbered tickets, counters that call them, and the waiting-time figures.

A citizen takes a ticket at the kiosk (``take``: no staff account, it writes only the queue); a clerk
calls the next one to a counter (``call_next``), calls it again (``recall``) or passes over someone not
present (``skip``); starting an intake from the called ticket links the two (``link_to_dossier``).
Numbers run per office per local day, gap-free and unique across every desk and kiosk: they come from
the same day-counter rule as the dossier codes (sequences.py). Ticket groups are configurable; with
none configured each catalog field is a group of its own. Every change is one write transaction and,
on PostgreSQL, a NOTIFY on the office's queue channel, so the calling display hears of it at once.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from peewee import fn

from desk.errors import NotFound, ValidationError
from desk.i18n import _
from desk.models import Dossier, Field, QueueCounter, QueueGroup, QueueSequence, QueueTicket
from desk.models.db import database_proxy, is_postgres, run_write
from desk.models.rows import tuples
from desk.services.accounts import Actor, acting_staff, require
from desk.services.clock import Clock, from_db, local_date, to_db
from desk.services.kinds import Role, TicketState
from desk.services.office import current_office
from desk.services.sequences import next_value
from desk.text import clean

log = logging.getLogger(__name__)

RECENT_CALLS = 5  # how many of the last calls the display and `queue status` show
MAX_COUNTER = 99
_AT_COUNTER = (TicketState.CALLED, TicketState.SERVING)


# -- values -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TicketGroup:
    """A button of the ticket kiosk: a name, a ticket prefix and the catalog fields it covers."""

    code: str
    name: str
    prefix: str = ""
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ticket:
    """A ticket as the kiosk, the desks and the display show it (no personal data: a number)."""

    id: int
    day: date
    number: int
    label: str
    group: str
    group_name: str
    state: TicketState
    taken_at: datetime
    called_at: datetime | None = None
    last_called_at: datetime | None = None
    calls: int = 0
    counter: int | None = None
    dossier_code: str | None = None
    waiting_before: int = 0

    def to_json(self) -> dict:
        """What the command line prints."""
        return {"number": self.number, "label": self.label, "field": self.group, "field_name": self.group_name,
                "state": str(self.state), "day": self.day.isoformat(), "taken_at": self.taken_at.isoformat(),
                "called_at": self.called_at.isoformat() if self.called_at else None, "calls": self.calls,
                "counter": self.counter, "dossier": self.dossier_code, "waiting_before": self.waiting_before}


@dataclass(frozen=True)
class QueueStatus:
    """The waiting room now: how many wait per group, who is at each counter, the last calls."""

    day: date
    waiting: list[tuple[TicketGroup, int]]
    serving: list[Ticket]  # one per counter with a called or serving ticket, by counter
    recent: list[Ticket]  # the last calls, newest first (a call again counts as a call)
    last_number: int  # the day's last ticket number handed out (0: none yet)

    def to_json(self) -> dict:
        return {"day": self.day.isoformat(), "last_number": self.last_number,
                "waiting": [{"field": g.code, "field_name": g.name, "waiting": n} for g, n in self.waiting],
                "serving": [t.to_json() for t in self.serving], "recent": [t.to_json() for t in self.recent]}


def ticket_label(prefix: str, number: int) -> str:
    """"HT-012" with a prefix, "012" without: three digits at least, as ticket systems print them."""
    return f"{prefix}-{number:03d}" if prefix else f"{number:03d}"


def announcement(ticket: Ticket) -> str:
    """What the calling display says aloud, in Vietnamese whatever the screens' language."""
    return f"Mời số {ticket.number} đến quầy số {ticket.counter}"


# -- groups and counters ----------------------------------------------------------------------
def list_groups() -> list[TicketGroup]:
    """The kiosk's buttons in order: the configured groups, or one per catalog field when none is."""
    rows = list(QueueGroup.select().where(QueueGroup.active).order_by(QueueGroup.sort_order, QueueGroup.code))
    if rows:
        return [TicketGroup(r.code, r.name, r.prefix, tuple(json.loads(r.fields or "[]"))) for r in rows]
    return [TicketGroup(f.code, f.name, "", (f.code,)) for f in Field.select().order_by(Field.sort_order, Field.code)]


def _group(code: str) -> TicketGroup:
    wanted = clean(code or "").strip().upper()
    for group in list_groups():
        if group.code.upper() == wanted:
            return group
    names = ", ".join(g.code for g in list_groups()) or "-"
    raise ValidationError({"field": _("Unknown field or ticket group: {code} (choose from {names})").format(
        code=str(code)[:40], names=names)})


def save_group(code: str, name: str, *, fields: Iterable[str], prefix: str = "", sort_order: int = 0,
               active: bool = True, by: Actor) -> TicketGroup:
    """Add or change a kiosk button (leaders): the first configured group replaces the default per-field ones."""
    require(by, Role.LEADER)
    code, name, prefix = clean(code or "").strip().upper(), clean(name or "").strip(), clean(prefix or "").strip()
    known = {f.code for f in Field.select(Field.code)}
    chosen = [clean(f).strip().upper() for f in fields if clean(f).strip()]
    problems = {}
    if not code or len(code) > 32:
        problems["code"] = _("A ticket group needs a code of at most 32 characters")
    if not name or len(name) > 200:
        problems["name"] = _("A ticket group needs a name of at most 200 characters")
    if len(prefix) > 8 or not all(c.isalnum() for c in prefix):
        problems["prefix"] = _("A ticket prefix has at most 8 letters or digits")
    if not chosen or set(chosen) - known:
        problems["fields"] = _("A ticket group covers one or more fields of the catalog: {codes}").format(
            codes=", ".join(sorted(known)) or "-")
    if problems:
        raise ValidationError(problems)

    def work() -> None:
        values = {"name": name, "prefix": prefix, "fields": json.dumps(chosen), "sort_order": sort_order,
                  "active": active}
        if not QueueGroup.update(**values).where(QueueGroup.code == code).execute():
            QueueGroup.create(code=code, **values)

    run_write(work)
    return TicketGroup(code, name, prefix, tuple(chosen))


def _check_counter(counter: int) -> int:
    if isinstance(counter, bool) or not isinstance(counter, int) or not 1 <= counter <= MAX_COUNTER:
        raise ValidationError({"counter": _("A counter number is a whole number from 1 to {most}").format(
            most=MAX_COUNTER)})
    return counter


def set_counter(counter: int, groups: Iterable[str], *, by: Actor) -> tuple[str, ...]:
    """Say which ticket groups counter ``counter`` calls (leaders); no group: it calls every group."""
    require(by, Role.LEADER)
    counter = _check_counter(counter)
    chosen = tuple(_group(code).code for code in groups)
    office = current_office()

    def work() -> None:
        text = json.dumps(list(chosen))
        if not (QueueCounter.update(groups=text)
                .where(QueueCounter.office == office.id, QueueCounter.number == counter).execute()):
            QueueCounter.create(office=office.id, number=counter, groups=text)

    run_write(work)
    return chosen


def counter_groups(counter: int) -> tuple[str, ...]:
    """The ticket groups counter ``counter`` calls; () means every group."""
    row = QueueCounter.get_or_none(QueueCounter.office == current_office().id, QueueCounter.number == counter)
    return tuple(json.loads(row.groups or "[]")) if row else ()


# -- tickets ----------------------------------------------------------------------------------
def _to_ticket(row: QueueTicket, waiting_before: int = 0) -> Ticket:
    code = Dossier.select(Dossier.code).where(Dossier.id == row.dossier_id).scalar() if row.dossier_id else None
    return Ticket(row.id, row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day)), row.number,
                  ticket_label(row.prefix, row.number), row.group, row.group_name, TicketState(row.state),
                  from_db(row.taken_at), from_db(row.called_at), from_db(row.last_called_at), row.calls,
                  row.counter, code, waiting_before)


def _waiting_before(row: QueueTicket) -> int:
    return (QueueTicket.select().where(QueueTicket.office == row.office_id, QueueTicket.day == row.day,
                                       QueueTicket.group == row.group, QueueTicket.state == TicketState.WAITING,
                                       QueueTicket.number < row.number).count())


def queue_channel() -> str:
    """The PostgreSQL NOTIFY channel of this office's queue (one per schema, like the office)."""
    schema = getattr(database_proxy.obj, "desk_schema", "") or "public"
    return f"desk_queue_{schema}"


def _notify(what: str) -> None:
    """Inside the write: on PostgreSQL the display's LISTEN hears it at commit (and never for a rollback)."""
    if is_postgres():
        database_proxy.obj.execute_sql("SELECT pg_notify(%s, %s)", (queue_channel(), what))


def hears_changes() -> bool:
    """Whether a display can be told of changes at once (PostgreSQL's NOTIFY); SQLite's displays poll."""
    return is_postgres()


def listen_for_changes(on_change: Callable[[], None], stop: threading.Event, *, wait_s: float = 0.5) -> None:
    """PostgreSQL: until ``stop`` is set, call ``on_change`` (on this thread) for every queue change any desk
    or kiosk commits, within ``wait_s``. Runs on a thread of the caller's own (the calling display's), on a
    connection of its own that only listens; a lost connection is opened again after a pause."""
    import select

    import psycopg2

    db = database_proxy.obj
    if not is_postgres(db):
        raise ValueError("LISTEN/NOTIFY is PostgreSQL's; a SQLite display polls")
    channel = queue_channel()
    while not stop.is_set():
        try:
            conn = psycopg2.connect(dbname=db.database, **db.connect_params)
        except psycopg2.Error:
            log.warning("the queue listener cannot connect; retrying", exc_info=True)
            stop.wait(2)
            continue
        try:
            conn.set_session(autocommit=True)
            with conn.cursor() as cursor:
                cursor.execute(f'LISTEN "{channel}"')
            on_change()  # whatever happened while it was not listening
            while not stop.is_set():
                if select.select([conn], [], [], wait_s)[0]:
                    conn.poll()
                    if conn.notifies:
                        conn.notifies.clear()
                        on_change()
        except (psycopg2.Error, OSError):
            log.warning("the queue listener lost its connection; reconnecting", exc_info=True)
            stop.wait(1)
        finally:
            conn.close()


def _close_past_days(office_id: int, today: date) -> None:
    """Tickets of earlier days: those still waiting left unserved; those at a counter were served (the day's
    last ones, never followed by a next call: their service time stays unknown)."""
    earlier = (QueueTicket.office == office_id) & (QueueTicket.day < today)
    QueueTicket.update(state=TicketState.LEFT).where(earlier, QueueTicket.state == TicketState.WAITING).execute()
    QueueTicket.update(state=TicketState.DONE).where(earlier, QueueTicket.state.in_(_AT_COUNTER)).execute()


def take(group: str, *, clock: Clock | None = None) -> Ticket:
    """A new ticket of ``group`` (a ticket group's or field's code) with the day's next number.

    The ticket kiosk calls it without a staff account: it writes the queue tables and nothing else.
    """
    chosen = _group(group)
    office = current_office()
    now = (clock or Clock()).now()
    today = local_date(now)

    def work() -> int:
        _close_past_days(office.id, today)
        number = next_value(QueueSequence, office.id, today)
        row = QueueTicket.create(office=office.id, day=today, number=number, group=chosen.code,
                                 group_name=chosen.name, prefix=chosen.prefix, state=TicketState.WAITING,
                                 taken_at=to_db(now))
        _notify("take")
        return row.id

    row = QueueTicket.get_by_id(run_write(work))
    return _to_ticket(row, _waiting_before(row))


def _at_counter(office_id: int, counter: int, today: date) -> QueueTicket | None:
    return (QueueTicket.select().where(QueueTicket.office == office_id, QueueTicket.day == today,
                                       QueueTicket.counter == counter, QueueTicket.state.in_(_AT_COUNTER))
            .order_by(QueueTicket.last_called_at.desc(), QueueTicket.id.desc()).first())


def current_ticket(counter: int, *, clock: Clock | None = None) -> Ticket | None:
    """The ticket called to counter ``counter`` today and not finished, if any."""
    today = (clock or Clock()).today()
    row = _at_counter(current_office().id, _check_counter(counter), today)
    return _to_ticket(row) if row else None


def call_next(counter: int, *, actor: Actor, clock: Clock | None = None) -> Ticket | None:
    """Finish the counter's current ticket and call the oldest waiting one of the groups it serves.

    None when nobody of those groups waits (the current ticket is finished all the same). Two desks
    calling at once never get the same ticket: the state changes only from "waiting", checked in the
    same statement.
    """
    staff = acting_staff(actor, Role.CLERK)
    counter = _check_counter(counter)
    office = current_office()
    now = (clock or Clock()).now()
    today = local_date(now)
    groups = counter_groups(counter)

    def work() -> int | None:
        _close_past_days(office.id, today)
        _finish(office.id, counter, today, now)
        while True:
            query = QueueTicket.select(QueueTicket.id).where(
                QueueTicket.office == office.id, QueueTicket.day == today, QueueTicket.state == TicketState.WAITING)
            if groups:
                query = query.where(QueueTicket.group.in_(groups))
            found = query.order_by(QueueTicket.number).limit(1).scalar()
            if found is None:
                _notify("call")
                return None
            changed = (QueueTicket.update(state=TicketState.CALLED, called_at=to_db(now), last_called_at=to_db(now),
                                          calls=1, counter=counter, called_by=staff.id)
                       .where(QueueTicket.id == found, QueueTicket.state == TicketState.WAITING).execute())
            if changed:
                _notify("call")
                return int(found)

    found = run_write(work)
    return _to_ticket(QueueTicket.get_by_id(found)) if found is not None else None


def _finish(office_id: int, counter: int, today: date, now: datetime) -> None:
    row = _at_counter(office_id, counter, today)
    if row is not None:
        (QueueTicket.update(state=TicketState.DONE, done_at=to_db(now),
                            served_start=row.served_start or row.called_at)
         .where(QueueTicket.id == row.id).execute())


def _current_or_refuse(office_id: int, counter: int, today: date) -> QueueTicket:
    row = _at_counter(office_id, counter, today)
    if row is None:
        raise NotFound(_("Counter {counter} has no called ticket now; call the next one first.").format(
            counter=counter))
    return row


def recall(counter: int, *, actor: Actor, clock: Clock | None = None) -> Ticket:
    """Call the counter's current ticket once more (the display shows and says it again)."""
    acting_staff(actor, Role.CLERK)
    counter = _check_counter(counter)
    office = current_office()
    now = (clock or Clock()).now()

    def work() -> int:
        row = _current_or_refuse(office.id, counter, local_date(now))
        (QueueTicket.update(last_called_at=to_db(now), calls=QueueTicket.calls + 1)
         .where(QueueTicket.id == row.id).execute())
        _notify("recall")
        return row.id

    return _to_ticket(QueueTicket.get_by_id(run_write(work)))


def skip(counter: int, *, actor: Actor, clock: Clock | None = None) -> Ticket:
    """The called citizen is not present: the counter's current ticket becomes "skipped"."""
    acting_staff(actor, Role.CLERK)
    counter = _check_counter(counter)
    office = current_office()
    now = (clock or Clock()).now()

    def work() -> int:
        row = _current_or_refuse(office.id, counter, local_date(now))
        if row.state != TicketState.CALLED:
            raise ValidationError({"counter": _("Ticket {label} is already being served; it cannot be skipped.")
                                   .format(label=ticket_label(row.prefix, row.number))})
        QueueTicket.update(state=TicketState.SKIPPED, done_at=to_db(now)).where(QueueTicket.id == row.id).execute()
        _notify("skip")
        return row.id

    return _to_ticket(QueueTicket.get_by_id(run_write(work)))


def link_to_dossier(ticket_id: int, dossier_code: str, *, actor: Actor, clock: Clock | None = None) -> Ticket:
    """The intake started from this called ticket registered ``dossier_code``: link them; the service began
    when the intake did (if not recorded yet, now)."""
    acting_staff(actor, Role.CLERK)
    now = (clock or Clock()).now()

    def work() -> None:
        row = QueueTicket.get_or_none(QueueTicket.id == ticket_id)
        dossier = Dossier.get_or_none(Dossier.code == (dossier_code or "").strip())
        if row is None or dossier is None:
            raise NotFound(_("No such ticket or dossier to link."))
        if row.state not in _AT_COUNTER:
            raise ValidationError({"ticket": _("Ticket {label} is not at a counter; only a called ticket leads to an "
                                               "intake.").format(label=ticket_label(row.prefix, row.number))})
        (QueueTicket.update(dossier=dossier.id, state=TicketState.SERVING, served_start=row.served_start or to_db(now))
         .where(QueueTicket.id == row.id).execute())

    run_write(work)
    return _to_ticket(QueueTicket.get_by_id(ticket_id))


def start_service(ticket_id: int, *, actor: Actor, clock: Clock | None = None) -> Ticket:
    """The clerk began serving the called ticket (the intake form opened from it): the service time starts."""
    acting_staff(actor, Role.CLERK)
    now = (clock or Clock()).now()

    def work() -> None:
        row = QueueTicket.get_or_none(QueueTicket.id == ticket_id)
        if row is None or row.state not in _AT_COUNTER:
            raise NotFound(_("No called ticket {id} to serve.").format(id=ticket_id))
        (QueueTicket.update(state=TicketState.SERVING, served_start=row.served_start or to_db(now))
         .where(QueueTicket.id == row.id).execute())
        _notify("serve")

    run_write(work)
    return _to_ticket(QueueTicket.get_by_id(ticket_id))


def status(*, clock: Clock | None = None, recent: int = RECENT_CALLS) -> QueueStatus:
    """The waiting room today, for `queue status`, the desks and the calling display (one short read)."""
    office = current_office()
    today = (clock or Clock()).today()
    mine = (QueueTicket.office == office.id) & (QueueTicket.day == today)
    counts: dict[str, int] = dict(tuples(QueueTicket.select(QueueTicket.group, fn.COUNT(QueueTicket.id))
                         .where(mine, QueueTicket.state == TicketState.WAITING).group_by(QueueTicket.group)))
    groups = list_groups()
    known = {g.code for g in groups}
    waiting = [(g, int(counts.get(g.code, 0))) for g in groups]
    waiting += [(TicketGroup(code, code), int(n)) for code, n in counts.items() if code not in known]
    serving: dict[int, QueueTicket] = {}
    for row in (QueueTicket.select().where(mine, QueueTicket.state.in_(_AT_COUNTER))
                .order_by(QueueTicket.last_called_at)):
        serving[int(row.counter or 0)] = row  # the latest call of each counter
    calls = (QueueTicket.select().where(mine, QueueTicket.last_called_at.is_null(False))
             .order_by(QueueTicket.last_called_at.desc(), QueueTicket.id.desc()).limit(recent))
    last = QueueSequence.select(QueueSequence.last_value).where(
        QueueSequence.office == office.id, QueueSequence.day == today).scalar()
    return QueueStatus(today, waiting, [_to_ticket(serving[c]) for c in sorted(serving)],
                       [_to_ticket(r) for r in calls], int(last or 0))


# -- figures ----------------------------------------------------------------------------------
@dataclass
class QueueFigures:
    """Waiting and service times of one ticket group on one day (or, with ``day`` None, the whole period)."""

    group: str
    group_name: str
    day: date | None
    tickets: int = 0
    served: int = 0
    skipped: int = 0
    left: int = 0  # still waiting when the day ended
    waits: list[float] = field(default_factory=list, repr=False)  # minutes, taken → first call
    services: list[float] = field(default_factory=list, repr=False)  # minutes, service start → done

    @property
    def unserved(self) -> int:
        """Tickets that left without being served: skipped (not present) or still waiting at the day's end."""
        return self.skipped + self.left

    @property
    def wait_average(self) -> float | None:
        return sum(self.waits) / len(self.waits) if self.waits else None

    @property
    def wait_p90(self) -> float | None:
        return percentile(self.waits, 90)

    @property
    def service_average(self) -> float | None:
        return sum(self.services) / len(self.services) if self.services else None

    @property
    def service_p90(self) -> float | None:
        return percentile(self.services, 90)

    def to_json(self) -> dict:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 1)

        return {"field": self.group, "field_name": self.group_name, "day": self.day.isoformat() if self.day else None,
                "tickets": self.tickets, "served": self.served, "skipped": self.skipped, "left": self.left,
                "unserved": self.unserved, "wait_avg_min": r(self.wait_average), "wait_p90_min": r(self.wait_p90),
                "service_avg_min": r(self.service_average), "service_p90_min": r(self.service_p90)}


def percentile(values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile (the smallest value with ``pct`` % of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def queue_figures(date_from: date, date_to: date, *, clock: Clock | None = None,
                  per_day: bool = True) -> list[QueueFigures]:
    """Waiting and service times per ticket group (per day, or for the period), and the tickets that left
    unserved. A group is a field by default, so these rows sit beside the processing-time rows per field.
    Numbers only, no personal data. Today's open tickets are still waiting, not "left"."""
    office = current_office()
    today = (clock or Clock()).today()
    rows: dict[tuple[str, date | None], QueueFigures] = {}
    query = (QueueTicket.select(QueueTicket.group, QueueTicket.group_name, QueueTicket.day, QueueTicket.state,
                                QueueTicket.taken_at, QueueTicket.called_at, QueueTicket.served_start,
                                QueueTicket.done_at)
             .where(QueueTicket.office == office.id, QueueTicket.day.between(date_from, date_to))
             .order_by(QueueTicket.day, QueueTicket.group))
    for group, name, day, state, taken, called, started, done in tuples(query):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        key = (group, day if per_day else None)
        row = rows.setdefault(key, QueueFigures(group, name, key[1]))
        row.tickets += 1
        taken, called, started, done = from_db(taken), from_db(called), from_db(started), from_db(done)
        if called:
            row.waits.append((called - taken).total_seconds() / 60)
        if state == TicketState.SKIPPED:
            row.skipped += 1
        elif state == TicketState.LEFT or (state == TicketState.WAITING and day < today):
            row.left += 1
        elif state != TicketState.WAITING:  # done, or at a counter (today's, or an earlier day's not yet closed)
            row.served += 1
            if done and (started or called):
                row.services.append((done - (started or called)).total_seconds() / 60)
    order = {group.code: i for i, group in enumerate(list_groups())}  # the kiosk's order, as the fields' reports
    return sorted(rows.values(), key=lambda r: (r.day or date.min, order.get(r.group, len(order)), r.group))
