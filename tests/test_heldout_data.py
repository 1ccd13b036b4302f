"""Checks the held-out evaluation set against the corpus text itself.

The held-out set exists to tell whether retrieval tuned on the gold set
generalises, so it is only useful if every answer really sits in the named
file at the named label and if the questions paraphrase rather than quote the
passage. No index or model is needed: this reads the corpus files directly.
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

ROWS = read_rows(DATA / "heldout.jsonl")
ANSWERABLE = answerable(ROWS)


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
    hits = occurrences(text, source)
    assert len(hits) == 1, f"source_contains occurs {len(hits)} times"
    passage = passage_at(row["doc"], hits[0])
    assert passage and passage[2] == row["label"], f"label {row['label']!r} != {passage}"
    for fact in facts:
        assert fact in text[passage[0] : passage[1]], f"{fact!r} not in passage {row['label']}"


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_question_is_paraphrased(row):
    assert row["source_contains"] not in row["question"]
    assert shared_with_source(row) < MAX_SHARED


def test_passage_scanner_sees_every_article():
    """Guards the label check above: the scanner must find all 103 articles, 第一百零三条 included."""
    labels = [p[2] for p in passages("xingzheng_susong_fa_2017.txt")]
    assert labels[0] == "第一条" and labels[-1] == "第一百零三条" and len(labels) == 103
