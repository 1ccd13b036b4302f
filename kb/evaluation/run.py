"""`kb eval`: each gold question through retrieval and answering, then the report.

A "system" is two plain functions, so the same scoring runs on ours and on a baseline:
`retrieve(question) -> ranked chunks`; `answer(question) -> {"text", "citations", "refused"}`,
called as `answer(question, history)` for a follow-up (an item with earlier turns).
A follow-up is retrieved with the question as asked: the score says what retrieval
makes of it, not of a rewrite the eval would have to invent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kb.answer import answer_question
from kb.evaluation.answers import (
    answer_view,
    check_citations,
    facts_present,
    lead_line,
    stated_figures,
    wrong_figure_lead,
)
from kb.evaluation.gold import DEFAULT_GOLD, GoldItem, is_relevant, load_gold, source_texts
from kb.evaluation.report import summarize
from kb.index import Index
from kb.schema import Chunk
from kb.search.retrieval import search
from kb.text.clean import InvalidQuestion

Retrieve = Callable[[str], list[Chunk]]
AnswerFn = Callable[..., dict]  # (question) or (question, history) -> Answer-like


def evaluate_item(
    item: GoldItem,
    retrieve: Retrieve,
    answer: AnswerFn | None,
    texts: dict[str, str],
    k: int = 5,
) -> dict:
    """One gold question through retrieval and answering; a plain record for `summarize`."""
    t0 = time.perf_counter()
    try:
        chunks = retrieve(item.question)
    except InvalidQuestion:
        chunks = []
    search_ms = (time.perf_counter() - t0) * 1000
    rank = None
    if item.answerable:
        rank = next((r for r, c in enumerate(chunks[:10], 1) if is_relevant(c, item, texts)), None)
    record: dict = {
        "id": item.id,
        "question": item.question,
        "history": item.history,
        "type": item.type or ("unanswerable" if not item.answerable else "其他"),
        "answerable": item.answerable,
        "rank": rank,
        "search_ms": search_ms,
        "retrieved": [
            {"rank": r, "doc_title": c.doc_title, "label": c.label, "text": " ".join(c.verbatim.split())[:80]}
            for r, c in enumerate(chunks[: max(k, 1)], 1)
        ],
    }
    if answer is None:
        return record
    conversation = item.conversation()
    t0 = time.perf_counter()
    try:
        view = answer_view(answer(item.question, conversation) if conversation else answer(item.question))
    except InvalidQuestion as err:
        view = {"text": str(err), "citations": [], "refused": True, "backend": ""}
    record["answer_ms"] = (time.perf_counter() - t0) * 1000
    record["answer"] = view["text"]
    record["refused"] = view["refused"]
    record["backend"] = view["backend"]
    lead = lead_line(view["text"])
    record["lead"] = lead
    graded = item.answerable and not view["refused"]
    record["missing_facts"] = facts_present(view["text"], item.answer_facts) if graded else []
    record["lead_missing"] = facts_present(lead, item.answer_facts) if graded else []
    record["facts_ok"] = graded and not record["missing_facts"]
    record["lead_ok"] = graded and not record["lead_missing"]
    record["lead_figures"] = [] if view["refused"] else [f.raw for f in stated_figures(lead)]
    if view["refused"]:
        record["wrong_figure_lead"] = False
    elif item.answerable:
        record["wrong_figure_lead"] = wrong_figure_lead(lead, item.answer_facts)
    else:  # any figure in the lead of an answer the corpus cannot give is a wrong one
        record["wrong_figure_lead"] = bool(record["lead_figures"])
    record["citations"] = [] if view["refused"] else check_citations(view, texts)
    return record


def run_eval(
    items: list[GoldItem],
    retrieve: Retrieve,
    answer: AnswerFn | None,
    texts: dict[str, str],
    k: int = 5,
) -> dict:
    """Score one system on a gold set. `answer=None` scores retrieval only."""
    return summarize([evaluate_item(i, retrieve, answer, texts, k) for i in items], k)


def default_answerer(index: Index) -> AnswerFn:
    """kb.answer.answer_question bound to `index`."""
    def answer(question: str, history: list[dict] | None = None) -> object:
        return answer_question(index, question, history)

    return answer


def warm_up(index: Index, answer: AnswerFn | None = None) -> None:
    """Open the generation and load the tokenizers and models once, so latency is that of a warm server."""
    search(index, "行政复议申请期限")
    if answer is not None:
        answer("行政复议申请期限是多久")


def evaluate_index(index: Index, gold: Path = DEFAULT_GOLD, k: int = 5) -> dict:
    """`kb eval`: our hybrid search and answerer on a gold file, against the corpus the index reads."""
    items = load_gold(gold)
    texts = source_texts(index.settings.corpus, index.current().manifest.packs)
    answer = default_answerer(index)
    warm_up(index, answer)
    report = run_eval(items, lambda q: [h.chunk for h in search(index, q, k=max(10, k))], answer, texts, k)
    report["gold"] = str(gold)
    report["answers"] = answer is not None
    return report
