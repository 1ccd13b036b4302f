"""Conversations on the command line, on the tiny corpus (a real index built in seconds):
`kb ask -` with JSON lines that carry their history, and the interactive `kb chat` fed
through stdin, run in this process through app.cli.main."""

from __future__ import annotations

import io
import json

import pytest

from app.cli import main

FIRST = "2023年行政复议收到多少件申请？"


def _json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def _stdin(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))


def test_ask_json_lines_carry_history_and_bad_lines_get_errors(tiny_env, monkeypatch, capsys) -> None:
    _stdin(
        monkeypatch,
        json.dumps({"question": "那2022年呢？", "history": [FIRST]}, ensure_ascii=False),
        json.dumps(
            {"question": "那2022年呢？", "history": [{"role": "user", "content": FIRST}, {"role": "assistant", "content": "76件"}]},
            ensure_ascii=False,
        ),
        '{"question": "那2022年呢？", "history": ',  # cut short
        '{"question": 7}',
        '{"question": "那2022年呢？", "history": [3]}',
        FIRST,  # a plain line is a question on its own, as before
        "江政办2023年17号是什么文件",  # a 文号 typed without brackets
    )
    assert main(["ask", "--json", "-"]) == 2
    strings, messages, cut, no_question, bad_history, plain, docnum = _json_lines(capsys)
    for year_switch in (strings, messages):
        assert year_switch["resolved_question"] == "2022年行政复议收到多少件申请"
        assert not year_switch["refused"] and "52件" in year_switch["answer"].split("\n")[0]
    assert "JSON" in cut["error"] and "question" in no_question["error"] and "history" in bad_history["error"]
    assert plain["resolved_question"] == FIRST and "76件" in plain["answer"]
    assert "江政办〔2023〕17号" in docnum["answer"] and not docnum["refused"]


def test_chat_keeps_the_conversation_and_shows_what_it_understood(tiny_env, monkeypatch, capsys) -> None:
    _stdin(monkeypatch, FIRST, "那2022年呢？", "", "空行之后不再读")
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    first, second = out.split("理解为：")
    assert "76件" in first and "[1] 《柳州市柳江区2023年法治政府建设年度报告》二、（六）3." in first
    assert second.startswith("2022年行政复议收到多少件申请\n") and "52件" in second
    assert "空行之后" not in out and "理解为" not in first


def test_chat_json_one_object_per_turn_and_bad_questions_do_not_end_it(tiny_env, monkeypatch, capsys) -> None:
    _stdin(monkeypatch, FIRST, "问" * 100_000, "那2022年呢？")
    assert main(["chat", "--json"]) == 2
    first, bad, follow = _json_lines(capsys)
    assert first["question"] == first["resolved_question"] == FIRST
    assert "过长" in bad["error"]
    assert follow["question"] == "那2022年呢？" and follow["resolved_question"] == "2022年行政复议收到多少件申请"


def test_chat_ends_on_end_of_input_and_on_ctrl_c(tiny_env, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat"]) == 0

    class Interrupted(io.StringIO):
        def readline(self, *args):
            raise KeyboardInterrupt

    monkeypatch.setattr("sys.stdin", Interrupted())
    assert main(["chat", "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_docs_finds_a_number_typed_without_brackets(tiny_env, capsys) -> None:
    assert main(["docs", "江政办2023年16号"]) == 0
    assert "江政办〔2023〕16号  全文不在库" in capsys.readouterr().out
