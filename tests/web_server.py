"""Helpers for the web tests: a real app server on a free loopback port, closed afterwards."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.config import PROJECT_ROOT, settings
from kb.index import Index
from kb.index.writer import ingest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(index: Index, auth=None, admins: frozenset[str] | None = None) -> Iterator[str]:
    """The whole app (UI and API) for `index`, on loopback; yields its URL."""
    from app.web import build_app, launch

    demo = build_app(index, admins)
    url = launch(demo, host="127.0.0.1", port=free_port(), auth=auth, block=False)
    try:
        yield url
    finally:
        demo.close()


def start_serve(
    env: dict[str, str], *args: str, launcher: list[str] | None = None, timeout: float = 300
) -> tuple[subprocess.Popen, str]:
    """`kb serve` as its own process on a free loopback port; returns once it prints its address.

    stderr goes to a file, not a pipe nobody reads: a chatty server must never block on it.
    """
    port = free_port()
    cmd = [*(launcher or [sys.executable, "-m", "app.cli"]), "serve", "--port", str(port), *args]
    err = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    line = ""
    assert proc.stdout
    while "已启动" not in line and time.monotonic() < deadline and proc.poll() is None:
        line = proc.stdout.readline()
    if url not in line:
        proc.kill()
        proc.wait(timeout=30)
        err.seek(0)
        raise AssertionError(f"kb serve did not start (exit {proc.returncode}): {line}\n{err.read()[-3000:]}")
    return proc, url


def private_index(home: Path, corpus: Path, embeddings) -> Index:
    """An index of a test's own corpus folder in its own data dir (safe to mutate)."""
    s = settings(home=home, corpus=corpus)
    ingest(s, embeddings)
    return Index(s, embeddings)
