"""Answering a question: the one entry point the CLI and the web UI use.

The extractive answer is always computed (it is cheap, it decides firm refusals and it is
the fallback). With KB_LLM=openai a model writes the answer from the same passages; each
sentence is shown only after kb.answer.grounding has checked it, and a failed check replaces the
whole answer with the extractive one and says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from kb.answer import llm
from kb.answer.citations import MARKER, Citation, cite, in_quoted_script, renumber
from kb.answer.compose import compose
from kb.answer.extractive import Extract
from kb.answer.followup import SUBJECT, TOPIC, Resolution, resolve
from kb.answer.grounding import REFUSAL_PREFIX, check_answer, check_claim, sentence_complete
from kb.answer.questions import Analysis, is_elliptical, with_context
from kb.answer.spelling import respell
from kb.index import Index
from kb.profile import Profile
from kb.schema import Chunk
from kb.search.request import Request
from kb.text.clean import clean_question, language_notice
from kb.text.normalize import squash

LLM_PASSAGES = 6
MAX_RESOLVED_TURNS = 5  # a conversation's follow-ups lean on the last few questions, not on all
NOTICE_FAILED_CHECK = "生成的回答未通过核验，已改用摘录式回答。"
NOTICE_UNAVAILABLE = "语言模型服务暂不可用，已改用摘录式回答。"


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


def _previous_resolved(history: list[dict] | None, year: int | None) -> str:
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
            understood = resolve(clean_question(turn), understood, year).question
        except ValueError:
            continue
    return understood


def prepare(
    question: str, history: list[dict] | None = None, profile: Profile | None = None
) -> tuple[Analysis, str]:
    """The analysis and retrieval query of the question as understood: a follow-up is first
    rewritten against the previous question (kb.answer.followup; `Analysis.question` is then
    the rewritten one), one it cannot rewrite borrows the previous question's terms.
    Raises kb.text.clean.InvalidQuestion with a message for the user."""
    q = clean_question(question)
    resolution = understand(question, history, profile)
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


def understand(question: str, history: list[dict] | None = None, profile: Profile | None = None) -> Resolution:
    """The cleaned question as the conversation makes it read (cheap: no retrieval), for a
    caller that shows 「理解为：…」 before the answer. Raises kb.text.clean.InvalidQuestion."""
    q = clean_question(question)
    year = profile.report_year if profile else None
    return resolve(q, _previous_resolved(history, year), year)


def _from_extract(analysis: Analysis, question: str, ex: Extract, notice: str = "") -> Answer:
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
    """Text deltas, then the final Answer. The final Answer's text is authoritative: when a
    generated answer fails its check midway, what was streamed is replaced by it."""
    yield from iter_answer_in(Request(index), question, history)


def iter_answer_in(req: Request, question: str, history: list[dict] | None = None) -> Iterator[str | Answer]:
    """`iter_answer` inside one request: one generation, each retrieval query embedded once."""
    asked = clean_question(question)  # a bad question is reported as such, even before anything is ingested
    analysis, query = respell(req, *prepare(question, history, req.gen.profile))
    ex = compose(req, analysis, query, history, lambda q, h: respell(req, *prepare(q, h, req.gen.profile)))
    if llm.backend() != "openai" or (ex.refused and ex.decisive):
        final = _from_extract(analysis, asked, ex, notice=language_notice(asked))
        yield final.answer
        yield final
        return
    yield from _generated(analysis, asked, ex, history)


def _generated(
    analysis: Analysis, asked: str, ex: Extract, history: list[dict] | None
) -> Iterator[str | Answer]:
    """Stream a model answer sentence by sentence, each checked before it is shown."""
    chunks = _passages(ex)
    passages = {n: _evidence(c) for n, c in enumerate(chunks, start=1)}
    messages = llm.build_messages(analysis.question, chunks, history)
    order: dict[int, int] = {}  # passage number -> citation number, by first use
    shown: list[str] = []
    raw: list[str] = []
    buffer = ""
    failed = ""
    stream = llm.stream_answer(messages)
    try:
        for delta in stream:
            buffer += delta
            cut = sentence_complete(buffer)
            if not cut:
                continue
            done, buffer = buffer[:cut], buffer[cut:]
            problems = check_claim(done, passages) if done.strip() else []
            if problems:
                failed = problems[0]
                break
            raw.append(done)
            text = _renumber_live(done, order)
            shown.append(text)
            yield text
        else:
            if buffer.strip():
                problems = check_claim(buffer, passages)
                if problems:
                    failed = problems[0]
                else:
                    raw.append(buffer)
                    text = _renumber_live(buffer, order)
                    shown.append(text)
                    yield text
    except llm.LLMUnavailable:
        yield _from_extract(analysis, asked, ex, NOTICE_UNAVAILABLE)
        return
    finally:
        stream.close()  # a rejected answer: stop reading the model's stream
    full = "".join(raw)
    if not failed:
        report = check_answer(full, passages)
        if not report.ok:
            failed = report.problems[0]
    if failed:
        yield _from_extract(analysis, asked, ex, NOTICE_FAILED_CHECK)
        return
    answer_text = "".join(shown).strip()
    refused = answer_text.startswith(REFUSAL_PREFIX) and not order
    citations = [cite(chunks[n - 1], n=new) for n, new in sorted(order.items(), key=lambda kv: kv[1])]
    related = (ex.related or [cite(c, n=i) for i, c in enumerate(chunks[:3], start=1)]) if refused else []
    yield Answer(
        question=asked,
        resolved_question=analysis.question,
        answer=answer_text,
        citations=citations,
        refused=refused,
        backend="openai",
        related=related,
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
    "REFUSAL_PREFIX",
]
