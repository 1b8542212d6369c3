"""The waiting room's service (D50) on both engines: numbers per office per day, calls by counter and
group, call again, skip, the link to a dossier, the figures, and the schema step that adds the tables."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from peewee import DatabaseError

from desk.errors import NotFound, PermissionDenied, ValidationError
from desk.models import QueueSequence, QueueTicket
from desk.models import db as dbmod
from desk.services import queue
from desk.services.accounts import SYSTEM, create_staff, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kinds import TicketState
from tests.conftest import as_schema_version, make_office


def _at(hour: int, minute: int = 0, day: int = 23) -> FixedClock:
    return FixedClock(datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ))


@pytest.fixture
def clerk(any_office):
    return create_staff("quay1", "Nguyễn Thị Quầy", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)


def test_numbers_run_per_day_and_calls_take_the_oldest(clerk):
    clock = _at(8)
    taken = [queue.take("HT", clock=clock), queue.take("CT", clock=clock), queue.take("HT", clock=clock)]
    assert [t.number for t in taken] == [1, 2, 3]
    assert [t.waiting_before for t in taken] == [0, 0, 1]  # before the third: the first HT ticket
    assert taken[0].label == "001" and taken[0].group_name == "Hộ tịch" and taken[0].state == TicketState.WAITING
    assert queue.call_next(1, actor=clerk, clock=_at(8, 10)).number == 1
    second = queue.call_next(2, actor=clerk, clock=_at(8, 11))
    assert (second.number, second.counter, second.state) == (2, 2, TicketState.CALLED)
    assert queue.take("HT", clock=clock).number == 4
    state = queue.status(clock=clock)
    assert [(t.counter, t.number) for t in state.serving] == [(1, 1), (2, 2)]
    assert [t.number for t in state.recent] == [2, 1] and state.last_number == 4
    assert {g.code: n for g, n in state.waiting} == {"HT": 2, "CT": 0}
    assert queue.call_next(1, actor=clerk, clock=_at(8, 20)).number == 3  # ticket 1 is done now
    assert QueueTicket.get(QueueTicket.number == 1).state == TicketState.DONE
    tomorrow = _at(8, day=24)
    assert queue.take("CT", clock=tomorrow).number == 1  # a new day, a new count
    assert QueueTicket.get(QueueTicket.number == 4, QueueTicket.day == date(2026, 11, 23)).state == TicketState.LEFT
    assert [t.number for t in queue.status(clock=tomorrow).serving] == []


def test_a_counter_calls_only_its_groups_and_a_prefix_shows(clerk):
    leader = create_staff("lanh_dao", "Trần Lãnh Đạo", "leader", "mật-khẩu-đủ-dài", by=SYSTEM)
    queue.save_group("HT", "Hộ tịch", fields=["HT"], prefix="HT", by=leader)
    queue.save_group("CT", "Chứng thực", fields=["CT"], prefix="CT", sort_order=2, by=leader)
    assert [g.code for g in queue.list_groups()] == ["HT", "CT"]
    queue.set_counter(3, ["CT"], by=leader)
    clock = _at(9)
    queue.take("HT", clock=clock)
    ct = queue.take("ct", clock=clock)
    assert ct.label == "CT-002"
    assert queue.call_next(3, actor=clerk, clock=clock).label == "CT-002"
    assert queue.call_next(3, actor=clerk, clock=clock) is None  # no CT waits; CT-002 is finished anyway
    assert QueueTicket.get(QueueTicket.number == 2).state == TicketState.DONE
    assert queue.call_next(1, actor=clerk, clock=clock).label == "HT-001"  # counter 1 serves every group
    with pytest.raises(ValidationError, match="HT, CT"):
        queue.take("DD", clock=clock)
    with pytest.raises(ValidationError):
        queue.set_counter(0, [], by=leader)
    with pytest.raises(PermissionDenied):
        queue.set_counter(2, ["HT"], by=clerk)


def test_call_again_and_skip(clerk):
    clock = _at(10)
    with pytest.raises(NotFound):
        queue.recall(1, actor=clerk, clock=clock)
    queue.take("HT", clock=clock)
    queue.call_next(1, actor=clerk, clock=clock)
    again = queue.recall(1, actor=clerk, clock=_at(10, 2))
    assert again.calls == 2 and again.last_called_at == _at(10, 2).now() and again.called_at == clock.now()
    skipped = queue.skip(1, actor=clerk, clock=_at(10, 3))
    assert skipped.state == TicketState.SKIPPED
    assert queue.current_ticket(1, clock=clock) is None
    before = list(QueueTicket.select().tuples())
    with pytest.raises(NotFound):
        queue.skip(1, actor=clerk, clock=clock)
    assert list(QueueTicket.select().tuples()) == before
    with pytest.raises(PermissionDenied):
        queue.call_next(1, actor=None, clock=clock)  # type: ignore[arg-type]


def test_the_intake_links_the_ticket_and_the_figures_follow(clerk):
    day = _at(8)
    for _ in range(10):
        queue.take("HT", clock=day)
    queue.take("CT", clock=day)
    leader = create_staff("lanh_dao", "Trần Lãnh Đạo", "leader", "mật-khẩu-đủ-dài", by=SYSTEM)
    queue.set_counter(1, ["HT"], by=leader)
    # ticket n is called at 8:(2n), its intake opens a minute later, and the next call (8:(2n+2)) ends it
    for n in range(1, 11):
        ticket = queue.call_next(1, actor=clerk, clock=_at(8, 2 * n))
        assert ticket is not None and ticket.number == n
        assert queue.start_service(ticket.id, actor=clerk, clock=_at(8, 2 * n + 1)).state == TicketState.SERVING
    assert queue.call_next(1, actor=clerk, clock=_at(8, 31)) is None  # ticket 10 served from 8:21 to 8:31
    code = register(IntakeRequest("T-KS", Applicant(name="Lê Văn Số")), actor=clerk, clock=_at(9)).code
    queue.take("HT", clock=_at(9))
    linked = queue.link_to_dossier(queue.call_next(1, actor=clerk, clock=_at(9, 5)).id, code, actor=clerk,
                                   clock=_at(9, 6))
    assert linked.dossier_code == code and linked.state == TicketState.SERVING
    with pytest.raises(ValidationError):
        queue.link_to_dossier(QueueTicket.get(QueueTicket.number == 1).id, code, actor=clerk, clock=_at(9, 7))
    figures = {(f.group, f.day): f for f in queue.queue_figures(date(2026, 11, 23), date(2026, 11, 23),
                                                                 clock=_at(8, day=24))}
    ht = figures[("HT", date(2026, 11, 23))]
    # waits: ticket n waited 2n minutes (n = 1..10) and the 12th 5 minutes
    assert ht.tickets == 11 and ht.waits and sorted(ht.waits) == sorted([2.0 * n for n in range(1, 11)] + [5.0])
    assert ht.wait_p90 == 18.0 and ht.wait_average == pytest.approx((110 + 5) / 11)
    ct = figures[("CT", date(2026, 11, 23))]
    assert (ct.tickets, ct.left, ct.unserved, ct.wait_average) == (1, 1, 1, None)
    # service: tickets 1..9 from start (2n+1) to the next call (2n+2): 1 minute; ticket 10 ran 10 minutes
    assert ht.services.count(1.0) == 9 and 10.0 in ht.services and len(ht.services) == 10
    assert ht.service_p90 == 1.0 and ht.service_average == pytest.approx(1.9)  # nearest rank: the 9th of 10
    assert ht.served == 11 and ht.unserved == 0


def test_numbers_never_go_back(any_office):
    queue.take("HT", clock=_at(8))
    db = dbmod.database_proxy.obj
    with pytest.raises(DatabaseError, match="only go up"), db.atomic():
        QueueSequence.update(last_value=0).execute()
    with pytest.raises(DatabaseError, match="never deleted"), db.atomic():
        QueueSequence.delete().execute()
    assert queue.take("HT", clock=_at(9)).number == 2


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_version_before_gets_the_queue_tables(engine, request):
    url = request.getfixturevalue("sqlite_url" if engine == "sqlite" else "pg_url")
    db = dbmod.connect(url)
    make_office()
    as_schema_version(db, dbmod.QUEUE_SCHEMA_VERSION - 1)
    db.close()
    if engine == "sqlite":
        assert dbmod.inspect_sqlite_file(url.split(":///", 1)[1]) == "ours"
    db = dbmod.connect(url, allow_new=False)
    try:
        assert dbmod.schema_version(db) == dbmod.QUEUE_SCHEMA_VERSION
        assert queue.take("HT", clock=_at(8)).number == 1
        assert get_actor("admin")
    finally:
        db.close()


def _call_many(url: str, counter: int, start, results) -> None:
    """One desk's process: call the next ticket to its counter ten times, as fast as it can."""
    dbmod.connect(url, allow_new=False)
    clerk = get_actor("quay1")
    start.wait(timeout=120)
    numbers = []
    for _ in range(10):
        ticket = queue.call_next(counter, actor=clerk)
        numbers.append(ticket.number if ticket else None)
    dbmod.close()
    results.put(numbers)


def test_four_desks_calling_at_once_never_share_a_ticket(any_url, clerk):
    import multiprocessing

    for _ in range(40):
        queue.take("HT")
    dbmod.close()
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(4), spawn.Queue()
    desks = [spawn.Process(target=_call_many, args=(any_url, counter, start, results)) for counter in range(1, 5)]
    for desk in desks:
        desk.start()
    called = [results.get(timeout=300) for _ in desks]
    for desk in desks:
        desk.join(timeout=60)
        assert desk.exitcode == 0
    numbers = sorted(n for batch in called for n in batch)
    assert numbers == list(range(1, 41))  # every ticket called exactly once, none skipped over
    assert all(batch == sorted(batch) for batch in called)  # each desk got older tickets first
    dbmod.connect(any_url, allow_new=False)
    assert QueueTicket.select().where(QueueTicket.state == TicketState.CALLED).count() == 4  # one per counter


def test_the_kiosk_writes_the_queue_and_nothing_else(clerk):
    """take() needs no account: what it may change is the ticket table and its day counter, no other row."""
    from desk.models.entities import ALL_MODELS

    def snapshot() -> dict[str, list]:
        return {m._meta.table_name: sorted(m.select().tuples(), key=repr) for m in ALL_MODELS}

    before = snapshot()
    queue.take("HT", clock=_at(8))
    after = snapshot()
    changed = {table for table in before if before[table] != after[table]}
    assert changed == {"queue_ticket", "queue_sequence"}


def test_the_ticket_kiosk_writes_tickets_and_nothing_else(any_office):
    """The kiosk's connection is read-only (as the pickup kiosk's); take_ticket lifts it for the one ticket."""
    from peewee import DatabaseError

    from desk.models import Dossier
    from desk.services.accounts import get_actor
    from desk.services.intake import Applicant, IntakeRequest, register
    from desk.services.kiosk import _set_read_only, enforce_read_only, take_ticket

    code = register(IntakeRequest("T-KS", Applicant(name="Trần Thị Mai")), actor=get_actor("admin")).code
    db = dbmod.database_proxy.obj
    enforce_read_only()
    try:
        with pytest.raises(DatabaseError):
            queue.take("HT")  # not lifted: refused like any write
        assert [take_ticket("HT").number, take_ticket("CT").number] == [1, 2]
        with pytest.raises(DatabaseError), db.atomic():  # read-only again right after
            Dossier.update(applicant_name="Sửa").where(Dossier.code == code).execute()
    finally:
        _set_read_only(db, False)
    assert Dossier.get(Dossier.code == code).applicant_name == "Trần Thị Mai"
    assert queue.take("HT").number == 3
