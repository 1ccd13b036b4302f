"""The 检索测试 view: every retrieval stage of one question, with scores, as data and as a Gradio tab."""

from __future__ import annotations

import gradio as gr
import pytest

from app.eval_tab import STAGE_TITLES, build_eval_tab, run_trace
from kb.evaluation.trace import STAGES, trace_question
from kb.search.retrieval import search
from kb.text.clean import InvalidQuestion


def test_trace_shows_every_stage_consistently(corpus_index):
    question = "江政办[2023]17号是什么文件"
    trace = trace_question(corpus_index, question, k=5, answer=False)
    assert set(STAGES) <= set(trace["stages"])
    assert "江政办" in trace["tokens"]["bm25_words"]
    assert "江政" in trace["tokens"]["bm25_bigrams"]
    assert trace["docnums"] == ["江政办〔2023〕17号"]
    for name in ("bm25_words", "bm25_bigrams", "dense", "fused"):
        scores = [r["score"] for r in trace["stages"][name]]
        assert scores and scores == sorted(scores, reverse=True)
    # The final stage is exactly what search returns, with the 文号 pin visible in its ranks.
    final = trace["stages"]["final"]
    assert [r["chunk_id"] for r in final] == [h.chunk.chunk_id for h in search(corpus_index, question, k=5)]
    assert final[0]["ranks"].get("docnum") == 1
    fused_top = trace["stages"]["fused"][0]
    assert set(fused_top["ranks"]) <= set(trace["stages"])


def test_trace_shows_named_document_rankings(corpus_index):
    trace = trace_question(corpus_index, "行政复议法规定申请期限是多久", answer=False)
    assert trace["named_docs"] == ["中华人民共和国行政复议法"]
    assert "期限" in trace["lexical_query"]
    assert trace["stages"]["dense@doc"]
    assert all(r["doc_title"] == "中华人民共和国行政复议法" for r in trace["stages"]["bm25_words@doc"])
    assert trace["answer"] is None


def test_trace_rejects_empty_question(corpus_index):
    with pytest.raises(InvalidQuestion):
        trace_question(corpus_index, "   ")


def test_eval_tab_builds_and_runs(corpus_index):
    with gr.Blocks() as demo:
        tab = build_eval_tab(corpus_index)
    assert isinstance(tab, gr.Tab) and tab.label == "检索测试"
    assert demo is not None
    out = run_trace(corpus_index, "申请行政复议的期限是多久")
    assert len(out) == 1 + len(STAGE_TITLES)
    assert "BM25 分词" in out[0]
    assert all(len(row) == 5 for table in out[1:] for row in table)
    assert out[-1] and out[-1][0][0] == 1
    assert run_trace(corpus_index, "")[0].startswith("⚠️")
