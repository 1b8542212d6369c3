"""Text helpers for Vietnamese: search without diacritics, tidy names."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, no diacritics, single spaces: "Nguyễn Văn Ân" → "nguyen van an"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def clean(text: str | None) -> str:
    """NFC-normalised text with collapsed spaces and no control characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in "\n")
    return _SPACES.sub(" ", text).strip()
