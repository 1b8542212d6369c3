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
    return text is not None and text.isascii() and text.isdigit()  # "".isdigit() is False


# -- names of people ---------------------------------------------------------------------------------
# The one rule for a person's name (applicant, staff, whoever collects a result): after Unicode NFC,
# letters of the Latin script (Vietnamese diacritics included, as NFC composes them), spaces, the
# apostrophe of names such as "H'Hen Niê", the hyphen and the dot. Anything else is refused by the
# caller with the character named, never dropped. The only cleaning is visible in the saved name:
# NFC, every run of spaces (tabs, no-break spaces) becomes one space, and the typographic apostrophes
# ’ and ʼ become '.
NAME_PUNCTUATION = frozenset(" '-.")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
# Characters Unicode calls letters or symbols that print as nothing (used to fake a blank).
_BLANK_LOOKING = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def _is_space(ch: str) -> bool:
    return ch in "\t\n\r" or unicodedata.category(ch) == "Zs"


def tidy_name(text: str | None) -> str:
    """NFC, one space between words, ' for typographic apostrophes: the only changes made to a name."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    spaced = "".join(" " if _is_space(c) else c for c in text)
    return " ".join(word for word in spaced.split(" ") if word)  # split(" "): str.split() eats \x1c-\x1f too


def is_latin_letter(ch: str) -> bool:
    """A letter of the Latin script (a, Ư, ễ, đ, ß …); not fullwidth, mathematical or circled look-alikes."""
    return unicodedata.name(ch, "").startswith(("LATIN CAPITAL LETTER ", "LATIN SMALL LETTER "))


def name_offender(name: str) -> str | None:
    """The first character of a tidied name that the name rule refuses, or None when it is a good name."""
    for ch in name:
        if ch not in NAME_PUNCTUATION and not is_latin_letter(ch):
            return ch
    return None


def describe_char(ch: str) -> str:
    """“😀” (U+1F600 GRINNING FACE): invisible and direction-changing characters by code point only."""
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    label = f"{code} {name}".strip()
    category = unicodedata.category(ch)
    if category[0] in "CZM" or ch in _BLANK_LOOKING:
        return label
    return f"“{ch}” ({label})"
