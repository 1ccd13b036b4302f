"""The generated-answer path against a real HTTP server on loopback that speaks the OpenAI
chat completions API with streaming (server-sent events), started by the test.

The stub plays a model: it reads the numbered passages from the prompt and answers with a
scripted reply, so each test decides whether the "model" tells the truth, invents a
figure, cites a passage that does not exist or leaves a claim uncited.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kb.answer import NOTICE_FAILED_CHECK, Answer, answer_question, iter_answer
from kb.answer import NOTICE_UNAVAILABLE as UNAVAILABLE
from kb.answer.grounding import check_answer, sentence_complete, split_claims

QUESTION = "去年行政复议收到了多少件申请？"
FACT = "共收到行政复议申请76件"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.server.requests.append(body)  # type: ignore[attr-defined]
        reply = self.server.script(body)  # type: ignore[attr-defined]
        if not body.get("stream"):
            payload = {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "stub"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                ],
            }
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        pieces = [reply[i : i + 4] for i in range(0, len(reply), 4)]
        for i, piece in enumerate(pieces):
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            self._event({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, fields: dict) -> None:
        chunk = {
            "id": "chatcmpl-stub",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "stub",
            **fields,
        }
        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def stub(monkeypatch) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []  # type: ignore[attr-defined]
    server.script = lambda body: "知识库中未找到相关内容。"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KB_LLM", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("KB_LLM_MODEL", "stub-model")
    yield server
    server.shutdown()
    server.server_close()


def passage_number(body: dict, needle: str) -> int:
    """The number the prompt gave the passage holding `needle`."""
    prompt = body["messages"][-1]["content"]
    for m in re.finditer(r"^\[(\d+)\] 《[^\n]*\n([^\n]*)", prompt, flags=re.M):
        if needle in m.group(2):
            return int(m.group(1))
    raise AssertionError(f"no passage holds {needle}")


def scripted(template: str) -> Callable[[dict], str]:
    return lambda body: template.format(n=passage_number(body, FACT))


def run(index, question: str = QUESTION, history=None) -> tuple[list[str], Answer]:
    items = list(iter_answer(index, question, history))
    assert isinstance(items[-1], Answer)
    return [i for i in items if isinstance(i, str)], items[-1]


def test_grounded_answer_passes_and_streams(corpus_index, stub, doc_text):
    stub.script = scripted("2023年共收到行政复议申请76件，受理73件。[{n}]其中审结65件。[{n}]")
    deltas, answer = run(corpus_index)
    assert answer.backend == "openai" and not answer.refused and not answer.notice
    assert answer.answer == "2023年共收到行政复议申请76件，受理73件。[1]其中审结65件。[1]"
    assert len(deltas) == 2 and "".join(deltas) == answer.answer  # shown sentence by sentence
    (c,) = answer.citations
    assert c.n == 1 and c.label == "二、（六）3." and FACT in c.quote
    assert c.quote == doc_text(c.source)[c.start : c.end]
    body = stub.requests[-1]
    assert body["model"] == "stub-model" and body["stream"] is True
    system = body["messages"][0]["content"]
    assert "不得使用资料以外" in system and "知识库中未找到" in system and "[1]" in system
    assert "[1] 《" in body["messages"][-1]["content"] and QUESTION in body["messages"][-1]["content"]


@pytest.mark.parametrize(
    "bad",
    [
        "2023年共收到行政复议申请78件。[{n}]",  # an invented figure
        "2023年共收到行政复议申请76件。[7]",  # a passage that does not exist
        "2023年共收到行政复议申请76件。[{n}]全区还新建了三个调解室。",  # an uncited claim
        "依据江政办〔2023〕99号文件，共收到行政复议申请76件。[{n}]",  # an invented 文号
        "2021年共收到行政复议申请76件。[{n}]",  # a date the passage does not state
    ],
)
def test_ungrounded_answer_is_replaced(corpus_index, stub, bad):
    stub.script = scripted(bad)
    deltas, answer = run(corpus_index)
    assert answer.notice == NOTICE_FAILED_CHECK
    assert answer.backend == "extractive" and not answer.refused
    assert FACT in answer.answer and answer.citations[0].label == "二、（六）3."
    for shown in deltas:  # nothing unchecked was shown: only grounded sentences or the fallback
        assert "78件" not in shown and "[7]" not in shown and "调解室" not in shown and "99号" not in shown


def test_model_refusal(corpus_index, stub):
    stub.script = lambda body: "知识库中未找到关于该问题的内容。"
    _, answer = run(corpus_index)
    assert answer.refused and answer.backend == "openai" and answer.related and not answer.citations


def test_firm_refusal_does_not_ask_the_model(corpus_index, stub):
    answer = answer_question(corpus_index, "柳江区2023年GDP是多少？")
    assert answer.refused and stub.requests == []


def test_history_reaches_the_model(corpus_index, stub):
    stub.script = lambda body: "审结的案件中撤销28件。[{}]".format(passage_number(body, "撤销28件"))
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "共收到行政复议申请76件。[1]"},
    ]
    _, answer = run(corpus_index, "那撤销了多少件？", history)
    assert "28件" in answer.answer and answer.backend == "openai"
    roles = [m["role"] for m in stub.requests[-1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]


def test_unreachable_server_falls_back(corpus_index, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again on exit: nothing listens there
    monkeypatch.setenv("KB_LLM", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("KB_LLM_TIMEOUT", "5")
    answer = answer_question(corpus_index, QUESTION)
    assert answer.notice == UNAVAILABLE and FACT in answer.answer and answer.backend == "extractive"


def test_grounding_units():
    passages = {
        1: "《报告》二、（六）3.\n共收到行政复议申请76件，受理73件。",
        2: "第二十条 自知道之日起六十日内提出。",
    }
    assert check_answer("共收到76件。[1]申请期限为60日。[2]", passages).ok
    assert not check_answer("共收到76件。[2]", passages).ok  # the figure is in another passage
    assert not check_answer("共收到76件。", passages).ok
    assert check_answer("知识库中未找到2021年的数据。", passages).ok
    assert split_claims("甲76件。[1][2]乙。") == ["甲76件。[1][2]", "乙。"]
    assert sentence_complete("甲76件。[1]") == 0  # more markers may follow
    assert sentence_complete("甲76件。[1]乙") == len("甲76件。[1]")
