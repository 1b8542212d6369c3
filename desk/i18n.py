"""Gettext for the UI and CLI messages, through the standard library's compiled catalogs.

Messages are written in English in the code and translated in
``desk/resources/locale/<lang>/LC_MESSAGES/desk.po``; ``tools/messages.py --compile`` builds the
``desk.mo`` beside it (scripts/venv.sh, the PyInstaller spec and ``pip install .`` run it), and this
module reads that .mo with :class:`gettext.GNUTranslations`, so plural forms (``ngettext``) and
contexts (``pgettext``) work as gettext defines them. Vietnamese is the default language; official
documents never go through this module (they are always Vietnamese).
"""

from __future__ import annotations

import gettext as _stdlib_gettext
import os
from importlib.resources import files
from importlib.resources.abc import Traversable

# Found through the package, not the working directory: the same in a checkout, an installed
# package and a PyInstaller bundle.
LOCALE_DIR: Traversable = files("desk") / "resources" / "locale"
DOMAIN = "desk"
DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")

_translations: _stdlib_gettext.NullTranslations = _stdlib_gettext.NullTranslations()
_language = "en"


class MissingCatalog(RuntimeError):
    """A language has a .po catalog but no compiled .mo: the build step was skipped.

    Raised rather than showing English on a Vietnamese desk without a word.
    """


def catalog_path(language: str, suffix: str = ".mo") -> Traversable:
    """Where the catalog of one language lives inside the package."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def load_translations(language: str) -> _stdlib_gettext.NullTranslations:
    """The compiled catalog of ``language``; English source strings for English and unknown languages.

    Read through importlib.resources (a checkout, an installed package and a bundle alike), so
    :class:`gettext.GNUTranslations` gets the open file rather than gettext.translation a folder.
    """
    compiled = catalog_path(language)
    if language != "en" and compiled.is_file():
        with compiled.open("rb") as fp:
            return _stdlib_gettext.GNUTranslations(fp)
    if language != "en" and catalog_path(language, ".po").is_file():
        raise MissingCatalog(
            f"The {language!r} message catalog is not compiled (no {DOMAIN}.mo in {LOCALE_DIR}). "
            "Run `python tools/messages.py --compile` (scripts/venv.sh, run.sh and test.sh do it) "
            "or install the package with pip, which builds it.")
    return _stdlib_gettext.NullTranslations()


def set_language(language: str | None = None) -> str:
    """Switch the message catalog; unknown languages fall back to English source strings."""
    global _translations, _language
    language = (language or os.environ.get("DESK_LANG") or DEFAULT_LANGUAGE).split("_")[0].lower()
    _translations = load_translations(language)
    _language = language if language in LANGUAGES else "en"
    return _language


def current_language() -> str:
    return _language


def gettext(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things ("1 working day", "2 working days"; Vietnamese has one form)."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is shown (the same English, different Vietnamese)."""
    return _translations.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _translations.npgettext(context, singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later where it is shown."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction; ``ngettext`` translates it later (argparse's messages)."""
    return singular, plural


_ = gettext

set_language()
