from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery_desk.io import normalise as n


@pytest.mark.parametrize("text, expected", [
    ("令和6年1月14日", date(2024, 1, 14)),
    ("令和６年１月１４日", date(2024, 1, 14)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("R6.1.14", date(2024, 1, 14)),
    ("r6/1/14", date(2024, 1, 14)),
    ("H23.3.11", date(2011, 3, 11)),
    ("平成23年3月11日", date(2011, 3, 11)),
    ("昭和64年1月7日", date(1989, 1, 7)),
    ("令和6年1月14日午後6時", date(2024, 1, 14)),
    ("2024-01-14", date(2024, 1, 14)),
    ("2024/1/14", date(2024, 1, 14)),
    ("2024年1月14日（日）", date(2024, 1, 14)),
    ("2024-01-14 00:00:00", date(2024, 1, 14)),
    ("20240114", date(2024, 1, 14)),
    ("45305", date(2024, 1, 14)),  # Excel's serial day number
])
def test_dates(text: str, expected: date) -> None:
    assert n.parse_date(text) == expected


@pytest.mark.parametrize("text", ["令和6年13月1日", "2024-02-30", "平成0年1月1日", "令和1年4月1日", "yesterday",
                                  "1/14", "2024-01-14 foo"])
def test_not_dates(text: str) -> None:
    with pytest.raises(n.DateFormatError):
        n.parse_date(text)


def test_empty_date_is_none() -> None:
    assert n.parse_date("  ") is None


def test_fold_width_is_the_safe_part_of_nfkc() -> None:
    assert n.fold_width("ＡＢＣ１２３") == "ABC123"
    assert n.fold_width("ｶﾞｽ") == "ガス"
    assert n.fold_width("山田\u3000太郎\u200b") == "山田 太郎"
    # Full NFKC would rewrite these; names and free text keep them.
    assert n.fold_width("①㈱") == "①㈱"
    assert n.nfkc("①") == "1"


def test_numbers_and_codes() -> None:
    assert n.parse_int("３人") == 3
    assert n.parse_int("1,200") == 1200
    with pytest.raises(ValueError):
        n.parse_int("2.5")
    assert n.normalise_phone("０７６７ー５３ー１１１１") == "0767-53-1111"
    assert n.lgcode6("172022") == "172022"
    assert n.lgcode6("10006") == "010006"  # Excel dropped the leading zero
    with pytest.raises(ValueError):
        n.lgcode6("172023")
    assert n.lgcode_from5("17202") == "172022"
    assert n.lgcode_from5("1100") == "011002"
    assert n.prefecture_code("17") == "JP-17"
    assert n.prefecture_code("JP-01") == "JP-01"
    with pytest.raises(ValueError):
        n.prefecture_code("48")
    assert n.split_list("食料、住宅修理; 心のケア") == ["食料", "住宅修理", "心のケア"]


# -- a column at a time: the import's batch helpers give what the per-cell functions give ---
_CELLS = st.lists(st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10),
    st.sampled_from(["山田\u3000太郎", "ＡＢＣ１２３", "ｶﾞｽ", "12－345", "０７６７－５３ー１１１１", "\u3099が", "①㈱",
                     " x ", "\uffff", "a\uffffb", "\x00\x1f", "ß"]),
), max_size=30)
_LONG = st.lists(st.sampled_from(["山田\u3000太郎", "ＡＢＣ１２３", "ｶﾞｽ", "12－345", "０７６７－５３ー１１１１", "x\u200by"]),
                 min_size=200, max_size=400)  # long enough for the replace-only-what-is-there path


@settings(max_examples=4 * settings.default.max_examples)  # cheap: four times the profile's
@given(st.one_of(_CELLS, _LONG))
def test_batch_helpers_equal_the_per_cell_functions(cells: list[str]) -> None:
    from recovery_desk.io.importer import key_text, key_text_many

    assert n.fold_width_many(cells) == [n.fold_width(c) for c in cells]
    assert n.nfkc_many(cells) == [n.nfkc(c) for c in cells]
    assert n.normalise_phone_many(cells) == [n.normalise_phone(c) for c in cells]
    assert key_text_many(cells) == [key_text(c) for c in cells]
