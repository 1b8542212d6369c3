"""Reception points of the office as plain values, for screens that let a clerk choose one.

An office receives dossiers at its own desk and at neighbourhood e-points (Tổ dân phố điện tử);
every dossier records where it was received and where the result is returned. Views list the
points through here instead of querying the models.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.models import ReceptionPoint
from desk.services.office import current_office
from desk.text import is_digits


@dataclass(frozen=True)
class PointInfo:
    id: int
    name: str
    kind: str  # office | e_point | postal
    address: str
    weekdays: tuple[int, ...]  # opening weekdays, Monday = 0
    hours: str  # "07:30-11:30,13:30-17:00", as set by the office
    active: bool

    @property
    def is_office(self) -> bool:
        """The ward office's own desk: where citizens collect results by default."""
        return self.kind == "office"


def _weekdays(text: str) -> tuple[int, ...]:
    """Lenient: a damaged row must not stop the intake screen from opening."""
    days = {int(part) for part in (text or "").replace(" ", "").split(",") if is_digits(part) and len(part) == 1 and int(part) <= 6}
    return tuple(sorted(days))


def list_points(active_only: bool = True) -> list[PointInfo]:
    """The office's reception points in the order they were set up (the main desk first)."""
    query = ReceptionPoint.select().where(ReceptionPoint.office == current_office()).order_by(ReceptionPoint.id)
    if active_only:
        query = query.where(ReceptionPoint.active == True)  # noqa: E712 - peewee expression
    return [PointInfo(p.id, p.name, p.kind, p.address, _weekdays(p.weekdays), p.hours, bool(p.active))
            for p in query]
