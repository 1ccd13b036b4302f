"""Measure retrieval on a gold file, so "finds the right passage" is a number anyone can reproduce.

A gold line is `{question, answer_facts, source_contains | null, doc, ...}`. A retrieved
chunk is relevant when it overlaps the place in `doc` where `source_contains` stands.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import PROJECT_ROOT
from kb.index import Index
from kb.retrieval import rankings, rrf, search
from kb.schema import Chunk

DEFAULT_GOLD = PROJECT_ROOT / "tests" / "data" / "gold.jsonl"
MODES = ("hybrid", "dense", "bm25", "bm25_words", "bm25_bigrams")


@dataclass
class GoldItem:
    id: str
    question: str
    answer_facts: list[str]
    source_contains: str | None
    doc: str | None
    type: str = ""
    label: str | None = None

    @property
    def answerable(self) -> bool:
        return self.source_contains is not None


def load_gold(path: Path = DEFAULT_GOLD) -> list[GoldItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            items.append(GoldItem(**{k: raw.get(k) for k in GoldItem.__dataclass_fields__ if k in raw}))
    return items


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_relevant(chunk: Chunk, item: GoldItem, doc_texts: dict[str, str]) -> bool:
    """The chunk overlaps an occurrence of the gold passage in the gold document."""
    if not item.source_contains or (item.doc and chunk.doc_id != item.doc):
        return False
    if _squash(item.source_contains) in _squash(chunk.text):
        return True
    text = doc_texts.get(chunk.doc_id, "")
    for m in re.finditer(re.escape(item.source_contains), text):
        if m.start() < chunk.end and chunk.start < m.end():
            return True
    return False


@dataclass
class RetrievalScores:
    mode: str
    n: int
    recall: dict[int, float] = field(default_factory=dict)  # k -> share with a relevant chunk in top k
    mrr10: float = 0.0
    misses: list[str] = field(default_factory=list)  # ids with nothing relevant in the top 10


def ranked_chunks(index: Index, question: str, mode: str, k: int = 10) -> list[Chunk]:
    if mode == "hybrid":
        return [h.chunk for h in search(index, question, k=k)]
    gen, ranked = rankings(index, question)
    names = {"bm25": ["bm25_words", "bm25_bigrams"]}.get(mode, [mode])
    return [h.chunk for h in rrf({n: ranked[n] for n in names}, gen.chunks)][:k]


def score_retrieval(
    index: Index,
    items: list[GoldItem],
    mode: str = "hybrid",
    ks: tuple[int, ...] = (1, 5, 10),
    retrieve: Callable[[str], list[Chunk]] | None = None,
) -> RetrievalScores:
    """Recall@k and MRR@10 over the answerable items."""
    doc_texts = _doc_texts(index)
    answerable = [i for i in items if i.answerable]
    found_at: list[int | None] = []
    out = RetrievalScores(mode=mode, n=len(answerable))
    for item in answerable:
        chunks = retrieve(item.question) if retrieve else ranked_chunks(index, item.question, mode, max(ks))
        rank = next((r for r, c in enumerate(chunks, 1) if is_relevant(c, item, doc_texts)), None)
        found_at.append(rank)
        if rank is None or rank > 10:
            out.misses.append(item.id)
    n = max(len(answerable), 1)
    out.recall = {k: sum(1 for r in found_at if r and r <= k) / n for k in ks}
    out.mrr10 = sum(1 / r for r in found_at if r and r <= 10) / n
    return out


def _doc_texts(index: Index) -> dict[str, str]:
    """Document texts rebuilt from chunk offsets: enough to locate a gold passage."""
    texts: dict[str, list[str]] = {}
    for chunk in index.current().chunks.values():
        buf = texts.setdefault(chunk.doc_id, [])
        length = sum(len(b) for b in buf)
        if chunk.start > length:
            buf.append(" " * (chunk.start - length))
        if chunk.end > length:
            buf.append(chunk.text[max(0, length - chunk.start) :])
    return {k: "".join(v) for k, v in texts.items()}
