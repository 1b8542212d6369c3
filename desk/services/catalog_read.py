"""Reading the procedure catalog: fields, procedures, one procedure by code, and finding one as clerks type.

Callers get frozen dataclasses, never model rows. The catalog holds a few hundred procedures, so
matching runs in Python over folded text (the same result on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desk.errors import NotFound
from desk.i18n import _
from desk.models import Field, Procedure
from desk.services.catalog_format import DAY_UNITS, ONLINE_LEVELS, documents_from_json
from desk.services.dossiers import DocumentItem
from desk.services.kinds import DayUnit, OnlineLevel
from desk.text import fold


@dataclass(frozen=True)
class FieldInfo:
    code: str
    name: str
    sort_order: int


@dataclass(frozen=True)
class ProcedureInfo:
    code: str
    name: str
    field_code: str
    field_name: str
    processing_days: int  # 0 = within the day
    day_unit: str  # working | calendar: how processing_days count (ngày làm việc / ngày)
    cutoff: str | None  # "15:00": same-day work received later moves to the next working day
    fee: str
    documents: list[DocumentItem]
    online_level: str  # none | partial | full
    legal_basis: str
    no_appointment_day: bool
    active: bool

    @property
    def same_day(self) -> bool:
        return self.processing_days == 0


def _to_info(procedure: Procedure, field: Field) -> ProcedureInfo:
    return ProcedureInfo(
        code=procedure.code,
        name=procedure.name,
        field_code=field.code,
        field_name=field.name,
        processing_days=procedure.processing_days,
        day_unit=DayUnit(procedure.day_unit) if procedure.day_unit in DAY_UNITS else DayUnit.WORKING,
        cutoff=procedure.cutoff or None,
        fee=procedure.fee or "",
        documents=documents_from_json(procedure.documents),
        online_level=OnlineLevel(procedure.online_level) if procedure.online_level in ONLINE_LEVELS else OnlineLevel.NONE,
        legal_basis=procedure.legal_basis or "",
        no_appointment_day=bool(procedure.no_appointment_day),
        active=bool(procedure.active),
    )


def list_fields() -> list[FieldInfo]:
    """Fields in the order the office chose (monthly statistics use the same order)."""
    query = Field.select().order_by(Field.sort_order, Field.code)
    return [FieldInfo(f.code, f.name, f.sort_order) for f in query]


def _procedure_query() -> Any:
    return Procedure.select(Procedure, Field).join(Field).order_by(
        Field.sort_order, Field.code, Procedure.name_folded, Procedure.code)


def list_procedures(*, active_only: bool = True, field_code: str | None = None) -> list[ProcedureInfo]:
    """Procedures grouped by field; retired ones only when asked (old dossiers still refer to them)."""
    query = _procedure_query()
    if active_only:
        query = query.where(Procedure.active == True)  # noqa: E712 - peewee expression
    if field_code:
        query = query.where(Field.code == field_code)
    return [_to_info(p, p.field) for p in query]


def get_procedure(code: str) -> ProcedureInfo:
    """One procedure by its code, active or not; NotFound names the code the clerk typed."""
    code = (code or "").strip()
    procedure = _procedure_query().where(Procedure.code == code).first()
    if procedure is None:
        raise NotFound(_("There is no procedure with code {code} in the catalog.").format(code=code))
    return _to_info(procedure, procedure.field)


# --- finding a procedure as clerks type -------------------------------------------------------
def _holds_every_word(words: list[str], name_folded: str, code_folded: str) -> bool:
    """The one matching rule: every typed word appears in the folded name or code."""
    haystack = f"{name_folded} {code_folded}"
    return all(word in haystack for word in words)


def _rank(query: str, code: str, name: str, words: list[str]) -> tuple[int, str, int, str]:
    name_core = name[len("thu tuc "):] if name.startswith("thu tuc ") else name
    padded = f" {name} "
    if code == query:
        tier = 0
    elif code.startswith(query):
        tier = 1
    elif name_core.startswith(query) or name.startswith(query):
        tier = 2
    elif f" {query} " in padded:
        tier = 3
    elif query in name:
        tier = 4
    elif all(f" {w}" in padded for w in words):
        tier = 5
    else:
        tier = 6
    return tier, code if tier <= 1 else "", len(name), name


def search_procedures(text: str, limit: int = 20, *, active_only: bool = True) -> list[ProcedureInfo]:
    """Find procedures the way clerks type: with or without accents, any word order, or by code.

    Every word must appear in the name or the code. Exact and leading code matches come first,
    then names starting with the text, then names holding it as a phrase, shorter names first.
    """
    query = fold(text)
    words = query.split()
    if not words or limit <= 0:
        return []
    rows = Procedure.select(Procedure.id, Procedure.code, Procedure.name_folded)
    if active_only:
        rows = rows.where(Procedure.active == True)  # noqa: E712 - peewee expression
    scored = []
    for row in rows:
        code = fold(row.code)
        name = row.name_folded or ""
        if _holds_every_word(words, name, code):
            scored.append((_rank(query, code, name, words), row.id))
    scored.sort()
    ids = [row_id for _score, row_id in scored[:limit]]
    if not ids:
        return []
    found = {p.id: p for p in Procedure.select(Procedure, Field).join(Field).where(Procedure.id.in_(ids))}
    return [_to_info(found[i], found[i].field) for i in ids if i in found]


def matching_procedures(text: str, procedures: Iterable[ProcedureInfo]) -> list[ProcedureInfo]:
    """search_procedures's rule over a list already in hand (no ranking): a fallback when the database is away."""
    words = fold(text).split()
    return [p for p in procedures if _holds_every_word(words, fold(p.name), fold(p.code))]


def initials(name: str) -> str:
    """"Đăng ký khai sinh" → "dkks": clerks type the first letters of a procedure they know."""
    return "".join(word[0] for word in fold(name).split() if word[0].isalnum())


def initials_matches(text: str, procedures: Iterable[ProcedureInfo]) -> list[ProcedureInfo]:
    """Procedures whose initials hold the typed letters (no spaces, 2+ letters), the closest and shortest first."""
    typed = fold(text).replace(" ", "")
    if len(typed) < 2 or not typed.isalpha():
        return []
    scored = []
    for p in procedures:
        letters = initials(p.name)
        if typed in letters:
            tier = 0 if letters == typed else 1 if letters.startswith(typed) else 2
            scored.append((tier, len(p.name), p.name, p))
    scored.sort(key=lambda s: s[:3])
    return [s[3] for s in scored]


def rank_for_intake(text: str, found: Sequence[ProcedureInfo], known: Iterable[ProcedureInfo], *,
                    usual: Callable[[], Sequence[ProcedureInfo]], limit: int) -> list[ProcedureInfo]:
    """The intake type-ahead's list: ``found`` (search_procedures's answer) merged with initials matches.

    Procedures whose initials are exactly what was typed come first ("dkks"), then ``found`` in its
    order, then the other initials matches from ``known`` (the catalog the desk holds); each once.
    When nothing matched exactly (no exact initials, the first is not the very code typed), the
    desk's ``usual`` procedures (most used first; asked only then) lead among these loose matches.
    """
    extra = initials_matches(text, known)
    typed = fold(text).replace(" ", "")
    exact = [p for p in extra if initials(p.name) == typed]
    found_codes = {p.code for p in found}
    ordered = exact + [p for p in found if p not in exact] + [p for p in extra if p.code not in found_codes]
    seen: set[str] = set()
    unique = []
    for p in ordered:
        if p.code not in seen:
            seen.add(p.code)
            unique.append(p)
    exact_code = bool(unique) and fold(unique[0].code) == fold(text)
    if unique and not exact and not exact_code:
        order = {p.code: i for i, p in enumerate(usual())}
        unique.sort(key=lambda p: order.get(p.code, len(order)))
    return unique[:limit]
