"""Extract the UI strings and keep the .po catalogs in step; compile them to the .mo files the program reads.

    python tools/messages.py            # add new msgids to every catalog, keep translations
    python tools/messages.py --check    # exit 1 listing entries without a (complete) Vietnamese translation
    python tools/messages.py --compile  # build desk.mo beside every desk.po (scripts/venv.sh runs it)

Extracted: ``_``/``gettext``/``N_`` (msgid), ``ngettext``/``N_plural`` (msgid + msgid_plural),
``pgettext`` (msgctxt + msgid) and ``npgettext``. The .po files are read with Babel and written here
one line per string, sorted, so that a new string is a small diff that merges easily; the .mo files
are written by Babel's ``write_mo`` and read at run time by the standard library (desk/i18n.py).
Used by setup.py and packaging/onestop-desk.spec too: keep it free of imports of the desk package.
"""

from __future__ import annotations

import ast
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent

# The catalogs this tool rewrites: the source tree's copy (desk.i18n reads the same files through the package).
LOCALE_DIR = ROOT / "desk" / "resources" / "locale"
DOMAIN = "desk"
LANGUAGES = ("vi",)

SOURCES = [ROOT / "main.py", *sorted((ROOT / "desk").rglob("*.py"))]
# Marker name -> the positions of (msgctxt, msgid, msgid_plural) among its arguments (None: not taken).
MARKERS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None), "N_": (None, 0, None), "gettext": (None, 0, None),
    "ngettext": (None, 0, 1), "N_plural": (None, 0, 1),
    "pgettext": (0, 1, None), "npgettext": (0, 1, 2),
}

Key = tuple[str | None, str]  # (msgctxt, msgid): what identifies an entry in gettext


@dataclass
class Entry:
    plural: str | None = None
    refs: list[str] = field(default_factory=list)


def _string_arg(node: ast.Call, index: int | None) -> str | None:
    if index is None or index >= len(node.args):
        return None
    arg = node.args[index]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def extract(sources: list[Path] | None = None) -> dict[Key, Entry]:
    """(msgctxt, msgid) → its plural and ["file:line", ...], in source order."""
    found: dict[Key, Entry] = {}
    for path in sources or SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS):
                continue
            ctx_at, id_at, plural_at = MARKERS[node.func.id]
            msgid = _string_arg(node, id_at)
            context = _string_arg(node, ctx_at)
            plural = _string_arg(node, plural_at)
            if msgid is None or (ctx_at is not None and context is None) or (plural_at is not None and plural is None):
                continue  # a variable, translated elsewhere from a marked literal
            entry = found.setdefault((context, msgid), Entry(plural))
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno}"
            if entry.plural != plural:
                raise SystemExit(f"{where}: {msgid!r} is used both with and without the plural {plural or entry.plural!r}")
            entry.refs.append(where)
    return found


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    """A .po file as Babel's Catalog (fuzzy entries are kept, flagged)."""
    with path.open("rb") as fp:
        return read_po(fp, locale=language)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _kept_translation(old: Catalog | None, key: Key, entry: Entry, nplurals: int) -> list[str]:
    """The msgstr (one per plural form) for an entry: the existing one, or one carried over from the
    singular entry this string was before it became a plural one (or from its plural's old entry)."""
    if old is None:
        return [""] * (nplurals if entry.plural else 1)
    context, msgid = key
    message = old.get(msgid, context)
    strings: list[str] = []
    if message is not None and not message.fuzzy:
        strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
    if entry.plural is None:
        return strings[:1] or [""]
    if len(strings) != nplurals or not all(strings):  # new as a plural: carry over a singular translation
        for source in (msgid, entry.plural):
            before = old.get(source, context)
            if before is not None and not before.fuzzy and isinstance(before.string, str) and before.string:
                strings = [before.string] * nplurals
                break
        else:
            strings = (strings + [""] * nplurals)[:nplurals]
    return strings


def write_po(path: Path, language: str, messages: dict[Key, Entry], old: Catalog | None) -> None:
    """Rewrite one catalog with exactly the extracted entries, keeping what was translated."""
    nplurals, plural_expr = get_plural(language)
    lines = [
        f"# OneStop Desk UI messages ({language}).",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {language}\\n"',
        f'"Plural-Forms: nplurals={nplurals}; plural={plural_expr};\\n"',
        "",
    ]
    # Stable sort: entries that differ only by context keep their order, as do case-only variants.
    for key in sorted(messages, key=lambda k: (k[1].lower(), k[0] or "")):
        context, msgid = key
        entry = messages[key]
        lines.append("#: " + " ".join(entry.refs[:3]))
        if context is not None:
            lines.append("msgctxt " + _quote(context))
        lines.append("msgid " + _quote(msgid))
        strings = _kept_translation(old, key, entry, nplurals)
        if entry.plural is None:
            lines.append("msgstr " + _quote(strings[0]))
        else:
            lines.append("msgid_plural " + _quote(entry.plural))
            lines.extend(f"msgstr[{i}] " + _quote(text) for i, text in enumerate(strings))
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def missing(language: str = "vi", locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Extracted entries that the catalog lacks or leaves (partly) untranslated or fuzzy."""
    po = po_path(language, locale_dir)
    catalog = read_catalog(po, language) if po.exists() else None
    gaps = []
    for (context, msgid), entry in extract().items():
        message = catalog.get(msgid, context) if catalog is not None else None
        label = (f"[{context}] " if context else "") + msgid + (f" | {entry.plural}" if entry.plural else "")
        if message is None or message.fuzzy:
            gaps.append(label)
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        plural_ok = (entry.plural is None) == (not message.pluralizable)
        if not plural_ok or not all(strings) or (entry.plural and len(strings) != catalog.num_plurals):
            gaps.append(label)
    return gaps


def compile_catalog(po: Path, mo: Path) -> None:
    """One .po to its .mo (fuzzy entries left out, as msgfmt does); written whole, then moved in place."""
    catalog = read_catalog(po)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_suffix(".mo.partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(mo)


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Build ``<lang>/LC_MESSAGES/desk.mo`` beside every ``desk.po`` under ``locale_dir``."""
    built = []
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        compile_catalog(po, mo)
        built.append(mo)
    if not built:
        raise SystemExit(f"no {DOMAIN}.po under {locale_dir}")
    return built


def main(argv: list[str]) -> int:
    if "--check" in argv:
        gaps = missing("vi")
        for label in gaps:
            print(f"untranslated: {label}")
        return 1 if gaps else 0
    if "--compile" in argv:
        for mo in compile_catalogs():
            print(f"compiled {mo.relative_to(ROOT)}")
        return 0
    messages = extract()
    for language in LANGUAGES:
        po = po_path(language)
        write_po(po, language, messages, read_catalog(po, language) if po.exists() else None)
    print(f"{len(messages)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
