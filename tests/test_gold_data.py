"""Checks the gold evaluation set against the corpus text itself.

The gold set is only useful if every answer really is in the named file, at the
named citation label, and if the questions do not simply quote the passage (a
retriever would then be tested on string matching, not on understanding).
No index or model is needed: this reads the corpus files directly.
"""

from __future__ import annotations

from collections import Counter

import pytest
from eval_sets import (
    DATA,
    KEYS,
    LAWS,
    MAX_SHARED,
    REPORT,
    TYPES,
    answerable,
    corpus_text,
    occurrences,
    passage_at,
    passages,
    read_rows,
    shared_with_source,
)

MANDATED = {"m1", "m2", "m3", "m4", "m5"}
# The report repeats these 文号 verbatim in 二、（一）3. and 四、（三）; the gold entry keeps
# the bare 文号 as its source because the question is about the number itself.
DUPLICATE_OK = {"m4", "r08", "r09"}

ROWS = read_rows(DATA / "gold.jsonl")
ANSWERABLE = answerable(ROWS)


def test_lines_parse_with_expected_keys():
    assert ROWS, "gold.jsonl is empty"
    for row in ROWS:
        assert set(row) == KEYS, row.get("id")
        assert row["type"] in TYPES | {"unanswerable"}, row["id"]
        assert isinstance(row["question"], str) and row["question"].strip(), row["id"]


def test_ids_unique_and_mandated_present():
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert MANDATED <= set(ids)


def test_counts_and_coverage():
    unanswerable = [r for r in ROWS if r["type"] == "unanswerable"]
    assert len(ANSWERABLE) >= 70
    assert len(unanswerable) >= 20
    per_doc = Counter(r["doc"] for r in ANSWERABLE)
    assert set(per_doc) == {REPORT, *LAWS}
    assert per_doc[REPORT] >= 40
    for law in LAWS:
        assert per_doc[law] >= 3, law


def test_mandated_entries():
    by_id = {r["id"]: r for r in ROWS}
    m1, m2, m3, m4, m5 = (by_id[f"m{i}"] for i in range(1, 6))
    assert (m1["question"], m1["answer_facts"], m1["source_contains"], m1["label"]) == (
        "去年行政复议收到了多少件申请？",
        ["76"],
        "共收到行政复议申请76件",
        "二、（六）3.",
    )
    assert (m2["question"], m2["answer_facts"], m2["doc"], m2["label"]) == (
        "申请行政复议的期限是多久？",
        ["六十日"],
        "xingzheng_fuyi_fa_2023.txt",
        "第二十条",
    )
    assert (m3["question"], m3["answer_facts"], m3["source_contains"]) == (
        "容缺受理一共公布了多少项",
        ["99"],
        "公布容缺受理行政审批事项99项",
    )
    assert (m4["question"], m4["type"], m4["source_contains"]) == (
        "江政办[2023]17号",
        "docnum_reverse",
        "江政办〔2023〕17号",
    )
    assert (m5["question"], m5["type"]) == ("柳江区2023年GDP是多少？", "unanswerable")


def test_unanswerable_rows_are_empty():
    for row in ROWS:
        if row["type"] == "unanswerable":
            assert row["answer_facts"] == [] and row["source_contains"] is None, row["id"]
            assert row["doc"] is None and row["label"] is None, row["id"]


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_answerable_row_matches_corpus(row):
    text = corpus_text(row["doc"])
    source = row["source_contains"]
    facts = row["answer_facts"]
    assert facts and all(isinstance(f, str) and f for f in facts)
    assert 10 <= len(source) <= 40, len(source)
    hits = occurrences(text, source)
    assert hits, "source_contains not found in the file"
    if row["id"] not in DUPLICATE_OK:
        assert len(hits) == 1, f"source_contains occurs {len(hits)} times"
    for fact in facts:
        assert fact in text, fact

    # The label is the passage holding the source, and that passage holds every fact.
    found = [passage_at(row["doc"], h) for h in hits]
    matching = [p for p in found if p and p[2] == row["label"]]
    assert matching, f"label {row['label']!r} != {[p and p[2] for p in found]}"
    start, end, _ = matching[0]
    for fact in facts:
        assert fact in text[start:end], f"{fact!r} not in passage {row['label']}"


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_question_is_paraphrased(row):
    assert row["source_contains"] not in row["question"]
    assert shared_with_source(row) < MAX_SHARED


def test_law_articles_are_found():
    """Guards the article scanner the label check depends on (e.g. 第一百零三条)."""
    labels = [p[2] for p in passages("xingzheng_susong_fa_2017.txt")]
    assert labels[0] == "第一条" and labels[-1] == "第一百零三条" and len(labels) == 103
    assert len(passages("xingzheng_fuyi_fa_2023.txt")) == 90
