"""Every UI string has a Vietnamese translation; placeholders survive translation; plural forms and
contexts are looked up as gettext defines them; the compiled catalog is built from the .po and a
missing one is an error, not an English desk."""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import i18n  # noqa: E402
from tools import messages  # noqa: E402
from tools.messages import extract, po_path, read_catalog  # noqa: E402

PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%(?:\([a-z_]+\))?[sdr]")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture
def vietnamese():
    try:
        yield i18n.set_language("vi")
    finally:
        i18n.set_language("vi")


def test_vietnamese_catalog_is_complete():
    assert messages.missing("vi") == [], "untranslated (run python tools/messages.py, then translate)"


def test_placeholders_match():
    catalog = read_catalog(po_path("vi"), "vi")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            # Vietnamese has one form, said for any number: it holds the plural's placeholders.
            singular, plural = message.id
            if any(_placeholders(text) not in (_placeholders(plural), _placeholders(singular))
                   for text in message.string):
                wrong.append(message.id)
        elif _placeholders(message.id) != _placeholders(message.string):
            wrong.append(message.id)
    assert wrong == []


def test_the_catalog_knows_plurals_and_one_vietnamese_form():
    catalog = read_catalog(po_path("vi"), "vi")
    assert catalog.num_plurals == 1 and catalog.plural_expr == "0"
    plural = catalog.get("{n} working day")
    assert plural is not None and plural.id == ("{n} working day", "{n} working days")
    assert plural.string == ("{n} ngày làm việc",)
    found = extract()
    assert found[(None, "{n} working day")].plural == "{n} working days"
    assert found[(None, "expected %s argument")].plural == "expected %s arguments"  # argparse's, through N_plural


def test_switching_language():
    try:
        assert i18n.set_language("en") == "en"
        assert i18n._("Received") == "Received"
        assert i18n.set_language("vi") == "vi"
        assert i18n._("Received") == "Đã tiếp nhận"
        assert i18n.set_language("fr") == "en"  # no catalog: the English source strings
        assert i18n._("Received") == "Received"
    finally:
        i18n.set_language("vi")


def test_plural_forms_in_english_and_vietnamese(vietnamese):
    from desk.services.calendar import processing_time_label

    assert processing_time_label(1, "working") == "1 ngày làm việc"
    assert processing_time_label(3, "working") == "3 ngày làm việc"
    assert processing_time_label(30, "calendar") == "30 ngày"
    i18n.set_language("en")
    assert processing_time_label(1, "working") == "1 working day"  # was "1 working days"
    assert processing_time_label(3, "working") == "3 working days"
    assert processing_time_label(1, "calendar") == "1 day"
    assert i18n.ngettext("{total} dossier", "{total} dossiers", 0) == "{total} dossiers"
    i18n.set_language("vi")
    for n in (0, 1, 2, 21):
        assert i18n.ngettext("{total} dossier", "{total} dossiers", n) == "{total} hồ sơ"


def test_context_lookups(vietnamese, tmp_path, monkeypatch):
    """pgettext/npgettext: one English text, two Vietnamese ones, told apart by msgctxt."""
    source = tmp_path / "marked.py"
    source.write_text('pgettext("menu", "Open")\npgettext("state", "Open")\n'
                      'npgettext("slip", "{n} copy", "{n} copies", n)\n_("Open")\n', encoding="utf-8")
    found = extract([source])
    assert set(found) == {("menu", "Open"), ("state", "Open"), ("slip", "{n} copy"), (None, "Open")}
    assert found[("slip", "{n} copy")].plural == "{n} copies"

    locale = tmp_path / "locale"
    po = po_path("vi", locale)
    messages.write_po(po, "vi", found, None)
    text = po.read_text(encoding="utf-8")
    assert 'msgctxt "menu"\nmsgid "Open"\nmsgstr ""' in text
    assert 'msgctxt "slip"\nmsgid "{n} copy"\nmsgid_plural "{n} copies"\nmsgstr[0] ""' in text
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    text = (text.replace('msgctxt "menu"\nmsgid "Open"\nmsgstr ""', 'msgctxt "menu"\nmsgid "Open"\nmsgstr "Mở"')
            .replace('msgctxt "state"\nmsgid "Open"\nmsgstr ""', 'msgctxt "state"\nmsgid "Open"\nmsgstr "Đang mở"')
            .replace('msgstr[0] ""', 'msgstr[0] "{n} bản"'))
    po.write_text(text, encoding="utf-8")
    messages.compile_catalogs(locale)

    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.set_language("vi")
    assert i18n.pgettext("menu", "Open") == "Mở"
    assert i18n.pgettext("state", "Open") == "Đang mở"
    assert i18n._("Open") == "Open"  # the context-free entry is untranslated here: the source text
    assert i18n.npgettext("slip", "{n} copy", "{n} copies", 1) == "{n} bản"
    assert i18n.npgettext("slip", "{n} copy", "{n} copies", 5) == "{n} bản"
    i18n.set_language("en")
    assert i18n.pgettext("menu", "Open") == "Open"
    assert i18n.npgettext("slip", "{n} copy", "{n} copies", 1) == "{n} copy"
    assert i18n.npgettext("slip", "{n} copy", "{n} copies", 5) == "{n} copies"


def test_check_fails_on_untranslated_plural_and_context_entries(tmp_path, monkeypatch):
    source = tmp_path / "marked.py"
    source.write_text('ngettext("{n} file", "{n} files", n)\npgettext("menu", "Open")\n', encoding="utf-8")
    monkeypatch.setattr(messages, "SOURCES", [source])
    locale = tmp_path / "locale"
    po = po_path("vi", locale)
    messages.write_po(po, "vi", extract(), None)
    assert sorted(messages.missing("vi", locale)) == ["[menu] Open", "{n} file | {n} files"]
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr[0] ""', 'msgstr[0] "{n} tệp"'), encoding="utf-8")
    assert messages.missing("vi", locale) == ["[menu] Open"]
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Open"\nmsgstr ""', 'msgid "Open"\nmsgstr "Mở"'),
                  encoding="utf-8")
    assert messages.missing("vi", locale) == []


def test_rewriting_keeps_translations_and_carries_singular_ones_into_plurals(tmp_path):
    """A string that becomes a plural entry keeps its Vietnamese (one form for any number)."""
    locale = tmp_path / "locale"
    po = po_path("vi", locale)
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: vi\\n"\n\n'
                  'msgid "{n} working days"\nmsgstr "{n} ngày làm việc"\n\n'
                  'msgid "Received"\nmsgstr "Đã tiếp nhận"\n', encoding="utf-8")
    source = tmp_path / "marked.py"
    source.write_text('ngettext("{n} working day", "{n} working days", n)\n_("Received")\n', encoding="utf-8")
    messages.write_po(po, "vi", extract([source]), read_catalog(po, "vi"))
    catalog = read_catalog(po, "vi")
    assert catalog.get("{n} working day").string == ("{n} ngày làm việc",)
    assert catalog.get("Received").string == "Đã tiếp nhận"
    assert catalog.get("{n} working days") is None  # the old singular entry is gone


def test_compiled_catalog_is_the_po(vietnamese):
    """The desk.mo the program reads says what desk.po says (rebuilt by tools/messages.py --compile)."""
    with i18n.catalog_path("vi").open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    assert compiled.info()["plural-forms"] == "nplurals=1; plural=0;"
    stale = []
    for message in read_catalog(po_path("vi"), "vi"):
        if not message.id or message.fuzzy:
            continue
        if message.pluralizable:
            singular, plural = message.id
            got = compiled.npgettext(message.context, singular, plural, 2) if message.context else \
                compiled.ngettext(singular, plural, 2)
            want = message.string[0]
        else:
            got = compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)
            want = message.string
        if got != want:
            stale.append(message.id)
    assert stale == [], "desk.mo is out of date: run python tools/messages.py --compile"


def test_compile_builds_the_mo_from_the_po(tmp_path):
    locale = tmp_path / "locale"
    po = po_path("vi", locale)
    po.parent.mkdir(parents=True)
    po.write_text(messages.po_path("vi").read_text(encoding="utf-8"), encoding="utf-8")
    built = messages.compile_catalogs(locale)
    assert built == [po.with_suffix(".mo")]
    with built[0].open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    assert compiled.gettext("Received") == "Đã tiếp nhận"
    assert compiled.ngettext("{n} working day", "{n} working days", 1) == "{n} ngày làm việc"
    assert not list(locale.rglob("*.partial"))


def test_missing_compiled_catalog_is_an_error_not_english(tmp_path, monkeypatch):
    """A checkout whose .mo was never built (scripts/venv.sh skipped) says what to run."""
    locale = tmp_path / "locale"
    po = po_path("vi", locale)
    po.parent.mkdir(parents=True)
    po.write_text(messages.po_path("vi").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    try:
        with pytest.raises(i18n.MissingCatalog, match=r"tools/messages\.py --compile"):
            i18n.set_language("vi")
        assert i18n.set_language("en") == "en"  # English needs no catalog
        messages.compile_catalogs(locale)
        assert i18n.set_language("vi") == "vi" and i18n._("Received") == "Đã tiếp nhận"
    finally:
        monkeypatch.undo()
        i18n.set_language("vi")


def test_cli_usage_errors_use_the_plural_forms(capsys):
    """argparse's "expected 2 arguments" reaches error() in English and reads Vietnamese, with our plural."""
    from desk import cli

    parser = cli._Parser(prog="desk")
    parser.add_argument("--pair", nargs=2)
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["--pair", "a"])
    assert exc.value.code == 2
    assert capsys.readouterr().err == "desk: lỗi: đối số --pair: cần 2 giá trị\n"
    assert cli._argparse_message("a message of no known shape") == "a message of no known shape"


def test_cli_usage_is_wrapped_for_the_longer_prefix(monkeypatch):
    """"cách dùng: " is longer than "usage: ": the usage is laid out again, inside the width argparse wraps at,
    its next lines under the first one's items and the positionals on a line of their own."""
    from desk import cli

    monkeypatch.setenv("COLUMNS", "60")
    parser = cli._Parser(prog="main.py slip")
    for option in ("--form", "--out", "--paper", "--printer", "--copies"):
        parser.add_argument(option)
    parser.add_argument("code")
    usage = parser.format_usage().rstrip("\n").split("\n")
    indent = " " * len("cách dùng: main.py slip ")
    assert usage[0].startswith("cách dùng: main.py slip [-h] [--form FORM]")
    assert all(len(line) <= 58 for line in usage) and len(usage) > 2
    assert all(line.startswith(indent) and line[len(indent)] != " " for line in usage[1:])
    assert usage[-1] == indent + "code"
    monkeypatch.setenv("COLUMNS", "200")
    assert parser.format_usage() == ("cách dùng: main.py slip [-h] [--form FORM] [--out OUT] [--paper PAPER] "
                                     "[--printer PRINTER] [--copies COPIES] code\n")


def test_init_catalog_summary_counts_each_part(vietnamese):
    """The init summary is two plural parts in one sentence, so "1 field and 2 procedures" reads right."""
    i18n.set_language("en")
    parts = {"fields": i18n.ngettext("{n} field", "{n} fields", 1).format(n=1),
             "procedures": i18n.ngettext("{n} procedure", "{n} procedures", 2).format(n=2)}
    assert i18n._("Catalog: {fields} and {procedures} added, {updated} updated, {unchanged} unchanged.").format(
        **parts, updated=0, unchanged=3) == "Catalog: 1 field and 2 procedures added, 0 updated, 3 unchanged."
    i18n.set_language("vi")
    assert i18n.ngettext("{n} field", "{n} fields", 1) == "{n} lĩnh vực"
    assert i18n.ngettext("{n} procedure", "{n} procedures", 2) == "{n} thủ tục"
