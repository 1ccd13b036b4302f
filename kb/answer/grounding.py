"""The check every generated answer passes before anyone sees it, sentence by sentence.

A language model can cite [2] for a figure that [2] never states, leave out [n] after a
true sentence, or restate a figure of another year. So each sentence (claim) of a
generated answer is checked on its own against the passages:

- every [n] must exist;
- every figure must occur in the passage with the same measure word or unit, in a clause
  that shares a word with the claim and names no year the claim does not (六十日 and 60日
  are the same figure; "收到52件" is not grounded by "与2022年同期的收到52件相比");
- every 《title》 and 文号 must match a passage or the registry exactly (江政办(2023)16号
  and 江政办〔2023〕16号 are one number; 柳江县… and 柳江区… are two titles);
- list numbering (1. 2. （1）) is not a figure, and no sentence is exempt: a refusal that
  states a figure is checked like any other.

A claim without [n] whose words are found in one passage gets that passage's [n]; a claim
that cannot be grounded is dropped. The answer as a whole stands when grounded sentences
that state a fact remain and still address the question (`verify`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kb.answer.citations import MARKER
from kb.text.docnum import find_docnums
from kb.text.figures import TIME_UNITS, Figure, find_figures, is_money, unit_class, unit_family, unit_scale
from kb.text.sentences import clause_spans, sentence_ends, sentence_spans
from kb.text.titles import normalize_title

REFUSAL_PREFIX = "知识库中未找到"  # how every answerer starts a refusal, and how this check knows one

# Share of a claim's two-character words that must occur in a passage for the claim to
# count as found there when it cites nothing (the passage then gets cited), and when it
# cites the passage (a claim anchored on a count, title or 文号 is checked by those instead).
# Chosen, not tuned: with them the real-model run (docs/llm.md) rejected none of Qwen2.5-1.5B's
# 14 correct answers; a per-sentence coverage distribution is still to be measured.
ATTACH_COVERAGE = 0.5
CITED_COVERAGE = 0.3
# Fewer content characters than this (after titles, labels, markers and filler words are
# taken out) and a sentence names no fact: "依据《行政处罚法》第三十六条。[1]", "[1]–[6]".
MIN_FACT_CHARS = 4

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TITLE = re.compile(r"《([^《》\n]{1,80})》")
# List numbering at the start of a claim or after ：/； (1. 2、 （3） ⑷), never 1.5 or 2023年.
_LIST_NUMBER = re.compile(
    r"(?:^|(?<=[：:；;\s]))\s*(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)]|[一二三四五六七八九十]{1,3}[、.．])"
    r"|[（(]\d{1,2}[）)]|[\u2460-\u2473\u2474-\u2487]"
)
# Labels of structure a sentence may name without stating anything: 第三十六条, 二、（六）3.
_LABEL = re.compile(
    r"第[一二三四五六七八九十百零〇\d]+[条款项章节编](?:第[一二三四五六七八九十百零〇\d]+[款项])*"
    r"|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．]"
)
# Words that carry no fact of their own ("依据…的规定如下").
_FILLER = re.compile(
    r"依据|根据|参见|参照|详见|见|资料|如下|以下|上述|相关|有关|规定|内容|条款|条文|文件|原文|出处|具体|请|"
    r"回答|答案|问题|可知|显示|指出|表明|所述|提到|中|的|和|及|与|或|了|是|为|在|等"
)
# Two-character words every clause of a report may share: not a common subject.
_COMMON_BIGRAMS = frozenset(
    "其中 共计 一共 合计 累计 全年 全区 同比 相比 同期 分别 以上 以下 达到 共有 进行 开展 工作 相关 有关 "
    "我们 年度 今年 去年 本年 全部 总共 各类 完成 实现 行政 案件 法治 政府 依法 建设".split()
)
_QUESTION_BIGRAMS = frozenset(
    "多少 什么 哪些 哪个 哪里 是否 怎么 如何 怎样 为何 为什么 几个 几件 几次 请问 一下 规定 去年 今年 有没".split()
)
_ASKS_NAME = re.compile(r"文号|编号|发文字号|叫什么|名称|标题|全称|哪个文件|什么文件|哪份文件|哪部|什么法")
# A claim is a sentence of the answer with the [n] markers right after it; a quotation
# (原文：“…。…。”[1]) is one claim, and every end mark ends its own.
_CLAIM_RULE = dict(run=False, quotes=True, attach=MARKER)


@dataclass(frozen=True)
class Sources:
    """What a generated answer may rest on.

    passages: the numbered passages the model read, as text (title, number, label, text).
    question: the question as understood (a refusal may restate its figures).
    years: years a claim may leave unsaid (the question's, the report year).
    titles, docnums: normalised titles and 文号 keys the registry knows.
    """

    passages: dict[int, str]
    question: str = ""
    years: frozenset[int] = frozenset()
    titles: frozenset[str] = frozenset()
    docnums: frozenset[str] = frozenset()
    report_year: int | None = None  # the year the passages speak of when they name none
    # years the question asks about: a count of another year than report_year must stand
    # next to that year in the passage (22年…多少件 is not answered by the report's own count)
    asked_years: frozenset[int] = frozenset()


@dataclass
class Claim:
    """One sentence after its check: `text` with the [n] it rests on (an attached or
    corrected one included), or dropped with `problem` saying why."""

    text: str
    problem: str = ""
    fact: bool = False  # states something (not a header, a label list or filler)
    refusal: bool = False

    @property
    def kept(self) -> bool:
        return not self.problem


@dataclass
class Verdict:
    """The generated answer after its check: the claims kept (in order), those dropped, and
    why the whole answer cannot stand ("" when it can)."""

    claims: list[Claim] = field(default_factory=list)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def kept(self) -> list[Claim]:
        return [c for c in self.claims if c.kept]

    @property
    def dropped(self) -> list[Claim]:
        return [c for c in self.claims if not c.kept]

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.kept).strip()

    @property
    def problems(self) -> list[str]:
        return [p for p in [self.problem, *(c.problem for c in self.dropped)] if p]


def split_claims(text: str) -> list[str]:
    """The claims of an answer, each with the markers that cite it."""
    out: list[str] = []
    pending = ""  # a line break between claims goes with the claim after it
    for s, e in sentence_spans(text, trim=False, **_CLAIM_RULE):
        if text[s:e].strip():
            out.append(pending + text[s:e])
            pending = ""
        else:
            pending += text[s:e]
    return out


def sentence_complete(buffer: str) -> int:
    """Length of the leading part of a streamed buffer made of whole claims, or 0. A claim is
    final once something other than a marker follows it (more markers may still come)."""
    last = 0
    for _, end in sentence_ends(buffer, **_CLAIM_RULE):
        if end < len(buffer) and not buffer[end:].startswith("["):
            last = end
    return last


# ---------------------------------------------------------------- pieces of a claim


def _masked(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with each match blanked out, offsets kept."""
    return pattern.sub(lambda m: "\u3000" * len(m.group(0)), text)


def _without_names(text: str) -> str:
    """Titles, 文号 and list numbers blanked: their digits are checked as names, not figures."""
    out = _masked(_masked(text, _TITLE), _LIST_NUMBER)
    for num in find_docnums(out):
        out = out[: num.start] + "\u3000" * (num.end - num.start) + out[num.end :]
    return out


def _bigrams(text: str) -> set[str]:
    """The two-character Chinese words of a text (runs of Chinese characters, overlapping)."""
    out: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def coverage(claim: str, passage: str) -> float:
    """Share of the claim's two-character words that occur in the passage (1.0 for a claim
    without any)."""
    words = _bigrams(_without_names(claim))
    if not words:
        return 1.0
    return len(words & _bigrams(passage)) / len(words)


def asks_name(question: str) -> bool:
    """The question asks for a document's title or number (文号是多少, 叫什么文件): then a
    title or 文号 alone is the answer, not a label."""
    return bool(_ASKS_NAME.search(question or ""))


def states_fact(sentence: str, question: str = "") -> bool:
    """The sentence says something beyond titles, labels, list numbers and filler words (a
    figure weighs two characters: 共收到76件 states a fact; a 文号 is a fact by itself, and so
    is a title when the question asks for one)."""
    bare = MARKER.sub("", sentence)
    names = len(find_docnums(_masked(bare, _TITLE)))
    if asks_name(question):
        names += len(_TITLE.findall(bare))
    bare = _LABEL.sub("", _without_names(bare)).removeprefix(REFUSAL_PREFIX)
    figures = len(find_figures(bare))
    weight = len(_CJK.findall(_FILLER.sub("", bare))) + 2 * figures + MIN_FACT_CHARS * names
    return weight >= MIN_FACT_CHARS


def _clause_at(text: str, pos: int) -> tuple[int, int]:
    """The clause of `text` (split at ，；： and sentence ends) holding offset `pos`."""
    start = 0
    for a, b in clause_spans(text, separators="，；：,;:。！？!?\n", nested=False, trim=False):
        if a <= pos < b:
            return a, b
        start = b
    return start, len(text)


def _years(text: str) -> set[int]:
    return {int(f.value) for f in find_figures(text) if f.is_year}


def _same_measure(claim: Figure, found: Figure) -> bool:
    """The same figure counted in the same unit (76件 and 76起, 60日 and 六十天; a bare 76
    in the claim may be any 76)."""
    try:
        same_value = float(claim.value) * unit_scale(claim.unit) == float(found.value) * unit_scale(found.unit)
    except ValueError:
        return claim.value == found.value
    if not same_value:
        return False
    if not claim.unit:
        return True
    if (claim.unit == "第") != (found.unit == "第") or claim.is_year != found.is_year:
        return False
    return unit_class(claim.unit) == unit_class(found.unit) or unit_class(found.unit) in unit_family(claim.unit)


def _needs_subject(fig: Figure) -> bool:
    """A count, amount or rate means something only with what it counts; a year, a
    duration or an article number does not need a shared subject."""
    return not (fig.unit == "第" or fig.is_year or fig.unit.lstrip("多余") in TIME_UNITS or fig.unit == "")


# What a passage's figure counts: the words right after it, up to the next list item or aside.
_COUNTED_END = re.compile(r"[、（）()“”\"和及与]")


def _figure_problem(scanned: str, fig: Figure, evidence: list[str], sources: Sources) -> str:
    """Why `fig` of the claim is not grounded in any of the evidence texts ("" when it is)."""
    a, b = _clause_at(scanned, fig.start)
    claim_words = (_bigrams(scanned[a:b]) | _bigrams(scanned[: _clause_at(scanned, 0)[1]])) - _COMMON_BIGRAMS
    allowed_years = _years(scanned) | set(sources.years)
    other_years = (_years(scanned) | set(sources.asked_years)) - {sources.report_year}
    seen_value = False
    for text in evidence:
        masked = _without_names(text)
        for found in find_figures(masked):
            if not _same_measure(fig, found):
                continue
            seen_value = True
            if not _needs_subject(fig):
                return ""
            s, e = _clause_at(masked, found.start)
            ps, _ = _clause_at(masked, max(s - 1, 0)) if s > 0 else (s, e)
            around = masked[ps:e]  # the clause and the one before it (共收到…76件，受理73件)
            if not (_bigrams(around) - _COMMON_BIGRAMS) & claim_words:
                continue
            # what a count counts follows it (4个行业性人民调解委员会 is no answer to 镇村调委会有4个);
            # a sum is followed by a range's other bound or its purpose (五十元至一百元的罚款)
            after = "" if is_money(found.unit) else _COUNTED_END.split(masked[found.end : e], maxsplit=1)[0]
            counted = _bigrams(after) - _COMMON_BIGRAMS
            if counted and not counted & claim_words:
                continue
            if _years(masked[s:e]) - allowed_years:  # 与2022年同期的收到52件相比
                continue
            opening = max(masked.rfind(m, 0, found.start) for m in "。！？!?\n") + 1
            if other_years and not _years(masked[opening:e]) & other_years:  # the report's count for 22年
                continue
            return ""
    if seen_value:
        return f"数字“{fig.raw}”在所引资料中另有所指"
    return f"数字“{fig.raw}”不见于所引资料"


def _name_problems(bare: str, evidence: list[str], sources: Sources) -> list[str]:
    """Titles and 文号 of the claim that match no passage and no registry entry exactly."""
    problems = []
    joined = "\n".join(evidence)
    titles = {normalize_title(t) for t in _TITLE.findall(joined)} | set(sources.titles)
    for t in _TITLE.findall(bare):
        if normalize_title(t) not in titles:
            problems.append(f"标题《{t}》与资料不符")
    keys = {d.key for d in find_docnums(joined)} | set(sources.docnums)
    for num in find_docnums(_masked(bare, _TITLE)):
        if num.key not in keys:
            problems.append(f"文号“{num.raw}”不见于资料")
    return problems


def grounding_problems(bare: str, evidence: list[str], sources: Sources) -> list[str]:
    """Why a claim (markers removed) is not grounded in the evidence texts (empty when it is)."""
    problems = _name_problems(bare, evidence, sources)
    scanned = _without_names(bare)
    for fig in find_figures(scanned):
        problem = _figure_problem(scanned, fig, evidence, sources)
        if problem:
            problems.append(problem)
    return problems


# ---------------------------------------------------------------- a claim, an answer


def _anchored(bare: str) -> bool:
    """The claim rests on something checked exactly: a 文号, a title, or a count or amount
    (whose clause must share the claim's subject). Its other words may be the model's own."""
    named = _TITLE.search(bare) or find_docnums(_masked(bare, _TITLE))
    return bool(named or any(_needs_subject(f) for f in find_figures(_without_names(bare))))


def check_claim(sentence: str, sources: Sources) -> Claim:
    """One sentence checked on its own: kept (with the [n] it rests on), or dropped."""
    passages = sources.passages
    cited = list(dict.fromkeys(int(n) for n in MARKER.findall(sentence)))
    missing = [n for n in cited if n not in passages]
    if missing:
        return Claim(sentence, f"引用了不存在的资料[{missing[0]}]")
    bare = MARKER.sub("", sentence).strip()
    fact = states_fact(bare, sources.question)
    if bare.lstrip("“\"").startswith(REFUSAL_PREFIX):  # checked like any other: no figure may be added
        evidence = [sources.question, *passages.values()]
        problems = grounding_problems(bare, evidence, sources)
        return Claim(sentence, problems[0] if problems else "", fact=False, refusal=True)
    if not fact and not find_figures(_without_names(bare)) and not _TITLE.search(bare) and not find_docnums(bare):
        return Claim(sentence)  # a header or filler: kept, states nothing, needs no citation
    anchored = _anchored(bare)
    problem = ""
    if cited:
        evidence = [passages[n] for n in cited]
        problems = grounding_problems(bare, evidence, sources)
        covered = anchored or max(coverage(bare, t) for t in evidence) >= CITED_COVERAGE
        if not problems and (not fact or covered):
            return Claim(sentence, fact=fact)
        problem = problems[0] if problems else f"所引资料未见此内容：{bare[:30]}"
    found = _found_in(bare, sources, anchored)
    if found is not None:
        return Claim(_recited(sentence, found), fact=fact)
    return Claim(sentence, problem or f"未标注出处且资料中未找到：{bare[:30]}", fact=fact)


def _found_in(bare: str, sources: Sources, anchored: bool) -> int | None:
    """The passage the claim is found in, best covered first: every figure and name
    grounded in that passage itself (not merely in the registry), and most of the claim's
    words there unless it is anchored; None when there is none."""
    alone = replace(sources, titles=frozenset(), docnums=frozenset())
    covered = {n: coverage(bare, text) for n, text in sources.passages.items()}
    for n in sorted(covered, key=lambda n: -covered[n]):
        if covered[n] < ATTACH_COVERAGE and not anchored:
            break
        if not grounding_problems(bare, [sources.passages[n]], alone):
            return n
    return None


def _recited(sentence: str, n: int) -> str:
    """The sentence citing passage n instead of what it cited (the markers go after it)."""
    body = MARKER.sub("", sentence)
    stripped = body.rstrip()
    return f"{stripped}[{n}]{body[len(stripped):]}"


def addresses(question: str, claims: Iterable[Claim]) -> bool:
    """The kept facts still answer the question: they share a word with it, or give the
    title or 文号 it asks for (a question without two-character words is taken as answered)."""
    asked = _bigrams(question) - _QUESTION_BIGRAMS
    if not asked:
        return True
    said: set[str] = set()
    for c in claims:
        text = MARKER.sub("", c.text)
        if asks_name(question) and (find_docnums(text) or _TITLE.search(text)):
            return True
        said |= _bigrams(text)
    return bool(asked & said)


def _amounts(text: str) -> set[tuple[float, str]]:
    """(value, unit class) of the counts, amounts and rates of a text (names, years,
    durations and article numbers aside)."""
    out = set()
    for f in find_figures(_without_names(MARKER.sub("", text))):
        if not _needs_subject(f):
            continue
        try:
            out.add((float(f.value) * unit_scale(f.unit), unit_class(f.unit)))
        except ValueError:
            continue
    return out


def disagreement(lead: str, claims: Iterable[Claim]) -> str:
    """Why the generated facts contradict the extractive lead ("" when they do not): both
    state a figure of one kind and share no value. Two readers of the same passages then
    disagree on the asked figure, and the verbatim quote stands: a true sentence of the
    passage about another figure is grounded but does not answer (纠错增加16.2% for
    收案增加多少, where the extractive lead had 收案增加46.2%)."""
    quoted = _amounts(lead)
    said = set().union(*(_amounts(c.text) for c in claims if c.fact))
    kinds = {u for _, u in quoted} & {u for _, u in said}
    if not kinds or quoted & said:
        return ""
    return "所给数字与原文摘录的答案不一致"


def verify(text: str, sources: Sources) -> Verdict:
    """Every claim of an answer checked, then the answer as a whole (`judge`)."""
    return judge([check_claim(c, sources) for c in split_claims(text or "")], sources)


def judge(claims: list[Claim], sources: Sources) -> Verdict:
    """The answer stands when grounded facts remain that address the question; a refusal
    alone stands too (it is grounded: it states nothing)."""
    verdict = Verdict(claims)
    kept = verdict.kept
    facts = [c for c in kept if c.fact]
    if not any(MARKER.sub("", c.text).strip() for c in claims):
        verdict.problem = "回答为空"
    elif not facts and any(c.refusal for c in kept):
        pass
    elif not facts:
        dropped = verdict.dropped
        verdict.problem = f"没有可核实的内容（{dropped[0].problem}）" if dropped else "回答没有陈述任何事实"
    elif sources.question and not addresses(sources.question, facts):
        verdict.problem = "保留的内容未回答所问的问题"
    return verdict


def check_answer(text: str, passages: dict[int, str], question: str = "") -> Verdict:
    """`verify` against passages alone (no registry, no implied years)."""
    return verify(text, Sources(passages, question))
