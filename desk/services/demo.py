"""Realistic generated dossiers for trying the app and for benchmarks.

Fast by construction: rows are built as tuples and written with the driver's executemany in
batches, each batch with the matching day counters, so a million dossiers with their audit
trails load in a couple of minutes and later intake continues the numbering without clashes.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from peewee import Database

from desk.errors import PermissionDenied, ValidationError
from desk.i18n import _, ngettext
from desk.models import DailySequence, Dossier, Field, Office, Procedure, ReceptionPoint, SchemaInfo, Staff
from desk.models.db import database_proxy, is_postgres, write_transaction
from desk.services.accounts import Actor, acting_staff, require
from desk.services.calendar import WorkCalendar, load_calendar
from desk.services.clock import LOCAL_TZ, OFFICE_OFFSET_TEXT, OFFICE_UTC_OFFSET, Clock
from desk.services.codes import DossierCode
from desk.services.dossiers import Status
from desk.services.kinds import Channel, Role
from desk.services.limits import EARLIEST_RECEIPT, MAX_DEMO_MONTHS
from desk.services.office import current_office, get_office_settings, set_up_office
from desk.text import fold

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Đinh", "Đoàn", "Trương", "Lương"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Đình", "Ngọc"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh", "Kim", "Phương", "Bảo", "Diệu"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn", "Tâm",
           "Thắng", "Tuấn", "Việt", "Hoàng", "Đạt", "Hiếu", "Lộc"]
GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung",
           "Oanh", "Phượng", "Thảo", "Trang", "Uyên", "Vân", "Yến"]
STREETS = ["Trần Phú", "Nguyễn Du", "Hà Huy Tập", "Phan Đình Phùng", "Lê Duẩn", "Xô Viết Nghệ Tĩnh", "Hải Thượng Lãn Ông",
           "Nguyễn Công Trứ", "Đặng Dung", "Lý Tự Trọng"]

UTC_OFFSET = OFFICE_UTC_OFFSET  # the one office offset (clock.fixed_utc_offset)
BATCH = 20_000
# Certification and civil status make up most of a ward desk's day.
FIELD_WEIGHTS = {"chung thuc": 12, "ho tich": 6}
DOSSIER_COLUMNS = (
    "id", "code", "office_id", "procedure_id", "applicant_name", "applicant_name_folded", "id_number", "birth_date",
    "gender", "address", "phone", "email", "channel", "reception_point_id", "return_point_id", "documents", "sets",
    "writing_assistance", "received_at", "due_at", "appointment_at", "status", "resolved_at", "returned_at",
    "closed_at", "returned_to", "received_by_id", "handler_id", "notes", "version", "updated_at",
)
EVENT_COLUMNS = ("dossier_id", "at", "actor_id", "actor_name", "action", "from_status", "to_status", "note", "data")
# How generated data is told from the register: every demo event names DEMO_ACTOR (after the admin who
# ran it) and the receive event's data says "demo": true; schema_info[DEMO_COUNT_KEY] counts the
# generated dossiers, bumped in the transaction that writes them, so "dossiers - demo" are real ones.
# The few stops and files added afterwards (_stop_some, _digitise_recent) go through lifecycle and
# attachments like a clerk's and name the admin who ran demo; they touch only this run's dossiers.
DEMO_ACTOR = "Dữ liệu mẫu"
DEMO_COUNT_KEY = "demo_dossiers"


def _fmt(moment: datetime | None) -> str | None:
    """Naive office time → the naive-UTC text stored in the database (Vietnam has a fixed +07:00)."""
    return None if moment is None else (moment - UTC_OFFSET).isoformat(" ")


@lru_cache(maxsize=4096)
def _folded(name: str) -> str:
    return fold(name)


def _person(rng: random.Random) -> tuple[str, str, date, str]:
    female = rng.random() < 0.5
    name = " ".join((rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M),
                     rng.choice(GIVEN_F if female else GIVEN_M)))
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 66))
    century = (birth.year // 100 - 19) * 2 + (1 if female else 0)
    id_number = f"042{century}{birth.year % 100:02d}{rng.randrange(0, 10**6):06d}"
    return name, id_number, birth, "Nữ" if female else "Nam"


def _working_days(cal: WorkCalendar, start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if cal.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def demo_dossiers() -> int:
    """How many dossiers of this database demo generated."""
    value = SchemaInfo.select(SchemaInfo.value).where(SchemaInfo.key == DEMO_COUNT_KEY).scalar()
    try:
        return int(value or 0)
    except ValueError:
        return 0


def real_dossiers() -> int:
    """Dossiers that demo did not make: registered by staff (or imported with the database)."""
    return Dossier.select().count() - demo_dossiers()


KIOSK_SAMPLE_STATUSES = ("resolved", "processing", "needs_supplement", "returned")


def sample_slips(limit: int = 4) -> list[str]:
    """Slip payloads to try the kiosk's camera with: one demo dossier per status, newest first.

    Only on a database that holds demo data and nothing else (``main.py demo``): the kiosk never makes
    a slip of a real register's dossier, since a slip is what lets a citizen's dossier be looked up.
    An empty list on a fresh database or a real one. Read-only, no personal data.
    """
    from desk.services.payload import make_payload

    if demo_dossiers() == 0 or real_dossiers() > 0:
        return []
    codes: list[str] = []
    for status in KIOSK_SAMPLE_STATUSES[:max(0, limit)]:
        row = (Dossier.select(Dossier.code).where(Dossier.status == status)
               .order_by(Dossier.received_at.desc()).first())
        if row is not None:
            codes.append(row.code)
    return [make_payload(code) for code in codes]


def _refuse_real_register() -> None:
    real = real_dossiers()
    if real > 0:
        raise PermissionDenied(ngettext(
            "This database holds {count} real dossier. Demo data is only added to a database made for trying "
            "the program (python main.py --db sqlite:///demo.db init); nothing was changed.",
            "This database holds {count} real dossiers. Demo data is only added to a "
            "database made for trying the program (python main.py --db sqlite:///demo.db init); "
            "nothing was changed.", real).format(count=real))


def _make_demo_office(actor: Actor, clock: Clock | None) -> None:
    """The office becomes a demo office (D27): its documents say they are sample data, for good.

    An office nobody set up gets the sample ward's identity and points; a set-up office without real
    dossiers keeps its identity. The sample identity thus only ever appears under the demo mark.
    """
    office = current_office()
    if office.demo:
        return
    if office.set_up_at is None:
        from desk.services.setup import SAMPLE_OFFICE, settings_of

        set_up_office(settings_of(SAMPLE_OFFICE), list(SAMPLE_OFFICE.points), by=actor, demo=True,
                      clock=clock)
    else:
        set_up_office(get_office_settings(), [], by=actor, demo=True, clock=clock)


def generate(
    count: int,
    *,
    actor: Actor,
    months: int = 18,
    seed: int = 20261122,
    clock: Clock | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Add ``count`` dossiers received over the last ``months`` months, with outcomes and audit events.

    Administrators only, and never into a register: a database holding any dossier that demo did not
    make is refused, and the office becomes a demo office (``_make_demo_office``). Every generated
    event names DEMO_ACTOR and the admin who ran it. A seed gives the same data every time: the
    steps below draw from one random generator in a fixed order.
    """
    require(actor, Role.ADMIN)
    admin = acting_staff(actor, Role.ADMIN)
    _refuse_real_register()
    _check_size(count, months)
    _make_demo_office(actor, clock)
    rng = random.Random(seed)
    now = _office_now(clock)
    office = current_office()
    cal = load_calendar(office)
    scene = _Scene.load(office, cal, now, months)
    choices, random_ = rng.choices, rng.random
    due_cache: dict[tuple, datetime] = {}
    db = database_proxy.obj
    with _bulk_load(db):
        next_id = (Dossier.select(Dossier.id).order_by(Dossier.id.desc()).scalar() or 0) + 1
        days = scene.days
        per_day = [count // len(days) + (1 if i < count % len(days) else 0) for i in range(len(days))]
        counters = {row.day: row.last_value for row in DailySequence.select().where(DailySequence.office == office)}
        actor_name = f"{DEMO_ACTOR} ({admin.full_name})"[:200]
        opens = cal.hours.opens
        day_one = now.date()  # any day: only the length of the office day counts
        span = (datetime.combine(day_one, cal.hours.closes) - datetime.combine(day_one, opens)).seconds
        totals = {s.value: 0 for s in Status}
        batch = _Batch(db, office.id, count, progress)
        for day, n in zip(days, per_day, strict=True):
            base = datetime.combine(day, opens)
            offsets = sorted(int(random_() * span) for _i in range(n))
            for offset in offsets:
                received = base + timedelta(seconds=offset)
                if received > now:
                    received = now - timedelta(minutes=1)
                procedure = choices(scene.procedures, cum_weights=scene.cum_weights)[0]
                received_at = received.replace(tzinfo=LOCAL_TZ)
                # the calendar's own account of what the due date reads of the receipt (its cut-offs)
                due_key = (procedure.id, cal.receipt_timing(procedure, received_at))
                due = due_cache.get(due_key)
                if due is None:
                    due = cal.due_at(procedure, received_at).replace(tzinfo=None)
                    due_cache[due_key] = due
                number = counters[day] = counters.get(day, 0) + 1
                code = str(DossierCode(office.code, day, number))
                row, facts = _dossier_row(rng, scene, next_id, code, office.id, procedure, received, due, now,
                                          admin.id)
                totals[facts.status.value] += 1
                batch.add(row, _events_of(next_id, admin.id, facts, actor_name), day, number)
                next_id += 1
        batch.flush()
        if is_postgres(db):
            db.execute_sql("SELECT setval(pg_get_serial_sequence('dossier', 'id'), (SELECT MAX(id) FROM dossier))")
        first_id = next_id - batch.done
        stopped = _stop_some(rng, first_id, count, now, totals, actor=actor, clock=clock)
        digitised, files = _digitise_recent(rng, first_id, now, actor=actor, clock=clock)
        return {"dossiers": batch.done, "days": len(days), "by_status": totals, "stopped": stopped,
                "digitised": digitised, "attachments": files}


# Through the services, as a clerk would (their audit events name the admin who ran demo, not DEMO_ACTOR):
# a few open dossiers stopped (lifecycle.stop), and the recent ones' components digitised (attachments.attach).
STOPS_PER_DOSSIERS = 300  # one stop per this many generated dossiers, at least one from 50, at most MAX_STOPS
MAX_STOPS = 5
STOP_REASONS = (
    ("applicant_request", "Người nộp hồ sơ đề nghị dừng giải quyết để nộp lại hồ sơ khác"),
    ("cannot_continue", "Hồ sơ thuộc trường hợp không tiếp tục giải quyết theo quy định (Điều 21 Nghị định "
                        "118/2025/NĐ-CP)"),
)
DIGITISE_DAYS = 45  # the dossiers received in these last days are the ones digitised (newest first)
DIGITISE_CANDIDATES = 400
MAX_DIGITISED = 120  # dossiers given files: enough for a rate between 0 and 100 % in the running period
DIGITISED_SHARE, PARTLY_SHARE = 0.55, 0.15  # every required component / only the first one / none


def _stop_some(rng: random.Random, first_id: int, count: int, now: datetime, totals: dict[str, int], *,
               actor: Actor, clock: Clock | None) -> int:
    """Stop a few of the generated open dossiers a little after they came in (never after now)."""
    from desk.services.lifecycle import stop

    wanted = min(MAX_STOPS, max(1, count // STOPS_PER_DOSSIERS)) if count >= 50 else 0
    open_ = [Status.RECEIVED.value, Status.PROCESSING.value, Status.NEEDS_SUPPLEMENT.value]
    rows = list(Dossier.select(Dossier.code, Dossier.status, Dossier.received_at)
                .where((Dossier.id >= first_id) & Dossier.status.in_(open_)).order_by(Dossier.id).limit(500))
    done = 0
    for row in rng.sample(rows, min(wanted, len(rows))):
        received = _office_naive(row.received_at)
        at = min(now, received + timedelta(hours=rng.randrange(1, 30), minutes=rng.randrange(0, 60)))
        if at < received + timedelta(minutes=20):  # after the dossier's own first steps
            continue
        case, reason = rng.choice(STOP_REASONS)
        stop(row.code, reason=reason, case=case, at=at.replace(tzinfo=LOCAL_TZ), actor=actor, clock=clock)
        totals[row.status] -= 1
        totals[Status.STOPPED.value] += 1
        done += 1
    return done


def _office_naive(stored: datetime | str) -> datetime:
    """A stored naive-UTC moment (text on SQLite) as naive office time."""
    moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(str(stored))
    return moment + UTC_OFFSET


def _digitise_recent(rng: random.Random, first_id: int, now: datetime, *, actor: Actor,
                     clock: Clock | None) -> tuple[int, int]:
    """Give some recent generated dossiers files for their components, so the digitisation rate is neither
    0 nor 100 %: most get one for every component that needs it, some only for the first. Returns the
    dossiers given files and the files attached."""
    from desk.services.attachments import attach, missing_components

    since = _fmt(now - timedelta(days=DIGITISE_DAYS))
    rows = list(Dossier.select(Dossier.code).where((Dossier.id >= first_id) & (Dossier.received_at >= since))
                .order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(DIGITISE_CANDIDATES))
    dossiers = files = 0
    for row in rows:
        if dossiers >= MAX_DIGITISED:
            break
        draw = rng.random()
        if draw >= DIGITISED_SHARE + PARTLY_SHARE:
            continue
        missing = missing_components(row.code, actor=actor)
        if not missing:
            continue
        if draw >= DIGITISED_SHARE:
            missing = missing[:1] if len(missing) > 1 else []
        for number, name in missing:
            pdf = rng.random() < 0.7  # most are scanned to PDF, some photographed as a picture
            content = _demo_pdf(f"{row.code} - {number}. {name}") if pdf else _demo_png(rng.randrange(1 << 30))
            attach(row.code, content, component=number, actor=actor, clock=clock,
                   file_name=f"thanh-phan-{number}.{'pdf' if pdf else 'png'}")
            files += 1
        dossiers += bool(missing)
    return dossiers, files


def _demo_pdf(title: str) -> bytes:
    """A one-page A4 PDF saying which paper it stands for (the text folded to ASCII capitals: the standard font)."""
    text = fold(title).upper().replace("\\", "").replace("(", "[").replace(")", "]")[:90]
    stream = f"BT /F1 14 Tf 60 780 Td (DU LIEU MAU - {text}) Tj ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _demo_png(seed: int, width: int = 120, height: int = 170) -> bytes:
    """A small grey-scale PNG of a page with lines of "text" (a photographed paper, as far as a demo needs)."""
    import struct
    import zlib

    pick = random.Random(seed)
    lines = {y: pick.randrange(width // 3, width - 12) for y in range(14, height - 14, 7)}
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        end = lines.get(y - y % 7) if y % 7 < 2 else None
        raw.extend(90 if end is not None and 12 <= x < end else 250 for x in range(width))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


class _Batch:
    """The generated rows waiting for their transaction (_flush), written every BATCH dossiers."""

    def __init__(self, db: Database, office_id: int, count: int,
                 progress: Callable[[int, int], None] | None) -> None:
        self.db, self.office_id, self.count, self.progress = db, office_id, count, progress
        self.done = 0
        self.dossiers: list[tuple] = []
        self.events: list[tuple] = []
        self.touched: dict[date, int] = {}  # counters are keyed by the full date; the code shows yymmdd

    def add(self, row: tuple, events: list[tuple], day: date, number: int) -> None:
        self.dossiers.append(row)
        self.events.extend(events)
        self.touched[day] = number
        if len(self.dossiers) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.dossiers:
            return
        _flush(self.db, self.dossiers, self.events, self.touched, self.office_id, first=self.done == 0)
        self.done += len(self.dossiers)
        self.dossiers, self.events, self.touched = [], [], {}
        if self.progress:
            self.progress(self.done, self.count)


def _check_size(count: int, months: int) -> None:
    problems = {}
    if not 1 <= count <= 5_000_000:
        problems["dossiers"] = _("Number of demo dossiers must be between 1 and 5,000,000")
    if not 1 <= months <= MAX_DEMO_MONTHS:
        problems["months"] = _("Demo data covers 1 to {max} months").format(max=MAX_DEMO_MONTHS)
    if problems:
        raise ValidationError(problems)


def _office_now(clock: Clock | None) -> datetime:
    """Now in office time without its offset: the rows are written as office-time text (``_fmt``)."""
    now_aware = (clock or Clock()).now().astimezone(LOCAL_TZ)
    if now_aware.utcoffset() != UTC_OFFSET:
        raise AssertionError(f"office time is expected at {OFFICE_OFFSET_TEXT}")
    return now_aware.replace(tzinfo=None)


@dataclass(frozen=True)
class _Scene:
    """What the generated dossiers are drawn from: the catalog with its weights, the points, the days."""

    procedures: list[Procedure]
    cum_weights: list[int]
    points: list[ReceptionPoint]
    staff_ids: list[int | None]
    days: list[date]

    @classmethod
    def load(cls, office: Office, cal: WorkCalendar, now: datetime, months: int) -> _Scene:
        procedures = list(Procedure.select().where(Procedure.active == True))  # noqa: E712
        if not procedures:
            raise ValidationError({"catalog": _("The catalog is empty. Run: python main.py init")})
        points = list(ReceptionPoint.select().where(ReceptionPoint.office == office))
        # Drawn as before so a seed gives the same data as it always did; the rows name the admin who ran demo.
        staff_ids: list[int | None] = [
            s.id for s in Staff.select(Staff.id).where(Staff.active == True)] or [None]  # noqa: E712
        first = max((now - timedelta(days=30 * months)).date(), EARLIEST_RECEIPT)  # receipts the intake accepts
        days = _working_days(cal, first, now.date())
        if now.time() < cal.hours.opens and days and days[-1] == now.date():
            days.pop()
        # Popular procedures get more dossiers: certification first, then civil status.
        field_names = {f.id: fold(f.name) for f in Field.select()}
        weights = [FIELD_WEIGHTS.get(field_names.get(p.field_id, ""), 1) for p in procedures]
        return cls(procedures, list(itertools.accumulate(weights)), points, staff_ids, days)


def _outcome(rng: random.Random, received: datetime, due: datetime,
             now: datetime) -> tuple[Status, datetime | None, datetime | None, datetime | None]:
    """Where a dossier received at ``received`` stands ``now``: status, resolved, returned, closed."""
    r = rng.random()
    resolved = returned = closed = None
    if r < 0.015:
        status, closed = Status.REFUSED, received + timedelta(minutes=rng.randrange(5, 240))
    elif r < 0.025:
        status, closed = Status.WITHDRAWN, received + timedelta(hours=rng.randrange(1, 72))
    else:
        start = received  # received in office hours on a working day: the clock starts now
        if r < 0.80 and due.date() > start.date():
            left = max(1, int((due - start).total_seconds() // 86400))
            resolved = start + timedelta(days=rng.randrange(0, left), minutes=rng.randrange(30, 300))
            if resolved.date() >= due.date():
                resolved = due - timedelta(days=1, minutes=rng.randrange(0, 120))
            resolved = max(resolved, received + timedelta(minutes=20))
        elif r < 0.97:
            resolved = max(due - timedelta(minutes=rng.randrange(10, 300)), received + timedelta(minutes=20))
        else:
            resolved = due + timedelta(days=rng.randrange(1, 12), minutes=rng.randrange(0, 300))
        status = Status.RESOLVED
        if resolved > now:
            resolved = None
            status = Status.NEEDS_SUPPLEMENT if rng.random() < 0.05 else (
                Status.PROCESSING if now - received > timedelta(hours=2) else Status.RECEIVED)
        elif rng.random() < 0.88:
            returned = resolved + timedelta(days=rng.randrange(0, 6), minutes=rng.randrange(10, 200))
            if returned <= now:
                status = Status.RETURNED
            else:
                returned = None
    if closed is not None and closed > now:
        closed = now
    return status, resolved, returned, closed


class _Facts(NamedTuple):
    """What the audit trail of a generated dossier is written from (office time, naive)."""

    name: str
    channel: str
    received: datetime
    due: datetime
    status: Status
    resolved: datetime | None
    returned: datetime | None
    closed: datetime | None


def _dossier_row(rng: random.Random, scene: _Scene, dossier_id: int, code: str, office_id: int,
                 procedure: Procedure, received: datetime, due: datetime, now: datetime,
                 clerk: int) -> tuple[tuple, _Facts]:
    """One dossier's row (the column order of _flush's insert): a made-up applicant, a channel and a
    point, and where it stands now; with the facts its audit trail is written from."""
    name, id_number, birth, gender = _person(rng)
    channel = rng.choices(tuple(Channel), (60, 36, 4))[0]
    point = rng.choice(scene.points) if scene.points else None
    rng.choice(scene.staff_ids)
    status, resolved, returned, closed = _outcome(rng, received, due, now)
    street = rng.choice(STREETS)
    row = (
        dossier_id, code, office_id, procedure.id, name, _folded(name), id_number, birth.isoformat(), gender,
        f"Số {rng.randrange(1, 200)} đường {street}, phường Trần Phú, Hà Tĩnh",
        f"09{rng.randrange(0, 10**8):08d}", "", channel, point.id if point else None,
        point.id if point else None, procedure.documents, 1, rng.random() < 0.05,
        _fmt(received), _fmt(due), _fmt(due), status.value, _fmt(resolved), _fmt(returned), _fmt(closed),
        name if returned else "", clerk, clerk, "", 1, _fmt(returned or resolved or closed or received),
    )
    return row, _Facts(name, channel, received, due, status, resolved, returned, closed)


def _events_of(dossier_id: int, clerk: int, f: _Facts, actor_name: str) -> list[tuple]:
    """The audit trail of a generated dossier, as lifecycle would have written it."""
    events: list[tuple] = [(dossier_id, _fmt(f.received), clerk, actor_name, "receive", None, "received", "",
               f'{{"due_at": "{f.due.isoformat()}{OFFICE_OFFSET_TEXT}", "channel": "{f.channel}", "demo": true}}')]
    if f.closed is not None:
        events.append((dossier_id, _fmt(f.closed), clerk, actor_name, "advance", "received", f.status.value,
                       "Hồ sơ không đủ điều kiện" if f.status == Status.REFUSED else "Công dân rút hồ sơ", "{}"))
        return events
    if f.status != Status.RECEIVED:
        events.append((dossier_id, _fmt(f.received + timedelta(minutes=10)), clerk, actor_name, "advance",
                       "received", "processing", "", "{}"))
    if f.status == Status.NEEDS_SUPPLEMENT:
        events.append((dossier_id, _fmt(f.received + timedelta(minutes=15)), clerk, actor_name, "advance",
                       "processing", "needs_supplement", "Bổ sung bản sao giấy tờ tùy thân", "{}"))
    if f.resolved is not None:
        events.append((dossier_id, _fmt(f.resolved), clerk, actor_name, "advance", "processing", "resolved",
                       "", "{}"))
    if f.returned is not None:
        events.append((dossier_id, _fmt(f.returned), clerk, actor_name, "advance", "resolved", "returned", "",
                       f'{{"returned_to": "{f.name}"}}'))
    return events


@contextmanager
def _bulk_load(db: Database) -> Iterator[None]:
    """Generated data can be generated again: on SQLite trade durability for speed while it loads."""
    if is_postgres(db):
        yield
        return
    db.execute_sql("PRAGMA synchronous = OFF")
    db.execute_sql("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        db.execute_sql("PRAGMA synchronous = FULL")
        db.execute_sql("PRAGMA cache_size = -65536")


def _flush(db: Database, dossiers: list[tuple], events: list[tuple], touched: dict[date, int],
           office_id: int, *, first: bool) -> None:
    """One batch, one transaction: the dossiers, their events, the day counters and the demo count move
    together. The first batch checks again, under the write lock, that no real dossier came in."""
    columns = ", ".join(DOSSIER_COLUMNS)
    event_columns = ", ".join(EVENT_COLUMNS)
    p = db.param
    with write_transaction(db):
        if first:
            _refuse_real_register()
        cursor = db.cursor()
        if is_postgres(db):
            from psycopg2.extras import execute_values

            execute_values(cursor, f"INSERT INTO dossier ({columns}) VALUES %s", dossiers, page_size=2000)
            execute_values(cursor, f"INSERT INTO dossier_event ({event_columns}) VALUES %s", events, page_size=2000)
        else:
            marks = ", ".join("?" * len(DOSSIER_COLUMNS))
            cursor.executemany(f"INSERT INTO dossier ({columns}) VALUES ({marks})", dossiers)
            marks = ", ".join("?" * len(EVENT_COLUMNS))
            cursor.executemany(f"INSERT INTO dossier_event ({event_columns}) VALUES ({marks})", events)
        db.execute_sql(
            f"INSERT INTO schema_info (key, value) VALUES ({p}, {p}) ON CONFLICT (key) DO UPDATE SET value = "
            "CAST(CAST(schema_info.value AS BIGINT) + CAST(excluded.value AS BIGINT) AS VARCHAR(255))",
            (DEMO_COUNT_KEY, str(len(dossiers))),
        )
        for day, value in touched.items():
            db.execute_sql(
                f"INSERT INTO daily_sequence (office_id, day, last_value) VALUES ({p}, {p}, {p}) "
                "ON CONFLICT (office_id, day) DO UPDATE SET last_value = "
                "CASE WHEN daily_sequence.last_value > excluded.last_value "
                "THEN daily_sequence.last_value ELSE excluded.last_value END",
                (office_id, day.isoformat(), value),
            )
