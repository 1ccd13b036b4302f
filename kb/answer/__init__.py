"""Answering: question analysis, the extractive answerer, citations, the optional LLM and
its grounding check; `pipeline` puts them together."""

from kb.answer.pipeline import (
    NOTICE_FAILED_CHECK,
    NOTICE_UNAVAILABLE,
    Answer,
    answer_question,
    iter_answer,
    prepare,
    understand,
)

__all__ = [
    "NOTICE_FAILED_CHECK",
    "NOTICE_UNAVAILABLE",
    "Answer",
    "answer_question",
    "iter_answer",
    "prepare",
    "understand",
]
