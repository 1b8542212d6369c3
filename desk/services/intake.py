"""Registering a dossier: validate, number, compute the deadline, audit — one transaction."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from peewee import IntegrityError

from desk.errors import ValidationError
from desk.i18n import _
from desk.models import DailySequence, Dossier, DossierEvent, Procedure
from desk.models.db import run_write
from desk.services import limits
from desk.services.accounts import Actor, acting_staff, require
from desk.services.calendar import WorkCalendar, load_calendar
from desk.services.clock import LOCAL_TZ, Clock, local_date, office_time, to_db
from desk.services.codes import DossierCode
from desk.services.dossiers import (
    CHANNELS,
    DocumentItem,
    DossierInfo,
    Status,
    dossier_row,
    load_documents,
    to_info,
)
from desk.services.identity import id_number_problems
from desk.services.kinds import Channel, Role
from desk.services.office import find_point, require_set_up
from desk.services.sequences import next_value
from desk.text import clean, fold, is_digits

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


@dataclass
class Applicant:
    name: str
    id_number: str = ""
    birth_date: date | None = None
    gender: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class IntakeRequest:
    procedure_code: str
    applicant: Applicant
    channel: Channel | str = Channel.DIRECT
    reception_point: str | int | None = None
    return_point: str | int | None = None
    documents: list[DocumentItem] | None = None  # None → the procedure's required list
    sets: int = 1
    writing_assistance: bool = False
    received_at: datetime | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)


def normalize_phone(phone: str) -> str:
    digits = _PHONE_SEPARATORS.sub("", phone or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate(request: IntakeRequest, now: datetime) -> tuple[Procedure, dict[str, Any]]:
    """Every problem at once, keyed by field, so the form can mark them all.

    Lengths come from the Dossier model and dates from the bounds in limits.py, so what one engine
    accepts the other accepts too.
    """
    problems: dict[str, str] = {}
    a = request.applicant
    name = limits.check_name(problems, "name", a.name, _("Applicant's full name"), Dossier.applicant_name)
    if not name and "name" not in problems:
        problems["name"] = _("Applicant's full name is required")
    id_number = (a.id_number or "").strip() if isinstance(a.id_number, str) else ""
    if id_number:
        id_problems = id_number_problems(id_number, a.birth_date, a.gender or None, today=local_date(now))
        if id_problems:
            problems["id_number"] = id_problems[0]
    if a.birth_date:
        birth_problem = limits.birth_problem(a.birth_date, local_date(now))
        if birth_problem:
            problems["birth_date"] = birth_problem
    gender = clean(a.gender)
    if gender and gender not in ("Nam", "Nữ"):
        problems["gender"] = _("Gender must be Nam or Nữ")
    address = limits.check_text(problems, "address", a.address, _("Address"), Dossier.address)
    phone = normalize_phone(a.phone)
    if phone and not (is_digits(phone) and phone.startswith("0") and len(phone) in (10, 11)):
        problems["phone"] = _("Phone number must have 10 or 11 digits and start with 0 (or +84)")
    email = (a.email or "").strip()
    if email and not (_EMAIL.match(email) and email.isprintable()):
        problems["email"] = _("Email address is not valid: {email}").format(email=email[:80])
    limits.check_text(problems, "email", email, _("Email"), Dossier.email)
    notes = limits.check_text(problems, "notes", request.notes, _("Notes"), limit=limits.MAX_NOTE_CHARS)
    if request.channel not in CHANNELS:
        problems["channel"] = _("Channel must be direct, online or postal")
    try:
        sets = int(request.sets or 0)
    except (TypeError, ValueError):
        sets = 0
    if not 1 <= sets <= 100:
        problems["sets"] = _("Number of sets must be between 1 and 100")
    received_at = office_time(request.received_at) if request.received_at else now  # naive: typed office time
    receipt_problem = limits.receipt_problem(received_at, now)
    if receipt_problem:
        problems["received_at"] = receipt_problem
    code = limits.lookup_text(request.procedure_code, Procedure.code)
    procedure = Procedure.get_or_none(Procedure.code == code) if code else None
    if procedure is None:
        problems["procedure"] = _("Unknown procedure code: {code}").format(code=str(request.procedure_code)[:80])
    elif not procedure.active:
        problems["procedure"] = _("Procedure {code} is no longer in use").format(code=procedure.code)
    documents = _checked_documents(request.documents, problems)
    points = {}
    for key in ("reception_point", "return_point"):
        try:
            points[key] = find_point(getattr(request, key))
        except ValidationError as exc:
            problems[key] = exc.problems["reception_point"]
    if problems:
        raise ValidationError(problems)
    assert procedure is not None  # an unknown code set problems["procedure"] above
    values: dict[str, Any] = {
        "applicant_name": name,
        "applicant_name_folded": fold(name),
        "id_number": id_number,
        "birth_date": a.birth_date,
        "gender": gender,
        "address": address,
        "phone": phone,
        "email": email,
        "channel": request.channel,
        "reception_point": points["reception_point"],
        "return_point": points["return_point"] or points["reception_point"],
        "sets": sets,
        "writing_assistance": bool(request.writing_assistance),
        "received_at": received_at,
        "notes": notes,
    }
    if documents is not None:
        values["documents"] = documents
    return procedure, values


def _checked_documents(items: list[DocumentItem] | None, problems: dict[str, str]) -> list[DocumentItem] | None:
    """The documents handed in, names cleaned; None means "the procedure's list"."""
    if items is None:
        return None
    if len(items) > limits.MAX_DOCUMENTS:
        problems["documents"] = _("At most {count} documents in one dossier").format(count=limits.MAX_DOCUMENTS)
        return None
    checked = []
    for item in items:
        name = clean(item.name) if isinstance(item.name, str) else ""
        count = item.count if isinstance(item.count, int) and not isinstance(item.count, bool) else 0
        if not name or not 1 <= count <= 1000 or item.kind not in ("original", "copy"):
            problems["documents"] = _("Each document needs a name, a count from 1 to 1000, original or copy")
            return None
        long_name = limits.too_long(name, _("Document name"), limits.MAX_DOCUMENT_NAME_CHARS)
        if long_name:
            problems["documents"] = long_name
            return None
        checked.append(DocumentItem(name, count, item.kind))
    return checked


def next_sequence(office_id: int, day: date) -> int:
    """Bump and return the dossier counter of the (full) local receipt date (sequences.py: the row lock
    serialises desks until commit, so no gaps)."""
    return next_value(DailySequence, office_id, day)


def _code_taken(code: str) -> ValidationError:
    # Only dates a century apart share a code (it shows yymmdd); the unique code column refuses the
    # second, and the clerk learns why instead of seeing a database error.
    return ValidationError({"received_at": _(
        "The dossier code {code} is already used by a dossier received on another date with the same "
        "day and month a century apart. Nothing was saved; check the date received.").format(code=code)})


def register(
    request: IntakeRequest,
    *,
    actor: Actor,
    clock: Clock | None = None,
    calendar: WorkCalendar | None = None,
) -> DossierInfo:
    """Log a dossier and give it its code and deadline; nothing is written if anything fails.

    ``actor`` is the clerk at the desk (any staff role); the audit event names that account.
    """
    require(actor, Role.CLERK)
    office = require_set_up()  # no dossier under an identity nobody gave (D27)
    clock = clock or Clock()
    now = clock.now()
    procedure, values = validate(request, now)
    calendar = calendar or load_calendar(office)
    received_local = values["received_at"].astimezone(LOCAL_TZ)
    due = calendar.due_at(procedure, received_local)
    documents = values.pop("documents", None)
    if documents is None:
        documents = list(load_documents(procedure.documents))
    documents_json = json.dumps([d.__dict__ for d in documents], ensure_ascii=False)

    tried: list[str] = []

    def work() -> str:
        staff = acting_staff(actor, Role.CLERK)
        number = next_sequence(office.id, received_local.date())
        code = str(DossierCode(office.code, received_local.date(), number))
        tried.append(code)
        if Dossier.select().where(Dossier.code == code).exists():
            raise _code_taken(code)
        row = Dossier.create(
            code=code,
            office=office,
            procedure=procedure,
            documents=documents_json,
            due_at=to_db(due),
            appointment_at=to_db(due),
            status=Status.RECEIVED,
            received_by=staff.id,
            updated_at=to_db(now),
            **{**values, "received_at": to_db(values["received_at"])},
        )
        DossierEvent.create(
            dossier=row,
            at=to_db(values["received_at"]),
            actor=staff.id,
            actor_name=staff.full_name,
            action="receive",
            from_status=None,
            to_status=Status.RECEIVED,
            note=values["notes"],
            data=json.dumps({"due_at": due.isoformat(), "channel": values["channel"]}, ensure_ascii=False),
        )
        return code

    try:
        code = run_write(work)
    except IntegrityError as exc:  # two desks, two dates sharing yymmdd, at the same moment
        if "code" not in str(exc).lower():
            raise
        raise _code_taken(tried[-1] if tried else "") from exc
    return to_info(dossier_row(code))
