"""The dossier state machine, its audit trail and the early / on-time / late classification."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.errors import TransitionError, ValidationError
from desk.i18n import _
from desk.models import Dossier, DossierEvent
from desk.services import lifecycle
from desk.services.accounts import Actor, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import Outcome, Status, classify, get_dossier, history
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kinds import StopCase
from desk.services.lifecycle import ConcurrentChange, advance, apologize

CLOCK = FixedClock(datetime(2026, 12, 31, 16, 0, tzinfo=LOCAL_TZ))


def t(d, hh, mm=0):
    return datetime(2026, 11, d, hh, mm, tzinfo=LOCAL_TZ)


def _receive() -> str:
    info = register(IntakeRequest("T-TTHN", Applicant(name="Lê Thị Hoa"), received_at=t(23, 9)), clock=CLOCK,
                    actor=get_actor("admin"))
    return info.code  # due Fri 27/11 17:00


@pytest.fixture
def code(office) -> str:
    return _receive()


@pytest.fixture
def any_code(any_office: str) -> str:
    """The dossier of ``code``, on both engines."""
    return _receive()


def snapshot(code):
    row = Dossier.get(Dossier.code == code)
    return row.status, row.version, DossierEvent.select().count()


def test_full_path_with_audit(any_code: str, admin: Actor) -> None:
    code = any_code
    advance(code, "processing", at=t(23, 10), clock=CLOCK, actor=admin)
    advance(code, "needs_supplement", note="Thiếu bản sao CCCD", at=t(23, 11), clock=CLOCK, actor=admin)
    advance(code, "processing", at=t(25, 8), clock=CLOCK, actor=admin)
    info = advance(code, "resolved", at=t(26, 15), clock=CLOCK, actor=admin)
    assert info.resolved_at == t(26, 15)
    info = advance(code, "returned", returned_to="Lê Văn Nam", at=t(27, 9), clock=CLOCK, actor=admin)
    assert info.status == Status.RETURNED and info.returned_to == "Lê Văn Nam"
    steps = [(e.from_status, e.to_status) for e in history(code, actor=admin)]
    assert steps == [(None, "received"), ("received", "processing"), ("processing", "needs_supplement"),
                     ("needs_supplement", "processing"), ("processing", "resolved"), ("resolved", "returned")]
    assert info.outcome(CLOCK.now()) == Outcome.EARLY
    assert info.version == 6


@pytest.mark.parametrize(("steps", "target"), [
    ([], "resolved"),
    ([], "returned"),
    (["processing"], "returned"),
    (["processing", "resolved"], "refused"),
    (["processing", "resolved", "returned"], "processing"),
    (["withdrawn"], "processing"),
])
def test_disallowed_transition_changes_nothing(any_code: str, steps: list[str], target: str, admin: Actor) -> None:
    code = any_code
    for i, step in enumerate(steps):
        advance(code, step, at=t(23, 10 + i), clock=CLOCK, actor=admin)
    before = snapshot(code)
    with pytest.raises(TransitionError) as err:
        advance(code, target, clock=CLOCK, actor=admin)
    assert "không thể chuyển" in str(err.value)
    assert snapshot(code) == before


def test_refusal_needs_a_reason(code, admin):
    before = snapshot(code)
    with pytest.raises(ValidationError):
        advance(code, "refused", clock=CLOCK, actor=admin)
    assert snapshot(code) == before
    info = advance(code, "refused", note="Không thuộc thẩm quyền", at=t(23, 9, 30), clock=CLOCK, actor=admin)
    assert info.closed_at == t(23, 9, 30)
    assert info.outcome(CLOCK.now()) == Outcome.REFUSED


def test_unknown_status_and_time_checks(code, admin):
    with pytest.raises(ValidationError):
        advance(code, "teleported", clock=CLOCK, actor=admin)
    with pytest.raises(ValidationError):
        advance(code, "processing", at=t(23, 8), clock=CLOCK, actor=admin)  # before its receipt
    with pytest.raises(ValidationError):
        advance(code, "processing", at=CLOCK.now() + timedelta(days=1), clock=CLOCK, actor=admin)
    assert snapshot(code)[0] == "received"


def test_apology_moves_appointment_not_due(code, admin):
    advance(code, "processing", at=t(23, 10), clock=CLOCK, actor=admin)
    info = apologize(code, datetime(2026, 12, 3, 17, 0), reason="Chờ xác minh", at=t(27, 16), clock=CLOCK,
                     actor=admin)
    assert info.appointment_at == datetime(2026, 12, 3, 17, 0, tzinfo=LOCAL_TZ)
    assert info.due_at == t(27, 17)
    assert [e.action for e in history(code, actor=admin)][-1] == "apology"
    info = advance(code, "resolved", at=datetime(2026, 12, 2, 10, tzinfo=LOCAL_TZ), clock=CLOCK, actor=admin)
    assert info.outcome(CLOCK.now()) == Outcome.LATE  # the original due date decides
    with pytest.raises(TransitionError):
        apologize(code, datetime(2026, 12, 20, 17, 0), reason="x", clock=CLOCK, actor=admin)


def test_apology_needs_later_date_and_reason(code, admin):
    before = snapshot(code)
    with pytest.raises(ValidationError):
        apologize(code, datetime(2026, 11, 26, 17, 0), reason="Chờ xác minh", at=t(25, 9), clock=CLOCK,
                  actor=admin)
    with pytest.raises(ValidationError):
        apologize(code, datetime(2026, 12, 3, 17, 0), reason=" ", at=t(25, 9), clock=CLOCK, actor=admin)
    assert snapshot(code) == before


def test_stale_version_is_refused(code, admin):
    info = get_dossier(code, actor=admin)
    advance(code, "processing", at=t(23, 10), clock=CLOCK, actor=admin)
    with pytest.raises(ConcurrentChange) as err:
        advance(code, "refused", note="x", expected_version=info.version, clock=CLOCK, actor=admin)
    assert "Quản trị hệ thống" in str(err.value)  # the account that acted, never "Hệ thống"
    assert get_dossier(code, actor=admin).status == Status.PROCESSING


def test_allowed_moves_table_is_closed():
    for source, targets in lifecycle.TRANSITIONS.items():
        assert source not in targets
    assert lifecycle.allowed_moves("returned") == frozenset()


due = t(27, 17)


@pytest.mark.parametrize(("resolved", "closed", "status", "at", "expected"), [
    (t(26, 10), None, "resolved", t(30, 9), Outcome.EARLY),
    (t(27, 9), None, "resolved", t(30, 9), Outcome.ON_TIME),
    (t(27, 17), None, "resolved", t(30, 9), Outcome.ON_TIME),
    (t(27, 17, 1), None, "resolved", t(30, 9), Outcome.LATE),
    (t(30, 9), None, "returned", t(28, 9), Outcome.OVERDUE),  # resolved after the moment asked about
    (t(30, 9), None, "returned", t(26, 9), Outcome.IN_TIME),
    (None, None, "processing", t(27, 17), Outcome.IN_TIME),
    (None, None, "processing", t(27, 17, 1), Outcome.OVERDUE),
    (None, t(24, 9), "withdrawn", t(30, 9), Outcome.WITHDRAWN),
    (None, t(24, 9), "refused", t(23, 12), Outcome.IN_TIME),
])
def test_classify(resolved, closed, status, at, expected):
    assert classify(status, due, resolved, closed, at) == expected


@pytest.mark.parametrize("steps", [[], ["processing"], ["processing", "needs_supplement"]])
def test_stop_from_every_open_state(any_code: str, steps: list[str], admin: Actor) -> None:
    code = any_code
    for i, step in enumerate(steps):
        advance(code, step, note="Thiếu giấy tờ", at=t(23, 10 + i), clock=CLOCK, actor=admin)
    info = lifecycle.stop(code, reason="Người nộp đề nghị dừng", case=StopCase.APPLICANT_REQUEST,
                          at=t(24, 9), clock=CLOCK, actor=admin)
    assert info.status == Status.STOPPED and info.closed_at == t(24, 9)
    assert info.outcome(CLOCK.now()) == Outcome.STOPPED
    last = history(code, actor=admin)[-1]
    assert (last.action, last.to_status, last.note) == ("stop", "stopped", "Người nộp đề nghị dừng")
    assert last.data == {"case": "applicant_request"}
    assert lifecycle.allowed_moves(Status.STOPPED) == frozenset()
    with pytest.raises(TransitionError):
        advance(code, "processing", clock=CLOCK, actor=admin)


def test_stop_needs_reason_and_known_case_and_open_dossier(code, admin):
    before = snapshot(code)
    with pytest.raises(ValidationError):
        lifecycle.stop(code, reason=" ", clock=CLOCK, actor=admin)
    with pytest.raises(ValidationError):
        lifecycle.stop(code, reason="x", case="bored", clock=CLOCK, actor=admin)
    with pytest.raises(ValidationError):  # advance cannot record the Art. 21 case
        advance(code, "stopped", note="x", clock=CLOCK, actor=admin)
    assert snapshot(code) == before
    advance(code, "processing", at=t(23, 10), clock=CLOCK, actor=admin)
    advance(code, "resolved", at=t(23, 11), clock=CLOCK, actor=admin)
    with pytest.raises(TransitionError):
        lifecycle.stop(code, reason="Không thể tiếp tục", case="cannot_continue", clock=CLOCK, actor=admin)
    assert get_dossier(code, actor=admin).status == Status.RESOLVED


def test_withdrawn_still_works_beside_stopped(code, admin):
    info = advance(code, "withdrawn", note="Rút tại quầy", at=t(23, 10), clock=CLOCK, actor=admin)
    assert info.status == Status.WITHDRAWN and info.outcome(CLOCK.now()) == Outcome.WITHDRAWN
    assert classify("stopped", due, None, t(24, 9), t(30, 9)) == Outcome.STOPPED


def test_an_unknown_status_or_case_is_refused_naming_the_choices(any_code: str, admin: Actor) -> None:
    with pytest.raises(ValidationError) as refused:
        advance(any_code, "lost", actor=admin)
    assert refused.value.problems == {"status": _("Unknown status: {status}. Use one of: {choices}").format(
        status="lost", choices=", ".join(s.value for s in Status))}
    with pytest.raises(ValidationError) as refused:
        lifecycle.stop(any_code, reason="Không rõ", case="x" * 60, actor=admin)
    assert refused.value.problems == {"case": _("Unknown case of stopping: {case}. Use one of: {choices}").format(
        case="x" * 40, choices="applicant_request, cannot_continue")}
    assert get_dossier(any_code, actor=admin).status == Status.RECEIVED  # nothing changed
