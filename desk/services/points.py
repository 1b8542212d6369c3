"""Reception points of the office as plain values, for screens that let a clerk choose one.

An office receives dossiers at its own desk and at neighbourhood e-points (Tổ dân phố điện tử);
every dossier records where it was received and where the result is returned. Views list the
points through here instead of querying the models; the value is office.PointInfo, the one there is.
"""

from __future__ import annotations

from desk.models import ReceptionPoint
from desk.services.office import PointInfo, current_office

__all__ = ["PointInfo", "list_points"]


def list_points(active_only: bool = True) -> list[PointInfo]:
    """The office's reception points in the order they were set up (the main desk first)."""
    query = ReceptionPoint.select().where(ReceptionPoint.office == current_office()).order_by(ReceptionPoint.id)
    if active_only:
        query = query.where(ReceptionPoint.active == True)  # noqa: E712 - peewee expression
    return [PointInfo.of(p) for p in query]
