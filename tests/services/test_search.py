"""The dossier search: each filter, keyset paging in every order, unaccented and odd free text."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk.errors import ValidationError
from desk.models import Dossier
from desk.services import lifecycle, search
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.search import Cursor, DossierFilter, Sort, Urgency
from desk.text import fold

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)  # Wednesday
CLOCK = FixedClock(NOW)
E_POINT = "Điểm tiếp nhận điện tử Tổ dân phố 2"


def t(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=LOCAL_TZ)


def add(name, procedure, received, *, phone="", id_number="", birth=None, gender="", channel="direct",
        point=None, moves=()):
    info = register(IntakeRequest(procedure, Applicant(name=name, phone=phone, id_number=id_number,
                                                       birth_date=birth, gender=gender),
                                  channel=channel, reception_point=point, received_at=received),
                    clock=FixedClock(received), actor=get_actor("admin"))
    for to, at, note in moves:
        lifecycle.advance(info.code, to, at=at, note=note, clock=CLOCK, actor=get_actor("admin"))
    return info.code


@pytest.fixture
def people(any_office):
    """Seven dossiers, one per situation a clerk filters for (24/11/2026 is a holiday), on both engines:
    the plan steering is spelled differently for each (D35), the answers must not differ."""
    return {
        "an": add("Nguyễn Văn An", "T-TTHN", t(16, 9), moves=[("processing", t(16, 10), "")]),  # overdue
        "trang": add("Trần Thị Thu Trang", "T-KSL", t(20, 9), point=E_POINT),  # due Mon 30/11
        "binh": add("Lê Văn Bình", "T-BS", t(25, 8), phone="0987654321"),  # due today
        "hoa": add("Phạm Thị Hoa", "T-HD", t(25, 8, 30)),  # due Fri 27/11: within 2 working days
        "lan": add("Nguyễn Thị Lan", "T-KT", t(17, 9), moves=[
            ("processing", t(17, 10), ""), ("resolved", t(17, 15), ""), ("returned", t(18, 9), "")]),
        "hai": add("Hoàng Đức Hải", "T-TTHN", t(19, 9), channel="online",
                   moves=[("refused", t(19, 10), "Thiếu giấy tờ")]),
        "huong": add("Đặng Thị Hương", "T-KT", t(23, 14), phone="0912345678", id_number="042190012345",
                     birth=date(1990, 3, 15), gender="Nữ"),  # same day: overdue
    }


def codes(flt=None, sort=None, **kw):
    return [r.code for r in search.search(flt or DossierFilter(**kw), sort, clock=CLOCK,
                                          actor=get_actor("admin")).rows]


def names(**kw):
    return {r.applicant_name for r in search.search(DossierFilter(**kw), clock=CLOCK, actor=get_actor("admin")).rows}


def test_newest_first_with_names_and_urgency(people, admin):
    page = search.search(clock=CLOCK, actor=admin)
    assert [r.code for r in page.rows] == [people[k] for k in ("hoa", "binh", "huong", "trang", "hai", "lan", "an")]
    assert page.next_cursor is None
    by_name = {r.applicant_name: r for r in page.rows}
    an = by_name["Nguyễn Văn An"]
    assert (an.procedure_name, an.field_name, an.status) == ("Cấp giấy xác nhận tình trạng hôn nhân", "Hộ tịch",
                                                            "processing")
    assert an.received_at == t(16, 9) and an.due_at == t(19, 17)
    assert {name: r.urgency for name, r in by_name.items()} == {
        "Nguyễn Văn An": Urgency.OVERDUE, "Lê Văn Bình": Urgency.DUE_TODAY, "Phạm Thị Hoa": Urgency.DUE_SOON,
        "Trần Thị Thu Trang": Urgency.NORMAL, "Đặng Thị Hương": Urgency.OVERDUE,
        "Nguyễn Thị Lan": Urgency.CLOSED, "Hoàng Đức Hải": Urgency.CLOSED}
    assert by_name["Trần Thị Thu Trang"].reception_point == E_POINT
    assert by_name["Hoàng Đức Hải"].channel == "online"


def test_each_filter(people, admin):
    assert names(statuses={"processing"}) == {"Nguyễn Văn An"}
    assert names(statuses={"returned", "refused"}) == {"Nguyễn Thị Lan", "Hoàng Đức Hải"}
    assert names(field_code="CT") == {"Lê Văn Bình", "Phạm Thị Hoa"}
    assert names(procedure_code="T-TTHN") == {"Nguyễn Văn An", "Hoàng Đức Hải"}
    assert names(procedure_code="NO-SUCH") == set() and names(field_code="NO-SUCH") == set()
    assert names(reception_point=E_POINT) == {"Trần Thị Thu Trang"}
    point_id = search.search(DossierFilter(reception_point=E_POINT), clock=CLOCK, actor=admin).rows[0].reception_point
    assert point_id == E_POINT
    assert names(channel="online") == {"Hoàng Đức Hải"}
    assert names(received_from=date(2026, 11, 23)) == {"Lê Văn Bình", "Phạm Thị Hoa", "Đặng Thị Hương"}
    assert names(received_from=date(2026, 11, 17), received_to=date(2026, 11, 19)) == {"Nguyễn Thị Lan",
                                                                                        "Hoàng Đức Hải"}
    assert names(overdue=True) == {"Nguyễn Văn An", "Đặng Thị Hương"}
    assert names(due_within_days=0) == {"Lê Văn Bình"}
    assert names(due_within_days=1) == {"Lê Văn Bình"}  # working days: Thu 26/11 has nothing due
    assert names(due_within_days=2) == {"Lê Văn Bình", "Phạm Thị Hoa"}
    assert names(due_within_days=3) == {"Lê Văn Bình", "Phạm Thị Hoa", "Trần Thị Thu Trang"}
    assert names(overdue=True, due_within_days=0) == {"Nguyễn Văn An", "Đặng Thị Hương", "Lê Văn Bình"}
    assert names(statuses={"processing"}, field_code="HT", overdue=True) == {"Nguyễn Văn An"}
    assert search.count(DossierFilter(overdue=True), clock=CLOCK, actor=admin) == 2
    assert search.count(clock=CLOCK, actor=admin) == 7
    with pytest.raises(ValidationError):
        search.search(DossierFilter(reception_point="Nowhere"), clock=CLOCK, actor=admin)
    with pytest.raises(ValidationError):
        search.search(DossierFilter(statuses={"lost"}), clock=CLOCK, actor=admin)


def test_reception_point_by_id(people):
    from desk.services.office import find_point

    assert names(reception_point=find_point(E_POINT).id) == {"Trần Thị Thu Trang"}
    assert names(reception_point=str(find_point(E_POINT).id)) == {"Trần Thị Thu Trang"}


@pytest.mark.parametrize(("text", "expected"), [
    ("nguyen van an", {"Nguyễn Văn An"}),
    ("NGUYỄN VĂN", {"Nguyễn Văn An"}),
    ("Nguyen", {"Nguyễn Văn An", "Nguyễn Thị Lan"}),
    ("van an", {"Nguyễn Văn An"}),  # after the family name
    ("thu trang", {"Trần Thị Thu Trang"}),  # after the family and middle name
    ("binh", {"Lê Văn Bình"}),  # the given name of a three-word name
    ("dang thi huong", {"Đặng Thị Hương"}),  # đ → d
    ("  đặng   THỊ  ", {"Đặng Thị Hương"}),
    ("0912", {"Đặng Thị Hương"}),  # phone prefix
    ("0912 345 678", {"Đặng Thị Hương"}),
    ("+84912345678", {"Đặng Thị Hương"}),
    ("042190012345", {"Đặng Thị Hương"}),  # ID number
    ("0421900", {"Đặng Thị Hương"}),
    ("guyen", set()),  # not a word start
    ("hoa", {"Phạm Thị Hoa", "Hoàng Đức Hải"}),  # "Hoàng" starts with "hoa" too
])
def test_free_text(people, text, expected):
    assert names(text=text) == expected


def test_code_search(people):
    code = people["hoa"]  # 000.00.13.H42-261125-0002
    day, number = code.split("-")[1:]
    assert codes(text=code) == [code]
    assert codes(text=code.lower()) == [code]
    assert codes(text=f"{day}-{number}") == [code]
    assert codes(text=f"{day}-0{number}") == [] == codes(text=f"{day}-{int(number)}")  # the slip's form only
    assert set(codes(text=number)) == {c for c in people.values() if c.endswith("-" + number)}
    assert set(codes(text=str(int(number)))) == set(codes(text=number))
    assert len(codes(text="000.00.13.H42-2611")) == 7 and len(codes(text="000.00.13.H42-261125")) == 2


ODD_TEXT = [
    "%", "_", "\\", "%%", "a%", "_a", "\\%", "'", '"', "' OR 1=1 --", "'; DROP TABLE dossier; --", "\x00", "\x07a",
    "nguyen\x00van", "x" * 100_000, "🙂", "\u0301", "   ", "", "-", "--", "0", "00000", "99999999", "+84", "\n\t",
    "Nguyễn%", "ng_yen", "(", ")", "[", "*", "?", "\u202e", "\ufffd", "0" * 5000, "-" * 300 + "1",
]


def test_odd_text_returns_normally(people, admin):
    for text in ODD_TEXT:
        rows = search.search(DossierFilter(text=text), clock=CLOCK, actor=admin).rows
        assert search.count(DossierFilter(text=text), clock=CLOCK, actor=admin) == len(rows), text
        if text.strip(" \n\t") in ("%", "_", "%%", "\\", "a%", "_a", "ng_yen", "*", "?"):
            assert rows == [], text  # wildcards are plain characters
        if text == "nguyen\x00van":
            assert [r.applicant_name for r in rows] == ["Nguyễn Văn An"]  # a control character counts as a space
    assert search.count(DossierFilter(text="nguyen\x00van"), clock=CLOCK, actor=admin) == 1


def test_wildcards_are_literal(any_office):
    add("Nguyễn Văn An", "T-KT", t(24, 9))
    # The name rule refuses "_" today; a register kept from before may still hold one, so set it directly.
    code = add("Nguyen Van Bé", "T-KT", t(24, 10))
    Dossier.update(applicant_name="Nguyen_Van Bé", applicant_name_folded=fold("Nguyen_Van Bé")).where(
        Dossier.code == code).execute()
    assert names(text="nguyen_") == {"Nguyen_Van Bé"}
    assert names(text="nguyen%") == set()
    assert names(text="nguyen") == {"Nguyễn Văn An", "Nguyen_Van Bé"}


@pytest.fixture
def many(any_office, request):
    """150 demo dossiers, then the seven people (demo data only goes into a database without real dossiers)."""
    from desk.services.demo import generate

    generate(150, months=1, clock=CLOCK, actor=get_actor("admin"))
    return request.getfixturevalue("people")


SORTS = [Sort(c, d) for c in search.SORT_COLUMNS for d in (False, True)]


def all_pages(flt, sort, limit=13):
    rows, after, pages = [], None, 0
    while True:
        page = search.search(flt, sort, limit=limit, after=after, clock=CLOCK, actor=get_actor("admin"))
        rows += page.rows
        pages += 1
        assert len(page.rows) <= limit
        if page.next_cursor is None:
            return rows, pages
        assert len(page.rows) == limit
        after = page.next_cursor


def sort_key(row, column):
    from desk.text import fold

    return {"code": row.code, "received_at": row.received_at, "due_at": row.due_at,
            "applicant": fold(row.applicant_name), "status": search.STATUS_ORDER.index(row.status),
            "procedure": fold(row.procedure_name)}[column]


@pytest.mark.parametrize("sort", SORTS, ids=lambda s: f"{s.column}-{'desc' if s.descending else 'asc'}")
def test_keyset_paging_gives_every_row_once(many, sort, admin):
    for flt in (DossierFilter(), DossierFilter(statuses={"returned", "resolved"}), DossierFilter(text="nguyen")):
        rows, pages = all_pages(flt, sort)
        ids = [r.id for r in rows]
        assert len(ids) == len(set(ids)) == search.count(flt, clock=CLOCK, actor=admin)
        assert pages > 1 or len(ids) < 13
        keys = [sort_key(r, sort.column) for r in rows]
        assert keys == sorted(keys, reverse=sort.descending)


@pytest.mark.parametrize("caps", [(0, 0, 0), (10**9, 10**9, 10**9), (5, 3, 40)], ids=["walk", "drive", "mixed"])
def test_query_plans_agree(many, monkeypatch, caps, admin):
    """Whatever index drives the query, the answer is the same."""
    reference = {}
    filters = {
        "open": DossierFilter(statuses={"received", "processing", "needs_supplement"}),
        "overdue": DossierFilter(overdue=True, field_code="HT"),
        "text": DossierFilter(text="tran"),
        "text+status": DossierFilter(text="nguyen", statuses={"returned"}),
        "dates": DossierFilter(received_from=date(2026, 11, 10), received_to=date(2026, 11, 20), channel="direct"),
        "code": DossierFilter(text="0003"),
    }
    for key, flt in filters.items():
        reference[key] = {r.id for r in all_pages(flt, Sort("received_at", True), limit=500)[0]}
    monkeypatch.setattr(search, "DRIVE_CAP", caps[0])
    monkeypatch.setattr(search, "IDS_DRIVE_CAP", caps[1])
    monkeypatch.setattr(search, "CANDIDATE_CAP", caps[2])
    monkeypatch.setattr(search, "PG_IDS_DRIVE_CAP", caps[1])  # each engine has its own (D35)
    monkeypatch.setattr(search, "PG_CANDIDATE_CAP", caps[2])
    for key, flt in filters.items():
        for sort in (Sort("received_at", True), Sort("due_at", False), Sort("status", False)):
            rows, _pages = all_pages(flt, sort, limit=7)
            assert {r.id for r in rows} == reference[key], (key, sort)
            assert len(rows) == len(reference[key])
        assert search.count(flt, clock=CLOCK, actor=admin) == len(reference[key])


def test_cursor_belongs_to_its_order(many, admin):
    page = search.search(limit=5, clock=CLOCK, actor=admin)
    assert isinstance(page.next_cursor, Cursor)
    with pytest.raises(ValidationError):
        search.search(sort=Sort("due_at", False), after=page.next_cursor, clock=CLOCK, actor=admin)
    with pytest.raises(ValidationError):
        Sort("address")


def test_text_filters_and_paging_on_each_engine(any_office, admin):
    """Twelve dossiers searched and paged in every order: each engine's text and keyset SQL, same answers."""
    an = add("Nguyễn Văn An", "T-TTHN", t(16, 9), moves=[("processing", t(16, 10), "")])
    add("Trần Thị Thu Trang", "T-KSL", t(20, 9), point=E_POINT)
    huong = add("Đặng Thị Hương", "T-KT", t(23, 14), phone="0912345678")
    for i in range(9):
        add(f"Lê Văn Số {'abcdefghi'[i]}", "T-KSL", t(20, 8 + i))
    assert names(text="nguyen van") == {"Nguyễn Văn An"}
    assert names(text="thu trang") == {"Trần Thị Thu Trang"}
    assert names(text="100%") == set() and names(text="'\x00_") == set()
    assert codes(text="0912") == [huong]
    assert codes(overdue=True, sort=Sort("due_at", False)) == [an, huong]
    assert names(reception_point=E_POINT) == {"Trần Thị Thu Trang"}
    for sort in SORTS:
        rows, pages = all_pages(DossierFilter(), sort, limit=4)
        assert len({r.id for r in rows}) == len(rows) == 12 and pages == 3
    assert search.count(DossierFilter(text="le van"), clock=CLOCK, actor=admin) == 9


@pytest.mark.parametrize("text", ["²", "0912²", "261123-²", "+84²", "٣٤"])
def test_non_ascii_digits_are_plain_text(people, text, admin):
    """Found by fuzzing: "²".isdigit() is True but int("²") fails; such input is just text."""
    from desk.services.search import DossierFilter, count, search

    assert search(DossierFilter(text=text), actor=admin).rows == [] and count(DossierFilter(text=text),
                                                                              actor=admin) == 0


def _plans(call) -> list[dict]:
    """The PostgreSQL plans of the dossier-list statements ``call`` ran, each under the planner settings
    the search gave it (its SET LOCAL statements are replayed in one transaction)."""
    import json

    from desk.models.db import database_proxy

    db = database_proxy.obj
    seen: list[tuple[str, object]] = []
    original = db.execute_sql

    def record(sql, params=None, *args, **kwargs):
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = record
    try:
        call()
    finally:
        db.execute_sql = original
    plans = []
    with db.atomic():
        for sql, params in seen:
            if sql.startswith(("SET ", "SELECT set_config")):
                db.execute_sql(sql, params)
            elif 'ORDER BY "t1"."received_at" DESC' in sql:
                plans.append(json.loads(json.dumps(
                    db.execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0][0]["Plan"])))
    return plans


def _nodes(plan: dict) -> list[dict]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


@pytest.mark.postgres
def test_postgres_walks_the_sort_index_when_told(pg_office, monkeypatch, admin):
    """A page that walks the sort order is planned without a sort on PostgreSQL, through the sort
    column's index, with the filter's own index switched off (D35); SQLite is steered by ``+column``."""
    lan = add("Nguyễn Thị Lan", "T-KT", t(17, 9), moves=[
        ("processing", t(17, 10), ""), ("resolved", t(17, 15), ""), ("returned", t(18, 9), "")])
    add("Lê Văn Bình", "T-BS", t(25, 8))
    monkeypatch.setattr(search, "DRIVE_CAP", 0)  # every filter matches "many": walk the received_at index
    plans = _plans(lambda: search.search(DossierFilter(statuses={"returned"}), clock=CLOCK, actor=admin))
    assert len(plans) == 1
    nodes = _nodes(plans[0])
    assert not [n for n in nodes if n["Node Type"] == "Sort"]
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    assert [n.get("Index Name") for n in scans] == ["dossier_received_at"]
    assert "|| ''" in scans[0]["Filter"]  # the status index may not drive
    rows = search.search(DossierFilter(statuses={"returned"}), clock=CLOCK, actor=admin).rows
    assert [r.code for r in rows] == [lan]
