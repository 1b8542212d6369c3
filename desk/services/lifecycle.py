"""The dossier state machine: one table of allowed moves, each move one transaction with its audit event."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from desk.errors import DeskError, TransitionError, ValidationError
from desk.i18n import _
from desk.models import Dossier, DossierEvent, Staff
from desk.models.db import run_write
from desk.services import limits
from desk.services.accounts import Actor, acting_staff, require
from desk.services.clock import Clock, from_db, office_time, to_db
from desk.services.dossiers import CLOSED_STATUSES, OPEN_STATUSES, DossierInfo, Status, dossier_row, to_info
from desk.services.kinds import Role, StopCase

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.PROCESSING, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}),
    Status.PROCESSING: frozenset({Status.NEEDS_SUPPLEMENT, Status.RESOLVED, Status.REFUSED, Status.WITHDRAWN,
                                  Status.STOPPED}),
    Status.NEEDS_SUPPLEMENT: frozenset({Status.PROCESSING, Status.WITHDRAWN, Status.STOPPED}),
    Status.RESOLVED: frozenset({Status.RETURNED}),
    Status.RETURNED: frozenset(),
    Status.REFUSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.STOPPED: frozenset(),
}
# Moves whose slip must say why (Mẫu 02 what to supplement, Mẫu 03 the reasons, Mẫu 05 the Art. 21 reason).
NOTE_REQUIRED = frozenset({Status.NEEDS_SUPPLEMENT, Status.REFUSED, Status.STOPPED})
# Moves that only their own function makes, as they record more than a note (stop(): the Art. 21 case).
OWN_FUNCTION = frozenset({Status.STOPPED})


class ConcurrentChange(DeskError):
    """Someone else changed the dossier since it was read."""


def allowed_moves(status: Status | str) -> frozenset[Status]:
    return TRANSITIONS[Status(status)]


def _check_range(at: datetime, problems: dict[str, str]) -> None:
    """Before any comparison: time-zone arithmetic near year 1 or 9999 overflows."""
    if not limits.moment_in_range(at):
        problems["at"] = _("The time of an action must be a date from {first} to now").format(
            first=f"{limits.EARLIEST_RECEIPT:%d/%m/%Y}")


def _check_time(row: Dossier, at: datetime, now: datetime) -> None:
    if at > now + limits.FUTURE_TOLERANCE:
        raise ValidationError({"at": _("The time of an action cannot be in the future")})
    last = (DossierEvent.select(DossierEvent.at).where(DossierEvent.dossier == row)
            .order_by(DossierEvent.at.desc()).first())
    if last is not None and at < from_db(last.at):
        raise ValidationError({"at": _("The time of an action cannot be before the dossier's last action ({last})")
                               .format(last=f"{from_db(last.at):%H:%M %d/%m/%Y}")})


def _save(row: Dossier, expected_version: int | None, changes: dict, event: dict) -> None:
    """Write the row change (guarded by its version) and the audit event together."""
    version = row.version if expected_version is None else expected_version
    updated = (Dossier.update(**changes, version=Dossier.version + 1)
               .where((Dossier.id == row.id) & (Dossier.version == version))
               .execute())
    if updated != 1:
        last = (DossierEvent.select().where(DossierEvent.dossier == row)
                .order_by(DossierEvent.at.desc(), DossierEvent.id.desc()).first())
        who = last.actor_name if last else "?"
        when = f"{from_db(last.at):%H:%M %d/%m/%Y}" if last else "?"
        raise ConcurrentChange(_("Dossier {code} was changed by {name} at {time}. Reload it and try again.")
                               .format(code=row.code, name=who, time=when))
    DossierEvent.create(dossier=row, **event)


def _as_it_stands(code: str, actor: Actor) -> tuple[Staff, Dossier, Status]:
    """Inside a change's transaction: the acting account, the dossier's row and its status now."""
    staff = acting_staff(actor, Role.CLERK)
    row = dossier_row(code)
    return staff, row, Status(row.status)


def _event(staff: Staff, moment: datetime, action: str, current: Status, target: Status, note: str,
           data: str) -> dict:
    """The audit event of a change, in the shape _save writes it (one shape for every action)."""
    return {"at": to_db(moment), "actor": staff.id, "actor_name": staff.full_name, "action": action,
            "from_status": current, "to_status": target, "note": note, "data": data}


def advance(
    code: str,
    to: Status | str,
    *,
    actor: Actor,
    note: str = "",
    at: datetime | None = None,
    returned_to: str = "",
    expected_version: int | None = None,
    clock: Clock | None = None,
) -> DossierInfo:
    """Move a dossier to ``to`` if the table allows it; otherwise raise and change nothing.

    ``actor`` is the member of staff doing it (any role); the audit event names that account.
    """
    require(actor, Role.CLERK)
    target = _member(Status, to, "status", _("Unknown status: {status}. Use one of: {choices}"))
    if target in OWN_FUNCTION:
        raise ValidationError({"status": _("A dossier is stopped with its own action \"Stop handling\" (it records "
                                           "the case of Decree 118/2025 Art. 21)")})
    return _move(code, target, action="advance", actor=actor, note=note, at=at, returned_to=returned_to,
                 expected_version=expected_version, clock=clock)



E = TypeVar("E", bound=StrEnum)


def _member(kind: type[E], value: object, key: str, message: str) -> E:
    """``value`` as a member of the str enum ``kind``, or a refusal under ``key`` naming the choices
    (``message`` is translated and names the value by ``key`` and the choices as {choices})."""
    try:
        return kind(str(value))
    except ValueError as exc:
        choices = ", ".join(member.value for member in kind)
        raise ValidationError({key: message.format(**{key: str(value)[:40]}, choices=choices)}) from exc

def stop(
    code: str,
    *,
    reason: str,
    actor: Actor,
    clock: Clock | None = None,
    case: StopCase | str = StopCase.APPLICANT_REQUEST,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> DossierInfo:
    """Stop handling an open dossier (Decree 118/2025 Art. 21; the notice is Mẫu 05).

    The audit event's action is "stop", its note the reason and its data ``{"case": ...}``; the
    dossier is closed (``closed_at``) and counted in the statistics' "stopped" column (D42).
    """
    require(actor, Role.CLERK)
    stop_case = _member(StopCase, case, "case", _("Unknown case of stopping: {case}. Use one of: {choices}"))
    return _move(code, Status.STOPPED, action="stop", actor=actor, note=reason, at=at, returned_to="",
                 expected_version=expected_version, clock=clock, data={"case": stop_case.value})


def _move(code: str, target: Status, *, action: str, actor: Actor, note: str, at: datetime | None,
          returned_to: str, expected_version: int | None, clock: Clock | None,
          data: dict[str, str] | None = None) -> DossierInfo:
    """The one way a status changes: checked against TRANSITIONS, written with its audit event."""
    clock = clock or Clock()
    now = clock.now()
    moment = office_time(at) if at else now  # naive: office time a person gave
    problems: dict[str, str] = {}
    _check_range(moment, problems)
    note = limits.check_text(problems, "note", note, _("Note"), limit=limits.MAX_NOTE_CHARS)
    returned_to = limits.check_name(problems, "returned_to", returned_to, _("Name of the person collecting the "
                                                                           "result"), Dossier.returned_to)
    if problems:
        raise ValidationError(problems)

    def work() -> None:
        staff, row, current = _as_it_stands(code, actor)
        if target not in TRANSITIONS[current]:
            allowed = ", ".join(s.label for s in sorted(TRANSITIONS[current])) or _("none (the dossier is closed)")
            raise TransitionError(
                _("Dossier {code} is \"{current}\" and cannot become \"{target}\". Allowed next steps: {allowed}.")
                .format(code=row.code, current=current.label, target=target.label, allowed=allowed))
        if target in NOTE_REQUIRED and not note:
            raise ValidationError({"note": _("Please write the reason (it is printed on the slip)")})
        _check_time(row, moment, now)
        changes: dict = {"status": target, "updated_at": to_db(now)}
        if target == Status.RESOLVED:
            changes["resolved_at"] = to_db(moment)
        elif target == Status.RETURNED:
            changes["returned_at"] = to_db(moment)
            changes["returned_to"] = returned_to or row.applicant_name
        elif target in CLOSED_STATUSES:
            changes["closed_at"] = to_db(moment)
        if target == Status.PROCESSING and current == Status.RECEIVED:
            changes["handler"] = staff.id
        payload = dict(data or {})
        if target == Status.RETURNED:
            payload["returned_to"] = changes["returned_to"]
        text = json.dumps(payload, ensure_ascii=False) if payload else "{}"
        _save(row, expected_version, changes, _event(staff, moment, action, current, target, note, text))

    run_write(work)
    return to_info(dossier_row(code))


def apologize(
    code: str,
    new_appointment: datetime,
    *,
    reason: str,
    actor: Actor,
    at: datetime | None = None,
    expected_version: int | None = None,
    clock: Clock | None = None,
) -> DossierInfo:
    """Record an apology with a new return date (Mẫu 04); the legal due date stays for the statistics."""
    require(actor, Role.CLERK)
    clock = clock or Clock()
    now = clock.now()
    moment = office_time(at) if at else now  # naive: office time a person gave
    new_appointment = office_time(new_appointment)
    problems: dict[str, str] = {}
    _check_range(moment, problems)
    reason = limits.check_text(problems, "note", reason, _("Reason"), limit=limits.MAX_NOTE_CHARS)
    if not limits.moment_in_range(new_appointment):
        problems["new_appointment"] = _("The new return date must be a date from {first} to {last}").format(
            first=f"01/01/{limits.FIRST_YEAR}", last=f"31/12/{limits.LAST_YEAR}")
    if problems:
        raise ValidationError(problems)

    def work() -> None:
        staff, row, current = _as_it_stands(code, actor)
        if current not in OPEN_STATUSES:
            raise TransitionError(_("Dossier {code} is \"{current}\": an apology is only for dossiers still being "
                                    "processed.").format(code=row.code, current=current.label))
        if not reason:
            raise ValidationError({"note": _("Please write the reason for the delay (it is printed on the slip)")})
        if new_appointment <= max(from_db(row.appointment_at), moment):
            raise ValidationError({"new_appointment": _("The new return date must be after the current "
                                                        "appointment ({appointment}) and after now").format(
                appointment=f"{from_db(row.appointment_at):%H:%M %d/%m/%Y}")})
        latest = from_db(row.due_at) + limits.APOLOGY_MAX_AFTER_DUE
        if new_appointment > latest:
            raise ValidationError({"new_appointment": _("The new return date can be at most a year after the legal "
                                                        "due date, so by {latest}").format(
                latest=f"{latest:%d/%m/%Y}")})
        _check_time(row, moment, now)
        data = json.dumps({"previous_appointment": from_db(row.appointment_at).isoformat(),
                           "new_appointment": new_appointment.isoformat()})
        _save(row, expected_version, {"appointment_at": to_db(new_appointment), "updated_at": to_db(now)},
              _event(staff, moment, "apology", current, current, reason, data))

    run_write(work)
    return to_info(dossier_row(code))
