"""The default answerer: no model, only sentences copied from the retrieved passages.

From the hybrid search hits it picks the sentence that answers the question's type (a
figure question needs a figure, a deadline question a period of time), trims a sentence
full of figures to the clauses that answer, and cites the exact span. It refuses when no
sentence covers the question's key terms: a wrong answer with a real citation is worse
than no answer. 文号 questions are answered from the registry, which knows every document
the corpus cites and where.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from dataclasses import dataclass, field, replace
from functools import partial

import jieba
import numpy as np

from kb.answer.citations import Citation, CitationBook, cite
from kb.answer.evidence import (
    Signals,
    asks_judgment,
    bigram_overlap,
    condition_burden,
    confidence,
    dense_scores,
)
from kb.answer.grounding import REFUSAL_PREFIX
from kb.answer.norms import (
    YES_NO,
    ask_kind,
    exception_end,
    implemented_law,
    list_head,
    names_category,
    operator_fit,
    rule_condition,
    special_cases,
)
from kb.answer.questions import (
    ABOUT,
    ARTICLE,
    DATE,
    DEADLINE,
    DOCNUM,
    DOCNUM_REVERSE,
    FIGURE,
    LATIN,
    LIST,
    LOOSE_ORDER,
    NUMBER,
    OTHER,
    PLACE,
    RATE,
    WORD,
    YEAR,
    Analysis,
    Term,
    asks_date,
)
from kb.answer.target import (
    asked_actor,
    asked_figures,
    asks_money,
    asks_total,
    counts_a_kind,
    counts_asked,
    counts_for_names,
    head_term,
    modifier_dropped,
    money_fits,
    others_period,
    outcome_unstated,
    own_figures,
    part_unstated,
    partner_unstated,
    past_given_group,
    period_acts,
    pick_figure_clause,
    ranking_unstated,
    restates_count,
    restates_given,
    sibling_counts,
    states_level,
)
from kb.index import Generation
from kb.registry import RegistryEntry
from kb.schema import Chunk, Hit
from kb.search.query import named_docs
from kb.search.request import Request
from kb.search.retrieval import CANDIDATES, from_pack, search_in
from kb.text import lexicon
from kb.text.docnum import find_docnums, normalize_docnum, without_docnums
from kb.text.figures import (
    CLASSIFIER_UNITS,
    COMPARE_CLOSE,
    COMPARE_OPEN,
    PERSON_UNITS,
    durations,
    find_figures,
    has_date,
    has_duration,
    has_quantity,
)
from kb.text.normalize import squash
from kb.text.script import shadow_title
from kb.text.sentences import clause_spans, sentence_spans
from kb.text.titles import normalize_title
from kb.text.tokenize import han_bigrams
from kb.validity import answerable

K_HITS = 10
K_DOC_HITS = 8
K_DEEP = 30  # second look when nothing in the first hits answers
# Calibrated on tests/data/gold.jsonl (see tests/test_answer.py): below this coverage of
# the question's weighted key terms, the best sentence does not answer the question.
MIN_COVERAGE = 0.5
MIN_COVERAGE_DEEP = 0.7  # a sentence found only below the first hits must cover more
MIN_REGISTRY_SCORE = 0.5
# A question whose unknown nouns (no passage uses them) take this share of its key-term
# weight is about something the corpus does not hold. Measured: on gold, fresh_a and heldout
# every answerable question with an unknown word has a share <= 0.10 (老板, 小孩, 拍板, 工程款
# in a longer question); the unanswerable ones refused for it have >= 0.19 (局长, 常住人口,
# 个人所得税, 盗窃罪, 离婚).
MAX_UNKNOWN_SHARE = 0.15
# Below this cosine to the question a passage does not carry a word the corpus never uses:
# the answerable questions with such a word have 0.907-0.925 on gold, fresh_a and heldout,
# the unanswerable ones answered without this bar 0.869 (闯红灯) and below.
MIN_DENSE_UNKNOWN = 0.9
# Below this cosine to the question a sentence of a corpus pack's document the question does
# not name does not answer it: the law library's 51,139 passages hold most words of any
# question, so word coverage alone let a rule on another matter answer one the library does
# not (夫妻共同财产怎么分 with 婚姻登记条例 at 0.884, 个人所得税税率 with the 储蓄存款利息 rule at
# 0.898: gold u20, u09). The bar a passage bridging a word the corpus never uses must reach
# (MIN_DENSE_UNKNOWN): the library's nouns are words the corpus does not hold. Measured with
# the whole library (2026-11-29): at 0.91 gold u16, u17 and set K k155 (0.903-0.906) were
# refused too, but the library2 check set lost 5 right answers (lead 42.9% -> 33.9%); at 0.90
# it loses 3 (-> 37.5%, as before the weights of read_as_put), the library set 1 (L03, 0.892).
MIN_DENSE_PACK = MIN_DENSE_UNKNOWN
SHORT_SENTENCE = 60  # a sentence this short is quoted whole
WHOLE_ABOUT = 120  # "what does X say" keeps a sentence this long whole
_DEFINES = re.compile(r"所称|是指|系指|指的是|包括[：:]|分为")
_EVENT_TIME = re.compile(r"之日|一经|届满|时起|以后|之前|之后|期满|同时")
# 同时 opening a sentence or clause (同时，大力推进…) joins it to the one before: no time of an event
_CONNECTIVE = re.compile(r"^\s*(?:同时|此外|另外|与此同时)\s*[，,]?")
_ARTICLE_LEAD = re.compile(r"第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?[ \u3000]+")

_QUESTION_END = re.compile(r"[？?][”’」』）)\s]*$")
_LIST_ITEM = re.compile(r"^\s*[（(][一二三四五六七八九十0-9]+[)）]")
_ENUM_LEAD = re.compile(r"^(?:[一二三四五六七八九十]是|其次|同时|此外|另外|其中[：:]?)")


@dataclass
class ScoredSentence:
    """One sentence of a retrieved passage, scored as an answer."""

    chunk: Chunk
    start: int  # offsets inside chunk.text
    end: int
    rank: int
    coverage: float = 0.0
    type_ok: bool = False
    score: float = 0.0
    signals: Signals | None = None
    confidence: float = 0.0
    special: bool = False  # a rule for a special case the question does not name

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]


@dataclass
class Extract:
    """An extractive answer: text with [n] markers, the citations it uses, or a refusal."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    related: list[Citation] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    best: ScoredSentence | None = None
    unknown: bool = False  # refused because the question names something the corpus never does
    # The refusal rests on a rule (a term no passage has, no sentence of the asked kind, an
    # unknown 文号), not on the coverage threshold: a language model is not asked to try.
    decisive: bool = False
    # kb.answer.evidence's confidence in `best` (for a refusal: in the sentence it turned
    # down); a registry answer is an exact lookup
    confidence: float = 1.0


def _strip_titles(text: str) -> str:
    return re.sub(r"《[^《》]*》", "", text)


# ---------------------------------------------------------------- term weights


def _stats(gen: Generation) -> tuple[list[str], dict[str, int]]:
    """Passage texts of the generation and the word frequencies counted so far, kept on the
    generation: a thread answering while an ingest lands keeps reading its own."""
    return gen.cached("extractive.stats", lambda: ([_context(c) for c in gen.chunks.values()], {}))


def passage_texts(gen: Generation) -> list[str]:
    """Each passage of the generation with the headings it stands under, as term counts read it."""
    return _stats(gen)[0]


def doc_freq(gen: Generation, term: str) -> int:
    """How many passages use `term` (under their titles and headings included)."""
    dfs = _stats(gen)[1]
    if term not in dfs:
        dfs[term] = len(passages_holding(gen, term))
    return dfs[term]


def passages_holding(gen: Generation, text: str) -> list[int]:
    """The passages (indices into `passage_texts`, ascending) that hold `text`: only those
    using its rarest character are read. Reading all 51,139 of the law library took 10-25 ms
    a word, paid for each new word of each question (term weights, typos, refusals)."""
    texts = passage_texts(gen)
    if not text:
        return list(range(len(texts)))
    postings = gen.cached("extractive.chars", lambda: char_postings(texts))
    rows = [postings.get(ch) for ch in set(text)]
    if any(row is None for row in rows):
        return []
    if len(text) == 1:  # every passage using the character holds it
        return rows[0].tolist()
    return [i for i in min(rows, key=len).tolist() if text in texts[i]]


def char_postings(texts: list[str]) -> dict[str, np.ndarray]:
    """Each character -> the indices of the texts using it, ascending: one sort of every
    (character, text) pair, 0.3-0.6 s for the law library's 6.4M characters (numpy's
    `unique` took 6-9 s for the same pairs)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    if not lengths.sum():
        return {}
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    n = len(texts)
    pairs = codes.astype(np.int64) * n + np.repeat(np.arange(n, dtype=np.int64), lengths)
    pairs.sort(kind="stable")
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    chars, ids = np.divmod(pairs, n)
    cuts = np.flatnonzero(np.diff(chars)) + 1
    firsts = chars[np.r_[0, cuts]].tolist()
    return {chr(c): row.astype(np.int32) for c, row in zip(firsts, np.split(ids, cuts), strict=True)}


def term_weight(gen: Generation, term: Term | str) -> float:
    """Inverse passage frequency: rare words say what a question is about. A word no passage
    uses in any form is colloquial noise (or, if a noun, a reason to refuse): weight 1.

    With a corpus pack loaded, a word the corpus's own documents use weighs as it does among
    them, and any other word on their scale (its frequency over all passages, times
    log(own + 1) / log(all + 1), so a word of one passage weighs the most on either). Counted
    over the law library's 51,139 passages, the bundled laws' own topic words (复议 1.4 -> 4.7,
    行政诉讼 1.5 -> 5.4) outweighed the words that tell their articles apart, and the sentence
    that answered fell under the coverage bar or behind another article (gold r33, y02, z07,
    s03; lead accuracy 90.8% -> 95.4% on gold, 88.2% -> 89.1% on set H, the library set
    unchanged at 30.1%)."""
    forms = term.forms if isinstance(term, Term) else (term,)
    df = max(doc_freq(gen, f) for f in forms)
    if df == 0:
        return 1.0
    n = len(passage_texts(gen))
    own = len(_own_texts(gen))
    if 0 < own < n:
        own_df = max(_own_freq(gen, f) for f in forms)
        if own_df:
            return max(0.5, math.log((own + 1) / (own_df + 1)))
        if isinstance(term, Term) and read_as_put(gen, term):
            return 1.0  # as on the corpus alone, where no passage uses it
        return max(0.5, math.log((n + 1) / (df + 1)) * math.log(own + 1) / math.log(n + 1))
    return max(0.5, math.log((n + 1) / (df + 1)))


VERB_POS = ("v", "a")  # jieba's verbs (v, vn, vd…) and adjectives (a, ad…): see read_as_put


def read_as_put(gen: Generation, term: Term) -> bool:
    """With a corpus pack loaded, a verb or an adjective (要判, 上限, 追责) which only the pack's
    passages use, in any form: it says how the question is put, and is read as on the corpus
    alone, where no passage uses it (weight 1, FUNCTION_WEIGHT, a typo's reading). Weighed over
    the library, such a word held by a few of its 51,139 passages weighed 5-6 against 1.5-3 for
    the topic, and the corpus's own sentence that answered fell under the coverage bar or lost
    its reading (set K k61 要判, set M m81 上限, m70 追责, set L l46 撤消). A noun or a time word
    is what the question is about: the library may well hold it (试用期, 春节)."""
    own = len(_own_texts(gen))
    if term.noun or term.kind != WORD or term.pos[:1] not in VERB_POS or not 0 < own < len(passage_texts(gen)):
        return False
    return all(_own_freq(gen, f) == 0 for f in term.forms) and any(doc_freq(gen, f) > 0 for f in term.forms)


def _own_texts(gen: Generation) -> list[str]:
    """The passage texts (as `passage_texts`) of the corpus's own documents, not a pack's."""
    return gen.cached(
        "extractive.own",
        lambda: [t for t, c in zip(passage_texts(gen), gen.chunks.values(), strict=True) if not from_pack(c.doc_id)],
    )


def _own_freq(gen: Generation, term: str) -> int:
    """How many of the corpus's own passages use `term` (a few hundred: read directly);
    remembered per generation."""
    memo: dict[str, int] = gen.cached("extractive.own_freq", dict)
    if term not in memo:
        memo[term] = sum(1 for t in _own_texts(gen) if term in t)
    return memo[term]


def _context(chunk: Chunk) -> str:
    """What a sentence of this chunk stands under: document title, headings, label, text."""
    title = shadow_title(chunk.doc_title)  # as a question names it
    return squash(f"{title}{chunk.doc_number}{''.join(chunk.section_path)}{chunk.label}{chunk.text}")


# ---------------------------------------------------------------- matching


def hard_ok(term: Term, sentence: str, chunk: Chunk, named_docs: set[str]) -> bool:
    """A hard term must be in the sentence or in what the sentence stands under. Each kind
    squashes only the text it reads: at library size this is called for every passage."""
    if term.kind == YEAR:  # the year of a fact, not one inside a cited title (…（2021—2025年）》)
        return term.text in _strip_titles(squash(sentence)) or term.text in squash(
            shadow_title(chunk.doc_title) + "".join(chunk.section_path)
        )
    if term.kind == ARTICLE:
        if named_docs and chunk.doc_id not in named_docs:
            return False
        return chunk.label == term.text or term.text in squash(sentence)
    if term.kind == PLACE:
        return any(form in _context(chunk) for form in term.forms)  # the place or another name of it
    if term.kind == NUMBER:
        return term.text in squash(sentence)
    if term.kind == LATIN:
        return term.text.lower() in _context(chunk).lower()
    if term.kind == RATE:
        return any(f in squash(sentence) for f in term.forms)  # 败述率 read as 败诉率 (kb.answer.spelling)
    return True


def _held_anywhere(gen: Generation, term: Term, docs: set[str]) -> bool:
    """Whether any passage of the generation meets the hard term (`hard_ok` on its whole
    text). A passage that meets a place, number, article, rate or Latin term holds it in
    its context (title, headings, label, text: `passage_texts`), so only those passages
    are tested; a year is also read with titles taken out, which can join its digits, so
    every passage is. Testing every passage took 0.2-1.6 s a refusal on the law library."""
    chunks = list(gen.chunks.values())  # in the order of passage_texts
    if term.kind in (PLACE, RATE, NUMBER, ARTICLE):
        needles = term.forms if term.kind in (PLACE, RATE) else (term.text,)
        chunks = [chunks[i] for i in sorted({i for n in needles for i in passages_holding(gen, n)})]
    elif term.kind == LATIN and term.text:  # compared in lower case: a character lowering to its first
        sources = _lowering_to(term.text.lower()[0])
        chunks = [chunks[i] for i in sorted({i for ch in sources for i in passages_holding(gen, ch)})]
    return any(hard_ok(term, c.text, c, docs) for c in chunks)


def _lowering_to(ch: str) -> frozenset[str]:
    """Every character whose lower case holds the ASCII letter `ch` (g: g, G; k: k, K and
    the Kelvin sign)."""
    return _ascii_lowered_from().get(ch, frozenset({ch}))


_UNICODE_BLOCK = 4096  # characters lowered at once by _ascii_lowered_from
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@functools.cache
def _ascii_lowered_from() -> dict[str, frozenset[str]]:
    """ASCII letter -> the characters whose lower case holds it, once per process. A string's
    lower case is its characters' lower cases joined (only Σ reads its neighbours, and lowers
    to no ASCII letter), so Unicode is lowered a block at a time and only the few blocks
    whose lower case holds an ASCII letter are read character by character: 0.6-0.8 s a
    process for every character one by one, paid by the first refusal of a Latin term."""
    found: dict[str, set[str]] = {}
    for base in range(0, sys.maxunicode + 1, _UNICODE_BLOCK):
        block = "".join(map(chr, range(base, min(base + _UNICODE_BLOCK, sys.maxunicode + 1))))
        if not _ASCII_LETTER.search(block.lower()):
            continue
        for c in block:
            for low in c.lower():
                if low.isascii() and low.isalpha():
                    found.setdefault(low, set()).add(c)
    return {k: frozenset(v) for k, v in found.items()}


def term_match(term: Term, sentence: str, ctx: str, heading: str = "") -> float:
    """1 in the sentence (0.9 through a colloquial synonym); 0.6 in the title or headings it
    stands under, 0.4 elsewhere in its passage; else, for a longer word, partial credit for
    shared characters (不正常 ~ 非正常)."""
    if term.text in sentence:
        return 1.0
    if any(a in sentence for a in term.alts):
        return 0.9
    if heading and any(f in heading for f in term.forms):
        return 0.6
    if any(f in ctx for f in term.forms):
        return 0.4
    chars = [ch for ch in term.text if re.match(r"[\u4e00-\u9fff]", ch)]
    if len(chars) < 3:
        return 0.0
    shared = sum(1 for ch in chars if ch in sentence)
    return 0.5 * shared / len(chars)


# Selection only (not coverage): a word of the question in the document's title counts as
# almost in the sentence, since every article of 行政诉讼法 is about 行政诉讼 (提起诉讼…六个月);
# the rule is looked for in the law about the topic before the laws that mention it.
TITLE_MATCH = 0.9


def _topic_of(title: str, word: str) -> bool:
    """`word` names what a document is about: in its title, not as the title's kind (条例, 法)."""
    return word in title and not title.rstrip("》）)").endswith(word)


def unknown_terms(gen: Generation, analysis: Analysis) -> list[Term]:
    """Nouns of the question that no passage of the corpus uses in any form (GDP, 常住人口,
    局长): the question is about something the knowledge base does not hold."""
    return [t for t in analysis.soft if t.noun and not _known(gen, t)]


def unknown_share(gen: Generation, analysis: Analysis) -> float:
    """The weight share of the question's key words taken by nouns no passage uses: 常住人口
    or 局长 is what the question is about; 老板 or 小孩 in a longer question is a way of
    saying it."""
    weights = {t.text: term_weight(gen, t) for t in analysis.soft}
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(weights[t.text] for t in unknown_terms(gen, analysis)) / total


_GENERIC_SUFFIX = "书局率费员者人所处表单证厅委办会院部"


def _known(gen: Generation, term: Term) -> bool:
    """Used by some passage, whole or as two known words (申请事项 = 申请 + 事项, 承诺书 =
    承诺 + 书); a two-character word must be used whole. With a pack loaded, a word that
    `read_as_put` reads as on the corpus alone is as unused as it is there."""
    if read_as_put(gen, term):
        return False
    if any(doc_freq(gen, f) > 0 for f in term.forms):
        return True
    w = term.text
    for i in range(2, len(w) - 1):
        if doc_freq(gen, w[:i]) > 0 and doc_freq(gen, w[i:]) > 0:
            return True
    return len(w) == 3 and w[-1] in _GENERIC_SUFFIX and doc_freq(gen, w[:2]) > 0


# A question naming time asks a period even with a bare 多少 (给多少审查时间).
_TIME_WORD = re.compile(r"时间|期限|时限|多久|[天日月年]")


def _only_periods(text: str) -> bool:
    """Every figure of the text is a period of time (十日内, 三个月): what a law sets as a
    deadline, never a count. A 多少 without a classifier asks a count or an amount; set N's
    复议申请收了多少 was answered with 收到…申请书副本…之日起十日内."""
    figures = [f for f in find_figures(text) if f.unit != "第" and not f.is_year]
    return bool(figures) and len(durations(text)) == len(figures)


# An ordinal asked (在自治区算第几批): the place in a series, which a passage may state as 首批.
_ORDINAL_ASK = re.compile(r"第几([\u4e00-\u9fff])")


def type_ok(qtype: str, text: str, analysis: Analysis | None = None) -> bool:
    """Can this text answer a question of this type at all?"""
    if qtype == FIGURE:
        ordinal = _ORDINAL_ASK.search(analysis.question) if analysis is not None else None
        if ordinal and re.search(rf"(?:首|头|第[一二三四五六七八九十\d]+){ordinal.group(1)}", text):
            return True  # 第几批 answered by 全自治区首批 (sets H and N)
        if analysis is not None and not own_figures(text, asked_figures(analysis)):
            return False  # 那814户后来移出了多少户: the figure the question gives is no answer
        if analysis is not None and not states_level(analysis, text):
            return False  # 与2022年同期的…3.96%相比，…下降了2.68%: no figure of the period asked
        if analysis is not None and not analysis.classifier and not _TIME_WORD.search(analysis.question) and _only_periods(text):
            return False  # 复议申请收了多少 is no 收到…之日起十日内: a count, not a time
        if analysis is not None and (analysis.classifier or analysis.counted or asks_money(analysis)):
            return any(figure_fits(analysis, text[a:b]) for a, b in clause_spans(text, 0, len(text)))
        return has_quantity(text)
    if qtype == DEADLINE:
        return has_duration(text)
    if qtype == DATE:  # a calendar date, or the event it hangs on (一经送达, 自…之日起)
        return has_date(text) or bool(_EVENT_TIME.search(_CONNECTIVE.sub("", text)))
    if qtype == DOCNUM:
        return bool(find_docnums(text))
    return True


def figure_fits(analysis: Analysis, clause: str) -> bool:
    """A clause answers a counting question when one of its figures is counted in the asked
    classifier (几个代理人 ~ 一至二名, not 54人 for 几个镇) and it names what is counted."""
    figures = [f for f in find_figures(clause) if f.unit != "第" and not f.is_year]
    if not figures or not money_fits(analysis, clause):
        return False
    cls, noun = analysis.classifier, analysis.counted
    if cls:
        allowed = set(CLASSIFIER_UNITS.get(cls, {cls, "万" + cls}))
        if noun == "人":  # 几个人 counts people: 三至九人, not 4个 committees (the 人 of 人民)
            allowed = PERSON_UNITS
        elif cls == "个" and noun.endswith(("人", "员", "者", "士", "官", "师")):
            allowed = (allowed - {"件"}) | PERSON_UNITS  # 几个公证员: people (or 2家 申请人), not 333件 事项
        if not any(
            f.unit in allowed
            or (f.unit == "" and any(g.unit in allowed for g in figures))
            or _approx_unit(clause, f.end) in allowed  # 200多件
            for f in figures
        ):
            return False
    if noun and noun != "人":  # people are named by the unit itself
        c = squash(clause)
        forms = analysis.counted_forms or (noun,)
        if not any(form in c for form in forms):
            chars = [ch for ch in noun if "\u4e00" <= ch <= "\u9fff"]
            if not chars or sum(ch in c for ch in chars) / len(chars) < 0.6:
                return False
    return True


def _approx_unit(text: str, end: int) -> str | None:
    """The unit after an approximate figure (200多件, 30余人), which the figure reader leaves
    unitless."""
    m = re.match(r"[多余]([件个人名户家项条次份起])", text[end : end + 2])
    return m.group(1) if m else None  # not "": a bare figure's unit is "" too


# ---------------------------------------------------------------- retrieval


def gather(req: Request, analysis: Analysis, query: str, k: int = K_HITS) -> tuple[list[Hit], set[str]]:
    """Hybrid hits, plus hits inside the documents the question names, plus the articles it
    names (第二十条 of the named law), best first, without duplicates."""
    gen = req.gen
    fused = search_in(req, query, k=max(k, CANDIDATES))
    hits = fused[:k]
    # A corpus pack's passages add candidates and take none of the corpus's own: each one
    # among the first k lets the next own passage of the fused list in after them. With the
    # library loaded, 行政诉讼法 第四十六条 (直接向人民法院提起诉讼…六个月) fell from the first ten
    # to 19th for 直接去法院告行政机关多久之内起诉, and its 第六十七条 (the court's 五日) led
    # instead (sets O, Q and R: o50, q55, q103, r53).
    pushed = sum(from_pack(h.chunk.doc_id) for h in hits)
    if pushed:
        hits += [h for h in fused[k:] if not from_pack(h.chunk.doc_id)][:pushed]
    docs = named_docs(gen.doc_titles, analysis.question, gen.doc_records)
    extra: list[Hit] = []
    if docs:
        articles = {t.text for t in analysis.terms if t.kind == ARTICLE}
        if articles:
            extra.extend(
                Hit(chunk=c, score=1.0, ranks={"article": 1})
                for c in gen.chunks.values()
                if c.doc_id in docs and c.label in articles
            )
        extra.extend(search_in(req, query, k=K_DOC_HITS, doc_ids=docs))
    seen: set[str] = set()
    out = []
    for h in [*extra[:2], *hits, *extra[2:]]:
        if h.chunk.chunk_id not in seen:
            seen.add(h.chunk.chunk_id)
            out.append(h)
    return answerable(out, gen.doc_records, analysis.question), docs


# ---------------------------------------------------------------- scoring

# A sentence's score: how much of the question's weighted key terms it covers (0 to 1),
# plus the bonuses below.
FOCUS_WEIGHT = 3.0  # the event a date question asks about (施行, 召开) weighs three words
INHERITED_WEIGHT = 0.5  # a term carried over from the previous question weighs half
TYPE_BONUS = 0.2  # the sentence is of the asked kind (a figure for 多少, a date for 哪天)
LIST_BONUS = 0.1  # a list question: an intro with its items, a real list
ARTICLE_LEAD_BONUS = 0.03  # an article's first sentence states its rule
DEFINITION_BONUS = 0.1  # "what is X": the sentence that defines X
CALENDAR_DATE_BONUS = 0.1  # a date question: a calendar date beats an event
RANK_BONUS = 0.1  # retrieval's order, fading: RANK_BONUS / sqrt(rank)
# Prepositions, pronouns, adverbs, place and direction words (跟, 自己, 最后, 对外, 区里) are
# rare in the corpus's written style, so their inverse frequency is high, yet they say how a
# question is put, not what it is about: they weigh this much of their frequency weight.
FUNCTION_WEIGHT = 0.3
FUNCTION_POS = ("p", "r", "d", "f", "s", "c", "u")
SPECIAL_CASE_PENALTY = 0.3  # times evidence.condition_burden: the general rule first
# A rule for a special case the question does not name (不服复议决定的…, 前款规定以外…): the
# general rule outscored it by 0.03 to 0.3 on fresh_a, fresh_b, fresh_c deadline questions.
UNNAMED_CASE_PENALTY = 0.3
# A sentence of a law's implementing regulation when the law is indexed too and the question
# does not name the regulation (kb.answer.norms.implemented_law): the law's own rule first.
# The size of the special-case penalty: the regulation's sentence led the law's by 0.1 to 0.25
# on the library's 行政复议 deadline questions.
IMPLEMENTING_PENALTY = 0.3
# A sentence of a corpus pack's document (the law library) the question does not name: the
# corpus's own law states the rule staff mean (kb.search.retrieval.PACK_WEIGHT). With the library loaded,
# sector rules restating a general one (价格违法行为行政处罚规定's 3% a day, 人民陪审员法's
# 合议庭) outscored the bundled article by 0.001 to 0.21 on gold and set H; the size of the
# implementing-regulation penalty.
PACK_PENALTY = 0.3
# A deadline question: times the weighted share of the question's own words in the act its
# period bounds (kb.answer.target.period_acts). Sentences of one procedure hold the same words
# and tie within 0.04, broken by retrieval's order (申请行政复议的期限: 收到申请后五日内审查 won
# over 六十日内提出行政复议申请 once the library pushed 第二十条 down).
PERIOD_ACT_BONUS = 0.1
# A yes/no or who question: the sentence puts the asked act under the asked operator (有权拒绝,
# 由…负责人决定); the topical sentence led by 0.03 to 0.11 on fresh_a, fresh_b, fresh_c.
OPERATOR_BONUS = 0.2
# A list question: the sentence opens or closes its enumeration with the asked category
# (下列情形 for 哪些情况, 等多种方式 for 哪些方式); a topical sentence led by 0.09 to 0.18
# (fresh_c, gold).
CATEGORY_BONUS = 0.2
# Scores this close are a tie retrieval's order broke: when the first of them counts something
# else (kb.answer.target.counts_asked), the next one is asked (a list item of 当场收缴 tied with
# 第五十一条 for 单位当场最多罚多少, fresh_c c98; the 单位 questions of fresh_a, fresh_b and
# heldout read the same two articles).
TIE_SCORE = 0.02


MIN_PART = 2  # a known part shorter than this (量 of 收案量) says nothing
# A known part must be a specific word (收案 5.7, 信用 4.1): a common one (规定 1.1 of 按规定)
# is a piece of a set phrase.
SPECIFIC_PART = 3.0


# Modal characters jieba glues to the verb after them (能罚, 要留, 得给): the word is the verb.
_MODALS = frozenset("能要得可会该需")


def _with_known_part(gen: Generation, term: Term) -> Term:
    """An unseen compound read through its longest known head or tail (收案量 -> 收案,
    守信用 -> 信用): the passage that answers says the part, and weighing the unseen word as
    an unmatched 1 let another figure of the same paragraph win (fresh_a a33 answered 16.2%
    of 纠错 for 收案量's 46.2%; heldout h22 asks 守信用 of 信用承诺). An unseen two-character
    word of a modal and a verb (能罚, 要留, 能调: 60 of the set questions hold one) is read as
    its verb."""
    w = term.text
    if term.kind != WORD:
        return term
    if len(w) == MIN_PART and w[0] in _MODALS and not term.alts and not corpus_word(gen, w):
        return replace(term, alts=(w[1:],))  # 能罚 -> 罚, 要留 -> 留 (职能调整 holds no 能调)
    if len(w) <= MIN_PART or any(doc_freq(gen, f) > 0 for f in term.forms):
        return term
    for k in range(len(w) - 1, MIN_PART - 1, -1):
        for part in (w[:k], w[-k:]):
            if (
                doc_freq(gen, part) > 0
                and part not in _QUESTION_PARTS
                and term_weight(gen, part) >= SPECIFIC_PART
                and corpus_word(gen, part)
            ):
                return replace(term, alts=(*term.alts, part))
    return term


def corpus_word(gen: Generation, part: str) -> bool:
    """`part` is a word where the passages use it, not characters across two words (按规 of
    按规范): segmentation of a passage holding it yields it whole. Remembered per generation."""
    memo: dict[str, bool] = gen.cached("extractive.corpus_words", dict)
    if part not in memo:
        texts = passage_texts(gen)
        memo[part] = any(segments_whole(texts[i], part) for i in passages_holding(gen, part))
    return memo[part]


def segments_whole(text: str, part: str) -> bool:
    """`part` is one of the words jieba cuts `text` into. jieba cuts each run of word
    characters (jieba.re_han_default) on its own, and a word of such characters comes from a
    run holding it, so only those runs are cut: segmenting whole passages took 0.1-1 s for a
    part that several thousand library passages hold (按规 of 按规范)."""
    if not jieba.re_han_default.fullmatch(part):
        return part in jieba.lcut(text)
    return any(part in jieba.lcut(run) for run in jieba.re_han_default.findall(text) if part in run)


_QUESTION_PARTS = frozenset(lexicon.question_words() | lexicon.stopwords())


def _how_put(gen: Generation, term: Term) -> bool:
    """A word that says how the question is put, not what it is about: a function word, or a
    verb, adverb or time word no passage uses in any form (还有, 年底, 比降, 送去): nothing
    can match it, and weighing as a content word it kept the passage that answers under the
    coverage bar (fresh_a a25/a32, fresh_c c34, heldout h30). An unknown noun is what the
    question is about (unknown_share)."""
    if term.focus:
        return False
    return term.pos[:1] in FUNCTION_POS or (not term.noun and term.kind == WORD and not _known(gen, term))


def score_candidates(
    gen: Generation, analysis: Analysis, hits: list[Hit], docs: set[str]
) -> list[ScoredSentence]:
    """Every sentence of every hit, scored; sentences failing a hard term are dropped.
    A rate the question names (败诉率) is hard, yet it is also what the question is about:
    it counts toward coverage like a word. Left out, a question whose content is its rate
    and a year (23年败诉率跟22年比降了多少) was covered only by its filler words and refused
    (fresh_a a23, a25; gold and heldout ask rates the same way)."""
    soft = [*analysis.soft, *(t for t in analysis.hard if t.kind == RATE)]
    weights = {
        t.text: max(term_weight(gen, t), term_weight(gen, _with_known_part(gen, t)))
        * (FOCUS_WEIGHT if t.focus else 1.0)
        * (INHERITED_WEIGHT if t.inherited else 1.0)
        * (FUNCTION_WEIGHT if _how_put(gen, t) else 1.0)
        for t in soft
    }
    total = sum(weights.values())
    known = {t.text: _known(gen, t) for t in soft}
    soft = [_with_known_part(gen, t) for t in soft]  # matched through it
    total_known = sum(w for t, w in weights.items() if known[t])
    unknown = sum(weights[t.text] for t in soft if t.noun and not known[t.text]) / total if total else 0.0
    wanted = set().union(*(han_bigrams(t.text) for t in analysis.terms if not t.inherited)) if analysis.terms else set()
    dense = dense_scores(hits)
    asked = tuple(f for t in analysis.terms for f in t.forms)
    kind, act = ask_kind(analysis.question) if analysis.qtype in (ABOUT, OTHER) else ("", "")
    head = list_head(analysis.question) if analysis.qtype == LIST else ""
    titles = gen.normalized_titles
    own = [t for t in soft if not t.inherited]
    own_total = sum(weights[t.text] for t in own)
    actor = asked_actor(analysis) if analysis.qtype == DEADLINE else ""
    out = []
    for rank, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        if chunk.kind == "heading":
            continue
        ctx = _context(chunk)
        heading = squash(f"{shadow_title(chunk.doc_title)}{''.join(chunk.section_path)}")
        title = squash(shadow_title(chunk.doc_title))
        implementing = bool(implemented_law(normalize_title(title), titles, analysis.question))
        spans = sentence_spans(chunk.text)
        for i, (s, e) in enumerate(spans):
            sentence = squash(chunk.text[s:e])
            if len(sentence) < 4 or _QUESTION_END.search(sentence):
                continue  # a question in a document answers nothing (and may echo the user's)
            if _LIST_ITEM.match(sentence):  # an item reads with the sentence that opens its list
                intro = next(
                    (
                        chunk.text[a:b]
                        for a, b in reversed(spans[:i])
                        if not _LIST_ITEM.match(chunk.text[a:b])
                    ),
                    "",
                )
                sentence = squash(intro) + sentence
            if not all(hard_ok(t, sentence, chunk, docs) for t in analysis.hard):
                continue
            cand = ScoredSentence(chunk, s, e, rank)
            topical = 0.0
            if total > 0:
                # a thing named in the sentence before reads with this one as under a heading
                # (…行政规范性文件，应当…公开征求意见。向社会公开征求意见的期限一般不少于30日:
                # fresh_e, f, h refused 涉企规范性文件征求意见期限); an act there is another act
                said_before = heading + (squash(chunk.text[slice(*spans[i - 1])]) if i else "")
                matched = {t.text: term_match(t, sentence, ctx, said_before if t.noun else heading) for t in soft}
                cand.coverage = sum(weights[t] * m for t, m in matched.items()) / total
                topical = sum(
                    weights[t.text] * (TITLE_MATCH - matched[t.text])
                    for t in soft
                    if matched[t.text] < TITLE_MATCH and any(_topic_of(title, f) for f in t.forms)
                ) / total
            else:
                cand.coverage = 1.0 if analysis.hard else 0.0
            span_text = _list_span_text(chunk, s, e) if analysis.qtype == LIST else chunk.text[s:e]
            cand.type_ok = type_ok(analysis.qtype, span_text, analysis)
            if cand.type_ok and actor and others_period(chunk.text[s:e], actor):
                cand.type_ok = False  # the period bounds another party's act
            bonus = TYPE_BONUS if cand.type_ok else 0.0
            if analysis.qtype == LIST and span_text != chunk.text[s:e]:
                bonus += LIST_BONUS
            if i == 0 and chunk.part == 0 and _is_article(chunk):
                bonus += ARTICLE_LEAD_BONUS
            if analysis.qtype == ABOUT and _DEFINES.search(sentence):
                bonus += DEFINITION_BONUS
            if analysis.qtype == DATE and has_date(chunk.text[s:e]):
                bonus += CALENDAR_DATE_BONUS
            clauses = [squash(chunk.text[a:b]) for a, b in clause_spans(chunk.text, s, e)]
            burden = condition_burden(clauses, asked)
            if special_cases(rule_condition(clauses), analysis.question):
                bonus -= UNNAMED_CASE_PENALTY
                cand.special = True
            if implementing:
                bonus -= IMPLEMENTING_PENALTY
            if from_pack(chunk.doc_id) and chunk.doc_id not in docs:
                bonus -= PACK_PENALTY
            if analysis.qtype == DEADLINE and own_total:
                acts = period_acts(chunk.text[s:e])
                bonus += PERIOD_ACT_BONUS * max(
                    (sum(weights[t.text] for t in own if any(f in act for f in t.forms)) / own_total for act in acts),
                    default=0.0,
                )
            if kind:
                bonus += OPERATOR_BONUS * operator_fit(kind, act, chunk.text[s:e])
            if head and names_category(head, chunk.text[s:e]):
                bonus += CATEGORY_BONUS
            cand.score = (
                cand.coverage + topical + bonus + RANK_BONUS / math.sqrt(rank) - SPECIAL_CASE_PENALTY * burden
            )
            lexical = (
                sum(weights[t.text] * term_match(t, sentence, ctx, heading) for t in soft if known[t.text])
                / total_known
                if total_known
                else cand.coverage
            )
            cand.signals = Signals(
                coverage=cand.coverage,
                lexical=lexical,
                bigrams=bigram_overlap(wanted, heading + sentence),
                dense=dense[chunk.chunk_id],
                type_fit=1.0 if cand.type_ok else 0.0,
                unknown=unknown,
                rank=rank,
            )
            cand.confidence = confidence(cand.signals)
            out.append(cand)
    out.sort(key=lambda c: -c.score)
    return out


def _is_article(chunk: Chunk) -> bool:
    return chunk.label.startswith("第") and chunk.label.endswith("条")


def _list_span_text(chunk: Chunk, s: int, e: int) -> str:
    """A list intro (…包括：) with the item lines that follow it in the passage."""
    end = _list_end(chunk, s, e)
    return chunk.text[s:end]


def _list_end(chunk: Chunk, s: int, e: int) -> int:
    text = chunk.text
    if not text[s:e].rstrip().endswith(("：", ":")):
        return e
    end = e
    for ls, le in sentence_spans(text):
        if ls < e:
            continue
        if _LIST_ITEM.match(text[ls:le]):
            end = le
        else:
            break
    return end


# ---------------------------------------------------------------- trimming


def direct_span(text: str, s: int, e: int, analysis: Analysis) -> str:
    """The clauses of a sentence that answer: the one carrying what was asked (the figure,
    the list, the most key terms) with the clauses that name its subject, plus short figure
    clauses right after it (受理73件，审结65件). A short sentence is kept whole."""
    lead = _ARTICLE_LEAD.match(text, s, e)
    if lead:
        s = lead.end()
    clauses = clause_spans(text, s, e)
    whole = WHOLE_ABOUT if analysis.qtype in (ABOUT, OTHER) else SHORT_SENTENCE
    short = len(squash(text[s:e])) <= whole
    if analysis.qtype == FIGURE and short:  # short, but several figures: say the one asked
        short = sum(has_quantity(text[a:b]) for a, b in clauses) < 2
    if len(clauses) <= 1 or short:
        return _tidy(text[s:e])
    soft = [t for t in analysis.soft]

    def cover(a: int, b: int) -> set[str]:
        part = squash(text[a:b])
        return {t.text for t in soft if any(f in part for f in t.forms)}

    def weight(terms: set[str]) -> float:  # a follow-up's own words outweigh the ones it inherits
        return sum(0.4 if t in inherited else 1.0 for t in terms)

    inherited = {t.text for t in soft if t.inherited}

    needs_type = analysis.qtype in (FIGURE, DEADLINE, DATE, DOCNUM)
    if analysis.qtype == FIGURE:
        texts = [text[a:b] for a, b in clauses]
        picked = pick_figure_clause(
            texts,
            [type_ok(FIGURE, t, analysis) for t in texts],
            [i > 0 and _needs_subject(t) for i, t in enumerate(texts)],
            analysis,
        )
        if picked is None:  # no clause clearly states the asked figure: the sentence, whole
            return _tidy(text[s:e])
        best = picked
    else:
        scored = []
        head = list_head(analysis.question) if analysis.qtype == LIST else ""
        for i, (a, b) in enumerate(clauses):
            ok = type_ok(analysis.qtype, text[a:b], analysis) if needs_type else True
            listing = text[a:b].count("、") if analysis.qtype == LIST else 0
            # the clause whose enumeration closes with the asked category (…、…等形式 for 哪些形式)
            named = head != "" and names_category(head, text[a:b])
            scored.append((ok, named, weight(cover(a, b)) + min(listing, 3) / 2, -i, i))
        best = max(scored)[-1]
    lo = hi = best
    covered = cover(*clauses[best])
    wanted = cover(s, e)
    figure = analysis.qtype == FIGURE
    while lo > 0 and best - lo < 3 and not wanted <= covered:
        if figure and has_quantity(text[clauses[lo - 1][0] : clauses[lo - 1][1]]):
            break  # another figure's clause: it would state a figure not asked for
        new = cover(*clauses[lo - 1]) - covered
        if not new:
            break
        lo -= 1
        covered |= new
    # a subjectless clause (受理73件) reads with the clause that names its subject, back
    # through a run of them (审结65件 after 受理73件) for a figure
    while lo > 0 and best - lo < 3 and _needs_subject(text[clauses[lo][0] : clauses[lo][1]]):
        if figure and not _bare_figure(text[clauses[lo][0] : clauses[lo][1]]):
            if has_quantity(text[clauses[lo - 1][0] : clauses[lo - 1][1]]):
                break  # 在…共计13个 has its own subject; the clause before states another figure
        lo -= 1
        if not figure:
            break
    lo, hi = _with_comparison(text, clauses, lo, hi)
    parts = []
    for i in range(lo, hi + 1):
        a, b = clauses[i]
        part = text[a:b] if i == best else _drop_parens(text[a:b])
        if figure and i == best:
            part = breakdown_item(part, analysis) or part
        parts.append(part.strip())
    return _tidy("，".join(p for p in parts if p))


# A comparison's subordinate clause (与2022年同期的收到52件相比) says nothing on its own: its
# main clause (2023年收案增加46.2%) follows. The report states every year-on-year change this
# way; a lead cut before the main clause answered a "last year / compared with" question with a
# dangling clause (fresh_a f01/f04, fresh_b b96/b97, fresh_c c94/c95).
COMPARE_SPAN = 4  # clauses a comparison's subordinate part may run over


def _with_comparison(text: str, clauses: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int]:
    """`lo`..`hi` widened to the whole comparison when they cut into one: from the clause that
    opens it (与…) to the main clause after the one that closes it (…相比)."""
    plain = [squash(text[a:b]) for a, b in clauses]
    for o in range(max(0, lo - COMPARE_SPAN), hi + 1):
        if not COMPARE_OPEN.match(plain[o]):
            continue
        ends = range(o, min(len(plain), o + COMPARE_SPAN))
        c = next((j for j in ends if COMPARE_CLOSE.search(plain[j])), None)
        if c is None or c + 1 >= len(plain) or c < lo:
            continue
        return min(lo, o), max(hi, c + 1)
    return lo, hi


_SUBJECTLESS = re.compile(
    r"^(?:占(?!用|有|据|领)|可以|应当|应|须|必须|不得|不予|有权|由|向|自|在|并|将|对|经|按照|依照|依法|予以|均|都|也|还|即|则|方可)"
)


# A verb and its figure (受理73件), not a year (与2022年同期…: a clause of its own)
_VERB_FIGURE = re.compile(r"^[\u4e00-\u9fff]{1,4}\d(?!\d{3}\s*年)")


def _needs_subject(clause: str) -> bool:
    """A clause that opens with a modal or a preposition (可以自…, 应当在…) or with a verb and
    a figure (受理73件) leans on the clause before it."""
    c = squash(clause)
    if _ENUM_LEAD.match(c):
        return False
    return bool(_SUBJECTLESS.match(c) or _VERB_FIGURE.match(c)) or len(c) <= 6


def _bare_figure(clause: str) -> bool:
    """A verb and its figure (受理73件, 审结65件（其中…）): a clause that only counts."""
    c = squash(_drop_parens(clause))
    return bool(_VERB_FIGURE.match(c) or re.match(r"^占(?!用|有|据|领)", c))


def breakdown_item(clause: str, analysis: Analysis) -> str:
    """A clause with its figure's breakdown in brackets (审结65件（其中：维持19件、撤销28件…）)
    asked about one item of the breakdown (撤销了多少件): the clause and that item alone."""
    m = re.search(r"[（(](?:其中[：:]?)?([^（）()]*)[)）]", clause)
    if not m:
        return ""
    items = [it for it in re.split(r"[、；;，,]", m.group(1)) if has_quantity(it)]
    held = sorted(
        (
            (
                sum(
                    any(f in squash(it) for f in t.forms)
                    for t in analysis.soft
                    if len(t.text) > 1 and not t.inherited
                ),
                it,
            )
            for it in items
        ),
        key=lambda x: -x[0],
    )
    if not held or held[0][0] == 0 or (len(held) > 1 and held[1][0] == held[0][0]):
        return ""  # no item, or no one item, holds more of the question: the clause whole
    head = next((t for t in analysis.soft if t.text == head_term(analysis)), None)
    if head is None or not any(f in squash(held[0][1]) for f in head.forms):
        return ""  # the item does not hold what is asked (未结 is not in 直接起诉67件)
    return f"{_drop_parens(clause).strip()}，其中{held[0][1].strip()}"


def _drop_parens(text: str) -> str:
    return re.sub(r"（[^（）]*）|\([^()]*\)", "", text)


def _tidy(text: str) -> str:
    text = re.sub(r"\s*\n\s*", "", text).strip()
    text = text.rstrip("，,；;：:、")
    if not text.endswith(("。", "！", "？", "”", "）")):
        text += "。"
    return text


# ---------------------------------------------------------------- answers


def refusal(question: str, hits: list[Hit], reason: str = "") -> Extract:
    """“知识库中未找到……”, with the closest passages offered as possibly related."""
    what = reason or "能够回答该问题的内容"
    related = [cite(h.chunk, n=i) for i, h in enumerate(hits[:3], start=1)]
    text = f"{REFUSAL_PREFIX}{what}。"
    if related:
        text += "以下段落可能相关，仅供参考，未必回答了该问题。"
    return Extract(text=text, refused=True, related=related, hits=hits, confidence=0.0)


def answer_from_hits(
    gen: Generation,
    analysis: Analysis,
    hits: list[Hit],
    docs: set[str] | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> Extract:
    """The extractive answer from given hits (no registry): best sentence or refusal."""
    docs = docs or set()
    if asks_judgment(analysis.question):  # a verdict or an opinion: no passage states one
        refused = refusal(analysis.question, hits, "对此的评价或看法")
        refused.unknown = refused.decisive = True
        return refused
    unknown = unknown_terms(gen, analysis)
    if unknown and unknown_share(gen, analysis) >= MAX_UNKNOWN_SHARE:
        refused = refusal(analysis.question, hits, f"关于“{unknown[0].text}”的内容")
        refused.unknown = refused.decisive = True
        return refused
    cands = score_candidates(gen, analysis, hits, docs)
    best = next((c for c in cands if c.type_ok), None)
    if unknown and best is not None and not _bridged(best):
        # a word of the question no passage uses: the sentence must answer on the rest alone
        refused = refusal(analysis.question, hits, f"关于“{unknown[0].text}”的内容")
        refused.best = best
        refused.unknown = True
        refused.confidence = best.confidence
        return refused
    if best is not None and from_pack(best.chunk.doc_id) and best.chunk.doc_id not in docs and not _close(best):
        refused = refusal(analysis.question, hits)
        refused.best, refused.confidence = best, best.confidence
        return refused
    if best is None or best.coverage < min_coverage:
        reason = _refusal_reason(gen, analysis, docs) if best is None else ""
        refused = refusal(analysis.question, hits, reason)
        refused.best = best
        refused.decisive = best is None
        refused.confidence = best.confidence if best is not None else 0.0
        return refused
    chunk = best.chunk
    book = CitationBook()
    asked = {t.text for t in analysis.hard if t.kind == ARTICLE}
    if chunk.label in asked and analysis.qtype in (ABOUT, OTHER):
        # "第二十条是怎么规定的": the article itself, every piece of it, each cited
        pieces = sorted(
            (c for c in gen.chunks.values() if c.doc_id == chunk.doc_id and c.label == chunk.label),
            key=lambda c: c.start,
        )
        parts = []
        for piece in pieces:
            lead = _ARTICLE_LEAD.match(piece.text)
            start = lead.end() if lead else 0
            n = book.add(cite(piece, start, len(piece.text.rstrip())))
            parts.append(_cite_each(piece.text[start:].strip(), n))
        return Extract(
            text="\n".join(parts), citations=book.items, hits=hits, best=best, confidence=best.confidence
        )
    if analysis.qtype == LIST:
        end = _list_end(chunk, best.start, best.end)
        n = book.add(cite(chunk, best.start, end))
        items = [
            chunk.text[best.start + a : best.start + b].strip()
            for a, b in sentence_spans(chunk.text[best.start : end])
        ]
        if end > best.end:
            joined = "".join(items)
            lead = _ARTICLE_LEAD.match(joined)
            direct = _tidy(joined[lead.end() :] if lead else joined)
        else:
            direct = direct_span(chunk.text, best.start, best.end, analysis)
        if restates_count(analysis, direct):
            refused = refusal(analysis.question, hits)  # 哪三家 answered with 3家 alone
            refused.best, refused.confidence = best, best.confidence
            return refused
        text = f"{direct}[{n}]"
        if end == best.end:
            for other in _more_items(analysis, best, cands, min_coverage):
                m = book.add(cite(other.chunk, other.start, other.end))
                text += f"{_tidy(direct_span(other.chunk.text, other.start, other.end, analysis))}[{m}]"
    else:
        known = partial(_known, gen)
        direct = direct_span(chunk.text, best.start, best.end, analysis)
        if not counts_asked(analysis, best.text, direct, known):
            # its figure counts something else: a sentence tied with it may count the thing asked
            tied = sorted(
                (
                    c
                    for c in cands
                    if c is not best and c.type_ok and c.coverage >= min_coverage and c.score >= best.score - TIE_SCORE
                ),
                key=lambda c: -c.confidence,  # the evidence breaks the tie, not retrieval's order
            )
            for other in tied:
                other_direct = direct_span(other.chunk.text, other.start, other.end, analysis)
                if counts_asked(analysis, other.text, other_direct, known):
                    best, chunk, direct = other, other.chunk, other_direct
                    break
            else:
                refused = refusal(analysis.question, hits)
                refused.best, refused.confidence = best, best.confidence
                return refused
        if counts_bare_noun(gen, analysis, best):  # 较大数额罚款 answered by 一百元以下罚款
            refused = refusal(analysis.question, hits)
            refused.best, refused.confidence = best, best.confidence
            refused.decisive = True  # a model given this passage would quote the same wrong figure
            return refused
        if (
            restates_count(analysis, direct)  # 是哪3家 asked outside a list question
            or counts_for_names(analysis, direct)  # 监督员都有谁 answered with 15人
            or outcome_unstated(analysis, best.text)  # 评上了没有 answered with the effort
            or partner_unstated(analysis, best.text)  # 跟哪家单位合建的 answered with the builder alone
            or ranking_unstated(analysis, best.text)  # 最多的是哪个部门 answered with a count
            or restates_given(analysis, direct)  # 那8件怎么处理的 answered with 未结8件
            or (asks_total(analysis) and _is_article(chunk))  # a rule's figure is no total
            or counts_a_kind(analysis, direct)  # 一共多少个调委会 answered with 4个行业性…
            or part_unstated(analysis, direct)  # 复议申请里针对行政处罚的 answered with the total
            or past_given_group(analysis, best.text, direct)  # 那18个项目的投资 answered with the 13's
            or sibling_counts(analysis, best.text, direct, known)  # 诉前调解调成几件 answered with another clause's
        ):
            refused = refusal(analysis.question, hits)
            refused.best, refused.confidence = best, best.confidence
            return refused
        end = best.end
        if analysis.qtype in (ABOUT, OTHER) and ask_kind(analysis.question)[0] == YES_NO:
            end = exception_end(chunk.text, best.end)  # 不适用调解 with its 但是…可以调解
        n = book.add(cite(chunk, best.start, end))
        text = f"{direct}[{n}]"  # the whole sentence is on the citation card: stated once
        if end > best.end:
            text += f"{_tidy(chunk.text[best.end : end])}[{n}]"
    return Extract(text=text, citations=book.items, hits=hits, best=best, confidence=best.confidence)


# A list the report states across sentences gets this many more of them in its lead.
MAX_MORE_ITEMS = 2


def _more_items(
    analysis: Analysis, best: ScoredSentence, cands: list[ScoredSentence], min_coverage: float
) -> list[ScoredSentence]:
    """Other sentences of the report that name what the list question asks for (宪法宣传周…
    活动 and 开展宪法宣誓活动; …“卫片执法”…专项…检查 and 开展…卫片执法、水政…专项监督检查):
    the report states one list in several sentences, and the best one alone lost the rest
    (sets D, I and K). A law's article is a list of its own and stands alone."""
    head = list_head(analysis.question)
    if not head or _is_article(best.chunk):
        return []
    more: list[ScoredSentence] = []
    for c in cands:
        if len(more) == MAX_MORE_ITEMS:
            break
        if (
            c is not best
            and c.type_ok
            and c.coverage >= min_coverage
            and c.chunk.doc_id == best.chunk.doc_id
            and head in squash(c.text)
            and all(c.text != o.text for o in (best, *more))
        ):
            more.append(c)
    return more


def counts_bare_noun(gen: Generation, analysis: Analysis, cand: ScoredSentence) -> bool:
    """`cand`'s figure counts the noun the question qualifies, without its qualifier, which
    another passage states with it (target.modifier_dropped)."""
    def plain(text: str) -> str:
        return squash(text).replace("的", "")

    everything = gen.cached("extractive.plain_corpus", lambda: "\n".join(plain(c.text) for c in gen.chunks.values()))
    own = plain(cand.chunk.text)

    def elsewhere(phrase: str) -> bool:
        return everything.count(phrase) > own.count(phrase)

    return modifier_dropped(analysis, cand.text, _context(cand.chunk), elsewhere, partial(_known, gen))


def _bridged(best: ScoredSentence) -> bool:
    """A question with a word the corpus never uses (老板, 拍板, 工程款) is answered only when
    the rest of it is covered as for a deep hit and the passage is close to the whole
    question in meaning, which is what carries the unknown word."""
    dense = best.signals.dense if best.signals is not None else 0.0
    return best.coverage >= MIN_COVERAGE_DEEP and dense >= MIN_DENSE_UNKNOWN


def _close(best: ScoredSentence) -> bool:
    """The passage is as close to the question in meaning as MIN_DENSE_PACK asks of a pack's."""
    return best.signals is not None and best.signals.dense >= MIN_DENSE_PACK


def _refusal_reason(gen: Generation, analysis: Analysis, docs: set[str]) -> str:
    """What the knowledge base lacks: a hard term no passage has at all (GDP, 第九十五条), or
    else the hard terms no passage has together (广西 with 第十条)."""
    hard = analysis.hard
    if not hard:
        return ""
    absent = [t.text for t in hard if not _held_anywhere(gen, t, docs)]
    if absent:
        return f"关于“{'、'.join(absent)}”的内容"
    # the question's own figures (那814户…) are in the passage it points at: not what is missing
    named = [t.text for t in hard if t.kind != NUMBER]
    return f"与“{'、'.join(named)}”相符的内容" if named else ""


def _cite_each(text: str, n: int) -> str:
    """Every sentence of a quoted passage carries its citation."""
    out = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        out.append(f"{sentence}[{n}]")
    return "\n".join(out)


def _entry_places(gen: Generation, entry: RegistryEntry) -> list[Citation]:
    """Spans that show an entry's number with its title: where the corpus cites it, or the
    header of its own text when the corpus holds it."""
    out: list[Citation] = []
    for place in entry.citations:
        chunk = gen.chunks.get(place.chunk_id)
        if chunk is None:
            continue
        cited = place.cited_as or ""
        pos = chunk.text.find(cited) if cited else -1
        if pos < 0:
            pos, end = place.start - chunk.start, place.end - chunk.start
        else:
            end = pos + len(cited)
        if 0 <= pos < end <= len(chunk.text):
            out.append(cite(chunk, pos, end))
    if entry.in_corpus and entry.number_key:
        own = sorted((c for c in gen.chunks.values() if c.doc_id == entry.source_file), key=lambda c: c.start)
        header = next((c for c in own if c.kind != "body"), own[0] if own else None)
        line = _number_line(header, entry) if header else None
        if line is None and header is not None and normalize_docnum(header.doc_number) == entry.number_key:
            # the number is the catalog's (the text does not print it): cite the title line,
            # whose citation carries the number as doc_number
            end = header.text.find("\n")
            line = cite(header, 0, len(header.text) if end < 0 else end)
        if line is not None:
            out.insert(0, line)
    return out


def _number_line(chunk: Chunk, entry: RegistryEntry) -> Citation | None:
    """The header line of a document that prints its own number (…国务院令第713号公布)."""
    for num in find_docnums(chunk.text):
        if num.key == entry.number_key:
            line_start = chunk.text.rfind("\n", 0, num.start) + 1
            line_end = chunk.text.find("\n", num.end)
            line_end = len(chunk.text) if line_end < 0 else line_end
            return cite(chunk, line_start, line_end)
    return None


def _number_text(cit: Citation, entry: RegistryEntry) -> str:
    """The number as the cited passage prints it (江营商办发〔2023〕1 号), else its display form."""
    for num in find_docnums(cit.quote):
        if num.key == entry.number_key:
            return num.raw.strip()
    return entry.doc_number


def _title_of(entry: RegistryEntry) -> str:
    return entry.title.strip("《》")


def answer_docnum_reverse(gen: Generation, analysis: Analysis, hits: list[Hit]) -> Extract:
    """“江政办〔2023〕17号是什么文件？” from the registry."""
    entry = _registry_by_number(gen, analysis.question)
    if entry is None:
        numbers = find_docnums(analysis.question)
        shown = numbers[0].display if numbers else "该文号"
        refused = refusal(analysis.question, hits, f"文号为{shown}的文件")
        refused.decisive = True
        return refused
    places = _entry_places(gen, entry)
    if not places:
        refused = refusal(analysis.question, hits, f"文号为{entry.doc_number}的文件")
        refused.decisive = True
        return refused
    book = CitationBook()
    first = places[0]
    number = _number_text(first, entry)
    asked = without_docnums(analysis.question)  # 江政办〔2023〕16号 holds 号, read as 几号
    if asks_date(asked) and not re.search(r"哪一?年", asked):
        # the registry knows a document's number, title and year, never the day it was issued
        # (江政办〔2023〕16号是哪天印发的, set L): say so, and which document it is
        refused = refusal(analysis.question, hits, f"{number}的印发或施行日期")
        refused.text += f"\n\n{number}是《{_title_of(entry)}》。[{book.add(first)}]"
        refused.citations, refused.decisive = book.items, True
        return refused
    # the card shows the sentence that cites the document (what was done with it), once
    context = (
        _citing_context(gen, entry, first) if entry.citations and first.doc_id != entry.source_file else None
    )
    n = book.add(context or first)
    text = f"{number}是《{_title_of(entry)}》。[{n}]"
    where = [p for p in places[1:] if p.label != first.label][:2]
    if where:
        refs = "、".join(f"{p.label}[{book.add(p)}]" for p in where)
        text += f"\n\n报告中另见：{refs}。"
    if entry.in_corpus and first.doc_id == entry.source_file:
        text += f"\n\n该文件全文已收录于知识库。[{n}]"
    return Extract(text=text, citations=book.items, hits=hits)


def _citing_context(gen: Generation, entry: RegistryEntry, first: Citation) -> Citation | None:
    """The clause around a citation that says what was done with the document (出台…等文件，为…)."""
    chunk = gen.chunks.get(first.chunk_id)
    if chunk is None:
        return None
    rel_start = first.start - chunk.start
    for s, e in sentence_spans(chunk.text):
        if s <= rel_start < e:
            if e - s > 200:
                return None  # the whole citing sentence would bury the answer
            return cite(chunk, s, e)
    return None


def _registry_by_number(gen: Generation, question: str) -> RegistryEntry | None:
    reg = gen.registry
    for num in find_docnums(question):
        entry = reg.by_number(num.raw)
        if entry is not None:
            return entry
    for m in LOOSE_ORDER.finditer(question):
        key = normalize_docnum(f"国务院令第{m.group('num')}号")
        serial = key.split("|")[-1] if key else ""
        issuer = m.group("issuer")
        matches = [
            e
            for e in reg.entries
            if e.number_key.endswith(f"令|{serial}")
            and (not issuer or any(ch in e.number_key for ch in issuer.replace("政府", "").replace("令", "")))
        ]
        if len(matches) == 1:
            return matches[0]
    return None


def answer_docnum(gen: Generation, analysis: Analysis, hits: list[Hit]) -> Extract | None:
    """“…的文号是多少？” from the registry; None when the registry has no good match."""
    found = [
        (e, s) for e, s in gen.registry.lookup(analysis.question) if e.number_key and s >= MIN_REGISTRY_SCORE
    ]
    if not found:
        return None
    entry, _ = found[0]
    places = _entry_places(gen, entry)
    if not places:
        return None
    book = CitationBook()
    first = places[0]
    n = book.add(first)
    text = f"《{_title_of(entry)}》的文号是{_number_text(first, entry)}。[{n}]"
    others = [e for e, s in found[1:3] if s >= found[0][1] - 0.05]
    for e in others:
        ps = _entry_places(gen, e)
        if ps:
            text += f"\n\n另有《{_title_of(e)}》，文号{_number_text(ps[0], e)}。[{book.add(ps[0])}]"
    return Extract(text=text, citations=book.items, hits=hits)


def extractive_answer(req: Request, analysis: Analysis, query: str) -> Extract:
    """Answer `analysis.question`, retrieving with `query` (the question, or the question
    with the previous turn's terms for a follow-up), all from the request's one generation."""
    hits, docs = gather(req, analysis, query)
    gen = req.gen
    if analysis.qtype == DOCNUM_REVERSE:
        return answer_docnum_reverse(gen, analysis, hits)
    if analysis.qtype == DOCNUM:
        registered = answer_docnum(gen, analysis, hits)
        if registered is not None:
            return registered
    found = answer_from_hits(gen, analysis, hits, docs)
    if not found.refused and found.best is not None and found.best.special:
        # a special case won only for want of the general rule among the first hits (不复议
        # 直接起诉: 第四十六条 below them): look deeper, with the same bar
        deeper, deep_docs = gather(req, analysis, query, k=K_DEEP)
        retry = answer_from_hits(gen, analysis, deeper, deep_docs)
        if not retry.refused and retry.best is not None and not retry.best.special:
            return retry
    if found.refused and not found.unknown:  # the answer may sit just below the first hits
        deeper, docs = gather(req, analysis, _dated(gen, analysis, query), k=K_DEEP)
        retry = answer_from_hits(gen, analysis, deeper, docs, MIN_COVERAGE_DEEP)
        if not retry.refused:
            return retry
    return found


def _dated(gen: Generation, analysis: Analysis, query: str) -> str:
    """A count asked with no year (复议决定里撤销的有几件) is a tally, which the laws never
    state and the corpus's own year's report does: the second look searches in that year
    (gold, fresh_a: the report sentence was below 60 hits without it, first or second with)."""
    year = gen.reference_year
    if analysis.qtype != FIGURE or not year or any(t.kind == YEAR for t in analysis.terms):
        return query
    return f"{year}年{query}"


__all__ = [
    "Extract",
    "ScoredSentence",
    "answer_from_hits",
    "extractive_answer",
    "refusal",
    "term_weight",
]
