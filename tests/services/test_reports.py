"""Monthly statistics and the Excel report, checked cell by cell against hand-counted numbers.

The month is built through the real services (intake.register, lifecycle.advance / apologize) in
the two fields of the test catalog: Hộ tịch (HT) and Chứng thực (CT). No public holiday falls
between 7 September and 20 November 2026; Wednesday is the office's no-appointment day, so the
procedures it makes same-day (T-TTHN, T-BS) are never received on a Wednesday here.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desk.errors import DeskError, ValidationError
from desk.services import report_workbook, statistics, xlsx_rows
from desk.services.accounts import Actor, get_actor
from desk.services.attachments import attach, digitisation_counts
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import DocumentItem
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance, apologize, stop
from desk.services.periods import Period, period_bounds
from desk.services.report_workbook import ReportCancelled, write_report
from desk.services.statistics import compute_statistics, monthly_trend

CLOCK = FixedClock(datetime(2026, 11, 20, 17, 0, tzinfo=LOCAL_TZ))


def t(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


# key: (procedure, channel, received, legal due, steps). A step is (status, moment) or ("apology", moment, new date).
DOSSIERS = {
    # Hộ tịch
    "H1": ("T-TTHN", "direct", t(9, 8, 9), t(9, 11, 17), [("processing", t(9, 8, 10)), ("resolved", t(9, 10, 10)),
                                                          ("returned", t(9, 11, 9))]),
    "H2": ("T-TTHN", "direct", t(9, 24, 9), t(9, 29, 17), [("processing", t(9, 24, 10)), ("resolved", t(10, 2, 10))]),
    "H3": ("T-KSL", "online", t(9, 28, 14), t(10, 5, 17), [("processing", t(9, 28, 15)),
                                                           ("apology", t(10, 5, 16), t(10, 9, 17)),
                                                           ("resolved", t(10, 7, 11))]),
    "H4": ("T-TTHN", "direct", t(10, 5, 8), t(10, 8, 17), [("processing", t(10, 5, 9)), ("resolved", t(10, 8, 9, 30)),
                                                           ("returned", t(10, 9, 8))]),
    "H5": ("T-TTHN", "online", t(10, 12, 10), t(10, 15, 17), [("processing", t(10, 12, 11)),
                                                              ("resolved", t(10, 13, 15))]),
    "H6": ("T-TTHN", "postal", t(10, 13, 9), t(10, 16, 17), [("processing", t(10, 13, 10))]),
    "H7": ("T-KSL", "direct", t(10, 26, 9), t(11, 2, 17), [("processing", t(10, 26, 10))]),
    "H8": ("T-TTHN", "direct", t(9, 17, 9), t(9, 22, 17), [("withdrawn", t(9, 18, 10))]),
    "H9": ("T-TTHN", "direct", t(9, 11, 9), t(9, 16, 17), [("processing", t(9, 11, 10)), ("resolved", t(9, 16, 16))]),
    "H10": ("T-TTHN", "online", t(10, 29, 16), t(11, 3, 17), [("processing", t(10, 29, 16, 30)),
                                                              ("resolved", t(11, 2, 10))]),
    "H11": ("T-TTHN", "direct", t(10, 20, 9), t(10, 23, 17), [("processing", t(10, 20, 10)), ("stop", t(10, 27, 9))]),
    # Chứng thực
    "C1": ("T-HD", "direct", t(9, 14, 10), t(9, 16, 17), [("processing", t(9, 14, 11)), ("resolved", t(10, 16, 10))]),
    "C2": ("T-HD", "online", t(9, 22, 10), t(9, 24, 17), [("refused", t(9, 22, 11))]),
    "C3": ("T-HD", "direct", t(9, 29, 9), t(10, 1, 17), [("processing", t(9, 29, 10)), ("refused", t(10, 1, 9))]),
    "C4": ("T-BS", "direct", t(10, 8, 10), t(10, 8, 17), [("processing", t(10, 8, 10, 30)), ("resolved", t(10, 8, 11))]),
    "C5": ("T-HD", "online", t(10, 9, 9), t(10, 13, 17), [("processing", t(10, 9, 10)), ("resolved", t(10, 12, 9))]),
    "C6": ("T-HD", "direct", t(10, 22, 9), t(10, 26, 17), [("processing", t(10, 22, 10)),
                                                           ("needs_supplement", t(10, 23, 9))]),
    "C7": ("T-HD", "postal", t(10, 14, 9), t(10, 16, 17), [("withdrawn", t(10, 19, 10))]),
    "C8": ("T-BS", "direct", t(10, 30, 16), t(11, 2, 17), [("processing", t(10, 30, 16, 30)),
                                                           ("resolved", t(11, 2, 8))]),
    "C9": ("T-HD", "online", t(10, 19, 9), t(10, 21, 17), [("processing", t(10, 19, 10)), ("resolved", t(10, 21, 17))]),
    "C10": ("T-HD", "online", t(10, 15, 0), t(10, 19, 17), [("processing", t(10, 15, 8)), ("resolved", t(10, 16, 10))]),
    "C11": ("T-HD", "online", t(10, 1, 0), t(10, 5, 17), [("processing", t(10, 1, 8)), ("resolved", t(10, 2, 10))]),
    "C12": ("T-HD", "direct", t(8, 10, 9), t(8, 12, 17), [("processing", t(8, 10, 10))]),
    "C13": ("T-HD", "direct", t(9, 25, 9), t(9, 29, 17), [("processing", t(9, 25, 10)), ("stop", t(10, 9, 9))]),
}
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Hải", "Vũ Thị Hoa",
         "Đặng Văn Hùng", "Bùi Thị Lan", "Đỗ Văn Long", "Ngô Thị Mai", "Dương Văn Nam", "Lý Thị Oanh",
         "Đinh Văn Phong", "Trương Thị Quyên", "Lương Văn Sơn", "Hồ Thị Thảo", "Phan Văn Tuấn", "Võ Thị Uyên",
         "Huỳnh Văn Việt", "Đoàn Thị Yến", "Lê Thị Hạnh", "Trần Văn Khánh", "Mai Văn Thành", "Tạ Thị Xuân"]

# field → (carried over, new online, new direct+postal, early, on time, late, pending in time, pending overdue,
#          refused/withdrawn, stopped), counted by hand from the table above.
EXPECTED = {
    "calendar": {"HT": (2, 2, 4, 1, 1, 2, 2, 1, 0, 1), "CT": (4, 4, 4, 3, 2, 1, 1, 2, 2, 1)},
    "15th": {"HT": (1, 2, 4, 1, 2, 2, 1, 0, 1, 0), "CT": (2, 3, 4, 2, 1, 0, 1, 2, 2, 1)},
}
# The column each dossier is counted in ("Phân loại trong kỳ"), and the overdue ones' working days late.
OUTCOMES = {
    "calendar": {"H2": "Quá hạn", "H3": "Quá hạn", "H4": "Đúng hạn", "H5": "Trước hạn",
                 "H6": "Quá hạn (đang giải quyết)", "H7": "Trong hạn", "H10": "Trong hạn",
                 "C1": "Quá hạn", "C3": "Từ chối", "C4": "Đúng hạn", "C5": "Trước hạn",
                 "C6": "Quá hạn (đang giải quyết)", "C7": "Rút hồ sơ", "C8": "Trong hạn", "C9": "Đúng hạn",
                 "C10": "Trước hạn", "C11": "Trước hạn", "C12": "Quá hạn (đang giải quyết)",
                 "H11": "Dừng giải quyết", "C13": "Dừng giải quyết"},
    "15th": {"H2": "Quá hạn", "H3": "Quá hạn", "H4": "Đúng hạn", "H5": "Trước hạn", "H6": "Trong hạn",
             "H8": "Rút hồ sơ", "H9": "Đúng hạn", "C1": "Quá hạn (đang giải quyết)", "C2": "Từ chối",
             "C3": "Từ chối", "C4": "Đúng hạn", "C5": "Trước hạn", "C7": "Trong hạn", "C11": "Trước hạn",
             "C12": "Quá hạn (đang giải quyết)", "C13": "Dừng giải quyết"},
}
# 55 for C12 in October: 31/8, 1/9 and 2/9 are days off and Saturday 22/8 a make-up working day.
DAYS_LATE = {"calendar": {"H6": 10, "C6": 4, "C12": 55}, "15th": {"C1": 20, "C12": 43}}
CARRIED = {"calendar": {"H2", "H3", "C1", "C3", "C12", "C13"}, "15th": {"H9", "C1", "C12"}}
PERIOD_LINE = {"calendar": "Kỳ báo cáo: Tháng 10/2026 (Từ ngày 01/10/2026 đến ngày 31/10/2026)",
               "15th": "Kỳ báo cáo: Tháng 10/2026 (Từ ngày 15/09/2026 đến ngày 14/10/2026) – theo Nghị định "
                       "09/2019/NĐ-CP"}


def build_month() -> dict[str, str]:
    """Register and move every dossier; returns key → dossier code."""
    actor = get_actor("admin")
    codes = {}
    for name, (key, (procedure, channel, received, due, steps)) in zip(NAMES, DOSSIERS.items(), strict=True):
        request = IntakeRequest(procedure, Applicant(name=name), channel=channel, received_at=received,
                                reception_point="Bộ phận Một cửa UBND phường")
        info = register(request, actor=actor, clock=CLOCK)
        assert info.due_at == due, key
        for step in steps:
            if step[0] == "apology":
                apologize(info.code, step[2], reason="Chờ xác minh", at=step[1], actor=actor, clock=CLOCK)
            elif step[0] == "stop":
                stop(info.code, reason="Người nộp đề nghị dừng giải quyết", at=step[1], actor=actor, clock=CLOCK)
            else:
                advance(info.code, step[0], at=step[1], note="Lý do ghi trên phiếu", actor=actor, clock=CLOCK)
        codes[key] = info.code
    return codes


@pytest.fixture
def month(office) -> dict[str, str]:
    return build_month()


@pytest.fixture
def any_month(any_office: str) -> dict[str, str]:
    """The month of ``month``, on both engines (the SQL of the statistics differs between them)."""
    return build_month()


@pytest.fixture
def out(tmp_path):
    """An empty folder for the reports (the test database lives in tmp_path itself)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def counts(row: statistics.FieldStats) -> tuple[int, ...]:
    return tuple(getattr(row, c) for c in statistics.COUNT_COLUMNS)


# -- periods ------------------------------------------------------------------------------------
def test_period_bounds():
    assert period_bounds("2026-10", "calendar") == (t(10, 1, 0), t(11, 1, 0))
    assert period_bounds("2026-10", "15th") == (t(9, 15, 0), t(10, 15, 0))
    assert period_bounds("2027-01", "15th") == (datetime(2026, 12, 15, tzinfo=LOCAL_TZ),
                                                datetime(2027, 1, 15, tzinfo=LOCAL_TZ))
    assert period_bounds("2026-12", "calendar")[1] == datetime(2027, 1, 1, tzinfo=LOCAL_TZ)
    p = Period.parse("2026-10", "15th")
    assert (p.first_day.isoformat(), p.last_day.isoformat(), p.label) == ("2026-09-15", "2026-10-14", "10/2026")
    assert p.shifted(-10).text == "2025-12"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "10/2026", "2026", "", "abcd-ef", "2026-10-01"])
def test_bad_period_text(text):
    with pytest.raises(ValidationError) as err:
        period_bounds(text, "calendar")
    assert "2026-10" in str(err.value) and text in str(err.value)
    assert "period" in err.value.problems


@pytest.mark.parametrize("text", ["0999-01", "1999-12", "2101-01", "9999-12"])
def test_period_outside_the_register_years(text):
    """Periods live in limits.FIRST_YEAR..LAST_YEAR; 9999-12 used to reach date arithmetic and overflow."""
    with pytest.raises(ValidationError) as err:
        period_bounds(text, "calendar")
    assert "2000-01" in str(err.value) and "2100-12" in str(err.value) and text in str(err.value)


def test_trend_of_the_first_month_reaches_before_it():
    """The 12-month trend of 2000-01 starts in 1999: derived periods are not refused like typed ones."""
    last = Period.parse("2000-01")
    assert last.shifted(-11).text == "1999-02"


def test_bad_cutoff():
    with pytest.raises(ValidationError) as err:
        period_bounds("2026-10", "monthly")
    assert "cutoff" in err.value.problems


def test_bad_period_writes_nothing(office, out, admin):
    with pytest.raises(ValidationError):
        write_report(out / "r.xlsx", "2026/10", clock=CLOCK, by=admin)
    assert list(out.iterdir()) == []


# -- statistics ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cutoff", ["calendar", "15th"])
def test_statistics_match_hand_counts(any_month: dict[str, str], cutoff: str) -> None:
    stats = compute_statistics("2026-10", cutoff, clock=CLOCK)
    assert [r.field_code for r in stats.rows] == ["HT", "CT"]  # the catalog's sort order
    assert {r.field_code: counts(r) for r in stats.rows} == EXPECTED[cutoff]
    expected_total = tuple(map(sum, zip(*EXPECTED[cutoff].values(), strict=True)))
    assert counts(stats.total) == expected_total
    for row in (*stats.rows, stats.total):
        assert row.balanced, row  # carried + new = resolved + pending + refused/withdrawn
    assert stats.as_of == stats.period.end


def test_the_two_cutoffs_differ(month):
    assert counts(compute_statistics("2026-10", "calendar", clock=CLOCK).total) != \
        counts(compute_statistics("2026-10", "15th", clock=CLOCK).total)


def test_rates(month):
    total = compute_statistics("2026-10", "calendar", clock=CLOCK).total
    assert total.on_time_rate == pytest.approx(7 / 10)  # early 4 + on time 3 of 10 resolved
    assert total.online_rate == pytest.approx(6 / 14)
    empty = compute_statistics("2025-01", "calendar", clock=CLOCK).total
    assert empty.on_time_rate is None and empty.online_rate is None


def test_field_filter(month):
    stats = compute_statistics("2026-10", "calendar", field_code="CT", clock=CLOCK)
    assert [r.field_code for r in stats.rows] == ["CT"]
    assert counts(stats.total) == EXPECTED["calendar"]["CT"]
    with pytest.raises(ValidationError):
        compute_statistics("2026-10", "calendar", field_code="XX", clock=CLOCK)


def test_running_period_judges_overdue_at_now(month):
    """Mid-October, H6 (due 16/10) is not overdue yet although the period ends on 1/11."""
    stats = compute_statistics("2026-10", "calendar", clock=FixedClock(t(10, 16, 12)))
    ht = stats.rows[0]
    assert stats.as_of == t(10, 16, 12)
    assert (ht.pending_in_time, ht.pending_overdue) == (3, 0)  # H6, H7, H10 open at the end, none due yet
    assert ht.balanced


def test_trend(any_month: dict[str, str]) -> None:
    trend = monthly_trend("2026-10", "calendar")
    assert [p.period.text for p in trend][:2] == ["2025-11", "2025-12"] and len(trend) == 12
    by_month = {p.period.text: (p.received, p.resolved, p.resolved_on_time) for p in trend}
    assert by_month["2026-10"] == (14, 10, 7)
    assert by_month["2026-09"] == (9, 2, 2)  # H1 early, H9 on time
    assert by_month["2026-08"] == (1, 0, 0)
    assert trend[-4].on_time_rate is None and trend[-1].on_time_rate == pytest.approx(0.7)
    assert sum(p.received for p in trend) == len(DOSSIERS)
    fifteenth = {p.period.text: (p.received, p.resolved, p.resolved_on_time)
                 for p in monthly_trend("2026-10", "15th", months=3)}
    assert fifteenth == {"2026-08": (1, 0, 0), "2026-09": (3, 1, 1), "2026-10": (13, 8, 6)}


# -- the workbook: every cell of "Tổng hợp" -------------------------------------------------------
HEADER_CELLS = {
    "A5": "TT", "B5": "Lĩnh vực", "C5": "Số hồ sơ nhận giải quyết", "C6": "Tổng số", "D6": "Trong kỳ",
    "D7": "Trực tuyến", "E7": "Trực tiếp và\ndịch vụ\nbưu chính", "F6": "Từ kỳ trước",
    "G5": "Số hồ sơ đã giải quyết", "G6": "Tổng số", "H6": "Trước hạn", "I6": "Đúng hạn", "J6": "Quá hạn",
    "K5": "Số hồ sơ đang giải quyết", "K6": "Tổng số", "L6": "Trong hạn", "M6": "Quá hạn",
    "N5": "Cột bổ sung (không thuộc Biểu 06)", "N6": "Dừng\ngiải quyết", "O6": "Từ chối,\nrút hồ sơ",
    "P6": "Tỷ lệ đúng hạn (%)", "Q6": "Tỷ lệ trực tuyến (%)", "R6": "Số hồ sơ đã số hóa đủ thành phần",
    "S6": "Tỷ lệ số hóa (%)",
}
MERGED = {"A1:F1", "L1:S1", "A2:S2", "A3:S3", "A4:S4", "A5:A7", "B5:B7", "C5:F5", "C6:C7", "D6:E6", "F6:F7",
          "G5:J5", "G6:G7", "H6:H7", "I6:I7", "J6:J7", "K5:M5", "K6:K7", "L6:L7", "M6:M7", "N5:S5", "N6:N7",
          "O6:O7", "P6:P7", "Q6:Q7", "R6:R7", "S6:S7", "A11:B11", "A13:S13", "K15:S15", "B16:E16", "K16:S16"}
NUMBERS = ["(1)", "(2)", "(3)=(4)+(5)+(6)", "(4)", "(5)", "(6)", "(7)=(8)+(9)+(10)", "(8)", "(9)", "(10)",
           "(11)=(12)+(13)", "(12)", "(13)", "(14)", "(15)", "(16)=((8)+(9))/(7)", "(17)=(4)/((4)+(5))",
           "(18)", "(19)"]
# The sheet's column of each count (Biểu 06 puts the period's new dossiers before the carried-over ones).
COUNT_LETTERS = {"new_online": "D", "new_direct": "E", "carried_over": "F", "resolved_early": "H",
                 "resolved_on_time": "I", "resolved_late": "J", "pending_in_time": "L", "pending_overdue": "M",
                 "stopped": "N", "refused_or_withdrawn": "O"}


def data_row(r: int, index: int, name: str, c: tuple[int, ...], digitised: tuple = (0, None)) -> list:
    """The 19 cells of a field row as written: counts as values, totals and rates as formulas, the
    digitisation count and rate as values."""
    carried, online, direct, early, on_time, late, in_time, overdue, refused, stopped = c
    return [index, name, f"=D{r}+E{r}+F{r}", online, direct, carried, f"=H{r}+I{r}+J{r}", early, on_time, late,
            f"=L{r}+M{r}", in_time, overdue, stopped, refused, f'=IF(G{r}=0,"",(H{r}+I{r})/G{r})',
            f'=IF((D{r}+E{r})=0,"",D{r}/(D{r}+E{r}))', *digitised]


def expected_summary(cutoff: str, counts_by_field: dict[str, tuple[int, ...]],
                     digitised: dict[str, tuple] | None = None) -> dict[str, object]:
    """``digitised``: (count, rate) per field code and "total"; none given, nothing received is digitised."""
    d = digitised or {}
    cells: dict[str, object] = {
        "A1": "Biểu số 06/VPCP/KSTT",
        "L1": "Đơn vị báo cáo: UBND TỈNH HÀ TĨNH – UBND phường Trần Phú",
        "A2": "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC "
              "HÀNH CHÍNH",
        "A3": PERIOD_LINE[cutoff],
        "A4": "Đơn vị tính: hồ sơ",
        **HEADER_CELLS,
    }
    letters = "ABCDEFGHIJKLMNOPQRS"
    rows = {8: NUMBERS, 9: data_row(9, 1, "Hộ tịch", counts_by_field["HT"], d.get("HT", (0, None))),
            10: data_row(10, 2, "Chứng thực", counts_by_field["CT"], d.get("CT", (0, None))),
            11: ["Tổng cộng", None] + [f"=SUM({x}9:{x}10)" for x in letters[2:15]]
            + ['=IF(G11=0,"",(H11+I11)/G11)', '=IF((D11+E11)=0,"",D11/(D11+E11))', *d.get("total", (0, None))]}
    for r, values in rows.items():
        cells.update({f"{letter}{r}": v for letter, v in zip(letters, values, strict=True) if v is not None})
    cells["A13"] = ("Ghi chú: cột (1)–(13) theo Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP); cột (14)–(19) là "
                    "cột bổ sung; (19) = (18) / số hồ sơ tiếp nhận trong kỳ (thành phần không phải số hóa không "
                    "tính). (3) = (7) + (11) + (14) + (15) ở mọi dòng. Hồ sơ giải quyết quá hạn được tính "
                    "theo hạn giải quyết theo quy định, kể cả khi đã có phiếu xin lỗi và đề nghị gia hạn thời gian "
                    "giải quyết.")
    cells["K15"] = "Hà Tĩnh, ngày 20 tháng 11 năm 2026"
    cells["B16"] = "NGƯỜI LẬP BIỂU"
    cells["K16"] = "THỦ TRƯỞNG ĐƠN VỊ"
    return cells


class Sheet:
    """Evaluates the few formula shapes the report writes, the way a spreadsheet would."""

    def __init__(self, ws):
        self.values = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}

    def __getitem__(self, ref: str):
        value = self.values.get(ref)
        return self.evaluate(value) if isinstance(value, str) and value.startswith("=") else value

    def evaluate(self, formula: str):
        expr = re.sub(r"SUM\(([A-Z])(\d+):\1(\d+)\)",
                      lambda m: "(" + "+".join(f"{m[1]}{r}" for r in range(int(m[2]), int(m[3]) + 1)) + ")",
                      formula[1:])
        conditional = re.fullmatch(r'IF\((.+)=0,"",(.+)\)', expr)
        if conditional:
            expr = f'(None if ({conditional[1]}) == 0 else ({conditional[2]}))'
        expr = re.sub(r"\b[A-Z]\d+\b", lambda m: f"self[{m[0]!r}]", expr)
        return eval(expr, {}, {"self": self})  # noqa: S307 - test helper over the report's own formulas


def check_summary_sheet(path, cutoff: str, counts_by_field: dict[str, tuple[int, ...]], stats,
                        digitised: dict[str, tuple] | None = None) -> None:
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Biểu đồ", "Chi tiết", "Quá hạn", "Mức độ hài lòng", "Bộ chỉ số 766",
                             "Thời gian chờ"]
    ws = wb["Tổng hợp"]
    written = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert written == expected_summary(cutoff, counts_by_field, digitised)  # every cell, and nothing else
    assert {str(r) for r in ws.merged_cells.ranges} == MERGED
    # the formulas, computed the way a spreadsheet does, give the Python numbers
    sheet = Sheet(ws)
    for r, row in ((9, stats.rows[0]), (10, stats.rows[1]), (11, stats.total)):
        assert sheet[f"C{r}"] == row.received_total
        assert sheet[f"G{r}"] == row.resolved_total
        assert sheet[f"K{r}"] == row.pending_total
        # conservation in the file: (3) = (7) + (11) + (14) + (15)
        assert sheet[f"C{r}"] == sheet[f"G{r}"] + sheet[f"K{r}"] + sheet[f"N{r}"] + sheet[f"O{r}"]
        for col, rate in (("P", row.on_time_rate), ("Q", row.online_rate)):
            assert sheet[f"{col}{r}"] == (None if rate is None else pytest.approx(rate))
        for key, letter in COUNT_LETTERS.items():
            assert sheet[f"{letter}{r}"] == getattr(row, key)
    # presentation
    assert ws["P9"].number_format == "0.00%" and ws["Q11"].number_format == "0.00%"
    assert ws["O9"].number_format == "#,##0"
    assert ws["D9"].number_format == "#,##0" and ws["C11"].font.b
    assert ws["C5"].alignment.wrap_text and ws["C5"].border.left.style == "thin"
    assert ws["D10"].border.bottom.style == "thin"
    assert ws.freeze_panes == "C9"
    assert ws.print_title_rows == "$5:$8"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 26


@pytest.mark.parametrize("cutoff", ["calendar", "15th"])
def test_summary_sheet_every_cell(any_month: dict[str, str], out: Path, cutoff: str, admin: Actor) -> None:
    path = write_report(out / f"bao-cao-{cutoff}.xlsx", "2026-10", cutoff, clock=CLOCK, by=admin)
    stats = compute_statistics("2026-10", cutoff, clock=CLOCK)
    p = Period.parse("2026-10", cutoff)
    rows = digitisation_counts(p.first_day, (p.end - timedelta(days=1)).date(), actor=admin)
    digitised: dict[str, tuple] = {r.field_code: (r.digitised, r.digitised / r.total) for r in rows}
    done, received = sum(r.digitised for r in rows), sum(r.total for r in rows)
    digitised["total"] = (done, done / received)
    check_summary_sheet(path, cutoff, EXPECTED[cutoff], stats, digitised)
    assert sorted(p.name for p in out.iterdir()) == [path.name]  # no temporary file left behind


@pytest.mark.parametrize("cutoff", ["calendar", "15th"])
def test_detail_and_overdue_sheets(any_month: dict[str, str], out: Path, cutoff: str, admin: Actor) -> None:
    path = write_report(out / "r.xlsx", "2026-10", cutoff, clock=CLOCK, by=admin)
    wb = load_workbook(path)
    by_code = {code: key for key, code in any_month.items()}
    detail = wb["Chi tiết"]
    rows = list(detail.iter_rows(min_row=2, values_only=True))
    assert [c.value for c in detail[1]] == report_workbook.DETAIL_HEADER
    # exactly the dossiers counted in the table, each with the column it is counted in
    assert {by_code[r[1]]: r[13] for r in rows} == OUTCOMES[cutoff]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert {by_code[r[1]] for r in rows if r[12] == "Kỳ trước chuyển qua"} == CARRIED[cutoff]
    assert detail.freeze_panes == "C2" and detail.auto_filter.ref == f"A1:N{len(rows) + 1}"
    h3 = next(r for r in rows if by_code[r[1]] == "H3")
    assert h3[2:8] == ("Hộ tịch", "Đăng ký lại khai sinh", "Lê Văn Cường", "Trực tuyến",
                       "Bộ phận Một cửa UBND phường", datetime(2026, 9, 28, 14, 0))
    assert h3[8:12] == (datetime(2026, 10, 5, 17, 0), datetime(2026, 10, 7, 11, 0), None, "Đã có kết quả")
    assert detail.cell(row=2, column=8).number_format == "dd/mm/yyyy hh:mm"
    assert {r[5] for r in rows if by_code[r[1]] in ("H6", "C7")} == {"Bưu chính"}

    overdue = wb["Quá hạn"]
    assert [c.value for c in overdue[3]] == report_workbook.OVERDUE_HEADER
    late = {by_code[r[1]]: r for r in overdue.iter_rows(min_row=4, values_only=True)}
    assert {k: r[9] for k, r in late.items()} == DAYS_LATE[cutoff]
    assert {r[10] for r in late.values()} == {"Quản trị hệ thống"}
    last_day = "31/10/2026" if cutoff == "calendar" else "14/10/2026"
    assert overdue["A2"].value.endswith(f"Tính đến hết ngày {last_day}: {len(late)} hồ sơ.")


def test_charts_reference_the_table(month, out, admin):
    path = write_report(out / "r.xlsx", "2026-10", clock=CLOCK, by=admin)
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        xml = {n: z.read(n).decode() for n in charts}
    bars = next(x for x in xml.values() if "<barChart>" in x)
    assert "'Tổng hợp'!$C$9:$C$10" in bars and "'Tổng hợp'!$G$9:$G$10" in bars
    assert "<strRef><f>'Tổng hợp'!$B$9:$B$10</f></strRef>" in bars and '<barDir val="col"/>' in bars
    line = next(x for x in xml.values() if "<lineChart>" in x)
    assert "'Biểu đồ'!$E$26:$E$37" in line and "'Biểu đồ'!$A$26:$A$37" in line
    ws = load_workbook(path)["Biểu đồ"]
    trend = [[c.value for c in row] for row in ws.iter_rows(min_row=26, max_row=37)]
    assert trend[-1][:4] == ["10/2026", 14, 10, 7] and trend[-1][4] == pytest.approx(0.7)
    assert trend[0][0] == "11/2025" and trend[-3][4] is None  # August: nothing resolved, a gap in the line


def test_field_filter_report(month, out, admin):
    path = write_report(out / "ct.xlsx", "2026-10", field_code="CT", clock=CLOCK, by=admin)
    ws = load_workbook(path)["Tổng hợp"]
    assert ws["B9"].value == "Chứng thực" and ws["A10"].value == "Tổng cộng" and ws["C10"].value == "=SUM(C9:C9)"
    assert ws["A3"].value.endswith("Lĩnh vực: Chứng thực")
    assert load_workbook(path)["Chi tiết"].max_row == 1 + 12


def test_empty_period_gives_zeros(office, out, admin):
    path = write_report(out / "empty.xlsx", "2025-01", clock=CLOCK, by=admin)
    stats = compute_statistics("2025-01", clock=CLOCK)
    assert all(counts(r) == (0,) * 10 for r in (*stats.rows, stats.total))
    zeros = {"HT": (0,) * 10, "CT": (0,) * 10}
    expected = expected_summary("calendar", zeros)
    expected["A3"] = "Kỳ báo cáo: Tháng 01/2025 (Từ ngày 01/01/2025 đến ngày 31/01/2025)"
    ws = load_workbook(path)["Tổng hợp"]
    assert {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None} == expected
    sheet = Sheet(ws)
    assert [sheet[f"{x}11"] for x in "CGKNOPQ"] == [0, 0, 0, 0, 0, None, None]
    wb = load_workbook(path)
    assert wb["Chi tiết"].max_row == 1 and wb["Quá hạn"].max_row == 3


# -- progress, cancel, failures -------------------------------------------------------------------
def test_progress_is_reported_per_chunk(month, out, monkeypatch, admin):
    monkeypatch.setattr(report_workbook, "CHUNK", 5)
    calls = []
    write_report(out / "r.xlsx", "2026-10", progress=lambda done, total: calls.append((done, total)),
                 clock=CLOCK, by=admin)
    assert calls == [(0, 20), (5, 20), (10, 20), (15, 20), (20, 20)]


@pytest.mark.parametrize("after", [0, 1, 2])
def test_cancel_leaves_no_file(month, out, tmp_path, monkeypatch, after, admin):
    monkeypatch.setattr(report_workbook, "CHUNK", 5)
    private_temp = tmp_path / "temp"  # openpyxl's and the report's scratch files, away from other processes
    private_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_temp))
    target = out / "r.xlsx"
    target.write_bytes(b"last month's report")
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > after

    with pytest.raises(ReportCancelled):
        write_report(target, "2026-10", cancel=cancel, clock=CLOCK, by=admin)
    assert isinstance(ReportCancelled("x"), DeskError)
    assert sorted(p.name for p in out.iterdir()) == ["r.xlsx"]
    assert target.read_bytes() == b"last month's report"  # the old file is untouched
    assert os.listdir(private_temp) == []


def test_streamed_rows_are_what_openpyxl_reads(out):
    """Texts are escaped and cleaned of control characters; numbers, dates and blanks keep their place;
    streamed rows follow the rows openpyxl wrote itself, and the other parts are untouched."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws, after = wb.create_sheet("Chi tiết"), wb.create_sheet("Quá hạn")
    cell = WriteOnlyCell(ws)
    cell.number_format = report_workbook.DATETIME_FORMAT
    date_style = cell.style_id
    alone, below = xlsx_rows.SheetRows("Chi tiết"), xlsx_rows.SheetRows("Quá hạn", first_row=2)
    try:
        alone.append(["Hồ sơ <A&B> \"x\"", " lề ", "a\x01b", None, 7, 2.5, datetime(2026, 10, 5, 9, 0)],
                     [0, 0, 0, 0, 0, 0, date_style], height=20)
        alone.append([None, "=SUM(A1)"], [0, 0])
        after.append(["STT", "Mã hồ sơ"])
        below.append([1, "A-1"], [0, 0])
        xlsx_rows.save(wb, out / "s.xlsx", [alone, below], clock=FixedClock(datetime(2026, 11, 3, 2, 4, 5, 6000, UTC)))
    finally:
        alone.discard()
        below.discard()
    book = load_workbook(out / "s.xlsx")
    # dated by the clock it was given, not by the system's (which Workbook.save writes)
    assert book.properties.modified == book.properties.created == datetime(2026, 11, 3, 2, 4, 5)
    read = book["Chi tiết"]
    assert [c.value for c in read[1]] == ["Hồ sơ <A&B> \"x\"", " lề ", "ab", None, 7, 2.5,
                                          datetime(2026, 10, 5, 9, 0)]
    assert read["B2"].value == "=SUM(A1)" and read["B2"].data_type == "s"  # text, never a formula
    assert read.row_dimensions[1].height == 20
    assert [[c.value for c in row] for row in book["Quá hạn"].iter_rows()] == [["STT", "Mã hồ sơ"], [1, "A-1"]]
    assert book.sheetnames == ["Chi tiết", "Quá hạn"]
    assert not alone.path.exists() and not below.path.exists()


def test_disk_full_becomes_a_clear_message(month, out, monkeypatch, admin):
    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(DeskError) as err:
        write_report(out / "r.xlsx", "2026-10", clock=CLOCK, by=admin)
    assert "r.xlsx" in str(err.value)
    assert list(out.iterdir()) == []


def test_missing_folder_becomes_a_clear_message(office, out, admin):
    with pytest.raises(DeskError) as err:
        write_report(out / "no" / "such" / "r.xlsx", "2026-10", clock=CLOCK, by=admin)
    assert str(out / "no" / "such") in str(err.value)


# -- LibreOffice recomputes the formulas ------------------------------------------------------------
def soffice_convert(source, outdir, target: str, tmp_path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: another soffice may be running
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                    "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=180)


@pytest.mark.slow
@pytest.mark.parametrize("cutoff", ["calendar", "15th"])
def test_libreoffice_computes_the_same_totals(month, out, tmp_path, cutoff, admin):
    path = write_report(out / "r.xlsx", "2026-10", cutoff, clock=CLOCK, by=admin)
    outdir = tmp_path / "lo"
    soffice_convert(path, outdir, "xlsx", tmp_path)
    ws = load_workbook(outdir / "r.xlsx", data_only=True)["Tổng hợp"]
    stats = compute_statistics("2026-10", cutoff, clock=CLOCK)
    for r, row in ((9, stats.rows[0]), (10, stats.rows[1]), (11, stats.total)):
        assert [ws[f"{x}{r}"].value for x in "CDEFGHIJKLMNO"] == [
            row.received_total, row.new_online, row.new_direct, row.carried_over, row.resolved_total,
            row.resolved_early, row.resolved_on_time, row.resolved_late, row.pending_total, row.pending_in_time,
            row.pending_overdue, row.stopped, row.refused_or_withdrawn]
        assert ws[f"P{r}"].value == pytest.approx(row.on_time_rate)
        assert ws[f"Q{r}"].value == pytest.approx(row.online_rate)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_digitisation_columns(any_office: str, out: Path, admin: Actor) -> None:
    """Issue 12: one of two dossiers received has a file for every required component: 1 and 50 % in its
    field's row and in the total; a component marked no-digitisation then counts as not missing."""
    from desk.models import Procedure

    two = [DocumentItem("Tờ khai đăng ký", 1, "original"), DocumentItem("Bản sao CCCD", 1, "copy")]
    codes = [register(IntakeRequest("T-KT", Applicant(name=name), documents=two, received_at=t(11, 16, 9, minute)),
                      clock=CLOCK, actor=admin).code for name, minute in (("Lê Văn Cường", 0), ("Vũ Thị Hoa", 5))]
    attach(codes[0], PDF, component=1, actor=admin, clock=CLOCK)
    attach(codes[0], PDF, component=2, actor=admin, clock=CLOCK)
    attach(codes[1], PDF, component=1, actor=admin, clock=CLOCK)
    ws = load_workbook(write_report(out / "so-hoa.xlsx", "2026-11", clock=CLOCK, by=admin))["Tổng hợp"]
    assert (ws["R6"].value, ws["S6"].value) == ("Số hồ sơ đã số hóa đủ thành phần", "Tỷ lệ số hóa (%)")
    assert ws["B9"].value == "Hộ tịch"
    assert [ws[ref].value for ref in ("R9", "S9", "R10", "S10", "R11", "S11")] == [1, 0.5, 0, None, 1, 0.5]
    assert ws["S9"].number_format == "0.00%" and ws["R9"].number_format == "#,##0"
    marked = [{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"},
              {"name": "Bản sao CCCD", "count": 1, "kind": "copy", "no_digitisation": True}]
    Procedure.update(documents=json.dumps(marked, ensure_ascii=False)).where(Procedure.code == "T-KT").execute()
    ws = load_workbook(write_report(out / "so-hoa-2.xlsx", "2026-11", clock=CLOCK, by=admin))["Tổng hợp"]
    assert [ws[ref].value for ref in ("R9", "S9", "R11", "S11")] == [2, 1, 2, 1]


def test_period_digitisation_is_what_the_screen_and_the_json_show(any_office: str, admin: Actor) -> None:
    """The figures beside the statistics, aligned with their rows (zeros for a field nothing came in for), the
    field filter honoured, and ``report --json``'s "digitisation" (rates as fractions, like the others); a clerk
    may read them, as the screen does."""
    two = [DocumentItem("Tờ khai đăng ký", 1, "original"), DocumentItem("Bản sao CCCD", 1, "copy")]
    codes = [register(IntakeRequest("T-KT", Applicant(name=name), documents=two, received_at=t(11, 16, 9, minute)),
                      clock=CLOCK, actor=admin).code for name, minute in (("Lê Văn Cường", 0), ("Vũ Thị Hoa", 5))]
    register(IntakeRequest("T-KT", Applicant(name="Đỗ Minh Tâm"), documents=two, received_at=t(10, 30, 9)),
             clock=CLOCK, actor=admin)  # October's: not November's base
    for component in (1, 2):
        attach(codes[0], PDF, component=component, actor=admin, clock=CLOCK)
    clerk = Actor(None, "clerk", "Cán bộ", "clerk")
    stats = compute_statistics("2026-11", clock=CLOCK)
    table = report_workbook.period_digitisation(stats, actor=clerk)
    assert [(r.field_code, r.digitised, r.total) for r in table.rows] == [("HT", 1, 2), ("CT", 0, 0)]
    assert (table.total.digitised, table.total.total) == (1, 2)
    data = report_workbook.statistics_json(stats, table)
    assert data["total"] == stats.total.to_json()
    assert data["digitisation"]["rows"][0] == {"field_code": "HT", "field_name": "Hộ tịch", "received": 2,
                                               "digitised": 1, "rate": 0.5}
    assert data["digitisation"]["rows"][1]["rate"] is None
    assert data["digitisation"]["total"] == {"field_code": "", "field_name": "Tổng cộng", "received": 2,
                                             "digitised": 1, "rate": 0.5}
    only = report_workbook.period_digitisation(compute_statistics("2026-11", field_code="CT", clock=CLOCK),
                                               actor=clerk)
    assert [(r.field_code, r.total) for r in only.rows] == [("CT", 0)] and only.total.total == 0
    json.dumps(data, default=str)  # what the CLI prints
