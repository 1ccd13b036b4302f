"""The `kb` command line on the tiny corpus (corpora.write_tiny_corpus: a real index, built in
seconds): ingest, search, ask, docs and quiz, as JSON and as text, with bad input, run in this
process through app.cli.main. The same commands on the whole corpus are in the slow tier."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from corpora import LAW, REPORT, shorten_law

from app.cli import main
from kb.config import Settings
from kb.index import Index
from kb.training.quiz import KINDS, generate_quiz, pool_for

REPORT_TITLE = "柳州市柳江区2023年法治政府建设年度报告"


def _json(capsys: pytest.CaptureFixture[str]):
    return json.loads(capsys.readouterr().out)


def _json_lines(capsys: pytest.CaptureFixture[str]) -> list:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def _quote_is_exact(s: Settings, doc_id: str, start: int, end: int, quote: str) -> bool:
    return (Path(s.corpus) / doc_id).read_text(encoding="utf-8")[start:end] == quote


def test_ingest_adds_then_skips_then_updates_and_removes(
    small_corpus: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    corpus = small_corpus
    shorten_law(corpus, until="第四条")  # the command's reports are under test, not the embedder
    monkeypatch.setenv("KB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KB_CORPUS", str(corpus))
    assert main(["search", "调解"]) == 1, "nothing ingested yet"
    assert "kb ingest" in capsys.readouterr().err

    assert main(["ingest", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "导入完成：2 个文档" in out and f"新增：notice.txt、{LAW}" in out
    assert main(["ingest", "--quiet"]) == 0
    again = capsys.readouterr().out
    assert "导入无变化" in again and "新向量化 0，" in again

    notice = corpus / "notice.txt"
    notice.write_text(notice.read_text(encoding="utf-8").replace("42项", "57项"), encoding="utf-8")
    (corpus / LAW).unlink()
    assert main(["ingest", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "导入完成：1 个文档" in out and "新向量化 1，" in out
    assert "更新：notice.txt" in out and f"删除：{LAW}" in out

    assert main(["ingest", "--quiet", "--corpus", str(tmp_path / "missing")]) == 2
    assert "找不到文档目录" in capsys.readouterr().err


def test_search_text_json_and_a_stream_of_queries(tiny_env, monkeypatch, capsys) -> None:
    assert main(["search", "人民调解委员会由几人组成", "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] 《中华人民共和国人民调解法》（中华人民共和国主席令第三十四号） 第八条")

    lines = ["测试任务完成率", "", "   ", "问" * 100_000, "江政办[2023]17号", "申请行政复议收到多少件"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["search", "--json", "-k", "3", "-"]) == 2  # one query was unusable
    rows, bad, docnum, figure = _json_lines(capsys)
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) == {"rank", "score", "doc_title", "doc_number", "label", "text", "source", "validity"}
    assert rows[0]["source"] == "notice.txt" and rows[0]["label"] == "一、（一）1."
    assert "过长" in bad["error"]
    assert "江政办〔2023〕17号" in docnum[0]["text"]
    assert figure[0]["label"] == "二、（六）3."


def test_ask_json_cites_exact_quotes_refuses_and_reports_bad_lines(
    tiny_env, tiny_settings, monkeypatch, capsys
) -> None:
    lines = ["去年行政复议收到了多少件申请？", "柳江区2023年GDP是多少？", "问" * 100_000]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["ask", "--json", "-"]) == 2
    answered, refused, bad = _json_lines(capsys)
    assert set(answered) >= {"answer", "citations", "refused", "backend"}
    assert not answered["refused"] and "76" in answered["answer"] and "[1]" in answered["answer"]
    cite = answered["citations"][0]
    assert (cite["doc_id"], cite["label"]) == (REPORT, "二、（六）3.")
    assert _quote_is_exact(tiny_settings, cite["doc_id"], cite["start"], cite["end"], cite["quote"])
    assert refused["refused"] is True and not refused["citations"]
    assert "过长" in bad["error"]


def test_ask_text_prints_the_answer_then_its_citations(tiny_env, capsys) -> None:
    assert main(["ask", "人民调解委员会由几人组成？"]) == 0
    out = capsys.readouterr().out
    assert "三至九人" in out
    assert "[1] 《中华人民共和国人民调解法》（中华人民共和国主席令第三十四号）第八条" in out


def test_docs_lists_and_looks_up_the_registry(tiny_env, capsys) -> None:
    assert main(["docs", "--json"]) == 0
    by_number = {e["doc_number"]: e for e in _json(capsys) if e["doc_number"]}
    law = by_number["中华人民共和国主席令第三十四号"]
    assert law["in_corpus"] and law["source_file"] == LAW
    cited = by_number["江政办〔2023〕16号"]
    assert not cited["in_corpus"] and [c["doc_id"] for c in cited["citations"]] == [REPORT]

    assert main(["docs", "江政办（2023）16号"]) == 0
    out = capsys.readouterr().out
    assert "江政办〔2023〕16号  全文不在库  被引用 1 次" in out
    assert f"引用处：《{REPORT_TITLE}》二、（一）3." in out
    assert main(["docs"]) == 0
    assert "共 12 个文件，6 个有文号，3 个全文在库。" in capsys.readouterr().out


def test_quiz_json_same_seed_same_quiz_filters_and_bad_input(tiny_env, tiny_settings, capsys) -> None:
    assert main(["quiz", "--n", "8", "--seed", "1", "--json"]) == 0
    out = _json(capsys)
    qs = out["questions"]
    assert out["seed"] == "1" and out["count"] == len(qs) == 8
    assert len({q["prompt"] for q in qs}) == 8 and len({q["kind"] for q in qs}) >= 3
    for q in qs:
        c = q["citation"]
        assert q["answer"] and c["label"] and _quote_is_exact(tiny_settings, c["doc_id"], c["start"], c["end"], c["quote"])
    assert main(["quiz", "--n", "8", "--seed", "1", "--json"]) == 0
    assert _json(capsys) == out  # same seed, same quiz

    assert main(["quiz", "--n", "3", "--seed", "2", "--doc", "年度报告", "--kind", "fill,choice", "--json"]) == 0
    qs = _json(capsys)["questions"]
    assert len(qs) == 3 and {q["kind"] for q in qs} <= {"fill", "choice"}
    assert {q["citation"]["doc_title"] for q in qs} == {REPORT_TITLE}

    assert main(["quiz", "--stats", "--json"]) == 0
    stats = _json(capsys)
    assert set(stats["candidates"]) == set(KINDS) and "giveaway" in stats["rejected"]
    assert main(["quiz", "--kind", "essay"]) == 2
    assert "未知题型" in capsys.readouterr().err
    assert main(["quiz", "--n", "0"]) == 2
    assert "至少为 1" in capsys.readouterr().err


def test_quiz_interactive_grades_piped_answers_until_input_ends(
    tiny_env, tiny_index: Index, monkeypatch, capsys
) -> None:
    qs = generate_quiz(pool_for(tiny_index.current()), n=3, seed="9")
    first = qs[0]
    right = "ABCD"[first.options.index(first.answer)] if first.options else first.answer + first.unit
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{right}\n我不知道\n"))
    assert main(["quiz", "--n", "3", "--seed", "9"]) == 0
    out = capsys.readouterr().out
    assert "✓ 回答正确" in out and "✗ 回答错误" in out and "输入已结束" in out
    assert "得分：1 / 3" in out and "未作答 1 题" in out
    assert "需要复习的原文" in out and qs[1].citation.quote in out


def test_sigterm_says_it_stopped_instead_of_vanishing(tiny_settings) -> None:
    """A service manager's SIGTERM ends `kb` like Ctrl-C does, with a message and exit 143."""
    import signal
    import subprocess
    import sys
    import time

    from kb_process import ROOT, kb_env

    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "chat"], cwd=ROOT, env=kb_env(tiny_settings.home, tiny_settings.corpus),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        proc.stdin.write("行政复议的期限是多久\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 120
        line = ""
        while "[1]" not in line and "未找到" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()  # the first answer: the process is up and waiting
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143
    assert "已终止（收到 SIGTERM" in err and "Traceback" not in err
