"""`kb quiz` and the 学习测验 tab over the real index of the bundled corpus: the CLI's JSON and
interactive modes, and the UI flow (start, answer, submit, score, retry) through gradio_client
against a real local Gradio server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kb_process import kb_env, run_kb
from web_server import free_port

from app.cli import main
from ingest.corpus import load_corpus
from ingest.structure import chunk_document
from kb.registry import build_registry
from kb.training.quiz import KINDS, build_pool, generate_quiz, pool_for

ROOT = Path(__file__).resolve().parents[1]
REPORT_TITLE = "柳州市柳江区2023年法治政府建设年度报告"


def test_index_generation_pool_matches_the_corpus(corpus_index):
    """The quiz reads the index's chunks; they yield exactly the questions the files do."""
    gen = corpus_index.current()
    docs, _ = load_corpus(ROOT / "corpus")
    chunks = [c for d in docs for c in chunk_document(d)]
    direct = build_pool(chunks, build_registry(docs, chunks))
    from_index = pool_for(gen)
    assert pool_for(gen) is from_index  # built once per generation
    assert [(c.cid, c.reason) for c in from_index.candidates] == [
        (c.cid, c.reason) for c in direct.candidates
    ]


def test_cli_json_twenty_distinct_questions(corpus_env, capsys):
    assert main(["quiz", "--n", "20", "--seed", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    qs = out["questions"]
    assert out["seed"] == "1" and out["count"] == 20 and len(qs) == 20
    assert len({q["prompt"] for q in qs}) == 20 and len({q["fact"] for q in qs}) == 20
    assert len({q["kind"] for q in qs}) >= 3
    titles = {q["citation"]["doc_title"] for q in qs}
    assert REPORT_TITLE in titles and any("法" in t and t != REPORT_TITLE for t in titles)
    for q in qs:
        assert q["citation"]["quote"] and q["citation"]["label"] and q["answer"]
    capsys.readouterr()
    assert main(["quiz", "--n", "20", "--seed", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == out  # same seed, same quiz


def test_cli_filters_and_bad_input(corpus_env, capsys):
    assert (
        main(["quiz", "--n", "5", "--seed", "2", "--doc", "行政诉讼法", "--kind", "law,choice", "--json"])
        == 0
    )
    qs = json.loads(capsys.readouterr().out)["questions"]
    assert len(qs) == 5
    assert {q["kind"] for q in qs} <= {"law", "choice"}
    assert {q["citation"]["doc_title"] for q in qs} == {"中华人民共和国行政诉讼法"}
    assert main(["quiz", "--kind", "essay"]) == 2
    assert "未知题型" in capsys.readouterr().err
    assert main(["quiz", "--doc", "不存在的文件"]) == 2
    assert "没有可出的题目" in capsys.readouterr().err
    assert main(["quiz", "--stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert set(stats["candidates"]) == set(KINDS) and "giveaway" in stats["rejected"]


def test_cli_interactive_with_piped_stdin_and_eof(corpus_settings, corpus_index):
    """Answers come from a pipe that ends early: graded as it goes, then score and passages."""
    qs = generate_quiz(pool_for(corpus_index.current()), n=4, seed="9")
    first = qs[0]
    right = "ABCD"[first.options.index(first.answer)] if first.options else first.answer + first.unit
    env = kb_env(corpus_settings.home, corpus_settings.corpus)
    out = run_kb(env, "quiz", "--n", "4", "--seed", "9", stdin=f"{right}\n我不知道\n")
    assert "✓ 回答正确" in out and "✗ 回答错误" in out
    assert "输入已结束" in out
    assert "得分：1 / 4" in out and "未作答 2 题" in out
    assert "需要复习的原文" in out and qs[1].citation.quote in out


@pytest.fixture
def quiz_server(corpus_index):
    import gradio as gr

    from app.quiz_tab import build_quiz_tab

    with gr.Blocks() as demo:
        build_quiz_tab(corpus_index)
    _, url, _ = demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        ssr_mode=False,
    )
    try:
        yield url
    finally:
        demo.close()


def test_ui_flow_through_gradio_client(quiz_server, corpus_index):
    from gradio_client import Client

    from app.quiz_tab import MAX_QUESTIONS

    client = Client(quiz_server, verbose=False)
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/quiz_start", "/quiz_submit", "/quiz_retry"} <= names

    shown = client.predict("全部文件", 6, list(KINDS), "11", api_name="/quiz_start")
    assert "共 6 题" in shown[0] and "随机种子 11" in shown[0]
    # The tab promises the same quiz as the library for the same seed: answer from it.
    qs = generate_quiz(pool_for(corpus_index.current()), n=6, seed="11")
    texts = [s for s in shown if isinstance(s, str) and s.startswith("**第 ")]
    assert len(texts) == 6
    for q, text in zip(qs, texts, strict=True):
        assert q.prompt.replace("____", "＿＿＿＿") in text.replace("\\", "")

    picked: list[str | None] = [None] * MAX_QUESTIONS
    typed = [""] * MAX_QUESTIONS
    for i, q in enumerate(qs):
        wrong = i in (1, 4)
        if q.options:
            picked[i] = next(o for o in q.options if o != q.answer) if wrong else q.answer
        else:
            typed[i] = "999999" if wrong else f"{q.answer}{q.unit}"
    result = client.predict(*picked, *typed, api_name="/quiz_submit")
    report = result[0] if isinstance(result, tuple) else result
    assert "得分：4 / 6" in report
    assert report.count("kb-wrong\">错误") == 2 and report.count("kb-right\">正确") == 4
    for i in (1, 4):
        assert qs[i].citation.quote in report.replace("\\", "")

    retry = client.predict(api_name="/quiz_retry")
    assert "重做错题：共 2 题" in retry[0]
    retried = [s for s in retry if isinstance(s, str) and s.startswith("**第 ")]
    assert len(retried) == 2
    picked = [None] * MAX_QUESTIONS
    typed = [""] * MAX_QUESTIONS
    for i, q in enumerate([qs[1], qs[4]]):
        if q.options:
            picked[i] = q.answer
        else:
            typed[i] = f"{q.answer}{q.unit}"
    again = client.predict(*picked, *typed, api_name="/quiz_submit")
    assert "得分：2 / 2" in (again[0] if isinstance(again, tuple) else again)
