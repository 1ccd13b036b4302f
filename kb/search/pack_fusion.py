"""Fusion when a corpus pack (the 863-law library) is loaded: by score, with the pack's
passages weighed against the corpus's own, a rule the library restates in many sector laws
held back, passages stating nothing of the kind the question asks for held back, and an
article's first piece ahead of its later pieces when they are close.

On the corpus alone the rankings are fused by rank (kb.search.retrieval.rrf). Among 51,139
passages of one legal style a rank says less: the third BM25 hit may be all but tied with the
first or far below it, and the two lexical rankings (words, bigrams) outvote the dense one,
which on the library's own questions is the better (tests/data/library.jsonl, 83 answerable,
the whole pack: MRR@10 dense alone 0.546, BM25 words 0.398, bigrams 0.426). Every figure
below was measured with the whole pack loaded (2026-11-28) on the library set, gold, set H and
set J, each question's rankings taken once and fused every way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from ingest.packs import PACKS_DIR
from kb.schema import Chunk, Hit
from kb.text.asks import DATE, DEADLINE, FIGURE, LIST, classify
from kb.text.figures import has_duration, has_quantity
from kb.text.tokenize import han_bigrams

# A pack passage weighs this much of its fused score. The corpus's own documents (the
# district's report, the laws it bundles) are what staff ask about; the library answers what
# they do not. Without it sector rules that restate a general one (城市绿化条例's 15-day
# appeal, 海警法's on-the-spot fine) pushed the bundled law's article out of the first hits
# (recall@5 0.985 -> 0.878 on gold). Measured with the score fusion below: 0.3 gained gold
# and set H 0.005-0.008 of MRR@10 and cost the library set 0.011; 0.45 cost gold 0.010.
PACK_WEIGHT = 0.35
# A pack passage's dense score counts this many times. At PACK_WEIGHT 0.35 (before the
# restatement check below) library MRR@10 0.609 at 1.5, 0.613 at 1.75, 0.620 at 2.0, but at
# 1.75 and 2.0 set H lost 0.006-0.008 and set J 0.005; at 1.0 (weight 0.4) 0.593.
PACK_DENSE_WEIGHT = 1.5
# Every passage's dense score counts this many times more (a pack passage's
# DENSE_WEIGHT * PACK_DENSE_WEIGHT), but for a question asking a date: the two BM25 rankings
# read the same words twice and outvoted the dense one where the library's articles share
# their wording; a date, though, is in the article that says 施行 (本法自…起施行), and the
# embedder finds the law's title note (its adoption and amendment dates) as close, so only
# the lexical match tells them apart. Measured with the kind check below (2026-11-29, whole
# pack): MRR@10 library 0.646 -> 0.659, gold 0.889 -> 0.896, set K 0.876 -> 0.875, set L
# 0.862 -> 0.870 (16 questions up, 6 down); applied to date questions too, 5 of them lost
# (gold c14, z08, set K k52, set L l115, l118); 1.1 gave the library 0.658, 1.4 cost set K 0.012.
DENSE_WEIGHT = 1.25
# A pack passage among the first RESTATED_POOL pack hits whose wording (character bigrams,
# at least RESTATED_OVERLAP of the shorter passage's) recurs in RESTATED_DOCS or more other
# pack documents is a rule the library restates sector by sector (当事人对行政处罚决定不服的，
# 可以自接到处罚通知之日起15日内…: 防汛条例, 城市绿化条例, 河道管理条例…). A question that
# names none of them asks the general rule: such passages keep RESTATED_WEIGHT of their
# score. Measured: library L33, L61, L66, gold s02, set J j49, j51 (the bundled 行政诉讼法's
# 15-day rule from outside the first ten to second) move up, no question moves down; with 2
# other documents at an overlap of 0.5 L19, L37, L82, L83 lost the law they name (0.6: L83).
RESTATED_POOL = 30
RESTATED_OVERLAP = 0.6
RESTATED_DOCS = 3
RESTATED_WEIGHT = 0.5
# An article's first piece states its rule (第二十七条 劳动争议申请仲裁的时效期间为一年); its later
# pieces (items, exceptions, 仲裁时效中止…) share its words. A later piece that outscores the
# first by less than LEAD_PIECE_MARGIN of its own score yields to it. Measured: library L11,
# L12, L15, L70 and gold m2, f06 move up, none down; at 0.5 gold z03 lost its first place, at
# 0.6 and more L30, L78 and set H h47 lost too.
LEAD_PIECE_MARGIN = 0.4
_ARTICLE = re.compile(r"^第[零〇一二三四五六七八九十百千0-9]+条$")
# A passage that states nothing of the kind the question asks for (几天/多久: a period of
# time; 多少/几: a quantity; 哪些/哪几种: an enumeration) keeps OFF_KIND_WEIGHT of its score.
# Among hundreds of laws the article that names the topic often outscores the one that gives
# the answer (行政处罚法 第三十四条 on 裁量基准 over 第九条 行政处罚的种类：（一）…). Measured on the
# library set, gold, set K and set L (2026-11-29, whole pack): 15 questions up (deadline,
# figure and list questions of all four sets, library L17, L32, L64, L65), 1 down (L81, 5th
# to 6th); MRR@10 +0.013 library, +0.018 gold, +0.009 K, +0.005 L. At 0.5 the library lost
# what it gained, at 0.85 half of it.
OFF_KIND_WEIGHT = 0.7
_ENUMERATION = re.compile(r"下列|[（(][一二三四五六七八九十]+[）)]")


def from_pack(doc_id: str) -> bool:
    """The document came with a corpus pack (corpus/packs/<name>/…), not the corpus itself."""
    return doc_id.startswith(f"{PACKS_DIR}/")


def fuse_scores(
    rankings: dict[str, list[tuple[str, float]]],
    chunks: dict[str, Chunk],
    weights: dict[str, float],
    question: str = "",
) -> list[Hit]:
    """Fuse by score: each ranking's raw scores scaled to 0..1 over its candidates and summed
    (a `…@doc` ranking, restricted to the documents the question names, like its own kind);
    a dense score counts DENSE_WEIGHT times but for a date question (a pack passage's
    PACK_DENSE_WEIGHT times more) and a pack passage's sum PACK_WEIGHT."""
    fused: dict[str, Hit] = {}
    dense_weight = _dense_weight(question)
    for name, ranked in rankings.items():
        if not ranked:
            continue
        kind = name.split("@")[0]
        raw = [score for _, score in ranked]
        top, bottom = max(raw), min(raw)
        for rank, (cid, score) in enumerate(ranked, start=1):
            hit = fused.setdefault(cid, Hit(chunk=chunks[cid], score=0.0))
            scaled = (score - bottom) / (top - bottom) if top > bottom else 1.0
            if kind == "dense":
                scaled *= dense_weight * (PACK_DENSE_WEIGHT if from_pack(hit.chunk.doc_id) else 1.0)
            hit.score += weights.get(kind, 1.0) * scaled
            hit.ranks[name] = rank
            hit.scores[name] = score
    for hit in fused.values():
        if from_pack(hit.chunk.doc_id):
            hit.score *= PACK_WEIGHT
    hits = sorted(fused.values(), key=lambda h: -h.score)
    hold_back_restated(hits)
    hold_back_off_kind(hits, question)
    lead_piece_first(hits)
    return hits


def hold_back_restated(hits: list[Hit]) -> None:
    """Give the pack passages whose rule recurs in RESTATED_DOCS other pack documents
    RESTATED_WEIGHT of their score, and sort again (in place)."""
    pool = [h for h in hits if from_pack(h.chunk.doc_id)][:RESTATED_POOL]
    grams = [_grams(h.chunk.text) for h in pool]
    alike: list[set[str]] = [set() for _ in pool]  # per passage: the other documents saying the same
    for i, a in enumerate(pool):
        for j in range(i + 1, len(pool)):
            b = pool[j]
            if a.chunk.doc_id == b.chunk.doc_id or not grams[i] or not grams[j]:
                continue
            if len(grams[i] & grams[j]) >= RESTATED_OVERLAP * min(len(grams[i]), len(grams[j])):
                alike[i].add(b.chunk.doc_id)
                alike[j].add(a.chunk.doc_id)
    restated = [h for h, docs in zip(pool, alike, strict=True) if len(docs) >= RESTATED_DOCS]
    for h in restated:
        h.score *= RESTATED_WEIGHT
    if restated:
        hits.sort(key=lambda h: -h.score)


def lead_piece_first(hits: list[Hit]) -> None:
    """Put an article's first piece just above a later piece of it that outscores it by less
    than LEAD_PIECE_MARGIN, and sort again (in place)."""
    first = {(h.chunk.doc_id, h.chunk.label): h for h in hits if h.chunk.part == 0}
    moved = False
    for h in hits:
        if h.chunk.part and _ARTICLE.match(h.chunk.label):
            lead = first.get((h.chunk.doc_id, h.chunk.label))
            if lead is not None and (1 - LEAD_PIECE_MARGIN) * h.score <= lead.score < h.score:
                lead.score = math.nextafter(h.score, math.inf)
                moved = True
    if moved:
        hits.sort(key=lambda h: -h.score)


def hold_back_off_kind(hits: list[Hit], question: str) -> None:
    """Give the passages that state nothing of the kind the question asks for OFF_KIND_WEIGHT
    of their score, and sort again (in place)."""
    fits = _kind_test(question)
    if fits is None:
        return
    for h in hits:
        if not fits(h.chunk.text):
            h.score *= OFF_KIND_WEIGHT
    hits.sort(key=lambda h: -h.score)


def _kind_test(question: str) -> Callable[[str], bool] | None:
    """What a passage must state to answer the question's kind, or None for other kinds."""
    return {DEADLINE: _states_period, FIGURE: _states_quantity, LIST: _enumerates}.get(_asked_kind(question))


def _dense_weight(question: str) -> float:
    """DENSE_WEIGHT, or 1 for a question asking a date (see DENSE_WEIGHT)."""
    return 1.0 if _asked_kind(question) == DATE else DENSE_WEIGHT


@lru_cache(maxsize=256)
def _asked_kind(question: str) -> str:
    """The question's kind, as the answerer reads it; cached, as fusion asks twice a search."""
    return classify(question)


@lru_cache(maxsize=8192)
def _states_period(text: str) -> bool:
    return has_duration(text)


@lru_cache(maxsize=8192)
def _states_quantity(text: str) -> bool:
    return has_quantity(text)


def _enumerates(text: str) -> bool:
    return bool(_ENUMERATION.search(text))


@lru_cache(maxsize=8192)
def _grams(text: str) -> frozenset[str]:
    """A passage's character bigrams, kept: the same library passages come back question
    after question (3.7 -> 0.7 ms a search on the library set)."""
    return frozenset(han_bigrams(text))
