"""Extract the UI strings (_() and N_() calls) and keep the .po catalogs in step.

    python tools/messages.py            # add new msgids to every catalog, keep translations
    python tools/messages.py --check    # exit 1 listing strings without a Vietnamese translation
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk.i18n import parse_po  # noqa: E402

# The catalogs this tool rewrites: the source tree's copy (desk.i18n reads the same files through the package).
LOCALE_DIR = ROOT / "desk" / "resources" / "locale"

SOURCES = [ROOT / "main.py", *sorted((ROOT / "desk").rglob("*.py"))]
MARKERS = {"_", "N_", "gettext"}


def extract() -> dict[str, list[str]]:
    """msgid → ["file:line", ...] in source order."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def write_po(path: Path, language: str, messages: dict[str, list[str]], translations: dict[str, str]) -> None:
    lines = [
        f"# OneStop Desk UI messages ({language}).",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {language}\\n"',
        "",
    ]
    for msgid in sorted(messages, key=str.lower):
        lines.append("#: " + " ".join(messages[msgid][:3]))
        lines.append("msgid " + _quote(msgid))
        lines.append("msgstr " + _quote(translations.get(msgid, "")))
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def missing(language: str = "vi") -> list[str]:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "desk.po"
    translations = parse_po(po) if po.exists() else {}
    return [m for m in extract() if not translations.get(m)]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        gaps = missing("vi")
        for msgid in gaps:
            print(f"untranslated: {msgid}")
        return 1 if gaps else 0
    messages = extract()
    for language in ("vi",):
        po = LOCALE_DIR / language / "LC_MESSAGES" / "desk.po"
        write_po(po, language, messages, parse_po(po) if po.exists() else {})
    print(f"{len(messages)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
