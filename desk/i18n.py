"""Gettext for the UI and CLI messages, without a compile step.

Messages are written in English in the code and translated through
``desk/resources/locale/<lang>/LC_MESSAGES/desk.po``. The .po file is parsed directly
(no .mo build), so a fresh checkout runs as is. Vietnamese is the default language;
official documents never go through this module (they are always Vietnamese).
"""

from __future__ import annotations

import ast
import os
from importlib.resources import files
from importlib.resources.abc import Traversable

# Found through the package, not the working directory: the same in a checkout, an installed
# package and a PyInstaller bundle.
LOCALE_DIR: Traversable = files("desk") / "resources" / "locale"
DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")

_catalog: dict[str, str] = {}
_language = "en"


def _unquote(token: str) -> str:
    return ast.literal_eval(token)


def parse_po(path: Traversable) -> dict[str, str]:
    """Read the msgid → msgstr pairs of a .po file (singular entries, fuzzy ones skipped)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    fuzzy = False
    current: list[str] | None = None

    def flush() -> None:
        nonlocal msgid, msgstr, fuzzy
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value and not fuzzy:
                entries[key] = value
        msgid, msgstr, fuzzy = None, None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            current = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            flush()
            msgid = [_unquote(line[6:])]
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


def set_language(language: str | None = None) -> str:
    """Switch the message catalog; unknown languages fall back to English source strings."""
    global _catalog, _language
    language = (language or os.environ.get("DESK_LANG") or DEFAULT_LANGUAGE).split("_")[0].lower()
    po = LOCALE_DIR / language / "LC_MESSAGES" / "desk.po"
    _catalog = parse_po(po) if po.is_file() and language != "en" else {}
    _language = language if language in LANGUAGES else "en"
    return _language


def current_language() -> str:
    return _language


def gettext(message: str) -> str:
    return _catalog.get(message, message)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later where it is shown."""
    return message


_ = gettext

set_language()
