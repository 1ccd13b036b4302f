"""Which extractive answer a question gets: a multi-part question part by part, “what was
done about X” from the report section about X (or, when no heading names X, from the
sentences of the item that does), anything else from its best sentence, and “why” with the
stated purpose."""

from __future__ import annotations

from kb.answer.extractive import Extract, extractive_answer
from kb.answer.parts import Prepare, answer_parts
from kb.answer.questions import Analysis
from kb.answer.sections import item_answer, section_answer, why_answer
from kb.search.request import Request


def compose(
    req: Request, analysis: Analysis, query: str, history: list[dict] | None, prepare: Prepare
) -> Extract:
    """The extractive answer to `analysis.question` (retrieving with `query`)."""
    ex = answer_parts(req, analysis.question, history, prepare) or section_answer(req.gen, analysis)
    if ex is None:
        ex = extractive_answer(req, analysis, query)
        ex = why_answer(req.gen, analysis, ex) or item_answer(req.gen, analysis, ex) or ex
    return ex


__all__ = ["compose"]
