"""Chroma server mode (KB_CHROMA_HOST): a real `chroma run` on loopback shared by app processes.

Two "machines" are two KB_HOMEs: they share the vectors and the pointer on the server and
keep only their BM25 cache locally, which the second one derives from Chroma on first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from kb_process import kb_env, run_kb
from web_server import free_port, start_serve

from kb.config import settings
from kb.index import store

pytestmark = pytest.mark.slow  # a chroma server, kb serve and kb subprocesses

ROOT = Path(__file__).resolve().parent.parent
CHROMA = Path(sys.executable).parent / "chroma"
QUERIES = ["人民调解委员会由几人组成", "测试任务完成率", "主席令第三十四号"]
MARKER = "柳江区共享服务器测试标记项目"


@pytest.fixture
def chroma_server(tmp_path: Path):
    """`chroma run` on 127.0.0.1 and a free port; (host, port) once its heartbeat answers."""
    if not CHROMA.exists():
        pytest.skip("chroma CLI not installed")
    port = free_port()
    log_path = tmp_path / "chroma.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(tmp_path / "chroma-db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 120
    while True:
        try:
            opener.open(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"chroma server did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
    yield "127.0.0.1", port
    proc.terminate()
    proc.wait(timeout=30)


def _env(home: Path, corpus: Path, server: tuple[str, int]) -> dict[str, str]:
    return kb_env(home, corpus, KB_CHROMA_HOST=server[0], KB_CHROMA_PORT=str(server[1]))


def _searcher(env: dict[str, str]) -> subprocess.Popen:
    """A long-lived `kb search -` process: one JSON line per query line, like a serving app."""
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "search", "-", "--json", "-k", "3"], cwd=ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _ask(proc: subprocess.Popen, query: str) -> list[dict]:
    assert proc.stdin and proc.stdout
    proc.stdin.write(query + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else "searcher died"
    return json.loads(line)


def test_two_app_processes_share_one_chroma_server(chroma_server, short_corpus: Path, tmp_path: Path) -> None:
    home_a, home_b = tmp_path / "machine-a", tmp_path / "machine-b"
    env_a, env_b = _env(home_a, short_corpus, chroma_server), _env(home_b, short_corpus, chroma_server)

    assert "导入完成" in run_kb(env_a, "ingest", "--quiet")
    assert not (home_a / "chroma").exists(), "server mode keeps no local Chroma"
    host, port = chroma_server
    client = store.open_client(settings(home=home_a).model_copy(update={"chroma_host": host, "chroma_port": port}))
    first = store.read_manifest(client)
    assert first is not None

    # two processes (one per machine) search at the same time and agree; B derives its BM25
    procs = [_searcher(env) for env in (env_a, env_b)]
    try:
        results = [[_ask(p, q) for q in QUERIES] for p in procs]
        assert results[0] == results[1]
        assert all(results[0]), results
        assert (home_b / "lexical" / first.collection / "meta.json").exists()
        assert json.loads(run_kb(env_a, "docs", "--json")) == json.loads(run_kb(env_b, "docs", "--json"))

        # another machine's ingest still filling its generation, and one abandoned long ago
        foreign = store.new_generation(client)
        ancient = client.create_collection("kb_gen_20200101000000_deadbeef", embedding_function=None)
        assert not any(MARKER in hit["text"] for hit in _ask(procs[0], MARKER))

        # B ingests a change; A's running process sees it on its next query, without a restart
        with (short_corpus / "notice.txt").open("a", encoding="utf-8") as f:
            f.write(f"\n2. {MARKER}已于本月完成。")
        assert "更新：notice.txt" in run_kb(env_b, "ingest", "--quiet")
        seen = [_ask(p, MARKER) for p in procs]
        assert seen[0] == seen[1]
        assert MARKER in seen[0][0]["text"]
    finally:
        for p in procs:
            p.kill()
            p.wait()

    now = store.read_manifest(client)
    assert now is not None and now.collection != first.collection
    names = {c.name for c in client.list_collections()}
    assert {now.collection, first.collection, foreign.name} <= names, "live, previous and foreign kept"
    assert ancient.name not in names, "an abandoned generation is dropped"


def test_two_web_apps_on_one_chroma_server_see_the_same_documents(
    chroma_server, short_corpus: Path, tmp_path: Path
) -> None:
    """Two `kb serve` processes (own data dirs, one corpus share, one Chroma server): what one
    uploads, the other lists and answers from, without a restart."""
    from gradio_client import Client, handle_file

    env_a = _env(tmp_path / "app-a", short_corpus, chroma_server)
    env_b = _env(tmp_path / "app-b", short_corpus, chroma_server)
    upload = tmp_path / "智慧停车通知.txt"
    upload.write_text("关于推进智慧停车管理工作的通知\n一、工作成效\n1. 全区共建成智慧停车泊位1280个。", encoding="utf-8")
    procs = []
    try:
        proc_a, url_a = start_serve(env_a)  # the first start ingests into the empty server
        procs.append(proc_a)
        proc_b, url_b = start_serve(env_b)
        procs.append(proc_b)
        a = Client(url_a, verbose=False, analytics_enabled=False)
        b = Client(url_b, verbose=False, analytics_enabled=False)
        docs = lambda c: sorted(d["doc_id"] for d in c.predict(api_name="/documents"))  # noqa: E731
        assert docs(a) == docs(b) == ["notice.txt", "renmin_tiaojie_fa_2010.txt"]
        assert a.predict("人民调解委员会", 3, None, api_name="/search") == b.predict(
            "人民调解委员会", 3, None, api_name="/search")

        up = a.predict(handle_file(upload), False, api_name="/upload")
        assert up["ok"]
        assert up["doc_id"] in docs(b)
        answer = b.predict("全区共建成智慧停车泊位多少个？", None, api_name="/ask")
        assert not answer["refused"] and "1280" in answer["answer"]
        assert {c["doc_id"] for c in answer["citations"]} == {up["doc_id"]}
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
