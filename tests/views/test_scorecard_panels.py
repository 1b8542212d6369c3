"""The dashboard's satisfaction and "Bộ chỉ số 766" panels (D49): they show the services' figures, for leaders."""

from __future__ import annotations

from datetime import timedelta

from desk.services.accounts import get_actor
from desk.services.clock import FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance
from desk.services.ratings import rate, rating_token
from desk.services.scorecard import compute_scorecard
from tests.views.test_reports_view import make_view, t


def returned_and_rated(level: str) -> str:
    admin = get_actor("admin")
    received = t(11, 10, 9)
    code = register(IntakeRequest("T-TTHN", Applicant(name="Phạm Văn Bình"), received_at=received),
                    clock=FixedClock(received), actor=admin).code
    for hours, step in enumerate(("processing", "resolved", "returned"), 1):
        moment = received + timedelta(hours=hours)
        advance(code, step, at=moment, clock=FixedClock(moment), actor=admin)
    assert rate(code, rating_token(code), level, clock=FixedClock(t(11, 11, 9))).recorded
    return code


def test_the_panels_show_the_services_figures(qtbot, office):
    returned_and_rated("very_satisfied")
    returned_and_rated("dissatisfied")
    view = make_view(qtbot)
    tabs = view.lower_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Biểu đồ", "Chờ đến lượt", "Mức độ hài lòng",
                                                             "Bộ chỉ số 766"]
    satisfaction, scorecard = view.satisfaction_panel, view.scorecard_panel
    qtbot.waitUntil(lambda: satisfaction.loads >= 1 and scorecard.loads >= 1, timeout=10_000)
    tabs.setCurrentWidget(satisfaction)
    fields = satisfaction.fields
    assert [fields.horizontalHeaderItem(c).text() for c in range(fields.columnCount())] == [
        "Lĩnh vực", "Rất hài lòng", "Hài lòng", "Không hài lòng", "Số lượt đánh giá", "Tỷ lệ hài lòng"]
    assert [satisfaction.cell_text(fields, 0, c) for c in range(6)] == ["Hộ tịch", "1", "0", "1", "2", "50,0 %"]
    last = fields.rowCount() - 1
    assert satisfaction.cell_text(fields, last, 0) == "Tổng cộng" and satisfaction.cell_text(fields, last, 4) == "2"
    clerks = satisfaction.clerks
    assert [satisfaction.cell_text(clerks, 0, c) for c in (0, 4, 5)] == [get_actor("admin").full_name, "2", "50,0 %"]
    assert "11/2026" in satisfaction.title.text()
    card = compute_scorecard("2026-11", by=get_actor("admin"), clock=view.ctx.clock)
    november = card.months[-1]
    assert scorecard.value_text("ratings", "2026-11") == "2"
    assert scorecard.value_text("satisfaction_rate", "2026-11") == "50,0 %"
    assert scorecard.value_text("overdue", "2026-11") == str(november.overdue)
    assert scorecard.value_text("online_share", "2026-11") == f"{november.online_share * 100:.1f} %".replace(".", ",")
    assert scorecard.value_text("ratings", "2025-12") == "0" and scorecard.value_text("on_time_rate", "2025-12") == "–"
    assert scorecard.table.columnCount() == 13
    assert "Tỷ lệ hồ sơ số hóa đủ thành phần" in scorecard.definitions.text()
    assert "Từ tháng 12/2025 đến tháng 11/2026" in scorecard.title.text()


def test_a_clerk_has_no_satisfaction_tabs(qtbot, office):
    view = make_view(qtbot, "clerk")
    assert view.lower_tabs.count() == 2 and view.satisfaction_panel is None
