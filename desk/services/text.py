"""Text helpers for Vietnamese: search without diacritics, tidy names."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def fold(text: str | None) -> str:
    """Lower-case, no diacritics, single spaces: "Nguyễn Văn Ân" → "nguyen van an"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def clean(text: str | None, *, multiline: bool = False) -> str:
    """NFC-normalised text with collapsed spaces and no control characters.

    ``multiline`` keeps single line breaks (a list of documents to supplement, one per line).
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c == "\n")
    if not multiline:
        return _SPACES.sub(" ", text).strip()
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in _BLANK_LINES.sub("\n", text).split("\n"))
    return "\n".join(line for line in lines if line)


def is_digits(text: str | None) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses."""
    return bool(text) and text.isascii() and text.isdigit()
