"""Satisfaction figures per field and per clerk, the "Bộ chỉ số 766" scorecard, and their workbook sheets (D49).

The scorecard's months are checked against the monthly table of the same month (compute_statistics), on
the hand-counted month of test_reports, and around month boundaries in the office's time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from desk.errors import PermissionDenied
from desk.services import accounts
from desk.services.accounts import SYSTEM, get_actor
from desk.services.attachments import attach
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance
from desk.services.ratings import rate, rating_token, satisfaction
from desk.services.report_workbook import SHEET_SATISFACTION, SHEET_SCORECARD, write_report
from desk.services.scorecard import INDICATORS, compute_scorecard
from desk.services.statistics import compute_statistics
from tests.services.test_reports import CLOCK, build_month

PASSWORD = "mật-khẩu-đủ-dài"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def returned(procedure: str, received: datetime, returner: str, *, channel: str = "direct") -> str:
    """A dossier received at ``received``, resolved an hour later and returned by ``returner`` after two."""
    admin = get_actor("admin")
    code = register(IntakeRequest(procedure, Applicant(name="Phạm Văn Bình"), channel=channel, received_at=received),
                    clock=FixedClock(received), actor=admin).code
    advance(code, "processing", at=received + timedelta(minutes=30), clock=FixedClock(received + timedelta(hours=1)),
            actor=admin)
    advance(code, "resolved", at=received + timedelta(hours=1), clock=FixedClock(received + timedelta(hours=1)),
            actor=admin)
    advance(code, "returned", at=received + timedelta(hours=2), clock=FixedClock(received + timedelta(hours=2)),
            actor=get_actor(returner))
    return code


def rated(code: str, level: str, moment: datetime, channel: str = "kiosk") -> None:
    assert rate(code, rating_token(code), level, channel=channel, clock=FixedClock(moment)).recorded


@pytest.fixture
def clerks(any_office):
    accounts.create_staff("an", "Nguyễn Thị An", "clerk", PASSWORD, by=SYSTEM)
    accounts.create_staff("binh", "Trần Văn Bình", "clerk", PASSWORD, by=SYSTEM)
    return any_office


def october_ratings() -> None:
    """Hộ tịch: an ×3 (very, satisfied, dissatisfied); Chứng thực: binh ×2 (very, very); one more rating of
    an's on 1 November 00:30 office time (17:30 UTC on 31 October), which is November's."""
    day = at(10, 5, 8)
    for level in ("very_satisfied", "satisfied", "dissatisfied"):
        rated(returned("T-TTHN", day, "an"), level, day + timedelta(hours=3))
    for level in ("very_satisfied", "very_satisfied"):
        rated(returned("T-HD", day, "binh"), level, day + timedelta(hours=3), channel="phone")
    late = returned("T-TTHN", at(10, 30, 9), "an")
    rated(late, "dissatisfied", at(11, 1, 0, 30))
    rated(returned("T-TTHN", at(10, 30, 9), "binh"), "satisfied", at(10, 31, 23, 30))  # still October's


def test_satisfaction_per_field_and_per_clerk(clerks):
    october_ratings()
    figures = satisfaction("2026-10", by=get_actor("admin"))
    by_field = {r.key: (r.very_satisfied, r.satisfied, r.dissatisfied, r.ratings, r.rate) for r in figures.by_field}
    assert by_field == {"HT": (1, 2, 1, 4, 0.75), "CT": (2, 0, 0, 2, 1.0)}
    by_clerk = {r.key: (r.name, r.very_satisfied, r.satisfied, r.dissatisfied, r.rate) for r in figures.by_clerk}
    assert by_clerk == {"an": ("Nguyễn Thị An", 1, 1, 1, 2 / 3), "binh": ("Trần Văn Bình", 2, 1, 0, 1.0)}
    assert (figures.total.ratings, figures.total.rate) == (6, 5 / 6)
    november = satisfaction("2026-11", by=get_actor("admin"))
    assert (november.total.ratings, november.total.dissatisfied) == (1, 1)
    data = figures.to_json()
    assert data["total"] == {"key": "", "name": "Tổng cộng", "very_satisfied": 3, "satisfied": 2, "dissatisfied": 1,
                             "ratings": 6, "satisfaction_rate": 5 / 6}
    assert [r["key"] for r in data["by_clerk"]] == ["an", "binh"]


def test_satisfaction_by_the_15th_cutoff(clerks):
    october_ratings()  # 5/10 falls in 15/9–14/10; the rest in 15/10–14/11
    assert satisfaction("2026-10", "15th", by=get_actor("admin")).total.ratings == 5
    assert satisfaction("2026-11", "15th", by=get_actor("admin")).total.ratings == 2


def test_the_figures_are_a_leaders(clerks):
    for who in (get_actor("an"), None):
        with pytest.raises(PermissionDenied):
            satisfaction("2026-10", by=who)
        with pytest.raises(PermissionDenied):
            compute_scorecard("2026-10", by=who)


def test_the_workbook_sheet_reads_back(clerks, tmp_path):
    october_ratings()
    path = write_report(tmp_path / "r.xlsx", "2026-10", clock=FixedClock(at(11, 20, 17)), by=get_actor("admin"))
    ws = load_workbook(path)[SHEET_SATISFACTION]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC"
    assert "không thuộc Biểu 06" in rows[1][0] and "Tháng 10/2026" in rows[1][0]
    assert rows[3] == ["TT", "Lĩnh vực", "Rất hài lòng", "Hài lòng", "Không hài lòng", "Số lượt đánh giá",
                       "Tỷ lệ hài lòng (%)"]
    assert rows[4] == [1, "Hộ tịch", 1, 2, 1, 4, 0.75]
    assert rows[5] == [2, "Chứng thực", 2, 0, 0, 2, 1]
    assert rows[6] == [None, "Tổng cộng", 3, 2, 1, 6, pytest.approx(5 / 6)]
    assert rows[8][:2] == ["TT", "Cán bộ trả kết quả"]
    assert rows[9][1:6] == ["Nguyễn Thị An", 1, 1, 1, 3] and rows[10][1:6] == ["Trần Văn Bình", 2, 1, 0, 3]
    assert rows[11][1:6] == ["Tổng cộng", 3, 2, 1, 6]
    assert ws.cell(5, 7).number_format == "0.00%"


@pytest.fixture
def hand_counted(any_office) -> dict[str, str]:
    """test_reports' hand-counted September to November, on both engines."""
    return build_month()


def test_the_scorecard_equals_each_months_table(hand_counted):
    """The hand-counted months of test_reports: each month's on-time rate, overdue, online share are the
    monthly table's; the running month (November, CLOCK 20/11) judges overdue at now."""
    admin = get_actor("admin")
    card = compute_scorecard("2026-11", by=admin, clock=CLOCK)
    assert [m.period.text for m in card.months] == [f"{y}-{m:02d}" for y, m in
                                                   [(2025, 12)] + [(2026, k) for k in range(1, 12)]]
    for month in card.months:
        stats = compute_statistics(month.period, clock=CLOCK).total
        assert month.resolved == stats.resolved_total and month.on_time_rate == stats.on_time_rate, month.period
        assert month.pending_overdue == stats.pending_overdue, month.period
        assert month.overdue == stats.pending_overdue + stats.resolved_late
        assert month.received == stats.new_total and month.online_share == stats.online_rate
        assert month.digitised == 0 and month.ratings == 0 and month.satisfaction_rate is None
    october = card.months[-2]
    assert (october.resolved, october.resolved_on_time, october.pending_overdue) == (10, 7, 3)
    assert card.months[-1].as_of == CLOCK.now() and card.months[-2].as_of == at(11, 1, 0)
    assert [i.key for i in card.indicators] == [i.key for i in INDICATORS]
    assert all(i.definition and i.criterion for i in card.indicators)


def test_scorecard_months_around_the_boundary_in_office_time(clerks):
    """Received 31/10 23:30 office time (16:30 UTC) is October's; received 1/11 00:30 (17:30 UTC on 31/10) is
    November's, online; a file for every component digitises November's."""
    admin = get_actor("admin")
    register(IntakeRequest("T-TTHN", Applicant(name="Phạm Văn Bình"), received_at=at(10, 31, 23, 30)),
             clock=FixedClock(at(10, 31, 23, 30)), actor=admin)
    code = register(IntakeRequest("T-TTHN", Applicant(name="Phạm Văn Bình"), channel="online",
                                  received_at=at(11, 1, 0, 30)), clock=FixedClock(at(11, 1, 0, 30)), actor=admin).code
    attach(code, b"%PDF-1.4\n%%EOF\n", component=1, actor=admin, clock=FixedClock(at(11, 2, 9)))
    october_ratings()
    card = compute_scorecard("2026-11", by=admin, clock=FixedClock(at(11, 20, 17)))
    october, november = card.months[-2], card.months[-1]
    assert (october.received, october.received_online, october.digitised) == (8, 0, 0)
    assert (november.received, november.received_online, november.digitised) == (1, 1, 1)
    assert (november.online_share, november.digitisation_rate) == (1.0, 1.0)
    assert (october.ratings, october.satisfied, october.satisfaction_rate) == (6, 5, 5 / 6)
    assert (november.ratings, november.satisfied) == (1, 0)
    assert card.describe() == "Từ tháng 12/2025 đến tháng 11/2026 (từ ngày 01/12/2025 đến ngày 30/11/2026)"


def test_the_scorecard_sheet_reads_back(clerks, tmp_path):
    october_ratings()
    path = write_report(tmp_path / "r.xlsx", "2026-10", clock=FixedClock(at(11, 20, 17)), by=get_actor("admin"))
    ws = load_workbook(path)[SHEET_SCORECARD]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0].startswith("BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP")
    assert "Từ tháng 11/2025 đến tháng 10/2026" in rows[1][0] and "không thuộc Biểu 06" in rows[1][0]
    header = rows[3]
    assert header[:3] == ["Nhóm tiêu chí", "Chỉ số", "Định nghĩa"]
    assert header[3:] == [f"{m:02d}/{y}" for y, m in [(2025, 11), (2025, 12)] + [(2026, k) for k in range(1, 11)]]
    lines = {row[1]: row for row in rows[4:4 + len(INDICATORS)]}
    assert [row[0] for row in rows[4:4 + len(INDICATORS)]] == [i.criterion for i in INDICATORS]
    assert lines["Tỷ lệ hài lòng"][-1] == pytest.approx(5 / 6) and lines["Số lượt đánh giá"][-1] == 6
    assert lines["Tỷ lệ hồ sơ giải quyết đúng hạn"][-1] == 1 and lines["Số hồ sơ quá hạn"][-1] == 0
    assert lines["Tỷ lệ hồ sơ tiếp nhận trực tuyến"][-1] == 0
    assert lines["Số lượt đánh giá"][3] == 0 and lines["Tỷ lệ hài lòng"][3] is None  # November 2025: nothing
    assert all(row[2] for row in lines.values())  # every indicator says what it is
    assert ws.cell(5, 4).number_format == "0.00%" and ws.cell(6, 4).number_format == "#,##0"

