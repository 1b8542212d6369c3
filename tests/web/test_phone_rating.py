"""The rating form on the phone page (D51), through Flask's test client on real SQLite and PostgreSQL.

The server's connection is read-only as ``lookup-server`` opens it; a POST with the dossier's token
records one rating (channel "phone") and nothing else, however often it is sent; forged forms are refused
with the one "not found" page, counted by the brake, and change nothing.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime

import pytest
from peewee import DatabaseError

from desk.models import Dossier, DossierEvent, Office, Rating
from desk.models.db import database_proxy
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ
from desk.services.kiosk import _set_read_only, enforce_read_only
from desk.services.payload import check_for, make_payload
from desk.services.ratings import rating_token, satisfaction
from desk.web.brake import ClientBrake
from tests.web.test_lookup_pages import assert_nothing_personal, body, client, make_dossier

RETURNED = ("processing", "resolved", "returned")


def state() -> tuple:
    return (list(Rating.select().order_by(Rating.id).tuples()), list(Dossier.select().order_by(Dossier.id).tuples()),
            DossierEvent.select().count(), list(Office.select().tuples()))


@pytest.fixture
def read_only():
    """Call it to make the connection what lookup-server opens (read-only); writable again at teardown."""
    yield enforce_read_only
    _set_read_only(database_proxy.obj, False)


def rating_path(payload: str) -> str:
    return f"/h/{payload}/rating"


def test_the_form_appears_only_for_a_returned_dossier(any_office, read_only):
    others = [make_dossier(*steps) for steps in ((), ("processing",), ("processing", "resolved"))]
    code = make_dossier(*RETURNED)
    read_only()
    web = client()
    for other in others:
        text = body(web.get(f"/h/{make_payload(other)}"))
        assert "<form" not in text and "Rất hài lòng" not in text and "đánh giá" not in text.lower()
    page = web.get(f"/h/{make_payload(code)}")
    assert page.status_code == 200
    text = body(page)
    form = text.split("<form", 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in form and f'action="./{make_payload(code)}/rating"' in form
    assert f'name="token" value="{rating_token(code)}"' in form
    for value, label in (("very_satisfied", "Rất hài lòng"), ("satisfied", "Hài lòng"),
                         ("dissatisfied", "Không hài lòng")):
        assert f'type="submit" name="level" value="{value}"' in form and f">{label}</button>" in form
    assert 'maxlength="300"' in form and 'name="comment"' in form
    assert form.count("<input") == 1 and form.count("<textarea") == 1  # the token and the comment: nothing personal
    assert "<script" not in text
    assert_nothing_personal(text)


def test_one_post_records_and_three_more_change_nothing(any_office, read_only):
    code = make_dossier(*RETURNED)
    slip = make_payload(code)
    read_only()
    web = client()
    first = web.post(rating_path(slip), data={"token": rating_token(code), "level": "very_satisfied",
                                              "comment": "Cán bộ tận tình"})
    assert first.status_code == 303 and first.headers["Location"] == f"../{slip}?rated=1"
    assert "Set-Cookie" not in first.headers
    row = Rating.get()
    assert (row.level, row.channel, row.comment, row.dossier.code) == ("very_satisfied", "phone", "Cán bộ tận tình",
                                                                       code)
    thanked = body(web.get(f"/h/{slip}?rated=1"))
    assert "Cảm ơn ông (bà) đã đánh giá" in thanked and "<form" not in thanked
    before = state()
    for level in ("dissatisfied", "satisfied", "dissatisfied"):
        again = web.post(rating_path(slip), data={"token": rating_token(code), "level": level, "comment": "đổi ý"})
        assert again.status_code == 303 and again.headers["Location"] == f"../{slip}"
        assert "đã được đánh giá" in body(web.get(f"/h/{slip}"))
    assert state() == before
    _set_read_only(database_proxy.obj, False)
    figures = satisfaction("2026-11", by=get_actor("admin")).total
    assert (figures.ratings, figures.very_satisfied, figures.dissatisfied) == (1, 1, 0)


def test_forged_forms_are_refused_with_the_one_not_found_page(any_office, read_only):
    code = make_dossier(*RETURNED)
    slip = make_payload(code)
    other = make_dossier(*RETURNED)
    read_only()
    web = client(brake=ClientBrake())
    not_found = body(web.get("/h/junk"))
    before = state()
    forged = [
        {"token": "A" * 16, "level": "satisfied"},  # a made-up token
        {"token": rating_token(other), "level": "satisfied"},  # another dossier's token
        {"token": check_for(code, "ab" * 16), "level": "satisfied"},
        {"level": "satisfied"},  # none
        {"token": rating_token(code), "level": "best"},  # a level the buttons never send
        {"token": rating_token(code), "level": "satisfied", "comment": "x" * 301},
    ]
    for data in forged:
        answer = web.post(rating_path(slip), data=data)
        assert answer.status_code == 404 and body(answer) == not_found
    for path in (rating_path(code), rating_path(f"{code}.{check_for(code, 'cd' * 16)}"), rating_path("junk")):
        answer = web.post(path, data={"token": rating_token(code), "level": "satisfied"})
        assert answer.status_code == 404 and body(answer) == not_found  # a bare code, a forged slip, junk
    assert state() == before
    assert_nothing_personal(not_found)


def test_bad_posts_count_as_bad_lookups(any_office, read_only):
    code = make_dossier(*RETURNED)
    slip = make_payload(code)
    read_only()
    web = client(brake=ClientBrake())
    addr = {"REMOTE_ADDR": "203.0.113.7"}
    answers = [web.post(rating_path(slip), data={"token": "B" * 16, "level": "satisfied"}, environ_base=addr)
               .status_code for _ in range(11)]
    assert answers[:10] == [404] * 10 and answers[10] == 429
    # braked now, the right token too, and the page itself
    right = {"token": rating_token(code), "level": "satisfied"}
    assert web.post(rating_path(slip), data=right, environ_base=addr).status_code == 429
    assert web.get(f"/h/{slip}", environ_base=addr).status_code == 429
    assert Rating.select().count() == 0
    assert web.post(rating_path(slip), data=right, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 303
    assert Rating.select().count() == 1


def test_a_dossier_not_returned_or_rated_too_late_is_not_rated(any_office, read_only):
    code = make_dossier("processing", "resolved")
    late = make_dossier(*RETURNED)
    read_only()
    web = client()
    answer = web.post(rating_path(make_payload(code)), data={"token": rating_token(code), "level": "satisfied"})
    assert answer.status_code == 303 and answer.headers["Location"] == f"../{make_payload(code)}"
    later = client(clock_at=datetime(2026, 12, 28, 10, tzinfo=LOCAL_TZ))  # 34 days after
    assert "30 ngày" in body(later.get(f"/h/{make_payload(late)}"))
    answer = later.post(rating_path(make_payload(late)), data={"token": rating_token(late), "level": "satisfied"})
    assert answer.status_code == 303
    assert Rating.select().count() == 0


def test_a_large_body_is_refused_unread(any_office, read_only):
    code = make_dossier(*RETURNED)
    read_only()
    answer = client().post(rating_path(make_payload(code)),
                           data={"token": rating_token(code), "level": "satisfied", "comment": "ý" * 3000})
    assert answer.status_code == 413 and "quá dài" in body(answer)
    assert Rating.select().count() == 0
    # the longest comment the form allows, in Vietnamese, fits under the limit
    full = client().post(rating_path(make_payload(code)),
                         data={"token": rating_token(code), "level": "satisfied", "comment": "ữ" * 300})
    assert full.status_code == 303 and Rating.get().comment == "ữ" * 300


def test_the_connection_stays_read_only_for_everything_else(any_office, read_only):
    code = make_dossier(*RETURNED)
    read_only()
    db = database_proxy.obj
    web = client()
    assert web.post(rating_path(make_payload(code)), data={"token": rating_token(code),
                                                           "level": "satisfied"}).status_code == 303
    with pytest.raises(DatabaseError), db.atomic():  # this thread's connection: read-only again
        Rating.update(comment="sửa").execute()
    with pytest.raises(DatabaseError), db.atomic():
        Office.update(phone="000").execute()
    refused: list[BaseException] = []

    def elsewhere() -> None:  # another of the server's threads, on a connection of its own
        try:
            with db.atomic():
                Rating.update(comment="sửa").execute()
        except DatabaseError as exc:
            refused.append(exc)
        finally:
            db.close()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join(timeout=30)
    assert refused
    assert Rating.get().comment == ""


def test_a_rating_on_another_thread_leaves_the_others_read_only(any_office, read_only):
    """While one thread writes its rating, a connection another thread opens meanwhile is still read-only."""
    from desk.services.kiosk import rating_writes

    read_only()
    db = database_proxy.obj
    inside, done = threading.Event(), threading.Event()
    refused: list[BaseException] = []

    def rater() -> None:
        try:
            with rating_writes():
                inside.set()
                done.wait(timeout=30)
        finally:
            db.close()

    worker = threading.Thread(target=rater)
    worker.start()
    assert inside.wait(timeout=30)
    try:
        def other() -> None:
            try:
                with db.atomic():
                    Office.update(phone="000").execute()
            except DatabaseError as exc:
                refused.append(exc)
            finally:
                db.close()

        second = threading.Thread(target=other)
        second.start()
        second.join(timeout=30)
    finally:
        done.set()
        worker.join(timeout=30)
    assert refused and Office.get().phone != "000"


def test_the_rating_form_keeps_the_policy(office, read_only):
    from desk.web.app import CONTENT_SECURITY_POLICY

    code = make_dossier(*RETURNED)
    read_only()
    page = client().get(f"/h/{make_payload(code)}")
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "form-action 'self'" in CONTENT_SECURITY_POLICY and "script-src" not in CONTENT_SECURITY_POLICY
    assert not re.search(r"\son[a-z]+\s*=", body(page))  # no event handler: the form needs no script
    answer = client().post(rating_path(make_payload(code)), data={"token": rating_token(code), "level": "satisfied"})
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
