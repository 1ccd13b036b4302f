"""One question through every retrieval stage, as plain data: why a passage was (or was not) found.

Feeds the 检索测试 view and debugging sessions: the expanded query and the tokens each
BM25 saw, each ranking's top passages with raw scores (plus the `…@doc` rankings
restricted to a document the question names), the fused list with every ranking's rank, the
final hits (after 文号 pinning), and the sentences the answerer chose.
"""

from __future__ import annotations

import time

from kb.answer.pipeline import answer_in
from kb.evaluation.answers import answer_view
from kb.index import Index
from kb.schema import Chunk
from kb.search.request import Request
from kb.search.retrieval import fuse, rankings_in, search_in
from kb.text.clean import clean_question
from kb.text.docnum import find_docnums
from kb.text.tokenize import bigrams

STAGES = ("bm25_words", "bm25_bigrams", "dense", "fused", "final")


def _row(rank: int, chunk: Chunk, score: float, **extra: object) -> dict:
    return {
        "rank": rank,
        "score": round(float(score), 4),
        "doc_title": chunk.doc_title,
        "label": chunk.label,
        "text": " ".join(chunk.verbatim.split())[:120],
        "chunk_id": chunk.chunk_id,
        **extra,
    }


def trace_question(index: Index, question: str, k: int = 5, depth: int = 10, answer: bool = True) -> dict:
    """Every stage for one question; raises InvalidQuestion for unusable input.

    `depth` rows are kept per ranking, `k` for the final hits; `answer=False` skips the
    answerer. Every stage, the answer included, reads one generation; the query is embedded
    and ranked once (in "rankings"), so "search" times fusion and 文号 pinning.
    """
    query = clean_question(question)
    req = Request(index)
    gen = req.gen
    t0 = time.perf_counter()
    ranked = rankings_in(req, query)
    t1 = time.perf_counter()
    fused = fuse(gen, ranked, question=query)
    t2 = time.perf_counter()
    final = search_in(req, query, k=k)
    t3 = time.perf_counter()
    parsed = req.query(query)
    names = ["bm25_words", "bm25_bigrams", "dense", *sorted(n for n in ranked if n not in STAGES)]
    stages: dict[str, list[dict]] = {
        name: [_row(r, gen.chunks[cid], s) for r, (cid, s) in enumerate(ranked.get(name, [])[:depth], 1)]
        for name in names
    }
    stages["fused"] = [_row(r, h.chunk, h.score, ranks=dict(h.ranks)) for r, h in enumerate(fused[:depth], 1)]
    stages["final"] = [_row(r, h.chunk, h.score, ranks=dict(h.ranks)) for r, h in enumerate(final, 1)]
    out: dict = {
        "question": query,
        "lexical_query": parsed.lexical,
        "dense_query": parsed.dense,
        "named_docs": sorted(gen.doc_titles[d] for d in parsed.doc_ids),
        "tokens": {"bm25_words": gen.lexical.tokenizer(parsed.lexical), "bm25_bigrams": bigrams(parsed.lexical)},
        "docnums": [m.display for m in find_docnums(query)],
        "stages": stages,
        "timings_ms": {
            "rankings": round((t1 - t0) * 1000, 1),
            "fusion": round((t2 - t1) * 1000, 2),
            "search": round((t3 - t2) * 1000, 1),
        },
        "answer": None,
    }
    if answer:
        t4 = time.perf_counter()
        view = answer_view(answer_in(req, query))
        out["timings_ms"]["answer"] = round((time.perf_counter() - t4) * 1000, 1)
        out["answer"] = {
            "text": view["text"],
            "refused": view["refused"],
            "backend": view["backend"],
            "sentences": [
                {"n": c.get("n"), "doc_title": c.get("doc_title"), "label": c.get("label"), "quote": c.get("quote")}
                for c in view["citations"]
            ],
        }
    return out
