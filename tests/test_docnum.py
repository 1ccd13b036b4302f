"""文号 parser: every way staff type a number finds the same key, and no text breaks it."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.text.docnum import canonical_docnum, find_docnums, keys_compatible, normalize_docnum
from kb.text.numerals import cn_to_int, int_to_cn

OPENS = "〔[(【（［"
CLOSES = "〕])】）］"
SPACES = ["", "", "", " ", "  ", "\u3000", "\t"]
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
PREFIXES = ["江政办", "江营商办发", "江政发", "江司发", "江法委发", "国办发", "桂政办发"]
ISSUERS = {
    "国务院": "国务院令",
    "中华人民共和国国务院": "国务院令",
    "主席": "主席令",
    "中华人民共和国主席": "主席令",
    "广西壮族自治区人民政府": "广西壮族自治区人民政府令",
}


@st.composite
def spaced(draw, text: str) -> str:
    """`text` with stray spaces drawn between (and around) its characters."""
    gaps = draw(st.lists(st.sampled_from(SPACES), min_size=len(text) + 1, max_size=len(text) + 1))
    return "".join(g + c for g, c in zip(gaps, text, strict=False)) + gaps[-1]


@st.composite
def widths(draw, digits: str) -> str:
    """Each digit half- or full-width, independently."""
    flags = draw(st.lists(st.booleans(), min_size=len(digits), max_size=len(digits)))
    return "".join(d.translate(FULL) if f else d for d, f in zip(digits, flags, strict=True))


@st.composite
def bracket_number(draw) -> tuple[str, str]:
    prefix = draw(st.sampled_from(PREFIXES))
    year = draw(st.integers(1980, 2099))
    num = draw(st.integers(1, 9999))
    text = (
        prefix
        + draw(st.sampled_from(OPENS))
        + draw(widths(str(year)))
        + draw(st.sampled_from(CLOSES))
        + draw(st.sampled_from(["", "第"]))
        + draw(widths(str(num)))
        + draw(st.sampled_from(["号", ""]))
    )
    return draw(spaced(text)), f"{prefix}|{year}|{num}"


@st.composite
def plain_number(draw) -> tuple[str, str]:
    """A 文号 typed without brackets: 江政发2013年26号, 江政办 ２０２３ 年 第17号, 江政发2013 26号."""
    prefix = draw(st.sampled_from(PREFIXES))
    year = draw(st.integers(1980, 2099))
    num = draw(st.integers(1, 9999))
    sep = draw(st.sampled_from(["年", " ", "\u3000"]))
    text = prefix + draw(widths(str(year))) + sep + draw(st.sampled_from(["", "第"])) + draw(widths(str(num))) + "号"
    return draw(spaced(text)), f"{prefix}|{year}|{num}"


@st.composite
def order_number(draw) -> tuple[str, str]:
    issuer = draw(st.sampled_from(sorted(ISSUERS)))
    num = draw(st.integers(1, 999))
    chinese = draw(st.booleans())
    digits = int_to_cn(num) if chinese else draw(widths(str(num)))
    di = draw(st.sampled_from(["第", ""]))
    hao = draw(st.sampled_from(["号", ""]))
    if chinese and not di and not hao:
        di = "第"  # 令 followed by a bare Chinese numeral is prose, not an order number
    text = issuer + "令" + di + digits + hao
    return draw(spaced(text)), f"{ISSUERS[issuer]}|{num}"


CONTEXT = st.text(alphabet=string.ascii_letters + "，。；：、！？ ", max_size=12)


@given(bracket_number())
def test_any_bracketed_variant_has_one_key(variant):
    text, key = variant
    assert normalize_docnum(text) == key
    found = find_docnums(text)
    assert [m.key for m in found] == [key]
    assert found[0].raw == text.strip(" \t\u3000")


@given(order_number())
def test_any_order_number_variant_has_one_key(variant):
    text, key = variant
    assert normalize_docnum(text) == key
    found = find_docnums(text)
    assert [m.key for m in found] == [key]
    assert found[0].raw == text.strip(" \t\u3000")


@given(plain_number())
def test_any_unbracketed_variant_has_the_bracketed_key(variant):
    text, key = variant
    assert normalize_docnum(text) == key
    found = find_docnums(text)
    assert [m.key for m in found] == [key]
    assert found[0].raw == text.strip(" \t\u3000")


# Running text where a year and a 号 sit close: a date, a time phrase, a count. None is a 文号.
TIME_BEFORE = ["", "截至", "今年", "去年", "于", "在", "从", "到", "自", "年底前"]
PROSE_BEFORE = [*TIME_BEFORE, "全区", "本年度", "我们", "江政办"]


@given(
    st.sampled_from(TIME_BEFORE),
    st.sampled_from(PROSE_BEFORE),
    st.integers(1990, 2099),
    st.integers(1, 12),
    st.integers(1, 31),
    st.sampled_from(SPACES),
)
def test_dates_and_time_phrases_are_not_numbers(time_word, before, year, month, day, gap):
    for text in (
        f"{before}{year}{gap}年{gap}{month}月{day}号",  # a date
        f"{before}{year}年{month}月第{day}号台风",
        f"{before}{year}年共办理{day}号",  # words between the year and the 号
        f"{time_word}{year}年{gap}{day}号",  # a day without its month, after a time word
    ):
        assert find_docnums(text) == [], text


@given(st.one_of(bracket_number(), plain_number(), order_number()), CONTEXT, CONTEXT)
def test_span_in_context_points_at_the_number(variant, before, after):
    text, key = variant
    full = before + text + "。" + after
    found = find_docnums(full)
    assert [m.key for m in found] == [key]
    m = found[0]
    assert full[m.start : m.end] == m.raw == text.strip(" \t\u3000")


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_random_text_never_breaks_the_parser(text):
    for m in find_docnums(text):
        assert text[m.start : m.end] == m.raw
        assert normalize_docnum(m.raw) == m.key  # the raw span parses on its own
    normalize_docnum(text)
    canonical_docnum(text)


@settings(max_examples=200)
@given(
    st.text(
        alphabet="江政办发令第号国务院主席〔〕[]()（）【】０１２３2023 九十百零" + "根据请问的", max_size=40
    )
)
def test_near_miss_text_never_breaks_the_parser(text):
    for m in find_docnums(text):
        assert text[m.start : m.end] == m.raw
        assert normalize_docnum(m.raw) == m.key


@given(st.integers(0, 9999))
def test_chinese_numerals_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


@pytest.mark.parametrize(
    ("text", "key", "display"),
    [
        ("江政办〔2023〕16号", "江政办|2023|16", "江政办〔2023〕16号"),
        ("江营商办发〔2023〕1 号", "江营商办发|2023|1", "江营商办发〔2023〕1号"),
        ("江政发〔2013〕26号", "江政发|2013|26", "江政发〔2013〕26号"),
        ("国务院令第713号", "国务院令|713", "国务院令第713号"),
        ("中华人民共和国国务院令第722号", "国务院令|722", "国务院令第722号"),
        (
            "广西壮族自治区人民政府令第127号",
            "广西壮族自治区人民政府令|127",
            "广西壮族自治区人民政府令第127号",
        ),
        ("中华人民共和国主席令第九号", "主席令|9", "中华人民共和国主席令第九号"),
        ("主席令第九号", "主席令|9", "中华人民共和国主席令第九号"),
        ("中华人民共和国主席令（第七十一号）", "主席令|71", "中华人民共和国主席令第七十一号"),
        ("主席令第一百零三号", "主席令|103", "中华人民共和国主席令第一百零三号"),
        ("江政办(2023)16号", "江政办|2023|16", "江政办〔2023〕16号"),
        ("江政办【２０２３】１６", "江政办|2023|16", "江政办〔2023〕16号"),
        ("江政办 [2023] 16 号", "江政办|2023|16", "江政办〔2023〕16号"),
        ("江政办（2023）第16号", "江政办|2023|16", "江政办〔2023〕16号"),
        ("江政办〔二〇二三〕十六号", "江政办|2023|16", "江政办〔2023〕16号"),
        ("国务院令713", "国务院令|713", "国务院令第713号"),
        ("江政发2013年26号", "江政发|2013|26", "江政发〔2013〕26号"),
        ("江政办2023年17号", "江政办|2023|17", "江政办〔2023〕17号"),
        ("江政发2013 26号", "江政发|2013|26", "江政发〔2013〕26号"),
        ("江政办 ２０２３ 年 １７ 号", "江政办|2023|17", "江政办〔2023〕17号"),
        ("江政发二〇一三年二十六号", "江政发|2013|26", "江政发〔2013〕26号"),
    ],
)
def test_examples(text, key, display):
    assert normalize_docnum(text) == key
    assert canonical_docnum(text) == display


@pytest.mark.parametrize(
    ("sentence", "raw"),
    [
        ("请问江政办(2023)17号是什么文件？", "江政办(2023)17号"),
        ("根据江政办〔2023〕16号文件", "江政办〔2023〕16号"),
        ("出台和江政办〔2023〕16号", "江政办〔2023〕16号"),
        ("2019年10月22日 中华人民共和国国务院令第722号公布", "中华人民共和国国务院令第722号"),
        (
            "根据《广西壮族自治区行政规范性文件备案审查规定》（广西壮族自治区人民政府令第127号）、",
            "广西壮族自治区人民政府令第127号",
        ),
        ("印发 江司发〔2023〕5号。", "江司发〔2023〕5号"),
        ("江政办2023年17号是什么文件", "江政办2023年17号"),
        ("请问根据江政发2013年26号制定的？", "江政发2013年26号"),
    ],
)
def test_span_excludes_sentence_words(sentence, raw):
    assert [m.raw for m in find_docnums(sentence)] == [raw]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "责令改正",
        "第二十条",
        "实施方案（2021—2025年）",
        "2023年法治政府",
        "号令",
        "〔2023〕16号",
        "政〔2023〕16号",
        "2023年17号",
        "截至2023年12号",
        "于2023年1月26号",
        "2023年26号文件",
    ],
)
def test_no_number(text):
    assert normalize_docnum(text) is None
    assert find_docnums(text) == []
    assert canonical_docnum(text) == ""


def test_several_numbers_in_reading_order():
    text = "《甲》（江政办〔2023〕16号）、《乙》（江政办〔2023〕17号）以及国务院令第713号"
    assert [m.key for m in find_docnums(text)] == ["江政办|2023|16", "江政办|2023|17", "国务院令|713"]


def test_compatible_keys_tolerate_a_caught_word():
    assert keys_compatible("柳江江政办|2023|16", "江政办|2023|16")
    assert not keys_compatible("江政办|2023|16", "江政办|2023|17")
    assert not keys_compatible("江政办|2023|16", "国务院令|16")
