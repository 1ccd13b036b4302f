"""Answering a question: the one entry point the CLI and the web UI use.

The extractive answer is always computed (it is cheap, it decides firm refusals and it is
the fallback). With KB_LLM=openai it is shown at once, and a model writes an answer from
the same passages beside it: each sentence is checked by kb.answer.grounding as it
arrives (a sentence that cannot be grounded is dropped, never shown), and the generated
answer replaces the extractive one only when grounded facts that address the question
remain. Every final Answer says which backend answered and why (`backend_reason`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from kb.answer import llm
from kb.answer.citations import MARKER, Citation, cite, in_quoted_script, renumber
from kb.answer.compose import compose
from kb.answer.cooccurrence import chooser
from kb.answer.evidence import asks_judgment
from kb.answer.extractive import Extract, counts_bare_noun, score_candidates
from kb.answer.followup import SUBJECT, TOPIC, Chooser, Resolution, resolve
from kb.answer.grounding import (
    REFUSAL_PREFIX,
    Claim,
    Sources,
    Verdict,
    check_claim,
    disagreement,
    judge,
    sentence_complete,
    split_claims,
)
from kb.answer.parts import prepared_parts
from kb.answer.questions import Analysis, is_elliptical, with_context
from kb.answer.spelling import heard_otherwise, respell
from kb.index import Generation, Index
from kb.profile import Profile
from kb.schema import Chunk
from kb.search.request import Request
from kb.search.retrieval import expect_queries
from kb.text.clean import clean_question, language_notice
from kb.text.figures import find_figures
from kb.text.normalize import squash
from kb.text.titles import normalize_title

LLM_PASSAGES = 6
MAX_RESOLVED_TURNS = 5  # a conversation's follow-ups lean on the last few questions, not on all
# A firm extractive refusal still lets the model try when a retrieved sentence of the asked
# kind covers this much of the question (the extractive answerer's own MIN_COVERAGE).
# Retrieval scores cannot tell: 柳江区2023年GDP是多少？ has a top hit in every ranking. Measured
# on the firm refusals of fresh_a + fresh_d and issue 14's 追诉时效 question: 3 of 21 reach it
# (追诉时效 0.67 and a30 0.52, both answerable; u03 0.73, unanswerable), the GDP question and
# 17 others have no sentence of the asked kind at all.
LLM_FLOOR = 0.5
NOTICE_FAILED_CHECK = "生成的回答未通过核验，已改用摘录式回答。"
NOTICE_UNAVAILABLE = "语言模型服务暂不可用，已改用摘录式回答。"
NOTICE_GENERATED = "本回答由语言模型依据所引资料生成，已逐句核验。"
NOTICE_DROPPED = "另有{n}句无法在资料中核实，已删去。"
REASON_OFF = "未启用语言模型（KB_LLM 未设为 openai），摘录式回答"
REASON_NOT_ASKED = "资料中没有足够相关的段落，未请语言模型作答"
REASON_PASSED = "语言模型的回答逐句核验通过"
REASON_PARTLY = "语言模型的回答删去{n}句无法核实的内容后核验通过"
REASON_FAILED = "语言模型的回答未通过核验：{problem}"
REASON_UNAVAILABLE = "语言模型服务不可用"
REASON_MODEL_REFUSED = "语言模型未从资料中找到答案，保留摘录式回答"


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    backend: str = "extractive"  # "extractive" | "openai": what produced the text shown
    related: list[Citation] = field(default_factory=list)  # 可能相关: shown with a refusal
    notice: str = ""
    confidence: float | None = None  # extractive evidence that the answer answers (kb.answer.evidence)
    resolved_question: str = ""  # the follow-up as understood (the question itself when standalone)
    backend_reason: str = ""  # why `backend` answered (the model passed its check, was not asked, …)
    dropped: list[str] = field(default_factory=list)  # generated sentences removed by the check
    # More is coming: this (extractive) answer is shown while a model writes one that may replace it.
    pending: bool = False
    generated: str = ""  # the model's raw text, unchecked: for evaluation only, never shown

    def __post_init__(self) -> None:
        self.resolved_question = self.resolved_question or self.question

    def to_dict(self) -> dict:
        return {
            "answer": self.answer,
            "resolved_question": self.resolved_question,
            "citations": [c.to_dict() for c in self.citations],
            "refused": self.refused,
            "backend": self.backend,
            "related": [c.to_dict() for c in self.related],
            "notice": self.notice,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "backend_reason": self.backend_reason,
            "dropped": list(self.dropped),
        }


def _previous_question(history: list[dict] | None) -> str:
    """The user's recent questions back to the last one that stood on its own (most recent
    first): “那2022年呢？” after “那撤销了多少件？” still means 行政复议."""
    out: list[str] = []
    for turn in reversed(history or []):
        if not (
            isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str)
        ):
            continue
        out.append(turn["content"][:500])
        if len(out) >= 3 or not is_elliptical(turn["content"]):
            break
    return " ".join(out)


def _previous_resolved(history: list[dict] | None, year: int | None, choose: Chooser | None = None) -> str:
    """The previous user question as it was understood: each recent turn resolved against
    the one before it, so “那2022年呢？” after “那行政诉讼呢？” keeps 行政诉讼."""
    turns = [
        t["content"][:500]
        for t in (history or [])
        if isinstance(t, dict) and t.get("role") == "user" and isinstance(t.get("content"), str)
    ]
    understood = ""
    for turn in turns[-MAX_RESOLVED_TURNS:]:
        try:
            understood = resolve(clean_question(turn), understood, year, choose).question
        except ValueError:
            continue
    return understood


def prepare(
    question: str,
    history: list[dict] | None = None,
    profile: Profile | None = None,
    gen: Generation | None = None,
) -> tuple[Analysis, str]:
    """The analysis and retrieval query of the question as understood: a follow-up is first
    rewritten against the previous question (kb.answer.followup; `Analysis.question` is then
    the rewritten one; with `gen`, the rewrite its passages support), one it cannot rewrite
    borrows the previous question's terms. Raises kb.text.clean.InvalidQuestion."""
    q = clean_question(question)
    resolution = understand(question, history, profile, gen)
    if resolution.resolved:
        analysis, query = with_context(resolution.question, "", profile)
        if resolution.kind in (SUBJECT, TOPIC):  # a year switch keeps the whole old subject
            analysis = _own_words_first(analysis, q)
        return analysis, query
    previous = _previous_question(history)
    try:
        previous = clean_question(previous) if previous else ""
    except ValueError:
        previous = ""
    return with_context(q, previous, profile)


def _own_words_first(analysis: Analysis, asked: str) -> Analysis:
    """A rewritten follow-up's words that came from the previous question weigh less than
    the follow-up's own (“那撤销了多少件？” asks about 撤销 within 行政复议)."""
    own = squash(asked)
    analysis.terms = [
        t if t.hard or any(squash(f) in own for f in t.forms) else replace(t, inherited=True)
        for t in analysis.terms
    ]
    return analysis


def understand(
    question: str,
    history: list[dict] | None = None,
    profile: Profile | None = None,
    gen: Generation | None = None,
) -> Resolution:
    """The cleaned question as the conversation makes it read (cheap: no retrieval; with `gen`
    a topic switch is checked against its word index, kb.answer.cooccurrence), for a caller
    that shows 「理解为：…」 before the answer. Raises kb.text.clean.InvalidQuestion."""
    q = clean_question(question)
    year = profile.report_year if profile else None
    choose = chooser(gen) if gen is not None else None
    return resolve(q, _previous_resolved(history, year, choose), year, choose)


def _from_extract(analysis: Analysis, question: str, ex: Extract, notice: str = "", reason: str = "") -> Answer:
    text, citations = renumber(ex.text, ex.citations)
    text = in_quoted_script(text, citations)
    return Answer(
        question=question,
        resolved_question=analysis.question,
        answer=text,
        citations=citations,
        refused=ex.refused,
        backend="extractive",
        related=ex.related,
        notice=notice,
        confidence=ex.confidence,
        backend_reason=reason,
    )


def answer_question(index: Index, question: str, history: list[dict] | None = None) -> Answer:
    """The final answer (for callers that do not stream)."""
    return answer_in(Request(index), question, history)


def answer_in(req: Request, question: str, history: list[dict] | None = None) -> Answer:
    """`answer_question` inside a request the caller holds (and may read the generation of)."""
    result: Answer | None = None
    for item in iter_answer_in(req, question, history):
        if isinstance(item, Answer):
            result = item
    assert result is not None
    return result


def iter_answer(index: Index, question: str, history: list[dict] | None = None) -> Iterator[str | Answer]:
    """The answer as it is produced. Without a model: the text, then the final Answer.
    With one: first the extractive Answer with `pending=True` (show it at once), then text
    deltas of the generated answer, each a checked sentence (show them beside it), then the
    final Answer, which is authoritative: the generated one when it passed, else the
    extractive one again with a notice. The last Answer yielded is the final one."""
    yield from iter_answer_in(Request(index), question, history)


def iter_answer_in(req: Request, question: str, history: list[dict] | None = None) -> Iterator[str | Answer]:
    """`iter_answer` inside one request: one generation, each retrieval query embedded once."""
    asked = clean_question(question)  # a bad question is reported as such, even before anything is ingested
    understood: dict[tuple[str, str], tuple[Analysis, str]] = {}

    def prepared(q: str, h: list[dict] | None) -> tuple[Analysis, str]:
        """`prepare`, once per question and turns in this request: a part is prepared here,
        in the first answer and again in a second look."""
        key = (q, repr(h))
        if key not in understood:
            understood[key] = prepare(q, h, req.gen.profile, req.gen)
        return understood[key]

    analysis, query = prepared(question, history)
    # a multi-part question searches each part's query (compose, parts.answer_parts): they
    # join the first encoder call, which the typo reading of the whole may make
    expect_queries(req, [q for _, _, q in prepared_parts(analysis.question, history, prepared)])
    analysis, query = respell(req, analysis, query)
    ex = compose(req, analysis, query, history, prepared)
    if ex.refused and not ex.decisive:
        analysis, query, ex = heard_otherwise(
            req, analysis, query, ex, lambda a, q: compose(req, a, q, history, prepared)
        )
    notice = language_notice(asked)
    if llm.backend() != "openai" or not worth_asking(req.gen, analysis, ex):
        reason = REASON_OFF if llm.backend() != "openai" else REASON_NOT_ASKED
        final = _from_extract(analysis, asked, ex, notice=notice, reason=reason)
        yield final.answer
        yield final
        return
    yield replace(_from_extract(analysis, asked, ex, notice=notice), pending=True)
    yield from _generated(req.gen, analysis, asked, ex, history)


def worth_asking(gen: Generation, analysis: Analysis, ex: Extract) -> bool:
    """Whether a model may try: always when the extractive answerer answered or refused on
    coverage; after a firm refusal only when a retrieved sentence of the asked kind covers
    LLM_FLOOR of the question and the question does not ask for an opinion."""
    if not (ex.refused and ex.decisive):
        return True
    if asks_judgment(analysis.question) or not ex.hits:
        return False
    candidates = score_candidates(gen, analysis, ex.hits, set())
    return any(
        c.type_ok and c.coverage >= LLM_FLOOR and not counts_bare_noun(gen, analysis, c) for c in candidates
    )


def sources_for(gen: Generation, analysis: Analysis, chunks: list[Chunk]) -> Sources:
    """What the generated answer may rest on: the numbered passages, the question, the years
    it implies, and the titles and 文号 of the registry."""
    registry = gen.registry
    titles = {normalize_title(t) for e in registry for t in (e.title, *e.aliases) if t}
    report_year = gen.profile.report_year if gen.profile else None
    asked = {int(f.value) for f in find_figures(analysis.question) if f.is_year}  # 22年 already reads 2022年
    years = asked | ({report_year} if report_year else set())
    return Sources(
        passages={n: _evidence(c) for n, c in enumerate(chunks, start=1)},
        question=analysis.question,
        years=frozenset(years),
        titles=frozenset(titles),
        docnums=frozenset(e.number_key for e in registry if e.number_key),
        report_year=report_year,
        asked_years=frozenset(asked),
    )


def _generated(
    gen: Generation, analysis: Analysis, asked: str, ex: Extract, history: list[dict] | None
) -> Iterator[str | Answer]:
    """Stream a model answer sentence by sentence, each checked before it is shown; then the
    final Answer (the generated one only when the whole passes `verify`)."""
    chunks = _passages(ex)
    sources = sources_for(gen, analysis, chunks)
    messages = llm.build_messages(analysis.question, chunks, history)
    order: dict[int, int] = {}  # passage number -> citation number, by first use
    claims: list[Claim] = []
    raw = ""
    buffer = ""
    stream = llm.stream_answer(messages)
    try:
        for delta in stream:
            raw += delta
            buffer += delta
            cut = sentence_complete(buffer)
            if not cut:
                continue
            done, buffer = buffer[:cut], buffer[cut:]
            yield from _checked(done, sources, claims, order)
        if buffer.strip():
            yield from _checked(buffer, sources, claims, order)
    except llm.LLMUnavailable:
        yield _from_extract(analysis, asked, ex, NOTICE_UNAVAILABLE, REASON_UNAVAILABLE)
        return
    finally:
        stream.close()
    verdict = judge(claims, sources)  # the whole: grounded facts remain, and they address the question
    yield _final(analysis, asked, ex, chunks, verdict, order, raw)


def _checked(text: str, sources: Sources, claims: list[Claim], order: dict[int, int]) -> Iterator[str]:
    """Check the claims of a completed piece of the stream; yield those kept, renumbered."""
    for part in split_claims(text):
        claim = check_claim(part, sources)
        claims.append(claim)
        if claim.kept:
            claim.text = _renumber_live(claim.text, order)
            yield claim.text


def _final(
    analysis: Analysis,
    asked: str,
    ex: Extract,
    chunks: list[Chunk],
    verdict: Verdict,
    order: dict[int, int],
    raw: str,
) -> Answer:
    """The answer shown in the end: the generated one when it stands and states facts,
    else the extractive one with the reason."""
    dropped = [MARKER.sub("", c.text).strip() for c in verdict.dropped]
    facts = [c for c in verdict.kept if c.fact]
    problem = verdict.problem
    if not problem and facts and not ex.refused:
        problem = disagreement(ex.text, facts)  # the model's figure is not the one the quote gives
    if problem:
        fallback = _from_extract(analysis, asked, ex, NOTICE_FAILED_CHECK, REASON_FAILED.format(problem=problem))
        return replace(fallback, dropped=dropped, generated=raw)
    if not facts:  # the model refused: the extractive answer (or its refusal with related passages) stays
        return replace(_from_extract(analysis, asked, ex, reason=REASON_MODEL_REFUSED), generated=raw)
    text = verdict.text
    citations = [cite(chunks[n - 1], n=new) for n, new in sorted(order.items(), key=lambda kv: kv[1])]
    notice = NOTICE_GENERATED + (NOTICE_DROPPED.format(n=len(dropped)) if dropped else "")
    reason = REASON_PARTLY.format(n=len(dropped)) if dropped else REASON_PASSED
    return Answer(
        question=asked,
        resolved_question=analysis.question,
        answer=text,
        citations=citations,
        refused=False,
        backend="openai",
        notice=notice,
        backend_reason=reason,
        dropped=dropped,
        generated=raw,
    )


def _passages(ex: Extract) -> list[Chunk]:
    """The passages the model reads: the extractive answer's own passage first, then the
    best hits, without repeats."""
    out: list[Chunk] = []
    seen: set[str] = set()
    first = [ex.best.chunk] if ex.best is not None and not ex.refused else []
    for chunk in [*first, *(h.chunk for h in ex.hits)]:
        if chunk.chunk_id not in seen:
            seen.add(chunk.chunk_id)
            out.append(chunk)
        if len(out) >= LLM_PASSAGES:
            break
    return out


def _evidence(chunk: Chunk) -> str:
    """What a claim citing this passage may rest on: its text, title, number and label."""
    return f"《{chunk.doc_title}》{chunk.doc_number}{chunk.label}\n{chunk.text}"


def _renumber_live(text: str, order: dict[int, int]) -> str:
    """Passage numbers to citation numbers (1, 2, … in order of first use), as text streams."""

    def repl(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in order:
            order[n] = len(order) + 1
        return f"[{order[n]}]"

    return MARKER.sub(repl, text)


__all__ = [
    "Answer",
    "answer_in",
    "answer_question",
    "iter_answer",
    "iter_answer_in",
    "prepare",
    "understand",
    "NOTICE_FAILED_CHECK",
    "NOTICE_UNAVAILABLE",
    "REFUSAL_PREFIX",
]
