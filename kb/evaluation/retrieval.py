"""Retrieval alone: recall@k and MRR@10 of one ranking mode over a gold set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kb.evaluation.gold import GoldItem, is_relevant, source_texts
from kb.index import Index
from kb.schema import Chunk
from kb.search.retrieval import rankings, rrf, search

MODES = ("hybrid", "dense", "bm25", "bm25_words", "bm25_bigrams")


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
    doc_texts = source_texts(index.settings.corpus, index.current().manifest.packs)
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
