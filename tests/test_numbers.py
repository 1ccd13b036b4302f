"""Numbers in Chinese text: numerals both ways, figures with their units and exact spans, the
unit vocabularies, and the promise that no text makes a number reader raise. No index needed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.text.figures import (
    ANSWER_UNITS,
    BARE,
    CLAIMS,
    CLASSIFIER_UNITS,
    COUNT_UNITS,
    DAYS,
    LIMIT_UNITS,
    PERSON_UNITS,
    QUIZ,
    TIME_UNITS,
    find_figures,
    in_days,
    parse_figure,
    unit_class,
    unit_family,
    unit_scale,
)
from kb.text.numerals import NUMERALS, cn_to_int, cn_to_number, int_to_cn

# ---------------------------------------------------------------- numerals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("九", 9),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("七十一", 71),
        ("一百零三", 103),
        ("一百一十", 110),
        ("一千零一十", 1010),
        ("两", 2),
        ("两百", 200),
        ("〇", 0),
        ("二〇二三", 2023),
        ("七一", 71),
        ("2023", 2023),
        ("２０２３", 2023),
        (" 七 十 ", 70),
    ],
)
def test_cn_to_int_reads_numerals_as_documents_write_them(text: str, value: int) -> None:
    assert cn_to_int(text) == value


@pytest.mark.parametrize("text", ["", " ", "统一", "一二十", "三点五", "一万", "七十六万", "⑩", "1.5", "-3"])
def test_cn_to_int_says_none_to_what_is_not_a_numeral(text: str) -> None:
    assert cn_to_int(text) is None  # 万 is a scale: the figure reader applies it, not cn_to_int


def test_cn_to_int_is_total_on_non_strings() -> None:
    assert cn_to_int(None) is None  # type: ignore[arg-type]
    assert cn_to_int(12) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "零"), (9, "九"), (10, "十"), (15, "十五"), (20, "二十"), (71, "七十一"), (103, "一百零三"),
     (110, "一百一十"), (1010, "一千零一十"), (9999, "九千九百九十九")],
)  # fmt: skip
def test_int_to_cn_writes_as_orders_print(n: int, text: str) -> None:
    assert int_to_cn(n) == text


def test_int_to_cn_keeps_digits_outside_what_it_writes() -> None:
    assert int_to_cn(10000) == "10000" and int_to_cn(-1) == "-1"


def test_numerals_round_trip_below_ten_thousand() -> None:
    assert all(cn_to_int(int_to_cn(n)) == n for n in range(10000))
    assert set(int_to_cn(1234)) <= set(NUMERALS)


def test_cn_to_number_reads_a_decimal_point() -> None:
    assert cn_to_number("九十九点七") == 99.7
    assert cn_to_number("七十六") == 76.0
    assert cn_to_number("点五") == 0.5
    assert cn_to_number("三点") is None and cn_to_number("三点x") is None and cn_to_number("统一") is None


# ---------------------------------------------------------------- figures


def _spans(text: str, reading=CLAIMS) -> list[tuple[str, str, str, int, int]]:
    return [(f.raw, f.value, f.unit, f.start, f.end) for f in find_figures(text, reading)]


def test_figures_with_units_and_exact_spans() -> None:
    text = "自受理之日起六十日内，共受理76件，败诉率1.28％。"
    assert _spans(text) == [
        ("六十日", "60", "日", 6, 9),
        ("76件", "76", "件", 14, 17),
        ("1.28％", "1.28", "%", 21, 26),
    ]
    for f in find_figures(text):
        assert text[f.start : f.end] == f.raw
    assert [f.numeral for f in find_figures(text)] == ["六十", "76", "1.28"]
    assert [f.chinese for f in find_figures(text)] == [True, False, False]


def test_figures_of_words_rates_ordinals_and_ranges() -> None:
    assert _spans("按罚款数额的百分之三加处") == [("百分之三", "3", "%", 6, 10)]
    assert _spans("依照第二十条") == [("第二十", "20", "第", 2, 5)]
    assert _spans("一至二名代理人") == [("一", "1", "", 0, 1), ("二名", "2", "名", 2, 4)]
    assert _spans("1,000万元") == [("1,000万元", "1000", "万元", 0, 7)]
    assert _spans("一是大力推动，进一步统一") == []
    assert _spans("七十六万件") == []  # 万 inside a Chinese numeral: not read as a figure


def test_the_quiz_reads_counts_and_time_limits_with_what_follows_them() -> None:
    text = "调解成功1455起，200多件，三十余日内，统一十五日，第3条，2023年，“十日”，12月5日"
    found = [(f.numeral, f.written_unit, f.start, f.numeral_end) for f in find_figures(text, QUIZ)]
    assert found == [("1455", "起", 4, 8), ("200", "多件", 10, 13), ("三十", "余日", 16, 18), ("5", "日", 46, 47)]
    # (5日 right after 月 is a date, not a time limit: quiz.py drops it)
    assert [f.unit for f in find_figures("5％", QUIZ)] == ["%"]
    assert [f.written_unit for f in find_figures("5％", QUIZ)] == ["％"]  # as the source writes it


def test_bare_numerals_are_every_number_a_claim_states() -> None:
    text = "败诉率1.28%，十五日内，三十万元，第十五条"
    assert [f.raw for f in find_figures(text, BARE)] == ["1.28%", "十五", "三十万"]
    assert [f.chinese for f in find_figures(text, BARE)] == [False, True, True]


# ---------------------------------------------------------------- units


def test_unit_classes_families_and_scales() -> None:
    assert unit_class("天") == unit_class("日")
    assert unit_class("多个月") == unit_class("月") == "个月"
    assert unit_class("％") == unit_class("%")
    assert unit_class("万件") == "件"
    assert unit_family("起") == unit_family("件") == {"件", "起"}
    assert unit_family("人") == {"人", "名"} and unit_family("元") == {"元"}
    assert unit_scale("万元") == unit_scale("多万件") == 10000.0 and unit_scale("万") == unit_scale("件") == 1.0


def test_time_units_and_their_days() -> None:
    assert in_days(2, "个月") == 60 and in_days(1, "年") == 365 and in_days(60, "余日") == 60
    assert in_days(48, "小时") == 2 and in_days(5, "件") == 5
    assert TIME_UNITS == tuple(DAYS)
    assert set(LIMIT_UNITS) <= set(DAYS)


def test_unit_vocabularies_agree() -> None:
    assert set(COUNT_UNITS) | set(LIMIT_UNITS) <= set(ANSWER_UNITS)
    assert [len(u) for u in ANSWER_UNITS] == sorted((len(u) for u in ANSWER_UNITS), reverse=True)
    assert CLASSIFIER_UNITS["名"] is PERSON_UNITS and "人次" in PERSON_UNITS


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("76", (76.0, "")),
        ("76件", (76.0, "件")),
        ("76 件", (76.0, "件")),
        ("七十六", (76.0, "")),
        ("60天", (60.0, "天")),
        ("99.7%", (99.7, "%")),
        ("百分之十三", (13.0, "%")),
        ("百分之九十九点七", (99.7, "%")),
        ("16万件", (160000.0, "件")),
        ("十六万件", (160000.0, "件")),
        ("两万", (20000.0, "")),
        ("200多件", (200.0, "件")),
        ("约3个月", (3.0, "个月")),
        ("5个百分点", (5.0, "个百分点")),
    ],
)
def test_parse_figure_reads_an_answer_as_people_type_it(text: str, parsed: tuple[float, str]) -> None:
    assert parse_figure(text) == parsed


@pytest.mark.parametrize("text", ["", "件", "不知道", "三点", "江政办〔2023〕16号", None])
def test_parse_figure_says_none_to_what_is_not_a_figure(text) -> None:
    assert parse_figure(text) is None


# ---------------------------------------------------------------- never raise

NUMBERISH = list("0123456789０１２３４５６７８９零〇一二两三四五六七八九十百千万亿.,，．·〔[％%多余第点之”“ 　") + [
    "百分之", "个工作日", "个月", "万件", "件", "日", "年", "月", "至", "统一", "约",
]  # fmt: skip
TEXT = st.lists(st.one_of(st.characters(codec=None, categories=None), st.sampled_from(NUMBERISH)), max_size=60).map(
    "".join
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_number_readers_never_raise_and_spans_point_at_the_text(text: str) -> None:
    for reading in (CLAIMS, QUIZ, BARE):
        for f in find_figures(text, reading):
            assert text[f.start : f.end] == f.raw
            assert f.start <= f.numeral_start < f.numeral_end <= f.end
            assert text[f.numeral_start : f.numeral_end] == f.numeral
    parse_figure(text)
    cn_to_int(text)
    cn_to_number(text)


@given(st.integers())
def test_int_to_cn_never_raises(n: int) -> None:
    assert isinstance(int_to_cn(n), str)


def test_comparison_spans_find_the_base_across_commas():
    """The report's base runs over commas (与2022年同期的结案101件，撤销4件，败诉率3.96%相比):
    one definition serves the lead cut, the level check and the item's end."""
    from kb.text.figures import COMPARISON, comparison_spans

    text = "撤销原行政行为1件，败诉率为1.28％。与2022年同期的结案101件，撤销4件，败诉率3.96%相比，2023年败诉率下降了2.68%。"
    (a, b), = comparison_spans(text)
    assert text[a:b].startswith("与2022年") and text[a:b].endswith("相比")
    assert COMPARISON.match(text[a:])
    assert comparison_spans("共收到行政复议申请76件。") == []
