"""The fresh answer sets and the library set: every quoted passage and fact is really in the
document the row names, so a score on them measures the answerer, not a typo in the set."""

from __future__ import annotations

import pytest
from eval_sets import CORPUS, DATA, read_rows

FRESH = tuple(f"fresh_{c}" for c in "abcdefghijklmnopqrstuv")
LIBRARY = ("library", "library2", "library3")
SETS = (*FRESH, *LIBRARY)


def _text(doc: str) -> str:
    return (CORPUS / doc).read_text(encoding="utf-8")


ROWS = [(name, row) for name in SETS for row in read_rows(DATA / f"{name}.jsonl")]


@pytest.mark.parametrize(("name", "row"), ROWS, ids=[f"{n}-{r['id']}" for n, r in ROWS])
def test_row_is_grounded_in_its_document(name: str, row: dict) -> None:
    assert row["question"].strip()
    if row["type"] == "unanswerable":
        assert row["answer_facts"] == [] and row["source_contains"] is None
        return
    text = _text(row["doc"])
    assert row["source_contains"] in text
    if row.get("source_contains_2"):
        assert any(row["source_contains_2"] in _text(d) for d in {row["doc"], *_all_docs()})
    for fact in row["answer_facts"]:
        assert any(fact in _text(d) for d in (row["doc"], *_all_docs())), fact


def _all_docs() -> tuple[str, ...]:
    return tuple(p.name for p in CORPUS.glob("*.txt"))


def test_sets_are_large_enough_with_unanswerable_questions() -> None:
    for name in FRESH:
        rows = read_rows(DATA / f"{name}.jsonl")
        assert len(rows) >= 80 and sum(r["type"] == "unanswerable" for r in rows) >= 15, name
    for name in LIBRARY:
        library = read_rows(DATA / f"{name}.jsonl")
        laws = {r["doc"].rsplit("(", 1)[0] for r in library if r["doc"]}
        assert len(library) >= 60 and len(laws) >= 30, name
        assert sum(r["type"] == "unanswerable" for r in library) >= 10, name
        assert sum(r["type"] == "version" for r in library) >= 6, name
