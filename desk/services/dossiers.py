"""Read side of dossiers: plain dataclasses for views, the CLI and documents."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum

from desk.errors import NotFound
from desk.i18n import N_, _
from desk.models import Dossier, DossierEvent, Field, Procedure, ReceptionPoint, Staff
from desk.models.rows import tuples
from desk.services.accounts import Actor, require
from desk.services.clock import from_db, local_date
from desk.services.kinds import Channel, DayUnit, Role
from desk.services.limits import lookup_text


class Status(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    NEEDS_SUPPLEMENT = "needs_supplement"
    RESOLVED = "resolved"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"  # dừng giải quyết (Decree 118/2025 Art. 21, Mẫu 05; D42)

    @property
    def label(self) -> str:
        return _(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.RECEIVED: N_("Received"),
    Status.PROCESSING: N_("Processing"),
    Status.NEEDS_SUPPLEMENT: N_("Needs supplement"),
    Status.RESOLVED: N_("Result ready"),
    Status.RETURNED: N_("Returned"),
    Status.REFUSED: N_("Refused"),
    Status.WITHDRAWN: N_("Withdrawn"),
    Status.STOPPED: N_("Stopped"),
}

OPEN_STATUSES = frozenset({Status.RECEIVED, Status.PROCESSING, Status.NEEDS_SUPPLEMENT})
DONE_STATUSES = frozenset({Status.RESOLVED, Status.RETURNED})
CLOSED_STATUSES = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED})

CHANNELS = {Channel.DIRECT: N_("Direct"), Channel.ONLINE: N_("Online"), Channel.POSTAL: N_("Postal")}


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    IN_TIME = "in_time"
    OVERDUE = "overdue"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return _(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.EARLY: N_("Early"),
    Outcome.ON_TIME: N_("On time"),
    Outcome.LATE: N_("Late"),
    Outcome.IN_TIME: N_("In time"),
    Outcome.OVERDUE: N_("Overdue"),
    Outcome.REFUSED: N_("Refused"),
    Outcome.WITHDRAWN: N_("Withdrawn"),
    Outcome.STOPPED: N_("Stopped"),
}


_CLOSED_OUTCOMES = {Status.REFUSED: Outcome.REFUSED, Status.WITHDRAWN: Outcome.WITHDRAWN,
                    Status.STOPPED: Outcome.STOPPED}


def resolution_outcome(resolved_at: datetime, due_at: datetime) -> Outcome:
    """Early, on time or late: THE rule, against the legal due moment (aware datetimes, any zone).

    After the due moment → late; otherwise on an earlier office-local calendar day than the due
    date → early, on the due date itself → on time. "Not late" is simply ``resolved_at <= due_at``
    (the trend's on-time count). The statistics' SQL is property-tested against this function.
    """
    if resolved_at > due_at:
        return Outcome.LATE
    return Outcome.EARLY if local_date(resolved_at) < local_date(due_at) else Outcome.ON_TIME


def classify(
    status: str,
    due_at: datetime,
    resolved_at: datetime | None,
    closed_at: datetime | None,
    at: datetime,
    *,
    end: datetime | None = None,
) -> Outcome:
    """Where a dossier stands at moment ``at`` (all aware datetimes): the one classification.

    A resolution (or, for a dossier never resolved, a refusal, withdrawal or stop) counts when it
    happened by ``at``; with ``end`` (a reporting period's exclusive end, ``at`` ≤ ``end`` being
    the report moment) when it happened before ``end``. Everything else is still open, in time
    while ``at`` ≤ the due moment, overdue after it. The due date is the legal one: an apology's new
    appointment never turns a late dossier into an on-time one.
    """
    def done(moment: datetime) -> bool:
        return moment <= at if end is None else moment < end

    if resolved_at is not None:
        if done(resolved_at):
            return resolution_outcome(resolved_at, due_at)
    elif closed_at is not None and done(closed_at):
        return _CLOSED_OUTCOMES[Status(status)] if status in _CLOSED_OUTCOMES else Outcome.WITHDRAWN
    return Outcome.IN_TIME if at <= due_at else Outcome.OVERDUE


@dataclass(frozen=True)
class DocumentItem:
    name: str
    count: int = 1
    kind: str = "original"  # original | copy
    no_digitisation: bool = False  # the catalog says this component needs no scanning (Circular 03/2025 Art. 5)


@dataclass(frozen=True)
class EventInfo:
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    note: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DossierInfo:
    id: int
    code: str
    procedure_code: str
    procedure_name: str
    field_name: str
    processing_days: int
    applicant_name: str
    id_number: str
    birth_date: date | None
    gender: str
    address: str
    phone: str
    email: str
    channel: str
    reception_point: str
    return_point: str
    documents: tuple[DocumentItem, ...]
    sets: int
    writing_assistance: bool
    received_at: datetime
    due_at: datetime
    appointment_at: datetime
    status: Status
    resolved_at: datetime | None
    returned_at: datetime | None
    closed_at: datetime | None
    returned_to: str
    received_by: str
    handler: str
    notes: str
    version: int
    day_unit: DayUnit = DayUnit.WORKING  # how processing_days count: "working" (ngày làm việc) or "calendar" (ngày)
    cutoff: str = ""  # a same-day procedure's cut-off hour ("15:00"), "" when it has none

    def outcome(self, at: datetime) -> Outcome:
        return classify(self.status, self.due_at, self.resolved_at, self.closed_at, at)

    def to_json(self, at: datetime | None = None) -> dict:
        """JSON-ready dict (ISO datetimes in office time) for the CLI and exports."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime | date):
                data[key] = value.isoformat()
        data["status"] = str(self.status)
        data["documents"] = [asdict(d) for d in self.documents]
        if at is not None:
            data["outcome"] = str(self.outcome(at))
        return data


def load_documents(raw: str) -> tuple[DocumentItem, ...]:
    try:
        items = json.loads(raw or "[]")
        return tuple(DocumentItem(str(i["name"]), int(i.get("count", 1)), str(i.get("kind", "original")),
                                  bool(i.get("no_digitisation", False)))
                     for i in items)
    except (ValueError, TypeError, KeyError):
        return ()


def _staff_name(staff: Staff | None) -> str:
    return staff.full_name if staff is not None else ""


def to_info(row: Dossier) -> DossierInfo:
    procedure: Procedure = row.procedure
    point: ReceptionPoint | None = row.reception_point
    ret: ReceptionPoint | None = row.return_point
    return DossierInfo(
        id=row.id,
        code=row.code,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        field_name=procedure.field.name,
        processing_days=procedure.processing_days,
        day_unit=DayUnit(procedure.day_unit) if procedure.day_unit in tuple(DayUnit) else DayUnit.WORKING,
        cutoff=procedure.cutoff or "",
        applicant_name=row.applicant_name,
        id_number=row.id_number,
        birth_date=row.birth_date,
        gender=row.gender,
        address=row.address,
        phone=row.phone,
        email=row.email,
        channel=row.channel,
        reception_point=point.name if point else "",
        return_point=ret.name if ret else "",
        documents=load_documents(row.documents),
        sets=row.sets,
        writing_assistance=bool(row.writing_assistance),
        received_at=from_db(row.received_at),
        due_at=from_db(row.due_at),
        appointment_at=from_db(row.appointment_at),
        status=Status(row.status),
        resolved_at=from_db(row.resolved_at),
        returned_at=from_db(row.returned_at),
        closed_at=from_db(row.closed_at),
        returned_to=row.returned_to,
        received_by=_staff_name(row.received_by),
        handler=_staff_name(row.handler),
        notes=row.notes,
        version=row.version,
    )


def dossier_row(code: str) -> Dossier:
    """The model row of a dossier, for other services inside their own checked call (never for a view)."""
    key = lookup_text(code, Dossier.code)  # None: too long or unstorable, so no dossier has it
    row = None
    if key:
        row = (Dossier.select(Dossier, Procedure, Field).join(Procedure).join(Field)
               .where(Dossier.code == key).first())
    if row is None:
        raise NotFound(_("No dossier with code {code}").format(code=str(code).strip()[:80]))
    return row


def get_dossier(code: str, *, actor: Actor) -> DossierInfo:
    """A dossier with the applicant's personal data: for staff (any role)."""
    require(actor, Role.CLERK)
    return to_info(dossier_row(code))


def history(code: str, *, actor: Actor) -> list[EventInfo]:
    """The audit trail of a dossier, oldest first: for staff (any role)."""
    require(actor, Role.CLERK)
    row = dossier_row(code)
    events = DossierEvent.select().where(DossierEvent.dossier == row).order_by(DossierEvent.at, DossierEvent.id)
    result = []
    for event in events:
        try:
            data = json.loads(event.data or "{}")
        except ValueError:
            data = {}
        result.append(EventInfo(from_db(event.at), event.actor_name, event.action, event.from_status,
                                event.to_status, event.note, data))
    return result


@dataclass(frozen=True)
class DossierRow:
    """One line of a dossier list: what a clerk scans with the eye."""

    code: str
    applicant_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    status: Status


def recent(limit: int = 200, *, actor: Actor) -> list[DossierRow]:
    """The latest dossiers received, newest first (applicants' names: staff only)."""
    require(actor, Role.CLERK)
    query = (Dossier.select(Dossier.code, Dossier.applicant_name, Procedure.name, Dossier.received_at,
                            Dossier.due_at, Dossier.status)
             .join(Procedure).order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(limit))
    return [DossierRow(code, name, proc, from_db(rec), from_db(due), Status(status))
            for code, name, proc, rec, due, status in tuples(query)]
