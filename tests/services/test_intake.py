"""Registering dossiers: codes, deadlines, validation, and numbering under concurrency."""

from __future__ import annotations

import multiprocessing
import re
from datetime import UTC, date, datetime

import pytest

from desk.errors import ValidationError
from desk.i18n import _
from desk.models import DailySequence, Dossier, DossierEvent
from desk.models import db as dbmod
from desk.services.accounts import Actor, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import DocumentItem, Status, history
from desk.services.intake import Applicant, IntakeRequest, register

NOW = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))


def request(**overrides) -> IntakeRequest:
    applicant = overrides.pop("applicant", None) or Applicant(
        name="Nguyễn Văn An", id_number="042090012345", birth_date=date(1990, 3, 15), gender="Nam",
        address="Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh", phone="0912 345 678")
    values = {"procedure_code": "T-TTHN", "applicant": applicant,
              "received_at": datetime(2026, 11, 23, 9, 15), "reception_point": "Bộ phận Một cửa UBND phường"}
    values.update(overrides)
    return IntakeRequest(**values)


def test_register_gives_code_deadline_and_audit(any_office: str, admin: Actor) -> None:
    info = register(request(), clock=NOW, actor=admin)
    assert info.code == "000.00.13.H42-261123-0001"
    assert info.status == Status.RECEIVED
    assert info.due_at == datetime(2026, 11, 27, 17, 0, tzinfo=LOCAL_TZ)  # Tue 24/11 is a holiday
    assert info.appointment_at == info.due_at
    assert info.phone == "0912345678"
    assert info.return_point == "Bộ phận Một cửa UBND phường"
    assert info.documents == (DocumentItem("Tờ khai đăng ký", 1, "original"),)
    events = history(info.code, actor=admin)
    assert [(e.action, e.to_status) for e in events] == [("receive", "received")]
    second = register(request(), clock=NOW, actor=admin)
    assert second.code.endswith("-0002")


def test_sequence_restarts_each_day_and_follows_receipt_date(office, admin):
    a = register(request(received_at=datetime(2026, 11, 20, 10)), clock=NOW, actor=admin)
    b = register(request(received_at=datetime(2026, 11, 23, 10)), clock=NOW, actor=admin)
    c = register(request(received_at=datetime(2026, 11, 20, 11)), clock=NOW, actor=admin)
    assert [a.code[-11:], b.code[-11:], c.code[-11:]] == ["261120-0001", "261123-0001", "261120-0002"]


def test_same_day_cutoff_through_intake(office, admin):
    before = register(request(procedure_code="T-BS", received_at=datetime(2026, 11, 23, 14, 30)), clock=NOW,
                      actor=admin)
    after = register(request(procedure_code="T-BS", received_at=datetime(2026, 11, 23, 15, 30)), clock=NOW,
                     actor=admin)
    assert before.due_at.date() == date(2026, 11, 23)
    assert after.due_at.date() == date(2026, 11, 25)


def test_invalid_input_lists_every_problem_and_writes_nothing(office, admin):
    bad = request(
        procedure_code="NO-SUCH",
        applicant=Applicant(name="", id_number="12345", phone="12ab", email="not-an-email", gender="X",
                            birth_date=date(2030, 1, 1)),
        channel="fax", sets=0, received_at=datetime(2027, 1, 1, 9), reception_point="Nowhere")
    with pytest.raises(ValidationError) as err:
        register(bad, clock=NOW, actor=admin)
    assert set(err.value.problems) >= {"name", "id_number", "phone", "email", "gender", "birth_date", "channel",
                                       "sets", "received_at", "procedure", "reception_point"}
    assert Dossier.select().count() == 0
    assert DossierEvent.select().count() == 0
    assert DailySequence.select().count() == 0


def test_messages_are_vietnamese(office, admin):
    with pytest.raises(ValidationError) as err:
        register(request(applicant=Applicant(name="")), clock=NOW, actor=admin)
    assert "họ và tên" in str(err.value).lower()


def test_id_number_cross_checked_with_birth_date(office, admin):
    wrong_year = Applicant(name="Trần Thị Bình", id_number="042185012345", birth_date=date(1986, 1, 1), gender="Nữ")
    with pytest.raises(ValidationError) as err:
        register(request(applicant=wrong_year), clock=NOW, actor=admin)
    assert "id_number" in err.value.problems


def test_failed_write_leaves_no_number_used(office, monkeypatch, admin):
    import desk.services.intake as intake

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(intake.DossierEvent, "create", boom)
    with pytest.raises(RuntimeError):
        register(request(), clock=NOW, actor=admin)
    monkeypatch.undo()
    assert Dossier.select().count() == 0
    assert register(request(), clock=NOW, actor=admin).code.endswith("-0001")


# -- several processes at once ------------------------------------------------------------------
PER_PROCESS = 200
PROCESSES = 8


def _register_many(url: str, worker: int) -> tuple[list[str], list[str]]:
    dbmod.connect(url, create=False)
    codes, errors = [], []
    for i in range(PER_PROCESS):
        try:
            info = register(request(received_at=datetime(2026, 11, 20, 8 + (i % 8), worker)), clock=NOW,
                            actor=get_actor("admin"))
            codes.append(info.code)
        except Exception as exc:  # noqa: BLE001 - the test counts every failure
            errors.append(repr(exc))
    dbmod.close()
    return codes, errors


def _run_concurrently(url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        results = pool.starmap(_register_many, [(url, w) for w in range(PROCESSES)])
    codes = [c for got, _errors in results for c in got]
    errors = [e for _codes, errs in results for e in errs]
    assert errors == []
    assert len(codes) == len(set(codes)) == PROCESSES * PER_PROCESS
    numbers = sorted(int(re.search(r"-261120-(\d{4})$", c).group(1)) for c in codes)
    assert numbers == list(range(1, PROCESSES * PER_PROCESS + 1))
    assert Dossier.select().count() == PROCESSES * PER_PROCESS
    assert DossierEvent.select().count() == PROCESSES * PER_PROCESS


@pytest.mark.slow
def test_concurrent_processes(any_office: str) -> None:
    _run_concurrently(any_office)


def test_the_id_number_is_checked_as_of_the_registration(office, admin):
    """The ID number's birth year is judged by the registration's own moment (one clock), not the machine's."""
    from desk.services.intake import validate

    born_2030 = "001230000001"  # 4th digit 2: a man born in 20xx; digits 5-6: 2030
    form = request(applicant=Applicant(name="Nguyễn Văn An", id_number=born_2030, gender="Nam"))
    future = _("ID number {id} says born in {code_year}, which is in the future").format(id=born_2030, code_year=2030)
    with pytest.raises(ValidationError) as refused:
        validate(form, datetime(2029, 6, 1, 9, 0, tzinfo=UTC))
    assert refused.value.problems["id_number"] == future
    try:
        validate(form, datetime(2031, 6, 1, 9, 0, tzinfo=UTC))
    except ValidationError as exc:
        assert "id_number" not in exc.problems
