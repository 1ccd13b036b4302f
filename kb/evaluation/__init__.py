"""Evaluation: scores on a gold question set and one question traced through every stage.

gold (question sets, relevance), retrieval (recall/MRR per ranking mode), answers (facts,
lead line, wrong figures, citations), report (metrics, failures), run (`kb eval`), trace
(the 检索测试 view).
"""

from kb.evaluation.answers import (
    answer_view,
    check_citations,
    claim_before,
    facts_present,
    lead_line,
    stated_figures,
    wrong_figure_lead,
)
from kb.evaluation.gold import DEFAULT_GOLD, GoldItem, is_relevant, load_gold, source_texts
from kb.evaluation.report import metrics, percentile, summarize
from kb.evaluation.retrieval import score_retrieval
from kb.evaluation.run import default_answerer, evaluate_index, evaluate_item, run_eval, warm_up

__all__ = [
    "DEFAULT_GOLD",
    "GoldItem",
    "answer_view",
    "check_citations",
    "claim_before",
    "default_answerer",
    "evaluate_index",
    "evaluate_item",
    "facts_present",
    "is_relevant",
    "lead_line",
    "load_gold",
    "metrics",
    "percentile",
    "run_eval",
    "score_retrieval",
    "source_texts",
    "stated_figures",
    "summarize",
    "warm_up",
    "wrong_figure_lead",
]
