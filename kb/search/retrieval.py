"""Hybrid retrieval: dense vectors, BM25 over jieba words and BM25 over character bigrams,
fused with reciprocal rank fusion. A 文号 in the query puts the passages that carry that
number first, whatever bracket or digit style either side used. A pack's passages (the
law library) weigh less than the corpus's own, and with a pack loaded the rankings are fused
by score instead of rank: see kb.search.pack_fusion.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from kb.index import Generation, Index
from kb.index.lexical import LexicalIndex
from kb.schema import Chunk, Hit, search_text
from kb.search.pack_fusion import PACK_WEIGHT as PACK_WEIGHT  # re-exported: kb.answer, tests
from kb.search.pack_fusion import from_pack as from_pack
from kb.search.pack_fusion import fuse_scores
from kb.search.request import Request
from kb.text.clean import InvalidQuestion, clean_question
from kb.text.docnum import find_docnums
from kb.validity import current_first

RRF_K = 10  # small k rewards a passage that one ranking puts on top (measured: recall@5 0.947 at 60, 0.985 at 10)
CANDIDATES = 30
WEIGHTS = {"dense": 1.0, "bm25_words": 1.0, "bm25_bigrams": 1.0}


def rrf(
    rankings: dict[str, list[tuple[str, float]]],
    chunks: dict[str, Chunk],
    weights: dict[str, float] = WEIGHTS,
) -> list[Hit]:
    """Fuse ranked id lists: score = sum of weight / (RRF_K + rank). Ties keep first-seen order."""
    fused: dict[str, Hit] = {}
    for name, ranked in rankings.items():
        for rank, (cid, raw) in enumerate(ranked, start=1):
            hit = fused.setdefault(cid, Hit(chunk=chunks[cid], score=0.0))
            hit.score += weights.get(name, 1.0) / (RRF_K + rank)
            hit.ranks[name] = rank
            hit.scores[name] = raw
    return sorted(fused.values(), key=lambda h: -h.score)


def _docnum_chunks(gen: Generation, keys: set[str]) -> list[str]:
    """Ids of chunks whose text carries one of the numbers, in reading order per number.

    The BM25 word index holds every 文号 as its key, so the chunks that may carry a number
    are one posting list; each is confirmed on its own text. Indexes built before keys
    were tokens fall back to reading every chunk once.
    """
    if gen.docnums is None:
        gen.docnums = {} if gen.lexical.indexes_docnums else _scan_docnums(gen)
    if gen.lexical.indexes_docnums:
        for key in keys - gen.docnums.keys():
            found = [
                c for c in gen.lexical.chunks_with_token(key)
                if c in gen.chunks and any(m.key == key for m in find_docnums(gen.chunks[c].text))
            ]
            gen.docnums[key] = sorted(found, key=lambda c: (gen.chunks[c].doc_id, gen.chunks[c].start))
    out: list[str] = []
    for key in keys:
        out.extend(c for c in gen.docnums.get(key, []) if c not in out)
    return out


def _scan_docnums(gen: Generation) -> dict[str, list[str]]:
    docnums: dict[str, list[str]] = {}
    for cid, chunk in gen.chunks.items():
        for m in find_docnums(chunk.text):
            docnums.setdefault(m.key, []).append(cid)
    return docnums


def _rank(
    gen: Generation, qvec: list[float], lexical_query: str, candidates: int, doc_ids: set[str] | None
) -> dict[str, list[tuple[str, float]]]:
    depth = candidates * 4 if doc_ids else candidates
    dense_filter = {"doc_id": {"$in": sorted(doc_ids)}} if doc_ids else None
    dense = gen.vectors.ranked_ids(qvec, k=min(depth, len(gen.chunks)), filter=dense_filter)
    ranked = {"dense": [(cid, 1.0 - dist) for cid, dist in dense if cid]}
    lexical = gen.lexical
    if doc_ids and gen.manifest.packs and not any(from_pack(d) for d in doc_ids):
        lexical = _own_lexical(gen)
    ranked.update(lexical.search(lexical_query, depth))
    if doc_ids:
        ranked = {
            name: [(cid, s) for cid, s in hits if gen.chunks[cid].doc_id in doc_ids][:candidates]
            for name, hits in ranked.items()
        }
    return ranked


def _own_lexical(gen: Generation) -> LexicalIndex:
    """BM25 over the corpus's own passages alone, for a search inside the corpus's own
    documents while a pack is loaded: there a word's weight is what it is among the corpus's
    passages, as without the pack. Counted over the law library's 51,139 passages, 行政复议
    became rare, the articles repeating it outranked the rest inside 行政复议法, and 第九十条
    (本法自2024年1月1日起施行), second inside the law on the corpus alone, fell out of the
    search inside it (gold f15; sets D, E, F, I, K asked the same). Built once per generation
    (601 passages: 0.4 s on the whole library's index)."""

    def build() -> LexicalIndex:
        own = [cid for cid in gen.lexical.chunk_ids if not from_pack(gen.chunks[cid].doc_id)]
        return gen.lexical.subset(own, [search_text(gen.chunks[cid]) for cid in own])

    return gen.cached("retrieval.own_lexical", build)


def rankings(
    index: Index, query: str, candidates: int = CANDIDATES, doc_ids: set[str] | None = None
) -> tuple[Generation, dict[str, list[tuple[str, float]]]]:
    """Each ranking on its own (dense score is cosine similarity), for fusion and for display.

    When the question names a document, the same rankings restricted to it are added,
    so its passages gain without the others being shut out.
    """
    req = Request(index)
    return req.gen, rankings_in(req, query, candidates, doc_ids)


def rankings_in(
    req: Request, query: str, candidates: int = CANDIDATES, doc_ids: set[str] | None = None
) -> dict[str, list[tuple[str, float]]]:
    """`rankings` inside one request: its generation, and each query embedded and ranked once.
    The result is shared by the request's searches: read it, do not change it."""
    key = (query, candidates, frozenset(doc_ids or ()))
    ranked = req.rankings.get(key)
    if ranked is None:
        gen = req.gen
        parsed = req.query(query)
        qvec = req.vector(parsed.dense)
        ranked = _rank(gen, qvec, parsed.lexical, candidates, doc_ids)
        if parsed.doc_ids and not doc_ids:
            # the same rankings the answerer's search inside the named documents reads: taken
            # once per request
            named = rankings_in(req, query, candidates, parsed.doc_ids)
            ranked.update({f"{name}@doc": hits for name, hits in named.items()})
        req.rankings[key] = ranked
    return ranked


def expect_queries(req: Request, queries: list[str]) -> None:
    """Queries `req` will search later (each as a search takes it): their embeddings join the
    request's next encoder call. A query that is no question is left to its search."""
    dense = []
    for query in queries:
        try:
            dense.append(req.query(clean_question(query)).dense)
        except InvalidQuestion:
            continue
    req.expect(dense)


def fuse(
    gen: Generation, ranked: dict[str, list[tuple[str, float]]], doc_ids: set[str] | None = None, question: str = ""
) -> list[Hit]:
    """The rankings as one list: by rank on the corpus alone, by score with a pack loaded
    (kb.search.pack_fusion, which also reads the question's kind), except inside documents
    the question chose by name."""
    if gen.manifest.packs and not doc_ids:
        return fuse_scores(ranked, gen.chunks, WEIGHTS, question)
    return rrf(ranked, gen.chunks)


def search(index: Index, query: str, k: int = 5, doc_ids: set[str] | None = None) -> list[Hit]:
    """The top-k chunks for a question; raises InvalidQuestion for unusable input."""
    return search_in(Request(index), query, k, doc_ids)


def search_in(req: Request, query: str, k: int = 5, doc_ids: set[str] | None = None) -> list[Hit]:
    """`search` inside one request: the same generation and query vector for every call."""
    query = clean_question(query)
    gen = req.gen
    hits = fuse(gen, rankings_in(req, query, doc_ids=doc_ids), doc_ids, query)
    keys = {m.key for m in find_docnums(query)}
    if keys:
        fused = {h.chunk.chunk_id: h for h in hits}
        pinned = [
            fused.get(cid) or Hit(chunk=gen.chunks[cid], score=0.0)
            for cid in _docnum_chunks(gen, keys)
            if not doc_ids or gen.chunks[cid].doc_id in doc_ids
        ]
        for h in pinned:
            h.ranks["docnum"] = 1
        pinned.sort(key=lambda h: -h.score)
        pinned_ids = {h.chunk.chunk_id for h in pinned}
        hits = pinned + [h for h in hits if h.chunk.chunk_id not in pinned_ids]
    return current_first(hits, gen.doc_records, query)[:k]


def hit_to_document(hit: Hit) -> Document:
    """LangChain view of a hit: the passage, its provenance and each ranking's evidence."""
    chunk: Chunk = hit.chunk
    meta: dict[str, Any] = {
        **chunk.to_metadata(), "validity": chunk.validity, "score": hit.score, "ranks": dict(hit.ranks)
    }
    return Document(page_content=chunk.verbatim, metadata=meta, id=chunk.chunk_id)


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever, for chains and for other systems."""

    index: Any
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [hit_to_document(h) for h in search(self.index, query, k=self.k)]
