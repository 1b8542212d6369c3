"""Citizens' ratings: once per dossier, only with the dossier's token, only after the return (D49)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from desk.errors import ValidationError
from desk.models import Dossier, DossierEvent, Rating
from desk.models import db as dbmod
from desk.services import accounts, ratings
from desk.services.accounts import SYSTEM, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kinds import RatingChannel, RatingLevel
from desk.services.lifecycle import advance
from desk.services.payload import check_for, make_payload
from desk.services.ratings import RatingRefused, rate, rating_form_for, rating_token

PASSWORD = "mật-khẩu-đủ-dài"


def t(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LOCAL_TZ)


CLOCK = FixedClock(t(26, 10))


def make_dossier(*steps: str, procedure: str = "T-TTHN", clerk: str = "admin", returner: str | None = None) -> str:
    """A dossier received on 23/11 and moved through ``steps`` on 24/11 (the return by ``returner``)."""
    code = register(IntakeRequest(procedure, Applicant(name="Lê Thị Hoa"), received_at=t(23, 9)),
                    clock=FixedClock(t(23, 9)), actor=get_actor(clerk)).code
    for i, step in enumerate(steps):
        who = returner if step == "returned" and returner else clerk
        advance(code, step, at=t(24, 9 + i), clock=FixedClock(t(24, 9 + i)), actor=get_actor(who))
    return code


def returned() -> str:
    return make_dossier("processing", "resolved", "returned")


def state() -> tuple:
    return (list(Rating.select().order_by(Rating.id).tuples()), Dossier.select().count(),
            DossierEvent.select().count())


def test_a_rating_is_recorded_once_and_names_who_returned_the_result(any_office):
    accounts.create_staff("tra", "Trần Văn Trả", "clerk", PASSWORD, by=SYSTEM)
    code = make_dossier("processing", "resolved", "returned", returner="tra")
    token = rating_token(code)
    first = rate(make_payload(code), token, "very_satisfied", "  Nhanh,\x00 chu đáo\x07 ", "phone", clock=CLOCK)
    assert first.recorded and not first.already_rated and first.level == RatingLevel.VERY_SATISFIED
    row = Rating.get()
    assert (row.level, row.channel, row.comment) == ("very_satisfied", "phone", "Nhanh, chu đáo")
    assert row.served_by.username == "tra" and row.dossier.code == code
    before = state()
    again = rate(code, token, "dissatisfied", "đổi ý", RatingChannel.KIOSK, clock=CLOCK)
    assert again.already_rated and again.message and state() == before
    form = rating_form_for(make_payload(code), clock=CLOCK)
    assert not form.can_rate and form.already_rated and not form.token


def test_the_form_offers_the_three_levels_and_a_token_for_a_returned_dossier(any_office):
    code = returned()
    form = rating_form_for(make_payload(code), clock=CLOCK)
    assert form.can_rate and form.token == rating_token(code) and form.code == code
    assert [v for v, _label in form.levels] == ["very_satisfied", "satisfied", "dissatisfied"]
    assert [label for _v, label in form.levels] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert "Hoa" not in repr(form)  # nothing personal


def test_the_token_is_not_the_slip_check(office):
    code = returned()
    token = rating_token(code)
    assert len(token) == 16 and check_for(code, ratings._key().hex()) not in token
    assert rating_token(code) == rating_token(code.lower())
    other = returned()
    assert rating_token(other) != token


@pytest.mark.parametrize("forge", [
    lambda code, token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda code, token: make_payload(code).rsplit(".", 1)[1],  # the slip's check is no rating token
    lambda code, token: "",
])
def test_a_forged_token_is_refused_and_changes_nothing(any_office, forge):
    code = returned()
    before = state()
    with pytest.raises(RatingRefused) as err:
        rate(make_payload(code), forge(code, rating_token(code)), "satisfied", clock=CLOCK)
    assert "\n" not in str(err.value) and str(err.value)
    assert state() == before


def test_a_token_of_another_dossier_is_refused(office):
    code, other = returned(), returned()
    with pytest.raises(RatingRefused):
        rate(code, rating_token(other), "satisfied", clock=CLOCK)
    assert not Rating.select().exists()


@pytest.mark.parametrize("steps", [(), ("processing",), ("processing", "resolved")])
def test_a_dossier_not_yet_returned_cannot_be_rated(any_office, steps):
    code = make_dossier(*steps)
    assert not rating_form_for(make_payload(code), clock=CLOCK).can_rate
    before = state()
    with pytest.raises(RatingRefused, match="trả kết quả|returned"):
        rate(code, rating_token(code), "satisfied", clock=CLOCK)
    assert state() == before


def test_bad_input_is_refused_with_nothing_changed(office):
    code = returned()
    for kwargs in ({"level": "rất tốt"}, {"level": "satisfied", "comment": "x" * 301},
                   {"level": "satisfied", "channel": "fax"}):
        with pytest.raises(ValidationError):
            rate(code, rating_token(code), clock=CLOCK, **kwargs)
    assert not Rating.select().exists()
    rate(code, rating_token(code), "satisfied", "x" * 300, clock=CLOCK)
    assert len(Rating.get().comment) == 300


def test_a_bare_code_or_forged_slip_gets_no_form(office):
    code = returned()
    for text in (code, make_payload(code)[:-1] + "Q", "", "001090012345|123|Ai|01011990|Nam|x|01012020"):
        form = rating_form_for(text, clock=CLOCK)
        assert not form.can_rate and not form.token and not form.already_rated and not form.code


def test_a_result_returned_long_ago_is_no_longer_rated(office):
    code = returned()
    late = FixedClock(t(24, 11) + timedelta(days=ratings.RATING_DAYS, hours=1))
    assert not rating_form_for(make_payload(code), clock=late).can_rate
    with pytest.raises(RatingRefused):
        rate(code, rating_token(code), "satisfied", clock=late)


@pytest.mark.postgres
def test_two_desks_rating_at_once_leave_one_row(pg_office):
    """Two connections insert at the same moment: the unique key leaves one rating, the other is told."""
    code = returned()
    token = rating_token(code)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def desk(level: str) -> None:  # a thread has its own connection to the same schema
        try:
            barrier.wait(5)
            results.append(rate(code, token, level, clock=CLOCK))
        except Exception as exc:  # noqa: BLE001 - reported below
            results.append(exc)
        finally:
            dbmod.database_proxy.obj.close()

    threads = [threading.Thread(target=desk, args=(level,)) for level in ("satisfied", "dissatisfied")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(isinstance(r, ratings.RatingResult) for r in results), results
    assert sorted(r.recorded for r in results) == [False, True]
    assert Rating.select().count() == 1



def test_the_unique_key_decides_when_both_pass_the_check(any_office, monkeypatch):
    """Two desks that both found no rating yet: the second insert meets the unique key, is told "already
    rated", and its transaction (a PostgreSQL one too) goes on unharmed."""
    code = returned()
    assert rate(code, rating_token(code), "satisfied", clock=CLOCK).recorded
    monkeypatch.setattr(ratings, "_rated", lambda _dossier_id: False)  # as if the check ran before the first commit
    before = state()
    again = rate(code, rating_token(code), "dissatisfied", "khác", clock=CLOCK)
    assert again.already_rated and state() == before
    other = returned()  # the connection still works after the conflict
    assert rate(other, rating_token(other), "very_satisfied", clock=CLOCK).recorded


def test_the_kiosk_lifts_read_only_for_the_rating_only(any_office):
    """The kiosk's connection refuses writes; rating_writes lets rate() through and closes again after."""
    from peewee import DatabaseError

    from desk.services.kiosk import _set_read_only, enforce_read_only, rating_writes

    code = returned()
    db = dbmod.database_proxy.obj
    enforce_read_only()
    try:
        with pytest.raises(DatabaseError):
            rate(code, rating_token(code), "satisfied", clock=CLOCK)
        with rating_writes():
            assert rate(code, rating_token(code), "satisfied", clock=CLOCK).recorded
        with pytest.raises(DatabaseError), db.atomic():
            Rating.update(comment="sửa").execute()
    finally:
        _set_read_only(db, False)
    assert Rating.get().comment == ""
