"""新旧条文对照: match the articles of two versions of a law article to article.

A revision renumbers articles (行政复议法 went from 43 to 90), so articles are matched by
their wording, not their numbers, and in order: an alignment that keeps both versions'
sequence and maximises the summed similarity of the pairs it makes. Articles left
unmatched were added or removed; matched ones are unchanged or changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.schema import Chunk
from kb.text.tokenize import char_bigrams

# Two articles are one article revised when their character bigrams overlap at least this
# much (Dice). Measured on 行政复议法 2017→2023: the successors of the 5-day examination rule
# (第十七条→第三十条) and of the commencement article (第四十三条→第九十条) score 0.39 and
# 0.33; the best unrelated candidates of removed articles score 0.19–0.30.
MATCH_THRESHOLD = 0.33

_ARTICLE_LABEL = re.compile(r"^第[零〇一二三四五六七八九十百千]+条(?:之[零〇一二三四五六七八九十百千]+)?$")
_LEADING_LABEL = re.compile(
    r"^\s*第[零〇一二三四五六七八九十百千]+条(?:之[零〇一二三四五六七八九十百千]+)?[\s\u3000]*"
)
_SPACE = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class Article:
    """One article of one version: its label and its text, quoted from the document."""

    doc_id: str
    label: str
    text: str
    start: int
    end: int

    @property
    def body(self) -> str:
        """The wording without the article's own number, which a revision changes freely."""
        return _SPACE.sub("", _LEADING_LABEL.sub("", self.text))


# How each kind of change is named to users, in the order a summary lists them.
KIND_NAMES = {"changed": "修改", "added": "新增", "removed": "删除", "unchanged": "未变"}


@dataclass(frozen=True)
class ArticleChange:
    kind: str  # "added", "removed", "changed" or "unchanged"
    old: Article | None
    new: Article | None
    similarity: float


def articles_of(doc_text: str, chunks: Sequence[Chunk]) -> list[Article]:
    """The articles of one document in order, each whole even when it was chunked in parts."""
    spans: dict[str, tuple[str, int, int]] = {}
    order: list[str] = []
    for c in sorted(chunks, key=lambda c: c.start):
        if c.kind != "body" or not _ARTICLE_LABEL.match(c.label):
            continue
        if c.label not in spans:
            order.append(c.label)
            spans[c.label] = (c.doc_id, c.start, c.end)
        else:
            doc_id, start, end = spans[c.label]
            spans[c.label] = (doc_id, min(start, c.start), max(end, c.end))
    return [
        Article(doc_id=doc_id, label=label, text=doc_text[start:end], start=start, end=end)
        for label in order
        for doc_id, start, end in [spans[label]]
    ]


def counts(changes: Sequence[ArticleChange]) -> dict[str, int]:
    return {kind: sum(c.kind == kind for c in changes) for kind in KIND_NAMES}


def similarity(a: str, b: str) -> float:
    """Dice overlap of character bigrams: robust to inserted clauses and reordered words."""
    return 1.0 if a == b else _dice(set(char_bigrams(a)), set(char_bigrams(b)))


def _dice(ga: set[str], gb: set[str]) -> float:
    return 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0


def diff_articles(old: Sequence[Article], new: Sequence[Article]) -> list[ArticleChange]:
    """Every article of both versions once, in the new version's order, removed ones where
    they stood."""
    old_bodies = [a.body for a in old]
    new_bodies = [a.body for a in new]
    pair_of_new = _match(old_bodies, new_bodies)
    matched_old = set(pair_of_new.values())
    changes: list[ArticleChange] = []
    next_old = 0
    for j, article in enumerate(new):
        i = pair_of_new.get(j)
        if i is None:
            changes.append(ArticleChange("added", None, article, 0.0))
            continue
        # A removed article is listed before the first new article whose match follows it.
        while next_old < i:
            if next_old not in matched_old:
                changes.append(ArticleChange("removed", old[next_old], None, 0.0))
            next_old += 1
        next_old = max(next_old, i + 1)
        sim = similarity(old_bodies[i], new_bodies[j])
        kind = "unchanged" if old_bodies[i] == new_bodies[j] else "changed"
        changes.append(ArticleChange(kind, old[i], article, sim))
    changes.extend(
        ArticleChange("removed", old[i], None, 0.0) for i in range(next_old, len(old)) if i not in matched_old
    )
    return changes


def _match(old: list[str], new: list[str]) -> dict[int, int]:
    """Old article for each matched new one: the most similar pairs first.

    Not an order-keeping alignment: a thorough revision moves articles across chapters
    (行政复议法 2017 第三十一条, the 60-day decision limit, is 2023 第六十二条, after articles
    that were 2017 第三十四条). Ties go to the pair whose relative positions are closest,
    which keeps repeated boilerplate articles in place.
    """
    old_grams = [set(char_bigrams(t)) for t in old]
    new_grams = [set(char_bigrams(t)) for t in new]
    candidates = []
    for i, (a, ga) in enumerate(zip(old, old_grams, strict=True)):
        for j, (b, gb) in enumerate(zip(new, new_grams, strict=True)):
            sim = 1.0 if a == b else _dice(ga, gb)
            if sim >= MATCH_THRESHOLD:
                drift = abs(i / max(len(old), 1) - j / max(len(new), 1))
                candidates.append((-sim, drift, i, j))
    candidates.sort()
    pair_of_new: dict[int, int] = {}
    used_old: set[int] = set()
    for _, _, i, j in candidates:
        if i not in used_old and j not in pair_of_new:
            pair_of_new[j] = i
            used_old.add(i)
    return pair_of_new
