"""Quizzes drawn from the corpus: every question is built from one passage and carries the
exact quote (with absolute offsets) that supports its answer.

Two steps. `build_pool` (seed-independent) finds every fact a question can ask about —
figures of the report, time limits and bodies of the laws, 文号 of the registry — and
runs the quality filters, keeping each rejection with its reason so the yield of the
corpus can be reported. `generate_quiz` draws from the pool with a seeded RNG and only
then picks distractors and true/false alterations, so a seed always gives the same quiz
and a question's content does not depend on what else was drawn.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from kb.answer.citations import Citation, cite
from kb.registry import Registry
from kb.schema import Chunk
from kb.text.docnum import display_from_key, find_docnums, keys_compatible
from kb.text.figures import DAYS, QUIZ, find_figures, in_days, unit_class, unit_family, unit_scale
from kb.text.numerals import NUMERALS as _CN_NUMERAL
from kb.text.numerals import int_to_cn
from kb.text.sentences import clause_spans, sentence_spans, span_around
from kb.text.titles import nested_marks, normalize_title, short_title
from kb.text.tokenize import char_bigrams
from kb.validity import is_current

KINDS = ("fill", "choice", "law", "docnum", "truefalse")
KIND_NAMES = {
    "fill": "数字填空",
    "choice": "单项选择",
    "law": "法条期限与机关",
    "docnum": "文号与标题",
    "truefalse": "判断正误",
}
REJECT_REASONS = {
    "unsupported": "答案不在可引用的原文中",
    "giveaway": "空格答案可由句子其余部分推出",
    "ambiguous": "同一指标在语料中另有不同数值，且无法指明年份或条目",
    "few_distractors": "同类同单位的干扰项不足",
    "two_blanks": "同一数字在句中出现两次：填空题只设一个空",
    "duplicate": "与已有题目重复",
}
TRUE, FALSE = "正确", "错误"
BLANK = "____"
MAX_SHOWN = 110  # a prompt longer than this shows the clauses around the blank only

_BODY_QUAL = (
    r"(?:县级以上地方各级|县级以上地方|县级以上各级|县级以上|设区的市级以上地方|共同的上一级|上一级|上级|本级|同级"
    r"|基层|中级|高级|最高|国务院|地方各级|各级)?"
)
_BODY_HEAD = (
    r"(?:人民法院|人民检察院|人民政府|行政复议机关|行政复议机构|行政机关|决策机关|制定机关|监察机关|公安机关"
    r"|司法行政部门|人民调解委员会|审判委员会|国务院)"
)
_GENERIC_BODIES = {
    "行政机关",
    "人民政府",
    "人民法院",
}  # every specific body is one of these: never a wrong option
_BODY_RE = re.compile(rf"(?:由|向|经|报请)(?P<body>{_BODY_QUAL}{_BODY_HEAD})(?!委员|工作人员|部门)")
_CLAUSE_DELIMS = "，,、；;：:（）()。！？!?\n“”《》"
_ITEM_MARK = re.compile(
    rf"[\s\u3000]*(?:第[{_CN_NUMERAL}]+条(?:之[{_CN_NUMERAL}]+)?|[0-9]+[.．、](?![0-9])|[（(][{_CN_NUMERAL}0-9]+[)）]"
    rf"|[{_CN_NUMERAL}]+、)[\s\u3000]*"
)
_YEAR_RE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年")
_KEY_NOISE = re.compile(
    r"(?:19|20)[0-9]{2}年度?|与|同期的?|全年|全区|我区|本区|共计|共有|共|累计|合计|达到|达|为|约|了|各类"
)
_WHOLE = re.compile(r"全部|全覆盖|均为|均达|所有|全面完成|已全部")


# What a question keeps of its citation (where the answer is written: quote == document
# text[start:end]), in this order: a saved quiz reads the same before and after.
_CITATION_FIELDS = ("doc_id", "doc_title", "label", "quote", "start", "end")


@dataclass(frozen=True)
class Alteration:
    """The one change made to a real sentence for a false statement, kept for the explanation."""

    original: str  # document text[start:end]
    altered: str  # what the statement shows instead
    start: int
    end: int


@dataclass(frozen=True)
class Question:
    qid: str
    kind: str
    prompt: str
    answer: str  # the right option, or the figure as the source writes it ("1460", "六十")
    answer_type: str  # how grading compares: "number", "docnum", "title", "body", "truth"
    citation: Citation
    answer_start: int  # absolute span of the answer's literal support in the document
    answer_end: int
    unit: str = ""  # kept outside the blank: "起", "日"
    options: tuple[str, ...] = ()
    alteration: Alteration | None = None
    fact: str = ""  # what is asked: two questions of one quiz never share it

    @property
    def display_answer(self) -> str:
        if self.answer_type == "number" and not self.options:
            return f"{self.answer}{self.unit}"
        return self.answer

    def to_dict(self) -> dict:
        d = asdict(self)
        d["citation"] = {k: d["citation"][k] for k in _CITATION_FIELDS}
        d["options"] = list(self.options)
        d["kind_name"] = KIND_NAMES[self.kind]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Question:
        alt = d.get("alteration")
        return cls(
            qid=d["qid"],
            kind=d["kind"],
            prompt=d["prompt"],
            answer=d["answer"],
            answer_type=d["answer_type"],
            citation=_citation_from_dict(d["citation"]),
            answer_start=int(d["answer_start"]),
            answer_end=int(d["answer_end"]),
            unit=d.get("unit", ""),
            options=tuple(d.get("options") or ()),
            alteration=Alteration(**alt) if alt else None,
            fact=d.get("fact", ""),
        )


def _citation_from_dict(d: dict) -> Citation:
    c = {k: d[k] for k in _CITATION_FIELDS}
    return Citation(n=0, doc_number="", source="", chunk_id="", **c)


@dataclass
class _Sentence:
    chunk: Chunk
    start: int  # absolute, after any item marker
    end: int
    text: str
    is_law: bool
    year: int | None  # the document's year when it is a dated report


@dataclass
class _Figure:
    start: int  # absolute span of the numeral
    end: int
    surface: str
    value: float
    unit: str  # as written after the numeral, 多/余 included
    chinese: bool
    law: bool = False


@dataclass
class _Fact:
    """One thing a question can blank: a figure, a time limit or a body, in one sentence."""

    kind: str  # "figure", "deadline" or "body"
    sent: _Sentence
    start: int
    end: int
    surface: str
    unit: str = ""
    value: float | None = None
    chinese: bool = False
    blanks: list[tuple[int, int]] = field(default_factory=list)  # absolute spans shown as ____
    shown: tuple[int, int] = (0, 0)  # absolute span of the sentence part the prompt shows
    key: str = ""  # the measure, for spotting the same figure elsewhere with another value
    year: int | None = None
    condition: str = ""  # the sentence's leading clause when it is not the figure's own
    year_prefix: str = ""
    show_label: bool = False
    resolved: tuple[str, ...] = ()  # how a same-named figure elsewhere was told apart: "year", "item"

    @property
    def fid(self) -> str:
        return f"{self.sent.chunk.doc_id}:{self.start}"


@dataclass
class _DocFact:
    """A 文号 and a title printed together in one place of the corpus."""

    key: str
    number: str  # display form
    title: str  # as printed, 〈〉 normalised
    citation: Citation
    title_span: tuple[int, int]
    number_span: tuple[int, int]


@dataclass
class DraftQuestion:
    """A question before the seed picks its distractors; `reason` is "" when it passed."""

    kind: str
    cid: str
    doc_id: str
    doc_title: str
    fact: _Fact | None = None
    docfact: _DocFact | None = None
    direction: str = ""  # docnum: "number" (title -> 文号) or "title" (文号 -> title)
    reason: str = ""


@dataclass
class Pool:
    candidates: list[DraftQuestion]
    figures: list[_Figure]  # every figure of the corpus: the distractor universe
    bodies: list[str]  # every body named by a law after 由/向/经/报请
    docfacts: list[_DocFact]  # one per 文号 in the registry printed with its title
    entries: list[tuple[str, str, str]]  # (number key, display number, title) of numbered registry entries
    doc_titles: list[str]

    def accepted(self, kinds: Iterable[str] | None = None, doc: str | None = None) -> list[DraftQuestion]:
        wanted = set(kinds or KINDS)
        return [
            c
            for c in self.candidates
            if not c.reason and c.kind in wanted and (doc is None or doc_matches(doc, c.doc_id, c.doc_title))
        ]


# ---------------------------------------------------------------- small helpers


def doc_matches(query: str, doc_id: str, doc_title: str) -> bool:
    """`--doc` accepts a file name or any part of a title (行政复议法, 年度报告)."""
    q = normalize_title(query)
    return bool(q) and (query == doc_id or q in normalize_title(doc_title) or q in doc_id)


def _norm(s: str) -> str:
    return re.sub(rf"[\s{re.escape(_CLAUSE_DELIMS)}“”‘’]", "", s)


def _similar(a: str, b: str) -> bool:
    if len(a.strip("#")) < 2 or len(b.strip("#")) < 2:  # no measure words: nothing to compare
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and short in long_:
        return True
    ga, gb = set(char_bigrams(a)), set(char_bigrams(b))
    return bool(ga and gb) and len(ga & gb) / len(ga | gb) >= 0.6


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]


def _fmt_value(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _decimals(surface: str) -> int:
    return len(surface.split(".", 1)[1]) if "." in surface else 0


def _is_law(chunk: Chunk) -> bool:
    return chunk.label.startswith("第") and chunk.label.endswith("条")


# ---------------------------------------------------------------- reading the corpus


def _sentences(chunks: Sequence[Chunk]) -> list[_Sentence]:
    out = []
    for ch in chunks:
        if ch.kind != "body":
            continue
        law = _is_law(ch)
        year_m = _YEAR_RE.search(ch.doc_title)
        year = int(year_m.group(1)) if year_m and not law else None
        for s, e in sentence_spans(ch.text, trim=False):
            mark = _ITEM_MARK.match(ch.text, s, e)
            if mark:
                s = mark.end()
            while e > s and ch.text[e - 1].isspace():
                e -= 1
            if e - s < 6:
                continue
            out.append(_Sentence(ch, ch.start + s, ch.start + e, ch.text[s:e], law, year))
    return out


def _figures_in(sent: _Sentence) -> list[_Figure]:
    out = []
    for f in find_figures(sent.text, QUIZ):
        unit = f.written_unit  # 多/余 and the unit as the source writes them
        after_month = sent.text[f.start - 1 : f.start] == "月"  # a date, not a time limit
        if f.chinese and (int(f.value) <= 0 or (unit.lstrip("多余") == "年" and int(f.value) >= 100) or after_month):
            continue
        if not f.chinese and unit.lstrip("多余") in ("日", "天") and after_month:
            continue
        out.append(
            _Figure(
                sent.start + f.numeral_start,
                sent.start + f.numeral_end,
                f.numeral,
                float(f.value),
                unit,
                f.chinese,
                sent.is_law,
            )
        )
    return out


def _clause(text: str, i: int, j: int) -> tuple[int, int]:
    """Local bounds of the clause holding text[i:j], cut at any punctuation, delimiters excluded."""
    a, b = span_around(clause_spans(text, separators=_CLAUSE_DELIMS, nested=False, trim=False), i, j)
    return a, b - 1 if b > j and text[b - 1] in _CLAUSE_DELIMS else b


def _clauses(text: str) -> list[tuple[int, int]]:
    """Local spans of the clauses of a sentence, each with its trailing delimiter."""
    return clause_spans(text, nested=False, trim=False)


def _window(sent: _Sentence, start: int, end: int) -> tuple[int, int]:
    """Absolute span of the clauses around [start, end) that fit MAX_SHOWN (the whole sentence when short)."""
    if sent.end - sent.start <= MAX_SHOWN:
        return sent.start, sent.end
    spans = _clauses(sent.text)
    ls, le = start - sent.start, end - sent.start
    idx = next(i for i, (a, b) in enumerate(spans) if a <= ls < b or (a < le <= b))
    lo = hi = idx
    while True:
        grown = False
        if hi + 1 < len(spans) and spans[hi + 1][1] - spans[lo][0] <= MAX_SHOWN:
            hi += 1
            grown = True
        if lo > 0 and spans[hi][1] - spans[lo - 1][0] <= MAX_SHOWN:
            lo -= 1
            grown = True
        if not grown:
            break
    return sent.start + spans[lo][0], sent.start + spans[hi][1]


def _measure_key(sent: _Sentence, fig: _Figure, deadline: bool) -> str:
    ls, le = fig.start - sent.start, fig.end - sent.start
    a, b = _clause(sent.text, ls, le)
    if deadline:
        clause = sent.text[a:ls] + "#" + sent.text[le:b]
        return _KEY_NOISE.sub("", _norm(re.sub(rf"[0-9]+|[{_CN_NUMERAL}]+(?=[日天月年])", "#", clause)))
    before = _KEY_NOISE.sub("", _norm(sent.text[a:ls]))
    if len(before) < 2:
        before = "#" + _KEY_NOISE.sub("", _norm(sent.text[le:b]))[:8]
    return before


def _condition(sent: _Sentence, start: int) -> str:
    """The leading clause of the sentence (适用简易程序审理的…) unless the figure is in it."""
    first = _clauses(sent.text)[0]
    if sent.start + first[0] <= start < sent.start + first[1]:
        return ""
    return _norm(re.sub(r"[0-9.]+", "#", sent.text[first[0] : first[1]]))


def _year_of(sent: _Sentence, start: int) -> int | None:
    years = [int(m.group(1)) for m in _YEAR_RE.finditer(sent.text, 0, start - sent.start)]
    return years[-1] if years else sent.year


def _figure_facts(
    sentences: list[_Sentence],
) -> tuple[list[_Fact], list[_Figure], dict[tuple[str, int], list[_Figure]]]:
    facts, universe, by_sentence = [], [], {}
    for sent in sentences:
        figs = _figures_in(sent)
        universe.extend(figs)
        by_sentence[(sent.chunk.doc_id, sent.start)] = figs
        for fig in figs:
            deadline = sent.is_law and fig.unit.lstrip("多余") in DAYS
            fact = _Fact(
                kind="deadline" if deadline else "figure",
                sent=sent,
                start=fig.start,
                end=fig.end,
                surface=fig.surface,
                unit=fig.unit,
                value=fig.value,
                chinese=fig.chinese,
            )
            fact.key = _measure_key(sent, fig, deadline)
            fact.year = _year_of(sent, fig.start)
            fact.condition = _condition(sent, fig.start)
            fact.shown = _window(sent, fig.start, fig.end)
            fact.blanks = [
                (f.start, f.end)
                for f in figs
                if f.value == fig.value
                and unit_class(f.unit) == unit_class(fig.unit)
                and fact.shown[0] <= f.start
                and f.end <= fact.shown[1]
            ]
            facts.append(fact)
    return facts, universe, by_sentence


def _body_facts(sentences: list[_Sentence]) -> tuple[list[_Fact], list[str]]:
    facts, bodies = [], []
    for sent in sentences:
        if not sent.is_law:
            continue
        for m in _BODY_RE.finditer(sent.text):
            s, e = sent.start + m.start("body"), sent.start + m.end("body")
            body = m.group("body")
            bodies.append(body)
            fact = _Fact(kind="body", sent=sent, start=s, end=e, surface=body)
            fact.shown = _window(sent, s, e)
            fact.blanks = [(s, e)]
            facts.append(fact)
    return facts, bodies


# ---------------------------------------------------------------- quality filters


def _shown_text(fact: _Fact, blanks: Iterable[tuple[int, int]] = ()) -> str:
    """The shown part of the sentence with the given absolute spans replaced by ____."""
    s0, s1 = fact.shown
    text = fact.sent.text[s0 - fact.sent.start : s1 - fact.sent.start]
    for a, b in sorted(blanks, reverse=True):
        text = text[: a - s0] + BLANK + text[b - s0 :]
    return text


def _giveaway(fact: _Fact, universe_in_sentence: list[_Figure]) -> bool:
    """True when the rest of the shown sentence gives the blank away."""
    if fact.kind == "body":
        shown = _shown_text(fact, fact.blanks)
        return fact.surface in shown
    s0, s1 = fact.shown
    blanked = set(fact.blanks)
    others = [
        f for f in universe_in_sentence if s0 <= f.start and f.end <= s1 and (f.start, f.end) not in blanked
    ]
    v = fact.value
    if any(f.value == v for f in others):  # the same number, in another form or unit
        return True
    shown = _shown_text(fact, fact.blanks)
    if _enumerated(fact) == v:  # 交通、医疗、商会、旅游____个
        return True
    pct = unit_class(fact.unit) == "%"
    if pct and v == 100 and _WHOLE.search(shown):
        return True
    same = [f.value * unit_scale(f.unit) for f in others if unit_family(f.unit) & unit_family(fact.unit)]
    target = v * unit_scale(fact.unit)
    if not pct:
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                if target in (a + b, abs(a - b)):
                    return True
        if len(same) >= 3 and target == sum(same):
            return True
    counts = [f.value for f in others if unit_class(f.unit) != "%"]
    rates = [f.value for f in others if unit_class(f.unit) == "%"]
    if pct:  # a rate the counts next to it compute: 调解成功1455起 of 1460起
        d = _decimals(fact.surface)
        for a in counts:
            for b in counts:
                if b and a != b and (round(100 * a / b, d) == v or round(100 * (a - b) / b, d) == v):
                    return True
    else:
        for p in rates:
            for b in counts:
                if round(b * (1 + p / 100)) == target or round(b * p / 100) == target:
                    return True
    return False


def _enumerated(fact: _Fact) -> int:
    """How many items the words right before the figure list (A、B、C, or “A” “B”), 0 if none."""
    before = fact.sent.text[: fact.start - fact.sent.start]
    quoted = re.search(r"(?:“[^“”]*”[\s\u3000、和及与]*){2,}$", before)
    if quoted:
        return quoted.group(0).count("“")
    listed = re.search(r"[^，；：。（）“”、]{1,12}(?:、[^，；：。（）“”、]{1,12})+$", before)
    return listed.group(0).count("、") + 1 if listed else 0


def _resolve_ambiguity(fact: _Fact, facts: list[_Fact]) -> bool:
    """False when the same measure has another value elsewhere and nothing the prompt can
    say (document, year, item, the sentence's own condition) tells the two apart. Sets
    the year prefix / label the prompt must then show."""
    need_year = need_label = False
    for other in facts:
        if other is fact or other.kind != fact.kind or other.value == fact.value:
            continue
        if unit_class(other.unit) != unit_class(fact.unit) or not _similar(fact.key, other.key):
            continue
        if other.sent.chunk.doc_id != fact.sent.chunk.doc_id:
            continue  # the prompt names the document
        if other.sent is fact.sent and fact.shown[0] <= other.start < fact.shown[1]:
            continue  # both are in the sentence shown: each is named by its own words
        if fact.year and other.year and fact.year != other.year:
            need_year = True
        elif other.sent.chunk.label != fact.sent.chunk.label:
            need_label = True
        elif fact.condition != other.condition:
            continue  # the sentence shown says which case it is (适用简易程序…)
        else:
            return False
    shown = _shown_text(fact)
    if need_year and fact.year and f"{fact.year}年" not in shown:
        fact.year_prefix = f"{fact.year}年，"
    fact.resolved = ("year",) * need_year + ("item",) * need_label
    fact.show_label = need_label or fact.sent.is_law
    return True


# ---------------------------------------------------------------- 文号


def _docfacts(registry: Registry, chunks: Sequence[Chunk]) -> tuple[list[tuple[str, _DocFact | None]], list]:
    """Every place a numbered registry entry is printed with its title, first place first."""
    by_doc: dict[str, list[Chunk]] = {}
    for ch in chunks:
        by_doc.setdefault(ch.doc_id, []).append(ch)
    found: list[tuple[str, _DocFact | None]] = []
    entries = []
    for e in registry:
        if not e.number_key or not e.title:
            continue
        entries.append((e.number_key, display_from_key(e.number_key), e.title))
        places = []
        if e.in_corpus:
            head = next((c for c in by_doc.get(e.source_file, []) if c.kind == "preamble"), None)
            if head is not None:
                first_line = head.text.split("\n", 1)[0]
                num = next((d for d in find_docnums(head.text) if keys_compatible(d.key, e.number_key)), None)
                if num is not None and normalize_title(first_line) == normalize_title(e.title):
                    places.append(_docfact_at(e.number_key, head, 0, len(first_line), num.start, num.end, 0))
        for c in e.citations:
            ch = next((x for x in by_doc.get(c.doc_id, []) if x.start <= c.start and c.end <= x.end), None)
            if ch is None:
                continue
            ts, te = c.start - ch.start, c.end - ch.start
            num = next(
                (
                    d
                    for d in find_docnums(ch.text)
                    if 0 <= d.start - te <= 3 and keys_compatible(d.key, e.number_key)
                ),
                None,
            )
            if num is None:
                continue
            q0 = ts - 1 if ch.text[ts - 1 : ts] == "《" else ts
            close = 1 if ch.text[num.end : num.end + 1] in "）)" and num.end < len(ch.text) else 0
            places.append(_docfact_at(e.number_key, ch, ts, te, num.start, num.end, q0, num.end + close))
        if not places:
            found.append((e.number_key, None))
        found.extend((e.number_key, p) for p in places)
    return found, entries


def _docfact_at(
    key: str, ch: Chunk, ts: int, te: int, ns: int, ne: int, q0: int, q1: int | None = None
) -> _DocFact:
    q1 = ne if q1 is None else q1
    title = nested_marks(ch.text[ts:te])
    cit = cite(ch, q0, q1)
    return _DocFact(
        key, display_from_key(key), title, cit, (ch.start + ts, ch.start + te), (ch.start + ns, ch.start + ne)
    )


# ---------------------------------------------------------------- the pool


def _number_distractors(fact: _Fact, figures: list[_Figure]) -> list[tuple[str, str]]:
    """(numeral, unit) of other figures of the same kind and unit in the corpus, closest in
    size first. A law's time limit draws on every time limit of the laws, written the way the
    answer is written (六十 or 60); a report figure on figures of the same unit, then family."""
    deadline = fact.kind == "deadline"
    v = in_days(fact.value, fact.unit) if deadline else fact.value * unit_scale(fact.unit)
    seen = {v}
    ranked: list[tuple[int, float, str, str]] = []
    for f in figures:
        if f.unit[:1] in "多余":  # 200多件 is not a figure to offer as exact
            continue
        if deadline:
            if not f.law or f.unit not in DAYS or not float(f.value).is_integer():
                continue
            tier = 0 if unit_class(f.unit) == unit_class(fact.unit) else 1
            val = in_days(f.value, f.unit)
            n = int(f.value)
            surface = int_to_cn(n) if fact.chinese else str(n)
            unit = fact.unit if tier == 0 else f.unit
        else:
            if f.chinese != fact.chinese or unit_scale(f.unit) != unit_scale(fact.unit):
                continue
            if unit_class(f.unit) == unit_class(fact.unit):
                tier = 0
            elif unit_family(f.unit) & unit_family(fact.unit):
                tier = 1
            else:
                continue
            val, surface, unit = f.value * unit_scale(f.unit), f.surface, fact.unit
        if val in seen or val <= 0:
            continue
        seen.add(val)
        dist = abs(math.log(val) - math.log(v)) if v > 0 else val
        ranked.append((tier, dist, surface, unit))
    ranked.sort(key=lambda t: (t[0], t[1], t[2]))
    return [(s, u) for _, _, s, u in ranked]


def _body_distractors(fact: _Fact, bodies: list[str]) -> list[str]:
    """Other bodies the laws name, courts for a court first; never one that contains the
    answer or is contained in it (上一级行政机关 is also a 行政机关), nor one the sentence names."""
    court = fact.surface.endswith("人民法院")
    shown = _shown_text(fact, fact.blanks)
    out = []
    answer = fact.surface.replace("上一级", "上级")
    for b in sorted(
        set(bodies), key=lambda x: (x.endswith("人民法院") != court, abs(len(x) - len(fact.surface)), x)
    ):
        other = b.replace("上一级", "上级")
        if other.endswith(answer) or answer.endswith(other) or b in shown or b in _GENERIC_BODIES:
            continue
        out.append(b)
    return out


def build_pool(chunks: Iterable[Chunk], registry: Registry) -> Pool:
    """Every candidate question of the corpus, each accepted or rejected with its reason."""
    chunks = list(chunks)
    sentences = _sentences(chunks)
    fig_facts, figures, figs_by_sentence = _figure_facts(sentences)
    body_facts, bodies = _body_facts(sentences)

    verdict: dict[int, str] = {}
    for fact in fig_facts + body_facts:
        sent = fact.sent
        literal = sent.text[fact.start - sent.start : fact.end - sent.start] == fact.surface
        if not literal or not (fact.shown[0] <= fact.start and fact.end <= fact.shown[1]):
            verdict[id(fact)] = "unsupported"
        elif _giveaway(fact, figs_by_sentence.get((sent.chunk.doc_id, sent.start), [])):
            verdict[id(fact)] = "giveaway"
        elif fact.kind != "body" and not _resolve_ambiguity(fact, fig_facts):
            verdict[id(fact)] = "ambiguous"
        else:
            verdict[id(fact)] = ""
            fact.show_label = fact.show_label or fact.sent.is_law

    cands: list[DraftQuestion] = []

    def add(kind: str, fact: _Fact, reason: str) -> None:
        ch = fact.sent.chunk
        cands.append(
            DraftQuestion(kind, _hash(kind, fact.fid), ch.doc_id, ch.doc_title, fact=fact, reason=reason)
        )

    for fact in fig_facts:
        base = verdict[id(fact)]
        n_distract = len(_number_distractors(fact, figures))
        if fact.kind == "figure":  # one answer box per blank: a figure blanked twice is not asked
            add("fill", fact, base or ("two_blanks" if len(fact.blanks) > 1 else ""))
        else:
            add("law", fact, base)
        add("choice", fact, base or ("" if n_distract >= 3 else "few_distractors"))
        single = base or ("giveaway" if len(fact.blanks) > 1 else "")
        add("truefalse", fact, single or ("" if n_distract >= 1 else "few_distractors"))
    for fact in body_facts:
        base = verdict[id(fact)]
        n_distract = len(_body_distractors(fact, bodies))
        add("law", fact, base or ("" if n_distract >= 3 else "few_distractors"))
        add("truefalse", fact, base or ("" if n_distract >= 1 else "few_distractors"))

    places, entries = _docfacts(registry, chunks)
    docfacts: list[_DocFact] = []
    seen_keys: set[str] = set()
    for key, place in places:
        for direction in ("number", "title"):
            cid = _hash("docnum", key, direction, place.citation.start if place else -1)
            doc_id = place.citation.doc_id if place else ""
            title = place.citation.doc_title if place else ""
            c = DraftQuestion("docnum", cid, doc_id, title, docfact=place, direction=direction)
            others = [x for x in entries if x[0] != key]
            if place is None:
                c.reason = "unsupported"
            elif key in seen_keys:
                c.reason = "duplicate"
            elif len(others) < 3:
                c.reason = "few_distractors"
            cands.append(c)
        if place is not None and key not in seen_keys:
            seen_keys.add(key)
            docfacts.append(place)

    # Duplicates: the same kind asking about the same shown text with the same blanks.
    seen_prompts: set[tuple[str, str, str]] = set()
    for c in cands:
        if c.reason or c.fact is None:
            continue
        f = c.fact
        item = f.sent.chunk.label if f.show_label and not f.sent.is_law else ""  # a law's twin articles stay twins
        k = (c.kind, item, _norm(_shown_text(f, f.blanks)))
        if k in seen_prompts:
            c.reason = "duplicate"
        seen_prompts.add(k)

    doc_titles = list(dict.fromkeys(ch.doc_title for ch in chunks))
    return Pool(cands, figures, bodies, docfacts, entries, doc_titles)


def pool_for(gen) -> Pool:
    """The pool of an index generation (kb.index.Generation), built once and kept on the
    generation, so it goes when an upload replaces the generation. Questions come from
    texts in force only: a quiz never teaches a superseded or repealed rule."""
    def build() -> Pool:
        records = gen.doc_records
        chunks = [c for c in gen.chunks.values() if is_current(records.get(c.doc_id))]
        return build_pool(chunks, gen.registry)

    return gen.cached("quiz.pool", build)


def _as_pool(source) -> Pool:
    return source if isinstance(source, Pool) else pool_for(source)


# ---------------------------------------------------------------- questions


def _scope(fact: _Fact) -> str:
    ch = fact.sent.chunk
    label = f"{ch.label}" if fact.show_label else ""
    return f"根据《{short_title(ch.doc_title, keep_note=True)}》{label}："


def _fact_citation(fact: _Fact) -> Citation:
    s = fact.sent
    return cite(s.chunk, s.start - s.chunk.start, s.end - s.chunk.start)


def _framed(fact: _Fact, text: str) -> str:
    """Marks the sentence parts the prompt leaves out."""
    head = "……" if fact.shown[0] > fact.sent.start else ""
    tail = "……" if fact.shown[1] < fact.sent.end else ""
    return f"{head}{text}{tail}"


def _blank_prompt(fact: _Fact) -> str:
    text = _framed(fact, _shown_text(fact, fact.blanks))
    return f"{_scope(fact)}{fact.year_prefix}{text}"


def _make(c: DraftQuestion, pool: Pool, rng: random.Random) -> Question:
    qid = _hash(c.cid, rng.random())
    if c.docfact is not None:
        return _make_docnum(c, pool, rng, qid)
    fact = c.fact
    assert fact is not None
    cit = _fact_citation(fact)
    common = dict(citation=cit, answer_start=fact.start, answer_end=fact.end, fact=fact.fid)
    if c.kind == "truefalse":
        return _make_truefalse(c, pool, rng, qid, common)
    if fact.kind == "body":
        options = [fact.surface, *rng.sample(_body_distractors(fact, pool.bodies)[:6], 3)]
        rng.shuffle(options)
        return Question(
            qid, c.kind, _blank_prompt(fact), fact.surface, "body", options=tuple(options), **common
        )
    if c.kind == "choice":
        near = _number_distractors(fact, pool.figures)[:6]
        picked = rng.sample(near, 3)
        answer = f"{fact.surface}{fact.unit}"
        options = [answer, *(f"{s}{u}" for s, u in picked)]
        rng.shuffle(options)
        prompt = _blank_prompt(fact).replace(BLANK + fact.unit, BLANK)
        return Question(qid, c.kind, prompt, answer, "number", options=tuple(options), **common)
    return Question(qid, c.kind, _blank_prompt(fact), fact.surface, "number", unit=fact.unit, **common)


def _make_truefalse(c: DraftQuestion, pool: Pool, rng: random.Random, qid: str, common: dict) -> Question:
    fact = c.fact
    assert fact is not None
    truth = rng.random() < 0.5
    alteration = None
    if truth:
        statement = _shown_text(fact)
    else:
        if fact.kind == "body":
            to = rng.choice(_body_distractors(fact, pool.bodies)[:4])
        else:
            near = [(s, u) for s, u in _number_distractors(fact, pool.figures) if u == fact.unit][:4]
            near = near or _number_distractors(fact, pool.figures)[:4]
            s, u = rng.choice(near)
            to = s if u == fact.unit else f"{s}{u}"
            if u != fact.unit:  # the unit changes with the figure: alter both, keep it one span
                alteration = Alteration(fact.surface + fact.unit, to, fact.start, fact.end + len(fact.unit))
        alteration = alteration or Alteration(fact.surface, to, fact.start, fact.end)
        s0 = fact.shown[0]
        full = _shown_text(fact)
        statement = full[: alteration.start - s0] + alteration.altered + full[alteration.end - s0 :]
    ch = fact.sent.chunk
    label = ch.label if fact.show_label else ""
    prompt = f"判断正误：根据《{short_title(ch.doc_title, keep_note=True)}》{label}，{fact.year_prefix}“{_framed(fact, statement)}”"
    return Question(
        qid,
        "truefalse",
        prompt,
        TRUE if truth else FALSE,
        "truth",
        options=(TRUE, FALSE),
        alteration=alteration,
        **common,
    )


def _make_docnum(c: DraftQuestion, pool: Pool, rng: random.Random, qid: str) -> Question:
    d = c.docfact
    assert d is not None
    others = [x for x in pool.entries if x[0] != d.key and normalize_title(x[2]) != normalize_title(d.title)]
    picked: list[tuple[str, str, str]] = []
    # Same issuer first, then same shape (〔year〕 vs 令), so the answer's form gives nothing away.
    for same in (
        lambda x: x[0].split("|")[0] == d.key.split("|")[0],
        lambda x: x[0].count("|") == d.key.count("|"),
        lambda x: True,
    ):
        tier = [x for x in others if same(x) and x not in picked]
        picked += rng.sample(tier, min(3 - len(picked), len(tier)))
    if c.direction == "number":
        answer, options = d.number, [d.number, *(x[1] for x in picked)]
        prompt = f"《{d.title}》的文号是？"
        span, atype = d.number_span, "docnum"
    else:
        answer, options = d.title, [d.title, *(x[2] for x in picked)]
        prompt = f"文号为“{d.number}”的文件是？"
        span, atype = d.title_span, "title"
    rng.shuffle(options)
    return Question(
        qid,
        "docnum",
        prompt,
        answer,
        atype,
        d.citation,
        span[0],
        span[1],
        options=tuple(options),
        fact=f"docnum:{d.key}",
    )


def generate_quiz(
    source,
    n: int = 10,
    seed: int | str = 0,
    doc: str | None = None,
    kinds: Sequence[str] | None = None,
) -> list[Question]:
    """`n` distinct questions, spread over kinds and documents; the same seed gives the same quiz.

    `source` is a Pool or an index generation. A fact is asked at most once per quiz, and two
    blanks of one sentence only when the pool has nothing else left.
    """
    pool = _as_pool(source)
    kinds = [k for k in (kinds or KINDS) if k in KINDS]
    rng = random.Random(f"quiz|{seed}")
    by_kind: dict[str, list[DraftQuestion]] = {}
    for c in pool.accepted(kinds, doc):
        by_kind.setdefault(c.kind, []).append(c)
    queues: dict[str, list[DraftQuestion]] = {}
    for kind, cands in by_kind.items():
        rng.shuffle(cands)
        by_doc: dict[str, list[DraftQuestion]] = {}
        for c in cands:
            by_doc.setdefault(c.doc_id, []).append(c)
        docs = sorted(by_doc)
        rng.shuffle(docs)
        queue = []
        while any(by_doc.values()):  # documents in turn, so one quiz covers several
            for d in docs:
                if by_doc[d]:
                    queue.append(by_doc[d].pop(0))
        queues[kind] = queue
    order = [k for k in kinds if k in queues]
    rng.shuffle(order)
    chosen: list[DraftQuestion] = []
    facts: set[str] = set()
    sentences: set[tuple[str, int]] = set()
    for strict in (True, False):
        progress = True
        while len(chosen) < n and progress:
            progress = False
            for kind in order:
                if len(chosen) >= n:
                    break
                queue = queues[kind]
                for i, c in enumerate(queue):
                    fact_id = c.fact.fid if c.fact else f"docnum:{c.docfact.key}"  # type: ignore[union-attr]
                    sent = (c.doc_id, c.fact.sent.start) if c.fact else (c.doc_id, -1 - len(chosen))
                    if fact_id in facts or (strict and sent in sentences):
                        continue
                    chosen.append(queue.pop(i))
                    facts.add(fact_id)
                    sentences.add(sent)
                    progress = True
                    break
    return [_make(c, pool, random.Random(f"{seed}|{c.cid}")) for c in chosen]


def quiz_stats(source) -> dict:
    """Candidates per kind and rejections per filter reason: the corpus's yield."""
    pool = _as_pool(source)
    cands = Counter(c.kind for c in pool.candidates)
    accepted = Counter(c.kind for c in pool.candidates if not c.reason)
    rejected = Counter(c.reason for c in pool.candidates if c.reason)
    by_kind: dict[str, dict[str, int]] = {}
    for c in pool.candidates:
        if c.reason:
            by_kind.setdefault(c.kind, Counter())[c.reason] += 1  # type: ignore[index]
    facts = {id(c.fact): c.fact for c in pool.candidates if c.fact is not None and not c.reason}
    resolved = Counter(r for f in facts.values() for r in f.resolved)
    return {
        "candidates": {k: cands.get(k, 0) for k in KINDS},
        "accepted": {k: accepted.get(k, 0) for k in KINDS},
        "rejected": {r: rejected.get(r, 0) for r in REJECT_REASONS},
        "rejected_by_kind": {k: dict(v) for k, v in by_kind.items()},
        "disambiguated": {"year": resolved.get("year", 0), "item": resolved.get("item", 0)},
    }


def documents(source) -> list[str]:
    """Titles of the documents questions can be drawn from, in corpus order."""
    pool = _as_pool(source)
    with_questions = {c.doc_title for c in pool.candidates if not c.reason}
    return [t for t in pool.doc_titles if t in with_questions]
