"""Hybrid retrieval on the real index of the bundled corpus, scored against the gold set."""

from __future__ import annotations

import json

import pytest
from kb_process import kb_env, run_kb

from kb.evaluation import load_gold, score_retrieval
from kb.search.retrieval import HybridRetriever, search
from kb.text.clean import InvalidQuestion


def test_gold_recall_at_5(corpus_index) -> None:
    scores = {m: score_retrieval(corpus_index, load_gold(), m) for m in ("hybrid", "dense", "bm25")}
    for mode, s in scores.items():
        print(f"{mode}: recall@1 {s.recall[1]:.3f} @5 {s.recall[5]:.3f} @10 {s.recall[10]:.3f} MRR@10 {s.mrr10:.3f}")
    hybrid = scores["hybrid"]
    assert hybrid.n >= 60
    assert hybrid.recall[5] >= 0.95, hybrid.misses
    # fusion must earn its keep over either ranking alone
    assert hybrid.mrr10 > max(scores["dense"].mrr10, scores["bm25"].mrr10)


def test_figure_question_finds_the_report_paragraph(corpus_index) -> None:
    top = search(corpus_index, "容缺受理一共公布了多少项", k=1)[0].chunk
    assert "公布容缺受理行政审批事项99项" in top.text and top.label == "二、（二）3."


@pytest.mark.parametrize(
    "query",
    ["江政办[2023]17号", "江政办〔2023〕17号", "江政办(2023)17号", "江政办【２０２３】１７号", "江政办 （2023） 17 号", "江政办〔2023〕17"],
)
def test_document_number_in_any_style_ranks_its_passage_first(corpus_index, query: str) -> None:
    hits = search(corpus_index, query, k=3)
    assert "江政办〔2023〕17号" in hits[0].chunk.text
    assert hits[0].ranks.get("docnum") == 1


def test_named_law_and_relative_year_are_understood(corpus_index) -> None:
    top = search(corpus_index, "申请行政复议的期限是多久？", k=1)[0].chunk
    assert top.doc_title == "中华人民共和国行政复议法" and top.label == "第二十条"
    top = search(corpus_index, "去年行政复议收到了多少件申请？", k=1)[0].chunk
    assert "共收到行政复议申请76件" in top.text


def test_langchain_retriever_returns_documents_with_provenance(corpus_index) -> None:
    docs = HybridRetriever(index=corpus_index, k=2).invoke("败诉率是多少")
    assert len(docs) == 2
    assert docs[0].metadata["label"] == "二、（五）2." and "败诉率为1.28％" in docs[0].page_content
    assert docs[0].metadata["doc_title"].endswith("年度报告") and docs[0].metadata["start"] >= 0


@pytest.mark.parametrize("bad", ["", "   \n\t", "问" * 100_000, "\x00\x01\x02\x03"])
def test_unusable_queries_get_a_clear_message(corpus_index, bad: str) -> None:
    with pytest.raises(InvalidQuestion) as err:
        search(corpus_index, bad)
    assert any(word in str(err.value) for word in ("不能为空", "过长", "无法识别"))


def test_cli_search_json_and_stdin_stream(corpus_settings) -> None:
    env = kb_env(corpus_settings.home, corpus_settings.corpus)
    rows = json.loads(run_kb(env, "search", "容缺受理一共公布了多少项", "--json", "-k", "3"))
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) == {"rank", "score", "doc_title", "doc_number", "label", "text", "source", "validity"}
    assert "公布容缺受理行政审批事项99项" in rows[0]["text"]

    many = run_kb(env, "search", "--json", "-", stdin="江政办[2023]17号\n\n   \n申请行政复议的期限\n")
    lines = [json.loads(x) for x in many.splitlines()]
    assert len(lines) == 2
    assert "江政办〔2023〕17号" in lines[0][0]["text"] and lines[1][0]["label"] == "第二十条"
