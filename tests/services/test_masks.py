"""Masks for public screens: a citizen's name and ID number as the kiosk (or a look-up page) shows them.

The promise: the family name, then one letter per other word, whatever separates the words; a
one-word name is never shown whole; the last 4 digits of an ID number at most. The oracle below is
written from the Unicode database (categories and character names), not from the module's tables.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from desk.services.identity import MASK_NAME_MAX_LENGTH, mask_id, mask_name

# -- examples -----------------------------------------------------------------------------------
SEPARATED = ["-", ".", "_", "\u00b7", "\u3164", "\u2800", "\t", "\n", "\r\n", ",", "/", "'", "’", "|", "+",
             "\u00a0", "\u3000", "\u2028", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e",
             "\u2066", "\u115f", "\u1160", "\uffa0", "\ufe0f", "\u034f", "\u180e", "\x00", "\x1f", "\x7f", "\u0085",
             "\U000e0020", "\ue000", "\U0010ffff", "\ud800", " - ", " \u0301 ", "\u2062", "\u30fb", "\uff0e",
             "\u05be", "\u2e3a", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\u02d7"]


@pytest.mark.parametrize("sep", SEPARATED, ids=lambda s: "+".join(f"U+{ord(c):04X}" for c in s))
def test_every_given_name_is_masked_whatever_separates_the_words(sep):
    assert mask_name(sep.join(["Nguyễn", "Văn", "An"])) == "Nguyễn V. A."
    assert mask_name(sep.join(["", "Nguyễn", "Văn", "An", ""])) == "Nguyễn V. A."


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("  Trần   thị  Bích Ngọc ", "Trần T. B. N."),
        ("Đỗ Đức Anh", "Đỗ Đ. A."),
        (unicodedata.normalize("NFD", "Phạm Ánh Ngọc"), "Phạm Á. N."),
        (unicodedata.normalize("NFD", "Đặng-Thị-Ửng"), "Đặng T. Ử."),
        ("NGUYỄN VĂN AN", "Nguyễn V. A."),
        ("nguyễn văn an", "Nguyễn V. A."),
        ("nGUYỄN vĂN aN", "Nguyễn V. A."),
        ("Ｎｇｕｙễｎ Ｖăｎ", "Nguyễn V."),  # full-width letters
        ("𝐍𝐠𝐮𝐲𝐞𝐧 𝐕𝐚𝐧", "Nguyen V."),  # mathematical bold letters
        ("Công Tằng Tôn Nữ Thị Xuân Hương", "Công T. T. N. T. X. H."),
        ("H'Hen Niê", "H H. N."),
        ("Nguyễn A", "Nguyễn A."),
        ("Lê", "L."),  # one word: never shown whole
        ("Nguyễn", "N."),
        ("NguyễnVănAn", "N."),
        ("An", "A."),
        ("A", "A."),
        ("Ư", "Ư."),
        ("a b", "A B."),
        ("Nguyễn " + "Văn " * 1000, "Nguyễn V. V. V. V. V. V. V. V. …"),
        ("Wolfeschlegelsteinhausen Hubert", "W. H."),  # a first word of 24 letters is no family name
        ("A" * 10_000, "A."),
        (" " * 5000 + "Nguyễn Văn An", ""),  # past what a name can be: nothing rather than too much
        ("a\u0301\u0302\u0303\u0304\u0305 b\u0301\u0302\u0303", "Á\u0302\u0303 B\u0301\u0302."),  # marks capped
        ("\u0301\u0301 Văn An", "Văn A."),  # lone combining marks are no word
        ("ıvan İlker", "ıvan İ."),
        ("", ""),
        ("   ", ""),
        ("- . _ ·", ""),
        ("\u200b\u3164\u2800", ""),
        (None, ""),
        (42, ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("001090012345", "****2345"),
        (" 001090012345\n", "****2345"),
        ("0010-9001-2345", "****2345"),
        ("０01090012345", "****2345"),
        ("٠٠١٠٩٠٠١٢٣٤٥", "****2345"),  # Arabic-Indic digits become ASCII, nothing else is shown
        ("123456789", "****6789"),  # the old 9-digit number
        ("CCCD 001090012345 cấp 2021", "****2021"),  # only digits ever come out
        ("12345678", "****"),  # too short: its last 4 would be half of it
        ("1234", "****"),
        ("abc", "****"),
        ("", ""),
        ("  ", ""),
        (None, ""),
        (1234567890, ""),
    ],
)
def test_mask_id(number, masked):
    assert mask_id(number) == masked


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=[]), max_size=300))
def test_mask_id_shows_at_most_the_last_4_digits(text):
    masked = mask_id(text)
    assert masked in ("", "****") or (masked.startswith("****") and len(masked) == 8 and masked[4:].isdigit()
                                       and masked[4:].isascii())


# -- the oracle ---------------------------------------------------------------------------------
def _invisible(c: str) -> bool:
    """Letters and marks that print as nothing or as a blank, found by their Unicode names."""
    name = unicodedata.name(c, "")
    return any(word in name for word in ("FILLER", "VARIATION SELECTOR", "GRAPHEME JOINER", "INHERENT"))


def _is_word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LNM" and not _invisible(c)


def _mark(c: str) -> bool:
    return unicodedata.category(c)[0] == "M"


def oracle_words(text: str) -> list[str]:
    """The words of the NFKC form: runs of letters, digits and marks, without leading marks."""
    words, word = [], ""
    for c in unicodedata.normalize("NFKC", text) + " ":
        if _is_word_char(c):
            word += c
            continue
        word = word.lstrip("".join({ch for ch in word if _mark(ch)}))
        if word:
            words.append(word)
        word = ""
    return words


def base(text: str) -> str:
    """Case-folded letters without their marks: what a reader recognises."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not _mark(c)))  # 가 stays one


def letters(text: str) -> str:
    """Lower-case letters without their marks, one character for one (no "ß" → "ss")."""
    lowered = "".join(low if len(low := c.lower()) == 1 else c for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", lowered) if not _mark(c)))


def _is_initial(token: str) -> bool:
    """One letter (with its marks) and a dot."""
    letter = unicodedata.normalize("NFC", token[:-1])
    return token.endswith(".") and bool(letter) and not _mark(letter[0]) and sum(not _mark(c) for c in letter) == 1


def assert_masked(text: str) -> None:
    """The promise, checked against the input's own words."""
    masked = mask_name(text)
    assert isinstance(masked, str) and len(masked) <= MASK_NAME_MAX_LENGTH <= 90
    if not masked:
        return  # nothing shown, nothing leaked
    words = oracle_words(text)
    tokens = masked.split(" ")
    family_shown = not tokens[0].endswith(".")
    initials = tokens[1:] if family_shown else tokens
    if initials and initials[-1] == "…":
        initials = initials[:-1]
    # the family name is the first word itself; every other token is one letter and a dot ...
    if family_shown:
        assert len(words) >= 2 and base(tokens[0]) == base(words[0]), (masked, words[:2])
    assert all(_is_initial(token) for token in initials), masked
    # ... the first letter of its own word, in order, never more initials than words
    given = words[1:] if family_shown else words
    assert len(initials) <= len(given), (masked, words)
    for token, word in zip(initials, given, strict=False):
        assert base(word).startswith(base(token[:-1])), (token, word)
    # so no word after the family name (2 letters or more) is in the mask, unless the family name holds it
    for word in given:
        shown = letters(word)
        if len(shown) >= 2:
            assert shown not in letters(masked) or (family_shown and base(word) in base(words[0])), (masked, word)


# -- properties ---------------------------------------------------------------------------------
VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
viet_word = st.text(alphabet=VIET, min_size=1, max_size=8)
any_char = st.characters(exclude_categories=[])  # every code point, surrogates included


def _separates(c: str) -> bool:
    return _invisible(c) or all(unicodedata.category(x)[0] not in "LNM" for x in unicodedata.normalize("NFKC", c))


separator = st.text(alphabet=any_char.filter(_separates), min_size=1, max_size=3)
cased = st.sampled_from([str.lower, str.upper, str.title, str.capitalize, lambda w: w])
form = st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"])


@st.composite
def names(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A name of Vietnamese words (any case, any normal form) joined by arbitrary separators."""
    words = [draw(cased)(w) for w in draw(st.lists(viet_word, min_size=1, max_size=12))]
    text = draw(separator) if draw(st.booleans()) else ""
    for i, word in enumerate(words):
        text += (draw(separator) if i else "") + word
    if draw(st.booleans()):
        text += draw(separator)
    return unicodedata.normalize(draw(form), text), words


def expected_mask(words: list[str]) -> str:
    def initial(word: str) -> str:
        return word[0].upper() + "."

    if len(words) == 1:
        return initial(words[0])
    family = words[0][0].upper() + words[0][1:].lower() if len(words[0]) <= 15 else initial(words[0])
    tail = " …" if len(words) > 9 else ""
    return " ".join([family, *(initial(w) for w in words[1:9])]) + tail


@settings(max_examples=1000, deadline=None)
@given(names())
@example(("Nguyễn-Văn-An", ["Nguyễn", "Văn", "An"]))
@example(("Nguyễn\u3164Văn\u2800An", ["Nguyễn", "Văn", "An"]))
def test_names_with_any_separators_case_and_form(case):
    text, words = case
    assert mask_name(text) == expected_mask(words)
    assert_masked(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=any_char, max_size=200))
@example("Nguyễn\u0301\u0301\u0301Văn")
@example("ǅ ǈ ǋ ﬁ ﷺ ㍿ ⑴")
@example("\ud800\udc00 \U0001f600 x")
def test_any_text_never_shows_more_than_family_and_initials(text):
    assert_masked(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(viet_word, st.text(alphabet=any_char, max_size=4)), max_size=15))
def test_mixtures_of_words_and_noise(parts):
    assert_masked("".join(parts))
    assert_masked(" ".join(parts))


@settings(max_examples=300, deadline=None)
@given(names())
def test_normal_form_and_case_do_not_change_the_mask(case):
    text, _words = case
    masked = mask_name(text)
    for variant in ("NFC", "NFD", "NFKC", "NFKD"):
        assert mask_name(unicodedata.normalize(variant, text)) == masked
    assert mask_name(text.upper()) == mask_name(text.lower()) == masked
    assert_masked(text)


def test_every_code_point_between_the_words():
    """Every code point of planes 0–3 and 14 (and the edges of the private planes) put between the
    words: a separator gives "Nguyễn V. A.", anything else joins words; no given name is ever shown."""
    planes = [*range(0, 0x40000), *range(0xE0000, 0xE1000), 0xF0000, 0xFFFFD, 0x100000, sys.maxunicode]
    separators = 0
    for code in planes:
        c = chr(code)
        masked = mask_name(f"Nguyễn{c}Văn{c}An")
        assert len(masked) <= MASK_NAME_MAX_LENGTH
        assert "văn" not in masked.casefold(), (hex(code), masked)
        assert all(_is_initial(token) or token == "…" for token in masked.split(" ")[1:]), (hex(code), masked)
        if _separates(c):
            separators += 1
            assert masked == "Nguyễn V. A.", (hex(code), masked)
    assert separators > 100_000  # most of Unicode is no letter: the loop really tried them
