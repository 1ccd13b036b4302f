"""Checks the held-out evaluation set against the corpus text itself.

The held-out set exists to tell whether retrieval tuned on the gold set
generalises, so it is only useful if every answer really sits in the named
file at the named label and if the questions paraphrase rather than quote the
passage. No index or model is needed: this reads the corpus files directly.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
HELDOUT = ROOT / "tests" / "data" / "heldout.jsonl"
REPORT = "liujiang_fazhi_zhengfu_2023_report.txt"
LAWS = (
    "renmin_tiaojie_fa_2010.txt",
    "xingzheng_chufa_fa_2021.txt",
    "xingzheng_fuyi_fa_2023.txt",
    "xingzheng_susong_fa_2017.txt",
    "youhua_yingshang_huanjing_tiaoli_2019.txt",
    "zhongda_xingzheng_juece_chengxu_zanxing_tiaoli_2019.txt",
)
TYPES = {"figure", "docnum", "docnum_reverse", "date", "deadline", "list", "about", "body", "count"}
KEYS = {"id", "question", "type", "answer_facts", "source_contains", "doc", "label"}
MAX_SHARED = 12  # a question may share at most 11 consecutive characters with its source

CN_NUM = "一二三四五六七八九十百零"
ARTICLE_RE = re.compile(rf"^(第[{CN_NUM}]+条)")
CHAPTER_RE = re.compile(rf"^第[{CN_NUM}]+[章节]")
TOP_RE = re.compile(rf"^([{CN_NUM}]+、)")
SUB_RE = re.compile(rf"^(（[{CN_NUM}]+）)")
ITEM_RE = re.compile(r"^(\d+\.)")
# 文号 in any bracket style, so a docnum question may spell the number its own way.
DOCNUM_RE = re.compile(r"[\u4e00-\u9fff]{1,8}\s*[〔\[（(【]\s*[0-9０-９]{4}\s*[〕\]）)】]\s*[0-9０-９]+\s*号")

ROWS = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
ANSWERABLE = [r for r in ROWS if r["type"] != "unanswerable"]


@cache
def corpus_text(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


@cache
def passages(name: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, label) per passage: report lines under "二、（六）3." headings, or law articles."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    top = sub = ""
    law_open = False
    for line in corpus_text(name).splitlines(keepends=True):
        start, end = pos, pos + len(line)
        pos = end
        bare = line.strip()
        if name == REPORT:
            if m := TOP_RE.match(bare):
                top, sub = m.group(1), ""
            elif m := SUB_RE.match(bare):
                sub = m.group(1)
            elif top:
                item = m.group(1) if (m := ITEM_RE.match(bare)) else ""
                out.append((start, end, top + sub + item))
        elif m := ARTICLE_RE.match(bare):
            out.append((start, end, m.group(1)))
            law_open = True
        elif CHAPTER_RE.match(bare):
            law_open = False
        elif law_open:
            out[-1] = (out[-1][0], end, out[-1][2])
    return tuple(out)


def passage_at(name: str, offset: int) -> tuple[int, int, str] | None:
    return next((p for p in passages(name) if p[0] <= offset < p[1]), None)


def longest_common_substring(a: str, b: str) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def test_rows_have_expected_keys_and_unique_ids():
    for row in ROWS:
        assert set(row) == KEYS, row.get("id")
        assert row["type"] in TYPES | {"unanswerable"}, row["id"]
        assert row["question"].strip(), row["id"]
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


def test_counts_and_coverage():
    per_doc = Counter(r["doc"] for r in ANSWERABLE)
    assert per_doc[REPORT] == 25
    assert sum(per_doc[law] for law in LAWS) == 25
    assert all(per_doc[law] >= 3 for law in LAWS), per_doc
    assert len(ROWS) - len(ANSWERABLE) == 10
    report_labels = {r["label"] for r in ANSWERABLE if r["doc"] == REPORT}
    assert len(report_labels) >= 18, "report questions should spread over many items"


def test_unanswerable_rows_are_empty():
    for row in ROWS:
        if row["type"] == "unanswerable":
            assert row["answer_facts"] == [] and row["source_contains"] is None, row["id"]
            assert row["doc"] is None and row["label"] is None, row["id"]


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_answerable_row_matches_corpus(row):
    text = corpus_text(row["doc"])
    source, facts = row["source_contains"], row["answer_facts"]
    assert facts and all(isinstance(f, str) and f for f in facts)
    assert 10 <= len(source) <= 40, len(source)
    hits = [m.start() for m in re.finditer(re.escape(source), text)]
    assert len(hits) == 1, f"source_contains occurs {len(hits)} times"
    passage = passage_at(row["doc"], hits[0])
    assert passage and passage[2] == row["label"], f"label {row['label']!r} != {passage}"
    for fact in facts:
        assert fact in text[passage[0] : passage[1]], f"{fact!r} not in passage {row['label']}"


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_question_is_paraphrased(row):
    question, source = row["question"], row["source_contains"]
    assert source not in question
    if row["type"] in ("docnum", "docnum_reverse"):
        question, source = DOCNUM_RE.sub("", question), DOCNUM_RE.sub("", source)
    assert longest_common_substring(question, source) < MAX_SHARED


def test_passage_scanner_sees_every_article():
    """Guards the label check above: the scanner must find all 103 articles, 第一百零三条 included."""
    labels = [p[2] for p in passages("xingzheng_susong_fa_2017.txt")]
    assert labels[0] == "第一条" and labels[-1] == "第一百零三条" and len(labels) == 103
