"""Staff typos of statutory words: 复义/复意 for 复议, 撤消 for 撤销, 败述率 for 败诉率, 应讼 for
应诉 (fresh_a a23/a30/c01, fresh_b b24/b51). Such a word is used by no passage, so it was read as
something the corpus does not hold and the question refused. A question word no passage uses
that differs by one character, at the same place, from exactly one word the corpus uses (or one
used far more often than the others) is read as that word too: the corpus word becomes an
alternative form of the term and joins the retrieval query.

Most typos are homophones typed by pinyin input: 信仿 for 信访, 拜诉率 for 败诉率, 公式 for
公示 (fresh_d d27/d47, fresh_e e35), like 复义 and 撤消 before them. A corpus word that sounds
the same is the reading even where the looser rules above refuse: the typed word may be a
common word of its own (公式), and a changed first character is not a cut fragment when it
sounds alike.

Pinyin input also offers a corpus word's exact homophone, itself a corpus word: 公正 for 公证
(sets E, G, H). Nothing marks such a word as a typo, so it is read as its homophone only in a
second look after a refusal (`misheard`), and that answer stands only when it rests on the
homophone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import replace

import jieba
from pypinyin import Style, pinyin

from kb.answer.extractive import Extract, corpus_word, doc_freq, passage_texts, read_as_put
from kb.answer.near_words import CharPositions, near_counts
from kb.answer.questions import PLACE, RATE, WORD, Analysis, Term
from kb.index.reader import Generation
from kb.schema import Chunk
from kb.search.request import Request
from kb.search.retrieval import search_in

# A two-character word stands for a typo only if it is a dictionary word at least this many
# passages use: two characters with one free match fragments (小孩 ~ 小企) and rare words
# (挂网 ~ 挂钩, 3 passages; 复议 141, 撤销 18). Longer words one character away are specific
# enough (败述率 ~ 败诉率, used once).
MIN_PASSAGES = 5
# The corpus word a typo is read as must stand in one of the passages found first for the
# question as typed (复义 finds 复议 articles first; 持证 does not find 持续). Two, not one: a
# question whose other words name a neighbouring sentence of the same section puts that one
# first (应诉案件里撤消原行政行为几件 finds 代理…88件 before 撤销原行政行为1件, set L).
EVIDENCE_HITS = 2
# Several corpus words one character away: the most used one is meant only when it is used
# this many times as often as the next (撤消: 撤销 18 passages, 撤回 6), else it stays unread.
DOMINANCE = 3
# Only a word rare in written Chinese (jieba's dictionary count) is taken for a typo: 复义 3,
# 撤消 104, 应讼/明录/败述率 none; a common word the corpus does not use is a word of its own
# that a one-character change would make another (新版 397 -> 新作, 年底 4750 -> 年度, 是从 -> 是否).
TYPO_FREQUENCY = 200
# A typed word that a few passages hold only inside other words is used by none of them: at
# the law library's size most two-character typos occur that way (复义 in 修复义务, 审合 in
# 评审合格, 复意 in 答复意见: 2-4 passages each), and the typo was left unread (set H h18, h32
# refused with the library loaded, answered without it). Above this many passages the word is
# taken as used without segmenting them.
MAX_TYPO_PASSAGES = 5
_HAN = re.compile(r"[\u4e00-\u9fff]{2,6}")


def spelled_as(gen: Generation, word: str) -> str | None:
    """The corpus word `word` is a one-character typo of, or None (no such word, or several
    with none clearly the one). Remembered per generation."""
    if not _HAN.fullmatch(word):
        return None
    memo: dict[str, str | None] = gen.cached("spelling.memo", dict)
    if word not in memo:
        memo[word] = _nearest(_near_counts(gen, word), word)
    return memo[word]


def fragment_of(gen: Generation, word: str) -> str | None:
    """The corpus word inside a segmentation fragment, or None: jieba glues a character of the
    next word on (项目区 of 项目区里, 速裁用 of 速裁用的, 诉讼案 of 诉讼案办了, 办件量 in
    通半办件量), and the fragment, used by no passage, was refused as a missing term (fresh_e
    e77/e116, set F f35, set G g10/g13/g111). The longest part left when characters are
    dropped from one end only that passages use: a dictionary word, three characters or more,
    or the word less its last character. A rate is never read by a part (胜诉率 is not 诉率,
    纠错率 not 纠错: the corpus states no such rate)."""
    if not _HAN.fullmatch(word) or len(word) < 3 or word.endswith("率"):
        return None
    heads = [word[:i] for i in range(len(word) - 1, 1, -1)]  # a character of the next word glued on
    tails = [word[i:] for i in range(1, len(word) - 1)]
    found = [p for p in heads if doc_freq(gen, p) > 0 and (_is_word(p) or len(p) >= 3 or len(p) == len(word) - 1)]
    found += [p for p in tails if doc_freq(gen, p) > 0 and (_is_word(p) or len(p) >= 3)]
    return max(found, key=len) if found else None


def _nearest(found: dict[str, int], word: str) -> str | None:
    """The reading of `word` among the near words `found` (word -> passages holding it)."""
    alike = {w: n for w, n in found.items() if _sounds_alike(w, word) and (len(w) > 2 or _is_word(w))}
    if alike:
        return _dominant(alike)
    if _frequency(word) >= TYPO_FREQUENCY:
        return None
    if len(word) == 2:  # two characters match anything (小孩 ~ 小企): a known word, used often,
        # with the same first character (复义, 撤消, 应讼 slip the second; a first one changed
        # is mostly a cut fragment, 天罚 of 按天罚 ~ 处罚)
        found = {w: n for w, n in found.items() if n >= MIN_PASSAGES and _is_word(w) and w[0] == word[0]}
    else:  # a free first or last character runs into the next word (收案量 ~ 收案增)
        found = {w: n for w, n in found.items() if _is_word(w) or (w[0] == word[0] and w[-1] == word[-1])}
    return _dominant(found)


def _dominant(found: dict[str, int]) -> str | None:
    """The word used by the most passages, if it is used DOMINANCE times as often as the next."""
    ranked = sorted(found.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] < DOMINANCE * ranked[1][1]):
        return None
    return ranked[0][0]


def _sounds_alike(a: str, b: str) -> bool:
    """Two words of one length read alike, character by character (tones aside, any reading
    of a character with several): what pinyin input turns one into the other."""
    return len(a) == len(b) and all(x == y or _readings(x) & _readings(y) for x, y in zip(a, b, strict=True))


@functools.lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def _is_word(text: str) -> bool:
    return _frequency(text) > 0


def _frequency(text: str) -> int:
    """The word's count in jieba's dictionary (0: not a dictionary word)."""
    jieba.dt.check_initialized()
    return jieba.dt.FREQ.get(text) or 0


def sounds_as(gen: Generation, word: str) -> str | None:
    """The corpus word that reads exactly as `word`, tones included, with one character
    changed (公证 for 公正), or None. `word` is itself a corpus word: pinyin input offers both,
    and staff pick the wrong one (公正处, 公正事项, 去年公正办了多少件 in sets E, G and H)."""
    if not _HAN.fullmatch(word):
        return None
    memo: dict[str, str | None] = gen.cached("spelling.sounds_as", dict)
    if word not in memo:
        memo[word] = _dominant(_near_counts(gen, word, lambda w: _is_word(w) and _reads_as(w, word)))
    return memo[word]


def misheard(gen: Generation, analysis: Analysis, query: str) -> tuple[Analysis, str, list[str]] | None:
    """The analysis with each word also read as the corpus word it sounds exactly like, the
    query with those words added, and the words; None when no word has one. For a second
    look after a refusal only: the typed word is a corpus word, so it stays what it is."""
    terms, extra = [], []
    for t in analysis.terms:
        meant = sounds_as(gen, t.text) if t.kind == WORD and len(t.text) >= 2 and not t.inherited else None
        if meant:
            t = replace(t, alts=(*t.alts, meant))
            extra.append(meant)
        terms.append(t)
    return (replace(analysis, terms=terms), " ".join([query, *extra]), extra) if extra else None


def _near_counts(gen: Generation, word: str, wanted: Callable[[str], bool] | None = None) -> dict[str, int]:
    """Each word one character away from `word` (at the same place) -> how many passages
    hold it, of those `wanted` accepts; `word` itself left out (kb.answer.near_words, through
    the generation's index of where each character stands, built on first use: 0.3-0.6 s and
    40 MB for the law library)."""
    positions = gen.cached("spelling.positions", lambda: CharPositions.build(passage_texts(gen)))
    return near_counts(positions, word, wanted)


def _reads_as(a: str, b: str) -> bool:
    """Character by character the same common reading, tone included (not a rare one: 印 has
    yi4 beside yin4, which made 复印 of 复议)."""
    return len(a) == len(b) and _tone3(a) == _tone3(b)


@functools.lru_cache(maxsize=8192)
def _tone3(word: str) -> tuple[tuple[str, ...], ...]:
    """The word's common reading with tones: the same near words come back word after word."""
    return tuple(map(tuple, pinyin(word, style=Style.TONE3)))


def used(gen: Generation, word: str) -> bool:
    """Some passage uses `word` as a word: it holds it, and (for a word rare in written
    Chinese held by at most MAX_TYPO_PASSAGES passages) segmenting one of them yields it
    whole. A common word (别人, 放到) is no typo (TYPO_FREQUENCY), and looking up what it
    might stand for cost 50-90 ms a question on the library. Remembered per generation."""
    n = doc_freq(gen, word)
    if n == 0 or n > MAX_TYPO_PASSAGES or _frequency(word) >= TYPO_FREQUENCY:
        return n > 0
    return corpus_word(gen, word)


def _unused(gen: Generation, term: Term) -> bool:
    """No passage uses the term: a word in any form as a word (`used`), a rate or place
    (never a jieba word: 败诉 + 率) in any form at all."""
    if term.kind == WORD:  # with a pack, a verb only the pack uses is read as on the corpus alone
        return not any(used(gen, f) for f in term.forms) or read_as_put(gen, term)
    return not any(doc_freq(gen, f) > 0 for f in term.forms)


def respell(req: Request, analysis: Analysis, query: str) -> tuple[Analysis, str]:
    """The analysis with each typo'd word (used by no passage) also read as the corpus word it
    stands for, and the query with those words added. Never raises.

    A reading must be borne out by what the question finds as typed: the corpus word stands in
    the first EVIDENCE_HITS passage(s). Otherwise a word that is no typo (持证, one
    character from 持续) would become a term the answering sentence must hold, and refuse it."""
    try:
        gen = req.gen
        extra: list[str] = []
        terms = []
        first: list[Chunk] = []
        for t in analysis.terms:
            if t.kind in (WORD, RATE, PLACE) and _unused(gen, t):
                # the typed characters themselves first (项目区 holds 项目), then a typo's word
                fragment, typo = fragment_of(gen, t.text), spelled_as(gen, t.text)
                if (fragment or typo) and not first:
                    first = [h.chunk for h in search_in(req, query, k=EVIDENCE_HITS)]
                # a fragment keeps the typed characters: the passage's title bears it out too
                # (诉讼案 finds a 行政诉讼法 article that says 诉讼 only in its title; sets F, I);
                # a changed character must stand in the text (柳北区 is no 柳江区 of a title)
                meant = None
                if fragment and any(fragment in c.doc_title + c.text for c in first):
                    meant = fragment
                elif typo and (any(typo in c.text for c in first) or _reads_as(t.text, typo)):
                    # an exact homophone needs no passage to bear it out: the word as typed
                    # found none about 撤销 (复议案件撤消了几件: sets A, L, N)
                    meant = typo
                if meant:
                    t = replace(t, alts=(*t.alts, meant))
                    extra.append(meant)
            terms.append(t)
        if not extra:
            return analysis, query
        return replace(analysis, terms=terms), " ".join([query, *extra])
    except Exception:  # noqa: BLE001 - a typo left unread only costs the reading
        return analysis, query


def heard_otherwise(
    req: Request, analysis: Analysis, query: str, ex: Extract, answer: Callable[[Analysis, str], Extract]
) -> tuple[Analysis, str, Extract]:
    """A refused question asked again (`answer`) with its words also read as the corpus words
    they sound exactly like (公正 -> 公证, `misheard`); kept only when that answers with a
    sentence holding such a word, so the reading is what made the answer."""
    heard = misheard(req.gen, analysis, query)
    if heard is None:
        return analysis, query, ex
    again, again_query, words = heard
    retry = answer(again, again_query)
    if retry.refused or retry.best is None or not any(w in retry.best.text for w in words):
        return analysis, query, ex
    return again, again_query, retry
