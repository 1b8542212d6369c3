"""The leaders' "Bộ chỉ số 766" scorecard: what the desk can measure of Decision 766/QĐ-TTg, month by month.

Decision 766/QĐ-TTg (23 June 2022) scores offices on five criteria; the desk measures four of them from its
own register (publicity is not the desk's to measure):

* progress and results (tiến độ, kết quả giải quyết): the on-time rate, and the overdue dossiers;
* online services (cung cấp dịch vụ trực tuyến): the share of dossiers received online;
* digitisation (số hóa hồ sơ): the share of dossiers received with every required component digitised;
* satisfaction (mức độ hài lòng): the satisfaction rate of the citizens' ratings and their number.

Each figure has the same meaning as in the monthly table (desk.services.statistics) and the satisfaction
figures (desk.services.ratings), month by month, so the scorecard's month equals that month's report. The
12 months cost one query per figure over the whole window, not one per month: the received / resolved
counts come from the trend's one UNION query, the overdue dossiers from one query with a sum per month, the
ratings from one grouped query; only the digitisation count runs per month, each over that month's dossiers
(a disjoint index range, so the 12 calls read one year of receipts once).

The indicators' names and definitions are the official Vietnamese wording, as on the workbook (no gettext).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import SQL, Case, ColumnBase, fn

from desk.errors import ValidationError
from desk.i18n import _
from desk.models import Dossier, Rating
from desk.models.rows import tuples
from desk.services.accounts import Actor, require
from desk.services.attachments import digitisation_counts
from desk.services.clock import LOCAL_TZ, Clock, to_db
from desk.services.dossiers import CLOSED_STATUSES, OPEN_STATUSES
from desk.services.kinds import RatingLevel, Role
from desk.services.office import current_office
from desk.services.periods import Period, as_period
from desk.services.statistics import monthly_trend, snapshot

MONTHS = 12


@dataclass(frozen=True)
class Indicator:
    """One line of the scorecard: its key, the criterion of Decision 766 it serves, its name and definition."""

    key: str
    criterion: str
    name: str
    definition: str


INDICATORS = (
    Indicator("on_time_rate", "Tiến độ, kết quả giải quyết", "Tỷ lệ hồ sơ giải quyết đúng hạn",
              "Số hồ sơ giải quyết trước hạn và đúng hạn / số hồ sơ đã giải quyết trong tháng; đúng hạn theo hạn "
              "giải quyết theo quy định, kể cả khi đã có phiếu xin lỗi và đề nghị gia hạn."),
    Indicator("overdue", "Tiến độ, kết quả giải quyết", "Số hồ sơ quá hạn",
              "Số hồ sơ đang giải quyết đã quá hạn tại thời điểm cuối tháng (hoặc thời điểm lập báo cáo nếu tháng "
              "chưa kết thúc) cộng số hồ sơ giải quyết quá hạn trong tháng."),
    Indicator("online_share", "Cung cấp dịch vụ trực tuyến", "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
              "Số hồ sơ tiếp nhận qua dịch vụ công trực tuyến / số hồ sơ tiếp nhận mới trong tháng."),
    Indicator("digitisation_rate", "Số hóa hồ sơ", "Tỷ lệ hồ sơ số hóa đủ thành phần",
              "Số hồ sơ tiếp nhận trong tháng đã số hóa đủ các thành phần phải số hóa / số hồ sơ tiếp nhận "
              "trong tháng (thành phần không phải số hóa không tính)."),
    Indicator("satisfaction_rate", "Mức độ hài lòng", "Tỷ lệ hài lòng",
              "(Số lượt đánh giá rất hài lòng + hài lòng) / số lượt đánh giá trong tháng; một hồ sơ được đánh "
              "giá một lần, sau khi trả kết quả."),
    Indicator("ratings", "Mức độ hài lòng", "Số lượt đánh giá",
              "Số lượt người dân, tổ chức đánh giá mức độ hài lòng trong tháng (tại kiosk, màn hình tại quầy, "
              "trang tra cứu trên điện thoại)."),
)


@dataclass(frozen=True)
class ScoreMonth:
    """One month of the scorecard: the counts; the rates are derived (None when their base is zero)."""

    period: Period
    as_of: datetime  # aware: the moment "overdue" is judged (the month's end, or now while it runs)
    received: int = 0
    received_online: int = 0
    resolved: int = 0
    resolved_on_time: int = 0  # early + on time
    pending_overdue: int = 0
    digitised: int = 0
    ratings: int = 0
    satisfied: int = 0  # very satisfied + satisfied

    @property
    def resolved_late(self) -> int:
        return self.resolved - self.resolved_on_time

    @property
    def overdue(self) -> int:
        """Pending past the due date at the month's end plus resolved late in the month."""
        return self.pending_overdue + self.resolved_late

    @property
    def on_time_rate(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None

    @property
    def online_share(self) -> float | None:
        return self.received_online / self.received if self.received else None

    @property
    def digitisation_rate(self) -> float | None:
        return self.digitised / self.received if self.received else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None

    def value(self, key: str) -> float | int | None:
        """The figure of indicator ``key`` (INDICATORS)."""
        return getattr(self, key)

    def to_json(self) -> dict:
        return {"period": self.period.text, "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(), "as_of": self.as_of.isoformat(), "received": self.received,
                "received_online": self.received_online, "resolved": self.resolved,
                "resolved_on_time": self.resolved_on_time, "resolved_late": self.resolved_late,
                "pending_overdue": self.pending_overdue, "overdue": self.overdue, "digitised": self.digitised,
                "ratings": self.ratings, "satisfied": self.satisfied, "on_time_rate": self.on_time_rate,
                "online_share": self.online_share, "digitisation_rate": self.digitisation_rate,
                "satisfaction_rate": self.satisfaction_rate}


@dataclass(frozen=True)
class Scorecard:
    """The scorecard of the ``MONTHS`` periods ending with ``last``, oldest first, with the indicators."""

    office_name: str
    months: tuple[ScoreMonth, ...]
    indicators: tuple[Indicator, ...] = INDICATORS

    @property
    def first(self) -> Period:
        return self.months[0].period

    @property
    def last(self) -> Period:
        return self.months[-1].period

    def describe(self) -> str:
        """"Từ tháng 12/2025 đến tháng 11/2026 (từ ngày 01/12/2025 đến ngày 30/11/2026)"."""
        return (f"Từ tháng {self.first.label} đến tháng {self.last.label} (từ ngày {self.first.first_day:%d/%m/%Y} "
                f"đến ngày {self.last.last_day:%d/%m/%Y})")

    def to_json(self) -> dict:
        return {"office": self.office_name, "first": self.first.text, "last": self.last.text,
                "cutoff": self.last.cutoff, "period": self.describe(),
                "indicators": [{"key": i.key, "criterion": i.criterion, "name": i.name, "definition": i.definition}
                               for i in self.indicators],
                "months": [m.to_json() for m in self.months]}


def _as_of(p: Period, now: datetime) -> datetime:
    return max(min(p.end, now.astimezone(LOCAL_TZ)), p.start).astimezone(LOCAL_TZ)


def _bucket(column: ColumnBase, edges: list[datetime]) -> Case:
    """The index of the month a stored moment falls in (edges: the months' naive-UTC starts, then the end)."""
    return Case(None, [(column < edge, i) for i, edge in enumerate(edges[1:-1])], len(edges) - 2)


def _overdue_per_month(periods: list[Period], as_ofs: list[datetime]) -> list[int]:
    """Dossiers still open at each month's end and past their legal due moment at its report moment, as
    the monthly table counts ``pending_overdue``: ONE query with a sum per month.

    A dossier counts in month m when received before its end, neither resolved nor (never resolved and)
    closed before its end, and due before the month's report moment. Only dossiers that were ever late
    can count: still open ones (status index), and those resolved or closed in the window after their due
    moment (resolved_at index, the closed statuses)."""
    d = Dossier
    ends = [to_db(p.end) for p in periods]
    moments = [to_db(a) for a in as_ofs]
    first_end = ends[0]
    sums = []
    for end, moment in zip(ends, moments, strict=True):
        resolved_before = d.resolved_at.is_null(False) & (d.resolved_at < end)
        closed_before = d.resolved_at.is_null() & d.closed_at.is_null(False) & (d.closed_at < end)
        counted = (d.received_at < end) & ~resolved_before & ~closed_before & (d.due_at < moment)
        sums.append(fn.SUM(Case(None, [(counted, 1)], 0)))
    candidates = ((d.status.in_(sorted(OPEN_STATUSES)) & (d.received_at < ends[-1]))
                  | ((d.resolved_at >= first_end) & (d.resolved_at > d.due_at))
                  | (d.status.in_(sorted(CLOSED_STATUSES)) & d.resolved_at.is_null() & (d.closed_at >= first_end)
                     & (d.closed_at > d.due_at)))
    row = next(iter(tuples(d.select(*sums).where(candidates & (d.due_at < moments[-1])))))
    return [int(v or 0) for v in row]


def _ratings_per_month(edges: list[datetime]) -> dict[int, tuple[int, int]]:
    """(ratings, satisfied) per month index: one grouped query."""
    satisfied = [level.value for level in RatingLevel if level.satisfied]
    found = tuples(Rating.select(_bucket(Rating.at, edges).alias("k"), fn.COUNT(Rating.id),
                                 fn.SUM(Case(None, [(Rating.level.in_(satisfied), 1)], 0)))
                   .where((Rating.at >= edges[0]) & (Rating.at < edges[-1])).group_by(SQL("k")))
    return {int(k): (int(n or 0), int(s or 0)) for k, n, s in found}


def compute_scorecard(last: str | Period, cutoff: str = "calendar", months: int = MONTHS, *, by: Actor,
                      clock: Clock | None = None) -> Scorecard:
    """The scorecard of the ``months`` periods ending with ``last`` (calendar months or 15th–14th), oldest
    first, in one snapshot. A leader's figure, like the report (the digitisation count is one)."""
    require(by, Role.LEADER)
    if not 1 <= months <= 120:
        raise ValidationError({"months": _("The trend covers 1 to 120 months")})
    end = as_period(last, cutoff)
    now = (clock or Clock()).now()
    periods = [end.shifted(i - months + 1) for i in range(months)]
    as_ofs = [_as_of(p, now) for p in periods]
    edges = [to_db(p.start) for p in periods] + [to_db(end.end)]
    with snapshot():
        trend = monthly_trend(end, end.cutoff, months)
        overdue = _overdue_per_month(periods, as_ofs)
        rated = _ratings_per_month(edges)
        digitised = [sum(row.digitised for row in digitisation_counts(p.first_day, p.last_day, actor=by))
                     for p in periods]
        office = current_office().name
    rows = tuple(ScoreMonth(p, as_ofs[i], trend[i].received, trend[i].received_online, trend[i].resolved,
                            trend[i].resolved_on_time, overdue[i], digitised[i], *rated.get(i, (0, 0)))
                 for i, p in enumerate(periods))
    return Scorecard(office, rows)
