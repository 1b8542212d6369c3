"""Digitised dossiers (số hóa hồ sơ): files attached to a dossier's components or to its result (D43).

The bytes are kept in the database (``attachment``, append-only), so every desk of the office sees them and
backup, restore and migrate-to carry them; a checksum taken on write is checked on every read. Only PDF, JPEG
and PNG are accepted, recognised by their first bytes (an extension says nothing), up to MAX_BYTES each.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from desk.errors import DeskError, NotFound, ValidationError
from desk.i18n import _
from desk.models import Attachment, Dossier, DossierEvent, Field, Procedure, Staff
from desk.models.db import run_write
from desk.models.rows import tuples
from desk.services.accounts import Actor, acting_staff, require
from desk.services.clock import LOCAL_TZ, Clock, from_db, to_db
from desk.services.dossiers import DocumentItem, dossier_row, load_documents
from desk.services.kinds import Role
from desk.text import fold

MAX_BYTES = 20 * 1024 * 1024  # 20 MB: a multi-page scan at 200 dpi stays well below
ATTACH_ACTION = "attach"  # the audit event's action
KINDS = ("file", "scan")  # a file chosen or dropped; a page photographed by the webcam and made a PDF
# First bytes → media type and the extension a saved copy gets.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {media: ext for _m, media, ext in _MAGIC}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_NAME_CHARS = 255


class DamagedAttachment(DeskError):
    """A stored file no longer matches the checksum taken when it was attached."""


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    code: str
    component: int | None  # 1-based number in the dossier's component list; None: the result (kết quả)
    component_name: str  # the component's name, or "Kết quả"
    kind: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime  # aware


@dataclass(frozen=True)
class DigitisationRow:
    """One field's line of the digitisation count: dossiers received whose required components all have a file."""

    field_code: str
    field_name: str
    digitised: int
    total: int

    @property
    def rate(self) -> float | None:
        """Percent, None when nothing was received."""
        return 100.0 * self.digitised / self.total if self.total else None


def media_type_of(content: bytes) -> str | None:
    """PDF, JPEG or PNG by the first bytes; None for anything else."""
    for magic, media, _ext in _MAGIC:
        if content.startswith(magic):
            return media
    return None


def _read(source: Path | str | bytes, file_name: str) -> tuple[bytes, str]:
    """The bytes and the name to store, refusing a missing, oversized or unreadable file before reading it all."""
    if isinstance(source, bytes):
        return source, file_name
    path = Path(source)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise DeskError(_("{name} is not a file.").format(name=path.name))
        if size > MAX_BYTES:
            raise ValidationError({"file": _too_big(size)})
        with open(path, "rb") as handle:
            content = handle.read(MAX_BYTES + 1)
    except FileNotFoundError as exc:
        raise DeskError(_("The file {name} does not exist.").format(name=path.name)) from exc
    except OSError as exc:
        raise DeskError(_("The file {name} cannot be read: {error}").format(name=path.name,
                                                                           error=exc.strerror or exc)) from exc
    return content, file_name or path.name


def _too_big(size: int) -> str:
    return _("The file is {size} MB; at most {limit} MB may be attached. Scan at a lower resolution or split "
             "it.").format(size=f"{size / 1048576:.1f}", limit=MAX_BYTES // 1048576)


def _clean_name(name: str, media: str) -> str:
    """A plain file name (no folders, no control characters), at most 255 characters, never empty."""
    name = _UNSAFE_NAME.sub("_", Path(str(name).replace("\\", "/")).name).strip()
    ext = EXTENSIONS[media]
    if not name or name in (".", ".."):
        name = "tep" + ext
    if len(name) > _NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        suffix = dot + suffix if dot and len(suffix) <= 10 else ""
        name = (stem if suffix else name)[: _NAME_CHARS - len(suffix)] + suffix
    return name


def _exempt(item: DocumentItem, marks: set[str]) -> bool:
    return item.no_digitisation or fold(item.name) in marks


def _marks(procedure: Procedure) -> set[str]:
    """The folded names of the procedure's components that need no digitisation (the catalog's marks)."""
    return {fold(d.name) for d in load_documents(procedure.documents) if d.no_digitisation}


def _component_name(documents: tuple[DocumentItem, ...], component: int | None) -> str:
    if component is None:
        return "Kết quả"
    return documents[component - 1].name if 1 <= component <= len(documents) else f"#{component}"


def attach(code: str, source: Path | str | bytes, *, component: int | None = None, result: bool = False,
           actor: Actor, file_name: str = "", kind: str = "file", clock: Clock | None = None) -> AttachmentInfo:
    """Attach a file to component ``component`` (1-based, as the slip numbers them) or, with ``result``, to
    the dossier's result; one audit event "attach" in the same transaction. Refuses (changing nothing) a
    file over MAX_BYTES, one that is not PDF, JPEG or PNG, and a component the dossier does not have."""
    require(actor, Role.CLERK)
    if (component is None) == (not result):
        raise ValidationError({"component": _("Say which component the file belongs to, or that it is the "
                                              "result (not both).")})
    if kind not in KINDS:
        raise ValidationError({"kind": _("Unknown attachment kind: {kind}").format(kind=str(kind)[:20])})
    content, name = _read(source, file_name)
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": _too_big(len(content))})
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    media = media_type_of(content)
    if media is None:
        raise ValidationError({"file": _("Only PDF, JPEG and PNG files can be attached; {name} is none of "
                                         "them (its content was checked, not its name).").format(name=name[:80])})
    name = _clean_name(name, media)
    digest = hashlib.sha256(content).hexdigest()
    now = (clock or Clock()).now()

    def work() -> Attachment:
        staff = acting_staff(actor, Role.CLERK)
        row = dossier_row(code)
        documents = load_documents(row.documents)
        if component is not None and not 1 <= component <= len(documents):
            raise ValidationError({"component": _("Dossier {code} has components 1 to {count}; there is no "
                                                  "component {number}.").format(code=row.code, count=len(documents),
                                                                                number=component)
                                   if documents else _("Dossier {code} lists no components; attach the file as "
                                                       "the result or correct the dossier.").format(code=row.code)})
        stored = Attachment.create(dossier=row, component=component, kind=kind, file_name=name, media_type=media,
                                   size=len(content), sha256=digest, content=content, added_by=staff,
                                   added_at=to_db(now))
        data = {"attachment": stored.id, "component": component, "file_name": name, "size": len(content),
                "sha256": digest, "media_type": media, "kind": kind}
        DossierEvent.create(dossier=row, at=to_db(now), actor=staff.id, actor_name=staff.full_name,
                            action=ATTACH_ACTION, from_status=row.status, to_status=row.status, note="",
                            data=json.dumps(data, ensure_ascii=False))
        return stored

    stored = run_write(work)
    return _info(stored, _code_of(stored), _actor_name(stored))


def _code_of(row: Attachment) -> str:
    return str(Dossier.get_by_id(row.dossier_id).code)


def _actor_name(row: Attachment) -> str:
    staff = Staff.get_or_none(Staff.id == row.added_by_id) if row.added_by_id else None
    return staff.full_name if staff else ""


def _info(row: Attachment, code: str, added_by: str, documents: tuple[DocumentItem, ...] | None = None) -> AttachmentInfo:
    if documents is None:
        documents = load_documents(Dossier.get_by_id(row.dossier_id).documents)
    return AttachmentInfo(row.id, code, row.component, _component_name(documents, row.component), row.kind,
                          row.file_name, row.media_type, row.size, row.sha256, added_by, from_db(row.added_at))


_LISTED = (Attachment.id, Attachment.dossier, Attachment.component, Attachment.kind, Attachment.file_name,
           Attachment.media_type, Attachment.size, Attachment.sha256, Attachment.added_by, Attachment.added_at)


def list_attachments(code: str, *, actor: Actor) -> list[AttachmentInfo]:
    """A dossier's files, in the order they were attached (without their bytes): for staff (any role)."""
    require(actor, Role.CLERK)
    row = dossier_row(code)
    documents = load_documents(row.documents)
    names = {s.id: s.full_name for s in Staff.select(Staff.id, Staff.full_name)}
    query = Attachment.select(*_LISTED).where(Attachment.dossier == row).order_by(Attachment.id)
    return [_info(a, row.code, names.get(a.added_by_id or 0, ""), documents) for a in query]


def open_attachment(attachment_id: int, *, actor: Actor) -> tuple[AttachmentInfo, bytes]:
    """One file's description and bytes, after checking them against the checksum taken on write."""
    require(actor, Role.CLERK)
    row = Attachment.get_or_none(Attachment.id == attachment_id) if isinstance(attachment_id, int) else None
    if row is None:
        raise NotFound(_("No attached file with number {number}").format(number=str(attachment_id)[:20]))
    content = bytes(row.content)
    info = _info(row, _code_of(row), _actor_name(row))
    if len(content) != row.size or hashlib.sha256(content).hexdigest() != row.sha256:
        raise DamagedAttachment(_("The attached file {name} of dossier {code} is damaged: its content no longer "
                                  "matches the checksum recorded when it was attached. Restore the latest backup, "
                                  "or attach the paper again.").format(name=row.file_name, code=info.code))
    return info, content


def missing_components(code: str, *, actor: Actor) -> list[tuple[int, str]]:
    """The dossier's components (number, name) that need a file and have none yet; those the catalog marks
    as needing no digitisation are left out."""
    require(actor, Role.CLERK)
    row = dossier_row(code)
    documents = load_documents(row.documents)
    marks = _marks(row.procedure)
    have = {c for (c,) in tuples(Attachment.select(Attachment.component).where(
        (Attachment.dossier == row) & Attachment.component.is_null(False)).distinct())}
    return [(n, item.name) for n, item in enumerate(documents, start=1)
            if n not in have and not _exempt(item, marks)]


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Office-local days ``start``..``end`` (inclusive) as stored (naive UTC) half-open bounds."""
    first = datetime.combine(start, time(), LOCAL_TZ)
    after = datetime.combine(end + timedelta(days=1), time(), LOCAL_TZ)
    return to_db(first), to_db(after)


def digitisation_counts(start: date, end: date, *, actor: Actor) -> list[DigitisationRow]:
    """Per field (catalog order): dossiers received on office days ``start``..``end`` and how many of them
    have a file (attached at any time so far) for every required component (a dossier whose components all need none counts as done).
    Every dossier received counts, whatever became of it. Counts only, no personal data: every member of staff
    sees them on the reports screen beside the statistics, so any staff role may ask (D46)."""
    require(actor, Role.CLERK)
    if end < start:
        raise ValidationError({"end": _("The end of the period is before its start")})
    low, high = _utc_bounds(start, end)
    in_period = (Dossier.received_at >= low) & (Dossier.received_at < high)
    have: dict[int, set[int]] = {}
    for dossier_id, number in tuples(Attachment.select(Attachment.dossier, Attachment.component)
                                     .join(Dossier).where(in_period & Attachment.component.is_null(False))
                                     .distinct()):
        have.setdefault(dossier_id, set()).add(number)
    marks: dict[int, set[str]] = {}
    required: dict[tuple[int, str], frozenset[int]] = {}  # (procedure, component list) → numbers to digitise
    counts: dict[int, list[int]] = {}
    fields: dict[int, tuple[int, str, str]] = {}
    query = (Dossier.select(Dossier.id, Dossier.documents, Procedure.id, Procedure.documents, Field.id,
                            Field.sort_order, Field.code, Field.name)
             .join(Procedure).join(Field).where(in_period))
    for dossier_id, documents, procedure_id, procedure_documents, field_id, order, field_code, field_name in \
            tuples(query):
        if procedure_id not in marks:
            marks[procedure_id] = {fold(d.name) for d in load_documents(procedure_documents) if d.no_digitisation}
        fields[field_id] = (order, field_code, field_name)
        need = required.get((procedure_id, documents))
        if need is None:  # most dossiers of a procedure carry the same list: parse and fold it once
            need = required[(procedure_id, documents)] = frozenset(
                n for n, item in enumerate(load_documents(documents), start=1) if not _exempt(item, marks[procedure_id]))
        complete = need <= have.get(dossier_id, set())
        tally = counts.setdefault(field_id, [0, 0])
        tally[0] += complete
        tally[1] += 1
    ordered = sorted(fields, key=lambda f: (fields[f][0], fields[f][1]))
    return [DigitisationRow(fields[f][1], fields[f][2], counts[f][0], counts[f][1]) for f in ordered]
