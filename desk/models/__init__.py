"""Peewee models and the database connection."""

from desk.models.entities import (
    ALL_MODELS,
    Attachment,
    CalendarDay,
    DailySequence,
    Dossier,
    DossierEvent,
    Field,
    Office,
    Procedure,
    Rating,
    ReceptionPoint,
    SchemaInfo,
    Staff,
    database_proxy,
)

__all__ = [
    "ALL_MODELS",
    "Attachment",
    "CalendarDay",
    "DailySequence",
    "Dossier",
    "DossierEvent",
    "Field",
    "Office",
    "Procedure",
    "Rating",
    "ReceptionPoint",
    "SchemaInfo",
    "Staff",
    "database_proxy",
]
