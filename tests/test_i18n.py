"""Every UI string has a Vietnamese translation; placeholders survive translation."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import i18n  # noqa: E402
from tools.messages import extract  # noqa: E402

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def test_vietnamese_catalog_is_complete():
    catalog = i18n.parse_po(i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / "desk.po")
    missing = [m for m in extract() if not catalog.get(m)]
    assert missing == [], "untranslated (run python tools/messages.py, then translate): " + "; ".join(missing)


def test_placeholders_match():
    catalog = i18n.parse_po(i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / "desk.po")
    wrong = [m for m, t in catalog.items() if sorted(PLACEHOLDER.findall(m)) != sorted(PLACEHOLDER.findall(t))]
    assert wrong == []


def test_switching_language():
    try:
        assert i18n.set_language("en") == "en"
        assert i18n._("Received") == "Received"
        assert i18n.set_language("vi") == "vi"
        assert i18n._("Received") == "Đã tiếp nhận"
    finally:
        i18n.set_language("vi")
