"""A stand-in for an OpenAI-compatible model server: a real HTTP server on loopback that
speaks the chat completions API with streaming (server-sent events) and answers with a
scripted reply, so a test decides whether the "model" tells the truth, invents a figure,
cites a passage that does not exist or leaves a claim uncited."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
        time.sleep(self.server.delay)  # type: ignore[attr-defined]
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



@contextmanager
def model_server(monkeypatch, delay: float = 0.0) -> Iterator[ThreadingHTTPServer]:
    """The stub on a free loopback port, with KB_LLM=openai pointing at it; `server.script`
    (request body -> reply) plays the model, `server.requests` records what it was sent,
    `delay` seconds pass before each streamed piece."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []  # type: ignore[attr-defined]
    server.script = lambda body: "知识库中未找到相关内容。"  # type: ignore[attr-defined]
    server.delay = delay  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KB_LLM", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("KB_LLM_MODEL", "stub-model")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
