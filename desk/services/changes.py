"""A cheap "has anything changed?" mark that every desk can poll every few seconds.

Every dossier change goes through intake.py or lifecycle.py and writes one audit event in the same
transaction, and bumps the dossier's ``updated_at``; so the pair (newest ``updated_at``, highest
event id) moves whenever another desk registers, advances or apologizes. Both maxima are answered
from indexes (the primary key and one aggregate), so the poll costs one short read query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from desk.models import Dossier, DossierEvent


@dataclass(frozen=True)
class ChangeMark:
    """Where the database stood when last looked at; compare it with a later ``latest_change()``."""

    updated_at: datetime | None  # newest Dossier.updated_at (UTC, as stored)
    event_id: int  # highest DossierEvent.id, 0 when there is none


def latest_change() -> ChangeMark:
    """The current mark: one read query, no lock taken."""
    row = (Dossier.select(fn.MAX(Dossier.updated_at),
                          DossierEvent.select(fn.MAX(DossierEvent.id)))
           .tuples().first())
    updated_at, event_id = row if row else (None, None)
    if isinstance(updated_at, str):  # SQLite hands back text for an aggregate over a datetime column
        updated_at = datetime.fromisoformat(updated_at)
    return ChangeMark(updated_at, int(event_id or 0))
