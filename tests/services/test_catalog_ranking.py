"""The intake type-ahead's order (catalog.rank_for_intake) and its helpers, over lists in hand."""

from __future__ import annotations

import pytest

from desk.services import catalog
from desk.services.accounts import SYSTEM
from desk.services.catalog import ProcedureInfo


def proc(code: str, name: str) -> ProcedureInfo:
    return ProcedureInfo(code=code, name=name, field_code="HT", field_name="Hộ tịch", processing_days=3,
                         day_unit="working", cutoff=None, fee="", documents=[], online_level="none", legal_basis="",
                         no_appointment_day=False, active=True)


BIRTH = proc("1.001193", "Đăng ký khai sinh")
LATE_BIRTH = proc("1.004884", "Đăng ký lại khai sinh")
DEATH = proc("1.000656", "Đăng ký khai tử")
COPY = proc("2.000815", "Chứng thực bản sao từ bản chính")
SIGNATURE = proc("2.000884", "Chứng thực chữ ký")
KNOWN = [BIRTH, LATE_BIRTH, DEATH, COPY, SIGNATURE]


def never() -> list[ProcedureInfo]:
    raise AssertionError("the desk's usual procedures must not be asked for when the match is exact")


def codes(found: list[ProcedureInfo]) -> list[str]:
    return [p.code for p in found]


@pytest.mark.parametrize(("name", "letters"), [("Đăng ký khai sinh", "dkks"), ("Chứng thực chữ ký", "ctck"),
                                                ("Thủ tục - cấp bản sao", "ttcbs"), ("", "")])
def test_initials_are_the_folded_first_letters_of_the_words(name, letters):
    assert catalog.initials(name) == letters


def test_exact_initials_come_before_what_the_search_found():
    found = [LATE_BIRTH, BIRTH]  # as if the database ranked another one first
    assert codes(catalog.rank_for_intake("dkks", found, KNOWN, usual=never, limit=30))[:2] == [BIRTH.code,
                                                                                               LATE_BIRTH.code]


def test_search_results_keep_their_order_then_initials_matches_follow_each_once():
    found = [SIGNATURE, COPY]
    ranked = catalog.rank_for_intake("ks", found, KNOWN, usual=list, limit=30)
    # "ks" is inside dkks and dlks: those follow the search's own answer; nothing appears twice
    assert codes(ranked) == [SIGNATURE.code, COPY.code, BIRTH.code, LATE_BIRTH.code]


def test_loose_matches_put_the_desks_usual_procedures_first():
    found = [COPY, SIGNATURE]
    ranked = catalog.rank_for_intake("chung thuc", found, KNOWN, usual=lambda: [SIGNATURE, BIRTH], limit=30)
    assert codes(ranked) == [SIGNATURE.code, COPY.code]


def test_an_exact_code_is_never_reordered_and_usual_is_not_asked():
    found = [COPY, SIGNATURE]
    assert codes(catalog.rank_for_intake("2.000815", found, KNOWN, usual=never, limit=30)) == [COPY.code,
                                                                                               SIGNATURE.code]


def test_the_limit_applies_after_merging():
    assert codes(catalog.rank_for_intake("dk", [], KNOWN, usual=list, limit=1)) == [DEATH.code]  # dkkt, shorter
    assert catalog.rank_for_intake("", [], KNOWN, usual=list, limit=30) == []


def test_the_fallback_filter_uses_the_searchs_rule():
    assert codes(catalog.matching_procedures("khai sinh", KNOWN)) == [BIRTH.code, LATE_BIRTH.code]
    assert codes(catalog.matching_procedures("KHAI TỬ 1.000", KNOWN)) == [DEATH.code]  # name and code words
    assert catalog.matching_procedures("khai sinh chứng thực", KNOWN) == []


def test_the_fallback_and_the_database_search_agree(db):
    catalog.load_seed(by=SYSTEM)
    every = catalog.list_procedures()
    for typed in ("khai sinh", "chung thuc ban sao", "1.00", "đất đai", "x y z"):
        assert {p.code for p in catalog.search_procedures(typed, limit=10_000)} == {
            p.code for p in catalog.matching_procedures(typed, every)}

