"""The catalog's file format: sheet and column titles, labels, and how one cell's text becomes a value.

The titles and labels are official Vietnamese (data, not UI text). The same value rules serve the
shipped seed, the Excel import and the edit form, so each can accept exactly what the others write.
Pure functions only: no database, no files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any, TypeVar

from desk.services.dossiers import DocumentItem
from desk.services.kinds import DayUnit, OnlineLevel
from desk.text import clean, fold

ONLINE_LEVELS = tuple(OnlineLevel)
DOCUMENT_KINDS = ("original", "copy")
DAY_UNITS = tuple(DayUnit)  # as the law states the time: "05 ngày làm việc" or "30 ngày"

# --- the Excel format (official Vietnamese titles; they are data, not UI text) ---------------
SHEET_PROCEDURES = "Danh mục TTHC"
SHEET_FIELDS = "Lĩnh vực"

COL_CODE = "Mã TTHC"
COL_NAME = "Tên thủ tục"
COL_FIELD = "Lĩnh vực"
COL_DAYS = "Thời hạn giải quyết"
COL_DAY_UNIT = "Loại ngày"
COL_CUTOFF = "Giờ chốt"
COL_FEE = "Lệ phí"
COL_DOCUMENTS = "Thành phần hồ sơ"
COL_ONLINE = "Mức độ trực tuyến"
COL_LEGAL = "Căn cứ pháp lý"
COL_NO_APPOINTMENT = "Không hẹn"
COL_ACTIVE = "Đang áp dụng"
PROCEDURE_COLUMNS = (
    COL_CODE, COL_NAME, COL_FIELD, COL_DAYS, COL_DAY_UNIT, COL_CUTOFF, COL_FEE, COL_DOCUMENTS,
    COL_ONLINE, COL_LEGAL, COL_NO_APPOINTMENT, COL_ACTIVE,
)
# Files exported before the day unit existed: their days column said working days and had no "Loại ngày".
LEGACY_COL_DAYS = "Thời hạn (ngày làm việc)"
FIELD_COL_CODE = "Mã lĩnh vực"
FIELD_COL_NAME = "Tên lĩnh vực"
FIELD_COL_ORDER = "Thứ tự"
FIELD_COLUMNS = (FIELD_COL_CODE, FIELD_COL_NAME, FIELD_COL_ORDER)
FIELD_REQUIRED_COLUMNS = (FIELD_COL_CODE, FIELD_COL_NAME)
# Each logical value of a row → the column title it is read from (and problems name).
PROCEDURE_TITLES = {
    "code": COL_CODE, "name": COL_NAME, "field": COL_FIELD, "processing_days": COL_DAYS,
    "day_unit": COL_DAY_UNIT, "cutoff": COL_CUTOFF, "fee": COL_FEE, "documents": COL_DOCUMENTS,
    "online_level": COL_ONLINE, "legal_basis": COL_LEGAL, "no_appointment_day": COL_NO_APPOINTMENT,
    "active": COL_ACTIVE,
}
FIELD_TITLES = {"code": FIELD_COL_CODE, "name": FIELD_COL_NAME, "sort_order": FIELD_COL_ORDER}
COLUMN_WIDTHS = {  # in characters, as the export sets them (16 for any other column)
    COL_CODE: 14, COL_NAME: 60, COL_FIELD: 22, COL_DAYS: 12, COL_DAY_UNIT: 14, COL_CUTOFF: 9, COL_FEE: 40,
    COL_DOCUMENTS: 80, COL_ONLINE: 14, COL_LEGAL: 50, COL_NO_APPOINTMENT: 10, COL_ACTIVE: 12,
    FIELD_COL_CODE: 14, FIELD_COL_NAME: 40,
}

ONLINE_LABELS: dict[str, str] = {  # keyed by OnlineLevel, a StrEnum: ProcedureInfo carries it as str
    OnlineLevel.NONE: "Không", OnlineLevel.PARTIAL: "Một phần", OnlineLevel.FULL: "Toàn trình"}
KIND_LABELS = {"original": "bản chính", "copy": "bản sao"}
DAY_UNIT_LABELS: dict[str, str] = {DayUnit.WORKING: "ngày làm việc", DayUnit.CALENDAR: "ngày"}  # DayUnit: a str
YES, NO = "Có", "Không"

_CUTOFF_RE = re.compile(r"^(\d{1,2}):(\d{2})$", re.ASCII)  # "١٥:٠٠" is not a clock time here
NO_DIGITISATION_MARK = "[không số hóa]"  # after a component line: it needs no scanning (Circular 03/2025 Art. 5)
_MARK_RE = re.compile(r"\[[^\[\]]*\]$")
_DOCUMENT_RE = re.compile(r"^(\d+)\s*[xX×*]\s*(.+?)\s*\(([^()]*)\)$")
_TRUE_WORDS = {"co", "x", "yes", "true", "1", "dung"}
_FALSE_WORDS = {"khong", "", "no", "false", "0", "sai"}


# --- documents (DocumentItem, "1 x Tờ khai (bản chính)", comes from dossiers) -------------------
def format_document(item: DocumentItem) -> str:
    """The one-line form used in the Excel file: "1 x Tờ khai đăng ký khai sinh (bản chính)", with
    " [không số hóa]" after it when the component needs no digitisation."""
    line = f"{item.count} x {item.name} ({KIND_LABELS[item.kind]})"
    return f"{line} {NO_DIGITISATION_MARK}" if item.no_digitisation else line


def parse_document_line(line: str) -> DocumentItem:
    """Inverse of :func:`format_document`; raises ValueError on anything else."""
    line = clean(line)
    mark = _MARK_RE.search(line)
    no_digitisation = bool(mark) and fold(mark.group(0) if mark else "") == fold(NO_DIGITISATION_MARK)
    if mark and no_digitisation:
        line = clean(line[: mark.start()])
    match = _DOCUMENT_RE.match(line)
    if not match:
        raise ValueError(line)
    count, name, kind_text = int(match.group(1)), clean(match.group(2)), fold(match.group(3))
    kinds = {fold(label): kind for kind, label in KIND_LABELS.items()}
    kinds.update({kind: kind for kind in DOCUMENT_KINDS})
    if count < 1 or not name or kind_text not in kinds:
        raise ValueError(line)
    return DocumentItem(name, count, kinds[kind_text], no_digitisation)


def documents_from_json(raw: str | None) -> list[DocumentItem]:
    """Read the stored JSON leniently: a damaged row must not stop the catalog from opening."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    result = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            continue
        try:
            count = max(1, int(item.get("count") or 1))
        except (TypeError, ValueError):
            count = 1
        kind = str(item["kind"]) if item.get("kind") in DOCUMENT_KINDS else "original"
        result.append(DocumentItem(clean(str(item["name"])), count, kind, item.get("no_digitisation") is True))
    return result


def documents_to_json(documents: list[DocumentItem]) -> str:
    """The stored form of a document list (what :func:`documents_from_json` reads back)."""
    return json.dumps([{"name": d.name, "count": d.count, "kind": d.kind}
                       | ({"no_digitisation": True} if d.no_digitisation else {}) for d in documents],
                      ensure_ascii=False)


def is_json_list(raw: str | None) -> bool:
    """Whether a stored document column is a JSON list (a damaged one is rewritten on the next save)."""
    try:
        return isinstance(json.loads(raw or ""), list)
    except ValueError:
        return False


# --- one cell's value -----------------------------------------------------------------------
def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_multiline(text: Any) -> str:
    """Tidy each line but keep line breaks (legal basis lists are often one act per line)."""
    if text is None:
        return ""
    lines = [clean(line) for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def code_text(value: Any) -> str:
    """A code cell as text; a code Excel turned into a number (1.001193) gets its six decimals back."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6f}"
    return clean(str(value)) if value is not None else ""


def parse_int(value: Any) -> int:
    """A whole number from a number cell or its text ("5", "+5", 5.0); ValueError otherwise (True too)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(text)
    return int(text)


def parse_bool(value: Any, *, default: bool | None) -> bool | None:
    """"Có"/"Không" (and x, yes, 1, đúng ... with or without accents); empty gives ``default``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(value)
    text = fold(str(value)) if value is not None else ""
    if not text:
        return default
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise ValueError(text)


K = TypeVar("K", bound=str)  # a stored word: DayUnit, OnlineLevel


def parse_choice(value: Any, labels: Mapping[K, str], default: K) -> K:
    """One of ``labels``' keys, given as the key or its Vietnamese label (any case, accents optional).

    Empty gives ``default``; anything else raises ValueError. Serves the day unit ("ngày làm
    việc" / "ngày") and the online level ("Không" / "Một phần" / "Toàn trình").
    """
    text = fold(str(value)) if value is not None else ""
    if not text:
        return default
    known: dict[str, K] = {fold(label): key for key, label in labels.items()}
    known.update({str(key): key for key in labels})
    if text not in known:
        raise ValueError(text)
    return known[text]


def normalise_cutoff(value: Any) -> str | None:
    """"15:00", "9:30", a time cell or empty → the stored "HH:MM" / None; ValueError when it is no clock time."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    text = str(value).strip()
    if not text:
        return None
    match = _CUTOFF_RE.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(text)
    return f"{int(match.group(1)):02d}:{match.group(2)}"
