"""The text toolkit: sentences and clauses with exact offsets, normalisation, titles.

Fast: no index, no corpus. Each splitter argument is shown changing what it should and
nothing else; a property test checks on arbitrary strings that spans tile the text
(`trim=False`) or lie inside it in order (`trim=True`).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.text.normalize import compact, fold_width, nfkc, squash
from kb.text.sentences import clause_spans, sentence_ends, sentence_spans, span_around
from kb.text.titles import compact_title, display_title, nested_marks, normalize_title, short_title
from kb.text.tokenize import bigrams, char_bigrams

# What `attach` is for: citation markers (kb.answer.citations.MARKER, whose import needs the
# index; any pattern does here).
NOTE = re.compile(r"\[\d+\]")


def _texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


# ---------------------------------------------------------------- sentences


def test_sentences_are_exact_offsets_into_the_text() -> None:
    text = "  受理申请76件。\n  办结率98.5%！下一句"
    spans = sentence_spans(text)
    assert spans == [(2, 10), (13, 22), (22, 25)]
    assert _texts(text, spans) == ["受理申请76件。", "办结率98.5%！", "下一句"]


def test_a_range_is_split_with_offsets_into_the_whole_text() -> None:
    text = "前文。甲。乙。后文"
    assert sentence_spans(text, 3, 7) == [(3, 5), (5, 7)]


@pytest.mark.parametrize(
    "text,semicolon,expected",
    [
        ("甲；乙。", False, ["甲；乙。"]),
        ("甲；乙。", True, ["甲；", "乙。"]),
        ("甲;乙", True, ["甲;", "乙"]),
    ],
)
def test_semicolon_ends_a_sentence_only_when_asked(text: str, semicolon: bool, expected: list[str]) -> None:
    assert _texts(text, sentence_spans(text, semicolon=semicolon)) == expected


def test_newline_ends_a_sentence_only_when_asked() -> None:
    text = "第一行\n第二行。"
    assert _texts(text, sentence_spans(text)) == ["第一行", "第二行。"]
    assert _texts(text, sentence_spans(text, newline=False)) == ["第一行\n第二行。"]


def test_closing_quotes_stay_with_their_sentence_unless_asked() -> None:
    text = "他说：“好。”然后走了"
    assert _texts(text, sentence_spans(text)) == ["他说：“好。”", "然后走了"]
    assert _texts(text, sentence_spans(text, closers=False)) == ["他说：“好。", "”然后走了"]


def test_a_run_of_marks_ends_one_sentence_unless_asked() -> None:
    text = "真的吗？！是的"
    assert _texts(text, sentence_spans(text)) == ["真的吗？！", "是的"]
    assert _texts(text, sentence_spans(text, run=False)) == ["真的吗？", "！", "是的"]


def test_a_line_break_takes_closing_quotes_only_when_marks_end_one_by_one() -> None:
    text = "甲\n”乙"
    assert _texts(text, sentence_spans(text, trim=False)) == ["甲\n", "”乙"]
    assert _texts(text, sentence_spans(text, run=False, trim=False)) == ["甲\n”", "乙"]


def test_quotation_is_one_sentence_when_quotes_count() -> None:
    text = "原文：“甲。乙。”[1]丙。"
    assert _texts(text, sentence_spans(text, quotes=True)) == ["原文：“甲。乙。”", "[1]丙。"]
    assert _texts(text, sentence_spans(text, quotes=True, attach=NOTE)) == ["原文：“甲。乙。”[1]", "丙。"]
    assert _texts(text, sentence_spans(text)) == ["原文：“甲。", "乙。”", "[1]丙。"]


def test_a_line_break_ends_an_unclosed_quotation() -> None:
    text = "他说：“甲。\n乙。"
    assert _texts(text, sentence_spans(text, quotes=True)) == ["他说：“甲。", "乙。"]


def test_attached_markers_follow_their_sentence() -> None:
    text = "甲76件。[1][2]乙。[3]"
    assert _texts(text, sentence_spans(text, attach=NOTE)) == ["甲76件。[1][2]", "乙。[3]"]
    assert sentence_ends(text, attach=NOTE) == [(4, 11), (12, 16)]


def test_keep_end_false_stops_before_the_marks() -> None:
    text = "甲。；乙！"
    assert _texts(text, sentence_spans(text, semicolon=True, keep_end=False)) == ["甲", "乙"]


def test_trim_false_keeps_indentation_and_line_breaks() -> None:
    text = "甲。\n\u3000\u3000乙。 "
    assert _texts(text, sentence_spans(text, trim=False)) == ["甲。", "\n", "\u3000\u3000乙。", " "]
    assert _texts(text, sentence_spans(text)) == ["甲。", "乙。"]


def test_chunking_rule_keeps_closing_marks() -> None:
    """ingest.structure's rule: ； ends a sentence, a line break does not."""
    for text, expected in [
        ("甲。乙；丙！", ["甲。", "乙；", "丙！"]),
        ("他说：“好。”然后走了", ["他说：“好。”", "然后走了"]),
        ("没有句号", ["没有句号"]),
    ]:
        assert _texts(text, sentence_spans(text, semicolon=True, newline=False, trim=False)) == expected


def test_sentence_ends_mark_where_each_end_begins() -> None:
    assert sentence_ends("一、总体情况。二是") == [(6, 7)]
    assert sentence_ends("没有句号") == []


def test_span_around_joins_the_sentences_a_range_touches() -> None:
    text = "前一句。出台《甲。乙》文件。后一句"
    spans = sentence_spans(text, trim=False)
    start, end = text.index("《"), text.index("》") + 1
    assert text.__getitem__(slice(*span_around(spans, start, end))) == "出台《甲。乙》文件。"
    assert span_around(spans, len(text) - 1, len(text)) == (14, len(text))
    assert span_around([], 2, 3) == (2, 3)


def test_odd_input_gives_no_sentences() -> None:
    assert sentence_spans("") == []
    assert sentence_spans("   \n ") == []
    assert sentence_spans(None) == []  # type: ignore[arg-type]
    assert sentence_spans("甲。", 5, 9) == []


# ---------------------------------------------------------------- clauses


def test_clauses_split_outside_brackets_and_drop_trailing_punctuation() -> None:
    text = "受理73件（其中，行政复议5件），审结65件；办结率98%。"
    assert _texts(text, clause_spans(text)) == ["受理73件（其中，行政复议5件）", "审结65件", "办结率98%"]


def test_clauses_not_nested_split_inside_brackets() -> None:
    text = "甲（乙，丙）丁"
    assert _texts(text, clause_spans(text, nested=False)) == ["甲（乙", "丙）丁"]


def test_untrimmed_clauses_tile_with_their_separators() -> None:
    text = "甲，乙：丙"
    spans = clause_spans(text, nested=False, trim=False)
    assert _texts(text, spans) == ["甲，", "乙：", "丙"]
    assert "".join(_texts(text, spans)) == text


def test_clause_separators_are_an_argument() -> None:
    text = "甲、乙，丙"
    assert _texts(text, clause_spans(text, separators="、")) == ["甲", "乙，丙"]


def test_clauses_of_a_range_keep_absolute_offsets() -> None:
    text = "前。甲，乙。后"
    assert clause_spans(text, 2, 6) == [(2, 3), (4, 5)]


# ---------------------------------------------------------------- properties

ANY_TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("。！？!?；;，,：:“”「」『』’）)（(\n 　") + ["[1]", "[23]", "\n\n"]),
    ),
    max_size=80,
).map("".join)
RULES = st.fixed_dictionaries(
    {
        "semicolon": st.booleans(),
        "newline": st.booleans(),
        "closers": st.booleans(),
        "run": st.booleans(),
        "quotes": st.booleans(),
        "attach": st.sampled_from([None, NOTE]),
    }
)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(ANY_TEXT, RULES)
def test_untrimmed_sentences_tile_the_text(text: str, rule: dict) -> None:
    spans = sentence_spans(text, trim=False, **rule)
    assert "".join(_texts(text, spans)) == text
    assert all(s < e for s, e in spans)
    ends = sentence_ends(text, **rule)
    assert [e for _, e in ends] == [e for _, e in spans][: len(ends)]
    assert all(s < e for s, e in ends)


@PROPERTY
@given(ANY_TEXT, RULES, st.booleans(), st.integers(0, 80), st.integers(0, 80))
def test_sentences_lie_in_order_within_the_range(text: str, rule: dict, keep_end: bool, a: int, b: int) -> None:
    start, end = min(a, b, len(text)), min(max(a, b), len(text))
    spans = sentence_spans(text, start, end, keep_end=keep_end, **rule)
    pos = start
    for s, e in spans:
        assert pos <= s < e <= end
        assert text[s:e].strip() == text[s:e]
        pos = e


@PROPERTY
@given(ANY_TEXT, st.booleans())
def test_clauses_lie_in_order_and_tile_untrimmed(text: str, nested: bool) -> None:
    spans = clause_spans(text, nested=nested, trim=False)
    assert "".join(_texts(text, spans)) == text
    pos = 0
    for s, e in clause_spans(text, nested=nested):
        assert pos <= s < e <= len(text)
        pos = e


# ---------------------------------------------------------------- normalisation


def test_fold_width_keeps_one_character_for_one() -> None:
    text = "江政办（２０２３）１６号ＡＢ"
    folded = fold_width(text)
    assert folded == "江政办(2023)16号AB"
    assert len(folded) == len(text)
    assert fold_width("ＡＢc", lower=True) == "abc"
    assert fold_width("㎡") == "㎡"  # its fold is two characters: it stays


def test_nfkc_and_compact_may_change_the_length() -> None:
    assert nfkc("㎡Ａ") == "m2A"
    assert nfkc("ＡＢ", lower=True) == "ab"
    assert nfkc(None) == ""  # type: ignore[arg-type]
    assert compact(" ７６ 件\n") == "76件"
    assert compact(None) == ""  # type: ignore[arg-type]


def test_squash_removes_every_kind_of_whitespace() -> None:
    assert squash("甲 乙\n丙\u3000丁\t") == "甲乙丙丁"


def test_bigrams() -> None:
    assert char_bigrams("行政复议") == ["行政", "政复", "复议"]
    assert char_bigrams("甲") == []
    assert bigrams("行政 Ａ复议") == ["行政", "a复", "复议"]


# ---------------------------------------------------------------- titles


def test_normalize_title_is_the_matching_form() -> None:
    assert normalize_title("《中华人民共和国 行政复议法（2023年修订）》") == "行政复议法"
    assert normalize_title("关于<行政诉讼法>的解释") == "关于〈行政诉讼法〉的解释"
    assert normalize_title("中华人民共和国") == "中华人民共和国"
    assert normalize_title("某法（2019年修改）") == "某法"


def test_display_title_drops_the_catalog_version_note() -> None:
    assert display_title(" 中华人民共和国行政复议法（2023年修订）") == "中华人民共和国行政复议法"
    assert display_title("某法（2019年修改）") == "某法（2019年修改）"


def test_compact_title_and_nested_marks() -> None:
    assert compact_title("关于 <甲> 的通知") == "关于〈甲〉的通知"
    assert nested_marks("<甲>") == "〈甲〉"


def test_short_title() -> None:
    assert short_title("中华人民共和国行政复议法") == "行政复议法"
    assert short_title("重大行政决策程序暂行条例（试行）") == "重大行政决策程序暂行条例"
    assert short_title("中华人民共和国行政复议法", keep_note=True) == "行政复议法"
    assert short_title("重大行政决策程序暂行条例（试行）", keep_note=True) == "重大行政决策程序暂行条例（试行）"
    assert short_title("中华人民共和国法", keep_note=True) == "中华人民共和国法"
