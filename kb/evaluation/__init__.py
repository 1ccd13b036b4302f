"""Evaluation: retrieval, answer and citation scores of the system on a gold question set."""

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
