"""文号 registry over the real corpus: every cited document, its number, where it is cited,
and lookup by number, loose title and measure."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.corpus import load_corpus
from ingest.references import extract_references
from ingest.structure import chunk_document
from kb.registry import build_registry
from kb.schema import SourceDoc
from kb.text.docnum import normalize_docnum
from kb.text.titles import normalize_title

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REPORT = "liujiang_fazhi_zhengfu_2023_report.txt"

# Checked by hand against the report: every 《》 title in reading order (repeats included),
# with the 文号 printed right after it.
REPORT_TITLES = [
    ("中共柳江区委全面依法治区办公室学习宣传贯彻党的二十大精神工作方案", ""),
    ("柳江区落实〈广西壮族自治区法治政府建设实施方案（2021—2025年）〉工作方案", ""),
    ("柳州市柳江区落实〈广西复制推广营商环境创新试点改革举措任务清单〉任务分工表", "江政办〔2023〕16号"),
    (
        "柳州市柳江区落实〈广西进一步优化营商环境降低市场主体制度性交易成本工作方案〉任务分工方案",
        "江政办〔2023〕17号",
    ),
    ("柳江区贯彻落实〈广西提质增效优化营商环境若干措施〉任务分工方案", "江营商办发〔2023〕1 号"),
    ("柳州市柳江区司法局优化法治化营商环境提升年活动实施方案", "江司发〔2023〕5号"),
    ("柳江区关于进一步规范涉企行政执法行为优化营商环境工作方案", "江法委发〔2023〕3号"),
    ("柳江区县、乡两级权责清单规范化通用目录和权责清单", ""),
    ("柳州市柳江区行政审批局实施行政许可容缺受理工作方案", ""),
    ("柳州市柳江区行政审批局“容缺受理”政务服务事项清单", ""),
    ("广西壮族自治区行政规范性文件备案审查规定", "广西壮族自治区人民政府令第127号"),
    ("柳江县人民政府规范性文件制定备案审查办法", "江政发〔2013〕26号"),
    ("重大行政决策程序暂行条例", ""),
    ("广西壮族自治区重大行政决策程序规定", ""),
    ("广西壮族自治区行政规范性文件制定程序规定", ""),
    ("关于加快推进乡镇综合行政执法规范化建设的工作方案", ""),
    ("柳州市柳江区乡镇综合行政执法规范化建设工作指引", ""),
    ("柳江区人民政府实质性化解行政争议工作方案", ""),
    ("广西壮族自治区优化营商环境条例", ""),
    ("柳州市柳江区落实〈广西复制推广营商环境创新试点改革举措任务清单〉任务分工表", "江政办〔2023〕16号"),
    (
        "柳州市柳江区落实〈广西进一步优化营商环境降低市场主体制度性交易成本工作方案〉任务分工方案",
        "江政办〔2023〕17号",
    ),
    ("柳江区贯彻落实〈广西提质增效优化营商环境若干措施〉任务分工方案", "江营商办发〔2023〕1 号"),
]
REPORT_NESTED = [
    "广西壮族自治区法治政府建设实施方案（2021—2025年）",
    "广西复制推广营商环境创新试点改革举措任务清单",
    "广西进一步优化营商环境降低市场主体制度性交易成本工作方案",
    "广西提质增效优化营商环境若干措施",
]

# The whole registry, checked by hand: (title, number) of each entry.
CORPUS_ENTRIES = [  # the seven files of the corpus (SOURCES.tsv)
    ("柳州市柳江区2023年法治政府建设年度报告", ""),
    ("中华人民共和国人民调解法", "中华人民共和国主席令第三十四号"),
    ("中华人民共和国行政处罚法", "中华人民共和国主席令第七十号"),
    ("中华人民共和国行政复议法", "中华人民共和国主席令第九号"),
    ("中华人民共和国行政诉讼法", "中华人民共和国主席令第七十一号"),
    ("优化营商环境条例", "国务院令第722号"),
    ("重大行政决策程序暂行条例", "国务院令第713号"),  # cited by the report: the same entry
]
REPORT_ONLY_ENTRIES = [  # 19 distinct titles + 4 nested, minus 重大行政决策程序暂行条例 (a corpus file)
    *dict.fromkeys((t, n) for t, n in REPORT_TITLES if t != "重大行政决策程序暂行条例"),
    *((t, "") for t in REPORT_NESTED),
]
LAW_CITED_ENTRIES = [  # cited by the laws' text and header lines, not by the report
    ("关于修改部分法律的决定", ""),  # 行政处罚法 and 行政复议法: the same 2009-08-27 decision
    ("关于修改〈中华人民共和国法官法〉等八部法律的决定", ""),
    ("中华人民共和国法官法", ""),
    ("中华人民共和国民事诉讼法", ""),
    ("中华人民共和国行政强制法", ""),
    ("中华人民共和国国家赔偿法", ""),
    ("关于修改〈中华人民共和国行政诉讼法〉的决定", ""),
    ("关于修改〈中华人民共和国民事诉讼法〉和〈中华人民共和国行政诉讼法〉的决定", ""),
]
ALL_ENTRIES = CORPUS_ENTRIES + REPORT_ONLY_ENTRIES + LAW_CITED_ENTRIES

SECTION_2_2_DOCS = {  # documents cited in 二、（二） (the section of 拿地即开工)
    "柳江区县、乡两级权责清单规范化通用目录和权责清单",
    "柳州市柳江区行政审批局实施行政许可容缺受理工作方案",
    "柳州市柳江区行政审批局“容缺受理”政务服务事项清单",
}


@pytest.fixture(scope="module")
def corpus():
    docs, skipped = load_corpus(CORPUS)
    assert not skipped
    chunks = [c for d in docs for c in chunk_document(d)]
    return docs, chunks


@pytest.fixture(scope="module")
def registry(corpus):
    docs, chunks = corpus
    return build_registry(docs, chunks)


@pytest.fixture(scope="module")
def texts(corpus):
    return {d.doc_id: d.text for d in corpus[0]}


def _key(title: str, number: str) -> tuple[str, str]:
    return normalize_title(title), (normalize_docnum(number) or "") if number else ""


# --- extraction -------------------------------------------------------------------------


def test_report_references_in_reading_order(texts):
    text = texts[REPORT]
    refs = extract_references(text)
    outer = [(r.title, r.doc_number) for r in refs if r.title and not r.nested_in]
    assert outer == REPORT_TITLES
    assert [r.title for r in refs if r.nested_in] == [
        REPORT_NESTED[0],
        REPORT_NESTED[1],
        REPORT_NESTED[2],
        REPORT_NESTED[3],
        REPORT_NESTED[1],
        REPORT_NESTED[2],
        REPORT_NESTED[3],
    ]
    assert not [r for r in refs if not r.title]  # every number in the report follows a title
    for r in refs:
        assert text[r.start : r.end] == r.title
        sentence = text[r.sentence_start : r.sentence_end]
        assert r.title in sentence and "\n" not in sentence
        if r.doc_number:
            assert text[r.number_start : r.number_end] == r.doc_number


def test_nested_titles_know_their_parent():
    refs = extract_references("印发《柳江区落实〈广西某方案〉工作方案》（江政办〔2024〕2号）。")
    outer, nested = refs
    assert outer.title == "柳江区落实〈广西某方案〉工作方案" and outer.number_key == "江政办|2024|2"
    assert nested.title == "广西某方案" and nested.nested_in == outer.title and nested.number_key == ""


def test_loose_number_after_a_title_and_a_bare_number():
    text = "根据《甲办法》 (江政办(2024)3)执行；另见江司发【２０２４】７号。\n下一行"
    refs = extract_references(text)
    assert [(r.title, r.number_key) for r in refs] == [("甲办法", "江政办|2024|3"), ("", "江司发|2024|7")]
    bare = refs[1]
    assert text[bare.sentence_start : bare.sentence_end] == "另见江司发【２０２４】７号。"


def test_angle_brackets_nest_like_chevrons():
    refs = extract_references("《关于修改<中华人民共和国行政诉讼法>的决定》")
    assert [r.title for r in refs] == ["关于修改<中华人民共和国行政诉讼法>的决定", "中华人民共和国行政诉讼法"]


@settings(max_examples=150)
@given(st.text(alphabet="《》〈〉<>（）()江政办〔〕2023号令第。；\n 甲乙", max_size=60))
def test_random_text_never_breaks_extraction(text):
    for r in extract_references(text):
        assert 0 <= r.sentence_start <= r.start <= r.end <= len(text)


# --- the registry ------------------------------------------------------------------------


def test_registry_is_the_hand_checked_list(registry):
    got = sorted(_key(e.title, e.number_key and e.doc_number) for e in registry)
    want = sorted(_key(t, n) for t, n in ALL_ENTRIES)
    assert got == want
    assert len(registry) == len(ALL_ENTRIES) == 37
    assert sum(1 for e in registry if e.number_key) == sum(1 for _, n in ALL_ENTRIES if n) == 13
    assert sum(1 for e in registry if e.in_corpus) == 7
    assert registry.summary() == {"entries": 37, "with_number": 13, "in_corpus": 7}


def test_every_report_title_is_an_entry_with_its_number(registry):
    for title, number in REPORT_TITLES + [(t, "") for t in REPORT_NESTED]:
        entry = registry.by_title(title)
        assert entry is not None, title
        if number:
            assert entry.number_key == normalize_docnum(number)
            assert registry.by_number(number) is entry
        assert any(c.doc_id == REPORT for c in entry.citations)


def test_same_document_cited_twice_is_one_entry(registry):
    entry = registry.by_number("江政办〔2023〕16号")
    assert [c.label for c in entry.citations] == ["二、（一）3.", "四、（三）"]
    assert entry.doc_number == "江政办〔2023〕16号"
    assert entry.issuer == "柳江区人民政府办公室" and entry.year == 2023
    nested = registry.by_title("广西复制推广营商环境创新试点改革举措任务清单")
    assert nested.nested_in == [entry.title] and len(nested.citations) == 2


def test_corpus_law_cited_by_report_is_in_corpus(registry, texts):
    entry = registry.by_title("重大行政决策程序暂行条例")
    assert entry.in_corpus and entry.source_file == "zhongda_xingzheng_juece_chengxu_zanxing_tiaoli_2019.txt"
    assert entry.doc_number == "国务院令第713号" and entry.issuer == "国务院"
    (place,) = entry.citations
    assert place.doc_id == REPORT and place.label == "二、（三）2."
    assert texts[REPORT][place.start : place.end] == "重大行政决策程序暂行条例"
    assert registry.lookup("国务院令第713号")[0][0] is entry


def test_cited_document_without_text_has_its_place(registry, texts):
    entry = registry.by_number("江司发〔2023〕5号")
    assert not entry.in_corpus and entry.source_file == ""
    assert entry.title == "柳州市柳江区司法局优化法治化营商环境提升年活动实施方案"
    assert entry.issuer == "柳江区司法局"
    (place,) = entry.citations
    assert place.label == "二、（一）3." and place.doc_id == REPORT
    assert place.sentence.startswith("出台《柳州市柳江区落实") and place.sentence.endswith("政策支撑。")
    assert texts[REPORT][place.sentence_start : place.sentence_end] == place.sentence
    assert place.cited_as == "《柳州市柳江区司法局优化法治化营商环境提升年活动实施方案》（江司发〔2023〕5号）"


def test_issuers_stated_by_number_or_title(registry):
    assert registry.by_number("江政发〔2013〕26号").issuer == "柳江县人民政府"
    assert registry.by_number("广西壮族自治区人民政府令第127号").issuer == "广西壮族自治区人民政府"
    assert registry.by_title("柳江区人民政府实质性化解行政争议工作方案").issuer == "柳江区人民政府"
    assert registry.by_number("江营商办发〔2023〕1号").issuer == ""  # not stated anywhere


def test_law_cited_by_law_finds_the_corpus_file(registry):
    entry = registry.by_title("《中华人民共和国行政诉讼法》")
    assert entry.in_corpus and entry.source_file == "xingzheng_susong_fa_2017.txt"
    assert [(c.doc_id, c.label) for c in entry.citations] == [("xingzheng_fuyi_fa_2023.txt", "第十条")]


def test_catalog_titles_with_version_notes_match_citations(corpus):
    docs, chunks = corpus
    raw = [
        dataclasses.replace(d, title="中华人民共和国行政诉讼法（2017年修正）")
        if d.doc_id == "xingzheng_susong_fa_2017.txt"
        else d
        for d in docs
    ]
    reg = build_registry(raw, chunks)
    assert len(reg) == 37
    assert reg.by_title("行政诉讼法").source_file == "xingzheng_susong_fa_2017.txt"


def test_every_citation_quotes_the_citing_text(registry, corpus, texts):
    chunks = {c.chunk_id: c for c in corpus[1]}
    for entry in registry:
        names = {normalize_title(t) for t in [entry.title, *entry.aliases]}
        for place in entry.citations:
            quoted = texts[place.doc_id][place.start : place.end]
            assert normalize_title(quoted) in names or normalize_docnum(quoted) == entry.number_key
            assert texts[place.doc_id][place.sentence_start : place.sentence_end] == place.sentence
            if place.chunk_id:
                chunk = chunks[place.chunk_id]
                assert chunk.start <= place.start < place.end <= chunk.end and chunk.label == place.label


def test_self_numbers_in_headers_are_not_citations(registry):
    assert registry.by_number("国务院令第722号").citations == []


def test_chunks_alone_give_the_same_registry(corpus):
    docs, chunks = corpus
    textless = [dataclasses.replace(d, text="") for d in docs]
    assert build_registry(textless, chunks).summary() == build_registry(docs, chunks).summary()


def _doc(text: str) -> SourceDoc:
    return SourceDoc(doc_id="t.txt", title="测试", doc_number="", text=text, source="t.txt", content_hash="x")


@pytest.mark.parametrize(
    "text",
    [
        "印发《甲方案》。后又印发《甲方案》（江政办〔2024〕3号）。再见江政办(2024)3。",
        "印发《甲方案》（江政办〔2024〕3号）。后又印发《甲方案》。再见江政办(2024)3。",
        "先见江政办(2024)3。印发《甲方案》。后又印发《甲方案》（江政办〔2024〕3号）。",
    ],
)
def test_with_and_without_number_is_one_entry(text):
    reg = build_registry([_doc(text)], [])
    entry = reg.by_title("甲方案")
    assert [e.title for e in reg if e is not entry] == ["测试"]
    assert entry.number_key == "江政办|2024|3" and entry.key == "江政办|2024|3"
    assert len(entry.citations) == 3


# --- lookup ------------------------------------------------------------------------------

FENGONGBIAO = "柳州市柳江区落实〈广西复制推广营商环境创新试点改革举措任务清单〉任务分工表"
FENGONG_17 = "柳州市柳江区落实〈广西进一步优化营商环境降低市场主体制度性交易成本工作方案〉任务分工方案"


@pytest.mark.parametrize(
    "query",
    [
        "江政办(2023)16号",
        "江政办〔2023〕16号",
        "江政办【２０２３】１６",
        "江政办 [2023] 16 号",
        "江政办（2023）16",
        "江政办[2023]16",
        "江政办2023年16号",
        "江政办 ２０２３ 年 １６ 号",
    ],
)
def test_lookup_by_any_form_of_the_number(registry, query):
    results = registry.lookup(query)
    assert results[0][0].title == FENGONGBIAO and results[0][1] == 1.0
    assert len(results) == 1


def test_lookup_number_in_a_question(registry):
    assert registry.lookup("江政办〔2023〕17号是什么文件？")[0][0].title == FENGONG_17
    assert registry.lookup("主席令第九号")[0][0].source_file == "xingzheng_fuyi_fa_2023.txt"
    assert registry.lookup("江政办〔2023〕99号") == []  # an unknown number is not guessed
    assert registry.lookup("江政办2023年17号是什么文件")[0][0].title == FENGONG_17
    assert registry.lookup("江政发2013年26号")[0][0].title == "柳江县人民政府规范性文件制定备案审查办法"


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("容缺受理工作方案", "柳州市柳江区行政审批局实施行政许可容缺受理工作方案"),
        ("降低制度性交易成本的分工方案", FENGONG_17),
        ("复制推广营商环境创新试点改革举措的分工表文号是多少？", FENGONGBIAO),
        ("提质增效优化营商环境分工方案", "柳江区贯彻落实〈广西提质增效优化营商环境若干措施〉任务分工方案"),
        ("《重大行政决策程序暂行条例》", "重大行政决策程序暂行条例"),
        ("行政复议法", "中华人民共和国行政复议法"),
        ("司法局提升年活动方案", "柳州市柳江区司法局优化法治化营商环境提升年活动实施方案"),
    ],
)
def test_lookup_by_loose_title(registry, query, title):
    results = registry.lookup(query)
    assert results[0][0].title == title
    assert all(s1 >= s2 for (_, s1), (_, s2) in zip(results, results[1:], strict=False))


def test_lookup_by_measure_finds_documents_of_its_section(registry):
    results = registry.lookup("拿地即开工")
    assert {e.title for e, _ in results} == SECTION_2_2_DOCS


def test_lookup_by_measure_prefers_its_own_passage(registry):
    results = registry.lookup("容缺受理")
    top = {e.title for e, _ in results[:2]}
    assert top == {t for t in SECTION_2_2_DOCS if "容缺受理" in t}
    assert results[2][0].title == "柳江区县、乡两级权责清单规范化通用目录和权责清单"
    assert results[0][1] > results[2][1]


def test_lookup_finds_nothing_for_unrelated_text(registry):
    assert registry.lookup("火星探测器发射") == []
    assert registry.lookup("") == []
    assert registry.lookup("   ") == []


def test_json_lists_the_registry(registry):
    data = json.loads(registry.to_json())
    assert len(data) == 37
    jsf = next(d for d in data if d["number_key"] == "江司发|2023|5")
    assert jsf["in_corpus"] is False and jsf["cited_count"] == 1
    assert jsf["citations"][0]["label"] == "二、（一）3."
    zd = next(d for d in data if d["title"] == "重大行政决策程序暂行条例")
    assert zd["in_corpus"] is True and zd["doc_number"] == "国务院令第713号"
