"""Evaluation: retrieval, answer and citation scores on a gold question set (`run`), and one
question traced through every stage (`trace`, the 检索测试 view)."""

from kb.evaluation.run import (
    DEFAULT_GOLD,
    GoldItem,
    answer_view,
    check_citations,
    claim_before,
    default_answerer,
    evaluate_index,
    facts_present,
    load_gold,
    percentile,
    run_eval,
    score_retrieval,
    source_texts,
    warm_up,
)

__all__ = [
    "DEFAULT_GOLD",
    "GoldItem",
    "answer_view",
    "check_citations",
    "claim_before",
    "default_answerer",
    "evaluate_index",
    "facts_present",
    "load_gold",
    "percentile",
    "run_eval",
    "score_retrieval",
    "source_texts",
    "warm_up",
]
